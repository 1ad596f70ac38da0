"""The command line, through click's runner and (for the console script) a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from frisat_qual.cli import cli
from frisat_qual.store import open_project

INTERVIEW = (
    "Interviewer: Hvad betyder frisættelsen for dig?\n\n"
    "Informant: Vi bruger mindre tid på skemaer. Til gengæld taler vi mere sammen.\n\n"
    "Interviewer: Og hvad med politikerne?\n\n"
    "Informant: De kommer ud og besøger os i stedet for at bede om rapporter.\n"
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_new_import_info_json(tmp_path):
    project = tmp_path / "p.frisat"
    assert run("new", str(project)).exit_code == 0
    assert "exists already" in run("new", str(project)).output
    (tmp_path / "k1_leder.txt").write_text(INTERVIEW, encoding="utf-8")
    result = run("import", str(project), str(tmp_path / "k1_leder.txt"))
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    info = json.loads(run("info", str(project), "--json").output)
    assert info["documents"] == 1 and info["turns"] == 4 and info["segments"] == 5
    assert info["cases"] == 1 and info["words"] > 30


def test_import_bad_files_one_line_each_and_exit_1(tmp_path):
    project = tmp_path / "p.frisat"
    run("new", str(project))
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(INTERVIEW, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")
    result = CliRunner().invoke(cli, ["import", str(project), str(src), str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any("empty.txt" in e for e in errors) and any("notes.pdf" in e for e in errors)
    assert any("nope.txt" in e and "no such file" in e for e in errors)
    assert "Traceback" not in result.output
    info = json.loads(run("info", str(project), "--json").output)
    assert info["documents"] == 1


def test_bad_manifest_is_one_line_error(tmp_path):
    project = tmp_path / "p.frisat"
    run("new", str(project))
    (tmp_path / "a.txt").write_text(INTERVIEW, encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,rolle\na.txt,præst\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["import", str(project), str(tmp_path / "a.txt"), "--manifest", str(manifest)]
    )
    assert result.exit_code == 1
    assert "m.csv line 2" in result.output and len(result.output.strip().splitlines()) == 1


def test_audit_json_on_files_and_project(tmp_path):
    text = INTERVIEW.replace("politikerne?", "politikerne? Ring til Jens Hansen på 22 33 44 55.")
    path = tmp_path / "k2.txt"
    path.write_text(text, encoding="utf-8")
    findings = json.loads(run("audit", str(path), "--json").output)
    kinds = {f["kind"] for f in findings}
    assert "phone" in kinds and ({"person"} & kinds)
    for f in findings:
        assert set(f) == {"document", "start", "end", "text", "kind", "reason"}
        assert text.replace("\r\n", "\n")[f["start"] : f["end"]] == f["text"]
    project = tmp_path / "p.frisat"
    run("new", str(project))
    run("import", str(project), str(path))
    from_project = json.loads(run("audit", str(project), "--json").output)
    assert {(f["text"], f["kind"]) for f in from_project} == {
        (f["text"], f["kind"]) for f in findings
    }
    allowed = json.loads(run("audit", str(path), "--json", "--allow", "Jens Hansen").output)
    assert not any("Jens" in f["text"] for f in allowed)
    # the project's own allow-list, kept with --remember
    run("audit", str(project), "--allow", "Jens Hansen", "--remember")
    remembered = json.loads(run("audit", str(project), "--json").output)
    assert not any("Jens" in f["text"] for f in remembered) and remembered


def test_pseudonymise_cli_writes_private_key(tmp_path):
    project = tmp_path / "p.frisat"
    run("new", str(project))
    path = tmp_path / "k3.txt"
    path.write_text(INTERVIEW.replace("skemaer.", "skemaer hos Karen Nielsen."), encoding="utf-8")
    key = tmp_path / "keys" / "key.json"
    key.parent.mkdir()
    result = run("import", str(project), str(path), "--pseudonymise", str(key))
    assert result.exit_code == 0, result.output
    assert key.stat().st_mode & 0o777 == 0o600
    assert "karen nielsen" in key.read_text("utf-8").lower()
    bad = CliRunner().invoke(
        cli, ["import", str(project), str(path), "--pseudonymise", str(project)]
    )
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_speakers_lists_and_sets_interviewer(tmp_path):
    project = tmp_path / "p.frisat"
    run("new", str(project))
    (tmp_path / "k4.txt").write_text(INTERVIEW, encoding="utf-8")
    run("import", str(project), str(tmp_path / "k4.txt"))
    out = run("speakers", str(project), "k4").output
    assert "Interviewer\tinterviewer" in out and "Informant\tinformant" in out
    out = run("speakers", str(project), "k4", "--interviewer", "Informant").output
    assert "Informant\tinterviewer" in out
    bad = CliRunner().invoke(cli, ["speakers", str(project), "k4", "--interviewer", "Nobody"])
    assert bad.exit_code == 1 and "Nobody" in bad.output


def test_demo_command_creates_then_reuses(tmp_path):
    target = tmp_path / "d.frisat"
    first = run("demo", "--path", str(target))
    assert first.exit_code == 0 and Path(first.output.strip()) == target
    mtime = target.stat().st_mtime_ns
    again = run("demo", "--path", str(target))
    assert Path(again.output.strip()) == target and target.stat().st_mtime_ns == mtime
    info = json.loads(run("info", str(target), "--json").output)
    (wave,) = json.loads(run("survey", "waves", str(target), "--json").output)
    with open_project(target) as project:
        comments = project.conn.execute(
            "SELECT COUNT(*) FROM documents WHERE format = 'survey-comment'"
        ).fetchone()[0]
    # the 32 interviews, and the survey's respondents with their comments
    assert info["documents"] == 32 + comments and info["cases"] == 32 + wave["respondents"]


def test_console_script_entry_point_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "frisat_qual", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("new", "import", "audit", "info", "demo", "speakers"):
        assert command in result.stdout


def test_opening_a_missing_project_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, [str(tmp_path / "nope.frisat")])
    assert result.exit_code == 1 and "no such project file" in result.output


def test_gold_for_an_unknown_coder_names_the_coders(demo_project_path, tmp_path):
    gold = tmp_path / "g.csv"
    result = run("gold", str(demo_project_path), "--coder", "consensu", "-o", str(gold))
    assert result.exit_code == 1 and not gold.exists()
    assert result.output == "Error: demo.frisat: no coder named 'consensu' (coders: reference)\n"
    # a typo beside a right name is refused too, not quietly dropped
    both = run(
        "gold",
        str(demo_project_path),
        "--coder",
        "reference",
        "--coder",
        "refrence",
        "-o",
        str(gold),
    )
    assert both.exit_code == 1 and not gold.exists()
    assert both.output == "Error: demo.frisat: no coder named 'refrence' (coders: reference)\n"
