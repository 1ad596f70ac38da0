"""ReportsScreen: the synthesis reports in the terminal, every figure open to its passages.

Choose a report (keys 1-5 or the tabs), what to group by and whose codings count; the
report is built in a thread worker and shown as a table, the staircase (and on request the
co-occurrences) as a heat map. Enter on a cell lists the coded passages it counts
(`reports.drill`); enter on a passage returns to the workspace at that passage. x exports
the report with the writers the CLI uses, so the file holds what the screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Select, Static, Tab, Tabs
from textual.widgets.option_list import Option

from frisat_qual.errors import FrisatError
from frisat_qual.models import CORE_ATTRIBUTES
from frisat_qual.reports import writers
from frisat_qual.reports.drill import Cell, Passage, passages_of, report_cells
from frisat_qual.store.cases import attribute_names
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import coder_names
from frisat_qual.store.project import Project
from frisat_qual.tui.background import run_in_worker
from frisat_qual.tui.screens.dialogs import FormDialog, FormField
from frisat_qual.tui.widgets.heatmap import HeatScale

KINDS = {
    "frequencies": "Frequencies",
    "crosstab": "Cross-tab",
    "cooccurrence": "Co-occurrence",
    "staircase": "Staircase",
    "quotes": "Quotes",
}
#: The code whose quotes are listed until another is chosen (if the codebook has it).
QUOTE_CODE = "tema.kant"
#: Characters of a quote shown in the table; the passages pane shows it whole.
QUOTE_WIDTH = 70
#: Characters of a passage shown in the passages pane.
PASSAGE_CHARS = 600


@dataclass
class ReportSettings:
    """What the reports screen showed last. The workspace keeps it, so the screen opens
    again where the researcher left it. Empty strings mean no grouping, all coders and
    the default quote code."""

    kind: str = "frequencies"
    by: str = ""
    coder: str = ""
    code: str = ""
    heat: bool = False  # co-occurrence as a code x code heat map instead of pairs
    cursor: tuple[str, int, int] = ("", 0, 0)  # report layout (see _layout), row, column


@dataclass(frozen=True)
class ReportRequest:
    """One report to build, with the filters its passages are listed with."""

    kind: str
    by: str | None = None
    coders: tuple[str, ...] | None = None
    code: str | None = None
    heat: bool = False


@dataclass
class BuiltReport:
    """A report laid out for the screen: `table` is what export writes, `headers` and
    `rows` what the screen shows (the same, except the co-occurrence heat map and
    shortened quotes), `cells` where each shown cell's passages come from."""

    request: ReportRequest
    table: writers.ReportTable
    headers: list[str]
    rows: list[list[object]]
    cells: list[list[Cell | None]]
    heat: dict[int, str] = field(default_factory=dict)  # heat-map column -> its scale's name
    details: dict[tuple[int, int], str] = field(default_factory=dict)


def _layout(request: ReportRequest) -> str:
    """The report's kind, and whether it is a heat map: what a cursor position means."""
    return f"{request.kind}/heat" if request.heat else request.kind


def build_view(project: Project, request: ReportRequest) -> BuiltReport:
    """Run the report and lay it out for the screen (no widgets: runs in a worker)."""
    if request.kind == "crosstab" and not request.by:
        raise FrisatError(
            "A cross-tab needs a case attribute (rolle, kommune, ...), and this project's"
            " cases have none: import the transcripts with a manifest."
        )
    table = writers.build_report(
        project, request.kind, by=request.by, code=request.code, coders=request.coders
    )
    cells = report_cells(project, table, request.kind, code=request.code, coders=request.coders)
    built = BuiltReport(request, table, list(table.headers), [list(r) for r in table.rows], cells)
    if request.kind == "staircase":
        _staircase_details(built)
    elif request.kind == "cooccurrence" and request.heat:
        _as_matrix(project, built)
    elif request.kind == "quotes":
        for row in built.rows:
            text = str(row[1])
            row[1] = text if len(text) <= QUOTE_WIDTH else text[: QUOTE_WIDTH - 1] + "…"
    return built


