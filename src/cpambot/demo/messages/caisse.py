"""The caisses' other mail: lot follow-up, requests for documents, notifications, newsletters."""

from __future__ import annotations

from email.utils import format_datetime

from cpambot.demo.messages.mime import (
    html_page,
    html_table,
    human_mail,
    latin1_mail,
    pdf_attachment,
    text_table,
)
from cpambot.demo.messages.persona import (
    CPAM_MARNE_ADDR,
    GISELE,
    HENRI,
    JEAN,
    PAULETTE,
    PS_ADDRESS,
    PS_AM,
    PS_MAIL,
    PS_NAME,
    SIGN_CONFIDENTIAL,
    euros,
    paris,
    reunion,
)
from cpambot.demo.minipdf import Line


def retour_lots() -> bytes:
    when = reunion(3, 13, 9, 4)
    header = ["N° PS", "Lot", "Facture", "Bénéficiaire", "Date de soins", "Montant", "Motif"]
    rows = [
        [PS_AM, "041", "000012290", JEAN.initials, "24/02/2026", euros(1810),
         "Facture en anomalie – pièce justificative manquante (prescription non reçue)"],
        [PS_AM, "041", "000012291", GISELE.initials, "25/02/2026", euros(630),
         "Facture en anomalie – pièce justificative manquante (prescription non reçue)"],
        [PS_AM, "043", "lot entier (4 factures)", "–", "du 26/02 au 01/03/2026", euros(14375),
         "Lot non parvenu / rejeté (ARL négatif du 03/03/2026) – à retransmettre"],
    ]
    intro = ("Madame,\n\nVous trouverez ci-dessous le retour sur le traitement de vos lots "
             "télétransmis à la CGSS de La Réunion et traités le 12/03/2026.")
    advice = [
        "Factures en anomalie : merci de transmettre la pièce justificative manquante par "
        "SCOR, ou en réponse à ce courriel, dans un délai de 15 jours. Ne retransmettez pas "
        "la facture elle-même.",
        "Lot non parvenu : le lot 043 doit être retransmis dans son intégralité après "
        "correction.",
        "Avant toute retransmission, vérifiez vos retours NOEMIE et vos paiements dans votre "
        "espace amelipro afin d'éviter les doublons (rejet « facture déjà payée »).",
    ]
    text = (intro + "\n\n" + text_table(header, rows) + "\n\n"
            + "\n".join(f"- {a}" for a in advice)
            + "\n\nCordialement,\n\nService Relations avec les professionnels de santé\n"
            f"CGSS de La Réunion\n\n{SIGN_CONFIDENTIAL}\n")
    html = html_page(
        "<p>Madame,</p>\n<p>Vous trouverez ci-dessous le retour sur le traitement de vos lots "
        "télétransmis à la CGSS de La Réunion et traités le <b>12/03/2026</b>.</p>\n"
        + html_table(header, rows)
        + "\n<ul>\n" + "\n".join(f"<li>{a}</li>" for a in advice) + "\n</ul>\n"
        "<p>Cordialement,</p>\n<p>Service Relations avec les professionnels de santé<br>\n"
        f"CGSS de La Réunion</p>\n<p style=\"font-size: 11px; color: #777;\">"
        f"{SIGN_CONFIDENTIAL}</p>",
        "Retour sur le traitement de vos lots")
    return human_mail(slug="retour-lots", when=when,
                      sender="CGSS Réunion - Relations PS <relations-ps@cgss.re>",
                      subject="Retour sur le traitement de vos lots du 12/03/2026",
                      text=text, html=html)


def transfert() -> bytes:
    when = reunion(3, 16, 19, 41)
    original = reunion(3, 16, 8, 47)
    text = f"""À traiter : la CGSS m'a écrit sur l'ancienne adresse du cabinet.
J'ai renvoyé l'ordonnance par SCOR ce soir.

Marie

-------- Message transféré --------
Sujet : \tFacture 000012301 – ordonnance illisible
Date : \t{format_datetime(original)}
De : \tService facturation PS - CGSS Réunion <facturation-ps@cgss.re>
Pour : \tcabinet.exemple@example.net

Madame,

L'ordonnance numérisée (SCOR) associée à la facture n° 000012301 (lot 041,
soins du 26/02/2026, bénéficiaire : Jean TESTPATIENT, montant 12,60 €) est
illisible et ne permet pas la liquidation de la facture.

Merci de nous transmettre une copie lisible de la prescription dans un délai de
15 jours, via SCOR ou en réponse à ce courriel.

Cordialement,

Service facturation des professionnels de santé
CGSS de La Réunion
"""
    return human_mail(slug="transfert", when=when, sender=f"{PS_NAME} <{PS_MAIL}>",
                      subject="TR: Facture 000012301 – ordonnance illisible", text=text,
                      cte="8bit")


