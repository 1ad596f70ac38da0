"""The survey screen driven with Pilot on a copy of the demo project (33 leaders): the
scatter against `survey.analysis.points`, the relative reading, the group filter, moving
the selection, a respondent's comments and passages opened in the workspace, the joint
display, case selection against `select_cases`, and a project without a survey."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import DataTable, OptionList, Select

from frisat_qual.store import create_project, open_project
from frisat_qual.store.codings import apply_code
from frisat_qual.store.survey import list_respondents
from frisat_qual.survey import MIDDLE, QUADRANTS
from frisat_qual.survey.analysis import points, select_cases
from frisat_qual.survey.link import joint_display
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.dialogs import FormDialog
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.screens.survey import NO_SURVEY, SurveyScreen
from frisat_qual.tui.screens.workspace import WorkspaceScreen
from frisat_qual.tui.widgets.document_tree import DocumentTree
from frisat_qual.tui.widgets.quadrant_plot import QuadrantPlot, group_style

SIZE = (120, 40)


@pytest.fixture
def demo_copy(demo_project_path, tmp_path):
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    return path


@pytest.fixture
def demo_survey(demo_copy):
    """The demo's respondents and the regler points by omraade, as the core gives them."""
    with open_project(demo_copy) as project:
        respondents = list_respondents(project)
    return respondents, points(respondents, "regler", by="omraade")


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_survey(app, pilot) -> SurveyScreen:
    await settle(app, pilot)
    await pilot.press("v")
    await settle(app, pilot)
    assert isinstance(app.screen, SurveyScreen)
    return app.screen


def info(screen: SurveyScreen) -> str:
    return str(screen.query_one("#respondent-info").render())


def option_texts(options: OptionList) -> list[tuple[str | None, str]]:
    return [
        (options.get_option_at_index(i).id, str(options.get_option_at_index(i).prompt))
        for i in range(options.option_count)
    ]


async def choose_option(pilot, options: OptionList, option_id: str) -> None:
    options.focus()
    options.highlighted = options.get_option_index(option_id)
    await pilot.press("enter")


async def test_the_scatter_places_each_respondent_where_the_core_puts_it(demo_copy, demo_survey):
    respondents, expected = demo_survey
    assert len(expected) == 33
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        plot = screen.query_one(QuadrantPlot)
        assert plot.has_focus
        assert plot.points == expected
        drawing = plot.drawing
        assert len(drawing.positions) == 33
        assert sum(len(here) for here in drawing.cells.values()) == 33
        # the absolute split lines at 5.5, every point on its quadrant's side of them
        split_x, split_y = drawing.split_columns[None], drawing.split_rows[None]
        assert split_x == drawing.column_of(MIDDLE) and split_y == drawing.row_of(MIDDLE)
        for p in expected:
            x, y = drawing.positions[p.respondent]
            assert (x >= split_x) == (p.quadrant_abs in ("fortsaet", "fokus"))
            assert (y <= split_y) == (p.quadrant_abs in ("fortsaet", "over_implementering"))
        # a few respondents in their exact cells, drawn with their group's glyph or a count
        groups = sorted({p.group for p in expected})
        lowest = min(expected, key=lambda p: (p.impl, p.respondent_id))
        least = min(expected, key=lambda p: (p.vigt, p.respondent_id))
        for p in (expected[0], expected[-1], lowest, least):
            x = drawing.left + round((p.vigt - 1) / 9 * (drawing.plot_width - 1))
            y = drawing.top + round((10 - p.impl) / 9 * (drawing.plot_height - 1))
            assert abs(drawing.positions[p.respondent][0] - x) <= 1
            assert abs(drawing.positions[p.respondent][1] - y) <= 1
            here = drawing.cells[drawing.positions[p.respondent]]
            glyph = drawing.char_at(*drawing.positions[p.respondent])
            if len(here) == 1:
                assert glyph == group_style(groups.index(p.group))[0]
            else:
                assert glyph == str(len(here))
        assert "33 respondents" in str(screen.query_one("#survey-title").render())
        assert "Vigtigste fokusområde" in "".join(line.plain for line in drawing.lines)


