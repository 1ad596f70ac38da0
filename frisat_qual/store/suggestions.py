"""Code suggestions awaiting review, and the suggestion model's training runs.

A suggestion is a code proposed for one segment with a score and its evidence; it is never
a coding. Accepting it makes a coding (origin "accepted-suggestion", through
`codings.apply_code`, so undoable like any coding) and records who accepted it and when;
rejecting it records who and when (journaled, so undoable too). There is one row per
(segment, code): a reviewed row stays, so a code once rejected for a segment is never
suggested for it again. Undoing or removing the coding of an accepted suggestion returns
the suggestion to review (a trigger of the schema). Every accept or reject is one
transaction.

The model itself is never stored: it is retrained from the codings. `suggest_models` keeps
each training run's settings and metrics.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import Coding, StoredSuggestion, Suggestion
from frisat_qual.store.codings import apply_code
from frisat_qual.store.journal import record
from frisat_qual.store.project import Project

STATUSES = ("pending", "accepted", "rejected")
_COLUMNS = (
    's.id, s.segment_id, s.document_id, s.start, s."end", s.code_id, s.score, s.evidence,'
    " s.model_version, s.status, s.created, s.reviewed_by, s.reviewed_at, s.coding_id"
)
#: a pending suggestion is hidden once a coding with its code covers its whole segment
_NOT_CODED = (
    "NOT EXISTS (SELECT 1 FROM codings c WHERE c.document_id = s.document_id"
    ' AND c.code_id = s.code_id AND c.start <= s.start AND c."end" >= s."end")'
)


def _stored(row: Sequence) -> StoredSuggestion:
    values = list(row)
    values[7] = json.loads(values[7] or "{}")
    return StoredSuggestion(*values)


def save_suggestions(
    project: Project,
    suggestions: Sequence[Suggestion],
    *,
    segment_ids: Iterable[int] | None = None,
) -> int:
    """Store fresh suggestions as pending, in one transaction; returns how many were stored.

    The pending suggestions of `segment_ids` (default: the segments of `suggestions`) are
    replaced, so a re-run does not pile up stale ones. A (segment, code) already reviewed
    is left alone: its code is not suggested again.
    """
    from frisat_qual.store.documents import now_utc

    refresh = set(segment_ids) if segment_ids is not None else set()
    refresh |= {s.segment_id for s in suggestions if s.segment_id is not None}
    for s in suggestions:
        if s.segment_id is None or s.document_id is None or s.start is None or s.end is None:
            raise FrisatError(f"suggestion of {s.code_id!r} names no stored segment")
    stamp = now_utc()
    stored = 0
    with project.transaction():
        conn = project.conn
        conn.executemany(
            "DELETE FROM suggestions WHERE segment_id = ? AND status = 'pending'",
            [(sid,) for sid in sorted(refresh)],
        )
        for s in suggestions:
            cur = conn.execute(
                'INSERT INTO suggestions (segment_id, document_id, start, "end", code_id, score,'
                " evidence, model_version, status, created) VALUES (?,?,?,?,?,?,?,?,'pending',?)"
                " ON CONFLICT(segment_id, code_id) DO NOTHING",
                [
                    s.segment_id,
                    s.document_id,
                    s.start,
                    s.end,
                    s.code_id,
                    float(s.score),
                    json.dumps(s.evidence, ensure_ascii=False),
                    s.model_version,
                    stamp,
                ],
            )
            stored += cur.rowcount
    return stored


def clear_pending(project: Project, *, document_id: int | None = None) -> int:
    """Drop pending suggestions (of one document, or all); reviewed ones stay."""
    where, args = ("AND document_id = ?", [document_id]) if document_id is not None else ("", [])
    with project.transaction():
        cur = project.conn.execute(
            f"DELETE FROM suggestions WHERE status = 'pending' {where}", args
        )
    return cur.rowcount


def pending_suggestions(
    project: Project,
    *,
    document_id: int | None = None,
    segment_id: int | None = None,
    min_score: float | None = None,
    limit: int | None = None,
) -> list[StoredSuggestion]:
    """Pending suggestions in document order, best first within a segment. A suggestion
    whose code a coding now covers its segment with is left out (it is done)."""
    where, args = ["s.status = 'pending'", _NOT_CODED], []
    if document_id is not None:
        where.append("s.document_id = ?")
        args.append(document_id)
    if segment_id is not None:
        where.append("s.segment_id = ?")
        args.append(segment_id)
    if min_score is not None:
        where.append("s.score >= ?")
        args.append(min_score)
    sql = (
        f"SELECT {_COLUMNS} FROM suggestions s JOIN documents d ON d.id = s.document_id"
        f" WHERE {' AND '.join(where)} ORDER BY d.name, d.version, s.start, s.score DESC, s.id"
    )
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return [_stored(r) for r in project.conn.execute(sql, args)]


def suggestions_of_segment(project: Project, segment_id: int) -> list[StoredSuggestion]:
    """All suggestions of a segment, reviewed or not, best first."""
    rows = project.conn.execute(
        f"SELECT {_COLUMNS} FROM suggestions s WHERE s.segment_id = ? ORDER BY s.score DESC",
        [segment_id],
    )
    return [_stored(r) for r in rows]


def get_suggestion(project: Project, suggestion_id: int) -> StoredSuggestion:
    row = project.conn.execute(
        f"SELECT {_COLUMNS} FROM suggestions s WHERE s.id = ?", [suggestion_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no suggestion with id {suggestion_id}")
    return _stored(row)


def _must_be_pending(s: StoredSuggestion) -> None:
    if s.status != "pending":
        by = f" by {s.reviewed_by}" if s.reviewed_by else ""
        raise FrisatError(f"suggestion {s.id} ({s.code_id}) was already {s.status}{by}")


def accept_suggestion(project: Project, suggestion_id: int, coder: str) -> Coding:
    """Accept a pending suggestion: its segment is coded with its code (origin
    "accepted-suggestion") and the suggestion records who accepted it and when."""
    from frisat_qual.store.documents import now_utc

    with project.transaction():
        s = get_suggestion(project, suggestion_id)
        _must_be_pending(s)
        coding = apply_code(
            project, s.document_id, s.start, s.end, s.code_id, coder, origin="accepted-suggestion"
        )
        project.conn.execute(
            "UPDATE suggestions SET status = 'accepted', reviewed_by = ?, reviewed_at = ?,"
            " coding_id = ? WHERE id = ?",
            [coder, now_utc(), coding.id, suggestion_id],
        )
    return coding


def reject_suggestion(project: Project, suggestion_id: int, coder: str) -> StoredSuggestion:
    """Reject a pending suggestion (undoable); its code is not suggested for the segment
    again, and it counts as a negative example when the model is retrained."""
    from frisat_qual.store.documents import now_utc

    s = get_suggestion(project, suggestion_id)
    _must_be_pending(s)
    with record(project, coder, "suggestion", f"reject suggestion {s.code_id}") as rec:
        rec.update(
            "suggestions",
            suggestion_id,
            {"status": "rejected", "reviewed_by": coder, "reviewed_at": now_utc()},
        )
    return get_suggestion(project, suggestion_id)


def accept_above(project: Project, segment_id: int, threshold: float, coder: str) -> list[Coding]:
    """Accept every pending suggestion of a segment scoring at least `threshold`, all in
    one transaction; returns the codings made."""
    with project.transaction():
        wanted = [
            s.id for s in pending_suggestions(project, segment_id=segment_id, min_score=threshold)
        ]
        return [accept_suggestion(project, sid, coder) for sid in wanted]


def reviewed_codes(
    project: Project, segment_ids: Iterable[int] | None = None
) -> dict[int, dict[str, str]]:
    """segment id -> {code: "accepted" | "rejected"} of the reviewed suggestions."""
    sql = "SELECT segment_id, code_id, status FROM suggestions WHERE status != 'pending'"
    rows = project.conn.execute(sql).fetchall()
    wanted = set(segment_ids) if segment_ids is not None else None
    out: dict[int, dict[str, str]] = {}
    for seg, code, status in rows:
        if wanted is None or seg in wanted:
            out.setdefault(seg, {})[code] = status
    return out


def reviewed_suggestions(project: Project) -> list[tuple[int, int, str, str]]:
    """(segment id, document id, code, status) of every accepted or rejected suggestion."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in project.conn.execute(
            "SELECT segment_id, document_id, code_id, status FROM suggestions"
            " WHERE status != 'pending' ORDER BY id"
        )
    ]


