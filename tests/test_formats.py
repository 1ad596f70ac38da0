"""Reading transcripts: encodings, normalisation, docx, odt, vtt, srt and the errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from odf import dc, office
from odf import table as odf_table
from odf import text as odf_text
from odf.namespaces import TEXTNS
from odf.opendocument import OpenDocumentText
from odf.teletype import addTextToElement

from frisat_qual.corpus import formats
from frisat_qual.corpus.formats import (
    MAX_BYTES,
    decode_bytes,
    normalise_text,
    read_source,
    repair_mojibake,
)
from frisat_qual.errors import ImportError_
from frisat_qual.models import ParsedDocument, ParsedTurn

DANISH = "Søren og Æble-Åse bor på Ærø; ØSTER Ålborg, æøå."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def said(doc: ParsedDocument, turn: ParsedTurn) -> str:
    return doc.text[turn.start : turn.end]


def label(doc: ParsedDocument, turn: ParsedTurn) -> str:
    return doc.text[turn.label_start : turn.label_end]


def import_error(path: Path) -> str:
    with pytest.raises(ImportError_) as info:
        read_source(path)
    message = str(info.value)
    assert "\n" not in message
    assert path.name in message
    return message


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (DANISH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + DANISH.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + DANISH.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + DANISH.encode("utf-16-be"), "utf-16-be"),
        (DANISH.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_bytes_reads_each_encoding(data: bytes, encoding: str) -> None:
    assert decode_bytes(data, "x.txt") == (DANISH, encoding)


def test_cp1252_falls_back_to_latin1_for_undefined_bytes() -> None:
    data = "Ærø ".encode("cp1252") + b"\x81" + " ok".encode("cp1252")
    assert decode_bytes(data, "x.txt") == ("Ærø \x81 ok", "cp1252")


def test_windows_1252_text_file_reads_with_danish_letters(tmp_path: Path) -> None:
    path = write(
        tmp_path, "k1.txt", "I: Hvad så, Søren?\r\nR: Det gør vi på Ærø.\r\n".encode("cp1252")
    )
    doc = read_source(path)
    assert doc.encoding == "cp1252"
    assert doc.text == "I: Hvad så, Søren?\nR: Det gør vi på Ærø."
    assert [said(doc, t) for t in doc.turns] == ["Hvad så, Søren?", "Det gør vi på Ærø."]


def test_utf16_text_file_reads(tmp_path: Path) -> None:
    path = write(tmp_path, "k2.txt", "\ufeffI: Hvordan går det?\r\nR: Godt, tak.".encode("utf-16"))
    doc = read_source(path)
    assert doc.encoding in {"utf-16-le", "utf-16-be"}
    assert doc.text == "I: Hvordan går det?\nR: Godt, tak."
    assert [t.speaker for t in doc.turns] == ["I", "R"]


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("SÃ¸ren", "Søren"),
        ("Ã†ble og Ã¦ble", "Æble og æble"),
        ("Ã…se pÃ¥ Ã˜ster", "Åse på Øster"),
        ("â€œfrisÃ¦ttelseâ€\x9d â€“ sagde hun", "“frisættelse” – sagde hun"),
        ("dobbelt: sÃƒÂ¸ren", "dobbelt: søren"),
        ("intet at rette: São Tomé og Ærø", "intet at rette: São Tomé og Ærø"),
    ],
)
def test_repair_mojibake(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed


def test_mojibake_in_a_utf8_file_is_repaired_on_import(tmp_path: Path) -> None:
    path = write(tmp_path, "k3.txt", "I: Hvad siger SÃ¸ren?\nR: Ã†ldreomrÃ¥det er frisat.")
    doc = read_source(path)
    assert "Ã" not in doc.text
    assert doc.text == "I: Hvad siger Søren?\nR: Ældreområdet er frisat."


def test_utf8_with_stray_windows_1252_bytes_keeps_both_readable() -> None:
    # Invalid UTF-8 sends the file down the cp1252 path; the UTF-8 parts are then mojibake
    # that the repair turns back.
    data = "Søren: ".encode() + "æble på Ærø".encode("cp1252")
    assert decode_bytes(data, "x.txt") == ("Søren: æble på Ærø", "cp1252")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"tekst\x00med NUL",
        bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 10 + b"lidt tekst",
    ],
)
def test_binary_content_in_a_txt_is_refused(tmp_path: Path, data: bytes) -> None:
    assert "binary" in import_error(write(tmp_path, "optagelse.txt", data))


# --------------------------------------------------------------------------- normalisation


def test_normalise_text() -> None:
    raw = "\n\n  \nLinje et   \r\nLinje to\t\rå\r\n\r\n\r\n\r\nSidste\u2028linje  \n\n\n"
    assert normalise_text(raw) == "Linje et\nLinje to\nå\n\nSidste\nlinje"
    assert normalise_text("\n\n  indrykket\n\n") == "  indrykket"
    assert normalise_text("bla\x01bla\ufeff") == "blabla"


def test_txt_import_normalises_and_offsets_refer_to_final_text(tmp_path: Path) -> None:
    raw = "\r\n\r\nI: Hva\u0308 ma\u030angler?   \r\n\r\n\r\n\r\nR: Alt.  \r\n"
    doc = read_source(write(tmp_path, "k4.TXT", raw))
    assert doc.format == "txt"
    assert doc.text == "I: Hvä mångler?\n\nR: Alt."
    assert [said(doc, t) for t in doc.turns] == ["Hvä mångler?", "Alt."]
    assert [label(doc, t) for t in doc.turns] == ["I:", "R:"]


def test_markdown_with_bold_labels(tmp_path: Path) -> None:
    doc = read_source(write(tmp_path, "k5.md", "# Interview\n\n**I:** Hej?\n\n**R:** Hej."))
    assert doc.format == "md"
    assert [(t.speaker, said(doc, t)) for t in doc.turns] == [("I", "Hej?"), ("R", "Hej.")]
    assert [label(doc, t) for t in doc.turns] == ["**I:**", "**R:**"]


# --------------------------------------------------------------------------- errors


def test_empty_file(tmp_path: Path) -> None:
    assert "empty" in import_error(write(tmp_path, "tom.txt", b""))


@pytest.mark.parametrize("name", ["blank.txt", "blank.md", "blank.vtt"])
def test_file_with_only_whitespace_has_no_text(tmp_path: Path, name: str) -> None:
    message = import_error(write(tmp_path, name, " \r\n\t\n"))
    assert "no text" in message or "no subtitle cues" in message


@pytest.mark.parametrize("name", ["notat.pdf", "README"])
def test_unknown_format_names_the_supported_formats(tmp_path: Path, name: str) -> None:
    message = import_error(write(tmp_path, name, "tekst"))
    assert "unknown format" in message
    for suffix in (".txt", ".md", ".docx", ".odt", ".vtt", ".srt"):
        assert suffix in message


def test_file_larger_than_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "stor.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 50 MB written to disk
    message = import_error(path)
    assert "larger than the 50 MB limit" in message


def test_size_limit_is_the_module_constant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_BYTES", 10)
    assert "larger than" in import_error(write(tmp_path, "lille.txt", "I: elleve tegn"))


def test_missing_file_and_folder_are_unreadable(tmp_path: Path) -> None:
    assert "cannot be read" in import_error(tmp_path / "findes-ikke.txt")
    (tmp_path / "mappe.txt").mkdir()
    assert "cannot be read" in import_error(tmp_path / "mappe.txt")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip_without(data: bytes, member: str, replacement: bytes | None = None) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {n: source.read(n) for n in source.namelist() if n != member}
    if replacement is not None:
        entries[member] = replacement
    return _zip(entries)


def test_corrupt_docx_files(tmp_path: Path) -> None:
    valid = docx.Document()
    valid.add_paragraph("I: Hej.")
    good = _docx_bytes(valid)
    assert "not a zip archive" in import_error(write(tmp_path, "a.docx", b"PK\x03\x04 ikke en zip"))
    missing = import_error(write(tmp_path, "b.docx", _zip_without(good, "word/document.xml")))
    assert "word/document.xml" in missing
    broken = _zip_without(good, "word/document.xml", b"<w:document><w:body>")
    assert "not a valid .docx" in import_error(write(tmp_path, "c.docx", broken))


def _odt_bytes(document: OpenDocumentText) -> bytes:
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def test_corrupt_odt_files(tmp_path: Path) -> None:
    valid = OpenDocumentText()
    valid.text.addElement(odf_text.P(text="I: Hej."))
    good = _odt_bytes(valid)
    assert "not a zip archive" in import_error(write(tmp_path, "a.odt", b"ikke en zip"))
    missing = import_error(write(tmp_path, "b.odt", _zip_without(good, "content.xml")))
    assert "content.xml" in missing
    broken = _zip_without(good, "content.xml", b"<office:document-content><office:body")
    assert "not a valid .odt" in import_error(write(tmp_path, "c.odt", broken))


def test_docx_without_text(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    assert "no text" in import_error(write(tmp_path, "tom.docx", _docx_bytes(document)))


# --------------------------------------------------------------------------- docx


def _tracked(kind: str, change_id: int, text: str) -> object:
    # A deleted run keeps its tab and line break too; none of it may reach the text.
    tag, extra = ("w:delText", "<w:tab/><w:br/>") if kind == "del" else ("w:t", "")
    return parse_xml(
        f'<w:{kind} {nsdecls("w")} w:id="{change_id}" w:author="Redaktør" '
        f'w:date="2024-03-01T10:00:00Z"><w:r>{extra}<{tag} xml:space="preserve">{text}</{tag}>'
        f"</w:r></w:{kind}>"
    )


def build_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Interview med leder, kommune 2", level=1)
    document.add_paragraph("Interviewer: Hvordan har frisættelsen været?")
    paragraph = document.add_paragraph("Informant: Den har været ")
    paragraph._p.append(_tracked("ins", 1, "rigtig "))
    paragraph._p.append(_tracked("del", 2, "meget dårlig og "))
    commented = paragraph.add_run("god.")
    document.add_comment(commented, text="HEMMELIG KOMMENTAR", author="Forsker")
    document.add_paragraph("")
    document.add_paragraph("")
    document.add_paragraph("Vi har fjernet mange regler.")
    table = document.add_table(rows=5, cols=3)
    rows = [
        ("Tid", "Taler", "Tekst"),
        ("00:14:05", "Interviewer", "Hvad med dokumentationen?"),
        ("Informant", "[00:15:10]", "Den er skåret ned."),
        ("Kommune", "Aarhus, Midt", "Skole, 2024"),
        ("", "", ""),
    ]
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    two = document.add_table(rows=1, cols=2)
    two.cell(0, 0).text = "Interviewer:"
    two.cell(0, 1).text = "Tak for snakken."
    merged = document.add_paragraph("Denne sætning ")
    merged._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:rPr {nsdecls("w")}><w:del w:id="3" w:author="Redaktør" '
            f'w:date="2024-03-01T10:00:00Z"/></w:rPr>'
        )
    )
    document.add_paragraph("fortsætter her.")
    path.write_bytes(_docx_bytes(document))
    return path


def test_docx_body_order_tables_tracked_changes_and_comments(tmp_path: Path) -> None:
    doc = read_source(build_docx(tmp_path / "leder.docx"))
    assert doc.format == "docx"
    assert doc.text == (
        "Interview med leder, kommune 2\n"
        "Interviewer: Hvordan har frisættelsen været?\n"
        "Informant: Den har været rigtig god.\n"
        "\n"
        "Vi har fjernet mange regler.\n"
        "Tid | Taler | Tekst\n"
        "[00:14:05] Interviewer: Hvad med dokumentationen?\n"
        "[00:15:10] Informant: Den er skåret ned.\n"
        "Kommune | Aarhus, Midt | Skole, 2024\n"
        "Interviewer: Tak for snakken.\n"
        "Denne sætning fortsætter her."
    )
    assert "HEMMELIG" not in doc.text
    assert "dårlig" not in doc.text
    speakers = [(t.speaker, t.t_start, t.t_end) for t in doc.turns]
    assert speakers == [
        ("Interviewer", None, None),
        ("Informant", None, None),
        ("Interviewer", 845.0, 910.0),
        ("Informant", 910.0, None),
        ("Interviewer", None, None),
    ]
    assert said(doc, doc.turns[1]) == (
        "Den har været rigtig god.\n\nVi har fjernet mange regler.\nTid | Taler | Tekst"
    )
    assert label(doc, doc.turns[2]) == "Interviewer:"
    assert said(doc, doc.turns[3]) == "Den er skåret ned.\nKommune | Aarhus, Midt | Skole, 2024"


# --------------------------------------------------------------------------- odt


def build_odt(path: Path) -> Path:
    document = OpenDocumentText()
    changes = odf_text.TrackedChanges()
    for change_id, kind in (("ct1", odf_text.Deletion), ("ct2", odf_text.Insertion)):
        region = odf_text.ChangedRegion(
            qattributes={(TEXTNS, "id"): change_id}, check_grammar=False
        )
        change = kind()
        info = office.ChangeInfo()
        info.addElement(dc.Creator(text="Redaktør"))
        info.addElement(dc.Date(text="2024-03-01T10:00:00"))
        change.addElement(info)
        if kind is odf_text.Deletion:
            change.addElement(odf_text.P(text="SLETTET TEKST"))
        region.addElement(change)
        changes.addElement(region)
    document.text.addElement(changes)
    document.text.addElement(odf_text.H(outlinelevel=1, text="Interview, forvaltning"))
    question = odf_text.P()
    addTextToElement(question, "I: Hvad   betyder\ttillid?\nFor dig?")
    document.text.addElement(question)
    answer = odf_text.P()
    answer.addText("R: Det betyder ")
    answer.addElement(odf_text.Change(changeid="ct1"))
    answer.addElement(odf_text.ChangeStart(changeid="ct2"))
    answer.addText("ret meget ")
    answer.addElement(odf_text.ChangeEnd(changeid="ct2"))
    note = office.Annotation()
    note.addElement(dc.Creator(text="Forsker"))
    note.addElement(odf_text.P(text="HEMMELIG KOMMENTAR"))
    answer.addElement(note)
    answer.addText("for os.")
    document.text.addElement(answer)
    document.text.addElement(odf_text.P())
    document.text.addElement(odf_text.P())
    table = odf_table.Table()
    for cells in (
        ("Interviewer", "00:20:00", "Og målene?"),
        ("R", "Færre mål."),
        ("a", "b", "c", "d"),
    ):
        row = odf_table.TableRow()
        for value in cells:
            cell = odf_table.TableCell()
            cell.addElement(odf_text.P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    path.write_bytes(_odt_bytes(document))
    return path


def test_odt_paragraphs_spaces_tables_and_ignored_changes_and_annotations(tmp_path: Path) -> None:
    doc = read_source(build_odt(tmp_path / "forvaltning.ODT"))
    assert doc.format == "odt"
    assert doc.text == (
        "Interview, forvaltning\n"
        "I: Hvad   betyder\ttillid?\nFor dig?\n"
        "R: Det betyder ret meget for os.\n"
        "\n"
        "[00:20:00] Interviewer: Og målene?\n"
        "R: Færre mål.\n"
        "a | b | c | d"
    )
    assert [(t.speaker, t.t_start) for t in doc.turns] == [
        ("I", None),
        ("R", None),
        ("Interviewer", 1200.0),
        ("R", None),
    ]
    assert said(doc, doc.turns[0]) == "Hvad   betyder\ttillid?\nFor dig?"
    assert said(doc, doc.turns[3]) == "Færre mål.\na | b | c | d"


# --------------------------------------------------------------------------- vtt / srt

VTT = """WEBVTT
Kind: captions
Language: da

