"""Legends a message gives for what its rows only abbreviate: a short instruction in quotes or a letter
("« PJ » : envoyer la pièce", "A = à corriger puis à retransmettre"), reject codes ("2900 = facture
déjà payée", one line per code with what to do), and footnotes ("(1) …") under a table."""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.cells import invoice_mention, invoices_in
from cpambot.understanding.rows.model import Action, Row, Status
from cpambot.understanding.rows.rowcells import code_in_motif

__all__ = ["with_code_legend", "with_legend", "with_notes", "with_row_instructions", "with_shared_motif"]


_LEGEND = re.compile(r"[«\"“]\s*([^»\"”\n]{1,40}?)\s*[»\"”]([^.\n]{0,200})")


# a legend line for letters in a "Suite" column: "A = facture rejetée (…) : à corriger puis à retransmettre"
# (or for a number in brackets: "(1) = ordonnance à nous faire parvenir, ne pas refacturer")
_LETTER_LEGEND = re.compile(r"(?m)^[ \t]*[-•*]?[ \t]*([A-Z]{1,2}|\*{1,3}|\(\d{1,2}\))[ \t]*(?:=|:|→|–)[ \t]*"
                            r"(\S.{3,300})$")


# the same legend on one line: "Codes suite : R = corriger la facture et la refacturer ; P = transmettre …"
_INLINE_LETTERS = re.compile(r"(?m)(?:(?<=[;:])|^)[ \t]*([A-Z]{1,2})[ \t]*=[ \t]*([^;\n=]{3,200}?)[ \t.]*"
                             r"(?=;|$)")


def with_legend(rows: list[Row], text: str) -> list[Row]:
    """Rows whose instruction is a short code ("PJ", "A RETRANSMETTRE") explained by a sentence of
    the message (« Celles indiquées « PJ » appellent l'envoi de la pièce… ») take that sentence's action."""
    legend: dict[str, Action] = {}
    for found in [*_LEGEND.finditer(text), *_INLINE_LETTERS.finditer(text), *_LETTER_LEGEND.finditer(text)]:
        action = action_of(found.group(2))
        if action is not None:
            legend.setdefault(normalize(found.group(1)), action)
    if not legend:
        return rows
    out = []
    for row in rows:
        key = normalize(row.consigne or "")
        if key in legend and (row.action is None or len(key) <= 3):
            row = replace(row, action=legend[key])
        out.append(row)
    return out


# "Codes : 2900 = facture déjà payée / 0250 = assuré absent de notre référentiel", "0470 : prescription …"
_CODE_LEGEND = re.compile(r"(?<![\d,./])(\d{4})(?:[ -]?\d{3})?\s*(?:=|:|→|–)\s*([^\W\d][^/\n;=|\t]{2,80}?)"
                          r"\s*(?=/|;|\n|$|\.\s|,\s*\d{4}\s*[=:])")


# a legend line of its own: "2900 – facture déjà payée (même n° …) : inutile de refacturer, aucune démarche"
_LEGEND_LINE = re.compile(r"(?im)^[ \t]*[-•*]?[ \t]*(?:code[ \t]*)?(\d{4})(?:[ -]?\d{3})?[ \t]*"
                          r"(?:=|:|→|–|—|-)[ \t]*([^\W\d].{2,300})$")

# an entry's words wrapped on an indented line ("- 0250 : vérifiez … et transmettez la facture" /
# "  à la caisse compétente."): one entry
_LEGEND_WRAP = re.compile(r"(?m)(?<=[^\W\d_,;])\n[ \t]{1,8}(?=[a-zà-ÿ])")


def _legend_entry(rest: str) -> tuple[str | None, Action | None]:
    """(label, instruction's action) of a legend line's words: the label up to its explanation in
    brackets or the instruction after " : "; a line that is an instruction alone ("0470 049 : ne pas
    refacturer. Nous transmettre la prescription…") has no label."""
    label, *after = re.split(r"\s+(?:->|→|=>|:)\s+", rest, maxsplit=1)  # "label : what to do", "label -> …"
    instruction = after[0] if after else ""
    if not instruction and _INSTRUCTION_FIRST.match(normalize(label)):
        return None, action_of(label)
    label = re.sub(r"\s*\(.*?\)\s*", " ", label).strip(" .,;:–-")
    return label, action_of(instruction) if instruction else None


# a legend line that starts with what to do, not with the code's label
_INSTRUCTION_FIRST = re.compile(r"(?:ne pas|ne (?:l'|la |les |le )?\w+ (?:pas|plus)|n'|merci|veuillez"
                                r"|nous (?:transmettre|adresser|envoyer|faire)|"
                                r"(?:la|cette) facture|aucune|inutile|verifie[rz]|corrige[rz]|refacture[rz]|"
                                r"retransmett(?:re|ez)|adresse[rz]|envoye[rz]|transmett(?:re|ez)|contacte[rz])\b")


def with_code_legend(rows: list[Row], text: str) -> list[Row]:
    """Rows that give a reject code and no words take the code's label from a legend of the message
    ("Codes : 2900 = facture déjà payée / 0250 = …", or one line per code, maybe with what to do:
    "0250 – assuré absent … : vérifiez … puis refacturez"), when the legend gives that code one label."""
    if not any(r.reject_code and (not r.motif or r.action is None) for r in rows):
        return rows
    legend: dict[str, set[str]] = {}
    actions: dict[str, Action | None] = {}
    for code, rest in _LEGEND_LINE.findall(_LEGEND_WRAP.sub(" ", text)):
        label, action = _legend_entry(rest)
        if label:
            legend.setdefault(code, set()).add(label)
        if label or action:
            actions[code] = action
    for code, label in _CODE_LEGEND.findall(text):
        if code not in legend:
            legend.setdefault(code, set()).add(label.strip(" .,:"))
    out = []
    for r in rows:
        if r.reject_code and not r.motif and len(legend.get(r.reject_code, ())) == 1:
            r = replace(r, motif=next(iter(legend[r.reject_code])),
                        action=r.action or actions.get(r.reject_code))
        elif r.reject_code and r.action is None and actions.get(r.reject_code) is not None \
                and r.status is not Status.PAID:
            r = replace(r, action=actions[r.reject_code])  # "Conduite à tenir selon le code rejet : …"
        out.append(r)
    return out


