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