def demande_pj() -> bytes:
    when = paris(3, 20, 10, 26)
    invoices = [("000012370", PAULETTE, "10/03/2026", 1070), ("000012371", PAULETTE,
                "11/03/2026", 1070), ("000012372", HENRI, "11/03/2026", 1610)]
    deadline = "04/04/2026"
    lines: list[Line] = [
        ("bold", "CPAM de la Marne – Service facturation des professionnels de santé"),
        ("small", CPAM_MARNE_ADDR), ("blank", ""),
        ("text", f"Madame Marie EXEMPLE – Infirmière libérale – N° AM {PS_AM}"),
        ("text", f"{PS_ADDRESS[0]} – {PS_ADDRESS[1]}"), ("blank", ""),
        ("text", "Châlons-en-Champagne, le 20 mars 2026"),
        ("text", "Référence : PJ-2026-511-004127"), ("blank", ""),
        ("title", "Demande de pièces justificatives"), ("blank", ""),
        ("text", "Madame,"), ("blank", ""),
        ("text", "Les factures suivantes, transmises dans le lot 045 du 12/03/2026, ne peuvent "
                 "être liquidées en l'absence de la prescription médicale correspondante :"),
    ]
    for num, p, care, amount in invoices:
        lines.append(("text", f"- facture n° {num} – bénéficiaire {p.first} {p.last} – soins "
                              f"du {care} – montant {euros(amount)}"))
    lines += [
        ("blank", ""),
        ("text", f"Nous vous remercions de nous adresser ces pièces dans un délai de 15 jours, "
                 f"soit avant le {deadline}, de préférence par SCOR, à défaut par courrier à "
                 "l'adresse ci-dessus en rappelant la référence de ce courrier."),
        ("text", "Sans réponse de votre part dans ce délai, les factures seront rejetées."),
        ("blank", ""), ("text", "Veuillez agréer, Madame, nos salutations distinguées."),
        ("blank", ""), ("text", "Le service facturation des professionnels de santé"),
    ]
    text = f"""Madame,

Veuillez trouver ci-joint notre demande de pièces justificatives concernant les
factures n° 000012370, 000012371 et 000012372 (lot 045 du 12/03/2026).

Merci de nous transmettre les prescriptions correspondantes avant le {deadline},
de préférence par SCOR.

Cordialement,

Service facturation des professionnels de santé
CPAM de la Marne

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="demande-pj", when=when,
        sender="CPAM de la Marne - Facturation PS "
               "<facturation-ps.cpam-marne@assurance-maladie.fr>",
        subject="Demande de pièces justificatives – factures 000012370, 000012371, 000012372",
        text=text, attachments=[pdf_attachment(
            "Demande_PJ_PJ-2026-511-004127.pdf", lines, "Demande de pièces justificatives",
            "CPAM de la Marne", when)])


def amelipro_reclamation() -> bytes:
    when = paris(5, 20, 16, 3)
    text = """Bonjour,

Votre réclamation n° RECLA-2026-05-004871 déposée le 07/05/2026 via le service
« Réclamations paiements » a été traitée par votre caisse d'assurance maladie.

Pour consulter la réponse, connectez-vous à votre espace amelipro :
https://espacepro.ameli.fr
puis rendez-vous dans la rubrique « Réclamations paiements », onglet « Suivi ».

La réponse et ses éventuelles pièces jointes restent consultables pendant
15 jours.

Ceci est un message automatique, merci de ne pas y répondre.

