"""One survey respondent in full, for a front end that shows a respondent beside the
interviews: the indicators behind a spor's indices, the open comments with what has been
coded in them, and the coded passages of that spor in the interviews linked to the
respondent.

A respondent's comments are documents of their own (format "survey-comment"), so they are
coded like any transcript; `respondent_detail` lists every comment (the chosen spor's
first) with the codings in its document, and the `spor.<spor>` codings of the interviews
`survey.link.linked_documents` links to the respondent (those whose cases share the
respondent's kommune and omraade: the same municipality's staircase in the same area).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from frisat_qual.models import Coding, Respondent
from frisat_qual.reports.drill import Passage
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import document_text
from frisat_qual.store.project import Project
from frisat_qual.survey import DIMENSIONS, INDICATORS, SPOR, rating_column
from frisat_qual.survey.analysis import respondent_index
from frisat_qual.survey.link import LinkedDocument, linked_documents, spor_code


@dataclass(frozen=True)
class Comment:
    """One open comment, the document holding it (None when it was not made one) and the
    codings in that document as passages, in text order."""

    spor: str
    text: str
    document_id: int | None
    document: str
    passages: tuple[Passage, ...] = ()


@dataclass(frozen=True)
class RespondentDetail:
    """A respondent seen through one spor: the indicator answers and indices of both
    dimensions, every comment (`spor`'s first, then SPOR order), the linked interviews (in
    staircase order of rolle, then by name) and the `spor.<spor>` codings in them (in the
    interviews' order, then by position)."""

    respondent: Respondent
    spor: str
    items: dict[str, dict[str, int | None]]  # dim -> indicator -> answer (None: unanswered)
    indices: dict[str, float | None]  # dim -> index
    comments: tuple[Comment, ...]
    interviews: tuple[LinkedDocument, ...]
    passages: tuple[Passage, ...]


def indicator_answers(respondent: Respondent, spor: str) -> dict[str, dict[str, int | None]]:
    """The respondent's answers to the indicators a-d of `spor`: dim -> indicator -> 1-10,
    None where unanswered."""
    return {
        dim: {ind: respondent.ratings.get(rating_column(spor, dim, ind)) for ind in INDICATORS}
        for dim in DIMENSIONS
    }


def respondent_detail(
    project: Project,
    respondent: Respondent,
    spor: str,
    *,
    coders: str | Sequence[str] | None = None,
) -> RespondentDetail:
    """Everything the survey screen shows about `respondent` for `spor`; `coders` limits
    the passages to those coders' codings."""
    items = indicator_answers(respondent, spor)
    indices = {dim: respondent_index(respondent, spor, dim) for dim in DIMENSIONS}
    linked = linked_documents(project, respondent, spor=spor, coders=coders)
    comment_docs = {d.document_id: d for d in linked if d.kind == "comment"}
    comments = []
    for answered in [spor, *(s for s in SPOR if s != spor)]:
        text = respondent.comments.get(answered)
        if not text:
            continue
        doc = comment_docs.get(respondent.comment_documents.get(answered, -1))
        if doc is None:  # not made a document, or an old version of one
            comments.append(Comment(answered, text, None, ""))
            continue
        codings = query_codings(project, document_id=doc.document_id, coder=coders)
        comments.append(
            Comment(answered, text, doc.document_id, doc.name, _passages(project, doc, codings))
        )
    interviews = [d for d in linked if d.kind == "interview"]
    passages: list[Passage] = []
    if any(d.codings for d in interviews):
        wanted = {d.document_id for d in interviews}
        by_document: dict[int, list[Coding]] = {}
        for c in query_codings(project, code=spor_code(spor), coder=coders, current_only=True):
            if c.document_id in wanted:
                by_document.setdefault(c.document_id, []).append(c)
        for doc in interviews:
            passages.extend(_passages(project, doc, by_document.get(doc.document_id, [])))
    return RespondentDetail(
        respondent=respondent,
        spor=spor,
        items=items,
        indices=indices,
        comments=tuple(comments),
        interviews=tuple(interviews),
        passages=tuple(passages),
    )


def _passages(
    project: Project, doc: LinkedDocument, codings: Sequence[Coding]
) -> tuple[Passage, ...]:
    """The codings of one document as passages, in text order."""
    if not codings:
        return ()
    text = document_text(project, doc.document_id)
    return tuple(
        Passage(
            coding_id=c.id,
            document_id=doc.document_id,
            document=doc.name,
            start=c.start,
            end=c.end,
            text=text[c.start : c.end].strip(),
            code_id=c.code_id,
            attribution=doc.attribution,
        )
        for c in sorted(codings, key=lambda c: (c.start, c.end, c.id))
    )
