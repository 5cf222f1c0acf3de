"""Ingest and processing on a local Maildir: ledger, raw copies, checkpoints, crashes, duplicates."""

import stat
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from builders import FLUX, message, noise, write_maildir

from cpambot.cases.casebook import CaseBook
from cpambot.clock import FixedClock
from cpambot.mailbox.ingest import Syncer
from cpambot.mailbox.ledger import CHECKPOINTS, LEDGER
from cpambot.mailbox.maildir import MaildirMailbox
from cpambot.mailbox.senders import SenderPolicy
from cpambot.service.processing import Processor
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.reader import read_message

POLICY = SenderPolicy.build(approvers=["marie.exemple@example.org"])


def sync(data_dir, maildir, reader=read_message, process=True):
    with Store.open(data_dir) as store:
        box = MaildirMailbox(maildir, state_dir=data_dir)
        box.open()
        report = Syncer(store, RawStore(data_dir), POLICY).sync_account("demo", box, ("INBOX",))
        processed = None
        if process:
            processed = Processor(store, RawStore(data_dir), CaseBook(store), reader=reader,
                                  clock=FixedClock(datetime(2026, 11, 20, 9, tzinfo=UTC))).run()
        rows = {r["uid"]: r for r in store.values(LEDGER)}
        checkpoint = store.get(CHECKPOINTS, "demo|INBOX")
    return report, processed, rows, checkpoint


def test_first_sync_records_everything(tmp_path):
    """GIVEN a Maildir with caisse mail, an AMC mail, a phishing mail and noise
    WHEN ingested and processed THEN every message has a row; relevant ones are done with a raw copy."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [
        message(), noise(1), message(sender=FLUX, subject="IR100500/x"),
        message(sender="Viamedis <noreply@viamedis.fr>", subject="Avis de règlement"),
        message(sender="Assurance Maladie <ameli@secure-ameli-fr.com>", subject="Remboursement"),
        noise(2),
    ])
    report, processed, rows, checkpoint = sync(tmp_path / "data", maildir)
    assert report.ok and report.total("new") == 6 and report.total("relevant") == 4
    states = {uid: (r["category"], r["state"]) for uid, r in rows.items()}
    assert states == {1: ("caisse", "done"), 2: ("other", "ignored"), 3: ("caisse", "done"),
                      4: ("amc", "done"), 5: ("suspect", "ignored"), 6: ("other", "ignored")}
    assert rows[5]["reading"]["kind"] == "phishing" and "hameçonnage" in rows[5]["reason"]
    assert processed.done == 3 and processed.ignored == 1
    assert checkpoint["last_uid"] == 6
    raw = tmp_path / "data" / rows[1]["raw"]
    assert raw.read_bytes() == sorted((maildir / "cur").iterdir())[0].read_bytes()
    assert stat.S_IMODE(raw.stat().st_mode) == 0o600
    assert "raw" not in rows[2]  # unrelated mail: headers only, nothing kept


def test_ingest_alone_leaves_rows_seen(tmp_path):
    """GIVEN a caisse message WHEN only ingested THEN its row is 'seen' with its raw copy,
    and processing later makes it 'done' from the copy alone (the Maildir is gone)."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message()])
    _, _, rows, _ = sync(tmp_path / "data", maildir, process=False)
    assert rows[1]["state"] == "seen" and rows[1]["raw"]
    for path in (maildir / "cur").iterdir():
        path.unlink()
    with Store.open(tmp_path / "data") as store:
        Processor(store, RawStore(tmp_path / "data"), CaseBook(store)).run()
        assert store.get(LEDGER, rows[1]["_key"])["state"] == "done"


