"""Backups made while the store is being written, daily backups that cost almost no disk, and a restore
that checks everything and deletes nothing."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpambot.errors import StoreError, StoreLockedError
from cpambot.store.backup import archive_to, daily, opened, restore
from cpambot.store.database import Store, acquire_writer_lock

WRITER = """
import sys
from cpambot.store.database import Store
store = Store.open(sys.argv[1])
last = store.get("meta", "last")
i = last["n"] if last else 0
while True:
    i += 1
    store.put("docs", f"d{i}", {"n": i, "pad": "x" * 300})
    store.put("meta", "last", {"n": i})
    if i % 50 == 0:
        store.commit()
    if i % 400 == 0:
        store.compact()
    if i % 1000 == 0:
        store.archive("docs", lambda d: "2026-01" if d["n"] < i - 500 else None)
"""


def consistent(data: Path) -> int:
    """The invariant the writer keeps: every document up to the last one it counted is there."""
    with Store.open(data) as store:
        last = store.get("meta", "last")["n"]
        assert all(store.get("docs", f"d{n}") is not None for n in range(1, last + 1))
        return last


def test_backups_taken_while_the_store_is_written_restore_to_a_consistent_state(tmp_path):
    """GIVEN a process writing the store without pause (puts, commits, compactions, archiving) WHEN five
    backups are taken meanwhile THEN each restores, into an empty folder, to a store where everything the
    writer had counted is there — and later backups hold more."""
    data = tmp_path / "data"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)])
    taken = []
    try:
        time.sleep(1.5)
        for n in range(5):
            taken.append(archive_to(data, tmp_path / "out", datetime(2026, 12, 6, 10, n, tzinfo=UTC)))
            time.sleep(0.4)
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for n, snapshot in enumerate(taken):
        target = tmp_path / f"restored-{n}"
        target.mkdir()
        with opened(snapshot.path) as folder:
            restore(folder, target, datetime(2026, 12, 6, tzinfo=UTC))
        counts.append(consistent(target))
    assert counts == sorted(counts) and counts[0] > 100 and counts[-1] > counts[0], counts


def test_daily_backups_link_what_is_only_replaced_and_keep_a_week(tmp_path):
    """GIVEN a store WHEN the daily backup runs on ten days THEN the last seven are kept, a second run the
    same day does nothing, table files are hard links (no copy) while journal segments are copies."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put("cases", "k", {"id": "C1"})
    store = Store.open(data)
    store.put("cases", "k2", {"id": "C2"})
    store.commit()
    day = datetime(2026, 12, 1, 3, tzinfo=UTC)
    for n in range(10):
        assert daily(data, day + timedelta(days=n)) is not None
    assert daily(data, day + timedelta(days=9, hours=5)) is None
    store.close()
    kept = sorted(p.name for p in (data / "sauvegardes").iterdir())
    assert kept == [f"2026-12-{d:02d}" for d in range(4, 11)]
    last = data / "sauvegardes" / "2026-12-10" / "store"
    table = next((last / "tables").glob("cases.json"))
    assert table.stat().st_nlink > 1
    assert all(p.stat().st_nlink == 1 for p in (last / "journal").glob("*.log"))


def test_restore_needs_the_service_stopped_checks_the_backup_and_keeps_what_was_there(tmp_path):
    """GIVEN a backup WHEN restored while another process writes the folder THEN it is refused; WHEN a file
    of the backup was changed THEN it is refused and nothing moves; WHEN restored properly THEN the data is
    the backup's and the previous data sits in avant-restauration-…"""
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.put("cases", "k", {"id": "C1", "state": "open"})
    snapshot = archive_to(data, tmp_path / "out", datetime(2026, 12, 6, tzinfo=UTC))
    with Store.open(data) as store:
        store.put("cases", "k", {"id": "C1", "state": "closed"})
    fd = acquire_writer_lock(data)
    with pytest.raises(StoreLockedError):
        acquire_writer_lock(data)
    os.close(fd)
    with opened(snapshot.path) as folder:
        meta = folder / "store" / "meta.json"
        original = meta.read_bytes()
        meta.write_bytes(original + b" ")
        with pytest.raises(StoreError, match="abîmée.*store/meta.json.*rien n'a été restauré"):
            restore(folder, data, datetime(2026, 12, 7, tzinfo=UTC))
        meta.write_bytes(original)
        aside = restore(folder, data, datetime(2026, 12, 7, tzinfo=UTC))
    with Store.open(data) as store:
        assert store.get("cases", "k")["state"] == "open"
    assert aside.name == "avant-restauration-20261207-000000" and (aside / "store" / "meta.json").exists()


def test_the_commands_say_where_the_backup_is_and_how_to_restore_it(bot_config, tmp_path, capsys):
    """GIVEN a configured data folder with a letter queued WHEN `cpambot backup --vers DIR` runs THEN it
    names the archive and the command that restores it; WHEN `cpambot restore` runs on it THEN it says what
    came back, where the data of before is kept, and to start the service again; the queued letter, which
    may have left since the backup, is uncertain (looked for in Sent, never sent again blindly)."""
    from cpambot.cli.main import main
    from cpambot.letters.model import Letter
    from cpambot.sending import states

    config = bot_config()
    letter = Letter("reclamation", ("cpam@example.org",), "Réclamation", "Madame, Monsieur,")
    queued = states.new_entry(letter, b"Subject: x\r\n\r\nx", sender="m@example.org", message_id="<a7@x>",
                              purpose="reclamation", case_key="k", draft_key="d",
                              now=datetime(2026, 12, 6, tzinfo=UTC))
    with Store.open(config.data_dir) as store:
        store.put("cases", "k", {"id": "C1", "state": "open"})
        store.put("outbox", "<a7@x>", queued.to_doc())
    assert main(["-c", str(config.path), "backup", "--vers", str(tmp_path / "cle-usb")]) == 0
    out = capsys.readouterr().out
    [archive] = (tmp_path / "cle-usb").glob("cpambot-sauvegarde-*.tar.gz")
    assert f"Sauvegarde faite : {archive}" in out and f"cpambot restore {archive}" in out
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    assert main(["-c", str(config.path), "restore", str(archive)]) == 0
    out = capsys.readouterr().out
    assert "restaurée" in out and ": 1 dossier, 0 message au registre" in out and "avant-restauration-" in out
    assert "sudo systemctl start cpambot" in out
    assert "1 courrier en attente d'envoi dans la sauvegarde : il est peut-être parti depuis" in out
    with Store.open(config.data_dir) as store:  # (never sent again blindly: looked for in Sent first)
        assert store.get("outbox", "<a7@x>")["state"] == "uncertain"


def test_a_writer_killed_at_random_moments_never_loses_what_it_counted(tmp_path):
    """GIVEN a process writing the store without pause (puts, commits, compactions, archiving) WHEN it is
    killed (SIGKILL) at 20 random moments, and started again after each THEN every time the store opens,
    everything the writer had counted is there, and the count only grows."""
    import random

    data = tmp_path / "data"
    rng = random.Random(1106)
    counts = []
    for _ in range(20):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data)])
        time.sleep(0.6 + rng.random() * 0.8)
        writer.kill()
        writer.wait()
        counts.append(consistent(data))
    assert counts == sorted(counts) and counts[-1] > counts[0] > 0, counts
