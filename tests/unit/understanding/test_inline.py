"""Answers an agent writes under each of the professional's quoted questions."""

from __future__ import annotations

from cpambot.understanding.inline import inline_answers

OUTLOOK = """-----Message d'origine-----
De : Marie Exemple <marie.exemple@example.org>
Objet : Réclamation paiements - factures non réglées lot 118

> Bonjour,
>
> Infirmière libérale (n° AM 974123456), trois factures du lot 118 ne m'ont pas été payées :
>
> 1) facture 000118204 - Mme V. - soins du 10/09/2026 -
> facturé 52,80 €

==> Réglée le 29/09/2026 : 31,68 € (part obligatoire, 60 %).

> 2) facture 000118205 - M. C. - facturé 31,50 €

==> Réglée elle aussi le 29/09/2026, 31,50 €.

> Merci d'avance,
"""


def test_each_answer_follows_the_invoice_of_the_question_above_it():
    """GIVEN an agent's answers "==> …" under each of her quoted numbered questions (her AM number in the
    quoted introduction) WHEN read THEN each answer is told after the invoice of the question right above
    it, with the lot her message names, and the amount she billed is not in it."""
    said = inline_answers(OUTLOOK)
    assert said.split("\n\n") == [
        "Facture 000118204 (lot 118) : Réglée le 29/09/2026 : 31,68 € (part obligatoire, 60 %).",
        "Facture 000118205 (lot 118) : Réglée elle aussi le 29/09/2026, 31,50 €."]
    assert "52,80" not in said


def test_the_same_amount_as_the_answer_above():
    """GIVEN "Idem, réglée aussi le 24/10, même montant." under the second question WHEN read THEN it
    carries the amount of the answer above it (never the question's)."""
    text = ("> - 000 219 430, Mme H., 05/09/2026, 12,60 €\n\nRéglée le 24/10/2026, 12,60 €.\n\n"
            "> - 000 219 436, Mme H., 06/09/2026, 99,99 €\n\nIdem, réglée aussi le 24/10, même montant.\n")
    assert inline_answers(text).split("\n\n")[1] == (
        "Facture 000219436 : Idem, réglée aussi le 24/10, même montant. (12,60 €)")


def test_an_answer_above_the_quote_is_no_inline_answer():
    """GIVEN a quote with no words of the agent between its lines, or a single line after it WHEN read
    THEN nothing (the answer is above the quote)."""
    assert inline_answers("> facture 000118204\n> facture 000118205\n") == ""
    assert inline_answers("> facture 000118204\n\nCordialement\n") == ""


def test_each_question_keeps_its_own_lot_and_the_arrows_of_every_line_go():
    """GIVEN two quoted questions each naming its own lot ("facture 000 231 877, lot 061", "…, lot 063") and
    answers of two lines each starting with "==>", one naming another lot the payment went with WHEN read
    THEN each answer is told with its question's lot, and no arrow is left inside an answer."""
    quoted = ("----- Mail original -----\nDe: \"Marie Exemple\" <marie.exemple@example.org>\n\n"
              "> - facture 000 231 877, lot 061, soins du 01/09 au 15/09/2026, montant 65,00 €\n\n"
              "==> Facture payée le 07/10/2026, montant réglé 65,00 €. Le virement a été\n"
              "==> effectué en même temps que celui des factures de votre lot 062.\n\n"
              "> - facture 000 231 902, lot 063, soins du 16/09 au 30/09/2026, montant 71,50 €\n\n"
              "==> Rejet du 29/09/2026, code 0250 050.\n==> Merci de refacturer ces soins.\n")
    first, second = inline_answers(quoted).split("\n\n")
    assert first.startswith("Facture 000231877 (lot 061) : Facture payée le 07/10/2026")
    assert second.startswith("Facture 000231902 (lot 063) : Rejet du 29/09/2026")
    assert "==>" not in first + second
