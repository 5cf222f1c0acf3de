"""Letters: what the bot drafts for the professional, as plain data.

A :class:`LetterPlan` says which letter a case needs and by when (decided by the
pure rules of ``drafting.py``); rendering it from the templates gives either a
:class:`Letter` (a complete e-mail, ready for approval) or a :class:`MissingInfo`
(what the professional must supply first: the digest asks for it, the bot never
guesses). Drafts, their approval and their sending live in ``draftbook.py`` and
``outbox.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cpambot.errors import InvalidValueError

# Every kind of letter, with its French name (digest, CLI) and the caisse address
# purpose it goes to (config [[caisses]] adresses).
LETTER_KINDS: dict[str, tuple[str, str]] = {
    "annulation": ("URGENT / ANNULATION DE FACTURE", "annulation"),
    "reclamation": ("réclamation", "reclamation"),
    "relance1": ("relance", "reclamation"),
    "relance2": ("deuxième relance", "reclamation"),
    "mise_en_demeure": ("mise en demeure", "reclamation"),
    "indu_explication": ("explication à la caisse sur un indu", "indus"),
    "saisine_cra": ("saisine de la commission de recours amiable", "cra"),
    "saisine_conciliateur": ("saisine du conciliateur", "conciliateur"),
    "relance_amc": ("relance de la complémentaire", "amc"),
}


@dataclass(frozen=True)
class LetterPlan:
    """A letter a case needs: ``step`` names the step of the case it belongs to, so that
    the same letter is never drafted twice for the same step (``relance1`` of case C12)."""

    kind: str
    case_key: str
    step: str
    due: date  # send by this date
    reason: str  # French: why now ("1re relance : 15 jours après l'ARL sans paiement")

    def __post_init__(self) -> None:
        if self.kind not in LETTER_KINDS:
            raise InvalidValueError(f"unknown letter kind {self.kind!r}")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Letter:
    """A complete e-mail to send (text/plain, French)."""

    kind: str
    to: tuple[str, ...]
    subject: str
    body: str
    cc: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    html: str | None = None  # an HTML alternative (the digest); letters to a caisse are text only


@dataclass(frozen=True)
class MissingInfo:
    """A letter that cannot be written yet: what the professional must supply."""

    kind: str
    case_key: str
    step: str
    missing: tuple[str, ...]  # French, e.g. ("NIR de l'assuré", "adresse « cra » de la caisse 974")
