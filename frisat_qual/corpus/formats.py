"""Read interview transcripts from the file formats researchers actually have.

Provides `read_source`, which turns a .txt, .md, .docx, .odt, .vtt or .srt file into a
`ParsedDocument` (normalised text plus speaker turns), and the pieces it is built from:
`decode_bytes`, `repair_mojibake` and `normalise_text`.

Transcripts arrive from many hands: Word files with tracked changes and comments,
LibreOffice files, Windows-1252 text from an old Notepad, UTF-8 text that was once read
as Windows-1252 ("sÃ¸ren"), subtitles from Whisper, noScribe or Teams. Everything after
import works on character offsets into one text per interview, so all cleaning happens
here, once, and the offsets of the turns refer to the final text. Every failure is an
`ImportError_` with one line naming the file, so the bad file in a folder of fifty is
easy to find.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import stat
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
from lxml import etree
from odf import opendocument
from odf.element import Element, Node
from odf.namespaces import DRAWNS, OFFICENS, TABLENS, TEXTNS

from frisat_qual.corpus.turns import (
    accepted_labels,
    clock_to_seconds,
    detect_turns,
    is_conventional_label,
    looks_like_label,
    normalise_speaker,
    seconds_to_clock,
)
from frisat_qual.errors import ImportError_
from frisat_qual.models import ParsedDocument, ParsedTurn

#: Larger files are refused before they are read: no interview transcript is this big,
#: so such a file is a recording or a mistake.
MAX_BYTES = 50 * 1024 * 1024

#: File suffix (lower case) -> format name stored with the document.
FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".docx": "docx",
    ".odt": "odt",
    ".vtt": "vtt",
    ".srt": "srt",
}
#: The suffixes `read_source` accepts, for callers that filter a folder first.
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FORMATS)

Reader = Callable[[bytes, str], tuple[str, list[ParsedTurn], str | None]]


def read_source(path: Path) -> ParsedDocument:
    """Read one transcript file into normalised text and speaker turns.

    The format follows the suffix (case-insensitive). Raises `ImportError_` with one line
    naming the file when it cannot be read, is empty, too large, binary, corrupt or of an
    unknown format, or holds no text.
    """
    path = Path(path)
    name = path.name
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = f"'{path.suffix}'" if path.suffix else "no file extension"
        raise _error(name, f"unknown format ({shown}); supported formats are {_supported()}")
    data = _read_bytes(path, name)
    text, turns, encoding = _READERS[fmt](data, name)
    if not text.strip():
        raise _error(name, "the file contains no text")
    return ParsedDocument(
        source_name=name, format=fmt, text=text, turns=tuple(turns), encoding=encoding
    )


def _supported() -> str:
    return ", ".join(SUPPORTED_SUFFIXES)


def _error(name: str, reason: str) -> ImportError_:
    return ImportError_(" ".join(f"{name}: {reason}".split()))


def _read_bytes(path: Path, name: str) -> bytes:
    try:
        info = path.stat()
    except OSError as exc:
        raise _error(name, f"cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(info.st_mode):
        raise _error(name, "cannot be read (it is not a regular file)")
    if info.st_size > MAX_BYTES:
        raise _error(
            name,
            f"the file is {_megabytes(info.st_size)}, larger than the "
            f"{_megabytes(MAX_BYTES)} limit for transcripts",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _error(name, f"cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise _error(name, "the file is empty")
    return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


# --------------------------------------------------------------------------- text decoding

# Bytes that Windows-1252 leaves undefined; they are read as Latin-1 instead.
_CP1252_UNDEFINED = re.compile(rb"([\x81\x8d\x8f\x90\x9d]+)")
# C0 controls other than tab, line breaks and form feed; C1 controls are left out because
# they are what Windows-1252's undefined bytes decode to.
_BINARY_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode the bytes of a text file; returns the text and the encoding name used.

    Tries, in order: UTF-8 with BOM ("utf-8-sig"), UTF-16 LE/BE with BOM ("utf-16-le",
    "utf-16-be"), strict UTF-8 ("utf-8"), and Windows-1252 ("cp1252", with the five bytes
    it leaves undefined read as Latin-1). Binary data (NUL bytes without a UTF-16 BOM, or
    many control characters) raises `ImportError_`. UTF-8 text that was double-encoded
    once ("Ã¸" for "ø") is repaired with `repair_mojibake`.
    """
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _strict(data[3:], "utf-8", name, "utf-8-sig"), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE):
        text, encoding = _strict(data[2:], "utf-16-le", name, "utf-16"), "utf-16-le"
    elif data.startswith(codecs.BOM_UTF16_BE):
        text, encoding = _strict(data[2:], "utf-16-be", name, "utf-16"), "utf-16-be"
    elif b"\x00" in data:
        raise _error(
            name,
            "looks like a binary file, not text (it contains NUL bytes; UTF-16 text needs "
            "a byte-order mark)",
        )
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_cp1252(data), "cp1252"
    _refuse_binary(text, name)
    return repair_mojibake(text), encoding


