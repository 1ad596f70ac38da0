"""Suggestion benchmark: latency, suggest-all and retraining time, beside the keyword-only
baseline (the codebook's keyword rules alone, as "autocode by text search" does it).

Measured on the demo project (built in a temporary folder):
- latency of suggesting for one segment, warm (pipeline and model loaded; every segment's
  text unseen, so the rule cache does not help): median and p95 over the demo's segments,
  for the suggester and for the keyword rules alone (target: < 20 ms);
- suggest-all: scoring every segment of the demo project (with evidence), and the rules
  alone over the same segments;
- retraining at 500, 5,000 and 50,000 training segments, resampled with replacement from
  the demo's training rows (its reference-coded documents: segments with codes and read
  segments without, in the demo's proportion, which is printed), with the codebook examples
  added as always; document-level folds. The keyword baseline does not train: beside it
  stands the time to compile the codebook's rules. Target: < 2 s at 5,000.
  `Suggester.train(project)` on the demo (reading the project included) is shown as well.

Figures are printed, not asserted. Run: python benchmarks/suggest_bench.py [--sizes ...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from frisat_qual.codebook.manage import project_codebook
from frisat_qual.demo import ensure_demo_project
from frisat_qual.store import open_project
from frisat_qual.suggest.ensemble import Suggester
from frisat_qual.suggest.rules import KeywordRules, compile_rules
from frisat_qual.suggest.training import TrainingSet, document_inputs, project_training_set


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def resample(rows: TrainingSet, n: int, seed: int = 0) -> TrainingSet:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(rows), n).tolist()
    return TrainingSet(
        [rows.inputs[i] for i in pick],
        [rows.positives[i] for i in pick],
        [rows.scope[i] for i in pick],
        [rows.groups[i] for i in pick],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[500, 5000, 50000])
    parser.add_argument("--latency-segments", type=int, default=400)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = ensure_demo_project(Path(tmp) / "demo.frisat")
        project = open_project(path)
        codebook = project_codebook(project)
        rules = compile_rules(codebook)
        print("frisat-qual suggestion benchmark (demo project, 2-core machine)")

        started = time.perf_counter()
        Suggester.train(project, record=False)  # loads sklearn, fills the rule cache
        first = time.perf_counter() - started
        started = time.perf_counter()
        suggester = Suggester.train(project, record=False)
        again = time.perf_counter() - started
        print(
            f"\nSuggester.train(demo project): {again:.2f} s warm ({first:.2f} s first in"
            f" the process), {suggester.metrics['segments']} training segments,"
            f" {len(suggester.classifier.trained)} codes learnt"
        )

        pairs = document_inputs(project)
        items = [item for _, item in pairs]

        # -- latency per segment, warm ------------------------------------------------
        sample = items[: args.latency_segments]
        suggester.suggest(sample[:5])  # warm-up
        model_ms, rule_ms = [], []
        for item in sample:
            rules._cache.pop(item.text, None)
            t0 = time.perf_counter()
            suggester.suggest([item])
            model_ms.append((time.perf_counter() - t0) * 1000)
            rules._cache.pop(item.text, None)
            t0 = time.perf_counter()
            rules.match(item.text)
            rule_ms.append((time.perf_counter() - t0) * 1000)
        print(f"\nlatency per segment, warm ({len(sample)} segments, texts not cached):")
        print(
            f"  suggester        median {statistics.median(model_ms):6.2f} ms"
            f"   p95 {percentile(model_ms, 95):6.2f} ms   (target < 20 ms)"
        )
        print(
            f"  keyword baseline median {statistics.median(rule_ms):6.2f} ms"
            f"   p95 {percentile(rule_ms, 95):6.2f} ms"
        )

        # -- suggest-all -----------------------------------------------------------------
        rules._cache.clear()
        t0 = time.perf_counter()
        found = suggester.suggest(items)
        all_s = time.perf_counter() - t0
        rules._cache.clear()
        t0 = time.perf_counter()
        hits = rules.match_many([i.text for i in items])
        base_s = time.perf_counter() - t0
        n_sugg = sum(len(f) for f in found)
        n_hits = sum(len(h) for h in hits)
        print(f"\nsuggest-all over the demo project ({len(items)} segments):")
        print(f"  suggester        {all_s:6.2f} s  ({n_sugg} suggestions above threshold)")
        print(f"  keyword baseline {base_s:6.2f} s  ({n_hits} segment-code keyword hits)")

        # -- retraining ------------------------------------------------------------------
        pool = project_training_set(project)
        coded = sum(1 for p in pool.positives if p)
        print(
            f"\nretraining from resampled training segments (pool: {len(pool)} demo segments,"
            f" {coded} of them with codes = {coded / len(pool):.0%}):"
        )
        for n in args.sizes:
            rows = resample(pool, n)
            with_codes = sum(1 for p in rows.positives if p)
            t0 = time.perf_counter()
            fitted = Suggester.fit(codebook, rows)
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            KeywordRules(codebook)
            rule_s = time.perf_counter() - t0
            target = "   (target < 2 s)" if n == 5000 else ""
            print(
                f"  {n:6d} segments ({with_codes:6d} with codes): suggester {fit_s:6.2f} s,"
                f" {len(fitted.classifier.trained)} codes learnt;"
                f" keyword baseline (compile rules) {rule_s:5.2f} s{target}"
            )
        project.close()


if __name__ == "__main__":
    main()
