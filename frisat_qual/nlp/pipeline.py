"""The one spaCy pipeline of the process, built on first use and cached.

`spacy.blank("da")` with a lookup lemmatiser over spacy-lookups-data's Danish table and the
rule-based sentencizer: no trained model, so nothing is downloaded and it runs offline. The
lookup table lists lower-case forms, so our lemmatiser looks up the lower-cased word:
"Lederne" lemmatises like "lederne" (-> "leder").
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

LEMMATIZER_NAME = "frisat_lemmatizer"

#: Corrections for words central to the domain that the lookup table gets wrong.
LEMMA_OVERRIDES = {
    "lederne": "leder",
    "ledernes": "leder",
    "lederes": "leder",
    "lederen": "leder",
    "forældre": "forælder",
    "forældrene": "forælder",
    "forældres": "forælder",
    "forældrenes": "forælder",
    "mange": "mange",
    "borgerne": "borger",
    "borgernes": "borger",
}


def _register_component() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMATIZER_NAME):
        return

    @Language.factory(LEMMATIZER_NAME)
    def make_lemmatizer(nlp: Language, name: str):  # noqa: ARG001 - spaCy's signature
        import numpy
        from spacy.attrs import LEMMA, ORTH
        from spacy.lookups import load_lookups

        table = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
        strings = nlp.vocab.strings
        # The table maps some base forms to a wrong lemma (leder -> led, borger -> borge,
        # lærer -> lære) while their inflections map to them (lederen -> leder). A word that
        # is itself a lemma of the table keeps its form, so both get the same lemma.
        lemmas = {v.lower() for v in table.values()}
        # orth hash -> lemma hash, filled as words are met: a word is looked up once per
        # process, and the doc is lemmatised with two array calls instead of token objects.
        cache: dict[int, int] = {}

        def lemma_hash(orth: int) -> int:
            lower = strings[orth].lower()
            lemma = LEMMA_OVERRIDES.get(lower) or (
                lower if lower in lemmas else table.get(lower, lower)
            )
            value = cache[orth] = strings.add(lemma.lower())
            return value

        def lemmatize(doc):
            if len(doc):
                orths = doc.to_array(ORTH).tolist()
                get = cache.get
                lemmas = [get(o) or lemma_hash(o) for o in orths]
                doc.from_array([LEMMA], numpy.array(lemmas, dtype="uint64"))
            return doc

        return lemmatize


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide Danish pipeline: tokenizer, lookup lemmas, sentences."""
    import spacy

    _register_component()
    nlp = spacy.blank("da")
    nlp.add_pipe(LEMMATIZER_NAME)
    nlp.add_pipe("sentencizer")
    return nlp


def lemmatise(text: str) -> list[str]:
    """Lower-case lemmas of the alphanumeric tokens of `text`."""
    doc = get_nlp()(text)
    return [t.lemma_ for t in doc if not (t.is_punct or t.is_space)]