def _strict(data: bytes, codec: str, name: str, shown: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _error(
            name, f"starts with a {shown} byte-order mark but byte {exc.start + 1} is not {shown}"
        ) from exc


def _decode_cp1252(data: bytes) -> str:
    parts = _CP1252_UNDEFINED.split(data)
    # re.split with a group alternates: defined bytes, undefined run, defined bytes, ...
    return "".join(
        part.decode("latin-1") if i % 2 else part.decode("cp1252") for i, part in enumerate(parts)
    )


def _refuse_binary(text: str, name: str) -> None:
    body = text.rstrip("\x1a")  # DOS end-of-file marker in old text files
    controls = len(_BINARY_CONTROLS.findall(body))
    if "\x00" in body or (controls >= 3 and controls * 50 > len(body)):
        raise _error(name, "looks like a binary file, not text (it has many control characters)")


def _cp1252_byte(ch: str) -> bytes:
    try:
        return ch.encode("cp1252")
    except UnicodeEncodeError:
        return ch.encode("latin-1")


# Characters that UTF-8 lead bytes (0xC2-0xF4) and continuation bytes (0x80-0xBF) become
# when UTF-8 is wrongly read as Windows-1252.
_CONTINUATION = "".join(_decode_cp1252(bytes([b])) for b in range(0x80, 0xC0))
_CONT = "[" + re.escape(_CONTINUATION) + "]"
_MOJIBAKE_HINT = re.compile(f"[ÃÂâ]{_CONT}")
_MOJIBAKE_RUN = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}"
)


def _plausible_repair(ch: str) -> bool:
    # Repairs must give characters Danish text uses (Latin letters, punctuation, €, ™);
    # anything else means the match was real text, not mojibake.
    code = ord(ch)
    return 0xA0 <= code <= 0x24F or 0x2000 <= code <= 0x206F or ch in "€™"


