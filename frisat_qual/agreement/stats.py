"""Agreement statistics on plain arrays: percent agreement, Cohen's kappa and
Krippendorff's alpha for nominal data. No project, no SQL: numbers in, numbers out.

Conventions. A reliability matrix has one row per coder and one column per unit; a
missing value (a coder who did not judge the unit) is NaN. An undefined statistic (no
units, or no variation so that chance agreement is already perfect) is None, never NaN.

- Percent agreement: the share of units (0-100) on which two coders give the same value,
  over the units both judged; with more coders the mean over all coder pairs.
- Cohen's kappa (two coders): (p_o - p_e) / (1 - p_e), with p_o the observed share of
  agreement and p_e = sum over values of the product of the two coders' marginal shares.
  Computed from the integer confusion table as (n*agree - S) / (n^2 - S), S = sum of
  row total * column total, so "no variation" is an exact test, not a float comparison.
- Krippendorff's alpha, nominal metric (Krippendorff 2011, "Computing Krippendorff's
  Alpha-Reliability"): from the coincidence matrix o_ck = sum over units u with m_u >= 2
  values of (pairs of values c, k within u) / (m_u - 1); with n_c its margins and n their
  sum, alpha = 1 - (n - 1) * (n - sum_c o_cc) / (n^2 - sum_c n_c^2). Units judged by a
  single coder carry no pairable information and drop out; any number of coders and
  missing values are allowed.

Binary coding decisions (did coder i apply code c to unit u?) are summarised by
`BinaryCounts`: a 2x2 table per coder pair and, per unit, how many coders said yes. Every
statistic above is a function of these counts, so a million characters cost a few sums,
and the tables of many codes pool by adding them up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np


def kappa_from_table(table: np.ndarray) -> float | None:
    """Cohen's kappa from a square confusion table (rows: coder 1's values, columns:
    coder 2's); None when it is undefined (no units, or chance agreement is 1)."""
    t = np.asarray(table, dtype=np.int64)
    n = int(t.sum())
    if n == 0:
        return None
    agree = int(np.trace(t))
    chance = int((t.sum(axis=1) * t.sum(axis=0)).sum())
    denominator = n * n - chance
    if denominator == 0:
        return None
    return (n * agree - chance) / denominator


def percent_from_table(table: np.ndarray) -> float | None:
    """Percent of units on the diagonal of a confusion table; None without units."""
    t = np.asarray(table)
    n = t.sum()
    return None if n == 0 else float(100.0 * np.trace(t) / n)


