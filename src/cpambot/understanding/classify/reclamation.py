"""Réclamations: acknowledgement, answer, amelipro notifications.

- "accusé de réception de votre réclamation", "nous accusons réception…" →
  ``reclamation_acknowledged`` (kind ``reponse_reclamation``);
- "votre réclamation a été traitée", "réponse à votre réclamation", "suite à votre
  réclamation" → ``reclamation_answered``;
- a notification from amelipro (sender name/subject "amelipro", noreply@ameli.fr) gets
  kind ``amelipro``; one that is not about a réclamation ("nouveau message") has no
  fact and is left for a human to read in the espace amelipro.
"""

from __future__ import annotations

import re

from cpambot.understanding.classify import pieces
from cpambot.understanding.classify.answers import (
    one_payment,
    outcomes,
    paid_fact,
    parts_told_apart,
    reject_to_act_on,
    row_facts,
    told_apart,
)
from cpambot.understanding.classify.indu import CANCELLED
from cpambot.understanding.classify.reclamation_words import ACK, ANSWER, NOTICE
from cpambot.understanding.classify.text.amounts import amount_after
from cpambot.understanding.classify.text.dates import date_after
from cpambot.understanding.classify.text.keywords import mentions, per_message, zones
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import any_reference, invoice_numbers, reference_after
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Action, Status, read_rows, sentences
from cpambot.understanding.rows.actions import WRONGLY_REJECTED, action_of, paid_day

_ANNOUNCED = (r"(?:r[èe]glement|paiement|versement|virement|compl[ée]ment|rappel|r[ée]gularisation|somme)"
              r" (?:de|d'un montant de)\s*")
_FAVOURABLE = re.compile(r"regularis|paiement (?:a ete|sera) (?:effectue|emis)|favorable|acceptee|"
                         r"nous (?:allons|avons) (?:proceder|procede) au (?:paiement|reglement)|est fondee|"
                         r"a ete recyclee|(?:reglement|paiement|versement)[^.]{0,40} interviendra|"
                         r"(?:a|ont) ete (?:reprises? par nos services et )?mises? en paiement|"
                         r"\b(?:elle|il) a (?:bien )?ete (?:payee|reglee)\b|"
                         r"(?:sera|seront) (?:reglee|payee|mise en paiement)s?"
                         r"|(?:a|ont) (?:bien )?ete (?:reglee|payee|mise en paiement|mises en paiement)s?"
                         r"|a ete retraitee|reglement vous parviendra|vous sera (?:regle|verse|paye)"
                         r"|remise? en paiement|(?:a|ont) ete mise?s? en paiement"
                         # an indu cancelled after her observations
                         r"|" + CANCELLED +
                         r"|aucune somme ne vous est reclamee|vous n'avez aucune somme a reverser")
_UNFAVOURABLE = re.compile(r"defavorable|rejetee|ne peut (?:aboutir|etre (?:acceptee|satisfaite))|"
                           r"ne (?:peux|pouvons|pourrons|pourrai|saurions)(?: donc)? (?:pas )?"
                           r"(?:donner|reserver|apporter|accorder) (?:une )?suite"
                           r"|(?:pas|sans) (?:de |une )?suite favorable"
                           r"|ne peut (?:donc )?pas aboutir"
                           # "Nous ne pouvons malheureusement pas y donner une suite favorable"
                           r"|\bne (?:peu[xt]|pouvons|pourrons|pourrai|saurions)\b[^.]{0,40}?\bpas\b"
                           r"[^.]{0,30}?\bsuite favorable"
                           r"|maintenu"
                           r"|(?:le|ce) rejet\b[^.]{0,60}? (?:est|etait) (?:bien )?"
                           r"(?:fonde|justifie|confirme)"
                           # "Le paiement que vous avez reçu est donc conforme : il n'y a pas de complément à
                           # verser", "Aucune régularisation n'est donc possible"
                           r"|(?:paiement|montant|reglement)[^.]{0,40}? est (?:donc )?conforme"
                           r"|pas de complement a verser|aucune regularisation n'est (?:donc )?possible")
_PARTLY = re.compile(r"\bpartiellement (?:satisfaite|fondee|accueillie|acceptee)|\bfait partiellement droit"
                     r"|suite partiellement favorable")


# a refusal in so many words (not "le rejet est maintenu", which may stand beside a payment)
_NO_FOLLOW_UP = re.compile(r"defavorable|(?:pas|sans) (?:de |une )?suite favorable|\bne (?:peu[xt]|pouvons"
                           r"|pourrons|pourrai|saurions)\b[^.]{0,40}?\bpas\b[^.]{0,30}?\b(?:donner|reserver"
                           r"|apporter|accorder) (?:une )?suite")
