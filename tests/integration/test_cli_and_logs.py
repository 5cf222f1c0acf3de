"""Command line behaviour, log redaction, disk full, SMTP connection check."""

from __future__ import annotations

import json
import logging
import subprocess

import pytest
from builders import message, noise
from paths import ROOT

from cpambot.cli.main import main
from cpambot.service.logs import redact, setup_logging


def test_redact_nir():
    """GIVEN log text with NIRs (spaced, compact, Corsica) WHEN redacted THEN only 4 digits remain."""
    text = "NIR 2 84 05 2A 123 456 78 et 184052B12345699 ok, lot 042 facture 000012345"
    out = redact(text)
    assert "123 456" not in out and "12345699" not in out
    assert "NIR…5678" in out and "NIR…5699" in out
    assert "000012345" in out  # an invoice number is not a NIR


def test_logs_never_carry_a_full_nir(capsys):
    """GIVEN logging set up by the CLI WHEN a NIR is logged THEN stderr shows it masked."""
    setup_logging(1)
    logging.getLogger("bot.test").warning("assuré %s rejeté", "1 84 05 75 123 456 78")
    err = capsys.readouterr().err
    assert "123 456" not in err and "NIR…5678" in err


def test_usage_errors_exit_2(capsys):
    """GIVEN a wrong command line WHEN parsed THEN exit code 2 and a French message."""
    with pytest.raises(SystemExit) as info:
        main(["ledger", "--etat", "nimportequoi"])
    assert info.value.code == 2
    assert "choix invalide" in capsys.readouterr().err
    assert main([]) == 2


def test_bad_config_exit_2(tmp_path, capsys):
    """GIVEN an invalid config WHEN any command runs THEN exit 2 and the key is named."""
    bad = tmp_path / "c.toml"
    bad.write_text("[professionnel]\nnom = 3\n")
    assert main(["-c", str(bad), "check"]) == 2
    err = capsys.readouterr().err
    assert "professionnel.nom" in err and "ligne 2" in err


