"""Delivery reports read: the original's Message-ID, each failed or delayed recipient and its status code,
on reports of many servers (tests/fixtures/bounces, written from the servers' formats by someone who had
not read the reader; first sight 12 of 14 read right)."""

from __future__ import annotations

import tomllib

import pytest
from paths import ROOT

from cpambot.mailbox.headers import header_block, summarize
from cpambot.mailbox.senders import is_delivery_report
from cpambot.sending.bounces import BouncedRecipient, read_bounce, status_phrase

FOLDER = ROOT / "tests" / "fixtures" / "bounces"
EXPECTED = tomllib.loads((FOLDER / "EXPECTED.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_report_names_the_letter_the_recipients_and_the_reason(name):
    """GIVEN a report as a real server writes it (Postfix, Exim, qmail, Sendmail, Exchange in French, Gmail,
    Orange) WHEN its headers are assessed and its body read THEN it is a bounce with the original's
    Message-ID, the failed and delayed addresses and the status code its fixture's notes give — and a
    colleague's message about a bounce is none."""
    want = EXPECTED[name]
    raw = (FOLDER / want["file"]).read_bytes()
    bounce = read_bounce(raw)
    fetched = is_delivery_report(summarize(header_block(raw), len(raw)))
    assert (bounce is not None and fetched) == want["bounce"]
    if not want["bounce"]:
        return
    assert bounce is not None
    assert list(bounce.message_ids) == want["message_ids"]
    assert [r.address for r in bounce.failed] == want["failed"]
    assert [r.address for r in bounce.delayed] == want["delayed"]
    assert ((bounce.failed or bounce.delayed)[0].status or "") == want["status"]


@pytest.mark.parametrize("status,action,words", [
    ("5.1.1", "failed", "cette adresse n'existe pas chez le destinataire"),
    ("5.1.10", "failed", "cette adresse n'existe pas chez le destinataire"),
    ("5.1.2", "failed", "le domaine de cette adresse est introuvable"),
    ("5.2.2", "failed", "la boîte du destinataire est pleine"),
    ("5.7.1", "failed", "refusé par le serveur du destinataire (règle de sécurité ou anti-spam)"),
    ("5.9.9", "failed", "refusé par le serveur du destinataire"),
    ("4.4.1", "delayed", "distribution retardée, le serveur d'envoi réessaie"),
    (None, "failed", "refusé par le serveur du destinataire"),
])
def test_each_status_code_is_told_in_french(status, action, words):
    """GIVEN a recipient's status code WHEN told to the professional THEN in French, with the code."""
    told = BouncedRecipient("x@cpam.fr", action, status).reason
    assert told == f"x@cpam.fr : {words}" + (f" (code {status})" if status else "")
    assert status_phrase(status, action) == words


def test_a_report_naming_no_failed_recipient_is_no_bounce():
    """GIVEN a delivery report saying the message was delivered (a success notification) WHEN read THEN
    no bounce."""
    raw = (b"From: MAILER-DAEMON@mx.example.org\r\nSubject: Successful Mail Delivery Report\r\n"
           b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n"
           b"Content-Type: text/plain\r\n\r\nYour message was delivered.\r\n--b\r\n"
           b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
           b"Final-Recipient: rfc822; ps@cpam.fr\r\nAction: delivered\r\nStatus: 2.0.0\r\n--b--\r\n")
    assert read_bounce(raw) is None
