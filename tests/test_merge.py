"""Merging two coders' projects (frisat_qual.exchange.merge) on real project files.

Two small studies are built from the same Danish texts: a plain pair (ann codes A, bob
codes B) and a pair that differs in everything a merge must reconcile (codebook, a
document's text, a document only in B, a case attribute, a survey wave, memos,
suggestions, resolutions). Every check compares OUT with what A and B hold, read back
through the store: codings as (document, start, end, code, coder, coded text), so a span
that lands on the wrong text fails.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from handmade import import_and_code

from frisat_qual.codebook.manage import add_code, edit_code, rename_code
from frisat_qual.errors import ProjectError
from frisat_qual.exchange import merge as merge_module
from frisat_qual.exchange.merge import MERGE_AUTHOR, merge_projects
from frisat_qual.models import CodeSpec, Suggestion
from frisat_qual.resources import demo_corpus_dir
from frisat_qual.store import create_project, open_project
from frisat_qual.store.cases import list_cases
from frisat_qual.store.codes import active_codebook_info, code_row
from frisat_qual.store.codings import apply_code, query_codings, remove_coding
from frisat_qual.store.copying import insert_row, rows_of
from frisat_qual.store.documents import document_text, get_document, list_documents, segments_of
from frisat_qual.store.memos import all_memos, memos_for, write_memo
from frisat_qual.store.settings import set_setting
from frisat_qual.store.stats import project_stats
from frisat_qual.store.suggestions import (
    accept_suggestion,
    pending_suggestions,
    reject_suggestion,
    save_suggestions,
)
from frisat_qual.store.survey import list_respondents, list_waves
from frisat_qual.survey.importer import import_survey

TEXTS = {
    "k1_leder": "I: Hvad har frisættelsen betydet for jer?\n\nR: Vi mødes oftere med"
    " forvaltningen. Vi skriver færre rapporter, og det giver ro på stuerne.\n",
    "k2_politiker": "I: Hvordan styrer I nu?\n\nR: Vi har tillid til lederne. Reglerne er"
    " færre, og vi taler mere sammen om formålene.\n",
    "k3_medarbejder": "I: Hvad er anderledes i hverdagen?\n\nR: Vi dokumenterer kun det, der"
    " giver mening. Borgerne er med, når vi planlægger.\n",
}
MANIFEST = (
    "file,case,rolle,kommune\n"
    "k1_leder.txt,A,leder,kommune 1\n"
    "k2_politiker.txt,B,politiker,kommune 2\n"
    "k3_medarbejder.txt,C,medarbejder,kommune 2\n"
)
ANN = [
    ("k1_leder", "Vi mødes oftere med forvaltningen.", "leder.bagside", "ann"),
    ("k1_leder", "Vi skriver færre rapporter", "spor.dokumentation", "ann"),
    ("k2_politiker", "Vi har tillid til lederne.", "spor.tillid", "ann"),
    ("k3_medarbejder", "Borgerne er med, når vi planlægger.", "medarbejder.forside", "ann"),
]
BOB = [
    ("k1_leder", "Vi mødes oftere med forvaltningen.", "leder.bagside", "bob"),
    (
        "k1_leder",
        "Vi skriver færre rapporter, og det giver ro på stuerne.",
        "spor.dokumentation",
        "bob",
    ),
    ("k2_politiker", "Reglerne er færre", "spor.regler", "bob"),
    ("k3_medarbejder", "Vi dokumenterer kun det, der giver mening.", "spor.dokumentation", "bob"),
]
#: B's copy of the conflict pair: k2 is said differently, k4 only B has, case A moved.
B_TEXTS = {
    "k1_leder": TEXTS["k1_leder"],
    "k2_politiker": "I: Hvordan styrer I nu?\n\nR: Reglerne er færre nu. Vi har tillid til"
    " lederne.\n",
    "k4_forvaltning": "I: Hvad gør forvaltningen?\n\nR: Vi er gået fra kontrol til sparring"
    " med lederne.\n",
}
B_MANIFEST = (
    "file,case,rolle,kommune\n"
    "k1_leder.txt,A,leder,kommune 7\n"
    "k2_politiker.txt,B,politiker,kommune 2\n"
    "k4_forvaltning.txt,D,forvaltning,kommune 3\n"
)
B_CODINGS = [
    ("k1_leder", "Vi mødes oftere med forvaltningen.", "leder.bagside", "bob"),
    ("k2_politiker", "Vi har tillid til lederne.", "spor.tillid", "bob"),
    ("k2_politiker", "Reglerne er færre nu.", "spor.regler", "bob"),
    (
        "k4_forvaltning",
        "Vi er gået fra kontrol til sparring med lederne.",
        "forvaltning.forside",
        "bob",
    ),
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def coded(path: Path) -> set[tuple[str, int, int, str, str, str]]:
    """Every coding of a project as (document, start, end, code, coder, coded text)."""
    with open_project(path) as project:
        return _coded(project)


def _coded(project) -> set[tuple[str, int, int, str, str, str]]:
    docs = {d.id: d for d in list_documents(project, include_old=True)}
    texts = {i: document_text(project, i) for i in docs}
    return {
        (
            docs[c.document_id].name,
            c.start,
            c.end,
            c.code_id,
            c.coder,
            texts[c.document_id][c.start : c.end],
        )
        for c in query_codings(project)
    }


def survey_file(folder: Path, name: str, *, change: tuple[str, str, str] | None = None) -> Path:
    """The first three respondents of the demo survey; `change` = (respondent, column,
    value) alters one answer."""
    with open(demo_corpus_dir() / "survey.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[:4]
    if change:
        respondent, column, value = change
        row = next(r for r in rows if r[0] == respondent)
        row[rows[0].index(column)] = value
    path = folder / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def document_id(project, name: str) -> int:
    return get_document(project, name).id


def coding_id(project, name: str, phrase: str, code: str, coder: str) -> int:
    doc = get_document(project, name)
    start = document_text(project, doc.id).index(phrase)
    (found,) = [
        c
        for c in query_codings(project, document_id=doc.id, coder=coder, code=code)
        if c.start == start and c.end == start + len(phrase)
    ]
    return found.id


# -- the plain pair: the same texts, ann codes A, bob codes B ------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("pair")
    paths = []
    for who, codings in (("ann", ANN), ("bob", BOB)):
        folder = root / who
        folder.mkdir()
        path = folder / f"{who}.frisat"
        with create_project(path) as project:
            import_and_code(project, folder, TEXTS, MANIFEST, codings)
            import_survey(project, survey_file(folder, "s.csv"), wave="pilot", date="2025-01-15")
            set_setting(project, "title", "Frisættelse i syv kommuner")
            k1 = document_id(project, "k1_leder")
            write_memo(
                project,
                "document",
                k1,
                f"{who}: mødes oftere, men hvem tager initiativ?",
                author=who,
            )
            write_memo(project, "document", k1, "Fælles note om kommune 1.", author="team")
            if who == "bob":
                target = coding_id(
                    project, "k2_politiker", "Reglerne er færre", "spor.regler", "bob"
                )
                write_memo(project, "coding", target, "Usikker: regler eller mål?", author="bob")
                write_memo(
                    project, "code", "spor.regler", "Afgrænsning mod spor.maal.", author="bob"
                )
                case_b = next(c.id for c in list_cases(project) if c.name == "B")
                write_memo(project, "case", case_b, "Politikeren var ny i udvalget.", author="bob")
        paths.append(path)
    return paths[0], paths[1]


@pytest.fixture(scope="module")
def merged(pair):
    a, b = pair
    before = (digest(a), digest(b))
    out = a.parent.parent / "merged.frisat"
    report = merge_projects(a, b, out)
    after = (digest(a), digest(b))
    return report, out, before, after


def test_each_document_once_with_both_coders_codings_at_exact_spans(pair, merged):
    a, b = pair
    report, out, _, _ = merged
    with open_project(out) as project:
        names = [d.name for d in list_documents(project, include_old=True)]
        interviews = [n for n in names if not n.startswith("survey-")]
        assert interviews == ["k1_leder", "k2_politiker", "k3_medarbejder"]
        assert len(names) == len(set(names))
        result = _coded(project)
    assert result == coded(a) | coded(b)
    assert {c[4] for c in result} == {"ann", "bob"}
    for doc, phrase, code, coder in ANN + BOB:
        assert any(
            r[0] == doc and r[3] == code and r[4] == coder and r[5] == phrase for r in result
        )
    # ann and bob coded one passage identically apart from the coder: both are kept
    assert sum(1 for r in result if r[5] == "Vi mødes oftere med forvaltningen.") == 2
    assert report.counts["documents"].both == len(names)
    assert report.counts["documents"].from_b == report.counts["documents"].from_a == 0
    assert report.counts["codings"].from_a == len(ANN)
    assert report.counts["codings"].from_b == len(BOB)
    assert report.coders["ann"].a == len(ANN) and report.coders["ann"].b == 0
    assert report.coders["bob"].b == len(BOB) and report.coders["bob"].total == len(BOB)
    assert report.conflicts == []
    assert report.overlaps == []


def test_cases_attributes_survey_and_settings_come_through_once(pair, merged):
    a, _ = pair
    _, out, _, _ = merged
    with open_project(a) as project:
        cases_a = {c.name: c.attributes for c in list_cases(project)}
        respondents_a = list_respondents(project, "pilot")
    with open_project(out) as project:
        assert {c.name: c.attributes for c in list_cases(project)} == cases_a
        assert [w.name for w in list_waves(project)] == ["pilot"]
        respondents = list_respondents(project, "pilot")
        assert [(r.respondent_id, r.ratings, r.comments) for r in respondents] == [
            (r.respondent_id, r.ratings, r.comments) for r in respondents_a
        ]
        for r in respondents:
            for spor, doc in r.comment_documents.items():
                assert document_text(project, doc) == r.comments[spor]
        from frisat_qual.store.settings import get_setting

        assert get_setting(project, "title") == "Frisættelse i syv kommuner"


def test_memos_of_both_coders_on_their_targets_and_identical_ones_once(merged):
    report, out, _, _ = merged
    with open_project(out) as project:
        k1 = document_id(project, "k1_leder")
        on_k1 = {(m.author, m.text) for m in memos_for(project, "document", k1)}
        assert on_k1 == {
            ("ann", "ann: mødes oftere, men hvem tager initiativ?"),
            ("bob", "bob: mødes oftere, men hvem tager initiativ?"),
            ("team", "Fælles note om kommune 1."),
        }
        target = coding_id(project, "k2_politiker", "Reglerne er færre", "spor.regler", "bob")
        assert [m.text for m in memos_for(project, "coding", target)] == [
            "Usikker: regler eller mål?"
        ]
        assert [m.author for m in memos_for(project, "code", "spor.regler")] == ["bob"]
        case_b = next(c.id for c in list_cases(project) if c.name == "B")
        assert [m.text for m in memos_for(project, "case", case_b)] == [
            "Politikeren var ny i udvalget."
        ]
        assert len(all_memos(project)) == report.counts["memos"].total == 2 + 5 - 1
    assert report.counts["memos"].both == 1  # the team's note


def test_a_and_b_are_not_changed_and_nothing_is_left_behind(pair, merged):
    _, out, before, after = merged
    assert before == after
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not Path(f"{out}-wal").exists()


def test_report_lines_and_dict_agree(merged):
    report, out, _, _ = merged
    data = report.as_dict()
    assert data["out"] == str(out)
    assert data["counts"]["codings"] == {"from_a": 4, "from_b": 4, "both": 0, "total": 8}
    assert data["coders"]["bob"] == {"a": 0, "b": 4, "both": 0, "left_out": 0, "total": 4}
    text = "\n".join(report.lines())
    assert "merged ann.frisat (A) and bob.frisat (B)" in text
    assert "conflicts: 0" in text


# -- the conflict pair ---------------------------------------------------------------------


def _resolution(project, doc: str, phrase: str, code: str, decision: str, **extra) -> None:
    document = get_document(project, doc)
    start = document_text(project, document.id).index(phrase)
    with project.transaction():
        insert_row(
            project,
            "resolutions",
            {
                "document_id": document.id,
                "start": start,
                "end": start + len(phrase),
                "code_id": code,
                "coder_a": "ann",
                "coder_b": "bob",
                "decision": decision,
                "consensus": "consensus",
                "memo_id": extra.get("memo_id"),
                "codings": extra.get("codings", "[]"),
                "added": extra.get("added", "[]"),
                "resolved_by": "ann",
                "created": "2025-03-01T10:00:00.000000Z",
            },
        )


@pytest.fixture(scope="module")
def conflicts(tmp_path_factory):
    root = tmp_path_factory.mktemp("conflicts")
    (root / "a").mkdir()
    (root / "b").mkdir()
    a, b = root / "a" / "a.frisat", root / "b" / "b.frisat"
    with create_project(a) as project:
        import_and_code(project, root / "a", TEXTS, MANIFEST, ANN)
        import_survey(project, survey_file(root / "a", "s.csv"), wave="pilot", date="2025-01-15")
        import_survey(project, survey_file(root / "a", "s.csv"), wave="2", date="2025-06-01")
        k1 = document_id(project, "k1_leder")
        write_memo(project, "document", k1, "Mødes oftere: med hvem?", author="ann")
        k2 = document_id(project, "k2_politiker")
        write_memo(project, "document", k2, "Politikeren taler om tillid.", author="ann")
        _resolution(
            project, "k1_leder", "Vi mødes oftere med forvaltningen.", "leder.bagside", "keep-a"
        )
    with create_project(b) as project:
        import_and_code(project, root / "b", B_TEXTS, B_MANIFEST, [])
        rename_code(project, "leder.forside", "Leder: forsiden", coder="bob")
        edit_code(project, "spor.tillid", coder="bob", description="Tillid som arbejdsform.")
        add_code(project, CodeSpec("tema.sparring", "Sparring", parent="tema"), coder="bob")
        for doc, phrase, code, coder in [
            *B_CODINGS,
            ("k4_forvaltning", "sparring med lederne", "tema.sparring", "bob"),
            ("k1_leder", "Vi skriver færre rapporter", "tema.sparring", "bob"),
            # ann coded in both copies: one coding as in A, one other
            ("k1_leder", "Vi skriver færre rapporter", "spor.dokumentation", "ann"),
            ("k1_leder", "det giver ro på stuerne", "tema.frihed", "ann"),
        ]:
            document = get_document(project, doc)
            start = document_text(project, document.id).index(phrase)
            apply_code(project, document.id, start, start + len(phrase), code, coder)
        import_survey(project, survey_file(root / "b", "s.csv"), wave="pilot", date="2025-01-15")
        changed = survey_file(root / "b", "s2.csv", change=("L01", "regler_impl_a", "9"))
        import_survey(project, changed, wave="2", date="2025-06-01")
        k2 = document_id(project, "k2_politiker")
        write_memo(project, "document", k2, "Reglerne kommer først her.", author="ann")
        k1 = get_document(project, "k1_leder")
        write_memo(project, "document", k1.id, "Rapporterne fylder mindre.", author="ann")
        segment = next(s for s in segments_of(project, k1.id) if "rapporter" in s.text)
        k4 = get_document(project, "k4_forvaltning")
        k4_segment = segments_of(project, k4.id)[-1]
        save_suggestions(
            project,
            [
                Suggestion(
                    "tema.kant", 0.7, 0.5, {}, "m1", segment.id, k1.id, segment.start, segment.end
                ),
                Suggestion(
                    "tema.frihed", 0.6, 0.5, {}, "m1", segment.id, k1.id, segment.start, segment.end
                ),
                Suggestion(
                    "spor.regler",
                    0.9,
                    0.5,
                    {},
                    "m1",
                    k4_segment.id,
                    k4.id,
                    k4_segment.start,
                    k4_segment.end,
                ),
            ],
        )
        by_code = {s.code_id: s.id for s in pending_suggestions(project)}
        reject_suggestion(project, by_code["tema.kant"], "bob")
        accept_suggestion(project, by_code["spor.regler"], "bob")
        memo = write_memo(project, "document", k1.id, "Uenige om rapporterne.", author="bob")
        _resolution(
            project, "k1_leder", "Vi mødes oftere med forvaltningen.", "leder.bagside", "keep-b"
        )
        # keep-b on bob's tema.sparring, with a memo: the consensus coding it made
        phrase = "Vi skriver færre rapporter"
        start = document_text(project, k1.id).index(phrase)
        kept = apply_code(project, k1.id, start, start + len(phrase), "tema.sparring", "consensus")
        _resolution(
            project,
            "k1_leder",
            phrase,
            "tema.sparring",
            "keep-b",
            memo_id=memo.id,
            codings=f"[{kept.id}]",
            added=f"[{kept.id}]",
        )
    out = root / "out.frisat"
    b_before = digest(b)
    report = merge_projects(a, b, out)
    assert digest(b) == b_before
    return report, a, b, out


def test_conflicting_codebooks_are_listed_field_by_field(conflicts):
    report, a, _, out = conflicts
    with open_project(a) as project:
        label_a = code_row(project, "leder.forside")["label"]
        description_a = code_row(project, "spor.tillid")["description"]
    listed = {(c.subject, c.field): (c.a, c.b) for c in report.conflicts_of("code")}
    assert listed == {
        ("leder.forside", "label"): (label_a, "Leder: forsiden"),
        ("spor.tillid", "description"): (description_a, "Tillid som arbejdsform."),
    }
    with open_project(out) as project:
        assert code_row(project, "leder.forside")["label"] == label_a
        assert code_row(project, "spor.tillid")["description"] == description_a
        added = code_row(project, "tema.sparring")
        assert (added["label"], added["parent"]) == ("Sparring", "tema")
        merge_memos = {m.target_id: m.text for m in all_memos(project) if m.author == MERGE_AUTHOR}
    assert set(merge_memos) == {"leder.forside", "spor.tillid"}
    assert "label: Leder: forsiden" in merge_memos["leder.forside"]
    assert "description: Tillid som arbejdsform." in merge_memos["spor.tillid"]
    assert report.merge_memos == 2
    assert report.counts["codes"].from_b == 1
    assert report.counts["codes"].from_a == 0


def test_every_coding_of_b_arrives_on_its_own_text(conflicts):
    report, a, b, out = conflicts
    renamed = {"k2_politiker": "k2_politiker (B)"}
    in_b = {(renamed.get(r[0], r[0]), *r[1:]) for r in coded(b)}
    result = coded(out)
    assert in_b <= result
    assert coded(a) <= result
    assert len(result) == len(coded(a) | in_b) == report.counts["codings"].total
    assert ("k4_forvaltning", "sparring med lederne") in {
        (r[0], r[5]) for r in result if r[3] == "tema.sparring"
    }
    # ann's identical coding is stored once; her other coding in B is reported
    assert report.coders["ann"].both == 1
    (overlap,) = [o for o in report.overlaps if o.coder == "ann"]
    assert (overlap.document, overlap.only_a, overlap.only_b, overlap.both) == ("k1_leder", 1, 1, 1)


def test_same_name_other_text_is_kept_under_a_new_name(conflicts):
    report, _, _, out = conflicts
    (conflict,) = report.conflicts_of("document")
    assert (conflict.subject, conflict.field) == ("k2_politiker", "text")
    assert "k2_politiker (B)" in conflict.resolution
    with open_project(out) as project:
        assert (
            document_text(project, document_id(project, "k2_politiker"))
            == TEXTS["k2_politiker"].strip()
        )
        theirs = get_document(project, "k2_politiker (B)")
        assert document_text(project, theirs.id) == B_TEXTS["k2_politiker"].strip()
        assert theirs.is_current
        assert len(segments_of(project, theirs.id)) > 0
        from frisat_qual.store.documents import search_segments

        assert {s.document_id for s in search_segments(project, "sparring")} == {
            document_id(project, "k4_forvaltning")
        }
        memos = {m.text for m in memos_for(project, "document", theirs.id)}
        assert memos == {"Reglerne kommer først her."}


def test_document_only_in_b_arrives_with_its_case(conflicts):
    report, _, _, out = conflicts
    with open_project(out) as project:
        k4 = get_document(project, "k4_forvaltning")
        cases = {c.id: c for c in list_cases(project)}
        assert cases[k4.case_id].name == "D"
        assert cases[k4.case_id].attributes == {"rolle": "forvaltning", "kommune": "kommune 3"}
    assert report.counts["cases"].from_b == 1  # D; C is A's only; A and B are in both


def test_case_attribute_conflict_keeps_a(conflicts):
    report, _, _, out = conflicts
    (conflict,) = report.conflicts_of("case")
    assert (conflict.subject, conflict.field, conflict.a, conflict.b) == (
        "A",
        "kommune",
        "kommune 1",
        "kommune 7",
    )
    with open_project(out) as project:
        case = next(c for c in list_cases(project) if c.name == "A")
        assert case.attributes["kommune"] == "kommune 1"


def test_survey_wave_in_both_matched_and_other_answers_added_as_b(conflicts):
    report, _, _, out = conflicts
    (conflict,) = report.conflicts_of("wave")
    assert (conflict.subject, conflict.field) == ("2", "answers")
    assert report.counts["survey waves"].both == 1
    assert report.counts["survey waves"].from_b == 1
    with open_project(out) as project:
        assert sorted(w.name for w in list_waves(project)) == ["2", "2 (B)", "pilot"]
        ours = {r.respondent_id: r for r in list_respondents(project, "2")}
        theirs = {r.respondent_id: r for r in list_respondents(project, "2 (B)")}
        assert ours["L01"].ratings["regler_impl_a"] == 5
        assert theirs["L01"].ratings["regler_impl_a"] == 9
        assert set(theirs) == set(ours) == {"L01", "L02", "L03"}
        for r in theirs.values():
            assert r.attributes == ours[r.respondent_id].attributes
            for spor, doc in r.comment_documents.items():
                assert document_text(project, doc) == r.comments[spor]
        assert report.counts["respondents"].total == len(ours) + len(theirs) + 3


def test_memos_of_one_author_on_one_target_are_combined(conflicts):
    report, _, _, out = conflicts
    (conflict,) = report.conflicts_of("memo")
    assert conflict.field == "text"
    assert conflict.subject.startswith("document ") and conflict.subject.endswith(" by ann")
    with open_project(out) as project:
        k1 = document_id(project, "k1_leder")
        memos = {m.author: m.text for m in memos_for(project, "document", k1)}
        (on_k2,) = memos_for(project, "document", document_id(project, "k2_politiker"))
    assert memos == {
        "ann": "Mødes oftere: med hvem?\n\n[from b.frisat] Rapporterne fylder mindre.",
        "bob": "Uenige om rapporterne.",
    }
    assert (on_k2.author, on_k2.text) == ("ann", "Politikeren taler om tillid.")


def test_reviewed_suggestions_and_resolutions_come_along(conflicts):
    report, _, _, out = conflicts
    with open_project(out) as project:
        rows = {r["code_id"]: r for r in rows_of(project, "suggestions")}
        assert set(rows) == {"tema.kant", "spor.regler"}  # tema.frihed was pending in B
        assert rows["tema.kant"]["status"] == "rejected"
        segment = next(
            s
            for s in segments_of(project, rows["tema.kant"]["document_id"])
            if s.id == rows["tema.kant"]["segment_id"]
        )
        assert "rapporter" in segment.text
        accepted = rows["spor.regler"]
        coding = next(c for c in query_codings(project) if c.id == accepted["coding_id"])
        assert (coding.code_id, coding.origin) == ("spor.regler", "accepted-suggestion")
        assert coding.document_id == document_id(project, "k4_forvaltning")
        resolutions = {r["code_id"]: r for r in rows_of(project, "resolutions")}
        assert resolutions["leder.bagside"]["decision"] == "keep-a"
        kept = resolutions["tema.sparring"]
        assert [m.text for m in all_memos(project) if m.id == kept["memo_id"]] == [
            "Uenige om rapporterne."
        ]
        (linked,) = [c for c in query_codings(project) if c.id in json.loads(kept["codings"])]
        assert (linked.code_id, linked.coder) == ("tema.sparring", "consensus")
        assert json.loads(kept["added"]) == [linked.id]
    (conflict,) = report.conflicts_of("resolution")
    assert (conflict.a, conflict.b) == ("keep-a", "keep-b")
    assert any("1 pending suggestion(s)" in n for n in report.notes)


# -- two copies of the demo ----------------------------------------------------------------


def test_two_demo_copies_merge_and_counts_add_up(demo_project_path, tmp_path):
    a, b = tmp_path / "a.frisat", tmp_path / "b.frisat"
    shutil.copy(demo_project_path, a)
    shutil.copy(demo_project_path, b)
    with open_project(b) as project:
        recoded = query_codings(project, coder="reference")[::200]
        for c in recoded:
            remove_coding(project, c.id, "bob")
            apply_code(project, c.document_id, c.start, c.end, c.code_id, "bob")
    report = merge_projects(a, b, tmp_path / "out.frisat")
    with open_project(a) as project:
        stats_a = project_stats(project)
    with open_project(tmp_path / "out.frisat") as project:
        stats = project_stats(project)
        tables = {
            t: len(rows_of(project, t)) for t in ("codes", "cases", "survey_waves", "respondents")
        }
    n = len(recoded)
    assert n == 5
    counts = report.counts
    assert (counts["codings"].from_a, counts["codings"].from_b) == (n, n)
    assert counts["codings"].both == stats_a["codings"] - n
    assert counts["codings"].total == stats["codings"] == stats_a["codings"] + n
    assert report.coders["reference"].a == stats_a["codings"]
    assert report.coders["reference"].b == report.coders["reference"].both == stats_a["codings"] - n
    assert report.coders["bob"].b == report.coders["bob"].total == n
    documents = stats["documents"] + stats["old_versions"]
    assert counts["documents"].both == documents == stats_a["documents"] + stats_a["old_versions"]
    assert counts["codes"].total == tables["codes"]
    assert counts["cases"].total == tables["cases"] == stats_a["cases"]
    assert counts["survey waves"].both == tables["survey_waves"] == 1
    assert counts["respondents"].both == tables["respondents"]
    assert counts["memos"].total + report.merge_memos == stats["memos"]
    assert report.conflicts == []
    assert {o.coder for o in report.overlaps} == {"reference"}
    assert sum(o.only_a for o in report.overlaps) == n
    assert all(o.only_b == 0 for o in report.overlaps)


# -- failures --------------------------------------------------------------------------------


def test_out_that_exists_is_refused_and_left_alone(pair, tmp_path):
    a, b = pair
    out = tmp_path / "out.frisat"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(ProjectError, match="exists already"):
        merge_projects(a, b, out)
    assert out.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("kind", ["text", "other-database", "missing", "same"])
def test_b_that_is_not_a_second_project_is_refused(pair, tmp_path, kind):
    a, _ = pair
    b = tmp_path / "b.frisat"
    if kind == "text":
        b.write_text("document,start,end,code\n", encoding="utf-8")
    elif kind == "other-database":
        conn = sqlite3.connect(b)
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.commit()
        conn.close()
    elif kind == "same":
        b = a.parent / "." / a.name
    expected = {
        "text": "not a frisat-qual project",
        "other-database": "no documents table",
        "missing": "no such project file",
        "same": "same file",
    }[kind]
    with pytest.raises(ProjectError, match=expected) as info:
        merge_projects(a, b, tmp_path / "out.frisat")
    assert "\n" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        [] if kind in ("missing", "same") else ["b.frisat"]
    )


def test_project_of_a_newer_version_is_refused(pair, tmp_path):
    a, b = pair
    newer = tmp_path / "newer.frisat"
    shutil.copy(b, newer)
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('frisat_qual', 'm999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer frisat-qual"):
        merge_projects(a, newer, tmp_path / "out.frisat")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.frisat"]


@pytest.mark.parametrize("step", ["documents", "memos", "finish"])
def test_a_crash_mid_merge_leaves_no_file_behind(pair, tmp_path, monkeypatch, step):
    a, b = pair
    calls = []

    def crash(self, *args):
        calls.append(step)
        raise RuntimeError("disk pulled out")

    monkeypatch.setattr(merge_module._Merger, step, crash)
    with pytest.raises(RuntimeError, match="disk pulled out"):
        merge_projects(a, b, tmp_path / "out.frisat")
    assert calls == [step]
    assert list(tmp_path.iterdir()) == []


def test_a_crash_while_moving_into_place_leaves_no_file_behind(pair, tmp_path, monkeypatch):
    a, b = pair

    def link(src, dst):
        raise FileExistsError(dst)

    monkeypatch.setattr(merge_module.os, "link", link)
    with pytest.raises(ProjectError, match="exists already"):
        merge_projects(a, b, tmp_path / "out.frisat")
    assert list(tmp_path.iterdir()) == []


def test_two_copies_with_the_same_file_name_are_told_apart(pair, tmp_path):
    a, b = pair
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    shutil.copy(a, tmp_path / "x" / "study.frisat")
    shutil.copy(b, tmp_path / "y" / "study.frisat")
    report = merge_projects(
        tmp_path / "x" / "study.frisat", tmp_path / "y" / "study.frisat", tmp_path / "out.frisat"
    )
    assert report.a.endswith("x/study.frisat") and report.b.endswith("y/study.frisat")
    assert report.counts["codings"].total == len(ANN) + len(BOB)


def test_a_renamed_transcript_is_matched_by_its_text(pair, tmp_path):
    a, _ = pair
    b = tmp_path / "b" / "b.frisat"
    b.parent.mkdir()
    phrase = "Vi skriver færre rapporter"
    with create_project(b) as project:
        import_and_code(
            project,
            b.parent,
            {"k1_interview": TEXTS["k1_leder"]},
            "file,case,rolle,kommune\nk1_interview.txt,A,leder,kommune 1\n",
            [("k1_interview", phrase, "tema.frihed", "bob")],
        )
    report = merge_projects(a, b, tmp_path / "out.frisat")
    (conflict,) = report.conflicts_of("document")
    assert (conflict.subject, conflict.field, conflict.b) == ("k1_leder", "name", "k1_interview")
    result = coded(tmp_path / "out.frisat")
    assert ("k1_leder", phrase, "bob") in {
        (r[0], r[5], r[4]) for r in result if r[3] == "tema.frihed"
    }
    assert "k1_interview" not in {r[0] for r in result}
    assert report.counts["documents"].from_b == 0


def test_progress_counts_up_to_its_total(pair, tmp_path):
    a, b = pair
    calls = []
    merge_projects(a, b, tmp_path / "out.frisat", progress=lambda *c: calls.append(c))
    done = [c[0] for c in calls]
    assert done == list(range(1, len(calls) + 1))
    assert {c[1] for c in calls} == {len(calls)}
    assert "k2_politiker" in {c[2] for c in calls}


def test_a_full_disk_is_a_one_line_error_and_leaves_nothing(pair, tmp_path, monkeypatch):
    a, b = pair

    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(merge_module._Merger, "codings", full)
    with pytest.raises(
        ProjectError,
        match=r"out.frisat: the merge failed \(database or disk is full\); nothing written",
    ):
        merge_projects(a, b, tmp_path / "out.frisat")
    assert list(tmp_path.iterdir()) == []


def test_the_merge_core_imports_neither_textual_nor_rich():
    code = "import sys, frisat_qual.exchange.merge\nprint([m for m in ('textual', 'rich') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_into_an_empty_project_everything_comes_from_b(pair, tmp_path):
    _, b = pair
    create_project(tmp_path / "empty.frisat").close()
    out = tmp_path / "out.frisat"
    report = merge_projects(tmp_path / "empty.frisat", b, out)
    assert coded(out) == coded(b)
    with open_project(b) as project:
        stats_b = project_stats(project)
    with open_project(out) as project:
        assert project_stats(project) == stats_b
        assert active_codebook_info(project)["source"] == "styringstrappe.yaml"
    for name in ("documents", "codes", "cases", "codings", "memos", "survey waves"):
        assert report.counts[name].from_a == report.counts[name].both == 0, name
    assert report.counts["codings"].from_b == len(BOB)


# -- review: memos inside memos, decisions made twice, speaker roles, signals ------------


def _two_copies(pair, tmp_path, change_a, change_b) -> tuple[Path, Path]:
    """Copies of ann's project as A and B, each changed by its function."""
    a, _ = pair
    copies = []
    for name, change in (("a", change_a), ("b", change_b)):
        (tmp_path / name).mkdir()
        path = tmp_path / name / f"{name}.frisat"
        shutil.copy(a, path)
        with open_project(path) as project:
            change(project)
        copies.append(path)
    return copies[0], copies[1]


