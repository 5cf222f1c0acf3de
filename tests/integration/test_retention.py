"""Retention of the ledger: unrelated rows go after 90 days, nothing else does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cpambot.mailbox.ledger import LEDGER
from cpambot.mailbox.retention import prune_ledger
from cpambot.service.maintenance import maintain_daily
from cpambot.store.database import Store

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def row(category, state, age_days):
    return {"category": category, "state": state, "uid": age_days, "account": "a", "folder": "INBOX",
            "uidvalidity": 1, "fingerprint": f"f{category}{age_days}",
            "first_seen": (NOW - timedelta(days=age_days)).isoformat()}


def test_old_unrelated_rows_are_pruned_and_the_rest_kept(tmp_path):
    """GIVEN old and recent rows, relevant and unrelated WHEN pruned THEN only unrelated ignored
    rows older than 90 days go, the deletion survives a reopen, and it runs once a day."""
    with Store.open(tmp_path / "d") as store:
        store.put(LEDGER, "old-other", row("other", "ignored", 200))
        store.put(LEDGER, "new-other", row("other", "ignored", 10))
        store.put(LEDGER, "old-caisse", row("caisse", "done", 200))
        store.put(LEDGER, "old-suspect", row("suspect", "ignored", 200))
        store.commit()
        assert prune_ledger(store, NOW) == 1
        assert store.find(LEDGER, "fingerprint", "fother200") is None
    with Store.open(tmp_path / "d") as store:
        assert sorted(r["_key"] for r in store.values(LEDGER)) == ["new-other", "old-caisse", "old-suspect"]
        store.put(LEDGER, "old-other-2", row("other", "ignored", 300))
        maintain_daily(store, NOW)
        assert store.get("meta", "last_maintenance")["pruned"] == 1
        assert store.get(LEDGER, "old-other-2") is None
        store.put(LEDGER, "old-other-3", row("other", "ignored", 300))
        maintain_daily(store, NOW)  # (already done today)
        assert store.get(LEDGER, "old-other-3") is not None


def test_deletion_is_journaled(tmp_path):
    """GIVEN a deletion not yet committed WHEN the process dies and the store is reopened
    THEN the deletion is replayed from the journal."""
    import subprocess
    import sys

    with Store.open(tmp_path / "d") as store:
        store.put(LEDGER, "k", row("other", "ignored", 200))
    code = ("import os, signal, sys\nfrom cpambot.store.database import Store\n"
            "s = Store.open(sys.argv[1])\ns.delete('ledger', 'k')\ns.put('t', 'x', {'v': 1})\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")]).returncode == -9
    with Store.open(tmp_path / "d") as store:
        assert store.get(LEDGER, "k") is None and store.get("t", "x")["v"] == 1


def test_unreadable_row_is_kept(tmp_path):
    """GIVEN an old unrelated row beside an old row edited by hand (no state any more)
    WHEN pruned THEN the readable one goes, the other is kept, and nothing fails."""
    with Store.open(tmp_path / "d") as store:
        store.put(LEDGER, "old-other", row("other", "ignored", 200))
        broken = row("other", "ignored", 200)
        del broken["state"]
        store.put(LEDGER, "broken", broken)
        assert prune_ledger(store, NOW) == 1
        assert [r["_key"] for r in store.values(LEDGER)] == ["broken"]
