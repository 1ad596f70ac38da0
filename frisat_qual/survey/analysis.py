"""Survey analysis: track indices, group summaries, quadrants, derived importance,
regression and case selection (see DOMAIN.md, "The survey and its quadrants").

Everything here is a pure function over a list of `Respondent`s, so the CLI, the TUI, the
reports and the figure (`survey.plot`) share one set of figures and the tests can check each
one by hand. Filter the respondents (wave, municipality) before calling.

Conventions:
- A respondent's index for a spor and dimension is the mean of the answered indicators a-d
  when at least 3 of the 4 are answered; otherwise it is missing (None).
- Importance (vigt) is the x axis, implementation (impl) the y axis. A value equal to a split
  line counts as high (within 1e-9, so a mean that is a split line in exact arithmetic does
  not fall to the low side through floating-point rounding).
- Groups are the values of one respondent attribute (`by`), sorted; respondents without the
  attribute form the group "(ingen)"; without `by` everyone is in the group "alle".
- Standard deviations and variances are sample figures (ddof=1).
- Ties are broken by `respondent_id` (then the database id), so every list is reproducible.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from frisat_qual.errors import FrisatError
from frisat_qual.models import Respondent
from frisat_qual.survey import DIMENSIONS, INDICATORS, MIDDLE, QUADRANTS, SCALE, SPOR, rating_column

#: The group of every respondent when no grouping attribute is given.
ALL_GROUP = "alle"
#: The group of respondents lacking the grouping attribute (as in the report tables).
NO_GROUP = "(ingen)"
#: Sub-indicators whose relation to the overall item d gives the derived importance.
SUB_INDICATORS = ("a", "b", "c")
OVERALL_INDICATOR = "d"
#: At least this many of the four indicators must be answered for an index.
MIN_ANSWERED = 3
STRATEGIES = ("typical", "deviant", "extreme", "diverse")
#: The order of the diverse picks: the most actionable quadrant first.
DIVERSE_ORDER = ("fokus", "fortsaet", "over_implementering", "lav_prioritet")
_EPS = 1e-9
_DIM_NAMES = {"impl": "implementation", "vigt": "importance"}


# --- indices and reliability -------------------------------------------------------------


def respondent_index(r: Respondent, spor: str, dim: str) -> float | None:
    """The mean of the answered indicators a-d of `spor` on `dim` ("impl" or "vigt"), or None
    when fewer than 3 of the 4 are answered."""
    _check_spor(spor)
    _check_dim(dim)
    values = _answers(r, spor, dim)
    if len(values) < MIN_ANSWERED:
        return None
    return statistics.fmean(values)


def cronbach_alpha(items: Sequence[Sequence[float | None]]) -> float | None:
    """Cronbach's alpha of k item columns (each a list of the respondents' answers, None for
    unanswered), over the respondents who answered every item (listwise):
    alpha = k/(k-1) * (1 - sum of the item variances / variance of the total score).
    None when there are fewer than 2 items or 2 complete cases, or the total does not vary."""
    k = len(items)
    if k < 2:
        return None
    lengths = {len(column) for column in items}
    if len(lengths) > 1:
        raise FrisatError(f"Cronbach's alpha needs item columns of equal length, got {lengths}")
    rows = [row for row in zip(*items, strict=True) if all(v is not None for v in row)]
    if len(rows) < 2:
        return None
    totals = [sum(row) for row in rows]
    total_variance = statistics.variance(totals)
    if total_variance == 0:
        return None
    item_variances = sum(statistics.variance(column) for column in zip(*rows, strict=True))
    return k / (k - 1) * (1 - item_variances / total_variance)


# --- group summaries ---------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSummary:
    """One group's figures for one spor. Means, SDs, minima and maxima of a dimension are
    over the respondents with that index (`n_impl`, `n_vigt`); `n` counts those with both
    (the points plotted), so the plotted group means can differ slightly from these when
    someone answered only one dimension. Ceiling shares are over all answered items a-d."""

    group: str
    spor: str
    n: int
    n_impl: int
    n_vigt: int
    missing_impl: int  # respondents in the group without an impl index
    missing_vigt: int
    impl_mean: float | None
    vigt_mean: float | None
    impl_sd: float | None  # None for fewer than 2 respondents
    vigt_sd: float | None
    impl_min: float | None
    impl_max: float | None
    vigt_min: float | None
    vigt_max: float | None
    quadrant_abs: str | None  # of the point (vigt_mean, impl_mean), split at 5.5
    alpha_impl: float | None
    alpha_vigt: float | None
    ceiling_impl: float | None  # share 0-1 of the answered items a-d that are 10
    ceiling_vigt: float | None
    warnings: tuple[str, ...]
    derived_vigt: float | None  # derived importance of the spor (see derived_importance)


def summary(respondents: Iterable[Respondent], *, by: str | None = None) -> list[GroupSummary]:
    """Per group (sorted) and spor (in SPOR order): counts, means, spread, quadrant of the
    mean point, Cronbach's alpha of items a-d, ceiling shares and warnings."""
    groups = _groups(respondents, by)
    result = []
    for group, members in groups.items():
        for spor in SPOR:
            derived = _derived_for(members, spor, "impl")["spor"]
            result.append(_summarise(group, spor, members, derived))
    return result


