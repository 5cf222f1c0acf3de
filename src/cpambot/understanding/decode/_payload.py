"""Payload bytes → text: decompression (gzip / zlib, detected by content) and binary checks."""

from __future__ import annotations

import re
import zlib

from cpambot.errors import DecodeError, UnreadableContent

GZIP_MAGIC = b"\x1f\x8b"
#: Largest decompressed payload accepted (a NOEMIE file is a few kB to a few MB).
MAX_TEXT_BYTES = 64 * 1024 * 1024

# C0 control characters and DEL, except CR and LF (line breaks between entities are tolerated).
_BINARY = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
#: Padding removed from the very end of a payload: line breaks, NULs, DOS end-of-file.
#: Not spaces: the ``999`` trailer itself ends with 20 blanks.
_TRAILING_PAD = b"\r\n\x00\x1a"


def is_zlib(data: bytes) -> bool:
    """True when ``data`` starts with a zlib (RFC 1950) header using deflate."""
    return (len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7
            and (data[0] << 8 | data[1]) % 31 == 0)


def is_compressed(data: bytes) -> bool:
    """True when ``data`` looks gzip- or zlib-compressed (magic bytes)."""
    return data[:2] == GZIP_MAGIC or is_zlib(data)


def _inflate(data: bytes, wbits: int) -> bytes:
    """Decompress every gzip member (or the single zlib stream) of ``data``, size-capped."""
    out = bytearray()
    rest = data
    while True:
        d = zlib.decompressobj(wbits)
        try:
            out += d.decompress(rest, MAX_TEXT_BYTES + 1 - len(out))
        except zlib.error as exc:
            raise UnreadableContent(f"contenu compressé illisible ({exc})") from None
        if len(out) > MAX_TEXT_BYTES:
            raise UnreadableContent("contenu compressé trop volumineux une fois décompressé "
                                    f"(plus de {MAX_TEXT_BYTES // (1024 * 1024)} Mo)")
        if not d.eof:
            raise UnreadableContent("contenu compressé tronqué : le flux s'arrête avant sa fin")
        rest = d.unused_data
        if wbits == 31 and rest[:2] == GZIP_MAGIC:
            continue  # another gzip member
        if rest.strip(b"\x00"):
            raise UnreadableContent("contenu compressé suivi de données illisibles")
        return bytes(out)


def payload_text(data: bytes) -> tuple[str, bool]:
    """Return ``(text, compressed)`` for a raw payload.

    gzip (``1f 8b``) and zlib headers are detected by content and inflated.
    The text is read as ISO-8859-1 (one byte = one character, so fixed widths
    hold whatever the real charset). Trailing padding is removed. Control
    characters other than CR/LF mean binary garbage → :class:`DecodeError`.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError(f"données de type {type(data).__name__} au lieu d'octets")
    data = bytes(data)
    compressed = False
    if data[:2] == GZIP_MAGIC:
        data, compressed = _inflate(data, 31), True
    elif is_zlib(data):
        data, compressed = _inflate(data, 15), True
    data = data.rstrip(_TRAILING_PAD)
    if not data:
        raise DecodeError("fichier vide")
    bad = _BINARY.search(data)
    if bad:
        where = "après décompression" if compressed else "dans le fichier"
        raise UnreadableContent(f"contenu binaire illisible : octet 0x{bad.group()[0]:02x} "
                                f"{where} à la position {bad.start() + 1}")
    return data.decode("latin-1"), compressed
