"""Evaluation a researcher can trust: suggestions against a gold coding, beside the
keyword-only baseline, with the figures defined here rather than left to guesswork.

GOLD.csv: one row per passage. Required columns `text` and `codes` (code ids separated by
";", may be empty: a passage with no code is a real negative). Optional columns: `rolle`
and other case attributes (`kommune`, `omraade`, ...), `document` (rows of one document are
kept in one fold), `speaker_role` (interviewer or informant), `context` (the whole speaker
turn the passage comes from) and `question` (the interviewer's turn before it).

Modes:
- "zero-shot": the suggester learns only from the codebook (keywords, examples) and, when a
  project is given, from that project's codings; the gold labels are never used. Make sure
  the project does not hold the gold passages.
- "cv": K-fold cross-validation on the gold rows (folds by `document` when the column
  exists, else by row): each fold is suggested by a suggester trained on the other folds
  (plus the codebook's examples, plus the project's codings when given).

Figures (`per_code` for every codable code of the codebook):
- per code: precision, recall, F1 (0 when undefined, e.g. nothing predicted), support (gold
  rows with the code) and Cohen's kappa between gold and prediction over all rows (None
  when undefined: both codings constant); `micro_f1` over all code decisions, `macro_f1`
  the mean F1 of the codes with support;
- `staircase_level_accuracy`: over rows with a gold staircase code (a code with `trin` and
  `side` attributes) and a known `rolle`, the share whose best-scoring staircase code is on
  a gold step; `side_macro_f1`: over rows with a gold staircase code, the side (forside or
  bagside) of that best staircase code against the gold sides, F1 per side averaged;
  `spor_micro_f1`: micro F1 over the spor codes (codes with `survey_spor` or a `spor`
  attribute). The baseline's best staircase code is the one with most keyword hits; with no
  hit it names no step, which counts as wrong.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frisat_qual.csvfiles import read_csv
from frisat_qual.errors import FrisatError
from frisat_qual.models import INTERVIEWER, Codebook
from frisat_qual.store import Project

MODES = ("zero-shot", "cv")
GOLD_COLUMNS = ("document", "text", "codes", "rolle", "kommune", "omraade", "speaker_role")
CONTEXT_COLUMNS = ("context", "question")
_RESERVED = {"text", "codes", "document", "speaker_role", *CONTEXT_COLUMNS}


@dataclass(frozen=True)
class GoldRow:
    text: str
    codes: frozenset[str]
    document: str | None = None
    rolle: str | None = None
    speaker_role: str | None = None
    context: str | None = None
    question: str | None = None
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    line: int = 0


def read_gold(path: str | Path, codebook: Codebook) -> list[GoldRow]:
    """The rows of a gold CSV, checked against the codebook (see module doc)."""
    path = Path(path)
    reader = read_csv(path, {"text", "codes"})
    codable = {c.id for c in codebook.codes if c.codable}
    rows = []
    for line, raw in enumerate(reader, start=2):
        text = (raw.get("text") or "").strip()
        if not text:
            raise FrisatError(f"{path.name} line {line}: empty text")
        codes = frozenset(c.strip() for c in (raw.get("codes") or "").split(";") if c.strip())
        unknown = sorted(codes - codable)
        if unknown:
            raise FrisatError(
                f"{path.name} line {line}: code {unknown[0]!r} is not a codable code of"
                f" codebook {codebook.id}"
            )
        rows.append(_gold_row(raw, text, codes, line))
    if not rows:
        raise FrisatError(f"{path.name}: no gold rows")
    return rows


def _gold_row(raw: dict[str, Any], text: str, codes: frozenset[str], line: int) -> GoldRow:
    def value(key: str) -> str | None:
        v = (raw.get(key) or "").strip()
        return v or None

    attributes = {
        k: str(v).strip()
        for k, v in raw.items()
        if k and k not in _RESERVED and v is not None and str(v).strip()
    }
    return GoldRow(
        text=text,
        codes=codes,
        document=value("document"),
        rolle=value("rolle"),
        speaker_role=value("speaker_role"),
        context=value("context"),
        question=value("question"),
        attributes=attributes,
        line=line,
    )


def gold_from_project(project: Project, coder: str | Sequence[str]) -> list[dict[str, str]]:
    """A coder's coding as gold rows: one row per segment of every document the coder
    coded, with the codes the segment gets under the suggestion labelling rule (see
    `training`), the case attributes and the speaker's turn as context."""
    from frisat_qual.store.cases import all_case_attributes
    from frisat_qual.store.codings import query_codings, require_coders
    from frisat_qual.store.documents import get_document, segments_of, turns_of
    from frisat_qual.suggest.training import codes_of_segment

    require_coders(project, coder)
    codings_by_doc: dict[int, list] = {}
    for coding in query_codings(project, coder=coder):
        codings_by_doc.setdefault(coding.document_id, []).append(coding)
    attributes = all_case_attributes(project)
    rows: list[dict[str, str]] = []
    documents = sorted((get_document(project, d) for d in codings_by_doc), key=lambda d: d.name)
    for doc in documents:
        case = attributes.get(doc.case_id, {}) if doc.case_id else {}
        turns = turns_of(project, doc.id)
        segments = segments_of(project, doc.id)
        turn_text: dict[int, str] = {}
        for s in segments:
            if s.turn_id is not None:
                turn_text[s.turn_id] = f"{turn_text.get(s.turn_id, '')} {s.text}".strip()
        role = {t.id: t.role for t in turns}
        previous = {b.id: a.id for a, b in zip(turns, turns[1:], strict=False)}
        codings = codings_by_doc[doc.id]
        for s in segments:
            before = previous.get(s.turn_id) if s.turn_id is not None else None
            question = turn_text.get(before, "") if role.get(before) == INTERVIEWER else ""
            rows.append(
                {
                    "document": doc.name,
                    "text": s.text,
                    "codes": ";".join(sorted(codes_of_segment(s.start, s.end, codings))),
                    "rolle": case.get("rolle", ""),
                    "kommune": case.get("kommune", ""),
                    "omraade": case.get("omraade", ""),
                    "speaker_role": role.get(s.turn_id) or "",
                    "context": turn_text.get(s.turn_id, "") if s.turn_id is not None else "",
                    "question": question,
                }
            )
    return rows


