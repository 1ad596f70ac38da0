"""The bundled synthetic demo corpus: complete, labelled synthetic, importable, packaged."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from collections import Counter

import pytest

from frisat_qual.corpus.formats import read_source
from frisat_qual.corpus.importer import collect_files
from frisat_qual.corpus.manifest import read_manifest

ROLES = {"politiker", "forvaltning", "leder", "medarbejder"}


def test_readme_says_synthetic(demo_dir):
    readme = (demo_dir / "README.md").read_text("utf-8")
    assert "SYNTHETIC" in readme and "synthetic" in readme


def test_manifest_covers_every_file_and_the_design(demo_dir):
    manifest = read_manifest(demo_dir / "manifest.csv")
    files, _ = collect_files([demo_dir])
    assert sorted(manifest) == sorted(f.name for f in files)
    assert len(files) == 32
    by_role = Counter(a["rolle"] for a in manifest.values())
    assert by_role == {"politiker": 7, "forvaltning": 7, "leder": 7, "medarbejder": 7, "borger": 4}
    for k in range(1, 8):  # one of each actor group in each municipality
        roles = {a["rolle"] for a in manifest.values() if a["kommune"] == f"kommune {k}"}
        assert roles >= ROLES, k
    assert {a["omraade"] for a in manifest.values()} == {"dagtilbud", "skole", "aeldre"}
    assert all(a.get("titel") for a in manifest.values())
    with open(demo_dir / "manifest.csv", encoding="utf-8") as fh:
        assert all(row["syntetisk"] == "ja" for row in csv.DictReader(fh))


def test_formats_and_lengths(demo_dir):
    files, _ = collect_files([demo_dir])
    suffixes = Counter(f.suffix for f in files)
    assert suffixes[".docx"] >= 10 and suffixes[".txt"] >= 6
    assert suffixes[".vtt"] >= 3 and suffixes[".srt"] >= 3
    for path in files:
        doc = read_source(path)
        said = " ".join(doc.text[t.start : t.end] for t in doc.turns)
        words = len(re.findall(r"\w+", said))
        assert 800 <= words <= 2000, (path.name, words)
        assert len({t.speaker for t in doc.turns}) == 2, path.name
        assert sum(said.count("?") for said in [said]) >= 10, path.name


def test_corpus_touches_the_domain(demo_dir):
    """Rough lexical check that the material covers DOMAIN.md's themes."""
    files, _ = collect_files([demo_dir])
    text = " ".join(read_source(p).text.lower() for p in files)
    for word in (
        "regler",
        "mål",
        "dokumentation",
        "tillid",
        "forsøg",
        "evaluer",
        "dialog",
        "besøg",
        "økonomi",
        "ramme",
        "borgmester",
        "forvaltning",
        "skema",
        "projekt",
    ):
        assert text.count(word) >= 5, word


def test_demo_project_holds_the_survey_pilot(demo_project_path):
    """The synthetic survey: the pilot's 33 leaders, their comments as clean documents."""
    from frisat_qual.corpus.audit import audit_text
    from frisat_qual.store import open_project
    from frisat_qual.store.documents import document_text
    from frisat_qual.store.survey import list_respondents, list_waves

    with open_project(demo_project_path) as project:
        (wave,) = list_waves(project)
        assert (wave.name, wave.date, wave.respondents) == ("pilot", "2025-01-15", 33)
        respondents = list_respondents(project)
        areas = Counter(r.attributes["omraade"] for r in respondents)
        assert areas == {"dagtilbud": 10, "skole": 11, "aeldre": 12}
        assert {r.attributes["rolle"] for r in respondents} == {"leder"}
        assert all(len(r.ratings) >= 38 for r in respondents)
        documents = {
            (r.respondent_id, spor): doc_id
            for r in respondents
            for spor, doc_id in r.comment_documents.items()
        }
        assert len(documents) == sum(len(r.comments) for r in respondents) >= 100
        findings = [
            f
            for (rid, spor), doc_id in documents.items()
            for f in audit_text(document_text(project, doc_id), document=f"{rid}-{spor}")
        ]
        assert findings == []


@pytest.mark.slow
def test_wheel_carries_corpora_and_codebooks(tmp_path):
    root = tmp_path.parent
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(repo)],
        check=True,
        capture_output=True,
        cwd=root,
    )
    (wheel,) = tmp_path.glob("frisat_qual-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "frisat_qual/_data/corpora/demo/manifest.csv" in names
    assert "frisat_qual/_data/corpora/demo/k1_politiker.docx" in names
    assert "frisat_qual/_data/codebooks/styringstrappe.yaml" in names
    assert "frisat_qual/corpus/data/first_names.txt" in names