_NOTE = re.compile(r"^[ \t]*[(\[](\d{1,2})[)\]][ \t]+(\S.*)$")


def with_notes(rows: list[Row], text: str) -> list[Row]:
    """Rows marked "(1)" take the reject explained by footnote (1) under the table: its label and
    code, and the explanation's instruction."""
    if not any(r.note for r in rows):
        return rows
    notes: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        if found := _NOTE.match(line):
            current = found.group(1)
            notes[current] = (found.group(2).strip(), [])
        elif current is not None and line.strip() and line[:1] in " \t":
            notes[current][1].append(line.strip())
        else:
            current = None
    out = []
    for row in rows:
        if row.note in notes and row.motif is None:
            head, rest = notes[row.note]
            code, motif = code_in_motif(head)
            consigne = " ".join(rest) or None
            row = replace(row, motif=motif, reject_code=row.reject_code or (code[0] if code else None),
                          reject_subcode=row.reject_subcode or (code[1] if code else None),
                          consigne=row.consigne or consigne,
                          action=row.action or action_of(consigne, motif))
        out.append(row)
    return out


# the reject a list shares, said once above it: "4 factures ont été rejetées pour le motif « date de
# prescription postérieure à la date des soins » (code 0470 049) :"
_SHARED = re.compile(r"(?i)\b(?:rejet[ée]e?s?|refus[ée]e?s?|en anomalie)\b[^.:\n]{0,80}?\bmotif\s*:?\s*"
                     r"[«\"“]\s*([^»\"”\n]{3,150}?)\s*[»\"”]"
                     r"(?:\s*\(\s*(?:code\s*)?(\d{4})(?:[ -](\d{3}))?\s*\))?[^.:\n]{0,20}:[ \t]*\r?\n")


def with_shared_motif(rows: list[Row], text: str) -> list[Row]:
    """Rows listed under the one sentence that gives their common reject ("… rejetées pour le motif
    « … » (code 0470 049) :") take its motif and code, unless they have their own or were paid."""
    found = list(_SHARED.finditer(text))
    if len(found) != 1:
        return rows  # none, or two lists with their own reject each: not guessed
    motif, code, subcode = found[0].group(1).strip(), found[0].group(2), found[0].group(3)
    below = text[found[0].end():]
    return [replace(r, motif=motif, reject_code=code, reject_subcode=subcode)
            if r.invoice and not (r.motif or r.reject_code) and r.status is not Status.PAID
            and invoice_mention(r.invoice, below) else r for r in rows]


# an instruction on its own line under its row ("     Consigne : Adresser la prescription par SCOR.")
_UNDER_ROW = re.compile(r"(?i)^\s*(?:consignes?|conduite [àa] tenir|que faire|[àa] faire|action)\s*:\s*"
                        r"(\S.{2,200})$")


def with_row_instructions(rows: list[Row], text: str) -> list[Row]:
    """Rows of a text table followed by a line of their own "Consigne : …" take it as their instruction."""
    if "onsigne" not in text and "faire" not in text and "ction" not in text:
        return rows
    said: dict[str, str] = {}
    last: list[str] = []
    for line in text.splitlines():
        if found := _UNDER_ROW.match(line):
            for invoice in last:
                said.setdefault(invoice, found.group(1).strip())
            last = []
        elif numbers := invoices_in(line):
            last = numbers
    if not said:
        return rows
    return [replace(r, consigne=said[r.invoice], action=action_of(said[r.invoice]) or r.action)
            if r.invoice in said and not r.consigne and r.action in (None, Action.NONE) else r for r in rows]


_PARAGRAPHS = re.compile(r"\n[ \t\u00a0]*\n")
_ANY_LOT = re.compile(r"(?i)\blots?\b\W{0,6}(?:n[°o]\s*)?\d{3}(?!\d)")


def with_instruction_below(rows: list[Row], text: str) -> list[Row]:
    """A row alone in its paragraph, between a paragraph that names no invoice ("dans votre lot n° 313, la
    facture suivante n'a pas pu être prise en charge :") and one that names no invoice and no lot and asks
    something ("Nous vous invitons à contacter le service … avant toute nouvelle facturation"), takes that
    instruction when its own words ask nothing."""
    if not any(r.action is None and r.invoice and r.status is not Status.PAID for r in rows):
        return rows
    paragraphs = [p for p in _PARAGRAPHS.split(text) if p.strip()]
    said: dict[str, str] = {}
    for index in range(1, len(paragraphs) - 1):
        numbers = invoices_in(paragraphs[index])
        before, after = paragraphs[index - 1], paragraphs[index + 1]
        if len(numbers) == 1 and not invoices_in(before) and not invoices_in(after) \
                and not _ANY_LOT.search(after) and action_of(after) is not None:
            said[numbers[0]] = " ".join(after.split())
    if not said:
        return rows
    return [replace(r, consigne=r.consigne or said[r.invoice], action=action_of(said[r.invoice]))
            if r.invoice in said and r.action is None and r.status is not Status.PAID else r for r in rows]
