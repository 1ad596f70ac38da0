"""Reports as tables and files: one `ReportTable` per report, written as CSV, Markdown,
JSON, an Excel sheet or an HTML page (the CLI renders the same table with rich in the
terminal). `build_all` lays out every report at once for the full report: one workbook,
one Markdown or JSON document, or the HTML report of `reports.html`.

JSON keeps each report's own shape where one is promised: frequencies are a list of
objects with `code`, `codings`, `documents`, `cases`, `words` (and, with `by`, a `by`
object mapping each value to its codings).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from frisat_qual.errors import FrisatError
from frisat_qual.models import Coding
from frisat_qual.reports import tables
from frisat_qual.store import Project
from frisat_qual.store.codes import active_codebook_info, code_rows

KINDS = ("frequencies", "crosstab", "cooccurrence", "staircase", "quotes")
#: The kind that builds every report at once (`build_all`).
ALL = "all"
FORMATS = ("table", "csv", "md", "json", "xlsx", "html")
#: The case attributes the full report breaks frequencies down by, when present.
DEFAULT_BY = ("rolle", "kommune", "omraade")


@dataclass
class ReportTable:
    """One report laid out as a table. `kind` names the report (one of KINDS, or
    "overview" and "quote lists" in the full report), `name` is its short name in the full
    report (sheet name, JSON key), `source` the core result it was laid out from and
    `labels` the codebook labels of the codes, for the HTML writer. `note` says what a
    reader must know to read the figures right (several coders counted together), or is
    empty; Markdown and HTML show it under the title, CSV and JSON leave it out."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    data: Any = field(default=None)  # the JSON form
    kind: str = ""
    name: str = ""
    source: Any = field(default=None, repr=False)
    labels: dict[str, str] = field(default_factory=dict, repr=False)
    note: str = ""


def build_report(
    project: Project,
    kind: str,
    *,
    by: str | None = None,
    code: str | None = None,
    coders: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
) -> ReportTable:
    """Run report `kind` and lay it out as a table; its `note` names the coders counted
    together when no `coders` are chosen and several have codings in it."""
    if kind == "crosstab" and not by:
        raise FrisatError("a cross-tab needs --by (e.g. --by rolle)")
    if kind == "quotes" and not code:
        raise FrisatError("quotes need --code (e.g. --code tema.kant)")
    if kind not in KINDS:
        raise FrisatError(f"unknown report {kind!r} (one of {', '.join(KINDS)})")
    coders = list(coders) if coders else None
    tables.check_filters(project, by=by)
    scope = tables.report_scope(project, coders=coders, attributes=attributes or None)
    labels = code_labels(project)
    if kind == "frequencies":
        table = _frequency_table(tables.frequencies(project, by=by, scope=scope), by)
    elif kind == "crosstab":
        table = _crosstab_table(tables.crosstab(project, by, scope=scope))
    elif kind == "cooccurrence":
        table = _cooccurrence_table(tables.cooccurrence(project, scope=scope))
    elif kind == "staircase":
        table = _staircase_table(tables.staircase(project, scope=scope))
    else:
        table = _quotes_table(code, tables.quotes(project, code, scope=scope))
    table.labels = labels
    table.note = tables.pooled_note(tables.pooled_coders(project, coders, scope))
    return table


def build_all(
    project: Project,
    *,
    by: Sequence[str] = DEFAULT_BY,
    coders: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    quotes_per_code: int | None = 5,
    quotes_per_document: int | None = 1,
    generated: str | None = None,
) -> list[ReportTable]:
    """Every report over one scope, in the order of the full report: an overview, the
    staircase, frequencies, frequencies by each attribute of `by` that the cases have,
    co-occurrence and the most typical quotes of every code in use.

    The codings and each document's text are read once for all of them. `generated` is
    the date shown in the overview (today when None); the overview's `note` names the
    coders counted together when no `coders` are chosen and several have codings.
    """
    coders = list(coders) if coders else None
    scope = tables.report_scope(project, coders=coders, attributes=attributes or None)
    labels = code_labels(project)
    present = [b for b in dict.fromkeys(by) if any(b in a for a in scope.attributes.values())]
    out = [
        _overview_table(project, scope, coders, attributes, generated),
        _staircase_table(tables.staircase(project, scope=scope)),
    ]
    rows = tables.frequencies(project, scope=scope)
    out.append(_frequency_table(rows, None))
    for name in present:
        tab = tables.crosstab(project, name, scope=scope)
        table = _frequency_table(tab.rows, name)
        table.kind, table.name, table.source = "crosstab", f"by {name}", tab
        out.append(table)
    out.append(_cooccurrence_table(tables.cooccurrence(project, scope=scope)))
    used = [r.code for r in rows if r.codings]
    found = tables.quotes_by_code(
        project, used, per_document=quotes_per_document, limit=quotes_per_code, scope=scope
    )
    out.append(_quote_lists_table(found, labels))
    for table in out:
        table.labels = labels
    out[0].note = tables.pooled_note(tables.pooled_coders(project, coders, scope))
    return out


