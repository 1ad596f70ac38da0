"""The action journal: every user action as the row changes it made, for undo and redo.

An action (apply a code, remove a coding, write a memo, merge two codes, ...) runs inside
`record(project, coder, kind, label)`, which gives a `Recorder`; the recorder makes the
row changes and remembers each one as (table, id, before, after). The changes and the
journal entry commit in one transaction. Undo replays an action's changes backwards, redo
forwards; both refuse when a row was changed since by another action, so undo never
silently overwrites a colleague's work. Undo and redo are per coder.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from frisat_qual.errors import FrisatError
from frisat_qual.store.project import Project

#: Tables whose rows actions may change, with their key column.
_KEYS = {
    "codings": "id",
    "memos": "id",
    "codes": "id",
    "suggestions": "id",
    "settings": "key",
    "resolutions": "id",
}


def _quote(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True)
class Action:
    id: int
    coder: str
    kind: str
    label: str
    undone: bool
    created: str


class Recorder:
    """Makes row changes for one action and remembers them."""

    def __init__(self, project: Project):
        self.project = project
        self.changes: list[dict[str, Any]] = []

    def _row(self, table: str, key: Any) -> dict[str, Any] | None:
        cur = self.project.conn.execute(
            f"SELECT * FROM {_quote(table)} WHERE {_KEYS[table]} = ?", [key]
        )
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def insert(self, table: str, values: dict[str, Any]) -> Any:
        cols = ", ".join(_quote(c) for c in values)
        marks = ", ".join("?" for _ in values)
        cur = self.project.conn.execute(
            f"INSERT INTO {_quote(table)} ({cols}) VALUES ({marks})", list(values.values())
        )
        key = values.get(_KEYS[table], cur.lastrowid)
        self.changes.append(
            {"table": table, "key": key, "before": None, "after": self._row(table, key)}
        )
        return key

    def update(self, table: str, key: Any, values: dict[str, Any]) -> None:
        before = self._row(table, key)
        if before is None:
            raise FrisatError(f"no row {key!r} in {table}")
        sets = ", ".join(f"{_quote(c)} = ?" for c in values)
        self.project.conn.execute(
            f"UPDATE {_quote(table)} SET {sets} WHERE {_KEYS[table]} = ?", [*values.values(), key]
        )
        after = self._row(table, key)
        if after != before:
            self.changes.append({"table": table, "key": key, "before": before, "after": after})

    def delete(self, table: str, key: Any) -> dict[str, Any]:
        before = self._row(table, key)
        if before is None:
            raise FrisatError(f"no row {key!r} in {table}")
        self.project.conn.execute(f"DELETE FROM {_quote(table)} WHERE {_KEYS[table]} = ?", [key])
        self.changes.append({"table": table, "key": key, "before": before, "after": None})
        return before


@contextmanager
def record(project: Project, coder: str, kind: str, label: str) -> Iterator[Recorder]:
    """Run one action: its changes and its journal entry commit together.

    A new action clears the coder's redo stack (the undone actions can no longer be redone).
    """
    from frisat_qual.store.documents import now_utc

    recorder = Recorder(project)
    with project.transaction():
        yield recorder
        if recorder.changes:
            project.conn.execute("DELETE FROM journal WHERE coder = ? AND undone = 1", [coder])
            project.conn.execute(
                "INSERT INTO journal (coder, kind, label, changes, undone, created)"
                " VALUES (?, ?, ?, ?, 0, ?)",
                [coder, kind, label, json.dumps(recorder.changes, ensure_ascii=False), now_utc()],
            )


def _apply(project: Project, changes: list[dict[str, Any]], *, backwards: bool, label: str) -> None:
    recorder = Recorder(project)
    steps = reversed(changes) if backwards else changes
    for change in steps:
        table, key = change["table"], change["key"]
        expect, target = (
            (change["after"], change["before"])
            if backwards
            else (change["before"], change["after"])
        )
        current = recorder._row(table, key)
        if current != expect:
            verb = "undo" if backwards else "redo"
            raise FrisatError(f"cannot {verb} {label!r}: {table} row {key} was changed since")
        if target is None:
            project.conn.execute(f"DELETE FROM {_quote(table)} WHERE {_KEYS[table]} = ?", [key])
        elif current is None:
            cols = ", ".join(_quote(c) for c in target)
            project.conn.execute(
                f"INSERT INTO {_quote(table)} ({cols}) VALUES ({', '.join('?' for _ in target)})",
                list(target.values()),
            )
        else:
            sets = ", ".join(f"{_quote(c)} = ?" for c in target)
            project.conn.execute(
                f"UPDATE {_quote(table)} SET {sets} WHERE {_KEYS[table]} = ?",
                [*target.values(), key],
            )


def undo(project: Project, coder: str) -> Action | None:
    """Undo the coder's most recent action that is not undone; None when there is none."""
    return _step(project, coder, undo=True)


def redo(project: Project, coder: str) -> Action | None:
    """Redo the coder's most recently undone action; None when there is none."""
    return _step(project, coder, undo=False)


def _step(project: Project, coder: str, *, undo: bool) -> Action | None:
    order = "DESC" if undo else "ASC"
    with project.transaction():
        row = project.conn.execute(
            f"SELECT id, coder, kind, label, undone, created, changes FROM journal"
            f" WHERE coder = ? AND undone = ? ORDER BY id {order} LIMIT 1",
            [coder, 0 if undo else 1],
        ).fetchone()
        if row is None:
            return None
        try:
            _apply(project, json.loads(row[6]), backwards=undo, label=row[3])
        except sqlite3.IntegrityError as exc:  # e.g. undoing a code that codings now use
            verb = "undo" if undo else "redo"
            raise FrisatError(
                f"cannot {verb} {row[3]!r}: later work depends on it ({exc})"
            ) from None
        project.conn.execute(
            "UPDATE journal SET undone = ? WHERE id = ?", [1 if undo else 0, row[0]]
        )
    return Action(row[0], row[1], row[2], row[3], not undo, row[5])


def history(project: Project, *, kind: str | None = None, limit: int = 200) -> list[Action]:
    """The journal, newest first."""
    where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
    rows = project.conn.execute(
        f"SELECT id, coder, kind, label, undone, created FROM journal {where}"
        f" ORDER BY id DESC LIMIT ?",
        [*args, limit],
    ).fetchall()
    return [Action(r[0], r[1], r[2], r[3], bool(r[4]), r[5]) for r in rows]
