"""The coding workspace driven with Pilot: every coding key and flow, on a small project."""

from __future__ import annotations

import pytest

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.store import create_project, open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.memos import all_memos
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.picker import ChoiceDialog, CodePicker
from frisat_qual.tui.screens.search import SearchScreen
from frisat_qual.tui.widgets.codebook_tree import CodebookTree
from frisat_qual.tui.widgets.transcript import TranscriptView

TEXT = (
    "I: Hvordan er jeres hverdag ændret?\n\n"
    "R: Vi har fjernet mange regler. Dokumentationen er blevet mindre. "
    "Politikerne kommer på besøg.\n\n"
    "I: Og økonomien?\n\n"
    "R: Økonomien strammer, og så kommer skemaerne tilbage. Det er tillidens kant.\n"
)


@pytest.fixture
def small_project(tmp_path):
    path = tmp_path / "ws.frisat"
    project = create_project(path)
    load_into_project(project, default_codebook(), coder="system")
    (tmp_path / "k1_leder.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "k2_leder.txt").write_text(TEXT.replace("regler", "skemaer"), encoding="utf-8")
    import_transcripts(project, [tmp_path / "k1_leder.txt", tmp_path / "k2_leder.txt"])
    project.close()
    return path


def _codings(path, coder="ann"):
    with open_project(path) as project:
        return [(c.code_id, c.start, c.end) for c in query_codings(project, coder=coder)]


async def _start(app, pilot):
    await pilot.pause()
    await pilot.press("tab")  # documents -> transcript
    view = app.screen.query_one(TranscriptView)
    assert view.has_focus
    return view


async def test_number_key_applies_favourite_and_undo_redo(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        await pilot.press("down")  # "Vi har fjernet mange regler."
        fav = app.screen.favourite_codes[0][0]
        await pilot.press("1")
        await pilot.pause()
        seg = view.segments[1]
        assert _codings(small_project) == [(fav, seg.start, seg.end)]
        assert any(c.code_id == fav for c in view.codings), "shown at once"
        await pilot.press("u")
        await pilot.pause()
        assert _codings(small_project) == []
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert _codings(small_project) == [(fav, seg.start, seg.end)]


async def test_extended_and_narrowed_selection_is_what_gets_coded(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        await pilot.press("down", "shift+down", "w", "b")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"kant")
        await pilot.press("enter")
        await pilot.pause()
        ((code, start, end),) = _codings(small_project)
        assert code == "tema.kant"
        assert view.text[start:end] == "har fjernet mange regler. Dokumentationen er blevet"


async def test_apply_from_codebook_tree_and_remove_with_choice(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        await pilot.press("down")
        await pilot.press("1", "2")
        await pilot.pause()
        assert len(_codings(small_project)) == 2
        tree = app.screen.query_one(CodebookTree)
        tree.focus()
        tree.filter("regler")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert ("spor.regler", view.segments[1].start, view.segments[1].end) in _codings(
            small_project
        )
        view.focus()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog), "three codings here: which one?"
        await pilot.press("enter")
        await pilot.pause()
        assert len(_codings(small_project)) == 2


async def test_next_uncoded_skips_coded_segments(small_project):
    with open_project(small_project) as project:
        apply_code(project, 1, 38, 66, "spor.regler", "ann")  # the second segment
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        assert view.segment_index == 0
        await pilot.press("n")
        assert view.segment_index == 2
        await pilot.press("N")
        assert view.segment_index == 0


async def test_memo_on_coding_and_on_document(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(app, pilot)
        await pilot.press("down", "1", "m")
        await pilot.pause()
        await pilot.press(*"vigtig pointe")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        await pilot.press(*"god stemning")
        await pilot.press("ctrl+s")
        await pilot.pause()
        with open_project(small_project) as project:
            memos = {(m.target_type, m.text) for m in all_memos(project)}
        assert memos == {("coding", "vigtig pointe"), ("document", "god stemning")}
        await pilot.press("u")  # undo the document memo
        await pilot.pause()
        with open_project(small_project) as project:
            assert [m.text for m in all_memos(project)] == ["vigtig pointe"]


async def test_search_jumps_and_codes_from_results(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"skemaer")
        await pilot.pause()
        results = app.screen.query_one("#search-results")
        assert results.option_count == 3  # "skemaerne" in both, "skemaer" in k2
        await pilot.press("tab")  # into the result list, where number keys code
        await pilot.press("1")
        await pilot.pause()
        assert len(_codings(small_project)) == 1
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press(*"besøg", "enter")
        await pilot.pause()
        assert "besøg" in view.current_segment.text


async def test_blind_mode_hides_other_coders(small_project):
    with open_project(small_project) as project:
        apply_code(project, 1, 38, 66, "spor.regler", "bob")
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        assert [c.code_id for c in view.codings] == ["spor.regler"]
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert view.codings == []
        assert "BLIND" in str(app.screen.query_one("#status").render())
        await pilot.press("n")
        assert view.segment_index == 1, "bob's coding does not count in blind mode"


async def test_second_window_sees_the_first_ones_codings_on_reload(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        other = open_project(small_project)  # another terminal, or the CLI
        apply_code(other, 1, 38, 66, "tema.kant", "bob")
        await pilot.press("down", "1")  # and this window writes at the same time
        await pilot.pause()
        other.close()
        await pilot.press("f5")
        await pilot.pause()
        assert {c.coder for c in query_codings(open_project(small_project))} == {"ann", "bob"}
        assert "tema.kant" in [c.code_id for c in view.codings]


async def test_errors_are_notified_not_raised(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await _start(app, pilot)
        app.screen.apply("politiker")  # a folder
        await pilot.pause()
        assert _codings(small_project) == []
        assert any("folder" in str(n.message) for n in app._notifications)


async def test_narrow_terminal_composes_and_codes(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        view.focus()
        await pilot.press("down", "1")
        await pilot.pause()
        assert len(_codings(small_project)) == 1


KILL_SCRIPT = """
import asyncio, sys
from frisat_qual.tui.app import make_app
from frisat_qual.tui.widgets.transcript import TranscriptView

async def main():
    app = make_app(sys.argv[1], coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one(TranscriptView).focus()
        for n in range(1, 100):
            await pilot.press("down", "1")
            print(n, flush=True)  # shown as done: the coded span is on screen
        await asyncio.sleep(60)

asyncio.run(main())
"""


def test_kill_during_coding_loses_nothing_shown_as_done(small_project):
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(small_project)], stdout=subprocess.PIPE, text=True
    )
    done = 0
    for line in proc.stdout:
        done = int(line)
        if done >= 5:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_project(small_project) as project:
        assert project.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert len(query_codings(project, coder="ann")) >= done


async def test_command_palette_offers_workspace_actions(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Apply code…", "Next uncoded", "Search", "Undo", "Next segment"} <= titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Next segment")
        await command.callback()
        await pilot.pause()
        assert view.segment_index == 1


async def test_staircase_grid_counts_and_memo_on_code(small_project):
    from frisat_qual.tui.widgets.staircase import StaircaseGrid

    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        await pilot.press("down")
        app.screen.apply("leder.bagside")
        await pilot.pause()
        from rich.console import Console

        console = Console(width=40, record=True)
        console.print(app.screen.query_one(StaircaseGrid).table)
        text = console.export_text()
        leder_row = next(line for line in text.splitlines() if line.strip().startswith("leder"))
        assert "1 (1)" in leder_row and "0 (0)" in leder_row
        tree = app.screen.query_one(CodebookTree)
        tree.focus()
        tree.select_code("spor.regler")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"husk definitionen")
        await pilot.press("ctrl+s")
        await pilot.pause()
        with open_project(small_project) as project:
            memos = [(m.target_type, m.target_id, m.text) for m in all_memos(project)]
        assert memos == [("code", "spor.regler", "husk definitionen")]
        assert view.segment_index == 1


async def test_filter_pin_paging_and_theme(small_project):
    app = make_app(small_project, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        view = await _start(app, pilot)
        # filter-as-you-type in the codebook pane, enter applies the first match
        app.screen.query_one("#code-filter").focus()
        await pilot.press(*"projektpause")
        await pilot.pause()
        tree = app.screen.query_one(CodebookTree)
        assert tree.matches == ["tema.projektpause"]
        await pilot.press("enter")
        await pilot.pause()
        assert [c[0] for c in _codings(small_project)] == ["tema.projektpause"]
        assert view.has_focus
        # pin a code to the number keys
        tree.focus()
        tree.select_code("spor.tillid")
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.favourite_codes[0][0] == "spor.tillid"
        # paging and the light/dark theme
        view.focus()
        await pilot.press("pagedown", "pageup")
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
