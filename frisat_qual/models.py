"""Frozen dataclasses shared by all layers.

The store returns these, the importers produce the `Parsed*` ones, and the CLI and TUI
only ever see these, never database rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Roles a speaker can have in an interview.
INTERVIEWER = "interviewer"
INFORMANT = "informant"

#: The core case attributes; manifests may add any others.
CORE_ATTRIBUTES = ("rolle", "kommune", "omraade")


@dataclass(frozen=True)
class ParsedTurn:
    """One speaker turn as found in a source file.

    Offsets are character offsets into `ParsedDocument.text`. `label_start:label_end`
    covers the speaker label as it stands in the text (empty when the text has none);
    `start:end` covers what was said.
    """

    speaker: str
    start: int
    end: int
    label_start: int = 0
    label_end: int = 0
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """A source file read into normalised text (NFC, LF line endings) with its turns."""

    source_name: str
    format: str
    text: str
    turns: tuple[ParsedTurn, ...]
    encoding: str | None = None


@dataclass(frozen=True)
class Finding:
    """A likely leftover identifier found by the anonymisation audit."""

    document: str
    start: int
    end: int
    text: str
    kind: str
    reason: str


@dataclass(frozen=True)
class Case:
    id: int
    name: str
    attributes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Document:
    id: int
    name: str
    source_name: str
    format: str
    version: int
    is_current: bool
    content_hash: str
    words: int
    case_id: int | None
    imported_at: str
    encoding: str | None = None


@dataclass(frozen=True)
class Turn:
    id: int
    document_id: int
    idx: int
    speaker: str
    role: str | None
    start: int
    end: int
    label_start: int
    label_end: int
    t_start: float | None
    t_end: float | None


@dataclass(frozen=True)
class Segment:
    id: int
    document_id: int
    turn_id: int | None
    idx: int
    start: int
    end: int
    text: str
    lemmas: str


@dataclass(frozen=True)
class Coding:
    id: int
    document_id: int
    start: int
    end: int
    code_id: str
    coder: str
    origin: str
    created: str


class CodedSpan(NamedTuple):
    """A coding without its provenance: what reports read by the hundred thousand."""

    id: int
    document_id: int
    start: int
    end: int
    code_id: str
    coder: str


@dataclass(frozen=True)
class Memo:
    id: int
    target_type: str
    target_id: str
    author: str
    text: str
    created: str
    updated: str


DEFAULT_COLOR = "#888888"


@dataclass(frozen=True)
class Keyword:
    """A lemma phrase that suggests a code; `context` lemmas must share its sentence, and
    with `negation` a negation word just before it cancels the match."""

    phrase: str
    context: tuple[str, ...] = ()
    negation: bool = False

    def to_dict(self) -> str | dict[str, Any]:
        if not self.context and not self.negation:
            return self.phrase
        out: dict[str, Any] = {"phrase": self.phrase}
        if self.context:
            out["context"] = list(self.context)
        if self.negation:
            out["negation"] = True
        return out


@dataclass(frozen=True)
class CodeSpec:
    id: str
    label: str
    parent: str | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[Keyword, ...] = ()
    color: str = DEFAULT_COLOR
    survey_spor: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    codable: bool = True
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.parent:
            out["parent"] = self.parent
        out["label"] = self.label
        if not self.codable:
            out["codable"] = False
        out["color"] = self.color
        for key in ("description", "include", "exclude"):
            if value := getattr(self, key):
                out[key] = value
        if self.examples:
            out["examples"] = list(self.examples)
        if self.keywords:
            out["keywords"] = [k.to_dict() for k in self.keywords]
        if self.survey_spor:
            out["survey_spor"] = self.survey_spor
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        return out


@dataclass(frozen=True)
class Codebook:
    id: str
    name: str
    codes: tuple[CodeSpec, ...]
    version: str = "1"
    language: str = "da"
    description: str = ""
    source: str = ""

    def by_id(self) -> dict[str, CodeSpec]:
        return {c.id: c for c in self.codes}


@dataclass(frozen=True)
class Suggestion:
    """A code suggested for a passage, as the suggester makes it (not stored yet).

    `score` is a calibrated probability; `threshold` the code's cut above which it is
    suggested. `evidence` is plain JSON data: the matched keywords, the strongest features,
    and for staircase codes whether the step came from the speaker's rolle or the text.
    """

    code_id: str
    score: float
    threshold: float
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    model_version: str = ""
    segment_id: int | None = None
    document_id: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class StoredSuggestion:
    id: int
    segment_id: int
    document_id: int
    start: int
    end: int
    code_id: str
    score: float
    evidence: dict[str, Any] = field(compare=False, hash=False)
    model_version: str
    status: str
    created: str
    reviewed_by: str | None
    reviewed_at: str | None
    coding_id: int | None


@dataclass(frozen=True)
class Respondent:
    """One survey respondent of one wave. `ratings` maps rating columns such as
    "regler_impl_a" to 1-10 (unanswered items are absent); `comments` maps a spor to its
    open comment (empty ones absent); `comment_documents` a spor to the project document
    holding that comment."""

    id: int
    respondent_id: str
    wave: str
    attributes: dict[str, str]
    ratings: dict[str, int]
    comments: dict[str, str] = field(default_factory=dict)
    comment_documents: dict[str, int] = field(default_factory=dict)
    case_id: int | None = None


@dataclass(frozen=True)
class SurveyWave:
    """One imported round of the survey: its name ("1", "pilot"), its date (ISO), the file
    it came from, and how many respondents it holds."""

    id: int
    name: str
    date: str
    source_name: str
    content_hash: str
    imported_at: str
    respondents: int = 0
