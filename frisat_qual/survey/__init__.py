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
#: Danish titles of the five spor, for figure titles and report headings.
SPOR_TITLES = {
    "regler": "Færre regler",
    "maal": "Fra detaljerede mål til formål",
    "dokumentation": "Mindre dokumentation",
    "tillid": "Tillidsbaseret kultur",
    "eksperiment": "Innovativ og eksperimenterende tilgang",
}
AREAS = ("dagtilbud", "skole", "aeldre")
#: Group values whose ASCII spelling (as in the survey file) reads better in Danish.
_DISPLAY = {"aeldre": "ældre"}
#: The document format of an open survey comment imported as a document.
COMMENT_FORMAT = "survey-comment"


def rating_column(spor: str, dim: str, ind: str) -> str:
    return f"{spor}_{dim}_{ind}"


def comment_column(spor: str) -> str:
    return f"{spor}_kommentar"


def display_group(group: str) -> str:
    """A group value as a heading: Danish spelling, capitalised ("aeldre" -> "Ældre")."""
    shown = _DISPLAY.get(group, group)
    return shown[:1].upper() + shown[1:]
