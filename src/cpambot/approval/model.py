"""The approval stage's values: a draft, its states and its history (dicts only at the store)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from cpambot.instants import iso, parse_iso
from cpambot.letters.model import LetterKind


class DraftState(StrEnum):
    """Where a draft stands (labels: :data:`cpambot.labels.DRAFT_STATE`)."""

    PENDING = "pending"  # awaiting the approver's decision
    MISSING = "missing"  # cannot be written yet: the digest asks for what is missing
    POSTPONED = "postponed"  # pending again from ``postponed_until``
    APPROVED = "approved"  # its e-mail is in the outbox, its Message-ID fixed
    REJECTED = "rejected"
    SENT = "sent"
    FAILED = "failed"  # the outbox gave up on its e-mail
    BOUNCED = "bounced"  # its e-mail left, then a delivery report said it did not arrive
    OBSOLETE = "obsolete"  # its case closed before it left
    TO_FILE = "to_file"  # approved, its text sent to her to file on amelipro: FAIT A7 once filed
    TO_POST = "to_post"  # approved, its PDF sent to her to post registered: POSTÉ A7 once posted


OPEN_STATES = (DraftState.PENDING, DraftState.POSTPONED, DraftState.MISSING)
WITH_HER = (DraftState.TO_FILE, DraftState.TO_POST)  # approved, she files or posts it herself
DECIDABLE = (DraftState.PENDING, DraftState.POSTPONED)  # what a decision of the approver may change


@dataclass(frozen=True)
class DraftEvent:
    """One step of a draft's life: proposed, missing, approve, reject, postpone, edit."""

    at: datetime
    event: str
    until: date | None = None  # postpone: pending again from this day
    chars: int | None = None  # edit: length of the new text
    note: str | None = None  # posted: the tracking number; ar: the day the receipt was signed (ISO)

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"at": iso(self.at), "event": self.event}
        if self.until is not None:
            doc["until"] = self.until.isoformat()
        if self.chars is not None:
            doc["chars"] = self.chars
        if self.note is not None:
            doc["note"] = self.note
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> DraftEvent:
        at = parse_iso(doc.get("at"))
        assert at is not None
        until = doc.get("until")
        return cls(at, str(doc.get("event") or ""), date.fromisoformat(until) if until else None,
                   doc.get("chars"), doc.get("note"))


@dataclass(frozen=True)
class Draft:
    """A letter waiting for the professional's decision, or what it still needs (``missing``).

    One draft per (case, step): ``key`` is ``<case key>|<step>``. ``code`` (``A7``) names it in the
    digest. Only the hash of its approval token is kept, with its expiry. Once approved, its
    ``message_id`` links it to the outbox, which owns everything about the sending.
    """

    key: str
    code: str
    case_key: str
    case_id: str
    kind: LetterKind
    step: str
    label: str  # French name of the letter
    due: date
    reason: str  # French: why now (or, once obsolete, why not any more)
    created: datetime
    state: DraftState
    token_hash: str
    token_expires: datetime
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    missing: tuple[str, ...] = ()  # French: what the professional must supply first
    message_id: str | None = None
    notice_id: str | None = None  # the e-mail that showed this draft on its own
    announced: bool = False
    digest_ids: tuple[str, ...] = ()  # the digests that listed it (a reply to one may release it)
    used_at: datetime | None = None  # when a reply released it (a proposal serves once)
    approved_at: datetime | None = None
    postponed_until: date | None = None
    previous_bodies: tuple[str, ...] = ()  # an edit can be undone
    sent_at: datetime | None = None
    error: str | None = None
    history: tuple[DraftEvent, ...] = ()
    channel: str = "courriel"  # config.model.CHANNELS: e-mailed, filed by her or posted

    @property
    def destination(self) -> str:
        """Where it goes, in French: « à x@y » or « à déposer par vous sur amelipro (RECLA PS) »."""
        if self.channel == "amelipro":
            return "à déposer par vous sur amelipro (Réclamations, RECLA PS)"
        if self.channel == "courrier":
            return "à imprimer et poster par vous en recommandé avec accusé de réception"
        return "à " + ", ".join(self.to)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", LetterKind(self.kind))
        object.__setattr__(self, "state", DraftState(self.state))

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "key": self.key, "code": self.code, "case_key": self.case_key, "case_id": self.case_id,
            "kind": self.kind.value, "step": self.step, "label": self.label, "due": self.due.isoformat(),
            "reason": self.reason, "created": iso(self.created), "token_hash": self.token_hash,
            "token_expires": iso(self.token_expires), "history": [e.to_doc() for e in self.history],
            "message_id": self.message_id, "announced": self.announced, "state": self.state.value,
            "missing": list(self.missing), "to": list(self.to), "cc": list(self.cc),
            "subject": self.subject, "body": self.body,
        }
        optional: dict[str, Any] = {
            "notice_id": self.notice_id,
            "digest_ids": list(self.digest_ids) if self.digest_ids else None,
            "used_at": self.used_at.isoformat() if self.used_at else None,
            "approved_at": iso(self.approved_at) if self.approved_at else None,
            "postponed_until": self.postponed_until.isoformat() if self.postponed_until else None,
            "previous_bodies": list(self.previous_bodies) if self.previous_bodies else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "error": self.error,
            "channel": self.channel if self.channel != "courriel" else None,
        }
        doc.update({k: v for k, v in optional.items() if v is not None})
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Draft:
        created = parse_iso(doc.get("created"))
        expires = parse_iso(doc.get("token_expires"))
        assert created is not None and expires is not None
        until = doc.get("postponed_until")
        return cls(
            key=str(doc["key"]), code=str(doc["code"]), case_key=str(doc["case_key"]),
            case_id=str(doc.get("case_id") or "—"), kind=LetterKind(doc["kind"]), step=str(doc["step"]),
            label=str(doc.get("label") or ""), due=date.fromisoformat(doc["due"]),
            reason=str(doc.get("reason") or ""), created=created, state=DraftState(doc["state"]),
            token_hash=str(doc.get("token_hash") or ""), token_expires=expires,
            to=tuple(doc.get("to") or ()), cc=tuple(doc.get("cc") or ()),
            subject=str(doc.get("subject") or ""), body=str(doc.get("body") or ""),
            missing=tuple(doc.get("missing") or ()), message_id=doc.get("message_id"),
            notice_id=doc.get("notice_id"), announced=bool(doc.get("announced")),
            digest_ids=tuple(doc.get("digest_ids") or ()), used_at=parse_iso(doc.get("used_at")),
            approved_at=parse_iso(doc.get("approved_at")),
            postponed_until=date.fromisoformat(until) if until else None,
            previous_bodies=tuple(doc.get("previous_bodies") or ()), sent_at=parse_iso(doc.get("sent_at")),
            error=doc.get("error"), history=tuple(DraftEvent.from_doc(e) for e in doc.get("history") or ()),
            channel=str(doc.get("channel") or "courriel"),
        )


@dataclass(frozen=True)
class Refusal:
    """A reply that claimed to decide and was refused: reported in the next digest."""

    date: str  # local date and time, as shown (``20/03/2026 09:12``)
    sender: str
    reasons: tuple[str, ...]  # French
    reported: bool = False

    def to_doc(self) -> dict[str, Any]:
        return {"date": self.date, "sender": self.sender, "reasons": list(self.reasons),
                "reported": self.reported}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Refusal:
        return cls(str(doc.get("date") or ""), str(doc.get("sender") or ""), tuple(doc.get("reasons") or ()),
                   bool(doc.get("reported")))
