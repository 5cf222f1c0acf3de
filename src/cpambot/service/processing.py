"""Processing: ledger rows ``seen`` → read from their raw copy → cases → ``done``/``failed``.

Runs after the ingest, from the files under ``raw/`` only: it never needs the
mailbox. A row is marked ``processing`` before its message is read; a crash
leaves it so, and the next run reads it again (cases ignore a fact applied
twice). A message whose reading keeps crashing the process is given up after
``MAX_ATTEMPTS`` and shown as failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from cpambot.books.invoicebook import InvoiceBook
from cpambot.cases.by_hand import RECEIPT_KEYS
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock, SystemClock
from cpambot.config.model import Caisse
from cpambot.errors import StoreError, UnreadableMessage
from cpambot.instants import iso, local_date
from cpambot.mailbox.ledger import LEDGER, MAX_ATTEMPTS, PENDING_STATES, LedgerRow, LedgerState
from cpambot.mailbox.senders import Category
from cpambot.service.learning import load_rules
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.facts import Reading
from cpambot.understanding.learning import LearnedRule
from cpambot.understanding.reader import read_message

LOG = logging.getLogger(__name__)

Reader = Callable[[bytes, str, Sequence[Caisse], Sequence[LearnedRule]], Reading]


class ApproverOutcome(Protocol):
    """What handling one of the approver's messages gave (see service/replies.ReplyOutcome)."""

    accepted: bool
    reasons: list[str]
    changes: list[str]


# Handles a message of the approver addressed to the bot (commands, edits, annulations);
# returns None when the message is not for the bot (a forwarded caisse letter, say).
ApproverHandler = Callable[[bytes, str], ApproverOutcome | None]
# Handles a delivery report: which of the bot's e-mails did not arrive (see service/bounces.BounceOutcome)
BounceHandler = Callable[[bytes, str], ApproverOutcome]


@dataclass
class ProcessReport:
    processed: int = 0
    done: int = 0
    ignored: int = 0
    failed: int = 0
    cases_touched: set[str] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    to_review: int = 0


def _received(row: LedgerRow, today: date, reading: Reading | None = None) -> date:
    """The day the message reached the professional: a forward's original date when she forwarded
    a caisse message (the delays run from it, not from the day she forwarded it)."""
    original = (reading.fields.get("sent_on") if reading is not None and reading.fields.get("forwarded_by")
                else None)
    if isinstance(original, str):
        try:
            day = date.fromisoformat(original)
        except ValueError:
            day = None
        if day is not None and day <= today:
            return day
    if row.date:
        try:
            return datetime.fromisoformat(row.date).date()
        except ValueError:
            pass
    return today


DEFAULT_TZ = ZoneInfo("Europe/Paris")  # that of the configuration's default
_FROM_APPROVER = (Category.APPROVER, Category.REPLY)


