"""Choosing codes quickly: fuzzy matching of typed text, and each coder's favourites.

Favourites are the codes on the number keys 1-9: the codes a coder pinned, then the codes
that coder uses most, then the codebook's order. They are kept per coder in the project's
settings, so two coders of one project each keep their own.
"""

from __future__ import annotations

import json
import unicodedata

from frisat_qual.store import Project
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import codes_by_use
from frisat_qual.store.settings import get_setting, set_setting

FAVOURITE_KEYS = 9


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def fuzzy_score(query: str, candidate: str) -> float | None:
    """How well `query` matches `candidate` (higher is better), None when it does not.

    Every query character must appear in order; contiguous runs, matches at word starts
    and an early first match score higher, so "kant" ranks "Tillidens kant" first and
    "pf" finds "Politiker – forside".
    """
    q, c = _fold(query).replace(" ", ""), _fold(candidate)
    if not q:
        return 0.0
    score, pos, run = 0.0, -1, 0
    for ch in q:
        found = c.find(ch, pos + 1)
        if found < 0:
            return None
        at_word_start = found == 0 or not c[found - 1].isalnum()
        run = run + 1 if found == pos + 1 else 0
        score += 1 + run * 2 + (3 if at_word_start else 0)
        pos = found
    if q in c:
        score += 10 + (5 if c.startswith(q) else 0)
    return score - c.find(q[0]) * 0.1


def rank_codes(project: Project, query: str, *, limit: int = 20) -> list[tuple[str, str]]:
    """Codable, active codes matching `query` by label or id, best first: (id, label)."""
    scored = []
    for row in code_rows(project, include_retired=False):
        if not row["codable"]:
            continue
        best = max(
            (
                s
                for s in (fuzzy_score(query, row["label"]), fuzzy_score(query, row["id"]))
                if s is not None
            ),
            default=None,
        )
        if best is not None:
            scored.append((best, row["sort_order"], row["id"], row["label"]))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [(code_id, label) for _, _, code_id, label in scored[:limit]]


def _key(coder: str) -> str:
    return f"favourites:{coder}"


def pinned(project: Project, coder: str) -> list[str]:
    raw = get_setting(project, _key(coder))
    try:
        return [c for c in json.loads(raw)] if raw else []
    except ValueError:
        return []


def toggle_pinned(project: Project, coder: str, code_id: str) -> bool:
    """Pin a code to the number keys or unpin it; returns whether it is now pinned."""
    codes = pinned(project, coder)
    now = code_id not in codes
    codes = [*codes, code_id] if now else [c for c in codes if c != code_id]
    set_setting(project, _key(coder), json.dumps(codes[:FAVOURITE_KEYS]))
    return now


def favourites(project: Project, coder: str) -> list[tuple[str, str, str]]:
    """The codes on keys 1-9 for this coder: (id, label, colour)."""
    rows = {r["id"]: r for r in code_rows(project, include_retired=False) if r["codable"]}
    order = [*pinned(project, coder), *codes_by_use(project, coder), *rows]
    chosen: list[str] = []
    for code_id in order:
        if code_id in rows and code_id not in chosen:
            chosen.append(code_id)
        if len(chosen) == FAVOURITE_KEYS:
            break
    return [(c, rows[c]["label"], rows[c]["color"]) for c in chosen]
