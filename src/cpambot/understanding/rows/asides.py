"""Invoices a lot return names beside its list, in a passage of their own asking for a document ("Par
ailleurs, pour la facture 600117655 … merci de nous faire parvenir la prescription"): a pièces request
sent with the lot return (``source="aside"``), not a row of it."""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.rows.cells import REFUSED_WHOLE, invoice_mention
from cpambot.understanding.rows.model import Action, Row, Status


def aside(rows: list[Row], notes: list[Row]) -> list[Row]:
    """Invoices a message names beside its table, in a passage of their own asking for a document
    ("Par ailleurs, pour la facture 600117655 … il nous manque la prescription. Pas de refacturation"):
    a pièces request sent with the lot return (``source="aside"``)."""
    listed = {r.invoice for r in rows if r.invoice}
    return [replace(n, source="aside") for n in notes
            if n.invoice and n.invoice not in listed and n.action is Action.PIECES
            and n.status is not Status.PAID and not n.reject_code]


def paid_beside(rows: list[Row], notes: list[Row]) -> list[Row]:
    """Invoices a message says paid beside its table, in a passage of their own ("Pour information, la
    facture 000 412 150 du lot 088, d'abord suspendue, a été mise en paiement le 02/11/2026 pour
    31,50 €"): payments told with the lot return."""
    listed = {r.invoice for r in rows if r.invoice}
    return [replace(n, source="prose") for n in notes
            if n.invoice and n.invoice not in listed and n.status is Status.PAID and not n.reject_code]


# (not "Par ailleurs, la facture … du même lot est suspendue dans l'attente de la prescription": a row of it)
BESIDE = re.compile(r"(?i)\s*(?:par ailleurs|d['’]autre part|en outre|autre point|s[ée]par[ée]ment),?\s*"
                     r"(?:pour|concernant|s['’]agissant d|quant [àa])\b")


# "Votre lot n° 214 … a été rejeté dans sa totalité": a lot refused whole, told beside the invoice rows
_WHOLE_LOT = re.compile(r"(?i)\blot\b[^.]{0,160}?\b" + REFUSED_WHOLE)
_PARAGRAPH = re.compile(r"\n[ \t\u00a0]*\n\s*")  # (blank lines may hold a space)
_SAME_LOT_AS = re.compile(r"(?i)\bm[êe]me lot\b")


def beside_the_list(rows: list[Row], text: str) -> list[Row]:
    """An agent's rows where a paragraph of its own, "Par ailleurs, pour la facture 000908097 …, merci de
    nous faire parvenir une copie de l'ordonnance", asks a document for one more invoice: a pièces
    request beside the rejects (``source="aside"``), as beside a table, or beside a lot refused whole."""
    if not any(r.action is not Action.PIECES for r in rows) and not _WHOLE_LOT.search(text):
        return rows
    out = []
    for row in rows:
        if row.invoice and row.action is Action.PIECES and not row.reject_code \
                and row.status is not Status.PAID and (found := invoice_mention(row.invoice, text)):
            start = max((m.end() for m in _PARAGRAPH.finditer(text, 0, found.start())), default=0)
            if BESIDE.match(text[start:found.start()]) \
                    and not _SAME_LOT_AS.search(text[start:found.end() + 40]):
                row = replace(row, source="aside")
        out.append(row)
    return out
