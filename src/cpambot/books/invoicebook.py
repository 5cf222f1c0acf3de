"""The invoice book: applies readings to the invoice records kept in the store (the imperative side of
:mod:`cpambot.books.invoices`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from cpambot.books.invoices import INVOICES, InvoiceRecord, apply_fact, is_invoice_fact
from cpambot.books.reconcile import REPORTS, TRANSFERS, Transfer, transfers_of
from cpambot.books.tracking import Row, tracking_rows
from cpambot.cases.casebook import CaseBook
from cpambot.cases.deadlines import absurd_date
from cpambot.store.database import Store
from cpambot.understanding.facts import Reading


class InvoiceBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, invoice: str) -> InvoiceRecord | None:
        doc = self.store.get(INVOICES, invoice)
        return InvoiceRecord.from_doc(doc) if doc is not None else None

    def apply_reading(self, reading: Reading, *, source: str, received: date, today: date) -> int:
        """Record the reading's invoice facts (a test file's and those dated absurdly aside); how many
        records changed."""
        if reading.is_test:
            return 0
        changed = 0
        for fact in reading.facts:
            if not is_invoice_fact(fact) or (fact.date is not None and absurd_date(fact.date, today)):
                continue
            assert fact.invoice is not None
            record = self.get(fact.invoice)
            updated = apply_fact(record, fact, source=source, received=received)
            if updated is not None and updated is not record:
                self.store.put(INVOICES, updated.invoice, updated.to_doc(), defer=True)
                changed += 1
        if reading.needs_review is None:  # (totals that do not add up announce no sure transfer)
            for transfer in transfers_of(reading.fields, reading.caisse, source):
                self.store.put(TRANSFERS, transfer.key, transfer.to_doc(), defer=True)
        return changed

    def transfers(self) -> list[Transfer]:
        """Every transfer the returns announced, archived ones included."""
        return [Transfer.from_doc(doc["_key"], doc) for doc in self.store.values(TRANSFERS, archived=True)]

    def records(self) -> Iterator[InvoiceRecord]:
        """Every record, archived ones included."""
        for doc in self.store.values(INVOICES, archived=True):
            yield InvoiceRecord.from_doc(doc)


def tracking_table(store: Store, since: date | None = None, until: date | None = None) -> list[Row]:
    """The tracking table's rows, from every invoice record and every case of ``store``, and the bank
    reconciliations made (when each return's transfer reached the bank)."""
    cases = list(CaseBook(store).all(archived=True))
    return tracking_rows(InvoiceBook(store).records(), cases, since=since, until=until,
                         received=transfers_received(store.data_dir))


def reconciliation_reports(data_dir: Path) -> Iterator[dict[str, Any]]:
    """The reports ``cpambot rapprochement`` kept, oldest first; one half-written or edited by hand is
    skipped (the others still count)."""
    folder = data_dir / REPORTS
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict):
            yield report


def transfers_received(data_dir: Path) -> dict[str, date]:
    """For the message of each return whose transfer a bank reconciliation found: the bank's day (the
    later reports last)."""
    found: dict[str, date] = {}
    for report in reconciliation_reports(data_dir):
        try:
            for match in report.get("recus") or ():
                day = date.fromisoformat(match["banque"]["date"])
                for transfer in match["virements"]:
                    found[str(transfer["message"])] = day
        except (OSError, ValueError, KeyError, TypeError):
            continue  # (a report half-written or edited by hand: the others still count)
    return found
