"""Import a REFI-QDA project (.qdpx) made by NVivo, ATLAS.ti, MAXQDA, QualCoder or by us.

`import_qdpx` makes a NEW project from a .qdpx: codebook, documents (with speaker turns and
segments, like any import), codings, cases with their attributes, and memos. What does not
map onto our model (pictures, PDFs, audio and video, sets, graphs, links, selections that do
not fit their text, ...) is listed in the report, never dropped in silence.

Positions. REFI-QDA counts Unicode code points of the plain text, half-open, and that is
what we read. But tools differ: NVivo 12 for Windows counts every line break as CRLF and
counts UTF-16 units (an emoji is two); ATLAS.ti counts a CRLF as one character. The
import therefore tries each way of counting on every selection and checks it: against the
selection's `name` when tools write the excerpt there (ATLAS.ti, us), else, document by
document, by how many of the selections a way of counting moves then start and end on word
boundaries (only those tell the ways apart: a one-line answer reads the same in all). The
way that fits is used and named in the report; where nothing settles it, positions are read
as the standard says and the report names the documents to check, so shifted codings are
never stored in silence. A selection that still does not fit its text is listed, not
stored.

Texts are stored as the source has them, with one exception that keeps the project's rule
that every stored text has LF line endings: CRLF and CR become LF (a leading BOM is
dropped, positions count after it). Offsets are translated exactly, so every coding covers
the same characters it covered in the other tool. A source that comes only as a Word file
is read like any Word transcript; positions cannot refer to that text, so only selections
whose excerpt (name) is found at their position are kept.

The project is built in a temporary file next to the target and renamed into place when
complete: any error leaves no project behind, and the error names the .qdpx file, the
archive entry and the line of project.qde at fault.
"""

from __future__ import annotations

import codecs
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from lxml import etree

from frisat_qual.codebook.manage import load_into_project
from frisat_qual.codebook.refi import normalise_color, parse_code_tree, slug
from frisat_qual.corpus.formats import MAX_BYTES, read_source
from frisat_qual.corpus.importer import prepare_document, store_prepared
from frisat_qual.corpus.turns import detect_turns
from frisat_qual.errors import FrisatError, ImportError_
from frisat_qual.exchange.codings_csv import on_word_boundaries
from frisat_qual.exchange.qdpx import (
    OUR_ORIGIN,
    PROJECT_ENTRY,
    PROJECT_NS,
    ImportReport,
    Progress,
    excerpt_matches,
    normalise_guid,
)
from frisat_qual.models import Codebook, CodeSpec, ParsedDocument
from frisat_qual.store import create_project
from frisat_qual.store.cases import upsert_case
from frisat_qual.store.documents import now_utc
from frisat_qual.store.journal import Recorder
from frisat_qual.store.project import Project
from frisat_qual.store.settings import set_setting
from frisat_qual.tempfiles import remove_with_sidecars, temp_beside

_NS = f"{{{PROJECT_NS}}}"
#: project.qde can be large (inline texts); refuse only the absurd.
MAX_PROJECT_BYTES = 512 * 1024 * 1024
#: Suffixes dropped from source names to make document names (our names are file stems).
_NAME_SUFFIXES = (".txt", ".docx", ".doc", ".rtf", ".odt", ".md", ".pdf")
_VALUE_TAGS = {
    _NS + t
    for t in (
        "TextValue",
        "BooleanValue",
        "IntegerValue",
        "FloatValue",
        "DateValue",
        "DateTimeValue",
    )
}
#: ZIP compression methods Python's zipfile cannot read, by number (APPNOTE 4.4.5); Windows
#: Explorer writes Deflate64 for large files.
_COMPRESSION_NAMES = {
    6: "Implode",
    9: "Deflate64",
    10: "PKWARE DCL Implode",
    12: "bzip2",
    14: "LZMA",
    98: "PPMd",
}
_OTHER_SOURCES = {
    _NS + "PictureSource": "picture",
    _NS + "PDFSource": "PDF",
    _NS + "AudioSource": "audio",
    _NS + "VideoSource": "video",
}


# --------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class Counting:
    """One way a tool may count positions: how line breaks count and whether characters
    outside the Basic Multilingual Plane (emoji) count as two UTF-16 units."""

    label: str
    breaks: str  # "as-is", "crlf-as-one" or "lf-as-crlf"
    utf16: bool


#: In order of preference: the standard first, then the tools' habits.
COUNTINGS = (
    Counting("code points (the REFI-QDA standard)", "as-is", False),
    Counting("code points with a CRLF counted as one (as ATLAS.ti counts)", "crlf-as-one", False),
    Counting(
        "UTF-16 units with every line break counted as CRLF (as NVivo counts)", "lf-as-crlf", True
    ),
    Counting("code points with every line break counted as CRLF", "lf-as-crlf", False),
    Counting("UTF-16 units", "as-is", True),
    Counting("UTF-16 units with a CRLF counted as one", "crlf-as-one", True),
)
STANDARD = COUNTINGS[0]