def coding_list(project: Project, codings: Sequence[Coding], *, ids: bool = True) -> ReportTable:
    """Codings as a table, one row each in the order given: the export columns of
    `exchange.codings_csv` (which `import-codings` reads back), after an `id` column, the
    number `uncode` takes, when `ids` (the importer ignores the column)."""
    from frisat_qual.exchange.codings_csv import codings_to_csv

    header, *rows = csv.reader(io.StringIO(codings_to_csv(project, list(codings))))
    if ids:
        header = ["id", *header]
        rows = [[c.id, *row] for c, row in zip(codings, rows, strict=True)]
    return ReportTable("Codings", header, rows, kind="codings", name="codings")


def code_labels(project: Project) -> dict[str, str]:
    """Every code's label (folders too), in codebook order."""
    return {r["id"]: r["label"] for r in code_rows(project)}


def _overview_table(
    project: Project,
    scope: tables.Scope,
    coders: Sequence[str] | None,
    attributes: dict[str, str] | None,
    generated: str | None,
) -> ReportTable:
    codebook = active_codebook_info(project)
    filters = [f"coder {', '.join(coders)}"] if coders else []
    filters += [f"{k} = {v}" for k, v in (attributes or {}).items()]
    data = {
        "project": project.name,
        "codebook": codebook["name"] if codebook else None,
        "documents": len(scope.documents),
        "cases": len({d.case_id for d in scope.documents.values()} - {None}),
        "words": scope.total_words,
        "codings": len(scope.codings),
        "coders": sorted({c.coder for c in scope.codings}),
        "generated": generated or date.today().isoformat(),
        "filters": filters,
    }
    rows = [
        [key, ", ".join(v) if isinstance(v, list) else v]
        for key, v in data.items()
        if v is not None
    ]
    if not filters:
        rows[-1][1] = "none"
    return ReportTable(
        f"Report on {project.name}", ["item", "value"], rows, data, "overview", "overview"
    )


def _frequency_table(rows: list[tables.FrequencyRow], by: str | None) -> ReportTable:
    values = list(rows[0].by_counts) if rows and by else []
    headers = ["code", "label", "codings", "documents", "cases", "words", "% words", *values]
    body = [
        [
            r.code,
            r.label,
            r.codings,
            r.documents,
            r.cases,
            r.words,
            round(r.word_share, 1),
            *(r.by_counts[v] for v in values),
        ]
        for r in rows
    ]
    data = [
        {
            "code": r.code,
            "codings": r.codings,
            "documents": r.documents,
            "cases": r.cases,
            "words": r.words,
            **({"by": dict(r.by_counts)} if by else {}),
        }
        for r in rows
    ]
    title = f"Theme frequencies{f' by {by}' if by else ''}"
    return ReportTable(title, headers, body, data, "frequencies", "frequencies", rows)


def _crosstab_table(table: tables.CrossTab) -> ReportTable:
    headers = ["code", *table.values, "total"]
    body = [
        [r.code, *(f"{r.by_counts[v]} ({r.row_pct[v]:.0f}%)" for v in table.values), r.codings]
        for r in table.rows
    ]
    body.append(["total", *(table.column_totals[v] for v in table.values), table.total])
    data = {
        "by": table.by,
        "values": table.values,
        "total": table.total,
        "rows": [
            {
                "code": r.code,
                "counts": r.by_counts,
                "row_pct": r.row_pct,
                "col_pct": r.col_pct,
                "total": r.codings,
            }
            for r in table.rows
        ],
    }
    return ReportTable(f"Codes by {table.by}", headers, body, data, "crosstab", "crosstab", table)


def _cooccurrence_table(rows: list[tables.CooccurrenceRow]) -> ReportTable:
    headers = ["code a", "code b", "overlaps", "segments", "turns", "jaccard"]
    body = [
        [r.code_a, r.code_b, r.overlaps, r.segments, r.turns, round(r.jaccard, 3)] for r in rows
    ]
    data = [
        dict(zip(["code_a", "code_b", "overlaps", "segments", "turns", "jaccard"], b, strict=True))
        for b in body
    ]
    return ReportTable(
        "Code co-occurrence", headers, body, data, "cooccurrence", "cooccurrence", rows
    )


