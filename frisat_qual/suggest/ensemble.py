"""The `Suggester`: keyword rules and the classifier combined into calibrated, explained
suggestions.

- Codes the project has coded often enough (see `classifier.MIN_POSITIVES`) are scored by
  the classifier, whose features include the keyword rules, so the learned weights decide
  how far each code's keywords are to be trusted; the score is the calibrated probability
  and the code's threshold was tuned by cross-validation on the project's own codings
  (folds by document).
- Other codes, and every code at cold start, get the cold-start score: a keyword hit counts
  `RULE_SCORE`, and the similarity of the passage (with its turn) to the code's profile and
  examples adds to it (`COLD_*`); interviewer turns are damped. Their threshold is
  `COLD_THRESHOLD`.
- Evidence for each suggestion: the keywords matched, the strongest features pushing the
  score up, and for staircase codes (codes with `trin` and `side` attributes) the step and
  whether it came from the speaker's rolle (the text alone would have put the passage on
  another step) or from the text.

Training uses `settings.folds` (3) document-level folds, 2 beyond `LARGE_TRAINING` rows.

The suggester holds no project handle and no database state: `Suggester.train(project)`
reads what it needs, and the result is plain in-memory data, safe to hand to another
thread. Nothing is pickled or written to disk except the run's settings and metrics.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from frisat_qual.errors import FrisatError
from frisat_qual.models import INTERVIEWER, Codebook, Segment, Suggestion
from frisat_qual.store import Project

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from frisat_qual.suggest.features import SegmentInput
    from frisat_qual.suggest.training import TrainingSet

RULE_SCORE = 0.5
COLD_SIMILARITY_MID = 0.30
COLD_SIMILARITY_SLOPE = 12.0
COLD_SIMILARITY_MAX = 0.6
COLD_THRESHOLD = 0.5
INTERVIEWER_DAMPING = 0.5
EVIDENCE_FEATURES = 4
EXAMPLE_GROUP = "(kodebog)"
LARGE_TRAINING = 20_000

__all__ = ["Suggester", "SuggestSettings", "Suggestion", "ScoreTable"]


@dataclass(frozen=True)
class SuggestSettings:
    """How the suggester trains; stored with every training run."""

    folds: int = 3
    #: learn only from these coders' codings (None: everyone's)
    coders: tuple[str, ...] | None = None
    #: use the codebook's examples as extra positives
    use_examples: bool = True
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["coders"] = list(self.coders) if self.coders else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuggestSettings:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if known.get("coders"):
            known["coders"] = tuple(known["coders"])
        return cls(**known)


@dataclass
class ScoreTable:
    """Scores of a batch of passages: `probs[i, j]` is passage i's score for code j."""

    inputs: list[SegmentInput]
    codes: tuple[str, ...]
    probs: np.ndarray
    thresholds: np.ndarray
    hits: list[dict[str, list]]
    features: Any = field(repr=False, default=None)

    def subset(self, rows: Sequence[int]) -> ScoreTable:
        """The table of some of the passages (in the given order)."""
        rows = list(rows)
        return ScoreTable(
            [self.inputs[i] for i in rows],
            self.codes,
            self.probs[rows],
            self.thresholds,
            [self.hits[i] for i in rows],
            self.features[rows] if self.features is not None else None,
        )

    def predicted(self, min_score: float | None = None) -> list[set[str]]:
        cut = self.thresholds if min_score is None else min_score
        above = self.probs >= cut
        return [{self.codes[j] for j in row.nonzero()[0]} for row in above]


