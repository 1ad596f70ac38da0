"""ImportScreen: choose transcripts, see the anonymisation audit, then import them.

One modal in five steps, shown one at a time:

  files     folders and transcript files (.docx .odt .txt .md .vtt .srt); space chooses
            files and whole folders, m picks an optional manifest, a checks the choice
  manifest  folders and .csv files; enter picks the manifest
  audit     the audit's findings (names, numbers, places) for the chosen files, and the
            files that cannot be imported, shown before anything is written
  import    a progress bar while the import runs
  summary   imported / new versions / unchanged / failed, with the reasons

Nothing is written to the project before the researcher confirms in the audit step, so
cancelling earlier leaves the project as it was. The audit and the import run in thread
workers, each with its own project connection (`project.reopen()`: sqlite connections
belong to one thread); they post messages and only the message handlers touch widgets.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    ContentSwitcher,
    DataTable,
    DirectoryTree,
    ProgressBar,
    Static,
)
from textual.widgets.tree import TreeNode

from frisat_qual.corpus.auditing import audit_targets
from frisat_qual.corpus.formats import SUPPORTED_SUFFIXES
from frisat_qual.corpus.importer import ImportReport, collect_files, import_transcripts
from frisat_qual.corpus.manifest import lookup, read_manifest
from frisat_qual.errors import FrisatError, ManifestError
from frisat_qual.models import Finding
from frisat_qual.store import Project
from frisat_qual.store.settings import audit_allow_list

STEPS = ("files", "manifest", "audit", "import", "summary")


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def without_nested(paths: Iterable[Path]) -> list[Path]:
    """The paths in order, leaving out any inside a chosen folder (it is imported anyway)."""
    chosen = sorted(set(paths))
    return [p for p in chosen if not any(q != p and q in p.parents for q in chosen)]


class TranscriptTree(DirectoryTree):
    """Folders and transcript files; space (or enter on a file) chooses one for import."""

    BINDINGS = [Binding("space", "toggle_mark", "Choose", show=True)]

    class MarksChanged(Message):
        """The set of chosen files and folders changed."""

    def __init__(self, path: str | Path, *, id: str | None = None) -> None:
        self.marked: set[Path] = set()
        super().__init__(path, id=id)

    def wanted(self, path: Path) -> bool:
        return path.suffix.lower() in SUPPORTED_SUFFIXES

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [p for p in paths if not p.name.startswith(".") and (_is_dir(p) or self.wanted(p))]

    def render_label(self, node: TreeNode, base_style, style) -> Text:  # type: ignore[override]
        label = super().render_label(node, base_style, style)
        if node.data is not None and node.data.path in self.marked:
            return Text.assemble(("✓ ", "bold"), label)
        return Text.assemble("  ", label)

    def node_of(self, path: Path) -> TreeNode | None:
        """The loaded node showing `path`, if any."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None and node.data.path == path:
                return node
            stack.extend(node.children)
        return None

    def toggle_mark(self, path: Path) -> None:
        self.marked ^= {path}
        node = self.node_of(path)
        if node is not None:
            node.refresh()
        self.post_message(self.MarksChanged())

    def action_toggle_mark(self) -> None:
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.toggle_mark(node.data.path)

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()  # enter on a file chooses it, like space
        self.toggle_mark(event.path)


