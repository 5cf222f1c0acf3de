"""Rows from grids (with or without a header), label/value cards, and merging: totals checked,
reject codes taken out of labels, a disagreement named as a problem."""

from datetime import date
from decimal import Decimal

import pytest

from cpambot.understanding.rows.model import Action, Row, Status
from cpambot.understanding.rows.records import card_rows, code_in_motif, grid_rows, merge, row_from_cells

MISMATCH = "le total indiqué (80,00 €) ne correspond pas à la somme des lignes (75,50 €) : à vérifier"


def test_a_row_from_named_cells_is_typed():
    """GIVEN cells already given their role WHEN a row is made THEN every value typed: the invoice
    unspaced, the lot on three digits, the date, the amount, the code split from its sub-code."""
    row = row_from_cells({"invoice": "123 456 789", "lot": "14", "care_date": "12/09/2026",
                          "amount": "1 234,56 €", "code": "0250 146", "motif": "Prescription absente"},
                         source="table")
    assert row == Row(invoice="123456789", lot="014", care_date=date(2026, 9, 12), amount=Decimal("1234.56"),
                      reject_code="0250", reject_subcode="146", motif="Prescription absente",
                      status=Status.REJECTED, action=Action.PIECES, source="table")


def test_a_row_without_invoice_or_lot_is_none():
    """GIVEN cells naming neither an invoice nor a lot WHEN a row is made THEN None."""
    assert row_from_cells({"amount": "63,00 €", "motif": "Doublon"}, source="table") is None


def test_a_lot_without_invoice_is_a_whole_lot_row():
    """GIVEN cells naming only a lot WHEN a row is made THEN the row concerns the whole lot."""
    row = row_from_cells({"lot": "214", "motif": "Fichier illisible"}, source="table")
    assert row is not None and row.whole_lot and row.invoice is None and row.lot == "214"


def test_a_code_column_holding_the_label_too():
    """GIVEN a "Rejet" cell holding "0317 051 - Incompatibilité" and no motif column WHEN a row is made
    THEN the code and the words apart."""
    row = row_from_cells({"invoice": "123456789", "code": "0317 051 - Incompatibilité d'actes"},
                         source="table")
    assert row is not None
    assert (row.reject_code, row.reject_subcode, row.motif) == ("0317", "051", "Incompatibilité d'actes")


def test_a_status_cell_giving_the_reason():
    """GIVEN a status cell "Rejetée : contrat résilié" and no motif WHEN a row is made THEN the reason is
    the motif and the row is rejected."""
    row = row_from_cells({"invoice": "123456789", "status": "Rejetée : contrat résilié"}, source="table")
    assert row is not None and (row.motif, row.status) == ("contrat résilié", Status.REJECTED)


def test_a_motif_cell_with_its_consigne_on_a_second_line():
    """GIVEN a motif cell "label\\ninstruction" and no consigne column WHEN a row is made THEN the second
    line is the consigne, and gives the action."""
    row = row_from_cells({"invoice": "123456789", "motif": "Erreur de cotation\nMerci de refacturer"},
                         source="table")
    assert row is not None
    assert (row.motif, row.consigne, row.action) == (
        "Erreur de cotation", "Merci de refacturer", Action.REBILL)


@pytest.mark.parametrize("cell,masked", [("DUPONT Marie", "D. M."), ("1 85 03 75 123 456 78", "1 85 03 …"),
                                         ("-", None)])
def test_beneficiaries_are_masked(cell, masked):
    """GIVEN a beneficiary's name or NIR WHEN a row is made THEN only initials and the NIR's first digits."""
    row = row_from_cells({"invoice": "123456789", "beneficiary": cell}, source="table")
    assert row is not None and row.beneficiary == masked


def test_a_paid_row_without_amount_column_takes_the_amount_in_its_words():
    """GIVEN a paid status with an amount in its words and no amount column WHEN a row is made THEN
    that amount."""
    row = row_from_cells({"invoice": "123456789", "status": "Mise en paiement le 15/10/2026 (31,80 €)"},
                         source="table")
    assert row is not None and (row.status, row.amount) == (Status.PAID, Decimal("31.80"))


