"""The two parts of one invoice told apart in sentences: "Seule la part AMO est rejetée. La part
complémentaire (9,45 €) a bien été payée … le 20/10/2026" — the rejected part and the paid one, each
a row of its own (``Row.part``), so that the paid part is never re-billed with the other."""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows.actions import action_of, paid_day
from cpambot.understanding.rows.model import Row, Status

_AMO = r"(?:amo|obligatoire|du regime obligatoire|ro|assurance maladie)"
_AMC = r"(?:amc|complementaire|mutuelle|ramc|c2s)"
_WRITTEN = {"AMO": r"\bpart\s+(?:AMO|obligatoire|du r[ée]gime obligatoire)",
            "AMC": r"\bpart\s+(?:AMC|compl[ée]mentaire|mutuelle|C2S)"}
_REJECTED = r"(?:est|a ete|sont|ont ete) (?:rejetee?s?|refusee?s?)"
_PAID = r"(?:a|ont) (?:bien )?ete (?:payee?s?|reglee?s?|remboursee?s?|mise?s? en paiement)"
# a list of the parts ("- part obligatoire (AMO) : 17,50 €, réglée le 13/10/2026 ;"): the bare participle
_LISTED = {_REJECTED: r"(?:rejetee?s?|refusee?s?)",
           _PAID: r"(?:payee?s?|reglee?s?|remboursee?s?|mise?s? en paiement)"}


def _said(folded: str, lines: str, part: str, outcome: str) -> re.Match[str] | None:
    return re.search(rf"\bla part {part}\b([^.]{{0,80}}?)\b{outcome}", folded) \
        or re.search(rf"(?m)(?:^|[-•*;|]) ?part {part}\b([^.;\n]{{0,80}}?)\b{_LISTED[outcome]}\b", lines)


def with_parts_apart(rows: list[Row], text: str) -> list[Row]:
    """``rows`` with the one rejected invoice of a message split by part when its sentences say one part
    was rejected and the other paid."""
    rejected = [i for i, r in enumerate(rows) if r.invoice and r.status is not Status.PAID and not r.part]
    if len(rejected) != 1 or len({r.invoice for r in rows if r.invoice}) != 1 or "part" not in text.lower():
        return rows
    folded, lines = normalize(text), normalize(text, True)
    for lost, kept, lost_re, kept_re in (("AMO", "AMC", _AMO, _AMC), ("AMC", "AMO", _AMC, _AMO)):
        if _said(folded, lines, lost_re, _REJECTED) and _said(folded, lines, kept_re, _PAID):
            # (the amount in the original words: folding drops the euro sign)
            written = re.search(_WRITTEN[kept] + r"[^.]{0,80}?(?:pay|r[ée]gl|rembours|mise)", text, re.I)
            amounts = find_amounts(written.group(0)) if written else []
            told = re.search(_WRITTEN[kept] + r"[^.\n]{0,120}", text, re.I)  # ("…, réglée le 13/10/2026 ;")
            lost_said = re.search(_WRITTEN[lost] + r"[^.\n]{0,80}?(?:rejet|refus)", text, re.I)
            lost_sums = find_amounts(lost_said.group(0)) if lost_said else []
            # ("Motif du rejet de la part complémentaire : Droits C2S non ouverts à la date des soins.")
            motif = re.search(r"(?i)\bmotif du (?:rejet|refus)(?: de la " + _WRITTEN[lost][2:]
                              + r")?\s*:\s*([^.\n]{3,120})", text)
            row = rows[rejected[0]]
            sum_of_lost = lost_sums[0] if len(lost_sums) == 1 else None
            row = replace(row, amount=row.amount if row.amount is not None else sum_of_lost,
                          motif=row.motif or (motif.group(1).strip() if motif else None),
                          status=row.status or Status.REJECTED)
            if row.action is None:  # "Merci de refacturer uniquement la part obligatoire …"
                about = [s for s in re.split(r"(?<=[.!?])\s+", folded)
                         if re.search(rf"\bpart {lost_re}\b", s)]
                row = replace(row, action=action_of(" ".join(about)))
            paid_row = Row(invoice=row.invoice, lot=row.lot, care_date=row.care_date, part=kept,
                           amount=amounts[0] if len(amounts) == 1 else None, status=Status.PAID,
                           paid_on=paid_day(told.group(0), row.care_date.year if row.care_date else None)
                           if told else None, source="prose")
            out = list(rows)
            out[rejected[0]] = replace(row, part=lost)
            # (in the order the message tells them: the paid part first when it is written first)
            first = told is not None and lost_said is not None and told.start() < lost_said.start()
            out.insert(rejected[0] + (0 if first else 1), paid_row)
            return out
    return rows
