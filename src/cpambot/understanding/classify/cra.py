"""Décision de la Commission de recours amiable (CRA).

Recognised by "décision de la Commission de recours amiable", "décision de la CRA",
"la commission … a décidé". One ``cra_decision`` fact: label "rejet", "partiel" or
"favorable" (None, and a human, when the wording is not recognised), the letter's own
reference (its recours number; the indu it rules on goes to the details as ``indu_reference``,
which keys the case: :func:`cpambot.cases.rules.case_key`), the date of the
letter notifying the decision (the séance date in the details), and the amount still
due when the indu is reduced ("ramené à").
"""

from __future__ import annotations

import re

from cpambot.understanding.classify.text.amounts import amount_after
from cpambot.understanding.classify.text.dates import date_after, letter_date
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import any_reference, own_reference, reference_after
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

KEYWORDS = keywords(
    ("decision de la commission de recours amiable", 1.0),
    ("decision (?:de la )?cra\\b", 1.0),
    ("decision (?:rendue|prise) par la commission de recours amiable", 1.0),
    ("commission de recours amiable[^.]{0,150}a decide", 0.9),
    ("la commission a (?:decide|rejete|admis|fait droit)", 0.8),
    # the decision told without its title: "Lors de sa séance du 15/10, la Commission a examiné…"
    ("(?:lors de|en) sa seance[^.]{0,60}la commission", 1.0),
    ("la commission[^.]{0,160}(?:a (?:examine|decide|estime|statue|fait droit|rejete|admis)|decide de)",
     0.95),
    ("vous avez saisi la commission de recours amiable", 0.85),
    # only a decision of the commission is contested before the court ("la présente décision")
    ("contester (?:la presente|cette) decision devant le (?:pole social|tribunal)", 0.95),
)

_PARTIAL = re.compile(r"partiel|pour le surplus|ramene a|reduit a|admettre votre recours pour|"
                      r"recours (?:est )?(?:partiellement|en partie)")
_REJECT = re.compile(r"rejet(?:er|te|e)? (?:votre|le|ce|du) recours|recours (?:est )?rejete|"
                     r"confirme[rs]? (?:la|l'integralite|le bien-fonde)|maintenir l'indu|"
                     r"decide de (?:le |la |les )?rejeter|"
                     r"recours (?:est )?(?:declare )?irrecevable|irrecevable pour forclusion|"
                     r"(?:indu|somme|montant) (?:qui )?(?:reste|demeure) du|"
                     r"(?:ne|n') ?(?:pas|peut|a pas|pouvait)[^.;]{0,20}(?:faire|fait|etre fait) droit")
# "ne pas faire droit à votre recours" is a rejection: its words are taken out before the favourable ones
_NOT_FAVOURABLE = re.compile(r"(?:ne|n') ?(?:pas|peut|a pas|pouvait)[^.;]{0,20}"
                             r"(?:faire|fait|etre fait) droit")
_FAVOURABLE = re.compile(r"fai(?:re|t) droit|admet(?:tre)? (?:votre|le) recours|annul(?:e|er|ation de) "
                         r"(?:l'|la )?(?:indu|notification)|recours (?:est )?(?:admis|accepte|fonde)")


# where a letter states its ruling after setting out her claim and the grounds
_RULING = re.compile(r"\bpar ces motifs\b|^\s*(?:\d\.|[ivx]+\.)?\s*(?:dispositif|decision)\s*$", re.MULTILINE)
# what she asked or argued, set out before the ruling: never the decision
_HER_CLAIM = re.compile(r"\bvous (?:demandez|sollicitez|soutenez|contestez|faites valoir|estimez)\b[^.]*\.?")


def match(msg: ParsedMessage) -> float:
    return keyword_score(msg, KEYWORDS, ("recours", "cra", "commission"))


def outcome(text: str) -> str | None:
    """"rejet", "partiel" or "favorable" from the wording of the decision, or None."""
    folded = normalize(text)
    if ruling := _RULING.search(folded):  # "PAR CES MOTIFS, la Commission …": the decision itself
        folded = folded[ruling.end():]
    folded = _HER_CLAIM.sub(" ", folded)  # "Vous demandez en conséquence l'annulation de l'indu."
    partial, reject = _PARTIAL.search(folded), _REJECT.search(folded)
    favourable = _FAVOURABLE.search(_NOT_FAVOURABLE.sub(" ", folded))
    if partial or (reject and favourable):
        return "partiel"
    if reject:
        return "rejet"
    if favourable:
        return "favorable"
    return None


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    full = msg.all_text()
    letters = "\n".join(a.text for a in msg.attachments if a.text)
    label = outcome(letters) or outcome(msg.text or "")
    reference = (own_reference(msg.subject, full,
                               r"recours|d[ée]cision (?:de la )?cra|(?<![\w/])cra(?![-\w/])")
                 or reference_after(full, r"recours\s*(?:n[°o]|num[ée]ro)\s*:?")
                 or reference_after(full, r"votre recours\b[^\n]{0,40}?\bn[°o]\s*:?")
                 or any_reference(msg.subject, full))
    indu_reference = (reference_after(full, r"indu\s*(?:n[°o]|num[ée]ro)?\s*:?")
                      or reference_after(full, r"notification de payer\s*(?:n[°o]|num[ée]ro)\s*:?"))
    session = date_after(full, r"s[ée]ance du\s*", span=2)
    letter = letter_date(letters) or letter_date(msg.text or "")
    # "ramené à 612,40 €", "ramené de 1 596,00 euros (or EUR 1596,00) à 612,40 euros",
    # "le montant restant dû, soit 612,40"
    amount = (amount_after(full, r"ramen[ée]e?\s*"
                                 r"(?:de\s+(?:eur\s*)?[\d\s\u00a0\u202f.,]+(?:euros?|€|eur)?\s*)?"
                                 r"[àa]\s*", 20)
              or amount_after(full, r"(?:montant|somme) restant d[ûu]e?,?\s*(?:soit|de|:)?\s*", 20))
    details: dict = {k: v for k, v in (("recours_reference", reference), ("session_date", session),
                                       ("letter_date", letter)) if v is not None}
    if indu_reference and indu_reference != reference:
        details["indu_reference"] = indu_reference  # the case it belongs to (rules.case_key)
        if reference:
            details["related"] = [reference]  # the case may have been opened under the recours number
    # The decision's date: the letter notifying it (the 2-month court delay runs from its receipt).
    when = letter or (msg.date.date() if msg.date else None) or session
    fact = Fact(FactKind.CRA_DECISION, caisse=caisse, label=label, reference=reference or indu_reference,
                amount=amount, date=when, details=details)
    review = None if label else "décision de la CRA : sens de la décision non reconnu, à lire"
    fields = {"decision": label, "indu_reference": indu_reference, "amount_due": amount, **details}
    return Reading(kind=MessageKind.DECISION_CRA, trust=trust, caisse=caisse, facts=(fact,), fields=fields,
                   needs_review=review)
