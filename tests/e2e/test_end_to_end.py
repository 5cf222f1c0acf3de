"""End to end, against the real Dovecot and a real SMTP server: a caisse message arrives, the bot
opens a case and drafts the letters, the digest reaches the approver, her reply releases exactly one
e-mail to the caisse, with a copy in Sent — and nothing else ever does."""

from __future__ import annotations

import email
import subprocess
import sys
from datetime import timedelta

from mailflow import (
    APPROVER,
    INDU,
    NOW,
    RECLAMATION,
    captured,
    complete_and_approve,
    digests,
    notice_for,
    poll,
    reply,
    start,
    subject_of,
    table,
    text_of,
)

from cpambot.approval.draftbook import DRAFTS
from cpambot.sending.outbox import OUTBOX
from cpambot.service.approver import REFUSALS
from cpambot.store.database import Store


def test_from_caisse_message_to_one_sent_letter(world):
    """GIVEN a NOEMIE return rejecting an invoice as "déjà payée" and one with a retenue
    WHEN the bot polls THEN cases open, two réclamations are drafted and the digest reaches the
    approver with their codes and full texts;
    WHEN the approver answers "OK" for the invoice réclamation THEN exactly one e-mail reaches the
    caisse, with a copy in Sent, the approver gets a confirmation, and the case waits for an answer;
    WHEN polled again, or the same reply is replayed THEN nothing more is sent."""
    config, smtp, user = world
    report, invoice_code, retenue_code = start(world)
    assert report.processing.done == 2 and sorted(report.drafted) == ["A1", "A2"]
    assert len(digests(smtp)) == 1
    digest = digests(smtp)[0].content
    text = email.message_from_bytes(digest, policy=email.policy.default)
    assert "récapitulatif" in text["Subject"] and text["Auto-Submitted"] == "auto-generated"
    body = text_of(digest)
    assert invoice_code in body and retenue_code in body and "000012201" in body

    user.append("INBOX", reply(digest, f"OK {invoice_code}\r\n\r\nCordialement,\r\nMarie"))
    second = poll(config, NOW + timedelta(hours=2))
    assert second.processing.kinds.get("approval") == 1
    letters = captured(smtp, RECLAMATION)
    assert len(letters) == 1
    sent = email.message_from_bytes(letters[0].content)
    assert "000012201" in text_of(letters[0].content) and "2900" in text_of(letters[0].content)
    confirmations = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)]
    assert len(confirmations) == 1 and invoice_code in text_of(confirmations[0].content)
    assert "Ce qui part suite à cette réponse" in text_of(confirmations[0].content)
    sent_folder = user.fetch_raw("Sent")
    assert any(sent["Message-ID"].encode() in raw for raw in sent_folder.values())
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["state"] == "waiting" and case["dates"]["reclamation_sent"] == "2026-04-20"
    assert any(d["name"] == "conciliateur_available" for d in case["deadlines"])

    poll(config, NOW + timedelta(hours=3))
    user.append("INBOX", reply(digest, f"OK {invoice_code}"))  # the same decision, replayed
    poll(config, NOW + timedelta(hours=4))
    assert len(captured(smtp, RECLAMATION)) == 1
    outbox = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert len(outbox) == 1 and outbox[0]["state"] == "sent"


def test_letter_with_passages_to_complete_is_never_sent_as_is(world):
    """GIVEN the CRA letter of an indu, whose grounds the nurse must write ([À COMPLÉTER …])
    WHEN she answers "OK" THEN it is refused, in French; WHEN she answers its notice with the
    completed text THEN that text comes back to her, and her "OK" to it sends it."""
    config, smtp, user = world
    user.append("INBOX", INDU)
    poll(config, NOW)
    code = next(d["code"] for d in table(config, DRAFTS) if d["kind"] == "saisine_cra")
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=1))
    assert captured(smtp, "cra@cgss.re") == []
    confirmation = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    assert "À COMPLÉTER" in text_of(confirmation.content)
    completed = ("Madame, Monsieur,\r\nJe saisis la commission de recours amiable de l'indu "
                 "2026-974-000318 : les ordonnances étaient valables et transmises par SCOR.\r\n"
                 "Cordialement,\r\nMarie Exemple")
    complete_and_approve(world, code, completed, NOW + timedelta(hours=2))
    (sent,) = captured(smtp, "cra@cgss.re")
    assert "transmises par SCOR" in text_of(sent.content)
    enclosed = [p.get_filename() for p in email.message_from_bytes(sent.content).walk()
                if p.get_filename()]
    assert enclosed == ["Notification_indu_2026-974-000318.pdf"]
    (case,) = [c for c in table(config, "cases") if c["type"] == "indu"]
    assert case["dates"]["cra_referred"] == "2026-04-20"
    assert any(d["name"] == "cra_implicit_rejection" for d in case["deadlines"])


