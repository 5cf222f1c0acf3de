"""Case rules as pure functions over Case values: no store, the date passed in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cpambot.cases.model import Case, CaseState, CaseType
from cpambot.cases.rules import (
    apply_fact,
    case_key,
    close_watch,
    fact_id,
    letter_not_delivered,
    mark_unpaid,
    new_case,
    record_letter_sent,
    same_problem,
    satisfies_watch,
    watch_expired,
    with_fresh_deadlines,
)
from cpambot.understanding.facts import Fact

D = date(2026, 3, 2)  # a Monday


def rejected(invoice="000012347", code="0250", part="AMO", when=D, amount=Decimal("5.67")):
    return Fact("invoice_rejected", caisse="974", lot="042", invoice=invoice, amount=amount,
                reject_code=code, label="ASSURE ABSENT DE NOTRE REFERENTIEL", date=when, part=part)


def opened(fact: Fact, today: date = D, source: str = "m1") -> Case:
    key = case_key(fact, source)
    assert key is not None
    return apply_fact(new_case("C1", key, fact, today), fact, source=source, received=today, today=today)


def test_case_keys_are_stable():
    """GIVEN facts WHEN keyed THEN the key names the problem, and the fact id its content."""
    assert case_key(rejected()) == "invoice|974|000012347"
    assert case_key(Fact("information")) is None
    assert fact_id(rejected()) == fact_id(rejected())
    assert fact_id(rejected()) != fact_id(rejected(code="2900"))


def test_a_rejected_invoice_opens_a_case_with_its_advice():
    """GIVEN an invoice rejected 0250 WHEN applied to a new case THEN the case is open, carries the
    caisse's libellé, the reject family and its advice, the amount in cents, one history entry."""
    case = opened(rejected(amount=Decimal("5.6")))
    assert case.type is CaseType.INVOICE and case.state is CaseState.OPEN
    assert case.status == "rejetée : ASSURE ABSENT DE NOTRE REFERENTIEL"
    assert case.family == "droits" and "ADRi" in (case.advice or "")
    assert case.amount_text == "5.60" and case.reject_code == "0250"
    assert [(h.kind, h.source, h.date) for h in case.history] == [("invoice_rejected", "m1", D)]


def test_the_same_fact_twice_gives_back_the_same_case():
    """GIVEN a case WHEN the very same fact is applied again (a message sent twice) THEN the same
    value comes back, unchanged."""
    case = opened(rejected())
    assert apply_fact(case, rejected(), source="m2", received=D, today=D) is case


def test_rules_never_change_the_case_they_are_given():
    """GIVEN a case WHEN a payment is applied THEN a new value is closed and the old one is intact."""
    case = opened(rejected())
    paid = apply_fact(case, Fact("invoice_paid", caisse="974", lot="042", invoice="000012347", part="AMO",
                                 date=date(2026, 3, 9)), source="m2", received=D, today=date(2026, 3, 9))
    assert paid.state is CaseState.CLOSED and paid.closed == date(2026, 3, 9)
    assert case.state is CaseState.OPEN and len(case.history) == 1 and len(paid.history) == 2


def test_the_other_part_paid_keeps_the_case_open():
    """GIVEN an AMC part rejected WHEN the AMO part is paid THEN the case stays open."""
    case = opened(rejected(part="AMC", code="0602"))
    amo = Fact("invoice_paid", caisse="974", lot="042", invoice="000012347", part="AMO", date=D)
    assert apply_fact(case, amo, source="m2", received=D, today=D).state is CaseState.OPEN


def test_an_unanswered_lot_watch_becomes_an_unpaid_lot():
    """GIVEN an ARL positif on Mon 2 March 2026 (La Réunion) WHEN 7 working days pass THEN the watch
    has expired on the 12th (not the 11th), and marked unpaid it asks for a 1st relance by 1 April."""
    watch = opened(Fact("lot_acknowledged", caisse="974", lot="042", date=D))
    assert watch.type is CaseType.LOT_WATCH and watch.state is CaseState.WAITING
    assert [(d.name, d.due) for d in watch.deadlines] == [("payment_due", date(2026, 3, 11))]
    assert not watch_expired(watch, date(2026, 3, 11)) and watch_expired(watch, date(2026, 3, 12))
    unpaid = mark_unpaid(watch, date(2026, 3, 12))
    assert unpaid.type is CaseType.UNPAID_LOT and unpaid.dated("unpaid_since") == date(2026, 3, 12)
    assert [(d.name, d.due) for d in unpaid.deadlines] == [("relance1", date(2026, 4, 1))]


