"""Sentence-level segmentation of a transcript, with lemmas for later suggestion work.

Segments are the unit a researcher moves through and the unit suggestions are made for;
codings themselves may be any character span. Segments never cross a speaker turn or a
paragraph break, and a run-on "sentence" (transcription tools often write none) is cut
into pieces of at most MAX_TOKENS tokens, preferably after a comma.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from frisat_qual.nlp.pipeline import get_nlp

MAX_TOKENS = 60
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class SegmentSpan:
    """A segment found in a document: offsets into the document text."""

    turn_index: int | None
    start: int
    end: int
    text: str
    lemmas: str


def _pieces(text: str, spans: Sequence[tuple[int, int, int | None]]):
    """Split each (start, end, turn) span at paragraph breaks into non-empty pieces."""
    for start, end, turn in spans:
        pos = start
        chunk = text[start:end]
        for m in _PARAGRAPH.finditer(chunk):
            yield pos, start + m.start(), turn
            pos = start + m.end()
        yield pos, end, turn


def _split_long(sent) -> list[tuple[int, int]]:
    """Token index ranges of a sentence, cut after commas when it is over MAX_TOKENS."""
    n = len(sent)
    if n <= MAX_TOKENS:
        return [(0, n)]
    ranges, begin = [], 0
    while n - begin > MAX_TOKENS:
        cut = begin + MAX_TOKENS
        for i in range(begin + MAX_TOKENS - 1, begin + MAX_TOKENS // 2, -1):
            if sent[i].text in {",", ";", "–", "-"}:
                cut = i + 1
                break
        ranges.append((begin, cut))
        begin = cut
    ranges.append((begin, n))
    return ranges


def segment_document(
    text: str, turns: Sequence[tuple[int, int]], *, batch_size: int = 128
) -> list[SegmentSpan]:
    """Segment the content spans of `turns` (or the whole text when there are none)."""
    spans = [(s, e, i) for i, (s, e) in enumerate(turns)] or [(0, len(text), None)]
    pieces = [(s, e, t) for s, e, t in _pieces(text, spans) if text[s:e].strip()]
    nlp = get_nlp()
    out: list[SegmentSpan] = []
    docs = nlp.pipe((text[s:e] for s, e, _ in pieces), batch_size=batch_size)
    for (offset, _end, turn), doc in zip(pieces, docs, strict=True):
        for sent in doc.sents:
            for a, b in _split_long(sent):
                tokens = sent[a:b]
                words = [t for t in tokens if not t.is_space]
                if not words:
                    continue
                start = offset + words[0].idx
                end = offset + words[-1].idx + len(words[-1].text)
                lemmas = " ".join(t.lemma_ for t in words if not t.is_punct)
                out.append(SegmentSpan(turn, start, end, text[start:end], lemmas))
    return out
