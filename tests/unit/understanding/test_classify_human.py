"""Classification of human correspondence: every kind, the demo mailbox, forwards, unreadable PDFs."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpambot.cases.rules import case_key
from cpambot.demo.minipdf import text_pdf
from cpambot.demo.run import demo_maildir
from cpambot.mailbox.headers import header_block, summarize
from cpambot.mailbox.senders import SenderPolicy, assess
from cpambot.understanding.classify import human, indu
from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.facts import FactKind, MessageKind, Reading
from cpambot.understanding.message import Attachment, ParsedMessage, parse_message

REUNION = timezone(timedelta(hours=4))
WHEN = datetime(2026, 4, 14, 14, 2, tzinfo=REUNION)
CGSS = "CGSS Réunion - Régulation PS <regulation-ps@cgss.re>"
MARNE = "CPAM de la Marne - Facturation PS <facturation-ps.cpam-marne@assurance-maladie.fr>"
NURSE = "Marie Exemple <marie.exemple@example.org>"
DEMO = demo_maildir() / "cur"


def pdf(*lines: str) -> tuple[str, bytes]:
    return "application/pdf", text_pdf([("text", line) for line in lines], title="Courrier")


def mail(subject: str, body: str | None = "Madame,\n\nCordialement.\n", *, sender: str = CGSS,
         html: str | None = None, attachments: tuple = (), when: datetime = WHEN) -> ParsedMessage:
    """A message built as a mailer would, then parsed as the bot does."""
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "marie.exemple@example.org", subject
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<{abs(hash((subject, body)))}@test.example>"
    if body is not None:
        m.set_content(body)
        if html is not None:
            m.add_alternative(html, subtype="html")
    else:
        m.set_content(html or "", subtype="html")
    for filename, (ctype, data) in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return parse_message(m.as_bytes())


def facts(reading: Reading, *keys: str) -> list[tuple]:
    return [tuple(f.to_json()[k] for k in ("kind", *keys)) for f in reading.facts]


# --------------------------------------------------------------------------- retour sur les lots

RETOUR_TEXT = """Madame,

Vous trouverez ci-dessous le retour sur le traitement de vos lots.

Lot | Facture   | Date de soins | Montant | Motif
----+-----------+---------------+---------+------------------------------
130 | 000015330 | 02/06/2026    | 18,10€  | Facture en anomalie – pièce manquante
130 | 000015331 | 03/06/2026    | 6,30€   | Facture en anomalie – exonération non justifiée
132 | lot entier| du 1er au 3/06| 1 234,56 EUR | Lot non parvenu – à retransmettre

Merci de transmettre les pièces dans un délai de 15 jours.
"""


def test_retour_lots_text_table():
    """GIVEN a "retour sur le traitement de vos lots" with a text table WHEN classified THEN one
    invoice_in_anomaly per invoice row (lot, amount, care date, motif) and lot_refused for the whole lot, its
    instruction told apart from its motif."""
    reading = classify_human(mail("Retour sur le traitement de vos lots du 04/06/2026", RETOUR_TEXT,
                                  sender=MARNE), "caisse")
    assert (reading.kind, reading.caisse, reading.needs_review) == ("retour_lots", "511", None)
    assert facts(reading, "lot", "invoice", "amount", "date", "label") == [
        ("invoice_in_anomaly", "130", "000015330", "18.10", "2026-06-02",
         "Facture en anomalie – pièce manquante"),
        ("invoice_in_anomaly", "130", "000015331", "6.30", "2026-06-03",
         "Facture en anomalie – exonération non justifiée"),
        ("lot_refused", "132", None, "1234.56", None, "Lot non parvenu")]  # ("– à retransmettre": its action)
    assert reading.facts[2].details["action"] == "refacturer"
    assert reading.facts[0].details["delay_days"] == 15
    assert reading.fields["invoices"] == ["000015330", "000015331"]


def test_retour_lots_html_only_in_a_layout_table():
    """GIVEN an HTML-only message whose data table sits inside a layout table WHEN classified THEN the
    rows are read from the flattened HTML."""
    rows = "".join(f"<tr><td>{lot}</td><td>{inv}</td><td>{amount}</td><td>{motif}</td></tr>" for lot, inv,
                   amount, motif in (("131", "000015335", "12,60 €", "Pièce manquante"),
                                     ("132", "–", "98,00 €", "Lot non parvenu")))
    html = ("<table><tr><td><p>Retour sur le traitement des lots</p><table><tr><th>N° de lot</th>"
            "<th>N° facture</th><th>Montant</th><th>Motif du rejet</th></tr>"
            f"{rows}</table></td></tr></table>")
    reading = classify_human(mail("Retour sur le traitement des lots", None, html=html), "caisse")
    assert reading.kind == "retour_lots" and reading.caisse == "974"
    assert facts(reading, "lot", "invoice", "amount", "label") == [
        ("invoice_in_anomaly", "131", "000015335", "12.60", "Pièce manquante"),
        ("lot_refused", "132", None, "98.00", "Lot non parvenu")]


def test_retour_lots_without_table_reads_sentences_or_asks_a_human():
    """GIVEN a retour written as sentences WHEN classified THEN the invoice named with its lot and amount;
    GIVEN one with no readable invoice THEN no fact and a human must read it."""
    body = ("Suite au traitement de vos lots, la facture n° 000015400 (lot 140, soins du 05/06/2026, "
            "montant 9,45 €) est en anomalie.\nLe lot 141 n'est pas parvenu.\n")
    reading = classify_human(mail("Retour sur le traitement de vos lots", body), "caisse")
    assert facts(reading, "lot", "invoice", "amount") == [("invoice_in_anomaly", "140", "000015400", "9.45"),
                                                         ("lot_refused", "141", None, None)]
    empty = classify_human(mail("Retour sur le traitement de vos lots", "Voir votre espace.\n"), "caisse")
    assert empty.kind == "retour_lots" and not empty.facts and "à lire" in empty.needs_review


def test_a_lot_refused_whole_under_a_bland_subject_beside_a_document_asked():
    """GIVEN an agent's mail under a subject that says nothing, telling that lot 214 was refused in its
    entirety, then asking the prescription of one invoice of another lot WHEN classified THEN a lot
    return: the lot refused and the document asked beside it (not a pièces request that also asks to
    re-bill, sent to a human)."""
    body = ("Madame,\n\nVotre lot n° 214, télétransmis le 15/09/2026 et comportant 9 factures, a été rejeté "
            "dans sa totalité : sa date de constitution est postérieure à sa réception.\n\nMerci de "
            "reconstituer ce lot et de nous le retransmettre.\n\nPar ailleurs, pour la facture "
            "n° 000 604 377 (lot 209), merci de nous faire parvenir la prescription médicale "
            ": le feuillet reçu par SCOR "
            "est illisible. Il n'est pas nécessaire de refacturer.\n\nCordialement,\n")
    reading = classify_human(mail("Votre message", body), "caisse")
    assert (reading.kind, reading.needs_review) == ("retour_lots", None)
    assert facts(reading, "lot", "invoice") == [("lot_refused", "214", None),
                                                ("pieces_requested", "209", "000604377")]


def test_a_lot_refused_whole_for_the_motif_on_the_line_below():
    """GIVEN "votre lot n° 312 … a de nouveau été rejeté dans sa totalité pour le motif suivant :" and, a
    blank line below, "Code rejet 0103 017 – Numéro de lot déjà utilisé pour ce professionnel de santé"
    WHEN classified THEN the lot refused carries that code, sub-code and words."""
    body = ("Madame,\n\nNous vous informons que votre lot n° 312, reçu le 02/11/2026, a de nouveau été "
            "rejeté dans sa totalité pour le motif suivant :\n\nCode rejet 0103 017 – Numéro de lot déjà "
            "utilisé pour ce professionnel de santé\n\nMerci de corriger la numérotation et de retransmettre "
            "l'ensemble des factures du lot sous un nouveau numéro.\n")
    reading = classify_human(mail("Rejet de votre lot n° 312", body, sender=MARNE), "caisse")
    (fact,) = reading.facts
    assert (fact.kind, fact.lot, fact.reject_code, fact.label, fact.details["reject_subcode"]) == (
        "lot_refused", "312", "0103", "Numéro de lot déjà utilisé pour ce professionnel de santé", "017")


def test_an_amelipro_notice_of_a_lot_refused_with_its_motif_in_a_paragraph():
    """GIVEN amelipro's notice "[amelipro] Information sur le traitement de votre lot n° 318": the lot
    "rejeté dans sa totalité" in one paragraph, "Motif du rejet : Nombre de factures annoncé différent …"
    in another WHEN classified THEN kind amelipro (the service's own notice), the lot refused with that
    motif and the instruction to send it again."""
    body = ("Votre caisse a reçu le 02/11/2026 le lot n° 318 (constitué le 31/10/2026, 4 factures).\n\n"
            "Ce lot n'a pas pu être intégré dans nos systèmes de paiement : il a été rejeté dans sa "
            "totalité.\n\nMotif du rejet : Nombre de factures annoncé différent du nombre de factures "
            "reçues.\n\nNous vous invitons à retransmettre le lot depuis votre logiciel.\n")
    reading = classify_human(mail("[amelipro] Information sur le traitement de votre lot n° 318", body,
                                  sender="amelipro <ne-pas-repondre@ameli.fr>"), "caisse")
    assert reading.kind == MessageKind.AMELIPRO
    (fact,) = reading.facts
    assert (fact.kind, fact.lot, fact.label, fact.details.get("action")) == (
        "lot_refused", "318", "Nombre de factures annoncé différent du nombre de factures reçues",
        "refacturer")


def test_a_lot_named_with_figures_and_no_outcome_is_no_refusal():
    """GIVEN a lot return whose only row is a lot named with its figures ("Numéro de lot : 212", "Montant
    total facturé : 1 046,30 €") and no outcome WHEN classified THEN no lot refused (it would ask to send
    again a lot the caisse may have accepted): a human reads it."""
    body = ("Retour sur le traitement de vos lots\n\nNuméro de lot : 212\nNombre de factures : 14\n"
            "Montant total facturé : 1 046,30 €\n")
    reading = classify_human(mail("Retour sur le traitement de vos lots", body, sender=MARNE), "caisse")
    assert not any(f.kind == "lot_refused" for f in reading.facts) and reading.needs_review


def test_invoices_she_must_call_about_before_anything():
    """GIVEN an agent: "J'ai besoin d'échanger avec vous au sujet de deux factures de votre lot 155 : …
    Avant toute décision, pouvez-vous me rappeler … ? Ces deux factures restent en attente chez nous : merci
    de ne pas les refacturer." WHEN classified THEN both invoices ask her to call (never "nothing to do")."""
    body = ("J'ai besoin d'échanger avec vous au sujet de deux factures de votre lot 155 :\n\n"
            "- 000155020, soins du 02/11/2026\n\n- 000155024, soins du 03/11/2026\n\nD'après nos "
            "fichiers, votre patient était hospitalisé. Avant toute décision, pouvez-vous me rappeler au "
            "04 65 71 20 48 "
            "?\n\nCes deux factures restent en attente chez nous : merci de ne pas les refacturer.\n")
    reading = classify_human(mail("Lot 155 - merci de me rappeler", body, sender=MARNE), "caisse")
    assert [(f.kind, f.invoice, f.details.get("action")) for f in reading.facts] == [
        ("invoice_in_anomaly", "000155020", "contacter"), ("invoice_in_anomaly", "000155024", "contacter")]


def test_retour_lots_unreadable_row_is_flagged():
    """GIVEN a table row whose invoice cell is garbled WHEN classified THEN the good rows give facts
    and the bad one is reported for review, never guessed."""
    body = ("Retour sur le traitement de vos lots\nLot | Facture | Montant | Motif\n"
            "130 | 000015330 | 18,10 € | pièce manquante\n130 | 00001533 | 6,30 € | pièce manquante\n")
    reading = classify_human(mail("Retour lots", body), "caisse")
    assert facts(reading, "invoice") == [("invoice_in_anomaly", "000015330")]
    assert reading.needs_review and any("00001533" in p for p in reading.problems)


# --------------------------------------------------------------------------- pièces justificatives


def test_demande_pieces_one_fact_per_invoice_with_deadline():
    """GIVEN a demande de pièces naming three invoices in the body and detailing them in a PDF WHEN
    classified THEN one pieces_requested per invoice with the PDF's amounts and the stated deadline, each
    asking for a document (not a re-billing)."""
    letter = pdf("Référence : PJ-2026-511-004127", "Demande de pièces justificatives",
                 "- facture n° 000012370 – soins du 10/03/2026 – montant 10,70 €",
                 "- facture n° 000012371 – soins du 11/03/2026 – montant 16,10 €",
                 "Merci de nous adresser ces pièces dans un délai de 15 jours, soit avant le 04/04/2026.")
    body = ("Veuillez trouver ci-joint notre demande concernant les factures n° 000012370 et 000012371 "
            "(lot 045).\n")
    reading = classify_human(mail("Demande de pièces justificatives", body, sender=MARNE,
                                  attachments=(("demande.pdf", letter),)), "caisse")
    assert (reading.kind, reading.caisse) == ("demande_pieces", "511")
    assert facts(reading, "lot", "invoice", "amount", "date", "reference") == [
        ("pieces_requested", "045", "000012370", "10.70", "2026-03-10", "PJ-2026-511-004127"),
        ("pieces_requested", "045", "000012371", "16.10", "2026-03-11", "PJ-2026-511-004127")]
    assert reading.facts[0].details == {"action": "pieces", "delay_days": 15, "deadline": date(2026, 4, 4)}
    assert reading.fields["deadline"] == date(2026, 4, 4) and "action" not in reading.fields


def test_a_bilan_de_soins_infirmiers_asked_for_one_invoice():
    """GIVEN an MSA agent's "Demande de BSI – … – facture 000451240": "nous vous remercions de bien vouloir
    nous transmettre le BSI correspondant … au plus tard le 20 novembre 2026" WHEN classified THEN a pièces
    request for that invoice with its deadline."""
    body = ("Madame,\n\nNous avons bien reçu votre facture n° 000451240 (lot 215 du 02/11/2026). Nous ne "
            "disposons pas, pour ce patient, d'un Bilan de Soins Infirmiers (BSI) en cours de validité. Afin "
            "de pouvoir procéder au règlement, nous vous remercions de bien vouloir nous transmettre le BSI "
            "correspondant au plus tard le 20 novembre 2026.\n")
    reading = classify_human(mail("Demande de BSI – M. R. – facture 000451240", body,
                                  sender="PEYRAT Corinne <peyrat.corinne@limousin.msa.fr>"), "caisse")
    assert reading.kind == "demande_pieces"
    assert [(f.kind, f.invoice, f.details.get("deadline")) for f in reading.facts] == [
        ("pieces_requested", "000451240", date(2026, 11, 20))]


def test_demande_pieces_delay_only_gives_a_computed_deadline():
    """GIVEN "dans un délai de 15 jours" and no date WHEN classified THEN the deadline is the message's
    date + 15 days, marked as computed."""
    body = ("L'ordonnance de la facture n° 000012301 (lot 041) est illisible. Merci de la renvoyer "
            "sous 15 jours.\n")
    reading = classify_human(mail("Ordonnance illisible", body), "caisse")
    (fact,) = reading.facts
    assert (fact.invoice, fact.lot, fact.label) == ("000012301", "041", "ordonnance illisible")
    assert fact.details == {"action": "pieces", "delay_days": 15, "deadline": date(2026, 4, 29),
                            "deadline_computed": True}


def test_demande_pieces_conflicting_amounts_are_not_guessed():
    """GIVEN the body and the PDF giving two amounts for the same invoice WHEN classified THEN no
    amount, and a human must check."""
    letter = pdf("Demande de pièces justificatives", "- facture n° 000012370 – montant 10,70 €")
    body = "Demande de pièces : facture n° 000012370, montant 17,10 €.\n"
    reading = classify_human(mail("Demande de pièces justificatives", body,
                                  attachments=(("d.pdf", letter),)), "caisse")
    assert reading.facts[0].amount is None and reading.needs_review and reading.problems


# --------------------------------------------------------------------------- constat, indu, CRA

CONSTAT_CSV = ("Bénéficiaire;Montant en écart;Anomalie\nJ. T.;236,25 €;Cumul AIS et AMI\n"
               "L. D.;814,50 €;Absence de prescription\nTOTAL;1 050,75 €;\n").encode()


def test_constat_anomalies_amount_checked_against_the_table():
    """GIVEN a constat d'anomalies stating its total and a CSV whose TOTAL row agrees WHEN classified
    THEN anomalies_found with reference, amount, period and grievances; a disagreement drops the amount."""
    body = ("La caisse a analysé votre facturation sur la période du 01/06/2025 au 31/12/2025.\n"
            "Montant total des anomalies constatées : 1 050,75 €.\nVous disposez de deux mois pour vos "
            "observations.\nDossier CTL-2026-0112.\n")
    reading = classify_human(mail("Constat d'anomalies de facturation", body,
                                  attachments=(("t.csv", ("text/csv", CONSTAT_CSV)),)), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.kind, fact.reference, fact.amount) == (
        "constat_anomalies", "anomalies_found", "CTL-2026-0112", Decimal("1050.75"))
    assert fact.date == date(2026, 4, 14) and fact.details["griefs"] == ["Cumul AIS et AMI",
                                                                       "Absence de prescription"]
    assert fact.details["period_start"] == date(2025, 6, 1) and reading.needs_review is None
    wrong = classify_human(mail("Constat d'anomalies de facturation", body.replace("1 050,75", "1 060,75"),
                                attachments=(("t.csv", ("text/csv", CONSTAT_CSV)),)), "caisse")
    assert wrong.facts[0].amount is None and wrong.needs_review and "tableau" in wrong.problems[0]


INDU_LETTER = pdf(
    "Châlons-en-Champagne, le 1er juin 2026",
    "Référence : indu n° 2026-511-000999 – dossier de contrôle CTL-2026-0200",
    "Notification de payer", "Cause de l'indu",
    "1. Cumul AIS et AMI au cours de la même séance.", "2. Absence de BSI valide.",
    "Nature de l'indu", "Prestations en nature.", "Montant de l'indu", "Montant total : 812,40 €",
    "Vous pouvez saisir la Commission de recours amiable à l'adresse suivante : CRA – CPAM de la Marne – "
    "2 place de l'Exemple – 51000 Châlons-en-Champagne.",
    "À défaut de paiement, une mise en demeure vous sera adressée.")


def test_notification_indu_everything_in_the_pdf():
    """GIVEN a neutral subject and body and a PDF notification de payer WHEN classified THEN
    indu_notified with reference, total, the letter's date, the causes, the CRA address and the
    constat reference it follows."""
    reading = classify_human(mail("Courrier CPAM de la Marne", "Veuillez trouver ci-joint notre courrier.\n",
                                  sender=MARNE, attachments=(("courrier.pdf", INDU_LETTER),)), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, reading.caisse, reading.needs_review) == ("notification_indu", "511", None)
    assert (fact.kind, fact.reference, fact.amount, fact.date) == (
        "indu_notified", "2026-511-000999", Decimal("812.40"), date(2026, 6, 1))
    assert fact.label == "Cumul AIS et AMI au cours de la même séance ; Absence de BSI valide"
    assert fact.details["cra_address"].startswith("CRA – CPAM de la Marne")
    assert fact.details["related"] == ["CTL-2026-0200"]


@pytest.mark.parametrize(("payload", "problem"), [
    (pdf(""), "PDF sans texte (document scanné) : à lire"),
    ("encrypted", "PDF chiffré : à lire"),
])
def test_unreadable_pdf_is_read_from_the_mail_and_sent_to_a_human(payload, problem):
    """GIVEN a notification de payer whose PDF is scanned or encrypted WHEN classified THEN the kind
    comes from the subject, nothing is invented from the PDF, and needs_review gives the reason."""
    if payload == "encrypted":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(INDU_LETTER[1])))
        writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
        payload = ("application/pdf", out.getvalue())
    reading = classify_human(mail("Notification de payer – indu n° 2026-511-000999",
                                  "Veuillez trouver ci-joint la notification.\n", sender=MARNE,
                                  attachments=(("scan.pdf", payload),)), "caisse")
    assert reading.kind == "notification_indu" and reading.caisse == "511"
    assert reading.needs_review.startswith(problem)
    assert reading.facts[0].reference == "2026-511-000999" and reading.facts[0].amount is None
    assert any(problem in p for p in reading.problems)


