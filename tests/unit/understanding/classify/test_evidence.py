"""The kind of a message from its structure beside its words: a table of paid invoices is a payment
notice only when no letter's title says what those invoices are about."""

from __future__ import annotations

from datetime import date

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.message import parse_message

CGSS = "CGSS Martinique <ps.prestations@cgss-martinique.fr>"


def _mail(subject: str, body: str) -> bytes:
    return (f"From: {CGSS}\nTo: marie.exemple@example.org\nSubject: {subject}\n"
            "Date: Fri, 09 Oct 2026 10:24:51 -0400\nMessage-ID: <e1@example.org>\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()


_PAID_TABLE = ("N° de facture  Date des soins  Montant remboursé\n"
               "000 972 340  14/09/2026  58€\n000972355  16/09/2026  112,35€\n"
               "000 972 371  21/09/2026  31,65€\n")


def test_a_request_for_the_prescriptions_of_paid_invoices_is_a_pieces_request():
    """GIVEN a control asking "nous transmettre, pour chacune des factures listées ci-dessous, la copie de la
    prescription" over a table whose amounts are "Montant remboursé" (paid invoices) and a deadline WHEN
    read THEN a pièces request for each invoice, not a payment notice (which would drop the deadline)."""
    body = ("Madame,\n\nDans le cadre de la vérification de la facturation, nous vous remercions de bien "
            "vouloir nous transmettre, pour chacune des factures listées ci-dessous, la copie de la "
            "prescription médicale.\n\n" + _PAID_TABLE + "\nCes documents doivent nous parvenir au plus "
            "tard le 24 octobre 2026.\n")
    reading = classify_human(parse_message(_mail("Demande de pièces justificatives", body)), "caisse")
    assert reading.kind == "demande_pieces"
    assert [(f.kind, f.invoice, f.details.get("deadline")) for f in reading.facts] == [
        ("pieces_requested", i, date(2026, 10, 24)) for i in ("000972340", "000972355", "000972371")]


def test_a_request_for_the_pieces_of_paid_invoices_under_a_bland_subject():
    """GIVEN the same control under a subject that says nothing ("Votre dossier"), only its body saying
    "nous vous demandons de bien vouloir nous transmettre les pièces justificatives des factures
    suivantes" WHEN read THEN still a pièces request with its amounts, not a payment notice."""
    body = ("Madame,\n\nnous vous demandons de bien vouloir nous transmettre les pièces justificatives des "
            "factures suivantes.\n\n" + _PAID_TABLE + "\nCes documents doivent nous parvenir au plus "
            "tard le 24 octobre 2026.\n")
    reading = classify_human(parse_message(_mail("Votre dossier", body)), "caisse")
    assert reading.kind == "demande_pieces"
    assert [(f.invoice, str(f.amount)) for f in reading.facts] == [
        ("000972340", "58.00"), ("000972355", "112.35"), ("000972371", "31.65")]


def test_a_lot_return_of_paid_invoices_that_mentions_prescriptions_stays_a_payment_notice():
    """GIVEN a lot return whose invoices are all paid ("Retour sur le traitement de votre lot") and a line
    reminding how to send pièces WHEN read THEN a lot return (its title settles it), no pièces request."""
    body = ("Madame,\n\nVotre lot 214 a été traité : toutes les factures sont réglées.\n\n" + _PAID_TABLE
            + "\nPour rappel, merci de nous transmettre les pièces justificatives par SCOR.\n")
    reading = classify_human(parse_message(_mail("Retour sur le traitement de votre lot 214", body)),
                             "caisse")
    assert reading.kind == "retour_lots"
    assert reading.facts and "pieces_requested" not in {f.kind for f in reading.facts}


def test_an_indu_titled_in_its_body_over_the_paid_acts_it_claims_back_is_an_indu():
    """GIVEN a letter under a subject that says nothing, "Objet : Notification de payer" in its body, the
    acts it claims back in a table of paid amounts and "la somme de 202,00 € vous a été versée à tort"
    WHEN read THEN the notification of an indu, not a payment notice."""
    body = ("Objet : Notification de payer – actes facturés pendant une hospitalisation\n\nMadame,\n\n"
            "Les prestations concernées sont les suivantes :\n\n" + _PAID_TABLE + "\nEn application de "
            "l'article L.133-4 du code de la sécurité sociale, la somme de 202,00 € vous a été versée à tort "
            "et doit être remboursée.\n")
    reading = classify_human(parse_message(_mail("Votre dossier", body)), "caisse")
    assert reading.kind == "notification_indu"
    assert [f.kind for f in reading.facts] == ["indu_notified"]
