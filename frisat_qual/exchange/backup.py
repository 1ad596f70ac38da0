"""Backups of a project: made on demand, made automatically when a project is opened
(rolling: the last N are kept), listed, restored; and the check of a project file.

Where: next to the project, in `<folder>/<stem>-backups/`, never in a shared or temporary
place (interviews are sensitive research data), and nothing leaves the machine. A backup
gets the project file's permissions. Names carry the time (UTC) and kind:
`<stem>-YYYYMMDD-HHMMSS.frisat` for a manual backup, `<stem>-auto-...` for an automatic
one and `<stem>-pre-restore-...` for the copy of a project that a restore replaced; a
second backup in the same second gets `-2`, `-3`, ... Only automatic backups are ever
deleted (the oldest beyond N); manual and pre-restore copies stay until you delete them.
A project file with another suffix (`s.db`) uses its whole name instead of the stem and
keeps its suffix (`s.db-backups/s.db-YYYYMMDD-HHMMSS.db`), so `s.frisat` and `s.db` in one
folder never see, list or rotate each other's backups.

Safety: a backup is made with SQLite's online backup API (so it works while the TUI has
the project open, and holds exactly the committed work), written to a hidden temporary
file in the target folder, verified, flushed to disk, and only then given its name. A
crash or kill leaves either no backup or a whole one, and never touches the project. The
temporary name carries the process id (`.NAME.PID-xxxx.tmp`), so the next backup can tell
the leftovers of a killed run (its process is gone) from a copy another run is making now,
and removes them: each is a full copy of sensitive data.

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
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from frisat_qual.errors import ProjectError
from frisat_qual.store import PROJECT_SUFFIX, open_project
from frisat_qual.store.integrity import (
    SQLITE_MAGIC,
    CheckReport,
    Progress,
    SoleAccess,
    check_file,
    copy_database,
    fingerprint,
    read_setting,
    sole_access,
    sqlite_header,
    summarize,
    verify_copy,
)
from frisat_qual.store.settings import set_setting
from frisat_qual.tempfiles import SIDECARS, process_runs, remove_with_sidecars

MANUAL, AUTO, PRE_RESTORE = "manual", "auto", "pre-restore"
KEEP_SETTING = "backup.keep"
DEFAULT_KEEP = 5
_STAMP = "%Y%m%d-%H%M%S"
#: Temporaries named the old way (`tempfile` names without a process id) older than this
#: are leftovers: no copy takes a day.
_LEGACY_TEMP_AGE = 24 * 3600


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
    """Where the backups of the project file `project` go: `<folder>/<stem>-backups/`
    (`<folder>/<name>-backups/` for a file that does not end in .frisat)."""
    project = Path(project)
    return project.parent / f"{_backup_key(project)}-backups"


def _backup_key(project: Path) -> str:
    """What a project's backup folder and backup names start with.

    The stem for a `.frisat` file (the names backups always had), else the whole name:
    `s.frisat` and `s.db` in one folder must not share backups, or rotating one would
    delete the other's. Backups keep the project's suffix besides, which keeps `s.db` apart
    from `s.db.frisat` too."""
    return project.stem if project.suffix == PROJECT_SUFFIX else project.name


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
    with _temporary_copy(
        path, out.parent, journal_mode="delete", progress=progress, name=out.name
    ) as tmp:
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
    # also when no backup is needed: opening the project is the moment to tidy up
    _remove_stale_temporaries(backup_folder(path), path.name)
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
    with _temporary_copy(
        path, folder, journal_mode="delete", progress=progress, name=path.name
    ) as tmp:
        _chmod_like(tmp, path)
        return _place_named(tmp, folder, path, kind)


def _place_named(tmp: Path, folder: Path, project: Path, kind: str) -> Path:
    """Give the verified copy of `project` the next name of its kind and time.

    Numbers only go up within a second (after the highest in use, not into a gap that a
    deleted backup left), so names keep sorting in the order the backups were made.
    """
    stamp = datetime.now(UTC).strftime(_STAMP)
    key, suffix = _backup_key(project), project.suffix
    prefix = f"{key}-{stamp}" if kind == MANUAL else f"{key}-{kind}-{stamp}"
    taken = re.compile(rf"{re.escape(prefix)}(?:-(\d+))?{re.escape(suffix)}")
    used = [int(m.group(1) or 1) for p in folder.iterdir() if (m := taken.fullmatch(p.name))]
    for seq in range(max(used, default=0) + 1, 10_000):
        target = folder / f"{prefix}{'' if seq == 1 else f'-{seq}'}{suffix}"
        try:
            _place_new(tmp, target)
        except FileExistsError:
            continue  # taken meanwhile by another backup: try the next number
        return target
    raise ProjectError(f"{folder}: no free backup name for {stamp}")  # pragma: no cover


@contextmanager
def _temporary_copy(
    source: Path, folder: Path, *, journal_mode: str, progress: Progress | None, name: str
) -> Iterator[Path]:
    """A verified copy of `source` in a hidden temporary file in `folder` (see
    `_new_temporary`; `name` is the file it is for), flushed to disk; removed afterwards
    unless the block moved it into place."""
    tmp = _new_temporary(folder, name)
    try:
        copy_database(source, tmp, journal_mode=journal_mode, progress=progress)
        try:
            _fsync(tmp)
        except OSError as exc:
            raise ProjectError(f"{folder}: the copy could not be written ({exc})") from None
        yield tmp
    finally:
        remove_with_sidecars(tmp)


def _new_temporary(folder: Path, name: str) -> Path:
    """A new, empty hidden file in `folder` for a copy meant for the file `name`:
    `.NAME.PID-xxxx.tmp`, after removing `_remove_stale_temporaries(folder, name)`.

    The random part keeps two copies made at once by one process (the TUI backs up in
    threads) apart; the process id tells a later run whether its maker still runs.
    """
    _remove_stale_temporaries(folder, name)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}-", suffix=".tmp")
    except OSError as exc:
        raise ProjectError(f"{folder}: cannot write there ({exc})") from None
    os.close(fd)
    return Path(tmp)


def _remove_stale_temporaries(folder: str | Path, name: str) -> list[Path]:
    """Remove what killed copies for the file `name` left in `folder`; returns them.

    A copy killed mid-way (kill -9, a machine that lost power) leaves its hidden
    `.NAME.PID-xxxx.tmp` and `-journal`, a full-size copy of the project, forever. Those of
    processes that no longer run are removed; this process's own are left to the copies in
    progress (they remove their own). Temporaries of earlier versions, whose names carry
    no process id (`.STEM-xxxxxxxx.tmp`), are removed once they are a day old.
    """
    folder = Path(folder)
    ours = re.compile(rf"\.{re.escape(name)}\.(\d+)-[a-z0-9_]+\.tmp")
    legacy = re.compile(rf"\.{re.escape(Path(name).stem)}-[a-z0-9_]{{8}}\.tmp")
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed  # no folder yet, or one we cannot read: nothing of ours in it
    for entry in entries:
        if match := ours.fullmatch(entry.name):
            pid = int(match.group(1))
            stale = pid != os.getpid() and not process_runs(pid)
        elif legacy.fullmatch(entry.name):
            try:
                stale = time.time() - entry.stat().st_mtime > _LEGACY_TEMP_AGE
            except OSError:
                continue
        else:
            continue
        if stale:
            with suppress(OSError):  # another run tidying at the same moment
                remove_with_sidecars(entry)
                removed.append(entry)
    return removed


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
    """The names of this project's backups (and only this project's, see `_backup_key`)."""
    return _name_pattern(_backup_key(project), re.escape(project.suffix))


def _name_pattern(key: str, suffix: str) -> re.Pattern[str]:
    return re.compile(
        rf"{re.escape(key)}-(?:(auto|pre-restore)-)?(\d{{8}}-\d{{6}})(?:-(\d+))?{suffix}"
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
    match = None
    if path.parent.name.endswith("-backups"):  # any project's suffix: `s.db-...db` too
        key = path.parent.name.removesuffix("-backups")
        match = _name_pattern(key, r"(?:\.[^.]*)?").fullmatch(path.name)
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
    SQLite's files left beside a target that is gone (see `_keep_strays`) are moved into
    the backup folder first; the -wal or -journal kept is returned then, if any.
    """
    backup, target = Path(backup), Path(target)
    _require_file(backup)
    _require_restorable(backup)
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
    # before the copy, so that a refusal comes at once; moved files are kept either way
    strays = None if target.exists() else _keep_strays(target)
    with _temporary_copy(
        backup, target.parent, journal_mode="wal", progress=progress, name=target.name
    ) as tmp:
        if not target.exists():
            _chmod_like(tmp, backup)
            _place_exclusively(tmp, target)
            return strays
        _chmod_like(tmp, target)
        with sole_access(target) as held:
            try:
                kept = _keep_replaced(target, held)
                for suffix in SIDECARS:  # nobody else has it open: we hold the lock
                    Path(f"{target}{suffix}").unlink(missing_ok=True)
                os.replace(tmp, target)
            except OSError as exc:
                raise ProjectError(
                    f"{target}: the restore failed and the project was left as it was"
                    f" ({exc.strerror}: {exc.filename})"
                ) from None
            _fsync_folder(target.parent)
    return kept


