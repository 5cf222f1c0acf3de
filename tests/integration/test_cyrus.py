"""cpambot's IMAP paths against a second server, a real Cyrus IMAP (``tests/cyrus.py``), in the
classic Cyrus layout: personal folders under ``INBOX.``, ``.`` as separator, Sent is ``INBOX.Sent``.

This module's ``imap_user`` fixture overrides the suite's Dovecot user (tests/conftest.py), so the
suite's ``bot_config`` writes a configuration that points at the Cyrus account.
"""

from __future__ import annotations

import email
import email.policy
import secrets
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from builders import CAISSE, FLUX, message, noise
from cyrus import CyrusServer, CyrusUser, cyrus_missing
from fetchcheck import check_fast_fetch, tricky_messages

from cpambot.cli.main import main
from cpambot.clock import FixedClock
from cpambot.config.model import SmtpSettings
from cpambot.errors import AuthenticationError
from cpambot.letters.model import Letter
from cpambot.mailbox.idle import IdleWatcher
from cpambot.mailbox.imap import ImapMailbox
from cpambot.mailbox.ingest import Syncer
from cpambot.mailbox.ledger import CHECKPOINTS, LEDGER
from cpambot.randomness import SystemRandom
from cpambot.sending.mime import build_mime, make_message_id
from cpambot.sending.outbox import Outbox
from cpambot.sending.sent_folder import SentFolder, sent_folder_for
from cpambot.service.bootstrap import build_policy
from cpambot.service.poll import poll_once
from cpambot.store.database import Store
from cpambot.store.raw import RawStore

SENDER = "marie.exemple@example.org"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def cyrus() -> Iterator[CyrusServer]:
    """One Cyrus IMAP server for the session; skipped where Cyrus is not installed."""
    reason = cyrus_missing()
    if reason:
        pytest.skip(reason)
    with CyrusServer() as server:
        yield server


@pytest.fixture
def imap_user(request, cyrus: CyrusServer) -> CyrusUser:
    """A fresh Cyrus user (INBOX, and INBOX.Sent marked \\Sent); overrides the Dovecot one. Another
    Sent folder name can be given by indirect parametrization."""
    sent_folder = getattr(request, "param", "INBOX.Sent")
    return cyrus.add_user(f"user-{secrets.token_hex(6)}", secrets.token_urlsafe(12), sent_folder)


def run_poll(config):
    with Store.open(config.data_dir) as store:
        report = poll_once(config, store)
        rows = {(r["folder"], r["uidvalidity"], r["uid"]): r for r in store.values(LEDGER)}
    return report, rows


def sending_section(smtp) -> str:
    return (f'\n[envoi]\nhote = "{smtp.host}"\nport = {smtp.port}\nsecurite = "aucune"\n'
            f'expediteur = "{SENDER}"\n')


def message_ids(imap_user: CyrusUser, folder: str) -> list[str | None]:
    return [email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
            for raw in imap_user.fetch_raw(folder).values()]


# --------------------------------------------------------------------------- the server itself


def test_the_cyrus_server_has_the_classic_layout(imap_user):
    """GIVEN the test Cyrus WHEN a user is added THEN it sees INBOX and INBOX.Sent marked \\Sent, with
    « . » as separator, and the first message appended to its INBOX gets UID 1."""
    assert imap_user.folder_names() == {"INBOX": (b"\\HasChildren",),
                                        "INBOX.Sent": (b"\\HasNoChildren", b"\\Sent")}
    with imap_user.client() as imap:
        assert imap.namespace().personal == (("INBOX.", "."),)
        assert b"Cyrus" in imap.welcome
    assert imap_user.append("INBOX", message()) == 1


# --------------------------------------------------------------------------- sync


