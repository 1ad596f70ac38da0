"""Report tables on a tiny hand-made project whose every figure is worked out by hand.

The corpus (words exclude the speaker labels, as `Document.words` does):
  A  k1_leder      leder, kommune 1, titel Skoleleder       10 words
  B  k2_politiker  politiker, kommune 2, titel Udvalgsformand 16 words
  C  k2_leder      leder, kommune 2, no titel                8 words
Codings (ann unless bob is named), numbered as in the comments below:
  A  1 leder.forside "Vi mødes oftere."                                   3 words
     2 leder.forside "Vi mødes oftere. Vi skriver færre rapporter."       7 words
     3 spor.dokumentation "Vi skriver færre rapporter."                   4 words
     4 tema.kant "Vi mødes oftere." (bob)                                 3 words
  B  5 politiker.bagside "Vi har tillid til lederne."                     5 words
     6 spor.tillid "tillid til lederne"                                   3 words
     7 spor.regler "Reglerne er færre nu."                                4 words
     8 politiker.bagside "Reglerne er færre nu. Vi taler mere sammen."    8 words
  C  9 leder.bagside "Det er svært at slippe kontrollen."                 6 words
    10 tema.kant, same span                                               6 words
    11 leder.forside "slippe kontrollen" (bob)                            2 words
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from handmade import TEXTS

from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.reports.tables import (
    attribution,
    check_filters,
    cooccurrence,
    crosstab,
    frequencies,
    pooled_coders,
    presence_matrix,
    quotes,
    report_scope,
    staircase,
)
from frisat_qual.reports.writers import build_all, build_report, render
from frisat_qual.store.documents import get_document

TOTAL_WORDS = 10 + 16 + 8


@pytest.fixture(scope="module")
def proj(handmade_project):
    return handmade_project


def _rows(rows):
    return {r.code: r for r in rows}


def test_documents_have_the_hand_counted_words(proj):
    assert [get_document(proj, n).words for n in TEXTS] == [10, 16, 8]


def test_frequencies_count_codings_documents_cases_and_union_words(proj):
    rows = frequencies(proj)
    assert [r.code for r in rows][:3] == [
        "politiker.forside",
        "politiker.bagside",
        "forvaltning.forside",
    ]  # codebook order, codable only
    got = {r.code: (r.codings, r.documents, r.cases, r.words) for r in rows if r.codings}
    assert got == {
        "politiker.bagside": (2, 1, 1, 13),
        "leder.forside": (3, 2, 2, 7 + 2),  # 1 and 2 overlap: their union has 7 words
        "leder.bagside": (1, 1, 1, 6),
        "spor.regler": (1, 1, 1, 4),
        "spor.dokumentation": (1, 1, 1, 4),
        "spor.tillid": (1, 1, 1, 3),
        "tema.kant": (2, 2, 2, 3 + 6),
    }
    by = _rows(rows)
    assert by["leder.forside"].word_share == pytest.approx(100 * 9 / TOTAL_WORDS)
    assert by["borger.forside"].codings == 0
    assert by["borger.forside"].word_share == 0.0
    assert by["leder.forside"].by_counts == {}


def test_frequencies_by_rolle_with_row_and_column_percentages(proj):
    by = _rows(frequencies(proj, by="rolle"))
    # column totals: leder 7 codings (1-4, 9-11), politiker 4 (5-8)
    assert by["leder.forside"].by_counts == {"leder": 3, "politiker": 0}
    assert by["leder.forside"].row_pct == {"leder": 100.0, "politiker": 0.0}
    assert by["leder.forside"].col_pct == pytest.approx({"leder": 300 / 7, "politiker": 0.0})
    assert by["politiker.bagside"].by_counts == {"leder": 0, "politiker": 2}
    assert by["politiker.bagside"].col_pct == pytest.approx({"leder": 0.0, "politiker": 50.0})
    assert by["tema.kant"].col_pct["leder"] == pytest.approx(200 / 7)
    assert by["borger.bagside"].row_pct == {"leder": 0.0, "politiker": 0.0}


def test_frequencies_filter_by_coder_documents_and_attributes(proj):
    ann = _rows(frequencies(proj, coders="ann"))
    assert (ann["leder.forside"].codings, ann["leder.forside"].words) == (2, 7)
    assert ann["tema.kant"].codings == 1
    assert _rows(frequencies(proj, coders=["ann", "bob"]))["leder.forside"].codings == 3
    k2 = _rows(frequencies(proj, attributes={"kommune": "kommune 2"}))
    assert (k2["leder.forside"].codings, k2["leder.forside"].words) == (1, 2)
    assert k2["leder.forside"].word_share == pytest.approx(100 * 2 / (16 + 8))
    only_a = _rows(frequencies(proj, documents={get_document(proj, "k1_leder").id}))
    assert only_a["leder.forside"].codings == 2
    assert only_a["politiker.bagside"].codings == 0


def test_crosstab_by_kommune_has_totals_and_percentages(proj):
    tab = crosstab(proj, "kommune")
    assert tab.values == ["kommune 1", "kommune 2"]
    assert tab.column_totals == {"kommune 1": 4, "kommune 2": 7}
    assert tab.total == 11
    row = _rows(tab.rows)["leder.forside"]
    assert row.by_counts == {"kommune 1": 2, "kommune 2": 1}
    assert row.codings == 3
    assert row.row_pct == pytest.approx({"kommune 1": 200 / 3, "kommune 2": 100 / 3})
    assert row.col_pct == pytest.approx({"kommune 1": 50.0, "kommune 2": 100 / 7})


def test_presence_matrix_is_zero_one_per_case(proj):
    matrix = presence_matrix(proj)
    assert matrix.cases == ["A", "B", "C"]
    assert len(matrix.codes) == 20  # the codable codes of the default codebook
    present = {case: {c for c, v in row.items() if v} for case, row in matrix.cells.items()}
    assert present == {
        "A": {"leder.forside", "spor.dokumentation", "tema.kant"},
        "B": {"politiker.bagside", "spor.tillid", "spor.regler"},
        "C": {"leder.bagside", "tema.kant", "leder.forside"},
    }
    assert set(matrix.cells["A"].values()) == {0, 1}
    assert presence_matrix(proj, coders="ann").cells["C"]["leder.forside"] == 0


def test_cooccurrence_counts_overlaps_segments_turns_and_jaccard(proj):
    got = {(r.code_a, r.code_b): (r.overlaps, r.segments, r.turns) for r in cooccurrence(proj)}
    assert got == {
        ("politiker.bagside", "spor.regler"): (1, 1, 1),
        ("politiker.bagside", "spor.tillid"): (1, 1, 1),
        ("spor.regler", "spor.tillid"): (0, 0, 1),  # same turn, different sentences
        ("leder.forside", "leder.bagside"): (1, 1, 1),
        ("leder.forside", "spor.dokumentation"): (1, 1, 1),
        ("leder.forside", "tema.kant"): (3, 2, 2),  # 1-4, 2-4, 11-10
        ("leder.bagside", "tema.kant"): (1, 1, 1),
        ("spor.dokumentation", "tema.kant"): (0, 0, 1),
    }
    jaccard = {(r.code_a, r.code_b): r.jaccard for r in cooccurrence(proj)}
    assert jaccard[("politiker.bagside", "spor.regler")] == pytest.approx(1 / 3)
    assert jaccard[("leder.forside", "tema.kant")] == pytest.approx(2 / 3)
    assert jaccard[("leder.bagside", "tema.kant")] == pytest.approx(1 / 2)
    assert jaccard[("spor.regler", "spor.tillid")] == 0.0
    ann = {(r.code_a, r.code_b): r.overlaps for r in cooccurrence(proj, coders="ann")}
    assert ("leder.forside", "tema.kant") not in ann  # 4 and 11 are bob's
    assert ann[("leder.bagside", "tema.kant")] == 1


def test_staircase_cells_spor_and_kant(proj):
    stairs = staircase(proj)
    assert len(stairs.cells) == 10
    counts = {k: c.codings for k, c in stairs.cells.items() if c.codings}
    assert counts == {("leder", "forside"): 3, ("leder", "bagside"): 1, ("politiker", "bagside"): 2}
    spor = {k: {s: n for s, n in c.spor.items() if n} for k, c in stairs.cells.items()}
    assert spor[("leder", "forside")] == {"spor.dokumentation": 1}
    assert spor[("politiker", "bagside")] == {"spor.tillid": 1, "spor.regler": 1}
    assert spor[("leder", "bagside")] == {}
    assert stairs.kant == {
        "politiker": 0,
        "forvaltning": 0,
        "leder": 2,
        "medarbejder": 0,
        "borger": 0,
    }
    assert staircase(proj, attributes={"kommune": "kommune 1"}).kant["leder"] == 1


def test_quotes_attribution_per_document_limit_and_length_sort(proj):
    found = quotes(proj, "leder.forside", sort="length")
    assert [(q.text, q.attribution) for q in found] == [
        ("Vi mødes oftere. Vi skriver færre rapporter.", "(Skoleleder, kommune 1)"),
        ("slippe kontrollen", "(Leder, kommune 2)"),
        ("Vi mødes oftere.", "(Skoleleder, kommune 1)"),
    ]
    one = quotes(proj, "leder.forside", sort="length", per_document=1)
    assert [q.text for q in one] == [
        "Vi mødes oftere. Vi skriver færre rapporter.",
        "slippe kontrollen",
    ]
    assert len(quotes(proj, "leder.forside", sort="length", limit=2)) == 2
    assert quotes(proj, "politiker.bagside")[0].attribution == "(Udvalgsformand, kommune 2)"
    assert len(quotes(proj, "tema.kant")) == 2


def test_typical_quotes_put_the_outlier_last(proj):
    found = quotes(proj, "leder.forside")
    assert found[-1].text == "slippe kontrollen"  # shares no word with the other two
    assert all(found[-1].score < q.score <= 1.0 for q in found[:2])
    with pytest.raises(FrisatError):
        quotes(proj, "leder.forside", sort="random")


def test_attribution_falls_back_gracefully():
    assert attribution({"rolle": "borger"}, "doc") == "(Borger)"
    assert attribution({}, "doc") == "(doc)"


def test_reports_import_no_ui_or_sklearn_eagerly():
    code = (
        "import sys, frisat_qual.reports.tables; "
        "print(any(m in sys.modules for m in ('textual', 'rich', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cases_without_the_attribute_are_counted_under_ingen(proj):
    tab = crosstab(proj, "titel")
    assert tab.values == ["Skoleleder", "Udvalgsformand", "(ingen)"]
    assert tab.column_totals == {"Skoleleder": 4, "Udvalgsformand": 4, "(ingen)": 3}
    assert _rows(tab.rows)["leder.forside"].by_counts == {
        "Skoleleder": 2,
        "Udvalgsformand": 0,
        "(ingen)": 1,
    }


def test_unknown_coders_and_case_attributes_are_errors_not_zeros(proj):
    with pytest.raises(NotFound) as coder:
        frequencies(proj, coders=["ann", "carl"])
    assert str(coder.value) == "handmade.frisat: no coder named 'carl' (coders: ann, bob)"
    with pytest.raises(NotFound) as name:
        staircase(proj, attributes={"rol": "leder"})
    assert str(name.value) == (
        "handmade.frisat: no case attribute named 'rol' (attributes: kommune, rolle, titel)"
    )
    with pytest.raises(NotFound) as value:
        quotes(proj, "tema.kant", attributes={"kommune": "kommune 2", "rolle": "ledr"})
    assert str(value.value) == (
        "handmade.frisat: no case has rolle=ledr (rolle is one of: leder, politiker)"
    )
    for report in ("frequencies", "staircase"):
        with pytest.raises(NotFound, match="'carl'"):
            build_report(proj, report, coders=["carl"])
    with pytest.raises(NotFound, match="rolle=ledr"):
        build_all(proj, attributes={"rolle": "ledr"})
    # a filter that exists but matches no codings is fine: its zeros are true
    check_filters(proj, coders="bob", attributes={"titel": "Udvalgsformand"})
    none = frequencies(proj, coders="bob", attributes={"titel": "Udvalgsformand"})
    assert {r.codings for r in none} == {0}


def test_reports_say_when_they_count_several_coders_together(proj):
    assert pooled_coders(proj) == ["ann", "bob"]
    assert pooled_coders(proj, ["ann"]) == []
    # only ann coded k2_politiker, the one case with this titel: nobody pooled there
    assert (
        pooled_coders(proj, scope=report_scope(proj, attributes={"titel": "Udvalgsformand"})) == []
    )
    pooled = build_report(proj, "frequencies")
    assert pooled.note == "counting the codings of 2 coders together: ann, bob"
    assert "*Counting the codings of 2 coders together: ann, bob.*" in render(pooled, "md")
    assert '<p class="note">Counting the codings of 2 coders together' in render(pooled, "html")
    assert "together" not in render(pooled, "csv") + render(pooled, "json")
    assert build_report(proj, "frequencies", coders=["ann"]).note == ""
    overview, *rest = build_all(proj)
    assert overview.note == pooled.note and not any(t.note for t in rest)
    assert build_all(proj, coders=["bob"])[0].note == ""
