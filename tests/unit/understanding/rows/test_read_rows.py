"""The row reader on whole messages: every layout a caisse writes its rows in, the lot and status a
heading gives, totals, details, footnotes and legends under a table, and how surely the rows make
the message a lot return."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from cpambot.understanding.message import Attachment, ParsedMessage, parse_message
from cpambot.understanding.rows import Action, Row, RowSet, Status, read_rows, returns_evidence


def message(text="", *, html="", subject="Retour sur le traitement de vos lots", attachments=()):
    return ParsedMessage(subject=subject, from_name="CPAM de la Gironde",
                         from_addr="relation-ps@assurance-maladie.fr",
                         date=datetime(2026, 10, 14, 9, 12, tzinfo=UTC), message_id=None, text=text,
                         html=html, attachments=tuple(attachments))


def raw(content_type, body, subject="Retour sur le traitement de vos lots"):
    return (f"From: CPAM de la Gironde <relation-ps@assurance-maladie.fr>\r\nTo: marie@example.org\r\n"
            f"Subject: {subject}\r\nDate: Wed, 14 Oct 2026 09:12:00 +0200\r\n"
            f"Message-ID: <r1@example.test>\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: {content_type}; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n")).encode()


def test_a_message_without_invoice_or_lot_has_no_rows():
    """GIVEN a message naming neither an invoice nor a lot WHEN read THEN an empty row set."""
    assert read_rows(message("Bonjour, votre attestation est disponible.")) == RowSet()


def test_the_reading_is_remembered_for_the_same_message():
    """GIVEN one message read twice in a row WHEN read THEN the same result object."""
    msg = message("Facture 123456789 | 63,00 € | Doublon\nFacture 987654321 | 12,50 € | Doublon\n")
    assert read_rows(msg) is read_rows(msg)


def test_an_html_table_under_a_lot_heading_and_a_status_heading():
    """GIVEN an HTML table in any column order under "Lot 214" and "FACTURES REFUSEES" WHEN read THEN
    every row in lot 214, rejected, each value from its own column."""
    html = ("<p>Lot 214 — envoyé le 02/10</p><p>FACTURES REFUSEES</p><table><tr><th>Montant</th>"
            "<th>Motif</th><th>N° facture</th><th>Date de soins</th></tr><tr><td>63,00 €</td>"
            "<td>Prescription absente (0470 049)</td><td>123 456 789</td><td>12/09/2026</td></tr>"
            "<tr><td>12,50 €</td><td>Erreur de cotation</td>"
            "<td>987654321</td><td>13/09/2026</td></tr></table>")
    rows = read_rows(message("voir le tableau", html=html))
    assert rows == RowSet(rows=(
        Row(invoice="123456789", lot="214", care_date=date(2026, 9, 12), amount=Decimal("63.00"),
            reject_code="0470", reject_subcode="049", motif="Prescription absente", status=Status.REJECTED,
            action=Action.PIECES, source="table"),
        Row(invoice="987654321", lot="214", care_date=date(2026, 9, 13), amount=Decimal("12.50"),
            motif="Erreur de cotation", status=Status.REJECTED, source="table")))
    assert returns_evidence(rows) == 0.95


def test_an_html_message_parsed_from_bytes_under_a_paid_heading():
    """GIVEN a raw HTML message whose table, under "FACTURES REGLEES", writes amounts with no-break and
    narrow no-break spaces WHEN parsed and read THEN paid rows, the lot from the subject, and the
    evidence of a payment notice (the outcome of the lot: read as a return of paid invoices)."""
    body = ("<html><body><p>Madame,</p><p>FACTURES REGLEES</p><table><tr><td>N&deg; facture</td>"
            "<td>Montant</td></tr><tr><td>123 456 789</td><td>63,00&nbsp;&euro;</td></tr>"
            "<tr><td>987 654 321</td><td>1&#8239;234,56&nbsp;&euro;</td></tr></table></body></html>\n")
    rows = read_rows(parse_message(raw("text/html", body, subject="Lot 214")))
    assert [(r.invoice, r.lot, r.amount, r.status) for r in rows.rows] == [
        ("123456789", "214", Decimal("63.00"), Status.PAID),
        ("987654321", "214", Decimal("1234.56"), Status.PAID)]
    assert returns_evidence(rows) == 0.9


def test_a_plain_table_written_one_cell_per_line():
    """GIVEN a raw plain message whose table is written one cell per line (a client's plain version of
    an HTML table) under a sentence naming lot 214 WHEN parsed and read THEN one row per block."""
    body = ("Madame,\n\nVoici le retour de votre lot 214 :\n\nN° facture\nDate de soins\nMontant\nMotif\n\n"
            "123 456 789\n12/09/2026\n63,00 €\nPrescription absente\n\n"
            "987 654 321\n13/09/2026\n12,50 €\nDoublon\n\nCordialement,\nLa CPAM\n")
    rows = read_rows(parse_message(raw("text/plain", body)))
    assert [(r.invoice, r.lot, r.care_date, r.amount, r.motif, r.source) for r in rows.rows] == [
        ("123456789", "214", date(2026, 9, 12), Decimal("63.00"), "Prescription absente", "table"),
        ("987654321", "214", date(2026, 9, 13), Decimal("12.50"), "Doublon", "table")]
    assert rows.problems == ()


TEXT_TABLE = ("Bonjour,\n\nN° facture | Date de soins | Montant\n123456789 | 12/09/2026 | 63,00 €\n"
              "987654321 | 13/09/2026 | 12,50 €\n\n")


@pytest.mark.parametrize("line", ["Montant total : 75,50 EUR", "Total : 75.50 EUR",
                                  "TOTAL GÉNÉRAL : 75,50 €"])
def test_a_total_line_under_a_text_table_that_matches(line):
    """GIVEN a text table and a total line under it equal to the sum WHEN read THEN no problem."""
    rows = read_rows(message(TEXT_TABLE + line + "\n"))
    assert len(rows.rows) == 2 and rows.problems == ()


def test_a_total_line_under_a_text_table_that_does_not_match():
    """GIVEN a text table and a total line under it that is not the sum WHEN read THEN the problem."""
    rows = read_rows(message(TEXT_TABLE + "Montant total : 80,00 EUR\n"))
    assert rows.problems == ("le total indiqué (80,00 €) ne correspond pas à la somme des lignes (75,50 €) : "
                             "à vérifier",)


def test_a_total_row_of_an_html_table_is_stated_and_checked():
    """GIVEN an HTML table whose total row is not the sum WHEN read THEN the stated total, and the
    mismatch named."""
    html = ("<table><tr><th>Facture</th><th>Date de soins</th><th>Montant</th></tr><tr><td>123456789</td>"
            "<td>12/09/2026</td><td>63,00 €</td></tr><tr><td>987654321</td><td>13/09/2026</td>"
            "<td>12,50 €</td></tr>"
            "<tr><td>Total</td><td></td><td>70,00 €</td></tr></table>")
    rows = read_rows(message(html=html))
    assert rows.stated_total == Decimal("70.00")
    assert rows.problems == ("le total indiqué (70,00 €) ne correspond pas à la somme des lignes (75,50 €) : "
                             "à vérifier",)


def test_the_html_table_is_read_and_not_its_plain_copy():
    """GIVEN an HTML table and a plain body holding the same row with another amount WHEN read THEN the
    HTML's row only, without a conflict."""
    html = ("<table><tr><th>Facture</th><th>Montant</th><th>Motif</th></tr><tr><td>123456789</td>"
            "<td>63,00 €</td><td>Doublon</td></tr></table>")
    rows = read_rows(message("Facture | Montant | Motif\n123456789 | 99,00 € | Doublon\n", html=html))
    assert [(r.invoice, r.amount) for r in rows.rows] == [("123456789", Decimal("63.00"))]
    assert rows.problems == ()


def test_a_div_grid():
    """GIVEN invoice rows laid out as divs with a row class WHEN read THEN one row per div."""
    html = ("<div class='row'><div>Facture</div><div>Montant</div><div>Consigne</div></div>"
            "<div class='row'><div>123456789</div><div>63,00 €</div><div>A refacturer</div></div>"
            "<div class='row'><div>987654321</div><div>12,50 €</div><div>Joindre la prescription</div></div>")
    rows = read_rows(message(html=html))
    assert [(r.invoice, r.amount, r.action) for r in rows.rows] == [
        ("123456789", Decimal("63.00"), Action.REBILL), ("987654321", Decimal("12.50"), Action.PIECES)]
    assert returns_evidence(rows) == 0.95


def test_a_csv_attachment_in_windows_encoding():
    """GIVEN a CSV attachment in cp1252 and a body naming lot 214 WHEN read THEN its rows, in lot 214."""
    csv = "N° facture;Date de soins;Montant;Motif\n123456789;12/09/2026;63,00;Prescription absente\n" \
          "987654321;13/09/2026;12,50;Doublon\n"
    rows = read_rows(message("Voir pièce jointe, lot 214.",
                             attachments=[Attachment("retours.csv", "text/csv", csv.encode("cp1252"))]))
    assert [(r.invoice, r.lot, r.care_date, r.amount, r.motif) for r in rows.rows] == [
        ("123456789", "214", date(2026, 9, 12), Decimal("63.00"), "Prescription absente"),
        ("987654321", "214", date(2026, 9, 13), Decimal("12.50"), "Doublon")]


def test_two_passages_disagreeing_on_an_amount_is_a_problem():
    """GIVEN a body table saying 17,10 € and an attached file saying 10,70 € for the same invoice WHEN
    read THEN no amount for it, and the problem named."""
    csv = "Facture;Date de soins;Montant\n123456789;12/09/2026;10,70\n"
    rows = read_rows(message("N° facture | Date de soins | Montant | Motif\n"
                             "123456789 | 12/09/2026 | 17,10 € | Doublon\n"
                             "987654321 | 13/09/2026 | 12,50 € | Doublon\n",
                             attachments=[Attachment("detail.csv", "text/csv", csv.encode())]))
    assert [(r.invoice, r.amount) for r in rows.rows] == [("123456789", None),
                                                          ("987654321", Decimal("12.50"))]
    assert rows.problems == (
        "facture 123456789 : montant différent selon les passages du message, à vérifier",)


def test_an_attached_file_fills_what_the_body_table_lacks():
    """GIVEN a body table and an attached file giving the consigne of one of its invoices WHEN read THEN
    one row per invoice, the consigne and its action added."""
    csv = "Facture;Montant;Consigne\n123456789;17,10;A refacturer\n"
    rows = read_rows(message("N° facture | Montant | Motif\n123456789 | 17,10 € | Doublon\n"
                             "987654321 | 12,50 € | Doublon\n",
                             attachments=[Attachment("detail.csv", "text/csv", csv.encode())]))
    assert [(r.invoice, r.amount, r.consigne, r.action) for r in rows.rows] == [
        ("123456789", Decimal("17.10"), "A refacturer", Action.REBILL),
        ("987654321", Decimal("12.50"), None, None)]
    assert rows.problems == ()


def test_label_value_cards():
    """GIVEN a body of label/value cards WHEN read THEN one card row per invoice, with its action."""
    rows = read_rows(message("Facture : 123 456 789\nMontant : 63,00 €\nMotif : Prescription absente\n"
                             "Consigne : Merci de nous adresser la prescription\n\nFacture : 987654321\n"
                             "Montant : 12,50 €\nMotif : 0250 146 Droits fermés\n"
                             "Consigne : A refacturer après mise à jour de la carte vitale\n"))
    assert [(r.invoice, r.amount, r.reject_code, r.action, r.source) for r in rows.rows] == [
        ("123456789", Decimal("63.00"), None, Action.PIECES, "card"),
        ("987654321", Decimal("12.50"), "0250", Action.REBILL, "card")]
    assert returns_evidence(rows) == 0.95


