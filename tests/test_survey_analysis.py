"""Survey analysis and the quadrant figure on a tiny hand-made survey whose every figure is
worked out by hand in the comments.

Eight respondents answer spor "tillid" only (a-d; "-" is unanswered), grouped by omraade:

  skole   impl a b c d    index      vigt a  b  c  d   index
  S1           6 5 7 6    24/4 = 6        10 10 10 10  10
  S2           3 5 4 -    12/3 = 4         8  7  9  8   8
  S3           9 8 7 8    32/4 = 8         9 10  8  9   9
  S4           9 9 - -    2 of 4: None    10 10 10 10  10
  aeldre
  A1           2 3 4 3    12/4 = 3         5  5  5  5   5
  A2           5 6 5 6    22/4 = 5.5       5  6  5  6   5.5  (both exactly at the split)
  A3           6 8 6 8    28/4 = 7         4  4  4  4   4
  A4           4 3 3 2    12/4 = 3        10 10 10 10  10

Points (vigt, impl): skole S1 (10, 6), S2 (8, 4), S3 (9, 8), centroid (9, 6);
aeldre A1 (5, 3), A2 (5.5, 5.5), A3 (4, 7), A4 (10, 3), centroid (6.125, 4.625).
"""

from __future__ import annotations

import math
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from frisat_qual.errors import FrisatError
from frisat_qual.models import Respondent
from frisat_qual.survey import INDICATORS, QUADRANTS, SPOR, rating_column
from frisat_qual.survey.analysis import (
    CaseSelection,
    GroupMeans,
    cronbach_alpha,
    derived_importance,
    group_means,
    indicator_points,
    points,
    quadrant_of,
    regression,
    residuals,
    respondent_index,
    select_cases,
    summary,
)
from frisat_qual.survey.plot import marker_counts, plot_quadrants

_ = None  # an unanswered item
SURVEY = [
    # (respondent_id, omraade, impl a-d, vigt a-d)
    ("S1", "skole", (6, 5, 7, 6), (10, 10, 10, 10)),
    ("S2", "skole", (3, 5, 4, _), (8, 7, 9, 8)),
    ("S3", "skole", (9, 8, 7, 8), (9, 10, 8, 9)),
    ("S4", "skole", (9, 9, _, _), (10, 10, 10, 10)),
    ("A1", "aeldre", (2, 3, 4, 3), (5, 5, 5, 5)),
    ("A2", "aeldre", (5, 6, 5, 6), (5, 6, 5, 6)),
    ("A3", "aeldre", (6, 8, 6, 8), (4, 4, 4, 4)),
    ("A4", "aeldre", (4, 3, 3, 2), (10, 10, 10, 10)),
]


def respondent(number, rid, attributes, impl, vigt, spor="tillid"):
    ratings = {}
    for dim, values in (("impl", impl), ("vigt", vigt)):
        for ind, value in zip(INDICATORS, values, strict=True):
            if value is not None:
                ratings[rating_column(spor, dim, ind)] = value
    return Respondent(
        id=number, respondent_id=rid, wave="2024", attributes=attributes, ratings=ratings
    )


@pytest.fixture
def survey():
    return [
        respondent(n, rid, {"omraade": area}, impl, vigt)
        for n, (rid, area, impl, vigt) in enumerate(SURVEY, start=1)
    ]


def by_id(items):
    return {item.respondent_id: item for item in items}


# --- indices and alpha -------------------------------------------------------------------


def test_index_is_the_mean_of_three_or_four_answers(survey):
    r = by_id(survey)
    assert respondent_index(r["S1"], "tillid", "impl") == 6.0  # 24 / 4
    assert respondent_index(r["S2"], "tillid", "impl") == 4.0  # 3 answered: 12 / 3
    assert respondent_index(r["S4"], "tillid", "impl") is None  # 2 of 4 answered
    assert respondent_index(r["A2"], "tillid", "vigt") == 5.5  # 22 / 4
    assert respondent_index(r["S1"], "regler", "impl") is None  # nothing answered


def test_index_rejects_an_unknown_spor_or_dimension(survey):
    with pytest.raises(FrisatError, match="unknown spor 'trust'; choose one of: regler, maal"):
        respondent_index(survey[0], "trust", "impl")
    with pytest.raises(FrisatError, match="unknown dimension 'x'; choose one of: impl, vigt"):
        respondent_index(survey[0], "tillid", "x")


