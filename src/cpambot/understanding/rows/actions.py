"""What the caisse asks for one row, read from its own words: re-bill, send a document, call, nothing.

The words are checked in order of precedence: a negation ("sans refacturer", "ne pas
retransmettre") settles it first, then payment ("mise en paiement": not a reject at all),
then the verbs. A row whose words say nothing takes the message's own instruction, if the
message gives exactly one; otherwise its action stays unknown (never guessed).
"""

from __future__ import annotations

import re
from datetime import date

from cpambot.understanding.classify.text.dates import iter_dates
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.prefilter import Guarded
from cpambot.understanding.rows.model import Action, Status

# "sans refacturer", "ne pas retransmettre", "il ne faut surtout pas refacturer", "inutile de la renvoyer",
# "ne refacturez pas", "ne la refacturez pas", "pas la peine de refacturer"
_NO_REBILL = Guarded(re.compile(r"\bne (?:nous |me )?(?:la |les |le |l')?"
                                r"(?:re-?factur|re-?transm|re-?teletransm|renvoy)\w*"
                                r" (?:pas|plus)\b"
                        r"|(?:sans|(?:\bne\b|\bn')[^.;]{0,30}?\b(?:pas|plus)"
                        r"(?: (?:a etre|a|etre|de|demande de|lieu de))?"
                        r"|inutile de"
                        r"|n'est pas necessaire de|pas de|pas la peine de|(?:pas|nul) besoin de"
                        # "merci d'arrêter de renvoyer ce lot" (its copies refused as duplicates)
                        r"|(?:arret|cess|evit)(?:er|ez) de"
                        r"|aucune?) (?:la |les |une |nouvelle |de |nous |l'|le )?"
                        r"(?:renvoyer\b|refaire la facture|re-?(?:facturer|fact\b|"
                        r"factur|teletransm|transm|emettre|envoyer la facture)|nouvelle factur(?:e|ation)|"
                        r"(?:facturer|teletransmettre|transmettre) (?:a nouveau|de nouveau))"))
# (one \b before the alternatives, not one in each: the regex engine then scans ten times faster)
_PAID = Guarded(re.compile(r"\b(?:mise? en (?:paiement|reglement)\b|paiement effectue|paye(?:e|es)?\b"
                   r"|regle(?:e|es)?\b|rembourse(?:e|es)?\b|regularise(?:e|es)?\b|payment\b|paid\b"
                   r"|virement effectue)"))
_PENDING = Guarded(re.compile(r"\b(?:en (?:attente|cours (?:d'examen|de traitement|d'instruction|d'etude))\b"
                              r"|differ|suspendu|en instance\b|bloquee?s?\b"
                              # "elle est toujours à l'étude auprès de notre service médical"
                              r"|(?:toujours|encore|actuellement) "
                              r"(?:a l'etude|a l'examen|en (?:cours d')?examen)\b)"))
_REBILL = Guarded(re.compile(r"re-?tele-?transm|re-?transm|re-?factur|refactuer|re-?emet"
                     r"|(?:re-?envoy|renvoy)(?:er|ez) (?:le|votre|ce) lot"
                     r"|re-?envoy(?:er|ez) (?:la |votre |une )?(?:facture|fse)|nouvelle factur(?:e|ation)"
                     r"|nouvelle fse"
                     r"|(?<!prescription )(?<!ordonnance )(?<!attestation )(?:corrig|rectifi)(?:er|ez|ee)"
                     r"|a corriger"
                     r"|(?:facturer|teletransmettre|transmettre) (?:a nouveau|de nouveau)|refaire la facture"
                     r"|(?:emettre|etablir) une (?:nouvelle )?facture"
                     # "transmettez la facture à la caisse compétente": billed again, elsewhere
                     r"|(?:transmett|adress|envoy|factur)\w* (?:la |votre |cette |les |vos )?"
                     r"(?:factures? |fse )?"
                     r"(?:a|aupres de) (?:la|sa|l'|son) (?:bonne |nouvelle )?(?:caisse|organisme|regime)"
                     r"(?! (?:pour|afin))"
                     # "votre patiente relève désormais de la MSA du Limousin : merci de lui adresser la
                     # facture"
                     r"|\b(?:releve|depend)\w* (?:desormais |maintenant |dorenavant )?(?:de la|du|d'une?) "
                     r"(?:msa|caisse|cpam|cgss|regime|mutualite sociale)\b[^.;]{0,80}?"
                     r"(?:transmett|adress|envoy)\w* (?:lui |leur )?(?:la |votre |cette |les |vos )?"
                     r"factures?\b"))
