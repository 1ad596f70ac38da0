"""AgreementScreen: inter-coder agreement and the walk through disagreements (A from the
workspace).

Choose the coder pair (p) and the units (u: all segments, coded segments only,
characters); the per-code figures and the overall line are computed in a thread worker
(`agreement.agreement`), with the list of disagreements (`agreement.disagreements`)
below. The highlighted disagreement shows its segment once per coder, with that coder's
codings of the code marked, so who has what is plain. 1 keeps A's coding, 2 B's, 3 both,
4 or m opens a memo to discuss it; each decision is committed at once (one undoable
action) and its row updated, and the walk moves on to the next unresolved one (n jumps
there too). ctrl+z and ctrl+y (or U) undo and redo the coder's last action through the
journal, as in the workspace, then recompute and highlight the disagreement it decided. a
adopts what the pair agrees on (`agreement.adopt_agreements`, all codes, A's codings
copied) into the consensus coder in a thread worker, then recomputes. Enter on a
disagreement opens its segment in the workspace; enter on a code's row lists only
that code's disagreements (on the overall row, all again).

Below NARROW columns (80x24 terminals) the screen says less so that all of it is seen:
shorter titles, the table without the label column, the list above the detail, one line
per disagreement, a compact footer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Select, Static
from textual.widgets.option_list import Option

from frisat_qual.agreement import (
    VARIANT_TITLES,
    VARIANTS,
    AdoptReport,
    AgreementReport,
    Disagreement,
    adopt_agreements,
    agreement,
    coder_pairs,
    default_pair,
    disagreements,
    resolve,
)
from frisat_qual.agreement.report import CodeFigures, Overall
from frisat_qual.agreement.resolution import memo_note
from frisat_qual.errors import FrisatError
from frisat_qual.store.journal import Action, redo, undo
from frisat_qual.store.project import Project
from frisat_qual.tui.background import run_in_worker
from frisat_qual.tui.screens.dialogs import FormDialog, FormField

NO_PAIR = "Agreement needs two coders who coded the same documents."
#: Below this width the screen is laid out narrow (the `-narrow` class, app.tcss).
NARROW = 100
#: The unit rules in brief, under the title (the CLI and the package docstring say it all);
#: the second of each pair for narrow screens.
SHORT_RULES = {
    "segments": (
        "unit: segment · a code counts where a coding of it covers half the segment"
        " or half the coding",
        "unit: segment · a code counts where a coding covers ½ segment or ½ coding",
    ),
    "characters": (
        "unit: non-whitespace character · a code counts where a coding of it covers the character",
        "unit: non-whitespace character · a code counts where a coding covers it",
    ),
}
#: The decision keys share one footer entry; the help screen lists each.
DECIDE = Binding.Group("Decide", compact=True)


@dataclass
class AgreementSettings:
    """What the agreement screen showed last; the workspace keeps it, so the walk resumes
    where the researcher left it. `code` limits the list to one code ("" for all);
    `current` is the highlighted disagreement's id."""

    pair: tuple[str, str] | None = None
    variant: str = "segments"
    code: str = ""
    current: str = ""


@dataclass(frozen=True)
class AgreementTarget:
    """A disagreement's segment to open in the workspace."""

    document_id: int
    segment_id: int


@dataclass
class AgreementView:
    pair: tuple[str, str]
    report: AgreementReport
    items: list[Disagreement]


def compute_view(project: Project, pair: tuple[str, str]) -> AgreementView:
    """The report and the disagreements of a pair (no widgets: runs in a worker)."""
    return AgreementView(pair, agreement(project, pair), disagreements(project, pair))


def _number(value: float | None, digits: int) -> Text:
    return Text("–" if value is None else f"{value:.{digits}f}", justify="right")


def _figures_row(name: object, figures: CodeFigures | Overall, label: str) -> tuple[object, ...]:
    """A line of the agreement table: A only, B only, both, percent, kappa, alpha."""
    return (
        name,
        _count(int(figures.counts.only[0])),
        _count(int(figures.counts.only[1])),
        _count(figures.counts.all_yes),
        _number(figures.percent, 1),
        _number(figures.kappa, 3),
        _number(figures.alpha, 3),
        label,
    )


def _count(value: int) -> Text:
    return Text(str(value), justify="right")


