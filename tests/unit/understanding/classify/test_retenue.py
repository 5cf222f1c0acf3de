"""Avis de retenue: a debt deducted from a payment, told by a person's letter."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.message import parse_message


def _mail(body: str, subject: str = "Avis de retenue sur paiement du 16/10/2026") -> bytes:
    return (f"From: Agence comptable <agence.comptable@assurance-maladie.fr>\nTo: marie.exemple@example.org\n"
            f"Subject: {subject}\nDate: Mon, 19 Oct 2026 09:00:00 +0200\nMessage-ID: <r1@example.org>\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()


def test_an_avis_de_retenue_with_its_table():
    """GIVEN "Nous vous informons qu'une retenue a été opérée sur le règlement … adressé le 16/10/2026 …
    notifiée le 03/07/2026" and a table "Créance n° | Nature | Montant de la créance | Montant retenu |
    Reste dû" WHEN read THEN one retenue of 96,40 € on the debt 28-IND-2026-00377, notified on 03/07/2026,
    balance 0, no review."""
    body = ("Madame,\n\nNous vous informons qu'une retenue a été opérée sur le règlement qui vous a été "
            "adressé le\n16/10/2026, en remboursement de la créance détaillée ci-dessous, qui vous a été "
            "notifiée le 03/07/2026.\n\n"
            "Créance n° | Nature | Montant de la créance | Montant retenu | Reste dû\n\n"
            "28-IND-2026-00377 | Indu prestations PS | 96,40 € | 96,40 € | 0,00 €\n\nAgence comptable\n")
    reading = classify_human(parse_message(_mail(body)), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.kind, fact.amount, fact.reference) == (
        "avis_retenue", "retenue", Decimal("96.40"), "28-IND-2026-00377")
    assert fact.details["notified"] == "2026-07-03" and fact.details["balance"] == "0.00"
    assert fact.date == date(2026, 10, 16) and reading.needs_review is None


def test_an_avis_de_retenue_in_labels_and_a_column_without_currency():
    """GIVEN a "Retenue" column of amounts without a currency sign and "Nature de la créance : indu sur
    prestations" WHEN read THEN the amount of that column and the debt's nature."""
    body = ("AVIS DE RETENUE SUR PAIEMENT\n\nNous vous informons qu'une retenue a été opérée sur votre "
            "dernier règlement :\n\nDate du virement | Montant brut | Retenue | Net versé\n"
            "-----------------+--------------+---------+----------\n"
            "27/10/2026       | 1 384,22     | 215,40  | 1 168,82\n\n"
            "Créance concernée : indu n° 24-IND-2026-1187, notifié le 03/08/2026.\n"
            "Nature de la créance : indu sur prestations\n")
    (fact,) = classify_human(parse_message(_mail(body, "Avis de retenue")), "caisse").facts
    assert (fact.amount, fact.reference, fact.label) == (Decimal("215.40"), "24-IND-2026-1187",
                                                        "indu sur prestations")
