"""A caisse whose réclamations go by registered post, end to end against the real Dovecot and a real SMTP
server: once approved, the letter comes to her as a PDF to print; « POSTÉ A1 n° » moves the case on as if
the bot had sent it; « AR A1 date » notes the signed receipt on the case."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import timedelta

import pytest
from mailflow import (
    APPROVER,
    CAISSE_974,
    NOW,
    RECLAMATION,
    REJECT,
    captured,
    digests,
    poll,
    reply,
    subject_of,
    table,
    text_of,
)
from pypdf import PdfReader

from cpambot.approval.draftbook import DRAFTS

POSTAL = CAISSE_974 + ('[caisses.canaux]\nreclamation = "courrier"\n[caisses.adresses_postales]\n'
                       'reclamation = ["Service des relations avec les professionnels de santé", '
                       '"14 rue du Ravin", "51100 Reims"]\n')


@pytest.fixture
def postal_world(world_with):
    return world_with(POSTAL)


def reclamation_code(config) -> str:
    (code,) = [d["code"] for d in table(config, DRAFTS) if d["kind"] == "reclamation"]
    return code


def test_a_reclamation_posted_registered(postal_world):
    """GIVEN the CPAM 511 taking réclamations by post, with its postal address, and a NOEMIE reject WHEN
    she approves the réclamation THEN nothing goes to the caisse and she gets a PDF whose text has the
    caisse's address, the registered mention and the letter, with the steps; the digest lists it to post;
    WHEN she answers the next day « POSTÉ A1 le 20/04 1A 234 567 890 12 » THEN the draft is sent and the
    case records the réclamation as posted on 20/04 with its tracking number; WHEN « AR A1 24/04 » THEN
    the signed receipt is noted."""
    config, smtp, user = postal_world
    user.append("INBOX", REJECT)
    poll(config, NOW)
    code = reclamation_code(config)
    assert "à imprimer et poster par vous en recommandé" in text_of(digests(smtp)[0].content)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=2))
    (mail,) = [m for m in captured(smtp, APPROVER) if "à poster en recommandé" in subject_of(m)]
    message = email.message_from_bytes(mail.content, policy=email.policy.default)
    (pdf,) = [p for p in message.iter_attachments() if p.get_filename() == f"{code}-reclamation.pdf"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    for part in ("CPAM de la Marne", "51100 Reims", "Lettre recommandée avec accusé de réception",
                 "000012201", "Madame, Monsieur", "Le 20 avril 2026"):
        assert part in text, part
    assert f"POSTÉ {code}" in text_of(mail.content) and f"AR {code}" in text_of(mail.content)
    poll(config, NOW + timedelta(days=1))
    assert "À POSTER PAR VOUS EN RECOMMANDÉ (1)" in text_of(digests(smtp)[-1].content)

    user.append("INBOX", reply(digests(smtp)[-1].content, f"POSTÉ {code} le 20/04 1A 234 567 890 12"))
    poll(config, NOW + timedelta(days=1, hours=2))
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["state"] == "waiting" and case["dates"]["reclamation_sent"] == "2026-04-20"
    assert any("postée en recommandé, n° de suivi 1A23456789012" in h["text"] for h in case["history"])
    user.append("INBOX", reply(digests(smtp)[-1].content, f"AR {code} 24/04"))
    poll(config, NOW + timedelta(days=5))
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert any("accusé de réception du recommandé" in h["text"] and "24/04/2026" in h["text"]
               for h in case["history"])
    assert captured(smtp, RECLAMATION) == []


def test_a_postal_letter_without_the_postal_address_asks_for_it(world_with):
    """GIVEN réclamations by post but no postal address for them WHEN the reject arrives THEN the draft
    cannot be written and says which address is missing, in French."""
    config, _smtp, imap_user = world_with(CAISSE_974 + '[caisses.canaux]\nreclamation = "courrier"\n')
    imap_user.append("INBOX", REJECT)
    poll(config, NOW)
    (draft,) = [d for d in table(config, DRAFTS) if d["kind"] == "reclamation"]
    assert draft["state"] == "missing"
    assert draft["missing"][0].startswith("adresse postale « reclamation » de la caisse 511")


def test_a_letter_waiting_to_be_posted_is_dropped_when_its_case_closes(postal_world):
    """GIVEN a réclamation approved and waiting for her to post it WHEN she answers « PAYÉ » for its case
    (the caisse paid meanwhile) THEN the letter is no longer to post: the next digest does not list it
    and its draft is obsolete, with the reason."""
    config, smtp, user = postal_world
    user.append("INBOX", REJECT)
    poll(config, NOW)
    code = reclamation_code(config)
    user.append("INBOX", reply(digests(smtp)[0].content, f"OK {code}"))
    poll(config, NOW + timedelta(hours=2))
    (draft,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert draft["state"] == "to_post"
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    user.append("INBOX", reply(digests(smtp)[0].content, f"PAYÉ {case['id']}"))
    poll(config, NOW + timedelta(days=1))
    (draft,) = [d for d in table(config, DRAFTS) if d["code"] == code]
    assert draft["state"] == "obsolete" and draft["reason"] == "dossier clos"
    assert "À POSTER PAR VOUS" not in text_of(digests(smtp)[-1].content)