def test_sync_of_inbox_is_read_only_and_idempotent(imap_user, bot_config):
    """GIVEN a Cyrus INBOX with caisse mail and noise WHEN polled THEN every message is recorded once,
    the relevant ones kept byte for byte as Cyrus serves them; WHEN polled again THEN nothing new, and
    no flag changed on the server (EXAMINE + BODY.PEEK: no \\Seen, \\Recent not claimed)."""
    imap_user.multiappend("INBOX", [message(), noise(1), message(sender=FLUX, subject="IR/x"), noise(2)])
    flags_before = imap_user.fetch_flags("INBOX")
    config = bot_config()
    report, rows = run_poll(config)
    assert report.ok, report.errors
    assert report.sync.total("new") == 4 and report.sync.total("relevant") == 2
    assert sorted(r["uid"] for r in rows.values()) == [1, 2, 3, 4]
    assert sorted(r["state"] for r in rows.values()) == ["done", "done", "ignored", "ignored"]
    server_raw = imap_user.fetch_raw("INBOX")
    for row in rows.values():
        if row.get("raw"):
            assert (config.data_dir / row["raw"]).read_bytes() == server_raw[row["uid"]]
    report2, rows2 = run_poll(config)
    assert report2.ok and report2.sync.total("new") == 0 and rows2 == rows
    assert imap_user.fetch_flags("INBOX") == flags_before
    assert all(b"\\Seen" not in f for f in flags_before.values())


def test_syncer_on_a_subfolder_then_new_mail(imap_user, bot_config):
    """GIVEN the Syncer on « INBOX.Caisse » (a Cyrus sub-folder) WHEN it syncs, a message arrives, and
    it syncs again THEN the first pass records both messages, the second only the new one, and the
    checkpoint holds the folder's last UID."""
    imap_user.create_folder("INBOX.Caisse")
    imap_user.multiappend("INBOX.Caisse", [message(subject="Retour A"), noise(3)])
    config = bot_config(folders=("INBOX.Caisse",))
    with Store.open(config.data_dir) as store:
        syncer = Syncer(store, RawStore(config.data_dir), build_policy(config))
        with ImapMailbox(config.accounts[0]) as box:
            first = syncer.sync_account("principal", box, ("INBOX.Caisse",))
        uid = imap_user.append("INBOX.Caisse", message(subject="Retour B"))
        with ImapMailbox(config.accounts[0]) as box:
            second = syncer.sync_account("principal", box, ("INBOX.Caisse",))
        assert not first.errors and first.total("new") == 2 and first.total("relevant") == 1
        assert not second.errors and second.total("new") == 1 and second.total("relevant") == 1
        assert store.get(CHECKPOINTS, "principal|INBOX.Caisse")["last_uid"] == uid == 3
        assert sorted(r["subject"] for r in store.values(LEDGER)) == ["Nouvelles 3", "Retour A",
                                                                      "Retour B"]


def test_tls_and_starttls(imap_user, bot_config):
    """GIVEN Cyrus with a self-signed certificate WHEN the account uses implicit TLS or STARTTLS with
    certificat_ca THEN the poll succeeds."""
    imap_user.append("INBOX", message())
    for security in ("tls", "starttls"):
        report, rows = run_poll(bot_config(security=security))
        assert report.ok, report.errors
    assert len(rows) == 1


def test_wrong_password_is_a_clear_error(imap_user, bot_config):
    """GIVEN a wrong password for a Cyrus account WHEN the mailbox is opened THEN the French
    authentication error, not a generic failure."""
    config = bot_config(password="wrong")
    with pytest.raises(AuthenticationError, match="mot de passe refusé"):
        ImapMailbox(config.accounts[0]).open()


def test_uidvalidity_change_resyncs_without_duplicates(imap_user, bot_config):
    """GIVEN a synced Cyrus folder that is deleted and created again (new UIDVALIDITY) with the same
    messages and a new one WHEN polled THEN every message is re-seen, none is processed again, and the
    new one is."""
    msgs = [message(subject=f"Retour {i}") for i in range(3)] + [noise(9)]
    imap_user.create_folder("INBOX.Caisse")
    imap_user.multiappend("INBOX.Caisse", msgs)
    config = bot_config(folders=("INBOX.Caisse",))
    first, _ = run_poll(config)
    assert first.ok and first.processing.done == 3
    old = imap_user.folder_uidvalidity("INBOX.Caisse")
    imap_user.delete_folder("INBOX.Caisse")
    imap_user.create_folder("INBOX.Caisse")
    imap_user.multiappend("INBOX.Caisse", msgs + [message(subject="Nouveau retour")])
    assert imap_user.folder_uidvalidity("INBOX.Caisse") != old
    report, rows = run_poll(config)
    folder = report.sync.folders[0]
    assert folder.uidvalidity_changed and folder.duplicates == 4 and folder.relevant == 1
    assert report.processing.done == 1
    done = [r for r in rows.values() if r["state"] == "done"]
    assert len(done) == 4  # 3 from the first pass + the new one, nothing twice


