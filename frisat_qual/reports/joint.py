"""The joint display (`survey.link.joint_display`) as JSON, Markdown, a plain table for the
terminal and an HTML page (`reports.html.joint_display_html`): per spor and group, the
survey side beside the qualitative side, the typical quotes and the convergence flag.

JSON is a list of objects, one per spor and group: `spor`, `group`, `survey` (n, means,
SDs, quadrant), `qualitative` (codings in interviews and comments, documents, the shares
on the front side, the back side and the edge of trust), `quotes`, `convergence` and
`reason`. Shares are fractions 0-1 in JSON and percentages elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from frisat_qual.errors import FrisatError
from frisat_qual.reports.tables import Quote
from frisat_qual.reports.writers import ReportTable, sentence
from frisat_qual.survey import SPOR_TITLES, display_group
from frisat_qual.survey.link import JointRow, spor_code

FORMATS = ("table", "md", "html", "json")
#: Column headings of the plain table, shared by the terminal table and Markdown.
HEADERS = [
    "spor",
    "group",
    "n",
    "impl (SD)",
    "vigt (SD)",
    "quadrant",
    "codings (int/com)",
    "forside",
    "bagside",
    "kant",
    "convergence",
]


def joint_title(by: str | None, wave: str | None = None) -> str:
    """The title of a joint display grouped by `by`, of survey wave `wave`."""
    grouped = f" by {by}" if by else ""
    of_wave = f" (survey wave {wave})" if wave else ""
    return f"Survey and interviews{grouped}: joint display{of_wave}"


def joint_display_data(rows: Sequence[JointRow]) -> list[dict[str, Any]]:
    """The rows as JSON-ready objects."""
    return [
        {
            "spor": r.spor,
            "group": r.group,
            "survey": {
                "n": r.n,
                "impl_mean": r.impl_mean,
                "impl_sd": r.impl_sd,
                "vigt_mean": r.vigt_mean,
                "vigt_sd": r.vigt_sd,
                "quadrant": r.quadrant,
                "quadrant_label": r.quadrant_label or None,
            },
            "qualitative": {
                "code": spor_code(r.spor),
                "codings": r.codings,
                "interview_codings": r.interview_codings,
                "comment_codings": r.comment_codings,
                "documents": r.documents,
                "forside_share": r.forside_share,
                "bagside_share": r.bagside_share,
                "kant_share": r.kant_share,
            },
            "quotes": [quote_data(q) for q in r.quotes],
            "convergence": r.convergence,
            "reason": r.reason,
        }
        for r in rows
    ]


def quote_data(q: Quote) -> dict[str, Any]:
    return {
        "text": q.text,
        "attribution": q.attribution,
        "document": q.document,
        "start": q.start,
        "end": q.end,
        "typicality": q.score,
    }


def mean_sd(mean: float | None, sd: float | None) -> str:
    """ "6.86 (1.02)", "6.86" without an SD, "–" without a mean."""
    if mean is None:
        return "–"
    return f"{mean:.2f} ({sd:.2f})" if sd is not None else f"{mean:.2f}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def joint_display_table(rows: Sequence[JointRow], title: str) -> ReportTable:
    """The rows as a plain table (reasons and quotes are not in it)."""
    body = [
        [
            r.spor,
            r.group,
            r.n,
            mean_sd(r.impl_mean, r.impl_sd),
            mean_sd(r.vigt_mean, r.vigt_sd),
            r.quadrant_label or "–",
            f"{r.codings} ({r.interview_codings}/{r.comment_codings})",
            percent(r.forside_share),
            percent(r.bagside_share),
            percent(r.kant_share),
            r.convergence,
        ]
        for r in rows
    ]
    return ReportTable(
        title, list(HEADERS), body, joint_display_data(rows), "joint", "joint", list(rows)
    )


def joint_display_markdown(rows: Sequence[JointRow], title: str, note: str = "") -> str:
    """One section per spor: a table of its groups, then each group's convergence with its
    reason and the group's typical quotes; `note` goes under the introduction."""
    lines = [
        f"# {title}",
        "",
        "Survey: n respondents with both indices, mean (SD) implementation and importance"
        " (1-10) and the quadrant of the mean point. Interviews and comments: codings of the"
        " spor (in interviews / in comments) and the shares of them on the front side, the"
        " back side and the edge of trust (tema.kant).",
    ]
    if note:
        lines += ["", f"*{sentence(note)}*"]
    cell = lambda v: str(v).replace("|", "\\|")  # noqa: E731
    for spor, group_rows in _by_spor(rows).items():
        table = joint_display_table(group_rows, "")
        lines += [
            "",
            f"## {SPOR_TITLES.get(spor, spor)} ({spor})",
            "",
            "| " + " | ".join(HEADERS[1:]) + " |",
            "| " + " | ".join("---" for _ in HEADERS[1:]) + " |",
        ]
        lines += [
            "| " + " | ".join(cell(v) for v in [display_group(row[1]), *row[2:]]) + " |"
            for row in table.rows
        ]
        for r in group_rows:
            lines += ["", f"**{display_group(r.group)}: {r.convergence}.** {r.reason}"]
            for q in r.quotes:
                text = " ".join(q.text.split())
                lines += ["", f"> {text}", f"> — {q.attribution}, {q.document}"]
    return "\n".join(lines) + "\n"


def render_joint_display(rows: Sequence[JointRow], fmt: str, *, title: str, note: str = "") -> str:
    """The joint display as JSON, Markdown or a self-contained HTML page; Markdown and HTML
    show `note` (see `ReportTable.note`) under their introduction, JSON leaves it out."""
    if fmt == "json":
        return json.dumps(joint_display_data(rows), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return joint_display_markdown(rows, title, note)
    if fmt == "html":
        from frisat_qual.reports.html import joint_display_html

        return joint_display_html(rows, title=title, note=note)
    raise FrisatError(f"unknown format {fmt!r} for the joint display (one of json, md, html)")


def _by_spor(rows: Sequence[JointRow]) -> dict[str, list[JointRow]]:
    out: dict[str, list[JointRow]] = {}
    for r in rows:
        out.setdefault(r.spor, []).append(r)
    return out