# the invoice to bill again, told as what must be done ("Il faut donc refacturer auprès de la CPAM de l'Oise")
_REBILL_ELSEWHERE = re.compile(r"(?:il (?:vous )?faut|merci de|vous devez|veuillez) (?:donc )?(?:la |les )?"
                               r"re-?factur\w* (?:aupres|a la (?!date)|au (?:regime|service)|a l')")


_PAYMENT_MADE = re.compile(r"(?:reglement|paiement|virement|versement) de (?:(?:€|eur)\s?)?\d[\d\s.,]*"
                           r"(?:\s?(?:€|euros?|eur)\b)?[^.]{0,30}?\b(?:effectue|verse|intervenu|recu)")
_PAID_STATED = re.compile(r"(?:a (?:bien )?ete|est|ont ete|sont) (?:reglee|payee|mises? en paiement)")
_PAID_SAID = re.compile(r"(?:a|ont) (?:bien )?ete (?:mise?s? en paiement|reglee?s?|payee?s?|versee?s?)\b")
# "a été réglée le 14/10/2026 pour 11,34 €", "… réglée pour un montant de 38,40 €"
_PAID_FOR = (r"(?:a|ont) (?:bien )?[ée]t[ée] (?:r[ée]gl[ée]e?s?|pay[ée]e?s?|mise?s? en paiement)"
             r"(?: le \d{1,2}[/.]\d{1,2}[/.]\d{2,4}| le \d{1,2} \w+ \d{4})? pour (?:un montant de )?")
_NOT_PAID = re.compile(r"\bne\b[^.]{0,40}\bpas\b|\bnon\b|refus|rejet")


def _paid_in_its_sentence(invoice: str, text: str) -> bool:
    """Whether the sentence naming ``invoice`` says it was paid ("je vous confirme que les factures 000 812
    004 (38,60 €) et 000 812 009 (52,30 €) ont été mises en paiement ce jour"), with nothing against it."""
    return any(invoice in invoice_numbers(said) and _PAID_SAID.search(folded := normalize(said))
               and not _NOT_PAID.search(folded) for said in sentences(text))


# what to do on a condition ("Si vous disposez d'une prescription antérieure …, refacturez")
_IF_YOU = re.compile(r"(?i)\bsi vous (?:disposez|avez|pouvez|poss[ée]dez|retrouvez)")


# an agent's answer of a few words, from a phone: "ok c bon c réglé", "C'est payé." (never negated: "ce
# n'est pas réglé" does not have "c'est" before the word)
_BRIEFLY_PAID = re.compile(r"(?:^|[\s,.!])c(?:'|'\s?est\s|\s)(?:bien\s|bon,?\s(?:c(?:'\s?est\s|\s))?)?"
                           r"(?:reglee?|payee?|vire|mise? en paiement)s?\b")


def paid_in_brief(msg: ParsedMessage) -> bool:
    """Whether ``msg`` is an agent's answer of a few words saying paid ("ok c bon c réglé") above the
    professional's question about one invoice."""
    own = [line for line in (msg.text or "").splitlines()
           if line.strip() and not re.match(r"(?i)\s*(?:envoy[ée]|sent) (?:de|depuis|from)\b", line)]
    said = normalize("\n".join(own))
    return len(said.split()) <= 12 and bool(_BRIEFLY_PAID.search(said)) and "?" not in said \
        and len(invoice_numbers(msg.quoted or "")) == 1


def paid_the_one_asked(msg: ParsedMessage) -> bool:
    """Whether ``msg`` answers her question about one invoice by saying it was paid, without naming it ("La
    facture est bien arrivée chez nous, elle a été payée le 26/10 (virement de 44,10 €)")."""
    own = normalize(msg.text or "")
    return bool(_PAID_SAID.search(own)) and not invoice_numbers(msg.text or "") \
        and len(invoice_numbers(msg.quoted or "")) == 1 and not _NOT_PAID_NOW.search(own)


_NOT_PAID_NOW = re.compile(r"\b(?:n'a pas|n'ont pas|pas encore|jamais) (?:ete |encore ete )?(?:payee|reglee)")


def names_an_invoice(msg: ParsedMessage) -> bool:
    """Whether the message's own words (20 at least, not "Voir pièce jointe") name an invoice number:
    what an answer to her question is about."""
    text = msg.text or ""
    return len(text.split()) >= 20 and bool(invoice_numbers(text))