# --------------------------------------------------------------------------- IDLE


def test_idle_watcher_wakes_on_a_new_message(imap_user, bot_config):
    """GIVEN an IdleWatcher on a Cyrus INBOX, in IDLE WHEN nothing arrives THEN its callback is not
    called; WHEN a message is appended THEN it is called within 5 s; WHEN stopped THEN the thread ends."""
    config = bot_config()
    woken = threading.Event()
    stop = threading.Event()
    watcher = IdleWatcher(config.accounts[0], woken.set, stop)
    watcher.start()
    try:
        time.sleep(1.5)  # (connected, INBOX examined, IDLE sent)
        assert watcher.is_alive() and not watcher.unsupported and not woken.is_set()
        imap_user.append("INBOX", message(subject="Pendant la veille"))
        assert woken.wait(5), "IDLE did not report the new message within 5 s"
    finally:
        stop.set()
        watcher.join(timeout=15)
    assert not watcher.is_alive()


# --------------------------------------------------------------------------- the Sent folder


def test_check_connect_on_cyrus_sent_folder(imap_user, bot_config, smtp_server_factory, capsys):
    """GIVEN sending configured with « dossier_envoyes = "Sent" », which Cyrus does not have WHEN
    `cpambot check --connect` THEN the folder is reported missing and the check fails; GIVEN the key
    left out THEN INBOX.Sent is found (SPECIAL-USE) and named, the capabilities are reported, exit 0."""
    sending = sending_section(smtp_server_factory())
    config = bot_config(extra='dossier_envoyes = "Sent"\n' + sending)
    assert main(["-c", str(config.path), "check", "--connect"]) == 1
    out = capsys.readouterr().out
    assert "✘ dossier « Envoyés »" in out and "« Sent »" in out
    config = bot_config(extra=sending)
    assert main(["-c", str(config.path), "check", "--connect"]) == 0
    out = capsys.readouterr().out
    assert "✔ dossier « Envoyés » : « INBOX.Sent »" in out
    assert "connexion réussie" in out and "IDLE oui" in out and "UIDPLUS oui" in out


def test_check_connect_names_a_folder_missing_on_cyrus(imap_user, bot_config, capsys):
    """GIVEN « dossiers = ["INBOX", "Caisse"] » on Cyrus, where the folder is « INBOX.Caisse » WHEN
    `cpambot check --connect` THEN « Caisse » is reported missing, exit 1; GIVEN « INBOX.Caisse »
    THEN the check passes."""
    imap_user.create_folder("INBOX.Caisse")
    config = bot_config(folders=("INBOX", "Caisse"))
    assert main(["-c", str(config.path), "check", "--connect"]) == 1
    assert "dossier introuvable : Caisse" in capsys.readouterr().out
    config = bot_config(folders=("INBOX", "INBOX.Caisse"))
    assert main(["-c", str(config.path), "check", "--connect"]) == 0
    assert "introuvable" not in capsys.readouterr().out


@pytest.mark.parametrize("imap_user", ["INBOX.Envoyés"], indirect=True)
def test_sent_folder_found_by_special_use_only(imap_user, bot_config):
    """GIVEN a Cyrus account whose Sent folder is « INBOX.Envoyés » (marked \\Sent, a name no guess
    finds) WHEN SentFolder is used without « dossier_envoyes » THEN that folder is chosen, a copy
    appended there is \\Seen, and find sees it by its Message-ID."""
    assert "INBOX.Sent" not in imap_user.folder_names()
    raw = build_mime(letter(), sender=SENDER, message_id="<x.1@example.org>", date=T0)
    with SentFolder(bot_config().accounts[0]) as sent:
        assert sent.folder == "INBOX.Envoyés" and not sent.find("<x.1@example.org>")
        sent.append(raw)
        assert sent.find("<x.1@example.org>") and not sent.find("<x.2@example.org>")
    assert message_ids(imap_user, "INBOX.Envoyés") == ["<x.1@example.org>"]
    assert all(b"\\Seen" in flags for flags in imap_user.fetch_flags("INBOX.Envoyés").values())


