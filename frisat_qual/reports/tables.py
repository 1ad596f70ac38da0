"""Core report tables: frequencies, cross-tabs, presence matrix, co-occurrence, the
staircase view and quote lists.

Every function takes the project and the same filters (`coders`, a set of `documents` ids,
case `attributes` such as {"kommune": "kommune 2"}) and returns plain dataclasses, so the
CLI, the TUI and the writers format them as they like. Only current document versions count.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from frisat_qual.errors import FrisatError
from frisat_qual.models import Coding, Document, Segment, Turn
from frisat_qual.store.cases import all_case_attributes, list_cases
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import document_text, list_documents, segments_of, turns_of
from frisat_qual.store.project import Project

LEVELS = ("politiker", "forvaltning", "leder", "medarbejder", "borger")
SIDES = ("forside", "bagside")
#: The value used for a coding whose case lacks the attribute reported by.
MISSING = "(ingen)"
_WORD = re.compile(r"\w+")


@dataclass
class Scope:
    """The documents, their case attributes and the codings a report covers."""

    documents: dict[int, Document]
    attributes: dict[int, dict[str, str]]  # document id -> its case attributes
    codings: list[Coding]

    @property
    def total_words(self) -> int:
        return sum(d.words for d in self.documents.values())


def report_scope(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> Scope:
    """Current documents matching the filters, and the codings on them by `coders`."""
    case_attrs = all_case_attributes(project)
    docs: dict[int, Document] = {}
    doc_attrs: dict[int, dict[str, str]] = {}
    wanted = set(documents) if documents is not None else None
    for doc in list_documents(project):
        attrs = case_attrs.get(doc.case_id, {}) if doc.case_id is not None else {}
        if wanted is not None and doc.id not in wanted:
            continue
        if any(attrs.get(k) != v for k, v in (attributes or {}).items()):
            continue
        docs[doc.id] = doc
        doc_attrs[doc.id] = attrs
    codings = [
        c for c in query_codings(project, coder=coders, current_only=True) if c.document_id in docs
    ]
    return Scope(docs, doc_attrs, codings)


def _codable_codes(project: Project) -> list[dict]:
    return [r for r in code_rows(project, include_retired=False) if r["codable"]]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _overlaps(a: Coding, b: Coding) -> bool:
    return a.document_id == b.document_id and a.start < b.end and b.start < a.end


@dataclass
class FrequencyRow:
    """One code's use. With `by`, `by_counts` maps each attribute value to its codings;
    `row_pct` is a value's share of this code's codings, `col_pct` this code's share of
    the value's codings (all codes), both in percent."""

    code: str
    label: str
    codings: int
    documents: int
    cases: int
    words: int
    word_share: float  # percent of all words of the documents in scope
    by_counts: dict[str, int] = field(default_factory=dict)
    row_pct: dict[str, float] = field(default_factory=dict)
    col_pct: dict[str, float] = field(default_factory=dict)