@pytest.mark.parametrize("motif,code,rest", [
    ("0250 050 ASSURE ABSENT", ("0250", "050"), "ASSURE ABSENT"),
    ("0250-146 - Prescription absente", ("0250", "146"), "Prescription absente"),
    ("Prescription absente (0470 049)", ("0470", "049"), "Prescription absente"),
    ("Prescription absente (rejet 0020 001)", ("0020", "001"), "Prescription absente"),
    ("DROITS FERMES – 0450", ("0450", None), "DROITS FERMES"),
    ("ACTE NON JUSTIFIE 0530 012", ("0530", "012"), "ACTE NON JUSTIFIE"),
    ("Prescription absente", None, "Prescription absente"),
    ("Rejet 0460 053 – établissement prescripteur inconnu", ("0460", "053"), "établissement "
     "prescripteur inconnu"),
    ("Code 2900 : facture déjà payée", ("2900", None), "facture déjà payée"),
])
def test_a_code_before_or_after_its_label(motif, code, rest):
    """GIVEN a label carrying its reject code before it, after it, or in brackets WHEN split THEN the
    code and the label without it."""
    assert code_in_motif(motif) == (code, rest)


def test_a_grid_with_its_header_in_any_column_order():
    """GIVEN a table whose header puts the motif first and the invoice last WHEN read THEN each value
    from its own column."""
    rows, total, problems = grid_rows([["Motif", "Montant", "Date de soins", "N° facture"],
                                       ["Doublon", "12,50 €", "13/09/2026", "987 654 321"]])
    assert rows == [Row(invoice="987654321", care_date=date(2026, 9, 13), amount=Decimal("12.50"),
                        motif="Doublon", status=Status.REJECTED, source="table")]
    assert (total, problems) == (None, [])


def test_a_grid_without_header_is_read_from_its_cell_types():
    """GIVEN a table without header (invoice, date, amount, code) WHEN read THEN each column's role
    guessed from its cells."""
    rows, _, _ = grid_rows([["123456789", "12/09/2026", "63,00 €", "0250 146"],
                            ["987654321", "13/09/2026", "12,50 €", "2900"]])
    assert [(r.invoice, r.care_date, r.amount, r.reject_code, r.reject_subcode, r.status) for r in rows] == [
        ("123456789", date(2026, 9, 12), Decimal("63.00"), "0250", "146", Status.REJECTED),
        ("987654321", date(2026, 9, 13), Decimal("12.50"), "2900", None, Status.REJECTED)]


def test_a_grid_without_invoice_gives_nothing():
    """GIVEN a table of amounts and words only WHEN read THEN no row, no total, no problem."""
    assert grid_rows([["Montant", "Motif"], ["63,00 €", "Doublon"]]) == ([], None, [])


GRID = [["Facture", "Date de soins", "Montant"], ["123456789", "12/09/2026", "63,00 €"],
        ["987654321", "13/09/2026", "12,50 €"]]


@pytest.mark.parametrize("label", ["Total", "TOTAL GÉNÉRAL", "Montant total", "Sous-total"])
def test_a_total_row_that_matches_the_sum(label):
    """GIVEN a table whose total row is the sum of its rows WHEN read THEN the total is stated, is no
    row, and raises no problem."""
    rows, total, problems = grid_rows([*GRID, [label, "", "75,50 €"]])
    assert [r.invoice for r in rows] == ["123456789", "987654321"]
    assert (total, problems) == (Decimal("75.50"), [])


def test_a_total_row_that_does_not_match_is_a_problem():
    """GIVEN a table whose total row is not the sum of its rows WHEN read THEN the rows are kept and the
    mismatch is named, both amounts in French."""
    rows, total, problems = grid_rows([*GRID, ["Total", "", "80,00 €"]])
    assert len(rows) == 2 and total == Decimal("80.00")
    assert problems == [MISMATCH]


