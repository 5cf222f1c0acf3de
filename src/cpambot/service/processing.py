"""Processing: ledger rows ``seen`` → read from their raw copy → cases → ``done``/``failed``.

Runs after the ingest, from the files under ``raw/`` only: it never needs the
mailbox. A row is marked ``processing`` before its message is read; a crash
leaves it so, and the next run reads it again (cases ignore a fact applied
twice). A message whose reading keeps crashing the process is given up after
``MAX_ATTEMPTS`` and shown as failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cpambot.cases.casebook import CaseBook
from cpambot.config.model import Caisse
from cpambot.errors import StoreError, UnreadableMessage
from cpambot.mailbox.ledger import LEDGER, MAX_ATTEMPTS, now_iso, transition
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.facts import Reading
from cpambot.understanding.reader import read_message

LOG = logging.getLogger(__name__)

Reader = Callable[[bytes, str, Sequence[Caisse]], Reading]
# Handles a message of the approver addressed to the bot (commands, edits, annulations);
# returns None when the message is not for the bot (a forwarded caisse letter, say).
ApproverHandler = Callable[[bytes, str], Any]


@dataclass
class ProcessReport:
    processed: int = 0
    done: int = 0
    ignored: int = 0
    failed: int = 0
    cases_touched: set[str] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    to_review: int = 0


def _received(row: dict, today: date) -> date:
    if row.get("date"):
        try:
            return datetime.fromisoformat(row["date"]).date()
        except ValueError:
            pass
    return today


class Processor:
    def __init__(self, store: Store, raw_store: RawStore, casebook: CaseBook, *,
                 caisses: Sequence[Caisse] = (), reader: Reader = read_message,
                 clock: Callable[[], str] = now_iso, today: Callable[[], date] = date.today,
                 on_approver: ApproverHandler | None = None) -> None:
        self.store = store
        self.raw = raw_store
        self.casebook = casebook
        self.caisses = tuple(caisses)
        self.reader = reader
        self.clock = clock
        self.today = today
        self.on_approver = on_approver

    def pending(self) -> list[str]:
        rows = [r for r in self.store.values(LEDGER) if r["state"] in ("seen", "processing")]
        rows.sort(key=lambda r: (r.get("first_seen") or "", r["account"], r["folder"], r["uid"]))
        return [r["_key"] for r in rows]

    def run(self) -> ProcessReport:
        report = ProcessReport()
        today = self.today()
        try:
            for key in self.pending():
                self._process(key, today, report)
            report.cases_touched.update(self.casebook.tick(today))
        finally:
            self.store.commit()
        return report

    def _process(self, key: str, today: date, report: ProcessReport) -> None:
        row = self.store.get(LEDGER, key)
        if row is None:
            return
        report.processed += 1
        if int(row.get("attempts", 0)) >= MAX_ATTEMPTS:
            self._finish(row, "failed", f"abandonné après {MAX_ATTEMPTS} tentatives interrompues", report)
            return
        row = transition(row, "processing", self.clock())
        self.store.put(LEDGER, key, row)
        try:
            raw = self.raw.load(row["raw"])
        except OSError as exc:
            self._finish(row, "failed", f"copie brute introuvable ({exc.strerror})", report)
            return
        if self.on_approver is not None and row["category"] in ("approver", "reply"):
            try:
                outcome = self.on_approver(raw, key)
            except StoreError:
                raise
            except Exception as exc:  # noqa: BLE001 - a bug must not stop the mailbox
                LOG.exception("erreur interne sur la réponse %s", key)
                self._finish(row, "failed", f"erreur interne de cpambot ({exc.__class__.__name__})", report)
                return
            if outcome is not None:
                summary = {"kind": "approval", "accepted": outcome.accepted, "reasons": outcome.reasons,
                           "changes": outcome.changes}
                report.kinds["approval"] = report.kinds.get("approval", 0) + 1
                self._finish(row, "done" if outcome.accepted else "ignored",
                             None if outcome.accepted else "; ".join(outcome.reasons), report,
                             reading=summary)
                return
        try:
            reading = self.reader(raw, row["category"], self.caisses)
        except UnreadableMessage as exc:
            self._finish(row, "failed", f"message illisible : {exc}", report)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the mailbox
            LOG.exception("erreur interne sur le message %s", key)
            self._finish(row, "failed", f"erreur interne de cpambot ({exc.__class__.__name__})", report)
            return
        try:
            touched = self.casebook.apply_reading(reading, source=key, received=_received(row, today),
                                                  today=today)
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
            self._finish(row, "ignored", row.get("relevance"), report, reading=summary)
        else:
            self._finish(row, "done", None, report, reading=summary)

    def _finish(self, row: dict, state: str, reason: str | None, report: ProcessReport,
                **extra: object) -> None:
        row = transition(row, state, self.clock(), reason, **extra)
        self.store.put(LEDGER, row["_key"], row)
        setattr(report, state, getattr(report, state) + 1)
        if state == "failed":
            LOG.warning("message %s en échec : %s", row["_key"], reason)
