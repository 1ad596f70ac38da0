"""Core report tables: frequencies, cross-tabs, presence matrix, co-occurrence, the
staircase view and quote lists.

Every function takes the project and the same filters (`coders`, a set of `documents` ids,
case `attributes` such as {"kommune": "kommune 2"}) and returns plain dataclasses, so the
CLI, the TUI and the writers format them as they like. Only current document versions count.
Reports over the same filters can share one `Scope` (pass `scope=`, and the filters are not
used): the full report does, so it reads the codings and each document's text once.

`check_filters` turns a coder or case attribute the project does not have into an error
rather than a table of zeros; `report_scope` applies it, and commands that read codings
some other way (the codings list, the survey's case selection) call it themselves.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import CodedSpan, Document
from frisat_qual.store.cases import all_case_attributes, list_cases
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import coded_spans, coder_names, require_coders
from frisat_qual.store.documents import document_text, list_documents, unit_bounds
from frisat_qual.store.project import Project

if TYPE_CHECKING:
    import numpy as np

LEVELS = ("politiker", "forvaltning", "leder", "medarbejder", "borger")
SIDES = ("forside", "bagside")
#: The value used for a coding whose case lacks the attribute reported by.
MISSING = "(ingen)"
_WORD = re.compile(r"\w+")


@dataclass
class Scope:
    """The documents, their case attributes and the codings a report covers; it keeps
    each document's text once read, and the words coded per code, for the next report."""

    documents: dict[int, Document]
    attributes: dict[int, dict[str, str]]  # document id -> its case attributes
    codings: list[CodedSpan]  # ordered by document and position
    _texts: dict[int, str] = field(default_factory=dict, repr=False, compare=False)
    _coded_words: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @property
    def total_words(self) -> int:
        return sum(d.words for d in self.documents.values())

    def text(self, project: Project, document_id: int) -> str:
        """A document's text, read from the project the first time it is asked for."""
        text = self._texts.get(document_id)
        if text is None:
            text = self._texts[document_id] = document_text(project, document_id)
        return text


def check_filters(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    by: str | None = None,
) -> None:
    """Raise NotFound for a coder who has never coded in the project, a case attribute no
    case has (to filter or to group `by`), or a value no case has for it. A filter that
    exists but matches no codings passes: its zeros are true."""
    where = project.path.name
    if coders:
        require_coders(project, coders)
    if attributes or by:
        values: dict[str, set[str]] = {}
        for attrs in all_case_attributes(project).values():
            for key, value in attrs.items():
                values.setdefault(key, set()).add(value)
        for key, value in (attributes or {}).items():
            if key not in values:
                names = ", ".join(sorted(values)) or "none"
                raise NotFound(f"{where}: no case attribute named {key!r} (attributes: {names})")
            if value not in values[key]:
                raise NotFound(
                    f"{where}: no case has {key}={value}"
                    f" ({key} is one of: {', '.join(sorted(values[key]))})"
                )
        if by and by not in values:
            names = ", ".join(sorted(values)) or "none"
            raise NotFound(
                f"{where}: no case attribute named {by!r} to group by (attributes: {names})"
            )


def pooled_coders(
    project: Project, coders: str | Sequence[str] | None = None, scope: Scope | None = None
) -> list[str]:
    """The coders whose codings a report counts together, to be named in its note: when
    no `coders` are chosen, everyone with codings in `scope` (default: in the project) if
    that is more than one coder; else none."""
    if coders:
        return []
    names = sorted({c.coder for c in scope.codings}) if scope else coder_names(project)
    return names if len(names) > 1 else []


def pooled_note(names: Sequence[str]) -> str:
    """What a report says when it counts several coders' codings together ("" for none)."""
    if not names:
        return ""
    return f"counting the codings of {len(names)} coders together: {', '.join(names)}"


def report_scope(
    project: Project,
    *,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
) -> Scope:
    """Current documents matching the filters, and the codings on them by `coders`;
    unknown coders and case attributes are errors (`check_filters`)."""
    check_filters(project, coders=coders, attributes=attributes)
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
    codings = [c for c in coded_spans(project, coder=coders) if c.document_id in docs]
    return Scope(docs, doc_attrs, codings)