def test_a_total_is_checked_against_the_column_it_stands_in():
    """GIVEN "Total réglé" under the paid column WHEN read THEN it is checked against the paid amounts,
    not the billed ones."""
    rows, total, problems = grid_rows([["Facture", "Montant facturé", "Montant réglé"],
                                       ["123456789", "63,00", "63,00"], ["987654321", "12,50", "0,00"],
                                       ["Total réglé", "", "63,00"]])
    assert (rows[0].amount, rows[0].paid_amount, rows[1].paid_amount) == (
        Decimal("63.00"), Decimal("63.00"), Decimal("0.00"))
    assert (total, problems) == (Decimal("63.00"), [])


def test_a_processing_date_column_is_not_taken_as_the_care_date():
    """GIVEN a table with a processing date and no care date column WHEN read THEN no care date."""
    rows, _, _ = grid_rows([["Facture", "Date de traitement", "Montant"],
                            ["123456789", "02/10/2026", "63,00 €"]])
    assert rows[0].care_date is None and rows[0].amount == Decimal("63.00")


def test_a_care_period_and_a_spreadsheet_day_number():
    """GIVEN a care date column holding a period and a spreadsheet day number WHEN read THEN the period
    as written, and the day number as a date."""
    rows, _, _ = grid_rows([["Facture", "Date de soins", "Montant"],
                            ["123456789", "du 02/09 au 06/09/2026", "63"], ["987654321", "46000", "12,50"]])
    assert (rows[0].care_date, rows[0].care_period) == (None, "du 02/09 au 06/09/2026")
    assert rows[1].care_date == date(2025, 12, 9)


def test_a_wrapped_motif_is_folded_into_the_row_above():
    """GIVEN a continuation line filling only the motif column WHEN read THEN it ends the motif of the
    row above, and is no row of its own."""
    rows, _, _ = grid_rows([["Facture", "Motif", "Montant"],
                            ["123456789", "Prescription absente,", "63,00 €"],
                            ["", "à renvoyer", ""], ["987654321", "Doublon", "12,50 €"]])
    assert [r.motif for r in rows] == ["Prescription absente, à renvoyer", "Doublon"]


def test_status_and_code_columns():
    """GIVEN a status column ("Rejetée", "Payée") and a motif carrying its code WHEN read THEN the
    statuses, and the code apart from the motif."""
    rows, _, _ = grid_rows([["Lot", "Facture", "Statut", "Motif"],
                            ["214", "123456789", "Rejetée", "Prescription absente (0470 049)"],
                            ["214", "987654321", "Payée", ""]])
    assert [(r.lot, r.status, r.reject_code, r.reject_subcode, r.motif) for r in rows] == [
        ("214", Status.REJECTED, "0470", "049", "Prescription absente"),
        ("214", Status.PAID, None, None, None)]


def test_a_section_heading_row_gives_its_lot_and_a_whole_lot_row():
    """GIVEN a heading row "Lot n° 204" spanning the table, an invoice row, then a row rejecting the
    whole lot WHEN read THEN both rows in lot 204, the last one for the whole lot with its code."""
    rows, _, problems = grid_rows([
        ["Lot", "Facture", "Motif", "Consigne"], ["Lot n° 204 (télétransmis le 28/09)", "", "", ""],
        ["", "123456789", "Doublon", ""],
        ["", "Lot rejeté dans sa totalité : fichier non conforme (rejet 0020 001)", "",
         "Retransmettre le lot"]])
    assert problems == []
    assert (rows[0].invoice, rows[0].lot) == ("123456789", "204")
    whole = rows[1]
    assert (whole.whole_lot, whole.lot, whole.reject_code, whole.reject_subcode, whole.action) == (
        True, "204", "0020", "001", Action.REBILL)