def _alpha_from_covariance(rows):
    """Cronbach's alpha as pingouin computes it: k/(k-1) * (1 - trace(C) / sum(C)), C the
    item covariance matrix (ddof=1) of the complete rows. Independent of the module."""
    data = np.array(rows, dtype=float)
    k = data.shape[1]
    cov = np.cov(data, rowvar=False, ddof=1)
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def test_cronbach_alpha_by_hand_and_by_the_covariance_formula():
    # rows r1..r4 complete, r5 misses item 2 and is dropped listwise
    rows = [(1, 2, 2), (2, 3, 3), (3, 3, 4), (4, 5, 4)]
    items = [[1, 2, 3, 4, 5], [2, 3, 3, 5, None], [2, 3, 4, 4, 1]]
    # item variances 5/3, 4.75/3, 2.75/3 (sum 12.5/3); totals 5, 8, 10, 13: variance 34/3
    # alpha = 3/2 * (1 - 12.5/34) = 32.25/34
    assert cronbach_alpha(items) == pytest.approx(32.25 / 34)
    assert cronbach_alpha(items) == pytest.approx(_alpha_from_covariance(rows))


def test_cronbach_alpha_is_none_when_undefined():
    assert cronbach_alpha([[1, 2, 3]]) is None  # one item
    assert cronbach_alpha([[1, None, 3], [2, 3, None]]) is None  # one complete case
    assert cronbach_alpha([[4, 4, 4], [6, 6, 6]]) is None  # the total does not vary
    with pytest.raises(FrisatError, match="equal length"):
        cronbach_alpha([[1, 2], [1, 2, 3]])


# --- summary -----------------------------------------------------------------------------


def test_summary_groups_sorted_and_spor_in_order(survey):
    rows = summary(survey, by="omraade")
    assert [(s.group, s.spor) for s in rows] == [
        (g, spor) for g in ("aeldre", "skole") for spor in SPOR
    ]
    assert [s.group for s in summary(survey)] == ["alle"] * 5


def test_summary_of_the_skole_group(survey):
    s = {(x.group, x.spor): x for x in summary(survey, by="omraade")}["skole", "tillid"]
    assert (s.n, s.n_impl, s.n_vigt) == (3, 3, 4)  # S4 has no impl index
    assert (s.missing_impl, s.missing_vigt) == (1, 0)
    # impl 6, 4, 8: mean 6, deviations 0, -2, 2, variance 8/2 = 4
    assert s.impl_mean == 6.0
    assert s.impl_sd == pytest.approx(2.0)
    assert (s.impl_min, s.impl_max) == (4.0, 8.0)
    # vigt 10, 8, 9, 10: mean 9.25, squared deviations sum 2.75, variance 2.75/3
    assert s.vigt_mean == 9.25
    assert s.vigt_sd == pytest.approx(math.sqrt(2.75 / 3))
    assert (s.vigt_min, s.vigt_max) == (8.0, 10.0)
    assert s.quadrant_abs == "fortsaet"  # (9.25, 6.0)
    # impl complete cases S1, S3: item variances 4.5, 4.5, 0, 2 (sum 11); totals 24, 32:
    # variance 32; alpha = 4/3 * (1 - 11/32) = 0.875
    assert s.alpha_impl == pytest.approx(0.875)
    # vigt: item variances (2.75 + 6.75 + 2.75 + 2.75)/3 = 5; totals 40, 32, 36, 40:
    # variance 44/3; alpha = 4/3 * (1 - 15/44) = 29/33
    assert s.alpha_vigt == pytest.approx(29 / 33)
    # 13 impl answers, none 10; 16 vigt answers, 9 of them 10 (S1 4, S3 1, S4 4)
    assert s.ceiling_impl == 0.0
    assert s.ceiling_vigt == 9 / 16
    assert s.warnings == ("over half of the importance answers are 10 (ceiling, 56%)",)
    assert s.derived_vigt is None  # only S1 and S3 answer both a-c and d: 2 pairs


