"""Uncertain sends and human decisions: the Sent folder is searched, a human decides the rest."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime

from cpambot.errors import CpambotError
from cpambot.sending import states
from cpambot.sending.journal import IN_FLIGHT, OutboxJournal
from cpambot.sending.model import OutboxEntry, ResolveReport, SendPhase, SendState
from cpambot.sending.sent_folder import SentFolderFactory

LOG = logging.getLogger(__name__)


class Resolution:
    """Resolves ``sending`` entries left by a crash and ``uncertain`` ones, and applies the human
    decisions (resend, delivered, cancel). ``factory`` gives the Sent folder (None: none)."""

    def __init__(self, journal: OutboxJournal, factory: SentFolderFactory | None,
                 max_attempts: int = states.MAX_ATTEMPTS) -> None:
        self.journal = journal
        self.factory = factory
        self.max_attempts = max_attempts

    async def resolve(self, now: datetime, *, include_uncertain: bool) -> ResolveReport:
        """Stale ``sending`` entries (and, with ``include_uncertain``, ``uncertain`` ones) against Sent."""
        report = ResolveReport()
        to_check: list[OutboxEntry] = []
        for entry in self.journal.stale_sending():
            if entry.phase is SendPhase.DATA:
                to_check.append(entry)
                continue
            # Journaled "phase: data" comes before the DATA command: without it, nothing was sent.
            entry = self.journal.record(states.recover_before_data(entry, now,
                                                                   max_attempts=self.max_attempts))
            if entry.state is SendState.FAILED:
                report.failed.append(entry.message_id)
                continue
            LOG.warning("courriel %s : %s ; il sera envoyé de nouveau", entry.message_id, entry.reason)
            report.requeued.append(entry.message_id)
        if include_uncertain:
            to_check.extend(self.journal.entries(SendState.UNCERTAIN))
        if not to_check:
            return report
        found: dict[str, bool] = {}
        problem: str | None = None
        if self.factory is None:
            problem = ("aucun dossier « Envoyés » configuré : impossible de vérifier si les envois "
                       "incertains sont partis")
        else:
            try:
                found = await asyncio.to_thread(self.find_many, [e.message_id for e in to_check])
            except (CpambotError, OSError) as exc:
                problem = f"vérification dans « Envoyés » impossible : {exc}"
        if problem:
            report.problems.append(problem)
        for entry in to_check:
            key = entry.message_id
            if found.get(key):
                self.journal.record(states.found_in_sent(entry, now))
                report.found.append(key)
                LOG.info("courriel %s : retrouvé dans « Envoyés », considéré comme envoyé", key)
                continue
            checked = "non retrouvé dans « Envoyés »" if not problem else problem
            if entry.state is SendState.SENDING:
                entry = self.journal.record(states.not_found(entry, now, checked))
            else:
                entry = self.journal.note(states.not_found(entry, now, checked))
            report.uncertain.append(entry)
        return report

    def find_many(self, message_ids: list[str]) -> dict[str, bool]:
        """Which of ``message_ids`` are in the Sent folder (one connection)."""
        assert self.factory is not None
        with self.factory() as sent:
            return {mid: sent.find(mid) for mid in message_ids}

    # -- human decisions ---------------------------------------------------------------

    def confirm_resend(self, message_id: str, now: datetime, *, by: str | None,
                       check_sent: bool) -> OutboxEntry:
        """See :meth:`~cpambot.sending.outbox.Outbox.confirm_resend`."""
        entry = self._require(message_id, states.RESEND_FROM, "renvoyer")
        if check_sent and entry.state is SendState.UNCERTAIN and self.factory is not None:
            try:
                present = self.find_many([message_id])[message_id]
            except (CpambotError, OSError) as exc:
                LOG.warning("courriel %s : vérification dans « Envoyés » impossible avant le renvoi (%s)",
                            message_id, exc)
            else:
                if present:
                    return self._decided(states.found_in_sent(entry, now))
        return self._decided(states.confirm_resend(entry, now, by))

    def confirm_delivered(self, message_id: str, now: datetime, *, by: str | None) -> OutboxEntry:
        """See :meth:`~cpambot.sending.outbox.Outbox.confirm_delivered`."""
        entry = self._require(message_id, states.DELIVERED_FROM, "confirmer")
        return self._decided(states.confirm_delivered(entry, now, by))

    def cancel(self, message_id: str, now: datetime, *, by: str | None) -> OutboxEntry:
        """See :meth:`~cpambot.sending.outbox.Outbox.cancel`."""
        entry = self._require(message_id, states.CANCEL_FROM, "annuler")
        return self._decided(states.cancel(entry, now, by))

    def _require(self, message_id: str, allowed: Collection[SendState], verb: str) -> OutboxEntry:
        return states.require(self.journal.get(message_id), message_id, allowed, verb,
                              busy=message_id in IN_FLIGHT)

    def _decided(self, entry: OutboxEntry) -> OutboxEntry:
        self.journal.record(entry)
        self.journal.commit()
        return entry
