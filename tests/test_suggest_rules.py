"""Keyword rules on lemmas: inflected forms, split phrases, negation and context."""

from __future__ import annotations

from frisat_qual.codebook.manage import default_codebook
from frisat_qual.models import Codebook, CodeSpec, Keyword
from frisat_qual.suggest.rules import KeywordRules, compile_rules, keyword_codes


def rules_of(*codes: CodeSpec) -> KeywordRules:
    return KeywordRules(Codebook(id="t", name="test", codes=codes))


def test_keywords_match_inflected_forms_with_the_words_as_evidence():
    rules = rules_of(
        CodeSpec("regel", "Regel", keywords=(Keyword("ny regel"),)),
        CodeSpec("tillid", "Tillid", keywords=(Keyword("stole på"), Keyword("tillid"))),
    )
    hits = rules.match("De nye regler kom, men vi stolede på hinanden og på tilliden.")
    assert [h.words for h in hits["regel"]] == ["nye regler"]
    assert [(h.keyword, h.words) for h in hits["tillid"]] == [
        ("stole på", "stolede på"),
        ("tillid", "tilliden"),
    ]
    hit = hits["regel"][0]
    text = "De nye regler kom, men vi stolede på hinanden og på tilliden."
    assert text[hit.start : hit.end] == "nye regler"
    assert rules.match("Reglerne er gamle.") == {}


def test_split_particle_verbs_match_but_not_across_punctuation():
    rules = rules_of(CodeSpec("eks", "Eks", keywords=(Keyword("prøve af"),)))
    assert rules.match("Vi prøvede det af i foråret.")["eks"][0].words == "prøvede det af"
    assert rules.match("Vi prøvede, af og til, noget nyt.") == {}
    assert rules.match("Vi prøvede det hele en gang af.") == {}  # more than two words between


def test_negation_cancels_a_keyword_marked_with_it():
    rules = rules_of(
        CodeSpec("kant", "Kant", keywords=(Keyword("kontrol", negation=True),)),
        CodeSpec("plain", "Plain", keywords=(Keyword("skema"),)),
    )
    assert "kant" in rules.match("De vil have mere kontrol nu.")
    assert rules.match("Der er ingen kontrol længere.") == {}
    assert rules.match("Vi ønsker ikke mere kontrollen.") == {}  # within three words
    # four words before is too far for the negation
    assert "kant" in rules.match("Vi har ikke brug for mere kontrol.")
    # a keyword without the negation rule fires even when negated
    assert "plain" in rules.match("Der er ikke noget skema.")


def test_context_words_must_share_the_segment_also_inside_compounds():
    rules = rules_of(
        CodeSpec("pb", "PB", keywords=(Keyword("besøg", context=("udvalg", "politiker")),))
    )
    hit = rules.match("Udvalget kom på besøg i huset.")["pb"][0]
    assert (hit.words, hit.context) == ("besøg", "Udvalget")
    assert rules.match("Udvalgsformanden kom på besøg.")["pb"][0].context == "Udvalgsformanden"
    assert rules.match("Politikerne var her på besøg.")["pb"][0].context == "Politikerne"
    assert rules.match("Vi fik besøg af en forælder.") == {}


def test_the_default_codebook_compiles_and_is_cached():
    codebook = default_codebook()
    rules = compile_rules(codebook)
    assert compile_rules(codebook) is rules
    assert set(rules.codes) == {c.id for c in codebook.codes if c.codable and c.keywords}
    hits = keyword_codes(codebook, ["Vi har sat alle centrale indsatser på pause.", "Hej."])
    assert "tema.projektpause" in hits[0]
    assert hits[1] == {}
