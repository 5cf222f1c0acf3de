"""An answer told invoice by invoice: each invoice's outcome as a fact."""

from datetime import date
from decimal import Decimal

from cpambot.understanding.classify.answers import outcomes, row_facts, told_apart
from cpambot.understanding.rows import Action, Row, Status

PAID = Row(invoice="000318442", lot="207", amount=Decimal("118.35"), status=Status.PAID,
           paid_on=date(2026, 9, 22))
REJECTED = Row(invoice="000318459", reject_code="0450", reject_subcode="072", motif="Exonération non trouvée",
               status=Status.REJECTED, action=Action.REBILL)
STUDIED = Row(invoice="000318466", lot="209", status=Status.PENDING, action=Action.NONE)


def test_outcomes_told_apart_only_when_they_differ():
    """GIVEN rows paid, rejected and still under study, rows all paid, and rows without a status WHEN
    asked whether each invoice has its own outcome THEN only the first are; an answer of invoices all paid
    is favourable, with one paid among others partial."""
    assert told_apart([PAID, REJECTED, STUDIED])
    assert not told_apart([PAID, PAID])
    assert not told_apart([PAID, Row(invoice="000318470")])
    assert (outcomes([PAID, PAID]), outcomes([PAID, REJECTED]), outcomes([REJECTED, STUDIED])) == (
        "favorable", "partielle", None)


def test_each_invoice_gives_the_fact_of_its_outcome_in_order():
    """GIVEN an invoice paid on a day, one rejected to re-bill (its lot only in her question) and one still
    under study WHEN read THEN a payment with its day and sum, an anomaly with its code, words, action and
    the question's lot, and a deferred invoice, in the answer's order."""
    facts = row_facts([PAID, REJECTED, STUDIED], {"000318459": "207"}, "211")
    assert [(f.kind, f.invoice, f.lot) for f in facts] == [
        ("invoice_paid", "000318442", "207"), ("invoice_in_anomaly", "000318459", "207"),
        ("invoice_deferred", "000318466", "209")]
    assert (facts[0].date, facts[0].amount, facts[0].part) == (date(2026, 9, 22), Decimal("118.35"), "AMO")
    assert (facts[1].reject_code, facts[1].label, facts[1].details["action"]) == (
        "0450", "Exonération non trouvée", "refacturer")
