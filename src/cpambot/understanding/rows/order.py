"""Where a row stands in its message: the lot a heading line or the message's sentences give it, and the
order in which the body names the rows."""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.rows.cells import LOT_MENTION, NOT_AFTER_TITLE, invoice_mention, invoices_in
from cpambot.understanding.rows.model import Row
from cpambot.understanding.rows.passages import mistaken
from cpambot.understanding.rows.prose import paid_elsewhere

# sentences, or paragraphs (the lots a message names sentence by sentence)
_SENTENCES = re.compile(NOT_AFTER_TITLE + r"(?<=[.!?;])\s+|\n\s*\n")


def message_lots(text: str) -> list[str]:
    """The lots a message names, but for those a sentence gives one invoice of its own ("pour la facture
    000 655 047 (lot 142, soins du 09/10/2026), merci de…"), when the message names others too, and
    those where an invoice was already paid."""
    free: list[str] = []
    owned: list[str] = []
    for sentence in _SENTENCES.split(text):
        named = LOT_MENTION.findall(sentence)
        if named:
            (owned if len(invoices_in(sentence)) == 1 else free).extend(named)
    elsewhere = paid_elsewhere(text)  # "paiement effectué sur votre lot 109": not this message's lot
    return [lot for lot in dict.fromkeys(free) if lot not in elsewhere] or list(dict.fromkeys(owned))


_LOT_HEADING_LINE = re.compile(r"(?im)^[ \t]*lot[ \t]*(?:n[°o][ \t]*)?(\d{3})\b(?![ \t]*:)")


def lots_from_headings(rows: list[Row], text: str) -> list[Row]:
    """Rows without a lot take the lot of the heading line above them in the body ("Lot 067 –
    télétransmis le 12/10/2026" over its cards, "Lot 069 – …" over the next ones)."""
    headings = [(m.start(), m.group(1)) for m in _LOT_HEADING_LINE.finditer(text)]
    if len({lot for _, lot in headings}) < 2 or all(r.lot for r in rows):
        return rows
    out = []
    for row in rows:
        if row.invoice and not row.lot:
            found = invoice_mention(row.invoice, text)
            above = [lot for at, lot in headings if found and at < found.start()]
            if above:
                row = replace(row, lot=above[-1])
        out.append(row)
    return out


_GLUED_DIGITS = re.compile(r"(?<=\d)[ .\u00a0](?=\d)")
_LOT_AT = re.compile(r"(?i)\blots?\b\W{0,12}(?:n[°o]\s*)?(\d{3})(?!\d)")


def in_document_order(rows: list[Row], text: str) -> list[Row]:
    """``rows`` in the order the body names them (cards grouped by their HTML parents, tables read before
    cards, could put a later one first), when the body names every one of them; else as they are."""
    if len(rows) < 2:
        return rows
    glued = _GLUED_DIGITS.sub("", text)  # (the order of mentions is kept, spaced numbers joined)
    for wrong in mistaken(glued):  # "n'est pas la 000215044 mais la …": not where that invoice is told
        glued = re.sub(rf"(?i)(n['’]est pas (?:la|le|celle|celui)(?: facture)?\s*(?:n[°o]\s*)?){wrong}",
                       r"\1" + "#" * 9, glued)
    lots: dict[str, int] = {}
    for found in _LOT_AT.finditer(glued):
        lots.setdefault(found.group(1), found.start())

    listed = {r.invoice for r in rows if r.invoice}
    mentions: dict[str, list[int]] = {}
    for found in _NINE.finditer(glued):
        mentions.setdefault(found.group(), []).append(found.start())

    def where(row: Row) -> int | None:
        if row.invoice:
            places = mentions.get(row.invoice, [])
            # (its own line first: "j'ai inversé les numéros des factures 000244018 et 000244021" above
            # the table names two rows in one sentence, not where either stands)
            alone = [at for at in places if len(listed & set(_NINE.findall(_line(glued, at)))) == 1]
            return (alone or places)[0] if places else None
        return lots.get(row.lot) if row.lot else None

    places = [where(r) for r in rows]
    if any(p is None for p in places):
        return rows
    order = sorted(range(len(rows)), key=lambda i: (places[i], i))
    return [rows[i] for i in order]


_NINE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _line(text: str, at: int) -> str:
    return text[text.rfind("\n", 0, at) + 1:(end if (end := text.find("\n", at)) >= 0 else len(text))]


def body_before_files(rows: list[Row], body: str) -> list[Row]:
    """``rows`` with the body's asides first when every other row comes from an attached file: "Par
    ailleurs, pour la facture n° 330 918 004 …" is read in the mail before the CSV is opened."""
    named = set(invoices_in(body))
    asides = [r for r in rows if r.source == "aside" and r.invoice in named]
    others = [r for r in rows if r not in asides]
    if not asides or not any(r.invoice for r in others) \
            or any(r.invoice in named for r in others if r.invoice):
        return rows
    return asides + others
