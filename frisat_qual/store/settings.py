"""Project settings (key/value) and the audit allow-list."""

from __future__ import annotations

from frisat_qual.store.project import Project


def get_setting(project: Project, key: str, default: str | None = None) -> str | None:
    row = project.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_setting(project: Project, key: str, value: str) -> None:
    with project.transaction():
        project.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def audit_allow_list(project: Project) -> list[str]:
    return [r[0] for r in project.conn.execute("SELECT term FROM audit_allow ORDER BY term")]


def allow_terms(project: Project, terms: list[str]) -> None:
    """Add terms the audit should never flag in this project (e.g. a pseudonym scheme)."""
    with project.transaction():
        project.conn.executemany(
            "INSERT OR IGNORE INTO audit_allow (term) VALUES (?)",
            [(t.strip(),) for t in terms if t.strip()],
        )