def test_summary_of_the_aeldre_group(survey):
    s = {(x.group, x.spor): x for x in summary(survey, by="omraade")}["aeldre", "tillid"]
    assert (s.n, s.n_impl, s.n_vigt, s.missing_impl, s.missing_vigt) == (4, 4, 4, 0, 0)
    # impl 3, 5.5, 7, 3: mean 4.625, squared deviations 11.6875
    assert s.impl_mean == 4.625
    assert s.impl_sd == pytest.approx(math.sqrt(11.6875 / 3))
    assert (s.impl_min, s.impl_max) == (3.0, 7.0)
    # vigt 5, 5.5, 4, 10: mean 6.125, squared deviations 21.1875
    assert s.vigt_mean == 6.125
    assert s.vigt_sd == pytest.approx(math.sqrt(21.1875 / 3))
    assert (s.vigt_min, s.vigt_max) == (4.0, 10.0)
    assert s.quadrant_abs == "fokus"  # (6.125, 4.625)
    # impl items a 2 5 6 4, b 3 6 8 3, c 4 5 6 3, d 3 6 8 2: squared deviations 8.75, 18,
    # 5, 22.75 (sum 54.5); totals 12, 22, 28, 12: 187; alpha = 4/3 * (1 - 54.5/187)
    assert s.alpha_impl == pytest.approx(530 / 561)
    # vigt items a 5 5 4 10, b 5 6 4 10, c = a, d = b: 22, 20.75, 22, 20.75 (sum 85.5);
    # totals 20, 22, 16, 40: 339; alpha = 4/3 * (1 - 85.5/339) = 338/339
    assert s.alpha_vigt == pytest.approx(338 / 339)
    assert (s.ceiling_impl, s.ceiling_vigt) == (0.0, 4 / 16)
    assert s.warnings == ()
    r_a, r_b, r_c = _AELDRE_R
    assert s.derived_vigt == pytest.approx((r_a + r_b + r_c) / 3)


def test_summary_of_an_unanswered_spor_is_empty_not_an_error(survey):
    s = {(x.group, x.spor): x for x in summary(survey, by="omraade")}["skole", "regler"]
    assert (s.n, s.n_impl, s.missing_impl, s.missing_vigt) == (0, 0, 4, 4)
    assert (s.impl_mean, s.impl_sd, s.impl_min, s.vigt_max) == (None, None, None, None)
    assert (s.quadrant_abs, s.alpha_impl, s.ceiling_vigt, s.derived_vigt) == (None,) * 4
    assert s.warnings == ()


def test_summary_warns_about_ceilings_and_importance_without_spread():
    group = [
        respondent(1, "R1", {}, (10, 10, 10, 9), (10, 10, 10, 10)),
        respondent(2, "R2", {}, (10, 8, 10, 9), (10, 10, 10, 10)),
    ]
    (s,) = [x for x in summary(group, by="omraade") if x.spor == "tillid"]
    assert s.group == "(ingen)"  # no omraade attribute
    assert s.ceiling_impl == 5 / 8
    assert s.ceiling_vigt == 1.0
    assert s.vigt_sd == 0.0
    assert s.warnings == (
        "over half of the implementation answers are 10 (ceiling, 62%)",
        "over half of the importance answers are 10 (ceiling, 100%)",
        "importance does not vary (SD 0): compare with the derived importance instead",
    )
    assert s.impl_sd == pytest.approx(math.sqrt(0.125))  # 9.75 and 9.25


# --- quadrants and points ----------------------------------------------------------------


def test_quadrant_of_counts_the_split_as_high():
    assert quadrant_of(5.5, 5.5) == "fortsaet"
    assert quadrant_of(5.49, 5.5) == "over_implementering"
    assert quadrant_of(5.5, 5.49) == "fokus"
    assert quadrant_of(1, 1) == "lav_prioritet"
    assert quadrant_of(8, 4, x_split=9, y_split=6) == "lav_prioritet"
    assert quadrant_of(9, 6, x_split=9, y_split=6) == "fortsaet"
    # 0.1 + 0.2 is 0.30000000000000004: a mean that is the value in exact arithmetic
    assert quadrant_of(0.3, 0.3, x_split=0.1 + 0.2, y_split=0.1 + 0.2) == "fortsaet"


