"""Export a project as a REFI-QDA project file (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

`export_qdpx` writes a ZIP holding exactly `project.qde` and `sources/<guid>.txt`, one text
file per current document (UTF-8 without BOM, the text exactly as stored, so positions are
our character offsets). The mapping is described in `frisat_qual.exchange.qdpx`. The file
is written to a temporary name next to the target and renamed when complete, so a failed
export never leaves a half-written .qdpx behind.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from frisat_qual import __version__
from frisat_qual.codebook.manage import project_codebook
from frisat_qual.codebook.refi import add_code_tree, code_guid
from frisat_qual.errors import FrisatError, NotFound
from frisat_qual.exchange.qdpx import (
    OUR_ORIGIN,
    PROJECT_ENTRY,
    PROJECT_NS,
    SOURCES_DIR,
    ExportReport,
    Progress,
    excerpt_name,
    serialise_cr,
    stable_guid,
    user_guid,
    xml_safe,
    xml_text,
)
from frisat_qual.models import Case, CodeSpec, Coding, Document, Memo
from frisat_qual.store import Project
from frisat_qual.store.cases import list_cases
from frisat_qual.store.codes import active_codebook_info, code_rows
from frisat_qual.store.codings import coder_names, query_codings
from frisat_qual.store.documents import document_text, list_documents
from frisat_qual.store.memos import all_memos
from frisat_qual.store.resolutions import consensus_coders
from frisat_qual.store.settings import get_setting
from frisat_qual.store.stats import resolution_count
from frisat_qual.store.suggestions import suggestion_counts
from frisat_qual.store.survey import list_waves
from frisat_qual.tempfiles import remove_with_sidecars, temp_beside

_NS = f"{{{PROJECT_NS}}}"


def _el(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, _NS + tag, {k: v for k, v in (attrs or {}).items() if v})


def _xs_datetime(stamp: str | None) -> str:
    """A stored timestamp as xs:dateTime in UTC with Z; empty when it cannot be read."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    codings: list[Coding] = field(default_factory=list)


@dataclass
class _Plan:
    """Everything the export writes, gathered from the store first."""

    title: str
    codebook_id: str
    exported_by: str | None = None
    created: str = ""
    codes: list[CodeSpec] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    doc_guid: dict[int, str] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    selections: dict[int, list[_Selection]] = field(default_factory=dict)
    users: set[str] = field(default_factory=set)
    notes: dict[tuple[str, str], list[Memo]] = field(default_factory=dict)
    memo_guid: dict[int, str] = field(default_factory=dict)
    case_links: list[tuple[str, str]] = field(default_factory=list)


def export_qdpx(
    project: Project,
    out_path: str | Path,
    *,
    coders: Sequence[str] | None = None,
    progress: Progress | None = None,
    exported_by: str | None = None,
    overwrite: bool = False,
) -> ExportReport:
    """Write `project` as a REFI-QDA project to `out_path` (a .qdpx file).

    `coders` limits the codings to those coders' (default: everyone's); `exported_by` is
    named as the project's modifying user. An existing file is replaced only with
    `overwrite`.
    """
    out = Path(out_path)
    if out.suffix.lower() != ".qdpx":
        raise FrisatError(f"{out.name}: a REFI-QDA project file must end in .qdpx")
    if out.exists() and not overwrite:
        raise FrisatError(f"{out}: a file of that name exists already")
    if not out.parent.is_dir():
        raise FrisatError(f"{out}: folder {out.parent} does not exist")
    report = ExportReport(out)
    plan = _gather(project, coders, exported_by, report)
    xml = _project_xml(plan)
    stamp = datetime.now(UTC).timetuple()[:6]
    tmp = temp_beside(out)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(zipfile.ZipInfo(PROJECT_ENTRY, stamp), xml, zipfile.ZIP_DEFLATED)
            total = len(plan.documents)
            for done, doc in enumerate(plan.documents, start=1):
                entry = zipfile.ZipInfo(f"{SOURCES_DIR}/{plan.doc_guid[doc.id]}.txt", stamp)
                data = plan.texts[doc.id].encode("utf-8")
                archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
                if progress:
                    progress(done, total, doc.name)
        os.replace(tmp, out)
    except BaseException:
        remove_with_sidecars(tmp)
        raise
    return report


