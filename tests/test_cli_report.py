"""`frisat-qual report`: each report in each text format, on the demo project."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings

POOLED = "counting the codings of 2 coders together: reference, second (choose with --coder)\n"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def two_coders(demo_project_path, tmp_path_factory):
    """A copy of the demo project in which coder "second" also coded the first tema.kant
    passage of kommune 1, so tema.kant has 119 codings by reference and 1 by second."""
    path = tmp_path_factory.mktemp("two_coders") / "demo.frisat"
    shutil.copy(demo_project_path, path)
    with open_project(path) as proj:
        k1 = {"kommune": "kommune 1"}
        first = query_codings(proj, code="tema.kant", coder="reference", attributes=k1)[0]
        apply_code(proj, first.document_id, first.start, first.end, "tema.kant", "second")
    return path


def test_frequencies_json_shape_and_by(demo_project_path):
    rows = json.loads(
        run(
            "report", str(demo_project_path), "frequencies", "--by", "rolle", "--format", "json"
        ).output
    )
    kant = next(r for r in rows if r["code"] == "tema.kant")
    assert set(kant) == {"code", "codings", "documents", "cases", "words", "by"}
    assert kant["codings"] == 119 and sum(kant["by"].values()) == 119
    assert set(kant["by"]) == {"politiker", "forvaltning", "leder", "medarbejder", "borger"}


def test_each_report_in_csv_md_and_json(demo_project_path, tmp_path):
    for kind, extra in (
        ("frequencies", []),
        ("crosstab", ["--by", "omraade"]),
        ("cooccurrence", []),
        ("staircase", []),
        ("quotes", ["--code", "tema.kant"]),
    ):
        out = tmp_path / f"{kind}.csv"
        run("report", str(demo_project_path), kind, *extra, "--format", "csv", "-o", str(out))
        rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
        assert len(rows) > 2, kind
        md = run("report", str(demo_project_path), kind, *extra, "--format", "md").output
        assert md.startswith("## ") and "| --- |" in md
        json.loads(run("report", str(demo_project_path), kind, *extra, "--format", "json").output)
    table = run("report", str(demo_project_path), "staircase").output
    assert "forside" in table and "bagside" in table


def test_report_errors_are_one_line(demo_project_path):
    for args, message in ((["crosstab"], "--by"), (["quotes"], "--code")):
        result = run("report", str(demo_project_path), *args, ok=False)
        assert result.exit_code == 1 and message in result.output
        assert "Traceback" not in result.output


def test_xlsx_opens_with_openpyxl(demo_project_path, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "freq.xlsx"
    run(
        "report",
        str(demo_project_path),
        "frequencies",
        "--by",
        "omraade",
        "--format",
        "xlsx",
        "-o",
        str(out),
    )
    sheet = load_workbook(out).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("code", "label", "codings")
    kant = next(r for r in rows if r[0] == "tema.kant")
    assert kant[2] == 119
    bad = run("report", str(demo_project_path), "frequencies", "--format", "xlsx", ok=False)
    assert bad.exit_code == 1 and "-o" in bad.output


def test_unknown_coder_or_case_attribute_is_a_one_line_error(demo_project_path, tmp_path):
    demo = str(demo_project_path)
    unknown_coder = "Error: demo.frisat: no coder named 'consensu' (coders: reference)\n"
    for args in (
        ["report", demo, "frequencies", "--coder", "consensu"],
        ["report", demo, "quotes", "--code", "tema.kant", "--coder", "consensu"],
        ["report", demo, "all", "--coder", "consensu", "--format", "html", "-o", f"{tmp_path}/r"],
        ["codings", demo, "--coder", "consensu"],
        ["codings", demo, "--csv", "--coder", "reference", "--coder", "consensu"],
    ):
        result = run(*args, ok=False)
        assert result.exit_code == 1 and result.stdout == "", args
        assert result.stderr == unknown_coder, args
    assert not (tmp_path / "r").exists()
    value = run("report", demo, "frequencies", "--attr", "rolle=ledr", ok=False)
    assert value.exit_code == 1 and value.stderr == (
        "Error: demo.frisat: no case has rolle=ledr"
        " (rolle is one of: borger, forvaltning, leder, medarbejder, politiker)\n"
    )
    name = run("codings", demo, "--attr", "rol=leder", ok=False)
    assert name.exit_code == 1 and name.stderr.startswith(
        "Error: demo.frisat: no case attribute named 'rol' (attributes: "
    )
    assert "rolle" in name.stderr and name.stderr.count("\n") == 1
    for kind in ("frequencies", "crosstab"):
        grouped = run("report", demo, kind, "--by", "rol", ok=False)
        assert grouped.exit_code == 1 and grouped.stderr.startswith(
            "Error: demo.frisat: no case attribute named 'rol' to group by (attributes: "
        ), kind


def test_a_known_filter_without_codings_gives_true_zeros(two_coders):
    # coder "second" coded one passage, in kommune 1: in kommune 2 the zeros are true
    found = run(
        "report", str(two_coders), "frequencies", "--coder", "second", "--attr", "kommune=kommune 2",
        "--format", "json",
    )  # fmt: skip
    assert {r["codings"] for r in json.loads(found.stdout)} == {0}
    assert found.stderr == ""
    listed = run("codings", str(two_coders), "--coder", "second", "--attr", "kommune=kommune 2")
    assert listed.stdout == "" and listed.stderr == "0 coding(s)\n"


def test_reports_name_the_coders_they_count_together(two_coders, demo_project_path, tmp_path):
    project = str(two_coders)
    table = run("report", project, "frequencies")
    assert table.stderr == POOLED and "tema.kant" in table.stdout
    # csv and json on stdout stay pure data: the note goes to stderr
    listed = run("report", project, "frequencies", "--format", "csv")
    assert listed.stderr == POOLED and listed.stdout.startswith("code,label,codings")
    kant = next(r for r in csv.DictReader(io.StringIO(listed.stdout)) if r["code"] == "tema.kant")
    assert kant["codings"] == "120"
    data = json.loads(run("report", project, "staircase", "--format", "json").stdout)
    assert set(data) == {"cells", "kant"}
    md = run("report", project, "frequencies", "--format", "md").stdout
    assert md.startswith(
        "## Theme frequencies\n\n"
        "*Counting the codings of 2 coders together: reference, second.*\n\n| code |"
    )
    run("report", project, "all", "--format", "html", "-o", str(tmp_path / "all.html"))
    page = (tmp_path / "all.html").read_text("utf-8")
    assert (
        '<p class="note">Counting the codings of 2 coders together: reference, second.</p>' in page
    )
    # one coder chosen, or a project of one coder: nothing to say
    one = run("report", project, "frequencies", "--coder", "reference", "--format", "csv")
    assert one.stderr == "" and ",119," in one.stdout
    alone = run("report", str(demo_project_path), "frequencies", "--format", "md")
    assert alone.stderr == "" and "together" not in alone.stdout


def test_codings_show_the_id_uncode_takes(two_coders, demo_project_path, tmp_path):
    project = tmp_path / "copy.frisat"
    shutil.copy(two_coders, project)
    listed = run("codings", str(project), "--coder", "second")
    assert listed.stderr == "1 coding(s)\n"
    coding_id, document, span, code, coder, origin, _ = listed.stdout.rstrip("\n").split("\t")
    assert (code, coder, origin) == ("tema.kant", "second", "manual") and ":" in span
    # --csv keeps the export columns; --ids adds the id first, and import-codings reads it
    plain = run("codings", str(project), "--coder", "second", "--csv").stdout
    assert plain.startswith("document,start,end,code,coder,origin,text\n")
    with_ids = run("codings", str(project), "--coder", "second", "--csv", "--ids").stdout
    (row,) = csv.DictReader(io.StringIO(with_ids))
    assert list(row)[0] == "id" and row["id"] == coding_id and row["document"] == document
    exported = tmp_path / "second.csv"
    exported.write_text(with_ids, encoding="utf-8")
    fresh = tmp_path / "fresh.frisat"
    shutil.copy(demo_project_path, fresh)
    assert run("import-codings", str(fresh), str(exported)).stdout == "added 1 coding(s)\n"
    removed = run("uncode", str(project), coding_id).stdout
    assert removed == f"removed coding {coding_id} (tema.kant)\n"
    left = run("codings", str(project)).stdout.splitlines()
    assert coding_id not in {line.split("\t")[0] for line in left}


def test_the_format_follows_the_output_files_suffix(demo_project_path, tmp_path):
    from openpyxl import load_workbook

    demo = str(demo_project_path)
    run("report", demo, "all", "-o", tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    run("report", demo, "frequencies", "-o", tmp_path / "f.json")
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))[0]["code"]
    run("report", demo, "staircase", "-o", tmp_path / "s.xlsx")
    assert load_workbook(tmp_path / "s.xlsx").sheetnames
    run("report", demo, "frequencies", "-o", tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text(encoding="utf-8").startswith("code,")
    # --format still wins, and a file without a known suffix gets the table's text form
    run("report", demo, "frequencies", "--format", "md", "-o", tmp_path / "f.html")
    assert (tmp_path / "f.html").read_text(encoding="utf-8").startswith("#")
    run("report", demo, "frequencies", "-o", tmp_path / "f.txt")
    assert (tmp_path / "f.txt").read_text(encoding="utf-8").startswith("code,")
