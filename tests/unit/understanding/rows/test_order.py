"""Where a row stands: its lot from headings and sentences, and the order in which the body names rows."""

from __future__ import annotations

from cpambot.understanding.rows.model import Row
from cpambot.understanding.rows.order import (
    body_before_files,
    in_document_order,
    lots_from_headings,
    message_lots,
)


def test_rows_come_in_the_order_the_body_names_them():
    """GIVEN rows read from several grids out of order WHEN put in order THEN the body's order."""
    text = "Lot 731 rejeté.\nFacture 000 630 517 rejetée.\nFacture 000630524 payée."
    rows = [Row(lot="731", whole_lot=True), Row(invoice="000630524"), Row(invoice="000630517")]
    assert [r.invoice or r.lot for r in in_document_order(rows, text)] == ["731", "000630517", "000630524"]


def test_rows_take_the_lot_of_the_heading_line_above_them():
    """GIVEN "Lot 067 – télétransmis le 12/10/2026" over one invoice and "Lot 069 – …" over another WHEN the
    rows without a lot are placed THEN each takes the heading above it."""
    text = ("Lot 067 – télétransmis le 12/10/2026\nFacture 000630517\n\n"
            "Lot 069 – le 14/10\nFacture 000630524\n")
    rows = lots_from_headings([Row(invoice="000630517"), Row(invoice="000630524")], text)
    assert [r.lot for r in rows] == ["067", "069"]


def test_the_lots_a_message_names_but_for_one_an_invoice_of_its_own_names():
    """GIVEN a message naming lot 141 for its rejects and, in a sentence of its own, "pour la facture 000 655
    047 (lot 142), merci de …" WHEN its lots are listed THEN lot 141 only."""
    text = ("Votre lot 141 comporte deux rejets.\n\nPar ailleurs, pour la facture 000 655 047 (lot 142), "
            "merci de nous adresser la prescription.")
    assert message_lots(text) == ["141"]


def test_a_sentence_naming_two_rows_above_the_table_does_not_place_them():
    """GIVEN "j'ai inversé les numéros des factures 000244018 et 000244021" above a table listing 000244015,
    000244018, 000244021 one a line WHEN put in order THEN the table's order."""
    text = ("Correctif : j'ai inversé les numéros des factures 000244018 et 000244021.\n\n"
            "000244015\t19/10/2026\n000244018\t20/10/2026\n000244021\t21/10/2026\n")
    rows = [Row(invoice="000244018"), Row(invoice="000244021"), Row(invoice="000244015")]
    assert [r.invoice for r in in_document_order(rows, text)] == ["000244015", "000244018", "000244021"]


def test_the_body_aside_comes_before_the_rows_of_an_attached_file():
    """GIVEN rows read from an attached CSV and, from the body, "Par ailleurs, pour la facture n° 330 918 004
    …" WHEN put in document order THEN the body's aside first (the mail is read before the file is
    opened); with a body that names the file's rows too, the order is left as it is."""
    table = [Row(invoice="330917551", lot="045", source="table"),
             Row(lot="047", whole_lot=True, source="table")]
    asked = Row(invoice="330918004", lot="046", source="aside")
    body = "Le détail est dans le fichier joint.\nPar ailleurs, pour la facture n° 330 918 004 (lot 046), …"
    assert body_before_files([*table, asked], body) == [asked, *table]
    assert body_before_files([*table, asked], body + " et la 330917551.") == [*table, asked]