def confusion_table(a: Sequence, b: Sequence) -> np.ndarray:
    """The confusion table of two coders' values over the units both judged (NaN or None
    marks a missing value). Values may be any hashable labels."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not _missing(x) and not _missing(y)]
    labels = sorted({v for pair in pairs for v in pair}, key=repr)
    index = {v: i for i, v in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for x, y in pairs:
        table[index[x], index[y]] += 1
    return table


def cohen_kappa(a: Sequence, b: Sequence) -> float | None:
    """Cohen's kappa of two coders' values (nominal; any labels; missing ones skipped)."""
    return kappa_from_table(confusion_table(a, b))


def percent_agreement(data: Sequence[Sequence]) -> float | None:
    """Percent agreement of a reliability matrix (coders x units, NaN/None missing): per
    coder pair the share of units both judged on which they agree, then the mean over the
    pairs that share a unit."""
    rows = [list(r) for r in data]
    shares = []
    for a, b in combinations(rows, 2):
        share = percent_from_table(confusion_table(a, b))
        if share is not None:
            shares.append(share)
    return float(np.mean(shares)) if shares else None


def alpha_from_value_counts(counts: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Krippendorff's alpha (nominal) from a units x values matrix of how many coders gave
    each value to each unit; `weights` says how many units share each row (so identical
    units can be passed once). None when undefined (fewer than two pairable values, or
    all pairable values the same)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError("counts must be a units x values matrix")
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=np.float64)
    m = counts.sum(axis=1)
    keep = (m >= 2) & (w > 0)
    counts, m, w = counts[keep], m[keep], w[keep]
    if not len(counts):
        return None
    scaled = counts * (w / (m - 1))[:, None]
    # o_ck = sum_u N_uc (N_uk - [c == k]) / (m_u - 1), weighted by identical units
    coincidences = scaled.T @ counts - np.diag(scaled.sum(axis=0))
    margins = coincidences.sum(axis=1)
    n = float(margins.sum())
    expected = n * n - float((margins**2).sum())
    if n <= 1 or expected <= 1e-12 * n * n:
        return None
    observed = n - float(np.trace(coincidences))
    return float(1.0 - (n - 1.0) * observed / expected)


def krippendorff_alpha(data: Sequence[Sequence]) -> float | None:
    """Krippendorff's alpha for nominal data from a reliability matrix (coders x units,
    NaN/None for missing values; values any labels)."""
    rows = [list(r) for r in data]
    if not rows:
        return None
    units = len(rows[0])
    if any(len(r) != units for r in rows):
        raise ValueError("every coder's row must have one value per unit")
    labels = sorted({v for r in rows for v in r if not _missing(v)}, key=repr)
    index = {v: i for i, v in enumerate(labels)}
    counts = np.zeros((units, max(len(labels), 1)))
    for r in rows:
        for u, v in enumerate(r):
            if not _missing(v):
                counts[u, index[v]] += 1
    return alpha_from_value_counts(counts)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


@dataclass
class BinaryCounts:
    """Sufficient statistics of k coders' yes/no decisions over a set of units.

    `tables[p]` is the 2x2 table of coder pair p (pairs in `combinations(range(k), 2)`
    order; rows: the first coder's no/yes, columns: the second's); `yes[j]` the number of
    units that exactly j coders said yes to; `only[i]` the units only coder i said yes to.
    No value is missing: every coder judges every unit.
    """

    coders: int
    tables: np.ndarray  # (pairs, 2, 2) int64
    yes: np.ndarray  # (coders + 1,) int64
    only: np.ndarray  # (coders,) int64

    @classmethod
    def empty(cls, coders: int) -> BinaryCounts:
        pairs = len(list(combinations(range(coders), 2)))
        return cls(
            coders,
            np.zeros((pairs, 2, 2), dtype=np.int64),
            np.zeros(coders + 1, dtype=np.int64),
            np.zeros(coders, dtype=np.int64),
        )

    @classmethod
    def from_matrix(cls, decisions: np.ndarray) -> BinaryCounts:
        """From a boolean coders x units matrix."""
        return cls.from_stack(np.asarray(decisions, dtype=bool)[:, None, :])[0]

    @classmethod
    def from_stack(cls, decisions: np.ndarray) -> list[BinaryCounts]:
        """One BinaryCounts per code from a boolean coders x codes x units array."""
        # count_nonzero on booleans, not sum: sum converts every element to an integer first
        # and is several times slower on the character variant's millions of units
        x = np.asarray(decisions, dtype=bool)
        k, codes, units = x.shape
        said_yes = x.sum(axis=0, dtype=np.int16)  # codes x units
        yes = np.stack([np.count_nonzero(said_yes == j, axis=1) for j in range(k + 1)], axis=1)
        alone = said_yes == 1
        only = np.stack([np.count_nonzero(x[i] & alone, axis=1) for i in range(k)], axis=1)
        yes_of = np.count_nonzero(x, axis=2)  # coders x codes
        pairs = list(combinations(range(k), 2))
        tables = np.zeros((codes, len(pairs), 2, 2), dtype=np.int64)
        for p, (i, j) in enumerate(pairs):
            both = np.count_nonzero(x[i] & x[j], axis=1)
            a_only = yes_of[i] - both
            b_only = yes_of[j] - both
            tables[:, p, 1, 1] = both
            tables[:, p, 1, 0] = a_only
            tables[:, p, 0, 1] = b_only
            tables[:, p, 0, 0] = units - both - a_only - b_only
        return [
            cls(k, tables[c], yes[c].astype(np.int64), only[c].astype(np.int64))
            for c in range(codes)
        ]

    @classmethod
    def from_weights(cls, covered: np.ndarray, weights: np.ndarray) -> BinaryCounts:
        """From a boolean coders x pieces matrix whose piece p stands for `weights[p]` units
        decided alike (the character variant: runs of characters every coder treats the
        same way, weighted by how many non-whitespace characters they hold)."""
        x = np.asarray(covered, dtype=bool)
        w = np.asarray(weights, dtype=np.int64)
        k = x.shape[0]
        said_yes = x.sum(axis=0)
        yes = np.bincount(said_yes, weights=w, minlength=k + 1).astype(np.int64)
        alone = said_yes == 1
        only = np.array([int(w[x[i] & alone].sum()) for i in range(k)], dtype=np.int64)
        yes_of = [int(w[x[i]].sum()) for i in range(k)]
        units = int(w.sum())
        pairs = list(combinations(range(k), 2))
        tables = np.zeros((len(pairs), 2, 2), dtype=np.int64)
        for p, (i, j) in enumerate(pairs):
            both = int(w[x[i] & x[j]].sum())
            tables[p] = [
                [units - yes_of[i] - yes_of[j] + both, yes_of[j] - both],
                [yes_of[i] - both, both],
            ]
        return cls(k, tables, yes, only)

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        if other.coders != self.coders:
            raise ValueError("cannot pool counts of different numbers of coders")
        return BinaryCounts(
            self.coders, self.tables + other.tables, self.yes + other.yes, self.only + other.only
        )

    def add_unanimous_no(self, units: int) -> None:
        """Count `units` more units that every coder said no to (in place)."""
        self.tables[:, 0, 0] += units
        self.yes[0] += units

    @property
    def units(self) -> int:
        return int(self.yes.sum())

    @property
    def all_yes(self) -> int:
        return int(self.yes[-1])

    @property
    def all_no(self) -> int:
        return int(self.yes[0])

    @property
    def some(self) -> int:
        """Units that more than one coder, but not all, said yes to (0 with two coders)."""
        return self.units - self.all_yes - self.all_no - int(self.only.sum())

    def pair_percent(self) -> list[float | None]:
        return [percent_from_table(t) for t in self.tables]

    def pair_kappa(self) -> list[float | None]:
        return [kappa_from_table(t) for t in self.tables]

    def percent(self) -> float | None:
        """Percent agreement; with more than two coders the mean over coder pairs."""
        shares = [s for s in self.pair_percent() if s is not None]
        return float(np.mean(shares)) if shares else None

    def kappa(self) -> float | None:
        """Cohen's kappa for two coders; None for more (see `pair_kappa`)."""
        return kappa_from_table(self.tables[0]) if self.coders == 2 else None

    def alpha(self) -> float | None:
        """Krippendorff's alpha, nominal: a unit that j of k coders said yes to has the
        values (k - j) no and j yes."""
        k = self.coders
        rows = np.array([[k - j, j] for j in range(k + 1)], dtype=np.float64)
        return alpha_from_value_counts(rows, self.yes)
