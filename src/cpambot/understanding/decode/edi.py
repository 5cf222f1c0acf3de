"""The ``application/EDI-consent`` parts of a return e-mail, and their dispatch to a decoder.

Layout §1 ("The e-mail"): every MIME part (the top-level one included) whose
content type, lower-cased, is ``application/edi-consent`` carries one file;
its ``Content-Description`` is the "nature" of the return. Encrypted mails
(S/MIME) show no such part: they give an empty list.
"""

from __future__ import annotations

import base64
import binascii
import email
import re
import zlib
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.policy import compat32

from cpambot.errors import DecodeError, UnreadableContent
from cpambot.understanding.decode._payload import is_compressed, payload_text
from cpambot.understanding.decode.arl import ArlFile, decode_arl_text
from cpambot.understanding.decode.noemie import NoemieFile, decode_noemie_text

__all__ = ["EdiPart", "decode_edi_part", "edi_parts_of", "extract_edi_parts"]

EDI_CONTENT_TYPE = "application/edi-consent"
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NOEMIE_WORDS = frozenset({"NOEMIE", "RSP", "NOE"})


@dataclass(frozen=True)
class EdiPart:
    """One EDI part: its nature (``Content-Description``), decoded payload and compression."""

    nature: str
    payload: bytes
    compressed: bool  # gzip or zlib magic bytes at the start of the payload
    transfer_encoding: str  # lower-cased Content-Transfer-Encoding ("" when absent)

    def __repr__(self) -> str:
        return (f"EdiPart(nature={self.nature!r}, payload=<{len(self.payload)} octets>, "
                f"compressed={self.compressed!r}, transfer_encoding={self.transfer_encoding!r})")


def _header_text(value: object) -> str:
    if value is None:
        return ""
    try:
        text = str(make_header(decode_header(str(value))))
    except Exception:  # undecodable encoded-word: keep it as written
        text = str(value)
    return " ".join(text.split())


def _base64(text: str) -> bytes:
    """Tolerant base64: whitespace anywhere and missing padding accepted; anything else is an error."""
    s = "".join(text.split())
    if not _B64.fullmatch(s):
        raise UnreadableContent("pièce EDI : base64 invalide (caractère hors de l'alphabet base64)")
    s = s.rstrip("=")
    if len(s) % 4 == 1:
        raise UnreadableContent("pièce EDI : base64 invalide (longueur impossible, contenu tronqué ?)")
    try:
        return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
    except binascii.Error as exc:
        raise UnreadableContent(f"pièce EDI : base64 invalide ({exc})") from None


def _edi_part(part: Message) -> EdiPart:
    if part.is_multipart():
        raise DecodeError("pièce EDI de type multipart : contenu inattendu")
    cte = _header_text(part.get("Content-Transfer-Encoding")).lower()
    raw = part.get_payload()
    if cte == "base64":
        payload = _base64(raw if isinstance(raw, str) else "")
    else:
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
    return EdiPart(_header_text(part.get("Content-Description")), payload, is_compressed(payload), cte)


def extract_edi_parts(raw_message: bytes) -> list[EdiPart]:
    """Every ``application/edi-consent`` part of a raw message, in order (empty list if none).

    Raises :class:`DecodeError` (and nothing else) when the message cannot be
    parsed or a part's base64 is broken.
    """
    if not isinstance(raw_message, bytes | bytearray | memoryview):
        raise DecodeError(f"message de type {type(raw_message).__name__} au lieu d'octets")
    try:
        msg = email.message_from_bytes(bytes(raw_message), policy=compat32)
        return [_edi_part(p) for p in msg.walk() if p.get_content_type() == EDI_CONTENT_TYPE]
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"message illisible ({type(exc).__name__})") from exc


_SNIFFED = ("application/octet-stream", "application/x-gzip", "application/gzip",
            "application/x-zip-compressed", "text/plain", "application/text", "application/x-noemie",
            "application/vnd.ms-excel")


def _looks_edi(part: Message) -> bool:
    """Whether a part sent under another type (gzip, octet-stream, a .txt attachment) holds a NOEMIE
    or ARL file: its first bytes, decompressed when they are gzip or zlib, start with the 000
    header of such a file (or an ARL record). Only the first few kilobytes are decoded."""
    if part.is_multipart() or part.get_content_type() not in _SNIFFED:
        return False
    raw = part.get_payload()
    if not isinstance(raw, str):
        return False
    cte = _header_text(part.get("Content-Transfer-Encoding")).lower()
    try:
        if cte == "base64":
            head = _base64(re.sub(r"\s+", "", raw[:8192])[:5460])
        else:
            head = raw[:4096].encode("latin-1", "replace")
        if is_compressed(head):
            head = zlib.decompressobj(wbits=47).decompress(head, 4096)
    except (DecodeError, zlib.error, ValueError):
        return False
    text = head.decode("latin-1").lstrip(" \r\n")
    return (text.startswith("000") and ("NOEMIE" in text[:128] or "ARL" in text[:128])) \
        or text.startswith(("ARL0", "ARL1"))


def edi_parts_of(msg: Message) -> list[EdiPart]:
    """The EDI parts of an already parsed message (compat32), as :func:`extract_edi_parts`, and the
    parts that hold a NOEMIE or ARL file under another content type (:func:`_looks_edi`)."""
    try:
        return [_edi_part(p) for p in msg.walk()
                if p.get_content_type() == EDI_CONTENT_TYPE or _looks_edi(p)]
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"message illisible ({type(exc).__name__})") from exc


def kind_from_nature(nature: str) -> str | None:
    """``"ARL"``, ``"NOEMIE"`` or ``None`` (undecided) from a Content-Description such as ``ARL/Z``."""
    words = set(re.split(r"[^A-Z0-9]+", nature.upper()))
    arl, noemie = "ARL" in words, bool(words & _NOEMIE_WORDS)
    if arl != noemie:
        return "ARL" if arl else "NOEMIE"
    return None


def kind_from_text(text: str) -> str:
    """``"ARL"`` when the 000 header's référence is ``ARL`` or its application type ``AR``, or when the
    first entity after it is an ``ARL``; ``"NOEMIE"`` otherwise."""
    head = text.lstrip(" \r\n")
    if head[61:65].strip().upper() == "ARL" or head[47:49] == "AR":
        return "ARL"
    return "ARL" if head[128:].lstrip("\r\n").startswith("ARL") else "NOEMIE"


def decode_edi_part(part: EdiPart) -> NoemieFile | ArlFile:
    """Decode an EDI part as ARL or NOEMIE.

    The nature decides when it names one kind (``ARL…`` vs ``NOEMIE…``/``RSP…``);
    otherwise the payload's 000 header does. Raises only :class:`DecodeError`.
    """
    try:
        kind = kind_from_nature(part.nature)
        text, compressed = payload_text(part.payload)
        if kind is None:
            kind = kind_from_text(text)
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"pièce EDI illisible ({type(exc).__name__})") from exc
    if kind == "ARL":
        return decode_arl_text(text, compressed)
    return decode_noemie_text(text, compressed)
