"""REFI-QDA project exchange (.qdpx).

The export validates against the REFI-QDA Project.xsd (tests/data/refi-qda); a round trip
export -> import keeps documents, codes, codings (exact positions with Danish letters,
emoji and a transcript that came with Windows line endings, codings at the very start and
end, overlapping codings of two coders), cases with attributes and memos on every target.
Hand-written archives in the style of NVivo, MAXQDA, ATLAS.ti and QualCoder
(tests/data/qdpx/) import with the expected mapping and the expected "not imported" list.
Bad archives fail with one line naming the entry and line, and leave no project behind.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xmlschema

from frisat_qual.codebook.manage import default_codebook, load_into_project, project_codebook
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.exchange import qdpx_import
from frisat_qual.exchange.qdpx import excerpt_matches, excerpt_name
from frisat_qual.exchange.qdpx_export import export_qdpx
from frisat_qual.exchange.qdpx_import import SourceText, import_qdpx
from frisat_qual.models import Codebook, CodeSpec
from frisat_qual.store import create_project, open_project
from frisat_qual.store.cases import list_cases, upsert_case
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import (
    document_text,
    get_document,
    list_documents,
    set_case,
    turns_of,
)
from frisat_qual.store.memos import all_memos, write_memo
from frisat_qual.store.settings import set_setting

DATA = Path(__file__).parent / "data"
VENDORS = DATA / "qdpx"
PROJECT_XSD = DATA / "refi-qda" / "Project.xsd"
BOM = b"\xef\xbb\xbf"

LEDER = (
    "Interviewer: Hvordan går det med frisættelsen i Ærøskøbing? 🙂\n\n"
    "Leder: Vi har fået færre regler. Æøå ÆØÅ står i alle vores skemaer 😀 – men nu taler"
    " vi mere sammen.\n\n"
    "Interviewer: Og forvaltningen?\n\n"
    "Leder: Forvaltningen er blevet en sparringspartner 👍 i stedet for en kontrollant."
)
# arrives from an old Windows editor: Windows-1252 with CRLF line endings
FORVALTNING = (
    "I: Hvad betyder tillid for jer?\r\n\r\n"
    "R: Tillid betyder, at vi selv må vælge. Det er rart – og lidt svært.\r\n"
)
MANIFEST = (
    "file,case,rolle,kommune,omraade,titel\n"
    "k1_leder.txt,Leder K1,leder,kommune 1,dagtilbud,Daginstitutionsleder\n"
    "k4_forvaltning.txt,Forvaltning K4,forvaltning,kommune 4,ældre,Ældrechef\n"
)
CODINGS = [
    ("k1_leder", "Interviewer", "leder.forside", "ann"),  # the very start
    ("k1_leder", "en kontrollant.", "forvaltning.forside", "ann"),  # the very end
    ("k1_leder", "Vi har fået færre regler.", "spor.regler", "ann"),
    ("k1_leder", "Vi har fået færre regler.", "spor.regler", "bob"),  # same span, 2 coders
    ("k1_leder", "Vi har fået færre regler.", "tema.kant", "bob"),  # same span, 2 codes
    (
        "k1_leder",
        "Vi har fået færre regler. Æøå ÆØÅ står i alle vores skemaer 😀",
        "leder.forside",
        "bob",
    ),
    ("k1_leder", "færre regler", "spor.regler", "bob"),
    (
        "k1_leder",
        "Æøå ÆØÅ står i alle vores skemaer 😀 – men nu taler vi mere sammen.",
        "spor.dokumentation",
        "ann",
    ),
    ("k1_leder", "sparringspartner 👍", "forvaltning.forside", "bob"),
    ("k4_forvaltning", "Tillid betyder, at vi selv må vælge.", "spor.tillid", "bob"),
    ("k4_forvaltning", "Det er rart – og lidt svært.", "tema.kant", "ann"),
]


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(PROJECT_XSD))


def _find(project, document: str, phrase: str) -> tuple[int, int, int]:
    doc = get_document(project, document)
    start = document_text(project, doc.id).index(phrase)
    return doc.id, start, start + len(phrase)


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """A project with every kind of thing the exchange carries, open."""
    folder = tmp_path_factory.mktemp("rich")
    (folder / "k1_leder.txt").write_text(LEDER, encoding="utf-8")
    (folder / "k4_forvaltning.txt").write_bytes(FORVALTNING.encode("cp1252"))
    (folder / "m.csv").write_text(MANIFEST, encoding="utf-8")
    project = create_project(folder / "rich.frisat")
    set_setting(project, "title", "Frisættelse på Ærø")
    load_into_project(project, default_codebook())
    report = import_transcripts(
        project, [folder / "k1_leder.txt", folder / "k4_forvaltning.txt"], manifest=folder / "m.csv"
    )
    assert report.ok, report.failed
    for document, phrase, code, coder in CODINGS:
        apply_code(project, *_find(project, document, phrase), code, coder)
    leder = get_document(project, "k1_leder")
    first = query_codings(project, document_id=leder.id, coder="ann")[0]
    case = next(c for c in list_cases(project) if c.name == "Forvaltning K4")
    write_memo(project, "project", "", "Hele projektet: husk kommune 4.", author="ann")
    write_memo(project, "document", leder.id, "Lederen taler hurtigt; tjek lydfilen.", author="bob")
    write_memo(project, "code", "spor.tillid", "Bruges også om tillid opad.", author="ann")
    write_memo(project, "coding", first.id, "Åbningen sætter tonen.", author="ann")
    write_memo(project, "coding", first.id, "Enig – men se også tema.kant.", author="bob")
    write_memo(project, "case", case.id, "Ældrechefen var ny i jobbet.", author="bob")
    yield project
    project.close()


def snapshot(project) -> dict:
    """Everything a round trip must keep, keyed by names rather than row ids."""
    docs = {d.id: d for d in list_documents(project, include_old=True)}
    texts = {d.name: document_text(project, d.id) for d in docs.values() if d.is_current}
    cases = {c.id: c for c in list_cases(project)}
    codings = {}
    for c in query_codings(project, current_only=True):
        name = docs[c.document_id].name
        codings[c.id] = (name, c.start, c.end, c.code_id, c.coder, texts[name][c.start : c.end])
    targets = {
        "project": lambda _: "project",
        "document": lambda t: docs[int(t)].name,
        "code": lambda t: t,
        "coding": lambda t: codings[int(t)],
        "case": lambda t: cases[int(t)].name,
    }
    return {
        "texts": texts,
        "codings": sorted(codings.values()),
        "created": sorted(c.created for c in query_codings(project)),
        "cases": {c.name: c.attributes for c in cases.values()},
        "case_of": {
            d.name: cases[d.case_id].name for d in docs.values() if d.is_current and d.case_id
        },
        "codes": [c.to_dict() for c in project_codebook(project).codes],
        "memos": sorted(
            (m.target_type, targets[m.target_type](m.target_id), m.author, m.text, m.created)
            for m in all_memos(project)
        ),
    }


def test_round_trip_keeps_documents_codings_cases_and_memos(rich, tmp_path, schema):
    out = tmp_path / "rich.qdpx"
    report = export_qdpx(rich, out, exported_by="ann")
    assert report.counts == {
        "users": 2,
        "codes": 27,
        "documents": 2,
        "selections": 9,
        "codings": 11,
        "cases": 2,
        "variables": 4,
        "memos": 6,
    }
    assert report.not_exported == []
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        files = {n: archive.read(n) for n in names[1:]}
    assert names[0] == "project.qde" and len(names) == 3
    assert all(re.fullmatch(r"sources/[0-9a-f-]{36}\.txt", n) for n in files)
    schema.validate(io.BytesIO(qde))
    assert qde.startswith(b"<?xml") and not any(f.startswith(BOM) for f in files.values())
    stored = {document_text(rich, d.id).encode("utf-8") for d in list_documents(rich)}
    assert set(files.values()) == stored  # the texts exactly as stored, UTF-8
    # the CRLF file was stored with LF line endings, and that is what is exported
    assert all(b"\r" not in f for f in files.values())

    back = tmp_path / "back.frisat"
    again = import_qdpx(out, back)
    assert again.not_imported == [], again.not_imported
    assert again.origin.startswith("frisat-qual ")
    with open_project(back) as project:
        after = snapshot(project)
        assert [c.origin for c in query_codings(project)] == ["imported"] * 11
        from frisat_qual.store.settings import get_setting

        assert get_setting(project, "title") == "Frisættelse på Ærø"
        # imported documents get speaker turns like any import
        leder = get_document(project, "k1_leder")
        assert {t.speaker for t in turns_of(project, leder.id)} == {"Interviewer", "Leder"}
    before = snapshot(rich)
    assert after == before
    leder_text = before["texts"]["k1_leder"]
    spans = {(c[0], c[1], c[2]) for c in after["codings"]}
    assert ("k1_leder", 0, len("Interviewer")) in spans
    assert ("k1_leder", len(leder_text) - len("en kontrollant."), len(leder_text)) in spans
    assert {m[0] for m in after["memos"]} == {"project", "document", "code", "coding", "case"}


def test_two_exports_differ_only_in_the_export_time(rich, tmp_path):
    def contents(path):
        with zipfile.ZipFile(path) as archive:
            found = {n: archive.read(n) for n in archive.namelist()}
        found["project.qde"] = re.sub(
            rb'modifiedDateTime="[^"]*"', b"", found["project.qde"], count=1
        )
        return found

    export_qdpx(rich, tmp_path / "a.qdpx")
    export_qdpx(rich, tmp_path / "b.qdpx")
    assert contents(tmp_path / "a.qdpx") == contents(tmp_path / "b.qdpx")


def test_export_of_one_coder_lists_what_it_leaves_out(rich, tmp_path, schema):
    out = tmp_path / "bob.qdpx"
    report = export_qdpx(rich, out, coders=["bob"])
    assert report.counts["codings"] == 6
    assert report.notes == ["only the codings of bob: 6 of 11"]
    assert report.not_exported == [
        "memo by ann on coding 1: codings by ann were not exported",
        "memo by bob on coding 1: codings by ann were not exported",
    ]
    with zipfile.ZipFile(out) as archive:
        schema.validate(io.BytesIO(archive.read("project.qde")))
    with pytest.raises(NotFound, match="no codings by carl"):
        export_qdpx(rich, tmp_path / "c.qdpx", coders=["carl"])


def test_export_refuses_a_wrong_suffix_and_an_existing_file(rich, tmp_path):
    with pytest.raises(FrisatError, match="must end in .qdpx"):
        export_qdpx(rich, tmp_path / "x.zip")
    existing = tmp_path / "x.qdpx"
    existing.write_bytes(b"keep me")
    with pytest.raises(FrisatError, match="exists already"):
        export_qdpx(rich, existing)
    assert existing.read_bytes() == b"keep me"
    export_qdpx(rich, existing, overwrite=True)
    assert zipfile.is_zipfile(existing)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.qdpx"]  # no temporary file left


def test_demo_project_round_trip(demo_project_path, tmp_path, schema):
    out = tmp_path / "demo.qdpx"
    with open_project(demo_project_path) as demo:
        report = export_qdpx(demo, out)
        before = snapshot(demo)
    assert report.counts["documents"] == 148 and report.counts["codings"] == 936
    assert report.not_exported == [
        "survey: 1 wave(s) with 33 respondents and their ratings (REFI-QDA has no place for"
        " survey data; the open comments are exported as documents)"
    ]
    with zipfile.ZipFile(out) as archive:
        schema.validate(io.BytesIO(archive.read("project.qde")))
    back = tmp_path / "demo-back.frisat"
    again = import_qdpx(out, back)
    assert again.not_imported == []
    assert again.counts == {
        "documents": 148,
        "codes": 27,
        "codings": 936,
        "coders": 1,
        "cases": 65,
        "memos": 0,
    }
    with open_project(back) as project:
        after = snapshot(project)
    assert after == before
    for name, start, end, _code, coder, excerpt in after["codings"][::97]:
        assert coder == "reference" and excerpt == before["texts"][name][start:end]


def test_old_versions_are_left_out_and_their_memos_move_to_the_current_one(tmp_path, schema):
    first = "I: Hvad er nyt?\n\nR: Vi mødes oftere.\n"
    (tmp_path / "k1_leder.txt").write_text(first, encoding="utf-8")
    with create_project(tmp_path / "v.frisat") as project:
        load_into_project(project, default_codebook())
        import_transcripts(project, [tmp_path / "k1_leder.txt"])
        old = get_document(project, "k1_leder")
        apply_code(project, *_find(project, "k1_leder", "Vi mødes oftere."), "tema.kant", "ann")
        write_memo(project, "document", old.id, "Skrevet før rettelsen.", author="ann")
        (tmp_path / "k1_leder.txt").write_text(first + "\nR: Og vi skriver mindre.\n", "utf-8")
        import_transcripts(project, [tmp_path / "k1_leder.txt"])
        current = get_document(project, "k1_leder")
        assert current.version == 2
        apply_code(project, *_find(project, "k1_leder", "Vi mødes oftere."), "tema.kant", "bob")
        report = export_qdpx(project, tmp_path / "v.qdpx")
    assert report.counts["documents"] == 1 and report.counts["codings"] == 1
    assert report.not_exported == [
        "1 older document version(s) with 1 coding(s) on them (only the current version of"
        " each document is exported)"
    ]
    assert report.notes == [
        "1 memo(s) on an older version of a document linked to its current version"
    ]
    with zipfile.ZipFile(tmp_path / "v.qdpx") as archive:
        schema.validate(io.BytesIO(archive.read("project.qde")))
    import_qdpx(tmp_path / "v.qdpx", tmp_path / "back.frisat")
    with open_project(tmp_path / "back.frisat") as project:
        (memo,) = all_memos(project)
        (doc,) = list_documents(project)
        assert (memo.target_type, memo.target_id) == ("document", str(doc.id))
        assert coded(project) == {("Vi mødes oftere.", "Tillidens kant", "bob")}


def test_an_empty_project_exports_without_empty_containers(tmp_path, schema):
    with create_project(tmp_path / "empty.frisat") as project:
        report = export_qdpx(project, tmp_path / "empty.qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx") as archive:
        assert archive.namelist() == ["project.qde"]
        qde = archive.read("project.qde")
    schema.validate(io.BytesIO(qde))
    assert b"<Users" not in qde and b"<Sources" not in qde and b"<CodeBook" not in qde
    assert set(report.counts.values()) == {0}
    again = import_qdpx(tmp_path / "empty.qdpx", tmp_path / "back.frisat")
    assert set(again.counts.values()) == {0} and again.not_imported == []


# --------------------------------------------------------------------------- own round trips


_G = "3d3d3d3d-0000-4000-8000-0000000000"  # GUIDs of hand-written archives: _G + two digits


def _project_with(folder: Path, texts: dict[str, str], codebook: Codebook | None = None):
    """A new project in `folder` with one transcript per (file stem, text), open."""
    for stem, text in texts.items():
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    project = create_project(folder / "own.frisat")
    load_into_project(project, codebook or default_codebook())
    report = import_transcripts(project, [folder / f"{stem}.txt" for stem in texts])
    assert report.ok, report.failed
    return project


def _round_trip(project, folder: Path, schema) -> tuple[dict, dict, object]:
    """Export `project`, import it again; its snapshot, the re-import's, the import report."""
    export_qdpx(project, folder / "own.qdpx")
    with zipfile.ZipFile(folder / "own.qdpx") as archive:
        schema.validate(io.BytesIO(archive.read("project.qde")))
    report = import_qdpx(folder / "own.qdpx", folder / "back.frisat")
    with open_project(folder / "back.frisat") as back:
        return snapshot(project), snapshot(back), report


