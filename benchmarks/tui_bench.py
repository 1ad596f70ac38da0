"""TUI benchmark: the coding workspace driven headless with Pilot on a large project.

Builds (or reuses, with --project) a project of N interviews (default 1,000 of ~9,000 words,
one of them 15,000 words) with the default codebook, then measures in one run:
- time to open the project in the workspace (goal < 1 s),
- time to open the 15,000-word transcript (goal < 300 ms),
- per-keypress latency for moving a segment and for applying a code (median and p95;
  goal p95 < 50 ms), each keypress awaited until the screen has processed it,
- peak memory of the process (max RSS).

Run: python benchmarks/tui_bench.py [--n 1000] [--words 9000] [--project P.frisat]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import demo_turns, make_interview  # noqa: E402

from frisat_qual.codebook.manage import default_codebook, load_into_project  # noqa: E402
from frisat_qual.corpus.importer import import_transcripts  # noqa: E402
from frisat_qual.store import create_project  # noqa: E402


def build_project(folder: Path, n: int, words: int) -> Path:
    rng = random.Random(3)
    questions, answers = demo_turns()
    corpus = folder / "corpus"
    corpus.mkdir()
    for i in range(n - 1):
        text = make_interview(rng, questions, answers, words)
        (corpus / f"int_{i:05d}.txt").write_text(text, encoding="utf-8")
    long_text = make_interview(rng, questions, answers, 15_000)
    (corpus / "long_interview.txt").write_text(long_text, encoding="utf-8")
    path = folder / "tui_bench.frisat"
    project = create_project(path)
    load_into_project(project, default_codebook(), coder="bench")
    report = import_transcripts(project, [corpus])
    project.close()
    if report.failed:
        raise SystemExit(f"import failed: {report.failed[:3]}")
    return path


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def drive(path: Path, keys: int) -> dict[str, object]:
    from frisat_qual.store import open_project
    from frisat_qual.store.documents import get_document
    from frisat_qual.tui.app import make_app
    from frisat_qual.tui.widgets.transcript import TranscriptView

    with open_project(path) as project:
        long_id = get_document(project, "long_interview").id
        words = get_document(project, "long_interview").words
    start = time.perf_counter()
    app = make_app(path, coder="bench")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - start
        # the suggester trains in a background thread at start: measure the steady state
        for _ in range(600):
            if getattr(app.screen, "suggester", None) is not None:
                break
            await pilot.pause(0.1)
        trained = time.perf_counter() - start
        opens = []
        for _ in range(5):
            t = time.perf_counter()
            app.screen.open_document(long_id)
            await pilot.pause()
            opens.append(time.perf_counter() - t)
        view = app.screen.query_one(TranscriptView)
        view.focus()
        await pilot.pause()
        moves, moves_pilot = [], []
        for _ in range(keys):
            before = view.segment_index
            moves.append(await key_to_frame(app, "down", lambda b=before: view.segment_index != b))
        for _ in range(keys // 4):
            t = time.perf_counter()
            await pilot.press("down")
            moves_pilot.append(time.perf_counter() - t)
        applies = []
        for _ in range(keys // 2):
            await pilot.press("n")  # the next uncoded segment, so "1" really adds a coding
            shown = len(view.codings)
            # done when the new coding is drawn in the transcript (in memory, no queries)
            applies.append(await key_to_frame(app, "1", lambda n=shown: len(view.codings) > n))
    return {
        "open_project": opened,
        "trained": trained,
        "open_transcript": opens,
        "words": words,
        "move": moves,
        "apply": applies,
        "move (Pilot round trip)": moves_pilot,
    }


async def key_to_frame(app, key: str, done) -> float:
    """Seconds from a key event to its effect drawn: the event is posted, the loop runs
    until `done()` holds and the app is quiet, then the screen's pending updates are
    rendered at once (instead of at the next 60 Hz refresh tick)."""
    from textual import events

    start = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    for _ in range(10_000):
        await asyncio.sleep(0)
        if done():
            break
    else:
        raise RuntimeError(f"key {key!r} had no effect: the measurement would be meaningless")
    for _ in range(5):  # let the follow-up messages (status line, redraws) run
        await asyncio.sleep(0)
    app.screen._compositor_refresh()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--words", type=int, default=9000)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--project", type=Path, help="reuse a project built earlier")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        path = args.project
        if path is None or not path.exists():
            t = time.perf_counter()
            path = build_project(Path(tmpdir), args.n, args.words)
            print(f"built a project of {args.n} interviews in {time.perf_counter() - t:.0f} s")
        result = asyncio.run(drive(path, args.keys))
    ms = 1000
    print(f"open the project in the workspace: {result['open_project'] * ms:.0f} ms  (goal < 1000)")
    print(f"suggester trained in the background after: {result['trained'] * ms:.0f} ms")
    opens = result["open_transcript"]
    print(
        f"open a {result['words']:,}-word transcript:"
        f" median {statistics.median(opens) * ms:.0f} ms,"
        f" max {max(opens) * ms:.0f} ms  (goal < 300)"
    )
    for name in ("move", "apply", "move (Pilot round trip)"):
        values = result[name]
        print(
            f"keypress '{name}': median {statistics.median(values) * ms:.1f} ms,"
            f" p95 {pct(values, 95) * ms:.1f} ms over {len(values)}  (goal p95 < 50)"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {rss:.0f} MB")


if __name__ == "__main__":
    main()
