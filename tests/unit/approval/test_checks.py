"""Approval by reply: tokens, the message checks (sender, reference, auto-reply, authentication)
and the per-draft release rule."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from cpambot.approval.checks import Proposal, Verdict, check_reply, may_release, token_problem
from cpambot.approval.tokens import find_tokens, hash_token, new_token, reply_address, token_matches
from cpambot.mailbox.auth_results import authentication_results, parse_auth_results
from cpambot.mailbox.headers import header_block, summarize
from cpambot.randomness import SystemRandom

NOW = datetime(2025, 11, 3, 9, 0, tzinfo=UTC)
APPROVER = "marie.dupont@example.org"
APPROVERS = {APPROVER}
MX = "mx.example.net"  # our own provider's authserv-id
DIGEST_ID = "<digest-20251103.k2m7@cabinet-dupont.fr>"
DRAFT_ID = "<draft-a7.p1w8@cabinet-dupont.fr>"
OTHER_DIGEST_ID = "<digest-20251027.z5t4@cabinet-dupont.fr>"
OURS = {DIGEST_ID, DRAFT_ID, OTHER_DIGEST_ID}
GOOD_AR = f"{MX}; dkim=pass header.d=example.org header.s=s1; spf=pass smtp.mailfrom=example.org; dmarc=pass"


def headers_of(*, sender: str = f"Marie Dupont <{APPROVER}>", subject: str = "Re: cpambot – récapitulatif",
               in_reply_to: str | None = DIGEST_ID, references: str | None = None,
               auth: tuple[str, ...] = (GOOD_AR,), extra: tuple[str, ...] = ()):
    """(HeaderSummary, every Authentication-Results value) of a reply built from header lines."""
    lines = [f"Authentication-Results: {value}" for value in auth]
    lines += [f"From: {sender}", "To: cpambot <cpambot@cabinet-dupont.fr>", f"Subject: {subject}",
              "Message-ID: <reply-1@mail.example.org>", "Date: Mon, 03 Nov 2025 08:55:00 +0100"]
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    if references:
        lines.append(f"References: {references}")
    lines += list(extra)
    raw = ("\r\n".join(lines) + "\r\n\r\nOK A7\r\n").encode()
    block = header_block(raw)
    return summarize(block, len(raw)), authentication_results(block)


def check(**kwargs) -> Verdict:
    options = {k: kwargs.pop(k) for k in ("authserv_ids", "approvers", "require_reference", "require_pass")
               if k in kwargs}
    headers, auth = headers_of(**kwargs)
    return check_reply(headers, approvers=options.get("approvers", APPROVERS), our_message_ids=OURS,
                       authserv_ids=options.get("authserv_ids", (MX,)), raw_auth_results=auth, now=NOW,
                       **{k: v for k, v in options.items() if k in ("require_reference", "require_pass")})


# --------------------------------------------------------------------------- tokens


def test_new_token_is_random_urlsafe_lowercase_and_hashed():
    """GIVEN two fresh tokens
    WHEN generated
    THEN each is 24 url-safe lower-case characters, stored as the sha256 hex of itself, and they differ."""
    (token, token_hash), (other, _) = new_token(SystemRandom()), new_token(SystemRandom())
    assert re.fullmatch(r"[a-z0-9_-]{24}", token)
    assert token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token != other


def test_token_matches():
    """GIVEN a stored hash
    WHEN tokens are presented
    THEN only the right one matches, whatever its case (addresses are compared without case)."""
    token, token_hash = new_token(SystemRandom())
    assert token_matches(token, token_hash)
    assert token_matches(token.upper(), token_hash)
    assert not token_matches(token[:-1] + ("a" if token[-1] != "a" else "b"), token_hash)
    assert not token_matches("", token_hash)
    assert not token_matches(token, "")


def test_reply_address_and_find_tokens_from_recipients():
    """GIVEN a Reply-To plus-address carrying a token
    WHEN the reply comes back to it (display name, upper case, among other recipients)
    THEN the token is found; with base_address only our own plus-address counts."""
    token, _ = new_token(SystemRandom())
    address = reply_address("cpambot@cabinet-dupont.fr", token)
    assert address == f"cpambot+{token}@cabinet-dupont.fr"
    to = [f'"cpambot" <{address.upper()}>', f"Comptable <compta+{'x' * 24}@example.org>"]
    assert token in find_tokens(to, "")
    assert find_tokens(to, "", base_address="cpambot@cabinet-dupont.fr") == {token}
    assert find_tokens(["cpambot@cabinet-dupont.fr", "", "not an address"], "") == set()


def test_find_tokens_in_quoted_draft_text():
    """GIVEN the "Jeton : …" line of the draft, quoted back with ">" and a non-breaking space
    WHEN tokens are searched in the full body
    THEN the token is found (lower-cased) and nothing else."""
    token, token_hash = new_token(SystemRandom())
    body = (f"OK\n\nLe 3 nov. 2025 à 07:00, cpambot a écrit :\n> Madame, Monsieur,\n"
            f"> Jeton\u00a0: {token.upper()}\n")
    found = find_tokens([], body)
    assert found == {token}
    assert any(token_matches(t, token_hash) for t in found)


def test_reply_address_refuses_bad_input():
    """GIVEN a base without "@" or a token with foreign characters WHEN building THEN ValueError."""
    with pytest.raises(ValueError):
        reply_address("cpambot", "abcdefghijklmnopqrstuvwx")
    with pytest.raises(ValueError):
        reply_address("cpambot@example.org", "abc@def")


# --------------------------------------------------------------------------- check_reply: accepted


def test_genuine_reply_is_accepted():
    """GIVEN a reply of the approver to the digest, authenticated by our provider
    WHEN checked
    THEN it is accepted and the digest is its parent."""
    verdict = check()
    assert verdict.accepted and verdict.reasons == []
    assert verdict.parent_id == DIGEST_ID and verdict.referenced == (DIGEST_ID,)


def test_uppercase_sender_address_is_accepted():
    """GIVEN the approver's address typed in upper case WHEN checked THEN it is the same address."""
    assert check(sender="MARIE.DUPONT@EXAMPLE.ORG").accepted
    assert check(sender='"DUPONT Marie" <Marie.Dupont@Example.ORG>').accepted


