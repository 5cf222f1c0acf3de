"""What she did herself, told by reply: pure transitions of a case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.cases.by_hand import (
    LETTER_UNDATED,
    RECEIPT_ASKED,
    closed_by_hand,
    done_by_hand,
    noted,
    paid_by_hand,
    paper_received,
    receipt_day,
    received_on,
)
from cpambot.cases.model import Case, CaseState
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.understanding.facts import Fact

D = date(2026, 3, 2)


def opened(fact: Fact, today: date = D) -> Case:
    key = case_key(fact, "m1")
    assert key is not None
    return apply_fact(new_case("C1", key, fact, today), fact, source="m1", received=today, today=today)


REJECTED = Fact("invoice_rejected", caisse="974", lot="042", invoice="000012347", amount=Decimal("5.67"),
                reject_code="0250", label="ASSURE ABSENT", date=D, part="AMO")
PIECES = Fact("pieces_requested", caisse="974", invoice="000012347", label="ordonnance", date=D)
INDU = Fact("indu_notified", caisse="974", reference="R-1", amount=Decimal("3412.60"), date=date(2026, 3, 2))


def test_the_pieces_she_sent_stop_their_reminder():
    """GIVEN a case whose caisse asked for pièces (a deadline) WHEN she says FAIT THEN the case waits for
    the caisse, the pièces are dated, their deadline is gone, her words are in the history."""
    case = opened(PIECES)
    assert case.deadline("pieces_justificatives") is not None
    done, message = done_by_hand(case, date(2026, 3, 5), "envoyées par SCOR")
    assert done.state is CaseState.WAITING and done.dated("pieces_sent") == date(2026, 3, 5)
    assert done.deadline("pieces_justificatives") is None and done.deadlines == ()
    assert done.history[-1].text == "pièces envoyées par vous : envoyées par SCOR"
    assert message == "C1 : noté, pièces envoyées ; plus de rappel pour elles"


def test_a_letter_step_she_did_herself_is_recorded_as_done():
    """GIVEN a rejected invoice whose réclamation is proposed WHEN she says FAIT (filed on amelipro) THEN
    the réclamation is dated that day, and the conciliateur deadline runs from it."""
    done, _ = done_by_hand(opened(REJECTED), date(2026, 3, 5), "sur amelipro", step="réclamation",
                           step_date="reclamation_sent")
    assert done.dated("reclamation_sent") == date(2026, 3, 5) and done.state is CaseState.WAITING
    assert [d.name for d in done.deadlines] == ["conciliateur_available"]


def test_a_rejected_invoice_she_corrected_waits_for_its_payment():
    """GIVEN a rejected invoice with nothing proposed WHEN she says FAIT THEN it is re-transmitted that day
    and waits for its payment."""
    done, message = done_by_hand(opened(REJECTED), date(2026, 3, 5), None)
    assert done.dated("retransmitted") == date(2026, 3, 5) and "paiement est attendu" in message


def test_paid_closed_noted_and_a_closed_case_left_alone():
    """GIVEN an open case WHEN she says PAYÉ, or CLASSER with a reason, or NOTE THEN closed with no deadline,
    closed with her reason, or only a history line; a closed case is not changed again."""
    case = opened(INDU, today=D)
    paid, _ = paid_by_hand(case, date(2026, 3, 9))
    assert paid.state is CaseState.CLOSED and paid.closed == date(2026, 3, 9) and paid.deadlines == ()
    assert paid_by_hand(paid, date(2026, 3, 10))[0] is paid
    filed, _ = closed_by_hand(case, date(2026, 3, 9), "indu justifié")
    assert filed.status == "classé : indu justifié" and filed.deadlines == ()
    note, message = noted(case, date(2026, 3, 9), "appel à la caisse")
    assert note.state is case.state and note.deadlines == case.deadlines and message == "C1 : note ajoutée"


def test_the_receipt_of_a_registered_letter_moves_its_deadlines():
    """GIVEN an indu notified by a letter dated 2 March WHEN she says it was received on 6 March THEN its
    deadlines run from 6 March; a day before the letter or after today changes nothing; a case with no
    registered letter is left alone."""
    case = opened(INDU)
    moved, message = received_on(case, date(2026, 3, 6), date(2026, 3, 10))
    assert moved.dated("notified") == date(2026, 3, 6) and moved.dated("notified_dated") == date(2026, 3, 2)
    assert moved.deadline("cra_referral").due == date(2026, 5, 6)  # type: ignore[union-attr]
    assert "délais recomptés" in message
    assert received_on(moved, date(2026, 3, 1), date(2026, 3, 10))[0] is moved
    assert received_on(case, date(2026, 3, 11), date(2026, 3, 10))[0] is case
    assert received_on(opened(REJECTED), date(2026, 3, 6), date(2026, 3, 10))[0].dated("notified") is None


def test_a_paper_letter_counts_from_the_day_she_received_it_or_asks_for_it():
    """GIVEN an indu notified by a letter dated 2 March that she photographed WHEN she said it came on 6
    March THEN its deadlines run from 6 March; WHEN she did not say THEN they run from the letter's date
    and the case asks her, until « REÇU » answers (the question then goes); a letter she already dated
    is left as it is, and a case with no such letter is never asked."""
    case = opened(INDU)
    dated = paper_received(case, date(2026, 3, 6), date(2026, 3, 10))
    assert dated.dated("notified") == date(2026, 3, 6) and RECEIPT_ASKED not in dated.flags
    asked = paper_received(case, None, date(2026, 3, 10))
    assert asked.dated("notified") == date(2026, 3, 2) and RECEIPT_ASKED in asked.flags
    assert paper_received(asked, None, date(2026, 3, 11)) is asked  # (read again: asked once)
    answered, _ = received_on(asked, date(2026, 3, 5), date(2026, 3, 12))
    assert answered.dated("notified") == date(2026, 3, 5) and RECEIPT_ASKED not in answered.flags
    assert paper_received(answered, date(2026, 3, 9), date(2026, 3, 12)) is answered
    wrong = paper_received(case, date(2026, 2, 27), date(2026, 3, 10))  # before the letter: asked
    assert wrong.dated("notified") == date(2026, 3, 2) and RECEIPT_ASKED in wrong.flags
    rejected = opened(REJECTED)
    assert paper_received(rejected, None, date(2026, 3, 10)) is rejected


def test_a_paper_letter_whose_date_was_not_read_takes_her_day_of_receipt():
    """GIVEN an indu photographed on 17/11 whose date OCR could not read (the case dated by her message)
    WHEN she said it came on 13/11 THEN its deadlines run from 13/11 (not refused as before the letter's
    date), the history says the letter's date was not read; WHEN she did not say THEN asked, and her
    « REÇU » of 12/11 is taken; a day to come is still refused."""
    undated_fact = Fact("indu_notified", caisse="974", reference="R-9", amount=Decimal("10.00"))
    case = opened(undated_fact, date(2026, 11, 17))
    dated = paper_received(case, date(2026, 11, 13), date(2026, 11, 17), undated=True)
    assert dated.dated("notified") == date(2026, 11, 13) and LETTER_UNDATED in dated.flags
    assert "date du courrier non lue" in dated.history[-1].text
    asked = paper_received(case, None, date(2026, 11, 17), undated=True)
    assert RECEIPT_ASKED in asked.flags
    answered, _ = received_on(asked, date(2026, 11, 12), date(2026, 11, 18))
    assert answered.dated("notified") == date(2026, 11, 12)
    assert received_on(asked, date(2026, 11, 19), date(2026, 11, 18))[0] is asked


def test_the_day_she_gives_applies_to_the_letter_she_photographed():
    """GIVEN a case with a notification and, later, a mise en demeure WHEN she photographs the notification
    and says it came on 6 March THEN the notification's date moves, not the mise en demeure's."""
    case = opened(INDU)
    demeure = Fact("mise_en_demeure", caisse="974", reference="R-1", amount=Decimal("3412.60"),
                   date=date(2026, 6, 1))
    case = apply_fact(case, demeure, source="m2", received=date(2026, 6, 1), today=date(2026, 6, 2))
    dated = paper_received(case, date(2026, 3, 6), date(2026, 6, 2), key="notified")
    assert dated.dated("notified") == date(2026, 3, 6) and dated.dated("mise_en_demeure") == date(2026, 6, 1)


def test_a_receipt_day_without_year_is_the_last_one_before_today():
    """GIVEN "12/11" on 4 December 2026, and on 3 January 2027 WHEN read THEN 12 November 2026 both times;
    an impossible day is None."""
    assert receipt_day(12, 11, None, date(2026, 12, 4)) == date(2026, 11, 12)
    assert receipt_day(12, 11, None, date(2027, 1, 3)) == date(2026, 11, 12)
    assert receipt_day(31, 2, None, date(2027, 1, 3)) is None
