"""Project file integrity: safe copies of a project file, and the checks behind `check`.

Copies use SQLite's online backup API from a connection that holds one read snapshot for
the whole copy, so a copy made while the TUI codes in another window holds exactly the
work committed when it started (uncommitted changes never, later commits not half). Every
copy is verified (`PRAGMA quick_check`) before anyone relies on it.

The checks open the file read-only (`mode=ro`): they never migrate or write the project.
A read-only connection on a WAL project makes empty `-wal`/`-shm` files when there were
none; they are tidied away afterwards by the last connection's normal close, so a checked
project looks exactly as it did. Every problem is reported as a sentence a researcher
understands, with what to do about it and SQLite's own words where there are any; a file
that is not SQLite at all, or is cut short, is a problem like any other, never a traceback.

This module is the only place that speaks SQL for backups and checks; the use cases
(where backups go, rolling backups, restore) are in `frisat_qual.exchange.backup`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from frisat_qual.errors import ProjectError
from frisat_qual.store.project import BUSY_TIMEOUT_MS
from frisat_qual.store.resolutions import STILL_LISTED
from frisat_qual.store.schema import MIGRATIONS

ERROR, WARNING = "error", "warning"

#: The first 16 bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Pages copied per backup step (16 MB at the usual 4 KB page); progress is shown per step.
COPY_STEP_PAGES = 4096
#: At most this many raw lines of `PRAGMA integrity_check` are read.
INTEGRITY_LINES = 200
#: At most this many examples are named in one problem.
EXAMPLES = 5

#: progress(done, total, what); called as a copy or a check goes on.
Progress = Callable[[int, int, str], None]

#: What the fingerprint leaves out, or sums up, and why:
#: - document texts: never changed in place (a changed text is a new version, i.e. a new
#:   row), and `content_hash` stands in for the text;
#: - speaker turns and segments: made from a document's text when it is imported and never
#:   edited, so their count, highest id and bounds stand for them (hashing every row of a
#:   large project would take seconds);
#: - the log of suggestion-model training runs, which the TUI adds to each time it opens a
#:   project: it is no one's work, and counting it would make every opening look like a
#:   change worth a new backup.
_UNHASHED_COLUMNS = {"documents": {"text"}}
_SUMMED_TABLES = {"segments", "turns"}
_UNCOUNTED_TABLES = {"suggest_models"}

#: How the checks name the rows of each table in a sentence: (one, many).
_NOUNS = {
    "documents": ("document", "documents"),
    "codes": ("code", "codes"),
    "codings": ("coding", "codings"),
    "cases": ("case", "cases"),
    "case_attributes": ("case attribute", "case attributes"),
    "turns": ("speaker turn", "speaker turns"),
    "segments": ("segment", "segments"),
    "suggestions": ("code suggestion", "code suggestions"),
    "memos": ("memo", "memos"),
    "survey_waves": ("survey wave", "survey waves"),
    "respondents": ("survey respondent", "survey respondents"),
    "survey_ratings": ("survey rating", "survey ratings"),
    "survey_comments": ("survey comment", "survey comments"),
    "journal": ("journal entry", "journal entries"),
    "resolutions": ("decision on a disagreement", "decisions on disagreements"),
}

_DEFAULT_RESTORE = "Restore the newest backup (`frisat-qual backups PROJECT` lists them)."


# -- connections ---------------------------------------------------------------------------


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{path.resolve().as_uri()}?{query}"


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection on a project file (see the module doc about -wal/-shm).

    Raises ProjectError when the file is missing or SQLite cannot open it.
    """
    path = Path(path)
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    had_journal = wal.exists() or shm.exists()
    try:
        conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise ProjectError(f"{path}: SQLite cannot open the file ({exc})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # sorts and the checks' temporary tables stay in memory: project texts are
        # sensitive and must not go to a shared temporary folder
        conn.execute("PRAGMA temp_store = MEMORY")
        yield conn
    finally:
        conn.close()
        if not had_journal and wal.exists() and wal.stat().st_size == 0:
            _tidy_empty_wal(path)


def _tidy_empty_wal(path: Path) -> None:
    """Let SQLite remove the empty -wal/-shm a read-only connection left: the last
    connection to close a WAL database deletes them (and with an empty log it writes
    nothing). When someone else has the file open they stay, as they should."""
    try:
        conn = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    except sqlite3.Error:
        return
    try:
        with suppress(sqlite3.Error):
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    finally:
        conn.close()


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # pragma: no cover - Python < 3.11 has no error codes
        return "locked" in str(exc) or "busy" in str(exc)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _is_write_failure(exc: sqlite3.Error) -> bool:
    """A full disk or an I/O error: the target failed, not the source."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY)


def sqlite_header(path: Path) -> bytes:
    """The first 100 bytes of the file (the SQLite header when it is a database)."""
    with open(path, "rb") as f:
        return f.read(100)


# -- copies ----------------------------------------------------------------------------------


def copy_database(
    source: Path, dest: Path, *, journal_mode: str, progress: Progress | None = None
) -> None:
    """Copy the project file `source` into the new, empty file `dest` (backup API).

    The copy is one consistent snapshot of the committed data (a writer busy in another
    window is neither waited for nor half copied); `dest` is left in `journal_mode`
    ("delete" or "wal") without -wal/-shm files beside it and has passed
    `PRAGMA quick_check`. Raises ProjectError (leaving `dest` for the caller to remove)
    when the source cannot be read or the copy is damaged.
    """
    source, dest = Path(source), Path(dest)
    try:
        src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise ProjectError(f"{source}: SQLite cannot open the file ({exc})") from None
    try:
        try:
            # one read transaction for the whole copy: every step sees the same snapshot,
            # so commits by others during the copy neither restart nor tear it
            src.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{source}: not a readable project file ({exc})") from None
        _copy(src, source, dest, journal_mode=journal_mode, progress=progress)
        src.execute("COMMIT")
    finally:
        src.close()


def _copy(
    src: sqlite3.Connection,
    source: Path,
    dest: Path,
    *,
    journal_mode: str,
    progress: Progress | None,
) -> None:
    try:
        tables = _table_names(src)
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{source}: not a readable project file ({exc}); run `frisat-qual check` on it"
        ) from None
    if "documents" not in tables:
        raise ProjectError(f"{source}: not a frisat-qual project (no documents table)")

    def step(status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total, source.name)

    try:
        dst = sqlite3.connect(str(dest), isolation_level=None)
    except sqlite3.Error as exc:
        raise ProjectError(f"{dest}: the copy could not be written ({exc})") from None
    try:
        try:
            src.backup(dst, pages=COPY_STEP_PAGES, progress=step)
        except sqlite3.Error as exc:
            if _is_write_failure(exc):
                raise ProjectError(f"{dest}: the copy could not be written ({exc})") from None
            raise ProjectError(
                f"{source}: the copy failed, part of the file cannot be read ({exc});"
                " run `frisat-qual check` on it"
            ) from None
        try:
            mode = dst.execute(f"PRAGMA journal_mode = {journal_mode}").fetchone()[0]
            verdict = _lines(dst.execute("PRAGMA quick_check(5)"))
        except sqlite3.Error as exc:
            raise ProjectError(f"{dest}: the copy could not be written ({exc})") from None
        if mode.lower() != journal_mode:  # pragma: no cover - a file system without WAL
            raise ProjectError(f"{dest}: could not set the copy's journal mode to {journal_mode}")
        if verdict != ["ok"]:
            raise ProjectError(
                f"{source}: the copy failed its check ({'; '.join(verdict)}); the project"
                " itself may be damaged: run `frisat-qual check` on it"
            )
    finally:
        dst.close()  # the last connection: a WAL copy folds and removes its -wal and -shm


def _lines(rows: Iterable[tuple[str]]) -> list[str]:
    """The lines of an integrity or quick check (SQLite may put several in one row)."""
    return [
        line
        for (text,) in rows
        for line in str(text).splitlines()
        if line.strip() and not line.startswith("*** in database")  # a heading
    ]


def verify_copy(path: Path) -> list[str]:
    """`PRAGMA quick_check` on a file, read-only: ["ok"] or SQLite's complaints."""
    try:
        with read_only(path) as conn:
            return _lines(conn.execute("PRAGMA quick_check(5)"))
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


class SoleAccess:
    """The only connection to a project file, held by `sole_access`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readable: bool):
        self.path = path
        self.readable = readable  # False: the file is not a readable database at all
        self._conn = conn

    def copy_to(self, dest: Path, *, journal_mode: str, progress: Progress | None = None) -> None:
        """Like `copy_database`, from the held connection (nobody else can read now)."""
        if not self.readable:
            raise ProjectError(f"{self.path}: not a readable project file")
        _copy(self._conn, self.path, Path(dest), journal_mode=journal_mode, progress=progress)


@contextmanager
def sole_access(path: Path) -> Iterator[SoleAccess]:
    """Hold the only connection to the project file at `path` while the block runs.

    Raises ProjectError when another window or program has the file open (even idle: in
    WAL mode every open connection keeps a shared lock). Inside, nobody else can read or
    write the file, and its write-ahead log has been folded into the file and switched
    off, so the file can be replaced without a stale -wal being replayed onto its
    replacement. A file that is not a readable database at all gives `readable=False`
    (nobody can be using it; the caller deals with any -wal/-shm beside it).
    """
    try:
        conn = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    except sqlite3.Error as exc:
        raise ProjectError(f"{path}: SQLite cannot open the file ({exc})") from None
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("COMMIT")  # exclusive locking mode keeps the lock after this
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            readable = True
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise ProjectError(
                    f"{path}: the project is open in another window or program;"
                    " close it there first"
                ) from None
            readable = False
        yield SoleAccess(Path(path), conn, readable)
    finally:
        conn.close()


# -- facts about a file ----------------------------------------------------------------------


@dataclass(frozen=True)
class FileSummary:
    """What a project file holds, read without opening it as a project."""

    schema_version: int
    newer: bool  # written by a newer frisat-qual (schema steps this version does not know)
    documents: int  # current documents
    codings: int


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _applied_steps(conn: sqlite3.Connection, tables: set[str]) -> list[str]:
    if MIGRATIONS.migrations_table not in tables:
        return []
    return [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {MIGRATIONS.migrations_table} WHERE migration_set = ?"
            " ORDER BY rowid",
            [MIGRATIONS.name],
        )
    ]


def _known_steps() -> list[str]:
    return [m.name for m in MIGRATIONS._migrations]


def summarize(path: Path) -> FileSummary:
    """Schema version and counts of a project file, read-only. ProjectError if unreadable."""
    try:
        with read_only(path) as conn:
            tables = _table_names(conn)
            if "documents" not in tables:
                raise ProjectError(f"{path}: not a frisat-qual project (no documents table)")
            steps = _applied_steps(conn, tables)
            documents = conn.execute(
                "SELECT count(*) FROM documents WHERE is_current = 1"
            ).fetchone()[0]
            codings = (
                conn.execute("SELECT count(*) FROM codings").fetchone()[0]
                if "codings" in tables
                else 0
            )
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a readable project file ({exc})") from None
    known = set(_known_steps())
    return FileSummary(len(steps), any(s not in known for s in steps), documents, codings)


def read_setting(path: Path, key: str) -> str | None:
    """A project setting, read-only (None when unset)."""
    try:
        with read_only(path) as conn:
            if "settings" not in _table_names(conn):
                return None
            row = conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a readable project file ({exc})") from None
    return row[0] if row else None


def fingerprint(path: Path) -> str:
    """A hash of the project's data, equal for two files that hold the same work.

    Every row of every table is hashed in rowid order, except what `_UNHASHED_COLUMNS`,
    `_SUMMED_TABLES` and `_UNCOUNTED_TABLES` name, and the search index (derived from the
    segments). Pages, free space and journal mode play no part, so a backup has the
    fingerprint of its project. Read-only; ProjectError when the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with read_only(path) as conn:
            conn.execute("BEGIN")  # one snapshot across all tables
            tables = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
                " ORDER BY name"
            ).fetchall()
            fts_shadows = {
                r[0]
                for r in conn.execute(
                    "SELECT s.name FROM sqlite_master v JOIN sqlite_master s"
                    " ON s.name LIKE v.name || '\\_%' ESCAPE '\\'"
                    " WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'"
                )
            }
            for (table,) in tables:
                if table in fts_shadows or table in _UNCOUNTED_TABLES:
                    continue
                skip = _UNHASHED_COLUMNS.get(table, set())
                columns = [
                    r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[1] not in skip
                ]
                digest.update(f"\x00{table}:{','.join(columns)}\x00".encode())
                if table in _SUMMED_TABLES:
                    sql = (
                        "SELECT count(*), max(rowid), total(document_id), total(start),"
                        f' total("end") FROM "{table}"'
                    )
                else:
                    selected = ", ".join(f'"{c}"' for c in columns)
                    sql = f'SELECT {selected} FROM "{table}" ORDER BY rowid'
                for row in conn.execute(sql):
                    digest.update(repr(row).encode("utf-8", "surrogatepass"))
            conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a readable project file ({exc})") from None
    return digest.hexdigest()