L'Assurance Maladie
"""
    return human_mail(slug="amelipro", when=when, sender="amelipro <noreply@ameli.fr>",
                      subject="Votre réclamation a été traitée", text=text)


def infoslettre() -> bytes:
    when = paris(3, 30, 11, 0)
    points = [
        ("Délais de transmission",
         "Vos feuilles de soins électroniques doivent être transmises dans un délai de "
         "3 jours ouvrés en paiement direct et de 8 jours ouvrés en tiers payant "
         "(article R.161-47 du code de la sécurité sociale)."),
        ("Pièces justificatives",
         "Pensez à numériser vos ordonnances avec SCOR au fil de l'eau : une pièce manquante "
         "retarde le paiement de vos factures."),
        ("Retours NOEMIE",
         "Consultez régulièrement vos retours NOEMIE et vos paiements dans amelipro avant de "
         "retransmettre une facture : une facture retransmise alors qu'elle a déjà été payée "
         "est rejetée (« facture déjà payée ») et peut générer un indu."),
    ]
    text = ("Infoslettre PS – CPAM de la Marne – mars 2026\n\n"
            + "\n\n".join(f"{t.upper()}\n{b}" for t, b in points)
            + "\n\nUne question ? Votre plateforme de services aux professionnels de santé est "
              "joignable au 36 08.\n\nVous recevez cette lettre car vous êtes professionnel de "
              "santé conventionné. Se désabonner : "
              "https://www.ameli.fr/marne/professionnels/desabonnement\n")
    html = html_page(
        "<h1 style=\"color: #0c419a; font-size: 20px;\">Infoslettre PS – mars 2026</h1>\n"
        + "\n".join(f"<h2 style=\"font-size: 16px;\">{t}</h2>\n<p>{b}</p>" for t, b in points)
        + "\n<p>Une question ? Votre plateforme de services aux professionnels de santé est "
          "joignable au <b>36 08</b>.</p>\n<p style=\"font-size: 11px; color: #777;\">Vous "
          "recevez cette lettre car vous êtes professionnel de santé conventionné. "
          "<a href=\"https://www.ameli.fr/marne/professionnels/desabonnement\">Se "
          "désabonner</a></p>", "Infoslettre PS")
    return human_mail(
        slug="infoslettre", when=when,
        sender="CPAM de la Marne - Infoslettre <infoslettre.cpam-marne@assurance-maladie.fr>",
        subject="Infoslettre PS n° 2026-03 – Rappel : délais de transmission de vos feuilles "
                "de soins",
        text=text, html=html,
        extra=[("List-Unsubscribe",
                "<https://www.ameli.fr/marne/professionnels/desabonnement>"),
               ("Precedence", "bulk")])


def accuse_reclamation_latin1() -> bytes:
    when = reunion(5, 6, 9, 15)
    text = """Madame,

Nous accusons réception de votre réclamation du 05/05/2026 concernant la
facture n° 000012347 (lot 042 du 02/03/2026, soins du 02/03/2026, montant
9,45 euros), rejetée avec le motif 0250 « assuré absent de notre référentiel ».

Votre demande est enregistrée sous la référence REC-974-2026-01532 et fait
l'objet d'une étude par nos services. Nous vous invitons à ne pas retransmettre
la facture dans l'attente de notre réponse.

Nous vous rappelons que les réclamations relatives à vos paiements peuvent
également être effectuées depuis votre espace amelipro, rubrique « Réclamations
paiements ».

Cordialement,

Service des réclamations des professionnels de santé
CGSS de La Réunion
"""
    return latin1_mail(slug="accuse-reclamation", when=when,
                       name="CGSS Réunion - Service réclamations PS",
                       address="reclamations-ps@cgss.re",
                       subject="Accusé de réception de votre réclamation - facture 000012347",
                       text=text)


def invitation_html_only() -> bytes:
    when = reunion(5, 4, 10, 48)
    body = """<table width="100%" cellpadding="0" cellspacing="0" style="background: #f4f6f9;">
<tr><td style="padding: 16px;">
<table width="600" cellpadding="12" cellspacing="0" style="background: #ffffff;">
<tr><td style="background: #0c419a; color: #ffffff; font-size: 18px;">
CGSS de La Réunion – Échange confraternel sur votre facturation</td></tr>
<tr><td>
<p>Madame,</p>
<p>Dans le cadre de l'accompagnement des infirmiers libéraux, un délégué de
l'Assurance&nbsp;Maladie souhaite échanger avec vous sur votre profil de
facturation (actes AIS et BSI).</p>
<p>Nous vous proposons un rendez-vous le <b>mardi 19&nbsp;mai&nbsp;2026 à 9&nbsp;h&nbsp;30</b>
dans nos locaux ou par téléphone, selon votre préférence.</p>
<p>Merci de nous confirmer votre disponibilité en répondant à ce courriel avant le
12/05/2026, ou de nous proposer un autre créneau.</p>
<p>Cordialement,<br>
Le service des délégués de l'Assurance&nbsp;Maladie<br>
CGSS de La Réunion</p>
</td></tr>
</table>
</td></tr>
</table>"""
    return human_mail(
        slug="invitation", when=when,
        sender="CGSS Réunion - Délégués de l'Assurance Maladie <dam-ps@cgss.re>",
        subject="Invitation à un échange sur votre facturation – mardi 19 mai 2026",
        html=html_page(body, "Invitation"))
