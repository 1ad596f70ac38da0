"""`frisat-qual agreement`, `disagreements` and `resolve` on the hand-made agreement project
of test_agreement.py (figures worked out in its docstring)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from test_agreement import DISAGREEMENTS, EXPECTED, EXPECTED_CODED

from frisat_qual.cli import cli
from frisat_qual.store import open_project
from frisat_qual.store.codings import apply_code, query_codings
from frisat_qual.store.documents import document_text, get_document

F, D, K = "leder.forside", "spor.dokumentation", "tema.kant"


@pytest.fixture
def path(agreement_file, tmp_path):
    target = tmp_path / "agreement.frisat"
    shutil.copy(agreement_file, target)
    return str(target)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_agreement_json_has_every_variant_with_the_hand_worked_figures(path):
    result = run("agreement", path, "--coders", "ann", "bob", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["coders"] == ["ann", "bob"]
    assert data["segments"] == 9
    assert data["documents"]["names"] == ["a1", "a2"]
    assert data["documents"]["skipped"] == [{"document": "a3", "coded_by": ["ann"]}]
    for code, (ann, bob, both, neither, percent, kappa, alpha) in EXPECTED.items():
        entry = data["per_code"][code]
        assert entry["only"] == {"ann": ann, "bob": bob}
        assert (entry["all"], entry["neither"], entry["units"]) == (both, neither, 9)
        assert entry["percent"] == round(percent, 2)
        assert entry["kappa"] == round(kappa, 4)
        assert entry["alpha"] == round(alpha, 4)
    assert data["overall"]["kappa"] == round(4 / 7, 4)
    assert data["overall"]["alpha"] == round(584 / 1008, 4)
    assert data["overall"]["percent"] == round(2300 / 27, 2)
    assert data["overall"]["mean_kappa"] == round((8 / 11 + 14 / 23 + 10 / 28) / 3, 4)
    assert data["overall"]["items"] == 27
    assert (data["coded_only"]["segments"], data["coded_only"]["dropped"]) == (7, 2)
    assert data["coded_only"]["per_code"][K]["kappa"] == round(EXPECTED_CODED[K][5], 4)
    assert data["characters"]["characters"] > 0
    assert set(data["characters"]["per_code"]) == {F, D, K}
    # the same with the default pair and with a comma-separated list
    assert json.loads(run("agreement", path, "--json").stdout) == data
    assert json.loads(run("agreement", path, "--coders", "ann,bob", "--json").stdout) == data


def test_agreement_table_and_its_variants(path):
    result = run("agreement", path, "--coders", "ann", "bob")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "ann × bob: 2 document(s) compared; skipped, not coded by all: a3 (ann only)" in out
    assert "9 segments compared (all segments; 7 coded by someone); unit: segment" in out
    assert "at least half of the segment's length" in out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert [c.strip() for c in rows[F].split("│")[3:9]] == ["1", "0", "2", "88.9", "0.727", "0.738"]
    assert [c.strip() for c in rows["overall"].split("│")[3:9]] == [
        "2",
        "2",
        "4",
        "85.2",
        "0.571",
        "0.579",
    ]
    assert "0.564" in rows["mean"]
    coded = run("agreement", path, "--coded-only").stdout
    assert "7 coded segments compared (2 of 9 nobody coded left out)" in coded
    assert "0.300" in coded  # K's kappa without the uncoded segments: 6/20
    chars = run("agreement", path, "--characters").stdout
    assert "characters compared; units are the non-whitespace characters" in chars
    both = run("agreement", path, "--coded-only", "--characters")
    assert both.exit_code == 1 and "not both" in both.output


def test_agreement_errors_are_one_line(path):
    unknown = run("agreement", path, "--coders", "ann", "zed")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: no coder 'zed' in this project (coders: ann, bob)"
    with open_project(path) as project:
        doc = get_document(project, "a1")
        apply_code(project, doc.id, 0, 5, K, "cai")
    three = run("agreement", path)
    assert three.exit_code == 1
    assert three.output.strip() == (
        "Error: name the coders to compare; this project's coders are ann, bob, cai"
    )
    stray = run("agreement", path, "ann")
    assert stray.exit_code == 2 and "unexpected argument" in stray.output


def test_three_coders_get_a_pairwise_kappa_table(path):
    with open_project(path) as project:
        for name, phrase, code in [
            ("a1", "Vi mødes oftere.", F),
            ("a2", "Det er svært at slippe kontrollen.", K),
        ]:
            doc = get_document(project, name)
            start = document_text(project, doc.id).index(phrase)
            apply_code(project, doc.id, start, start + len(phrase), code, "cai")
    result = run("agreement", path, "--coders", "ann", "bob", "cai")
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa per pair of coders" in result.stdout
    assert "ann × bob" in result.stdout and "bob × cai" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "┃ code" in line)
    assert [h.strip() for h in header.strip("┃ ").split("┃")][2:7] == [
        "ann only",
        "bob only",
        "cai only",
        "some",
        "all",
    ]
    assert "'some' counts units coded by more than one coder but not by all" in result.stdout
    assert "percent is the mean over the pairs of coders" in result.stdout
    data = json.loads(run("agreement", path, "--coders", "ann", "bob", "cai", "--json").stdout)
    assert data["per_code"][F]["kappa"] is None
    assert data["per_code"][F]["pairs"][0] == {
        "coders": ["ann", "bob"],
        "percent": round(800 / 9, 2),
        "kappa": round(8 / 11, 4),
    }


def test_disagreements_then_resolve_then_undo(path):
    listed = run("disagreements", path, "--coders", "ann", "bob")
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.splitlines()
    assert [line.split("\t")[0] for line in lines] == [i for i, _ in DISAGREEMENTS]
    assert lines[0].split("\t")[1:3] == ["ann only", "unresolved"]
    assert "4 disagreement(s), 0 resolved" in listed.stderr

    done = run(
        "resolve", path, "a1:3:tema.kant", "keep-b", "--coders", "ann", "bob", "--coder", "eve"
    )
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("a1:3:tema.kant: keep bob (consensus codes it here: coding ")
    talk = run(
        "resolve", path, "a2:2:leder.forside", "discuss", "--memo", "forside?", "--coder", "eve"
    )
    assert talk.stdout.strip() == (
        "a2:2:leder.forside: discuss (consensus has no coding of leder.forside from this decision)"
    )

    data = json.loads(run("disagreements", path, "--json").stdout)
    by_id = {d["id"]: d for d in data}
    assert by_id["a1:3:tema.kant"]["resolution"]["decision"] == "keep-b"
    assert by_id["a1:3:tema.kant"]["resolution"]["kept"] == ["bob"]
    assert by_id["a1:3:tema.kant"]["has"] == ["bob"]
    assert by_id["a2:2:leder.forside"]["resolution"]["memo"].endswith(": forside?")
    assert by_id["a1:2:tema.kant"]["resolution"] is None
    assert by_id["a1:2:tema.kant"]["text"] == "Vi mødes oftere."
    assert len(by_id["a1:2:tema.kant"]["codings"]["ann"]) == 1
    unresolved = run("disagreements", path, "--unresolved").stdout.splitlines()
    assert [line.split("\t")[0] for line in unresolved] == [
        "a1:2:tema.kant",
        "a2:1:spor.dokumentation",
    ]
    shown = run("disagreements", path, "--code", K).stdout.splitlines()
    assert shown[1].split("\t")[2] == "keep bob"

    # the consensus coder compares like anyone; the original figures do not move
    versus = json.loads(run("agreement", path, "--coders", "bob", "consensus", "--json").stdout)
    assert versus["documents"]["names"] == ["a1"]
    assert versus["per_code"][K]["all"] == 1
    assert json.loads(run("agreement", path, "--json").stdout)["per_code"][K]["kappa"] == round(
        10 / 28, 4
    )

    undone = run("undo", path, "--coder", "eve")
    assert undone.exit_code == 0 and "resolve a2:2:leder.forside (discuss)" in undone.stdout
    with open_project(path) as project:
        assert [c.code_id for c in query_codings(project, coder="consensus")] == [K]
        assert project.conn.execute("SELECT COUNT(*) FROM resolutions").fetchone()[0] == 1


def test_resolve_errors_are_one_line(path):
    bad = run("resolve", path, "a1-2", "keep-a")
    assert bad.exit_code == 1
    assert bad.output.strip().startswith("Error: 'a1-2' is not a disagreement id")
    agree = run("resolve", path, "a1:2:leder.forside", "keep-a", "--coder", "eve")
    assert (
        agree.output.strip()
        == "Error: a1:2:leder.forside: ann and bob agree here (both coded leder.forside)"
    )
    talk = run("resolve", path, "a1:2:tema.kant", "discuss", "--coder", "eve")
    assert talk.output.strip() == "Error: discuss needs a memo saying what to discuss"
    same = run("resolve", path, "a1:2:tema.kant", "keep-a", "--consensus", "bob")
    assert same.exit_code == 1 and "someone other than ann and bob" in same.output
    choice = run("resolve", path, "a1:2:tema.kant", "keep")
    assert choice.exit_code == 2
    with open_project(path) as project:
        assert project.conn.execute("SELECT COUNT(*) FROM resolutions").fetchone()[0] == 0


def test_consensus_adopts_the_agreements_then_resolving_completes_it(path):
    from test_agreement import AGREED_BY_ANN, consensus_texts

    result = run("consensus", path, "--coders", "ann", "bob", "--coder", "eve")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ann × bob into consensus: 2 document(s), 1 coded by one of them only (skipped)",
        "agreed (segment, code) units: 4",
        "adopted now: 4 (4 coding(s) of ann copied, 0 already held by consensus)",
        "settled before: 0",
        "disagreements unresolved: 4",
    ]
    with open_project(path) as project:
        assert consensus_texts(project) == sorted(AGREED_BY_ANN)
    again = run("consensus", path, "--coder", "eve").stdout.splitlines()
    assert again[2:] == [
        "adopted now: 0 (0 coding(s) of ann copied, 0 already held by consensus)",
        "settled before: 4",
        "disagreements unresolved: 4",
    ]

    # the default pair still works: the consensus coder is not a third coder
    for ident, decision in [
        ("a1:2:tema.kant", "keep-a"),
        ("a1:3:tema.kant", "keep-b"),
        ("a2:1:spor.dokumentation", "keep-a"),
        ("a2:2:leder.forside", "keep-a"),
    ]:
        done = run("resolve", path, ident, decision, "--coder", "eve")
        assert done.exit_code == 0, done.output
    unresolved = run("disagreements", path, "--unresolved")
    assert unresolved.exit_code == 0, unresolved.output
    assert unresolved.stdout == "" and "0 disagreement(s), 0 resolved" in unresolved.stderr
    versus = run("agreement", path, "--coders", "ann", "consensus", "--json")
    assert versus.exit_code == 0, versus.output
    data = json.loads(versus.stdout)
    assert data["documents"]["names"] == ["a1", "a2"]
    assert {c: data["per_code"][c]["kappa"] for c in (F, D)} == {F: 1.0, D: 1.0}
    assert data["per_code"][K]["only"] == {"ann": 0, "consensus": 1}  # keep-b on a1/3
    assert data["per_code"][K]["kappa"] == round(8 / 11, 4)
    final = run("consensus", path, "--coder", "eve").stdout.splitlines()
    assert final[-1] == "disagreements unresolved: 0"


def test_consensus_with_filters_and_undo(path):
    result = run(
        "consensus", path, "--coders", "bob,ann", "--consensus", "panel", "--code", K,
        "--attr", "kommune=kommune 2", "--coder", "eve",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "bob × ann into panel: 1 document(s), 1 coded by one of them only (skipped)",  # a3
        "agreed (segment, code) units: 1",
        "adopted now: 1 (1 coding(s) of bob copied, 0 already held by panel)",
    ]
    with open_project(path) as project:
        assert [c.code_id for c in query_codings(project, coder="panel")] == [K]
    undone = run("undo", path, "--coder", "eve")
    assert undone.exit_code == 0, undone.output
    assert "adopt what bob and ann agree on into panel" in undone.stdout
    with open_project(path) as project:
        assert query_codings(project, coder="panel") == []
        assert project.conn.execute("SELECT COUNT(*) FROM resolutions").fetchone()[0] == 0


def test_consensus_errors_are_one_line(path):
    same = run("consensus", path, "--consensus", "ann")
    assert same.exit_code == 1
    assert same.output.strip() == (
        "Error: the consensus coder must be someone other than ann and bob, not 'ann'"
    )
    code = run("consensus", path, "--code", "nope")
    assert code.output.strip() == "Error: no code 'nope' in the project's codebook"
    nobody = run("consensus", path, "--coders", "ann", "zed")
    assert nobody.output.strip() == "Error: no coder 'zed' in this project (coders: ann, bob)"
    attr = run("consensus", path, "--attr", "kommune")
    assert (
        attr.exit_code == 1 and attr.output.strip() == "Error: --attr 'kommune': write NAME=VALUE"
    )
    run("consensus", path, "--coder", "eve")
    other = run("consensus", path, "--consensus", "panel", "--coder", "eve")
    assert other.exit_code == 1
    assert other.output.strip() == (
        "Error: ann and bob's decisions go to consensus coder 'consensus', not 'panel'; decide"
        " into 'consensus' (--consensus consensus), so that one consensus coder holds the"
        " pair's whole consensus"
    )
    with open_project(path) as project:
        assert query_codings(project, coder="panel") == []


# -- the consensus coder: hand-made codings, typos, pairs sharing it, removed codings ----


def _code_by_hand(path, document, phrase, code, coder):
    with open_project(path) as project:
        doc = get_document(project, document)
        start = document_text(project, doc.id).index(phrase)
        return apply_code(project, doc.id, start, start + len(phrase), code, coder).id


def test_resolve_names_a_consensus_coding_no_decision_made(path):
    """bob alone coded K on a1/3; the consensus coder coded it there by hand too. keep ann
    (no K) cannot be read as "the consensus has no K here": the hand-made coding stays,
    and the command says so."""
    by_hand = _code_by_hand(path, "a1", "mere frihed", K, "consensus")
    done = run("resolve", path, "a1:3:tema.kant", "keep-a", "--coders", "ann", "bob")
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "a1:3:tema.kant: keep ann (consensus has no coding of tema.kant from this decision)\n"
    )
    assert done.stderr == (
        f"note: consensus also has coding {by_hand} of tema.kant here, which no decision made"
        f" (coded by hand or imported); it stays: remove it with `frisat-qual uncode {path}"
        " ID` if the decision stands\n"
    )
    with open_project(path) as project:
        assert by_hand in [c.id for c in query_codings(project, coder="consensus")]


def test_resolve_refuses_a_second_consensus_coder_for_a_pair(path):
    assert run("resolve", path, "a1:3:tema.kant", "keep-b").exit_code == 0
    typo = run("resolve", path, "a1:2:tema.kant", "keep-a", "--consensus", "consenus")
    assert typo.exit_code == 1
    assert typo.output == (
        "Error: ann and bob's decisions go to consensus coder 'consensus', not 'consenus';"
        " decide into 'consensus' (--consensus consensus), so that one consensus coder holds"
        " the pair's whole consensus\n"
    )
    with open_project(path) as project:
        assert query_codings(project, coder="consenus") == []


def test_a_consensus_coder_shared_by_two_pairs_is_noted(path):
    for phrase, code in [("Vi mødes oftere.", F), ("Vi skriver færre rapporter.", D)]:
        _code_by_hand(path, "a1", phrase, code, "cid")
    first = run("resolve", path, "a1:2:tema.kant", "keep-a", "--coders", "ann", "cid")
    assert first.exit_code == 0 and first.stderr == ""
    second = run("resolve", path, "a1:2:tema.kant", "keep-a", "--coders", "ann", "bob")
    assert second.exit_code == 0
    assert second.stderr.startswith(
        "note: consensus coder 'consensus' also holds decisions of ann × cid; where two pairs"
        " decide one segment it has the code if either decision keeps it"
    )
    adopted = run("consensus", path, "--coders", "ann", "bob")
    assert "also holds decisions of ann × cid" in adopted.stderr


def test_check_warns_of_a_decision_whose_consensus_coding_was_removed(path):
    done = run("resolve", path, "a1:3:tema.kant", "keep-b")
    (kept,) = [int(i) for i in done.stdout.split("coding ")[-1].rstrip(")\n").split(", ")]
    assert "No problems found" in run("check", path).stdout
    assert run("uncode", path, str(kept)).exit_code == 0
    checked = run("check", path)
    assert checked.exit_code == 0, checked.output  # a warning: the codings are intact
    assert (
        "1 decision on a disagreement keeps consensus codings that were removed since"
        " (document 'a1' tema.kant)" in checked.output
    )
    assert "Resolve those disagreements again" in checked.output
    run("resolve", path, "a1:3:tema.kant", "keep-b")  # resolving again mends it
    assert "No problems found" in run("check", path).stdout


def test_agreement_on_a_one_coder_project_says_what_to_do(demo_project_path):
    result = run("agreement", str(demo_project_path))
    assert result.exit_code == 1
    assert result.output == (
        "Error: only reference has coded in this project: agreement compares two or more"
        " coders (merge another coder's copy in with `frisat-qual merge`)\n"
    )
