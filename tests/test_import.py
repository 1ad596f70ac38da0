"""Importing folders of transcripts: good files in, bad files reported, nothing half done."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frisat_qual.corpus.formats import MAX_BYTES
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.errors import ManifestError
from frisat_qual.store import create_project, open_project
from frisat_qual.store.cases import list_cases
from frisat_qual.store.documents import get_document, list_documents, segments_of, turns_of
from frisat_qual.store.stats import project_stats

INTERVIEW = (
    "I: Hvordan har frisættelsen ændret jeres hverdag?\n\n"
    "R: Vi har fjernet mange regler. Lederne dokumenterer mindre, og vi holder flere møder.\n\n"
    "I: Kan du give et eksempel?\n\n"
    "R: Ja, altså, tilsynet er blevet til en dialog i stedet for et skema.\n"
)


def _write(folder: Path, name: str, text: str = INTERVIEW) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _manifest(folder: Path, rows: list[str]) -> Path:
    path = folder / "manifest.csv"
    path.write_text("file,rolle,kommune,omraade,titel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_import_stores_turns_segments_roles_and_case(project, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _write(src, "k1_leder.txt")
    manifest = _manifest(src, ["k1_leder.txt,leder,kommune 1,dagtilbud,Daginstitutionsleder"])
    report = import_transcripts(project, [src], manifest=manifest)
    assert report.ok and report.imported == ["k1_leder.txt"]
    doc = get_document(project, "k1_leder")
    turns = turns_of(project, doc.id)
    assert [(t.speaker, t.role) for t in turns] == [
        ("I", "interviewer"),
        ("R", "informant"),
        ("I", "interviewer"),
        ("R", "informant"),
    ]
    segments = segments_of(project, doc.id)
    assert [s.text for s in segments][1:3] == [
        "Vi har fjernet mange regler.",
        "Lederne dokumenterer mindre, og vi holder flere møder.",
    ]
    text = project.conn.execute("SELECT text FROM documents WHERE id=?", [doc.id]).fetchone()[0]
    for s in segments:  # offsets point into the stored text
        assert text[s.start : s.end] == s.text
    assert "regel" in segments[1].lemmas.split()
    (case,) = list_cases(project)
    assert case.attributes == {
        "rolle": "leder",
        "kommune": "kommune 1",
        "omraade": "dagtilbud",
        "titel": "Daginstitutionsleder",
    }
    assert doc.words == 37  # words said, labels not counted: 6 + 13 + 5 + 13


def test_mixed_folder_imports_good_files_and_reports_each_bad_one(project, tmp_path):
    src = tmp_path / "mixed"
    src.mkdir()
    _write(src, "good1.txt")
    _write(src, "good2.md", INTERVIEW.replace("regler", "skemaer"))
    (src / "empty.txt").write_bytes(b"")
    (src / "corrupt.docx").write_bytes(b"PK\x03\x04 this is not really a zip file")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (src / "slides.pdf").write_bytes(b"%PDF-1.4 whatever")
    big = src / "huge.txt"
    with open(big, "wb") as fh:  # sparse: no 50 MB written to disk
        fh.truncate(MAX_BYTES + 1)
    manifest = _manifest(
        src,
        [
            "good1.txt,leder,kommune 1,dagtilbud,",
            "good2.md,medarbejder,kommune 1,dagtilbud,",
            "empty.txt,leder,kommune 2,skole,",
            "corrupt.docx,leder,kommune 2,skole,",
            "binary.txt,leder,kommune 2,skole,",
            "slides.pdf,leder,kommune 2,skole,",
            "huge.txt,leder,kommune 2,skole,",
            "missing.docx,borger,kommune 3,aeldre,",
        ],
    )
    report = import_transcripts(project, [src], manifest=manifest)
    assert sorted(report.imported) == ["good1.txt", "good2.md"]
    failed = dict(report.failed)
    assert set(failed) == {
        "empty.txt",
        "corrupt.docx",
        "binary.txt",
        "slides.pdf",
        "huge.txt",
        "missing.docx",
    }
    for name, why in failed.items():
        assert "\n" not in why and why, name
    assert "not found" in failed["missing.docx"]
    assert "50" in failed["huge.txt"] or "large" in failed["huge.txt"]
    assert "pdf" in failed["slides.pdf"].lower()
    # nothing of the bad files is in the project
    assert [d.name for d in list_documents(project)] == ["good1", "good2"]
    assert project_stats(project)["cases"] == 2


def test_bad_manifest_stops_before_anything_is_written(project, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _write(src, "k1_leder.txt")
    manifest = _manifest(src, ["k1_leder.txt,skolelærer,kommune 1,dagtilbud,"])
    with pytest.raises(ManifestError, match="line 2"):
        import_transcripts(project, [src], manifest=manifest)
    assert list_documents(project) == []


def test_reimport_unchanged_is_noop_and_changed_file_is_new_version(project, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    path = _write(src, "k2_leder.txt")
    import_transcripts(project, [path])
    doc = get_document(project, "k2_leder")
    project.conn.execute(  # a coding on version 1 (coding API comes with the codebook)
        "INSERT INTO codes (id, label) VALUES ('spor.regler', 'Færre regler')"
    )
    project.conn.execute(
        'INSERT INTO codings (document_id, start, "end", code_id, coder, created)'
        " VALUES (?, 0, 10, 'spor.regler', 'ann', '2026-01-01T00:00:00Z')",
        [doc.id],
    )
    before = project_stats(project)
    again = import_transcripts(project, [path])
    assert again.unchanged == ["k2_leder.txt"] and not again.imported
    assert project_stats(project) == before
    path.write_text(INTERVIEW + "\nR: Og så en sidste ting om tillid.\n", encoding="utf-8")
    changed = import_transcripts(project, [path])
    assert changed.new_versions == ["k2_leder.txt"]
    docs = list_documents(project, include_old=True)
    assert [(d.version, d.is_current) for d in docs] == [(1, False), (2, True)]
    (coded_doc,) = project.conn.execute("SELECT document_id FROM codings").fetchone()
    assert coded_doc == doc.id, "the coding stays on the version it was made on"
    assert get_document(project, "k2_leder@1").id == doc.id


def test_kill_during_import_leaves_completed_documents_intact(tmp_path):
    src = tmp_path / "many"
    src.mkdir()
    body = INTERVIEW * 60
    for i in range(40):
        _write(src, f"doc{i:02d}.txt", body.replace("regler", f"regler{i}"))
    path = tmp_path / "kill.frisat"
    create_project(path).close()
    script = (
        "import sys\n"
        "from frisat_qual.store import open_project\n"
        "from frisat_qual.corpus.importer import import_transcripts\n"
        "p = open_project(sys.argv[1])\n"
        "def progress(done, total, name):\n"
        "    print(done, flush=True)\n"
        "import_transcripts(p, [sys.argv[2]], progress=progress)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(src)], stdout=subprocess.PIPE, text=True
    )
    for line in proc.stdout:
        if int(line) >= 3:
            break
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    project = open_project(path)
    docs = list_documents(project)
    assert 3 <= len(docs) < 40
    for doc in docs:  # every stored document is complete
        assert len(turns_of(project, doc.id)) == 240
        assert len(segments_of(project, doc.id)) == 300
    project.close()


def test_pseudonymise_replaces_findings_and_keeps_key_outside(project, tmp_path):
    from frisat_qual.corpus.pseudonymise import PseudonymKey

    src = tmp_path / "src"
    src.mkdir()
    text = (
        "I: Hvem var med på mødet?\n\n"
        "R: Det var Mette Jensen fra forvaltningen og så en leder fra Aarhus. "
        "Du kan ringe til hende på 23 45 67 89.\n"
    )
    path = _write(src, "k3_leder.txt", text)
    key = PseudonymKey()
    report = import_transcripts(project, [path], key=key)
    assert report.pseudonymised >= 3
    stored = project.conn.execute("SELECT text FROM documents").fetchone()[0]
    assert "Mette" not in stored and "Aarhus" not in stored and "23 45 67 89" not in stored
    assert "[PERSON-1]" in stored and "[TELEFON]" in stored
    doc = get_document(project, "k3_leder")
    for s in segments_of(project, doc.id):
        assert stored[s.start : s.end] == s.text
    for t in turns_of(project, doc.id):
        assert stored[t.label_start : t.label_end].rstrip(":") == t.speaker
    keyfile = tmp_path / "key.json"
    key.save(keyfile)
    assert keyfile.stat().st_mode & 0o777 == 0o600
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert b"Mette" not in project.path.read_bytes()


def test_large_import_runs_in_worker_processes(project, tmp_path, monkeypatch):
    """The parallel path stores the same documents as the sequential one."""
    import frisat_qual.corpus.importer as importer

    src = tmp_path / "big"
    src.mkdir()
    for i in range(6):
        _write(src, f"doc{i}.txt", (INTERVIEW * 20).replace("regler", f"regler{i}"))
    (src / "broken.docx").write_bytes(b"not a zip")
    monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 0)
    report = import_transcripts(project, [src])
    assert sorted(report.imported) == [f"doc{i}.txt" for i in range(6)]
    assert [name for name, _ in report.failed] == ["broken.docx"]
    other = create_project(tmp_path / "seq.frisat")
    monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 10**12)
    import_transcripts(other, [src])
    for doc in list_documents(other):
        twin = get_document(project, doc.name)
        assert twin.content_hash == doc.content_hash
        assert [(s.start, s.end, s.lemmas) for s in segments_of(project, twin.id)] == [
            (s.start, s.end, s.lemmas) for s in segments_of(other, doc.id)
        ]
    other.close()
