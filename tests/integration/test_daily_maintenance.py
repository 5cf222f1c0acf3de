"""The daily maintenance on a real store: what is settled leaves memory, every listing still shows it,
and the follow-up of the cases still open is unchanged."""

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal

from paths import ROOT

from cpambot.approval.draftbook import DraftBook
from cpambot.books.invoicebook import InvoiceBook
from cpambot.books.invoices import INVOICES
from cpambot.cases.casebook import CASES, CaseBook
from cpambot.cli.main import main
from cpambot.demo.run import run_demo
from cpambot.mailbox.ledger import LEDGER
from cpambot.service.maintenance import maintain_daily
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading


def test_the_demo_store_archived_months_later_keeps_every_case_reachable(tmp_path):
    """GIVEN the demo's store (mail of February to June 2026) WHEN the maintenance runs in December THEN
    the unrelated rows past retention are pruned, the ledger rows read and the cases closed leave memory;
    every case is still listed with the archived ones and found by its number; the steps drafted for the
    cases still followed are the same; a second run the same day does nothing."""
    data = tmp_path / "demo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "stores" / "v1" / "demo", data)
    with Store.open(data) as store:
        before_ids = sorted(c.id for c in CaseBook(store).all())
        open_keys = {c.key for c in CaseBook(store).all() if not c.is_closed}
        steps = {k: v for k, v in DraftBook(store).steps_by_case().items() if k in open_keys}
        rows = store.count(LEDGER)
        moved = maintain_daily(store, datetime(2026, 12, 6, 8, tzinfo=UTC))
        pruned = store.get("meta", "last_maintenance")["pruned"]  # (unrelated mail past 90 days)
        assert moved > 0 and pruned > 0 and store.count(LEDGER) < rows - pruned
        assert store.count(LEDGER, archived=True) == rows - pruned
        assert maintain_daily(store, datetime(2026, 12, 6, 18, tzinfo=UTC)) == 0
    with Store.open(data) as store:
        book = CaseBook(store)
        assert {c.key for c in book.all()} >= open_keys
        assert store.count(CASES) < len(before_ids)
        assert sorted(c.id for c in book.all(archived=True)) == before_ids
        assert all(book.by_id(case_id) is not None for case_id in before_ids)
        assert {k: v for k, v in DraftBook(store).steps_by_case().items() if k in open_keys} == steps


def test_invoices_quiet_for_three_months_are_archived_and_still_exported(tmp_path, capsysbinary):
    """GIVEN the demo read (invoices of February and March 2026) WHEN the maintenance runs in December
    THEN every invoice record leaves memory, the tracking table is the same, and a late payment of an
    archived invoice brings its record back with both movements."""
    data = tmp_path / "demo"
    assert run_demo(data) == 0
    capsysbinary.readouterr()
    assert main(["export", "--data-dir", str(data)]) == 0
    table = capsysbinary.readouterr().out
    with Store.open(data) as store:
        count = store.count(INVOICES)
        assert count >= 10
        maintain_daily(store, datetime(2026, 12, 6, 8, tzinfo=UTC))
        assert store.count(INVOICES) == 0 and store.count(INVOICES, archived=True) == count
    assert main(["export", "--data-dir", str(data)]) == 0
    assert capsysbinary.readouterr().out == table
    with Store.open(data) as store:
        late = Fact(FactKind.INVOICE_PAID, caisse="511", invoice="000012201", amount=Decimal("3.54"),
                    date=date(2026, 12, 1), part="AMO")
        reading = Reading(MessageKind.NOEMIE, "caisse", caisse="511", facts=(late,))
        InvoiceBook(store).apply_reading(reading, source="late", received=date(2026, 12, 2),
                                         today=date(2026, 12, 2))
        store.commit()
        assert store.count(INVOICES) == 1
        back = InvoiceBook(store).get("000012201")
        assert back is not None and back.part("AMO").status == "paid_after_reject"
