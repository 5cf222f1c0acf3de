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


def test_an_invoice_taken_up_by_the_caisse_and_put_in_payment_answers_favourably():
    """GIVEN "cette facture avait fait l'objet d'un rejet technique … Elle a été reprise par nos services et
    mise en paiement le 9 octobre 2026 pour un montant de 64,35 €. Il n'y a donc pas lieu de retransmettre
    cette facture." WHEN read THEN a favourable answer and the payment of 64,35 € on 9 October, no review."""
    body = ("Madame,\n\nVous nous avez sollicités le 28 septembre 2026 au sujet de la facture n° 000 604 "
            "118, relative aux soins dispensés le 15/09/2026, que vous n'aviez pas vu régler.\n\nAprès "
            "vérification, cette facture avait fait l'objet d'un rejet technique lors de l'intégration du "
            "lot 044. Elle a été reprise par nos services et mise en paiement le 9 octobre 2026 pour un "
            "montant de 64,35 €.\n\nIl n'y a donc pas lieu de retransmettre cette facture.\n")
    subject = "Réponse à votre réclamation n° RCL-971-2026-03318"
    reading = classify_human(parse_message(_mail(body, subject)), "caisse")
    assert (reading.needs_review, [(f.kind, f.label) for f in reading.facts]) == (
        None, [("reclamation_answered", "favorable"), ("invoice_paid", None)])
    assert (reading.facts[1].amount, reading.facts[1].date) == (Decimal("64.35"), date(2026, 10, 9))


def test_an_answer_to_her_question_about_an_invoice_under_a_subject_that_says_nothing():
    """GIVEN "Vous nous avez sollicités le 28 septembre 2026 au sujet de la facture n° 000 604 118 … Elle a
    été mise en paiement le 9 octobre 2026 pour un montant de 64,35 €" under the subject "Votre dossier" WHEN
    read THEN the answer to her réclamation, with the payment."""
    body = ("Madame,\n\nVous nous avez sollicités le 28 septembre 2026 au sujet de la facture n° 000 604 "
            "118, que vous n'aviez pas vu régler.\n\nElle a été mise en paiement le 9 octobre 2026 pour un "
            "montant de 64,35 €.\n")
    reading = classify_human(parse_message(_mail(body, "Votre dossier")), "caisse")
    assert (reading.kind, [f.kind for f in reading.facts]) == (
        "reponse_reclamation", ["reclamation_answered", "invoice_paid"])


def test_a_holding_reply_to_her_reminder_acknowledges_it():
    """GIVEN "Re: 2ème relance - réclamation RPS 342-2026-004471", "Nous accusons bonne réception de votre
    seconde relance du 26/10/2026. Votre dossier est toujours à l'étude … nous vous remercions de ne pas
    retransmettre ces factures" WHEN read THEN her réclamation acknowledged (the answer still to come),
    nothing to read."""
    body = ("Bonjour Madame,\n\nNous accusons bonne réception de votre seconde relance du 26/10/2026.\n\n"
            "Votre dossier est toujours à l'étude. Les factures n° 102558613 et 102558640 nécessitent une "
            "vérification des droits de l'assurée.\n\nNous ne manquerons pas de revenir vers vous. Dans "
            "l'attente, nous vous remercions de ne pas retransmettre ces factures.\n")
    subject = "Re: 2ème relance - réclamation RPS 342-2026-004471 - factures impayées"
    reading = classify_human(parse_message(_mail(body, subject)), "caisse")
    assert (reading.kind, reading.needs_review, [f.kind for f in reading.facts]) == (
        "reponse_reclamation", None, ["reclamation_acknowledged"])


def test_an_answer_telling_the_invoices_parts_apart():
    """GIVEN an answer "voici la situation après vérification : - part obligatoire (AMO) : 17,50 €, réglée le
    13/10/2026 ; - part complémentaire (C2S) : 7,50 €, rejetée." and "Motif du rejet de la part
    complémentaire : Droits C2S non ouverts à la date des soins." WHEN read THEN the answer, the AMO part's
    payment and the AMC part's reject with its motif, in that order."""
    body = ("Madame,\n\nSuite à votre réclamation n° RPS-34-2026-018733 concernant la facture 730015264 "
            "(consultation du 02/10/2026), voici la situation après vérification :\n\n"
            "- part obligatoire (AMO) : 17,50 €, réglée le 13/10/2026 ;\n"
            "- part complémentaire (C2S) : 7,50 €, rejetée.\n\n"
            "Motif du rejet de la part complémentaire : Droits C2S non ouverts à la date des soins.\n\n"
            "Votre réclamation est désormais close.\n")
    reading = classify_human(parse_message(_mail(body, "RE: Réclamation paiement - facture 730015264")),
                             "caisse")
    assert [(f.kind, f.part) for f in reading.facts[1:]] == [
        ("invoice_paid", "AMO"), ("invoice_rejected", "AMC")]
    assert (reading.facts[1].amount, reading.facts[1].date, reading.facts[2].label) == (
        Decimal("17.50"), date(2026, 10, 13), "Droits C2S non ouverts à la date des soins")


