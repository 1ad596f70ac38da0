"""Pseudonymisation: replace audit findings with placeholders, the same one every time.

A `PseudonymKey` remembers which placeholder each original got ("Mette Hansen" ->
"[PERSON-1]"), so a person, municipality or school keeps one pseudonym across every
transcript of a project and across sessions. The key is the one file that can undo the
pseudonymisation, so it is written owner-only (0600), atomically, and never into the
project file. Kinds whose placeholder carries no number (CPR, phone, e-mail, postcode) are
not recorded at all: there is nothing to keep consistent, and a key without them holds less
personal data.

`pseudonymise` also returns an offset map so that callers can move speaker-turn offsets
from the original text to the new one.
"""

from __future__ import annotations

import bisect
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from frisat_qual.errors import FrisatError
from frisat_qual.models import Finding

#: Placeholder stem per finding kind; numbered kinds get "-1", "-2", ... appended.
NUMBERED_PLACEHOLDERS = {
    "person": "PERSON",
    "municipality": "KOMMUNE",
    "town": "BY",
    "address": "ADRESSE",
    "proper_noun": "NAVN",
}
FIXED_PLACEHOLDERS = {
    "postcode": "[POSTNR]",
    "cpr": "[CPR]",
    "phone": "[TELEFON]",
    "email": "[EMAIL]",
}
KEY_FORMAT = "frisat-qual pseudonym key"
KEY_VERSION = 1
#: The project file's suffix: a key must never be written over (or as) a project.
PROJECT_SUFFIX = ".frisat"


def normalise_original(text: str) -> str:
    """How originals are compared: case-folded, with runs of whitespace as one space."""
    return " ".join(text.split()).casefold()


class PseudonymKey:
    """Mapping (kind, normalised original) -> placeholder, consistent across documents."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], str] = {}
        self._counters: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item: object) -> bool:
        if not (isinstance(item, tuple) and len(item) == 2):
            return False
        kind, original = item
        return (kind, normalise_original(str(original))) in self._entries

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._entries)

    def items(self) -> Iterable[tuple[tuple[str, str], str]]:
        """((kind, normalised original), placeholder) pairs in the order they were assigned."""
        return self._entries.items()

    def get(self, kind: str, original: str) -> str | None:
        """The placeholder already assigned, if any (fixed kinds always have one)."""
        if kind in FIXED_PLACEHOLDERS:
            return FIXED_PLACEHOLDERS[kind]
        return self._entries.get((kind, normalise_original(original)))

    def placeholder(self, kind: str, original: str) -> str:
        """The placeholder for `original`, assigning the next free number on first sight."""
        if kind in FIXED_PLACEHOLDERS:
            return FIXED_PLACEHOLDERS[kind]
        stem = NUMBERED_PLACEHOLDERS.get(kind)
        if stem is None:
            known = ", ".join([*NUMBERED_PLACEHOLDERS, *FIXED_PLACEHOLDERS])
            raise FrisatError(f"unknown finding kind {kind!r}; expected one of {known}")
        key = (kind, normalise_original(original))
        found = self._entries.get(key)
        if found is None:
            number = self._counters.get(kind, 0) + 1
            self._counters[kind] = number
            found = self._entries[key] = f"[{stem}-{number}]"
        return found

    # -- persistence

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PseudonymKey:
        """Read a key file; a missing file gives an empty key."""
        path = Path(path)
        key = cls()
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return key
        except OSError as exc:
            raise FrisatError(f"{path}: could not read the pseudonym key ({exc.strerror})") from exc
        try:
            data = json.loads(raw)
            if data.get("format") != KEY_FORMAT:
                raise ValueError("not a pseudonym key")
            if int(data.get("version", 0)) > KEY_VERSION:
                raise ValueError(f"written by a newer frisat-qual (version {data['version']})")
            for entry in data["entries"]:
                kind, original, placeholder = entry["kind"], entry["original"], entry["placeholder"]
                stem = NUMBERED_PLACEHOLDERS[kind]
                prefix = f"[{stem}-"
                if not (placeholder.startswith(prefix) and placeholder.endswith("]")):
                    raise ValueError(f"placeholder {placeholder!r} does not fit kind {kind!r}")
                number = int(placeholder[len(prefix) : -1])
                key._entries[(kind, normalise_original(original))] = placeholder
                key._counters[kind] = max(key._counters.get(kind, 0), number)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise FrisatError(f"{path}: not a valid pseudonym key ({exc})") from exc
        return key

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key as JSON, owner-only (0600), replacing the file atomically."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            raise FrisatError(
                f"{path}: refusing to write the pseudonym key into a project file; "
                "keep the key in a separate file (e.g. pseudonyms.json)"
            )
        data = {
            "format": KEY_FORMAT,
            "version": KEY_VERSION,
            "entries": [
                {"kind": kind, "original": original, "placeholder": placeholder}
                for (kind, original), placeholder in self._entries.items()
            ],
        }
        payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise FrisatError(
                f"{path}: could not write the pseudonym key ({exc.strerror})"
            ) from exc
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)  # in case a umask took the owner bits away
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise FrisatError(
                f"{path}: could not write the pseudonym key ({exc.strerror})"
            ) from exc


def pseudonymise(
    text: str, findings: list[Finding], key: PseudonymKey
) -> tuple[str, Callable[[int], int]]:
    """Replace each finding with its placeholder from `key` (assigning new ones as needed).

    Returns the new text and a function that maps a character offset in `text` to the
    matching offset in the new text: offsets inside a replaced span map to the start of its
    placeholder, offsets at or after its end shift by the change in length. Overlapping
    findings are not expected (`audit_text` never returns any); if present, the later one
    is skipped.
    """
    pieces: list[str] = []
    old_starts: list[int] = []
    old_ends: list[int] = []
    new_starts: list[int] = []
    shifts: list[int] = []  # cumulative length change after each replaced span
    cursor = 0
    shift = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        start, end = finding.start, finding.end
        if start < cursor:
            continue
        if not 0 <= start < end <= len(text) or text[start:end] != finding.text:
            raise FrisatError(
                f"finding {finding.text!r} at {start}-{end} does not match the text"
                + (f" of {finding.document}" if finding.document else "")
                + "; audit the text again before pseudonymising"
            )
        replacement = key.placeholder(finding.kind, finding.text)
        pieces.append(text[cursor:start])
        new_start = start + shift
        pieces.append(replacement)
        shift += len(replacement) - (end - start)
        old_starts.append(start)
        old_ends.append(end)
        new_starts.append(new_start)
        shifts.append(shift)
        cursor = end
    pieces.append(text[cursor:])

    def new_offset(offset: int) -> int:
        i = bisect.bisect_right(old_starts, offset) - 1
        if i < 0:
            return offset
        if offset < old_ends[i]:
            return new_starts[i]
        return offset + shifts[i]

    return "".join(pieces), new_offset
