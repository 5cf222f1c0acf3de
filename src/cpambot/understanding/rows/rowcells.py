"""One row from its cells once their roles are known: the invoice, lot, dates, amounts, reject code
and words, status and instruction, read from each cell (and from the cells that hold two things:
"REJET 0317 051 Incompatibilité…", "Libellé. À corriger et à retransmettre.")."""

from __future__ import annotations

import re
from decimal import Decimal

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.rows.actions import action_of, paid_day, status_of
from cpambot.understanding.rows.cells import (
    LOT_MENTION,
    amount_of,
    code_of,
    date_of,
    invoice_of,
    invoices_in,
    lot_of,
)
from cpambot.understanding.rows.model import Row, Status
from cpambot.understanding.rows.targets import name_keys


def _masked(text: str) -> str | None:
    """A beneficiary as the bot may keep it: initials and the NIR's first digits at most."""
    text = text.strip()
    if not text or not re.search(r"\w", text):  # "-", "–", "—", "/"
        return None
    text = re.sub(r"\b([12])[ .]?(\d{2})[ .]?(\d{2})[ .]?[\dAB]{2}[\d .X*]{6,}", r"\1 \2 \3 …", text)
    words = [w for w in re.split(r"\s+", text) if w]
    return " ".join(w if not w[:1].isalpha() or len(w) <= 2 else w[0] + "." for w in words)[:60]


_PAID_ALONE = re.compile(r"(?i)^\s*(?:pay[ée]e?s?|r[ée]gl[ée]e?s?|mise? en paiement|pay[ée]e?s? le\b.*|"
                         r"r[ée]gl[ée]e?s? le\b.*|ok|accept[ée]e?s?)\s*$")
# "…. À corriger", "… : vérifier …", "… national – Indiquer le n° FINESS … et refacturer",
# "… NATIONAL => A REFACTURER AVEC LE N° FINESS"
_THEN_INSTRUCTION = re.compile(r"(?<=[.;])\s*(?=[A-ZÀ-Ý])|\s+:\s+(?=\S)|\s+[–—-]\s+(?=[A-ZÀ-Ý])"
                               r"|\s*(?:-+>|→|=>|⇒)\s*(?=\S)")
# "… référentiel – vérifier les droits … puis refacturer": an instruction after a dash, in lower case
THEN_VERB = re.compile(r"(?i)\s+[–—-]\s+(?=(?:v[ée]rifi|refactur|corrig|re-?transm|transm|adress|envoy"
                        r"|contact|merci|veuillez|ne pas|[àa] (?:refactur|corrig|re-?transm|compl[ée]t))\w*)")
_STATUS_REASON = re.compile(r"(?i)\s*(?:rejet\w*|refus\w*|non (?:pay|regl|réglé)\w*|anomalie)\s*"
                            r"(?:[:–-]\s*([^\W\d][^\n]{2,150})|(?:[:–-]\s*)?(\d{4}\b[^\n]{2,150}))$")


# "Motif du rejet : …", "Libellé : …", "« … »": the caisse's words without what frames them
_MOTIF_FRAME = re.compile(r"(?i)^\s*(?:motif(?:\s+(?:du|de)\s+(?:rejet|refus|l['’]anomalie))?"
                          r"|libell[ée](?:\s+du\s+rejet)?|anomalie|raison|cause)\s*(?:suivant)?\s*[:\-–]\s*")


_SCOPE_NOTE = re.compile(r"(?i)\s*\((?:(?:parts?|pour (?:les|la|le)|concerne|sur les)\b[^)]{0,60}"
                         r"|doublon|duplicata|en double)\)\s*$")


def bare_motif(text: str) -> str | None:
    """A motif as the caisse worded it: no "Motif :" label, quotes or closing punctuation around it."""
    text = _MOTIF_FRAME.sub("", " ".join(text.split()))
    text = _SCOPE_NOTE.sub("", text)  # "… référentiel (parts obligatoire et complémentaire)": its scope
    text = text.strip(" «»\"“”.;:,–-")
    return text or None


_AMOUNT_FIRST = re.compile(r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})*,\d{2})(?:\s*(?:€|eur\b|euros\b))?"
                           r"\s+(?=[^\W\d])", re.IGNORECASE)
_YEAR_ALONE = re.compile(r"\s*(?:19|20)\d{2}\s*$")


