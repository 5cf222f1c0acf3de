"""Tables cut by one space only, as a PDF's text layer gives them: cut by the types of their cells."""

from cpambot.understanding.rows.typed import typed_tables


def test_a_one_space_table_under_a_one_space_header():
    """GIVEN a letter's table whose cells are cut by one space, under "N° facture Lot Date des soins
    Montant Pièce demandée" WHEN read THEN each line gives its invoice, lot, date, amount and words, and
    the sentence after the table is not a row."""
    lines = ["je vous remercie de nous transmettre les documents suivants :",
             "N° facture Lot Date des soins Montant Pièce demandée",
             "260733044 733 12/10/2026 41,85 € Prescription médicale",
             "260734012 734 15/10/2026 203,40 € Bilan de soins infirmiers (BSI)",
             "Ces documents sont à adresser au plus tard le 23 novembre 2026."]
    (table,), used = typed_tables(lines)
    assert table.rows[1:] == [
        ["260733044", "733", "12/10/2026", "41,85 €", "Prescription médicale"],
        ["260734012", "734", "15/10/2026", "203,40 €", "Bilan de soins infirmiers (BSI)"]]
    assert used == {1, 2, 3}


def test_a_sentence_naming_columns_is_no_header():
    """GIVEN prose that names an invoice, a date and an amount with figures WHEN read THEN no table."""
    lines = ["La facture 260733044 du lot 733 (soins du 12/10/2026, montant 41,85 €) est rejetée.",
             "260733044 733 12/10/2026 41,85 € Prescription médicale"]
    assert typed_tables(lines) == ([], set())


def test_a_pre_table_with_a_rule_under_its_header_and_two_amount_columns():
    """GIVEN a payment notice's <pre> table "LOT FACTURE DATE SOINS FACTURÉ EUR RÉGLÉ AMO EUR" over a rule
    of dashes, its cells one space apart WHEN read THEN the billed and the paid amounts are told apart."""
    lines = ["LOT FACTURE DATE SOINS FACTURÉ EUR RÉGLÉ AMO EUR",
             "--- --------- ---------- ----------- -------------",
             "618 260618003 19/10/2026 31,50 18,90"]
    (table,), used = typed_tables(lines)
    assert table.rows == [["Lot", "Facture", "Date des soins", "Montant", "Montant réglé"],
                          ["618", "260618003", "19/10/2026", "31,50", "18,90"]]
    assert used == {0, 1, 2}


def test_a_platform_header_with_demande_and_paye_alone():
    """GIVEN a payment notice's PDF table "Facture Soins du Bénéficiaire Organisme Demandé Payé" (a
    column the reader has no name for, the organisme, in the middle) WHEN read THEN the claimed and the
    paid amounts come out, the names and organisme in the beneficiary's words."""
    lines = ["Facture Soins du Bénéficiaire Organisme Demandé Payé",
             "603300412 01/10/2026 TISSIER Marcel MUTUELLE DU LAC 18,48 18,48"]
    (table,), _ = typed_tables(lines)
    assert table.rows == [["Facture", "Date des soins", "Bénéficiaire", "Montant", "Montant réglé"],
                          ["603300412", "01/10/2026", "TISSIER Marcel MUTUELLE DU LAC", "18,48", "18,48"]]


def test_a_letter_column_and_a_motif_wrapped_onto_the_next_line():
    """GIVEN a PDF's one-space table "Lot Facture Soins du Montant Suite Motif" whose "Suite" holds a
    letter and whose first motif wraps onto a line of its own ("… à la date des" / "soins") WHEN cut
    THEN the letter is its own cell, the motif is whole and the next rows follow."""
    lines = ["Lot Facture Soins du Montant Suite Motif",
             "092 000208331 24/09/2026 31,50 R Bénéficiaire non connu au régime agricole à la date des",
             "soins",
             "092 000208337 25/09/2026 18,90 P Ordonnance non parvenue",
             "Codes suite : R = corriger la facture et la refacturer ; P = transmettre la pièce"]
    (table,), used = typed_tables(lines)
    assert table.rows[1] == ["092", "000208331", "24/09/2026", "31,50", "R",
                             "Bénéficiaire non connu au régime agricole à la date des soins"]
    assert table.rows[2][1] == "000208337" and used == {0, 1, 2, 3}


def test_a_status_column_whose_words_wrap_onto_the_next_line():
    """GIVEN a PDF relevé "N° facture Soins du Montant AMO Statut" whose last status wraps ("Rejetée - 0470
    049 Prescription interdite à" / "cette date : corrigez la date de prescription et retransmettez")
    WHEN cut THEN the status column is read and the wrapped words join it."""
    lines = ["N° facture Soins du Montant AMO Statut",
             "000 611 301 13/10/2026 36,40 € Payée",
             "000 611 305 15/10/2026 18,90 € Rejetée - 0470 049 Prescription interdite à",
             "cette date : corrigez la date de prescription et retransmettez la facture",
             "Total payé pour ce lot : 36,40 €"]
    (table,), used = typed_tables(lines)
    assert table.rows[0][-1] == "Statut" and table.rows[1][-1] == "Payée"
    assert table.rows[2][-1].endswith("à cette date : corrigez la date de prescription et retransmettez "
                                      "la facture")
    assert used == {0, 1, 2, 3}


def test_an_instruction_line_under_each_row_and_a_motif_wrapped_before_it():
    """GIVEN a PDF's one-space table whose rows each have, under them, the end of their motif then a line
    "Consigne : …" (itself wrapped) WHEN cut THEN both rows are read, each motif whole and each
    instruction in a column of its own."""
    lines = ["N° facture Soins du Bénéficiaire Montant Code et motif",
             "221047813 23/10/2026 DELATTRE S. 52,30 € 0250 050 Assuré absent de notre",
             "référentiel",
             " Consigne : vérifiez la caisse d'affiliation du patient puis refacturez auprès de",
             "la caisse compétente.",
             "221047820 24/10/2026 WAMBRE C. 34,65 € 0317 051 Incompatibilité nature",
             "d'assurance",
             " Consigne : avant toute nouvelle facturation, contactez le Pôle Flux PS",
             "Les autres factures du lot ont été mises en paiement."]
    (table,), used = typed_tables(lines)
    assert [row[-2:] for row in table.rows[1:]] == [
        ["Assuré absent de notre référentiel",
         "vérifiez la caisse d'affiliation du patient puis refacturez auprès de la caisse compétente."],
        ["Incompatibilité nature d'assurance",
         "avant toute nouvelle facturation, contactez le Pôle Flux PS"]]
    assert used == set(range(8))


def test_a_paid_part_column_named_in_the_feminine():
    """GIVEN a platform's PDF table "Facture Soins du Bénéficiaire Part complémentaire réglée" (the paid
    column named in the feminine, "réglée") WHEN read THEN the amount is a cell of its own, not words of
    the beneficiary's name."""
    lines = ["Facture Soins du Bénéficiaire Part complémentaire réglée",
             "261004810 07/10/2026 MOREL Théo 25,20 EUR",
             "261004826 08/10/2026 NATIVEL Rose 18,90 EUR",
             "Total réglé : 44,10 EUR"]
    (table,), _ = typed_tables(lines)
    assert [row[-2:] for row in table.rows[1:]] == [["MOREL Théo", "25,20 EUR"],
                                                    ["NATIVEL Rose", "18,90 EUR"]]
