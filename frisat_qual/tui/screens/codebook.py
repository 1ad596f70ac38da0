"""CodebookScreen: the project's codebook as a filterable tree beside the selected code's
details, with every codebook change (add, edit, move, merge, split, retire/restore) and
undo/redo.

The screen only gathers input and shows results: each change is one call into
`frisat_qual.codebook.manage` (one journaled, undoable action), and the core's FrisatError
messages become error notifications. No change deletes a coding, and the dialogs say so.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from frisat_qual.codebook.format import SPOR
from frisat_qual.codebook.manage import (
    add_code,
    edit_code,
    merge_codes,
    move_code,
    retire_code,
    split_code,
)
from frisat_qual.errors import FrisatError
from frisat_qual.models import DEFAULT_COLOR, CodeSpec, Keyword
from frisat_qual.store import Project
from frisat_qual.store.journal import Action, redo, undo
from frisat_qual.tui.screens.dialogs import ConfirmDialog, FormDialog, FormField
from frisat_qual.tui.widgets.codebook_tree import CodebookTree, CodeEntry, swatch_style

#: The long fields of a code, shown under headings in the details panel.
LONG_FIELDS = (
    ("description", "Description"),
    ("include", "Include when"),
    ("exclude", "Exclude when"),
    ("examples", "Examples"),
    ("keywords", "Keywords"),
)


def parse_split_lines(text: str) -> list[tuple[str, str]]:
    """[(id, label)] from lines "id: label"; ValueError with a message naming the bad line."""
    parts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code_id, sep, label = line.partition(":")
        if not sep or not code_id.strip() or not label.strip():
            raise ValueError(f"Line {number}: write each new code as 'id: label'.")
        parts.append((code_id.strip(), label.strip()))
    if len(parts) < 2:
        raise ValueError("Give at least two new codes, one per line as 'id: label'.")
    return parts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class CodebookScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add_code", "Add", show=True),
        Binding("e", "edit_code", "Edit", show=True),
        Binding("m", "move_code", "Move", show=True),
        Binding("M", "merge_code", "Merge", show=True),
        Binding("s", "split_code", "Split", show=True),
        Binding("r", "retire_code", "Retire/restore", show=True),
        Binding("ctrl+z", "undo", "Undo", show=True),
        Binding("ctrl+y", "redo", "Redo", show=True),
        Binding("h", "toggle_retired", "Retired", show=True),
        Binding("slash", "focus_filter", "Filter", show=False),
        Binding("escape", "back", "Back", show=True),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="codebook-panes"):
            with Vertical(id="codebook-left"):
                yield Input(placeholder="Filter: label or id", id="codebook-filter")
                yield CodebookTree(id="codebook-tree")
            with VerticalScroll(id="code-details"):
                yield Static("", id="detail-title")
                yield Static("", id="detail-meta")
                for name, heading in LONG_FIELDS:
                    with Vertical(id=f"detail-{name}-box", classes="code-field"):
                        yield Label(heading, classes="code-field-name")
                        yield Static("", id=f"detail-{name}", markup=False)
        yield Static("", id="codebook-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_codes()
        self.code_tree.focus()

    @property
    def code_tree(self) -> CodebookTree:
        return self.query_one(CodebookTree)

    @property
    def project(self) -> Project:
        return self.app.project

    @property
    def coder(self) -> str:
        return self.app.coder

    def refresh_codes(self, select: str | None = None) -> None:
        """Reload tree and counts after a change; the details follow the cursor."""
        self.code_tree.refresh_codes(self.project, select=select)
        self.show_details(self.code_tree.current_code_id)
        self.update_status()

    # -- display ---------------------------------------------------------------------------

    def show_details(self, code_id: str | None) -> None:
        entry = self.code_tree.entry(code_id)
        title = self.query_one("#detail-title", Static)
        meta = self.query_one("#detail-meta", Static)
        if entry is None:
            text = self.code_tree.filter_text.strip()
            title.update(Text(f"No code matches {text!r}" if text else "No code selected"))
            meta.update("")
            for name, _ in LONG_FIELDS:
                self.query_one(f"#detail-{name}-box").display = False
            return
        spec = entry.spec
        heading = Text.assemble(("■ ", swatch_style(spec.color)), (spec.label, "bold"))
        if entry.retired:
            heading.append("  (retired)", "italic")
        title.update(heading)
        meta.update(self._meta(entry))
        values = {
            "description": spec.description,
            "include": spec.include,
            "exclude": spec.exclude,
            "examples": "\n".join(f"• {e}" for e in spec.examples),
            "keywords": "\n".join(self._keyword_line(k) for k in spec.keywords),
        }
        for name, value in values.items():
            self.query_one(f"#detail-{name}", Static).update(value)
            self.query_one(f"#detail-{name}-box").display = bool(value)
        self.query_one("#code-details", VerticalScroll).scroll_home(animate=False)

    def _meta(self, entry: CodeEntry) -> Text:
        spec = entry.spec
        parent = self.code_tree.entry(spec.parent)
        rows: list[tuple[str, Text | str]] = [("id", spec.id)]
        rows.append(("parent", f"{spec.parent}  {parent.spec.label}" if parent else "(top level)"))
        rows.append(("colour", Text.assemble(("■ ", swatch_style(spec.color)), spec.color)))
        rows.append(("survey spor", spec.survey_spor or "—"))
        if spec.codable:
            rows.append(("codings", str(entry.count)))
        else:
            rows.append(("codings", f"{self.code_tree.total(spec.id)} in its sub-codes (a folder)"))
        attrs = spec.attributes
        if attrs.get("merged_into"):
            rows.append(("merged into", str(attrs["merged_into"])))
        if attrs.get("split_into"):
            rows.append(("split into", ", ".join(map(str, attrs["split_into"]))))
        if attrs.get("split_from"):
            rows.append(("split from", str(attrs["split_from"])))
        if entry.retired:
            rows.append(("status", "retired (codings kept; r restores)"))
        out = Text()
        for i, (name, value) in enumerate(rows):
            out.append(f"{name:<12}", "dim")
            out.append(value if isinstance(value, Text) else Text(value))
            if i < len(rows) - 1:
                out.append("\n")
        return out

    @staticmethod
    def _keyword_line(keyword: Keyword) -> str:
        line = f"• {keyword.phrase}"
        if keyword.context:
            line += f"  (with: {', '.join(keyword.context)})"
        if keyword.negation:
            line += "  (not after a negation)"
        return line

    def update_status(self) -> None:
        entries = self.code_tree.entries.values()
        active = [e for e in entries if not e.retired]
        folders = sum(1 for e in active if not e.spec.codable)
        parts = [f"{_plural(len(active) - folders, 'code')} in {_plural(folders, 'folder')}"]
        retired = len(entries) - len(active)
        if retired:
            parts.append(
                f"{retired} retired ({'shown' if self.code_tree.show_retired else 'hidden'})"
            )
        text = self.code_tree.filter_text.strip()
        if text:
            parts.append(f"filter {text!r}: {_plural(len(self.code_tree.matches), 'match')}")
        parts.append(f"coder {self.coder}")
        parts.append("? help")
        self.query_one("#codebook-status", Static).update(Text("  │  ".join(parts)))

    # -- events ----------------------------------------------------------------------------

    @on(Input.Changed, "#codebook-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.code_tree.filter(event.value)
        self.show_details(self.code_tree.current_code_id)
        self.update_status()

    @on(Input.Submitted, "#codebook-filter")
    def filter_submitted(self) -> None:
        self.code_tree.focus()

    def on_codebook_tree_code_highlighted(self, event: CodebookTree.CodeHighlighted) -> None:
        self.show_details(event.code_id)

    # -- helpers ---------------------------------------------------------------------------

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        self.notify(message, severity=severity, markup=False)

    def error(self, exc: FrisatError) -> None:
        self.notify(str(exc), severity="error", markup=False)

    def selected(self) -> CodeEntry | None:
        entry = self.code_tree.entry(self.code_tree.current_code_id)
        if entry is None:
            self.say("Select a code first.", "warning")
        return entry

    def existing_code(
        self, field: str, *, not_: str | None = None, empty_ok: bool = False
    ) -> Callable[[dict[str, str]], str | None]:
        """A form validator: `field` must name a code of the codebook (other than `not_`)."""

        def check(values: dict[str, str]) -> str | None:
            value = values[field].strip()
            if not value:
                return None if empty_ok else "Give the id of a code."
            if self.code_tree.entry(value) is None:
                hint = " (or leave it empty for the top level)" if empty_ok else ""
                return f"There is no code {value!r} in the codebook; give an existing id{hint}."
            if value == not_:
                return f"Choose a code other than {value!r} itself."
            return None

        return check

    # -- actions ---------------------------------------------------------------------------

    def action_add_code(self) -> None:
        entry = self.code_tree.entry(self.code_tree.current_code_id)
        if entry is None:
            parent = ""
        elif entry.spec.codable:
            parent = entry.spec.parent or ""
        else:
            parent = entry.spec.id  # a folder: the new code goes into it
        fields = [
            FormField("id", "Id (lower case, dots for levels, e.g. tema.ny_kode)", required=True),
            FormField("label", "Label", required=True),
            FormField("parent", "Parent id (empty: top level)", parent),
            FormField("color", "Colour (#rrggbb)", DEFAULT_COLOR),
            FormField("description", "Description", multiline=True),
        ]
        self.app.push_screen(
            FormDialog("Add a code", fields, validate=self.existing_code("parent", empty_ok=True)),
            self._add_done,
        )

    def _add_done(self, values: dict[str, str] | None) -> None:
        if values is None:
            return
        spec = CodeSpec(
            id=values["id"].strip(),
            label=values["label"].strip(),
            parent=values["parent"].strip() or None,
            color=values["color"].strip() or DEFAULT_COLOR,
            description=values["description"].strip(),
        )
        try:
            add_code(self.project, spec, coder=self.coder)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=spec.id)
        self.say(f"Added {spec.id} ({spec.label}).")

    def action_edit_code(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        spec = entry.spec
        fields = [
            FormField("label", "Label", spec.label, required=True),
            FormField("color", "Colour (#rrggbb)", spec.color),
            FormField(
                "survey_spor",
                "Survey spor",
                spec.survey_spor or "",
                placeholder=f"empty, or one of: {', '.join(SPOR)}",
            ),
            FormField("description", "Description", spec.description, multiline=True),
            FormField("include", "Include when", spec.include, multiline=True),
            FormField("exclude", "Exclude when", spec.exclude, multiline=True),
        ]
        self.app.push_screen(
            FormDialog(f"Edit {spec.id}", fields),
            lambda values: self._edit_done(spec, values),
        )

    def _edit_done(self, spec: CodeSpec, values: dict[str, str] | None) -> None:
        if values is None:
            return
        new: dict[str, str | None] = {name: value.strip() for name, value in values.items()}
        new["survey_spor"] = new["survey_spor"] or None
        changed = {name: value for name, value in new.items() if getattr(spec, name) != value}
        if not changed:
            self.say("Nothing changed.")
            return
        try:
            edit_code(self.project, spec.id, coder=self.coder, **changed)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=spec.id)
        self.say(f"Saved {spec.id}: {', '.join(sorted(changed))}.")

    def action_move_code(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        code_id = entry.spec.id
        fields = [FormField("parent", "New parent id (empty: top level)", entry.spec.parent or "")]
        self.app.push_screen(
            FormDialog(
                f"Move {code_id}",
                fields,
                validate=self.existing_code("parent", not_=code_id, empty_ok=True),
                submit="Move",
            ),
            lambda values: self._move_done(code_id, values),
        )

    def _move_done(self, code_id: str, values: dict[str, str] | None) -> None:
        if values is None:
            return
        parent = values["parent"].strip() or None
        try:
            move_code(self.project, code_id, parent, coder=self.coder)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=code_id)
        self.say(f"Moved {code_id} to {parent or 'the top level'}.")

    def action_merge_code(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        source = entry.spec.id
        fields = [FormField("target", f"Merge {source} into (id of the code to keep)")]
        self.app.push_screen(
            FormDialog(
                f"Merge {source}",
                fields,
                validate=self.existing_code("target", not_=source),
                submit="Next",
            ),
            lambda values: self._merge_target_chosen(entry, values),
        )

    def _merge_target_chosen(self, entry: CodeEntry, values: dict[str, str] | None) -> None:
        if values is None:
            return
        source, target = entry.spec.id, values["target"].strip()
        dst = self.code_tree.entry(target)
        label = dst.spec.label if dst else target
        message = (
            f"Merge “{entry.spec.label}” ({source}) into “{label}” ({target})?\n\n"
            f"{_plural(entry.count, 'coding')} will move from {source} to {target}, and "
            f"{source} is retired. No coding is deleted (a span coded with both is kept once). "
            "ctrl+z undoes the merge."
        )
        self.app.push_screen(
            ConfirmDialog(message, title="Merge codes", confirm="Merge"),
            lambda ok: self._merge_confirmed(source, target, ok),
        )

    def _merge_confirmed(self, source: str, target: str, ok: bool | None) -> None:
        if not ok:
            return
        try:
            moved = merge_codes(self.project, source, target, coder=self.coder)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=target)
        self.say(f"Merged {source} into {target}: {_plural(moved, 'coding')} moved.")

    def action_split_code(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        code_id = entry.spec.id

        def check(values: dict[str, str]) -> str | None:
            try:
                parse_split_lines(values["parts"])
            except ValueError as exc:
                return str(exc)
            return None

        fields = [
            FormField(
                "parts",
                f"New codes beside {code_id}, one per line as 'id: label'",
                multiline=True,
                placeholder=f"{code_id}_a: First part\n{code_id}_b: Second part",
            )
        ]
        self.app.push_screen(
            FormDialog(f"Split {code_id}", fields, validate=check, submit="Split"),
            lambda values: self._split_done(code_id, values),
        )

    def _split_done(self, code_id: str, values: dict[str, str] | None) -> None:
        if values is None:
            return
        parts = parse_split_lines(values["parts"])
        try:
            specs = split_code(self.project, code_id, parts, coder=self.coder)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=code_id)
        self.say(
            f"Split {code_id} into {', '.join(s.id for s in specs)}; its codings stay on "
            f"{code_id} until you recode them."
        )

    def action_retire_code(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        code_id = entry.spec.id
        if entry.retired:
            self._set_retired(code_id, False)
            return
        message = (
            f"Retire “{entry.spec.label}” ({code_id})?\n\n"
            f"It is hidden from coding; its {_plural(entry.count, 'coding')} are kept and still "
            "reported. Show retired codes with h and restore with r, or undo with ctrl+z."
        )
        self.app.push_screen(
            ConfirmDialog(message, title="Retire code", confirm="Retire"),
            lambda ok: self._set_retired(code_id, True) if ok else None,
        )

    def _set_retired(self, code_id: str, retired: bool) -> None:
        try:
            retire_code(self.project, code_id, coder=self.coder, retired=retired)
        except FrisatError as exc:
            self.error(exc)
            return
        self.refresh_codes(select=code_id)
        self.say(f"{'Retired' if retired else 'Restored'} {code_id}.")

    def action_undo(self) -> None:
        self._step(undo, "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._step(redo, "Redone", "Nothing to redo.")

    def _step(self, step: Callable[[Project, str], Action | None], done: str, nothing: str) -> None:
        try:
            action = step(self.project, self.coder)
        except FrisatError as exc:
            self.error(exc)
            return
        if action is None:
            self.say(nothing, "warning")
            return
        self.refresh_codes()
        self.say(f"{done}: {action.label}.")

    def action_toggle_retired(self) -> None:
        self.code_tree.show_retired = not self.code_tree.show_retired
        self.show_details(self.code_tree.current_code_id)
        self.update_status()

    def action_focus_filter(self) -> None:
        self.query_one("#codebook-filter", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
