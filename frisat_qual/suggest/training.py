"""A project's segments as classifier input, and its codings as training labels.

Labelling rule (segments are sentences; codings are any character span):
- a segment gets code C when a coding with C covers at least `COVER_SHARE` of the segment's
  characters, or when the coding lies wholly inside the segment (a short coded phrase codes
  its sentence);
- a segment counts as read when it comes no later in its document than the last segment a
  manual or imported coding touches (researchers code a transcript front to back); a read
  segment is a negative for every code it did not get, so uncoded small talk and interviewer
  questions teach the model what not to suggest. Codings from accepted suggestions do not
  move that mark, since the review queue jumps around;
- an accepted suggestion is a coding (origin "accepted-suggestion"), so a positive; a
  rejected suggestion is a negative for its code on its segment, read or not, unless a
  coding gives the segment that code after all;
- segments of documents nobody has coded or reviewed are not used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from frisat_qual.models import INTERVIEWER, Coding, Segment
from frisat_qual.store import Project
from frisat_qual.store.cases import all_case_attributes
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import get_document, list_documents, segments_of, turns_of
from frisat_qual.store.suggestions import reviewed_suggestions
from frisat_qual.suggest.features import SegmentInput

COVER_SHARE = 0.5


@dataclass
class TrainingSet:
    """Rows with their labels. `scope[i]` is None when row i is labelled for every code
    (a positive for `positives[i]`, a negative for the rest), else the codes it is
    labelled for (the others are unknown for that row)."""

    inputs: list[SegmentInput]
    positives: list[frozenset[str]]
    scope: list[frozenset[str] | None]
    groups: list[str]

    def __len__(self) -> int:
        return len(self.inputs)

    def extend(self, other: TrainingSet) -> TrainingSet:
        return TrainingSet(
            self.inputs + other.inputs,
            self.positives + other.positives,
            self.scope + other.scope,
            self.groups + other.groups,
        )

    @classmethod
    def empty(cls) -> TrainingSet:
        return cls([], [], [], [])


def codes_of_segment(start: int, end: int, codings: Iterable[Coding]) -> set[str]:
    """The codes a segment start:end gets from `codings` under the labelling rule."""
    length = max(end - start, 1)
    out = set()
    for c in codings:
        overlap = min(c.end, end) - max(c.start, start)
        if overlap > 0 and (overlap >= COVER_SHARE * length or (c.start >= start and c.end <= end)):
            out.add(c.code_id)
    return out


def document_inputs(
    project: Project, document_ids: Sequence[int] | None = None
) -> list[tuple[Segment, SegmentInput]]:
    """Every segment of the documents (default: all current ones) with its input record:
    rolle from the document's case, the speaker's interview role, the lemmas of the whole
    turn as context and of the interviewer's turn just before as the question."""
    attributes = all_case_attributes(project)
    if document_ids is None:
        documents = list_documents(project)
    else:
        documents = [get_document(project, d) for d in document_ids]
    out: list[tuple[Segment, SegmentInput]] = []
    for doc in documents:
        rolle = attributes.get(doc.case_id, {}).get("rolle") if doc.case_id else None
        turns = turns_of(project, doc.id)
        segments = segments_of(project, doc.id)
        by_turn: dict[int | None, list[str]] = defaultdict(list)
        for s in segments:
            by_turn[s.turn_id].append(s.lemmas)
        turn_text = {t: " ".join(lemmas) for t, lemmas in by_turn.items() if t is not None}
        role = {t.id: t.role for t in turns}
        previous = {b.id: a.id for a, b in zip(turns, turns[1:], strict=False)}
        for s in segments:
            question = None
            if s.turn_id is not None:
                before = previous.get(s.turn_id)
                if before is not None and role.get(before) == INTERVIEWER:
                    question = turn_text.get(before)
            out.append(
                (
                    s,
                    SegmentInput(
                        text=s.text,
                        lemmas=s.lemmas,
                        rolle=rolle,
                        speaker_role=role.get(s.turn_id),
                        context=turn_text.get(s.turn_id) if s.turn_id is not None else None,
                        question=question,
                        segment_id=s.id,
                        document_id=s.document_id,
                        document=doc.name,
                        start=s.start,
                        end=s.end,
                    ),
                )
            )
    return out


def segment_inputs(project: Project, segments: Sequence[Segment]) -> list[SegmentInput]:
    """Input records for the given segments (context looked up in their documents)."""
    wanted = sorted({s.document_id for s in segments})
    by_id = {s.id: item for s, item in document_inputs(project, wanted)}
    return [by_id[s.id] for s in segments]


def project_training_set(project: Project, *, coders: Sequence[str] | None = None) -> TrainingSet:
    """The project's coding as training rows (see the module doc for the rule)."""
    codings_by_doc: dict[int, list[Coding]] = defaultdict(list)
    for coding in query_codings(project, coder=list(coders) if coders else None):
        codings_by_doc[coding.document_id].append(coding)
    reviews: dict[int, dict[str, str]] = defaultdict(dict)
    review_docs = set()
    for segment_id, document_id, code_id, status in reviewed_suggestions(project):
        reviews[segment_id][code_id] = status
        review_docs.add(document_id)
    docs = sorted(set(codings_by_doc) | review_docs)
    out = TrainingSet.empty()
    if not docs:
        return out
    items = document_inputs(project, docs)
    by_doc: dict[int, list[tuple[Segment, SegmentInput]]] = defaultdict(list)
    for seg, item in items:
        by_doc[seg.document_id].append((seg, item))
    for doc_id in docs:
        rows = by_doc.get(doc_id, [])
        codings = codings_by_doc.get(doc_id, [])
        labels = [codes_of_segment(s.start, s.end, codings) for s, _ in rows]
        manual = [c for c in codings if c.origin != "accepted-suggestion"]
        read_upto = -1
        for k, (s, _) in enumerate(rows):
            if codes_of_segment(s.start, s.end, manual):
                read_upto = k
        for k, ((seg, item), codes) in enumerate(zip(rows, labels, strict=True)):
            review = reviews.get(seg.id, {})
            rejected = {c for c, status in review.items() if status == "rejected"} - codes
            if k <= read_upto:
                scope = None
            elif codes or rejected:
                scope = frozenset(codes | rejected)
            else:
                continue
            out.inputs.append(item)
            out.positives.append(frozenset(codes))
            out.scope.append(scope)
            out.groups.append(item.document or str(doc_id))
    return out
