"""TranscriptView: a transcript as speaker turns and sentence segments, fast at any length.

It uses Textual's line API: the document is word-wrapped once per width into lines that
remember their character offsets in the document text, and only visible lines are drawn.
Moving the current segment restyles a few lines instead of re-laying out the document, so
a 15,000-word interview opens and navigates without delay.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from frisat_qual.models import INTERVIEWER, Segment, Turn

GUTTER = 3
#: Width of the right margin that names the codes starting on a line (wide views only).
MARGIN = 18
MARGIN_MIN_WIDTH = 60
#: Lines kept visible above and below the current segment when the view follows it.
CONTEXT_LINES = 3


@dataclass(frozen=True)
class CodedSpan:
    """A coding as the view draws it."""

    start: int
    end: int
    code_id: str
    label: str
    color: str
    coding_id: int = 0


_WORD = re.compile(r"\S+\s*|\s+")
#: A word of a selection: letters and digits with inner hyphens or apostrophes.
_WORDS = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class _Line:
    kind: str  # "label", "text" or "blank"
    start: int = 0
    end: int = 0
    turn: int | None = None


def format_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def wrap_offsets(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of text[start:end] into (start, end) offsets of at most `width`."""
    width = max(width, 8)
    lines: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text[start:end]):
        pos = start + para.start()
        para_end = start + para.end()
        line_start = pos
        line_len = 0
        for m in _WORD.finditer(text, pos, para_end):
            word = m.group()
            visible = len(word.rstrip())
            if line_len and line_len + visible > width:
                lines.append((line_start, m.start()))
                line_start, line_len = m.start(), 0
            while visible > width:  # a word longer than the line: cut it hard
                lines.append((line_start, line_start + width))
                line_start += width
                visible -= width
                word = word[width:]
            line_len += len(word)
        if line_start < para_end:
            lines.append((line_start, para_end))
    return lines


