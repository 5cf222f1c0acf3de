"""The invoice ledger: facts about invoices become movements, and a part's state is drawn from them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.books.invoices import InvoiceRecord, apply_fact
from cpambot.understanding.facts import Fact, FactKind

D = Decimal
RECEIVED = date(2026, 3, 2)


def paid(amount: str, day: date, *, billed: str | None = None) -> Fact:
    return Fact(FactKind.INVOICE_PAID, caisse="511", invoice="000012201", lot="038", amount=D(amount),
                date=day, part="AMO", details={"billed": billed} if billed else {})


def rejected(amount: str | None, day: date, code: str = "2900", **details) -> Fact:
    return Fact(FactKind.INVOICE_REJECTED, caisse="511", invoice="000012201", lot="038",
                amount=D(amount) if amount else None, reject_code=code, label="FACTURE DEJA PAYEE",
                date=day, part="AMO", details=details)


def applied(*facts: Fact, received: date = RECEIVED) -> InvoiceRecord:
    record = None
    for i, fact in enumerate(facts):
        record = apply_fact(record, fact, source=f"k{i}", received=received)
    assert record is not None
    return record


def test_a_paid_invoice():
    """GIVEN a NOEMIE payment of the AMO part with what was billed WHEN applied THEN the part is paid,
    billed and paid amounts and the payment day are kept, the AMC part is unknown."""
    record = applied(paid("9.21", date(2026, 3, 9), billed="9.21"))
    amo = record.part("AMO")
    assert (amo.status, amo.billed, amo.paid, amo.paid_on, amo.payer) == ("paid", D("9.21"), D("9.21"),
                                                                          date(2026, 3, 9), "511")
    assert record.part("AMC").status is None and record.lot == "038"


def test_rejected_then_paid_after_a_letter():
    """GIVEN a reject, then a payment of the same part a month later WHEN applied THEN the part reads
    « paid after reject », the rejected amount stays known, and what was paid after a letter sent in
    between is counted as recovered — a payment before the letter is not."""
    record = applied(rejected("3.54", date(2026, 2, 20)), paid("3.54", date(2026, 3, 25)))
    amo = record.part("AMO")
    assert (amo.status, amo.rejected, amo.paid, amo.reject_code) == ("paid_after_reject", D("3.54"),
                                                                     D("3.54"), "2900")
    assert record.paid_after(date(2026, 3, 1)) == D("3.54")
    assert record.paid_after(date(2026, 3, 25)) == D("0.00")


def test_movements_are_ordered_by_when_they_happened_not_by_arrival():
    """GIVEN a payment read before the older reject it followed (messages read out of order) WHEN
    applied THEN the part is still « paid after reject »."""
    record = applied(paid("3.54", date(2026, 3, 25)), rejected("3.54", date(2026, 2, 20)))
    assert record.part("AMO").status == "paid_after_reject"


def test_the_same_fact_twice_is_one_movement():
    """GIVEN the same payment read from two messages (a file sent again) WHEN applied THEN the record is
    unchanged by the second, and the amount is not counted twice."""
    fact = paid("9.21", date(2026, 3, 9))
    once = applied(fact)
    assert apply_fact(once, fact, source="other", received=date(2026, 3, 10)) is once
    assert once.part("AMO").paid == D("9.21")


def test_one_payment_told_by_two_kinds_of_message_is_counted_once():
    """GIVEN a payment from a NOEMIE return, then the caisse's answer to a réclamation telling the same
    payment in other words (its own label, no billed amount) WHEN applied THEN it is one payment: the
    part's paid amount and what was recovered after a letter are not doubled."""
    noemie = paid("3.54", date(2026, 3, 25), billed="3.54")
    answer = Fact(FactKind.INVOICE_PAID, caisse="511", invoice="000012201", amount=D("3.54"),
                  date=date(2026, 3, 25), part="AMO", label="réglée suite à votre réclamation")
    record = applied(rejected("3.54", date(2026, 2, 20)), noemie, answer)
    assert record.part("AMO").paid == D("3.54")
    assert record.paid_after(date(2026, 3, 1)) == D("3.54")