def test_a_reminder_drops_the_invoice_whose_piece_arrived():
    """GIVEN a reminder for one invoice's prescription, which adds "La pièce concernant l'autre facture
    (000 318 569) nous est bien parvenue le 08/10/2026 : aucune action n'est nécessaire pour celle-ci", above
    the first request naming both WHEN classified THEN one request, for the invoice still awaited."""
    body = ("Nous n'avons toujours pas reçu la prescription médicale demandée pour la facture suivante :\n"
            "    Facture 000 318 552 - lot 046 - soins du 02/09/2026 au 20/09/2026\n"
            "Nous vous remercions de nous la faire parvenir au plus tard le 13/11/2026.\n"
            "La pièce concernant l'autre facture (000 318 569) nous est bien parvenue le 08/10/2026 : aucune "
            "action n'est nécessaire pour celle-ci.\n")
    reading = classify_human(mail("RELANCE - Demande de pièces du 29/09/2026", body,
                                  when=datetime(2026, 10, 30, 11, 0, tzinfo=REUNION)), "caisse")
    assert facts(reading, "invoice") == [("pieces_requested", "000318552")] and not reading.needs_review


def test_a_reminder_gives_the_new_deadline_not_the_one_that_passed():
    """GIVEN a reminder "nous vous avions demandé … avant le 13/11/2026 … Nous vous accordons un nouveau
    délai : … au plus tard le 1er décembre 2026" sent on 17/11 WHEN classified THEN the deadline of each
    request is the new one, still to come."""
    reading = classify_human(mail("RELANCE - Demande de pièces justificatives - réf. DPJ/971/2026/3381",
                                  "Par courriel du 23/10/2026, nous vous avions demandé de nous transmettre, "
                                  "avant le 13/11/2026, les feuilles de soins des factures suivantes :\n"
                                  "  - facture n° 000 330 415 du 02/10/2026 - EUR 30,00\n"
                                  "  - facture n° 000 330 428 du 06/10/2026 - EUR 40,00\n\n"
                                  "Nous vous accordons un nouveau délai : merci de nous faire parvenir ces "
                                  "feuilles de soins au plus tard le 1er décembre 2026.\n",
                                  when=datetime(2026, 11, 17, 8, 41, tzinfo=REUNION)), "caisse")
    assert reading.kind == "demande_pieces"
    assert [f.details["deadline"] for f in reading.facts] == [date(2026, 12, 1)] * 2


@pytest.mark.parametrize("card", ["Date limite de réception\n\n20/11/2026",
                                  "Date limite de réponse\t20 novembre 2026"])
def test_a_deadline_written_as_a_card_label_and_its_value_below(card):
    """GIVEN a pièces request written as label/value paragraphs, "Date limite de réception", "20/11/2026"
    below it (or after a tab, as a card's plain version writes it) WHEN classified THEN that is the
    deadline (and no care date)."""
    body = ("Madame,\nPour poursuivre le traitement de la facture ci-dessous, nous avons besoin des pièces "
            "suivants.\n\nRéférence du dossier\n\nPJ-2026-113045\n\nN° de facture\n\n512 600 771\n\n"
            f"Pièce(s) demandée(s)\n\nPrescription médicale initiale\n\n{card}\n\n"
            "Sans réception de ces documents, la facture sera rejetée.\n")
    reading = classify_human(mail("Demande de pièces justificatives", body,
                                  when=datetime(2026, 11, 10, 9, 0, tzinfo=REUNION)), "caisse")
    assert reading.kind == "demande_pieces"
    assert [(f.invoice, f.details.get("deadline"), f.date) for f in reading.facts] == [
        ("512600771", date(2026, 11, 20), None)]


def test_a_paper_form_returned_by_reference_carries_its_one_amount():
    """GIVEN a request to sign and send back a paper feuille de soins ("consultation G, montant 30,00 €"),
    known by the caisse's reference only WHEN classified THEN one request with that reference and that
    amount; with two sums written, no amount is chosen."""
    body = ("Nous avons reçu une feuille de soins papier : consultation G, montant 30,00 €. Elle ne comporte "
            "pas votre signature. Merci de la signer et de nous la réadresser au plus tard le 20 novembre "
            "2026.\nNotre référence : FSP-2026-0418-LB\n")
    reading = classify_human(mail("Feuille de soins papier non signée", body, sender=MARNE,
                                  when=datetime(2026, 10, 27, 9, 0, tzinfo=REUNION)), "caisse")
    assert facts(reading, "reference", "amount") == [("pieces_requested", "FSP-2026-0418-LB", "30.00")]
    two = classify_human(mail("Feuille de soins papier non signée", body.replace(
        ". Elle", ", dépassement 5,00 €. Elle"), sender=MARNE, when=datetime(2026, 10, 27, tzinfo=REUNION)),
        "caisse")
    assert facts(two, "amount") == [("pieces_requested", None)]


def test_an_indu_whose_amount_rises_in_consequence():
    """GIVEN a notification "Le montant des sommes indûment versées s'élève en conséquence à 2 016,45 €"
    WHEN classified THEN that is the indu's amount."""
    reading = classify_human(mail("Notification de payer - indu n° IND-301-2026-0088",
                                  "Madame,\nJe vous notifie un indu. Le montant des sommes indûment versées "
                                  "s'élève en conséquence à 2\u202f016,45\u00a0€.\nVous disposez d'un délai "
                                  "de deux mois pour saisir la commission de recours amiable.\n"), "caisse")
    assert reading.kind == "notification_indu" and not reading.needs_review
    assert facts(reading, "amount") == [("indu_notified", "2016.45")]


def test_an_indu_letter_under_a_bland_subject_with_its_invoices_is_no_lot_return():
    """GIVEN an indu notification written in the body under a subject that says nothing ("Notification n°
    301/IND/2026/11872", "Le montant des sommes indûment versées s'élève à 2 016,45 €", then the invoices
    one per line with their sums) WHEN classified THEN a notification of that amount, never rejected
    invoices to re-bill."""
    body = ("Nîmes, le 13 octobre 2026\n\nNotification n° 301/IND/2026/11872\n\nMadame,\n"
            "Le montant des sommes indûment versées s'élève en conséquence à 2 016,45 €, détail :\n\n"
            "      412,30 €  facture 000 233 815  M. F., soins du 03/04/2026 (IK au-delà de la distance)\n"
            "    1 604,15 €  facture 000 233 902  Mme S., soins du 10/04/2026 (MN hors plage horaire)\n"
            "         TOTAL  2 016,45 €\n\nVous disposez d'un délai de deux mois pour régler cette somme.\n")
    reading = classify_human(mail("Votre dossier", body), "caisse")
    assert reading.kind == "notification_indu"
    assert facts(reading, "amount", "reference") == [("indu_notified", "2016.45", "301/IND/2026/11872")]


@pytest.mark.parametrize("final,amount", [
    ("Après examen de vos observations, le montant de l'indu qui vous est notifié est ramené à 1 736,95 €.",
     "1736.95"),
    ("Vous êtes en conséquence redevable de la somme de 1 736,95 €.", "1736.95"),
])
def test_an_indu_notified_after_a_constat_whose_sum_was_lowered(final, amount):
    """GIVEN a notification that recalls the constat "pour un montant de 2 148,35 €", then states the sum
    finally notified ("… est ramené à 1 736,95 €", "redevable de la somme de …") WHEN classified THEN the
    indu's amount is the final one, without a review for contradictory sums."""
    body = ("Madame,\nNous vous avons adressé un constat d'anomalies, pour un montant de "
            f"2 148,35 €.\n{final}\nVous disposez d'un délai de deux mois pour saisir la commission de "
            "recours amiable.\n")
    reading = classify_human(mail("Notification de payer un indu - IND-621-2026-0140", body), "caisse")
    assert reading.kind == "notification_indu" and not reading.needs_review
    assert facts(reading, "amount") == [("indu_notified", amount)]


def test_a_notification_sent_with_its_annex_is_a_notification():
    """GIVEN a mail "Veuillez trouver ci-joint notre courrier du 5 octobre 2026 ainsi que son annexe
    (tableau des anomalies)" under a bland subject, the attached letter notifying the indu WHEN classified
    THEN a notification (the appeal window runs), not a complement of an earlier one."""
    letter = pdf("Nos références", "IND-972-26-004381", "Date", "05/10/2026",
                 "Objet : Notification de payer - indu sur prestations",
                 "En conséquence, je vous notifie un indu d'un montant total de 1 247,80 euros.",
                 "Vous pouvez contester la présente décision devant la Commission de recours amiable.")
    reading = classify_human(mail("Votre dossier", "Madame,\nVeuillez trouver ci-joint notre courrier du "
                                  "5 octobre 2026 ainsi que son annexe (tableau des anomalies).\n",
                                  attachments=(("notification.pdf", letter),)), "caisse")
    assert reading.kind == "notification_indu"
    assert facts(reading, "reference", "amount", "date") == [
        ("indu_notified", "IND-972-26-004381", "1247.80", "2026-10-05")]


def test_complement_and_mise_en_demeure():
    """GIVEN a "tableau des anomalies" complement and a mise en demeure WHEN classified THEN
    complement_indu/indu_details and mise_en_demeure, both keyed by the indu reference."""
    complement = classify_human(mail("Tableau des anomalies – complément à notre courrier du 14/04/2026",
                                     "Pour faire suite à notre notification de payer (indu n° "
                                     "2026-974-000318), voici le tableau.\n"), "caisse")
    assert complement.kind == "complement_indu"
    assert facts(complement, "reference", "date") == [("indu_details", "2026-974-000318", "2026-04-14")]
    assert complement.facts[0].details["letter_of"] == date(2026, 4, 14)
    letter = pdf("Saint-Denis, le 01/06/2026", "MISE EN DEMEURE", "Indu n° 2026-974-000318",
                 "Suite à notre notification de payer du 14 avril 2026, nous vous mettons en demeure de "
                 "régler la somme de 2 046,20 EUR dans un délai d'un mois.",
                 "Une majoration de 10 % sera appliquée.")
    demeure = classify_human(mail("Votre dossier", "Voir le courrier joint.\n",
                                  attachments=(("med.pdf", letter),)), "caisse")
    assert demeure.kind == "mise_en_demeure"
    assert facts(demeure, "reference", "amount", "date") == [
        ("mise_en_demeure", "2026-974-000318", "2046.20", "2026-06-01")]
    assert demeure.facts[0].details["majoration"] == "10 %"


def test_a_complement_under_a_bland_subject_says_it_changes_neither_amount_nor_delays():
    """GIVEN a caisse's mail under a subject that says nothing: "vous trouverez ci-joint le tableau détaillé
    des actes concernés, qui complète la motivation de ce courrier. Ce document ne modifie ni le montant de
    l'indu ni les délais" WHEN classified THEN a complement to the indu, not a new notification."""
    body = ("Madame,\nPour faire suite à notre notification de payer du 5 octobre 2026, vous trouverez "
            "ci-joint le tableau détaillé des actes concernés, qui complète la motivation de ce courrier.\n"
            "Ce document ne modifie ni le montant de l'indu ni les délais qui vous ont été indiqués.\n")
    reading = classify_human(mail("Votre dossier", body), "caisse")
    assert reading.kind == "complement_indu"


@pytest.mark.parametrize("subject", ["Votre dossier 691-IND-2026-07731 - suite donnée à vos observations",
                                     "Votre courrier"])
def test_an_indu_cancelled_after_her_observations_is_no_new_notification(subject):
    """GIVEN the caisse's letter "Objet : Annulation de la notification de payer n° 691-IND-2026-07731 … nous
    vous avons notifié un indu d'un montant de 274,95 € … vos observations sont fondées : la notification de
    payer est annulée et l'indu de 274,95 € est abandonné" (under a telling or a bland subject) WHEN
    classified THEN the answer to her observations, favourable, and no indu notified."""
    letter = pdf("Lyon, le 10 novembre 2026",
                 "Objet : Annulation de la notification de payer n° 691-IND-2026-07731",
                 "Le 14 septembre 2026, nous vous avons notifié un indu d'un montant de 274,95 €.",
                 "Après examen, nous vous informons que vos observations sont fondées : la notification de "
                 "payer est annulée et l'indu de 274,95 € est abandonné dans sa totalité.")
    reading = classify_human(mail(subject, "Vous trouverez ci-joint notre réponse.\n",
                                  attachments=(("reponse.pdf", letter),)), "caisse")
    assert (reading.kind, [f.kind for f in reading.facts]) == (
        "reponse_reclamation", ["reclamation_answered"])
    assert reading.facts[0].label == "favorable"


def test_a_notification_after_a_constat_notifies_what_is_left_after_her_observations():
    """GIVEN a notification de payer after a contrôle that recalls "Par courrier du 28 juillet 2026, nous vous
    avons adressé un constat d'anomalies d'un montant de 1 018,40 €" then "nous vous notifions un indu d'un
    montant de 846,20 €" WHEN classified THEN an indu notified for 846,20 €, not a constat."""
    letter = pdf("Saint-Étienne, le 19 octobre 2026", "Nos réf. : GDR/IDEL/2026/0381",
                 "Objet : Notification de payer suite à contrôle - Article L.133-4",
                 "Par courrier du 28 juillet 2026, nous vous avons adressé un constat d'anomalies",
                 "d'un montant de 1 018,40 €, en vous invitant à nous faire part de vos observations.",
                 "Après examen, nous avons retenu vos observations, soit 172,20 €.",
                 "En conséquence, nous vous notifions un indu d'un montant de 846,20 €.")
    reading = classify_human(mail("Dossier GDR/IDEL/2026/0381", "Voici la notification.\n",
                                  attachments=(("notification.pdf", letter),)), "caisse")
    assert (reading.kind, facts(reading, "amount")) == (
        "notification_indu", [("indu_notified", "846.20")])


