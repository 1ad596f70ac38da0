"""Coding in the core: apply, remove, query, and undo/redo through the journal."""

from __future__ import annotations

import pytest

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.errors import FrisatError
from frisat_qual.store.codings import apply_code, get_coding, query_codings, remove_coding
from frisat_qual.store.documents import get_document
from frisat_qual.store.journal import history, redo, undo


@pytest.fixture
def doc(project, tmp_path):
    load_into_project(project, default_codebook(), coder="system")
    for name in ("k1_leder", "k1_politiker"):
        (tmp_path / f"{name}.txt").write_text(
            "I: Hvad er nyt?\n\nR: Vi mødes oftere. Vi skriver færre rapporter.\n", encoding="utf-8"
        )
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "file,rolle,kommune\nk1_leder.txt,leder,kommune 1\nk1_politiker.txt,politiker,kommune 1\n",
        encoding="utf-8",
    )
    import_transcripts(
        project, [tmp_path / "k1_leder.txt", tmp_path / "k1_politiker.txt"], manifest=manifest
    )
    return get_document(project, "k1_leder")


def test_apply_is_idempotent_per_coder_and_queryable(project, doc):
    first = apply_code(project, doc.id, 19, 36, "leder.bagside", "ann")
    again = apply_code(project, doc.id, 19, 36, "leder.bagside", "ann")
    assert again.id == first.id
    bob = apply_code(project, doc.id, 19, 36, "leder.bagside", "bob")
    assert bob.id != first.id
    other = get_document(project, "k1_politiker")
    apply_code(project, other.id, 37, 62, "spor.dokumentation", "ann")
    assert len(query_codings(project, code="leder.bagside")) == 2
    assert len(query_codings(project, coder="ann")) == 2
    assert len(query_codings(project, attributes={"rolle": "politiker"})) == 1
    assert len(query_codings(project, code="spor", include_children=True)) == 1
    assert len(query_codings(project, document_id=doc.id, coder=["ann", "bob"])) == 2


def test_undo_redo_apply_and_remove_per_coder(project, doc):
    a = apply_code(project, doc.id, 19, 36, "leder.bagside", "ann")
    b = apply_code(project, doc.id, 37, 62, "spor.dokumentation", "ann")
    apply_code(project, doc.id, 37, 62, "tema.kant", "bob")
    remove_coding(project, a.id, "ann")
    assert undo(project, "ann").label == "remove leder.bagside"
    assert get_coding(project, a.id).code_id == "leder.bagside"  # back with its id
    assert undo(project, "ann").label == "apply spor.dokumentation"
    with pytest.raises(FrisatError):
        get_coding(project, b.id)
    assert len(query_codings(project, coder="bob")) == 1, "bob's work is untouched"
    assert redo(project, "ann").label == "apply spor.dokumentation"
    assert get_coding(project, b.id).start == 37
    # a new action clears the redo stack
    undo(project, "ann")
    apply_code(project, doc.id, 3, 15, "tema.frihed", "ann")
    assert redo(project, "ann") is None
    assert [a.label for a in history(project, kind="coding")][:2] == [
        "apply tema.frihed",
        "apply tema.kant",
    ]


def test_undo_refuses_when_a_colleague_changed_the_row(project, doc):
    mine = apply_code(project, doc.id, 19, 36, "leder.bagside", "ann")
    remove_coding(project, mine.id, "bob")
    with pytest.raises(FrisatError, match="changed since"):
        undo(project, "ann")
    assert query_codings(project) == [], "nothing was half undone"


def test_undoing_a_codebook_load_that_codings_use_is_refused(project, doc):
    apply_code(project, doc.id, 19, 36, "leder.bagside", "ann")
    with pytest.raises(FrisatError, match="depends on it"):
        undo(project, "system")
    assert len(query_codings(project)) == 1


def test_span_must_lie_in_the_document(project, doc):
    with pytest.raises(FrisatError, match="outside"):
        apply_code(project, doc.id, 10, 10_000, "leder.bagside", "ann")
