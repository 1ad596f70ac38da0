"""QuadrantPlot: the survey's quadrant scatter drawn in character cells.

Importance (vigt) on x and implementation (impl) on y, both 1-10; the split lines at the
scale's middle 5.5 (absolute reading, solid) or at each group's mean point (relative
reading, dotted in the group's colour, the mean point a ◇); the four quadrant names in
the plot's corners; one glyph per respondent, shape and colour by group (so the groups
stay apart without colour too), and a count where several respondents fall in one cell.

The drawing is a pure function of the points, the reading and the widget's size (no
clock, no randomness), so it snapshot-tests; `drawing` exposes where everything went.
A point is never drawn on the wrong side of its own split line: a value just below a
split moves off the line when the grid is coarse, and a value on the split (which counts
as high) is drawn on it.

Keys: the arrows move the selection to the nearest respondent in that direction (as the
eye sees it: a row is about twice as tall as a column is wide, and points straight ahead
are preferred to points off to the side); [ and ] step through every respondent by id,
including those sharing a cell. The plot posts `SelectionChanged` when the selection moves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from frisat_qual.survey import MIDDLE, QUADRANTS, SCALE
from frisat_qual.survey.analysis import Point

#: Okabe-Ito colours (colour-blind safe; yellow left out, it vanishes on light themes).
GROUP_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#999999")
GROUP_GLYPHS = ("●", "▲", "■", "◆", "▼", "○", "△", "□")
X_TITLE = "Vigtighed →"
Y_TITLE = "↑ Implementering"
#: Columns left of the plot: a two-digit tick label, a space and the axis.
MARGIN = 4
#: The smallest plot area drawn; below it the widget asks for more room.
MIN_WIDTH, MIN_HEIGHT = 20, 6
_EPS = 1e-9
_LOW, _HIGH = SCALE
_SPAN = _HIGH - _LOW
#: Quadrant names by corner: (top?, right?) -> quadrant id.
_CORNERS = {
    (True, False): "over_implementering",
    (True, True): "fortsaet",
    (False, False): "lav_prioritet",
    (False, True): "fokus",
}
_DIRECTIONS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}


@dataclass(frozen=True)
class Split:
    """Where a reading splits the axes: `group` None for the absolute split."""

    group: str | None
    vigt: float
    impl: float


@dataclass
class Drawing:
    """One drawing at one size, in the widget's content coordinates (x: column, y: row).

    `lines` is what is shown; `positions` where each respondent (Respondent.id) is drawn;
    `cells` who is drawn in a cell; `split_columns`/`split_rows` the column and row of
    each split line by group (None: the absolute split)."""

    width: int
    height: int
    lines: list[Text]
    left: int = MARGIN
    top: int = 1
    plot_width: int = 0
    plot_height: int = 0
    positions: dict[int, tuple[int, int]] = field(default_factory=dict)
    cells: dict[tuple[int, int], list[Point]] = field(default_factory=dict)
    split_columns: dict[str | None, int] = field(default_factory=dict)
    split_rows: dict[str | None, int] = field(default_factory=dict)

    def char_at(self, x: int, y: int) -> str:
        if 0 <= y < len(self.lines):
            plain = self.lines[y].plain
            if 0 <= x < len(plain):
                return plain[x]
        return " "

    def column_of(self, vigt: float) -> int:
        return self.left + math.floor((vigt - _LOW) / _SPAN * (self.plot_width - 1) + 0.5)

    def row_of(self, impl: float) -> int:
        return self.top + math.floor((_HIGH - impl) / _SPAN * (self.plot_height - 1) + 0.5)


class _Canvas:
    """A grid of characters with a style each, turned into Rich lines."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles: list[list[Style | None]] = [[None] * width for _ in range(height)]

    def put(self, x: int, y: int, char: str, style: Style | None = None) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = char
            self.styles[y][x] = style

    def write(self, x: int, y: int, text: str, style: Style | None = None) -> None:
        for i, char in enumerate(text):
            self.put(x + i, y, char, style)

    def lines(self) -> list[Text]:
        out = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            line = Text(no_wrap=True, overflow="crop", end="")
            run, run_style = "", styles[0] if styles else None
            for char, style in zip(chars, styles, strict=True):
                if style != run_style and run:
                    line.append(run, run_style)
                    run = ""
                run_style = style
                run += char
            if run:
                line.append(run, run_style)
            out.append(line)
        return out


