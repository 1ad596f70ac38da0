"""Heat-map cells for a DataTable: a sequential colour scale taken from the theme.

A count is drawn on a background blended from the theme's surface colour (few) to its
primary colour (many), with black or white text, whichever reads better; zero stays
plain. The cells are padded to their column's width, so the colour fills the cell (the
table should have `cell_padding=0` and `cursor_background_priority="css"`, so the
cursor still shows on a coloured cell).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.style import Style
from rich.text import Text
from textual.color import Color

#: The share of the primary colour in the palest non-zero cell.
FLOOR = 0.2


class HeatScale:
    """From the theme's surface colour to its primary colour."""

    def __init__(self, variables: Mapping[str, str]) -> None:
        self.low = Color.parse(variables.get("surface", "#1e1e1e"))
        self.high = Color.parse(variables.get("primary", "#0178d4"))

    def style(self, value: float, maximum: float) -> Style:
        if value <= 0 or maximum <= 0:
            return Style(dim=True)
        share = FLOOR + (1 - FLOOR) * min(value / maximum, 1.0)
        background = self.low.blend(self.high, share)
        return Style(
            color=background.get_contrast_text(1.0).rich_color,
            bgcolor=background.rich_color,
            bold=value >= maximum,
        )

    def cell(self, value: float, maximum: float, width: int, label: str | None = None) -> Text:
        """`label` (else the value) right-aligned in `width` columns on the scale's colour."""
        shown = str(value) if label is None else label
        return Text(f" {shown:>{max(width - 2, 1)}} ", style=self.style(value, maximum))

    def legend(self, maximum: int, steps: int = 5) -> Text:
        """Five swatches of the scale between "0" and the maximum, as a key."""
        out = Text("0 ", style="dim")
        for n in range(1, steps + 1):
            out.append("  ", style=self.style(maximum * n / steps, maximum))
        out.append(f" {maximum}", style="dim")
        return out