def test_a_line_not_understood_is_a_problem():
    """GIVEN a row whose invoice cell holds words and a lot but no invoice WHEN read THEN it is no row,
    and it is named as not understood."""
    rows, _, problems = grid_rows([["Lot", "Facture", "Montant"], ["214", "Lot entier", "63,00"],
                                   ["214", "xyz", "12,50"]])
    assert [(r.lot, r.whole_lot) for r in rows] == [("214", True)]
    assert problems == ["ligne du tableau non comprise : « 214 | xyz | 12,50 »"]


def test_a_two_column_label_value_grid_is_a_card():
    """GIVEN a two-column grid of labels and values WHEN read THEN one card row."""
    rows, total, problems = grid_rows([["Facture", "123456789"], ["Montant", "63,00 €"],
                                       ["Motif", "Doublon"]])
    assert rows == [Row(invoice="123456789", amount=Decimal("63.00"), motif="Doublon", status=Status.REJECTED,
                        source="card")]
    assert (total, problems) == (None, [])


def test_label_value_cards_one_record_per_invoice():
    """GIVEN two cards of "label : value" lines, the second with a code before its label WHEN read THEN
    two rows with their own values."""
    rows = card_rows(["Facture : 123 456 789", "Date de soins : 12/09/2026", "Montant : 63,00 €",
                      "Motif : Prescription absente", "Consigne : Merci de nous adresser la prescription", "",
                      "Facture : 987654321", "Montant : 12,50 €", "Motif : 0250 146 Droits fermés"])
    assert rows == [
        Row(invoice="123456789", care_date=date(2026, 9, 12), amount=Decimal("63.00"),
            motif="Prescription absente", consigne="Merci de nous adresser la prescription",
            action=Action.PIECES, source="card"),
        Row(invoice="987654321", amount=Decimal("12.50"), reject_code="0250", reject_subcode="146",
            motif="Droits fermés", status=Status.REJECTED, source="card")]


def test_a_label_coming_back_starts_a_new_card():
    """GIVEN bulleted cards without blank lines between them WHEN read THEN a new record at each
    repeated label."""
    rows = card_rows(["- N° FSE : 123456789", "- Montant : 63,00 €",
                      "- N° FSE : 987654321", "- Montant : 12,50 €"])
    assert [(r.invoice, r.amount) for r in rows] == [("123456789", Decimal("63.00")),
                                                      ("987654321", Decimal("12.50"))]


def test_one_label_per_paragraph_stays_one_card():
    """GIVEN a card whose labels are one blank line apart (flattened HTML) WHEN read THEN one row."""
    rows = card_rows(["Facture : 123456789", "", "Montant : 63,00 €", "", "Motif : Doublon"])
    assert [(r.invoice, r.amount, r.motif) for r in rows] == [("123456789", Decimal("63.00"), "Doublon")]


def test_label_lines_without_invoice_or_lot_give_no_card():
    """GIVEN "label : value" lines naming no invoice and no lot WHEN read THEN no row."""
    assert card_rows(["Bonjour : merci", "Objet : retour", "Montant : 63,00 €"]) == []


def test_merge_fills_the_gaps_of_the_first_mention():
    """GIVEN two mentions of an invoice, the second adding a lot and an action and repeating the date
    WHEN merged THEN one row in first-mention order; the first motif wins."""
    rows, problems = merge([
        Row(invoice="123456789", care_date=date(2026, 9, 12), motif="A", source="table"),
        Row(invoice="987654321", source="table"),
        Row(invoice="123456789", care_date=date(2026, 9, 12), motif="B", lot="214", action=Action.REBILL,
            source="prose")])
    assert problems == []
    assert rows == [Row(invoice="123456789", lot="214", care_date=date(2026, 9, 12), motif="A",
                        action=Action.REBILL, source="table"), Row(invoice="987654321", source="table")]


