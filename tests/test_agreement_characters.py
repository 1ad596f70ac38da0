"""The character variant computed on runs between coding boundaries (`character_counts`)
equals deciding character by character, for two and three coders, overlapping codings of one
coder, codings reaching the ends of the text and characters that are whitespace."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pytest

from frisat_qual.agreement.units import SPACES, character_counts, non_space_mask
from frisat_qual.models import CodedSpan


def test_the_space_list_is_every_unicode_space():
    assert SPACES.tolist() == [c for c in range(0x110000) if chr(c).isspace()]
    assert non_space_mask("a b\u2003c\u3000d\n").tolist() == [1, 0, 1, 0, 1, 0, 1, 0]


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", range(5))
def test_runs_give_the_same_counts_as_characters(k, seed):
    rng = random.Random(seed)
    words = ["frihed", "tillid", "æble", "ø", "regler", "\n", "  ", "\t", "kant"]
    text = " ".join(rng.choice(words) for _ in range(300))
    coders = {f"c{i}": i for i in range(k)}
    codes = {"x": 0, "y": 1, "unused": 2}
    spans = []
    for n in range(60):
        start = rng.randrange(len(text))
        end = min(len(text), start + rng.randrange(1, 80))
        code = rng.choice(["x", "y", "not-compared"])
        spans.append(CodedSpan(n, 1, start, end, code, f"c{rng.randrange(k)}"))
    spans.append(CodedSpan(99, 1, 0, 5, "x", "c0"))
    spans.append(CodedSpan(100, 1, len(text) - 5, len(text), "x", f"c{k - 1}"))

    total, counts = character_counts(text, spans, coders, codes)
    solid = np.array([not ch.isspace() for ch in text])
    assert total == int(solid.sum())
    for code, index in codes.items():
        decided = np.zeros((k, len(text)), dtype=bool)
        for s in spans:
            if s.code_id == code:
                decided[coders[s.coder], s.start : s.end] = True
        decided = decided[:, solid]
        got = counts[index]
        said = decided.sum(axis=0)
        assert got.yes.tolist() == [int((said == j).sum()) for j in range(k + 1)]
        assert got.only.tolist() == [int((decided[i] & (said == 1)).sum()) for i in range(k)]
        for p, (i, j) in enumerate(combinations(range(k), 2)):
            a, b = decided[i], decided[j]
            expected = [
                [int((~a & ~b).sum()), int((~a & b).sum())],
                [int((a & ~b).sum()), int((a & b).sum())],
            ]
            assert got.tables[p].tolist() == expected
