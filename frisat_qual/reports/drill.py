"""The coded passages behind a report cell, so a figure can be read as the text it counts.

`passages(project, kind, row, column)` lists, for one cell of a report in `reports.tables`,
exactly the passages that the cell counts (the same filters give the same scope):

- frequencies and crosstab: `row` a code (None for all codable codes), `column` a value
  of the attribute `by` (None for all values): the codings of that code there.
- staircase: `row` a level, `column` a side (the `<level>.<side>` codings), "tema.kant"
  (the tema.kant codings overlapping the level's codings) or None (both sides); with
  `spor`, the codings of that spor code overlapping the cell's codings instead.
- cooccurrence: `row` and `column` two codes; `unit` says which figure: "overlaps" (one
  passage per pair of overlapping codings: the overlap), "segments" or "turns" (one
  passage per segment or turn coded with both).
- quotes: `row` the code, `column` a quote's coding id (None for every quotable span).

`report_cells` maps each cell of a `writers.ReportTable` to the `Cell` whose passages
stand behind it, for front ends that let the researcher open a cell.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frisat_qual.errors import FrisatError
from frisat_qual.models import CodedSpan
from frisat_qual.reports.tables import (
    LEVELS,
    MISSING,
    SIDES,
    Scope,
    attribution,
    report_scope,
)
from frisat_qual.store.codes import code_rows
from frisat_qual.store.documents import document_text, segments_of, turns_of
from frisat_qual.store.project import Project

if TYPE_CHECKING:
    from frisat_qual.reports.writers import ReportTable

KINDS = ("frequencies", "crosstab", "cooccurrence", "staircase", "quotes")
UNITS = ("overlaps", "segments", "turns")
KANT = "tema.kant"


@dataclass(frozen=True)
class Passage:
    """A coded passage: the span `start:end` of a document and the coding behind it.

    For co-occurrence `code_id`/`coding_id` are the row code's coding and `other_code`
    the column code; the span is the overlap, the shared segment or the shared turn.
    """

    coding_id: int
    document_id: int
    document: str
    start: int
    end: int
    text: str
    code_id: str
    attribution: str
    other_code: str | None = None


@dataclass(frozen=True)
class Cell:
    """Where a report cell's passages come from: the arguments of `passages`."""

    kind: str
    row: str | None
    column: str | int | None = None
    unit: str = "segments"
    spor: str | None = None

    @property
    def label(self) -> str:
        """A short description for a heading, e.g. "leder.forside" or "a × b"."""
        if self.kind == "staircase":
            if self.spor:
                return f"{self.spor} at {self.row}.{self.column}"
            if self.column == KANT:
                return f"{KANT} at {self.row}"
            return f"{self.row}.{self.column}" if self.column else f"{self.row} (both sides)"
        if self.kind == "cooccurrence":
            what = {"overlaps": "overlaps", "segments": "shared segments", "turns": "shared turns"}
            return f"{self.row} × {self.column} ({what[self.unit]})"
        if self.kind == "quotes":
            return f"quote for {self.row}"
        code = self.row or "all codes"
        return f"{code}, {self.column}" if self.column is not None else code


