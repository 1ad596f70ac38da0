"""The recent projects list: order, limit, vanished files, and where it is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from frisat_qual.recent import (
    MAX_RECENT,
    RECENT_FILE,
    recent_entries,
    recent_projects,
    remember_project,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def make_files(folder, n: int) -> list:
    paths = []
    for i in range(n):
        path = folder / f"p{i:02d}.frisat"
        path.write_bytes(b"")
        paths.append(path)
    return paths


def test_empty_without_a_list():
    assert recent_projects() == []


def test_most_recent_first_and_reopening_moves_to_top(tmp_path):
    a, b, c = make_files(tmp_path, 3)
    remember_project(a, when=T0)
    remember_project(b, when=T0 + timedelta(minutes=1))
    remember_project(c, when=T0 + timedelta(minutes=2))
    assert recent_projects() == [c, b, a]
    remember_project(a, when=T0 + timedelta(minutes=3))
    assert recent_projects() == [a, c, b], "no duplicates: the entry moves"
    assert recent_entries()[0].opened == T0 + timedelta(minutes=3)


def test_same_second_keeps_the_latest_call_first(tmp_path):
    a, b = make_files(tmp_path, 2)
    remember_project(a)
    remember_project(b)
    assert recent_projects() == [b, a]


def test_paths_are_stored_absolute(tmp_path, monkeypatch):
    (a,) = make_files(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    remember_project(a.name)
    assert recent_projects() == [a.resolve()]


def test_at_most_twelve(tmp_path):
    paths = make_files(tmp_path, MAX_RECENT + 3)
    for i, path in enumerate(paths):
        remember_project(path, when=T0 + timedelta(minutes=i))
    assert recent_projects() == list(reversed(paths))[:MAX_RECENT]
    assert MAX_RECENT == 12


def test_missing_files_are_dropped_and_do_not_push_others_out(tmp_path, isolated_home):
    paths = make_files(tmp_path, MAX_RECENT)
    for i, path in enumerate(paths):
        remember_project(path, when=T0 + timedelta(minutes=i))
    paths[-1].unlink()
    paths[3].unlink()
    expected = [p for p in reversed(paths) if p.exists()]
    assert recent_projects() == expected
    new = tmp_path / "new.frisat"
    new.write_bytes(b"")
    remember_project(new, when=T0 + timedelta(hours=1))
    assert recent_projects() == [new, *expected], "the vanished entries made room"
    stored = json.loads((isolated_home / RECENT_FILE).read_text("utf-8"))
    assert len(stored["projects"]) == MAX_RECENT - 1


def test_kept_in_user_data_folder_as_json_atomically(tmp_path, isolated_home):
    (a,) = make_files(tmp_path, 1)
    remember_project(a, when=T0)
    stored = json.loads((isolated_home / RECENT_FILE).read_text("utf-8"))
    assert stored == {
        "projects": [{"path": str(a.resolve()), "opened": "2025-03-01T09:00:00+00:00"}]
    }
    assert sorted(p.name for p in isolated_home.iterdir()) == [RECENT_FILE], "no temp file left"


def test_damaged_list_reads_as_empty_and_is_replaced(tmp_path, isolated_home):
    (isolated_home / RECENT_FILE).write_text("{not json", "utf-8")
    assert recent_projects() == []
    (a,) = make_files(tmp_path, 1)
    remember_project(a)
    assert recent_projects() == [a]


def test_a_damaged_entry_hides_only_itself(tmp_path, isolated_home):
    a, b = make_files(tmp_path, 2)
    data = {
        "projects": [
            {"path": str(a), "opened": "2025-03-01T10:00:00+00:00"},
            {"path": str(b), "opened": "yesterday"},
            {"opened": "2025-03-01T09:00:00+00:00"},
        ]
    }
    (isolated_home / RECENT_FILE).write_text(json.dumps(data), "utf-8")
    assert recent_projects() == [a]


def test_no_textual_import():
    code = "import sys, frisat_qual.recent; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
