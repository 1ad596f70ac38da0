"""Files built aside and renamed into place, and what a killed run leaves of them.

A project, an export or a merge is written to a hidden file next to its target
(`.NAME.PID.TAG`, SQLite adding `-wal` and `-shm` beside it) and takes its name only when
complete, so a failure never leaves half a file under the real name. Two things keep such
temporaries from piling up:

- `temp_beside` removes the leftovers of earlier runs on the same target whose process is
  gone (killed with SIGKILL, or a machine that lost power), before it names a new one;
- `raise_on_termination` turns SIGTERM and SIGHUP (a closed terminal) into `SystemExit`, so
  the `except`/`finally` blocks that remove a temporary run as they do on an error. The CLI
  sets it for its commands; the TUI keeps Textual's own handling.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

#: What SQLite writes beside a database file.
SIDECARS = ("-wal", "-shm", "-journal")


def remove_with_sidecars(*paths: Path) -> None:
    """Remove each file and SQLite's sidecar files beside it, where they exist."""
    for path in paths:
        for leftover in (path, *(Path(f"{path}{s}") for s in SIDECARS)):
            leftover.unlink(missing_ok=True)


def temp_beside(target: Path, tag: str = "tmp") -> Path:
    """A hidden name next to `target` for this process (`.NAME.PID.TAG`), free of any file.

    Leftovers of the same kind from processes that no longer run are removed first, and
    so is one of this process (an earlier attempt that failed halfway)."""
    target = Path(target)
    prefix = f".{target.name}."
    for old in target.parent.glob(f"{_glob_escape(prefix)}*.{_glob_escape(tag)}"):
        pid = old.name[len(prefix) : -len(tag) - 1]
        if pid.isdigit() and (int(pid) == os.getpid() or not process_runs(int(pid))):
            remove_with_sidecars(old)
    tmp = target.with_name(f"{prefix}{os.getpid()}.{tag}")
    remove_with_sidecars(tmp)
    return tmp


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def process_runs(pid: int) -> bool:
    """Whether process `pid` exists (on this machine); True when that cannot be told, so
    a temporary of a process that may still run is never removed."""
    if os.name == "nt":  # os.kill(pid, 0) would end the process there, not probe it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (PermissionError), or no way to tell
        return True
    return True


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def raise_on_termination() -> None:
    """From now on, SIGTERM and SIGHUP raise `SystemExit(128 + signal)` in the main thread,
    so cleanup code runs before the process ends. Does nothing outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, _exit_on_signal)
