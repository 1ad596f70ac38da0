"""The survey beside the coded interviews and comments: joint displays per spor and group,
the documents to read about a respondent, and the survey's respondents for an analysis.

Interviews and survey respondents meet through shared case attributes (kommune, omraade,
rolle): a group is one value of the attribute `by`, and holds the respondents and the
documents whose cases have that value. For each spor and group the survey side gives n,
means, spread and the absolute quadrant of the group's mean point; the qualitative side
the codings of that spor (`spor.<spor>`) in interviews and in the open comments of the
respondents analysed, the shares of them that overlap a front-side or back-side staircase
coding (`<level>.forside`, `<level>.bagside`) and tema.kant (the edge of trust), and the
two most typical quotes.

The convergence flag reads both sides: the survey is *positive* when the group's mean
implementation is high (fortsaet, over_implementering) and *critical* when it is low
(fokus, lav_prioritet). The talk (interviews and comments) is read from the share of the
spor's codings on the edge of trust (tema.kant): *critical* when they dominate (at least
KANT_CRITICAL), *quiet* when they are rare (below KANT_QUIET), *mixed* in between. A
positive survey diverges from critical talk ("the survey says fortsaet but the interviews
are dominated by tema.kant"); a critical survey diverges from quiet talk (implementation
lags, yet the interviews hardly touch the edge of trust: a puzzle to follow up). Every
other combination agrees. Fewer than MIN_RESPONDENTS respondents with both indices or
fewer than MIN_CODINGS codings is too little data. The thresholds are parameters of
`joint_display` and options of `frisat-qual link`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from frisat_qual.errors import NotFound
from frisat_qual.models import CodedSpan, Respondent
from frisat_qual.reports.tables import (
    LEVELS,
    SIDES,
    Quote,
    Scope,
    attribution,
    quotes_by_code,
    report_scope,
)
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import documents_with_attributes
from frisat_qual.store.project import Project
from frisat_qual.store.survey import list_respondents
from frisat_qual.survey import COMMENT_FORMAT, MIDDLE, QUADRANTS, SPOR
from frisat_qual.survey.analysis import ALL_GROUP, NO_GROUP, summary

MIN_RESPONDENTS = 3
MIN_CODINGS = 3
KANT_CRITICAL = 0.5
KANT_QUIET = 0.1
KANT_CODE = "tema.kant"
ALL = ALL_GROUP
#: The case attributes an interview must share with a respondent to be linked to them.
LINK_ATTRIBUTES = ("kommune", "omraade")
#: A staircase code ("leder.forside") -> its side, as the staircase report reads them.
_SIDE_OF = {f"{level}.{side}": side for level in LEVELS for side in SIDES}


def spor_code(spor: str) -> str:
    """The code of a spor in the codebook ("tillid" -> "spor.tillid")."""
    return f"spor.{spor}"


def survey_respondents(project: Project, wave: str | None = None) -> list[Respondent]:
    """The respondents of `wave` (default: the latest wave), for an analysis; NotFound,
    with what to do, when the project has no survey (or the wave is unknown)."""
    respondents = list_respondents(project, wave)
    if not respondents:
        raise NotFound(
            f"{project.path.name} has no survey to analyse; import one with"
            " `frisat-qual survey import PROJECT FILE`"
        )
    return respondents


# --- joint display -----------------------------------------------------------------------


@dataclass
class JointRow:
    spor: str
    group: str
    # the survey side
    n: int  # respondents with both indices
    impl_mean: float | None
    vigt_mean: float | None
    impl_sd: float | None
    vigt_sd: float | None
    quadrant: str | None  # absolute quadrant of the mean point
    # the qualitative side
    codings: int  # spor codings in the group's interviews and its respondents' comments
    interview_codings: int
    comment_codings: int
    documents: int  # documents with at least one of them
    forside_share: float | None  # shares of `codings`, 0-1; None without codings
    bagside_share: float | None
    kant_share: float | None
    quotes: list[Quote] = field(default_factory=list)
    convergence: str = "too little data"  # agree | diverge | too little data
    reason: str = ""

    @property
    def quadrant_label(self) -> str:
        return QUADRANTS.get(self.quadrant or "", "")


def joint_display(
    project: Project,
    respondents: Sequence[Respondent],
    *,
    by: str | None = "omraade",
    spor: Sequence[str] = SPOR,
    coders: str | Sequence[str] | None = None,
    quotes: int = 2,
    kant_critical: float = KANT_CRITICAL,
    kant_quiet: float = KANT_QUIET,
) -> list[JointRow]:
    """One row per spor and group (the values of `by` among respondents and documents;
    one group "alle" when `by` is None), in `spor` order, then groups sorted with the
    group of cases lacking `by` ("(ingen)") last.

    The documents are the current interviews and the comment documents of `respondents`
    (so another wave's comments never count beside this wave's figures). Each group's
    `quotes` most typical quotes of a spor come from different documents."""
    respondents = list(respondents)
    survey = {(s.spor, s.group): s for s in summary(respondents, by=by)}
    scope = report_scope(project, coders=coders)
    own_comments = {d for r in respondents for d in r.comment_documents.values()}
    wanted = {
        d for d, doc in scope.documents.items() if doc.format != COMMENT_FORMAT or d in own_comments
    }

    def group_of(document_id: int) -> str:
        if by is None:
            return ALL
        return (scope.attributes[document_id].get(by) or "").strip() or NO_GROUP

    groups = {g for _, g in survey} | {group_of(d) for d in wanted}
    rows = []
    for group in sorted(groups, key=lambda g: (g == NO_GROUP, g)):
        docs = {d: scope.documents[d] for d in wanted if group_of(d) == group}
        sub = Scope(
            docs,
            {d: scope.attributes[d] for d in docs},
            [c for c in scope.codings if c.document_id in docs],
        )
        sub._texts = scope._texts  # one cache of document texts across the groups
        marks = _overlap_marks(sub.codings)
        picked = (
            quotes_by_code(
                project, [spor_code(s) for s in spor], per_document=1, limit=quotes, scope=sub
            )
            if quotes > 0
            else {}
        )
        for s in spor:
            code = spor_code(s)
            mine = [c for c in sub.codings if c.code_id == code]
            in_comments = sum(1 for c in mine if docs[c.document_id].format == COMMENT_FORMAT)
            stats = survey.get((s, group))
            row = JointRow(
                spor=s,
                group=group,
                n=stats.n if stats else 0,
                impl_mean=stats.impl_mean if stats else None,
                vigt_mean=stats.vigt_mean if stats else None,
                impl_sd=stats.impl_sd if stats else None,
                vigt_sd=stats.vigt_sd if stats else None,
                quadrant=stats.quadrant_abs if stats else None,
                codings=len(mine),
                interview_codings=len(mine) - in_comments,
                comment_codings=in_comments,
                documents=len({c.document_id for c in mine}),
                forside_share=_share(mine, marks, "forside"),
                bagside_share=_share(mine, marks, "bagside"),
                kant_share=_share(mine, marks, "kant"),
                quotes=picked.get(code, []),
            )
            row.convergence, row.reason = _converge(row, kant_critical, kant_quiet)
            rows.append(row)
    order = {s: i for i, s in enumerate(spor)}
    rows.sort(key=lambda r: order[r.spor])  # stable: the groups stay in their order
    return rows


def _overlap_marks(codings: list[CodedSpan]) -> dict[int, set[str]]:
    """For each coding id, which of "forside", "bagside" and "kant" it overlaps (shares a
    character with): a staircase coding on that side, or a tema.kant coding. Codings are
    in document and text order, so a sweep meets every overlapping pair once."""

    def kind(code_id: str) -> str | None:
        return "kant" if code_id == KANT_CODE else _SIDE_OF.get(code_id)

    marks: dict[int, set[str]] = {}
    for i, a in enumerate(codings):
        for b in codings[i + 1 :]:
            if b.document_id != a.document_id or b.start >= a.end:
                break
            kind_a, kind_b = kind(a.code_id), kind(b.code_id)
            if kind_b:
                marks.setdefault(a.id, set()).add(kind_b)
            if kind_a:
                marks.setdefault(b.id, set()).add(kind_a)
    return marks


def _share(codings: list[CodedSpan], marks: dict[int, set[str]], what: str) -> float | None:
    if not codings:
        return None
    return sum(1 for c in codings if what in marks.get(c.id, ())) / len(codings)


def _converge(
    row: JointRow, critical: float = KANT_CRITICAL, quiet: float = KANT_QUIET
) -> tuple[str, str]:
    short = []
    if row.n < MIN_RESPONDENTS:
        short.append(
            f"{row.n} respondent{'s' if row.n != 1 else ''} with both indices"
            f" (at least {MIN_RESPONDENTS} needed)"
        )
    if row.codings < MIN_CODINGS:
        short.append(
            f"{row.codings} coding{'s' if row.codings != 1 else ''} of {spor_code(row.spor)}"
            f" (at least {MIN_CODINGS} needed)"
        )
    if short or row.impl_mean is None or row.vigt_mean is None:
        return "too little data", "; ".join(short) or "no survey means"
    survey_positive = row.quadrant in ("fortsaet", "over_implementering")
    kant = row.kant_share or 0.0
    on_edge = round(kant * row.codings)
    reading = "critical" if kant >= critical else "quiet" if kant < quiet else "mixed"
    survey_text = (
        f"survey {'positive' if survey_positive else 'critical'}: impl {row.impl_mean:.2f}"
        f" {'at or above' if survey_positive else 'below'} {MIDDLE} (vigt {row.vigt_mean:.2f},"
        f" n {row.n}, {row.quadrant})"
    )
    if not row.comment_codings:
        talk = "interviews"
    elif not row.interview_codings:
        talk = "comments"
    else:
        talk = "interviews and comments"
    talk_text = (
        f"{talk} {reading}: {on_edge} of {row.codings} codings ({kant:.0%}) on the edge of"
        f" trust (critical from {critical:.0%}, quiet below {quiet:.0%})"
    )
    diverge = (survey_positive and reading == "critical") or (
        not survey_positive and reading == "quiet"
    )
    flag = "diverge" if diverge else "agree"
    return flag, f"{survey_text}; {talk_text}"


# --- what to read about a respondent -------------------------------------------------------


@dataclass(frozen=True)
class LinkedDocument:
    """A document to read about a respondent: one of their own comments, or an interview
    whose case shares the respondent's kommune and omraade. `codings` counts the codings
    of the spor asked about in the document (0 without a spor)."""

    document_id: int
    name: str
    kind: str  # "comment" | "interview"
    attribution: str  # "(Skoleleder, kommune 2)"
    spor: str | None = None  # the spor a comment answers
    codings: int = 0

    @property
    def label(self) -> str:
        """The document named with its attribution: "k2_leder (Skoleleder, kommune 2)"."""
        return f"{self.name} {self.attribution}"


def linked_documents(
    project: Project,
    respondent: Respondent,
    *,
    spor: str | None = None,
    coders: str | Sequence[str] | None = None,
    link_by: Iterable[str] = LINK_ATTRIBUTES,
) -> list[LinkedDocument]:
    """What to read next about `respondent`: their comment documents (the comment on `spor`
    first, then the others in SPOR order), then the current interviews whose cases have
    the respondent's value of every attribute in `link_by` (no interviews when the
    respondent lacks one), in staircase order of rolle, then by name. With `spor`, each
    document carries its number of `spor.<spor>` codings (by `coders`)."""
    link_by = tuple(link_by)
    documents = {d.id: (d, attrs) for d, attrs in documents_with_attributes(project)}
    counts: Counter[int] = Counter()
    if spor is not None:
        counts.update(
            c.document_id
            for c in query_codings(project, code=spor_code(spor), coder=coders, current_only=True)
        )
    found = []
    order = sorted(
        respondent.comment_documents.items(),
        key=lambda item: (item[0] != spor, SPOR.index(item[0]) if item[0] in SPOR else 99),
    )
    for comment_spor, document_id in order:
        if document_id not in documents:
            continue  # a comment document made an old version by a later import
        doc, attrs = documents[document_id]
        found.append(
            LinkedDocument(
                document_id,
                doc.name,
                "comment",
                attribution(attrs, doc.name),
                comment_spor,
                counts[document_id],
            )
        )
    wanted = {a: (respondent.attributes.get(a) or "").strip() for a in link_by}
    if all(wanted.values()):
        interviews = [
            (doc, attrs)
            for doc, attrs in documents.values()
            if doc.format != COMMENT_FORMAT
            and all((attrs.get(a) or "").strip() == v for a, v in wanted.items())
        ]
        rank = {level: i for i, level in enumerate(LEVELS)}
        interviews.sort(key=lambda item: (rank.get(item[1].get("rolle", ""), 99), item[0].name))
        found += [
            LinkedDocument(
                doc.id, doc.name, "interview", attribution(attrs, doc.name), None, counts[doc.id]
            )
            for doc, attrs in interviews
        ]
    return found
