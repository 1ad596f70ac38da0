"""Codings: a code on a character span of a document, by a coder. Every change is journaled."""

from __future__ import annotations

from collections.abc import Sequence

from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import CodedSpan, Coding
from frisat_qual.store.journal import record
from frisat_qual.store.project import Project

ORIGINS = ("manual", "accepted-suggestion", "imported")
_COLUMNS = 'c.id, c.document_id, c.start, c."end", c.code_id, c.coder, c.origin, c.created'


def _coding(row: Sequence) -> Coding:
    return Coding(*row)


def apply_code(
    project: Project,
    document_id: int,
    start: int,
    end: int,
    code_id: str,
    coder: str,
    *,
    origin: str = "manual",
) -> Coding:
    """Code text[start:end] of a document with `code_id`; committed at once, undoable.

    Applying the same code to the same span again by the same coder returns the existing
    coding instead of a duplicate.
    """
    from frisat_qual.store.documents import now_utc

    conn = project.conn
    row = conn.execute("SELECT length(text) FROM documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise NotFound(f"no document with id {document_id}")
    if not (0 <= start < end <= row[0]):
        raise FrisatError(f"span {start}:{end} is outside the document (0:{row[0]})")
    code = conn.execute(
        "SELECT label, codable, retired FROM codes WHERE id = ?", [code_id]
    ).fetchone()
    if code is None:
        raise NotFound(f"no code {code_id!r} in the project's codebook")
    if not code[1]:
        raise FrisatError(f"code {code_id!r} is a folder; choose one of its sub-codes")
    if code[2]:
        raise FrisatError(f"code {code_id!r} is retired")
    if origin not in ORIGINS:
        raise FrisatError(f"unknown origin {origin!r}")
    same = conn.execute(
        f'SELECT {_COLUMNS} FROM codings c WHERE document_id = ? AND start = ? AND "end" = ?'
        " AND code_id = ? AND coder = ?",
        [document_id, start, end, code_id, coder],
    ).fetchone()
    if same:
        return _coding(same)
    with record(project, coder, "coding", f"apply {code_id}") as rec:
        coding_id = rec.insert(
            "codings",
            {
                "document_id": document_id,
                "start": start,
                "end": end,
                "code_id": code_id,
                "coder": coder,
                "origin": origin,
                "created": now_utc(),
            },
        )
    return get_coding(project, coding_id)


def remove_coding(project: Project, coding_id: int, coder: str) -> Coding:
    """Remove a coding (any coder's); undoable by `coder`."""
    coding = get_coding(project, coding_id)
    with record(project, coder, "coding", f"remove {coding.code_id}") as rec:
        rec.delete("codings", coding_id)
    return coding


def get_coding(project: Project, coding_id: int) -> Coding:
    row = project.conn.execute(
        f"SELECT {_COLUMNS} FROM codings c WHERE id = ?", [coding_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"no coding with id {coding_id}")
    return _coding(row)


def query_codings(
    project: Project,
    *,
    code: str | Sequence[str] | None = None,
    document_id: int | None = None,
    coder: str | Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    include_children: bool = False,
    current_only: bool = False,
) -> list[Coding]:
    """Codings filtered by code (optionally with its sub-codes), document, coder and case
    attributes (e.g. {"rolle": "leder", "kommune": "kommune 2"}), in document order."""
    where, args = [], []
    if code is not None:
        codes = [code] if isinstance(code, str) else list(code)
        if include_children:
            codes = _with_descendants(project, codes)
        where.append(f"c.code_id IN ({', '.join('?' for _ in codes)})")
        args += codes
    if document_id is not None:
        where.append("c.document_id = ?")
        args.append(document_id)
    if coder is not None:
        coders = [coder] if isinstance(coder, str) else list(coder)
        where.append(f"c.coder IN ({', '.join('?' for _ in coders)})")
        args += coders
    if current_only:
        where.append("d.is_current = 1")
    for name, value in (attributes or {}).items():
        where.append(
            "EXISTS (SELECT 1 FROM case_attributes a WHERE a.case_id = d.case_id"
            " AND a.name = ? AND a.value = ?)"
        )
        args += [name, value]
    sql = (
        f"SELECT {_COLUMNS} FROM codings c JOIN documents d ON d.id = c.document_id"
        f"{' WHERE ' + ' AND '.join(where) if where else ''}"
        ' ORDER BY d.name, d.version, c.start, c."end", c.id'
    )
    return [_coding(r) for r in project.conn.execute(sql, args)]


def coded_spans(project: Project, *, coder: str | Sequence[str] | None = None) -> list[CodedSpan]:
    """Every coding on a current document version (by `coder`), ordered by document and
    position: the lean form reports read."""
    where, args = ["d.is_current = 1"], []
    if coder is not None:
        coders = [coder] if isinstance(coder, str) else list(coder)
        where.append(f"c.coder IN ({', '.join('?' for _ in coders)})")
        args += coders
    sql = (
        'SELECT c.id, c.document_id, c.start, c."end", c.code_id, c.coder FROM codings c'
        f" JOIN documents d ON d.id = c.document_id WHERE {' AND '.join(where)}"
        ' ORDER BY c.document_id, c.start, c."end", c.id'
    )
    return list(map(CodedSpan._make, project.conn.execute(sql, args)))


def _with_descendants(project: Project, codes: list[str]) -> list[str]:
    rows = project.conn.execute("SELECT id, parent FROM codes").fetchall()
    children: dict[str, list[str]] = {}
    for cid, parent in rows:
        children.setdefault(parent, []).append(cid)
    out, stack = [], list(codes)
    while stack:
        cid = stack.pop()
        if cid not in out:
            out.append(cid)
            stack.extend(children.get(cid, []))
    return out


def codes_by_use(project: Project, coder: str) -> list[str]:
    """The codes a coder has used, most used first."""
    rows = project.conn.execute(
        "SELECT code_id FROM codings WHERE coder = ?"
        " GROUP BY code_id ORDER BY COUNT(*) DESC, code_id",
        [coder],
    ).fetchall()
    return [r[0] for r in rows]


def coder_names(project: Project) -> list[str]:
    """Everyone who has coded in the project, sorted (for coder filters)."""
    return [r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings ORDER BY 1")]


def require_coders(project: Project, coders: str | Sequence[str]) -> None:
    """NotFound for the first of `coders` who has never coded in the project: a filter on a
    mistyped name would give true-looking zeros, or quietly drop that name."""
    known = coder_names(project)
    for name in [coders] if isinstance(coders, str) else coders:
        if name not in known:
            others = f"coders: {', '.join(known)}" if known else "nobody has coded yet"
            raise NotFound(f"{project.path.name}: no coder named {name!r} ({others})")


def coding_counts(project: Project) -> dict[str, int]:
    return dict(project.conn.execute("SELECT code_id, COUNT(*) FROM codings GROUP BY code_id"))


def insert_codings(
    project: Project, rows: Sequence[tuple[int, int, int, str, str]], *, origin: str = "imported"
) -> int:
    """Bulk-insert checked (document, start, end, code, coder) rows in one transaction.

    For imports of whole codings (reference coding, other tools); not journaled, since
    such an import is undone by deleting the import, not code by code. Rows that
    duplicate an existing coding are skipped. Returns how many were added.
    """
    from frisat_qual.store.documents import now_utc

    if origin not in ORIGINS:
        raise FrisatError(f"unknown origin {origin!r}")
    stamp = now_utc()
    added = 0
    with project.transaction():
        for doc, start, end, code, coder in rows:
            exists = project.conn.execute(
                'SELECT 1 FROM codings WHERE document_id = ? AND start = ? AND "end" = ?'
                " AND code_id = ? AND coder = ?",
                [doc, start, end, code, coder],
            ).fetchone()
            if not exists:
                project.conn.execute(
                    'INSERT INTO codings (document_id, start, "end", code_id, coder, origin,'
                    " created) VALUES (?,?,?,?,?,?,?)",
                    [doc, start, end, code, coder, origin, stamp],
                )
                added += 1
    return added


def coding_progress(
    project: Project, *, coder: str | None = None, document_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """Per current document (or just `document_id`): (segments touched by a coding, all
    segments); with `coder`, only that coder's codings count (blind coding).

    Both queries walk indexes from the small side: segments are counted per document
    through their (document, idx) index, and overlaps are found from the codings
    (CROSS JOIN fixes that join order), so a 1,000-interview project answers in a few ms.
    """
    one, one_args = ("AND d.id = ?", [document_id]) if document_id else ("", [])
    totals = {
        doc: (last or -1) + 1
        for doc, last in project.conn.execute(
            "SELECT d.id, (SELECT MAX(idx) FROM segments s WHERE s.document_id = d.id)"
            f" FROM documents d WHERE d.is_current = 1 {one}",
            one_args,
        )
    }
    where, args = [], []
    if coder:
        where.append("c.coder = ?")
        args.append(coder)
    if document_id:
        where.append("c.document_id = ?")
        args.append(document_id)
    coded = dict(
        project.conn.execute(
            "SELECT s.document_id, COUNT(DISTINCT s.id) FROM codings c CROSS JOIN segments s"
            ' ON s.document_id = c.document_id AND c.start < s."end" AND c."end" > s.start'
            f"{' WHERE ' + ' AND '.join(where) if where else ''} GROUP BY s.document_id",
            args,
        ).fetchall()
    )
    return {doc: (coded.get(doc, 0), total) for doc, total in totals.items()}
