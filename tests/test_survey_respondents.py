"""One respondent in full (`survey.respondents`), the survey comments' document references
(`store.survey.comment_document_refs`) and their grouping in the document tree, on a copy
of the demo project (33 leaders, 116 comments)."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import documents_with_attributes
from frisat_qual.store.survey import comment_document_refs, list_respondents
from frisat_qual.survey import SPOR
from frisat_qual.survey.analysis import respondent_index
from frisat_qual.survey.link import linked_documents
from frisat_qual.survey.respondents import indicator_answers, respondent_detail
from frisat_qual.tui.widgets.document_tree import group_comments


@pytest.fixture
def demo(demo_project_path, tmp_path):
    path = tmp_path / "demo.frisat"
    shutil.copy(demo_project_path, path)
    with open_project(path) as project:
        yield project


def first(project):
    return min(list_respondents(project), key=lambda r: r.respondent_id)  # L01


def test_detail_has_the_indicators_indices_and_comments_spor_first(demo):
    who = first(demo)
    detail = respondent_detail(demo, who, "tillid")
    assert detail.items == indicator_answers(who, "tillid")
    assert detail.items["impl"]["a"] == who.ratings["tillid_impl_a"]
    assert detail.indices == {
        "impl": respondent_index(who, "tillid", "impl"),
        "vigt": respondent_index(who, "tillid", "vigt"),
    }
    assert [c.spor for c in detail.comments] == ["tillid"] + [
        s for s in SPOR if s in who.comments and s != "tillid"
    ]
    for comment in detail.comments:
        assert comment.text == who.comments[comment.spor]
        assert comment.document_id == who.comment_documents[comment.spor]
        assert comment.document == f"survey-pilot-{who.respondent_id}-{comment.spor}"
        assert comment.passages == ()  # the demo's comments are not coded


def test_detail_lists_the_spor_codings_of_the_linked_interviews(demo):
    who = first(demo)
    detail = respondent_detail(demo, who, "regler")
    linked = [d for d in linked_documents(demo, who, spor="regler") if d.kind == "interview"]
    assert detail.interviews == tuple(linked)
    assert [d.name for d in detail.interviews] == [
        "k1_politiker",
        "k1_forvaltning",
        "k1_leder",
        "k1_medarbejder",
        "k1_borger",
    ]
    ids = {d.document_id for d in linked}
    expected = {
        (c.document_id, c.start, c.end)
        for c in query_codings(demo, code="spor.regler")
        if c.document_id in ids
    }
    assert {(p.document_id, p.start, p.end) for p in detail.passages} == expected
    assert len(detail.passages) == sum(d.codings for d in linked) > 0
    order = [d.document_id for d in linked]
    assert [p.document_id for p in detail.passages] == sorted(
        (p.document_id for p in detail.passages), key=order.index
    )
    assert all(p.code_id == "spor.regler" and p.text for p in detail.passages)
    assert detail.passages[0].attribution.endswith("kommune 1)")


def test_codings_in_a_comment_are_its_passages_and_coders_filter_them(demo):
    who = first(demo)
    document = who.comment_documents["maal"]
    apply_code(demo, document, 0, 25, "tema.kant", "ann")
    apply_code(demo, document, 30, 60, "spor.maal", "bo")
    detail = respondent_detail(demo, who, "maal")
    comment = detail.comments[0]
    assert comment.spor == "maal"
    assert [(p.code_id, p.start, p.end) for p in comment.passages] == [
        ("tema.kant", 0, 25),
        ("spor.maal", 30, 60),
    ]
    assert comment.passages[0].text == who.comments["maal"][0:25].strip()
    only_ann = respondent_detail(demo, who, "maal", coders="ann")
    assert [p.code_id for p in only_ann.comments[0].passages] == ["tema.kant"]
    assert not only_ann.passages  # the demo's interview codings are the reference coder's


def test_a_respondent_without_kommune_has_no_linked_interviews(demo):
    who = dataclasses.replace(first(demo), attributes={"omraade": "dagtilbud"})
    detail = respondent_detail(demo, who, "regler")
    assert detail.interviews == () and detail.passages == ()
    assert detail.comments  # the comments are the respondent's own


def test_comment_document_refs_name_wave_respondent_and_spor(demo):
    refs = comment_document_refs(demo)
    assert len(refs) == 116
    respondents = list_respondents(demo)
    for r in respondents:
        for spor, document_id in r.comment_documents.items():
            assert refs[document_id] == ("pilot", r.respondent_id, spor)
    assert [v[1] for v in refs.values()][:1] == ["L01"]


def test_comments_group_by_wave_and_respondent_in_spor_order(demo):
    items = [(d, a) for d, a in documents_with_attributes(demo) if d.format == "survey-comment"]
    groups = group_comments(items, comment_document_refs(demo))
    assert list(groups) == ["pilot"]
    respondents = groups["pilot"]
    assert list(respondents)[:3] == ["L01", "L02", "L03"] and len(respondents) == 33
    assert [spor for spor, _ in respondents["L01"]] == ["regler", "maal", "tillid", "eksperiment"]
    # without the references: by the case's respondent_id and the end of the name
    fallback = group_comments(items)
    assert list(fallback) == ["(no value)"]
    assert [spor for spor, _ in fallback["(no value)"]["L01"]] == [
        "regler",
        "maal",
        "tillid",
        "eksperiment",
    ]
