"""Where the bundled corpora and codebooks are, from a clone and from an installed wheel.

A wheel carries them inside the package as `frisat_qual/_data/{corpora,codebooks}` (see
pyproject's force-include); a clone or an editable install finds them beside the package.
"""

from __future__ import annotations

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
