"""Speaker-turn detection and interviewer inference on plain transcript text."""

from __future__ import annotations

import pytest

from frisat_qual.corpus.turns import (
    accepted_labels,
    clock_to_seconds,
    detect_turns,
    infer_interviewer,
    is_question,
    looks_like_label,
    normalise_speaker,
    seconds_to_clock,
)
from frisat_qual.models import ParsedTurn


def said(text: str, turn: ParsedTurn) -> str:
    return text[turn.start : turn.end]


def label(text: str, turn: ParsedTurn) -> str:
    return text[turn.label_start : turn.label_end]


@pytest.mark.parametrize(
    ("line", "speaker"),
    [
        ("I: Hvordan startede det?", "I"),
        ("R: Det startede i 2019.", "R"),
        ("IP: Det startede i 2019.", "IP"),
        ("Int: Hvordan startede det?", "Int"),
        ("Int.: Hvordan startede det?", "Int."),
        ("Interviewer: Hvordan startede det?", "Interviewer"),
        ("Informant: Det startede i 2019.", "Informant"),
        ("Interviewperson: Det startede i 2019.", "Interviewperson"),
        ("Skoleleder: Det startede i 2019.", "Skoleleder"),
        ("Mette: Det startede i 2019.", "Mette"),
        ("Mette Hansen: Det startede i 2019.", "Mette Hansen"),
        ("Speaker 2: Det startede i 2019.", "Speaker 2"),
        ("Taler 1: Det startede i 2019.", "Taler 1"),
        ("SPEAKER_01: Det startede i 2019.", "SPEAKER_01"),
        ("[SPEAKER_01]: Det startede i 2019.", "SPEAKER_01"),
        ("**I:** Hvordan startede det?", "I"),
        ("**Informant**: Det startede i 2019.", "Informant"),
        ("  Int:\tHvordan startede det?", "Int"),
    ],
)
def test_each_inline_label_convention_starts_a_turn(line: str, speaker: str) -> None:
    text = f"Forord uden label.\n\n{line}"
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == [speaker]
    assert said(text, turns[0]) in {"Hvordan startede det?", "Det startede i 2019."}
    assert normalise_speaker(label(text, turns[0])) == speaker
    assert turns[0].label_start == text.index(line.strip())
    assert turns[0].t_start is None


@pytest.mark.parametrize(
    "line",
    ["[00:12:31] Speaker 2: Det gik godt.", "(00:12:31) Speaker 2: Det gik godt."],
)
def test_timestamped_label_gives_t_start_and_label_span_without_stamp(line: str) -> None:
    text = f"{line}\n[00:13:05] Speaker 1: Og så?"
    first, second = detect_turns(text)
    assert first.speaker == "Speaker 2"
    assert label(text, first) == "Speaker 2:"
    assert said(text, first) == "Det gik godt."
    assert first.t_start == pytest.approx(12 * 60 + 31)
    assert first.t_end == pytest.approx(13 * 60 + 5)
    assert second.t_start == pytest.approx(13 * 60 + 5)
    assert second.t_end is None


def test_stamp_then_name_alone_on_a_line_takes_the_following_lines() -> None:
    text = (
        "00:12:31 Speaker 2\nFørste linje af svaret.\nAnden linje.\n\n"
        "00:13:40 Speaker 1\nHvad skete der så?"
    )
    first, second = detect_turns(text)
    assert (first.speaker, second.speaker) == ("Speaker 2", "Speaker 1")
    assert label(text, first) == "Speaker 2"
    assert said(text, first) == "Første linje af svaret.\nAnden linje."
    assert said(text, second) == "Hvad skete der så?"
    assert (first.t_start, first.t_end) == (751.0, 820.0)


def test_name_then_stamp_alone_on_a_line_otter_style() -> None:
    text = "Mette Hansen  0:03\nVelkommen til.\n\nJens  1:15\nTak.\n\nMette Hansen  2:01\nGodt."
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Mette Hansen", "Jens", "Mette Hansen"]
    assert [t.t_start for t in turns] == [3.0, 75.0, 121.0]
    assert [said(text, t) for t in turns] == ["Velkommen til.", "Tak.", "Godt."]


def test_label_alone_on_a_line_takes_the_next_paragraph() -> None:
    text = "Interviewer:\nHvad tænker du om det?\n\nInformant:\nDet er svært."
    first, second = detect_turns(text)
    assert said(text, first) == "Hvad tænker du om det?"
    assert label(text, first) == "Interviewer:"
    assert said(text, second) == "Det er svært."


def test_unlabelled_paragraphs_continue_the_turn_and_preamble_is_no_turn() -> None:
    text = (
        "Interview med skoleleder, marts.\n\n"
        "I: Fortæl om frisættelsen.\n\n"
        "R: Vi startede med at fjerne regler.\n\n"
        "Bagefter kom dokumentationen.\n"
        "Og så målene.\n\n"
        "I: Tak."
    )
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["I", "R", "I"]
    assert said(text, turns[1]) == (
        "Vi startede med at fjerne regler.\n\nBagefter kom dokumentationen.\nOg så målene."
    )
    assert turns[0].label_start == text.index("I: Fortæl")


def test_label_with_nothing_said_has_an_empty_span_at_the_label_end() -> None:
    text = "I:\nR: Ja."
    first, second = detect_turns(text)
    assert first.start == first.end == first.label_end == 2
    assert said(text, second) == "Ja."


def test_text_without_labels_has_no_turns() -> None:
    assert detect_turns("Bare en tekst.\n\nUden nogen talere.") == []


