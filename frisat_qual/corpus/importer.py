"""Import transcripts into a project: read, audit, pseudonymise, segment, store.

The use case behind `frisat-qual import` and the TUI's import dialog. Safety rules:
- a bad manifest stops the import before anything is written;
- every file is read and checked before it is stored; a bad file is reported on one line
  and skipped, the good ones are imported;
- each document (with its turns, segments and case) is one transaction, so a kill during
  an import leaves every completed document intact and nothing half stored;
- re-importing an unchanged file changes nothing; a changed file becomes a new version and
  the codings of the earlier version stay where they were.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from frisat_qual.corpus.audit import audit_text
from frisat_qual.corpus.formats import SUPPORTED_SUFFIXES, read_source
from frisat_qual.corpus.manifest import lookup, read_manifest
from frisat_qual.corpus.pseudonymise import PseudonymKey, pseudonymise
from frisat_qual.corpus.turns import infer_interviewer
from frisat_qual.errors import ImportError_, ManifestError
from frisat_qual.models import INFORMANT, INTERVIEWER, Finding, ParsedDocument
from frisat_qual.nlp import segment_document
from frisat_qual.store import Project
from frisat_qual.store.cases import upsert_case
from frisat_qual.store.documents import insert_document, latest_version, set_case
from frisat_qual.store.settings import audit_allow_list

#: progress(done, total, current file name); called after each file.
Progress = Callable[[int, int, str], None]

_WORD = re.compile(r"\w+")
#: Imports of at least this much input use worker processes (see `_prepare_all`).
PARALLEL_MIN_BYTES = 4_000_000
MAX_WORKERS = 4


@dataclass
class ImportReport:
    """What an import did, file by file."""

    imported: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    pseudonymised: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def add(self, outcome: Outcome) -> None:
        self.findings.extend(outcome.findings)
        self.pseudonymised += outcome.pseudonymised
        if outcome.status == "failed":
            self.failed.append((outcome.name, outcome.message))
        else:
            {
                "imported": self.imported,
                "new-version": self.new_versions,
                "unchanged": self.unchanged,
            }[outcome.status].append(outcome.name)


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collect_files(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> tuple[list[Path], bool]:
    """Files named, plus the files inside named folders (recursively, hidden ones skipped).

    Returns the files and whether any folder was given. In a folder only files of a known
    format are taken quietly, except that any other non-hidden file is returned too, so
    the import can say why it was not imported (a stray .pdf should not vanish unseen).
    """
    skip_set = {p.resolve() for p in skip}
    files: list[Path] = []
    had_folder = False
    for path in paths:
        if path.is_dir():
            had_folder = True
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith((".", "_")) for part in rel.parts):
                    continue
                if child.is_file() and child.resolve() not in skip_set:
                    if child.suffix.lower() in {".csv", ".json", ".yaml", ".yml"}:
                        continue  # manifests and codebooks that live beside the transcripts
                    if child.name.lower() in {"readme.md", "readme.txt", "license", "license.txt"}:
                        continue
                    files.append(child)
        else:
            files.append(path)
    return files, had_folder


def import_transcripts(
    project: Project,
    paths: Sequence[str | Path],
    *,
    manifest: str | Path | None = None,
    key: PseudonymKey | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcript files and folders into `project`.

    With `key`, every audit finding is replaced by a consistent placeholder before the text
    is stored; the caller saves the key outside the project.
    """
    manifest_path = Path(manifest) if manifest else None
    entries = read_manifest(manifest_path) if manifest_path else {}
    files, had_folder = collect_files(
        [Path(p) for p in paths], skip=[manifest_path] if manifest_path else []
    )
    report = ImportReport()
    allow = audit_allow_list(project)

    if manifest_path and had_folder:
        found = {f.name: {} for f in files}
        for listed in entries:
            try:
                missing = lookup(found, listed) is None
            except ManifestError:  # several files share the stem: it is there
                missing = False
            if missing:
                report.failed.append((listed, f"named in {manifest_path.name} but not found"))

    total = len(files)
    attributes_of: dict[Path, dict[str, str] | None] = {}
    todo: list[Path] = []
    for path in files:
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                formats = ", ".join(sorted(SUPPORTED_SUFFIXES))
                raise ImportError_(
                    f"{path.name}: unknown format {path.suffix or '(none)'} (supported: {formats})"
                )
            attributes_of[path] = lookup(entries, path.name) if manifest_path else None
            if manifest_path and attributes_of[path] is None:
                raise ImportError_(f"{path.name}: not listed in {manifest_path.name}")
            todo.append(path)
        except ImportError_ as exc:
            report.failed.append((path.name, str(exc)))
    done = len(files) - len(todo)
    jobs = [(path, attributes_of[path]) for path in todo]
    for outcome in _run(project, jobs, allow, key):
        done += 1
        report.add(outcome)
        if progress:
            progress(done, total, outcome.name)
    return report


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: imported, new-version, unchanged or failed."""

    name: str
    status: str
    message: str = ""
    findings: tuple[Finding, ...] = ()
    pseudonymised: int = 0


@dataclass
class Prepared:
    """A document read, audited (and pseudonymised) and segmented, ready to be stored."""

    name: str  # the document name: a transcript's file stem
    parsed: ParsedDocument
    findings: list[Finding]
    pseudonymised: int
    digest: str
    roles: dict[str, str]
    segments: list[tuple[int | None, int, int, str]]  # turn, start, end, lemmas
    words: int


def prepare_file(path: Path, allow: Sequence[str], key: PseudonymKey | None = None) -> Prepared:
    """Everything of an import that needs no database: the CPU-heavy part."""
    return prepare_document(read_source(path), path.stem, allow, key)


def prepare_document(
    parsed: ParsedDocument,
    name: str,
    allow: Sequence[str],
    key: PseudonymKey | None = None,
    *,
    roles: dict[str, str] | None = None,
) -> Prepared:
    """Audit (and pseudonymise) and segment a document read from any source.

    Transcripts and the survey's open comments go through here alike, so both are audited
    for personal data and cut into the same units. The speakers' roles are inferred
    (who asks the questions) unless `roles` gives them.
    """
    findings = audit_text(parsed.text, document=name, allow=allow)
    replaced = 0
    if key is not None and findings:
        parsed = _apply_key(parsed, findings, key)
        replaced = len(findings)
    if roles is None:
        interviewer = infer_interviewer(parsed.text, list(parsed.turns))
        roles = {
            t.speaker: (INTERVIEWER if t.speaker == interviewer else INFORMANT)
            for t in parsed.turns
            if t.speaker
        }
    spans = [(t.start, t.end) for t in parsed.turns]
    segments = [
        (s.turn_index, s.start, s.end, s.lemmas) for s in segment_document(parsed.text, spans)
    ]
    words = (
        sum(count_words(parsed.text[s:e]) for s, e in spans) if spans else count_words(parsed.text)
    )
    return Prepared(
        name, parsed, findings, replaced, content_hash(parsed.text), roles, segments, words
    )


def store_prepared(project: Project, prepared: Prepared, case_id: int | None) -> int:
    """Store a prepared document as a new version of its name; returns its id.

    Call inside `project.transaction()`."""
    parsed = prepared.parsed
    return insert_document(
        project,
        name=prepared.name,
        source_name=parsed.source_name,
        format=parsed.format,
        encoding=parsed.encoding,
        text=parsed.text,
        content_hash=prepared.digest,
        words=prepared.words,
        case_id=case_id,
        turns=parsed.turns,
        roles=prepared.roles,
        segments=prepared.segments,
    )


def import_file(
    project: Project,
    path: Path,
    attributes: dict[str, str] | None,
    allow: Sequence[str],
    key: PseudonymKey | None = None,
) -> Outcome:
    """Prepare and store one file in its own transaction; errors become a failed outcome."""
    try:
        prepared = prepare_file(path, allow, key)
    except ImportError_ as exc:
        return Outcome(path.name, "failed", str(exc))
    status = _store(project, prepared, attributes)
    return Outcome(
        path.name, status, findings=tuple(prepared.findings), pseudonymised=prepared.pseudonymised
    )


def _run(
    project: Project,
    jobs: list[tuple[Path, dict[str, str] | None]],
    allow: Sequence[str],
    key: PseudonymKey | None,
) -> Iterator[Outcome]:
    """Import the files in order; the language work in worker processes when it is large.

    A large import (PARALLEL_MIN_BYTES of input or more, on a machine with several cores)
    reads, audits and segments files in worker processes while this process stores them
    one transaction each, so SQLite writing overlaps the language work. (Workers writing
    themselves was slower: they queue for SQLite's single write lock.) Pseudonymisation
    keeps one key across files, so it always runs here, in order.
    """
    size = sum(p.stat().st_size for p, _ in jobs if p.exists())
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if key is not None or workers < 2 or size < PARALLEL_MIN_BYTES or len(jobs) < 4:
        for path, attributes in jobs:
            yield import_file(project, path, attributes, allow, key)
        return
    # spawn, not fork: the TUI calls this from a thread, and forking a threaded process
    # can deadlock; workers import spaCy afresh, which large imports easily repay
    context = multiprocessing.get_context("spawn")
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            paths = [path for path, _ in jobs]
            prepared = pool.map(_prepare_or_error, paths, [list(allow)] * len(paths), chunksize=1)
            for (path, attributes), result in zip(jobs, prepared, strict=True):
                if isinstance(result, str):
                    outcome = Outcome(path.name, "failed", result)
                else:
                    status = _store(project, result, attributes)
                    outcome = Outcome(path.name, status, findings=tuple(result.findings))
                done += 1
                yield outcome
    except BrokenProcessPool:
        # workers could not start or died (e.g. a calling script without a __main__ guard,
        # or memory): carry on here with the files not yet stored
        for path, attributes in jobs[done:]:
            yield import_file(project, path, attributes, allow, key)


def _prepare_or_error(path: Path, allow: Sequence[str]) -> Prepared | str:
    try:
        return prepare_file(path, allow)
    except ImportError_ as exc:
        return str(exc)


def _store(project: Project, prepared: Prepared, attributes: dict[str, str] | None) -> str:
    """Store a prepared file: a new document, a new version, or nothing if unchanged.

    Returns "imported", "new-version" or "unchanged". One immediate transaction, so the
    version check and the insert see the same state even with parallel writers.
    """
    name = prepared.name
    attrs = dict(attributes or {})
    case_name = attrs.pop("case", "") or name
    with project.transaction():
        existing = latest_version(project, name)
        if existing is not None and existing.content_hash == prepared.digest:
            if attributes is not None:
                set_case(project, existing.id, upsert_case(project, case_name, attrs))
            return "unchanged"
        if attributes is not None or existing is None:
            case_id = upsert_case(project, case_name, attrs)
        else:
            case_id = existing.case_id
        store_prepared(project, prepared, case_id)
    return "new-version" if existing else "imported"


def _apply_key(
    parsed: ParsedDocument, findings: list[Finding], key: PseudonymKey
) -> ParsedDocument:
    text, remap = pseudonymise(parsed.text, findings, key)
    turns = []
    for t in parsed.turns:
        label_start, label_end = remap(t.label_start), remap(t.label_end)
        speaker = text[label_start:label_end].strip() if label_end > label_start else t.speaker
        turns.append(
            replace(
                t,
                speaker=speaker.rstrip(":").strip() or t.speaker,
                start=remap(t.start),
                end=remap(t.end),
                label_start=label_start,
                label_end=label_end,
            )
        )
    return replace(parsed, text=text, turns=tuple(turns))
