"""Codings as CSV: export for analysis elsewhere, import of a reference or external coding.

Export columns: document, start, end, code, coder, origin, text. Import needs document,
start, end and code (coder optional, else given); every row is checked (document known,
span inside the text and on word boundaries, code codable) before anything is stored, and
the whole file is stored in one transaction, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from frisat_qual.csvfiles import read_csv
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.models import Coding
from frisat_qual.store import Project
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import insert_codings
from frisat_qual.store.documents import document_text, get_document, list_documents

EXPORT_COLUMNS = ("document", "start", "end", "code", "coder", "origin", "text")


def codings_to_csv(project: Project, codings: list[Coding]) -> str:
    names = {
        d.id: (d.name if d.is_current else f"{d.name}@{d.version}")
        for d in list_documents(project, include_old=True)
    }
    texts: dict[int, str] = {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for c in codings:
        if c.document_id not in texts:
            texts[c.document_id] = document_text(project, c.document_id)
        writer.writerow(
            [
                names[c.document_id],
                c.start,
                c.end,
                c.code_id,
                c.coder,
                c.origin,
                texts[c.document_id][c.start : c.end],
            ]
        )
    return out.getvalue()


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """The span starts and ends at whole words (not inside a word) and is not blank."""
    if not text[start:end].strip():
        return False
    before_ok = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    after_ok = end == len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return before_ok and after_ok


def import_codings_csv(
    project: Project, path: str | Path, *, coder: str, origin: str = "imported"
) -> int:
    """Store the codings of a CSV file (see module doc). Returns how many were added."""
    path = Path(path)
    reader = read_csv(path, {"document", "start", "end", "code"})
    codable = {r["id"] for r in code_rows(project) if r["codable"] and not r["retired"]}
    docs: dict[str, tuple[int, str]] = {}
    rows: list[tuple[int, int, int, str, str]] = []
    for line, row in enumerate(reader, start=2):
        name = (row["document"] or "").strip()
        if name not in docs:
            try:
                doc = get_document(project, name)
            except NotFound:
                raise FrisatError(f"{path.name} line {line}: no document {name!r}") from None
            docs[name] = (doc.id, document_text(project, doc.id))
        doc_id, text = docs[name]
        try:
            start, end = int(row["start"]), int(row["end"])
        except (TypeError, ValueError):
            raise FrisatError(
                f"{path.name} line {line}: start and end must be whole numbers"
            ) from None
        if not 0 <= start < end <= len(text):
            raise FrisatError(
                f"{path.name} line {line}: span {start}:{end} is outside {name} (0:{len(text)})"
            )
        if not on_word_boundaries(text, start, end):
            raise FrisatError(f"{path.name} line {line}: span {start}:{end} cuts a word in {name}")
        code = (row["code"] or "").strip()
        if code not in codable:
            raise FrisatError(
                f"{path.name} line {line}: {code!r} is not a codable code of the project"
            )
        who = (row.get("coder") or "").strip() or coder
        rows.append((doc_id, start, end, code, who))
    return insert_codings(project, rows, origin=origin)
