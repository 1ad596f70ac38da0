"""The agreement screen driven with Pilot on the hand-made agreement project of
test_agreement.py: the figures against the core, the disagreement walk with each kind of
resolution checked in the store, the memo dialog, enter into the workspace, the units and
the coder pair, undo and redo, and the narrow layout of an 80x24 terminal."""

from __future__ import annotations

import shutil

import pytest
from test_agreement import DISAGREEMENTS
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Footer, OptionList, Select, TextArea

from frisat_qual.agreement import agreement, disagreements
from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import document_text, get_document
from frisat_qual.store.memos import all_memos
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.agreement import AgreementScreen
from frisat_qual.tui.screens.dialogs import FormDialog
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.screens.workspace import WorkspaceScreen

SIZE = (120, 40)
NARROW_SIZE = (80, 24)
F, D, K = "leder.forside", "spor.dokumentation", "tema.kant"


@pytest.fixture
def path(agreement_file, tmp_path, monkeypatch):
    """A fresh copy per test; the workspace's suggester (not under test here) is not
    trained meanwhile, so the tests wait only for the agreement screen's own work."""
    monkeypatch.setattr("frisat_qual.tui.screens.workspace.TRAIN_DELAY", 3600)
    target = tmp_path / "agreement.frisat"
    shutil.copy(agreement_file, target)
    return target


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_agreement(app, pilot) -> AgreementScreen:
    await settle(app, pilot)
    await pilot.press("A")
    await settle(app, pilot)
    assert isinstance(app.screen, AgreementScreen)
    return app.screen


def cell(table: DataTable, row: int, column: int) -> str:
    return str(table.get_cell_at(Coordinate(row, column))).strip()


def lines(widget: Widget) -> list[str]:
    """The widget's lines as drawn, border and padding included, scrolled or not."""
    return [s.text.strip() for s in widget.render_lines(Region(0, 0, *widget.outer_size))]


def in_view(screen: AgreementScreen) -> list[str]:
    """The detail's lines that its pane shows without scrolling."""
    pane = screen.query_one("#disagreement-pane")
    top, rows = pane.scroll_offset.y, pane.scrollable_content_region.height
    return lines(screen.query_one("#disagreement-detail"))[top : top + rows]


def decisions(path) -> list[tuple[str, str, str]]:
    with open_project(path) as project:
        rows = project.conn.execute(
            "SELECT d.name, r.code_id, r.decision FROM resolutions r"
            " JOIN documents d ON d.id = r.document_id ORDER BY r.id"
        ).fetchall()
    return [tuple(r) for r in rows]


async def test_the_walk_resolves_each_kind_and_the_store_holds_it(path):
    with open_project(path) as project:
        report = agreement(project, ["ann", "bob"])
    app = make_app(path, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        assert screen.settings.pair == ("ann", "bob")
        table = screen.query_one(DataTable)
        assert table.row_count == len(report.segments.per_code) + 2
        # the overall lines first: pooled 4/7 and 584/1008, mean of the kappas 0.564
        assert [cell(table, 0, j) for j in range(7)] == [
            "overall",
            "2",
            "2",
            "4",
            "85.2",
            "0.571",
            "0.579",
        ]
        assert cell(table, 1, 0) == "mean" and cell(table, 1, 5) == "0.564"
        for i, f in enumerate(report.segments.per_code, start=2):
            assert cell(table, i, 0) == f.code
            assert cell(table, i, 1) == str(int(f.counts.only[0]))
            assert cell(table, i, 5) == f"{f.kappa:.3f}"
            assert cell(table, i, 7) == f.label

        options = screen.query_one(OptionList)
        assert options.has_focus
        assert [d.id for d in screen.items] == [i for i, _ in DISAGREEMENTS]
        assert options.option_count == 4 and options.highlighted == 0
        detail = str(screen.query_one("#disagreement-detail").render())
        assert "a1  segment 2" in detail and "Vi mødes oftere." in detail
        assert "A = ann: coded it here" in detail and "B = bob: did not code it here" in detail

        await pilot.press("1")  # keep A (ann) on a1:2:tema.kant; the walk moves on
        await pilot.pause()
        assert decisions(path) == [("a1", K, "keep-a")]
        assert "[keep A]" in str(options.get_option_at_index(0).prompt)
        assert options.highlighted == 1
        await pilot.press("2")  # keep B (bob) on a1:3:tema.kant
        await pilot.press("3")  # keep both on a2:1:spor.dokumentation
        await pilot.pause()
        assert decisions(path)[1:] == [("a1", K, "keep-b"), ("a2", D, "keep-both")]
        assert options.highlighted == 3
        await pilot.press("4")  # discuss a2:2:leder.forside
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        app.screen.query_one(TextArea).insert("is a rule change forside?")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AgreementScreen)
        assert decisions(path)[3] == ("a2", F, "discuss")
        assert "every disagreement" not in str(screen.query_one("#disagreements-title").render())
        assert "4 resolved" in str(screen.query_one("#disagreements-title").render())
        detail = str(screen.query_one("#disagreement-detail").render())
        assert "Decision: discuss by ann" in detail and "Memo: is a rule change forside?" in detail

        await pilot.press("m")  # the memo again, to change it
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.text == "is a rule change forside?"
        area.text = "ask the team"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")  # nothing unresolved is left
        await pilot.pause()
        assert options.highlighted == 3

    with open_project(path) as project:
        consensus = query_codings(project, coder="consensus")
        memos = [m for m in all_memos(project) if m.author == "ann"]
        after = agreement(project, ["ann", "bob"])
    # keep ann: ann's K on a1/2; keep bob: "mere frihed"; keep both on D: bob's "Og reglerne?"
    assert sorted(c.code_id for c in consensus) == [D, K, K]
    assert len(memos) == 1 and memos[0].text.endswith(": ask the team")
    assert decisions(path)[3] == ("a2", F, "discuss")  # replaced, still one row
    assert len(decisions(path)) == 4
    assert after.to_json() == report.to_json()  # the coders' figures do not move