def test_a_return_for_the_lot_closes_its_watch():
    """GIVEN a lot watch WHEN a payment for an invoice of the same lot, after the ARL, is read THEN it
    answers the watch, which closes; an earlier return or another lot does not."""
    watch = opened(Fact("lot_acknowledged", caisse="974", lot="044", date=D))
    paid = Fact("invoice_paid", caisse="974", lot="044", invoice="000012400", part="AMO",
                date=date(2026, 3, 5))
    assert satisfies_watch(watch, paid)
    assert not satisfies_watch(watch, replace(paid, date=date(2026, 2, 27)))
    assert not satisfies_watch(watch, replace(paid, lot="045"))
    closed = close_watch(watch, paid, source="m9", received=D, today=date(2026, 3, 5))
    assert closed.state is CaseState.CLOSED and closed.deadlines == () and closed.history[-1].source == "m9"


def test_indu_deadlines_follow_the_procedure():
    """GIVEN a notification d'indu of 31 Dec 2026 WHEN applied THEN the CRA deadline is 28 Feb 2027,
    legally postponed to Mon 1 March; a later detail table flags late motivation; a CRA rejection
    leaves only the tribunal deadline, two months after it."""
    notified = Fact("indu_notified", caisse="974", reference="R-1", amount=Decimal("3412.60"),
                    date=date(2026, 12, 31))
    case = opened(notified, today=date(2027, 1, 2))
    cra = case.deadline("cra_referral")
    assert cra is not None and (cra.due, cra.legal_expiry) == (date(2027, 2, 28), date(2027, 3, 1))
    details = Fact("indu_details", caisse="974", reference="R-1", date=date(2027, 1, 8))
    case = apply_fact(case, details, source="t", received=D, today=date(2027, 1, 8))
    assert "motivation_tardive" in case.flags
    rejection = Fact("cra_decision", caisse="974", reference="R-1", label="rejet", date=date(2027, 5, 10))
    case = apply_fact(case, rejection, source="c", received=D, today=date(2027, 5, 11))
    assert [(d.name, d.due) for d in case.deadlines] == [("tribunal_referral", date(2027, 7, 10))]


def test_a_letter_sent_makes_the_case_wait_and_may_open_a_deadline():
    """GIVEN an open doublon case WHEN its réclamation is recorded as sent on 5 March THEN the case
    waits for the caisse, its status says so, and the conciliateur becomes possible 3 weeks later."""
    case = opened(rejected(code="2900"))
    sent = record_letter_sent(case, "reclamation_sent", date(2026, 3, 5), "réclamation envoyée (A1)")
    assert sent.state is CaseState.WAITING
    assert sent.status == "réclamation envoyée (A1), en attente de réponse"
    assert sent.history[-1].kind == "letter_sent" and sent.dated("reclamation_sent") == date(2026, 3, 5)
    assert [(d.name, d.due) for d in sent.deadlines] == [("conciliateur_available", date(2026, 3, 26))]
    assert with_fresh_deadlines(sent) is sent


def test_a_letter_that_did_not_arrive_puts_the_step_back():
    """GIVEN a doublon case whose réclamation was recorded as sent on 5 March WHEN a bounce says on 6 March
    it did not arrive THEN the case no longer waits, the date of the step is gone with the deadline it
    opened, and its history and status say why."""
    sent = record_letter_sent(opened(rejected(code="2900")), "reclamation_sent", date(2026, 3, 5),
                              "réclamation envoyée (A1)")
    back = letter_not_delivered(sent, "reclamation_sent", date(2026, 3, 6),
                                "réclamation (A1) non distribuée : cette adresse n'existe pas")
    assert back.state is CaseState.OPEN and back.dated("reclamation_sent") is None
    assert back.deadlines == () and back.status.startswith("réclamation (A1) non distribuée")
    assert back.history[-1].kind == "letter_bounced"


def test_the_same_lot_refused_through_two_channels_is_one_problem():
    """GIVEN a lot refused by the ARL WHEN the caisse lists the same lot refused ten days later THEN it
    is the same problem; the same lot number a year earlier is another lot."""
    case = opened(Fact("lot_refused", caisse="974", lot="043", reject_code="0101", date=D))
    assert same_problem(case, Fact("lot_refused", caisse="974", lot="043", date=date(2026, 3, 12)))
    assert not same_problem(case, Fact("lot_refused", caisse="974", lot="043", date=date(2025, 3, 2)))


