"""The disagreement walk: where two coders differ, and recording how each difference was
resolved without touching either coder's own codings.

A disagreement is one (document, segment, code) that one coder applied (by the segment
rule, `units.applies`) and the other did not, on a document both coded. Its stable id is
`DOCUMENT:SEGMENT:CODE`, SEGMENT being the segment's number in the document counted
from 1, as the workspace's status line shows it.

Resolving writes the agreed codings under a consensus coder (default "consensus"):
keep-a copies coder A's codings of the code that count for the segment (whole, as A
made them), keep-b B's, keep-both the union; an identical consensus coding that exists
already is reused, never doubled. Keeping the coder who lacks the code writes nothing.
discuss keeps no coding (the unit stays open) and writes a memo naming the disagreement
on the coding in question (a memo may also go with any other decision). The decision
goes to the `resolutions` table. Each resolution is one journaled action, so undo takes
it back whole. Resolving a unit again replaces the earlier decision and removes the
consensus codings resolutions made for it, unless another resolution stands on them; a
discussion memo stays (updated by a new memo text).

Only disputed units reach the consensus coder: what the coders agree on is not copied,
so the consensus coder holds the resolved disagreements, not a whole coding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from frisat_qual.agreement.units import (
    applies,
    choose_coders,
    load_comparison,
    overlapping_pairs,
)
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import CodedSpan
from frisat_qual.store.codes import code_row
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import get_document, now_utc, segments_of
from frisat_qual.store.journal import record
from frisat_qual.store.project import Project
from frisat_qual.store.resolutions import (
    DECISIONS,
    StoredResolution,
    consensus_coding_at,
    find_resolution,
    memo_texts,
    record_resolution,
    resolution_codings,
    resolutions_of_pair,
    row_exists,
    stored_pair,
)

#: The coder name consensus codings are written under unless another is given.
CONSENSUS = "consensus"
_ID = re.compile(r"^(?P<document>.+):(?P<segment>\d+):(?P<code>[^:]+)$")
#: The start of a discussion memo, naming the disagreement (see `resolve`).
_MEMO_PREFIX = re.compile(r"^Disagreement \S+ \(.*?\): ", re.S)


@dataclass(frozen=True)
class CodingMark:
    """A coding of the disputed code that touches the segment; `counts` says whether it
    counts for the segment by the rule (a mere spill-over does not)."""

    id: int
    coder: str
    start: int
    end: int
    counts: bool


@dataclass(frozen=True)
class Resolution:
    """A decision, told for the pair as asked: `decision` keep-a names the first coder.
    `kept` are the coders whose codings were kept; `codings` the consensus codings."""

    decision: str
    kept: tuple[str, ...]
    consensus: str
    codings: tuple[int, ...]
    memo_id: int | None
    memo: str | None
    resolved_by: str
    created: str

    def describe(self) -> str:
        if self.decision == "discuss":
            return "discuss"
        if self.decision == "keep-both":
            return "keep both"
        return f"keep {self.kept[0]}"


@dataclass(frozen=True)
class Disagreement:
    """One (document, segment, code) two coders differ on: `has` is the coder who applied
    the code there (by the rule), `lacks` the other; `codings` are both coders' codings
    of the code that touch the segment, counting or not; `segment` its number from 1."""

    id: str
    coders: tuple[str, str]
    document_id: int
    document: str
    segment_id: int
    segment: int
    start: int
    end: int
    text: str
    code: str
    label: str
    has: tuple[str, ...]
    lacks: tuple[str, ...]
    codings: tuple[CodingMark, ...]
    resolution: Resolution | None = None

    def coding_ids(self, coder: str) -> list[int]:
        """The coder's codings that count for the segment."""
        return [m.id for m in self.codings if m.coder == coder and m.counts]

    def summary(self) -> str:
        return f"{', '.join(self.has)} coded {self.code}; {', '.join(self.lacks)} did not"


def memo_note(text: str) -> str:
    """A discussion memo without the opening that names the disagreement."""
    return _MEMO_PREFIX.sub("", text, count=1)


def disagreement_id(document: str, segment: int, code: str) -> str:
    return f"{document}:{segment}:{code}"


def parse_id(text: str) -> tuple[str, int, str]:
    """(document name, segment number, code) of a disagreement id."""
    match = _ID.match(text.strip())
    if match is None or int(match["segment"]) < 1:
        raise FrisatError(
            f"{text!r} is not a disagreement id; write DOCUMENT:SEGMENT:CODE,"
            " e.g. k1_leder:4:leder.forside"
        )
    return match["document"], int(match["segment"]), match["code"]


def _pair(project: Project, coders: Sequence[str] | None) -> tuple[str, str]:
    chosen = choose_coders(project, coders)
    if len(chosen) != 2:
        raise FrisatError(
            f"disagreements are listed for two coders at a time, not {len(chosen)}"
            f" ({', '.join(chosen)})"
        )
    return chosen[0], chosen[1]