def test_codings_of_only_an_ellipsis_round_trip(tmp_path, schema):
    text = "R: Hmm ... jeg ved ikke… Måske."
    with _project_with(tmp_path, {"k1_leder": text}) as project:
        for phrase in ("...", "…", "ikke…"):
            apply_code(project, *_find(project, "k1_leder", phrase), "tema.kant", "ann")
        before, after, report = _round_trip(project, tmp_path, schema)
    assert report.not_imported == []
    assert after["codings"] == before["codings"] and len(after["codings"]) == 3
    assert excerpt_matches("…", "…") and excerpt_matches("...", "...")
    assert not excerpt_matches("…", "Vi har")


def test_a_long_coding_in_decomposed_unicode_round_trips(tmp_path, schema):
    # NFD text (accents as characters of their own) is stored as another tool had it; the
    # 60-character name of the long coding would end between the e and its accent
    phrase = "x" * 59 + "e\u0301 og mere tekst her bagefter."
    text = f"Start. {phrase} Slut."
    start = text.index(phrase)
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="NFD">
  <CodeBook><Codes><Code guid="{_G}c1" name="Kant" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{_G}01" name="Leder"><PlainTextContent>{text}</PlainTextContent>
    <PlainTextSelection guid="{_G}11" startPosition="{start}" endPosition="{start + len(phrase)}">
      <Coding guid="{_G}21"><CodeRef targetGUID="{_G}c1"/></Coding>
    </PlainTextSelection>
    <PlainTextSelection guid="{_G}12" startPosition="0" endPosition="6">
      <Coding guid="{_G}22"><CodeRef targetGUID="{_G}c1"/></Coding>
    </PlainTextSelection>
  </TextSource></Sources>
