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


def test_an_avis_de_retenue_written_as_label_and_value_lines():
    """GIVEN an avis written as "label | value" lines: "Montant brut des règlements | 1 312,45 €", "Retenue
    opérée | 84,60 €", "Montant net viré | 1 227,85 €", "Créance concernée | n° 4220012873" WHEN read THEN
    a retenue of 84,60 € on that debt, no review."""
    body = ("Madame,\n\nNous vous informons qu'une retenue a été opérée sur votre virement.\n\n"
            "Date du virement | 06/11/2026\n\nMontant brut des règlements | 1 312,45 €\n\n"
            "Retenue opérée | 84,60 €\n\nMontant net viré | 1 227,85 €\n\n"
            "Créance concernée | n° 4220012873\n\nSolde restant dû après retenue | 0,00 €\n")
    reading = classify_human(parse_message(_mail(body)), "caisse")
    (fact,) = reading.facts
    assert (fact.amount, fact.reference, reading.needs_review) == (Decimal("84.60"), "4220012873", None)


def test_a_decision_to_recover_an_indu_by_deductions_is_a_retenue_not_a_new_notification():
    """GIVEN a letter "Objet : Récupération d'un indu par retenues sur vos prochains paiements" that cites the
    notification de payer it follows ("Par notification de payer du 12 juin 2026 … la somme de 642,18 €"),
    says its delays ran out and "je vous informe que la somme de 642,18 € sera récupérée par retenues"
    WHEN read THEN a retenue of 642,18 € on the debt, not an indu with two months to contest."""
    body = ("Référence de la créance : 57-IND-26-004127\n\nObjet : Récupération d'un indu par "
            "retenues sur vos prochains paiements\n\nMadame,\n\nPar notification de payer du 12 juin "
            "2026, la Caisse vous a réclamé la somme de 642,18 € (créance référencée 57-IND-26-004127)."
            "\n\nLe délai de deux mois qui vous était imparti est expiré.\n\nEn conséquence, je vous "
            "informe que la somme de 642,18 € sera récupérée par retenues sur les prestations qui vous "
            "seront versées à compter du 16 novembre 2026.\n\nL'Agent comptable\n")
    reading = classify_human(parse_message(_mail(body, "Récupération d'un indu - créance 57-IND-26-004127")),
                             "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.kind, fact.amount, fact.reference) == (
        "avis_retenue", "retenue", Decimal("642.18"), "57-IND-26-004127")


def test_a_notification_warning_of_deductions_stays_a_notification():
    """GIVEN a notification de payer that warns "à défaut de règlement dans ce délai, la somme pourra être
    récupérée par retenues sur vos prochains paiements" WHEN read THEN a notification of an indu."""
    body = ("Objet : Notification de payer\n\nMadame,\n\nLa somme de 212,40 € vous a été versée à tort "
            "(article L.133-4).\n\nVous disposez d'un délai de deux mois pour la régler. À défaut de "
            "règlement dans ce délai, la somme pourra être récupérée par retenues sur vos prochains "
            "paiements.\n")
    reading = classify_human(parse_message(_mail(body, "Notification de payer")), "caisse")
    assert reading.kind == "notification_indu"


def test_a_notice_that_an_indu_was_recovered_by_retenue():
    """GIVEN "Information : retenue sur vos règlements" and "L'indu qui vous a été notifié le 09/06/2026 …
    nous avons procédé à sa récupération par retenue sur vos règlements", then aligned lines "Date de la
    retenue", "Nature", "Référence de la créance", "Montant retenu" WHEN read THEN one retenue of 73,20 € on
    that debt, its nature as written."""
    body = ("Madame,\n\nL'indu qui vous a été notifié le 09/06/2026 n'ayant fait l'objet ni d'un "
            "règlement ni "
            "d'un recours dans les délais, nous avons procédé à sa récupération par retenue sur vos "
            "règlements de tiers payant.\n\n"
            "   Date de la retenue          : 18/11/2026\n   Nature                      : Récupération "
            "d'indu\n   Référence de la créance     : 191/IDU/2026/000351\n"
            "   Montant retenu              : 73,20 €\n")
    subject = "Information : retenue sur vos règlements"
    reading = classify_human(parse_message(_mail(body, subject)), "caisse")
    (fact,) = reading.facts
    assert (fact.kind, fact.amount, fact.reference, fact.details["nature"]) == (
        "retenue", Decimal("73.20"), "191/IDU/2026/000351", "Récupération d'indu")
    assert reading.needs_review is None
