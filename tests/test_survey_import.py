"""Importing the leaders' survey: CSV and Excel alike, every problem named by line, column
and value, nothing half imported, waves, and the open comments as codable documents."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.errors import ImportError_, SurveyFileError
from frisat_qual.store.codings import apply_code
from frisat_qual.store.documents import (
    get_document,
    latest_version,
    list_documents,
    segments_of,
    turns_of,
)
from frisat_qual.store.survey import delete_wave, list_respondents, list_waves
from frisat_qual.survey import SPOR, comment_column
from frisat_qual.survey.importer import RATING_COLUMNS, import_survey, read_survey

COMMENTS = {
    "R1": {
        "regler": "Vi har fjernet mange regler. Det giver mere tid til børnene.",
        "tillid": "Medarbejderne træffer flere beslutninger selv.",
    },
    "R2": {},
    "R3": {"eksperiment": "Vi prøver nye ting af, men vi evaluerer dem for sjældent."},
}
AREAS = {"R1": "dagtilbud", "R2": "skole", "R3": "Ældre"}
#: R2 left one item unanswered.
UNANSWERED = ("R2", "maal_vigt_c")
TABLES = (
    "survey_waves",
    "respondents",
    "survey_ratings",
    "survey_comments",
    "documents",
    "turns",
    "segments",
    "cases",
    "case_attributes",
)


def rating(respondent: str, column: str) -> int:
    return (int(respondent[1:]) * 7 + RATING_COLUMNS.index(column)) % 10 + 1


def survey_table() -> tuple[list[str], list[list]]:
    """The hand-made survey: a header and three respondents (values as Excel holds them)."""
    header = ["respondent_id", "omraade", "kommune", "titel", *RATING_COLUMNS]
    header += [comment_column(s) for s in SPOR]
    rows = []
    for number, rid in enumerate(COMMENTS, start=1):
        row: list = [rid, AREAS[rid], f"kommune {number}", "Leder"]
        row += [rating(rid, c) for c in RATING_COLUMNS]
        row += [COMMENTS[rid].get(s, "") for s in SPOR]
        rows.append(row)
    rows[1][header.index(UNANSWERED[1])] = ""
    return header, rows


def set_cell(rows: list[list], header: list[str], rid: str, column: str, value) -> None:
    row = next(r for r in rows if r[0] == rid)
    row[header.index(column)] = value


def write_csv(path: Path, header, rows, *, delimiter=",", encoding="utf-8") -> Path:
    def cell(value) -> str:
        text = str(value)
        return f'"{text}"' if delimiter in text or "\n" in text else text

    lines = [
        delimiter.join(cell(v) for v in [*header]),
        *(delimiter.join(map(cell, r)) for r in rows),
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, header, rows) -> Path:
    """Excel as researchers' files have it: whole numbers stored as floats (7.0)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([float(v) if isinstance(v, int) else (v if v != "" else None) for v in row])
    book.create_sheet("notes").append(["not read"])
    book.save(path)
    return path


def counts(project) -> dict[str, int]:
    return {t: project.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def answers(project, wave=None) -> list[tuple]:
    return [
        (r.respondent_id, r.attributes, r.ratings, r.comments)
        for r in list_respondents(project, wave)
    ]


@pytest.fixture
def survey_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "survey.csv", *survey_table())


# -- reading and storing ---------------------------------------------------------------------


def test_csv_and_xlsx_import_the_same_respondents(tmp_path, survey_csv):
    from frisat_qual.store import create_project

    xlsx = write_xlsx(tmp_path / "survey.xlsx", *survey_table())
    with (
        create_project(tmp_path / "a.frisat") as a,
        create_project(tmp_path / "b.frisat") as b,
    ):
        from_csv = import_survey(a, survey_csv, date="2025-01-15")
        from_xlsx = import_survey(b, xlsx, date="2025-01-15")
        assert from_csv.status == from_xlsx.status == "imported"
        assert (from_csv.respondents, from_csv.ratings, from_csv.unanswered) == (3, 119, 1)
        assert from_csv.comment_documents == from_xlsx.comment_documents == 3
        assert answers(a) == answers(b)
        assert list_waves(a)[0].content_hash == list_waves(b)[0].content_hash


