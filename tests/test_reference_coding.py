"""The demo's reference coding: loads into the demo project and meets the counts."""

from __future__ import annotations

import csv
from collections import Counter

from frisat_qual.codebook.manage import default_codebook
from frisat_qual.exchange.codings_csv import on_word_boundaries
from frisat_qual.store import open_project
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import document_text, get_document, list_documents


def test_reference_coding_file_is_clean(demo_dir, demo_project_path):
    with open(demo_dir / "reference_coding.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 700
    codable = {c.id for c in default_codebook().codes if c.codable}
    counts = Counter(r["code"] for r in rows)
    assert set(counts) == codable, "every codable code is used"
    assert min(counts.values()) >= 12, counts.most_common()[-3:]
    assert len({r["document"] for r in rows}) == 32
    with open_project(demo_project_path) as project:
        texts = {d.name: document_text(project, d.id) for d in list_documents(project)}
    for r in rows:
        text, start, end = texts[r["document"]], int(r["start"]), int(r["end"])
        assert 0 <= start < end <= len(text), r
        assert on_word_boundaries(text, start, end), r
        span = text[start:end]
        assert "\n\n" not in span and 3 <= len(span.split()) <= 80, r


def test_demo_project_holds_the_reference_coding(demo_dir, demo_project_path):
    with open(demo_dir / "reference_coding.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open_project(demo_project_path) as project:
        codings = query_codings(project, coder="reference")
        assert len(codings) == len(rows)
        assert {c.origin for c in codings} == {"imported"}
        doc = get_document(project, rows[0]["document"])
        first = [c for c in codings if c.document_id == doc.id][0]
        assert (first.start, first.end) == (int(rows[0]["start"]), int(rows[0]["end"]))
