"""The outbox: every approved e-mail is sent exactly once, or visibly not at all.

One document per e-mail in the store table ``outbox``, keyed by its Message-ID.
The Message-ID is fixed by the caller at approval time and the complete message
(the exact bytes to send) is recorded before any attempt, so a retry sends the
same message and the Sent folder can be searched for it.

States::

    enqueue ──> queued ──deliver (due)──> sending ──250──────────────────────> sent
                  ^  ^                      │  (then copy to Sent: sent_copy true/false,
                  │  │                      │   a failed copy is retried, never the mail)
                  │  └── 4xx, or network ───┤
                  │      error before DATA  ├── 5xx reply ─────────────────> failed
                  │      (backoff 1, 5, 15, │   (or the attempts are exhausted)
                  │      60, 240 min)       └── no reply once DATA started ─> uncertain
                  │                                                            │
                  │    sending found after a crash:                            │
                  ├──── DATA never started (provably not sent)                 │
                  │     DATA started: found in Sent ──> sent, else ──> uncertain
                  │                                                            │
                  └── confirm_resend (explicit human decision) <── uncertain, failed
    queued, uncertain, failed ──cancel──> cancelled

Rules (see ../shared/peers.md, lesson 8):

* ``sending`` (with the attempt count) is journaled before connecting, and
  ``phase: data`` before the DATA command: after a crash the document tells
  whether the server could have received the message;
* a 4xx reply, or a network failure before DATA, is retried with backoff; a 5xx
  reply to MAIL, RCPT or DATA is never retried (one refused recipient fails the
  whole e-mail: it is all recipients or none);
* a failure to set up the session (connection, TLS, AUTH, even a 535) concerns no
  message in particular: the e-mail being tried is retried with backoff like a 4xx,
  the others wait for the next run untouched, and the run reports the problem;
* a failure with no SMTP reply once DATA has started is *ambiguous*: the server
  may have accepted the message. The document becomes ``uncertain`` and is never
  sent again automatically. :meth:`Outbox.resolve_uncertain` looks for its
  Message-ID in the Sent folder (found: ``sent``); otherwise it stays uncertain
  and is reported until a human calls :meth:`Outbox.confirm_resend`. Most
  providers (Gmail, OVH, Orange) do not file SMTP-submitted mail in Sent
  themselves, so "not found" is the usual outcome, hence the human decision;
* after a successful send the bot appends the copy to the Sent folder itself;
  a failed append leaves ``sent_copy: false`` and is retried (looking for the
  copy first), the mail itself is never sent again for it.

Only one :class:`Outbox` call at a time may run (the store has one writer).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from typing import Any

from cpambot import labels
from cpambot.config.model import SmtpSettings
from cpambot.errors import (
    CpambotError,
    InvalidValueError,
    OutboxStateError,
    SendRejectedError,
    SendSessionError,
    SendTemporaryError,
    SendUncertainError,
)
from cpambot.letters.model import Letter
from cpambot.sending.mime import build_mime, is_message_id
from cpambot.sending.model import SendState
from cpambot.sending.sent_folder import SentFolderFactory
from cpambot.sending.smtp import detail, transmit
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

OUTBOX = "outbox"
_SEND_STATES = frozenset(SendState)
BACKOFF_MINUTES = (1, 5, 15, 60, 240)  # after the 1st, 2nd... failed attempt; the last value is the cap
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
COPY_MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1

# Message-IDs being transmitted by this process right now: any other "sending"
# document was left behind by a process that died (the store has one writer).
_IN_FLIGHT: set[str] = set()


# --------------------------------------------------------------------------- reports


@dataclass
class ResolveReport:
    """What :meth:`Outbox.resolve_uncertain` found. Lists hold Message-IDs."""

    found: list[str] = field(default_factory=list)  # found in Sent: now "sent"
    requeued: list[str] = field(default_factory=list)  # interrupted before DATA: provably unsent
    failed: list[str] = field(default_factory=list)  # interrupted too many times
    uncertain: list[dict[str, Any]] = field(default_factory=list)  # documents a human must decide on
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


# --------------------------------------------------------------------------- helpers


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    return _aware(datetime.fromisoformat(value)) if value else None


def _last_attempt_at(doc: Mapping[str, Any]) -> str | None:
    """When the last attempt started: the best estimate of when a mail found in Sent left."""
    attempts = [h["at"] for h in doc.get("history", []) if h.get("event") == "attempt"]
    return attempts[-1] if attempts else None


def _envelope_recipients(letter: Letter) -> list[str]:
    out: list[str] = []
    for _name, addr in getaddresses([*letter.to, *letter.cc]):
        addr = addr.strip()
        if not addr or "@" not in addr:
            raise InvalidValueError(f"invalid recipient address in {letter.to + letter.cc!r}")
        if addr.lower() not in (a.lower() for a in out):
            out.append(addr)
    return out


# --------------------------------------------------------------------------- the outbox


class Outbox:
    """The outbox over the ``outbox`` table of ``store``.

    ``sent_mailbox_factory`` returns an (unopened) :class:`SentFolder` for the
    account whose Sent folder keeps the copies; ``None`` means no copy and no
    way to check an uncertain send. ``clock`` returns an aware datetime.
    """

    def __init__(self, store: Store, smtp: SmtpSettings | None,
                 sent_mailbox_factory: SentFolderFactory | None = None,
                 clock: Callable[[], datetime] = _utcnow, *,
                 backoff_minutes: tuple[int, ...] = BACKOFF_MINUTES,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        if not backoff_minutes or max_attempts < 1:
            raise InvalidValueError("backoff_minutes must not be empty and max_attempts must be >= 1")
        self.store = store
        self.smtp = smtp
        self.sent_mailbox_factory = sent_mailbox_factory
        self.clock = clock
        self.backoff_minutes = backoff_minutes
        self.max_attempts = max_attempts

    # -- reading ------------------------------------------------------------------

    def get(self, message_id: str) -> dict[str, Any] | None:
        return self.store.get(OUTBOX, message_id)

    def documents(self, *states: str) -> list[dict[str, Any]]:
        """Every document (in one of ``states`` if given), oldest first."""
        docs = [d for d in self.store.values(OUTBOX) if not states or d["state"] in states]
        docs.sort(key=lambda d: (d.get("created") or "", d["_key"]))
        return docs

    @staticmethod
    def raw(doc: Mapping[str, Any]) -> bytes:
        """The exact bytes sent (and copied to Sent) for this document."""
        return base64.b64decode(doc["raw_b64"])

    # -- enqueue -----------------------------------------------------------------

    def enqueue(self, letter: Letter, *, sender: str, message_id: str, purpose: str, case_key: str | None,
                draft_key: str | None, in_reply_to: str | None = None, references: tuple[str, ...] = (),
                reply_to: str | None = None, extra_headers: Mapping[str, str] | None = None,
                now: datetime | None = None) -> dict[str, Any]:
        """Record the e-mail to send (durable on return). The same ``message_id`` twice is a no-op."""
        if not is_message_id(message_id):
            raise InvalidValueError(f"invalid Message-ID {message_id!r}")
        existing = self.get(message_id)
        if existing is not None:
            if existing.get("draft_key") != draft_key:
                LOG.warning("outbox : le Message-ID %s est déjà utilisé par le brouillon %s (pas %s) ; "
                            "rien n'est ajouté", message_id, existing.get("draft_key"), draft_key)
            return existing
        moment = _aware(now or self.clock())
        recipients = _envelope_recipients(letter)
        raw = build_mime(letter, sender=sender, message_id=message_id, date=moment, in_reply_to=in_reply_to,
                         references=references, reply_to=reply_to, extra_headers=extra_headers)
        stamp = _iso(moment)
        doc: dict[str, Any] = {
            "message_id": message_id,
            "purpose": purpose,
            "case_key": case_key,
            "draft_key": draft_key,
            "kind": letter.kind,
            "from": sender,
            "to": list(letter.to),
            "cc": list(letter.cc),
            "recipients": recipients,
            "subject": letter.subject,
            "size": len(raw),
            "raw_b64": base64.b64encode(raw).decode("ascii"),
            "state": "queued",
            "reason": None,
            "attempts": 0,
            "next_attempt": None,
            "phase": None,
            "created": stamp,
            "updated": stamp,
            "sent_at": None,
            "smtp_reply": None,
            "sent_copy": None,  # True: in Sent; False: append failed (retried); None: not attempted
            "sent_copy_reason": None,
            "copy_attempts": 0,
            "copy_next": None,
            "checks": 0,
            "history": [{"at": stamp, "event": "enqueued", "state": "queued", "reason": None}],
        }
        self.store.put(OUTBOX, message_id, doc)
        return self.get(message_id)  # type: ignore[return-value]

    # -- deliver -----------------------------------------------------------------

    def deliver(self, now: datetime | None = None) -> DeliveryReport:
        """Synchronous :meth:`deliver_async` (not from inside a running event loop)."""
        return asyncio.run(self.deliver_async(now))

    async def deliver_async(self, now: datetime | None = None) -> DeliveryReport:
        """Send every due ``queued`` e-mail once; retry the pending Sent copies."""
        moment = _aware(now or self.clock())
        report = DeliveryReport()
        try:
            if self._stale_sending():
                report.recovered = await self._resolve(moment, include_uncertain=False)
            due = [d for d in self.documents("queued") if (_parse(d.get("next_attempt")) or moment) <= moment]
            if due:
                await self._deliver_due(due, moment, report)
            await self._retry_copies(moment, report)
        finally:
            self.store.commit()
        return report

    async def _deliver_due(self, due: list[dict[str, Any]], now: datetime, report: DeliveryReport) -> None:
        if self.smtp is None:
            report.problems.append(f"{len(due)} courriel(s) en attente : aucun serveur d'envoi n'est "
                                   "configuré (section [envoi])")
            return
        password: str | None = None
        if self.smtp.username:
            try:
                password = self.smtp.secret.read() if self.smtp.secret else ""
            except CpambotError as exc:
                report.problems.append(f"{len(due)} courriel(s) en attente, non envoyés : {exc}")
                return
        for doc in due:
            try:
                await self._deliver_one(doc, password, now, report)
            except SendSessionError as exc:
                rest = len(due) - due.index(doc) - 1
                report.problems.append(f"envoi interrompu : {exc}"
                                       + (f" ; {rest} autre(s) courriel(s) attendent le prochain essai"
                                          if rest else ""))
                break

    async def _deliver_one(self, doc: dict[str, Any], password: str | None, now: datetime,
                           report: DeliveryReport) -> None:
        key = doc["_key"]
        _IN_FLIGHT.add(key)
        try:
            attempts = int(doc.get("attempts", 0)) + 1
            doc = self._put(doc, "sending", now, "attempt", None, attempts=attempts, phase="connect",
                            next_attempt=None)

            def mark_data() -> None:
                nonlocal doc
                doc = {**doc, "phase": "data"}
                self.store.put(OUTBOX, key, doc, sync=True)  # durable before the DATA command goes out

            def mark_sent(reply: str) -> None:
                # Called as soon as the server said 250, before QUIT: nothing later can blur it.
                nonlocal doc
                self._after_accepted(doc)
                doc = self._put(doc, "sent", now, "sent", None, sent_at=_iso(now), smtp_reply=reply,
                                phase=None)
                report.sent.append(key)
                LOG.info("courriel %s envoyé (%s)", key, reply)

            try:
                assert self.smtp is not None
                await transmit(self.smtp, password, doc["recipients"], self.raw(doc), mark_data, mark_sent)
            except SendUncertainError as exc:
                self._put(doc, "uncertain", now, "uncertain", str(exc))
                report.uncertain.append(key)
                LOG.error("courriel %s : envoi incertain : %s", key, exc)
            except SendRejectedError as exc:
                self._put(doc, "failed", now, "failed", str(exc), smtp_reply=exc.reply)
                report.failed.append(key)
                LOG.error("courriel %s : %s", key, exc)
            except SendTemporaryError as exc:
                self._retry_later(doc, now, str(exc), exc.reply, report)
                if isinstance(exc, SendSessionError):
                    raise
            except Exception as exc:  # noqa: BLE001 - a bug must leave a visible, safe state
                LOG.exception("courriel %s : erreur interne pendant l'envoi", key)
                if doc["state"] == "sent":
                    return  # the failure came after the server's 250, which is recorded
                reason = f"erreur interne de cpambot pendant l'envoi ({exc.__class__.__name__} : {exc})"
                if doc.get("phase") == "data":
                    self._put(doc, "uncertain", now, "uncertain", reason)
                    report.uncertain.append(key)
                else:
                    self._put(doc, "failed", now, "failed", reason)
                    report.failed.append(key)
            except BaseException:
                # Cancelled (shutdown) or interrupted: record what is known, then let it go on.
                if doc["state"] == "sent":
                    pass
                elif doc.get("phase") == "data":
                    self._put(doc, "uncertain", now, "uncertain",
                              "envoi interrompu (arrêt de cpambot) pendant la transmission du message : "
                              "il a peut-être été accepté")
                else:
                    self._put(doc, "queued", now, "retry", "envoi interrompu (arrêt de cpambot) avant "
                              "la transmission du message", next_attempt=None, phase=None)
                raise
            else:
                await self._copy_after_send(doc, now, report)
        finally:
            _IN_FLIGHT.discard(key)

    def _retry_later(self, doc: dict[str, Any], now: datetime, reason: str, reply: str | None,
                     report: DeliveryReport | ResolveReport) -> dict[str, Any]:
        key = doc["_key"]
        attempts = int(doc.get("attempts", 0))
        if attempts >= self.max_attempts:
            doc = self._put(doc, "failed", now, "failed",
                            f"abandonné après {attempts} tentatives ; dernière erreur : {reason}",
                            smtp_reply=reply)
            report.failed.append(key)
            LOG.error("courriel %s abandonné après %d tentatives : %s", key, attempts, reason)
            return doc
        delay = timedelta(minutes=self.backoff_minutes[min(attempts, len(self.backoff_minutes)) - 1])
        when = now + delay
        doc = self._put(doc, "queued", now, "retry", f"{reason} ; nouvel essai prévu à {_iso(when)}",
                        next_attempt=_iso(when), smtp_reply=reply, phase=None)
        report.requeued.append(key)
        LOG.warning("courriel %s : %s ; nouvel essai à %s", key, reason, _iso(when))
        return doc

    def _after_accepted(self, doc: dict[str, Any]) -> None:
        """Called right after the server accepted a message, before it is recorded ``sent``.

        A seam for the crash tests (a child process patches it to SIGKILL itself); no-op.
        """

    # -- Sent copies ---------------------------------------------------------------

    async def _copy_after_send(self, doc: dict[str, Any], now: datetime, report: DeliveryReport) -> None:
        key = doc["_key"]
        if self.sent_mailbox_factory is None:
            self._update(doc, sent_copy=None, sent_copy_reason="aucun dossier « Envoyés » configuré")
            return
        try:
            await asyncio.to_thread(self._append_copy, self.raw(doc), None)
        except Exception as exc:  # noqa: BLE001 - the mail is sent whatever happens to its copy
            self._copy_failed(doc, now, _copy_error(exc), report)
        else:
            self._update(doc, sent_copy=True, sent_copy_reason=None, copy_attempts=1, copy_next=None,
                         history=[*doc["history"], {"at": _iso(now), "event": "copy", "state": "sent",
                                                    "reason": "copie ajoutée dans « Envoyés »"}])
            report.copies.append(key)

    async def _retry_copies(self, now: datetime, report: DeliveryReport) -> None:
        if self.sent_mailbox_factory is None:
            return
        for doc in self.documents("sent"):
            if doc.get("sent_copy") is True or int(doc.get("copy_attempts", 0)) >= COPY_MAX_ATTEMPTS:
                continue
            if doc["_key"] in report.sent or (_parse(doc.get("copy_next")) or now) > now:
                continue
            try:
                # Look first: an earlier append may have worked without us hearing the answer.
                appended = await asyncio.to_thread(self._append_copy, self.raw(doc), doc["message_id"])
            except Exception as exc:  # noqa: BLE001 - see _copy_after_send
                self._copy_failed(doc, now, _copy_error(exc), report)
            else:
                self._update(doc, sent_copy=True, sent_copy_reason=None,
                             copy_attempts=int(doc.get("copy_attempts", 0)) + 1, copy_next=None,
                             history=[*doc["history"], {
                                 "at": _iso(now), "event": "copy", "state": "sent",
                                 "reason": "copie ajoutée dans « Envoyés »" if appended
                                 else "copie déjà présente dans « Envoyés »"}])
                report.copies.append(doc["_key"])

    def _append_copy(self, raw: bytes, look_first: str | None) -> bool:
        """Append ``raw`` to Sent (in a worker thread); with ``look_first``, not if already there."""
        assert self.sent_mailbox_factory is not None
        with self.sent_mailbox_factory() as sent:
            if look_first and sent.find(look_first):
                return False
            sent.append(raw)
            return True

    def _copy_failed(self, doc: dict[str, Any], now: datetime, error: str, report: DeliveryReport) -> None:
        attempts = int(doc.get("copy_attempts", 0)) + 1
        if attempts >= COPY_MAX_ATTEMPTS:
            reason = f"copie dans « Envoyés » abandonnée après {attempts} essais : {error}"
            when = None
        else:
            when = now + timedelta(minutes=self.backoff_minutes[min(attempts, len(self.backoff_minutes)) - 1])
            reason = (f"copie dans « Envoyés » impossible ({error}) ; le courriel est bien parti, "
                      f"nouvel essai de copie à {_iso(when)}")
        self._update(doc, sent_copy=False, sent_copy_reason=reason, copy_attempts=attempts,
                     copy_next=_iso(when) if when else None,
                     history=[*doc["history"], {"at": _iso(now), "event": "copy_failed", "state": "sent",
                                                "reason": reason}])
        report.copy_failures.append(doc["_key"])
        LOG.warning("courriel %s : %s", doc["_key"], reason)

    # -- uncertain sends -----------------------------------------------------------

    def resolve_uncertain(self, now: datetime | None = None) -> ResolveReport:
        """Synchronous :meth:`resolve_uncertain_async` (not from inside a running event loop)."""
        return asyncio.run(self.resolve_uncertain_async(now))

    async def resolve_uncertain_async(self, now: datetime | None = None) -> ResolveReport:
        """Look for each ``uncertain`` e-mail (and each ``sending`` one left by a crash) in Sent.

        Found: ``sent``. Not found: ``uncertain``, reported for a human decision; never re-sent.
        A ``sending`` one whose DATA never started was provably not sent: queued again.
        """
        moment = _aware(now or self.clock())
        try:
            return await self._resolve(moment, include_uncertain=True)
        finally:
            self.store.commit()

    def _stale_sending(self) -> list[dict[str, Any]]:
        return [d for d in self.documents("sending") if d["_key"] not in _IN_FLIGHT]

    async def _resolve(self, now: datetime, *, include_uncertain: bool) -> ResolveReport:
        report = ResolveReport()
        to_check: list[dict[str, Any]] = []
        for doc in self._stale_sending():
            if doc.get("phase") == "data":
                to_check.append(doc)
                continue
            # Journaled "phase: data" comes before the DATA command: without it, nothing was sent.
            reason = "envoi interrompu (arrêt brutal de cpambot) avant la transmission du message"
            attempts = int(doc.get("attempts", 0))
            if attempts >= self.max_attempts:
                self._put(doc, "failed", now, "failed", f"abandonné après {attempts} tentatives ; {reason}")
                report.failed.append(doc["_key"])
                continue
            LOG.warning("courriel %s : %s ; il sera envoyé de nouveau", doc["_key"], reason)
            self._put(doc, "queued", now, "retry", reason, next_attempt=None, phase=None)
            report.requeued.append(doc["_key"])
        if include_uncertain:
            to_check.extend(self.documents("uncertain"))
        if not to_check:
            return report
        found: dict[str, bool] = {}
        problem: str | None = None
        if self.sent_mailbox_factory is None:
            problem = ("aucun dossier « Envoyés » configuré : impossible de vérifier si les envois "
                       "incertains sont partis")
        else:
            try:
                found = await asyncio.to_thread(self._find_many, [d["message_id"] for d in to_check])
            except (CpambotError, OSError) as exc:
                problem = f"vérification dans « Envoyés » impossible : {exc}"
        if problem:
            report.problems.append(problem)
        for doc in to_check:
            key = doc["_key"]
            if found.get(doc["message_id"]):
                self._put(doc, "sent", now, "found_in_sent", "retrouvé dans Envoyés",
                          sent_at=_last_attempt_at(doc), sent_copy=True, sent_copy_reason=None, phase=None)
                report.found.append(key)
                LOG.info("courriel %s : retrouvé dans « Envoyés », considéré comme envoyé", key)
                continue
            checked = "non retrouvé dans « Envoyés »" if not problem else problem
            if doc["state"] == "sending":
                doc = self._put(doc, "uncertain", now, "uncertain",
                                "cpambot s'est arrêté brutalement pendant la transmission du message : "
                                f"il a peut-être été accepté ({checked}). Il ne sera pas renvoyé sans "
                                "votre confirmation.", checks=1, checked_at=_iso(now))
            else:
                doc = self._update(doc, checks=int(doc.get("checks", 0)) + 1, checked_at=_iso(now),
                                   last_check=checked)
            report.uncertain.append(doc)
        return report

    def _find_many(self, message_ids: list[str]) -> dict[str, bool]:
        assert self.sent_mailbox_factory is not None
        with self.sent_mailbox_factory() as sent:
            return {mid: sent.find(mid) for mid in message_ids}

    # -- human decisions ---------------------------------------------------------------

    def confirm_resend(self, message_id: str, *, by: str | None = None,
                       now: datetime | None = None, check_sent: bool = True) -> dict[str, Any]:
        """Queue an ``uncertain`` (or ``failed``) e-mail again: the approver's explicit decision.

        With ``check_sent``, the Sent folder is searched once more first (best effort):
        if the e-mail is there it is marked ``sent`` and not queued.
        """
        moment = _aware(now or self.clock())
        doc = self._require(message_id, ("uncertain", "failed"), "renvoyer")
        if check_sent and doc["state"] == "uncertain" and self.sent_mailbox_factory is not None:
            try:
                present = self._find_many([message_id])[message_id]
            except (CpambotError, OSError) as exc:
                LOG.warning("courriel %s : vérification dans « Envoyés » impossible avant le renvoi (%s)",
                            message_id, exc)
            else:
                if present:
                    doc = self._put(doc, "sent", moment, "found_in_sent", "retrouvé dans Envoyés",
                                    sent_at=_last_attempt_at(doc), sent_copy=True, sent_copy_reason=None,
                                    phase=None)
                    self.store.commit()
                    return doc
        who = f" par {by}" if by else ""
        doc = self._put(doc, "queued", moment, "resend_confirmed", f"renvoi confirmé{who}", attempts=0,
                        next_attempt=None, phase=None)
        self.store.commit()
        return doc

    def confirm_delivered(self, message_id: str, *, by: str | None = None,
                          now: datetime | None = None) -> dict[str, Any]:
        """The approver checked that an ``uncertain`` e-mail did arrive: it is ``sent``, not re-sent."""
        moment = _aware(now or self.clock())
        doc = self._require(message_id, ("uncertain",), "confirmer")
        who = f" par {by}" if by else ""
        doc = self._put(doc, "sent", moment, "delivery_confirmed", f"réception confirmée{who}",
                        sent_at=_last_attempt_at(doc), phase=None)
        self.store.commit()
        return doc

    def cancel(self, message_id: str, *, by: str | None = None,
               now: datetime | None = None) -> dict[str, Any]:
        """Give up an e-mail that is queued, uncertain or failed: it will never be sent."""
        moment = _aware(now or self.clock())
        doc = self._require(message_id, ("queued", "uncertain", "failed"), "annuler")
        who = f" par {by}" if by else ""
        doc = self._put(doc, "cancelled", moment, "cancelled", f"envoi annulé{who}", next_attempt=None)
        self.store.commit()
        return doc

    def _require(self, message_id: str, states: tuple[str, ...], verb: str) -> dict[str, Any]:
        doc = self.get(message_id)
        if doc is None:
            raise OutboxStateError(f"aucun courriel {message_id} dans la file d'envoi")
        if doc["state"] not in states or message_id in _IN_FLIGHT:
            raise OutboxStateError(f"impossible de {verb} le courriel {message_id} : il est "
                                   f"« {labels.SEND_STATE.get(doc['state'], doc['state'])} »")
        return doc

    # -- documents -------------------------------------------------------------------

    def _put(self, doc: dict[str, Any], state: str, now: datetime, event: str, reason: str | None,
             **fields: Any) -> dict[str, Any]:
        """A copy of ``doc`` in ``state``, with a history entry; durable on return."""
        if state not in _SEND_STATES:
            raise InvalidValueError(f"unknown outbox state {state!r}")
        stamp = _iso(now)
        out = {**doc, **fields, "state": state, "reason": reason, "updated": stamp}
        entry: dict[str, Any] = {"at": stamp, "event": event, "state": state, "reason": reason}
        if event == "attempt":
            entry["attempt"] = out.get("attempts")
        if fields.get("smtp_reply"):
            entry["reply"] = fields["smtp_reply"]
        out["history"] = [*doc.get("history", []), entry]  # never mutate the store's own list
        # fsynced: a power cut must not turn a "sending"/"sent" back into "queued" (a second send)
        self.store.put(OUTBOX, doc["_key"], out, sync=True)
        return out

    def _update(self, doc: dict[str, Any], **fields: Any) -> dict[str, Any]:
        out = {**doc, **fields}
        self.store.put(OUTBOX, doc["_key"], out)
        return out


def _copy_error(exc: Exception) -> str:
    if isinstance(exc, CpambotError | OSError):
        return str(exc)
    LOG.error("erreur interne pendant la copie dans « Envoyés »", exc_info=exc)
    return f"erreur interne de cpambot ({detail(exc)})"