def passages(
    project: Project,
    kind: str,
    row: str | None = None,
    column: str | int | None = None,
    *,
    by: str | None = None,
    unit: str = "segments",
    spor: str | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[Passage]:
    """The passages one report cell counts, in document order (see the module docstring)."""
    if kind not in KINDS:
        raise FrisatError(f"unknown report {kind!r} (one of {', '.join(KINDS)})")
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    texts = _Texts(project)
    if kind in ("frequencies", "crosstab"):
        return _code_passages(project, scope, texts, row, column, by)
    if kind == "staircase":
        return _staircase_passages(scope, texts, row, column, spor)
    if kind == "cooccurrence":
        if row is None or column is None:
            raise FrisatError("co-occurrence passages need two codes")
        return _cooccurrence_passages(project, scope, texts, str(row), str(column), unit)
    if row is None:
        raise FrisatError("quote passages need a code")
    return _quote_passages(scope, texts, row, column)


def passages_of(
    project: Project,
    cell: Cell,
    *,
    by: str | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[Passage]:
    """`passages` for a `Cell` from `report_cells`."""
    return passages(
        project,
        cell.kind,
        cell.row,
        cell.column,
        by=by,
        unit=cell.unit,
        spor=cell.spor,
        coders=coders,
        documents=documents,
        attributes=attributes,
    )


class _Texts:
    """Document texts, read once each."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.texts: dict[int, str] = {}

    def __getitem__(self, document_id: int) -> str:
        if document_id not in self.texts:
            self.texts[document_id] = document_text(self.project, document_id)
        return self.texts[document_id]


def _passage(
    scope: Scope,
    texts: _Texts,
    coding: CodedSpan,
    start: int | None = None,
    end: int | None = None,
    other_code: str | None = None,
) -> Passage:
    start = coding.start if start is None else start
    end = coding.end if end is None else end
    doc = scope.documents[coding.document_id]
    return Passage(
        coding.id,
        doc.id,
        doc.name,
        start,
        end,
        texts[doc.id][start:end].strip(),
        coding.code_id,
        attribution(scope.attributes[doc.id], doc.name),
        other_code,
    )


def _codable(project: Project) -> list[str]:
    return [r["id"] for r in code_rows(project, include_retired=False) if r["codable"]]


def _code_passages(
    project: Project,
    scope: Scope,
    texts: _Texts,
    code: str | None,
    value: str | int | None,
    by: str | None,
) -> list[Passage]:
    if value is not None and not by:
        raise FrisatError("a value needs the attribute it belongs to (by)")
    codes = {code} if code is not None else set(_codable(project))
    return [
        _passage(scope, texts, c)
        for c in scope.codings
        if c.code_id in codes
        and (value is None or scope.attributes[c.document_id].get(by, MISSING) == value)
    ]


def _touching(scope: Scope, cell_codings: list[CodedSpan], code: str) -> list[CodedSpan]:
    """The codings of `code` overlapping any of `cell_codings`, each once (as
    `tables.staircase` counts them), in document order."""
    by_doc: dict[int, list[CodedSpan]] = {}
    for other in scope.codings:
        if other.code_id == code:
            by_doc.setdefault(other.document_id, []).append(other)
    found = {
        other.id
        for c in cell_codings
        for other in by_doc.get(c.document_id, [])
        if other.start < c.end and c.start < other.end
    }
    return [c for c in scope.codings if c.id in found]


def _staircase_passages(
    scope: Scope, texts: _Texts, level: str | None, column: str | int | None, spor: str | None
) -> list[Passage]:
    if level not in LEVELS:
        raise FrisatError(f"unknown level {level!r} (one of {', '.join(LEVELS)})")
    if column == KANT:
        if spor:
            raise FrisatError("spor passages belong to a side, not to tema.kant")
        sides = SIDES
    elif column is None:
        sides = SIDES
    elif column in SIDES:
        sides = (str(column),)
    else:
        raise FrisatError(f"unknown staircase column {column!r} (forside, bagside or {KANT})")
    own = {f"{level}.{side}" for side in sides}
    mine = [c for c in scope.codings if c.code_id in own]
    if column == KANT:
        found = _touching(scope, mine, KANT)
    elif spor:
        found = _touching(scope, mine, spor)
    else:
        found = mine
    return [_passage(scope, texts, c) for c in found]


def _cooccurrence_passages(
    project: Project, scope: Scope, texts: _Texts, code_a: str, code_b: str, unit: str
) -> list[Passage]:
    if unit not in UNITS:
        raise FrisatError(f"unknown unit {unit!r} (one of {', '.join(UNITS)})")
    codable = set(_codable(project))
    if code_a == code_b or not {code_a, code_b} <= codable:
        return []
    per_doc: dict[int, list[CodedSpan]] = {}
    for c in scope.codings:
        if c.code_id in (code_a, code_b):
            per_doc.setdefault(c.document_id, []).append(c)
    out: list[Passage] = []
    for doc_id, codings in per_doc.items():
        if len({c.code_id for c in codings}) < 2:
            continue  # only one of the codes here: nothing shared
        if unit == "overlaps":
            # the same sweep as tables.cooccurrence, so the same pairs are found
            ordered = sorted(codings, key=lambda c: (c.start, c.end))
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    if b.start >= a.end:
                        break
                    if a.code_id != b.code_id:
                        mine, other = (a, b) if a.code_id == code_a else (b, a)
                        out.append(
                            _passage(
                                scope,
                                texts,
                                mine,
                                max(a.start, b.start),
                                min(a.end, b.end),
                                other.code_id,
                            )
                        )
            continue
        units = segments_of(project, doc_id) if unit == "segments" else turns_of(project, doc_id)
        for u in units:
            hits = {code_a: [], code_b: []}
            for c in codings:
                if u.start < c.end and c.start < u.end:
                    hits[c.code_id].append(c)
            if hits[code_a] and hits[code_b]:
                out.append(_passage(scope, texts, hits[code_a][0], u.start, u.end, code_b))
    return out


def _quote_passages(
    scope: Scope, texts: _Texts, code: str, coding_id: str | int | None
) -> list[Passage]:
    """One passage per span coded with `code` (the first coding of it, as `tables.quotes`
    quotes it), or just the quote with `coding_id`."""
    seen: set[tuple[int, int, int]] = set()
    out = []
    for c in scope.codings:
        key = (c.document_id, c.start, c.end)
        if c.code_id != code or key in seen:
            continue
        seen.add(key)
        if coding_id is None or c.id == int(coding_id):
            out.append(_passage(scope, texts, c))
    return out


def report_cells(
    project: Project,
    table: ReportTable,
    kind: str,
    *,
    code: str | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[list[Cell | None]]:
    """For each cell of `table` (as `writers.build_report` lays out report `kind`), the
    `Cell` whose passages stand behind it. Cells that count codings (codings, values,
    totals, sides, overlaps/segments/turns) have exactly that many passages; the other
    cells of a row (label, words, jaccard...) open the row's passages. Quotes need the
    `code` and the filters the table was built with, to find each quote's coding."""
    headers = table.headers
    if kind == "frequencies":
        return [
            [Cell(kind, r[0], h if j >= 7 else None) for j, h in enumerate(headers)]
            for r in table.rows
        ]
    if kind == "crosstab":
        last, width = len(table.rows) - 1, len(headers)  # the last row holds the totals
        return [
            [
                Cell(kind, None if i == last else r[0], headers[j] if 0 < j < width - 1 else None)
                for j in range(width)
            ]
            for i, r in enumerate(table.rows)
        ]
    if kind == "cooccurrence":
        units = {2: "overlaps", 3: "segments", 4: "turns"}
        return [
            [Cell(kind, r[0], r[1], units.get(j, "segments")) for j in range(len(headers))]
            for r in table.rows
        ]
    if kind == "staircase":
        columns = [None, *headers[1:]]
        return [[Cell(kind, r[0], column) for column in columns] for r in table.rows]
    if kind == "quotes":
        if code is None:
            raise FrisatError("quote cells need the code the quotes were listed for")
        spans = {
            (p.document, p.start, p.end): p.coding_id
            for p in passages(
                project, kind, code, coders=coders, documents=documents, attributes=attributes
            )
        }
        ids = [spans.get((q["document"], q["start"], q["end"])) for q in table.data]
        return [
            [Cell(kind, code, coding_id) if coding_id is not None else None for _ in headers]
            for coding_id in ids
        ]
    raise FrisatError(f"unknown report {kind!r} (one of {', '.join(KINDS)})")
