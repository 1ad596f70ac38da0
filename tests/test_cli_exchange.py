"""`frisat-qual exchange export|import`: a REFI-QDA round trip from the command line, the
summary of counts and of what did not map, and one-line errors for bad archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.store import create_project, open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import document_text, get_document

VENDORS = Path(__file__).parent / "data" / "qdpx"
INTERVIEW = (
    "I: Hvad har frisættelsen betydet på Ærø?\n\n"
    "R: Vi har fjernet mange regler om dokumentation. Nu taler vi sammen i stedet 🙂.\n"
)


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def small(tmp_path, monkeypatch) -> Path:
    """A project with one interview coded by two coders."""
    monkeypatch.setenv("FRISAT_QUAL_CODER", "tester")
    (tmp_path / "k2_leder.txt").write_text(INTERVIEW, encoding="utf-8")
    path = tmp_path / "small.frisat"
    with create_project(path) as project:
        load_into_project(project, default_codebook())
        assert import_transcripts(project, [tmp_path / "k2_leder.txt"]).ok
        doc = get_document(project, "k2_leder")
        text = document_text(project, doc.id)
        for phrase, code, coder in (
            ("Vi har fjernet mange regler om dokumentation.", "spor.regler", "ann"),
            ("Nu taler vi sammen i stedet 🙂.", "leder.bagside", "bob"),
        ):
            start = text.index(phrase)
            apply_code(project, doc.id, start, start + len(phrase), code, coder)
    return path


def test_export_then_import_from_the_command_line(small, tmp_path):
    out = tmp_path / "small.qdpx"
    result = run("exchange", "export", str(small), "-o", str(out))
    assert (
        f"wrote {out}: 3 users, 27 codes, 1 documents, 2 selections, 2 codings, 1 cases,"
        " 0 variables, 0 memos" in result.stdout
    )
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist()[0] == "project.qde" and len(archive.namelist()) == 2
        assert b'name="tester"' in archive.read("project.qde")  # who exported it
    back = tmp_path / "back.frisat"
    result = run("exchange", "import", str(out), "-o", str(back))
    assert f"created {back} (made by frisat-qual " in result.stdout
    assert "1 documents, 27 codes, 2 codings, 2 coders, 1 cases, 0 memos" in result.stdout
    assert "not imported" not in result.stdout
    with open_project(small) as a, open_project(back) as b:
        spans = [[(c.start, c.end, c.code_id, c.coder) for c in query_codings(p)] for p in (a, b)]
    assert spans[0] == spans[1]


def test_export_of_one_coder_and_refusing_to_overwrite(small, tmp_path):
    out = tmp_path / "ann.qdpx"
    result = run("exchange", "export", str(small), "-o", str(out), "--coder", "ann")
    assert "2 users" in result.stdout and "1 codings" in result.stdout
    assert "only the codings of ann: 1 of 2" in result.stdout
    again = run("exchange", "export", str(small), "-o", str(out), ok=False)
    assert again.exit_code == 1 and "exists already" in again.output
    run("exchange", "export", str(small), "-o", str(out), "--force")
    nobody = run(
        "exchange", "export", str(small), "-o", str(out), "--coder", "eve", "--force", ok=False
    )
    assert nobody.exit_code == 1 and "no codings by eve" in nobody.output


def test_import_lists_what_did_not_map(tmp_path):
    archive = tmp_path / "maxqda.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((VENDORS / "maxqda").rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(VENDORS / "maxqda").as_posix())
    result = run("exchange", "import", str(archive), "-o", str(tmp_path / "m.frisat"))
    lines = result.stdout.splitlines()
    assert "not imported:" in lines and "notes:" in lines
    assert (
        "  PDF source 'Kvalitetsstandard.pdf': PDF sources are not imported"
        " (project.qde line 54)" in lines
    )
    assert "  Interview ældre 1: selection without a coding (project.qde line 43)" in lines


def _archive(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    return path


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (None, "bad.qdpx: not a .qdpx file (not a ZIP archive)"),
        ({"sources/x.txt": "Hej"}, "bad.qdpx: no project.qde in the archive"),
        (
            {"project.qde": '<?xml version="1.0"?>\n<Project name="x">\n<Users>\n</Project>'},
            "bad.qdpx: project.qde line 4: not well-formed XML",
        ),
    ],
)
def test_import_errors_are_one_line(tmp_path, entries, message):
    bad = tmp_path / "bad.qdpx"
    if entries is None:
        bad.write_bytes(b"this is no zip")
    else:
        _archive(bad, entries)
    target = tmp_path / "new.frisat"
    result = run("exchange", "import", str(bad), "-o", str(target), ok=False)
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: {message}"), result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not target.exists()


def test_an_entry_compressed_with_deflate64_is_a_one_line_error(small, tmp_path):
    # what Windows Explorer writes for large files ("Send to > Compressed folder")
    out = tmp_path / "small.qdpx"
    run("exchange", "export", str(small), "-o", str(out))
    with zipfile.ZipFile(out) as archive:
        last = archive.infolist()[-1]
    data = bytearray(out.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    for method in (last.header_offset + 8, central + 10):
        data[method : method + 2] = (9).to_bytes(2, "little")
    out.write_bytes(bytes(data))
    result = run("exchange", "import", str(out), "-o", str(tmp_path / "new.frisat"), ok=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: small.qdpx: {last.filename}: compressed with Deflate64")


def test_import_refuses_an_existing_project(small, tmp_path):
    out = tmp_path / "small.qdpx"
    run("exchange", "export", str(small), "-o", str(out))
    result = run("exchange", "import", str(out), "-o", str(small), ok=False)
    assert result.exit_code == 1 and "exists already" in result.output


def test_exchange_group_is_documented():
    result = run("exchange", "--help")
    assert "export" in result.stdout and "import" in result.stdout and "REFI-QDA" in result.stdout
