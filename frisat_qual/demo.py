"""The bundled demo project: made on first use from corpora/demo/, reopened afterwards.

It holds the 32 synthetic interviews with their case attributes, the default codebook,
the developers' reference coding (coder "reference"), so a new user sees a coded project,
and the synthetic leaders' survey (wave "pilot") with its open comments as documents.

It is built in a temporary file and renamed into place only when complete, so a demo
creation that is interrupted never leaves a half-made demo project behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import Progress, import_transcripts
from frisat_qual.errors import FrisatError
from frisat_qual.exchange.codings_csv import import_codings_csv
from frisat_qual.resources import demo_corpus_dir, user_data_dir
from frisat_qual.store import PROJECT_SUFFIX, create_project
from frisat_qual.store.settings import set_setting
from frisat_qual.survey.importer import import_survey

DEMO_NAME = "demo" + PROJECT_SUFFIX
#: The demo's reference coding (document, start, end, code), made by hand by the developers.
REFERENCE_CODING = "reference_coding.csv"
REFERENCE_CODER = "reference"
#: The demo's survey of leaders, imported as one wave dated like the pilot it mimics.
SURVEY = "survey.csv"
SURVEY_WAVE = "pilot"
SURVEY_DATE = "2025-01-15"


def default_demo_path() -> Path:
    return user_data_dir() / DEMO_NAME


def ensure_demo_project(
    path: str | Path | None = None, *, progress: Progress | None = None
) -> Path:
    """The path of the demo project, creating it from the bundled corpus if missing."""
    target = Path(path) if path else default_demo_path()
    if target.is_dir():
        target = target / DEMO_NAME
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    corpus = demo_corpus_dir()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    project = create_project(tmp)
    try:
        set_setting(project, "title", "frisat-qual demo (synthetic interviews)")
        load_into_project(project, default_codebook(), coder=REFERENCE_CODER)
        report = import_transcripts(
            project, [corpus], manifest=corpus / "manifest.csv", progress=progress
        )
        if report.failed:
            name, why = report.failed[0]
            raise FrisatError(f"demo corpus: {name}: {why}")
        survey = corpus / SURVEY
        if survey.exists():
            import_survey(project, survey, wave=SURVEY_WAVE, date=SURVEY_DATE, progress=progress)
        reference = corpus / REFERENCE_CODING
        if reference.exists():
            import_codings_csv(project, reference, coder=REFERENCE_CODER)
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        project.close()
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    project.close()
    os.replace(tmp, target)
    return target
