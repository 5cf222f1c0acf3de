"""The body's text written the one way the reader's patterns expect: canonical punctuation, flowed and
hard-wrapped plain text joined again."""

from __future__ import annotations

import pytest

from cpambot.understanding.reflow import canonical, unflow, unwrap


@pytest.mark.parametrize("written,canon", [
    ("Lot 087 (télétransmis le 02.10.26) : rejeté", "Lot 087 (télétransmis le 02/10/26) : rejeté"),
    ("soins du 14.10.2026.", "soins du 14/10/2026."), ("l’ordonnance", "l'ordonnance"),
    ("1.234,56 €", "1.234,56 €"), ("version 3.2.10.4", "version 3.2.10.4"), ("32.12.26", "32.12.26"),
    ("réf. 12.05.2026.3", "réf. 12.05.2026.3"),
    ("La part complémentaire (9.45 EUR) a été payée", "La part complémentaire (9,45 EUR) a été payée"),
    ("EUR 63.00 – prescription absente", "EUR 63,00 – prescription absente"),
    ("1,234.56 EUR", "1,234.56 EUR"),
])
def test_dotted_dates_and_typographic_apostrophes_are_written_as_the_patterns_expect(written, canon):
    """GIVEN a body with a date written with dots, an amount with a decimal point or a word processor's
    apostrophe WHEN made canonical THEN the date has slashes and the amount a comma (their dots no longer
    end a sentence) and the apostrophe is plain; thousands, versions and impossible dates stay as written."""
    assert canonical(written) == canon


def test_a_flowed_part_has_its_soft_breaks_joined():
    """GIVEN a format=flowed text whose sentence is cut by soft breaks (a space before the line end), a
    quoted line cut the same way, a line of another quote depth and a signature separator WHEN unflowed
    THEN the sentence is one line, the quoted sentence one quoted line (RFC 3676: lines of the same depth
    join), the deeper quote and the signature keep their breaks."""
    text = ("La facture 000507813 est rejet\u00e9e : \nprescription \nillisible.\n"
            "> vos lots n\u00b0 \n> 322 et 323 \n>> plus ancien\n-- \nMarie")
    assert unflow(text) == ("La facture 000507813 est rejet\u00e9e : prescription illisible.\n"
                            "> vos lots n\u00b0 322 et 323 \n>> plus ancien\n-- \nMarie")


def test_a_flowed_part_with_delsp_loses_the_space_of_its_soft_breaks():
    """GIVEN a format=flowed; delsp=yes text (the space before a soft break is not part of the text)
    WHEN unflowed THEN the words cut across the break are glued back."""
    assert unflow("retélé \ntransmettez\n", delsp=True) == "retélétransmettez\n"


_WRAPPED = """Madame,

Apr\u00e8s examen du lot 087 t\u00e9l\u00e9transmis le 02/10/2026, nous vous informons que
les factures suivantes ont \u00e9t\u00e9 rejet\u00e9es par nos services pour le motif
indiqu\u00e9 ci-dessous, et nous vous invitons \u00e0 les corriger puis \u00e0 les
ret\u00e9l\u00e9transmettre dans les meilleurs d\u00e9lais apr\u00e8s correction des anomalies.
1. Facture 000507813 du 14/10/2026 d'un montant de 40,95 \u20ac pour le motif :
- prescription illisible
2. Facture 000507820 du 15/10/2026 d'un montant de 22,05 \u20ac
- ordonnance absente
N\u00b0 facture   Date        Montant
000507813     14/10/2026  40,95
Cordialement."""


def test_a_hard_wrapped_body_has_its_sentences_joined_and_its_lists_and_tables_kept():
    """GIVEN a plain body hard-wrapped at 78 columns, with numbered items, a dash continuing a filled line,
    a dash starting a list's next item and an aligned table WHEN unwrapped THEN each sentence is one
    line, the filled line's dash continues it, the numbered items, the table and the short lines stay."""
    lines = unwrap(_WRAPPED).split("\n")
    assert lines[2].startswith("Apr\u00e8s examen") and lines[2].endswith("anomalies.")
    assert lines[3] == "1. Facture 000507813 du 14/10/2026 d'un montant de 40,95 \u20ac pour le motif : " \
                       "- prescription illisible"
    assert lines[4:] == ["2. Facture 000507820 du 15/10/2026 d'un montant de 22,05 \u20ac",
                         "- ordonnance absente", "N\u00b0 facture   Date        Montant",
                         "000507813     14/10/2026  40,95", "Cordialement."]