class ManifestTree(DirectoryTree):
    """Folders and .csv files, for picking the manifest."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [
            p
            for p in paths
            if not p.name.startswith(".") and (_is_dir(p) or p.suffix.lower() == ".csv")
        ]


class ImportScreen(ModalScreen[ImportReport | None]):
    """Import transcripts into `project`; dismisses with the report, or None if cancelled."""

    BINDINGS = [
        Binding("escape,q", "escape", "Back/cancel"),
        Binding("a", "check", "Check the files", show=False),
        Binding("m", "choose_manifest", "Choose a manifest", show=False),
        Binding("x", "no_manifest", "No manifest", show=False),
        Binding("y", "confirm", "Import", show=False),
        Binding("b", "back", "Back to the files", show=False),
    ]

    class Audited(Message, bubble=False):
        """The audit of the chosen files finished."""

        def __init__(
            self,
            files: list[Path],
            findings: list[Finding],
            problems: list[tuple[str, str]],
        ) -> None:
            super().__init__()
            self.files = files
            self.findings = findings
            self.problems = problems

    class FileImported(Message, bubble=False):
        """One more file is done (imported, unchanged or failed)."""

        def __init__(self, done: int, total: int, name: str) -> None:
            super().__init__()
            self.done, self.total, self.name = done, total, name

    class ImportFinished(Message, bubble=False):
        def __init__(self, report: ImportReport) -> None:
            super().__init__()
            self.report = report

    class WorkFailed(Message, bubble=False):
        """The audit or the import stopped with a message for the researcher."""

        def __init__(self, step: str, message: str) -> None:
            super().__init__()
            self.step, self.message = step, message

    def __init__(self, project: Project, *, root: str | Path | None = None) -> None:
        super().__init__()
        self.project = project
        self.root = Path(root).expanduser() if root else Path.home()
        self.step = "files"
        self.manifest: Path | None = None
        self.targets: list[Path] = []
        self.audited = False
        self.report: ImportReport | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box", classes="dialog-box"):
            yield Static(f"Import into {self.project.name}", classes="dialog-title", markup=False)
            with ContentSwitcher(initial="files", id="import-steps"):
                with Vertical(id="files"):
                    yield Static(
                        "space chooses a file or a whole folder · enter opens a folder · "
                        f"formats: {' '.join(SUPPORTED_SUFFIXES)}",
                        classes="import-hint",
                    )
                    yield TranscriptTree(self.root, id="import-tree")
                    yield Static("", id="import-chosen", markup=False)
                    yield Static("", id="import-manifest", markup=False)
                with Vertical(id="manifest"):
                    yield Static(
                        "Choose the manifest (.csv with a file column and case attributes): "
                        "enter picks it, x imports without one, esc goes back.",
                        classes="import-hint",
                    )
                    yield ManifestTree(self.root, id="import-manifest-tree")
                with Vertical(id="audit"):
                    yield Static("", id="import-audit-summary", markup=False)
                    yield ProgressBar(total=None, show_eta=False, id="import-audit-busy")
                    table: DataTable = DataTable(
                        id="import-findings", cursor_type="row", zebra_stripes=True
                    )
                    table.add_columns("Document", "Kind", "Text", "Reason")
                    yield table
                with Vertical(id="import"):
                    yield Static("", id="import-progress-label", markup=False)
                    yield ProgressBar(show_eta=False, id="import-progress")
                with Vertical(id="summary"):
                    yield Static("", id="import-summary", markup=False)
                    failed: DataTable = DataTable(id="import-failed", cursor_type="row")
                    failed.add_columns("File", "Why it was not imported")
                    yield failed
            with Horizontal(classes="dialog-buttons"):
                yield Button("Choose manifest (m)", id="import-choose-manifest")
                yield Button("No manifest (x)", id="import-no-manifest")
                yield Button("Check files (a)", variant="primary", id="import-check")
                yield Button("Back (b)", id="import-back")
                yield Button("Import (y)", variant="primary", id="import-confirm")
                yield Button("Done", variant="primary", id="import-done")
                yield Button("Cancel (esc)", id="import-cancel")

    def on_mount(self) -> None:
        self.show_step("files")
        self.update_choice()

    @property
    def tree(self) -> TranscriptTree:
        return self.query_one(TranscriptTree)

    #: the buttons each step shows
    BUTTONS = {
        "files": ("import-choose-manifest", "import-check", "import-cancel"),
        "manifest": ("import-no-manifest", "import-back"),
        "audit": ("import-back", "import-confirm", "import-cancel"),
        "import": (),
        "summary": ("import-done",),
    }

    def show_step(self, step: str) -> None:
        self.step = step
        self.query_one(ContentSwitcher).current = step
        for button in self.query(Button):
            button.display = button.id in self.BUTTONS[step]
        focus = {
            "files": "#import-tree",
            "manifest": "#import-manifest-tree",
            "audit": "#import-findings",
            "summary": "#import-done",
        }.get(step)
        if focus:
            self.query_one(focus).focus()
        self.query_one("#import-confirm", Button).disabled = step == "audit" and not self.audited

    # -- choosing --------------------------------------------------------------------------

    def chosen(self) -> list[Path]:
        """The chosen files and folders (files inside a chosen folder left out)."""
        return without_nested(self.tree.marked)

    def choose(self, *paths: str | Path) -> None:
        """Choose files or folders as if marked in the tree (for scripts and tests)."""
        for path in paths:
            if Path(path) not in self.tree.marked:
                self.tree.toggle_mark(Path(path))

    def update_choice(self) -> None:
        chosen = self.chosen()
        if chosen:
            names = ", ".join(p.name + ("/" if _is_dir(p) else "") for p in chosen[:6])
            more = f" and {len(chosen) - 6} more" if len(chosen) > 6 else ""
            text = f"Chosen: {names}{more}"
        else:
            text = "Nothing chosen yet."
        self.query_one("#import-chosen", Static).update(text)
        manifest = str(self.manifest) if self.manifest else "none (m to choose one)"
        self.query_one("#import-manifest", Static).update(f"Manifest: {manifest}")
        self.query_one("#import-check", Button).disabled = not chosen

    def on_transcript_tree_marks_changed(self, event: TranscriptTree.MarksChanged) -> None:
        self.update_choice()

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        if self.step == "manifest":
            event.stop()
            self.manifest = event.path
            self.update_choice()
            self.show_step("files")

    # -- actions ---------------------------------------------------------------------------

    def action_escape(self) -> None:
        if self.step in ("files", "audit"):
            self.dismiss(None)
        elif self.step == "manifest":
            self.show_step("files")
        elif self.step == "summary":
            self.dismiss(self.report)
        # while importing there is nothing to cancel: every finished file is already stored

    def action_choose_manifest(self) -> None:
        if self.step == "files":
            self.show_step("manifest")

    def action_no_manifest(self) -> None:
        if self.step == "manifest":
            self.manifest = None
            self.update_choice()
            self.show_step("files")

    def action_back(self) -> None:
        if self.step in ("manifest", "audit"):
            self.workers.cancel_group(self, "audit")
            self.show_step("files")

    def action_check(self) -> None:
        if self.step != "files":
            return
        self.targets = self.chosen()
        if not self.targets:
            self.notify("Choose files or folders first (space).", severity="warning")
            return
        self.audited = False
        self.query_one("#import-findings", DataTable).clear()
        self.query_one("#import-audit-busy").display = True
        self.query_one("#import-audit-summary", Static).update(
            f"Checking {_plural(len(self.targets), 'chosen item')} for names, numbers and places…"
        )
        self.show_step("audit")
        self.run_audit(self.targets, self.manifest)

    def action_confirm(self) -> None:
        if self.step != "audit" or not self.audited:
            return
        label = self.query_one("#import-progress-label", Static)
        label.update("Starting the import…")
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self.show_step("import")
        self.run_import(self.targets, self.manifest)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = {
            "import-choose-manifest": self.action_choose_manifest,
            "import-no-manifest": self.action_no_manifest,
            "import-check": self.action_check,
            "import-back": self.action_back,
            "import-confirm": self.action_confirm,
            "import-done": lambda: self.dismiss(self.report),
            "import-cancel": lambda: self.dismiss(None),
        }[event.button.id or ""]
        action()

    # -- workers (no widgets here) ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="audit")
    def run_audit(self, targets: list[Path], manifest: Path | None) -> None:
        try:
            with self.project.reopen() as project:
                allow = audit_allow_list(project)
            entries = read_manifest(manifest) if manifest else None
            files, _ = collect_files(targets, skip=[manifest] if manifest else [])
            findings, problems = audit_targets(targets, allow=allow)
            if entries is not None:
                for path in files:
                    try:
                        listed = lookup(entries, path.name) is not None
                    except ManifestError as exc:
                        problems.append((path.name, str(exc)))
                        continue
                    if not listed:
                        problems.append((path.name, f"not listed in {manifest.name}"))
        except (FrisatError, OSError) as exc:
            self.post_message(self.WorkFailed("audit", str(exc)))
            return
        self.post_message(self.Audited(files, findings, problems))

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, targets: list[Path], manifest: Path | None) -> None:
        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.FileImported(done, total, name))

        try:
            with self.project.reopen() as project:
                report = import_transcripts(project, targets, manifest=manifest, progress=progress)
        except (FrisatError, OSError) as exc:
            self.post_message(self.WorkFailed("import", str(exc)))
            return
        self.post_message(self.ImportFinished(report))

    # -- message handlers ------------------------------------------------------------------

    def on_import_screen_audited(self, event: Audited) -> None:
        if self.step != "audit":
            return  # the researcher went back meanwhile
        self.audited = True
        self.query_one("#import-audit-busy").display = False
        table = self.query_one("#import-findings", DataTable)
        table.clear()
        for f in event.findings:
            table.add_row(Text(f.document), Text(f.kind), Text(f.text), Text(f.reason))
        for name, why in event.problems:
            table.add_row(Text(name), Text("cannot import", style="bold"), Text(""), Text(why))
        documents = len({f.document for f in event.findings})
        parts = [f"{_plural(len(event.files), 'file')} chosen."]
        if event.findings:
            parts.append(
                f"The audit found {_plural(len(event.findings), 'possible identifier')} "
                f"in {_plural(documents, 'file')}: check them before importing "
                "(they are stored as written)."
            )
        else:
            parts.append("The audit found no names, numbers or places that identify anyone.")
        if event.problems:
            parts.append(f"{_plural(len(event.problems), 'file')} cannot be imported (see below).")
        parts.append("y imports, b goes back, esc cancels.")
        self.query_one("#import-audit-summary", Static).update(" ".join(parts))
        self.query_one("#import-confirm", Button).disabled = False

    def on_import_screen_file_imported(self, event: FileImported) -> None:
        self.query_one("#import-progress", ProgressBar).update(
            total=event.total, progress=event.done
        )
        self.query_one("#import-progress-label", Static).update(
            f"Imported {event.done} of {event.total}: {event.name}"
        )

    def on_import_screen_import_finished(self, event: ImportFinished) -> None:
        report = self.report = event.report
        counts = [
            f"imported {len(report.imported)}",
            f"new versions {len(report.new_versions)}",
            f"unchanged {len(report.unchanged)}",
            f"failed {len(report.failed)}",
        ]
        lines = ["Import finished: " + " · ".join(counts) + "."]
        if report.findings:
            lines.append(
                f"{_plural(len(report.findings), 'possible identifier')} stayed in the text; "
                "`frisat-qual audit` lists them again."
            )
        self.query_one("#import-summary", Static).update("\n".join(lines))
        failed = self.query_one("#import-failed", DataTable)
        failed.clear()
        for name, why in report.failed:
            failed.add_row(Text(name), Text(why))
        failed.display = bool(report.failed)
        self.show_step("summary")

    def on_import_screen_work_failed(self, event: WorkFailed) -> None:
        self.notify(event.message, title=f"The {event.step} stopped", severity="error")
        if event.step == "audit" and self.step == "audit":
            self.show_step("files")
        elif event.step == "import":
            # files stored before the failure stay (one transaction each): say so, and let
            # the caller refresh its document list
            self.report = ImportReport()
            self.query_one("#import-summary", Static).update(
                f"The import stopped: {event.message}\nFiles finished before that are stored."
            )
            self.query_one("#import-failed").display = False
            self.show_step("summary")