_PIECES = Guarded(re.compile(r"(?:adress|transmet|envoy|fourn|fais|faire parvenir|joindre|produire"
                     r"|communiqu|deposer|retourn)\w*[^.;\n]{0,60}?(?:prescription|ordonnance|ordo\b|piece|justificatif|"
                     r"copie|"
                     r"accord prealable|entente prealable|document|attestation|bon de transport|certificat|"
                     r"facture (?:acquittee|detaillee)|feuille de soins papier|demande d'accord|dsi|bilan"
                     # "nous transmettre la notification d'ALD de la patiente"
                     r"|notification (?:d'|de l')?(?:ald|exoneration|prise en charge)"
                     r"|protocole (?:de soins|ald))"
                     r"|merci de nous faire parvenir|pieces? (?:justificatives?|manquantes?|demandees?)"
                     r"|(?:prescription|ordonnance|piece|justificatif|attestation)[^.;]{0,50}\ba (?:nous )?"
                     r"(?:transmettre|adresser|envoyer|fournir|faire parvenir)"
                     r"|\bmanquen?t? (?:l'|la |le |les |une? |des )?"
                     r"(?:prescription|ordonnance|piece|justificatif|accord|attestation)"
                     r"|(?:dans l'attente|en attente|a reception) (?:de |d')?(?:la |l'|les |votre |vos )?"
                     r"(?:prescription|ordonnance|piece|justificatif|accord prealable)"
                     # SCOR is the channel of scanned pièces: "Copie lisible par SCOR"
                     r"|^copie\b|\b(?:par|via) (?:le (?:service |teleservice )?)?scor\b"
                     r"|(?:prescription|ordonnance|piece|justificatif)[^.;]{0,60}(?:ne nous (?:est|a) pas "
                     r"(?:encore )?(?:ete )?parvenue?|manquante|absente|non (?:parvenue|recue|jointe))"))
_CONTACT = Guarded(re.compile(r"\b(?:contact(?:er|ez)\b|prendre contact|prenez contact|rapproch(?:er|ez)"
                      r"|appel(?:er|ez)|(?:nous|me) rappel(?:er|ez)|telephon"
                      r"|joindre (?:le|la|nos|notre) (?:service|caisse|plateforme)"
                      r"|se renseigner)"))
# "prendre contact avec le service avant toute refacturation": the call comes first
_CONTACT_FIRST = Guarded(re.compile(r"(?:contact|rapproch|appel|telephon|vo(?:ir|yez) (?:directement )?avec)"
                            r"[^.;]{0,160}"
                            r"\bavant (?:toute|de|une|d'envisager"
                            r"|la)\b[^.;]{0,20}(?:re-?factur|re-?transm|nouvelle facturation|re-?emet)"
                            # "avant toute nouvelle facturation, contactez le Pôle Flux PS", "avant toute
                            # refacturation, merci de me rappeler"
                            r"|\bavant (?:toute|de|une)\b[^.;]{0,20}"
                            r"(?:re-?factur|re-?transm|nouvelle facturation|re-?emet)\w*"
                            r"[^.;]{0,60}?(?:contact|rapproch|appel|rappel|telephon)"))
_WAIT_FOR_CALL = Guarded(re.compile(r"ne rien (?:re-?transmettre|renvoyer|re-?facturer|re-?teletransmettre) "
                                    r"avant (?:notre|votre|un|mon) (?:echange|appel|contact|entretien)"))
# "merci de voir avec le patient …, ne rien renvoyer avant": nothing before the call asked for
_NOTHING_BEFORE = Guarded(re.compile(r"ne rien (?:re-?transmettre|renvoyer|re-?facturer|re-?teletransmettre)"
                                     r" avant\b"))
_CONTACT_PATIENT = Guarded(re.compile(r"(?:(?:contact|rapproch|appel|joindre)\w*"
                              r"|(?:demand|interrog|verifi)(?:er|ez))"
                              r" (?:de |aupres d[eu] |a |au |aux |du )?(?:votre|vos|le|la|l'|les|)"
                              r" ?(?:patient|patiente|assuree?|beneficiaire)s?\b"
                              r"|\bvo(?:ir|yez) (?:directement )?avec "
                              r"(?:lui|elle|eux|(?:votre|le|la) patiente?|l'assuree?|le beneficiaire)\b"))
