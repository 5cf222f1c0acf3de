"""Rules taught by the professional: the shape of a subject, which rule a message falls under, and
the reading a rule forces."""

from datetime import UTC, datetime

import pytest

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.learning import LearnedRule, kind_for_word, rule_for, subject_pattern
from cpambot.understanding.message import ParsedMessage


@pytest.mark.parametrize("subject,pattern", [
    ("Suivi de votre activité - semaine 15", "suivi de votre activite - semaine #"),
    ("TR: RE: Retour lots du 12/10/2026 - lot 045", "retour lots du # - lot #"),
    ("", ""),
])
def test_subject_shape(subject, pattern):
    """GIVEN a subject WHEN its shape is taken THEN prefixes go, case and accents fold, numbers are #."""
    assert subject_pattern(subject) == pattern


def test_the_latest_rule_of_the_same_sender_and_shape_wins():
    """GIVEN two rules for the same sender and shape WHEN a message of that shape comes THEN the latest
    one applies; another sender or another shape matches none."""
    rules = (LearnedRule("R1", "a@cpam.fr", "suivi semaine #", "newsletter"),
             LearnedRule("R2", "a@cpam.fr", "suivi semaine #", "retour_lots"))
    assert rule_for(rules, "A@cpam.fr", "Suivi semaine 16").id == "R2"
    assert rule_for(rules, "b@cpam.fr", "Suivi semaine 16") is None
    assert rule_for(rules, "a@cpam.fr", "Autre chose") is None


@pytest.mark.parametrize("word,kind", [("retour", "retour_lots"), ("PIÈCES", "demande_pieces"),
                                       ("demeure", "mise_en_demeure"), ("ignorer", "ignorer"),
                                       ("peutetre", None)])
def test_vocabulary(word, kind):
    """GIVEN a word of a reply WHEN looked up THEN the kind it names, or None outside the vocabulary."""
    assert kind_for_word(word) == kind


def _message(subject: str) -> ParsedMessage:
    return ParsedMessage(subject=subject, from_name="CPAM", from_addr="suivi@assurance-maladie.fr",
                         date=datetime(2026, 4, 13, 9, tzinfo=UTC), message_id="<x@y>",
                         text="Bonjour,\nfacture 000045671 du lot 123 : 45,00 EUR.\n")


def test_a_rule_forces_the_reading_and_says_so():
    """GIVEN a message the reader cannot place WHEN read without and with a rule for its shape THEN
    without: to sort; with: a lot return naming the rule, its invoice read."""
    msg = _message("Suivi de votre activité - semaine 15")
    assert classify_human(msg, "caisse").kind == "unknown"
    rule = LearnedRule("R1", "suivi@assurance-maladie.fr", subject_pattern(msg.subject), "retour_lots")
    reading = classify_human(msg, "caisse", rules=(rule,))
    assert reading.kind == "retour_lots" and reading.fields["rule"] == "R1"
    assert [f.invoice for f in reading.facts] == ["000045671"]
    ignore = LearnedRule("R2", rule.sender, rule.subject_pattern, "ignorer")
    ignored = classify_human(msg, "caisse", rules=(ignore,))
    assert (ignored.facts, ignored.needs_review) == ((), None)