def _code_memo(text):
    return lambda project: write_memo(project, "code", "spor.tillid", text, author="ann")


@pytest.mark.parametrize(
    ("text_a", "text_b", "same"),
    [
        ("Ikke relevant for spor.tillid", "relevant for spor.tillid", False),
        ("not important", "important", False),
        ("important? no", "important", False),
        ("Tillid er grundlaget.", "Tillid er grundlaget.", True),
        ("Tillid er grundlaget.\nSe også k2.", "Tillid er grundlaget.", True),
    ],
)
def test_a_memo_is_the_same_only_when_a_holds_all_of_bs_text(pair, tmp_path, text_a, text_b, same):
    a, b = _two_copies(pair, tmp_path, _code_memo(text_a), _code_memo(text_b))
    report = merge_projects(a, b, tmp_path / "out.frisat")
    with open_project(tmp_path / "out.frisat") as project:
        (memo,) = [m for m in memos_for(project, "code", "spor.tillid") if m.author == "ann"]
    if same:
        assert memo.text == text_a and report.conflicts_of("memo") == []
    else:
        assert memo.text == f"{text_a}\n\n[from b.frisat] {text_b}"
        (conflict,) = report.conflicts_of("memo")
        assert (conflict.a, conflict.b) == (text_a, text_b)
        # merging the result with B again finds B's text in it: nothing new
        again = merge_projects(tmp_path / "out.frisat", b, tmp_path / "again.frisat")
        assert again.conflicts_of("memo") == []
        with open_project(tmp_path / "again.frisat") as project:
            assert [m.text for m in memos_for(project, "code", "spor.tillid")] == [memo.text]


