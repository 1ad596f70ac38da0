"""The suggester on the demo project: it learns from codings, explains itself, stores
suggestions without re-suggesting rejected codes, and orders the review queue."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from frisat_qual.demo import REFERENCE_CODER
from frisat_qual.store import open_project
from frisat_qual.store.codings import insert_codings, query_codings
from frisat_qual.store.documents import list_documents, segments_of
from frisat_qual.store.suggestions import (
    latest_model_run,
    pending_suggestions,
    reject_suggestion,
)
from frisat_qual.suggest.classifier import _platt, fold_ids
from frisat_qual.suggest.ensemble import Suggester
from frisat_qual.suggest.queue import review_queue
from frisat_qual.suggest.service import ensure_trained, store_suggestions, suggest_segments
from frisat_qual.suggest.training import codes_of_segment, document_inputs, project_training_set

PACKAGE = Path(__file__).resolve().parent.parent / "frisat_qual"
HELD_OUT = ("k6_", "k7_")


def copy_project(source, target):
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return open_project(target)


@pytest.fixture(scope="module")
def demo(demo_project_path, tmp_path_factory):
    project = copy_project(demo_project_path, tmp_path_factory.mktemp("suggest") / "d.frisat")
    yield project
    project.close()


@pytest.fixture(scope="module")
def trained(demo):
    return Suggester.train(demo)


def micro_f1(suggester, project, documents, gold):
    items = [item for _, item in document_inputs(project, [d.id for d in documents])]
    predicted = suggester.score(items).predicted()
    tp = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    fp = sum(len(p - g) for p, g in zip(predicted, gold, strict=True))
    fn = sum(len(g - p) for p, g in zip(predicted, gold, strict=True))
    return 2 * tp / (2 * tp + fp + fn)


def test_classifier_improves_over_cold_start_as_codings_are_added(demo_project_path, tmp_path):
    project = copy_project(demo_project_path, tmp_path / "learn.frisat")
    codings = query_codings(project, coder=REFERENCE_CODER)
    docs = list_documents(project)
    held = [d for d in docs if d.name.startswith(HELD_OUT)]
    train_docs = [d for d in docs if not d.name.startswith(HELD_OUT)]
    gold = []
    for d in held:
        mine = [c for c in codings if c.document_id == d.id]
        gold += [codes_of_segment(s.start, s.end, mine) for s in segments_of(project, d.id)]
    project.conn.execute("DELETE FROM codings")

    cold = Suggester.train(project, record=False)
    assert cold.classifier.trained == () and cold.version.startswith("cold")
    scores = [micro_f1(cold, project, held, gold)]
    for batch in (train_docs[:6], train_docs[6:]):
        ids = {d.id for d in batch}
        rows = [
            (c.document_id, c.start, c.end, c.code_id, c.coder)
            for c in codings
            if c.document_id in ids
        ]
        insert_codings(project, rows)
        suggester = Suggester.train(project, record=False)
        scores.append(micro_f1(suggester, project, held, gold))
    project.close()
    print("micro-F1 on held-out interviews: cold, 6 and 24 coded interviews", scores)
    assert scores[0] < scores[1] < scores[2], scores
    assert scores[2] > scores[0] + 0.15, scores


def test_training_records_settings_and_metrics_not_the_model(demo, trained):
    run = latest_model_run(demo)
    assert run["version"] == trained.version
    assert run["settings"]["folds"] == 3
    metrics = run["metrics"]
    assert metrics["segments"] == len(project_training_set(demo))
    assert set(metrics["thresholds"]) == set(trained.codes)
    assert 0 < metrics["thresholds"]["spor.tillid"] < 1
    assert metrics["cv"]["spor.tillid"]["support"] > 50
    # plain JSON, nothing that could hold a model
    assert len(json.dumps(run)) < 20_000


def test_suggestions_explain_themselves(demo, trained):
    doc = next(d for d in list_documents(demo) if d.name == "k2_politiker")
    results = trained.suggest(segments_of(demo, doc.id), project=demo)
    found = [s for row in results for s in row]
    assert found, "the trained suggester suggests something for a coded interview"
    for s in found:
        assert 0 <= s.score <= 1 and s.score >= s.threshold
        assert s.model_version == trained.version and s.segment_id is not None
        json.dumps(s.evidence)
    staircase = [s for s in found if s.code_id.split(".")[0] in ("politiker", "leder")]
    assert staircase and all(s.evidence["level"]["from"] in ("rolle", "tekst") for s in staircase)
    assert any(s.evidence.get("features") for s in found)
    assert any(s.evidence.get("keywords") for s in found)
    # from the role, or from the text: a passage spoken by a politician about the council
    levels = {s.evidence["level"]["from"] for s in staircase}
    assert "tekst" in levels


def test_cold_start_suggests_from_keywords_and_damps_interviewer_turns(demo):
    cold = Suggester.cold(Suggester.train(demo, record=False).codebook)
    from frisat_qual.suggest.features import SegmentInput

    text = "Vi har sat alle centrale indsatser på pause i to år."
    informant, interviewer = cold.suggest(
        [
            SegmentInput(text, speaker_role="informant"),
            SegmentInput(text, speaker_role="interviewer"),
        ]
    )
    assert [s.code_id for s in informant][:1] == ["tema.projektpause"]
    assert informant[0].evidence["source"] == "rules+examples"
    keywords = informant[0].evidence["keywords"]
    assert {"keyword": "pause", "words": "pause", "context": "sat"} in keywords
    assert not any(s.code_id == "tema.projektpause" for s in interviewer)


def test_stored_suggestions_skip_coded_and_rejected_codes(demo, trained):
    doc = next(d for d in list_documents(demo) if d.name == "k3_leder")
    n = store_suggestions(demo, trained, doc.id)
    pending = pending_suggestions(demo, document_id=doc.id)
    assert n == len(pending) > 0
    coded = query_codings(demo, document_id=doc.id)
    segs = {s.id: s for s in segments_of(demo, doc.id)}
    for p in pending:
        s = segs[p.segment_id]
        assert p.code_id not in codes_of_segment(s.start, s.end, coded)
    target = pending[0]
    reject_suggestion(demo, target.id, "anna")
    store_suggestions(demo, trained, doc.id)
    again = [
        p
        for p in pending_suggestions(demo, document_id=doc.id)
        if p.segment_id == target.segment_id
    ]
    assert target.code_id not in {p.code_id for p in again}
    direct = suggest_segments(demo, trained, [segs[target.segment_id]], min_score=0.0)[0]
    assert target.code_id not in {s.code_id for s in direct}
    # the rejection is training data: the model is out of date, and a retrain includes it
    assert ensure_trained(demo, trained) is not trained
    rows = project_training_set(demo)
    row = next(i for i, item in enumerate(rows.inputs) if item.segment_id == target.segment_id)
    assert target.code_id not in rows.positives[row]


def test_review_queue_orders_unreviewed_segments_by_expected_value(demo, trained):
    queue = review_queue(demo, trained, limit=30)
    assert len(queue) == 30
    values = [item.value for item in queue]
    assert values == sorted(values, reverse=True) and values[0] > 0
    coded = {}
    for item in queue:
        doc_codings = coded.setdefault(
            item.segment.document_id, query_codings(demo, document_id=item.segment.document_id)
        )
        assert not codes_of_segment(item.segment.start, item.segment.end, doc_codings)
        assert item.uncertain


def test_folds_keep_documents_together_and_platt_is_finite():
    groups = ["a"] * 5 + ["b"] * 3 + ["c"] * 3 + ["d"] * 1
    folds = fold_ids(groups, 3)
    for g in set(groups):
        assert len({f for f, x in zip(folds, groups, strict=True) if x == g}) == 1
    assert set(folds.tolist()) == {0, 1, 2}
    a, b = _platt(np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0]), np.array([0, 0, 0, 1, 1, 1]))
    assert np.isfinite(a) and np.isfinite(b) and 0 < a < 10


def test_no_model_is_ever_pickled_or_unpickled():
    pattern = re.compile(r"\b(pickle|joblib|dill|cloudpickle|shelve)\b|marshal\.loads?")
    files = [*(PACKAGE / "suggest").glob("*.py"), PACKAGE / "store" / "suggestions.py"]
    assert len(files) >= 8
    offenders = [str(p) for p in files if pattern.search(p.read_text("utf-8"))]
    assert offenders == []


def test_suggestion_modules_load_spacy_and_sklearn_lazily():
    code = (
        "import sys\n"
        "import frisat_qual.store.suggestions, frisat_qual.suggest.ensemble,"
        " frisat_qual.suggest.service, frisat_qual.suggest.queue, frisat_qual.suggest.evaluate\n"
        "print(','.join(m for m in ('sklearn', 'spacy', 'textual', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
