"""The demo's second coding: a clean double coding of kommune 1-2, and the demo variant
(the second coder's copy) that holds it, next to an unchanged reference demo."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from frisat_qual import demo
from frisat_qual.cli import cli
from frisat_qual.codebook.manage import default_codebook
from frisat_qual.demo import (
    REFERENCE_CODER,
    SECOND_CODER,
    SECOND_CODING,
    TITLE,
    default_demo_path,
    ensure_demo_project,
)
from frisat_qual.errors import FrisatError
from frisat_qual.exchange.codings_csv import on_word_boundaries
from frisat_qual.models import INFORMANT
from frisat_qual.store import open_project
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import coder_names, query_codings
from frisat_qual.store.documents import document_text, list_documents, segments_of, turns_of
from frisat_qual.store.settings import get_setting
from frisat_qual.store.survey import list_respondents, list_waves

DOUBLE_CODED = {
    f"k{k}_{role}"
    for k in (1, 2)
    for role in ("borger", "forvaltning", "leder", "medarbejder", "politiker")
}


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def second_rows(demo_dir) -> list[dict[str, str]]:
    return read_rows(demo_dir / SECOND_CODING)


@pytest.fixture(scope="module")
def second_path(tmp_path_factory) -> Path:
    """The second coder's copy, built once through the CLI (read-only use)."""
    target = tmp_path_factory.mktemp("second") / "b.frisat"
    result = CliRunner().invoke(cli, ["demo", "--second-coder", "--path", str(target)])
    assert result.exit_code == 0, result.output
    assert Path(result.output.strip()) == target
    return target


def test_second_coding_covers_the_ten_interviews_with_codable_codes(second_rows):
    assert list(second_rows[0]) == ["document", "start", "end", "code"]
    per_document = Counter(r["document"] for r in second_rows)
    assert set(per_document) == DOUBLE_CODED
    assert all(15 <= n <= 40 for n in per_document.values()), per_document
    codable = {c.id for c in default_codebook().codes if c.codable}
    used = Counter(r["code"] for r in second_rows)
    assert set(used) == codable, "every codable code is used, and nothing else"
    keys = [(r["document"], r["start"], r["end"], r["code"]) for r in second_rows]
    assert len(keys) == len(set(keys)), "no coding twice"


def test_every_span_is_on_word_boundaries_inside_an_informant_turn(second_rows, demo_project_path):
    with open_project(demo_project_path) as project:
        docs = {d.name: d for d in list_documents(project) if d.name in DOUBLE_CODED}
        texts = {name: document_text(project, d.id) for name, d in docs.items()}
        turns = {name: turns_of(project, d.id) for name, d in docs.items()}
    for line, r in enumerate(second_rows, start=2):
        name, start, end = r["document"], int(r["start"]), int(r["end"])
        text = texts[name]
        assert 0 <= start < end <= len(text), line
        assert on_word_boundaries(text, start, end), (line, text[start:end])
        (turn,) = [t for t in turns[name] if t.start <= start and end <= t.end] or [None]
        assert turn is not None, f"line {line} crosses turns"
        assert turn.role == INFORMANT, f"line {line} codes the interviewer ({turn.speaker})"
        # the span is speech, not the speaker label in front of it
        assert start >= turn.label_end, line


