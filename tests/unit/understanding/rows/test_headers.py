"""Where the columns of a fixed-width text table start, from its header line."""

import pytest

from cpambot.understanding.rows.headers import header_columns


def test_header_columns_start_where_the_names_start():
    """GIVEN a header whose two-word names are one space apart WHEN its columns are found THEN one
    start per column ("DATE SOINS" is one column)."""
    assert header_columns("LOT FACTURE   DATE SOINS MONTANT CODE") == [0, 4, 14, 25, 33]


@pytest.mark.parametrize("line", [
    "Merci de vérifier la date de la facture et le montant.",  # a sentence
    "Lot Montant Date",  # no invoice column
    "Facture 2026 Montant Date",  # a year: a row, not a header
])
def test_lines_that_are_not_fixed_width_headers(line):
    """GIVEN a sentence, a header without an invoice column, or a line with a year WHEN its columns
    are asked THEN None."""
    assert header_columns(line) is None


def test_a_fixed_width_header_keeps_a_three_word_name_whole():
    """GIVEN a fixed-width header "Date de soins" between other names WHEN its columns are found
    THEN "Date de soins" is one column, as "MOTIF DU REJET" is."""
    assert header_columns("N° facture   Date de soins   Montant    Motif") == [0, 13, 29, 40]
    assert header_columns("N° FACTURE  DATE SOINS  MONTANT  MOTIF DU REJET  CONSIGNE") == [0, 12, 24, 33, 49]
