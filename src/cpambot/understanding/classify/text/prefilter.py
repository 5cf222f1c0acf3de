"""Cheap pre-filters for regexes: words one of which every match must contain.

Python's regex engine scans a long text slowly for a pattern without a literal start (an
alternation, a case-insensitive word): 0.2 to 1.4 ms on a 20 KB letter, where a plain
substring test takes a few microseconds. :class:`Guarded` searches a pattern only in a text
that holds one of its required words, found from the pattern itself (as RE2's prefilter does).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

# the standard library's own regex parser (re._parser, sre_parse before 3.11): not typed, not public,
# but it is the parser the patterns are compiled with; if it ever changes, nothing is filtered
try:
    _parser: Any = importlib.import_module("re._parser")
    C: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover
    _parser = C = None

_MIN = 3  # a word shorter than this filters nothing
_MAX_VARIANTS = 16  # "r[ée]f[ée]rence" gives 4 words; more is not worth testing
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)) if C else ()
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT) if C else ()

Words = frozenset[str]


def required_words(pattern: re.Pattern[str] | str) -> Words:
    """Words (lower case when the pattern ignores case) one of which every match contains; empty
    when no such words of 3 letters or more are known."""
    source, flags = (pattern.pattern, pattern.flags) if isinstance(pattern, re.Pattern) else (pattern, 0)
    if _parser is None:
        return frozenset()
    try:
        parsed = _parser.parse(source, flags)
    except Exception:  # noqa: BLE001 - an unknown construct: no filter, the pattern runs as is
        return frozenset()
    return _sequence(list(parsed), bool(parsed.state.flags & re.IGNORECASE)) or frozenset()


def _quality(words: Words) -> tuple[int, int]:
    return (min(len(w) for w in words), -len(words))


def _sequence(items: list, icase: bool) -> Words | None:
    candidates: list[Words] = []
    current = {""}

    def flush() -> None:
        nonlocal current
        if all(len(w) >= _MIN for w in current):
            candidates.append(frozenset(current))
        current = {""}

    for op, av in items:
        if op is C.LITERAL:
            char = chr(av).lower() if icase else chr(av)
            current = {w + char for w in current}
        elif op is C.IN and 0 < len(av) <= 3 and all(o is C.LITERAL for o, _ in av) \
                and len(current) * len(av) <= _MAX_VARIANTS:
            chars = {chr(v).lower() if icase else chr(v) for _, v in av}
            current = {w + c for w in current for c in chars}
        elif op in _ZERO_WIDTH:
            continue  # "\bne ", a look-behind: the letters around it are still next to each other
        else:
            flush()
            inner: Words | None = None
            if op is C.SUBPATTERN:
                _, add, _, sub = av
                inner = _sequence(list(sub), icase or bool(add & re.IGNORECASE))
            elif op is C.BRANCH:
                branches = [_sequence(list(b), icase) for b in av[1]]
                if all(branches):
                    inner = frozenset().union(*branches)  # type: ignore[arg-type]
            elif op in _REPEATS and av[0] >= 1:
                inner = _sequence(list(av[2]), icase)
            if inner:
                candidates.append(inner)
    flush()
    return max(candidates, key=_quality) if candidates else None


@lru_cache(maxsize=8)  # the same long text is asked about by pattern after pattern
def _lowered(text: str) -> str:
    return text.lower()


class Guarded:
    """A pattern searched only in a text that holds one of its required words (given, or found
    from the pattern): a substring test is a hundred times cheaper than a failed regex scan."""

    __slots__ = ("pattern", "words", "_fold")

    def __init__(self, pattern: re.Pattern[str], *words: str) -> None:
        self.pattern = pattern
        self.words: tuple[str, ...] = words or tuple(sorted(required_words(pattern)))
        self._fold = bool(pattern.flags & re.IGNORECASE) and not words

    def _maybe(self, text: str) -> bool:
        if not self.words:
            return True
        haystack = _lowered(text) if self._fold else text
        for word in self.words:  # (a loop: any() over a generator costs more than the test itself)
            if word in haystack:
                return True
        return False

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        return self.pattern.search(text, pos) if self._maybe(text) else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        if not self._maybe(text):
            return iter(())
        return self.pattern.finditer(text, pos, len(text) if endpos is None else endpos)

    def findall(self, text: str) -> list:
        return self.pattern.findall(text) if self._maybe(text) else []