def test_points_with_absolute_and_relative_quadrants(survey):
    pts = points(survey, "tillid", by="omraade")
    assert [(p.group, p.respondent_id, p.vigt, p.impl) for p in pts] == [
        ("aeldre", "A1", 5.0, 3.0),
        ("aeldre", "A2", 5.5, 5.5),
        ("aeldre", "A3", 4.0, 7.0),
        ("aeldre", "A4", 10.0, 3.0),
        ("skole", "S1", 10.0, 6.0),
        ("skole", "S2", 8.0, 4.0),
        ("skole", "S3", 9.0, 8.0),  # S4 has no impl index
    ]
    p = by_id(pts)
    assert p["S1"].respondent == 1 and p["A4"].respondent == 8
    assert {k: v.quadrant_abs for k, v in p.items()} == {
        "A1": "lav_prioritet",
        "A2": "fortsaet",  # exactly 5.5 on both axes counts as high
        "A3": "over_implementering",
        "A4": "fokus",
        "S1": "fortsaet",
        "S2": "fokus",
        "S3": "fortsaet",
    }
    # relative: aeldre split at (6.125, 4.625), skole at (9, 6) (S4 not plotted)
    assert {k: v.quadrant_rel for k, v in p.items()} == {
        "A1": "lav_prioritet",
        "A2": "over_implementering",  # 5.5 < 6.125, 5.5 >= 4.625
        "A3": "over_implementering",
        "A4": "fokus",
        "S1": "fortsaet",  # impl 6 equals the skole mean: high
        "S2": "lav_prioritet",
        "S3": "fortsaet",  # vigt 9 equals the skole mean: high
    }
    assert (p["S2"].group_vigt_mean, p["S2"].group_impl_mean) == (9.0, 6.0)
    assert (p["A1"].group_vigt_mean, p["A1"].group_impl_mean) == (6.125, 4.625)
    assert group_means(pts) == {
        "aeldre": GroupMeans("aeldre", 4, 6.125, 4.625),
        "skole": GroupMeans("skole", 3, 9.0, 6.0),
    }


def test_points_without_grouping_use_the_overall_means(survey):
    pts = points(survey, "tillid")
    assert {p.group for p in pts} == {"alle"}
    # vigt (5 + 5.5 + 4 + 10 + 10 + 8 + 9) / 7 = 51.5/7, impl (3 + 5.5 + 7 + 3 + 6 + 4 + 8) / 7
    assert pts[0].group_vigt_mean == pytest.approx(51.5 / 7)
    assert pts[0].group_impl_mean == pytest.approx(36.5 / 7)
    # S2: vigt 8 >= 51.5/7 = 7.36 is high, impl 4 < 36.5/7 = 5.21 is low
    assert by_id(pts)["S2"].quadrant_rel == "fokus"


def test_points_rejects_an_x_axis_other_than_stated(survey):
    with pytest.raises(FrisatError, match="use indicator_points"):
        points(survey, "tillid", x="derived")


# --- derived importance ------------------------------------------------------------------

# aeldre, impl: d = 3 6 8 2 (mean 4.75, squared deviations 22.75)
#   a = 2 5 6 4 (mean 4.25): Sxx 8.75, Sxy 3.9375 + 0.9375 + 5.6875 + 0.6875 = 11.25
#   b = 3 6 8 3 (mean 5):    Sxx 18,   Sxy 3.5 + 1.25 + 9.75 + 5.5 = 20
#   c = 4 5 6 3 (mean 4.5):  Sxx 5,    Sxy 0.875 + 0.625 + 4.875 + 4.125 = 10.5
_AELDRE_R = (
    11.25 / math.sqrt(8.75 * 22.75),
    20 / math.sqrt(18 * 22.75),
    10.5 / math.sqrt(5 * 22.75),
)


def test_derived_importance_correlates_a_b_c_with_d(survey):
    derived = derived_importance(survey, "tillid", by="omraade")
    assert list(derived) == ["aeldre", "skole"]
    aeldre = derived["aeldre"]
    d = [3, 6, 8, 2]
    for ind, expected, item in zip(
        "abc", _AELDRE_R, ([2, 5, 6, 4], [3, 6, 8, 3], [4, 5, 6, 3]), strict=True
    ):
        assert aeldre[ind] == pytest.approx(expected)
        assert aeldre[ind] == pytest.approx(np.corrcoef(item, d)[0, 1])
    assert aeldre["spor"] == pytest.approx(statistics.fmean(_AELDRE_R))
    # skole: only S1 and S3 answer d (impl), fewer than 3 pairs
    assert derived["skole"] == {"a": None, "b": None, "c": None, "spor": None}