def _unmangle(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        repaired = b"".join(_cp1252_byte(ch) for ch in run).decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return run
    return repaired if all(_plausible_repair(ch) for ch in repaired) else run


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was read as Windows-1252 ("sÃ¸ren" -> "søren", "â€œ" -> "“").

    Only runs that decode back to valid UTF-8 and to ordinary Latin letters or punctuation
    are replaced, so genuine text stays as it is. Double-encoded text is repaired too.
    """
    for _ in range(3):
        if not _MOJIBAKE_HINT.search(text):
            break
        repaired = _MOJIBAKE_RUN.sub(_unmangle, text)
        if repaired == text:
            break
        text = repaired
    return text


# --------------------------------------------------------------------------- normalisation

_LINE_BREAKS = str.maketrans({"\v": "\n", "\u2028": "\n", "\f": "\n\n", "\u2029": "\n\n"})
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufeff]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """The canonical form every stored text has.

    NFC, LF line endings (CRLF, CR, vertical tab and Unicode line separators become LF),
    stray control characters and BOMs removed, no trailing whitespace on any line, at most
    one blank line in a row, and no blank lines at the start or end.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(ch in text for ch in "\v\f\u2028\u2029"):  # translate() is slow: only when needed
        text = text.translate(_LINE_BREAKS)
    text = unicodedata.normalize("NFC", _DROPPED.sub("", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


# --------------------------------------------------------------------------- plain text


def _read_plain(data: bytes, name: str) -> tuple[str, list[ParsedTurn], str | None]:
    raw, encoding = decode_bytes(data, name)
    text = normalise_text(raw)
    return text, detect_turns(text), encoding


def _from_markup_text(raw: str) -> tuple[str, list[ParsedTurn], str | None]:
    text = normalise_text(repair_mojibake(raw))
    return text, detect_turns(text), None


# --------------------------------------------------------------------------- tables

_CELL_CLOCK = re.compile(r"[\[(]?(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?")
_HEADER_WORDS = frozenset(
    {
        "taler",
        "talere",
        "speaker",
        "navn",
        "person",
        "rolle",
        "tid",
        "tidspunkt",
        "tidskode",
        "time",
        "timestamp",
        "start",
        "tekst",
        "text",
        "udsagn",
        "transskription",
        "indhold",
        "replik",
        "utterance",
    }
)


def _table_lines(rows: list[list[str]]) -> list[str]:
    lines = []
    for row in rows:
        cells = [c for c in (" ".join(cell.split()) for cell in row) if c]
        if cells:
            lines.append(_row_line(cells))
    return lines


def _row_line(cells: list[str]) -> str:
    """One table row as one line; speaker rows become "[hh:mm:ss] Label: text"."""
    plain = " | ".join(cells)
    if not 2 <= len(cells) <= 3 or all(c.rstrip(":").casefold() in _HEADER_WORDS for c in cells):
        return plain
    *heads, said = cells
    stamp: str | None = None
    label: str | None = None
    for head in heads:
        clock = _CELL_CLOCK.fullmatch(head)
        if clock and stamp is None:
            stamp = seconds_to_clock(clock_to_seconds(clock.group(1)))
            continue
        name = normalise_speaker(head)
        if label is None and looks_like_label(name):
            label = name
            continue
        return plain
    prefix = f"[{stamp}] " if stamp else ""
    return f"{prefix}{label}: {said}" if label else f"{prefix}{said}"


# --------------------------------------------------------------------------- docx

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Deleted text, field codes, formatting and the fallback copies of drawings carry no text
# a reader of the accepted document would see.
_DOCX_SKIP = frozenset(
    {
        f"{_W}del",
        f"{_W}moveFrom",
        f"{_W}delText",
        f"{_W}instrText",
        f"{_W}delInstrText",
        f"{_W}pPr",
        f"{_W}rPr",
        f"{_W}sdtPr",
        f"{_W}sdtEndPr",
        f"{_W}rt",
        f"{_MC}Fallback",
    }
)


def _read_docx(data: bytes, name: str) -> tuple[str, list[ParsedTurn], str | None]:
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except zipfile.BadZipFile as exc:
        raise _error(name, "is not a valid .docx file (not a zip archive)") from exc
    except KeyError as exc:
        raise _error(name, f"is not a valid .docx file (missing part: {exc.args[0]})") from exc
    except etree.XMLSyntaxError as exc:
        raise _error(name, f"is not a valid .docx file (broken XML: {exc})") from exc
    except Exception as exc:  # python-docx signals other damage with assorted exceptions
        raise _error(name, f"is not a valid .docx file ({exc})") from exc
    lines: list[str] = []
    carry = ""
    for block in _docx_blocks(body):
        if block.tag == f"{_W}tbl":
            if carry:
                lines.append(carry)
                carry = ""
            lines.extend(_table_lines(_docx_rows(block)))
            continue
        text = carry + _docx_text(block)
        # A deleted paragraph mark joins this paragraph to the next once accepted.
        if block.find(f"{_W}pPr/{_W}rPr/{_W}del") is not None:
            carry = text
            continue
        carry = ""
        lines.append(text)
    if carry:
        lines.append(carry)
    return _from_markup_text("\n".join(lines))


def _docx_blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables in body order, looking inside content controls."""
    for child in container.iterchildren():
        if child.tag in (f"{_W}p", f"{_W}tbl"):
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content)
        elif child.tag in (f"{_W}customXml", f"{_W}ins", f"{_W}moveTo"):
            yield from _docx_blocks(child)


def _docx_text(paragraph: etree._Element) -> str:
    parts: list[str] = []
    _docx_collect(paragraph, parts)
    return "".join(parts)


def _docx_collect(element: etree._Element, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _DOCX_SKIP:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}tab":
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif tag == f"{_W}p":  # a paragraph inside a text box
            parts.append("\n")
            _docx_collect(child, parts)
            parts.append("\n")
        else:
            _docx_collect(child, parts)


def _docx_rows(table: etree._Element) -> list[list[str]]:
    rows = []
    for row in _docx_children(table, f"{_W}tr"):
        if row.find(f"{_W}trPr/{_W}del") is not None:
            continue
        cells = []
        for cell in _docx_children(row, f"{_W}tc"):
            texts = []
            for block in _docx_blocks(cell):
                if block.tag == f"{_W}tbl":
                    texts.extend(" ".join(r) for r in _docx_rows(block))
                else:
                    texts.append(_docx_text(block))
            cells.append(" ".join(texts))
        rows.append(cells)
    return rows


def _docx_children(element: etree._Element, tag: str) -> Iterator[etree._Element]:
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _docx_children(child, tag)


# --------------------------------------------------------------------------- odt

_ODF_SPACE = re.compile(r"[ \t\r\n]+")
_ODT_SKIP_TEXT = frozenset(
    {"tracked-changes", "note", "sequence-decls", "variable-decls", "user-field-decls"}
)
_ODT_ROW_GROUPS = frozenset({"table-header-rows", "table-rows", "table-row-group"})


def _read_odt(data: bytes, name: str) -> tuple[str, list[ParsedTurn], str | None]:
    try:
        document = opendocument.load(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _error(name, "is not a valid .odt file (not a zip archive)") from exc
    except KeyError as exc:
        raise _error(name, f"is not a valid .odt file (missing part: {exc.args[0]})") from exc
    except Exception as exc:  # odfpy reports broken XML through several SAX exceptions
        raise _error(name, f"is not a valid .odt file ({exc})") from exc
    if not document.mimetype.startswith("application/vnd.oasis.opendocument.text"):
        raise _error(name, f"is not an OpenDocument text file (it is {document.mimetype})")
    body = getattr(document, "text", None)
    if body is None:
        raise _error(name, "is not a valid .odt file (missing the text body in content.xml)")
    lines: list[str] = []
    _odt_blocks(body, lines)
    return _from_markup_text("\n".join(lines))


def _odt_blocks(element: Element, lines: list[str]) -> None:
    for child in element.childNodes:
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        ns, local = child.qname
        if ns == TEXTNS and local in ("p", "h"):
            lines.append(_odt_inline(child))
        elif ns == TABLENS and local == "table":
            lines.extend(_table_lines(_odt_rows(child)))
        elif (ns == TEXTNS and local in _ODT_SKIP_TEXT) or ns == OFFICENS:
            continue  # tracked changes hold deleted text; annotations are comments
        elif local.endswith("-source"):
            continue  # index templates, not document text
        else:
            _odt_blocks(child, lines)  # lists, sections, indexes, frames


@dataclass
class _OdtLine:
    parts: list[str] = field(default_factory=list)
    # ODF collapses white space in text nodes; a space already ending the output absorbs
    # the next node's leading space, and the paragraph start absorbs it too.
    open_space: bool = True


def _odt_inline(paragraph: Element) -> str:
    line = _OdtLine()
    _odt_collect(paragraph, line)
    return "".join(line.parts)


def _odt_collect(element: Element, line: _OdtLine) -> None:
    for child in element.childNodes:
        if child.nodeType == Node.TEXT_NODE:
            text = _ODF_SPACE.sub(" ", child.data)
            if line.open_space:
                text = text.lstrip(" ")
            if text:
                line.parts.append(text)
                line.open_space = text.endswith(" ")
            continue
        if child.nodeType != Node.ELEMENT_NODE:
            continue
        ns, local = child.qname
        if ns == TEXTNS and local == "s":
            count = child.getAttrNS(TEXTNS, "c")
            line.parts.append(" " * int(count or 1))
            line.open_space = False
        elif ns == TEXTNS and local == "tab":
            line.parts.append("\t")
            line.open_space = False
        elif ns == TEXTNS and local == "line-break":
            line.parts.append("\n")
            line.open_space = True
        elif (ns == TEXTNS and local in _ODT_SKIP_TEXT) or ns in (OFFICENS, DRAWNS):
            continue  # notes, annotations (comments), images and frames
        else:
            _odt_collect(child, line)


def _odt_rows(table: Element) -> list[list[str]]:
    rows: list[list[str]] = []
    for child in table.childNodes:
        if child.nodeType != Node.ELEMENT_NODE or child.qname[0] != TABLENS:
            continue
        local = child.qname[1]
        if local == "table-row":
            cells = []
            for cell in child.childNodes:
                if cell.nodeType == Node.ELEMENT_NODE and cell.qname == (TABLENS, "table-cell"):
                    texts: list[str] = []
                    _odt_blocks(cell, texts)
                    cells.append(" ".join(texts))
            rows.append(cells)
        elif local in _ODT_ROW_GROUPS:
            rows.extend(_odt_rows(child))
    return rows


# --------------------------------------------------------------------------- subtitles

_SUB_CLOCK = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_CUE_TIMES = re.compile(rf"\s*(?P<a>{_SUB_CLOCK})\s*-->\s*(?P<b>{_SUB_CLOCK})(?:\s.*)?")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:\s|$)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>|\{\\[^}]*\}")
_BRACKET_PREFIX = re.compile(
    r"\s*(?:\[(?P<b>[^\]]{1,30})\]|\((?P<p>[^)]{1,30})\))(?P<colon>\s*:)?\s*"
)
_PLAIN_PREFIX = re.compile(r"\s*(?P<name>[^\s:\[\]()][^:]{0,29}):\s+")


@dataclass
class _Cue:
    start: float
    end: float
    lines: list[str] = field(default_factory=list)


@dataclass
class _Said:
    speaker: str | None  # None: no label on this cue
    start: float
    end: float
    text: str
    via_prefix: bool = False  # speaker taken from a "Name:" prefix, which can be a sentence
    unprefixed: str = ""  # the text as it was before the prefix was taken off


@dataclass
class _SubTurn:
    speaker: str
    start: float
    end: float
    texts: list[str]


def _read_subtitles(data: bytes, name: str) -> tuple[str, list[ParsedTurn], str | None]:
    raw, encoding = decode_bytes(data, name)
    cues = _parse_cues(raw.replace("\r\n", "\n").replace("\r", "\n"), name)
    if not cues:
        raise _error(
            name, "has no subtitle cues (expected lines like '00:00:01.000 --> 00:00:04.000')"
        )
    said = [piece for cue in cues for piece in _cue_pieces(cue)]
    # Every named cue counts towards what is established; only "Name:" prefixes are judged.
    prefixed = accepted_labels(Counter(s.speaker for s in said if s.speaker))
    for piece in said:
        if piece.via_prefix and piece.speaker not in prefixed:
            piece.speaker, piece.text = None, piece.unprefixed
    text, turns = _subtitle_text(_merge_cues(said))
    return text, turns, encoding


def _parse_cues(raw: str, name: str) -> list[_Cue]:
    cues: list[_Cue] = []
    skipping = False
    after_blank = True
    last_text_line = 0  # line number of the last text line added to a cue
    block_start = 0  # line number of the first line of the current block
    for number, line in enumerate(raw.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            skipping, after_blank = False, True
            continue
        if after_blank:
            block_start = number
            skipping = bool(_SKIPPED_BLOCK.match(stripped))
        after_blank = False
        if skipping:
            continue
        if "-->" in stripped:
            times = _CUE_TIMES.fullmatch(stripped)
            if times is None:
                raise _error(name, f"line {number}: cannot read the cue times '{stripped}'")
            # The line just above a timing line is the cue's number or identifier.
            if cues and last_text_line == number - 1 and cues[-1].lines:
                above = cues[-1].lines[-1].strip()
                if block_start == number - 1 or above.isdigit():
                    cues[-1].lines.pop()
            cues.append(
                _Cue(clock_to_seconds(times.group("a")), clock_to_seconds(times.group("b")))
            )
        elif cues:
            cues[-1].lines.append(stripped)
            last_text_line = number
    return cues


def _cue_pieces(cue: _Cue) -> list[_Said]:
    """What a cue says, split by voice; "<v A>Hej</v> <v B>Hej</v>" gives two pieces."""
    parts = _VOICE.split(" ".join(cue.lines))
    pieces = []
    voiced: list[tuple[str | None, str]] = [(None, parts[0])]
    voiced += [
        (normalise_speaker(name or "") or None, body)
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    ]
    for speaker, body in voiced:
        unprefixed = " ".join(normalise_text(html.unescape(_TAG.sub("", body))).split())
        text, via_prefix = unprefixed, False
        if speaker is None:
            speaker, text, via_prefix = _speaker_prefix(unprefixed)
        if text:
            pieces.append(_Said(speaker, cue.start, cue.end, text, via_prefix, unprefixed))
    return pieces


def _speaker_prefix(text: str) -> tuple[str | None, str, bool]:
    """The speaker named at the start of cue text, the rest, and whether it needs counting.

    "[SPEAKER_01]: ..." and "(Speaker 2) ..." are taken as they are when the name follows
    a convention; a bracketed name with a colon must look like a label; "[griner]" is an
    annotation. A plain "Mette: ..." is only a candidate: it is kept when `accepted_labels`
    accepts it across the whole file.
    """
    bracket = _BRACKET_PREFIX.match(text)
    if bracket:
        name = normalise_speaker(bracket.group("b") or bracket.group("p"))
        if is_conventional_label(name) or (bracket.group("colon") and looks_like_label(name)):
            return name, text[bracket.end() :], False
        return None, text, False
    plain = _PLAIN_PREFIX.match(text)
    if plain:
        name = normalise_speaker(plain.group("name"))
        if looks_like_label(name):
            return name, text[plain.end() :], not is_conventional_label(name)
    return None, text, False


def _merge_cues(said: list[_Said]) -> list[_SubTurn]:
    """Consecutive cues by one speaker become one turn.

    In a file where some cues name a speaker, an unnamed cue continues the current turn
    (tools often name the speaker only when it changes). In a file where no cue names a
    speaker, nothing says two cues are by the same person, so each cue stays a turn.
    """
    any_speaker = any(s.speaker for s in said)
    turns: list[_SubTurn] = []
    for piece in said:
        speaker = piece.speaker
        if turns and any_speaker and (speaker is None or speaker == turns[-1].speaker):
            turns[-1].texts.append(piece.text)
            turns[-1].end = max(turns[-1].end, piece.end)
        else:
            turns.append(_SubTurn(speaker or "", piece.start, piece.end, [piece.text]))
    return turns


def _subtitle_text(turns: list[_SubTurn]) -> tuple[str, list[ParsedTurn]]:
    paragraphs: list[str] = []
    parsed: list[ParsedTurn] = []
    position = 0
    for turn in turns:
        if paragraphs:
            position += 2  # the blank line between paragraphs
        stamp = f"[{seconds_to_clock(turn.start)}] "
        said = " ".join(turn.texts)
        label = f"{turn.speaker}:" if turn.speaker else ""
        paragraph = f"{stamp}{label} {said}" if label else f"{stamp}{said}"
        label_start = position + len(stamp)
        label_end = label_start + len(label)
        start = position + len(paragraph) - len(said)
        parsed.append(
            ParsedTurn(
                speaker=turn.speaker,
                start=start,
                end=start + len(said),
                label_start=label_start,
                label_end=label_end,
                t_start=turn.start,
                t_end=turn.end,
            )
        )
        paragraphs.append(paragraph)
        position += len(paragraph)
    return "\n\n".join(paragraphs), parsed


_READERS: dict[str, Reader] = {
    "txt": _read_plain,
    "md": _read_plain,
    "docx": _read_docx,
    "odt": _read_odt,
    "vtt": _read_subtitles,
    "srt": _read_subtitles,
}
