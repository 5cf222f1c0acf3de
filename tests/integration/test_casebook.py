"""The case book over a real store: one case per problem, never duplicated, found across channels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cpambot.cases.casebook import CASES, CaseBook
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, Reading

D = date(2026, 3, 2)


@pytest.fixture
def book(tmp_path):
    with Store.open(tmp_path / "data") as store:
        yield CaseBook(store)


def reading(*facts: Fact, kind: str = "noemie", is_test: bool = False) -> Reading:
    return Reading(kind, "caisse", "974", facts=facts, is_test=is_test)


def rejected(invoice="000012347", code="0250", part="AMO", when=D):
    return Fact("invoice_rejected", caisse="974", lot="042", invoice=invoice, amount=Decimal("5.67"),
                reject_code=code, label="ASSURE ABSENT DE NOTRE REFERENTIEL", date=when, part=part)


def test_same_fact_twice_changes_nothing(book):
    """GIVEN a rejected invoice WHEN the same NOEMIE file arrives twice THEN one case, one history entry."""
    book.apply_reading(reading(rejected()), source="m1", received=D, today=D)
    book.apply_reading(reading(rejected()), source="m2", received=D, today=D)
    cases = list(book.all())
    assert len(cases) == 1 and len(cases[0].history) == 1
    assert cases[0].family == "droits" and "ADRi" in cases[0].advice


def test_two_channels_one_case(book):
    """GIVEN a NOEMIE reject and the caisse's 'retour sur le traitement des lots' for the same invoice
    WHEN both are read THEN they land in one case with two history entries."""
    book.apply_reading(reading(rejected()), source="m1", received=D, today=D)
    anomaly = Fact("invoice_in_anomaly", caisse="974", lot="042", invoice="000012347",
                   label="pièce justificative manquante", date=date(2026, 3, 12))
    book.apply_reading(reading(anomaly, kind="retour_lots"), source="m2", received=D, today=D)
    (case,) = book.all()
    assert [h.kind for h in case.history] == ["invoice_rejected", "invoice_in_anomaly"]
    assert case.id == "C1" and book.by_id("c1").key == case.key


def test_duplicate_reject_advice_says_do_not_resend(book):
    """GIVEN reject 2900 'facture déjà payée' WHEN read THEN the advice is never to resend."""
    book.apply_reading(reading(rejected(code="2900")), source="m", received=D, today=D)
    (case,) = book.all()
    assert case.family == "doublon" and case.advice.startswith("Ne pas renvoyer")


def test_amo_payment_does_not_close_an_amc_reject(book):
    """GIVEN an invoice whose AMC part is rejected WHEN its AMO part is reported paid
    THEN the case stays open; WHEN the AMC part is paid THEN it closes."""
    book.apply_reading(reading(rejected(part="AMC", code="0602")), source="m1", received=D, today=D)
    paid_amo = Fact("invoice_paid", caisse="974", lot="042", invoice="000012347", part="AMO",
                    amount=Decimal("9.05"), date=D)
    book.apply_reading(reading(paid_amo), source="m2", received=D, today=D)
    assert next(book.all()).state == "open"
    paid_amc = Fact("invoice_paid", caisse="974", lot="042", invoice="000012347", part="AMC",
                    amount=Decimal("6.14"), date=D)
    book.apply_reading(reading(paid_amc), source="m3", received=D, today=D)
    assert next(book.all()).state == "closed"


def test_routine_payment_opens_nothing(book):
    """GIVEN a payment of an invoice nobody worried about WHEN read THEN no case is opened."""
    paid = Fact("invoice_paid", caisse="974", lot="042", invoice="000012345", part="AMO", date=D)
    assert book.apply_reading(reading(paid), source="m", received=D, today=D) == []
    assert list(book.all()) == []


def test_test_flux_is_never_acted_on(book):
    """GIVEN a NOEMIE test flux WHEN read THEN no case at all."""
    book.apply_reading(reading(rejected(), is_test=True), source="m", received=D, today=D)
    assert list(book.all()) == []


def test_arl_positive_without_payment_becomes_unpaid(book):
    """GIVEN an ARL positif for lot 042 on Mon 2 March 2026 (La Réunion)
    WHEN 7 working days pass without any return THEN an unpaid-lot case opens with a relance deadline;
    a return for the lot before that closes the watch instead."""
    arl = Fact("lot_acknowledged", caisse="974", lot="042", date=D)
    book.apply_reading(reading(arl, kind="arl"), source="a", received=D, today=D)
    (watch,) = book.all()
    assert watch.state == "waiting" and watch.deadlines[0].due.isoformat() == "2026-03-11"
    assert book.tick(date(2026, 3, 11)) == []
    assert book.tick(date(2026, 3, 12)) == [watch.id]
    (unpaid,) = book.all()
    assert unpaid.type == "unpaid_lot" and unpaid.state == "open"
    assert [d.name for d in unpaid.deadlines] == ["relance1"]
    assert unpaid.deadlines[0].due.isoformat() == "2026-04-01"  # ARL + 30 days
    other = Fact("lot_acknowledged", caisse="974", lot="044", date=D)
    book.apply_reading(reading(other, kind="arl"), source="b", received=D, today=D)
    paid = Fact("invoice_paid", caisse="974", lot="044", invoice="000012400", part="AMO",
                date=date(2026, 3, 5))
    book.apply_reading(reading(paid), source="c", received=D, today=D)
    watch44 = next(c for c in book.all() if c.lot == "044")
    assert watch44.state == "closed"


def test_indu_chain(book):
    """GIVEN a notification d'indu dated 31 Dec 2026 WHEN read THEN the CRA deadline is 28 Feb 2027
    (2 calendar months), legally postponed to Mon 1 March; a later detail table flags late motivation;
    a CRA rejection on 10 May 2027 opens the 2-month tribunal deadline."""
    notified = Fact("indu_notified", caisse="974", reference="2026-974-000318",
                    amount=Decimal("3412.60"), date=date(2026, 12, 31))
    book.apply_reading(reading(notified, kind="notification_indu"), source="n", received=D,
                       today=date(2027, 1, 2))
    (case,) = book.all()
    cra = next(d for d in case.deadlines if d.name == "cra_referral")
    assert cra.due.isoformat() == "2027-02-28" and cra.legal_expiry.isoformat() == "2027-03-01"
    details = Fact("indu_details", caisse="974", reference="2026-974-000318", date=date(2027, 1, 8))
    book.apply_reading(reading(details, kind="complement_indu"), source="t", received=D,
                       today=date(2027, 1, 8))
    decision = Fact("cra_decision", caisse="974", reference="2026-974-000318", label="rejet",
                    date=date(2027, 5, 10))
    book.apply_reading(reading(decision, kind="decision_cra"), source="c", received=D,
                       today=date(2027, 5, 11))
    (case,) = book.all()
    assert "motivation_tardive" in case.flags
    assert [d.name for d in case.deadlines] == ["tribunal_referral"]
    assert case.deadlines[0].due.isoformat() == "2027-07-10"
    assert case.amount_text == "3412.60"


def test_related_reference_joins_constat_and_indu(book):
    """GIVEN a constat d'anomalies CTL-1 WHEN the notification d'indu cites it THEN one case."""
    constat = Fact("anomalies_found", caisse="974", reference="CTL-1", date=date(2026, 2, 9))
    book.apply_reading(reading(constat, kind="constat_anomalies"), source="a", received=D, today=D)
    indu = Fact("indu_notified", caisse="974", reference="2026-974-000318", date=date(2026, 4, 14),
                details={"related": ["CTL-1"]})
    book.apply_reading(reading(indu, kind="notification_indu"), source="b", received=D, today=D)
    (case,) = book.all()
    assert [h.kind for h in case.history] == ["anomalies_found", "indu_notified"]


def test_unclassified_message_is_a_visible_item(book):
    """GIVEN a caisse message nobody could classify WHEN read THEN it is an open 'à trier' case."""
    item = Fact("to_sort", caisse="974", label="Information importante")
    book.apply_reading(Reading("unknown", "caisse", "974", facts=(item,), needs_review="à trier"),
                       source="m9", received=D, today=D)
    (case,) = book.all()
    assert case.type == "to_sort" and case.state == "open" and case.needs_review



def test_cases_survive_reopen(tmp_path):
    """GIVEN cases written WHEN the store is reopened THEN ids continue and look-ups by id work."""
    with Store.open(tmp_path / "d") as store:
        CaseBook(store).apply_reading(reading(rejected()), source="m", received=D, today=D)
    with Store.open(tmp_path / "d") as store:
        book = CaseBook(store)
        book.apply_reading(reading(rejected(invoice="000000001")), source="n", received=D, today=D)
        assert sorted(doc["id"] for doc in store.values(CASES)) == ["C1", "C2"]
        assert book.by_id("C2").invoice == "000000001"


def test_unreadable_return_becomes_an_item_to_sort(book):
    """GIVEN a truncated NOEMIE file (no fact, needs review) WHEN read THEN an open 'à trier' case
    carries the French reason."""
    truncated = Reading("noemie", "caisse", "511", needs_review="retour illisible : fichier NOEMIE tronqué")
    (case_id,) = book.apply_reading(truncated, source="m1", received=D, today=D)
    case = book.by_id(case_id)
    assert case.type == "to_sort" and "tronqué" in case.needs_review
    assert book.apply_reading(truncated, source="m1", received=D, today=D) == []  # same message again


def test_absurd_date_is_not_turned_into_deadlines(book):
    """GIVEN a notification d'indu dated 2099 WHEN read THEN no indu deadline is computed from it;
    the message is an item to read, with the date named."""
    odd = Fact("indu_notified", caisse="974", reference="X-1", amount=Decimal("10.00"),
               date=date(2099, 1, 1))
    (case_id,) = book.apply_reading(reading(odd, kind="notification_indu"), source="m", received=D,
                                    today=D)
    case = book.by_id(case_id)
    assert case.type == "to_sort" and "01/01/2099" in case.needs_review


def test_review_reason_is_carried_by_the_cases(book):
    """GIVEN an indu read from the e-mail while its PDF is a scan WHEN read THEN its case says
    that the PDF must be read."""
    indu = Fact("indu_notified", caisse="974", reference="IND-1", date=D)
    scanned = Reading("notification_indu", "caisse", "974", facts=(indu,),
                      needs_review="PDF sans texte (document scanné) : à lire")
    (case_id,) = book.apply_reading(scanned, source="m", received=D, today=D)
    assert "scanné" in book.by_id(case_id).needs_review


def test_channels_that_name_things_differently_still_meet(book):
    """GIVEN a constat CTL-1, the indu notification citing it, then a CRA decision naming the indu
    WHEN read THEN one case; GIVEN a lot refused by the ARL then listed by the caisse ten days later
    THEN one case; GIVEN an AMC part rejected in NOEMIE then by the platform THEN one case."""
    book.apply_reading(reading(Fact("anomalies_found", caisse="974", reference="CTL-1", date=D)),
                       source="a", received=D, today=D)
    book.apply_reading(reading(Fact("indu_notified", caisse="974", reference="IND-9", date=D,
                                    details={"related": ["CTL-1"]})), source="b", received=D, today=D)
    book.apply_reading(reading(Fact("cra_decision", caisse="974", reference="IND-9", label="rejet",
                                    date=date(2026, 6, 1), details={"related": ["CRA-1"]})),
                       source="c", received=D, today=D)
    arl = Fact("lot_refused", caisse="974", lot="043", reject_code="0101", date=D)
    listed = Fact("lot_refused", caisse="974", lot="043", label="lot non parvenu", date=date(2026, 3, 12))
    book.apply_reading(reading(arl), source="d", received=D, today=D)
    book.apply_reading(reading(listed), source="e", received=D, today=D)
    book.apply_reading(reading(rejected(invoice="000012260", part="AMC", code="0602")), source="f",
                       received=D, today=D)
    platform = Fact("amc_rejected", caisse="viamedis", invoice="000012260", label="contrat clos",
                    part="AMC", date=D)
    book.apply_reading(reading(platform), source="g", received=D, today=D)
    cases = sorted(book.all(), key=lambda c: c.id)
    assert [c.type for c in cases] == ["indu", "refused_lot", "invoice"]
    assert [len(c.history) for c in cases] == [3, 2, 2]
    last_year = Fact("lot_refused", caisse="974", lot="043", date=date(2025, 3, 2))
    book.apply_reading(reading(last_year), source="h", received=D, today=D)
    assert len(list(book.all())) == 4  # same lot number a year earlier: another lot


def test_two_books_on_one_store_see_each_other(tmp_path):
    """GIVEN two case books on the same store (the processing's and the follow-up's) WHEN one opens a
    case after the other read its cases THEN the other sees it: parsed cases are kept only while the
    store's table is unchanged."""
    with Store.open(tmp_path / "d") as store:
        reader, writer = CaseBook(store), CaseBook(store)
        assert list(reader.all()) == []
        writer.apply_reading(reading(rejected()), source="m", received=D, today=D)
        (case,) = reader.all()
        assert case.invoice == "000012347" and reader.get(case.key) == case
        store.version("cases")  # read-only: asking does not change it
        assert reader.get(case.key) is reader.get(case.key)  # parsed once while nothing changes