def test_merge_keeps_the_day_a_later_mention_says_the_invoice_was_paid():
    """GIVEN an answer naming two invoices in its first sentence ("concernant les factures 011508270 et
    011508285"), then "la facture 011508285 a été réglée le 16/10/2026" WHEN merged THEN the paid row
    carries the day of its payment."""
    rows, _ = merge([Row(invoice="011508285", source="prose"),
                     Row(invoice="011508285", status=Status.PAID, paid_on=date(2026, 10, 16),
                         source="prose")])
    assert [(r.status, r.paid_on) for r in rows] == [(Status.PAID, date(2026, 10, 16))]


def test_merge_conflict_leaves_the_value_empty_and_names_it():
    """GIVEN two mentions of an invoice that disagree on its amount (and a third one) WHEN merged THEN no
    amount is kept, other values fill in, and the problem is named once."""
    rows, problems = merge([Row(invoice="123456789", amount=Decimal("17.10")),
                            Row(invoice="123456789", amount=Decimal("10.70"), motif="Doublon"),
                            Row(invoice="123456789", amount=Decimal("99"))])
    assert rows == [Row(invoice="123456789", motif="Doublon")]
    assert problems == ["facture 123456789 : montant différent selon les passages du message, à vérifier"]


@pytest.mark.parametrize("field,first,second,name", [
    ("lot", "214", "215", "lot"),
    ("care_date", date(2026, 9, 12), date(2026, 9, 13), "date de soins"),
    ("reject_code", "0250", "2900", "code de rejet"),
])
def test_every_fact_in_conflict_is_a_problem(field, first, second, name):
    """GIVEN two mentions disagreeing on a lot, a care date or a code WHEN merged THEN that value empty
    and the problem named in French."""
    rows, problems = merge([Row(invoice="123456789", **{field: first}),
                            Row(invoice="123456789", **{field: second})])
    assert getattr(rows[0], field) is None
    assert problems == [f"facture 123456789 : {name} différent selon les passages du message, à vérifier"]


def test_whole_lot_rows_merge_by_lot():
    """GIVEN two rows for the whole lot 214 WHEN merged THEN one, with the second's motif."""
    rows, _ = merge([Row(lot="214", whole_lot=True), Row(lot="214", motif="x", whole_lot=True)])
    assert rows == [Row(lot="214", motif="x", whole_lot=True)]


def test_a_two_column_table_with_a_total_row_is_not_a_card():
    """GIVEN a two-column table of invoices and amounts with a total row WHEN read THEN two table rows
    with their amounts and the stated total (not label/value cards)."""
    rows, total, problems = grid_rows([["Facture", "Montant"], ["123456789", "63,00 €"],
                                       ["987654321", "12,50 €"], ["Total", "75,50 €"]])
    assert [(r.invoice, r.amount, r.source) for r in rows] == [
        ("123456789", Decimal("63.00"), "table"), ("987654321", Decimal("12.50"), "table")]
    assert total == Decimal("75.50") and problems == []


def test_a_header_split_over_two_rows():
    """GIVEN a header written over two rows ("N° | N° | Date" over "lot | facture | des soins") WHEN read
    THEN the lot and invoice columns are told apart and every row is read."""
    grid = [["N°", "N°", "Date", "Montant", "Code", "Libellé"],
            ["lot", "facture", "des soins", "facturé", "rejet"],
            ["412", "974502118", "08/10/2026", "36,60", "0450 072", "EXONERATION NON TROUVEE"]]
    rows, _, problems = grid_rows(grid)
    assert [(r.lot, r.invoice, r.care_date, r.reject_code, r.motif) for r in rows] == [
        ("412", "974502118", date(2026, 10, 8), "0450", "EXONERATION NON TROUVEE")]
    assert problems == []