def test_references_without_in_reply_to():
    """GIVEN a client that sends only References (thread of two of our messages)
    WHEN checked
    THEN the last reference is the parent."""
    verdict = check(in_reply_to=None, references=f"{OTHER_DIGEST_ID} {DIGEST_ID}")
    assert verdict.accepted
    assert verdict.parent_id == DIGEST_ID
    assert verdict.referenced == (OTHER_DIGEST_ID, DIGEST_ID)


def test_no_authserv_configured_skips_authentication():
    """GIVEN no authserv-id configured
    WHEN a reply without Authentication-Results is checked THEN it is accepted."""
    assert check(authserv_ids=(), auth=()).accepted


# --------------------------------------------------------------------------- sender


@pytest.mark.parametrize("sender,reason", [
    ("Marie Dupont <intrus@evil.example>", "expéditeur non autorisé : intrus@evil.example"),
    (f'"Marie Dupont <{APPROVER}>" <intrus@evil.example>', "expéditeur non autorisé : intrus@evil.example"),
    (f'"{APPROVER}" <intrus@evil.example>', "expéditeur non autorisé : intrus@evil.example"),
    ("Comptable <compta@cabinet-dupont.fr>", "expéditeur non autorisé : compta@cabinet-dupont.fr"),
    (f"{APPROVER}, intrus@evil.example",
     f"plusieurs adresses d'expéditeur : {APPROVER}, intrus@evil.example"),
    ("", "expéditeur absent ou illisible"),
])
def test_sender_must_be_the_approver(sender, reason):
    """GIVEN a reply whose From address is not the approver's (the approver's name or address
    only in the display name, a CC'd third party replying, several From addresses)
    WHEN checked
    THEN it is refused with the French reason naming the real address."""
    verdict = check(sender=sender)
    assert not verdict.accepted
    assert reason in verdict.reasons


def test_cc_third_party_reply_with_valid_everything_else_is_refused():
    """GIVEN the accountant, in copy of the digest, replying "OK TOUT" to it with a perfect DKIM
    WHEN checked
    THEN it is refused: only the approver decides."""
    auth = f"{MX}; dkim=pass header.d=cabinet-dupont.fr; dmarc=pass"
    verdict = check(sender="Comptable <compta@cabinet-dupont.fr>", auth=(auth,))
    assert verdict.reasons == ["expéditeur non autorisé : compta@cabinet-dupont.fr"]


def test_sent_on_behalf_is_refused():
    """GIVEN From = approver but Sender = someone else (Outlook "on behalf of")
    WHEN checked THEN refused."""
    verdict = check(extra=("Sender: secretariat@example.org",))
    assert verdict.reasons == [f"envoyé pour le compte de {APPROVER} par secretariat@example.org"]
    assert check(extra=(f"Sender: {APPROVER.upper()}",)).accepted


