"""The bundled demo project: made on first use from corpora/demo/, reopened afterwards.

It holds the 32 synthetic interviews with their case attributes, the default codebook,
the developers' reference coding (coder "reference"), so a new user sees a coded project,
and the synthetic leaders' survey (wave "pilot") with its open comments as documents.

A second variant, the second coder's copy, holds the same documents, codebook and survey
but instead of the reference coding the independent double coding of the ten interviews
of kommune 1 and 2 by a second coder (coder "second"): merged with the reference demo it
gives a team project on which agreement and merge can be shown and tested.

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
from frisat_qual.store import PROJECT_SUFFIX, create_project, open_project
from frisat_qual.store.codings import coder_names
from frisat_qual.store.settings import set_setting
from frisat_qual.survey.importer import import_survey
from frisat_qual.tempfiles import remove_with_sidecars, temp_beside

DEMO_NAME = "demo" + PROJECT_SUFFIX
#: The demo's reference coding (document, start, end, code), made by hand by the developers.
REFERENCE_CODING = "reference_coding.csv"
REFERENCE_CODER = "reference"
#: A second coder's independent double coding of the interviews of kommune 1 and 2.
SECOND_CODING = "second_coding.csv"
SECOND_CODER = "second"
#: The demo's survey of leaders, imported as one wave dated like the pilot it mimics.
SURVEY = "survey.csv"
SURVEY_WAVE = "pilot"
SURVEY_DATE = "2025-01-15"
TITLE = "frisat-qual demo (synthetic interviews)"
#: The variants of the demo: the coding each holds, its coder and its default file name.
#: They differ in nothing else (the title too is the same), so the two merge without conflicts.
VARIANTS = {
    "reference": (REFERENCE_CODING, REFERENCE_CODER, DEMO_NAME),
    "second": (SECOND_CODING, SECOND_CODER, "demo-second" + PROJECT_SUFFIX),
}


def default_demo_path(variant: str = "reference") -> Path:
    return user_data_dir() / _variant(variant)[2]


def ensure_demo_project(
    path: str | Path | None = None,
    *,
    variant: str = "reference",
    progress: Progress | None = None,
) -> Path:
    """The path of the demo project, creating it from the bundled corpus if missing.

    `variant` "reference" (the default) is the demo with the developers' reference coding;
    "second" is the second coder's copy (see the module doc), by default a file of its own
    next to the demo. An existing file given for the second coder's copy must be one.
    """
    coding, coder, name = _variant(variant)
    target = Path(path) if path else default_demo_path(variant)
    if target.is_dir():
        target = target / name
    if target.exists():
        if variant != "reference":
            _check_variant(target, variant)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    corpus = demo_corpus_dir()
    tmp = temp_beside(target)
    project = create_project(tmp)
    try:
        set_setting(project, "title", TITLE)
        load_into_project(project, default_codebook(), coder=coder)
        report = import_transcripts(
            project, [corpus], manifest=corpus / "manifest.csv", progress=progress
        )
        if report.failed:
            failed, why = report.failed[0]
            raise FrisatError(f"demo corpus: {failed}: {why}")
        survey = corpus / SURVEY
        if survey.exists():
            import_survey(project, survey, wave=SURVEY_WAVE, date=SURVEY_DATE, progress=progress)
        codings = corpus / coding
        if codings.exists():
            import_codings_csv(project, codings, coder=coder)
        elif variant != "reference":
            raise FrisatError(f"demo corpus: {coding} is missing from {corpus}")
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        project.close()
        remove_with_sidecars(tmp)
        raise
    project.close()
    os.replace(tmp, target)
    return target


def _variant(variant: str) -> tuple[str, str, str]:
    if variant not in VARIANTS:
        known = ", ".join(VARIANTS)
        raise FrisatError(f"unknown demo variant {variant!r} (known: {known})")
    return VARIANTS[variant]


def _check_variant(path: Path, variant: str) -> None:
    """Refuse an existing file that is not the wanted variant of the demo: a project whose
    only coder is the variant's (so neither the reference demo nor a merged team project)."""
    coders: list[str] = []
    if path.is_file() and path.stat().st_size:  # an empty file would be made a project
        try:
            with open_project(path) as project:
                coders = coder_names(project)
        except FrisatError:
            coders = []
    if coders != [_variant(variant)[1]]:
        raise FrisatError(
            f"{path} already exists and is not the {variant} coder's copy of the demo;"
            " choose another path"
        )
