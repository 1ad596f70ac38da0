"""The tiny hand-made project whose every report figure is worked out by hand (see the
docstring of test_reports.py for the counts): three interviews, three cases, eleven codings
by two coders. Shared by the report, HTML and drill-down tests."""

from __future__ import annotations

from pathlib import Path

from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.corpus.importer import import_transcripts
from frisat_qual.store import Project, create_project
from frisat_qual.store.codings import apply_code
from frisat_qual.store.documents import document_text, get_document

TEXTS = {
    "k1_leder": "I: Hvad er nyt?\n\nR: Vi mødes oftere. Vi skriver færre rapporter.\n",
    "k2_politiker": "I: Hvordan går det?\n\nR: Vi har tillid til lederne. Reglerne er færre nu."
    " Vi taler mere sammen.\n",
    "k2_leder": "I: Og så?\n\nR: Det er svært at slippe kontrollen.\n",
}
MANIFEST = (
    "file,case,rolle,kommune,titel\n"
    "k1_leder.txt,A,leder,kommune 1,Skoleleder\n"
    "k2_politiker.txt,B,politiker,kommune 2,Udvalgsformand\n"
    "k2_leder.txt,C,leder,kommune 2,\n"
)
CODINGS = [
    ("k1_leder", "Vi mødes oftere.", "leder.forside", "ann"),  # 1
    ("k1_leder", "Vi mødes oftere. Vi skriver færre rapporter.", "leder.forside", "ann"),  # 2
    ("k1_leder", "Vi skriver færre rapporter.", "spor.dokumentation", "ann"),  # 3
    ("k1_leder", "Vi mødes oftere.", "tema.kant", "bob"),  # 4
    ("k2_politiker", "Vi har tillid til lederne.", "politiker.bagside", "ann"),  # 5
    ("k2_politiker", "tillid til lederne", "spor.tillid", "ann"),  # 6
    ("k2_politiker", "Reglerne er færre nu.", "spor.regler", "ann"),  # 7
    ("k2_politiker", "Reglerne er færre nu. Vi taler mere sammen.", "politiker.bagside", "ann"),
    ("k2_leder", "Det er svært at slippe kontrollen.", "leder.bagside", "ann"),  # 9
    ("k2_leder", "Det er svært at slippe kontrollen.", "tema.kant", "ann"),  # 10
    ("k2_leder", "slippe kontrollen", "leder.forside", "bob"),  # 11
]


def import_and_code(
    project: Project,
    folder: Path,
    texts: dict[str, str] = TEXTS,
    manifest: str = MANIFEST,
    codings: list[tuple[str, str, str, str]] = CODINGS,
) -> None:
    """Load the default codebook, import `texts` with `manifest` and apply `codings`
    (document, phrase, code, coder), each on the first occurrence of its phrase."""
    load_into_project(project, default_codebook())
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / "m.csv").write_text(manifest, encoding="utf-8")
    report = import_transcripts(
        project, [folder / f"{n}.txt" for n in texts], manifest=folder / "m.csv"
    )
    assert report.ok, report.failed
    for doc, phrase, code_id, coder in codings:
        document = get_document(project, doc)
        start = document_text(project, document.id).index(phrase)
        apply_code(project, document.id, start, start + len(phrase), code_id, coder)


def build_handmade(folder: Path) -> Project:
    """The hand-made project in `folder`, open."""
    project = create_project(folder / "handmade.frisat")
    import_and_code(project, folder)
    return project
