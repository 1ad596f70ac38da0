"""Agreement and the disagreement walk on a hand-made project whose every figure is worked
out by hand below, then resolution: consensus codings, the resolutions table, memos,
undo, replacing a decision.

The project: three interviews. a1 and a2 are coded by ann and bob, a3 only by ann (so it
is skipped). Segments (numbered from 1 as in the workspace):
    a1: 1 "Hvad er nyt?"  2 "Vi mødes oftere."  3 "Lederne har mere frihed."
        4 "Vi skriver færre rapporter."  5 "Det er godt."
    a2: 1 "Og reglerne?"  2 "Reglerne er færre nu."  3 "Vi taler mere sammen."
        4 "Det er svært at slippe kontrollen."
Codes F = leder.forside, D = spor.dokumentation, K = tema.kant. Who applied what, by the
rule (half the segment or half the coding): bob's D "Vi skriver færre rapporter. Det"
spills 3 of a1/5's 12 characters into it and does not count there; bob's K "mere frihed"
is short inside a1/3 and counts; ann's F over a2/2-3 counts for both.

          a1/1 a1/2 a1/3 a1/4 a1/5 a2/1 a2/2 a2/3 a2/4
    F ann   .    x    .    .    .    .    x    x    .
    F bob   .    x    .    .    .    .    .    x    .
    D ann   .    .    .    x    .    .    .    .    .
    D bob   .    .    .    x    .    x    .    .    .
    K ann   .    x    .    .    .    .    .    .    x
    K bob   .    .    x    .    .    .    .    .    x

All 9 segments (kappa = (n*agree - S) / (n^2 - S), S = sum of products of the margins;
alpha = 1 - (2n - 1) * disagreeing values / ((2n)^2 - sum of squared value totals)):
    F: both 2, ann only 1, bob only 0, neither 6; agree 8/9 = 88.89 %;
       S = 3*2 + 6*7 = 48, kappa = (72 - 48) / (81 - 48) = 24/33 = 8/11;
       values: yes 5, no 13, 2 disagreeing: alpha = 1 - 17*2 / (324 - 25 - 169) = 96/130
    D: both 1, ann 0, bob 1, neither 7; 88.89 %; S = 1*2 + 8*7 = 58,
       kappa = (72 - 58) / (81 - 58) = 14/23; alpha = 1 - 17*2 / (324 - 9 - 225) = 56/90
    K: both 1, ann 1, bob 1, neither 6; 7/9 = 77.78 %; S = 2*2 + 7*7 = 53,
       kappa = (63 - 53) / (81 - 53) = 10/28; alpha = 1 - 17*4 / (324 - 16 - 196) = 44/112
    pooled (27 items): both 4, ann 2, bob 2, neither 19; 23/27 = 85.19 %;
       S = 6*6 + 21*21 = 477, kappa = (621 - 477) / (729 - 477) = 144/252 = 4/7;
       alpha = 1 - 53*8 / (2916 - 144 - 1764) = 584/1008; mean kappa (8/11 + 14/23 + 10/28)/3
Coded only drops a1/1 and a1/5 (nobody applied any code there; the spill does not count),
leaving 7 segments:
    F: 2/1/0/4, 6/7 = 85.71 %, kappa (42 - 26)/(49 - 26) = 16/23, alpha 1 - 13*2/90 = 64/90
    D: 1/0/1/5, 85.71 %, kappa (42 - 32)/(49 - 32) = 10/17, alpha 1 - 13*2/66 = 40/66
    K: 1/1/1/4, 5/7 = 71.43 %, kappa (35 - 29)/(49 - 29) = 6/20, alpha 1 - 13*4/80 = 28/80
    pooled 21: 4/2/2/13, 17/21, kappa (357 - 261)/(441 - 261) = 96/180,
       alpha 1 - 41*8 / (1764 - 144 - 900) = 392/720
Disagreements (ann vs bob): a1:2:tema.kant (ann), a1:3:tema.kant (bob),
a2:1:spor.dokumentation (bob), a2:2:leder.forside (ann).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from handmade import import_and_code
from sklearn.metrics import cohen_kappa_score

from frisat_qual.agreement import (
    agreement,
    applies,
    choose_coders,
    default_pair,
    disagreements,
    find_disagreement,
    resolve,
)
from frisat_qual.agreement.resolution import memo_note, parse_id
from frisat_qual.agreement.units import (
    assign,
    load_comparison,
    non_space_mask,
    overlapping_pairs,
    segment_decisions,
)
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.store import create_project, open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import document_text, get_document, segments_of
from frisat_qual.store.journal import redo, undo
from frisat_qual.store.memos import all_memos

F, D, K = "leder.forside", "spor.dokumentation", "tema.kant"
TEXTS = {
    "a1": "I: Hvad er nyt?\n\nR: Vi mødes oftere. Lederne har mere frihed."
    " Vi skriver færre rapporter. Det er godt.\n",
    "a2": "I: Og reglerne?\n\nR: Reglerne er færre nu. Vi taler mere sammen."
    " Det er svært at slippe kontrollen.\n",
    "a3": "I: Hvordan går det?\n\nR: Det går godt.\n",
}
MANIFEST = (
    "file,case,rolle,kommune\n"
    "a1.txt,A,leder,kommune 1\n"
    "a2.txt,B,politiker,kommune 2\n"
    "a3.txt,C,leder,kommune 2\n"
)
CODINGS = [
    ("a1", "Vi mødes oftere.", F, "ann"),
    ("a1", "Vi mødes oftere.", F, "bob"),
    ("a1", "Vi mødes oftere.", K, "ann"),
    ("a1", "mere frihed", K, "bob"),
    ("a1", "Vi skriver færre rapporter.", D, "ann"),
    ("a1", "Vi skriver færre rapporter. Det", D, "bob"),
    ("a2", "Reglerne er færre nu. Vi taler mere sammen.", F, "ann"),
    ("a2", "Vi taler mere sammen.", F, "bob"),
    ("a2", "Og reglerne?", D, "bob"),
    ("a2", "Det er svært at slippe kontrollen.", K, "ann"),
    ("a2", "Det er svært at slippe kontrollen.", K, "bob"),
    ("a3", "Det går godt.", K, "ann"),
]
SEGMENTS = {
    "a1": [
        "Hvad er nyt?",
        "Vi mødes oftere.",
        "Lederne har mere frihed.",
        "Vi skriver færre rapporter.",
        "Det er godt.",
    ],
    "a2": [
        "Og reglerne?",
        "Reglerne er færre nu.",
        "Vi taler mere sammen.",
        "Det er svært at slippe kontrollen.",
    ],
}
EXPECTED = {  # code: (ann only, bob only, both, neither, percent, kappa, alpha)
    F: (1, 0, 2, 6, 800 / 9, 8 / 11, 96 / 130),
    D: (0, 1, 1, 7, 800 / 9, 14 / 23, 56 / 90),
    K: (1, 1, 1, 6, 700 / 9, 10 / 28, 44 / 112),
}
EXPECTED_CODED = {
    F: (1, 0, 2, 4, 600 / 7, 16 / 23, 64 / 90),
    D: (0, 1, 1, 5, 600 / 7, 10 / 17, 40 / 66),
    K: (1, 1, 1, 4, 500 / 7, 6 / 20, 28 / 80),
}
DISAGREEMENTS = [
    ("a1:2:tema.kant", ("ann",)),
    ("a1:3:tema.kant", ("bob",)),
    ("a2:1:spor.dokumentation", ("bob",)),
    ("a2:2:leder.forside", ("ann",)),
]


def build_agreement_project(folder: Path, codings=CODINGS):
    """The hand-made agreement project in `folder`, open."""
    project = create_project(folder / "agreement.frisat")
    import_and_code(project, folder, TEXTS, MANIFEST, codings)
    return project


@pytest.fixture
def project(agreement_file, tmp_path):
    """A fresh copy of the hand-made project for each test (tests write to it)."""
    path = tmp_path / "agreement.frisat"
    shutil.copy(agreement_file, path)
    with open_project(path) as proj:
        yield proj


def code_figures(variant, code):
    f = next(f for f in variant.per_code if f.code == code)
    c = f.counts
    return (int(c.only[0]), int(c.only[1]), c.all_yes, c.all_no, f.percent, f.kappa, f.alpha)


def test_the_segments_are_those_worked_out_by_hand(project):
    for name, texts in SEGMENTS.items():
        doc = get_document(project, name)
        assert [s.text for s in segments_of(project, doc.id)] == texts


@pytest.mark.parametrize(
    ("unit", "coding", "counts"),
    [
        ((0, 30), (0, 30), True),  # the same span
        ((0, 30), (29, 60), False),  # spills one character into the unit
        ((0, 30), (25, 40), False),  # 5 of 30 and 5 of 15: neither half
        ((0, 30), (10, 14), True),  # short coding inside a long unit
        ((0, 30), (15, 60), True),  # exactly half of the unit
        ((0, 30), (16, 60), False),  # just under half of the unit, a third of the coding
        ((0, 30), (20, 40), True),  # half of the coding
        ((0, 30), (30, 40), False),  # adjacent, no overlap
        ((10, 20), (0, 100), True),  # a long coding covering the whole unit
    ],
)
def test_the_segment_rule(unit, coding, counts):
    assert bool(applies(*unit, *coding)) is counts
    as_arrays = applies(np.array([unit[0]]), np.array([unit[1]]), coding[0], coding[1])
    assert as_arrays.tolist() == [counts]


def test_overlapping_pairs_and_assign_equal_brute_force():
    rng = np.random.default_rng(5)
    cuts = np.sort(rng.choice(np.arange(1, 2000), 120, replace=False))
    starts, ends = cuts[0::2], cuts[1::2]  # 60 units with gaps between them
    c_start = rng.integers(0, 1990, 300)
    c_end = c_start + rng.integers(1, 200, 300)
    pairs = set(
        zip(*(a.tolist() for a in overlapping_pairs(starts, ends, c_start, c_end)), strict=False)
    )
    brute = {
        (c, u)
        for c in range(300)
        for u in range(60)
        if c_start[c] < ends[u] and c_end[c] > starts[u]
    }
    assert pairs == brute
    kept = set(zip(*(a.tolist() for a in assign(starts, ends, c_start, c_end)), strict=False))
    assert kept == {(c, u) for c, u in brute if applies(starts[u], ends[u], c_start[c], c_end[c])}


def test_per_code_and_overall_figures_equal_the_hand_worked_ones(project):
    report = agreement(project, ["ann", "bob"])
    assert [d.name for d in report.documents] == ["a1", "a2"]
    assert [(d.name, who) for d, who in report.skipped] == [("a3", ("ann",))]
    assert report.segments.units == 9
    assert sorted(report.codes) == sorted([F, D, K])
    for code, expected in EXPECTED.items():
        assert code_figures(report.segments, code) == pytest.approx(expected, abs=1e-12)
    overall = report.segments.overall
    assert [int(n) for n in overall.counts.only] == [2, 2]
    assert (overall.counts.all_yes, overall.counts.all_no, overall.counts.units) == (4, 19, 27)
    assert overall.percent == pytest.approx(2300 / 27)
    assert overall.kappa == pytest.approx(4 / 7)
    assert overall.alpha == pytest.approx(584 / 1008)
    assert overall.mean_kappa == pytest.approx((8 / 11 + 14 / 23 + 10 / 28) / 3)
    assert overall.mean_kappa_codes == 3


def test_coded_only_drops_exactly_the_uncoded_segments(project):
    report = agreement(project, ["ann", "bob"])
    assert (report.coded_only.units, report.coded_only.dropped) == (7, 2)
    comparison = load_comparison(project, ["ann", "bob"])
    decisions = segment_decisions(project, comparison)
    names = {d.id: d.name for d in comparison.documents}
    dropped = [
        SEGMENTS[names[doc]][idx]
        for doc, idx, coded in zip(
            decisions.documents, decisions.index, decisions.coded, strict=False
        )
        if not coded
    ]
    assert dropped == ["Hvad er nyt?", "Det er godt."]
    for code, expected in EXPECTED_CODED.items():
        assert code_figures(report.coded_only, code) == pytest.approx(expected, abs=1e-12)
    overall = report.coded_only.overall
    assert overall.percent == pytest.approx(1700 / 21)
    assert overall.kappa == pytest.approx(96 / 180)
    assert overall.alpha == pytest.approx(392 / 720)


def test_the_character_variant_equals_a_direct_count_per_character(project):
    report = agreement(project, ["ann", "bob"])
    codings = query_codings(project, coder=["ann", "bob"])
    decided = {(code, coder): [] for code in (F, D, K) for coder in ("ann", "bob")}
    total = 0
    for name in ("a1", "a2"):
        doc = get_document(project, name)
        text = document_text(project, doc.id)
        positions = [i for i, ch in enumerate(text) if not ch.isspace()]
        total += len(positions)
        for (code, coder), out in decided.items():
            spans = [
                (c.start, c.end)
                for c in codings
                if c.document_id == doc.id and c.code_id == code and c.coder == coder
            ]
            out += [int(any(s <= i < e for s, e in spans)) for i in positions]
    assert report.characters.units == total
    for code in (F, D, K):
        ann, bob = np.array(decided[(code, "ann")]), np.array(decided[(code, "bob")])
        figures = next(f for f in report.characters.per_code if f.code == code)
        table = np.array(
            [
                [np.sum((ann == 0) & (bob == 0)), np.sum((ann == 0) & (bob == 1))],
                [np.sum((ann == 1) & (bob == 0)), np.sum((ann == 1) & (bob == 1))],
            ]
        )
        assert table[1, 1] > 0 and table[1, 0] + table[0, 1] > 0  # a real test of each
        assert figures.counts.only.tolist() == [table[1, 0], table[0, 1]]
        assert figures.counts.all_yes == table[1, 1]
        assert figures.percent == pytest.approx(100 * np.mean(ann == bob))
        assert figures.kappa == pytest.approx(cohen_kappa_score(ann, bob))
        assert figures.alpha == pytest.approx(
            krippendorff.alpha(reliability_data=[ann, bob], level_of_measurement="nominal")
        )
    ann = np.concatenate([decided[(c, "ann")] for c in (F, D, K)])
    bob = np.concatenate([decided[(c, "bob")] for c in (F, D, K)])
    overall = report.characters.overall
    assert overall.counts.units == 3 * total
    assert overall.percent == pytest.approx(100 * np.mean(ann == bob))
    assert overall.kappa == pytest.approx(cohen_kappa_score(ann, bob))
    assert overall.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=[ann, bob], level_of_measurement="nominal")
    )


def test_non_space_mask():
    assert non_space_mask("a b\n\tc\u00a0d").tolist() == [1, 0, 1, 0, 0, 1, 0, 1]
    assert non_space_mask("").tolist() == []


def test_code_and_attribute_filters(project):
    # "leder" is the folder of leder.forside: its sub-codes are compared
    report = agreement(project, ["ann", "bob"], codes=["leder"])
    assert report.codes == [F]
    assert code_figures(report.segments, F) == pytest.approx(EXPECTED[F])
    with pytest.raises(NotFound, match="no code 'nope'"):
        agreement(project, ["ann", "bob"], codes=["nope"])
    # a1 alone: F both on a1/2; D both on a1/4; K ann a1/2, bob a1/3 -> kappa
    # (5*3 - (1*1 + 4*4)) / (25 - 17) = -2/8
    report = agreement(project, ["ann", "bob"], attributes={"kommune": "kommune 1"})
    assert [d.name for d in report.documents] == ["a1"] and report.segments.units == 5
    assert code_figures(report.segments, F)[5] == 1.0
    assert code_figures(report.segments, K)[5] == pytest.approx(-0.25)
    with pytest.raises(FrisatError, match="no current document matches kommune=kommune 9"):
        agreement(project, ["ann", "bob"], attributes={"kommune": "kommune 9"})


def test_undefined_figures_are_none_and_json_has_no_nan(project):
    doc = get_document(project, "a3")
    start = document_text(project, doc.id).index("Det går godt.")
    apply_code(project, doc.id, start, start + len("Det går godt."), K, "bob")
    # a3 alone (case C): both coded K on its second segment, nobody its first
    data = agreement(
        project, ["ann", "bob"], attributes={"rolle": "leder", "kommune": "kommune 2"}
    ).to_json()
    assert data["documents"]["names"] == ["a3"]
    assert (data["segments"], data["per_code"][K]["kappa"]) == (2, 1.0)
    coded = data["coded_only"]["per_code"][K]
    assert (data["coded_only"]["segments"], coded["all"], coded["percent"]) == (1, 1, 100.0)
    assert coded["kappa"] is None and coded["alpha"] is None  # no variation: undefined
    assert data["coded_only"]["overall"]["mean_kappa"] is None
    assert data["coded_only"]["overall"]["mean_kappa_codes"] == 0
    json.dumps(data, allow_nan=False)


def test_three_coders_give_pairwise_kappas_and_one_alpha(project):
    for phrase, code, doc in [
        ("Vi mødes oftere.", F, "a1"),
        ("Vi skriver færre rapporter.", D, "a1"),
        ("Det er svært at slippe kontrollen.", K, "a2"),
    ]:
        d = get_document(project, doc)
        start = document_text(project, d.id).index(phrase)
        apply_code(project, d.id, start, start + len(phrase), code, "cai")
    report = agreement(project, ["ann", "bob", "cai"])
    f = next(f for f in report.segments.per_code if f.code == F)
    assert f.kappa is None
    #          a1/1..5     a2/1..4
    ann = [0, 1, 0, 0, 0, 0, 1, 1, 0]
    bob = [0, 1, 0, 0, 0, 0, 0, 1, 0]
    cai = [0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert f.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=[ann, bob, cai], level_of_measurement="nominal")
    )
    assert f.percent == pytest.approx((800 / 9 + 700 / 9 + 800 / 9) / 3)
    pairs = {p.coders: p.kappa for p in f.pairs}
    assert pairs[("ann", "bob")] == pytest.approx(8 / 11)
    two = agreement(project, ["ann", "cai"])
    assert pairs[("ann", "cai")] == pytest.approx(code_figures(two.segments, F)[5])
    data = report.to_json()
    assert data["per_code"][F]["kappa"] is None
    assert [p["coders"] for p in data["per_code"][F]["pairs"]] == [
        ["ann", "bob"],
        ["ann", "cai"],
        ["bob", "cai"],
    ]
    assert data["overall"]["kappa"] is None and len(data["overall"]["pairs"]) == 3
    assert data["per_code"][F]["only"] == {"ann": 1, "bob": 0, "cai": 0}
    assert data["per_code"][F]["some"] == 1  # a2/3: ann and bob, not cai


def test_choosing_coders(project):
    assert choose_coders(project, None) == ("ann", "bob")
    with pytest.raises(NotFound, match=r"no coder 'zed' in this project \(coders: ann, bob\)"):
        choose_coders(project, ["ann", "zed"])
    with pytest.raises(FrisatError, match="two or more coders"):
        choose_coders(project, ["ann"])
    with pytest.raises(FrisatError, match="named twice"):
        choose_coders(project, ["ann", "ann"])
    doc = get_document(project, "a3")
    apply_code(project, doc.id, 0, 5, K, "cai")
    with pytest.raises(FrisatError, match="this project's coders are ann, bob, cai"):
        choose_coders(project, None)
    with pytest.raises(FrisatError, match="ann and bob have not coded any document in common"):
        agreement(project, ["ann", "bob"], attributes={"rolle": "leder", "kommune": "kommune 2"})
    with pytest.raises(FrisatError, match="two coders at a time"):
        disagreements(project, ["ann", "bob", "cai"])
    assert default_pair(project, "cai") == ("cai", "ann")  # a3: cai shares it with ann
    assert default_pair(project, "bob") == ("bob", "ann")
    assert default_pair(project, "nobody") == ("ann", "bob")


def test_the_disagreements_are_those_worked_out(project):
    found = disagreements(project, ["ann", "bob"])
    assert [(d.id, d.has) for d in found] == DISAGREEMENTS
    first = found[0]
    assert (first.document, first.segment, first.text) == ("a1", 2, "Vi mødes oftere.")
    assert first.lacks == ("bob",) and first.resolution is None
    ann_k = [
        c.id
        for c in query_codings(project, code=K, coder="ann")
        if c.document_id == first.document_id
    ]
    assert first.coding_ids("ann") == ann_k and first.coding_ids("bob") == []
    assert [d.id for d in disagreements(project, ["ann", "bob"], codes=[D])] == [
        "a2:1:spor.dokumentation"
    ]
    assert [d.id for d in disagreements(project, ["bob", "ann"])] == [i for i, _ in DISAGREEMENTS]


def consensus_codings(project, code=None):
    return [
        (c.document_id, c.start, c.end, c.code_id)
        for c in query_codings(project, coder="consensus", code=code)
    ]


def resolution_rows(project):
    return project.conn.execute(
        'SELECT document_id, start, "end", code_id, coder_a, coder_b, decision, consensus,'
        " memo_id, resolved_by FROM resolutions ORDER BY id"
    ).fetchall()


def test_keep_a_keep_b_keep_both_and_discuss(project):
    before = agreement(project, ["ann", "bob"]).to_json()
    ann_codings = len(query_codings(project, coder="ann"))
    items = {d.id: d for d in disagreements(project, ["ann", "bob"])}

    done = resolve(project, "a1:2:tema.kant", "keep-a", coders=["ann", "bob"], resolved_by="eve")
    ann_k = items["a1:2:tema.kant"].coding_ids("ann")[0]
    source = next(c for c in query_codings(project, coder="ann") if c.id == ann_k)
    assert consensus_codings(project) == [(source.document_id, source.start, source.end, K)]
    assert done.resolution.decision == "keep-a" and done.resolution.kept == ("ann",)
    assert done.resolution.describe() == "keep ann"

    resolve(project, "a1:3:tema.kant", "keep-b", coders=["ann", "bob"], resolved_by="eve")
    assert len(consensus_codings(project)) == 2  # bob's "mere frihed" too

    resolve(project, "a2:1:spor.dokumentation", "keep-a", coders=["ann", "bob"], resolved_by="eve")
    assert len(consensus_codings(project)) == 2  # ann lacks it: nothing to keep

    resolve(
        project,
        "a2:2:leder.forside",
        "discuss",
        coders=["ann", "bob"],
        resolved_by="eve",
        memo="is a rule change forside?",
    )
    memos = [m for m in all_memos(project) if m.author == "eve"]
    assert len(memos) == 1
    memo = memos[0]
    assert memo.target_type == "coding"
    assert int(memo.target_id) == items["a2:2:leder.forside"].coding_ids("ann")[0]
    assert memo.text.startswith("Disagreement a2:2:leder.forside (ann coded leder.forside; bob")
    assert memo_note(memo.text) == "is a rule change forside?"

    rows = resolution_rows(project)
    a1, a2 = get_document(project, "a1").id, get_document(project, "a2").id
    assert [(r[0], r[3], r[6], r[7], r[9]) for r in rows] == [
        (a1, K, "keep-a", "consensus", "eve"),
        (a1, K, "keep-b", "consensus", "eve"),
        (a2, D, "keep-a", "consensus", "eve"),
        (a2, F, "discuss", "consensus", "eve"),
    ]
    assert rows[3][8] == memo.id
    seg = segments_of(project, a1)[1]
    assert (rows[0][1], rows[0][2]) == (seg.start, seg.end)

    # the walk shows the decisions; the original coders' figures do not move
    shown = {d.id: d.resolution.describe() for d in disagreements(project, ["ann", "bob"])}
    assert shown == {
        "a1:2:tema.kant": "keep ann",
        "a1:3:tema.kant": "keep bob",
        "a2:1:spor.dokumentation": "keep ann",
        "a2:2:leder.forside": "discuss",
    }
    assert disagreements(project, ["ann", "bob"], unresolved=True) == []
    assert agreement(project, ["ann", "bob"]).to_json() == before
    assert len(query_codings(project, coder="ann")) == ann_codings
    # the pair the other way round tells the same decisions by name
    mirrored = {d.id: d.resolution for d in disagreements(project, ["bob", "ann"])}
    assert mirrored["a1:2:tema.kant"].decision == "keep-b"
    assert mirrored["a1:2:tema.kant"].describe() == "keep ann"
    # the consensus coder is compared like anyone else
    versus = agreement(project, ["ann", "consensus"], codes=[K])
    assert [d.name for d in versus.documents] == ["a1"]
    assert code_figures(versus.segments, K)[:4] == (0, 1, 1, 3)  # a1/3 consensus only
    assert choose_coders(project, None) == ("ann", "bob")  # consensus is not a third coder


def test_keep_both_reuses_an_identical_consensus_coding(project):
    resolve(project, "a1:2:tema.kant", "keep-both", resolved_by="eve")
    resolve(project, "a1:2:tema.kant", "keep-a", resolved_by="eve")
    assert len(consensus_codings(project)) == 1
    assert len(resolution_rows(project)) == 1
    assert resolution_rows(project)[0][6] == "keep-a"


def test_undo_and_redo_take_a_resolution_back_whole(project):
    resolve(project, "a2:2:leder.forside", "discuss", resolved_by="eve", memo="talk")
    resolve(project, "a1:2:tema.kant", "keep-a", resolved_by="eve")
    assert len(resolution_rows(project)) == 2
    undo(project, "eve")
    assert len(resolution_rows(project)) == 1 and consensus_codings(project) == []
    undo(project, "eve")
    assert resolution_rows(project) == [] and all_memos(project) == []
    redo(project, "eve")
    redo(project, "eve")
    assert len(resolution_rows(project)) == 2 and len(consensus_codings(project)) == 1
    assert len(all_memos(project)) == 1


def test_re_resolving_replaces_the_decision_and_what_it_added(project):
    # ann's spor.regler over a2/2-3 makes two disagreements; each keep-a copies the part
    # of her coding within its own segment
    a2 = get_document(project, "a2")
    phrase = "Reglerne er færre nu. Vi taler mere sammen."
    start = document_text(project, a2.id).index(phrase)
    apply_code(project, a2.id, start, start + len(phrase), "spor.regler", "ann")
    ids = [d.id for d in disagreements(project, codes=["spor.regler"])]
    assert ids == ["a2:2:spor.regler", "a2:3:spor.regler"]
    resolve(project, ids[0], "keep-a", resolved_by="eve")
    resolve(project, ids[1], "keep-a", resolved_by="eve")
    a2_2 = (a2.id, start, start + len("Reglerne er færre nu."), "spor.regler")
    a2_3 = (a2.id, start + len("Reglerne er færre nu. "), start + len(phrase), "spor.regler")
    assert consensus_codings(project, "spor.regler") == [a2_2, a2_3]
    resolve(project, ids[0], "keep-b", resolved_by="eve")
    assert consensus_codings(project, "spor.regler") == [a2_3]  # a2/3's part stays
    resolve(project, ids[1], "discuss", resolved_by="eve", memo="later")
    assert consensus_codings(project, "spor.regler") == []
    assert len(resolution_rows(project)) == 2
    undo(project, "eve")  # back to keep-a on a2/3: its consensus coding returns
    assert consensus_codings(project, "spor.regler") == [a2_3]


def test_resolving_bad_requests_changes_nothing(project):
    stamp = project.conn.total_changes
    with pytest.raises(FrisatError, match="agree here"):
        resolve(project, "a1:4:spor.dokumentation", "keep-a", resolved_by="eve")
    with pytest.raises(FrisatError, match="discuss needs a memo"):
        resolve(project, "a1:2:tema.kant", "discuss", resolved_by="eve")
    with pytest.raises(FrisatError, match="choose one of keep-a"):
        resolve(project, "a1:2:tema.kant", "keep", resolved_by="eve")
    with pytest.raises(FrisatError, match="someone other than ann and bob"):
        resolve(project, "a1:2:tema.kant", "keep-a", resolved_by="eve", consensus="ann")
    with pytest.raises(NotFound, match="no document 'zz'"):
        resolve(project, "zz:2:tema.kant", "keep-a", resolved_by="eve")
    with pytest.raises(NotFound, match="a1 has 5 segments, not 9"):
        resolve(project, "a1:9:tema.kant", "keep-a", resolved_by="eve")
    with pytest.raises(FrisatError, match="not a disagreement id"):
        parse_id("a1-2-tema.kant")
    with pytest.raises(FrisatError, match="bob did not code a3"):
        find_disagreement(project, "a3:2:tema.kant")
    assert project.conn.total_changes == stamp
    assert resolution_rows(project) == []


def test_a_failed_resolution_leaves_the_project_as_it_was(project, monkeypatch):
    import frisat_qual.agreement.resolution as module

    def broken(rec, values):
        raise sqlite3.IntegrityError("disk trouble")

    monkeypatch.setattr(module, "record_resolution", broken)
    with pytest.raises(sqlite3.IntegrityError):
        resolve(project, "a1:2:tema.kant", "keep-a", resolved_by="eve")
    assert consensus_codings(project) == [] and resolution_rows(project) == []
    assert (
        project.conn.execute("SELECT COUNT(*) FROM journal WHERE coder = 'eve'").fetchone()[0] == 0
    )


def test_the_agreement_core_imports_neither_textual_nor_rich():
    code = (
        "import sys, frisat_qual.agreement, frisat_qual.store.resolutions\n"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- adopting what the coders agree on ---------------------------------------------------
#
# Both coders applied F to a1/2 and a2/3, D to a1/4 and K to a2/4 (the table above), so
# adopting with ann as the lead coder copies ann's codings that count there, each clipped
# to its segment:
AGREED_BY_ANN = [
    ("a1", "Vi mødes oftere.", F),
    ("a1", "Vi skriver færre rapporter.", D),
    ("a2", "Vi taler mere sammen.", F),  # her F over a2/2-3, its a2/3 part (a2/2 is disputed)
    ("a2", "Det er svært at slippe kontrollen.", K),
]
# and with bob as the lead coder, bob's (his D spills into a1/5; its a1/4 part)
AGREED_BY_BOB = [
    ("a1", "Vi mødes oftere.", F),
    ("a1", "Vi skriver færre rapporter.", D),
    ("a2", "Vi taler mere sammen.", F),
    ("a2", "Det er svært at slippe kontrollen.", K),
]


def consensus_texts(project, coder="consensus"):
    """The consensus coder's codings as (document, text, code), sorted."""
    names = {get_document(project, n).id: n for n in ("a1", "a2", "a3")}
    return sorted(
        (names[c.document_id], document_text(project, c.document_id)[c.start : c.end], c.code_id)
        for c in query_codings(project, coder=coder)
    )