def test_prose_rows_keep_the_care_date_and_not_the_reception_date():
    """GIVEN sentences naming two rejected invoices, one with a reception date before its care date WHEN
    read THEN prose rows, the care date the one after "soins du", each its own code and action."""
    rows = read_rows(message(
        "Madame,\n\nLa facture 123456789, reçue le 02/10/2026, pour des soins du 12/09/2026 est rejetée "
        "(code 2900). Merci de la corriger et de la refacturer.\n\n"
        "La facture 987654321 est rejetée (code 0250 146). "
        "Merci de nous adresser l'ordonnance, sans refacturer.\n"))
    assert rows.rows == (
        Row(invoice="123456789", care_date=date(2026, 9, 12), reject_code="2900", status=Status.REJECTED,
            action=Action.REBILL, source="prose"),
        Row(invoice="987654321", reject_code="0250", reject_subcode="146", status=Status.REJECTED,
            action=Action.PIECES, source="prose"))
    assert returns_evidence(rows) == 0.8


def test_a_note_under_a_table_gives_its_rejected_row_code_and_action():
    """GIVEN a table with a rejected and a paid row, and a note under it naming the rejected invoice
    with its code and instruction WHEN read THEN the rejected row takes them; the paid one nothing."""
    rows = read_rows(message("Bonjour,\n\nN° facture | Date de soins | Montant | Statut\n"
                             "002760121 | 12/09/2026 | 63,00 € | Rejetée\n"
                             "987654321 | 13/09/2026 | 12,50 € | Payée\n\n"
                             "- 002760121 : 0250 050 ASSURE ABSENT DE LA BASE, "
                             "refacturez à la bonne caisse.\n"))
    first, second = rows.rows
    assert (first.reject_code, first.reject_subcode, first.action, first.source) == (
        "0250", "050", Action.REBILL, "table")
    assert first.motif is not None and first.motif.startswith("ASSURE ABSENT DE LA BASE")
    assert second == Row(invoice="987654321", care_date=date(2026, 9, 13), amount=Decimal("12.50"),
                         status=Status.PAID, source="table")


def test_footnote_marks_take_the_explanation_below_the_table():
    """GIVEN rows marked "(1)" and "(2)" and the footnotes under the table, each with an indented
    instruction WHEN read THEN each row takes its footnote's label, code and action."""
    rows = read_rows(message("N° facture | Montant | Statut\n123456789 | 63,00 € | REJETEE (1)\n"
                             "987654321 | 12,50 € | REJETEE (2)\n111222333 | 20,00 € | PAYEE\n\n"
                             "(1) Prescription absente 0470 049\n"
                             "    Merci de nous adresser la prescription.\n\n"
                             "(2) Erreur de cotation\n    Merci de refacturer avec la bonne cotation.\n"))
    read = [(r.invoice, r.note, r.reject_code, r.reject_subcode, r.motif, r.action, r.status)
            for r in rows.rows]
    assert read == [
        ("123456789", "1", "0470", "049", "Prescription absente", Action.PIECES, Status.REJECTED),
        ("987654321", "2", None, None, "Erreur de cotation", Action.REBILL, Status.REJECTED),
        ("111222333", None, None, None, None, None, Status.PAID)]
    assert rows.rows[0].consigne == "Merci de nous adresser la prescription."


def test_a_short_consigne_takes_the_action_of_its_legend():
    """GIVEN a consigne column holding "PJ", explained by a sentence of the message WHEN read THEN the
    rows marked "PJ" ask for a document."""
    rows = read_rows(message("N° facture | Montant | Motif | Consigne\n123456789 | 63,00 € | Erreur | PJ\n"
                             "987654321 | 12,50 € | Erreur de cotation | A RETRANSMETTRE\n\n"
                             "Les factures marquées « PJ » appellent l'envoi de la pièce justificative "
                             "manquante.\n"))
    assert [(r.consigne, r.action) for r in rows.rows] == [("PJ", Action.PIECES),
                                                           ("A RETRANSMETTRE", Action.REBILL)]


def test_a_whole_lot_row():
    """GIVEN a table row naming a whole lot WHEN read THEN a whole-lot row, strong evidence of a return."""
    rows = read_rows(message("Bonjour,\n\nLot | Facture | Motif | Consigne\n"
                             "214 | Lot entier | Fichier illisible | Retransmettre le lot\n"))
    assert rows.rows == (Row(lot="214", motif="Fichier illisible", consigne="Retransmettre le lot",
                             action=Action.REBILL, whole_lot=True, source="table"),)
    assert returns_evidence(rows) == 0.95


def rowset(*rows):
    return RowSet(rows=tuple(rows))


@pytest.mark.parametrize("rows,evidence", [
    (rowset(), 0.0),
    (rowset(Row(invoice="123456789", status=Status.PAID, source="table")), 0.0),
    (rowset(Row(invoice="123456789", action=Action.REBILL, source="table"),
            Row(invoice="987654321", action=Action.PIECES, source="table")), 0.95),
    (rowset(Row(invoice="123456789", action=Action.REBILL, source="prose"),
            Row(invoice="987654321", action=Action.PIECES, source="prose")), 0.8),
    (rowset(Row(invoice="123456789", reject_code="2900", source="table")), 0.95),
    (rowset(Row(invoice="123456789", status=Status.REJECTED, source="table"),
            Row(invoice="987654321", status=Status.PAID, source="table")), 0.95),
    (rowset(Row(lot="214", whole_lot=True, motif="Fichier illisible", source="table")), 0.95),
    # a lot named with its figures and no outcome (an ARL's form: "Numéro de lot : 212") is no reject
    (rowset(Row(lot="214", whole_lot=True, amount=Decimal("1046.30"), source="card")), 0.0),
    (rowset(Row(invoice="123456789", status=Status.REJECTED, action=Action.REBILL, source="table")), 0.6),
    (rowset(Row(invoice="123456789", reject_code="2900", source="prose"),
            Row(invoice="987654321", reject_code="0250", source="prose")), 0.7),
    (rowset(Row(invoice="123456789", reject_code="2900", action=Action.PIECES, source="prose")), 0.0),
    # two invoices of one lot, each with its sum, said paid in sentences: a payment told by an agent
    (rowset(Row(invoice="000812004", lot="154", amount=Decimal("52.80"), status=Status.PAID, source="prose"),
            Row(invoice="000812011", lot="154", amount=Decimal("31.50"), status=Status.PAID, source="prose")),
     0.75),
    # (without their lot, or without their sums: a réclamation answer's invoices as well)
    (rowset(Row(invoice="000812004", amount=Decimal("52.80"), status=Status.PAID, source="prose"),
            Row(invoice="000812011", amount=Decimal("31.50"), status=Status.PAID, source="prose")), 0.0),
])
def test_returns_evidence(rows, evidence):
    """GIVEN rows of several shapes WHEN the lot-return evidence is asked THEN rejects beside other
    outcomes, codes in tables, whole lots or several instructions are strong; sentences are weak."""
    assert returns_evidence(rows) == evidence


def test_a_legend_of_codes_gives_the_rows_their_labels():
    """GIVEN a table of rejects giving only codes and a legend line "Codes : 2900 = facture déjà payée /
    0250 = assuré absent de notre référentiel" WHEN read THEN each row takes its code's label."""
    text = ("Lot 318 du 02/10/2026 – factures rejetées :\n\n"
            "Assuré\tN° facture\tDate soins\tMt facturé\tCode rejet\n"
            "CHATEL Bernard\t400227815\t28/09/2026\t31,50\t2900\n"
            "PERRILLAT Jeanne\t400227822\t29/09/2026\t63,00\t0250\n\n"
            "Codes : 2900 = facture déjà payée / 0250 = assuré absent de notre référentiel\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.reject_code, r.motif) for r in found.rows] == [
        ("400227815", "2900", "facture déjà payée"),
        ("400227822", "0250", "assuré absent de notre référentiel")]


def test_same_reject_and_same_lot_as_the_row_above():
    """GIVEN numbered lines where the second says "(même lot)" and "même rejet" WHEN read THEN it takes
    the lot, code and label of the line above."""
    text = ("1) Lot 233 – Facture n° 200981345 – soins du 14/09/2026 – 35,70 € – rejet 0317 051 "
            "Incompatibilité nature d'assurance\n"
            "2) Facture n° 200981352 (même lot) – soins du 15/09/2026 – 22,96 € – même rejet\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.lot, r.reject_code, r.motif) for r in found.rows] == [
        ("200981345", "233", "0317", "Incompatibilité nature d'assurance"),
        ("200981352", "233", "0317", "Incompatibilité nature d'assurance")]


def test_same_motif_and_same_instruction_as_the_row_above():
    """GIVEN a list under a patient's name where the second line says only "même motif, même consigne"
    WHEN read THEN it takes the code, label and instruction of the line above (never "même consigne" as
    its label)."""
    text = ("Suite au traitement de votre lot n° 207 :\n\nMme B. (2 52 03 02 ... ... 17)\n"
            "   - facture 000 518 402, soins du 31/08/2026, 25,20 € : motif 0250 050 assurée absente de "
            "notre référentiel -> vérifier sa caisse d'affiliation puis refacturer à la bonne caisse\n"
            "   - facture 000 518 409, soins du 02/09/2026, 25,20 € : même motif, même consigne\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.reject_code, r.motif, r.action) for r in found.rows] == [
        ("000518402", "0250", "assurée absente de notre référentiel", Action.REBILL),
        ("000518409", "0250", "assurée absente de notre référentiel", Action.REBILL)]


def test_cards_whose_labels_and_values_are_paragraphs_apart():
    """GIVEN label/value cards written one paragraph per label and per value (a mail client's plain
    version of a grid of <div>), a salutation alone on its line above WHEN read THEN one row per card
    with its amount, status, code, words and instruction."""
    text = ("Madame,\n\nvoici le retour sur votre lot 077 :\n\n"
            "Facture\n\n310902217\n\nDate des soins\n\n19/10/2026\n\nMontant\n\n24,30 €\n\n"
            "Statut\n\nRejetée – 0450 072 Exonération non trouvée au fichier\n\n"
            "À faire\n\nRefacturer sans exonération\n\n\n"
            "Facture\n\n310902231\n\nDate des soins\n\n20/10/2026\n\nMontant\n\n15,60 €\n\n"
            "Statut\n\nRejetée – 2900 005 Facture déjà payée\n\nÀ faire\n\nAucune action de votre part\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.amount, r.reject_code, r.motif, r.action) for r in found.rows] == [
        ("310902217", Decimal("24.30"), "0450", "Exonération non trouvée au fichier", Action.REBILL),
        ("310902231", Decimal("15.60"), "2900", "Facture déjà payée", Action.NONE)]


def test_bullets_under_a_lot_heading_with_labels_after_codes_and_a_lot_paid_elsewhere():
    """GIVEN bullets under "LOT 093 du 21/09/2026 – traité le 16/10/2026", one saying "rejet 0250 050
    assuré absent de notre référentiel", one "facture déjà payée (réglée sur votre lot 091)" WHEN read
    THEN every row is of lot 093 (091 is where it was paid), with the words after the code as label."""
    text = ("LOT 093 du 21/09/2026 – traité le 16/10/2026\n\n"
            "•\tM. SAID Houmadi – facture 800045529 – soins du 15/09/2026 – 31.80 EUR : "
            "rejet 0250 050 assuré absent de notre référentiel. Merci de corriger le NIR et de refacturer.\n"
            "•\tMme MADI Zaïnaba – facture 800045536 – soins du 16/09/2026 – 47.25 EUR : "
            "rejet 2900 005 facture déjà payée (réglée sur votre lot 091). Pas d'action de votre part.\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.lot, r.reject_code, r.motif, r.action) for r in found.rows] == [
        ("800045529", "093", "0250", "assuré absent de notre référentiel", Action.REBILL),
        ("800045536", "093", "2900", "facture déjà payée", Action.NONE)]


def test_cards_opened_by_their_invoice_without_a_colon():
    """GIVEN cards each opened by "Facture 260770051" (no colon) then "Label : value" lines WHEN read THEN
    one row per card with its status and motif."""
    text = ("Facture 260770051\nDate des soins : 09/10/2026\nPart complémentaire : 16,95 €\n"
            "Statut : Payée le 26/10/2026\nFacture 260770058\nDate des soins : 10/10/2026\n"
            "Part complémentaire : 11,40 €\nStatut : Refusée\nMotif du refus : Adhérent inconnu ou radié\n")
    found = read_rows(message(text))
    assert [(r.invoice, r.status, r.motif) for r in found.rows] == [
        ("260770051", Status.PAID, None), ("260770058", Status.REJECTED, "Adhérent inconnu ou radié")]


