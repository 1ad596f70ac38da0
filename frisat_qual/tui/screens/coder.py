"""CoderScreen: who is coding, asked once on the first start and saved for later sessions.

Every coding and codebook change carries the coder's name, which reliability studies
compare later, so the app asks rather than silently using the login name. The name is
saved in the user's settings (not in a project); escape keeps the suggested name for this
session only, and the question comes back next time.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from frisat_qual.errors import FrisatError
from frisat_qual.resources import configured_coder, save_coder


def coder_configured() -> bool:
    """Whether the researcher has chosen a coder name (saved, or in FRISAT_QUAL_CODER)."""
    return configured_coder() is not None


class CoderScreen(ModalScreen[str]):
    """Ask for the coder's name; dismisses with the name (saved) or the suggestion (escape)."""

    BINDINGS = [Binding("escape", "skip", "Not now")]

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="coder-box", classes="dialog-box"):
            yield Static("Who is coding?", classes="dialog-title")
            yield Static(
                "Your name is stored with every coding and codebook change you make, so "
                "the codings of several coders can be told apart and compared. It is saved "
                "on this computer for later sessions.",
                id="coder-explanation",
                markup=False,
            )
            yield Label("Coder name", classes="form-label")
            yield Input(self.suggestion, id="coder-name", placeholder="e.g. Anna Holm")
            yield Static("", id="coder-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (enter)", variant="primary", id="coder-save")
                yield Button("Not now (esc)", id="coder-skip")

    def on_mount(self) -> None:
        self.query_one("#coder-name", Input).focus()

    def show_error(self, message: str) -> None:
        error = self.query_one("#coder-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    def save(self) -> None:
        name = self.query_one("#coder-name", Input).value.strip()
        try:
            save_coder(name)
        except FrisatError as exc:
            self.show_error(f"Please give a name: {exc}.")
            return
        except OSError as exc:
            self.show_error(f"The name could not be saved ({exc.strerror or exc}).")
            return
        self.dismiss(name)

    def action_skip(self) -> None:
        self.dismiss(self.suggestion)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "coder-save":
            self.save()
        else:
            self.action_skip()