def test_derived_importance_is_none_without_variance():
    group = [respondent(n, f"R{n}", {}, (5, n, n, n + 1), (9, 9, 9, 9)) for n in (1, 2, 3)]
    derived = derived_importance(group, "tillid")["alle"]
    assert derived["a"] is None  # a is 5 for everyone
    assert derived["b"] == pytest.approx(1.0)  # b = n, d = n + 1
    assert derived["spor"] == pytest.approx(1.0)  # mean of b and c only
    assert derived_importance(group, "tillid", dim="vigt")["alle"]["spor"] is None


def test_indicator_points_put_derived_importance_against_item_means(survey):
    rows = {(p.group, p.indicator): p for p in indicator_points(survey, "tillid", by="omraade")}
    assert list(rows) == [(g, i) for g in ("aeldre", "skole") for i in "abc"]
    a = rows["aeldre", "a"]
    assert a.derived == pytest.approx(_AELDRE_R[0])
    assert (a.pairs, a.impl_mean, a.vigt_mean, a.n_impl, a.n_vigt) == (4, 4.25, 6.0, 4, 4)
    b = rows["aeldre", "b"]
    assert (b.impl_mean, b.vigt_mean) == (5.0, 6.25)  # 3 6 8 3; 5 6 4 10
    c = rows["aeldre", "c"]
    assert (c.impl_mean, c.vigt_mean) == (4.5, 6.0)  # 4 5 6 3; 5 5 4 10
    s = rows["skole", "a"]  # impl a 6 3 9 9, vigt a 10 8 9 10; pairs with d: S1, S3
    assert (s.derived, s.pairs, s.impl_mean, s.vigt_mean) == (None, 2, 6.75, 9.25)
    s = rows["skole", "c"]  # impl c 7 4 7 (S4 unanswered)
    assert (s.impl_mean, s.n_impl) == (6.0, 3)


# --- regression --------------------------------------------------------------------------


def test_regression_and_residuals_for_skole(survey):
    pts = [p for p in points(survey, "tillid", by="omraade") if p.group == "skole"]
    # x 10 8 9 (mean 9), y 6 4 8 (mean 6): Sxx 2, Sxy 0 + 2 + 0 = 2, slope 1, intercept -3
    assert regression(pts) == pytest.approx((1.0, -3.0))
    # S1 6 - 7, S2 4 - 5, S3 8 - 6
    assert residuals(pts) == pytest.approx([-1.0, -1.0, 2.0])


def test_regression_for_aeldre(survey):
    pts = [p for p in points(survey, "tillid", by="omraade") if p.group == "aeldre"]
    # x dev -1.125 -0.625 -2.125 3.875 (Sxx 21.1875), y dev -1.625 0.875 2.375 -1.625:
    # Sxy 1.828125 - 0.546875 - 5.046875 - 6.296875 = -10.0625
    slope = -10.0625 / 21.1875
    intercept = 4.625 - slope * 6.125
    assert regression(pts) == pytest.approx((slope, intercept))
    expected = [y - (slope * x + intercept) for x, y in ((5, 3), (5.5, 5.5), (4, 7), (10, 3))]
    assert residuals(pts) == pytest.approx(expected)
    assert expected == pytest.approx([-2.1593, 0.5782, 1.3658, 0.2153], abs=1e-4)


def test_regression_without_variance_in_importance(survey):
    pts = [p for p in points(survey, "tillid", by="omraade") if p.respondent_id in ("S1",)]
    assert regression(pts) == (None, None)
    assert residuals(pts) == [0.0]
    assert regression([]) == (None, None) and residuals([]) == []


# --- case selection ----------------------------------------------------------------------


def picks(selection):
    return [(p.group, p.respondent_id, p.reason) for p in selection]


def test_typical_cases_are_closest_to_the_group_centroid(survey):
    chosen = select_cases(survey, "tillid", "typical", by="omraade", n=2)
    assert isinstance(chosen, CaseSelection) and isinstance(chosen, list)
    # aeldre (6.125, 4.625): A2 sqrt(0.390625 + 0.765625) = 1.075, A1 sqrt(3.90625) = 1.976,
    # A3 3.187, A4 4.202; skole (9, 6): S1 1, S3 2, S2 sqrt(5) = 2.236
    assert picks(chosen) == [
        ("aeldre", "A2", "1.08 from the aeldre centroid (vigt 6.1, impl 4.6)"),
        ("aeldre", "A1", "1.98 from the aeldre centroid (vigt 6.1, impl 4.6)"),
        ("skole", "S1", "1.00 from the skole centroid (vigt 9.0, impl 6.0)"),
        ("skole", "S3", "2.00 from the skole centroid (vigt 9.0, impl 6.0)"),
    ]
    assert chosen[0].figures == pytest.approx(
        {"distance": math.sqrt(1.15625), "centroid_vigt": 6.125, "centroid_impl": 4.625}
    )
    first = chosen[0]
    assert (first.respondent, first.vigt, first.impl) == (6, 5.5, 5.5)
    assert (first.quadrant_abs, first.quadrant_rel) == ("fortsaet", "over_implementering")
    assert chosen.notes == []


