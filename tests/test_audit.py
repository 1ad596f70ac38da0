"""The anonymisation audit and pseudonymisation: recall on planted identifiers, false
positives on ordinary Danish, each detector's edge cases, and the pseudonym key file."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from frisat_qual.corpus.audit import KINDS, audit_text, danish_vocabulary, read_word_list
from frisat_qual.corpus.pseudonymise import PseudonymKey, pseudonymise
from frisat_qual.errors import FrisatError
from frisat_qual.models import Finding

DATA = Path(__file__).parent / "data"


def kinds_of(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.text, f.kind) for f in audit_text(text, **kwargs)]


def flagged(text: str, **kwargs) -> set[str]:
    return {f.text for f in audit_text(text, **kwargs)}


# -- the planted transcript ------------------------------------------------------------------


def planted_spans() -> tuple[str, list[tuple[int, int, set[str], str]]]:
    text = (DATA / "planted_identifiers.txt").read_text(encoding="utf-8")
    expected = json.loads((DATA / "planted_identifiers.json").read_text(encoding="utf-8"))
    spans = []
    for item in expected:
        pattern = re.compile(rf"(?<!\w){re.escape(item['text'])}(?!\w)")
        matches = list(pattern.finditer(text))
        occurrence = item.get("occurrence", 0)
        assert len(matches) > occurrence, f"{item['text']!r} not in the planted transcript"
        match = matches[occurrence]
        kinds = item["kind"] if isinstance(item["kind"], list) else [item["kind"]]
        assert set(kinds) <= set(KINDS)
        spans.append((match.start(), match.end(), set(kinds), item["text"]))
    return text, spans


def covers(finding: Finding, start: int, end: int) -> bool:
    overlap = min(finding.end, end) - max(finding.start, start)
    return overlap >= (end - start) / 2


def test_planted_file_has_every_kind_and_enough_identifiers():
    text, spans = planted_spans()
    assert len(spans) >= 40
    assert set().union(*(kinds for _, _, kinds, _ in spans)) == set(KINDS)
    assert 600 <= len(text.split()) <= 900


def test_recall_on_planted_identifiers():
    text, spans = planted_spans()
    findings = audit_text(text, document="planted")
    missed = [
        label
        for start, end, kinds, label in spans
        if not any(covers(f, start, end) and f.kind in kinds for f in findings)
    ]
    recall = 1 - len(missed) / len(spans)
    print(
        f"\nrecall on planted identifiers: {recall:.3f} ({len(spans) - len(missed)}/{len(spans)})"
    )
    assert recall >= 0.95, f"missed: {missed}"


def test_few_false_positives_on_planted_ordinary_text():
    text, spans = planted_spans()
    findings = audit_text(text)
    extra = [
        (f.text, f.kind)
        for f in findings
        if not any(f.start < end and start < f.end for start, end, _, _ in spans)
    ]
    print(f"\nfalse positives on planted ordinary text: {len(extra)} {extra}")
    assert len(extra) <= 2, extra


def test_findings_sorted_without_overlaps_and_with_document():
    text, _ = planted_spans()
    findings = audit_text(text, document="planted")
    assert findings == sorted(findings, key=lambda f: (f.start, f.end))
    for a, b in zip(findings, findings[1:], strict=False):
        assert a.end <= b.start
    for f in findings:
        assert f.document == "planted"
        assert text[f.start : f.end] == f.text
        assert f.kind in KINDS and len(f.reason) > 10


def test_demo_corpus_has_few_findings_per_thousand_words():
    """False positives: the synthetic demo corpus holds no real identifiers at all."""
    from frisat_qual.corpus.formats import read_source
    from frisat_qual.corpus.importer import collect_files
    from frisat_qual.resources import demo_corpus_dir

    files, _ = collect_files([demo_corpus_dir()])
    assert len(files) == 32
    words = 0
    findings: list[Finding] = []
    for path in files:
        text = read_source(path).text
        words += len(text.split())
        findings.extend(audit_text(text, document=path.name))
    rate = 1000 * len(findings) / words
    print(f"\ndemo corpus: {len(findings)} findings in {words} words = {rate:.2f} per 1,000")
    assert rate < 1.0, [(f.document, f.text, f.kind) for f in findings[:30]]


# -- word lists ---------------------------------------------------------------------------------


def test_word_lists_ship_with_the_package():
    assert len(read_word_list("municipalities.txt")) == 98
    assert {"Lyngby-Taarbæk", "Ringkøbing-Skjern", "Høje-Taastrup", "Aarhus"} <= set(
        read_word_list("municipalities.txt")
    )
    assert len(read_word_list("first_names.txt")) >= 400
    assert len(read_word_list("last_names.txt")) >= 300
    assert len(read_word_list("towns.txt")) >= 150
    assert "vej" in read_word_list("street_suffixes.txt")
    assert "Folketinget" in read_word_list("allow_words.txt")
    with pytest.raises(FrisatError):
        read_word_list("../errors.py")


def test_every_municipality_is_found_mid_sentence():
    for name in read_word_list("municipalities.txt"):
        assert kinds_of(f"Vi har talt med nogen i {name} om det.") == [(name, "municipality")], name


def test_vocabulary_is_loaded_lazily_and_cached():
    code = "import sys, frisat_qual.corpus.audit; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert danish_vocabulary() is danish_vocabulary()
    vocab, proper_only = danish_vocabulary()
    assert "kommune" in vocab and "sommer" in vocab and "danmark" in proper_only


# -- CPR -----------------------------------------------------------------------------------------


def test_cpr_with_and_without_dash():
    assert kinds_of("Hendes nummer er 010203-1234 og hans er 2512991234.") == [
        ("010203-1234", "cpr"),
        ("2512991234", "cpr"),
    ]


def test_cpr_invalid_dates_and_arbitrary_numbers_are_not_flagged():
    for number in ("311399-1234", "300201-1234", "3213450000", "1234567890", "0000001234"):
        assert audit_text(f"Sagen har nummer {number} i systemet.") == [], number


def test_cpr_century_from_seventh_digit():
    # 29 February 2000 (7th digit 4) exists; 29 February 1900 (7th digit 0) does not
    assert kinds_of("nr. 290200-4123") == [("290200-4123", "cpr")]
    assert audit_text("nr. 290200-0123") == []


# -- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "+45 12 34 56 78",
        "(+45) 12 34 56 78",
        "+4512345678",
        "0045 87654321",
        "0045 1234 5678",
        "23456789",
        "23 45 67 89",
        "2345 6789",
    ],
)
def test_phone_forms(number):
    assert kinds_of(f"Ring til mig på {number}, hvis der er noget.") == [(number, "phone")]


@pytest.mark.parametrize(
    "text",
    [
        "Det var i 2019 2020, at vi startede.",
        "Budgettet var på 12.345.678 kr. i alt.",
        "Budgettet var på 12345678 kr i alt.",
        "Det kostede 23 45 67 89 procent mere, sagde han for sjov.",
        "Vi fik 4,2 mio. kr. og 1.250.000 kr. i 2021.",
        "Mødet er kl. 14.30 den 12. marts, og 85 % kom.",
        "Journalnummer 12345678901 er for langt.",
        "Planen gælder for 2024-2027 og 2019 2020.",
        "Firmaets CVR-nummer er 22345678, og CVR: 33445566.",
    ],
)
def test_not_phones(text):
    assert audit_text(text) == []


def test_cpr_is_not_also_a_phone():
    assert kinds_of("Det er 0102031234.") == [("0102031234", "cpr")]


# -- e-mail -------------------------------------------------------------------------------


def test_email():
    assert kinds_of("Skriv til anne.k-jensen+test@kommune.example.dk i morgen.") == [
        ("anne.k-jensen+test@kommune.example.dk", "email")
    ]


# -- addresses and postcodes --------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "Vestergade 12",
        "Skolevej 3B",
        "Nørre Allé 7, 2. th.",
        "Jens Baggesens Vej 3, st. th.",
        "Fasanvænget 14, 1. sal",
        "Rådhuspladsen 2",
        "Kongens Torv 1",
        "Lindealle 5, 3. tv",
    ],
)
def test_addresses(address):
    assert kinds_of(f"Han bor på {address} sammen med sin søster.") == [(address, "address")]


def test_not_addresses():
    assert audit_text("Alle 3 kommuner var med. Vejen 2 gange om ugen er lang.") == []
    assert audit_text("Vi tog til Danmark 2 gange.") == []


def test_counts_after_a_name_are_not_house_numbers():
    assert kinds_of("Det sagde Anne Lund 3 gange.") == [("Anne Lund", "person")]
    assert kinds_of("Han gik på Skolevej 3 i 6 år.") == [("Skolevej 3", "address")]
    assert kinds_of("Deltager 2: Ja.\nModtager 2 af prisen var glad.") == []


def test_address_with_sentence_word_in_front():
    assert kinds_of("I Vestergade 12 bor der mange.") == [("Vestergade 12", "address")]


def test_postcodes():
    assert kinds_of("Adressen er 8000 Aarhus C, ikke andet.") == [("8000 Aarhus C", "postcode")]
    assert kinds_of("Hun flyttede til 2100 København Ø sidste år.") == [
        ("2100 København Ø", "postcode")
    ]
    assert kinds_of("Vi holdt til i 6880 Tarm dengang.") == [("6880 Tarm", "postcode")]


def test_years_before_a_name_are_not_postcodes():
    assert kinds_of("Det var i 2019 Mette kom.") == [("Mette", "person")]
    assert audit_text("I 2019 Folketinget vedtog det, og 999 Børn fik det bedre.") == []


# -- places ---------------------------------------------------------------------------------


def test_municipality_forms():
    assert kinds_of("Han kom fra Aarhus Kommune og flyttede til Københavns Kommune.") == [
        ("Aarhus Kommune", "municipality"),
        ("Københavns Kommune", "municipality"),
    ]
    assert kinds_of("De ligger i Lyngby-Taarbæk og Høje-Taastrup.") == [
        ("Lyngby-Taarbæk", "municipality"),
        ("Høje-Taastrup", "municipality"),
    ]
    assert kinds_of("Hun arbejder i Vejen kommune.") == [("Vejen kommune", "municipality")]
    assert kinds_of("Vi har set på Aarhus-modellen.") == [("Aarhus", "municipality")]


def test_pseudonymised_municipalities_and_common_words_are_not_flagged():
    assert audit_text("Kommune 3 har gjort det. Vi ligner kommune 3 og Kommune 5 meget.") == []
    assert audit_text("Vejen til målet er lang. Skive er et ord, og odder er dyr.") == []
    assert kinds_of("Vi kørte til Skive og Vejen.") == [
        ("Skive", "municipality"),
        ("Vejen", "municipality"),
    ]


def test_unknown_name_before_kommune_is_a_municipality():
    assert kinds_of("Det skete i Sydkyst Kommune.") == [("Sydkyst Kommune", "municipality")]
    assert audit_text("Den Kommune er stor. Vores Kommune 3 er lille.") == []


def test_towns_including_phrases():
    assert kinds_of("Vi mødtes i Videbæk og Hvide Sande og Nykøbing Falster.") == [
        ("Videbæk", "town"),
        ("Hvide Sande", "town"),
        ("Nykøbing Falster", "town"),
    ]
    # a town that is an ordinary word counts only when capitalised mid-sentence
    assert audit_text("Ringe er det ikke. Han har ondt i tarmen.") == []
    assert kinds_of("Hun bor i Ringe nu.") == [("Ringe", "town")]


# -- people ----------------------------------------------------------------------------------------


def test_full_names_and_single_names():
    assert kinds_of("Jeg talte med Mette Holm Jensen i går.") == [("Mette Holm Jensen", "person")]
    assert kinds_of("Så sagde Anne K. Jensen nej.") == [("Anne K. Jensen", "person")]
    assert kinds_of("Mette sagde nej.") == [("Mette", "person")]
    assert kinds_of("Det ved Søren godt, og Hansens datter også.") == [
        ("Søren", "person"),
        ("Hansens", "person"),
    ]
    assert kinds_of("Hun hedder Xenia Hansen.") == [("Xenia Hansen", "person")]


def test_names_that_are_ordinary_words():
    ordinary = (
        "I sommer var vi ude at se en ravn og en due ved søens holm. Per barn får vi mere, "
        "og hans kollega bor ved en lund nær et bjerg og en dam. Sommer er dejlig. "
        "Hans kone er glad. Lund er et fint ord."
    )
    assert audit_text(ordinary) == []
    assert kinds_of("Vi talte med Sommer og med Per og med Hans om det.") == [
        ("Sommer", "person"),
        ("Per", "person"),
        ("Hans", "person"),
    ]
    assert kinds_of("Per Holm var der også.") == [("Per Holm", "person")]


# -- proper nouns ---------------------------------------------------------------------------


def test_capitalised_word_mid_sentence_vs_sentence_start():
    assert kinds_of("Hun arbejdede hos Grundfos i mange år.") == [("Grundfos", "proper_noun")]
    assert audit_text("Grundfos var en god arbejdsplads. Kommunen betaler.") == []
    assert audit_text("Han sagde: Det er fint! Hvorfor? Fordi. Skolen lukker.") == []
    assert audit_text('Hun sagde "Tak for det" og gik. (Det var sjovt.)') == []


def test_institution_names():
    assert kinds_of("Hun går i Børnehuset Mariehønen.") == [
        ("Børnehuset Mariehønen", "proper_noun")
    ]
    assert kinds_of("Han bor på Plejecenter Solhøj.") == [("Plejecenter Solhøj", "proper_noun")]


def test_speaker_labels_and_acronyms_are_not_flagged():
    text = (
        "I: Hvad siger KL og FOA?\n"
        "R: BUPL, DLF og VIVE siger det samme, og Folketinget og EU er enige.\n"
        "Interviewer: Og SFO'en og PPR?\n"
        "Informant: Ja, og Corona og Covid-19 og Aula og Teams og Christiansborg.\n"
        "Deltager 2: Ja, det synes vi i Danmark, og vi sagde det til KL's folk.\n"
    )
    assert audit_text(text) == []


def test_windows_line_endings_and_empty_text():
    assert audit_text("I: Hej.\r\nR: Grundfos er godt.\r\nXyzzy siger jeg.\r\n") == []
    assert audit_text("") == []


def test_allow_list_is_case_insensitive_and_takes_phrases():
    text = "Jeg talte med Mette Hansen fra Grundfos i Aarhus om 8000 Aarhus C."
    assert flagged(text) == {"Mette Hansen", "Grundfos", "Aarhus", "8000 Aarhus C"}
    assert flagged(text, allow=["grundfos", "METTE   hansen"]) == {"Aarhus", "8000 Aarhus C"}
    assert flagged(text, allow=["aarhus", "mette hansen", "Grundfos"]) == set()
    assert flagged(text, allow="Grundfos") == {"Mette Hansen", "Aarhus", "8000 Aarhus C"}


def test_bracketed_pseudonyms_are_never_flagged():
    text = "Vi talte med [PERSON-1] fra [KOMMUNE-2] og [Mette Hansen] [griner] om [CPR]."
    assert audit_text(text) == []


def test_audit_is_fast_on_a_long_transcript():
    text, _ = planted_spans()
    long_text = "\n\n".join([text] * 19)
    assert len(long_text.split()) >= 15_000
    audit_text("varm op")  # the vocabulary loads once per process
    started = time.perf_counter()
    findings = audit_text(long_text)
    elapsed = time.perf_counter() - started
    print(f"\naudit of {len(long_text.split())} words: {elapsed * 1000:.0f} ms")
    assert findings
    assert elapsed < 0.5


# -- pseudonymisation ---------------------------------------------------------------------------


def test_pseudonyms_are_consistent_across_documents():
    key = PseudonymKey()
    first = "Mette Hansen bor i Videbæk. Hun ringer til Søren på 23456789."
    second = "Søren sagde til METTE  HANSEN, at Videbæk og Aarhus er fine."
    new1, _ = pseudonymise(first, audit_text(first), key)
    new2, _ = pseudonymise(second, audit_text(second), key)
    assert new1 == "[PERSON-1] bor i [BY-1]. Hun ringer til [PERSON-2] på [TELEFON]."
    assert new2 == "[PERSON-2] sagde til [PERSON-1], at [BY-1] og [KOMMUNE-1] er fine."
    assert audit_text(new1) == [] and audit_text(new2) == []
    assert key.get("person", "mette hansen") == "[PERSON-1]"
    assert ("person", "Søren") in key


def test_all_placeholder_forms():
    text, _ = planted_spans()
    new, _ = pseudonymise(text, audit_text(text), PseudonymKey())
    for placeholder in (
        "[PERSON-1]",
        "[KOMMUNE-1]",
        "[BY-1]",
        "[ADRESSE-1]",
        "[POSTNR]",
        "[CPR]",
        "[TELEFON]",
        "[EMAIL]",
        "[NAVN-1]",
    ):
        assert placeholder in new
    assert audit_text(new) == []


def test_offset_mapping():
    text = "Hej Mette Hansen, hvordan går det i Videbæk?"
    findings = audit_text(text)
    new, remap = pseudonymise(text, findings, PseudonymKey())
    assert new == "Hej [PERSON-1], hvordan går det i [BY-1]?"
    assert remap(0) == 0 and remap(4) == 4  # before and at the start of a replacement
    assert remap(7) == 4  # inside "Mette Hansen"
    assert remap(16) == 14  # just after it: the comma
    assert new[remap(text.index("hvordan"))] == "h"
    assert remap(text.index("Videbæk") + 3) == new.index("[BY-1]")
    assert remap(len(text)) == len(new)


def test_offset_mapping_without_findings_is_identity():
    new, remap = pseudonymise("Ingen navne her.", [], PseudonymKey())
    assert new == "Ingen navne her." and remap(5) == 5


def test_pseudonymise_rejects_findings_for_another_text():
    stale = Finding("doc", 0, 5, "Mette", "person", "Danish first name")
    with pytest.raises(FrisatError, match="does not match"):
        pseudonymise("Hej Mette", [stale], PseudonymKey())


def test_unknown_kind_is_an_error():
    with pytest.raises(FrisatError):
        PseudonymKey().placeholder("shoe_size", "42")


# -- the key file -------------------------------------------------------------------------------


def test_key_round_trip_and_mode(tmp_path):
    key = PseudonymKey()
    key.placeholder("person", "Mette Hansen")
    key.placeholder("person", "Søren")
    key.placeholder("municipality", "Aarhus")
    key.placeholder("cpr", "010203-1234")  # fixed placeholders are not stored
    path = tmp_path / "pseudonyms.json"
    key.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "010203" not in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonyms.json"]  # no temp file left
    loaded = PseudonymKey.load(path)
    assert dict(loaded.items()) == dict(key.items())
    assert loaded.placeholder("person", "Ny Person") == "[PERSON-3]"
    loaded.save(path)  # replacing an existing key keeps the mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_refuses_project_file(tmp_path):
    with pytest.raises(FrisatError, match="project file"):
        PseudonymKey().save(tmp_path / "study.frisat")
    with pytest.raises(FrisatError):
        PseudonymKey().save(tmp_path / "STUDY.FRISAT")
    assert list(tmp_path.iterdir()) == []


def test_missing_key_is_empty_and_corrupt_key_is_an_error(tmp_path):
    assert len(PseudonymKey.load(tmp_path / "none.json")) == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(FrisatError, match="bad.json"):
        PseudonymKey.load(bad)
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(FrisatError):
        PseudonymKey.load(bad)