def segment_cells(project, rows: list[dict[str, str]], codes: list[str]) -> list[bool]:
    """Whether each (informant segment, code) of the double-coded documents is coded."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for r in rows:
        spans.setdefault(r["document"], []).append((int(r["start"]), int(r["end"]), r["code"]))
    cells = []
    for d in list_documents(project):
        if d.name not in DOUBLE_CODED:
            continue
        roles = {t.id: t.role for t in turns_of(project, d.id)}
        for seg in segments_of(project, d.id):
            if roles.get(seg.turn_id) != INFORMANT:
                continue
            for code in codes:
                cells.append(
                    any(
                        c == code and s < seg.end and e > seg.start
                        for s, e, c in spans.get(d.name, [])
                    )
                )
    return cells


def test_the_two_codings_agree_as_independent_coders_do(second_rows, demo_dir, demo_project_path):
    reference = [
        r for r in read_rows(demo_dir / "reference_coding.csv") if r["document"] in DOUBLE_CODED
    ]
    same = {tuple(r.values()) for r in reference} & {tuple(r.values()) for r in second_rows}
    assert len(same) < 0.3 * len(second_rows), "not a copy of the reference"
    codes = sorted({c.id for c in default_codebook().codes if c.codable})
    with open_project(demo_project_path) as project:
        a = segment_cells(project, reference, codes)
        b = segment_cells(project, second_rows, codes)
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - expected) / (1 - expected)
    assert 0.6 <= kappa <= 0.7, kappa  # the README says about 0.65


def test_second_coders_copy_holds_only_the_second_coding(
    second_path, second_rows, demo_project_path
):
    with open_project(second_path) as second, open_project(demo_project_path) as reference:
        assert coder_names(second) == [SECOND_CODER]
        codings = query_codings(second)
        assert len(codings) == len(second_rows)
        names = {d.id: d.name for d in list_documents(second)}
        stored = Counter((names[c.document_id], c.start, c.end, c.code_id) for c in codings)
        assert stored == Counter(
            (r["document"], int(r["start"]), int(r["end"]), r["code"]) for r in second_rows
        )
        # the same title, documents, codebook and survey as the reference demo
        assert get_setting(second, "title") == get_setting(reference, "title") == TITLE
        assert [(d.name, d.content_hash) for d in list_documents(second)] == [
            (d.name, d.content_hash) for d in list_documents(reference)
        ]
        assert code_rows(second) == code_rows(reference)
        assert [(w.name, w.date, w.respondents) for w in list_waves(second)] == [
            (w.name, w.date, w.respondents) for w in list_waves(reference)
        ]
        assert len(list_respondents(second)) == len(list_respondents(reference))


def test_reference_demo_is_unchanged(demo_project_path, demo_dir):
    with open_project(demo_project_path) as project:
        assert coder_names(project) == [REFERENCE_CODER]
        assert len(query_codings(project)) == len(read_rows(demo_dir / "reference_coding.csv"))
        assert get_setting(project, "title") == "frisat-qual demo (synthetic interviews)"
    assert default_demo_path().name == "demo.frisat"
    assert ensure_demo_project(demo_project_path) == demo_project_path


def test_demo_command_reuses_the_copy_and_keeps_the_default_demo_apart(second_path, isolated_home):
    # an existing copy is found, not rebuilt, at the path given or in a folder given
    mtime = second_path.stat().st_mtime_ns
    again = CliRunner().invoke(cli, ["demo", "--second-coder", "--path", str(second_path)])
    assert again.exit_code == 0 and Path(again.output.strip()) == second_path
    assert second_path.stat().st_mtime_ns == mtime
    # without --path the copy has a file of its own in the user folder
    default = default_demo_path("second")
    assert default.parent == isolated_home and default.name == "demo-second.frisat"
    shutil.copyfile(second_path, default)
    found = CliRunner().invoke(cli, ["demo", "--second-coder"])
    assert found.exit_code == 0 and Path(found.output.strip()) == default
    assert not default_demo_path().exists(), "the reference demo was not made or replaced"
    in_folder = CliRunner().invoke(cli, ["demo", "--second-coder", "--path", str(isolated_home)])
    assert Path(in_folder.output.strip()) == default


def test_an_existing_file_that_is_not_the_copy_is_refused(demo_project_path, tmp_path):
    before = demo_project_path.read_bytes()
    result = CliRunner().invoke(cli, ["demo", "--second-coder", "--path", str(demo_project_path)])
    assert result.exit_code == 1
    assert "is not the second coder's copy of the demo" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert demo_project_path.read_bytes() == before
    empty = tmp_path / "empty.frisat"
    empty.touch()
    with pytest.raises(FrisatError, match="empty.frisat already exists"):
        ensure_demo_project(empty, variant="second")
    assert empty.stat().st_size == 0, "an empty file is not turned into a project"
    with pytest.raises(FrisatError, match="unknown demo variant 'third'"):
        ensure_demo_project(tmp_path / "c.frisat", variant="third")
    assert not (tmp_path / "c.frisat").exists()


def test_a_bad_second_coding_leaves_no_project_behind(demo_dir, tmp_path, monkeypatch):
    # a small corpus of kommune 1, whose second coding has one span that cuts a word
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in demo_dir.glob("k1_*"):
        shutil.copy(path, corpus)
    manifest = read_rows(demo_dir / "manifest.csv")
    with open(corpus / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(manifest[0]))
        writer.writeheader()
        writer.writerows(r for r in manifest if r[next(iter(r))].startswith("k1_"))
    rows = [r for r in read_rows(demo_dir / SECOND_CODING) if r["document"].startswith("k1_")]
    rows[3]["start"] = str(int(rows[3]["start"]) + 1)  # "Vi var ..." becomes "i var ..."
    with open(corpus / SECOND_CODING, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["document", "start", "end", "code"])
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(demo, "demo_corpus_dir", lambda: corpus)
    target = tmp_path / "out" / "b.frisat"
    result = CliRunner().invoke(cli, ["demo", "--second-coder", "--path", str(target)])
    assert result.exit_code == 1
    assert f"{SECOND_CODING} line 5: span" in result.output and "cuts a word" in result.output
    assert list(target.parent.iterdir()) == []
