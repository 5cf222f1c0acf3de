"""Grids from every layout: HTML tables (nested, spanned), div grids, CSV files, and text tables
(fixed-width, aligned, pipes, semicolons, one cell per line)."""

import pytest

from cpambot.understanding.rows.grids import csv_grid, text_grids


@pytest.mark.parametrize("text,expected", [
    ("Facture;Montant;Motif\n123456789;63,00;Prescription, absente\n987654321;12,50;Doublon\n",
     [["Facture", "Montant", "Motif"], ["123456789", "63,00", "Prescription, absente"],
      ["987654321", "12,50", "Doublon"]]),
    ('Facture,Montant,Motif\n123456789,"63,00",Doublon\n987654321,"12,50","Droits, fermés"\n',
     [["Facture", "Montant", "Motif"], ["123456789", "63,00", "Doublon"],
      ["987654321", "12,50", "Droits, fermés"]]),
    ("Facture\tMontant\tMotif\n123456789\t63,00\tDoublon\n\n987654321\t12,50\tX\n",
     [["Facture", "Montant", "Motif"], ["123456789", "63,00", "Doublon"], ["987654321", "12,50", "X"]]),
    ("Facture|Montant|Motif\n123456789|63,00|Doublon\n",
     [["Facture", "Montant", "Motif"], ["123456789", "63,00", "Doublon"]]),
    (" Facture ; Montant ; Motif \n 123456789 ; 63,00 ; Doublon \n",
     [["Facture", "Montant", "Motif"], ["123456789", "63,00", "Doublon"]]),
])
def test_csv_separator_is_sniffed(text, expected):
    """GIVEN a CSV file cut by semicolons (commas inside cells), commas (quoted decimal commas), tabs or
    pipes WHEN read THEN the right separator is found, quotes honoured, cells stripped, blank lines
    left out."""
    assert csv_grid(text) == expected


def test_an_empty_csv_gives_no_rows():
    """GIVEN an empty or blank file WHEN read THEN no rows."""
    assert csv_grid("") == [] and csv_grid("\n  \n") == []


def test_a_fixed_width_table_whose_names_are_one_space_apart():
    """GIVEN a fixed-width table whose header names are one space apart ("LOT FACTURE") and figures
    right-aligned WHEN read THEN cut at the header's columns, the text above kept as caption."""
    text = ("Bonjour,\nLot 214 du 02/10/2026\n\n"
            "LOT FACTURE   DATE SOINS MONTANT CODE\n"
            "214 123456789 12/09/2026   63,00 0250\n"
            "214 987654321 13/09/2026  112,50 2900\n\nCordialement")
    [table] = text_grids(text)
    assert table.rows == [["LOT", "FACTURE", "DATE SOINS", "MONTANT", "CODE"],
                          ["214", "123456789", "12/09/2026", "63,00", "0250"],
                          ["214", "987654321", "13/09/2026", "112,50", "2900"]]
    assert "Lot 214 du 02/10/2026" in table.caption


def test_a_fixed_width_table_with_a_rule_under_its_header():
    """GIVEN a fixed-width table with a dashed rule under the header and spaced invoice numbers WHEN
    read THEN the rule is no row and each value stays in its column."""
    text = ("N° facture   Date soins   Montant    Motif\n"
            "-----------  ----------   -------    -----\n"
            "123 456 789  12/09/2026      63,00 €    Prescription absente\n"
            "987654321    13/09/2026      12,50 €    Doublon\n")
    [table] = text_grids(text)
    assert table.rows == [["N° facture", "Date soins", "Montant", "Motif"],
                          ["123 456 789", "12/09/2026", "63,00 €", "Prescription absente"],
                          ["987654321", "13/09/2026", "12,50 €", "Doublon"]]


def test_a_pipe_table_with_a_markdown_rule():
    """GIVEN a table cut by pipes, with edge pipes and a "|---|" rule WHEN read THEN the cells without
    pipes, and the rule is no row."""
    text = ("| Facture | Montant | Motif |\n|---|---|---|\n"
            "| 123456789 | 63,00 € | Doublon |\n| 987654321 | 12,50 € | Droits fermés |\n")
    [table] = text_grids(text)
    assert table.rows == [["Facture", "Montant", "Motif"], ["123456789", "63,00 €", "Doublon"],
                          ["987654321", "12,50 €", "Droits fermés"]]


def test_pipe_rows_one_blank_line_apart_stay_one_table():
    """GIVEN a flattened HTML table, its rows one blank line apart WHEN read THEN one table."""
    text = ("Facture | Montant | Motif\n\n123456789 | 63,00 € | Doublon\n\n"
            "987654321 | 12,50 € | Droits fermés\n")
    [table] = text_grids(text)
    assert [row[0] for row in table.rows] == ["Facture", "123456789", "987654321"]


def test_a_semicolon_table_in_the_body():
    """GIVEN rows cut by semicolons in the body WHEN read THEN one table of three columns."""
    [table] = text_grids("Facture;Montant;Motif\n123456789;63,00 €;Doublon\n987654321;12,50 €;X\n")
    assert table.rows[2] == ["987654321", "12,50 €", "X"]


def test_columns_aligned_with_spaces_without_known_names():
    """GIVEN columns two spaces or more apart, no header WHEN read THEN one cell per column; a single
    space stays inside a cell."""
    text = ("123456789   12/09/2026   63,00 €   Prescription absente\n"
            "987654321   13/09/2026   12,50 €   Doublon\n")
    [table] = text_grids(text)
    assert table.rows == [["123456789", "12/09/2026", "63,00 €", "Prescription absente"],
                          ["987654321", "13/09/2026", "12,50 €", "Doublon"]]


