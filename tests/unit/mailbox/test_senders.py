"""Sender recognition: real caisse domains are trusted, look-alikes never are."""

import pytest

from cpambot.mailbox.headers import summarize
from cpambot.mailbox.senders import SenderPolicy, assess, domain_matches

POLICY = SenderPolicy.build(approvers=["marie@example.org"], bot_id_domain="cpambot.example.org")


def verdict(from_header: str, **headers: str):
    lines = [f"From: {from_header}", "Subject: test"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return assess(summarize(raw, len(raw)), POLICY)


@pytest.mark.parametrize("sender,category", [
    ("01511@511.01.rss.fr", "caisse"),
    ("Assurance Maladie <noreply@ameli.fr>", "caisse"),
    ("CPAM <relations-ps.cpam-marne@assurance-maladie.fr>", "caisse"),
    ("CGSS <service.ps@cgss.re>", "caisse"),
    ("Viamedis <noreply@viamedis.fr>", "amc"),
    ("Almerys <ps@mail.almerys.com>", "amc"),
    ("Un ami <ami@example.net>", "other"),
])
def test_known_senders(sender, category):
    """GIVEN a sender WHEN assessed THEN its category follows its domain."""
    assert verdict(sender).category == category


@pytest.mark.parametrize("sender", [
    "Assurance Maladie <ameli-remboursement@secure-ameli-fr.com>",
    "Ameli <service@ameli.fr.verif-compte.net>",
    "=?utf-8?q?Assurance_Maladie?= <contact@free-rembours.com>",
    "CPAM Service <noreply@cpam-remboursement.info>",
    "Sécurité Sociale <x@gouv-secu.com>",
    "Service client <remboursement@xn--amel-o9d.fr>",  # "amelі.fr" with a Cyrillic і
])
def test_lookalikes_are_suspect(sender):
    """GIVEN a display name or address imitating the caisse on a foreign domain
    WHEN assessed THEN the message is suspect, never trusted."""
    result = verdict(sender)
    assert result.category == "suspect"
    assert "hameçonnage" in result.reason or "se présente" in result.reason


def test_domain_matching_is_exact_or_subdomain():
    """GIVEN near-miss domains WHEN matched THEN only equal domains or true subdomains match."""
    assert domain_matches("ameli.fr", ["ameli.fr"]) == "ameli.fr"
    assert domain_matches("mail.ameli.fr", ["ameli.fr"]) == "ameli.fr"
    assert domain_matches("fakeameli.fr", ["ameli.fr"]) is None
    assert domain_matches("ameli.fr.evil.com", ["ameli.fr"]) is None


def test_approver_and_replies():
    """GIVEN the approver's messages WHEN assessed THEN replies to the bot are told apart."""
    assert verdict("Marie <MARIE@example.org>").category == "approver"
    reply = verdict("marie@example.org", In_Reply_To="<d1.x@cpambot.example.org>")
    assert reply.category == "reply"
    own = verdict("marie@example.org", Message_ID="<d2.y@cpambot.example.org>")
    assert own.category == "own"


def test_missing_sender():
    """GIVEN no From header WHEN assessed THEN the message is simply unrelated."""
    raw = b"Subject: x\r\n\r\n"
    assert assess(summarize(raw, len(raw)), POLICY).category == "other"
