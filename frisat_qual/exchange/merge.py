"""Merge two coders' copies of one study into a new project (`frisat-qual merge A B -o OUT`).

Two researchers often code their own copies of the same project; the merge brings both
codings into one project so they can be compared (`frisat-qual agreement`) and analysed
together. The rules, chosen so that nothing either coder made is lost or changed unseen:

- A and B are never written. Each is copied with SQLite's backup API (a consistent
  snapshot, even while a window has it open); OUT is built in a temporary file next to it
  from A's copy plus B's additions and takes its name only when complete, so a failed merge
  leaves nothing behind. OUT must not exist yet.
- Settings, audit allow-list and codebook versions: the union. A setting both set
  differently (e.g. the title) keeps A's value and is listed as a conflict. A's active
  codebook stays active (B's when A has none); B's other codebook versions are added as
  inactive history.
- Codes are reconciled by id. The same id with the same definition is one code. The same id
  with a different label, parent, description, include/exclude rules, examples, keywords,
  colour, spor, attributes, codable or retired flag is a conflict, listed field by field:
  A's definition is kept, and B's is written into a memo on the code (author "merge"), so
  it stays in the project. Codes only in B are added, with their parents, after A's codes.
- Cases are matched by name. Cases only in B are added; an attribute only B has is added; an
  attribute both have with different values keeps A's value and is listed as a conflict.
- Documents (every version) are matched by their text (content hash, then the text itself
  compared): a B document maps onto the A document of the same name and text; each A
  document takes at most one B document. A document of another name with that text is
  taken only for a renamed transcript: when it is the only one, neither name is used by
  the other project, and it is not a survey comment (short comments repeat). A B document
  whose name A uses for another text is a conflict: both are kept, B's under a distinct
  name ("name (B)"), with its version numbers, turns, segments and full-text index, and
  B's codings go with it. Documents only in B are added under their own name, in their
  case (matched by name). A match that differs in name, current version, case or speaker
  roles (who is the interviewer) is listed too; A's are kept.
- Codings keep their coder, origin and time. A coding of B identical to one of A (same
  document, span, code and coder) is not duplicated. The same coder with different codings
  of one document in A and B is normal (both are kept) but listed: it usually means someone
  coded in both copies.
- Memos are all kept, on the mapped target (document, code, coding or case). Identical
  memos (same target and author, and the same text, or A's text going on after B's on a
  new line, as when A's author added to it later, or B's text added by an earlier merge)
  are merged; the same author's memo on one target with other texts becomes one memo
  with A's text first and B's after, since a coder has one memo per target; that is
  listed as a conflict. A text found inside A's is not the same memo ("relevant" is in
  "ikke relevant"). A memo whose target is not in OUT becomes a project memo that says
  what it was written on. The merge's own memo on a conflicting code is one per code:
  merging again adds nothing, another copy's version is added to it.
- Survey waves are matched by name and answers (content hash). A wave of the same name with
  other answers is a conflict: B's is added as "name (B)". Respondents go to their case
  (matched by name); comments link to the mapped comment documents.
- Resolutions of disagreements (`frisat-qual resolve`): B's are added on the mapped
  document, codings and memo unless A resolved the same unit, code and coder pair; a
  different decision there keeps A's and is listed as a conflict, and the consensus
  codings B's decision added are left out (they would contradict A's decision), unless
  another of B's decisions stands on them.
- Suggestions: A's are kept. B's reviewed (accepted or rejected) suggestions are added when
  their segment is in OUT and A has none for that segment and code, so a code B rejected
  is not suggested again; B's pending suggestions are dropped (run `suggest` again), as are
  B's training-run records and B's undo journal (its row ids do not exist in OUT). A's
  journal is kept, so A's actions can still be undone in OUT.
- A table of B this version of frisat-qual does not know how to merge is listed, with its
  row count, never dropped silently.

`merge_projects` returns a `MergeReport`: counts per category (from A only, from B only,
matched in both; they add up to OUT's rows), the conflicts, every coder's codings from
each side, the coders found with different codings of one document on both sides, and notes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frisat_qual.errors import FrisatError, ProjectError
from frisat_qual.store import Project, open_project
from frisat_qual.store.copying import (
    copy_document,
    document_rows,
    foreign_key_problems,
    insert_row,
    insert_rows,
    rows_of,
    same_text,
    segment_keys,
    snapshot_project,
    table_sizes,
    update_row,
)
from frisat_qual.store.documents import now_utc, speakers_of
from frisat_qual.store.resolutions import listed_codings_by_resolution
from frisat_qual.survey import COMMENT_FORMAT
from frisat_qual.tempfiles import remove_with_sidecars, temp_beside

Progress = Callable[[int, int, str], None]

#: Author of the memos in which the merge records B's version of a conflicting code.
MERGE_AUTHOR = "merge"
#: The categories of the report, in the order they are printed.
CATEGORIES = (
    "settings",
    "audit terms",
    "codebook versions",
    "codes",
    "cases",
    "case attributes",
    "documents",
    "codings",
    "memos",
    "survey waves",
    "respondents",
    "suggestions",
    "resolutions",
)
#: Code fields whose difference is a conflict (sort_order only places a code in its list).
CODE_FIELDS = (
    "label",
    "parent",
    "description",
    "include",
    "exclude",
    "examples",
    "keywords",
    "color",
    "survey_spor",
    "attributes",
    "codable",
    "retired",
)
_JSON_FIELDS = ("examples", "keywords", "attributes")
_FLAG_FIELDS = ("codable", "retired")
#: Tables merged by the rules above, or rebuilt with the documents (turns, segments).
_MERGED = {
    "settings",
    "audit_allow",
    "codebooks",
    "codes",
    "cases",
    "case_attributes",
    "documents",
    "turns",
    "segments",
    "codings",
    "memos",
    "survey_waves",
    "respondents",
    "survey_ratings",
    "survey_comments",
    "suggestions",
    "suggest_models",
    "journal",
    "resolutions",
}


@dataclass
class Tally:
    """Rows of one category: only in A, added from B, and matched in both (one row in OUT)."""

    from_a: int = 0
    from_b: int = 0
    both: int = 0

    @property
    def total(self) -> int:
        return self.from_a + self.from_b + self.both


@dataclass(frozen=True)
class Conflict:
    """Something A and B hold differently, and what the merge did about it.

    `kind` is "code", "document", "case", "wave", "memo", "resolution" or "setting";
    `subject` names the thing, `field` what differs, `a` and `b` the two values.
    """

    kind: str
    subject: str
    field: str
    a: str
    b: str
    resolution: str


@dataclass
class CoderCounts:
    """One coder's codings: in A, in B, identical in both, and so in OUT."""

    a: int = 0
    b: int = 0
    both: int = 0
    #: B's consensus codings of decisions A made otherwise (A's decision wins)
    left_out: int = 0

    @property
    def total(self) -> int:
        return self.a + self.b - self.both - self.left_out


