"""The disagreement walk: where two coders differ, and recording how each difference was
resolved without touching either coder's own codings.

A disagreement is one (document, segment, code) that one coder applied (by the segment
rule, `units.applies`) and the other did not, on a document both coded. Its stable id is
`DOCUMENT:SEGMENT:CODE`, SEGMENT being the segment's number in the document counted
from 1, as the workspace's status line shows it.

Resolving writes the agreed codings under a consensus coder (default "consensus"):
keep-a copies coder A's codings of the code that count for the segment, keep-b B's,
keep-both the union, each clipped to the segment (`_kept_spans`: a coding inside it is
copied as the coder made it, one running past it only its part within the segment,
trimmed of whitespace at the ends). So a decision settles exactly its segment, and a
decision for the coder who lacks the code leaves the segment without a decision's
consensus coding of that code, whatever was decided on its neighbours. An identical
consensus coding that exists already is reused, never doubled. Keeping the coder who
lacks the code writes nothing. discuss keeps no coding (the unit stays open) and writes
a memo naming the disagreement on the coding in question (a memo may also go with any
other decision). The decision goes to the `resolutions` table. Each resolution is one
journaled action, so undo takes it back whole. Resolving a unit again replaces the
earlier decision and removes the consensus codings it added, unless another resolution
stands on them; only codings of its consensus coder, document and code are ever taken
(`store.resolutions.added_codings`: the stored ids are not foreign keys, and SQLite
gives a removed coding's id to the next new one, maybe a coder's own). A discussion memo
stays (updated by a new memo text).

Adopting the agreements (`adopt_agreements`) completes the consensus coding: every
(document, segment, code) both coders applied (by the same rule) is settled as keep-a
would settle it, coder A being the lead coder: A's codings of the code that count for the
segment are copied, clipped to it, through the same path as keep-a, so the consensus
coder holds a whole coding once every disagreement is resolved too. Each adopted unit is
recorded as a keep-a row in `resolutions`, because the store knows consensus coders and
the codings decisions stand on only from that table: without the rows an adopted
consensus coder would count as a third coder (`units.project_coders`), and replacing a
decision could take away a consensus coding an agreed unit stands on too (one another
pair's decision kept on the same segment, or a whole coding over several segments that
an older version copied unclipped). The rows are never listed as disagreements (the
coders agree there). A unit already settled (adopted before, or resolved while the
coders still differed) is left as it is, so adopting twice adds nothing. One journaled
action: undo takes the whole adoption back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from frisat_qual.agreement.units import (
    Comparison,
    applies,
    choose_coders,
    load_comparison,
    overlapping_pairs,
)
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import CodedSpan, Segment
from frisat_qual.store.codes import code_row
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import get_document, now_utc, segments_of
from frisat_qual.store.journal import Recorder, record
from frisat_qual.store.project import Project
from frisat_qual.store.resolutions import (
    DECISIONS,
    StoredResolution,
    added_codings,
    consensus_coding_at,
    consensus_of_pair,
    find_resolution,
    held_codings,
    memo_texts,
    pairs_deciding_into,
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
    `kept` are the coders whose codings were kept; `codings` the consensus codings.
    Where the decision is looked up on its own (`find_disagreement`, so after `resolve`)
    `gone` are those of `codings` removed since (the decision no longer holds them) and
    `other` the consensus coder's codings of the code that count for the segment but no
    decision of this pair made (coded by hand, imported, or another pair's decision)."""

    decision: str
    kept: tuple[str, ...]
    consensus: str
    codings: tuple[int, ...]
    memo_id: int | None
    memo: str | None
    resolved_by: str
    created: str
    gone: tuple[int, ...] = ()
    other: tuple[int, ...] = ()

    @property
    def held(self) -> tuple[int, ...]:
        """The consensus codings the decision still stands for (`codings` less `gone`)."""
        return tuple(c for c in self.codings if c not in self.gone)

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
    stored: StoredResolution,
    pair: tuple[str, str],
    memos: dict[int, str],
    gone: tuple[int, ...] = (),
    other: tuple[int, ...] = (),
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
        gone,
        other,
    )


