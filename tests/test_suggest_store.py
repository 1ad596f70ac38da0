"""Suggestions in the store: pending until reviewed, accept makes a coding, reject is
remembered (never suggested again for that segment), undo returns them to review."""

from __future__ import annotations

import sqlite3

import pytest

from frisat_qual.errors import FrisatError
from frisat_qual.store import open_project
from frisat_qual.store.codings import get_coding, query_codings, remove_coding
from frisat_qual.store.documents import get_document, segments_of
from frisat_qual.store.journal import redo, undo
from frisat_qual.store.suggestions import (
    Suggestion,
    accept_above,
    accept_suggestion,
    get_suggestion,
    latest_model_run,
    pending_suggestions,
    record_model_run,
    reject_suggestion,
    save_suggestions,
    suggestion_counts,
    training_state,
)


def copy_project(source, target):
    """A private copy of the session's demo project (which is shared, read-only)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return open_project(target)


@pytest.fixture
def demo(demo_project_path, tmp_path):
    project = copy_project(demo_project_path, tmp_path / "demo.frisat")
    yield project
    project.close()


def fresh(segment, code, score=0.8):
    return Suggestion(
        code_id=code,
        score=score,
        threshold=0.3,
        evidence={"keywords": [{"keyword": "x", "words": "x"}]},
        model_version="test",
        segment_id=segment.id,
        document_id=segment.document_id,
        start=segment.start,
        end=segment.end,
    )


def uncoded_segment(project, name="k2_leder"):
    doc = get_document(project, name)
    coded = query_codings(project, document_id=doc.id)
    for seg in segments_of(project, doc.id):
        if not any(c.start < seg.end and c.end > seg.start for c in coded) and len(seg.text) > 30:
            return seg
    raise AssertionError("no uncoded segment")


def test_accept_creates_a_coding_with_origin_accepted_suggestion(demo):
    seg = uncoded_segment(demo)
    assert save_suggestions(demo, [fresh(seg, "spor.tillid"), fresh(seg, "tema.kant", 0.4)]) == 2
    pending = pending_suggestions(demo, segment_id=seg.id)
    assert [p.code_id for p in pending] == ["spor.tillid", "tema.kant"]  # best first
    assert pending[0].evidence["keywords"][0]["keyword"] == "x"

    coding = accept_suggestion(demo, pending[0].id, "anna")
    assert (coding.document_id, coding.start, coding.end) == (seg.document_id, seg.start, seg.end)
    assert (coding.code_id, coding.coder, coding.origin) == (
        "spor.tillid",
        "anna",
        "accepted-suggestion",
    )
    stored = get_suggestion(demo, pending[0].id)
    assert (stored.status, stored.reviewed_by, stored.coding_id) == ("accepted", "anna", coding.id)
    assert stored.reviewed_at and stored.reviewed_at.endswith("Z")
    assert [p.code_id for p in pending_suggestions(demo, segment_id=seg.id)] == ["tema.kant"]
    with pytest.raises(FrisatError, match="already accepted by anna"):
        accept_suggestion(demo, pending[0].id, "bo")
    assert suggestion_counts(demo) == {"pending": 1, "accepted": 1, "rejected": 0}


def test_undoing_an_accept_returns_the_suggestion_to_review(demo):
    seg = uncoded_segment(demo)
    save_suggestions(demo, [fresh(seg, "spor.tillid")])
    sid = pending_suggestions(demo, segment_id=seg.id)[0].id
    coding = accept_suggestion(demo, sid, "anna")
    undo(demo, "anna")
    with pytest.raises(FrisatError):
        get_coding(demo, coding.id)
    again = get_suggestion(demo, sid)
    assert (again.status, again.reviewed_by, again.coding_id) == ("pending", None, None)
    redo(demo, "anna")  # the coding is back; the pending suggestion is hidden as done
    assert get_coding(demo, coding.id).origin == "accepted-suggestion"
    assert pending_suggestions(demo, segment_id=seg.id) == []


def test_rejected_code_is_never_stored_again_for_the_segment(demo):
    seg = uncoded_segment(demo)
    save_suggestions(demo, [fresh(seg, "spor.tillid")])
    sid = pending_suggestions(demo, segment_id=seg.id)[0].id
    rejected = reject_suggestion(demo, sid, "anna")
    assert (rejected.status, rejected.reviewed_by) == ("rejected", "anna")
    # a later run suggests it again: it is not stored, the rejection stays
    assert save_suggestions(demo, [fresh(seg, "spor.tillid", 0.99)]) == 0
    assert pending_suggestions(demo, segment_id=seg.id) == []
    assert get_suggestion(demo, sid).status == "rejected"
    with pytest.raises(FrisatError, match="already rejected"):
        accept_suggestion(demo, sid, "anna")
    undo(demo, "anna")  # rejecting is undoable
    assert get_suggestion(demo, sid).status == "pending"


def test_accept_above_a_threshold_for_one_segment_in_one_go(demo):
    seg = uncoded_segment(demo)
    save_suggestions(
        demo,
        [
            fresh(seg, "spor.tillid", 0.9),
            fresh(seg, "tema.kant", 0.7),
            fresh(seg, "spor.maal", 0.2),
        ],
    )
    codings = accept_above(demo, seg.id, 0.5, "anna")
    assert sorted(c.code_id for c in codings) == ["spor.tillid", "tema.kant"]
    assert [p.code_id for p in pending_suggestions(demo, segment_id=seg.id)] == ["spor.maal"]


def test_a_failed_accept_changes_nothing(demo):
    seg = uncoded_segment(demo)
    save_suggestions(demo, [fresh(seg, "spor.tillid")])
    sid = pending_suggestions(demo, segment_id=seg.id)[0].id
    demo.conn.execute("UPDATE codes SET retired = 1 WHERE id = 'spor.tillid'")
    with pytest.raises(FrisatError, match="retired"):
        accept_suggestion(demo, sid, "anna")
    assert get_suggestion(demo, sid).status == "pending"
    assert not query_codings(demo, coder="anna")


def test_removing_the_coding_of_an_accepted_suggestion_reopens_it(demo):
    seg = uncoded_segment(demo)
    save_suggestions(demo, [fresh(seg, "spor.tillid")])
    sid = pending_suggestions(demo, segment_id=seg.id)[0].id
    coding = accept_suggestion(demo, sid, "anna")
    remove_coding(demo, coding.id, "anna")
    assert get_suggestion(demo, sid).status == "pending"


def test_model_runs_keep_settings_and_metrics_only(demo):
    state = training_state(demo)
    run_id = record_model_run(demo, "m-1-abc", {"folds": 3}, {"segments": 10})
    latest = latest_model_run(demo)
    assert latest["id"] == run_id
    assert (latest["version"], latest["settings"], latest["metrics"]) == (
        "m-1-abc",
        {"folds": 3},
        {"segments": 10},
    )
    assert training_state(demo) == state  # a run is not training data
    columns = {r[1] for r in demo.conn.execute("PRAGMA table_info(suggest_models)")}
    assert columns == {"id", "version", "trained_at", "settings", "metrics"}