@dataclass(frozen=True)
class CoderOverlap:
    """A coder with different codings of one document in A and in B (all kept in OUT)."""

    coder: str
    document: str
    only_a: int
    only_b: int
    both: int


@dataclass
class MergeReport:
    """What a merge did: see the module docstring."""

    a: str
    b: str
    out: str
    counts: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CATEGORIES})
    conflicts: list[Conflict] = field(default_factory=list)
    coders: dict[str, CoderCounts] = field(default_factory=dict)
    overlaps: list[CoderOverlap] = field(default_factory=list)
    #: memos the merge wrote itself (B's version of each conflicting code)
    merge_memos: int = 0
    notes: list[str] = field(default_factory=list)

    def conflicts_of(self, kind: str) -> list[Conflict]:
        return [c for c in self.conflicts if c.kind == kind]

    def lines(self) -> list[str]:
        """The report as plain text lines."""
        out = [f"merged {self.a} (A) and {self.b} (B) into {self.out}", ""]
        out.append(f"{'':<18} {'from A':>8} {'from B':>8} {'in both':>8} {'in OUT':>8}")
        for name, t in self.counts.items():
            out.append(f"{name:<18} {t.from_a:>8,} {t.from_b:>8,} {t.both:>8,} {t.total:>8,}")
        if self.merge_memos:
            out.append(f"{'':<18} + {self.merge_memos} memo(s) by {MERGE_AUTHOR!r} on codes")
        out += ["", "codings by coder:"]
        out.append(f"  {'coder':<16} {'in A':>8} {'in B':>8} {'in both':>8} {'in OUT':>8}")
        for coder, c in self.coders.items():
            out.append(f"  {coder:<16} {c.a:>8,} {c.b:>8,} {c.both:>8,} {c.total:>8,}")
        out += ["", f"conflicts: {len(self.conflicts)}"]
        for c in self.conflicts:
            out.append(
                f"  {c.kind} {c.subject}, {c.field}: A {_clip(c.a)} | B {_clip(c.b)}"
                f" -> {c.resolution}"
            )
        if self.overlaps:
            out += ["", "same coder, different codings of a document in A and B (all kept):"]
            for o in self.overlaps:
                out.append(
                    f"  {o.coder} on {o.document}: {o.only_a} only in A, {o.only_b} only in B,"
                    f" {o.both} in both"
                )
        if self.notes:
            out += ["", "notes:"] + [f"  {n}" for n in self.notes]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "out": self.out,
            "counts": {
                name: {"from_a": t.from_a, "from_b": t.from_b, "both": t.both, "total": t.total}
                for name, t in self.counts.items()
            },
            "merge_memos": self.merge_memos,
            "coders": {
                coder: {
                    "a": c.a,
                    "b": c.b,
                    "both": c.both,
                    "left_out": c.left_out,
                    "total": c.total,
                }
                for coder, c in self.coders.items()
            },
            "conflicts": [
                {
                    "kind": c.kind,
                    "subject": c.subject,
                    "field": c.field,
                    "a": c.a,
                    "b": c.b,
                    "resolution": c.resolution,
                }
                for c in self.conflicts
            ],
            "same_coder_both_sides": [
                {
                    "coder": o.coder,
                    "document": o.document,
                    "only_a": o.only_a,
                    "only_b": o.only_b,
                    "both": o.both,
                }
                for o in self.overlaps
            ],
            "notes": list(self.notes),
        }


def _clip(text: str, width: int = 60) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


