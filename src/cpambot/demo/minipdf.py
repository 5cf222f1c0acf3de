"""A minimal, deterministic PDF writer with a real text layer.

pypdf cannot lay out text on a page, so the demo letters are written by hand:
PDF 1.4, A4 pages, the standard Helvetica / Helvetica-Bold fonts with
``WinAnsiEncoding`` (so that French accents and ``€`` are extractable), one
content stream per page, a correct cross-reference table. No date, random id
or compression is involved: the same input gives the same bytes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

__all__ = ["Line", "text_pdf"]

#: A line of the letter: (style, text). Styles: ``title`` (bold 13 pt),
#: ``bold`` (bold 10 pt), ``text`` (10 pt), ``small`` (8 pt), ``blank``.
Line = tuple[str, str]

_STYLES = {"title": ("F2", 13, 18), "bold": ("F2", 10, 13), "text": ("F1", 10, 13),
           "small": ("F1", 8, 10), "blank": ("F1", 10, 8)}
_WRAP = {"title": 70, "bold": 88, "text": 92, "small": 115, "blank": 1}

_PAGE_W, _PAGE_H = 595, 842
_LEFT, _TOP, _BOTTOM = 56, 786, 56


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252), with escapes; ASCII-only output."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        ch = bytes([byte])
        if ch in (b"(", b")", b"\\"):
            out += b"\\" + ch
        elif 0x20 <= byte < 0x7F:
            out += ch
        else:
            out += b"\\%03o" % byte
    out += b")"
    return bytes(out)


def _layout(lines: Iterable[Line]) -> list[list[tuple[str, int, int, str]]]:
    """Wrap the lines and cut them into pages of (font, size, y, text)."""
    pages: list[list[tuple[str, int, int, str]]] = [[]]
    y = _TOP
    for style, text in lines:
        font, size, leading = _STYLES[style]
        chunks = [""] if style == "blank" or not text else textwrap.wrap(
            text, _WRAP[style], break_long_words=True, replace_whitespace=False) or [""]
        for chunk in chunks:
            if y - leading < _BOTTOM:
                pages.append([])
                y = _TOP
            y -= leading
            if chunk:
                pages[-1].append((font, size, y, chunk))
    return pages


def text_pdf(lines: Sequence[Line], *, title: str, author: str = "",
             creation_date: str = "D:20260101000000Z") -> bytes:
    """Render ``lines`` as an A4 PDF whose text pypdf can extract.

    ``creation_date`` is a PDF date string written as is in the Info
    dictionary (fixed, for byte-identical output). Characters outside
    cp1252 raise ``UnicodeEncodeError``.
    """
    pages = _layout(lines)
    objects: list[bytes] = []  # objects[i] is object number i + 1

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in later
    pages_obj = add(b"")
    f1 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
             b"/Encoding /WinAnsiEncoding >>")
    f2 = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
             b"/Encoding /WinAnsiEncoding >>")
    kids = []
    for number, page in enumerate(pages, 1):
        ops = [b"BT"]
        for font, size, y, text in page:
            ops.append(b"/%s %d Tf 1 0 0 1 %d %d Tm %s Tj"
                       % (font.encode(), size, _LEFT, y, pdf_string(text)))
        ops.append(b"/F1 8 Tf 1 0 0 1 %d %d Tm %s Tj"
                   % (_PAGE_W - 120, 30, pdf_string(f"Page {number}/{len(pages)}")))
        ops.append(b"ET")
        stream = b"\n".join(ops) + b"\n"
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> "
                        b"/Contents %d 0 R >>"
                        % (pages_obj, _PAGE_W, _PAGE_H, f1, f2, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    objects[pages_obj - 1] = (b"<< /Type /Pages /Kids [%s] /Count %d >>"
                              % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    info = add(b"<< /Title %s /Author %s /Producer %s /CreationDate %s >>"
               % (pdf_string(title), pdf_string(author),
                  pdf_string("cpambot demo (minipdf)"), pdf_string(creation_date)))

    return pdf_file(objects, root=catalog, info=info)


def pdf_file(objects: list[bytes], *, root: int, info: int | None = None,
             extra_trailer: bytes = b"") -> bytes:
    """Numbered objects (1…n) assembled into a PDF file with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += (b"trailer\n<< /Size %d /Root %d 0 R%s%s >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, info_ref, extra_trailer, xref))
    return bytes(out)