def test_a_dated_payment_replaces_the_same_payment_told_without_a_day():
    """GIVEN an answer saying the invoice was paid, without a day, then the NOEMIE return of that
    payment with its day WHEN applied in either order THEN one payment remains, dated."""
    undated = Fact(FactKind.INVOICE_PAID, caisse="511", invoice="000012201", amount=D("3.54"), part="AMO")
    dated = paid("3.54", date(2026, 3, 25))
    for order in ((undated, dated), (dated, undated)):
        amo = applied(*order).part("AMO")
        assert (amo.paid, amo.paid_on) == (D("3.54"), date(2026, 3, 25))


def test_two_payments_of_the_same_amount_on_different_days_are_both_counted():
    """GIVEN two instalments of 3,54 € on two days WHEN applied THEN both are counted."""
    amo = applied(paid("3.54", date(2026, 3, 9)), paid("3.54", date(2026, 4, 9))).part("AMO")
    assert amo.paid == D("7.08")


def test_an_act_rejected_in_a_paid_part_keeps_it_paid():
    """GIVEN a paid part and the reject of one of its acts (amount unknown) WHEN applied THEN the part
    stays paid, and the act's code and motif are shown."""
    record = applied(paid("9.21", date(2026, 3, 9)),
                     rejected(None, date(2026, 3, 9), code="0602", scope="acte"))
    amo = record.part("AMO")
    assert (amo.status, amo.reject_code, amo.rejected) == ("paid", "0602", None)


def test_deferral_then_payment():
    """GIVEN an invoice deferred then paid WHEN applied THEN the deferred amount is no longer shown once
    paid, and what was billed comes from the deferral."""
    deferred = Fact(FactKind.INVOICE_DEFERRED, caisse="511", invoice="000012201", amount=D("10.70"),
                    date=date(2026, 2, 20), part="AMO")
    record = applied(deferred)
    assert (record.part("AMO").status, record.part("AMO").deferred) == ("deferred", D("10.70"))
    later = apply_fact(record, paid("10.70", date(2026, 3, 2)), source="k9", received=RECEIVED)
    assert later is not None
    part = later.part("AMO")
    assert (part.status, part.deferred, part.billed) == ("paid", None, D("10.70"))


def test_care_dates_and_lot_date_are_gathered():
    """GIVEN facts whose details carry care dates and the lot's date WHEN applied THEN the record holds
    every care date once, sorted, and the lot's date; an unreadable date is left out."""
    platform = Fact(FactKind.AMC_PAID, caisse="viamedis", invoice="000012201", amount=D("1.00"),
                    date=date(2026, 3, 9), part="AMC", details={"care_date": "2026-02-14", "billed": "1.00"})
    odd = Fact(FactKind.INVOICE_PAID, invoice="000012201", amount=D("0"), date=date(2026, 3, 9),
               details={"care_dates": ["pas une date"]})
    record = applied(rejected("3.54", date(2026, 2, 20), care_dates=["2026-02-14", "2026-02-13"],
                              lot_date="2026-02-16"), platform, odd)
    assert record.care_dates == ("2026-02-13", "2026-02-14") and record.lot_date == date(2026, 2, 16)
    assert record.part("AMC").payer == "viamedis" and record.part("AMC").billed == D("1.00")


def test_facts_that_are_not_about_an_invoice_change_nothing():
    """GIVEN a lot acknowledgement and a payment without invoice number WHEN applied THEN no record."""
    for fact in (Fact(FactKind.LOT_ACKNOWLEDGED, caisse="511", lot="038", date=date(2026, 2, 16)),
                 Fact(FactKind.INVOICE_PAID, caisse="511", lot="038", amount=D("5"))):
        assert apply_fact(None, fact, source="k", received=RECEIVED) is None


def test_a_record_survives_the_store():
    """GIVEN a record with movements of both parts WHEN written as a document and read back THEN it is
    equal, and the document says when it last changed."""
    record = applied(rejected("3.54", date(2026, 2, 20), care_dates=["2026-02-14"], lot_date="2026-02-16"),
                     paid("3.54", date(2026, 3, 25)), received=date(2026, 3, 26))
    doc = record.to_doc()
    assert InvoiceRecord.from_doc(doc) == record and doc["updated"] == "2026-03-26"
