"""StaircaseGrid: the styrings- og ledelsestrappe as a 5 x 2 grid of levels by sides.

Each cell counts the codings of `<level>.<side>` (in the open document, and in the whole
project in brackets), in the code's colour, so the coder sees at a glance which steps and
which side of the staircase an interview has covered.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

LEVELS = ("politiker", "forvaltning", "leder", "medarbejder", "borger")
SIDES = ("forside", "bagside")


class StaircaseGrid(Static):
    table: Table | None = None

    def show(
        self,
        document_counts: dict[str, int],
        project_counts: dict[str, int],
        colors: dict[str, str],
    ) -> None:
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
        table.add_column("trin", style="bold", no_wrap=True)
        for side in SIDES:
            table.add_column(side, justify="right", no_wrap=True)
        for level in LEVELS:
            cells = []
            for side in SIDES:
                code = f"{level}.{side}"
                if code not in colors:
                    cells.append(Text("–", style="dim"))
                    continue
                here, total = document_counts.get(code, 0), project_counts.get(code, 0)
                cell = Text(f"{here}", style=f"bold {colors[code]}" if here else "dim")
                cell.append(f" ({total})", style="dim")
                cells.append(cell)
            table.add_row(level, *cells)
        self.table = table
        self.update(table, layout=False)