# -- the checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a project file, in words: where, what, and what to do."""

    severity: str  # ERROR or WARNING
    where: str  # e.g. "codings", "document 'int-03'", "the file"
    message: str
    fix: str
    raw: str = ""  # SQLite's own words, where there are any

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message} {self.fix}".rstrip()


@dataclass
class CheckReport:
    """The result of checking one project file."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # checks that found nothing
    schema: str = ""  # e.g. "schema 5 (current)"
    documents: int | None = None
    codings: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "documents": self.documents,
            "codings": self.codings,
            "schema": self.schema,
            "passed": self.passed,
            "problems": [asdict(p) for p in self.problems],
        }


def _plural(n: int, table: str) -> str:
    one, many = _NOUNS.get(table, (f"row of {table}", f"rows of {table}"))
    return f"{n} {one if n == 1 else many}"


def _examples(values: list, *, quote: bool = False) -> str:
    shown = [repr(v) if quote else str(v) for v in values[:EXAMPLES]]
    more = f" and {len(values) - EXAMPLES} more" if len(values) > EXAMPLES else ""
    return ", ".join(shown) + more


class _Checker:
    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        report: CheckReport,
        *,
        text_hash: Callable[[str], str],
        restore: Callable[[], str],
    ):
        self.path = path
        self.conn = conn
        self.report = report
        self.text_hash = text_hash
        self._restore = restore
        self.tables = _table_names(conn)
        self.doc_lengths: dict[int, int] = {}
        self.doc_names: dict[int, str] = {}

    @property
    def restore(self) -> str:
        """The sentence on how to restore a backup (made when a problem first needs it)."""
        return self._restore()

    def add(self, severity: str, where: str, message: str, fix: str, raw: str = "") -> None:
        self.report.problems.append(Problem(severity, where, message, fix, raw))

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def doc(self, doc_id: int) -> str:
        return f"document {self.doc_names.get(doc_id, f'#{doc_id}')!r}"

    # -- SQLite's own checks ---------------------------------------------------------------

    def integrity(self) -> bool:
        lines: list[str] = []
        failure: sqlite3.DatabaseError | None = None
        # SQLite can stop with "malformed" on damage it meets late in its walk; a shorter
        # walk (fewer lines) then still gets the faults it found before that
        for limit in (INTEGRITY_LINES, 20, 1):
            try:
                lines = _lines(self.conn.execute(f"PRAGMA integrity_check({limit})"))
                break
            except sqlite3.DatabaseError as exc:
                failure = failure or exc
        else:
            assert failure is not None
            raise failure
        if failure is not None:
            lines.append(str(failure))
        if lines == ["ok"]:
            return True
        groups: dict[str, list[str]] = defaultdict(list)
        for line in lines:
            groups[_integrity_kind(line)].append(line)
        for kind, raw in groups.items():
            raw_text = "\n".join(raw)
            if kind == "damage":
                self._damage(raw)
            elif kind == "index":
                names = sorted({m.group(1) for ln in raw for m in [_INDEX_NAME.search(ln)] if m})
                self.add(
                    ERROR,
                    f"index {_examples(names)}" if names else "an index",
                    "An index (a look-up aid SQLite keeps beside the data) is damaged; the data"
                    " may be intact, but searches and reports can miss rows.",
                    self.restore,
                    raw_text,
                )
            elif kind == "unused":
                self.add(
                    WARNING,
                    "the file",
                    "Some space in the file is lost (pages that belong nowhere); the data is"
                    " intact.",
                    "Nothing needs doing; your work is intact.",
                    raw_text,
                )
            else:
                names = sorted({m.group(1) for ln in raw for m in [_RULE_TABLE.search(ln)] if m})
                self.add(
                    ERROR,
                    ", ".join(names) or "a table",
                    "Some rows break the rules of their table (e.g. a missing value or a span"
                    " that ends before it starts); frisat-qual never stores such rows, so the"
                    " file was changed by another program.",
                    self.restore,
                    raw_text,
                )
        return False

    def _damage(self, raw: list[str]) -> None:
        """Faults in the b-trees themselves: say which data they are in, where we can."""
        pages = sorted({int(m.group(1)) for ln in raw for m in _PAGE.finditer(ln)})
        owners: list[tuple[str, str, str]] = []  # (b-tree name, table, type)
        if pages:
            marks = ",".join("?" for _ in pages[:500])
            with suppress(sqlite3.DatabaseError):  # dbstat walks the damaged file too
                owners = self.conn.execute(
                    "SELECT DISTINCT d.name, coalesce(m.tbl_name, d.name),"
                    " coalesce(m.type, 'table') FROM dbstat d"
                    f" LEFT JOIN sqlite_master m ON m.name = d.name WHERE d.pageno IN ({marks})",
                    pages[:500],
                ).fetchall()
        faults = f"{len(raw)} fault{'s' if len(raw) != 1 else ''}"
        names = sorted({_data_name(table) for _, table, _ in owners})
        tables = " and ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} and more"
        where = f"file page {_examples(pages)}" if pages else "the file"
        if owners and all(kind == "index" for _, _, kind in owners):
            message = (
                f"An index (a look-up aid SQLite keeps beside the {tables}) is"
                f" damaged: SQLite found {faults} in it. The data itself may be intact, but"
                " searches and reports can miss rows."
            )
            where = f"index {_examples(sorted({n for n, _, _ in owners}))} ({where})"
        elif tables:
            message = (
                f"The file is damaged where it keeps the {tables}: SQLite found"
                f" {faults}, so that part of the project cannot be read reliably."
            )
        else:
            message = (
                f"The file is damaged: SQLite found {faults} where it keeps the data, so part"
                " of the project cannot be read reliably."
            )
        self.add(ERROR, where, message, f"Do not work on this file. {self.restore}", "\n".join(raw))

    def foreign_keys(self) -> bool:
        rows = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        if not rows:
            return True
        by_link: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        for table, rowid, parent, fkid in rows:
            by_link[(table, parent, fkid)].append(rowid)
        for (table, parent, fkid), rowids in sorted(by_link.items()):
            links = {r[0]: r for r in self.conn.execute(f'PRAGMA foreign_key_list("{table}")')}
            column = links[fkid][3] if fkid in links else None
            values: list = []
            if column is not None:
                marks = ",".join("?" for _ in rowids[:1000])
                values = sorted(
                    {
                        r[0]
                        for r in self.conn.execute(
                            f'SELECT "{column}" FROM "{table}" WHERE rowid IN ({marks})',
                            rowids[:1000],
                        )
                    },
                    key=str,
                )
            one = _NOUNS.get(parent, (parent, parent))[0]
            n = len(rowids)
            verb = "points" if n == 1 else "point"
            if parent == "codes":
                message = (
                    f"{_plural(n, table)} {'uses' if n == 1 else 'use'} a code that is not"
                    " in the codebook"
                    f" (code {_examples(values, quote=True)})."
                )
                fix = (
                    "Add the missing code back (`frisat-qual codebook add PROJECT CODE LABEL`),"
                    f" or: {self.restore}"
                )
            else:
                message = (
                    f"{_plural(n, table)} {verb} to a {one} that no longer exists"
                    f" ({one} id {_examples(values)})."
                )
                fix = (
                    "frisat-qual never does this; the file was changed by another program."
                    f" {self.restore}"
                )
            raw = f"foreign_key_check: {table} rowids {_examples(rowids)} -> {parent}"
            self.add(ERROR, f"{table} rows {_examples(rowids)}", message, fix, raw)
        return False

    def schema(self) -> bool:
        steps = _applied_steps(self.conn, self.tables)
        known = _known_steps()
        unknown = [s for s in steps if s not in known]
        if unknown:
            self.report.schema = f"schema {len(steps)} (newer than this frisat-qual)"
            self.add(
                WARNING,
                "the file",
                f"The project was saved by a newer frisat-qual (schema step {unknown[0]!r});"
                " this version checked only what it knows.",
                "Upgrade frisat-qual before working on this project.",
            )
            return False
        if len(steps) < len(known):
            self.report.schema = (
                f"schema {len(steps)} (older; upgraded to {len(known)} when next opened)"
            )
        else:
            self.report.schema = f"schema {len(steps)} (current)"
        return True

    def search_index(self) -> bool:
        """Every segment is in the full-text index, with its words, and nothing else is.

        The FTS5 'integrity-check' command needs write access. Instead, ids are compared
        with the index's own per-row table (segments_fts_docsize, one row per indexed
        segment), and words with a fresh index of the segments' texts built in this
        connection's in-memory temp schema: the project file is only read.
        """
        if not self.has("segments", "segments_fts_docsize"):
            return True
        missing = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM segments EXCEPT SELECT id FROM segments_fts_docsize LIMIT 1000"
            )
        ]
        stale = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM segments_fts_docsize EXCEPT SELECT id FROM segments LIMIT 1000"
            )
        ]
        skip = set(missing) | set(stale)
        wrong = [i for i in self._indexed_words_differ() if i not in skip]
        if not missing and not stale and not wrong:
            return True
        parts = []
        if missing:
            parts.append(f"{_plural(len(missing), 'segments')} cannot be found by search")
        if stale:
            n = len(stale)
            parts.append(
                f"the index holds {n} {'segment' if n == 1 else 'segments'} that no longer"
                f" {'exists' if n == 1 else 'exist'}"
            )
        if wrong:
            parts.append(
                f"the index holds other words than the text for {_plural(len(wrong), 'segments')}"
                f" (segment id {_examples(wrong)})"
            )
        self.add(
            WARNING,
            "the search index",
            "The full-text search index is out of step with the text: "
            + " and ".join(parts)
            + ". Searches may miss or show wrong passages; codings are not affected.",
            "Make a backup, then rebuild the index with"
            " `sqlite3 PROJECT \"INSERT INTO segments_fts(segments_fts) VALUES('rebuild')\"`,"
            f" or: {self.restore}",
            f"segments without index entry: {_examples(missing)}; index entries without"
            f" segment: {_examples(stale)}; index entries with other words than the segment:"
            f" {_examples(wrong)}",
        )
        return False

    def _indexed_words_differ(self) -> list[int]:
        """Ids of segments whose words in the index differ from those of their text.

        A fresh index of the texts is built in memory with the project's own tokenizer
        settings, so the same text gives the same words. The two are compared by each
        word's totals (fts5vocab 'row': in how many segments, how often), which is quick;
        for the few words whose totals differ, by where they stand (fts5vocab 'instance':
        segment, column, place); and by each segment's number of words (the docsize
        tables). Reading every word of both indexes would take minutes on a large project;
        only a swap of equally long texts between segments could pass these tests.
        """
        if not self.has("segments_fts"):
            return []
        sql = self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'segments_fts'"
        ).fetchone()[0]
        tokenize = _FTS_TOKENIZE.search(sql or "")
        options = f", tokenize={tokenize.group(1)}" if tokenize else ""
        tables = {
            "check_fts_rows": "fts5vocab(temp, check_fts, row)",
            "check_index_rows": "fts5vocab(main, segments_fts, row)",
            "check_fts_words": "fts5vocab(temp, check_fts, instance)",
            "check_index_words": "fts5vocab(main, segments_fts, instance)",
        }
        try:  # in the temp schema, which `read_only` keeps in memory
            self.conn.execute(f"CREATE VIRTUAL TABLE temp.check_fts USING fts5(text{options})")
            self.conn.execute(
                "INSERT INTO temp.check_fts (rowid, text) SELECT id, text FROM main.segments"
            )
            for name, definition in tables.items():
                self.conn.execute(f"CREATE VIRTUAL TABLE temp.{name} USING {definition}")
            terms = [
                r[0]
                for r in self.conn.execute(
                    "SELECT term FROM (SELECT term, doc, cnt FROM temp.check_fts_rows EXCEPT"
                    " SELECT term, doc, cnt FROM temp.check_index_rows) UNION SELECT term FROM"
                    " (SELECT term, doc, cnt FROM temp.check_index_rows EXCEPT SELECT term,"
                    " doc, cnt FROM temp.check_fts_rows)"
                )
            ]
            ids: set[int] = set()
            for term in terms:
                places = [
                    set(
                        self.conn.execute(
                            f"SELECT doc, col, offset FROM temp.{table} WHERE term = ?", [term]
                        )
                    )
                    for table in ("check_fts_words", "check_index_words")
                ]
                ids.update(doc for doc, _, _ in places[0] ^ places[1])
                if len(ids) >= 1000:
                    break
            ids.update(
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM (SELECT id, sz FROM main.segments_fts_docsize EXCEPT"
                    " SELECT id, sz FROM temp.check_fts_docsize) LIMIT 1000"
                )
            )
        finally:
            for table in (*reversed(tables), "check_fts"):
                with suppress(sqlite3.Error):
                    self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        return sorted(ids)

    # -- frisat-qual's own rules -----------------------------------------------------------

    def documents(self) -> bool:
        ok = True
        for doc_id, name, version, text, digest in self.conn.execute(
            "SELECT id, name, version, text, content_hash FROM documents ORDER BY id"
        ):
            self.doc_names[doc_id] = name if version == 1 else f"{name}@{version}"
            if not isinstance(text, str):
                self.doc_lengths[doc_id] = 0
                ok = False
                self.add(
                    ERROR,
                    self.doc(doc_id),
                    "The document's text is missing or not text.",
                    self.restore,
                )
                continue
            self.doc_lengths[doc_id] = len(text)
            if self.text_hash(text) != digest:
                ok = False
                self.add(
                    ERROR,
                    self.doc(doc_id),
                    "The document's text does not match the fingerprint it was imported with:"
                    " it was changed outside frisat-qual, so its codings may no longer mark"
                    " the words they were made on.",
                    self.restore,
                    f"documents.id {doc_id}: content_hash {digest} differs from the text's",
                )
        # the versions of a document share its name (UNIQUE (name, version); a new import
        # of a name marks the older ones not current), and everything the researcher sees
        # reads `is_current = 1` only
        for name, current, versions in self.conn.execute(
            "SELECT name, sum(is_current = 1), group_concat(version) FROM"
            " (SELECT name, is_current, version FROM documents ORDER BY name, version)"
            " GROUP BY name HAVING sum(is_current = 1) != 1 ORDER BY name"
        ):
            ok = False
            if current:
                message = (
                    f"{current} versions of the document are marked as the current one"
                    f" (versions {versions}); there must be one."
                )
            else:
                message = (
                    "No version of the document is marked as the current one (versions"
                    f" {versions}): it and its codings are missing from the workspace and"
                    " every report; there must be one."
                )
            self.add(ERROR, f"document {name!r}", message, self.restore)
        return ok

    def codings(self) -> bool:
        if not self.has("codings"):
            return True
        ok = True
        for coding_id, doc_id, start, end in self.conn.execute(
            'SELECT id, document_id, start, "end" FROM codings ORDER BY id'
        ):
            length = self.doc_lengths.get(doc_id)
            if length is None:
                continue  # a coding without its document: foreign_key_check reports it
            if not (isinstance(start, int) and isinstance(end, int)):
                message = f"Coding {coding_id} has a position that is not a whole number."
            elif start < 0 or end <= start:
                message = f"Coding {coding_id} has an empty or backwards span ({start}:{end})."
            elif end > length:
                message = (
                    f"Coding {coding_id} ends at character {end}, beyond the end of the text"
                    f" ({length} characters)."
                )
            else:
                continue
            ok = False
            self.add(
                ERROR,
                f"{self.doc(doc_id)}, coding {coding_id}",
                message,
                f"Remove it with `frisat-qual uncode PROJECT {coding_id}`, or: {self.restore}",
            )
        return ok

    def units(self) -> bool:
        """Speaker turns and segments lie inside their document's text, in order."""
        ok = True
        for table in ("turns", "segments"):
            if not self.has(table):
                continue
            bad: dict[int, list[str]] = defaultdict(list)
            previous: tuple[int, int, int] | None = None  # document, idx, end
            for doc_id, idx, start, end in self.conn.execute(
                f'SELECT document_id, idx, start, "end" FROM {table} ORDER BY document_id, idx'
            ):
                length = self.doc_lengths.get(doc_id)
                if length is None:
                    continue
                if not (0 <= start <= end <= length):
                    bad[doc_id].append(f"{idx} ({start}:{end} outside 0:{length})")
                elif (
                    previous
                    and previous[0] == doc_id
                    and (idx == previous[1] or start < previous[2])
                ):
                    bad[doc_id].append(f"{idx} (overlaps or repeats the one before)")
                previous = (doc_id, idx, end)
            for doc_id, where in bad.items():
                ok = False
                n = len(where)
                self.add(
                    ERROR,
                    self.doc(doc_id),
                    f"{_plural(n, table).capitalize()} of the document"
                    f" {'lies' if n == 1 else 'lie'} outside its text or out of order"
                    f" (number {_examples(where)}); the transcript view and reports would"
                    " show wrong passages.",
                    "Import the document again as a new version, or: " + self.restore,
                )
        if self.has("segments", "turns"):
            outside = [
                r[0]
                for r in self.conn.execute(
                    "SELECT s.id FROM segments s JOIN turns t ON t.id = s.turn_id"
                    " WHERE s.document_id != t.document_id OR s.start < t.start"
                    ' OR s."end" > t."end" ORDER BY s.id LIMIT 1000'
                )
            ]
            if outside:
                ok = False
                self.add(
                    ERROR,
                    "segments",
                    f"{_plural(len(outside), 'segments')}"
                    f" {'lies' if len(outside) == 1 else 'lie'} outside the speaker turn"
                    f" {'it belongs' if len(outside) == 1 else 'they belong'} to"
                    f" (segment id {_examples(outside)}).",
                    self.restore,
                )
        return ok

    def codebook(self) -> bool:
        if not self.has("codes", "codebooks"):
            return True
        codes = self.conn.execute("SELECT count(*) FROM codes").fetchone()[0]
        active = self.conn.execute("SELECT count(*) FROM codebooks WHERE active = 1").fetchone()[0]
        if active > 1:
            self.add(
                ERROR,
                "codebooks",
                f"{active} codebooks are marked active; there must be one.",
                "Load the codebook you use again (`frisat-qual codebook load PROJECT FILE`),"
                f" or: {self.restore}",
            )
            return False
        if codes and not active:
            self.add(
                WARNING,
                "codebooks",
                f"The project has {codes} codes but no active codebook: the codebook's"
                " history has lost its current version.",
                "Load the codebook again (`frisat-qual codebook load PROJECT FILE`).",
            )
            return False
        return True

    def survey(self) -> bool:
        if not self.has("survey_ratings"):
            return True
        bad = self.conn.execute(
            "SELECT respondent, item, value FROM survey_ratings"
            " WHERE typeof(value) != 'integer' OR value NOT BETWEEN 1 AND 10"
            " ORDER BY respondent, item"
        ).fetchall()
        if not bad:
            return True
        shown = [f"respondent #{r} {item}={value!r}" for r, item, value in bad]
        self.add(
            ERROR,
            "survey_ratings",
            f"{_plural(len(bad), 'survey_ratings')} {'is' if len(bad) == 1 else 'are'}"
            f" not on the 1-10 scale ({_examples(shown)}).",
            f"Import the survey wave again (`frisat-qual survey import`), or: {self.restore}",
        )
        return False

    def memos(self) -> bool:
        if not self.has("memos"):
            return True
        targets = {
            "document": ("documents", "id"),
            "code": ("codes", "id"),
            "coding": ("codings", "id"),
            "case": ("cases", "id"),
        }
        ok = True
        for kind, (table, column) in targets.items():
            if not self.has(table):
                continue
            lost = self.conn.execute(
                f"SELECT id, target_id FROM memos WHERE target_type = ?"
                f' AND target_id NOT IN (SELECT CAST("{column}" AS TEXT) FROM "{table}")'
                " ORDER BY id",
                [kind],
            ).fetchall()
            if not lost:
                continue
            ok = False
            n = len(lost)
            self.add(
                WARNING,
                "memos",
                f"{_plural(n, 'memos')} {'is' if n == 1 else 'are'} written on a {kind} that"
                f" no longer exists (memo {_examples([m for m, _ in lost])} on {kind}"
                f" {_examples([t for _, t in lost], quote=True)}); the text is kept but"
                " shown nowhere.",
                "Copy the memo text elsewhere if you still need it.",
            )
        return ok

    def decisions(self) -> bool:
        """Decisions on disagreements whose consensus codings are gone: removed after the
        decision (in the workspace, with `uncode`), so the decision is shown as settled
        while the consensus coder lacks what it kept."""
        if not self.has("resolutions", "codings"):
            return True
        unreadable = [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM resolutions WHERE NOT json_valid(codings)"
                " OR json_type(codings) <> 'array' ORDER BY id"
            )
        ]
        lost = self.conn.execute(
            "SELECT r.id, r.document_id, r.code_id FROM resolutions r, json_each(r.codings) j"
            " WHERE json_valid(r.codings) AND json_type(r.codings) = 'array' AND NOT EXISTS"
            f" (SELECT 1 FROM codings c WHERE {STILL_LISTED}) GROUP BY r.id ORDER BY r.id"
        ).fetchall()
        if unreadable:
            self.add(
                WARNING,
                "resolutions",
                f"{_plural(len(unreadable), 'resolutions')} cannot be read (decision"
                f" {_examples(unreadable)}): which consensus codings they kept is unknown.",
                "Resolve those disagreements again (`frisat-qual disagreements PROJECT`"
                " lists them with their ids).",
            )
        if lost:
            n = len(lost)
            where = [f"{self.doc(d)} {code}" for _, d, code in lost]
            self.add(
                WARNING,
                "resolutions",
                f"{_plural(n, 'resolutions')} {'keeps' if n == 1 else 'keep'} consensus"
                f" codings that were removed since ({_examples(where)}): the consensus"
                " coder lacks what was decided there.",
                "Resolve those disagreements again (`frisat-qual resolve`), or undo the removal.",
            )
        return not (unreadable or lost)

    def journal(self) -> bool:
        if not self.has("journal"):
            return True
        bad = []
        for entry_id, changes in self.conn.execute("SELECT id, changes FROM journal ORDER BY id"):
            try:
                valid = isinstance(json.loads(changes), list)
            except (TypeError, ValueError):
                valid = False
            if not valid:
                bad.append(entry_id)
        if not bad:
            return True
        self.add(
            WARNING,
            "journal",
            f"{_plural(len(bad), 'journal')} of the undo history cannot be read"
            f" (entry {_examples(bad)}): those actions cannot be undone or redone.",
            "Your codings are not affected; undo stops at these entries.",
        )
        return False


