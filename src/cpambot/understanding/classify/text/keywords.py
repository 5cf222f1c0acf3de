"""Weighted keyword scoring over a message's subject, body and attachments."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import wraps
from typing import TypeVar

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.prefilter import Guarded
from cpambot.understanding.message import ParsedMessage

R = TypeVar("R")



Keywords = Sequence[tuple[Guarded, float]]


def keywords(*items: tuple[str, float]) -> tuple[tuple[Guarded, float], ...]:
    """Compile (phrase, weight) pairs; a space matches any whitespace run (" ?" an optional one).
    Each pattern is searched only in a text holding a word all its matches contain.

    Inside a look-behind (fixed width) write a space as ``\\x20``.
    """
    return tuple((Guarded(re.compile(phrase.replace(" ?", r"\s?").replace(" ", r"\s+"))), weight)
                 for phrase, weight in items)


def per_message(function: Callable[[ParsedMessage], R]) -> Callable[[ParsedMessage], R]:
    """Remember ``function``'s result for the last message it saw: every classifier's match()
    then read() ask the same questions about the same message in a row."""
    last: list = [None, None]  # [message, result]

    @wraps(function)
    def wrapper(msg: ParsedMessage) -> R:
        if last[0] is not msg:
            last[1] = function(msg)
            last[0] = msg
        return last[1]

    return wrapper


@per_message
def zones(msg: ParsedMessage) -> tuple[tuple[float, str], ...]:
    """(weight, normalized text) of the subject, the body and the attachments' text."""
    attached = "\n".join(a.text for a in msg.attachments if a.text)
    return ((1.0, normalize(msg.subject or "")), (0.8, normalize(msg.text or "", True)),
            (0.7, normalize(attached, True)))


def mentions(msg: ParsedMessage, words: Sequence[str]) -> bool:
    """Whether the folded subject, body or attachments contain one of ``words`` (a fast pre-filter)."""
    return any(word in text for _, text in zones(msg) for word in words)


def keyword_score(msg: ParsedMessage, patterns: Keywords, needs: Sequence[str] = ()) -> float:
    """Best weight × zone weight of the patterns found; an earlier hit wins a tie.

    ``needs``: words one of which must appear for any pattern to match (skips the regexes).
    """
    best = 0.0
    if needs and not mentions(msg, needs):
        return best
    for factor, text in zones(msg):
        for pattern, weight in patterns:
            found = pattern.search(text)
            if found:
                best = max(best, factor * weight - min(found.start(), 99999) / 1e7)
    return best


def first_hit(text: str, patterns: Keywords) -> int | None:
    """Position of the earliest match of any pattern in ``text``."""
    hits = [m.start() for p, _ in patterns if (m := p.search(text))]
    return min(hits) if hits else None