def test_lot_sub_headings_and_a_whole_lot_row():
    """GIVEN a table whose lots are sub-headings spanning it, one with a row for the whole lot WHEN read
    THEN each row takes its section's lot and the whole-lot row is a lot refusal with its code."""
    grid = [["N° facture", "Montant", "Code", "Motif", "Consigne"],
            ["Lot n° 204 (télétransmis le 28/09/2026)", "", "", "", ""],
            ["000 456 112", "18,90 €", "0460 053", "Prescripteur inconnu", "Refacturer"],
            ["Lot n° 205", "", "", "", ""],
            ["Lot rejeté dans sa totalité : fichier non conforme (rejet 0020 001)", "", "", "",
             "Retransmettre le lot"]]
    rows, _, problems = grid_rows(grid)
    assert [(r.lot, r.invoice, r.whole_lot, r.reject_code, r.action) for r in rows] == [
        ("204", "000456112", False, "0460", Action.REBILL), ("205", None, True, "0020", Action.REBILL)]
    assert problems == []


def test_continuation_lines_join_the_row_above():
    """GIVEN a text table whose consigne wraps onto a line filling only that column WHEN read THEN the
    words join the row above and its instruction is read whole."""
    grid = [["Lot", "N° facture", "Montant", "A faire"],
            ["077", "561 008 356", "12.60 EUR", "Envoyer une copie"],
            ["", "", "", "de l'ordonnance, sans refacturer"]]
    rows, _, _ = grid_rows(grid)
    assert [(r.invoice, r.consigne, r.action) for r in rows] == [
        ("561008356", "Envoyer une copie de l'ordonnance, sans refacturer", Action.PIECES)]


def test_a_status_cell_holding_the_reject():
    """GIVEN a status column "REJET 0317 051 Incompatibilité nature d'assurance" WHEN read THEN the
    code and the motif come out of it."""
    status = "REJET 0317 051 Incompatibilité nature d'assurance"
    row = row_from_cells({"invoice": "204311208", "status": status}, source="table")
    assert row is not None and (row.reject_code, row.motif, row.status) == (
        "0317", "Incompatibilité nature d'assurance", Status.REJECTED)


def test_a_table_written_on_its_side_is_turned_upright():
    """GIVEN a table with one column per invoice and the field names down its first column WHEN read
    THEN one row per invoice with its lot, care date and amount; a CSV whose title rows name nothing in
    their other cells is not turned."""
    grid = [["N° de facture", "260842010", "260843002"], ["N° de lot", "842", "843"],
            ["Date des soins", "19/10/2026", "22/10/2026"], ["Montant", "57,75 €", "88,90 €"]]
    rows, _, _ = grid_rows(grid, default_year=2026)
    assert [(r.invoice, r.lot, r.care_date, r.amount) for r in rows] == [
        ("260842010", "842", date(2026, 10, 19), Decimal("57.75")),
        ("260843002", "843", date(2026, 10, 22), Decimal("88.90"))]
    titled = [["Liste des factures rejetées", "", ""], ["Facture", "Montant", "Motif"],
              ["004120955", "7,56", "Droits non ouverts"]]
    rows, _, _ = grid_rows(titled)
    assert [(r.invoice, r.motif) for r in rows] == [("004120955", "Droits non ouverts")]


def test_a_summary_of_lots_counting_invoices_gives_no_rows():
    """GIVEN a summary sheet, one row per lot with how many invoices were sent, paid and rejected WHEN
    read THEN no row (no lot is refused, the counts are no invoice numbers) and no problem."""
    grid = [["Lot", "Date de réception", "Factures transmises", "Factures payées", "Factures rejetées",
             "Montant transmis (€)"], ["145", "08/10/2026", "12", "10", "2", "512.85"]]
    assert grid_rows(grid) == ([], None, [])


def test_a_payment_word_alone_in_the_anomalies_column_is_a_payment():
    """GIVEN a table of anomalies where one row's anomaly cell says only "paye" WHEN read THEN that row is
    paid, with no motif, and the others stay rejects."""
    grid = [["LOT", "FACTURE", "MONTANT", "ANOMALIE"], ["512", "000640011", "29,40", "ordonnance perimee"],
            ["512", "000640015", "63,00", "paye"]]
    rows, _, _ = grid_rows(grid)
    assert [(r.invoice, r.status, r.motif) for r in rows] == [
        ("000640011", Status.REJECTED, "ordonnance perimee"), ("000640015", Status.PAID, None)]


