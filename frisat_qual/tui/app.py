"""The Textual application and its factory, shared by the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import App, UnknownModeError
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.screen import ModalScreen

from frisat_qual.errors import FrisatError
from frisat_qual.exchange.backup import rolling_backup
from frisat_qual.recent import remember_project
from frisat_qual.resources import default_coder
from frisat_qual.store import Project, open_project
from frisat_qual.tui.screens.agreement import AgreementScreen
from frisat_qual.tui.screens.codebook import CodebookScreen
from frisat_qual.tui.screens.coder import CoderScreen, coder_configured
from frisat_qual.tui.screens.help import HelpScreen
from frisat_qual.tui.screens.home import HomeScreen
from frisat_qual.tui.screens.import_screen import ImportScreen
from frisat_qual.tui.screens.reports import ReportsScreen
from frisat_qual.tui.screens.survey import SurveyScreen
from frisat_qual.tui.screens.workspace import WorkspaceScreen
from frisat_qual.tui.widgets.quadrant_plot import QuadrantPlot
from frisat_qual.tui.widgets.transcript import TranscriptView

#: The app's two modes, each with its own screen stack: the home screen, and the workspace
#: of the open project (made afresh for each project opened). ctrl+o and esc switch between
#: them without losing the workspace's place.
HOME, WORKSPACE = "home", "workspace"


class FrisatApp(App[None]):
    """frisat-qual's terminal UI: the home screen, or the workspace of the open project."""

    CSS_PATH = "app.tcss"
    TITLE = "frisat-qual"
    MODES = {HOME: HomeScreen}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", show=True),
        Binding("c", "codebook", "Codebook", show=True),
        Binding("i", "import", "Import", show=True),
        Binding("ctrl+o", "home", "Home", show=True),
        Binding("ctrl+t", "toggle_dark", "Light/dark", show=False),
        Binding("q,ctrl+q", "quit", "Quit", show=True),
    ]

    def __init__(
        self,
        project: Project | None = None,
        *,
        coder: str = "researcher",
        ask_coder: bool = False,
    ) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.ask_coder = ask_coder
        self.sub_title = project.name if project else ""

    def on_mount(self) -> None:
        if self.project is not None:
            self._remember(self.project.path)
            self._back_up(self.project.path)
            self.add_mode(WORKSPACE, WorkspaceScreen)
            self.switch_mode(WORKSPACE)
        else:
            self.switch_mode(HOME)
        if self.ask_coder:
            self.push_screen(CoderScreen(self.coder), self._coder_chosen)

    # -- projects --------------------------------------------------------------------------

    def open_project_path(self, path: Path) -> bool:
        """Open the project at `path` in a fresh workspace; False (and a notice) if it fails.

        The previous project is closed once its workspace is gone.
        """
        path = Path(path).expanduser()
        if self.project is not None and _same_file(self.project.path, path):
            self._remember(self.project.path)
            self.switch_mode(WORKSPACE)
            return True
        try:
            project = open_project(path)
        except FrisatError as exc:
            self.notify(str(exc), title="The project could not be opened", severity="error")
            return False
        self._remember(project.path)
        self._back_up(project.path)
        old, self.project = self.project, project
        if self.current_mode == WORKSPACE:
            self.switch_mode(HOME)  # a mode can only be removed when it is not showing
        try:
            removed = self.remove_mode(WORKSPACE)
        except UnknownModeError:
            removed = AwaitComplete.nothing()
        self.sub_title = project.name
        self.add_mode(WORKSPACE, WorkspaceScreen)
        self.switch_mode(WORKSPACE)
        if old is not None:
            self.call_later(_close_when_removed, old, removed)
        return True

    def _remember(self, path: Path) -> None:
        try:
            remember_project(path)
        except OSError as exc:  # the recent list is a convenience: never stop on it
            self.notify(f"The recent projects list could not be saved ({exc})", severity="warning")

    @work(thread=True, group="backup", exit_on_error=False)
    def _back_up(self, path: Path) -> None:
        """The automatic rolling backup of a project just opened (exchange.backup), in a
        thread so that opening never waits for it; it uses its own connections."""
        try:
            rolling_backup(path)
        except (FrisatError, OSError) as exc:
            self.call_from_thread(
                self.notify, f"The automatic backup failed: {exc}", severity="warning"
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "codebook":
            return self.project is not None and self.current_mode == WORKSPACE
        if action == "workspace":
            return self.project is not None
        return True

    def action_home(self) -> None:
        if not isinstance(self.screen, ModalScreen):
            self.switch_mode(HOME)

    def action_workspace(self) -> None:
        if self.project is not None:
            self.switch_mode(WORKSPACE)

    def action_import(self) -> None:
        """Import files into the open project, then show them in the workspace."""
        if self.project is None:
            self.notify("Open or create a project first, then import into it.", severity="warning")
            return
        if isinstance(self.screen, ModalScreen):
            return

        def imported(report: object) -> None:
            if report is None:
                return
            if self.current_mode != WORKSPACE:
                self.switch_mode(WORKSPACE)
            refresh = getattr(self.screen, "refresh_documents", None)
            if callable(refresh):
                refresh()

        self.push_screen(ImportScreen(self.project, root=Path.home()), imported)

    def _coder_chosen(self, name: str | None) -> None:
        if name:
            self.coder = name
            update = getattr(self.screen, "update_status", None)
            if callable(update):
                update()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        sections = [
            ("Everywhere", list(self.BINDINGS)),
            ("Workspace", list(WorkspaceScreen.BINDINGS)),
            ("Transcript", list(TranscriptView.BINDINGS)),
            ("Codebook", list(CodebookScreen.BINDINGS)),
            (
                "Reports",
                [
                    *ReportsScreen.BINDINGS,
                    Binding("enter", "select", "List a cell's passages; go to a passage"),
                ],
            ),
            (
                "Survey",
                [
                    *SurveyScreen.BINDINGS,
                    *QuadrantPlot.BINDINGS,
                    Binding(
                        "enter",
                        "select",
                        "Open a comment or passage in the workspace; list a joint row's"
                        " quotes; select a pick in the plot",
                    ),
                ],
            ),
            (
                "Agreement",
                [
                    *AgreementScreen.BINDINGS,
                    Binding(
                        "enter",
                        "select",
                        "Show only a code's disagreements; open a disagreement's segment",
                    ),
                ],
            ),
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

    def get_system_commands(self, screen):  # type: ignore[override]
        """The command palette (ctrl+p): Textual's own commands plus every action that has
        a key on the current screen, the focused widget or the app, with its key shown."""
        from textual.app import SystemCommand

        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            namespace = active.node

            async def run(action: str = binding.action, node=namespace) -> None:
                await self.run_action(action, node)

            yield SystemCommand(binding.description, f"key: {key}", run)

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def on_unmount(self) -> None:
        if self.project is not None:
            self.project.close()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


async def _close_when_removed(project: Project, removed: AwaitComplete) -> None:
    await removed
    project.close()


def make_app(
    project: Project | str | Path | None = None, *, coder: str | None = "researcher"
) -> FrisatApp:
    """The app on a project handle or path, or on the home screen without one.

    The CLI and the tests both use this. `coder=None` means the researcher's saved name,
    asked for on the first start when none is saved (what the CLI should pass unless
    --coder is given); a name given here is used as it is, without asking.
    """
    if project is not None and not isinstance(project, Project):
        project = open_project(project)
    ask = False
    if coder is None:
        ask = not coder_configured()
        coder = default_coder()
    return FrisatApp(project, coder=coder, ask_coder=ask)