def test_semicolon_cp1252_file_with_danish_letters(project, tmp_path):
    header, rows = survey_table()
    path = write_csv(tmp_path / "excel.csv", header, rows, delimiter=";", encoding="cp1252")
    import_survey(project, path)
    r1, _, r3 = list_respondents(project)
    assert r3.attributes["omraade"] == "aeldre"
    assert r1.comments["regler"].endswith("tid til børnene.")


def test_list_respondents_leaves_missing_answers_out(project, survey_csv):
    import_survey(project, survey_csv)
    by_id = {r.respondent_id: r for r in list_respondents(project)}
    r2 = by_id["R2"]
    assert UNANSWERED[1] not in r2.ratings and len(r2.ratings) == 39
    assert r2.ratings["regler_impl_a"] == rating("R2", "regler_impl_a")
    assert len(by_id["R1"].ratings) == 40 and list(by_id["R1"].ratings) == list(RATING_COLUMNS)
    assert r2.comments == {} and r2.comment_documents == {}
    assert by_id["R1"].wave == "1"
    assert by_id["R1"].attributes == {
        "kilde": "survey",
        "kommune": "kommune 1",
        "omraade": "dagtilbud",
        "respondent_id": "R1",
        "rolle": "leder",
        "titel": "Leder",
    }


def test_rolle_is_kept_as_given_and_defaults_to_leder(project, tmp_path):
    header, rows = survey_table()
    header = [*header, "rolle"]
    rows = [[*r, role] for r, role in zip(rows, ["Medarbejder", "", "skoleleder"], strict=True)]
    import_survey(project, write_csv(tmp_path / "s.csv", header, rows))
    roles = [r.attributes.get("rolle") for r in list_respondents(project)]
    assert roles == ["medarbejder", None, "skoleleder"]


# -- problems ----------------------------------------------------------------------------------


def _mutated(change):
    header, rows = survey_table()
    change(header, rows)
    return header, rows


def _rename(old: str, new: str):
    return lambda header, rows: header.__setitem__(header.index(old), new)


def _drop(*columns: str):
    def change(header, rows):
        for column in columns:
            index = header.index(column)
            del header[index]
            for row in rows:
                del row[index]

    return change


BAD_TABLES = {
    "text": (
        lambda h, r: set_cell(r, h, "R2", "regler_impl_b", "elleve"),
        'survey.csv line 3, column regler_impl_b: "elleve" is not a whole number from 1 to 10',
    ),
    "eleven": (
        lambda h, r: set_cell(r, h, "R3", "tillid_vigt_d", 11),
        'survey.csv line 4, column tillid_vigt_d: "11" is not a whole number from 1 to 10',
    ),
    "zero": (
        lambda h, r: set_cell(r, h, "R1", "maal_impl_a", 0),
        'survey.csv line 2, column maal_impl_a: "0" is not a whole number from 1 to 10',
    ),
    "fraction": (
        lambda h, r: set_cell(r, h, "R1", "regler_vigt_c", "7.5"),
        'survey.csv line 2, column regler_vigt_c: "7.5" is not a whole number from 1 to 10',
    ),
    "missing-columns": (
        _drop("tillid_vigt_c", "eksperiment_impl_a"),
        "survey.csv line 1: missing rating columns tillid_vigt_c, eksperiment_impl_a",
    ),
    "typo-indicator": (
        _rename("regler_impl_d", "regler_impl_e"),
        "survey.csv line 1: unknown rating column regler_impl_e (did you mean regler_impl_d?)",
    ),
    "typo-dimension": (
        _rename("regler_impl_a", "regler_imp_a"),
        "survey.csv line 1: unknown rating column regler_imp_a (did you mean regler_impl_a?)",
    ),
    "duplicate-id": (
        lambda h, r: set_cell(r, h, "R3", "respondent_id", "R1"),
        'survey.csv line 4, column respondent_id: "R1" is already the id on line 2',
    ),
    "bad-omraade": (
        lambda h, r: set_cell(r, h, "R2", "omraade", "skoler"),
        'survey.csv line 3, column omraade: "skoler" is not one of dagtilbud, skole, aeldre'
        " (ældre is accepted)",
    ),
    "empty-id": (
        lambda h, r: set_cell(r, h, "R2", "respondent_id", ""),
        "survey.csv line 3, column respondent_id: the respondent id is empty",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TABLES))