def _staircase_details(built: BuiltReport) -> None:
    built.heat = {1: "forside/bagside", 2: "forside/bagside", 3: "tema.kant"}
    spor = {(c["level"], c["side"]): c["spor"] for c in built.table.data["cells"]}
    for i, row in enumerate(built.table.rows):
        level = row[0]
        for j, side in ((1, "forside"), (2, "bagside")):
            counts = ", ".join(
                f"{s.removeprefix('spor.')} {n}" for s, n in spor[(level, side)].items() if n
            )
            built.details[(i, j)] = (
                f"{level}.{side}: {row[j]} codings; spor in them: {counts or 'none'}"
            )
        built.details[(i, 3)] = f"tema.kant codings overlapping {level}'s codings: {row[3]}"


def _as_matrix(project: Project, built: BuiltReport) -> None:
    """Co-occurrence as codes x codes of shared segments (codebook order; the numbered
    columns are the numbered rows' codes)."""
    order = {r["id"]: i for i, r in enumerate(code_rows(project, include_retired=False))}
    pairs = {(str(r[0]), str(r[1])): r for r in built.table.rows}
    codes = sorted({code for pair in pairs for code in pair}, key=lambda c: order.get(c, 0))
    built.headers = ["code", *(str(n) for n in range(1, len(codes) + 1))]
    built.rows, built.cells = [], []
    for i, a in enumerate(codes):
        row: list[object] = [f"{i + 1:>2} {a}"]
        cells: list[Cell | None] = [None]
        for j, b in enumerate(codes, start=1):
            pair = pairs.get((a, b)) or pairs.get((b, a))
            row.append(None if a == b else pair[3] if pair else 0)
            cells.append(None if a == b else Cell("cooccurrence", a, b, "segments"))
            if pair:
                built.details[(i, j)] = (
                    f"{a} × {b}: {pair[3]} shared segments, {pair[2]} overlaps,"
                    f" {pair[4]} shared turns, Jaccard {pair[5]}"
                )
        built.rows.append(row)
        built.cells.append(cells)
    built.heat = {j: "shared segments" for j in range(1, len(codes) + 1)}