def test_second_sync_is_idempotent(tmp_path):
    """GIVEN a synced Maildir WHEN synced again, then after one new message
    THEN nothing is redone and only the new message is added."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(), noise(1)])
    sync(tmp_path / "data", maildir)
    report, processed, rows, _ = sync(tmp_path / "data", maildir)
    assert report.total("new") == 0 and processed.processed == 0 and len(rows) == 2
    write_maildir(maildir, [message(subject="Demande de pièces justificatives")], start=10)
    report, processed, rows, checkpoint = sync(tmp_path / "data", maildir)
    assert report.total("new") == 1 and processed.processed == 1
    assert len(rows) == 3 and checkpoint["last_uid"] == 3


def test_duplicate_message_is_not_processed_twice(tmp_path):
    """GIVEN the same caisse message twice (same bytes, two files)
    WHEN synced THEN the second is ignored as a duplicate of the first, without fetching it."""
    raw = message(msgid="<same@x>")
    maildir = tmp_path / "mail"
    write_maildir(maildir, [raw, raw])
    report, _, rows, _ = sync(tmp_path / "data", maildir)
    assert rows[1]["state"] == "done"
    assert rows[2]["state"] == "ignored" and "doublon" in rows[2]["reason"]
    assert rows[2]["duplicate_of"] == rows[1]["_key"] and "raw" not in rows[2]
    assert report.total("duplicates") == 1


def test_failing_message_is_recorded_and_left_alone(tmp_path):
    """GIVEN three caisse messages, the 2nd making the reader blow up
    WHEN processed THEN the 2nd is failed with a French reason, its file untouched, the others done."""
    maildir = tmp_path / "mail"
    paths = write_maildir(maildir, [message(), message(subject="BOOM"), message()])
    before = paths[1].read_bytes()

    def reader(raw, category, caisses, rules):
        if b"BOOM" in raw:
            raise ValueError("decoder bug")
        return read_message(raw, category, caisses, rules)

    _, processed, rows, _ = sync(tmp_path / "data", maildir, reader=reader)
    assert [rows[u]["state"] for u in (1, 2, 3)] == ["done", "failed", "done"]
    assert "erreur interne" in rows[2]["reason"] and rows[2]["raw"]
    assert processed.failed == 1
    assert paths[1].read_bytes() == before


def test_headerless_garbage_is_failed(tmp_path):
    """GIVEN a caisse message whose stored copy has no header at all (as if truncated to garbage)
    WHEN processed THEN its row is failed, in French, and nothing else is affected."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(), message()])
    _, _, rows, _ = sync(tmp_path / "data", maildir, process=False)
    (tmp_path / "data" / rows[2]["raw"]).write_bytes(b"\x00\xff garbage")
    _, processed, rows, _ = sync(tmp_path / "data", maildir)
    assert rows[1]["state"] == "done"
    assert rows[2]["state"] == "failed" and "illisible" in rows[2]["reason"]


def test_reading_that_keeps_crashing_is_given_up(tmp_path):
    """GIVEN a row left 'processing' by three crashed attempts WHEN processed THEN it is failed."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message()])
    _, _, rows, _ = sync(tmp_path / "data", maildir, process=False)
    with Store.open(tmp_path / "data") as store:
        row = store.get(LEDGER, rows[1]["_key"])
        store.put(LEDGER, row["_key"], {**row, "state": "processing", "attempts": 3})
    _, _, rows, _ = sync(tmp_path / "data", maildir)
    assert rows[1]["state"] == "failed" and "3 tentatives" in rows[1]["reason"]


CRASH = (
    "import os, signal, sys\n"
    "from pathlib import Path\n"
    "sys.path[:0] = [sys.argv[3], str(Path(sys.argv[3]).parent)]\n"
    "import cpambot.store.raw as rs\n"
    "orig = rs.RawStore.{method}\n"
    "calls = []\n"
    "def patched(self, *a):\n"
    "    out = orig(self, *a)\n"
    "    calls.append(1)\n"
    "    if len(calls) == 3: os.kill(os.getpid(), signal.SIGKILL)\n"
    "    return out\n"
    "rs.RawStore.{method} = patched\n"
    "from test_ingest_maildir import sync\n"
    "sync(Path(sys.argv[1]), Path(sys.argv[2]))\n"
)


def test_crash_during_ingest_resumes_exactly(tmp_path):
    """GIVEN an ingest killed (SIGKILL) right after the 3rd relevant message was saved
    WHEN run again THEN the ledger equals that of an uninterrupted run: nothing skipped, nothing twice."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(subject=f"Retour {i}") if i % 2 else noise(i) for i in range(12)])
    crashed = subprocess.run([sys.executable, "-c", CRASH.format(method="save"), str(tmp_path / "data"),
                              str(maildir), str(Path(__file__).parent)])
    assert crashed.returncode == -9
    with Store.open(tmp_path / "data", readonly=True) as store:
        partial = {r["uid"]: r["state"] for r in store.values(LEDGER)}
    # Killed while saving UID 6's copy: the relevant UIDs 2 and 4 are durable; the rows of
    # unrelated messages wait for the commit, are lost with the process, and are simply redone.
    assert partial == {2: "seen", 4: "seen"}
    report, processed, rows, checkpoint = sync(tmp_path / "data", maildir)
    _, _, reference, _ = sync(tmp_path / "ref", maildir)
    assert {u: r["state"] for u, r in rows.items()} == {u: r["state"] for u, r in reference.items()}
    assert report.total("new") == 10 and processed.done == 6
    assert checkpoint["last_uid"] == 12


