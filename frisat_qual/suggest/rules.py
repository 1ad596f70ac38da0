"""Keyword rules: each code's `keywords` matched on lemmas, with the codebook's context and
negation rules. The rules give candidate codes with the matched words as evidence; they feed
the classifier as features, and on their own they are the keyword-only baseline (what
"autocode by text search" in other QDA tools does).

How a keyword matches:
- its phrase is lemmatised with the project pipeline (`nlp.get_nlp`) and matched on the
  lemmas of the text, so "nye regler" matches the keyword "ny regel" and "stolede på" matches
  "stole på"; each phrase word also matches its own written form, in case the lookup table
  lemmatises the codebook's base form differently from its inflections;
- between the words of a multi-word phrase up to `MAX_GAP` words may stand, never a
  punctuation mark, so Danish particle verbs match when split ("prøvede det af");
- `context`: the match counts only if one of the context words (lemmatised the same way)
  occurs elsewhere in the same segment; a context word of `COMPOUND_MIN` letters or more
  also counts as the first or last part of a compound ("udvalg" in "udvalgsformanden");
- `negation`: the match is dropped when ikke, ingen, aldrig, intet or hverken stands among
  the `NEGATION_WINDOW` words just before it ("ingen kontrol").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from frisat_qual.models import Codebook, Keyword

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

NEGATIONS = frozenset({"ikke", "ingen", "aldrig", "intet", "hverken"})
NEGATION_WINDOW = 3
MAX_GAP = 2
COMPOUND_MIN = 5
CACHE_SIZE = 200_000


@dataclass(frozen=True)
class RuleHit:
    """One keyword found in a text: offsets are characters of that text."""

    code_id: str
    keyword: str
    words: str
    start: int
    end: int
    context: str | None = None


#: code id -> its keyword hits in one text
Hits = dict[str, tuple[RuleHit, ...]]


@dataclass(frozen=True)
class _Rule:
    code_id: str
    keyword: Keyword
    #: (exact forms, compound forms) of the context words
    context: tuple[frozenset[str], tuple[str, ...]]


class KeywordRules:
    """The compiled keyword rules of a codebook (build with `compile_rules`)."""

    def __init__(self, codebook: Codebook):
        from spacy.matcher import Matcher, PhraseMatcher

        from frisat_qual.nlp.pipeline import get_nlp

        self.nlp = get_nlp()
        # contiguous phrases go to the (hash-based, fast) PhraseMatcher; the token Matcher,
        # whose cost grows with its patterns, only sees multi-word phrases split by a gap
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.matcher = Matcher(self.nlp.vocab)
        #: hashes of the words that can start a gapped phrase: the Matcher runs only on
        #: texts that contain one
        self._gap_starts: set[int] = set()
        #: text -> (hits, lemmas): segments are scored again at every retraining
        self._cache: dict[str, tuple[Hits, str]] = {}
        self._rules: dict[int, _Rule] = {}
        codes: list[str] = []
        for spec in codebook.codes:
            if not spec.codable:
                continue
            for i, kw in enumerate(spec.keywords):
                words = [t for t in self.nlp(kw.phrase) if not (t.is_punct or t.is_space)]
                if not words:
                    continue
                key = f"{spec.id}\x1f{i}"
                self.phrases.add(key, self._phrase_docs(words))
                if len(words) > 1:
                    self.matcher.add(key, [self._gap_pattern(words)])
                    strings = self.nlp.vocab.strings
                    self._gap_starts |= {strings.add(words[0].lemma_), strings.add(words[0].lower_)}
                self._rules[self.nlp.vocab.strings[key]] = _Rule(
                    spec.id, kw, self._context_forms(kw.context)
                )
                if spec.id not in codes:
                    codes.append(spec.id)
        #: codable codes that have at least one keyword, in codebook order
        self.codes: tuple[str, ...] = tuple(codes)

    def _phrase_docs(self, words: list) -> list[Doc]:
        from spacy.tokens import Doc

        forms = {tuple(t.lemma_ for t in words), tuple(t.lower_ for t in words)}
        return [Doc(self.nlp.vocab, words=list(f), lemmas=list(f)) for f in sorted(forms)]

    @staticmethod
    def _gap_pattern(words: list) -> list[dict]:
        pattern: list[dict] = []
        for n, tok in enumerate(words):
            if n:
                pattern += [{"IS_PUNCT": False, "IS_SPACE": False, "OP": "?"}] * MAX_GAP
            pattern.append({"LEMMA": {"IN": sorted({tok.lemma_, tok.lower_})}})
        return pattern

    def _context_forms(self, words: Sequence[str]) -> tuple[frozenset[str], tuple[str, ...]]:
        exact: set[str] = set()
        for word in words:
            for tok in self.nlp(word):
                if not (tok.is_punct or tok.is_space):
                    exact.update((tok.lemma_, tok.lower_))
        compound = tuple(sorted(w for w in exact if len(w) >= COMPOUND_MIN))
        return frozenset(exact), compound

    def match(self, text: str) -> Hits:
        """Code id -> the keyword hits in `text` (codes without a hit are left out)."""
        return self.analyse([text])[0][0]

    def match_many(self, texts: Iterable[str]) -> list[Hits]:
        return [hits for hits, _ in self.analyse(list(texts))]

    def analyse(self, texts: Sequence[str]) -> list[tuple[Hits, str]]:
        """(keyword hits, space-separated lemmas) of each text, in one pipeline pass over
        the texts not seen before (a bounded cache of results, which are plain data)."""
        cache = self._cache
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if len(cache) + len(missing) > CACHE_SIZE:
            cache.clear()
        for text, doc in zip(missing, self.nlp.pipe(missing, batch_size=256), strict=True):
            lemmas = " ".join(t.lemma_ for t in doc if not (t.is_punct or t.is_space))
            cache[text] = (self.match_doc(doc), lemmas)
        return [cache[t] for t in texts]

    def match_doc(self, doc: Doc) -> Hits:
        """Like `match`, for a text already run through the pipeline."""
        from spacy.attrs import LEMMA, LOWER

        found: dict[tuple[int, int], tuple[int, int, _Rule]] = {}
        matches = list(self.phrases(doc))
        if len(doc) and self._gap_starts.intersection(
            doc.to_array([LEMMA, LOWER]).ravel().tolist()
        ):
            matches += self.matcher(doc)
        for match_id, start, end in matches:
            rule = self._rules[match_id]
            key = (match_id, start)
            # with optional gap tokens a phrase can match several spans from one start:
            # keep the shortest
            if key not in found or end < found[key][1]:
                found[key] = (start, end, rule)
        out: dict[str, list[RuleHit]] = {}
        for start, end, rule in sorted(found.values(), key=lambda f: (f[0], f[1])):
            kw = rule.keyword
            if kw.negation and _negated(doc, start):
                continue
            context = None
            if kw.context:
                context = _context_word(doc, start, end, *rule.context)
                if context is None:
                    continue
            span = doc[start:end]
            out.setdefault(rule.code_id, []).append(
                RuleHit(
                    rule.code_id,
                    kw.phrase,
                    span.text,
                    span.start_char,
                    span.end_char,
                    context,
                )
            )
        return {code: tuple(hits) for code, hits in out.items()}


def _negated(doc: Doc, start: int) -> bool:
    seen = 0
    for i in range(start - 1, -1, -1):
        tok = doc[i]
        if tok.is_punct or tok.is_space:
            continue
        if tok.lower_ in NEGATIONS or tok.lemma_ in NEGATIONS:
            return True
        seen += 1
        if seen >= NEGATION_WINDOW:
            return False
    return False


def _context_word(
    doc: Doc, start: int, end: int, exact: frozenset[str], compound: tuple[str, ...]
) -> str | None:
    for i, tok in enumerate(doc):
        if start <= i < end or tok.is_punct or tok.is_space:
            continue
        lemma, lower = tok.lemma_, tok.lower_
        if lemma in exact or lower in exact:
            return tok.text
        for word in compound:
            for form in (lemma, lower):
                if len(form) > len(word) and (form.startswith(word) or form.endswith(word)):
                    return tok.text
    return None


@lru_cache(maxsize=8)
def compile_rules(codebook: Codebook) -> KeywordRules:
    """The rules of a codebook, compiled once per process (a cache of the codebook's data)."""
    return KeywordRules(codebook)


def keyword_codes(codebook: Codebook, texts: Iterable[str]) -> list[Hits]:
    """The keyword-only baseline: for each text, the codes whose keywords match it."""
    return compile_rules(codebook).match_many(texts)