def journal_entries(project, coder="eve"):
    return project.conn.execute(
        "SELECT label FROM journal WHERE coder = ? ORDER BY id", [coder]
    ).fetchall()


def test_adopting_copies_the_lead_coders_codings_where_both_agree(project):
    from frisat_qual.agreement import adopt_agreements

    seen = []
    report = adopt_agreements(
        project, ["ann", "bob"], resolved_by="eve", progress=lambda *a: seen.append(a)
    )
    assert consensus_texts(project) == sorted(AGREED_BY_ANN)
    assert (report.coders, report.consensus, report.documents, report.skipped) == (
        ("ann", "bob"),
        "consensus",
        2,
        1,
    )
    assert (report.agreed, report.adopted, report.settled) == (4, 4, 0)
    assert (report.copied, report.present, report.unresolved) == (4, 0, 4)
    assert seen == [(1, 2, "a1"), (2, 2, "a2")]
    assert report.describe() == (
        "4 (segment, code) unit(s) ann and bob agree on in 2 document(s): 4 adopted into"
        " consensus (4 coding(s) of ann copied, 0 already there), 0 settled before;"
        " 4 disagreement(s) unresolved"
    )
    # each agreed unit is a keep-a row on its segment, and no disagreement is touched
    a1, a2 = get_document(project, "a1").id, get_document(project, "a2").id
    seg = {
        (d, i + 1): (s.start, s.end)
        for d in (a1, a2)
        for i, s in enumerate(segments_of(project, d))
    }
    rows = resolution_rows(project)
    assert sorted((r[0], r[1], r[2], r[3], r[6], r[7], r[9]) for r in rows) == sorted(
        (doc, *seg[(doc, n)], code, "keep-a", "consensus", "eve")
        for doc, n, code in [(a1, 2, F), (a1, 4, D), (a2, 3, F), (a2, 4, K)]
    )
    assert [(d.id, d.resolution) for d in disagreements(project)] == [
        (i, None) for i, _ in DISAGREEMENTS
    ]
    # the consensus coder is not taken for a third coder, and compares like anyone
    assert choose_coders(project, None) == ("ann", "bob")
    assert default_pair(project, "eve") == ("ann", "bob")
    versus = agreement(project, ["ann", "consensus"])
    assert code_figures(versus.segments, K)[:4] == (1, 0, 1, 7)  # a1/2 waits for a decision
    assert journal_entries(project) == [("adopt what ann and bob agree on into consensus",)]


