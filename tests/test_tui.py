"""The first TUI, driven with Textual's Pilot on the demo project."""

from __future__ import annotations

from frisat_qual.store import open_project
from frisat_qual.store.documents import get_document, segments_of, turns_of
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.widgets.document_tree import DocumentTree
from frisat_qual.tui.widgets.transcript import TranscriptView, wrap_offsets


def test_wrap_offsets_cover_text_and_respect_width():
    text = "Vi har fjernet mange regler, og det har givet tid.\nNy linje her." * 5
    lines = wrap_offsets(text, 0, len(text), 20)
    assert all(len(text[s:e].rstrip()) <= 20 for s, e in lines)
    covered = "".join(text[s:e] for s, e in lines)
    assert covered.replace("\n", "") == text.replace("\n", "")


async def test_documents_grouped_and_first_opened(demo_project_path):
    app = make_app(demo_project_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(DocumentTree)
        groups = [str(n.label) for n in tree.root.children]
        assert groups[0] == "kommune 1 (5)" and groups[6].startswith("kommune 7")
        # the survey's comments on a branch of their own, after the interviews
        assert groups[7:] == ["Survey comments (116)"]
        roles = [str(n.label) for n in tree.root.children[0].children]
        assert roles == ["borger", "forvaltning", "leder", "medarbejder", "politiker"]
        # the leder step holds the interview only (the survey leaders are elsewhere)
        assert [str(n.label) for n in tree.root.children[0].children[2].children] == [
            "k1_leder  1,201 w   41%"
        ]
        (wave,) = tree.root.children[7].children
        assert str(wave.label) == "pilot (116)"
        assert len(wave.children) == 33 and str(wave.children[0].label) == "L01 (4)"
        assert [str(n.label).split("  ")[0] for n in wave.children[0].children] == [
            "L01 · regler",
            "L01 · maal",
            "L01 · tillid",
            "L01 · eksperiment",
        ]
        view = app.screen.query_one(TranscriptView)
        assert view.segments and view.segment_index == 0
        status = str(app.screen.query_one("#status").render())
        assert "segment 1/" in status


async def test_move_by_segment_and_turn_and_open_other_document(demo_project_path):
    app = make_app(demo_project_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("tab")
        view = app.screen.query_one(TranscriptView)
        assert view.has_focus
        await pilot.press("down", "down", "j")
        assert view.segment_index == 3
        await pilot.press("up")
        assert view.segment_index == 2
        start_turn = view.current_segment.turn_id
        await pilot.press("right_square_bracket")
        assert view.current_segment.turn_id != start_turn
        first_of_turn = view.segment_index
        assert view.segments[first_of_turn - 1].turn_id != view.current_segment.turn_id
        await pilot.press("left_square_bracket")
        assert view.current_segment.turn_id == start_turn or view.segment_index < first_of_turn
        await pilot.press("end")
        assert view.segment_index == len(view.segments) - 1
        assert view.scroll_offset.y > 0, "the view follows the cursor"
        await pilot.press("home")
        assert view.segment_index == 0 and view.scroll_offset.y == 0
        # open another document from the list (hidden at this width until asked for with d)
        tree = app.screen.query_one(DocumentTree)
        assert not tree.display or tree.styles.display == "none" or tree.region.width == 0
        await pilot.press("d")
        await pilot.pause()
        assert tree.has_focus and tree.region.width > 0
        target = tree.root.children[1].children[0].children[0]
        tree.move_cursor(target)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.document_id == target.data
        assert view.has_focus and view.segment_index == 0


async def test_transcript_shows_turn_labels_and_timestamps(demo_project_path):
    project = open_project(demo_project_path)
    doc = get_document(project, "k1_medarbejder")  # a .vtt with timestamps
    turns = turns_of(project, doc.id)
    segments = segments_of(project, doc.id)
    project.close()
    app = make_app(demo_project_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.open_document(doc.id)
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        assert len(view.segments) == len(segments)
        lines = [view.render_line(y).text for y in range(view.size.height)]
        screen_text = "\n".join(lines)
        assert turns[0].speaker in screen_text
        assert "00:00:0" in screen_text
        assert segments[0].text[:20] in screen_text.replace("\n", " ")


async def test_help_screen_lists_keys_and_closes(demo_project_path):
    app = make_app(demo_project_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table")
        actions = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        assert {"Next segment", "Next turn", "Help", "Quit", "Switch pane"} <= actions
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_key_closes_app(demo_project_path):
    app = make_app(demo_project_path)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None


async def test_reference_coding_is_marked_in_code_colours(demo_project_path):
    from rich.color import Color

    from frisat_qual.store.codes import code_rows

    project = open_project(demo_project_path)
    colors = {r["id"]: r["color"] for r in code_rows(project)}
    project.close()
    app = make_app(demo_project_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        assert len(view.codings) >= 20, "the reference coding of the first document is shown"
        first = view.codings[0]
        assert first.color == colors[first.code_id]
        view.move_to(next(i for i, s in enumerate(view.segments) if s.end > first.start))
        await pilot.pause()
        line = view.line_of_offset(first.start) - int(view.scroll_offset.y)
        strip = view.render_line(line)
        coloured = [s for s in strip if s.style and s.style.color == Color.parse(first.color)]
        assert coloured, "the coded span is drawn in its code's colour"
        assert any(first.label[:10] in s.text for s in strip), "the code label stands in the margin"
        assert any("▌" in s.text for s in coloured), "and a bar in the gutter"


async def test_selection_extends_by_segments_and_narrows_by_words(demo_project_path):
    app = make_app(demo_project_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("tab", "down")
        view = app.screen.query_one(TranscriptView)
        one = view.selection
        assert one == (view.segments[1].start, view.segments[1].end)
        await pilot.press("shift+down", "shift+down")
        assert view.selection == (view.segments[1].start, view.segments[3].end)
        await pilot.press("w", "b", "b")
        start, end = view.selection
        import re

        span = view.text[view.segments[1].start : view.segments[3].end]
        words = re.findall(r"\w+(?:[-'’]\w+)*", span)
        assert re.findall(r"\w+(?:[-'’]\w+)*", view.text[start:end]) == words[1:-2]
        assert view.text[start].isalnum() and view.text[end - 1].isalnum()
        await pilot.press("W")
        assert view.selection[0] == view.segments[1].start
        await pilot.press("down")
        assert view.selection == (view.segments[4].start, view.segments[4].end)
