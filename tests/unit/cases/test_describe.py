"""A case told in French (`cpambot case C3`): what she has to do about a paper letter is said there too."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cpambot.cases.by_hand import LETTER_UNDATED, RECEIPT_ASKED
from cpambot.cases.describe import case_detail
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.understanding.facts import Fact

INDU = Fact("indu_notified", caisse="974", reference="R-1", amount=Decimal("3412.60"), date=date(2026, 3, 2))


def test_a_paper_letter_whose_receipt_is_asked_says_what_to_answer():
    """GIVEN an indu read from a photo, its day of receipt not said and its date not read WHEN told THEN the
    case says to answer « REÇU C1 JJ/MM » and that the letter's date could not be read; without those
    flags, neither line."""
    key = case_key(INDU, "m1")
    assert key is not None
    day = date(2026, 3, 2)
    case = apply_fact(new_case("C1", key, INDU, day), INDU, source="m1", received=day, today=day)
    text = case_detail(replace(case, flags=(RECEIPT_ASKED, LETTER_UNDATED)))
    assert "répondez « REÇU C1 JJ/MM »" in text and "date du courrier n'a pas pu être lue" in text
    plain = case_detail(case)
    assert "REÇU" not in plain and "pas pu être lue" not in plain