# invoices the answer pays, beside a refusal: a partial answer
_PAID_NOW = re.compile(r"(?:seront|sera|ont ete|a ete) (?:mises? en paiement|reglees?|payees?)\b")
# the invoice never reached the caisse: neither paid nor refused, to be sent again
_NEVER_RECEIVED = re.compile(r"(?:n'a|n'ont|ne nous (?:est|sont)) jamais (?:ete )?(?:recue?s?|parvenue?s?)"
                             r"|aucune trace (?:de|du|des)|jamais parvenue?s?")
# an acknowledgment that goes on with the answer ("J'accuse réception de votre réclamation … Après
# vérification, je ne peux pas donner une suite favorable"): the answer
_DECIDED = re.compile(r"apres (?:verification|examen|etude|analyse|instruction|recherches?)\b|defavorable"
                      r"|ne (?:peux|pouvons|pourrons|pourrai|saurions)(?: donc)? (?:pas )?"
                      r"(?:donner|reserver|apporter|accorder) (?:une )?suite"
                      r"|y apportons la reponse suivante")


_RECEIVED = re.compile(r"\b(?:acc?usons|acc?use) (?:bonne )?reception\b|\bavons bien recu\b"
                       r"|\ba bien ete (?:recue?|enregistree?)\b")


@per_message
def _which(msg: ParsedMessage) -> tuple[str, float]:
    best = ("", 0.0)
    if not mentions(msg, ("reclamation", "amelipro", "espace pro", "releve", "disponible", "accus",
                          "observations", "annule", "vous nous avez")):
        return best
    replied = re.match(r"(?i)\s*(?:re|aw|r[ée]f)\s*:", msg.subject or "") is not None
    if msg.auto_reply and "reclamation" in normalize(msg.subject or "") \
            and _RECEIVED.search(normalize(msg.text or "")):
        # "Réponse automatique : Réclamation facture 220 871 406", "Nous accusons réception de votre
        # message": the réclamations mailbox acknowledging hers (not an agent away from her desk)
        return ("ack", 0.9)
    for zone, (factor, text) in enumerate(zones(msg)):
        # "RE: Accusé de réception - réclamation …": the subject of what is answered, not an acknowledgment
        kinds = (("answer", ANSWER), ("notice", NOTICE)) if zone == 0 and replied else \
            (("ack", ACK), ("answer", ANSWER), ("notice", NOTICE))
        hits = [(weight, -found.start(), name)
                for name, patterns in kinds
                for pattern, weight in patterns if (found := pattern.search(text))]
        if hits:
            weight, position, name = max(hits)
            score = factor * weight + max(position, -99999) / 1e7
            if score > best[1]:
                best = (name, score)
    return best


def is_answer(msg: ParsedMessage) -> bool:
    """Whether the message's words answer her réclamation ("Nous faisons suite à votre réclamation du …")."""
    which, score = _which(msg)
    return which == "answer" and score >= 0.5


def is_document_notice(msg: ParsedMessage) -> bool:
    """Whether ``msg`` tells of a document waiting in her amelipro space ("Un nouveau document est disponible
    dans votre espace amelipro"), which the bot cannot read."""
    return _which(msg)[0] == "notice"


def is_amelipro(msg: ParsedMessage) -> bool:
    head = normalize(f"{msg.from_name} {msg.subject}")
    local, _, domain = (msg.from_addr or "").lower().rpartition("@")
    return ("amelipro" in head or "ameli pro" in head
            or (domain == "ameli.fr" and local in ("noreply", "no-reply", "ne-pas-repondre")))


