"""Import a survey file (CSV or Excel) as one wave of respondents, ratings and comments.

The use case behind `frisat-qual survey import`. One row per respondent: `respondent_id`,
case attributes (omraade, kommune, rolle, any other column), the 40 ratings
`{spor}_{impl|vigt}_{a-d}` and optional open comments `{spor}_kommentar`.

Safety rules, as for transcripts:
- the whole file is read and checked first, and every problem is reported with its line
  (Excel: sheet row), column and value; nothing is imported until the file is clean,
  unless the caller asks to skip the bad rows;
- the import is one transaction: a failed import leaves the project as it was;
- importing the same answers again changes nothing; other answers under an existing wave
  name are refused unless the caller asks to replace the wave.

Each respondent gets a case (`survey <wave> <respondent_id>`) carrying the attributes, so
the survey meets the interviews through rolle, kommune and omraade. Each non-empty comment
becomes a document of its own (one informant turn), audited for personal data and
segmented like an interview, so it can be coded and searched.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frisat_qual.corpus.formats import decode_bytes
from frisat_qual.corpus.importer import Prepared, Progress, prepare_document, store_prepared
from frisat_qual.corpus.manifest import ROLES, sniff_delimiter
from frisat_qual.errors import ImportError_, SurveyFileError
from frisat_qual.models import INFORMANT, Finding, ParsedDocument, ParsedTurn, Respondent
from frisat_qual.store import Project
from frisat_qual.store.cases import upsert_case
from frisat_qual.store.documents import latest_version, set_case
from frisat_qual.store.settings import audit_allow_list
from frisat_qual.store.survey import (
    delete_wave,
    find_wave,
    insert_wave,
    list_respondents,
    list_waves,
)
from frisat_qual.survey import (
    AREAS,
    COMMENT_FORMAT,
    DIMENSIONS,
    INDICATORS,
    SCALE,
    SPOR,
    comment_column,
    rating_column,
)

ID_COLUMN = "respondent_id"
DEFAULT_ROLE = "leder"
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Every rating column, in questionnaire order.
RATING_COLUMNS = tuple(rating_column(s, d, i) for s in SPOR for d in DIMENSIONS for i in INDICATORS)
COMMENT_COLUMNS = {comment_column(s): s for s in SPOR}
#: Header (case-folded) -> attribute name stored, for the attributes with a fixed name.
_ATTRIBUTE_NAMES = {
    "omraade": "omraade",
    "område": "omraade",
    "kommune": "kommune",
    "rolle": "rolle",
}
_AREA_SPELLINGS = {"ældre": "aeldre"}
_WHOLE = re.compile(r"(\d+)(?:[.,]0+)?")
_WAVE_NAME = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class SkippedRow:
    """A respondent's row left out of the import, with what is wrong with it."""

    line: int
    respondent_id: str
    problems: tuple[str, ...]


@dataclass
class SurveyImportReport:
    """What a survey import did. `status` is "imported", "replaced" or "unchanged";
    `old_documents` counts the comment documents of replaced answers that became old
    versions (their codings stay with them)."""

    source_name: str
    wave: str
    date: str
    status: str
    respondents: int = 0
    ratings: int = 0
    unanswered: int = 0
    comment_documents: int = 0
    old_documents: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_name,
            "wave": self.wave,
            "date": self.date,
            "status": self.status,
            "respondents": self.respondents,
            "ratings": self.ratings,
            "unanswered": self.unanswered,
            "comment_documents": self.comment_documents,
            "old_documents": self.old_documents,
            "skipped": [
                {"line": s.line, "respondent_id": s.respondent_id, "problems": list(s.problems)}
                for s in self.skipped
            ],
            "findings": [f.__dict__ for f in self.findings],
        }


@dataclass(frozen=True)
class SurveyRow:
    """One respondent's answers as read from the file, checked and normalised."""

    line: int
    respondent_id: str
    attributes: dict[str, str]
    ratings: dict[str, int]
    comments: dict[str, str]