def test_a_wrapped_motif_line_stays_a_row_of_the_grid():
    """GIVEN an aligned table whose motif wraps onto the next line WHEN read THEN the continuation is a
    row whose only filled cell is in the motif column (the row reader folds it in)."""
    text = ("Facture    Motif                    Montant\n"
            "123456789  Prescription absente,    63,00 €\n"
            "           à renvoyer\n"
            "987654321  Doublon                  12,50 €\n")
    [table] = text_grids(text)
    assert table.rows[2] == ["", "à renvoyer", ""]


def test_a_table_written_one_cell_per_line():
    """GIVEN a mail client's plain version of an HTML table: the header names one per line, then one
    block per row, blank lines between WHEN read THEN one table, the text above as caption."""
    text = ("Voici le détail :\n\nN° facture\nDate de soins\nMontant\n\n"
            "123456789\n12/09/2026\n63,00 €\n\n987654321\n13/09/2026\n12,50 €\n\nCordialement,\nLa CPAM")
    [table] = text_grids(text)
    assert table.rows == [["N° facture", "Date de soins", "Montant"], ["123456789", "12/09/2026", "63,00 €"],
                          ["987654321", "13/09/2026", "12,50 €"]]
    assert "Voici le détail" in table.caption


def test_a_stacked_table_ends_at_a_block_of_another_size():
    """GIVEN a one-cell-per-line table followed by a four-line signature WHEN read THEN the table stops
    before the signature."""
    text = ("N° facture\nMontant\nMotif\n\n123456789\n63,00 €\nDoublon\n\n"
            "Cordialement,\nLa CPAM\n12 rue Exemple\n33000 Bordeaux\n")
    [table] = text_grids(text)
    assert len(table.rows) == 2 and table.rows[1] == ["123456789", "63,00 €", "Doublon"]


def test_a_stacked_block_without_an_invoice_column_is_no_table():
    """GIVEN three header-like lines without an invoice column, then blocks of three lines WHEN read
    THEN no table: every table the reader keeps names invoices."""
    text = "Lot\nMontant\nMotif\n\n214\n63,00 €\nDoublon\n\n215\n12,50 €\nDoublon\n"
    assert text_grids(text) == []


def test_prose_gives_no_text_table():
    """GIVEN sentences WHEN text tables are looked for THEN none."""
    assert text_grids("Madame,\nVotre facture 123456789 est rejetée.\nCordialement.\n") == []


def test_tab_separated_rows_keep_their_empty_leading_cells():
    """GIVEN a tab-separated table whose header continues on a second row with empty leading cells
    WHEN cut THEN every row has its cells in their columns (not taken for a fixed-width table)."""
    text = ("Lot\tFacture\tDate\tMontant\n\t\tdes soins\tfacturé\n"
            "093\t673220415\t15/10/2026\tEUR 58,20\n093\t673220419\t16/10/2026\tEUR 12,60\n")
    [table] = text_grids(text)
    assert table.rows[1] == ["", "", "des soins", "facturé"]
    assert table.rows[2] == ["093", "673220415", "15/10/2026", "EUR 58,20"]


def test_a_pipe_table_is_never_read_one_cell_per_line():
    """GIVEN a pipe table followed by footnotes without blank lines WHEN cut THEN one pipe table of 4
    rows (its lines are rows, not header names written one per line)."""
    text = ("Facture | Montant | Statut\n123456789 | 63,00 € | REJETEE (1)\n987654321 | 12,50 € | PAYEE\n"
            "111222333 | 9,45 € | REJETEE (2)\n\n(1) Prescription absente\n   Nous adresser l'ordonnance\n"
            "(2) Doublon\n   Rien à faire\n")
    tables = text_grids(text)
    assert [len(t.rows) for t in tables] == [4]


def test_one_cell_per_line_with_a_whole_lot_row_and_empty_cells():
    """GIVEN a grid of <div> written one cell per paragraph, its first row a whole lot ("Lot complet (6
    factures)", dashes in the date and code cells) and a later cell holding a column's word
    ("nature d'assurance") WHEN cut THEN every row is kept in its columns."""
    text = "\n\n".join(["Lot", "Facture", "Soins du", "Montant", "Code", "Motif",
                        "313", "Lot complet (6 factures)", "–", "284,70 €", "–", "Fichier non conforme",
                        "314", "260314002", "07/10/2026", "31,50 €", "0317 051",
                        "Incompatibilité nature d'assurance"])
    (table,) = text_grids(text)
    assert [row[:2] for row in table.rows] == [["Lot", "Facture"], ["313", "Lot complet (6 factures)"],
                                               ["314", "260314002"]]


def test_a_tab_table_whose_last_cell_the_client_wrapped():
    """GIVEN a tab table flattened by a mail client, the long last cell of a row wrapped onto a line of
    its own (starting in lowercase, or followed by the next row), and a total row WHEN read THEN the
    wrapped words join the cell they continue, and the line after the total row is not joined."""
    text = ("N° facture\tMontant\tMotif / consigne\n"
            "072118904\t63,00 €\tRejet 0460 053 – établissement prescripteur inconnu\n"
            "au fichier national – Indiquer le n° FINESS et refacturer\n"
            "072118935\t12,50 €\tAssuré absent\n"
            "Signalé aussi à votre caisse\n"
            "072118936\t9,00 €\tDoublon\n"
            "Total\t84,50 €\t\n"
            "Cordialement,\n")
    (table,) = text_grids(text)
    assert table.rows[1][2] == ("Rejet 0460 053 – établissement prescripteur inconnu au fichier national"
                                " – Indiquer le n° FINESS et refacturer")
    assert table.rows[2][2] == "Assuré absent Signalé aussi à votre caisse"
    assert table.rows[-1][0] == "Total" and all("Cordialement" not in cell for row in table.rows
                                                 for cell in row)