def test_bad_table_is_named_exactly_and_changes_nothing(project, survey_csv, tmp_path, case):
    import_survey(project, survey_csv)
    before = counts(project)
    change, expected = BAD_TABLES[case]
    (tmp_path / "bad").mkdir()
    bad = write_csv(tmp_path / "bad" / "survey.csv", *_mutated(change))
    with pytest.raises(SurveyFileError) as caught:
        import_survey(project, bad, wave="2")
    assert caught.value.problems == [expected]
    assert counts(project) == before


BAD_FILES = {
    "empty": (b"", "survey.csv", "survey.csv: the file is empty"),
    "blank": (b" \r\n\r\n", "survey.csv", "survey.csv: the file is empty"),
    "header-only": (
        ",".join(survey_table()[0]).encode(),
        "survey.csv",
        "survey.csv: the file has a header but no respondents",
    ),
    "binary": (
        b"PK\x03\x04\x00\x00binary",
        "survey.csv",
        "survey.csv: looks like a binary file, not text (it contains NUL bytes; UTF-16 text"
        " needs a byte-order mark)",
    ),
    "prose": (
        "Referat af mødet om spørgeskemaet.\nVi aftalte at sende det ud igen.\n".encode(),
        "survey.csv",
        "survey.csv line 1: no respondent_id column and no rating columns; is this the survey"
        " file?",
    ),
    "pdf": (
        b"%PDF-1.4",
        "survey.pdf",
        "survey.pdf: unknown format ('.pdf'); a survey is a .csv or .xlsx file",
    ),
    "fake-xlsx": (
        b"respondent_id,omraade\n",
        "survey.xlsx",
        "survey.xlsx: not an Excel workbook that can be read (File is not a zip file)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_one_line_and_changes_nothing(project, survey_csv, tmp_path, case):
    import_survey(project, survey_csv)
    before = counts(project)
    data, name, expected = BAD_FILES[case]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / name).write_bytes(data)
    with pytest.raises(SurveyFileError) as caught:
        import_survey(project, tmp_path / "bad" / name, wave="2")
    assert caught.value.problems == [expected]
    assert counts(project) == before


def test_xlsx_problems_name_the_sheet_row(project, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R2", "dokumentation_impl_c", 7.5)
    set_cell(rows, header, "R3", "respondent_id", "R1")
    with pytest.raises(SurveyFileError) as caught:
        import_survey(project, write_xlsx(tmp_path / "s.xlsx", header, rows))
    assert caught.value.problems == [
        's.xlsx row 3, column dokumentation_impl_c: "7.5" is not a whole number from 1 to 10',
        's.xlsx row 4, column respondent_id: "R1" is already the id on row 2',
    ]
    assert caught.value.rows_only
    assert counts(project) == dict.fromkeys(TABLES, 0)


def test_every_problem_is_listed_before_anything_is_imported(project, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R1", "regler_impl_a", "x")
    set_cell(rows, header, "R1", "maal_impl_a", "12")
    set_cell(rows, header, "R3", "omraade", "plejehjem")
    with pytest.raises(SurveyFileError) as caught:
        import_survey(project, write_csv(tmp_path / "s.csv", header, rows))
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "s.csv line 2, column regler_impl_a",
        "s.csv line 2, column maal_impl_a",
        "s.csv line 4, column omraade",
    ]
    assert counts(project) == dict.fromkeys(TABLES, 0)


def test_skip_bad_rows_imports_the_good_ones_and_lists_the_rest(project, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R1", "regler_impl_a", "x")
    set_cell(rows, header, "R1", "maal_impl_a", "12")
    set_cell(rows, header, "R3", "respondent_id", "R2")
    report = import_survey(project, write_csv(tmp_path / "s.csv", header, rows), skip_bad_rows=True)
    assert [(s.line, s.respondent_id, len(s.problems)) for s in report.skipped] == [
        (2, "R1", 2),
        (4, "R2", 1),
    ]
    assert report.respondents == 1
    assert [r.respondent_id for r in list_respondents(project)] == ["R2"]


def test_header_problems_are_not_skipped(project, tmp_path):
    bad = write_csv(tmp_path / "s.csv", *_mutated(_drop("regler_impl_a")))
    with pytest.raises(SurveyFileError) as caught:
        import_survey(project, bad, skip_bad_rows=True)
    assert not caught.value.rows_only
    assert counts(project) == dict.fromkeys(TABLES, 0)


def test_a_failure_while_storing_leaves_the_project_as_it_was(project, survey_csv, monkeypatch):
    import frisat_qual.survey.importer as importer

    import_survey(project, survey_csv, wave="1")
    before = counts(project)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "insert_wave", broken)
    with pytest.raises(RuntimeError):
        import_survey(project, survey_csv, wave="2")
    assert counts(project) == before


# -- waves ------------------------------------------------------------------------------------


def test_second_wave_and_the_latest_by_date(project, survey_csv, tmp_path):
    import_survey(project, survey_csv, date="2025-01-15")
    header, rows = survey_table()
    set_cell(rows, header, "R1", "regler_impl_a", 10)
    later = write_csv(tmp_path / "later.csv", header, rows)
    report = import_survey(project, later, wave="2", date="2026-01-15")
    assert (report.wave, report.status) == ("2", "imported")
    set_cell(rows, header, "R1", "regler_impl_a", 1)
    earlier = write_csv(tmp_path / "earlier.csv", header, rows)
    import_survey(project, earlier, wave="0", date="2024-06-01")
    assert [(w.name, w.date, w.respondents) for w in list_waves(project)] == [
        ("0", "2024-06-01", 3),
        ("1", "2025-01-15", 3),
        ("2", "2026-01-15", 3),
    ]
    assert list_respondents(project)[0].wave == "2"
    assert list_respondents(project)[0].ratings["regler_impl_a"] == 10
    assert list_respondents(project, "1")[0].ratings["regler_impl_a"] == rating(
        "R1", "regler_impl_a"
    )
    names = {d.name for d in list_documents(project)}
    assert {"survey-1-R1-regler", "survey-2-R1-regler", "survey-0-R1-regler"} <= names


def test_reimport_unchanged_is_a_no_op(project, survey_csv, tmp_path):
    import_survey(project, survey_csv, date="2025-01-15")
    before = counts(project)
    again = import_survey(project, survey_csv, date="2030-01-01")
    as_excel = import_survey(project, write_xlsx(tmp_path / "s.xlsx", *survey_table()))
    assert again.status == as_excel.status == "unchanged"
    assert (again.wave, again.date, again.respondents) == ("1", "2025-01-15", 3)
    named = import_survey(project, survey_csv, wave="1")
    assert named.status == "unchanged"
    assert counts(project) == before


def test_other_answers_under_an_existing_wave_are_refused(project, survey_csv, tmp_path):
    import_survey(project, survey_csv)
    before = counts(project)
    header, rows = survey_table()
    set_cell(rows, header, "R2", "tillid_impl_a", 1)
    changed = write_csv(tmp_path / "changed.csv", header, rows)
    with pytest.raises(ImportError_) as named:
        import_survey(project, changed, wave="1")
    assert str(named.value) == (
        "changed.csv: survey wave 1 already holds other answers; give --wave NAME for a new"
        " wave, or --replace to replace wave 1"
    )
    with pytest.raises(ImportError_) as unnamed:
        import_survey(project, changed)
    assert str(unnamed.value) == (
        "changed.csv: the project already has survey wave 1 with other answers; give --wave 2"
        " (or another name) for a new wave, or --replace to replace wave 1"
    )
    assert counts(project) == before


def test_replace_keeps_unchanged_and_coded_comment_documents(project, survey_csv, tmp_path):
    load_into_project(project, default_codebook(), coder="test")
    import_survey(project, survey_csv)
    old = {r.respondent_id: r for r in list_respondents(project)}
    kept_id = old["R1"].comment_documents["tillid"]
    coded_id = old["R1"].comment_documents["regler"]
    apply_code(project, coded_id, 0, 27, "leder.forside", "test")
    header, rows = survey_table()
    set_cell(rows, header, "R1", "regler_impl_a", 1)
    set_cell(rows, header, "R1", comment_column("regler"), "Vi har fjernet nogle regler.")
    set_cell(rows, header, "R3", comment_column("eksperiment"), "")  # uncoded: goes
    del rows[1]  # R2 is not in the corrected file
    report = import_survey(
        project, write_csv(tmp_path / "fixed.csv", header, rows), wave="1", replace=True
    )
    assert (report.status, report.respondents, report.old_documents) == ("replaced", 2, 2)
    new = {r.respondent_id: r for r in list_respondents(project)}
    assert sorted(new) == ["R1", "R3"] and len(list_waves(project)) == 1
    assert new["R1"].ratings["regler_impl_a"] == 1
    assert new["R1"].comment_documents["tillid"] == kept_id
    regler = get_document(project, new["R1"].comment_documents["regler"])
    assert (regler.name, regler.version) == ("survey-1-R1-regler", 2)
    coded = get_document(project, coded_id)
    assert (coded.version, coded.is_current) == (1, False)
    assert new["R3"].comments == {}
    assert not latest_version(project, "survey-1-R3-eksperiment").is_current
    assert sorted(d.name for d in list_documents(project)) == [
        "survey-1-R1-regler",
        "survey-1-R1-tillid",
    ]
    cases = {r[0] for r in project.conn.execute("SELECT name FROM cases")}
    assert cases == {"survey 1 R1", "survey 1 R3"}


def test_delete_wave_keeps_its_documents_as_old_versions(project, survey_csv):
    import_survey(project, survey_csv)
    with project.transaction():
        assert delete_wave(project, "1") == 3
    after = counts(project)
    assert [after[t] for t in TABLES[:4]] == [0, 0, 0, 0]
    assert after["documents"] == 3 and list_documents(project) == []
    cases = {r[0] for r in project.conn.execute("SELECT name FROM cases")}
    assert cases == {"survey 1 R1", "survey 1 R3"}  # R2 left no comment


def test_bad_wave_name_and_date(project, survey_csv):
    with pytest.raises(ImportError_, match="may hold only letters"):
        import_survey(project, survey_csv, wave="runde 2")
    with pytest.raises(ImportError_, match="is not a date like 2025-01-15"):
        import_survey(project, survey_csv, date="15.01.2025")


# -- comments as documents ---------------------------------------------------------------------


def test_comments_become_segmented_documents_of_the_respondents_case(project, survey_csv):
    import_survey(project, survey_csv)
    r1 = next(r for r in list_respondents(project) if r.respondent_id == "R1")
    doc = get_document(project, r1.comment_documents["regler"])
    assert (doc.name, doc.format, doc.source_name) == (
        "survey-1-R1-regler",
        "survey-comment",
        "survey.csv",
    )
    assert doc.case_id == r1.case_id
    (turn,) = turns_of(project, doc.id)
    assert (turn.speaker, turn.role, turn.start) == ("Respondent R1", "informant", 0)
    assert [s.text for s in segments_of(project, doc.id)] == [
        "Vi har fjernet mange regler.",
        "Det giver mere tid til børnene.",
    ]
    links = project.conn.execute(
        "SELECT c.spor, c.document_id FROM survey_comments c JOIN respondents r"
        " ON r.id = c.respondent WHERE r.respondent_id = 'R1' ORDER BY c.spor"
    ).fetchall()
    assert links == sorted(r1.comment_documents.items())
    case = project.conn.execute("SELECT name FROM cases WHERE id = ?", [doc.case_id]).fetchone()
    assert case == ("survey 1 R1",)
    assert sorted(d.name for d in list_documents(project)) == [
        "survey-1-R1-regler",
        "survey-1-R1-tillid",
        "survey-1-R3-eksperiment",
    ]


def test_comment_with_a_question_stays_the_informants(project, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R2", comment_column("maal"), "Hvem følger op? Hvornår? Hvordan?")
    import_survey(project, write_csv(tmp_path / "s.csv", header, rows))
    (turn,) = turns_of(project, get_document(project, "survey-1-R2-maal").id)
    assert turn.role == "informant"


def test_personal_data_in_comments_is_reported(project, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R2", comment_column("tillid"), "Vores chef Jens Hansen lytter.")
    report = import_survey(project, write_csv(tmp_path / "s.csv", header, rows))
    assert {(f.document, f.text) for f in report.findings} == {
        ("survey-1-R2-tillid", "Jens Hansen")
    }


def test_progress_is_called_per_respondent(project, survey_csv):
    calls = []
    import_survey(
        project, survey_csv, progress=lambda done, total, name: calls.append((done, total, name))
    )
    assert calls == [(1, 3, "R1"), (2, 3, "R2"), (3, 3, "R3")]


def test_read_survey_returns_rows_without_storing(survey_csv):
    table = read_survey(survey_csv)
    assert [r.respondent_id for r in table.rows] == ["R1", "R2", "R3"] and not table.bad
    assert table.rows[2].attributes["omraade"] == "aeldre"


# -- command line ------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "p.frisat"
    assert run("new", str(path), "--no-codebook").exit_code == 0
    return path


def test_cli_import_waves_and_json(project_file, survey_csv):
    result = run("survey", "import", str(project_file), str(survey_csv), "--date", "2025-01-15")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "imported wave 1 (2025-01-15) from survey.csv: 3 respondents, 119 ratings"
        " (1 unanswered), 3 comments as documents"
    ]
    again = run("survey", "import", str(project_file), str(survey_csv))
    assert again.stdout.startswith("unchanged: wave 1 already holds these answers")
    second = run("survey", "import", str(project_file), str(survey_csv), "--wave", "2", "--json")
    data = json.loads(second.stdout)
    assert (data["wave"], data["status"], data["respondents"], data["skipped"]) == (
        "2",
        "imported",
        3,
        [],
    )
    waves = run("survey", "waves", str(project_file))
    assert waves.stdout.splitlines()[0] == "1\t2025-01-15\t3 respondents\tsurvey.csv"
    listed = json.loads(run("survey", "waves", str(project_file), "--json").stdout)
    assert [w["name"] for w in listed] == ["1", "2"]


def test_cli_lists_every_problem_and_exits_1(project_file, tmp_path):
    header, rows = survey_table()
    set_cell(rows, header, "R2", "regler_impl_b", "elleve")
    set_cell(rows, header, "R3", "omraade", "skoler")
    bad = write_csv(tmp_path / "survey.csv", header, rows)
    result = CliRunner().invoke(cli, ["survey", "import", str(project_file), str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        'error: survey.csv line 3, column regler_impl_b: "elleve" is not a whole number from 1'
        " to 10",
        'error: survey.csv line 4, column omraade: "skoler" is not one of dagtilbud, skole,'
        " aeldre (ældre is accepted)",
        "survey.csv: nothing was imported; correct these rows, or give --skip-bad-rows to"
        " import the others",
    ]
    skipped = run("survey", "import", str(project_file), str(bad), "--skip-bad-rows")
    assert skipped.exit_code == 0
    assert skipped.stdout.splitlines()[1:] == [
        'skipped: survey.csv line 3, column regler_impl_b: "elleve" is not a whole number'
        " from 1 to 10",
        'skipped: survey.csv line 4, column omraade: "skoler" is not one of dagtilbud,'
        " skole, aeldre (ældre is accepted)",
    ]


def test_cli_conflict_and_replace(project_file, survey_csv, tmp_path):
    run("survey", "import", str(project_file), str(survey_csv))
    header, rows = survey_table()
    set_cell(rows, header, "R1", "regler_impl_a", 2)
    changed = write_csv(tmp_path / "changed.csv", header, rows)
    refused = CliRunner().invoke(cli, ["survey", "import", str(project_file), str(changed)])
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: changed.csv: the project already has survey wave 1 with other answers; give"
        " --wave 2 (or another name) for a new wave, or --replace to replace wave 1"
    ]
    replaced = run("survey", "import", str(project_file), str(changed), "--replace")
    assert replaced.stdout.startswith("replaced wave 1 (")
    missing = CliRunner().invoke(cli, ["survey", "import", str(project_file), "nope.csv"])
    assert missing.exit_code == 1 and "nope.csv: no such file" in missing.stderr


def test_cli_waves_of_a_project_without_survey(project_file):
    result = run("survey", "waves", str(project_file))
    assert result.exit_code == 0 and result.stdout == ""
    assert "no survey waves" in result.stderr


def test_the_store_refuses_ratings_outside_the_scale(project, survey_csv):
    import sqlite3

    import_survey(project, survey_csv)
    respondent = project.conn.execute("SELECT MIN(id) FROM respondents").fetchone()[0]
    for value in (0, 11, 7.5, "elleve"):
        with pytest.raises(sqlite3.IntegrityError), project.transaction():
            project.conn.execute(
                "INSERT INTO survey_ratings (respondent, item, value) VALUES (?, 'x', ?)",
                [respondent, value],
            )
