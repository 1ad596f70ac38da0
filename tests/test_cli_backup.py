"""`backup`, `backups`, `restore` and `check` through click's runner on copies of the demo."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.exchange.backup import backup_folder, backup_keep, list_backups


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def demo(demo_project_path, tmp_path) -> Path:
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    return path


def counts(path: Path) -> tuple[int, int]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return (
            conn.execute("SELECT count(*) FROM documents WHERE is_current = 1").fetchone()[0],
            conn.execute("SELECT count(*) FROM codings").fetchone()[0],
        )


def test_backup_reports_what_it_wrote_and_never_overwrites(demo, tmp_path):
    documents, codings = counts(demo)
    result = run("backup", demo)
    assert result.exit_code == 0, result.output
    (made,) = list(backup_folder(demo).iterdir())
    assert result.output.startswith(
        f"Backed up {demo} to {made} ({documents} documents, {codings} codings, "
    )
    out = tmp_path / "kopi.frisat"
    assert run("backup", demo, "-o", out).exit_code == 0
    again = run("backup", demo, "-o", out)
    assert again.exit_code == 1
    assert (
        again.output == f"Error: {out}: a file of that name exists already; choose another name\n"
    )


def test_backup_keep_sets_the_number_of_automatic_backups(demo):
    result = run("backup", demo, "--keep", "2")
    assert result.exit_code == 0, result.output
    assert "the last 2 are kept" in result.output
    assert backup_keep(demo) == 2
    assert "Automatic backups are off" in run("backup", demo, "--keep", "0").output
    assert backup_keep(demo) == 0
    assert run("backup", demo, "--keep", "-1").exit_code == 2


def test_backups_lists_newest_first(demo):
    empty = run("backups", demo)
    assert empty.exit_code == 0
    assert empty.output.startswith(f"No backups of {demo} yet")
    run("backup", demo)
    run("backup", demo)
    result = run("backups", demo)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Backups of {demo} in {backup_folder(demo)}, newest first:"
    assert lines[1].split() == [
        "created", "(UTC)", "kind", "size", "schema", "documents", "codings", "file",
    ]  # fmt: skip
    names = [b.path.name for b in list_backups(demo)]
    assert [line.split()[-1] for line in lines[2:4]] == names
    documents, codings = counts(demo)
    cells = lines[2].split()
    assert (
        cells[2] == "manual" and cells[4] == "MB" and cells[6:8] == [str(documents), str(codings)]
    )
    assert (
        lines[-1] == "Automatic backups (made when the TUI opens the project): the last 5 are kept"
    )


def test_restore_needs_force_and_keeps_the_replaced_project(demo):
    run("backup", demo)
    (made,) = list(backup_folder(demo).iterdir())
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        conn.execute("DELETE FROM codings WHERE id % 3 = 0")
    refused = run("restore", made, demo)
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: {demo}: a project of that name exists; add --force")
    assert len(refused.output.splitlines()) == 1
    result = run("restore", made, demo, "--force")
    assert result.exit_code == 0, result.output
    documents, codings = counts(made)
    assert result.output.splitlines()[0] == (
        f"Restored {demo} from {made} ({documents} documents, {codings} codings)"
    )
    (kept,) = [b.path for b in list_backups(demo) if b.kind == "pre-restore"]
    assert result.output.splitlines()[1] == f"The project it replaced is kept as {kept}"
    assert counts(demo) == (documents, codings) != counts(kept)


def test_check_a_clean_project(demo):
    result = run("check", demo)
    assert result.exit_code == 0, result.output
    documents, codings = counts(demo)
    assert result.output.startswith(
        f"No problems found in {demo} ({documents} documents, {codings} codings; schema "
    )
    assert "integrity ok, foreign keys ok, search index ok" in result.output
    data = json.loads(run("check", demo, "--json").output)
    assert data["ok"] is True and data["problems"] == [] and data["documents"] == documents


def test_check_a_corrupted_project_exits_1_with_words(demo):
    run("backup", demo)
    (made,) = list(backup_folder(demo).iterdir())
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        page = conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'segments' AND pagetype = 'leaf'"
            " ORDER BY pageno LIMIT 1 OFFSET 10"
        ).fetchone()[0]
    with open(demo, "r+b") as f:
        f.seek((page - 1) * 4096 + 300)
        f.write(b"\xff" * 2000)
    result = run("check", demo)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        f"error: file page {page}: The file is damaged where it keeps the segments"
    )
    assert lines[1] == (
        "  what to do: Do not work on this file. Restore the newest backup:"
        f" `frisat-qual restore {made} {demo} --force`."
    )
    assert lines[2].startswith("  SQLite said: On tree page")
    # the search index check compares the segments' words, so it cannot pass either
    assert (
        "could not read it for these checks: foreign keys, search index, turns and segments"
        in lines[3]
    )
    assert lines[-1].startswith(f"2 errors, 0 warnings in {demo}; passed: schema, documents")
    data = json.loads(run("check", demo, "--json").output)
    assert data["ok"] is False and data["problems"][0]["severity"] == "error"

    # the advice works: restoring the named backup gives a clean project
    assert run("restore", made, demo, "--force").exit_code == 0
    assert run("check", demo).exit_code == 0


def test_check_warnings_only_exit_0_and_a_missing_file_exits_1(demo, tmp_path):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        conn.execute("UPDATE codebooks SET active = 0")
    result = run("check", demo)
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("warning: codebooks: The project has")
    assert result.output.splitlines()[-1].startswith(f"0 errors, 1 warning in {demo}")
    missing = run("check", tmp_path / "x.frisat")
    assert missing.exit_code == 1
    assert "There is no such file" in missing.output
    not_sqlite = tmp_path / "noter.frisat"
    not_sqlite.write_text("I: Hvad er nyt?\n")
    result = run("check", not_sqlite)
    assert result.exit_code == 1
    assert "not an SQLite database" in result.output


def test_a_project_with_another_suffix_sees_only_its_own_backups(demo):
    other = demo.with_suffix(".db")
    shutil.copy(demo, other)
    assert run("backup", demo).exit_code == 0
    assert run("backup", other).exit_code == 0
    (mine,) = list_backups(demo)
    (theirs,) = list_backups(other)
    listed = run("backups", other).output
    assert theirs.path.name in listed and mine.path.name not in listed
    with closing(sqlite3.connect(other, isolation_level=None)) as conn:
        conn.execute("UPDATE documents SET is_current = 0 WHERE id = 1")
    result = run("check", other)
    assert result.exit_code == 1
    assert f"`frisat-qual restore {theirs.path} {other} --force`" in result.output
    assert str(mine.path) not in result.output


def test_restore_from_a_file_that_is_no_project(tmp_path):
    notes = tmp_path / "notproj.txt"
    notes.write_text("I: Hvad er nyt?\n\nR: Vi moedes oftere.\n")
    result = run("restore", notes, tmp_path / "ny.frisat")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {notes}: not a frisat-qual project (not an SQLite database); choose a backup"
        " file (`frisat-qual backups PROJECT` lists them)\n"
    )
    assert not (tmp_path / "ny.frisat").exists()


def test_restore_names_a_stray_log_it_set_aside(demo, tmp_path):
    """A project deleted with its -wal left beside it: the restore says the log was kept
    and not applied, instead of calling it the project it replaced."""
    assert run("backup", demo).exit_code == 0
    (made,) = list(backup_folder(demo).iterdir())
    wal = Path(f"{demo}-wal")
    demo.unlink()
    wal.write_bytes(b"an old log of another file")
    result = run("restore", made, demo)
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()
    assert first.startswith(f"Restored {demo} from {made}")
    assert second.startswith(f"SQLite's log left beside {demo} by an earlier file")
    kept = Path(second.rsplit(" ", 1)[1])
    assert kept.read_bytes() == b"an old log of another file" and not wal.exists()
    assert counts(demo) == counts(made)