def frequencies(
    project: Project,
    *,
    by: str | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[FrequencyRow]:
    """Per codable code, in codebook order: codings, documents, cases and words coded.

    Words coded are the words in the union of the code's spans per document, so a word
    coded twice with the same code counts once.
    """
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    by_code: dict[str, list[Coding]] = {}
    for c in scope.codings:
        by_code.setdefault(c.code_id, []).append(c)
    values = _values(scope, by) if by else []
    column_totals = {v: 0 for v in values}
    rows: list[FrequencyRow] = []
    texts: dict[int, str] = {}
    for code in _codable_codes(project):
        codings = by_code.get(code["id"], [])
        spans: dict[int, list[tuple[int, int]]] = {}
        for c in codings:
            spans.setdefault(c.document_id, []).append((c.start, c.end))
        words = 0
        for doc_id, doc_spans in spans.items():
            if doc_id not in texts:
                texts[doc_id] = document_text(project, doc_id)
            text = texts[doc_id]
            words += sum(len(_WORD.findall(text[s:e])) for s, e in _merge(doc_spans))
        cases = {scope.documents[d].case_id for d in spans} - {None}
        row = FrequencyRow(
            code=code["id"],
            label=code["label"],
            codings=len(codings),
            documents=len(spans),
            cases=len(cases),
            words=words,
            word_share=_pct(words, scope.total_words),
        )
        if by:
            row.by_counts = {v: 0 for v in values}
            for c in codings:
                row.by_counts[scope.attributes[c.document_id].get(by, MISSING)] += 1
            for v, n in row.by_counts.items():
                column_totals[v] += n
        rows.append(row)
    for row in rows:
        if by:
            row.row_pct = {v: _pct(n, row.codings) for v, n in row.by_counts.items()}
            row.col_pct = {v: _pct(n, column_totals[v]) for v, n in row.by_counts.items()}
    return rows


def _values(scope: Scope, by: str) -> list[str]:
    """The values of attribute `by` among the documents in scope, sorted; MISSING last."""
    values = {a.get(by, MISSING) for a in scope.attributes.values()}
    return sorted(values - {MISSING}) + ([MISSING] if MISSING in values else [])


@dataclass
class CrossTab:
    """Codes x values of one case attribute: coding counts with totals and percentages."""

    by: str
    values: list[str]
    rows: list[FrequencyRow]  # by_counts, row_pct, col_pct filled
    column_totals: dict[str, int]
    total: int


def crosstab(
    project: Project,
    by: str,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> CrossTab:
    """Code x attribute-value counts; `rows[i].codings` is the row total."""
    rows = frequencies(project, by=by, coders=coders, documents=documents, attributes=attributes)
    values = list(rows[0].by_counts) if rows else []
    column_totals = {v: sum(r.by_counts[v] for r in rows) for v in values}
    return CrossTab(by, values, rows, column_totals, sum(r.codings for r in rows))


@dataclass
class PresenceMatrix:
    """0/1 per case (row) and code (column): 1 if any document of the case has the code."""

    codes: list[str]
    cases: list[str]  # case names, sorted
    cells: dict[str, dict[str, int]]  # case name -> code -> 0/1


def presence_matrix(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> PresenceMatrix:
    """The case x code presence matrix for QCA and mixed-methods tools."""
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    names = {c.id: c.name for c in list_cases(project)}
    case_ids = {d.case_id for d in scope.documents.values()} - {None}
    cases = sorted(names[i] for i in case_ids)
    codes = [r["id"] for r in _codable_codes(project)]
    cells = {name: dict.fromkeys(codes, 0) for name in cases}
    for c in scope.codings:
        case_id = scope.documents[c.document_id].case_id
        if case_id is not None and c.code_id in cells[names[case_id]]:
            cells[names[case_id]][c.code_id] = 1
    return PresenceMatrix(codes, cases, cells)


@dataclass
class CooccurrenceRow:
    """How two codes meet: `overlaps` counts pairs of codings whose characters overlap;
    `segments`/`turns` count units coded with both; Jaccard is `segments` over the
    segments coded with either."""

    code_a: str
    code_b: str
    overlaps: int
    segments: int
    turns: int
    jaccard: float


def cooccurrence(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[CooccurrenceRow]:
    """Every pair of codes (codebook order) that meets at least once."""
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    order = {r["id"]: i for i, r in enumerate(_codable_codes(project))}
    per_doc: dict[int, list[Coding]] = {}
    for c in scope.codings:
        if c.code_id in order:
            per_doc.setdefault(c.document_id, []).append(c)
    overlaps: dict[tuple[str, str], int] = {}
    seg_codes: dict[str, set[int]] = {}  # code -> ids of segments it touches
    turn_codes: dict[str, set[int]] = {}
    for doc_id, codings in per_doc.items():
        ordered = sorted(codings, key=lambda c: (c.start, c.end))
        for i, a in enumerate(ordered):
            # later codings start at or after a.start, so they overlap a while they start
            # before a ends: a sweep instead of comparing every pair
            for b in ordered[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.code_id != b.code_id:
                    key = tuple(sorted((a.code_id, b.code_id), key=order.__getitem__))
                    overlaps[key] = overlaps.get(key, 0) + 1
        for units, target in (
            (segments_of(project, doc_id), seg_codes),
            (turns_of(project, doc_id), turn_codes),
        ):
            _mark_units(units, codings, target)
    rows = []
    used = sorted(set(seg_codes) | {k for pair in overlaps for k in pair}, key=order.__getitem__)
    for a, b in combinations(used, 2):
        sa, sb = seg_codes.get(a, set()), seg_codes.get(b, set())
        ta, tb = turn_codes.get(a, set()), turn_codes.get(b, set())
        both, turns, n = len(sa & sb), len(ta & tb), overlaps.get((a, b), 0)
        if both or turns or n:
            union = len(sa | sb)
            rows.append(CooccurrenceRow(a, b, n, both, turns, both / union if union else 0.0))
    return rows


def _mark_units(
    units: Sequence[Segment | Turn], codings: list[Coding], target: dict[str, set[int]]
) -> None:
    """Add to `target[code]` the ids of the units (in text order, not overlapping) that a
    coding of that code shares characters with."""
    ends = [u.end for u in units]
    for c in codings:
        i = bisect_right(ends, c.start)  # the first unit ending after the coding starts
        while i < len(units) and units[i].start < c.end:
            if units[i].end > c.start:
                target.setdefault(c.code_id, set()).add(units[i].id)
            i += 1


@dataclass
class StaircaseCell:
    level: str
    side: str
    codings: int
    spor: dict[str, int]  # spor code -> its codings overlapping this cell's codings


@dataclass
class Staircase:
    """The 5 x 2 matrix of levels by sides, and tema.kant codings overlapping each level."""

    cells: dict[tuple[str, str], StaircaseCell]
    kant: dict[str, int]
    spor_codes: list[str]


def staircase(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> Staircase:
    """Counts per level and side, the spor distribution per cell and tema.kant per level.

    A spor (or tema.kant) coding is counted in a cell once however many of the cell's
    codings it overlaps.
    """
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    spor_codes = [r["id"] for r in _codable_codes(project) if r["id"].startswith("spor.")]
    by_code: dict[str, list[Coding]] = {}
    by_doc_code: dict[tuple[int, str], list[Coding]] = {}
    for c in scope.codings:
        by_code.setdefault(c.code_id, []).append(c)
        by_doc_code.setdefault((c.document_id, c.code_id), []).append(c)

    def touching(codings: list[Coding], code: str) -> int:
        hits: set[int] = set()
        for c in codings:
            for other in by_doc_code.get((c.document_id, code), []):
                if other.id not in hits and _overlaps(other, c):
                    hits.add(other.id)
        return len(hits)

    cells = {}
    kant = {}
    for level in LEVELS:
        for side in SIDES:
            mine = by_code.get(f"{level}.{side}", [])
            spor = {s: touching(mine, s) for s in spor_codes}
            cells[(level, side)] = StaircaseCell(level, side, len(mine), spor)
        both = by_code.get(f"{level}.forside", []) + by_code.get(f"{level}.bagside", [])
        kant[level] = touching(both, "tema.kant")
    return Staircase(cells, kant, spor_codes)


@dataclass
class Quote:
    coding_id: int
    document_id: int
    document: str
    start: int
    end: int
    text: str
    attribution: str
    score: float = 0.0  # typicality: cosine similarity to the code's centroid


def attribution(attributes: dict[str, str], fallback: str) -> str:
    """The attribution after a quote, e.g. "(Udvalgsformand, kommune 2)": the titel
    attribute (else rolle, capitalised), then kommune; `fallback` when neither is known."""
    who = attributes.get("titel") or (attributes.get("rolle") or "").capitalize()
    parts = [p for p in (who, attributes.get("kommune", "")) if p]
    return f"({', '.join(parts) if parts else fallback})"


def quotes(
    project: Project,
    code: str,
    *,
    per_document: int | None = 2,
    sort: str = "typical",
    limit: int | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> list[Quote]:
    """The passages coded with `code`, most typical (or longest) first, at most
    `per_document` from each document and `limit` in all. A span coded by several coders
    is quoted once."""
    if sort not in ("typical", "length"):
        raise FrisatError(f"unknown quote order {sort!r} (use typical or length)")
    scope = report_scope(project, coders=coders, documents=documents, attributes=attributes)
    found: list[Quote] = []
    seen: set[tuple[int, int, int]] = set()
    texts: dict[int, str] = {}
    for c in scope.codings:
        key = (c.document_id, c.start, c.end)
        if c.code_id != code or key in seen:
            continue
        seen.add(key)
        if c.document_id not in texts:
            texts[c.document_id] = document_text(project, c.document_id)
        doc = scope.documents[c.document_id]
        found.append(
            Quote(
                c.id,
                c.document_id,
                doc.name,
                c.start,
                c.end,
                texts[c.document_id][c.start : c.end].strip(),
                attribution(scope.attributes[c.document_id], doc.name),
            )
        )
    if sort == "typical":
        _score_typicality(found)
        found.sort(key=lambda q: (-q.score, -len(q.text), q.coding_id))
    else:
        found.sort(key=lambda q: (-len(q.text), q.coding_id))
    taken: dict[int, int] = {}
    out = []
    for q in found:
        if per_document is not None and taken.get(q.document_id, 0) >= per_document:
            continue
        taken[q.document_id] = taken.get(q.document_id, 0) + 1
        out.append(q)
        if limit is not None and len(out) >= limit:
            break
    return out


def _score_typicality(found: list[Quote]) -> None:
    if len(found) < 2:
        for q in found:
            q.score = 1.0
        return
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    try:
        matrix = TfidfVectorizer().fit_transform([q.text for q in found])
    except ValueError:  # no words at all, e.g. only punctuation
        return
    centroid = np.asarray(matrix.mean(axis=0))
    for q, score in zip(found, cosine_similarity(matrix, centroid)[:, 0], strict=True):
        q.score = float(score)
