"""Mailbox reading against a real Dovecot: idempotence, crashes, UIDVALIDITY, odd messages."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from builders import CAISSE, FLUX, message, noise
from fetchcheck import check_fast_fetch, tricky_messages

from cpambot.cli.main import main
from cpambot.errors import AuthenticationError
from cpambot.mailbox.imap import ImapMailbox
from cpambot.mailbox.ledger import CHECKPOINTS, LEDGER
from cpambot.service.poll import poll_once
from cpambot.store.database import Store
from cpambot.understanding.message import parse_message

HERE = Path(__file__).parent


def run_poll(config):
    with Store.open(config.data_dir) as store:
        report = poll_once(config, store)
        rows = {(r["folder"], r["uidvalidity"], r["uid"]): r for r in store.values(LEDGER)}
    return report, rows


def test_sync_is_read_only_and_idempotent(imap_user, bot_config):
    """GIVEN an INBOX with caisse mail and noise WHEN polled twice
    THEN the 2nd poll adds nothing, and no flag was changed on the server."""
    imap_user.multiappend("INBOX", [message(), noise(1), message(sender=FLUX, subject="IR/x"), noise(2)])
    flags_before = imap_user.fetch_flags("INBOX")
    config = bot_config()
    report, rows = run_poll(config)
    assert report.ok and report.sync.total("new") == 4 and report.sync.total("relevant") == 2
    assert sorted(r["state"] for r in rows.values()) == ["done", "done", "ignored", "ignored"]
    report2, rows2 = run_poll(config)
    assert report2.sync.total("new") == 0 and rows2 == rows
    assert imap_user.fetch_flags("INBOX") == flags_before
    assert all(b"\\Seen" not in f for f in imap_user.fetch_flags("INBOX").values())


def test_tls_and_starttls(imap_user, bot_config):
    """GIVEN Dovecot with a self-signed certificate WHEN the account uses implicit TLS or STARTTLS
    with certificat_ca THEN the poll succeeds."""
    imap_user.append("INBOX", message())
    for security in ("tls", "starttls"):
        report, rows = run_poll(bot_config(security=security))
        assert report.ok, report.errors
    assert len(rows) == 1


def test_wrong_password_is_a_clear_error(imap_user, bot_config, capsys):
    """GIVEN a wrong password WHEN polling THEN a French error, exit code 1, nothing recorded."""
    config = bot_config(password="wrong")
    with pytest.raises(AuthenticationError, match="mot de passe refusé"):
        ImapMailbox(config.accounts[0]).open()
    code = main(["-c", str(config.path), "poll", "--once"])
    out = capsys.readouterr().out
    assert code == 1 and "mot de passe refusé" in out


def test_unreachable_server(imap_user, bot_config, capsys):
    """GIVEN a port where nothing listens WHEN polling THEN exit code 1 with a French message."""
    from servers import free_port

    config = bot_config(port=free_port())
    assert main(["-c", str(config.path), "poll", "--once"]) == 1
    assert "connexion refusée" in capsys.readouterr().out


def test_crash_between_two_messages(imap_user, bot_config):
    """GIVEN a poll killed (SIGKILL) in the middle of the relevant messages
    WHEN polled again THEN the ledger equals the one of an uninterrupted run."""
    imap_user.multiappend("INBOX", [message(subject=f"Retour {i}") if i % 3 else noise(i)
                                    for i in range(15)])
    config = bot_config()
    code = (
        "import os, signal, sys\n"
        "import cpambot.store.raw as rs\n"
        "orig = rs.RawStore.save\n"
        "n = []\n"
        "def save(self, raw):\n"
        "    out = orig(self, raw); n.append(1)\n"
        "    if len(n) == 4: os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return out\n"
        "rs.RawStore.save = save\n"
        "from cpambot.cli.main import main\n"
        "main(['-c', sys.argv[1], 'poll', '--once'])\n"
    )
    crashed = subprocess.run([sys.executable, "-c", code, str(config.path)], cwd=HERE.parent)
    assert crashed.returncode == -9
    report, rows = run_poll(config)
    # The relevant UIDs 2, 3 and 5 were durable before the kill; unrelated rows are redone.
    assert report.ok and report.sync.total("new") == 12 and report.sync.total("relevant") == 7
    states = {k[2]: r["state"] for k, r in rows.items()}
    assert len(states) == 15 and set(states.values()) == {"done", "ignored"}
    assert sum(1 for r in rows.values() if r["state"] == "done") == 10
    with Store.open(config.data_dir, readonly=True) as store:
        assert store.get(CHECKPOINTS, "principal|INBOX")["last_uid"] == 15


def test_uidvalidity_change_resyncs_without_duplicates(imap_user, bot_config):
    """GIVEN a synced folder that the server renumbers (deleted and recreated, new UIDVALIDITY)
    WHEN polled THEN every message is re-seen, none is processed again, and new ones are."""
    msgs = [message(subject=f"Retour {i}") for i in range(3)] + [noise(9)]
    imap_user.multiappend("Caisse", msgs)
    config = bot_config(folders=("Caisse",))
    first, _ = run_poll(config)
    assert first.processing.done == 3
    old = imap_user.folder_uidvalidity("Caisse")
    imap_user.delete_folder("Caisse")
    imap_user.multiappend("Caisse", msgs + [message(subject="Nouveau retour")])
    assert imap_user.folder_uidvalidity("Caisse") != old
    report, rows = run_poll(config)
    folder = report.sync.folders[0]
    assert folder.uidvalidity_changed and folder.duplicates == 4 and folder.relevant == 1
    assert report.processing.done == 1
    done = [r for r in rows.values() if r["state"] == "done"]
    assert len(done) == 4  # 3 from the first pass + the new one, nothing twice


class AppendingMailbox(ImapMailbox):
    """The real IMAP mailbox; a second connection appends a message during the first body fetch."""

    def __init__(self, account, imap_user):
        super().__init__(account)
        self.imap_user = imap_user
        self.appended = []

    def fetch_messages(self, uids):
        if not self.appended:
            self.appended.append(self.imap_user.append("INBOX", message(subject="Arrivé pendant")))
        return super().fetch_messages(uids)


def test_message_appended_during_sync_is_not_lost(imap_user, bot_config):
    """GIVEN a message arriving while a sync is fetching bodies WHEN the next poll runs
    THEN it is picked up: nothing is skipped."""
    imap_user.multiappend("INBOX", [message(subject="A"), message(subject="B")])
    config = bot_config()
    from cpambot.mailbox.ingest import Syncer
    from cpambot.service.bootstrap import build_policy
    from cpambot.store.raw import RawStore

    with Store.open(config.data_dir) as store:
        box = AppendingMailbox(config.accounts[0], imap_user)
        box.open()
        first = Syncer(store, RawStore(config.data_dir), build_policy(config)).sync_account(
            "principal", box, ("INBOX",))
        box.close()
    assert first.total("new") == 2 and box.appended
    report, rows = run_poll(config)
    assert report.sync.total("new") == 1
    assert sorted(r["subject"] for r in rows.values()) == ["A", "Arrivé pendant", "B"]
    assert all(r["state"] == "done" for r in rows.values())


def odd_messages() -> dict[str, bytes]:
    latin1 = (f"From: {CAISSE}\r\nTo: marie.exemple@example.org\r\n"
              "Subject: =?iso-8859-1?q?R=E9clamation?=\r\n"
              "Message-ID: <latin1@x>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
              "Content-Transfer-Encoding: 8bit\r\n\r\n").encode()
    latin1 += "Réponse à votre réclamation : payée.\r\n".encode("latin-1")
    eightbit_header = (f"From: Caisse Générale <{CAISSE}>\r\nSubject: Décision de la CRA\r\n"
                       "Message-ID: <8bit@x>\r\n\r\ncorps\r\n").encode()
    qp = message(subject="Quoted", body="Montant réclamé : 3 412,60 € " * 20, charset="utf-8")
    html_only = (f"From: {CAISSE}\r\nSubject: HTML\r\nMessage-ID: <html@x>\r\n"
                 "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Lot <b>042</b></p>\r\n").encode()
    heavy = message(subject="Pièces", attachments=[(f"piece{i}.pdf", "application/pdf", b"%PDF-1.4 " * 3000)
                                                   for i in range(12)])
    no_msgid = message(subject="Sans identifiant", msgid=None)
    return {"latin1": latin1, "8bit": eightbit_header, "qp": qp, "html": html_only,
            "heavy": heavy, "no_msgid": no_msgid}


def test_odd_messages_are_read(imap_user, bot_config):
    """GIVEN latin-1, 8-bit header, quoted-printable, HTML-only, attachment-heavy and
    Message-ID-less caisse messages WHEN polled THEN all are done, raw copies byte-identical."""
    odd = odd_messages()
    imap_user.multiappend("INBOX", list(odd.values()))
    config = bot_config()
    report, rows = run_poll(config)
    assert report.ok
    by_subject = {r["subject"]: r for r in rows.values()}
    assert set(by_subject) == {"Réclamation", "Décision de la CRA", "Quoted", "HTML", "Pièces",
                               "Sans identifiant"}
    assert all(r["state"] == "done" for r in rows.values()), [r["reason"] for r in rows.values()]
    assert by_subject["Sans identifiant"].get("message_id") is None
    def parsed(subject):
        return parse_message((config.data_dir / by_subject[subject]["raw"]).read_bytes())

    assert len(parsed("Pièces").attachments) == 12
    assert "Réponse à votre réclamation : payée." in parsed("Réclamation").text
    assert "Lot 042" in parsed("HTML").text
    assert parsed("Décision de la CRA").from_name == "Caisse Générale"
    server_raw = imap_user.fetch_raw("INBOX")
    for row in rows.values():
        assert (config.data_dir / row["raw"]).read_bytes() == server_raw[row["uid"]]
    again, _ = run_poll(config)
    assert again.sync.total("new") == 0


def test_25_mb_message(imap_user, bot_config):
    """GIVEN a 25 MB caisse message WHEN polled THEN it is stored whole and done."""
    big = message(subject="Gros envoi", attachments=[("scan.pdf", "application/pdf", b"\x00" * 19_000_000)])
    assert len(big) > 25_000_000
    imap_user.append("INBOX", big)
    config = bot_config()
    report, rows = run_poll(config)
    (row,) = rows.values()
    assert row["state"] == "done" and row["size"] > 25_000_000
    crlf = big.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # as the IMAP server serves it
    assert (config.data_dir / row["raw"]).read_bytes() == crlf


def test_check_connect_reports_capabilities(imap_user, bot_config, capsys):
    """GIVEN a reachable account WHEN `cpambot check --connect` THEN IDLE/MOVE/UIDPLUS/CONDSTORE
    are reported and nothing is touched."""
    imap_user.append("INBOX", message())
    flags = imap_user.fetch_flags("INBOX")
    config = bot_config()
    assert main(["-c", str(config.path), "check", "--connect"]) == 0
    out = capsys.readouterr().out
    assert "connexion réussie" in out and "IDLE oui" in out and "CONDSTORE oui" in out
    assert imap_user.fetch_flags("INBOX") == flags
    assert not (config.data_dir / "store").exists()


def test_check_connect_missing_folder(imap_user, bot_config, capsys):
    """GIVEN a configured folder that does not exist WHEN checked THEN it is reported, exit 1."""
    config = bot_config(folders=("INBOX", "Inexistant"))
    assert main(["-c", str(config.path), "check", "--connect"]) == 1
    assert "Inexistant" in capsys.readouterr().out


def test_check_connect_verifies_the_sent_folder(imap_user, bot_config, smtp_server_factory, capsys):
    """GIVEN sending configured and « dossier_envoyes » left out WHEN `cpambot check --connect` THEN the
    folder the server marks as Sent is found and named; GIVEN a « dossier_envoyes » that does not exist
    (« INBOX.Sent », a Cyrus habit) THEN it is reported and the check fails."""
    smtp = smtp_server_factory()
    sending = (f'\n[envoi]\nhote = "{smtp.host}"\nport = {smtp.port}\nsecurite = "aucune"\n'
               f'expediteur = "{imap_user.username}"\n')
    config = bot_config(extra=sending)
    assert main(["-c", str(config.path), "check", "--connect"]) == 0
    assert "✔ dossier « Envoyés » : « Sent »" in capsys.readouterr().out
    config = bot_config(extra='dossier_envoyes = "INBOX.Sent"\n' + sending)
    assert main(["-c", str(config.path), "check", "--connect"]) == 1
    out = capsys.readouterr().out
    assert "✘ dossier « Envoyés »" in out and "INBOX.Sent" in out


def test_bulk_fetch_answers_are_read_fast_and_right(imap_user, bot_config):
    """GIVEN Dovecot holding messages whose headers look like IMAP syntax, hold none of the fetched
    fields, or are 8-bit WHEN their headers and bodies are fetched THEN Dovecot's answers take the fast
    path, and the mailbox gives exactly what imapclient's own fetch gives."""
    imap_user.multiappend("INBOX", tricky_messages())
    check_fast_fetch(imap_user, bot_config().accounts[0], "INBOX")


