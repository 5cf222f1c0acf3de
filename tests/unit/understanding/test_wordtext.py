"""Word-processor letters attached as .odt or .docx, read as text."""

from __future__ import annotations

import io
import zipfile

from cpambot.understanding.wordtext import word_text

ODF = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zip(name: str, xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(name, xml)
    return buffer.getvalue()


def test_an_odt_letter_gives_its_paragraphs_and_its_table_rows():
    """GIVEN an .odt letter with a paragraph whose invoice number is cut by spans and "text:s" spaces, and a
    table of two rows WHEN read THEN one line per paragraph, the number whole, and each row "a | b | c"."""
    xml = (f'<office:document-content {ODF}><office:body><office:text>'
           '<text:p>Facture n° <text:span>000</text:span><text:s/>418<text:s text:c="1"/>802 réglée.</text:p>'
           '<table:table><table:table-row><table:table-cell><text:p>Facture</text:p></table:table-cell>'
           '<table:table-cell><text:p>Montant</text:p></table:table-cell></table:table-row>'
           '<table:table-row><table:table-cell><text:p>000419117</text:p></table:table-cell>'
           '<table:table-cell><text:p>28,80 €</text:p></table:table-cell></table:table-row></table:table>'
           '</office:text></office:body></office:document-content>')
    text, problem = word_text(_zip("content.xml", xml), "lettre.odt")
    assert problem is None
    assert text.splitlines() == ["Facture n° 000 418 802 réglée.", "Facture | Montant", "000419117 | 28,80 €"]


def test_a_docx_letter_joins_the_runs_word_cut_a_figure_into():
    """GIVEN a .docx whose total "1 284,50 €" is cut into two runs and a table row WHEN read THEN the
    figure whole on its paragraph's line and the row as "a | b"."""
    xml = (f'<w:document {W}><w:body><w:p><w:r><w:t>Montant total : 1 2</w:t></w:r><w:r><w:t>84,50 €</w:t>'
           '</w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>000552190</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r>'
           '<w:t>96,60 €</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>')
    text, problem = word_text(_zip("word/document.xml", xml), "indu.docx")
    assert (text, problem) == ("Montant total : 1 284,50 €\n000552190 | 96,60 €", None)


def test_a_broken_document_gives_a_french_reason():
    """GIVEN bytes that are not a zip WHEN read as .docx THEN no text and a reason in French."""
    assert word_text(b"not a zip", "x.docx") == (None, "document illisible (BadZipFile) : à lire")