@dataclass(frozen=True)
class _DimFigures:
    indices: list[float | None]  # per member, None when missing
    present: list[float]
    alpha: float | None
    ceiling: float | None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.present) if self.present else None

    @property
    def sd(self) -> float | None:
        return statistics.stdev(self.present) if len(self.present) >= 2 else None


def _dim_figures(members: list[Respondent], spor: str, dim: str) -> _DimFigures:
    indices = [respondent_index(r, spor, dim) for r in members]
    columns = [[_rating(r, spor, dim, ind) for r in members] for ind in INDICATORS]
    answered = [v for column in columns for v in column if v is not None]
    return _DimFigures(
        indices=indices,
        present=[v for v in indices if v is not None],
        alpha=cronbach_alpha(columns),
        ceiling=sum(v == SCALE[1] for v in answered) / len(answered) if answered else None,
    )


def _summarise(
    group: str, spor: str, members: list[Respondent], derived: float | None
) -> GroupSummary:
    impl, vigt = _dim_figures(members, spor, "impl"), _dim_figures(members, spor, "vigt")
    warnings = [
        f"over half of the {_DIM_NAMES[dim]} answers are 10 (ceiling, {f.ceiling:.0%})"
        for dim, f in (("impl", impl), ("vigt", vigt))
        if f.ceiling is not None and f.ceiling > 0.5
    ]
    if vigt.sd == 0:
        warnings.append(
            "importance does not vary (SD 0): compare with the derived importance instead"
        )
    impl_mean, vigt_mean = impl.mean, vigt.mean
    return GroupSummary(
        group=group,
        spor=spor,
        n=sum(
            i is not None and v is not None for i, v in zip(impl.indices, vigt.indices, strict=True)
        ),
        n_impl=len(impl.present),
        n_vigt=len(vigt.present),
        missing_impl=len(members) - len(impl.present),
        missing_vigt=len(members) - len(vigt.present),
        impl_mean=impl_mean,
        vigt_mean=vigt_mean,
        impl_sd=impl.sd,
        vigt_sd=vigt.sd,
        impl_min=min(impl.present, default=None),
        impl_max=max(impl.present, default=None),
        vigt_min=min(vigt.present, default=None),
        vigt_max=max(vigt.present, default=None),
        quadrant_abs=(
            quadrant_of(vigt_mean, impl_mean)
            if vigt_mean is not None and impl_mean is not None
            else None
        ),
        alpha_impl=impl.alpha,
        alpha_vigt=vigt.alpha,
        ceiling_impl=impl.ceiling,
        ceiling_vigt=vigt.ceiling,
        warnings=tuple(warnings),
        derived_vigt=derived,
    )


# --- quadrants and points ----------------------------------------------------------------


def quadrant_of(
    vigt: float, impl: float, *, x_split: float = MIDDLE, y_split: float = MIDDLE
) -> str:
    """The quadrant id of a point: importance (vigt) on x, implementation (impl) on y.
    A value equal to its split counts as high."""
    high_vigt = vigt >= x_split - _EPS
    high_impl = impl >= y_split - _EPS
    if high_vigt:
        return "fortsaet" if high_impl else "fokus"
    return "over_implementering" if high_impl else "lav_prioritet"