def test_the_second_coder_first_makes_them_the_lead_coder(project):
    from frisat_qual.agreement import adopt_agreements

    report = adopt_agreements(project, ["bob", "ann"], resolved_by="eve", consensus="panel")
    assert consensus_texts(project, "panel") == sorted(AGREED_BY_BOB)
    assert (report.agreed, report.copied) == (4, 4)
    # stored in the sorted pair order: bob is B there, so the rows say keep-b
    assert {r[6] for r in resolution_rows(project)} == {"keep-b"}
    again = adopt_agreements(project, ["ann", "bob"], resolved_by="eve", consensus="panel")
    assert (again.adopted, again.settled, again.copied) == (0, 4, 0)
    assert consensus_texts(project, "panel") == sorted(AGREED_BY_BOB)


def test_adopting_twice_adds_nothing_and_undo_takes_it_back_whole(project):
    from frisat_qual.agreement import adopt_agreements

    adopt_agreements(project, resolved_by="eve")
    codings, rows = consensus_codings(project), resolution_rows(project)
    stamp = project.conn.total_changes
    again = adopt_agreements(project, resolved_by="eve")
    assert (again.agreed, again.adopted, again.settled) == (4, 0, 4)
    assert (again.copied, again.present, again.unresolved) == (0, 0, 4)
    assert project.conn.total_changes == stamp
    assert consensus_codings(project) == codings and resolution_rows(project) == rows
    assert len(journal_entries(project)) == 1

    undo(project, "eve")
    assert consensus_codings(project) == [] and resolution_rows(project) == []
    redo(project, "eve")
    assert consensus_codings(project) == codings and len(resolution_rows(project)) == 4


