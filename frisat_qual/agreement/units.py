"""What agreement compares: the coders, the documents they all coded, the codes, and each
coder's yes/no decision per (unit, code), for segments and for characters.

The segment rule lives in `applies` and nowhere else: a coder applied code c to segment u
when one of their codings of c overlaps u by at least half of u's length, or by at least
half of the coding's length. A coding that spills a character or two into the next
segment does not count there; a short coding inside a long segment does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from frisat_qual.agreement.stats import BinaryCounts
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import CodedSpan, Document
from frisat_qual.store.cases import all_case_attributes
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import coded_spans, coder_names
from frisat_qual.store.documents import document_text, list_documents, unit_bounds
from frisat_qual.store.project import Project
from frisat_qual.store.resolutions import consensus_coders

RULE = (
    "a coder applied a code to a segment when one of their codings of that code overlaps"
    " the segment by at least half of the segment's length or at least half of the"
    " coding's length"
)
CHARACTER_RULE = (
    "units are the non-whitespace characters of the compared documents; a coder applied a"
    " code to a character when one of their codings of that code covers it"
)


def applies(unit_start, unit_end, coding_start, coding_end):
    """Whether a coding [coding_start, coding_end) counts for the unit [unit_start,
    unit_end): it overlaps the unit by at least half of the unit's length or at least half
    of its own length. Works on numbers (returns a numpy bool) and on arrays alike."""
    overlap = np.minimum(unit_end, coding_end) - np.maximum(unit_start, coding_start)
    return (overlap > 0) & (
        (2 * overlap >= np.subtract(unit_end, unit_start))
        | (2 * overlap >= np.subtract(coding_end, coding_start))
    )


def overlapping_pairs(
    unit_starts: np.ndarray, unit_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(coding index, unit index) of every coding and unit that share a character.

    Units are sorted by start; each coding's candidates are found by binary search (the
    running maximum of the ends keeps the search right should units ever overlap)."""
    unit_starts = np.asarray(unit_starts, dtype=np.int64)
    unit_ends = np.asarray(unit_ends, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    if not len(unit_starts) or not len(starts):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    first = np.searchsorted(np.maximum.accumulate(unit_ends), starts, side="right")
    stop = np.searchsorted(unit_starts, ends, side="left")
    count = np.maximum(stop - first, 0)
    coding = np.repeat(np.arange(len(starts)), count)
    offsets = np.concatenate(([0], np.cumsum(count)[:-1]))
    unit = first[coding] + (np.arange(int(count.sum())) - offsets[coding])
    shares = (unit_starts[unit] < ends[coding]) & (unit_ends[unit] > starts[coding])
    return coding[shares], unit[shares]


def assign(
    unit_starts: np.ndarray, unit_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(coding index, unit index) of every coding that counts for a unit by `applies`."""
    coding, unit = overlapping_pairs(unit_starts, unit_ends, starts, ends)
    keep = applies(
        np.asarray(unit_starts)[unit],
        np.asarray(unit_ends)[unit],
        np.asarray(starts)[coding],
        np.asarray(ends)[coding],
    )
    return coding[keep], unit[keep]


@dataclass
class Comparison:
    """The material of one comparison: `documents` every coder coded (by name), `skipped`
    documents only some coded (with who did), `codes` compared in codebook order, and
    per document the selected coders' codings of any code (`codings`)."""

    coders: tuple[str, ...]
    documents: list[Document]
    skipped: list[tuple[Document, tuple[str, ...]]]
    not_coded: int
    codes: list[str]
    labels: dict[str, str]
    codings: dict[int, list[CodedSpan]] = field(repr=False)
    code_filter: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)


def project_coders(project: Project) -> list[str]:
    """Everyone who has coded, without the names only used for consensus codings."""
    consensus = set(consensus_coders(project))
    return [c for c in coder_names(project) if c not in consensus]


def choose_coders(project: Project, coders: Sequence[str] | None) -> tuple[str, ...]:
    """The coders to compare: those named (two or more, all known), or when none are
    named the project's two coders if it has exactly two."""
    known = coder_names(project)
    if not coders:
        candidates = project_coders(project)
        if len(candidates) == 2:
            return tuple(candidates)
        if not known:
            raise FrisatError("nobody has coded in this project yet")
        if len(known) == 1:
            raise FrisatError(
                f"only {known[0]} has coded in this project: agreement compares two or more"
                " coders (merge another coder's copy in with `frisat-qual merge`)"
            )
        raise FrisatError(
            f"name the coders to compare; this project's coders are {', '.join(known)}"
        )
    chosen = tuple(c.strip() for c in coders)
    for name in chosen:
        if name not in known:
            raise NotFound(
                f"no coder {name!r} in this project (coders: {', '.join(known) or 'none'})"
            )
    if len(set(chosen)) != len(chosen):
        raise FrisatError(f"a coder is named twice: {', '.join(chosen)}")
    if len(chosen) < 2:
        raise FrisatError(f"name two or more coders to compare, not just {chosen[0]!r}")
    return chosen


def documents_by_coder(project: Project) -> dict[str, set[int]]:
    """The current documents each coder has coded (at least one coding)."""
    out: dict[str, set[int]] = {}
    for span in coded_spans(project):
        out.setdefault(span.coder, set()).add(span.document_id)
    return out


def coder_pairs(project: Project) -> list[tuple[str, str, int]]:
    """Every pair of coders with the number of current documents both coded, most
    shared first."""
    docs = documents_by_coder(project)
    names = sorted(docs)
    pairs = [(a, b, len(docs[a] & docs[b])) for i, a in enumerate(names) for b in names[i + 1 :]]
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def default_pair(project: Project, coder: str | None = None) -> tuple[str, str] | None:
    """The pair to show first: `coder` and the coder sharing most documents with them,
    else the pair sharing most documents; consensus coders only when nothing else is
    left. None when no two coders have coded a document in common."""
    pairs = [p for p in coder_pairs(project) if p[2]]
    consensus = set(consensus_coders(project))
    plain = [p for p in pairs if p[0] not in consensus and p[1] not in consensus]
    for group in (plain, pairs):
        mine = [p for p in group if coder in (p[0], p[1])]
        for a, b, _ in mine or group:
            if coder == b:
                return b, a
            return a, b
    return None


def _with_descendants(rows: list[dict], codes: Sequence[str]) -> list[str]:
    children: dict[str | None, list[str]] = {}
    for row in rows:
        children.setdefault(row["parent"], []).append(row["id"])
    out: list[str] = []
    stack = list(reversed(codes))
    while stack:
        code = stack.pop()
        if code not in out:
            out.append(code)
            stack.extend(reversed(children.get(code, [])))
    return out


def load_comparison(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codes: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
) -> Comparison:
    """Read what a comparison needs: the coders (see `choose_coders`), the current
    documents matching `attributes` that every coder coded, and the codes compared: those
    any of the coders applied on those documents, limited to `codes` and their sub-codes
    when given."""
    chosen = choose_coders(project, coders)
    rows = code_rows(project)
    known = {r["id"] for r in rows}
    wanted: set[str] | None = None
    if codes:
        for code in codes:
            if code not in known:
                raise NotFound(f"no code {code!r} in the project's codebook")
        wanted = set(_with_descendants(rows, codes))
    attributes = dict(attributes or {})
    case_attrs = all_case_attributes(project)
    documents = {}
    for doc in list_documents(project):
        attrs = case_attrs.get(doc.case_id, {}) if doc.case_id is not None else {}
        if all(attrs.get(k) == v for k, v in attributes.items()):
            documents[doc.id] = doc
    if not documents:
        shown = ", ".join(f"{k}={v}" for k, v in attributes.items())
        raise FrisatError(
            f"no current document matches {shown}" if shown else "the project has no documents"
        )
    by_doc: dict[int, list[CodedSpan]] = {}
    for span in coded_spans(project, coder=list(chosen)):
        if span.document_id in documents:
            by_doc.setdefault(span.document_id, []).append(span)
    compared, skipped, not_coded = [], [], 0
    for doc in sorted(documents.values(), key=lambda d: d.name):
        who = {s.coder for s in by_doc.get(doc.id, [])}
        if len(who) == len(chosen):
            compared.append(doc)
        elif who:
            skipped.append((doc, tuple(c for c in chosen if c in who)))
        else:
            not_coded += 1
    if not compared:
        coded = {
            c: sum(1 for spans in by_doc.values() if any(s.coder == c for s in spans))
            for c in chosen
        }
        counts = ", ".join(f"{c}: {n}" for c, n in coded.items())
        raise FrisatError(
            f"{' and '.join(chosen)} have not coded any document in common"
            f" (documents coded: {counts})"
        )
    used = {s.code_id for d in compared for s in by_doc[d.id]}
    order = [r["id"] for r in rows if r["id"] in used and (wanted is None or r["id"] in wanted)]
    return Comparison(
        chosen,
        compared,
        skipped,
        not_coded,
        order,
        {r["id"]: r["label"] for r in rows},
        {d.id: by_doc[d.id] for d in compared},
        tuple(codes or ()),
        attributes,
    )


@dataclass
class SegmentDecisions:
    """Every coder's decision per (code, segment) over the compared documents: `decided`
    is coders x codes x segments; `coded` marks segments some coder applied any code to
    (any code of the codebook, not only the compared ones); `documents` and `index` say
    where each segment is (document id, position in the document)."""

    decided: np.ndarray
    coded: np.ndarray
    documents: np.ndarray
    index: np.ndarray
    starts: np.ndarray
    ends: np.ndarray


def segment_decisions(project: Project, comparison: Comparison) -> SegmentDecisions:
    """Apply `applies` to every coding and segment of the compared documents."""
    coders = {c: i for i, c in enumerate(comparison.coders)}
    compared = {c: i for i, c in enumerate(comparison.codes)}
    bounds = unit_bounds(project, "segments", [d.id for d in comparison.documents])
    k, n_codes = len(coders), len(compared)
    parts, coded_parts, doc_parts, index_parts, start_parts, end_parts = [], [], [], [], [], []
    for doc in comparison.documents:
        starts, ends = bounds.get(doc.id, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
        spans = comparison.codings[doc.id]
        c_start = np.fromiter((s.start for s in spans), np.int64, len(spans))
        c_end = np.fromiter((s.end for s in spans), np.int64, len(spans))
        who = np.fromiter((coders[s.coder] for s in spans), np.int64, len(spans))
        what = np.fromiter((compared.get(s.code_id, -1) for s in spans), np.int64, len(spans))
        coding, unit = assign(starts, ends, c_start, c_end)
        decided = np.zeros((k, n_codes, len(starts)), dtype=bool)
        mine = what[coding] >= 0
        decided[who[coding[mine]], what[coding[mine]], unit[mine]] = True
        coded = np.zeros(len(starts), dtype=bool)
        coded[unit] = True
        parts.append(decided)
        coded_parts.append(coded)
        doc_parts.append(np.full(len(starts), doc.id, dtype=np.int64))
        index_parts.append(np.arange(len(starts), dtype=np.int64))
        start_parts.append(starts)
        end_parts.append(ends)
    return SegmentDecisions(
        np.concatenate(parts, axis=2),
        np.concatenate(coded_parts),
        np.concatenate(doc_parts),
        np.concatenate(index_parts),
        np.concatenate(start_parts),
        np.concatenate(end_parts),
    )


#: Every code point str.isspace() is true for (a test checks the list against all of
#: Unicode): membership in this small set is much faster than classifying each distinct
#: character of a long text.
SPACES = np.array(
    [
        *range(9, 14),
        *range(28, 33),
        133,
        160,
        5760,
        *range(8192, 8203),
        8232,
        8233,
        8239,
        8287,
        12288,
    ],
    dtype=np.uint32,
)


def non_space_mask(text: str) -> np.ndarray:
    """True for each character of `text` that is not whitespace (str.isspace)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return ~np.isin(points, SPACES)


def character_counts(
    text: str, spans: Sequence[CodedSpan], coders: dict[str, int], codes: dict[str, int]
) -> tuple[int, list[BinaryCounts]]:
    """The character variant for one document: its non-whitespace character count and,
    per code (in `codes` order), the counts of the coders' decisions on those characters.

    Same figures as deciding character by character, but computed on the runs between
    coding boundaries, weighted by their non-whitespace characters, so the cost
    grows with the codings, not with the length of the text times the codes.
    """
    length, k = len(text), len(coders)
    solid = np.concatenate(([0], np.cumsum(non_space_mask(text), dtype=np.int64)))
    total = int(solid[-1])
    by_code: dict[str, list[CodedSpan]] = {}
    for s in spans:
        if s.code_id in codes:
            by_code.setdefault(s.code_id, []).append(s)
    out = []
    for code in codes:
        mine = by_code.get(code)
        counts = BinaryCounts.empty(k)
        if not mine:
            counts.add_unanimous_no(total)
            out.append(counts)
            continue
        start = np.fromiter((min(s.start, length) for s in mine), np.int64, len(mine))
        end = np.fromiter((min(s.end, length) for s in mine), np.int64, len(mine))
        who = np.fromiter((coders[s.coder] for s in mine), np.int64, len(mine))
        bounds = np.unique(np.concatenate(([0, length], start, end)))
        delta = np.zeros((k, len(bounds)), dtype=np.int64)
        np.add.at(delta, (who, np.searchsorted(bounds, start)), 1)
        np.add.at(delta, (who, np.searchsorted(bounds, end)), -1)
        covered = np.cumsum(delta, axis=1)[:, :-1] > 0
        weights = solid[bounds[1:]] - solid[bounds[:-1]]
        out.append(BinaryCounts.from_weights(covered, weights))
    return total, out


def character_texts(project: Project, comparison: Comparison) -> dict[int, str]:
    return {d.id: document_text(project, d.id) for d in comparison.documents}