def _gather(
    project: Project, coders: Sequence[str] | None, exported_by: str | None, report: ExportReport
) -> _Plan:
    book = project_codebook(project, include_retired=True)
    plan = _Plan(
        title=get_setting(project, "title") or project.name,
        codebook_id=book.id,
        exported_by=exported_by,
    )
    wanted = [c.strip() for c in coders or () if c.strip()] or None
    if wanted:
        known = coder_names(project)
        missing = [c for c in wanted if c not in known]
        if missing:
            raise NotFound(
                f"no codings by {', '.join(missing)} in {project.path.name}"
                f" (coders: {', '.join(known) or 'none'})"
            )
    everything = list_documents(project, include_old=True)
    plan.documents = [d for d in everything if d.is_current]
    current = {d.id for d in plan.documents}
    by_name = {d.name: d for d in plan.documents}
    for doc in plan.documents:
        plan.doc_guid[doc.id] = stable_guid("document", doc.name, doc.content_hash)
        plan.texts[doc.id] = document_text(project, doc.id)
    codings = query_codings(project, coder=wanted)
    exported = [c for c in codings if c.document_id in current]
    old_docs = [d for d in everything if not d.is_current]
    if old_docs:
        on_old = len(codings) - len(exported)
        report.not_exported.append(
            f"{len(old_docs)} older document version(s) with {on_old} coding(s) on them"
            " (only the current version of each document is exported)"
        )
    if wanted:
        everyone = len(query_codings(project, current_only=True))
        report.notes.append(
            f"only the codings of {', '.join(wanted)}: {len(exported)} of {everyone}"
        )

    # codes: the active ones, and retired ones still used by an exported coding
    rows = {r["id"]: r for r in code_rows(project)}
    used = {c.code_id for c in exported}
    keep = {cid for cid, r in rows.items() if not r["retired"] or cid in used}
    for cid in list(keep):
        parent = rows[cid]["parent"]
        while parent and parent not in keep:
            keep.add(parent)
            parent = rows[parent]["parent"]
    plan.codes = [c for c in book.codes if c.id in keep]
    revived = sorted(cid for cid in keep if rows[cid]["retired"])
    if revived:
        report.notes.append(
            "retired codes exported as ordinary codes because codings use them (or their"
            f" sub-codes): {', '.join(revived)}"
        )
    dropped = len([cid for cid in rows if cid not in keep])
    if dropped:
        report.not_exported.append(f"{dropped} retired code(s) without codings")

    # selections: one per span, holding every exported coding of that span
    for coding in exported:
        spans = plan.selections.setdefault(coding.document_id, [])
        if not spans or (spans[-1].start, spans[-1].end) != (coding.start, coding.end):
            doc_guid = plan.doc_guid[coding.document_id]
            guid = stable_guid("selection", doc_guid, coding.start, coding.end)
            spans.append(_Selection(guid, coding.start, coding.end))
        spans[-1].codings.append(coding)
        plan.users.add(coding.coder)

    _place_memos(project, plan, everything, by_name, exported, report)
    if exported_by:
        plan.users.add(exported_by)
    info = active_codebook_info(project)
    stamps = [d.imported_at for d in everything] + ([info["loaded_at"]] if info else [])
    plan.created = min(stamps) if stamps else ""

    waves = list_waves(project)
    if waves:
        respondents = sum(w.respondents for w in waves)
        report.not_exported.append(
            f"survey: {len(waves)} wave(s) with {respondents} respondents and their ratings"
            " (REFI-QDA has no place for survey data; the open comments are exported as"
            " documents)"
        )
    resolved = resolution_count(project)
    if resolved:
        # the rows hold both decisions on disagreements (`resolve`) and the agreements
        # adopted into the consensus (`consensus`): say so, not "resolutions" alone
        consensus = [c for c in consensus_coders(project) if wanted is None or c in wanted]
        if consensus:
            codings_said = (
                f"the codings of consensus coder {', '.join(consensus)} are exported as an"
                " ordinary coder's"
            )
        else:
            codings_said = "no consensus coder's codings are exported (not among the coders)"
        report.not_exported.append(
            f"{resolved} unit(s) settled with `resolve` or `consensus` (decisions on"
            " disagreements and adopted agreements; REFI-QDA has no place for them);"
            f" {codings_said}"
        )
    pending = suggestion_counts(project).get("pending", 0)
    if pending:
        report.not_exported.append(f"{pending} pending code suggestion(s)")
    plan.cases = list_cases(project)
    report.counts = {
        "users": len(plan.users),
        "codes": len(plan.codes),
        "documents": len(plan.documents),
        "selections": sum(len(s) for s in plan.selections.values()),
        "codings": len(exported),
        "cases": len(plan.cases),
        "variables": len({a for c in plan.cases for a in c.attributes}),
        "memos": len(plan.memo_guid),
    }
    return plan


