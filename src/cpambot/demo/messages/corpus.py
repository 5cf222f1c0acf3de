"""Every demo message: its builder, category, nature and the handling expected of the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from cpambot.demo.messages.amc import almerys, viamedis
from cpambot.demo.messages.caisse import (
    accuse_reclamation_latin1,
    amelipro_reclamation,
    demande_pj,
    infoslettre,
    invitation_html_only,
    retour_lots,
    transfert,
)
from cpambot.demo.messages.indu import complement_indu, constat, decision_cra, notification_indu
from cpambot.demo.messages.machine import (
    arl_negatif,
    arl_positif,
    noemie_0250,
    noemie_2900,
    noemie_amc,
    noemie_paiement,
    noemie_retenue,
    noemie_test_flux,
)
from cpambot.demo.messages.noise import (
    banque,
    collegue,
    editeur_logiciel,
    patient_rdv,
    patient_reponse,
    pharmacie,
    phishing_coordonnees,
    phishing_remboursement,
    promo_fournisseur,
    urssaf_like,
)
from cpambot.errors import InvalidValueError


@dataclass(frozen=True)
class Entry:
    """One demo message: its builder and what it is for (French, for MANIFEST.md)."""

    build: Callable[[], bytes]
    category: str
    nature: str
    expected: str


CORPUS: list[Entry] = [
    Entry(constat, "courrier caisse",
          "Constat d'anomalies de facturation (contrôle CGSS, dossier CTL-2026-0112), tableau "
          "CSV joint, 3 412,60 €, observations possibles sous 2 mois.",
          "Ouvrir un dossier « pré-indu » avec échéance réception + 2 mois pour les "
          "observations ; rattacher le tableau ; préparer la collecte des pièces."),
    Entry(promo_fournisseur, "bruit", "Promotion d'un fournisseur de matériel (HTML + texte).",
          "Ignorer (non lié à la facturation)."),
    Entry(noemie_2900, "retour machine",
          "NOEMIE en clair, CPAM 511, lot 038 : facture 000012201 rejetée 2900 « FACTURE DEJA "
          "PAYEE » (part O, niveau F) ; facture 000012202 en paiement différé (198 D + 295).",
          "Dossier « doublon » pour 000012201 : ne pas retransmettre, vérifier le paiement, "
          "sinon réclamation ; 000012202 : statut « en traitement caisse », revoir plus tard."),
    Entry(patient_rdv, "bruit", "Demande de rendez-vous de la fille d'un patient.",
          "Ignorer (pas un message de caisse)."),
    Entry(arl_positif, "retour machine",
          "ARL positif (gzip), CGSS 974, lot 042, 3 factures (format ARL inventé).",
          "Marquer le lot 042 « reçu » et démarrer la surveillance de paiement (15 jours)."),
    Entry(arl_negatif, "retour machine",
          "ARL négatif (en clair), CGSS 974, lot 043, motif 0101 « fichier non conforme ».",
          "Dossier prioritaire « renvoyer le lot 043 » (délais R161-47)."),
    Entry(noemie_paiement, "retour machine",
          "NOEMIE gzip, CGSS 974 : virement, lot 042 (factures 000012345 et 000012346 payées) "
          "et forfait d'aide à l'informatisation (081 type 03, 261/262) ; total 500,94 €.",
          "Clore les deux factures comme payées, rapprocher les montants ; enregistrer le "
          "forfait sans ouvrir de dossier."),
    Entry(noemie_0250, "retour machine",
          "NOEMIE gzip, CGSS 974, lot 042 : facture 000012347 rejetée 0250 « ASSURE ABSENT DE "
          "NOTRE REFERENTIEL » + commentaire 295 (assurée née en Corse, NIR 2A).",
          "Dossier « droits / caisse » : vérifier l'affiliation (ADRi), refacturer à la bonne "
          "caisse."),
    Entry(noemie_amc, "retour machine",
          "NOEMIE gzip dans un multipart/mixed, CPAM 511, lot 039 : facture 000012260, part AMO "
          "payée (198 P), part AMC rejetée (199 R, 294 part C).",
          "Clore la part AMO ; dossier AMC : vérifier les droits complémentaires, relancer "
          "l'organisme ou facturer la patiente."),
    Entry(pharmacie, "bruit", "Message d'une pharmacie au sujet d'un patient.",
          "Ignorer (mentionne un patient mais ne concerne pas la facturation)."),
    Entry(viamedis, "AMC",
          "Viamedis : avis de règlement et factures refusées (relevé PDF avec texte), facture "
          "000012260 refusée « contrat clos ».",
          "Rattacher au dossier AMC de la facture 000012260 ; enregistrer les règlements."),
    Entry(retour_lots, "courrier caisse",
          "« Retour sur le traitement de vos lots du 12/03/2026 » (CGSS 974), texte + tableau "
          "HTML : 2 factures du lot 041 en anomalie (pièce manquante), lot 043 non parvenu.",
          "Un dossier par facture listée (pièce à envoyer par SCOR sous 15 jours) ; rattacher "
          "le lot 043 au dossier de l'ARL négatif."),
    Entry(transfert, "transfert",
          "Message transféré par l'infirmière à elle-même (« TR: ») contenant un courriel de la "
          "CGSS : ordonnance illisible pour la facture 000012301.",
          "Reconnaître le message de caisse transféré ; dossier « pièce à renvoyer » pour "
          "000012301 (note : déjà renvoyée par SCOR)."),
    Entry(phishing_remboursement, "hameçonnage",
          "Faux message « Assurance Maladie » depuis secure-ameli-fr.com, lien vers un faux "
          "site (SPF/DKIM valides pour le faux domaine).",
          "Ne jamais classer comme caisse ; signaler comme suspect (domaine hors liste "
          "autorisée)."),
    Entry(collegue, "bruit",
          "Message d'une collègue remplaçante (mentionne NOEMIE et ARL).",
          "Ignorer (mots-clés présents mais expéditeur non institutionnel)."),
    Entry(demande_pj, "courrier caisse",
          "Demande de pièces justificatives (CPAM de la Marne), 3 factures du lot 045, délai "
          "15 jours (04/04/2026), lettre PDF jointe.",
          "Dossier « PJ manquante » par facture avec échéance au 04/04/2026."),
    Entry(noemie_retenue, "retour machine",
          "NOEMIE en clair, CPAM 511 : lot 044 payé (74,90 €) et retenue 081 type 05 / 250 "
          "IND-RPR de 44,52 € sans référence de facture ; virement net 30,38 €.",
          "Clore la facture 000012360 ; dossier « retenue sans notification » (référence "
          "PSQ2600187) : demander la notification d'indu, préparer une contestation."),
    Entry(banque, "bruit", "Alerte bancaire : virement « VIR CPAM MARNE » de 30,38 €.",
          "Ignorer comme message de caisse ; peut servir au rapprochement du virement."),
    Entry(urssaf_like, "bruit", "Lettre d'information façon URSSAF (cotisations).",
          "Ignorer."),
    Entry(infoslettre, "courrier caisse",
          "Infoslettre PS de la CPAM de la Marne (texte + HTML) : rappel des délais.",
          "Classer comme information ; aucun dossier."),
    Entry(almerys, "AMC",
          "almerys : rejet de la part complémentaire de la facture 000012385 (bénéficiaire non "
          "reconnu).",
          "Dossier AMC : corriger le n° d'adhérent et retransmettre, ou facturer le patient."),
    Entry(noemie_test_flux, "retour machine",
          "NOEMIE de test (type de flux T), en clair, CRLF entre entités, entité inconnue "
          "« 777 » et signalement 290.",
          "Décoder sans erreur (ignorer l'entité inconnue) mais n'ouvrir aucun dossier."),
    Entry(editeur_logiciel, "bruit",
          "Lettre d'un éditeur de logiciel qui parle de NOEMIE, ARL et « facture déjà payée ».",
          "Ignorer (mots-clés présents, expéditeur commercial)."),
    Entry(notification_indu, "courrier caisse",
          "Notification de payer – indu n° 2026-974-000318 (3 412,60 €), PDF avec couche texte "
          "(cause, montant, délai de 2 mois, adresse de la CRA).",
          "Dossier « indu » : échéances réception + 2 mois (payer / observations / CRA) ; "
          "préparer un brouillon de recours CRA ; relever l'absence de détail des actes."),
    Entry(phishing_coordonnees, "hameçonnage",
          "Faux « Ameli Pro » depuis ameli.fr.verif-compte.net (SPF en échec), demande de "
          "coordonnées bancaires.",
          "Ne jamais classer comme caisse ; signaler comme suspect."),
    Entry(complement_indu, "courrier caisse",
          "Tableau des anomalies (CSV) envoyé après la notification d'indu.",
          "Rattacher au dossier de l'indu 2026-974-000318 ; noter l'argument « motivation "
          "tardive »."),
    Entry(patient_reponse, "bruit", "Réponse d'un patient avec citation (« a écrit : »).",
          "Ignorer."),
    Entry(invitation_html_only, "courrier caisse",
          "Invitation de la CGSS à un échange sur la facturation, message HTML seul.",
          "Dossier d'information avec la date du rendez-vous (19/05/2026) et la réponse "
          "attendue avant le 12/05/2026."),
    Entry(accuse_reclamation_latin1, "courrier caisse",
          "Accusé de réception d'une réclamation (CGSS), ISO-8859-1 quoted-printable.",
          "Rattacher au dossier de la facture 000012347 (rejet 0250) ; statut « réclamation "
          "en cours »."),
    Entry(amelipro_reclamation, "courrier caisse",
          "Notification amelipro « Votre réclamation a été traitée » (noreply@ameli.fr).",
          "Mettre à jour le dossier de réclamation ; rappeler de lire la réponse sous 15 "
          "jours."),
    Entry(decision_cra, "courrier caisse",
          "Décision de la Commission de recours amiable (rejet partiel, indu ramené à "
          "2 598,10 €), PDF joint.",
          "Mettre à jour le dossier de l'indu ; échéance pôle social = réception + 2 mois."),
]


@dataclass(frozen=True)
class Built:
    name: str
    epoch: int
    raw: bytes
    entry: Entry


def build_corpus() -> list[Built]:
    """Build every message, sorted by date; names ``<epoch>.M<n>P1.demo:2,S``."""
    made = []
    for entry in CORPUS:
        raw = entry.build()
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        epoch = int(headers["Date"].datetime.timestamp())
        made.append((epoch, raw, entry))
    made.sort(key=lambda item: item[0])
    epochs = [m[0] for m in made]
    if len(set(epochs)) != len(epochs):
        raise InvalidValueError("two demo messages share a Date")
    return [Built(f"{epoch}.M{n}P1.demo:2,S", epoch, raw, entry)
            for n, (epoch, raw, entry) in enumerate(made, 1)]
