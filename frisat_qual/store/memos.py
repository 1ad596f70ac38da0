"""Memos on a project, document, code, coding or case; every change is journaled (undoable)."""

from __future__ import annotations

from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import Memo
from frisat_qual.store.journal import record
from frisat_qual.store.project import Project

TARGETS = ("project", "document", "code", "coding", "case")
_COLUMNS = "id, target_type, target_id, author, text, created, updated"


def memos_for(project: Project, target_type: str, target_id: str | int) -> list[Memo]:
    rows = project.conn.execute(
        f"SELECT {_COLUMNS} FROM memos WHERE target_type = ? AND target_id = ? ORDER BY id",
        [target_type, str(target_id)],
    ).fetchall()
    return [Memo(*r) for r in rows]


def all_memos(project: Project) -> list[Memo]:
    rows = project.conn.execute(f"SELECT {_COLUMNS} FROM memos ORDER BY id").fetchall()
    return [Memo(*r) for r in rows]


def write_memo(
    project: Project, target_type: str, target_id: str | int, text: str, *, author: str
) -> Memo | None:
    """Set the author's memo on a target: create, update, or (empty text) delete it."""
    from frisat_qual.store.documents import now_utc

    if target_type not in TARGETS:
        raise FrisatError(f"a memo can be written on {', '.join(TARGETS)}, not {target_type!r}")
    text = text.strip()
    mine = [m for m in memos_for(project, target_type, target_id) if m.author == author]
    label = f"memo on {target_type} {target_id}"
    with record(project, author, "memo", label) as rec:
        if mine and not text:
            rec.delete("memos", mine[0].id)
            return None
        if mine:
            rec.update("memos", mine[0].id, {"text": text, "updated": now_utc()})
            memo_id = mine[0].id
        elif text:
            stamp = now_utc()
            memo_id = rec.insert(
                "memos",
                {
                    "target_type": target_type,
                    "target_id": str(target_id),
                    "author": author,
                    "text": text,
                    "created": stamp,
                    "updated": stamp,
                },
            )
        else:
            return None
    row = project.conn.execute(f"SELECT {_COLUMNS} FROM memos WHERE id = ?", [memo_id]).fetchone()
    if row is None:  # pragma: no cover - written in the same transaction
        raise NotFound(f"memo {memo_id} vanished")
    return Memo(*row)
