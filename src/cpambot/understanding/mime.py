"""A message's MIME tree walked with the standard library: its text and HTML bodies and its files.

The standard parser (``email``, policy ``compat32``) is lenient with broken input and about four
times faster than mail-parser on the fixtures (0.15 ms instead of 0.6 ms a message), which does
the same walk and more that the reader does not use (Received chains, address analysis). Parts
inside an attached message (``message/rfc822``) are that message's, read on their own.
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32

from cpambot.understanding.reflow import unflow

_BINARY_DEFECTS = ("InvalidBase64CharactersDefect", "InvalidBase64PaddingDefect",
                   "InvalidBase64LengthDefect")


@dataclass(frozen=True)
class FilePart:
    """One attached file: its name, type, decoded bytes and, for text, its declared charset."""

    filename: str
    content_type: str
    payload: bytes
    charset: str | None = None
    broken: bool = False  # its base64 could not be decoded as sent


@dataclass
class MimeParts:
    message: Message
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    files: list[FilePart] = field(default_factory=list)
    defects: set[str] = field(default_factory=set)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text in its declared charset, else UTF-8 (a byte-order mark dropped), else Windows-1252 (what
    French mailers and spreadsheets send)."""
    for encoding in (charset, "utf-8-sig", "cp1252"):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - a broken RFC 2231 parameter is no file name
        return ""
    if "=?" in name:
        try:
            name = str(make_header(decode_header(name)))
        except Exception:  # noqa: BLE001
            pass
    return " ".join(name.split())


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""


def mime_parts(raw: bytes) -> MimeParts:
    """Walk ``raw``: bodies, files, defects. Never raises for bad input (the parser is lenient)."""
    message = email.message_from_bytes(raw, policy=compat32)
    out = MimeParts(message)
    out.defects.update(d.__class__.__name__ for d in message.defects)
    stack = [message]
    while stack:
        part = stack.pop()
        out.defects.update(d.__class__.__name__ for d in part.defects)
        if part.get_content_type() == "message/rfc822":
            continue  # the forwarded message is read on its own
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(reversed([c for c in children if isinstance(c, Message)]))
            continue
        ctype = part.get_content_type()
        name = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if ctype in ("text/plain", "text/html") and not name and disposition != "attachment":
            # (lines end with CRLF on the wire, as IMAP gives them: the reader's patterns expect LF)
            text = decode_bytes(_payload(part), part.get_content_charset()).replace("\r\n", "\n")
            if ctype == "text/plain" and str(part.get_param("format") or "").lower() == "flowed":
                text = unflow(text, str(part.get_param("delsp") or "").lower() == "yes")
            (out.plain if ctype == "text/plain" else out.html).append(text)
            continue
        broken = any(d.__class__.__name__ in _BINARY_DEFECTS for d in part.defects)
        out.files.append(FilePart(name, ctype, _payload(part), part.get_content_charset(), broken))
    return out