class Suggester:
    """Suggests codes for passages; build with `Suggester.train(project)` or `fit`."""

    def __init__(self, codebook: Codebook, settings: SuggestSettings | None = None):
        from frisat_qual.suggest.rules import compile_rules

        self.codebook = codebook
        self.settings = settings or SuggestSettings()
        self.rules = compile_rules(codebook)
        specs = [c for c in codebook.codes if c.codable]
        self.codes: tuple[str, ...] = tuple(c.id for c in specs)
        self.specs = {c.id: c for c in specs}
        self.staircase = {
            c.id: (str(c.attributes["trin"]), str(c.attributes["side"]))
            for c in specs
            if "trin" in c.attributes and "side" in c.attributes
        }
        self.featurizer = None
        self.classifier = None
        self.version = "cold"
        self.fingerprint: str | None = None
        self.metrics: dict[str, Any] = {}

    # -- training ------------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        project: Project,
        *,
        settings: SuggestSettings | None = None,
        codebook: Codebook | None = None,
        record: bool = True,
    ) -> Suggester:
        """Train on the project's codings and reviewed suggestions (plus the codebook's
        examples); with `record` the run's settings and metrics are stored in the project."""
        from frisat_qual.codebook.manage import project_codebook
        from frisat_qual.store.suggestions import record_model_run, training_state
        from frisat_qual.suggest.training import project_training_set

        settings = settings or SuggestSettings()
        codebook = codebook or project_codebook(project)
        if not any(c.codable for c in codebook.codes):
            raise FrisatError(f"{project.path.name}: the project has no codebook to suggest from")
        state = training_state(project)
        training = project_training_set(project, coders=settings.coders)
        suggester = cls.fit(codebook, training, settings=settings, fingerprint=state)
        if record:
            record_model_run(project, suggester.version, settings.to_dict(), suggester.metrics)
        return suggester

    @classmethod
    def fit(
        cls,
        codebook: Codebook,
        training: TrainingSet | None = None,
        *,
        settings: SuggestSettings | None = None,
        fingerprint: str | None = None,
    ) -> Suggester:
        """Train on explicit rows (a project's, or a gold file's training folds)."""
        import numpy as np

        from frisat_qual.suggest.classifier import SegmentClassifier
        from frisat_qual.suggest.features import Featurizer, prepare
        from frisat_qual.suggest.training import TrainingSet

        started = time.perf_counter()
        suggester = cls(codebook, settings)
        rows = training if training is not None else TrainingSet.empty()
        n_segments = len(rows)
        if suggester.settings.use_examples:
            rows = rows.extend(suggester._example_rows())
        inputs, hits = prepare(rows.inputs, suggester.rules) if len(rows) else ([], [])
        codes = suggester.codes
        index = {c: j for j, c in enumerate(codes)}
        y = np.full((len(rows), len(codes)), -1, dtype=np.int8)
        for i, (positives, scope) in enumerate(zip(rows.positives, rows.scope, strict=True)):
            if scope is None:
                y[i, :] = 0
            else:
                y[i, [index[c] for c in scope if c in index]] = 0
            y[i, [index[c] for c in positives if c in index]] = 1
        suggester.featurizer = Featurizer(codebook, suggester.rules.codes).fit(inputs)
        # with many rows two folds calibrate as well as three, at half the fitting cost
        n_folds = suggester.settings.folds if len(rows) <= LARGE_TRAINING else 2
        classifier = SegmentClassifier(codes, folds=n_folds, seed=suggester.settings.seed)
        if n_segments:
            X = suggester.featurizer.transform(inputs, hits)
            # examples train the model but do not tune it: they are easier than real talk
            tune = np.array([g != EXAMPLE_GROUP for g in rows.groups])
            classifier.fit(X, y, rows.groups, tune=tune)
        suggester.classifier = classifier
        seconds = time.perf_counter() - started
        digest = hashlib.sha1(
            json.dumps(
                [fingerprint, suggester.settings.to_dict(), n_segments, sorted(classifier.trained)],
                default=str,
            ).encode()
        ).hexdigest()[:8]
        suggester.version = f"{'m' if classifier.trained else 'cold'}-{n_segments}-{digest}"
        suggester.fingerprint = fingerprint
        suggester.metrics = {
            "segments": n_segments,
            "examples": len(rows) - n_segments,
            "positives": {c: m.positives for c, m in classifier.models.items()},
            "trained_codes": list(classifier.trained),
            "thresholds": {c: round(t, 3) for c, t in suggester.thresholds().items()},
            "cv": {c: m.cv for c, m in classifier.models.items() if m.cv},
            "seconds": round(seconds, 3),
        }
        return suggester

    @classmethod
    def cold(cls, codebook: Codebook, *, settings: SuggestSettings | None = None) -> Suggester:
        """A suggester that knows only the codebook: keyword rules and examples."""
        return cls.fit(codebook, None, settings=settings)

    def _example_rows(self) -> TrainingSet:
        """The codebook's examples as rows: a positive for their code, a negative for the
        other codes of the same family (staircase codes, or the children of one parent)."""
        from frisat_qual.suggest.training import TrainingSet

        cached = getattr(self, "_examples", None)
        if cached is not None:
            return cached
        from frisat_qual.suggest.features import SegmentInput, lemmatise_many

        families: dict[str, set[str]] = {}
        for code in self.codes:
            families.setdefault(self._family(code), set()).add(code)
        texts, codes = [], []
        for code in self.codes:
            for example in self.specs[code].examples:
                texts.append(example)
                codes.append(code)
        lemmas = lemmatise_many(texts, self.rules)
        rows = TrainingSet.empty()
        for text, lem, code in zip(texts, lemmas, codes, strict=True):
            rows.inputs.append(SegmentInput(text=text, lemmas=lem, speaker_role="informant"))
            rows.positives.append(frozenset({code}))
            rows.scope.append(frozenset(families[self._family(code)]))
            rows.groups.append(EXAMPLE_GROUP)
        self._examples = rows
        return rows

    def _family(self, code: str) -> str:
        if code in self.staircase:
            return "(trappe)"
        spec = self.specs[code]
        return spec.parent or spec.id

    # -- scoring -------------------------------------------------------------------------

    def thresholds(self) -> dict[str, float]:
        """Each code's cut: tuned by cross-validation, or the cold-start cut."""
        out = {}
        for code in self.codes:
            if self.classifier is not None and code in self.classifier.trained:
                out[code] = self.classifier.models[code].threshold
            else:
                out[code] = COLD_THRESHOLD
        return out

    def score(self, inputs: Sequence[SegmentInput]) -> ScoreTable:
        """Scores for every code of every passage."""
        import numpy as np

        from frisat_qual.suggest.features import prepare

        if self.featurizer is None or self.classifier is None:
            raise FrisatError("the suggester is not trained: use Suggester.train or .cold")
        inputs, hits = prepare(list(inputs), self.rules)
        n = len(inputs)
        thresholds = np.array([self.thresholds()[c] for c in self.codes])
        if not n:
            return ScoreTable([], self.codes, np.zeros((0, len(self.codes))), thresholds, [])
        X = self.featurizer.transform(inputs, hits)
        probs = self.classifier.probabilities(X)
        cold = np.isnan(probs)
        if cold.any():
            probs = np.where(cold, self._cold_scores(inputs, hits, X), probs)
        return ScoreTable(inputs, self.codes, probs, thresholds, hits, X)

    def _cold_scores(self, inputs, hits, X) -> np.ndarray:
        import numpy as np

        block = self.featurizer.blocks["kodebog"]
        similarity = X[:, block].toarray()
        sims = np.zeros((len(inputs), len(self.codes)))
        for j, code in enumerate(self.codes):
            sims[:, j] = similarity[:, self.featurizer.codes.index(code)]
        from_text = COLD_SIMILARITY_MAX / (
            1 + np.exp(-COLD_SIMILARITY_SLOPE * (sims - COLD_SIMILARITY_MID))
        )
        rule = np.array([[RULE_SCORE if c in h else 0.0 for c in self.codes] for h in hits])
        score = 1 - (1 - rule) * (1 - from_text)
        damp = np.array(
            [INTERVIEWER_DAMPING if i.speaker_role == INTERVIEWER else 1.0 for i in inputs]
        )
        return score * damp[:, None]

    def suggest(
        self,
        segments: Sequence[Segment | SegmentInput],
        *,
        project: Project | None = None,
        min_score: float | None = None,
        top: int | None = None,
    ) -> list[list[Suggestion]]:
        """For each passage, the codes scoring at or above their threshold (or `min_score`
        for every code), best first, at most `top`. Stored segments (`models.Segment`) need
        `project` to look up their turn, speaker and case."""
        from frisat_qual.suggest.features import SegmentInput

        inputs = _as_inputs(segments, project, SegmentInput)
        table = self.score(inputs)
        return self.suggestions_from(table, min_score=min_score, top=top)

    def suggestions_from(
        self, table: ScoreTable, *, min_score: float | None = None, top: int | None = None
    ) -> list[list[Suggestion]]:
        import numpy as np

        cut = table.thresholds if min_score is None else np.full(len(self.codes), min_score)
        out: list[list[Suggestion]] = []
        for i, item in enumerate(table.inputs):
            row = table.probs[i]
            chosen = [j for j in np.argsort(-row) if row[j] >= cut[j]]
            if top is not None:
                chosen = chosen[:top]
            out.append(
                [
                    Suggestion(
                        code_id=self.codes[j],
                        score=round(float(row[j]), 4),
                        threshold=round(float(table.thresholds[j]), 4),
                        evidence=self.explain(table, i, self.codes[j]),
                        model_version=self.version,
                        segment_id=item.segment_id,
                        document_id=item.document_id,
                        start=item.start,
                        end=item.end,
                    )
                    for j in chosen
                ]
            )
        return out

    # -- explanation ---------------------------------------------------------------------

    def explain(self, table: ScoreTable, row: int, code: str) -> dict[str, Any]:
        """The evidence for one code of one scored passage (plain JSON data)."""
        import numpy as np

        learned = self.classifier is not None and code in self.classifier.trained
        evidence: dict[str, Any] = {"source": "classifier" if learned else "rules+examples"}
        hits = table.hits[row].get(code, [])
        if hits:
            evidence["keywords"] = [
                {
                    "keyword": h.keyword,
                    "words": h.words,
                    **({"context": h.context} if h.context else {}),
                }
                for h in hits
            ]
        if learned and table.features is not None:
            j = self.codes.index(code)
            x = table.features[row]
            contrib = x.data * self.classifier.coef[x.indices, j]
            order = np.argsort(-contrib)
            names = self.featurizer.names
            evidence["features"] = [
                names[x.indices[k]] for k in order[:EVIDENCE_FEATURES] if contrib[k] > 0
            ]
        if code in self.staircase:
            trin = self.staircase[code][0]
            evidence["level"] = {"trin": trin, "from": self._level_source(table, row, code)}
        return evidence

    def _level_source(self, table: ScoreTable, row: int, code: str) -> str:
        """ "rolle" when the text alone would put the passage on another step than this
        code's, so the speaker's rolle decided the step; otherwise "tekst"."""
        import numpy as np

        item = table.inputs[row]
        learned = self.classifier is not None and code in self.classifier.trained
        if not item.rolle or not learned or table.features is None:
            return "tekst"
        stairs = [
            j
            for j, c in enumerate(self.codes)
            if c in self.staircase and c in self.classifier.trained
        ]
        x = table.features[row]
        role_cols = set(self.featurizer.role_columns().tolist())
        keep = np.array([k not in role_cols for k in x.indices], dtype=bool)
        coef = self.classifier.coef
        best, best_p = code, -1.0
        for j in stairs:
            decision = float(x.data[keep] @ coef[x.indices[keep], j] + self.classifier.intercept[j])
            a, b = self.classifier.models[self.codes[j]].platt
            p = 1 / (1 + np.exp(-np.clip(a * decision + b, -30, 30)))
            if p > best_p:
                best, best_p = self.codes[j], p
        return "tekst" if self.staircase[best][0] == self.staircase[code][0] else "rolle"


def _as_inputs(segments, project, input_type) -> list:
    from frisat_qual.suggest.training import segment_inputs

    stored = [s for s in segments if isinstance(s, Segment)]
    if not stored:
        return list(segments)
    if project is None:
        raise FrisatError("suggesting for stored segments needs the project they belong to")
    made = iter(segment_inputs(project, stored))
    return [next(made) if isinstance(s, Segment) else s for s in segments]