def _consensus_state(
    project: Project, stored: StoredResolution, segment: tuple[int, int]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(gone, other) of a stored decision on a segment: see `Resolution`."""
    gone = tuple(sorted(set(stored.codings) - held_codings(project, stored)))
    decided = {
        coding
        for r in resolutions_of_pair(
            project, stored.coder_a, stored.coder_b, document_ids=[stored.document_id]
        )
        if r.code_id == stored.code_id
        for coding in r.codings
    }
    other = tuple(
        c.id
        for c in query_codings(
            project, code=stored.code_id, document_id=stored.document_id, coder=stored.consensus
        )
        if c.id not in decided and applies(segment[0], segment[1], c.start, c.end)
    )
    return gone, other


def _marks(spans: list[CodedSpan], start: int, end: int) -> tuple[CodingMark, ...]:
    return tuple(
        CodingMark(s.id, s.coder, s.start, s.end, bool(applies(start, end, s.start, s.end)))
        for s in spans
        if s.start < end and s.end > start
    )


@dataclass(frozen=True)
class _Unit:
    """A (segment, code) that some coding of the code touches: the pair's codings of it
    there (`marks`, counting or not) and who applied it by the rule (`has`)."""

    segment: Segment
    code: str
    marks: tuple[CodingMark, ...]
    has: tuple[str, ...]


def _units_of(
    project: Project, document_id: int, pair: tuple[str, str], comparison: Comparison
) -> list[_Unit]:
    """Every (segment, code) of a compared document that one of the pair's codings of a
    compared code touches, by position and then codebook order: both coders applied the
    code there, one of them did (a disagreement), or neither (a mere spill-over)."""
    order = {c: i for i, c in enumerate(comparison.codes)}
    spans = [s for s in comparison.codings[document_id] if s.code_id in order]
    segments = sorted(segments_of(project, document_id), key=lambda s: (s.start, s.idx))
    if not segments or not spans:
        return []
    starts = np.array([s.start for s in segments], dtype=np.int64)
    ends = np.array([s.end for s in segments], dtype=np.int64)
    c_start = np.array([s.start for s in spans], dtype=np.int64)
    c_end = np.array([s.end for s in spans], dtype=np.int64)
    coding, unit = overlapping_pairs(starts, ends, c_start, c_end)
    touching: dict[tuple[int, str], list[CodedSpan]] = {}
    for ci, ui in zip(coding.tolist(), unit.tolist(), strict=True):
        touching.setdefault((ui, spans[ci].code_id), []).append(spans[ci])
    out = []
    for (ui, code), near in sorted(touching.items(), key=lambda x: (x[0][0], order[x[0][1]])):
        seg = segments[ui]
        marks = _marks(near, seg.start, seg.end)
        has = tuple(c for c in pair if any(m.coder == c and m.counts for m in marks))
        out.append(_Unit(seg, code, marks, has))
    return out


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
    stored = {
        r.key: r
        for r in resolutions_of_pair(
            project, a, b, document_ids=[d.id for d in comparison.documents]
        )
    }
    memos = memo_texts(project, [r.memo_id for r in stored.values() if r.memo_id is not None])
    out: list[Disagreement] = []
    for doc in comparison.documents:
        for unit in _units_of(project, doc.id, (a, b), comparison):
            if len(unit.has) != 1:
                continue
            seg, code = unit.segment, unit.code
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
                    unit.has,
                    tuple(c for c in (a, b) if c not in unit.has),
                    unit.marks,
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
    state = _consensus_state(project, stored, (seg.start, seg.end)) if stored else ((), ())
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
        _resolution(stored, (a, b), memos, *state) if stored else None,
    )


def _consensus_name(consensus: str, pair: tuple[str, str]) -> str:
    name = consensus.strip()
    if not name:
        raise FrisatError("the consensus coder needs a name")
    if name in pair:
        raise FrisatError(
            f"the consensus coder must be someone other than {pair[0]} and {pair[1]}, not {name!r}"
        )
    return name


def _pair_consensus(project: Project, pair: tuple[str, str], consensus: str) -> None:
    """Refuse a consensus coder other than the one a pair's decisions went to: a typo in
    the name would start a second consensus that reports and agreement never join up."""
    used = consensus_of_pair(project, *pair)
    if used and consensus not in used:
        raise FrisatError(
            f"{pair[0]} and {pair[1]}'s decisions go to consensus coder {used[0]!r}, not"
            f" {consensus!r}; decide into {used[0]!r} (--consensus {used[0]}), so that one"
            " consensus coder holds the pair's whole consensus"
        )


def consensus_shared_with(
    project: Project, consensus: str, pair: Sequence[str]
) -> list[tuple[str, str]]:
    """The other coder pairs whose decisions also went to consensus coder `consensus`.
    Sharing one is allowed (a third coder's disagreements settled into the same final
    coding), but worth saying: where two pairs decide one segment, the consensus has the
    code when either decision keeps it."""
    own = tuple(sorted(pair))
    return [p for p in pairs_deciding_into(project, consensus) if p != own]


def _kept_spans(
    marks: Sequence[CodingMark], kept: Sequence[str], segment: tuple[int, int, str]
) -> list[tuple[int, int]]:
    """What a decision copies: the kept coders' codings that count for the segment
    (`segment`: its start, end and text), each clipped to it, each span once. A coding
    inside the segment stays as the coder made it; one that runs past its bounds is cut
    there and the piece trimmed of whitespace at its ends, so it stays on word
    boundaries. Clipping makes a decision settle its own unit only: a coding over several
    segments copied whole would give the consensus coder the code on neighbours where
    the coders still differ, or where a decision said no."""
    seg_start, seg_end, seg_text = segment
    spans = set()
    for m in marks:
        if m.coder not in kept or not m.counts:
            continue
        start, end = max(m.start, seg_start), min(m.end, seg_end)
        if (start, end) != (m.start, m.end):
            piece = seg_text[start - seg_start : end - seg_start]
            start += len(piece) - len(piece.lstrip())
            end -= len(piece) - len(piece.rstrip())
        if start < end:
            spans.add((start, end))
    return sorted(spans)


def _keep(
    rec: Recorder,
    document_id: int,
    code: str,
    spans: Sequence[tuple[int, int]],
    consensus: str,
    made: set[int],
) -> tuple[list[int], list[int], list[int]]:
    """Give the consensus coder a coding of `code` at each (start, end) of `spans`: the
    one way a decision copies codings. An identical consensus coding already there is
    reused, never doubled. Returns the consensus codings the decision stands for, those it
    counts as its own (`added`: inserted now, or made by another resolution and so
    shared), and those inserted now, which join `made` (the ids resolutions made)."""
    codings, added, inserted = [], [], []
    for start, end in spans:
        existing = consensus_coding_at(rec.project, document_id, start, end, code, consensus)
        if existing is None:
            existing = rec.insert(
                "codings",
                {
                    "document_id": document_id,
                    "start": start,
                    "end": end,
                    "code_id": code,
                    "coder": consensus,
                    "origin": "manual",
                    "created": now_utc(),
                },
            )
            added.append(existing)
            inserted.append(existing)
            made.add(existing)
        elif existing in made:
            # made by another resolution: this one shares it, so whichever decision is
            # the last to stand on it takes it away when replaced
            added.append(existing)
        codings.append(existing)
    return codings, added, inserted


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
    if not consensus.strip():
        raise FrisatError("the consensus coder needs a name")
    if isinstance(disagreement, Disagreement):
        coders = disagreement.coders
        disagreement = disagreement.id
    item = find_disagreement(project, disagreement, coders)
    a, b = item.coders
    consensus = _consensus_name(consensus, (a, b))
    _pair_consensus(project, (a, b), consensus)
    kept = {"keep-a": (a,), "keep-b": (b,), "keep-both": (a, b)}.get(decision, ())
    keep = _kept_spans(item.codings, kept, (item.start, item.end, item.text))
    stored_a, stored_b, stored_decision = stored_pair(a, b, decision)
    with record(project, resolved_by, "resolution", f"resolve {item.id} ({decision})") as rec:
        old = find_resolution(project, item.document_id, item.start, item.end, item.code, a, b)
        memo_id = old.memo_id if old else None
        # only what the old decision added and is still its consensus coder's coding of
        # this code here: a listed id may since have gone to a coder's own coding
        earlier = added_codings(project, old) if old else set()
        _, made = resolution_codings(project, item.document_id)
        if old is not None:
            rec.delete("resolutions", old.id)
        codings, added, _ = _keep(rec, item.document_id, item.code, keep, consensus, made)
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


@dataclass(frozen=True)
class AdoptReport:
    """What `adopt_agreements` did for coders (A, B), A the lead coder: `agreed` is the
    (segment, code) units both applied the code to, `adopted` those settled now, `settled`
    those already settled (adopted before, or resolved while the coders still differed)
    and left as they were; `copied` the consensus codings written (A's codings clipped
    to their unit), `present` those the consensus coder already held (an identical
    coding each); `unresolved` the disagreements still waiting for a decision;
    `documents` compared and `skipped` (coded by one of the two only)."""

    coders: tuple[str, str]
    consensus: str
    documents: int
    skipped: int
    agreed: int
    adopted: int
    settled: int
    copied: int
    present: int
    unresolved: int
    #: other coder pairs whose decisions went to the same consensus coder
    shared_with: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        a, b = self.coders
        return (
            f"{self.agreed} (segment, code) unit(s) {a} and {b} agree on in"
            f" {self.documents} document(s): {self.adopted} adopted into {self.consensus}"
            f" ({self.copied} coding(s) of {a} copied, {self.present} already there),"
            f" {self.settled} settled before; {self.unresolved} disagreement(s) unresolved"
        )


def adopt_agreements(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    consensus: str = CONSENSUS,
    resolved_by: str,
    codes: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> AdoptReport:
    """Complete the consensus coding with what coders (A, B) agree on: for every
    (document, segment, code) both applied (by `units.applies`, on the documents both
    coded, limited by `codes` and case `attributes` like `agreement`), copy A's codings
    of the code that count for the segment, clipped to it, to the consensus coder, as
    keep-a does (A is the lead coder), and record the unit as settled. Units settled
    before are left as they are, so running it again adds nothing. One transaction and
    one journaled action by `resolved_by`: undo takes the whole adoption back.
    `progress(done, total, name)` is called after each document."""
    a, b = _pair(project, coders)
    consensus = _consensus_name(consensus, (a, b))
    _pair_consensus(project, (a, b), consensus)
    stored_a, stored_b, stored_decision = stored_pair(a, b, "keep-a")
    label = f"adopt what {a} and {b} agree on into {consensus}"
    counts = dict.fromkeys(("agreed", "adopted", "settled", "copied", "present", "unresolved"), 0)
    # inside the action from the first read, so nothing changes between reading and writing
    with record(project, resolved_by, "resolution", label) as rec:
        comparison = load_comparison(project, (a, b), codes=codes, attributes=attributes)
        stored = {
            r.key: r
            for r in resolutions_of_pair(
                project, a, b, document_ids=[d.id for d in comparison.documents]
            )
        }
        copied: set[int] = set()
        present: set[int] = set()
        total = len(comparison.documents)
        for done, doc in enumerate(comparison.documents, start=1):
            _, made = resolution_codings(project, doc.id)
            for unit in _units_of(project, doc.id, (a, b), comparison):
                seg, code = unit.segment, unit.code
                old = stored.get((doc.id, seg.start, seg.end, code))
                if len(unit.has) == 1:
                    counts["unresolved"] += int(old is None)
                    continue
                if len(unit.has) != 2:
                    continue  # neither: a coding only spills into the segment
                counts["agreed"] += 1
                if old is not None:
                    if old.consensus != consensus:
                        where = disagreement_id(doc.name, seg.idx + 1, code)
                        raise FrisatError(
                            f"{where}: {a} and {b}'s agreement there is settled for"
                            f" consensus coder {old.consensus!r}, not {consensus!r};"
                            f" adopt into {old.consensus!r}"
                        )
                    counts["settled"] += 1
                    continue
                keep = _kept_spans(unit.marks, (a,), (seg.start, seg.end, seg.text))  # as keep-a
                codings, added, inserted = _keep(rec, doc.id, code, keep, consensus, made)
                copied.update(inserted)
                present.update(c for c in codings if c not in copied)
                record_resolution(
                    rec,
                    {
                        "document_id": doc.id,
                        "start": seg.start,
                        "end": seg.end,
                        "code_id": code,
                        "coder_a": stored_a,
                        "coder_b": stored_b,
                        "decision": stored_decision,
                        "consensus": consensus,
                        "memo_id": None,
                        "codings": codings,
                        "added": added,
                        "resolved_by": resolved_by,
                        "created": now_utc(),
                    },
                )
                counts["adopted"] += 1
            if progress is not None:
                progress(done, total, doc.name)
    counts["copied"], counts["present"] = len(copied), len(present)
    return AdoptReport(
        (a, b),
        consensus,
        len(comparison.documents),
        len(comparison.skipped),
        **counts,
        shared_with=tuple(consensus_shared_with(project, consensus, (a, b))),
    )