def test_a_case_survives_the_store_format_unchanged():
    """GIVEN a case with history, dates, deadlines, billing and flags WHEN turned into the store's dict
    and back THEN the same value; the dict keeps the documented JSON shape (ISO dates, amount text)."""
    fact = replace(rejected(), details={"nir": "284079740512345", "care_dates": ["2026-02-20"]})
    case = record_letter_sent(opened(fact), "reclamation_sent", date(2026, 3, 5), "réclamation envoyée")
    doc = case.to_doc()
    assert Case.from_doc(doc) == case
    assert doc["amount"] == "5.67" and doc["opened"] == "2026-03-02" and doc["state"] == "waiting"
    assert doc["dates"] == {"reclamation_sent": "2026-03-05"}
    assert doc["deadlines"][0] == {"name": "conciliateur_available", "due": "2026-03-26",
                                   "legal_expiry": "2026-03-26", "basis": case.deadlines[0].basis}
    assert doc["billing"]["care_dates"] == ["2026-02-20"]


def test_an_old_stored_case_without_newer_keys_still_loads():
    """GIVEN a case dict written by an older version (no flags, no billing, no closed) WHEN loaded THEN
    a Case with empty defaults, never an error."""
    old = {"id": "C3", "key": "to_sort|m", "type": "to_sort", "state": "open", "status": "à trier",
           "dates": {}, "history": [], "fact_ids": [], "deadlines": [], "opened": "2026-01-05",
           "updated": "2026-01-05"}
    case = Case.from_doc(old)
    assert case.flags == () and case.billing is None and case.closed is None and case.amount is None
    assert case.to_doc()["closed"] is None


def test_the_caisses_own_instruction_for_a_row_decides_the_advice():
    """GIVEN an invoice in anomaly whose row says "merci de nous adresser la prescription, sans
    refacturer" (action pieces), and another whose row says to correct and re-transmit WHEN applied
    THEN the advice follows each row's instruction, quoting it, never the other one."""
    pieces = Fact("invoice_in_anomaly", caisse="331", lot="045", invoice="000012348",
                  label="Prescription absente",
                  details={"action": "pieces", "consigne": "merci de nous adresser la prescription"})
    rebill = Fact("invoice_in_anomaly", caisse="331", lot="045", invoice="000012349", label="NIR erroné",
                  details={"action": "refacturer"})
    pieces_case, rebill_case = opened(pieces), opened(rebill)
    assert "sans refacturer" in (pieces_case.advice or "")
    assert "merci de nous adresser la prescription" in (pieces_case.advice or "")
    assert "télétransmettre à nouveau" in (rebill_case.advice or "")
    assert "sans refacturer" not in (rebill_case.advice or "")


def test_a_reclamation_answer_tells_its_decision():
    """GIVEN réclamation answers read as favourable, unfavourable, "à retransmettre", or left to read on
    amelipro WHEN applied to a case THEN a payment awaited; a refusal with the CRA as the way to contest;
    the invoice to send again; a pointer to amelipro."""
    def answered(label, **details):
        fact = Fact("reclamation_answered", caisse="974", invoice="000012345", label=label,
                    date=date(2026, 3, 3), details=details)
        return apply_fact(new_case("C1", case_key(fact, "s"), fact, date(2026, 3, 3)), fact, source="s",
                          received=date(2026, 3, 3), today=date(2026, 3, 3))
    assert (answered("favorable").state, answered("favorable").status) == (
        CaseState.WAITING, "réclamation acceptée : paiement attendu")
    refused = answered("défavorable")
    assert refused.state is CaseState.OPEN and "commission de recours amiable" in (refused.advice or "")
    again = answered("à retransmettre")
    assert again.state is CaseState.OPEN and "télétransmettre à nouveau" in (again.advice or "")
    assert "amelipro" in answered(None, answer_in="amelipro").status


def test_an_answer_asking_to_bill_another_caisse():
    """GIVEN a réclamation answer read "à refacturer" (the patient depends on another caisse now) WHEN
    applied THEN the advice is to re-bill, not to contest before the CRA."""
    fact = Fact("reclamation_answered", caisse="801", invoice="557203118", label="à refacturer",
                date=date(2026, 10, 28), details={"action": "refacturer"})
    case = apply_fact(new_case("C1", case_key(fact, "s"), fact, date(2026, 10, 28)), fact, source="s",
                      received=date(2026, 10, 28), today=date(2026, 10, 28))
    assert case.state is CaseState.OPEN and "télétransmettre à nouveau" in (case.advice or "")
