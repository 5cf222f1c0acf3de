"""The HTML reader of the row reader: tables in any column order, nested, with colspan or a caption,
and grids of <div> elements."""

import pytest

from cpambot.understanding.rows.html import html_grids


def test_an_html_table_keeps_its_columns_in_their_order_and_the_text_above_it():
    """GIVEN a table whose amount column comes before the invoice, under a heading WHEN read THEN the
    cells in the table's own order, entities decoded, spaces collapsed, and the heading as the caption."""
    html = ("<p>Lot 214</p><table><tr><th>Montant</th><th>N&deg; facture</th></tr>"
            "<tr><td>63,00&nbsp;&euro;</td><td>123 456 789</td></tr></table>")
    [table] = html_grids(html)
    assert table.rows == [["Montant", "N° facture"], ["63,00 €", "123 456 789"]]
    assert table.caption.strip() == "Lot 214"


def test_a_nested_table_comes_first_with_its_own_heading():
    """GIVEN a data table inside a layout table's cell, under a heading WHEN read THEN the inner table
    first, with the heading as caption, and a line break inside a cell kept as a newline."""
    html = ("<table><tr><td><p>Détail du lot 214</p><table><tr><th>Facture</th><th>Motif</th></tr>"
            "<tr><td>123456789</td><td>Prescription<br>absente</td></tr></table></td></tr></table>")
    tables = html_grids(html)
    assert tables[0].rows == [["Facture", "Motif"], ["123456789", "Prescription\nabsente"]]
    assert tables[0].caption.strip() == "Détail du lot 214"
    assert tables[1].rows == [["Détail du lot 214"]]


def test_a_spanned_cell_keeps_the_next_cells_under_their_headers():
    """GIVEN a body cell spanning two columns WHEN read THEN an empty cell stands for the second, so the
    amount stays under "Montant"."""
    html = ("<table><tr><th>Facture</th><th>Motif</th><th>Consigne</th><th>Montant</th></tr>"
            "<tr><td>123456789</td><td colspan='2'>Prescription absente</td><td>63,00 €</td></tr></table>")
    [table] = html_grids(html)
    assert table.rows[1] == ["123456789", "Prescription absente", "", "63,00 €"]


def test_a_bad_colspan_counts_as_one_column():
    """GIVEN a colspan that is not a number WHEN read THEN the cell spans one column."""
    html = "<table><tr><td colspan='x'>123456789</td><td>63,00</td></tr></table>"
    assert html_grids(html)[0].rows == [["123456789", "63,00"]]


def test_empty_rows_styles_and_scripts_are_left_out():
    """GIVEN a style sheet, a script and an empty row around a table WHEN read THEN only the filled row,
    and neither CSS nor script in the caption."""
    html = ("<style>td{color:red}</style><script>var a = 1;</script>"
            "<table><tr><td>a</td><td>b</td></tr><tr><td></td><td> </td></tr></table>")
    [table] = html_grids(html)
    assert table.rows == [["a", "b"]]
    assert "color" not in table.caption and "var" not in table.caption


@pytest.mark.parametrize("row_attr", ["class='row'", "class='ligne facture'", "style='display:flex'",
                                      "style='display: table-row'"])
def test_div_rows_make_a_grid(row_attr):
    """GIVEN invoice rows laid out with divs (a row class or a row display) WHEN read THEN one grid,
    one row per div, one cell per child."""
    html = (f"<div {row_attr}><div>Facture</div><span>Montant</span></div>"
            f"<div {row_attr}><div>123456789</div><span>63,00 €</span></div>")
    [table] = html_grids(html)
    assert table.rows == [["Facture", "Montant"], ["123456789", "63,00 €"]]


def test_a_single_div_row_is_not_a_grid():
    """GIVEN one row-like div alone WHEN read THEN no grid: a grid has two rows at least."""
    assert html_grids("<div class='row'><div>Facture</div><div>123456789</div></div>") == []


def test_html_without_a_table_gives_nothing():
    """GIVEN HTML paragraphs only WHEN read THEN no grid."""
    assert html_grids("<p>Madame, la facture 123456789 est rejetée.</p>") == []


def test_a_caption_element_heads_its_table():
    """GIVEN a table whose heading is a <caption> WHEN read THEN the caption carries its words."""
    html = ("<table><caption>FACTURES REGLEES - Lot 214</caption><tr><td>N° facture</td><td>Montant</td></tr>"
            "<tr><td>123456789</td><td>63,00 €</td></tr></table>")
    [table] = html_grids(html)
    assert "FACTURES REGLEES - Lot 214" in table.caption


def test_a_cell_spanning_rows_is_repeated_in_each():
    """GIVEN a table whose lot cell spans the three rows of its invoices (rowspan) WHEN cut THEN each row
    carries the lot in its first column and its own cells after it."""
    html = ("<table><tr><th>Lot</th><th>Facture</th><th>Montant</th></tr>"
            "<tr><td rowspan='2'>392</td><td>260392004</td><td>31,50</td></tr>"
            "<tr><td>260392007</td><td>25,20</td></tr>"
            "<tr><td>393</td><td>260393001</td><td>52,05</td></tr></table>")
    (table,) = html_grids(html)
    assert table.rows[1:] == [["392", "260392004", "31,50"], ["392", "260392007", "25,20"],
                              ["393", "260393001", "52,05"]]


def test_a_status_told_by_an_icon_is_read_from_its_alt_text():
    """GIVEN a table whose "État" cell holds only an icon, <img alt="Payée">, and a logo's image outside any
    table WHEN read THEN the cell says "Payée"; the logo adds nothing."""
    html = ('<img src="logo.png" alt="l\'Assurance Maladie - CPAM du Bas-Rhin"><table><tr><td>Facture</td>'
            '<td>État</td></tr><tr><td>673 902 114</td><td><img src="ok.png" alt="Payée"></td></tr></table>')
    (table,) = html_grids(html)
    assert table.rows == [["Facture", "État"], ["673 902 114", "Payée"]]
