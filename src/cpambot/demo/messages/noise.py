"""Mail the bot must not take for a caisse: phishing look-alikes and unrelated messages."""

from __future__ import annotations

from cpambot.demo.messages.mime import html_page, human_mail
from cpambot.demo.messages.persona import paris, reunion

# Phishing look-alikes


def phishing_remboursement() -> bytes:
    when = paris(3, 18, 13, 27)
    link = "https://secure-ameli-fr.com/remboursement/validation?ref=PS974123456"
    text = f"""Assurance Maladie

Cher(e) professionnel(le) de santé,

Un remboursement de 248,30 € est en attente sur votre compte amelipro.
Pour le recevoir, vous devez confirmer vos informations sous 48 heures :

{link}

Sans action de votre part, ce remboursement sera annulé.

Le service remboursement de l'Assurance Maladie
"""
    html = html_page(
        "<p><b>Assurance Maladie</b></p>\n<p>Cher(e) professionnel(le) de santé,</p>\n"
        "<p>Un remboursement de <b>248,30 €</b> est en attente sur votre compte amelipro.</p>\n"
        f"<p><a href=\"{link}\" style=\"background: #0c419a; color: #fff; padding: 8px 16px;"
        "\">Confirmer mes informations</a></p>\n<p>Sans action de votre part sous 48 heures, "
        "ce remboursement sera annulé.</p>\n<p>Le service remboursement de l'Assurance "
        "Maladie</p>", "Remboursement en attente")
    return human_mail(
        slug="phishing-1", when=when,
        sender="Assurance Maladie <ameli-remboursement@secure-ameli-fr.com>",
        subject="Remboursement en attente – action requise sous 48h", text=text, html=html)


def phishing_coordonnees() -> bytes:
    when = paris(4, 15, 22, 9)
    link = "http://ameli.fr.verif-compte.net/amelipro/connexion"
    text = f"""Madame, Monsieur,

Suite à une mise à jour de sécurité, vos coordonnées bancaires amelipro doivent
être confirmées avant le 20/04/2026. Passé ce délai, vos paiements en tiers
payant seront suspendus.

Confirmez vos coordonnées : {link}

Ameli Pro
"""
    html = html_page(
        "<p>Madame, Monsieur,</p>\n<p>Suite à une mise à jour de sécurité, vos coordonnées "
        "bancaires <b>amelipro</b> doivent être confirmées avant le 20/04/2026. Passé ce délai, "
        "vos paiements en tiers payant seront suspendus.</p>\n"
        f"<p><a href=\"{link}\">https://espacepro.ameli.fr/connexion</a></p>\n<p>Ameli Pro</p>",
        "amelipro")
    return human_mail(
        slug="phishing-2", when=when, sender="Ameli Pro <service@ameli.fr.verif-compte.net>",
        subject="[amelipro] Mise à jour obligatoire de vos coordonnées bancaires",
        text=text, html=html, auth="fail")


# Noise


def promo_fournisseur() -> bytes:
    when = paris(2, 16, 8, 30)
    text = """MédiFourniture – Offre du mois

-20 % sur les pansements, compresses et bandes de contention jusqu'au
28 février 2026 avec le code INFIRMIERE20.

Livraison offerte dès 60 € d'achat, y compris à La Réunion.

Se désinscrire : https://medifourniture.example/desinscription
"""
    html = html_page(
        "<h1 style=\"color: #1a7f37;\">-20 % sur les pansements</h1>\n<p>Pansements, "
        "compresses et bandes de contention : <b>-20 %</b> jusqu'au 28 février 2026 avec le "
        "code <b>INFIRMIERE20</b>.</p>\n<p>Livraison offerte dès 60 € d'achat.</p>\n"
        "<p style=\"font-size: 11px;\"><a href=\"https://medifourniture.example/desinscription"
        "\">Se désinscrire</a></p>", "MédiFourniture")
    return human_mail(slug="promo", when=when,
                      sender="MédiFourniture <promo@medifourniture.example>",
                      subject="-20 % sur les pansements et la contention jusqu'au 28 février",
                      text=text, html=html, auth="none",
                      extra=[("List-Unsubscribe",
                              "<https://medifourniture.example/desinscription>")])


def patient_rdv() -> bytes:
    when = reunion(2, 25, 19, 53)
    text = """Bonsoir Madame Exemple,

Serait-il possible de passer lundi matin pour la prise de sang de mon père,
Jean TESTPATIENT ? Le laboratoire ouvre à 7 h, l'ordonnance est chez lui.

Merci beaucoup,
Claire TESTPATIENT

Envoyé de mon iPhone
"""
    return human_mail(slug="patient-rdv", when=when,
                      sender="Claire TESTPATIENT <claire.testpatient@example.net>",
                      subject="Prise de sang lundi ?", text=text, cte="8bit", auth="none")