# Raw integrity_check lines, by what they mean for a researcher.
_INTEGRITY_KINDS = [
    ("index", re.compile(r"missing from index|wrong # of entries in index|non-unique entry")),
    ("unused", re.compile(r"is never used|[Ff]reelist")),
    ("rule", re.compile(r"CHECK constraint failed|NULL value in")),
]
_INDEX_NAME = re.compile(r"index (\w+)")
_FTS_TOKENIZE = re.compile(r"tokenize\s*=\s*('(?:[^']|'')*'|\"[^\"]*\"|\w+)", re.IGNORECASE)
_RULE_TABLE = re.compile(r"(?:failed in|NULL value in) (\w+)")
_PAGE = re.compile(r"[Pp]age (\d+)")


def _integrity_kind(line: str) -> str:
    for kind, pattern in _INTEGRITY_KINDS:
        if pattern.search(line):
            return kind
    return "damage"


def _data_name(table: str) -> str:
    """What a researcher calls the data in a table (for damage reports)."""
    if table.startswith("segments_fts"):
        return "search index"
    return {
        "_sqlite_migrations": "schema history",
        "sqlite_master": "list of tables",
        "settings": "settings",
        "codebooks": "codebook history",
        "audit_allow": "audit allow-list",
        "suggest_models": "suggestion model runs",
    }.get(table, _NOUNS.get(table, ("", table))[1])