def _scope(
    project: Project,
    scope: Scope | None,
    coders: str | Sequence[str] | None,
    documents: Collection[int] | None,
    attributes: dict[str, str] | None,
) -> Scope:
    if scope is not None:
        return scope
    return report_scope(project, coders=coders, documents=documents, attributes=attributes)


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
    scope: Scope | None = None,
    count_words: bool = True,
) -> list[FrequencyRow]:
    """Per codable code, in codebook order: codings, documents, cases and words coded.

    Words coded are the words in the union of the code's spans per document, so a word
    coded twice with the same code counts once; `count_words=False` leaves them 0 for
    callers that only need the counts (the cross-tab).
    """
    scope = _scope(project, scope, coders, documents, attributes)
    by_code: dict[str, list[CodedSpan]] = {}
    for c in scope.codings:
        by_code.setdefault(c.code_id, []).append(c)
    values = _values(scope, by) if by else []
    column_totals = {v: 0 for v in values}
    rows: list[FrequencyRow] = []
    coded_words = _coded_words(project, scope) if count_words else {}
    for code in _codable_codes(project):
        codings = by_code.get(code["id"], [])
        doc_ids = {c.document_id for c in codings}
        cases = {scope.documents[d].case_id for d in doc_ids} - {None}
        words = coded_words.get(code["id"], 0)
        row = FrequencyRow(
            code=code["id"],
            label=code["label"],
            codings=len(codings),
            documents=len(doc_ids),
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


def _coded_words(project: Project, scope: Scope) -> dict[str, int]:
    """Per code, the words in the union of its spans in each document (kept on the scope:
    every frequency table over it needs the same)."""
    if scope._coded_words is None:
        spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for c in scope.codings:
            spans.setdefault((c.code_id, c.document_id), []).append((c.start, c.end))
        words: dict[str, int] = {}
        for (code, doc_id), doc_spans in spans.items():
            text = scope.text(project, doc_id)
            # findall within pos:endpos counts the words of text[s:e] without copying it
            n = sum(len(_WORD.findall(text, s, e)) for s, e in _merge(doc_spans))
            words[code] = words.get(code, 0) + n
        scope._coded_words = words
    return scope._coded_words


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
    scope: Scope | None = None,
) -> CrossTab:
    """Code x attribute-value counts; `rows[i].codings` is the row total."""
    rows = frequencies(
        project,
        by=by,
        coders=coders,
        documents=documents,
        attributes=attributes,
        scope=scope,
        count_words=False,
    )
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
    scope: Scope | None = None,
) -> PresenceMatrix:
    """The case x code presence matrix for QCA and mixed-methods tools."""
    scope = _scope(project, scope, coders, documents, attributes)
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
    scope: Scope | None = None,
) -> list[CooccurrenceRow]:
    """Every pair of codes (codebook order) that meets at least once."""
    scope = _scope(project, scope, coders, documents, attributes)
    order = {r["id"]: i for i, r in enumerate(_codable_codes(project))}
    per_doc: dict[int, list[CodedSpan]] = {}
    for c in scope.codings:
        if c.code_id in order:
            per_doc.setdefault(c.document_id, []).append(c)
    codes = sorted(order, key=order.__getitem__)
    overlaps = _overlapping_pairs(per_doc, order)
    seg_alone, seg_both = _units_shared(project, "segments", per_doc, order)
    _, turn_both = _units_shared(project, "turns", per_doc, order)
    rows = []
    used = {r for r, n in enumerate(seg_alone) if n} | {r for pair in overlaps for r in pair}
    for a, b in combinations(sorted(used), 2):
        both, turns, n = seg_both.get((a, b), 0), turn_both.get((a, b), 0), overlaps.get((a, b), 0)
        if both or turns or n:
            union = seg_alone[a] + seg_alone[b] - both
            rows.append(
                CooccurrenceRow(codes[a], codes[b], n, both, turns, both / union if union else 0.0)
            )
    return rows