def test_crash_during_processing_resumes_exactly(tmp_path):
    """GIVEN processing killed (SIGKILL) while reading the 3rd relevant message
    WHEN run again THEN that message is read again (2nd attempt) and the result equals a clean run."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message(subject=f"Retour {i}") if i % 2 else noise(i) for i in range(12)])
    crashed = subprocess.run([sys.executable, "-c", CRASH.format(method="load"), str(tmp_path / "data"),
                              str(maildir), str(Path(__file__).parent)])
    assert crashed.returncode == -9
    with Store.open(tmp_path / "data", readonly=True) as store:
        partial = {r["uid"]: r["state"] for r in store.values(LEDGER)}
    assert partial[6] == "processing" and partial[8] == "seen"
    _, processed, rows, _ = sync(tmp_path / "data", maildir)
    _, _, reference, _ = sync(tmp_path / "ref", maildir)
    assert {u: r["state"] for u, r in rows.items()} == {u: r["state"] for u, r in reference.items()}
    assert rows[6]["attempts"] == 2 and rows[4]["attempts"] == 1 and processed.processed == 4


def test_reading_summary_is_kept(tmp_path):
    """GIVEN a processed message WHEN its row is read THEN it says what the bot understood."""
    maildir = tmp_path / "mail"
    write_maildir(maildir, [message()])
    _, _, rows, _ = sync(tmp_path / "data", maildir)
    assert set(rows[1]["reading"]) >= {"kind", "caisse", "facts", "cases", "needs_review"}


def test_ledger_times_and_the_day_come_from_the_clock(tmp_path):
    """GIVEN a clock stopped late in the evening (UTC) and a professional in La Réunion (UTC+4)
    WHEN a message is ingested, then read THEN the row's times are the clock's instants and the
    day the cases count from is already the next day, hers."""
    from zoneinfo import ZoneInfo

    from cpambot.instants import iso

    maildir = tmp_path / "mail"
    write_maildir(maildir, [message()])
    clock = FixedClock(datetime(2026, 3, 1, 21, 30, tzinfo=UTC))
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        box = MaildirMailbox(maildir, state_dir=data_dir)
        box.open()
        Syncer(store, RawStore(data_dir), POLICY, clock=clock).sync_account("demo", box, ("INBOX",))
        ingested = clock.now()
        clock.advance(minutes=5)
        processor = Processor(store, RawStore(data_dir), CaseBook(store), clock=clock,
                              tz=ZoneInfo("Indian/Reunion"))
        assert processor.today() == date(2026, 3, 2)
        processor.run()
        (row,) = store.values(LEDGER)
    assert row["first_seen"] == iso(ingested) == "2026-03-01T21:30:00+00:00"
    assert row["updated"] == iso(clock.now()) == "2026-03-01T21:35:00+00:00"
    assert row["state"] == "done"


def test_caisse_message_behind_a_huge_header_block_is_recognised(tmp_path):
    """GIVEN a caisse message whose header block holds 300 KB of relay headers before its From
    WHEN synced from a Maildir THEN it is recognised as the caisse's (as an IMAP server, which
    returns the selected fields whatever the block's size, would have it)."""
    raw = message()
    relays = b"".join(b"X-Relay-%d: " % i + b"a" * 990 + b"\n" for i in range(310))
    write_maildir(tmp_path / "mail", [relays + raw])
    _, _, rows, _ = sync(tmp_path / "data", tmp_path / "mail", process=False)
    assert [r["category"] for r in rows.values()] == ["caisse"]


