"""Find speaker turns in transcript text and guess who the interviewer is.

Provides `detect_turns` for plain text (txt and md files and the text read from docx and
odt files), `infer_interviewer`, and the label helpers the subtitle and table readers in
`formats` share (`normalise_speaker`, `looks_like_label`, `is_conventional_label`,
`accepted_labels`, `clock_to_seconds`, `seconds_to_clock`).

Danish transcripts come from many transcribers, each with a house convention ("I:", "Int:",
"[00:12:31] Speaker 2:", "Mette Hansen  0:03" on a line of its own, "**I:**" in markdown),
while ordinary sentences can look like labels ("Det er sådan: vi gør det"). The rules here
accept the conventions and reject the look-alikes, so coding starts from the right speakers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frisat_qual.models import ParsedTurn

#: A label that occurs this often makes a file "labelled"; one-off look-alikes are then
#: rejected unless they follow a known convention.
ESTABLISHED_COUNT = 3

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_STAMP = rf"(?:\[(?P<ts1>{_CLOCK})\]|\((?P<ts2>{_CLOCK})\)|(?P<ts3>{_CLOCK}))"

# A label at the start of a line, optionally after a timestamp, ending in a colon that is
# followed by whitespace or the line end ("Kl. 10:30" and "https://" are not labels).
_INLINE_LABEL = re.compile(
    rf"""
    [ \t]*
    (?:{_STAMP}[ \t]+)?
    (?P<label>
        \*\*(?P<bold>[^*:\n]{{1,30}})(?::\*\*|\*\*:)
      | \[(?P<bracket>[^\]\n]{{1,30}})\]:
      | \((?P<paren>[^)\n]{{1,30}})\):
      | (?P<plain>[^\s:*\[\]()][^:\n]{{0,29}}):
    )
    (?=[ \t]|$)
    """,
    re.VERBOSE,
)
# "00:12:31 Speaker 2" and "Speaker 2 00:12:31" alone on a line; the utterance follows.
_STAMP_THEN_NAME = re.compile(rf"[ \t]*{_STAMP}[ \t]+(?P<name>[^\s:*\[\]()][^:\n]{{0,29}}?)[ \t]*$")
_NAME_THEN_STAMP = re.compile(rf"[ \t]*(?P<name>[^\s:*\[\]()][^:\n]{{0,29}}?)[ \t]+{_STAMP}[ \t]*$")

_KNOWN_SHORT = re.compile(r"(?:I|R|IP|INT|Int\.?|INT\.)(?:[ _-]?\d{1,3})?")
_KNOWN_LONG = re.compile(
    r"(?i:interviewer|intervieweren|informant(?:en)?|interviewperson(?:en)?|interviewede"
    r"|respondent(?:en)?|moderator(?:en)?|facilitator(?:en)?)"
    r"(?:[ _-]?\d{1,3}|[ _-][A-Za-zÆØÅæøå])?"
)
_GENERIC = re.compile(
    r"(?i:speaker|taler|person|deltager|spk)[ _-]?\d{1,3}|SPEAKER_\d{1,3}|[SP]\d{1,3}"
)
_INTERVIEWER_NAME = re.compile(
    r"(?:I|Int\.?|INT\.?|(?i:interviewer|intervieweren))(?:[ _-]?\d{1,2})?"
)
_FIRST_SPEAKER_NAME = re.compile(r"(?i:speaker|taler|person|deltager)[ _-]?0*1|SPEAKER_00")

_LABEL_CHARS = re.compile(r"[^\W_][\w .\-]*")
# Lower-case words that may sit inside a name-like label ("Mette og Jens", "Leder af Skole").
_CONNECTORS = frozenset({"og", "af", "fra", "for", "i", "på", "ved", "de", "la", "van", "von"})
# Words that open sentences or metadata lines, never speakers ("Altså: ...", "Dato: ...").
_NOT_LABELS = frozenset(
    {
        "altså",
        "så",
        "men",
        "og",
        "nej",
        "ja",
        "jo",
        "nå",
        "okay",
        "ok",
        "tja",
        "hmm",
        "øh",
        "fx",
        "f.eks.",
        "dvs",
        "dvs.",
        "eksempel",
        "bemærk",
        "note",
        "nb",
        "obs",
        "citat",
        "det",
        "der",
        "den",
        "jeg",
        "vi",
        "du",
        "de",
        "han",
        "hun",
        "man",
        "hvad",
        "hvorfor",
        "hvordan",
        "hvis",
        "når",
        "kl",
        "kl.",
        "dato",
        "tid",
        "tidspunkt",
        "sted",
        "varighed",
        "emne",
        "tema",
        "bilag",
        "kilde",
        "husk",
        "se",
        "spørgsmålet",
        "svaret",
        "titel",
    }
)
_TRAILING_ANNOTATION = re.compile(r"(?:\s*(?:\[[^\]]*\]|\([^)]*\)))+\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class _Candidate:
    speaker: str
    line_start: int
    line_end: int
    label_start: int
    label_end: int
    content_start: int | None  # None: the utterance starts on the following line
    t_start: float | None


def clock_to_seconds(clock: str) -> float:
    """Seconds in a clock reading such as "00:12:31", "12:31", "1:02:03,5" or "00:12:31.500"."""
    parts = clock.strip().replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def seconds_to_clock(seconds: float) -> str:
    """ "hh:mm:ss" for a number of seconds (fractions are dropped, not rounded up)."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def normalise_speaker(raw: str) -> str:
    """The speaker name in a label: brackets, bold markers and the colon gone, spaces collapsed."""
    name = unicodedata.normalize("NFC", raw)
    previous = None
    while name != previous:
        previous = name
        name = name.strip().strip("*_").strip().rstrip(":").strip()
        if len(name) >= 2 and (name[0], name[-1]) in {("[", "]"), ("(", ")")}:
            name = name[1:-1]
    return " ".join(name.split())