def test_codes_explained_one_line_each_with_what_to_do():
    """GIVEN cards giving only a reject code, and a legend of one line per code with its label, an
    explanation in brackets and what to do after " : " WHEN read THEN each row takes its code's label
    and action."""
    text = ("Facture n° : 000 231 874\nMontant : EUR 58,20\nCode rejet : 2900\n\n"
            "Facture n° : 000 231 880\nMontant : EUR 23,45\nCode rejet : 0250\n\n"
            "Légende des codes :\n"
            "2900 – facture déjà payée (même n° déjà réglé pour ce bénéficiaire) : inutile de refacturer, "
            "aucune démarche.\n"
            "0250 – assuré absent de notre référentiel : vérifiez la caisse d'affiliation puis refacturez "
            "auprès de la bonne caisse.\n")
    got = [(r.invoice, r.motif, r.action) for r in read_rows(message(text)).rows]
    assert got == [("000231874", "facture déjà payée", Action.NONE),
                   ("000231880", "assuré absent de notre référentiel", Action.REBILL)]


def test_a_payment_beside_a_document_still_awaited_is_a_lot_return_shape():
    """GIVEN sentences saying one invoice was paid and another still waits for its prescription WHEN
    weighed THEN they are evidence of a lot return (different outcomes), not of a pièces request alone."""
    rows = RowSet(rows=(Row(invoice="000274406", status=Status.PAID, action=Action.NONE, source="prose"),
                        Row(invoice="000274415", action=Action.PIECES, source="prose")))
    assert returns_evidence(rows) == 0.8


def test_one_instruction_for_all_rows_but_a_patient_named_as_the_exception():
    """GIVEN a table of rejected invoices and "Toutes ces factures sont à corriger et à refacturer, sauf
    celle de M. Zénon : pour celle-ci, merci de nous adresser uniquement une copie de l'ordonnance"
    WHEN read THEN every row is re-billed except M. Zénon's, which needs the prescription."""
    text = ("Lot | Facture | Bénéficiaire | Montant | Code rejet\n"
            "077 | 001 206 441 | Mme BAPTISTE Rosette | 36,90 € | 0450\n"
            "077 | 001 206 452 | M. ZÉNON Félix | 72,00 € | 0470\n\n"
            "Toutes ces factures sont à corriger et à refacturer, sauf celle de M. Zénon : pour celle-ci, "
            "merci de nous adresser uniquement une copie de l'ordonnance, sans refacturer.\n")
    assert [r.action for r in read_rows(message(text)).rows] == [Action.REBILL, Action.PIECES]


def test_two_invoices_in_one_sentence_each_with_its_brackets():
    """GIVEN "Sont concernées les factures n° 015 118 402 (soins du 1er au 7 octobre, 176,40 €) et n° 015
    118 455 (soins du 8 au 15 octobre, 201,60 €)" WHEN read THEN each invoice has its own amount."""
    text = ("Sont concernées les factures n° 015 118 402 (soins du 1er au 7 octobre, 176,40 €) et "
            "n° 015 118 455 (soins du 8 au 15 octobre, 201,60 €).\n")
    assert [(r.invoice, r.amount) for r in read_rows(message(text)).rows] == [
        ("015118402", Decimal("176.40")), ("015118455", Decimal("201.60"))]


def test_these_three_invoices_are_to_re_bill():
    """GIVEN a table of three rejected invoices without instruction and "Ces 3 factures sont à corriger
    et à refacturer." WHEN read THEN the three are re-billed."""
    text = ("Motif\tMontant\tN° facture\n0460 053 Etablissement inconnu\t27,90 €\t019 771 402\n"
            "0470 049 Prescription interdite\t54,10 €\t019 771 415\n"
            "0460 053 Etablissement inconnu\t27,90 €\t019 771 420\n\nCes 3 factures sont à corriger et à "
            "refacturer.\n")
    assert [r.action for r in read_rows(message(text)).rows] == [Action.REBILL] * 3


def test_letters_in_the_instruction_column_explained_by_a_legend():
    """GIVEN a table whose "Suite" column holds letters and a legend "A = … : à corriger puis à
    retransmettre", "B = prescription absente : … par SCOR, sans refacturer", "C = pour information : …
    aucune démarche" WHEN read THEN each row takes its letter's action (never one action for all)."""
    text = ("Lot\tN° facture\tMontant\tSuite\n118\t000 412 377\t47,60 €\tB\n118\t000 412 380\t15,60 €\tA\n"
            "121\t000 412 566\t31,20 €\tC\n\nLégende :\n"
            "A = facture rejetée (exonération ALD non ouverte) : à corriger puis à retransmettre\n"
            "B = prescription absente : merci de nous la faire parvenir par SCOR, sans refacturer\n"
            "C = pour information : facture réorientée vers la MSA, aucune démarche de votre part\n")
    assert [r.action for r in read_rows(message(text)).rows] == [Action.PIECES, Action.REBILL, Action.NONE]


def test_a_code_legend_with_arrows_and_a_pronoun_instruction_with_an_exception():
    """GIVEN numbered rows ending "rejet 0470 049" and a legend "0470 049 : prescription interdite a
    cette date -> verifier … et refacturer", "0250 050 : assure absent … -> ne pas refacturer, contactez
    notre service" WHEN read THEN each row takes its code's words and action."""
    text = ("1) Facture 000507813 - lot 331 - soins du 15/09/2026 - 44,10 euros - rejet 0470 049\n"
            "2) Facture 000507820 - lot 331 - soins du 16/09/2026 - 22,05 euros - rejet 0250 050\n\n"
            "Libelle des codes :\n"
            "0470 049 : prescription interdite a cette date -> verifier la date de l'ordonnance et "
            "refacturer\n"
            "0250 050 : assure absent de notre referentiel -> ne pas refacturer, contactez notre service\n")
    assert [(r.motif, r.action) for r in read_rows(message(text)).rows] == [
        ("prescription interdite a cette date", Action.REBILL),
        ("assure absent de notre referentiel", Action.CONTACT)]


def test_lettered_items_naming_a_patient_keep_their_amounts():
    """GIVEN a letter's items "a. Facture n° 000 905 318 - M. SABATHÉ Jules - soins du … - 254,40 €" and
    "b. …" in one paragraph WHEN read THEN each invoice has its amount (the "M." is no sentence end)."""
    text = ("Les factures ci-dessous comportent des forfaits BSB :\n"
            "a. Facture n° 000 905 318 - M. SABATHÉ Jules - soins du 01/10/2026 au 15/10/2026 - 254,40 €\n"
            "b. Facture n° 000 905 326 - M. SABATHÉ Jules - soins du 16/10/2026 au 25/10/2026 - 169,60 €\n"
            "Merci de transmettre le BSI avant le 14/11/2026.\n")
    assert [(r.invoice, r.amount) for r in read_rows(message(text)).rows] == [
        ("000905318", Decimal("254.40")), ("000905326", Decimal("169.60"))]


def test_a_paid_word_in_the_code_column_and_a_motif_after_the_amount():
    """GIVEN a pipe table whose "Code" column says "PAYE" for one row WHEN read THEN that row is paid;
    GIVEN bullets "· 000 901 217 – Mme … – 9,15 € – prescripteur non identifié" WHEN read THEN the motif
    is the words after the amount."""
    table = ("| Lot | Facture   | Montant (EUR) | Code |\n|-----|-----------|---------------|------|\n"
             "| 140 | 001450021 | 63.00         | 0470 |\n| 140 | 001450027 | 24.70         | PAYE |\n")
    assert [r.status for r in read_rows(message(table)).rows] == [Status.REJECTED, Status.PAID]
    bullets = ("Les factures suivantes sont en anomalie :\n\n"
               "· 000 901 217 – Mme CADIOU Renée – AMI 1 du 24/09/2026 – 9,15 € – prescripteur non "
               "identifié\n\n"
               "· 000 901 223 – M. LEFEBVRE Alain – AMI 4 du 25/09/2026 – 12,60 € – pièce manquante\n")
    assert [r.motif for r in read_rows(message(bullets)).rows] == [
        "prescripteur non identifié", "pièce manquante"]


def test_one_sentence_two_invoices_each_in_its_clause():
    """GIVEN one long sentence "… : la facture n° 000 770 312 …, 38,50 euros, a été rejetée car … ; la facture
    n° 000 770 325 …, 57,20 euros, est quant à elle rejetée au motif que …" WHEN read THEN each invoice
    has its amount."""
    text = ("Deux factures n'ont pu être réglées : la facture n° 000 770 312, soins du 5 octobre 2026, "
            "d'un montant de 38,50 euros, a été rejetée car l'AIS 3 ne peut pas être cumulé ; la facture "
            "n° 000 770 325, soins du 6 octobre 2026, 57,20 euros, est quant à elle rejetée au motif que "
            "les droits sont fermés.\n")
    assert [(r.invoice, r.amount) for r in read_rows(message(text)).rows] == [
        ("000770312", Decimal("38.50")), ("000770325", Decimal("57.20"))]


def test_a_quoted_motif_with_its_code_in_brackets_after_the_quotes():
    """GIVEN "La facture 000 528 114 … est rejetée pour le motif « Exonération non trouvée au fichier à la
    date des soins » (0450 072)." WHEN read THEN the motif and its code."""
    text = ("La facture 000 528 114, d'un montant de 31,50 €, est rejetée pour le motif « Exonération non "
            "trouvée au fichier à la date des soins » (0450 072). Je vous invite à la corriger.\n")
    (row,) = read_rows(message(text)).rows
    assert (row.reject_code, row.motif) == ("0450", "Exonération non trouvée au fichier à la date des soins")


def test_a_letters_table_text_without_blank_lines_and_a_document_asked_under_it():
    """GIVEN a PDF letter's text (no blank line): a pipe table whose first row ends with "|" and its
    instruction on the next line, then "Par ailleurs, pour la facture n° 000 451 230 (…), merci de nous
    faire parvenir l'accord préalable", then a general reminder ("une facture déjà réglée ne doit jamais être
    retransmise") WHEN read THEN the first row's motif and instruction are apart, and the other invoice is a
    document asked beside the list, not a reject to re-bill."""
    letter = ("Le traitement de votre lot n° 214 appelle les observations suivantes.\n"
              "N° facture | Soins du | Montant | Situation / motif | Consigne\n"
              "000 451 207 | 02/10/2026 | 38,40 € | Rejet 0250 050 – Assuré absent de notre référentiel |\n"
              "Vérifier la caisse d'affiliation, corriger et retransmettre la facture\n"
              "000 451 213 | 05/10/2026 | 71,20 € | Prescription interdite à cette date (0470 049) | Nous\n"
              "adresser la prescription médicale par SCOR – ne pas refacturer\n"
              "000 451 226 | 08/10/2026 | 52,90 € | Mise en paiement le 19/10/2026 | –\n"
              "Par ailleurs, pour la facture n° 000 451 230 (soins du 09/10/2026),\n"
              "merci de nous faire parvenir l'accord préalable de la prolongation des soins.\n"
              "Nous vous rappelons qu'une facture déjà réglée ne doit jamais être retransmise.\n")
    rows = read_rows(message("Voir le courrier joint.", attachments=[
        Attachment(filename="retour.pdf", content_type="application/pdf", payload=b"", text=letter)])).rows
    assert [(r.invoice, r.motif, r.action, r.source) for r in rows] == [
        ("000451207", "Assuré absent de notre référentiel", Action.REBILL, "table"),
        ("000451213", "Prescription interdite à cette date", Action.PIECES, "table"),
        ("000451226", "Mise en paiement le 19/10/2026", Action.NONE, "table"),
        ("000451230", None, Action.PIECES, "aside")]


