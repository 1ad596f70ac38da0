"""`frisat-qual report`: each report in each text format, on the demo project."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from frisat_qual.cli import cli


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


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