@dataclass(frozen=True)
class SurveyTable:
    """A survey file read: the good rows, and the bad ones with their problems."""

    source_name: str
    encoding: str | None
    rows: tuple[SurveyRow, ...]
    bad: tuple[SkippedRow, ...]


def import_survey(
    project: Project,
    path: str | Path,
    *,
    wave: str | None = None,
    date: str | None = None,
    skip_bad_rows: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
) -> SurveyImportReport:
    """Import the survey file at `path` into `project` as wave `wave`.

    Without `wave`, the first survey becomes wave "1"; when the project has waves already,
    the same answers are recognised as unchanged, and other answers are refused with a
    hint to name a new wave (the next free number) or to replace the latest one. `date`
    (ISO, default today) dates the wave; the latest wave by date is the one analysed by
    default. Raises `SurveyFileError` listing every problem of the file, or `ImportError_`.
    """
    path = Path(path)
    date = _checked_date(date)
    wave = _checked_wave(wave)
    table = read_survey(path)
    skipped = list(table.bad)
    if skipped and not skip_bad_rows:
        raise SurveyFileError([p for row in skipped for p in row.problems], rows_only=True)
    if not table.rows:
        raise ImportError_(f"{path.name}: no respondent rows to import")
    digest = survey_digest(table.rows)
    name, status = _wave_to_use(project, wave, digest, replace, path.name)
    report = SurveyImportReport(path.name, name, date, status, skipped=skipped)
    if status == "unchanged":
        return _unchanged(project, report)

    allow = audit_allow_list(project)
    prepared: dict[tuple[str, str], Prepared] = {}
    for done, row in enumerate(table.rows, start=1):
        for spor, text in row.comments.items():
            prepared[row.respondent_id, spor] = _prepare_comment(
                name, row.respondent_id, spor, text, table, allow
            )
        if progress:
            progress(done, len(table.rows), row.respondent_id)
    report.findings = [f for p in prepared.values() for f in p.findings]

    with project.transaction():
        # decided again under the write lock: another window may have imported meanwhile
        now, status = _wave_to_use(project, wave, digest, replace, path.name)
        if now != name:
            raise ImportError_(
                f"{path.name}: another import changed the survey waves meanwhile; import again"
            )
        report.status = status
        if status == "unchanged":
            return _unchanged(project, report)
        keep: dict[tuple[str, str], int] = {}
        if status == "replaced":
            keep = _unchanged_documents(project, name, prepared)
            report.old_documents = delete_wave(project, name, keep_documents=keep.values())
        respondents = []
        for row in table.rows:
            rid = row.respondent_id
            case_id = upsert_case(
                project,
                f"survey {name} {rid}",
                {**row.attributes, "kilde": "survey", "respondent_id": rid},
            )
            documents: dict[str, int] = {}
            for spor in row.comments:
                if (rid, spor) in keep:
                    documents[spor] = keep[rid, spor]
                    set_case(project, documents[spor], case_id)
                else:
                    documents[spor] = store_prepared(project, prepared[rid, spor], case_id)
            respondents.append(
                Respondent(
                    id=0,
                    respondent_id=rid,
                    wave=name,
                    attributes=row.attributes,
                    ratings=row.ratings,
                    comments=row.comments,
                    comment_documents=documents,
                    case_id=case_id,
                )
            )
        insert_wave(
            project,
            name=name,
            date=date,
            source_name=path.name,
            content_hash=digest,
            respondents=respondents,
        )
    report.respondents = len(respondents)
    report.ratings = sum(len(r.ratings) for r in respondents)
    report.unanswered = len(respondents) * len(RATING_COLUMNS) - report.ratings
    report.comment_documents = sum(len(r.comment_documents) for r in respondents)
    return report


