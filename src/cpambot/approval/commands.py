"""The approver's commands: the grammar of a reply, parsed without I/O.

One command per line, case-insensitive, accents tolerated::

    OK A7 B2          approve these codes        (commas, ";", "et", "+" also separate)
                      also "Ok pour A7 et B2, merci", "oui A7", "A7 ok", "d'accord", "validé"
    OK TOUT           approve every draft the digest listed
    NON A7            reject                     (also "refusé A7", "A7 non")
    REPORTER A7 3     postpone by 3 days (1..90; "3 jours", "3j", "de 3 jours" accepted)
    RENVOYER A7       send again an e-mail whose sending could not be confirmed
    REÇU A7           that e-mail did arrive: it is recorded as sent
    FAIT A7           the letter she was to file on amelipro is filed: recorded as sent
    POSTÉ A7 1A2345…  the registered letter is posted (its tracking number, spaces allowed): recorded
                      as sent that day; « POSTÉ A7 le 12/11 1A2345… » when posted another day
    AR A7 15/12       its acknowledgment of receipt came back, signed that day
    ANNULER lot 042 facture 000012345 motif : erreur de cotation
    TYPE C3 retour    the message behind case C3 is a lot return: read it again as one,
                      and read the next ones of its shape so (retour, pieces, indu, cra,
                      demeure, reponse, info, ignorer)

A code is one letter followed by digits (``a7``, ``A07`` → ``A7``). ``A 7`` (a
space inside the code) is NOT accepted: the line is echoed as not understood,
because the French word "à"/"a" would otherwise glue onto a number ("REPORTER
A7 à 3 jours" would name a draft ``A3``). A line with any word that is not a
code is not understood as a whole: nothing on it is done.

Each code may be named once by the decisions (OK, NON, REPORTER) of a reply. A code
named twice (``OK A7`` twice, ``OK A7`` and ``NON A7``, ``OK A7 A7``) is a *conflict*: it
is removed from every decision and reported. ``OK TOUT`` names every listed code, so a code named by
another line next to ``OK TOUT`` ("OK TOUT" + "NON A7") is a conflict too (A7 is
neither approved nor rejected, the others are approved); ``OK TOUT`` twice is the
conflict ``TOUT`` and approves nothing.

Lines starting with ``>`` (quoted) are ignored; courtesy lines ("Bonjour",
"Merci", "Cordialement"…) are skipped; every other line is returned in
``unrecognized`` for the French echo of the confirmation.

Reply to a single draft (``draft_code="A7"``): a bare ``OK``, ``NON`` or
``REPORTER 3`` applies to that draft, and a text that is not a command is an
*edited text* for it — see :func:`is_edit`.

Whether a command may actually release a draft is decided elsewhere
(:mod:`cpambot.approval.checks`, :mod:`cpambot.approval.decide`): this module only says what
the approver asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cpambot.approval.case_commands import CASE_ACTIONS, CASE_KEYWORDS, case_id, day_parts, parse_case_line
from cpambot.approval.replies import APOSTROPHES, QUOTED_LINE, fold, normalise, strip_reply
from cpambot.understanding.learning import kind_for_word

ACTIONS = ("approve", "reject", "postpone", "approve_all", "resend", "delivered", "filed", "posted",
           "acknowledged", "retype", *CASE_ACTIONS)
DECISIONS = ("approve", "reject", "postpone", "approve_all")  # decisions on drafts (conflicts checked)
KEYWORDS = {"OK": "approve", "NON": "reject", "REPORTER": "postpone", "REPORTE": "postpone",
            "ANNULER": "cancel", "RENVOYER": "resend", "RECU": "delivered", "TYPE": "retype",
            # her own words for yes and no
            "OUI": "approve", "D'ACCORD": "approve", "DACCORD": "approve", "VALIDE": "approve",
            "VALIDER": "approve", "APPROUVE": "approve", "REFUSE": "reject", "REFUSER": "reject"}
# words around the codes of a yes or a no that say nothing more ("Ok pour A7 et B2, merci");
# any other word (« mais », « pas », « sauf »…) leaves the whole line not understood
FILLERS = frozenset({"POUR", "LE", "LA", "LES", "DE", "DU", "DES", "BON", "ALORS", "MERCI", "BEAUCOUP"})
ALL_WORDS = ("TOUT", "TOUS", "TOUTES")
MAX_POSTPONE_DAYS = 90
CONFLICT_ALL = "TOUT"
EDIT_MIN_WORDS = 6
_CODE = re.compile(r"^([A-Z])(\d{1,4})$")
_DAYS = re.compile(r"^(\d{1,3})(?:J|JOURS?)?$")
_SPLIT = re.compile(r"[\s,;:+&/]+")
_EDGE_PUNCT = "«»\"'.!?()[]"
_BULLET = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")
_COURTESY = frozenset({
    "BONJOUR", "BONSOIR", "SALUT", "MERCI", "MERCI BEAUCOUP", "MERCI D'AVANCE", "CORDIALEMENT",
    "BIEN CORDIALEMENT", "BIEN A VOUS", "BONNE JOURNEE", "BONNE SOIREE", "BELLE JOURNEE", "BISES",
    "A BIENTOT", "AMICALEMENT", "BONJOUR CPAMBOT", "HELLO", "THANKS", "MERCI A TOI", "MERCI A VOUS",
})
_NUMBER_WORD = r"(?:n\s*[°o]\.?|num(?:[ée]ro)?\.?)?"
_ANNUL_LOT = re.compile(rf"\blot\s*{_NUMBER_WORD}\s*:?\s*(\d+)(?![\d])", re.IGNORECASE)
_ANNUL_INVOICE = re.compile(rf"\bfacture\s*{_NUMBER_WORD}\s*:?\s*(\d(?:[ .]?\d)*)(?![\d])", re.IGNORECASE)
_ANNUL_MOTIF = re.compile(r"\bmotif\s*:?\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    """One decision: ``action`` on ``codes`` (empty for ``approve_all``); ``days`` for ``postpone``."""

    action: str  # one of ACTIONS
    codes: tuple[str, ...] = ()
    days: int | None = None
    kind: str | None = None  # for ``retype`` (TYPE C3 retour): the kind the message is to be read as
    text: str | None = None  # a case command's own words (FAIT, CLASSER, NOTE) or day (REÇU C3 12/11)
    day: str | None = None  # the day a command names besides its text (POSTÉ A7 le 12/11 1A2…)


@dataclass(frozen=True)
class AnnulationRequest:
    """An urgent request to cancel an invoice: lot (3 digits), invoice (9 digits), reason."""

    lot: str
    invoice: str
    motif: str


@dataclass(frozen=True)
class ParsedReply:
    commands: tuple[Command, ...] = ()
    annulations: tuple[AnnulationRequest, ...] = ()
    unrecognized: tuple[str, ...] = ()  # the original lines, for the French echo
    conflicts: tuple[str, ...] = ()  # codes named more than once (and "TOUT"): nothing done for them
    edited_text: str | None = None  # reply to a single draft: the new text proposed for it

    @property
    def decisions(self) -> tuple[Command, ...]:
        """The decisions on drafts (OK, NON, REPORTER), without the sending commands."""
        return tuple(c for c in self.commands if c.action in DECISIONS)

    @property
    def approve_all(self) -> bool:
        return any(c.action == "approve_all" for c in self.commands)

    def codes_for(self, action: str) -> tuple[str, ...]:
        """Codes named by commands of ``action`` ("approve", "reject", "postpone")."""
        return tuple(code for c in self.commands if c.action == action for code in c.codes)

    def approved(self, listed: Iterable[str] = ()) -> tuple[str, ...]:
        """The codes to approve: those named by ``OK``, plus, for ``OK TOUT``, every code of
        ``listed`` (the codes the replied-to digest showed) — never a conflicting code, nor
        one rejected or postponed in the same reply."""
        out = list(self.codes_for("approve"))
        if self.approve_all:
            excluded = set(self.conflicts) | set(self.codes_for("reject")) | set(self.codes_for("postpone"))
            out += [c for c in (normalise_code(x) for x in listed) if c and c not in excluded]
        return tuple(dict.fromkeys(out))

    @property
    def empty(self) -> bool:
        return not (self.commands or self.annulations or self.unrecognized or self.conflicts
                    or self.edited_text)


def normalise_code(token: str) -> str | None:
    """``"a07"`` → ``"A7"``; None when ``token`` is not a letter followed by 1 to 3 digits
    (leading zeros aside)."""
    found = _CODE.match(fold(token.strip()))
    if not found:
        return None
    number = int(found.group(2))
    if number > 999:
        return None
    return f"{found.group(1)}{number}"


def _tokens(folded_line: str) -> list[str]:
    words = [w.strip(_EDGE_PUNCT) for w in _SPLIT.split(folded_line)]
    return [w for w in words if w and w != "ET"]


def _parse_annulation(line: str) -> AnnulationRequest | None:
    rest = normalise(line).split(None, 1)
    if len(rest) < 2:
        return None
    text = rest[1]
    lot, invoice, motif = _ANNUL_LOT.search(text), _ANNUL_INVOICE.search(text), _ANNUL_MOTIF.search(text)
    if not (lot and invoice and motif):
        return None
    if motif.start() < max(lot.end(), invoice.end()):
        return None  # the reason comes last: anything before it would be swallowed
    lot_digits = lot.group(1)
    invoice_digits = re.sub(r"\D", "", invoice.group(1))
    reason = motif.group(1).strip(" .;,")
    if len(lot_digits) != 3 or len(invoice_digits) != 9 or not re.search(r"\w{2,}", reason):
        return None
    return AnnulationRequest(lot=lot_digits, invoice=invoice_digits, motif=reason)


def _parse_line(line: str, draft_code: str | None) -> Command | AnnulationRequest | str | None:
    """A command, an annulation, ``"skip"`` (courtesy, quoted) or None (not understood)."""
    if QUOTED_LINE.match(line):
        return "skip"
    stripped = _BULLET.sub("", line).strip()
    folded = fold(normalise(stripped)).translate(APOSTROPHES)
    words = _tokens(folded)
    if not words:
        return "skip"
    if " ".join(words) in _COURTESY:
        return "skip"
    plain = [w.strip(_EDGE_PUNCT + ",;:") for w in folded.split()]
    if len(plain) == 2 and CASE_KEYWORDS.get(plain[0]) == "done" and case_id(plain[1]) is None \
            and (code := normalise_code(plain[1])) is not None:
        return Command("filed", (code,))  # FAIT A7: a letter she filed on amelipro herself
    if plain and plain[0] in ("POSTE", "POSTEE", "AR"):
        return _parse_post(plain)
    if plain and (plain[0] in CASE_KEYWORDS or plain[0] in ("RECU", "RECUE") and len(plain) == 3
                  and any(c.isdigit() for c in plain[2])):
        # a command on a case (FAIT C3, PAYÉ C3, CLASSER C3 motif, NOTE C3 texte, REÇU C3 12/11, DÉTAIL C3)
        on_case = parse_case_line(stripped, plain)
        return Command(on_case[0], (on_case[1],), text=on_case[2]) if on_case else None
    action = KEYWORDS.get(words[0])
    if action is None and len(words) > 1 and KEYWORDS.get(words[-1]) in ("approve", "reject"):
        # the codes first, then the word ("A7 ok", "A7 et B2 : oui")
        action, words = KEYWORDS[words[-1]], [words[-1], *words[:-1]]
        if not any(normalise_code(w) for w in words[1:]):
            return None
    if action is None:
        return None
    if action == "cancel":
        return _parse_annulation(stripped)
    args = words[1:]
    if action == "retype":  # TYPE C3 retour: one case, one word of the vocabulary
        code = normalise_code(args[0]) if len(args) == 2 else None
        kind = kind_for_word(args[1]) if len(args) == 2 else None
        return Command("retype", (code,), kind=kind) if code and kind else None
    if action in ("approve", "reject"):
        args = [a for a in args if a not in FILLERS]
    if action == "approve" and len(args) == 1 and args[0] in ALL_WORDS:
        return Command("approve_all")
    days = None
    if action == "postpone":
        if args and args[-1] in ("J", "JOUR", "JOURS"):
            args = args[:-1]
        found = _DAYS.match(args[-1]) if args else None
        if not found:
            return None
        days = int(found.group(1))
        args = args[:-1]
        if args and args[-1] == "DE":
            args = args[:-1]
        if not 1 <= days <= MAX_POSTPONE_DAYS:
            return None
    codes = [normalise_code(a) for a in args]
    if any(c is None for c in codes):
        return None
    if not codes:
        if draft_code is None:
            return None  # "OK" alone in a digest reply: which draft? (peers lesson 7)
        codes = [draft_code]
    return Command(action, tuple(c for c in codes if c), days)


_TRACKING = re.compile(r"^[0-9A-Z]{8,20}$")
_POST_FILLERS = ("LE", "N°", "NO", "N", "NUMERO", "SUIVI", "DE", "-", ":")


def _parse_post(plain: list[str]) -> Command | None:
    """POSTÉ A7 [numéro de suivi] (a registered letter posted) or AR A7 15/12 (its acknowledgment of
    receipt came back, signed that day); None when the line is not such a command."""
    code = normalise_code(plain[1]) if len(plain) >= 2 else None
    if code is None:
        return None
    if plain[0] == "AR":
        if len(plain) != 3 or day_parts(plain[2]) is None:
            return None
        return Command("acknowledged", (code,), text=plain[2])
    rest = [w for w in plain[2:] if w not in _POST_FILLERS]
    day = next((w for w in rest if day_parts(w) is not None), None)
    tracking = "".join(w for w in rest if w != day)  # (printed on the receipt in groups: 1A 234 567…)
    if tracking and not _TRACKING.match(tracking):
        return None
    return Command("posted", (code,), text=tracking or None, day=day)


def is_edit(text: str) -> bool:
    """Whether a reply to a single draft is a new text for it rather than commands.

    Rule: the stripped text has at least ``EDIT_MIN_WORDS`` (6) words, its first word is
    not a command keyword (OK, NON, REPORTER, ANNULER, RENVOYER, REÇU), and none of its lines is a
    command. "OK merci", "Non pas comme ça" or "REPORTER 3" are therefore never edits;
    "Madame, Monsieur, je conteste le rejet…" is."""
    words = normalise(text).split()
    if len(words) < EDIT_MIN_WORDS:
        return False
    first = fold(words[0]).strip(_EDGE_PUNCT + ",;:")
    if first in KEYWORDS:
        return False
    return not any(isinstance(_parse_line(line, "X1"), (Command, AnnulationRequest))
                   for line in normalise(text).split("\n"))


def parse_commands(text: str, *, draft_code: str | None = None) -> ParsedReply:
    """Parse the stripped text of a reply into commands (see the module docstring).

    ``draft_code``: the code of the draft when the reply answers that single draft's
    e-mail (not the digest); bare ``OK``/``NON``/``REPORTER n`` then apply to it, and a
    text that :func:`is_edit` accepts becomes ``edited_text``. Never raises."""
    text = normalise(text or "")
    draft = normalise_code(draft_code) if draft_code else None
    if draft is not None and is_edit(text):
        return ParsedReply(edited_text=text.strip())
    parsed: list[Command] = []
    annulations: list[AnnulationRequest] = []
    unrecognized: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        result = _parse_line(line, draft)
        if isinstance(result, Command):
            parsed.append(result)
        elif isinstance(result, AnnulationRequest):
            if result not in annulations:
                annulations.append(result)
        elif result is None:
            unrecognized.append(" ".join(line.split()))
    # Conflicts: a code named more than once by decisions; OK TOUT names every code.
    seen: dict[str, int] = {}
    for command in parsed:
        if command.action not in DECISIONS:
            continue
        for code in command.codes:
            seen[code] = seen.get(code, 0) + 1
    all_count = sum(1 for c in parsed if c.action == "approve_all")
    conflicts = [code for code, count in seen.items() if count > 1 or all_count > 0]
    if all_count > 1:
        conflicts.append(CONFLICT_ALL)
    commands: list[Command] = []
    for command in parsed:
        if command.action == "approve_all":
            if all_count == 1:
                commands.append(command)
            continue
        kept = tuple(dict.fromkeys(c for c in command.codes
                                   if c not in conflicts or command.action not in DECISIONS))
        if kept:
            commands.append(replace(command, codes=kept))
    return ParsedReply(commands=tuple(commands), annulations=tuple(annulations),
                       unrecognized=tuple(unrecognized), conflicts=tuple(conflicts))


def read_reply(text: str, *, draft_code: str | None = None) -> ParsedReply:
    """Strip and parse a reply body in one call.

    Commands are read from the text without its signature. For a reply to a single draft,
    the edit rule is applied to the text WITH its closing and name (they belong to the
    letter, and the library's signature cut — at a line starting with "Salutations" or
    "Bonne réception" — could otherwise leave too few words), and ``edited_text`` keeps them."""
    parsed = parse_commands(strip_reply(text), draft_code=draft_code)
    if draft_code and normalise_code(draft_code) and not (parsed.commands or parsed.annulations
                                                          or parsed.conflicts):
        full = strip_reply(text, keep_signature=True)
        if is_edit(full):
            return ParsedReply(edited_text=full)
    return parsed