@dataclass(frozen=True)
class Point:
    """One respondent's position for one spor. `quadrant_rel` splits at the group means of
    the plotted points (`group_vigt_mean`, `group_impl_mean`)."""

    spor: str
    respondent_id: str
    respondent: int  # Respondent.id
    group: str
    impl: float
    vigt: float
    quadrant_abs: str
    quadrant_rel: str
    group_vigt_mean: float
    group_impl_mean: float


@dataclass(frozen=True)
class GroupMeans:
    """The mean point (centroid) of a group's plotted points."""

    group: str
    n: int
    vigt: float
    impl: float


def points(
    respondents: Iterable[Respondent], spor: str, *, by: str | None = None, x: str = "stated"
) -> list[Point]:
    """One point per respondent with both indices of `spor`, ordered by group and
    respondent_id. `x` is the importance measure: only "stated" (the vigt index) exists per
    respondent; derived importance is a group figure, plotted with `indicator_points`."""
    _check_spor(spor)
    if x != "stated":
        raise FrisatError(
            f"unknown x axis {x!r}; per respondent only 'stated' importance exists "
            "(derived importance is per indicator: use indicator_points)"
        )
    result: list[Point] = []
    for group, members in _groups(respondents, by).items():
        raw = []
        for r in members:
            impl, vigt = respondent_index(r, spor, "impl"), respondent_index(r, spor, "vigt")
            if impl is not None and vigt is not None:
                raw.append((r, impl, vigt))
        if not raw:
            continue
        mean_vigt = statistics.fmean(v for _, _, v in raw)
        mean_impl = statistics.fmean(i for _, i, _ in raw)
        for r, impl, vigt in raw:
            result.append(
                Point(
                    spor=spor,
                    respondent_id=r.respondent_id,
                    respondent=r.id,
                    group=group,
                    impl=impl,
                    vigt=vigt,
                    quadrant_abs=quadrant_of(vigt, impl),
                    quadrant_rel=quadrant_of(vigt, impl, x_split=mean_vigt, y_split=mean_impl),
                    group_vigt_mean=mean_vigt,
                    group_impl_mean=mean_impl,
                )
            )
    return result


def group_means(pts: Iterable[Point]) -> dict[str, GroupMeans]:
    """The centroid of each group's points, by group in sorted order."""
    by_group = _points_by_group(pts)
    return {
        group: GroupMeans(
            group=group,
            n=len(members),
            vigt=statistics.fmean(p.vigt for p in members),
            impl=statistics.fmean(p.impl for p in members),
        )
        for group, members in by_group.items()
    }


# --- derived importance ------------------------------------------------------------------


def derived_importance(
    respondents: Iterable[Respondent], spor: str, *, by: str | None = None, dim: str = "impl"
) -> dict[str, dict[str, float | None]]:
    """Per group: the Pearson correlation of each sub-indicator a, b, c with the overall item
    d (same `dim`) across the respondents answering both (None for fewer than 3 pairs or no
    variance), and under "spor" the mean of the available a-c correlations (None if none).
    The stronger an item goes with the overall judgement, the more it matters in practice;
    this helps where stated importance sits at the ceiling."""
    _check_spor(spor)
    _check_dim(dim)
    return {
        group: _derived_for(members, spor, dim)
        for group, members in _groups(respondents, by).items()
    }


def _derived_for(members: list[Respondent], spor: str, dim: str) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for ind in SUB_INDICATORS:
        result[ind] = _correlation(_pairs(members, spor, dim, ind))
    available = [v for v in result.values() if v is not None]
    result["spor"] = statistics.fmean(available) if available else None
    return result


@dataclass(frozen=True)
class IndicatorPoint:
    """One sub-indicator of one group on the derived-importance axis: x is the correlation
    of its implementation with the overall item d (None when undefined), y the mean
    implementation of the item; the stated importance mean is there to compare with."""

    group: str
    spor: str
    indicator: str  # "a", "b" or "c"
    derived: float | None  # Pearson r of impl item with impl item d
    pairs: int  # respondents answering both the item and d (impl)
    impl_mean: float | None
    vigt_mean: float | None  # stated importance of the item
    n_impl: int
    n_vigt: int


