"""The sync engine on a local Maildir: ledger, raw copies, checkpoints, crash and duplicates."""

import stat
import subprocess
import sys
from pathlib import Path

from builders import FLUX, message, noise, write_maildir

from bot.ledger import CHECKPOINTS, LEDGER
from bot.maildir_source import MaildirMailbox
from bot.pipeline import process_message
from bot.rawstore import RawStore
from bot.senders import Relevance, SenderPolicy
from bot.store import Store
from bot.sync import Syncer

POLICY = SenderPolicy.build(approvers=["marie.exemple@example.org"])


def sync(data_dir, maildir):
    with Store.open(data_dir) as store:
        box = MaildirMailbox(maildir, state_dir=data_dir)
        box.open()
        report = Syncer(store, RawStore(data_dir), POLICY).sync_account("demo", box, ("INBOX",))
        rows = {r["uid"]: r for r in store.values(LEDGER)}
        checkpoint = store.get(CHECKPOINTS, "demo|INBOX")
    return report, rows, checkpoint


def test_first_sync_records_everything(tmp_path):
    """GIVEN a Maildir with caisse mail, an AMC mail, a phishing mail and noise
    WHEN synced THEN every message has a ledger row, relevant ones are done with a raw copy."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [
        message(), noise(1), message(sender=FLUX, subject="IR100500/x"),
        message(sender="Viamedis <noreply@viamedis.fr>", subject="Avis de règlement"),
        message(sender="Assurance Maladie <ameli@secure-ameli-fr.com>", subject="Remboursement"),
        noise(2),
    ])
    report, rows, checkpoint = sync(tmp_path / "data", maildir)
    assert report.ok and report.total("new") == 6
    states = {uid: (r["category"], r["state"]) for uid, r in rows.items()}
    assert states == {1: ("caisse", "done"), 2: ("other", "ignored"), 3: ("caisse", "done"),
                      4: ("amc", "done"), 5: ("suspect", "ignored"), 6: ("other", "ignored")}
    assert checkpoint["last_uid"] == 6
    raw = tmp_path / "data" / rows[1]["raw"]
    assert raw.read_bytes() == sorted((maildir / "cur").iterdir())[0].read_bytes()
    assert stat.S_IMODE(raw.stat().st_mode) == 0o600
    assert "raw" not in rows[2]  # unrelated mail: headers only, nothing kept


def test_second_sync_is_idempotent(tmp_path):
    """GIVEN a synced Maildir WHEN synced again, then after one new message
    THEN nothing is redone and only the new message is added."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(), noise(1)])
    sync(tmp_path / "data", maildir)
    report, rows, _ = sync(tmp_path / "data", maildir)
    assert report.total("new") == 0 and len(rows) == 2
    write_maildir(maildir, [message(subject="Demande de pièces justificatives")], start=10)
    report, rows, checkpoint = sync(tmp_path / "data", maildir)
    assert report.total("new") == 1 and len(rows) == 3 and checkpoint["last_uid"] == 3


def test_duplicate_message_is_not_processed_twice(tmp_path):
    """GIVEN the same caisse message twice (same bytes, two files)
    WHEN synced THEN the second is ignored as a duplicate of the first."""
    raw = message(msgid="<same@x>")
    maildir = tmp_path / "mail"
    write_maildir(maildir, [raw, raw])
    report, rows, _ = sync(tmp_path / "data", maildir)
    assert rows[1]["state"] == "done"
    assert rows[2]["state"] == "ignored" and "doublon" in rows[2]["reason"]
    assert report.total("duplicates") == 1


def test_failing_message_is_recorded_and_left_alone(tmp_path):
    """GIVEN three caisse messages, the 2nd making the processor blow up
    WHEN synced THEN the 2nd is failed with a French reason, its file untouched, the others done."""
    maildir = tmp_path / "mail"
    paths = write_maildir(maildir, [message(), message(subject="BOOM"), message()])
    before = paths[1].read_bytes()

    def processor(raw, relevance):
        if b"BOOM" in raw:
            raise ValueError("decoder bug")
        return process_message(raw, relevance)

    with Store.open(tmp_path / "data") as store:
        box = MaildirMailbox(maildir, state_dir=tmp_path / "data")
        box.open()
        syncer = Syncer(store, RawStore(tmp_path / "data"), POLICY, processor=processor)
        report = syncer.sync_account("demo", box, ("INBOX",))
        rows = {r["uid"]: r for r in store.values(LEDGER)}
    assert [rows[u]["state"] for u in (1, 2, 3)] == ["done", "failed", "done"]
    assert "erreur interne" in rows[2]["reason"] and rows[2]["raw"]
    assert report.total("failed") == 1
    assert paths[1].read_bytes() == before


def test_headerless_garbage_is_failed():
    """GIVEN bytes with no header at all WHEN processed THEN the outcome is failed, in French."""
    outcome = process_message(b"\x00\xff garbage", Relevance("caisse", "x"))
    assert outcome.state == "failed" and "illisible" in outcome.reason


def test_crash_between_two_messages_resumes_exactly(tmp_path):
    """GIVEN a sync killed (SIGKILL) right after the 3rd relevant message was saved
    WHEN the sync is run again THEN the ledger equals that of an uninterrupted run:
    no message skipped, none processed twice."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(subject=f"Retour {i}") if i % 2 else noise(i) for i in range(12)])
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import bot.rawstore as rs\n"
        "orig = rs.RawStore.save\n"
        "calls = []\n"
        "def save(self, raw):\n"
        "    out = orig(self, raw)\n"
        "    calls.append(1)\n"
        "    if len(calls) == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return out\n"
        "rs.RawStore.save = save\n"
        "sys.path.insert(0, sys.argv[3])\nfrom test_sync_maildir import sync\n"
        "sync(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    )
    crashed = subprocess.run([sys.executable, "-c", code, str(tmp_path / "data"), str(maildir),
                              str(Path(__file__).parent)])
    assert crashed.returncode == -9
    with Store.open(tmp_path / "data", readonly=True) as store:
        partial = {r["uid"]: r["state"] for r in store.values(LEDGER)}
    assert partial[6] == "processing" and 7 not in partial  # killed while handling UID 6
    report, rows, checkpoint = sync(tmp_path / "data", maildir)
    _, reference, _ = sync(tmp_path / "ref", maildir)
    assert {u: r["state"] for u, r in rows.items()} == {u: r["state"] for u, r in reference.items()}
    assert rows[6]["attempts"] == 2 and rows[4]["attempts"] == 1
    assert report.total("resumed") == 1 and report.total("new") == 6
    assert checkpoint["last_uid"] == 12
