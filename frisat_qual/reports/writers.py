"""Reports as tables and files: one `ReportTable` per report, written as CSV, Markdown,
JSON or an Excel sheet (the CLI renders the same table with rich in the terminal).

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
from typing import Any

from frisat_qual.errors import FrisatError
from frisat_qual.reports import tables
from frisat_qual.store import Project

KINDS = ("frequencies", "crosstab", "cooccurrence", "staircase", "quotes")
FORMATS = ("table", "csv", "md", "json", "xlsx")


@dataclass
class ReportTable:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    data: Any = field(default=None)  # the JSON form


def build_report(
    project: Project,
    kind: str,
    *,
    by: str | None = None,
    code: str | None = None,
    coders: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
) -> ReportTable:
    """Run report `kind` and lay it out as a table."""
    filters: dict[str, Any] = {
        "coders": list(coders) or None if coders else None,
        "attributes": attributes or None,
    }
    if kind == "frequencies":
        rows = tables.frequencies(project, by=by, **filters)
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
        return ReportTable(f"Theme frequencies{f' by {by}' if by else ''}", headers, body, data)
    if kind == "crosstab":
        if not by:
            raise FrisatError("a cross-tab needs --by (e.g. --by rolle)")
        table = tables.crosstab(project, by, **filters)
        headers = ["code", *table.values, "total"]
        body = [
            [r.code, *(f"{r.by_counts[v]} ({r.row_pct[v]:.0f}%)" for v in table.values), r.codings]
            for r in table.rows
        ]
        body.append(["total", *(table.column_totals[v] for v in table.values), table.total])
        data = {
            "by": by,
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
        return ReportTable(f"Codes by {by}", headers, body, data)
    if kind == "cooccurrence":
        rows = tables.cooccurrence(project, **filters)
        headers = ["code a", "code b", "overlaps", "segments", "turns", "jaccard"]
        body = [
            [r.code_a, r.code_b, r.overlaps, r.segments, r.turns, round(r.jaccard, 3)] for r in rows
        ]
        data = [
            dict(
                zip(
                    ["code_a", "code_b", "overlaps", "segments", "turns", "jaccard"], b, strict=True
                )
            )
            for b in body
        ]
        return ReportTable("Code co-occurrence", headers, body, data)
    if kind == "staircase":
        stair = tables.staircase(project, **filters)
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
        return ReportTable("Styrings- og ledelsestrappen", headers, body, data)
    if kind == "quotes":
        if not code:
            raise FrisatError("quotes need --code (e.g. --code tema.kant)")
        found = tables.quotes(project, code, **filters)
        headers = ["document", "quote", "attribution", "typicality"]
        body = [
            [q.document, " ".join(q.text.split()), q.attribution, round(q.score, 3)] for q in found
        ]
        data = [
            {
                "document": q.document,
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "attribution": q.attribution,
                "typicality": q.score,
            }
            for q in found
        ]
        return ReportTable(f"Quotes for {code}", headers, body, data)
    raise FrisatError(f"unknown report {kind!r} (one of {', '.join(KINDS)})")


def render(table: ReportTable, fmt: str) -> str:
    """The table as CSV, Markdown or JSON text."""
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
        lines = [
            f"## {table.title}",
            "",
            "| " + " | ".join(table.headers) + " |",
            "| " + " | ".join("---" for _ in table.headers) + " |",
        ]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.rows]
        return "\n".join(lines) + "\n"
    raise FrisatError(f"unknown format {fmt!r}")


def write_xlsx(table: ReportTable, path: str) -> None:
    """The table as an Excel sheet (header row in bold, columns sized to their content)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]  # Excel's limit for sheet names
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([v if isinstance(v, int | float) else str(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 80)
    sheet.freeze_panes = "A2"
    book.save(path)