def merge_projects(
    a_path: str | Path,
    b_path: str | Path,
    out_path: str | Path,
    *,
    progress: Progress | None = None,
) -> MergeReport:
    """Merge projects A and B into the new project OUT (see the module docstring)."""
    a_path, b_path, out_path = Path(a_path), Path(b_path), Path(out_path)
    for path in (a_path, b_path):
        if not path.exists():
            raise ProjectError(f"{path}: no such project file")
        if not path.is_file():
            raise ProjectError(f"{path}: not a project file (a folder)")
    if a_path.resolve() == b_path.resolve() or os.path.samefile(a_path, b_path):
        raise ProjectError(f"{a_path} and {b_path} are the same file; give two projects")
    if out_path.exists():
        raise ProjectError(f"{out_path}: a file of that name exists already")
    if not out_path.parent.is_dir():
        raise ProjectError(f"{out_path}: folder {out_path.parent} does not exist")

    tmp = temp_beside(out_path, "merge.tmp")
    b_copy = temp_beside(out_path, "b.tmp")
    try:
        snapshot_project(a_path, tmp)
        snapshot_project(b_path, b_copy)
        labels = (a_path.name, b_path.name)
        if labels[0] == labels[1]:  # two coders' folders with the same file name
            labels = (str(a_path), str(b_path))
        report = MergeReport(labels[0], labels[1], str(out_path))
        out = _open_copy(tmp, a_path)
        try:
            b = _open_copy(b_copy, b_path)
            try:
                with out.transaction():
                    _Merger(out, b, report, progress).run()
            finally:
                b.close()
            out.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:  # e.g. the disk is full
            raise ProjectError(f"{out_path}: the merge failed ({exc}); nothing written") from None
        except sqlite3.DatabaseError as exc:  # a damaged A or B: its copy cannot be read
            raise ProjectError(
                f"{a_path.name} or {b_path.name} is damaged ({exc}); run `frisat-qual check`"
                " on each, nothing written"
            ) from None
        finally:
            out.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        _move_into_place(tmp, out_path)
    except BaseException:
        remove_with_sidecars(tmp, b_copy)
        raise
    remove_with_sidecars(b_copy)
    return report


def _open_copy(copy: Path, source: Path) -> Project:
    """Open (and so migrate) the copy of a project; errors name the project, not the copy."""
    try:
        return open_project(copy)
    except ProjectError as exc:
        raise ProjectError(str(exc).replace(str(copy), str(source))) from None


def _move_into_place(tmp: Path, out_path: Path) -> None:
    """Give the finished file its name, never replacing a file made there meanwhile."""
    try:
        os.link(tmp, out_path)
    except FileExistsError:
        raise ProjectError(f"{out_path}: a file of that name exists already") from None
    except OSError:  # a file system without hard links
        if out_path.exists():
            raise ProjectError(f"{out_path}: a file of that name exists already") from None
        os.replace(tmp, out_path)
        return
    tmp.unlink()


