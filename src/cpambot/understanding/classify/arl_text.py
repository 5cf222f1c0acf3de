"""A logical acknowledgment (ARL) written for a person: some caisses and concentrators send it as text
("*** ACCUSÉ DE RÉCEPTION LOGIQUE (ARL) ***", a table "Lot … Résultat POSITIF", or lines "- lot 121
(12 factures) : ARL POSITIF") rather than as an EDI file.

Each lot named with its result gives ``lot_acknowledged`` (positive) or ``lot_refused`` (negative, with
the reject code and words when given). A result that names no lot sends the message to a human.
"""

from __future__ import annotations

import re

from cpambot.understanding.classify.text.dates import date_after
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

KEYWORDS = keywords(
    ("accuse de reception logique", 1.0),
    ("(?m:^(?:(?:tr|fwd?|re) ?: ?)?arl\\b)", 0.95),  # a subject or a title starting "ARL"
    ("\\barl (?:positif|negatif)", 0.6),
)

# "087   19/10/2026    00014   612,30   POSITIF", "- lot 121 (12 factures) : ARL POSITIF",
# "Lot 057 : ARL NEGATIF - code 1102 004 - NOMBRE DE FACTURES …"
_LINE = re.compile(r"(?im)^[ \t]*(?:[-•*][ \t]*)?(?:lot[ \t]*(?:n[°o][ \t]*)?)?(\d{3})\b([^\n]*?)"
                   r"\b(?:arl[ \t]+)?(positif|n[ée]gatif|accept[ée]|rejet[ée]|refus[ée])\b([^\n]*)$")
_CODE = re.compile(r"(?<![\d,.])(\d{4})(?:[ \t]*\d{3})?(?![\d,.])\s*[-–:]*\s*([^\W\d][^\n]{2,150})?")


# ("Numéro de lot .................. : 212": a leader of dots)
_A_LOT = re.compile(r"(?im)\blots?\b(?:\W{0,4}|[ .]{2,40}:\s*)(?:n[°o]\.?\s*)?\d{3}(?!\d)|^\s*\d{3}\b")
# a form: "Numéro de lot ....: 212" on one line, "RESULTAT DU CONTROLE : ARL POSITIF" on another
_LOT_FIELD = re.compile(r"(?im)^[ \t]*(?:num[ée]ro de |n[°o] (?:de )?)?lot\b[ .]*:[ \t]*(\d{3})[ \t]*$")
_RESULT = re.compile(r"(?im)^[^\n]*\b(?:r[ée]sultat|statut)\b[^\n:]*:[ \t]*(?:arl[ \t]+)?"
                     r"(positif|n[ée]gatif)\b([^\n]*)$")
_MOTIF_FIELD = re.compile(r"(?im)^[ \t]*(?:motif|code)\b[^\n:]*:[ \t]*(\S[^\n]*)$")


_MARK = re.compile(r"[(\[](\d)[)\]]")


def _footnote(after: str, text: str) -> str:
    """The footnote a result's mark calls ("REFUSE (1)" … "(1) 1305 004  DATE DE CONSTITUTION …")."""
    mark = _MARK.search(after)
    note = re.search(rf"(?m)^[ \t]*[(\[]{mark.group(1)}[)\]][ \t]*(\S[^\n]*)$", text) if mark else None
    return note.group(1) if note else ""


def match(msg: ParsedMessage) -> float:
    score = keyword_score(msg, KEYWORDS, ("arl", "accuse de reception"))
    if score and not any(_A_LOT.search(text) for text in (msg.subject or "", msg.text or "",
                                                          *(a.text or "" for a in msg.attachments))):
        # "consultez votre accusé de réception logique (ARL)": advice that names ARLs, about no lot
        return min(score, 0.45)
    return score


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    text = msg.text or ""
    received = date_after(text, r"(?:date de r[ée]ception|re[çc]ue? le)\s*:?\s*", span=2)
    facts: list[Fact] = []
    for found in _LINE.finditer(text):
        lot, result, after = found.group(1), found.group(3).lower(), found.group(4)
        if result.startswith(("positif", "accept")):
            facts.append(Fact(FactKind.LOT_ACKNOWLEDGED, caisse=caisse, lot=lot, date=received,
                              details={"source": "arl_text"}))
            continue
        code = _CODE.search(after) or _CODE.search(_footnote(after, text))
        label = code.group(2).strip(" .;-–") if code and code.group(2) else None
        facts.append(Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=lot, date=received,
                          reject_code=code.group(1) if code else None, label=label,
                          details={"source": "arl_text"}))
    lots = _LOT_FIELD.findall(text)
    if not facts and len(set(lots)) == 1 and len(results := _RESULT.findall(text)) == 1:
        result, after = results[0]
        if result.lower() == "positif":
            facts.append(Fact(FactKind.LOT_ACKNOWLEDGED, caisse=caisse, lot=lots[0], date=received,
                              details={"source": "arl_text"}))
        else:
            told = _MOTIF_FIELD.search(text)  # ("MOTIF DU REJET : 0103 - …" on a line of its own)
            code = _CODE.search(after) or (_CODE.search(told.group(1)) if told else None)
            facts.append(Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=lots[0], date=received,
                              reject_code=code.group(1) if code else None,
                              label=code.group(2).strip(" .;-–") if code and code.group(2) else None,
                              details={"source": "arl_text"}))
    review = None if facts else "accusé de réception logique sans lot lisible : à lire"
    return Reading(kind=MessageKind.ARL, trust=trust, caisse=caisse, facts=tuple(facts), needs_review=review,
                   fields={"lots": [f.lot for f in facts]})
