"""The project store: creation, WAL, migrations, transactions, search, refusal of bad files."""

from __future__ import annotations

import sqlite3

import pytest

from frisat_qual.errors import FrisatError, NotFound, ProjectError
from frisat_qual.models import ParsedTurn
from frisat_qual.store import create_project, open_project
from frisat_qual.store.cases import list_cases, upsert_case
from frisat_qual.store.documents import (
    get_document,
    insert_document,
    list_documents,
    search_segments,
    segments_of,
    set_interviewer,
    speakers_of,
    turns_of,
)
from frisat_qual.store.schema import MIGRATIONS, schema_version


def _add_doc(project, name="k1_leder", text="I: Hvad gør I?\n\nR: Vi dokumenterer mindre nu."):
    with project.transaction():
        case = upsert_case(project, name, {"rolle": "leder", "kommune": "kommune 1"})
        return insert_document(
            project,
            name=name,
            source_name=f"{name}.txt",
            format="txt",
            encoding="utf-8",
            text=text,
            content_hash=str(hash(text)),
            words=7,
            case_id=case,
            turns=[ParsedTurn("I", 3, 14, 0, 1), ParsedTurn("R", 19, len(text), 16, 17)],
            roles={"I": "interviewer", "R": "informant"},
            segments=[
                (0, 3, 14, "hvad gøre i"),
                (1, 19, len(text), "vi dokumentere lille nu"),
            ],
        )


def test_new_project_uses_wal_and_full_sync(tmp_path):
    project = create_project(tmp_path / "p.frisat")
    assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert schema_version(project.db) == len(MIGRATIONS._migrations)
    project.close()


def test_create_refuses_existing_file(tmp_path):
    (tmp_path / "p.frisat").write_text("x")
    with pytest.raises(ProjectError, match="exists already"):
        create_project(tmp_path / "p.frisat")


def test_open_refuses_non_project_and_corrupt_files(tmp_path):
    junk = tmp_path / "junk.frisat"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(ProjectError, match="not a frisat-qual project"):
        open_project(junk)
    other = tmp_path / "other.frisat"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE x (a)")
    conn.close()
    with pytest.raises(ProjectError, match="no documents table"):
        open_project(other)
    with pytest.raises(ProjectError, match="no such project"):
        open_project(tmp_path / "missing.frisat")


def test_open_refuses_newer_schema(tmp_path):
    project = create_project(tmp_path / "p.frisat")
    project.db["_sqlite_migrations"].insert(
        {"migration_set": "frisat_qual", "name": "m999_future", "applied_at": "2030-01-01"}
    )
    project.close()
    with pytest.raises(ProjectError, match="newer frisat-qual"):
        open_project(tmp_path / "p.frisat")


def _old_project(path):
    """A project file at schema version 1, as an early frisat-qual made it."""
    import sqlite_utils

    db = sqlite_utils.Database(path)
    MIGRATIONS.apply(db, stop_before="m002_journal")
    db.close()


def test_migrations_apply_forward_on_open(tmp_path):
    """A project of an older schema gets every later migration on open, keeping its data."""
    path = tmp_path / "old.frisat"
    _old_project(path)
    import sqlite_utils

    db = sqlite_utils.Database(path)
    assert schema_version(db) == 1 and "journal" not in db.table_names()
    db["cases"].insert({"name": "k1_leder"})
    db.close()
    reopened = open_project(path)  # opening applies the pending migrations
    assert schema_version(reopened.db) == len(MIGRATIONS._migrations) >= 3
    assert {"journal", "suggestions"} <= set(reopened.db.table_names())
    assert [c.name for c in list_cases(reopened)] == ["k1_leder"]
    reopened.close()


def test_failed_migration_leaves_project_as_it_was(tmp_path):
    path = tmp_path / "old.frisat"
    _old_project(path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE journal (x)")  # in the way of m002: it must fail cleanly
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="could not upgrade"):
        open_project(path)
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
    columns = [r[1] for r in conn.execute("PRAGMA table_info(journal)")]
    conn.close()
    assert names == ["m001_initial"] and columns == ["x"]


def test_transaction_rolls_back_everything_on_error(project):
    with pytest.raises(RuntimeError), project.transaction():
        upsert_case(project, "a", {"rolle": "leder"})
        raise RuntimeError("boom")
    assert list_cases(project) == []


def test_document_turns_segments_roundtrip(project):
    doc_id = _add_doc(project)
    doc = get_document(project, "k1_leder")
    assert doc.id == doc_id and doc.version == 1 and doc.is_current
    assert [t.speaker for t in turns_of(project, doc_id)] == ["I", "R"]
    segs = segments_of(project, doc_id)
    assert segs[1].text == "Vi dokumenterer mindre nu."
    assert speakers_of(project, doc_id) == {"I": "interviewer", "R": "informant"}
    set_interviewer(project, doc_id, "R")
    assert speakers_of(project, doc_id) == {"I": "informant", "R": "interviewer"}
    with pytest.raises(NotFound, match="speakers: I, R"):
        set_interviewer(project, doc_id, "X")


def test_new_version_keeps_old_and_marks_current(project):
    first = _add_doc(project)
    second = _add_doc(project, text="I: Hvad nu?\n\nR: Vi dokumenterer mindre nu igen.")
    docs = list_documents(project, include_old=True)
    assert [(d.id, d.version, d.is_current) for d in docs] == [(first, 1, False), (second, 2, True)]
    assert get_document(project, "k1_leder@1").id == first
    assert get_document(project, "k1_leder").id == second


def test_full_text_search_prefix_and_danish_letters(project):
    _add_doc(project, text="I: Hvad gør I?\n\nR: Vi dokumenterer mindre, og tilliden er større.")
    hits = search_segments(project, "dokument")
    assert len(hits) == 1 and "dokumenterer" in hits[0].text
    assert search_segments(project, "større")
    assert not search_segments(project, "storre"), "ø must not fold to o"
    with pytest.raises(FrisatError, match="search"):
        search_segments(project, '"unbalanced')


def test_an_empty_file_is_not_made_a_project(tmp_path):
    """A 0-byte file may be a project truncated by a full disk: refuse it, and leave it be."""
    empty = tmp_path / "studie.frisat"
    empty.write_bytes(b"")
    with pytest.raises(ProjectError, match="empty .0 bytes.*frisat-qual backups studie.frisat"):
        open_project(empty)
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["studie.frisat"]