# --------------------------------------------------------------------------- reference


@pytest.mark.parametrize("in_reply_to,references", [
    (None, None),
    ("<unrelated@mail.example.org>", None),
    ("<unrelated@mail.example.org>", "<other@mail.example.org>"),
])
def test_reply_must_reference_one_of_our_messages(in_reply_to, references):
    """GIVEN a message from the approver that does not answer any message the bot sent
    WHEN checked
    THEN it is refused."""
    verdict = check(in_reply_to=in_reply_to, references=references)
    assert verdict.reasons == ["ne répond à aucun message envoyé par cpambot"]
    assert verdict.parent_id is None


def test_reference_can_be_waived_for_a_token_flow():
    """GIVEN require_reference=False (the caller demands a token instead)
    WHEN a fresh message is checked
    THEN the reference check is skipped, and no parent is known."""
    verdict = check(in_reply_to=None, require_reference=False)
    assert verdict.accepted and verdict.parent_id is None


def test_parent_not_ours_but_reference_ours():
    """GIVEN a reply to someone else's message in a thread that contains our digest
    WHEN checked
    THEN it references us (accepted) but has no parent of ours: it cannot release by listing."""
    verdict = check(in_reply_to="<someone@mail.example.org>",
                    references=f"{DIGEST_ID} <someone@mail.example.org>")
    assert verdict.accepted
    assert verdict.parent_id is None and verdict.referenced == (DIGEST_ID,)


# --------------------------------------------------------------------------- auto-replies


@pytest.mark.parametrize("subject,extra", [
    ("Re: cpambot", ("Auto-Submitted: auto-replied",)),
    ("Re: cpambot", ("Auto-Submitted: auto-generated",)),
    ("Re: cpambot", ("X-Autoreply: yes",)),
    ("Re: cpambot", ("Precedence: bulk",)),
    ("Re: cpambot", ("Precedence: auto_reply",)),
    ("Re: cpambot", ("Precedence: junk",)),
    ("Réponse automatique : cpambot – récapitulatif", ()),
    ("Reponse automatique: cpambot", ()),
    ("RE: Absence du cabinet jusqu'au 10/11", ()),
    ("Absent(e) : cpambot", ()),
    ("Out of Office: cpambot", ()),
    ("Automatic reply: cpambot – récapitulatif", ()),
    ("=?UTF-8?Q?R=C3=A9ponse_automatique_:_cpambot?=", ()),
])
def test_auto_replies_are_refused(subject, extra):
    """GIVEN an out-of-office or other automatic answer to the digest
    WHEN checked
    THEN it is refused as an automatic reply."""
    verdict = check(subject=subject, extra=extra)
    assert verdict.reasons == ["réponse automatique"]


def test_auto_submitted_no_and_sender_side_headers_are_fine():
    """GIVEN Auto-Submitted: no and X-Auto-Response-Suppress (a header about the SENDER's wishes)
    WHEN checked THEN the reply is accepted."""
    assert check(extra=("Auto-Submitted: no", "X-Auto-Response-Suppress: All")).accepted


# --------------------------------------------------------------------------- Authentication-Results


@pytest.mark.parametrize("auth,reasons", [
    ((f"{MX}; dkim=fail header.d=example.org; dmarc=fail",),
     [f"DKIM en échec selon {MX}", f"DMARC en échec selon {MX}"]),
    ((f"{MX}; dkim=permerror header.d=example.org",), [f"DKIM en échec selon {MX}"]),
    ((f"{MX}; dkim=none; spf=softfail smtp.mailfrom=example.org; dmarc=fail (p=REJECT)",),
     [f"DMARC en échec selon {MX}"]),
    ((), [f"aucun résultat d'authentification de {MX}"]),
    (("mx.attacker.example; dkim=pass header.d=example.org; dmarc=pass",),
     [f"aucun résultat d'authentification de {MX}"]),
])
def test_authentication_failures_are_refused(auth, reasons):
    """GIVEN our provider's Authentication-Results saying fail, or none from our provider
    WHEN checked
    THEN the reply is refused with the French reason naming the authserv-id."""
    assert check(auth=auth).reasons == reasons


def test_dkim_none_with_dmarc_pass_is_fine():
    """GIVEN dkim=none but dmarc=pass from our provider WHEN checked THEN accepted."""
    assert check(auth=(f"{MX}; dkim=none; spf=pass smtp.mailfrom=example.org; dmarc=pass",)).accepted


