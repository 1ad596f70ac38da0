"""Anonymisation audit: find identifiers left in a transcript that should have been removed.

Transcripts are personal data under GDPR, and the project only takes in anonymised ones.
People anonymise by hand and miss things, so before import (and on demand) the text is
scanned for what most often slips through: CPR numbers, phone numbers, e-mail addresses,
street addresses, postcodes, municipality and town names, Danish first names and surnames,
and any other capitalised word in the middle of a sentence. Danish capitalises only proper
nouns, so a capitalised word mid-sentence that is not in the Danish vocabulary is very likely
a name.

`audit_text` returns `Finding`s sorted by position, without overlaps; `pseudonymise` in
`frisat_qual.corpus.pseudonymise` can then replace them with placeholders.

The name and place lists are plain text files in `frisat_qual/corpus/data/` (each says
where it comes from). The vocabulary is the Danish lemma lookup table of spacy-lookups-data,
loaded on first use and kept for the life of the process; nothing heavy loads at import.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files

from frisat_qual.errors import FrisatError
from frisat_qual.models import Finding

#: Finding kinds, most specific first. When two detectors claim the same span the one
#: earlier in this tuple wins.
KINDS = (
    "cpr",
    "email",
    "phone",
    "address",
    "postcode",
    "municipality",
    "town",
    "person",
    "proper_noun",
)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

# -- word lists --------------------------------------------------------------------------

_DATA_FILES = (
    "first_names.txt",
    "last_names.txt",
    "municipalities.txt",
    "towns.txt",
    "street_suffixes.txt",
    "allow_words.txt",
)


def read_word_list(name: str) -> tuple[str, ...]:
    """The entries of one of the shipped lists (comments and blank lines dropped)."""
    if name not in _DATA_FILES:
        raise FrisatError(f"unknown word list {name!r}; expected one of {', '.join(_DATA_FILES)}")
    text = (files("frisat_qual") / "corpus" / "data" / name).read_text(encoding="utf-8")
    entries = (line.strip() for line in text.splitlines())
    return tuple(entry for entry in entries if entry and not entry.startswith("#"))


@dataclass(frozen=True)
class _Lists:
    first_names: frozenset[str]  # lowercase
    last_names: frozenset[str]
    municipalities: frozenset[str]
    towns: frozenset[str]  # single-token towns
    town_phrases: dict[str, tuple[tuple[str, ...], ...]]  # first word -> following words
    suffixes: tuple[str, ...]
    allow_words: frozenset[str]  # exact case
    allow_phrases: re.Pattern[str] | None  # exact case, multi-word entries
    address_re: re.Pattern[str]


@functools.cache
def _lists() -> _Lists:
    towns: set[str] = set()
    phrases: dict[str, list[tuple[str, ...]]] = {}
    for town in read_word_list("towns.txt"):
        words = town.lower().split()
        if len(words) == 1:
            towns.add(words[0])
        else:
            phrases.setdefault(words[0], []).append(tuple(words[1:]))
    allow_words: set[str] = set()
    allow_phrases: list[str] = []
    for entry in read_word_list("allow_words.txt"):
        if " " in entry:
            allow_phrases.append(entry)
        else:
            allow_words.add(entry)
    suffixes = tuple(sorted(set(read_word_list("street_suffixes.txt")), key=len, reverse=True))
    return _Lists(
        first_names=frozenset(n.lower() for n in read_word_list("first_names.txt")),
        last_names=frozenset(n.lower() for n in read_word_list("last_names.txt")),
        municipalities=frozenset(n.lower() for n in read_word_list("municipalities.txt")),
        towns=frozenset(towns),
        town_phrases={k: tuple(sorted(v, key=len, reverse=True)) for k, v in phrases.items()},
        suffixes=suffixes,
        allow_words=frozenset(allow_words),
        allow_phrases=_phrase_pattern(tuple(allow_phrases), ignore_case=False),
        address_re=_address_pattern(suffixes),
    )


@functools.cache
def danish_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """`(vocabulary, proper_only)`: lowercased Danish word forms, and those among them that
    the lexicon spells only with a capital (København, Danmark).

    The source is the Danish `lemma_lookup` table of spacy-lookups-data, both its keys
    (inflected forms) and values (lemmas). `spacy.lookups.load_lookups` stores keys as hashes,
    so the table is read through the same registry entry and loader that it uses, which keeps
    the strings. Loaded once per process (about a second).
    """
    try:
        from spacy.util import load_language_data, registry
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise FrisatError("the audit needs spaCy; install frisat-qual's dependencies") from exc
    try:
        path = registry.lookups.get("da")["lemma_lookup"]
    except Exception as exc:  # registry raises its own error type for a missing entry
        raise FrisatError(
            "the Danish word list is missing: install the package spacy-lookups-data"
        ) from exc
    table: dict[str, str] = load_language_data(path)
    lower: set[str] = set()
    capitalised: set[str] = set()
    for pair in table.items():
        for form in pair:
            folded = form.lower()
            if folded == form:
                lower.add(form)
            else:
                capitalised.add(folded)
    return frozenset(lower | capitalised), frozenset(capitalised - lower)


# -- regular expressions -------------------------------------------------------------------

_UPPER = "A-ZÆØÅÄÖÜÉ"
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
#: Words that start with a capital letter: the only ones the word pass needs to look at
#: (Danish capitalises only proper nouns), found without visiting every lower-case word.
_CAP_WORD_RE = re.compile(r"(?<![^\W_])[A-ZÀ-ÖØ-Þ][^\W_]*(?:[-'’][^\W_]+)*")
_BRACKET_RE = re.compile(r"\[[^\[\]\n]{0,80}\]")
_ABBREVIATION_RE = re.compile(
    r"(?:^|[^\w.])(?:f\.eks|bl\.a|ca|kl|nr|jf|evt|inkl|ift|vha|pga|mht|hhv|dvs|fx|sdr|hr|fru)\.$",
    re.IGNORECASE,
)
_SENTENCE_END = frozenset(".!?:…")
_OPENERS = frozenset("\"“”„«»'‘’([]–—-•*")

_CPR_RE = re.compile(r"(?<![\w.,/+-])(\d{2})(\d{2})(\d{2})([- ]?)(\d)(\d{3})(?![\w]|[.,]\d)")
_PHONE_RE = re.compile(
    r"(?<![\w.,/+-])(?:(?P<cc>\(?(?:\+45|0045)\)?)[ -]?(?P<intl>\d{2}(?:[ -]?\d{2}){3})"
    r"|(?P<plain>[2-9]\d(?:[ -]?\d{2}){3}))(?![\w]|[.,]\d)"
)
_MONEY_AFTER_RE = re.compile(
    r"\s*(?:kr\b|kroner|mio|mia|millioner|milliarder|%|procent|euro|dkk|timer|år\b|stk)",
    re.IGNORECASE,
)
#: Eight digits after these are an amount, a time or a company's CVR number, not a phone.
_NOT_PHONE_BEFORE_RE = re.compile(
    r"(?:\bkr\.?|\bdkk|\bca\.?|\bkl\.?|\bcvr[\w.-]*(?:\s+(?:er|nr\.?|nummer))?)\s*:?\s*$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_POSTCODE_RE = re.compile(
    rf"(?<![\w.,])(?:DK-)?(?P<code>[1-9]\d{{3}})[ ](?P<town>[{_UPPER}][^\W\d_]*"
    rf"(?:-[{_UPPER}][^\W\d_]*)?)(?P<rest>[ ](?:[{_UPPER}][^\W\d_]+|[CKVNSØ]|SV|SØ|NV|NØ)(?!\w))?"
)
_DISTRICTS = frozenset({"C", "K", "V", "N", "S", "Ø", "SV", "SØ", "NV", "NØ"})
#: Words that may stand before a street name but are not part of it.
_NOT_STREET = frozenset(
    [
        "i",
        "på",
        "til",
        "fra",
        "ved",
        "og",
        "vi",
        "jeg",
        "han",
        "hun",
        "de",
        "det",
        "den",
        "der",
        "hos",
        "mod",
        "om",
        "under",
        "over",
        "efter",
        "for",
        "med",
        "men",
        "så",
        "bor",
        "nede",
        "oppe",
        "henne",
        "ude",
        "hjem",
        "hjemme",
        "inde",
    ]
)
#: A number followed by one of these counts something; it is not a house number.
_COUNT_WORDS = (
    "gange|år|dage|timer|minutter|uger|måneder|børn|elever|borgere|personer|medarbejdere"
    "|ansatte|kr|kroner|procent|point|stk"
)
_SPEAKER_LABEL_RE = re.compile(r"[ \t]*:")
#: Endings that only street names have; other endings (-ager, -have, -mark) also end
#: ordinary words (deltager, kolonihave, Danmark).
_STREET_ONLY_SUFFIXES = (
    "vej",
    "vejen",
    "gade",
    "gaden",
    "allé",
    "alle",
    "alléen",
    "stræde",
    "strædet",
    "boulevard",
    "vænget",
    "vænge",
    "plads",
    "pladsen",
    "torv",
    "torvet",
    "passage",
    "promenade",
    "gyde",
    "gyden",
)
_KOMMUNE_WORDS = frozenset(
    {"kommune", "kommunes", "kommunen", "kommunens", "regionskommune", "regionskommunes"}
)
_KOMMUNE_AFTER_RE = re.compile(
    r"[ \t\xa0]+(" + "|".join(sorted(_KOMMUNE_WORDS, key=len, reverse=True)) + r")(?![^\W_])",
    re.IGNORECASE,
)
#: Digits (or an @) a pattern detector needs; they are only run near these.
_TRIGGER_RE = re.compile(r"\d+|@")
_WINDOW = 80
#: Institution words: a run of capitalised words that starts or ends with one of these is
#: the name of a school, care home, day care or firm even when its words are ordinary.
_INSTITUTION_ENDINGS = (
    "skole",
    "skolen",
    "børnehus",
    "børnehuset",
    "børnehave",
    "børnehaven",
    "vuggestue",
    "vuggestuen",
    "institution",
    "plejecenter",
    "plejecentret",
    "plejecenteret",
    "plejehjem",
    "plejehjemmet",
    "center",
    "centret",
    "centeret",
    "huset",
    "gården",
    "sygehus",
    "hospital",
    "gymnasium",
    "bibliotek",
    "klub",
    "klubben",
    "forening",
    "bank",
    "kirke",
    "aps",
)


def _phrase_pattern(phrases: tuple[str, ...], *, ignore_case: bool) -> re.Pattern[str] | None:
    cleaned = sorted({" ".join(p.split()) for p in phrases if p.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in cleaned)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE if ignore_case else 0)


_user_allow_pattern = functools.lru_cache(maxsize=32)(_phrase_pattern)


def _address_pattern(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    low = "|".join(re.escape(s) for s in suffixes)
    cap = "|".join(re.escape(s[0].upper() + s[1:]) for s in suffixes)
    name_word = rf"[{_UPPER}][^\W\d_]*(?:[.'’-][^\W\d_]*)*\.?"
    number = r"\d{1,3}(?:[A-Z]|[a-z](?![a-zæøå])|[ ][A-Z](?!\w))?"
    floor = (
        r"(?:,?[ ](?:(?:\d{1,2}\.?|st\.?|kl\.?)[ ]?(?:sal|th|tv|mf|t\.[ ]?h|t\.[ ]?v)\b\.?"
        r"|st\.|kl\.))"
    )
    return re.compile(
        rf"(?<![\w.])(?P<street>(?:{name_word}[ ]){{0,3}}[{_UPPER}][^\W\d_]*?(?:{low})"
        rf"|(?:{name_word}[ ]){{1,3}}(?:{cap}))"
        rf"[ ](?P<number>{number})(?![\d]|[.,]\d|[ ](?:{_COUNT_WORDS})\b)(?P<floor>{floor})?"
    )


# -- helpers ---------------------------------------------------------------------------------


def _starts_sentence(text: str, start: int) -> bool:
    """True when the word at `start` opens a sentence, a line, a turn or a quotation."""
    i = start - 1
    while i >= 0 and text[i] in " \t\xa0":
        i -= 1
    if i < 0 or text[i] in "\r\n\f\v\x1c\x1d\x1e\x85\u2028\u2029":
        return True
    char = text[i]
    if char in _SENTENCE_END:
        return not (char == "." and _ABBREVIATION_RE.search(text[max(0, i - 8) : i + 1]))
    return char in _OPENERS


def _cpr_is_valid(dd: int, mm: int, yy: int, digit7: int) -> bool:
    """Whether day/month are a real date in the century that CPR's 7th digit implies."""
    if digit7 <= 3:
        century = 1900
    elif digit7 in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    try:
        _dt.date(century + yy, mm, dd)
    except ValueError:
        return False
    return True


