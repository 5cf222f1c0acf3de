"""Is this reply a genuine decision of the approver? Pure checks, no I/O, no store.

Two layers, both needed before a draft leaves (peers.md lessons 6-7):

1. :func:`check_reply` — the *message*: its sender is an approver (address compared in
   lower case, display name ignored; one From address, no different Sender); it answers
   one of the bot's own messages (In-Reply-To/References hold a Message-ID the bot
   sent); it is not an auto-reply; and, when ``authserv_ids`` is set, the
   Authentication-Results headers written by OUR provider (and only those: any other
   authserv-id may have been inserted by the sender) show no DKIM or DMARC failure.
   The :class:`Verdict` also says which of our messages the reply directly answers
   (``parent_id``), which is how codes are tied to one digest.

2. :func:`may_release` — the *draft*: with an accepted verdict, a draft is released only
   if its proposal is still open (not expired, token not used) AND either the reply
   presents that draft's token (plus-address ``bot+<token>@…`` in To/Cc, or the line
   ``Jeton : <token>`` quoted from the draft), or it directly answers the draft's own
   e-mail, or directly answers a digest that listed the draft. A reply to a digest that
   did not list the draft, or to an unrelated message of the bot, releases nothing.

So the lead's rule "reference to one of our messages + (per-draft token or per-digest
listing)" is: ``check_reply(...)`` (reference required by default) then
``may_release(verdict, proposal, presented_tokens=find_tokens(...), now=now)`` for each
draft a command names. ``check_reply(require_reference=False)`` exists for a flow that
accepts a fresh message carrying a token instead of a reply; ``may_release`` then only
accepts the token path (``parent_id`` is None).

Tokens (:mod:`cpambot.approval.tokens`): 18 random bytes, URL-safe, lower-cased (about 124
bits left): addresses are compared without case (``HeaderSummary.to`` lower-cases them, and
some clients and MTAs fold the local part), so the token must survive that. Only the sha256
hex of a token is stored; comparison is constant-time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses

from cpambot.approval.replies import fold
from cpambot.approval.tokens import token_matches
from cpambot.mailbox.auth_results import parse_auth_results
from cpambot.mailbox.headers import HeaderSummary

# --------------------------------------------------------------------------- tokens


# --------------------------------------------------------------------------- Authentication-Results


# --------------------------------------------------------------------------- check_reply

AUTO_SUBJECT = re.compile(
    r"^\s*(?:(?:RE|TR|FWD?|AW|REF)\s*:\s*)*(?:\[[^\]]*\]\s*)?"
    r"(?:REPONSE AUTOMATIQUE|REPONSE AUTO\b|ABSENCE|ABSENT\b|MESSAGE D'ABSENCE|OUT OF (?:THE )?OFFICE"
    r"|AUTOMATIC REPLY|AUTO[- ]?REPLY|AUTOREPLY|AUTO[- ]?RESPONSE|AUTO\s*:|ACCUSE DE RECEPTION AUTOMATIQUE)")


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``accepted`` only when ``reasons`` is empty."""

    accepted: bool
    reasons: list[str] = field(default_factory=list)  # French, for the log and the next digest
    parent_id: str | None = None  # the bot's message this reply directly answers
    referenced: tuple[str, ...] = ()  # every bot Message-ID in In-Reply-To / References
    via: str | None = None  # may_release: "jeton" | "réponse au brouillon" | "réponse au récapitulatif"


def parent_message_id(headers: HeaderSummary) -> str | None:
    """The message a reply directly answers: In-Reply-To, else the last References entry."""
    if headers.in_reply_to:
        return headers.in_reply_to[0]
    if headers.references:
        return headers.references[-1]
    return None


def is_auto_reply(headers: HeaderSummary) -> bool:
    """Auto-Submitted other than "no", X-Autoreply/X-Autorespond, Precedence
    auto_reply/bulk/junk, or an out-of-office subject (FR/EN)."""
    if headers.auto_submitted or headers.fields.get("x-autorespond"):
        return True
    return bool(AUTO_SUBJECT.match(fold(headers.subject).replace("’", "'")))