def test_adopting_and_resolving_every_disagreement_gives_a_whole_consensus(project):
    from frisat_qual.agreement import adopt_agreements

    adopt_agreements(project, resolved_by="eve")
    for ident, decision in [
        ("a1:2:tema.kant", "keep-a"),  # ann's K on "Vi mødes oftere."
        ("a1:3:tema.kant", "keep-b"),  # bob's "mere frihed"
        ("a2:1:spor.dokumentation", "keep-a"),  # ann lacks it: nothing
        ("a2:2:leder.forside", "keep-a"),  # ann's F over a2/2-3, its a2/2 part
    ]:
        resolve(project, ident, decision, resolved_by="eve")
    assert disagreements(project, unresolved=True) == []
    assert consensus_texts(project) == sorted(
        [
            *AGREED_BY_ANN,
            ("a1", "Vi mødes oftere.", K),
            ("a1", "mere frihed", K),
            ("a2", "Reglerne er færre nu.", F),
        ]
    )
    # ann and the consensus now differ only where keep-b chose bob: K on a1/3
    # K: both 2, consensus only 1, neither 6: S = 2*3 + 7*6 = 48, kappa (72-48)/(81-48)
    report = agreement(project, ["ann", "consensus"])
    assert [d.name for d in report.documents] == ["a1", "a2"]
    assert code_figures(report.segments, F)[:4] == (0, 0, 3, 6)
    assert code_figures(report.segments, D)[:4] == (0, 0, 1, 8)
    assert code_figures(report.segments, K) == pytest.approx(
        (0, 1, 2, 6, 800 / 9, 8 / 11, 1 - 17 * 2 / (324 - 25 - 169)), abs=1e-12
    )
    # the last resolution holds its own part of ann's coding, not the adopted a2/3 part
    last = find_disagreement(project, "a2:2:leder.forside")
    assert len(last.resolution.codings) == 1
    held = next(
        c for c in query_codings(project, coder="consensus") if c.id in last.resolution.codings
    )
    assert document_text(project, held.document_id)[held.start : held.end] == (
        "Reglerne er færre nu."
    )


