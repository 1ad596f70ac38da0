"""Reports benchmark: every report on a project of 1,000 interviews with 100,000 codings.

Builds (or reuses, with --project) the TUI benchmark's project of N generated interviews,
gives every interview a case (rolle, kommune, omraade) and adds codings until there are
--codings of them: staircase codes on spans of one to three segments, a spor code on half
of those spans and tema.kant on some, by two coders. Then, in one run, each report's time
(goal < 1 s; the full HTML report < 5 s) and its peak Python memory (tracemalloc, measured
in a second pass so it does not slow the timed one), and the process's max RSS.

Run: python benchmarks/reports_bench.py [--n 1000] [--codings 100000] [--project P.frisat]
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_bench import build_project  # noqa: E402

from frisat_qual.reports import tables  # noqa: E402
from frisat_qual.reports.writers import build_report  # noqa: E402
from frisat_qual.store import open_project  # noqa: E402
from frisat_qual.store.cases import upsert_case  # noqa: E402
from frisat_qual.store.codings import insert_codings  # noqa: E402
from frisat_qual.store.documents import list_documents, segments_of, set_case  # noqa: E402

LEVELS = tables.LEVELS
SPOR = ("spor.regler", "spor.maal", "spor.dokumentation", "spor.tillid", "spor.eksperiment")
AREAS = ("dagtilbud", "skole", "aeldre")


def add_cases_and_codings(path: Path, codings: int) -> None:
    """Give every document a case and code it, about codings / documents per document."""
    rng = random.Random(11)
    with open_project(path) as project:
        docs = list_documents(project)
        rows: list[tuple[int, int, int, str, str]] = []
        per_doc = max(1, codings // len(docs))
        with project.transaction():
            for i, doc in enumerate(docs):
                case = upsert_case(
                    project,
                    f"case {i:05d}",
                    {
                        "rolle": LEVELS[i % len(LEVELS)],
                        "kommune": f"kommune {i % 7 + 1}",
                        "omraade": AREAS[i % len(AREAS)],
                    },
                )
                set_case(project, doc.id, case)
        for doc in docs:
            segments = segments_of(project, doc.id)
            made: list[tuple[int, int, int, str, str]] = []
            while len(made) < per_doc:
                first = rng.randrange(len(segments))
                last = min(len(segments) - 1, first + rng.randrange(3))
                start, end = segments[first].start, segments[last].end
                coder = rng.choice(("ann", "bob"))
                level = rng.choice(LEVELS)
                side = "forside" if rng.random() < 0.6 else "bagside"
                made.append((doc.id, start, end, f"{level}.{side}", coder))
                if rng.random() < 0.5:
                    made.append((doc.id, start, end, rng.choice(SPOR), coder))
                if rng.random() < 0.15:
                    made.append((doc.id, start, end, "tema.kant", coder))
            rows.extend(made[:per_doc])
        insert_codings(project, rows)


def reports(path: Path) -> dict[str, Callable[[], object]]:
    """Each report as the CLI builds it, on one open project."""
    project = open_project(path)
    out: dict[str, Callable[[], object]] = {
        "frequencies": lambda: build_report(project, "frequencies"),
        "frequencies --by rolle": lambda: build_report(project, "frequencies", by="rolle"),
        "crosstab --by kommune": lambda: build_report(project, "crosstab", by="kommune"),
        "cooccurrence": lambda: build_report(project, "cooccurrence"),
        "staircase": lambda: build_report(project, "staircase"),
        "quotes --code tema.kant": lambda: build_report(project, "quotes", code="tema.kant"),
        "presence matrix": lambda: tables.presence_matrix(project),
        "frequencies --coder ann --attr omraade=skole": lambda: build_report(
            project, "frequencies", coders=["ann"], attributes={"omraade": "skole"}
        ),
    }
    try:
        from frisat_qual.reports.html import full_report_html
    except ImportError:  # before the HTML report existed
        pass
    else:
        out["all --format html"] = lambda: full_report_html(project)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--words", type=int, default=9000)
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument(
        "--project", type=Path, help="reuse a coded project built earlier (made if missing)"
    )
    parser.add_argument("--base", type=Path, help="an uncoded TUI-benchmark project to start from")
    args = parser.parse_args()

    path = args.project
    if path is None or not path.exists():
        folder = Path(tempfile.mkdtemp(prefix="reports_bench_"))
        started = time.perf_counter()
        if args.base:
            base = folder / "base.frisat"
            shutil.copy(args.base, base)
        else:
            base = build_project(folder, args.n, args.words)
        add_cases_and_codings(base, args.codings)
        if path is None:
            path = base
        else:
            shutil.move(base, path)
        print(f"built {path} in {time.perf_counter() - started:.0f} s")
    with open_project(path) as project:
        n_docs = len(list_documents(project))
        n_codings = project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    print(f"project: {n_docs:,} documents, {n_codings:,} codings")

    started = time.perf_counter()
    import sklearn.feature_extraction.text  # noqa: F401  (quote typicality; once a process)
    import sklearn.metrics.pairwise  # noqa: F401

    print(
        f"importing scikit-learn (once a process, not counted below): "
        f"{time.perf_counter() - started:.2f} s"
    )
    runs = reports(path)
    print(f"{'report':<46}{'time':>9}{'peak MB':>10}")
    for name, run in runs.items():
        started = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        goal = 5.0 if "html" in name else 1.0
        mark = "ok" if elapsed < goal else f"OVER {goal:.0f} s"
        size = f" ({len(result) / 2**20:.1f} MB)" if isinstance(result, str) else ""
        print(f"{name:<46}{elapsed:>8.2f}s{peak:>10.1f}  {mark}{size}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