def check_file(
    path: Path,
    *,
    text_hash: Callable[[str], str],
    restore: str | Callable[[], str] = _DEFAULT_RESTORE,
    progress: Progress | None = None,
) -> CheckReport:
    """Check the project file at `path`, read-only; every problem found, in words.

    `text_hash` is the importer's hash of a document text (to compare with the stored
    content_hash); `restore` is the sentence that tells the researcher how to restore a
    backup, used wherever that is the fix, or a function that makes it: it is called
    once, and only when a problem needs it (finding a good backup means reading one).
    """
    path = Path(path)
    report = CheckReport(path)
    advice = functools.cache(restore) if callable(restore) else lambda: restore
    fatal = _file_problem(path, advice)
    if fatal is not None:
        report.problems.append(fatal)
        return report
    try:
        with read_only(path) as conn:
            _run_checks(path, conn, report, text_hash=text_hash, restore=advice, progress=progress)
    except ProjectError as exc:
        report.problems.append(Problem(ERROR, "the file", str(exc), advice()))
    except sqlite3.DatabaseError as exc:
        report.problems.append(
            Problem(
                ERROR,
                "the file",
                "The file is damaged so badly that SQLite cannot read its list of tables.",
                f"Do not work on this file. {advice()}",
                str(exc),
            )
        )
    return report


