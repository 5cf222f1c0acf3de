"""The two parts of one invoice told apart in sentences: "Seule la part AMO est rejetée. La part
complémentaire (9,45 €) a bien été payée … le 20/10/2026" — the rejected part and the paid one, each
a row of its own (``Row.part``), so that the paid part is never re-billed with the other."""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.model import Row, Status

_AMO = r"(?:amo|obligatoire|du regime obligatoire|ro|assurance maladie)"
_AMC = r"(?:amc|complementaire|mutuelle|ramc|c2s)"
_WRITTEN = {"AMO": r"\bpart\s+(?:AMO|obligatoire|du r[ée]gime obligatoire)",
            "AMC": r"\bpart\s+(?:AMC|compl[ée]mentaire|mutuelle|C2S)"}
_REJECTED = r"(?:est|a ete|sont|ont ete) (?:rejetee?s?|refusee?s?)"
_PAID = r"(?:a|ont) (?:bien )?ete (?:payee?s?|reglee?s?|remboursee?s?|mise?s? en paiement)"


def _said(folded: str, part: str, outcome: str) -> re.Match[str] | None:
    return re.search(rf"\bla part {part}\b([^.]{{0,80}}?)\b{outcome}", folded)


def with_parts_apart(rows: list[Row], text: str) -> list[Row]:
    """``rows`` with the one rejected invoice of a message split by part when its sentences say one part
    was rejected and the other paid."""
    rejected = [i for i, r in enumerate(rows) if r.invoice and r.status is not Status.PAID and not r.part]
    if len(rejected) != 1 or len({r.invoice for r in rows if r.invoice}) != 1 or "part" not in text.lower():
        return rows
    folded = normalize(text)
    for lost, kept, lost_re, kept_re in (("AMO", "AMC", _AMO, _AMC), ("AMC", "AMO", _AMC, _AMO)):
        if _said(folded, lost_re, _REJECTED) and _said(folded, kept_re, _PAID):
            # (the amount in the original words: folding drops the euro sign)
            written = re.search(_WRITTEN[kept] + r"[^.]{0,80}?(?:pay|r[ée]gl|rembours|mise)", text, re.I)
            amounts = find_amounts(written.group(0)) if written else []
            row = rows[rejected[0]]
            if row.action is None:  # "Merci de refacturer uniquement la part obligatoire …"
                about = [s for s in re.split(r"(?<=[.!?])\s+", folded)
                         if re.search(rf"\bpart {lost_re}\b", s)]
                row = replace(row, action=action_of(" ".join(about)))
            paid_row = Row(invoice=row.invoice, lot=row.lot, care_date=row.care_date, part=kept,
                           amount=amounts[0] if len(amounts) == 1 else None, status=Status.PAID,
                           source="prose")
            out = list(rows)
            out[rejected[0]] = replace(row, part=lost)
            out.insert(rejected[0] + 1, paid_row)
            return out
    return rows
