"""Typed cells: amounts, invoice numbers, lots, reject codes and care dates in every writing, and
the role a column header gives its column."""

from datetime import date
from decimal import Decimal

import pytest

from cpambot.understanding.rows.cells import (
    amount_of,
    cell_type,
    code_of,
    date_of,
    header_roles,
    invoice_of,
    invoices_in,
    lot_of,
    role_of,
)


@pytest.mark.parametrize("cell,expected", [
    ("1 234,56 €", Decimal("1234.56")),
    ("1\u00a0234,56 €", Decimal("1234.56")),  # no-break space
    ("1\u202f234,56\u00a0€", Decimal("1234.56")),  # narrow no-break space, as Outlook writes it
    ("1.234,56", Decimal("1234.56")),
    ("1,234.56", Decimal("1234.56")),
    ("63.00 EUR", Decimal("63.00")),
    ("EUR 58,20", Decimal("58.20")),
    ("€ 12,5", Decimal("12.50")),
    ("58 euros", Decimal("58.00")),
    ("63,00€", Decimal("63.00")),
    ("12,00 TTC", Decimal("12.00")),
    ("-44,52", Decimal("-44.52")),
    ("\u221244,52 €", Decimal("-44.52")),  # the minus sign of a spreadsheet
    ("  0,00  ", Decimal("0.00")),
])
def test_amounts_in_every_french_and_english_writing(cell, expected):
    """GIVEN an amount cell written the way a caisse, a platform or a spreadsheet writes it WHEN read
    THEN its value to the cent, whatever the thousands separator, the decimal mark or the currency."""
    assert amount_of(cell) == expected


@pytest.mark.parametrize("cell,expected", [
    ("18,90 € (1)", Decimal("18.90")), ("18,90 €(1)", Decimal("18.90")), ("63,00 *", Decimal("63.00")),
    ("EUR 58,20 [2]", Decimal("58.20")),
])
def test_an_amount_calling_a_footnote(cell, expected):
    """GIVEN an amount cell with a footnote's mark after it ("18,90 € (1)", "(1) Règlement partiel …" under
    the table) WHEN read THEN the amount, the mark left aside."""
    assert amount_of(cell) == expected


@pytest.mark.parametrize("cell", ["", "   ", "abc", "€", "néant", "12/09/2026", "(1)"])
def test_cells_that_are_not_amounts_give_none(cell):
    """GIVEN a cell without a number, or a date WHEN read as an amount THEN None: no amount is made up."""
    assert amount_of(cell) is None


@pytest.mark.parametrize("cell", ["123456789", "123 456 789", "123\u00a0456\u00a0789",
                                  "123\u202f456\u202f789", "n° 123 456 789", "N°123456789", "no 123456789",
                                  "  123456789  "])
def test_invoice_numbers_spaced_or_not(cell):
    """GIVEN an invoice cell with nine digits, spaced by threes or not, maybe after "n°" WHEN read
    THEN the nine digits without spaces."""
    assert invoice_of(cell) == "123456789"


@pytest.mark.parametrize("cell", ["12345678", "1234567890", "123-456-789", "123.456.789", "facture", "",
                                  "123 456 789 10"])
def test_cells_that_are_not_invoice_numbers_give_none(cell):
    """GIVEN eight or ten digits, other separators or words WHEN read as an invoice THEN None."""
    assert invoice_of(cell) is None


def test_invoices_in_text_come_in_order_without_repeats():
    """GIVEN a sentence naming three invoices, one twice and one spaced WHEN searched THEN each once, in
    order of first mention, without spaces."""
    text = "Les factures 123456789 et 987 654 321 sont rejetées ; la facture 123456789 est à revoir."
    assert invoices_in(text) == ["123456789", "987654321"]


@pytest.mark.parametrize("text", ["Réf. 1234567890", "montant 123456789,50", "dossier 12/123456789",
                                  "Facture 123456789-2", "ABC123456789"])
def test_nine_digits_inside_a_longer_number_are_not_an_invoice(text):
    """GIVEN nine digits that are part of a longer number, a decimal, a path or a word WHEN searched
    THEN no invoice is found."""
    assert invoices_in(text) == []