def survey_digest(rows: Iterable[SurveyRow]) -> str:
    """A hash of the answers (not of the file), so the same answers saved as CSV or Excel,
    with other delimiters or column order, count as the same."""
    content = [[r.respondent_id, r.attributes, r.ratings, r.comments] for r in rows]
    data = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def next_wave_name(project: Project) -> str:
    """The lowest whole number not yet used as a wave name."""
    names = {w.name for w in list_waves(project)}
    number = 1
    while str(number) in names:
        number += 1
    return str(number)


def _wave_to_use(
    project: Project, wave: str | None, digest: str, replace: bool, source: str
) -> tuple[str, str]:
    """(wave name, "imported" | "replaced" | "unchanged"), or ImportError_ on a conflict."""
    waves = list_waves(project)
    if wave is None:
        same = [w for w in waves if w.content_hash == digest]
        if same:
            return same[-1].name, "unchanged"
        if not waves:
            return "1", "imported"
        latest = waves[-1]
        if replace:
            return latest.name, "replaced"
        raise ImportError_(
            f"{source}: the project already has survey wave {latest.name} with other answers;"
            f" give --wave {next_wave_name(project)} (or another name) for a new wave, or"
            f" --replace to replace wave {latest.name}"
        )
    existing = find_wave(project, wave)
    if existing is None:
        return wave, "imported"
    if existing.content_hash == digest:
        return wave, "unchanged"
    if replace:
        return wave, "replaced"
    raise ImportError_(
        f"{source}: survey wave {wave} already holds other answers; give --wave NAME for a"
        f" new wave, or --replace to replace wave {wave}"
    )


def _unchanged(project: Project, report: SurveyImportReport) -> SurveyImportReport:
    existing = find_wave(project, report.wave)
    if existing is not None:
        report.date = existing.date
        report.respondents = existing.respondents
    return report


def _unchanged_documents(
    project: Project, wave: str, prepared: dict[tuple[str, str], Prepared]
) -> dict[tuple[str, str], int]:
    """The replaced wave's comment documents whose text stays the same: they are kept (with
    any codings on them) rather than made again."""
    linked = {
        (r.respondent_id, spor): doc_id
        for r in list_respondents(project, wave)
        for spor, doc_id in r.comment_documents.items()
    }
    keep = {}
    for key, doc_id in linked.items():
        new = prepared.get(key)
        current = latest_version(project, new.name) if new else None
        if current and current.id == doc_id and current.content_hash == new.digest:
            keep[key] = doc_id
    return keep


def _prepare_comment(
    wave: str, respondent_id: str, spor: str, text: str, table: SurveyTable, allow: list[str]
) -> Prepared:
    speaker = f"Respondent {respondent_id}"
    parsed = ParsedDocument(
        source_name=table.source_name,
        format=COMMENT_FORMAT,
        text=text,
        turns=(ParsedTurn(speaker=speaker, start=0, end=len(text)),),
        encoding=table.encoding,
    )
    name = f"survey-{wave}-{respondent_id}-{spor}"
    return prepare_document(parsed, name, allow, roles={speaker: INFORMANT})


def _checked_date(date: str | None) -> str:
    if date is None:
        return dt.date.today().isoformat()
    try:
        return dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise ImportError_(f"survey date {date!r} is not a date like 2025-01-15") from None


def _checked_wave(wave: str | None) -> str | None:
    if wave is None:
        return None
    wave = unicodedata.normalize("NFC", wave.strip())
    if not _WAVE_NAME.fullmatch(wave):
        raise ImportError_(
            f"survey wave name {wave!r} may hold only letters, digits, '-', '_' and '.'"
        )
    return wave


# -- reading the file ----------------------------------------------------------------------


