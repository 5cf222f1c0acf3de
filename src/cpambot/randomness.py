"""The one source of randomness: Message-IDs and approval tokens draw from a :class:`Random`.

The shell passes :class:`SystemRandom` (the ``secrets`` module, for real use); the demo and the
tests may pass :class:`SeededRandom` so that what they write is the same at every run. Nothing
else in cpambot draws random values.
"""

from __future__ import annotations

import base64
import random
import secrets
from typing import Protocol


class Random(Protocol):
    def token_bytes(self, nbytes: int) -> bytes:
        """``nbytes`` random bytes."""
        ...


class SystemRandom:
    """Cryptographically strong randomness (the operating system's)."""

    def token_bytes(self, nbytes: int) -> bytes:
        return secrets.token_bytes(nbytes)


class SeededRandom:
    """Repeatable randomness for the demo and the tests: never for real tokens."""

    def __init__(self, seed: int | str = 0) -> None:
        self._random = random.Random(seed)

    def token_bytes(self, nbytes: int) -> bytes:
        return self._random.randbytes(nbytes)


def token_hex(source: Random, nbytes: int) -> str:
    """``2 * nbytes`` hexadecimal characters (as ``secrets.token_hex``)."""
    return source.token_bytes(nbytes).hex()


def token_urlsafe(source: Random, nbytes: int) -> str:
    """URL-safe base64 text of ``nbytes`` random bytes, no padding (as ``secrets.token_urlsafe``)."""
    return base64.urlsafe_b64encode(source.token_bytes(nbytes)).rstrip(b"=").decode("ascii")
