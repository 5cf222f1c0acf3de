"""The outbox against a real aiosmtpd capture server and a real Dovecot: exactly-once sending.

No mocks: SMTP faults are injected by the capture server (451, 550, connection cut
after DATA), the Sent folder is Dovecot's, and a crash is a real SIGKILL of a child
process right after the server accepted the message.
"""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from servers import free_port

from cpambot.clock import FixedClock
from cpambot.config.model import Secret, SmtpSettings
from cpambot.errors import OutboxStateError
from cpambot.letters.model import Attachment, Letter
from cpambot.randomness import SystemRandom
from cpambot.sending.mime import build_mime, make_message_id
from cpambot.sending.outbox import MAX_ATTEMPTS, OUTBOX, Outbox
from cpambot.sending.sent_folder import SentFolder, sent_folder_for
from cpambot.store.database import Store

HERE = Path(__file__).parent
SENDER = "marie.exemple@example.org"
CAISSE = "reclamations@cpam974.example"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def letter(subject: str = "Réclamation : facture n° 2026-014 impayée") -> Letter:
    return Letter(kind="reclamation", to=(f"Service des réclamations <{CAISSE}>",), subject=subject,
                  body="Madame, Monsieur,\n\nLa facture n° 2026-014 du 3 février reste impayée.\n"
                       "Je vous remercie de bien vouloir la régler.\n\nMarie Exemple\n")


def smtp_settings(capture, **changes) -> SmtpSettings:
    settings = SmtpSettings(host=capture.host, port=capture.port, security="aucune", sender=SENDER,
                            timeout=10)
    return replace(settings, **changes)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def account(bot_config):
    return bot_config().accounts[0]


def make_outbox(store, settings, account=None, folder=None, now=T0) -> Outbox:
    factory = sent_folder_for(account, folder) if account is not None else None
    return Outbox(store, settings, factory, clock=FixedClock(now))


def enqueue(outbox: Outbox, tag: str = "reclamation", **kwargs) -> str:
    message_id = make_message_id("example.org", tag, SystemRandom())
    outbox.enqueue(kwargs.pop("letter", letter()), sender=f"Marie Exemple <{SENDER}>", message_id=message_id,
                   purpose="reclamation", case_key="C12", draft_key=f"D-{tag}", **kwargs)
    return message_id


def header(raw: bytes, name: str) -> str | None:
    return email.message_from_bytes(raw, policy=email.policy.default)[name]


def sent_ids(imap_user, folder: str = "Sent") -> list[str | None]:
    return [header(raw, "Message-ID") for raw in imap_user.fetch_raw(folder).values()]


# --------------------------------------------------------------------------- MIME (pure)


def test_build_mime_headers_and_attachments():
    """GIVEN a letter with accents, a CC and a PDF WHEN built THEN 7-bit bytes with the fixed
    Message-ID, X-Cpambot, threading headers, no Auto-Submitted unless asked, the attachment intact."""
    mid = make_message_id("example.org", "réclamation C12", SystemRandom())
    assert mid.startswith("<r-clamation-C12.") and mid.endswith("@example.org>")
    assert len({make_message_id("example.org", "x", SystemRandom()) for _ in range(200)}) == 200
    pdf = b"%PDF-1.4\x00\xff" * 50
    rich = replace(letter(), cc=("marie.exemple@example.org",),
                   attachments=(Attachment("relevé été.pdf", "application/pdf", pdf),))
    raw = build_mime(rich, sender=f"Marie Éxemple <{SENDER}>", message_id=mid, date=T0,
                     in_reply_to="<a@b.fr>", references=("<z@b.fr>", "<a@b.fr>"))
    assert raw.isascii() and b"\r\n" in raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Message-ID"] == mid and msg["X-Cpambot"] == "reclamation"
    assert msg["Subject"] == letter().subject and msg["From"] == f"Marie Éxemple <{SENDER}>"
    assert msg["In-Reply-To"] == "<a@b.fr>" and msg["References"] == "<z@b.fr> <a@b.fr>"
    assert msg["Auto-Submitted"] is None and msg["Date"].datetime == T0
    assert "régler" in msg.get_body(("plain",)).get_content()
    (part,) = msg.iter_attachments()
    assert part.get_filename() == "relevé été.pdf" and part.get_content() == pdf
    auto = build_mime(letter(), sender=SENDER, message_id=mid, date=T0,
                      extra_headers={"Auto-Submitted": "auto-generated"})
    assert header(auto, "Auto-Submitted") == "auto-generated"
    for bad in ({"X-Evil": "a\r\nBcc: x@y.fr"}, {"Message-ID": "<other@x.fr>"}, {"Bad Name": "x"}):
        with pytest.raises(ValueError):
            build_mime(letter(), sender=SENDER, message_id=mid, date=T0, extra_headers=bad)
    with pytest.raises(ValueError):
        build_mime(letter(), sender=SENDER, message_id="no-brackets@x.fr", date=T0)
    with pytest.raises(ValueError):
        build_mime(letter(), sender=SENDER, message_id=mid, date=T0.replace(tzinfo=None))