def _sender_reasons(headers: HeaderSummary, approvers: set[str]) -> list[str]:
    raw_from = headers.fields.get("from", "")
    addresses = [a.strip().lower() for _, a in getaddresses([raw_from]) if "@" in a]
    sender = headers.from_addr
    if not sender or "@" not in sender:
        return ["expéditeur absent ou illisible"]
    if len(set(addresses)) > 1:
        return [f"plusieurs adresses d'expéditeur : {', '.join(dict.fromkeys(addresses))}"]
    allowed = {a.strip().lower() for a in approvers}
    reasons = []
    if sender not in allowed:
        reasons.append(f"expéditeur non autorisé : {sender}")
    raw_sender = headers.fields.get("sender", "")
    if raw_sender:
        agents = [a.strip().lower() for _, a in getaddresses([raw_sender]) if a.strip()]
        if agents and agents[0] != sender:
            reasons.append(f"envoyé pour le compte de {sender} par {agents[0]}")
    return reasons


def _aligned(domain: str, from_domain: str) -> bool:
    domain = domain.lstrip("@").lower()
    if "@" in domain:
        domain = domain.rpartition("@")[2]
    return bool(domain) and (from_domain == domain or from_domain.endswith("." + domain)
                             or domain.endswith("." + from_domain))


def _auth_reasons(headers: HeaderSummary, authserv_ids: tuple[str, ...], raw_auth_results: list[str],
                  require_pass: bool) -> list[str]:
    trusted_ids = {a.strip().lower() for a in authserv_ids if a.strip()}
    trusted = [r for r in (parse_auth_results(v) for v in raw_auth_results)
               if r is not None and r.authserv_id in trusted_ids]
    names = ", ".join(authserv_ids)
    if not trusted:
        return [f"aucun résultat d'authentification de {names}"]
    reasons: list[str] = []
    for result in trusted:
        dkim = result.verdicts("dkim")
        if any(v in ("fail", "permerror") for v in dkim):
            reasons.append(f"DKIM en échec selon {result.authserv_id}")
        if "fail" in result.verdicts("dmarc"):
            reasons.append(f"DMARC en échec selon {result.authserv_id}")
    if require_pass and not reasons:
        passed = any(
            (method == "dmarc" and verdict == "pass")
            or (method == "dkim" and verdict == "pass"
                and _aligned(props.get("header.d") or props.get("header.i", ""), headers.from_domain))
            for result in trusted for method, verdict, props in result.results)
        if not passed:
            reasons.append(f"ni DKIM aligné ni DMARC validés selon {names}")
    return list(dict.fromkeys(reasons))


def check_reply(headers: HeaderSummary, *, approvers: set[str], our_message_ids: set[str],
                authserv_ids: tuple[str, ...], raw_auth_results: list[str], now: datetime,
                require_reference: bool = True, require_pass: bool = False) -> Verdict:
    """Check that a received message is a genuine reply of an approver. ALL must hold:

    - the sender (From address, lower case; display name ignored) is in ``approvers``,
      there is one From address and no different Sender;
    - In-Reply-To or References holds one of ``our_message_ids`` (the bot's own digests
      and drafts) — unless ``require_reference=False`` (the caller then insists on a
      token through :func:`may_release`);
    - it is not an automatic reply;
    - when ``authserv_ids`` is set: among ``raw_auth_results`` (every
      Authentication-Results value, see :func:`authentication_results`) only those whose
      authserv-id is ours are read; none may say dkim=fail/permerror or dmarc=fail, and
      at least one must be present. ``require_pass=True`` also demands dmarc=pass or a
      dkim=pass whose header.d matches the From domain.

    ``now`` is accepted for symmetry with :func:`may_release` (the message checks do not
    depend on time). Every failing check adds its French reason."""
    del now  # no time-dependent message check (yet); tokens are checked in may_release
    checks = reply_checks(headers, approvers=approvers, our_message_ids=our_message_ids,
                          authserv_ids=authserv_ids, raw_auth_results=raw_auth_results,
                          require_reference=require_reference, require_pass=require_pass)
    reasons = [reason for _, failed in checks for reason in failed]
    ours = {m.strip() for m in our_message_ids if m}
    chain = tuple(dict.fromkeys(headers.in_reply_to + headers.references))
    referenced = tuple(m for m in chain if m in ours)
    parent = parent_message_id(headers)
    parent_id = parent if parent in ours else None
    return Verdict(accepted=not reasons, reasons=reasons, parent_id=parent_id, referenced=referenced)