def write_gold_csv(rows: Sequence[dict[str, str]], path: str | Path) -> Path:
    path = Path(path)
    columns = list(GOLD_COLUMNS + CONTEXT_COLUMNS)
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def gold_rows_from_dicts(rows: Sequence[dict[str, str]], codebook: Codebook) -> list[GoldRow]:
    """Gold rows from in-memory dicts (as `gold_from_project` makes them)."""
    codable = {c.id for c in codebook.codes if c.codable}
    out = []
    for n, raw in enumerate(rows, start=2):
        codes = frozenset(c for c in (raw.get("codes") or "").split(";") if c)
        unknown = sorted(codes - codable)
        if unknown:
            raise FrisatError(f"gold row {n}: code {unknown[0]!r} is not in the codebook")
        out.append(_gold_row(raw, raw["text"], codes, n))
    return out


# -- evaluation ------------------------------------------------------------------------


def evaluate(
    gold_csv: str | Path,
    codebook: Codebook,
    project: Project | None = None,
    mode: str = "zero-shot",
    folds: int = 5,
    predictions_out: str | Path | None = None,
    *,
    settings: Any = None,
) -> dict[str, Any]:
    """Evaluate suggestions against GOLD.csv (see the module doc); a JSON-ready dict."""
    if mode not in MODES:
        raise FrisatError(f"unknown mode {mode!r} (use {' or '.join(MODES)})")
    return evaluate_rows(
        read_gold(gold_csv, codebook),
        codebook,
        project=project,
        mode=mode,
        folds=folds,
        predictions_out=predictions_out,
        settings=settings,
    )