def _staircase_table(stair: tables.Staircase) -> ReportTable:
    levels = list(dict.fromkeys(level for level, _ in stair.cells))
    headers = ["trin", "forside", "bagside", "tema.kant"]
    body = [
        [
            level,
            stair.cells[(level, "forside")].codings,
            stair.cells[(level, "bagside")].codings,
            stair.kant.get(level, 0),
        ]
        for level in levels
    ]
    data = {
        "cells": [
            {"level": c.level, "side": c.side, "codings": c.codings, "spor": c.spor}
            for c in stair.cells.values()
        ],
        "kant": stair.kant,
    }
    return ReportTable(
        "Styrings- og ledelsestrappen", headers, body, data, "staircase", "staircase", stair
    )


def _quote_row(q: tables.Quote) -> dict[str, Any]:
    return {
        "document": q.document,
        "start": q.start,
        "end": q.end,
        "text": q.text,
        "attribution": q.attribution,
        "typicality": q.score,
    }


def _quotes_table(code: str, found: list[tables.Quote]) -> ReportTable:
    headers = ["document", "quote", "attribution", "typicality"]
    body = [[q.document, " ".join(q.text.split()), q.attribution, round(q.score, 3)] for q in found]
    data = [_quote_row(q) for q in found]
    source = {code: found}
    return ReportTable(f"Quotes for {code}", headers, body, data, "quotes", "quotes", source)


def _quote_lists_table(found: dict[str, list[tables.Quote]], labels: dict[str, str]) -> ReportTable:
    """The quotes of several codes as one table with a code column."""
    headers = ["code", "label", "document", "quote", "attribution", "typicality"]
    body = [
        [code, labels.get(code, code), q.document, " ".join(q.text.split()), q.attribution]
        + [round(q.score, 3)]
        for code, quotes in found.items()
        for q in quotes
    ]
    data = {code: [_quote_row(q) for q in quotes] for code, quotes in found.items()}
    return ReportTable("Quotes", headers, body, data, "quote lists", "quotes", found)


def sentence(note: str) -> str:
    """A note as a sentence of its own: capitalised, with a full stop."""
    return f"{note[:1].upper()}{note[1:]}{'' if note.endswith('.') else '.'}"


def render(table: ReportTable, fmt: str) -> str:
    """The table as CSV, Markdown, JSON or a self-contained HTML page."""
    if fmt == "json":
        return json.dumps(table.data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.headers)
        writer.writerows(table.rows)
        return out.getvalue()
    if fmt == "md":
        cell = lambda v: str(v).replace("|", "\\|")  # noqa: E731
        lines = [f"## {table.title}", ""]
        if table.note:
            lines += [f"*{sentence(table.note)}*", ""]
        lines += [
            "| " + " | ".join(table.headers) + " |",
            "| " + " | ".join("---" for _ in table.headers) + " |",
        ]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
        return "\n".join(lines) + "\n"
    if fmt == "html":
        from frisat_qual.reports.html import table_html

        return table_html(table)
    raise FrisatError(f"unknown format {fmt!r}")


def render_all(reports: Sequence[ReportTable], fmt: str) -> str:
    """The reports of `build_all` as one text: Markdown tables one after the other, one JSON
    object keyed by report name, or the full HTML report."""
    if fmt == "md":
        return "\n".join(render(t, "md") for t in reports)
    if fmt == "json":
        data = {t.name: t.data for t in reports}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from frisat_qual.reports.html import reports_html

        return reports_html(reports)
    raise FrisatError(f"the full report comes as html, xlsx, md or json, not {fmt!r}")


def write_xlsx(table: ReportTable | Sequence[ReportTable], path: str) -> None:
    """The table as an Excel sheet (header row in bold, columns sized to their content);
    several tables as one workbook with a sheet each, named by their `name`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    several = not isinstance(table, ReportTable)
    reports = list(table) if several else [table]
    book = Workbook()
    book.remove(book.active)
    for report in reports:
        # Excel's limit for sheet names is 31 characters
        sheet = book.create_sheet((report.name if several else report.title)[:31])
        sheet.append(report.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in report.rows:
            sheet.append([v if isinstance(v, int | float) else str(v) for v in row])
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 80)
        sheet.freeze_panes = "A2"
    book.save(path)
