"""Fold French text for matching (case, accents, dashes, quotes, spaces) and build label patterns."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cpambot.understanding.classify.text.prefilter import Guarded

_FOLD = {"’": "'", "‘": "'", "´": "'", "`": "'", "–": "-", "—": "-", "−": "-", "‑": "-", "œ": "oe",
         "Œ": "oe", "æ": "ae", "°": "o", "º": "o", "«": '"', "»": '"', "“": '"', "”": '"'}
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")


@lru_cache(maxsize=512)
def normalize(text: str, keep_lines: bool = False) -> str:
    """Lower case, accents folded, whitespace collapsed (newlines kept with ``keep_lines``)."""
    text = text.lower()
    if not text.isascii():
        text = _FOLD_RE.sub(lambda m: _FOLD[m.group()], text)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    if keep_lines:
        text = re.sub(r"[^\S\n]+", " ", text)
        return re.sub(r" ?\n[\s]*", "\n", text).strip()
    return " ".join(text.split())


@lru_cache(maxsize=256)
def label_re(label: str) -> Guarded:
    """A case-insensitive label regex whose spaces match any whitespace run (lines wrap anywhere),
    searched only in texts holding one of the words its matches need."""
    pattern = label.replace(" ?", r"\s?").replace(" ", r"\s+")
    # "d'un montant de" is also written "d’un montant de" (a word processor's apostrophe)
    pattern = re.sub(r"(?<!\\)'(?![^\[]*\])", "['’‘´]", pattern)
    return Guarded(re.compile(pattern, re.IGNORECASE))