def match(msg: ParsedMessage) -> float:
    return _which(msg)[1]


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    which = _which(msg)[0] or "answer"
    if which == "ack" and (_DECIDED.search(own := normalize(msg.text or "")) or _FAVOURABLE.search(own)
                           or re.search(r"reclamation comme (?:close|traitee|cloturee|classee)", own)):
        # ("Suite à votre réclamation enregistrée sous la référence … la facture … a été réglée le 23/10/2026
        # … Nous considérons votre réclamation comme close": the reference recalled, the answer given)
        which = "answer"
    # (a document waiting "dans votre espace amelipro" is told by the notice's words, whatever its title)
    kind = MessageKind.AMELIPRO if is_amelipro(msg) or which == "notice" else MessageKind.REPONSE_RECLAMATION
    full = msg.all_text()
    if which == "notice":
        if re.search(r"releve", normalize(msg.subject or "")) \
                or re.search(r"releve (?:mensuel|de (?:vos )?paiements?)", normalize(msg.text or "")):
            # the monthly statement: routine
            return Reading(kind=kind, trust=trust, caisse=caisse, fields={"notice": msg.subject})
        return Reading(kind=kind, trust=trust, caisse=caisse, fields={"notice": msg.subject},
                       needs_review="notification amelipro : document à consulter dans votre espace amelipro "
                                    "(le robot ne peut pas le lire)")
    problems: list[str] = []
    records = pieces.invoice_table(msg, problems)
    if not records and len(asked := invoice_numbers(msg.quoted)) == 1:
        records = {asked[0]: {}}  # the answer names no invoice: the one of the question it quotes
    invoices = list(records)
    record = records[invoices[0]] if len(invoices) == 1 else {}
    reference = (reference_after(full, r"r[ée]f[ée]rence\s*:?")
                 # ("votre réclamation du 19/10/2026 (n° R931-26-045512)": its day between them)
                 or reference_after(full, r"r[ée]clamation\s*(?:du\s+\d{1,2}/\d{1,2}/\d{2,4}\s*\(?\s*)?"
                                          r"(?:n[°o]|num[ée]ro)\s*:?")
                 # "Votre recours est enregistré sous le numéro R-342-…", not the indu it contests
                 or reference_after(full, r"(?:enregistr[ée]e?|recours)\s+sous\s+(?:le\s+)?"
                                          r"(?:n[°o]|num[ée]ro)\s*:?")
                 or any_reference(msg.subject, full))
    submitted = date_after(full, r"(?:d[ée]pos[ée]e|r[ée]clamation|demande) (?:le|du)\s*", span=2)
    details = {k: v for k, v in (("submitted_on", submitted), ("care_date", record.get("date")),
                                 ("other_invoices", invoices[1:] or None)) if v}
    review = None
    label = record.get("label")
    per_invoice = False  # (the decision told invoice by invoice, as rows)
    if which == "ack":
        fact_kind = FactKind.RECLAMATION_ACKNOWLEDGED
    else:
        fact_kind = FactKind.RECLAMATION_ANSWERED
        folded = normalize("\n".join([msg.text or "", *(a.text for a in msg.attachments if a.text)]))
        # wrongly rejected ("rejetée à tort pour droits non ouverts"): no refusal
        folded = WRONGLY_REJECTED.sub(" ", folded)
        if kind == "amelipro" and re.search(r"amelipro|espacepro", folded):
            details["answer_in"] = "amelipro"
            days = re.search(r"(?:pendant|durant) (\d{1,3}) jours", folded)
            if days:
                details["available_days"] = int(days.group(1))
        elif _NEVER_RECEIVED.search(folded) and action_of(folded) is Action.REBILL:
            # "cette facture n'a jamais été reçue par nos services … Nous vous invitons à la retransmettre"
            label = "à retransmettre"
            details["action"] = Action.REBILL.value
        elif _REBILL_ELSEWHERE.search(folded) and action_of(folded) is Action.REBILL:
            # "elle est rejetée : votre patiente dépend maintenant de la CPAM de l'Oise. Il faut donc
            # refacturer auprès de la CPAM de l'Oise": not a refusal to contest, an invoice to send again
            label = "à refacturer"
            details["action"] = Action.REBILL.value
        elif _PARTLY.search(folded):
            label = "partielle"  # "Votre réclamation est donc partiellement satisfaite"
        elif (told := outcomes(read_rows(msg).rows)) is not None and not _NO_FOLLOW_UP.search(folded):
            label = told  # an outcome per invoice ("Réglée le 29/09/2026 : 31,68 €", "Non, rejet maintenu")
            per_invoice = True
        elif _UNFAVOURABLE.search(folded) and (now := _PAID_NOW.search(folded)) \
                and not (len(invoices) == 1 and now.group().startswith(("a ete", "ont ete"))
                         and _NO_FOLLOW_UP.search(folded)):
            # "… avaient été rejetées à tort … seront mises en paiement … ; la facture … a en revanche été
            # rejetée à juste titre": some paid, some not (not one invoice "réglée le … pour 11,34 €" under
            # "nous ne pouvons pas y donner une suite favorable": the refusal's reason)
            label = "partielle"
        elif _UNFAVOURABLE.search(folded):
            label = "défavorable"
        elif _FAVOURABLE.search(folded) or paid_in_brief(msg):
            label = "favorable"
        else:
            review = "réponse à une réclamation : à lire"
    amount = record.get("amount")
    if amount is None and label == "favorable":  # "le règlement de 63,00 EUR interviendra…"
        amount = amount_after(msg.text or "", _ANNOUNCED, 30)
    fact = Fact(fact_kind, caisse=caisse, invoice=invoices[0] if invoices else None,
                lot=record.get("lot"), amount=amount, reject_code=record.get("reject_code"),
                label=label, reference=reference, date=msg.date.date() if msg.date else None,
                details=details)
    facts = [fact]
    if fact_kind is FactKind.RECLAMATION_ANSWERED and pieces.match(msg) >= 0.6 \
            and details.get("action") != Action.REBILL.value:  # (never received: sent again, not documented)
        # the answer asks for a document before paying: that request is a fact of its own
        facts += [f for f in pieces.read(msg, trust, caisse).facts if f.invoice]
        if review == "réponse à une réclamation : à lire" and len(facts) > 1:
            review = None
    if fact_kind is FactKind.RECLAMATION_ANSWERED and label == "partielle":
        # "1. Facture 000265140 : … La régularisation a été faite : 5,00€ mis en paiement le 03/11/2026." /
        # "2. Facture 000265147 : … ne peut donc pas aboutir": the payment of the invoice its item says paid
        rows = read_rows(msg).rows
        if len(invoices) == 1 and (split := parts_told_apart(rows, invoices[0], caisse)):
            facts += split  # one invoice, its AMO part paid and its AMC part rejected (or the reverse)
        elif told_apart(rows):  # each invoice its outcome: paid, rejected (what to do), still under study
            facts += row_facts(rows, {n: r.get("lot") for n, r in records.items()}, caisse)
        else:
            facts += [paid_fact(r, records.get(r.invoice, {}).get("lot"), caisse)
                      for r in rows if r.invoice and r.status is Status.PAID and (r.paid_amount or r.amount)]
        facts += one_payment(msg, facts, invoices, record, caisse, folded,
                              amount_after(msg.text or "", _ANNOUNCED, 30))
    elif fact_kind is FactKind.RECLAMATION_ANSWERED and label == "favorable":
        # "cette facture a été réglée le 15/10/2026 pour un montant de 38,40 €": the payment itself
        # ("réglée le 02/10/2026 pour un montant de 58,20 €, dans le virement global de 1.026,40 €")
        # ("… a été remise en paiement le 03/11/2026 pour son montant total de 96,60 €")
        said = amount_after(msg.text or "", r"(?:r[ée]gl[ée]e|pay[ée]e|mise en paiement)[^.€]{0,40}?"
                                            r"montant (?:total )?de\s*", 20)
        one_said = said if len(invoices) == 1 else None
        facts += [paid_fact(r, records.get(r.invoice, {}).get("lot"), caisse, one_said)
                  for r in read_rows(msg).rows
                  if r.invoice and (r.status is Status.PAID and (per_invoice or _PAID_STATED.search(folded))
                                    or r.status is None and _paid_in_its_sentence(r.invoice, msg.text or ""))]
        facts += one_payment(msg, facts, invoices, record, caisse, folded,
                              amount_after(msg.text or "", _ANNOUNCED, 30) or said)
        if len(facts) == 1 and len(invoices) == 1 and paid_in_brief(msg):  # "ok c bon c réglé": no amount
            facts.append(Fact(FactKind.INVOICE_PAID, caisse=caisse, invoice=invoices[0], part="AMO",
                              details={"source": "reclamation"}))
    elif fact_kind is FactKind.RECLAMATION_ANSWERED and label == "défavorable" and len(invoices) == 1 \
            and (made := _PAYMENT_MADE.search(normalize(msg.text or ""))
                 and amount_after(msg.text or "", r"(?:r[èe]glement|paiement|virement|versement) de\s*", 20)
                 or amount_after(msg.text or "", _PAID_FOR, 20)):
        # "le règlement de 9,45 euros effectué le 16/10/2026 est conforme", "cette facture a été réglée le
        # 14/10/2026 pour 11,34 € sur la base du taux de 60 %": refused, but paid what was billed
        facts.append(Fact(FactKind.INVOICE_PAID, caisse=caisse, invoice=invoices[0], amount=made,
                          lot=record.get("lot"), part="AMO", details={"source": "reclamation"},
                          date=paid_day(msg.text or "", msg.date.year if msg.date else None)))
    if label == "défavorable" and len(invoices) == 1 and not _IF_YOU.search(msg.text or "") \
            and (reject := reject_to_act_on(read_rows(msg).rows, invoices[0], record.get("lot"), caisse)):
        facts.append(reject)  # ("… rejetée avec le code 0450 072 … Je vous invite donc à refacturer")
    if problems and review is None:
        review = "réclamation : informations contradictoires, à vérifier"
    fields = {"reference": reference, "invoices": invoices, "label": label, **details}
    return Reading(kind=kind, trust=trust, caisse=caisse, facts=tuple(facts), fields=fields,
                   needs_review=review, problems=tuple(problems))
