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
from enum import StrEnum

from cpambot.errors import InvalidValueError


class LetterKind(StrEnum):
    """Every letter the bot drafts to a caisse or an insurer (labels: :data:`cpambot.labels.LETTER_KIND`)."""

    ANNULATION = "annulation"
    RECLAMATION = "reclamation"
    RELANCE1 = "relance1"
    RELANCE2 = "relance2"
    MISE_EN_DEMEURE = "mise_en_demeure"
    INDU_EXPLICATION = "indu_explication"
    SAISINE_CRA = "saisine_cra"
    SAISINE_CONCILIATEUR = "saisine_conciliateur"
    RELANCE_AMC = "relance_amc"


# The caisse address each letter goes to (config [[caisses]] adresses: its purpose).
LETTER_PURPOSE: dict[LetterKind, str] = {
    LetterKind.ANNULATION: "annulation",
    LetterKind.RECLAMATION: "reclamation",
    LetterKind.RELANCE1: "reclamation",
    LetterKind.RELANCE2: "reclamation",
    LetterKind.MISE_EN_DEMEURE: "reclamation",
    LetterKind.INDU_EXPLICATION: "indus",
    LetterKind.SAISINE_CRA: "cra",
    LetterKind.SAISINE_CONCILIATEUR: "conciliateur",
    LetterKind.RELANCE_AMC: "amc",
}


@dataclass(frozen=True)
class LetterPlan:
    """A letter a case needs: ``step`` names the step of the case it belongs to, so that
    the same letter is never drafted twice for the same step (``relance1`` of case C12)."""

    kind: LetterKind
    case_key: str
    step: str
    due: date  # send by this date
    reason: str  # French: why now ("1re relance : 15 jours après l'ARL sans paiement")

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", LetterKind(self.kind))
        except ValueError:
            raise InvalidValueError(f"unknown letter kind {self.kind!r}") from None


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
    channel: str = "courriel"  # config.model.CHANNELS: e-mailed, filed by her or posted


@dataclass(frozen=True)
class MissingInfo:
    """A letter that cannot be written yet: what the professional must supply."""

    kind: str
    case_key: str
    step: str
    missing: tuple[str, ...]  # French, e.g. ("NIR de l'assuré", "adresse « cra » de la caisse 974")