def test_spoofed_approver_releases_nothing(world):
    """GIVEN a digest listing drafts WHEN a reply "OK TOUT" comes from a look-alike address, or from
    the approver's address but failing DMARC at our own receiving server, or without referencing any
    message of the bot THEN nothing is sent to the caisse and the refusals appear in the next digest."""
    config, smtp, user = world
    config = config.__class__(**{**config.__dict__, "authserv_ids": ("mx.example.org",)})
    start((config, smtp, user))
    (digest,) = digests(smtp)
    user.append("INBOX", reply(digest.content, "OK TOUT", sender="marie.exemple@example.org.evil.test",
                               extra="Authentication-Results: mx.example.org; dmarc=pass\r\n"))
    user.append("INBOX", reply(digest.content, "OK TOUT",
                               extra="Authentication-Results: mx.example.org; dkim=fail; dmarc=fail\r\n"
                                     "Authentication-Results: evil.test; dkim=pass; dmarc=pass\r\n"))
    orphan = reply(digest.content, "OK TOUT", extra="Authentication-Results: mx.example.org; "
                                                    "dkim=pass header.d=example.org; dmarc=pass\r\n")
    orphan = orphan.replace(b"In-Reply-To:", b"X-Old-In-Reply-To:").replace(b"References:", b"X-Old-Ref:")
    user.append("INBOX", orphan)
    poll(config, NOW + timedelta(hours=1))
    assert captured(smtp, RECLAMATION) == []
    refusals = table(config, REFUSALS)
    reasons = " | ".join(r for x in refusals for r in x["reasons"])
    assert "expéditeur non autorisé" in reasons and "DMARC en échec" in reasons
    assert "ne répond à aucun message" in reasons
    assert all(d["state"] == "pending" for d in table(config, DRAFTS))
    poll(config, NOW + timedelta(days=1))  # the next daily digest reports them
    assert "RÉPONSES REFUSÉES" in text_of(digests(smtp)[-1].content)


