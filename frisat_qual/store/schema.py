"""Schema and forward migrations of the project file (sqlite-utils Migrations).

Add a new migration function at the end for every schema change; never edit one that has
shipped. `schema_version(db)` is the number of migrations applied.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("frisat_qual")


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run several SQL statements inside the caller's transaction.

    `executescript` would commit the migration's transaction first, so a failed migration
    could leave half a schema behind; this runs one complete statement at a time instead.
    """
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:60]}")


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    run_script(
        db,
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE case_attributes (
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (case_id, name)
        );
        CREATE INDEX case_attributes_name ON case_attributes(name, value);

        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            source_name TEXT NOT NULL,
            format TEXT NOT NULL,
            encoding TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            is_current INTEGER NOT NULL DEFAULT 1,
            words INTEGER NOT NULL DEFAULT 0,
            case_id INTEGER REFERENCES cases(id),
            imported_at TEXT NOT NULL,
            UNIQUE (name, version)
        );
        CREATE INDEX documents_hash ON documents(content_hash);
        CREATE INDEX documents_case ON documents(case_id);

        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            speaker TEXT NOT NULL,
            role TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_start INTEGER NOT NULL,
            label_end INTEGER NOT NULL,
            t_start REAL,
            t_end REAL
        );
        CREATE INDEX turns_document ON turns(document_id, idx);

        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL,
            lemmas TEXT NOT NULL
        );
        CREATE INDEX segments_document ON segments(document_id, idx);

        CREATE VIRTUAL TABLE segments_fts USING fts5(
            text, content='segments', content_rowid='id',
            tokenize='unicode61 remove_diacritics 0'
        );
        -- new segments are indexed in bulk by insert_document (one statement per
        -- document is several times faster than a trigger per row); deletes and updates
        -- keep the index right through these triggers
        CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
            INSERT INTO segments_fts(segments_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER segments_au AFTER UPDATE ON segments BEGIN
            INSERT INTO segments_fts(segments_fts, rowid, text)
                VALUES ('delete', old.id, old.text);
            INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
        END;

        CREATE TABLE codebooks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            source TEXT,
            content TEXT NOT NULL,
            loaded_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE codes (
            id TEXT PRIMARY KEY,
            parent TEXT REFERENCES codes(id),
            label TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            include TEXT NOT NULL DEFAULT '',
            exclude TEXT NOT NULL DEFAULT '',
            examples TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            color TEXT NOT NULL DEFAULT '#888888',
            survey_spor TEXT,
            attributes TEXT NOT NULL DEFAULT '{}',
            codable INTEGER NOT NULL DEFAULT 1,
            retired INTEGER NOT NULL DEFAULT 0,
            sort_order INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES codes(id),
            coder TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'manual'
                CHECK (origin IN ('manual', 'accepted-suggestion', 'imported')),
            created TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX codings_document ON codings(document_id, start);
        CREATE INDEX codings_code ON codings(code_id);

        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target_type TEXT NOT NULL
                CHECK (target_type IN ('project', 'document', 'code', 'coding', 'case')),
            target_id TEXT NOT NULL,
            author TEXT NOT NULL,
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX memos_target ON memos(target_type, target_id);

        CREATE TABLE audit_allow (term TEXT PRIMARY KEY);
        """,
    )


@MIGRATIONS()
def m002_journal(db: sqlite_utils.Database) -> None:
    """The action journal behind undo/redo and the codebook history."""
    run_script(
        db,
        """
        CREATE TABLE journal (
            id INTEGER PRIMARY KEY,
            coder TEXT NOT NULL,
            kind TEXT NOT NULL,
            label TEXT NOT NULL,
            changes TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL
        );
        CREATE INDEX journal_coder ON journal(coder, undone, id);
        """,
    )


def schema_version(db: sqlite_utils.Database) -> int:
    """How many schema migrations this project has applied."""
    return len(MIGRATIONS.applied(db))


@MIGRATIONS()
def m003_suggestions(db: sqlite_utils.Database) -> None:
    """Code suggestions awaiting review, and the suggestion model's training runs.

    A suggestion is never a coding: accepting one makes a coding (origin
    "accepted-suggestion") and links it here. One row per (segment, code): a reviewed row
    stays, so a rejected code is never suggested again for that segment. Deleting the coding
    of an accepted suggestion (undo, or removing it) returns the suggestion to review.
    Models are not stored, only each training run's settings and metrics.
    """
    run_script(
        db,
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES codes(id),
            score REAL NOT NULL,
            evidence TEXT NOT NULL DEFAULT '{}',
            model_version TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'accepted', 'rejected')),
            created TEXT NOT NULL,
            reviewed_by TEXT,
            reviewed_at TEXT,
            coding_id INTEGER REFERENCES codings(id) ON DELETE SET NULL,
            UNIQUE (segment_id, code_id)
        );
        CREATE INDEX suggestions_document ON suggestions(document_id, status, start);
        CREATE INDEX suggestions_status ON suggestions(status, score);
        CREATE INDEX suggestions_coding ON suggestions(coding_id);

        CREATE TRIGGER suggestions_coding_deleted BEFORE DELETE ON codings BEGIN
            UPDATE suggestions
               SET status = 'pending', reviewed_by = NULL, reviewed_at = NULL,
                   coding_id = NULL
             WHERE coding_id = old.id;
        END;

        CREATE TABLE suggest_models (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL,
            trained_at TEXT NOT NULL,
            settings TEXT NOT NULL DEFAULT '{}',
            metrics TEXT NOT NULL DEFAULT '{}'
        );
        """,
    )


@MIGRATIONS()
def m004_unit_bounds(db: sqlite_utils.Database) -> None:
    """Indexes that hold the character bounds of segments and turns, so reports map
    codings to units from the index alone instead of reading every segment's text."""
    run_script(
        db,
        """
        DROP INDEX segments_document;
        CREATE INDEX segments_document ON segments(document_id, idx, start, "end");
        DROP INDEX turns_document;
        CREATE INDEX turns_document ON turns(document_id, idx, start, "end");
        """,
    )


@MIGRATIONS()
def m005_survey(db: sqlite_utils.Database) -> None:
    """Survey waves, their respondents, ratings (1-10) and open comments.

    A respondent belongs to a case like an interview does, so survey answers and coded
    interviews meet through case attributes. Ratings hold only the items answered; an open
    comment links to the project document made from it, so it can be coded.
    """
    run_script(
        db,
        """
        CREATE TABLE survey_waves (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            date TEXT NOT NULL,
            source_name TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );

        CREATE TABLE respondents (
            id INTEGER PRIMARY KEY,
            wave_id INTEGER NOT NULL REFERENCES survey_waves(id) ON DELETE CASCADE,
            respondent_id TEXT NOT NULL,
            case_id INTEGER REFERENCES cases(id),
            UNIQUE (wave_id, respondent_id)
        );
        CREATE INDEX respondents_case ON respondents(case_id);

        CREATE TABLE survey_ratings (
            respondent INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            item TEXT NOT NULL,
            value INTEGER NOT NULL
                CHECK (typeof(value) = 'integer' AND value BETWEEN 1 AND 10),
            PRIMARY KEY (respondent, item)
        );

        CREATE TABLE survey_comments (
            respondent INTEGER NOT NULL REFERENCES respondents(id) ON DELETE CASCADE,
            spor TEXT NOT NULL,
            text TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            PRIMARY KEY (respondent, spor)
        );
        CREATE INDEX survey_comments_document ON survey_comments(document_id);
        """,
    )


@MIGRATIONS()
def m006_resolutions(db: sqlite_utils.Database) -> None:
    """Decisions on disagreements between two coders, and the agreed units adopted into the
    consensus coding (recorded as keep-a of the lead coder; frisat_qual.agreement).

    A row names the unit (document and character bounds of the segment), the code, the
    coder pair (sorted), the decision, the consensus coder written to, the consensus codings
    the decision stands for and those it added (JSON lists of coding ids), the discussion
    memo, who resolved it and when. The coders' own codings are never changed, so agreement
    between them stays reproducible. Re-resolving a unit replaces its row.
    """
    run_script(
        db,
        """
        CREATE TABLE resolutions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code_id TEXT NOT NULL REFERENCES codes(id),
            coder_a TEXT NOT NULL,
            coder_b TEXT NOT NULL,
            decision TEXT NOT NULL
                CHECK (decision IN ('keep-a', 'keep-b', 'keep-both', 'discuss')),
            consensus TEXT NOT NULL,
            memo_id INTEGER REFERENCES memos(id) ON DELETE SET NULL,
            codings TEXT NOT NULL DEFAULT '[]',
            added TEXT NOT NULL DEFAULT '[]',
            resolved_by TEXT NOT NULL,
            created TEXT NOT NULL,
            CHECK (coder_a < coder_b),
            UNIQUE (document_id, start, "end", code_id, coder_a, coder_b)
        );
        CREATE INDEX resolutions_pair ON resolutions(coder_a, coder_b, document_id);
        """,
    )