async def test_enter_opens_the_segment_in_the_workspace_and_the_walk_resumes(path):
    app = make_app(path, coder="bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        assert screen.settings.pair == ("bob", "ann")  # the current coder first
        detail = str(screen.query_one("#disagreement-detail").render())
        assert "A = bob: did not code it here" in detail
        options = screen.query_one(OptionList)
        await pilot.press("n")  # from the first to the next unresolved
        await pilot.press("n")
        await pilot.pause()
        assert options.highlighted == 2
        await pilot.press("enter")
        await settle(app, pilot)
        workspace = app.screen
        assert isinstance(workspace, WorkspaceScreen)
        assert workspace.document_name == "a2"
        assert workspace.view.current_segment.text == "Og reglerne?"
        assert workspace.view.has_focus

        screen = await open_agreement(app, pilot)
        options = screen.query_one(OptionList)
        assert options.highlighted == 2  # where the walk was left
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert app.screen.document_name == "a2"


async def test_units_code_filter_and_coder_pair(path):
    with open_project(path) as project:
        for name, phrase in [("a1", "Vi mødes oftere."), ("a2", "Og reglerne?")]:
            doc = get_document(project, name)
            start = document_text(project, doc.id).index(phrase)
            apply_code(project, doc.id, start, start + len(phrase), F, "cai")
        report = agreement(project, ["ann", "cai"])
    app = make_app(path, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        table = screen.query_one(DataTable)
        title = str(screen.query_one("#agreement-title").render())
        assert "A = ann, B = bob" in title and "9 segments" in title
        await pilot.press("u")
        await pilot.pause()
        assert screen.settings.variant == "coded_only"
        assert "7 coded segments (2 nobody coded left out)" in str(
            screen.query_one("#agreement-title").render()
        )
        k = screen.row_codes.index(K)
        assert cell(table, k, 5) == "0.300"
        await pilot.press("u")
        await pilot.pause()
        assert "characters" in str(screen.query_one("#agreement-title").render())

        # enter on K's row lists only its disagreements; on the overall row, all again
        table.focus()
        table.move_cursor(row=k)
        await pilot.press("enter")
        await pilot.pause()
        assert [screen.items[i].id for i in screen.shown] == ["a1:2:tema.kant", "a1:3:tema.kant"]
        table.focus()
        table.move_cursor(row=0)  # the overall row
        await pilot.press("enter")
        await pilot.pause()
        assert len(screen.shown) == 4

        select = screen.query_one("#agreement-pair", Select)
        assert select.value == "ann\tbob"
        select.value = "ann\tcai"
        await settle(app, pilot)
        assert screen.settings.pair == ("ann", "cai")
        assert screen.view.report.coders == ("ann", "cai")
        f = next(f for f in report.characters.per_code if f.code == F)
        assert cell(table, screen.row_codes.index(F), 5) == f"{f.kappa:.3f}"
        assert len(screen.items) == sum(int(x.counts.only.sum()) for x in report.segments.per_code)
        await pilot.press("1")  # keep ann on the first disagreement with cai
        await pilot.pause()
    with open_project(path) as project:
        row = project.conn.execute("SELECT coder_a, coder_b, decision FROM resolutions").fetchall()
    assert row == [("ann", "cai", "keep-a")]


async def test_a_adopts_the_agreed_codings_in_the_background(path):
    from test_agreement import AGREED_BY_BOB, consensus_texts

    from frisat_qual.agreement import adopt_agreements
    from frisat_qual.store.journal import undo

    with open_project(path) as project:  # K's agreement on a2/4 goes to "panel" first
        adopt_agreements(project, codes=[K], consensus="panel", resolved_by="eve")
    app = make_app(path, coder="bob")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        assert screen.settings.pair == ("bob", "ann")  # bob is A: his codings are adopted
        await pilot.press("a")  # refused: a2/4 K is settled for another consensus coder
        await settle(app, pilot)
        failed = list(app._notifications)[-1]
        assert failed.severity == "error" and str(failed.message) == (
            "bob and ann's decisions go to consensus coder 'panel', not 'consensus'; decide"
            " into 'panel' (--consensus panel), so that one consensus coder holds the pair's"
            " whole consensus"
        )
        assert not screen.adopting and screen.view is not None
        with open_project(path) as project:
            assert consensus_texts(project) == []
            undo(project, "eve")  # meanwhile, elsewhere: panel's adoption taken back

        before = screen.view
        await pilot.press("a")
        await settle(app, pilot)
        messages = [str(n.message) for n in app._notifications]
        assert messages[-1] == (
            "4 (segment, code) unit(s) bob and ann agree on in 2 document(s): 4 adopted into"
            " consensus (4 coding(s) of bob copied, 0 already there), 0 settled before;"
            " 4 disagreement(s) unresolved"
        )
        assert screen.view is not before and screen.view.pair == ("bob", "ann")  # recomputed
        assert [d.id for d in screen.items] == [i for i, _ in DISAGREEMENTS]
        assert screen.query_one(OptionList).has_focus
        await pilot.press("a")  # again: nothing more to adopt
        await settle(app, pilot)
        last = str(list(app._notifications)[-1].message)
        assert "0 adopted into consensus" in last and "4 settled before" in last
    with open_project(path) as project:
        assert consensus_texts(project) == sorted(AGREED_BY_BOB)
        entries = project.conn.execute("SELECT coder, label FROM journal").fetchall()
    assert entries[-1] == ("bob", "adopt what bob and ann agree on into consensus")
    assert [d for d in decisions(path) if d[2] != "keep-b"] == []  # bob is B in sorted order
    assert len(decisions(path)) == 4


async def test_at_80x24_the_walk_shows_both_coders_and_the_decision_whole(path):
    app = make_app(path, coder="ann")
    async with app.run_test(size=NARROW_SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        assert screen.has_class("-narrow")
        title = lines(screen.query_one("#agreement-title"))
        assert title[-1].startswith("unit: segment") and title[-1].endswith("½ coding")
        # no label column and no horizontal scrolling; the table leaves the walk the rows
        table = screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][1:3] == ["A only", "B only"]
        assert len(table.columns) == 7 and table.max_scroll_x == 0
        # the list above the detail, both as wide as the screen, the detail not cut short
        options = screen.query_one(OptionList)
        pane = screen.query_one("#disagreement-pane")
        assert pane.region.y >= options.region.bottom and pane.region.width == 80
        assert pane.scrollable_content_region.height >= 7
        assert pane.region.bottom <= screen.query_one(Footer).region.y
        shown = in_view(screen)
        assert shown[0] == f"a1 2  {K}  Tillidens kant"
        assert "A = ann: coded it here" in shown and "B = bob: did not code it here" in shown
        assert shown.count("Vi mødes oftere.") == 2  # each coder's side, with its marks
        # every key of the screen in the (compact) footer
        keys = {k.action: k.region for k in screen.query("FooterKey")}
        for action in ("undo", "next_variant", "choose_pair", "adopt", "next_unresolved"):
            assert keys[action].right <= 80, action

        await pilot.press("1")  # keep A
        await pilot.pause()
        title = lines(screen.query_one("#disagreements-title"))
        assert title[1].startswith("Disagreements (all codes): 4, 1 resolved")
        assert title[2] == f"a1 2 {K}: keep ann"  # the note on its own line, whole
        shown = in_view(screen)
        assert shown[0] == f"a1 3  {K}  Tillidens kant"  # the walk moved on
        assert "A = ann: did not code it here" in shown and "B = bob: coded it here" in shown
        assert shown.count("Lederne har mere frihed.") == 2

    # the same screen at 120x40 keeps the wide layout
    app = make_app(path, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        assert screen.has_class("-wide") and not screen.has_class("-narrow")
        assert len(screen.query_one(DataTable).columns) == 8
        options = screen.query_one(OptionList)
        pane = screen.query_one("#disagreement-pane")
        assert pane.region.x >= options.region.right and pane.region.y == options.region.y


async def test_undo_and_redo_a_decision_on_the_agreement_screen(path):
    def resolved(path) -> dict[str, str]:
        with open_project(path) as project:  # a fresh connection on the file
            items = disagreements(project, ("ann", "bob"))
            consensus = query_codings(project, coder="consensus")
        decided = {d.id: d.resolution.decision for d in items if d.resolution}
        return decided | {"consensus codings": str(len(consensus))}

    app = make_app(path, coder="ann")
    async with app.run_test(size=NARROW_SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        options = screen.query_one(OptionList)
        await pilot.press("1")  # keep A (ann) on a1:2:tema.kant; the walk moves on
        await pilot.pause()
        assert resolved(path) == {"a1:2:tema.kant": "keep-a", "consensus codings": "1"}
        assert options.highlighted == 1

        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert str(list(app._notifications)[-1].message) == (
            "undid: resolve a1:2:tema.kant (keep-a)"
        )
        assert resolved(path) == {"consensus codings": "0"}
        assert all(d.resolution is None for d in screen.items)
        assert options.highlighted == 0  # back on the disagreement undone
        prompt = str(options.get_option_at_index(0).prompt)
        assert prompt.startswith("• a1") and "[keep A]" not in prompt
        assert "4, 0 resolved" in str(screen.query_one("#disagreements-title").render())
        assert options.has_focus

        await pilot.press("U")  # redo (ctrl+y too)
        await settle(app, pilot)
        assert str(list(app._notifications)[-1].message) == (
            "redid: resolve a1:2:tema.kant (keep-a)"
        )
        assert resolved(path) == {"a1:2:tema.kant": "keep-a", "consensus codings": "1"}
        assert "[keep A]" in str(options.get_option_at_index(0).prompt)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert resolved(path) == {"consensus codings": "0"}
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert resolved(path) == {"a1:2:tema.kant": "keep-a", "consensus codings": "1"}
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert str(list(app._notifications)[-1].message) == "nothing to redo"

        await pilot.press("u")  # u still switches the units here
        await pilot.pause()
        assert screen.settings.variant == "coded_only"

        await pilot.press("question_mark")  # the help lists the new keys
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_table = app.screen.query_one(DataTable)
        rows = [
            tuple(str(c) for c in help_table.get_row_at(i)) for i in range(help_table.row_count)
        ]
        assert ("Agreement", "ctrl+z", "Undo") in rows
        assert ("Agreement", "ctrl+y / U", "Redo") in rows
        assert ("Agreement", "u", "Units") in rows


async def test_a_decision_beside_a_hand_made_consensus_coding_warns(path):
    """bob alone coded K on a1/3 and the consensus coder did by hand: keep ann (no K)
    leaves that coding, and the screen says so."""
    with open_project(path) as project:
        a1 = get_document(project, "a1")
        start = document_text(project, a1.id).index("mere frihed")
        by_hand = apply_code(project, a1.id, start, start + len("mere frihed"), K, "consensus")
    app = make_app(path, coder="ann")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_agreement(app, pilot)
        options = screen.query_one(OptionList)
        options.highlighted = [d.id for d in screen.items].index("a1:3:tema.kant")
        await pilot.pause()
        await pilot.press("1")  # keep A: ann, who did not code K there
        await pilot.pause()
        warned = list(app._notifications)[-1]
        assert warned.severity == "warning"
        assert str(warned.message) == (
            f"consensus also has coding {by_hand.id} of tema.kant here, which no decision"
            " made; it stays (x in the workspace removes it)"
        )