def test_dashed_paragraphs_and_a_document_asked_for_another_lot():
    """GIVEN two invoices of lot 214 in "–" items, each with its own instruction in the sentence after it,
    and "Par ailleurs, concernant la facture 000 517 902 (lot 209), merci de nous faire parvenir la
    prescription" WHEN read THEN each item keeps its own instruction and the other lot's invoice is a
    document asked beside the return."""
    text = ("Lot n° 214 : deux factures n'ont pu être prises en charge.\n"
            "– La facture 000 518 233 (soins du 22/09/2026, 35,70 €) : cotation incompatible (code\n"
            "rejet 2214 013). Je vous remercie de corriger la cotation et de nous retransmettre la facture.\n"
            "– La facture 000 518 240 (soins du 23/09/2026, 58 euros) : la prescription est illisible. Merci "
            "de nous en adresser une copie lisible ; il n'est pas nécessaire de refacturer.\n\n"
            "Par ailleurs, concernant la facture 000 517 902 (lot 209), merci de nous faire parvenir la "
            "prescription médicale.\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.action, r.source) for r in rows] == [
        ("000518233", Action.REBILL, "prose"), ("000518240", Action.PIECES, "prose"),
        ("000517902", Action.PIECES, "aside")]


def test_one_sentence_introducing_each_invoice_with_la_facture():
    """GIVEN one sentence "… à savoir la facture 002207415 … merci de la corriger et de la refacturer, la
    facture 002207418 … rejetée en 0250 050 assuré absent de notre référentiel, il dépend d'une autre
    caisse …, et enfin la facture 002207422 … pas besoin de la refacturer, envoyez-nous l'ordonnance"
    WHEN read THEN each invoice has its own action and the motif stops before its explanation."""
    text = ("3 sont restées en anomalie, à savoir la facture 002207415 de Mme Aubert (35,70 €) pour laquelle "
            "la cotation n'est pas cumulable, merci de la corriger et de la refacturer, la facture 002207418 "
            "(12,60 €) qui est rejetée en 0250 050 assuré absent de notre référentiel, il dépend d'une autre "
            "caisse donc refacturez à la bonne caisse, et enfin la facture 002207422 (57,30 €) pour laquelle "
            "il nous manque la prescription, pas besoin de la refacturer, envoyez-nous l'ordonnance.\n")
    rows = read_rows(message(text)).rows
    assert [r.action for r in rows] == [Action.REBILL, Action.REBILL, Action.PIECES]
    assert rows[1].motif == "assuré absent de notre référentiel"


def test_cards_under_lot_headings_and_a_rule_for_all_lines_but_a_code():
    """GIVEN cards under "Lot 067 – …" and "Lot 069 – …" headings WHEN read THEN each takes its heading's lot;
    GIVEN "Pour toutes les lignes : corriger et refacturer, SAUF les lignes en 2900 -> ne rien renvoyer"
    WHEN read THEN the 2900 row needs nothing and the others are re-billed."""
    cards = ("Lot 067 – télétransmis le 12/10/2026\n\nFacture : 301 884 120\nMontant : 58,20 €\n\n"
             "Facture : 301 884 127\nMontant : 12,60 €\n\nLot 069 – télétransmis le 13/10/2026\n\n"
             "Facture : 301 884 301\nMontant : 9,45 €\n")
    assert [r.lot for r in read_rows(message(cards)).rows] == ["067", "067", "069"]
    table = ("N° facture\tCode rejet\tLibellé\n001120045\t0450 072\tExonération non trouvée\n"
             "001120051\t2900 005\tFacture déjà payée\n\n"
             "Pour toutes les lignes : corriger et refacturer, SAUF les lignes en 2900 (déja payées) -> ne "
             "rien renvoyer, sinon indu.\n")
    assert [r.action for r in read_rows(message(table)).rows] == [Action.REBILL, Action.NONE]


def test_a_list_under_its_shared_reject_with_one_exception_by_name():
    """GIVEN "4 factures ont été rejetées pour le motif « … » (code 0470 049) :" above a numbered list,
    then "Toutes sont à refacturer …, sauf celle de Mme Roux : sa facture (006201118) a été mise en
    paiement le 03/11/2026" WHEN read THEN the three others take the motif, the code and re-billing; Mme
    Roux's is paid, its payment date no care date in conflict."""
    text = ("Lors du traitement de votre lot 604, 4 factures ont été rejetées pour le motif « date de "
            "prescription postérieure à la date des soins » (code 0470 049) :\n\n"
            "  1.  Facture n° 006 201 104 – M. BONNET Jules – soins du 19/10/2026 – 38,60 €\n"
            "  2.  Facture n° 006 201 118 – Mme ROUX Hélène – soins du 21/10/2026 – 58,20 €\n"
            "  3.  Facture n° 006 201 125 – M. BONNET Jules – soins du 22/10/2026 – 38,60 €\n\n"
            "Toutes sont à refacturer après correction de la date de prescription, sauf celle de Mme Roux : "
            "sa facture (006201118) a été mise en paiement le 03/11/2026, inutile donc de la renvoyer.\n")
    rowset = read_rows(message(text))
    got = [(r.invoice, r.reject_code, r.motif, r.status, r.action) for r in rowset.rows]
    motif = "date de prescription postérieure à la date des soins"
    assert got == [("006201104", "0470", motif, None, Action.REBILL),
                   ("006201118", None, None, Status.PAID, Action.NONE),
                   ("006201125", "0470", motif, None, Action.REBILL)]
    assert rowset.problems == ()


def test_an_answer_above_the_quoted_list_naming_rows_by_patient():
    """GIVEN an agent's answer "- les deux factures de Mme Dumas sont rejetées, code 0470 049 : prescription
    interdite à cette date (…). Il faut les refacturer …" and "- celle de M. Texier a été payée le
    16/10/2026" above the professional's quoted list "> - 000 345 610 (Mme Dumas) 23,10 €" WHEN read THEN
    Mme Dumas's two invoices are rejected with the code, the motif and re-billing, M. Texier's is paid; each
    keeps its amount."""
    text = ("J'ai regardé votre lot 176 :\n\n- les deux factures de Mme Dumas sont rejetées, code 0470 049 : "
            "prescription interdite à cette date (l'ordonnance saisie est datée du 05/10). Il faut les "
            "refacturer toutes les deux.\n\n- celle de M. Texier a été payée le 16/10/2026, 45,80 €.\n\n"
            "Le 12/10/2026 à 18:42, Marie Exemple a écrit :\n> Je n'ai pas été réglée pour le lot 176 :\n"
            "> - 000 345 610 (Mme Dumas) 23,10 €\n> - 000 345 622 (Mme Dumas) 23,10 €\n"
            "> - 000 345 614 (M. Texier) 45,80 €\n")
    rows = read_rows(message(text)).rows
    got = [(r.invoice, r.reject_code, r.motif, r.status, r.action, str(r.amount)) for r in rows]
    motif = "prescription interdite à cette date"
    assert got == [("000345610", "0470", motif, None, Action.REBILL, "23.10"),
                   ("000345622", "0470", motif, None, Action.REBILL, "23.10"),
                   ("000345614", None, None, Status.PAID, Action.NONE, "45.80")]


def test_one_line_per_patient_with_its_own_outcome():
    """GIVEN three invoices listed with their patients, then "M. CHAMBON : c'est réglé, la facture est partie
    en paiement le 27/10/2026.", "Mme ROUVIÈRE : rejet 0450 (exonération non trouvée) → merci de
    refacturer", "Mme TEYSSIER : il nous manque l'ordonnance. Pas besoin de refacturer, envoyez-la par
    SCOR" WHEN read THEN paid, re-billed with its code, and a document to send — never one instruction for
    all three."""
    text = ("Je reviens vers vous pour les 3 factures du lot 402 :\n\n"
            "a. M. CHAMBON Paul – fact. 000902114 – 33,20 €\n"
            "b. Mme ROUVIÈRE Jeanne – fact. 000902120 – 45,60 €\n"
            "c. Mme TEYSSIER Marthe – fact. 000902131 – 88,00 €\n\n"
            "M. CHAMBON : c'est réglé, la facture est partie en paiement le 27/10/2026.\n"
            "Mme ROUVIÈRE : rejet 0450 (exonération non trouvée), elle n'est plus en ALD → merci de "
            "refacturer sans exonération.\n"
            "Mme TEYSSIER : il nous manque l'ordonnance. Pas besoin de refacturer, envoyez-la par SCOR.\n")
    got = [(r.invoice, r.status, r.action, r.reject_code) for r in read_rows(message(text)).rows]
    assert got == [("000902114", Status.PAID, Action.NONE, None),
                   ("000902120", None, Action.REBILL, "0450"),
                   ("000902131", None, Action.PIECES, None)]


def test_rows_with_slashes_between_their_cells_and_an_instruction_per_line():
    """GIVEN rows written "005512840 / 07/10/26 / 24,40€ / prescription absente" and the lines "pr les 2
    premieres pas la peine de refacturer, faut juste nous envoyer l'ordo" and "la derniere par contre est a
    refacturer" WHEN read THEN each row with its date, amount and motif; the first two a document to
    send, the last one re-billed."""
    text = ("voici les fact. rejetees sur votre lot 233 :\n\n"
            "005512840 / 07/10/26 / 24,40€ / prescription absente\n"
            "005512846 / 08/10/26 / 24,40€ / prescription absente\n"
            "005512851 / 09/10/26 / 9,20€ / cotation non conforme a la prescription\n\n"
            "pr les 2 premieres pas la peine de refacturer, faut juste nous envoyer l'ordo (par SCOR).\n"
            "la derniere par contre est a refacturer avec la bonne cotation\n")
    got = [(r.invoice, r.care_date, str(r.amount), r.motif, r.action) for r in read_rows(message(text)).rows]
    assert got == [("005512840", date(2026, 10, 7), "24.40", "prescription absente", Action.PIECES),
                   ("005512846", date(2026, 10, 8), "24.40", "prescription absente", Action.PIECES),
                   ("005512851", date(2026, 10, 9), "9.20", "cotation non conforme a la prescription",
                    Action.REBILL)]


def test_an_instruction_line_under_each_row_of_a_text_table():
    """GIVEN a fixed-width table whose rows are each followed by "     Consigne : …" WHEN read THEN each row
    takes the instruction written under it."""
    text = ("LOT  DATE LOT    N FACTURE  SOINS DU    MONTANT  REJET     LIBELLE\n"
            "204  01/10/2026  261004517  28/09/2026    47,70  0450 072  EXONERATION NON TROUVEE\n"
            "     Consigne : Corriger l'exonération puis retélétransmettre la facture.\n"
            "204  01/10/2026  261004522  29/09/2026    31,50  0470 049  PRESCRIPTION INTERDITE\n"
            "     Consigne : Adresser la prescription par SCOR. Ne pas refacturer.\n")
    got = [(r.invoice, r.action) for r in read_rows(message(text)).rows]
    assert got == [("261004517", Action.REBILL), ("261004522", Action.PIECES)]


def test_the_sentence_after_an_invoice_in_a_letter_asks_for_it():
    """GIVEN a letter naming two invoices in one paragraph, the instruction for the second in the sentence
    after its motif ("L'assurée ne bénéficie pas d'une exonération. Nous vous invitons à établir une
    nouvelle facture"), and "Les autres factures du lot ont été mises en paiement." WHEN read THEN the
    second invoice is re-billed, and the sentence about the others is no instruction for it."""
    text = ("Deux factures n'ont pas pu être prises en charge :\n"
            "Facture 261003988 - soins du 15/09/2026 - 88,20 EUR\n"
            "Motif : 2011 028 PRESCRIPTION ABSENTE\n"
            "Merci de nous adresser une copie lisible de la prescription médicale.\n"
            "Facture 261003995 - soins du 18/09/2026 - 46,30 EUR\n"
            "Motif : 0450 072 EXONERATION NON JUSTIFIEE\n"
            "L'assurée ne bénéficie pas d'une exonération à la date des soins. Nous vous invitons à\n"
            "établir une nouvelle facture au taux applicable et à la retélétransmettre.\n"
            "Les autres factures du lot ont été mises en paiement le 25/09/2026.\n")
    got = [(r.invoice, r.action, r.status) for r in read_rows(message(text)).rows]
    assert got == [("261003988", Action.PIECES, Status.REJECTED),
                   ("261003995", Action.REBILL, Status.REJECTED)]


