"""Header summaries: the few fields the bot reads before deciding to fetch a body.

Pure functions over the bytes returned by ``BODY.PEEK[HEADER.FIELDS (...)]``
(or the header block of a Maildir file). Parsing uses the stdlib's compat32
parser, which is several times faster than ``policy.default``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime

# The header fields fetched for every message. Order matters for the fingerprint only
# in that the server returns them as they appear in the message.
HEADER_FIELDS = (
    "FROM", "SENDER", "REPLY-TO", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID",
    "IN-REPLY-TO", "REFERENCES", "AUTO-SUBMITTED", "X-AUTOREPLY", "PRECEDENCE",
    "CONTENT-TYPE", "AUTHENTICATION-RESULTS", "X-CPAMBOT",
)

_PARSER = HeaderParser()
_MSGID_RE = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class HeaderSummary:
    """What is known of a message before its body is fetched."""

    message_id: str | None
    from_name: str
    from_addr: str
    subject: str
    date: str | None
    to: tuple[str, ...]
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    auto_submitted: bool
    content_type: str
    size: int
    fingerprint: str

    @property
    def from_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]


def decode_text(value: str | None) -> str:
    """Decode RFC 2047 encoded words; never raises."""
    if not value:
        return ""
    try:
        text = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        text = value
    return " ".join(text.split())


def fingerprint(header_bytes: bytes, size: int) -> str:
    """A content hash independent of UIDs: secondary key after a UIDVALIDITY change."""
    normalized = b"\n".join(line.rstrip() for line in header_bytes.replace(b"\r\n", b"\n").split(b"\n")
                            if line.strip())
    digest = hashlib.sha256(normalized)
    digest.update(b"\0%d" % size)
    return digest.hexdigest()


def summarize(header_bytes: bytes, size: int) -> HeaderSummary:
    """Summarize a header block. Garbage yields empty fields, not an exception."""
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = header_bytes.decode("latin-1")  # raw 8-bit headers from old mailers
    msg = _PARSER.parsestr(text)

    def get(name: str) -> str:
        value = msg.get(name)
        return str(value) if value is not None else ""

    from_pairs = getaddresses([get("From")]) if get("From") else []
    from_name, from_addr = from_pairs[0] if from_pairs else ("", "")
    date_iso = None
    raw_date = get("Date")
    if raw_date:
        try:
            date_iso = parsedate_to_datetime(raw_date).isoformat()
        except (TypeError, ValueError, IndexError, OverflowError):
            date_iso = None
    auto = get("Auto-Submitted").strip().lower()
    precedence = get("Precedence").strip().lower()
    message_ids = _MSGID_RE.findall(get("Message-ID"))
    return HeaderSummary(
        message_id=message_ids[0] if message_ids else None,
        from_name=decode_text(from_name),
        from_addr=from_addr.strip().lower(),
        subject=decode_text(get("Subject")),
        date=date_iso,
        to=tuple(a.lower() for _, a in getaddresses([get("To"), get("Cc")]) if a),
        in_reply_to=tuple(_MSGID_RE.findall(get("In-Reply-To"))),
        references=tuple(_MSGID_RE.findall(get("References"))),
        auto_submitted=bool(auto and auto != "no") or bool(get("X-Autoreply"))
        or precedence in ("auto_reply", "bulk", "junk"),
        content_type=(get("Content-Type").split(";")[0].strip().lower() or "text/plain"),
        size=size,
        fingerprint=fingerprint(header_bytes, size),
    )


def header_block(raw: bytes) -> bytes:
    """The header block of a full message (up to the first empty line)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(sep)
        if index != -1:
            return raw[: index + len(sep)]
    return raw


def select_fields(raw_headers: bytes, fields: tuple[str, ...] = HEADER_FIELDS) -> bytes:
    """Keep only ``fields`` from a header block, as an IMAP server does for HEADER.FIELDS."""
    wanted = {f.lower().encode() for f in fields}
    out: list[bytes] = []
    keep = False
    for line in raw_headers.replace(b"\r\n", b"\n").split(b"\n"):
        if not line.strip():
            continue
        if line[:1] in (b" ", b"\t"):
            if keep:
                out.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        keep = name in wanted
        if keep:
            out.append(line)
    return b"\r\n".join(out) + b"\r\n\r\n"
