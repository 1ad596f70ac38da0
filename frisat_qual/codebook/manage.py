"""Codebook use cases on a project: load, export, diff, and changes that keep codings.

Every change is one journaled action (kind "codebook"), so it is undoable and is the
codebook's history. No change deletes a coding: merging moves codings to the surviving
code, splitting leaves them on the old code until recoded, retiring hides the code.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from frisat_qual.codebook.format import (
    CODE_FIELDS,
    SPOR,
    dump_codebook,
    load_codebook,
    parse_codebook,
)
from frisat_qual.codebook.refi import export_qdc, load_qdc
from frisat_qual.errors import CodebookError, FrisatError
from frisat_qual.models import Codebook, CodeSpec
from frisat_qual.store import Project
from frisat_qual.store.codes import (
    active_codebook_info,
    code_row,
    code_rows,
    row_to_spec,
    spec_to_row,
    store_codebook,
)
from frisat_qual.store.codings import query_codings
from frisat_qual.store.journal import record
from frisat_qual.store.project import PROJECT_SUFFIX

DEFAULT_CODEBOOK = "styringstrappe.yaml"
_EDITABLE = CODE_FIELDS - {"id", "parent"}


def read_codebook(path: str | Path) -> Codebook:
    """A codebook from a .yaml/.yml file or a REFI-QDA .qdc file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return load_codebook(path)
    if suffix == ".qdc":
        return load_qdc(path)
    raise CodebookError(
        f"{path.name}: unknown codebook format {suffix or '(none)'} (use .yaml or .qdc)"
    )


def default_codebook() -> Codebook:
    from frisat_qual.resources import codebook_path

    return read_codebook(codebook_path(DEFAULT_CODEBOOK))


def load_into_project(
    project: Project, codebook: Codebook, *, coder: str = "system"
) -> dict[str, int]:
    """Make `codebook` the project's active codebook; codes in use are never dropped."""
    with record(project, coder, "codebook", f"load codebook {codebook.id}") as rec:
        return store_codebook(project, rec, codebook, dump_codebook(codebook))


def project_codebook(project: Project, *, include_retired: bool = False) -> Codebook:
    """The project's codebook as it stands now, with all changes made since loading."""
    info = active_codebook_info(project)
    header = Codebook(id="project", name=project.name, codes=())
    if info is not None:
        with contextlib.suppress(CodebookError):  # an unreadable header: keep the default
            header = parse_codebook(info["content"], source=info["source"] or "project")
    specs = [row_to_spec(r) for r in code_rows(project, include_retired=include_retired)]
    return replace(header, codes=tuple(specs))


def codebook_of(source: str | Path) -> Codebook:
    """A codebook from a codebook file or from a project file (its current codebook)."""
    path = Path(source)
    if path.suffix == PROJECT_SUFFIX:
        from frisat_qual.store import open_project

        with open_project(path) as project:
            return project_codebook(project)
    return read_codebook(path)


def export_codebook(codebook: Codebook, out: str | Path) -> Path:
    """Write a codebook as .yaml or .qdc, chosen by the file's suffix."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in (".yaml", ".yml"):
        out.write_text(dump_codebook(codebook), encoding="utf-8")
    elif suffix == ".qdc":
        out.write_bytes(export_qdc(codebook))
    else:
        raise CodebookError(f"{out.name}: export to .yaml or .qdc")
    return out


def diff_codebooks(old: Codebook, new: Codebook) -> list[str]:
    """Lines describing what changed from `old` to `new`: + added, - removed, ~ changed."""
    a, b = old.by_id(), new.by_id()
    lines = [f"+ {cid}  {b[cid].label}" for cid in b if cid not in a]
    lines += [f"- {cid}  {a[cid].label}" for cid in a if cid not in b]
    for cid in a:
        if cid in b:
            before, after = a[cid].to_dict(), b[cid].to_dict()
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    lines.append(
                        f"~ {cid}  {key}: {_short(before.get(key))} -> {_short(after.get(key))}"
                    )
    return lines


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- changes -------------------------------------------------------------------------------


def add_code(project: Project, spec: CodeSpec, *, coder: str) -> CodeSpec:
    existing = {r["id"] for r in code_rows(project)}
    if spec.id in existing:
        raise CodebookError(f"code {spec.id!r} exists already")
    if spec.parent and spec.parent not in existing:
        raise CodebookError(f"code {spec.id!r}: unknown parent {spec.parent!r}")
    _check_fields(spec)
    order = max((r["sort_order"] for r in code_rows(project)), default=-1) + 1
    with record(project, coder, "codebook", f"add code {spec.id}") as rec:
        rec.insert("codes", spec_to_row(spec, order))
    return spec


def _check_fields(spec: CodeSpec) -> None:
    text = dump_codebook(Codebook(id="check", name="check", codes=(replace(spec, parent=None),)))
    parse_codebook(text, source=f"code {spec.id}")  # raises with the problem named


def edit_code(project: Project, code_id: str, *, coder: str, **fields: Any) -> CodeSpec:
    """Change a code's label, definition, rules, colour or other fields (not id or parent)."""
    unknown = set(fields) - _EDITABLE
    if unknown:
        raise CodebookError(f"cannot edit {', '.join(sorted(unknown))} of a code")
    current = row_to_spec(code_row(project, code_id))
    updated = replace(current, **fields)
    if "survey_spor" in fields and fields["survey_spor"] not in (None, *SPOR):
        raise CodebookError(f"unknown survey_spor {fields['survey_spor']!r}")
    _check_fields(updated)
    row = spec_to_row(updated, 0)
    changed = {k: row[k] for k in row if k not in ("id", "parent", "sort_order")}
    what = "rename" if set(fields) == {"label"} else "edit"
    with record(project, coder, "codebook", f"{what} code {code_id}") as rec:
        rec.update("codes", code_id, changed)
    return updated


