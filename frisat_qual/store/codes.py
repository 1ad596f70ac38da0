"""The project's codebook in the database: codes, loaded codebook versions, history.

Codes are stored with every field of the YAML format (lists and maps as JSON), so the
project is self-contained and can export the codebook again. Changes to codes go through
the journal (kind "codebook") and so are undoable and form the codebook's history.
"""

from __future__ import annotations

import json
from typing import Any

from frisat_qual.errors import NotFound
from frisat_qual.models import Codebook, CodeSpec, Keyword
from frisat_qual.store.journal import Recorder
from frisat_qual.store.project import Project

_COLUMNS = (
    "id, parent, label, description, include, exclude, examples, keywords, color,"
    " survey_spor, attributes, codable, retired, sort_order"
)


def spec_to_row(spec: CodeSpec, order: int) -> dict[str, Any]:
    return {
        "id": spec.id,
        "parent": spec.parent,
        "label": spec.label,
        "description": spec.description,
        "include": spec.include,
        "exclude": spec.exclude,
        "examples": json.dumps(list(spec.examples), ensure_ascii=False),
        "keywords": json.dumps([k.to_dict() for k in spec.keywords], ensure_ascii=False),
        "color": spec.color,
        "survey_spor": spec.survey_spor,
        "attributes": json.dumps(spec.attributes, ensure_ascii=False),
        "codable": int(spec.codable),
        "sort_order": order,
    }


def _keyword(item: Any) -> Keyword:
    if isinstance(item, str):
        return Keyword(item)
    return Keyword(item["phrase"], tuple(item.get("context", ())), bool(item.get("negation")))


def row_to_spec(row: dict[str, Any]) -> CodeSpec:
    return CodeSpec(
        id=row["id"],
        label=row["label"],
        parent=row["parent"],
        description=row["description"],
        include=row["include"],
        exclude=row["exclude"],
        examples=tuple(json.loads(row["examples"])),
        keywords=tuple(_keyword(k) for k in json.loads(row["keywords"])),
        color=row["color"],
        survey_spor=row["survey_spor"],
        attributes=json.loads(row["attributes"]),
        codable=bool(row["codable"]),
    )


def code_rows(project: Project, *, include_retired: bool = True) -> list[dict[str, Any]]:
    where = "" if include_retired else "WHERE retired = 0"
    cur = project.conn.execute(f"SELECT {_COLUMNS} FROM codes {where} ORDER BY sort_order, id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def code_row(project: Project, code_id: str) -> dict[str, Any]:
    cur = project.conn.execute(f"SELECT {_COLUMNS} FROM codes WHERE id = ?", [code_id])
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"no code {code_id!r} in the project's codebook")
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def active_codebook_info(project: Project) -> dict[str, Any] | None:
    cur = project.conn.execute(
        "SELECT id, name, source, content, loaded_at FROM codebooks WHERE active = 1"
        " ORDER BY id DESC LIMIT 1"
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def codebook_versions(project: Project) -> list[dict[str, Any]]:
    cur = project.conn.execute(
        "SELECT id, name, source, loaded_at, active FROM codebooks ORDER BY id"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def store_codebook(
    project: Project, rec: Recorder, codebook: Codebook, content: str
) -> dict[str, int]:
    """Make `codebook` the project's active codebook (inside the caller's action).

    Codes of the new codebook are added or updated; codes no longer in it are retired, not
    deleted, so no coding is ever lost. Returns counts of added, updated and retired codes.
    """
    from frisat_qual.store.documents import now_utc

    conn = project.conn
    conn.execute("UPDATE codebooks SET active = 0")
    conn.execute(
        "INSERT INTO codebooks (name, source, content, loaded_at, active) VALUES (?,?,?,?,1)",
        [f"{codebook.id}: {codebook.name}", codebook.source, content, now_utc()],
    )
    existing = {r["id"]: r for r in code_rows(project)}
    counts = {"added": 0, "updated": 0, "retired": 0}
    # parents first so the foreign key holds while inserting
    for order, spec in enumerate(codebook.codes):
        row = spec_to_row(spec, order)
        if spec.id in existing:
            old = existing[spec.id]
            changed = {k: v for k, v in row.items() if old.get(k) != v}
            if old["retired"]:
                changed["retired"] = 0
            if changed:
                rec.update("codes", spec.id, changed)
                counts["updated"] += 1
        else:
            rec.insert("codes", {**row, "parent": None})
            counts["added"] += 1
    for spec in codebook.codes:
        if spec.parent and spec.id not in existing:
            rec.update("codes", spec.id, {"parent": spec.parent})
    new_ids = {c.id for c in codebook.codes}
    for code_id, old in existing.items():
        if code_id not in new_ids and not old["retired"]:
            rec.update("codes", code_id, {"retired": 1})
            counts["retired"] += 1
    return counts