def test_an_amount_without_currency_and_the_next_lot():
    """GIVEN "- fact. 261000233 du 05/09/26 pour Mme LEROUX, Mt 49,90 : … A refacturer" under "Lot 087 :",
    then "Lot 091 : …" and "Pour la 261000233 vous pouvez la mettre dans votre prochain lot" WHEN read THEN
    the invoice has its amount and stays in lot 087, with no conflict."""
    text = ("Lot 087 (transmis le 29/09/26) :\n"
            "- fact. 261000233 du 05/09/26 pour Mme LEROUX, Mt 49,90 : cumul non autorise. A refacturer.\n\n"
            "Lot 091 (transmis le 01/10/26) :\n"
            "- fact. 261000301 du 22/09/26, Mt 52,10 : ordonnance perimee, envoyez la copie.\n\n"
            "Pour la 261000233 vous pouvez la mettre dans votre prochain lot.\n")
    rowset = read_rows(message(text))
    assert [(r.invoice, r.lot, str(r.amount)) for r in rowset.rows] == [("261000233", "087", "49.90"),
                                                                       ("261000301", "091", "52.10")]
    assert rowset.problems == ()


def test_a_legend_of_what_to_do_per_reject_code_gives_each_row_its_action():
    """GIVEN a fixed-width table of rejects with their labels, then "Conduite à tenir selon le code rejet :"
    and one line per code that is an instruction alone ("0470 049 : ne pas refacturer. Nous transmettre la
    prescription", "0450 072 : vérifier … puis corriger et retransmettre", "2900 005 : … aucune action")
    WHEN read THEN each row takes its code's action."""
    body = ("Madame,\n\nLes anomalies suivantes ont été relevées :\n\n"
            "LOT  FACTURE      DATE SOINS    MONTANT  REJET     LIBELLE\n"
            "321  118 400 217  22/09/2026      31,50  0470 049  PRESCRIPTION INTERDITE A CETTE DATE\n"
            "321  118 400 219  23/09/2026      58,80  0450 072  EXONERATION NON TROUVEE\n"
            "322  118 400 244  25/09/2026      15,75  2900 005  FACTURE DEJA PAYEE\n\n"
            "Conduite à tenir selon le code rejet :\n"
            "  * 0470 049 : ne pas refacturer. Nous transmettre la prescription médicale (SCOR ou "
            "courrier).\n"
            "  * 0450 072 : vérifier la situation de l'assuré, puis corriger et retransmettre la facture.\n"
            "  * 2900 005 : la facture a déjà été réglée, aucune action n'est nécessaire.\n")
    rows = read_rows(parse_message(raw("text/plain", body))).rows
    assert [(r.invoice, r.action) for r in rows] == [
        ("118400217", Action.PIECES), ("118400219", Action.REBILL), ("118400244", Action.NONE)]


def test_an_agents_dash_list_with_care_dates_without_their_year_and_a_code_in_brackets():
    """GIVEN an agent's list "- Mme D., soins du 21/09, fact 000 412 337 (Mt 18,90 €) : pas de prescription
    …" and "… : assuré absent de notre référentiel (0250 050) → …", sent on 06/10/2026 WHEN read THEN the
    care date is 21/09/2026 (the last such day before the message) and the code in brackets is the
    reject's code, out of its words."""
    body = ("Bonjour,\n\nSuite au traitement de votre lot 112, 2 factures n'ont pas pu être réglées :\n\n"
            "- Mme D. Josiane, soins du 21/09, fact 000 412 337 (Mt 18,90 €) : pas de prescription rattachée "
            "→ à refacturer avec la prescription jointe\n"
            "- M. P. Gérard, soins du 23/09, fact. 000412341 (Mt 6,30 €) : assuré absent de notre "
            "référentiel "
            "(0250 050) → merci de voir avec le patient, ne rien renvoyer avant\n")
    message = parse_message(raw("text/plain", body).replace(b"Wed, 14 Oct 2026", b"Tue, 06 Oct 2026"))
    rows = read_rows(message).rows
    assert [(r.invoice, r.care_date, r.reject_code, r.motif, r.action) for r in rows] == [
        ("000412337", date(2026, 9, 21), None, "pas de prescription rattachée", Action.REBILL),
        ("000412341", date(2026, 9, 23), "0250", "assuré absent de notre référentiel", Action.CONTACT)]


def test_a_list_cut_by_slashes_under_lot_headings():
    """GIVEN rows "000 560 114 / M. R. / 07/10/2026 / 22,05 € / motif" under "Lot 318", then "Lot 319" and
    two more rows WHEN read THEN each row has its lot, its care date (the slashes of a date do not cut it),
    its amount, its motif, and the patient's column is not taken for the motif."""
    body = ("Bonjour,\n\nLot 318\n   000 560 114 / M. R. / 07/10/2026 / 22,05 € / cotation incohérente avec "
            "la prescription\n\nLot 319\n   000 560 131 / Mme B. / 09/10/2026 / 9,45 € / NIR du bénéficiaire "
            "erroné\n   000 560 140 / Mme B. / 10/10/2026 / 9,45 € / en attente\n\nCordialement\n")
    rows = read_rows(parse_message(raw("text/plain", body))).rows
    assert [(r.invoice, r.lot, r.care_date, r.amount, r.motif) for r in rows] == [
        ("000560114", "318", date(2026, 10, 7), Decimal("22.05"),
         "cotation incohérente avec la prescription"),
        ("000560131", "319", date(2026, 10, 9), Decimal("9.45"), "NIR du bénéficiaire erroné"),
        ("000560140", "319", date(2026, 10, 10), Decimal("9.45"), "en attente")]
    assert all(r.beneficiary for r in rows)


def test_the_lot_of_the_list_is_not_the_lot_one_other_invoice_is_given_in_its_own_sentence():
    """GIVEN "les factures rejetées sur votre lot 143" over two cards without a lot, then "pour la facture
    000 655 047 (lot 142, soins du 09/10/2026), merci de nous faire parvenir la prescription" WHEN read
    THEN the cards are of lot 143 and that invoice of lot 142."""
    body = ("Madame,\n\nVoici le détail des factures rejetées sur votre lot 143.\n\nFacture\n\n000 "
            "655 020\n\n"
            "Montant\n\n1 046,40 €\n\nMotif\n\nRejet 0460 053 – établissement "
            "inconnu\n\nFacture\n\n000655031\n\n"
            "Montant\n\n19,80 €\n\nMotif\n\nActe non conforme à la prescription\n\nPar ailleurs, pour la "
            "facture 000 655 047 (lot 142, soins du 09/10/2026), merci de nous faire parvenir la "
            "prescription "
            "médicale.\n")
    rows = read_rows(parse_message(raw("text/plain", body))).rows
    assert {(r.invoice, r.lot) for r in rows} == {
        ("000655020", "143"), ("000655031", "143"), ("000655047", "142")}


@pytest.mark.parametrize("motif_line", [
    "MOTIF : 0460 053 ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL => A REFACTURER AVEC LE FINESS",
    "Observation : 0460 053 ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL -> A REFACTURER",
])
def test_a_motif_then_an_arrow_and_its_instruction(motif_line):
    """GIVEN an invoice whose motif line goes on, after an arrow ("=>", "->"), with what to do (as a
    client that re-wraps lines joins it) WHEN read THEN the motif stops before the arrow, the row
    keeps its code and the instruction gives its action."""
    rows = read_rows(message("Bonjour,\n\nCONCERNANT LE LOT 086, UNE SEULE FACTURE EN ANOMALIE :\n"
                             "FACTURE 000377120 - SOINS DU 24/09/2026 - 26,40 EUR\n"
                             f"{motif_line}\n\nCordialement\n"))
    (row,) = rows.rows
    assert (row.invoice, row.reject_code, row.motif, row.action) == (
        "000377120", "0460", "ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL", Action.REBILL)


def test_a_motif_cell_then_an_arrow_and_its_instruction():
    """GIVEN a table whose motif cell holds the motif, an arrow and what to do WHEN read THEN the motif
    and the instruction are apart, the instruction giving the row's action."""
    rows = read_rows(message("Lot 086\n\nN° facture | Montant | Motif\n"
                             "000377120 | 26,40 € | Assuré absent => Refacturer à la bonne caisse\n"))
    (row,) = rows.rows
    assert (row.motif, row.consigne, row.action) == ("Assuré absent", "Refacturer à la bonne caisse",
                                                     Action.REBILL)


def test_a_lot_where_an_invoice_was_already_paid_is_not_the_lot_of_the_rows():
    """GIVEN "Votre lot n° 112" then one card table per invoice, the first saying "paiement effectué sur
    votre lot 109" WHEN read THEN every invoice is of lot 112, the one above the cards, not 109."""
    def card(invoice, motif, then):
        return (f"<table><tr><td>Facture n° :</td><td>{invoice}</td></tr><tr><td>Montant :</td>"
                f"<td>22,90 €</td></tr><tr><td>Motif :</td><td>{motif}</td></tr>"
                f"<tr><td>Suite à donner :</td><td>{then}</td></tr></table>")
    html = ("<p>Votre lot n° 112, transmis le 08/10/2026, a fait l'objet d'un traitement manuel.</p>"
            + card("001 204 557", "Facture déjà payée – 2900 005",
                   "Aucune. Ne pas refacturer (paiement effectué sur votre lot 109).")
            + card("001 204 561", "Incompatibilité nature d'assurance (0317 051)",
                   "À refacturer en accident du travail."))
    rows = read_rows(message(html=html))
    assert [(r.invoice, r.lot) for r in rows.rows] == [("001204557", "112"), ("001204561", "112")]


def test_an_agents_list_with_a_bracketed_code_and_a_deadline_beside_it():
    """GIVEN an agent's dashed list where one row's code is in brackets after its words ("deja payée sur
    le lot 041 (2900 005)") and, apart, a prescription asked "avant le 15/11/2026" WHEN read THEN the row
    has code 2900 and sub-code 005, and the deadline is never taken for a care date."""
    rows = read_rows(message(
        "suite au traitement de votre lot 045 plusieurs factures sont rejetées :\n\n"
        "- 000 088 213 Mme B., soins du 07/10/26, 9,90€ --> deja payée sur le lot 041 (2900 005), "
        "ne pas refacturer svp\n"
        "- 000 088 224 Mme F., soins du 08/10/26, 11,90€ --> merci de me rappeler\n\n"
        "Par ailleurs, pour la facture 000087990 (lot 042), merci de nous faire parvenir la prescription "
        "avant le 15/11/2026.\n"))
    first, _, aside = rows.rows
    assert (first.invoice, first.reject_code, first.reject_subcode) == ("000088213", "2900", "005")
    assert (aside.invoice, aside.care_date) == ("000087990", None)


@pytest.mark.parametrize("aside,source", [
    ("Par ailleurs, pour la facture 000908097 (M. G., soins du 01/10/2026), merci de nous faire parvenir "
     "une copie de l'ordonnance. Il n'est pas nécessaire de refacturer.", "aside"),
    ("Par ailleurs, la facture 000 908 097 du même lot (8,30 €) est suspendue dans l'attente de la "
     "prescription médicale : merci de nous la transmettre par SCOR, sans refacturer.", "prose"),
])
def test_an_agents_paragraph_asking_a_document_for_one_more_invoice(aside, source):
    """GIVEN an agent's sentences rejecting one invoice of lot 047, then a paragraph of its own "Par
    ailleurs, pour la facture …, merci de nous faire parvenir …" WHEN read THEN that invoice is a pièces
    request beside the rejects; a paragraph saying the invoice "du même lot" waits for its prescription
    stays a row of the lot return."""
    rows = read_rows(message("Pour le lot 047, la facture 000 908 112 (58 €) est rejetée : date de "
                             "prescription postérieure aux soins. Merci de corriger et de refacturer.\n\n"
                             + aside + "\n"))
    first, second = rows.rows
    assert (first.action, second.invoice, second.action, second.source) == (
        Action.REBILL, "000908097", Action.PIECES, source)


def test_a_document_asked_beside_a_lot_refused_whole():
    """GIVEN an agent telling that lot 214 was refused in its entirety, then a paragraph of its own "Par
    ailleurs, pour la facture … (lot 209), merci de nous faire parvenir la prescription" WHEN read THEN
    that invoice is a pièces request beside the refusal, not a reject of a lot."""
    rows = read_rows(message("Votre lot n° 214, télétransmis le 15/09/2026 et comportant 9 factures, a été\n"
                             "rejeté dans sa totalité : date de constitution postérieure à sa réception.\n\n"
                             "Par ailleurs, pour la facture n° 000 604 377 (lot 209, soins du 03/09/2026), "
                             "merci de nous faire parvenir la prescription médicale. Il n'est pas nécessaire "
                             "de refacturer.\n"))
    assert [(r.invoice, r.lot, r.action, r.source) for r in rows.rows] == [
        ("000604377", "209", Action.PIECES, "aside")]