def _instruction_at(motif: str) -> re.Match[str] | None:
    """Where the instruction starts in a cell that holds the reject's words then what to do: the first
    place after some words (never right after a bare code: "0460 053 : Établissement … . Corriger …")."""
    places = sorted([*_THEN_INSTRUCTION.finditer(motif), *THEN_VERB.finditer(motif)], key=lambda m: m.start())
    for found in places:
        words = code_in_motif(motif[:found.start()])[1] or ""
        if re.search(r"[^\W\d]{3}", words) and action_of(motif[found.end():]) is not None:
            return found
    return None


def row_from_cells(cells: dict[str, str], *, source: str, default_year: int | None = None) -> Row | None:
    """A row from cells already given their role, or None when it names neither invoice nor lot."""
    invoice = invoice_of(cells.get("invoice", "")) if cells.get("invoice") else None
    if invoice is None and cells.get("invoice"):
        found = invoices_in(cells["invoice"])
        invoice = found[0] if len(found) == 1 else None
    lot = lot_of(cells.get("lot", "")) if cells.get("lot") else None
    if lot is None and invoice is not None:  # "000 441 902<br>lot 071" under "Facture / Lot"
        lots = set(LOT_MENTION.findall(cells["invoice"]))
        lot = lots.pop() if len(lots) == 1 else None
    if invoice is None and lot is None:
        return None
    care, period = date_of(cells.get("care_date", ""), default_year=default_year) if cells.get("care_date") \
        else (None, None)
    motif = _MOTIF_FRAME.sub("", (cells.get("motif") or "").strip()).strip() or None
    amount_cell = cells.get("amount") or ""
    if motif and (glued := _AMOUNT_FIRST.match(motif)) \
            and (not amount_cell or _YEAR_ALONE.match(amount_cell) or amount_of(amount_cell) is None):
        # a text table whose columns drifted: "51,20   Prescription non parvenue" under "Motif", and
        # under "Montant" the year of a long care date ("6 octobre 2026"), a name's end or nothing
        cells = {**cells, "amount": glued.group(1)}
        motif = motif[glued.end():].strip() or None
    if motif and not cells.get("status") and (said := _STATUS_REASON.match(motif)):
        # "Rejeté – Contrat résilié à la date des soins" under "Statut / motif": the status, then the reason
        at = said.start(1) if said.group(1) else said.start(2)
        cells = {**cells, "status": motif[:at].strip(" :–-")}
        motif = motif[at:].strip(" ;") or None
    consigne = (cells.get("consigne") or "").strip() or None
    if motif and "\n" in motif:
        first, _, rest = motif.partition("\n")
        if action_of(rest) is not None:  # "Libellé\nconsigne" in one cell
            motif, consigne = first.strip() or None, consigne or rest.strip() or None
        else:  # a motif wrapped in its cell
            motif = " ".join(motif.split())
    elif motif and consigne is None and (split := _instruction_at(motif)):
        # "Prescription interdite (0470 049). À corriger et à retélétransmettre.": the words, then
        # the instruction, in one "Observation" cell
        words, consigne = motif[:split.start()].strip(), motif[split.end():].strip()
        motif = words or None
    code = code_of(cells["code"]) if cells.get("code") else None
    if code is None and cells.get("code") and re.search(r"[^\W\d]{3}", cells["code"]):
        # a "Rejet" cell holding the words, then the code: "Assuré absent de notre référentiel (0250 050)"
        in_words, told = code_in_motif(cells["code"])
        if in_words is not None:
            code, motif = in_words, motif or told
    if code is not None and motif is None:  # a "Rejet" column holding "0317 051 - Incompatibilité…"
        motif = code_in_motif(cells["code"])[1]
        motif = motif if motif and re.search(r"[^\W\d]{3}", motif) else None
    if motif is None and (said := _STATUS_REASON.match(cells.get("status") or "")):
        # "Rejetée : contrat résilié", "REJET 0317 051 Incompatibilité nature d'assurance"
        reason = (said.group(1) or said.group(2)).strip(" .;")
        if consigne is None and (split := THEN_VERB.search(reason) or _instruction_at(reason)) \
                and action_of(reason[split.end():]):
            # ("Rejetée - Prescripteur inconnu (0460 053) : à refacturer avec le n° FINESS …")
            reason, consigne = reason[:split.start()], reason[split.end():].strip(" .;")
        said_code, motif = code_in_motif(reason)
        code = code or said_code or code_of(reason)
        motif = motif if motif and re.search(r"[^\W\d]{3}", motif) else None
    if motif and code is None:
        code, motif = code_in_motif(motif)
    elif motif and code and motif.startswith(code[0]):
        motif = code_in_motif(motif)[1]
    motif = bare_motif(motif or "")
    paid_word = motif is not None and code is None and _PAID_ALONE.match(motif) is not None \
        or code is None and motif is None and _PAID_ALONE.match(cells.get("code") or "") is not None
    if paid_word:  # "paye" alone in the anomalies column: no anomaly, a payment
        motif = None
    status = Status.PAID if paid_word else \
        status_of(motif, consigne, status_cell=cells.get("status"), has_code=code is not None)
    if status is Status.PAID and code is not None:  # a reject the caisse lifted, then paid: no reject left
        code, motif = None, None
    paid_cell = amount_of(cells.get("paid_amount", "")) if cells.get("paid_amount") else None
    billed = amount_of(cells.get("amount", "")) if cells.get("amount") else None
    if status is None and paid_cell and paid_cell > 0 and motif is None and code is None \
            and (billed is None or paid_cell <= billed):
        status = Status.PAID  # "Payé : 63.00 EUR", or the AMO part of it, and nothing against it
    stated: Decimal | None = None
    if status is Status.PAID and not cells.get("amount"):  # "mise en paiement le 15/10 (31,80 €)"
        # (each cell apart, the invoice and lot left out: never "117 402 229 126,00 €")
        written = find_amounts("\n".join(v for k, v in cells.items() if v and k not in ("invoice", "lot")))
        stated = written[0] if len(written) == 1 else None
    note = next((m.group(1) for key in ("status", "motif", "code", "consigne")
                 if (m := re.search(r"\((\d{1,2})\)|\[(\d{1,2})\]", cells.get(key) or ""))), None)
    paid_on = None
    if status is Status.PAID:  # "Date de paiement" | "Régularisée, mise en paiement le 09/10/2026"
        words = " ; ".join(cells.get(k) or "" for k in ("status", "motif", "consigne", "code", "paid_amount"))
        paid_on = date_of(cells["paid_date"], default_year=default_year)[0] if cells.get("paid_date") \
            else paid_day(words, default_year)
    return Row(invoice=invoice, lot=lot, care_date=care, care_period=period, note=note, paid_on=paid_on,
               amount=amount_of(cells.get("amount", "")) if cells.get("amount") else stated,
               paid_amount=amount_of(cells.get("paid_amount", "")) if cells.get("paid_amount") else None,
               reject_code=code[0] if code else None, reject_subcode=code[1] if code else None,
               motif=motif, consigne=consigne, beneficiary=_masked(cells.get("beneficiary", "")),
               name_keys=name_keys(cells.get("beneficiary", "")), status=status,
               action=action_of(consigne, motif, cells.get("status")),
               whole_lot=invoice is None, source=source)