def evaluate_rows(
    rows: Sequence[GoldRow],
    codebook: Codebook,
    *,
    project: Project | None = None,
    mode: str = "zero-shot",
    folds: int = 5,
    predictions_out: str | Path | None = None,
    settings: Any = None,
) -> dict[str, Any]:
    """`evaluate` for gold rows already read."""
    import numpy as np

    from frisat_qual.suggest.classifier import fold_ids
    from frisat_qual.suggest.ensemble import Suggester
    from frisat_qual.suggest.training import TrainingSet, project_training_set

    if mode not in MODES:
        raise FrisatError(f"unknown mode {mode!r} (use {' or '.join(MODES)})")
    if not rows:
        raise FrisatError("no gold rows to evaluate")
    started = time.perf_counter()
    codes = tuple(c.id for c in codebook.codes if c.codable)
    inputs = _inputs(rows, codebook)
    extra = TrainingSet.empty()
    if project is not None:
        extra = project_training_set(project)
    probs = np.zeros((len(rows), len(codes)))
    predicted: list[set[str]] = [set() for _ in rows]
    hits: list[dict] = [{} for _ in rows]
    grouped = all(r.document for r in rows)
    k = None
    if mode == "zero-shot":
        suggester = Suggester.fit(codebook, extra, settings=settings)
        _score_into(suggester, inputs, range(len(rows)), probs, predicted, hits)
    else:
        k = int(folds)
        if k < 2 or k > len(rows):
            raise FrisatError(
                f"--folds must be between 2 and the number of gold rows ({len(rows)})"
            )
        groups = [r.document if grouped else f"row {i}" for i, r in enumerate(rows)]
        if grouped and len(set(groups)) < k:
            raise FrisatError(
                f"{k} folds need at least {k} documents in the gold file"
                f" (it has {len(set(groups))})"
            )
        if grouped:
            assignment = fold_ids(groups, k, seed=0)
        else:
            assignment = np.random.default_rng(0).permutation(np.arange(len(rows)) % k)
        for f in range(k):
            train = [i for i in range(len(rows)) if assignment[i] != f]
            held = [i for i in range(len(rows)) if assignment[i] == f]
            fold_rows = TrainingSet(
                [inputs[i] for i in train],
                [rows[i].codes for i in train],
                [None for _ in train],
                [groups[i] for i in train],
            )
            suggester = Suggester.fit(codebook, fold_rows.extend(extra), settings=settings)
            _score_into(suggester, [inputs[i] for i in held], held, probs, predicted, hits)
    gold = [set(r.codes) for r in rows]
    result: dict[str, Any] = {
        "mode": mode,
        "n": len(rows),
        "folds": k,
        "grouped_by": "document" if grouped and mode == "cv" else None,
        **_figures(codebook, rows, gold, predicted, probs),
    }
    keyword_pred = [{c for c in h if c in codes} for h in hits]
    keyword_scores = np.array([[len(h.get(c, ())) for c in codes] for h in hits], dtype=float)
    result["baseline"] = _figures(codebook, rows, gold, keyword_pred, keyword_scores)
    result["seconds"] = round(time.perf_counter() - started, 2)
    if predictions_out is not None:
        _write_predictions(predictions_out, rows, gold, predicted, probs, codes)
    return result


def _inputs(rows: Sequence[GoldRow], codebook: Codebook) -> list:
    from frisat_qual.suggest.features import SegmentInput, lemmatise_many
    from frisat_qual.suggest.rules import compile_rules

    rules = compile_rules(codebook)
    texts = [r.text for r in rows]
    contexts = [r.context or "" for r in rows]
    questions = [r.question or "" for r in rows]
    lemmas = lemmatise_many(texts + contexts + questions, rules)
    n = len(rows)
    return [
        SegmentInput(
            text=r.text,
            lemmas=lemmas[i],
            rolle=r.rolle,
            speaker_role=r.speaker_role,
            context=lemmas[n + i] if r.context else None,
            question=lemmas[2 * n + i] if r.question else None,
            attributes=r.attributes,
            document=r.document,
        )
        for i, r in enumerate(rows)
    ]


def _score_into(suggester, inputs, index, probs, predicted, hits) -> None:
    table = suggester.score(inputs)
    for k, (i, codes) in enumerate(zip(index, table.predicted(), strict=True)):
        probs[i] = table.probs[k]
        predicted[i] = codes
        hits[i] = table.hits[k]