class SourceText:
    """A source's text as the other tool had it (`raw`) and as we store it (`text`: CRLF and
    CR become LF), with the translation of positions under each `Counting`.

    The translation tables take some 40 bytes a character; they are built when first
    needed and `forget` drops them, so that an import of many long sources holds the
    tables of one source at a time, not of all (1,000 interviews: 2.6 GB otherwise)."""

    def __init__(self, raw: str):
        self.raw = raw
        self.text = raw.replace("\r\n", "\n").replace("\r", "\n")
        self._base: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._units: dict[Counting, np.ndarray | None] = {}

    def _tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(CR of a CRLF, LF without CR, astral character, raw index -> stored index)."""
        if self._base is None:
            codes = np.frombuffer(self.raw.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            cr, lf = codes == 13, codes == 10
            cr_of_crlf = np.zeros(len(codes), dtype=bool)
            cr_of_crlf[:-1] = cr[:-1] & lf[1:]
            lone_lf = lf.copy()
            lone_lf[1:] &= ~cr[:-1]
            # raw index -> stored index: the characters kept before it
            stored = np.concatenate(([0], np.cumsum(~cr_of_crlf)))
            self._base = (cr_of_crlf, lone_lf, codes > 0xFFFF, stored)
        return self._base

    def forget(self) -> None:
        """Drop the translation tables; they are built again when next needed."""
        self._base = None
        self._units = {}

    def _cumulative(self, counting: Counting) -> np.ndarray | None:
        """Units before each raw index under `counting`; None when it counts like code
        points anyway (so trying it tells nothing new)."""
        if counting not in self._units:
            cr_of_crlf, lone_lf, astral, _ = self._tables()
            weight = np.ones(len(astral), dtype=np.int64)
            if counting.breaks == "crlf-as-one":
                weight -= cr_of_crlf
            elif counting.breaks == "lf-as-crlf":
                weight += lone_lf
            if counting.utf16:
                weight += astral
            same = counting != STANDARD and bool((weight == 1).all())
            self._units[counting] = None if same else np.concatenate(([0], np.cumsum(weight)))
        return self._units[counting]

    def applies(self, counting: Counting) -> bool:
        return counting == STANDARD or self._cumulative(counting) is not None

    def span(self, counting: Counting, start: int, end: int) -> tuple[int, int] | None:
        """The stored span of positions counted the `counting` way; None when a position
        lies beyond the text or inside a character (e.g. between the halves of a CRLF)."""
        units = self._cumulative(counting)
        if units is None:
            units = self._cumulative(STANDARD)
        assert units is not None
        found = np.searchsorted(units, [start, end], side="left")
        if found[1] >= len(units) or units[found[0]] != start or units[found[1]] != end:
            return None
        stored = self._tables()[3]
        return int(stored[found[0]]), int(stored[found[1]])


# --------------------------------------------------------------------------- parsed model


@dataclass
class _Coding:
    code: str | None
    user: str | None
    created: str | None
    notes: list[str]
    line: int


@dataclass
class _Selection:
    guid: str | None
    start: int
    end: int
    name: str
    line: int
    codings: list[_Coding]
    notes: list[str]
    description: str
    user: str | None
    span: tuple[int, int] | None = None  # the stored span, once checked


@dataclass
class _Source:
    guid: str
    name: str
    line: int
    text: SourceText
    trusted: bool  # positions refer to this text (not to a Word file we re-read)
    fmt: str
    selections: list[_Selection]
    whole: list[_Coding]
    notes: list[str]
    description: str
    values: list[tuple[str | None, str | None, int]]  # variable, value, line
    user: str | None
    counting: Counting = STANDARD
    doc_name: str = ""


@dataclass
class _Case:
    guid: str | None
    name: str
    line: int
    attributes: dict[str, str]
    sources: list[str]
    description: str


@dataclass
class _Note:
    text: str
    user: str | None
    created: str | None
    updated: str | None
    line: int


@dataclass
class _Memo:
    target_type: str
    target: Any  # resolved to our id when stored
    text: str
    user: str | None
    created: str | None
    updated: str | None


class _Listing:
    """What did not map, grouped as "subject: reason (project.qde lines ...)"."""

    def __init__(self, entry: str):
        self.entry = entry
        self.groups: dict[tuple[str, str], list[int]] = {}

    def add(self, subject: str, reason: str, line: int | None = None) -> None:
        lines = self.groups.setdefault((subject, reason), [])
        if line:
            lines.append(line)

    def lines(self) -> list[str]:
        out = []
        for (subject, reason), lines in self.groups.items():
            where = ""
            if lines:
                shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
                where = f" ({self.entry} line{'s' if len(lines) > 1 else ''} {shown})"
            count = f"{len(lines)} × " if len(lines) > 1 else ""
            out.append(f"{subject}: {count}{reason}{where}")
        return out


# --------------------------------------------------------------------------- archive


class _Archive:
    """The .qdpx ZIP: its project file and the files it refers to, read with size checks."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise FrisatError(f"{path.name}: not a .qdpx file (not a ZIP archive)") from None
        except OSError as exc:
            raise FrisatError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
        for info in self.zip.infolist():
            # zipped on Windows by some tools: "sources\\<guid>.txt" means sources/<guid>.txt
            # (reading goes by the entry's orig_filename, which stays as it is)
            info.filename = info.filename.replace("\\", "/")
        self.files = [
            i
            for i in self.zip.infolist()
            if not i.is_dir() and not i.filename.startswith("__MACOSX/")
        ]
        self.by_base: dict[str, list[zipfile.ZipInfo]] = {}
        for info in self.files:
            base = PurePosixPath(info.filename).name.lower()
            self.by_base.setdefault(base, []).append(info)
        self.qde = self._project_entry()

    def _project_entry(self) -> zipfile.ZipInfo:
        standard = [i for i in self.files if i.filename.lower() == PROJECT_ENTRY]
        if standard:
            return standard[0]
        found = [i for i in self.files if i.filename.lower().endswith(".qde")]
        if len(found) == 1:
            return found[0]
        if not found:
            raise FrisatError(f"{self.path.name}: no {PROJECT_ENTRY} in the archive")
        names = ", ".join(i.filename for i in found)
        raise FrisatError(f"{self.path.name}: several project files ({names}); expected one")

    def read(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        if info.file_size > limit:
            raise FrisatError(
                f"{self.path.name}: {info.filename} is {info.file_size // (1024 * 1024)} MB,"
                f" larger than the {limit // (1024 * 1024)} MB limit"
            )
        where = f"{self.path.name}: {info.filename}"
        encrypted = FrisatError(
            f"{where}: encrypted (password-protected), which we cannot read; export the"
            " project again without a password"
        )
        if info.flag_bits & 0x1:
            raise encrypted
        try:
            return self.zip.read(info)
        except NotImplementedError:
            method = _COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise FrisatError(
                f"{where}: compressed with {method}, which Python cannot read; re-zip the"
                " project with standard deflate"
            ) from None
        except RuntimeError:  # zipfile's "encrypted, password required for extraction"
            raise encrypted from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            raise FrisatError(f"{where}: damaged ({exc})") from None

    def find(self, path: str) -> zipfile.ZipInfo | None:
        """The archive entry a source path names: `internal://x.txt` and a bare `x.txt` mean
        sources/x.txt (or Sources/x.txt); a folder elsewhere is accepted too."""
        name = path.strip()
        if name.lower().startswith("internal://"):
            name = name[len("internal://") :]
        name = name.replace("\\", "/").lstrip("/")
        candidates = self.by_base.get(PurePosixPath(name).name.lower(), [])
        for info in candidates:
            folder = str(PurePosixPath(info.filename).parent).lower()
            if folder in ("sources", ".") and PurePosixPath(info.filename).name == (
                PurePosixPath(name).name
            ):
                return info
        return candidates[0] if candidates else None

    def close(self) -> None:
        self.zip.close()


def _decode(data: bytes, where: str) -> str:
    """A source's text: UTF-8 (REFI-QDA's encoding) with any BOM dropped, or UTF-16 with a
    BOM; positions count after the BOM."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data, chosen = data[len(bom) :], codec
            break
    else:
        chosen = "utf-8"
    try:
        return data.decode(chosen)
    except UnicodeDecodeError as exc:
        raise FrisatError(f"{where}: not {chosen.upper()} text (byte {exc.start + 1})") from None


def _stamp(value: str | None) -> str | None:
    """An xs:dateTime as stored (UTC, microseconds, Z); None when absent or unreadable."""
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- reading


class _Reader:
    """Reads project.qde into the parsed model, raising on what is malformed and listing
    what does not map."""

    def __init__(self, archive: _Archive, coder_fallback: str, report: ImportReport):
        self.archive = archive
        self.entry = archive.qde.filename
        self.fallback = coder_fallback
        self.report = report
        self.listing = _Listing(self.entry)
        self.users: dict[str, str] = {}
        self.codes: list[tuple[Any, CodeSpec]] = []
        self.code_ids: dict[str, str] = {}
        self.variables: dict[str, str] = {}
        self.cases: list[_Case] = []
        self.sources: list[_Source] = []
        self.source_guids: set[str] = set()
        self.notes: dict[str, _Note] = {}
        self.memos: list[tuple[str, Any, str | None, str]] = []  # type, target, note, text
        self.case_notes: list[tuple[str, str]] = []
        self.descriptions: dict[str, int] = {}
        self.project_name = ""

    def where(self, el: Any) -> str:
        return f"{self.archive.path.name}: {self.entry} line {el.sourceline}"

    def fail(self, el: Any, message: str) -> FrisatError:
        return FrisatError(f"{self.where(el)}: {message}")

    def parse(self) -> None:
        data = self.archive.read(self.archive.qde, MAX_PROJECT_BYTES)
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno or (exc.position[0] if exc.position else 0)
            message = (exc.msg or str(exc)).split(", line ")[0]
            raise FrisatError(
                f"{self.archive.path.name}: {self.entry} line {line}: not well-formed XML"
                f" ({message})"
            ) from None
        if root.tag != _NS + "Project":
            raise self.fail(
                root,
                f"the root element is {root.tag!r}; expected Project in namespace {PROJECT_NS}",
            )
        self.project_name = (root.get("name") or "").strip()
        self.report.origin = (root.get("origin") or "").strip()
        for child in root:
            tag = child.tag
            if tag == _NS + "Users":
                self._users(child)
            elif tag == _NS + "CodeBook":
                self._codebook(child)
            elif tag == _NS + "Variables":
                self._variables(child)
        # cases refer to sources and sources to variables: read in this order
        for child in root:
            tag = child.tag
            if tag == _NS + "Notes":
                for note in child:
                    self._note(note)
            elif tag == _NS + "Sources":
                for source in child:
                    self._source(source)
        for child in root:
            tag = child.tag
            if tag == _NS + "Cases":
                for case in child:
                    self._case(case)
            elif tag == _NS + "Links":
                for link in child:
                    self._link(link)
            elif tag == _NS + "Sets":
                for item in child:
                    self.listing.add("sets", "REFI-QDA sets are not imported", item.sourceline)
            elif tag == _NS + "Graphs":
                for item in child:
                    self.listing.add("graphs", "graphs are not imported", item.sourceline)
            elif tag == _NS + "Description":
                self._description("project", None, child)
            elif tag == _NS + "NoteRef":
                self._note_ref("project", None, child)

    def guid(self, el: Any, attribute: str = "guid", *, required: bool = True) -> str | None:
        raw = el.get(attribute)
        value = normalise_guid(raw)
        if value is None and (required or raw):
            what = etree.QName(el).localname
            shown = f" {raw!r}" if raw else ""
            raise self.fail(el, f"{what} has no valid {attribute}{shown}")
        return value

    def _users(self, users: Any) -> None:
        for user in users:
            guid = self.guid(user)
            name = (user.get("name") or user.get("id") or "").strip()
            self.users[guid] = name or f"user {guid[:8]}"

    def user(self, el: Any, attribute: str = "creatingUser") -> str | None:
        guid = normalise_guid(el.get(attribute))
        if guid is None:
            return None
        if guid not in self.users:
            self.listing.add(
                "users",
                f"a {attribute} not among the project's Users; its work is by {self.fallback!r}",
                el.sourceline,
            )
            return None
        return self.users[guid]

    def _codebook(self, book: Any) -> None:
        codes_el = book.find(_NS + "Codes")
        if codes_el is None:
            return
        for el, code in parse_code_tree(codes_el, ns=PROJECT_NS):
            raw = el.get("color")
            if raw and normalise_color(raw) is None:
                self.listing.add(
                    f"code {code.label!r}",
                    f"colour {raw!r} is not a REFI-QDA colour; the default grey is used",
                    el.sourceline,
                )
            guid = normalise_guid(el.get("guid"))
            if guid is None:
                raise self.fail(el, f"Code {code.label!r} has no valid guid")
            if guid in self.code_ids:
                raise self.fail(el, f"Code {code.label!r} has the guid of another code ({guid})")
            self.code_ids[guid] = code.id
            self.codes.append((el, code))
            for ref in el.findall(_NS + "NoteRef"):
                self._note_ref("code", code.id, ref)

    def _variables(self, variables: Any) -> None:
        for var in variables:
            guid = self.guid(var)
            name = (var.get("name") or "").strip()
            if not name:
                raise self.fail(var, "Variable has no name")
            self.variables[guid] = name

    def _value(self, el: Any) -> tuple[str | None, str | None]:
        """A VariableValue's variable name and value as text (None when it has neither)."""
        ref = el.find(_NS + "VariableRef")
        name = self.variables.get(self.guid(ref, "targetGUID")) if ref is not None else None
        values = [c for c in el if c.tag in _VALUE_TAGS]
        if name is None:
            self.listing.add("variable values", "refer to no known Variable", el.sourceline)
            return None, None
        if not values:
            self.listing.add(
                f"variable {name!r}",
                "value of an unknown type (not Text, Boolean, Integer, Float, Date or DateTime)",
                el.sourceline,
            )
            return None, None
        return name, (values[0].text or "").strip()

    def _note(self, note: Any) -> None:
        guid = self.guid(note)
        content = note.find(_NS + "PlainTextContent")
        if content is not None:
            text = content.text or ""
        elif note.get("plainTextPath"):
            info = self.archive.find(note.get("plainTextPath"))
            if info is None:
                raise self.fail(
                    note, f"Note's text {note.get('plainTextPath')!r} is not in the archive"
                )
            text = _decode(
                self.archive.read(info, MAX_BYTES), f"{self.archive.path.name}: {info.filename}"
            )
        else:
            text = ""
        if (
            note.find(_NS + "PlainTextSelection") is not None
            or note.find(_NS + "Coding") is not None
        ):
            self.listing.add("notes", "codings inside a note are not imported", note.sourceline)
        self.notes[guid] = _Note(
            text.strip(),
            self.user(note),
            _stamp(note.get("creationDateTime")),
            _stamp(note.get("modifiedDateTime")),
            note.sourceline,
        )

    def _note_ref(self, target_type: str, target: Any, ref: Any) -> None:
        guid = self.guid(ref, "targetGUID")
        self.memos.append((target_type, target, guid, ""))

    def _description(self, target_type: str, target: Any, el: Any) -> None:
        text = (el.text or "").strip() if el is not None else ""
        if text:
            self.memos.append((target_type, target, None, text))
            self.descriptions[target_type] = self.descriptions.get(target_type, 0) + 1

    def _coding(self, el: Any) -> _Coding:
        refs = el.findall(_NS + "CodeRef")
        if len(refs) != 1:
            raise self.fail(el, f"Coding has {len(refs)} CodeRef elements; expected one")
        code = self.guid(refs[0], "targetGUID")
        return _Coding(
            self.code_ids.get(code, None) if code else None,
            self.user(el),
            _stamp(el.get("creationDateTime")),
            [self.guid(r, "targetGUID") for r in el.findall(_NS + "NoteRef")],
            el.sourceline,
        )

    def _position(self, el: Any, attribute: str) -> int:
        raw = (el.get(attribute) or "").strip()
        try:
            value = int(raw)
        except ValueError:
            raise self.fail(
                el, f"PlainTextSelection {attribute} {raw!r} is not a whole number"
            ) from None
        if value < 0:
            raise self.fail(el, f"PlainTextSelection {attribute} {value} is negative")
        return value

    def _source(self, el: Any) -> None:
        if el.tag in _OTHER_SOURCES:
            kind = _OTHER_SOURCES[el.tag]
            name = el.get("name") or el.get("path") or "(unnamed)"
            self.listing.add(
                f"{kind} source {name!r}", f"{kind} sources are not imported", el.sourceline
            )
            return
        if el.tag != _NS + "TextSource":
            return
        guid = self.guid(el)
        if guid in self.source_guids:
            raise self.fail(el, f"a second TextSource with guid {guid}")
        self.source_guids.add(guid)
        name = (el.get("name") or "").strip()
        text, trusted, fmt = self._source_text(el, name or guid)
        if text is None:
            return
        source = _Source(
            guid=guid,
            name=name,
            line=el.sourceline,
            text=text,
            trusted=trusted,
            fmt=fmt,
            selections=[],
            whole=[],
            notes=[],
            description="",
            values=[],
            user=self.user(el),
        )
        for child in el:
            tag = child.tag
            if tag == _NS + "PlainTextSelection":
                start, end = (
                    self._position(child, "startPosition"),
                    self._position(child, "endPosition"),
                )
                if end < start:
                    raise self.fail(
                        child, f"PlainTextSelection {start}-{end} ends before it starts"
                    )
                description = child.find(_NS + "Description")
                source.selections.append(
                    _Selection(
                        guid=self.guid(child, required=False),
                        start=start,
                        end=end,
                        name=child.get("name") or "",
                        line=child.sourceline,
                        codings=[self._coding(c) for c in child.findall(_NS + "Coding")],
                        notes=[self.guid(r, "targetGUID") for r in child.findall(_NS + "NoteRef")],
                        description=(description.text or "").strip()
                        if description is not None
                        else "",
                        user=self.user(child),
                    )
                )
            elif tag == _NS + "Coding":
                source.whole.append(self._coding(child))
            elif tag == _NS + "NoteRef":
                source.notes.append(self.guid(child, "targetGUID"))
            elif tag == _NS + "Description":
                source.description = (child.text or "").strip()
            elif tag == _NS + "VariableValue":
                variable, value = self._value(child)
                source.values.append((variable, value, child.sourceline))
        self.sources.append(source)

    def _source_text(self, el: Any, shown: str) -> tuple[SourceText | None, bool, str]:
        """The text of a TextSource, whether its positions can be trusted, and its format."""
        content = el.find(_NS + "PlainTextContent")
        plain, rich = el.get("plainTextPath"), el.get("richTextPath")
        if content is not None:
            return SourceText(content.text or ""), True, "txt"
        for path, kind in ((plain, "txt"), (rich, "docx")):
            if not path or not path.strip():
                continue
            lowered = path.strip().lower()
            if lowered.startswith(("relative://", "absolute://", "file://", "http")):
                if kind == "txt" and not rich:
                    self.listing.add(
                        f"text source {shown!r}",
                        f"its text is outside the archive ({path}); not imported",
                        el.sourceline,
                    )
                    return None, False, ""
                continue
            info = self.archive.find(path)
            if info is None:
                raise self.fail(el, f"TextSource {shown!r}: {path} is not in the archive")
            data = self.archive.read(info, MAX_BYTES)
            if kind == "txt":
                where = f"{self.archive.path.name}: {info.filename}"
                return SourceText(_decode(data, where)), True, "txt"
            if not info.filename.lower().endswith(".docx"):
                self.listing.add(
                    f"text source {shown!r}",
                    f"only a rich text file of a kind we cannot read ({info.filename})",
                    el.sourceline,
                )
                return None, False, ""
            return SourceText(self._docx_text(data, info.filename)), False, "docx"
        self.listing.add(f"text source {shown!r}", "has no text", el.sourceline)
        return None, False, ""

    def _docx_text(self, data: bytes, entry: str) -> str:
        # read like any Word transcript, through the importer's own reader
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / PurePosixPath(entry).name
            path.write_bytes(data)
            try:
                return read_source(path).text
            except ImportError_ as exc:
                raise FrisatError(f"{self.archive.path.name}: {exc}") from None

    def _case(self, el: Any) -> None:
        guid = self.guid(el, required=False)
        attributes: dict[str, str] = {}
        sources: list[str] = []
        description = ""
        for child in el:
            tag = child.tag
            if tag == _NS + "VariableValue":
                variable, value = self._value(child)
                if variable is not None and value:
                    attributes[variable] = value
            elif tag == _NS + "SourceRef":
                sources.append(self.guid(child, "targetGUID"))
            elif tag == _NS + "Description":
                description = (child.text or "").strip()
            elif tag == _NS + "CodeRef":
                self.listing.add(
                    "cases", "codes applied to a whole case (CodeRef)", child.sourceline
                )
            elif tag == _NS + "SelectionRef":
                self.listing.add(
                    "cases", "selections linked to a case (SelectionRef)", child.sourceline
                )
        name = (el.get("name") or "").strip()
        self.cases.append(_Case(guid, name, el.sourceline, attributes, sources, description))

    def _link(self, el: Any) -> None:
        ends = {
            self.guid(el, "originGUID", required=False),
            self.guid(el, "targetGUID", required=False),
        } - {None}
        notes = [g for g in ends if g in self.notes]
        cases = [c for c in self.cases if c.guid in ends]
        if len(notes) == 1 and len(cases) == 1:
            self.case_notes.append((cases[0].guid, notes[0]))
            return
        self.listing.add("links", "links between objects are not imported", el.sourceline)


# --------------------------------------------------------------------------- checking


def _choose_countings(sources: list[_Source], report: ImportReport) -> bool:
    """Decide how each source's positions are counted (see the module doc); True when
    the selections' names are excerpts, so every selection can be checked by its name."""
    trusted = [s for s in sources if s.trusted and s.selections]
    by_name: dict[int, dict[Counting, int]] = {}
    for source in trusted:
        scores = {}
        for counting in COUNTINGS:
            if not source.text.applies(counting):
                continue
            hits = 0
            for sel in source.selections:
                if sel.name.strip():
                    span = source.text.span(counting, sel.start, sel.end)
                    if span and excerpt_matches(sel.name, source.text.text[span[0] : span[1]]):
                        hits += 1
            scores[counting] = hits
        by_name[id(source)] = scores
        source.text.forget()
    # names are excerpts when, each document read its best way, most named selections match
    # (a tool that names selections "Reference 1" may match by chance once or twice)
    named = sum(1 for s in trusted for sel in s.selections if sel.name.strip())
    matched = sum(max(scores.values(), default=0) for scores in by_name.values())
    names_count = matched > 0 and 2 * matched >= named
    if names_count:
        totals: dict[Counting, int] = {}
        for scores in by_name.values():
            for counting, hits in scores.items():
                totals[counting] = totals.get(counting, 0) + hits
        overall = max(COUNTINGS, key=lambda c: (totals.get(c, -1), -COUNTINGS.index(c)))
        for source in trusted:
            scores = by_name[id(source)]
            if any(scores.values()):
                source.counting = max(scores, key=lambda c: (scores[c], -COUNTINGS.index(c)))
            elif source.text.applies(overall):
                source.counting = overall
    else:
        _choose_by_word_boundaries(trusted, report)
    converted = [s for s in trusted if s.counting != STANDARD]
    if converted and names_count:
        used = sorted({s.counting.label for s in converted})
        report.notes.append(
            f"positions of {len(converted)} of {len(trusted)} document(s) were in"
            f" {' / '.join(used)} and were converted (checked against the selections'"
            " excerpts)"
        )
    return names_count


@dataclass
class _Evidence:
    """How the selections whose stored span a counting changes fit word boundaries."""

    changed: int = 0  # selections whose span differs from the span read as code points
    fits: int = 0  # of those, how many start and end on word boundaries so read
    standard: int = 0  # ... and how many when read as code points

    def add(self, other: _Evidence) -> None:
        self.changed += other.changed
        self.fits += other.fits
        self.standard += other.standard


def _boundary_evidence(source: _Source) -> dict[Counting, _Evidence]:
    """Per counting other than the standard, the evidence of the selections it moves.

    Only those selections tell the countings apart: a selection before the first line
    break, or a source without CRLFs and emoji, fits the same whichever way it is read, and
    counting it would only dilute the vote."""
    text = source.text.text
    standard = [source.text.span(STANDARD, sel.start, sel.end) for sel in source.selections]
    standard_fits = [bool(span) and on_word_boundaries(text, *span) for span in standard]
    out: dict[Counting, _Evidence] = {}
    for counting in COUNTINGS[1:]:
        if not source.text.applies(counting):
            continue
        evidence = _Evidence()
        for sel, as_standard, standard_fit in zip(
            source.selections, standard, standard_fits, strict=True
        ):
            span = source.text.span(counting, sel.start, sel.end)
            if span == as_standard:
                continue
            evidence.changed += 1
            evidence.fits += bool(span) and on_word_boundaries(text, *span)
            evidence.standard += standard_fit
        if evidence.changed:
            out[counting] = evidence
    source.text.forget()
    return out


def _decide(evidence: dict[Counting, _Evidence]) -> Counting | None:
    """The counting the word boundaries point to, or None when they do not settle it: the
    best other counting must fit more of the selections it moves than the standard does,
    and most of them; the standard wins when no other counting fits more and it fits some."""
    if not evidence:
        return STANDARD
    best = max(
        evidence, key=lambda c: (evidence[c].fits - evidence[c].standard, -COUNTINGS.index(c))
    )
    found = evidence[best]
    if found.fits > found.standard:
        return best if 2 * found.fits > found.changed else None
    return STANDARD if any(e.standard for e in evidence.values()) else None


def _choose_by_word_boundaries(sources: list[_Source], report: ImportReport) -> None:
    """Decide each source's counting by word boundaries (the selections carry no excerpt):
    per source where its own selections settle it, else the way that settles it for the
    project as a whole (one tool made it), else the standard, named in the report as a
    guess so that shifted codings are never stored in silence."""
    by_source = {id(s): _boundary_evidence(s) for s in sources}
    pooled: dict[Counting, _Evidence] = {}
    for evidence in by_source.values():
        for counting, found in evidence.items():
            pooled.setdefault(counting, _Evidence()).add(found)
    overall = _decide(pooled)
    converted: dict[Counting, list[_Source]] = {}
    undecided: list[_Source] = []
    for source in sources:
        evidence = by_source[id(source)]
        counting = _decide(evidence)
        if counting is None and overall is not None:
            counting = overall if source.text.applies(overall) else STANDARD
        if counting is None:
            undecided.append(source)
            counting = STANDARD
        source.counting = counting
        if counting != STANDARD:
            converted.setdefault(counting, []).append(source)
    for counting, group in converted.items():
        found = _Evidence()
        for source in group:
            found.add(by_source[id(source)].get(counting, _Evidence()))
        report.notes.append(
            f"positions of {_documents(group)} read as {counting.label}: so read,"
            f" {found.fits} of the {found.changed} selection(s) whose position that changes"
            f" start and end on word boundaries, against {found.standard} when read as code"
            " points (the selections carry no excerpt to check them by)"
        )
    if undecided:
        report.notes.append(
            f"check the codings of {_documents(undecided)}: their selections carry no excerpt"
            " and word boundaries do not tell how their positions are counted (as code points,"
            " or with line breaks as CRLF or in UTF-16 units as NVivo counts); they were read"
            " as code points, the REFI-QDA standard, and may be shifted"
        )


def _documents(sources: list[_Source]) -> str:
    names = ", ".join(repr(s.doc_name) for s in sources[:5])
    return f"{len(sources)} document(s) ({names}{', ...' if len(sources) > 5 else ''})"


def _check_selections(
    sources: list[_Source], listing: _Listing, report: ImportReport, *, names_checked: bool
) -> None:
    """Map each selection onto the stored text; list those that do not fit."""
    for source in sources:
        shown = source.doc_name
        kept_untrusted = 0
        for sel in source.selections:
            if not source.trusted:
                span = source.text.span(STANDARD, sel.start, sel.end)
                if (
                    span
                    and sel.name.strip()
                    and excerpt_matches(sel.name, source.text.text[span[0] : span[1]])
                ):
                    sel.span = span
                    kept_untrusted += 1
                else:
                    listing.add(
                        shown,
                        "selection whose position refers to a text we could only re-read from"
                        " the Word file (no excerpt confirms it)",
                        sel.line,
                    )
                continue
            span = source.text.span(source.counting, sel.start, sel.end)
            if span is None:
                listing.add(
                    shown,
                    f"selection {sel.start}-{sel.end} lies outside the text"
                    f" ({len(source.text.raw)} characters)",
                    sel.line,
                )
            elif span[0] == span[1]:
                listing.add(shown, "empty selection", sel.line)
            elif (
                names_checked
                and sel.name.strip()
                and not excerpt_matches(sel.name, source.text.text[span[0] : span[1]])
            ):
                listing.add(
                    shown, "selection whose excerpt (its name) is not at its position", sel.line
                )
            else:
                sel.span = span
        source.text.forget()
        if not source.trusted and source.selections:
            report.notes.append(
                f"{shown}: the text was read from its Word file, so positions cannot be"
                f" trusted; {kept_untrusted} of {len(source.selections)} selection(s) kept"
                " because their excerpt is at their position"
            )


# --------------------------------------------------------------------------- import


def import_qdpx(
    qdpx_path: str | Path,
    out_project_path: str | Path,
    *,
    coder_fallback: str = "imported",
    progress: Progress | None = None,
) -> ImportReport:
    """Make a new project at `out_project_path` from the .qdpx file `qdpx_path`.

    Codings whose user is unknown are by `coder_fallback`. Refuses an existing target;
    any error leaves no project behind.
    """
    source_path, target = Path(qdpx_path), Path(out_project_path)
    if target.exists():
        raise FrisatError(f"{target}: a file of that name exists already")
    if not target.parent.is_dir():
        raise FrisatError(f"{target}: folder {target.parent} does not exist")
    if not source_path.is_file():
        raise FrisatError(f"{source_path}: no such file")
    coder_fallback = coder_fallback.strip() or "imported"
    report = ImportReport(target)
    archive = _Archive(source_path)
    try:
        reader = _Reader(archive, coder_fallback, report)
        reader.parse()
    finally:
        archive.close()
    plan = _plan(reader, report)
    tmp = temp_beside(target)
    project = create_project(tmp)
    try:
        _store(project, reader, plan, report, progress)
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        project.close()
        if target.exists():
            raise FrisatError(f"{target}: a file of that name appeared during the import")
        os.replace(tmp, target)
    except BaseException:
        project.close()
        remove_with_sidecars(tmp)
        raise
    remove_with_sidecars(tmp)  # SQLite's sidecars of the name it had
    return report


@dataclass
class _Plan:
    codebook: Codebook | None
    case_of: dict[str, int] = field(default_factory=dict)  # source guid -> index in cases
    cases: list[_Case] = field(default_factory=list)
    memos: list[_Memo] = field(default_factory=list)


def _plan(reader: _Reader, report: ImportReport) -> _Plan:
    """Everything decided before the project is written: names, cases, codes, positions."""
    listing = reader.listing
    # document names: unique exactly as the store has them ('Leder' and 'leder' are two
    # names). Our own export's names are our names and come back unchanged; other tools name
    # sources after their files, and our names are file stems, so a file suffix is dropped
    # and the report says so
    ours = report.origin.startswith(f"{OUR_ORIGIN} ")
    used: set[str] = set()
    renamed, stemmed = [], []
    for source in reader.sources:
        base = source.name or f"source {source.guid[:8]}"
        for suffix in () if ours else _NAME_SUFFIXES:
            if base.lower().endswith(suffix) and len(base) > len(suffix):
                stemmed.append(f"{base!r} -> {base[: -len(suffix)]!r}")
                base = base[: -len(suffix)]
                break
        name, n = base, 2
        while name in used:
            name, n = f"{base} ({n})", n + 1
        if name != base:
            renamed.append(f"{base!r} -> {name!r}")
        used.add(name)
        source.doc_name = name
    if stemmed:
        report.notes.append(
            f"file suffixes dropped from {len(stemmed)} source name(s) to make document names:"
            f" {', '.join(stemmed[:5])}{', ...' if len(stemmed) > 5 else ''}"
        )
    if renamed:
        report.notes.append(f"documents renamed to keep names unique: {', '.join(renamed)}")
    empty = [s for s in reader.sources if not s.text.text.strip()]
    for source in empty:
        listing.add(f"text source {source.doc_name!r}", "has no text", source.line)
    reader.sources = [s for s in reader.sources if s.text.text.strip()]

    names_checked = _choose_countings(reader.sources, report)
    _check_selections(reader.sources, listing, report, names_checked=names_checked)

    # codes: a code some coding uses must be codable here
    codes = [code for _, code in reader.codes]
    used_codes = {
        c.code
        for s in reader.sources
        for c in [*s.whole, *(c for sel in s.selections if sel.span for c in sel.codings)]
        if c.code
    }
    folders = [c.id for c in codes if not c.codable and c.id in used_codes]
    if folders:
        codes = [replace(c, codable=True) if c.id in folders else c for c in codes]
        report.notes.append(
            f"code folders made codable because codings use them: {', '.join(folders)}"
        )
    codebook = None
    if codes:
        stem = reader.project_name or reader.archive.path.stem
        codebook = Codebook(
            id=slug(stem), name=stem, codes=tuple(codes), source=reader.archive.path.name
        )
    plan = _Plan(codebook)

    # cases, named and linked to their documents; a case without a name (MAXQDA, Quirkos)
    # is named after its document when it has one, else after its GUID
    by_guid = {s.guid: s for s in reader.sources}
    names: set[str] = set()

    def unique(base: str) -> str:
        name, n = base, 2
        while name in names:
            name, n = f"{base} ({n})", n + 1
        names.add(name)
        return name

    for case in reader.cases:
        if case.name:
            case.name = unique(case.name)
    unnamed = []
    for case in reader.cases:
        if not case.name:
            docs = [by_guid[g].doc_name for g in case.sources if g in by_guid]
            guid = f"Case {case.guid}" if case.guid else "Case"
            case.name = unique(docs[0] if len(docs) == 1 else guid)
            unnamed.append(case.name)
        index = len(plan.cases)
        plan.cases.append(case)
        for guid in case.sources:
            if guid not in by_guid:
                listing.add(
                    f"case {case.name!r}", "refers to a source that was not imported", case.line
                )
            elif guid in plan.case_of:
                other = plan.cases[plan.case_of[guid]].name
                listing.add(
                    f"document {by_guid[guid].doc_name!r}",
                    f"is in several cases; kept in {other!r}, not in {case.name!r}",
                    case.line,
                )
            else:
                plan.case_of[guid] = index
        if case.description:
            plan.memos.append(_Memo("case", index, case.description, None, None, None))
            reader.descriptions["case"] = reader.descriptions.get("case", 0) + 1
    if unnamed:
        report.notes.append(
            f"{len(unnamed)} case(s) without a name were named after their document (or"
            f" GUID): {', '.join(unnamed[:5])}{', ...' if len(unnamed) > 5 else ''}"
        )
    # variables on a source belong to its case; a source without one gets its own
    for source in reader.sources:
        values = [(v, x, line) for v, x, line in source.values if v is not None and x]
        if not values:
            continue
        if source.guid not in plan.case_of:
            plan.case_of[source.guid] = len(plan.cases)
            name = unique(source.doc_name)
            plan.cases.append(_Case(None, name, source.line, {}, [source.guid], ""))
            report.notes.append(
                f"document {source.doc_name!r} has variables but no case: they are kept on a"
                f" case of its own, {name!r}"
            )
        case = plan.cases[plan.case_of[source.guid]]
        for variable, value, line in values:
            if case.attributes.get(variable, value) != value:
                listing.add(
                    f"case {case.name!r}",
                    f"{variable} is {case.attributes[variable]!r} on the case and {value!r} on"
                    f" document {source.doc_name!r}; the case's value is kept",
                    line,
                )
            else:
                case.attributes[variable] = value
    _plan_memos(reader, plan, report)
    return plan


def _plan_memos(reader: _Reader, plan: _Plan, report: ImportReport) -> None:
    listing = reader.listing
    referenced: set[str] = set()
    case_index = {c.guid: i for i, c in enumerate(plan.cases) if c.guid}

    def from_note(target_type: str, target: Any, guid: str | None, line: int) -> None:
        note = reader.notes.get(guid) if guid else None
        if note is None:
            listing.add("notes", "a reference to a note that is not in the project", line)
            return
        referenced.add(guid)
        if not note.text:
            listing.add("notes", "empty note", note.line)
            return
        plan.memos.append(
            _Memo(target_type, target, note.text, note.user, note.created, note.updated)
        )

    for target_type, target, guid, text in reader.memos:
        if guid is None:
            plan.memos.append(_Memo(target_type, target, text, None, None, None))
        else:
            from_note(target_type, target, guid, 0)
    for source in reader.sources:
        for guid in source.notes:
            from_note("document", source.guid, guid, source.line)
        if source.description:
            plan.memos.append(
                _Memo("document", source.guid, source.description, source.user, None, None)
            )
            reader.descriptions["document"] = reader.descriptions.get("document", 0) + 1
        for sel in source.selections:
            for coding in sel.codings:
                for guid in coding.notes:
                    if sel.span and coding.code:
                        from_note("coding", id(coding), guid, coding.line)
                    else:
                        referenced.add(guid)
                        listing.add(
                            source.doc_name, "note on a coding that was not imported", coding.line
                        )
            targets = [c for c in sel.codings if c.code] if sel.span else []
            texts = [(g, None) for g in sel.notes] + (
                [(None, sel.description)] if sel.description else []
            )
            for guid, text in texts:
                if not targets:
                    if guid:
                        referenced.add(guid)
                    listing.add(
                        source.doc_name,
                        "note on a selection that has no imported coding",
                        sel.line,
                    )
                elif guid:
                    from_note("coding", id(targets[0]), guid, sel.line)
                else:
                    plan.memos.append(_Memo("coding", id(targets[0]), text, sel.user, None, None))
                    reader.descriptions["selection"] = reader.descriptions.get("selection", 0) + 1
        for coding in source.whole:
            for guid in coding.notes:
                if coding.code:
                    from_note("coding", id(coding), guid, coding.line)
                else:
                    referenced.add(guid)
                    listing.add(
                        source.doc_name, "note on a coding that was not imported", coding.line
                    )
    for case_guid, note_guid in reader.case_notes:
        from_note("case", case_index[case_guid], note_guid, 0)
    loose = [g for g in reader.notes if g not in referenced]
    for guid in loose:
        from_note("project", None, guid, 0)
    if loose:
        report.notes.append(
            f"{len(loose)} note(s) linked to nothing that was imported became project memos"
        )
    if reader.descriptions:
        what = ", ".join(f"{n} {kind}(s)" for kind, n in reader.descriptions.items())
        report.notes.append(
            f"descriptions of {what} kept as memos (ATLAS.ti writes memos as descriptions);"
            f" by the element's creating user, else by {reader.fallback!r}, dated at import"
        )


def _store(
    project: Project, reader: _Reader, plan: _Plan, report: ImportReport, progress: Progress | None
) -> None:
    fallback = reader.fallback
    if reader.project_name:
        set_setting(project, "title", reader.project_name)
    if plan.codebook is not None:
        load_into_project(project, plan.codebook, coder=fallback)
    case_ids: list[int] = []
    with project.transaction():
        for case in plan.cases:
            case_ids.append(upsert_case(project, case.name, case.attributes))
    doc_ids: dict[str, int] = {}
    findings = 0
    total = len(reader.sources)
    for done, source in enumerate(reader.sources, start=1):
        text = source.text.text
        # detect_turns reads line by line; the stored text has LF endings only
        parsed = ParsedDocument(
            source_name=source.name or source.doc_name,
            format=source.fmt,
            text=text,
            turns=tuple(detect_turns(text)),
            encoding="utf-8",
        )
        prepared = prepare_document(parsed, source.doc_name, [])
        findings += len(prepared.findings)
        case = plan.case_of.get(source.guid)
        with project.transaction():
            doc_ids[source.guid] = store_prepared(
                project, prepared, case_ids[case] if case is not None else None
            )
        if progress:
            progress(done, total, source.doc_name)

    stamp = now_utc()
    coding_ids: dict[int, int] = {}
    seen: dict[tuple[int, int, int, str, str], int] = {}
    coders: set[str] = set()
    duplicates = 0
    rec = Recorder(project)  # an import is undone by deleting it, so it is not journaled
    with project.transaction():

        def add(coding: _Coding, doc: int, start: int, end: int, line: int) -> None:
            nonlocal duplicates
            if coding.code is None:
                reader.listing.add("codings", "refer to a code not in the CodeBook", line)
                return
            coder = coding.user or fallback
            key = (doc, start, end, coding.code, coder)
            if key in seen:
                coding_ids[id(coding)] = seen[key]
                duplicates += 1
                return
            coders.add(coder)
            seen[key] = coding_ids[id(coding)] = rec.insert(
                "codings",
                {
                    "document_id": doc,
                    "start": start,
                    "end": end,
                    "code_id": coding.code,
                    "coder": coder,
                    "origin": "imported",
                    "created": coding.created or stamp,
                },
            )

        for source in reader.sources:
            doc = doc_ids[source.guid]
            for coding in source.whole:
                add(coding, doc, 0, len(source.text.text), coding.line)
            for sel in source.selections:
                if sel.span is None:
                    continue
                if not sel.codings:
                    reader.listing.add(source.doc_name, "selection without a coding", sel.line)
                for coding in sel.codings:
                    add(coding, doc, sel.span[0], sel.span[1], coding.line)
        memos = 0
        for memo in plan.memos:
            target = _memo_target(memo, doc_ids, case_ids, coding_ids)
            if target is None:
                reader.listing.add("memos", f"on a {memo.target_type} that was not imported")
                continue
            memos += 1
            rec.insert(
                "memos",
                {
                    "target_type": memo.target_type,
                    "target_id": target,
                    "author": memo.user or fallback,
                    "text": memo.text,
                    "created": memo.created or stamp,
                    "updated": memo.updated or memo.created or stamp,
                },
            )
    if duplicates:
        report.notes.append(f"{duplicates} duplicate coding(s) (same span, code and coder) merged")
    if findings:
        report.notes.append(
            f"audit: {findings} likely identifier(s) in the texts (run `frisat-qual audit`"
            " on the project for the list)"
        )
    report.not_imported = reader.listing.lines()
    report.counts = {
        "documents": len(doc_ids),
        "codes": len(plan.codebook.codes) if plan.codebook else 0,
        "codings": len(seen),
        "coders": len(coders),
        "cases": len(plan.cases),
        "memos": memos,
    }


def _memo_target(
    memo: _Memo, doc_ids: dict[str, int], case_ids: list[int], coding_ids: dict[int, int]
) -> str | None:
    if memo.target_type == "project":
        return ""
    if memo.target_type == "document":
        return str(doc_ids[memo.target]) if memo.target in doc_ids else None
    if memo.target_type == "code":
        return str(memo.target)
    if memo.target_type == "case":
        return str(case_ids[memo.target])
    if memo.target_type == "coding":
        return str(coding_ids[memo.target]) if memo.target in coding_ids else None
    return None