NOTE
Eksporteret fra Teams --> med talere

STYLE
::cue { color: white }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Mette Hansen>Velkommen, skal vi <i>starte</i>?</v>

2
00:00:05.000 --> 00:00:07.000
<v Mette Hansen>Jeg har tre spørgsmål.</v>

3
00:00:07.500 --> 00:00:12.250
<v.loud Jens Berg>Ja, <b>lad</b> os det &amp; <c.yellow>kom</c> i gang.

00:12.500 --> 00:15.000
<v Jens Berg>Vi startede i 2019.</v>

01:00:00.000 --> 01:00:02.000
<v Mette Hansen>Tak.</v> <v Jens Berg>Selv tak.</v>
"""


def test_vtt_voice_tags_merge_cues_and_build_timestamped_paragraphs(tmp_path: Path) -> None:
    doc = read_source(write(tmp_path, "teams.vtt", VTT))
    assert doc.format == "vtt"
    assert doc.encoding == "utf-8"
    assert doc.text == (
        "[00:00:01] Mette Hansen: Velkommen, skal vi starte? Jeg har tre spørgsmål.\n\n"
        "[00:00:07] Jens Berg: Ja, lad os det & kom i gang. Vi startede i 2019.\n\n"
        "[01:00:00] Mette Hansen: Tak.\n\n"
        "[01:00:00] Jens Berg: Selv tak."
    )
    assert normalise_text(doc.text) == doc.text
    assert [(t.speaker, t.t_start, t.t_end) for t in doc.turns] == [
        ("Mette Hansen", 1.0, 7.0),
        ("Jens Berg", 7.5, 15.0),
        ("Mette Hansen", 3600.0, 3602.0),
        ("Jens Berg", 3600.0, 3602.0),
    ]
    assert [label(doc, t) for t in doc.turns] == [
        "Mette Hansen:",
        "Jens Berg:",
        "Mette Hansen:",
        "Jens Berg:",
    ]
    assert said(doc, doc.turns[1]) == "Ja, lad os det & kom i gang. Vi startede i 2019."
    assert "Eksporteret" not in doc.text and "color" not in doc.text and "intro" not in doc.text


def test_vtt_without_speakers_keeps_each_cue_with_an_empty_speaker(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nFørste sætning.\n\n"
        "00:00:03.000 --> 00:00:05.000\nAnden\nsætning.\n"
    )
    doc = read_source(write(tmp_path, "whisper.vtt", vtt))
    assert doc.text == "[00:00:01] Første sætning.\n\n[00:00:03] Anden sætning."
    assert [t.speaker for t in doc.turns] == ["", ""]
    first = doc.turns[0]
    assert first.label_start == first.label_end == first.start
    assert said(doc, doc.turns[1]) == "Anden sætning."


SRT = """1
00:00:01,000 --> 00:00:03,000
Speaker 1: Hvordan oplever du frisættelsen?

