"""`check_project` on copies of the demo project, each broken in one way: by damaged,
truncated or foreign bytes, or by rows written with raw SQL past frisat-qual's rules. Each
problem must come back as the right sentence; a clean project as none, untouched."""

from __future__ import annotations

import random
import shlex
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from frisat_qual.exchange.backup import (
    backup_project,
    check_project,
    restore_backup,
    rolling_backup,
)
from frisat_qual.store import open_project
from frisat_qual.store.integrity import ERROR, WARNING, CheckReport

ALL_CHECKS = [
    "integrity",
    "foreign keys",
    "schema",
    "search index",
    "documents",
    "codings",
    "turns and segments",
    "codebook",
    "survey ratings",
    "memos",
    "decisions",
    "journal",
]


@pytest.fixture
def demo(demo_project_path, tmp_path) -> Path:
    """A copy in a folder whose name needs quoting in an SQLite URI."""
    path = tmp_path / "min studie #2?" / "demo.frisat"
    path.parent.mkdir()
    shutil.copy(demo_project_path, path)
    return path


def raw_sql(path: Path, *statements: str, foreign_keys: bool = False) -> None:
    """Change the file behind frisat-qual's back (no foreign keys, no CHECKs)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def only_problem(report: CheckReport, severity: str = ERROR):
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    problem = report.problems[0]
    assert problem.severity == severity
    return problem


def overwrite_page(path: Path, table: str, *, at: int, size: int, nth: int = 3) -> int:
    """Write `size` 0xff bytes `at` bytes into a leaf page of `table`; returns the page."""
    page = leaf_page(path, table, nth)
    with open(path, "r+b") as f:
        f.seek((page - 1) * 4096 + at)
        f.write(b"\xff" * size)
    return page


def leaf_page(path: Path, table: str, nth: int = 3) -> int:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        return conn.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf'"
            " ORDER BY pageno LIMIT 1 OFFSET ?",
            [table, nth],
        ).fetchone()[0]


def test_a_clean_project_has_no_problems_and_is_left_exactly_as_it_was(demo):
    before = demo.read_bytes()
    report = check_project(demo)
    assert report.problems == [] and report.ok
    assert report.passed == ALL_CHECKS
    assert report.documents > 100 and report.codings > 500
    assert report.schema.endswith("(current)")
    assert demo.read_bytes() == before
    assert sorted(p.name for p in demo.parent.iterdir()) == ["demo.frisat"], "no -wal/-shm left"


def test_checking_a_project_open_in_another_window(demo):
    """The check reads the committed state and leaves the other window's files alone."""
    other = open_project(demo)
    other.conn.execute("BEGIN IMMEDIATE")
    other.conn.execute('UPDATE codings SET "end" = 10000000 WHERE id = 1')
    try:
        report = check_project(demo)
        assert report.problems == [], "uncommitted changes are not seen"
        assert Path(f"{demo}-wal").exists()
    finally:
        other.conn.execute("ROLLBACK")
        other.close()


def test_ff_bytes_over_a_btree_page_are_reported_as_damage_to_that_data(demo):
    page = overwrite_page(demo, "codings", at=200, size=1000)
    report = check_project(demo)
    assert not report.ok
    damage = report.errors[0]
    assert damage.where == f"file page {page}"
    assert "The file is damaged where it keeps the codings" in damage.message
    assert "No backups were found next to it" in damage.fix
    assert "On tree page" in damage.raw, "SQLite's own words are kept"
    assert "integrity" not in report.passed


def test_random_bytes_from_page_3_onward_are_reported_and_a_backup_is_named(demo):
    made = backup_project(demo)
    rng = random.Random(20250304)
    with open(demo, "r+b") as f:
        f.seek(2 * 4096)
        f.write(bytes(rng.randrange(256) for _ in range(20 * 4096)))
    report = check_project(demo)
    assert not report.ok
    assert any(p.message.startswith("The file is damaged") for p in report.errors)
    command = f"frisat-qual restore {shlex.quote(str(made))} {shlex.quote(str(demo))} --force"
    assert all(command in p.fix for p in report.errors), "quoted for the shell"


def test_a_damaged_index_is_told_apart_from_damaged_data(demo):
    overwrite_page(demo, "codings_code", nth=2, at=200, size=1000)
    report = check_project(demo)
    damage = report.errors[0]
    assert damage.where.startswith("index codings_code")
    assert "An index (a look-up aid SQLite keeps beside the codings) is damaged" in damage.message


def test_a_truncated_file(demo):
    size = demo.stat().st_size
    with open(demo, "r+b") as f:
        f.truncate(size // 2)
    problem = only_problem(check_project(demo))
    assert problem.message.startswith(
        f"The file is cut short: it has {size // 2:,} bytes but should have {size:,}"
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"I: Hvad er nyt?\n\nR: Vi moedes oftere.\n" * 50, "not an SQLite database"),
        (b"", "The file is empty"),
        (b"SQLite format 3\x00" + b"\x10\x00", "cut short: it ends inside its header"),
    ],
)
def test_a_file_that_is_no_database(tmp_path, content, words):
    path = tmp_path / "interview.frisat"
    path.write_bytes(content)
    problem = only_problem(check_project(path))
    assert words in problem.message
    assert path.read_bytes() == content


