"""SVG snapshots of the main screens at 120x40 and 80x24 (pytest-textual-snapshot).

Fixed data (the demo project, a fixed coder, an empty recent list), no clock on screen.
Regenerate after an intended change of looks with `pytest tests/test_snapshots.py
--snapshot-update` and look at the report before committing.
"""

from __future__ import annotations

import pytest

from frisat_qual.tui.app import make_app

SIZES = [(120, 40), (80, 24)]


async def trained(pilot) -> None:
    """Wait for the background training so the suggestions panel is the same every time."""
    from frisat_qual.tui.screens.workspace import WorkspaceScreen

    for _ in range(300):
        workspace = [s for s in pilot.app.screen_stack if isinstance(s, WorkspaceScreen)]
        if workspace and workspace[0].suggester is not None:
            break
        await pilot.pause(0.1)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)  # the suggestions panel fills once the cursor rests


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home_screen(snap_compare, size):
    assert snap_compare(make_app(None, coder="snapshot"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_coding_screen(snap_compare, demo_project_path, size):
    app = make_app(demo_project_path, coder="snapshot")
    assert snap_compare(
        app, terminal_size=size, press=["tab", *["down"] * 12, "shift+down"], run_before=trained
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_codebook_screen(snap_compare, demo_project_path, size):
    app = make_app(demo_project_path, coder="snapshot")
    assert snap_compare(
        app, terminal_size=size, press=["c", "down", "down", "down"], run_before=trained
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, demo_project_path, size):
    app = make_app(demo_project_path, coder="snapshot")
    assert snap_compare(app, terminal_size=size, press=["question_mark"], run_before=trained)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_reports_screen_staircase_heat_map(snap_compare, demo_project_path, size):
    async def staircase(pilot) -> None:
        await trained(pilot)
        await pilot.press("t", "4")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.pause()  # the report's table is filled

    app = make_app(demo_project_path, coder="snapshot")
    assert snap_compare(app, terminal_size=size, run_before=staircase)


@pytest.mark.parametrize("size", SIZES[:1], ids=lambda s: f"{s[0]}x{s[1]}")
def test_survey_screen(snap_compare, demo_project_path, size):
    """The quadrant scatter of regler, absolute reading, by omraade, L01 selected."""

    async def survey(pilot) -> None:
        await trained(pilot)
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()  # the respondent's comments are listed

    app = make_app(demo_project_path, coder="snapshot")
    assert snap_compare(app, terminal_size=size, run_before=survey)