def _resolution(
    stored: StoredResolution, pair: tuple[str, str], memos: dict[int, str]
) -> Resolution:
    """A stored row (coders in sorted order) told for `pair` in the order asked."""
    decision = stored.decision
    if (stored.coder_a, stored.coder_b) != pair:
        decision = {"keep-a": "keep-b", "keep-b": "keep-a"}.get(decision, decision)
    kept = {"keep-a": (pair[0],), "keep-b": (pair[1],), "keep-both": pair}.get(decision, ())
    memo = memos.get(stored.memo_id) if stored.memo_id is not None else None
    return Resolution(
        decision,
        kept,
        stored.consensus,
        stored.codings,
        stored.memo_id,
        memo,
        stored.resolved_by,
        stored.created,
    )


def _marks(spans: list[CodedSpan], start: int, end: int) -> tuple[CodingMark, ...]:
    return tuple(
        CodingMark(s.id, s.coder, s.start, s.end, bool(applies(start, end, s.start, s.end)))
        for s in spans
        if s.start < end and s.end > start
    )


def disagreements(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codes: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    unresolved: bool = False,
) -> list[Disagreement]:
    """Every (document, segment, code) where two coders differ, on the documents both
    coded, ordered by document, position and code (codebook order), each with its
    resolution if one is recorded; `unresolved` leaves the resolved ones out."""
    a, b = _pair(project, coders)
    comparison = load_comparison(project, (a, b), codes=codes, attributes=attributes)
    compared = set(comparison.codes)
    order = {c: i for i, c in enumerate(comparison.codes)}
    stored = {
        r.key: r
        for r in resolutions_of_pair(
            project, a, b, document_ids=[d.id for d in comparison.documents]
        )
    }
    memos = memo_texts(project, [r.memo_id for r in stored.values() if r.memo_id is not None])
    out: list[Disagreement] = []
    for doc in comparison.documents:
        segments = sorted(segments_of(project, doc.id), key=lambda s: (s.start, s.idx))
        spans = [s for s in comparison.codings[doc.id] if s.code_id in compared]
        if not segments or not spans:
            continue
        starts = np.array([s.start for s in segments], dtype=np.int64)
        ends = np.array([s.end for s in segments], dtype=np.int64)
        c_start = np.array([s.start for s in spans], dtype=np.int64)
        c_end = np.array([s.end for s in spans], dtype=np.int64)
        coding, unit = overlapping_pairs(starts, ends, c_start, c_end)
        touching: dict[tuple[int, str], list[CodedSpan]] = {}
        for ci, ui in zip(coding.tolist(), unit.tolist(), strict=True):
            touching.setdefault((ui, spans[ci].code_id), []).append(spans[ci])
        for (ui, code), near in sorted(touching.items(), key=lambda x: (x[0][0], order[x[0][1]])):
            seg = segments[ui]
            marks = _marks(near, seg.start, seg.end)
            has = tuple(c for c in (a, b) if any(m.coder == c and m.counts for m in marks))
            if len(has) != 1:
                continue
            resolution = stored.get((doc.id, seg.start, seg.end, code))
            if unresolved and resolution is not None:
                continue
            out.append(
                Disagreement(
                    disagreement_id(doc.name, seg.idx + 1, code),
                    (a, b),
                    doc.id,
                    doc.name,
                    seg.id,
                    seg.idx + 1,
                    seg.start,
                    seg.end,
                    seg.text,
                    code,
                    comparison.labels.get(code, code),
                    has,
                    tuple(c for c in (a, b) if c not in has),
                    marks,
                    _resolution(resolution, (a, b), memos) if resolution else None,
                )
            )
    return out


def find_disagreement(
    project: Project, disagreement: str, coders: Sequence[str] | None = None
) -> Disagreement:
    """One disagreement by its id, for coders (a, b); FrisatError when the coders agree
    there or the id names nothing."""
    a, b = _pair(project, coders)
    name, number, code = parse_id(disagreement)
    try:
        doc = get_document(project, name)
    except NotFound:
        raise NotFound(f"{disagreement}: no document {name!r} in this project") from None
    if not doc.is_current:
        raise FrisatError(f"{disagreement}: {name!r} is an old version of a document")
    label = code_row(project, code)["label"]
    segments = segments_of(project, doc.id)
    seg = next((s for s in segments if s.idx == number - 1), None)
    if seg is None:
        raise NotFound(f"{disagreement}: {name} has {len(segments)} segments, not {number}")
    coded = {c.coder for c in query_codings(project, document_id=doc.id, coder=[a, b])}
    missing = [c for c in (a, b) if c not in coded]
    if missing:
        raise FrisatError(
            f"{disagreement}: {' and '.join(missing)} did not code {name}; only documents"
            " both coders coded are compared"
        )
    spans = [
        CodedSpan(c.id, c.document_id, c.start, c.end, c.code_id, c.coder)
        for c in query_codings(project, code=code, document_id=doc.id, coder=[a, b])
    ]
    marks = _marks(spans, seg.start, seg.end)
    has = tuple(c for c in (a, b) if any(m.coder == c and m.counts for m in marks))
    if len(has) != 1:
        verb = "both coded" if has else "neither coded"
        raise FrisatError(f"{disagreement}: {a} and {b} agree here ({verb} {code})")
    stored = find_resolution(project, doc.id, seg.start, seg.end, code, a, b)
    memos = memo_texts(project, [stored.memo_id] if stored and stored.memo_id else [])
    return Disagreement(
        disagreement_id(doc.name, number, code),
        (a, b),
        doc.id,
        doc.name,
        seg.id,
        number,
        seg.start,
        seg.end,
        seg.text,
        code,
        label,
        has,
        tuple(c for c in (a, b) if c not in has),
        marks,
        _resolution(stored, (a, b), memos) if stored else None,
    )


