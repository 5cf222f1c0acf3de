"""The store: atomic, owner-only, journaled, batched, with in-memory look-ups."""

import json
import stat
import subprocess
import sys

import pytest

from cpambot.errors import StoreError, StoreLockedError
from cpambot.store.database import DB_NAME, JOURNAL_NAME, Store


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
    data = json.loads((tmp_path / "d" / DB_NAME).read_text())
    assert data["_meta"]["1"]["schema"] == 1


def test_permissions_are_owner_only(tmp_path):
    """GIVEN a new data directory WHEN the store is written THEN dir is 0700 and files 0600."""
    with Store.open(tmp_path / "d") as store:
        store.put("t", "a", {"x": 1})
    assert stat.S_IMODE((tmp_path / "d").stat().st_mode) == 0o700
    for name in (DB_NAME, JOURNAL_NAME):
        assert stat.S_IMODE((tmp_path / "d" / name).stat().st_mode) == 0o600


def test_journal_survives_a_killed_process(tmp_path):
    """GIVEN a process killed (SIGKILL) after put() without commit
    WHEN the store is reopened THEN every put() is there."""
    code = (
        "import os, signal, sys\n"
        "from cpambot.store.database import Store\n"
        "s = Store.open(sys.argv[1])\n"
        "for i in range(50): s.put('ledger', f'k{i}', {'uid': i})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")])
    assert result.returncode == -9
    assert (tmp_path / "d" / JOURNAL_NAME).stat().st_size > 0
    with Store.open(tmp_path / "d") as store:
        assert store.count("ledger") == 50
    assert (tmp_path / "d" / JOURNAL_NAME).stat().st_size == 0


def test_torn_journal_line_is_ignored(tmp_path):
    """GIVEN a journal whose last line was cut mid-write WHEN replayed THEN the rest is kept."""
    with Store.open(tmp_path / "d") as store:
        store.put("t", "a", {"x": 1})
    (tmp_path / "d" / JOURNAL_NAME).write_text(
        '{"t":"t","k":"b","d":{"x":2,"_key":"b"}}\n{"t":"t","k":"c","d":{"x"')
    with Store.open(tmp_path / "d") as store:
        assert store.get("t", "b")["x"] == 2
        assert store.get("t", "c") is None


def test_a_bad_journal_line_before_good_ones_loses_only_itself(tmp_path, caplog):
    """GIVEN a journal with a damaged line in the middle WHEN replayed THEN every good entry after it is
    kept, and the log says which line was lost and how many were kept."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / JOURNAL_NAME).write_bytes(
        b'{"t":"t","k":"a","d":{"x":1,"_key":"a"}}\n\xff\xfe garbage\n'
        b'{"t":"t","k":"b","d":{"x":2,"_key":"b"}}\n')
    with Store.open(tmp_path / "d") as store:
        assert store.get("t", "a")["x"] == 1 and store.get("t", "b")["x"] == 2
    assert "1 ligne illisible ignorée (n° 2), 2 modifications gardées" in caplog.text


def test_bytes_that_are_not_utf8_are_a_clear_error_that_names_only_a_backup_that_exists(tmp_path):
    """GIVEN a database file holding bytes that are not UTF-8, and no backup WHEN opened THEN a French
    StoreError (no traceback of the decoder), the file kept, and no backup named; GIVEN a backup THEN it is
    named."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / DB_NAME).write_bytes(b'{"t": "\xff\xfe"}')
    with pytest.raises(StoreError, match="illisible.*il n'y a pas de copie précédente"):
        Store.open(tmp_path / "d")
    (tmp_path / "d" / (DB_NAME + ".bak")).write_text("{}")
    with pytest.raises(StoreError, match="la copie précédente est .*store.json.bak"):
        Store.open(tmp_path / "d")
    assert (tmp_path / "d" / DB_NAME).read_bytes() == b'{"t": "\xff\xfe"}'


def test_single_writer(tmp_path):
    """GIVEN a store open for writing WHEN a second writer opens it THEN it is refused in French."""
    with Store.open(tmp_path / "d"):
        with pytest.raises(StoreLockedError, match="un autre processus cpambot"):
            Store.open(tmp_path / "d")
        reader = Store.open(tmp_path / "d", readonly=True)
        reader.close()


def test_corrupt_file_is_not_overwritten(tmp_path):
    """GIVEN a corrupt database file WHEN opened THEN a StoreError is raised and the file kept."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / DB_NAME).write_text("{not json")
    with pytest.raises(StoreError, match="illisible"):
        Store.open(tmp_path / "d")
    assert (tmp_path / "d" / DB_NAME).read_text() == "{not json"


def test_newer_schema_is_refused(tmp_path):
    """GIVEN a store written by a newer schema WHEN opened THEN it is refused."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / DB_NAME).write_text('{"_meta": {"1": {"schema": 99}}}')
    with pytest.raises(StoreError, match="plus récente"):
        Store.open(tmp_path / "d")
