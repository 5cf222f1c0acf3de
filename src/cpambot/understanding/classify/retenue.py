"""Avis de retenue: the caisse tells that it has deducted a debt (an indu) from a payment.

Recognised by "avis de retenue", "une retenue a été opérée sur votre dernier règlement". One
``retenue`` fact: the amount deducted (a "Retenue" / "Montant retenu" column or label), the debt's
reference ("Créance n°", "indu n°"), its nature ("Nature de la créance : indu sur prestations", in
the label and the details), the day it was notified ("notifié le 03/08/2026", so that nothing is
asked about a debt the professional already knows) and the balance left after it ("solde après
retenue : 0,00 EUR", "Reste dû").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from cpambot.understanding.classify.text.amounts import amount_after
from cpambot.understanding.classify.text.dates import date_after, letter_date
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.references import reference_after
from cpambot.understanding.classify.text.tables import column, find_tables
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows.cells import amount_of

KEYWORDS = keywords(
    ("^avis de retenue", 1.0),
    ("avis de retenue sur (?:paiement|reglement|prestations)", 1.0),
    ("une retenue (?:a ete|de [^.]{0,30}a ete) (?:operee|effectuee|pratiquee|appliquee) sur (?:votre|le|vos)"
     "(?: dernier)? (?:reglement|paiement|virement)", 0.95),
    # the decision to recover an indu by deductions from the next payments, once its delays ran out ("Objet :
    # Récupération d'un indu par retenues", "je vous informe que la somme de … sera récupérée par retenues"),
    # not the warning a notification gives ("à défaut de règlement, la somme pourra être récupérée…")
    ("(?m)^objet\\s*:\\s*recuperation d'(?:un|une) (?:indu|creance)[^\\n]{0,30}"
     "par (?:voie de )?retenues?", 1.0),
    ("(?:informe|informons)[^.]{0,40} que [^.]{0,80}sera (?:recuperee?|recouvree?) "
     "par (?:voie de )?retenues?", 1.0),
    # "nous avons procédé à sa récupération par retenue sur vos règlements de tiers payant"
    ("(?:avons|a ete) procede a (?:sa|la|leur) (?:recuperation|recouvrement) par (?:voie de )?retenues?",
     1.0),
    ("^(?:information ?: ?)?retenues? sur vos (?:reglements|paiements)", 0.9),
)

_AMOUNT_LABELS = (r"montant (?:retenu|de la retenue|pr[ée]lev[ée])\s*:?\s*",
                  r"\bretenue op[ée]r[ée]e\s*[:|]?\s*",  # "Retenue opérée | 84,60 €", a label/value table
                  r"\bretenue (?:de|d'un montant de)\s*",
                  r"\bsomme de\s*(?=(?:eur\s*)?[\d\s\u00a0\u202f.,]+(?:€|euros?|eur)?\s*"
                  r"sera (?:r[ée]cup[ée]r[ée]e|recouvr[ée]e))")
_REFERENCE_LABEL = r"(?:cr[ée]ance|indu|dette)\s*(?:n[°o]\.?|num[ée]ro)?\s*:?"
_DEBT_LINE = re.compile(r"(?im)^\s*cr[ée]ance(?: concern[ée]e)?(?:\s*[|:]|\t)\s*(?:n[°o]\.?\s*)?"
                        r"([A-Z0-9][\w/.-]{5,30})\s*$")
_NATURE = re.compile(r"(?im)^\s*nature (?:de la (?:cr[ée]ance|dette))?\s*:\s*([^\n|]{3,80}?)\s*$")
_BALANCE = (r"(?:solde (?:apr[èe]s retenue|restant)|reste d[ûu]|restant d[ûu])\s*:?\s*",)


def match(msg: ParsedMessage) -> float:
    return keyword_score(msg, KEYWORDS, ("retenue",))


def _cell(text: str, *header: str) -> str | None:
    """The first data row's cell under the first header cell matching one of ``header`` (folded), in
    the tables of ``text``."""
    for head, rows in find_tables(text):
        if (index := column(head, *header)) is not None:
            return rows[0][index]
    return None


def _amount(text: str) -> Decimal | None:
    if (found := _cell(text, r"^(?:montant )?retenue?$")) is not None:
        return amount_of(found)
    values = {v for label in _AMOUNT_LABELS if (v := amount_after(text, label, 30)) is not None}
    return values.pop() if len(values) == 1 else None


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    text = msg.all_text()
    amount = _amount(text)
    debt = _cell(text, r"^creance")
    # ("Créance concernée | n° 4220012873": a label/value line, the debt's number alone)
    told = _DEBT_LINE.search(text)
    reference = reference_after(text, _REFERENCE_LABEL) \
        or (debt if debt and re.search(r"\d", debt) else None) \
        or (told.group(1) if told and re.search(r"\d", told.group(1)) else None)
    nature = _NATURE.search(text)
    notified = date_after(text, r"notifi[ée]e? (?:le|en date du)\s*", span=2)
    balance = _cell(text, r"^reste du$")
    left = amount_of(balance) if balance else next(
        (v for label in _BALANCE if (v := amount_after(text, label, 30)) is not None), None)
    details: dict[str, Any] = {"nature": nature.group(1).strip() if nature else None,
                               "notified": notified.isoformat() if notified else None,
                               "balance": str(left) if left is not None else None}
    # the payment it was deducted from: "virement du 27/10/2026", "le règlement qui vous a été adressé le …"
    when = date_after(text, r"(?:virement|r[èe]glement|paiement)[^\d\n.]{0,40}?(?:du|le)\s*", span=2)
    fact = Fact(FactKind.RETENUE, caisse=caisse, amount=amount, reference=reference, date=when,
                label=details["nature"], details={k: v for k, v in details.items() if v is not None})
    review = None if amount is not None else "avis de retenue sans montant lisible : à lire"
    return Reading(kind=MessageKind.AVIS_RETENUE, trust=trust, caisse=caisse, facts=(fact,),
                   needs_review=review, fields={"letter_date": letter_date(text)})  # (on paper, its date)