def group_style(index: int) -> tuple[str, Style]:
    """The glyph and colour of the `index`-th group (cycling, shape and colour offset, so
    the first 56 groups all differ)."""
    glyph = GROUP_GLYPHS[index % len(GROUP_GLYPHS)]
    colour = GROUP_COLOURS[(index + index // len(GROUP_GLYPHS)) % len(GROUP_COLOURS)]
    return glyph, Style(color=colour, bold=True)


def _fit(room: int) -> int:
    """The plot's extent in `room` cells: a whole number of cells per scale step, so the
    ticks are evenly spaced, where that leaves at least two cells per step (with one,
    up to half the room would stay empty: then all of it, the ticks a little uneven)."""
    per_step = (room - 1) // _SPAN
    return per_step * _SPAN + 1 if per_step >= 2 else room


def _truncate(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def draw(
    points: Sequence[Point],
    width: int,
    height: int,
    *,
    relative: bool = False,
    groups: Sequence[str] = (),
    selected: int | None = None,
    styles: dict[str, Style] | None = None,
    message: str = "",
) -> Drawing:
    """Draw `points` in `width` x `height` cells. `groups` fixes the order of glyphs and
    colours (so a group keeps its look when others are filtered out); `selected` is the
    Respondent.id highlighted; `styles` the axis, split, label, selected and message
    styles (plain when absent)."""
    styles = styles or {}
    axis = styles.get("axis")
    canvas = _Canvas(max(width, 0), max(height, 0))
    drawing = Drawing(width, height, [])
    plot_width, plot_height = _fit(width - MARGIN - 1), _fit(height - 4)
    if message or plot_width < MIN_WIDTH or plot_height < MIN_HEIGHT:
        note = message or "(enlarge the window to see the plot)"
        canvas.write(1, min(1, height - 1), _truncate(note, width - 2), styles.get("message"))
        drawing.lines = canvas.lines()
        return drawing
    drawing.plot_width, drawing.plot_height = plot_width, plot_height
    left, top = drawing.left, drawing.top
    right, bottom = left + plot_width - 1, top + plot_height - 1
    order = list(dict.fromkeys([*groups, *(p.group for p in points)]))
    looks = {g: group_style(i) for i, g in enumerate(order)}

    # axes, ticks and titles
    for y in range(top, bottom + 1):
        canvas.put(MARGIN - 1, y, "│", axis)
    canvas.write(0, bottom + 1, " " * (MARGIN - 1) + "└" + "─" * plot_width, axis)
    last_row = -2
    for value in range(_HIGH, _LOW - 1, -1):
        y = drawing.row_of(value)
        if y - last_row >= 2 or value in (_LOW, _HIGH):
            canvas.write(0, y, f"{value:>2} ┤", axis)
            last_row = y
    label_end = -1
    for value in range(_LOW, _HIGH + 1):
        x = drawing.column_of(value)
        canvas.put(x, bottom + 1, "┬", axis)
        label = str(value)
        start = x if len(label) == 1 else x - 1
        if start > label_end + 1:
            canvas.write(start, bottom + 2, label, axis)
            label_end = start + len(label) - 1
    canvas.write(left + max((plot_width - len(X_TITLE)) // 2, 0), bottom + 3, X_TITLE, axis)
    canvas.write(0, 0, Y_TITLE, axis)
    counts: dict[str, int] = {}
    for p in points:
        counts[p.group] = counts.get(p.group, 0) + 1
    legend = [(g, looks[g]) for g in order if g in counts]
    room = width - len(Y_TITLE) - 3
    for with_counts in (True, False):
        parts = [
            f"{glyph} {g}" + (f" {counts[g]}" if with_counts else "") for g, (glyph, _) in legend
        ]
        if sum(len(p) for p in parts) + 2 * (len(parts) - 1) <= room or not with_counts:
            break
    x = right + 2 - (sum(len(p) for p in parts) + 2 * (len(parts) - 1))
    x = max(x, len(Y_TITLE) + 2)
    for part, (_, (_, style)) in zip(parts, legend, strict=True):
        canvas.write(x, 0, part[:1], style)
        canvas.write(x + 1, 0, part[1:], axis)
        x += len(part) + 2

    # split lines
    if relative:
        splits = []
        for g in order:
            mine = [p for p in points if p.group == g]
            if mine:
                splits.append(Split(g, mine[0].group_vigt_mean, mine[0].group_impl_mean))
    else:
        splits = [Split(None, MIDDLE, MIDDLE)]
    for split in splits:
        x, y = drawing.column_of(split.vigt), drawing.row_of(split.impl)
        drawing.split_columns[split.group], drawing.split_rows[split.group] = x, y
        if split.group is None:
            style = styles.get("split")
        else:  # the group's colour, not bold: the points should stand out
            style = Style(color=looks[split.group][1].color)
        vertical, horizontal, cross = ("│", "─", "┼") if split.group is None else ("┆", "┄", "◇")
        for yy in range(top, bottom + 1):
            canvas.put(x, yy, vertical, style)
        for xx in range(left, right + 1):
            canvas.put(xx, y, horizontal, style)
        canvas.put(x, y, cross, style)

    # quadrant names in the corners, over the lines, under the points
    label_width = plot_width // 2 - 2
    for (upper, on_right), quadrant in _CORNERS.items():
        name = _truncate(QUADRANTS[quadrant], label_width)
        y = top if upper else bottom
        x = right - 1 - len(name) + 1 if on_right else left + 1
        canvas.write(x, y, name, styles.get("label"))
    for split in splits:  # each group's mean on top of the other groups' lines
        if split.group is not None:
            canvas.put(
                drawing.split_columns[split.group],
                drawing.split_rows[split.group],
                "◇",
                looks[split.group][1],
            )

    # the respondents
    split_of = {s.group: s for s in splits}
    for p in points:
        split = split_of.get(p.group if relative else None)
        x, y = drawing.column_of(p.vigt), drawing.row_of(p.impl)
        if split is not None:
            line_x, line_y = drawing.column_of(split.vigt), drawing.row_of(split.impl)
            if p.vigt < split.vigt - _EPS and x >= line_x:
                x = line_x - 1
            elif p.vigt >= split.vigt - _EPS and x < line_x:
                x = line_x
            if p.impl < split.impl - _EPS and y <= line_y:
                y = line_y + 1
            elif p.impl >= split.impl - _EPS and y > line_y:
                y = line_y
        x, y = min(max(x, left), right), min(max(y, top), bottom)
        drawing.positions[p.respondent] = (x, y)
        drawing.cells.setdefault((x, y), []).append(p)
    for (x, y), here in drawing.cells.items():
        here_groups = {p.group for p in here}
        if len(here) == 1:
            glyph, style = looks[here[0].group]
        else:
            glyph = str(len(here)) if len(here) < 10 else "+"
            style = looks[here[0].group][1] if len(here_groups) == 1 else Style(bold=True)
        if selected is not None and any(p.respondent == selected for p in here):
            style = style + (styles.get("selected") or Style(reverse=True))
        canvas.put(x, y, glyph, style)
    drawing.lines = canvas.lines()
    return drawing


class QuadrantPlot(Widget, can_focus=True):
    """The quadrant scatter of one spor's points (from `survey.analysis.points`)."""

    BINDINGS = [
        Binding("left", "move('left')", "Nearest respondent to the left", show=False),
        Binding("right", "move('right')", "Nearest respondent to the right", show=False),
        Binding("up", "move('up')", "Nearest respondent above", show=False),
        Binding("down", "move('down')", "Nearest respondent below", show=False),
        Binding(
            "right_square_bracket",
            "step(1)",
            "Next respondent by id (also in a shared cell)",
            show=False,
        ),
        Binding("left_square_bracket", "step(-1)", "Previous respondent by id", show=False),
    ]

    COMPONENT_CLASSES = {
        "quadrant-plot--axis",
        "quadrant-plot--split",
        "quadrant-plot--label",
        "quadrant-plot--selected",
        "quadrant-plot--message",
    }

    DEFAULT_CSS = """
    QuadrantPlot {
        width: 1fr;
        height: 1fr;
    }
    QuadrantPlot > .quadrant-plot--axis {
        color: $text-muted;
    }
    QuadrantPlot > .quadrant-plot--split {
        color: $foreground 60%;
    }
    QuadrantPlot > .quadrant-plot--label {
        color: $text-muted;
        text-style: italic;
    }
    QuadrantPlot > .quadrant-plot--selected {
        background: $foreground 25%;
        text-style: bold underline;
    }
    QuadrantPlot:focus > .quadrant-plot--selected {
        background: $accent;
        color: $text;
        text-style: bold;
    }
    QuadrantPlot > .quadrant-plot--message {
        color: $text-muted;
    }
    """

    class SelectionChanged(Message):
        """The selected respondent changed (`point` None: nothing selected)."""

        def __init__(self, plot: QuadrantPlot, point: Point | None) -> None:
            super().__init__()
            self.plot = plot
            self.point = point

        @property
        def control(self) -> QuadrantPlot:
            return self.plot

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.points: list[Point] = []
        self.relative = False
        self.groups: list[str] = []
        self.message = ""
        self.selected: int | None = None  # Respondent.id
        self._cache: tuple[tuple, Drawing] | None = None
        self._version = 0

    # -- data ----------------------------------------------------------------------------

    def show(
        self,
        points: Iterable[Point],
        *,
        relative: bool = False,
        groups: Sequence[str] = (),
        selected: int | None = None,
        message: str = "",
    ) -> None:
        """Plot `points`; keep the selection if that respondent is still plotted (else
        `selected`, else the first point), and say so with `SelectionChanged`."""
        self.points = list(points)
        self.relative = relative
        self.groups = list(groups)
        self.message = message
        ids = {p.respondent for p in self.points}
        wanted = selected if selected in ids else self.selected
        if wanted not in ids:
            wanted = self._in_order()[0].respondent if self.points else None
        self._version += 1
        self.selected = None  # so select() always reports the (re)shown point
        self.select(wanted)

    def select(self, respondent: int | None) -> None:
        """Highlight a respondent (Respondent.id) and post `SelectionChanged`."""
        if respondent is not None and respondent not in {p.respondent for p in self.points}:
            return
        self.selected = respondent
        self._version += 1
        self.refresh()
        self.post_message(self.SelectionChanged(self, self.selected_point))

    @property
    def selected_point(self) -> Point | None:
        return next((p for p in self.points if p.respondent == self.selected), None)

    def _in_order(self) -> list[Point]:
        return sorted(self.points, key=lambda p: (p.respondent_id, p.respondent))

    # -- drawing -------------------------------------------------------------------------

    @property
    def drawing(self) -> Drawing:
        """The drawing at the widget's present size."""
        width, height = self.size
        key = (width, height, self._version, self.app.theme)
        if self._cache is None or self._cache[0] != key:
            names = ("axis", "split", "label", "selected", "message")
            styles = {n: self.get_component_rich_style(f"quadrant-plot--{n}") for n in names}
            drawing = draw(
                self.points,
                width,
                height,
                relative=self.relative,
                groups=self.groups,
                selected=self.selected,
                styles=styles,
                message=self.message,
            )
            self._cache = (key, drawing)
        return self._cache[1]

    def render(self) -> Text:
        return Text("\n", end="").join(self.drawing.lines)

    def on_focus(self) -> None:
        self._version += 1  # the selection's highlight differs with the focus
        self.refresh()

    def on_blur(self) -> None:
        self._version += 1
        self.refresh()

    # -- moving the selection ------------------------------------------------------------

    def action_move(self, direction: str) -> None:
        """Select the nearest respondent in `direction` as drawn."""
        if not self.points:
            self.app.bell()
            return
        positions = self.drawing.positions
        here = positions.get(self.selected) if self.selected is not None else None
        if here is None:
            self.select(self._in_order()[0].respondent)
            return
        dx, dy = _DIRECTIONS[direction]
        best: tuple[float, float, str, int] | None = None
        for p in self.points:
            x, y = positions.get(p.respondent, here)
            # rows are about twice as tall as columns are wide: compare as the eye does
            ax, ay = x - here[0], 2 * (y - here[1])
            ahead = ax * dx + ay * dy
            if ahead <= 0:
                continue
            aside = abs(ax * dy - ay * dx)
            rank = (ahead + 2 * aside, math.hypot(ax, ay), p.respondent_id, p.respondent)
            if best is None or rank < best:
                best = rank
        if best is None:
            self.app.bell()
            return
        self.select(best[3])

    def action_step(self, step: int) -> None:
        """The next (or previous) respondent by respondent_id, wrapping around."""
        ordered = self._in_order()
        if not ordered:
            self.app.bell()
            return
        ids = [p.respondent for p in ordered]
        index = ids.index(self.selected) if self.selected in ids else -step
        self.select(ids[(index + step) % len(ids)])
