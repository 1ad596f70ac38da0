"""Cases (the interviewed unit) and their attributes: rolle, kommune, omraade and any other."""

from __future__ import annotations

from collections.abc import Mapping

from frisat_qual.models import Case
from frisat_qual.store.project import Project


def upsert_case(project: Project, name: str, attributes: Mapping[str, str]) -> int:
    """The id of case `name`, created if new; given attributes overwrite stored ones.

    Call inside a transaction. Empty values remove the attribute.
    """
    conn = project.conn
    row = conn.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
    case_id = (
        row[0] if row else conn.execute("INSERT INTO cases (name) VALUES (?)", [name]).lastrowid
    )
    for key, value in attributes.items():
        if value is None or str(value).strip() == "":
            conn.execute(
                "DELETE FROM case_attributes WHERE case_id = ? AND name = ?", [case_id, key]
            )
        else:
            conn.execute(
                "INSERT INTO case_attributes (case_id, name, value) VALUES (?,?,?)"
                " ON CONFLICT(case_id, name) DO UPDATE SET value = excluded.value",
                [case_id, key, str(value).strip()],
            )
    return case_id


def list_cases(project: Project) -> list[Case]:
    attrs = all_case_attributes(project)
    rows = project.conn.execute("SELECT id, name FROM cases ORDER BY name").fetchall()
    return [Case(i, n, attrs.get(i, {})) for i, n in rows]


def all_case_attributes(project: Project) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for case_id, name, value in project.conn.execute(
        "SELECT case_id, name, value FROM case_attributes ORDER BY case_id, name"
    ):
        out.setdefault(case_id, {})[name] = value
    return out


def attribute_names(project: Project) -> list[str]:
    return [
        r[0]
        for r in project.conn.execute("SELECT DISTINCT name FROM case_attributes ORDER BY name")
    ]
