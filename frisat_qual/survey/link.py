"""Joint displays: the survey beside the coded interviews and comments, per spor and group.

Interviews and survey respondents meet through shared case attributes (kommune, omraade,
rolle): a group is one value of the attribute `by`, and holds the respondents and the
documents whose cases have that value. For each spor and group the survey side gives n,
means, spread and the absolute quadrant of the group's mean point; the qualitative side
the codings of that spor (`spor.<spor>`) in interviews and in survey comments, the shares of
them that overlap a front-side or back-side staircase coding and tema.kant (the edge of
trust), and the two most typical quotes.

The convergence flag reads both sides the same way: the survey is *positive* when the
group's mean implementation is high (fortsaet, over_implementering) and *critical* when
it is low (fokus, lav_prioritet); the interviews are *critical* when at least half of the
spor's codings sit on the edge of trust (KANT_CRITICAL) and positive otherwise. Equal
readings agree, opposite ones diverge; fewer than MIN_RESPONDENTS respondents with both
indices or MIN_CODINGS codings is too little data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from frisat_qual.models import CodedSpan, Respondent
from frisat_qual.reports.tables import MISSING, Quote, Scope, quotes_by_code, report_scope
from frisat_qual.store.project import Project
from frisat_qual.survey import QUADRANTS, SPOR
from frisat_qual.survey.analysis import summary

MIN_RESPONDENTS = 3
MIN_CODINGS = 3
KANT_CRITICAL = 0.5
COMMENT_FORMAT = "survey-comment"
ALL = "alle"


@dataclass
class JointRow:
    spor: str
    group: str
    # the survey side
    n: int
    impl_mean: float | None
    vigt_mean: float | None
    impl_sd: float | None
    vigt_sd: float | None
    quadrant: str | None
    # the qualitative side
    codings: int  # spor codings in interviews and comments of the group
    interview_codings: int
    comment_codings: int
    documents: int  # documents with at least one of them
    forside_share: float | None  # shares of `codings`, 0-1
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
) -> list[JointRow]:
    """One row per spor and group (the values of `by` among respondents and documents;
    one group "alle" when `by` is None), in SPOR order then group order."""
    survey = {(s.spor, s.group): s for s in summary(list(respondents), by=by)}
    scope = report_scope(project, coders=coders)
    groups = sorted(
        {g for _, g in survey}
        | ({a.get(by, MISSING) for a in scope.attributes.values()} if by else {ALL})
    )
    rows = []
    for group in groups:
        docs = {
            d: doc
            for d, doc in scope.documents.items()
            if by is None or scope.attributes[d].get(by, MISSING) == group
        }
        sub = Scope(
            docs,
            {d: scope.attributes[d] for d in docs},
            [c for c in scope.codings if c.document_id in docs],
        )
        sub._texts = scope._texts  # one cache of document texts across the groups
        marks = _overlap_marks(sub.codings)
        wanted = [f"spor.{s}" for s in spor]
        picked = quotes_by_code(project, wanted, per_document=1, limit=quotes, scope=sub)
        for s in spor:
            code = f"spor.{s}"
            mine = [c for c in sub.codings if c.code_id == code]
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
                interview_codings=sum(
                    1 for c in mine if docs[c.document_id].format != COMMENT_FORMAT
                ),
                comment_codings=sum(
                    1 for c in mine if docs[c.document_id].format == COMMENT_FORMAT
                ),
                documents=len({c.document_id for c in mine}),
                forside_share=_share(mine, marks, "forside"),
                bagside_share=_share(mine, marks, "bagside"),
                kant_share=_share(mine, marks, "kant"),
                quotes=picked.get(code, []),
            )
            row.convergence, row.reason = _converge(row)
            rows.append(row)
    order = {s: i for i, s in enumerate(spor)}
    rows.sort(key=lambda r: (order[r.spor], r.group))
    return rows


def _overlap_marks(codings: list[CodedSpan]) -> dict[int, set[str]]:
    """For each coding id, which of "forside", "bagside" and "kant" it overlaps: a staircase
    coding on that side, or a tema.kant coding. Codings are in document and text order,
    so a sweep meets every overlapping pair once."""

    def kind(code_id: str) -> str | None:
        if code_id == "tema.kant":
            return "kant"
        side = code_id.rpartition(".")[2]
        return side if side in ("forside", "bagside") else None

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


def _converge(row: JointRow) -> tuple[str, str]:
    if row.n < MIN_RESPONDENTS or row.codings < MIN_CODINGS or row.impl_mean is None:
        return "too little data", (
            f"{row.n} respondent(s) with both indices and {row.codings} coding(s) of the spor;"
            f" at least {MIN_RESPONDENTS} and {MIN_CODINGS} are needed"
        )
    survey_positive = row.quadrant in ("fortsaet", "over_implementering")
    kant = row.kant_share or 0.0
    talk_positive = kant < KANT_CRITICAL
    survey_text = (
        f"survey: {row.quadrant} (impl {row.impl_mean:.1f}, vigt {row.vigt_mean:.1f}, n {row.n})"
    )
    talk_text = f"interviews: {kant:.0%} of {row.codings} codings on the edge of trust"
    flag = "agree" if survey_positive == talk_positive else "diverge"
    return flag, f"{survey_text}; {talk_text}"