_NOTHING = Guarded(re.compile(r"aucune (?:action|demarche|intervention)|pour information|rien a faire"
                              # "vous n'avez rien à retransmettre"
                              r"|\bn'(?:avez|y a) rien a "
                              r"(?:re-?transmettre|renvoyer|re-?facturer|transmettre)"
                              r"|ne rien (?:renvoyer|refaire|faire|retransmettre|refacturer)"
                              r"|^(?:aucune?|rien|neant|sans objet)(?:\s*[-:(,.;]|$)"
                      r"|aucune suite|n'appelle aucune|pas d'action|sans suite de votre part"
                      # "aucune pour le moment … la facture sera reprise automatiquement"
                      r"|^aucune? pour le moment|(?:sera|seront) (?:reprise?s?|retraitee?s?) automatiquement"
                      r"|aucune? (?:autre )?(?:piece|document|justificatif)s?"
                      r"(?: supplementaires?| complementaires?)?"
                      # "aucune pièce n'est à fournir pour celle-ci"
                      r" n'est (?:attendue?|necessaire|requise?|demandee?"
                      r"|a (?:fournir|transmettre|envoyer|adresser|produire|joindre))"
                      r"|sans (?:autre )?demarche|(?:pas|plus) besoin d(?:e |')(?:justificatif|piece|document"
                      r"|ordonnance|prescription)"))


# the whole lot to send again ("Il faut donc retransmettre tout le lot …, inutile de renvoyer les factures
# une par une"): the lot is re-billed whatever is said of its invoices one by one
_LOT_AGAIN = re.compile(r"(?:re-?transm|re-?teletransm|renvoy|re-?envoy)\w* "
                        r"(?:tout |l'ensemble du |la totalite du )?(?:le |votre |ce )lot\b"
                        r"|\blot (?:complet|entier) (?:qui )?(?:est )?a (?:refaire|retransmettre)")
_NEGATED = re.compile(r"(?:\bne\b|\bn'|\bpas\b|inutile de|sans|besoin de|(?:arret|cess|evit)(?:er|ez) de)"
                      r"\s*(?:\w+\s+){0,2}$")


def _lot_again(text: str) -> bool:
    return any(not _NEGATED.search(text[max(0, m.start() - 30):m.start()]) for m in _LOT_AGAIN.finditer(text))


def action_of(*texts: str | None) -> Action | None:
    """The action the caisse's words ask for, or None when they do not say."""
    text = normalize(" ; ".join(t for t in texts if t))  # (the words of one cell never run into the next)
    if not text:
        return None
    if "lot" in text and _lot_again(text):
        return Action.REBILL
    if _NO_REBILL.search(text):  # "sans refacturer": a document, or nothing at all
        # a document to send, a call to make first ("ne pas refacturer, contactez d'abord notre service"),
        # or nothing at all
        return Action.PIECES if _PIECES.search(text) else Action.CONTACT \
            if _CONTACT.search(text) or _CONTACT_PATIENT.search(text) else Action.NONE
    if _WAIT_FOR_CALL.search(text) or _NOTHING_BEFORE.search(text) \
            and (_CONTACT.search(text) or _CONTACT_PATIENT.search(text)):
        return Action.CONTACT  # "merci de ne rien retransmettre avant notre échange": call first
    if _NOTHING.search(text) or _status_words(text, loose=False) is Status.PAID:
        return Action.NONE  # nothing to do, or paid ("rectifiée et mise en paiement")
    if _CONTACT_FIRST.search(text):
        return Action.CONTACT
    if _REBILL.search(text):
        return Action.REBILL
    if _CONTACT_PATIENT.search(text):  # the patient brings the document to the nurse: a call first
        return Action.CONTACT
    if _PIECES.search(text):
        return Action.PIECES
    if _CONTACT.search(text):
        return Action.CONTACT
    return None


def asks_something(text: str) -> bool:
    """Whether ``text`` asks for something (to re-bill, a document, a call), whatever else it says (a
    payment told beside it)."""
    folded = normalize(text)
    return not _NO_REBILL.search(folded) and any(
        p.search(folded) for p in (_REBILL, _PIECES, _CONTACT, _CONTACT_PATIENT))