# "0250 050 ASSURE…", "« 0460 053 – Établissement … »"
_CODE_IN_TEXT = re.compile(r"^\s*[«\"“]?\s*(?:(?:rejet|code)\s*(?:n[°o]\s*)?:?\s*)?"  # "Rejet 0460 053 – …"
                           r"(\d{4})(?:\s*[-/ ]\s*(\d{3}))?\s*[-:–—]?\s+(?=\D)"
                           # "… (0470 049)", "(rejet 0020 001)"
                           r"|\s*[(\[]\s*(?:(?:code|rejet|motif)\s*)?(\d{4})(?:\s*[-/ ]\s*(\d{3}))?\s*[)\]]"
                           r"|\s*[-–:]\s*(?:code\s*)?(\d{4})(?:\s+(\d{3}))?\s*$"  # "… – 0450"
                           r"|\s+(\d{4})\s+(\d{3})\s*$", re.IGNORECASE)  # "… NON JUSTIFIE 0530 012"


def code_in_motif(motif: str) -> tuple[tuple[str, str | None] | None, str | None]:
    """(code, motif without it) for a label that carries its reject code before or after itself."""
    found = _CODE_IN_TEXT.search(motif)
    if not found:
        return None, motif
    groups = found.groups()
    code = next(((groups[i], groups[i + 1]) for i in (0, 2, 4, 6) if groups[i]), None)
    rest = (motif[:found.start()] + " " + motif[found.end():]).strip(" .;:-–")
    if found.group(0).lstrip()[:1] in "«\"“":  # "« 0460 053 – Établissement … »": the quotes go too
        rest = rest.rstrip(" »\"”").strip(" .;:-–")
    return code, rest or None