def test_protocol_tracing_only_when_its_logger_records_it(imap_user, bot_config, caplog):
    """GIVEN the « imapclient.imaplib » logger not recording debug messages WHEN a mailbox is opened
    THEN imaplib's tracing is off (it formatted every literal read, whole bodies included, for nobody);
    GIVEN that logger at DEBUG THEN the tracing stays on and the protocol lines reach it."""
    imap_user.append("INBOX", message())
    account = bot_config().accounts[0]
    with ImapMailbox(account) as box:
        assert box.client._imap.debug == 0
    with caplog.at_level(logging.DEBUG, logger="imapclient.imaplib"):
        with ImapMailbox(account) as box:
            box.select("INBOX")
            assert box.fetch_messages([1])
            assert box.client._imap.debug == 5
    assert any("FETCH" in r.getMessage() for r in caplog.records if r.name == "imapclient.imaplib")


def test_a_refused_login_is_explained_in_the_providers_terms(imap_user, bot_config, capsys):
    """GIVEN an account said to be at Gmail (its servers written by hand: the test's Dovecot) with a wrong
    password WHEN `cpambot check --connect` runs THEN the refusal says what Gmail asks: an app password
    after 2-step verification, with Google's help page."""
    config = bot_config(password="wrong")
    text = config.path.read_text().replace("[[comptes]]\n", '[[comptes]]\nfournisseur = "gmail"\n', 1)
    config.path.write_text(text)
    assert main(["-c", str(config.path), "check", "--connect"]) != 0
    out = capsys.readouterr()
    said = out.out + out.err
    assert "mot de passe refusé" in said and "Gmail refuse le mot de passe habituel" in said
    assert "https://support.google.com/accounts/answer/185833" in said
