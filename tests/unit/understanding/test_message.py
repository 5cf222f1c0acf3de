"""Attachments and bodies turned into text: spreadsheets, HTML tables, broken files."""

from __future__ import annotations

import io
import zipfile

import pytest

from cpambot.understanding.documents import pdf_text, xlsx_text
from cpambot.understanding.message import html_to_text, parse_message

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(rows_xml: str, shared: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("xl/sharedStrings.xml", f"<sst {NS}>" + "".join(
            f"<si><t>{s}</t></si>" for s in shared) + "</sst>")
        book.writestr("xl/worksheets/sheet1.xml", f"<worksheet {NS}><sheetData>{rows_xml}"
                                                  "</sheetData></worksheet>")
    return buffer.getvalue()


def test_xlsx_rows_become_table_lines():
    """GIVEN a table of anomalies as .xlsx (shared strings, numbers, inline strings)
    WHEN read THEN each row is one "a | b | c" line, in order."""
    rows = ('<row><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
            '<row><c t="inlineStr"><is><t>J. T.</t></is></c><c><v>472.5</v></c></row>')
    text, problem = xlsx_text(workbook(rows, ["Bénéficiaire", "Montant indu"]))
    assert problem is None
    assert text.splitlines() == ["Bénéficiaire | Montant indu", "J. T. | 472.5"]


def test_broken_attachments_give_a_french_reason():
    """GIVEN a corrupt spreadsheet and a corrupt PDF WHEN read THEN no text, a reason to read it."""
    assert xlsx_text(b"PK\x03\x04 not really")[1].startswith("tableur illisible")
    text, problem = pdf_text(b"%PDF-1.4 garbage")
    assert text is None and "à lire" in problem


def test_spreadsheet_with_a_broken_compressed_stream_gives_a_french_reason():
    """GIVEN a workbook whose deflated sheet is damaged (the zip directory intact: zlib itself fails,
    a case found by the fuzz test) WHEN read THEN no exception, a reason to read it."""
    name = "xl/worksheets/sheet1.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(name, f"<worksheet {NS}><sheetData>" + "<row/>" * 400 + "</sheetData></worksheet>")
    data = bytearray(buffer.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    start = info.header_offset + 30 + len(name) + len(info.extra)
    data[start:start + 2] = b"\xff\xff"  # an invalid deflate block type
    text, problem = xlsx_text(bytes(data))
    assert text is None and problem.startswith("tableur illisible")


def test_html_table_rows_stay_on_one_line():
    """GIVEN an HTML-only body with a table WHEN flattened THEN each row is one line of cells."""
    html = ("<p>Bonjour</p><table><tr><th>Lot</th><th>Facture</th></tr>"
            "<tr><td>042</td><td>000012345</td></tr></table><script>x()</script>")
    lines = [line for line in html_to_text(html).splitlines() if line.strip()]
    assert lines == ["Bonjour", "Lot | Facture", "042 | 000012345"]


def test_xlsx_rows_keep_their_columns_when_cells_are_empty():
    """GIVEN a sheet whose second row has no B cell (empty cells are not written) WHEN read THEN the
    C value stays in the third column."""
    import io
    import zipfile

    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Facture</t></is></c><c r="B1" t="inlineStr"><is>'
             '<t>Code</t></is></c><c r="C1" t="inlineStr"><is><t>Montant</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>000123456</t></is></c><c r="C2"><v>12.6</v></c></row>'
             '</sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    text, problem = xlsx_text(buffer.getvalue())
    assert problem is None
    assert text.splitlines() == ["Facture | Code | Montant", "000123456 |  | 12.6"]


def test_a_plain_part_that_only_points_to_the_html_gives_way_to_the_letter():
    """GIVEN a multipart/alternative whose plain part only says "Ce message contient un courrier au
    format HTML" and whose HTML holds the letter WHEN parsed THEN the text is the letter's."""
    from email.message import EmailMessage

    from cpambot.understanding.message import parse_message

    mail = EmailMessage()
    mail["From"], mail["Subject"] = "contentieux@assurance-maladie.fr", "Mise en demeure"
    mail.set_content("Ce message contient un courrier au format HTML.\n")
    letter = "<p>" + "Madame, je vous mets en demeure de payer la somme détaillée ci-dessous. " * 8 + "</p>"
    mail.add_alternative(f"<html><body>{letter}<p>Total à payer : 929,83 €</p></body></html>", subtype="html")
    parsed = parse_message(mail.as_bytes())
    assert "929,83" in parsed.text and parsed.text_from_html


def test_a_forward_of_a_message_whose_plain_part_only_points_to_its_html():
    """GIVEN her forward whose plain part holds her comment, the header block and the original's plain part
    "Ce message est au format HTML. Si vous ne le visualisez pas correctement…", the letter being in the
    forward's HTML only WHEN parsed THEN the forwarded message's text is the letter's."""
    from email.message import EmailMessage

    from cpambot.understanding.message import parse_message

    block = ("---------- Forwarded message ---------\nDe : CPAM du Hainaut <flux-ps@assurance-maladie.fr>\n"
             "Date : jeu. 12 nov. 2026 à 11:44\nSubject: Anomalies\nTo: <marie.exemple@example.org>\n\n")
    mail = EmailMessage()
    mail["From"], mail["Subject"] = "marie.exemple.idel@gmail.com", "Fwd: Anomalies"
    mail.set_content("Peux-tu regarder ?\n\n" + block + "Ce message est au format HTML. Si vous ne le "
                     "visualisez pas correctement, consultez votre espace.\n")
    letter = "<p>Lot n° 087 – transmis le 09/11/2026</p><p>Décision : lot rejeté dans sa totalité</p>" * 8
    mail.add_alternative("<html><body><div>Peux-tu regarder ?</div>" + block.replace("\n", "<br>")
                         + letter + "</body></html>", subtype="html")
    parsed = parse_message(mail.as_bytes())
    assert parsed.forwarded is not None and "lot rejeté dans sa totalité" in parsed.forwarded.text


def test_a_word_processors_apostrophe_is_read_as_the_apostrophe():
    """GIVEN a body and a text attachment written with typographic apostrophes ("l’ordonnance n’est pas
    parvenue") WHEN parsed THEN their text holds the plain apostrophe every pattern of the reader writes."""
    raw = ("From: ps@assurance-maladie.fr\nTo: marie.exemple@example.org\nSubject: x\n"
           "Date: Mon, 19 Oct 2026 09:00:00 +0200\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n"
           "l’ordonnance n’est pas parvenue\n--b\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Disposition: attachment; filename=note.txt\n\nd’un montant de 12,00 €\n--b--\n").encode()
    msg = parse_message(raw)
    assert msg.text == "l'ordonnance n'est pas parvenue"
    assert msg.attachments[0].text is not None and "d'un montant" in msg.attachments[0].text


def test_rows_left_open_as_lotus_notes_writes_them_are_kept():
    """GIVEN an HTML table whose rows and cells are never closed (Lotus Notes: '<tr><td>…' then the
    next '<tr>') WHEN flattened THEN every row is a line of its own, none is lost."""
    html = ("<p>Les factures suivantes :</p><table><tr><td>1) Facture 000507813 - 44,10 euros"
            "<tr><td>2) Facture 000507820<td>22,05 euros</table><p>Cordialement.</p>")
    text = html_to_text(html)
    assert "1) Facture 000507813 - 44,10 euros" in text
    assert "2) Facture 000507820 | 22,05 euros" in text
    assert text.index("000507820") < text.index("Cordialement")


def test_a_label_cell_beside_its_value_is_one_line():
    """GIVEN a two-cell row whose first cell is a label ending with a colon WHEN flattened THEN the
    label and its value are one line ("À nous retourner avant le : 27/11/2026"), as a sentence reads."""
    html = "<table><tr><td><b>À nous retourner avant le :</b></td><td>27/11/2026</td></tr></table>"
    assert html_to_text(html).strip() == "À nous retourner avant le : 27/11/2026"


def test_an_em_client_forward_without_colons_is_read_through():
    """GIVEN the professional's eM Client forward: her comment, "------ Message d'origine ------", then
    "De "CPAM du Hainaut" <…>", "Date 03/11/2026 16:22:10", "Objet …" without colons WHEN parsed THEN the
    forwarded original carries the caisse's address, its date and its body."""
    raw = ("From: Marie Exemple <marie.exemple@example.org>\r\nTo: bot@example.org\r\n"
           "Subject: Fwd: Rejet de votre lot\r\nDate: Wed, 04 Nov 2026 03:12:36 +0000\r\n"
           "Message-ID: <em1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "ils me rejettent encore le lot\r\n\r\n------ Message d'origine ------\r\n"
           "De \"CPAM du Hainaut\" <flux-ps.cpam-hainaut@assurance-maladie.fr>\r\nÀ marie.exemple@example.org"
           "\r\nDate 03/11/2026 16:22:10\r\nObjet Rejet de votre lot n° 312\r\n\r\n"
           "Madame,\r\nVotre lot n° 312 a été rejeté dans sa totalité.\r\n").encode()
    msg = parse_message(raw)
    assert msg.forwarded is not None
    assert msg.forwarded.from_addr == "flux-ps.cpam-hainaut@assurance-maladie.fr"
    assert msg.forwarded.date is not None and msg.forwarded.date.date().isoformat() == "2026-11-03"
    assert "lot n° 312 a été rejeté" in msg.forwarded.text


@pytest.mark.parametrize("block", [
    "-------- Weitergeleitete Nachricht --------\r\nBetreff: \tRejet lot\r\n"
    "Datum: \tTue, 03 Nov 2026 16:22:10 +0100\r\nVon: \tCPAM du Hainaut <{addr}>\r\n",
    "-------- Messaggio Inoltrato --------\r\n\r\nOggetto: Rejet lot\r\n\r\n"
    "Data: Tue, 03 Nov 2026 16:22:10 +0100\r\n\r\nMittente: CPAM du Hainaut <{addr}>\r\n",
])
def test_a_forward_from_a_client_set_in_another_language_is_read_through(block):
    """GIVEN the professional's forward from a Thunderbird set in German ("Von:", "Betreff:") or in Italian
    ("Mittente:", "Oggetto:") WHEN parsed THEN the forwarded original carries the caisse's address."""
    raw = ("From: Marie Exemple <marie.exemple@example.org>\r\nTo: bot@example.org\r\n"
           "Subject: Fwd: Rejet lot\r\nDate: Wed, 04 Nov 2026 03:12:36 +0000\r\n"
           "Message-ID: <tb1@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "regarde\r\n\r\n" + block.format(addr="flux-ps.cpam-hainaut@assurance-maladie.fr")
           + "\r\nMadame,\r\nVotre lot n° 312 a été rejeté dans sa totalité.\r\n").encode()
    msg = parse_message(raw)
    assert msg.forwarded is not None
    assert msg.forwarded.from_addr == "flux-ps.cpam-hainaut@assurance-maladie.fr"
    assert msg.forwarded.date is not None and msg.forwarded.date.date().isoformat() == "2026-11-03"


def test_a_forward_whose_header_block_is_in_its_html_only():
    """GIVEN a Spark forward ("Fwd: …") whose plain version goes from her comment straight to the original's
    text, the header block ("De : MSA Sud Aquitaine <…>", "Date : mar. 10 nov. 2026 à 11:30") written in
    its HTML only WHEN parsed THEN the forwarded original carries the sender and date from the HTML."""
    raw = ("From: Marie Exemple <marie.exemple@example.org>\r\nTo: bot@example.org\r\n"
           "Subject: Fwd: La lettre des professionnels de santé\r\nDate: Thu, 12 Nov 2026 20:04:51 +0400\r\n"
           "Message-ID: <spark1@example.org>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\npour info\r\n\r\nLa lettre des professionnels\r\n"
           "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>pour info</div><div>---------- Message "
           "transféré ----------</div><div><b>De :</b> MSA Sud Aquitaine &lt;infos-ps@sudaquitaine.msa.fr&gt;"
           "</div><div><b>Date :</b> mar. 10 nov. 2026 à 11:30</div><div><b>Objet :</b> La lettre</div>"
           "<blockquote><p>La lettre des professionnels</p></blockquote>\r\n--b--\r\n").encode()
    msg = parse_message(raw)
    assert msg.forwarded is not None and msg.forwarded.from_addr == "infos-ps@sudaquitaine.msa.fr"
    assert msg.forwarded.date is not None and msg.forwarded.date.date().isoformat() == "2026-11-10"


def test_a_letter_attached_as_a_web_page_is_read_as_a_browser_shows_it():
    """GIVEN a one-line body "Veuillez trouver ci-joint notre courrier (à ouvrir avec votre navigateur)"
    and the letter as an iso-8859-1 .html attachment with entities ("infirmi&egrave;re &ndash; n&deg;
    974123456") WHEN parsed THEN the attachment's text is the page's words, no tags and no entities."""
    page = ("<html><body><div><span class='lib'>Destinataire</span><span class='val'>Mme EXEMPLE Marie "
            "&ndash; infirmi&egrave;re &ndash; n&deg; 974123456</span></div><p>Facture 000552190</p>"
            "</body></html>").encode("iso-8859-1")
    raw = (b"From: c@assurance-maladie.fr\nTo: m@example.org\nSubject: Courrier\nMessage-ID: <h@x>\n"
           b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
           b"Content-Type: text/plain\n\nVeuillez trouver ci-joint notre courrier.\n--B\n"
           b"Content-Type: text/html; charset=iso-8859-1; name=lettre.html\n"
           b"Content-Disposition: attachment; filename=lettre.html\n\n" + page + b"\n--B--\n")
    (attached,) = parse_message(raw).attachments
    assert "<" not in attached.text and "&" not in attached.text
    assert "infirmière – n° 974123456" in attached.text and "Facture 000552190" in attached.text


def test_a_table_written_in_a_pre_block_keeps_its_columns():
    """GIVEN an HTML body whose table of results is a <pre> block of fixed-width columns WHEN turned into
    text THEN the block's lines keep their spaces (the columns), the paragraphs around it are folded."""
    html = ("<p>Voici   le résultat :</p><pre>DATE SOINS  FACTURE      LOT  MONTANT\n"
            "12/10/2026  000 931 442  077   31,50 €\n</pre><p>Le   service</p>")
    assert html_to_text(html).splitlines() == [
        "Voici le résultat :", "", "DATE SOINS  FACTURE      LOT  MONTANT",
        "12/10/2026  000 931 442  077   31,50 €", "", "Le service"]