class _Merger:
    """One merge: adds B's rows to OUT (a copy of A) and fills the report."""

    def __init__(self, out: Project, b: Project, report: MergeReport, progress: Progress | None):
        self.out = out
        self.b = b
        self.report = report
        self.progress = progress
        self.case_map: dict[int, int] = {}
        self.doc_map: dict[int, int] = {}
        self.segment_maps: dict[int, dict[int, int]] = {}  # B document -> B segment -> OUT
        self.coding_map: dict[int, int] = {}
        self.left_out: set[int] = set()  # B's codings not carried over (see codings)
        self.b_listed: dict[str, dict[int, set[int]]] = {}
        self.memo_map: dict[int, int] = {}
        self.b_codes: set[str] = set()
        self.code_conflicts: dict[str, list[tuple[str, Any, Any]]] = {}
        self.done = 0
        self.total = 0
        self.broken_in_a: set[str] = set()

    # -- helpers -------------------------------------------------------------------------

    def _conflict(self, kind: str, subject: str, field_: str, a: Any, b: Any, how: str) -> None:
        self.report.conflicts.append(Conflict(kind, subject, field_, str(a), str(b), how))

    def _tick(self, name: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, name)

    @property
    def a_name(self) -> str:
        return self.report.a

    @property
    def b_name(self) -> str:
        return self.report.b

    # -- the steps -----------------------------------------------------------------------

    def run(self) -> None:
        self.broken_in_a = set(foreign_key_problems(self.out))
        b_documents = document_rows(self.b)
        steps = [
            ("settings", self.settings),
            ("codebook", self.codebook),
            ("cases", self.cases),
            ("documents", lambda: self.documents(b_documents)),
            ("codings", self.codings),
            ("memos", self.memos),
            ("survey", self.survey),
            ("suggestions", self.suggestions),
            ("resolutions", self.resolutions),
            ("checks", self.finish),
        ]
        self.total = len(steps) - 1 + len(b_documents)
        for name, step in steps:
            step()
            if name != "documents":
                self._tick(name)

    def settings(self) -> None:
        tally = self.report.counts["settings"]
        mine = {r["key"]: r["value"] for r in rows_of(self.out, "settings")}
        for row in rows_of(self.b, "settings"):
            key, value = row["key"], row["value"]
            if key not in mine:
                insert_row(self.out, "settings", row)
                tally.from_b += 1
            elif mine[key] == value:
                tally.both += 1
            else:
                self._conflict("setting", key, "value", mine[key], value, "A's kept")
        tally.from_a = len(mine) - tally.both

        tally = self.report.counts["audit terms"]
        terms = {r["term"] for r in rows_of(self.out, "audit_allow")}
        for row in rows_of(self.b, "audit_allow"):
            if row["term"] in terms:
                tally.both += 1
            else:
                insert_row(self.out, "audit_allow", row)
                tally.from_b += 1
        tally.from_a = len(terms) - tally.both

    def codebook(self) -> None:
        tally = self.report.counts["codebook versions"]
        ours = rows_of(self.out, "codebooks")
        versions = {(r["name"], r["content"]) for r in ours}
        a_active = any(r["active"] for r in ours)
        for row in rows_of(self.b, "codebooks"):
            if (row["name"], row["content"]) in versions:
                tally.both += 1
                continue
            values = {k: v for k, v in row.items() if k != "id"}
            values["active"] = 0 if a_active else row["active"]
            insert_row(self.out, "codebooks", values)
            tally.from_b += 1
        tally.from_a = len(versions) - tally.both
        if tally.from_b:
            active = self.a_name if a_active else self.b_name
            self.report.notes.append(
                f"codebook versions: {tally.from_b} of {self.b_name} added to the history;"
                f" the active codebook is {active}'s"
            )

        tally = self.report.counts["codes"]
        mine = {r["id"]: r for r in rows_of(self.out, "codes")}
        last = max((r["sort_order"] for r in mine.values()), default=-1)
        added = []
        for rank, row in enumerate(rows_of(self.b, "codes"), start=1):
            self.b_codes.add(row["id"])
            ours = mine.get(row["id"])
            if ours is None:
                # parents are set once every new code exists (a parent may come later)
                insert_row(self.out, "codes", {**row, "parent": None, "sort_order": last + rank})
                added.append(row)
                tally.from_b += 1
                continue
            tally.both += 1
            differ = [f for f in CODE_FIELDS if not _same_field(f, ours[f], row[f])]
            for name in differ:
                self._conflict(
                    "code",
                    row["id"],
                    name,
                    _show(name, ours[name]),
                    _show(name, row[name]),
                    f"A's kept; B's in a memo on the code by {MERGE_AUTHOR!r}",
                )
            if differ:
                self.code_conflicts[row["id"]] = [(f, ours[f], row[f]) for f in differ]
        for row in added:
            if row["parent"] is not None:
                update_row(self.out, "codes", {"id": row["id"]}, {"parent": row["parent"]})
        tally.from_a = len(mine) - tally.both

    def cases(self) -> None:
        tally = self.report.counts["cases"]
        attr_tally = self.report.counts["case attributes"]
        mine = {r["name"]: r["id"] for r in rows_of(self.out, "cases")}
        values = {
            (r["case_id"], r["name"]): r["value"] for r in rows_of(self.out, "case_attributes")
        }
        b_attributes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows_of(self.b, "case_attributes"):
            b_attributes[row["case_id"]].append(row)
        for case in rows_of(self.b, "cases"):
            if case["name"] in mine:
                out_id = mine[case["name"]]
                tally.both += 1
            else:
                out_id = insert_row(self.out, "cases", {"name": case["name"]})
                tally.from_b += 1
            self.case_map[case["id"]] = out_id
            for attr in b_attributes[case["id"]]:
                ours = values.get((out_id, attr["name"]))
                if ours is None:
                    insert_row(
                        self.out,
                        "case_attributes",
                        {"case_id": out_id, "name": attr["name"], "value": attr["value"]},
                    )
                    attr_tally.from_b += 1
                elif ours == attr["value"]:
                    attr_tally.both += 1
                else:
                    self._conflict(
                        "case", case["name"], attr["name"], ours, attr["value"], "A's kept"
                    )
        tally.from_a = len(mine) - tally.both
        attr_tally.from_a = len(values) - attr_tally.both

    def documents(self, b_documents: list[dict[str, Any]]) -> None:
        tally = self.report.counts["documents"]
        mine = document_rows(self.out)
        by_hash: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for doc in mine:
            by_hash[doc["content_hash"]].append(doc)
        names_a = {d["name"] for d in mine}
        names_b = {d["name"] for d in b_documents}
        taken = names_a | names_b
        latest_a = {d["name"]: d for d in mine}  # rows come by version: the last one wins
        latest_b = {d["name"]: d for d in b_documents}
        case_names = {r["id"]: r["name"] for r in rows_of(self.out, "cases")}
        b_case_names = {r["id"]: r["name"] for r in rows_of(self.b, "cases")}
        used: set[int] = set()
        renamed: dict[str, str] = {}
        for doc in b_documents:
            candidates = by_hash.get(doc["content_hash"], [])
            match = self._match(doc, candidates, used, names_a, names_b)
            if match is not None:
                used.add(match["id"])
                self.doc_map[doc["id"]] = match["id"]
                tally.both += 1
                self._compare_matched(match, doc, case_names, b_case_names)
            else:
                name = doc["name"]
                if name in names_a:
                    if name not in renamed:
                        renamed[name] = _free_name(f"{name} (B)", taken)
                        taken.add(renamed[name])
                        self._conflict(
                            "document",
                            name,
                            "text",
                            _describe(latest_a[name]),
                            _describe(latest_b[name]),
                            f"both kept; B's as {renamed[name]!r}",
                        )
                    name = renamed[name]
                new_id, segments = copy_document(
                    self.b,
                    self.out,
                    doc["id"],
                    {"name": name, "case_id": self.case_map.get(doc["case_id"])},
                )
                self.doc_map[doc["id"]] = new_id
                self.segment_maps[doc["id"]] = segments
                tally.from_b += 1
            self._tick(doc["name"])
        tally.from_a = len(mine) - tally.both

    def _match(
        self,
        doc: dict[str, Any],
        candidates: list[dict[str, Any]],
        used: set[int],
        names_a: set[str],
        names_b: set[str],
    ) -> dict[str, Any] | None:
        """A's document with the same text as B's `doc`, not yet taken by another.

        One of the same name first (the same version, then the same current state, then
        the oldest). A document of another name only when it is the one such text, neither
        name is used by the other project (a renamed transcript), and neither is a survey
        comment: short comments ("Nej.") repeat, and a comment's name says whose it is.
        """
        free = [c for c in candidates if c["id"] not in used]
        named = sorted(
            (c for c in free if c["name"] == doc["name"]),
            key=lambda c: (
                c["version"] != doc["version"],
                c["is_current"] != doc["is_current"],
                c["id"],
            ),
        )
        for candidate in named:
            if same_text(self.out, candidate["id"], self.b, doc["id"]):
                return candidate
        if doc["name"] in names_a or doc["format"] == COMMENT_FORMAT:
            return None
        renamed = [
            c
            for c in free
            if c["name"] not in names_b
            and c["format"] != COMMENT_FORMAT
            and same_text(self.out, c["id"], self.b, doc["id"])
        ]
        return renamed[0] if len(renamed) == 1 else None

    def _compare_matched(
        self,
        ours: dict[str, Any],
        theirs: dict[str, Any],
        case_names: dict[int, str],
        b_case_names: dict[int, str],
    ) -> None:
        name = ours["name"]
        if ours["name"] != theirs["name"]:
            self._conflict(
                "document",
                name,
                "name",
                ours["name"],
                theirs["name"],
                "same text; A's name kept, B's codings and memos on it",
            )
        if bool(ours["is_current"]) != bool(theirs["is_current"]):
            self._conflict(
                "document",
                name,
                "version",
                _version(ours),
                _version(theirs),
                "same text; B's codings stay on this version",
            )
        case_a = case_names.get(ours["case_id"]) if ours["case_id"] else None
        case_b = b_case_names.get(theirs["case_id"]) if theirs["case_id"] else None
        if case_a != case_b:
            self._conflict("document", name, "case", case_a or "none", case_b or "none", "A's kept")
        # the same text has the same turns; who is the interviewer is a coder's setting
        roles_a, roles_b = speakers_of(self.out, ours["id"]), speakers_of(self.b, theirs["id"])
        if roles_a != roles_b:
            self._conflict(
                "document",
                name,
                "speaker roles",
                _roles(roles_a),
                _roles(roles_b),
                "A's kept (change with `frisat-qual speakers`)",
            )

    def codings(self) -> None:
        tally = self.report.counts["codings"]
        coders = self.report.coders
        mine: dict[tuple[Any, ...], int] = {}
        per_a: dict[tuple[str, int], set[tuple[Any, ...]]] = defaultdict(set)
        for row in rows_of(self.out, "codings"):
            key = (row["document_id"], row["start"], row["end"], row["code_id"], row["coder"])
            mine.setdefault(key, row["id"])
            per_a[row["coder"], row["document_id"]].add(key)
            coders.setdefault(row["coder"], CoderCounts()).a += 1
        stored: dict[tuple[Any, ...], int] = {}  # B's codings: where each is in OUT
        per_b: dict[tuple[str, int], set[tuple[Any, ...]]] = defaultdict(set)
        duplicates = 0
        overruled = self._overruled_consensus()
        for row in rows_of(self.b, "codings"):
            doc = self.doc_map[row["document_id"]]
            key = (doc, row["start"], row["end"], row["code_id"], row["coder"])
            if key in stored:  # B holds the same coding twice: one row in OUT
                self.coding_map[row["id"]] = stored[key]
                duplicates += 1
                continue
            counts = coders.setdefault(row["coder"], CoderCounts())
            counts.b += 1
            if row["id"] in overruled and key not in mine:
                counts.left_out += 1
                self.left_out.add(row["id"])
                continue
            per_b[row["coder"], doc].add(key)
            if key in mine:
                stored[key] = mine[key]
                counts.both += 1
                tally.both += 1
            else:
                values = {k: v for k, v in row.items() if k != "id"}
                values["document_id"] = doc
                stored[key] = insert_row(self.out, "codings", values)
                tally.from_b += 1
            self.coding_map[row["id"]] = stored[key]
        tally.from_a = len(mine) - tally.both
        if duplicates:
            self.report.notes.append(
                f"codings: {duplicates} duplicate(s) within {self.b_name} stored once"
            )
        if self.left_out:
            self.report.notes.append(
                f"codings: {len(self.left_out)} consensus coding(s) that {self.b_name}'s"
                f" decisions on disagreements added left out, because {self.a_name} decided"
                " those disagreements otherwise and its decision is kept"
            )
        self.report.coders = dict(sorted(coders.items()))
        names = {d["id"]: _doc_label(d) for d in document_rows(self.out)}
        for (coder, doc), theirs in sorted(
            per_b.items(), key=lambda kv: (kv[0][0], names[kv[0][1]])
        ):
            ours = per_a.get((coder, doc))
            if ours and ours != theirs:
                self.report.overlaps.append(
                    CoderOverlap(
                        coder,
                        names[doc],
                        len(ours - theirs),
                        len(theirs - ours),
                        len(ours & theirs),
                    )
                )

    def _overruled_consensus(self) -> set[int]:
        """B's consensus codings that stand only on B's decisions A made otherwise.

        Where A and B decided one disagreement differently, A's decision is kept
        (`resolutions`); the consensus codings B's decision added would contradict it
        (a keep-b coding under A's keep-a), so they are not carried over, unless another
        of B's decisions that stays stands on them too. Only ids that still name what
        the decision wrote count (`listed_codings_by_resolution`)."""
        self.b_listed = {
            column: listed_codings_by_resolution(self.b, column) for column in ("codings", "added")
        }
        mine = {_resolution_key(r): r["decision"] for r in rows_of(self.out, "resolutions")}
        overruled: set[int] = set()
        standing: set[int] = set()
        for row in rows_of(self.b, "resolutions"):
            key = _resolution_key({**row, "document_id": self.doc_map[row["document_id"]]})
            if mine.get(key, row["decision"]) != row["decision"]:
                overruled |= self.b_listed["added"].get(row["id"], set())
            else:
                standing |= self.b_listed["codings"].get(row["id"], set())
        return overruled - standing

    def memos(self) -> None:
        tally = self.report.counts["memos"]
        mine = rows_of(self.out, "memos")
        index: dict[tuple[str, str, str], dict[str, Any]] = {}
        for row in mine:
            index.setdefault((row["target_type"], row["target_id"], row["author"]), row)
        lost = 0
        for row in rows_of(self.b, "memos"):
            values = {k: v for k, v in row.items() if k != "id"}
            target = self._memo_target(row["target_type"], row["target_id"])
            if target is None:
                lost += 1
                if row["target_type"] == "coding" and _int(row["target_id"]) in self.left_out:
                    why = (
                        f"a consensus coding left out because {self.a_name} decided its"
                        " disagreement otherwise"
                    )
                else:
                    why = "which that project no longer has"
                values.update(
                    target_type="project",
                    target_id="",
                    text=f"(written on {row['target_type']} {row['target_id']} of"
                    f" {self.b_name}, {why}) {row['text']}",
                )
                self.memo_map[row["id"]] = insert_row(self.out, "memos", values)
                tally.from_b += 1
                continue
            ours = index.get((*target, row["author"]))
            if ours is None:
                values.update(target_type=target[0], target_id=target[1])
                self.memo_map[row["id"]] = insert_row(self.out, "memos", values)
                tally.from_b += 1
                continue
            self.memo_map[row["id"]] = ours["id"]
            tally.both += 1
            if _memo_holds(ours["text"], row["text"], self.b_name):
                continue
            # a coder keeps one memo per target: B's text goes after A's in that memo
            combined = f"{ours['text']}\n\n[from {self.b_name}] {row['text']}"
            update_row(
                self.out,
                "memos",
                {"id": ours["id"]},
                {"text": combined, "updated": max(ours["updated"], row["updated"])},
            )
            self._conflict(
                "memo",
                f"{target[0]} {target[1]} by {row['author']}",
                "text",
                ours["text"],
                row["text"],
                "one memo: A's text, then B's",
            )
            ours["text"], ours["updated"] = combined, max(ours["updated"], row["updated"])
        tally.from_a = len(mine) - tally.both
        if lost:
            self.report.notes.append(
                f"memos: {lost} memo(s) of {self.b_name} on targets not in the merged project"
                " kept as project memos"
            )
        stamp = now_utc()
        merge_memos = {
            row["target_id"]: row
            for row in rows_of(self.out, "memos")
            if row["target_type"] == "code" and row["author"] == MERGE_AUTHOR
        }
        for code_id, fields in self.code_conflicts.items():
            lines = [
                f"{self.b_name} defines code {code_id} differently; the merge kept"
                f" {self.a_name}'s definition. {self.b_name}'s version:"
            ]
            lines += [f"- {name}: {_show(name, theirs)}" for name, _, theirs in fields]
            text = "\n".join(lines)
            earlier = merge_memos.get(code_id)
            if earlier is not None:
                # merging again (or a third copy): one merge memo per code, never a repeat
                said = f"{self.b_name}'s version:\n" + "\n".join(lines[1:])
                if said not in earlier["text"]:
                    update_row(
                        self.out,
                        "memos",
                        {"id": earlier["id"]},
                        {"text": f"{earlier['text']}\n\n{text}", "updated": stamp},
                    )
                    self.report.merge_memos += 1
                continue
            insert_row(
                self.out,
                "memos",
                {
                    "target_type": "code",
                    "target_id": code_id,
                    "author": MERGE_AUTHOR,
                    "text": text,
                    "created": stamp,
                    "updated": stamp,
                },
            )
            self.report.merge_memos += 1

    def _memo_target(self, target_type: str, target_id: str) -> tuple[str, str] | None:
        """Where B's memo goes in OUT, or None when B has no such target."""
        if target_type == "project":
            return ("project", target_id)
        if target_type == "code":
            return ("code", target_id) if target_id in self.b_codes else None
        maps = {"document": self.doc_map, "coding": self.coding_map, "case": self.case_map}
        try:
            mapped = maps[target_type].get(int(target_id))
        except (KeyError, ValueError):
            return None
        return None if mapped is None else (target_type, str(mapped))

    def survey(self) -> None:
        tally = self.report.counts["survey waves"]
        people = self.report.counts["respondents"]
        waves = rows_of(self.out, "survey_waves")
        mine = {w["name"]: w for w in waves}
        by_wave: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows_of(self.out, "respondents"):
            by_wave[row["wave_id"]].append(row)
        b_people: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows_of(self.b, "respondents"):
            b_people[row["wave_id"]].append(row)
        ratings: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows_of(self.b, "survey_ratings"):
            ratings[row["respondent"]].append(row)
        comments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows_of(self.b, "survey_comments"):
            comments[row["respondent"]].append(row)
        taken = set(mine) | {w["name"] for w in rows_of(self.b, "survey_waves")}
        matched: set[int] = set()
        for wave in rows_of(self.b, "survey_waves"):
            ours = mine.get(wave["name"])
            if ours is not None and ours["content_hash"] == wave["content_hash"]:
                matched.add(ours["id"])
                tally.both += 1
                people.both += len(b_people[wave["id"]])
                continue
            name = wave["name"]
            if ours is not None:
                name = _free_name(f"{name} (B)", taken)
                taken.add(name)
                self._conflict(
                    "wave",
                    wave["name"],
                    "answers",
                    _wave(ours, len(by_wave[ours["id"]])),
                    _wave(wave, len(b_people[wave["id"]])),
                    f"both kept; B's as {name!r}",
                )
            same = [w["name"] for w in waves if w["content_hash"] == wave["content_hash"]]
            if same and ours is None:
                self._conflict(
                    "wave",
                    wave["name"],
                    "name",
                    same[0],
                    wave["name"],
                    "the same answers under another name; B's added too",
                )
            values = {k: v for k, v in wave.items() if k != "id"}
            wave_id = insert_row(self.out, "survey_waves", {**values, "name": name})
            tally.from_b += 1
            for person in b_people[wave["id"]]:
                row_id = insert_row(
                    self.out,
                    "respondents",
                    {
                        "wave_id": wave_id,
                        "respondent_id": person["respondent_id"],
                        "case_id": self.case_map.get(person["case_id"]),
                    },
                )
                insert_rows(
                    self.out,
                    "survey_ratings",
                    [{**r, "respondent": row_id} for r in ratings[person["id"]]],
                )
                insert_rows(
                    self.out,
                    "survey_comments",
                    [
                        {
                            **c,
                            "respondent": row_id,
                            "document_id": self.doc_map.get(c["document_id"]),
                        }
                        for c in comments[person["id"]]
                    ],
                )
                people.from_b += 1
        tally.from_a = len(waves) - tally.both
        people.from_a = sum(len(v) for k, v in by_wave.items() if k not in matched)

    def suggestions(self) -> None:
        tally = self.report.counts["suggestions"]
        mine = {(r["segment_id"], r["code_id"]) for r in rows_of(self.out, "suggestions")}
        pending = unplaced = 0
        for row in rows_of(self.b, "suggestions"):
            if row["status"] == "pending":
                pending += 1
                continue
            segment = self._segment(row["document_id"], row["segment_id"])
            if segment is None:
                unplaced += 1
                continue
            if (segment, row["code_id"]) in mine:
                tally.both += 1
                continue
            values = {k: v for k, v in row.items() if k != "id"}
            values.update(
                segment_id=segment,
                document_id=self.doc_map[row["document_id"]],
                coding_id=self.coding_map.get(row["coding_id"]) if row["coding_id"] else None,
            )
            insert_row(self.out, "suggestions", values)
            mine.add((segment, row["code_id"]))
            tally.from_b += 1
        tally.from_a = len(mine) - tally.from_b - tally.both
        if pending:
            self.report.notes.append(
                f"suggestions: {pending} pending suggestion(s) of {self.b_name} dropped"
                " (run `frisat-qual suggest` on the merged project)"
            )
        if unplaced:
            self.report.notes.append(
                f"suggestions: {unplaced} reviewed suggestion(s) of {self.b_name} dropped:"
                " their segment differs in the merged project"
            )

    def resolutions(self) -> None:
        """B's decisions on disagreements, on the mapped document, codings and memo."""
        tally = self.report.counts["resolutions"]
        mine = {_resolution_key(r): r for r in rows_of(self.out, "resolutions")}
        names = {d["id"]: _doc_label(d) for d in document_rows(self.out)}
        for row in rows_of(self.b, "resolutions"):
            values = {k: v for k, v in row.items() if k != "id"}
            values["document_id"] = self.doc_map[row["document_id"]]
            ours = mine.get(_resolution_key(values))
            if ours is not None:
                tally.both += 1
                if ours["decision"] != row["decision"]:
                    dropped = self.b_listed["added"].get(row["id"], set()) & self.left_out
                    how = "A's kept"
                    if dropped:
                        how += f"; B's {len(dropped)} consensus coding(s) for it left out"
                    self._conflict(
                        "resolution",
                        f"{row['code_id']} on {names[values['document_id']]}"
                        f" {row['start']}:{row['end']} ({row['coder_a']}/{row['coder_b']})",
                        "decision",
                        ours["decision"],
                        row["decision"],
                        how,
                    )
                continue
            if row["memo_id"] is not None:
                values["memo_id"] = self.memo_map.get(row["memo_id"])
            for column in ("codings", "added"):
                ids = sorted(self.b_listed[column].get(row["id"], set()))
                values[column] = json.dumps(
                    [self.coding_map[i] for i in ids if i in self.coding_map]
                )
            insert_row(self.out, "resolutions", values)
            tally.from_b += 1
        tally.from_a = len(mine) - tally.both

    def _segment(self, b_document: int, b_segment: int) -> int | None:
        if b_document not in self.segment_maps:
            ours = segment_keys(self.out, self.doc_map[b_document])
            theirs = segment_keys(self.b, b_document)
            self.segment_maps[b_document] = {
                seg_id: ours[key] for key, seg_id in theirs.items() if key in ours
            }
        return self.segment_maps[b_document].get(b_segment)

    def finish(self) -> None:
        sizes_b = table_sizes(self.b)
        ours = {_action(r) for r in rows_of(self.out, "journal")}
        theirs = [_action(r) for r in rows_of(self.b, "journal")]
        dropped = sum(1 for action in theirs if action not in ours)
        if ours or dropped:
            self.report.notes.append(
                f"undo journal: {self.a_name}'s {len(ours)} action(s) kept;"
                f" {dropped} action(s) only in {self.b_name} dropped (their row ids differ in"
                " the merged project)"
            )
        if sizes_b.get("suggest_models"):
            self.report.notes.append(
                f"suggestion model training runs: {self.b_name}'s"
                f" {sizes_b['suggest_models']} record(s) dropped, {self.a_name}'s kept"
            )
        for table, count in sizes_b.items():
            if table not in _MERGED and count:
                self.report.notes.append(
                    f"table {table}: {count} row(s) of {self.b_name} not merged (this version"
                    " of frisat-qual does not know how); they are still in"
                    f" {self.b_name}"
                )
        placed = len(self.coding_map) + len(self.left_out)
        if placed != sizes_b.get("codings", 0):  # pragma: no cover - a bug
            raise FrisatError("merge: not every coding of B found its place; nothing written")
        problems = [p for p in foreign_key_problems(self.out) if p not in self.broken_in_a]
        if problems:  # pragma: no cover - a bug
            raise FrisatError(f"merge: broken references ({problems[0]}); nothing written")