def test_the_professionals_own_number_is_not_an_invoice():
    """GIVEN a line naming the nurse's AM number then an invoice, or a platform's "Bénéficiaire du règlement"
    with her number WHEN searched THEN only the invoice."""
    assert invoices_in("Votre numéro AM 751234567, facture 123456789") == ["123456789"]
    assert invoices_in("Bénéficiaire du règlement : EXEMPLE Marie (974123456)") == []


@pytest.mark.parametrize("cell,expected", [
    ("214", "214"), ("lot 214", "214"), ("Lot n° 7", "007"), ("LOT N°14", "014"),
    ("1234", None), ("lot", None),
])
def test_lot_cells_give_three_digits(cell, expected):
    """GIVEN a lot cell, bare or after "lot n°" WHEN read THEN the lot on three digits, or None."""
    assert lot_of(cell) == expected


@pytest.mark.parametrize("cell,expected", [
    ("0250 146", ("0250", "146")),
    ("0250-146", ("0250", "146")),
    ("0250/146", ("0250", "146")),
    ("2900", ("2900", None)),
    ("A123", ("A123", None)),
    ("0250-146 Prescription absente", ("0250", "146")),
    ("Code 0250 146", ("0250", "146")),
    ("Rejet : 0470 049", ("0470", "049")),
    ("motif 2900", ("2900", None)),
    ("N° 0250", ("0250", None)),
])
def test_reject_codes_with_or_without_subcode(cell, expected):
    """GIVEN a reject code cell, with its three-digit sub-code after a space, a dash or a slash, or
    after a "code"/"rejet" label WHEN read THEN (code, sub-code)."""
    assert code_of(cell) == expected


@pytest.mark.parametrize("cell", ["12,50", "63.00", "1234567", "Prescription absente 0250 146", ""])
def test_cells_that_are_not_reject_codes_give_none(cell):
    """GIVEN an amount, a longer number, or words before a code without a label WHEN read as a code
    THEN None (a code after its label is code_in_motif's work)."""
    assert code_of(cell) is None


@pytest.mark.parametrize("cell,expected", [
    ("12/09/2026", date(2026, 9, 12)),
    ("12.09.2026", date(2026, 9, 12)),
    ("12/09/26", date(2026, 9, 12)),
    ("2026-09-12", date(2026, 9, 12)),
    ("12 septembre 2026", date(2026, 9, 12)),
    ("1er octobre 2026", date(2026, 10, 1)),
    ("mardi 15 sept. 2026", date(2026, 9, 15)),
    ("le 12/09/2026", date(2026, 9, 12)),
    ("soins du 12/09/2026", date(2026, 9, 12)),
    ("46000", date(2025, 12, 9)),  # a spreadsheet's day number
    ("46000.0", date(2025, 12, 9)),
])
def test_care_dates_in_several_forms(cell, expected):
    """GIVEN a care date cell written as a caisse, a person or a spreadsheet writes it WHEN read THEN
    that single day, and no period."""
    assert date_of(cell) == (expected, None)


def test_a_day_and_month_in_words_take_the_default_year():
    """GIVEN "12 septembre" without a year, in a message of 2026 WHEN read THEN 12 September 2026."""
    assert date_of("12 septembre", default_year=2026) == (date(2026, 9, 12), None)


@pytest.mark.parametrize("cell", ["du 02/09 au 06/09/2026", "02/09/2026 - 06/09/2026",
                                  "Soins du 26/02 au 01/03/2026"])
def test_a_care_period_is_kept_as_written(cell):
    """GIVEN a cell naming a period of care WHEN read THEN no single day, the period kept verbatim."""
    assert date_of(cell) == (None, cell)


@pytest.mark.parametrize("cell", ["31/02/2026", "demain", "", "12345"])
def test_impossible_or_absent_dates_give_nothing(cell):
    """GIVEN an impossible date, words or a small number WHEN read as a care date THEN neither day nor
    period."""
    assert date_of(cell) == (None, None)


