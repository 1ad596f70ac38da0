"""Reading the CSV files researchers hand us (codings, gold codings), with one-line errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from frisat_qual.errors import FrisatError


def read_csv(path: str | Path, required: Iterable[str]) -> csv.DictReader:
    """A DictReader over a UTF-8 CSV (BOM allowed) that has the `required` columns.

    Errors name the file, and the header line for missing columns.
    """
    path = Path(path)
    try:
        content = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrisatError(f"{path.name}: cannot read ({exc})") from None
    reader = csv.DictReader(io.StringIO(content))
    missing = set(required) - set(reader.fieldnames or [])
    if missing:
        raise FrisatError(f"{path.name} line 1: missing column(s) {', '.join(sorted(missing))}")
    return reader