def _require_restorable(backup: Path) -> None:
    """The checks a backup passes before `restore_backup` uses it (and `_restorable`
    advises it): a project file, whole, and of a schema this version reads."""
    _require_database(backup)
    verdict = verify_copy(backup)
    if verdict != ["ok"]:
        raise ProjectError(
            f"{backup}: the backup is damaged (SQLite: {verdict[0]}); choose another one"
            " (`frisat-qual backups PROJECT` lists them)"
        )
    if summarize(backup).newer:
        raise ProjectError(f"{backup}: made by a newer frisat-qual; please upgrade first")


def _require_database(path: Path) -> None:
    """Say so plainly when a file given as a backup is no project at all (a damaged
    backup is told apart by `verify_copy`)."""
    try:
        header = sqlite_header(path)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from None
    if not header:
        raise ProjectError(f"{path}: the file is empty (0 bytes); it holds no project")
    if not header.startswith(SQLITE_MAGIC):
        raise ProjectError(
            f"{path}: not a frisat-qual project (not an SQLite database); choose a backup"
            " file (`frisat-qual backups PROJECT` lists them)"
        )


def _keep_strays(target: Path) -> Path | None:
    """Move SQLite's files beside a missing `target` (`-wal`, `-shm`, `-journal`) into
    its backup folder as `<stem>-leftover-<time><suffix>-wal` etc.; returns the -wal or
    -journal kept, if one holds anything.

    They are what is left of an earlier file of that name (say a damaged project deleted
    while its -wal stayed). Left in place, SQLite would replay them onto the restored file
    when it is first opened: wrong data that `check` calls fine. They are moved, not
    deleted, since a -wal may hold someone's last hour of coding that an expert can still
    recover; and not refused, since a researcher cannot judge SQLite's files and would
    delete them by hand. The kept names pair with no database frisat-qual makes, so they
    are never replayed by chance. Refused while a program still has them open (the
    project was deleted under a running TUI): that program would later delete, by name,
    the -wal of the restored project.
    """
    strays = [Path(f"{target}{s}") for s in SIDECARS if Path(f"{target}{s}").exists()]
    if not strays:
        return None
    names = ", ".join(p.name for p in strays)
    if _still_open(Path(f"{target}-shm")):
        raise ProjectError(
            f"{target}: {names} beside it are still open in another window or program (its"
            " project file was deleted); close it there first"
        )
    folder = backup_folder(target)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{folder}: the backup folder could not be made ({exc})") from None
    stamp = datetime.now(UTC).strftime(_STAMP)
    base = f"{_backup_key(target)}-leftover-{stamp}"
    for seq in range(1, 10_000):
        stem = f"{base}{'' if seq == 1 else f'-{seq}'}{target.suffix}"
        if not any((folder / f"{stem}{s}").exists() for s in SIDECARS):
            break
    kept = None
    for stray in strays:
        moved = folder / f"{stem}{stray.name.removeprefix(target.name)}"
        try:
            _move_file(stray, moved)
        except OSError as exc:
            raise ProjectError(
                f"{stray}: could not be moved into {folder} ({exc.strerror}); move it"
                " elsewhere yourself and restore again"
            ) from None
        if kept is None and not moved.name.endswith("-shm") and moved.stat().st_size:
            kept = moved
    _fsync_folder(folder)
    _fsync_folder(target.parent)
    return kept


