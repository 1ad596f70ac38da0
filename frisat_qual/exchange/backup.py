"""Backups of a project: made on demand, made automatically when a project is opened
(rolling: the last N are kept), listed, restored; and the check of a project file.

Where: next to the project, in `<folder>/<stem>-backups/`, never in a shared or temporary
place (interviews are sensitive research data), and nothing leaves the machine. A backup
gets the project file's permissions. Names carry the time (UTC) and kind:
`<stem>-YYYYMMDD-HHMMSS.frisat` for a manual backup, `<stem>-auto-...` for an automatic
one and `<stem>-pre-restore-...` for the copy of a project that a restore replaced; a
second backup in the same second gets `-2`, `-3`, ... Only automatic backups are ever
deleted (the oldest beyond N); manual and pre-restore copies stay until you delete them.

Safety: a backup is made with SQLite's online backup API (so it works while the TUI has
the project open, and holds exactly the committed work), written to a hidden temporary
file in the target folder, verified, flushed to disk, and only then given its name. A
crash or kill leaves either no backup or a whole one, and never touches the project.

Rolling backups are made only when the project changed since the newest automatic
backup. "Changed" compares a fingerprint of the data (a hash of every row, see
`store.integrity.fingerprint`) of the project and of that backup, computed from the files
themselves, so nothing extra is stored and a restored or edited backup is judged by what
it holds. N is the project setting `backup.keep` (default 5; 0 turns automatic backups
off and leaves the existing ones alone); `frisat-qual backup PROJECT --keep N` sets it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from frisat_qual.errors import ProjectError
from frisat_qual.store import PROJECT_SUFFIX, open_project
from frisat_qual.store.integrity import (
    CheckReport,
    Progress,
    SoleAccess,
    check_file,
    copy_database,
    fingerprint,
    read_setting,
    sole_access,
    summarize,
    verify_copy,
)
from frisat_qual.store.settings import set_setting

MANUAL, AUTO, PRE_RESTORE = "manual", "auto", "pre-restore"
KEEP_SETTING = "backup.keep"
DEFAULT_KEEP = 5
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    """One backup file of a project, with what it holds (read from the file itself)."""

    path: Path
    kind: str  # MANUAL, AUTO or PRE_RESTORE
    created: datetime  # UTC, from the file name
    size: int  # bytes
    schema_version: int | None = None
    documents: int | None = None
    codings: int | None = None
    problem: str | None = None  # why the file could not be read, if it could not


def backup_folder(project: str | Path) -> Path:
    """Where the backups of the project file `project` go: `<folder>/<stem>-backups/`."""
    project = Path(project)
    return project.parent / f"{project.stem}-backups"


# -- making backups ----------------------------------------------------------------------


def backup_project(
    path: str | Path, out: str | Path | None = None, *, progress: Progress | None = None
) -> Path:
    """Back the project up; returns the backup file.

    Default target: a new manual backup in the project's backup folder. `out` names the
    file instead and is never overwritten. The copy is verified before this returns.
    """
    path = Path(path)
    _require_file(path)
    if out is None:
        return _new_backup(path, MANUAL, progress)
    out = Path(out)
    if out.is_dir():
        raise ProjectError(f"{out}: is a folder; name the backup file to write")
    if out.exists():
        raise ProjectError(f"{out}: a file of that name exists already; choose another name")
    if not out.parent.is_dir():
        raise ProjectError(f"{out}: folder {out.parent} does not exist")
    with _temporary_copy(path, out.parent, journal_mode="delete", progress=progress) as tmp:
        _chmod_like(tmp, path)
        _place_exclusively(tmp, out)
    return out


def rolling_backup(
    path: str | Path, keep: int | None = None, *, progress: Progress | None = None
) -> Path | None:
    """The automatic backup made when a project is opened (see the module doc).

    Makes one only if the project changed since the newest automatic backup, then deletes
    the oldest automatic backups beyond `keep` (default: the project's `backup.keep`
    setting). Returns the new backup, or None when none was needed or `keep` is 0.
    """
    path = Path(path)
    _require_file(path)
    keep = backup_keep(path) if keep is None else keep
    if keep <= 0:
        return None
    autos = [b for b in _backup_files(path) if b[1] == AUTO]
    made = None
    if not autos or not _same_data(path, autos[0][0]):
        made = _new_backup(path, AUTO, progress)
        autos = [b for b in _backup_files(path) if b[1] == AUTO]
    for old, _kind, _when in autos[keep:]:
        old.unlink(missing_ok=True)
    return made


def backup_keep(path: str | Path) -> int:
    """How many automatic backups the project keeps (its `backup.keep` setting)."""
    value = read_setting(Path(path), KEEP_SETTING)
    try:
        return max(0, int(value)) if value is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def set_backup_keep(path: str | Path, keep: int) -> None:
    """Save how many automatic backups to keep (0 turns them off)."""
    if keep < 0:
        raise ProjectError(f"backup.keep must be 0 or more, not {keep}")
    with open_project(path) as project:
        set_setting(project, KEEP_SETTING, str(keep))


def _same_data(path: Path, backup: Path) -> bool:
    try:
        theirs = fingerprint(backup)
    except ProjectError:
        return False  # an unreadable backup is no backup: make a new one
    return fingerprint(path) == theirs


def _new_backup(path: Path, kind: str, progress: Progress | None) -> Path:
    folder = backup_folder(path)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{folder}: the backup folder could not be made ({exc})") from None
    with _temporary_copy(path, folder, journal_mode="delete", progress=progress) as tmp:
        _chmod_like(tmp, path)
        return _place_named(tmp, folder, path.stem, kind)


def _place_named(tmp: Path, folder: Path, stem: str, kind: str) -> Path:
    """Give the verified copy the next name of its kind and time.

    Numbers only go up within a second (after the highest in use, not into a gap that a
    deleted backup left), so names keep sorting in the order the backups were made.
    """
    stamp = datetime.now(UTC).strftime(_STAMP)
    prefix = f"{stem}-{stamp}" if kind == MANUAL else f"{stem}-{kind}-{stamp}"
    taken = re.compile(rf"{re.escape(prefix)}(?:-(\d+))?{re.escape(PROJECT_SUFFIX)}")
    used = [int(m.group(1) or 1) for p in folder.iterdir() if (m := taken.fullmatch(p.name))]
    for seq in range(max(used, default=0) + 1, 10_000):
        target = folder / f"{prefix}{'' if seq == 1 else f'-{seq}'}{PROJECT_SUFFIX}"
        try:
            _place_new(tmp, target)
        except FileExistsError:
            continue  # taken meanwhile by another backup: try the next number
        return target
    raise ProjectError(f"{folder}: no free backup name for {stamp}")  # pragma: no cover


@contextmanager
def _temporary_copy(
    source: Path, folder: Path, *, journal_mode: str, progress: Progress | None
) -> Iterator[Path]:
    """A verified copy of `source` in a hidden temporary file in `folder`, flushed to
    disk; removed afterwards unless the block moved it into place."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{source.stem}-", suffix=".tmp")
    except OSError as exc:
        raise ProjectError(f"{folder}: cannot write there ({exc})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        copy_database(source, tmp, journal_mode=journal_mode, progress=progress)
        try:
            _fsync(tmp)
        except OSError as exc:
            raise ProjectError(f"{folder}: the copy could not be written ({exc})") from None
        yield tmp
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _place_new(tmp: Path, target: Path) -> None:
    """Move `tmp` to `target` and make it durable; FileExistsError if `target` exists
    (never replaced)."""
    try:
        try:
            os.link(tmp, target)  # fails if target exists: no check-then-write race
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (e.g. FAT on a USB stick)
            if target.exists():
                raise FileExistsError(target) from None
            os.replace(tmp, target)
        else:
            tmp.unlink()
    except FileExistsError:
        raise
    except OSError as exc:
        raise ProjectError(f"{target}: could not be written ({exc.strerror})") from None
    _fsync_folder(target.parent)


def _place_exclusively(tmp: Path, target: Path) -> None:
    try:
        _place_new(tmp, target)
    except FileExistsError:
        raise ProjectError(
            f"{target}: a file of that name exists already; choose another name"
        ) from None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _chmod_like(path: Path, model: Path) -> None:
    """Give a copy the permissions of what it copies (it stays private, 0600, if the file
    system cannot say)."""
    with suppress(OSError):
        os.chmod(path, stat.S_IMODE(model.stat().st_mode))


def _require_file(path: Path) -> None:
    if not path.exists():
        raise ProjectError(f"{path}: no such project file")
    if not path.is_file():
        raise ProjectError(f"{path}: is a folder, not a project file")


# -- listing -------------------------------------------------------------------------------


def _backup_pattern(project: Path) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(project.stem)}-(?:(auto|pre-restore)-)?(\d{{8}}-\d{{6}})(?:-(\d+))?"
        rf"{re.escape(PROJECT_SUFFIX)}"
    )


