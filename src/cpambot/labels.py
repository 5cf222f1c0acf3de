"""Every French label the user reads for a state, a kind or a category: one table each, here only.

Keys are the values of the stages' enums (``CaseState.OPEN`` is ``"open"``…), so a table is
looked up with the enum member or its stored string alike. A test checks that every member of
every enum has its label.
"""

from __future__ import annotations

# mailbox: what the headers say of a message (mailbox.senders.Category)
CATEGORY = {
    "caisse": "caisse",
    "amc": "complémentaire",
    "approver": "approbateur",
    "owner": "votre autre adresse",
    "reply": "réponse au robot",
    "suspect": "usurpation probable",
    "own": "envoyé par le robot",
    "bounce": "avis de non-distribution",
    "other": "sans rapport",
}

# counted: "1 de la caisse", "2 de la caisse" (what the sync summary says of relevant messages)
CATEGORY_COUNTED = {
    "caisse": ("de la caisse", "de la caisse"),
    "amc": ("d'une complémentaire", "de complémentaires"),
    "approver": ("de l'approbateur", "de l'approbateur"),
    "owner": ("de votre autre adresse", "de vos autres adresses"),
    "reply": ("réponse au robot", "réponses au robot"),
    "suspect": ("usurpation probable", "usurpations probables"),
    "own": ("envoyé par le robot", "envoyés par le robot"),
    "bounce": ("avis de non-distribution", "avis de non-distribution"),
    "other": ("sans rapport", "sans rapport"),
}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun agreeing with it: French puts 0 and 1 in the singular ("0 message", "1 message",
    "2 messages"); ``plural`` defaults to the singular with an s."""
    return f"{n} {singular if n <= 1 else (plural or singular + 's')}"


def counted(n: int, table: dict[str, tuple[str, str]], key: str) -> str:
    """``n`` with the phrase ``table`` gives ``key`` in the singular or the plural."""
    one, many = table.get(key, (key, key))
    return count(n, one, many)


# mailbox: a ledger row (mailbox.ledger.LedgerState)
LEDGER_STATE = {
    "seen": "vu",
    "processing": "en cours",
    "done": "traité",
    "ignored": "ignoré",
    "failed": "en échec",
}

# understanding: what one message tells (understanding.facts.FactKind)
FACT_KIND = {
    "lot_acknowledged": "lot reçu par la caisse (ARL positif)",
    "lot_refused": "lot refusé (ARL négatif)",
    "invoice_paid": "facture payée",
    "invoice_rejected": "facture rejetée",
    "invoice_deferred": "facture en attente de traitement",
    "invoice_in_anomaly": "facture en anomalie",
    "retenue": "retenue sur paiement",
    "forfait_paid": "paiement forfaitaire",
    "pieces_requested": "pièces justificatives demandées",
    "anomalies_found": "constat d'anomalies de facturation",
    "indu_notified": "notification d'indu",
    "indu_details": "détail d'un indu (tableau des anomalies)",
    "cra_decision": "décision de la commission de recours amiable",
    "mise_en_demeure": "mise en demeure",
    "reclamation_acknowledged": "réclamation reçue par la caisse",
    "reclamation_answered": "réponse à une réclamation",
    "amc_rejected": "rejet par la complémentaire",
    "amc_paid": "paiement par la complémentaire",
    "meeting_invitation": "invitation à un échange avec la caisse",
    "information": "information sans suite à donner",
    "to_sort": "à trier",
}

# understanding: the type of return of a NOEMIE block (entity 081, layout §3)
RETURN_TYPE = {
    "01": "prestations transmises en flux électroniques",
    "02": "prestations facturées sur papier",
    "03": "paiements ponctuels ou forfaitaires",
    "04": "rappels sur prestations",
    "05": "retenues",
}

# understanding: the state of a part (AMO or AMC) of an invoice in a NOEMIE return
PAYMENT_STATE = {"P": "payée", "R": "rejetée", "D": "différée", "": "non traitée"}

# understanding: the kind of a message (understanding.facts.MessageKind)
MESSAGE_KIND = {
    "arl": "accusé de réception logique (ARL)",
    "noemie": "retour NOEMIE (paiements, rejets)",
    "retour_lots": "retour sur le traitement des lots",
    "demande_pieces": "demande de pièces justificatives",
    "constat_anomalies": "constat d'anomalies de facturation",
    "notification_indu": "notification de payer (indu)",
    "complement_indu": "complément à une notification d'indu",
    "avis_retenue": "avis de retenue sur paiement",
    "decision_cra": "décision de la commission de recours amiable",
    "mise_en_demeure": "mise en demeure",
    "reponse_reclamation": "réponse à une réclamation",
    "amelipro": "notification amelipro",
    "amc": "message d'une complémentaire",
    "invitation": "invitation de la caisse",
    "newsletter": "lettre d'information",
    "phishing": "usurpation (hameçonnage)",
    "unknown": "non reconnu",
}

# counted: "1 retour NOEMIE", "2 retours NOEMIE" (what the sync summary says of messages read)
MESSAGE_KIND_COUNTED = {
    "arl": ("accusé de réception logique (ARL)", "accusés de réception logiques (ARL)"),
    "noemie": ("retour NOEMIE", "retours NOEMIE"),
    "retour_lots": ("retour sur le traitement des lots", "retours sur le traitement des lots"),
    "demande_pieces": ("demande de pièces", "demandes de pièces"),
    "constat_anomalies": ("constat d'anomalies", "constats d'anomalies"),
    "notification_indu": ("notification d'indu", "notifications d'indu"),
    "complement_indu": ("complément d'indu", "compléments d'indu"),
    "avis_retenue": ("avis de retenue", "avis de retenue"),
    "decision_cra": ("décision de la CRA", "décisions de la CRA"),
    "mise_en_demeure": ("mise en demeure", "mises en demeure"),
    "reponse_reclamation": ("réponse à une réclamation", "réponses à des réclamations"),
    "amelipro": ("notification amelipro", "notifications amelipro"),
    "amc": ("message d'une complémentaire", "messages de complémentaires"),
    "invitation": ("invitation de la caisse", "invitations de la caisse"),
    "newsletter": ("lettre d'information", "lettres d'information"),
    "phishing": ("usurpation (hameçonnage)", "usurpations (hameçonnage)"),
    "unknown": ("message non reconnu", "messages non reconnus"),
    "approval": ("réponse de l'approbateur", "réponses de l'approbateur"),
    "bounce": ("avis de non-distribution", "avis de non-distribution"),
}

# cases (cases.model.CaseType, CaseState)
CASE_TYPE = {
    "invoice": "facture",
    "refused_lot": "lot refusé",
    "lot_watch": "lot en attente de paiement",
    "unpaid_lot": "lot impayé",
    "retenue": "retenue",
    "indu": "indu",
    "amc": "complémentaire",
    "reclamation": "réclamation",
    "meeting": "rendez-vous",
    "to_sort": "à trier",
}
CASE_STATE = {"open": "à traiter", "waiting": "en attente", "closed": "clos"}

# cases: what a deadline asks (cases.deadlines.Deadline.name)
DEADLINE = {
    "cra_referral": "saisir la commission de recours amiable",
    "observations": "envoyer vos observations",
    "cra_implicit_rejection": "rejet implicite de la CRA",
    "tribunal_referral": "saisir le pôle social du tribunal judiciaire",
    "mise_en_demeure_payment": "payer (mise en demeure)",
    "payment_due": "paiement attendu au plus tard",
    "pieces_justificatives": "envoyer les pièces justificatives",
    "pieces": "envoyer les pièces justificatives",
    "conciliateur_available": "saisine du conciliateur possible",
    "recheck": "vérifier la facture différée",
    "relance1": "1re relance",
    "relance2": "2e relance",
}

# letters (letters.model.LetterKind): the name of each letter in the digest and the CLI
LETTER_KIND = {
    "annulation": "URGENT / ANNULATION DE FACTURE",
    "reclamation": "réclamation",
    "relance1": "relance",
    "relance2": "deuxième relance",
    "mise_en_demeure": "mise en demeure",
    "indu_explication": "explication à la caisse sur un indu",
    "saisine_cra": "saisine de la commission de recours amiable",
    "saisine_conciliateur": "saisine du conciliateur",
    "relance_amc": "relance de la complémentaire",
}

# letters: the professional's title under the signature (config.model.PROFESSIONS)
PROFESSION = {
    "infirmier": "Infirmier(ère) libéral(e)",
    "medecin": "Médecin libéral(e)",
    "kinesitherapeute": "Masseur-kinésithérapeute libéral(e)",
    "sage-femme": "Sage-femme libérale",
    "orthophoniste": "Orthophoniste libéral(e)",
    "orthoptiste": "Orthoptiste libéral(e)",
    "pedicure-podologue": "Pédicure-podologue libéral(e)",
    "autre": "Professionnel(le) de santé libéral(e)",
}
# the profession as a signature says it, by civilité ([professionnel] civilite = "Madame" | "Monsieur")
PROFESSION_SIGNED = {
    "Madame": {"infirmier": "Infirmière libérale", "medecin": "Médecin libérale",
               "kinesitherapeute": "Masseuse-kinésithérapeute libérale", "sage-femme": "Sage-femme libérale",
               "orthophoniste": "Orthophoniste libérale", "orthoptiste": "Orthoptiste libérale",
               "pedicure-podologue": "Pédicure-podologue libérale",
               "autre": "Professionnelle de santé libérale"},
    "Monsieur": {"infirmier": "Infirmier libéral", "medecin": "Médecin libéral",
                 "kinesitherapeute": "Masseur-kinésithérapeute libéral", "sage-femme": "Sage-femme libéral",
                 "orthophoniste": "Orthophoniste libéral", "orthoptiste": "Orthoptiste libéral",
                 "pedicure-podologue": "Pédicure-podologue libéral",
                 "autre": "Professionnel de santé libéral"},
}


def profession_signed(profession: str, civilite: str | None) -> str:
    """How the professional signs: agreed with her civilité when it is known ("Infirmière libérale")."""
    return PROFESSION_SIGNED.get(civilite or "", {}).get(profession) \
        or PROFESSION.get(profession, PROFESSION["autre"])

# approval (approval.model.DraftState)
DRAFT_STATE = {
    "sent": "envoyé",
    "failed": "envoi en échec",
    "bounced": "non distribué",
    "obsolete": "sans objet (dossier clos)",
    "pending": "en attente de votre accord",
    "approved": "approuvé",
    "rejected": "abandonné",
    "postponed": "reporté",
    "missing": "informations manquantes",
    "to_file": "à déposer par vous sur amelipro",
    "to_post": "à poster par vous en recommandé",
}

# sending (sending.model.SendState)
SEND_STATE = {
    "queued": "en attente d'envoi",
    "sending": "envoi en cours",
    "sent": "envoyé",
    "failed": "échec de l'envoi",
    "uncertain": "envoi incertain",
    "cancelled": "annulé",
    "bounced": "non distribué",
}