def _base_forms(token: str) -> tuple[str, ...]:
    """The token and its form without a genitive ending (KL's -> KL, Mettes -> Mette)."""
    for mark in ("'", "’"):
        if mark in token:
            return (token, token.split(mark, 1)[0])
    if len(token) > 3 and token.endswith("s"):
        return (token, token[:-1])
    return (token,)


def _is_blank(gap: str) -> bool:
    """Only spaces or tabs between two words of one name (no line break, no punctuation)."""
    return bool(gap) and not gap.strip(" \t\xa0")


def _is_acronym(token: str) -> bool:
    if len(token) < 2 or not token[1].isupper():
        return False  # the common case, decided without building the base forms
    core = _base_forms(token)[-1]
    letters = [c for c in core if c.isalpha()]
    return 2 <= len(letters) <= 5 and all(c.isupper() for c in letters)


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    reason: str


class _Auditor:
    """One audit of one text: the token pass and the regular-expression detectors."""

    def __init__(self, text: str, allow: tuple[str, ...]):
        self.text = text
        self.lists = _lists()
        self.vocab, self.proper_only = danish_vocabulary()
        size = len(text)
        # hard: never report anything here (pseudonyms, the caller's allow list);
        # (the built-in allow list only silences the word-level detectors: see detect_words)
        self.hard = bytearray(size)
        for match in _BRACKET_RE.finditer(text):
            self.hard[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        user = _user_allow_pattern(tuple(a for a in allow if a.strip()), ignore_case=True)
        if user is not None:
            for match in user.finditer(text):
                self.hard[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        self.candidates: list[_Candidate] = []

    # -- shared predicates

    def common(self, word: str) -> bool:
        """An ordinary Danish word when written in lowercase (sommer, ravn, vejen)."""
        return word in self.vocab and word not in self.proper_only

    def known(self, word: str) -> bool:
        """Known to the vocabulary, the built-in allow list or as an acronym."""
        return (
            word.lower() in self.vocab
            or word in self.lists.allow_words
            or _is_acronym(word)
            or word.isdigit()
            or any(f in self.lists.allow_words for f in _base_forms(word)[1:])
        )

    def hard_blocked(self, start: int, end: int) -> bool:
        return self.hard.find(1, start, end) != -1

    def add(self, start: int, end: int, kind: str, reason: str) -> None:
        self.candidates.append(_Candidate(start, end, kind, reason))

    # -- regular-expression detectors

    def _windows(self) -> list[tuple[int, int]]:
        """Stretches of text around digits and @-signs, merged; every pattern detector
        needs one of these, so scanning only these stretches finds the same matches."""
        windows: list[tuple[int, int]] = []
        size = len(self.text)
        for m in _TRIGGER_RE.finditer(self.text):
            a, b = max(0, m.start() - _WINDOW), min(size, m.end() + _WINDOW)
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
        return windows

    def _scan(self, pattern: re.Pattern[str]):
        for a, b in self.windows:
            yield from pattern.finditer(self.text, a, b)

    def detect_patterns(self) -> None:
        text = self.text
        self.windows = self._windows()
        for m in self._scan(_CPR_RE):
            dd, mm, yy, sep, d7 = int(m[1]), int(m[2]), int(m[3]), m[4], int(m[5])
            if _cpr_is_valid(dd, mm, yy, d7):
                if sep == "-":
                    reason = "CPR number (ddmmyy-xxxx) with a valid date"
                elif sep:
                    reason = "CPR number (ddmmyy xxxx) with a valid date"
                else:
                    reason = "CPR number without dash (ddmmyyxxxx) with a valid date"
                self.add(m.start(), m.end(), "cpr", reason)
        for m in self._scan(_EMAIL_RE):
            self.add(m.start(), m.end(), "email", "e-mail address")
        for m in self._scan(_PHONE_RE):
            if m["cc"]:
                self.add(m.start(), m.end(), "phone", "Danish phone number with country code")
                continue
            halves = re.split(r"[ -]", m["plain"])
            if len(halves) == 2 and all(len(h) == 4 and 1900 <= int(h) <= 2099 for h in halves):
                continue  # two years: "2019 2020", "2024-2027"
            if _MONEY_AFTER_RE.match(text, m.end()) or _NOT_PHONE_BEFORE_RE.search(
                text[max(0, m.start() - 24) : m.start()]
            ):
                continue
            self.add(m.start(), m.end(), "phone", "eight-digit Danish phone number")
        self._detect_addresses()
        self._detect_postcodes()

    def _detect_addresses(self) -> None:
        lists = self.lists
        for m in self._scan(lists.address_re):
            street = m["street"]
            start = m.start()
            words = street.split(" ")
            # drop leading words that belong to the sentence, not the street ("I Vestergade")
            while len(words) > 1 and words[0].lower() in _NOT_STREET:
                start += len(words[0]) + 1
                words = words[1:]
            if _SPEAKER_LABEL_RE.match(self.text, m.end("number")):
                continue  # "Deltager 2:" is a speaker, not an address
            if len(words) == 1:
                name = words[0]
                folded = name.lower()
                if (
                    name in lists.allow_words
                    or folded in lists.municipalities
                    or folded in lists.towns
                    or folded in lists.suffixes
                ):
                    continue
                # "Modtager 2 af ..." opens a sentence with an ordinary word that merely
                # ends like a street; street names with a street-only ending still count
                if (
                    not folded.endswith(_STREET_ONLY_SUFFIXES)
                    and self.common(folded)
                    and _starts_sentence(self.text, start)
                ):
                    continue
            self.add(
                start,
                m.end(),
                "address",
                "street name with a Danish street suffix followed by a house number",
            )

    def _detect_postcodes(self) -> None:
        lists = self.lists
        for m in self._scan(_POSTCODE_RE):
            code = int(m["code"])
            if not 1000 <= code <= 9990:
                continue
            town = m["town"]
            folded = town.lower()
            place = (
                folded in lists.municipalities
                or folded in lists.towns
                or folded in lists.town_phrases
            )
            if not place:
                if 1900 <= code <= 2099:
                    continue  # most likely a year: "i 2019 Mette ..."
                if self.known(town) or folded in lists.first_names or folded in lists.last_names:
                    continue
            end = m.end("town")
            rest = m["rest"]
            if rest:
                word = rest.strip()
                if (
                    word in _DISTRICTS
                    or (word.lower(),) in lists.town_phrases.get(folded, ())
                    or word.lower() not in self.vocab
                ):
                    end = m.end()
            self.add(m.start(), end, "postcode", "four-digit Danish postcode followed by a town")

    # -- the word-level pass

    def detect_words(self) -> None:
        text = self.text
        tokens = [(m.start(), m.end(), m.group()) for m in _CAP_WORD_RE.finditer(text)]
        allow_phrases = self.lists.allow_phrases
        soft_until = -1
        runs: list[list[int]] = []
        run: list[int] = []
        mid: dict[int, bool] = {}
        for i, (start, end, token) in enumerate(tokens):
            if start >= soft_until and allow_phrases is not None:
                # built-in multi-word allow entries ("Dansk Folkeparti") start with a capital,
                # so trying them only where a capitalised word starts finds them all
                phrase = allow_phrases.match(text, start)
                if phrase is not None:
                    soft_until = phrase.end()
            if not token[0].isupper() or self.hard[start] or start < soft_until:
                run = self._close_run(run, runs)
                continue
            if len(token) == 1:
                # an initial ("Anne K. Jensen") may continue a run; "I" alone may not
                if run and text[end : end + 2] == ". " and text[tokens[run[-1]][1] : start] == " ":
                    run.append(i)
                    mid[i] = True
                else:
                    run = self._close_run(run, runs)
                continue
            is_mid = not _starts_sentence(text, start)
            mid[i] = is_mid
            if _is_acronym(token) and self._lookup(token) is None:
                run = self._close_run(run, runs)
                continue
            nxt = _KOMMUNE_AFTER_RE.match(text, end)
            if (
                nxt is not None
                and token.lower() not in _KOMMUNE_WORDS
                and not self.hard_blocked(nxt.start(1), nxt.end(1))
                and (is_mid or self._names_municipality(token))
            ):
                self.add(
                    start, nxt.end(1), "municipality", f"'{token} {nxt[1]}' names a municipality"
                )
            self._classify_token(start, token, is_mid, tokens, i)
            if token.lower() in _KOMMUNE_WORDS:
                run = self._close_run(run, runs)
                continue
            prev_end = tokens[run[-1]][1] if run else -1
            gap = text[prev_end:start] if run else ""
            if run and not (_is_blank(gap) or (len(tokens[run[-1]][2]) == 1 and gap == ". ")):
                run = self._close_run(run, runs)
            run.append(i)
        self._close_run(run, runs)
        for run in runs:
            self._classify_run(run, tokens, mid)

    @staticmethod
    def _close_run(run: list[int], runs: list[list[int]]) -> list[int]:
        if len(run) >= 2:
            runs.append(run)
        return []

    def _names_municipality(self, token: str) -> bool:
        lists = self.lists
        for form in _base_forms(token):
            folded = form.lower()
            if folded in lists.municipalities or folded in lists.towns:
                return True
        return not self.known(token) and all(
            f.lower() not in self.vocab for f in _base_forms(token)
        )

    def _place_or_name(self, form: str) -> str | None:
        lists = self.lists
        if form in lists.municipalities:
            return "municipality"
        if form in lists.towns:
            return "town"
        if form in lists.first_names:
            return "first"
        if form in lists.last_names:
            return "last"
        return None

    def _lookup(self, token: str) -> str | None:
        if token in self.lists.allow_words:
            return None
        for form in _base_forms(token):
            found = self._place_or_name(form.lower())
            if found:
                return found
        return None

    def _classify_token(
        self, start: int, token: str, is_mid: bool, tokens: list[tuple[int, int, str]], i: int
    ) -> None:
        text = self.text
        lists = self.lists
        folded = token.lower()
        # multi-word towns: "Nykøbing Falster", "Greve Strand"
        for tail in lists.town_phrases.get(folded, ()):
            j = i + len(tail)
            if j < len(tokens) and all(
                tokens[i + k + 1][2].lower() == word
                and _is_blank(text[tokens[i + k][1] : tokens[i + k + 1][0]])
                for k, word in enumerate(tail)
            ):
                self.add(start, tokens[j][1], "town", "name of a Danish town")
                return
        if any(f in lists.allow_words for f in _base_forms(token)):
            return
        kind = self._lookup(token)
        if kind is not None:
            ambiguous = any(self.common(f.lower()) for f in _base_forms(token))
            if is_mid or not ambiguous:
                self._add_listed(start, start + len(token), kind)
            return
        if "-" in token:
            self._classify_parts(start, token, is_mid)
            return
        if is_mid and not self.known(token) and not any(c.isdigit() for c in token):
            self.add(
                start,
                start + len(token),
                "proper_noun",
                "capitalised word mid-sentence not in the Danish vocabulary",
            )

    def _add_listed(self, start: int, end: int, kind: str) -> None:
        if kind == "municipality":
            self.add(start, end, "municipality", "name of a Danish municipality")
        elif kind == "town":
            self.add(start, end, "town", "name of a Danish town")
        elif kind == "first":
            self.add(start, end, "person", "Danish first name")
        else:
            self.add(start, end, "person", "Danish surname")

    def _classify_parts(self, start: int, token: str, is_mid: bool) -> None:
        """Hyphenated words: "Aarhus-modellen", "Anne-Marie", "SFO-lederen"."""
        offset = start
        unknown = False
        for n, part in enumerate(token.split("-")):
            part_mid = is_mid or n > 0
            if part and part[0].isupper() and not _is_acronym(part):
                kind = self._lookup(part)
                if kind is not None:
                    ambiguous = self.common(part.lower())
                    if part_mid or not ambiguous:
                        self._add_listed(offset, offset + len(part), kind)
                elif not self.known(part):
                    unknown = True
            offset += len(part) + 1
        if is_mid and unknown and not self.known(token):
            self.add(
                start,
                start + len(token),
                "proper_noun",
                "capitalised word mid-sentence not in the Danish vocabulary",
            )

    def _classify_run(
        self, run: list[int], tokens: list[tuple[int, int, str]], mid: dict[int, bool]
    ) -> None:
        """Runs of capitalised words: full names and names of institutions."""
        # drop sentence words in front ("Men Mette Hansen", "Så Plejecenter Solhøj")
        while (
            run
            and not mid[run[0]]
            and self._lookup(tokens[run[0]][2]) is None
            and (tokens[run[0]][2].lower() in self.vocab)
        ):
            run = run[1:]
        if len(run) < 2:
            return
        words = [tokens[i][2] for i in run]
        kinds = [self._lookup(w) if len(w) > 1 else None for w in words]
        start, end = tokens[run[0]][0], tokens[run[-1]][1]
        if len(run) <= 4 and any(k in ("first", "last") for k in kinds):
            if kinds[0] == "first":
                reason = "first name followed by a capitalised word (likely a full name)"
            else:
                reason = "capitalised words including a known name (likely a full name)"
            self.add(start, end, "person", reason)
            return
        if any(k is not None for k in kinds):
            return
        ends = (words[0].lower(), words[-1].lower())
        institution = any(e.endswith(_INSTITUTION_ENDINGS) for e in ends)
        unknown = any(not self.known(w) for w in words if len(w) > 1)
        if institution or (unknown and mid[run[0]]) or (unknown and not self.known(words[0])):
            self.add(
                start,
                end,
                "proper_noun",
                "capitalised words mid-sentence (likely the name of a place or institution)",
            )

    # -- result

    def findings(self, document: str) -> list[Finding]:
        chosen: list[_Candidate] = []
        claimed = bytearray(len(self.text))
        order = sorted(self.candidates, key=lambda c: (-(c.end - c.start), _RANK[c.kind], c.start))
        for cand in order:
            if cand.end <= cand.start or self.hard_blocked(cand.start, cand.end):
                continue
            if claimed.find(1, cand.start, cand.end) != -1:
                continue
            claimed[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
            chosen.append(cand)
        chosen.sort(key=lambda c: (c.start, c.end))
        return [
            Finding(document, c.start, c.end, self.text[c.start : c.end], c.kind, c.reason)
            for c in chosen
        ]


def audit_text(text: str, *, document: str = "", allow: Iterable[str] = ()) -> list[Finding]:
    """Likely leftover identifiers in `text`, sorted by start and never overlapping.

    `allow` lists words or phrases (matched case-insensitively, as whole words) that are
    never reported, e.g. the pseudonyms a project uses. Text in square brackets, as written
    by `pseudonymise` ("[PERSON-1]") or by transcribers ("[griner]"), is never reported.
    Where detectors disagree, the longer span wins, then the more specific kind (KINDS order).
    """
    if isinstance(allow, str):
        allow = (allow,)
    auditor = _Auditor(text, tuple(allow))
    auditor.detect_patterns()
    auditor.detect_words()
    return auditor.findings(document)