# --------------------------------------------------------------------------- success


def test_success_sends_once_with_copy_in_sent(store, smtp_server, imap_user, account):
    """GIVEN an approved e-mail in the outbox WHEN delivered twice THEN the server received exactly
    one message carrying the pre-assigned Message-ID, and one \\Seen copy sits in Sent."""
    outbox = make_outbox(store, smtp_settings(smtp_server), account)
    mid = enqueue(outbox)
    assert outbox.get(mid).state == "queued"  # recorded before any send

    report = outbox.deliver(T0)

    assert report.sent == [mid] and report.copies == [mid] and report.ok
    (captured,) = smtp_server.messages
    assert header(captured.content, "Message-ID") == mid
    assert captured.mail_from == SENDER and captured.rcpt_tos == [CAISSE]
    doc = outbox.get(mid)
    assert doc.state == "sent" and doc.attempts == 1 and doc.sent_copy is True
    assert doc.smtp_reply.startswith("250") and doc.sent_at == T0
    assert [h.event for h in doc.history] == ["enqueued", "attempt", "sent", "copy"]
    assert sent_ids(imap_user) == [mid]
    assert all(b"\\Seen" in flags for flags in imap_user.fetch_flags("Sent").values())
    assert list(imap_user.fetch_raw("Sent").values())[0].replace(b"\r\n", b"\n") == \
        Outbox.raw(doc).replace(b"\r\n", b"\n")

    again = outbox.deliver(T0 + timedelta(hours=1))

    assert again.sent == [] and again.copies == [] and len(smtp_server.messages) == 1
    assert sent_ids(imap_user) == [mid]


def test_enqueue_is_idempotent_and_survives_a_restart(tmp_path, smtp_server):
    """GIVEN an e-mail enqueued, the store closed and reopened WHEN the same Message-ID is enqueued
    again THEN nothing is added, and one delivery sends one message."""
    with Store.open(tmp_path / "data") as first:
        outbox = make_outbox(first, smtp_settings(smtp_server))
        mid = enqueue(outbox)
        again = outbox.enqueue(letter("Autre objet"), sender=SENDER, message_id=mid, purpose="reclamation",
                               case_key="C12", draft_key="D-reclamation")
        assert again.subject == letter().subject and first.count(OUTBOX) == 1
    with Store.open(tmp_path / "data") as second:
        outbox = make_outbox(second, smtp_settings(smtp_server))
        outbox.enqueue(letter(), sender=SENDER, message_id=mid, purpose="reclamation", case_key="C12",
                       draft_key="D-reclamation")
        assert second.count(OUTBOX) == 1 and len(outbox.get(mid).history) == 1
        assert outbox.deliver(T0).sent == [mid]
        assert outbox.deliver(T0 + timedelta(days=1)).sent == []
    assert len(smtp_server.messages) == 1


# --------------------------------------------------------------------------- failures with a reply


def test_tempfail_is_retried_with_backoff_then_sent_once(store, smtp_server_factory):
    """GIVEN a server answering 451 WHEN delivered THEN queued again 1 min later; before that time
    nothing is tried; once the server recovers and the time has come THEN sent exactly once."""
    capture = smtp_server_factory(fail_mode="tempfail")
    outbox = make_outbox(store, smtp_settings(capture))
    mid = enqueue(outbox)

    first = outbox.deliver(T0)

    doc = outbox.get(mid)
    assert first.requeued == [mid] and doc.state == "queued" and doc.attempts == 1
    assert doc.next_attempt == T0 + timedelta(minutes=1)
    assert "refus temporaire" in doc.reason and "451" in doc.reason
    assert len(capture.rejected) == 1 and capture.messages == []

    capture.fail_mode = None
    early = outbox.deliver(T0 + timedelta(seconds=30))
    assert early.sent == [] and early.requeued == [] and capture.messages == []

    later = outbox.deliver(T0 + timedelta(seconds=61))

    assert later.sent == [mid] and len(capture.messages) == 1
    assert outbox.get(mid).attempts == 2 and outbox.get(mid).state == "sent"
    assert outbox.deliver(T0 + timedelta(hours=5)).sent == [] and len(capture.messages) == 1


