"""Backups on copies of the demo project: made with the online backup API while another
connection is writing, verified, named by time and kind, never overwriting; rolling
backups that keep the last N and skip unchanged projects; restore with its safety copy and
its refusal to replace a project that is in use."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
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
    check_project,
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
    # a healthy replaced project is one whole file: no log files kept beside it
    assert sorted(
        p.name for p in backup_folder(demo).iterdir() if p.name.startswith(kept.name)
    ) == [kept.name]
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


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def stale_log_of(path: Path) -> dict[str, bytes]:
    """The -wal and -shm of a session that deleted the reference coding and was never
    checkpointed (a crash, or a file deleted while it was open)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("DELETE FROM codings WHERE coder = 'reference'")
        return {s: Path(f"{path}{s}").read_bytes() for s in ("-wal", "-shm")}
    finally:
        conn.close()


def test_restore_where_only_a_stale_wal_is_left_holds_the_backups_data(demo):
    """A damaged project was deleted, its -wal stayed: SQLite must not replay that log
    onto the restored file. The log is kept in the backup folder, not deleted."""
    made = backup_project(demo)
    log = stale_log_of(demo)
    assert len(log["-wal"]) > 4096
    demo.unlink()
    for suffix, data in log.items():
        Path(f"{demo}{suffix}").write_bytes(data)

    kept = restore_backup(made, demo)
    assert coding_keys(demo) == coding_keys(made), "exactly the backup's codings"
    assert check_project(demo).ok
    assert beside(demo) == ["demo.frisat"]
    assert kept is not None and kept.parent == backup_folder(demo)
    assert kept.name.startswith("demo-leftover-") and kept.name.endswith(".frisat-wal")
    assert kept.read_bytes() == log["-wal"], "kept as it was"
    assert Path(str(kept).removesuffix("-wal") + "-shm").read_bytes() == log["-shm"]
    assert not Path(str(kept).removesuffix("-wal")).exists(), "pairs with no database"
    assert [b.path for b in list_backups(demo)] == [made], "not taken for a backup"


def test_restore_refuses_while_the_stray_log_is_still_open_elsewhere(demo):
    """The project was deleted under a program that still has it open: its log is live."""
    made = backup_project(demo)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1])\n"
            "c.execute('SELECT count(*) FROM codings').fetchone()\n"
            "print('open', flush=True)\n"
            "time.sleep(120)\n",
            str(demo),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        demo.unlink()
        with pytest.raises(ProjectError, match="still open in another window or program"):
            restore_backup(made, demo)
        assert not demo.exists()
        assert beside(demo) == ["demo.frisat-shm", "demo.frisat-wal"], "left alone"
    finally:
        holder.kill()
        holder.wait()
    assert restore_backup(made, demo) is None, "an empty log is moved, not reported"
    assert coding_keys(demo) == coding_keys(made)


def test_projects_with_the_same_stem_keep_their_backups_apart(demo):
    other = demo.with_suffix(".db")
    shutil.copy(demo, other)
    mine = rolling_backup(demo, keep=1)
    manual = backup_project(demo)
    theirs = []
    for n in range(2):
        add_coding(other, coder=f"other{n}")
        theirs.append(rolling_backup(other, keep=1))

    assert mine.parent == backup_folder(demo) == demo.parent / "demo-backups", "as before"
    assert mine.name.startswith("demo-auto-") and mine.suffix == ".frisat"
    assert backup_folder(other) == demo.parent / "demo.db-backups"
    assert theirs[1].parent == backup_folder(other)
    assert theirs[1].name.startswith("demo.db-auto-") and theirs[1].suffix == ".db"
    assert mine.exists() and manual.exists(), "rotating demo.db left demo.frisat's alone"
    assert not theirs[0].exists(), "demo.db's own rotation works"
    assert [b.path for b in list_backups(demo)] == [manual, mine]
    assert [(b.path, b.kind) for b in list_backups(other)] == [(theirs[1], AUTO)]
    assert read_backup(theirs[1]).kind == AUTO
    assert stats(theirs[1]) == stats(other)


def test_a_backup_killed_mid_copy_is_removed_by_the_next_one(demo, tmp_path):
    script = tmp_path / "slow_backup.py"
    script.write_text(
        "import sys, time\n"
        "from frisat_qual.store import integrity\n"
        "from frisat_qual.exchange.backup import backup_project\n"
        "integrity.COPY_STEP_PAGES = 20\n"
        "def slow(done, total, name):\n"
        "    if done:\n"
        "        print('copying', flush=True)\n"
        "        time.sleep(120)\n"
        "backup_project(sys.argv[1], progress=slow)\n"
    )
    copier = subprocess.Popen(
        [sys.executable, str(script), str(demo)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert copier.stdout.readline() == "copying\n"
    finally:
        copier.send_signal(signal.SIGKILL)
        copier.wait()
    folder = backup_folder(demo)
    left = hidden(folder)
    assert left and left[0].startswith(f".demo.frisat.{copier.pid}-"), left

    made = backup_project(demo)
    assert hidden(folder) == [], "the killed copy's files are gone"
    assert [b.path for b in list_backups(demo)] == [made]


def test_a_rolling_backup_removes_only_the_temporaries_of_processes_gone(demo):
    first = rolling_backup(demo, keep=5)
    folder = backup_folder(demo)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = int(gone.stdout)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        names = {
            "dead": f".demo.frisat.{dead}-abcd1234.tmp",
            "dead journal": f".demo.frisat.{dead}-abcd1234.tmp-journal",
            "old style": ".demo-k2j4h5g6.tmp",
            "old style journal": ".demo-k2j4h5g6.tmp-journal",
            "running": f".demo.frisat.{running.pid}-efgh5678.tmp",
            "this process": f".demo.frisat.{os.getpid()}-ijkl9012.tmp",
            "new old style": ".demo-m3n4b5v6.tmp",
            "another project": f".demo.db.{dead}-abcd1234.tmp",
        }
        day_ago = time.time() - 2 * 24 * 3600
        for key, name in names.items():
            (folder / name).write_bytes(b"part of a copy")
            if key.startswith("old style"):
                os.utime(folder / name, (day_ago, day_ago))
        assert rolling_backup(demo, keep=5) is None, "unchanged: no new backup, but tidied"
        assert hidden(folder) == sorted(
            names[k] for k in ("running", "this process", "new old style", "another project")
        )
    finally:
        running.kill()
        running.wait()
    assert [b.path for b in list_backups(demo)] == [first]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"I: Hvad er nyt?\n\nR: Vi moedes oftere.\n", "not a frisat-qual project (not an SQLite"),
        (b"", "the file is empty (0 bytes); it holds no project"),
    ],
)
def test_restore_from_a_file_that_is_no_project_says_so(demo, tmp_path, content, words):
    notes = tmp_path / "notproj.txt"
    notes.write_bytes(content)
    target = tmp_path / "ny.frisat"
    with pytest.raises(ProjectError) as caught:
        restore_backup(notes, target)
    assert words in str(caught.value) and "damaged" not in str(caught.value)
    assert not target.exists()
    before = demo.read_bytes()
    with pytest.raises(ProjectError, match="not a frisat-qual project|holds no project"):
        restore_backup(notes, demo, force=True)
    assert demo.read_bytes() == before