</Project>"""
    import_qdpx(write_archive(tmp_path / "nfd.qdpx", qde, {}), tmp_path / "nfd.frisat")
    with open_project(tmp_path / "nfd.frisat") as project:
        assert coded(project) == {(phrase, "Kant", "imported"), ("Start.", "Kant", "imported")}
        before, after, report = _round_trip(project, tmp_path, schema)
    assert report.not_imported == []
    assert after["codings"] == before["codings"] and len(after["codings"]) == 2
    assert excerpt_name(phrase) == "x" * 59 + "…"  # cut before the letter, not inside it
    assert excerpt_matches(excerpt_name(phrase), phrase)
    # a name cut inside by another tool still matches when compared as written
    assert excerpt_matches(phrase[:60] + "…", phrase)


def test_windows_line_endings_in_memos_descriptions_and_values_round_trip(tmp_path, schema):
    book = Codebook(
        id="cr",
        name="CR",
        codes=(
            CodeSpec(
                "tillid",
                "Tillid",
                description="Første linje.\r\nAnden linje.\r\n\r\nNyt afsnit.",
                include="Når tillid\r\nnævnes.",
            ),
        ),
    )
    with _project_with(tmp_path, {"k1_leder": "R: Vi har tillid.\n"}, book) as project:
        apply_code(project, *_find(project, "k1_leder", "Vi har tillid."), "tillid", "ann")
        doc = get_document(project, "k1_leder")
        with project.transaction():
            set_case(project, doc.id, upsert_case(project, "Leder", {"noter": "én\r\nto"}))
        write_memo(project, "project", "", "Projektmemo æøå 😀\r\nlinje to", author="Søren")
        write_memo(project, "document", doc.id, "Første\r\rAnden", author="ann")
        export_qdpx(project, tmp_path / "cr.qdpx")
        before = snapshot(project)
    with zipfile.ZipFile(tmp_path / "cr.qdpx") as archive:
        qde = archive.read("project.qde")
    schema.validate(io.BytesIO(qde))
    assert b"linje to" in qde and b"\r" not in qde and qde.count(b"&#13;") == 8
    import_qdpx(tmp_path / "cr.qdpx", tmp_path / "back.frisat")
    with open_project(tmp_path / "back.frisat") as back:
        after = snapshot(back)
    assert after["memos"] == before["memos"]
    assert ("project", "project", "Søren", "Projektmemo æøå 😀\r\nlinje to") in {
        m[:4] for m in after["memos"]
    }
    assert after["cases"] == before["cases"] and after["cases"]["Leder"] == {"noter": "én\r\nto"}
    assert after["codes"] == before["codes"]
    # a blank line in a description is also where the description's blocks are split
    assert after["codes"][0]["description"] == "Første linje.\r\nAnden linje.\r\n\r\nNyt afsnit."
    assert after["codes"][0]["include"] == "Når tillid\r\nnævnes."


def test_document_names_come_back_exactly(tmp_path, schema):
    texts = {"Leder": "R: Stort L.\n", "leder": "R: Lille l.\n", "notes.md": "R: Noter.\n"}
    with _project_with(tmp_path, texts) as project:
        before, after, report = _round_trip(project, tmp_path, schema)
    assert sorted(after["texts"]) == ["Leder", "leder", "notes.md"]
    assert after["texts"] == before["texts"]
    assert not any("renamed" in n or "suffixes" in n for n in report.notes), report.notes


# --------------------------------------------------------------------------- vendors


def vendor_archive(vendor: str, folder: Path) -> Path:
    """The hand-written vendor folder zipped into a .qdpx."""
    source = VENDORS / vendor
    out = folder / f"{vendor}.qdpx"
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    return out


def imported(vendor: str, tmp_path: Path):
    report = import_qdpx(vendor_archive(vendor, tmp_path), tmp_path / f"{vendor}.frisat")
    project = open_project(tmp_path / f"{vendor}.frisat")
    return report, project


def coded(project) -> set[tuple[str, str, str]]:
    labels = {c.id: c.label for c in project_codebook(project).codes}
    out = set()
    for c in query_codings(project):
        text = document_text(project, c.document_id)
        out.add((text[c.start : c.end], labels[c.code_id], c.coder))
    return out


def test_nvivo_offsets_in_utf16_and_crlf_are_detected_and_converted(tmp_path):
    report, project = imported("nvivo", tmp_path)
    with project:
        assert coded(project) == {
            ("Hvordan har frisættelsen ændret jeres hverdag?", "Dialog", "Mette"),
            ("mere tid til børnene 😊 og færre skemaer", "Tid til kerneopgaven", "Mette"),
            ("Vi skriver langt mindre.", "Dokumentation", "Mette"),
            ("holder vi flere møder med forvaltningen", "Dialog", "Jonas"),
            ("Tilliden er vokset 👍 i hele huset.", "Tillid", "Jonas"),
            ("Vi siger det højt på Ærø.", "Dialog", "Jonas"),
        }
        (doc,) = list_documents(project)
        text = document_text(project, doc.id)
        assert doc.name == "Leder kommune 3" and text.startswith("Interviewer:")  # BOM gone
        assert {t.speaker for t in turns_of(project, doc.id)} == {"Interviewer", "Leder"}
        (case,) = list_cases(project)
        assert (case.name, case.attributes) == (
            "Leder, kommune 3",
            {"Rolle": "leder", "Anciennitet": "12"},
        )
        assert doc.case_id == case.id
        (memo,) = all_memos(project)
        assert (memo.target_type, memo.target_id, memo.author) == ("document", str(doc.id), "Mette")
        assert memo.text.startswith("Mette: Lederen virker mere rolig")
        assert memo.created == "2025-06-12T08:00:00.000000Z"
        codes = {c.label: c for c in project_codebook(project).codes}
        assert codes["Tillid"].color == "#888888" and codes["Dokumentation"].color == "#3366cc"
    assert report.origin == "NVivo for Windows 12.6"
    # the first selection lies before the first line break: it reads the same either way
    assert any("as NVivo counts" in n and "5 of the 5" in n for n in report.notes), report.notes
    assert report.not_imported == [
        "code 'Tillid': colour '#FF0000AA' is not a REFI-QDA colour; the default grey is used"
        " (project.qde line 13)",
        "sets: REFI-QDA sets are not imported (project.qde line 89)",
    ]


def _nvivo_units(text: str) -> int:
    # NVivo for Windows: a line break counts as CRLF, an emoji as two UTF-16 units
    return sum(2 if ch == "\n" or ord(ch) > 0xFFFF else 1 for ch in text)


def nvivo_archive(path: Path, sources: dict[str, tuple[str, list[str]]]) -> Path:
    """An archive as NVivo writes it: selections without names, positions NVivo's way."""
    xml, files = [], {}
    for i, (name, (text, phrases)) in enumerate(sources.items()):
        guid = f"{_G}{i:02d}"
        selections = []
        for j, phrase in enumerate(phrases):
            start = _nvivo_units(text[: text.index(phrase)])
            end = start + _nvivo_units(phrase)
            selections.append(
                f'<PlainTextSelection guid="{_G[:-2]}{i:02d}{j:02d}" startPosition="{start}"'
                f' endPosition="{end}"><Coding guid="{_G[:-4]}{i:02d}{j:02d}ff">'
                f'<CodeRef targetGUID="{_G}c1"/></Coding></PlainTextSelection>'
            )
        xml.append(
            f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt">'
            f"{''.join(selections)}</TextSource>"
        )
        files[f"Sources/{guid}.txt"] = BOM.decode("utf-8") + text
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="NVivo" origin="NVivo for Windows 12.6">
  <CodeBook><Codes><Code guid="{_G}c1" name="Tillid" isCodable="true"/></Codes></CodeBook>
  <Sources>{"".join(xml)}</Sources>
