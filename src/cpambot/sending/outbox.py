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

Layout: the transitions are pure functions of :mod:`cpambot.sending.states` over
:class:`~cpambot.sending.model.OutboxEntry` values; this module is the imperative shell that
journals them (:mod:`~cpambot.sending.journal`) at the moments the rules above require, talks
SMTP (:func:`~cpambot.sending.smtp.transmit`), and leaves the Sent copies to
:mod:`~cpambot.sending.copies` and the uncertain sends and human decisions to
:mod:`~cpambot.sending.resolution`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime

from cpambot import labels
from cpambot.clock import Clock, SystemClock
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
from cpambot.instants import aware, iso
from cpambot.letters.model import Letter
from cpambot.sending import states
from cpambot.sending.copies import SentCopies
from cpambot.sending.journal import IN_FLIGHT, OUTBOX, OutboxJournal
from cpambot.sending.mime import build_mime, is_message_id
from cpambot.sending.model import DeliveryReport, OutboxEntry, ResolveReport, SendState
from cpambot.sending.resolution import Resolution
from cpambot.sending.sent_folder import SentFolderFactory
from cpambot.sending.smtp import smtp_credential, transmit
from cpambot.sending.states import BACKOFF_MINUTES, COPY_MAX_ATTEMPTS, MAX_ATTEMPTS
from cpambot.store.database import Store

__all__ = ["BACKOFF_MINUTES", "COPY_MAX_ATTEMPTS", "MAX_ATTEMPTS", "OUTBOX", "DeliveryReport", "Outbox",
           "ResolveReport"]

LOG = logging.getLogger(__name__)