class TranscriptView(ScrollView, can_focus=True):
    """Shows one document; `segment_index` is the current segment."""

    COMPONENT_CLASSES = {
        "transcript--label",
        "transcript--interviewer",
        "transcript--current",
        "transcript--time",
    }
    BINDINGS = [
        Binding("down,j", "next_segment", "Next segment", show=True),
        Binding("up,k", "previous_segment", "Previous segment", show=False),
        Binding("shift+down,J", "extend_down", "Extend selection down", show=False),
        Binding("shift+up,K", "extend_up", "Extend selection up", show=False),
        Binding("w", "narrow_start", "Drop first word of selection", show=False),
        Binding("W", "widen_start", "Give back first word", show=False),
        Binding("b", "narrow_end", "Drop last word of selection", show=False),
        Binding("B", "widen_end", "Give back last word", show=False),
        Binding("right_square_bracket,ctrl+down", "next_turn", "Next turn", show=True),
        Binding("left_square_bracket,ctrl+up", "previous_turn", "Previous turn", show=False),
        Binding("home,g", "first_segment", "First segment", show=False),
        Binding("end,G", "last_segment", "Last segment", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
    ]

    segment_index: reactive[int] = reactive(0, always_update=False)

    class SegmentChanged(Message):
        """The current segment moved."""

        def __init__(self, view: TranscriptView, index: int) -> None:
            super().__init__()
            self.view = view
            self.index = index

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ):
        super().__init__(name=name, id=id, classes=classes)
        self.text = ""
        self.turns: list[Turn] = []
        self.segments: list[Segment] = []
        self._lines: list[_Line] = []
        self._line_starts: list[int] = []  # start offsets of text lines, for bisect
        self._line_index: list[int] = []  # index into _lines of each text line
        self._width = 0
        self.codings: list[CodedSpan] = []
        self._margin = 0
        # the selection: segments anchor..segment_index (either order), minus whole words
        # trimmed from its start and end
        self.anchor = 0
        self.trim_start = 0
        self.trim_end = 0

    # -- content -------------------------------------------------------------------------

    def show(
        self,
        text: str,
        turns: list[Turn],
        segments: list[Segment],
        codings: list[CodedSpan] | None = None,
    ) -> None:
        """Display a document and put the cursor on its first segment."""
        self.text, self.turns, self.segments = text, turns, segments
        self.codings = sorted(codings or [], key=lambda c: (c.start, -c.end))
        self._width = 0
        self._layout()
        self.set_reactive(TranscriptView.segment_index, 0)
        self.anchor = self.trim_start = self.trim_end = 0
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.post_message(self.SegmentChanged(self, 0))

    def clear(self) -> None:
        self.show("", [], [])

    def set_codings(self, codings: list[CodedSpan]) -> None:
        """Redraw with a new set of codings (after coding, undo, refresh)."""
        self.codings = sorted(codings, key=lambda c: (c.start, -c.end))
        self.refresh()

    @property
    def current_segment(self) -> Segment | None:
        if 0 <= self.segment_index < len(self.segments):
            return self.segments[self.segment_index]
        return None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected character span: whole segments, narrowed by whole words."""
        if not self.segments:
            return None
        first, last = sorted((self.anchor, self.segment_index))
        start, end = self.segments[first].start, self.segments[last].end
        words = [
            (m.start() + start, m.end() + start) for m in _WORDS.finditer(self.text[start:end])
        ]
        keep = words[self.trim_start : len(words) - self.trim_end]
        if not keep:
            return start, end
        # an untrimmed side keeps the segment's own edge (with its closing punctuation)
        return (keep[0][0] if self.trim_start else start), (keep[-1][1] if self.trim_end else end)

    @property
    def selected_segments(self) -> range:
        first, last = sorted((self.anchor, self.segment_index))
        return range(first, last + 1)

    def _selection_changed(self, old: tuple[int, int] | None) -> None:
        new = self.selection
        for span in (old, new):
            if span is not None:
                self._refresh_span(*span)
        self.post_message(self.SegmentChanged(self, self.segment_index))

    def _refresh_span(self, start: int, end: int) -> None:
        first, last = self.line_of_offset(start), self.line_of_offset(max(end - 1, start))
        self.refresh_lines(first - int(self.scroll_offset.y), last - first + 1)

    def _layout(self) -> None:
        full = self.scrollable_content_region.width
        self._margin = MARGIN if full >= MARGIN_MIN_WIDTH else 0
        width = max(full - GUTTER - self._margin, 20)
        if width == self._width and self._lines:
            return
        self._width = width
        lines: list[_Line] = []
        blocks: list[tuple[int, int, int | None]] = []
        if self.turns:
            cursor = 0
            first = self.turns[0]
            head_end = first.label_start if first.label_end > first.label_start else first.start
            if self.text[:head_end].strip():
                blocks.append((0, head_end, None))
            for i, t in enumerate(self.turns):
                blocks.append((t.start, t.end, i))
                cursor = t.end
            if self.text[cursor:].strip():
                blocks.append((cursor, len(self.text), None))
        elif self.text:
            blocks.append((0, len(self.text), None))
        for start, end, turn in blocks:
            if lines:
                lines.append(_Line("blank"))
            if turn is not None:
                lines.append(_Line("label", turn=turn))
            for s, e in wrap_offsets(self.text, start, end, width):
                lines.append(_Line("text", s, e, turn))
        self._lines = lines
        self._line_index = [i for i, line in enumerate(lines) if line.kind == "text"]
        self._line_starts = [lines[i].start for i in self._line_index]
        self.virtual_size = Size(width + GUTTER + self._margin, len(lines))

    def on_resize(self) -> None:
        if self.text:
            self._layout()
            self._scroll_to_current()
            self.refresh()

    def line_of_offset(self, offset: int) -> int:
        """The index of the display line holding character `offset`."""
        if not self._line_starts:
            return 0
        i = max(bisect.bisect_right(self._line_starts, offset) - 1, 0)
        return self._line_index[i]

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        line = self._lines[index]
        if line.kind == "blank":
            return Strip.blank(width, base)
        if line.kind == "label":
            strip = Strip(self._label_segments(line.turn, base))
        else:
            strip = Strip(self._text_segments(line, base))
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _label_segments(self, turn_index: int | None, base: Style) -> list[RichSegment]:
        turn = self.turns[turn_index] if turn_index is not None else None
        if turn is None:
            return []
        role_class = "transcript--interviewer" if turn.role == INTERVIEWER else "transcript--label"
        label_style = base + self.get_component_rich_style(role_class)
        out = [
            RichSegment(" " * GUTTER, base),
            RichSegment(turn.speaker or "(no speaker)", label_style),
        ]
        if turn.t_start is not None:
            time_style = base + self.get_component_rich_style("transcript--time")
            out.append(RichSegment(f"  {format_time(turn.t_start)}", time_style))
        return out

    def _codings_on(self, start: int, end: int) -> list[CodedSpan]:
        return [c for c in self.codings if c.start < end and c.end > start]

    def _text_segments(self, line: _Line, base: Style) -> list[RichSegment]:
        text = self.text[line.start : line.end].rstrip("\n")
        on_line = self._codings_on(line.start, line.start + len(text) or line.start + 1)
        # gutter: one bar per code on this line (up to GUTTER - 1), in the code's colour
        bars = [RichSegment("▌", Style(color=c.color)) for c in on_line[: GUTTER - 1]]
        out = [*bars, RichSegment(" " * (GUTTER - len(bars)), base)]
        sel = self.selection
        current = base + self.get_component_rich_style("transcript--current")
        cuts = {0, len(text)}
        for c in on_line:
            cuts.update((max(c.start - line.start, 0), min(c.end - line.start, len(text))))
        if sel is not None and sel[0] < line.end and sel[1] > line.start:
            cuts.update((max(sel[0] - line.start, 0), min(sel[1] - line.start, len(text))))
        points = sorted(cuts)
        for a, b in zip(points, points[1:], strict=False):
            if a >= b:
                continue
            pos = line.start + a
            style = base
            covering = [c for c in on_line if c.start <= pos < c.end]
            if covering:  # the innermost coding decides the colour; overlaps underline twice
                inner = min(covering, key=lambda c: c.end - c.start)
                style = style + Style(color=inner.color, underline=True, bold=len(covering) > 1)
            if sel is not None and sel[0] <= pos < sel[1]:
                style = style + current
            out.append(RichSegment(text[a:b], style))
        if self._margin:
            used = sum(len(piece.text) for piece in out)
            room = GUTTER + self._width - used
            starting = [c for c in on_line if c.start >= line.start]
            if starting:
                label = ", ".join(dict.fromkeys(c.label for c in starting))
                label = label if len(label) <= self._margin - 2 else label[: self._margin - 3] + "…"
                out.append(RichSegment(" " * max(room, 1) + " ", base))
                out.append(RichSegment(label, Style(color=starting[0].color, italic=True)))
        return out

    # -- navigation -----------------------------------------------------------------------

    def watch_segment_index(self, old: int, new: int) -> None:
        # the old selection is not known any more: repaint the lines of both cursors
        for index in (old, new):
            if 0 <= index < len(self.segments):
                self._refresh_span(self.segments[index].start, self.segments[index].end)
        self._scroll_to_current()
        self.post_message(self.SegmentChanged(self, new))

    def _scroll_to_current(self) -> None:
        seg = self.current_segment
        if seg is None:
            return
        if self.segment_index == 0:
            self.scroll_to(0, 0, animate=False, immediate=True)
            return
        first, last = self.line_of_offset(seg.start), self.line_of_offset(seg.end - 1)
        # keep the speaker label in view when the segment opens a turn
        if first > 0 and self._lines[first - 1].kind == "label":
            first -= 1
        self.scroll_to_region(
            Region(0, first, 1, last - first + 1),
            animate=False,
            spacing=Spacing(CONTEXT_LINES, 0, CONTEXT_LINES, 0),
            immediate=True,
        )

    def move_to(self, index: int, *, extend: bool = False) -> None:
        """Put the cursor on segment `index`; with `extend` the selection grows to it."""
        if not self.segments:
            return
        old = self.selection
        index = min(max(index, 0), len(self.segments) - 1)
        if not extend:
            self.anchor = index
        self.trim_start = self.trim_end = 0
        if index == self.segment_index:
            self._selection_changed(old)
        else:
            self.segment_index = index
            if old is not None:
                self._refresh_span(*old)

    def select_span(self, start: int, end: int) -> None:
        """Select the segments covering `start:end`, narrowed to its words (to show a
        coding), with the cursor on the first of them."""
        if not self.segments:
            return
        first = next((i for i, s in enumerate(self.segments) if s.end > start), None)
        if first is None:
            first = len(self.segments) - 1
        last = max((i for i, s in enumerate(self.segments) if s.start < end), default=first)
        last = max(first, last)
        self.move_to(last)
        self.move_to(first, extend=True)
        old = self.selection
        span_start, span_end = self.segments[first].start, self.segments[last].end
        words = [m.span() for m in _WORDS.finditer(self.text, span_start, span_end)]
        before = sum(1 for _, word_end in words if word_end <= start)
        after = sum(1 for word_start, _ in words if word_start >= end)
        if (before or after) and before + after < len(words):
            self.trim_start, self.trim_end = before, after
            self._selection_changed(old)

    def action_extend_down(self) -> None:
        self.move_to(self.segment_index + 1, extend=True)

    def action_extend_up(self) -> None:
        self.move_to(self.segment_index - 1, extend=True)

    def _trim(self, start: int = 0, end: int = 0) -> None:
        old = self.selection
        if old is None:
            return
        first, last = self.selected_segments[0], self.selected_segments[-1]
        span = self.text[self.segments[first].start : self.segments[last].end]
        words = len(_WORDS.findall(span))
        new_start, new_end = max(self.trim_start + start, 0), max(self.trim_end + end, 0)
        if new_start + new_end >= words:
            self.app.bell()
            return
        self.trim_start, self.trim_end = new_start, new_end
        self._selection_changed(old)

    def action_narrow_start(self) -> None:
        self._trim(start=1)

    def action_widen_start(self) -> None:
        self._trim(start=-1)

    def action_narrow_end(self) -> None:
        self._trim(end=1)

    def action_widen_end(self) -> None:
        self._trim(end=-1)

    def action_next_segment(self) -> None:
        self.move_to(self.segment_index + 1)

    def action_previous_segment(self) -> None:
        self.move_to(self.segment_index - 1)

    def action_first_segment(self) -> None:
        self.move_to(0)

    def action_last_segment(self) -> None:
        self.move_to(len(self.segments) - 1)

    def _turn_starts(self) -> list[int]:
        """Index of the first segment of each turn, in order."""
        starts, seen = [], set()
        for i, seg in enumerate(self.segments):
            if seg.turn_id not in seen:
                seen.add(seg.turn_id)
                starts.append(i)
        return starts

    def action_next_turn(self) -> None:
        starts = self._turn_starts()
        i = bisect.bisect_right(starts, self.segment_index)
        if i < len(starts):
            self.move_to(starts[i])

    def action_previous_turn(self) -> None:
        starts = self._turn_starts()
        i = bisect.bisect_left(starts, self.segment_index) - 1
        if i >= 0:
            self.move_to(starts[i])

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)
