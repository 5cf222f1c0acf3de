"""The copy of each sent e-mail in the Sent folder: appended after the send, retried, never re-sent."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from cpambot.errors import CpambotError
from cpambot.sending import states
from cpambot.sending.journal import OutboxJournal
from cpambot.sending.model import DeliveryReport, OutboxEntry, SendState
from cpambot.sending.sent_folder import SentFolder, SentFolderFactory
from cpambot.sending.smtp import detail

LOG = logging.getLogger(__name__)


class SentCopies:
    """Appends the copies of sent e-mails to the Sent folder of ``factory`` (None: no copies)."""

    def __init__(self, journal: OutboxJournal, factory: SentFolderFactory | None,
                 backoff_minutes: tuple[int, ...] = states.BACKOFF_MINUTES) -> None:
        self.journal = journal
        self.factory = factory
        self.backoff_minutes = backoff_minutes
        self._sent: SentFolder | None = None  # one connection for a whole delivery run (see close)

    async def after_send(self, entry: OutboxEntry, now: datetime, report: DeliveryReport) -> None:
        """The first copy, right after the server accepted the e-mail."""
        if self.factory is None:
            self.journal.note(states.copy_skipped(entry))
            return
        try:
            await asyncio.to_thread(self._append, entry.raw, None)
        except Exception as exc:  # noqa: BLE001 - the mail is sent whatever happens to its copy
            self._failed(entry, now, copy_error(exc), report)
        else:
            self.journal.note(states.copied(entry, now))
            report.copies.append(entry.message_id)

    async def retry(self, now: datetime, report: DeliveryReport) -> None:
        """Every copy that failed (or was never made) and is due, except those of this run's sends."""
        if self.factory is None:
            return
        for entry in self.journal.entries(SendState.SENT):
            if entry.message_id in report.sent or not states.copy_due(entry, now):
                continue
            try:
                # Look first: an earlier append may have worked without us hearing the answer.
                appended = await asyncio.to_thread(self._append, entry.raw, entry.message_id)
            except Exception as exc:  # noqa: BLE001 - see after_send
                self._failed(entry, now, copy_error(exc), report)
            else:
                self.journal.note(states.copied(entry, now, retried=True, appended=appended))
                report.copies.append(entry.message_id)

    def _append(self, raw: bytes, look_first: str | None) -> bool:
        """Append ``raw`` to Sent (in a worker thread); with ``look_first``, not if already there. The
        connection stays open for the next copy of the same run (40 letters: one login, not 40); any
        error closes it, and the next copy opens a fresh one."""
        assert self.factory is not None
        if self._sent is None:
            sent = self.factory()
            sent.__enter__()  # (opened as ``with`` would, and kept open until close())
            self._sent = sent
        try:
            if look_first and self._sent.find(look_first):
                return False
            self._sent.append(raw)
            return True
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """The end of a delivery run: the Sent folder's connection, if one is open, closed."""
        sent, self._sent = self._sent, None
        if sent is not None:
            try:
                sent.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - a dead connection may fail to close too
                pass

    def _failed(self, entry: OutboxEntry, now: datetime, error: str, report: DeliveryReport) -> None:
        entry = self.journal.note(states.copy_failed(entry, now, error, backoff_minutes=self.backoff_minutes))
        report.copy_failures.append(entry.message_id)
        LOG.warning("courriel %s : %s", entry.message_id, entry.sent_copy_reason)


def copy_error(exc: Exception) -> str:
    """What to tell of a failed append, in French (a bug of cpambot is logged in full)."""
    if isinstance(exc, CpambotError | OSError):
        return str(exc)
    LOG.error("erreur interne pendant la copie dans « Envoyés »", exc_info=exc)
    return f"erreur interne de cpambot ({detail(exc)})"
