"""`cpambot rebuild`: the cases come back from the raw copies alone, with the same numbers."""

from __future__ import annotations

from cpambot.approval.draftbook import DRAFTS
from cpambot.books.invoices import INVOICES
from cpambot.cases.casebook import CASES
from cpambot.demo.run import DEMO_TODAY, demo_config, run_demo
from cpambot.service.rebuild import rebuild
from cpambot.store.database import Store


def snapshot(store):
    cases = {c["key"]: (c["id"], c["type"], c["state"], c.get("amount"), len(c["history"]))
             for c in store.values(CASES)}
    drafts = {d["code"]: d["state"] for d in store.values(DRAFTS)}
    invoices = {d["invoice"]: sorted(m["id"] for m in d["movements"]) for d in store.values(INVOICES)}
    return cases, drafts, invoices


def test_rebuild_gives_back_the_same_cases(tmp_path, capsys):
    """GIVEN the demo processed, with its drafts WHEN the cases are rebuilt from the raw copies
    THEN every case comes back identical (same number, type, state, amount, history), so does every
    invoice of the tracking table (what an older reader understood is gone, no movement twice), and
    the drafts are untouched; the store survives a reopen (the drop is journaled)."""
    assert run_demo(tmp_path / "d") == 0
    config = demo_config(tmp_path / "d")
    with Store.open(config.data_dir) as store:
        before = snapshot(store)
        assert len(before[2]) >= 10
        doc = store.get(INVOICES, "000012201")  # what an older reader understood, wrongly
        stale = {**doc["movements"][0], "id": "older-reader", "amount": "99.00"}
        store.put(INVOICES, "000012201", {**doc, "movements": [*doc["movements"], stale]})
        report = rebuild(config, store, today=DEMO_TODAY)
        assert report.failed == 0 and report.done > 10
        assert snapshot(store) == before
    with Store.open(config.data_dir, readonly=True) as store:
        assert snapshot(store) == before
