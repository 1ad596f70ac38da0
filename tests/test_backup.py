"""Backups on copies of the demo project: made with the online backup API while another
connection is writing, verified, named by time and kind, never overwriting; rolling
backups that keep the last N and skip unchanged projects; restore with its safety copy and
its refusal to replace a project that is in use."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from frisat_qual.errors import ProjectError
from frisat_qual.exchange import backup as backup_module
from frisat_qual.exchange.backup import (
    AUTO,
    MANUAL,
    PRE_RESTORE,
    backup_folder,
    backup_keep,
    backup_project,
    list_backups,
    read_backup,
    restore_backup,
    rolling_backup,
    set_backup_keep,
)
from frisat_qual.store import integrity, open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.memos import write_memo
from frisat_qual.store.stats import project_stats
from frisat_qual.store.suggestions import record_model_run

FIXED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def demo(demo_project_path, tmp_path) -> Path:
    path = tmp_path / "studie" / "demo.frisat"
    path.parent.mkdir()
    shutil.copy(demo_project_path, path)
    return path


@pytest.fixture
def fixed_clock(monkeypatch):
    """Every backup made in the same second, so the -2, -3 names are exercised."""

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return FIXED

    monkeypatch.setattr(backup_module, "datetime", Clock)


def stats(path: Path) -> dict[str, int]:
    with open_project(path) as project:
        return project_stats(project)


def coding_keys(path: Path) -> set[tuple]:
    with open_project(path) as project:
        return {(c.document_id, c.start, c.end, c.code_id, c.coder) for c in query_codings(project)}


def add_coding(path: Path, coder: str = "ann", code: str = "tema.kant") -> None:
    with open_project(path) as project:
        first = query_codings(project, code="tema.kant")[0]
        apply_code(project, first.document_id, first.start, first.end, code, coder)


def beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))


def journal_mode_byte(path: Path) -> int:
    return path.read_bytes()[18]  # 1: rollback journal, 2: WAL


# -- backup ----------------------------------------------------------------------------------


def test_backup_while_another_connection_writes_holds_the_committed_work_only(demo):
    add_coding(demo, coder="committed")
    committed = stats(demo)
    writer = open_project(demo)
    writer.conn.execute("BEGIN IMMEDIATE")
    writer.conn.execute("DELETE FROM codings WHERE coder = 'reference'")
    writer.conn.execute("INSERT INTO settings (key, value) VALUES ('uncommitted', 'yes')")
    try:
        made = backup_project(demo)
    finally:
        writer.conn.execute("ROLLBACK")
        writer.close()

    assert made.parent == backup_folder(demo) == demo.parent / "demo-backups"
    assert made.name.startswith("demo-") and made.suffix == ".frisat"
    datetime.strptime(made.stem.removeprefix("demo-"), "%Y%m%d-%H%M%S")
    assert beside(made) == [made.name], "no -wal, -shm or journal next to the backup"
    assert journal_mode_byte(made) == 1
    assert not [p for p in made.parent.iterdir() if p.name.startswith(".")], "no temp left"
    assert stats(made) == committed
    with closing(sqlite3.connect(made, isolation_level=None)) as conn:
        assert conn.execute("SELECT count(*) FROM codings WHERE coder = 'committed'").fetchone()
        assert (
            conn.execute("SELECT value FROM settings WHERE key = 'uncommitted'").fetchone() is None
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert made.stat().st_mode & 0o777 == demo.stat().st_mode & 0o777


def test_a_commit_made_during_the_copy_is_not_half_copied(demo, monkeypatch):
    """The copy runs in small steps here; another window commits between two of them."""
    monkeypatch.setattr(integrity, "COPY_STEP_PAGES", 40)
    before = stats(demo)
    writer = open_project(demo)
    steps = []

    def step(done: int, total: int, name: str) -> None:
        steps.append(done)
        if len(steps) == 2:
            writer.conn.execute("DELETE FROM codings WHERE coder = 'reference'")

    try:
        made = backup_project(demo, progress=step)
    finally:
        writer.close()
    assert len(steps) > 5 and steps[-1] == max(steps)
    assert stats(made) == before, "the snapshot from the start, whole"
    assert stats(demo)["codings"] < before["codings"]


def test_backup_to_a_named_file_never_overwrites(demo, tmp_path):
    out = tmp_path / "kopi.frisat"
    assert backup_project(demo, out) == out
    before = out.read_bytes()
    add_coding(demo)
    with pytest.raises(ProjectError, match="kopi.frisat: a file of that name exists already"):
        backup_project(demo, out)
    assert out.read_bytes() == before
    with pytest.raises(ProjectError, match="does not exist"):
        backup_project(demo, tmp_path / "mangler" / "kopi.frisat")
    with pytest.raises(ProjectError, match="is a folder"):
        backup_project(demo, tmp_path)
    assert read_backup(out).kind == MANUAL


def test_backups_in_the_same_second_are_numbered(demo, fixed_clock):
    names = [backup_project(demo).name for _ in range(3)]
    assert names == [
        "demo-20250304-050607.frisat",
        "demo-20250304-050607-2.frisat",
        "demo-20250304-050607-3.frisat",
    ]
    listed = list_backups(demo)
    assert [b.path.name for b in listed] == names[::-1], "newest first"


def test_backup_of_a_damaged_or_foreign_file_fails_and_leaves_nothing(demo, tmp_path):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        page = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'codings' AND pagetype = 'leaf'"
            " ORDER BY pageno LIMIT 1 OFFSET 3"
        ).fetchone()[0]
    with open(demo, "r+b") as f:
        f.seek((page - 1) * 4096 + 100)
        f.write(b"\xff" * 3000)
    with pytest.raises(ProjectError, match="demo.frisat: the copy failed"):
        backup_project(demo)
    assert list(backup_folder(demo).iterdir()) == []

    other = tmp_path / "andet.db"
    with closing(sqlite3.connect(other, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ProjectError, match="not a frisat-qual project"):
        backup_project(other, tmp_path / "x.frisat")
    assert not (tmp_path / "x.frisat").exists()
    with pytest.raises(ProjectError, match="no such project file"):
        backup_project(tmp_path / "mangler.frisat")


# -- rolling backups ----------------------------------------------------------------------


def test_rolling_backups_keep_the_last_n_and_never_touch_manual_ones(demo):
    manual = backup_project(demo)
    keep = 3
    made = []
    for n in range(keep + 2):
        add_coding(demo, coder=f"coder{n}")
        new = rolling_backup(demo, keep=keep)
        assert new is not None and "-auto-" in new.name
        made.append(new)
    autos = [b.path for b in list_backups(demo) if b.kind == AUTO]
    assert autos == made[::-1][:keep], "the newest N automatic backups stay"
    assert manual.exists()
    assert stats(autos[0]) == stats(demo)

    assert rolling_backup(demo, keep=keep) is None, "nothing changed: no new backup"
    assert [b.path for b in list_backups(demo) if b.kind == AUTO] == autos


def test_rolling_backup_sees_changes_that_keep_every_count(demo):
    """A memo edited in place changes no count or id; the fingerprint still sees it."""
    with open_project(demo) as project:
        write_memo(project, "project", "demo", "first thoughts", author="ann")
    first = rolling_backup(demo, keep=5)
    assert first is not None
    assert rolling_backup(demo, keep=5) is None
    with open_project(demo) as project:
        write_memo(project, "project", "demo", "second thoughts", author="ann")
    second = rolling_backup(demo, keep=5)
    assert second is not None and second != first


def test_a_suggestion_model_run_alone_is_no_change(demo):
    """The TUI records a training run each time it opens a project: no reason to back up."""
    first = rolling_backup(demo, keep=5)
    with open_project(demo) as project:
        record_model_run(project, "m-test", {"folds": 3}, {"cv": {}})
    assert rolling_backup(demo, keep=5) is None
    assert [b.path for b in list_backups(demo)] == [first]


def test_keep_zero_turns_rolling_backups_off(demo):
    assert backup_keep(demo) == 5
    set_backup_keep(demo, 0)
    assert backup_keep(demo) == 0
    add_coding(demo)
    assert rolling_backup(demo) is None
    assert not backup_folder(demo).exists()
    set_backup_keep(demo, 2)
    assert rolling_backup(demo) is not None
    with pytest.raises(ProjectError, match="0 or more"):
        set_backup_keep(demo, -1)


def test_an_unreadable_newest_backup_is_replaced_by_a_new_one(demo, fixed_clock):
    first = rolling_backup(demo, keep=5)
    first.write_bytes(b"not a database")
    second = rolling_backup(demo, keep=5)
    assert second is not None and second.name.endswith("-2.frisat")
    listed = list_backups(demo)
    assert [b.path for b in listed] == [second, first]
    assert listed[1].problem and "not a readable project file" in listed[1].problem
    assert listed[0].documents == stats(demo)["documents"]


def test_list_backups_reads_each_file(demo):
    assert list_backups(demo) == []
    manual = backup_project(demo)
    add_coding(demo)
    auto = rolling_backup(demo, keep=5)
    (backup_folder(demo) / "notes.txt").write_text("not a backup")
    (backup_folder(demo) / "andet-20250101-000000.frisat").write_bytes(b"")
    listed = list_backups(demo)
    assert [(b.path, b.kind) for b in listed] == [(auto, AUTO), (manual, MANUAL)]
    assert listed[0].codings == listed[1].codings + 1
    assert listed[0].schema_version == listed[1].schema_version > 0
    assert all(b.size == b.path.stat().st_size and b.created.tzinfo for b in listed)


# -- restore ---------------------------------------------------------------------------------


def test_restore_over_a_changed_project_brings_the_old_codings_back(demo):
    old = backup_project(demo)
    old_codings = coding_keys(demo)
    with open_project(demo) as project:
        project.conn.execute("DELETE FROM codings WHERE coder = 'reference' AND id % 2 = 0")
    add_coding(demo, coder="later")
    changed = coding_keys(demo)
    assert changed != old_codings

    with pytest.raises(ProjectError, match="exists; add --force"):
        restore_backup(old, demo)
    assert coding_keys(demo) == changed

    kept = restore_backup(old, demo, force=True)
    assert coding_keys(demo) == old_codings
    assert kept is not None and kept.parent == backup_folder(demo)
    assert read_backup(kept).kind == PRE_RESTORE
    assert coding_keys(kept) == changed, "the replaced project was kept"
    assert [b.kind for b in list_backups(demo)].count(PRE_RESTORE) == 1
    assert beside(demo) == ["demo.frisat"]
    with open_project(demo) as project:  # a normal project again
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        apply_code(project, *sorted(old_codings)[0][:3], "tema.kant", "after-restore")


def test_restore_into_a_new_file(demo, tmp_path):
    made = backup_project(demo)
    target = tmp_path / "gendannet.frisat"
    assert restore_backup(made, target) is None
    assert stats(target) == stats(demo)
    assert not backup_folder(target).exists()
    with pytest.raises(ProjectError, match="does not exist"):
        restore_backup(made, tmp_path / "mangler" / "x.frisat")
    with pytest.raises(ProjectError, match="same file"):
        restore_backup(made, made, force=True)


@pytest.mark.parametrize("busy", ["transaction", "idle"])
def test_restore_refuses_a_project_open_elsewhere(demo, busy):
    made = backup_project(demo)
    add_coding(demo)
    before = coding_keys(demo)
    other = open_project(demo)
    if busy == "transaction":
        other.conn.execute("BEGIN IMMEDIATE")
        other.conn.execute("DELETE FROM codings")
    try:
        with pytest.raises(ProjectError, match="open in another window or program"):
            restore_backup(made, demo, force=True)
    finally:
        if busy == "transaction":
            other.conn.execute("ROLLBACK")
        other.close()
    assert coding_keys(demo) == before
    assert [b.kind for b in list_backups(demo)] == [MANUAL], "no safety copy, no temp file"
    assert not [p for p in demo.parent.iterdir() if p.name.startswith(".")]


def test_restore_refuses_a_damaged_backup(demo):
    made = backup_project(demo)
    data = bytearray(made.read_bytes())
    data[4096 * 10 : 4096 * 30] = b"\xff" * (4096 * 20)
    made.write_bytes(bytes(data))
    before = demo.read_bytes()
    with pytest.raises(ProjectError, match="the backup is damaged"):
        restore_backup(made, demo, force=True)
    assert demo.read_bytes() == before


def test_restore_over_a_destroyed_project_keeps_its_bytes(demo):
    made = backup_project(demo)
    demo.write_bytes(b"garbage " * 1000)
    kept = restore_backup(made, demo, force=True)
    assert kept.read_bytes() == b"garbage " * 1000, "the damaged file is kept as it was"
    assert stats(demo) == stats(made)