def test_typical_cases_note_a_group_smaller_than_n(survey):
    chosen = select_cases(survey, "tillid", "typical", by="omraade")
    assert [p.respondent_id for p in chosen] == ["A2", "A1", "A3", "A4", "S1", "S3", "S2"]
    assert chosen.notes == [
        "group aeldre: only 4 respondents with both indices, so 4 picks instead of 5",
        "group skole: only 3 respondents with both indices, so 3 picks instead of 5",
    ]


def test_typical_case_without_grouping(survey):
    chosen = select_cases(survey, "tillid", "typical", n=1)
    # centroid (51.5/7, 36.5/7) = (7.357, 5.214): S2 (8, 4) is sqrt(0.413 + 1.474) = 1.374
    # away, A2 (5.5, 5.5) sqrt(3.449 + 0.082) = 1.879, S1 (10, 6) 2.757
    assert picks(chosen) == [
        ("alle", "S2", "1.37 from the overall centroid (vigt 7.4, impl 5.2)"),
    ]


def test_deviant_cases_have_the_largest_residuals(survey):
    chosen = select_cases(survey, "tillid", "deviant", by="omraade", n=2)
    # aeldre residuals -2.159 (A1), +1.366 (A3), +0.578, +0.215; skole +2 (S3), then -1 for
    # both S1 and S2: the tie goes to S1
    assert picks(chosen) == [
        (
            "aeldre",
            "A1",
            "residual -2.16: impl 3.00 observed, 5.16 predicted from vigt 5.00"
            " (the aeldre regression)",
        ),
        (
            "aeldre",
            "A3",
            "residual +1.37: impl 7.00 observed, 5.63 predicted from vigt 4.00"
            " (the aeldre regression)",
        ),
        (
            "skole",
            "S3",
            "residual +2.00: impl 8.00 observed, 6.00 predicted from vigt 9.00"
            " (the skole regression)",
        ),
        (
            "skole",
            "S1",
            "residual -1.00: impl 6.00 observed, 7.00 predicted from vigt 10.00"
            " (the skole regression)",
        ),
    ]
    assert chosen[2].figures == pytest.approx(
        {"residual": 2.0, "predicted_impl": 6.0, "slope": 1.0, "intercept": -3.0}
    )
    assert chosen.notes == []


def test_deviant_cases_without_variance_use_the_mean():
    group = [
        respondent(1, "R1", {}, (2, 2, 2, 2), (9, 9, 9, 9)),
        respondent(2, "R2", {}, (4, 4, 4, 4), (9, 9, 9, 9)),
        respondent(3, "R3", {}, (9, 9, 9, 9), (9, 9, 9, 9)),
    ]
    chosen = select_cases(group, "tillid", "deviant", n=1)
    # mean impl 5: residuals -3, -1, +4
    assert picks(chosen) == [
        (
            "alle",
            "R3",
            "residual +4.00: impl 9.00 against the overall mean impl 5.00"
            " (importance does not vary)",
        )
    ]
    assert chosen.notes == [
        "all respondents: importance does not vary, so the residuals are from the mean"
        " implementation, not a regression line"
    ]


