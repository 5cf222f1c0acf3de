"""The letters of one indu (n° 2026-974-000318): constat, notification, complement, CRA decision."""

from __future__ import annotations

from datetime import datetime

from cpambot.demo.messages.mime import csv_attachment, human_mail, pdf_attachment
from cpambot.demo.messages.persona import (
    AMI,
    BSB,
    CGSS_ADDR,
    CRA_ADDR,
    GISELE,
    IFD,
    JEAN,
    LUCIEN,
    PS_ADDRESS,
    PS_AM,
    SIGN_CONFIDENTIAL,
    Patient,
    euros,
    reunion,
)
from cpambot.demo.minipdf import Line

# The controlled acts (indu n° 2026-974-000318): patient, period, billed, retained,
# count, unit amount unduly paid, grief, payment period.
INDU_ROWS = [
    (JEAN, "01/06/2025-31/08/2025", "AIS 3 + AMI 1", "AIS 3", 75, AMI,
     "Cumul AIS et AMI au cours de la même séance", "12/06/2025-10/09/2025"),
    (JEAN, "01/09/2025-31/12/2025", "AIS 3 + AMI 1", "AIS 3", 75, AMI,
     "Cumul AIS et AMI au cours de la même séance", "11/09/2025-09/01/2026"),
    (JEAN, "01/10/2025-10/11/2025", "BSB", "néant", 41, BSB,
     "Forfait BSB facturé sans bilan de soins infirmiers (BSI) valide",
     "09/10/2025-18/11/2025"),
    (GISELE, "01/06/2025-30/09/2025", "AMI 2 + IFD", "néant", 111, 2 * AMI + IFD,
     "Prescription expirée à la date des soins", "12/06/2025-08/10/2025"),
    (GISELE, "01/10/2025-31/12/2025", "AIS 3 + AMI 1", "AIS 3", 119, AMI,
     "Cumul AIS et AMI au cours de la même séance", "09/10/2025-09/01/2026"),
    (LUCIEN, "01/07/2025-30/09/2025", "AMI 2 + IFD", "néant", 90, 2 * AMI + IFD,
     "Absence de prescription médicale", "10/07/2025-08/10/2025"),
]
INDU_TOTAL = sum(r[4] * r[5] for r in INDU_ROWS)
INDU_REF = "2026-974-000318"
assert INDU_TOTAL == 341260


def _indu_by_patient() -> list[tuple[Patient, int]]:
    out: dict[str, tuple[Patient, int]] = {}
    for row in INDU_ROWS:
        p, amount = row[0], row[4] * row[5]
        out[p.last] = (p, out.get(p.last, (p, 0))[1] + amount)
    return list(out.values())


