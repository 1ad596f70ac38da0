"""Read the case manifest: a CSV that says which interview file belongs to which case.

Provides `read_manifest`, which maps each file name in the manifest to its attributes
(rolle, kommune, omraade, case and any free columns), and `lookup`, which finds the row
for an imported file. Researchers keep the manifest in Excel, so the reader accepts what
Danish Excel writes (";" as delimiter, Windows-1252 or UTF-8 with BOM, Danish column
names such as "filnavn" and "område") and reports every problem as one line naming the
manifest and the line, so the sheet can be fixed where it is wrong.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from pathlib import Path, PurePath

from frisat_qual.corpus.formats import decode_bytes
from frisat_qual.errors import ImportError_, ManifestError

FILE_COLUMN = "file"
FILE_ALIASES = ("file", "fil", "filnavn", "filename", "source")
#: Header as written (case-folded) -> the attribute name stored.
KNOWN_COLUMNS: dict[str, str] = {
    **{alias: FILE_COLUMN for alias in FILE_ALIASES},
    "rolle": "rolle",
    "kommune": "kommune",
    "omraade": "omraade",
    "område": "omraade",
    "case": "case",
    "sag": "case",
    "case_id": "case",
}
ROLES = ("politiker", "forvaltning", "leder", "medarbejder", "borger")
AREAS = ("dagtilbud", "skole", "aeldre")
_AREA_SPELLINGS = {"ældre": "aeldre"}
_DELIMITERS = (",", ";", "\t")


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """File name (as written in the manifest) -> its attributes, in manifest order.

    The delimiter is the one of "," ";" and tab that occurs most in the header line.
    Values are stripped; empty values are left out. `rolle` and `omraade` are checked
    against `ROLES` and `AREAS` and stored in lower case ("ældre" as "aeldre"). Trailing
    empty columns, as Excel sometimes writes, are ignored. Raises `ManifestError`
    ("<manifest> line N: <problem>") for anything else that is wrong.
    """
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ManifestError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise ManifestError(f"{name}: the manifest is empty")
    try:
        text, _ = decode_bytes(data, name)
    except ImportError_ as exc:
        raise ManifestError(str(exc)) from exc
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    manifest: dict[str, dict[str, str]] = {}
    first_line: dict[str, int] = {}  # case-folded file name -> line it was listed on
    columns: list[str] | None = None
    line = 0
    for row in reader:
        row_line = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row]
        if columns is None:
            columns = _columns(cells, name, row_line)
            continue
        _check_width(cells, len(columns), name, row_line)
        values = dict(zip(columns, cells, strict=False))
        file_name = values.pop(FILE_COLUMN, "")
        if not file_name:
            raise ManifestError(f"{name} line {row_line}: the file name is empty")
        key = file_name.casefold()
        if key in first_line:
            raise ManifestError(
                f"{name} line {row_line}: file '{file_name}' is already listed on line "
                f"{first_line[key]}"
            )
        first_line[key] = row_line
        manifest[file_name] = _attributes(values, name, row_line)
    if columns is None:
        raise ManifestError(f"{name}: the manifest is empty")
    return manifest


def lookup(manifest: Mapping[str, dict[str, str]], file_name: str) -> dict[str, str] | None:
    """The manifest row for a file: by exact name, then ignoring case, then by stem.

    So a manifest row "k1_politiker" or "K1_Politiker.txt" finds "k1_politiker.docx".
    Returns None when no row matches. Raises `ManifestError` when several rows match at
    the same step, since picking one would silently attach the wrong case.
    """
    file_name = PurePath(file_name).name
    if file_name in manifest:
        return manifest[file_name]
    for key_of in (_folded_name, _folded_stem):
        wanted = key_of(file_name)
        matches = [row for row in manifest if key_of(row) == wanted]
        if len(matches) > 1:
            listed = ", ".join(matches)
            raise ManifestError(f"{file_name}: several manifest rows match it ({listed})")
        if matches:
            return manifest[matches[0]]
    return None


def _folded_name(name: str) -> str:
    return PurePath(name).name.casefold()


def _folded_stem(name: str) -> str:
    return PurePath(name).stem.casefold()


def sniff_delimiter(text: str) -> str:
    """The one of "," ";" and tab that occurs most (outside quotes) in the first line."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    counts = {d: _count_outside_quotes(header, d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def _columns(header: list[str], name: str, line: int) -> list[str]:
    """Attribute names for the header cells; trailing empty cells are dropped."""
    while header and not header[-1]:
        header = header[:-1]
    columns: list[str] = []
    seen: dict[str, str] = {}  # stored name, case-folded -> header as written
    for number, cell in enumerate(header, start=1):
        if not cell:
            raise ManifestError(f"{name} line {line}: column {number} has no header")
        column = KNOWN_COLUMNS.get(cell.casefold(), cell)
        folded = column.casefold()
        if folded in seen:
            earlier = seen[folded]
            same = f" (same as '{earlier}')" if earlier != cell else ""
            raise ManifestError(f"{name} line {line}: duplicate column '{cell}'{same}")
        seen[folded] = cell
        columns.append(column)
    if FILE_COLUMN not in columns:
        raise ManifestError(
            f"{name} line {line}: no file column (name one of {', '.join(FILE_ALIASES)})"
        )
    return columns


def _check_width(cells: list[str], width: int, name: str, line: int) -> None:
    if len(cells) > width and any(cells[width:]):
        raise ManifestError(
            f"{name} line {line}: the row has {len(cells)} fields but the header has {width}"
        )


def _attributes(values: dict[str, str], name: str, line: int) -> dict[str, str]:
    attributes = {column: value for column, value in values.items() if value}
    if "rolle" in attributes:
        role = attributes["rolle"].casefold()
        if role not in ROLES:
            raise ManifestError(
                f"{name} line {line}: rolle '{attributes['rolle']}' is not one of "
                f"{', '.join(ROLES)}"
            )
        attributes["rolle"] = role
    if "omraade" in attributes:
        area = attributes["omraade"].casefold()
        area = _AREA_SPELLINGS.get(area, area)
        if area not in AREAS:
            raise ManifestError(
                f"{name} line {line}: omraade '{attributes['omraade']}' is not one of "
                f"{', '.join(AREAS)} (ældre is accepted for aeldre)"
            )
        attributes["omraade"] = area
    return attributes