def indicator_points(
    respondents: Iterable[Respondent], spor: str, *, by: str | None = None
) -> list[IndicatorPoint]:
    """Per group (sorted) and sub-indicator a-c: derived importance (x), mean implementation
    of the item (y) and its stated importance mean, an alternative to the stated x axis."""
    _check_spor(spor)
    result = []
    for group, members in _groups(respondents, by).items():
        for ind in SUB_INDICATORS:
            pairs = _pairs(members, spor, "impl", ind)
            impl = _present(_rating(r, spor, "impl", ind) for r in members)
            vigt = _present(_rating(r, spor, "vigt", ind) for r in members)
            result.append(
                IndicatorPoint(
                    group=group,
                    spor=spor,
                    indicator=ind,
                    derived=_correlation(pairs),
                    pairs=len(pairs),
                    impl_mean=statistics.fmean(impl) if impl else None,
                    vigt_mean=statistics.fmean(vigt) if vigt else None,
                    n_impl=len(impl),
                    n_vigt=len(vigt),
                )
            )
    return result


# --- regression --------------------------------------------------------------------------


def regression(pts: Sequence[Point]) -> tuple[float | None, float | None]:
    """(slope, intercept) of the least-squares line of implementation on importance, or
    (None, None) when importance does not vary (or there are no points)."""
    if len(pts) < 2:
        return None, None
    xs = [p.vigt for p in pts]
    ys = [p.impl for p in pts]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx <= _EPS:
        return None, None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def residuals(pts: Sequence[Point]) -> list[float]:
    """Observed minus predicted implementation for each point, in order; from the mean
    implementation when importance does not vary."""
    if not pts:
        return []
    slope, intercept = regression(pts)
    if slope is None or intercept is None:
        mean_impl = statistics.fmean(p.impl for p in pts)
        return [p.impl - mean_impl for p in pts]
    return [p.impl - (slope * p.vigt + intercept) for p in pts]


# --- case selection ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A respondent chosen as a case, with a one-line reason and the figures behind it."""

    respondent_id: str
    respondent: int  # Respondent.id
    group: str
    impl: float
    vigt: float
    quadrant_abs: str
    quadrant_rel: str
    reason: str
    figures: dict[str, float | int | str] = field(default_factory=dict)


