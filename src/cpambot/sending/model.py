"""The sending stage's values: an e-mail of the outbox, its states and history (dicts only at the store)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cpambot.instants import iso, utc_second

EPOCH = datetime.min.replace(tzinfo=UTC)  # "created" of a document that lacks it (sorts first)


class SendState(StrEnum):
    """Where an e-mail of the outbox stands (labels: :data:`cpambot.labels.SEND_STATE`)."""

    QUEUED = "queued"
    SENDING = "sending"  # an attempt is under way (journaled before connecting)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or given up after the last attempt
    UNCERTAIN = "uncertain"  # the exchange broke after DATA: a human decides
    CANCELLED = "cancelled"
    BOUNCED = "bounced"  # accepted by our server, then reported not delivered (a bounce came back)


class SendPhase(StrEnum):
    """How far an attempt went: journaled before each step, read after a crash."""

    CONNECT = "connect"  # session and envelope: nothing of the message has left
    DATA = "data"  # the DATA command may have gone out: the server may hold the message


class SendEvent(StrEnum):
    """What a history entry of the outbox records."""

    ENQUEUED = "enqueued"
    ATTEMPT = "attempt"
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    UNCERTAIN = "uncertain"
    FOUND_IN_SENT = "found_in_sent"
    RESEND_CONFIRMED = "resend_confirmed"
    DELIVERY_CONFIRMED = "delivery_confirmed"
    CANCELLED = "cancelled"
    COPY = "copy"  # the copy is in the Sent folder
    BOUNCED = "bounced"  # a delivery report says it did not arrive
    DELAYED = "delayed"  # a delivery report says it is late (the servers retry): noted only
    COPY_FAILED = "copy_failed"


def _instant(value: Any) -> datetime | None:
    return utc_second(datetime.fromisoformat(value)) if value else None


def _event(value: str) -> str:
    try:
        return SendEvent(value)
    except ValueError:
        return value


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


@dataclass(frozen=True)
class OutboxEvent:
    """One line of an e-mail's history: what happened, when, and the state it led to."""

    at: datetime
    event: str  # a SendEvent (kept as read if an older version wrote another word)
    state: SendState
    reason: str | None  # French
    attempt: int | None = None  # the attempt number, for "attempt" events
    reply: str | None = None  # the SMTP server's reply, when there was one

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"at": iso(self.at), "event": str(self.event), "state": self.state.value,
                               "reason": self.reason}
        if self.attempt is not None:
            doc["attempt"] = self.attempt
        if self.reply is not None:
            doc["reply"] = self.reply
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any], *, default_at: datetime = EPOCH) -> OutboxEvent:
        event = str(doc.get("event") or "")
        attempt = doc.get("attempt")
        return cls(at=_instant(doc.get("at")) or default_at,
                   event=_event(event),
                   state=SendState(doc.get("state") or SendState.QUEUED), reason=doc.get("reason"),
                   attempt=int(attempt) if attempt is not None else None, reply=doc.get("reply") or None)


