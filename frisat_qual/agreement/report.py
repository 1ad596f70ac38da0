"""The agreement report: per code and overall, for all segments, coded segments only and
characters, with the documents compared and skipped (see the package docstring for what
each figure is)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from frisat_qual.agreement.stats import BinaryCounts
from frisat_qual.agreement.units import (
    CHARACTER_RULE,
    RULE,
    Comparison,
    character_counts,
    load_comparison,
    segment_decisions,
)
from frisat_qual.models import Document
from frisat_qual.store.documents import document_text
from frisat_qual.store.project import Project

#: The variants of a report, in the order they are shown.
VARIANTS = ("segments", "coded_only", "characters")
VARIANT_TITLES = {
    "segments": "all segments",
    "coded_only": "coded segments only",
    "characters": "characters",
}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PairFigures:
    """Two coders' figures within a report of more coders."""

    coders: tuple[str, str]
    percent: float | None
    kappa: float | None


@dataclass
class CodeFigures:
    """One code's agreement. `counts.only[i]` is the units only coder i applied it to,
    `counts.all_yes` all coders (both, with two), `counts.all_no` none of them."""

    code: str
    label: str
    counts: BinaryCounts
    percent: float | None
    kappa: float | None
    alpha: float | None
    pairs: list[PairFigures] = field(default_factory=list)


@dataclass
class Overall:
    """The pooled figures: every (unit, code) decision one item. `mean_kappa` is the plain
    mean of the codes' kappas where defined (`mean_kappa_codes` of them); None with more
    than two coders, where `pairs` holds each pair's pooled kappa and mean kappa."""

    counts: BinaryCounts
    percent: float | None
    kappa: float | None
    alpha: float | None
    mean_kappa: float | None
    mean_kappa_codes: int
    pairs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Variant:
    """The figures for one choice of units: `units` how many were compared, `dropped` how
    many segments coded-only left out."""

    name: str
    units: int
    per_code: list[CodeFigures]
    overall: Overall
    dropped: int = 0


