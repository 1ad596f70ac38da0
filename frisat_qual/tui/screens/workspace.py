"""WorkspaceScreen: the coding workspace in three panes.

Documents (grouped by kommune and rolle, with coding progress) | the transcript (turns,
segments, the selection, coded spans in code colours) | the codebook (counts, filter).
Everything is keyboard-first: move by segment or turn, extend or narrow the selection,
apply a code with a number key, the codebook tree or by typing part of its name, remove a
coding, write memos, undo and redo, jump to the next uncoded segment, search the project.
Every action is committed by the core the moment it is made; this screen only calls the
core and redraws.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from frisat_qual.codebook.picking import favourites, toggle_pinned
from frisat_qual.errors import FrisatError
from frisat_qual.models import Coding
from frisat_qual.reports.drill import Passage
from frisat_qual.store.codes import code_rows
from frisat_qual.store.codings import (
    apply_code,
    coding_counts,
    coding_progress,
    query_codings,
    remove_coding,
)
from frisat_qual.store.documents import documents_with_attributes, load_transcript
from frisat_qual.store.journal import redo, undo
from frisat_qual.store.memos import memos_for, write_memo
from frisat_qual.store.stats import change_marker
from frisat_qual.store.suggestions import (
    accept_suggestion,
    pending_suggestions,
    reject_suggestion,
    save_suggestions,
    suggestion_counts,
)
from frisat_qual.store.survey import comment_document_refs
from frisat_qual.tui.screens.agreement import AgreementScreen, AgreementSettings, AgreementTarget
from frisat_qual.tui.screens.dialogs import FormDialog, FormField
from frisat_qual.tui.screens.picker import ChoiceDialog, CodePicker
from frisat_qual.tui.screens.reports import ReportSettings, ReportsScreen
from frisat_qual.tui.screens.search import SearchHit, SearchScreen
from frisat_qual.tui.screens.survey import SurveyScreen, SurveySettings, SurveyTarget
from frisat_qual.tui.widgets.codebook_tree import CodebookTree
from frisat_qual.tui.widgets.document_tree import DocumentTree
from frisat_qual.tui.widgets.staircase import StaircaseGrid
from frisat_qual.tui.widgets.suggestions import SuggestionsPanel
from frisat_qual.tui.widgets.transcript import CodedSpan, TranscriptView, format_time

#: Below this width the document pane is hidden until asked for (key d).
NARROW = 110
#: Seconds after the last coding before the document's progress figure is redrawn.
PROGRESS_DELAY = 0.6
#: Seconds after the workspace opens before the suggester starts training.
TRAIN_DELAY = 0.8
#: Seconds the cursor rests on a segment before its suggestions are scored and shown.
SUGGEST_DELAY = 0.12
#: Reviews (accepts, rejects) after which the suggester retrains in the background.
RETRAIN_EVERY = 10
#: Segments suggested for per step of suggest-all (the progress bar moves per step).
SUGGEST_BATCH = 50


class WorkspaceScreen(Screen[None]):
    BINDINGS = [
        Binding("tab", "focus_next_pane", "Switch pane", show=True),
        *[
            Binding(str(n), f"favourite({n})", f"Code with favourite {n}", show=False)
            for n in range(1, 10)
        ],
        Binding("a", "pick_code", "Apply code…", show=True),
        Binding("x", "remove_coding", "Remove coding", show=True),
        Binding("u,ctrl+z", "undo", "Undo", show=True),
        Binding("U,ctrl+y", "redo", "Redo", show=False),
        Binding("n", "next_uncoded", "Next uncoded", show=True),
        Binding("N", "previous_uncoded", "Previous uncoded", show=False),
        Binding(
            "m", "memo_coding", "Memo on coding, document, or (in the codebook) code", show=False
        ),
        Binding("M", "memo_document", "Memo on document", show=False),
        Binding("ctrl+f,slash", "search", "Search", show=True),
        Binding("t", "reports", "Reports", show=True),
        Binding("v", "survey", "Survey", show=True),
        Binding("p", "pin_code", "Pin code to number keys", show=False),
        Binding("ctrl+b", "toggle_blind", "Blind mode", show=False),
        Binding("f5,ctrl+r", "reload", "Reload from disk", show=False),
        Binding("d", "toggle_documents", "Show/hide documents", show=False),
        Binding("y", "accept_suggestion", "Accept top suggestion", show=False),
        Binding(
            "Y", "accept_all_suggestions", "Accept all suggestions above threshold", show=False
        ),
        Binding("r", "reject_suggestion", "Reject top suggestion", show=False),
        Binding("S", "suggest_all", "Suggest for the whole document", show=False),
        Binding("R", "review_next", "Review mode: next most useful segment", show=False),
        Binding("A", "agreement", "Agreement and disagreements", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.document_id: int | None = None
        self.document_name = ""
        self.blind = False
        self.favourite_codes: list[tuple[str, str, str]] = []
        self.last_action = ""
        self._marker: tuple[int, int] | None = None
        self._progress_timer = None
        self._suggest_timer = None
        # pending suggestions in the status line: counted when they can change, not per key
        self.pending_count = 0
        self.suggester = None
        self._trained_marker: tuple[int, int] | None = None
        self._changes_since_training = 0
        self.report_settings = ReportSettings()
        self.survey_settings = SurveySettings()
        self.agreement_settings = AgreementSettings()

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            yield DocumentTree(id="documents")
            with Vertical(id="middle"):
                yield TranscriptView(id="transcript")
                yield Static("", id="favourites", markup=False)
                yield SuggestionsPanel(id="suggestions")
                yield ProgressBar(id="suggest-progress", show_eta=False)
            with Vertical(id="codes"):
                yield StaircaseGrid(id="staircase")
                yield Input(placeholder="filter codes", id="code-filter")
                yield CodebookTree(id="codebook")
        yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_documents()
        self.query_one(CodebookTree).refresh_codes(self.app.project)
        self.refresh_favourites()
        items = documents_with_attributes(self.app.project)
        if items:
            self.open_document(items[0][0].id)
        self._marker = change_marker(self.app.project)
        self.pending_count = suggestion_counts(self.app.project).get("pending", 0)
        self.update_status()
        # train once the workspace is on screen, so opening is not slowed by it
        self.set_timer(TRAIN_DELAY, self.train_suggester)
        self.query_one(DocumentTree).focus()
        self._apply_width(self.size.width)

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "narrow")

    # -- data -------------------------------------------------------------------------------

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def _coder_filter(self) -> str | None:
        return self.app.coder if self.blind else None

    def refresh_documents(self) -> None:
        tree = self.query_one(DocumentTree)
        project = self.app.project
        progress = coding_progress(project, coder=self._coder_filter())
        tree.populate(documents_with_attributes(project), progress, comment_document_refs(project))

    def refresh_favourites(self) -> None:
        self.favourite_codes = favourites(self.app.project, self.app.coder)
        keys = "  ".join(f"{n}:{label}" for n, (_, label, _) in enumerate(self.favourite_codes, 1))
        self.query_one("#favourites", Static).update(keys, layout=False)

    def refresh_staircase(self) -> None:
        """Counts per step and side: in the open document, and in the project."""
        view = self.view
        here: dict[str, int] = {}
        for span in view.codings:
            here[span.code_id] = here.get(span.code_id, 0) + 1
        colors = {r["id"]: r["color"] for r in code_rows(self.app.project, include_retired=False)}
        self.query_one(StaircaseGrid).show(here, coding_counts(self.app.project), colors)

    def coded_spans(self, document_id: int) -> list[CodedSpan]:
        """The document's codings with labels and colours (only mine in blind mode)."""
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
            for c in query_codings(
                self.app.project, document_id=document_id, coder=self._coder_filter()
            )
            if c.code_id in codes
        ]

    def open_document(
        self,
        document_id: int,
        segment_id: int | None = None,
        *,
        span: tuple[int, int] | None = None,
    ) -> None:
        """Show a document, at a segment or with a span (e.g. a coding) selected."""
        doc, text, turns, segments = load_transcript(self.app.project, document_id)
        self.document_id, self.document_name = doc.id, doc.name
        self.view.show(text, turns, segments, self.coded_spans(doc.id))
        if segment_id is not None:
            index = next((i for i, s in enumerate(segments) if s.id == segment_id), 0)
            self.view.move_to(index)
        if span is not None:
            self.view.select_span(*span)
        self.query_one(DocumentTree).select_document(doc.id)
        self.refresh_staircase()
        self.update_status()

    def after_change(self, message: str | None = None, *, full: bool = True) -> None:
        """Redraw what an action changed. A coding in the open document (`full=False`)
        touches only its spans, the code counts and the document's progress, updated in
        place; anything else (undo, reload, blind mode, other screens) redraws all."""
        project = self.app.project
        if self.document_id is not None:
            self.view.set_codings(self.coded_spans(self.document_id))
        tree = self.query_one(CodebookTree)
        if full:
            tree.refresh_codes(project)
            self.refresh_documents()
            self.refresh_favourites()
        else:
            tree.update_counts(coding_counts(project))
            # relabelling the document tree rebuilds its lines (slow with 1,000 documents):
            # do it once the researcher pauses, not on every keypress
            if self._progress_timer is not None:
                self._progress_timer.stop()
            self._progress_timer = self.set_timer(PROGRESS_DELAY, self._update_progress)
        if not full:
            # a batch of new codings or reviews: let the suggester learn from them
            self._changes_since_training += 1
            if self._changes_since_training >= RETRAIN_EVERY:
                self.train_suggester()
            if self._suggest_timer is not None:
                self._suggest_timer.stop()
            self._suggest_timer = self.set_timer(SUGGEST_DELAY, self.show_suggestions)
        if message and not full:
            self.last_action = message  # shown in the status line: no toast per keypress
        self._marker = change_marker(project)
        self.pending_count = suggestion_counts(project).get("pending", 0)
        self.refresh_staircase()
        self.update_status()
        if message and full:
            self.notify(message, timeout=2, markup=False)

    def _update_progress(self) -> None:
        if self.document_id is None:
            return
        progress = coding_progress(
            self.app.project, coder=self._coder_filter(), document_id=self.document_id
        )
        self.query_one(DocumentTree).update_progress(
            self.document_id, progress.get(self.document_id, (0, 0))
        )

    def on_screen_resume(self) -> None:
        """Back from another screen (codebook, search, dialogs): redraw if it changed the
        project; a dialog that was cancelled costs nothing."""
        if self.document_id is not None and change_marker(self.app.project) != self._marker:
            self.after_change()

    # -- events -----------------------------------------------------------------------------

    def on_document_tree_opened(self, event: DocumentTree.Opened) -> None:
        self.open_document(event.document_id)
        self.view.focus()

    def on_transcript_view_segment_changed(self, event: TranscriptView.SegmentChanged) -> None:
        self.update_status()
        # scoring takes a few ms: do it when the cursor rests, so held-down keys stay fast
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        self._suggest_timer = self.set_timer(SUGGEST_DELAY, self.show_suggestions)

    @on(Input.Changed, "#code-filter")
    def filter_codes(self, event: Input.Changed) -> None:
        self.query_one(CodebookTree).filter(event.value)

    @on(Input.Submitted, "#code-filter")
    def filter_done(self, event: Input.Submitted) -> None:
        """Enter in the filter applies the first matching code to the selection."""
        tree = self.query_one(CodebookTree)
        if tree.matches:
            self.apply(tree.matches[0])
        event.input.value = ""  # the whole codebook again for the next code
        self.view.focus()

    @on(CodebookTree.CodeChosen)
    def code_chosen(self, event: CodebookTree.CodeChosen) -> None:
        self.apply(event.code_id)

    def update_status(self) -> None:
        view = self.view
        parts = [self.app.project.name, f"coder {self.app.coder}"]
        if self.blind:
            parts.append("BLIND")
        if self.document_id is not None:
            parts.append(self.document_name)
            seg = view.current_segment
            if seg is not None:
                parts.append(f"segment {view.segment_index + 1}/{len(view.segments)}")
                turn = next((t for t in view.turns if t.id == seg.turn_id), None)
                if turn is not None:
                    stamp = format_time(turn.t_start)
                    parts.append(f"{turn.speaker}{' ' + stamp if stamp else ''}")
                selection = view.selection
                if (
                    selection
                    and len(view.selected_segments) > 1
                    or view.trim_start
                    or view.trim_end
                ):
                    parts.append(f"selection {selection[1] - selection[0]} chars")
        if self.last_action:
            parts.append(self.last_action)
        pending = self.pending_count
        if pending:
            parts.append(f"{pending} pending suggestions")
        parts.append("? help")
        self.query_one("#status", Static).update("  │  ".join(parts), layout=False)

    # -- coding actions -------------------------------------------------------------------------

    def _run(self, action, *, done: str | None = None, full: bool = True) -> object | None:
        """Call the core; show its error in one line instead of failing."""
        try:
            result = action()
        except FrisatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        self.after_change(done, full=full)
        return result

    def apply(self, code_id: str) -> None:
        selection = self.view.selection
        if self.document_id is None or selection is None:
            self.app.bell()
            return
        label = next((lbl for c, lbl, _ in self.favourite_codes if c == code_id), code_id)
        doc_id = self.document_id
        self._run(
            lambda: apply_code(self.app.project, doc_id, *selection, code_id, self.app.coder),
            done=f"coded: {label}",
            full=False,
        )

    def action_favourite(self, n: int) -> None:
        if n > len(self.favourite_codes):
            self.app.bell()
            return
        self.apply(self.favourite_codes[n - 1][0])

    def action_pick_code(self) -> None:
        def chosen(code_id: str | None) -> None:
            if code_id:
                self.apply(code_id)

        self.app.push_screen(CodePicker(), chosen)

    def codings_at_selection(self) -> list[Coding]:
        """Codings overlapping the selection (only mine in blind mode)."""
        selection = self.view.selection
        if self.document_id is None or selection is None:
            return []
        start, end = selection
        return [
            c
            for c in query_codings(
                self.app.project, document_id=self.document_id, coder=self._coder_filter()
            )
            if c.start < end and c.end > start
        ]

    def _choose_coding(self, title: str, then) -> None:
        found = self.codings_at_selection()
        if not found:
            self.notify("no coding here", severity="warning")
            return
        if len(found) == 1:
            then(found[0])
            return
        labels = {r["id"]: r["label"] for r in code_rows(self.app.project)}
        text = self.view.text
        items = [
            (
                str(c.id),
                f"{labels.get(c.code_id, c.code_id)} ({c.coder}): "
                f"{' '.join(text[c.start : c.end].split())[:60]}",
            )
            for c in found
        ]
        by_id = {str(c.id): c for c in found}
        self.app.push_screen(
            ChoiceDialog(title, items), lambda key: then(by_id[key]) if key else None
        )

    def action_remove_coding(self) -> None:
        self._choose_coding(
            "Remove which coding?",
            lambda c: self._run(
                lambda: remove_coding(self.app.project, c.id, self.app.coder),
                done=f"removed: {c.code_id}",
                full=False,
            ),
        )

    def action_undo(self) -> None:
        action = self._run(lambda: undo(self.app.project, self.app.coder))
        self.notify(
            f"undid: {action.label}" if action else "nothing to undo", timeout=2, markup=False
        )

    def action_redo(self) -> None:
        action = self._run(lambda: redo(self.app.project, self.app.coder))
        self.notify(
            f"redid: {action.label}" if action else "nothing to redo", timeout=2, markup=False
        )

    def _memo(self, target_type: str, target_id: int | str, title: str) -> None:
        mine = [
            m
            for m in memos_for(self.app.project, target_type, target_id)
            if m.author == self.app.coder
        ]
        others = [
            m
            for m in memos_for(self.app.project, target_type, target_id)
            if m.author != self.app.coder
        ]
        heading = title + "".join(f"\n{m.author}: {m.text}" for m in others)

        def save(values: dict[str, str] | None) -> None:
            if values is not None:
                self._run(
                    lambda: write_memo(
                        self.app.project,
                        target_type,
                        target_id,
                        values["text"],
                        author=self.app.coder,
                    ),
                    done="memo saved" if values["text"].strip() else "memo removed",
                )

        self.app.push_screen(
            FormDialog(
                heading,
                [
                    FormField(
                        "text",
                        "Memo (empty to remove)",
                        mine[0].text if mine else "",
                        multiline=True,
                    )
                ],
            ),
            save,
        )

    def action_memo_coding(self) -> None:
        tree = self.query_one(CodebookTree)
        if tree.has_focus and tree.current_code_id:
            code_id = tree.current_code_id
            self._memo("code", code_id, f"Memo on code {code_id}")
            return
        if not self.codings_at_selection():
            self.action_memo_document()
            return
        self._choose_coding(
            "Memo on which coding?",
            lambda c: self._memo("coding", c.id, f"Memo on coding {c.code_id}"),
        )

    def action_memo_document(self) -> None:
        if self.document_id is not None:
            self._memo("document", self.document_id, f"Memo on {self.document_name}")

    def action_pin_code(self) -> None:
        code_id = self.query_one(CodebookTree).current_code_id
        if not code_id:
            self.app.bell()
            return
        pinned = toggle_pinned(self.app.project, self.app.coder, code_id)
        self.refresh_favourites()
        self.notify(
            f"{code_id} {'pinned to' if pinned else 'unpinned from'} the number keys",
            timeout=2,
            markup=False,
        )

    # -- suggestions -----------------------------------------------------------------------

    class SuggesterReady(Message):
        """A suggester finished training in the background."""

        def __init__(self, suggester: object) -> None:
            super().__init__()
            self.suggester = suggester

    class SuggestionsStored(Message):
        """Suggest-all for a document stored its pending suggestions."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def train_suggester(self) -> None:
        """(Re)train in a thread worker: typing never waits for it."""
        self._changes_since_training = 0
        self._train()

    @work(thread=True, exclusive=True, group="train")
    def _train(self) -> None:
        from frisat_qual.suggest.ensemble import Suggester

        project = self.app.project.reopen()  # sqlite connections belong to one thread
        try:
            suggester = Suggester.train(project)
        except FrisatError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        finally:
            project.close()
        self.post_message(self.SuggesterReady(suggester))

    def on_workspace_screen_suggester_ready(self, event: SuggesterReady) -> None:
        self.suggester = event.suggester
        self.show_suggestions()

    def _code_labels(self) -> dict[str, tuple[str, str]]:
        return {r["id"]: (r["label"], r["color"]) for r in code_rows(self.app.project)}

    def current_suggestions(self) -> list:
        seg = self.view.current_segment
        if self.suggester is None or seg is None:
            return []
        from frisat_qual.suggest.service import suggest_segments

        (found,) = suggest_segments(self.app.project, self.suggester, [seg], min_score=0.0, top=5)
        return found

    def show_suggestions(self) -> None:
        panel = self.query_one(SuggestionsPanel)
        if self.suggester is None:
            panel.show([], {}, note="training the suggester…")
            return
        panel.show(self.current_suggestions(), self._code_labels())

    def _stored_for_current(self, found: list) -> dict[str, int]:
        """Store what is shown as pending (so the decision is recorded) and return
        code -> stored suggestion id."""
        seg = self.view.current_segment
        save_suggestions(self.app.project, found, segment_ids=[seg.id])
        return {p.code_id: p.id for p in pending_suggestions(self.app.project, segment_id=seg.id)}

    def _decide(self, decide, *, every_above_threshold: bool = False) -> None:
        """Accept or reject the top suggestion (or accept all above threshold): the shown
        suggestions are stored first, so who decided what and when is recorded."""
        found = self.current_suggestions()
        if every_above_threshold:
            found = [s for s in found if s.score >= s.threshold]
        if not found:
            self.app.bell()
            return
        chosen = found if every_above_threshold else found[:1]

        def decide_all() -> object:
            ids = self._stored_for_current(found)
            with self.app.project.transaction():
                return [decide(self.app.project, ids[s.code_id], self.app.coder) for s in chosen]

        if self._run(decide_all, full=False) is not None:
            verb = "accepted" if decide is accept_suggestion else "rejected"
            self.last_action = f"{verb}: {', '.join(s.code_id for s in chosen)}"
            self.update_status()

    def action_accept_suggestion(self) -> None:
        self._decide(accept_suggestion)

    def action_accept_all_suggestions(self) -> None:
        self._decide(accept_suggestion, every_above_threshold=True)

    def action_reject_suggestion(self) -> None:
        self._decide(reject_suggestion)

    def action_suggest_all(self) -> None:
        if self.suggester is None or self.document_id is None:
            self.notify("the suggester is still training", severity="warning")
            return
        self.query_one("#suggest-progress", ProgressBar).display = True
        self._suggest_all(self.document_id, self.suggester)

    @work(thread=True, exclusive=True, group="suggest-all")
    def _suggest_all(self, document_id: int, suggester) -> None:
        from frisat_qual.store.documents import segments_of
        from frisat_qual.suggest.service import suggest_segments

        project = self.app.project.reopen()
        try:
            segments = segments_of(project, document_id)
            bar = self.query_one("#suggest-progress", ProgressBar)
            self.app.call_from_thread(bar.update, total=len(segments), progress=0)
            stored = 0
            for start in range(0, len(segments), SUGGEST_BATCH):
                batch = segments[start : start + SUGGEST_BATCH]
                found = suggest_segments(project, suggester, batch)
                stored += save_suggestions(
                    project, [s for f in found for s in f], segment_ids=[s.id for s in batch]
                )
                self.app.call_from_thread(bar.update, progress=start + len(batch))
        finally:
            project.close()
        self.post_message(self.SuggestionsStored(stored))

    def on_workspace_screen_suggestions_stored(self, event: SuggestionsStored) -> None:
        self.query_one("#suggest-progress", ProgressBar).display = False
        self.pending_count = suggestion_counts(self.app.project).get("pending", 0)
        self.update_status()
        self.notify(f"{event.count} suggestions stored for review", timeout=3)

    def action_review_next(self) -> None:
        """Review mode: go to the segment whose decision would teach the model most."""
        if self.suggester is None:
            self.notify("the suggester is still training", severity="warning")
            return
        from frisat_qual.suggest.queue import review_queue

        queue = review_queue(self.app.project, self.suggester, document=self.document_id, limit=1)
        if not queue:
            self.notify("nothing left to review in this document", timeout=2)
            return
        target = queue[0].segment
        index = next((i for i, s in enumerate(self.view.segments) if s.id == target.id), None)
        if index is not None:
            self.view.move_to(index)
            self.view.focus()

    # -- navigation -------------------------------------------------------------------------

    def _uncoded(self, step: int) -> None:
        view = self.view
        spans = view.codings
        index = view.segment_index + step
        while 0 <= index < len(view.segments):
            seg = view.segments[index]
            if not any(c.start < seg.end and c.end > seg.start for c in spans):
                view.move_to(index)
                return
            index += step
        self.notify("no uncoded segment that way", timeout=2)

    def action_next_uncoded(self) -> None:
        self._uncoded(1)

    def action_previous_uncoded(self) -> None:
        self._uncoded(-1)

    def action_search(self) -> None:
        def go(hit: SearchHit | None) -> None:
            if hit is not None:
                self.open_document(hit.document_id, hit.segment_id)
                self.view.focus()

        self.app.push_screen(SearchScreen(self.favourite_codes), go)

    def action_reports(self) -> None:
        """The reports; a passage chosen there opens here with its span selected."""

        def go(passage: Passage | None) -> None:
            if passage is not None:
                self.open_document(passage.document_id, span=(passage.start, passage.end))
                self.view.focus()

        self.app.push_screen(ReportsScreen(self.report_settings), go)

    def action_survey(self) -> None:
        """The survey beside the interviews; a comment or passage chosen there opens here
        (a passage with its span selected)."""

        def go(target: SurveyTarget | None) -> None:
            if target is not None:
                self.open_document(target.document_id, span=target.span)
                self.view.focus()

        self.app.push_screen(SurveyScreen(self.survey_settings), go)

    def action_agreement(self) -> None:
        """Inter-coder agreement and the disagreement walk; a disagreement chosen there
        opens here at its segment."""

        def go(target: AgreementTarget | None) -> None:
            if target is not None:
                self.open_document(target.document_id, target.segment_id)
                self.view.focus()

        self.app.push_screen(AgreementScreen(self.agreement_settings), go)

    def action_toggle_blind(self) -> None:
        self.blind = not self.blind
        self.after_change(
            "blind mode: only your codings are shown"
            if self.blind
            else "blind mode off: all coders' codings are shown"
        )

    def action_reload(self) -> None:
        """Show what other windows or the CLI wrote meanwhile."""
        self.after_change("reloaded")

    def action_toggle_documents(self) -> None:
        """Narrow terminals: show the document list and go there, or hide it again."""
        self.toggle_class("show-documents")
        tree = self.query_one(DocumentTree)
        if self.has_class("show-documents") or not self.has_class("narrow"):
            tree.focus()
        else:
            self.view.focus()

    def action_focus_next_pane(self) -> None:
        panes = [
            w
            for w in (self.query_one(DocumentTree), self.view, self.query_one(CodebookTree))
            if w.display and w.styles.display != "none"
        ]
        focused = next((i for i, w in enumerate(panes) if w.has_focus), -1)
        panes[(focused + 1) % len(panes)].focus()
