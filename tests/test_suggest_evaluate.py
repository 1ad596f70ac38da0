"""Evaluation: figures on a hand-made gold file match a hand computation."""

from __future__ import annotations

import csv
import json

import pytest

from frisat_qual.errors import FrisatError
from frisat_qual.models import Codebook, CodeSpec, Keyword
from frisat_qual.suggest.evaluate import evaluate, gold_from_project, read_gold

# Labels share no word with the texts, so at cold start (no examples, no project) the
# suggester predicts exactly the keyword hits and the figures can be worked out by hand.
CODEBOOK = Codebook(
    id="hand",
    name="hand",
    codes=(
        CodeSpec(
            "politiker.forside",
            "Alfa",
            keywords=(Keyword("byråd"),),
            attributes={"trin": "politiker", "side": "forside"},
        ),
        CodeSpec(
            "leder.bagside",
            "Beta",
            keywords=(Keyword("rapport"),),
            attributes={"trin": "leder", "side": "bagside"},
        ),
        CodeSpec("spor.regler", "Sigma", keywords=(Keyword("regel"),), survey_spor="regler"),
    ),
)
GOLD = [
    # text, gold codes, rolle                      keyword prediction
    ("Byrådet har besluttet det.", "politiker.forside", "politiker"),  # A
    ("Vi skrev en lang rapport hvert år.", "leder.bagside", "leder"),  # B
    ("Der var alt for mange regler.", "spor.regler", "leder"),  # S
    ("Byrådet fjernede en regel.", "politiker.forside;spor.regler", "politiker"),  # A S
    ("Jeg skrev en rapport om det.", "politiker.forside", "leder"),  # B
    ("Vi drak kaffe.", "", "leder"),  # -
    ("Lederen talte med personalet.", "leder.bagside", "leder"),  # -
    ("Der kom nye regler.", "", "leder"),  # S
]


@pytest.fixture
def gold_csv(tmp_path):
    path = tmp_path / "gold.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "codes", "rolle"])
        writer.writerows(GOLD)
    return path


def test_zero_shot_figures_match_a_hand_computation(gold_csv, tmp_path):
    out = tmp_path / "pred.csv"
    result = evaluate(gold_csv, CODEBOOK, mode="zero-shot", predictions_out=out)
    assert (result["mode"], result["n"], result["folds"]) == ("zero-shot", 8, None)

    # politiker.forside: gold rows 1 4 5, predicted 1 4 -> tp 2 fp 0 fn 1 tn 5
    #   P 1, R 2/3, F1 0.8; kappa: po 7/8, pe (2*3 + 6*5)/64 = 36/64 -> (0.875-0.5625)/0.4375
    # leder.bagside: gold 2 7, predicted 2 5 -> tp 1 fp 1 fn 1 tn 5
    #   P R F1 0.5; kappa: po 6/8, pe (2*2 + 6*6)/64 = 40/64 -> 0.125/0.375
    # spor.regler: gold 3 4, predicted 3 4 8 -> tp 2 fp 1 fn 0 tn 5
    #   P 2/3, R 1, F1 0.8; kappa: po 7/8, pe (3*2 + 5*6)/64 = 36/64 -> 0.7143
    expected = {
        "politiker.forside": (1.0, 0.6667, 0.8, 3, 0.7143),
        "leder.bagside": (0.5, 0.5, 0.5, 2, 0.3333),
        "spor.regler": (0.6667, 1.0, 0.8, 2, 0.7143),
    }
    for block in (result, result["baseline"]):
        got = {
            c: (f["precision"], f["recall"], f["f1"], f["support"], f["kappa"])
            for c, f in block["per_code"].items()
        }
        assert got == expected
        # micro: tp 5, fp 2, fn 2 -> 10/14; macro: (0.8 + 0.5 + 0.8) / 3
        assert block["micro_f1"] == 0.7143
        assert block["macro_f1"] == 0.7
        assert block["spor_micro_f1"] == 0.8
        # staircase rows 1 2 4 5 7 (rolle known): best step right for 1 2 4, wrong for 5
        # (rapport -> leder, gold politiker) and 7 (no keyword)
        assert (block["staircase_level_accuracy"], block["staircase_level_n"]) == (0.6, 5)
        assert block["side_n"] == 5

    # sides: the baseline names no side for row 7 -> forside tp 2 fn 1 (F1 0.8), bagside
    # tp 1 fp 1 fn 1 (0.5): 0.65. The suggester's scores for row 7 tie at the cold-start
    # floor and its best staircase code is the first (politiker.forside): forside tp 2 fp 1
    # fn 1 (2/3), bagside tp 1 fp 1 fn 1 (0.5): 0.5833
    assert result["baseline"]["side_macro_f1"] == 0.65
    assert result["side_macro_f1"] == 0.5833

    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["predicted"] for r in rows] == [
        "politiker.forside",
        "leder.bagside",
        "spor.regler",
        "politiker.forside;spor.regler",
        "leder.bagside",
        "",
        "",
        "spor.regler",
    ]
    assert rows[4]["gold"] == "politiker.forside"
    scores = json.loads(rows[0]["scores"])
    assert set(scores) == {"politiker.forside", "leder.bagside", "spor.regler"}
    assert scores["politiker.forside"] > 0.5 > scores["leder.bagside"]


def test_cv_mode_runs_on_rows_without_documents(gold_csv):
    result = evaluate(gold_csv, CODEBOOK, mode="cv", folds=2)
    assert (result["mode"], result["n"], result["folds"], result["grouped_by"]) == (
        "cv",
        8,
        2,
        None,
    )
    assert set(result["baseline"]) >= {"micro_f1", "macro_f1", "per_code"}


def test_gold_files_are_checked_line_by_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,codes\nEn tekst,spor.regler\nEn anden,spor.ukendt\n", encoding="utf-8")
    with pytest.raises(FrisatError, match=r"bad.csv line 3: code 'spor.ukendt'"):
        read_gold(bad, CODEBOOK)
    (tmp_path / "nocodes.csv").write_text("text\nHej\n", encoding="utf-8")
    with pytest.raises(FrisatError, match="missing column"):
        read_gold(tmp_path / "nocodes.csv", CODEBOOK)
    with pytest.raises(FrisatError, match="unknown mode"):
        evaluate(bad.with_name("nocodes.csv"), CODEBOOK, mode="x")


def test_gold_from_the_demo_reference_coding(demo_project_path):
    from frisat_qual.store import open_project

    with open_project(demo_project_path) as project:
        rows = gold_from_project(project, "reference")
        segments = project.conn.execute(  # of the documents the reference coding covers
            "SELECT COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id"
            " WHERE d.is_current = 1 AND d.id IN"
            " (SELECT document_id FROM codings WHERE coder = 'reference')"
        ).fetchone()[0]
    assert len(rows) == segments
    assert {r["document"] for r in rows} and len({r["document"] for r in rows}) == 32
    coded = [r for r in rows if r["codes"]]
    assert 1000 < len(coded) < len(rows)
    assert all(r["rolle"] and r["kommune"] and r["omraade"] for r in rows)
    assert {r["speaker_role"] for r in coded} == {"informant"}
    assert all(r["text"] in r["context"] for r in rows if r["context"])