def status_of(*texts: str | None, status_cell: str | None = None, has_code: bool = False) -> Status | None:
    """Paid, pending or rejected, when the row's words say so. A reject code means rejected; "déjà
    payée" is the reject of a duplicate, not a payment; only a status column may say "réglée" alone,
    elsewhere a payment must be stated ("mise en paiement", "paiement effectué", "réglée le …")."""
    text = normalize(" ".join(t for t in texts if t))
    lifted = LIFTED.search(text) is not None
    if has_code and not lifted:
        return Status.REJECTED
    if status_cell and (said := _status_words(normalize(status_cell), loose=True)) is not None:
        return said
    if lifted:  # "Pièce reçue – rejet 0460 053 levé" | "Mise en paiement le 09/10": its payment decides
        text = LIFTED.sub(" ", text)
        if _STATED_PAID.search(text):  # ("rejet 0460 053 … corrigée par nos services et mise en paiement")
            return Status.PAID
        return _status_words(text, loose=False) or (Status.REJECTED if has_code else None)
    return _status_words(text, loose=False) if text else None


# a reject the caisse lifted, in folded text ("rejet 0460 053 levé", "anomalie régularisée")
LIFTED = re.compile(r"\b(?:rejet|anomalie|blocage|suspension)s?\b[^.;]{0,30}?"
                    r"\b(?:levee?s?|annulee?s?|regularisee?s?)\b"
                    # "ne tenez pas compte du rejet affiché ci-dessus : … elle a finalement été réglée"
                    r"|\bne (?:tenez|pas tenir)(?: pas)? compte d[ue] (?:ce |l')?(?:rejet|anomalie)\b"
                    # "anomalie initiale : 0450 072 - … - Corrigée par nos services - mise en paiement le …"
                    r"|\b(?:anomalie|rejet) initiale?\b|\bcorrigee?s? par (?:nos|les) services\b"
                    # "la facture suivante, précédemment rejetée, a été réglée après reprise par nos services"
                    r"|\b(?:precedemment|initialement|anterieurement) (?:rejet|refus)\w*"
                    r"|\breprises? par (?:nos|les) services\b")


_STATED_PAID = Guarded(re.compile(r"(?:mise?|passee?|partie) en (?:paiement|reglement)|paiement effectue"
                          # "les factures … ont été mises en paiement le 09/10/2026" (not "… sauf une")
                          r"|\bont (?:bien )?ete mises en paiement\b(?![^.;]{0,40}\bsauf\b)"
                          # ("réglée aussi le 24/10", "réglée elle aussi le …", "payée également le …")
                          r"|(?:payee?s?|reglee?s?|remboursee?s?|virement effectue)"
                          r"(?:\s+\w+ment|\s+(?:elle )?aussi)?\s+(?:le|du|en date)"
                          r"|a (?:bien )?ete (?:payee?|reglee?|mise en paiement)|\bpaid\b"
                          # "réglée, virement du 03/11/2026, 71,35 €"
                          r"|(?:payee?s?|reglee?s?|remboursee?s?)\s*[,:(]\s*(?:par )?virement\b"
                          # "Virement du 27/10/2026" alone in a row's "Précisions": the payment's day
                          r"|^\s*virement (?:du|le|en date du) \d{1,2}[/.]\d{1,2}"))


_REJECTED = Guarded(re.compile(r"\b(?:rejet|refus|anomalie|non conforme|irrecevable|non pris|radie|inconnu"
                       r"|doublon|en double|non remboursable)|droits? (?:non ouverts?|fermes?|clos|expires?)"
                       r"|non couvert|hors garantie|contrat (?:resilie|suspendu|expire)"))


# wrongly rejected, in folded text ("avait été rejetée à tort pour droits non ouverts (motif 2900 …)"):
# no reject, and the reason that follows is not one either
WRONGLY_REJECTED = re.compile(r"rejetee?s? (?:le \d{1,2}/\d{1,2}/\d{2,4} )?"
                              r"(?:a tort|par erreur|(?:a la suite|suite a) d'une erreur "
                              r"(?:de nos services|de notre part|de la caisse|interne)[^.,;(]*)"
                              r"(?: pour [^.,;(]*)?(?:\s*\([^)]*\))?")


_NOT_PAID = re.compile(r"\b(?:non|pas|refus\w*|impaye)\b[^.;]{0,12}\b(?:paye|regle|rembourse)"
                       r"|deja (?:paye|regle|rembourse)"
                       r"|n'a (?:pas )?pu etre (?:reglee|payee|mise en paiement)")
_REJECT_WORD = re.compile(r"\brejet|\brefus|\banomalie")


