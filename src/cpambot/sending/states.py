"""The outbox's state machine: pure transitions of an :class:`OutboxEntry`, ``now`` passed in.

Each function returns the entry in its new state (with its history line) and touches neither the
store, nor the network, nor the clock: :class:`~cpambot.sending.outbox.Outbox` journals what they
return, at the moments its docstring prescribes. The states and the rules are described there.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import getaddresses
from typing import Any

from cpambot import labels
from cpambot.errors import InvalidValueError, OutboxStateError
from cpambot.instants import iso, utc_second
from cpambot.letters.model import Letter
from cpambot.sending.model import OutboxEntry, OutboxEvent, SendEvent, SendPhase, SendState

BACKOFF_MINUTES = (1, 5, 15, 60, 240)  # after the 1st, 2nd... failed attempt; the last value is the cap
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
COPY_MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1

# Who may take which decision (a human's, through the approver's reply or the CLI).
RESEND_FROM = (SendState.UNCERTAIN, SendState.FAILED, SendState.BOUNCED)
DELIVERED_FROM = (SendState.UNCERTAIN,)
CANCEL_FROM = (SendState.QUEUED, SendState.UNCERTAIN, SendState.FAILED, SendState.BOUNCED)

COPY_ADDED = "copie ajoutée dans « Envoyés »"
NO_SENT_FOLDER = "aucun dossier « Envoyés » configuré"


# --------------------------------------------------------------------------- building blocks


def envelope_recipients(letter: Letter) -> tuple[str, ...]:
    """Every address of To and Cc, once (case-insensitively), in order: the SMTP envelope."""
    out: list[str] = []
    for _name, addr in getaddresses([*letter.to, *letter.cc]):
        addr = addr.strip()
        if not addr or "@" not in addr:
            raise InvalidValueError(f"invalid recipient address in {letter.to + letter.cc!r}")
        if addr.lower() not in (a.lower() for a in out):
            out.append(addr)
    return tuple(out)


def backoff(attempts: int, backoff_minutes: tuple[int, ...] = BACKOFF_MINUTES) -> timedelta:
    """The wait after ``attempts`` failed attempts (1, 5, 15, 60, 240 minutes, then 240)."""
    return timedelta(minutes=backoff_minutes[min(attempts, len(backoff_minutes)) - 1])


def move(entry: OutboxEntry, state: SendState, now: datetime, event: SendEvent, reason: str | None,
         **changes: Any) -> OutboxEntry:
    """``entry`` in ``state`` with ``changes``, stamped ``now``, one history line added."""
    stamp = utc_second(now)
    out = replace(entry, **changes, state=state, reason=reason, updated=stamp)
    line = OutboxEvent(at=stamp, event=event, state=state, reason=reason,
                       attempt=out.attempts if event is SendEvent.ATTEMPT else None,
                       reply=changes.get("smtp_reply") or None)
    return replace(out, history=(*entry.history, line))


def is_due(entry: OutboxEntry, now: datetime) -> bool:
    """A queued e-mail whose next attempt has come."""
    return entry.state is SendState.QUEUED and (entry.next_attempt is None or entry.next_attempt <= now)


# --------------------------------------------------------------------------- enqueue


def new_entry(letter: Letter, raw: bytes, *, sender: str, message_id: str, purpose: str,
              case_key: str | None, draft_key: str | None, now: datetime) -> OutboxEntry:
    """The e-mail ``raw`` (built from ``letter``) recorded ``queued`` at ``now``."""
    stamp = utc_second(now)
    return OutboxEntry(
        message_id=message_id, purpose=purpose, case_key=case_key, draft_key=draft_key,
        kind=str(letter.kind), sender=sender, to=tuple(letter.to), cc=tuple(letter.cc),
        recipients=envelope_recipients(letter), subject=letter.subject, size=len(raw),
        raw_b64=base64.b64encode(raw).decode("ascii"), state=SendState.QUEUED, created=stamp, updated=stamp,
        history=(OutboxEvent(at=stamp, event=SendEvent.ENQUEUED, state=SendState.QUEUED, reason=None),))


# --------------------------------------------------------------------------- an attempt


def begin_attempt(entry: OutboxEntry, now: datetime) -> OutboxEntry:
    """``sending``, one more attempt, before connecting (journaled before the connection)."""
    return move(entry, SendState.SENDING, now, SendEvent.ATTEMPT, None, attempts=entry.attempts + 1,
                phase=SendPhase.CONNECT, next_attempt=None)


def enter_data(entry: OutboxEntry) -> OutboxEntry:
    """The DATA command is about to go out (journaled before it does); no history line."""
    return replace(entry, phase=SendPhase.DATA)


def accepted(entry: OutboxEntry, now: datetime, reply: str) -> OutboxEntry:
    """The server answered 250: ``sent``."""
    return move(entry, SendState.SENT, now, SendEvent.SENT, None, sent_at=utc_second(now), smtp_reply=reply,
                phase=None)


def refused(entry: OutboxEntry, now: datetime, reason: str, reply: str | None) -> OutboxEntry:
    """A 5xx reply to MAIL, RCPT or DATA: ``failed``, never retried."""
    return move(entry, SendState.FAILED, now, SendEvent.FAILED, reason, smtp_reply=reply)


def bounced(entry: OutboxEntry, now: datetime, reason: str) -> OutboxEntry:
    """A delivery report says a ``sent`` e-mail did not arrive: ``bounced`` (the same report read
    again changes nothing)."""
    if entry.state is SendState.BOUNCED:
        return entry
    if entry.state is not SendState.SENT:
        raise OutboxStateError(f"{entry.message_id}: a bounce for an e-mail in state {entry.state}")
    return move(entry, SendState.BOUNCED, now, SendEvent.BOUNCED, reason)


def delay_noted(entry: OutboxEntry, now: datetime, reason: str) -> OutboxEntry:
    """A delivery report says a ``sent`` e-mail is late: one history line, the state unchanged (the
    servers retry; a bounce will follow if they give up)."""
    if any(line.event is SendEvent.DELAYED and line.reason == reason for line in entry.history):
        return entry
    return move(entry, entry.state, now, SendEvent.DELAYED, reason)


def ambiguous(entry: OutboxEntry, now: datetime, reason: str) -> OutboxEntry:
    """No reply once DATA started: ``uncertain``, never sent again without a human."""
    return move(entry, SendState.UNCERTAIN, now, SendEvent.UNCERTAIN, reason)


def retry_later(entry: OutboxEntry, now: datetime, reason: str, reply: str | None, *,
                backoff_minutes: tuple[int, ...] = BACKOFF_MINUTES,
                max_attempts: int = MAX_ATTEMPTS) -> OutboxEntry:
    """A 4xx reply, or a failure before DATA: ``queued`` after the backoff, or ``failed`` after the
    last attempt."""
    if entry.attempts >= max_attempts:
        return move(entry, SendState.FAILED, now, SendEvent.FAILED,
                    f"abandonné après {entry.attempts} tentatives ; dernière erreur : {reason}",
                    smtp_reply=reply)
    when = utc_second(now + backoff(entry.attempts, backoff_minutes))
    return move(entry, SendState.QUEUED, now, SendEvent.RETRY, f"{reason} ; nouvel essai prévu à {iso(when)}",
                next_attempt=when, smtp_reply=reply, phase=None)


def internal_error(entry: OutboxEntry, now: datetime, error: str) -> OutboxEntry:
    """A bug of cpambot during an attempt (not after the 250): ``uncertain`` past DATA, else ``failed``."""
    reason = f"erreur interne de cpambot pendant l'envoi ({error})"
    if entry.phase is SendPhase.DATA:
        return move(entry, SendState.UNCERTAIN, now, SendEvent.UNCERTAIN, reason)
    return move(entry, SendState.FAILED, now, SendEvent.FAILED, reason)


def interrupted(entry: OutboxEntry, now: datetime) -> OutboxEntry | None:
    """The attempt was cancelled (shutdown): what is known of it; None if it was already sent."""
    if entry.state is SendState.SENT:
        return None
    if entry.phase is SendPhase.DATA:
        return move(entry, SendState.UNCERTAIN, now, SendEvent.UNCERTAIN,
                    "envoi interrompu (arrêt de cpambot) pendant la transmission du message : "
                    "il a peut-être été accepté")
    return move(entry, SendState.QUEUED, now, SendEvent.RETRY, "envoi interrompu (arrêt de cpambot) avant "
                "la transmission du message", next_attempt=None, phase=None)


# --------------------------------------------------------------------------- after a crash, in Sent


def recover_before_data(entry: OutboxEntry, now: datetime, *,
                        max_attempts: int = MAX_ATTEMPTS) -> OutboxEntry:
    """Left ``sending`` by a crash before ``phase: data`` was journaled: provably not sent, so
    ``queued`` again (``failed`` after the last attempt)."""
    reason = "envoi interrompu (arrêt brutal de cpambot) avant la transmission du message"
    if entry.attempts >= max_attempts:
        return move(entry, SendState.FAILED, now, SendEvent.FAILED,
                    f"abandonné après {entry.attempts} tentatives ; {reason}")
    return move(entry, SendState.QUEUED, now, SendEvent.RETRY, reason, next_attempt=None, phase=None)


def found_in_sent(entry: OutboxEntry, now: datetime) -> OutboxEntry:
    """Its Message-ID is in the Sent folder: ``sent``, at the start of its last attempt."""
    return move(entry, SendState.SENT, now, SendEvent.FOUND_IN_SENT, "retrouvé dans Envoyés",
                sent_at=entry.last_attempt_at, sent_copy=True, sent_copy_reason=None, phase=None)


def not_found(entry: OutboxEntry, now: datetime, checked: str) -> OutboxEntry:
    """Not in Sent (``checked`` says so, in French): a crash past DATA becomes ``uncertain``;
    an uncertain e-mail only counts the search (no history line)."""
    stamp = utc_second(now)
    if entry.state is SendState.SENDING:
        return move(entry, SendState.UNCERTAIN, now, SendEvent.UNCERTAIN,
                    "cpambot s'est arrêté brutalement pendant la transmission du message : "
                    f"il a peut-être été accepté ({checked}). Il ne sera pas renvoyé sans "
                    "votre confirmation.", checks=1, checked_at=stamp)
    return replace(entry, checks=entry.checks + 1, checked_at=stamp, last_check=checked)


# --------------------------------------------------------------------------- human decisions


def require(entry: OutboxEntry | None, message_id: str, allowed: Collection[SendState], verb: str, *,
            busy: bool = False) -> OutboxEntry:
    """``entry`` if a human may take this decision on it (``busy``: being sent right now)."""
    if entry is None:
        raise OutboxStateError(f"aucun courriel {message_id} dans la file d'envoi")
    if entry.state not in allowed or busy:
        elided = "d'" if verb[:1] in "aeéiou" else "de "
        raise OutboxStateError(f"impossible {elided}{verb} le courriel {message_id} : il est "
                               f"« {labels.SEND_STATE.get(entry.state, entry.state)} »")
    return entry


def _by(who: str | None) -> str:
    return f" par {who}" if who else ""


def confirm_resend(entry: OutboxEntry, now: datetime, by: str | None = None) -> OutboxEntry:
    """The approver decided an uncertain (or failed) e-mail goes again: ``queued``, attempts reset."""
    require(entry, entry.message_id, RESEND_FROM, "renvoyer")
    return move(entry, SendState.QUEUED, now, SendEvent.RESEND_CONFIRMED, f"renvoi confirmé{_by(by)}",
                attempts=0, next_attempt=None, phase=None)


def confirm_delivered(entry: OutboxEntry, now: datetime, by: str | None = None) -> OutboxEntry:
    """The approver checked that an uncertain e-mail arrived: ``sent``, never sent again."""
    require(entry, entry.message_id, DELIVERED_FROM, "confirmer")
    return move(entry, SendState.SENT, now, SendEvent.DELIVERY_CONFIRMED, f"réception confirmée{_by(by)}",
                sent_at=entry.last_attempt_at, phase=None)


def cancel(entry: OutboxEntry, now: datetime, by: str | None = None) -> OutboxEntry:
    """A queued, uncertain or failed e-mail given up: ``cancelled``, it will never be sent."""
    require(entry, entry.message_id, CANCEL_FROM, "annuler")
    return move(entry, SendState.CANCELLED, now, SendEvent.CANCELLED, f"envoi annulé{_by(by)}",
                next_attempt=None)


# --------------------------------------------------------------------------- the copy in Sent


def copy_due(entry: OutboxEntry, now: datetime) -> bool:
    """A sent e-mail whose copy is not (known to be) in Sent, with an attempt left and due."""
    return (entry.state is SendState.SENT and entry.sent_copy is not True
            and entry.copy_attempts < COPY_MAX_ATTEMPTS
            and (entry.copy_next is None or entry.copy_next <= now))


def copy_skipped(entry: OutboxEntry) -> OutboxEntry:
    """No Sent folder is configured: no copy (no history line)."""
    return replace(entry, sent_copy=None, sent_copy_reason=NO_SENT_FOLDER)


def _copy_event(entry: OutboxEntry, now: datetime, event: SendEvent, reason: str) -> tuple[OutboxEvent, ...]:
    return (*entry.history, OutboxEvent(at=utc_second(now), event=event, state=SendState.SENT, reason=reason))


def copied(entry: OutboxEntry, now: datetime, *, retried: bool = False, appended: bool = True) -> OutboxEntry:
    """The copy is in Sent: appended right after the send, or on a retry (``appended`` False: an
    earlier append had worked after all)."""
    reason = COPY_ADDED if appended else "copie déjà présente dans « Envoyés »"
    return replace(entry, sent_copy=True, sent_copy_reason=None,
                   copy_attempts=entry.copy_attempts + 1 if retried else 1, copy_next=None,
                   history=_copy_event(entry, now, SendEvent.COPY, reason))


def copy_failed(entry: OutboxEntry, now: datetime, error: str, *,
                backoff_minutes: tuple[int, ...] = BACKOFF_MINUTES) -> OutboxEntry:
    """The append failed (``error``, French): retried after the backoff, never the mail itself."""
    attempts = entry.copy_attempts + 1
    when: datetime | None
    if attempts >= COPY_MAX_ATTEMPTS:
        reason = f"copie dans « Envoyés » abandonnée après {attempts} essais : {error}"
        when = None
    else:
        when = utc_second(now + backoff(attempts, backoff_minutes))
        reason = (f"copie dans « Envoyés » impossible ({error}) ; le courriel est bien parti, "
                  f"nouvel essai de copie à {iso(when)}")
    return replace(entry, sent_copy=False, sent_copy_reason=reason, copy_attempts=attempts, copy_next=when,
                   history=_copy_event(entry, now, SendEvent.COPY_FAILED, reason))
