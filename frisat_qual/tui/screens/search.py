"""SearchScreen: full-text search across the project (FTS5), with results you can code."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from frisat_qual.errors import FrisatError
from frisat_qual.store.documents import list_documents, search_segments


@dataclass(frozen=True)
class SearchHit:
    """Where to go: a document and a segment id; `code_id` when coded from the results."""

    document_id: int
    segment_id: int
    code_id: str | None = None


class SearchScreen(ModalScreen[SearchHit | None]):
    """Type words (prefixes match; quotes, AND/OR/NOT work): enter jumps to the passage,
    a number key 1-9 codes the highlighted result with that favourite and stays."""

    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("down", "cursor_down", "Next result", show=False),
        Binding("up", "cursor_up", "Previous result", show=False),
        *[
            Binding(str(n), f"code({n})", f"Code with favourite {n}", show=False)
            for n in range(1, 10)
        ],
    ]

    def __init__(self, favourites: list[tuple[str, str, str]], query: str = "") -> None:
        super().__init__()
        self.favourites = favourites
        self.query_text = query
        self.hits: dict[str, tuple[int, int, int, int]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box", classes="dialog-box"):
            yield Static("Search the project", classes="dialog-title")
            yield Input(
                self.query_text, placeholder='words, "a phrase", or NOT ...', id="search-input"
            )
            yield OptionList(id="search-results")
            keys = "  ".join(f"{n}:{label}" for n, (_, label, _) in enumerate(self.favourites, 1))
            yield Static(f"enter: go to passage   {keys}", id="search-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.query_text:
            self._search(self.query_text)

    def _search(self, query: str) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        self.hits.clear()
        try:
            segments = search_segments(self.app.project, query, limit=200)
        except FrisatError as exc:
            self.query_one("#search-hint", Static).update(str(exc))
            return
        names = {d.id: d.name for d in list_documents(self.app.project)}
        for seg in segments:
            key = str(seg.id)
            self.hits[key] = (seg.document_id, seg.id, seg.start, seg.end)
            text = " ".join(seg.text.split())
            results.add_option(Option(f"{names.get(seg.document_id, '?')}: {text}", id=key))
        if results.option_count:
            results.highlighted = 0
        self.query_one("#search-box").border_subtitle = f"{len(segments)} passages"

    def on_input_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._go()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._go()

    def _highlighted(self) -> tuple[int, int, int, int] | None:
        results = self.query_one(OptionList)
        if results.highlighted is None or not results.option_count:
            return None
        return self.hits.get(results.get_option_at_index(results.highlighted).id or "")

    def _go(self) -> None:
        hit = self._highlighted()
        if hit is None:
            self.app.bell()
            return
        self.dismiss(SearchHit(hit[0], hit[1]))

    def action_code(self, n: int) -> None:
        """Code the highlighted passage with favourite n, without leaving the results."""
        from frisat_qual.store.codings import apply_code

        hit = self._highlighted()
        if hit is None or n > len(self.favourites):
            self.app.bell()
            return
        code_id, label, _ = self.favourites[n - 1]
        try:
            apply_code(self.app.project, hit[0], hit[2], hit[3], code_id, self.app.coder)
        except FrisatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"coded with {label}", markup=False)
        self.action_cursor_down()

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
