"""The agreement statistics against a published worked example, a textbook example worked
by hand, and two established implementations: the `krippendorff` package for
Krippendorff's alpha and scikit-learn's `cohen_kappa_score` for Cohen's kappa."""

from __future__ import annotations

import json
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from frisat_qual.agreement.stats import (
    BinaryCounts,
    alpha_from_value_counts,
    cohen_kappa,
    kappa_from_table,
    krippendorff_alpha,
    percent_agreement,
)

nan = float("nan")

#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal
#: data, 4 observers x 12 units with missing values; the paper gives alpha = 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


def test_krippendorff_2011_worked_example():
    assert round(krippendorff_alpha(KRIPPENDORFF_2011), 3) == 0.743
    # the paper's exact figure: 1 - (n - 1) * D_o / D_e with n = 40 pairable values
    assert krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(1 - 39 * 10 / 1520, abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_alpha_equals_the_krippendorff_package_on_random_data_with_missing_values(seed):
    rng = np.random.default_rng(seed)
    coders = int(rng.integers(2, 6))
    units = int(rng.integers(10, 60))
    values = int(rng.integers(2, 6))
    data = rng.integers(1, values + 1, size=(coders, units)).astype(float)
    data[rng.random(data.shape) < 0.25] = nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(data) == pytest.approx(expected, abs=1e-9)


def test_textbook_kappa_worked_by_hand():
    """50 units, two raters, yes/no: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    p_o = (20 + 15) / 50 = 0.70; A says yes 25/50 = 0.5, B 30/50 = 0.6;
    p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40."""
    table = np.array([[20, 5], [10, 15]])  # rows A yes/no, columns B yes/no
    assert kappa_from_table(table) == pytest.approx(0.40, abs=1e-12)
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.40, abs=1e-12)
    assert percent_agreement([a, b]) == pytest.approx(70.0)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("classes", [2, 4])
def test_kappa_equals_scikit_learn(seed, classes):
    rng = np.random.default_rng(100 + seed)
    a = rng.integers(0, classes, 80)
    # correlated second coder: copies a most of the time
    b = np.where(rng.random(80) < 0.6, a, rng.integers(0, classes, 80))
    assert cohen_kappa(a.tolist(), b.tolist()) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_undefined_statistics_are_none():
    same = [[1, 1, 1], [1, 1, 1]]
    assert cohen_kappa(*same) is None  # chance agreement is already 1
    assert krippendorff_alpha(same) is None
    assert percent_agreement(same) == 100.0
    assert cohen_kappa([], []) is None
    assert percent_agreement([[1, nan], [nan, 2]]) is None  # no unit judged by both
    assert krippendorff_alpha([[1, nan], [nan, 2]]) is None  # no pairable values
    assert alpha_from_value_counts(np.zeros((0, 2))) is None
    counts = BinaryCounts.from_matrix(np.zeros((2, 5), dtype=bool))
    figures = [counts.percent(), counts.kappa(), counts.alpha()]
    assert figures == [100.0, None, None]
    json.dumps(figures, allow_nan=False)  # None, never NaN


def test_percent_agreement_of_three_coders_is_the_mean_over_pairs():
    # pairs: (0,1) agree on 3 of 4, (0,2) on 2 of 4, (1,2) on 3 of 4 -> (75 + 50 + 75) / 3
    data = [[1, 1, 0, 0], [1, 1, 0, 1], [1, 0, 0, 1]]
    assert percent_agreement(data) == pytest.approx(200 / 3)


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_binary_counts_give_the_same_figures_as_the_general_functions(coders):
    rng = np.random.default_rng(coders)
    x = rng.random((coders, 5, 70)) < 0.3
    x[1] = np.where(rng.random((5, 70)) < 0.7, x[0], x[1])  # some agreement
    for code, counts in enumerate(BinaryCounts.from_stack(x)):
        matrix = x[:, code, :].astype(int)
        assert counts.units == 70
        assert counts.percent() == pytest.approx(percent_agreement(matrix), abs=1e-9)
        assert counts.alpha() == pytest.approx(
            krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"),
            abs=1e-9,
        )
        for (i, j), kappa in zip(combinations(range(coders), 2), counts.pair_kappa(), strict=True):
            assert kappa == pytest.approx(cohen_kappa_score(matrix[i], matrix[j]), abs=1e-12)
        if coders == 2:
            assert counts.kappa() == counts.pair_kappa()[0]
        else:
            assert counts.kappa() is None
        said = matrix.sum(axis=0)
        assert counts.all_yes == int((said == coders).sum())
        assert counts.all_no == int((said == 0).sum())
        for i in range(coders):
            assert counts.only[i] == int(((said == 1) & (matrix[i] == 1)).sum())
        assert counts.some == int(((said > 1) & (said < coders)).sum())


def test_pooled_counts_equal_the_counts_of_all_units_together():
    rng = np.random.default_rng(7)
    x = rng.random((3, 4, 50)) < 0.4
    pooled = BinaryCounts.empty(3)
    for counts in BinaryCounts.from_stack(x):
        pooled = pooled + counts
    together = BinaryCounts.from_matrix(x.reshape(3, -1))
    assert pooled.units == together.units == 200
    assert (pooled.tables == together.tables).all()
    assert pooled.alpha() == pytest.approx(together.alpha(), abs=1e-12)
    more = BinaryCounts.from_matrix(x.reshape(3, -1))
    more.add_unanimous_no(10)
    with_ten = np.concatenate([x.reshape(3, -1), np.zeros((3, 10), dtype=bool)], axis=1)
    assert more.alpha() == pytest.approx(BinaryCounts.from_matrix(with_ten).alpha(), abs=1e-12)
