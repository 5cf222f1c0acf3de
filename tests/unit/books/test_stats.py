"""The figures: rejected and recovered money by month or payer, what is pending by age, the indus."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.books.invoices import InvoiceRecord, apply_fact
from cpambot.books.stats import figures, stats_json, stats_text
from cpambot.cases.model import Case, CaseState, CaseType, HistoryEntry
from cpambot.understanding.facts import Fact, FactKind

D = Decimal
TODAY = date(2026, 6, 1)


def record(invoice: str, *facts: Fact) -> InvoiceRecord:
    out = None
    for i, fact in enumerate(facts):
        out = apply_fact(out, fact, source=f"{invoice}-{i}", received=fact.date or TODAY)
    assert out is not None
    return out


def fact(kind: FactKind, invoice: str, amount: str, day: date, caisse: str = "511",
         part: str = "AMO") -> Fact:
    return Fact(kind, caisse=caisse, invoice=invoice, amount=D(amount), date=day, part=part)


# rejected in February, relance sent 10/03, paid 25/03: recovered
RECOVERED = record("1", fact(FactKind.INVOICE_REJECTED, "1", "30.00", date(2026, 2, 20)),
                   fact(FactKind.INVOICE_PAID, "1", "30.00", date(2026, 3, 25)))
# paid in March by 974
PAID = record("2", fact(FactKind.INVOICE_PAID, "2", "10.00", date(2026, 3, 5), caisse="974"))
# rejected by a platform in May, never paid
PENDING = record("3", fact(FactKind.AMC_REJECTED, "3", "8.40", date(2026, 5, 20), caisse="almerys",
                           part="AMC"))
# rejected in January, never paid: old
OLD = record("4", fact(FactKind.INVOICE_REJECTED, "4", "5.00", date(2026, 1, 2)))
CASES = [
    Case(id="C1", key="invoice|511|1", type=CaseType.INVOICE, invoice="1", updated=date(2026, 3, 25),
         history=(HistoryEntry(date(2026, 3, 10), "letter_sent", "Relance 1 envoyée (C1-R1)", "",
                               date(2026, 3, 10)),)),
    Case(id="C2", key="indu|974|A", type=CaseType.INDU, amount=D("1000.00"),
         history=(HistoryEntry(date(2026, 4, 1), "cra_decision", "décision de la CRA, « partiel »", "k",
                               date(2026, 4, 1)),)),
    Case(id="C3", key="indu|974|B", type=CaseType.INDU, amount=D("200.00"), state=CaseState.CLOSED,
         closed=date(2026, 5, 1)),
]
ALL = [RECOVERED, PAID, PENDING, OLD]


def test_by_month():
    """GIVEN a reject paid after a relance, a plain payment, a platform's reject, an old reject WHEN counted
    by month THEN each movement is in its month, a part counts in each month it moved in (once in the
    total), the payment after the letter is recovered, and the reject rate counts parts."""
    fig = figures(ALL, CASES, TODAY)
    months = {x.key: x for x in fig.lines}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-05"]
    assert (months["2026-02"].rejected, months["2026-02"].parts, months["2026-02"].rejected_parts) == (
        D("30.00"), 1, 1)
    assert (months["2026-03"].paid, months["2026-03"].recovered) == (D("40.00"), D("30.00"))
    # the February reject paid in March is a part of March too (paid, not rejected there)
    assert (months["2026-03"].parts, months["2026-03"].rejected_parts) == (2, 0)
    assert fig.total.parts == 4 and fig.total.rejected_parts == 3 and fig.total.reject_rate == 0.75
    assert (fig.total.rejected, fig.total.recovered) == (D("43.40"), D("30.00"))


def test_by_payer_and_since():
    """GIVEN the same WHEN counted by payer from 01/03 THEN the February reject is left out, 511 has only
    the payment (recovered), 974 its payment, the platform its reject."""
    fig = figures(ALL, CASES, TODAY, by="caisse", since=date(2026, 3, 1))
    payers = {x.key: x for x in fig.lines}
    assert set(payers) == {"511", "974", "almerys"}
    assert (payers["511"].paid, payers["511"].rejected, payers["511"].recovered) == (D("30.00"), D("0.00"),
                                                                                     D("30.00"))
    assert payers["almerys"].rejected_parts == 1 and payers["974"].reject_rate == 0.0


def test_pending_by_age_and_indus():
    """GIVEN the reject of 20/05 and that of 02/01 still unpaid on 01/06 WHEN counted THEN one part under 30
    days (8,40 €), one of 3 to 6 months (5 €, 150 days); two indus (1 200 €), one contested (the CRA
    decided « partiel »), one closed."""
    fig = figures(ALL, CASES, TODAY)
    assert [(p.count, p.amount) for p in fig.pending] == [(1, D("8.40")), (0, D("0.00")), (1, D("5.00")),
                                                          (0, D("0.00"))]
    indus = fig.indus
    assert (indus.count, indus.amount, indus.contested, indus.closed, indus.outcomes) == (
        2, D("1200.00"), 1, 1, {"partiel": 1})


def test_text_and_json_in_french():
    """GIVEN the figures WHEN shown THEN the text has French months, caisse names, amounts with a comma and
    a total line; the JSON has amounts as strings."""
    text = stats_text(figures(ALL, CASES, TODAY), "mois")
    assert "février 2026" in text and "Total" in text and "30,00 €" in text and "75,0 %" in text
    assert "moins de 30 jours : 1 part, 8,40 €" in text
    assert "Indus : 2 (1\u202f200,00 €), 1 contesté, 1 clos ; décisions de la CRA : partiel 1" in text
    by_payer = stats_text(figures(ALL, CASES, TODAY, by="caisse"), "caisse")
    assert "CPAM de la Marne (511)" in by_payer and "almerys" in by_payer
    data = stats_json(figures(ALL, CASES, TODAY))
    assert data["total"]["recupere"] == "30.00" and data["indus"]["decisions_cra"] == {"partiel": 1}
