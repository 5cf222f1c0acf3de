"""The words of the caisse's messages about a réclamation: an acknowledgment, an answer, a notice of a
document waiting in her amelipro space (weighted patterns over folded text, :func:`keywords`)."""

from __future__ import annotations

from cpambot.understanding.classify.indu import CANCELLED
from cpambot.understanding.classify.text.keywords import keywords

ACK = keywords(  # ("acusons", "acusé": a typo agents make)
    ("acc?use (?:de )?reception de votre reclamation", 1.0),
    ("acc?usons (?:bonne )?reception de votre reclamation", 1.0),
    # "Je vous confirme la bonne réception de votre réclamation du 21/10/2026"
    ("(?:confirme|confirmons) (?:la )?(?:bonne )?reception de votre reclamation", 1.0),
    ("votre reclamation (?:a bien ete|a ete|est) (?:enregistree|recue|prise en compte)", 0.9),
    ("reclamation[^.]{0,80}enregistree sous la reference", 0.9),
    # passed on to another service that will answer: received, not answered
    ("votre (?:demande|reclamation)\\b[^.]{0,220}?(?:a ete|est) transmise?\\b[^.]{0,120}?(?:qui vous "
     "repondra|pour (?:traitement|reponse|instruction))", 0.9),
    ("acc?use (?:de )?reception[^.\n]{0,20}reclamation", 0.9),
    # a recours before the commission (CRA) acknowledged: received, the decision to come (not an indu)
    ("(?:acc?use|acc?usons) (?:de |bonne )?reception de votre recours", 1.0),
    ("votre recours (?:a bien ete|a ete|est) (?:enregistre|recu)", 0.9),
    # "Bien reçu, je transmets votre réclamation au service facturation. Vous aurez une réponse sous 3 …"
    ("(?:je transmets|nous transmettons|je fais suivre|j'ai transmis|nous avons transmis) votre "
     "(?:reclamation|demande)\\b[^.]{0,60}\\b(?:au|a la|aux|a notre) (?:service|cellule|pole|plateforme)",
     0.9),
    # an automatic answer of the réclamations mailbox: "Nous accusons bonne réception de votre courriel
    # adressé au service Réclamations des professionnels de santé"
    ("acc?usons (?:bonne )?reception de votre (?:courriel|message|demande)[^.]{0,60}\\breclamations?\\b",
     0.85),
    ("(?:nous )?avons bien recu(?: le [\\d/.]+)? votre reclamation", 0.7),
    # "Nous accusons réception de votre demande, enregistrée le 03/11/2026 sous le numéro REC-…"
    ("(?:acc?use|acc?usons) (?:de |bonne )?reception de votre demande\\b[^.\\n]{0,60}"
     "(?:enregistree|sous le (?:numero|n[o°]))", 0.75),
    # a holding reply to her reminder: "Nous accusons bonne réception de votre seconde relance du 26/10/2026.
    # Votre dossier est toujours à l'étude": received, the answer still to come
    ("acc?us(?:ons|e) (?:bonne )?reception de votre (?:seconde |deuxieme |2e |derniere |nouvelle )?relance",
     0.9),
    ("(?:votre (?:dossier|reclamation|demande)|(?:cette|la) reclamation) (?:est|reste) (?:toujours|encore"
     "|actuellement) (?:a l'etude|a l'examen|en cours (?:d'examen|de traitement|d'instruction|d'etude))",
     0.9),
    ("(?:votre|nous avons bien recu votre) (?:message|demande|courriel)[^.]{0,40}(?:a bien ete |bien )?"
     "(?:recue?|enregistree?)", 0.6),
)
ANSWER = keywords(
    ("votre reclamation (?:no ?[\\w-]+ )?(?:deposee[^.]{0,80})?a ete traitee", 1.0),
    ("reponse a votre reclamation", 1.0),
    ("(?:je reviens|nous revenons) vers vous (?:concernant|au sujet de|a propos de|pour) "
     "votre reclamation", 0.9),
    ("^(?:re|aw|r[ée]f) ?: ?(?:(?:re|tr|fwd?) ?: ?)*reclamation\\b", 0.55),  # an answer to her réclamation
    ("(?:a|avons|ont) repondu a votre reclamation", 0.95),
    ("reclamation\\b[^\n]{0,60}une reponse est disponible", 0.95),
    ("suite a votre reclamation", 0.85),
    ("par votre reclamation (?:no ?[\\w/-]+ )?(?:du|en date du|re[cç]ue le)", 0.85),
    # the answer to her written observations on an indu: "l'indu référencé … est annulé en totalité"
    ("suite (?:donnee )?a vos observations", 0.85),
    (CANCELLED, 0.95),
    ("vos observations sont (?:donc )?fondees", 0.9),
    # the caisse's médiateur answers a réclamation that failed ("Vous m'avez saisi le … Le médiateur")
    ("(?:votre saisine du|vous m'avez saisie?)[^.]{0,80}\\bmediat", 0.9),
    ("saisine du mediateur[^\\n]{0,20}reponse", 0.9),
    ("(?:^|\\n)le mediateur de la (?:cpam|caisse|msa|cgss)\\b", 0.8),
    ("consider(?:ons|er) (?:donc )?(?:votre|cette) reclamation comme "
     "(?:close|traitee|cloturee|classee)", 0.9),
    ("(?:etudie|examine) votre reclamation[^.]{0,40}(?:vous|y) apportons la reponse", 0.9),
    ("(?:reserver|donner|apporter) (?:une )?suite (?:favorable )?a votre reclamation", 0.95),
    # "Votre réclamation n° RPS-2026-093-00417" above "Par courriel du 8 octobre 2026, vous contestiez le
    # montant réglé pour la facture …"
    ("^(?:(?:re|tr|fwd?) ?: ?)*votre reclamation (?:n[°o]|du|ref)", 0.75),
    ("\\bvous (?:contestiez|contestez|avez conteste)\\b", 0.8),
    # "Vous nous avez interrogés le 9 novembre 2026 sur l'absence de paiement de vos factures …"
    ("vous nous avez (?:interroges?|sollicites?|questionnes?|saisis?)[^.]{0,60}\\bsur (?:l'absence de "
     "(?:paiement|reglement)|le (?:non-?)?paiement|le (?:non-?)?reglement)", 0.85),
    # "Vous nous avez sollicités le 28 septembre 2026 au sujet de la facture n° 000 604 118 … que vous n'aviez
    # pas vu régler"
    ("vous nous avez (?:interroges?|sollicites?|questionnes?|saisis?|contactes?|ecrit)[^.]{0,40}"
     "\\b(?:au sujet de|concernant|a propos de|sur) (?:la|votre|vos|les) factures?\\b", 0.85),
    # "Nous avons bien étudié votre réclamation du 27 octobre 2026 relative au remboursement …"
    ("(?:avons|ai) (?:bien |attentivement )?(?:etudie|examine|analyse|instruit|pris connaissance de) "
     "votre reclamation", 0.9),
    ("en reponse a votre reclamation", 0.85),
    # "J'ai étudié les trois factures objet de votre réclamation du 15 septembre"
    ("(?:etudie|examine|analyse|verifie|instruit)[^.]{0,40}\\bobjet de votre reclamation", 0.85),
    # "Voici le résultat de nos recherches sur les factures citées dans votre réclamation du 16/09/2026"
    ("(?:citee|mentionnee|visee|evoquee|signalee)s? dans votre reclamation", 0.85),
    # (references and dates with dots inside: "REC/561/2026/05581 du 14.10.26 - facture … - a retenu")
    ("votre reclamation\\b(?:[^.]|\\.(?=\\d)|(?<=\\b\\w)\\.){0,220}?(?:a retenu|a fait l'objet d'un|"
     "a (?:bien )?ete (?:examinee|etudiee))", 0.9),
    ("reclamation\\b[^\n]{0,60}[-:] ?reponse$", 1.0),
    ("vous (?:avez depose|avez formule|nous avez adresse)[^.]{0,60}\\breclamation", 0.85),
    ("votre reclamation\\b[^\n]{0,80}?(?:a ete|est) (?:donc |bien |desormais )?(?:acceptee|rejetee|"
     "traitee|cloturee|close|classee)", 0.9),
)
NOTICE = keywords(
    ("nouveau (?:message|document)[^.]{0,60}(?:amelipro|espace pro)", 0.7),
    ("amelipro[^.]{0,60}nouveau (?:message|document)", 0.7),
    ("espace pro[^.]{0,60}nouveau (?:message|document)", 0.7),
    ("releve (?:mensuel|de paiements?|des paiements?)[^.]{0,40}disponible", 1.0),
    ("(?:document|courrier|message)s? (?:est |sont )?disponibles? dans votre espace", 0.7),
)