def test_a_mise_en_demeure_asks_what_is_still_due_not_the_surcharge_it_threatens():
    """GIVEN a mise en demeure with a recap of the debt in dotted lines ("Reste dû à ce jour ........ 1 126,80
    €") and a surcharge if unpaid ("une majoration de 10 % sera appliquée aux sommes / restant dues (soit
    112,68 €…)") WHEN classified THEN the amount is what is still due."""
    letter = pdf("Marseille, le 3 novembre 2026", "Nos réf. : MED/2026/131/00377", "Objet : MISE EN DEMEURE",
                 "Montant notifié le 12/06/2026 ................ 1 326,80 €",
                 "Versement reçu le 04/09/2026 ................. -200,00 €",
                 "Reste dû à ce jour ............................ 1 126,80 €",
                 "À défaut de règlement dans ce délai, une majoration de 10 % sera appliquée aux sommes",
                 "restant dues (soit 112,68 € sur la base du solde actuel).")
    demeure = classify_human(mail("Votre courrier", "Un courrier est joint.\n",
                                  attachments=(("med.pdf", letter),)), "caisse")
    assert facts(demeure, "amount") == [("mise_en_demeure", "1126.80")]


def test_a_lot_return_whose_invoices_are_told_nothing_each_is_shown_to_her():
    """GIVEN a lot return whose one-cell-per-line table, quoted in a reply, tells one invoice to re-bill and
    the next paid in one passage (neither read apart) WHEN classified THEN the reading asks a human: no
    invoice is told paid or to re-bill."""
    body = ("Madame,\nLe traitement de votre lot 118 appelle les remarques ci-dessous.\n\n> *Facture*\n"
            "> 005 633 870\n> 31,50 €\n> Cotation non cumulable\n> Corriger la cotation et refacturer\n"
            "> 005 633 889\n> 15,90 €\n> Mise en paiement le 21/10/2026\n")
    reading = classify_human(mail("Retour sur le traitement de vos lots", body), "caisse")
    assert reading.needs_review and "invoice_paid" not in [f.kind for f in reading.facts]


def test_a_total_that_does_not_match_is_shown_not_sent_to_a_human():
    """GIVEN a lot return whose rows are read and whose total row does not match their sum WHEN read THEN
    the rows give their facts, the mismatch is among the problems, and the message is not held for a
    human (the rows themselves are clear)."""
    body = ("Lot\tFacture\tMontant\tMotif\n"
            "412\t600118734\t33,60 €\tPrescription interdite à cette date\n"
            "412\t600119020\t71,45 €\tExonération non trouvée au fichier\n"
            "Total\t\t115,05 €\t\n\nMerci de corriger et de refacturer ces factures.\n")
    reading = classify_human(mail("Retour sur le traitement de vos lots", body,
                                  sender="ps@assurance-maladie.fr"), "caisse")
    assert [f.invoice for f in reading.facts] == ["600118734", "600119020"]
    assert any("total" in p for p in reading.problems) and reading.needs_review is None


def test_a_reclamation_answered_by_a_table_of_invoices_paid():
    """GIVEN an answer to a réclamation, under a bland subject, saying the invoices "ont été mises en
    paiement" with a table of amounts paid WHEN read THEN the answer (favourable, its reference) and one
    payment per invoice, of the amount paid: not a lot return."""
    body = ("Nous faisons suite à votre réclamation du 2 octobre 2026, enregistrée sous le n° "
            "RCL-47-2026-003318.\n\nAprès vérification, ces factures ont été mises en paiement :\n\n"
            "N° facture | Soins du | Montant réglé | Virement du\n"
            "260472008 | 07/09/2026 | 42,00 € | 06/11/2026\n260472015 | 08/09/2026 | 17,85 € | 06/11/2026\n\n"
            "Nous considérons votre réclamation comme traitée.\n")
    reading = classify_human(mail("Votre dossier", body, sender="recla@assurance-maladie.fr"), "caisse")
    assert reading.kind == "reponse_reclamation" and reading.needs_review is None
    assert [(f.kind, f.invoice, f.amount, f.label) for f in reading.facts][1:] == [
        ("invoice_paid", "260472008", Decimal("42.00"), None),
        ("invoice_paid", "260472015", Decimal("17.85"), None)]
    assert (reading.facts[0].kind, reading.facts[0].label) == ("reclamation_answered", "favorable")


def test_a_reclamation_refused_whose_first_sentence_holds_dotted_dates():
    """GIVEN an answer to a réclamation whose first sentence names it with dotted dates ("REC/561/2026/05581
    du 14.10.26 - facture n° 104226903 … - a retenu toute notre attention") and says "nous ne pouvons
    pas donner une suite favorable" WHEN read THEN an unfavourable answer with its reference and invoice."""
    body = ("Madame,\n\nVotre réclamation REC/561/2026/05581 du 14.10.26 - facture n° 104226903 du\n"
            "lot 087 (soins du 21.09.26 au 30.09.26, Mme Yvonne K.) - a retenu toute notre\nattention.\n\n"
            "En conséquence, nous ne pouvons pas donner une suite favorable à votre demande.\n")
    reading = classify_human(mail("Réclamation REC/561/2026/05581 - réponse", body,
                                  sender="ps@assurance-maladie.fr"), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.label, fact.reference, fact.invoice) == (
        "reponse_reclamation", "défavorable", "REC/561/2026/05581", "104226903")


def test_a_lot_refused_whole_takes_its_own_instruction_not_the_others():
    """GIVEN a lot rejected in full, to re-transmit, then "Les autres lots de la semaine sont ok, rien à
    faire" WHEN read THEN the refused lot is to be re-billed (what the other lots get is not its)."""
    body = ("Votre lot 076 transmis le 09/11 a été rejeté en totalité (fichier incomplet). Il faut le "
            "retransmettre.\nLes autres lots de la semaine sont ok, rien à faire.\n")
    reading = classify_human(mail("Retour sur le traitement de vos lots", body,
                                  sender="ps@assurance-maladie.fr"), "caisse")
    assert [(f.kind, f.lot, f.details.get("action")) for f in reading.facts] == [
        ("lot_refused", "076", "refacturer")]


def test_a_pieces_request_leaves_out_the_invoice_it_says_is_fine():
    """GIVEN a request for a legible prescription for one invoice, and "l'ordonnance de la facture … est
    lisible, rien à faire pour celle-là" for another WHEN read THEN one pièces request, for the first."""
    body = ("Pour la facture n° 000 781 224 (lot 155), l'ordonnance transmise est illisible. Pourriez-vous "
            "nous en renvoyer une copie lisible ? Inutile de refacturer.\n\nPour info, l'ordonnance de la "
            "facture 000 781 230 (même lot) est lisible : rien à faire de votre côté pour celle-là.\n")
    reading = classify_human(mail("Ordonnance illisible - facture 000 781 224", body,
                                  sender="ps@assurance-maladie.fr"), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts] == [("pieces_requested", "000781224")]


def test_a_lot_return_with_a_pieces_request_beside_it():
    """GIVEN a lot return whose table lists two rejects, and a passage beside it asking for the missing
    prescription of another invoice before a date, without re-billing WHEN read THEN the two rejects to
    re-bill, and a pièces request for the other invoice with its deadline."""
    body = ("Deux choses pour vous :\n\n1/ Retour sur vos lots 541 et 542 :\n\n"
            "Lot\tFacture\tSoins\tMontant\tRejet\tMotif\n"
            "541\t600118734\t05/10/2026\t33,60 €\t0470 049\tPrescription interdite à cette date\n"
            "542\t600119020\t07/10/2026\t71,45 €\t0450 072\tExonération non trouvée au fichier\n\n"
            "Pour ces deux factures : il faut corriger et refacturer.\n\n"
            "2/ Par ailleurs, pour la facture 600117655 (lot 538, soins du 28/09/2026) il nous manque la "
            "prescription médicale. Merci de me l'envoyer avant le 30/10/2026. Pas de refacturation pour "
            "celle-ci, elle est en attente chez nous.\n\nCordialement\n")
    reading = classify_human(mail("Retour sur vos lots", body, sender="ps@assurance-maladie.fr"), "caisse")
    got = [(f.kind, f.invoice, f.details.get("action"), f.details.get("deadline")) for f in reading.facts]
    assert got == [
        ("invoice_in_anomaly", "600118734", "refacturer", None),
        ("invoice_in_anomaly", "600119020", "refacturer", None),
        ("pieces_requested", "600117655", "pieces", date(2026, 10, 30))]


@pytest.mark.parametrize(("subject", "body", "amount"), [
    ("Notification de payer 63-IDEL-26-5521",
     "Montant de l'indu : 2 146,80 €\nDéjà récupéré par retenue : 512,30 €\n"
     "Solde restant dû : 1 634,50 €\n", "1634.50"),
    ("Mise en demeure MED-801-2026-00221",
     "Montant de l'indu notifié : 1 205,60 €\nPrincipal restant dû : 934,60 €\n"
     "Majoration de retard (10 %) : 93,46 €\nTotal à régler : 1 028,06 €\n", "1028.06"),
    ("Mise en demeure - Dossier n° 85-PS-2026-3307",
     "Nous vous avons notifié un indu de 1 540,00 €.\nversement du 14/08/2026 ........ 300,00 €\n"
     "reste dû ........ 940,00 €\n", "940.00"),
    ("Mise en demeure MED-81-2026-0042",
     "Nous vous avons informée d'un indu de 1.586,00 euros. Nous vous mettons en demeure de nous régler la "
     "somme de 1.744,60 euros.\n- montant de l'indu ........ 1.586,00 euros\n"
     "- majoration de 10 % ........ 158,60 euros\n", "1744.60"),
    ("Notification de payer - indu n° 2026/211/IDE/0093",
     "Vous êtes redevable envers la Caisse de la somme de mille deux cent\nquatre-vingt-sept euros et "
     "quarante centimes (1287,40 euros).\n", "1287.40"),
    ("MISE EN DEMEURE - Réf. MED-78-2026-1142",
     "Par notification de payer du 3 juillet 2026, nos services vous ont réclamé le remboursement d’un indu "
     "de 2 340,00 €.\nAprès imputation d’une retenue de 420,00 € opérée sur vos paiements, vous restez "
     "redevable de la somme de 1.920,00 €.\nJe vous mets en demeure de régler la somme de 1.920,00 €.\n",
     "1920.00"),
    ("Notification de payer - 972-IDU-26-00517",
     "Le montant des sommes indûment versées s'élève à 2.064,90 EUR, selon le détail ci-dessous.\n"
     "   Patient    Période    Montant\n   M. R.      juin 2026  1.032,45 EUR\n", "2064.90"),
])
def test_indu_amount_is_what_is_to_be_paid_now(subject, body, amount):
    """GIVEN an indu letter stating several amounts (notified, recovered, balance, surcharge) or the
    amount in words with the figures in brackets WHEN read THEN the amount is what must be paid now:
    the total to pay with its surcharge, else the balance still due, else the amount notified."""
    reading = classify_human(mail(subject, "Madame,\n\n" + body + "\nL'agent comptable.\n",
                                  sender="recouvrement@assurance-maladie.fr"), "caisse")
    assert reading.kind in ("notification_indu", "mise_en_demeure")
    assert str(reading.facts[0].amount) == amount and reading.needs_review is None


def test_a_decision_of_the_commission_under_a_bland_subject_cites_the_notification():
    """GIVEN a CRA decision declaring the recours inadmissible, under the subject "Votre dossier", whose
    letter recalls the notification de payer it rules on WHEN read THEN a CRA rejection with its own
    recours number, the notification in the details: never a new indu."""
    body = ("Madame,\n\nObjet : votre recours du 25 septembre 2026 - n° CRA-451-2026-0733\n"
            "Rappel : notification de payer n° 45-IND-26-01562 du 1er juillet 2026 (588,20 €)\n\n"
            "La notification de payer vous a été adressée par lettre recommandée.\n\n"
            "Lors de sa séance du 12 novembre 2026, la Commission a déclaré votre recours IRRECEVABLE pour "
            "forclusion. Vous pouvez contester la présente décision devant le pôle social du tribunal "
            "judiciaire dans un délai de deux mois.\n")
    reading = classify_human(mail("Votre dossier", body, sender="cra@assurance-maladie.fr"), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.label, fact.reference) == ("decision_cra", "rejet", "CRA-451-2026-0733")
    assert fact.details["indu_reference"] == "45-IND-26-01562"


@pytest.mark.parametrize(("decision", "label"), [
    ("La Commission a décidé de rejeter votre recours.", "rejet"),
    ("La Commission a décidé de faire droit partiellement à votre recours ; l'indu est ramené à 2 598,10 €.",
     "partiel"),
    ("La Commission a décidé de faire droit à votre recours et d'annuler l'indu.", "favorable"),
    ("La Commission a décidé de renvoyer le dossier au service.", None),
])
def test_decision_cra(decision, label):
    """GIVEN a CRA decision letter WHEN classified THEN cra_decision with its own reference (the recours
    number), the indu it rules on in the details (the case key), and label rejet/partiel/favorable;
    an unknown wording has no label and goes to a human."""
    letter = pdf("Saint-Denis, le 26 juin 2026", "Recours n° CRA-2026-0457 – indu n° 2026-974-000318",
                 "Décision de la Commission de recours amiable", "Séance du 23 juin 2026", decision)
    reading = classify_human(mail("Décision de la CRA", "Ci-joint la décision.\n", sender="cra@cgss.re",
                                  attachments=(("d.pdf", letter),)), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.kind, fact.label, fact.reference) == (
        "decision_cra", "cra_decision", label, "CRA-2026-0457")
    assert fact.date == date(2026, 6, 26) and fact.details["session_date"] == date(2026, 6, 23)
    assert fact.details["recours_reference"] == "CRA-2026-0457"
    assert fact.details["indu_reference"] == "2026-974-000318"
    assert case_key(fact) == "indu|974|2026-974-000318"
    assert (reading.needs_review is None) == (label is not None)
    if label == "partiel":
        assert fact.amount == Decimal("2598.10")


# --------------------------------------------------------------------------- réclamations


def test_reclamation_acknowledged_and_answered():
    """GIVEN an acknowledgement and two answers WHEN classified THEN reclamation_acknowledged with
    invoice/reference, then reclamation_answered favourable, or for a human when the outcome is unclear."""
    ack = classify_human(mail("Accusé de réception de votre réclamation",
                              "Nous accusons réception de votre réclamation du 05/05/2026 concernant la "
                              "facture n° 000012347, enregistrée sous la référence REC-974-2026-01532.\n"),
                         "caisse")
    assert ack.kind == "reponse_reclamation"
    assert facts(ack, "invoice", "reference") == [
        ("reclamation_acknowledged", "000012347", "REC-974-2026-01532")]
    assert ack.facts[0].details["submitted_on"] == date(2026, 5, 5)
    yes = classify_human(mail("RE: réclamation facture 000012347",
                              "Suite à votre réclamation, nous avons procédé à la régularisation de la "
                              "facture n° 000012347.\n", sender=MARNE), "caisse")
    assert facts(yes, "invoice", "label") == [("reclamation_answered", "000012347", "favorable")]
    unclear = classify_human(mail("Votre réclamation", "En réponse à votre réclamation, voici nos "
                                  "explications détaillées.\n"), "caisse")
    assert unclear.facts[0].kind == "reclamation_answered" and unclear.needs_review


def test_a_partial_answer_that_pays_a_complement_on_the_one_invoice():
    """GIVEN an answer "Votre demande est partiellement accueillie : … un complément de 18,60 € vous a été
    versé le 06/11/2026 ; en revanche, les majorations de nuit ne peuvent pas être prises en charge" about
    one invoice WHEN classified THEN a partial answer and the complement paid on that invoice."""
    body = ("Suite à votre réclamation, nous avons réexaminé la facture 000 611 290.\n"
            "Votre demande est partiellement accueillie :\n- l'exonération n'avait pas été appliquée : la "
            "régularisation a été faite et un complément de 18,60 € vous a été versé le 06/11/2026 ;\n"
            "- en revanche, les majorations de nuit ne peuvent pas être prises en charge.\n")
    answer = classify_human(mail("RE: Réclamation facture 000611290", body, sender=MARNE), "caisse")
    assert facts(answer, "invoice", "label", "amount") == [
        ("reclamation_answered", "000611290", "partielle", None),
        ("invoice_paid", "000611290", None, "18.60")]


@pytest.mark.parametrize("body,kind", [
    ("Nous accusons réception de votre message, qui sera traité dans les meilleurs délais.\n",
     "reponse_reclamation"),
    # an agent away from her desk: nothing acknowledged
    ("Je suis absente du bureau jusqu'au 30/11/2026. En cas d'urgence, appelez le 36 08.\n", "unknown"),
])
def test_an_automatic_answer_of_the_reclamations_mailbox(body, kind):
    """GIVEN an automatic answer "Réponse automatique : Réclamation facture 220 871 406" WHEN classified THEN
    her réclamation acknowledged when it says it was received; an out-of-office says nothing."""
    subject = "Réponse automatique : Réclamation facture 220 871 406"
    reading = classify_human(mail(subject, body, sender=MARNE), "caisse")
    assert reading.kind == kind
    if kind != "unknown":
        assert facts(reading, "invoice") == [("reclamation_acknowledged", "220871406")]