def _pairs_within(groups_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), i < j, of a sequence in which element i pairs with every element
    after it up to (not including) `groups_end[i]`."""
    import numpy as np

    n = len(groups_end)
    later = np.maximum(groups_end - np.arange(n) - 1, 0)
    first = np.repeat(np.arange(n), later)
    # the partners of each i are i + 1, i + 2, ... up to its count
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
    return first, second


def _overlapping_pairs(
    per_doc: dict[int, list[CodedSpan]], order: dict[str, int]
) -> dict[tuple[int, int], int]:
    """How many pairs of codings of two different codes share characters, per pair of
    code ranks (in `order`, lower first). Each document's codings are in text order, so
    coding i overlaps exactly the later codings that start before it ends."""
    import numpy as np

    k = len(order)
    keys = []
    for codings in per_doc.values():
        n = len(codings)
        starts = np.fromiter((c.start for c in codings), np.int64, n)
        ends = np.fromiter((c.end for c in codings), np.int64, n)
        ranks = np.fromiter((order[c.code_id] for c in codings), np.int64, n)
        first, second = _pairs_within(np.searchsorted(starts, ends, side="left"))
        a, b = ranks[first], ranks[second]
        differ = a != b
        keys.append(np.minimum(a, b)[differ] * k + np.maximum(a, b)[differ])
    return _count_pairs(keys, k)


def _count_pairs(keys: list[np.ndarray], k: int) -> dict[tuple[int, int], int]:
    import numpy as np

    if not keys:
        return {}
    counts = np.bincount(np.concatenate(keys), minlength=k * k)
    return {(key // k, key % k): n for key, n in enumerate(counts.tolist()) if n}


def _units_shared(
    project: Project, unit: str, per_doc: dict[int, list[CodedSpan]], order: dict[str, int]
) -> tuple[list[int], dict[tuple[int, int], int]]:
    """How many segments or turns (`unit`) each code touches (by rank in `order`), and
    how many each pair of codes both touch. A coding touches the units it shares
    characters with."""
    import numpy as np

    k = len(order)
    touched = []  # unit key * k + code rank, a unit's key being document id * 2**24 + position
    for doc_id, bounds in unit_bounds(project, unit, per_doc).items():
        codings = per_doc[doc_id]
        n = len(codings)
        starts = np.fromiter((c.start for c in codings), np.int64, n)
        ends = np.fromiter((c.end for c in codings), np.int64, n)
        ranks = np.fromiter((order[c.code_id] for c in codings), np.int64, n)
        first = np.searchsorted(bounds[1], starts, side="right")  # first unit ending after
        stop = np.searchsorted(bounds[0], ends, side="left")  # units starting before the end
        count = np.maximum(stop - first, 0)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        units = (doc_id << 24) + np.repeat(first, count) + within
        touched.append(units * k + np.repeat(ranks, count))
    if not touched:
        return [0] * k, {}
    pairs = np.unique(np.concatenate(touched))  # sorted by unit, then code rank
    units, ranks = pairs // k, pairs % k
    alone = np.bincount(ranks, minlength=k).tolist()
    # the codes of one unit are neighbours: each pairs with those after it in its unit
    group_end = np.searchsorted(units, units, side="right")
    first, second = _pairs_within(group_end)
    return alone, _count_pairs([ranks[first] * k + ranks[second]], k)


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
    scope: Scope | None = None,
) -> Staircase:
    """Counts per level and side, the spor distribution per cell and tema.kant per level.

    A spor (or tema.kant) coding is counted in a cell once however many of the cell's
    codings it overlaps.
    """
    scope = _scope(project, scope, coders, documents, attributes)
    spor_codes = [r["id"] for r in _codable_codes(project) if r["id"].startswith("spor.")]
    cell_of = {f"{level}.{side}": (level, side) for level in LEVELS for side in SIDES}
    counted = set(spor_codes) | {"tema.kant"}
    codings_in: dict[tuple[str, str], int] = dict.fromkeys(cell_of.values(), 0)
    hits: dict[tuple[tuple[str, str], str], set[int]] = {}  # (cell, spor) -> coding ids
    kant_hits: dict[str, set[int]] = {}  # level -> tema.kant coding ids
    per_doc: dict[int, list[CodedSpan]] = {}
    for c in scope.codings:
        if c.code_id in cell_of:
            codings_in[cell_of[c.code_id]] += 1
        if c.code_id in cell_of or c.code_id in counted:
            per_doc.setdefault(c.document_id, []).append(c)

    def meet(cell_coding: CodedSpan, other: CodedSpan) -> None:
        cell = cell_of[cell_coding.code_id]
        if other.code_id == "tema.kant":
            kant_hits.setdefault(cell[0], set()).add(other.id)
        if other.code_id in counted and other.code_id != "tema.kant":
            hits.setdefault((cell, other.code_id), set()).add(other.id)

    for codings in per_doc.values():  # in text order: sweep the overlapping pairs
        for i, a in enumerate(codings):
            for b in codings[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.code_id in cell_of and b.code_id not in cell_of:
                    meet(a, b)
                elif b.code_id in cell_of and a.code_id not in cell_of:
                    meet(b, a)

    cells = {
        (level, side): StaircaseCell(
            level,
            side,
            codings_in[(level, side)],
            {sp: len(hits.get(((level, side), sp), ())) for sp in spor_codes},
        )
        for level in LEVELS
        for side in SIDES
    }
    kant = {level: len(kant_hits.get(level, ())) for level in LEVELS}
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
    scope: Scope | None = None,
) -> list[Quote]:
    """The passages coded with `code`, most typical (or longest) first, at most
    `per_document` from each document and `limit` in all. A span coded by several coders
    is quoted once."""
    return quotes_by_code(
        project,
        [code],
        per_document=per_document,
        sort=sort,
        limit=limit,
        coders=coders,
        documents=documents,
        attributes=attributes,
        scope=scope,
    )[code]


def quotes_by_code(
    project: Project,
    codes: Sequence[str] | None = None,
    *,
    per_document: int | None = 2,
    sort: str = "typical",
    limit: int | None = None,
    coders: str | Sequence[str] | None = None,
    documents: Collection[int] | None = None,
    attributes: dict[str, str] | None = None,
    scope: Scope | None = None,
) -> dict[str, list[Quote]]:
    """The quotes of each of `codes` (default: every codable code in use, in codebook
    order), each list as `quotes` gives it, found in one pass: the codings are read once,
    each document's text once, and the words of all passages are counted once for the
    typicality scores of every code."""
    if sort not in ("typical", "length"):
        raise FrisatError(f"unknown quote order {sort!r} (use typical or length)")
    scope = _scope(project, scope, coders, documents, attributes)
    if codes is None:
        used = {c.code_id for c in scope.codings}
        codes = [r["id"] for r in _codable_codes(project) if r["id"] in used]
    found: dict[str, list[Quote]] = {code: [] for code in codes}
    seen: set[tuple[str, int, int, int]] = set()
    who: dict[int, tuple[str, str]] = {}  # document id -> its name and attribution
    for c in scope.codings:
        key = (c.code_id, c.document_id, c.start, c.end)
        if c.code_id not in found or key in seen:
            continue
        seen.add(key)
        if c.document_id not in who:
            name = scope.documents[c.document_id].name
            who[c.document_id] = name, attribution(scope.attributes[c.document_id], name)
        name, said_by = who[c.document_id]
        text = scope.text(project, c.document_id)[c.start : c.end].strip()
        found[c.code_id].append(Quote(c.id, c.document_id, name, c.start, c.end, text, said_by))
    if sort == "typical":
        _score_typicality(list(found.values()))
    return {
        code: _pick(candidates, sort, per_document, limit) for code, candidates in found.items()
    }


def _pick(
    found: list[Quote], sort: str, per_document: int | None, limit: int | None
) -> list[Quote]:
    if sort == "typical":
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


def _score_typicality(groups: list[list[Quote]]) -> None:
    """Score each quote by the cosine similarity of its TF-IDF vector to the centroid of
    its group (a code's passages), as a TF-IDF model fitted on that group alone would.

    The words of all groups are counted in one pass, each distinct text once; the IDF
    weights are then fitted per group on its rows. Words a group lacks are columns of
    zeros there, which change neither its vectors nor their norms.
    """
    for group in groups:
        if len(group) == 1:
            group[0].score = 1.0
    groups = [g for g in groups if len(g) >= 2]
    if not groups:
        return
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    from sklearn.metrics.pairwise import cosine_similarity

    index: dict[str, int] = {}
    for group in groups:
        for q in group:
            index.setdefault(q.text, len(index))
    try:
        counts = CountVectorizer().fit_transform(list(index)).tocsr()
    except ValueError:  # no words at all, e.g. only punctuation
        return
    for group in groups:
        matrix = TfidfTransformer().fit_transform(counts[[index[q.text] for q in group]])
        if matrix.nnz == 0:  # no words in this group: as the model fitted alone, no scores
            continue
        centroid = np.asarray(matrix.mean(axis=0))
        for q, score in zip(group, cosine_similarity(matrix, centroid)[:, 0], strict=True):
            q.score = float(score)
