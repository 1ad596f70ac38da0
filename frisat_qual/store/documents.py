"""Documents, their speaker turns and segments, and full-text search over segments."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from frisat_qual.errors import NotFound
from frisat_qual.models import Document, ParsedTurn, Segment, Turn
from frisat_qual.store.project import Project

if TYPE_CHECKING:
    import numpy as np

_DOC_COLUMNS = (
    "id, name, source_name, format, version, is_current, content_hash, words, case_id,"
    " imported_at, encoding"
)


def now_utc() -> str:
    """An ISO 8601 UTC timestamp with a Z, as stored everywhere in the project."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _document(row: tuple) -> Document:
    (id_, name, source, fmt, version, current, digest, words, case_id, at, enc) = row
    return Document(id_, name, source, fmt, version, bool(current), digest, words, case_id, at, enc)


def list_documents(project: Project, *, include_old: bool = False) -> list[Document]:
    """Documents by name; only the current version of each unless `include_old`."""
    where = "" if include_old else "WHERE is_current = 1"
    rows = project.conn.execute(
        f"SELECT {_DOC_COLUMNS} FROM documents {where} ORDER BY name, version"
    ).fetchall()
    return [_document(r) for r in rows]


def get_document(project: Project, ref: int | str) -> Document:
    """A document by id, by name (current version) or by 'name@version'."""
    conn = project.conn
    row = None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        row = conn.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", [int(ref)]
        ).fetchone()
    if row is None and isinstance(ref, str):
        name, _, version = ref.rpartition("@") if "@" in ref else (ref, "", "")
        if version.isdigit():
            row = conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE name = ? AND version = ?",
                [name, int(version)],
            ).fetchone()
        else:
            row = conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE (name = ? OR source_name = ?)"
                " ORDER BY is_current DESC, version DESC LIMIT 1",
                [ref, ref],
            ).fetchone()
    if row is None:
        raise NotFound(f"no document {ref!r} in {project.path.name}")
    return _document(row)


def latest_version(project: Project, name: str) -> Document | None:
    row = project.conn.execute(
        f"SELECT {_DOC_COLUMNS} FROM documents WHERE name = ? ORDER BY version DESC LIMIT 1",
        [name],
    ).fetchone()
    return _document(row) if row else None


def document_text(project: Project, document_id: int) -> str:
    row = project.conn.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise NotFound(f"no document with id {document_id}")
    return row[0]


def insert_document(
    project: Project,
    *,
    name: str,
    source_name: str,
    format: str,
    encoding: str | None,
    text: str,
    content_hash: str,
    words: int,
    case_id: int | None,
    turns: Sequence[ParsedTurn],
    roles: dict[str, str],
    segments: Sequence[tuple[int | None, int, int, str]],
) -> int:
    """Store a document with its turns and segments as a new version of `name`.

    Must be called inside `project.transaction()`; earlier versions stay, marked old.
    `segments` are (turn index or None, start, end, lemmas); their text is cut from `text`.
    """
    conn = project.conn
    previous = conn.execute(
        "SELECT COALESCE(MAX(version), 0) FROM documents WHERE name = ?", [name]
    ).fetchone()[0]
    conn.execute("UPDATE documents SET is_current = 0 WHERE name = ?", [name])
    cur = conn.execute(
        "INSERT INTO documents (name, source_name, format, encoding, text, content_hash,"
        " version, is_current, words, case_id, imported_at) VALUES (?,?,?,?,?,?,?,1,?,?,?)",
        [
            name,
            source_name,
            format,
            encoding,
            text,
            content_hash,
            previous + 1,
            words,
            case_id,
            now_utc(),
        ],
    )
    doc_id = cur.lastrowid
    conn.executemany(
        'INSERT INTO turns (document_id, idx, speaker, role, start, "end", label_start,'
        " label_end, t_start, t_end) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (
                doc_id,
                idx,
                t.speaker,
                roles.get(t.speaker),
                t.start,
                t.end,
                t.label_start,
                t.label_end,
                t.t_start,
                t.t_end,
            )
            for idx, t in enumerate(turns)
        ],
    )
    turn_ids = [
        r[0]
        for r in conn.execute("SELECT id FROM turns WHERE document_id = ? ORDER BY idx", [doc_id])
    ]
    conn.executemany(
        'INSERT INTO segments (document_id, turn_id, idx, start, "end", text, lemmas)'
        " VALUES (?,?,?,?,?,?,?)",
        [
            (doc_id, None if turn is None else turn_ids[turn], i, s, e, text[s:e], lem)
            for i, (turn, s, e, lem) in enumerate(segments)
        ],
    )
    conn.execute(
        "INSERT INTO segments_fts (rowid, text)"
        " SELECT id, text FROM segments WHERE document_id = ?",
        [doc_id],
    )
    return doc_id