def test_an_acknowledgment_with_a_typo_is_still_an_acknowledgment():
    """GIVEN "Nous acusons bonne réception de votre réclamation du 03/11/2026 concernant la facture n° 009
    730 882", in course of study (a typo agents make) WHEN classified THEN her réclamation acknowledged."""
    body = ("Bonjour Madame,\nNous acusons bonne réception de votre réclamation du 03/11/2026 concernant la "
            "facture n° 009 730 882 (soins du 21/10/2026).\nElle est en cours d'étude.\n")
    reading = classify_human(mail("AR - votre réclamation du 03/11/2026", body), "caisse")
    assert (reading.kind, facts(reading, "invoice")) == (
        "reponse_reclamation", [("reclamation_acknowledged", "009730882")])


@pytest.mark.parametrize("answer,paid", [
    ("ok c bon c réglé", True),
    ("C'est payé. Bonne journée", True),
    ("c pas encore réglé, je relance le service", False),
    ("ok je regarde ça", False),
])
def test_a_few_words_from_a_phone_above_her_question(answer, paid):
    """GIVEN an agent's answer of a few words from her phone above the professional's quoted question about
    one invoice WHEN classified THEN "c'est réglé" is her réclamation answered and the invoice paid; any
    other few words are not read as a payment."""
    body = (f"{answer}\n\nEnvoyé depuis mon smartphone Samsung Galaxy.\n\n\n-------- Message d'origine "
            "--------\nDe : Marie Exemple <marie.exemple@example.org>\nDate : 28/10/2026 19:02\n"
            "À : agent@cgss.re\nObjet : facture 009741256\n\nBonjour,\nla facture 009741256 (soins du "
            "12/10/2026, lot 077) n'est toujours pas réglée.\nPouvez-vous regarder ?\nMarie Exemple\n")
    reading = classify_human(mail("RE: facture 009741256", body), "caisse")
    if paid:
        assert (reading.kind, reading.needs_review, facts(reading, "invoice")) == (
            "reponse_reclamation", None,
            [("reclamation_answered", "009741256"), ("invoice_paid", "009741256")])
    else:
        assert "invoice_paid" not in [f.kind for f in reading.facts]


def test_her_reclamation_answered_invoice_by_invoice_is_no_lot_return():
    """GIVEN an agent's answer "Nous faisons suite à votre réclamation du 28 septembre 2026 … voici la
    situation de chacune d'elles" with one invoice paid on a day, one rejected with its code and quoted words
    to re-bill, and one still under study at the service médical WHEN classified THEN her réclamation
    answered, the payment with its day, the reject with what to do, the third deferred."""
    body = ("Madame,\nNous faisons suite à votre réclamation du 28 septembre 2026 sur trois factures.\n"
            "Après étude de votre dossier, voici la situation de chacune d'elles :\n\n"
            "- Facture n° 000 318 442 (lot 207, soins du 1er au 10 septembre 2026) : elle a été réglée le 22 "
            "septembre 2026 pour un montant de 118,35 €.\n\n"
            "- Facture n° 000 318 459 (lot 207) : elle a été rejetée le 24 septembre 2026 avec le code 0450 "
            "072 « Exonération non trouvée dans le fichier de la caisse à la date des soins ». Nous vous "
            "invitons à refacturer ces soins au taux normal.\n\n"
            "- Facture n° 000 318 466 (lot 209) : elle est toujours à l'étude auprès de notre service "
            "médical ; aucune démarche n'est à effectuer de votre part.\n")
    reading = classify_human(mail("RE: Réclamation paiements - 3 factures", body,
                                  when=datetime(2026, 10, 13, 10, 0, tzinfo=UTC)), "caisse")
    assert reading.kind == "reponse_reclamation"
    assert facts(reading, "invoice", "date", "reject_code") == [
        ("reclamation_answered", "000318442", "2026-10-13", None),
        ("invoice_paid", "000318442", "2026-09-22", None),
        ("invoice_in_anomaly", "000318459", None, "0450"),
        ("invoice_deferred", "000318466", None, None)]
    assert reading.facts[2].details["action"] == "refacturer"


def test_a_table_of_the_invoices_her_reclamation_named_under_a_bland_subject():
    """GIVEN "Voici le résultat de nos recherches sur les factures citées dans votre réclamation du
    16/09/2026" over a table (two paid with their day, one rejected to re-bill, one in process) under a
    subject that says nothing WHEN classified THEN her réclamation answered, invoice by invoice."""
    body = ("Voici le résultat de nos recherches sur les factures citées dans votre réclamation du "
            "16/09/2026 (lot 164) :\n\n"
            "Montant réglé (€) | N° de facture | Situation | Date de paiement / de rejet\n"
            "44,10 | 000 447 018 | Payée | 18/09/2026\n112,80 | 000 447 025 | Payée | 22/09/2026\n"
            "- | 000 447 031 | Rejetée - Prescripteur inconnu (0460 053) : à refacturer | 21/09/2026\n"
            "- | 000 447 046 | En cours de traitement | -\n")
    reading = classify_human(mail("Vos factures", body), "caisse")
    assert reading.kind == "reponse_reclamation"
    assert facts(reading, "invoice", "date") == [
        ("reclamation_answered", "000447018", "2026-04-14"), ("invoice_paid", "000447018", "2026-09-18"),
        ("invoice_paid", "000447025", "2026-09-22"), ("invoice_in_anomaly", "000447031", None),
        ("invoice_deferred", "000447046", None)]


def test_an_invoice_never_received_is_sent_again_not_documented():
    """GIVEN an answer "nous n'avons trouvé aucune trace de la facture n° 381077420 … elle ne nous est jamais
    parvenue … la facture doit être retélétransmise ; en cas d'ARL positif, merci de nous en adresser une
    copie" WHEN classified THEN her réclamation answered, the invoice to send again, and no request for a
    document (the copy is asked only if she has a positive ARL)."""
    body = ("Madame,\nSuite à votre réclamation du 12/10/2026 : après recherche, nous n'avons trouvé aucune "
            "trace de la facture n° 381077420 (soins du 14/09/2026) dans nos fichiers : elle ne nous est "
            "jamais parvenue.\nEn l'absence d'ARL positif, la facture doit être retélétransmise ; en cas "
            "d'ARL positif, merci de nous en adresser une copie.\n")
    reading = classify_human(mail("RE: Réclamation facture 381077420", body), "caisse")
    assert [(f.kind, f.invoice, f.details.get("action")) for f in reading.facts] == [
        ("reclamation_answered", "381077420", "refacturer")]


def test_an_answer_that_recalls_the_reclamations_registered_reference():
    """GIVEN "Suite à votre réclamation enregistrée sous la référence RPS-691-2026-33120, … la facture n°
    005207731 … a été réglée le 23/10/2026 pour un montant de 41,70 euros … Nous considérons votre réclamation
    comme close." WHEN classified THEN her réclamation answered and the invoice paid that day (not an
    acknowledgment)."""
    body = ("Madame,\nSuite à votre réclamation enregistrée sous la référence RPS-691-2026-33120, nous vous "
            "informons que la facture n° 005207731 (soins du 14/09/2026) a été réglée le 23/10/2026 pour un "
            "montant de 41,70 euros au titre de la part obligatoire.\nNous considérons votre réclamation "
            "comme close.\n")
    reading = classify_human(mail("RE: Réclamation paiement - facture 005 207 731", body), "caisse")
    assert facts(reading, "invoice", "date") == [("reclamation_answered", "005207731", "2026-04-14"),
                                                 ("invoice_paid", "005207731", "2026-10-23")]


def test_an_answer_giving_the_reclamations_number_after_its_day():
    """GIVEN "En réponse à votre réclamation du 19/10/2026 (n° R931-26-045512) concernant les factures …"
    WHEN classified THEN the answer carries that number as its reference."""
    body = ("Madame,\n\nEn réponse à votre réclamation du 19/10/2026 (n° R931-26-045512) concernant la "
            "facture 011508285, nous vous informons qu'elle a été réglée le 16/10/2026 pour un montant de "
            "112,40 €.\n")
    reading = classify_human(mail("Réponse à votre réclamation", body), "caisse")
    assert facts(reading, "reference")[0] == ("reclamation_answered", "R931-26-045512")


def test_a_reject_the_caisse_admits_was_its_error_and_the_invoice_put_back_in_payment():
    """GIVEN "le rejet de votre facture n° 000 702 115 … avec le code 2900 005 « Facture déjà payée », est une
    erreur de nos services … La facture a été remise en paiement le 03/11/2026 pour son montant total de
    96,60 €" WHEN classified THEN her réclamation answered, favourably, and the invoice paid that day."""
    body = ("Je fais suite à votre réclamation du 27 octobre dernier.\nVous avez raison : le rejet de votre "
            "facture n° 000 702 115 (lot 316), notifié le 23/10/2026 avec le code 2900 005 « Facture déjà "
            "payée », est une erreur de nos services.\nLa facture a été remise en paiement le 03/11/2026 "
            "pour son montant total de 96,60 € ; ne la retransmettez pas.\n")
    reading = classify_human(mail("RE: Rejet 2900 facture 000 702 115 - contestation", body), "caisse")
    assert [(f.kind, f.invoice, f.amount, f.date) for f in reading.facts][1:] == [
        ("invoice_paid", "000702115", Decimal("96.60"), date(2026, 11, 3))]


@pytest.mark.parametrize("instruction,told", [
    ("Je vous invite donc à refacturer ces soins au taux normal, sous un nouveau numéro de facture.", True),
    ("Si vous disposez d'une attestation d'ALD en cours, nous vous invitons à refacturer.", False),
])
def test_a_refused_reclamation_tells_what_to_do_with_the_rejected_invoice(instruction, told):
    """GIVEN an agent's answer under her quoted question: "la facture n° 000 318 552 (lot 104) a été rejetée
    le 29/09/2026 avec le code 0450 072 « exonération non trouvée »", then an instruction to re-bill WHEN
    classified THEN beside the answer, the invoice's reject with what to do — unless the instruction is
    given on a condition ("Si vous disposez …")."""
    body = ("Bonjour Madame,\nAprès vérification, la facture n° 000 318 552 (lot 104) a été rejetée le "
            f"29/09/2026 avec le code 0450 072 « exonération non trouvée ».\n{instruction}\n\nJ. Martinez\n\n"
            "De : Marie Exemple <marie.exemple@example.org>\nEnvoyé : lundi 5 octobre 2026 18:22\n"
            "À : relations-ps@assurance-maladie.fr\nObjet : facture 000 318 552 non réglée\n\nBonjour,\n"
            "La facture 000318552 (41,70 €) ne m'a toujours pas été réglée. Pourriez-vous vérifier ?\n")
    reading = classify_human(mail("RE: facture 000 318 552 non réglée", body, sender=MARNE), "caisse")
    assert reading.kind == "reponse_reclamation"
    rejects = [(f.invoice, f.reject_code, f.details.get("action")) for f in reading.facts
               if f.kind == "invoice_in_anomaly"]
    assert rejects == ([("000318552", "0450", "refacturer")] if told else [])


def test_a_recours_acknowledged_is_not_a_new_indu():
    """GIVEN the CRA secretariat's acknowledgment of her recours, which recalls the indu it contests (its
    reference, its amount) and the two-month delays WHEN classified THEN an acknowledgment under the
    recours number, never a new indu notification (that would open a second appeal window)."""
    ack = classify_human(mail("Votre courrier",
                              "Nous accusons réception de votre recours, reçu le 02/11/2026, contestant la "
                              "notification d'indu du 15/09/2026 (réf. 342-IND-26-7781) d'un montant de "
                              "264,60 EUR.\nVotre recours est enregistré sous le numéro R-342-2026-01892.\n"
                              "La Commission dispose d'un délai de deux mois pour se prononcer.\n",
                              sender=MARNE), "caisse")
    assert ack.kind == "reponse_reclamation" and not ack.needs_review
    assert facts(ack, "reference") == [("reclamation_acknowledged", "R-342-2026-01892")]


@pytest.mark.parametrize("body,label,paid", [
    ("Suite à notre entretien téléphonique, je vous confirme que les factures 000 812 004 (38,60 €) et "
     "000 812 009 (52,30 €) ont été mises en paiement ce jour.\n", "favorable",
     [("000812004", "38.60"), ("000812009", "52.30")]),
    ("Nous faisons suite à votre réclamation relative à la facture n° 000 559 871. Après vérification, le "
     "règlement de 9,45 euros effectué le 16/10/2026 est conforme aux données transmises. Nous ne pouvons "
     "donc pas donner une suite favorable à votre demande.\n", "défavorable", [("000559871", "9.45")]),
    ("Nous faisons suite à votre réclamation relative à la facture n° 000 559 871. Nous ne pouvons pas "
     "donner une suite favorable à votre demande : le rejet est justifié.\n", "défavorable", []),
])
def test_a_reclamation_answer_tells_the_payments_it_confirms(body, label, paid):
    """GIVEN an answer confirming two invoices "ont été mises en paiement ce jour" in one sentence, or
    refusing a réclamation because "le règlement de 9,45 euros effectué le 16/10/2026 est conforme" WHEN
    classified THEN each payment is a fact with its amount; a plain refusal gives none."""
    reading = classify_human(mail("RE: réclamation", body, sender=MARNE), "caisse")
    assert reading.facts[0].label == label
    assert [(f.invoice, str(f.amount)) for f in reading.facts[1:] if f.kind == "invoice_paid"] == paid
    assert len(reading.facts) == 1 + len(paid)


def test_a_refused_reclamation_tells_the_day_of_the_payment_it_upholds():
    """GIVEN a refusal whose paragraphs say "Cette facture a été réglée le 04/11/2026 pour un montant de
    28,35 € (part obligatoire, taux de 60 %)" then "nous ne pouvons pas donner une suite favorable" WHEN
    classified THEN the payment is a fact dated the day it was made."""
    body = ("Par votre réclamation n° REC-23-2026-01644 du 16/11/2026, vous demandez la régularisation "
            "à 100 % de la facture n° 000451236 (soins du 19/10/2026 au 23/10/2026).\n\nCette facture a "
            "été réglée le 04/11/2026 pour un montant de 28,35 € (part obligatoire, taux de 60 %).\n\n"
            "Après examen, nous ne pouvons pas donner une suite favorable à votre demande.\n")
    reading = classify_human(mail("Réponse à votre réclamation REC-23-2026-01644", body, sender=MARNE),
                             "caisse")
    assert facts(reading, "invoice", "amount", "date")[1:] == [
        ("invoice_paid", "000451236", "28.35", "2026-11-04")]


def test_amelipro_notifications():
    """GIVEN amelipro's "Votre réclamation a été traitée" WHEN classified THEN kind amelipro, the answer is
    to be read in amelipro (15 days); a "nouveau message" notice has no fact but must be read."""
    body = ("Votre réclamation n° RECLA-2026-05-004871 déposée le 07/05/2026 a été traitée par votre "
            "caisse.\nConnectez-vous à votre espace amelipro. La réponse reste consultable pendant "
            "15 jours.\n")
    reading = classify_human(mail("Votre réclamation a été traitée", body,
                                  sender="amelipro <noreply@ameli.fr>"), "caisse")
    assert (reading.kind, reading.caisse, reading.needs_review) == ("amelipro", None, None)
    (fact,) = reading.facts
    assert (fact.kind, fact.reference, fact.details["answer_in"], fact.details["available_days"]) == (
        "reclamation_answered", "RECLA-2026-05-004871", "amelipro", 15)
    notice = classify_human(mail("[amelipro] Nouveau message", "Vous avez un nouveau message dans votre "
                                 "espace amelipro.\n", sender="amelipro <noreply@ameli.fr>"), "caisse")
    assert notice.kind == "amelipro" and not notice.facts and "amelipro" in notice.needs_review


# --------------------------------------------------------------------------- AMC


def test_amc_statement_paid_and_refused_by_section():
    """GIVEN an operator's statement PDF with a paid section and a refused section WHEN classified THEN
    amc_paid / amc_rejected per invoice, operator name as caisse, part AMC."""
    statement = pdf("Relevé n° VMD-2026-06-0000042", "Règlement du 11/06/2026", "Avis de règlement",
                    "Facture 000015400 – soins du 01/06/2026 – 12,60 €",
                    "Factures refusées",
                    "Facture 000015401 – soins du 02/06/2026 – 6,14 € – adhérent inconnu")
    reading = classify_human(mail("Votre relevé tiers payant", "Votre relevé est disponible.\n",
                                  sender="Viamedis <releves-ps@viamedis.fr>",
                                  attachments=(("r.pdf", statement),)), "amc")
    assert (reading.kind, reading.caisse) == ("amc", "viamedis")
    assert facts(reading, "invoice", "amount", "part", "caisse") == [
        ("amc_paid", "000015400", "12.60", "AMC", "viamedis"),
        ("amc_rejected", "000015401", "6.14", "AMC", "viamedis")]
    assert reading.facts[0].date == date(2026, 6, 11)  # the payment date; care date in the details