def test_an_instruction_for_the_rows_of_one_motif_then_for_all_the_others():
    """GIVEN a table of rejects and, under it, "Les factures dont le motif est « pièce justificative
    absente » sont à compléter via SCOR : merci de ne pas les refacturer. Toutes les autres sont à corriger
    puis à refacturer." WHEN read THEN the rows of that motif ask a document, every other row a
    re-billing."""
    rows = read_rows(message(
        "Lot | N° facture | Montant | Code rejet | Libellé rejet\n"
        "118 | 000640021 | 34.65 | 0450 072 | EXONERATION NON TROUVEE\n"
        "118 | 000640027 | 15.75 | 2601 017 | PIECE JUSTIFICATIVE ABSENTE\n"
        "119 | 000640052 | 47.00 | 0470 049 | PRESCRIPTION INTERDITE A CETTE DATE\n\n"
        "Les factures dont le motif est « pièce justificative absente » sont à compléter via SCOR : merci de "
        "ne pas les refacturer.\nToutes les autres sont à corriger puis à refacturer.\n"))
    assert [r.action for r in rows.rows] == [Action.REBILL, Action.PIECES, Action.REBILL]


def test_an_agent_correcting_the_invoice_of_her_previous_mail():
    """GIVEN "la facture à refacturer n'est pas la 000215044 mais la 000215047 (…, soins du 22/09/2026,
    montant 45,36 €). Le motif reste le même : cotation non conforme …", then the first one said paid
    WHEN read THEN the corrected invoice comes first with the amount, care date and motif; the mistaken
    one is only the paid row."""
    rows = read_rows(message(
        "Je me suis trompée dans mon précédent mail : la facture à refacturer n'est pas la 000215044 mais la "
        "000215047 (Mme C., soins du 22/09/2026, montant 45,36 €).\nLe motif reste le même : cotation non "
        "conforme à la prescription médicale. Merci de la refacturer en AMI 4.\n\n"
        "La facture 000215044 (M. P.) a bien été mise en paiement le 05/10/2026.\n"))
    first, second = rows.rows
    assert (first.invoice, first.amount, first.care_date, first.motif, first.action) == (
        "000215047", Decimal("45.36"), date(2026, 9, 22), "cotation non conforme à la prescription médicale",
        Action.REBILL)
    assert (second.invoice, second.status) == ("000215044", Status.PAID)


def test_the_reject_named_in_quotes_before_the_invoice_it_concerns():
    """GIVEN "Le rejet pour « assuré absent de notre référentiel » (0250 050) concerne la facture 000 903 516,
    et non la facture 000 903 561" WHEN read THEN the corrected invoice carries the code and the caisse's
    words in the quotes."""
    rows = read_rows(message(
        "Le rejet pour « assuré absent de notre référentiel » (0250 050) concerne la facture 000 903 516, "
        "et non la facture 000 903 561 comme je vous l'ai indiqué par erreur. C'est donc la facture "
        "000 903 516 (soins du 29/09/2026, 22,80 €) qu'il convient de corriger puis de retransmettre.\n"))
    first = rows.rows[0]
    assert (first.invoice, first.reject_code, first.motif) == (
        "000903516", "0250", "assuré absent de notre référentiel")


def test_the_instruction_in_the_paragraph_under_a_lone_card():
    """GIVEN a card alone in its paragraph under "dans votre lot n° 313, la facture suivante …:" and above
    "Nous vous invitons à contacter le service … avant toute nouvelle facturation." WHEN read THEN the row
    asks for a call (that paragraph is its instruction); a lot refused above with its own instruction
    does not change it."""
    rows = read_rows(message(
        "Votre lot n° 312 a été rejeté dans sa totalité. Merci de retransmettre l'ensemble des factures du "
        "lot sous un nouveau numéro.\n\nPar ailleurs, dans votre lot n° 313, la facture suivante n'a pas pu "
        "être prise en charge :\n\nN° de facture : 000 599 741 – Montant : 54,90 € – Motif : Incompatibilité "
        "nature d'assurance (0317 051)\n\nNous vous invitons à contacter le service Relations PS au 36 08 "
        "afin de vérifier la situation de l'assuré avant toute nouvelle facturation.\n\nCordialement,\n"))
    assert [(r.invoice, r.lot, r.action) for r in rows.rows] == [("000599741", "313", Action.CONTACT)]


def test_a_transfers_total_beside_the_invoices_amount():
    """GIVEN "Facture 000118205 : réglée le 29/09/2026, 31,50 €. Les deux paiements sont sur le même virement
    (1 204,62 € au total)" WHEN read THEN the invoice's amount is 31,50 € (the transfer's total is not one
    of its amounts)."""
    rows = read_rows(message("Facture 000118205 (lot 118) : Réglée le 29/09/2026, 31,50 € (patient en ALD). "
                             "Les deux paiements sont sur le même virement du 29/09/2026 (1 204,62 € au "
                             "total, avec vos autres factures).\n"))
    assert [(r.invoice, r.amount, r.status) for r in rows.rows] == [
        ("000118205", Decimal("31.50"), Status.PAID)]


def test_letters_explained_on_one_line_of_a_legend():
    """GIVEN a table whose "Suite" column holds letters and one line "Codes suite : R = corriger la facture
    et la refacturer ; P = transmettre la pièce justificative, sans refacturer ;" then "C = prendre
    contact avec nos services ; S = sans suite, pour information." WHEN read THEN each row takes its
    letter's action (C is a call, not the information of S after it)."""
    rows = read_rows(message(
        "N° facture | Montant | Suite | Motif\n000208331 | 31,50 € | R | Bénéficiaire non connu\n"
        "000208337 | 18,90 € | P | Ordonnance non parvenue\n"
        "000208352 | 52,00 € | C | Acte hors nomenclature\n\n"
        "Codes suite : R = corriger la facture et la refacturer ; P = transmettre la pièce justificative, "
        "sans refacturer ;\nC = prendre contact avec nos services ; S = sans suite, pour information.\n"))
    assert [r.action for r in rows.rows] == [Action.REBILL, Action.PIECES, Action.CONTACT]


def test_a_table_takes_the_lot_of_the_line_just_above_it():
    """GIVEN a sentence about lot 205, then "et dans le lot n°204 j'ai 2 fact en rejet :" just above an
    agent's table headed "Fact  Benef  Dt soins  Mt  Motif" WHEN read THEN its rows are of lot 204, with
    their invoices, care dates and amounts."""
    rows = read_rows(message(
        "le lot n°205 du 12/10 ne nous est jamais parvenu en entier, il faut le retransmettre.\n\n"
        "et dans le lot n°204 j'ai 2 fact en rejet :\n\n"
        "Fact          Benef        Dt soins   Mt     Motif\n"
        "000 771 203   LE GALL A.   05/10/26   31,50  prescripteur inconnu 0460 053\n"
        "000 771 219   MORVAN J.    06/10/26   12,60  droits clos au 30/09\n"))
    assert [(r.lot, r.invoice, r.care_date, r.amount) for r in rows.rows] == [
        ("204", "000771203", date(2026, 10, 5), Decimal("31.50")),
        ("204", "000771219", date(2026, 10, 6), Decimal("12.60"))]


def test_dashed_list_items_with_the_motif_then_a_dash_and_the_instruction():
    """GIVEN a list "- facture n° … – soins du … – motif : 0470 049 Prescription interdite à cette date – à
    refacturer après vérification de la date de prescription ;" WHEN read THEN the motif is the caisse's
    words alone, without the instruction after the last dash, and the action is to re-bill."""
    rows = read_rows(message(
        "Après traitement de votre lot n° 112, les factures ci-dessous sont rejetées :\n\n"
        "- facture n° 000412587 – soins du 08/09/2026 – motif : 0470 049 Prescription interdite à cette date "
        "– à refacturer après vérification de la date de prescription ;\n"
        "- facture n° 000412603 – soins du 10/09/2026 – motif : 0460 053 Établissement prescripteur inconnu "
        "au fichier national – à refacturer en indiquant le n° FINESS.\n")).rows
    assert [(r.invoice, r.reject_code, r.motif, r.action) for r in rows] == [
        ("000412587", "0470", "Prescription interdite à cette date", Action.REBILL),
        ("000412603", "0460", "Établissement prescripteur inconnu au fichier national", Action.REBILL)]


@pytest.mark.parametrize("lead,status", [
    ("Les trois factures ont été payées par virement du 22/10/2026, pour un total de 143,85 euros :",
     Status.PAID),
    # an exception or a negation in the sentence: it says nothing of each invoice below
    ("Toutes les factures ont été payées sauf celles-ci :", None),
    ("Les factures suivantes n'ont pas été payées :", None),
])
def test_a_list_of_invoices_under_a_sentence_that_says_them_paid(lead, status):
    """GIVEN a dashed list of invoices with their amounts only, under a sentence ending with a colon that
    says they were all paid WHEN read THEN each row is paid; a sentence with an exception or a negation
    gives them no status."""
    rows = read_rows(message(f"Lot 156 : traité le 21/10/2026. {lead}\n  - facture 156000031 : 41,20 euros\n"
                             "  - facture 156000032 : 58,45 euros\n\nBonne fin de journée,\n")).rows
    assert [(r.invoice, r.status) for r in rows] == [("156000031", status), ("156000032", status)]


def test_the_lot_an_invoice_was_already_paid_on_in_brackets_is_not_its_lot():
    """GIVEN numbered paragraphs under "Après traitement de votre lot n° 214", one saying "Cette facture a
    déjà été réglée le 02/10/2026 (lot 209)" WHEN read THEN every row keeps lot 214, the next one too."""
    rows = read_rows(message(
        "Après traitement de votre lot n° 214, trois factures n'ont pas pu être mises en paiement.\n\n"
        "1. Facture n° 214003871 — soins du 29/09/2026 — 30,00 €\n"
        "   Motif : 0450 072 Exonération non trouvée\n\n"
        "2. Facture n° 214003874 — soins du 30/09/2026 — 35,00 €\n   Motif : 2900 005 Facture déjà payée\n"
        "   Conduite à tenir : aucune. Cette facture a déjà été réglée le 02/10/2026\n"
        "   (lot 209).\n\n"
        "3. Facture n° 214003880 — soins du 01/10/2026 — 30,00 €\n   Motif : 0317 051 Incompatible\n")).rows
    assert [(r.invoice, r.lot) for r in rows] == [
        ("214003871", "214"), ("214003874", "214"), ("214003880", "214")]


def test_a_lot_said_not_paid_in_brackets_stays_the_rows_lot():
    """GIVEN "part complémentaire non réglée (lot 561)" above two invoices WHEN read THEN the rows keep lot
    561: a lot in brackets after "non réglée" is not one the invoices were already paid on."""
    rows = read_rows(message(
        "Facturation C2S – part complémentaire non réglée (lot 561)\n\n"
        "La facture 007845210 est rejetée : droits C2S non ouverts.\n\n"
        "La facture 007845233 est rejetée : assuré absent de notre référentiel.\n")).rows
    assert [(r.invoice, r.lot) for r in rows] == [("007845210", "561"), ("007845233", "561")]


def test_one_instruction_for_all_rows_but_one_named_by_its_amount():
    """GIVEN a table of rejects, then "Toutes ces factures sont à corriger puis à refacturer, sauf celle de
    212,40 € : il nous manque seulement l'ordonnance" and the 212,40 € row asking the ordonnance WHEN read
    THEN every other row is to re-bill and that one keeps its own instruction."""
    rows = read_rows(message(
        "N° facture | Montant | Motif\n"
        "047000612 | 16,10 € | 0470 049 PRESCRIPTION INTERDITE A CETTE DATE\n"
        "047000615 | 212,40 € | ORDONNANCE NON PARVENUE\n"
        "047000621 | 58,45 € | 0317 051 INCOMPATIBILITE NATURE D'ASSURANCE\n\n"
        "Toutes ces factures sont à corriger puis à refacturer, sauf celle de 212,40 € : pour celle-là la "
        "cotation est bonne, il nous manque seulement l'ordonnance.\n")).rows
    assert [(r.invoice, r.action) for r in rows] == [
        ("047000612", Action.REBILL), ("047000615", Action.PIECES), ("047000621", Action.REBILL)]