async def test_relative_reading_moves_the_split_lines_and_the_quadrant_shown(
    demo_copy, demo_survey
):
    _, expected = demo_survey
    differs = next(p for p in expected if p.quadrant_abs != p.quadrant_rel)
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        plot = screen.query_one(QuadrantPlot)
        plot.select(differs.respondent)
        await settle(app, pilot)
        assert screen.shown_quadrant == differs.quadrant_abs
        assert f"absolute: {QUADRANTS[differs.quadrant_abs]}" in info(screen)
        before = dict(plot.drawing.split_columns)
        assert list(before) == [None]

        await pilot.press("r")
        await settle(app, pilot)
        drawing = plot.drawing
        groups = sorted({p.group for p in expected})
        assert sorted(drawing.split_columns) == groups
        for p in expected:
            assert drawing.split_columns[p.group] == drawing.column_of(p.group_vigt_mean)
            assert drawing.split_rows[p.group] == drawing.row_of(p.group_impl_mean)
        assert plot.selected == differs.respondent
        assert screen.shown_quadrant == differs.quadrant_rel
        shown = info(screen)
        assert f"relative: {QUADRANTS[differs.quadrant_rel]}" in shown
        assert shown.index("relative:") < shown.index("absolute:")
        assert "relative reading" in str(screen.query_one("#survey-title").render())

        await pilot.press("r")
        await settle(app, pilot)
        assert plot.drawing.split_columns == before


async def test_the_group_filter_shows_one_group(demo_copy, demo_survey):
    _, expected = demo_survey
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        select = screen.query_one("#survey-group", Select)
        assert not select.disabled
        select.value = "skole"
        await settle(app, pilot)
        plot = screen.query_one(QuadrantPlot)
        skole = [p for p in expected if p.group == "skole"]
        assert plot.points == skole and len(skole) == 11
        assert len(plot.drawing.positions) == 11
        # the group keeps its glyph when the others are filtered out
        alone = next(here for here in plot.drawing.cells.values() if len(here) == 1)
        position = plot.drawing.positions[alone[0].respondent]
        assert plot.drawing.char_at(*position) == group_style(2)[0]

        screen.query_one("#survey-by", Select).value = ""  # no grouping: everyone again
        await settle(app, pilot)
        assert len(plot.points) == 33 and {p.group for p in plot.points} == {"alle"}
        assert screen.settings.group == ""
        assert screen.query_one("#survey-group", Select).disabled


async def test_arrows_move_to_the_nearest_respondent_and_brackets_step_by_id(
    demo_copy, demo_survey
):
    _, expected = demo_survey
    by_id = sorted(expected, key=lambda p: p.respondent_id)
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        plot = screen.query_one(QuadrantPlot)
        leftmost = min(expected, key=lambda p: (p.vigt, p.respondent_id))
        plot.select(leftmost.respondent)
        await settle(app, pilot)
        start = plot.drawing.positions[leftmost.respondent]
        await pilot.press("right")
        await settle(app, pilot)
        assert plot.selected != leftmost.respondent
        after_right = plot.drawing.positions[plot.selected]
        assert after_right[0] > start[0]
        await pilot.press("left")
        await settle(app, pilot)
        assert plot.drawing.positions[plot.selected][0] < after_right[0]

        plot.select(by_id[0].respondent)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        assert plot.selected == by_id[2].respondent
        assert info(screen).startswith(by_id[2].respondent_id)
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(app, pilot)
        assert plot.selected == by_id[-1].respondent  # wraps around


async def test_a_respondents_comment_opens_in_the_workspace(demo_copy, demo_survey):
    respondents, expected = demo_survey
    who = next(r for r in respondents if "regler" in r.comments and r.id != expected[0].respondent)
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        screen.query_one(QuadrantPlot).select(who.id)
        await settle(app, pilot)
        assert info(screen).startswith(who.respondent_id)
        options = screen.query_one("#respondent-texts", OptionList)
        texts = option_texts(options)
        first_comment = next(text for key, text in texts if key == "comment-0")
        assert first_comment.startswith("regler")
        assert " ".join(who.comments["regler"].split())[:60] in " ".join(first_comment.split())
        others = [text.split()[0] for key, text in texts if (key or "").startswith("comment-")]
        assert sorted(others) == sorted(who.comments)
        # the linked interviews' regler passages: same kommune and omraade
        assert screen.detail is not None and screen.detail.interviews
        for doc in screen.detail.interviews:
            assert doc.attribution.endswith(f"{who.attributes['kommune']})")

        await choose_option(pilot, options, "comment-0")
        await settle(app, pilot)
        workspace = app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.document_id == who.comment_documents["regler"]
        tree = workspace.query_one(DocumentTree)
        assert tree.cursor_node is not None
        assert tree.cursor_node.data == who.comment_documents["regler"]
        assert str(tree.cursor_node.label).startswith(f"{who.respondent_id} · regler")

        await pilot.press("v")  # the survey opens again at the same respondent
        await settle(app, pilot)
        assert isinstance(app.screen, SurveyScreen)
        assert app.screen.query_one(QuadrantPlot).selected == who.id


