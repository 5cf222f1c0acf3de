"""Errors raised by the decoders. Their messages are shown to the user: French."""

from __future__ import annotations


class DecodeError(Exception):
    """The payload cannot be decoded at all.

    ``reason`` is a French sentence for the user (it never holds a NIR nor a
    name). Record-level oddities are *not* errors: they go to the decoded
    file's ``problems``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TruncatedFile(DecodeError):
    """The file stops before its ``999`` trailer, or in the middle of an entity."""


class UnreadableContent(DecodeError):
    """Binary garbage, broken compression or broken base64."""


class NotThisFormat(DecodeError):
    """Readable text, but not the expected file (no ``000`` header, no ARL entity…)."""