def pharmacie() -> bytes:
    when = reunion(3, 10, 15, 12)
    text = """Bonjour Marie,

Les pansements et le matériel pour M. TESTPATIENT sont prêts. Nous les livrons
demain matin à son domicile avec son traitement.

Bonne journée,
Pharmacie du Front de Mer (fictive)
"""
    return human_mail(slug="pharmacie", when=when,
                      sender="Pharmacie du Front de Mer <contact@pharmacie-frontdemer.example>",
                      subject="Livraison matériel pour M. TESTPATIENT", text=text, auth="none")


def collegue() -> bytes:
    when = reunion(3, 19, 21, 5)
    text = """Coucou Marie,

C'est bon pour le remplacement du 4 au 12 avril. Je ferai la télétransmission
avec ma CPS de remplaçante ; les retours NOEMIE arriveront donc sur ta boîte
habituelle, ne t'inquiète pas si tu vois passer des ARL pendant ton absence.

Tu peux me laisser la liste des patients et les codes du cabinet ?

Bises,
Sophie
"""
    return human_mail(slug="collegue", when=when,
                      sender="Sophie Collègue <sophie.collegue@example.com>",
                      subject="Remplacement du 4 au 12 avril", text=text, auth="none")


def banque() -> bytes:
    when = reunion(3, 24, 7, 30)
    text = """Banque Exemple – Alerte compte

Un virement de 30,38 € a été crédité sur votre compte professionnel
n° ****4521 le 24/03/2026.
Libellé : VIR CPAM MARNE 260323

Consultez vos comptes sur https://banque-exemple.example

Ceci est un message automatique.
"""
    return human_mail(slug="banque", when=when,
                      sender="Banque Exemple <alertes@banque-exemple.example>",
                      subject="Alerte : virement reçu sur votre compte professionnel",
                      text=text)


def urssaf_like() -> bytes:
    when = paris(3, 26, 9, 0)
    text = """La lettre des travailleurs indépendants – mars 2026

- Votre échéancier de cotisations 2026 est disponible dans votre espace en ligne.
- Professionnels de santé : rappel des dates de déclaration de revenus.
- Nouveau : un simulateur de cotisations pour les auxiliaires médicaux.

Se désabonner : https://cotisations-independants.example/desabonnement
"""
    html = html_page(
        "<h1 style=\"font-size: 18px;\">La lettre des travailleurs indépendants</h1>\n<ul>\n"
        "<li>Votre échéancier de cotisations 2026 est disponible dans votre espace en ligne."
        "</li>\n<li>Professionnels de santé : rappel des dates de déclaration de revenus.</li>\n"
        "<li>Nouveau : un simulateur de cotisations pour les auxiliaires médicaux.</li>\n"
        "</ul>", "Lettre des indépendants")
    return human_mail(slug="urssaf-like", when=when,
                      sender="La lettre des indépendants <lettre@cotisations-independants.example>",
                      subject="Votre échéancier de cotisations 2026 est disponible",
                      text=text, html=html,
                      extra=[("List-Unsubscribe",
                              "<https://cotisations-independants.example/desabonnement>"),
                             ("Precedence", "bulk")])


def editeur_logiciel() -> bytes:
    when = paris(4, 9, 10, 0)
    text = """InfiLogiciel – Les nouveautés d'avril

Suivi automatique de vos retours NOEMIE et ARL : la version 8.2 rapproche
automatiquement vos paiements, rejets et retenues de vos factures.

Rappel : en cas de rejet « facture déjà payée », ne retransmettez pas la
facture ; contactez votre caisse.

Se désabonner : https://infilogiciel.example/newsletter/stop
"""
    html = html_page(
        "<h1 style=\"font-size: 18px;\">InfiLogiciel – Les nouveautés d'avril</h1>\n"
        "<p>Suivi automatique de vos <b>retours NOEMIE et ARL</b> : la version 8.2 rapproche "
        "automatiquement vos paiements, rejets et retenues de vos factures.</p>\n<p>Rappel : "
        "en cas de rejet « facture déjà payée », ne retransmettez pas la facture ; contactez "
        "votre caisse.</p>", "InfiLogiciel")
    return human_mail(slug="editeur", when=when,
                      sender="InfiLogiciel <actualites@infilogiciel.example>",
                      subject="Nouveauté : suivi automatique de vos retours NOEMIE et ARL",
                      text=text, html=html,
                      extra=[("List-Unsubscribe", "<https://infilogiciel.example/newsletter/stop>")])


def patient_reponse() -> bytes:
    when = reunion(4, 24, 7, 12)
    text = """Bonjour,

Très bien pour jeudi 8 h, la porte sera ouverte.

Paul

Le mer. 22 avr. 2026 à 18:02, Marie Exemple <marie.exemple@example.org> a écrit :
> Bonjour Monsieur FICTIF-PATIENT,
> Je passerai jeudi vers 8 h pour le pansement. Pensez à l'ordonnance renouvelée.
> Marie Exemple, infirmière
"""
    return human_mail(
        slug="patient-reponse", when=when,
        sender="Paul FICTIF-PATIENT <paul.fictif-patient@example.net>",
        subject="Re: Passage jeudi pour le pansement", text=text, auth="none",
        extra=[("In-Reply-To", "<20260422140200.passage@example.org>"),
               ("References", "<20260422140200.passage@example.org>")])