async def test_coded_passages_in_comments_and_interviews_open_with_their_span(
    demo_copy, demo_survey
):
    respondents, _ = demo_survey
    who = min(respondents, key=lambda r: r.respondent_id)  # L01: kommune 1, dagtilbud
    comment = who.comment_documents["regler"]
    with open_project(demo_copy) as project:
        apply_code(project, comment, 0, 20, "tema.kant", "ann")
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        screen.query_one(QuadrantPlot).select(who.id)
        await settle(app, pilot)
        options = screen.query_one("#respondent-texts", OptionList)
        texts = dict(option_texts(options))
        assert "coded: tema.kant" in texts["comment-0"]
        assert "tema.kant" in texts["coded-0"]
        coded = screen.detail.comments[0].passages[0]
        assert (coded.document_id, coded.start, coded.end) == (comment, 0, 20)
        passage = screen.detail.passages[0]
        assert passage.code_id == "spor.regler"

        await choose_option(pilot, options, "passage-0")
        await settle(app, pilot)
        workspace = app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.document_id == passage.document_id
        start, end = workspace.view.selection
        assert start <= passage.start and passage.end <= end


async def test_the_joint_display_has_a_row_per_spor_and_group_and_lists_quotes(
    demo_copy, demo_survey
):
    respondents, _ = demo_survey
    with open_project(demo_copy) as project:
        rows = joint_display(project, respondents, by="omraade")
    groups = sorted({r.group for r in rows})
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        table = screen.query_one("#joint-table", DataTable)
        assert table.has_focus
        assert table.row_count == len(rows) == 5 * len(groups) == 15
        for i, row in enumerate(rows):
            cells = [str(c).strip() for c in table.get_row_at(i)]
            assert cells[:3] == [row.spor, row.group, str(row.n)]
            assert cells[-1] == row.convergence
        await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        quotes = screen.query_one("#joint-quotes", OptionList)
        assert quotes.option_count == len(rows[1].quotes) > 0
        assert quotes.has_focus
        await pilot.press("escape")  # closes the quotes
        await pilot.pause()
        assert not screen.query_one("#quotes-pane").has_class("-open")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the first quote in the workspace
        await settle(app, pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        quote = rows[1].quotes[0]
        assert app.screen.document_id == quote.document_id

        await pilot.press("v")
        await settle(app, pilot)
        screen = app.screen
        assert screen.settings.view == "survey-joint"
        screen.query_one("#survey-group", Select).value = "skole"
        await settle(app, pilot)
        assert screen.query_one("#joint-table", DataTable).row_count == 5


async def test_case_selection_lists_the_cores_picks_and_selects_one(demo_copy, demo_survey):
    respondents, _ = demo_survey
    expected = select_cases(respondents, "regler", "deviant", by="omraade", n=2)
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        dialog.query_one("#field-strategy").value = "dev"
        dialog.query_one("#field-n").value = "2"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is screen
        assert [p.respondent for p in screen.picks] == [p.respondent for p in expected]
        options = screen.query_one("#picks", OptionList)
        shown = option_texts(options)
        assert len(shown) == len(expected) + len(expected.notes)
        for (_, text), pick in zip(shown, expected, strict=False):
            assert text.startswith(pick.respondent_id) and pick.reason in text
        assert options.has_focus
        await pilot.press("down", "enter")
        await settle(app, pilot)
        plot = screen.query_one(QuadrantPlot)
        assert plot.has_focus and plot.selected == expected[1].respondent
        assert info(screen).startswith(expected[1].respondent_id)
        await pilot.press("escape")  # closes the picks, then leaves
        await pilot.pause()
        assert not screen.query_one("#picks-pane").has_class("-open")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_a_bad_strategy_is_explained_in_the_dialog(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        await open_survey(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#field-strategy").value = "random"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "typical, deviant, extreme, diverse" in str(dialog.query_one("#form-error").render())


async def test_a_project_without_a_survey_says_how_to_import_one(tmp_path):
    create_project(tmp_path / "empty.frisat").close()
    app = make_app(tmp_path / "empty.frisat", coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_survey(app, pilot)
        assert str(screen.query_one("#survey-title").render()) == NO_SURVEY
        plot = screen.query_one(QuadrantPlot)
        assert NO_SURVEY in "".join(line.plain for line in plot.drawing.lines)
        await pilot.press("right", "r", "s")
        await settle(app, pilot)
        assert app.screen is screen
        await pilot.press("j")
        await settle(app, pilot)
        assert NO_SURVEY in str(screen.query_one("#joint-detail").render())


async def test_help_and_command_palette_list_the_survey(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Survey" in commands
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["Workspace", "v", "Survey"] in rows
        survey = {row[1] for row in rows if row[0] == "Survey"}
        assert {"r", "j", "s", "[", "]", "left"} <= survey