def test_amc_operator_names_and_text_rejection():
    """GIVEN an almerys rejection and an SP santé payment WHEN classified THEN the operators are named
    "almerys" and "spsante"."""
    body = ("La facture ci-dessous a été rejetée :\nFacture : 000015410 (lot 150)\n"
            "Date des soins : 20/05/2026\nMontant : 8,40 €\nMotif : bénéficiaire non reconnu\n")
    reading = classify_human(mail("Rejet de facture", body, sender="notification-ps@almerys.com"), "amc")
    assert facts(reading, "caisse", "invoice", "lot", "amount", "label", "date") == [
        ("amc_rejected", "almerys", "000015410", "150", "8.40", "bénéficiaire non reconnu", "2026-05-20")]
    paid = classify_human(mail("Avis de paiement", "Paiement du 01/06/2026 :\n"
                               "- facture 000015420 réglée 5,00 €\n", sender="ps@sp-sante.fr"), "amc")
    assert facts(paid, "caisse", "invoice", "amount", "date") == [
        ("amc_paid", "spsante", "000015420", "5.00", "2026-06-01")]


# --------------------------------------------------------------------------- information, trust


def test_newsletter_and_invitation():
    """GIVEN an infoslettre full of trigger words and an invitation WHEN classified THEN newsletter with
    no fact, and meeting_invitation dated with the meeting, its time and the reply deadline."""
    news = classify_human(mail("Infoslettre PS – juin 2026", "Rappel : une notification de payer, un "
                               "indu, un rejet 2900 facture déjà payée... Se désabonner.\n", sender=MARNE),
                          "caisse")
    assert (news.kind, news.facts, news.caisse) == ("newsletter", (), "511")
    invitation = classify_human(mail("Invitation à un échange sur votre facturation", None, html=(
        "<p>Nous vous proposons un rendez-vous le <b>lundi 1er juin 2026 à 14&nbsp;h</b>. Merci de répondre "
        "avant le 25/05/2026.</p>")), "caisse")
    (fact,) = invitation.facts
    assert (invitation.kind, fact.kind, fact.date) == ("invitation", "meeting_invitation", date(2026, 6, 1))
    assert fact.details == {"meeting_date": date(2026, 6, 1), "time": "14:00",
                            "reply_before": date(2026, 5, 25)}


def test_the_service_medical_proposing_an_interview_is_an_invitation_from_the_caisse_of_its_area():
    """GIVEN the secretariat of the échelon local du service médical of Haute-Corse "j'ai l'honneur de vous
    proposer un entretien au sujet de vos BSI" on a day, under "Proposition d'entretien" WHEN classified
    THEN an invitation on that day, from the CPAM de la Haute-Corse (202)."""
    body = ("Madame,\nA la demande du médecin-conseil, j'ai l'honneur de vous proposer un entretien au sujet "
            "de vos bilans de soins infirmiers (BSI).\nCet entretien aura lieu le jeudi 19 novembre 2026 à "
            "10 h 30.\n\nSecrétariat de l'Échelon Local du Service Médical de Haute-Corse\n")
    reading = classify_human(mail("Proposition d'entretien - Service médical", body,
                                  sender="ELSM <secretariat.elsm@assurance-maladie.fr>"), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.date, reading.caisse) == ("invitation", date(2026, 11, 19), "202")


def test_a_letter_of_information_with_a_made_up_table_of_rejects_is_no_lot_return():
    """GIVEN the caisse's letter of information to nurses, forwarded (no list header left), showing "un
    extrait fictif" of a lot return with invoices, codes and instructions ("Les données ci-dessous sont des
    exemples : elles ne concernent pas votre activité") WHEN classified THEN a newsletter, no fact."""
    body = ("Info'PS Infirmiers - n° 27\nChaque semaine, notre cellule Flux vous adresse un « retour sur le "
            "traitement des lots ».\nVoici un extrait fictif, tel que vous pourriez le recevoir. Les données "
            "ci-dessous sont des exemples : elles ne concernent pas votre activité.\n\n"
            "  071  000 457 812  05/10/2026   32,40 €  2900 005  Facture déjà payée - Ne pas retransmettre\n"
            "  071  000 457 815  06/10/2026   18,90 €  0470 049  Prescription interdite - Corriger et "
            "retransmettre\n\nVous recevez cette lettre d'information parce que vous êtes infirmier libéral. "
            "Pour ne plus la recevoir : https://www.ameli.fr/desinscription\n")
    reading = classify_human(mail("Info'PS Infirmiers n°27 – Bien lire vos retours de lots", body), "caisse")
    assert (reading.kind, reading.facts) == ("newsletter", ())


def test_an_invitation_is_dated_with_the_meeting_ahead_not_a_past_one():
    """GIVEN a webinar invitation that first recalls a past webinar ("du 15 septembre"), then gives the
    new session's day and a registration deadline WHEN classified THEN an invitation dated with the
    session ahead."""
    body = ("Après le succès de notre premier webinaire du 15 septembre, nous organisons une nouvelle "
            "session :\nQuand ? | Mardi 1er décembre 2026, de 13 h à 14 h\n"
            "Inscription gratuite jusqu'au 27/11/2026.\n")
    reading = classify_human(mail("Webinaire « Facturer sans rejet » : inscrivez-vous", body,
                                  when=datetime(2026, 11, 2, 9, 0, tzinfo=UTC)), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.date) == ("invitation", date(2026, 12, 1))


def test_advice_naming_indus_and_arls_is_information():
    """GIVEN a caisse's advice mail: "consultez votre accusé de réception logique (ARL)", "si vous recevez
    une notification d'indu, vous disposez d'un délai de 2 mois", with no lot and no amount WHEN
    classified THEN no ARL and no indu is read from it."""
    body = ("Voici quelques rappels utiles.\nAprès chaque télétransmission, consultez votre accusé de "
            "réception logique (ARL) puis le retour NOEMIE.\nSi vous recevez une notification d'indu, vous "
            "disposez d'un délai de 2 mois pour présenter vos observations.\n")
    reading = classify_human(mail("Rejets, indus : nos conseils pour sécuriser votre facturation", body),
                             "caisse")
    assert (reading.kind, reading.facts) == ("newsletter", ())


def test_a_caisse_answer_above_the_professionals_quoted_reply_is_the_answer_whatever_the_subject():
    """GIVEN an agent's new message, under a subject without "RE:", above the professional's quoted
    reply and the agent's older list of four invoices WHEN classified THEN only the new part is read:
    one invoice paid, one still waiting for its prescription (never the old list)."""
    body = ("Bonjour Madame,\n\nNous avons bien reçu l'ordonnance de M. SCHNEIDER : la facture 000274406 "
            "a été mise en paiement ce jour (86,40 €).\n\nPar contre, pour Mme WEBER (fact. 000274415), nous "
            "n'avons toujours rien reçu. Merci de nous transmettre la prescription par SCOR ; pas besoin de "
            "refacturer.\n\nCordialement,\nChristine HAEGEL\n\n"
            "De : Marie Exemple <marie.exemple@example.org>\nEnvoyé : jeudi 12 novembre 2026 21:17\n"
            "À : HAEGEL Christine <haegel.christine@alsace.msa.fr>\nObjet : factures\n\n"
            "Bonsoir, j'ai envoyé les 2 ordonnances par SCOR aujourd'hui.\n\n"
            "De : HAEGEL Christine <haegel.christine@alsace.msa.fr>\n"
            "Envoyé : mercredi 4 novembre 2026 11:40\n"
            "À : marie.exemple@example.org\nObjet : Factures en anomalie\n\n"
            "- 000274398 M. MEYER, 02/10/2026, 31,20 € : NIR erroné - à refacturer\n"
            "- 000274421 Mme KLEIN, 12/10/2026, 22,70 € : en cours de vérification\n")
    reading = classify_human(mail("Factures en anomalie - lots 207 et 209", body,
                                  sender="haegel.christine@alsace.msa.fr"), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts] == [("invoice_paid", "000274406"),
                                                           ("invoice_in_anomaly", "000274415")]


def test_unknown_caisse_message_is_to_sort():
    """GIVEN a vague message from a genuine caisse WHEN classified THEN unknown with a to_sort fact."""
    reading = classify_human(mail("Information importante", "Merci de prendre contact avec nos services.\n"),
                             "caisse")
    assert reading.kind == "unknown" and reading.needs_review == human.UNKNOWN_CAISSE
    assert facts(reading, "caisse", "label") == [("to_sort", "974", "Information importante")]


def test_suspect_and_other_senders_never_give_facts():
    """GIVEN a look-alike sender and an unrelated sender writing like a caisse WHEN classified THEN
    phishing / unknown, never a fact."""
    text = "Notification de payer – indu n° 2026-974-000318, montant 3 412,60 €.\n"
    phishing = classify_human(mail("Notification de payer", text, sender="ameli@secure-ameli-fr.com"),
                              "suspect")
    assert (phishing.kind, phishing.facts, phishing.caisse) == ("phishing", (), None)
    other = classify_human(mail("Notification de payer", text, sender="collegue@example.com"), "other")
    assert (other.kind, other.facts, other.needs_review) == ("unknown", (), None)


def forward(original_from: str, subject: str, body: str) -> ParsedMessage:
    text = (f"Pour info.\n\n-------- Message transféré --------\nSujet : {subject}\n"
            f"Date : Mon, 16 Mar 2026 08:47:00 +0400\nDe : {original_from}\n"
            f"Pour : cabinet@example.net\n\n{body}")
    return mail(f"TR: {subject}", text, sender=NURSE)


def test_forward_from_a_genuine_caisse_is_read_as_the_original():
    """GIVEN the nurse forwarding a CPAM message WHEN classified THEN the original's kind and caisse,
    with the trust given (approver)."""
    body = ("Nous vous demandons les pièces justificatives de la facture n° 000012301 (lot 041) "
            "dans un délai de 15 jours.\n")
    reading = classify_human(forward(MARNE, "Demande de pièces justificatives", body), "approver")
    assert (reading.kind, reading.trust, reading.caisse) == ("demande_pieces", "approver", "511")
    assert facts(reading, "invoice", "caisse") == [("pieces_requested", "000012301", "511")]
    assert reading.fields["forwarded_by"] == "marie.exemple@example.org"
    assert reading.facts[0].details["deadline"] == date(2026, 3, 31)  # the original's date + 15 days


def test_forwarded_phishing_stays_phishing_and_strangers_are_not_read():
    """GIVEN the nurse forwarding a look-alike "Assurance Maladie" or a colleague's mail WHEN classified
    THEN phishing without facts, or unknown for a human, never the caisse's kind."""
    text = "Notification de payer – indu n° 2026-974-000318, montant 3 412,60 €.\n"
    fake = classify_human(forward("Assurance Maladie <ameli@secure-ameli-fr.com>", "Notification de payer",
                                  text), "approver")
    assert (fake.kind, fake.facts) == ("phishing", ())
    stranger = classify_human(forward("Sophie <sophie@example.com>", "Notification de payer", text),
                              "approver")
    assert (stranger.kind, stranger.facts) == ("unknown", ())
    assert "sophie@example.com" in stranger.needs_review


def test_classify_human_never_raises(monkeypatch):
    """GIVEN a classifier that crashes WHEN a message is classified THEN unknown with the reason."""
    def boom(msg, trust, caisse):
        raise RuntimeError("bug")

    monkeypatch.setattr(indu, "read", boom)
    reading = classify_human(mail("Notification de payer – indu n° 1", "x\n"), "caisse")
    assert reading.kind == "unknown" and "RuntimeError" in reading.needs_review


# --------------------------------------------------------------------------- the demo mailbox

# number in MANIFEST.md → (kind, caisse, facts as (kind, invoice, lot, amount, reference))
DEMO_EXPECTED = {
    1: ("constat_anomalies", "974", [("anomalies_found", None, None, "3412.60", "CTL-2026-0112")]),
    11: ("amc", "viamedis", [("amc_paid", "000012250", None, "12.60", "VMD-2026-03-0012458"),
                             ("amc_paid", "000012251", None, "29.58", "VMD-2026-03-0012458"),
                             ("amc_rejected", "000012260", None, "6.14", "VMD-2026-03-0012458")]),
    12: ("retour_lots", "974", [("invoice_in_anomaly", "000012290", "041", "18.10", None),
                                ("invoice_in_anomaly", "000012291", "041", "6.30", None),
                                ("lot_refused", None, "043", "143.75", None)]),
    13: ("demande_pieces", "974", [("pieces_requested", "000012301", "041", "12.60", None)]),
    14: ("phishing", None, []),
    16: ("demande_pieces", "511", [("pieces_requested", n, "045", a, "PJ-2026-511-004127") for n, a in (
        ("000012370", "10.70"), ("000012371", "10.70"), ("000012372", "16.10"))]),
    20: ("newsletter", "511", []),
    21: ("amc", "almerys", [("amc_rejected", "000012385", "046", "8.40", "ALM-260402-7781")]),
    24: ("notification_indu", "974", [("indu_notified", None, None, "3412.60", "2026-974-000318")]),
    25: ("phishing", None, []),
    26: ("complement_indu", "974", [("indu_details", None, None, "3412.60", "2026-974-000318")]),
    28: ("invitation", "974", [("meeting_invitation", None, None, None, None)]),
    29: ("reponse_reclamation", "974", [("reclamation_acknowledged", "000012347", "042", "9.45",
                                         "REC-974-2026-01532")]),
    30: ("amelipro", None, [("reclamation_answered", None, None, None, "RECLA-2026-05-004871")]),
    31: ("decision_cra", "974", [("cra_decision", None, None, "2598.10", "CRA-2026-0457")]),
}
NOISE = (2, 4, 10, 15, 18, 19, 23, 27)
TRUST = {"caisse": "caisse", "amc": "amc", "approver": "approver", "suspect": "suspect", "other": "other"}


def demo_messages() -> dict[int, tuple[ParsedMessage, str]]:
    policy = SenderPolicy.build(approvers=["marie.exemple@example.org"])
    out = {}
    for number, path in enumerate(sorted(DEMO.iterdir(), key=lambda p: int(p.name.split(".")[0])), 1):
        raw = path.read_bytes()
        category = assess(summarize(header_block(raw), len(raw)), policy).category
        out[number] = (parse_message(raw), TRUST[category])
    return out


@pytest.fixture(scope="module")
def demo() -> dict[int, tuple[ParsedMessage, str]]:
    return demo_messages()


@pytest.mark.parametrize("number", sorted(DEMO_EXPECTED))
def test_demo_human_messages(demo, number):
    """GIVEN each human message of the demo mailbox WHEN classified with its sender's trust THEN the kind,
    caisse and key facts the MANIFEST describes, with nothing left for review."""
    kind, caisse, expected = DEMO_EXPECTED[number]
    msg, trust = demo[number]
    reading = classify_human(msg, trust)
    assert (reading.kind, reading.caisse) == (kind, caisse)
    assert facts(reading, "invoice", "lot", "amount", "reference") == expected
    assert reading.needs_review is None


def test_demo_details_that_drive_deadlines(demo):
    """GIVEN the demo letters WHEN classified THEN the dates cases and deadlines hang on are right."""
    def only(number):
        return classify_human(*demo[number]).facts

    assert only(13)[0].details["deadline"] == date(2026, 3, 31)  # forwarded: original date + 15 days
    assert {f.details["deadline"] for f in only(16)} == {date(2026, 4, 4)}
    assert [f.date for f in only(12)] == [date(2026, 2, 24), date(2026, 2, 25), None]
    (indu_fact,) = only(24)
    assert indu_fact.date == date(2026, 4, 14) and indu_fact.details["related"] == ["CTL-2026-0112"]
    assert "Commission de recours amiable" in indu_fact.details["cra_address"]
    (meeting,) = only(28)
    assert meeting.date == date(2026, 5, 19) and meeting.details["time"] == "09:30"
    assert meeting.details["reply_before"] == date(2026, 5, 12)
    (decision,) = only(31)
    assert decision.label == "partiel" and decision.details["indu_reference"] == "2026-974-000318"
    assert only(30)[0].details["answer_in"] == "amelipro"
    assert classify_human(*demo[13]).trust == "approver"


@pytest.mark.parametrize("number", NOISE)
def test_demo_noise_gives_nothing(demo, number):
    """GIVEN a non-institutional demo message (colleague, bank, software vendor…) WHEN classified THEN
    unknown (or a newsletter, for mail sent to a list), no fact, nothing to review, even when it
    talks about NOEMIE or "facture déjà payée"."""
    reading = classify_human(*demo[number])
    assert reading.kind in ("unknown", "newsletter")
    assert (reading.facts, reading.needs_review) == ((), None)


# --------------------------------------------------------------------------- the independent corpus

from paths import CORPUS  # noqa: E402

MACHINE = {"arl", "noemie"}  # decoded by cpambot.understanding.machine_returns, not by these classifiers


def corpus_cases() -> list:
    cases = []
    for eml in sorted(CORPUS.glob("*.eml")) if CORPUS.is_dir() else ():
        expected = json.loads((CORPUS / f"{eml.stem}.expected.json").read_text(encoding="utf-8"))
        if expected["kind"] not in MACHINE:
            cases.append(pytest.param(eml, expected, id=eml.stem))
    return cases


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus absent")
@pytest.mark.parametrize(("eml", "expected"), corpus_cases())
def test_independent_corpus(eml, expected):
    """GIVEN a human fixture of tests/fixtures/corpus and the trust its sender deserves WHEN classified
    THEN what its expected JSON states (README rules: listed keys only, facts in order, same count)."""
    reading = classify_human(parse_message(eml.read_bytes()), expected["trust"])
    got = reading.to_json()
    for key in ("kind", "trust", "caisse", "is_test"):
        assert got[key] == expected[key], key
    if "needs_review" in expected:
        assert (reading.needs_review is not None) == expected["needs_review"], reading.needs_review
    if "facts" in expected:
        assert len(got["facts"]) == len(expected["facts"]), got["facts"]
        for want, have in zip(expected["facts"], got["facts"], strict=True):
            assert {k: have[k] for k in want} == want
    if "problems_contains_any" in expected:
        wanted = [w.lower() for w in expected["problems_contains_any"]]
        assert any(w in p.lower() for p in reading.problems for w in wanted)