def _place_memos(
    project: Project,
    plan: _Plan,
    everything: list[Document],
    by_name: dict[str, Document],
    exported: list[Coding],
    report: ExportReport,
) -> None:
    """Decide where each memo is linked from; memos that have no place are listed."""
    docs = {d.id: d for d in everything}
    codes = {c.id for c in plan.codes}
    coding_ids = {c.id for c in exported}
    all_codings = {c.id: c for c in query_codings(project)}
    case_ids = {c.id: c.name for c in list_cases(project)}
    moved = 0
    for memo in all_memos(project):
        target = memo.target_id
        where = f"memo by {memo.author} on {memo.target_type} {target}"
        key: tuple[str, str] | None = None
        if memo.target_type == "project":
            key = ("project", "")
        elif memo.target_type == "document":
            doc = docs.get(int(target)) if target.isdigit() else None
            if doc is not None and not doc.is_current and doc.name in by_name:
                doc, moved = by_name[doc.name], moved + 1
            if doc is not None and doc.is_current:
                key = ("document", str(doc.id))
            else:
                report.not_exported.append(f"{where}: the document is no longer in the project")
        elif memo.target_type == "code":
            if target in codes:
                key = ("code", target)
            else:
                report.not_exported.append(f"{where}: the code is retired and unused")
        elif memo.target_type == "coding":
            if target.isdigit() and int(target) in coding_ids:
                key = ("coding", target)
            elif target.isdigit() and int(target) in all_codings:
                coding = all_codings[int(target)]
                why = (
                    "the coding is on an older document version"
                    if not docs[coding.document_id].is_current
                    else f"codings by {coding.coder} were not exported"
                )
                report.not_exported.append(f"{where}: {why}")
            else:
                report.not_exported.append(f"{where}: the coding no longer exists")
        elif memo.target_type == "case":
            if target.isdigit() and int(target) in case_ids:
                key = ("case", case_ids[int(target)])
            else:
                report.not_exported.append(f"{where}: the case no longer exists")
        if key is None:
            continue
        guid = stable_guid("memo", memo.id)
        plan.memo_guid[memo.id] = guid
        plan.notes.setdefault(key, []).append(memo)
        plan.users.add(memo.author)
        if key[0] == "case":
            plan.case_links.append((stable_guid("case", key[1]), guid))
    if moved:
        report.notes.append(
            f"{moved} memo(s) on an older version of a document linked to its current version"
        )


def _note_refs(parent: ET.Element, plan: _Plan, key: tuple[str, str]) -> None:
    for memo in plan.notes.get(key, []):
        _el(parent, "NoteRef", {"targetGUID": plan.memo_guid[memo.id]})