def test_merging_again_keeps_one_merge_memo_per_code(pair, tmp_path):
    def relabel(label):
        return lambda project: rename_code(project, "spor.tillid", label, coder="ann")

    a, b = _two_copies(pair, tmp_path, relabel("Tillid A"), relabel("Tillid B"))
    first = merge_projects(a, b, tmp_path / "once.frisat")
    second = merge_projects(tmp_path / "once.frisat", b, tmp_path / "twice.frisat")
    assert first.merge_memos == 1 and second.merge_memos == 0
    assert len(second.conflicts_of("code")) == 1  # still listed: the labels still differ
    with open_project(tmp_path / "twice.frisat") as project:
        merge_memos = [
            m for m in memos_for(project, "code", "spor.tillid") if m.author == MERGE_AUTHOR
        ]
    assert len(merge_memos) == 1 and "Tillid B" in merge_memos[0].text


def test_speaker_roles_that_differ_are_listed(pair, tmp_path):
    from frisat_qual.store.documents import set_interviewer, speakers_of

    def swap(project):
        set_interviewer(project, document_id(project, "k1_leder"), "R")

    a, b = _two_copies(pair, tmp_path, lambda project: None, swap)
    report = merge_projects(a, b, tmp_path / "out.frisat")
    (conflict,) = [c for c in report.conflicts_of("document") if c.field == "speaker roles"]
    assert conflict.subject == "k1_leder"
    assert (conflict.a, conflict.b) == (
        "I: interviewer, R: informant",
        "I: informant, R: interviewer",
    )
    with open_project(tmp_path / "out.frisat") as project:
        assert speakers_of(project, document_id(project, "k1_leder")) == {
            "I": "interviewer",
            "R": "informant",
        }


