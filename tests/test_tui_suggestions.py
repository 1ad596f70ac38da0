"""Suggestions in the coding flow: panel, accept, accept all, reject, suggest-all, review mode."""

from __future__ import annotations

import shutil

import pytest

from frisat_qual.store import open_project
from frisat_qual.store.codings import query_codings
from frisat_qual.store.suggestions import pending_suggestions, suggestion_counts
from frisat_qual.tui.app import make_app
from frisat_qual.tui.widgets.suggestions import SuggestionsPanel
from frisat_qual.tui.widgets.transcript import TranscriptView


@pytest.fixture
def demo_copy(demo_project_path, tmp_path):
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    return path


async def _ready(app, pilot):
    screen = app.screen
    for _ in range(300):  # training starts shortly after the workspace is shown
        if screen.suggester is not None:
            break
        await pilot.pause(0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert screen.suggester is not None, "trained in the background"
    view = screen.query_one(TranscriptView)
    view.focus()
    # a segment with suggestions above threshold that nobody coded yet
    for i in range(len(view.segments)):
        view.move_to(i)
        found = screen.current_suggestions()
        if found and found[0].score >= found[0].threshold and not screen.codings_at_selection():
            break
    await pilot.pause(0.3)  # the panel fills once the cursor rests
    return screen, view


async def test_panel_accept_and_reject(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, view = await _ready(app, pilot)
        panel = screen.query_one(SuggestionsPanel)
        top = panel.suggestions[0]
        assert "0." in str(panel.render()), "scores are shown"
        await pilot.press("y")
        await pilot.pause()
        with open_project(demo_copy) as project:
            mine = query_codings(project, coder="ann")
            assert [(c.code_id, c.origin) for c in mine] == [(top.code_id, "accepted-suggestion")]
            assert suggestion_counts(project)["accepted"] == 1
        assert top.code_id not in [s.code_id for s in screen.current_suggestions()]
        following = screen.current_suggestions()
        if following:
            await pilot.press("r")
            await pilot.pause()
            assert following[0].code_id not in [s.code_id for s in screen.current_suggestions()]
            with open_project(demo_copy) as project:
                assert suggestion_counts(project)["rejected"] == 1


async def test_suggest_all_and_review_mode(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, view = await _ready(app, pilot)
        await pilot.press("S")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(demo_copy) as project:
            assert pending_suggestions(project, document_id=screen.document_id)
        assert "pending suggestions" in str(screen.query_one("#status").render())
        view.move_to(0)
        await pilot.press("R")
        await pilot.pause()
        assert view.segment_index > 0, "review mode jumped to a useful segment"


async def test_accept_all_above_threshold(demo_copy):
    app = make_app(demo_copy, coder="ann")
    async with app.run_test(size=(120, 40)) as pilot:
        screen, _view = await _ready(app, pilot)
        above = [s.code_id for s in screen.current_suggestions() if s.score >= s.threshold]
        assert above
        await pilot.press("Y")
        await pilot.pause()
        with open_project(demo_copy) as project:
            mine = query_codings(project, coder="ann")
        assert sorted(c.code_id for c in mine) == sorted(above)
        assert {c.origin for c in mine} == {"accepted-suggestion"}
        await pilot.press("u")  # undo takes the accepts back and returns them to review
        await pilot.pause()
        with open_project(demo_copy) as project:
            assert query_codings(project, coder="ann") == []
