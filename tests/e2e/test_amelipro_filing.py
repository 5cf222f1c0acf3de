"""A caisse that wants réclamations through amelipro (RECLA PS), end to end against the real Dovecot and
a real SMTP server: the bot never e-mails the caisse; once approved, the text comes to her ready to
paste; « FAIT A1 » moves the case on as if the bot had sent it."""

from __future__ import annotations

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

from cpambot.approval.draftbook import DRAFTS

AMELIPRO = CAISSE_974 + '[caisses.canaux]\nreclamation = "amelipro"\n'


@pytest.fixture
def amelipro_world(world_with):
    return world_with(AMELIPRO)


def drafts_by_code(config):
    return {d["code"]: d for d in table(config, DRAFTS)}


def test_a_reclamation_filed_on_amelipro(amelipro_world):
    """GIVEN the CPAM 511 configured to take réclamations on amelipro, and a NOEMIE reject WHEN the bot
    polls THEN the réclamation is drafted « à déposer par vous sur amelipro » (no address needed);
    WHEN she answers OK THEN nothing goes to the caisse, she gets the object and message to paste and the
    steps, and the digest lists it to file; WHEN she answers FAIT A1 THEN the draft is sent, the case
    records the réclamation as made that day and waits; the caisse never received an e-mail."""
    config, smtp, user = amelipro_world
    user.append("INBOX", REJECT)
    poll(config, NOW)
    (draft,) = [d for d in drafts_by_code(config).values() if d["kind"] == "reclamation"]
    code = draft["code"]
    assert draft["state"] == "pending" and draft["channel"] == "amelipro" and draft["to"] == []
    digest = digests(smtp)[0].content
    assert f"{code}" in text_of(digest) and "à déposer par vous sur amelipro" in text_of(digest)

    user.append("INBOX", reply(digest, f"OK {code}"))
    poll(config, NOW + timedelta(hours=2))
    filing = [m for m in captured(smtp, APPROVER) if "à déposer sur amelipro" in subject_of(m)]
    assert len(filing) == 1
    text = text_of(filing[0].content)
    assert "OBJET" in text and "MESSAGE" in text and "000012201" in text and f"FAIT {code}" in text
    assert drafts_by_code(config)[code]["state"] == "to_file"
    poll(config, NOW + timedelta(days=1))
    later = text_of(digests(smtp)[-1].content)
    assert "À DÉPOSER PAR VOUS SUR AMELIPRO (1)" in later and f"FAIT {code}" in later

    user.append("INBOX", reply(digests(smtp)[-1].content, f"FAIT {code}"))
    poll(config, NOW + timedelta(days=1, hours=2))
    assert drafts_by_code(config)[code]["state"] == "sent"
    (case,) = [c for c in table(config, "cases") if c.get("invoice") == "000012201"]
    assert case["state"] == "waiting" and case["dates"]["reclamation_sent"] == "2026-04-21"
    assert any("déposée sur amelipro" in h["text"] for h in case["history"])
    assert captured(smtp, RECLAMATION) == []
    confirmation = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    assert "noté comme déposé sur amelipro" in text_of(confirmation.content)


def test_fait_on_a_draft_that_was_not_to_file(amelipro_world):
    """GIVEN a draft still pending WHEN she answers FAIT A1 THEN nothing changes and the confirmation says
    there is nothing to file."""
    config, smtp, user = amelipro_world
    user.append("INBOX", REJECT)
    poll(config, NOW)
    (code,) = [d["code"] for d in drafts_by_code(config).values() if d["kind"] == "reclamation"]
    user.append("INBOX", reply(digests(smtp)[0].content, f"FAIT {code}"))
    poll(config, NOW + timedelta(hours=2))
    assert drafts_by_code(config)[code]["state"] == "pending"
    confirmation = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    said = text_of(confirmation.content)
    assert f"{code} : rien à déposer sur amelipro (en attente de votre accord)" in said
