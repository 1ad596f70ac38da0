"""Row-level copying between project files, for merging two projects (exchange/merge.py).

The merge keeps what the store's use-case functions would change: version numbers, import
and creation times, coders and origins; so it reads and writes whole rows here instead.
`snapshot_project` copies a project file with SQLite's online backup API from a plain
reading connection, so the source is never migrated or written, and a project open in
another window is copied as one consistent, committed state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from frisat_qual.errors import ProjectError
from frisat_qual.store.project import BUSY_TIMEOUT_MS, Project
from frisat_qual.store.schema import MIGRATIONS

#: Tables the merge reads and writes, with the column that orders their rows.
_TABLES = {
    "settings": "key",
    "audit_allow": "term",
    "codebooks": "id",
    "codes": "sort_order, id",
    "cases": "id",
    "case_attributes": "case_id, name",
    "documents": "id",
    "codings": "id",
    "memos": "id",
    "survey_waves": "id",
    "respondents": "id",
    "survey_ratings": "rowid",
    "survey_comments": "rowid",
    "suggestions": "id",
    "journal": "id",
    "suggest_models": "id",
    "resolutions": "id",
}
#: Tables of SQLite itself, the migrations record and the full-text index's shadow tables:
#: never user data of their own.
_INTERNAL_PREFIXES = ("sqlite_", "_sqlite_migrations", "segments_fts")


def _table(table: str) -> str:
    if table not in _TABLES:
        raise ValueError(f"table {table!r} is not copied by merges")
    return f'"{table}"'


def snapshot_project(source: Path, dest: Path) -> None:
    """Copy the project file `source` to the new file `dest` as it stands now.

    Refuses (ProjectError naming `source`) a file that is not a frisat-qual project or was
    made by a newer frisat-qual. The copy is not migrated: open it with `open_project`.
    """
    if not source.is_file():
        raise ProjectError(f"{source}: no such project file")
    try:
        conn = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:  # pragma: no cover - e.g. a folder without permission
        raise ProjectError(f"{source}: cannot be opened ({exc})") from None
    try:
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{source}: not a frisat-qual project ({exc})") from None
        if "documents" not in tables:
            raise ProjectError(f"{source}: not a frisat-qual project (no documents table)")
        known = {m.name for m in MIGRATIONS._migrations}
        applied = []
        if MIGRATIONS.migrations_table in tables:
            applied = [
                r[0]
                for r in conn.execute(
                    f"SELECT name FROM {MIGRATIONS.migrations_table} WHERE migration_set = ?",
                    [MIGRATIONS.name],
                )
            ]
        unknown = [name for name in applied if name not in known]
        if unknown:
            raise ProjectError(
                f"{source}: made by a newer frisat-qual (schema step {unknown[0]!r});"
                " please upgrade"
            )
        target = sqlite3.connect(str(dest))
        try:
            conn.backup(target)
        except sqlite3.Error as exc:
            raise ProjectError(f"{source}: could not be copied ({exc})") from None
        finally:
            target.close()
    finally:
        conn.close()


def rows_of(project: Project, table: str) -> list[dict[str, Any]]:
    """Every row of `table` (one the merge copies) as a dict, in a stable order."""
    cur = project.conn.execute(f"SELECT * FROM {_table(table)} ORDER BY {_TABLES[table]}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def document_rows(project: Project) -> list[dict[str, Any]]:
    """Every document version with its metadata (not its text), by name and version."""
    cur = project.conn.execute(
        "SELECT id, name, source_name, format, encoding, content_hash, version, is_current,"
        " words, case_id, imported_at FROM documents ORDER BY name, version"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def insert_row(project: Project, table: str, values: Mapping[str, Any]) -> int:
    """Insert one row; returns its rowid. Call inside a transaction."""
    cols = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    cur = project.conn.execute(
        f"INSERT INTO {_table(table)} ({cols}) VALUES ({marks})", list(values.values())
    )
    return cur.lastrowid


def insert_rows(project: Project, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows that all have the same columns. Call inside a transaction."""
    if not rows:
        return
    columns = list(rows[0])
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    project.conn.executemany(
        f"INSERT INTO {_table(table)} ({cols}) VALUES ({marks})",
        [[row[c] for c in columns] for row in rows],
    )


