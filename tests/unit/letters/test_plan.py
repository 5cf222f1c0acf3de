"""Which letter no longer needs to leave once the caisse answered (letters.plan.pointless)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cpambot.cases.model import Case
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.letters.plan import pointless
from cpambot.understanding.facts import Fact

D = date(2026, 3, 2)


def opened(fact: Fact, **dates: date) -> Case:
    key = case_key(fact)
    assert key is not None
    case = apply_fact(new_case("C1", key, fact, D), fact, source="m", received=D, today=D)
    return replace(case, dates={**case.dates, **dates})


DOUBLON = Fact("invoice_rejected", caisse="974", lot="042", invoice="000012345", amount=Decimal("12.50"),
               reject_code="2900", label="FACTURE DEJA PAYEE", date=D, part="AMO")
INDU = Fact("indu_notified", caisse="974", reference="R-1", amount=Decimal("3412.60"), date=D)


def test_an_answered_reclamation_makes_the_referral_and_the_reclamation_pointless():
    """GIVEN a doublon whose réclamation was sent WHEN the caisse answered it on 20 March THEN neither the
    conciliateur referral nor the réclamation needs to leave, and the reason names the day; WHEN it has
    not answered THEN both still may."""
    sent = opened(DOUBLON, reclamation_sent=date(2026, 3, 3))
    assert pointless(sent, "saisine_conciliateur") is None and pointless(sent, "reclamation") is None
    answered = replace(sent, dates={**sent.dates, "reclamation_answered": date(2026, 3, 20)})
    assert pointless(answered, "saisine_conciliateur") == "la caisse a répondu à la réclamation le 20/03/2026"
    assert pointless(answered, "reclamation") is not None


def test_a_referred_or_decided_cra_makes_the_indu_letters_pointless_but_not_the_calendar():
    """GIVEN an indu WHEN the CRA is seized, or has decided THEN the referral and the observations are
    pointless; GIVEN an indu long past its deadline THEN nothing is pointless for that (a late letter is
    hers to decide)."""
    indu = opened(INDU)
    assert pointless(indu, "saisine_cra") is None and pointless(indu, "indu_explication") is None
    referred = opened(INDU, cra_referred=date(2026, 3, 20))
    assert "saisie depuis le 20/03/2026" in (pointless(referred, "saisine_cra") or "")
    decided = opened(INDU, cra_decision=date(2026, 5, 2))
    assert "décision le 02/05/2026" in (pointless(decided, "indu_explication") or "")