def test_an_adopted_coding_survives_re_resolving_the_disagreement_beside_it(project):
    """ann's F over a2/2-3 counts for the disagreement a2/2 and the agreed a2/3: each gets
    its own part of it, so taking back keep-a on a2/2 takes only the a2/2 part."""
    from frisat_qual.agreement import adopt_agreements

    resolve(project, "a2:2:leder.forside", "keep-a", resolved_by="eve")
    report = adopt_agreements(project, resolved_by="eve")
    assert (report.adopted, report.copied, report.present) == (4, 4, 0)
    assert len(consensus_codings(project, F)) == 3  # a1/2, and a2/2 and a2/3 apart
    resolve(project, "a2:2:leder.forside", "discuss", resolved_by="eve", memo="forside?")
    assert ("a2", "Vi taler mere sammen.", F) in consensus_texts(project)
    assert consensus_texts(project) == sorted(AGREED_BY_ANN)


def test_a_unit_decided_while_the_coders_differed_is_left_as_decided(project):
    from frisat_qual.agreement import adopt_agreements

    resolve(project, "a2:1:spor.dokumentation", "keep-b", resolved_by="eve")
    a2 = get_document(project, "a2")
    start = document_text(project, a2.id).index("Og reglerne?")
    apply_code(project, a2.id, start, start + len("Og reglerne?"), D, "ann")  # now both
    report = adopt_agreements(project, resolved_by="eve")
    assert (report.agreed, report.adopted, report.settled, report.unresolved) == (5, 4, 1, 3)
    assert consensus_texts(project).count(("a2", "Og reglerne?", D)) == 1  # bob's, kept
    assert [r[6] for r in resolution_rows(project)].count("keep-b") == 1


