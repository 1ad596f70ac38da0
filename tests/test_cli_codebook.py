"""CLI for codebooks and coding: validate, export/import, diff, load, code, codings, undo."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.resources import data_dir

INTERVIEW = (
    "I: Hvad har frisættelsen betydet?\n\n"
    "R: Vi har fjernet mange regler om dokumentation. Nu taler vi sammen i stedet.\n"
)


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_validate_bundled_and_broken_codebooks(tmp_path):
    books = sorted(str(p) for p in data_dir("codebooks").glob("*.yaml"))
    assert "ok (27 codes)" in run("codebook", "validate", *books).output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "codebook: {id: b, name: B}\ncodes:\n  - id: a\n    label: A\n    color: blue\n"
        "  - id: a\n    label: A2\n",
        encoding="utf-8",
    )
    result = run("codebook", "validate", str(bad), ok=False)
    assert result.exit_code == 1
    assert "bad.yaml:5: code 'a': bad colour 'blue'" in result.output
    assert "bad.yaml:6: code 'a': duplicate id" in result.output
    assert "Traceback" not in result.output


def test_export_qdc_import_back_and_diff(tmp_path):
    book = str(data_dir("codebooks") / "styringstrappe.yaml")
    qdc = tmp_path / "trappe.qdc"
    run("codebook", "export", book, "-o", str(qdc))
    back = tmp_path / "back.yaml"
    run("codebook", "import", str(qdc), "-o", str(back))
    assert "no differences" in run("codebook", "diff", book, str(back)).output
    edited = back.read_text("utf-8").replace("label: Tillidens kant", "label: Kanten")
    (tmp_path / "edited.yaml").write_text(edited, encoding="utf-8")
    diff = run("codebook", "diff", book, str(tmp_path / "edited.yaml")).output
    assert "~ tema.kant  label: Tillidens kant -> Kanten" in diff


def test_new_project_code_list_undo_redo(tmp_path):
    project = str(tmp_path / "p.frisat")
    assert "codebook styringstrappe (27 codes)" in run("new", project).output
    (tmp_path / "k2_leder.txt").write_text(INTERVIEW, encoding="utf-8")
    run("import", project, str(tmp_path / "k2_leder.txt"))
    start = INTERVIEW.index("Vi har")
    end = INTERVIEW.index("dokumentation.") + len("dokumentation")
    out = run(
        "code",
        project,
        "k2_leder",
        "--span",
        f"{start}:{end}",
        "--code",
        "spor.regler",
        "--coder",
        "ann",
    ).output
    assert "Vi har fjernet mange regler om dokumentation" in out
    run(
        "code",
        project,
        "k2_leder",
        "--span",
        f"{start}:{end}",
        "--code",
        "spor.dokumentation",
        "--coder",
        "bob",
    )
    table = run("codings", project, "--csv").output
    rows = list(csv.DictReader(io.StringIO(table)))
    assert list(rows[0]) == ["document", "start", "end", "code", "coder", "origin", "text"]
    assert [(r["code"], r["coder"], r["origin"]) for r in rows] == [
        ("spor.regler", "ann", "manual"),
        ("spor.dokumentation", "bob", "manual"),
    ]
    assert rows[0]["text"] == "Vi har fjernet mange regler om dokumentation"
    only_ann = list(
        csv.DictReader(io.StringIO(run("codings", project, "--csv", "--coder", "ann").output))
    )
    assert len(only_ann) == 1
    spor = run("codings", project, "--code", "spor", "--children").output
    assert spor.count("k2_leder") == 2
    assert "undid: apply spor.regler" in run("undo", project, "--coder", "ann").output
    assert "nothing to undo" in run("undo", project, "--coder", "ann").output
    assert "redid: apply spor.regler" in run("redo", project, "--coder", "ann").output
    assert json.loads(run("info", project, "--json").output)["codings"] == 2


def test_coding_errors_are_one_line(tmp_path):
    project = str(tmp_path / "p.frisat")
    run("new", project)
    (tmp_path / "k.txt").write_text(INTERVIEW, encoding="utf-8")
    run("import", project, str(tmp_path / "k.txt"))
    for args, message in [
        (("--span", "5:3", "--code", "spor.regler"), "outside the document"),
        (("--span", "0:5000", "--code", "spor.regler"), "outside the document"),
        (("--span", "0:5", "--code", "spor.nope"), "no code 'spor.nope'"),
        (("--span", "0:5", "--code", "politiker"), "is a folder"),
        (("--span", "a:b", "--code", "spor.regler"), "START:END"),
    ]:
        result = run("code", project, "k", *args, ok=False)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_codebook_changes_from_the_cli(tmp_path):
    project = str(tmp_path / "p.frisat")
    run("new", project)
    run(
        "codebook",
        "add",
        project,
        "tema.tid",
        "Tid til kerneopgaven",
        "--parent",
        "tema",
        "--color",
        "#336699",
    )
    run("codebook", "rename", project, "tema.tid", "Tid")
    run("codebook", "move", project, "tema.tid", "spor")
    run(
        "codebook",
        "split",
        project,
        "tema.kant",
        "tema.kant_oekonomi=Økonomi",
        "tema.kant_ramme=Savnet ramme",
    )
    run("codebook", "merge", project, "tema.kant_ramme", "tema.kant")
    run("codebook", "retire", project, "tema.tid")
    shown = run("codebook", "show", project).output
    assert "tema.kant_oekonomi  Økonomi  [0]" in shown and "tema.tid" not in shown
    assert "tema.tid" in run("codebook", "show", project, "--retired").output
    history = run("codebook", "history", project).output.splitlines()
    assert "retire code tema.tid" in history[0] and "load codebook styringstrappe" in history[-1]
    bad = run("codebook", "split", project, "tema.kant", "nolabel", ok=False)
    assert bad.exit_code == 1 and "ID=LABEL" in bad.output


def test_load_another_codebook_and_export_project_codebook(tmp_path):
    project = str(tmp_path / "p.frisat")
    run("new", project)
    other = str(data_dir("codebooks") / "faglig_ledelse.yaml")
    out = run("codebook", "load", project, other).output
    assert "Loaded faglig_ledelse" in out
    qdc = tmp_path / "p.qdc"
    run("codebook", "export", project, "-o", str(qdc))
    assert "ramme.retssikkerhed" in qdc.read_text("utf-8")
