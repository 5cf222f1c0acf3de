"""Answers to a réclamation: acknowledged, answered as a whole, or told invoice by invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.message import parse_message


def _mail(body: str, subject: str) -> bytes:
    return (f"From: Reclamations PS <dppr-reclamations@cgss.re>\nTo: marie.exemple@example.org\n"
            f"Subject: {subject}\nDate: Tue, 13 Oct 2026 09:00:00 +0400\nMessage-ID: <rc1@example.org>\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()


def test_an_answer_told_invoice_by_invoice_asking_to_rebill_at_the_normal_rate():
    """GIVEN "Nous faisons suite à votre réclamation …" then one invoice "Réglée le 02/10/2026 – montant
    versé : 48,30 €", one "Rejet 0450 072 – Exonération non trouvée … Veuillez refacturer au taux normal",
    one "Toujours à l'étude", and "Pour la facture rejetée, … une nouvelle facture télétransmise suffit"
    WHEN read THEN the answer, a payment, the reject to re-bill and the invoice under study (re-billing "au
    taux normal" is not re-billing to another caisse; the invoice under study is not to be re-billed)."""
    body = ("Madame,\n\nNous faisons suite à votre réclamation transmise par courriel le 21/07/2026, "
            "enregistrée sous le n° REC-2026-07-1853.\n\nAprès étude de votre dossier, nous sommes en "
            "mesure de vous apporter les éléments de réponse suivants :\n\n"
            "- Facture 004 218 337 (lot 112, soins du 05/06/2026, 48,30 €) : Réglée le 02/10/2026 – "
            "montant versé : 48,30 €\n"
            "- Facture 004 218 352 (lot 112, soins du 12/06/2026, 36,90 €) : Rejet 0450 072 – "
            "Exonération non trouvée dans notre fichier à la date des soins. Veuillez refacturer au taux "
            "normal après vérification des droits de la patiente.\n"
            "- Facture 004 218 360 (lot 115, soins du 19/06/2026, 52,10 €) : Toujours à l'étude par le "
            "service du contrôle médical : une réponse vous sera apportée ultérieurement.\n\n"
            "Pour la facture rejetée, il n'y a pas lieu de nous adresser de duplicata : une nouvelle "
            "facture télétransmise suffit.\n\nCordialement,\n")
    reading = classify_human(parse_message(_mail(body, "RE: Réclamation : Paiements")), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts[1:]] == [
        ("invoice_paid", "004218337"), ("invoice_in_anomaly", "004218352"), ("invoice_deferred", "004218360")]
    assert (reading.facts[0].kind, reading.facts[0].label) == ("reclamation_answered", "partielle")
    assert (reading.facts[1].amount, reading.facts[1].date) == (Decimal("48.30"), date(2026, 10, 2))
    assert (reading.facts[2].reject_code, reading.facts[2].details["action"]) == ("0450", "refacturer")
