"""The grammar of the commands on a case (not on a draft), parsed without I/O::

    FAIT C3 [ce que vous avez fait]   the step is done outside the bot (pièces sent by SCOR, lot
                                      re-transmitted, réclamation filed on amelipro)
    PAYÉ C3                           the payment is seen on her account: the case is closed
    CLASSER C3 motif                  the case is closed, for this reason
    NOTE C3 texte                     a note in the case's history
    REÇU C3 12/11                     the day a registered letter of the case was received: its
                                      deadlines run from it
    DÉTAIL C3                         the bot answers with the case's history, deadlines and letters

A case is named by its number (``C3``, ``c03``); one case a line. What follows the number is her text,
kept as she wrote it (FAIT, CLASSER, NOTE); CLASSER and NOTE need one. ``REÇU A7`` without a date stays
the command on a draft's e-mail (see :mod:`.commands`).
"""

from __future__ import annotations

import re

CASE_KEYWORDS = {"FAIT": "done", "FAITE": "done", "FAITES": "done", "PAYE": "paid", "PAYEE": "paid",
                 "CLASSER": "close", "NOTE": "note", "DETAIL": "detail", "DETAILS": "detail"}
CASE_ACTIONS = ("done", "paid", "close", "note", "received_on", "detail")
NEEDS_TEXT = ("close", "note")
_CASE = re.compile(r"^C0*(\d{1,6})$")
_REST = re.compile(r"^\s*\S+\s+[Cc]0*\d{1,6}\b\s*[:,;.\-–—]?\s*(.*)$", re.DOTALL)
_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$")


def case_id(word: str) -> str | None:
    """``"c03"`` → ``"C3"``; None when ``word`` (folded, upper case) is not a case number."""
    found = _CASE.match(word)
    return f"C{int(found.group(1))}" if found else None


def parse_case_line(stripped: str, words: list[str]) -> tuple[str, str, str | None] | None:
    """(action, case id, text) of one line whose folded ``words`` start with a case keyword (or REÇU
    followed by a case and a day); None when the line is not such a command (not understood)."""
    if words[0] in ("RECU", "RECUE"):
        if len(words) != 3 or case_id(words[1]) is None or not _DAY.match(words[2]):
            return None
        return "received_on", case_id(words[1]) or "", words[2]
    action = CASE_KEYWORDS.get(words[0])
    if action is None or len(words) < 2 or (code := case_id(words[1])) is None:
        return None
    found = _REST.match(stripped)
    text = " ".join(found.group(1).split()) if found else ""
    if action in ("paid", "detail") and text:
        return None  # ("PAYÉ C3 en partie": not a plain payment; said as a NOTE, it is kept)
    if action in NEEDS_TEXT and not text:
        return None
    return action, code, text or None


def day_parts(text: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) of "12/11", "12/11/2026", "12.11.26"."""
    found = _DAY.match(text.strip())
    if found is None:
        return None
    year = found.group(3)
    return int(found.group(1)), int(found.group(2)), (int(year) + 2000 if year and len(year) == 2
                                                       else int(year) if year else None)