def test_adopting_with_filters(project):
    from frisat_qual.agreement import adopt_agreements

    only_k = adopt_agreements(project, resolved_by="eve", codes=["tema"])
    assert (only_k.agreed, only_k.copied, only_k.unresolved) == (1, 1, 2)
    assert consensus_texts(project) == [("a2", "Det er svært at slippe kontrollen.", K)]
    kommune_1 = adopt_agreements(project, resolved_by="eve", attributes={"kommune": "kommune 1"})
    assert (kommune_1.documents, kommune_1.skipped, kommune_1.agreed) == (1, 0, 2)
    assert (kommune_1.unresolved, kommune_1.copied) == (2, 2)
    assert consensus_texts(project) == sorted(
        [("a2", "Det er svært at slippe kontrollen.", K), *AGREED_BY_ANN[:2]]
    )


def table_rows(project):
    """Everything an adoption could write: codings, resolutions, journal."""
    return [
        project.conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
        for table in ("codings", "resolutions", "journal")
    ]


def test_adopting_bad_requests_changes_nothing(project, monkeypatch):
    import frisat_qual.agreement.resolution as module
    from frisat_qual.agreement import adopt_agreements

    adopt_agreements(project, resolved_by="eve", codes=[K])
    before = table_rows(project)
    with pytest.raises(FrisatError, match="someone other than ann and bob, not 'bob'"):
        adopt_agreements(project, resolved_by="eve", consensus=" bob ")
    with pytest.raises(FrisatError, match="needs a name"):
        adopt_agreements(project, resolved_by="eve", consensus=" ")
    with pytest.raises(NotFound, match="no code 'nope'"):
        adopt_agreements(project, resolved_by="eve", codes=["nope"])
    with pytest.raises(FrisatError, match="two coders at a time"):
        adopt_agreements(project, ["ann", "bob", "consensus"], resolved_by="eve")
    with pytest.raises(
        FrisatError,
        match=r"^ann and bob's decisions go to consensus coder 'consensus', not 'panel';"
        r" decide into 'consensus' \(--consensus consensus\), so that one consensus coder"
        r" holds the pair's whole consensus$",
    ):
        adopt_agreements(project, resolved_by="eve", consensus="panel")
    assert table_rows(project) == before

    calls = []

    def broken(rec, values):  # the third unit fails after two were written
        calls.append(values)
        if len(calls) == 3:
            raise sqlite3.IntegrityError("disk trouble")
        return real(rec, values)

    real = module.record_resolution
    monkeypatch.setattr(module, "record_resolution", broken)
    with pytest.raises(sqlite3.IntegrityError):
        adopt_agreements(project, resolved_by="eve")
    assert len(calls) == 3
    assert table_rows(project) == before
    assert consensus_texts(project) == [("a2", "Det er svært at slippe kontrollen.", K)]
    assert len(journal_entries(project)) == 1


