"""The cases stage's values: a case, its history, its type and state (dicts only at the store)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from cpambot.cases.deadlines import Deadline
from cpambot.instants import as_date

Day = date  # for fields named ``date`` (a class attribute would hide the type)


class CaseType(StrEnum):
    """What a case is about (labels: :data:`cpambot.labels.CASE_TYPE`)."""

    INVOICE = "invoice"
    REFUSED_LOT = "refused_lot"
    LOT_WATCH = "lot_watch"  # a lot acknowledged by the caisse, its payment awaited
    UNPAID_LOT = "unpaid_lot"
    RETENUE = "retenue"
    INDU = "indu"
    AMC = "amc"
    RECLAMATION = "reclamation"
    MEETING = "meeting"
    TO_SORT = "to_sort"


class CaseState(StrEnum):
    """Whose move it is (labels: :data:`cpambot.labels.CASE_STATE`)."""

    OPEN = "open"  # something to do for the professional
    WAITING = "waiting"  # waiting for the caisse
    CLOSED = "closed"


# What a case keeps of the invoice for the letters (patient identity is health data: the store
# is owner-only and none of it is ever logged). Values are JSON values, as the facts carry them.
BILLING_KEYS = ("nir", "insured_name", "patient_name", "patient_birth_date", "care_dates", "acts",
                "lot_date", "billing_date", "transmitted_on", "care_nature")
Billing = Mapping[str, Any]  # JSON values (strings, lists of strings or of small dicts)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a case: a fact, a letter sent, a delay run out."""

    date: Day
    kind: str  # a FactKind, or "letter_sent", "unpaid"
    text: str  # French
    source: str  # the ledger key of the message it came from ("" for the bot's own events)
    received: Day

    def to_doc(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "kind": str(self.kind), "text": self.text,
                "source": self.source, "received": self.received.isoformat()}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> HistoryEntry:
        day = as_date(doc.get("date"))
        assert day is not None
        return cls(day, str(doc.get("kind") or ""), str(doc.get("text") or ""),
                   str(doc.get("source") or ""), as_date(doc.get("received")) or day)


def deadline_doc(deadline: Deadline) -> dict[str, str]:
    return {"name": deadline.name, "due": deadline.due.isoformat(),
            "legal_expiry": deadline.legal_expiry.isoformat(), "basis": deadline.basis}


def deadline_from_doc(doc: Mapping[str, Any]) -> Deadline:
    due = as_date(doc["due"])
    assert due is not None
    return Deadline(str(doc["name"]), due, as_date(doc.get("legal_expiry")) or due,
                    str(doc.get("basis") or ""))


@dataclass(frozen=True)
class Case:
    """One real-world problem (a rejected invoice, an unpaid lot, an indu…) and what is known of it.

    ``key`` makes it unique (``invoice|974|000012290``); ``id`` is its short reference (``C12``).
    ``dates`` holds the dates that drive the deadlines (``arl``, ``notified``, ``relance1_sent``…);
    ``fact_ids`` the facts already applied (the same fact twice changes nothing).
    """

    id: str
    key: str
    type: CaseType
    state: CaseState = CaseState.OPEN
    status: str = ""
    opened: date = date.min
    updated: date = date.min
    closed: date | None = None
    caisse: str | None = None
    lot: str | None = None
    invoice: str | None = None
    reference: str | None = None
    amount: Decimal | None = None
    reject_code: str | None = None
    family: str | None = None
    advice: str | None = None
    part: str | None = None  # "AMO" or "AMC"
    needs_review: str | None = None  # French: why a human must read the message
    dates: Mapping[str, date] = field(default_factory=lambda: MappingProxyType({}))
    history: tuple[HistoryEntry, ...] = ()
    fact_ids: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    flags: tuple[str, ...] = ()
    billing: Billing | None = None  # only when a fact brought billing details
    scor_reference: str | None = None  # the SCOR transmission of the pièces, when known

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", CaseType(self.type))
        object.__setattr__(self, "state", CaseState(self.state))
        object.__setattr__(self, "dates", MappingProxyType(dict(self.dates)))
        if self.billing is not None:
            object.__setattr__(self, "billing", _frozen(self.billing))

    @property
    def is_closed(self) -> bool:
        return self.state is CaseState.CLOSED

    @property
    def amount_text(self) -> str | None:
        """The amount as stored and shown in JSON: euros with 2 decimals (``"3412.60"``)."""
        return f"{self.amount:.2f}" if self.amount is not None else None

    def dated(self, name: str) -> date | None:
        """The date recorded under ``name`` (``arl``, ``notified``, ``relance1_sent``…)."""
        return self.dates.get(name)

    def deadline(self, name: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.name == name), None)

    def to_doc(self) -> dict[str, Any]:
        """The plain dict kept in the store (and, in part, printed by ``cpambot cases --json``)."""
        doc: dict[str, Any] = {
            "id": self.id, "key": self.key, "type": self.type.value, "state": self.state.value,
            "status": self.status, "caisse": self.caisse, "lot": self.lot, "invoice": self.invoice,
            "reference": self.reference, "amount": self.amount_text, "reject_code": self.reject_code,
            "family": self.family, "advice": self.advice, "part": self.part,
            "dates": {name: day.isoformat() for name, day in self.dates.items()},
            "history": [entry.to_doc() for entry in self.history], "fact_ids": list(self.fact_ids),
            "deadlines": [deadline_doc(d) for d in self.deadlines], "needs_review": self.needs_review,
            "opened": self.opened.isoformat(), "updated": self.updated.isoformat(),
            "closed": self.closed.isoformat() if self.closed else None, "flags": list(self.flags),
        }
        if self.billing is not None:
            doc["billing"] = dict(self.billing)
        if self.scor_reference is not None:
            doc["scor_reference"] = self.scor_reference
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Case:
        dates = {name: day for name, day in ((n, as_date(v)) for n, v in (doc.get("dates") or {}).items())
                 if day is not None}
        amount = doc.get("amount")
        return cls(
            id=str(doc["id"]), key=str(doc["key"]), type=CaseType(doc["type"]),
            state=CaseState(doc.get("state") or "open"), status=str(doc.get("status") or ""),
            opened=as_date(doc.get("opened")) or date.min, updated=as_date(doc.get("updated")) or date.min,
            closed=as_date(doc.get("closed")), caisse=doc.get("caisse"), lot=doc.get("lot"),
            invoice=doc.get("invoice"), reference=doc.get("reference"),
            amount=Decimal(str(amount)) if amount not in (None, "") else None,
            reject_code=doc.get("reject_code"), family=doc.get("family"), advice=doc.get("advice"),
            part=doc.get("part"), needs_review=doc.get("needs_review"), dates=dates,
            history=tuple(HistoryEntry.from_doc(h) for h in doc.get("history") or ()),
            fact_ids=tuple(doc.get("fact_ids") or ()),
            deadlines=tuple(deadline_from_doc(d) for d in doc.get("deadlines") or ()),
            flags=tuple(doc.get("flags") or ()), billing=doc.get("billing"),
            scor_reference=doc.get("scor_reference"),
        )