def _file_problem(path: Path, restore: Callable[[], str]) -> Problem | None:
    """A problem with the file as a whole, found without SQLite (None if it looks right)."""
    if not path.exists():
        return Problem(ERROR, str(path), "There is no such file.", "Check the name and folder.")
    if not path.is_file():
        return Problem(ERROR, str(path), "This is a folder, not a project file.", "")
    try:
        size = path.stat().st_size
        header = sqlite_header(path)
    except OSError as exc:
        return Problem(ERROR, "the file", f"The file cannot be read ({exc.strerror}).", "")
    if size == 0:
        return Problem(
            ERROR, "the file", "The file is empty (0 bytes): it holds no project.", restore()
        )
    if not header.startswith(SQLITE_MAGIC):
        return Problem(
            ERROR,
            "the file",
            "This is not a frisat-qual project: the file is not an SQLite database"
            " (or its first bytes are destroyed).",
            f"Check that you named the right file. {restore()}",
            f"first bytes: {header[:16]!r}",
        )
    if len(header) < 100:
        return Problem(
            ERROR, "the file", "The file is cut short: it ends inside its header.", restore()
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter, valid_for = header[24:28], header[92:96]
    if pages and counter == valid_for and size < pages * page_size:
        return Problem(
            ERROR,
            "the file",
            f"The file is cut short: it has {size:,} bytes but should have"
            f" {pages * page_size:,} (e.g. an interrupted copy or a full disk).",
            f"Do not work on this file. {restore()}",
            f"header: {pages} pages of {page_size} bytes; file size {size}",
        )
    return None


def _run_checks(
    path: Path,
    conn: sqlite3.Connection,
    report: CheckReport,
    *,
    text_hash: Callable[[str], str],
    restore: Callable[[], str],
    progress: Progress | None,
) -> None:
    checker = _Checker(path, conn, report, text_hash=text_hash, restore=restore)
    if "documents" not in checker.tables:
        report.problems.append(
            Problem(
                ERROR,
                "the file",
                "This SQLite file is not a frisat-qual project (it has no documents table).",
                "Check that you named the right file.",
            )
        )
        return
    conn.execute("BEGIN")  # every check reads the same snapshot
    steps: list[tuple[str, Callable[[], bool]]] = [
        ("integrity", checker.integrity),
        ("foreign keys", checker.foreign_keys),
        ("schema", checker.schema),
        ("search index", checker.search_index),
        ("documents", checker.documents),
        ("codings", checker.codings),
        ("turns and segments", checker.units),
        ("codebook", checker.codebook),
        ("survey ratings", checker.survey),
        ("memos", checker.memos),
        ("decisions", checker.decisions),
        ("journal", checker.journal),
    ]
    # these checks measure codings and segments against the texts `documents` reads: when
    # it could not read them all, they would pass for want of texts, not on the evidence
    needs_texts = {"codings", "turns and segments"}
    unreadable: list[str] = []
    first_error = ""
    for number, (name, step) in enumerate(steps):
        if progress is not None:
            progress(number, len(steps), name)
        if name in needs_texts and "documents" in unreadable:
            unreadable.append(name)
            continue
        try:
            if step():
                report.passed.append(name)
        except sqlite3.DatabaseError as exc:
            unreadable.append(name)
            first_error = first_error or str(exc)
    if unreadable:
        checks = ", ".join(unreadable)
        checker.add(
            ERROR,
            "the file",
            f"The file is damaged: SQLite could not read it for these checks: {checks}.",
            f"Do not work on this file. {checker.restore}",
            first_error,
        )
    if progress is not None:
        progress(len(steps), len(steps), "done")
    with suppress(sqlite3.DatabaseError):
        report.documents = conn.execute(
            "SELECT count(*) FROM documents WHERE is_current = 1"
        ).fetchone()[0]
        if "codings" in checker.tables:
            report.codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    with suppress(sqlite3.Error):  # SQLite may have ended it already, after damage
        conn.execute("ROLLBACK")
