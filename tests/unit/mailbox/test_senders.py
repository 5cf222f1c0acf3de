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


@pytest.mark.parametrize("sender,headers", [
    ("MAILER-DAEMON@mx.example.org (Mail Delivery System)", {}),
    ("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", {}),
    ("postmaster@orange.fr", {}),
    ("Microsoft Outlook <MicrosoftExchange329e71ec@cabinet.onmicrosoft.com>",
     {"Content_Type": 'multipart/report; report-type=delivery-status;\r\n\tboundary="b1"'}),
])
def test_delivery_reports_are_fetched_as_bounces(sender, headers):
    """GIVEN a mail server's delivery report (from a mailer daemon or a postmaster, or any sender's
    multipart/report of delivery status) WHEN assessed THEN it is a bounce, whose body is fetched."""
    found = verdict(sender, **headers)
    assert found.category == "bounce" and found.fetch_body


def test_a_report_of_another_kind_from_a_person_is_not_a_bounce():
    """GIVEN a colleague's message, and a read receipt (multipart/report of disposition) WHEN assessed
    THEN neither is a bounce."""
    assert verdict("Claire <claire@example.net>").category == "other"
    receipt = verdict("Claire <claire@example.net>",
                      Content_Type="multipart/report; report-type=disposition-notification")
    assert receipt.category == "other"


@pytest.mark.parametrize("sender", [
    "Assurance Maladie <ameli-remboursement@secure-ameli-fr.com>",
    "Ameli <service@ameli.fr.verif-compte.net>",
    "=?utf-8?q?Assurance_Maladie?= <contact@free-rembours.com>",
    "CPAM Service <noreply@cpam-remboursement.info>",
    "Sécurité Sociale <x@gouv-secu.com>",
    "Service client <remboursement@xn--amel-o9d.fr>",  # "amelі.fr" with a Cyrillic і
    "Almerys Tiers Payant <service-paiement@almerys-tierspayant.com>",  # a platform imitated
    "Service PS <ps@viamedis-paiements.fr>",
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


def _assess_lines(lines: list[str], policy: SenderPolicy):
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return assess(summarize(raw, len(raw)), policy)


OURS = SenderPolicy.build(approvers=["marie@example.org"], authserv_ids=["mx.example.org"],
                          forwarders=["marie.idel@gmail.com"])


@pytest.mark.parametrize("results,category", [
    (["mx.example.org; spf=fail smtp.mailfrom=assurance-maladie.fr; dkim=none; dmarc=fail"], "suspect"),
    (["mx.example.org; spf=fail smtp.mailfrom=x.fr; dkim=none; dmarc=none"], "suspect"),
    (["mx.example.org; spf=fail smtp.mailfrom=x.fr; dkim=pass header.d=assurance-maladie.fr; dmarc=pass"],
     "caisse"),
    (["mx.example.org; spf=pass; dkim=pass; dmarc=pass"], "caisse"),
    # the sender's own claim of "pass" cannot hide our "fail", in either order
    (["mail.assurance-maladie.fr; dmarc=pass", "mx.example.org; dmarc=fail"], "suspect"),
    (["mx.example.org; dmarc=fail", "mail.assurance-maladie.fr; dmarc=pass"], "suspect"),
    # a "fail" written under another id proves nothing
    (["mx.example.org; spf=pass; dkim=pass; dmarc=pass", "evil.example; dmarc=fail"], "caisse"),
    ([], "caisse"),
])
def test_caisse_domain_forged_per_our_server_is_suspect(results, category):
    """GIVEN a From on a caisse domain and Authentication-Results headers WHEN assessed with our
    server's authserv-id THEN only our server's DMARC/SPF failure makes it suspect."""
    lines = ["From: CPAM <relation-ps@assurance-maladie.fr>", "Subject: indu"]
    lines += [f"Authentication-Results: {r}" for r in results]
    verdict = _assess_lines(lines, OURS)
    assert verdict.category == category
    if category == "suspect":
        assert "usurpée" in verdict.reason


def test_without_configured_id_the_topmost_result_is_ours():
    """GIVEN no configured authserv-id WHEN the topmost Authentication-Results reports dmarc=fail
    THEN the caisse From is suspect; a lower header (added by the sender) is not believed."""
    policy = SenderPolicy.build()
    forged = ["From: CPAM <relation-ps@assurance-maladie.fr>",
              "Authentication-Results: mx.example.org; dmarc=fail header.from=assurance-maladie.fr",
              "Authentication-Results: mx.example.org; dmarc=pass header.from=assurance-maladie.fr"]
    assert _assess_lines(forged, policy).category == "suspect"
    genuine = ["From: CPAM <relation-ps@assurance-maladie.fr>",
               "Authentication-Results: mx.example.org; dmarc=pass header.from=assurance-maladie.fr",
               "Authentication-Results: other.example; dmarc=fail"]
    assert _assess_lines(genuine, policy).category == "caisse"


def test_forwarder_address_is_owner_not_approver():
    """GIVEN an address listed as one of the professional's other addresses WHEN it writes THEN it
    is "owner" (its forwards are read) and never "approver" (it cannot approve)."""
    assert _assess_lines(["From: Marie <marie.idel@gmail.com>"], OURS).category == "owner"
    assert _assess_lines(["From: Marie <marie@example.org>"], OURS).category == "approver"
