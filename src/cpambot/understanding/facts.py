"""Facts: what one message tells, as plain data, before it touches any case.

A message is read into a :class:`Reading` (its kind, whom it comes from, whether a
human must look at it) carrying a list of :class:`Fact`. Cases are then opened or
updated from facts only (see ``cases.py``); decoders and classifiers never touch
the store.

The JSON shape of a fact (``Fact.to_json``) is stable and documented in the README:
``kind``, ``caisse``, ``lot``, ``invoice``, ``amount`` (a string, euros with 2
decimals), ``reject_code``, ``label``, ``reference``, ``date`` (ISO), ``part``,
``details``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cpambot.errors import InvalidValueError


class FactKind(StrEnum):
    """Every kind of fact (labels: :data:`cpambot.labels.FACT_KIND`)."""

    LOT_ACKNOWLEDGED = "lot_acknowledged"
    LOT_REFUSED = "lot_refused"
    INVOICE_PAID = "invoice_paid"
    INVOICE_REJECTED = "invoice_rejected"
    INVOICE_DEFERRED = "invoice_deferred"
    INVOICE_IN_ANOMALY = "invoice_in_anomaly"
    RETENUE = "retenue"
    FORFAIT_PAID = "forfait_paid"
    PIECES_REQUESTED = "pieces_requested"
    ANOMALIES_FOUND = "anomalies_found"
    INDU_NOTIFIED = "indu_notified"
    INDU_DETAILS = "indu_details"
    CRA_DECISION = "cra_decision"
    MISE_EN_DEMEURE = "mise_en_demeure"
    RECLAMATION_ACKNOWLEDGED = "reclamation_acknowledged"
    RECLAMATION_ANSWERED = "reclamation_answered"
    AMC_REJECTED = "amc_rejected"
    AMC_PAID = "amc_paid"
    MEETING_INVITATION = "meeting_invitation"
    INFORMATION = "information"
    TO_SORT = "to_sort"


class MessageKind(StrEnum):
    """Every kind of message a reading can have (labels: :data:`cpambot.labels.MESSAGE_KIND`)."""

    ARL = "arl"
    NOEMIE = "noemie"
    RETOUR_LOTS = "retour_lots"
    DEMANDE_PIECES = "demande_pieces"
    CONSTAT_ANOMALIES = "constat_anomalies"
    NOTIFICATION_INDU = "notification_indu"
    COMPLEMENT_INDU = "complement_indu"
    AVIS_RETENUE = "avis_retenue"
    DECISION_CRA = "decision_cra"
    MISE_EN_DEMEURE = "mise_en_demeure"
    REPONSE_RECLAMATION = "reponse_reclamation"
    AMELIPRO = "amelipro"
    AMC = "amc"
    INVITATION = "invitation"
    NEWSLETTER = "newsletter"
    PHISHING = "phishing"
    UNKNOWN = "unknown"


def money(value: Decimal | str | int | float | None) -> Decimal | None:
    """A Decimal with 2 decimals, or None."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Fact:
    kind: FactKind
    caisse: str | None = None  # caisse code ("974") or complementary operator ("viamedis")
    lot: str | None = None  # 3 digits
    invoice: str | None = None  # 9 digits
    amount: Decimal | None = None
    reject_code: str | None = None
    label: str | None = None  # reject libellé, motif, decision…
    reference: str | None = None  # indu / dossier / réclamation reference
    date: date | None = None  # the date the fact happened (payment, notification, care…)
    part: str | None = None  # "AMO" or "AMC"
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", FactKind(self.kind))
        except ValueError:
            raise InvalidValueError(f"unknown fact kind {self.kind!r}") from None

    def with_details(self, **extra: Any) -> Fact:
        return replace(self, details={**self.details, **extra})

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "caisse": self.caisse,
            "lot": self.lot,
            "invoice": self.invoice,
            "amount": f"{self.amount:.2f}" if self.amount is not None else None,
            "reject_code": self.reject_code,
            "label": self.label,
            "reference": self.reference,
            "date": self.date.isoformat() if self.date else None,
            "part": self.part,
            "details": _jsonable(self.details),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fact:
        return cls(
            kind=data["kind"], caisse=data.get("caisse"), lot=data.get("lot"),
            invoice=data.get("invoice"),
            amount=money(data["amount"]) if data.get("amount") is not None else None,
            reject_code=data.get("reject_code"), label=data.get("label"),
            reference=data.get("reference"),
            date=date.fromisoformat(data["date"]) if data.get("date") else None,
            part=data.get("part"), details=dict(data.get("details") or {}),
        )


@dataclass(frozen=True)
class Reading:
    """Everything the bot understands of one message."""

    kind: MessageKind
    trust: str  # "caisse", "amc", "approver", "owner", "suspect", "other"
    caisse: str | None = None
    facts: tuple[Fact, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # extracted fields, for `cpambot parse`
    needs_review: str | None = None  # French reason when a human must read it ("à lire", "à trier")
    problems: tuple[str, ...] = ()  # French notes: totals mismatch, unreadable PDF…
    is_test: bool = False  # NOEMIE/ARL test flux: never acted on
    # How sure the reader is of the kind (0 to 1): the classifier's score over the words and the
    # structure; a decoded machine return is 1. Below 0.5 the message is only ever shown, to sort.
    confidence: float = 1.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", MessageKind(self.kind))
        except ValueError:
            raise InvalidValueError(f"unknown message kind {self.kind!r}") from None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "trust": self.trust,
            "caisse": self.caisse,
            "is_test": self.is_test,
            "confidence": round(self.confidence, 2),
            "needs_review": self.needs_review,
            "problems": list(self.problems),
            "fields": _jsonable(self.fields),
            "facts": [f.to_json() for f in self.facts],
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value
