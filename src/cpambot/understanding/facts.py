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
from typing import Any

from cpambot.errors import InvalidValueError

# Every kind of fact, with a short French label for the CLI.
FACT_KINDS: dict[str, str] = {
    "lot_acknowledged": "lot reçu par la caisse (ARL positif)",
    "lot_refused": "lot refusé (ARL négatif)",
    "invoice_paid": "facture payée",
    "invoice_rejected": "facture rejetée",
    "invoice_deferred": "facture en attente de traitement",
    "invoice_in_anomaly": "facture en anomalie",
    "retenue": "retenue sur paiement",
    "forfait_paid": "paiement forfaitaire",
    "pieces_requested": "pièces justificatives demandées",
    "anomalies_found": "constat d'anomalies de facturation",
    "indu_notified": "notification d'indu",
    "indu_details": "détail d'un indu (tableau des anomalies)",
    "cra_decision": "décision de la commission de recours amiable",
    "mise_en_demeure": "mise en demeure",
    "reclamation_acknowledged": "réclamation reçue par la caisse",
    "reclamation_answered": "réponse à une réclamation",
    "amc_rejected": "rejet par la complémentaire",
    "amc_paid": "paiement par la complémentaire",
    "meeting_invitation": "invitation à un échange avec la caisse",
    "information": "information sans suite à donner",
    "to_sort": "à trier",
}


def money(value: Decimal | str | int | float | None) -> Decimal | None:
    """A Decimal with 2 decimals, or None."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Fact:
    kind: str
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
        if self.kind not in FACT_KINDS:
            raise InvalidValueError(f"unknown fact kind {self.kind!r}")

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


# Kinds of message a reading can have.
MESSAGE_KINDS: dict[str, str] = {
    "arl": "accusé de réception logique (ARL)",
    "noemie": "retour NOEMIE (paiements, rejets)",
    "retour_lots": "retour sur le traitement des lots",
    "demande_pieces": "demande de pièces justificatives",
    "constat_anomalies": "constat d'anomalies de facturation",
    "notification_indu": "notification de payer (indu)",
    "complement_indu": "complément à une notification d'indu",
    "decision_cra": "décision de la commission de recours amiable",
    "mise_en_demeure": "mise en demeure",
    "reponse_reclamation": "réponse à une réclamation",
    "amelipro": "notification amelipro",
    "amc": "message d'une complémentaire",
    "invitation": "invitation de la caisse",
    "newsletter": "lettre d'information",
    "phishing": "usurpation (hameçonnage)",
    "unknown": "non reconnu",
}


@dataclass(frozen=True)
class Reading:
    """Everything the bot understands of one message."""

    kind: str
    trust: str  # "caisse", "amc", "approver", "suspect", "other"
    caisse: str | None = None
    facts: tuple[Fact, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # extracted fields, for `cpambot parse`
    needs_review: str | None = None  # French reason when a human must read it ("à lire", "à trier")
    problems: tuple[str, ...] = ()  # French notes: totals mismatch, unreadable PDF…
    is_test: bool = False  # NOEMIE/ARL test flux: never acted on

    def __post_init__(self) -> None:
        if self.kind not in MESSAGE_KINDS:
            raise InvalidValueError(f"unknown message kind {self.kind!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "trust": self.trust,
            "caisse": self.caisse,
            "is_test": self.is_test,
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