def test_an_answer_giving_the_invoices_reject_code_and_its_meaning_gives_the_reject():
    """GIVEN an agent's one-line answer above her question "Facture 000 733 120 (lot 052) : rejetée le
    12/10/2026, code 0317 051 = incompatibilité entre la nature d'assurance et l'exonération du ticket
    modérateur." (no instruction) WHEN read THEN the answer and the invoice's reject with its code and words
    (what to do is left to the code's table, never guessed from the answer)."""
    body = ("Bonjour,\n\nFacture 000 733 120 (lot 052) : rejetée le 12/10/2026, code 0317 051 = "
            "incompatibilité entre la nature d'assurance et l'exonération du ticket modérateur.\n\nCdlt\n\n"
            "-----Message d'origine-----\nDe : Marie Exemple <marie.exemple@example.org>\nEnvoyé : lundi 19 "
            "octobre 2026 21:40\nObjet : facture 000733120\n\nBonjour,\nPouvez-vous m'indiquer pourquoi la "
            "facture 000733120 (lot 052, soins du 28/09/2026) ne m'a pas été payée ?\n")
    reading = classify_human(parse_message(_mail(body, "RE: facture 000733120")), "caisse")
    assert [(f.kind, f.invoice, f.reject_code) for f in reading.facts[1:]] == [
        ("invoice_in_anomaly", "000733120", "0317")]
    assert reading.facts[1].label.startswith("incompatibilité entre la nature d'assurance")
    assert "action" not in reading.facts[1].details


def test_a_telegraphic_answer_one_invoice_paid_the_other_held_for_its_prescription():
    """GIVEN an agent's two lines above her question "fact. 000 914 422 : payée le 16/10/26, 27,30." and
    "fact. 000 914 430 : bloquée, manque l'ordonnance -> à nous envoyer (scan ou courrier)." WHEN read THEN
    the answer to her réclamation, the payment of 27,30 € on 16/10/2026 and the prescription asked for the
    held invoice (held, not rejected: nothing to re-bill)."""
    body = ("Bonjour,\n\nfact. 000 914 422 : payée le 16/10/26, 27,30.\nfact. 000 914 430 : bloquée, "
            "manque l'ordonnance -> à nous envoyer (scan ou courrier).\n\nCdt\nA. Roux\n\n"
            "-----Message d'origine-----\nDe : Marie Exemple [mailto:marie.exemple@example.org]\n"
            "Envoyé : jeudi 15 octobre 2026 07:58\nObjet : factures Mme Chassaing\n\nBonjour Madame Roux,\n"
            "je vous remets les deux numéros de factures qui ne sont pas payées : 000914422 et\n"
            "000914430 (lot 027).\n")
    reading = classify_human(parse_message(_mail(body, "RE: factures Mme Chassaing")), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts] == [
        ("reclamation_answered", "000914422"), ("invoice_paid", "000914422"),
        ("pieces_requested", "000914430")]
    assert (reading.facts[1].amount, reading.facts[1].date) == (Decimal("27.30"), date(2026, 10, 16))


def test_an_agents_answer_studying_the_invoices_of_her_reclamation_under_a_bland_subject():
    """GIVEN "J'ai étudié les trois factures objet de votre réclamation du 15 septembre." then one invoice
    paid, one whose reject is justified (to re-bill elsewhere), one still under study, under the subject
    "Votre dossier" WHEN read THEN the answer to her réclamation told invoice by invoice."""
    body = ("Bonjour Madame Exemple,\n\nJ'ai étudié les trois factures objet de votre réclamation du 15 "
            "septembre.\n\nS'agissant de la première (n° 000 377 015, soins du 27 août), elle a été réglée "
            "le 29 septembre 2026, montant EUR 58,20.\n\nPour la facture 000 377 019 (31 août), le rejet "
            "est justifié : code 0250 050 « assuré absent de notre référentiel ». Ce patient relève depuis "
            "le 1er juillet de la MSA Côtes Normandes ; je vous invite à refacturer les soins auprès de cet "
            "organisme.\n\nEnfin, la facture 000 377 022 (soins du 2 au 9 septembre) est toujours à "
            "l'étude au service médical.\n")
    reading = classify_human(parse_message(_mail(body, "Votre dossier")), "caisse")
    assert (reading.kind, [f.kind for f in reading.facts]) == ("reponse_reclamation", [
        "reclamation_answered", "invoice_paid", "invoice_in_anomaly", "invoice_deferred"])


def test_an_agents_reply_saying_the_one_invoice_she_asked_about_was_paid_without_naming_it():
    """GIVEN an agent's reply "La facture est bien arrivée chez nous, elle a été payée le 26/10 (virement
    de 44,10 €), vous devriez la voir d'ici 48 h sur votre compte." above her quoted question about the
    invoice 000 455 977 WHEN read THEN the answer to her réclamation and that invoice's payment of 44,10 €
    on 26/10."""
    body = ("Bonjour Madame,\n\nLa facture est bien arrivée chez nous, elle a été payée le 26/10 (virement "
            "de 44,10 €), vous devriez la voir d'ici 48 h sur votre compte.\n\nBonne journée,\nYann Riou\n\n"
            "-----Message d'origine-----\nDe : Marie Exemple <marie.exemple@example.org>\n"
            "Envoyé : lundi 19 octobre 2026 18:02\nObjet : facture 000 455 977 non réglée ?\n\nBonjour,\n\n"
            "Je n'ai toujours pas reçu le paiement de la facture 000 455 977 (lot 233, 44,10 €).\n"
            "Pouvez-vous vérifier ?\n")
    reading = classify_human(parse_message(_mail(body, "RE: facture 000 455 977 non réglée ?")), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts] == [
        ("reclamation_answered", "000455977"), ("invoice_paid", "000455977")]
    assert (reading.facts[1].amount, reading.facts[1].date, reading.needs_review) == (
        Decimal("44.10"), date(2026, 10, 26), None)
