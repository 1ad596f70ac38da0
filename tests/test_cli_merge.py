"""`frisat-qual merge A B -o OUT [--json]` through click's CliRunner, on two small projects of
the same texts: ann codes A, bob codes B and renames a code there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from handmade import import_and_code
from test_merge import ANN, BOB, MANIFEST, TEXTS, coded

from frisat_qual.cli import cli
from frisat_qual.codebook.manage import rename_code
from frisat_qual.store import create_project, open_project
from frisat_qual.store.documents import list_documents, segments_of


def run(*args: object, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli_merge")
    paths = []
    for who, codings in (("ann", ANN), ("bob", BOB)):
        (root / who).mkdir()
        path = root / who / f"{who}.frisat"
        with create_project(path) as project:
            import_and_code(project, root / who, TEXTS, MANIFEST, codings)
            if who == "bob":
                rename_code(project, "leder.forside", "Leder: forsiden", coder="bob")
        paths.append(path)
    return paths[0], paths[1]


def test_merge_prints_the_report_as_tables(pair, tmp_path):
    a, b = pair
    out = tmp_path / "out.frisat"
    result = run("merge", a, b, "-o", out)
    text = result.output
    assert "merged ann.frisat (A) and bob.frisat (B)" in text
    for title in ("Rows by origin", "Codings by coder", "Conflicts (1)"):
        assert title in text
    conflict = next(line for line in text.splitlines() if "leder.forside" in line)
    assert "label" in conflict and "Leder: forsiden" in conflict and "A's kept" in conflict
    row = next(line for line in text.splitlines() if line.startswith("│ codings "))
    assert [cell.strip() for cell in row.split("│")[1:-1]] == ["codings", "4", "4", "0", "8"]
    assert coded(out) == coded(a) | coded(b)


def test_merge_json_report(pair, tmp_path):
    a, b = pair
    out = tmp_path / "out.frisat"
    result = run("merge", a, b, "-o", out, "--json")
    data = json.loads(result.stdout)
    assert data["counts"]["codings"] == {"from_a": 4, "from_b": 4, "both": 0, "total": 8}
    assert data["counts"]["documents"] == {"from_a": 0, "from_b": 0, "both": 3, "total": 3}
    assert data["coders"] == {
        "ann": {"a": 4, "b": 0, "both": 0, "left_out": 0, "total": 4},
        "bob": {"a": 0, "b": 4, "both": 0, "left_out": 0, "total": 4},
    }
    (conflict,) = data["conflicts"]
    assert {k: conflict[k] for k in ("kind", "subject", "field", "b")} == {
        "kind": "code",
        "subject": "leder.forside",
        "field": "label",
        "b": "Leder: forsiden",
    }
    assert data["merge_memos"] == 1
    with open_project(out) as project:
        assert len(list_documents(project)) == 3


def test_the_merged_project_compares_the_two_coders(pair, tmp_path):
    a, b = pair
    out = tmp_path / "out.frisat"
    run("merge", a, b, "-o", out, "--json")
    data = json.loads(run("agreement", out, "--coders", "ann", "bob", "--json").stdout)
    with open_project(out) as project:
        segments = sum(len(segments_of(project, d.id)) for d in list_documents(project))
    assert data["segments"] == segments
    # ann and bob coded the same sentence with leder.bagside and nothing else with it
    assert data["per_code"]["leder.bagside"]["percent"] == 100
    assert data["per_code"]["leder.bagside"]["kappa"] == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("out exists", "exists already"),
        ("b missing", "no such project file"),
        ("same file", "same file"),
        ("not a project", "not a frisat-qual project"),
    ],
)
def test_merge_errors_are_one_line(pair, tmp_path, case, message):
    a, b = pair
    out = tmp_path / "out.frisat"
    if case == "out exists":
        out.write_text("", encoding="utf-8")
    elif case == "b missing":
        b = tmp_path / "nothing.frisat"
    elif case == "same file":
        b = a
    else:
        b = tmp_path / "notes.txt"
        b.write_text("ingen projekt her\n", encoding="utf-8")
    result = run("merge", a, b, "-o", out, ok=False)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.strip().count("\n") == 0
    assert out.exists() == (case == "out exists")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