def test_connection_dropped_after_data_is_never_sent_twice(world):
    """GIVEN an approved letter WHEN the SMTP server drops the connection after receiving the data
    THEN the e-mail is 'uncertain', never sent again by later polls, and the digest asks to check;
    WHEN the approver decides "RENVOYER" THEN it goes again, once."""
    config, smtp, user = world
    _, code, _ = start(world)
    smtp.fail_mode = "drop_after_data"
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=1))
    smtp.fail_mode = None
    for hours in (2, 30):
        poll(config, NOW + timedelta(hours=hours))
    assert len(captured(smtp, RECLAMATION)) == 1  # received once by the server, never re-sent
    (doc,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert doc["state"] == "uncertain"
    latest_mail = digests(smtp)[-1].content
    latest = text_of(latest_mail)
    assert "ENVOIS À VÉRIFIER" in latest and f"{code} " in latest
    user.append("INBOX", reply(latest_mail, f"RENVOYER {code}"))
    poll(config, NOW + timedelta(hours=31))
    poll(config, NOW + timedelta(hours=32))
    assert len(captured(smtp, RECLAMATION)) == 2
    (doc,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert doc["state"] == "sent"


def test_uncertain_letter_confirmed_received(world):
    """GIVEN a letter left uncertain by a dropped connection WHEN the approver answers "REÇU A1"
    THEN it is recorded as sent, never sent again, and the case moves on."""
    config, smtp, user = world
    _, code, _ = start(world)
    smtp.fail_mode = "drop_after_data"
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=1))
    smtp.fail_mode = None
    poll(config, NOW + timedelta(days=1))
    user.append("INBOX", reply(digests(smtp)[-1].content, f"REÇU {code}"))
    poll(config, NOW + timedelta(days=1, hours=1))
    assert len(captured(smtp, RECLAMATION)) == 1
    (doc,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert doc["state"] == "sent"
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["dates"].get("reclamation_sent")


CRASH_AFTER_ACCEPT = """
import os, signal, sys
from datetime import datetime
import cpambot.sending.outbox as ob
def die(self, doc):
    if doc.purpose == "reclamation":
        os.kill(os.getpid(), signal.SIGKILL)
ob.Outbox._after_accepted = die
from cpambot.service.poll import poll_once
from cpambot.config.loader import load_config
from cpambot.store.database import Store
config = load_config(sys.argv[1])
with Store.open(config.data_dir) as store:
    poll_once(config, store, now=datetime.fromisoformat(sys.argv[2]))
"""


def test_crash_between_sending_and_sent(world):
    """GIVEN an approved letter WHEN the bot is killed right after the SMTP server accepted it, before
    it could record 'sent' THEN on restart it is never sent a second time: it is 'uncertain' and the
    next digest asks the approver to check (no copy in Sent proves it either way)."""

    config, smtp, user = world
    _, code, _ = start(world)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    crashed = subprocess.run([sys.executable, "-c", CRASH_AFTER_ACCEPT, str(config.path),
                              (NOW + timedelta(hours=1)).isoformat()])
    assert crashed.returncode == -9
    assert len(captured(smtp, RECLAMATION)) == 1
    for hours in (2, 26):
        poll(config, NOW + timedelta(hours=hours))
    assert len(captured(smtp, RECLAMATION)) == 1
    (doc,) = [d for d in table(config, OUTBOX) if d["purpose"] == "reclamation"]
    assert doc["state"] == "uncertain"
    assert "ENVOIS À VÉRIFIER" in text_of(digests(smtp)[-1].content)


def test_ok_tout_with_a_refusal_sends_only_the_others(world):
    """GIVEN a digest with two drafts WHEN the approver answers "OK TOUT" and "NON" for one of them
    THEN the one named twice is neither sent nor dropped (contradictory orders: it stays pending,
    and the confirmation says so) and the other is sent once."""
    config, smtp, user = world
    _, invoice_code, retenue_code = start(world)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK TOUT\r\nNON {retenue_code}"))
    poll(config, NOW + timedelta(hours=1))
    (sent,) = captured(smtp, RECLAMATION)
    assert "000012201" in text_of(sent.content)
    states = {d["code"]: d["state"] for d in table(config, DRAFTS)}
    assert states[retenue_code] == "pending"
    confirmation = text_of([m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1].content)
    assert "contradictoires" in confirmation


def test_each_draft_comes_alone_and_can_be_rewritten(world):
    """GIVEN a new draft WHEN the bot drafts it THEN it also arrives on its own; WHEN the approver
    replies to it with her own text THEN the draft takes that text, waits, and comes back to her
    with it; an "OK" to the old message (showing the old text) releases nothing; WHEN she answers
    "OK" to the new one THEN her text is what the caisse receives."""
    config, smtp, user = world
    _, code, _ = start(world)
    notice = notice_for(smtp, code)
    mine = ("Madame, Monsieur,\r\nLa facture 000012201 du lot 038 ne m'a jamais été payée : merci de "
            "vérifier et de la régler (référence SCOR-123).\r\nCordialement,\r\nMarie Exemple")
    user.append("INBOX", reply(notice.content, mine))
    poll(config, NOW + timedelta(hours=1))
    draft = next(d for d in table(config, DRAFTS) if d["code"] == code)
    assert "SCOR-123" in draft["body"] and draft["state"] == "pending"
    assert captured(smtp, RECLAMATION) == []
    user.append("INBOX", reply(notice.content, "OK"))
    poll(config, NOW + timedelta(hours=2))
    assert captured(smtp, RECLAMATION) == []
    renewed = notice_for(smtp, code, last=True)
    assert "SCOR-123" in text_of(renewed.content)
    user.append("INBOX", reply(renewed.content, "OK"))
    poll(config, NOW + timedelta(hours=3))
    (sent,) = captured(smtp, RECLAMATION)
    assert "SCOR-123" in text_of(sent.content)


def test_annulation_requested_by_mail(world):
    """GIVEN the approver writes "ANNULER lot 042 facture 000012345 motif: erreur de cotation"
    WHEN the bot reads it THEN she gets the "URGENT / ANNULATION DE FACTURE" draft at once, and it
    reaches the caisse's annulation address only after her "OK"."""
    config, smtp, user = world
    config = config.__class__(**{**config.__dict__, "caisses": tuple(
        c.__class__(**{**c.__dict__, "addresses": {**c.addresses, "annulation": "flux-ps@cgss.re"}})
        for c in config.caisses if c.code == "974")})
    command = (f"From: Marie Exemple <{APPROVER}>\r\nTo: {APPROVER}\r\nSubject: annulation\r\n"
               f"Message-ID: <cmd1@example.org>\r\nDate: Mon, 20 Apr 2026 11:00:00 +0400\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n"
               "ANNULER lot 042 facture 000012345 motif: erreur de cotation\r\n").encode()
    user.append("INBOX", command)
    poll(config, NOW)
    (draft,) = [d for d in table(config, DRAFTS) if d["kind"] == "annulation"]
    assert draft["subject"].startswith("URGENT / ANNULATION DE FACTURE") and draft["state"] == "pending"
    assert captured(smtp, "flux-ps@cgss.re") == []
    user.append("INBOX", reply(notice_for(smtp, draft["code"]).content, "OK"))
    poll(config, NOW + timedelta(minutes=10))
    (sent,) = captured(smtp, "flux-ps@cgss.re")
    body = text_of(sent.content)
    assert "000012345" in body and "042" in body and "974123456" in body


def test_approved_draft_whose_mail_was_not_queued_is_recovered(world):
    """GIVEN a draft approved (Message-ID fixed) when the process stopped before queuing its e-mail
    WHEN the bot polls again THEN the e-mail is queued and sent, once, with that Message-ID."""
    config, smtp, user = world
    _, code, _ = start(world)
    with Store.open(config.data_dir) as store:
        from dataclasses import replace

        from cpambot.approval.decide import Effect, apply_decision
        from cpambot.approval.draftbook import DraftBook

        book = DraftBook(store)
        draft = book.by_code(code)
        assert draft is not None
        decision = apply_decision(draft, "approve", NOW, today=NOW.date(), days=None, text=None)
        assert decision.effect is Effect.APPROVE and decision.draft is not None
        book.save(replace(decision.draft, message_id="<a1.fixed@cpambot.example.org>"))
    poll(config, NOW + timedelta(hours=1))
    poll(config, NOW + timedelta(hours=2))
    (sent,) = captured(smtp, RECLAMATION)
    assert email.message_from_bytes(sent.content)["Message-ID"] == "<a1.fixed@cpambot.example.org>"


def test_a_waiting_draft_stays_approvable_beyond_the_token_validity(world):
    """GIVEN a draft listed in the daily digest for 9 days (tokens valid 7) WHEN the approver
    answers "OK" to the latest digest THEN it is sent: every listing renews its validity."""
    config, smtp, user = world
    _, code, _ = start(world)
    for day in range(1, 9):
        poll(config, NOW + timedelta(days=day))
    user.append("INBOX", reply(digests(smtp)[-1].content, f"OK {code}"))
    poll(config, NOW + timedelta(days=8, hours=2))
    assert len(captured(smtp, RECLAMATION)) == 1


def test_the_caisse_answering_a_letter_of_the_bot_is_read_as_a_caisse_message(world):
    """GIVEN a letter sent by the bot WHEN the caisse answers it (In-Reply-To its Message-ID)
    THEN the answer is read like any caisse message, not taken for an approval reply."""
    config, smtp, user = world
    _, code, _ = start(world)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=1))
    (letter,) = captured(smtp, RECLAMATION)
    letter_id = email.message_from_bytes(letter.content)["Message-ID"]
    answer = INDU.replace(b"Subject: ", b"In-Reply-To: " + letter_id.encode() + b"\nSubject: Re: ", 1)
    answer = answer.replace(b"Message-ID: <", b"Message-ID: <answer.", 1)
    user.append("INBOX", answer)
    poll(config, NOW + timedelta(hours=2))
    rows = [r for r in table(config, "ledger") if r.get("subject", "").startswith("Re: ")
            and r["from"] == "regulation-ps@cgss.re"]
    assert rows and rows[0]["category"] == "caisse" and rows[0]["reading"]["kind"] == "notification_indu"