def test_a_database_that_is_no_project_and_a_missing_file(tmp_path):
    path = tmp_path / "andet.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("CREATE TABLE notes (x)")
    assert "not a frisat-qual project" in only_problem(check_project(path)).message
    assert "There is no such file" in only_problem(check_project(tmp_path / "x.frisat")).message


def test_a_coding_beyond_its_documents_end(demo):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        coding, name, length = conn.execute(
            "SELECT c.id, d.name, length(d.text) FROM codings c"
            " JOIN documents d ON d.id = c.document_id ORDER BY c.id LIMIT 1"
        ).fetchone()
    raw_sql(demo, f'UPDATE codings SET "end" = {length + 40} WHERE id = {coding}')
    problem = only_problem(check_project(demo))
    assert problem.where == f"document {name!r}, coding {coding}"
    assert problem.message == (
        f"Coding {coding} ends at character {length + 40}, beyond the end of the text"
        f" ({length} characters)."
    )
    assert f"frisat-qual uncode PROJECT {coding}" in problem.fix


def test_a_coding_with_a_backwards_span(demo):
    raw_sql(demo, 'UPDATE codings SET start = 50, "end" = 10 WHERE id = 7')
    report = check_project(demo)
    messages = [p.message for p in report.errors]
    assert messages == ["Coding 7 has an empty or backwards span (50:10)."]


def test_a_dangling_code_id(demo):
    raw_sql(demo, "UPDATE codings SET code_id = 'tema.forsvundet' WHERE id IN (3, 4)")
    problem = only_problem(check_project(demo))
    assert problem.message == (
        "2 codings use a code that is not in the codebook (code 'tema.forsvundet')."
    )
    assert problem.where == "codings rows 3, 4"
    assert "frisat-qual codebook add" in problem.fix


def test_codings_of_a_document_that_no_longer_exists(demo):
    raw_sql(
        demo,
        "UPDATE codings SET document_id = 99999 WHERE id IN (1, 2, 3)",
    )
    problem = only_problem(check_project(demo))
    assert problem.message == (
        "3 codings point to a document that no longer exists (document id 99999)."
    )


def test_a_text_changed_behind_frisat_quals_back(demo):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        doc_id, name = conn.execute(
            "SELECT id, name FROM documents WHERE is_current = 1 ORDER BY id LIMIT 1"
        ).fetchone()
    raw_sql(demo, f"UPDATE documents SET text = replace(text, 'e', 'E') WHERE id = {doc_id}")
    problem = only_problem(check_project(demo))
    assert problem.where == f"document {name!r}"
    assert "does not match the fingerprint it was imported with" in problem.message


def test_two_current_versions_of_a_document(demo):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        name = conn.execute("SELECT name FROM documents ORDER BY id LIMIT 1").fetchone()[0]
    raw_sql(
        demo,
        "INSERT INTO documents (name, source_name, format, encoding, text, content_hash,"
        " version, is_current, words, case_id, imported_at)"
        " SELECT name, source_name, format, encoding, text, content_hash, 2, 1, words,"
        f" case_id, imported_at FROM documents WHERE name = '{name}'",
    )
    problem = only_problem(check_project(demo))
    assert problem.message == (
        "2 versions of the document are marked as the current one (versions 1,2);"
        " there must be one."
    )


def test_segments_outside_their_text(demo):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        seg, doc, length = conn.execute(
            "SELECT s.id, s.document_id, length(d.text) FROM segments s"
            " JOIN documents d ON d.id = s.document_id ORDER BY s.id DESC LIMIT 1"
        ).fetchone()
    raw_sql(demo, f'UPDATE segments SET "end" = {length + 5} WHERE id = {seg}')
    messages = [p.message for p in check_project(demo).errors]
    assert any(
        m.startswith("1 segment of the document lies outside its text or out of order")
        for m in messages
    ), messages
    assert "1 segment lies outside the speaker turn it belongs to" in " ".join(messages)


def test_a_survey_rating_off_the_scale(demo):
    raw_sql(demo, "UPDATE survey_ratings SET value = 11 WHERE rowid = 1")
    report = check_project(demo)
    rating = [p for p in report.errors if p.where == "survey_ratings"]
    assert len(rating) == 1
    assert rating[0].message.startswith("1 survey rating is not on the 1-10 scale")


def test_codes_without_an_active_codebook_is_a_warning(demo):
    raw_sql(demo, "UPDATE codebooks SET active = 0")
    report = check_project(demo)
    problem = only_problem(report, WARNING)
    assert "no active codebook" in problem.message
    assert report.ok, "warnings alone do not fail the check"