def test_an_invoice_said_paid_beside_the_table_is_a_payment():
    """GIVEN a table of two rejects, then "Pour information, la facture 000 412 150 du lot 088, d'abord
    suspendue, a été mise en paiement le 02/11/2026 pour 31,50 €" WHEN read THEN a third row, paid, with
    its lot and amount."""
    rows = read_rows(message(
        "N° de lot | N° de facture | Montant | Motif du rejet | Suite à donner\n"
        "087 | 000 412 118 | 47,70 € | 0470 049 – Prescription interdite | Corriger puis retélétransmettre\n"
        "087 | 000 412 123 | 15,75 € | Pièce non parvenue | Transmettre l'ordonnance par SCOR\n\n"
        "Pour information, la facture 000 412 150 du lot 088 (soins du 22/10/2026), d'abord suspendue, a été "
        "mise en paiement le 02/11/2026 pour 31,50 €.\n")).rows
    assert [(r.invoice, r.lot, r.status, r.amount) for r in rows][2] == (
        "000412150", "088", Status.PAID, Decimal("31.50"))


def test_idem_same_motif_same_instruction_wrapped_over_two_lines():
    """GIVEN a dashed list whose last item says "idem, meme" then, on the next line, "motif meme consigne"
    WHEN read THEN that row takes the code, the motif and the instruction of the row above, and no
    "meme consigne" as its motif."""
    rows = read_rows(message(
        "suite traitement de votre lot 044, voici les fact. en anomalie :\n\n"
        "- fact. 000 412 781 (soins du 16/09, 31,50 eur) : rejet 0250 050\nassure absent de notre "
        "referentiel -> merci de refacturer vers sa caisse\n\n"
        "- fact. 000 412 790 (soins du 17/09, 31,50 eur) : idem, meme\nmotif meme consigne\n")).rows
    assert [(r.invoice, r.reject_code, r.motif, r.action) for r in rows] == [
        ("000412781", "0250", "assure absent de notre referentiel", Action.REBILL),
        ("000412790", "0250", "assure absent de notre referentiel", Action.REBILL)]


def test_a_rejected_row_a_note_says_paid_after_all():
    """GIVEN a pasted extraction with three rejects, then "Concernant la 005305112, ne tenez pas compte du
    rejet affiché ci-dessus : après vérification, elle a finalement été réglée le 16/10/2026 pour 63,00 €"
    WHEN read THEN that row is paid (no reject, no instruction), the others stay rejected."""
    rows = read_rows(message(
        "FACTURE    DATE SOINS    MONTANT  CODE      LIBELLE\n"
        "005305101  29/09/2026      31,50  0450 072  EXONERATION NON TROUVEE\n"
        "005305112  01/10/2026      63,00  2900 005  FACTURE DEJA PAYEE\n\n"
        "- 005305101 : merci de refacturer sans exonération.\n"
        "- Concernant la 005305112, ne tenez pas compte du rejet affiché ci-dessus : après vérification, "
        "elle a finalement été réglée le 16/10/2026 pour 63,00 €. Il n'y a rien à faire.\n")).rows
    assert [(r.invoice, r.status, r.reject_code) for r in rows] == [
        ("005305101", Status.REJECTED, "0450"), ("005305112", Status.PAID, None)]


def test_a_letters_list_with_an_instruction_line_under_each_invoice():
    """GIVEN a PDF letter's text: "Lot 071 du 12/10/26", then each invoice on a line ending with its motif
    and code in brackets and, under it, "-> …" what to do, then "Lot 072 du 14/10/26" refused whole WHEN
    read THEN each invoice keeps its own code, motif and instruction (the paid one is not to re-bill) and
    its own lot."""
    rows = read_rows(message(
        "Retour sur le traitement de vos lots\nLot 071 du 12/10/26\n"
        "Facture 005950310 - soins du 08/10/26 - 63,00 EUR - Facture déjà payée (code 2900 005)\n"
        " -> ne pas retransmettre, aucune action de votre part\n"
        "Facture 005950314 - soins du 09/10/26 - 58€ - Exonération non trouvée (code 0450 072)\n"
        " -> à refacturer au taux normal\n"
        "Lot 072 du 14/10/26\nLot rejeté en totalité - fichier illisible\n -> merci de retransmettre le lot\n"
        )).rows
    assert [(r.invoice, r.lot, r.reject_code, r.motif, r.action) for r in rows if r.invoice] == [
        ("005950310", "071", "2900", "Facture déjà payée", Action.NONE),
        ("005950314", "071", "0450", "Exonération non trouvée", Action.REBILL)]


def test_two_invoices_with_their_amounts_in_brackets_share_their_sentence():
    """GIVEN "Lot 118 : les factures 004120311 (38,40 €) et 004120312 (52,10 €) ont été mises en paiement le
    09/10/2026." WHEN read THEN two paid rows of lot 118, each with its own amount."""
    rows = read_rows(message(
        "Lot 118 : les factures 004120311 (38,40 €) et 004120312 (52,10 €) ont été mises en paiement le "
        "09/10/2026. En revanche, la facture 004120315 est rejetée pour le motif 0470 049 « Prescription "
        "interdite à cette date ». Merci de corriger la date de prescription et de refacturer.\n")).rows
    assert [(r.invoice, r.lot, r.status, r.amount) for r in rows][:2] == [
        ("004120311", "118", Status.PAID, Decimal("38.40")),
        ("004120312", "118", Status.PAID, Decimal("52.10"))]


def test_an_amount_corrected_in_the_sentence_is_not_the_amount():
    """GIVEN "la facture 003810457 a bien été réglée le 20/10/2026 mais pour 46,80 € et non 48,60 € comme
    indiqué" WHEN read THEN the row's amount is 46,80 (the figure after "et non" is the one corrected)."""
    rows = read_rows(message("Rectificatif à mon mail d'hier : la facture 003810457 a bien été réglée le "
                             "20/10/2026 mais pour 46,80 € et non 48,60 € comme indiqué.\n")).rows
    assert [(r.invoice, r.amount) for r in rows] == [("003810457", Decimal("46.80"))]


def test_a_suite_column_of_letters_and_numbers_in_brackets_with_their_legend():
    """GIVEN a text table whose "SUITE" column holds "R", "(1)" or "(2)", and the legend below ("R = à
    refacturer après correction", "(1) = ordonnance à nous faire parvenir, ne pas refacturer", "(2) = doublon,
    aucune action de votre part") WHEN read THEN each row takes its key's instruction."""
    rows = read_rows(message(
        "LOT  FACTURE    DATE SOINS  MONTANT  MOTIF                               SUITE\n"
        "203  009720114  06/10/2026    36,90  Exonération non trouvée (0450 072)  R\n"
        "203  009720117  07/10/2026    22,60  Prescripteur inconnu (0460 053)     (1)\n"
        "204  009720131  12/10/2026    45,20  Facture déjà payée (2900 005)       (2)\n\n"
        "Légende de la colonne SUITE :\n  R   = à refacturer après correction\n"
        "  (1) = ordonnance à nous faire parvenir (SCOR ou courrier), ne pas refacturer\n"
        "  (2) = doublon, aucune action de votre part, ne pas retransmettre\n")).rows
    assert [r.action for r in rows] == [Action.REBILL, Action.PIECES, Action.NONE]


def test_a_block_pasted_from_the_caisses_tool_keeps_the_motif_without_its_flags():
    """GIVEN an agent's paste of the caisse's tool: "FACT 004231007 … MT 42,60" then "REJET 0460 053
    ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL  NIV F PART O" WHEN read THEN the motif stops
    at the gap before the tool's next field."""
    rows = read_rows(message(
        "Je vous copie ce qui ressort de notre outil pour votre lot 231 :\n\n"
        "FACT 004231007 SOINS 15/09/26 MT 42,60\n"
        "   REJET 0460 053 ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL  NIV F PART O\n")).rows
    assert [(r.invoice, r.reject_code, r.motif) for r in rows] == [
        ("004231007", "0460", "ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL")]


def test_a_quoted_motif_on_the_line_under_its_code():
    """GIVEN "Pour les factures 000 518 204 et 000 518 219 du lot 231, le motif est 0470 049" with the motif
    « Prescription interdite à cette date » at the start of the next line (a client wrapped it) WHEN read
    THEN both invoices have the code and the quoted words, not "est"."""
    text = ("Pour les factures 000 518 204 et 000 518 219 du lot 231, le motif est 0470 049\n"
            "« Prescription interdite à cette date » : la date de prescription est postérieure au début des "
            "soins. Merci de les\nrefacturer après correction.\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.reject_code, r.motif, r.action) for r in rows] == [
        (n, "0470", "Prescription interdite à cette date", Action.REBILL) for n in ("000518204", "000518219")]


def test_several_invoices_in_one_passage_telling_a_payment_and_an_instruction_get_neither():
    """GIVEN a table written one cell per line inside a quoted reply (not read as a table), one invoice
    to correct and re-bill and the next put in payment WHEN read THEN neither invoice is told paid nor
    told what to do (the passage says both, for one each)."""
    text = ("> *Facture*\n> *Suite à donner*\n> 005 633 870\n> 12/10/2026\n> 31,50 €\n"
            "> Cotation AIS 3 non cumulable\n> Corriger la cotation et refacturer\n> 005 633 889\n"
            "> 13/10/2026\n> 15,90 €\n> Mise en paiement le 21/10/2026\n> -\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.status, r.action) for r in rows] == [
        ("005633870", None, None), ("005633889", None, None)]


def test_instructions_per_invoice_in_a_block_under_the_table_joined_on_one_line():
    """GIVEN a fixed-width table of two rejects without instructions, and under "CONSIGNES" one paragraph
    per invoice that the mail's unwrapping ran together ("000392118 : … retélétransmettez-la. 000392126
    : l'assuré … refacturez auprès de la caisse compétente.") WHEN read THEN each row has its own
    instruction."""
    text = ("N° FACTURE  DATE SOINS  MONTANT (EUR)  CODE REJET  LIBELLE\n"
            "000392118   11/09/2026          28,60  0460 053    ETABLISSEMENT PRESCRIPTEUR INCONNU\n"
            "000392126   12/09/2026          41,70  0250 050    ASSURE ABSENT DE NOTRE REFERENTIEL\n\n"
            "CONSIGNES\n\n000392118 : vérifiez le numéro FINESS, corrigez la facture et "
            "retélétransmettez-la. 000392126 : l'assuré n'est pas connu de notre caisse. Vérifiez sa "
            "caisse d'affiliation et "
            "refacturez auprès de la caisse compétente.\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.action) for r in rows] == [
        ("000392118", Action.REBILL), ("000392126", Action.REBILL)]


def test_a_document_asked_beside_a_reject_of_the_same_lot():
    """GIVEN an agent's sentences: an invoice of lot 215 rejected (code 0470 049) to re-bill, then "Par
    ailleurs, pour la facture n° 000 447 027 du même lot, merci de nous faire parvenir une copie de
    l'ordonnance ; cette facture ne doit pas être refaite" WHEN read THEN the first is a reject, the second a
    document asked beside it (not a reject of the list)."""
    text = ("Concernant le lot n° 215, la facture n° 000 447 019 (soins du 09/10/2026, 35,70 euros) a été "
            "rejetée (code 0470 049 « prescription interdite à cette date »). Merci de refacturer.\n\n"
            "Par ailleurs, pour la facture n° 000 447 027 du même lot, merci de nous faire parvenir une "
            "copie de l'ordonnance ; cette facture ne doit pas être refaite.\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.lot, r.action, r.source) for r in rows] == [
        ("000447019", "215", Action.REBILL, "prose"), ("000447027", "215", Action.PIECES, "aside")]


