"""The answers to the bulk FETCH commands (the headers of 500 messages, then bodies), read fast.

imapclient reads an answer through a tokenizer written in Python, byte by byte: for the header
fetch of a first sync that was most of the whole ingestion (bench/ingest.py, 10,000 messages:
530 ms, against 200 ms for imaplib alone to receive the same answers). imaplib has already split
each answer into its line and its literal, and the answers to these commands nearly always have
one shape — ``7 (UID 7 RFC822.SIZE 2081 BODY[…] {384}``, the literal, ``)`` — which a regular
expression reads. Any other shape (a quoted string or NIL instead of a literal, two literals,
unsolicited FLAGS, an item not listed here, lower case) sends the whole answer to imapclient's
own parser: the fast path reads what it knows exactly, and never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from imapclient.response_parser import parse_fetch_response

from cpambot.errors import InvalidValueError

# "SEQ (" then numeric items, then one body section and the size of its literal.
# (upper case only: imapclient upper-cases a section, and the caller looks its key up so)
_HEAD = re.compile(rb"(\d+) \(((?:[A-Z0-9.]+ \d+ )*)(BODY\[[^\]\r\na-z]*\](?:<\d+>)?) \{(\d+)\}\Z")
# What follows the literal: numeric items, then the closing parenthesis.
_TAIL = re.compile(rb"((?: [A-Z0-9.]+ \d+)*)\)\Z")
_PAIR = re.compile(rb"([A-Z0-9.]+) (\d+)")
_NUMERIC = frozenset({b"UID", b"RFC822.SIZE"})

FetchData = Sequence[bytes | tuple[bytes, bytes] | None]


def parse_fetch(data: FetchData) -> dict[int, dict[bytes, Any]]:
    """The FETCH answers imaplib collected (``data``), by UID, as imapclient's ``fetch`` gives them:
    ``{uid: {b"SEQ": 7, b"RFC822.SIZE": 2081, b"BODY[…]": b"…"}}``."""
    if not data or list(data) == [None]:
        return {}
    fast = _fast(data)
    if fast is not None:
        return fast
    return dict(parse_fetch_response(list(data), True, True))


def _fast(data: FetchData) -> dict[int, dict[bytes, Any]] | None:
    """``data`` read as answers of the usual shape, or None as soon as one is not."""
    out: dict[int, dict[bytes, Any]] = {}
    index, count = 0, len(data)
    while index < count:
        unit = data[index]
        rest = data[index + 1] if index + 1 < count else None
        if not isinstance(unit, tuple) or len(unit) != 2 or not isinstance(rest, bytes):
            return None
        prefix, literal = unit
        head = _HEAD.match(prefix)
        tail = _TAIL.match(rest)
        if head is None or tail is None or len(literal) != int(head.group(4)):
            return None
        item: dict[bytes, Any] = {b"SEQ": int(head.group(1))}
        uid = None
        for name, value in _PAIR.findall(head.group(2) + tail.group(1)):
            if name not in _NUMERIC or name in item or (name == b"UID" and uid is not None):
                return None
            if name == b"UID":
                uid = int(value)
            else:
                item[name] = int(value)
        if uid is None or uid in out:
            return None
        item[head.group(3)] = bytes(literal)
        out[uid] = item
        index += 2
    return out


def sequence_set(uids: Iterable[int]) -> str:
    """A compact IMAP sequence set: ``[1, 2, 3, 7, 9, 10]`` → ``"1:3,7,9:10"``."""
    ordered = sorted(set(uids))
    if not ordered:
        raise InvalidValueError("aucun message demandé")
    parts: list[str] = []
    start = previous = ordered[0]
    for uid in ordered[1:]:
        if uid != previous + 1:
            parts.append(f"{start}:{previous}" if previous > start else str(start))
            start = uid
        previous = uid
    parts.append(f"{start}:{previous}" if previous > start else str(start))
    return ",".join(parts)