def _move_file(source: Path, target: Path) -> None:
    """Move a file to a new name, possibly on another file system, never replacing one."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # another file system (the backup folder is a link) or no hard links
        with open(source, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
    source.unlink()


def _still_open(shm: Path) -> bool:
    """Whether another program has the SQLite database of this -shm file open: every
    connection to a WAL database holds a read lock on byte 128 of it (SQLite's "DMS"
    lock), which a write lock test sees. False where that cannot be told (no -shm, or no
    POSIX locks); a file open on Windows cannot be moved anyway."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(fd)


def _keep_replaced(target: Path, held: SoleAccess) -> Path:
    """Keep the project a restore is about to replace, in its backup folder.

    A healthy file is copied like any backup; a damaged one is copied byte for byte, with
    its -wal and -journal (named so SQLite finds them beside the copy), so nothing is lost
    either way.
    """
    folder = backup_folder(target)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ProjectError(f"{folder}: the backup folder could not be made ({exc})") from None
    tmp = _new_temporary(folder, target.name)
    try:
        damaged = False
        try:
            held.copy_to(tmp, journal_mode="delete")
        except ProjectError:  # damaged: keep it exactly as it is
            damaged = True
            tmp.unlink()
            shutil.copyfile(target, tmp)
        _chmod_like(tmp, target)
        _fsync(tmp)
        kept = _place_named(tmp, folder, target, PRE_RESTORE)
        # a healthy copy holds all its logs said; a damaged one keeps them beside it (the
        # -journal our exclusive lock leaves behind is empty then and is not worth a file)
        for suffix in ("-wal", "-journal") if damaged else ():
            log = Path(f"{target}{suffix}")
            if log.exists() and _log_holds_something(log):
                shutil.copyfile(log, f"{kept}{suffix}")
                _fsync(Path(f"{kept}{suffix}"))
        return kept
    finally:
        remove_with_sidecars(tmp)


