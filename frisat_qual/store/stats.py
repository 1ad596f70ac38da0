"""Counts that describe a project at a glance (`frisat-qual info`)."""

from __future__ import annotations

from frisat_qual.store.project import Project


def project_stats(project: Project) -> dict[str, int]:
    one = lambda sql: project.conn.execute(sql).fetchone()[0] or 0  # noqa: E731
    current = "document_id IN (SELECT id FROM documents WHERE is_current = 1)"
    return {
        "documents": one("SELECT COUNT(*) FROM documents WHERE is_current = 1"),
        "old_versions": one("SELECT COUNT(*) FROM documents WHERE is_current = 0"),
        "words": one("SELECT SUM(words) FROM documents WHERE is_current = 1"),
        "turns": one(f"SELECT COUNT(*) FROM turns WHERE {current}"),
        "segments": one(f"SELECT COUNT(*) FROM segments WHERE {current}"),
        "cases": one("SELECT COUNT(*) FROM cases"),
        "codes": one("SELECT COUNT(*) FROM codes WHERE retired = 0"),
        "codings": one("SELECT COUNT(*) FROM codings"),
        "memos": one("SELECT COUNT(*) FROM memos"),
    }


def change_marker(project: Project) -> tuple[int, int]:
    """Changes to the project so far: rows this connection changed, and SQLite's
    data_version, which moves when another connection (window, CLI) commits. Equal
    markers mean nothing needs redrawing."""
    version = project.conn.execute("PRAGMA data_version").fetchone()[0]
    return project.conn.total_changes, version


def resolution_count(project: Project) -> int:
    """How many disagreement resolutions (and adopted agreements) the project records."""
    return project.conn.execute("SELECT COUNT(*) FROM resolutions").fetchone()[0]