def _project_xml(plan: _Plan) -> bytes:
    now = _xs_datetime(datetime.now(UTC).isoformat())
    exporter = plan.exported_by
    root = ET.Element(
        _NS + "Project",
        {
            k: v
            for k, v in {
                "name": xml_safe(plan.title),
                "origin": f"{OUR_ORIGIN} {__version__}",
                "creationDateTime": _xs_datetime(plan.created),
                "modifyingUserGUID": user_guid(exporter) if exporter else "",
                "modifiedDateTime": now,
            }.items()
            if v
        },
    )
    if plan.users:
        users = _el(root, "Users")
        for name in sorted(plan.users):
            _el(users, "User", {"guid": user_guid(name), "name": xml_safe(name)})
    if plan.codes:
        codes = _el(_el(root, "CodeBook"), "Codes")
        add_code_tree(
            codes,
            plan.codebook_id,
            plan.codes,
            ns=PROJECT_NS,
            note_refs=lambda code: [
                plan.memo_guid[m.id] for m in plan.notes.get(("code", code.id), [])
            ],
        )
        for el in codes.iter(_NS + "Code"):
            el.set("name", xml_safe(el.get("name", "")))
        for el in codes.iter(_NS + "Description"):
            el.text = xml_text(el.text or "")
    cases = plan.cases
    attribute_names = sorted({a for c in cases for a in c.attributes})
    variable_guid = {name: stable_guid("variable", name) for name in attribute_names}
    if attribute_names:
        variables = _el(root, "Variables")
        for name in attribute_names:
            _el(
                variables,
                "Variable",
                {"guid": variable_guid[name], "name": xml_safe(name), "typeOfVariable": "Text"},
            )
    if cases:
        cases_el = _el(root, "Cases")
        for case in cases:
            case_el = _el(
                cases_el,
                "Case",
                {"guid": stable_guid("case", case.name), "name": xml_safe(case.name)},
            )
            for name, value in sorted(case.attributes.items()):
                value_el = _el(case_el, "VariableValue")
                _el(value_el, "VariableRef", {"targetGUID": variable_guid[name]})
                ET.SubElement(value_el, _NS + "TextValue").text = xml_text(value)
            for doc in plan.documents:
                if doc.case_id == case.id:
                    _el(case_el, "SourceRef", {"targetGUID": plan.doc_guid[doc.id]})
    if plan.documents:
        sources = _el(root, "Sources")
        for doc in plan.documents:
            _text_source(sources, plan, doc)
    if plan.memo_guid:
        notes = _el(root, "Notes")
        for memos in plan.notes.values():
            for memo in memos:
                _note(notes, plan, memo)
    if plan.case_links:
        links = _el(root, "Links")
        for case, note in plan.case_links:
            _el(
                links,
                "Link",
                {
                    "guid": stable_guid("link", case, note),
                    "name": "memo",
                    "direction": "OneWay",
                    "originGUID": case,
                    "targetGUID": note,
                },
            )
    _note_refs(root, plan, ("project", ""))
    ET.indent(root)
    ET.register_namespace("", PROJECT_NS)  # written as the default namespace, no prefix
    # element texts carry their carriage returns marked (see xml_text); write them as &#13;
    body = serialise_cr(ET.tostring(root, encoding="utf-8"))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def _text_source(parent: ET.Element, plan: _Plan, doc: Document) -> None:
    guid = plan.doc_guid[doc.id]
    source = _el(
        parent,
        "TextSource",
        {
            "guid": guid,
            "name": xml_safe(doc.name),
            "plainTextPath": f"internal://{guid}.txt",
            "creationDateTime": _xs_datetime(doc.imported_at),
        },
    )
    text = plan.texts[doc.id]
    for selection in plan.selections.get(doc.id, []):
        first = min(selection.codings, key=lambda c: (c.created, c.id))
        sel = _el(
            source,
            "PlainTextSelection",
            {
                "guid": selection.guid,
                "name": xml_safe(excerpt_name(text[selection.start : selection.end])),
                "startPosition": str(selection.start),
                "endPosition": str(selection.end),
                "creatingUser": user_guid(first.coder),
                "creationDateTime": _xs_datetime(first.created),
            },
        )
        for coding in sorted(selection.codings, key=lambda c: (c.code_id, c.coder, c.id)):
            coding_el = _el(
                sel,
                "Coding",
                {
                    "guid": stable_guid("coding", selection.guid, coding.code_id, coding.coder),
                    "creatingUser": user_guid(coding.coder),
                    "creationDateTime": _xs_datetime(coding.created),
                },
            )
            _el(coding_el, "CodeRef", {"targetGUID": code_guid(plan.codebook_id, coding.code_id)})
            _note_refs(coding_el, plan, ("coding", str(coding.id)))
    _note_refs(source, plan, ("document", str(doc.id)))


def _note(parent: ET.Element, plan: _Plan, memo: Memo) -> None:
    target = {"project": "the project", "coding": "a coding"}.get(
        memo.target_type, f"{memo.target_type} {memo.target_id}"
    )
    if memo.target_type == "document":
        names = {str(d.id): d.name for d in plan.documents}
        target = f"document {names.get(memo.target_id, memo.target_id)}"
    note = _el(
        parent,
        "Note",
        {
            "guid": plan.memo_guid[memo.id],
            "name": xml_safe(f"Memo on {target} by {memo.author}"),
            "creatingUser": user_guid(memo.author),
            "creationDateTime": _xs_datetime(memo.created),
            "modifyingUser": user_guid(memo.author),
            "modifiedDateTime": _xs_datetime(memo.updated),
        },
    )
    ET.SubElement(note, _NS + "PlainTextContent").text = xml_text(memo.text)
