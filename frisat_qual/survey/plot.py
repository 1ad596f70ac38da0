"""The quadrant figure: importance (x) against implementation (y) for one spor, one square
panel per group, for reports and publications (SVG or PNG).

matplotlib is imported inside `plot_quadrants` (an Agg canvas, no pyplot, so no global figure
state and no display needed): importing the survey core stays fast, and only drawing a
figure pays for it. The SVG is byte-identical between runs: a fixed `svg.hashsalt`, no date
in the metadata and text kept as text (`svg.fonttype = "none"`, so the labels stay
searchable and editable in a journal's layout program).
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from frisat_qual.errors import FrisatError
from frisat_qual.survey import (
    AREAS,
    MIDDLE,
    QUADRANTS,
    SCALE,
    SPOR,
    SPOR_TITLES,
    display_group,
)
from frisat_qual.survey.analysis import GroupMeans, Point, group_means

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FORMATS = (".svg", ".png")
# Okabe-Ito blue: colour-blind safe, and dark enough to print as a mid grey
_POINT_COLOUR = "#0072B2"
_MEAN_COLOUR = "#000000"
_ABS_LINE = "#8c8c8c"
_REL_LINE = "#333333"
_LABEL_COLOUR = "#6e6e6e"
_BASE_AREA = 30.0  # marker area (pt²) of one respondent; n coinciding ones get n times it
_PANEL_INCHES = 3.2
_MAX_COLUMNS = 3
_MIN_WIDTH = 5.0  # inches, so a single panel still fits the legend
_TITLE_INCHES = 0.4
_CAPTION_CHARS_PER_INCH = 17  # of 7 pt text
CAPTION = (
    "Fuldt optrukket grå linje: absolut opdeling ved skalaens midte (5,5). Stiplet linje: "
    "relativ opdeling ved gruppens gennemsnit (◇). Værdier på en linje tæller som høje. "
    "Markørens areal er proportionalt med antallet af respondenter i samme punkt (tallet ved "
    "markøren)."
)


def plot_quadrants(
    points: Sequence[Point],
    spor: str,
    path: str | Path,
    *,
    title: str | None = None,
    group_order: Sequence[str] | None = None,
) -> Path:
    """Draw the quadrant figure of `points` (from `analysis.points`) for `spor` to `path`,
    an .svg or .png file, and return the path.

    One square panel per group, with shared axes 1-10: importance on x ("Vigtighed"),
    implementation on y ("Implementering"); the absolute split at 5.5 as solid grey lines,
    the relative split at the group's mean point (drawn as an open black diamond) as dashed
    lines, and the four quadrant names in their corners. Panels follow `group_order`
    (groups named there without points get an empty "n = 0" panel, so figures of several
    spor line up), then the areas in the order dagtilbud, skole, ældre, then any other
    groups sorted; panel titles are capitalised, in Danish spelling ("Ældre (n = 12)").
    The title, the panels, the legend and the caption each have a band of their own, so
    none of them overlaps another.

    Multiplicity: indices are means of 3-4 whole numbers, so respondents often share a point
    exactly. Rather than jitter them (which moves points off their true values), each
    distinct point is drawn once with a marker whose area is proportional to the number of
    respondents there, and that number is written next to it when it is above 1. Markers
    are semi-transparent with a dark edge, so overlapping neighbours stay visible.
    """
    if spor not in SPOR:
        raise FrisatError(f"unknown spor {spor!r}; choose one of: {', '.join(SPOR)}")
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FrisatError(
            f"cannot write a figure to {path.name}: use a file name ending in .svg or .png"
        )
    other = sorted({p.spor for p in points} - {spor})
    if other:
        raise FrisatError(f"the points are for {', '.join(other)}, not for {spor}")
    present = {p.group for p in points}
    groups = list(dict.fromkeys(group_order or ()))
    # areas in the questionnaire's order (dagtilbud, skole, ældre), then any others sorted
    groups += [a for a in AREAS if a in present and a not in groups]
    groups += sorted(present - set(groups))
    if not groups:
        raise FrisatError(f"no respondent has both indices of {spor}: nothing to plot")

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    means = group_means(points)
    columns = min(len(groups), _MAX_COLUMNS)
    rows = -(-len(groups) // columns)
    rc = {
        "svg.hashsalt": "frisat-qual",
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.titlesize": 9.5,
        "axes.labelsize": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc):
        width = max(_PANEL_INCHES * columns + 0.6, _MIN_WIDTH)
        caption = textwrap.fill(CAPTION, int(width * _CAPTION_CHARS_PER_INCH))
        lines = caption.count("\n") + 1
        legend_rows = 1 if columns > 2 else 2
        # title, panels, legend and caption each get a band of their own height, so the
        # title never meets the panel titles and the caption never meets the legend
        heights = (
            _TITLE_INCHES,
            _PANEL_INCHES * rows + 0.5,
            0.22 * legend_rows + 0.1,
            0.13 * lines + 0.12,
        )
        fig = Figure(figsize=(width, sum(heights)), layout="constrained")
        FigureCanvasAgg(fig)  # the Agg canvas, set on this figure only (no pyplot, no global)
        head, body, keys, foot = fig.subfigures(4, 1, height_ratios=heights)
        head.text(
            0.5,
            0.5,
            title or f"{SPOR_TITLES[spor]}: vigtighed og implementering",
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
        )
        axes = body.subplots(rows, columns, sharex=True, sharey=True, squeeze=False)
        for index, ax in enumerate(axes.flat):
            if index >= len(groups):
                ax.set_visible(False)
                continue
            group = groups[index]
            members = [p for p in points if p.group == group]
            _draw_panel(ax, group, members, means.get(group))
            # the x label under the lowest panel of each column, also above an empty slot
            ax.set_xlabel("Vigtighed (1-10)" if index + columns >= len(groups) else "")
            ax.set_ylabel("Implementering (1-10)" if index % columns == 0 else "")
        handles = [
            Line2D([], [], ls="", marker="o", ms=6, color=_POINT_COLOUR, mec="#1a1a1a", alpha=0.75),
            Line2D([], [], ls="", marker="D", ms=6, color=_MEAN_COLOUR, mfc="white"),
            Line2D([], [], color=_ABS_LINE, lw=1),
            Line2D([], [], color=_REL_LINE, lw=1, ls="--"),
        ]
        labels = [
            "Respondent",
            "Gruppens gennemsnit",
            "Absolut opdeling (5,5)",
            "Relativ opdeling (gennemsnit)",
        ]
        keys.legend(
            handles,
            labels,
            loc="center",
            ncols=4 if legend_rows == 1 else 2,
            frameon=False,
            fontsize=8,
            handletextpad=0.4,
            columnspacing=1.6,
        )
        foot.text(0.5, 0.5, caption, ha="center", va="center", fontsize=7, color="#333333")
        metadata = {"Date": None} if suffix == ".svg" else {"Software": None}
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format=suffix[1:], metadata=metadata, dpi=200)
    return path


def marker_counts(points: Sequence[Point]) -> list[tuple[float, float, int]]:
    """The distinct (vigt, impl) positions of `points`, sorted, with how many respondents
    share each: the figure draws one marker per position, its area proportional to the
    count."""
    counts = Counter((round(p.vigt, 9), round(p.impl, 9)) for p in points)
    return [(x, y, counts[x, y]) for x, y in sorted(counts)]


def _draw_panel(ax: Axes, group: str, members: list[Point], means: GroupMeans | None) -> None:
    low, high = SCALE
    ax.set_xlim(low - 0.5, high + 0.5)
    ax.set_ylim(low - 0.5, high + 0.5)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks(range(low, high + 1))
    ax.set_yticks(range(low, high + 1))
    ax.tick_params(labelsize=8, labelbottom=True, labelleft=True)
    ax.set_title(f"{display_group(group)} (n = {len(members)})")
    ax.axvline(MIDDLE, color=_ABS_LINE, lw=1, zorder=1)
    ax.axhline(MIDDLE, color=_ABS_LINE, lw=1, zorder=1)
    # quadrant names in the corners of the absolute quadrants
    pad = 0.25
    corners = {
        "lav_prioritet": (low - 0.5 + pad, low - 0.5 + pad, "left", "bottom"),
        "over_implementering": (low - 0.5 + pad, high + 0.5 - pad, "left", "top"),
        "fortsaet": (high + 0.5 - pad, high + 0.5 - pad, "right", "top"),
        "fokus": (high + 0.5 - pad, low - 0.5 + pad, "right", "bottom"),
    }
    for quadrant, (x, y, ha, va) in corners.items():
        ax.text(
            x,
            y,
            QUADRANTS[quadrant],
            ha=ha,
            va=va,
            fontsize=6,
            color=_LABEL_COLOUR,
            zorder=2,
            # a white backing keeps the name legible where a mean line crosses it
            bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    if not members or means is None:
        return
    ax.axvline(means.vigt, color=_REL_LINE, lw=1, ls="--", zorder=1)
    ax.axhline(means.impl, color=_REL_LINE, lw=1, ls="--", zorder=1)
    spots = marker_counts(members)
    ax.scatter(
        [x for x, _, _ in spots],
        [y for _, y, _ in spots],
        s=[_BASE_AREA * count for _, _, count in spots],
        color=_POINT_COLOUR,
        edgecolors="#1a1a1a",
        linewidths=0.6,
        alpha=0.75,
        zorder=3,
    )
    for x, y, count in spots:
        if count > 1:
            # just right of the marker's edge (its radius in points), centred on it
            radius = math.sqrt(_BASE_AREA * count / math.pi)
            ax.annotate(
                str(count),
                (x, y),
                xytext=(radius + 1.5, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
                color="#1a1a1a",
                zorder=5,
            )
    ax.scatter(
        [means.vigt],
        [means.impl],
        marker="D",
        s=36,
        facecolors="white",
        edgecolors=_MEAN_COLOUR,
        linewidths=1.2,
        zorder=4,
    )