def is_conventional_label(name: str) -> bool:
    """True for labels that follow a known transcription convention.

    I, R, IP, Int(.), Interviewer, Informant, Interviewperson, Respondent, Moderator (with
    an optional number or letter: "Informant 2", "Interviewer B"), and numbered generic
    speakers: "Speaker 2", "Taler 1", "Person 3", "Deltager 4", "SPEAKER_01", "S01", "P2".
    """
    return bool(
        _KNOWN_SHORT.fullmatch(name) or _KNOWN_LONG.fullmatch(name) or _GENERIC.fullmatch(name)
    )


def looks_like_label(name: str) -> bool:
    """True when `name` (already normalised) has the shape of a speaker label.

    Conventional labels always do. Any other label must be at most 4 words and 30
    characters of letters, digits, spaces, underscores, hyphens and periods, start with a
    capital letter, have every further word capitalised, numeric or a short connector
    ("og", "af", ...), and not be a sentence opener or a metadata word ("Altså", "Dato").
    So "Skoleleder", "Mette Hansen" and "Leder B" pass; "Det er sådan" does not.
    """
    if is_conventional_label(name):
        return True
    if not 0 < len(name) <= 30 or not _LABEL_CHARS.fullmatch(name):
        return False
    words = name.split(" ")
    if len(words) > 4 or not name[0].isupper():
        return False
    if name.casefold() in _NOT_LABELS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w in _CONNECTORS for w in words[1:])


def accepted_labels(counts: Mapping[str, int]) -> set[str]:
    """The label-shaped names to treat as speakers, given how often each occurs in a file.

    Conventional labels are always accepted, and so is any name that occurs at least twice.
    A name that occurs once is accepted only while no other name occurs
    `ESTABLISHED_COUNT` times or more: in a file whose speakers are clearly marked
    ("I:" forty times), a lone "Mette:" or "Resultat:" at the start of a line is far more
    likely a sentence than a speaker nobody heard from before or after.
    """
    established = any(n >= ESTABLISHED_COUNT for n in counts.values())
    return {
        name
        for name, n in counts.items()
        if is_conventional_label(name) or n >= 2 or not established
    }


def detect_turns(text: str) -> list[ParsedTurn]:
    """The speaker turns in plain transcript text, in order.

    A turn starts at a line that begins with a speaker label in any of these forms:
    "I: ...", "Interviewer: ...", "Mette Hansen: ...", "SPEAKER_01: ...", "[SPEAKER_01]: ...",
    "**I:** ..." / "**I**: ...", "[00:12:31] Speaker 2: ...", "(00:12:31) Speaker 2: ...",
    "00:12:31 Speaker 2: ...", a label alone on a line ("Interviewer:"), and
    "00:12:31 Speaker 2" or "Speaker 2 00:12:31" alone on a line; in the last three the
    utterance starts on the next line. Lines without a label continue the current turn;
    text before the first label belongs to no turn. Which label-shaped names count is
    decided by `looks_like_label` and `accepted_labels`.

    Offsets refer to `text`: the label span covers the label as written, including its
    colon and bold markers but not the timestamp; the content span covers what was said,
    without surrounding whitespace (empty, at the label's end, when nothing was said).
    `t_start` comes from the label's timestamp; `t_end` of a timed turn is the `t_start`
    of the next timed turn, when there is one.
    """
    candidates = _label_candidates(text)
    accepted = accepted_labels(Counter(c.speaker for c in candidates))
    chosen = [c for c in candidates if c.speaker in accepted]
    turns: list[ParsedTurn] = []
    for i, cand in enumerate(chosen):
        region_end = chosen[i + 1].line_start if i + 1 < len(chosen) else len(text)
        start = cand.content_start if cand.content_start is not None else cand.line_end
        said = text[start:region_end]
        content_start = start + len(said) - len(said.lstrip())
        content_end = start + len(said.rstrip())
        if content_start >= content_end:
            content_start = content_end = cand.label_end
        t_end = next((c.t_start for c in chosen[i + 1 :] if c.t_start is not None), None)
        turns.append(
            ParsedTurn(
                speaker=cand.speaker,
                start=content_start,
                end=content_end,
                label_start=cand.label_start,
                label_end=cand.label_end,
                t_start=cand.t_start,
                t_end=t_end if cand.t_start is not None else None,
            )
        )
    return turns