def test_a_memo_on_a_coding_that_is_gone_and_a_broken_journal_entry(demo):
    raw_sql(
        demo,
        "INSERT INTO memos (target_type, target_id, author, text, created, updated)"
        " VALUES ('coding', '999999', 'ann', 'vigtig pointe', 'x', 'x')",
        "INSERT INTO journal (coder, kind, label, changes, undone, created)"
        " VALUES ('ann', 'code', 'apply', '{not json', 0, 'x')",
    )
    report = check_project(demo)
    assert report.ok
    memo, journal = report.problems
    assert memo.severity == journal.severity == WARNING
    assert "1 memo is written on a coding that no longer exists" in memo.message
    assert "on coding '999999'" in memo.message
    assert journal.message.startswith("1 journal entry of the undo history cannot be read")


def test_a_search_index_out_of_step(demo):
    """A segment added by raw SQL (the index is filled by the importer, not a trigger)."""
    raw_sql(
        demo,
        'INSERT INTO segments (document_id, turn_id, idx, start, "end", text, lemmas)'
        " SELECT document_id, turn_id, idx + 1, \"end\", \"end\", '', '' FROM segments"
        " ORDER BY id DESC LIMIT 1",
    )
    problem = only_problem(check_project(demo), WARNING)
    assert problem.where == "the search index"
    assert "1 segment cannot be found by search" in problem.message


def test_a_project_from_a_newer_frisat_qual(demo):
    raw_sql(
        demo,
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('frisat_qual', 'm999_future', '2030-01-01')",
    )
    report = check_project(demo)
    problem = only_problem(report, WARNING)
    assert "saved by a newer frisat-qual (schema step 'm999_future')" in problem.message
    assert "newer than this frisat-qual" in report.schema


def test_check_progress_names_each_check(demo):
    seen = []
    check_project(demo, progress=lambda done, total, name: seen.append((done, total, name)))
    assert [name for _, _, name in seen] == [*ALL_CHECKS, "done"]
    assert seen[-1][:2] == (len(ALL_CHECKS), len(ALL_CHECKS))


def test_a_search_index_with_other_words_than_the_text(demo):
    """The ids all match; segment 12's index entry holds a word its text does not."""
    raw_sql(
        demo,
        "INSERT INTO segments_fts(segments_fts, rowid, text)"
        " SELECT 'delete', id, text FROM segments WHERE id = 12",
        "INSERT INTO segments_fts(rowid, text) VALUES (12, 'zzzqqq')",
    )
    before = demo.read_bytes()
    report = check_project(demo)
    problem = only_problem(report, WARNING)
    assert problem.where == "the search index"
    assert (
        "the index holds other words than the text for 1 segment (segment id 12)" in problem.message
    )
    assert "search index" not in report.passed
    assert demo.read_bytes() == before, "the check only reads"
    assert sorted(p.name for p in demo.parent.iterdir()) == ["demo.frisat"]

    raw_sql(demo, "INSERT INTO segments_fts(segments_fts) VALUES('rebuild')")  # the advice
    assert check_project(demo).problems == []


def test_a_document_without_a_current_version(demo):
    with closing(sqlite3.connect(demo, isolation_level=None)) as conn:
        name = conn.execute("SELECT name FROM documents WHERE id = 1").fetchone()[0]
    raw_sql(demo, "UPDATE documents SET is_current = 0 WHERE id = 1")
    report = check_project(demo)
    problem = only_problem(report)
    assert problem.where == f"document {name!r}"
    assert problem.message.startswith(
        "No version of the document is marked as the current one (versions 1):"
    )
    assert "documents" not in report.passed


def test_the_restore_advice_names_the_newest_backup_that_restore_accepts(demo):
    good = backup_project(demo)
    garbage = backup_project(demo)
    garbage.write_bytes(b"not a database " * 100)
    damaged = rolling_backup(demo, keep=5)
    data = bytearray(damaged.read_bytes())
    data[4096 * 10 : 4096 * 30] = b"\xff" * (4096 * 20)
    damaged.write_bytes(bytes(data))
    kept = restore_backup(good, demo, force=True)  # newest of all: a pre-restore copy
    raw_sql(demo, "UPDATE documents SET is_current = 0 WHERE id = 1")

    fix = only_problem(check_project(demo)).fix
    assert fix == (
        "Restore the newest backup: `frisat-qual restore"
        f" {shlex.quote(str(good))} {shlex.quote(str(demo))} --force`."
    )
    assert str(kept) not in fix

    good.write_bytes(b"")
    fix = only_problem(check_project(demo)).fix
    assert fix.startswith(f"No backup in {good.parent} can be restored")
    assert "restore your own latest copy of the file" in fix


def test_checks_that_need_the_texts_do_not_pass_when_documents_cannot_be_read(demo):
    overwrite_page(demo, "documents", at=100, size=3000)
    report = check_project(demo)
    assert "documents" not in report.passed
    assert "codings" not in report.passed and "turns and segments" not in report.passed
    unread = [p for p in report.errors if "could not read it for these checks" in p.message]
    assert len(unread) == 1
    assert "documents, codings, turns and segments." in unread[0].message
