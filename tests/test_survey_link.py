"""The joint display and the documents linked to a respondent, on a small hand-made project
whose every figure is worked out by hand below.

Interviews (rolle, kommune, omraade, titel):
  k2_forvaltning  forvaltning, kommune 2, skole, Skolechef
  k2_leder        leder,       kommune 2, skole, Skoleleder
  k2_medarbejder  medarbejder, kommune 2, skole, Lærer
  k5_leder        leder,       kommune 5, skole, Skoleleder      (another kommune)
  k3_leder        leder,       kommune 3, aeldre, Plejecenterleder
  k1_leder        leder,       kommune 1, dagtilbud, Daginstitutionsleder

Survey (the same file imported twice: wave "2024", then wave "2025", the latest); the
indices of tillid and regler (every item a-d answered alike, so index = the answer):

  respondent  omraade    kommune    tillid impl/vigt   regler impl/vigt
  S1          skole      kommune 2  8 / 9              7 / 8
  S2          skole      kommune 2  6 / 10             8 / 8
  S3          skole      kommune 2  7 / 8              9 / 8
  A1          aeldre     kommune 3  3 / 9              2 / 9
  A2          aeldre     kommune 3  4 / 10             3 / 9
  A3          aeldre     kommune 3  5 / 8              4 / 9
  D1          dagtilbud  kommune 1  8 / 8              5 / 5

  skole:  tillid impl 7 (SD 1), vigt 9 (SD 1): fortsaet (positive);
          regler impl 8 (SD 1), vigt 8 (SD 0): fortsaet (positive)
  aeldre: tillid impl 4 (SD 1), vigt 9 (SD 1): fokus (critical);
          regler impl 3 (SD 1), vigt 9 (SD 0): fokus (critical)
  dagtilbud: n = 1 (too little data)

Codings by "ann" (a phrase, its code; [...] marks what overlaps it):
  skole tillid, 4 codings in 2 interviews:
    T1 k2_leder "Vi har tillid til lærerne."          [leder.forside]
    T2 k2_leder "De bestemmer selv mere."             [leder.forside]
    T3 k2_leder "Men når pengene mangler, ..."        [tema.kant, leder.bagside]
    T4 k2_medarbejder "Jeg føler mig betroet."        [none: a medarbejder.bagside coding
                                                       ends exactly where T4 starts]
    forside 2/4, bagside 1/4, kant 1/4 (< 1/2: positive) -> agree
  skole regler, 3 codings in 2 interviews:
    R1 k2_leder "Vi har fjernet mange regler."        [none]
    R2 k2_medarbejder "Reglerne er blevet færre."     [tema.kant]
    R3 k2_medarbejder "Men vi skal stadig ..."        [tema.kant, medarbejder.bagside]
    forside 0, bagside 1/3, kant 2/3 (critical) -> diverge
  aeldre tillid, 3 codings (2 in k3_leder, 1 in A1's 2025 comment):
    k3_leder "Tilliden er skrøbelig her."             [tema.kant]
    k3_leder "Medarbejderne tør ikke selv."           [leder.forside]
    comment "Tilliden er skrøbelig, når tiden mangler." [leder.forside]
    forside 2/3, bagside 0, kant 1/3 (positive) -> diverge
    (A1's 2024 comment also has a spor.tillid coding: it counts only for wave 2024)
  aeldre regler, 4 codings (2 in k3_leder, one in each of A2's and A3's comments):
    k3_leder "Reglerne kom tilbage, da budgettet skred." [tema.kant]
    k3_leder "Vi fik flere regler igen."                 [tema.kant]
    comments "Der er stadig mange regler." and "Vi har færre regler om mad."
    kant 2/4 = 1/2 (critical: at least half) -> agree
  dagtilbud tillid: 3 codings in k1_leder, n = 1 -> too little data
  maal: no codings by ann (bob coded one passage in k2_forvaltning) -> too little data
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from frisat_qual.errors import NotFound
from frisat_qual.store import create_project
from frisat_qual.store.codings import apply_code
from frisat_qual.store.documents import document_text, get_document
from frisat_qual.store.survey import list_respondents
from frisat_qual.survey import SPOR, comment_column
from frisat_qual.survey.importer import RATING_COLUMNS, import_survey
from frisat_qual.survey.link import (
    JointRow,
    joint_display,
    linked_documents,
    survey_respondents,
)

TEXTS = {
    "k2_forvaltning": "I: Hvad gør forvaltningen?\n\nR: Vi spørger mindre og lytter mere.\n",
    "k2_leder": "I: Hvordan går det med tilliden?\n\nR: Vi har tillid til lærerne. De bestemmer"
    " selv mere. Men når pengene mangler, kommer kontrollen tilbage. Vi har fjernet mange"
    " regler.\n",
    "k2_medarbejder": "I: Og reglerne?\n\nR: Reglerne er blevet færre. Men vi skal stadig"
    " udfylde skemaer, når nogen klager. Jeg føler mig betroet.\n",
    "k5_leder": "I: Og hos jer?\n\nR: Vi har tillid til lærerne her.\n",
    "k3_leder": "I: Hvad med tilliden?\n\nR: Tilliden er skrøbelig her. Reglerne kom tilbage,"
    " da budgettet skred. Vi fik flere regler igen. Medarbejderne tør ikke selv.\n",
    "k1_leder": "I: Og hos jer?\n\nR: Vi stoler på pædagogerne. De planlægger dagen selv."
    " Det virker godt.\n",
}
MANIFEST = (
    "file,rolle,kommune,omraade,titel\n"
    "k2_forvaltning.txt,forvaltning,kommune 2,skole,Skolechef\n"
    "k2_leder.txt,leder,kommune 2,skole,Skoleleder\n"
    "k2_medarbejder.txt,medarbejder,kommune 2,skole,Lærer\n"
    "k5_leder.txt,leder,kommune 5,skole,Skoleleder\n"
    "k3_leder.txt,leder,kommune 3,aeldre,Plejecenterleder\n"
    "k1_leder.txt,leder,kommune 1,dagtilbud,Daginstitutionsleder\n"
)
#: (document, phrase, code, coder); the phrase is coded at its first occurrence
INTERVIEW_CODINGS = [
    ("k2_leder", "Vi har tillid til lærerne.", "spor.tillid", "ann"),
    ("k2_leder", "Vi har tillid til lærerne. De bestemmer selv mere.", "leder.forside", "ann"),
    ("k2_leder", "De bestemmer selv mere.", "spor.tillid", "ann"),
    ("k2_leder", "Men når pengene mangler, kommer kontrollen tilbage.", "spor.tillid", "ann"),
    ("k2_leder", "Men når pengene mangler, kommer kontrollen tilbage.", "tema.kant", "ann"),
    ("k2_leder", "kommer kontrollen tilbage", "leder.bagside", "ann"),
    ("k2_leder", "Vi har fjernet mange regler.", "spor.regler", "ann"),
    ("k2_medarbejder", "Jeg føler mig betroet.", "spor.tillid", "ann"),
    (
        "k2_medarbejder",
        "Men vi skal stadig udfylde skemaer, når nogen klager. ",
        "medarbejder.bagside",
        "ann",
    ),
    ("k2_medarbejder", "Reglerne er blevet færre.", "spor.regler", "ann"),
    ("k2_medarbejder", "Reglerne er blevet færre. Men vi skal stadig", "tema.kant", "ann"),
    (
        "k2_medarbejder",
        "Men vi skal stadig udfylde skemaer, når nogen klager.",
        "spor.regler",
        "ann",
    ),
    ("k2_forvaltning", "Vi spørger mindre og lytter mere.", "spor.maal", "bob"),
    ("k3_leder", "Tilliden er skrøbelig her.", "spor.tillid", "ann"),
    ("k3_leder", "Tilliden er skrøbelig her.", "tema.kant", "ann"),
    ("k3_leder", "Medarbejderne tør ikke selv.", "spor.tillid", "ann"),
    ("k3_leder", "Medarbejderne tør ikke selv.", "leder.forside", "ann"),
    ("k3_leder", "Reglerne kom tilbage, da budgettet skred.", "spor.regler", "ann"),
    ("k3_leder", "Reglerne kom tilbage, da budgettet skred.", "tema.kant", "ann"),
    ("k3_leder", "Vi fik flere regler igen.", "spor.regler", "ann"),
    ("k3_leder", "Vi fik flere regler igen.", "tema.kant", "ann"),
    ("k1_leder", "Vi stoler på pædagogerne.", "spor.tillid", "ann"),
    ("k1_leder", "De planlægger dagen selv.", "spor.tillid", "ann"),
    ("k1_leder", "Det virker godt.", "spor.tillid", "ann"),
]
#: respondent -> (omraade, kommune, titel, tillid impl, tillid vigt, regler impl, regler vigt)
RESPONDENTS = {
    "S1": ("skole", "kommune 2", "Skoleleder", 8, 9, 7, 8),
    "S2": ("skole", "kommune 2", "Afdelingsleder", 6, 10, 8, 8),
    "S3": ("skole", "kommune 2", "Skoleleder", 7, 8, 9, 8),
    "A1": ("aeldre", "kommune 3", "Plejecenterleder", 3, 9, 2, 9),
    "A2": ("aeldre", "kommune 3", "Souschef", 4, 10, 3, 9),
    "A3": ("aeldre", "kommune 3", "Teamleder", 5, 8, 4, 9),
    "D1": ("dagtilbud", "kommune 1", "Daginstitutionsleder", 8, 8, 5, 5),
}
COMMENTS = {
    ("S1", "regler"): "Vi har færre regler nu.",
    ("S1", "tillid"): "Lærerne får mere frihed.",
    ("A1", "tillid"): "Tilliden er skrøbelig, når tiden mangler.",
    ("A2", "regler"): "Der er stadig mange regler.",
    ("A3", "regler"): "Vi har færre regler om mad.",
}
#: (wave, respondent, spor, phrase, code) in the comment documents
COMMENT_CODINGS = [
    ("2025", "A1", "tillid", "Tilliden er skrøbelig, når tiden mangler.", "spor.tillid"),
    ("2025", "A1", "tillid", "Tilliden er skrøbelig, når tiden mangler.", "leder.forside"),
    ("2025", "A2", "regler", "Der er stadig mange regler.", "spor.regler"),
    ("2025", "A3", "regler", "Vi har færre regler om mad.", "spor.regler"),
    ("2024", "A1", "tillid", "Tilliden er skrøbelig, når tiden mangler.", "spor.tillid"),
    ("2024", "A1", "tillid", "Tilliden er skrøbelig, når tiden mangler.", "tema.kant"),
]


def write_survey(path: Path) -> Path:
    header = ["respondent_id", "omraade", "kommune", "titel", *RATING_COLUMNS]
    header += [comment_column(s) for s in SPOR]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for rid, (area, kommune, titel, ti, tv, ri, rv) in RESPONDENTS.items():
            values = {"tillid_impl": ti, "tillid_vigt": tv, "regler_impl": ri, "regler_vigt": rv}
            row = [rid, area, kommune, titel]
            row += [values.get(column.rsplit("_", 1)[0], 5) for column in RATING_COLUMNS]
            row += [COMMENTS.get((rid, s), "") for s in SPOR]
            writer.writerow(row)
    return path


def code_phrase(project, document: str, phrase: str, code: str, coder: str) -> None:
    doc = get_document(project, document)
    start = document_text(project, doc.id).index(phrase)
    apply_code(project, doc.id, start, start + len(phrase), code, coder)


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """The hand-made project, open."""
    from handmade import import_and_code

    folder = tmp_path_factory.mktemp("linked")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FRISAT_QUAL_HOME", str(folder / "home"))
        project = create_project(folder / "linked.frisat")
        import_and_code(project, folder, TEXTS, MANIFEST, INTERVIEW_CODINGS)
        survey = write_survey(folder / "survey.csv")
        import_survey(project, survey, wave="2024", date="2024-01-15")
        import_survey(project, survey, wave="2025", date="2025-01-15")
        for wave, rid, spor, phrase, code in COMMENT_CODINGS:
            code_phrase(project, f"survey-{wave}-{rid}-{spor}", phrase, code, "ann")
        yield project
        project.close()


@pytest.fixture(scope="module")
def rows(linked) -> dict[tuple[str, str], JointRow]:
    found = joint_display(linked, list_respondents(linked), by="omraade", coders="ann")
    return {(r.spor, r.group): r for r in found}


def test_one_row_per_spor_and_group_in_order(linked, rows):
    found = joint_display(linked, list_respondents(linked), coders="ann")
    assert [(r.spor, r.group) for r in found] == [
        (s, g) for s in SPOR for g in ("aeldre", "dagtilbud", "skole")
    ]
    assert set(rows) == {(r.spor, r.group) for r in found}


def test_survey_side(rows):
    skole, aeldre = rows["tillid", "skole"], rows["tillid", "aeldre"]
    assert (skole.n, skole.impl_mean, skole.vigt_mean) == (3, 7.0, 9.0)
    assert skole.impl_sd == pytest.approx(1.0) and skole.vigt_sd == pytest.approx(1.0)
    assert skole.quadrant == "fortsaet" and skole.quadrant_label == "Fortsæt det gode arbejde"
    assert (aeldre.n, aeldre.impl_mean, aeldre.vigt_mean, aeldre.quadrant) == (3, 4.0, 9.0, "fokus")
    regler = rows["regler", "skole"]
    assert (regler.impl_mean, regler.vigt_mean, regler.vigt_sd) == (8.0, 8.0, 0.0)
    assert rows["tillid", "dagtilbud"].n == 1


@pytest.mark.parametrize(
    ("key", "counts", "shares"),
    [
        # (codings, in interviews, in comments, documents), (forside, bagside, kant)
        (("tillid", "skole"), (4, 4, 0, 2), (2 / 4, 1 / 4, 1 / 4)),
        (("regler", "skole"), (3, 3, 0, 2), (0.0, 1 / 3, 2 / 3)),
        (("tillid", "aeldre"), (3, 2, 1, 2), (2 / 3, 0.0, 1 / 3)),
        (("regler", "aeldre"), (4, 2, 2, 3), (0.0, 0.0, 2 / 4)),
        (("tillid", "dagtilbud"), (3, 3, 0, 1), (0.0, 0.0, 0.0)),
        (("maal", "skole"), (0, 0, 0, 0), (None, None, None)),
    ],
)
def test_qualitative_side(rows, key, counts, shares):
    r = rows[key]
    assert (r.codings, r.interview_codings, r.comment_codings, r.documents) == counts
    got = (r.forside_share, r.bagside_share, r.kant_share)
    assert got == tuple(pytest.approx(s) if s is not None else None for s in shares)


@pytest.mark.parametrize(
    ("key", "flag", "reason"),
    [
        (
            ("tillid", "skole"),
            "agree",
            "survey positive: impl 7.00 at or above 5.5 (vigt 9.00, n 3, fortsaet);"
            " interviews mixed: 1 of 4 codings (25%) on the edge of trust (critical from 50%, quiet below 10%)",
        ),
        (
            ("regler", "skole"),
            "diverge",
            "survey positive: impl 8.00 at or above 5.5 (vigt 8.00, n 3, fortsaet);"
            " interviews critical: 2 of 3 codings (67%) on the edge of trust (critical from 50%, quiet below 10%)",
        ),
        (
            ("tillid", "aeldre"),
            "agree",
            "survey critical: impl 4.00 below 5.5 (vigt 9.00, n 3, fokus); interviews and"
            " comments mixed: 1 of 3 codings (33%) on the edge of trust (critical from 50%, quiet below 10%)",
        ),
        (
            ("regler", "aeldre"),
            "agree",
            "survey critical: impl 3.00 below 5.5 (vigt 9.00, n 3, fokus); interviews and"
            " comments critical: 2 of 4 codings (50%) on the edge of trust (critical from 50%, quiet below 10%)",
        ),
        (
            ("tillid", "dagtilbud"),
            "too little data",
            "1 respondent with both indices (at least 3 needed)",
        ),
        (
            ("regler", "dagtilbud"),
            "too little data",
            "1 respondent with both indices (at least 3 needed);"
            " 0 codings of spor.regler (at least 3 needed)",
        ),
        (("maal", "skole"), "too little data", "0 codings of spor.maal (at least 3 needed)"),
    ],
)
def test_convergence(rows, key, flag, reason):
    assert (rows[key].convergence, rows[key].reason) == (flag, reason)


def test_quiet_talk_diverges_from_a_critical_survey(linked):
    # aeldre tillid: 1 of 3 codings (33%) on the edge of trust; with "quiet" below 40 %
    # the talk is quiet while the survey says implementation lags (fokus): a divergence
    respondents = list_respondents(linked)
    rows = {
        (r.spor, r.group): r
        for r in joint_display(linked, respondents, coders="ann", quotes=0, kant_quiet=0.4)
    }
    row = rows["tillid", "aeldre"]
    assert row.convergence == "diverge"
    assert "comments quiet: 1 of 3 codings (33%)" in row.reason
    assert "quiet below 40%" in row.reason


def test_quotes_come_from_different_documents_with_attribution(rows):
    # aeldre tillid: one quote from k3_leder and one from A1's comment; of k3_leder's two
    # passages the one sharing words with the comment ("Tilliden er skrøbelig") is the
    # more typical, "Medarbejderne tør ikke selv." shares none
    quotes = rows["tillid", "aeldre"].quotes
    assert sorted((q.document, q.text, q.attribution) for q in quotes) == [
        ("k3_leder", "Tilliden er skrøbelig her.", "(Plejecenterleder, kommune 3)"),
        (
            "survey-2025-A1-tillid",
            "Tilliden er skrøbelig, når tiden mangler.",
            "(Plejecenterleder, kommune 3)",
        ),
    ]
    # skole regler: R1 from k2_leder; one of R2/R3 from k2_medarbejder
    quotes = rows["regler", "skole"].quotes
    assert len(quotes) == 2
    assert {q.document for q in quotes} == {"k2_leder", "k2_medarbejder"}
    by_doc = {q.document: q for q in quotes}
    assert by_doc["k2_leder"].text == "Vi har fjernet mange regler."
    assert by_doc["k2_leder"].attribution == "(Skoleleder, kommune 2)"
    assert by_doc["k2_medarbejder"].attribution == "(Lærer, kommune 2)"
    # one document only: one quote; no codings: none
    assert len(rows["tillid", "dagtilbud"].quotes) == 1
    assert rows["maal", "skole"].quotes == []


def test_comments_of_another_wave_do_not_count(linked):
    older = list_respondents(linked, "2024")
    row = {(r.spor, r.group): r for r in joint_display(linked, older, coders="ann", quotes=0)}[
        "tillid", "aeldre"
    ]
    # the 2024 comment's coding (on the edge of trust) replaces the 2025 comment's
    assert (row.codings, row.comment_codings, row.documents) == (3, 1, 2)
    assert row.kant_share == pytest.approx(2 / 3)
    assert row.forside_share == pytest.approx(1 / 3)
    assert row.convergence == "agree"  # critical survey, critical talk
    assert row.quotes == []


def test_coders_and_grouping(linked):
    respondents = list_respondents(linked)
    by_bob = {(r.spor, r.group): r for r in joint_display(linked, respondents, coders="bob")}
    assert by_bob["maal", "skole"].codings == 1
    assert by_bob["tillid", "skole"].codings == 0
    everyone = {(r.spor, r.group): r for r in joint_display(linked, respondents)}
    assert everyone["maal", "skole"].codings == 1
    assert everyone["tillid", "skole"].codings == 4
    # without a grouping attribute: one group of everyone
    overall = joint_display(linked, respondents, by=None, coders="ann")
    assert [(r.spor, r.group) for r in overall] == [(s, "alle") for s in SPOR]
    tillid = overall[SPOR.index("tillid")]
    assert (tillid.n, tillid.codings, tillid.interview_codings) == (7, 10, 9)
    # kommune 5 has interviews but no respondents: a row with n = 0
    kommune = {(r.spor, r.group): r for r in joint_display(linked, respondents, by="kommune")}
    assert kommune["tillid", "kommune 5"].n == 0
    assert kommune["tillid", "kommune 5"].convergence == "too little data"


def test_linked_documents(linked):
    s1 = next(r for r in list_respondents(linked) if r.respondent_id == "S1")
    found = linked_documents(linked, s1, spor="regler", coders="ann")
    assert [(d.name, d.kind, d.spor, d.codings) for d in found] == [
        ("survey-2025-S1-regler", "comment", "regler", 0),
        ("survey-2025-S1-tillid", "comment", "tillid", 0),
        # the interviews of kommune 2 and skole, in staircase order; not k5_leder
        ("k2_forvaltning", "interview", None, 0),
        ("k2_leder", "interview", None, 1),
        ("k2_medarbejder", "interview", None, 2),
    ]
    assert [d.label for d in found[2:]] == [
        "k2_forvaltning (Skolechef, kommune 2)",
        "k2_leder (Skoleleder, kommune 2)",
        "k2_medarbejder (Lærer, kommune 2)",
    ]
    assert found[0].label == "survey-2025-S1-regler (Skoleleder, kommune 2)"
    # the spor asked about comes first; every coder counts unless coders are given
    found = linked_documents(linked, s1, spor="maal")
    assert [d.name for d in found[:2]] == ["survey-2025-S1-regler", "survey-2025-S1-tillid"]
    assert {d.name: d.codings for d in found}["k2_forvaltning"] == 1
    assert linked_documents(linked, s1, spor="tillid")[0].name == "survey-2025-S1-tillid"
    a2 = next(r for r in list_respondents(linked) if r.respondent_id == "A2")
    found = linked_documents(linked, a2, spor="regler")
    assert [(d.name, d.codings) for d in found] == [
        ("survey-2025-A2-regler", 1),
        ("k3_leder", 2),
    ]
    # no spor: no counts; without a kommune: the comments only
    assert {d.codings for d in linked_documents(linked, s1)} == {0}
    lost = type(s1)(**{**s1.__dict__, "attributes": {"omraade": "skole"}})
    assert [d.kind for d in linked_documents(linked, lost)] == ["comment", "comment"]


def test_survey_respondents(linked, tmp_path):
    assert [r.respondent_id for r in survey_respondents(linked)] == list(RESPONDENTS)
    assert {r.wave for r in survey_respondents(linked, "2024")} == {"2024"}
    with pytest.raises(NotFound, match="no survey wave '2023'"):
        survey_respondents(linked, "2023")
    with (
        create_project(tmp_path / "empty.frisat") as empty,
        pytest.raises(NotFound, match="empty.frisat has no survey to analyse"),
    ):
        survey_respondents(empty)