def test_forged_header_with_another_authserv_id_is_ignored():
    """GIVEN our provider says dkim=fail, and the attacker added a header of their own saying pass
    WHEN checked
    THEN the forged header is ignored and the reply refused."""
    forged = "mx.example.org; dkim=pass header.d=example.org; dmarc=pass"
    verdict = check(auth=(f"{MX}; dkim=fail header.d=example.org; dmarc=fail", forged))
    assert not verdict.accepted
    assert f"DKIM en échec selon {MX}" in verdict.reasons


def test_forged_header_claiming_our_authserv_id_cannot_override_a_failure():
    """GIVEN the attacker inserted a header claiming OUR authserv-id with dkim=pass, under
    our provider's real dkim=fail
    WHEN checked
    THEN any failure from our authserv-id refuses the reply."""
    verdict = check(auth=(f"{MX}; dkim=fail header.d=example.org", f"{MX}; dkim=pass; dmarc=pass"))
    assert verdict.reasons == [f"DKIM en échec selon {MX}"]


def test_failure_under_a_foreign_authserv_id_is_ignored():
    """GIVEN a foreign relay's header saying fail, our provider's saying pass
    WHEN checked THEN accepted (only our provider is read)."""
    assert check(auth=(GOOD_AR, "relay.example.com; dkim=fail; dmarc=fail")).accepted


def test_authserv_id_compare_ignores_case_and_comments():
    """GIVEN a real-world shaped header: upper-case authserv-id, version, comments holding ";" and "="
    WHEN checked
    THEN it is read correctly."""
    auth = (f"{MX.upper()} 1; dkim=pass (2048-bit key; unprotected) header.d=example.org "
            "header.i=@example.org header.b=\"AbC=\"; spf=pass (mx: domain of x@example.org designates "
            "192.0.2.1 as permitted sender) smtp.mailfrom=x@example.org; "
            "dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.org")
    assert check(auth=(auth,)).accepted
    failing = auth.replace("dmarc=pass (p=NONE", "dmarc=fail (p=REJECT")
    assert check(auth=(failing,)).reasons == [f"DMARC en échec selon {MX}"]


def test_parse_auth_results():
    """GIVEN Authentication-Results values WHEN parsed THEN authserv-id, methods, results and properties."""
    parsed = parse_auth_results("Mx.Example.Net; dkim=pass (good) header.d=example.org; dmarc=fail")
    assert parsed.authserv_id == "mx.example.net"
    assert parsed.results[0] == ("dkim", "pass", {"header.d": "example.org"})
    assert parsed.verdicts("dmarc") == ["fail"]
    assert parse_auth_results("mx.example.net; none").results == ()
    assert parse_auth_results("i=1; mx.example.net; dkim=pass") is None  # an ARC value
    assert parse_auth_results("") is None


def test_authentication_results_collects_every_folded_header():
    """GIVEN a header block with two folded Authentication-Results fields
    WHEN extracted THEN both values come back unfolded (HeaderSummary keeps only the first)."""
    block = (b"Authentication-Results: relay.example.com;\r\n\tdkim=fail\r\n"
             b"Received: from x\r\nAuthentication-Results: mx.example.net;\r\n dkim=pass;\r\n dmarc=pass\r\n"
             b"From: a@example.org\r\n\r\nbody")
    assert authentication_results(block) == ["relay.example.com; dkim=fail",
                                             "mx.example.net; dkim=pass; dmarc=pass"]


@pytest.mark.parametrize("auth,accepted", [
    (f"{MX}; dkim=pass header.d=example.org", True),  # aligned DKIM
    (f"{MX}; dkim=pass header.d=mail.example.org", True),  # relaxed alignment
    (f"{MX}; dkim=pass header.d=evil.example; dmarc=none", False),  # the attacker's own signature
    (f"{MX}; dkim=none; spf=pass; dmarc=none", False),
    (f"{MX}; dkim=none; dmarc=pass", True),
])
def test_require_pass(auth, accepted):
    """GIVEN require_pass=True
    WHEN checked
    THEN only dmarc=pass or a DKIM pass aligned with the From domain is enough."""
    verdict = check(auth=(auth,), require_pass=True)
    assert verdict.accepted is accepted
    if not accepted:
        assert verdict.reasons == [f"ni DKIM aligné ni DMARC validés selon {MX}"]


def test_all_reasons_are_collected():
    """GIVEN a reply failing several checks WHEN checked THEN every reason is given."""
    verdict = check(sender="x@evil.example", in_reply_to=None, subject="Out of Office",
                    auth=(f"{MX}; dkim=fail",))
    assert verdict.reasons == ["expéditeur non autorisé : x@evil.example",
                               "ne répond à aucun message envoyé par cpambot", "réponse automatique",
                               f"DKIM en échec selon {MX}"]