# -- ids that SQLite reuses, and decisions clipped to their segment ------------------------


@pytest.mark.parametrize(
    ("coder", "document", "phrase", "code"),
    [
        ("ann", "a1", "Det er godt.", K),  # a coder's own coding, same document and code
        ("consensus", "a2", "Og reglerne?", K),  # the consensus coder's, another document
        ("consensus", "a1", "Vi mødes oftere.", F),  # the consensus coder's, another code
    ],
)
def test_re_resolving_never_takes_a_coding_that_got_a_removed_codings_id(
    project, coder, document, phrase, code
):
    """The reviewer's case: keep-a makes the newest coding; it is removed (in the
    workspace, say); the next new coding gets its id, because codings.id reuses the
    largest id and `resolutions` lists ids without a foreign key; re-resolving the unit
    must leave that coding alone."""
    from frisat_qual.store.codings import remove_coding
    from frisat_qual.store.resolutions import added_codings, find_resolution, resolution_codings

    done = resolve(project, "a1:2:tema.kant", "keep-a", coders=["ann", "bob"], resolved_by="eve")
    (made,) = done.resolution.codings
    remove_coding(project, made, "eve")
    doc = get_document(project, document)
    start = document_text(project, doc.id).index(phrase)
    new = apply_code(project, doc.id, start, start + len(phrase), code, coder)
    assert new.id == made  # the removed coding's id, now someone else's

    a1 = get_document(project, "a1").id
    old = find_resolution(project, a1, done.start, done.end, K, "ann", "bob")
    assert old.added == (made,) and added_codings(project, old) == set()
    assert resolution_codings(project, a1) == (set(), set())
    again = resolve(project, done.id, "keep-b", coders=["ann", "bob"], resolved_by="eve")
    assert again.resolution.decision == "keep-b" and again.resolution.codings == ()
    kept = [c for c in query_codings(project) if c.id == new.id]
    assert [(c.document_id, c.start, c.end, c.code_id, c.coder) for c in kept] == [
        (doc.id, start, start + len(phrase), code, coder)
    ]
    # and keep-a again gives the consensus coder a coding of its own, beside it
    resolve(project, done.id, "keep-a", coders=["ann", "bob"], resolved_by="eve")
    assert new.id in [c.id for c in query_codings(project, coder=coder)]
    assert (a1, done.start, done.end, K) in consensus_codings(project, K)


def test_a_consensus_coding_two_pairs_decided_goes_with_the_last_decision(project):
    """cid codes a1 without K on a1/2, so (ann, cid) differ there as (ann, bob) do: both
    keep-a decisions stand on one consensus coding, which goes only when neither does."""
    a1 = get_document(project, "a1")
    text = document_text(project, a1.id)
    for phrase, code in [("Vi mødes oftere.", F), ("Vi skriver færre rapporter.", D)]:
        start = text.index(phrase)
        apply_code(project, a1.id, start, start + len(phrase), code, "cid")
    with_bob = resolve(
        project, "a1:2:tema.kant", "keep-a", coders=["ann", "bob"], resolved_by="eve"
    )
    with_cid = resolve(
        project, "a1:2:tema.kant", "keep-a", coders=["ann", "cid"], resolved_by="eve"
    )
    assert with_bob.resolution.codings == with_cid.resolution.codings
    shared = consensus_codings(project)
    assert len(shared) == 1
    resolve(project, "a1:2:tema.kant", "keep-b", coders=["ann", "bob"], resolved_by="eve")
    assert consensus_codings(project) == shared  # (ann, cid) still stands on it
    resolve(project, "a1:2:tema.kant", "keep-b", coders=["ann", "cid"], resolved_by="eve")
    assert consensus_codings(project) == []


def consensus_follows_the_decisions(project, pair, codes, adopted):
    """Check, for every segment of a1 and a2 and each of `codes`, that the consensus
    coder applies the code (by the rule) exactly where a decision or the adoption says
    so: a kept coder who applied it, or both coders when `adopted`; and nowhere else."""
    from frisat_qual.store.resolutions import find_resolution

    a, b = pair
    mismatches = []
    for name in ("a1", "a2"):
        doc = get_document(project, name)
        codings = query_codings(project, document_id=doc.id, coder=[a, b, "consensus"])
        for seg in segments_of(project, doc.id):
            for code in codes:
                by = {
                    who: any(
                        applies(seg.start, seg.end, c.start, c.end)
                        for c in codings
                        if c.coder == who and c.code_id == code
                    )
                    for who in (a, b, "consensus")
                }
                stored = find_resolution(project, doc.id, seg.start, seg.end, code, a, b)
                if by[a] and by[b]:
                    want = adopted
                elif by[a] or by[b]:
                    kept = _kept_by(stored, pair) if stored else ()
                    want = any(by[c] for c in kept)
                else:
                    want = False
                if by["consensus"] != want:
                    mismatches.append((name, seg.idx + 1, code, stored and stored.decision))
    assert mismatches == []


