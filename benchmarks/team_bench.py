"""Team-work benchmark: agreement, disagreements, merge, .qdpx export/import, backup and
check on the reports benchmark's project (1,000 generated interviews of ~9,000 words,
100,000 codings by two coders, "ann" and "bob").

Each step once, in one run, with its time; the process's max RSS at the end. Merge joins
the project with only ann's codings (A) and a copy with only bob's (B), as two coders'
copies of one study would be. The .qdpx import re-segments every document with spaCy, so
its time is dominated by segmentation, like a transcript import.

Run: python benchmarks/team_bench.py [--project P.frisat]   (built like reports_bench.py if
missing; pass the reports benchmark's project to reuse it)
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_bench import add_cases_and_codings  # noqa: E402
from tui_bench import build_project  # noqa: E402

from frisat_qual.agreement import agreement, disagreements  # noqa: E402
from frisat_qual.exchange.backup import backup_project, check_project, rolling_backup  # noqa: E402
from frisat_qual.exchange.merge import merge_projects  # noqa: E402
from frisat_qual.exchange.qdpx_export import export_qdpx  # noqa: E402
from frisat_qual.exchange.qdpx_import import import_qdpx  # noqa: E402
from frisat_qual.store import open_project  # noqa: E402


def timed(name: str, step: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = step()
    print(f"{name:<58}{time.perf_counter() - started:>8.2f} s", flush=True)
    return result


def one_coder_copy(source: Path, target: Path, coder: str) -> Path:
    shutil.copy(source, target)
    with open_project(target) as project, project.transaction():
        project.conn.execute("DELETE FROM codings WHERE coder <> ?", [coder])
        project.conn.execute("DELETE FROM journal")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, help="a coded reports-benchmark project")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--words", type=int, default=9000)
    parser.add_argument("--codings", type=int, default=100_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="team_bench_"))
    path = args.project
    if path is None or not path.exists():
        started = time.perf_counter()
        base = build_project(work, args.n, args.words)
        add_cases_and_codings(base, args.codings)
        path = shutil.move(base, path) if path else base
        print(f"built {path} in {time.perf_counter() - started:.0f} s")
    project_path = work / "p.frisat"
    shutil.copy(path, project_path)
    with open_project(project_path) as project:
        docs, codings = project.conn.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM codings)"
        ).fetchone()
        segments = project.conn.execute("SELECT count(*) FROM segments").fetchone()[0]
        print(f"project: {docs:,} documents, {segments:,} segments, {codings:,} codings")
        print(f"{'step':<58}{'time':>10}")
        report = timed(
            "agreement --coders ann bob (segments)", lambda: agreement(project, ["ann", "bob"])
        )
        print(f"  {report.to_json()['segments']:,} segments compared")
        found = timed(
            "disagreements --coders ann bob", lambda: disagreements(project, ["ann", "bob"])
        )
        print(f"  {len(found):,} disagreements")
        qdpx = work / "p.qdpx"
        timed("exchange export", lambda: export_qdpx(project, qdpx))
        print(f"  {qdpx.stat().st_size / 2**20:.1f} MB")
    timed("backup", lambda: backup_project(project_path, work / "backup.frisat"))
    timed("rolling backup (first)", lambda: rolling_backup(project_path))
    timed("rolling backup (no change: fingerprint only)", lambda: rolling_backup(project_path))
    checked = timed("check", lambda: check_project(project_path))
    print(f"  {len(checked.problems)} problem(s)")
    a = one_coder_copy(project_path, work / "a.frisat", "ann")
    b = one_coder_copy(project_path, work / "b.frisat", "bob")
    timed("merge A (ann) B (bob) -o OUT", lambda: merge_projects(a, b, work / "out.frisat"))
    timed(
        "exchange import (re-segments every document)", lambda: import_qdpx(qdpx, work / "q.frisat")
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:.0f} MB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