def _label_candidates(text: str) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    offset = 0
    for line in text.split("\n"):
        found = _label_on_line(line, offset)
        if found is not None:
            candidates.append(found)
        offset += len(line) + 1
    return candidates


def _label_on_line(line: str, offset: int) -> _Candidate | None:
    line_end = offset + len(line)
    match = _INLINE_LABEL.match(line)
    if match:
        raw = next(match.group(g) for g in ("bold", "bracket", "paren", "plain") if match.group(g))
        speaker = normalise_speaker(raw)
        if not looks_like_label(speaker):
            return None
        after = match.end("label")
        rest = line[after:]
        content = after + len(rest) - len(rest.lstrip())
        return _Candidate(
            speaker=speaker,
            line_start=offset,
            line_end=line_end,
            label_start=offset + match.start("label"),
            label_end=offset + after,
            content_start=offset + content if content < len(line) else None,
            t_start=_stamp_seconds(match),
        )
    for pattern in (_STAMP_THEN_NAME, _NAME_THEN_STAMP):
        match = pattern.match(line)
        if match:
            speaker = normalise_speaker(match.group("name"))
            if not looks_like_label(speaker):
                return None
            return _Candidate(
                speaker=speaker,
                line_start=offset,
                line_end=line_end,
                label_start=offset + match.start("name"),
                label_end=offset + match.end("name"),
                content_start=None,
                t_start=_stamp_seconds(match),
            )
    return None


def _stamp_seconds(match: re.Match[str]) -> float | None:
    clock = match.group("ts1") or match.group("ts2") or match.group("ts3")
    return clock_to_seconds(clock) if clock else None


def is_question(said: str) -> bool:
    """True when an utterance is a question: it ends with "?" or most sentences do.

    Trailing annotations such as "[griner]" or "(pause)" are ignored.
    """
    said = said.rstrip()
    if said.endswith(("]", ")")):  # the anchored pattern is slow on long turns: only then
        said = _TRAILING_ANNOTATION.sub("", said)
    said = said.strip().rstrip("\"'»”)] ")
    if not said:
        return False
    if said.endswith("?"):
        return True
    sentences = [s for s in _SENTENCE_END.split(said) if s.strip()]
    asked = sum(1 for s in sentences if s.rstrip().rstrip("\"'»”").endswith("?"))
    return asked * 2 > len(sentences)


def infer_interviewer(text: str, turns: Sequence[ParsedTurn]) -> str | None:
    """The speaker who is most likely the interviewer, or None when nothing points to one.

    The rule, in order:

    1. Count question turns per speaker (`is_question`).
    2. If a speaker is labelled as the interviewer (I, Int, Int., Interviewer,
       Intervieweren, optionally numbered: "Interviewer 1"), that speaker is the
       interviewer (with several, the one asking most questions, then the first to speak),
       unless the counts clearly contradict it: another speaker asks at least 3 questions
       and at least twice as many as the labelled interviewer.
    3. Otherwise the speaker with the most question turns, if there is exactly one.
    4. On a tie, the tied speaker named like a first speaker ("Speaker 1", "Taler 1",
       "SPEAKER_00"); with no questions at all, any speaker so named; else None.
    """
    order: list[str] = []
    questions: Counter[str] = Counter()
    for turn in turns:
        if not turn.speaker:
            continue
        if turn.speaker not in order:
            order.append(turn.speaker)
        if is_question(text[turn.start : turn.end]):
            questions[turn.speaker] += 1
    if not order:
        return None
    top = max((questions[s] for s in order), default=0)
    leaders = [s for s in order if top > 0 and questions[s] == top]
    named = [s for s in order if _INTERVIEWER_NAME.fullmatch(s)]
    if named:
        best = max(named, key=lambda s: (questions[s], -order.index(s)))
        if len(leaders) == 1 and leaders[0] not in named:
            challenger = questions[leaders[0]]
            if challenger >= 3 and challenger >= 2 * max(questions[best], 1):
                return leaders[0]
        return best
    if len(leaders) == 1:
        return leaders[0]
    pool = leaders if leaders else order
    return next((s for s in pool if _FIRST_SPEAKER_NAME.fullmatch(s)), None)