def _kept_by(stored, pair):
    """The coders a stored decision keeps, for `pair` in either order."""
    first, second = sorted(pair)
    return {"keep-a": (first,), "keep-b": (second,), "keep-both": pair}.get(stored.decision, ())


def walk_every_combination(project, ids, pair, decisions, codes, adopt):
    """Resolve the disagreements `ids` through every combination of `decisions`,
    re-resolving only those whose decision changes (so most steps replace a decision),
    adopting the agreements before the walk, after its first step or never; check the
    consensus against the decisions after each step. Returns the number of steps."""
    from itertools import product

    from frisat_qual.agreement import adopt_agreements

    adopted = False
    if adopt == "before":
        adopt_agreements(project, pair, codes=codes, resolved_by="eve")
        adopted = True
    current: dict[str, str] = {}
    steps = 0
    for combination in product(decisions, repeat=len(ids)):
        for ident, decision in zip(ids, combination, strict=True):
            if current.get(ident) != decision:
                memo = "talk it over" if decision == "discuss" else None
                resolve(project, ident, decision, coders=pair, resolved_by="eve", memo=memo)
                current[ident] = decision
        if adopt == "after" and not adopted:
            adopt_agreements(project, pair, codes=codes, resolved_by="eve")
            adopted = True
        consensus_follows_the_decisions(project, pair, codes, adopted)
        steps += 1
    return steps


@pytest.mark.parametrize("adopt", ["before", "after", "never"])
def test_a_decision_settles_exactly_its_segment(project, adopt):
    """Every combination of decisions on the four disagreements, with the agreements
    adopted before, after or not at all: the consensus applies a code to a segment
    exactly where a decision kept a coder who applied it or the coders agreed. a2/2
    (leder.forside, ann only) lies beside the agreed a2/3, and ann's one coding counts
    for both."""
    ids = [i for i, _ in DISAGREEMENTS]
    steps = walk_every_combination(
        project, ids, ("ann", "bob"), ("keep-a", "keep-b", "keep-both"), [F, D, K], adopt
    )
    assert steps == 3**4
    if adopt != "never":
        # what was adopted on a2/3 is the part of ann's F within it, beside whatever a2/2 says
        assert ("a2", "Vi taler mere sammen.", F) in consensus_texts(project)


def test_a_discussed_unit_holds_no_consensus_coding_beside_an_adopted_one(project):
    ids = ["a2:2:leder.forside", "a1:2:tema.kant"]
    decisions = ("keep-a", "discuss", "keep-both", "keep-b")
    steps = walk_every_combination(project, ids, ("ann", "bob"), decisions, [F, K], "before")
    assert steps == 16


# Neighbouring segments (the reviewer's second case): ann codes spor.regler over a1/2-4,
# bob over " mere frihed. Vi skriver", which counts for a1/3 only (13 of its 24
# characters; 10 in a1/4 are less than half of either). So the coders agree on a1/3 and
# differ on a1/2 and a1/4, beside it; bob's coding starts on a space inside a1/3.
R = "spor.regler"
NEIGHBOURS = [
    ("a1", "Vi mødes oftere. Lederne har mere frihed. Vi skriver færre rapporter.", R, "ann"),
    ("a1", " mere frihed. Vi skriver", R, "bob"),
]


@pytest.fixture
def neighbours(project):
    a1 = get_document(project, "a1")
    text = document_text(project, a1.id)
    for _, phrase, code, coder in NEIGHBOURS:
        start = text.index(phrase)
        apply_code(project, a1.id, start, start + len(phrase), code, coder)
    return project


def test_the_neighbouring_segments_are_as_worked_out(neighbours):
    assert [(d.id, d.has) for d in disagreements(neighbours, codes=[R])] == [
        ("a1:2:spor.regler", ("ann",)),
        ("a1:4:spor.regler", ("ann",)),
    ]


@pytest.mark.parametrize("pair", [("ann", "bob"), ("bob", "ann")])
@pytest.mark.parametrize("adopt", ["before", "after"])
def test_decisions_beside_an_agreed_segment_settle_only_their_own(neighbours, pair, adopt):
    ids = ["a1:2:spor.regler", "a1:4:spor.regler"]
    decisions = ("keep-a", "keep-b", "keep-both", "discuss")
    steps = walk_every_combination(neighbours, ids, pair, decisions, [R], adopt)
    assert steps == 16


def test_adopting_copies_only_the_part_within_the_segment(neighbours):
    """The reviewer's second case step by step: adopting a1/3 must not give the consensus
    spor.regler on a1/2 and a1/4, where a later keep-b (not coded) would leave it."""
    from frisat_qual.agreement import adopt_agreements

    report = adopt_agreements(neighbours, ["ann", "bob"], codes=[R], resolved_by="eve")
    assert (report.agreed, report.adopted, report.copied) == (1, 1, 1)
    assert consensus_texts(neighbours) == [("a1", "Lederne har mere frihed.", R)]
    resolve(neighbours, "a1:4:spor.regler", "keep-b", resolved_by="eve")
    resolve(neighbours, "a1:2:spor.regler", "keep-a", resolved_by="eve")
    assert consensus_texts(neighbours) == [
        ("a1", "Lederne har mere frihed.", R),
        ("a1", "Vi mødes oftere.", R),
    ]
    resolve(neighbours, "a1:2:spor.regler", "keep-b", resolved_by="eve")
    assert consensus_texts(neighbours) == [("a1", "Lederne har mere frihed.", R)]


def test_a_clipped_part_is_trimmed_to_word_boundaries(neighbours):
    """With bob leading, his coding's part in a1/3 loses the space it starts on."""
    from frisat_qual.agreement import adopt_agreements

    report = adopt_agreements(neighbours, ["bob", "ann"], codes=[R], resolved_by="eve")
    assert report.copied == 1
    assert consensus_texts(neighbours) == [("a1", "mere frihed.", R)]
    # keep-both beside it copies ann's part only: bob's coding does not count for a1/4
    resolve(neighbours, "a1:4:spor.regler", "keep-both", resolved_by="eve")
    assert consensus_texts(neighbours) == [
        ("a1", "Vi skriver færre rapporter.", R),
        ("a1", "mere frihed.", R),
    ]