def test_extreme_cases_are_furthest_from_the_mean_on_either_axis(survey):
    chosen = select_cases(survey, "tillid", "extreme", by="omraade", n=2)
    # aeldre (6.125, 4.625): A4 |10 - 6.125| = 3.875 on vigt (1.625 on impl);
    # A3 |7 - 4.625| = 2.375 on impl (2.125 on vigt); A1 1.625; A2 0.875
    # skole (9, 6): S2 and S3 both 2 on impl (tie: S2 first), S1 1 on vigt
    assert picks(chosen) == [
        ("aeldre", "A4", "3.88 from the aeldre mean on importance (vigt 10.00 vs 6.12)"),
        ("aeldre", "A3", "2.38 from the aeldre mean on implementation (impl 7.00 vs 4.62)"),
        ("skole", "S2", "2.00 from the skole mean on implementation (impl 4.00 vs 6.00)"),
        ("skole", "S3", "2.00 from the skole mean on implementation (impl 8.00 vs 6.00)"),
    ]
    assert chosen[0].figures == pytest.approx(
        {
            "axis": "vigt",
            "distance": 3.875,
            "vigt_distance": 3.875,
            "impl_distance": 1.625,  # |3 - 4.625|
            "mean_vigt": 6.125,
            "mean_impl": 4.625,
        }
    )


def test_extreme_case_equally_far_on_both_axes():
    group = [
        respondent(1, "R1", {}, (4, 4, 4, 4), (4, 4, 4, 4)),
        respondent(2, "R2", {}, (6, 6, 6, 6), (6, 6, 6, 6)),
    ]
    chosen = select_cases(group, "tillid", "extreme", n=1)
    assert picks(chosen) == [
        (
            "alle",
            "R1",
            "1.00 from the overall mean on both axes (vigt 4.00 vs 5.00, impl 4.00 vs 5.00)",
        )
    ]
    assert chosen[0].figures["axis"] == "both"


def test_diverse_cases_one_per_quadrant(survey):
    chosen = select_cases(survey, "tillid", "diverse", by="omraade")
    # aeldre has one respondent in each quadrant (distance 0 to its own centroid);
    # skole: fokus S2 alone, fortsaet S1 (10, 6) and S3 (9, 8) around (9.5, 7), both
    # sqrt(1.25) = 1.12 away: the tie goes to S1
    assert [(p.group, p.respondent_id, p.quadrant_abs) for p in chosen] == [
        ("aeldre", "A4", "fokus"),
        ("aeldre", "A2", "fortsaet"),
        ("aeldre", "A3", "over_implementering"),
        ("aeldre", "A1", "lav_prioritet"),
        ("skole", "S2", "fokus"),
        ("skole", "S1", "fortsaet"),
    ]
    one = "1 respondent in the quadrant, this one 0.00 from their centroid"
    assert [p.reason for p in chosen] == [
        f"Vigtigste fokusområde: {one} (vigt 10.0, impl 3.0)",
        f"Fortsæt det gode arbejde: {one} (vigt 5.5, impl 5.5)",
        f"Risiko for over-implementering: {one} (vigt 4.0, impl 7.0)",
        f"Lav prioritet: {one} (vigt 5.0, impl 3.0)",
        f"Vigtigste fokusområde: {one} (vigt 8.0, impl 4.0)",
        "Fortsæt det gode arbejde: 2 respondents in the quadrant, this one 1.12 from their"
        " centroid (vigt 9.5, impl 7.0)",
    ]
    assert chosen[5].figures == pytest.approx(
        {
            "quadrant": "fortsaet",
            "quadrant_count": 2,
            "distance": math.sqrt(1.25),
            "centroid_vigt": 9.5,
            "centroid_impl": 7.0,
        }
    )
    assert chosen.notes == [
        "group skole: only 2 of 4 quadrants have respondents; none in over_implementering,"
        " lav_prioritet"
    ]


def test_diverse_cases_limited_by_n(survey):
    chosen = select_cases(survey, "tillid", "diverse", by="omraade", n=2)
    assert [p.respondent_id for p in chosen] == ["A4", "A2", "S2", "S1"]
    assert chosen.notes == [
        "group aeldre: n = 2 leaves out over_implementering, lav_prioritet",
        "group skole: only 2 of 4 quadrants have respondents; none in over_implementering,"
        " lav_prioritet",
    ]


def test_case_selection_errors_and_empty_results(survey):
    with pytest.raises(
        FrisatError,
        match="unknown strategy 'odd'; choose one of: typical, deviant, extreme, diverse",
    ):
        select_cases(survey, "tillid", "odd")
    with pytest.raises(FrisatError, match="unknown spor 'x'"):
        select_cases(survey, "x", "typical")
    with pytest.raises(FrisatError, match="at least 1"):
        select_cases(survey, "tillid", "typical", n=0)
    empty = select_cases(survey, "regler", "diverse")
    assert list(empty) == []
    assert empty.notes == ["no respondent has both indices of regler: nothing to pick"]


