"""Reusable modal dialogs: a yes/no confirmation and a small form.

Screens push them with a callback (`app.push_screen(dialog, callback)`) and act on the
result; the dialogs themselves know nothing about the project. A form may take a
`validate` function that returns a message for the researcher (shown in the dialog, which
stays open) or None when the values are acceptable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True for yes."""

    BINDINGS = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "cancel", "No"),
    ]

    def __init__(
        self,
        message: str,
        *,
        title: str = "Please confirm",
        confirm: str = "Yes",
        cancel: str = "No",
    ) -> None:
        super().__init__()
        self.message = message
        self.title_text = title
        self.confirm_text = confirm
        self.cancel_text = cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog-box"):
            yield Static(self.title_text, id="confirm-title", classes="dialog-title", markup=False)
            yield Static(self.message, id="confirm-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.confirm_text} (y)", variant="primary", id="confirm-yes")
                yield Button(f"{self.cancel_text} (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


@dataclass(frozen=True)
class FormField:
    """One field of a FormDialog: a one-line Input, or a TextArea when `multiline`."""

    name: str
    label: str
    value: str = ""
    multiline: bool = False
    required: bool = False
    placeholder: str = ""


class FormDialog(ModalScreen[dict[str, str] | None]):
    """A titled form; dismisses with {field name: text} on save, None on cancel.

    Enter in a one-line field or ctrl+s saves (enter in a text area starts a new line).
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "submit", "Save"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        *,
        validate: Callable[[dict[str, str]], str | None] | None = None,
        submit: str = "Save",
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.validate = validate
        self.submit_text = submit

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form-box", classes="dialog-box"):
            yield Static(self.title_text, id="form-title", classes="dialog-title", markup=False)
            for field in self.fields:
                yield Label(field.label, classes="form-label", markup=False)
                if field.multiline:
                    yield TextArea(
                        field.value,
                        id=f"field-{field.name}",
                        soft_wrap=True,
                        placeholder=field.placeholder,
                        classes="form-text",
                    )
                else:
                    yield Input(
                        field.value,
                        id=f"field-{field.name}",
                        placeholder=field.placeholder,
                        classes="form-input",
                    )
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.submit_text} (ctrl+s)", variant="primary", id="form-submit")
                yield Button("Cancel (esc)", id="form-cancel")

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        out = {}
        for field in self.fields:
            widget = self.query_one(f"#field-{field.name}")
            out[field.name] = widget.text if isinstance(widget, TextArea) else widget.value
        return out

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(message)
        error.set_class(bool(message), "-shown")

    def action_submit(self) -> None:
        values = self.values()
        missing = [f.label for f in self.fields if f.required and not values[f.name].strip()]
        if missing:
            self.show_error(f"Please fill in: {', '.join(missing)}")
            return
        problem = self.validate(values) if self.validate else None
        if problem:
            self.show_error(problem)
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "form-submit":
            self.action_submit()
        else:
            self.action_cancel()
