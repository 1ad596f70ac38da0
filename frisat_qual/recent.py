"""The list of recently opened projects, for the home screen.

It lives in the user's data folder (`recent.json` beside `config.json`), never inside a
project: it is about this researcher's machine, and a project file that is shared, backed
up or merged must not carry another person's folder names along. The file is rewritten
atomically, so a crash while saving never leaves a broken list; a list that cannot be read
is treated as empty rather than stopping the app.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from frisat_qual.resources import user_data_dir

RECENT_FILE = "recent.json"
#: How many projects the list keeps.
MAX_RECENT = 12


@dataclass(frozen=True)
class RecentProject:
    """A project file and when it was last opened (UTC)."""

    path: Path
    opened: datetime


def _recent_path() -> Path:
    return user_data_dir() / RECENT_FILE


def _read() -> list[RecentProject]:
    try:
        data = json.loads(_recent_path().read_text("utf-8"))
    except (OSError, ValueError):
        return []
    entries = []
    for item in data.get("projects", []) if isinstance(data, dict) else []:
        try:
            opened = datetime.fromisoformat(item["opened"])
            if opened.tzinfo is None:
                opened = opened.replace(tzinfo=UTC)
            entries.append(RecentProject(Path(item["path"]), opened))
        except (KeyError, TypeError, ValueError):
            continue  # one damaged entry should not hide the others
    return entries


def _exists(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # an unreadable network folder, for instance
        return False


def recent_entries() -> list[RecentProject]:
    """Recently opened projects that still exist, most recent first (at most MAX_RECENT)."""
    entries = sorted(_read(), key=lambda e: e.opened, reverse=True)
    return [e for e in entries if _exists(e.path)][:MAX_RECENT]


def recent_projects() -> list[Path]:
    """The paths of recently opened projects that still exist, most recent first."""
    return [e.path for e in recent_entries()]


def remember_project(path: str | Path, *, when: datetime | None = None) -> None:
    """Record that the project at `path` was opened now (or `when`); stored absolute.

    Projects whose files have gone are dropped when the list is saved, so they never push
    existing ones out of the list.
    """
    target = Path(path).expanduser().resolve()
    opened = when or datetime.now(UTC)
    if opened.tzinfo is None:
        opened = opened.replace(tzinfo=UTC)
    others = [e for e in _read() if e.path != target and _exists(e.path)]
    entries = sorted(
        [RecentProject(target, opened), *others], key=lambda e: e.opened, reverse=True
    )[:MAX_RECENT]
    data = {
        "projects": [
            {"path": str(e.path), "opened": e.opened.isoformat(timespec="seconds")} for e in entries
        ]
    }
    final = _recent_path()
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