def test_annulation_request_does_not_open_a_back_door(world):
    """GIVEN a new message (answering nothing) from the approver's address with an ANNULER line and
    "OK A1" with A1's token THEN only the annulation draft is prepared: nothing is sent to the caisse."""
    config, smtp, user = world
    _, code, _ = start(world)
    notice = text_of(notice_for(smtp, code).content)
    token_line = next(line for line in notice.splitlines() if line.startswith("Jeton"))
    command = (f"From: Marie Exemple <{APPROVER}>\r\nTo: {APPROVER}\r\nSubject: urgent\r\n"
               f"Message-ID: <cmd2@example.org>\r\nDate: Mon, 20 Apr 2026 11:00:00 +0400\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\n"
               f"ANNULER lot 042 facture 000012345 motif: erreur\r\nOK {code}\r\n{token_line}\r\n").encode()
    user.append("INBOX", command)
    poll(config, NOW + timedelta(hours=1))
    assert captured(smtp, RECLAMATION) == []
    assert next(d for d in table(config, DRAFTS) if d["code"] == code)["state"] == "pending"


def _unclear(week: int, invoice: str) -> bytes:
    """A CPAM message the reader cannot place: no title it knows, one invoice in a sentence."""
    return (f"From: CPAM de la Marne <suivi-activite.cpam-marne@assurance-maladie.fr>\r\n"
            f"To: {APPROVER}\r\nSubject: Suivi de votre activite - semaine {week}\r\n"
            f"Message-ID: <suivi.{week}@assurance-maladie.fr>\r\nDate: Mon, 13 Apr 2026 09:00:00 +0200\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Bonjour,\r\nfacture {invoice} du lot 123 : 45,00 EUR, a corriger et a renvoyer.\r\n"
            "Cordialement,\r\nCPAM de la Marne\r\n").encode()