def set_case(project: Project, document_id: int, case_id: int | None) -> None:
    project.conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", [case_id, document_id])


def turns_of(project: Project, document_id: int) -> list[Turn]:
    rows = project.conn.execute(
        'SELECT id, document_id, idx, speaker, role, start, "end", label_start, label_end,'
        " t_start, t_end FROM turns WHERE document_id = ? ORDER BY idx",
        [document_id],
    ).fetchall()
    return [Turn(*r) for r in rows]


def segments_of(project: Project, document_id: int) -> list[Segment]:
    rows = project.conn.execute(
        'SELECT id, document_id, turn_id, idx, start, "end", text, lemmas FROM segments'
        " WHERE document_id = ? ORDER BY idx",
        [document_id],
    ).fetchall()
    return [Segment(*r) for r in rows]


def unit_bounds(
    project: Project, unit: str, document_ids: Collection[int]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each document, the starts and ends of its segments (unit "segments") or turns
    ("turns") in text order, as two integer arrays.

    Reads only the covering index (m004) and lets SQLite join the numbers into one string
    per document: building a Python tuple per unit would cost more than all the rest of a
    report on a large project.
    """
    import numpy as np

    if unit not in ("segments", "turns"):
        raise ValueError(f"unknown unit {unit!r}")
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    ids = sorted(set(document_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        rows = project.conn.execute(
            f'SELECT document_id, group_concat(start), group_concat("end") FROM {unit}'
            f" WHERE document_id IN ({', '.join('?' for _ in chunk)}) GROUP BY document_id",
            chunk,
        )
        for doc_id, starts, ends in rows:
            start = np.fromstring(starts, dtype=np.int64, sep=",")
            end = np.fromstring(ends, dtype=np.int64, sep=",")
            order = np.argsort(start, kind="stable")
            out[doc_id] = (start[order], end[order])
    return out


def speakers_of(project: Project, document_id: int) -> dict[str, str | None]:
    """Each speaker label of a document with its role."""
    rows = project.conn.execute(
        "SELECT speaker, MAX(role) FROM turns WHERE document_id = ? GROUP BY speaker",
        [document_id],
    ).fetchall()
    return dict(rows)


def set_interviewer(project: Project, document_id: int, speaker: str) -> None:
    """Make `speaker` the interviewer of a document and every other speaker an informant."""
    from frisat_qual.models import INFORMANT, INTERVIEWER

    if speaker not in speakers_of(project, document_id):
        known = ", ".join(sorted(s for s in speakers_of(project, document_id) if s)) or "none"
        raise NotFound(f"no speaker {speaker!r} in document {document_id} (speakers: {known})")
    with project.transaction():
        project.conn.execute(
            "UPDATE turns SET role = CASE WHEN speaker = ? THEN ? ELSE ? END"
            " WHERE document_id = ? AND speaker != ''",
            [speaker, INTERVIEWER, INFORMANT, document_id],
        )


def search_segments(project: Project, query: str, *, limit: int = 200) -> list[Segment]:
    """Segments of current documents matching an FTS5 query, best match first.

    Plain words are matched as prefixes ("dokument" finds "dokumentation"); a query with
    FTS5 syntax (quotes, AND/OR/NOT, *) is passed through as written.
    """
    import sqlite3

    from frisat_qual.errors import FrisatError

    q = query.strip()
    if not q:
        return []
    if not any(ch in q for ch in '"*()') and not any(w in q.split() for w in ("AND", "OR", "NOT")):
        q = " ".join(f'"{w}"*' for w in q.split())
    try:
        rows = project.conn.execute(
            'SELECT s.id, s.document_id, s.turn_id, s.idx, s.start, s."end", s.text, s.lemmas'
            " FROM segments_fts f JOIN segments s ON s.id = f.rowid"
            " JOIN documents d ON d.id = s.document_id"
            " WHERE segments_fts MATCH ? AND d.is_current = 1 ORDER BY f.rank LIMIT ?",
            [q, limit],
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise FrisatError(f"search {query!r}: {exc}") from None
    return [Segment(*r) for r in rows]


def load_transcript(
    project: Project, document_id: int
) -> tuple[Document, str, list[Turn], list[Segment]]:
    """Everything a transcript view needs for one document, in three queries."""
    return (
        get_document(project, document_id),
        document_text(project, document_id),
        turns_of(project, document_id),
        segments_of(project, document_id),
    )


def documents_with_attributes(project: Project) -> list[tuple[Document, dict[str, str]]]:
    """Current documents with their case attributes, for grouping in lists."""
    from frisat_qual.store.cases import all_case_attributes

    attrs = all_case_attributes(project)
    return [(d, attrs.get(d.case_id, {}) if d.case_id else {}) for d in list_documents(project)]
