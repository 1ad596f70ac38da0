"""Codebooks: validation with line numbers, the bundled books, changes that keep codings,
REFI-QDA .qdc export that validates against the schema and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from frisat_qual.codebook.format import dump_codebook, load_codebook, parse_codebook
from frisat_qual.codebook.manage import (
    add_code,
    default_codebook,
    diff_codebooks,
    edit_code,
    export_codebook,
    load_into_project,
    merge_codes,
    move_code,
    project_codebook,
    read_codebook,
    rename_code,
    retire_code,
    split_code,
)
from frisat_qual.codebook.refi import code_guid, export_qdc, parse_qdc
from frisat_qual.errors import CodebookError, FrisatError
from frisat_qual.models import CodeSpec
from frisat_qual.resources import data_dir
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.journal import redo, undo

SCHEMAS = Path(__file__).resolve().parent / "data" / "refi-qda"
CODEBOOKS = data_dir("codebooks")
STAIRCASE = [
    f"{level}.{side}"
    for level in ("politiker", "forvaltning", "leder", "medarbejder", "borger")
    for side in ("forside", "bagside")
]
SPOR = [f"spor.{s}" for s in ("regler", "maal", "dokumentation", "tillid", "eksperiment")]


def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / name))


BAD = """codebook:
  id: test
  name: Test
codes:
  - id: a
    label: A
    color: "#12345"
  - id: a
    label: ""
  - id: b
    label: B
    parent: nowhere
    survey_spor: rules
  - id: Bad Id
    label: C
    colour: "#fff"