</Project>"""
    return write_archive(path, qde, files)


INTERVIEW = (
    "Interviewer: Hvordan går det?\nLeder: Godt.\nInterviewer: Og tilliden?\n"
    "Leder: Den er vokset meget.\nInterviewer: Tak.\nLeder: Selv tak.\n"
)


def test_nvivo_positions_are_decided_by_the_sources_where_the_counting_matters(tmp_path):
    # twelve one-line answers read the same whichever way positions count; they must not
    # outvote the interview, whose line breaks NVivo counts as two
    answers = {
        f"svar{i}": (f"Svar {i}: Vi har fået mere tillid fra forvaltningen.", ["mere tillid"])
        for i in range(12)
    }
    phrases = ["Godt.", "Den er vokset meget.", "Selv tak."]
    archive = nvivo_archive(tmp_path / "nv.qdpx", {**answers, "interview": (INTERVIEW, phrases)})
    report = import_qdpx(archive, tmp_path / "nv.frisat")
    with open_project(tmp_path / "nv.frisat") as project:
        found = {text for text, _code, _coder in coded(project)}
    assert found == {"mere tillid", *phrases}
    assert report.not_imported == []
    assert any(
        "1 document(s) ('interview')" in n and "as NVivo counts" in n and "3 of the 3" in n
        for n in report.notes
    ), report.notes


def test_nvivo_positions_of_a_single_selection_are_converted(tmp_path):
    archive = nvivo_archive(tmp_path / "one.qdpx", {"interview": (INTERVIEW, ["Selv tak."])})
    report = import_qdpx(archive, tmp_path / "one.frisat")
    with open_project(tmp_path / "one.frisat") as project:
        assert coded(project) == {("Selv tak.", "Tillid", "imported")}
    assert any("as NVivo counts" in n and "1 of the 1" in n for n in report.notes)


def test_positions_the_word_boundaries_cannot_settle_are_named_in_the_report(tmp_path):
    # a selection inside a word, however its position is read
    text = "Leder: Godt.\nLeder: Forvaltningen lytter.\n"
    archive = nvivo_archive(tmp_path / "odd.qdpx", {"interview": (text, ["rvaltn"])})
    report = import_qdpx(archive, tmp_path / "odd.frisat")
    assert any(
        n.startswith("check the codings of 1 document(s) ('interview')")
        and "read as code points" in n
        for n in report.notes
    ), report.notes


def test_maxqda_unnamed_case_document_variables_and_uncoded_selection(tmp_path):
    report, project = imported("maxqda", tmp_path)
    with project:
        assert coded(project) == {
            ("Vi planlægger selv ruterne nu.", "Styring", "MAXQDA-bruger"),
            ("Det var forvaltningen, der gjorde det før.", "Forvaltningen", "MAXQDA-bruger"),
            (
                "Borgerne bliver spurgt, hvad der betyder mest for dem.",
                "Borgerinddragelse",
                "MAXQDA-bruger",
            ),
        }
        (doc,) = list_documents(project)
        assert "\r" not in document_text(project, doc.id)  # CRLF stored as LF, offsets moved
        (case,) = list_cases(project)
        assert case.name == "Interview ældre 1" and doc.case_id == case.id
        assert case.attributes == {"Kommune": "kommune 5", "Interviewdato": "2024-11-05"}
    assert report.not_imported == [
        "PDF source 'Kvalitetsstandard.pdf': PDF sources are not imported (project.qde line 54)",
        "Interview ældre 1: selection without a coding (project.qde line 43)",
    ]
    assert any("without a name were named after their document" in n for n in report.notes)


def test_atlas_project_file_name_crlf_as_one_and_memos_as_descriptions(tmp_path):
    report, project = imported("atlas", tmp_path)
    with project:
        assert coded(project) == {
            ("Vi har droppet flere lokale regler.", "Regler", "Søren"),
            ("Det giver ro i hverdagen.", "Regler", "Søren"),
            ("Vi dokumenterer kun det, der giver mening for borgeren.", "Dokumentation", "Søren"),
            ("Resten taler vi om.", "Dialog", "Søren"),
        }
        (doc,) = list_documents(project)
        assert doc.name == "Skoleleder A"  # ".docx" dropped from the source name
        text = document_text(project, doc.id)
        memos = {(m.target_type, m.author, m.text) for m in all_memos(project)}
        assert memos == {
            ("document", "Søren", "Interviewet blev afbrudt efter 40 minutter."),
            ("case", "imported", "Skolelederen var ny i stillingen."),
            ("coding", "Søren", "Ro er et gennemgående ord hos lederne."),
        }
        (on_coding,) = [m for m in all_memos(project) if m.target_type == "coding"]
        coding = next(c for c in query_codings(project) if str(c.id) == on_coding.target_id)
        assert text[coding.start : coding.end] == "Det giver ro i hverdagen."
    assert any("as ATLAS.ti counts" in n for n in report.notes), report.notes
    assert any("kept as memos" in n for n in report.notes)
    assert (
        "file suffixes dropped from 1 source name(s) to make document names:"
        " 'Skoleleder A.docx' -> 'Skoleleder A'" in report.notes
    )
    assert report.not_imported == [
        "Skoleleder A: selection whose excerpt (its name) is not at its position"
        " (Frisættelse skoler.qde line 57)"
    ]


def test_qualcoder_bare_paths_notes_whole_document_coding_and_folder_codes(tmp_path):
    report, project = imported("qualcoder", tmp_path)
    with project:
        (doc,) = list_documents(project)
        text = document_text(project, doc.id)
        assert doc.name == "udvalgsformand_k2"
        assert coded(project) == {
            ("Vi har sagt farvel til mange detailmål.", "Færre mål", "anna"),
            ("Vi sætter få, brede formål.", "Brede formål", "bent"),
            ("Vi sætter få, brede formål.", "Mål og formål", "bent"),
            (
                "Vi besøger institutionerne og taler med lederne i stedet for at læse rapporter.",
                "Opfølgning i dialog",
                "anna",
            ),
            (text, "Brede formål", "bent"),  # a coding of the whole document
        }
        memos = {m.target_type: m for m in all_memos(project)}
        assert memos["document"].text.startswith("Formanden talte meget om tillid")
        coding = next(c for c in query_codings(project) if str(c.id) == memos["coding"].target_id)
        assert text[coding.start : coding.end] == "Vi har sagt farvel til mange detailmål."
        assert memos["coding"].author == "anna"
        codes = {c.label: c for c in project_codebook(project).codes}
        assert codes["Mål og formål"].codable  # a coding uses it
        assert (
            codes["Opfølgning i dialog"].description
            == "Politikerne følger op ved at tale med folk."
        )
        (case,) = list_cases(project)
        assert case.attributes == {"rolle": "politiker", "år i udvalget": "7"}
    assert report.not_imported == [
        "audio source 'udvalgsformand_k2.mp3': audio sources are not imported"
        " (project.qde line 66)",
        "links: links between objects are not imported (project.qde line 77)",
    ]
    assert "code folders made codable because codings use them: maal_og_formaal" in report.notes


def test_word_only_source_keeps_only_selections_its_excerpts_confirm(tmp_path):
    import docx

    word = docx.Document()
    for line in ("I: Hvad er nyt?", "R: Vi mødes oftere. Vi skriver færre rapporter."):
        word.add_paragraph(line)
    buffer = io.BytesIO()
    word.save(buffer)
    guid = "0a0a0a0a-0000-4000-8000-000000000001"
    code = "0a0a0a0a-0000-4000-8000-0000000000c1"
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Word">
  <CodeBook><Codes><Code guid="{code}" name="Møder" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid}" name="Leder" richTextPath="internal://{guid}.docx">
      <PlainTextSelection guid="0a0a0a0a-0000-4000-8000-000000000005" name="Vi mødes oftere." startPosition="19" endPosition="35">
        <Coding guid="0a0a0a0a-0000-4000-8000-000000000006"><CodeRef targetGUID="{code}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="0a0a0a0a-0000-4000-8000-000000000007" startPosition="36" endPosition="63">
        <Coding guid="0a0a0a0a-0000-4000-8000-000000000008"><CodeRef targetGUID="{code}"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>"""
    archive = tmp_path / "word.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr(f"sources/{guid}.docx", buffer.getvalue())
    report = import_qdpx(archive, tmp_path / "word.frisat", coder_fallback="mette")
    with open_project(tmp_path / "word.frisat") as project:
        assert coded(project) == {("Vi mødes oftere.", "Møder", "mette")}
    assert report.not_imported == [
        "Leder: selection whose position refers to a text we could only re-read from the Word"
        " file (no excerpt confirms it) (project.qde line 9)"
    ]
    assert any("positions cannot be trusted" in n and "1 of 2" in n for n in report.notes)


