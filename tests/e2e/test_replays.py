"""End to end, against the real Dovecot and a real SMTP server: a reply of the approver is obeyed once.
The same bytes delivered again (a new delivery writes new trace headers, so the ledger sees a new
message) change nothing, send nothing and are told in the next digest as "déjà traitée"."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from mailflow import (
    APPROVER,
    NOW,
    RECLAMATION,
    captured,
    digests,
    notice_for,
    poll,
    reply,
    start,
    subject_of,
    table,
)

from cpambot.approval.draftbook import DRAFTS
from cpambot.sending.outbox import OUTBOX
from cpambot.service.approver import REFUSALS


def delivered(raw: bytes, stamp: str) -> bytes:
    """``raw`` as our server delivers it: with its own trace headers on top (new at each delivery)."""
    return (f"Received: from mx.example.org by imap.example.org; {stamp}\r\n"
            f"Authentication-Results: mx.example.org; dkim=pass header.d=example.org; spf=pass ({stamp})\r\n"
            ).encode() + raw


def state(config, smtp):
    """What a reply can change: the drafts, the outbox, and the mail sent to her and to the caisses."""
    drafts = sorted((d["code"], d["state"], d.get("postponed_until"), d["body"], tuple(d.get("history", ())))
                    for d in ({k: v for k, v in d.items() if k != "_key"} for d in table(config, DRAFTS)))
    outbox = sorted((d["purpose"], d["state"]) for d in table(config, OUTBOX))
    mails = [subject_of(m) for m in smtp.messages if not ("récapitulatif" in subject_of(m)
                                                          and APPROVER in m.rcpt_tos)]
    cases = sorted((c["id"], c["state"], len(c["history"])) for c in table(config, "cases"))
    return drafts, outbox, mails, cases


def replayed(config) -> list[dict]:
    return [r for r in table(config, REFUSALS) if any("déjà traitée" in x for x in r["reasons"])]


def annulation(message_id: str) -> bytes:
    return (f"From: Marie Exemple <{APPROVER}>\r\nTo: {APPROVER}\r\nSubject: annulation\r\n"
            f"Message-ID: <{message_id}>\r\nDate: Mon, 20 Apr 2026 11:00:00 +0400\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "ANNULER lot 042 facture 000012345 motif: erreur de cotation\r\n").encode()


@pytest.mark.parametrize("command", ["OK {a}", "NON {a}", "REPORTER {a} 3", "OK TOUT", "edit", "ANNULER",
                                     "NOTE C1 appel à la caisse", "FAIT C2", "PAYÉ C1", "CLASSER C2 vu"])
def test_a_reply_delivered_again_changes_nothing(world, command):
    """GIVEN a digest with two drafts and the approver's genuine reply to it (approve, reject, postpone,
    approve all, a new text for a draft, an annulation request, a command on a case), carried out once
    WHEN the very same message is delivered again, with new trace headers
    THEN no draft, no e-mail of the outbox changes, nothing is sent (no confirmation either), and the
    next digest tells her a reply was received twice."""
    config, smtp, user = world
    _, invoice_code, _ = start(world)
    if command == "edit":
        text = ("Madame, Monsieur,\r\nLa facture 000012201 ne m'a jamais été payée : merci de la régler."
                "\r\nMarie Exemple")
        raw = reply(notice_for(smtp, invoice_code).content, text)
    elif command == "ANNULER":
        raw = annulation("annul.1@example.org")
    else:
        raw = reply(digests(smtp)[0].content, command.format(a=invoice_code) + "\r\n\r\nMarie")
    initial = state(config, smtp)
    user.append("INBOX", delivered(raw, "Mon, 20 Apr 2026 10:01:00 +0200"))
    poll(config, NOW + timedelta(hours=1))
    before = state(config, smtp)
    assert before != initial  # the first delivery was obeyed
    user.append("INBOX", delivered(raw, "Mon, 20 Apr 2026 11:30:00 +0200"))
    poll(config, NOW + timedelta(hours=2))
    assert state(config, smtp) == before
    assert len(replayed(config)) == 1
    poll(config, NOW + timedelta(days=1))
    assert "déjà traitée" in plain_text(digests(smtp)[-1].content)


def plain_text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return "\n".join(part.get_content() for part in msg.walk() if part.get_content_type() == "text/plain")


def test_the_same_words_sent_again_under_a_new_message_id_are_refused(world):
    """GIVEN "REPORTER A1 3" carried out WHEN the same reply to the same digest comes again under a new
    Message-ID (a client sending it twice, a replay that rewrites the identifier)
    THEN the draft is not postponed a second time."""
    config, smtp, user = world
    _, code, _ = start(world)
    digest = digests(smtp)[0].content
    user.append("INBOX", reply(digest, f"REPORTER {code} 3"))
    poll(config, NOW + timedelta(hours=1))
    (draft,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert draft["state"] == "postponed" and draft["postponed_until"] == "2026-04-23"
    user.append("INBOX", reply(digest, f"REPORTER {code} 3"))  # reply() draws a new Message-ID
    poll(config, NOW + timedelta(hours=2))
    (again,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert again == draft and len(replayed(config)) == 1


def test_a_reply_dated_before_the_digest_or_too_old_is_refused(world):
    """GIVEN the digest of 20 April 08:00 UTC WHEN a reply to it says it was written the day before, or
    a genuine reply written on 20 April reaches the bot only after the proposals' validity (7 days)
    THEN nothing is sent, and each refusal says why."""
    config, smtp, user = world
    _, code, _ = start(world)
    digest = digests(smtp)[0].content
    user.append("INBOX", reply(digest, f"OK {code}", when=NOW - timedelta(days=1)))
    poll(config, NOW + timedelta(hours=1))
    user.append("INBOX", reply(digest, f"OK {code}\r\nMerci", when=NOW + timedelta(minutes=30)))
    poll(config, NOW + timedelta(days=9))
    assert captured(smtp, RECLAMATION) == []
    reasons = [x for r in table(config, REFUSALS) for x in r["reasons"]]
    assert any("avant le message auquel elle répond" in x for x in reasons)
    assert any("plus ancienne que la validité" in x for x in reasons)
