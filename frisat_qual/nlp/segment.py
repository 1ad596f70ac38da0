"""Sentence-level segmentation of a transcript, with lemmas for later suggestion work.

Segments are the unit a researcher moves through and the unit suggestions are made for;
codings themselves may be any character span. A segment is a sentence cut to the content
of one speaker turn: it never crosses a turn or a paragraph break and never includes a
speaker label. A run-on "sentence" (transcription tools often write none) is cut into
pieces of at most MAX_TOKENS tokens, preferably after a comma.

The whole document goes through spaCy once (the same work as bare `nlp.pipe` on it) and
is then read as arrays, which keeps the import close to spaCy's own speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from frisat_qual.nlp.pipeline import get_nlp

MAX_TOKENS = 60
_OPENERS = frozenset("[(«“„\"'")
#: Lemma hash -> text: the StringStore lookup is the slow part of reading lemmas back, and
#: a vocabulary's lemmas repeat endlessly (a cache of strings, not of anyone's data).
_LEMMA_TEXT: dict[int, str] = {}


@dataclass(frozen=True)
class SegmentSpan:
    """A segment found in a document: offsets into the document text."""

    turn_index: int | None
    start: int
    end: int
    text: str
    lemmas: str


def segment_document(text: str, turns: Sequence[tuple[int, int]]) -> list[SegmentSpan]:
    """Segment the content spans of `turns` (or the whole text when there are none)."""
    return segment_parsed(text, turns, get_nlp()(text))


def segment_parsed(text: str, turns: Sequence[tuple[int, int]], doc) -> list[SegmentSpan]:
    """Segment a document already run through the pipeline (see `segment_document`).

    Vectorised: token attributes come out of spaCy as one array, the boundaries (sentence
    start, new turn, paragraph break) are found with numpy, and Python loops only over the
    segments, not the tokens.
    """
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LEMMA, LENGTH, SENT_START

    if not len(doc):
        return []
    spans = np.array(list(turns) or [(0, len(text))], dtype=np.int64)
    arr = doc.to_array([IDX, LENGTH, LEMMA, IS_SPACE, IS_PUNCT, SENT_START])
    idx = arr[:, 0].astype(np.int64)
    end = idx + arr[:, 1].astype(np.int64)
    turn = np.searchsorted(spans[:, 0], idx, side="right") - 1
    keep = (turn >= 0) & (arr[:, 3] == 0)
    keep &= end <= spans[np.clip(turn, 0, None), 1]
    if not keep.any():
        return []
    idx, end, turn = idx[keep], end[keep], turn[keep]
    lemma_hashes, punct = arr[keep, 2], arr[keep, 4].astype(bool)
    sent_start = arr[keep, 5] == 1
    # newlines before each character, to spot a blank line between two kept tokens
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    newlines = np.concatenate(([0], np.cumsum(codes == 10)))
    gap = newlines[idx[1:]] - newlines[end[:-1]]
    # spaCy's sentencizer starts a sentence after an opening bracket or quote that follows
    # the full stop ("nettet. [griner] Nej" -> "nettet. [" + "griner] Nej"): move such a
    # start back onto the bracket
    opener = np.zeros(len(idx), dtype=bool)
    for k in np.flatnonzero(sent_start[1:] & punct[:-1] & (end[:-1] == idx[1:])) + 1:
        if text[idx[k - 1]] in _OPENERS:
            sent_start[k], opener[k - 1] = False, True
    sent_start |= opener
    boundary = np.ones(len(idx), dtype=bool)
    boundary[1:] = sent_start[1:] | (turn[1:] != turn[:-1]) | (gap >= 2)
    starts = np.flatnonzero(boundary).tolist() + [len(idx)]

    strings = doc.vocab.strings
    # lemmas of the non-punctuation tokens, and for each token how many of those precede
    # it, so a segment's lemmas are one slice of the list
    known = _LEMMA_TEXT
    lemma_words = [
        known.get(h) or known.setdefault(h, strings[h]) for h in lemma_hashes[~punct].tolist()
    ]
    words_before = np.concatenate(([0], np.cumsum(~punct))).tolist()
    idx_l, end_l, turn_l, punct_l = idx.tolist(), end.tolist(), turn.tolist(), punct.tolist()
    has_turns = bool(turns)
    out: list[SegmentSpan] = []
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        ranges = [(a, b)] if b - a <= MAX_TOKENS else _cuts(a, b, punct_l, idx_l, end_l)
        for x, y in ranges:
            s0, e0 = idx_l[x], end_l[y - 1]
            lemmas = " ".join(lemma_words[words_before[x] : words_before[y]])
            out.append(SegmentSpan(turn_l[x] if has_turns else None, s0, e0, text[s0:e0], lemmas))
    return out


def _cuts(
    a: int, b: int, punct: list[bool], idx: list[int], end: list[int]
) -> list[tuple[int, int]]:
    """Token ranges of the sentence a:b, cut after a comma-like mark when over MAX_TOKENS."""
    ranges, begin = [], a
    while b - begin > MAX_TOKENS:
        cut = begin + MAX_TOKENS
        for i in range(begin + MAX_TOKENS - 1, begin + MAX_TOKENS // 2, -1):
            if punct[i] and end[i] - idx[i] == 1:  # "," ";" "-" and the like
                cut = i + 1
                break
        ranges.append((begin, cut))
        begin = cut
    ranges.append((begin, b))
    return ranges