def read_survey(path: str | Path) -> SurveyTable:
    """Read and check a survey file (.csv/.tsv/.txt or .xlsx).

    Raises `SurveyFileError` for problems of the file as a whole (unreadable, empty, bad
    header); problems of single rows are returned in `bad`, one `SkippedRow` per row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        unit, encoding, lines = "row", None, _excel_rows(path)
    elif suffix in TEXT_SUFFIXES:
        unit, (encoding, lines) = "line", _text_rows(path)
    else:
        shown = f"'{path.suffix}'" if path.suffix else "no file extension"
        raise SurveyFileError(
            [f"{path.name}: unknown format ({shown}); a survey is a .csv or .xlsx file"]
        )
    name = path.name
    header: list[str] | None = None
    layout: _Layout | None = None
    rows: list[SurveyRow] = []
    bad: list[SkippedRow] = []
    first_line: dict[str, int] = {}
    for line, cells in lines:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if layout is None:
            header = texts
            layout = _layout(header, f"{name} {unit} {line}")
            continue
        row, problems = _read_row(layout, texts, (name, unit, line), first_line)
        if problems:
            bad.append(SkippedRow(line, row.respondent_id, tuple(problems)))
        else:
            rows.append(row)
    if layout is None:
        raise SurveyFileError([f"{name}: the file is empty"])
    if not rows and not bad:
        raise SurveyFileError([f"{name}: the file has a header but no respondents"])
    return SurveyTable(name, encoding, tuple(rows), tuple(bad))


def _text_rows(path: Path) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    data = _read_bytes(path)
    try:
        text, encoding = decode_bytes(data, path.name)
    except ImportError_ as exc:
        raise SurveyFileError([str(exc)]) from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise SurveyFileError([f"{path.name}: the file is empty"])
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        previous = 0
        try:
            for cells in reader:
                yield previous + 1, cells  # the line the row starts on
                previous = reader.line_num
        except csv.Error as exc:
            raise SurveyFileError(
                [f"{path.name} line {reader.line_num}: not a readable CSV row ({exc})"]
            ) from None

    return encoding, rows()


def _excel_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    _read_bytes(path)  # the same errors as for CSV on a missing or empty file
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        reason = str(exc) or type(exc).__name__
        raise SurveyFileError(
            [f"{path.name}: not an Excel workbook that can be read ({reason})"]
        ) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return enumerate(rows, start=1)


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SurveyFileError([f"{path.name}: no such file"]) from None
    except OSError as exc:
        raise SurveyFileError([f"{path.name}: cannot be read ({exc.strerror or exc})"]) from None
    if not data.strip():
        raise SurveyFileError([f"{path.name}: the file is empty"])
    return data


def _cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (Excel stores 7 as 7.0), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


@dataclass(frozen=True)
class _Layout:
    """What each column of the header holds: (index, column as written, kind, key)."""

    columns: tuple[tuple[int, str, str, str], ...]
    width: int


def _layout(header: list[str], where: str) -> _Layout:
    while header and not header[-1]:
        header = header[:-1]
    problems: list[str] = []
    columns: list[tuple[int, str, str, str]] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        if not cell:
            problems.append(f"{where}: column {index + 1} has no header")
            continue
        folded = cell.casefold()
        if folded == ID_COLUMN:
            kind, key = "id", ID_COLUMN
        elif folded in RATING_COLUMNS:
            kind, key = "rating", folded
        elif folded in COMMENT_COLUMNS:
            kind, key = "comment", COMMENT_COLUMNS[folded]
        elif _looks_like_item(folded):
            unknown.append(cell)
            continue
        else:
            kind, key = "attribute", _ATTRIBUTE_NAMES.get(folded, cell)
        if key.casefold() in seen:
            earlier = seen[key.casefold()]
            same = f" (same as {earlier})" if earlier != cell else ""
            problems.append(f"{where}: column {cell} appears twice{same}")
            continue
        seen[key.casefold()] = cell
        columns.append((index, cell, kind, key))
    found = {key for _, _, kind, key in columns if kind == "rating"}
    missing = [c for c in RATING_COLUMNS if c not in found]
    if ID_COLUMN not in seen and not found and not unknown:
        raise SurveyFileError(
            [f"{where}: no {ID_COLUMN} column and no rating columns; is this the survey file?"]
        )
    if ID_COLUMN not in seen:
        problems.insert(0, f"{where}: no {ID_COLUMN} column")
    for cell in unknown:
        guess = difflib.get_close_matches(cell.casefold(), missing, n=1, cutoff=0.75)
        if guess:
            missing.remove(guess[0])
            hint = f"did you mean {guess[0]}?"
        else:
            hint = "ratings are named {spor}_{impl|vigt}_{a|b|c|d}, comments {spor}_kommentar"
        problems.append(f"{where}: unknown rating column {cell} ({hint})")
    if len(missing) == len(RATING_COLUMNS):
        problems.append(
            f"{where}: no rating columns (expected the {len(RATING_COLUMNS)} columns"
            f" {RATING_COLUMNS[0]} ... {RATING_COLUMNS[-1]})"
        )
    elif missing:
        problems.append(f"{where}: missing rating columns {', '.join(missing)}")
    if problems:
        raise SurveyFileError(problems)
    return _Layout(tuple(columns), len(header))


def _looks_like_item(folded: str) -> bool:
    """A header meant as a rating or comment column but misspelt: it starts with a spor,
    has two of the three parts of a rating name, or is close to a survey column."""
    parts = folded.split("_")
    if parts[0] in SPOR and len(parts) > 1:
        return True
    if (
        len(parts) == 3
        and (parts[0] in SPOR) + (parts[1] in DIMENSIONS) + (parts[2] in INDICATORS) >= 2
    ):
        return True
    known = [*RATING_COLUMNS, *COMMENT_COLUMNS]
    return bool(difflib.get_close_matches(folded, known, n=1, cutoff=0.85))


def _read_row(
    layout: _Layout, cells: list[str], place: tuple[str, str, int], first_line: dict[str, int]
) -> tuple[SurveyRow, list[str]]:
    """The row read, and its problems; `first_line` maps ids seen so far to their line."""
    name, unit, line = place
    where = f"{name} {unit} {line}"
    problems: list[str] = []
    if len(cells) > layout.width and any(cells[layout.width :]):
        problems.append(
            f"{where}: the row has {len(cells)} fields but the header has {layout.width}"
        )
    cells = cells + [""] * (layout.width - len(cells))
    respondent_id = ""
    attributes: dict[str, str] = {}
    ratings: dict[str, int] = {}
    comments: dict[str, str] = {}
    has_role = False
    for index, column, kind, key in layout.columns:
        value = cells[index]
        at = f"{where}, column {column}"
        if kind == "id":
            respondent_id = value
            if not value:
                problems.append(f"{at}: the respondent id is empty")
            elif value in first_line:
                problems.append(f'{at}: "{value}" is already the id on {unit} {first_line[value]}')
            else:
                first_line[value] = line
        elif kind == "rating":
            if value:
                number = _rating(value)
                if number is None:
                    low, high = SCALE
                    problems.append(f'{at}: "{value}" is not a whole number from {low} to {high}')
                else:
                    ratings[key] = number
        elif kind == "comment":
            if value:
                comments[key] = value
        else:
            has_role = has_role or key == "rolle"
            if key == "omraade" and value:
                area = value.casefold()
                area = _AREA_SPELLINGS.get(area, area)
                if area not in AREAS:
                    problems.append(
                        f'{at}: "{value}" is not one of {", ".join(AREAS)} (ældre is accepted)'
                    )
                value = area
            elif key == "rolle" and value.casefold() in ROLES:
                value = value.casefold()
            if value:
                attributes[key] = value
    if not has_role:
        attributes["rolle"] = DEFAULT_ROLE
    ordered = {c: ratings[c] for c in RATING_COLUMNS if c in ratings}
    comments = {s: comments[s] for s in SPOR if s in comments}
    return SurveyRow(line, respondent_id, attributes, ordered, comments), problems


def _rating(text: str) -> int | None:
    match = _WHOLE.fullmatch(text)
    if not match:
        return None
    number = int(match.group(1))
    low, high = SCALE
    return number if low <= number <= high else None