class AgreementScreen(Screen[AgreementTarget | None]):
    """Agreement of a coder pair and its disagreements; dismisses with a segment to open
    in the workspace, or None."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=True),
        Binding("1", "resolve('keep-a')", "Keep A", show=True, group=DECIDE),
        Binding("2", "resolve('keep-b')", "Keep B", show=True, group=DECIDE),
        Binding("3", "resolve('keep-both')", "Keep both", show=True, group=DECIDE),
        Binding("4,m", "discuss", "Discuss…", show=True, group=DECIDE),
        Binding("n", "next_unresolved", "Next unresolved", show=True),
        Binding("a", "adopt", "Adopt agreed", show=True),
        Binding("p", "choose_pair", "Coders", show=True),
        Binding("u", "next_variant", "Units", show=True),
        Binding("ctrl+z", "undo", "Undo", show=True),
        Binding("ctrl+y,U", "redo", "Redo", show=False),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]
    #: few rows: the table gets fewer, the walk more (app.tcss)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    class Computed(Message):
        """The report and disagreements of a pair were computed in the background."""

        def __init__(self, view: AgreementView) -> None:
            super().__init__()
            self.view = view

    class Failed(Message):
        """Computing them failed with an error for the researcher."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class Adopted(Message):
        """What the coders agree on was adopted into the consensus coder."""

        def __init__(self, report: AdoptReport) -> None:
            super().__init__()
            self.report = report

    class AdoptFailed(Message):
        """Adopting failed with an error for the researcher."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, settings: AgreementSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or AgreementSettings()
        self.adopting = False  # an adoption is running: a second press waits for it
        self.view: AgreementView | None = None
        self.items: list[Disagreement] = []
        self.shown: list[int] = []  # indexes into items, in list order
        self.row_codes: list[str] = []  # the table's rows: a code, or "" (overall, mean)
        self._refocus = True  # give the list the focus back once computed
        self._narrow: bool | None = None  # the layout the texts were last made for
        self._note = ""  # what the last decision was, under the list's title
        self._stepped: Action | None = None  # undone or redone: its disagreement to highlight

    @property
    def narrow(self) -> bool:
        return self.size.width < NARROW

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        project = self.app.project
        pairs = [(a, b, n) for a, b, n in coder_pairs(project) if n]
        settings = self.settings

        def listed(pair: tuple[str, str] | None) -> bool:
            return pair is not None and any({a, b} == set(pair) for a, b, _ in pairs)

        if not listed(settings.pair):
            settings.pair = default_pair(project, self.app.coder)
        if not listed(settings.pair):
            settings.pair = None
        if settings.variant not in VARIANTS:
            settings.variant = "segments"
        choices = []
        for a, b, n in pairs:
            if settings.pair is not None and {a, b} == set(settings.pair):
                a, b = settings.pair
            choices.append((f"{a} × {b}  ({n} shared documents)", f"{a}\t{b}"))
        with Horizontal(id="agreement-options"):
            yield Select(
                choices or [("no two coders", "")],
                value="\t".join(settings.pair) if settings.pair else "",
                allow_blank=False,
                compact=True,
                id="agreement-pair",
            )
            yield Select(
                [(f"units: {VARIANT_TITLES[v]}", v) for v in VARIANTS],
                value=settings.variant,
                allow_blank=False,
                compact=True,
                id="agreement-units",
            )
        yield Static("", id="agreement-title", markup=False)
        yield DataTable(id="agreement-table", cursor_type="row", cell_padding=1)
        yield Static("", id="disagreements-title", markup=False)
        with Horizontal(id="agreement-walk"):
            yield OptionList(id="disagreements")
            with VerticalScroll(id="disagreement-pane"):
                yield Static("", id="disagreement-detail", markup=False)
        yield Footer()

    def on_resize(self) -> None:
        """Across NARROW the texts change with the layout (the classes change on their
        own, HORIZONTAL_BREAKPOINTS)."""
        if self.narrow == self._narrow:
            return
        self._narrow = self.narrow
        footer = self.query_one(Footer)
        footer.compact = self.narrow
        footer.show_command_palette = not self.narrow  # ctrl+p still opens it
        if self.view is not None:
            note = self._note
            self._fill_table()
            self._fill_list()
            self._update_list_title(note)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.settings.pair is None:
            self.query_one("#agreement-title", Static).update(NO_PAIR)
            return
        self.compute()

    # -- computing ------------------------------------------------------------------------

    def compute(self) -> None:
        if self.settings.pair is None:
            return
        # a loading widget gives up the focus (to the first focusable, a Select): take it
        # back for the list when the figures are shown, unless a Select was in use
        self._refocus = self._refocus or not isinstance(self.focused, Select)
        self.query_one(DataTable).loading = True
        self.query_one(OptionList).loading = True
        self._compute(self.settings.pair)

    @work(thread=True, exclusive=True, group="agreement")
    def _compute(self, pair: tuple[str, str]) -> None:
        run_in_worker(self, lambda project: compute_view(project, pair), self.Computed, self.Failed)

    def on_agreement_screen_computed(self, event: Computed) -> None:
        if event.view.pair != self.settings.pair:
            return  # another pair was chosen meanwhile
        self.view = event.view
        self.items = list(event.view.items)
        self.query_one(DataTable).loading = False
        options = self.query_one(OptionList)
        options.loading = False
        if self._stepped is not None:
            label, self._stepped = self._stepped.label, None
            # a decision's action is labelled "resolve <id> (<decision>)" (resolve())
            decided = next((d for d in self.items if label.startswith(f"resolve {d.id} (")), None)
            if decided is not None:
                self.settings.current = decided.id
        self._fill_table()
        self._fill_list()
        if self._refocus:
            options.focus()
            self._refocus = False

    def on_agreement_screen_failed(self, event: Failed) -> None:
        self.notify(event.error, severity="error", markup=False)
        self.view = None
        self.items = []
        table = self.query_one(DataTable)
        table.loading = False
        table.clear(columns=True)
        self.query_one(OptionList).loading = False
        self.query_one(OptionList).clear_options()
        self.query_one("#agreement-title", Static).update(event.error)
        self.query_one("#disagreements-title", Static).update("")
        self._show_detail()

    # -- the figures ----------------------------------------------------------------------

    def _fill_table(self) -> None:
        if self.view is None:
            return
        report = self.view.report
        a, b = report.coders
        narrow = self.narrow
        variant = report.variant(self.settings.variant)
        skipped = ""
        if report.skipped:
            by_one = "" if narrow else " coded by one only,"
            skipped = f" ({len(report.skipped)}{by_one} skipped)"
        if self.settings.variant == "characters":
            units = f"{variant.units} characters"
        elif self.settings.variant == "coded_only":
            left_out = "uncoded" if narrow else "nobody coded"
            units = f"{variant.units} coded segments ({variant.dropped} {left_out} left out)"
        else:
            units = f"{variant.units} segments"
        compared = "" if narrow else " compared"
        title = Text(
            f"A = {a}, B = {b} · {len(report.documents)} documents{compared}{skipped} · {units}\n"
        )
        rules = SHORT_RULES["characters" if self.settings.variant == "characters" else "segments"]
        title.append(rules[narrow], style="dim")
        self.query_one("#agreement-title", Static).update(title)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        # narrow: the roles for the coders' names (the title says who is who), no labels
        columns = ["code", f"{a} only", f"{b} only", "both", "%", "kappa", "alpha", "label"]
        if narrow:
            columns = ["code", "A only", "B only", *columns[3:7]]
        for label in columns:
            table.add_column(label)
        # the overall lines first, so they are in view however many codes follow
        o = variant.overall
        rows: list[tuple[object, ...]] = [
            _figures_row(Text("overall", style="bold"), o, "pooled over codes"),
            (
                Text("mean", style="bold"),
                "",
                "",
                "",
                "",
                _number(o.mean_kappa, 3),
                "",
                f"mean of {o.mean_kappa_codes} codes' kappas",
            ),
        ]
        self.row_codes = ["", ""]
        for f in variant.per_code:
            rows.append(_figures_row(f.code, f, f.label))
            self.row_codes.append(f.code)
        for row in rows:
            table.add_row(*row[: len(columns)])
        if self.settings.code in self.row_codes:
            table.move_cursor(row=self.row_codes.index(self.settings.code), animate=False)

    # -- the disagreements ----------------------------------------------------------------

    def _prompt(self, item: Disagreement) -> Text:
        """Two lines: where, what and who (A or B) has it, the decision; the text (narrow:
        one line, the list is above the detail and as wide as the screen)."""
        mark, style = ("✓", "green") if item.resolution else ("•", "yellow")
        role = "A" if item.has[0] == item.coders[0] else "B"
        line = Text.assemble(
            (f"{mark} ", style),
            (item.document, "bold"),
            f" {item.segment}  ",
            (item.code, "italic"),
            f"  {role} only",
        )
        if item.resolution is not None:
            decision = item.resolution.decision
            short = {"keep-a": "keep A", "keep-b": "keep B", "keep-both": "keep both"}
            line.append(f"  [{short.get(decision, decision)}]", style="bold")
        if self.narrow:
            width = max(self.size.width - 6 - line.cell_len, 10)
            sep = "  "
        else:
            width = max(self.size.width // 2 - 8, 20)  # the list has half the screen
            sep = "\n   "
        text = " ".join(item.text.split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        line.append(f"{sep}{text}", style="dim")
        return line

    def _fill_list(self) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        code = self.settings.code
        self.shown = [i for i, d in enumerate(self.items) if not code or d.code == code]
        options.add_options([Option(self._prompt(self.items[i]), id=str(i)) for i in self.shown])
        current = next(
            (n for n, i in enumerate(self.shown) if self.items[i].id == self.settings.current),
            None,
        )
        if current is None:
            current = next(
                (n for n, i in enumerate(self.shown) if self.items[i].resolution is None), 0
            )
        if self.shown:
            options.highlighted = current
        self._update_list_title("")
        self._show_detail()

    def _update_list_title(self, note: str | None = None) -> None:
        """The list's counts and keys, and on a line of its own the note on the last
        decision (None: the one there, "": none)."""
        if note is not None:
            self._note = note
        shown = [self.items[i] for i in self.shown]
        resolved = sum(1 for d in shown if d.resolution)
        which = f"code {self.settings.code}" if self.settings.code else "all codes"
        keys = (
            " · 1 A  2 B  3 both  4 discuss"
            if self.narrow
            else " · 1 keep A  2 keep B  3 keep both  4 discuss · enter: open in the workspace"
        )
        text = Text(f"Disagreements ({which}): {len(shown)}, {resolved} resolved{keys}")
        if self._note:
            text.append(f"\n{self._note}", style="not bold")
        self.query_one("#disagreements-title", Static).update(text)

    def current_item(self) -> Disagreement | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.shown:
            return None
        return self.items[self.shown[options.highlighted]]

    @on(OptionList.OptionHighlighted, "#disagreements")
    def item_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        item = self.current_item()
        if item is not None:
            self.settings.current = item.id
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#disagreement-detail", Static)
        item = self.current_item()
        if item is None:
            detail.update("No disagreement to show." if self.view is not None else "")
            return
        narrow = self.narrow  # no empty lines, so that both coders' sides are in view
        if narrow:
            out = Text.assemble(
                (f"{item.document}", "bold"),
                f" {item.segment}  ",
                (item.code, "bold italic"),
                f"  {item.label}\n",
            )
        else:
            out = Text.assemble(
                (f"{item.document}", "bold"),
                f"  segment {item.segment}  ({item.start}–{item.end})\n",
                (item.code, "bold italic"),
                f"  {item.label}\n\n",
            )
        for role, coder in zip("AB", item.coders, strict=True):
            marks = [m for m in item.codings if m.coder == coder]
            counted = [m for m in marks if m.counts]
            verdict = "coded it here" if counted else "did not code it here"
            out.append(f"{role} = {coder}: {verdict}\n", style="bold")
            for m in marks:
                note = "counts" if m.counts else "does not count (too little overlap)"
                out.append(f"  coding {m.id}, {m.start}–{m.end}: {note}\n", style="dim")
            out.append_text(self._marked(item, coder))
            out.append("\n" if narrow else "\n\n")
        if item.resolution is not None:
            r = item.resolution
            out.append(f"Decision: {r.describe()}", style="bold")
            out.append(f" by {r.resolved_by}, {r.created[:16].replace('T', ' ')}\n")
            if r.codings:
                out.append(f"{r.consensus}: coding {', '.join(map(str, r.codings))}\n")
            if r.memo:
                out.append(f"Memo: {memo_note(r.memo)}\n")
        detail.update(out)

    @staticmethod
    def _marked(item: Disagreement, coder: str) -> Text:
        """The segment's text with the coder's codings of the code highlighted."""
        text = Text(item.text)
        for m in item.codings:
            if m.coder != coder:
                continue
            start = max(m.start, item.start) - item.start
            end = min(m.end, item.end) - item.start
            text.stylize("reverse" if m.counts else "underline", start, end)
        return text

    # -- resolving ------------------------------------------------------------------------

    def action_resolve(self, decision: str, memo: str | None = None) -> None:
        item = self.current_item()
        if item is None:
            self.app.bell()
            return
        try:
            updated = resolve(
                self.app.project, item, decision, resolved_by=self.app.coder, memo=memo
            )
        except FrisatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        options = self.query_one(OptionList)
        position = options.highlighted or 0
        self.items[self.shown[position]] = updated
        options.replace_option_prompt_at_index(position, self._prompt(updated))
        self._update_list_title(
            f"{updated.document} {updated.segment} {updated.code}: {updated.resolution.describe()}"
        )
        if updated.resolution.other:  # a hand-made consensus coding the decision leaves
            ids = ", ".join(str(i) for i in updated.resolution.other)
            self.notify(
                f"{updated.resolution.consensus} also has coding {ids} of {updated.code} here,"
                " which no decision made; it stays (x in the workspace removes it)",
                severity="warning",
                markup=False,
            )
        self._next_unresolved(position, stay=True)
        self._show_detail()

    def action_undo(self) -> None:
        self._step(undo, "undid", "nothing to undo")

    def action_redo(self) -> None:
        self._step(redo, "redid", "nothing to redo")

    def _step(self, step: Callable[[Project, str], Action | None], done: str, nothing: str) -> None:
        """Undo or redo the coder's last action (the workspace's journal), then recompute:
        it may be a decision, an adoption or any coding, which all move what is shown."""
        if self.adopting:  # the adoption writes on its own connection meanwhile
            self.notify("wait until the adoption is done", severity="warning", timeout=2)
            return
        try:
            action = step(self.app.project, self.app.coder)
        except FrisatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if action is None:
            self.notify(nothing, timeout=2)
            return
        self.notify(f"{done}: {action.label}", timeout=3, markup=False)
        self._stepped = action
        self.compute()

    def action_adopt(self) -> None:
        """Adopt the pair's agreements into the consensus coder, in the background."""
        pair = self.settings.pair
        if pair is None or self.view is None or self.adopting:
            self.app.bell()
            return
        self.adopting = True
        self._adopt(pair, self.app.coder)

    @work(thread=True, exclusive=True, group="adopt")
    def _adopt(self, pair: tuple[str, str], coder: str) -> None:
        run_in_worker(
            self,
            lambda project: adopt_agreements(project, pair, resolved_by=coder),
            self.Adopted,
            self.AdoptFailed,
        )

    def on_agreement_screen_adopted(self, event: Adopted) -> None:
        self.adopting = False
        self.notify(event.report.describe(), title="Adopted agreed codings", markup=False)
        self.compute()

    def on_agreement_screen_adopt_failed(self, event: AdoptFailed) -> None:
        self.adopting = False
        self.notify(event.error, severity="error", markup=False)

    def action_discuss(self) -> None:
        item = self.current_item()
        if item is None:
            self.app.bell()
            return
        current = (
            memo_note(item.resolution.memo) if item.resolution and item.resolution.memo else ""
        )

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self.action_resolve("discuss", values["text"])

        self.app.push_screen(
            FormDialog(
                f"Discuss {item.id}: {item.summary()}",
                [
                    FormField(
                        "text", "What to discuss (memo)", current, multiline=True, required=True
                    )
                ],
            ),
            save,
        )

    def _next_unresolved(self, position: int, *, stay: bool = False) -> bool:
        """Highlight the first unresolved disagreement after `position` (wrapping);
        False when there is none."""
        count = len(self.shown)
        for step in range(1, count + 1):
            n = (position + step) % count
            if self.items[self.shown[n]].resolution is None:
                self.query_one(OptionList).highlighted = n
                return True
        if not stay:
            self.notify("every disagreement in the list is resolved", timeout=2)
        return False

    def action_next_unresolved(self) -> None:
        if not self.shown:
            self.app.bell()
            return
        self._next_unresolved(self.query_one(OptionList).highlighted or 0)

    @on(OptionList.OptionSelected, "#disagreements")
    def item_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[int(event.option.id or 0)]
        self.dismiss(AgreementTarget(item.document_id, item.segment_id))

    # -- choosing -------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#agreement-table")
    def code_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a code's row lists its disagreements; on the overall rows, all."""
        row = event.cursor_row
        code = self.row_codes[row] if 0 <= row < len(self.row_codes) else ""
        self.settings.code = "" if code == self.settings.code else code
        self._fill_list()
        self.query_one(OptionList).focus()

    def action_choose_pair(self) -> None:
        select = self.query_one("#agreement-pair", Select)
        select.focus()
        select.action_show_overlay()

    def action_next_variant(self) -> None:
        index = VARIANTS.index(self.settings.variant)
        self.query_one("#agreement-units", Select).value = VARIANTS[(index + 1) % len(VARIANTS)]

    @on(Select.Changed, "#agreement-pair")
    def pair_chosen(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or "\t" not in event.value:
            return
        a, b = event.value.split("\t")
        if (a, b) == self.settings.pair:
            return
        self.settings.pair = (a, b)
        self.settings.code = ""
        self.settings.current = ""
        self._refocus = True  # back to the list once the pair's figures are shown
        self.compute()

    @on(Select.Changed, "#agreement-units")
    def units_chosen(self, event: Select.Changed) -> None:
        if event.value in VARIANTS and event.value != self.settings.variant:
            self.settings.variant = str(event.value)
            self._fill_table()

    def action_back(self) -> None:
        if isinstance(self.focused, Select):
            self.query_one(OptionList).focus()
            return
        self.dismiss(None)