def _figures(
    codebook: Codebook,
    rows: Sequence[GoldRow],
    gold: Sequence[set[str]],
    predicted: Sequence[set[str]],
    scores,
) -> dict[str, Any]:
    codes = [c for c in codebook.codes if c.codable]
    n = len(rows)
    per_code: dict[str, dict[str, Any]] = {}
    total = {"tp": 0, "fp": 0, "fn": 0}
    f1s = []
    for spec in codes:
        c = spec.id
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if c in g and c in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if c not in g and c in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if c in g and c not in p)
        tn = n - tp - fp - fn
        figures = _prf(tp, fp, fn)
        figures["support"] = tp + fn
        figures["kappa"] = _kappa(tp, fp, fn, tn)
        per_code[c] = figures
        total["tp"] += tp
        total["fp"] += fp
        total["fn"] += fn
        if tp + fn:
            f1s.append(_f1(tp, fp, fn))
    spor = [c.id for c in codes if c.survey_spor or "spor" in c.attributes]
    spor_totals = [
        sum(1 for g, p in zip(gold, predicted, strict=True) for c in spor if test(c in g, c in p))
        for test in (lambda g, p: g and p, lambda g, p: p and not g, lambda g, p: g and not p)
    ]
    level, level_n, side, side_n = _staircase(codebook, rows, gold, scores)
    return {
        "micro_f1": _prf(total["tp"], total["fp"], total["fn"])["f1"],
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
        "per_code": per_code,
        "staircase_level_accuracy": level,
        "staircase_level_n": level_n,
        "side_macro_f1": side,
        "side_n": side_n,
        "spor_micro_f1": _prf(*spor_totals)["f1"] if spor else None,
    }


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(_f1(tp, fp, fn), 4)}


def _kappa(tp: int, fp: int, fn: int, tn: int) -> float | None:
    n = tp + fp + fn + tn
    if not n:
        return None
    observed = (tp + tn) / n
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
    if expected >= 1:
        return None
    return round((observed - expected) / (1 - expected), 4)


def _staircase(codebook: Codebook, rows, gold, scores) -> tuple:
    codes = [c for c in codebook.codes if c.codable]
    stairs = [
        (j, str(c.attributes["trin"]), str(c.attributes["side"]), c.id)
        for j, c in enumerate(codes)
        if "trin" in c.attributes and "side" in c.attributes
    ]
    if not stairs:
        return None, 0, None, 0
    by_id = {cid: (trin, side) for _, trin, side, cid in stairs}
    level_ok = level_n = 0
    sides = sorted({side for _, _, side, _ in stairs})
    counts = {s: {"tp": 0, "fp": 0, "fn": 0} for s in sides}
    side_n = 0
    for i, row in enumerate(rows):
        gold_stairs = [by_id[c] for c in gold[i] if c in by_id]
        if not gold_stairs:
            continue
        values = [scores[i][j] for j, _, _, _ in stairs]
        best = max(range(len(stairs)), key=lambda k: (values[k], -k))
        top = stairs[best] if values[best] > 0 else None
        if row.rolle:
            level_n += 1
            level_ok += top is not None and top[1] in {t for t, _ in gold_stairs}
        side_n += 1
        gold_sides = {s for _, s in gold_stairs}
        pred_sides = {top[2]} if top is not None else set()
        for s in sides:
            counts[s]["tp"] += s in gold_sides and s in pred_sides
            counts[s]["fp"] += s in pred_sides and s not in gold_sides
            counts[s]["fn"] += s in gold_sides and s not in pred_sides
    level = round(level_ok / level_n, 4) if level_n else None
    present = [s for s in sides if counts[s]["tp"] + counts[s]["fn"]]
    side = round(sum(_f1(**counts[s]) for s in present) / len(present), 4) if present else None
    return level, level_n, side, side_n


def _write_predictions(path, rows, gold, predicted, probs, codes) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["text", "gold", "predicted", "scores"])
        for i, row in enumerate(rows):
            scores = {c: round(float(probs[i][j]), 4) for j, c in enumerate(codes)}
            writer.writerow(
                [
                    row.text,
                    ";".join(sorted(gold[i])),
                    ";".join(sorted(predicted[i])),
                    json.dumps(scores, ensure_ascii=False),
                ]
            )
