"""HomeScreen: where the app starts without a project, and where ctrl+o leads.

It lists the recently opened projects (from `frisat_qual.recent`, kept in the user's data
folder) and offers the ways into a project: open a recent one, create one with the default
codebook, open the demo (built on first use, with a progress bar) and import files into the
open project. Building the demo and creating a project run in thread workers that post
messages; opening is the app's job (`FrisatApp.open_project_path`), so every way in ends in
the same place: the project opened, remembered, and shown in a fresh workspace.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Label, ProgressBar, Static

from frisat_qual import demo
from frisat_qual.codebook.manage import default_codebook, load_into_project
from frisat_qual.errors import FrisatError
from frisat_qual.recent import RecentProject, recent_entries
from frisat_qual.store import PROJECT_SUFFIX, create_project
from frisat_qual.tui.screens.dialogs import FormDialog, FormField


def project_file_of(text: str) -> Path:
    """The project file a researcher typed: ~ expanded, the .frisat suffix added if missing."""
    path = Path(text.strip()).expanduser()
    return path if path.suffix == PROJECT_SUFFIX else path.with_name(path.name + PROJECT_SUFFIX)


def check_new_project(values: dict[str, str]) -> str | None:
    """A message for the new-project form, or None when the file can be created."""
    text = values["path"].strip()
    if not text or text.endswith(("/", os.sep)):
        return "Give the project file a name, e.g. ~/interviews/study.frisat."
    path = project_file_of(text)
    if path.exists():
        return f"{path} exists already: choose another name, or open it from the list."
    if not path.parent.is_dir():
        return f"The folder {path.parent} does not exist."
    return None


def when_opened(entry: RecentProject) -> str:
    return entry.opened.astimezone().strftime("%Y-%m-%d %H:%M")


def folder_of(path: Path) -> str:
    """The project's folder, with the home folder written as ~ to keep the column short."""
    folder, home = path.parent, Path.home()
    if folder == home:
        return "~"
    if folder.is_relative_to(home):
        return str(Path("~") / folder.relative_to(home))
    return str(folder)


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open_selected", "Open", show=True),
        Binding("o", "open_demo", "Demo", show=True),
        Binding("n", "new_project", "New project", show=True),
        Binding("i", "import_files", "Import", show=True),
        Binding("escape", "app.workspace", "Back to the project", show=True),
    ]

    class DemoProgressed(Message, bubble=False):
        """One more demo interview imported."""

        def __init__(self, done: int, total: int, name: str) -> None:
            super().__init__()
            self.done, self.total, self.name = done, total, name

    class ProjectReady(Message, bubble=False):
        """A project file (the demo or a new one) is ready to be opened."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    class WorkFailed(Message, bubble=False):
        def __init__(self, title: str, message: str) -> None:
            super().__init__()
            self.title, self.message = title, message

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[RecentProject] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="home-box"):
            yield Static("frisat-qual", id="home-title")
            yield Static(
                "Qualitative coding of Danish interviews on frisættelse", id="home-tagline"
            )
            yield Static("", id="home-current", markup=False)
            yield Label("Recent projects", classes="home-heading")
            table: DataTable = DataTable(id="home-recent", cursor_type="row", zebra_stripes=True)
            table.add_columns("Project", "Folder", "Last opened")
            yield table
            yield Static(
                "No recent projects yet: press o for the demo project or n for a new one.",
                id="home-empty",
            )
            with Vertical(id="home-progress-box"):
                yield Static("", id="home-progress-label", markup=False)
                yield ProgressBar(show_eta=False, id="home-progress")
            with Horizontal(id="home-actions"):
                yield Button("Open (enter)", variant="primary", id="home-open")
                yield Button("Demo (o)", id="home-demo")
                yield Button("New (n)", id="home-new")
                yield Button("Import (i)", id="home-import")
                yield Button("Quit (q)", id="home-quit")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#home-progress-box").display = False
        self.refresh_projects()
        self.query_one("#home-recent", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_projects()

    def refresh_projects(self) -> None:
        """Reload the recent list and show which project is open."""
        self.entries = recent_entries()
        table = self.query_one("#home-recent", DataTable)
        table.clear()
        for entry in self.entries:
            table.add_row(
                Text(entry.path.stem, style="bold"),
                Text(folder_of(entry.path)),
                Text(when_opened(entry)),
                key=str(entry.path),
            )
        table.display = bool(self.entries)
        self.query_one("#home-empty").display = not self.entries
        self.query_one("#home-open", Button).disabled = not self.entries
        project = self.app.project
        current = self.query_one("#home-current", Static)
        current.update(f"Open now: {project.path}  (esc returns to it)" if project else "")
        current.display = project is not None
        self.query_one("#home-import", Button).disabled = project is None

    @property
    def selected(self) -> Path | None:
        table = self.query_one("#home-recent", DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return None
        return self.entries[table.cursor_row].path

    # -- actions ---------------------------------------------------------------------------

    def open_path(self, path: Path) -> None:
        self.app.open_project_path(path)  # type: ignore[attr-defined]

    def action_open_selected(self) -> None:
        if (path := self.selected) is not None:
            self.open_path(path)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.open_path(Path(event.row_key.value))

    def action_open_demo(self) -> None:
        if self.busy:
            return
        if demo.default_demo_path().exists():
            self.open_path(demo.default_demo_path())
            return
        self.show_progress("Creating the demo project (once; it takes a little while)…")
        self.build_demo()

    def action_new_project(self) -> None:
        if self.busy:
            return
        form = FormDialog(
            "New project",
            [
                FormField(
                    "path",
                    "Project file (.frisat is added if missing); it starts with the default "
                    "codebook",
                    value=str(Path.cwd()) + os.sep,
                    required=True,
                    placeholder="~/interviews/study.frisat",
                )
            ],
            validate=check_new_project,
            submit="Create",
        )

        def chosen(values: dict[str, str] | None) -> None:
            if values is not None:
                self.show_progress("Creating the project…")
                self.create(project_file_of(values["path"]), self.app.coder)  # type: ignore[attr-defined]

        self.app.push_screen(form, chosen)

    def action_import_files(self) -> None:
        if self.app.project is None:  # type: ignore[attr-defined]
            self.notify("Open or create a project first, then import into it.", severity="warning")
            return
        self.app.action_import()  # type: ignore[attr-defined]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "home-open": self.action_open_selected,
            "home-demo": self.action_open_demo,
            "home-new": self.action_new_project,
            "home-import": self.action_import_files,
            "home-quit": self.app.exit,
        }[event.button.id or ""]()

    # -- progress --------------------------------------------------------------------------

    def show_progress(self, label: str) -> None:
        self.busy = True
        self.query_one("#home-progress-label", Static).update(label)
        self.query_one("#home-progress", ProgressBar).update(total=None, progress=0)
        self.query_one("#home-progress-box").display = True

    def hide_progress(self) -> None:
        self.busy = False
        self.query_one("#home-progress-box").display = False

    # -- workers (no widgets here) ---------------------------------------------------------

    @work(thread=True, exclusive=True, group="home")
    def build_demo(self) -> None:
        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.DemoProgressed(done, total, name))

        try:
            path = demo.ensure_demo_project(progress=progress)
        except (FrisatError, OSError) as exc:
            self.post_message(self.WorkFailed("The demo project could not be made", str(exc)))
            return
        self.post_message(self.ProjectReady(path))

    @work(thread=True, exclusive=True, group="home")
    def create(self, path: Path, coder: str) -> None:
        try:
            project = create_project(path)
        except (FrisatError, OSError) as exc:
            self.post_message(self.WorkFailed("The project could not be created", str(exc)))
            return
        try:
            load_into_project(project, default_codebook(), coder=coder)
        except (FrisatError, OSError) as exc:
            project.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)  # no half-made project left behind
            self.post_message(self.WorkFailed("The project could not be created", str(exc)))
            return
        project.close()
        self.post_message(self.ProjectReady(path))

    # -- message handlers ------------------------------------------------------------------

    def on_home_screen_demo_progressed(self, event: DemoProgressed) -> None:
        self.query_one("#home-progress", ProgressBar).update(total=event.total, progress=event.done)
        self.query_one("#home-progress-label", Static).update(
            f"Creating the demo project: {event.name} ({event.done}/{event.total})"
        )

    def on_home_screen_project_ready(self, event: ProjectReady) -> None:
        self.hide_progress()
        self.open_path(event.path)

    def on_home_screen_work_failed(self, event: WorkFailed) -> None:
        self.hide_progress()
        self.notify(event.message, title=event.title, severity="error")
