"""WorkspaceScreen: the document list beside the transcript view, with a status line.

It grows into the coding workspace (codebook pane, suggestions) in later releases; for now
it opens documents and moves through them segment by segment and turn by turn.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import query_codings
from frisat_qual.store.documents import documents_with_attributes, load_transcript
from frisat_qual.tui.widgets.document_tree import DocumentTree
from frisat_qual.tui.widgets.transcript import CodedSpan, TranscriptView, format_time


class WorkspaceScreen(Screen[None]):
    BINDINGS = [
        Binding("tab", "focus_next_pane", "Switch pane", show=True),
        Binding("d", "focus_documents", "Documents", show=False),
        Binding("t", "focus_transcript", "Transcript", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.document_id: int | None = None
        self.document_name = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield DocumentTree(id="documents")
            yield TranscriptView(id="transcript")
        yield Static("", id="status")
        yield Footer()

    def on_mount(self) -> None:
        items = documents_with_attributes(self.app.project)
        tree = self.query_one(DocumentTree)
        tree.populate(items)
        self.update_status()
        if items:
            self.open_document(items[0][0].id)
        tree.focus()

    def open_document(self, document_id: int) -> None:
        doc, text, turns, segments = load_transcript(self.app.project, document_id)
        self.document_id, self.document_name = doc.id, doc.name
        view = self.query_one(TranscriptView)
        view.show(text, turns, segments, self.coded_spans(doc.id))
        self.query_one(DocumentTree).select_document(doc.id)
        self.update_status()

    def coded_spans(self, document_id: int) -> list[CodedSpan]:
        """The document's codings with their code labels and colours, for the view."""
        codes = {r["id"]: r for r in code_rows(self.app.project)}
        return [
            CodedSpan(
                c.start,
                c.end,
                c.code_id,
                codes[c.code_id]["label"],
                codes[c.code_id]["color"],
                c.id,
            )
            for c in query_codings(self.app.project, document_id=document_id)
            if c.code_id in codes
        ]

    def on_screen_resume(self) -> None:
        """Back from another screen (codebook, search): show codings as they are now."""
        if self.document_id is not None:
            self.query_one(TranscriptView).set_codings(self.coded_spans(self.document_id))

    def on_document_tree_opened(self, event: DocumentTree.Opened) -> None:
        self.open_document(event.document_id)
        self.query_one(TranscriptView).focus()

    def on_transcript_view_segment_changed(self, event: TranscriptView.SegmentChanged) -> None:
        self.update_status()

    def update_status(self) -> None:
        view = self.query_one(TranscriptView)
        parts = [f"[b]{self.app.project.name}[/b]"]
        if self.document_id is not None:
            parts.append(self.document_name)
            seg = view.current_segment
            if seg is not None:
                parts.append(f"segment {view.segment_index + 1}/{len(view.segments)}")
                turn = next((t for t in view.turns if t.id == seg.turn_id), None)
                if turn is not None:
                    stamp = format_time(turn.t_start)
                    parts.append(f"{turn.speaker}{' ' + stamp if stamp else ''}")
        parts.append("? help")
        self.query_one("#status", Static).update("  │  ".join(parts))

    def action_focus_next_pane(self) -> None:
        tree, view = self.query_one(DocumentTree), self.query_one(TranscriptView)
        (view if tree.has_focus else tree).focus()

    def action_focus_documents(self) -> None:
        self.query_one(DocumentTree).focus()

    def action_focus_transcript(self) -> None:
        self.query_one(TranscriptView).focus()
