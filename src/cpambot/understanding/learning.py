"""Rules the professional taught: "messages of this sender with this kind of subject are …".

When the bot could not tell what a caisse message was, the digest lists it under a code and
she answers for instance ``TYPE C3 retour``. The message is then read again as that kind,
and a rule is kept — the sender's address and the subject's shape (digits and dates made
generic, reply and forward prefixes dropped) → the kind — so that the next message of the
same shape is read right at once. Pure values and functions; the rules live in the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.facts import MessageKind

IGNORE = "ignorer"  # the professional's word for "nothing to follow in such messages"

# The words of the reply (folded, upper case) → the kind the message is read as
KIND_WORDS: dict[str, str] = {
    "RETOUR": MessageKind.RETOUR_LOTS, "REJET": MessageKind.RETOUR_LOTS, "REJETS": MessageKind.RETOUR_LOTS,
    "PIECES": MessageKind.DEMANDE_PIECES, "PIECE": MessageKind.DEMANDE_PIECES,
    "INDU": MessageKind.NOTIFICATION_INDU, "CRA": MessageKind.DECISION_CRA,
    "DEMEURE": MessageKind.MISE_EN_DEMEURE, "REPONSE": MessageKind.REPONSE_RECLAMATION,
    "INFO": MessageKind.NEWSLETTER, "IGNORER": IGNORE,
}
VOCABULARY = "retour, pieces, indu, cra, demeure, reponse, info, ignorer"

_PREFIX = re.compile(r"^\s*(?:(?:re|tr|fwd?|fw|wg|transf[ée]r[ée]|r[ée]f)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class LearnedRule:
    """One rule: messages from ``sender`` whose subject has ``subject_pattern`` are ``kind``."""

    id: str  # "R3"
    sender: str  # the address, lower case
    subject_pattern: str
    kind: str  # a MessageKind value, or IGNORE
    example: str = ""  # the subject it was learned from, for `cpambot regles`
    learned_on: str = ""  # ISO date

    def to_doc(self) -> dict[str, str]:
        return {"id": self.id, "sender": self.sender, "subject_pattern": self.subject_pattern,
                "kind": self.kind, "example": self.example, "learned_on": self.learned_on}

    @classmethod
    def from_doc(cls, doc: dict) -> LearnedRule:
        return cls(id=str(doc["id"]), sender=str(doc["sender"]), subject_pattern=str(doc["subject_pattern"]),
                   kind=str(doc["kind"]), example=str(doc.get("example", "")),
                   learned_on=str(doc.get("learned_on", "")))


def subject_pattern(subject: str) -> str:
    """The shape of a subject: folded, without Re:/TR: prefixes, every number made ``#``
    ("Retour lots du 12/10/2026 - lot 045" → "retour lots du # - lot #")."""
    text = normalize(_PREFIX.sub("", subject or ""))
    text = re.sub(r"\d+(?:[/.\-]\d+)*", "#", text)
    return " ".join(text.split())


def kind_for_word(word: str) -> str | None:
    """The kind a reply word names ("retour", "PIÈCES"), or None when it is not in the vocabulary."""
    return KIND_WORDS.get(normalize(word).upper().strip(".,;:!"))


def rule_for(rules: Iterable[LearnedRule], sender: str, subject: str) -> LearnedRule | None:
    """The rule a message of ``sender`` with ``subject`` falls under (the latest learned wins)."""
    sender = (sender or "").strip().lower()
    shape = subject_pattern(subject)
    found = None
    for rule in rules:
        if rule.sender == sender and rule.subject_pattern == shape:
            found = rule
    return found
