"""The store: atomic, owner-only, journaled, a commit that writes only what changed, in-memory look-ups,
and table files repaired from their backup and the journal when those agree."""

import json
import stat
import subprocess
import sys

import pytest
from tinydb import Query, TinyDB

from cpambot.errors import StoreError, StoreLockedError
from cpambot.store.database import STORE_DIR, Store
from cpambot.store.files import AtomicJSONStorage


def files(data):
    return data / STORE_DIR


def segment(data):
    [last] = sorted((files(data) / "journal").glob("*.log"))[-1:]
    return last


def test_put_commit_reopen(tmp_path):
    """GIVEN documents put and committed WHEN the store is reopened THEN they are all there."""
    with Store.open(tmp_path / "d") as store:
        for i in range(1000):
            store.put("ledger", f"k{i}", {"uid": i, "fingerprint": f"f{i}"})
        store.commit()
        store.put("ledger", "k5", {"uid": 5, "state": "done", "fingerprint": "f5"})
    with Store.open(tmp_path / "d") as store:
        assert store.count("ledger") == 1000
        assert store.get("ledger", "k5")["state"] == "done"
        assert store.find("ledger", "fingerprint", "f999") == "k999"
    assert json.loads((files(tmp_path / "d") / "meta.json").read_text())["schema"] == 2


def test_every_table_file_is_a_tinydb_database(tmp_path):
    """GIVEN a store written and closed WHEN a table file is opened with TinyDB itself THEN its documents
    are there, queryable with TinyDB's API."""
    with Store.open(tmp_path / "d") as store:
        store.put("cases", "k1", {"id": "C1", "state": "open"})
        store.put("cases", "k2", {"id": "C2", "state": "closed"})
    db = TinyDB(files(tmp_path / "d") / "tables" / "cases.json", storage=AtomicJSONStorage)
    assert [d["id"] for d in db.table("cases").search(Query().state == "open")] == ["C1"]


def test_permissions_are_owner_only(tmp_path):
    """GIVEN a new data directory WHEN the store is written THEN every folder is 0700 and every file 0600."""
    with Store.open(tmp_path / "d") as store:
        store.put("t", "a", {"x": 1})
        store.archive("t", lambda doc: "2026-01")
        store.put("t", "b", {"x": 2})
    paths = [p for p in (tmp_path / "d").rglob("*")]
    assert any(p.name == "2026-01.json" for p in paths)
    for path in [tmp_path / "d", *paths]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_a_commit_writes_what_changed_not_the_history(tmp_path):
    """GIVEN a store of 5,000 documents, folded into its files WHEN one document is put and committed
    THEN no table file is rewritten (same inode, same bytes) and the journal grew by one line."""
    with Store.open(tmp_path / "d") as store:
        for i in range(5000):
            store.put("ledger", f"k{i}", {"uid": i, "subject": "x" * 200}, defer=True)
    with Store.open(tmp_path / "d") as store:
        tables = sorted((files(tmp_path / "d") / "tables").glob("*.json"))
        before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tables}
        size = segment(tmp_path / "d").stat().st_size
        store.put("ledger", "k1", {"uid": 1, "state": "processed"})
        store.commit()
        assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tables} == before
        grown = segment(tmp_path / "d").stat().st_size - size
        assert 0 < grown < 200


def test_journal_survives_a_killed_process(tmp_path):
    """GIVEN a process killed (SIGKILL) after put() without commit
    WHEN the store is reopened THEN every put() is there, and closing folds the journal in."""
    code = (
        "import os, signal, sys\n"
        "from cpambot.store.database import Store\n"
        "s = Store.open(sys.argv[1])\n"
        "for i in range(50): s.put('ledger', f'k{i}', {'uid': i})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")])
    assert result.returncode == -9
    assert segment(tmp_path / "d").stat().st_size > 0
    with Store.open(tmp_path / "d") as store:
        assert store.count("ledger") == 50
    assert segment(tmp_path / "d").stat().st_size == 0
    with Store.open(tmp_path / "d") as store:
        assert store.count("ledger") == 50


