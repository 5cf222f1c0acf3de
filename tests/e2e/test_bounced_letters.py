"""End to end, against the real Dovecot and a real SMTP server: a letter the caisse's server did not
deliver comes back as a bounce into the watched mailbox; the bot reads it, the letter is "non
distribué", the case waits for it again and the nurse is told at once."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.utils import format_datetime

from mailflow import APPROVER, NOW, RECLAMATION, captured, digests, poll, reply, start, table

from cpambot.approval.draftbook import DRAFTS
from cpambot.mailbox.ledger import LEDGER
from cpambot.sending.outbox import OUTBOX


def dsn(letter: bytes, *, action: str = "failed", status: str = "5.1.1", minutes: int = 2,
        attached: bool = True) -> bytes:
    """The report Postfix writes when the remote server refused ``letter`` (its header attached, unless
    not ``attached``)."""
    original = email.message_from_bytes(letter)
    header = letter.split(b"\r\n\r\n", 1)[0].replace(b"\r\n", b"\n").decode()
    when = format_datetime(NOW + timedelta(minutes=minutes))
    to = original["To"]
    headers_part = ("--9B1C2A0F12.1776672000/mx.example.org\n"
                    "Content-Description: Undelivered Message Headers\n"
                    f"Content-Type: text/rfc822-headers\n\n{header}\n\n") if attached else ""
    words = ("Delayed Mail (still being retried)" if action == "delayed"
             else "Undelivered Mail Returned to Sender")
    return f"""Return-Path: <>
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: {words}
To: {APPROVER}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="9B1C2A0F12.1776672000/mx.example.org"
Message-Id: <20260420080200.9B1C2A0F12@mx.example.org>
Date: {when}

This is a MIME-encapsulated message.

--9B1C2A0F12.1776672000/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{to}>: host mx.assurance-maladie.fr[192.0.2.7] said: 550 {status}
    <{to}>: Recipient address rejected: User unknown (in reply to RCPT TO
    command)

--9B1C2A0F12.1776672000/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
X-Postfix-Queue-ID: 9B1C2A0F12
Arrival-Date: {when}

Final-Recipient: rfc822; {to}
Original-Recipient: rfc822;{to}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.assurance-maladie.fr
Diagnostic-Code: smtp; 550 {status} <{to}>: Recipient address rejected: User
    unknown

{headers_part}--9B1C2A0F12.1776672000/mx.example.org--
""".replace("\n", "\r\n").encode()


def sent_letter(world):
    """The réclamation of the demo's rejected invoice, approved and sent: (code, its e-mail's bytes)."""
    config, smtp, user = world
    _, code, _ = start(world)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(minutes=1))
    (letter,) = captured(smtp, RECLAMATION)
    return code, letter.content


def test_a_bounced_letter_is_not_sent_and_the_nurse_is_told_at_once(world):
    """GIVEN a réclamation sent to the caisse WHEN the caisse's server bounces it (5.1.1, a Postfix
    report carrying the letter's header) THEN the letter is "non distribué" with the reason in French,
    its draft too, the case no longer waits for an answer to it, and an urgent digest tells her at once;
    WHEN the address is corrected in the configuration THEN the letter is proposed again, to the new
    address."""
    config, smtp, user = world
    code, letter = sent_letter(world)
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["state"] == "waiting" and "reclamation_sent" in case["dates"]
    told = len(digests(smtp))
    user.append("INBOX", dsn(letter))
    poll(config, NOW + timedelta(minutes=5))
    (entry,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert entry["state"] == "bounced"
    assert "cette adresse n'existe pas chez le destinataire (code 5.1.1)" in entry["reason"]
    (draft,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert draft["state"] == "bounced"
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["state"] == "open" and "reclamation_sent" not in case["dates"]
    assert len(digests(smtp)) == told + 1
    alert = email.message_from_bytes(digests(smtp)[-1].content, policy=email.policy.default)
    text = alert.get_body(preferencelist=("plain",)).get_content()
    assert "URGENT" in alert["Subject"] and "COURRIERS NON DISTRIBUÉS" in text and code in text
    assert len(captured(smtp, RECLAMATION)) == 1  # nothing sent again to the same address

    poll(config, NOW + timedelta(hours=2))  # the same address: nothing proposed again
    assert [d["state"] for d in table(config, DRAFTS) if d["code"] == code] == ["bounced"]
    corrected = "ps-reclamations@cpam51.fr"
    fixed = config.__class__(**{**config.__dict__, "caisses": tuple(
        c.__class__(**{**c.__dict__, "addresses": {**c.addresses, "reclamation": corrected}})
        if c.code == "511" else c for c in config.caisses)})
    poll(fixed, NOW + timedelta(hours=3))
    (again,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert again["state"] == "pending" and again["to"] == [corrected]


def test_a_delay_warning_is_noted_without_alarm_and_other_bounces_change_nothing(world):
    """GIVEN a réclamation sent WHEN the server reports it delayed (4.4.1), and a bounce of a message the
    bot never sent arrives THEN the letter stays "envoyé" with the delay in its history, no digest is sent
    for them, and the stranger bounce is recorded as not the bot's."""
    config, smtp, user = world
    _, letter = sent_letter(world)
    told = len(digests(smtp))
    user.append("INBOX", dsn(letter, action="delayed", status="4.4.1"))
    stranger = letter.replace(b"Message-ID: <", b"Message-ID: <perso.", 1)
    user.append("INBOX", dsn(stranger, minutes=3))
    poll(config, NOW + timedelta(minutes=5))
    (entry,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert entry["state"] == "sent"
    assert any(line["event"] == "delayed" for line in entry["history"])
    assert len(digests(smtp)) == told
    rows = [r for r in table(config, LEDGER) if r.get("category") == "bounce"]
    assert sorted(r["state"] for r in rows) == ["done", "ignored"]
    assert any("pas été envoyé par cpambot" in (r.get("reason") or "") for r in rows)


def test_a_report_without_the_original_is_tied_by_recipient_and_day(world):
    """GIVEN a réclamation sent WHEN a report names its recipient as failed but carries nothing of the
    letter THEN the one letter sent to that address in the days before is the one marked not delivered."""
    config, smtp, user = world
    _, letter = sent_letter(world)
    user.append("INBOX", dsn(letter, attached=False, minutes=4))
    poll(config, NOW + timedelta(minutes=10))
    (entry,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert entry["state"] == "bounced"
