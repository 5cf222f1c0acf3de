"""The invoice book: applies readings to the invoice records kept in the store (the imperative side of
:mod:`cpambot.books.invoices`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from cpambot.books.invoices import INVOICES, InvoiceRecord, apply_fact, is_invoice_fact
from cpambot.books.reconcile import TRANSFERS, Transfer, transfers_of
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
    """The tracking table's rows, from every invoice record and every case of ``store``."""
    cases = list(CaseBook(store).all(archived=True))
    return tracking_rows(InvoiceBook(store).records(), cases, since=since, until=until)