class Outbox:
    """The outbox over the ``outbox`` table of ``store``.

    ``sent_mailbox_factory`` returns an (unopened) :class:`SentFolder` for the
    account whose Sent folder keeps the copies; ``None`` means no copy and no
    way to check an uncertain send. ``clock`` gives ``now`` when a call is not told it.
    """

    def __init__(self, store: Store, smtp: SmtpSettings | None,
                 sent_mailbox_factory: SentFolderFactory | None = None,
                 clock: Clock | None = None, *,
                 backoff_minutes: tuple[int, ...] = BACKOFF_MINUTES,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        if not backoff_minutes or max_attempts < 1:
            raise InvalidValueError("backoff_minutes must not be empty and max_attempts must be >= 1")
        if clock is not None and not callable(getattr(clock, "now", None)):
            # A bare function (clock.now) would only fail at the first enqueue, maybe inside a
            # caller's catch-all: refuse it here.
            raise InvalidValueError(f"clock must be a cpambot.clock.Clock, not {clock!r}")
        self.store = store
        self.journal = OutboxJournal(store)
        self.smtp = smtp
        self.sent_mailbox_factory = sent_mailbox_factory
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.backoff_minutes = backoff_minutes
        self.max_attempts = max_attempts
        self._run_copies: SentCopies | None = None  # during a delivery run: its one Sent connection

    @property
    def _copies(self) -> SentCopies:
        if self._run_copies is not None:
            return self._run_copies
        return SentCopies(self.journal, self.sent_mailbox_factory, self.backoff_minutes)

    @property
    def _resolution(self) -> Resolution:
        return Resolution(self.journal, self.sent_mailbox_factory, self.max_attempts)

    def _now(self, now: datetime | None) -> datetime:
        return aware(now) if now is not None else aware(self.clock.now())

    # -- reading ------------------------------------------------------------------

    def get(self, message_id: str) -> OutboxEntry | None:
        return self.journal.get(message_id)

    def documents(self, *wanted: SendState | str) -> list[OutboxEntry]:
        """Every e-mail (in one of the ``wanted`` states if given), oldest first."""
        return self.journal.entries(*(SendState(state) for state in wanted))

    @staticmethod
    def raw(entry: OutboxEntry) -> bytes:
        """The exact bytes sent (and copied to Sent) for this e-mail."""
        return entry.raw

    # -- enqueue -----------------------------------------------------------------

    def enqueue(self, letter: Letter, *, sender: str, message_id: str, purpose: str, case_key: str | None,
                draft_key: str | None, in_reply_to: str | None = None, references: tuple[str, ...] = (),
                reply_to: str | None = None, extra_headers: Mapping[str, str] | None = None,
                now: datetime | None = None) -> OutboxEntry:
        """Record the e-mail to send (durable on return). The same ``message_id`` twice is a no-op."""
        if not is_message_id(message_id):
            raise InvalidValueError(f"invalid Message-ID {message_id!r}")
        existing = self.get(message_id)
        if existing is not None:
            if existing.draft_key != draft_key:
                LOG.warning("outbox : le Message-ID %s est déjà utilisé par le brouillon %s (pas %s) ; "
                            "rien n'est ajouté", message_id, existing.draft_key, draft_key)
            return existing
        moment = self._now(now)
        states.envelope_recipients(letter)  # an invalid address fails before the message is built
        raw = build_mime(letter, sender=sender, message_id=message_id, date=moment, in_reply_to=in_reply_to,
                         references=references, reply_to=reply_to, extra_headers=extra_headers)
        entry = states.new_entry(letter, raw, sender=sender, message_id=message_id, purpose=purpose,
                                 case_key=case_key, draft_key=draft_key, now=moment)
        return self.journal.note(entry)

    # -- deliver -----------------------------------------------------------------

    def deliver(self, now: datetime | None = None) -> DeliveryReport:
        """Synchronous :meth:`deliver_async` (not from inside a running event loop)."""
        return asyncio.run(self.deliver_async(now))

    async def deliver_async(self, now: datetime | None = None) -> DeliveryReport:
        """Send every due ``queued`` e-mail once; retry the pending Sent copies."""
        moment = self._now(now)
        report = DeliveryReport()
        self._run_copies = SentCopies(self.journal, self.sent_mailbox_factory, self.backoff_minutes)
        try:
            if self.journal.stale_sending():
                report.recovered = await self._resolution.resolve(moment, include_uncertain=False)
            due = [e for e in self.journal.entries(SendState.QUEUED) if states.is_due(e, moment)]
            if due:
                await self._deliver_due(due, moment, report)
            await self._copies.retry(moment, report)
        finally:
            copies, self._run_copies = self._run_copies, None
            await asyncio.to_thread(copies.close)
            self.journal.commit()
        return report

    async def _deliver_due(self, due: list[OutboxEntry], now: datetime, report: DeliveryReport) -> None:
        if self.smtp is None:
            report.problems.append(f"{labels.count(len(due), 'courriel')} en attente : aucun serveur d'envoi "
                                   "n'est configuré (section [envoi])")
            return
        password: str | None = None
        if self.smtp.username:
            try:
                password = smtp_credential(self.smtp) or ""
            except CpambotError as exc:
                report.problems.append(f"{labels.count(len(due), 'courriel')} en attente, "
                                       f"{'non envoyés' if len(due) > 1 else 'non envoyé'} : {exc}")
                return
        for index, entry in enumerate(due):
            try:
                await self._deliver_one(entry, password, now, report)
            except SendSessionError as exc:
                rest = len(due) - index - 1
                report.problems.append(f"envoi interrompu : {exc}"
                                       + (f" ; {labels.count(rest, 'autre courriel')} "
                                          f"{'attendent' if rest > 1 else 'attend'} le prochain essai"
                                          if rest else ""))
                break

    async def _deliver_one(self, entry: OutboxEntry, password: str | None, now: datetime,
                           report: DeliveryReport) -> None:
        key = entry.message_id
        IN_FLIGHT.add(key)
        try:
            entry = self.journal.record(states.begin_attempt(entry, now))  # durable before connecting

            def mark_data() -> None:
                nonlocal entry
                entry = self.journal.record(states.enter_data(entry))  # durable before DATA goes out

            def mark_sent(reply: str) -> None:
                # Called as soon as the server said 250, before QUIT: nothing later can blur it.
                nonlocal entry
                self._after_accepted(entry)
                entry = self.journal.record(states.accepted(entry, now, reply))
                report.sent.append(key)
                LOG.info("courriel %s envoyé (%s)", key, reply)

            try:
                assert self.smtp is not None
                await transmit(self.smtp, password, list(entry.recipients), entry.raw, mark_data, mark_sent)
            except SendUncertainError as exc:
                self.journal.record(states.ambiguous(entry, now, str(exc)))
                report.uncertain.append(key)
                LOG.error("courriel %s : envoi incertain : %s", key, exc)
            except SendRejectedError as exc:
                self.journal.record(states.refused(entry, now, str(exc), exc.reply))
                report.failed.append(key)
                LOG.error("courriel %s : %s", key, exc)
            except SendTemporaryError as exc:
                self._retry_later(entry, now, str(exc), exc.reply, report)
                if isinstance(exc, SendSessionError):
                    raise
            except Exception as exc:  # noqa: BLE001 - a bug must leave a visible, safe state
                LOG.exception("courriel %s : erreur interne pendant l'envoi", key)
                if entry.state is SendState.SENT:
                    return  # the failure came after the server's 250, which is recorded
                entry = self.journal.record(states.internal_error(entry, now,
                                                                  f"{exc.__class__.__name__} : {exc}"))
                (report.uncertain if entry.state is SendState.UNCERTAIN else report.failed).append(key)
            except BaseException:
                # Cancelled (shutdown) or interrupted: record what is known, then let it go on.
                known = states.interrupted(entry, now)
                if known is not None:
                    self.journal.record(known)
                raise
            else:
                await self._copies.after_send(entry, now, report)
        finally:
            IN_FLIGHT.discard(key)

    def _retry_later(self, entry: OutboxEntry, now: datetime, reason: str, reply: str | None,
                     report: DeliveryReport) -> None:
        entry = self.journal.record(states.retry_later(entry, now, reason, reply,
                                                       backoff_minutes=self.backoff_minutes,
                                                       max_attempts=self.max_attempts))
        if entry.state is SendState.FAILED:
            report.failed.append(entry.message_id)
            LOG.error("courriel %s abandonné après %d tentatives : %s", entry.message_id, entry.attempts,
                      reason)
        else:
            report.requeued.append(entry.message_id)
            LOG.warning("courriel %s : %s ; nouvel essai à %s", entry.message_id, reason,
                        iso(entry.next_attempt) if entry.next_attempt else "")

    def _after_accepted(self, entry: OutboxEntry) -> None:
        """Called right after the server accepted a message, before it is recorded ``sent``.

        A seam for the crash tests (a child process patches it to SIGKILL itself); no-op.
        """

    # -- uncertain sends -----------------------------------------------------------

    def resolve_uncertain(self, now: datetime | None = None) -> ResolveReport:
        """Synchronous :meth:`resolve_uncertain_async` (not from inside a running event loop)."""
        return asyncio.run(self.resolve_uncertain_async(now))

    async def resolve_uncertain_async(self, now: datetime | None = None) -> ResolveReport:
        """Look for each ``uncertain`` e-mail (and each ``sending`` one left by a crash) in Sent.

        Found: ``sent``. Not found: ``uncertain``, reported for a human decision; never re-sent.
        A ``sending`` one whose DATA never started was provably not sent: queued again.
        """
        moment = self._now(now)
        try:
            return await self._resolution.resolve(moment, include_uncertain=True)
        finally:
            self.journal.commit()

    # -- human decisions ---------------------------------------------------------------

    def confirm_resend(self, message_id: str, *, by: str | None = None,
                       now: datetime | None = None, check_sent: bool = True) -> OutboxEntry:
        """Queue an ``uncertain`` (or ``failed``) e-mail again: the approver's explicit decision.

        With ``check_sent``, the Sent folder is searched once more first (best effort):
        if the e-mail is there it is marked ``sent`` and not queued.
        """
        return self._resolution.confirm_resend(message_id, self._now(now), by=by, check_sent=check_sent)

    def mark_bounced(self, message_id: str, reason: str, *, now: datetime | None = None) -> OutboxEntry:
        """A delivery report says this ``sent`` e-mail did not arrive (see :func:`states.bounced`)."""
        entry = self.journal.get(message_id)
        if entry is None:
            raise OutboxStateError(f"{message_id}: no such e-mail in the outbox")
        return self.journal.record(states.bounced(entry, self._now(now), reason))

    def note_delay(self, message_id: str, reason: str, *, now: datetime | None = None) -> OutboxEntry:
        """A delivery report says this e-mail is late: noted in its history (:func:`states.delay_noted`)."""
        entry = self.journal.get(message_id)
        if entry is None:
            raise OutboxStateError(f"{message_id}: no such e-mail in the outbox")
        return self.journal.record(states.delay_noted(entry, self._now(now), reason))

    def confirm_delivered(self, message_id: str, *, by: str | None = None,
                          now: datetime | None = None) -> OutboxEntry:
        """The approver checked that an ``uncertain`` e-mail did arrive: it is ``sent``, not re-sent."""
        return self._resolution.confirm_delivered(message_id, self._now(now), by=by)

    def cancel(self, message_id: str, *, by: str | None = None,
               now: datetime | None = None) -> OutboxEntry:
        """Give up an e-mail that is queued, uncertain or failed: it will never be sent."""
        return self._resolution.cancel(message_id, self._now(now), by=by)
