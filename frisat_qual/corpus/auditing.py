"""Audit files, folders and projects for leftover personal data (`frisat-qual audit`).

Files are read with the same readers as the import, so positions refer to the text the
project would store; a project is audited document by document with its allow-list.
"""

from __future__ import annotations

from pathlib import Path

from frisat_qual.corpus.audit import audit_text
from frisat_qual.corpus.formats import read_source
from frisat_qual.corpus.importer import collect_files
from frisat_qual.errors import ImportError_
from frisat_qual.models import Finding
from frisat_qual.store import PROJECT_SUFFIX, open_project
from frisat_qual.store.documents import document_text, list_documents
from frisat_qual.store.settings import allow_terms, audit_allow_list


def audit_project(project, *, allow: list[str] | None = None) -> list[Finding]:
    terms = audit_allow_list(project) + list(allow or [])
    findings: list[Finding] = []
    for doc in list_documents(project):
        findings.extend(audit_text(document_text(project, doc.id), document=doc.name, allow=terms))
    return findings


def audit_targets(
    targets: list[Path], *, allow: list[str] | None = None, remember: bool = False
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Findings for every file, folder or project given, and the files that could not be read.

    With `remember`, the `allow` terms are added to each project's own allow-list, so later
    imports and audits of that project never flag them.
    """
    findings: list[Finding] = []
    failures: list[tuple[str, str]] = []
    projects = [t for t in targets if t.suffix == PROJECT_SUFFIX and t.is_file()]
    others = [t for t in targets if t not in projects]
    for path in projects:
        with open_project(path) as project:
            if remember and allow:
                allow_terms(project, allow)
            findings.extend(audit_project(project, allow=allow))
    files, _ = collect_files(others)
    for path in files:
        try:
            parsed = read_source(path)
        except ImportError_ as exc:
            failures.append((path.name, str(exc)))
            continue
        findings.extend(audit_text(parsed.text, document=path.name, allow=allow or []))
    return findings, failures
