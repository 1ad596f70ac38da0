"""The learned layer: one-vs-rest linear classifiers with calibrated probabilities.

Training is a cross-validation committee, which gives calibration, thresholds and the final
model from one set of fits:
1. the rows are split into K folds by document (`groups`), or by row when there are fewer
   documents than folds;
2. for each fold and code a linear SVM (squared hinge, balanced class weights) is fitted on
   the other folds and scores the held-out fold, so every row gets an out-of-fold score;
3. per code, Platt scaling (a logistic curve) is fitted to the out-of-fold scores, and the
   threshold that maximises F1 on the calibrated out-of-fold probabilities is chosen;
4. the final model averages the K fold models' weights (averaging linear models is again a
   linear model), so no refit on all rows is needed: K fits on (K-1)/K of the rows in all.

A code needs `MIN_POSITIVES` positive rows, and positives outside a single fold, to get a
classifier; otherwise it is left to the cold-start scorer (rules and examples).
Rows may be labelled for only some codes (`-1` in Y means unknown, e.g. a codebook example
says nothing about codes of other families).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

MIN_POSITIVES = 3
DEFAULT_FOLDS = 3
SVM_C = 0.3
#: C is scaled down beyond this many rows, so the regularisation per row stays the same
#: (the mean-loss form of the SVM); it also keeps the solver's iterations bounded
SVM_C_ROWS = 3000
SVM_TOL = 0.1
DEFAULT_THRESHOLD = 0.5
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass
class CodeModel:
    """What the classifier knows about one code."""

    code_id: str
    positives: int
    platt: tuple[float, float] = (1.0, 0.0)
    threshold: float = DEFAULT_THRESHOLD
    #: out-of-fold figures at the chosen threshold
    cv: dict[str, float] = field(default_factory=dict)


def fold_ids(groups: Sequence[str], n_folds: int, seed: int = 0) -> np.ndarray:
    """A fold number per row: whole groups (documents) per fold, balanced by rows; rows
    are spread at random when there are fewer groups than folds."""
    n = len(groups)
    distinct = sorted(set(groups))
    if len(distinct) >= n_folds:
        sizes: dict[str, int] = {}
        for g in groups:
            sizes[g] = sizes.get(g, 0) + 1
        load = [0] * n_folds
        assign: dict[str, int] = {}
        for g in sorted(distinct, key=lambda g: (-sizes[g], g)):
            k = min(range(n_folds), key=lambda i: (load[i], i))
            assign[g] = k
            load[k] += sizes[g]
        return np.array([assign[g] for g in groups], dtype=np.int64)
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(n) % n_folds)


class SegmentClassifier:
    """Multi-label linear classifier over feature rows (see module doc)."""

    def __init__(self, codes: Sequence[str], *, folds: int = DEFAULT_FOLDS, seed: int = 0):
        self.codes = tuple(codes)
        self.n_folds = folds
        self.seed = seed
        self.models: dict[str, CodeModel] = {}
        self.coef: np.ndarray = np.zeros((0, len(self.codes)), dtype=np.float32)
        self.intercept = np.zeros(len(self.codes), dtype=np.float32)
        #: codes with a trained model (the rest are left to the cold-start scorer)
        self.trained: tuple[str, ...] = ()

    def fit(
        self,
        X: sp.csr_matrix,
        Y: np.ndarray,
        groups: Sequence[str],
        *,
        tune: np.ndarray | None = None,
    ) -> SegmentClassifier:
        """Fit on rows X with labels Y (n x codes; 1, 0, or -1 for unknown). Only rows
        with `tune` set (default: all) calibrate the scores and choose the thresholds."""
        from sklearn.svm import LinearSVC

        n, d = X.shape
        X = sp.csr_matrix(X, dtype=np.float64)  # liblinear's type: convert once, not per fit
        tune = np.ones(n, dtype=bool) if tune is None else np.asarray(tune, dtype=bool)
        k = max(2, min(self.n_folds, n)) if n >= 2 else 1
        folds = fold_ids(groups, k, self.seed)
        # each fold's training rows, sliced once and shared by the codes labelled on all
        # of them (most codes: only examples of other code families are unlabelled)
        fold_rows = [np.flatnonzero(folds != f) for f in range(k)]
        fold_X = [X[rows] for rows in fold_rows]
        svm_c = SVM_C * min(1.0, SVM_C_ROWS / max(1, n * (k - 1) / k))
        coef = np.zeros((d, len(self.codes)), dtype=np.float64)
        intercept = np.zeros(len(self.codes))
        trained = []
        for j, code in enumerate(self.codes):
            y = Y[:, j]
            labelled = y >= 0
            n_pos = int((y == 1).sum())
            self.models[code] = model = CodeModel(code, n_pos)
            pos_folds = set(folds[y == 1].tolist())
            if n_pos < MIN_POSITIVES or len(pos_folds) < 2 or (y == 0).sum() < MIN_POSITIVES:
                continue
            oof = np.full(n, np.nan)
            fitted = 0
            for f in range(k):
                rows = fold_rows[f]
                inside = labelled[rows]
                Xf = fold_X[f] if inside.all() else fold_X[f][inside]
                yt = y[rows[inside]]
                if yt.sum() < 1 or (yt == 0).sum() < 1:
                    continue
                svm = LinearSVC(
                    C=svm_c, class_weight="balanced", tol=SVM_TOL, max_iter=300, random_state=0
                )
                svm.fit(Xf, yt)
                w = svm.coef_.ravel()
                coef[:, j] += w
                intercept[j] += svm.intercept_[0]
                fitted += 1
                held = labelled & (folds == f)
                if held.any():
                    oof[held] = X[held] @ w + svm.intercept_[0]
            if not fitted:
                continue
            coef[:, j] /= fitted
            intercept[j] /= fitted
            scored = labelled & tune & ~np.isnan(oof)
            model.platt = _platt(oof[scored], y[scored])
            probs = _sigmoid(model.platt[0] * oof[scored] + model.platt[1])
            model.threshold, model.cv = _best_threshold(probs, y[scored])
            trained.append(code)
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.trained = tuple(trained)
        return self

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores (rows x codes)."""
        if not self.trained:
            return np.zeros((X.shape[0], len(self.codes)))
        return np.asarray(X @ self.coef) + self.intercept

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated probabilities (rows x codes); NaN for codes without a model."""
        return self.calibrate(self.decision(X))

    def calibrate(self, decision: np.ndarray) -> np.ndarray:
        out = np.full(decision.shape, np.nan)
        for j, code in enumerate(self.codes):
            if code in self.trained:
                a, b = self.models[code].platt
                out[:, j] = _sigmoid(a * decision[:, j] + b)
        return out


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: the logistic curve sigmoid(a * score + b), fitted by Newton's method
    with a backtracking line search (Lin, Lin and Weng's robust variant) on Platt's
    smoothed targets, so a well separated code does not get an infinitely steep curve."""
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        return 1.0, 0.0
    target = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    x = np.column_stack([scores, np.ones(len(scores))])

    def loss(theta: np.ndarray) -> float:
        z = x @ theta
        return float(np.sum(np.logaddexp(0, z) - target * z))

    theta = np.array([0.0, np.log((n_pos + 1) / (n_neg + 1))])
    current = loss(theta)
    for _ in range(100):
        p = _sigmoid(x @ theta)
        gradient = x.T @ (p - target)
        if np.abs(gradient).max() < 1e-6:
            break
        w = p * (1 - p)
        hessian = (x * w[:, None]).T @ x + 1e-12 * np.eye(2)
        direction = -np.linalg.solve(hessian, gradient)
        step = 1.0
        while step > 1e-10:
            candidate = theta + step * direction
            value = loss(candidate)
            if value <= current + 1e-4 * step * float(gradient @ direction):
                break
            step /= 2
        else:
            break
        theta, current = candidate, value
    return float(theta[0]), float(theta[1])


def _best_threshold(probs: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, float]]:
    """The probability cut with the best F1 (averaged over neighbouring cuts, which keeps
    the choice from resting on one or two rows), with the out-of-fold figures there."""
    pos = y == 1
    n_pos = int(pos.sum())
    if n_pos < MIN_POSITIVES:
        return DEFAULT_THRESHOLD, {}
    predicted = probs[None, :] >= THRESHOLD_GRID[:, None]
    tp = (predicted & pos[None, :]).sum(1)
    fp = (predicted & ~pos[None, :]).sum(1)
    f1 = 2 * tp / np.maximum(2 * tp + fp + (n_pos - tp), 1)
    smooth = np.convolve(np.pad(f1, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    best = int(np.argmax(smooth))
    p = tp[best] / max(tp[best] + fp[best], 1)
    r = tp[best] / n_pos
    return float(THRESHOLD_GRID[best]), {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f1[best]), 4),
        "support": n_pos,
    }