def test_ledger_keeps_header_fields_bounded(tmp_path):
    """GIVEN a caisse message with a 5 MB Subject WHEN synced and read THEN its ledger row keeps
    at most about a thousand characters of it, and the store stays far below the message size."""
    raw = (b"From: CPAM <relation-ps@assurance-maladie.fr>\nTo: marie.exemple@example.org\n"
           b"Subject: Retour lots " + b"x" * 5_000_000 + b"\nDate: Mon, 12 Oct 2026 10:00:00 +0200\n"
           b"Message-ID: <big@example>\n\nBonjour\n")
    write_maildir(tmp_path / "mail", [raw])
    _, _, rows, _ = sync(tmp_path / "data", tmp_path / "mail")
    (row,) = rows.values()
    assert len(row["subject"]) <= 998
    stored = sum(p.stat().st_size for p in (tmp_path / "data" / "store").rglob("*") if p.is_file())
    assert 0 < stored < 200_000


def test_a_forwarded_caisse_message_counts_from_its_original_date(tmp_path):
    """GIVEN the approver forwarding on 20/11 a caisse's acknowledgment of a réclamation sent on
    03/11 (Outlook FR header block) WHEN synced and read THEN its case is dated 03/11: the delays
    (conciliateur after three weeks…) run from the caisse's message, not from the forward."""
    original = ("________________________________\n"
                "De : CPAM de la Gironde <reclamations@assurance-maladie.fr>\n"
                "Envoyé : mardi 3 novembre 2026 10:12\nÀ : Marie Exemple\nObjet : Votre réclamation\n\n"
                "Madame,\nNous accusons réception de votre réclamation concernant la facture n° 000412105 "
                "(lot 305). Elle est enregistrée sous la référence REC-331-2026-0042.\n")
    raw = message(sender="Marie Exemple <marie.exemple@example.org>", subject="TR: Votre réclamation",
                  body="Pour suivi.\n\n" + original, date=datetime(2026, 11, 20, 9, tzinfo=UTC))
    write_maildir(tmp_path / "mail", [raw])
    _, _, rows, _ = sync(tmp_path / "data", tmp_path / "mail")
    (row,) = rows.values()
    assert row["category"] == "approver" and row["reading"]["kind"] == "reponse_reclamation"
    with Store.open(tmp_path / "data", readonly=True) as store:
        (case,) = list(CaseBook(store).all())
    assert [(h.date, h.received) for h in case.history] == [(date(2026, 11, 3), date(2026, 11, 3))]


def test_a_long_first_sync_says_where_it_is(tmp_path, caplog, monkeypatch):
    """GIVEN a folder of 25 messages and progress told every 10 WHEN synced for the first time THEN the
    journal says how far it got, with the share done, until the last message; a short sync says nothing."""
    import cpambot.mailbox.ingest as ingest

    monkeypatch.setattr(ingest, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(ingest, "BATCH_SIZE", 5)
    maildir = tmp_path / "mail"
    write_maildir(maildir, [noise(n) for n in range(25)])
    sync(tmp_path / "data", maildir, process=False)
    lines = [r.getMessage() for r in caplog.records if "messages lus sur" in r.getMessage()]
    assert lines == ["compte demo, dossier INBOX : 10 messages lus sur 25 (40 %)",
                     "compte demo, dossier INBOX : 20 messages lus sur 25 (80 %)",
                     "compte demo, dossier INBOX : 25 messages lus sur 25 (100 %)"]
    write_maildir(maildir, [noise(n) for n in range(25, 28)])
    caplog.clear()
    sync(tmp_path / "data", maildir, process=False)
    assert not [r for r in caplog.records if "messages lus sur" in r.getMessage()]
