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
from collections.abc import Iterable, Iterator
from email.errors import HeaderParseError, MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from functools import cached_property

# The header fields fetched for every message. Order matters for the fingerprint only
# in that the server returns them as they appear in the message.
HEADER_FIELDS = (
    "FROM", "SENDER", "REPLY-TO", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID",
    "IN-REPLY-TO", "REFERENCES", "AUTO-SUBMITTED", "X-AUTOREPLY", "PRECEDENCE",
    "CONTENT-TYPE", "AUTHENTICATION-RESULTS", "X-CPAMBOT",
)

PLAUSIBLE_YEARS = (1990, 2100)  # dates outside are treated as unreadable
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_ANGLE_ADDR = re.compile(r"^(.*?)<\s*([^<>\s]+@[^<>\s]+?)\s*>\s*$", re.S)
_BARE_ADDR = re.compile(r"^[^\s<>\"(),;:]+@[^\s<>\"(),;:]+$")


class HeaderSummary:
    """What is known of a message before its body is fetched.

    Sender, Message-ID, size and fingerprint are read at once (they decide
    relevance and duplicates); the rest is decoded only when asked for, since
    most messages of a mailbox are unrelated and only need a ledger row."""

    def __init__(self, fields: dict[str, str], size: int, fingerprint: str) -> None:
        self.fields = fields
        self.size = size
        self.fingerprint = fingerprint
        self.from_name, from_addr = parse_from(fields["from"]) if fields.get("from") else ("", "")
        self.from_addr = from_addr.strip().lower()
        ids = _MSGID_RE.findall(fields.get("message-id", ""))
        self.message_id: str | None = ids[0] if ids else None

    @property
    def from_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]

    @property
    def raw_subject(self) -> str:
        return self.fields.get("subject", "")

    @cached_property
    def subject(self) -> str:
        subject = self.raw_subject
        return decode_text(subject) if "=?" in subject else " ".join(subject.split())

    @property
    def raw_date(self) -> str:
        return self.fields.get("date", "")

    @cached_property
    def date(self) -> str | None:
        """The Date header as an ISO 8601 string with its time zone, or None."""
        return iso_date(self.raw_date)

    @property
    def to_raw(self) -> str:
        return ", ".join(v for v in (self.fields.get("to"), self.fields.get("cc")) if v)

    @property
    def to(self) -> tuple[str, ...]:
        """Recipients (To and Cc), lower-cased."""
        return tuple(a.lower() for _, a in getaddresses([self.to_raw]) if a)

    @cached_property
    def in_reply_to(self) -> tuple[str, ...]:
        return tuple(_MSGID_RE.findall(self.fields.get("in-reply-to", "")))

    @cached_property
    def references(self) -> tuple[str, ...]:
        return tuple(_MSGID_RE.findall(self.fields.get("references", "")))

    @property
    def auto_submitted(self) -> bool:
        get = self.fields.get
        auto = get("auto-submitted", "").lower()
        return bool(auto and auto != "no") or bool(get("x-autoreply")) \
            or get("precedence", "").lower() in ("auto_reply", "bulk", "junk")

    @property
    def content_type(self) -> str:
        return self.fields.get("content-type", "").split(";")[0].strip().lower() or "text/plain"


def iso_date(raw_date: str | None) -> str | None:
    """An RFC 5322 date as ISO 8601 (time zone kept), or None when unreadable."""
    if not raw_date:
        return None
    try:
        when = parsedate_to_datetime(raw_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # Year 9999 or 0001: a forged or broken clock; every deadline counted from it would be absurd
    return when.isoformat() if PLAUSIBLE_YEARS[0] <= when.year <= PLAUSIBLE_YEARS[1] else None


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
    except (ValueError, LookupError, UnicodeError, HeaderParseError, MessageError):
        text = value  # undecodable charset or encoding: the raw text is better than nothing
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
    (To and Cc are joined with a comma, repeated Authentication-Results with a newline).
    Bytes that are not UTF-8 are read as Latin-1 (old mailers)."""
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        text = header_bytes.decode("latin-1")
    fields: dict[str, str] = {}
    name = None
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line:
            if fields:
                break
            continue
        if not line.strip():
            continue  # spaces alone: an (obsolete) folded empty line, not the end of the header
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
            if name == "authentication-results":  # every verdict counts (see senders.spoofing)
                fields[name] += "\n" + value.strip()
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
    return HeaderSummary(split_headers(header_bytes), size, fingerprint(header_bytes, size))


def header_block(raw: bytes) -> bytes:
    """The header block of a full message (up to the first empty line)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(sep)
        if index != -1:
            return raw[: index + len(sep)]
    return raw


def select_fields(raw_headers: bytes | Iterable[bytes], fields: tuple[str, ...] = HEADER_FIELDS) -> bytes:
    """Keep only ``fields`` from a header block (bytes, or its lines read one by one up to the
    first empty line), as an IMAP server does for HEADER.FIELDS."""
    wanted = {f.lower().encode() for f in fields}
    out: list[bytes] = []
    keep = False
    if isinstance(raw_headers, bytes):
        lines: Iterable[bytes] = raw_headers.replace(b"\r\n", b"\n").split(b"\n")
    else:
        lines = _until_blank(raw_headers)
    for line in lines:
        line = line.rstrip(b"\r\n")
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


def _until_blank(lines: Iterable[bytes]) -> Iterator[bytes]:
    for line in lines:
        if not line.rstrip(b"\r\n"):
            return
        yield line
