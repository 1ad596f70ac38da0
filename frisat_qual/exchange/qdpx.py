"""REFI-QDA project exchange (.qdpx, QDA-XML project 1.0) with NVivo, ATLAS.ti, MAXQDA,
QualCoder and other tools: what the export and the import share.

`qdpx_export.export_qdpx` writes a project, `qdpx_import.import_qdpx` reads one into a new
project; both return a report that lists, besides the counts, everything that did not map.

How our project maps onto REFI-QDA (and back):
- coders and memo authors -> `User`s, GUIDs made from their names (uuid5), so a person has
  the same GUID in every export;
- the active codebook -> `CodeBook`, built and read by `codebook.refi` like a .qdc (the
  definition fields REFI has no place for travel in `Description`);
- case attributes -> one Text `Variable` per attribute name and `VariableValue`s on the
  `Case`, whose `SourceRef`s name its documents;
- current documents -> `TextSource`s with `sources/<guid>.txt` (UTF-8, no BOM, the text as
  stored); codings -> `PlainTextSelection`s (one per span, holding one `Coding` per code and
  coder). Positions are Unicode code points, half-open `[start, end)`, exactly our offsets.
  A selection's `name` is its excerpt's first characters (never cut between a letter and
  its accent), so an importer can check offsets;
- memos -> `Note`s (author and dates kept) linked by `NoteRef` from the project, the
  TextSource, the Code or the Coding. A `Case` has no NoteRef in the schema, so a memo on a
  case is linked by a `Link` from the Case to the Note.
Not in REFI-QDA, so not exported: survey waves, ratings and respondents (the survey's open
comments are ordinary documents and are exported), old document versions, the undo
journal, pending suggestions, the audit allow-list.

Texts in elements (memos, code descriptions, attribute values) keep their carriage returns as
`&#13;`: XML parsers turn a raw CR into LF, and a memo written on Windows should come back
as it was.

GUIDs are uuid5 of project-scoped keys (document name and content hash, span, code, coder,
memo id), so two exports of an unchanged project differ only in their timestamps.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: The namespace of project.qde.
PROJECT_NS = "urn:QDA-XML:project:1.0"
#: The name the standard gives the project file inside the archive.
PROJECT_ENTRY = "project.qde"
#: The folder of source files inside the archive.
SOURCES_DIR = "sources"
#: The Project's `origin` our export writes, followed by the version.
OUR_ORIGIN = "frisat-qual"
#: Characters of the excerpt written as a selection's name.
EXCERPT_CHARS = 60

_GUID_NS = uuid.UUID("2b0e5d0c-5a7f-4f57-8d3e-6a1f0c9b7e21")
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
# Characters XML 1.0 cannot carry at all (C0 controls other than tab and line breaks,
# lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: progress(done, total, current item); called as the work goes on.
Progress = Callable[[int, int, str], None]


def stable_guid(*parts: object) -> str:
    """A GUID that is the same for the same parts in every export."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(str(p) for p in parts)))


def user_guid(name: str) -> str:
    return stable_guid("user", name)


def normalise_guid(value: str | None) -> str | None:
    """A GUID in one spelling (lower case, no braces); None when it is not a GUID."""
    match = _GUID.match((value or "").strip())
    return match.group(1).lower() if match else None


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold (they become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """`text` for an element's content: `xml_safe`, with each carriage return marked so that
    `serialise_cr` writes it as `&#13;`. A raw CR is turned into LF by every XML parser
    (XML 1.0 section 2.11), so a memo written on Windows would lose its CRLF line endings."""
    return xml_safe(text).replace("\r", _CR_MARK)


def serialise_cr(xml: bytes) -> bytes:
    """The serialised XML with the carriage returns marked by `xml_text` as `&#13;`."""
    return xml.replace(_CR_MARK.encode("ascii"), b"&#13;")


# NUL cannot occur in XML 1.0 text, and xml_safe has replaced any in the data, so it is free
# to stand for a CR between building the tree and serialising it.
_CR_MARK = "\x00"
# Characters that belong to the character before them: a name cut in front of one would
# separate an accent from its letter (NFD text) or split an emoji sequence.
_JOINING = {"\u200d", "\u200c"}


def _joins_previous(text: str, index: int) -> bool:
    ch = text[index]
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch in _JOINING
        or text[index - 1] in _JOINING
        or 0x1F3FB <= ord(ch) <= 0x1F3FF  # skin tone modifiers
    )


def excerpt_name(excerpt: str) -> str:
    """A selection's name: the excerpt on one line, cut to EXCERPT_CHARS with an ellipsis.

    The cut never falls inside a letter with its combining accents, so the name stays a
    prefix of the excerpt however either is normalised."""
    flat = " ".join(excerpt.split())
    if len(flat) <= EXCERPT_CHARS:
        return flat
    cut = EXCERPT_CHARS
    while cut > 1 and _joins_previous(flat, cut):
        cut -= 1
    if cut == 1:  # a run of combining marks longer than a name: cut where it fits
        cut = EXCERPT_CHARS
    return flat[:cut].rstrip() + "…"


def _comparable(text: str, form: str | None) -> str:
    # as written to XML (our names had unwritable characters replaced), on one line
    safe = xml_safe(text)
    if form:
        safe = unicodedata.normalize(form, safe)
    return " ".join(safe.split()).casefold()


def excerpt_matches(name: str, excerpt: str) -> bool:
    """Whether a selection's `name` is the start of its `excerpt` (or the excerpt the start
    of the name), ignoring line breaks, runs of spaces, case and a trailing ellipsis: the
    check that offsets point at the text the other tool meant.

    The name is compared as written and, for tools that normalise one but not the other,
    both in NFC. A name that is only an ellipsis (a coding of "...") is compared whole, as
    is any name that matches with its ellipsis, so our own names always match."""
    for form in (None, "NFC"):
        whole, found = _comparable(name, form), _comparable(excerpt, form)
        if not whole or not found:
            continue
        cut = whole
        for tail in ("…", "..."):
            cut = cut.removesuffix(tail).rstrip()
        for wanted in {whole, cut} - {""}:
            if found.startswith(wanted) or wanted.startswith(found):
                return True
    return False


def _lines(title: str, items: list[str]) -> list[str]:
    return [title, *(f"  {item}" for item in items)] if items else []


@dataclass
class ExportReport:
    """What an export wrote (`counts`), what it left out and why (`not_exported`), and
    what else the researcher should know (`notes`)."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    not_exported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        shown = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return [
            f"wrote {self.path}: {shown}",
            *_lines("not exported:", self.not_exported),
            *_lines("notes:", self.notes),
        ]


@dataclass
class ImportReport:
    """What an import made (`counts`), what it could not map (`not_imported`), and how it
    mapped what it did (`notes`): converted offsets, descriptions kept as memos, names made
    up for unnamed cases."""

    path: Path
    origin: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    not_imported: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        shown = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        made_by = f" (made by {self.origin})" if self.origin else ""
        return [
            f"created {self.path}{made_by}: {shown}",
            *_lines("not imported:", self.not_imported),
            *_lines("notes:", self.notes),
        ]