MIXED = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Blandet">
  <Users><User guid="2c2c2c2c-0000-4000-8000-0000000000a1" name="Kim"/></Users>
  <CodeBook><Codes>
    <Code guid="2c2c2c2c-0000-4000-8000-0000000000c1" name="Ro" isCodable="true" color="rgb(1,2,3)">
      <NoteRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000f3"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="2c2c2c2c-0000-4000-8000-0000000000e1" name="erfaren" typeOfVariable="Boolean"/>
  </Variables>
  <Cases>
    <Case guid="2c2c2c2c-0000-4000-8000-0000000000ca" name="Første">
      <VariableValue><VariableRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000e1"/><BooleanValue>true</BooleanValue></VariableValue>
      <VariableValue><VariableRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000e9"/><TextValue>?</TextValue></VariableValue>
      <SourceRef targetGUID="2c2c2c2c-0000-4000-8000-000000000001"/>
    </Case>
    <Case guid="2c2c2c2c-0000-4000-8000-0000000000cb" name="Anden">
      <SourceRef targetGUID="2c2c2c2c-0000-4000-8000-000000000001"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="2c2c2c2c-0000-4000-8000-000000000001" name="Inline">
      <PlainTextContent>R: Der er ro på. Vi har tid.</PlainTextContent>
      <PlainTextSelection guid="2c2c2c2c-0000-4000-8000-000000000011" startPosition="3" endPosition="16" creatingUser="2c2c2c2c-0000-4000-8000-0000000000a1">
        <Coding guid="2c2c2c2c-0000-4000-8000-000000000021" creatingUser="2c2c2c2c-0000-4000-8000-0000000000a1"><CodeRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000c1"/></Coding>
        <Coding guid="2c2c2c2c-0000-4000-8000-000000000022" creatingUser="2c2c2c2c-0000-4000-8000-0000000000a1"><CodeRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000c1"/></Coding>
        <Coding guid="2c2c2c2c-0000-4000-8000-000000000023" creatingUser="2c2c2c2c-0000-4000-8000-0000000000b9"><CodeRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000c9"/></Coding>
        <NoteRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000f1"/>
      </PlainTextSelection>
      <PlainTextSelection guid="2c2c2c2c-0000-4000-8000-000000000012" startPosition="17" endPosition="17">
        <Coding guid="2c2c2c2c-0000-4000-8000-000000000024"><CodeRef targetGUID="2c2c2c2c-0000-4000-8000-0000000000c1"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="2c2c2c2c-0000-4000-8000-0000000000f1" creatingUser="2c2c2c2c-0000-4000-8000-0000000000a1"><PlainTextContent>Om roen.</PlainTextContent></Note>
    <Note guid="2c2c2c2c-0000-4000-8000-0000000000f2" creatingUser="2c2c2c2c-0000-4000-8000-0000000000a1"><PlainTextContent>Løs tanke.</PlainTextContent></Note>
    <Note guid="2c2c2c2c-0000-4000-8000-0000000000f3"><PlainTextContent>Om koden.</PlainTextContent></Note>
    <Note guid="2c2c2c2c-0000-4000-8000-0000000000f4"><PlainTextContent>Om casen.</PlainTextContent></Note>
  </Notes>
  <Links>
    <Link guid="2c2c2c2c-0000-4000-8000-000000000031" originGUID="2c2c2c2c-0000-4000-8000-0000000000f4" targetGUID="2c2c2c2c-0000-4000-8000-0000000000cb"/>
  </Links>
  <Description>Et projekt om ro.</Description>
