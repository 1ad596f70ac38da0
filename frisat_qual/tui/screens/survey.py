"""SurveyScreen: the survey of leaders beside the coded interviews (v from the workspace).

Choose a spor (keys 1-5 or the tabs), what to group by and which group to show; the
respondents of the latest wave are plotted in the quadrants of importance (x) and
implementation (y), in the absolute or (r) the relative reading. The arrows move between
respondents; the side pane shows the selected one's indicators, quadrants, comments and
the coded passages of the spor in the comment documents and the linked interviews, and
enter on one opens it in the workspace. j switches to the joint display (spor x group,
survey beside codings; enter lists a row's quotes), s selects cases to follow up with the
strategies of `survey.analysis.select_cases`; enter on a pick selects it in the plot.

Everything shown comes from the core (`survey.analysis`, `survey.link`,
`survey.respondents`); the project is read in thread workers on their own connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    ContentSwitcher,
    DataTable,
    Footer,
    OptionList,
    Select,
    Static,
    Tab,
    Tabs,
)
from textual.widgets.option_list import Option

from frisat_qual.errors import FrisatError
from frisat_qual.models import CORE_ATTRIBUTES, Respondent
from frisat_qual.store.project import Project
from frisat_qual.store.survey import latest_wave, list_respondents
from frisat_qual.survey import QUADRANTS, SPOR, SPOR_TITLES
from frisat_qual.survey.analysis import (
    STRATEGIES,
    CaseSelection,
    Pick,
    Point,
    group_of,
    points,
    select_cases,
)
from frisat_qual.survey.link import JointRow, joint_display
from frisat_qual.survey.respondents import RespondentDetail, indicator_answers, respondent_detail
from frisat_qual.tui.background import run_in_worker
from frisat_qual.tui.screens.dialogs import FormDialog, FormField
from frisat_qual.tui.widgets.quadrant_plot import QuadrantPlot

NO_SURVEY = "No survey in this project: frisat-qual survey import PROJECT FILE"
#: What the respondents can be grouped by ("" for no grouping).
GROUPINGS = ("", "omraade", "kommune", "rolle")
VIEWS = ("survey-scatter", "survey-joint")
#: Characters of a comment or passage shown in the side pane.
TEXT_CHARS = 400
#: Quadrant names short enough for the joint display's table (the detail line has the
#: full name).
SHORT_QUADRANTS = {
    "lav_prioritet": "Lav prioritet",
    "over_implementering": "Over-impl.",
    "fortsaet": "Fortsæt",
    "fokus": "Fokus",
}


@dataclass
class SurveySettings:
    """What the survey screen showed last; the workspace keeps it, so the screen opens
    again where the researcher left it. Empty `by` means no grouping, empty `group` all
    groups; `respondent` is the selected Respondent.id."""

    spor: str = SPOR[0]
    by: str = "omraade"
    group: str = ""
    relative: bool = False
    view: str = VIEWS[0]
    respondent: int | None = None


@dataclass(frozen=True)
class SurveyTarget:
    """A place to open in the workspace: a document, with a span to select (a coded
    passage) or without (a whole comment)."""

    document_id: int
    span: tuple[int, int] | None = None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _clip(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _mean(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


class SurveyScreen(Screen[SurveyTarget | None]):
    """The survey of the open project; dismisses with a place to open, or None."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=True),
        *[
            Binding(str(n), f"show_spor('{spor}')", f"Spor: {spor}", show=False)
            for n, spor in enumerate(SPOR, 1)
        ],
        Binding("b", "choose('#survey-by')", "Group by", show=True),
        Binding("g", "choose('#survey-group')", "Group", show=True),
        Binding("r", "toggle_relative", "Absolute/relative", show=True),
        Binding("j", "toggle_view", "Scatter/joint display", show=True),
        Binding("s", "select_cases", "Select cases", show=True),
    ]

    class SurveyLoaded(Message):
        """The latest wave's respondents were read in the background (none: no survey)."""

        def __init__(self, wave: str, respondents: list[Respondent]) -> None:
            super().__init__()
            self.wave = wave
            self.respondents = respondents

    class SurveyFailed(Message):
        """Reading the survey or building a view failed with an error for the researcher."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class DetailLoaded(Message):
        """A respondent's comments and passages were listed in the background."""

        def __init__(self, detail: RespondentDetail) -> None:
            super().__init__()
            self.detail = detail

    class JointBuilt(Message):
        """The joint display for grouping `by` was built in the background."""

        def __init__(self, by: str, rows: list[JointRow]) -> None:
            super().__init__()
            self.by = by
            self.rows = rows

    def __init__(self, settings: SurveySettings | None = None) -> None:
        super().__init__()
        self.settings = settings or SurveySettings()
        self.respondents: list[Respondent] | None = None  # None until loaded
        self.wave = ""
        self.group_names: list[str] = []
        self.points: list[Point] = []
        self.detail: RespondentDetail | None = None
        self.targets: dict[str, SurveyTarget] = {}  # side-pane option id -> where it goes
        self.picks: CaseSelection | None = None
        self.joint: tuple[str, list[JointRow]] | None = None  # (by, rows)
        self.joint_rows: list[JointRow] = []  # the rows shown (the group filter applied)

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        settings = self.settings
        if settings.spor not in SPOR:
            settings.spor = SPOR[0]
        if settings.by not in GROUPINGS:
            settings.by = ""
        if settings.view not in VIEWS:
            settings.view = VIEWS[0]
        yield Tabs(
            *(Tab(f"{n} {spor}", id=spor) for n, spor in enumerate(SPOR, 1)),
            active=settings.spor,
            id="survey-spor",
        )
        with Horizontal(id="survey-options"):
            yield Select(
                [(f"by {a}" if a else "no grouping", a) for a in GROUPINGS],
                value=settings.by,
                allow_blank=False,
                compact=True,
                id="survey-by",
            )
            yield Select(
                [("all groups", "")],
                value="",
                allow_blank=False,
                compact=True,
                id="survey-group",
            )
        yield Static("reading the survey…", id="survey-title", markup=False)
        with ContentSwitcher(initial=settings.view, id="survey-views"):
            with Horizontal(id="survey-scatter"):
                with Vertical(id="survey-left"):
                    yield QuadrantPlot(id="quadrant-plot")
                    with Vertical(id="picks-pane"):
                        yield Static("", id="picks-title", markup=False)
                        yield OptionList(id="picks")
                with Vertical(id="respondent-pane"):
                    yield Static("", id="respondent-info", markup=False)
                    yield OptionList(id="respondent-texts")
            with Vertical(id="survey-joint"):
                yield DataTable(id="joint-table", cursor_type="row", cell_padding=1)
                yield Static("", id="joint-detail", markup=False)
                with Vertical(id="quotes-pane"):
                    yield Static("", id="quotes-title", markup=False)
                    yield OptionList(id="joint-quotes")
        yield Footer()

    def on_mount(self) -> None:
        plot = self.query_one(QuadrantPlot)
        plot.show([], message="reading the survey…")  # not `loading`: that takes the focus
        plot.focus()
        self._load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        scatter = self.settings.view == VIEWS[0]
        if action == "choose" and parameters == ("#survey-group",):
            return bool(self.settings.by)
        if action in ("toggle_relative", "select_cases"):
            return scatter
        return True

    # -- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="survey")
    def _load(self) -> None:
        def load(project: Project) -> tuple[str, list[Respondent]]:
            wave = latest_wave(project)
            return (wave.name, list_respondents(project)) if wave is not None else ("", [])

        run_in_worker(self, load, lambda found: self.SurveyLoaded(*found), self.SurveyFailed)

    def on_survey_screen_survey_loaded(self, event: SurveyLoaded) -> None:
        self.respondents = event.respondents
        self.wave = event.wave
        self._update_groups()
        self.redraw()

    def on_survey_screen_survey_failed(self, event: SurveyFailed) -> None:
        self.notify(event.error, severity="error", markup=False)
        self.query_one("#joint-table", DataTable).loading = False
        self.query_one("#survey-title", Static).update(event.error)

    @property
    def has_survey(self) -> bool:
        return bool(self.respondents)

    def _update_groups(self) -> None:
        """The group filter's choices: the groups of the chosen grouping."""
        by = self.settings.by or None
        self.group_names = sorted({group_of(r, by) for r in self.respondents or []})
        if self.settings.group not in self.group_names:
            self.settings.group = ""
        select = self.query_one("#survey-group", Select)
        select.set_options([("all groups", ""), *((g, g) for g in self.group_names)])
        select.value = self.settings.group
        select.disabled = by is None

    def shown_respondents(self) -> list[Respondent]:
        """The respondents in the chosen group (all without a group filter)."""
        settings = self.settings
        if not settings.group:
            return list(self.respondents or [])
        by = settings.by or None
        return [r for r in self.respondents or [] if group_of(r, by) == settings.group]

    def redraw(self) -> None:
        """Plot the chosen spor's points and fill whatever view is showing."""
        plot = self.query_one(QuadrantPlot)
        title = self.query_one("#survey-title", Static)
        settings = self.settings
        if self.respondents is None:
            return
        if not self.has_survey:
            plot.show([], message=NO_SURVEY)
            title.update(NO_SURVEY)
            self._show_info(None)
            if settings.view == VIEWS[1]:
                self._show_joint()
            return
        by = settings.by or None
        self.points = points(self.shown_respondents(), settings.spor, by=by)
        plot.show(
            self.points,
            relative=settings.relative,
            groups=self.group_names,
            selected=settings.respondent,
            message="" if self.points else f"no respondent has both indices of {settings.spor}",
        )
        reading = (
            "relative reading (split at the group means)"
            if settings.relative
            else ("absolute reading (split at 5.5)")
        )
        title.update(
            Text.assemble(
                (f"{settings.spor}: {SPOR_TITLES[settings.spor]}", "bold"),
                f"  ·  wave {self.wave}  ·  {_plural(len(self.points), 'respondent')}",
                f"  ·  {reading}" if settings.view == VIEWS[0] else "  ·  joint display",
                f"  ·  by {by}" if by else "",
                f"  ·  {settings.group}" if settings.group else "",
            )
        )
        if settings.view == VIEWS[1]:
            self._show_joint()

    # -- choosing -------------------------------------------------------------------------

    def action_show_spor(self, spor: str) -> None:
        self.query_one("#survey-spor", Tabs).active = spor

    @on(Tabs.TabActivated, "#survey-spor")
    def spor_chosen(self, event: Tabs.TabActivated) -> None:
        spor = event.tab.id or SPOR[0]
        if spor == self.settings.spor:
            return
        self.settings.spor = spor
        self._close_picks()
        self.redraw()
        self._joint_cursor_to_spor()

    def action_choose(self, selector: str) -> None:
        select = self.query_one(selector, Select)
        select.focus()
        select.action_show_overlay()

    @on(Select.Changed)
    def option_chosen(self, event: Select.Changed) -> None:
        if event.value != event.select.value:
            return  # a value set on the way (set_options picks the first one first)
        name = {"survey-by": "by", "survey-group": "group"}.get(event.select.id or "")
        if name is None or event.value == getattr(self.settings, name):
            return
        setattr(self.settings, name, event.value)
        if name == "by":
            self.settings.group = ""
            self._update_groups()
        self._close_picks()
        self.redraw()
        self._main_widget().focus()

    def action_toggle_relative(self) -> None:
        self.settings.relative = not self.settings.relative
        self.redraw()

    def action_toggle_view(self) -> None:
        scatter = self.settings.view == VIEWS[0]
        self.settings.view = VIEWS[1] if scatter else VIEWS[0]
        self.query_one(ContentSwitcher).current = self.settings.view
        self.refresh_bindings()
        self.redraw()
        self._main_widget().focus()

    def _main_widget(self):
        if self.settings.view == VIEWS[1]:
            return self.query_one("#joint-table", DataTable)
        return self.query_one(QuadrantPlot)

    # -- the selected respondent ----------------------------------------------------------

    @on(QuadrantPlot.SelectionChanged)
    def respondent_selected(self, event: QuadrantPlot.SelectionChanged) -> None:
        point = event.point
        if point is not None:
            self.settings.respondent = point.respondent
        self._show_info(point)
        texts = self.query_one("#respondent-texts", OptionList)
        texts.clear_options()
        self.targets = {}
        self.detail = None
        if point is None:
            return
        respondent = self._respondent(point.respondent)
        if respondent is not None:
            texts.loading = True
            self._load_detail(respondent, self.settings.spor)

    def _respondent(self, row_id: int) -> Respondent | None:
        return next((r for r in self.respondents or [] if r.id == row_id), None)

    def _show_info(self, point: Point | None) -> None:
        info = self.query_one("#respondent-info", Static)
        respondent = self._respondent(point.respondent) if point is not None else None
        if point is None or respondent is None:
            info.update("")
            return
        spor = self.settings.spor
        text = Text()
        text.append(f"{respondent.respondent_id}", "bold")
        text.append(f"  ·  wave {respondent.wave}\n")
        attributes = respondent.attributes
        names = [a for a in CORE_ATTRIBUTES if a in attributes] + sorted(
            a for a in attributes if a not in CORE_ATTRIBUTES and a != "respondent_id"
        )
        for name in names:
            text.append(f"{name}: ", "dim")
            text.append(f"{attributes[name]}\n")
        answers = indicator_answers(respondent, spor)
        text.append(f"\n{spor}\n", "bold")
        for dim, value in (("impl", point.impl), ("vigt", point.vigt)):
            items = " ".join(f"{ind} {'–' if v is None else v}" for ind, v in answers[dim].items())
            text.append(f"{dim} {value:.2f}", "bold")
            text.append(f"  ({items})\n", "dim")
        readings = [("absolute", point.quadrant_abs), ("relative", point.quadrant_rel)]
        if self.settings.relative:
            readings.reverse()
        (shown_reading, shown), (other_reading, other) = readings
        text.append(f"{shown_reading}: {QUADRANTS[shown]}\n", "bold")
        text.append(f"{other_reading}: {QUADRANTS[other]}\n", "dim")
        text.append(
            f"{point.group}: mean vigt {point.group_vigt_mean:.2f}, "
            f"impl {point.group_impl_mean:.2f}\n",
            "dim",
        )
        position = self.query_one(QuadrantPlot).drawing.positions.get(point.respondent)
        here = self.query_one(QuadrantPlot).drawing.cells.get(position, []) if position else []
        others = [p.respondent_id for p in here if p.respondent != point.respondent]
        if others:
            text.append(f"same cell: {', '.join(sorted(others))} (] steps)\n", "dim")
        info.update(text)

    @property
    def shown_quadrant(self) -> str | None:
        """The quadrant id the side pane shows for the selected respondent (the reading
        chosen)."""
        point = self.query_one(QuadrantPlot).selected_point
        if point is None:
            return None
        return point.quadrant_rel if self.settings.relative else point.quadrant_abs

    @work(thread=True, exclusive=True, group="respondent")
    def _load_detail(self, respondent: Respondent, spor: str) -> None:
        run_in_worker(
            self,
            lambda project: respondent_detail(project, respondent, spor),
            self.DetailLoaded,
            self.SurveyFailed,
        )

    def on_survey_screen_detail_loaded(self, event: DetailLoaded) -> None:
        detail = event.detail
        selected = self.query_one(QuadrantPlot).selected
        if detail.respondent.id != selected or detail.spor != self.settings.spor:
            return  # the selection moved on meanwhile
        self.detail = detail
        texts = self.query_one("#respondent-texts", OptionList)
        texts.loading = False
        texts.clear_options()
        self.targets = {}
        options: list[Option] = []

        def heading(label: str) -> None:
            options.append(Option(Text(label, style="bold"), disabled=True))

        heading("Comments" if detail.comments else "No comments")
        for i, comment in enumerate(detail.comments):
            prompt = Text.assemble((comment.spor, "bold"), "  ")
            prompt.append(_clip(comment.text))
            codes = sorted({p.code_id for p in comment.passages})
            prompt.append(
                f"\n  coded: {', '.join(codes)}" if codes else "\n  not coded yet", style="dim"
            )
            key = f"comment-{i}"
            if comment.document_id is not None:
                self.targets[key] = SurveyTarget(comment.document_id)
            options.append(Option(prompt, id=key, disabled=comment.document_id is None))
        coded = [p for c in detail.comments for p in c.passages]
        if coded:
            heading(f"Coded in the comments ({len(coded)})")
            for i, passage in enumerate(coded):
                options.append(self._passage_option(f"coded-{i}", passage))
        if detail.interviews:
            names = ", ".join(d.name for d in detail.interviews)
            heading(f"spor.{detail.spor} in the linked interviews ({len(detail.passages)})")
            options.append(Option(Text(names, style="dim"), disabled=True))
            for i, passage in enumerate(detail.passages):
                options.append(self._passage_option(f"passage-{i}", passage))
        else:
            heading("No interviews share this respondent's kommune and omraade")
        texts.add_options(options)
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        if first is not None:
            texts.highlighted = first

    def _passage_option(self, key: str, passage) -> Option:
        self.targets[key] = SurveyTarget(passage.document_id, (passage.start, passage.end))
        prompt = Text.assemble(
            (passage.document, "bold"),
            " ",
            (passage.attribution, "italic"),
            "  ",
            (passage.code_id, "dim"),
            "\n",
        )
        prompt.append(_clip(passage.text))
        return Option(prompt, id=key)

    @on(OptionList.OptionSelected, "#respondent-texts")
    def text_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self.targets.get(event.option.id or "")
        if target is not None:
            self.dismiss(target)

    # -- case selection -------------------------------------------------------------------

    def action_select_cases(self) -> None:
        if not self.points:
            self.app.bell()
            return

        def validate(values: dict[str, str]) -> str | None:
            if self._strategy(values["strategy"]) is None:
                return f"The strategy is one of: {', '.join(STRATEGIES)}"
            n = values["n"].strip()
            if not n.isdigit() or int(n) < 1:
                return "The number of cases is a whole number of at least 1"
            return None

        def chosen(values: dict[str, str] | None) -> None:
            if values is not None:
                self.show_picks(self._strategy(values["strategy"]) or "", int(values["n"]))

        by = self.settings.by
        self.app.push_screen(
            FormDialog(
                f"Select cases: {self.settings.spor}"
                + (f", per {by}" if by else ", among all respondents"),
                [
                    FormField(
                        "strategy",
                        "Strategy: typical (near the centroid), deviant (far from the"
                        " regression line), extreme (far from the mean), diverse (one per"
                        " quadrant)",
                        "typical",
                        required=True,
                    ),
                    FormField("n", "Cases per group", "3", required=True),
                ],
                validate=validate,
                submit="Select",
            ),
            chosen,
        )

    @staticmethod
    def _strategy(text: str) -> str | None:
        """A strategy by its name or the start of it."""
        text = text.strip().lower()
        found = [s for s in STRATEGIES if text and s.startswith(text)]
        return found[0] if len(found) == 1 else None

    def show_picks(self, strategy: str, n: int) -> None:
        """Select cases with `strategy` among the respondents shown and list them."""
        settings = self.settings
        try:
            picks = select_cases(
                self.shown_respondents(),
                settings.spor,
                strategy,
                by=settings.by or None,
                n=n,
            )
        except FrisatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.picks = picks
        pane = self.query_one("#picks-pane")
        pane.add_class("-open")
        options = self.query_one("#picks", OptionList)
        options.clear_options()
        shown: list[Option] = []
        for i, pick in enumerate(picks):
            prompt = Text.assemble(
                (pick.respondent_id, "bold"),
                f"  {pick.group}  ",
                (QUADRANTS[pick.quadrant_abs], "italic"),
                "  ",
                (pick.reason, "dim"),
            )
            shown.append(Option(prompt, id=str(i)))
        shown += [Option(Text(note, style="italic"), disabled=True) for note in picks.notes]
        options.add_options(shown)
        self.query_one("#picks-title", Static).update(
            f"{strategy} cases for {settings.spor}: {_plural(len(picks), 'pick')}"
            "  ·  enter: select in the plot  ·  esc: close"
        )
        if picks:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#picks")
    def pick_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.picks is None:
            return
        pick: Pick = self.picks[int(event.option.id or 0)]
        plot = self.query_one(QuadrantPlot)
        plot.select(pick.respondent)
        plot.focus()

    def _close_picks(self) -> bool:
        pane = self.query_one("#picks-pane")
        if not pane.has_class("-open"):
            return False
        pane.remove_class("-open")
        self.query_one("#picks", OptionList).clear_options()
        self.picks = None
        return True

    # -- joint display --------------------------------------------------------------------

    def _show_joint(self) -> None:
        table = self.query_one("#joint-table", DataTable)
        if not self.has_survey:
            table.clear(columns=True)
            self.query_one("#joint-detail", Static).update(NO_SURVEY)
            return
        by = self.settings.by
        if self.joint is not None and self.joint[0] == by:
            self._fill_joint(self.joint[1])
            return
        table.loading = True
        self._close_quotes()
        self._build_joint(by)

    @work(thread=True, exclusive=True, group="joint")
    def _build_joint(self, by: str) -> None:
        run_in_worker(
            self,
            lambda project: joint_display(project, list_respondents(project), by=by or None),
            lambda rows: self.JointBuilt(by, rows),
            self.SurveyFailed,
        )

    def on_survey_screen_joint_built(self, event: JointBuilt) -> None:
        if event.by != self.settings.by:
            return  # the grouping changed meanwhile
        self.joint = (event.by, event.rows)
        self.query_one("#joint-table", DataTable).loading = False
        if self.settings.view == VIEWS[1]:
            self._fill_joint(event.rows)
            self._main_widget().focus()

    def _fill_joint(self, rows: list[JointRow]) -> None:
        group = self.settings.group
        self.joint_rows = [r for r in rows if not group or r.group == group]
        table = self.query_one("#joint-table", DataTable)
        table.clear(columns=True)
        headers = [
            ("spor", False),
            ("group", False),
            ("n", True),
            ("impl", True),
            ("vigt", True),
            ("quadrant", False),
            ("codings", True),
            ("intv", True),
            ("cmts", True),
            ("forside", True),
            ("bagside", True),
            ("kant", True),
            ("convergence", False),
        ]
        for label, numeric in headers:
            table.add_column(Text(label, justify="right" if numeric else "left"), key=label)
        for row in self.joint_rows:
            cells = [
                row.spor,
                row.group,
                str(row.n),
                _mean(row.impl_mean),
                _mean(row.vigt_mean),
                SHORT_QUADRANTS.get(row.quadrant or "", ""),
                str(row.codings),
                str(row.interview_codings),
                str(row.comment_codings),
                _share(row.forside_share),
                _share(row.bagside_share),
                _share(row.kant_share),
                row.convergence,
            ]
            table.add_row(
                *(
                    Text(c, justify="right" if numeric else "left")
                    for c, (_, numeric) in zip(cells, headers, strict=True)
                )
            )
        self._joint_cursor_to_spor()
        self._show_joint_detail()

    def _joint_cursor_to_spor(self) -> None:
        rows = self.joint_rows
        first = next((i for i, r in enumerate(rows) if r.spor == self.settings.spor), None)
        if first is not None and self.settings.view == VIEWS[1]:
            self.query_one("#joint-table", DataTable).move_cursor(row=first, animate=False)

    @on(DataTable.RowHighlighted, "#joint-table")
    def joint_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_joint_detail()

    def _show_joint_detail(self) -> None:
        detail = self.query_one("#joint-detail", Static)
        row = self._joint_row()
        if row is None:
            detail.update("")
            return
        detail.update(
            f"enter: quotes  │  {row.spor}, {row.group}: {row.quadrant_label or 'no quadrant'};"
            f" {_plural(row.codings, 'coding')} ({row.interview_codings} in interviews,"
            f" {row.comment_codings} in comments)  │  {row.convergence}: {row.reason}"
        )

    def _joint_row(self) -> JointRow | None:
        index = self.query_one("#joint-table", DataTable).cursor_row
        return self.joint_rows[index] if 0 <= index < len(self.joint_rows) else None

    @on(DataTable.RowSelected, "#joint-table")
    def joint_row_chosen(self, event: DataTable.RowSelected) -> None:
        row = self._joint_row()
        if row is None:
            self.app.bell()
            return
        self.query_one("#quotes-pane").add_class("-open")
        options = self.query_one("#joint-quotes", OptionList)
        options.clear_options()
        shown: list[Option | None] = []
        for i, quote in enumerate(row.quotes):
            prompt = Text.assemble(
                (quote.document, "bold"), " ", (quote.attribution, "italic"), "\n"
            )
            prompt.append(_clip(quote.text))
            shown += [None, Option(prompt, id=str(i))] if i else [Option(prompt, id=str(i))]
        options.add_options(shown)
        self.query_one("#quotes-title", Static).update(
            f"spor.{row.spor}, {row.group}: {_plural(len(row.quotes), 'quote')}"
            "  ·  enter: go there  ·  esc: back"
        )
        if row.quotes:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#joint-quotes")
    def quote_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self._joint_row()
        if row is None:
            return
        quote = row.quotes[int(event.option.id or 0)]
        self.dismiss(SurveyTarget(quote.document_id, (quote.start, quote.end)))

    def _close_quotes(self) -> bool:
        pane = self.query_one("#quotes-pane")
        if not pane.has_class("-open"):
            return False
        pane.remove_class("-open")
        self.query_one("#joint-quotes", OptionList).clear_options()
        return True

    # -- back -----------------------------------------------------------------------------

    def action_back(self) -> None:
        """Close a select, the picks or the quotes, or return to the workspace."""
        if isinstance(self.focused, Select):
            self._main_widget().focus()
            return
        if self.settings.view == VIEWS[1] and self._close_quotes():
            self._main_widget().focus()
            return
        if self.settings.view == VIEWS[0] and self._close_picks():
            self._main_widget().focus()
            return
        self.dismiss(None)