def reply_checks(headers: HeaderSummary, *, approvers: set[str], our_message_ids: set[str],
                 authserv_ids: tuple[str, ...], raw_auth_results: list[str], require_reference: bool = True,
                 require_pass: bool = False) -> list[tuple[str, list[str]]]:
    """Every message check of :func:`check_reply`, named in French, with its failing reasons
    (an empty list: passed). ``cpambot parse`` shows them all."""
    ours = {m.strip() for m in our_message_ids if m}
    chain = tuple(dict.fromkeys(headers.in_reply_to + headers.references))
    checks: list[tuple[str, list[str]]] = [("expéditeur approbateur, seul et sans Sender différent",
                                            _sender_reasons(headers, approvers))]
    if require_reference:
        unanswered = [] if any(m in ours for m in chain) else ["ne répond à aucun message envoyé par cpambot"]
        checks.append(("répond à un message envoyé par cpambot", unanswered))
    checks.append(("pas une réponse automatique", ["réponse automatique"] if is_auto_reply(headers) else []))
    if authserv_ids:
        checks.append((f"authentification DKIM/DMARC selon {', '.join(authserv_ids)}",
                       _auth_reasons(headers, authserv_ids, raw_auth_results, require_pass)))
    return checks


# --------------------------------------------------------------------------- may_release


@dataclass(frozen=True)
class Proposal:
    """What the store knows of one draft's proposal, for the release check."""

    code: str
    token_hash: str
    expires_at: datetime
    message_id: str | None = None  # the draft's own e-mail, when one was sent
    digest_ids: frozenset[str] = frozenset()  # Message-IDs of the digests that listed it
    used_at: datetime | None = None  # when its token released it (single use)


def token_problem(presented: Iterable[str], proposal: Proposal, now: datetime) -> str | None:
    """None when one of ``presented`` is this proposal's token, unused and unexpired;
    otherwise the French reason."""
    if proposal.used_at is not None:
        return f"{proposal.code} : jeton déjà utilisé"
    if now > proposal.expires_at:
        return f"{proposal.code} : proposition expirée"
    if not any(token_matches(t, proposal.token_hash) for t in presented):
        return f"{proposal.code} : aucun jeton valide pour ce brouillon"
    return None


def may_release(verdict: Verdict, proposal: Proposal, *, presented_tokens: Iterable[str],
                now: datetime) -> Verdict:
    """May this (already checked) reply release this draft? See the module docstring.

    Refused when the message verdict is refused, when the proposal was used or expired,
    and when the reply neither presents the draft's token nor directly answers the
    draft's e-mail or a digest that listed it."""
    if not verdict.accepted:
        return verdict
    def answer(accepted: bool, reasons: list[str], via: str | None = None) -> Verdict:
        return Verdict(accepted, reasons, parent_id=verdict.parent_id, referenced=verdict.referenced, via=via)

    if proposal.used_at is not None:
        return answer(False, [f"{proposal.code} : jeton déjà utilisé"])
    if now > proposal.expires_at:
        return answer(False, [f"{proposal.code} : proposition expirée"])
    if token_problem(presented_tokens, proposal, now) is None:
        return answer(True, [], "jeton")
    parent = verdict.parent_id
    if parent is not None and parent == proposal.message_id:
        return answer(True, [], "réponse au brouillon")
    if parent is not None and parent in proposal.digest_ids:
        return answer(True, [], "réponse au récapitulatif")
    return answer(False, [f"{proposal.code} : ni jeton valide, ni réponse au brouillon ou au "
                          "récapitulatif qui le propose"])
