"""Which caisse sent a message: its code ("974", "331", "02221" for an MSA) from the flux address,
the configured caisses, the mail domain, then the names in the sender, subject and text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cpambot.mailbox.senders import domain_matches
from cpambot.understanding.directory import code_in as named_code
from cpambot.understanding.directory import code_of_domain
from cpambot.understanding.machine_returns import caisse_from_address
from cpambot.understanding.message import ParsedMessage

_HEAD_LINES = 25  # letterhead and signature: where a caisse names itself


# "il relève de la MSA Côtes Normandes, c'est à eux qu'il faut facturer": the caisse of a patient
_ANOTHER_CAISSE = re.compile(r"(?i)\b(?:rel[èe]ve|d[ée]pend|affili[ée]e?|rattach[ée]e?)\b[^.\n]{0,20}"
                             r"\b(?:de la|du|de l['’]|à la|a la|au)\s+(?:MSA|CPAM|CGSS|caisse)")


def caisse_code(msg: ParsedMessage, caisses: Iterable = ()) -> str | None:
    """Which caisse sent ``msg``: its code, or None when unsure."""
    addr = (msg.from_addr or "").lower()
    domain = addr.rpartition("@")[2]
    if code := caisse_from_address(addr):
        return code
    for caisse in caisses:
        addresses = {a.lower() for a in getattr(caisse, "addresses", {}).values()}
        if addr and (addr in addresses or domain_matches(domain, getattr(caisse, "domains", ()))):
            return str(caisse.code)
    if domain and (code := code_of_domain(domain)):
        return code
    def code_in(text: str) -> str | None:  # (the caisse a patient depends on, named by an agent: not hers)
        return named_code("\n".join(line for line in text.splitlines() if not _ANOTHER_CAISSE.search(line)))

    lines = (msg.text or "").splitlines()
    head = "\n".join(lines[:_HEAD_LINES])
    tail = "\n".join(lines[-_HEAD_LINES:])
    attached = [a.text[:3000] for a in msg.attachments if a.text]
    for text in (msg.from_name or "", addr, msg.subject or ""):
        if code := code_in(text):
            return code
    # the signature is at the bottom: the last line naming a caisse (not "muté à la CPAM de …" above it)
    for line in reversed(tail.splitlines()):
        if code := code_in(line):
            return code
    for text in (head, *attached):
        if code := code_in(text):
            return code
    return None