@dataclass(frozen=True)
class OutboxEntry:
    """One e-mail of the outbox, keyed by its Message-ID, with the exact bytes to send.

    Instants are aware UTC datetimes to the second; the store keeps them as ISO text, the
    message as base64 (``raw_b64``), and the sender under ``"from"``: see :meth:`to_doc`.
    """

    message_id: str
    purpose: str
    case_key: str | None
    draft_key: str | None
    kind: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    recipients: tuple[str, ...]  # the SMTP envelope: every address of To and Cc, once
    subject: str
    size: int
    raw_b64: str
    state: SendState = SendState.QUEUED
    reason: str | None = None  # French: why it is in this state
    attempts: int = 0
    next_attempt: datetime | None = None
    phase: SendPhase | None = None
    created: datetime = EPOCH
    updated: datetime = EPOCH
    sent_at: datetime | None = None
    smtp_reply: str | None = None
    sent_copy: bool | None = None  # True: in Sent; False: append failed (retried); None: not attempted
    sent_copy_reason: str | None = None
    copy_attempts: int = 0
    copy_next: datetime | None = None
    checks: int = 0  # searches of the Sent folder for an uncertain send
    checked_at: datetime | None = None  # stored only once a search happened
    last_check: str | None = None  # French; stored only once set
    history: tuple[OutboxEvent, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", SendState(self.state))
        if self.phase is not None:
            object.__setattr__(self, "phase", SendPhase(self.phase))

    @property
    def raw(self) -> bytes:
        """The exact bytes sent (and copied to Sent)."""
        return base64.b64decode(self.raw_b64)

    @property
    def last_attempt_at(self) -> datetime | None:
        """When the last attempt started: the best estimate of when a mail found in Sent left."""
        return next((h.at for h in reversed(self.history) if h.event == SendEvent.ATTEMPT), None)

    def to_doc(self) -> dict[str, Any]:
        """The plain dict kept in the store table ``outbox`` (the store adds ``_key``)."""
        doc: dict[str, Any] = {
            "message_id": self.message_id,
            "purpose": self.purpose,
            "case_key": self.case_key,
            "draft_key": self.draft_key,
            "kind": str(self.kind),
            "from": self.sender,
            "to": list(self.to),
            "cc": list(self.cc),
            "recipients": list(self.recipients),
            "subject": self.subject,
            "size": self.size,
            "raw_b64": self.raw_b64,
            "state": self.state.value,
            "reason": self.reason,
            "attempts": self.attempts,
            "next_attempt": _iso_or_none(self.next_attempt),
            "phase": self.phase.value if self.phase is not None else None,
            "created": iso(self.created),
            "updated": iso(self.updated),
            "sent_at": _iso_or_none(self.sent_at),
            "smtp_reply": self.smtp_reply,
            "sent_copy": self.sent_copy,
            "sent_copy_reason": self.sent_copy_reason,
            "copy_attempts": self.copy_attempts,
            "copy_next": _iso_or_none(self.copy_next),
            "checks": self.checks,
            "history": [event.to_doc() for event in self.history],
        }
        if self.checked_at is not None:
            doc["checked_at"] = iso(self.checked_at)
        if self.last_check is not None:
            doc["last_check"] = self.last_check
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> OutboxEntry:
        """The entry of a stored document; missing fields (older versions) take their defaults."""
        raw_b64 = str(doc.get("raw_b64") or "")
        created = _instant(doc.get("created")) or _instant(doc.get("updated")) or EPOCH
        phase = doc.get("phase")
        sent_copy = doc.get("sent_copy")
        return cls(
            message_id=str(doc.get("message_id") or doc["_key"]),
            purpose=str(doc.get("purpose") or ""),
            case_key=doc.get("case_key"),
            draft_key=doc.get("draft_key"),
            kind=str(doc.get("kind") or ""),
            sender=str(doc.get("from") or ""),
            to=tuple(doc.get("to") or ()),
            cc=tuple(doc.get("cc") or ()),
            recipients=tuple(doc.get("recipients") or ()),
            subject=str(doc.get("subject") or ""),
            size=int(doc.get("size") or len(base64.b64decode(raw_b64))),
            raw_b64=raw_b64,
            state=SendState(doc.get("state") or SendState.QUEUED),
            reason=doc.get("reason"),
            attempts=int(doc.get("attempts") or 0),
            next_attempt=_instant(doc.get("next_attempt")),
            phase=SendPhase(phase) if phase else None,
            created=created,
            updated=_instant(doc.get("updated")) or created,
            sent_at=_instant(doc.get("sent_at")),
            smtp_reply=doc.get("smtp_reply"),
            sent_copy=bool(sent_copy) if sent_copy is not None else None,
            sent_copy_reason=doc.get("sent_copy_reason"),
            copy_attempts=int(doc.get("copy_attempts") or 0),
            copy_next=_instant(doc.get("copy_next")),
            checks=int(doc.get("checks") or 0),
            checked_at=_instant(doc.get("checked_at")),
            last_check=doc.get("last_check"),
            history=tuple(OutboxEvent.from_doc(h, default_at=created) for h in doc.get("history") or ()),
        )


# --------------------------------------------------------------------------- reports


@dataclass
class ResolveReport:
    """What :meth:`Outbox.resolve_uncertain` found. Lists hold Message-IDs."""

    found: list[str] = field(default_factory=list)  # found in Sent: now "sent"
    requeued: list[str] = field(default_factory=list)  # interrupted before DATA: provably unsent
    failed: list[str] = field(default_factory=list)  # interrupted too many times
    uncertain: list[OutboxEntry] = field(default_factory=list)  # e-mails a human must decide on
    problems: list[str] = field(default_factory=list)  # French


@dataclass
class DeliveryReport:
    """What one :meth:`Outbox.deliver` run did. Lists hold Message-IDs."""

    sent: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)  # temporary failure: another attempt is planned
    failed: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # copies appended to the Sent folder
    copy_failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # French, about the whole run
    recovered: ResolveReport | None = None  # documents left "sending" by a crash

    @property
    def ok(self) -> bool:
        return not (self.failed or self.uncertain or self.copy_failures or self.problems)
