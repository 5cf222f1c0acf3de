"""End to end, against the real Dovecot and a real SMTP server: she acts on her cases by reply — what she
did herself (FAIT), a payment seen (PAYÉ), a case closed (CLASSER), a note, the day a registered letter
arrived (REÇU), and the case's whole story (DÉTAIL) — with the same checks as an approval."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

from mailflow import APPROVER, INDU, NOW, captured, digests, poll, reply, start, subject_of, table

from cpambot.approval.draftbook import DRAFTS


def case_of(config, **wanted):
    return next(c for c in table(config, "cases") if all(c.get(k) == v for k, v in wanted.items()))


def last_confirmation(smtp) -> str:
    message = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    return email.message_from_bytes(message.content, policy=email.policy.default) \
        .get_body(preferencelist=("plain",)).get_content()


def test_what_she_did_herself_a_note_and_the_story_of_a_case(world):
    """GIVEN a rejected invoice (réclamation A1 proposed) and a retenue (A2) WHEN she answers the digest
    "FAIT C<invoice> réclamation déposée sur amelipro", "NOTE C<retenue> appelé la caisse" and "DÉTAIL
    C<retenue>" THEN the invoice's case waits for the caisse with the réclamation dated today, A1 is no
    longer proposed (nothing is sent), the note is in the other case's history, and the confirmation says
    each in one line and tells the retenue's story with its letters."""
    config, smtp, user = world
    _, invoice_code, retenue_code = start(world)
    invoice, retenue = case_of(config, invoice="000012201"), case_of(config, type="retenue")
    user.append("INBOX", reply(digests(smtp)[0].content,
                               f"FAIT {invoice['id']} réclamation déposée sur amelipro\r\n"
                               f"NOTE {retenue['id']} appelé la caisse, rappel promis\r\n"
                               f"DÉTAIL {retenue['id']}"))
    poll(config, NOW + timedelta(hours=1))
    invoice = case_of(config, id=invoice["id"])
    assert invoice["state"] == "waiting" and invoice["dates"]["reclamation_sent"] == "2026-04-20"
    assert any("déposée sur amelipro" in h["text"] for h in invoice["history"])
    states = {d["code"]: d["state"] for d in table(config, DRAFTS)}
    assert states[invoice_code] == "obsolete" and states[retenue_code] == "pending"
    assert captured(smtp, "reclamations-ps.cpam-marne@assurance-maladie.fr") == []
    retenue = case_of(config, id=retenue["id"])
    assert retenue["history"][-1]["text"] == "note : appelé la caisse, rappel promis"
    text = last_confirmation(smtp)
    assert f"{invoice['id']} : noté, réclamation faite par vous" in text
    assert f"{retenue['id']} : note ajoutée" in text and f"Dossier {retenue['id']}" in text
    assert "Historique :" in text and f"{retenue_code} – " in text
    assert any("bien reçu : 3 commandes comprises" in subject_of(m) for m in captured(smtp, APPROVER))


def test_paid_and_closed_cases_stop_their_letters(world):
    """GIVEN the two cases and their drafts WHEN she answers "PAYÉ" for one and "CLASSER … doublon" for the
    other THEN both cases are closed with her words, and the next digest proposes neither letter."""
    config, smtp, user = world
    start(world)
    invoice, retenue = case_of(config, invoice="000012201"), case_of(config, type="retenue")
    user.append("INBOX", reply(digests(smtp)[0].content,
                               f"payé {invoice['id']}\r\n"
                               f"CLASSER {retenue['id']} retenue justifiée, vue avec la caisse"))
    poll(config, NOW + timedelta(hours=1))
    assert case_of(config, id=invoice["id"])["state"] == "closed"
    closed = case_of(config, id=retenue["id"])
    assert closed["state"] == "closed"
    assert closed["status"] == "classé : retenue justifiée, vue avec la caisse"
    poll(config, NOW + timedelta(days=1))
    daily = email.message_from_bytes(digests(smtp)[-1].content, policy=email.policy.default)
    assert "BROUILLONS À APPROUVER" not in daily.get_body(preferencelist=("plain",)).get_content()
    assert {d["state"] for d in table(config, DRAFTS)} == {"obsolete"}


def test_the_day_a_registered_letter_arrived_moves_its_deadlines(world):
    """GIVEN an indu notified by a letter dated 14 April (CRA deadline two months after receipt) WHEN she
    answers "REÇU C<indu> 18/04" THEN the notification counts from 18 April and its deadlines move later;
    a day before the letter is refused and changes nothing."""
    config, smtp, user = world
    user.append("INBOX", INDU)
    poll(config, NOW)
    indu = case_of(config, type="indu")
    before = {d["name"]: d["due"] for d in indu["deadlines"]}
    user.append("INBOX", reply(digests(smtp)[0].content,
                               f"REÇU {indu['id']} 25/12\r\nREÇU {indu['id']} 18/04"))
    poll(config, NOW + timedelta(hours=1))
    indu = case_of(config, id=indu["id"])
    assert indu["dates"]["notified"] == "2026-04-18"
    after = {d["name"]: d["due"] for d in indu["deadlines"]}
    assert after.keys() == before.keys() and all(after[k] > before[k] for k in after)
    assert date.fromisoformat(after["cra_referral"]) >= date(2026, 6, 18)
    assert "réception le 25/12/2025 impossible (la notification d'indu est datée du 14/04/2026)" \
        in last_confirmation(smtp)


ANSWER = """From: CPAM de la Marne <reclamations-ps.cpam-marne@assurance-maladie.fr>
To: marie.exemple@example.org
Subject: Votre reclamation - facture 000012201
Date: Tue, 12 May 2026 09:00:00 +0200
Message-ID: <rep.000012201@assurance-maladie.fr>
Content-Type: text/plain; charset=utf-8

Madame,

Nous faisons suite à votre réclamation du 20/04/2026 concernant la facture 000012201.

Après examen, nous ne pouvons pas donner une suite favorable à votre réclamation : le rejet est maintenu.

Cordialement,
Le service des relations avec les professionnels de santé
""".replace("\n", "\r\n").encode()


def test_an_answer_of_the_caisse_withdraws_the_letters_it_makes_pointless(world):
    """GIVEN a réclamation sent on 20 April and, three weeks later, the conciliateur referral proposed for
    want of an answer WHEN the caisse's answer to the réclamation arrives THEN the referral is no longer
    proposed, and the next digest says it will not leave, and why."""
    config, smtp, user = world
    _, code, _ = start(world)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(minutes=1))
    poll(config, NOW + timedelta(days=22))
    (referral,) = [d for d in table(config, DRAFTS) if d["kind"] == "saisine_conciliateur"]
    assert referral["state"] in ("pending", "missing")  # (the conciliateur's address may be asked)
    user.append("INBOX", ANSWER)
    poll(config, NOW + timedelta(days=22, hours=2))
    (referral,) = [d for d in table(config, DRAFTS) if d["kind"] == "saisine_conciliateur"]
    assert referral["state"] == "obsolete"
    assert referral["reason"] == "la caisse a répondu à la réclamation le 12/05/2026"
    poll(config, NOW + timedelta(days=23))
    text = email.message_from_bytes(digests(smtp)[-1].content, policy=email.policy.default) \
        .get_body(preferencelist=("plain",)).get_content()
    assert "COURRIERS DEVENUS SANS OBJET" in text
    named = referral["subject"] or referral["label"]
    assert f"{referral['code']} {named} : la caisse a répondu à la réclamation le 12/05/2026" in text