# --------------------------------------------------------------------------- robustness

PHRASES = ["Notification de payer", "indu n° 2026-974-000318", "Retour sur le traitement de vos lots",
           "Lot | Facture | Montant | Motif", "041 | 000012290 | 18,10 € | pièce", "décision de la CRA",
           "Demande de pièces justificatives", "facture n° 000012370", "montant 3 412,60 €", "le 31/02/2026",
           "mise en demeure", "Tableau des anomalies", "Votre réclamation a été traitée", "Infoslettre",
           "Invitation à un échange le 1er juin 2026 à 25 h 99", "Factures refusées", "motif : «",
           "-------- Message transféré --------\nDe : x@cgss.re\n", "\x00", "é" * 3, "€€€", "| | |", ";;;"]
ADDRESSES = ["relations-ps@cgss.re", "01974@974.01.rss.fr", "noreply@ameli.fr", "ps@viamedis.fr",
             "x@secure-ameli-fr.com", "", "@", "a@b", "marie.exemple@example.org"]
texts = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(PHRASES)), max_size=8).map("\n".join)
attachments = st.lists(st.builds(Attachment, filename=st.text(max_size=10),
                                 content_type=st.just("application/pdf"),
                                 payload=st.just(b""), text=st.one_of(st.none(), texts),
                                 problem=st.one_of(st.none(), st.just("PDF chiffré : à lire"))),
                       max_size=2).map(tuple)
dates = st.one_of(st.none(), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2069, 1, 1),
                                          timezones=st.just(REUNION)))


def parsed(forwarded: st.SearchStrategy | None = None) -> st.SearchStrategy:
    forwarded = st.none() if forwarded is None else forwarded
    return st.builds(ParsedMessage, subject=texts, from_name=st.text(max_size=20),
                     from_addr=st.sampled_from(ADDRESSES), date=dates, message_id=st.none(), text=texts,
                     html=st.one_of(st.just(""), st.just("<table><tr><td>a</td></tr></table>"), texts),
                     attachments=attachments, forwarded=forwarded)


