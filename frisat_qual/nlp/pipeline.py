"""The one spaCy pipeline of the process, built on first use and cached.

`spacy.blank("da")` with a lookup lemmatiser over spacy-lookups-data's Danish table and the
rule-based sentencizer: no trained model, so nothing is downloaded and it runs offline. The
lookup table is case-sensitive and lists lower-case forms, so our lemmatiser falls back to
the lower-cased word: "Lederne" then lemmatises like "lederne" (-> "leder").
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

LEMMATIZER_NAME = "frisat_lemmatizer"


def _register_component() -> None:
    from spacy.language import Language

    if Language.has_factory(LEMMATIZER_NAME):
        return

    @Language.factory(LEMMATIZER_NAME)
    def make_lemmatizer(nlp: Language, name: str):  # noqa: ARG001 - spaCy's signature
        from spacy.lookups import load_lookups

        table = load_lookups("da", ["lemma_lookup"]).get_table("lemma_lookup")
        get = table.get

        def lemmatize(doc):
            for token in doc:
                text = token.text
                lemma = get(text)
                if lemma is None:
                    lower = text.lower()
                    lemma = get(lower, lower)
                token.lemma_ = lemma.lower()
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
