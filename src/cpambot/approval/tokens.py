"""Approval tokens: random, single-use, stored as a hash, carried by a plus-address or a « Jeton : » line."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from email.utils import getaddresses

from cpambot.approval.replies import normalise
from cpambot.errors import InvalidValueError
from cpambot.randomness import Random, token_urlsafe

TOKEN_BYTES = 18


_TOKEN_CHARS = r"[a-z0-9_-]"


_TOKEN_RE = re.compile(rf"^{_TOKEN_CHARS}{{16,64}}$")


_TOKEN_LINE = re.compile(rf"\bjeton\s*:\s*({_TOKEN_CHARS}{{16,64}})(?![A-Za-z0-9_-])", re.IGNORECASE)


def hash_token(token: str) -> str:
    """The stored form of a token: sha256 hex of its lower-case form."""
    return hashlib.sha256(token.strip().lower().encode("ascii", "replace")).hexdigest()


def new_token(source: Random) -> tuple[str, str]:
    """A fresh (token, token_hash) drawn from ``source``. Store only the hash; the token goes
    into the mail. URL-safe base64 lower-cased (about 124 bits left): addresses are compared
    without case, so the token must survive that."""
    token = token_urlsafe(source, TOKEN_BYTES).lower()
    return token, hash_token(token)


def token_matches(token: str, token_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    if not token or not token_hash:
        return False
    return hmac.compare_digest(hash_token(token), token_hash.strip().lower())


def reply_address(base_address: str, token: str) -> str:
    """``cpambot@example.org`` + token → ``cpambot+<token>@example.org`` (for Reply-To)."""
    local, at, domain = base_address.strip().rpartition("@")
    if not at or not local or not domain:
        raise InvalidValueError(f"adresse invalide : {base_address!r}")
    if not _TOKEN_RE.match(token):
        raise InvalidValueError("jeton invalide")
    return f"{local}+{token}@{domain}"


def find_tokens(to_addresses: Iterable[str], text: str, *, base_address: str | None = None) -> set[str]:
    """Every candidate token a reply carries, lower-cased: the ``+<token>`` part of its
    recipient addresses and every ``Jeton : <token>`` line of its body (quoted or not —
    pass the full body, not the stripped one: the token is in the quoted draft).

    With ``base_address`` (``cpambot@example.org``) only recipients of the form
    ``cpambot+<token>@example.org`` count. Candidates are only candidates: each must
    still match a stored hash (:func:`token_matches`)."""
    found: set[str] = set()
    base_local = base_domain = None
    if base_address:
        base_local, _, base_domain = base_address.strip().lower().rpartition("@")
    for raw in to_addresses:
        for _, address in getaddresses([raw or ""]):
            local, at, domain = address.strip().lower().rpartition("@")
            if not at or "+" not in local:
                continue
            head, _, candidate = local.rpartition("+")
            if base_local is not None and (head != base_local or domain != base_domain):
                continue
            if _TOKEN_RE.match(candidate):
                found.add(candidate)
    for match in _TOKEN_LINE.finditer(normalise(text or "")):
        found.add(match.group(1).lower())
    return found
