"""The `Project` handle: a connection to one project file, opened safely.

Why these settings: WAL lets the TUI and the CLI (or two terminals) use one project at the
same time, readers never block the writer; `busy_timeout` makes a second writer wait rather
than fail; `synchronous=FULL` makes every committed coding survive a kill or power cut.
Connections belong to one thread: a worker calls `project.reopen()` for its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from frisat_qual.errors import ProjectError
from frisat_qual.store.schema import MIGRATIONS, schema_version

PROJECT_SUFFIX = ".frisat"
BUSY_TIMEOUT_MS = 10_000


class Project:
    """An open project file. Use as a context manager or call `close()`."""

    def __init__(self, path: Path, db: sqlite_utils.Database):
        self.path = path
        self.db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @property
    def name(self) -> str:
        return self.path.stem

    @contextmanager
    def transaction(self) -> Iterator[Project]:
        """One user action: everything inside commits together or not at all.

        The write lock is taken at the start (BEGIN IMMEDIATE): with several writers on one
        file (two windows, import workers) a deferred transaction that reads first could
        find, at its first write, that another writer committed meanwhile, and fail; an
        immediate one waits its turn (busy timeout) and then sees the latest data. Nested
        calls become savepoints of the outer action.
        """
        if self.conn.in_transaction:
            with self.db.atomic():  # a savepoint inside the running action
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def reopen(self) -> Project:
        """A new handle on the same file, for use in another thread."""
        return open_project(self.path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"


def _connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":  # pragma: no cover - only on file systems without WAL support
        raise ProjectError(f"{path}: the file system does not support SQLite WAL mode")
    conn.execute("PRAGMA synchronous = FULL")
    return db


def create_project(path: str | Path) -> Project:
    """Create a new, empty project file. Refuses to overwrite an existing file."""
    path = Path(path)
    if path.exists():
        raise ProjectError(f"{path}: a file of that name exists already")
    if not path.parent.exists():
        raise ProjectError(f"{path}: folder {path.parent} does not exist")
    db = _connect(path)
    MIGRATIONS.apply(db)
    return Project(path, db)


def open_project(path: str | Path, *, create: bool = False) -> Project:
    """Open an existing project, applying any pending schema migrations.

    With `create=True` a missing file is created. A file that is not a frisat-qual
    project, or one written by a newer version, raises ProjectError and is left untouched.
    """
    path = Path(path)
    if not path.exists():
        if create:
            return create_project(path)
        raise ProjectError(f"{path}: no such project file")
    if path.is_file() and path.stat().st_size == 0:
        # never turn an empty file into a fresh project: it may be a project a full disk or a
        # crash of another program truncated, and a new schema in it would hide the loss
        raise ProjectError(
            f"{path}: the file is empty (0 bytes), not a frisat-qual project; if it was one,"
            f" restore a backup (frisat-qual backups {path.name})"
        )
    try:
        db = _connect(path)
        tables = set(db.table_names())
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a frisat-qual project ({exc})") from None
    if tables and "documents" not in tables:
        db.close()
        raise ProjectError(f"{path}: not a frisat-qual project (no documents table)")
    known = {m.name for m in MIGRATIONS._migrations}
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        db.close()
        raise ProjectError(
            f"{path}: made by a newer frisat-qual (schema step {unknown[0]!r}); please upgrade"
        )
    try:
        MIGRATIONS.apply(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise ProjectError(f"{path}: could not upgrade the project schema ({exc})") from None
    return Project(path, db)


__all__ = ["PROJECT_SUFFIX", "Project", "create_project", "open_project", "schema_version"]
