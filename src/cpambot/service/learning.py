"""What the professional taught the bot by reply (``TYPE C3 retour``): the rules, kept in the store,
and the message behind the case read again as she said.

Only a genuine approver's reply reaches :meth:`Teacher.teach` (the reply desk checks it exactly
as it checks an approval). A rule is the sender's address and the subject's shape; the rules
are given to the reader for every message processed after.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any

from cpambot import labels
from cpambot.cases.casebook import CaseBook
from cpambot.cases.model import CaseState, CaseType
from cpambot.config.model import Caisse
from cpambot.instants import as_date
from cpambot.mailbox.ledger import LEDGER
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.learning import IGNORE, LearnedRule, subject_pattern
from cpambot.understanding.reader import read_message

LOG = logging.getLogger(__name__)

RULES = "learned_rules"
COUNTER = "counters"


def load_rules(store: Store) -> tuple[LearnedRule, ...]:
    """Every rule taught, oldest first."""
    docs = sorted(store.values(RULES), key=lambda d: int(str(d["id"])[1:] or 0))
    return tuple(LearnedRule.from_doc(d) for d in docs)


def remove_rule(store: Store, rule_id: str) -> bool:
    """Forget one rule; False when there is none of that number."""
    key = rule_id.strip().upper()
    if store.get(RULES, key) is None:
        return False
    store.delete(RULES, key)
    return True


def kind_label(kind: str) -> str:
    return "à ignorer" if kind == IGNORE else labels.MESSAGE_KIND.get(kind, kind)


class Teacher:
    """Reads a to-sort message again as the professional says, and keeps the rule."""

    def __init__(self, store: Store, raw: RawStore, cases: CaseBook,
                 caisses: tuple[Caisse, ...] = ()) -> None:
        self.store = store
        self.raw = raw
        self.cases = cases
        self.caisses = caisses

    def teach(self, case_id: str, kind: str, *, today: date) -> str:
        """The French line of the confirmation: what was done for ``TYPE <case_id> <kind>``."""
        case = self.cases.by_id(case_id)
        if case is None:
            return f"{case_id} : aucun dossier de ce numéro, rien n'est appris"
        if case.type is not CaseType.TO_SORT and not case.needs_review:
            return f"{case_id} : ce dossier n'est pas à trier, rien n'est appris"
        source = next((h.source for h in case.history if h.source), None)
        row = self.store.get(LEDGER, source) if source else None
        if source is None or row is None or not row.get("raw"):
            return f"{case_id} : le message d'origine n'est plus disponible, rien n'est appris"
        raw = self.raw.load(row["raw"])
        first = read_message(raw, row["category"], self.caisses)
        sender, subject = str(first.fields.get("from") or ""), str(first.fields.get("subject") or "")
        if not sender:
            return f"{case_id} : expéditeur illisible, rien n'est appris"
        rule = self._keep(sender, subject, kind, today)
        reading = read_message(raw, row["category"], self.caisses, load_rules(self.store))
        for other in self.cases.all():
            if any(h.source == source for h in other.history) and not other.is_closed:
                if other.type is CaseType.TO_SORT:
                    self.cases.save(replace(other, state=CaseState.CLOSED, closed=today, needs_review=None,
                                            status=f"reclassé par vous : {kind_label(kind)}"))
                elif other.needs_review:
                    self.cases.save(replace(other, needs_review=None))
        touched = self.cases.apply_reading(reading, source=source, received=as_date(row.get("date")) or today,
                                           today=today)
        LOG.info("règle %s apprise, message relu (%s)", rule.id, labels.count(len(touched), "dossier"))
        result = f"{case_id} : message relu comme « {kind_label(kind)} »"
        if touched:
            result += (" ; dossiers " if len(touched) > 1 else " ; dossier ") + ", ".join(touched)
        if reading.needs_review:
            result += f" ; reste à lire : {reading.needs_review}"
        return (result + f". Règle {rule.id} apprise : les messages de {rule.sender} dont l'objet "
                f"ressemble à « {rule.example} » seront lus ainsi (cpambot regles pour la retirer).")

    def _keep(self, sender: str, subject: str, kind: str, today: date) -> LearnedRule:
        pattern = subject_pattern(subject)
        for known in load_rules(self.store):
            if known.sender == sender and known.subject_pattern == pattern:
                rule = replace(known, kind=kind, example=subject, learned_on=today.isoformat())
                self.store.put(RULES, rule.id, rule.to_doc())
                return rule
        counter: dict[str, Any] = self.store.get(COUNTER, "rule") or {"next": 1}
        number = int(counter["next"])
        self.store.put(COUNTER, "rule", {"next": number + 1})
        rule = LearnedRule(id=f"R{number}", sender=sender, subject_pattern=pattern, kind=kind,
                           example=subject, learned_on=today.isoformat())
        self.store.put(RULES, rule.id, rule.to_doc())
        return rule