def update_row(
    project: Project, table: str, key: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Set `values` on the row whose columns equal `key`. Call inside a transaction."""
    sets = ", ".join(f'"{c}" = ?' for c in values)
    where = " AND ".join(f'"{c}" = ?' for c in key)
    project.conn.execute(
        f"UPDATE {_table(table)} SET {sets} WHERE {where}", [*values.values(), *key.values()]
    )


def copy_document(
    source: Project, target: Project, document_id: int, values: Mapping[str, Any]
) -> tuple[int, dict[int, int]]:
    """Copy document `document_id` of `source` with its turns and segments into `target`.

    `values` overrides the document's columns (name, version, is_current, case_id, ...);
    the segments are added to the full-text index as `insert_document` does. Returns the
    new document id and the new id of each copied segment. Call inside a transaction of
    `target`.
    """
    cur = source.conn.execute("SELECT * FROM documents WHERE id = ?", [document_id])
    row = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    row.pop("id")
    row.update(values)
    new_id = insert_row(target, "documents", row)
    turn_ids: dict[int, int] = {}
    for turn in _rows(source, "turns", document_id):
        old = turn.pop("id")
        turn["document_id"] = new_id
        turn_ids[old] = _insert(target, "turns", turn)
    segment_ids: dict[int, int] = {}
    for segment in _rows(source, "segments", document_id):
        old = segment.pop("id")
        segment["document_id"] = new_id
        if segment["turn_id"] is not None:
            segment["turn_id"] = turn_ids[segment["turn_id"]]
        segment_ids[old] = _insert(target, "segments", segment)
    target.conn.execute(
        "INSERT INTO segments_fts (rowid, text) SELECT id, text FROM segments"
        " WHERE document_id = ?",
        [new_id],
    )
    return new_id, segment_ids


def segment_keys(project: Project, document_id: int) -> dict[tuple[int, int, int], int]:
    """The segments of a document: (idx, start, end) -> segment id."""
    return {
        (idx, start, end): seg_id
        for seg_id, idx, start, end in project.conn.execute(
            'SELECT id, idx, start, "end" FROM segments WHERE document_id = ?', [document_id]
        )
    }


def _rows(project: Project, table: str, document_id: int) -> list[dict[str, Any]]:
    cur = project.conn.execute(
        f"SELECT * FROM {table} WHERE document_id = ? ORDER BY idx", [document_id]
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def _insert(project: Project, table: str, values: Mapping[str, Any]) -> int:
    cols = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    return project.conn.execute(
        f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values())
    ).lastrowid


def table_sizes(project: Project) -> dict[str, int]:
    """Row counts of the project's own tables (not SQLite's, the migrations record or the
    full-text index's), so a merge can say which tables it did not copy."""
    names = [
        r[0]
        for r in project.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        if not r[0].startswith(_INTERNAL_PREFIXES)
    ]
    return {
        name: project.conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
    }


def foreign_key_problems(project: Project) -> list[str]:
    """Rows whose references point nowhere, as "table row N -> parent" lines."""
    return [
        f"{table} row {rowid} -> {parent}"
        for table, rowid, parent, _ in project.conn.execute("PRAGMA foreign_key_check")
    ]


def same_text(a: Project, a_id: int, b: Project, b_id: int) -> bool:
    """Whether two documents (of two projects) hold exactly the same text."""
    (text_a,) = a.conn.execute("SELECT text FROM documents WHERE id = ?", [a_id]).fetchone()
    (text_b,) = b.conn.execute("SELECT text FROM documents WHERE id = ?", [b_id]).fetchone()
    return text_a == text_b