def resolve(
    project: Project,
    disagreement: str | Disagreement,
    decision: str,
    *,
    resolved_by: str,
    coders: Sequence[str] | None = None,
    memo: str | None = None,
    consensus: str = CONSENSUS,
) -> Disagreement:
    """Record a decision on a disagreement (by id, for `coders`, or as listed) and write
    the consensus codings it implies; one journaled action (undo by `resolved_by`).
    Returns the disagreement with its new resolution."""
    if decision not in DECISIONS:
        raise FrisatError(f"decision {decision!r}: choose one of {', '.join(DECISIONS)}")
    memo = (memo or "").strip()
    if decision == "discuss" and not memo:
        raise FrisatError("discuss needs a memo saying what to discuss")
    consensus = consensus.strip()
    if not consensus:
        raise FrisatError("the consensus coder needs a name")
    if isinstance(disagreement, Disagreement):
        coders = disagreement.coders
        disagreement = disagreement.id
    item = find_disagreement(project, disagreement, coders)
    a, b = item.coders
    if consensus in (a, b):
        raise FrisatError(
            f"the consensus coder must be someone other than {a} and {b}, not {consensus!r}"
        )
    kept = {"keep-a": (a,), "keep-b": (b,), "keep-both": (a, b)}.get(decision, ())
    keep = sorted({(m.start, m.end) for m in item.codings if m.coder in kept and m.counts})
    stored_a, stored_b, stored_decision = stored_pair(a, b, decision)
    with record(project, resolved_by, "resolution", f"resolve {item.id} ({decision})") as rec:
        old = find_resolution(project, item.document_id, item.start, item.end, item.code, a, b)
        memo_id = old.memo_id if old else None
        earlier = set(old.added) if old else set()
        _, made = resolution_codings(project, item.document_id)
        if old is not None:
            rec.delete("resolutions", old.id)
        codings, added = [], []
        for start, end in keep:
            existing = consensus_coding_at(
                project, item.document_id, start, end, item.code, consensus
            )
            if existing is None:
                existing = rec.insert(
                    "codings",
                    {
                        "document_id": item.document_id,
                        "start": start,
                        "end": end,
                        "code_id": item.code,
                        "coder": consensus,
                        "origin": "manual",
                        "created": now_utc(),
                    },
                )
                added.append(existing)
            elif existing in made:
                # made by another resolution: this one shares it, so whichever decision
                # is the last to stand on it takes it away when replaced
                added.append(existing)
            codings.append(existing)
        # what the replaced decision made and this one does not keep goes, unless
        # another resolution stands on it
        in_use, _ = resolution_codings(project, item.document_id)
        for coding_id in sorted(earlier - set(codings)):
            if coding_id not in in_use and row_exists(project, "codings", coding_id):
                rec.delete("codings", coding_id)
        if memo:
            text = f"Disagreement {item.id} ({item.summary()}; {a} vs {b}): {memo}"
            if memo_id is not None and row_exists(project, "memos", memo_id):
                rec.update("memos", memo_id, {"text": text, "updated": now_utc()})
            else:
                target = item.coding_ids(item.has[0])[0]
                stamp = now_utc()
                memo_id = rec.insert(
                    "memos",
                    {
                        "target_type": "coding",
                        "target_id": str(target),
                        "author": resolved_by,
                        "text": text,
                        "created": stamp,
                        "updated": stamp,
                    },
                )
        elif memo_id is not None and not row_exists(project, "memos", memo_id):
            memo_id = None
        record_resolution(
            rec,
            {
                "document_id": item.document_id,
                "start": item.start,
                "end": item.end,
                "code_id": item.code,
                "coder_a": stored_a,
                "coder_b": stored_b,
                "decision": stored_decision,
                "consensus": consensus,
                "memo_id": memo_id,
                "codings": codings,
                "added": added,
                "resolved_by": resolved_by,
                "created": now_utc(),
            },
        )
    return find_disagreement(project, item.id, (a, b))
