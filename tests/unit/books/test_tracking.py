"""The tracking table's rows: one per invoice, its two parts, its case and what a letter brought back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.books.invoices import InvoiceRecord, apply_fact
from cpambot.books.tracking import COLUMNS, reference_day, totals, tracking_rows
from cpambot.cases.model import Case, CaseState, CaseType, HistoryEntry
from cpambot.understanding.facts import Fact, FactKind

D = Decimal


def record(invoice: str, *facts: Fact, received: date = date(2026, 3, 2)) -> InvoiceRecord:
    out = None
    for i, fact in enumerate(facts):
        out = apply_fact(out, fact, source=f"{invoice}-{i}", received=received)
    assert out is not None
    return out


def fact(kind: FactKind, invoice: str, amount: str, day: date, **more) -> Fact:
    return Fact(kind, caisse=more.pop("caisse", "511"), invoice=invoice, lot=more.pop("lot", "038"),
                amount=D(amount), date=day, part=more.pop("part", "AMO"), **more)


REJECTED = record("000012201",
                  fact(FactKind.INVOICE_REJECTED, "000012201", "3.54", date(2026, 2, 20), reject_code="2900",
                       label="FACTURE DEJA PAYEE",
                       details={"care_dates": ["2026-02-13"], "lot_date": "2026-02-16"}),
                  fact(FactKind.INVOICE_PAID, "000012201", "3.54", date(2026, 3, 25)))
BOTH_PARTS = record("000012260",
                    fact(FactKind.INVOICE_PAID, "000012260", "9.21", date(2026, 3, 9),
                         details={"billed": "9.21", "care_dates": ["2026-02-24", "2026-02-26"],
                                  "lot_date": "2026-02-25"}),
                    fact(FactKind.AMC_REJECTED, "000012260", "6.14", date(2026, 3, 9), caisse="viamedis",
                         part="AMC", reject_code="0602", label="DROITS AMC NON OUVERTS"))
UNDATED = record("000012345", fact(FactKind.INVOICE_PAID, "000012345", "9.05", date(2026, 3, 5), lot="042"),
                 received=date(2026, 3, 6))

CASE = Case(id="C2", key="invoice|511|000012201", type=CaseType.INVOICE, state=CaseState.WAITING,
            status="Relance 1 envoyée, en attente de réponse", invoice="000012201",
            updated=date(2026, 3, 3),
            history=(HistoryEntry(date(2026, 3, 3), "letter_sent", "Relance 1 envoyée (C2-R1)", "",
                                  date(2026, 3, 3)),))


def test_one_row_per_invoice_with_its_case_and_what_the_letter_brought_back():
    """GIVEN a rejected invoice paid after a relance, an invoice paid by the caisse and rejected by the
    complementary, and an invoice only known by its payment WHEN the table is built THEN one row each,
    oldest first; the first row names its case, its state, the letter and the 3,54 € recovered after it."""
    rows = tracking_rows([UNDATED, BOTH_PARTS, REJECTED], [CASE])
    assert [r["invoice"] for r in rows] == ["000012201", "000012260", "000012345"]
    first = rows[0]
    assert first["care"] == "13/02/2026" and first["sent"] == date(2026, 2, 16)
    assert first["caisse"] == "CPAM de la Marne (511)"
    assert (first["amo_status"], first["amo_rejected"], first["amo_paid"]) == ("payée après rejet", D("3.54"),
                                                                               D("3.54"))
    assert first["case"] == "C2"
    assert first["case_state"] == "en attente — Relance 1 envoyée, en attente de réponse"
    assert first["letters"] == "Relance 1 envoyée (C2-R1) le 03/03/2026" and first["recovered"] == D("3.54")
    second = rows[1]
    assert second["care"] == "24/02/2026 au 26/02/2026"
    assert (second["amo_status"], second["amo_billed"], second["amc"], second["amc_status"]) == (
        "payée", D("9.21"), "viamedis", "rejetée")
    assert (second["reject_code"], second["reject_label"]) == ("0602", "DROITS AMC NON OUVERTS")
    assert second["recovered"] is None
    assert set(rows[2]) == {c.key for c in COLUMNS}


def test_the_day_the_transfer_reached_the_bank():
    """GIVEN a bank reconciliation that found the transfer of the return paying 000012345 on 06/03 WHEN the
    table is built THEN that row tells it, the others do not."""
    rows = tracking_rows([UNDATED, BOTH_PARTS], [], received={"000012345-0": date(2026, 3, 6)})
    assert {r["invoice"]: r["transfer"] for r in rows} == {"000012260": None, "000012345": date(2026, 3, 6)}


def test_filed_by_the_lot_date_else_care_else_first_message():
    """GIVEN invoices with a lot date, with care dates only, with nothing but their message WHEN filed
    THEN each falls on the lot's day, the first care day, the day its first message arrived."""
    care_only = record("000000001", fact(FactKind.INVOICE_PAID, "000000001", "1", date(2026, 3, 9),
                                         details={"care_dates": ["2026-01-05"]}))
    assert reference_day(REJECTED) == date(2026, 2, 16)
    assert reference_day(care_only) == date(2026, 1, 5)
    assert reference_day(UNDATED) == date(2026, 3, 6)


def test_since_and_until_are_inclusive():
    """GIVEN three invoices filed on 16/02, 25/02 and 06/03 WHEN asked from 16/02 to 25/02 THEN the first
    two; from 26/02 THEN the last."""
    everything = [REJECTED, BOTH_PARTS, UNDATED]
    assert [r["invoice"] for r in tracking_rows(everything, [], since=date(2026, 2, 16),
                                                until=date(2026, 2, 25))] == ["000012201", "000012260"]
    assert [r["invoice"] for r in tracking_rows(everything, [], since=date(2026, 2, 26))] == ["000012345"]


def test_totals_add_each_money_column():
    """GIVEN the three rows WHEN totalled THEN each money column is the sum of its cells, empty ones
    counting for nothing."""
    sums = totals(tracking_rows([REJECTED, BOTH_PARTS, UNDATED], [CASE]))
    assert sums["amo_paid"] == D("21.80") and sums["amc_rejected"] == D("6.14")
    assert sums["recovered"] == D("3.54") and sums["amo_deferred"] == D("0.00")