def constat() -> bytes:
    when = reunion(2, 9, 10, 12)
    rows = [["Bénéficiaire", "Période des soins", "Cotation facturée", "Cotation retenue",
             "Nombre", "Montant unitaire en écart", "Montant en écart", "Anomalie"]]
    for p, period, billed, kept, count, unit, grief, _ in INDU_ROWS:
        rows.append([p.initials, period, billed, kept, str(count), euros(unit),
                     euros(count * unit), grief])
    rows.append(["TOTAL", "", "", "", "", "", euros(INDU_TOTAL), ""])
    text = f"""Madame,

Dans le cadre de ses missions de contrôle de l'application des règles de
tarification et de facturation (article L.133-4 du code de la sécurité sociale),
la CGSS de La Réunion a analysé votre facturation d'actes infirmiers sur la
période du 01/06/2025 au 31/12/2025.

Cette analyse fait apparaître des anomalies de facturation, détaillées dans le
tableau joint (constat_anomalies_CTL-2026-0112.csv) :
- cumul d'une séance de soins infirmiers (AIS 3) et d'un acte AMI 1 au cours
  de la même séance, en méconnaissance des règles de cumul de la NGAP ;
- facturation de forfaits BSB sans bilan de soins infirmiers (BSI) valide ;
- actes facturés sur la base d'une prescription expirée ou absente.

Montant total des anomalies constatées : {euros(INDU_TOTAL)}.

Avant toute notification d'indu, vous disposez d'un délai de deux mois à compter
de la réception du présent courriel pour nous faire part de vos observations
écrites et nous transmettre tout justificatif utile (prescriptions, BSI,
ordonnances transmises par SCOR), en réponse à ce message ou par courrier à
l'adresse ci-dessous.

Références à rappeler dans toute correspondance :
dossier CTL-2026-0112 – n° de professionnel de santé {PS_AM}.

Nous vous prions d'agréer, Madame, l'expression de nos salutations distinguées.

Le responsable du service contrôle des professionnels de santé
CGSS de La Réunion – {CGSS_ADDR}

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="constat", when=when,
        sender="CGSS Réunion - Contrôle des professionnels de santé <controle-ps@cgss.re>",
        subject="Constat d'anomalies de facturation – dossier CTL-2026-0112", text=text,
        attachments=[csv_attachment("constat_anomalies_CTL-2026-0112.csv", rows)])


def indu_lines(when: datetime) -> list[Line]:
    lines: list[Line] = [
        ("bold", "CGSS DE LA RÉUNION"),
        ("small", "Direction de la régulation et des relations avec les professionnels de santé"),
        ("small", CGSS_ADDR), ("blank", ""),
        ("text", "Madame Marie EXEMPLE"), ("text", "Infirmière libérale"),
        ("text", f"N° AM : {PS_AM}"), ("text", PS_ADDRESS[0]), ("text", PS_ADDRESS[1]),
        ("blank", ""),
        ("text", "Saint-Denis, le 14 avril 2026"),
        ("text", "Lettre recommandée avec avis de réception n° 2C 000 000 0318 7"),
        ("text", f"Référence : indu n° {INDU_REF} – dossier de contrôle CTL-2026-0112"),
        ("blank", ""),
        ("title", "Notification de payer – indu n° " + INDU_REF),
        ("text", "Articles L.133-4 et R.133-9-1 du code de la sécurité sociale"),
        ("blank", ""),
        ("text", "Madame,"), ("blank", ""),
        ("text", "À la suite de notre courrier du 9 février 2026 (constat d'anomalies de "
                 "facturation) et en l'absence d'observations de votre part dans le délai "
                 "imparti, je vous notifie un indu pour les motifs suivants."),
        ("blank", ""),
        ("bold", "Cause de l'indu"),
        ("text", "1. Cumul d'une séance de soins infirmiers (AIS 3) et d'un acte AMI 1 au cours "
                 "de la même séance, non autorisé par la nomenclature générale des actes "
                 "professionnels (NGAP)."),
        ("text", "2. Facturation de forfaits BSB sans bilan de soins infirmiers (BSI) valide."),
        ("text", "3. Actes facturés sur la base d'une prescription expirée ou absente."),
        ("bold", "Nature de l'indu"),
        ("text", "Prestations en nature – actes infirmiers payés en tiers payant."),
        ("bold", "Période des soins et dates de paiement"),
        ("text", "Soins du 1er juin 2025 au 31 décembre 2025, payés du 12 juin 2025 au "
                 "9 janvier 2026."),
        ("bold", "Montant de l'indu"),
        ("text", f"Montant total : {euros(INDU_TOTAL)}"),
        ("text", "Répartition par bénéficiaire :"),
    ]
    for p, amount in _indu_by_patient():
        lines.append(("text", f"- {p.initials} (né(e) en {p.birth.year}) : {euros(amount)}"))
    lines += [
        ("text", "Le tableau détaillé des actes concernés vous sera adressé séparément."),
        ("blank", ""),
        ("bold", "Délai de paiement et observations"),
        ("text", "Vous disposez d'un délai de deux (2) mois à compter de la réception de la présente "
                 "notification pour régler la somme de " + euros(INDU_TOTAL) + " par virement "
                 "ou par chèque à l'ordre de l'agent comptable de la CGSS de La Réunion, en "
                 "rappelant la référence ci-dessus. Dans ce même délai, vous pouvez présenter "
                 "des observations écrites à l'adresse figurant en en-tête."),
        ("bold", "Voies et délais de recours"),
        ("text", "Si vous contestez la présente décision, vous pouvez saisir, dans le délai de "
                 "deux mois à compter de sa réception, la Commission de recours amiable à "
                 "l'adresse suivante : " + CRA_ADDR + "."),
        ("text", "La saisine de la commission est un préalable obligatoire à tout recours "
                 "contentieux. En l'absence de décision dans un délai de deux mois à compter de "
                 "la réception de votre recours, celui-ci est réputé rejeté ; vous pourrez alors "
                 "saisir le pôle social du tribunal judiciaire de Saint-Denis dans un délai de "
                 "deux mois."),
        ("text", "À défaut de paiement ou de recours dans le délai imparti, une mise en demeure "
                 "vous sera adressée et la somme pourra être récupérée par retenue sur les "
                 "prestations à venir."),
        ("blank", ""),
        ("text", "Veuillez agréer, Madame, l'expression de mes salutations distinguées."),
        ("blank", ""),
        ("text", "Pour le directeur et par délégation,"),
        ("text", "La responsable du département régulation"),
    ]
    return lines


def notification_indu() -> bytes:
    when = reunion(4, 14, 14, 2)
    text = f"""Madame,

Veuillez trouver ci-joint, pour information, la copie de la notification de
payer relative à l'indu n° {INDU_REF}, d'un montant de {euros(INDU_TOTAL)},
qui vous est adressée ce jour par lettre recommandée avec avis de réception.

Les délais (deux mois pour régler la somme, présenter vos observations ou saisir
la Commission de recours amiable) courent à compter de la réception du courrier
recommandé.

Cordialement,

