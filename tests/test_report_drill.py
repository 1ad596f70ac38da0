"""The passages behind report cells: for every cell of every report, on the demo project
and on a small hand-made one, the passages listed are exactly as many as the cell says.

The small project is the one of test_reports.py (its codings are numbered there):
  A  k1_leder      1 leder.forside, 2 leder.forside (wider), 3 spor.dokumentation,
                   4 tema.kant (bob)
  B  k2_politiker  5 politiker.bagside, 6 spor.tillid, 7 spor.regler, 8 politiker.bagside
  C  k2_leder      9 leder.bagside, 10 tema.kant (same span), 11 leder.forside (bob)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from frisat_qual.errors import FrisatError
from frisat_qual.reports.drill import Cell, passages, passages_of, report_cells
from frisat_qual.reports.tables import LEVELS, SIDES, staircase
from frisat_qual.reports.writers import KINDS, build_report
from frisat_qual.store import open_project
from frisat_qual.store.codings import coder_names
from frisat_qual.store.documents import document_text, get_document


@pytest.fixture(scope="module")
def small(handmade_project):
    return handmade_project


@pytest.fixture(scope="module")
def demo(demo_project_path):
    with open_project(demo_project_path) as project:
        yield project


def _counted(kind: str, headers: list[str], j: int) -> bool:
    """Whether column j of a report counts codings (so its passages must match it)."""
    if kind == "frequencies":
        return headers[j] == "codings" or j >= 7
    if kind == "cooccurrence":
        return headers[j] in ("overlaps", "segments", "turns")
    if kind == "quotes":
        return False  # one passage per row, checked separately
    return j >= 1  # crosstab: counts and totals; staircase: sides and tema.kant


def _figure(value) -> int:
    return int(str(value).split()[0])  # crosstab cells read "3 (43%)"


def check_every_cell(project, kind, *, by=None, code=None, coders=None, attributes=None) -> int:
    """Open every cell of a report; return how many passages were checked in all."""
    table = build_report(project, kind, by=by, code=code, coders=coders, attributes=attributes)
    cells = report_cells(project, table, kind, code=code, coders=coders, attributes=attributes)
    assert [len(r) for r in cells] == [len(r) for r in table.rows]
    seen: dict[Cell, int] = {}
    checked = 0
    for i, row in enumerate(table.rows):
        for j, value in enumerate(row):
            cell = cells[i][j]
            assert cell is not None, (kind, i, j)
            if cell not in seen:
                found = passages_of(project, cell, by=by, coders=coders, attributes=attributes)
                seen[cell] = len(found)
                assert all(p.text for p in found), cell
            if _counted(kind, table.headers, j):
                assert seen[cell] == _figure(value), (kind, table.headers[j], row)
                checked += seen[cell]
        if kind == "quotes":
            (quote,) = passages_of(project, cells[i][0], coders=coders, attributes=attributes)
            assert " ".join(quote.text.split()) == row[1]
            assert (quote.document, quote.attribution) == (row[0], row[2])
            checked += 1
    return checked


REPORTS = [
    ("frequencies", {}),
    ("frequencies", {"by": "rolle"}),
    ("crosstab", {"by": "kommune"}),
    ("crosstab", {"by": "titel"}),  # one case lacks titel: counted under (ingen)
    ("cooccurrence", {}),
    ("staircase", {}),
    ("quotes", {"code": "tema.kant"}),
    ("quotes", {"code": "leder.forside"}),
]


@pytest.mark.parametrize(("kind", "options"), REPORTS, ids=lambda v: str(v))
def test_every_cell_of_the_small_project(small, kind, options):
    assert check_every_cell(small, kind, **options) > 0
    assert check_every_cell(small, kind, coders=["ann"], **options) >= 0
    check_every_cell(small, kind, attributes={"kommune": "kommune 2"}, **options)


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("frequencies", {"by": "omraade"}),
        ("crosstab", {"by": "rolle"}),
        ("cooccurrence", {}),
        ("staircase", {}),
        ("quotes", {"code": "tema.kant"}),
    ],
    ids=lambda v: str(v),
)
def test_every_cell_of_the_demo_project(demo, kind, options):
    assert check_every_cell(demo, kind, **options) > 0


def test_every_cell_of_the_demo_with_filters(demo):
    coders = coder_names(demo)
    assert coders
    check_every_cell(demo, "staircase", coders=coders[:1], attributes={"kommune": "kommune 2"})
    check_every_cell(demo, "crosstab", by="omraade", attributes={"rolle": "leder"})


@pytest.mark.parametrize("fixture", ["small", "demo"])
def test_spor_per_staircase_cell(request, fixture):
    project = request.getfixturevalue(fixture)
    stairs = staircase(project)
    for level in LEVELS:
        for side in SIDES:
            for spor, n in stairs.cells[(level, side)].spor.items():
                found = passages(project, "staircase", level, side, spor=spor)
                assert len(found) == n, (level, side, spor)
                assert {p.code_id for p in found} <= {spor}


def test_hand_checked_passages(small):
    kant = passages(small, "staircase", "leder", "tema.kant")
    assert [(p.text, p.code_id, p.attribution) for p in kant] == [  # in document order
        ("Vi mødes oftere.", "tema.kant", "(Skoleleder, kommune 1)"),
        ("Det er svært at slippe kontrollen.", "tema.kant", "(Leder, kommune 2)"),
    ]
    overlaps = passages(small, "cooccurrence", "leder.forside", "tema.kant", unit="overlaps")
    assert sorted(p.text for p in overlaps) == [
        "Vi mødes oftere.",
        "Vi mødes oftere.",
        "slippe kontrollen",
    ]
    assert {(p.code_id, p.other_code) for p in overlaps} == {("leder.forside", "tema.kant")}
    # the same cell read from the other side names the codes the other way round
    reverse = passages(small, "cooccurrence", "tema.kant", "leder.forside", unit="overlaps")
    assert {p.code_id for p in reverse} == {"tema.kant"} and len(reverse) == 3
    turns = passages(small, "cooccurrence", "spor.regler", "spor.tillid", unit="turns")
    assert [p.text for p in turns] == [
        "Vi har tillid til lederne. Reglerne er færre nu. Vi taler mere sammen."
    ]
    bagside = passages(small, "frequencies", "politiker.bagside")
    doc = get_document(small, "k2_politiker")
    text = document_text(small, doc.id)
    assert [(p.document_id, p.document, text[p.start : p.end]) for p in bagside] == [
        (doc.id, "k2_politiker", "Vi har tillid til lederne."),
        (doc.id, "k2_politiker", "Reglerne er færre nu. Vi taler mere sammen."),
    ]
    assert len(passages(small, "crosstab", None, "(ingen)", by="titel")) == 3
    assert passages(small, "frequencies", "leder.forside", coders="bob")[0].text == (
        "slippe kontrollen"
    )


def test_bad_cells_are_researcher_errors(small):
    for args, kwargs in (
        (("tables", "x"), {}),
        (("staircase", "rektor", "forside"), {}),
        (("staircase", "leder", "midt"), {}),
        (("cooccurrence", "leder.forside", "tema.kant"), {"unit": "words"}),
        (("cooccurrence", "leder.forside"), {}),
        (("frequencies", "leder.forside", "leder"), {}),  # a value without by
        (("quotes",), {}),
    ):
        with pytest.raises(FrisatError):
            passages(small, *args, **kwargs)


def test_cell_labels_read_well():
    assert Cell("staircase", "leder", "forside").label == "leder.forside"
    assert Cell("staircase", "leder", "tema.kant").label == "tema.kant at leder"
    assert Cell("cooccurrence", "a", "b", "turns").label == "a × b (shared turns)"
    assert Cell("crosstab", None, "leder").label == "all codes, leder"


def test_every_report_kind_is_covered():
    assert {kind for kind, _ in REPORTS} == set(KINDS)


def test_drill_imports_no_ui():
    code = (
        "import sys, frisat_qual.reports.drill; "
        "print(any(m in sys.modules for m in ('textual', 'rich', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