class ReportsScreen(Screen[Passage | None]):
    """The reports of the open project; dismisses with the passage to go to, or None."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=True),
        *[
            Binding(str(n), f"show_report('{kind}')", f"Report: {label}", show=False)
            for n, (kind, label) in enumerate(KINDS.items(), 1)
        ],
        Binding("b", "choose('#report-by')", "Group by", show=True),
        Binding("f", "choose('#report-coder')", "Coder", show=True),
        Binding("k", "choose('#report-code')", "Quote code", show=True),
        Binding("h", "toggle_heat", "Pairs/heat map", show=True),
        Binding("x", "export", "Export", show=True),
    ]

    class ReportBuilt(Message):
        """A report was built in the background."""

        def __init__(self, built: BuiltReport) -> None:
            super().__init__()
            self.built = built

    class ReportFailed(Message):
        """Building a report (or, with `passages`, listing a cell's passages) failed with
        an error for the researcher."""

        def __init__(self, error: str, *, passages: bool = False) -> None:
            super().__init__()
            self.error = error
            self.passages = passages

    class PassagesFound(Message):
        """The passages behind a cell were listed in the background."""

        def __init__(self, cell: Cell, found: list[Passage]) -> None:
            super().__init__()
            self.cell = cell
            self.found = found

    def __init__(self, settings: ReportSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or ReportSettings()
        self.built: BuiltReport | None = None
        self.passages: list[Passage] = []
        self.by_values: list[str] = []  # the case attributes, core ones first (compose)
        self._refocus = True

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        project = self.app.project
        names = attribute_names(project)
        by = [a for a in CORE_ATTRIBUTES if a in names] + [
            a for a in names if a not in CORE_ATTRIBUTES
        ]
        self.by_values = by
        codes = [r["id"] for r in code_rows(project, include_retired=False) if r["codable"]]
        settings = self.settings
        if settings.by not in by:
            settings.by = ""
        coders = coder_names(project)
        if settings.coder not in coders:
            settings.coder = ""
        if settings.code not in codes:
            settings.code = QUOTE_CODE if QUOTE_CODE in codes else (codes[0] if codes else "")
        if settings.kind not in KINDS:
            settings.kind = "frequencies"
        yield Tabs(
            *(Tab(f"{n} {label}", id=kind) for n, (kind, label) in enumerate(KINDS.items(), 1)),
            active=settings.kind,
            id="report-kinds",
        )
        with Horizontal(id="report-options"):
            yield Select(
                [("no grouping", ""), *((f"by {a}", a) for a in by)],
                value=settings.by,
                allow_blank=False,
                compact=True,
                id="report-by",
            )
            yield Select(
                [("all coders", ""), *((f"coder {c}", c) for c in coders)],
                value=settings.coder,
                allow_blank=False,
                compact=True,
                id="report-coder",
            )
            yield Select(
                [(f"quotes for {c}", c) for c in codes] or [("no codes", "")],
                value=settings.code,
                allow_blank=False,
                compact=True,
                id="report-code",
            )
        yield Static("", id="report-title", markup=False)
        yield DataTable(
            id="report-table",
            cursor_type="cell",
            cell_padding=1,
            cursor_background_priority="css",
        )
        yield Static("", id="report-detail", markup=False)
        with Vertical(id="passages-pane"):
            yield Static("", id="passages-title", markup=False)
            yield OptionList(id="passages")
        yield Footer()

    def on_mount(self) -> None:
        self._update_options()
        self.query_one(DataTable).focus()
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.build()

    def _theme_changed(self) -> None:
        if self.built is not None:
            self._fill(self.built, keep_cursor=True)

    def _update_options(self) -> None:
        kind = self.settings.kind
        self.query_one("#report-by", Select).disabled = kind not in ("frequencies", "crosstab")
        self.query_one("#report-code", Select).display = kind == "quotes"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.settings.kind
        if action == "choose" and parameters == ("#report-by",):
            return kind in ("frequencies", "crosstab")
        if action == "choose" and parameters == ("#report-code",):
            return kind == "quotes"
        if action == "toggle_heat":
            return kind == "cooccurrence"
        return True

    # -- building -----------------------------------------------------------------------

    def request(self) -> ReportRequest:
        settings = self.settings
        by = settings.by or None
        if settings.kind == "crosstab" and by is None and self.by_values:
            by = self.by_values[0]  # a cross-tab needs an attribute: the first one
        return ReportRequest(
            settings.kind,
            by=by if settings.kind in ("frequencies", "crosstab") else None,
            coders=(settings.coder,) if settings.coder else None,
            code=(settings.code or None) if settings.kind == "quotes" else None,
            heat=settings.heat and settings.kind == "cooccurrence",
        )

    def build(self) -> None:
        """Build the chosen report in the background; the table shows it when done."""
        table = self.query_one(DataTable)
        # a loading widget gives up the focus: take it back when the report is shown
        self._refocus = table.has_focus or self._refocus
        table.loading = True
        self._close_passages()
        self._build(self.request())

    @work(thread=True, exclusive=True, group="report")
    def _build(self, request: ReportRequest) -> None:
        run_in_worker(
            self, lambda project: build_view(project, request), self.ReportBuilt, self.ReportFailed
        )

    def on_reports_screen_report_built(self, event: ReportBuilt) -> None:
        if event.built.request != self.request():
            return  # the researcher chose another report meanwhile
        self.built = event.built
        self._fill(event.built)

    def on_reports_screen_report_failed(self, event: ReportFailed) -> None:
        self.notify(event.error, severity="error", markup=False)
        if event.passages:
            self.query_one("#passages", OptionList).loading = False
            self._close_passages()
            self.query_one(DataTable).focus()
            return
        # no report rather than the previous one under the new report's tab
        self.built = None
        table = self.query_one(DataTable)
        table.loading = False
        table.clear(columns=True)
        self.query_one("#report-title", Static).update(event.error)
        self._show_detail()

    def _fill(self, built: BuiltReport, *, keep_cursor: bool = False) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        table.loading = False
        if self._refocus:
            table.focus()
            self._refocus = False
        scale = HeatScale(self.app.get_css_variables())
        maxima = self._draw(table, built, scale)
        title = Text.assemble((built.table.title, "bold"))
        if built.request.coders:
            title.append(f"  ·  coder {built.request.coders[0]}")
        title.append(f"  ·  {len(built.rows)} rows")
        for group, maximum in maxima.items():
            if maximum:
                title.append(f"  ·  {group}: ")
                title.append_text(scale.legend(maximum))
        self.query_one("#report-title", Static).update(title)
        saved_kind, row, column = self.settings.cursor
        if keep_cursor:
            row, column = cursor.row, cursor.column
        elif saved_kind != _layout(built.request):
            # the first cell that opens passages (the heat map's corner is a diagonal)
            first = built.cells[0] if built.cells else []
            row, column = 0, next((j for j, c in enumerate(first) if c and j), 0)
        if built.rows:
            table.move_cursor(
                row=min(row, len(built.rows) - 1),
                column=min(column, len(built.headers) - 1),
                animate=False,
            )
        self._show_detail()

    def _draw(self, table: DataTable, built: BuiltReport, scale: HeatScale) -> dict[str, int]:
        """Put the report's rows in the table, heat-map columns coloured on their scale;
        return each scale's maximum."""
        table.clear(columns=True)
        table.cell_padding = 0 if built.heat else 1
        maxima: dict[str, int] = {}
        for j, group in built.heat.items():
            column = [v for row in built.rows if isinstance(v := row[j], int)]
            maxima[group] = max([maxima.get(group, 0), *column])
        # widths set here, not measured by the table when idle: the same layout every time
        widths = [
            max([cell_len(str(built.headers[j])), *(cell_len(str(row[j])) for row in built.rows)])
            + (2 if j in built.heat or (j == 0 and built.heat) else 0)
            for j in range(len(built.headers))
        ]
        for j, header in enumerate(built.headers):
            numeric = j in built.heat or any(isinstance(row[j], int | float) for row in built.rows)
            label = f" {header:>{widths[j] - 2}} " if j in built.heat else header
            table.add_column(
                Text(label, justify="right" if numeric else "left"), key=str(j), width=widths[j]
            )
        for row in built.rows:
            shown = []
            for j, value in enumerate(row):
                if j in built.heat:
                    if value is None:  # the heat map's diagonal
                        shown.append(Text(f" {'·':>{widths[j] - 2}} ", style="dim"))
                    else:
                        shown.append(scale.cell(value, maxima[built.heat[j]], widths[j]))
                elif isinstance(value, int | float):
                    shown.append(Text(str(value), justify="right"))
                elif j == 0 and built.heat:
                    shown.append(Text(f" {value} ", style="bold"))
                else:
                    shown.append(Text(str(value)))
            table.add_row(*shown)
        return maxima

    # -- choosing -------------------------------------------------------------------------

    def action_show_report(self, kind: str) -> None:
        self.query_one(Tabs).active = kind

    @on(Tabs.TabActivated, "#report-kinds")
    def kind_chosen(self, event: Tabs.TabActivated) -> None:
        kind = event.tab.id or "frequencies"
        if kind == self.settings.kind:
            return  # the tab shown from the start: on_mount builds it
        self.settings.kind = kind
        self._update_options()
        self.build()

    def action_choose(self, selector: str) -> None:
        select = self.query_one(selector, Select)
        select.focus()
        select.action_show_overlay()

    @on(Select.Changed)
    def option_chosen(self, event: Select.Changed) -> None:
        name = {"report-by": "by", "report-coder": "coder", "report-code": "code"}.get(
            event.select.id or ""
        )
        if name is None or event.value == getattr(self.settings, name):
            return
        setattr(self.settings, name, event.value)
        self._refocus = True  # back to the table once the report is shown
        self.build()

    def action_toggle_heat(self) -> None:
        self.settings.heat = not self.settings.heat
        self.build()

    # -- cells and passages ---------------------------------------------------------------

    def _cell_at(self, coordinate: Coordinate) -> Cell | None:
        if self.built is None or coordinate.row >= len(self.built.cells):
            return None
        row = self.built.cells[coordinate.row]
        return row[coordinate.column] if coordinate.column < len(row) else None

    @on(DataTable.CellHighlighted, "#report-table")
    def cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.built is not None:
            coordinate = event.coordinate
            self.settings.cursor = (_layout(self.built.request), coordinate.row, coordinate.column)
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#report-detail", Static)
        if self.built is None:
            detail.update("")
            return
        coordinate = self.query_one(DataTable).cursor_coordinate
        cell = self._cell_at(coordinate)
        text = self.built.details.get((coordinate.row, coordinate.column))
        if text is None:
            text = cell.label if cell is not None else ""
        detail.update(f"enter: passages  │  {text}" if cell is not None else text)

    @on(DataTable.CellSelected, "#report-table")
    def cell_chosen(self, event: DataTable.CellSelected) -> None:
        cell = self._cell_at(event.coordinate)
        if cell is None or self.built is None:
            self.app.bell()
            return
        self.query_one("#passages-pane").add_class("-open")
        self.query_one("#passages-title", Static).update(f"{cell.label}: listing passages…")
        self.query_one("#passages", OptionList).loading = True
        self._drill(cell, self.built.request)

    @work(thread=True, exclusive=True, group="passages")
    def _drill(self, cell: Cell, request: ReportRequest) -> None:
        run_in_worker(
            self,
            lambda project: passages_of(project, cell, by=request.by, coders=request.coders),
            lambda found: self.PassagesFound(cell, found),
            lambda error: self.ReportFailed(error, passages=True),
        )

    def on_reports_screen_passages_found(self, event: PassagesFound) -> None:
        self.passages = event.found
        options = self.query_one("#passages", OptionList)
        options.loading = False
        options.clear_options()
        shown: list[Option | None] = []
        for i, p in enumerate(event.found):
            text = " ".join(p.text.split())
            if len(text) > PASSAGE_CHARS:
                text = text[: PASSAGE_CHARS - 1] + "…"
            codes = p.code_id + (f" × {p.other_code}" if p.other_code else "")
            prompt = Text.assemble(
                (p.document, "bold"), " ", (p.attribution, "italic"), "  ", (codes, "dim"), "\n"
            )
            prompt.append(text)
            shown += [None, Option(prompt, id=str(i))] if i else [Option(prompt, id=str(i))]
        options.add_options(shown)  # None: a separator line between passages
        count = len(event.found)
        self.query_one("#passages-title", Static).update(
            f"{event.cell.label}: {count} passage{'s' if count != 1 else ''}"
            "  ·  enter: go there  ·  esc: back"
        )
        if count:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#passages")
    def passage_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.passages[int(event.option.id or 0)])

    def _close_passages(self) -> bool:
        pane = self.query_one("#passages-pane")
        if not pane.has_class("-open"):
            return False
        pane.remove_class("-open")
        self.query_one("#passages", OptionList).clear_options()
        self.passages = []
        return True

    def action_back(self) -> None:
        """Close the passages, or (from the table) return to the workspace."""
        if self.focused is not None and isinstance(self.focused, Select):
            self.query_one(DataTable).focus()
            return
        if self._close_passages():
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

    # -- export -----------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.built is None:
            self.app.bell()
            return
        built = self.built
        formats = [f for f in writers.FORMATS if f != "table"]
        project_path = self.app.project.path
        default = project_path.with_name(f"{project_path.stem}-{built.request.kind}.csv")

        def validate(values: dict[str, str]) -> str | None:
            if values["format"].strip().lower() not in formats:
                return f"The format is one of: {', '.join(formats)}"
            return None

        def chosen(values: dict[str, str] | None) -> None:
            if values is None:
                return
            fmt = values["format"].strip().lower()
            path = Path(values["path"].strip()).expanduser()
            if path == default or not path.suffix:
                path = path.with_suffix(f".{fmt}")
            if not path.is_absolute():
                path = project_path.parent / path
            self.export(built.table, fmt, path)

        self.app.push_screen(
            FormDialog(
                f"Export: {built.table.title}",
                [
                    FormField("format", f"Format ({', '.join(formats)})", "csv", required=True),
                    FormField("path", "File", str(default), required=True),
                ],
                validate=validate,
                submit="Export",
            ),
            chosen,
        )

    def export(self, table: writers.ReportTable, fmt: str, path: Path) -> None:
        """Write `table` as `fmt` to `path` and say where it went."""
        try:
            if fmt == "xlsx":
                writers.write_xlsx(table, str(path))
            else:
                path.write_text(writers.render(table, fmt), encoding="utf-8")
        except (FrisatError, OSError) as exc:
            self.notify(str(exc), title="The report was not saved", severity="error", markup=False)
            return
        self.notify(f"saved {path}", markup=False)
