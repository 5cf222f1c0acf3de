"""Building the e-mails the bot sends: pure functions, no I/O.

:func:`build_mime` turns a :class:`~cpambot.letters.model.Letter` into the exact bytes given
to the SMTP server and appended to the Sent folder. The output is 7-bit clean
(text in quoted-printable, attachments in base64, non-ASCII headers as RFC 2047
encoded words), so it needs no 8BITMIME support and can be kept as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from cpambot.errors import InvalidValueError
from cpambot.letters.model import Letter
from cpambot.randomness import Random, token_hex

_TAG_RE = re.compile(r"[^A-Za-z0-9_-]+")
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
_MSGID_RE = re.compile(r"^<[^<>\s@]+@[^<>\s@]+>$")
_HEADER_NAME_RE = re.compile(r"^[!-9;-~]+$")  # RFC 5322 ftext: printable ASCII except ':'
# Headers build_mime sets itself: extra_headers may not replace them.
_RESERVED = frozenset({"from", "to", "cc", "bcc", "subject", "date", "message-id", "in-reply-to",
                       "references", "reply-to", "x-cpambot", "mime-version", "content-type",
                       "content-transfer-encoding"})


def make_message_id(domain: str, tag: str, random: Random) -> str:
    """A new, globally unique Message-ID: ``<tag.<128 random bits>@domain>``, bits drawn from ``random``."""
    domain = domain.strip().lower()
    if not _DOMAIN_RE.match(domain):
        raise InvalidValueError(f"invalid Message-ID domain {domain!r}")
    clean = _TAG_RE.sub("-", tag).strip("-")[:40] or "cpambot"
    return f"<{clean}.{token_hex(random, 16)}@{domain}>"


def is_message_id(value: str) -> bool:
    """True for a single ``<local@domain>`` Message-ID (no spaces, no folding)."""
    return bool(_MSGID_RE.match(value or ""))


def build_mime(letter: Letter, *, sender: str, message_id: str, date: datetime,
               in_reply_to: str | None = None, references: tuple[str, ...] = (),
               reply_to: str | None = None, extra_headers: Mapping[str, str] | None = None) -> bytes:
    """The complete message, CRLF line endings, ready for SMTP DATA and IMAP APPEND.

    ``date`` must be timezone-aware. ``extra_headers`` adds headers such as
    ``Auto-Submitted: auto-generated`` (never added unless asked for); it cannot
    override the headers set here.
    """
    if not letter.to:
        raise InvalidValueError("a letter needs at least one recipient")
    if not is_message_id(message_id):
        raise InvalidValueError(f"invalid Message-ID {message_id!r}")
    if date.tzinfo is None or date.utcoffset() is None:
        raise InvalidValueError("the Date must be timezone-aware")
    for ref in (in_reply_to, *references):
        if ref is not None and not is_message_id(ref):
            raise InvalidValueError(f"invalid Message-ID reference {ref!r}")

    msg = EmailMessage(policy=policy.SMTP)
    _set(msg, "From", sender)
    _set(msg, "To", ", ".join(letter.to))
    if letter.cc:
        _set(msg, "Cc", ", ".join(letter.cc))
    if reply_to:
        _set(msg, "Reply-To", reply_to)
    _set(msg, "Subject", letter.subject)
    _set(msg, "Date", format_datetime(date))
    _set(msg, "Message-ID", message_id)
    if in_reply_to:
        _set(msg, "In-Reply-To", in_reply_to)
    if references:
        _set(msg, "References", " ".join(references))
    _set(msg, "X-Cpambot", letter.kind)
    for name, value in (extra_headers or {}).items():
        if not _HEADER_NAME_RE.match(name):
            raise InvalidValueError(f"invalid header name {name!r}")
        if name.lower() in _RESERVED:
            raise InvalidValueError(f"header {name!r} is set by build_mime and cannot be overridden")
        _set(msg, name, value)

    body = letter.body if letter.body.endswith("\n") else letter.body + "\n"
    msg.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    if letter.html:
        msg.add_alternative(letter.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in letter.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if not maintype or not subtype:
            raise InvalidValueError(f"invalid content type {attachment.content_type!r}")
        msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                           filename=attachment.filename)
    for part in msg.iter_attachments():
        del part["MIME-Version"]  # add_attachment repeats it in every part; only the top level needs it
    return msg.as_bytes()


def _set(msg: EmailMessage, name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise InvalidValueError(f"line break in the {name} header")
    msg[name] = value