</Project>"""


def test_mixed_archive_maps_notes_cases_and_lists_the_rest(tmp_path):
    archive = write_archive(tmp_path / "mixed.qdpx", MIXED, {})
    report = import_qdpx(archive, tmp_path / "mixed.frisat", coder_fallback="ukendt")
    with open_project(tmp_path / "mixed.frisat") as project:
        # the inline text; the same span coded twice with one code by one user is one coding
        assert coded(project) == {("Der er ro på.", "Ro", "Kim")}
        (doc,) = list_documents(project)
        cases = {c.name: c for c in list_cases(project)}
        assert cases["Første"].attributes == {"erfaren": "true"}
        assert doc.case_id == cases["Første"].id and cases["Anden"].attributes == {}
        memos = {(m.target_type, m.author, m.text) for m in all_memos(project)}
        assert memos == {
            ("coding", "Kim", "Om roen."),  # a note on the selection goes to its coding
            ("project", "Kim", "Løs tanke."),  # linked to nothing
            ("code", "ukendt", "Om koden."),
            ("case", "ukendt", "Om casen."),  # linked to the case by a Link
            ("project", "ukendt", "Et projekt om ro."),  # the project's Description
        }
        case_memo = next(m for m in all_memos(project) if m.target_type == "case")
        assert case_memo.target_id == str(cases["Anden"].id)
    assert sorted(report.not_imported) == sorted(
        [
            "code 'Ro': colour 'rgb(1,2,3)' is not a REFI-QDA colour; the default grey is used"
            " (project.qde line 5)",
            "variable values: refer to no known Variable (project.qde line 15)",
            "users: a creatingUser not among the project's Users; its work is by 'ukendt'"
            " (project.qde line 28)",
            "document 'Inline': is in several cases; kept in 'Første', not in 'Anden'"
            " (project.qde line 18)",
            "Inline: empty selection (project.qde line 31)",
            "codings: refer to a code not in the CodeBook (project.qde line 28)",
        ]
    )
    assert "1 note(s) linked to nothing that was imported became project memos" in report.notes
    assert "1 duplicate coding(s) (same span, code and coder) merged" in report.notes


# --------------------------------------------------------------------------- errors


def minimal(selection: str = 'startPosition="3" endPosition="9"', path: str | None = None):
    guid = "1b1b1b1b-0000-4000-8000-000000000001"
    source = path or f"internal://{guid}.txt"
    return (
        f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Lille">
  <CodeBook><Codes><Code guid="1b1b1b1b-0000-4000-8000-0000000000c1" name="Tillid" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{guid}" name="Kort" plainTextPath="{source}">
      <PlainTextSelection guid="1b1b1b1b-0000-4000-8000-000000000002" {selection}>
        <Coding guid="1b1b1b1b-0000-4000-8000-000000000003"><CodeRef targetGUID="1b1b1b1b-0000-4000-8000-0000000000c1"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>""",
        {f"sources/{guid}.txt": "R: Tillid er godt.\n"},
    )