def test_idem_takes_the_reject_of_the_row_above():
    """GIVEN a row whose motif and instruction cells say "idem" WHEN read THEN it takes the code, words
    and instruction of the row above."""
    grid = [["N° facture", "Motif", "Suite à donner"],
            ["000231470", "0450 072 Exonération non trouvée", "Refacturer sans exonération"],
            ["000231475", "idem", "idem"]]
    rows, _, _ = grid_rows(grid)
    assert [(r.invoice, r.reject_code, r.motif, r.action) for r in rows] == [
        ("000231470", "0450", "Exonération non trouvée", Action.REBILL),
        ("000231475", "0450", "Exonération non trouvée", Action.REBILL)]


def test_a_table_of_lots_refused_whole_with_their_reason_and_instruction():
    """GIVEN a table "Lot n° | Transmis le | Nb de factures | Montant total | Motif du rejet | Ce que vous
    devez faire" (a count of invoices, but a reason and an instruction per lot) WHEN read THEN each lot is
    a whole-lot row refused, to re-transmit; a summary of lots without reasons still gives nothing."""
    grid = [["Lot n°", "Transmis le", "Nb de factures", "Montant total", "Motif du rejet",
             "Ce que vous devez faire"],
            ["087", "13/10/2026", "4", "212,60 €", "Fichier illisible", "Retransmettre le lot"]]
    (row,), _, _ = grid_rows(grid)
    assert (row.lot, row.whole_lot, row.motif, row.action) == (
        "087", True, "Fichier illisible", Action.REBILL)
    summary = [["Lot", "Nb de factures", "Montant"], ["087", "4", "212,60 €"]]
    assert grid_rows(summary)[0] == []


def test_a_code_quoted_with_its_label():
    """GIVEN a motif cell "« 0460 053 – Établissement prescripteur inconnu au fichier national »" WHEN the
    code is looked for THEN the code and the label without its quotes."""
    assert code_in_motif("« 0460 053 – Établissement prescripteur inconnu au fichier national »") == (
        ("0460", "053"), "Établissement prescripteur inconnu au fichier national")


def test_a_lot_written_under_the_invoice_in_its_cell():
    """GIVEN an invoice cell "000 441 902\\nlot 071" under a "Facture / Lot" header and no lot column WHEN
    the row is made THEN it has its invoice and its lot."""
    row = row_from_cells({"invoice": "000 441 902\nlot 071", "motif": "Bénéficiaire inconnu"}, source="table")
    assert row is not None and (row.invoice, row.lot) == ("000441902", "071")


@pytest.mark.parametrize("amount_cell", ["", "2026", "Henri"])
def test_an_amount_drifted_into_the_motif_is_the_rows_amount(amount_cell):
    """GIVEN a hand-typed text table whose columns drifted: under "Montant" nothing, the year of a long
    care date or the end of a name, under "Motif" "51,20   Prescription non parvenue" WHEN the row is
    made THEN its amount is 51,20 and its motif the words alone."""
    row = row_from_cells({"invoice": "009412207", "amount": amount_cell,
                          "motif": "51,20   Prescription non parvenue"}, source="table")
    assert row is not None
    assert (row.amount, row.motif) == (Decimal("51.20"), "Prescription non parvenue")


def test_an_amount_in_its_column_keeps_a_motif_starting_with_a_number():
    """GIVEN an amount in its own column and a motif starting with an amount WHEN the row is made THEN
    the column's amount wins and the motif is kept as written."""
    row = row_from_cells({"invoice": "009412207", "amount": "18,60",
                          "motif": "12,50 € déjà remboursés"}, source="table")
    assert row is not None
    assert (row.amount, row.motif) == (Decimal("18.60"), "12,50 € déjà remboursés")
