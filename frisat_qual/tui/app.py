"""The Textual application and its factory, shared by the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from frisat_qual.store import Project, open_project
from frisat_qual.tui.screens.codebook import CodebookScreen
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.screens.workspace import WorkspaceScreen
from frisat_qual.tui.widgets.transcript import TranscriptView


class FrisatApp(App[None]):
    """frisat-qual's terminal UI on one open project."""

    CSS_PATH = "app.tcss"
    TITLE = "frisat-qual"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", show=True),
        Binding("c", "codebook", "Codebook", show=True),
        Binding("ctrl+t", "toggle_dark", "Light/dark", show=False),
        Binding("q,ctrl+q", "quit", "Quit", show=True),
    ]

    def __init__(self, project: Project, *, coder: str = "researcher") -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.sub_title = project.name

    def on_mount(self) -> None:
        self.push_screen(WorkspaceScreen())

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Everywhere", list(self.BINDINGS)),
            ("Workspace", list(WorkspaceScreen.BINDINGS)),
            ("Transcript", list(TranscriptView.BINDINGS)),
            ("Codebook", list(CodebookScreen.BINDINGS)),
            (
                "Documents",
                [
                    Binding("enter", "select", "Open the document"),
                    Binding("up,down", "move", "Move in the list"),
                ],
            ),
        ]
        self.push_screen(
            HelpScreen([(s, [b for b in bs if isinstance(b, Binding)]) for s, bs in sections])
        )

    def action_codebook(self) -> None:
        if isinstance(self.screen, CodebookScreen | ModalScreen):
            return
        self.push_screen(CodebookScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def on_unmount(self) -> None:
        self.project.close()


def make_app(project: Project | str | Path, *, coder: str = "researcher") -> FrisatApp:
    """The app on a project handle or path (the CLI and the tests both use this)."""
    if not isinstance(project, Project):
        project = open_project(project)
    return FrisatApp(project, coder=coder)
