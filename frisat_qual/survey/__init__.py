"""The survey of leaders: import, indices, quadrants, derived importance, links to the
coded interviews, and case selection (see DOMAIN.md, "The survey and its quadrants").

A respondent answers four indicators (a-d, d being the overall item) of each of five
spor, twice on a 1-10 scale: implementation (impl) and importance (vigt), and leaves an
open comment per spor. Rating columns are named `{spor}_{dim}_{ind}`, e.g. `regler_impl_a`;
comments `{spor}_kommentar`.
"""

from __future__ import annotations

SPOR = ("regler", "maal", "dokumentation", "tillid", "eksperiment")
DIMENSIONS = ("impl", "vigt")
INDICATORS = ("a", "b", "c", "d")
SCALE = (1, 10)
MIDDLE = 5.5  # the absolute reading splits both axes here
#: Quadrant ids and their Danish labels; importance (vigt) on x, implementation (impl) on y.
QUADRANTS = {
    "lav_prioritet": "Lav prioritet",
    "over_implementering": "Risiko for over-implementering",
    "fortsaet": "Fortsæt det gode arbejde",
    "fokus": "Vigtigste fokusområde",
}
AREAS = ("dagtilbud", "skole", "aeldre")


def rating_column(spor: str, dim: str, ind: str) -> str:
    return f"{spor}_{dim}_{ind}"


def comment_column(spor: str) -> str:
    return f"{spor}_kommentar"