Département régulation – relations avec les professionnels de santé
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="indu", when=when,
        sender="CGSS Réunion - Régulation PS <regulation-ps@cgss.re>",
        subject=f"Notification de payer – indu n° {INDU_REF}", text=text,
        attachments=[pdf_attachment(f"Notification_indu_{INDU_REF}.pdf", indu_lines(when),
                                    f"Notification de payer – indu n° {INDU_REF}",
                                    "CGSS de La Réunion", when)])


def complement_indu() -> bytes:
    when = reunion(4, 22, 11, 37)
    rows = [["Bénéficiaire", "NIR", "Période des soins", "Cotation facturée",
             "Cotation retenue", "Nombre d'actes", "Montant indu", "Période de paiement",
             "Grief"]]
    for p, period, billed, kept, count, unit, grief, paid in INDU_ROWS:
        nir, key = p.nir
        rows.append([f"{p.first} {p.last}", f"{nir} {key}", period, billed, kept, str(count),
                     euros(count * unit), paid, grief])
    rows.append(["TOTAL", "", "", "", "", "", euros(INDU_TOTAL), "", ""])
    text = f"""Madame,

Pour faire suite à notre courrier du 14/04/2026 (notification de payer
n° {INDU_REF}), vous trouverez ci-joint le tableau détaillé des anomalies
relevées, acte par bénéficiaire et par période.

Cordialement,

Département régulation – relations avec les professionnels de santé
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="indu-complement", when=when,
        sender="CGSS Réunion - Régulation PS <regulation-ps@cgss.re>",
        subject=f"Tableau des anomalies – complément à notre courrier du 14/04/2026 "
                f"(indu n° {INDU_REF})",
        text=text, attachments=[csv_attachment(f"Tableau_anomalies_{INDU_REF}.csv", rows)])


def decision_cra() -> bytes:
    when = reunion(6, 26, 15, 20)
    lucien = next(a for p, a in _indu_by_patient() if p is LUCIEN)
    remaining = INDU_TOTAL - lucien
    lines: list[Line] = [
        ("bold", "CGSS DE LA RÉUNION – COMMISSION DE RECOURS AMIABLE"), ("small", CRA_ADDR),
        ("blank", ""),
        ("text", f"Madame Marie EXEMPLE – Infirmière libérale – N° AM {PS_AM}"),
        ("text", f"{PS_ADDRESS[0]} – {PS_ADDRESS[1]}"), ("blank", ""),
        ("text", "Saint-Denis, le 26 juin 2026"),
        ("text", f"Recours n° CRA-2026-0457 – indu n° {INDU_REF}"), ("blank", ""),
        ("title", "Décision de la Commission de recours amiable"),
        ("text", "Séance du 23 juin 2026"), ("blank", ""),
        ("text", "Madame,"),
        ("text", f"Par courrier reçu le 11 mai 2026, vous avez contesté la notification de payer "
                 f"n° {INDU_REF} du 14 avril 2026 d'un montant de {euros(INDU_TOTAL)}."),
        ("text", "Après examen de votre dossier, la Commission de recours amiable, dans sa "
                 "séance du 23 juin 2026, a décidé :"),
        ("text", f"- d'admettre votre recours pour les actes dispensés à {LUCIEN.initials} "
                 f"({euros(lucien)}), la prescription médicale ayant été produite ;"),
        ("text", "- de rejeter votre recours pour le surplus, les griefs de cumul AIS/AMI et "
                 "d'absence de BSI étant confirmés."),
        ("text", f"Le montant de l'indu est en conséquence ramené à {euros(remaining)}."),
        ("blank", ""),
        ("bold", "Voies et délais de recours"),
        ("text", "Vous pouvez contester la présente décision devant le pôle social du tribunal "
                 "judiciaire de Saint-Denis dans un délai de deux mois à compter de sa "
                 "réception."),
        ("text", "À défaut de paiement dans ce délai, une mise en demeure vous sera adressée."),
        ("blank", ""), ("text", "Le président de la Commission de recours amiable"),
    ]
    text = f"""Madame,

Vous trouverez ci-joint la décision rendue par la Commission de recours amiable
dans sa séance du 23/06/2026 sur votre recours n° CRA-2026-0457 (indu
n° {INDU_REF}).

Le montant de l'indu est ramené à {euros(remaining)}. Vous disposez d'un délai de
deux mois à compter de la réception de cette décision pour saisir le pôle
social du tribunal judiciaire.

Secrétariat de la Commission de recours amiable
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="cra", when=when,
        sender="CGSS Réunion - Commission de recours amiable <cra@cgss.re>",
        subject="Décision de la Commission de recours amiable – séance du 23/06/2026 – "
                "recours n° CRA-2026-0457",
        text=text, attachments=[pdf_attachment(
            "Decision_CRA_CRA-2026-0457.pdf", lines, "Décision de la Commission de recours "
            "amiable", "CGSS de La Réunion", when)])
