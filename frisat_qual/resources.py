"""Where the bundled corpora and codebooks are, from a clone and from an installed wheel.

A wheel carries them inside the package as `frisat_qual/_data/{corpora,codebooks}` (see
pyproject's force-include); a clone or an editable install finds them beside the package.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

from frisat_qual.errors import FrisatError

_PACKAGE = Path(__file__).resolve().parent


def data_dir(kind: str) -> Path:
    """The folder of bundled `corpora` or `codebooks`."""
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FrisatError(f"the bundled {kind} folder is missing from this installation")


def demo_corpus_dir() -> Path:
    return data_dir("corpora") / "demo"


def codebook_path(name: str) -> Path:
    path = data_dir("codebooks") / name
    if not path.exists():
        raise FrisatError(f"no bundled codebook {name}")
    return path


def user_data_dir() -> Path:
    """Per-user folder for the demo project, settings and backups.

    FRISAT_QUAL_HOME overrides it (tests use this); else XDG_DATA_HOME or ~/.local/share.
    """
    if home := os.environ.get("FRISAT_QUAL_HOME"):
        path = Path(home)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "frisat-qual"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _config_path() -> Path:
    return user_data_dir() / "config.json"


def user_config() -> dict:
    try:
        return json.loads(_config_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def configured_coder() -> str | None:
    """The coder name the researcher chose (FRISAT_QUAL_CODER, else the saved name), or None."""
    if name := os.environ.get("FRISAT_QUAL_CODER", "").strip():
        return name
    return str(user_config().get("coder", "")).strip() or None


def default_coder() -> str:
    """Who codes: FRISAT_QUAL_CODER, else the name saved in the user's config, else the login."""
    if name := configured_coder():
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "researcher"


def save_coder(name: str) -> None:
    """Remember the coder's name for later sessions (the TUI asks on first start)."""
    name = name.strip()
    if not name:
        raise FrisatError("a coder name cannot be empty")
    config = user_config() | {"coder": name}
    tmp = _config_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(config, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, _config_path())