def write_archive(path: Path, qde: str | None, files: dict[str, str], qde_name="project.qde"):
    with zipfile.ZipFile(path, "w") as archive:
        if qde is not None:
            archive.writestr(qde_name, qde)
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def tampered(path: Path, *, encrypted: bool = False, method: int | None = None) -> Path:
    """`path` with its last entry marked encrypted or given another compression method in
    both its headers, as a password-protected or Windows Explorer (Deflate64) zip has it."""
    with zipfile.ZipFile(path) as archive:
        last = archive.infolist()[-1]
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last entry's central directory header
    for flags, compression in (
        (last.header_offset + 6, last.header_offset + 8),
        (central + 8, central + 10),
    ):
        if encrypted:
            data[flags] |= 1
        if method is not None:
            data[compression : compression + 2] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def test_entries_named_with_backslashes_are_found(tmp_path):
    qde, files = minimal()
    windows = {name.replace("/", "\\"): text for name, text in files.items()}
    assert all("\\" in name for name in windows)
    report = import_qdpx(write_archive(tmp_path / "w.qdpx", qde, windows), tmp_path / "w.frisat")
    with open_project(tmp_path / "w.frisat") as project:
        assert coded(project) == {("Tillid", "Tillid", "imported")}
    assert report.not_imported == []


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"PK but not really a zip archive")
    return path


