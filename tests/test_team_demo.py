"""Issue 8's "done when" on the demo: the reference coder's demo project and the second
coder's copy merge into one team project, and the agreement figures frisat-qual reports for
them equal an independent computation made here from the raw project file with plain SQL,
scikit-learn's Cohen's kappa and the `krippendorff` package.

The independent side reimplements only the documented unit rule (see frisat_qual.agreement):
segments of the documents both coders coded; a coder applied a code to a segment when one of
their codings of it overlaps the segment by at least half of the segment or of the coding.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from frisat_qual.cli import cli
from frisat_qual.demo import ensure_demo_project

A, B = "reference", "second"


def run(*args: object) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def team(tmp_path_factory, demo_project_path) -> Path:
    folder = tmp_path_factory.mktemp("team")
    second = ensure_demo_project(folder / "second.frisat", variant="second")
    out = folder / "team.frisat"
    run("merge", demo_project_path, second, "-o", out)
    return out


def independent_decisions(path: Path) -> tuple[list[str], dict[str, np.ndarray], int]:
    """Per code, a (2, segments) 0/1 matrix for (A, B), computed straight from the file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    codings = conn.execute(
        'SELECT c.document_id, c.start, c."end", c.code_id, c.coder FROM codings c'
        " JOIN documents d ON d.id = c.document_id WHERE d.is_current = 1 AND c.coder IN (?, ?)",
        [A, B],
    ).fetchall()
    docs = {coder: {c[0] for c in codings if c[4] == coder} for coder in (A, B)}
    shared = sorted(docs[A] & docs[B])
    codes = sorted({c[3] for c in codings if c[0] in shared})
    by_doc: dict[int, list[tuple]] = defaultdict(list)
    for c in codings:
        by_doc[c[0]].append(c)
    rows: dict[str, list[list[int]]] = {code: [[], []] for code in codes}
    n = 0
    for doc in shared:
        segments = conn.execute(
            'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY idx', [doc]
        ).fetchall()
        for s_start, s_end in segments:
            n += 1
            applied = {A: set(), B: set()}
            for _, start, end, code, coder in by_doc[doc]:
                overlap = min(s_end, end) - max(s_start, start)
                if overlap > 0 and (2 * overlap >= s_end - s_start or 2 * overlap >= end - start):
                    applied[coder].add(code)
            for code in codes:
                rows[code][0].append(int(code in applied[A]))
                rows[code][1].append(int(code in applied[B]))
    conn.close()
    return codes, {code: np.array(v) for code, v in rows.items()}, n


def test_the_two_demo_projects_merge_with_both_coders(team):
    conn = sqlite3.connect(f"file:{team}?mode=ro", uri=True)
    counts = dict(conn.execute("SELECT coder, count(*) FROM codings GROUP BY coder"))
    conn.close()
    reference = Path(__file__).parents[1] / "corpora" / "demo"
    expected_a = len((reference / "reference_coding.csv").read_text("utf-8").splitlines()) - 1
    expected_b = len((reference / "second_coding.csv").read_text("utf-8").splitlines()) - 1
    assert counts == {A: expected_a, B: expected_b}


def test_agreement_matches_an_independent_computation(team):
    report = json.loads(run("agreement", team, "--coders", A, B, "--json"))
    codes, decisions, segments = independent_decisions(team)
    assert report["segments"] == segments
    assert sorted(report["per_code"]) == codes
    for code in codes:
        a, b = decisions[code]
        ours = report["per_code"][code]
        assert ours["percent"] == pytest.approx(100 * np.mean(a == b), abs=0.006), code
        if len(set(a) | set(b)) > 1:
            assert ours["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=6e-5), code
            expected = krippendorff.alpha(
                reliability_data=np.vstack([a, b]).astype(float),
                level_of_measurement="nominal",
            )
            assert ours["alpha"] == pytest.approx(expected, abs=6e-5), code
    pooled_a = np.concatenate([decisions[c][0] for c in codes])
    pooled_b = np.concatenate([decisions[c][1] for c in codes])
    overall = report["overall"]
    assert overall["kappa"] == pytest.approx(cohen_kappa_score(pooled_a, pooled_b), abs=6e-5)
    assert overall["alpha"] == pytest.approx(
        krippendorff.alpha(
            reliability_data=np.vstack([pooled_a, pooled_b]).astype(float),
            level_of_measurement="nominal",
        ),
        abs=6e-5,
    )
    assert overall["percent"] == pytest.approx(100 * np.mean(pooled_a == pooled_b), abs=0.006)
    # a realistic double coding: agreement well above chance, well below identity
    assert 0.5 < overall["kappa"] < 0.8


def test_a_damaged_copy_does_not_merge_and_nothing_is_written(team, tmp_path):
    """A coder's copy damaged on disk: one line naming the files, and no OUT left behind."""
    damaged = tmp_path / "b.frisat"
    shutil.copy(team, damaged)
    conn = sqlite3.connect(f"file:{team}?mode=ro", uri=True)
    page = conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'codings' AND pagetype = 'leaf' LIMIT 1"
    ).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(damaged, "r+b") as fh:
        fh.seek(size * (page - 1) + 8)
        fh.write(b"\xff" * 64)
    result = CliRunner().invoke(
        cli, ["merge", str(team), str(damaged), "-o", str(tmp_path / "o.frisat")]
    )
    assert result.exit_code == 1
    assert "b.frisat is damaged" in result.output and "frisat-qual check" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.frisat"]


def test_the_export_names_what_it_leaves_out_and_no_login(team, tmp_path, monkeypatch):
    """After the consensus step, the .qdpx says the resolutions stay behind; its users are
    the coders, never the machine's login name when no coder name was chosen."""
    monkeypatch.delenv("FRISAT_QUAL_CODER", raising=False)
    copy = tmp_path / "team.frisat"
    shutil.copy(team, copy)
    run("consensus", copy, "--coders", A, B, "--coder", A)
    out = run("exchange", "export", copy, "-o", tmp_path / "team.qdpx")
    assert (
        "536 unit(s) settled with `resolve` or `consensus` (decisions on disagreements and"
        " adopted agreements; REFI-QDA has no place for them); the codings of consensus"
        " coder consensus are exported as an ordinary coder's"
    ) in " ".join(out.split())
    # with only the two coders chosen, the consensus codings are not said to be exported
    only = run("exchange", "export", copy, "-o", tmp_path / "two.qdpx", "--coder", A, "--coder", B)
    assert "no consensus coder's codings are exported" in " ".join(only.split())
    with zipfile.ZipFile(tmp_path / "team.qdpx") as archive:
        root = ET.fromstring(archive.read("project.qde"))
    users = {u.get("name") for u in root.iter("{urn:QDA-XML:project:1.0}User")}
    assert users == {A, B, "consensus"}