2
00:00:03,500 --> 00:00:06,000
Speaker 2: Vi har fået mere frihed.

3
00:00:06,000 --> 00:00:09,000
Speaker 2: Men også mere ansvar.

4
00:00:09,000 --> 00:00:10,000
[SPEAKER_01]: Hvordan det?

5
00:00:10,000 --> 00:00:12,000
(Speaker 2) Det er sådan: vi skal selv finde vejen.

6
00:00:12,000 --> 00:00:13,000
[griner] og det er svært.

7
00:00:13,000 --> 00:00:14,000
Speaker 1: Forstår.

8
00:00:14,000 --> 00:00:15,000
Punkt 1: det var det.
"""


def test_srt_speaker_prefixes_merge_and_unnamed_cues_continue(tmp_path: Path) -> None:
    doc = read_source(write(tmp_path, "noscribe.srt", SRT.replace("\n", "\r\n")))
    assert doc.format == "srt"
    assert [(t.speaker, t.t_start, t.t_end) for t in doc.turns] == [
        ("Speaker 1", 1.0, 3.0),
        ("Speaker 2", 3.5, 9.0),
        ("SPEAKER_01", 9.0, 10.0),
        ("Speaker 2", 10.0, 13.0),
        ("Speaker 1", 13.0, 15.0),
    ]
    assert [said(doc, t) for t in doc.turns] == [
        "Hvordan oplever du frisættelsen?",
        "Vi har fået mere frihed. Men også mere ansvar.",
        "Hvordan det?",
        "Det er sådan: vi skal selv finde vejen. [griner] og det er svært.",
        "Forstår. Punkt 1: det var det.",
    ]
    assert doc.text.startswith("[00:00:01] Speaker 1: Hvordan oplever du frisættelsen?\n\n")
    assert label(doc, doc.turns[2]) == "SPEAKER_01:"


def test_srt_without_blank_lines_between_cues(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nTaler 1: Hej.\n"
        "2\n00:00:02,000 --> 00:00:03,000\nTaler 2: Dav.\n"
    )
    doc = read_source(write(tmp_path, "tæt.srt", srt))
    assert [(t.speaker, said(doc, t)) for t in doc.turns] == [
        ("Taler 1", "Hej."),
        ("Taler 2", "Dav."),
    ]


def test_subtitle_errors_name_the_line(tmp_path: Path) -> None:
    message = import_error(write(tmp_path, "fejl.srt", "1\n00:00:01 --> senere\nHej\n"))
    assert "line 2" in message and "cue times" in message
    assert "no subtitle cues" in import_error(
        write(tmp_path, "ingen.vtt", "WEBVTT\n\nBare tekst.\n")
    )