@pytest.mark.parametrize("header,role", [
    ("N° facture", "invoice"), ("Facture", "invoice"), ("FSE", "invoice"), ("N° FSE", "invoice"),
    ("Numéro", "invoice"), ("Référence facture", "invoice"), ("Invoice", "invoice"),
    ("Lot", "lot"), ("N° lot", "lot"),
    ("Date de soins", "care_date"), ("Date des soins", "care_date"), ("Date d'exécution", "care_date"),
    ("Date", "care_date"), ("Période", "care_date"), ("Soins", "care_date"), ("Date soins", "care_date"),
    ("Jour de soins", "care_date"),
    ("Date de traitement", "other_date"), ("Date de paiement", "paid_date"), ("Reçu le", "other_date"),
    ("Précisions", "motif"), ("Réponse de la caisse", "status"),
    ("Date de facturation", "other_date"), ("Date limite de réception", "other_date"),
    ("Échéance", "other_date"),
    ("Montant", "amount"), ("Montant facturé", "amount"), ("Mt", "amount"), ("Somme", "amount"),
    ("Facture EUR", "amount"), ("Montant (EUR)", "amount"), ("Part AMO", "amount"), ("TOTAL", "amount"),
    ("Code", "code"), ("Code rejet", "code"), ("N° de rejet", "code"), ("Rejet", "code"),
    ("Motif", "motif"), ("Libellé", "motif"), ("Anomalie", "motif"), ("Observation", "motif"),
    ("Pièces manquantes", "motif"), ("Motif / consigne", "motif"), ("Libellé - suite à donner", "motif"),
    ("Consigne", "consigne"), ("Action", "consigne"), ("Conduite à tenir", "consigne"),
    ("Que faire ?", "consigne"), ("Suite à donner", "consigne"), ("What to do", "consigne"),
    ("Statut", "status"), ("État", "status"), ("Situation", "status"), ("Décision", "status"),
    ("Bénéficiaire", "beneficiary"), ("Patient", "beneficiary"), ("Assuré", "beneficiary"),
    ("NIR", "beneficiary"), ("Nom", "beneficiary"),
    ("Fact", "invoice"), ("Benef", "beneficiary"), ("Dt soins", "care_date"), ("Mnt", "amount"),
    ("Facturé", "amount"), ("IK facturées", None), ("IK FACTUREES", None), ("Actes facturés", None),
    ("Banane", None), ("", None), ("x" * 61, None),
])
def test_header_words_and_their_synonyms_give_a_role(header, role):
    """GIVEN a column header in the caisses' own words, accented or not WHEN its role is asked THEN
    the column's role ("Facture EUR" is an amount, "Date de traitement" is not a care date)."""
    assert role_of(header) == role


def test_header_roles_first_column_of_a_role_wins():
    """GIVEN a header naming two date columns WHEN roles are given THEN the first one is the care date."""
    assert header_roles(["Facture", "Date", "Date"]) == {"invoice": 0, "care_date": 1}


def test_what_was_billed_is_not_the_invoice_number_in_any_column_order():
    """GIVEN a pièces request's grid whose columns run from the amount to the invoice number, with an
    "IK facturées" column before "N° facture" WHEN roles are given THEN the invoice number is the
    last column, not the kilometres billed."""
    roles = header_roles(["Montant facture", "IK facturées", "IFD", "Date(s) de soins", "Patient",
                          "N° facture"])
    assert roles == {"amount": 0, "care_date": 3, "beneficiary": 4, "invoice": 5}


def test_a_rejected_amount_column_wins_over_the_billed_one():
    """GIVEN "Montant facturé" then "Montant rejeté" WHEN roles are given THEN the row's amount is the
    rejected one, and the other columns keep their place in any order."""
    roles = header_roles(["Lot", "N° facture", "Date de soins", "Montant facturé", "Montant rejeté", "Motif"])
    assert roles == {"lot": 0, "invoice": 1, "care_date": 2, "amount": 4, "motif": 5}


def test_a_paid_amount_column_beside_the_billed_one():
    """GIVEN "Montant facturé" then "Montant réglé" WHEN roles are given THEN the billed one is the
    amount and the other the paid amount."""
    assert header_roles(["Facture", "Montant facturé", "Montant réglé"]) == {
        "invoice": 0, "amount": 1, "paid_amount": 2}


