"""The tracking table every guide recommends: one row per invoice, what was billed, paid, rejected,
and what the bot did about it (pure: records and cases in, typed rows out; the file formats are
:mod:`cpambot.books.spreadsheet`'s)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cpambot import labels
from cpambot.books.invoices import InvoiceRecord, PartState
from cpambot.cases.model import Case
from cpambot.understanding.directory import by_code


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # French, as the spreadsheet shows it
    kind: str  # text, date, money
    width: int = 12


COLUMNS = (
    Column("invoice", "N° de facture", "text", 12),
    Column("lot", "N° de lot", "text", 8),
    Column("care", "Date(s) de soins", "text", 22),
    Column("sent", "Envoi du lot", "date", 11),
    Column("caisse", "Caisse (AMO)", "text", 26),
    Column("amo_billed", "AMO facturé", "money"),
    Column("amo_paid", "AMO payé", "money"),
    Column("amo_rejected", "AMO rejeté", "money"),
    Column("amo_deferred", "AMO différé", "money"),
    Column("amo_status", "État AMO", "text", 16),
    Column("amc", "Complémentaire (AMC)", "text", 16),
    Column("amc_billed", "AMC facturé", "money"),
    Column("amc_paid", "AMC payé", "money"),
    Column("amc_rejected", "AMC rejeté", "money"),
    Column("amc_deferred", "AMC différé", "money"),
    Column("amc_status", "État AMC", "text", 16),
    Column("paid_on", "Dernier paiement", "date", 11),
    Column("transfer", "Virement reçu en banque", "date", 12),
    Column("reject_code", "Code rejet", "text", 9),
    Column("reject_label", "Motif du rejet", "text", 40),
    Column("case", "Dossier", "text", 8),
    Column("case_state", "État du dossier", "text", 30),
    Column("letters", "Relances et courriers envoyés", "text", 40),
    Column("recovered", "Récupéré après courrier", "money", 14),
)
MONEY = tuple(c.key for c in COLUMNS if c.kind == "money")

STATUS = {"paid": "payée", "rejected": "rejetée", "deferred": "différée", "anomaly": "en anomalie",
          "paid_after_reject": "payée après rejet"}

Row = dict[str, Any]  # column key → str, date, Decimal or None


def reference_day(record: InvoiceRecord) -> date:
    """The day an invoice is filed under (what ``--depuis`` and ``--jusqu-a`` compare): its lot's
    departure, else its first care date, else the first message about it."""
    if record.lot_date is not None:
        return record.lot_date
    if record.care_dates:
        return date.fromisoformat(record.care_dates[0])
    return record.first_seen


def caisse_name(code: str | None) -> str | None:
    if not code:
        return None
    info = by_code().get(code)
    return f"{info.name} ({code})" if info is not None else code


def _letters(case: Case | None) -> tuple[str | None, date | None]:
    """The letters of the case, in French (« Relance 1 envoyée (C12-R1) le 03/11/2026 ; … »), and the
    date of the first."""
    if case is None:
        return None, None
    sent = [h for h in case.history if h.kind == "letter_sent"]
    if not sent:
        return None, None
    return " ; ".join(f"{h.text} le {h.date:%d/%m/%Y}" for h in sent), min(h.date for h in sent)


def case_for(cases: Iterable[Case]) -> dict[str, Case]:
    """Invoice number → the case about it updated last (rejects, réclamations, AMC)."""
    found: dict[str, Case] = {}
    for case in cases:
        if case.invoice and (case.invoice not in found or case.updated >= found[case.invoice].updated):
            found[case.invoice] = case
    return found


def tracking_row(record: InvoiceRecord, case: Case | None,
                 received: Mapping[str, date] | None = None) -> Row:
    """``received``: for the message of a return, the day its transfer reached the bank (as a bank
    reconciliation found it)."""
    amo, amc = record.part("AMO"), record.part("AMC")
    last = max((p for p in (amo, amc) if p.reject_code), key=lambda p: p.rejected or 0, default=None)
    letters, first_letter = _letters(case)
    banked = received or {}
    care = record.care_dates
    paid_days = [d for d in (amo.paid_on, amc.paid_on) if d is not None]
    row: Row = {
        "invoice": record.invoice, "lot": record.lot,
        "care": (f"{_fr(care[0])} au {_fr(care[-1])}" if len(care) > 1 else _fr(care[0])) if care else None,
        "sent": record.lot_date, "caisse": caisse_name(amo.payer), "amc": caisse_name(amc.payer),
        "paid_on": max(paid_days) if paid_days else None,
        "transfer": max((banked[m.source] for m in record.movements
                         if m.kind == "paid" and m.source in banked), default=None),
        "reject_code": last.reject_code if last else None,
        "reject_label": last.reject_label if last else None,
        "case": case.id if case else None, "case_state": _case_state(case),
        "letters": letters,
        "recovered": record.paid_after(first_letter) if first_letter is not None else None,
    }
    row.update(_part_cells("amo", amo))
    row.update(_part_cells("amc", amc))
    return row


def _part_cells(prefix: str, part: PartState) -> Row:
    return {f"{prefix}_billed": part.billed, f"{prefix}_paid": part.paid, f"{prefix}_rejected": part.rejected,
            f"{prefix}_deferred": part.deferred, f"{prefix}_status": STATUS.get(part.status or "")}


def _case_state(case: Case | None) -> str | None:
    if case is None:
        return None
    state = labels.CASE_STATE.get(case.state.value, case.state.value)
    return f"{state} — {case.status}" if case.status else state


def _fr(iso_day: str) -> str:
    return f"{date.fromisoformat(iso_day):%d/%m/%Y}"


def tracking_rows(records: Iterable[InvoiceRecord], cases: Iterable[Case], *, since: date | None = None,
                  until: date | None = None, received: Mapping[str, date] | None = None) -> list[Row]:
    """One row per invoice filed between ``since`` and ``until`` (both included), oldest first."""
    linked = case_for(cases)
    kept = [r for r in records if r.movements and (since is None or reference_day(r) >= since)
            and (until is None or reference_day(r) <= until)]
    kept.sort(key=lambda r: (reference_day(r), r.invoice))
    return [tracking_row(r, linked.get(r.invoice), received) for r in kept]


def totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """The sum of each money column."""
    sums = {key: Decimal("0.00") for key in MONEY}
    for row in rows:
        for key in MONEY:
            if row.get(key) is not None:
                sums[key] += row[key]
    return sums
