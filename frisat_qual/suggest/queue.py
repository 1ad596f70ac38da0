"""The active-learning review queue: unreviewed segments ordered by what the researcher's
decision on them would teach the model.

A segment is unreviewed when no coding gives it a code (under the labelling rule of
`training`) and none of its suggestions was accepted or rejected. Its expected value is

    value = sum over codes c of  uncertainty(c) * rarity(c)

- uncertainty(c) = max(0, 1 - |p_c - t_c| / UNCERTAINTY_SPREAD): 1 when the calibrated
  score p_c sits on the code's threshold t_c (the model cannot tell), 0 far from it;
- rarity(c) = 1 / (1 + ln(1 + positives of c)): codes with few coded examples count more,
  since each new example of them moves the model most.

Summing over codes favours segments the model is unsure about for several codes at once.
Ties keep document order.
"""

from __future__ import annotations

from dataclasses import dataclass

from frisat_qual.models import Segment, Suggestion
from frisat_qual.store import Project
from frisat_qual.suggest.ensemble import Suggester

UNCERTAINTY_SPREAD = 0.25


@dataclass(frozen=True)
class QueueItem:
    segment: Segment
    value: float
    #: codes whose decision is most uncertain here, most valuable first
    uncertain: tuple[str, ...]
    #: what the suggester would suggest now (above threshold)
    suggestions: tuple[Suggestion, ...]


def expected_values(probs, thresholds, positives):
    """(value per row, per-code contributions) for a rows x codes score matrix."""
    import numpy as np

    uncertainty = np.clip(1 - np.abs(probs - thresholds[None, :]) / UNCERTAINTY_SPREAD, 0, 1)
    rarity = 1 / (1 + np.log1p(np.asarray(positives, dtype=float)))
    contribution = uncertainty * rarity[None, :]
    return contribution.sum(1), contribution


def review_queue(
    project: Project,
    suggester: Suggester,
    *,
    document: int | str | None = None,
    limit: int | None = 50,
) -> list[QueueItem]:
    """Unreviewed segments of a document (or of all current documents), most valuable
    first, at most `limit`."""
    import numpy as np

    from frisat_qual.store.documents import get_document
    from frisat_qual.suggest.service import done_codes
    from frisat_qual.suggest.training import document_inputs

    ids = None if document is None else [get_document(project, document).id]
    pairs = document_inputs(project, ids)
    if not pairs:
        return []
    done = done_codes(project, [s for s, _ in pairs])
    open_pairs = [(s, item) for s, item in pairs if not done[s.id]]
    if not open_pairs:
        return []
    table = suggester.score([item for _, item in open_pairs])
    models = suggester.classifier.models if suggester.classifier else {}
    positives = [models[c].positives if c in models else 0 for c in suggester.codes]
    values, contribution = expected_values(table.probs, table.thresholds, positives)
    order = sorted(range(len(open_pairs)), key=lambda i: (-values[i], i))
    if limit is not None:
        order = order[:limit]
    suggested = dict(zip(order, suggester.suggestions_from(table.subset(order)), strict=True))
    out = []
    for i in order:
        ranked = np.argsort(-contribution[i])
        uncertain = tuple(suggester.codes[j] for j in ranked[:3] if contribution[i, j] > 0)
        out.append(
            QueueItem(open_pairs[i][0], round(float(values[i]), 4), uncertain, tuple(suggested[i]))
        )
    return out