class CaseSelection(list[Pick]):
    """The picks of `select_cases` (a plain list of `Pick`) with `notes`: one line per thing
    the researcher should know about the selection, such as a group with fewer respondents
    than asked for or, for the diverse strategy, quadrants without any respondent."""

    def __init__(self, picks: Iterable[Pick] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(picks)
        self.notes: list[str] = list(notes)


def select_cases(
    respondents: Iterable[Respondent],
    spor: str,
    strategy: str,
    *,
    by: str | None = None,
    n: int = 5,
) -> CaseSelection:
    """Choose respondents to follow up with interviews, by `strategy`:

    - typical: closest (Euclidean in vigt/impl) to the group's centroid;
    - deviant: largest absolute residual of the implementation-on-importance regression
      (fitted within the group);
    - extreme: furthest from the group mean on either axis (the larger of the two distances);
    - diverse: one per occupied absolute quadrant, in the order fokus, fortsaet,
      over_implementering, lav_prioritet: the respondent closest to the centroid of the
      points in that quadrant. Unoccupied quadrants are listed in `notes`.

    With `by`, the selection is made within each group (sorted): up to `n` picks per group
    (diverse: up to 4, or `n` if smaller), so every group is represented. Without `by` all
    respondents form one group. Ties go to the lower respondent_id.
    """
    _check_spor(spor)
    if strategy not in STRATEGIES:
        raise FrisatError(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if n < 1:
        raise FrisatError(f"the number of cases must be at least 1, got {n}")
    selection = CaseSelection()
    for group, members in _points_by_group(points(respondents, spor, by=by)).items():
        label = f"the {group}" if by is not None else "the overall"
        if strategy == "diverse":
            _pick_diverse(selection, members, group, by, n)
            continue
        ranked = _RANKERS[strategy](members, label)
        ranked.sort(key=lambda item: (round(item[0], 9), item[1].respondent_id, item[1].respondent))
        selection.extend(_pick(p, reason, figures) for _, p, reason, figures in ranked[:n])
        if strategy == "deviant" and len(members) > 1 and regression(members)[0] is None:
            selection.notes.append(
                f"{_group_phrase(group, by)}: importance does not vary, so the residuals are"
                " from the mean implementation, not a regression line"
            )
        if len(members) < n:
            selection.notes.append(
                f"{_group_phrase(group, by)}: only {len(members)} respondent"
                f"{'s' if len(members) != 1 else ''} with both indices, so {len(members)}"
                f" pick{'s' if len(members) != 1 else ''} instead of {n}"
            )
    if not selection:
        selection.notes.append(f"no respondent has both indices of {spor}: nothing to pick")
    return selection


_Ranked = list[tuple[float, Point, str, dict[str, float | int | str]]]


def _rank_typical(members: list[Point], label: str) -> _Ranked:
    cx, cy = members[0].group_vigt_mean, members[0].group_impl_mean
    ranked: _Ranked = []
    for p in members:
        d = math.hypot(p.vigt - cx, p.impl - cy)
        reason = f"{d:.2f} from {label} centroid (vigt {cx:.1f}, impl {cy:.1f})"
        figures = {"distance": d, "centroid_vigt": cx, "centroid_impl": cy}
        ranked.append((d, p, reason, figures))
    return ranked


def _rank_deviant(members: list[Point], label: str) -> _Ranked:
    slope, intercept = regression(members)
    res = residuals(members)
    ranked: _Ranked = []
    if slope is None or intercept is None:
        mean_impl = members[0].group_impl_mean
        for p, r in zip(members, res, strict=True):
            reason = (
                f"residual {r:+.2f}: impl {p.impl:.2f} against {label} mean impl"
                f" {mean_impl:.2f} (importance does not vary)"
            )
            ranked.append((-abs(r), p, reason, {"residual": r, "predicted_impl": mean_impl}))
        return ranked
    for p, r in zip(members, res, strict=True):
        predicted = slope * p.vigt + intercept
        reason = (
            f"residual {r:+.2f}: impl {p.impl:.2f} observed, {predicted:.2f} predicted"
            f" from vigt {p.vigt:.2f} ({label} regression)"
        )
        figures = {
            "residual": r,
            "predicted_impl": predicted,
            "slope": slope,
            "intercept": intercept,
        }
        ranked.append((-abs(r), p, reason, figures))
    return ranked


def _rank_extreme(members: list[Point], label: str) -> _Ranked:
    mx, my = members[0].group_vigt_mean, members[0].group_impl_mean
    ranked: _Ranked = []
    for p in members:
        dx, dy = abs(p.vigt - mx), abs(p.impl - my)
        d = max(dx, dy)
        if abs(dx - dy) <= _EPS:
            axis, where = "both", f"vigt {p.vigt:.2f} vs {mx:.2f}, impl {p.impl:.2f} vs {my:.2f}"
            text = "on both axes"
        elif dx > dy:
            axis, where, text = "vigt", f"vigt {p.vigt:.2f} vs {mx:.2f}", "on importance"
        else:
            axis, where, text = "impl", f"impl {p.impl:.2f} vs {my:.2f}", "on implementation"
        reason = f"{d:.2f} from {label} mean {text} ({where})"
        figures = {
            "axis": axis,
            "distance": d,
            "vigt_distance": dx,
            "impl_distance": dy,
            "mean_vigt": mx,
            "mean_impl": my,
        }
        ranked.append((-d, p, reason, figures))
    return ranked


_RANKERS = {"typical": _rank_typical, "deviant": _rank_deviant, "extreme": _rank_extreme}


def _pick_diverse(
    selection: CaseSelection, members: list[Point], group: str, by: str | None, n: int
) -> None:
    by_quadrant: dict[str, list[Point]] = {q: [] for q in DIVERSE_ORDER}
    for p in members:
        by_quadrant[p.quadrant_abs].append(p)
    occupied = [q for q in DIVERSE_ORDER if by_quadrant[q]]
    prefix = f"{_group_phrase(group, by)}: " if by is not None else ""
    for quadrant in occupied[:n]:
        inside = by_quadrant[quadrant]
        cx = statistics.fmean(p.vigt for p in inside)
        cy = statistics.fmean(p.impl for p in inside)

        def distance(p: Point, cx: float = cx, cy: float = cy) -> float:
            return math.hypot(p.vigt - cx, p.impl - cy)

        best = min(inside, key=lambda p: (round(distance(p), 9), p.respondent_id, p.respondent))
        d = distance(best)
        count = len(inside)
        reason = (
            f"{QUADRANTS[quadrant]}: {count} respondent{'s' if count != 1 else ''} in the"
            f" quadrant, this one {d:.2f} from their centroid (vigt {cx:.1f}, impl {cy:.1f})"
        )
        figures = {
            "quadrant": quadrant,
            "quadrant_count": count,
            "distance": d,
            "centroid_vigt": cx,
            "centroid_impl": cy,
        }
        selection.append(_pick(best, reason, figures))
    empty = [q for q in DIVERSE_ORDER if not by_quadrant[q]]
    if empty:
        selection.notes.append(
            f"{prefix}only {len(occupied)} of 4 quadrants have respondents;"
            f" none in {', '.join(empty)}"
        )
    if len(occupied) > n:
        selection.notes.append(f"{prefix}n = {n} leaves out {', '.join(occupied[n:])}")


def _pick(p: Point, reason: str, figures: dict[str, float | int | str]) -> Pick:
    return Pick(
        respondent_id=p.respondent_id,
        respondent=p.respondent,
        group=p.group,
        impl=p.impl,
        vigt=p.vigt,
        quadrant_abs=p.quadrant_abs,
        quadrant_rel=p.quadrant_rel,
        reason=reason,
        figures=figures,
    )


def _group_phrase(group: str, by: str | None) -> str:
    return f"group {group}" if by is not None else "all respondents"


# --- helpers -----------------------------------------------------------------------------


def _check_spor(spor: str) -> None:
    if spor not in SPOR:
        raise FrisatError(f"unknown spor {spor!r}; choose one of: {', '.join(SPOR)}")


def _check_dim(dim: str) -> None:
    if dim not in DIMENSIONS:
        raise FrisatError(f"unknown dimension {dim!r}; choose one of: {', '.join(DIMENSIONS)}")


def _rating(r: Respondent, spor: str, dim: str, ind: str) -> int | None:
    return r.ratings.get(rating_column(spor, dim, ind))


def _answers(r: Respondent, spor: str, dim: str) -> list[int]:
    return _present(_rating(r, spor, dim, ind) for ind in INDICATORS)


def _present(values: Iterable[int | None]) -> list[int]:
    return [v for v in values if v is not None]


def _pairs(members: list[Respondent], spor: str, dim: str, ind: str) -> list[tuple[int, int]]:
    pairs = []
    for r in members:
        item, overall = _rating(r, spor, dim, ind), _rating(r, spor, dim, OVERALL_INDICATOR)
        if item is not None and overall is not None:
            pairs.append((item, overall))
    return pairs


def _correlation(pairs: list[tuple[int, int]]) -> float | None:
    """Pearson's r, or None for fewer than 3 pairs or a variable that does not vary."""
    if len(pairs) < 3:
        return None
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    return sxy / math.sqrt(sxx * syy)


def group_of(r: Respondent, by: str | None) -> str:
    """The group a respondent belongs to when grouping by attribute `by`."""
    if by is None:
        return ALL_GROUP
    value = (r.attributes.get(by) or "").strip()
    return value or NO_GROUP


def _groups(respondents: Iterable[Respondent], by: str | None) -> dict[str, list[Respondent]]:
    groups: dict[str, list[Respondent]] = {}
    for r in respondents:
        groups.setdefault(group_of(r, by), []).append(r)
    return {g: sorted(groups[g], key=lambda r: (r.respondent_id, r.id)) for g in sorted(groups)}


def _points_by_group(pts: Iterable[Point]) -> dict[str, list[Point]]:
    by_group: dict[str, list[Point]] = {}
    for p in pts:
        by_group.setdefault(p.group, []).append(p)
    return {g: by_group[g] for g in sorted(by_group)}
