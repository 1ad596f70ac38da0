"""Resolutions of coder disagreements (table `resolutions`, migration m006).

One row per resolved (document, unit, code, coder pair): the decision (keep-a, keep-b,
keep-both, discuss), the consensus coder it wrote to, the consensus codings it stands for
(`codings`) and the ones it added itself (`added`), the discussion memo, who resolved it
and when. The pair is stored in sorted order with the decision turned to match, so
(ann, bob) and (bob, ann) name one pair. Rows are written through the journal's
`Recorder` (inside the resolving action), so undo takes a resolution back with the
codings and memo it wrote.

`codings` and `added` are JSON lists without a foreign key, and a coding's id is an
INTEGER PRIMARY KEY without AUTOINCREMENT: once a listed coding is removed (in the
workspace, by undo, in a merge that maps ids), SQLite may give its id to the next new
coding, perhaps one of a coder's own. So an id from those lists is believed only while it
names a coding of the resolution's consensus coder, on its document and code, touching its
unit (`_listed_codings`, the one place that reads the lists for anything that deletes or
reuses a coding).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from frisat_qual.store.journal import Recorder
from frisat_qual.store.project import Project

DECISIONS = ("keep-a", "keep-b", "keep-both", "discuss")
_COLUMNS = (
    'id, document_id, start, "end", code_id, coder_a, coder_b, decision, consensus, memo_id,'
    " codings, added, resolved_by, created"
)


@dataclass(frozen=True)
class StoredResolution:
    """A resolutions row, in the stored (sorted) coder order."""

    id: int
    document_id: int
    start: int
    end: int
    code_id: str
    coder_a: str
    coder_b: str
    decision: str
    consensus: str
    memo_id: int | None
    codings: tuple[int, ...]
    added: tuple[int, ...]
    resolved_by: str
    created: str

    @property
    def key(self) -> tuple[int, int, int, str]:
        return (self.document_id, self.start, self.end, self.code_id)


def _resolution(row: tuple) -> StoredResolution:
    values = list(row)
    values[10] = tuple(json.loads(values[10]))
    values[11] = tuple(json.loads(values[11]))
    return StoredResolution(*values)


def stored_pair(a: str, b: str, decision: str) -> tuple[str, str, str]:
    """The pair in stored order, with keep-a/keep-b swapped when the order changes."""
    if a <= b:
        return a, b, decision
    swapped = {"keep-a": "keep-b", "keep-b": "keep-a"}.get(decision, decision)
    return b, a, swapped


def resolutions_of_pair(
    project: Project, a: str, b: str, *, document_ids: Collection[int] | None = None
) -> list[StoredResolution]:
    """The resolutions recorded for coders a and b (either order), optionally only on
    some documents."""
    first, second, _ = stored_pair(a, b, "discuss")
    where, args = ["coder_a = ?", "coder_b = ?"], [first, second]
    rows: list[tuple] = []
    if document_ids is None:
        rows = project.conn.execute(
            f"SELECT {_COLUMNS} FROM resolutions WHERE {' AND '.join(where)} ORDER BY id", args
        ).fetchall()
    else:
        ids = sorted(set(document_ids))
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows += project.conn.execute(
                f"SELECT {_COLUMNS} FROM resolutions WHERE {' AND '.join(where)}"
                f" AND document_id IN ({', '.join('?' for _ in chunk)}) ORDER BY id",
                [*args, *chunk],
            ).fetchall()
    return [_resolution(r) for r in rows]


def find_resolution(
    project: Project, document_id: int, start: int, end: int, code_id: str, a: str, b: str
) -> StoredResolution | None:
    first, second, _ = stored_pair(a, b, "discuss")
    row = project.conn.execute(
        f'SELECT {_COLUMNS} FROM resolutions WHERE document_id = ? AND start = ? AND "end" = ?'
        " AND code_id = ? AND coder_a = ? AND coder_b = ?",
        [document_id, start, end, code_id, first, second],
    ).fetchone()
    return _resolution(row) if row else None


#: When coding `c` is still what resolution `r` listed as `j.value` (a json_each row of
#: its codings or added): its consensus coder's coding of its code on its document,
#: touching its unit. Shared with `store.integrity`, which checks the same rule.
STILL_LISTED = (
    "c.id = j.value AND c.coder = r.consensus AND c.document_id = r.document_id"
    ' AND c.code_id = r.code_id AND c.start < r."end" AND c."end" > r.start'
)


def _listed_pairs(
    project: Project, column: str, where: str = "1", args: list | None = None
) -> list[tuple[int, int]]:
    """(resolution id, coding id) for the coding ids listed in `column` (codings or
    added) of the resolutions matching `where` that are still what the resolution wrote
    or found: a coding of its consensus coder, on its document, of its code, overlapping
    its unit. An id SQLite has since given to another coding (a coder's own, another
    document's, another code's) is left out."""
    if column not in ("codings", "added"):
        raise ValueError(f"unknown column {column!r}")
    return project.conn.execute(
        f"SELECT DISTINCT r.id, c.id FROM resolutions r, json_each(r.{column}) j"
        f" JOIN codings c ON {STILL_LISTED} WHERE {where}",
        args or [],
    ).fetchall()


def _listed_codings(project: Project, column: str, where: str, args: list) -> set[int]:
    """The coding ids of `_listed_pairs`, each once."""
    return {coding for _, coding in _listed_pairs(project, column, where, args)}


def listed_codings_by_resolution(project: Project, column: str) -> dict[int, set[int]]:
    """For every resolution, the still valid coding ids of its `column` (codings or
    added; see `_listed_pairs`): what a merge carries over to another project."""
    listed: dict[int, set[int]] = {}
    for resolution, coding in _listed_pairs(project, column):
        listed.setdefault(resolution, set()).add(coding)
    return listed


def resolution_codings(project: Project, document_id: int) -> tuple[set[int], set[int]]:
    """The consensus codings the resolutions on a document stand for, and those that
    resolutions made (rather than found already there); only ids that still name such a
    coding (see `_listed_codings`)."""
    where, args = "r.document_id = ?", [document_id]
    return (
        _listed_codings(project, "codings", where, args),
        _listed_codings(project, "added", where, args),
    )


def added_codings(project: Project, resolution: StoredResolution) -> set[int]:
    """The consensus codings `resolution` added and that are still its own (see
    `_listed_codings`): the only codings replacing the decision may take away."""
    return _listed_codings(project, "added", "r.id = ?", [resolution.id])


def held_codings(project: Project, resolution: StoredResolution) -> set[int]:
    """The consensus codings `resolution` stands for that still exist as it left them
    (see `_listed_codings`); the others were removed after the decision."""
    return _listed_codings(project, "codings", "r.id = ?", [resolution.id])


def consensus_of_pair(project: Project, a: str, b: str) -> list[str]:
    """The consensus coders the decisions of coders a and b (either order) went to."""
    first, second, _ = stored_pair(a, b, "discuss")
    rows = project.conn.execute(
        "SELECT DISTINCT consensus FROM resolutions WHERE coder_a = ? AND coder_b = ?"
        " ORDER BY consensus",
        [first, second],
    )
    return [row[0] for row in rows]


def pairs_deciding_into(project: Project, consensus: str) -> list[tuple[str, str]]:
    """The coder pairs (in stored order) whose decisions went to consensus coder
    `consensus`."""
    rows = project.conn.execute(
        "SELECT DISTINCT coder_a, coder_b FROM resolutions WHERE consensus = ?"
        " ORDER BY coder_a, coder_b",
        [consensus],
    )
    return [(row[0], row[1]) for row in rows]


def consensus_coders(project: Project) -> list[str]:
    """Names that resolutions have written consensus codings under, sorted."""
    return [
        r[0] for r in project.conn.execute("SELECT DISTINCT consensus FROM resolutions ORDER BY 1")
    ]


def memo_texts(project: Project, memo_ids: Collection[int]) -> dict[int, str]:
    ids = sorted({i for i in memo_ids if i is not None})
    out: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        out.update(
            project.conn.execute(
                f"SELECT id, text FROM memos WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
            ).fetchall()
        )
    return out


def consensus_coding_at(
    project: Project, document_id: int, start: int, end: int, code_id: str, consensus: str
) -> int | None:
    """The id of the consensus coder's coding of exactly this span and code, if any."""
    row = project.conn.execute(
        'SELECT id FROM codings WHERE document_id = ? AND start = ? AND "end" = ?'
        " AND code_id = ? AND coder = ? ORDER BY id LIMIT 1",
        [document_id, start, end, code_id, consensus],
    ).fetchone()
    return row[0] if row else None


def record_resolution(rec: Recorder, values: dict[str, Any]) -> int:
    """Insert a resolutions row inside the caller's journaled action; `codings` and
    `added` are lists of coding ids."""
    row = dict(values)
    row["codings"] = json.dumps(list(row.get("codings", ())))
    row["added"] = json.dumps(list(row.get("added", ())))
    return rec.insert("resolutions", row)


def row_exists(project: Project, table: str, row_id: int) -> bool:
    """Whether a coding or memo (which other actions may have removed) still exists."""
    if table not in ("codings", "memos"):
        raise ValueError(f"unknown table {table!r}")
    return (
        project.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", [row_id]).fetchone() is not None
    )