def test_torn_journal_line_is_ignored(tmp_path):
    """GIVEN a journal whose last line was cut mid-write WHEN replayed THEN the rest is kept."""
    with Store.open(tmp_path / "d") as store:
        store.put("t", "a", {"x": 1})
    segment(tmp_path / "d").write_text(
        '{"t":"t","k":"b","d":{"x":2,"_key":"b"}}\n{"t":"t","k":"c","d":{"x"')
    with Store.open(tmp_path / "d") as store:
        assert store.get("t", "a")["x"] == 1 and store.get("t", "b")["x"] == 2
        assert store.get("t", "c") is None


def test_a_bad_journal_line_before_good_ones_loses_only_itself(tmp_path, caplog):
    """GIVEN a journal with a damaged line in the middle WHEN replayed THEN every good entry after it is
    kept, and the log says which line was lost and how many were kept."""
    with Store.open(tmp_path / "d"):
        pass
    segment(tmp_path / "d").write_bytes(
        b'{"t":"t","k":"a","d":{"x":1,"_key":"a"}}\n\xff\xfe garbage\n'
        b'{"t":"t","k":"b","d":{"x":2,"_key":"b"}}\n')
    with Store.open(tmp_path / "d") as store:
        assert store.get("t", "a")["x"] == 1 and store.get("t", "b")["x"] == 2
    assert "1 ligne illisible ignorée" in caplog.text and "n° 2), 2 modifications gardées" in caplog.text


def two_generations(data):
    """A store folded twice (its .bak is the first generation), with changes in the journal since."""
    with Store.open(data) as store:
        for i in range(100):
            store.put("ledger", f"k{i}", {"uid": i})
    with Store.open(data) as store:
        store.put("ledger", "k100", {"uid": 100})
        store.delete("ledger", "k0")
    store = Store.open(data)
    store.put("ledger", "k101", {"uid": 101})
    store.commit()
    store._release()  # (the process stops here: the journal holds k101)


def test_a_torn_table_file_is_repaired_from_its_backup_and_the_journal(tmp_path, caplog):
    """GIVEN a table file cut in half, with its .bak one generation older and the journal since WHEN the
    store opens THEN every document is there (those of the backup, and every change since), the journal
    says it was repaired, and the damaged file is kept aside."""
    data = tmp_path / "d"
    two_generations(data)
    ledger = files(data) / "tables" / "ledger.json"
    ledger.write_bytes(ledger.read_bytes()[: ledger.stat().st_size // 2])
    with Store.open(data) as store:
        assert store.count("ledger") == 101
        assert store.get("ledger", "k0") is None and store.get("ledger", "k101")["uid"] == 101
    assert "réparée depuis sa copie ledger.json.bak et le journal" in caplog.text
    assert (files(data) / "tables" / "ledger.json.abime").exists()
    with Store.open(data) as store:
        assert store.count("ledger") == 101


def test_a_damaged_table_that_cannot_be_repaired_stops_the_store_with_what_to_do(tmp_path):
    """GIVEN a damaged table file whose backup and journal do not agree (a journal segment missing), or
    with no backup WHEN the store opens THEN a French StoreError says why and to restore a backup, and
    nothing is changed."""
    data = tmp_path / "d"
    two_generations(data)
    ledger = files(data) / "tables" / "ledger.json"
    ledger.write_bytes(b'{"ledger": {"1": \xff')
    first = sorted((files(data) / "journal").glob("*.log"))[0]
    first.unlink()
    with pytest.raises(StoreError, match=r"ne concordent pas .*Rien n'a été modifié.*cpambot restore"):
        Store.open(data)
    (files(data) / "tables" / "ledger.json.bak").unlink()
    with pytest.raises(StoreError, match="illisible.*pas de copie précédente"):
        Store.open(data)
    assert ledger.read_bytes() == b'{"ledger": {"1": \xff'


def test_single_writer(tmp_path):
    """GIVEN a store open for writing WHEN a second writer opens it THEN it is refused in French."""
    with Store.open(tmp_path / "d"):
        with pytest.raises(StoreLockedError, match="un autre processus cpambot"):
            Store.open(tmp_path / "d")
        reader = Store.open(tmp_path / "d", readonly=True)
        reader.close()


def test_newer_schema_is_refused(tmp_path):
    """GIVEN a store written by a newer schema WHEN opened THEN it is refused."""
    with Store.open(tmp_path / "d"):
        pass
    (files(tmp_path / "d") / "meta.json").write_text('{"schema": 99, "generation": 1}')
    with pytest.raises(StoreError, match="plus récente"):
        Store.open(tmp_path / "d")