# --------------------------------------------------------------------------- may_release


def proposal(token_hash: str, **changes) -> Proposal:
    values = {"code": "A7", "token_hash": token_hash, "expires_at": NOW + timedelta(days=7),
              "message_id": DRAFT_ID, "digest_ids": frozenset({DIGEST_ID})}
    values.update(changes)
    return Proposal(**values)


def test_release_by_reply_to_the_digest_that_listed_the_draft():
    """GIVEN an accepted reply to the digest listing A7, without A7's token
    WHEN A7's release is checked
    THEN it is allowed through the digest listing."""
    _, token_hash = new_token(SystemRandom())
    verdict = may_release(check(), proposal(token_hash), presented_tokens=set(), now=NOW)
    assert verdict.accepted and verdict.via == "réponse au récapitulatif"


def test_release_by_reply_to_the_draft_itself():
    """GIVEN an accepted reply to A7's own e-mail WHEN checked THEN allowed."""
    _, token_hash = new_token(SystemRandom())
    verdict = may_release(check(in_reply_to=DRAFT_ID), proposal(token_hash), presented_tokens=set(), now=NOW)
    assert verdict.accepted and verdict.via == "réponse au brouillon"


def test_release_by_token():
    """GIVEN an accepted reply to another of our messages presenting A7's token
    WHEN checked THEN allowed through the token."""
    token, token_hash = new_token(SystemRandom())
    verdict = may_release(check(in_reply_to=OTHER_DIGEST_ID), proposal(token_hash),
                          presented_tokens=find_tokens([], f"> Jeton : {token}"), now=NOW)
    assert verdict.accepted and verdict.via == "jeton"


def test_reply_to_a_digest_that_did_not_list_the_draft_releases_nothing():
    """GIVEN an accepted reply to an older digest that did not list A7, without A7's token
    WHEN A7's release is checked
    THEN refused: the code A7 means nothing in that digest."""
    _, token_hash = new_token(SystemRandom())
    verdict = may_release(check(in_reply_to=OTHER_DIGEST_ID), proposal(token_hash),
                          presented_tokens={"x" * 24}, now=NOW)
    assert not verdict.accepted
    assert verdict.reasons == [
        "A7 : ni jeton valide, ni réponse au brouillon ou au récapitulatif qui le propose"]


@pytest.mark.parametrize("changes,reason", [
    ({"expires_at": NOW - timedelta(seconds=1)}, "A7 : proposition expirée"),
    ({"used_at": NOW - timedelta(hours=1)}, "A7 : jeton déjà utilisé"),
])
def test_expired_or_used_proposal_is_never_released(changes, reason):
    """GIVEN an expired or already used proposal
    WHEN a reply presents its valid token and answers the draft itself
    THEN refused: single use and expiry hold on every path."""
    token, token_hash = new_token(SystemRandom())
    verdict = may_release(check(in_reply_to=DRAFT_ID), proposal(token_hash, **changes),
                          presented_tokens={token}, now=NOW)
    assert verdict.reasons == [reason]
    assert token_problem({token}, proposal(token_hash, **changes), NOW) == reason


def test_refused_message_releases_nothing_even_with_the_token():
    """GIVEN a CC'd third party replying with the draft's token quoted
    WHEN release is checked
    THEN the message refusal stands (tokens do not replace the sender check)."""
    token, token_hash = new_token(SystemRandom())
    message = check(sender="compta@cabinet-dupont.fr", in_reply_to=DRAFT_ID)
    verdict = may_release(message, proposal(token_hash), presented_tokens={token}, now=NOW)
    assert not verdict.accepted
    assert verdict.reasons == ["expéditeur non autorisé : compta@cabinet-dupont.fr"]


def test_token_flow_without_reference():
    """GIVEN require_reference=False and a fresh message (no parent)
    WHEN release is checked
    THEN only the token can release the draft."""
    token, token_hash = new_token(SystemRandom())
    message = check(in_reply_to=None, require_reference=False)
    assert may_release(message, proposal(token_hash), presented_tokens={token}, now=NOW).via == "jeton"
    assert not may_release(message, proposal(token_hash), presented_tokens=set(), now=NOW).accepted


def test_hash_token_is_case_insensitive():
    """GIVEN a token WHEN hashed in any case THEN the same hash (the stored form)."""
    assert hash_token("AbC-_9") == hash_token("abc-_9") == hashlib.sha256(b"abc-_9").hexdigest()
