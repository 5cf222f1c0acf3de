"""The figures that say what the bot is worth: money rejected, money recovered after a letter, what is
still pending and for how long, indus contested and how they ended, the reject rate of each caisse
(pure: invoice records and cases in, figures out; ``cpambot stats`` and the digest show them).

Amounts are counted part by part (AMO, AMC). A movement belongs to the month it happened in (the
payment's or the return's date). « Recovered » is a payment of an invoice made after the first letter
(relance, réclamation…) of the case about it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cpambot import labels
from cpambot.books.invoices import PARTS, InvoiceRecord, Movement
from cpambot.books.tracking import caisse_name, case_for
from cpambot.cases.model import Case, CaseType

ZERO = Decimal("0.00")
AGES = ((30, "moins de 30 jours"), (90, "30 à 90 jours"), (180, "3 à 6 mois"), (None, "plus de 6 mois"))
_DECISION = re.compile(r"« (.+?) »")


@dataclass
class Line:
    """One month, or one payer: invoice parts seen, rejected, and money."""

    key: str
    # invoice parts with a payment or a reject in this month (or of this payer); a part rejected in
    # October and paid in November counts in both months, once in the total
    parts: int = 0
    rejected_parts: int = 0
    paid: Decimal = ZERO
    rejected: Decimal = ZERO
    recovered: Decimal = ZERO

    @property
    def reject_rate(self) -> float | None:
        return self.rejected_parts / self.parts if self.parts else None


@dataclass
class Pending:
    label: str
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class Indus:
    count: int = 0
    amount: Decimal = ZERO
    contested: int = 0  # a letter was sent (observations, CRA…), or the CRA decided
    closed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # the CRA's decision → how many


@dataclass
class Figures:
    lines: list[Line]
    pending: list[Pending]
    indus: Indus
    total: Line


def figures(records: Iterable[InvoiceRecord], cases: Iterable[Case], today: date, *, by: str = "mois",
            since: date | None = None, until: date | None = None) -> Figures:
    """The figures, by month (``by="mois"``) or by payer (``by="caisse"``), of the movements from ``since``
    to ``until`` (both included); what is pending is counted on ``today``, whatever the period."""
    cases = list(cases)
    linked = case_for(cases)
    lines: dict[str, Line] = {}
    total = Line("total")
    pending = [Pending(label) for _, label in AGES]
    for record in records:
        case = linked.get(record.invoice)
        letters = [h.date for h in case.history if h.kind == "letter_sent"] if case else []
        first_letter = min(letters) if letters else None
        for part in PARTS:
            state = record.part(part)
            kept = [m for m in record.movements if m.part == part and m.kind in ("paid", "rejected")
                    and (since is None or m.when >= since) and (until is None or m.when <= until)]
            for move in kept:
                for line in (lines.setdefault(_key(move, by), Line(_key(move, by))), total):
                    _count(line, move.kind, move.amount if move.amount is not None else state.billed,
                           after_letter=first_letter is not None and move.when > first_letter)
            for key in {_key(m, by) for m in kept}:  # a part counts in each month it moved in
                lines[key].parts += 1
                lines[key].rejected_parts += any(m.kind == "rejected" for m in kept if _key(m, by) == key)
            if kept:  # and once in the total
                total.parts += 1
                total.rejected_parts += any(m.kind == "rejected" for m in kept)
            if state.status in ("rejected", "deferred", "anomaly"):
                last = max(m.when for m in record.movements if m.part == part)
                bucket = pending[_age(today, last)]
                bucket.count += 1
                bucket.amount += state.rejected or state.deferred or state.billed or ZERO
    return Figures(sorted(lines.values(), key=lambda x: x.key), pending, _indus(cases), total)


def _count(line: Line, kind: str, amount: Decimal | None, *, after_letter: bool) -> None:
    if kind == "paid":
        line.paid += amount or ZERO
        if after_letter:
            line.recovered += amount or ZERO
    else:
        line.rejected += amount or ZERO


def _key(move: Movement, by: str) -> str:
    return move.when.strftime("%Y-%m") if by == "mois" else (move.payer or "?")


def _age(today: date, since: date) -> int:
    days = (today - since).days
    return next(i for i, (limit, _) in enumerate(AGES) if limit is None or days < limit)


def _indus(cases: Iterable[Case]) -> Indus:
    out = Indus()
    for case in cases:
        if case.type is not CaseType.INDU:
            continue
        out.count += 1
        out.amount += case.amount or ZERO
        # contested: a letter of the bot, or a decision of the CRA (it was seized, by the bot or by hand)
        out.contested += any(h.kind in ("letter_sent", "cra_decision") for h in case.history)
        out.closed += case.is_closed
        decisions = [h.text for h in case.history if h.kind == "cra_decision"]
        if decisions:
            found = _DECISION.search(decisions[-1])
            outcome = found.group(1) if found else "à lire"
            out.outcomes[outcome] = out.outcomes.get(outcome, 0) + 1
    return out


MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")


def euros(amount: Decimal) -> str:
    """« 1 234,50 € » (a narrow no-break space between thousands)."""
    return f"{amount:,.2f} €".replace(",", "\u202f").replace(".", ",")


def line_label(key: str, by: str) -> str:
    if key == "total":
        return "Total"
    if by == "mois":
        year, month = key.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    return caisse_name(key) or key


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f} %".replace(".", ",")


def stats_text(fig: Figures, by: str) -> str:
    """The figures as a French text table, then what is pending and the indus."""
    head = ("Mois" if by == "mois" else "Caisse ou complémentaire", "Parts", "Rejetées", "Taux de rejet",
            "Payé", "Rejeté", "Récupéré après courrier")
    body = [(line_label(x.key, by), str(x.parts), str(x.rejected_parts), rate_text(x.reject_rate),
             euros(x.paid), euros(x.rejected), euros(x.recovered)) for x in (*fig.lines, fig.total)]
    widths = [max(len(row[i]) for row in (head, *body)) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in (head, *body)]
    lines.append("")
    lines.append("Encore impayé (parts rejetées, différées ou en anomalie, sans paiement depuis) :")
    for bucket in fig.pending:
        lines.append(f"  {bucket.label} : {labels.count(bucket.count, 'part')}, {euros(bucket.amount)}")
    indus = fig.indus
    text = (f"Indus : {indus.count} ({euros(indus.amount)}), {indus.contested} contesté"
            f"{'s' if indus.contested > 1 else ''}, {indus.closed} clos")
    if indus.outcomes:
        text += " ; décisions de la CRA : " + ", ".join(f"{k} {v}" for k, v in sorted(indus.outcomes.items()))
    lines.append(text)
    return "\n".join(lines)


def stats_json(fig: Figures) -> dict[str, Any]:
    def line(x: Line) -> dict[str, Any]:
        return {"cle": x.key, "parts": x.parts, "parts_rejetees": x.rejected_parts,
                "taux_rejet": round(x.reject_rate, 4) if x.reject_rate is not None else None,
                "paye": f"{x.paid:.2f}", "rejete": f"{x.rejected:.2f}", "recupere": f"{x.recovered:.2f}"}
    return {"lignes": [line(x) for x in fig.lines], "total": line(fig.total),
            "en_attente": [{"anciennete": p.label, "parts": p.count, "montant": f"{p.amount:.2f}"}
                           for p in fig.pending],
            "indus": {"nombre": fig.indus.count, "montant": f"{fig.indus.amount:.2f}",
                      "contestes": fig.indus.contested, "clos": fig.indus.closed,
                      "decisions_cra": fig.indus.outcomes}}


@dataclass(frozen=True)
class PayerBar:
    label: str
    parts: int
    rejected_parts: int
    rate: str  # French, « 12,5 % »
    bar: int  # width in percent of the highest rate (at least 2 when any was rejected)


@dataclass(frozen=True)
class MonthSummary:
    """The first digest of a month tells the month before: what was paid, rejected, recovered, per payer."""

    month: str  # « novembre 2026 »
    key: str  # « 2026-11 »
    total: Line
    payers: tuple[PayerBar, ...]
    pending: tuple[Pending, ...]
    indus: Indus

    @property
    def rate(self) -> str:
        return rate_text(self.total.reject_rate)

    @property
    def pending_total(self) -> tuple[int, Decimal]:
        return sum(p.count for p in self.pending), sum((p.amount for p in self.pending), ZERO)


def month_summary(records: Iterable[InvoiceRecord], cases: Iterable[Case], today: date,
                  month_start: date) -> MonthSummary | None:
    """The month that starts on ``month_start``; None when nothing was paid or rejected in it."""
    next_month = (month_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    records, cases = list(records), list(cases)
    until = next_month - timedelta(days=1)
    by_payer = figures(records, cases, today, by="caisse", since=month_start, until=until)
    if not by_payer.total.parts:
        return None
    rates = [x.reject_rate or 0.0 for x in by_payer.lines]
    top = max(rates, default=0.0)
    bars = tuple(PayerBar(line_label(x.key, "caisse"), x.parts, x.rejected_parts, rate_text(x.reject_rate),
                          max(2, int(100 * (x.reject_rate or 0) / top)) if top and x.rejected_parts else 0)
                 for x in sorted(by_payer.lines, key=lambda x: -(x.reject_rate or 0)))
    return MonthSummary(f"{MONTHS[month_start.month - 1]} {month_start.year}", f"{month_start:%Y-%m}",
                        by_payer.total, bars,
                        tuple(by_payer.pending), by_payer.indus)