def test_the_nurse_teaches_the_kind_of_a_message_by_reply(world):
    """GIVEN a caisse message the bot could not place, listed to sort in the digest WHEN the approver
    answers the digest "TYPE <case> retour" THEN the message is read again as a lot return (a case for
    its invoice, the to-sort case closed), a rule is kept, the confirmation says so, and the next
    message of the same shape is read as a lot return at once; a stranger's TYPE teaches nothing."""
    config, smtp, user = world
    user.append("INBOX", _unclear(15, "000045671"))
    poll(config, NOW)
    (to_sort,) = [c for c in table(config, "cases") if c["type"] == "to_sort"]
    digest = digests(smtp)[-1]
    assert f"« TYPE {to_sort['id']} retour »" in text_of(digest.content)
    user.append("INBOX", reply(digest.content, f"TYPE {to_sort['id']} retour",
                               sender="intrus@example.net"))
    poll(config, NOW + timedelta(minutes=30))
    assert table(config, "learned_rules") == []
    user.append("INBOX", reply(digest.content, f"TYPE {to_sort['id']} retour"))
    poll(config, NOW + timedelta(hours=1))
    (rule,) = table(config, "learned_rules")
    assert rule["kind"] == "retour_lots"
    assert rule["sender"] == "suivi-activite.cpam-marne@assurance-maladie.fr"
    cases = {c["id"]: c for c in table(config, "cases")}
    assert cases[to_sort["id"]]["state"] == "closed"
    assert any(c.get("invoice") == "000045671" and c["type"] == "invoice" for c in cases.values())
    confirmation = text_of(captured(smtp, APPROVER)[-1].content)
    assert "message relu" in confirmation and rule["id"] in confirmation
    user.append("INBOX", _unclear(16, "000045699").replace(b"suivi.16@", b"suivi.16b@"))
    poll(config, NOW + timedelta(hours=2))
    rows = [r for r in table(config, "ledger") if "semaine 16" in (r.get("subject") or "")]
    assert rows and rows[0]["reading"]["kind"] == "retour_lots"
    assert any(c.get("invoice") == "000045699" for c in table(config, "cases"))


def test_the_token_a_notice_shows_still_holds_after_the_next_digests(world):
    """GIVEN the notice of draft A1 showing its « Jeton : » line, then two daily digests listing A1
    WHEN she writes "OK A1" with that line in a reply to a message of the bot that does not list A1 (the
    confirmation of her earlier "NON A2") THEN A1 is sent: a digest renews a draft's validity, never
    its token."""
    config, smtp, user = world
    _, code, other = start(world)
    notice = text_of(notice_for(smtp, code).content)
    token = next(line.split(":", 1)[1].strip() for line in notice.splitlines() if line.startswith("Jeton :"))
    user.append("INBOX", reply(digests(smtp)[0].content, f"NON {other}"))
    poll(config, NOW + timedelta(hours=1))
    confirmation = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    for day in (1, 2):
        poll(config, NOW + timedelta(days=day))
    assert len(digests(smtp)) == 3
    user.append("INBOX", reply(confirmation.content, f"OK {code}\r\nJeton : {token}",
                               when=NOW + timedelta(days=2, hours=1)))
    poll(config, NOW + timedelta(days=2, hours=2))
    (sent,) = captured(smtp, RECLAMATION)
    assert "000012201" in text_of(sent.content)