class Processor:
    """Reads the pending rows of the ledger. The time comes from ``clock``; the day the case
    rules count from is the professional's, in ``tz`` (deadlines are local days)."""

    def __init__(self, store: Store, raw_store: RawStore, casebook: CaseBook, *,
                 caisses: Sequence[Caisse] = (), reader: Reader = read_message,
                 clock: Clock | None = None, tz: ZoneInfo = DEFAULT_TZ,
                 on_approver: ApproverHandler | None = None, on_bounce: BounceHandler | None = None,
                 beat: Callable[[], None] | None = None) -> None:
        self.store = store
        self.raw = raw_store
        self.casebook = casebook
        self.invoices = InvoiceBook(store)  # the tracking table's records, from the same facts
        self.caisses = tuple(caisses)
        self.reader = reader
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.tz = tz
        self.on_approver = on_approver
        self.on_bounce = on_bounce
        self.beat = beat  # told after each message read (the service's watchdog)
        self._rules: tuple[LearnedRule, ...] = ()

    def now(self) -> str:
        """The current instant, as the ledger stores it."""
        return iso(self.clock.now())

    def today(self) -> date:
        """The professional's date now."""
        return local_date(self.clock.now(), self.tz)

    def pending(self) -> list[str]:
        """Keys of the rows to read, oldest first. The stored dicts are filtered by state before
        anything else: the ledger is mostly rows long done with."""
        docs = [d for d in self.store.values(LEDGER) if d["state"] in PENDING_STATES]
        docs.sort(key=lambda d: (d.get("first_seen") or "", d["account"], d["folder"], d["uid"]))
        return [d["_key"] for d in docs]

    def run(self) -> ProcessReport:
        report = ProcessReport()
        today = self.today()
        self._rules = load_rules(self.store)  # what the professional taught, up to now
        try:
            for key in self.pending():
                self._process(key, today, report)
                if self.beat is not None:
                    self.beat()
            report.cases_touched.update(self.casebook.tick(today))
        finally:
            self.store.commit()
        return report

    def _process(self, key: str, today: date, report: ProcessReport) -> None:
        doc = self.store.get(LEDGER, key)
        if doc is None:
            return
        row = LedgerRow.from_doc(doc)
        report.processed += 1
        if row.given_up:
            self._finish(key, row, LedgerState.FAILED,
                         f"abandonné après {MAX_ATTEMPTS} tentatives interrompues", report)
            return
        row = row.started(self.now())
        self.store.put(LEDGER, key, row.to_doc())
        if row.raw is None:  # not written by the ingest (a row edited by hand?)
            self._finish(key, row, LedgerState.FAILED, "copie brute absente du registre", report)
            return
        try:
            raw = self.raw.load(row.raw)
        except OSError as exc:
            self._finish(key, row, LedgerState.FAILED, f"copie brute introuvable ({exc.strerror})",
                         report)
            return
        if row.category == Category.BOUNCE:
            self._bounce(key, row, raw, report)
            return
        if self.on_approver is not None and row.category in _FROM_APPROVER \
                and self._handed(key, row, raw, report, self.on_approver, "approval", "la réponse"):
            return
        try:
            reading = self.reader(raw, row.category, self.caisses, self._rules)
        except UnreadableMessage as exc:
            self._finish(key, row, LedgerState.FAILED, f"message illisible : {exc}", report)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the mailbox
            LOG.exception("erreur interne sur le message %s", key)
            self._finish(key, row, LedgerState.FAILED,
                         f"erreur interne de cpambot ({exc.__class__.__name__})", report)
            return
        try:
            received = _received(row, today, reading)
            touched = self.casebook.apply_reading(reading, source=key, received=received, today=today)
            if reading.fields.get("paper"):  # a letter she photographed: from the day it reached her
                said = reading.fields.get("receipt")
                letter = next((RECEIPT_KEYS[f.kind] for f in reading.facts if f.kind in RECEIPT_KEYS), None)
                self.casebook.paper_received(touched, date.fromisoformat(said) if said else None, today,
                                             key=letter, undated=not reading.fields.get("letter_date"))
            self.invoices.apply_reading(reading, source=key, received=received, today=today)
        except StoreError:
            raise
        report.cases_touched.update(touched)
        report.kinds[reading.kind] = report.kinds.get(reading.kind, 0) + 1
        if reading.needs_review:
            report.to_review += 1
        summary = {"kind": reading.kind, "caisse": reading.caisse, "facts": len(reading.facts),
                   "cases": touched, "needs_review": reading.needs_review, "is_test": reading.is_test,
                   "problems": list(reading.problems)}
        if reading.kind == "phishing":
            self._finish(key, row, LedgerState.IGNORED, row.relevance, report, reading=summary)
        else:
            self._finish(key, row, LedgerState.DONE, None, report, reading=summary)

    def _bounce(self, key: str, row: LedgerRow, raw: bytes, report: ProcessReport) -> None:
        """A delivery report: the bot's e-mail it names is marked not delivered (nothing without sending)."""
        if self.on_bounce is None:
            self._finish(key, row, LedgerState.IGNORED, "avis de non-distribution (aucun envoi configuré)",
                         report)
            return
        self._handed(key, row, raw, report, self.on_bounce, "bounce", "l'avis de non-distribution")

    def _handed(self, key: str, row: LedgerRow, raw: bytes, report: ProcessReport,
                handler: ApproverHandler, kind: str, what: str) -> bool:
        """The message given to ``handler`` (the approver's desk, the bounce desk), whose verdict becomes
        its reading; False when the handler says it is not for it (None): it is then read as any other."""
        try:
            outcome = handler(raw, key)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the mailbox
            LOG.exception("erreur interne sur %s %s", what, key)
            self._finish(key, row, LedgerState.FAILED,
                         f"erreur interne de cpambot ({exc.__class__.__name__})", report)
            return True
        if outcome is None:
            return False
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
        self._finish(key, row, LedgerState.DONE if outcome.accepted else LedgerState.IGNORED,
                     None if outcome.accepted else "; ".join(outcome.reasons), report,
                     reading={"kind": kind, "accepted": outcome.accepted, "reasons": outcome.reasons,
                              "changes": outcome.changes})
        return True

    def _finish(self, key: str, row: LedgerRow, state: LedgerState, reason: str | None,
                report: ProcessReport, *, reading: Mapping[str, Any] | None = None) -> None:
        row = row.moved(state, self.now(), reason, reading=reading)
        self.store.put(LEDGER, key, row.to_doc())
        setattr(report, state.value, getattr(report, state.value) + 1)
        if state is LedgerState.FAILED:
            LOG.warning("message %s en échec : %s", key, reason)
