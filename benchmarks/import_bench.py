"""Import benchmark: import throughput against bare spaCy, and transcript opening time.

Generates N synthetic interviews (default 1,000 of about 9,000 words: 9 million words) by
recombining turns of the bundled demo corpus, then measures in one run:

- words/s of bare `nlp.pipe` over the same texts (the frisat-qual pipeline: blank Danish,
  lookup lemmas, sentencizer);
- words/s of `import_transcripts` (read, audit, turns, segmentation, SQLite with FTS5);
- their ratio (goal: the import reaches at least 50 % of bare spaCy);
- the time to open a 15,000-word transcript in the TUI, headless (goal: under 300 ms).

Run: python benchmarks/import_bench.py [--n 1000] [--words 9000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from frisat_qual.corpus.formats import read_source
from frisat_qual.corpus.importer import collect_files, import_transcripts
from frisat_qual.nlp import get_nlp
from frisat_qual.resources import demo_corpus_dir
from frisat_qual.store import create_project

_WORDS = re.compile(r"\w+")


def demo_turns() -> tuple[list[str], list[str]]:
    """Questions and answers from the demo corpus, as the material to recombine."""
    questions, answers = [], []
    files, _ = collect_files([demo_corpus_dir()])
    for path in files:
        doc = read_source(path)
        for turn in doc.turns:
            said = doc.text[turn.start : turn.end].strip()
            (questions if said.endswith("?") else answers).append(said)
    return questions, answers


def make_interview(rng: random.Random, questions: list[str], answers: list[str], words: int) -> str:
    parts, count = ["Syntetisk benchmark-interview."], 0
    while count < words:
        q = rng.choice(questions)
        a = " ".join(rng.choice(answers) for _ in range(rng.randint(1, 4)))
        parts.append(f"I: {q}")
        parts.append(f"R: {a}")
        count += len(_WORDS.findall(q)) + len(_WORDS.findall(a))
    return "\n\n".join(parts) + "\n"


def write_corpus(folder: Path, n: int, words: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    questions, answers = demo_turns()
    texts = []
    for i in range(n):
        text = make_interview(rng, questions, answers, words)
        (folder / f"bench_{i:05d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def bench_bare_spacy(texts: list[str]) -> float:
    nlp = get_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return time.perf_counter() - start


def bench_import(folder: Path, project_path: Path) -> float:
    project = create_project(project_path)
    start = time.perf_counter()
    report = import_transcripts(project, [folder])
    elapsed = time.perf_counter() - start
    project.close()
    if report.failed:
        raise SystemExit(f"benchmark import failed: {report.failed[:3]}")
    return elapsed


async def _open_times(project_path: Path, doc_id: int, repeats: int) -> list[float]:
    from frisat_qual.tui.app import make_app

    app = make_app(project_path)
    times = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(repeats):
            start = time.perf_counter()
            app.screen.open_document(doc_id)
            await pilot.pause()
            times.append(time.perf_counter() - start)
    return times


def bench_open_transcript(tmp: Path, repeats: int = 7) -> tuple[int, list[float]]:
    rng = random.Random(11)
    questions, answers = demo_turns()
    text = make_interview(rng, questions, answers, 15_000)
    src = tmp / "long_interview.txt"
    src.write_text(text, encoding="utf-8")
    path = tmp / "open.frisat"
    project = create_project(path)
    import_transcripts(project, [src])
    doc_id, words = project.conn.execute("SELECT id, words FROM documents").fetchone()
    project.close()
    return words, asyncio.run(_open_times(path, doc_id, repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="interviews to generate")
    parser.add_argument("--words", type=int, default=9000, help="words per interview")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        corpus = tmp / "corpus"
        corpus.mkdir()
        texts = write_corpus(corpus, args.n, args.words)
        total_words = sum(len(_WORDS.findall(t)) for t in texts)
        get_nlp()("opvarmning")  # build the pipeline outside the timings
        bare = bench_bare_spacy(texts)
        imported = bench_import(corpus, tmp / "bench.frisat")
        size_mb = (tmp / "bench.frisat").stat().st_size / 1e6
        words, opens = bench_open_transcript(tmp)
    print(f"corpus: {args.n} interviews, {total_words:,} words")
    print(f"bare nlp.pipe : {total_words / bare:>12,.0f} words/s  ({bare:.1f} s)")
    print(
        f"import        : {total_words / imported:>12,.0f} words/s  ({imported:.1f} s,"
        f" project file {size_mb:,.0f} MB)"
    )
    print(f"ratio import / bare spaCy: {bare / imported:.2f}  (goal >= 0.50)")
    print(
        f"open a {words:,}-word transcript in the TUI:"
        f" median {statistics.median(opens) * 1000:.0f} ms,"
        f" max {max(opens) * 1000:.0f} ms over {len(opens)} opens  (goal < 300 ms)"
    )


if __name__ == "__main__":
    main()
