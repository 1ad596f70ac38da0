"""The reports screen driven with Pilot on a copy of the demo project: each report against
the core functions, a staircase cell opened to its passages and a passage opened in the
transcript, the heat map, the filters, export and the way back."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from textual.coordinate import Coordinate
from textual.widgets import DataTable, OptionList

from frisat_qual.reports.drill import passages
from frisat_qual.reports.tables import LEVELS, cooccurrence, frequencies, quotes, staircase
from frisat_qual.reports.writers import build_report
from frisat_qual.store import create_project, open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.dialogs import FormDialog
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.screens.reports import ReportsScreen
from frisat_qual.tui.screens.workspace import WorkspaceScreen

SIZE = (120, 40)


@pytest.fixture
def demo_copy(demo_project_path, tmp_path):
    """A copy of the demo project with one extra coding by "ann" (for the coder filter)."""
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    with open_project(path) as project:
        first = query_codings(project, code="tema.kant")[0]
        apply_code(project, first.document_id, first.start, first.end, "tema.kant", "ann")
    return path


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_reports(app, pilot) -> ReportsScreen:
    await settle(app, pilot)
    await pilot.press("t")
    await settle(app, pilot)
    assert isinstance(app.screen, ReportsScreen)
    return app.screen


def shown(table: DataTable, row: int, column: int) -> str:
    return str(table.get_cell_at(Coordinate(row, column))).strip()


def shown_rows(table: DataTable) -> list[list[str]]:
    return [[shown(table, i, j) for j in range(len(table.columns))] for i in range(table.row_count)]


async def test_each_report_shows_what_the_core_computes(demo_copy):
    app = make_app(demo_copy, coder="ann")
    project = open_project(demo_copy)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_reports(app, pilot)
            table = screen.query_one(DataTable)
            assert table.has_focus

            freq = frequencies(project)
            assert table.row_count == len(freq)
            kant = next(i for i, r in enumerate(freq) if r.code == "tema.kant")
            assert shown(table, kant, 0) == "tema.kant"
            assert shown(table, kant, 2) == str(freq[kant].codings)

            await pilot.press("2")  # cross-tab, by the first case attribute: rolle
            await settle(app, pilot)
            expected = build_report(project, "crosstab", by="rolle")
            assert table.row_count == len(expected.rows)
            assert shown_rows(table) == [[str(v) for v in row] for row in expected.rows]

            await pilot.press("3")
            await settle(app, pilot)
            pairs = cooccurrence(project)
            assert table.row_count == len(pairs)
            assert [shown(table, 0, j) for j in range(5)] == [
                pairs[0].code_a,
                pairs[0].code_b,
                str(pairs[0].overlaps),
                str(pairs[0].segments),
                str(pairs[0].turns),
            ]

            await pilot.press("4")
            await settle(app, pilot)
            stairs = staircase(project)
            assert table.row_count == len(LEVELS)
            for i, level in enumerate(LEVELS):
                assert shown(table, i, 0) == level
                assert shown(table, i, 1) == str(stairs.cells[(level, "forside")].codings)
                assert shown(table, i, 2) == str(stairs.cells[(level, "bagside")].codings)
                assert shown(table, i, 3) == str(stairs.kant[level])

            await pilot.press("5")
            await settle(app, pilot)
            found = quotes(project, "tema.kant")
            assert table.row_count == len(found)
            assert [shown(table, i, 0) for i in range(3)] == [q.document for q in found[:3]]
            assert shown(table, 0, 2) == found[0].attribution
    finally:
        project.close()


async def test_staircase_cell_opens_its_passages_and_a_passage_opens_the_transcript(demo_copy):
    app = make_app(demo_copy, coder="ann")
    with open_project(demo_copy) as project:
        expected = staircase(project).cells[("leder", "forside")].codings
        behind = passages(project, "staircase", "leder", "forside")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        table = screen.query_one(DataTable)
        assert table.cursor_coordinate == Coordinate(0, 1)  # politiker, forside
        await pilot.press("down", "down")  # leder
        assert shown(table, 2, 0) == "leder"
        await pilot.press("enter")
        await settle(app, pilot)
        options = screen.query_one("#passages", OptionList)
        assert options.option_count == expected == len(behind) == len(screen.passages)
        assert options.has_focus
        await pilot.press("down")  # the second passage
        chosen = screen.passages[1]
        assert chosen == behind[1]
        await pilot.press("enter")
        await settle(app, pilot)
        workspace = app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.document_id == chosen.document_id
        view = workspace.view
        assert view.has_focus
        start, end = view.selection
        assert start <= chosen.start and chosen.end <= end
        seg = view.current_segment
        assert seg.start < chosen.end and chosen.start < seg.end  # the cursor is on it

        await pilot.press("t")  # the reports open again where they were left
        await settle(app, pilot)
        assert isinstance(app.screen, ReportsScreen)
        assert app.screen.settings.kind == "staircase"
        assert app.screen.query_one(DataTable).cursor_coordinate == Coordinate(2, 1)


async def test_escape_closes_the_passages_then_returns_to_the_workspace(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one("#passages-pane").has_class("-open")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReportsScreen)
        assert not screen.query_one("#passages-pane").has_class("-open")
        assert screen.query_one(DataTable).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)


async def test_cooccurrence_heat_map_cells_open_their_shared_segments(demo_copy):
    app = make_app(demo_copy, coder="ann")
    with open_project(demo_copy) as project:
        pairs = cooccurrence(project)
    busiest = max(pairs, key=lambda r: r.segments)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("3", "h")
        await settle(app, pilot)
        table = screen.query_one(DataTable)
        codes = [shown(table, i, 0).split(" ", 1)[1] for i in range(table.row_count)]
        assert set(codes) == {r.code_a for r in pairs} | {r.code_b for r in pairs}
        row, column = codes.index(busiest.code_a), codes.index(busiest.code_b) + 1
        assert shown(table, row, column) == str(busiest.segments)
        assert shown(table, column - 1, row + 1) == str(busiest.segments)  # symmetric
        assert shown(table, row, row + 1) == "·"
        table.move_cursor(row=row, column=column)
        await pilot.pause()
        assert "shared segments" in str(screen.query_one("#report-detail").render())
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(screen.passages) == busiest.segments
        assert {p.other_code for p in screen.passages} == {busiest.code_b}
        await pilot.press("escape", "h")  # back to the pairs, as exported
        await settle(app, pilot)
        assert table.row_count == len(pairs)


async def test_by_and_coder_choosers_rebuild_the_report(demo_copy):
    app = make_app(demo_copy, coder="ann")
    with open_project(demo_copy) as project:
        by_kommune = {r.code: r.by_counts for r in frequencies(project, by="kommune")}
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        table = screen.query_one(DataTable)
        assert len(table.columns) == 7  # no grouping
        await pilot.press("b", "down", "down", "enter")  # no grouping, rolle, kommune
        await settle(app, pilot)
        assert screen.settings.by == "kommune"
        assert table.has_focus
        headers = [str(c.label).strip() for c in table.columns.values()]
        assert headers[7:] == list(by_kommune["tema.kant"])
        kant = next(i for i in range(table.row_count) if shown(table, i, 0) == "tema.kant")
        assert [shown(table, kant, j) for j in range(7, len(headers))] == [
            str(n) for n in by_kommune["tema.kant"].values()
        ]

        await pilot.press("f", "down", "enter")  # all coders, ann, reference
        await settle(app, pilot)
        assert screen.settings.coder == "ann"
        assert shown(table, kant, 2) == "1"
        others = [shown(table, i, 2) for i in range(table.row_count) if i != kant]
        assert set(others) == {"0"}
        table.move_cursor(row=kant, column=2)
        await pilot.press("enter")
        await settle(app, pilot)
        assert [p.code_id for p in screen.passages] == ["tema.kant"]


async def test_export_writes_the_report_as_shown(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        written = demo_copy.with_name("demo-staircase.csv")
        rows = list(csv.reader(io.StringIO(written.read_text("utf-8"))))
        table = screen.query_one(DataTable)
        headers = [str(c.label).strip() for c in table.columns.values()]
        assert rows == [headers, *shown_rows(table)]

        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#field-format").value = "md"
        await pilot.press("ctrl+s")
        await pilot.pause()
        markdown = demo_copy.with_name("demo-staircase.md").read_text("utf-8")
        assert markdown.startswith("## Styrings- og ledelsestrappen")

        await pilot.press("x")
        await pilot.pause()
        app.screen.query_one("#field-format").value = "pdf"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # stays open and says which formats
        assert "csv" in str(app.screen.query_one("#form-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_reports_are_in_the_help_and_the_command_palette(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Reports" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = {s for s, _ in app.screen.sections}
        assert "Reports" in sections
        workspace_keys = dict(app.screen.sections)["Workspace"]
        assert any(b.key == "t" and b.action == "reports" for b in workspace_keys)


async def test_a_project_without_attributes_says_why_there_is_no_crosstab(tmp_path):
    from frisat_qual.codebook.manage import default_codebook, load_into_project
    from frisat_qual.corpus.importer import import_transcripts

    path = tmp_path / "bare.frisat"
    project = create_project(path)
    load_into_project(project, default_codebook())
    (tmp_path / "a.txt").write_text("I: Nå?\n\nR: Vi har færre regler nu.\n", encoding="utf-8")
    import_transcripts(project, [tmp_path / "a.txt"])
    project.close()
    app = make_app(path, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert app.screen is screen
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "manifest" in errors[-1].message
        assert not screen.query_one(DataTable).loading
