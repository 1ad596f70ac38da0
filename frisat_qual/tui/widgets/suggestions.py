"""SuggestionsPanel: the current segment's code suggestions with score bars and evidence."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from frisat_qual.models import Suggestion

BAR = 10


def evidence_text(evidence: dict) -> str:
    """A short line saying why: matched words, strongest features, where the step came from."""
    parts = []
    words = [
        w.get("words", w.get("keyword", "")) if isinstance(w, dict) else str(w)
        for w in evidence.get("keywords", [])
    ]
    if words:
        parts.append("words: " + ", ".join(dict.fromkeys(words)))
    if level := evidence.get("level_from"):
        parts.append(f"step from {level}")
    if features := evidence.get("features"):
        parts.append("features: " + ", ".join(str(f) for f in features[:3]))
    return "; ".join(parts)


class SuggestionsPanel(Static):
    """Shows suggestions; the workspace's keys y / Y / r accept, accept all, reject."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.suggestions: list[Suggestion] = []

    def show(
        self, suggestions: list[Suggestion], labels: dict[str, tuple[str, str]], note: str = ""
    ) -> None:
        """`labels` maps code id -> (label, colour)."""
        self.suggestions = suggestions
        text = Text()
        if note:
            text.append(note + "\n", style="dim italic")
        if not suggestions:
            text.append("no suggestions for this segment", style="dim")
        for n, s in enumerate(suggestions):
            label, color = labels.get(s.code_id, (s.code_id, "#888888"))
            filled = round(s.score * BAR)
            text.append("y " if n == 0 else "  ", style="bold")
            text.append("█" * filled, style=color)
            text.append("░" * (BAR - filled), style="dim")
            mark = "" if s.score >= s.threshold else "  (below threshold)"
            text.append(f" {s.score:.2f} ", style="bold" if s.score >= s.threshold else "dim")
            text.append(label, style=color)
            text.append(f"{mark}  {evidence_text(s.evidence)}\n", style="dim")
        self.update(text, layout=False)