# --- the figure --------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _texts(path):
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_figure_svg_has_a_panel_per_group_and_the_quadrant_labels(survey, tmp_path):
    pts = points(survey, "tillid", by="omraade")
    out = plot_quadrants(pts, "tillid", tmp_path / "tillid.svg")
    assert out == tmp_path / "tillid.svg"
    texts = _texts(out)
    assert "Tillidsbaseret kultur: vigtighed og implementering" in texts
    # the areas in the questionnaire's order, capitalised in Danish spelling
    assert [t for t in texts if "(n = " in t] == ["Skole (n = 3)", "Ældre (n = 4)"]
    for label in QUADRANTS.values():
        assert texts.count(label) == 2  # once per panel
    assert "Vigtighed (1-10)" in texts and "Implementering (1-10)" in texts
    assert any("absolut opdeling ved skalaens midte (5,5)" in t for t in texts)


def test_figure_svg_is_identical_between_runs(survey, tmp_path):
    pts = points(survey, "tillid", by="omraade")
    first = plot_quadrants(pts, "tillid", tmp_path / "a.svg").read_bytes()
    second = plot_quadrants(pts, "tillid", tmp_path / "b.svg").read_bytes()
    assert first == second
    assert b"<dc:date>" not in first


def test_figure_panel_order_title_and_empty_panels(survey, tmp_path):
    pts = points(survey, "tillid", by="omraade")
    out = plot_quadrants(
        pts,
        "tillid",
        tmp_path / "f.svg",
        title="Tillid i tre områder",
        group_order=["skole", "dagtilbud"],
    )
    texts = _texts(out)
    assert "Tillid i tre områder" in texts
    assert [t for t in texts if "(n = " in t] == [
        "Skole (n = 3)",
        "Dagtilbud (n = 0)",
        "Ældre (n = 4)",
    ]


def test_figure_title_stands_clear_of_the_panel_titles(survey, tmp_path):
    # three panels in a row, where the title once sat on top of the middle panel's title
    daycare = respondent(9, "D1", {"omraade": "dagtilbud"}, (7, 7, 7, 7), (9, 9, 9, 9))
    pts = points([*survey, daycare], "tillid", by="omraade")
    out = plot_quadrants(pts, "tillid", tmp_path / "t.svg")
    root = ET.parse(out).getroot()

    def box(text):
        """(top, bottom) of a text element: its baseline less its font size, and the
        baseline plus a quarter of it for descenders."""
        size = float(re.search(r"font-size: ([\d.]+)px", text.get("style")).group(1))
        y = float(text.get("y"))
        return y - size, y + size / 4

    texts = {"".join(t.itertext()): t for t in root.iter(f"{SVG}text")}
    title = box(texts["Tillidsbaseret kultur: vigtighed og implementering"])
    panels = [box(t) for label, t in texts.items() if "(n = " in label]
    assert len(panels) == 3
    assert all(title[1] < top for top, _ in panels)


def test_figure_png_and_bad_input(survey, tmp_path):
    pts = points(survey, "tillid", by="omraade")
    out = plot_quadrants(pts, "tillid", tmp_path / "sub" / "tillid.PNG")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(FrisatError, match=r"tillid\.pdf: use a file name ending in \.svg or \.png"):
        plot_quadrants(pts, "tillid", tmp_path / "tillid.pdf")
    with pytest.raises(FrisatError, match="the points are for tillid, not for regler"):
        plot_quadrants(pts, "regler", tmp_path / "x.svg")
    with pytest.raises(FrisatError, match="nothing to plot"):
        plot_quadrants([], "regler", tmp_path / "x.svg")
    assert not (tmp_path / "tillid.pdf").exists()


def test_coinciding_points_share_one_marker():
    group = [respondent(n, f"R{n}", {}, (7, 7, 7, 7), (9, 9, 9, 9)) for n in (1, 2, 3)]
    group.append(respondent(4, "R4", {}, (3, 3, 3, 3), (9, 9, 9, 9)))
    assert marker_counts(points(group, "tillid")) == [(9.0, 3.0, 1), (9.0, 7.0, 3)]


def test_analysis_and_plot_import_neither_ui_nor_matplotlib():
    code = (
        "import sys\n"
        "import frisat_qual.survey.analysis, frisat_qual.survey.plot\n"
        "bad = [m for m in ('textual', 'rich', 'matplotlib') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
