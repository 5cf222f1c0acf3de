"""The invoice ledger: every invoice the caisses and the complementary platforms spoke of, part by part.

Pure: a fact about an invoice (paid, rejected, deferred, in anomaly; AMO from a NOEMIE return, a lot
return or an answer; AMC from a platform) becomes a :class:`Movement` of its :class:`InvoiceRecord`.
A record keeps every movement, in the order they happened, so that what a part is now (paid,
rejected, paid after a reject…) and what was paid after a letter are computed, never stored twice.
The same fact read twice (a message sent again) changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from cpambot.understanding.facts import Fact, FactKind, money

INVOICES = "invoices"  # the store's table: invoice number → record

PARTS = ("AMO", "AMC")

# Fact kind → movement kind
_MOVES = {FactKind.INVOICE_PAID: "paid", FactKind.AMC_PAID: "paid",
          FactKind.INVOICE_REJECTED: "rejected", FactKind.AMC_REJECTED: "rejected",
          FactKind.INVOICE_DEFERRED: "deferred", FactKind.INVOICE_IN_ANOMALY: "anomaly"}
ACT_REJECTED = "act_rejected"  # one act of an otherwise paid part rejected


def movement_id(fact: Fact) -> str:
    """The fact's fingerprint: the same fact from a message sent twice is one movement."""
    data = json.dumps(fact.to_json(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Movement:
    """What one message said of one part of one invoice."""

    id: str
    kind: str  # paid, rejected, deferred, anomaly, act_rejected
    part: str  # AMO or AMC
    payer: str | None  # caisse code ("974") or complementary platform ("viamedis")
    amount: Decimal | None  # paid, or claimed when rejected or deferred
    billed: Decimal | None  # what was claimed, when the message says it
    day: date | None  # when it happened (payment, return), as the message says
    received: date  # when the message arrived
    source: str  # ledger key of the message
    reject_code: str | None = None
    label: str | None = None

    @property
    def when(self) -> date:
        return self.day or self.received

    def to_doc(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "part": self.part, "payer": self.payer,
                "amount": _text(self.amount), "billed": _text(self.billed),
                "day": self.day.isoformat() if self.day else None, "received": self.received.isoformat(),
                "source": self.source, "reject_code": self.reject_code, "label": self.label}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Movement:
        return cls(str(doc["id"]), str(doc["kind"]), str(doc["part"]), doc.get("payer"),
                   money(doc.get("amount")), money(doc.get("billed")),
                   date.fromisoformat(doc["day"]) if doc.get("day") else None,
                   date.fromisoformat(doc["received"]), str(doc.get("source") or ""),
                   doc.get("reject_code"), doc.get("label"))


@dataclass(frozen=True)
class PartState:
    """Where one part (AMO or AMC) of an invoice stands, from its movements."""

    status: str | None = None  # paid, rejected, deferred, anomaly, paid_after_reject; None: never heard of
    payer: str | None = None
    billed: Decimal | None = None
    paid: Decimal | None = None  # every payment, added
    rejected: Decimal | None = None  # the claimed amount of the last reject (None: never rejected)
    deferred: Decimal | None = None  # while deferred
    paid_on: date | None = None  # the last payment
    reject_code: str | None = None  # of the last reject (of the part or of one act)
    reject_label: str | None = None


@dataclass(frozen=True)
class InvoiceRecord:
    invoice: str
    lot: str | None = None
    care_dates: tuple[str, ...] = ()  # ISO dates
    lot_date: date | None = None  # when the lot left (as the caisse's return says)
    movements: tuple[Movement, ...] = ()

    @property
    def first_seen(self) -> date:
        return min(m.received for m in self.movements)

    @property
    def last_day(self) -> date:
        return max(m.when for m in self.movements)

    def part(self, part: str) -> PartState:
        moves = sorted((m for m in self.movements if m.part == part), key=lambda m: (m.when, m.received))
        if not moves:
            return PartState()
        status: str | None = None
        payer = billed = paid = rejected = deferred = None
        paid_on = None
        code = label = None
        for move in moves:
            payer = move.payer or payer
            billed = move.billed if move.billed is not None else billed
            if move.kind == ACT_REJECTED:
                code, label = move.reject_code or code, move.label or label
                continue
            if move.kind == "paid":
                paid = (paid or Decimal("0.00")) + (move.amount or Decimal("0.00"))
                paid_on = move.day or move.received
                status = "paid_after_reject" if status in ("rejected", "paid_after_reject") else "paid"
                deferred = None
            elif move.kind == "rejected":
                rejected = move.amount if move.amount is not None else billed
                billed = billed if billed is not None else move.amount
                code, label = move.reject_code, move.label
                status, deferred = "rejected", None
            elif move.kind == "deferred":
                deferred = move.amount
                billed = billed if billed is not None else move.amount
                status = "deferred"
            elif move.kind == "anomaly":
                status = "anomaly" if status not in ("paid", "paid_after_reject") else status
        return PartState(status, payer, billed, paid, rejected, deferred, paid_on, code, label)

    def paid_after(self, day: date) -> Decimal:
        """What was paid (both parts) by payments made after ``day`` (a letter's date)."""
        return sum((m.amount or Decimal("0.00") for m in self.movements
                    if m.kind == "paid" and m.when > day), Decimal("0.00"))

    def to_doc(self) -> dict[str, Any]:
        return {"invoice": self.invoice, "lot": self.lot, "care_dates": list(self.care_dates),
                "lot_date": self.lot_date.isoformat() if self.lot_date else None,
                "movements": [m.to_doc() for m in self.movements],
                # the last message about it: what the daily maintenance archives by
                "updated": max(m.received for m in self.movements).isoformat() if self.movements else None}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> InvoiceRecord:
        return cls(str(doc["invoice"]), doc.get("lot"), tuple(doc.get("care_dates") or ()),
                   date.fromisoformat(doc["lot_date"]) if doc.get("lot_date") else None,
                   tuple(Movement.from_doc(m) for m in doc.get("movements") or ()))


def is_invoice_fact(fact: Fact) -> bool:
    return fact.kind in _MOVES and bool(fact.invoice)


def apply_fact(record: InvoiceRecord | None, fact: Fact, *, source: str,
               received: date) -> InvoiceRecord | None:
    """``record`` (None: not known yet) once ``fact`` is applied; None when the fact is not about an
    invoice; ``record`` itself when the fact was already applied."""
    if not is_invoice_fact(fact):
        return record
    assert fact.invoice is not None
    ident = movement_id(fact)
    if record is not None and any(m.id == ident for m in record.movements):
        return record
    details = fact.details or {}
    kind = _MOVES[fact.kind]
    if kind == "rejected" and details.get("scope") == "acte":
        kind = ACT_REJECTED
    platform = fact.kind in (FactKind.AMC_PAID, FactKind.AMC_REJECTED)
    part = fact.part if fact.part in PARTS else ("AMC" if platform else "AMO")
    move = Movement(ident, kind, part, fact.caisse, fact.amount, money(details.get("billed")), fact.date,
                    received, source, fact.reject_code, fact.label)
    base = record or InvoiceRecord(fact.invoice)
    movements = base.movements
    if kind == "paid":
        same = [m for m in movements if _same_payment(m, move)]
        if same:
            if move.day is None or same[0].day is not None:
                return record  # one payment told twice (the NOEMIE return, then the caisse's answer)
            movements = tuple(m for m in movements if m is not same[0])  # the dated telling wins
    care = sorted({*base.care_dates, *_care_dates(details)})
    lot_date = base.lot_date or _day(details.get("lot_date"))
    return replace(base, lot=base.lot or fact.lot, care_dates=tuple(care), lot_date=lot_date,
                   movements=(*movements, move))


def _same_payment(known: Movement, new: Movement) -> bool:
    """Whether ``new`` tells of the payment ``known`` already recorded: same part and amount, on the
    same day, or with no day on one side. A payment's identity is not the wording of the message
    that told it: a NOEMIE return and the caisse's answer to a réclamation both report it."""
    if known.kind != "paid" or known.part != new.part or known.amount != new.amount:
        return False
    return known.day is None or new.day is None or known.day == new.day


def _care_dates(details: Mapping[str, Any]) -> list[str]:
    found = [str(d) for d in details.get("care_dates") or ()]
    if details.get("care_date"):
        found.append(str(details["care_date"]))
    return [d for d in found if _day(d) is not None]


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None
