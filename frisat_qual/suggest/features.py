"""What the classifier sees of a segment: its words, its surroundings and who speaks.

Feature blocks (name: what, weight):
- `ord`: TF-IDF of the segment's lemma unigrams and bigrams (lemmas, so inflections meet);
- `kontekst`: the same vocabulary over the whole speaker turn (a coded passage is usually
  longer than one sentence, and "Det er blevet mindre." means nothing alone), 1.0;
- `spørgsmål`: the same over the interviewer's turn just before (it names the topic), 0.3;
- `orddel`: first and last 4-6 letters of long lemmas, so unseen Danish compounds share
  their parts with known words ("dagtilbudschef" ~ "skolechef"), 0.5;
- `rolle×ord`: the speaker's rolle crossed with personal pronouns ("vi" said by a leder is
  the leder step), and with the speaker's interview role, 0.5;
- `kodebog`: cosine similarity of the turn to each code's profile (label, description,
  include text, examples and keywords), which carries the codebook's own words to codes
  with little training data;
- `regel`: 1 for each code whose keyword rule fired on the segment;
- `rolle`, `taler`: one-hot case rolle (politiker, leder, ...) and interview role
  (interviewer or informant).

Segments come in as `SegmentInput`, a plain record the project, a gold file or a test can
make. numpy, scipy and scikit-learn are imported here at module level: only the suggestion
path imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from frisat_qual.models import INFORMANT, INTERVIEWER, Codebook, CodeSpec
from frisat_qual.suggest.rules import Hits, KeywordRules

W_CONTEXT = 1.0
W_QUESTION = 0.3
W_AFFIX = 0.5
W_CROSS = 0.5
AFFIX_MIN_LEN = 8
AFFIX_SIZES = (4, 5, 6)
PRONOUNS = frozenset(
    {"jeg", "mig", "min", "vi", "os", "vores", "man", "de", "dem", "deres", "han", "hun"}
)
SPEAKER_ROLES = (INTERVIEWER, INFORMANT)


@dataclass(frozen=True)
class SegmentInput:
    """One passage to suggest codes for, with what is known about it.

    `lemmas`, `context` and `question` are space-separated lemmas (see `nlp.lemmatise`);
    `lemmas=None` means "lemmatise `text`", `context=None` means the passage is its own
    context. The ids are carried through to the suggestions untouched.
    """

    text: str
    lemmas: str | None = None
    rolle: str | None = None
    speaker_role: str | None = None
    context: str | None = None
    question: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    segment_id: int | None = None
    document_id: int | None = None
    document: str | None = None
    start: int | None = None
    end: int | None = None


def prepare(
    inputs: Sequence[SegmentInput], rules: KeywordRules
) -> tuple[list[SegmentInput], list[Hits]]:
    """Inputs with lemmas filled in, and the keyword hits of each (one pipeline pass)."""
    out = []
    analysed = rules.analyse([i.text for i in inputs])
    for item, (_, lemmas) in zip(inputs, analysed, strict=True):
        out.append(item if item.lemmas is not None else replace(item, lemmas=lemmas))
    return out, [hits for hits, _ in analysed]


def lemmatise_many(texts: Sequence[str], rules: KeywordRules) -> list[str]:
    """Space-separated lemmas of each text (each distinct text lemmatised once)."""
    return [lemmas for _, lemmas in rules.analyse(texts)]


@lru_cache(maxsize=8)
def code_profiles(codebook: Codebook) -> dict[str, str]:
    """Each codable code's own words, lemmatised: label, description, include, examples,
    keywords (not `exclude`, which names the neighbouring codes' territory)."""
    from frisat_qual.nlp.pipeline import lemmatise

    return {c.id: " ".join(lemmatise(profile_text(c))) for c in codebook.codes if c.codable}


def profile_text(spec: CodeSpec) -> str:
    parts = [spec.label, spec.description, spec.include, *spec.examples]
    parts += [k.phrase for k in spec.keywords]
    return "\n".join(p for p in parts if p)


def _affixes(lemmas: str) -> str:
    out = []
    for word in lemmas.split():
        if len(word) >= AFFIX_MIN_LEN and word.isalpha():
            for k in AFFIX_SIZES:
                out.append(f"{word[:k]}-")
                out.append(f"-{word[-k:]}")
    return " ".join(out)


def _cross(item: SegmentInput) -> str:
    rolle = item.rolle or "?"
    words = {w for w in (item.lemmas or "").split() if w in PRONOUNS}
    return " ".join([f"{rolle}|{item.speaker_role or '?'}", *(f"{rolle}|{w}" for w in words)])


class Featurizer:
    """Turns `SegmentInput`s into one sparse matrix; fitted on the training inputs."""

    def __init__(self, codebook: Codebook, rule_codes: Sequence[str]):
        self.codes = tuple(c.id for c in codebook.codes if c.codable)
        self.rule_codes = tuple(rule_codes)
        self.profiles = code_profiles(codebook)
        self.trin_values = {
            str(c.attributes["trin"]) for c in codebook.codes if "trin" in c.attributes
        }
        #: block name -> column slice
        self.blocks: dict[str, slice] = {}
        self.names: list[str] = []

    def fit(self, inputs: Sequence[SegmentInput], extra_lemmas: Sequence[str] = ()) -> Featurizer:
        from sklearn.feature_extraction.text import TfidfVectorizer

        lemmas = [i.lemmas or "" for i in inputs]
        min_df = 2 if len(inputs) >= 300 else 1
        common = dict(token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32, lowercase=False)
        self.words = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, **common)
        _fit(self.words, [*lemmas, *extra_lemmas])
        # the turn and the question: unigrams only, they are long and bigrams would
        # multiply the cost of training for little gain
        self.turn_words = TfidfVectorizer(min_df=1, **common)
        self.turn_words.fit([*lemmas, *extra_lemmas, *self.profiles.values()])
        self.affix = TfidfVectorizer(min_df=min_df, **common)
        _fit(self.affix, [_affixes(x) for x in [*lemmas, *extra_lemmas]])
        self.cross = TfidfVectorizer(min_df=1, **common)
        _fit(self.cross, [_cross(i) for i in inputs])
        self.rolle_values = tuple(sorted({i.rolle for i in inputs if i.rolle} | self.trin_values))
        profile = self.turn_words.transform([self.profiles[c] for c in self.codes])
        self.profile_matrix = _normalise(profile).T.tocsc()

        vocab = self.words.get_feature_names_out().tolist()
        turn_vocab = self.turn_words.get_feature_names_out().tolist()
        names: list[str] = []
        for block, block_names in (
            ("ord", vocab),
            ("kontekst", turn_vocab),
            ("spørgsmål", turn_vocab),
            ("orddel", self.affix.get_feature_names_out().tolist()),
            ("rolle×ord", self.cross.get_feature_names_out().tolist()),
            ("kodebog", list(self.codes)),
            ("regel", list(self.rule_codes)),
            ("rolle", list(self.rolle_values)),
            ("taler", list(SPEAKER_ROLES)),
        ):
            self.blocks[block] = slice(len(names), len(names) + len(block_names))
            names += [f"{block}:{n}" for n in block_names]
        self.names = names
        return self

    def transform(self, inputs: Sequence[SegmentInput], hits: Sequence[Hits]) -> sp.csr_matrix:
        n = len(inputs)
        lemmas = [i.lemmas or "" for i in inputs]
        words = self.words.transform(lemmas)
        context = _transform_unique(
            self.turn_words,
            [i.context if i.context is not None else (i.lemmas or "") for i in inputs],
        )
        question = _transform_unique(self.turn_words, [i.question or "" for i in inputs])
        affix = self.affix.transform([_affixes(x) for x in lemmas])
        cross = self.cross.transform([_cross(i) for i in inputs])
        own = self.turn_words.transform(lemmas)
        similarity = _normalise(own + context) @ self.profile_matrix
        rule_index = {c: k for k, c in enumerate(self.rule_codes)}
        rows, cols = [], []
        for r, h in enumerate(hits):
            for code in h:
                if code in rule_index:
                    rows.append(r)
                    cols.append(rule_index[code])
        rule = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, len(self.rule_codes))
        )
        rolle = _one_hot([i.rolle for i in inputs], self.rolle_values)
        taler = _one_hot([i.speaker_role for i in inputs], SPEAKER_ROLES)
        return sp.hstack(
            [
                words,
                context * W_CONTEXT,
                question * W_QUESTION,
                affix * W_AFFIX,
                cross * W_CROSS,
                sp.csr_matrix(similarity),
                rule,
                rolle,
                taler,
            ],
            format="csr",
            dtype=np.float32,
        )

    def role_columns(self) -> np.ndarray:
        """Columns that carry the speaker's rolle (to ask what the text alone says)."""
        return np.r_[self.blocks["rolle"], self.blocks["rolle×ord"]]


def _fit(vectorizer, texts: list[str]) -> None:
    """Fit, also when there is nothing to learn a vocabulary from (cold start)."""
    if not any(t.strip() for t in texts):
        texts = ["∅"]
    try:
        vectorizer.fit(texts)
    except ValueError:  # every term below min_df
        vectorizer.set_params(min_df=1)
        vectorizer.fit(texts)


def _transform_unique(vectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """Transform each distinct text once: a turn's segments share their context."""
    index: dict[str, int] = {}
    rows = [index.setdefault(t, len(index)) for t in texts]
    return vectorizer.transform(list(index))[rows]


def _normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    from sklearn.preprocessing import normalize

    return normalize(matrix, copy=True)


def _one_hot(values: Sequence[str | None], known: Sequence[str]) -> sp.csr_matrix:
    index = {v: k for k, v in enumerate(known)}
    rows = [r for r, v in enumerate(values) if v in index]
    cols = [index[v] for v in values if v in index]
    return sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(values), len(known))
    )
