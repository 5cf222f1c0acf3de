"""Header summaries: the few fields the bot reads before deciding to fetch a body.

Pure functions over the bytes returned by ``BODY.PEEK[HEADER.FIELDS (...)]``
(or the header block of a Maildir file). The block is unfolded and split by
hand: this runs for every message of the mailbox, and the stdlib parsers cost
several times more than the whole IMAP fetch (see bench/ingest.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import quopri
import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

# The header fields fetched for every message. Order matters for the fingerprint only
# in that the server returns them as they appear in the message.
HEADER_FIELDS = (
    "FROM", "SENDER", "REPLY-TO", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID",
    "IN-REPLY-TO", "REFERENCES", "AUTO-SUBMITTED", "X-AUTOREPLY", "PRECEDENCE",
    "CONTENT-TYPE", "AUTHENTICATION-RESULTS", "X-CPAMBOT",
)

_MSGID_RE = re.compile(r"<[^<>\s]+>")
_ANGLE_ADDR = re.compile(r"^(.*?)<\s*([^<>\s]+@[^<>\s]+?)\s*>\s*$", re.S)
_BARE_ADDR = re.compile(r"^[^\s<>\"(),;:]+@[^\s<>\"(),;:]+$")


@dataclass(frozen=True)
class HeaderSummary:
    """What is known of a message before its body is fetched."""

    message_id: str | None
    from_name: str
    from_addr: str
    subject: str
    date: str | None
    to_raw: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    auto_submitted: bool
    content_type: str
    size: int
    fingerprint: str

    @property
    def to(self) -> tuple[str, ...]:
        """Recipients (To and Cc), lower-cased; parsed only when asked for."""
        return tuple(a.lower() for _, a in getaddresses([self.to_raw]) if a)

    @property
    def from_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)\s+(=\?)")


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, payload = match.group(1), match.group(2).upper(), match.group(3)
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix
    if encoding == "B":
        data = base64.b64decode(payload + "=" * (-len(payload) % 4))
    else:
        data = quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=True)
    return data.decode(charset)


def decode_text(value: str | None) -> str:
    """Decode RFC 2047 encoded words; never raises.

    A small decoder handles the usual shapes (it runs on every sender of the mailbox);
    anything it cannot decode goes through the stdlib's slower, lenient one."""
    if not value:
        return ""
    if "=?" not in value:
        return " ".join(value.split())
    try:
        return " ".join(_ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1\2", value)).split())
    except (ValueError, LookupError, UnicodeError, binascii.Error):
        pass
    try:
        text = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        text = value
    return " ".join(text.split())


def fingerprint(header_bytes: bytes, size: int) -> str:
    """A content hash independent of UIDs: secondary key after a UIDVALIDITY change.

    Line endings and the blank lines around the block are normalised, so the same
    message gives the same fingerprint from IMAP (CRLF) and from a Maildir file (LF)."""
    digest = hashlib.sha256(header_bytes.replace(b"\r\n", b"\n").strip())
    digest.update(b"\0%d" % size)
    return digest.hexdigest()


def split_headers(header_bytes: bytes) -> dict[str, str]:
    """Unfolded header fields, names lower-cased; the first occurrence of each wins
    (To and Cc are joined). Bytes that are not UTF-8 are read as Latin-1 (old mailers)."""
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = header_bytes.decode("latin-1")
    fields: dict[str, str] = {}
    name = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            if fields:
                break
            continue
        if line[0] in " \t":
            if name is not None:
                fields[name] += " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            name = None
            continue
        name = key.strip().lower()
        if name in fields:
            if name in ("to", "cc"):
                fields[name] += ", " + value.strip()
                continue
            name = None  # keep the first occurrence, drop continuation lines of a repeat
            continue
        fields[name] = value.strip()
    return fields


def parse_from(value: str) -> tuple[str, str]:
    """(display name, address) of a From field; fast paths for the usual shapes."""
    value = value.strip()
    if "," not in value and value.count("<") <= 1:
        found = _ANGLE_ADDR.match(value)
        if found:
            return decode_text(found.group(1).strip().strip('"').strip()), found.group(2)
        if _BARE_ADDR.match(value):
            return "", value
    pairs = getaddresses([value])
    name, addr = pairs[0] if pairs else ("", "")
    return decode_text(name), addr


def summarize(header_bytes: bytes, size: int) -> HeaderSummary:
    """Summarize a header block. Garbage yields empty fields, not an exception."""
    fields = split_headers(header_bytes)
    get = fields.get
    from_name, from_addr = parse_from(get("from", "")) if get("from") else ("", "")
    date_iso = None
    raw_date = get("date")
    if raw_date:
        try:
            date_iso = parsedate_to_datetime(raw_date).isoformat()
        except (TypeError, ValueError, IndexError, OverflowError):
            date_iso = None
    auto = get("auto-submitted", "").lower()
    precedence = get("precedence", "").lower()
    message_ids = _MSGID_RE.findall(get("message-id", ""))
    subject = get("subject", "")
    to_raw = ", ".join(v for v in (get("to"), get("cc")) if v)
    return HeaderSummary(
        message_id=message_ids[0] if message_ids else None,
        from_name=from_name,
        from_addr=from_addr.strip().lower(),
        subject=decode_text(subject) if "=?" in subject else " ".join(subject.split()),
        date=date_iso,
        to_raw=to_raw,
        in_reply_to=tuple(_MSGID_RE.findall(get("in-reply-to", ""))),
        references=tuple(_MSGID_RE.findall(get("references", ""))),
        auto_submitted=bool(auto and auto != "no") or bool(get("x-autoreply"))
        or precedence in ("auto_reply", "bulk", "junk"),
        content_type=(get("content-type", "").split(";")[0].strip().lower() or "text/plain"),
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