def test_a_workbook_row_whose_first_cells_are_empty():
    """GIVEN a platform's workbook whose rejected row leaves its payment reference and date empty
    (" |  | 261004230 | 03/09/2026 | … | Rejet R17 : Adhérent radié") between paid rows WHEN read THEN
    that row keeps its cells in their columns: its invoice, its amount and its motif."""
    text = ("Réf. paiement | Date paiement | N° facture | Date soins | Part AMC demandée | Part AMC payée | "
            "Observation\n"
            "PA2609-1187 | 08/09/2026 | 261004201 | 31/08/2026 | 9.45 | 9.45\n"
            " |  | 261004230 | 03/09/2026 | 12.6 | 0 | Rejet R17 : Adhérent radié\n"
            "PA2609-1342 | 22/09/2026 | 261004244 | 10/09/2026 | 31.85 | 31.85\n")
    sheet = Attachment(filename="releve.xlsx", content_type="application/vnd.openxmlformats-officedocument"
                       ".spreadsheetml.sheet", payload=b"", text=text)
    rows = read_rows(message("Relevé en pièce jointe.", attachments=[sheet]))
    assert [(r.invoice, r.amount, r.motif) for r in rows.rows] == [
        ("261004201", Decimal("9.45"), None), ("261004230", Decimal("12.60"), "Rejet R17 : Adhérent radié"),
        ("261004244", Decimal("31.85"), None)]
    assert rows.problems == ()


def test_a_reject_code_followed_by_its_words_in_straight_quotes():
    """GIVEN an answer's item "Facture n° 002311463 (soins du 15/09/2026, montant facturé EUR 112,80) : rejet
    0250 050 "Assuré absent de notre référentiel". L'assurée relève d'un autre organisme" WHEN read THEN the
    code and the quoted words as the motif (not the explanation after them)."""
    text = ('- Facture n° 002311463 (soins du 15/09/2026, montant facturé EUR 112,80) : rejet 0250 050 '
            '"Assuré absent de notre référentiel". L\'assurée relève d\'un autre organisme depuis le '
            '01/08/2026.\n')
    (row,) = read_rows(message(text)).rows
    assert (row.reject_code, row.reject_subcode, row.motif) == ("0250", "050",
                                                                "Assuré absent de notre référentiel")


def test_a_systems_reject_list_under_a_table_of_results():
    """GIVEN a system's fixed-width table whose results say "REJET 0250 050", then under the heading
    "MOTIFS DE REJET ET CONSIGNES" one line per reject "000451216   0250 050  ASSURE ABSENT DE NOTRE
    REFERENTIEL" and its instruction after an arrow WHEN read THEN each rejected row has the words of its
    code as its motif
    (never words of the heading)."""
    text = ("N° FACTURE  BENEFICIAIRE        DATE SOINS   MT FACTURE  MT REGLE  RESULTAT\n"
            "----------  ------------------  ----------  -----------  --------  ---------------\n"
            "000451215   LEYCURAS M.         26/10/2026        43,00     25,80  MIS EN PAIEMENT\n"
            "000451216   BOURDARIAS J.       26/10/2026        63,00         -  REJET 0250 050\n"
            "000451218   VERGNE L.           27/10/2026        44,10         -  REJET 0317 051\n\n"
            "MOTIFS DE REJET ET CONSIGNES\n"
            "000451216   0250 050  ASSURE ABSENT DE NOTRE REFERENTIEL\n"
            "            -> Vérifier la caisse d'affiliation du bénéficiaire et\n"
            "               refacturer auprès de l'organisme compétent.\n"
            "000451218   0317 051  NATURE D'ASSURANCE INCOMPATIBLE AVEC LA SITUATION DE L'ASSURE\n"
            "            -> Vérifier la nature d'assurance puis refacturer la prestation.\n")
    rows = {r.invoice: r for r in read_rows(message(text)).rows}
    assert rows["000451216"].motif == "ASSURE ABSENT DE NOTRE REFERENTIEL"
    assert rows["000451218"].motif == "NATURE D'ASSURANCE INCOMPATIBLE AVEC LA SITUATION DE L'ASSURE"
    assert rows["000451216"].action is Action.REBILL and rows["000451215"].status is Status.PAID


def test_an_invoice_paid_the_same_day_and_a_code_then_its_quoted_words():
    """GIVEN "La facture 000 611 930 a été payée le 28/10/2026 (52,50 €)." then "La facture 000 611 941 a été
    payée le même jour (31,50 €)." and "La facture 000 611 954 … a été rejetée le 27/10/2026 : code 0450 072,
    « exonération non trouvée »" WHEN read THEN the second is paid on the 28th too, the third carries the
    quoted words after its code's comma."""
    text = ("La facture 000 611 930 a été payée le 28/10/2026 (52,50 €).\n\n"
            "La facture 000 611 941 a été payée le même jour (31,50 €).\n\n"
            "La facture 000 611 954, en revanche, a été rejetée le 27/10/2026 : code 0450 072,\n"
            "« exonération non trouvée » ; votre patient n'est plus reconnu en ALD.\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.paid_on) for r in rows[:2]] == [("000611930", date(2026, 10, 28)),
                                                          ("000611941", date(2026, 10, 28))]
    assert (rows[2].reject_code, rows[2].motif) == ("0450", "exonération non trouvée")


def test_a_code_legend_entry_wrapped_on_an_indented_line():
    """GIVEN a fixed-width table of rejects and "Conduite à tenir selon le code :" with an entry wrapped
    on an indented second line ("- 0250 : vérifiez la caisse d'affiliation … et transmettez la facture" /
    "  à la caisse compétente.") WHEN read THEN the entry is read whole: its row is re-billed elsewhere."""
    text = ("LOT N° 207 - transmis le 28/09/2026\n\n"
            "N° FACTURE   DATE SOINS  MONTANT  CODE      LIBELLE\n"
            "000 731 502  24/09/26      31,50  0250 050  ASSURE ABSENT DE NOTRE REFERENTIEL\n"
            "000 731 515  25/09/26      45,10  0470 049  PRESCRIPTION INTERDITE A CETTE DATE\n\n"
            "Conduite à tenir selon le code :\n"
            "- 0250 : vérifiez la caisse d'affiliation de l'assuré (ADRi) et transmettez la facture\n"
            "  à la caisse compétente.\n"
            "- 0470 : vérifiez la date de prescription auprès du prescripteur, corrigez la facture\n"
            "  et retransmettez-la.\n")
    assert [(r.invoice, r.action) for r in read_rows(message(text)).rows] == [
        ("000731502", Action.REBILL), ("000731515", Action.REBILL)]


def test_the_instruction_for_rejects_is_not_undone_by_a_sentence_about_a_payment():
    """GIVEN rejected rows, "Merci de corriger ces factures et de les retransmettre." and then "Pour
    information, la facture suivante, précédemment rejetée, a été réglée après reprise par nos services"
    WHEN read THEN the rejected rows are to re-bill (the sentence about a payment asks nothing of them)."""
    text = ("Suite au traitement de vos lots, les factures ci-dessous ont été rejetées :\n\n"
            "Bénéficiaire inconnu – NIR erroné | EUR 58,20 | 000 833 450 | lot 412 | 13/10/2026\n"
            "Cotation AMI incompatible avec le BSI | EUR 132,00 | 000 833 467 | lot 412 | 14/10/2026\n\n"
            "Merci de corriger ces factures et de les retransmettre.\n\n"
            "Pour information, la facture suivante, précédemment rejetée, a été réglée après reprise par nos "
            "services :\n\n000 833 402 | lot 410 | EUR 25,65\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.action) for r in rows] == [
        ("000833450", Action.REBILL), ("000833467", Action.REBILL), ("000833402", None)]
    assert rows[2].status is Status.PAID


def test_a_code_legend_entry_that_starts_with_a_negated_verb():
    """GIVEN a table of rejects and "Consignes :" whose entry for 2900 reads "ne renvoyez pas la facture,
    elle a déjà été réglée." WHEN read THEN the duplicate's row asks for nothing (the entry is an
    instruction, not a label)."""
    text = ("Lot 077 du 12/10/2026\n"
            "    Facture        Soins         Montant     Motif\n"
            "    000 660 213    08/10/2026    24,40 €     0470 049 Prescription interdite à cette date\n"
            "    000 660 220    09/10/2026    51,20 €     2900 005 Facture déjà payée\n\n"
            "Consignes :\n"
            "  0470 : corrigez la date de prescription et retransmettez la facture.\n"
            "  2900 : ne renvoyez pas la facture, elle a déjà été réglée.\n")
    assert [(r.invoice, r.action) for r in read_rows(message(text)).rows] == [
        ("000660213", Action.REBILL), ("000660220", Action.NONE)]


def test_an_invoice_whose_sum_is_said_twice_keeps_it():
    """GIVEN an answer's item "Facture 004 218 337 (lot 112, soins du 05/06/2026, 48,30 €) : Réglée le
    02/10/2026 – montant versé : 48,30 €" (the billed and the paid sum alike) WHEN read THEN the row has its
    one sum, and its day of payment."""
    text = ("- Facture 004 218 337 (lot 112, soins du 05/06/2026, 48,30 €) : Réglée le 02/10/2026 – montant "
            "versé : 48,30 €\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.amount, r.paid_on) for r in rows] == [
        ("004218337", Decimal("48.30"), date(2026, 10, 2))]


def test_an_agents_short_list_whose_instructions_follow_the_motif_without_a_comma_or_with_a_typo():
    """GIVEN an agent's list "fact 000702231 : date de soins posterieure a la date de facturation , a
    refactuer avec la bonne date" and "fact 000702248 : NIR errone (cle incorrecte) a refacturer apres verif
    carte vitale" WHEN read THEN each row's motif is the caisse's words alone and each is to re-bill (the
    typo "refactuer" read as what it means)."""
    text = ("retour sur votre lot 204 transmis le 13/10\n\n"
            "fact 000702231 : date de soins posterieure a la date de facturation , a refactuer avec la "
            "bonne date\n"
            "fact 000702248 : NIR errone (cle incorrecte) a refacturer apres verif carte vitale\n")
    rows = read_rows(message(text)).rows
    assert [(r.invoice, r.motif, r.action) for r in rows] == [
        ("000702231", "date de soins posterieure a la date de facturation", Action.REBILL),
        ("000702248", "NIR errone (cle incorrecte)", Action.REBILL)]


def test_a_column_headed_cons_holds_letters_explained_by_a_legend():
    """GIVEN a fixed-width table whose last column is headed "CONS." and holds "A" or "B", and "Légende des
    consignes :" with "A : corriger la facture et la retélétransmettre" and "B : nous adresser une copie de
    l'ordonnance … NE PAS REFACTURER" WHEN read THEN each row takes its letter's action."""
    text = ("N° FACTURE  ASSURE(E)             SOINS DU    MONTANT  CODE      MOTIF                      "
            "CONS.\n"
            "000518337   LE BIHAN Maryvonne    03/09/2026    31,50  0450 072  EXONERATION NON TROUVEE    A\n"
            "000518339   GUEGUEN Loïc          05/09/2026    19,35  0470 049  PRESCRIPTION INTERDITE     B\n"
            "Légende des consignes :\n"
            "  A : corriger la facture et la retélétransmettre (nouveau numéro de facture).\n"
            "  B : nous adresser une copie de l'ordonnance (SCOR ou courrier). NE PAS REFACTURER.\n")
    assert [(r.invoice, r.action) for r in read_rows(message(text)).rows] == [
        ("000518337", Action.REBILL), ("000518339", Action.PIECES)]


def test_the_sentence_above_a_table_of_paid_invoices_dates_their_payment():
    """GIVEN "L'ensemble des factures de ce lot a été mis en paiement le 07/09/2026 :" above a table whose
    rows say "Mis en paiement" WHEN read THEN every row is paid on 07/09/2026."""
    text = ("L'ensemble des factures de ce lot a été mis en paiement le 07/09/2026 :\n"
            "N° facture Bénéficiaire           Date des soins   Facturé    Réglé AMO  Statut\n"
            "000431207  LE GOFF Yvonne         24/08/2026       98,70 €    98,70 €  Mis en paiement\n"
            "000431208  KERHERVÉ Jean-Yves     27/08/2026       15,90 €    15,90 €  Mis en paiement\n")
    assert [(r.invoice, r.status, r.paid_on) for r in read_rows(message(text)).rows] == [
        ("000431207", Status.PAID, date(2026, 9, 7)), ("000431208", Status.PAID, date(2026, 9, 7))]