@pytest.mark.parametrize(
    "line",
    [
        "Det er sådan: vi gør det på vores egen måde.",
        "Hun sagde: det gør vi ikke.",
        "Kl. 10:30 mødtes vi i forvaltningen.",
        "https://example.dk er vores side.",
        "Altså: det var ikke nemt.",
        "Dato: 12. marts 2024",
        "Mette, Jens og Hanne: de var der alle.",
        "Leder af det gamle dagtilbud i byen: de var der alle.",
        "En meget lang betegnelse for en taler her: tekst",
        "vi sagde: nej tak",
        "12: tolv",
    ],
)
def test_sentences_with_colons_are_not_labels(line: str) -> None:
    text = f"I: Hvordan var det?\n{line}"
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["I"]
    assert said(text, turns[0]).endswith(line)


def test_one_off_label_lookalike_is_rejected_when_labels_are_established() -> None:
    text = "\n".join(
        [
            "I: Hvad gjorde I?",
            "R: Vi lavede en plan.",
            "Resultat: færre regler.",
            "I: Og så?",
            "R: Så kørte det.",
            "I: Godt.",
            "R: Ja.",
        ]
    )
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["I", "R", "I", "R", "I", "R"]
    assert said(text, turns[1]) == "Vi lavede en plan.\nResultat: færre regler."


def test_one_off_conventional_label_is_kept_among_established_labels() -> None:
    text = "\n".join(
        [
            "Mette: Hej.",
            "Jens: Hej.",
            "Mette: Ja.",
            "Jens: Nej.",
            "Mette: Jo.",
            "Speaker 3: Må jeg sige noget?",
        ]
    )
    assert [t.speaker for t in detect_turns(text)][-1] == "Speaker 3"


def test_one_off_names_are_kept_when_no_label_is_established() -> None:
    text = "Mette: Hej.\nJens: Hej med dig."
    assert [t.speaker for t in detect_turns(text)] == ["Mette", "Jens"]


def test_a_name_that_occurs_twice_is_kept_among_established_labels() -> None:
    text = "\n".join(["I: a?", "R: b.", "I: c?", "R: d.", "I: e?", "Hanne: f.", "Hanne: g."])
    assert [t.speaker for t in detect_turns(text)][-2:] == ["Hanne", "Hanne"]


def test_accepted_labels_rule() -> None:
    counts = {"I": 10, "R": 9, "Resultat": 1, "Hanne": 2, "Speaker 4": 1}
    assert accepted_labels(counts) == {"I", "R", "Hanne", "Speaker 4"}
    assert accepted_labels({"Mette": 1, "Jens": 2}) == {"Mette", "Jens"}


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("**I:**", "I"),
        ("[SPEAKER_01]", "SPEAKER_01"),
        ("(Speaker  2)", "Speaker 2"),
        ("Interviewer:", "Interviewer"),
        ("  Mette   Hansen : ", "Mette Hansen"),
        ("**[Taler 1]**:", "Taler 1"),
    ],
)
def test_normalise_speaker(raw: str, name: str) -> None:
    assert normalise_speaker(raw) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Skoleleder", True),
        ("Leder B", True),
        ("Mette og Jens", True),
        ("Int.", True),
        ("Det er sådan", False),
        ("mette", False),
        ("Altså", False),
        ("Mette, Jens", False),
        ("En To Tre Fire Fem", False),
        ("A" * 31, False),
    ],
)
def test_looks_like_label(name: str, expected: bool) -> None:
    assert looks_like_label(name) is expected


def test_clock_conversions() -> None:
    assert clock_to_seconds("00:12:31") == 751.0
    assert clock_to_seconds("12:31") == 751.0
    assert clock_to_seconds("1:02:03,5") == pytest.approx(3723.5)
    assert seconds_to_clock(3723.9) == "01:02:03"


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("Hvordan gik det?", True),
        ("Hvordan gik det? [griner]", True),
        ("Okay. Hvad så med målene? Og dokumentationen?", True),
        ("Det gik godt. Men hvorfor? Det ved jeg ikke.", False),
        ("Det gik godt.", False),
        ("", False),
    ],
)
def test_is_question(utterance: str, expected: bool) -> None:
    assert is_question(utterance) is expected


def test_interviewer_is_the_speaker_asking_most_questions() -> None:
    text = (
        "A: Hvad laver du?\nB: Jeg er lærer.\nA: Hvor længe?\nB: Ti år. Hvorfor?\n"
        "A: Bare nysgerrig."
    )
    assert infer_interviewer(text, detect_turns(text)) == "A"


def test_named_interviewer_wins_unless_counts_clearly_contradict() -> None:
    text = "I: Hvad laver du?\nR: Jeg er lærer, hvad med dig?\nI: Forsker."
    assert infer_interviewer(text, detect_turns(text)) == "I"
    contradicted = "\n".join(
        [
            "I: Vi kan starte.",
            "R: Hvem er du?",
            "I: Forsker.",
            "R: Hvorfor det?",
            "I: Fordi.",
            "R: Og hvad skal det bruges til?",
        ]
    )
    assert infer_interviewer(contradicted, detect_turns(contradicted)) == "R"


def test_tie_or_no_questions_prefers_a_first_speaker_name() -> None:
    tie = "Speaker 2: Hvorfor?\nSpeaker 1: Hvad mener du?"
    assert infer_interviewer(tie, detect_turns(tie)) == "Speaker 1"
    calm = "Speaker 2: Godt.\nSpeaker 1: Fint."
    assert infer_interviewer(calm, detect_turns(calm)) == "Speaker 1"
    nobody = "Mette: Godt.\nJens: Fint."
    assert infer_interviewer(nobody, detect_turns(nobody)) is None
    assert infer_interviewer("", []) is None