def rename_code(project: Project, code_id: str, label: str, *, coder: str) -> CodeSpec:
    return edit_code(project, code_id, coder=coder, label=label)


def move_code(project: Project, code_id: str, parent: str | None, *, coder: str) -> None:
    """Put a code under another parent (None: top level)."""
    rows = {r["id"]: r for r in code_rows(project)}
    if code_id not in rows:
        raise CodebookError(f"no code {code_id!r}")
    if parent is not None:
        if parent not in rows:
            raise CodebookError(f"no code {parent!r} to move {code_id!r} under")
        cur: str | None = parent
        while cur is not None:
            if cur == code_id:
                raise CodebookError(f"cannot move {code_id!r} under its own descendant {parent!r}")
            cur = rows[cur]["parent"]
    with record(project, coder, "codebook", f"move code {code_id}") as rec:
        rec.update("codes", code_id, {"parent": parent})


def merge_codes(project: Project, source: str, target: str, *, coder: str) -> int:
    """Move every coding of `source` to `target` and retire `source`. Returns codings moved.

    Where the same coder already coded the same span with `target`, the duplicate
    coding of `source` is dropped instead of moved (the coded fact is kept once).
    """
    if source == target:
        raise CodebookError("merge needs two different codes")
    src, dst = code_row(project, source), code_row(project, target)
    if not dst["codable"] or dst["retired"]:
        raise CodebookError(f"cannot merge into {target!r}: it is a folder or retired")
    if any(r["parent"] == source and not r["retired"] for r in code_rows(project)):
        raise CodebookError(f"{source!r} has sub-codes; move or merge them first")
    target_spans = {
        (c.document_id, c.start, c.end, c.coder) for c in query_codings(project, code=target)
    }
    moved = 0
    with record(project, coder, "codebook", f"merge code {source} into {target}") as rec:
        for coding in query_codings(project, code=source):
            if (coding.document_id, coding.start, coding.end, coding.coder) in target_spans:
                rec.delete("codings", coding.id)
            else:
                rec.update("codings", coding.id, {"code_id": target})
                moved += 1
        attrs = dict(row_to_spec(src).attributes, merged_into=target)
        rec.update(
            "codes",
            source,
            {
                "retired": 1,
                "attributes": spec_to_row(replace(row_to_spec(src), attributes=attrs), 0)[
                    "attributes"
                ],
            },
        )
    return moved


def split_code(
    project: Project, code_id: str, parts: list[tuple[str, str]], *, coder: str
) -> list[CodeSpec]:
    """Create new codes (id, label) beside `code_id` to recode its codings into.

    The codings stay on the old code until a researcher recodes them; the old code notes
    what it was split into and can be retired once it is empty.
    """
    old = row_to_spec(code_row(project, code_id))
    if len(parts) < 2:
        raise CodebookError("a split needs at least two new codes")
    existing = {r["id"] for r in code_rows(project)}
    order = max((r["sort_order"] for r in code_rows(project)), default=-1) + 1
    specs = []
    for i, (new_id, label) in enumerate(parts):
        if new_id in existing:
            raise CodebookError(f"code {new_id!r} exists already")
        spec = CodeSpec(
            id=new_id,
            label=label,
            parent=old.parent,
            color=old.color,
            survey_spor=old.survey_spor,
            attributes=dict(old.attributes, split_from=code_id),
        )
        _check_fields(spec)
        specs.append((spec, order + i))
    with record(project, coder, "codebook", f"split code {code_id}") as rec:
        for spec, position in specs:
            rec.insert("codes", spec_to_row(spec, position))
        attrs = dict(old.attributes, split_into=[s.id for s, _ in specs])
        rec.update(
            "codes",
            code_id,
            {"attributes": spec_to_row(replace(old, attributes=attrs), 0)["attributes"]},
        )
    return [s for s, _ in specs]


def retire_code(project: Project, code_id: str, *, coder: str, retired: bool = True) -> None:
    """Hide a code from coding (its codings are kept and still reported)."""
    row = code_row(project, code_id)
    if bool(row["retired"]) == retired:
        raise FrisatError(f"code {code_id!r} is {'already retired' if retired else 'not retired'}")
    verb = "retire" if retired else "restore"
    with record(project, coder, "codebook", f"{verb} code {code_id}") as rec:
        rec.update("codes", code_id, {"retired": int(retired)})