"""


def test_validation_reports_every_problem_with_file_line_and_id():
    with pytest.raises(CodebookError) as err:
        parse_codebook(BAD, "test.yaml")
    lines = str(err.value).splitlines()
    assert "test.yaml:7: code 'a': bad colour '#12345' (use #RRGGBB)" in lines
    assert "test.yaml:8: code 'a': duplicate id (first defined on line 5)" in lines
    assert "test.yaml:9: code 'a': empty label" in lines
    assert any(
        line.startswith("test.yaml:13: code 'b': unknown survey_spor 'rules'") for line in lines
    )
    assert "test.yaml:10: code 'b': unknown parent 'nowhere'" in lines
    assert any(line.startswith("test.yaml:14: code 'Bad Id': id must be") for line in lines)
    assert "test.yaml:16: code 'Bad Id': unknown field 'colour'" in lines
    assert len(lines) == 7


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(CodebookError, match=r"x.yaml:4: not valid YAML"):
        parse_codebook("codebook:\n  id: x\n  name: [unclosed\ncodes: []\n", "x.yaml")


def test_parent_cycle_is_reported():
    text = (
        "codebook: {id: c, name: C}\ncodes:\n  - {id: a, label: A, parent: b}\n"
        "  - {id: b, label: B, parent: a}\n"
    )
    with pytest.raises(CodebookError, match="cycle"):
        parse_codebook(text, "c.yaml")


def test_bundled_codebooks_are_valid_and_complete():
    book = load_codebook(CODEBOOKS / "styringstrappe.yaml")
    codes = book.by_id()
    for code_id in STAIRCASE:
        level = code_id.split(".")[0]
        assert codes[code_id].parent == level and not codes[level].codable
    for code_id in SPOR:
        assert codes[code_id].survey_spor == code_id.split(".")[1]
    assert codes["tema.kant"].parent == "tema"
    for code in book.codes:
        if code.codable:
            assert code.description and code.include and code.exclude, code.id
            assert code.examples and code.keywords, code.id
    other = load_codebook(CODEBOOKS / "faglig_ledelse.yaml")
    assert other.id == "faglig_ledelse" and len(other.codes) >= 10


def test_yaml_dump_parses_back_identically():
    book = default_codebook()
    again = parse_codebook(dump_codebook(book), "again.yaml")
    assert diff_codebooks(book, again) == []


@pytest.mark.parametrize("name", ["styringstrappe.yaml", "faglig_ledelse.yaml"])
def test_qdc_export_validates_and_round_trips(tmp_path, name):
    book = load_codebook(CODEBOOKS / name)
    out = export_codebook(book, tmp_path / "book.qdc")
    _schema("Codebook.xsd").validate(str(out))
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read_codebook(out)
    assert back.id == book.id and back.name == book.name
    assert diff_codebooks(book, back) == []  # ids, labels, definitions, hierarchy, colours
    # GUIDs are stable across exports
    assert export_qdc(book) == out.read_bytes()
    assert code_guid(book.id, book.codes[0].id) in out.read_text("utf-8")


def test_qdc_from_another_tool_gets_ids_from_names():
    xml = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="11111111-1111-1111-1111-111111111111" name="Tillid" isCodable="false" color="#FF0000AA">
    <Description>Alt om tillid</Description>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Ledelse &amp; tillid" isCodable="true" color="#0F0"/>
    <Code guid="33333333-3333-3333-3333-333333333333" name="Ledelse &amp; tillid" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""
    book = parse_qdc(xml, "nvivo_export.qdc")
    assert [c.id for c in book.codes] == [
        "tillid",
        "tillid.ledelse_tillid",
        "tillid.ledelse_tillid_2",
    ]
    top, first, _ = book.codes
    assert not top.codable and top.description == "Alt om tillid"
    assert top.color == "#888888", "8-digit colours with alpha are not valid REFI colours"
    assert first.color == "#00ff00" and first.parent == "tillid"
    with pytest.raises(CodebookError, match="not a REFI-QDA codebook"):
        parse_qdc(b'<CodeBook xmlns="urn:QDA-XML:codebook:1:0"><Codes/></CodeBook>', "typo.qdc")


@pytest.fixture
def coded(project, tmp_path):
    """A project with the default codebook and one document with a few codings."""
    from frisat_qual.corpus.importer import import_transcripts
    from frisat_qual.store.documents import get_document

    load_into_project(project, default_codebook(), coder="ann")
    src = tmp_path / "k1_leder.txt"
    src.write_text(
        "I: Hvad er ændret?\n\nR: Vi har fjernet mange regler. Tilliden er større. "
        "Men økonomien strammer.\n",
        encoding="utf-8",
    )
    import_transcripts(project, [src])
    doc = get_document(project, "k1_leder")
    text = project.conn.execute("SELECT text FROM documents").fetchone()[0]
    spans = {
        p: (text.index(p), text.index(p) + len(p))
        for p in ("Vi har fjernet mange regler.", "Tilliden er større.", "Men økonomien strammer.")
    }
    apply_code(project, doc.id, *spans["Vi har fjernet mange regler."], "spor.regler", "ann")
    apply_code(project, doc.id, *spans["Tilliden er større."], "spor.tillid", "ann")
    apply_code(project, doc.id, *spans["Men økonomien strammer."], "tema.kant", "bob")
    apply_code(project, doc.id, *spans["Tilliden er større."], "tema.frihed", "ann")
    return project, doc, spans


def _codes_of(project):
    return sorted((c.code_id, c.coder) for c in query_codings(project))


def test_every_change_keeps_codings(coded):
    project, _doc, _ = coded
    before = len(query_codings(project))
    add_code(
        project,
        CodeSpec(id="tema.tid", label="Tid til kerneopgaven", parent="tema", color="#336699"),
        coder="ann",
    )
    rename_code(project, "spor.regler", "Færre og bedre regler", coder="ann")
    edit_code(project, "spor.regler", coder="ann", description="Ny definition", color="#aa3300")
    move_code(project, "tema.tid", "spor", coder="ann")
    split_code(
        project,
        "spor.tillid",
        [("spor.tillid_kultur", "Kultur"), ("spor.tillid_rum", "Handlerum")],
        coder="ann",
    )
    retire_code(project, "tema.frihed", coder="ann")
    assert len(query_codings(project)) == before
    book = project_codebook(project)
    codes = book.by_id()
    assert codes["spor.regler"].label == "Færre og bedre regler"
    assert codes["spor.regler"].color == "#aa3300"
    assert codes["tema.tid"].parent == "spor"
    assert codes["spor.tillid"].attributes["split_into"] == [
        "spor.tillid_kultur",
        "spor.tillid_rum",
    ]
    assert "tema.frihed" not in codes  # retired codes are hidden...
    assert "tema.frihed" in project_codebook(project, include_retired=True).by_id()
    assert ("tema.frihed", "ann") in _codes_of(project)  # ...their codings kept
    with pytest.raises(FrisatError, match="retired"):
        apply_code(project, 1, 0, 5, "tema.frihed", "ann")


def test_merge_moves_codings_and_drops_exact_duplicates(coded):
    project, doc, spans = coded
    # ann also coded the "Tilliden" sentence with tema.frihed: merging spor.tillid into
    # tema.frihed would duplicate it, so that one is dropped, not moved
    moved = merge_codes(project, "spor.tillid", "tema.frihed", coder="ann")
    assert moved == 0
    assert ("spor.tillid", "ann") not in _codes_of(project)
    assert _codes_of(project).count(("tema.frihed", "ann")) == 1
    moved = merge_codes(project, "tema.kant", "spor.regler", coder="ann")
    assert moved == 1 and ("spor.regler", "bob") in _codes_of(project)
    assert (
        project_codebook(project, include_retired=True)
        .by_id()["tema.kant"]
        .attributes["merged_into"]
        == "spor.regler"
    )
    with pytest.raises(CodebookError, match="folder"):
        merge_codes(project, "spor.regler", "politiker", coder="ann")


def test_codebook_changes_undo_and_redo(coded):
    project, _, _ = coded
    before = _codes_of(project)
    merge_codes(project, "tema.kant", "spor.regler", coder="ann")
    assert _codes_of(project) != before
    assert undo(project, "ann").label == "merge code tema.kant into spor.regler"
    assert _codes_of(project) == before
    assert (
        "merged_into"
        not in project_codebook(project, include_retired=True).by_id()["tema.kant"].attributes
    )
    assert redo(project, "ann").label.startswith("merge")
    assert ("tema.kant", "bob") not in _codes_of(project)


def test_bad_changes_are_refused_and_change_nothing(coded):
    project, _, _ = coded
    before = project_codebook(project, include_retired=True)
    with pytest.raises(CodebookError, match="exists already"):
        add_code(project, CodeSpec(id="spor.regler", label="x"), coder="ann")
    with pytest.raises(CodebookError, match="unknown parent"):
        add_code(project, CodeSpec(id="x.y", label="x", parent="nope"), coder="ann")
    with pytest.raises(CodebookError, match="bad colour"):
        edit_code(project, "spor.regler", coder="ann", color="red")
    with pytest.raises(CodebookError, match="descendant"):
        move_code(project, "spor", "spor.regler", coder="ann")
    with pytest.raises(CodebookError, match="sub-codes"):
        merge_codes(project, "tema", "spor.regler", coder="ann")
    assert project_codebook(project, include_retired=True) == before


def test_loading_another_codebook_retires_but_keeps_used_codes(coded):
    project, _, _ = coded
    counts = load_into_project(
        project, load_codebook(CODEBOOKS / "faglig_ledelse.yaml"), coder="ann"
    )
    assert counts["retired"] >= 20 and counts["added"] >= 10
    assert len(query_codings(project)) == 4
    current = project_codebook(project).by_id()
    assert "ramme.retssikkerhed" in current and "spor.regler" not in current
    load_into_project(project, default_codebook(), coder="ann")  # and back again
    assert "spor.regler" in project_codebook(project).by_id()