def test_a_minimal_archive_imports(tmp_path):
    qde, files = minimal()
    report = import_qdpx(write_archive(tmp_path / "ok.qdpx", qde, files), tmp_path / "ok.frisat")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.frisat", "ok.qdpx"]
    with open_project(tmp_path / "ok.frisat") as project:
        assert coded(project) == {("Tillid", "Tillid", "imported")}
    assert report.counts["codings"] == 1 and report.not_imported == []


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (lambda p: not_a_zip(p), "bad.qdpx: not a .qdpx file (not a ZIP archive)"),
        (lambda p: write_archive(p, None, {"sources/a.txt": "x"}), "bad.qdpx: no project.qde"),
        (
            lambda p: write_archive(p, "<Project>\n<Users>\n</Project>", {}),
            "bad.qdpx: project.qde line 3: not well-formed XML",
        ),
        (
            lambda p: write_archive(p, '<Project xmlns="urn:QDA-XML:project:1:0" name="x"/>', {}),
            "bad.qdpx: project.qde line 1: the root element is",
        ),
        (
            lambda p: write_archive(
                p, *minimal('startPosition="1234" endPosition="1200"'), qde_name="x.qde"
            ),
            "bad.qdpx: x.qde line 6: PlainTextSelection 1234-1200 ends before it starts",
        ),
        (
            lambda p: write_archive(p, *minimal('startPosition="a" endPosition="9"')),
            "bad.qdpx: project.qde line 6: PlainTextSelection startPosition 'a' is not a whole"
            " number",
        ),
        (
            lambda p: write_archive(p, minimal(path="internal://missing.txt")[0], {}),
            "bad.qdpx: project.qde line 5: TextSource 'Kort': internal://missing.txt is not in"
            " the archive",
        ),
        (
            lambda p: write_archive(p, None, {"a.qde": "<x/>", "b.qde": "<x/>"}),
            "bad.qdpx: several project files (a.qde, b.qde)",
        ),
        (
            lambda p: tampered(write_archive(p, *minimal()), encrypted=True),
            "bad.qdpx: sources/1b1b1b1b-0000-4000-8000-000000000001.txt: encrypted"
            " (password-protected), which we cannot read; export the project again without a"
            " password",
        ),
        (
            lambda p: tampered(write_archive(p, *minimal()), method=9),
            "bad.qdpx: sources/1b1b1b1b-0000-4000-8000-000000000001.txt: compressed with"
            " Deflate64, which Python cannot read; re-zip the project with standard deflate",
        ),
        (
            lambda p: write_archive(
                p, minimal()[0], {"sources/1b1b1b1b-0000-4000-8000-000000000001.txt": b"\xff"}
            ),
            "bad.qdpx: sources/1b1b1b1b-0000-4000-8000-000000000001.txt: not UTF-8 text",
        ),
    ],
)
def test_bad_archives_fail_with_one_line_and_leave_nothing(tmp_path, archive, message):
    source = archive(tmp_path / "bad.qdpx")
    target = tmp_path / "out" / "new.frisat"
    target.parent.mkdir()
    with pytest.raises(FrisatError) as caught:
        import_qdpx(source, target)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)
    assert list(target.parent.iterdir()) == []


def test_import_refuses_an_existing_project(tmp_path):
    qde, files = minimal()
    target = tmp_path / "there.frisat"
    target.write_bytes(b"precious")
    with pytest.raises(FrisatError, match="exists already"):
        import_qdpx(write_archive(tmp_path / "a.qdpx", qde, files), target)
    assert target.read_bytes() == b"precious"


def test_a_failure_while_storing_leaves_no_project_behind(tmp_path, monkeypatch):
    qde, files = minimal()
    source = write_archive(tmp_path / "a.qdpx", qde, files)
    target = tmp_path / "out" / "new.frisat"
    target.parent.mkdir()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(qdpx_import, "store_prepared", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_qdpx(source, target)
    assert list(target.parent.iterdir()) == []


def test_selections_that_do_not_fit_are_listed_not_stored(tmp_path):
    qde, files = minimal('name="Tillid" startPosition="3" endPosition="99"')
    report = import_qdpx(write_archive(tmp_path / "a.qdpx", qde, files), tmp_path / "a.frisat")
    assert report.counts["codings"] == 0
    assert report.not_imported == [
        "Kort: selection 3-99 lies outside the text (19 characters) (project.qde line 6)"
    ]


# --------------------------------------------------------------------------- pieces


def test_source_text_translates_positions_of_every_counting():
    raw = "Æ😀\r\nø\nå"
    text = SourceText(raw)
    assert text.text == "Æ😀\nø\nå"
    standard, atlas, nvivo = (qdpx_import.COUNTINGS[i] for i in (0, 1, 2))
    assert text.span(standard, 0, 2) == (0, 2)
    assert text.span(standard, 4, 5) == (3, 4)  # after the CRLF, which is stored as LF
    assert text.span(standard, 3, 5) == (2, 4)  # starting on the LF of the CRLF
    assert text.span(atlas, 3, 4) == (3, 4)
    # NVivo: the emoji is two UTF-16 units, the lone LF after ø counts as two
    assert text.span(nvivo, 5, 6) == (3, 4) and text.span(nvivo, 8, 9) == (5, 6)
    assert text.span(nvivo, 1, 2) is None  # inside the emoji
    assert text.span(standard, 0, 99) is None


def test_excerpt_matching_tolerates_layout_but_not_other_text():
    assert excerpt_matches("Vi har droppet flere…", "Vi har\r\ndroppet flere lokale regler.")
    assert excerpt_matches("VI HAR", "vi har")
    assert not excerpt_matches("Reference 1", "Vi har droppet")
    assert not excerpt_matches("", "Vi har")


def test_core_exchange_does_not_import_textual_or_rich():
    code = (
        "import sys\n"
        "import frisat_qual.exchange.qdpx_export, frisat_qual.exchange.qdpx_import\n"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