def letter() -> Letter:
    return Letter(kind="reclamation", to=(f"Service des réclamations <{CAISSE}>",),
                  subject="Réclamation : facture n° 2026-014 impayée",
                  body="Madame, Monsieur,\n\nLa facture n° 2026-014 reste impayée.\n\nMarie Exemple\n")


def enqueue(outbox: Outbox) -> str:
    message_id = make_message_id("example.org", "reclamation", SystemRandom())
    outbox.enqueue(letter(), sender=f"Marie Exemple <{SENDER}>", message_id=message_id,
                   purpose="reclamation", case_key="C12", draft_key="D-reclamation")
    return message_id


def test_sent_letter_copy_lands_in_cyrus_sent(tmp_path, imap_user, bot_config, smtp_server):
    """GIVEN an approved letter in the outbox and a Cyrus account without « dossier_envoyes » WHEN
    delivered THEN it is sent once and its \\Seen copy, byte for byte, is in INBOX.Sent."""
    settings = SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="aucune",
                            sender=SENDER, timeout=10)
    account = bot_config().accounts[0]
    with Store.open(tmp_path / "outbox") as store:
        outbox = Outbox(store, settings, sent_folder_for(account), clock=FixedClock(T0))
        mid = enqueue(outbox)
        report = outbox.deliver(T0)
        assert report.ok and report.sent == [mid] and report.copies == [mid]
        doc = outbox.get(mid)
        assert doc.state == "sent" and doc.sent_copy is True
        raw = Outbox.raw(doc)
    assert len(smtp_server.messages) == 1
    assert message_ids(imap_user, "INBOX.Sent") == [mid]
    assert all(b"\\Seen" in flags for flags in imap_user.fetch_flags("INBOX.Sent").values())
    (stored,) = imap_user.fetch_raw("INBOX.Sent").values()
    assert stored.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def test_uncertain_send_is_resolved_from_cyrus_sent(tmp_path, imap_user, bot_config,
                                                    smtp_server_factory):
    """GIVEN a send cut after DATA (uncertain) WHEN nothing is in INBOX.Sent THEN it stays uncertain;
    WHEN the provider filed the message in INBOX.Sent THEN resolving finds it there (SEARCH HEADER
    Message-ID on Cyrus) and marks it sent, without sending it again."""
    capture = smtp_server_factory(fail_mode="drop_after_data")
    settings = SmtpSettings(host=capture.host, port=capture.port, security="aucune", sender=SENDER,
                            timeout=10)
    account = bot_config().accounts[0]
    with Store.open(tmp_path / "outbox") as store:
        outbox = Outbox(store, settings, sent_folder_for(account), clock=FixedClock(T0))
        mid = enqueue(outbox)
        assert outbox.deliver(T0).uncertain == [mid]
        capture.fail_mode = None
        resolved = outbox.resolve_uncertain(T0 + timedelta(hours=1))
        assert [d.message_id for d in resolved.uncertain] == [mid] and resolved.found == []
        imap_user.append("INBOX.Sent", capture.messages[0].content, flags=[b"\\Seen"])
        resolved = outbox.resolve_uncertain(T0 + timedelta(hours=2))
        assert resolved.found == [mid] and outbox.get(mid).state == "sent"
    assert len(capture.messages) == 1 and message_ids(imap_user, "INBOX.Sent") == [mid]


def test_bulk_fetch_answers_are_read_fast_and_right(imap_user, bot_config):
    """GIVEN Cyrus holding messages whose headers look like IMAP syntax, hold none of the fetched
    fields, or are 8-bit WHEN their headers and bodies are fetched THEN Cyrus's answers take the fast
    path, and the mailbox gives exactly what imapclient's own fetch gives."""
    imap_user.multiappend("INBOX", tricky_messages())
    check_fast_fetch(imap_user, bot_config().accounts[0], "INBOX")