def test_a_decision_a_made_otherwise_leaves_out_bs_consensus_coding(pair, tmp_path):
    """The reviewer's case: A keep-a (ann lacks the code: no consensus coding), B keep-b
    (bob's coding copied to the consensus coder). A's decision is kept, so B's consensus
    coding must not come along; a decision only B made keeps its consensus coding."""
    from frisat_qual.agreement import disagreements, resolve

    a_src, b_src = pair
    team = tmp_path / "team.frisat"
    merge_projects(a_src, b_src, team)
    with open_project(team) as project:
        ids = [d.id for d in disagreements(project, coders=["ann", "bob"])]
    contested = next(i for i in ids if i.endswith(":spor.regler"))
    only_b = next(i for i in ids if i.endswith(":spor.tillid"))
    for name in ("ra", "rb"):
        (tmp_path / name).mkdir()
        shutil.copy(team, tmp_path / name / "team.frisat")
    ra, rb = tmp_path / "ra" / "team.frisat", tmp_path / "rb" / "team.frisat"
    with open_project(ra) as project:
        resolve(project, contested, "keep-a", coders=["ann", "bob"], resolved_by="eve")
    with open_project(rb) as project:
        resolve(project, contested, "keep-b", coders=["ann", "bob"], resolved_by="eve")
        resolve(project, only_b, "keep-a", coders=["ann", "bob"], resolved_by="eve")
        b_consensus = {c[1:] for c in _coded(project) if c[4] == "consensus"}
    assert len(b_consensus) == 2

    report = merge_projects(ra, rb, tmp_path / "out.frisat")
    (conflict,) = report.conflicts_of("resolution")
    assert (conflict.a, conflict.b) == ("keep-a", "keep-b")
    assert conflict.resolution == "A's kept; B's 1 consensus coding(s) for it left out"
    assert report.coders["consensus"].left_out == 1
    assert report.coders["consensus"].total == 1
    assert any("1 consensus coding(s)" in n for n in report.notes)
    with open_project(tmp_path / "out.frisat") as project:
        consensus = [c for c in _coded(project) if c[4] == "consensus"]
        assert [c[3] for c in consensus] == ["spor.tillid"]  # only B's own decision's
        by_id = {d.id: d for d in disagreements(project, coders=["ann", "bob"])}
        assert by_id[contested].resolution.decision == "keep-a"
        # resolving it again in OUT finds nothing stray to clean up, and agreement of ann
        # with the consensus on spor.regler is what A's decision says: ann lacks it there
        resolve(project, contested, "keep-b", coders=["ann", "bob"], resolved_by="eve")
        assert sorted(c[3] for c in _coded(project) if c[4] == "consensus") == [
            "spor.regler",
            "spor.tillid",
        ]


def test_a_killed_merge_cleans_up_and_a_later_one_sweeps_what_sigkill_left(pair, tmp_path):
    """SIGTERM (kill, or SIGHUP: a closed terminal) runs the merge's cleanup; what a
    SIGKILL leaves (named by a process that no longer runs) the next merge removes."""
    import signal

    a, b = pair
    script = f"""
import os, signal, sys, time
from frisat_qual.exchange import merge as m
from frisat_qual.cli import cli

def stop(self):
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)

m._Merger.run = stop
cli(["merge", {str(a)!r}, {str(b)!r}, "-o", {str(tmp_path / "out.frisat")!r}])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert list(tmp_path.iterdir()) == []

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    stale = [tmp_path / f".out.frisat.{dead}.merge.tmp", tmp_path / f".out.frisat.{dead}.b.tmp"]
    for path in stale:
        path.write_bytes(b"half a project")
    Path(f"{stale[0]}-wal").write_bytes(b"")
    merge_projects(a, b, tmp_path / "out.frisat")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.frisat"]
