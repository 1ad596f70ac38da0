"""Suggestion use cases on a project: suggest for stored segments, a document or the whole
project, store them as pending, and keep a suggester up to date with the codings.

Codes a segment already has (a coding gives it the code under the labelling rule of
`training`) and codes rejected for it are never suggested for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from frisat_qual.models import Segment
from frisat_qual.store import Project
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import get_document
from frisat_qual.store.suggestions import (
    Suggestion,
    reviewed_codes,
    save_suggestions,
    training_state,
)
from frisat_qual.suggest.ensemble import Suggester, SuggestSettings


def ensure_trained(
    project: Project,
    suggester: Suggester | None = None,
    *,
    settings: SuggestSettings | None = None,
) -> Suggester:
    """`suggester` if it learnt from the project as it is now, else a newly trained one
    (for the background retraining after a batch of codings)."""
    if suggester is not None and suggester.fingerprint == training_state(project):
        return suggester
    return Suggester.train(
        project, settings=settings or (suggester.settings if suggester else None)
    )


def done_codes(project: Project, segments: Sequence[Segment]) -> dict[int, set[str]]:
    """segment id -> codes not to suggest for it: coded already, or reviewed."""
    from frisat_qual.suggest.training import codes_of_segment

    by_doc: dict[int, list] = {}
    for doc_id in {s.document_id for s in segments}:
        by_doc[doc_id] = query_codings(project, document_id=doc_id)
    reviewed = reviewed_codes(project, [s.id for s in segments])
    return {
        s.id: codes_of_segment(s.start, s.end, by_doc[s.document_id]) | set(reviewed.get(s.id, {}))
        for s in segments
    }


def suggest_segments(
    project: Project,
    suggester: Suggester,
    segments: Sequence[Segment],
    *,
    min_score: float | None = None,
    top: int | None = None,
) -> list[list[Suggestion]]:
    """Suggestions for stored segments, without codes they have or had rejected."""
    from frisat_qual.suggest.training import segment_inputs

    if not segments:
        return []
    table = suggester.score(segment_inputs(project, segments))
    return _open_suggestions(project, suggester, table, segments, min_score, top)


def _open_suggestions(
    project, suggester, table, segments, min_score, top
) -> list[list[Suggestion]]:
    """Per segment the scored suggestions minus codes it has or had reviewed, best first."""
    done = done_codes(project, segments)
    out = []
    for seg, found in zip(
        segments, suggester.suggestions_from(table, min_score=min_score), strict=True
    ):
        kept = [s for s in found if s.code_id not in done[seg.id]]
        out.append(kept[:top] if top is not None else kept)
    return out


def suggest_document(
    project: Project,
    suggester: Suggester,
    document: int | str | None = None,
    *,
    min_score: float | None = None,
    top: int | None = None,
) -> list[tuple[Segment, list[Suggestion]]]:
    """(segment, suggestions) for every segment of a document (id or name), or of every
    current document when `document` is None; segments without suggestions included."""
    from frisat_qual.suggest.training import document_inputs

    ids = None if document is None else [get_document(project, document).id]
    pairs = document_inputs(project, ids)
    if not pairs:
        return []
    segments = [s for s, _ in pairs]
    table = suggester.score([item for _, item in pairs])
    found = _open_suggestions(project, suggester, table, segments, min_score, top)
    return list(zip(segments, found, strict=True))


def store_suggestions(
    project: Project,
    suggester: Suggester,
    document: int | str | None = None,
    *,
    min_score: float | None = None,
    top: int | None = None,
) -> int:
    """Suggest for a document (or every current document) and store the suggestions as
    pending, replacing the pending ones of those segments; returns how many were stored."""
    pairs = suggest_document(project, suggester, document, min_score=min_score, top=top)
    suggestions = [s for _, found in pairs for s in found]
    return save_suggestions(project, suggestions, segment_ids=[seg.id for seg, _ in pairs])