def _status_words(text: str, *, loose: bool) -> Status | None:
    # wrongly rejected ("avait été rejetée à tort (motif 2900 « facture déjà payée »)"): not a reject
    text = WRONGLY_REJECTED.sub(" ", text) if "a tort" in text or "erreur" in text else text
    if _NOT_PAID.search(text):
        return Status.REJECTED
    paid = _PAID.search(text) if loose else _STATED_PAID.search(text)
    if paid and not _REJECT_WORD.search(text):
        return Status.PAID
    if _PENDING.search(text):
        return Status.PENDING
    if _REJECTED.search(text):
        return Status.REJECTED
    return None


def heading_status(caption: str) -> Status | None:
    """The status a short heading just above a table gives its rows ("FACTURES REGLEES",
    "Factures refusées :"), or None; a heading with an exception in it says nothing for sure."""
    lines = [line.strip() for line in caption.splitlines() if line.strip()]
    if not lines or len(lines[-1]) > 40 or re.search(r"(?i)sauf|exception|hors|\bnon\b|\bpas\b", lines[-1]):
        return None
    return status_of(status_cell=lines[-1].rstrip(" :"))


# the sentence that opens a list of invoices all paid: "Les trois factures ont été payées par virement du
# 22/10/2026, pour un total de 143,85 euros :", "L'ensemble des factures de ce lot a été mis en paiement le
# 07/09/2026 :" (in folded text; never with an exception or a negation in it)
LEAD_PAID = re.compile(r"^(?!.*\b(?:sauf|excepte|exception|hormis|pas|non|aucune?)\b)"
                       r".*\b(?:ont|a) (?:toutes |tous |bien )?ete "
                       r"(?:payee?s?|reglee?s?|mise?s? en paiement|remboursee?s?|versee?s?)\b", re.DOTALL)


def heading_paid_day(caption: str, default_year: int | None) -> date | None:
    """The day the sentence just above a table says its invoices were paid ("L'ensemble des factures de ce
    lot a été mis en paiement le 07/09/2026 :"), or None; a sentence with an exception says nothing."""
    lines = [line.strip() for line in caption.splitlines() if line.strip()]
    return paid_day(lines[-1], default_year) if lines and LEAD_PAID.search(normalize(lines[-1])) else None


def heading_action(caption: str) -> Action | None:
    """The instruction a short heading just above a table gives its rows ("A REFACTURER APRES CORRECTION",
    "A NE PAS REFACTURER - NOUS ADRESSER L'ORDONNANCE", "POUR INFORMATION (RIEN A FAIRE)"), or None; a
    heading with an exception in it says nothing for sure."""
    lines = [line.strip() for line in caption.splitlines() if line.strip()]
    if not lines or len(lines[-1]) > 60 or re.search(r"(?i)\bsauf\b|exception|\d{9}", lines[-1]):
        return None
    return action_of(lines[-1].rstrip(" :"))


# "elle a été réglée le 22 septembre 2026", "mise en paiement le 19/10/2026": the day of the payment
_PAID_BEFORE = re.compile(r"(?:regle|paye|verse|(?:mise?|partie?|passee?) en paiement|paiement|virement|vire"
                          r"|rembourse|liquide)e?s?"
                          r"(?: (?:effectue|intervenu)e?)?\W{1,4}(?:(?:le|du|en date du|ce jour\W{1,3})\s*)$"
                          # a table's cells: "Part obligatoire (AMO) | 17,50 € | Réglée | 13/10/2026"
                          r"|\b(?:reglee?s?|payee?s?|versee?s?|mise?s? en paiement) ?\|?\s*$"
                          # "le règlement de 31,50 euros effectué le 14/08/2026"
                          r"|(?:reglement|paiement|virement|versement) de (?:€ ?|eur )?\d[\d .,]*"
                          r"(?:€|eur|euros)? (?:effectue|intervenu|verse)e? le\s*$")


_SHORT_DAY = re.compile(r"\s*(\d{1,2})/(\d{1,2})(?![/\d])")


def paid_day(chunk: str, default_year: int | None) -> date | None:
    """The day the passage says its one invoice was paid, if it says one ("partie en paiement le 03/11": the
    year of the message)."""
    for day, start, _ in iter_dates(chunk, default_year=default_year):
        if _PAID_BEFORE.search(normalize(chunk[max(0, start - 40):start])):
            return day
    if default_year is not None:
        for short in _SHORT_DAY.finditer(chunk):
            if _PAID_BEFORE.search(normalize(chunk[max(0, short.start(1) - 40):short.start(1)])):
                try:
                    return date(default_year, int(short.group(2)), int(short.group(1)))
                except ValueError:
                    return None
    return None