def _backup_files(path: Path) -> list[tuple[Path, str, datetime]]:
    """The project's backup files (path, kind, time), newest first."""
    folder = backup_folder(path)
    if not folder.is_dir():
        return []
    pattern = _backup_pattern(path)
    found = []
    for entry in folder.iterdir():
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file():
            continue
        try:
            when = datetime.strptime(match.group(2), _STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        order = (when, int(match.group(3) or 1), entry.stat().st_mtime_ns)
        found.append((order, entry, match.group(1) or MANUAL))
    found.sort(key=lambda f: f[0], reverse=True)
    return [(entry, kind, order[0]) for order, entry, kind in found]


def list_backups(path: str | Path) -> list[Backup]:
    """The project's backups, newest first, each with what it holds."""
    return [_describe(entry, kind, when) for entry, kind, when in _backup_files(Path(path))]


def read_backup(path: str | Path) -> Backup:
    """What one backup file (or any project file) holds; its kind and time come from
    its name when it is named like a backup, else from the file (manual, modified)."""
    path = Path(path)
    _require_file(path)
    project = path.parent.parent / f"{path.parent.name.removesuffix('-backups')}{PROJECT_SUFFIX}"
    match = _backup_pattern(project).fullmatch(path.name)
    if match is not None:
        when = datetime.strptime(match.group(2), _STAMP).replace(tzinfo=UTC)
        return _describe(path, match.group(1) or MANUAL, when)
    return _describe(path, MANUAL, datetime.fromtimestamp(path.stat().st_mtime, UTC))


def _describe(entry: Path, kind: str, when: datetime) -> Backup:
    size = entry.stat().st_size
    try:
        facts = summarize(entry)
    except ProjectError as exc:
        return Backup(entry, kind, when, size, problem=str(exc))
    return Backup(entry, kind, when, size, facts.schema_version, facts.documents, facts.codings)


# -- restoring -------------------------------------------------------------------------------


def restore_backup(
    backup: str | Path,
    target: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> Path | None:
    """Make `target` a copy of the project in `backup`.

    The backup is checked first. An existing target is replaced only with `force`, only
    when no window or program has it open, and only after a copy of it was kept in its
    backup folder (`<stem>-pre-restore-...`); that copy's path is returned (None when
    there was no target). Until the final rename nothing of the target changes.
    """
    backup, target = Path(backup), Path(target)
    _require_file(backup)
    verdict = verify_copy(backup)
    if verdict != ["ok"]:
        raise ProjectError(
            f"{backup}: the backup is damaged (SQLite: {verdict[0]}); choose another one"
            " (`frisat-qual backups PROJECT` lists them)"
        )
    facts = summarize(backup)
    if facts.newer:
        raise ProjectError(f"{backup}: made by a newer frisat-qual; please upgrade first")
    if target.exists() and not target.is_file():
        raise ProjectError(f"{target}: is a folder, not a project file")
    if target.exists() and target.resolve() == backup.resolve():
        raise ProjectError(f"{target}: the backup and the project are the same file")
    if target.exists() and not force:
        raise ProjectError(
            f"{target}: a project of that name exists; add --force to replace it"
            f" (a copy of it is kept in {backup_folder(target)})"
        )
    if not target.parent.is_dir():
        raise ProjectError(f"{target}: folder {target.parent} does not exist")
    with _temporary_copy(backup, target.parent, journal_mode="wal", progress=progress) as tmp:
        if not target.exists():
            _chmod_like(tmp, backup)
            _place_exclusively(tmp, target)
            return None
        _chmod_like(tmp, target)
        with sole_access(target) as held:
            try:
                kept = _keep_replaced(target, held)
                for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                    stale.unlink(missing_ok=True)  # nobody else has it open: we hold the lock
                os.replace(tmp, target)
            except OSError as exc:
                raise ProjectError(
                    f"{target}: the restore failed and the project was left as it was"
                    f" ({exc.strerror}: {exc.filename})"
                ) from None
            _fsync_folder(target.parent)
    return kept


def _keep_replaced(target: Path, held: SoleAccess) -> Path:
    """Keep the project a restore is about to replace, in its backup folder.

    A healthy file is copied like any backup; a damaged one is copied byte for byte, with
    its -wal (named so SQLite finds it beside the copy), so nothing is lost either way.
    """
    folder = backup_folder(target)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{folder}: the backup folder could not be made ({exc})") from None
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.stem}-", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            held.copy_to(tmp, journal_mode="delete")
        except ProjectError:  # damaged: keep it exactly as it is
            tmp.unlink()
            shutil.copyfile(target, tmp)
        _chmod_like(tmp, target)
        _fsync(tmp)
        kept = _place_named(tmp, folder, target.stem, PRE_RESTORE)
        wal = Path(f"{target}-wal")
        if wal.exists() and wal.stat().st_size:
            shutil.copyfile(wal, f"{kept}-wal")
            _fsync(Path(f"{kept}-wal"))
        return kept
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)


# -- checking ------------------------------------------------------------------------------


def check_project(path: str | Path, *, progress: Progress | None = None) -> CheckReport:
    """Check a project file without changing it; see `store.integrity.check_file`.

    Where restoring is the fix, the advice names the newest backup found next to it.
    """
    from frisat_qual.corpus.importer import content_hash

    path = Path(path)
    files = _backup_files(path) if path.is_file() else []
    if files:
        newest = files[0][0]
        restore = (
            "Restore the newest backup: `frisat-qual restore"
            f" {shlex.quote(str(newest))} {shlex.quote(str(path))} --force`."
        )
    else:
        restore = (
            f"No backups were found next to it (in {backup_folder(path)}); restore your own"
            " latest copy of the file."
        )
    return check_file(path, text_hash=content_hash, restore=restore, progress=progress)
