"""Text tables a mail client re-wrapped, joined again (read through text_grids, as the reader does)."""

from cpambot.understanding.rows.grids import text_grids


def test_a_pipe_table_re_wrapped_at_72_columns_is_joined_again():
    """GIVEN a pipe table whose every row a mail client cut after a "|" (the rest on the next line),
    under a "----+----" rule, and a last row whose instruction cell is empty WHEN read THEN each row is
    whole again, its cells in their columns."""
    text = ("N° facture  | Bénéficiaire | Date soins | Montant    | Code rejet |\n"
            "Libellé du rejet                    | Action\n"
            "------------+--------------+------------+------------+------------+---------+-------\n"
            "072 118 904 | L. Guéguen   | 10/11/2026 | 1 212,00 € | 0470 049   |\n"
            "Prescription interdite à cette date | Corriger et retransmettre\n"
            "072 118 935 | A. Morvan    | 13/11/2026 | 31,35 €    |            |\n"
            "Réglée le 20/11/2026                |\n")
    (table,) = text_grids(text)
    assert table.rows[0][-2:] == ["Libellé du rejet", "Action"]
    assert table.rows[1] == ["072 118 904", "L. Guéguen", "10/11/2026", "1 212,00 €", "0470 049",
                             "Prescription interdite à cette date", "Corriger et retransmettre"]
    assert table.rows[2][:6] == ["072 118 935", "A. Morvan", "13/11/2026", "31,35 €", "",
                                 "Réglée le 20/11/2026"]


def test_whole_pipe_rows_ending_with_empty_cells_are_not_joined():
    """GIVEN a spreadsheet written as pipe rows, each ending with empty cells ("|  |  | ") WHEN read
    THEN every row stays its own."""
    text = ("Statut | Montant | N° facture | Lot | Motif | Code\n"
            "Mis en paiement | 54.6 | 261300118 | 207 |  | \n"
            "Mis en paiement | 38.85 | 261300125 | 207 |  | \n"
            "Rejet | 27.3 | 261300131 | 207 | Assuré absent | 0250 050\n")
    (table,) = text_grids(text)
    assert [row[2] for row in table.rows] == ["N° facture", "261300118", "261300125", "261300131"]


_REWRAPPED = ("LOT  FACTURE      DATE SOINS  MONTANT EUR  CODE REJET  LIBELLE\n"
              "CONSIGNE\n"
              "502  008 140 336  27/10/2026  28,40        0450 072    EXONERATION NON\n"
              "TROUVEE A LA DATE DES SOINS  VERIFIER LES DROITS ET REFACTURER\n"
              "502  008 140 352  28/10/2026  94,10        2900 005    FACTURE DEJA\n"
              "PAYEE                           NE PAS REFACTURER - AUCUNE ACTION\n"
              "\nDate de traitement : 10/11/2026\n")


def test_a_fixed_width_table_re_wrapped_by_a_phone_is_joined_again():
    """GIVEN a fixed-width table a phone client re-wrapped at 72 columns: the header's last name alone
    on the next line, each row's motif cut and continued with the consigne on the next line WHEN read
    THEN each row is whole again, the motif whole and the consigne in a column of its own."""
    (table,) = text_grids(_REWRAPPED)
    assert table.rows[0][-2:] == ["LIBELLE", "CONSIGNE"]
    assert table.rows[1] == ["502", "008 140 336", "27/10/2026", "28,40", "0450 072",
                             "EXONERATION NON TROUVEE A LA DATE DES SOINS",
                             "VERIFIER LES DROITS ET REFACTURER"]
    assert table.rows[2][-2:] == ["FACTURE DEJA PAYEE", "NE PAS REFACTURER - AUCUNE ACTION"]


def test_lines_under_a_fixed_width_table_that_do_not_line_up_are_not_joined():
    """GIVEN the same table whose second line under each row starts its last cell at another place (not
    the end of a cut row: words of another kind) WHEN read THEN no header name is invented from them."""
    text = _REWRAPPED.replace("PAYEE                           NE PAS", "PAYEE  NE PAS")
    assert not any(row[-2:] == ["LIBELLE", "CONSIGNE"] for t in text_grids(text) for row in t.rows)
