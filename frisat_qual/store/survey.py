"""Survey waves and their respondents, ratings and open comments.

A wave is one imported round of the survey. Each respondent belongs to a case (made by the
importer), and the respondent's attributes are that case's attributes, so the survey and
the coded interviews are broken down by the same rolle, kommune and omraade. Functions
that write expect to run inside `project.transaction()`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from frisat_qual.errors import NotFound
from frisat_qual.models import Respondent, SurveyWave
from frisat_qual.store.cases import all_case_attributes
from frisat_qual.store.documents import now_utc
from frisat_qual.store.project import Project

_WAVE_COLUMNS = (
    "w.id, w.name, w.date, w.source_name, w.content_hash, w.imported_at,"
    " (SELECT COUNT(*) FROM respondents r WHERE r.wave_id = w.id)"
)


def insert_wave(
    project: Project,
    *,
    name: str,
    date: str,
    source_name: str,
    content_hash: str,
    respondents: Iterable[Respondent],
) -> int:
    """Store a new wave with its respondents, their ratings and comments; returns its id.

    The respondents' `id` and `wave` are ignored; their `case_id` and `comment_documents`
    must name existing rows. Call inside `project.transaction()`.
    """
    conn = project.conn
    wave_id = conn.execute(
        "INSERT INTO survey_waves (name, date, source_name, content_hash, imported_at)"
        " VALUES (?,?,?,?,?)",
        [name, date, source_name, content_hash, now_utc()],
    ).lastrowid
    for respondent in respondents:
        row_id = conn.execute(
            "INSERT INTO respondents (wave_id, respondent_id, case_id) VALUES (?,?,?)",
            [wave_id, respondent.respondent_id, respondent.case_id],
        ).lastrowid
        conn.executemany(
            "INSERT INTO survey_ratings (respondent, item, value) VALUES (?,?,?)",
            [(row_id, item, value) for item, value in respondent.ratings.items()],
        )
        conn.executemany(
            "INSERT INTO survey_comments (respondent, spor, text, document_id) VALUES (?,?,?,?)",
            [
                (row_id, spor, text, respondent.comment_documents.get(spor))
                for spor, text in respondent.comments.items()
            ],
        )
    return wave_id


def list_waves(project: Project) -> list[SurveyWave]:
    """The project's survey waves, oldest first (by date, then by import order)."""
    rows = project.conn.execute(
        f"SELECT {_WAVE_COLUMNS} FROM survey_waves w ORDER BY w.date, w.id"
    ).fetchall()
    return [SurveyWave(*row) for row in rows]


def find_wave(project: Project, name: str) -> SurveyWave | None:
    row = project.conn.execute(
        f"SELECT {_WAVE_COLUMNS} FROM survey_waves w WHERE w.name = ?", [name]
    ).fetchone()
    return SurveyWave(*row) if row else None


def get_wave(project: Project, name: str) -> SurveyWave:
    """The wave called `name`; NotFound names the waves there are."""
    wave = find_wave(project, name)
    if wave is None:
        names = [w.name for w in list_waves(project)]
        there = f"the waves are {', '.join(names)}" if names else "it has no survey yet"
        raise NotFound(f"no survey wave {name!r} in {project.path.name} ({there})")
    return wave


def latest_wave(project: Project) -> SurveyWave | None:
    """The wave with the latest date (the one imported last among equal dates)."""
    waves = list_waves(project)
    return waves[-1] if waves else None


def list_respondents(project: Project, wave: str | None = None) -> list[Respondent]:
    """The respondents of `wave` (default: the latest wave) in the order of the file.

    Empty when the project has no survey. Ratings come in the order they were stored (the
    questionnaire's); unanswered items are absent from `ratings`.
    """
    found = get_wave(project, wave) if wave is not None else latest_wave(project)
    if found is None:
        return []
    conn = project.conn
    rows = conn.execute(
        "SELECT id, respondent_id, case_id FROM respondents WHERE wave_id = ? ORDER BY id",
        [found.id],
    ).fetchall()
    ratings: dict[int, dict[str, int]] = {}
    for respondent, item, value in conn.execute(
        "SELECT t.respondent, t.item, t.value FROM survey_ratings t"
        " JOIN respondents r ON r.id = t.respondent WHERE r.wave_id = ? ORDER BY t.rowid",
        [found.id],
    ):
        ratings.setdefault(respondent, {})[item] = value
    comments: dict[int, dict[str, str]] = {}
    documents: dict[int, dict[str, int]] = {}
    for respondent, spor, text, document_id in conn.execute(
        "SELECT c.respondent, c.spor, c.text, c.document_id FROM survey_comments c"
        " JOIN respondents r ON r.id = c.respondent WHERE r.wave_id = ?",
        [found.id],
    ):
        comments.setdefault(respondent, {})[spor] = text
        if document_id is not None:
            documents.setdefault(respondent, {})[spor] = document_id
    attributes = all_case_attributes(project)
    return [
        Respondent(
            id=row_id,
            respondent_id=respondent_id,
            wave=found.name,
            attributes=dict(attributes.get(case_id, {})) if case_id is not None else {},
            ratings=ratings.get(row_id, {}),
            comments=comments.get(row_id, {}),
            comment_documents=documents.get(row_id, {}),
            case_id=case_id,
        )
        for row_id, respondent_id, case_id in rows
    ]


def comment_document_refs(project: Project) -> dict[int, tuple[str, str, str]]:
    """Every survey comment that is a document: document id -> (wave name, respondent_id,
    spor), ordered by wave (oldest first), then respondent (the file's order), so lists
    such as the document tree can group the comments without parsing document names."""
    rows = project.conn.execute(
        "SELECT c.document_id, w.name, r.respondent_id, c.spor FROM survey_comments c"
        " JOIN respondents r ON r.id = c.respondent JOIN survey_waves w ON w.id = r.wave_id"
        " WHERE c.document_id IS NOT NULL ORDER BY w.date, w.id, r.id, c.spor"
    ).fetchall()
    return {
        document_id: (wave, respondent_id, spor) for document_id, wave, respondent_id, spor in rows
    }


def delete_wave(project: Project, name: str, *, keep_documents: Collection[int] = ()) -> int:
    """Delete wave `name` with its respondents, ratings and comments.

    The documents made from its comments are not deleted but become old versions (as a
    re-imported transcript's do), so codings and memos on them stay and no document id is
    ever reused while a window may still show it; those in `keep_documents` stay current
    (the caller links them again). Respondent cases that nothing uses any more are
    deleted. Returns how many documents became old versions. Call inside a transaction.
    """
    conn = project.conn
    wave = get_wave(project, name)
    document_ids = [
        r[0]
        for r in conn.execute(
            "SELECT c.document_id FROM survey_comments c JOIN respondents r"
            " ON r.id = c.respondent WHERE r.wave_id = ? AND c.document_id IS NOT NULL",
            [wave.id],
        )
        if r[0] not in keep_documents
    ]
    case_ids = {
        r[0]
        for r in conn.execute(
            "SELECT case_id FROM respondents WHERE wave_id = ? AND case_id IS NOT NULL",
            [wave.id],
        )
    }
    conn.execute("DELETE FROM survey_waves WHERE id = ?", [wave.id])
    conn.executemany(
        "UPDATE documents SET is_current = 0 WHERE id = ?", [(d,) for d in document_ids]
    )
    for case_id in case_ids:
        conn.execute(
            "DELETE FROM cases WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM documents WHERE case_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM respondents WHERE case_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM memos WHERE target_type = 'case' AND target_id = ?)",
            [case_id, case_id, case_id, str(case_id)],
        )
    return len(document_ids)