def _roles(roles: dict[str, str | None]) -> str:
    return ", ".join(f"{speaker}: {role or 'none'}" for speaker, role in sorted(roles.items()))


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _memo_holds(ours: str, theirs: str, b_name: str) -> bool:
    """Whether A's memo text already says all that B's does: the same text, A's text
    going on after B's whole text on a new line (A's author added to it later), or B's
    text added by an earlier merge of B. A text merely found inside A's is not enough:
    "relevant" is inside "ikke relevant"."""
    ours, theirs = ours.strip(), theirs.strip()
    return ours == theirs or ours.startswith(theirs + "\n") or f"[from {b_name}] {theirs}" in ours


def _same_field(name: str, a: Any, b: Any) -> bool:
    if name in _JSON_FIELDS:
        try:
            return json.loads(a) == json.loads(b)
        except (TypeError, ValueError):
            return a == b
    if name in _FLAG_FIELDS:
        return bool(a) == bool(b)
    return a == b


def _show(name: str, value: Any) -> str:
    if name in _FLAG_FIELDS:
        return "yes" if value else "no"
    if name == "parent" and value is None:
        return "(top level)"
    if value is None:
        return "(none)"
    return str(value)


def _free_name(name: str, taken: set[str]) -> str:
    """`name`, or `name` with 2, 3, ... before its closing bracket, not in `taken`."""
    if name not in taken:
        return name
    number = 2
    while f"{name[:-1]}{number})" in taken:
        number += 1
    return f"{name[:-1]}{number})"


def _describe(doc: dict[str, Any]) -> str:
    return f"version {doc['version']}, {doc['words']:,} words, text {doc['content_hash'][:12]}"


def _version(doc: dict[str, Any]) -> str:
    return f"version {doc['version']} ({'current' if doc['is_current'] else 'old'})"


def _doc_label(doc: dict[str, Any]) -> str:
    return doc["name"] if doc["is_current"] else f"{doc['name']}@{doc['version']}"


def _resolution_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ("document_id", "start", "end", "code_id", "coder_a", "coder_b"))


def _action(row: dict[str, Any]) -> tuple[Any, ...]:
    """A journal entry as what it did, without its id (the same action in both copies)."""
    return (row["coder"], row["kind"], row["label"], row["created"], row["changes"])


def _wave(wave: dict[str, Any], respondents: int) -> str:
    return f"{respondents} respondents, dated {wave['date']}, answers {wave['content_hash'][:12]}"
