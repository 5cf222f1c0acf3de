"""The text of a word-processor letter attached as .odt (OpenDocument) or .docx (Word): a zip of XML parts,
read with the standard library (nothing is run). Each paragraph is a line, a table's row one line with its
cells separated by `` | `` (as the HTML and spreadsheet readers write them)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
import zlib

from cpambot.errors import UnreadableContent

MAX_PART_BYTES = 5 * 1024 * 1024
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def word_text(payload: bytes, name: str) -> tuple[str | None, str | None]:
    """(text, problem) of an .odt or .docx letter (``name`` tells which)."""
    docx = name.lower().endswith(".docx")
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as book:
            part = "word/document.xml" if docx else "content.xml"
            if book.getinfo(part).file_size > MAX_PART_BYTES:
                raise UnreadableContent("partie trop volumineuse")
            root = ET.fromstring(book.read(part))
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, ET.ParseError, KeyError, ValueError, OSError,
            EOFError, UnreadableContent) as exc:
        return None, f"document illisible ({exc.__class__.__name__}) : à lire"
    lines = _word_lines(root) if docx else _odf_lines(root)
    text = "\n".join(line for line in lines if line.strip())
    return (text or None), (None if text else "document sans texte : à lire")


def _odf_lines(root: ET.Element) -> list[str]:
    """Paragraphs and headings as lines, each table row as one line (its cells' paragraphs inside it)."""
    lines: list[str] = []

    def walk(element: ET.Element) -> None:
        for child in element:
            if child.tag == f"{_ODF_TABLE}table-row":
                lines.append(" | ".join(_odf_words(cell).strip() for cell in child
                                        if cell.tag == f"{_ODF_TABLE}table-cell"))
            elif child.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
                lines.append(_odf_words(child))
            else:
                walk(child)

    walk(root)
    return lines


def _odf_words(element: ET.Element) -> str:
    """The words of a paragraph or a cell, in order: its text, its spans', spaces ("text:s" with its count),
    tabs and line breaks as spaces, a cell's paragraphs joined by a space."""
    out = [element.text or ""]
    for child in element:
        if child.tag == f"{_ODF_TEXT}s":
            out.append(" " * min(int(child.get(f"{_ODF_TEXT}c", "1") or 1), 200))
        elif child.tag in (f"{_ODF_TEXT}tab", f"{_ODF_TEXT}line-break"):
            out.append(" ")
        else:
            out.append((" " if child.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h") else "") + _odf_words(child))
        out.append(child.tail or "")
    return "".join(out)


def _word_lines(root: ET.Element) -> list[str]:
    lines: list[str] = []
    body = root.find(f"{_WORD}body")
    for block in (body if body is not None else root):
        if block.tag == f"{_WORD}p":
            lines.append(_word_words(block))
        elif block.tag == f"{_WORD}tbl":
            for row in block.iter(f"{_WORD}tr"):
                lines.append(" | ".join(" ".join(_word_words(p) for p in cell.iter(f"{_WORD}p")).strip()
                                        for cell in row.iter(f"{_WORD}tc")))
    return lines


def _word_words(paragraph: ET.Element) -> str:
    """A paragraph's runs joined (Word cuts one word into several runs), tabs and breaks as spaces."""
    out: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_WORD}t":
            out.append(node.text or "")
        elif node.tag in (f"{_WORD}tab", f"{_WORD}br"):
            out.append(" ")
    return "".join(out)
