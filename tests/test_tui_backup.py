"""The automatic backup the TUI makes when it opens a project, driven with Pilot on a copy
of the demo: made in a thread worker at start-up and when a project is opened from the home
screen, skipped when nothing changed, and a failure shown as a warning, not a crash."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.notifications import Notify

from frisat_qual.exchange.backup import AUTO, backup_folder, list_backups
from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.integrity import fingerprint
from frisat_qual.tui.app import make_app
from frisat_qual.tui.screens import workspace
from frisat_qual.tui.screens.workspace import WorkspaceScreen

SIZE = (110, 34)


@pytest.fixture(autouse=True)
def no_training(monkeypatch):
    """The workspace trains the suggester a moment after it opens; not needed here."""
    monkeypatch.setattr(workspace, "TRAIN_DELAY", 3600)


@pytest.fixture
def demo(demo_project_path, tmp_path) -> Path:
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    return path


async def backed_up(pilot) -> None:
    """Wait for the backup workers (only: other screens may keep loaders running)."""
    app = pilot.app
    await pilot.pause()
    busy = [w for w in app.workers if w.group == "backup"]
    await app.workers.wait_for_complete(busy)
    await pilot.pause()


def autos(path: Path) -> list[Path]:
    return [b.path for b in list_backups(path) if b.kind == AUTO]


def warnings_of(notes: list[Notify]) -> list[str]:
    return [n.notification.message for n in notes if n.notification.severity == "warning"]


def notes_hook(notes: list[Notify]):
    def hook(message) -> None:
        if isinstance(message, Notify):
            notes.append(message)

    return hook


async def test_opening_a_project_makes_a_rolling_backup_once_per_change(demo):
    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        (first,) = autos(demo)
        assert first.parent == backup_folder(demo)
        assert fingerprint(first) == fingerprint(demo)

    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
    assert autos(demo) == [first], "nothing changed: no second backup"

    with open_project(demo) as project:
        coding = query_codings(project, code="tema.kant")[0]
        apply_code(project, coding.document_id, coding.start, coding.end, "tema.kant", "anna")
    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
        newest = autos(demo)[0]
        assert newest != first and len(autos(demo)) == 2
        assert fingerprint(newest) == fingerprint(demo)


async def test_opening_from_the_home_screen_backs_up_that_project(demo):
    app = make_app(None, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
        assert autos(demo) == []
        assert app.open_project_path(demo)
        await backed_up(pilot)
        assert isinstance(app.screen, WorkspaceScreen)
        assert len(autos(demo)) == 1


async def test_a_failed_backup_is_a_warning_and_the_project_stays_open(demo):
    backup_folder(demo).write_text("a file where the backup folder should be")
    notes: list[Notify] = []
    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE, message_hook=notes_hook(notes)) as pilot:
        await backed_up(pilot)
        assert isinstance(app.screen, WorkspaceScreen) and app.project is not None
        (warning,) = warnings_of(notes)
        assert warning.startswith("The automatic backup failed: ")
        assert "demo-backups: the backup folder could not be made" in warning


async def test_opening_a_project_removes_what_a_killed_backup_left(demo):
    """A backup killed mid-copy (kill -9) leaves a hidden copy named with its process id;
    the next opening removes it even when no new backup is needed."""
    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
    (first,) = autos(demo)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    left = backup_folder(demo) / f".demo.frisat.{int(gone.stdout)}-abcd1234.tmp"
    shutil.copy(demo, left)
    Path(f"{left}-journal").write_bytes(b"journal of the killed copy")

    app = make_app(demo, coder="anna")
    async with app.run_test(size=SIZE) as pilot:
        await backed_up(pilot)
    assert autos(demo) == [first], "nothing changed: no new backup"
    assert sorted(p.name for p in backup_folder(demo).iterdir()) == [first.name]
