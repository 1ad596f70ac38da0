"""CLI for suggestions and evaluation: suggest, --store, pending, accept, reject, gold, evaluate."""

from __future__ import annotations

import csv
import json
import shutil

from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.store import open_project
from frisat_qual.store.codings import query_codings


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_suggest_store_review_cycle(demo_project_path, tmp_path):
    project = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, project)
    shown = json.loads(run("suggest", str(project), "--document", "k2_leder", "--json").output)
    assert shown and {"document", "start", "end", "code", "score", "evidence"} <= set(shown[0])
    assert all(r["document"] == "k2_leder" for r in shown)
    with open_project(project) as proj:
        assert proj.conn.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0] == 0
    run("suggest", str(project), "--document", "k2_leder", "--store")
    pending = json.loads(run("suggest", "pending", str(project), "--json").output)
    assert len(pending) >= 2
    first, second = pending[0]["id"], pending[1]["id"]
    assert (
        "accepted 1" in run("suggest", "accept", str(project), str(first), "--coder", "ann").output
    )
    run("suggest", "reject", str(project), str(second), "--coder", "ann")
    with open_project(project) as proj:
        mine = query_codings(proj, coder="ann")
        assert [c.origin for c in mine] == ["accepted-suggestion"]
    left = {p["id"] for p in json.loads(run("suggest", "pending", str(project), "--json").output)}
    assert first not in left and second not in left
    bad = CliRunner().invoke(cli, ["suggest", "accept", str(project), str(first)])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_gold_and_evaluate_json(demo_project_path, tmp_path):
    gold = tmp_path / "gold.csv"
    run("gold", str(demo_project_path), "--coder", "reference", "-o", str(gold))
    with open(gold, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 3000 and {"text", "codes", "rolle", "document"} <= set(rows[0])
    small = tmp_path / "small.csv"  # two documents' rows keep the test quick
    keep = [r for r in rows if r["document"] in ("k1_leder", "k2_leder", "k3_leder")]
    with open(small, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(keep)
    predictions = tmp_path / "pred.csv"
    out = run(
        "evaluate",
        str(small),
        "--codebook",
        str(demo_project_path),
        "--mode",
        "cv",
        "--folds",
        "3",
        "--json",
        "--predictions",
        str(predictions),
    ).output
    result = json.loads(out)
    assert result["mode"] == "cv" and result["n"] == len(keep)
    for key in (
        "micro_f1",
        "macro_f1",
        "per_code",
        "baseline",
        "staircase_level_accuracy",
        "side_macro_f1",
        "spor_micro_f1",
    ):
        assert key in result
    assert set(result["per_code"]["tema.kant"]) >= {"precision", "recall", "f1", "support", "kappa"}
    with open(predictions, encoding="utf-8") as fh:
        preds = list(csv.DictReader(fh))
    assert len(preds) == len(keep) and set(preds[0]) == {"text", "gold", "predicted", "scores"}
    table = run(
        "evaluate", str(small), "--codebook", str(demo_project_path), "--mode", "cv", "--folds", "3"
    ).output
    assert "staircase_level_accuracy" in table and "tema.kant" in table
