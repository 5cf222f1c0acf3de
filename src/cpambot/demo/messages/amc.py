"""Mail from complementary insurers (AMC): a payment statement and a third-party-payment reject."""

from __future__ import annotations

from cpambot.demo.messages.mime import human_mail, pdf_attachment
from cpambot.demo.messages.persona import HENRI, ODETTE, PS_AM, euros, paris
from cpambot.demo.minipdf import Line


def viamedis() -> bytes:
    when = paris(3, 12, 7, 2)
    paid = [("000012250", "Paulette FICTIVE", "19/02/2026", 1260),
            ("000012251", "Henri FICTIF", "20/02/2026", 2958)]
    refused = [("000012260", f"{ODETTE.first} {ODETTE.last}", "24/02/2026", 614,
                "Contrat clos à la date des soins – droits AMC non ouverts")]
    total = sum(p[3] for p in paid)
    lines: list[Line] = [
        ("bold", "VIAMEDIS – Relevé de règlement tiers payant"),
        ("text", "Relevé n° VMD-2026-03-0012458 du 11/03/2026"),
        ("text", f"Professionnel de santé : Marie EXEMPLE – infirmière – N° AM {PS_AM}"),
        ("blank", ""), ("title", "Avis de règlement"),
    ]
    lines += [("text", f"Facture {n} – {who} – soins du {d} – part complémentaire réglée "
                       f"{euros(a)}") for n, who, d, a in paid]
    lines += [("text", f"Montant total du virement du 11/03/2026 : {euros(total)}"),
              ("blank", ""), ("title", "Factures refusées")]
    lines += [("text", f"Facture {n} – {who} – soins du {d} – part complémentaire "
                       f"{euros(a)} – motif : {m}") for n, who, d, a, m in refused]
    lines += [("blank", ""),
              ("text", "Pour une facture refusée, vérifiez les droits complémentaires du "
                       "bénéficiaire ; le cas échéant, facturez la part complémentaire au "
                       "patient.")]
    text = f"""Madame,

Votre relevé de règlement tiers payant n° VMD-2026-03-0012458 est disponible.

Règlement du 11/03/2026 : {euros(total)} ({len(paid)} factures).
Factures refusées : {len(refused)} (voir le détail dans le relevé joint).

Retrouvez l'ensemble de vos relevés sur votre espace professionnel Viamedis.

Ce message est envoyé automatiquement, merci de ne pas y répondre.

Viamedis – Service professionnels de santé
"""
    return human_mail(
        slug="viamedis", when=when,
        sender="Viamedis - Professionnels de santé <releves-ps@viamedis.fr>",
        subject="Avis de règlement / factures refusées – relevé n° VMD-2026-03-0012458",
        text=text, cte="base64",
        attachments=[pdf_attachment("Releve_VMD-2026-03-0012458.pdf", lines,
                                    "Relevé de règlement tiers payant", "Viamedis", when)])


def almerys() -> bytes:
    when = paris(4, 2, 8, 15)
    text = f"""Madame,

La facture ci-dessous, transmise en tiers payant pour la part complémentaire,
a été rejetée :

Référence du rejet : ALM-260402-7781
Facture : 000012385 (lot 046 du 23/03/2026)
Bénéficiaire : {HENRI.first} {HENRI.last}
Date des soins : 20/03/2026
Montant de la part complémentaire : 8,40 €
Motif : bénéficiaire non reconnu – numéro d'adhérent erroné ou absent

Vous pouvez corriger les informations du bénéficiaire et retransmettre la
facture, ou facturer la part complémentaire au patient.

Cordialement,

almerys – Service tiers payant des professionnels de santé
"""
    return human_mail(slug="almerys", when=when,
                      sender="almerys - Tiers payant <notification-ps@almerys.com>",
                      subject="Rejet de facture en tiers payant – référence ALM-260402-7781",
                      text=text)