def test_a_processing_date_column_is_not_the_care_date():
    """GIVEN a processing date column before the care date WHEN roles are given THEN each its own role."""
    assert header_roles(["Facture", "Date de traitement", "Date de soins", "Montant"]) == {
        "invoice": 0, "other_date": 1, "care_date": 2, "amount": 3}


@pytest.mark.parametrize("cell,kind", [
    ("123 456 789", "invoice"), ("n° 123456789", "invoice"), ("214", "lot"), ("0250 146", "code"),
    ("0250", "code"), ("12/09/2026", "date"), ("63,00 €", "amount"), ("63.00 EUR", "amount"),
    ("Prescription absente", "text"), ("63", None), ("", None),
])
def test_cell_types_without_a_header(cell, kind):
    """GIVEN a cell of a table without header WHEN its type is guessed from itself THEN invoice, lot,
    code, date, amount or text; a bare small number says nothing."""
    assert cell_type(cell) == kind


def test_a_paid_column_before_the_billed_one():
    """GIVEN a header whose paid amount comes before the billed one WHEN given roles THEN the billed
    column is the amount and the paid one the paid amount; alone, the paid column is both."""
    assert header_roles(["Facture", "Montant réglé", "Montant facturé"]) == {
        "invoice": 0, "paid_amount": 1, "amount": 2}
    assert header_roles(["Facture", "Part AMC réglée"]) == {"invoice": 0, "paid_amount": 1, "amount": 1}


def test_a_day_and_month_take_the_message_year():
    """GIVEN a care-date cell "12/09" in a message of 2026 WHEN read THEN 12 September 2026; an
    impossible day stays unknown."""
    assert date_of("12/09", default_year=2026) == (date(2026, 9, 12), None)
    assert date_of("31/02", default_year=2026) == (None, None)
    assert date_of("12/09") == (None, None)


@pytest.mark.parametrize(("cell", "lot"), [
    ("301", "301"), ("Lot n° 87", "087"), ("301 - transmis le 26/10/2026", "301"),
    ("301 du 26/10/2026", "301"), ("301 (envoyé le 26/10/2026)", "301"),
    ("104 (lot 063) concernant Mme", None), ("30-10-2026", None), ("301 et 302", None),
])
def test_a_lot_cell_with_its_sending_date(cell, lot):
    """GIVEN a lot cell, maybe followed by the date it was sent, or a cell that is not a lot WHEN read
    THEN the lot, or None (a lot is never taken from the middle of words)."""
    assert lot_of(cell) == lot


def test_the_original_of_a_duplicate_is_not_an_invoice_of_the_text():
    """GIVEN "facture 000150044 … Motif : doublon de la facture 000150039" WHEN its invoices are listed
    THEN only the duplicate (the original it names is not a row)."""
    duplicate = "facture 000150044 - 9,45 EUR Motif : doublon de la facture 000150039"
    assert invoices_in(duplicate) == ["000150044"]
    paid = "la facture 000 150 044 est déjà réglée sous la facture n° 000 150 039"
    assert invoices_in(paid) == ["000150044"]


def test_a_short_invoice_header_and_an_observation_beside_the_motif():
    """GIVEN a header "Motif | Assuré | Montant | N° fact | Lot | Observation" WHEN its roles are read THEN
    "N° fact" holds the invoice numbers (not a lot refused whole) and "Observation" what the caisse says
    besides the motif."""
    roles = header_roles(["Motif", "Assuré", "Montant", "N° fact", "Lot", "Observation"])
    assert (roles["invoice"], roles["motif"], roles["consigne"]) == (3, 0, 5)


def test_an_invoice_printed_with_an_f_before_it():
    """GIVEN a caisse's tool printing invoices "F002910877" WHEN read in a line or as a cell THEN the 9-digit
    invoice; her number after "PS" stays out."""
    assert invoices_in("  F002910877  EUR 58,20  rejet 0470 049") == ["002910877"]
    assert invoice_of("F002910877") == "002910877"
    assert invoices_in("PS974123456 F002910880") == ["002910880"]