@settings(max_examples=int(os.environ.get("CLASSIFY_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(parsed(st.one_of(st.none(), parsed())),
       st.sampled_from(["caisse", "amc", "approver", "suspect", "other"]))
def test_classify_human_never_raises_on_random_messages(msg, trust):
    """GIVEN any message, with random text, subject, attachments and forward WHEN classified THEN a valid
    Reading comes back (kinds from the contracts, JSON-serialisable), never an exception."""
    reading = classify_human(msg, trust)
    assert "error" not in reading.fields  # the guard did not have to catch a bug
    assert reading.kind in set(MessageKind) and all(f.kind in set(FactKind) for f in reading.facts)
    json.dumps(reading.to_json())
    # a forwarded look-alike makes the reading suspect, whoever forwarded it; nothing else changes trust
    forwarded_phishing = msg.forwarded is not None and reading.kind is MessageKind.PHISHING
    assert reading.trust == ("suspect" if forwarded_phishing else trust)
    if trust in ("suspect", "other"):
        assert reading.facts == ()


@pytest.mark.parametrize(("subject", "body"), [
    ("BSI manquant", "Nous n'avons à ce jour reçu aucun bilan de soins infirmiers (BSI) pour cette patiente. "
     "Nous vous remercions de réaliser le BSI dans un délai de 15 jours.\n- fact 000712004 : 402,50 €\n"),
    ("Feuille de soins - retour", "La feuille de soins papier n° 000847120 ne comporte pas la signature de "
     "l'assuré. Merci de la faire signer et de nous la renvoyer.\n"),
    ("Prescription", "La prescription médicale utilisée était périmée pour une partie des soins.\n"
     "Pièce demandée : nouvelle prescription médicale couvrant la période\n"),
])
def test_pieces_requests_without_their_title(subject, body):
    """GIVEN an agent asking for a BSI, for a paper claim to be signed, or for a new prescription, without
    the words "demande de pièces" WHEN classified THEN a pièces request."""
    assert classify_human(mail(subject, body), "caisse").kind == "demande_pieces"


def test_a_reminder_above_its_own_quoted_request_asks_by_its_new_deadline():
    """GIVEN the caisse's reminder "nous n'avons pas reçu les pièces demandées par notre courriel du 5 octobre
    2026, rappelé ci-dessous … au plus tard le 19 novembre 2026" above its own request quoted in Outlook's
    block (the invoices, "avant le 20/10/2026") WHEN classified THEN the request's invoices, with the new
    deadline, sent on the reminder's day."""
    body = ("Madame,\nSauf erreur de notre part, nous n'avons pas reçu à ce jour les pièces "
            "justificatives demandées par notre courriel du 5 octobre 2026, rappelé ci-dessous.\n"
            "Nous vous remercions de nous les faire parvenir au plus tard le 19 novembre 2026, en rappelant "
            "la référence DPJ-941-2026-03317.\n\n________________________________\n"
            "De : CPAM du Val-de-Marne <facturation-ps.cpam-val-de-marne@assurance-maladie.fr>\n"
            "Envoyé : lundi 5 octobre 2026 10:41\nÀ : marie.exemple@example.org\n"
            "Objet : Demande de pièces justificatives\n\nMadame,\nNous vous remercions de nous adresser, "
            "avant le 20/10/2026, la copie de la prescription médicale des factures 412 087 331 et "
            "412 090 004.\n")
    reading = classify_human(mail("RAPPEL - Demande de pièces justificatives", body, sender=MARNE,
                                  when=datetime(2026, 11, 5, 14, 22, tzinfo=UTC)), "caisse")
    assert (reading.kind, reading.fields["sent_on"]) == ("demande_pieces", "2026-11-05")
    assert [(f.invoice, f.details["deadline"]) for f in reading.facts] == [
        ("412087331", date(2026, 11, 19)), ("412090004", date(2026, 11, 19))]


def test_a_deadline_without_its_year_takes_the_message_year():
    """GIVEN a pièces request sent on 2 November 2026 asking for the documents "d'ici le 30 novembre"
    WHEN classified THEN the deadline is 30 November 2026."""
    body = ("Pour les factures 004417702 et 004417715, merci de nous transmettre une copie lisible de "
            "l'ordonnance d'ici le 30 novembre, sans refacturer.\n")
    reading = classify_human(mail("Demande de pièces", body, when=datetime(2026, 11, 2, 18, 0, tzinfo=UTC)),
                             "caisse")
    assert [f.details.get("deadline") for f in reading.facts] == [date(2026, 11, 30)] * 2


def test_an_invoice_wrongly_rejected_then_paid_is_a_favourable_answer_with_its_payment():
    """GIVEN a réclamation answer "cette facture avait été rejetée à tort (motif 2900 005 « facture déjà
    payée »). Elle a été mise en paiement le 03/11/2026 pour un montant de 41,70 €" WHEN classified THEN
    a favourable answer and the invoice paid 41,70 € (never a reject)."""
    body = ("Nous avons étudié votre réclamation du 21/10/2026 concernant la facture n° 702 118 406.\n\n"
            "Après vérification, cette facture avait été rejetée à tort (motif 2900 005 « facture déjà "
            "payée »). Elle a été mise en paiement le 03/11/2026 pour un montant de 41,70 € (part "
            "obligatoire).\n")
    reading = classify_human(mail("Réponse à votre réclamation", body), "caisse")
    assert [(f.kind, f.label, f.amount) for f in reading.facts] == [
        ("reclamation_answered", "favorable", None), ("invoice_paid", None, Decimal("41.70"))]


def test_a_complement_put_in_payment_and_a_reject_found_right():
    """GIVEN an answer "Un complément de 21,00 € a été mis en paiement le 03/11/2026" about one invoice
    billed 52,50 € WHEN classified THEN favourable, the invoice paid 21,00 €; GIVEN "le rejet est fondé"
    WHEN classified THEN unfavourable."""
    told = ("Vous nous avez signalé un remboursement incomplet de la facture 000 560 781 (montant facturé "
            "52,50 €).\n\nUn complément de 21,00 € a été mis en paiement le 03/11/2026.\n")
    paid = classify_human(mail("Réponse à votre réclamation", told), "caisse")
    assert [(f.kind, f.label, f.amount) for f in paid.facts][1:] == [("invoice_paid", None, Decimal("21.00"))]
    answer = ("Suite à votre réclamation concernant la facture 412 908 331 : après vérification, le rejet "
              "est fondé.\n")
    refused = classify_human(mail("Réponse à votre réclamation", answer), "caisse")
    assert [f.label for f in refused.facts] == ["défavorable"]


def test_an_invoice_withdrawn_from_a_pieces_request():
    """GIVEN a request for three prescriptions, then "oubliez la 000 950 223 : son ordonnance nous est bien
    parvenue, je la retire de la liste" WHEN classified THEN two requests, without review."""
    body = ("Merci de me transmettre les ordonnances des factures suivantes :\n\n"
            "  - 000 950 217  (soins du 12/10/2026, 31,50 €)\n"
            "  - 000 950 223  (soins du 13/10/2026, 17,85 €)\n"
            "  - 000 950 240  (soins du 15/10/2026, 66,15 €)\n\n"
            "Après vérification, oubliez la 000 950 223 : son ordonnance nous est bien parvenue par SCOR "
            "hier, je la retire de la liste. Il ne reste donc que deux ordonnances à m'envoyer, avant le "
            "13/11/2026.\n")
    reading = classify_human(mail("Demande d'ordonnances", body), "caisse")
    assert [f.invoice for f in reading.facts] == ["000950217", "000950240"] and reading.needs_review is None


def test_a_patient_withdrawn_from_a_pieces_request():
    """GIVEN "j'ai besoin de la copie de l'ordonnance" for three invoices of two patients, then "pas besoin
    de justificatif finalement pour M. Moreau" WHEN classified THEN a pièces request for Mme Proust's two
    invoices only."""
    body = ("Pour finaliser le paiement des factures ci-dessous, j'ai besoin de la copie de "
            "l'ordonnance :\n\n"
            "  *   013 660 402 – Mme PROUST Gisèle – soins du 01/10/2026 – 29,80 €\n"
            "  *   013 660 415 – M. MOREAU Bernard – soins du 02/10/2026 – 44,10 €\n"
            "  *   013 660 421 – Mme PROUST Gisèle – soins du 05/10/2026 – 29,80 €\n\n"
            "Merci de me les adresser au plus tard le 30/10/2026. Inutile de refacturer.\n\n"
            "Correction avant envoi : pas besoin de justificatif finalement pour M. Moreau, nous avons "
            "retrouvé l'ordonnance dans son dossier.\n")
    reading = classify_human(mail("Demande d'ordonnances", body), "caisse")
    assert [(f.kind, f.invoice) for f in reading.facts] == [("pieces_requested", "013660402"),
                                                            ("pieces_requested", "013660421")]


def test_an_answer_saying_the_invoice_has_indeed_been_paid():
    """GIVEN "la facture n° 006120458 … a bien été réglée le 28/10/2026 pour un montant de 41,70 €" WHEN
    classified THEN favourable, the invoice paid 41,70 €."""
    body = ("Suite à votre réclamation du 19/10/2026, je vous informe que la facture n° 006120458 (soins du "
            "07/10/2026) a bien été réglée le 28/10/2026 pour un montant de 41,70 €.\n")
    reading = classify_human(mail("RE: Réclamation paiement - facture 006120458", body), "caisse")
    assert [(f.kind, f.label, f.amount) for f in reading.facts] == [
        ("reclamation_answered", "favorable", Decimal("41.70")), ("invoice_paid", None, Decimal("41.70"))]


def test_an_agent_confirming_a_lot_received_and_being_processed():
    """GIVEN an agent's answer "votre lot 019 … a bien été réceptionné par nos services. Il est en cours de
    traitement ; aucune facture n'a été rejetée" WHEN read THEN the lot is acknowledged, nothing to do, no
    review; "n'a été reçu" is not a receipt."""
    body = ("Bonjour Madame,\n\nJe vous confirme que votre lot 019 (télétransmis le 26/10/2026, 14 "
            "factures) a bien été réceptionné par nos services. Il est actuellement en cours de traitement ; "
            "aucune facture n'a été rejetée à ce stade.\n\nCordialement,\nPôle Tiers Payant\n")
    sender = "tp@assurance-maladie.fr"
    reading = classify_human(mail("RE: lot 019 non payé ?", body, sender=sender), "caisse")
    assert [(f.kind, f.lot) for f in reading.facts] == [("lot_acknowledged", "019")]
    assert reading.needs_review is None
    unsure = body.replace("a bien été réceptionné", "n'a été reçu qu'en partie")
    reading = classify_human(mail("RE: lot 019 non payé ?", unsure, sender=sender), "caisse")
    assert all(f.kind != "lot_acknowledged" for f in reading.facts)


@pytest.mark.parametrize(("body", "kind", "label"), [
    ("Par votre réclamation du 9 novembre 2026, vous contestez le montant réglé pour la facture n° "
     "084215670. Nous ne pouvons donc pas réserver une suite favorable à votre réclamation.\n",
     "reclamation_answered", "défavorable"),
    ("Suite à votre réclamation, le rejet 2900 \"facture déjà payée\" est justifié. Aucune régularisation "
     "n'est donc possible pour la facture 000 451 278.\n", "reclamation_answered", "défavorable"),
    ("En réponse à votre réclamation sur la facture n° 004719388 : après "
     "vérification, cette facture n'a jamais été reçue par nos services. Nous vous invitons à la "
     "retransmettre.\n", "reclamation_answered", "à retransmettre"),
    ("Nous faisons suite à votre réclamation. Le paiement que vous avez reçu est donc conforme : il n'y a "
     "pas de complément à verser, et aucune régularisation n'est nécessaire de votre côté.\n",
     "reclamation_answered", "défavorable"),
    ("Nous accusons réception de votre demande, enregistrée le 03/11/2026 sous le numéro REC-2026-118734.\n"
     "Votre demande a été transmise au service compétent.\n", "reclamation_acknowledged", None),
])
def test_a_reclamation_answered_or_acknowledged_without_its_usual_words(body, kind, label):
    """GIVEN an answer "Par votre réclamation du … Nous ne pouvons donc pas réserver une suite favorable à
    votre réclamation", or "Nous accusons réception de votre demande, enregistrée … sous le numéro …" WHEN
    classified THEN an unfavourable answer, or an acknowledgment."""
    sender = "relations.ps@hautenormandie.msa.fr"
    reading = classify_human(mail("Votre demande", body, sender=sender), "caisse")
    assert (reading.kind, reading.facts[0].kind) == ("reponse_reclamation", kind)
    if label:
        assert reading.facts[0].label == label


def test_a_reminder_of_the_rules_that_claims_nothing_is_no_indu():
    """GIVEN a letter "Rappel des règles de facturation" after a control: "la Caisse a décidé de ne pas
    engager de procédure de récupération … pourrait donner lieu à une notification d'indu lors d'un prochain
    contrôle" WHEN classified THEN information, no indu and no fact."""
    body = ("Réf. : GDR/CTL/37/2026-0561\nRappel des règles de facturation\nMadame,\nNous avons procédé "
            "à l'analyse de votre facturation. La Caisse a décidé de ne pas engager de procédure de "
            "récupération. Aucune somme ne vous est réclamée.\nNous vous rappelons toutefois que l'IFD ne "
            "peut être facturée qu'une fois, et que la répétition de ces anomalies pourrait donner lieu à "
            "une notification\nd'indu lors d'un prochain contrôle.\n")
    sender = "controle@assurance-maladie.fr"
    reading = classify_human(mail("Courrier de la CPAM", body, sender=sender), "caisse")
    assert (reading.kind, reading.facts, reading.needs_review) == ("newsletter", (), None)


def test_a_prior_agreement_to_send_back():
    """GIVEN "nous ne pouvons pas procéder au règlement sans la demande d'entente préalable (DEP) signée …
    Merci de nous la retourner … Il n'est pas nécessaire de refacturer" WHEN classified THEN a pièces
    request for the invoice."""
    body = ("Nous avons bien reçu votre facture n° 000276541 du lot 095.\n\nLes soins facturés relevant de "
            "la procédure d'accord préalable, nous ne pouvons pas procéder au règlement sans la demande "
            "d'entente préalable (DEP) signée par la patiente.\n\nMerci de nous la retourner dans un délai "
            "d'un mois. Il n'est pas nécessaire de refacturer.\n")
    reading = classify_human(mail("Votre facture 000276541", body, sender="ps@mpn.msa.fr"), "caisse")
    assert (reading.kind, [(f.kind, f.invoice) for f in reading.facts]) == (
        "demande_pieces", [("pieces_requested", "000276541")])


def test_an_invoice_whose_piece_already_arrived_is_not_asked_for():
    """GIVEN a pièces request for two invoices, then "Pour la facture n° 261 005 198, la prescription nous est
    bien parvenue par SCOR le 20/10/2026 : aucune pièce supplémentaire n’est attendue." WHEN classified THEN
    two requests, not three."""
    body = ("Nous vous remercions de bien vouloir nous adresser les pièces justificatives suivantes :\n\n"
            "  - facture n° 261 005 210 : copie de l’ordonnance médicale ;\n\n"
            "  - facture n° 261 005 214 : copie de la prescription médicale.\n\n"
            "Pour la facture n° 261 005 198, la prescription nous est bien parvenue par SCOR le 20/10/2026 : "
            "aucune pièce supplémentaire n’est attendue.\n")
    sender = "ps@poitou.msa.fr"
    reading = classify_human(mail("Demande de pièces justificatives", body, sender=sender), "caisse")
    assert [f.invoice for f in reading.facts] == ["261005210", "261005214"]


def test_an_automatic_acknowledgment_of_the_reclamations_mailbox():
    """GIVEN the réclamations mailbox's automatic answer "Nous accusons bonne réception de votre courriel
    adressé au service Réclamations des professionnels de santé" (with Auto-Submitted: z-mixed 17) WHEN
    classified THEN a réclamation acknowledged."""
    body = ("Madame, Monsieur,\n\nNous accusons bonne réception de votre courriel adressé au service "
            "Réclamations des professionnels de santé de la CPAM du Haut-Rhin.\n\nIl sera traité dans un "
            "délai de 10 jours ouvrés.\n\nCeci est une réponse automatique.\n")
    raw = mail("Réponse automatique : Réclamation - facture 261004407", body,
               sender="reclamations-ps.cpam-haut-rhin@assurance-maladie.fr")
    reading = classify_human(raw, "caisse")
    assert (reading.kind, [f.kind for f in reading.facts]) == ("reponse_reclamation",
                                                               ["reclamation_acknowledged"])


def test_a_pieces_request_whose_invoice_number_is_corrected():
    """GIVEN "Il me manque l'ordonnance pour la fact. 000 312 455 (…, 58€). Pardon, erreur de ma part : c'est
    la 000 312 545, pas la 455 qui elle n'est pas concernee. … Pas besoin de refaire la facture." WHEN
    classified THEN one request, for 000 312 545, with the amount said of the mistaken number; no review."""
    body = ("Il me manque l'ordonnance pour la fact. 000 312 455 de Mme Desroches (pansements du 02/11/2026, "
            "58€).\nPardon, erreur de ma part : c'est la 000 312 545, pas la 455 qui elle n'est pas "
            "concernee.\n\nPouvez vous me la scanner en reponse a ce mail ? Pas besoin de refaire la "
            "facture.\n")
    reading = classify_human(mail("ordonnance manquante", body, sender="ps@assurance-maladie.fr"), "caisse")
    assert [(f.kind, f.invoice, str(f.amount)) for f in reading.facts] == [
        ("pieces_requested", "000312545", "58.00")]
    assert reading.needs_review is None


def test_the_mediators_partial_answer():
    """GIVEN the caisse's médiateur answering ("Vous m'avez saisi le … trois factures avaient été rejetées à
    tort … Elles seront mises en paiement … la facture n° 001310519 a en revanche été rejetée à juste titre",
    signed "Le médiateur de la CPAM des Vosges") WHEN classified THEN a réclamation answered, partially."""
    body = ("Vous m'avez saisi le 30 septembre 2026, après avoir adressé sans succès au service réclamations "
            "une demande relative à quatre factures.\n\n- les factures n° 001310457 et 001310458 avaient été "
            "rejetées à tort. Elles seront mises en paiement avec votre prochain règlement ;\n\n- la facture "
            "n° 001310519 a en revanche été rejetée à juste titre.\n\nLe médiateur de la CPAM des Vosges\n"
            "Notre référence : 88/2026/0139\n")
    reading = classify_human(mail("Votre dossier", body, sender="mediateur@assurance-maladie.fr"), "caisse")
    (fact, *_) = reading.facts
    assert (reading.kind, fact.kind, fact.label) == ("reponse_reclamation", "reclamation_answered",
                                                     "partielle")


def test_a_refusal_whose_reason_is_the_payment_made():
    """GIVEN an MSA answer under a bland subject, "Nous avons bien étudié votre réclamation … Nous ne pouvons
    malheureusement pas y donner une suite favorable. En effet, cette facture a été réglée le 14/10/2026
    pour 11,34 € sur la base du taux de 60 %" WHEN classified THEN a réclamation answer, a refusal (not
    favourable, not partial) and the payment it states, for the one invoice."""
    body = ("Nous avons bien étudié votre réclamation du 27 octobre 2026 relative au remboursement partiel "
            "de la facture 000 290 633 (soins du 05/10/2026, lot 144).\n\nNous ne pouvons malheureusement "
            "pas y donner une suite favorable. En effet, cette facture a été réglée le 14/10/2026 pour "
            "11,34 € sur la base du taux de 60 %, conformément aux données que vous avez transmises.\n")
    reading = classify_human(mail("Votre dossier", body,  # (a subject that says nothing)
                                  sender="ROIG Patricia <roig.patricia@grandsud.msa.fr>"), "caisse")
    assert [(f.kind, f.invoice, f.label, f.amount) for f in reading.facts] == [
        ("reclamation_answered", "000290633", "défavorable", None),
        ("invoice_paid", "000290633", None, Decimal("11.34"))]


def test_answers_written_under_each_of_her_questions():
    """GIVEN an agent's reply "Voir mes réponses dans votre message ci-dessous" above her quoted question
    (attributed to her name, no address), each answer under its invoice: two paid ("Réglée le 24/10/2026,
    12,60 €", "Idem, réglée aussi le 24/10, même montant"), one refused ("rejet maintenu … c'est à eux qu'il
    faut facturer") WHEN classified THEN a partial answer to her réclamation with the two payments and the
    refused invoice's reject (the README's convention since session 11: an answer told invoice by invoice
    gives each invoice its fact)."""
    body = ("Bonjour Madame,\n\nVoir mes réponses dans votre message ci-dessous (2 sur 3 sont réglées).\n\n"
            "Le 26/10/2026 à 21:03, Marie Exemple a écrit :\n> Bonjour,\n> je n'ai pas été payée pour ces "
            "factures du lot 092 :\n> - 000 219 430, Mme H., 05/09/2026, 12,60 €\n\nRéglée le 24/10/2026 "
            "(virement groupé), 12,60 €.\n\n> - 000 219 436, Mme H., 06/09/2026, 12,60 €\n\nIdem, réglée "
            "aussi le 24/10, même montant.\n\n> - 000 219 451, M. L., 15/08/2026, 31,50 €\n\nNon, rejet "
            "maintenu : M. L. relève de la MSA, c'est à eux qu'il faut facturer.\n\n> Merci d'avance,\n")
    reading = classify_human(mail("RE: factures non payées lot 092", body, sender=MARNE), "caisse")
    assert (reading.kind, reading.needs_review) == ("reponse_reclamation", None)
    assert [(f.kind, f.invoice, f.label, f.amount) for f in reading.facts] == [
        ("reclamation_answered", "000219430", "partielle", None),
        ("invoice_paid", "000219430", None, Decimal("12.60")),
        ("invoice_paid", "000219436", None, Decimal("12.60")),
        ("invoice_in_anomaly", "000219451", None, None)]


def test_a_partly_satisfied_reclamation_with_the_payment_of_one_invoice():
    """GIVEN "1. Facture 000265140 : … 5,00€ mis en paiement le 03/11/2026. 2. Facture 000265147 : … votre
    demande ne peut donc pas aboutir pour cette facture. Votre réclamation est donc partiellement
    satisfaite." WHEN classified THEN a partial answer and the one payment."""
    body = ("J'ai étudié votre réclamation du 22/10/2026 portant sur deux factures de votre lot 265.\n\n"
            "1. Facture 000265140 (soins du 15/10/2026) : la régularisation a été faite : 5,00€ mis en "
            "paiement le 03/11/2026.\n\n2. Facture 000265147 (soins du 16/10/2026) : votre demande ne peut "
            "donc pas aboutir pour cette facture.\n\nVotre réclamation est donc partiellement satisfaite.\n")
    reading = classify_human(mail("Réclamation du 22/10/2026", body, sender=MARNE), "caisse")
    assert [(f.kind, f.invoice, f.label, f.amount) for f in reading.facts] == [
        ("reclamation_answered", "000265140", "partielle", None),
        ("invoice_paid", "000265140", None, Decimal("5.00"))]


def test_an_answer_that_tells_what_she_contested():
    """GIVEN "Votre réclamation n° RPS-2026-093-00417" over "Par courriel du 8 octobre 2026, vous contestiez
    le montant réglé pour la facture n° 000176052 … une régularisation d'un montant de 12,24 € a été mise en
    paiement" WHEN classified THEN a favourable answer and the payment of the regularisation."""
    body = ("Par courriel du 8 octobre 2026, vous contestiez le montant réglé pour la facture n° 000176052 "
            "(lot 176), facturée 30,60 €.\n\nJe vous informe qu'une régularisation d'un montant de 12,24 € a "
            "été mise en paiement le 21 octobre 2026.\n")
    reading = classify_human(mail("Votre réclamation n° RPS-2026-093-00417", body, sender=MARNE), "caisse")
    assert [(f.kind, f.label, f.amount) for f in reading.facts][1:] == [
        ("invoice_paid", None, Decimal("12.24"))]
    assert (reading.kind, reading.facts[0].label) == ("reponse_reclamation", "favorable")


def test_a_control_that_found_no_indu_is_information():
    """GIVEN a letter after a control: "Nos services ont procédé à l'analyse de votre facturation … Cette
    analyse n'a pas donné lieu à une notification d'indu … rappel des règles de la NGAP" WHEN classified
    THEN information without a fact, not a constat to answer."""
    body = ("Objet : rappel des règles de facturation - contrôle n° CTL-901-26-0058\nMadame,\nNos services "
            "ont procédé au contrôle de votre facturation des soins réalisés entre mars et août 2026. Cette "
            "analyse n'a pas donné lieu à une notification\nd'indu.\nNous avons toutefois relevé quelques "
            "pratiques qui appellent un rappel des\nrègles de la NGAP.\n")
    sender = "controle@assurance-maladie.fr"
    reading = classify_human(mail("Courrier - contrôle", body, sender=sender), "caisse")
    assert (reading.kind, reading.facts, reading.needs_review) == ("newsletter", (), None)


def test_an_indu_cancelled_in_a_reply_above_the_notification():
    """GIVEN the caisse answering "RE: Notification de payer IND/301/2026/000812" above the notification it
    quotes: "Suite à vos observations écrites … l'indu référencé IND/301/2026/000812 est annulé en totalité.
    Aucune somme ne vous est réclamée" WHEN classified THEN a favourable answer, not a new indu."""
    body = ("Madame,\n\nSuite à vos observations écrites reçues le 02/10/2026, nous vous informons "
            "que l'indu référencé IND/301/2026/000812 est annulé\nen totalité. Aucune somme ne vous est "
            "réclamée à ce titre.\n\nCordialement,\nRelations PS\n\n"
            "De : Gestion des indus PS <indus-ps@assurance-maladie.fr>\n"
            "Envoyé : mardi 8 septembre 2026 15:20\nÀ : marie.exemple@example.org\n"
            "Objet : Notification de payer IND/301/2026/000812\n\nMadame,\n\n"
            "Nous vous notifions un indu d'un montant de 318,45 € (référence IND/301/2026/000812).\n")
    reading = classify_human(mail("RE: Notification de payer IND/301/2026/000812", body,
                                  sender="relations-ps@assurance-maladie.fr"), "caisse")
    (fact,) = reading.facts
    assert (reading.kind, fact.kind, fact.label) == ("reponse_reclamation", "reclamation_answered",
                                                     "favorable")


def test_a_constat_whose_total_is_the_last_row_of_its_table():
    """GIVEN a constat d'anomalies whose body table ends "Total | 181,90 €" and no amount in its sentences
    WHEN classified THEN the constat's amount is that total, without review."""
    body = ("Objet : contrôle de votre facturation – demande d'observations\n\nLes écarts suivants ont été "
            "constatés :\n\nDate(s) des soins | Bénéficiaire | Écart\n\n03/08/2026 | M. C. R. | 2,75 €\n\n"
            "10/08/2026 au 31/08/2026 | M. P. S. | 179,15 €\n\nTotal | 181,90 €\n\nNous vous invitons à "
            "nous faire part de vos observations écrites dans un délai d'un mois (procédure "
            "contradictoire).\n")
    reading = classify_human(mail("Contrôle de votre facturation", body, sender="ctl@assurance-maladie.fr"),
                             "caisse")
    assert (reading.kind, str(reading.facts[0].amount), reading.needs_review) == (
        "constat_anomalies", "181.90", None)


def test_a_pieces_request_for_invoices_already_reimbursed():
    """GIVEN a control after payment asking pièces for cards whose amount is a "Montant remboursé"
    WHEN classified THEN one pieces_requested per card, with its lot and amount (the invoices are not
    left out as paid)."""
    body = ("Madame,\n\nnous vous demandons de bien vouloir nous transmettre les pièces justificatives des "
            "factures suivantes.\n\nFacture n° : 001 117 402\nLot : 229\nMontant remboursé : 126,00 €\n"
            "Pièce attendue : prescription médicale\n\nFacture n° : 001117455\nLot : 231\n"
            "Montant remboursé : 19,80 €\nPièce attendue : bilan de soins infirmiers\n\n"
            "Ces documents sont à nous adresser au plus tard le 23/10/2026.\n")
    reading = classify_human(mail("Demande de pièces justificatives", body, sender=MARNE), "caisse")
    assert reading.kind == "demande_pieces"
    assert facts(reading, "lot", "invoice", "amount") == [
        ("pieces_requested", "229", "001117402", "126.00"), ("pieces_requested", "231", "001117455", "19.80")]


def test_invoices_still_waiting_for_their_pieces_are_a_pieces_request():
    """GIVEN an agent's "les deux factures ci-dessous restent en attente de pièces justificatives" over a
    table whose columns start with the amount, and a deadline WHEN classified THEN a pièces request for
    each invoice with its lot, amount and deadline."""
    body = ("Bonjour Madame,\n\nje vous confirme que les deux factures ci-dessous restent en attente de "
            "pièces justificatives :\n\nMontant\tPatient\tN° facture\tLot\n74,40 €\tR. H.\t000 733 218\t233\n"
            "37,80 €\tT. G.\t000 733 240\t233\n\nSans retour de votre part au plus tard le 19/04/2026, ces "
            "factures seront rejetées définitivement.\n")
    reading = classify_human(mail("Factures lot 233", body, sender=MARNE), "caisse")
    assert reading.kind == "demande_pieces" and reading.needs_review is None
    assert facts(reading, "lot", "invoice", "amount") == [
        ("pieces_requested", "233", "000733218", "74.40"), ("pieces_requested", "233", "000733240", "37.80")]
    assert reading.facts[0].details["deadline"] == date(2026, 4, 19)


def test_an_agent_passing_the_reclamation_on_has_only_acknowledged_it():
    """GIVEN an agent's reply "Bien reçu, je transmets votre réclamation au service facturation. Vous aurez
    une réponse sous 3 semaines environ." WHEN classified THEN the réclamation is acknowledged, not
    answered, and nothing is left to read."""
    reading = classify_human(mail("RE: réclamation paiement factures lot 128",
                                  "Bonjour,\n\nBien reçu, je transmets votre réclamation au service "
                                  "facturation. Vous aurez une réponse sous 3 semaines environ.\n",
                                  sender=MARNE), "caisse")
    assert (reading.kind, reading.needs_review) == ("reponse_reclamation", None)
    assert [f.kind for f in reading.facts] == ["reclamation_acknowledged"]


def test_a_new_contact_at_the_caisse_is_information():
    """GIVEN an agent's "Votre nouvelle interlocutrice": "je reprends le suivi de votre dossier en
    remplacement de M. H." WHEN classified THEN information, no fact and nothing to sort."""
    reading = classify_human(mail("Votre nouvelle interlocutrice - Relations PS",
                                  "Bonjour Madame Exemple,\n\nJe vous informe qu'à compter du 1er octobre "
                                  "2026, je reprends le suivi de votre dossier en remplacement de M. H.\n",
                                  sender=MARNE), "caisse")
    assert (reading.kind, reading.facts, reading.needs_review) == ("newsletter", (), None)


def test_news_of_how_the_caisse_will_write_is_information():
    """GIVEN the head of a service announcing new contact channels, "les retours sur le traitement de vos lots
    continueront de vous être adressés à cette même adresse", "il n'appelle aucune réponse ni aucune
    démarche de votre part" WHEN classified THEN information, no fact and nothing to sort (not a lot return
    without rows, sent to a human)."""
    body = ("Madame,\n\nNous vous informons des évolutions suivantes, applicables à compter du 1er octobre "
            "2026 :\n– vos réclamations relatives aux paiements sont à déposer via votre espace amelipro ;\n"
            "– les retours sur le traitement de vos lots continueront de vous être adressés à cette même "
            "adresse électronique.\nCe message vous est adressé à titre d'information : il n'appelle aucune "
            "réponse ni aucune démarche de votre part.\n")
    reading = classify_human(mail("Évolution de nos modalités de contact", body, sender=MARNE), "caisse")
    assert (reading.kind, reading.facts, reading.needs_review) == ("newsletter", (), None)


def test_a_caisses_letter_to_professionals_announcing_a_webinar_is_a_newsletter():
    """GIVEN "La lettre des professionnels de santé – novembre 2026" whose items include a webinar, "Vous
    recevez cette lettre car …" at its foot, without the list's headers (forwarded) WHEN classified THEN a
    newsletter, not an invitation."""
    body = ("Télétransmission : les bons délais\nVos feuilles de soins doivent nous parvenir sous 8 "
            "jours.\n\nWebinaire « Bien facturer à la MSA »\nUn webinaire d'information se tiendra le jeudi "
            "26 novembre 2026 de 13h30 à 14h30. Inscription libre sur notre site.\n\nVous recevez cette "
            "lettre car vous êtes professionnel de santé en relation avec la MSA. Pour vous désinscrire, "
            "cliquez ici.\n")
    reading = classify_human(mail("La lettre des professionnels de santé – novembre 2026", body,
                                  sender="MSA Sud Aquitaine <infos-ps@sudaquitaine.msa.fr>"), "caisse")
    assert (reading.kind, reading.facts, reading.needs_review) == ("newsletter", (), None)


def test_an_amelipro_document_notice_sent_from_a_list_is_hers_to_read():
    """GIVEN "Un nouveau document est disponible dans votre espace amelipro" sent from
    ne-pas-repondre@ameli.fr with "Precedence: bulk" WHEN classified THEN an amelipro notice she must read
    in her space (the bot cannot), as the same notice without list headers."""
    notice = ("Bonjour Madame EXEMPLE,\n\nUn nouveau document est disponible dans votre espace amelipro.\n"
              "Pour le consulter, connectez-vous à votre espace.\n")
    readings = []
    for bulk in (False, True):
        msg = mail("amelipro : un nouveau document est disponible", notice,
                   sender="amelipro <ne-pas-repondre@ameli.fr>")
        readings.append(classify_human(replace(msg, bulk=bulk), "caisse"))
    assert [(r.kind, r.needs_review is not None) for r in readings] == [("amelipro", True)] * 2


def test_a_document_notice_under_a_subject_that_says_nothing_is_amelipros():
    """GIVEN "Un nouveau document est disponible dans votre espace amelipro : Relevé mensuel de vos paiements"
    sent by a CGSS's no-reply address under the subject "Votre dossier" WHEN classified THEN an amelipro
    notice (its words tell it, not its title), never the answer to a réclamation."""
    notice = ("Bonjour,\n\nUn nouveau document est disponible dans votre espace amelipro :\n\n"
              "    Relevé mensuel de vos paiements - septembre 2026\n\nPour le consulter, connectez-vous à "
              "amelipro.\n\nCe message vous est envoyé automatiquement par la CGSS de La Réunion.\n")
    reading = classify_human(mail("Votre dossier", notice, sender="CGSS <ne-pas-repondre@cgss.re>"), "caisse")
    assert (reading.kind, reading.facts) == ("amelipro", ())


def test_a_pieces_request_leaves_out_the_invoice_whose_prescription_arrived():
    """GIVEN a pièces request listing two invoices, then "la prescription relative à la facture 004 518 311
    nous est bien parvenue par SCOR : aucune pièce n'est à fournir pour celle-ci" WHEN classified THEN only
    the two listed invoices are asked for."""
    body = ("Madame,\n\nnous vous remercions de bien vouloir nous transmettre les pièces justificatives "
            "relatives aux factures suivantes :\n\n- facture 004 518 207 : Prescription médicale\n"
            "- facture 004 518 233 : Ordonnance de renouvellement\n\nNous vous précisons que la prescription "
            "relative à la facture 004 518 311 nous est bien parvenue par SCOR le 22/10/2026 : aucune pièce "
            "n'est à fournir pour celle-ci.\n")
    reading = classify_human(mail("Demande de pièces justificatives", body, sender=MARNE), "caisse")
    assert facts(reading, "invoice") == [("pieces_requested", "004518207"), ("pieces_requested", "004518233")]


def test_a_pieces_request_that_warns_of_a_rebilling_without_answer():
    """GIVEN a pièces request ending "Passé ce délai les factures seront rejetées et il faudra les
    refacturer" WHEN classified THEN a pièces request to act on: the warning is no request to re-bill."""
    body = ("Bonjour,\n\nnous avons besoin des prescriptions médicales correspondant aux soins suivants :\n"
            "  - facture 000 145 870, soins du 3 au 9 octobre\n  - facture 000 145 902, soins du 5\n\n"
            "Merci de nous les transmettre avant le 13/04/2026 par SCOR.\nPassé ce délai les factures seront "
            "rejetées et il faudra les refacturer.\n")
    reading = classify_human(mail("Demande de pièces justificatives", body, sender=MARNE), "caisse")
    assert (reading.kind, reading.needs_review) == ("demande_pieces", None)
    assert facts(reading, "invoice") == [("pieces_requested", "000145870"), ("pieces_requested", "000145902")]


def test_an_agents_list_with_a_reject_and_an_invoice_paid_after_all_is_a_lot_return():
    """GIVEN an agent's numbered list, "Rejet 0317 : …, => merci de refacturer" for one invoice and a P.S.
    saying the other "est partie en paiement ce matin (63,00 EUR). Ne la refacturez donc pas" WHEN
    classified THEN a lot return: the reject to re-bill and the payment."""
    body = ("Madame,\n\nLes factures suivantes du lot 051 sont en anomalie :\n\n"
            "1) N° 000 903 377 - soins du 01/10/2026 - 44,10 EUR\n   Rejet 0317 : incompatibilité nature "
            "d'assurance\n   => merci de refacturer en indiquant le numéro de l'accident du travail.\n\n"
            "2) N° 000 903 385 - soins du 02/10/2026 - 63,00 EUR\n   Prescription périmée\n"
            "   => merci de refacturer avec la nouvelle ordonnance.\n\n"
            "P.S. : je me corrige pour la 000903385 : la nouvelle ordonnance était bien arrivée par SCOR, "
            "elle est partie en paiement ce matin (63,00 EUR). Ne la refacturez donc pas, merci !\n")
    reading = classify_human(mail("Factures en anomalie - lot 051", body, sender=MARNE), "caisse")
    assert (reading.kind, reading.needs_review) == ("retour_lots", None)
    assert facts(reading, "invoice", "reject_code") == [("invoice_in_anomaly", "000903377", "0317"),
                                                        ("invoice_paid", "000903385", None)]


def test_a_lot_paid_whole_after_all_gives_the_payments_of_its_list():
    """GIVEN an agent's reply "finalement le lot 073 a bien été payé en totalité, virement du 23/10/2026",
    its invoices listed "pour mémoire" and "Vous n'avez donc rien à faire" WHEN classified THEN each
    invoice is paid with its amount, nothing to sort."""
    body = ("Bonjour Mme Exemple,\n\nJe reviens vers vous : finalement le lot 073 a bien été payé en "
            "totalité, virement du 23/10/2026. Les rejets venaient d'un souci chez nous.\n\n"
            "Pour mémoire :\n000 318 220 → 48,30 €\n000 318 235 → 9,45 €\n\n"
            "Vous n'avez donc rien à faire, surtout ne les refacturez pas.\n")
    reading = classify_human(mail("RE: Rejets lot 073", body, sender=MARNE), "caisse")
    assert (reading.kind, reading.needs_review) == ("retour_lots", None)
    assert facts(reading, "invoice", "amount") == [("invoice_paid", "000318220", "48.30"),
                                                   ("invoice_paid", "000318235", "9.45")]


def test_the_detail_of_a_notification_under_a_bland_subject_is_its_complement():
    """GIVEN "Pour faire suite à notre notification de payer du 28 septembre 2026 (référence …), vous
    trouverez en pièce jointe le tableau détaillé des actes … Ce tableau complète notre courrier ; il ne
    modifie ni le montant notifié, ni les délais" under a subject that says nothing WHEN classified THEN a
    complement of the indu, not a new notification."""
    body = ("Madame,\n\nPour faire suite à notre notification de payer du 28 septembre 2026 (référence "
            "IND-951-2026-07713), vous trouverez en pièce jointe le tableau détaillé des actes concernés "
            "par l'indu de 486,20 €.\n\nCe tableau complète notre courrier ; il ne modifie ni le montant "
            "notifié, ni les délais de paiement et de recours qui y sont indiqués.\n")
    reading = classify_human(mail("Votre dossier", body, sender=MARNE), "caisse")
    assert reading.kind == "complement_indu"


def test_a_platforms_auto_reply_quoting_her_relance_tells_nothing():
    """GIVEN a platform's auto-reply ("Réponse automatique : Relance facture 261004390") above her quoted
    relance, whose words speak of a part "n'est toujours pas réglée" and of an AMO part "payée le
    18/09/2026" WHEN classified THEN an AMC message with no fact and nothing to review (her own words are
    no payment nor reject)."""
    body = ("Cette adresse électronique n'est pas consultée : votre message n'a pas été transmis à nos "
            "services.\n\nCeci est une réponse automatique.\n\n-----Message d'origine-----\n"
            "De : Marie Exemple <marie.exemple@example.org>\nEnvoyé : lundi 26 octobre 2026 09:14\n"
            "À : service.ps@almerys.com\nObjet : Relance facture 261004390\n\nBonjour,\n\nLa part "
            "complémentaire de la facture 261004390 (soins du 02/09/2026, 15,75 €) n'est toujours pas "
            "réglée, "
            "alors que la part AMO a été payée le 18/09/2026.\n")
    reading = classify_human(mail("Réponse automatique : Relance facture 261004390", body,
                                  sender="almerys Service PS <service.ps@almerys.com>"), "amc")
    assert (reading.kind, reading.facts, reading.needs_review) == (MessageKind.AMC, (), None)
    assert reading.fields["auto_reply"] is True


def test_her_reply_above_a_caisse_letter_quoted_under_a_name_only():
    """GIVEN the professional's reply ("Je corrige les deux factures") above the CGSS's lot return, quoted
    under "Le 12/11/2026 à 08:41, Relations PS - CGSS Réunion a écrit :" (a name, no address) WHEN
    classified THEN the quoted lot return is read as the CGSS's (she vouches for what she quotes), dated
    from the quoted day; a name that names no caisse gives nothing to act on."""
    quoted = ("> Veuillez trouver ci-dessous le retour du traitement de votre lot n° 322 :\n>\n"
              "> Lot  Facture    Date soins  Montant  Rejet     Libellé\n"
              "> 322  013027714  28/10/2026  44,10 €  0470 049  Prescription interdite à cette date\n"
              "> 322  013027729  30/10/2026  97,20 €  0250 050  Assuré absent de notre référentiel\n>\n"
              "> Vérifiez et refacturez.\n>\n> Mme GRONDIN\n> CGSS de La Réunion\n")
    body = ("Merci pour ce retour. Je corrige les deux factures.\n\nMarie Exemple\n\n"
            "Le 12/11/2026 à 08:41, Relations PS - CGSS Réunion a écrit :\n" + quoted)
    reading = classify_human(mail("Re: Retour sur le traitement de vos lots", body, sender=NURSE), "approver")
    assert (reading.kind, reading.caisse, reading.fields["sent_on"]) == ("retour_lots", "974", "2026-11-12")
    assert facts(reading, "invoice", "reject_code") == [("invoice_in_anomaly", "013027714", "0470"),
                                                        ("invoice_in_anomaly", "013027729", "0250")]
    other = body.replace("Relations PS - CGSS Réunion", "Julie Martin").replace("CGSS de La Réunion", "")
    assert not any(f.kind == "invoice_in_anomaly"
                   for f in classify_human(mail("Re: Retour", other, sender=NURSE), "approver").facts)


def test_an_agents_reply_above_her_quoted_question_telling_each_invoice():
    """GIVEN an agent's reply "J'ai enfin eu le retour du service facturation pour vos deux factures du lot
    216 : la facture 000451243 a été mise en paiement le 25/11/2026 … ; la facture 000451246 a été rejetée,
    code 0460 053 … Merci de … la refacturer" above her quoted question "ne m'ont pas été réglées" WHEN
    classified THEN her (informal) réclamation answered, each invoice with its outcome."""
    body = ("Bonjour Madame Exemple,\n\nJ'ai enfin eu le retour du service facturation pour vos deux "
            "factures "
            "du lot 216 :\n\n- la facture 000451243 a été mise en paiement le 25/11/2026 pour un montant de "
            "52,50 € ;\n\n- la facture 000451246 a été rejetée, code 0460 053 « établissement prescripteur "
            "inconnu au fichier national ». Merci de corriger la facture et de la refacturer.\n\nFabienne "
            "SOULIER\nCPAM de la Corrèze\n\nDe : Marie Exemple <marie.exemple@example.org>\nEnvoyé : "
            "mardi 17 "
            "novembre 2026 19:30\nÀ : SOULIER Fabienne <fabienne.soulier@assurance-maladie.fr>\nObjet : "
            "Lot 216 - "
            "factures non réglées\n\nBonjour,\n\nLes factures suivantes du lot 216 ne m'ont pas été "
            "réglées :\n"
            "- 000451243 : soins du 26/10/2026, 52,50 €\n- 000451246 : soins du 28/10/2026, 27,30 €\n\n"
            "Pouvez-vous vérifier ?\n\nMarie Exemple\n")
    agent = "SOULIER Fabienne <fabienne.soulier@assurance-maladie.fr>"
    reading = classify_human(mail("RE: Lot 216 - factures non réglées", body, sender=agent), "caisse")
    assert reading.kind == "reponse_reclamation"
    assert facts(reading, "invoice")[1:] == [("invoice_paid", "000451243"),
                                             ("invoice_in_anomaly", "000451246")]


def test_an_answer_to_her_question_on_unpaid_invoices_under_a_bland_subject():
    """GIVEN, under the subject "Votre dossier", "Vous nous avez interrogés le 9 novembre 2026 sur l'absence
    de paiement de vos factures …", one invoice paid, one paid "le même jour", one rejected with its code
    and what to do WHEN classified THEN the answer to her réclamation, each invoice with its outcome."""
    body = ("Madame,\n\nVous nous avez interrogés le 9 novembre 2026 sur l'absence de paiement de vos "
            "factures n° 000 611 930, 000 611 941 et 000 611 954, transmises dans le lot 274.\n\n"
            "La facture 000 611 930 a été payée le 28/10/2026 (52,50 €).\n\nLa facture 000 611 941 a été "
            "payée le même jour (31,50 €).\n\nLa facture 000 611 954 a été rejetée le 27/10/2026 : code 0450 "
            "072, « exonération non trouvée ». Il vous appartient de la refacturer.\n")
    reading = classify_human(mail("Votre dossier", body, sender=MARNE), "caisse")
    assert reading.kind == "reponse_reclamation"
    assert facts(reading, "invoice", "date")[1:] == [("invoice_paid", "000611930", "2026-10-28"),
                                                     ("invoice_paid", "000611941", "2026-10-28"),
                                                     ("invoice_in_anomaly", "000611954", None)]


def test_a_caisse_sending_its_own_message_again_attached_is_read_as_that_message():
    """GIVEN the caisse's covering note "nous vous renvoyons en pièce jointe le message du 29 septembre 2026
    relatif au traitement de vos lots" with that message attached (message/rfc822) listing a reject WHEN
    classified THEN the attached message is read: its reject, not a lot return without rows to ask about."""
    original = ("From: facturation-ps.cpam67@assurance-maladie.fr\nTo: marie.exemple@example.org\n"
                "Subject: Retour sur le traitement de vos lots\nDate: Tue, 29 Sep 2026 10:00:00 +0200\n"
                "Message-ID: <o1@x>\n\nMadame,\n\nNous vous informons du résultat du traitement de votre lot "
                "204 :\n\n"
                "- 000291880 (lot 204, soins du 18/09/2026, 25,20 €) : 0460 053 – Etablissement prescripteur "
                "inconnu. Action : saisir le n° FINESS puis refacturer\n")
    raw = ("From: plateforme-ps.cpam67@assurance-maladie.fr\nTo: marie.exemple@example.org\n"
           "Subject: Renvoi de notre message du 29/09/2026 - traitement de vos lots\n"
           "Date: Mon, 12 Oct 2026 10:00:00 +0200\nMessage-ID: <r1@x>\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain; charset=utf-8\n\n"
           "Madame,\n\nSuite à votre appel de ce jour, nous vous renvoyons en pièce jointe le message du 29 "
           "septembre 2026 relatif au traitement de vos lots, que vous nous indiquez ne pas avoir reçu.\n\n"
           "Cordialement,\n\nPlateforme PS\n--B\nContent-Type: message/rfc822\n\n" + original + "\n--B--\n")
    reading = classify_human(parse_message(raw.encode()), "caisse")
    assert (reading.kind, [(f.kind, f.invoice) for f in reading.facts], reading.needs_review) == (
        "retour_lots", [("invoice_in_anomaly", "000291880")], None)