def _log_holds_something(log: Path) -> bool:
    """Whether a -wal or -journal file has a header (a zeroed or empty one holds nothing)."""
    with open(log, "rb") as fh:
        return bool(fh.read(32).strip(b"\0"))


# -- checking ------------------------------------------------------------------------------


def check_project(path: str | Path, *, progress: Progress | None = None) -> CheckReport:
    """Check a project file without changing it; see `store.integrity.check_file`.

    Where restoring is the fix, the advice names the newest backup next to it that
    `restore` would accept (see `_restore_advice`).
    """
    from frisat_qual.corpus.importer import content_hash

    path = Path(path)
    return check_file(
        path, text_hash=content_hash, restore=lambda: _restore_advice(path), progress=progress
    )


def _restore_advice(path: Path) -> str:
    """The sentence telling how to restore `path`: the newest manual or automatic backup
    that passes the checks `restore` makes.

    A pre-restore copy is not advised: it is the project a restore replaced, often the
    very file that was broken. Each candidate is read in full (`quick_check`), which is
    why `check_file` asks for this sentence only when a problem needs it.
    """
    files = _backup_files(path) if path.is_file() else []
    for candidate, kind, _when in files:
        if kind == PRE_RESTORE or not _restorable(candidate):
            continue
        return (
            "Restore the newest backup: `frisat-qual restore"
            f" {shlex.quote(str(candidate))} {shlex.quote(str(path))} --force`."
        )
    if files:
        return (
            f"No backup in {backup_folder(path)} can be restored (damaged, unreadable or"
            " only copies kept by a restore); restore your own latest copy of the file."
        )
    return (
        f"No backups were found next to it (in {backup_folder(path)}); restore your own"
        " latest copy of the file."
    )


def _restorable(backup: Path) -> bool:
    """Whether `restore_backup` would accept the file (`_require_restorable`)."""
    try:
        _require_restorable(backup)
    except ProjectError:
        return False
    return True