@dataclass
class AgreementReport:
    coders: tuple[str, ...]
    documents: list[Document]
    skipped: list[tuple[Document, tuple[str, ...]]]
    not_coded: int
    codes: list[str]
    segments: Variant
    coded_only: Variant
    characters: Variant
    code_filter: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)

    def variant(self, name: str) -> Variant:
        """The figures for "segments", "coded_only" or "characters"."""
        return {
            "segments": self.segments,
            "coded_only": self.coded_only,
            "characters": self.characters,
        }[name]

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data: null for undefined statistics, percentages
        rounded to 2 decimals, kappa and alpha to 4."""
        return {
            "coders": list(self.coders),
            "unit": "segment",
            "rule": RULE,
            "filters": {"codes": list(self.code_filter), "attributes": dict(self.attributes)},
            "documents": {
                "compared": len(self.documents),
                "names": [d.name for d in self.documents],
                "skipped": [{"document": d.name, "coded_by": list(who)} for d, who in self.skipped],
                "coded_by_none": self.not_coded,
            },
            "segments": self.segments.units,
            "per_code": _per_code_json(self.segments, self.coders),
            "overall": _overall_json(self.segments.overall),
            "coded_only": {
                "segments": self.coded_only.units,
                "dropped": self.coded_only.dropped,
                "per_code": _per_code_json(self.coded_only, self.coders),
                "overall": _overall_json(self.coded_only.overall),
            },
            "characters": {
                "rule": CHARACTER_RULE,
                "characters": self.characters.units,
                "per_code": _per_code_json(self.characters, self.coders),
                "overall": _overall_json(self.characters.overall),
            },
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _per_code_json(variant: Variant, coders: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in variant.per_code:
        entry: dict[str, Any] = {
            "label": f.label,
            "percent": _round(f.percent, 2),
            "kappa": _round(f.kappa, 4),
            "alpha": _round(f.alpha, 4),
            "units": f.counts.units,
            "only": {c: int(n) for c, n in zip(coders, f.counts.only, strict=True)},
            "all": f.counts.all_yes,
            "neither": f.counts.all_no,
        }
        if len(coders) > 2:
            entry["some"] = f.counts.some
            entry["pairs"] = [
                {
                    "coders": list(p.coders),
                    "percent": _round(p.percent, 2),
                    "kappa": _round(p.kappa, 4),
                }
                for p in f.pairs
            ]
        out[f.code] = entry
    return out


def _overall_json(overall: Overall) -> dict[str, Any]:
    out: dict[str, Any] = {
        "percent": _round(overall.percent, 2),
        "kappa": _round(overall.kappa, 4),
        "alpha": _round(overall.alpha, 4),
        "mean_kappa": _round(overall.mean_kappa, 4),
        "mean_kappa_codes": overall.mean_kappa_codes,
        "items": overall.counts.units,
    }
    if overall.pairs:
        out["pairs"] = [
            {
                "coders": list(p["coders"]),
                "percent": _round(p["percent"], 2),
                "kappa": _round(p["kappa"], 4),
                "mean_kappa": _round(p["mean_kappa"], 4),
            }
            for p in overall.pairs
        ]
    return out


def _mean(values: Sequence[float | None]) -> tuple[float | None, int]:
    defined = [v for v in values if v is not None]
    return (float(np.mean(defined)) if defined else None), len(defined)


def figures(
    name: str,
    units: int,
    counts: Sequence[BinaryCounts],
    comparison: Comparison,
    *,
    dropped: int = 0,
) -> Variant:
    """Per-code and pooled figures from each compared code's counts."""
    coders = comparison.coders
    pairs = list(combinations(coders, 2))
    per_code = []
    for code, c in zip(comparison.codes, counts, strict=True):
        per_code.append(
            CodeFigures(
                code,
                comparison.labels.get(code, code),
                c,
                c.percent(),
                c.kappa(),
                c.alpha(),
                [
                    PairFigures(p, share, kappa)
                    for p, share, kappa in zip(pairs, c.pair_percent(), c.pair_kappa(), strict=True)
                ],
            )
        )
    pooled = BinaryCounts.empty(len(coders))
    for c in counts:
        pooled = pooled + c
    mean_kappa, defined = _mean([f.kappa for f in per_code])
    pair_rows = []
    if len(coders) > 2:
        mean_kappa, defined = None, 0
        for p, pair in enumerate(pairs):
            mean, n = _mean([f.pairs[p].kappa for f in per_code])
            pair_rows.append(
                {
                    "coders": pair,
                    "percent": pooled.pair_percent()[p],
                    "kappa": pooled.pair_kappa()[p],
                    "mean_kappa": mean,
                    "mean_kappa_codes": n,
                }
            )
    overall = Overall(
        pooled, pooled.percent(), pooled.kappa(), pooled.alpha(), mean_kappa, defined, pair_rows
    )
    return Variant(name, units, per_code, overall, dropped)


def agreement(
    project: Project,
    coders: Sequence[str] | None = None,
    *,
    codes: Sequence[str] | None = None,
    attributes: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> AgreementReport:
    """Inter-coder agreement of `coders` (default: the project's two coders) on the
    current documents they all coded, per code and overall, for all segments, coded
    segments only and characters."""
    comparison = load_comparison(project, coders, codes=codes, attributes=attributes)
    k = len(comparison.coders)
    decisions = segment_decisions(project, comparison)
    every = BinaryCounts.from_stack(decisions.decided)
    coded = BinaryCounts.from_stack(decisions.decided[:, :, decisions.coded])
    n_segments = decisions.decided.shape[2]
    n_coded = int(decisions.coded.sum())

    coder_index = {c: i for i, c in enumerate(comparison.coders)}
    code_index = {c: i for i, c in enumerate(comparison.codes)}
    characters = [BinaryCounts.empty(k) for _ in comparison.codes]
    n_characters = 0
    total = len(comparison.documents)
    for done, doc in enumerate(comparison.documents, start=1):
        text = document_text(project, doc.id)
        solid, counts = character_counts(text, comparison.codings[doc.id], coder_index, code_index)
        n_characters += solid
        for i, c in enumerate(counts):
            characters[i] = characters[i] + c
        if progress is not None:
            progress(done, total, doc.name)
    return AgreementReport(
        comparison.coders,
        comparison.documents,
        comparison.skipped,
        comparison.not_coded,
        comparison.codes,
        figures("segments", n_segments, every, comparison),
        figures("coded_only", n_coded, coded, comparison, dropped=n_segments - n_coded),
        figures("characters", n_characters, characters, comparison),
        comparison.code_filter,
        comparison.attributes,
    )