@pytest.mark.parametrize("text", [
    "Bonjour,\nLa facture 000507813 est rejet\u00e9e.\nMotif : prescription illisible.\nCordialement.",
    "a;b;c;d;e\n" * 6,
    ("Ligne de texte courante qui remplit presque toute la largeur de la colonne ici.\n" * 3
     + "Une ligne bien plus longue que toutes les autres, au-del\u00e0 de quatre-vingts colonnes, "
       "sans retour.\n"),
])
def test_a_body_that_was_not_hard_wrapped_is_left_as_written(text):
    """GIVEN a body of short lines, a body of semicolon records, or a body with a line longer than any
    client wraps at WHEN unwrapped THEN it is returned unchanged."""
    assert unwrap(text) == text


def test_an_item_whose_amount_had_no_room_is_joined_and_the_next_item_is_not():
    """GIVEN a hard-wrapped dash list whose first item filled its line and left its amount for the next
    ('- 96,60 EUR : …'), followed by the list's next item WHEN unwrapped THEN the amount joins its item
    and the next item stays a line of its own."""
    text = ("Plusieurs factures sont en anomalie, merci de les corriger puis de les\n"
            "refacturer dans les meilleurs delais :\n"
            "- fact. 000318204 - Mme X. - soins du 01/09 au 07/09/2026 a son domicile\n"
            "- 96,60 EUR : cotation AIS 3 + AMI 1 le meme jour non cumulable, merci\n"
            "de corriger et refacturer\n"
            "- fact. 000318209 - M. Y. - 02/09/2026 - 18,90 EUR : rejet 2900 005,\n"
            "facture deja payee (doublon), inutile de refacturer\n")
    assert unwrap(text).split("\n")[1:] == [
        "- fact. 000318204 - Mme X. - soins du 01/09 au 07/09/2026 a son domicile - 96,60 EUR : "
        "cotation AIS 3 + AMI 1 le meme jour non cumulable, merci de corriger et refacturer",
        "- fact. 000318209 - M. Y. - 02/09/2026 - 18,90 EUR : rejet 2900 005, facture deja payee (doublon), "
        "inutile de refacturer", ""]


def test_lines_each_naming_an_invoice_are_never_joined():
    """GIVEN a hard-wrapped message whose list gives one invoice a line, each line filled close to the width
    WHEN unwrapped THEN the list's lines stay apart (two rows), while the wrapped sentence is joined."""
    text = ("Le virement de ce jour regroupe les factures de vos patients pour la periode\n"
            "indiquee ci-dessous, avec le detail de chaque part complementaire payee par\n"
            "notre plateforme pour le compte de l'organisme complementaire du patient.\n\n"
            "Facture 000690112 - soins du 06/10/2026 - part complementaire : EUR 18,90\n"
            "Facture 000690127 - soins du 09/10/2026 - part complementaire : EUR 28,45\n")
    out = unwrap(text)
    assert "periode indiquee" in out
    assert "EUR 18,90\nFacture 000690127" in out


def test_the_entries_of_a_code_legend_are_never_joined():
    """GIVEN a hard-wrapped message whose "Consignes :" give one reject code a line, the first filled close
    to the width ("  0470 : corrigez … la facture." / "  2900 : ne renvoyez pas …") WHEN unwrapped THEN the
    entries stay apart, while the wrapped sentence is joined."""
    text = ("Vos lots ont été traités par nos services. Les factures suivantes\n"
            "appellent une intervention de votre part, merci de votre attention\n"
            "pour les factures du tableau ci-dessous de ce mois-ci, avec le code.\n\n"
            "Consignes :\n"
            "  0470 : corrigez la date de prescription et retransmettez la facture.\n"
            "  2900 : ne renvoyez pas la facture, elle a déjà été réglée.\n")
    out = unwrap(text)
    assert "suivantes appellent" in out
    assert "la facture.\n  2900 : ne renvoyez" in out