def suggestion_counts(project: Project) -> dict[str, int]:
    counts = dict(project.conn.execute("SELECT status, COUNT(*) FROM suggestions GROUP BY status"))
    return {status: counts.get(status, 0) for status in STATUSES}


def training_state(project: Project) -> str:
    """A short digest of everything the suggestion model learns from (codings, reviews,
    codebook changes): when it changes, a trained model is out of date."""
    conn = project.conn
    parts = [
        conn.execute("SELECT COUNT(*), MAX(id) FROM codings").fetchone(),
        conn.execute(
            "SELECT COUNT(*), MAX(reviewed_at) FROM suggestions WHERE status != 'pending'"
        ).fetchone(),
        conn.execute(
            "SELECT COUNT(*), MAX(id) FROM journal WHERE kind = 'codebook' AND undone = 0"
        ).fetchone(),
        conn.execute("SELECT COUNT(*), MAX(id) FROM codebooks").fetchone(),
    ]
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:12]


# -- training runs ---------------------------------------------------------------------


def record_model_run(
    project: Project, version: str, settings: dict[str, Any], metrics: dict[str, Any]
) -> int:
    """Remember a training run's settings and metrics (never the model)."""
    from frisat_qual.store.documents import now_utc

    with project.transaction():
        cur = project.conn.execute(
            "INSERT INTO suggest_models (version, trained_at, settings, metrics) VALUES (?,?,?,?)",
            [
                version,
                now_utc(),
                json.dumps(settings, ensure_ascii=False, sort_keys=True),
                json.dumps(metrics, ensure_ascii=False, sort_keys=True),
            ],
        )
    return int(cur.lastrowid)


def model_runs(project: Project, *, limit: int = 20) -> list[dict[str, Any]]:
    """Training runs, newest first: id, version, trained_at, settings, metrics."""
    rows = project.conn.execute(
        "SELECT id, version, trained_at, settings, metrics FROM suggest_models"
        " ORDER BY id DESC LIMIT ?",
        [limit],
    ).fetchall()
    return [
        {
            "id": r[0],
            "version": r[1],
            "trained_at": r[2],
            "settings": json.loads(r[3]),
            "metrics": json.loads(r[4]),
        }
        for r in rows
    ]


def latest_model_run(project: Project) -> dict[str, Any] | None:
    runs = model_runs(project, limit=1)
    return runs[0] if runs else None