def test_ledger_command(imap_user, bot_config, capsys):
    """GIVEN a polled mailbox WHEN `cpambot ledger` runs THEN relevant rows are listed,
    `--tous` adds the unrelated ones, and `--json` is machine-readable."""
    imap_user.multiappend("INBOX", [message(subject="Retour lots"), noise(1)])
    config = bot_config()
    assert main(["-c", str(config.path), "poll", "--once"]) == 0
    out = capsys.readouterr().out
    assert "2 nouveaux messages" in out and "1 pertinent" in out
    assert main(["-c", str(config.path), "ledger"]) == 0
    out = capsys.readouterr().out
    assert "Retour lots" in out and "Nouvelles 1" not in out
    assert main(["-c", str(config.path), "ledger", "--tous", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["state"] for r in rows} == {"done", "ignored"} and len(rows) == 2


def test_ledger_without_data(tmp_path, capsys):
    """GIVEN an empty data directory WHEN `cpambot ledger` THEN a French hint, exit 1."""
    assert main(["ledger", "--data-dir", str(tmp_path / "vide")]) == 1
    assert "poll --once" in capsys.readouterr().err


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MiB tmpfs mounted for the test (CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                            capture_output=True)
    if result.returncode != 0:
        pytest.fail(f"tmpfs mount failed (tests need root): {result.stderr!r}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_disk_full_loses_nothing(imap_user, bot_config, tiny_disk, capsys):
    """GIVEN a data directory on a full disk WHEN a big caisse message arrives
    THEN the poll fails with a French 'disque plein' error, the message is not marked done,
    and once space is freed the next poll processes it."""
    imap_user.multiappend("INBOX", [message(subject="Petit"),
                                    message(subject="Gros", attachments=[("a.pdf", "application/pdf",
                                                                          b"x" * 1_500_000)]),
                                    message(subject="Après")])
    config = bot_config()
    config = config.__class__(**{**config.__dict__, "data_dir": tiny_disk / "data"})
    from cpambot.errors import StoreError
    from cpambot.mailbox.ledger import LEDGER
    from cpambot.service.poll import poll_once
    from cpambot.store.database import Store

    with pytest.raises(StoreError, match="disque plein"):
        with Store.open(config.data_dir) as store:
            poll_once(config, store)
    with Store.open(config.data_dir, readonly=True) as store:
        states = {r["subject"]: r["state"] for r in store.values(LEDGER)}
    assert states.get("Petit") == "seen" and "Gros" not in states and "Après" not in states
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    with Store.open(config.data_dir) as store:
        report = poll_once(config, store)
        states = {r["subject"]: r["state"] for r in store.values(LEDGER)}
    assert report.ok and states == {"Petit": "done", "Gros": "done", "Après": "done"}


def test_smtp_check(smtp_server_factory, tmp_path, monkeypatch):
    """GIVEN a real SMTP server with STARTTLS and AUTH WHEN checked THEN the check succeeds with
    the right password and fails, in French, with a wrong one."""
    from cpambot.cli.smtp_check import check_smtp
    from cpambot.config.model import Secret, SmtpSettings

    server = smtp_server_factory(starttls=True, auth=("bot", "pw"))
    settings = SmtpSettings(host=server.host, port=server.port, security="starttls",
                            sender="marie@example.org", username="bot",
                            secret=Secret(env="CPAMBOT_TEST_SMTP", origin="envoi"),
                            cafile=server.cafile, timeout=10)
    monkeypatch.setenv("CPAMBOT_TEST_SMTP", "pw")
    ok, text = check_smtp(settings)
    assert ok and "connexion réussie" in text and "AUTH" in text
    monkeypatch.setenv("CPAMBOT_TEST_SMTP", "wrong")
    ok, text = check_smtp(settings)
    assert not ok and "refusé" in text
    assert server.messages == []


def test_parse_an_approval_reply_shows_commands_and_every_check(tmp_path, capsys):
    """GIVEN an approver's reply "OK A1 / REPORTER B2 3" whose own server says DKIM failed WHEN given
    to cpambot parse with a configuration but no store yet THEN it lists the commands read and each
    approval check with its verdict (sender yes, authentication no, the reference unknown without the
    store), and writes nothing."""
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(example.replace('dossier = "/var/lib/cpambot"', f'dossier = "{tmp_path / "data"}"')
                      .replace('# authserv_id = ["mx.example.org"]', 'authserv_id = ["mx.example.org"]'),
                      encoding="utf-8")
    raw = message(sender="Marie <marie.exemple@example.org>", subject="Re: récapitulatif",
                  body="OK A1\nREPORTER B2 3\nmerci\n",
                  extra_headers={"Authentication-Results": "mx.example.org; dkim=fail; dmarc=fail"})
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    assert main(["--config", str(config), "parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Commandes lues : OK A1; REPORTER B2 3" in out
    assert "inconnu sans la base" in out
    assert main(["--config", str(config), "parse", "--json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    checks = {c["check"]: c["passed"] for c in report["reply"]["checks"]}
    assert checks["expéditeur approbateur, seul et sans Sender différent"] is True
    assert checks["pas une réponse automatique"] is True
    assert checks["authentification DKIM/DMARC selon mx.example.org"] is False
    assert not (tmp_path / "data").exists()


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    """GIVEN the demo's ledger WHEN it is written to a reader that already stopped reading (as "cpambot
    ledger | head -n 1" once head has its line) THEN cpambot ends without a traceback and with status 0."""
    import os
    import sys

    from cpambot.demo.run import run_demo

    assert run_demo(tmp_path / "d") == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # (the reader is gone before the first line: every write meets a closed pipe)
    try:
        done = subprocess.run([sys.executable, "-m", "cpambot", "ledger", "--data-dir", str(tmp_path / "d")],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, check=False)
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and done.returncode == 0


def test_log_lines_are_french_with_the_professionals_time(capsys):
    """GIVEN the professional's time zone set to La Réunion WHEN a warning is logged THEN its level reads
    in French and its time is La Réunion's, day first."""
    import logging
    import re
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cpambot.service.logs import RedactingFormatter, set_log_timezone, setup_logging

    setup_logging(0)
    set_log_timezone("Indian/Reunion")
    try:
        logging.getLogger("cpambot.test").warning("relève en erreur")
    finally:
        RedactingFormatter.tz = None
    line = capsys.readouterr().err.strip().splitlines()[-1]
    stamp = re.match(r"(\d{2}/\d{2}/\d{4} \d{2}:\d{2}):\d{2} ATTENTION cpambot.test: relève en erreur$", line)
    assert stamp is not None, line
    reunion = ZoneInfo("Indian/Reunion")
    logged = datetime.strptime(stamp.group(1), "%d/%m/%Y %H:%M").replace(tzinfo=reunion)
    assert abs((datetime.now(reunion) - logged).total_seconds()) < 120


def test_the_ledger_table_never_cuts_an_address():
    """GIVEN a message from a long caisse address WHEN the ledger is shown THEN the address is whole, under
    its column's header."""
    from cpambot.mailbox.ledger import LedgerRow, LedgerState
    from cpambot.mailbox.senders import Category
    from cpambot.service.report import ledger_table

    address = "service.relations-professionnels-de-sante.cpam-haute-garonne@assurance-maladie.fr"
    row = LedgerRow(account="cabinet", folder="INBOX", uidvalidity=1, uid=7, from_addr=address,
                    subject="Retour de lot", category=Category.CAISSE, state=LedgerState.DONE)
    header, line = ledger_table([row]).splitlines()
    assert address in line and header.index("objet") == line.index("Retour de lot")


def test_parse_knows_a_reply_to_a_digest_even_once_its_record_is_archived(bot_config, tmp_path, capsys):
    """GIVEN a reply of the approver to a digest WHEN `cpambot parse` reads it before the bot remembers
    that digest THEN it says the reply answers nothing the bot sent; WHEN the digest is remembered, and
    that record archived THEN it is recognised."""
    import json as json_module

    from cpambot.cli.main import main
    from cpambot.service.approver import SENT_IDS, id_domain
    from cpambot.store.database import Store

    config = bot_config()
    digest = f"<digest.abc@{id_domain(config)}>"
    reply = tmp_path / "reponse.eml"
    reply.write_bytes((f"From: marie.exemple@example.org\r\nTo: marie.exemple@example.org\r\n"
                       f"Subject: Re: cpambot\r\nIn-Reply-To: {digest}\r\nReferences: {digest}\r\n"
                       "Date: Mon, 30 Nov 2026 08:00:00 +0100\r\nMessage-ID: <r1@example.org>\r\n\r\n"
                       "OK A1\r\n").encode())
    with Store.open(config.data_dir) as store:
        store.put("meta", "x", {})
    unanswered = "ne répond à aucun message envoyé par cpambot"
    assert main(["-c", str(config.path), "parse", str(reply), "--json"]) == 0
    assert unanswered in capsys.readouterr().out
    with Store.open(config.data_dir) as store:
        store.put(SENT_IDS, digest, {"kind": "digest", "at": "2026-10-01T07:30:00+00:00", "codes": ["A1"]})
        assert store.archive(SENT_IDS, lambda doc: "2026-10") == 1
    assert main(["-c", str(config.path), "parse", str(reply), "--json"]) == 0
    report = json_module.loads(capsys.readouterr().out)
    assert report["reply"]["reference_unknown"] is False and unanswered not in json_module.dumps(report)