def test_tempfail_gives_up_after_the_last_attempt(store, smtp_server_factory):
    """GIVEN a server that keeps answering 451 WHEN each retry comes due THEN the waits are 1, 5, 15,
    60 and 240 minutes, and after the last attempt the e-mail is failed and never tried again."""
    capture = smtp_server_factory(fail_mode="tempfail")
    outbox = make_outbox(store, smtp_settings(capture))
    mid = enqueue(outbox)
    now, waits = T0, []
    for _ in range(MAX_ATTEMPTS):
        outbox.deliver(now)
        doc = outbox.get(mid)
        if doc.state != "queued":
            break
        nxt = doc.next_attempt
        waits.append(int((nxt - now).total_seconds() // 60))
        now = nxt
    assert waits == [1, 5, 15, 60, 240]
    doc = outbox.get(mid)
    assert doc.state == "failed" and doc.attempts == MAX_ATTEMPTS
    assert doc.reason.startswith(f"abandonné après {MAX_ATTEMPTS} tentatives")
    assert outbox.deliver(now + timedelta(days=2)).failed == [] and len(capture.rejected) == MAX_ATTEMPTS


def test_permfail_is_failed_and_never_retried(store, smtp_server_factory):
    """GIVEN a server answering 550 WHEN delivered THEN failed with the server's reason in French,
    and later deliveries never try it again."""
    capture = smtp_server_factory(fail_mode="permfail")
    outbox = make_outbox(store, smtp_settings(capture))
    mid = enqueue(outbox)

    report = outbox.deliver(T0)

    doc = outbox.get(mid)
    assert report.failed == [mid] and doc.state == "failed" and doc.attempts == 1
    assert doc.reason.startswith("refus définitif du serveur d'envoi") and "550 5.7.1" in doc.reason
    capture.fail_mode = None
    assert outbox.deliver(T0 + timedelta(days=3)).sent == []
    assert len(capture.rejected) == 1 and capture.messages == []


# --------------------------------------------------------------------------- ambiguous failures


def test_drop_after_data_is_uncertain_and_never_resent(store, smtp_server_factory, imap_user, account):
    """GIVEN a server that stores the message then cuts the connection before its reply
    WHEN delivered THEN uncertain, never retried; resolve with nothing in Sent THEN still uncertain
    and reported; once a copy with that Message-ID is in Sent THEN resolve marks it sent."""
    capture = smtp_server_factory(fail_mode="drop_after_data")
    outbox = make_outbox(store, smtp_settings(capture), account)
    mid = enqueue(outbox)

    report = outbox.deliver(T0)

    assert report.uncertain == [mid] and report.sent == [] and not report.ok
    doc = outbox.get(mid)
    assert doc.state == "uncertain" and "peut-être été accepté" in doc.reason
    assert len(capture.messages) == 1
    capture.fail_mode = None
    for hours in (1, 6, 48):
        assert outbox.deliver(T0 + timedelta(hours=hours)).sent == []
    assert len(capture.messages) == 1 and sent_ids(imap_user) == []  # no copy of an unconfirmed send

    resolved = outbox.resolve_uncertain(T0 + timedelta(hours=49))

    assert [d.message_id for d in resolved.uncertain] == [mid] and resolved.found == []
    assert outbox.get(mid).state == "uncertain" and outbox.get(mid).checks == 1

    imap_user.append("Sent", capture.messages[0].content, flags=[b"\\Seen"])
    resolved = outbox.resolve_uncertain(T0 + timedelta(hours=50))

    assert resolved.found == [mid] and resolved.uncertain == []
    doc = outbox.get(mid)
    assert doc.state == "sent" and doc.reason == "retrouvé dans Envoyés" and doc.sent_copy is True
    assert doc.sent_at == T0  # the start of the attempt that was cut
    assert outbox.deliver(T0 + timedelta(hours=51)).copies == []
    assert len(capture.messages) == 1 and sent_ids(imap_user) == [mid]


def test_confirm_resend_is_the_only_way_to_send_an_uncertain_mail_again(store, smtp_server_factory,
                                                                         imap_user, account):
    """GIVEN an uncertain e-mail not found in Sent WHEN the approver confirms the resend THEN it is
    queued and sent once more (same Message-ID); confirming a sent or unknown e-mail is refused."""
    capture = smtp_server_factory(fail_mode="drop_after_data")
    outbox = make_outbox(store, smtp_settings(capture), account)
    mid = enqueue(outbox)
    outbox.deliver(T0)
    capture.fail_mode = None

    doc = outbox.confirm_resend(mid, by="marie.exemple@example.org", now=T0 + timedelta(hours=2))

    assert doc.state == "queued" and doc.attempts == 0
    assert doc.history[-1].reason == "renvoi confirmé par marie.exemple@example.org"
    assert outbox.deliver(T0 + timedelta(hours=2)).sent == [mid]
    assert [header(m.content, "Message-ID") for m in capture.messages] == [mid, mid]
    assert sent_ids(imap_user) == [mid]
    with pytest.raises(OutboxStateError, match="envoyé"):
        outbox.confirm_resend(mid)
    with pytest.raises(OutboxStateError, match="aucun courriel"):
        outbox.confirm_resend("<inconnu@example.org>")


def test_confirm_resend_finds_a_late_copy_in_sent(store, smtp_server_factory, imap_user, account):
    """GIVEN an uncertain e-mail whose copy reached Sent after the last check WHEN the approver
    confirms the resend THEN it is marked sent instead, and nothing is sent again."""
    capture = smtp_server_factory(fail_mode="drop_after_data")
    outbox = make_outbox(store, smtp_settings(capture), account)
    mid = enqueue(outbox)
    outbox.deliver(T0)
    imap_user.append("Sent", capture.messages[0].content)

    doc = outbox.confirm_resend(mid, now=T0 + timedelta(hours=1))

    assert doc.state == "sent" and doc.reason == "retrouvé dans Envoyés"
    capture.fail_mode = None
    assert outbox.deliver(T0 + timedelta(hours=2)).sent == [] and len(capture.messages) == 1


CRASHING_CHILD = """
import json, os, signal, sys
from datetime import datetime
from cpambot.config.model import SmtpSettings
from cpambot.sending.outbox import Outbox
from cpambot.store.database import Store

args = json.loads(sys.argv[1])

def die(self, doc):  # the server has just answered 250: die before "sent" is recorded
    os.kill(os.getpid(), signal.SIGKILL)

Outbox._after_accepted = die
store = Store.open(args["data"])
smtp = SmtpSettings(host=args["host"], port=args["port"], security="aucune", sender=args["sender"],
                    timeout=10)
Outbox(store, smtp, None).deliver(datetime.fromisoformat(args["now"]))
"""


def test_crash_between_accepted_and_recorded(tmp_path, smtp_server, imap_user, account):
    """GIVEN a process SIGKILLed right after the SMTP server accepted the message WHEN restarted
    THEN the e-mail is found "sending" past DATA, becomes uncertain (never re-sent) while Sent
    lacks it, and sent once a copy is in Sent; the server holds exactly one copy throughout."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        mid = enqueue(make_outbox(store, smtp_settings(smtp_server)))
    args = {"data": str(data), "host": smtp_server.host, "port": smtp_server.port, "sender": SENDER,
            "now": T0.isoformat()}
    child = subprocess.run([sys.executable, "-c", CRASHING_CHILD, json.dumps(args)], cwd=HERE.parent,
                           capture_output=True, timeout=60)
    assert child.returncode == -9, child.stderr.decode()
    assert len(smtp_server.messages) == 1

    with Store.open(data) as store:
        outbox = make_outbox(store, smtp_settings(smtp_server), account)
        doc = outbox.get(mid)
        assert doc.state == "sending" and doc.phase == "data" and doc.attempts == 1

        resolved = outbox.resolve_uncertain(T0 + timedelta(minutes=5))

        assert [d.message_id for d in resolved.uncertain] == [mid]
        doc = outbox.get(mid)
        assert doc.state == "uncertain" and "arrêté brutalement" in doc.reason
        assert outbox.deliver(T0 + timedelta(hours=1)).sent == [] and len(smtp_server.messages) == 1

        imap_user.append("Sent", smtp_server.messages[0].content, flags=[b"\\Seen"])
        assert outbox.resolve_uncertain(T0 + timedelta(hours=2)).found == [mid]
        assert outbox.get(mid).state == "sent"
        assert outbox.deliver(T0 + timedelta(hours=3)).sent == []
    assert len(smtp_server.messages) == 1 and sent_ids(imap_user) == [mid]


def test_crash_found_by_deliver_with_the_copy_already_in_sent(tmp_path, smtp_server, imap_user, account):
    """GIVEN a SIGKILL right after acceptance and a provider that filed the copy in Sent itself
    WHEN the next delivery runs (no explicit resolve) THEN it finds the copy: sent, no resend."""
    data = tmp_path / "data"
    with Store.open(data) as store:
        mid = enqueue(make_outbox(store, smtp_settings(smtp_server)))
    args = {"data": str(data), "host": smtp_server.host, "port": smtp_server.port, "sender": SENDER,
            "now": T0.isoformat()}
    child = subprocess.run([sys.executable, "-c", CRASHING_CHILD, json.dumps(args)], cwd=HERE.parent,
                           capture_output=True, timeout=60)
    assert child.returncode == -9, child.stderr.decode()
    imap_user.append("Sent", smtp_server.messages[0].content)

    with Store.open(data) as store:
        outbox = make_outbox(store, smtp_settings(smtp_server), account)
        report = outbox.deliver(T0 + timedelta(minutes=1))
        assert report.recovered is not None and report.recovered.found == [mid] and report.sent == []
        assert outbox.get(mid).state == "sent"
    assert len(smtp_server.messages) == 1 and sent_ids(imap_user) == [mid]


def test_crash_before_data_is_sent_again(store, smtp_server):
    """GIVEN an e-mail left "sending" before the DATA command (journaled phase: connect) by a crash
    WHEN the next delivery runs THEN it is provably unsent, so it is sent, once."""
    outbox = make_outbox(store, smtp_settings(smtp_server))
    mid = enqueue(outbox)
    doc = store.get(OUTBOX, mid)
    store.put(OUTBOX, mid, {**doc, "state": "sending", "phase": "connect", "attempts": 1})

    report = outbox.deliver(T0)

    assert report.recovered is not None and report.recovered.requeued == [mid]
    assert report.sent == [mid] and len(smtp_server.messages) == 1
    assert outbox.get(mid).attempts == 2


# --------------------------------------------------------------------------- session, TLS, AUTH


async def test_starttls_and_auth(tmp_path, store, smtp_server_factory):
    """GIVEN a server requiring STARTTLS and AUTH WHEN delivered from a running event loop
    (deliver_async) with the password in a file THEN the message arrives over TLS, authenticated."""
    capture = smtp_server_factory(starttls=True, auth=("cabinet", "s3cret-é"))
    secret = tmp_path / "smtp.pass"
    secret.write_text("s3cret-é")
    settings = smtp_settings(capture, security="starttls", username="cabinet", cafile=capture.cafile,
                             secret=Secret(file=secret, origin="envoi (SMTP)"))
    outbox = make_outbox(store, settings)
    mid = enqueue(outbox)

    report = await outbox.deliver_async(T0)

    assert report.sent == [mid], outbox.get(mid).reason
    (captured,) = capture.messages
    assert captured.tls and captured.auth_login == "cabinet"
    assert header(captured.content, "Message-ID") == mid


def test_wrong_password_keeps_the_mail_queued(tmp_path, store, smtp_server_factory):
    """GIVEN a wrong SMTP password and two e-mails WHEN delivered THEN nothing is sent, the first
    is retried later with a French reason, the second is not even tried, the run reports why."""
    capture = smtp_server_factory(starttls=True, auth=("cabinet", "s3cret"))
    secret = tmp_path / "smtp.pass"
    secret.write_text("wrong")
    settings = smtp_settings(capture, security="starttls", username="cabinet", cafile=capture.cafile,
                             secret=Secret(file=secret, origin="envoi (SMTP)"))
    outbox = make_outbox(store, settings)
    first, second = enqueue(outbox, "a"), enqueue(outbox, "b")

    report = outbox.deliver(T0)

    assert report.requeued == [first] and report.sent == [] and capture.messages == []
    assert "mot de passe refusé" in outbox.get(first).reason
    assert outbox.get(second).attempts == 0 and outbox.get(second).state == "queued"
    assert "1 autre courriel attend le prochain essai" in report.problems[0]


def test_unreachable_server_is_retried(store):
    """GIVEN an SMTP port where nothing listens WHEN delivered THEN queued again with a French reason."""
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="aucune", sender=SENDER, timeout=5)
    outbox = make_outbox(store, settings)
    mid = enqueue(outbox)

    report = outbox.deliver(T0)

    doc = outbox.get(mid)
    assert report.requeued == [mid] and doc.state == "queued"
    assert "connexion refusée par le serveur d'envoi" in doc.reason


# --------------------------------------------------------------------------- Sent copy


def test_sent_copy_failure_is_retried_without_resending(store, smtp_server, imap_user, account):
    """GIVEN a Sent folder name that does not exist WHEN delivered THEN the mail goes once and
    sent_copy is false with the reason; once the folder exists and the retry is due THEN the copy is
    appended, and the mail is still sent only once."""
    outbox = make_outbox(store, smtp_settings(smtp_server), account, folder="Envoyés cabinet")

    mid = enqueue(outbox)
    report = outbox.deliver(T0)

    assert report.sent == [mid] and report.copy_failures == [mid]
    doc = outbox.get(mid)
    assert doc.state == "sent" and doc.sent_copy is False
    assert "copie dans « Envoyés » impossible" in doc.sent_copy_reason
    assert "le courriel est bien parti" in doc.sent_copy_reason

    imap_user.create_folder("Envoyés cabinet")
    assert outbox.deliver(T0 + timedelta(seconds=30)).copies == []  # not due yet

    later = outbox.deliver(T0 + timedelta(minutes=2))

    assert later.copies == [mid] and later.sent == [] and outbox.get(mid).sent_copy is True
    assert sent_ids(imap_user, "Envoyés cabinet") == [mid] and len(smtp_server.messages) == 1
    assert outbox.deliver(T0 + timedelta(hours=1)).copies == []
    assert sent_ids(imap_user, "Envoyés cabinet") == [mid]


def test_sent_folder_found_by_special_use(imap_user, account):
    """GIVEN an account without « dossier_envoyes » WHEN the Sent folder is used THEN it is the
    folder Dovecot marks \\Sent; find sees an appended message by its Message-ID."""
    raw = build_mime(letter(), sender=SENDER, message_id="<x.1@example.org>", date=T0)
    with SentFolder(account) as sent:
        assert sent.folder == "Sent" and not sent.find("<x.1@example.org>")
        sent.append(raw)
        assert sent.find("<x.1@example.org>") and not sent.find("<x.2@example.org>")


def test_cancel(store, smtp_server):
    """GIVEN a queued e-mail WHEN cancelled THEN it is never sent, and it cannot be cancelled twice."""
    outbox = make_outbox(store, smtp_settings(smtp_server))
    mid = enqueue(outbox)
    assert outbox.cancel(mid, by="marie").state == "cancelled"
    assert outbox.deliver(T0).sent == [] and smtp_server.messages == []
    with pytest.raises(OutboxStateError, match="annulé"):
        outbox.cancel(mid)


def test_the_clock_must_be_a_clock(store):
    """GIVEN a bare function where a Clock is expected (clock.now instead of clock) WHEN the outbox is
    built THEN it is refused at once, not at the first enqueue; a Clock gives the enqueue time."""
    clock = FixedClock(T0 + timedelta(minutes=7))
    with pytest.raises(ValueError, match="cpambot.clock.Clock"):
        Outbox(store, None, None, clock.now)  # type: ignore[arg-type]
    outbox = Outbox(store, None, None, clock)
    assert outbox.get(enqueue(outbox)).created == T0 + timedelta(minutes=7)


def test_one_delivery_run_copies_every_letter_through_one_connection(store, smtp_server, imap_user,
                                                                      bot_config):
    """GIVEN three approved letters and the Sent folder behind a counting proxy WHEN they are delivered in
    one run THEN the three copies are in Sent and the IMAP server saw one connection, not three; the next
    run opens its own."""
    from tcpproxy import TcpProxy

    proxy = TcpProxy(imap_user.host, imap_user.port)
    try:
        account = bot_config(port=proxy.port).accounts[0]
        outbox = make_outbox(store, smtp_settings(smtp_server), account)
        mids = [enqueue(outbox, f"lettre{n}") for n in range(3)]
        report = outbox.deliver(T0)
        assert sorted(report.copies) == sorted(mids) and sorted(sent_ids(imap_user)) == sorted(mids)
        assert proxy.accepted == 1
        later = enqueue(outbox, "suivante")
        assert outbox.deliver(T0 + timedelta(minutes=5)).copies == [later] and proxy.accepted == 2
    finally:
        proxy.close()
