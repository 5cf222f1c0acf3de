"""Cells read as typed values, and columns given a role from their header words or their cells.

Every way the caisses, the platforms and the spreadsheets write a value: invoice numbers
spaced or not ("000 123 456"), amounts in French and English ("1 234,56 €" with a no-break
or narrow no-break space, "1.234,56", "63.00 EUR", "EUR 58,20", "58 euros"), reject codes
"0250 146" or "0250-146", care dates and periods.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from cpambot.understanding.classify.text.amounts import parse_amount
from cpambot.understanding.classify.text.dates import find_dates, parse_french_date
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import is_ps_number

_SPACES = "[ \u00a0\u202f\u2009]"
# (a caisse's tool may print an invoice with an "F" before it: "F002910877")
_INVOICE = re.compile(rf"^(?:n[°o]\s*|F(?=\d))?(\d{{3}}{_SPACES}?\d{{3}}{_SPACES}?\d{{3}})$", re.IGNORECASE)
_INVOICE_IN = re.compile(rf"(?:(?<=\bF)|(?<![\d\w/.,-]))(\d{{3}}{_SPACES}\d{{3}}{_SPACES}\d{{3}}|\d{{9}})"
                         r"(?![\d\w]|[.,/-]\d)")
# ("301 - transmis le 26/10/2026", "301 (envoyé le 26/10)", "301 du 26/10/2026": with its date)
_LOT = re.compile(r"^(?:lot\s*(?:n[°o]\s*)?)?(\d{1,3})"
                  r"(?:\s*(?:[-–—(,]|du\b|transmis|envoy|re[çc]u)[^\d(]*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\)?)?$",
                  re.IGNORECASE)
_CODE = re.compile(r"(?<![\d,.])(\d{4}|[A-Z]\d{3})(?:\s*[-/ ]\s*(\d{3}))?(?![\d,.])")
_EN_AMOUNT = re.compile(r"^(?:eur|€)?\s*(-?\d{1,3}(?:,\d{3})*|-?\d+)\.(\d{2})\s*(?:eur|€|euros?)?$", re.I)


# "Lot 214", "LOT N° 214", "lot numéro : 214" (not "lot 2140" nor "lot 214,5")
LOT_WORDS = r"lots?\s*(?:n[°o]\.?\s*|num[ée]ro\s*)?:?\s*(\d{3})(?!\d)(?![.,/]\d)"
LOT_MENTION = re.compile(r"(?i)\b" + LOT_WORDS)
# "rejeté dans sa totalité", "refusé en intégralité", "non intégré en entier": a lot refused whole
REFUSED_WHOLE = (r"(?:rejet|refus|non int[ée]gr)\w*\s+(?:dans sa totalit|en totalit|dans son int[ée]gralit"
                 r"|en int[ée]gralit|en entier)")
LOT_LINE = re.compile(r"(?i)^\s*" + LOT_WORDS)  # a line or cell that starts by naming its lot
# a row or cell about a whole lot, not one invoice ("Lot complet (6 factures)", "totalité du lot")
WHOLE_LOT = re.compile(r"lot (?:entier|complet)|(?:tout|ensemble) (?:le|du) lot|totalit[ée] du lot|"
                       r"lot (?:rejet|refus|non parvenu|non re[cç]u|illisible)", re.IGNORECASE)


# no sentence ends after a title before a name ("M. Zénon", "Mme. Roux")
NOT_AFTER_TITLE = r"(?<!\bM\.)(?<!\bMr\.)(?<!\bMme\.)(?<!\bDr\.)"


_NINE_AT = re.compile(r"(?<!\d)(?=\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}(?!\d))")
_NINE_SPACED = re.compile(r"\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3}")
_NOT_DIGITS = str.maketrans("", "", " .\u00a0")


def invoice_mention(invoice: str, text: str) -> re.Match[str] | None:
    """Where ``text`` first writes the 9-digit ``invoice``, spaced by threes or not."""
    # (one pattern for every invoice: a pattern per invoice would be compiled again and again)
    for start in _NINE_AT.finditer(text):
        found = _NINE_SPACED.match(text, start.start())
        if found and found.group().translate(_NOT_DIGITS) == invoice:
            return found
    return None


def invoice_of(cell: str) -> str | None:
    """The invoice number a cell holds (9 digits, maybe spaced, maybe "n° "), or None."""
    found = _INVOICE.match(cell.strip())
    return _NOT_DIGIT.sub("", found.group(1)) if found else None


# "la facture 900310458 (et non 900310485 comme indiqué)": the number the caisse corrects is not one
_CORRECTED = re.compile(r"(?i)(?:\bet non(?: pas)?|\bnon pas|\bau lieu d[eu]|\bet pas)\s*"
                        r"(?:la |le |du |de la )?(?:facture\s*)?(?:n[°o]\s*)?$"
                        # "doublon de la facture 000150039", "déjà réglée sous la facture …": the original,
                        # which is not a row of its own
                        r"|(?:doublon|double emploi|en double|d[ée]j[àa] (?:pay|r[ée]gl|rembours)[ée]e?)\s+"
                        r"(?:avec|de|sous|par)\s+(?:la |le )?(?:facture\s*)?(?:n[°o]\s*)?$")


def invoices_in(text: str) -> list[str]:
    """Every 9-digit number of ``text`` (spaced by threes or not), in order, without repeats."""
    return list(_invoices_in(text))


@lru_cache(maxsize=256)  # a paragraph is asked again sentence by sentence, a cell row by row
def _invoices_in(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for found in _INVOICE_IN.finditer(text):
        number = re.sub(r"\D", "", found.group(1))
        if number not in out and not is_ps_number(text, found.start()) \
                and not _CORRECTED.search(text[max(0, found.start() - 40):found.start()]):
            out.append(number)
    return tuple(out)


def lot_of(cell: str) -> str | None:
    found = _LOT.match(cell.strip())
    return found.group(1).zfill(3) if found else None


_FOOTNOTE_MARK = re.compile(r"\s*(?:\(\d\)|\[\d\]|\*{1,3})$")


def amount_of(cell: str) -> Decimal | None:
    """An amount cell in any French or English writing, or None."""
    text = cell.strip().replace("\u2212", "-")
    if not text or not re.search(r"\d", text):
        return None
    text = re.sub(r"(?i)^(?:eur|€)\s*", "", _FOOTNOTE_MARK.sub("", text))  # ("18,90 € (1)": see below)
    text = re.sub(r"(?i)\s*(?:eur|euros?|€|ttc)\.?$", "", text).strip()
    value = parse_amount(text)
    if value is not None:
        return value
    found = _EN_AMOUNT.match(text)
    if found:
        try:
            return Decimal(found.group(1).replace(",", "") + "." + found.group(2))
        except InvalidOperation:
            return None
    return None


def code_of(cell: str) -> tuple[str, str | None] | None:
    """(code, sub-code) of a reject code cell ("0250 146", "2900", "0250-146 Prescription absente")."""
    found = _CODE.search(cell.strip())
    if not found or found.start() > 0 and not re.match(r"(?i)(?:code|rejet|motif|n[°o])", cell.strip()):
        return None
    return found.group(1), found.group(2)


def date_of(cell: str, *, default_year: int | None = None) -> tuple[date | None, str | None]:
    """(day, period text) of a care date cell: one day, or a period kept as written."""
    text = cell.strip()
    day = parse_french_date(text, default_year=default_year)
    if day is not None:
        return day, None
    if default_year is not None and (short := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})", text)):
        try:  # "12/09" in a care-date column of a message of 2026
            return date(default_year, int(short.group(2)), int(short.group(1))), None
        except ValueError:
            return None, None
    if len(re.findall(r"\d{1,2}[/.]\d{1,2}", text)) >= 2 or re.search(r"(?i)\bdu\b.+\bau\b", text):
        return None, text  # a period, "du 26/02 au 01/03/2026": no single care day
    days = find_dates(text, default_year=default_year)
    if len(days) == 1:
        return days[0], None
    if len(days) >= 2:
        return None, text
    serial = re.fullmatch(r"(\d{5})(?:\.0+)?", text)  # a spreadsheet's day number
    if serial and 40000 < int(serial.group(1)) < 60000:
        return date(1899, 12, 30) + timedelta(days=int(serial.group(1))), None
    return None, None


# Header words → role, most specific first. Matched on the folded header cell.
ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (the day of the payment, kept for a paid row: "Date de paiement", "Date de paiement / de rejet")
    ("paid_date", (r"date (?:de |du |d')?(?:paiement|mise en paiement|reglement|virement)", r"paye le",
                   r"regle le", r"mise? en paiement le")),
    ("other_date", (r"date (?:de |du |d')?(?:traitement|reception|envoi|transmission"
                    r"|rejet|refus|lot|courrier|liquidation|emission|integration|retour)",
                    r"date (?:de |du )?(?:la )?(?:facturation|facture)$", r"traite le", r"recu le",
                    r"date limite", r"echeance", r"avant le")),
    ("care_date", (r"date (?:de |des |d')?(?:soins?|execution|acte|prestation|l'acte|realisation)",
                   r"soins? (?:du|le)",
                   r"soins? (?:realises?|effectues?|dispenses?) le", r"periode", r"jour (?:des |de )?soins?",
                   r"date$", r"^date",
                   r"date (?:des )?actes?")),
    ("invoice", (r"factur", r"\bfse\b", r"\bn[°o] ?(?:de )?(?:fse|facture|fact\b)", r"invoice",
                 r"^ref(?:erence)?"
                 r" (?:fse|facture)", r"^numero$", r"^n[°o]$")),
    ("lot", (r"\blots?\b",)),
    ("code", (r"^code", r"code (?:rejet|motif|anomalie|erreur|refus)", r"n[°o] (?:de )?rejet", r"^rejet$",
              r"code$")),
    ("consigne", (r"consigne", r"^cons\.?$", r"action", r"conduite a tenir", r"a faire", r"que faire",
                  r"suite a donner",
                  r"correction", r"demarche", r"marche a suivre", r"a realiser", r"instruction", r"^suite\b",
                  r"^traitement a effectuer", r"(?:devez|pouvez|faut) faire", r"a effectuer", r"attendue?$",
                  r"what to do", r"to do$")),
    ("motif", (r"motif", r"libelle", r"anomalie", r"observation", r"commentaire", r"cause", r"raison",
               r"detail", r"erreur", r"nature", r"rejet", r"description", r"precisions?$",
               r"pieces? (?:manquante|demandee|"
               r"attendue|a fournir)", r"document", r"reason")),
    ("status", (r"statut", r"^etat", r"situation", r"decision", r"resultat", r"traitement", r"^status",
                r"^reponse (?:de la |du |de l')?(?:caisse|cpam|cgss|msa|service)",
                r"outcome")),
    ("amount", (r"montant", r"^demandee?s?$",
                r"\bmt\b", r"somme", r"\btotal", r"\beur\b", r"€", r"\bpart\b", r"rembours",
                r"a payer", r"regle", r"paye", r"rejete", r"amount", r"billed", r"^paid")),
    ("beneficiary", (r"beneficiaire", r"patient", r"assure", r"\bnom\b", r"\bnir\b", r"secu",
                     r"identit", r"adherent")),
)


_ROLE_RES = tuple((role, re.compile("|".join(f"(?:{w})" for w in words))) for role, words in ROLE_WORDS)


_BILLED = re.compile(r"(?i)factur[éÉ]")


# (compiled once: the re module's cache is shared with the e-mail parser's boundary patterns)
_AMOUNT_NAME = re.compile(r"(?:montant|mt|mnt|somme|total|part (?:amo|amc|obligatoire|complementaire))\b")
_EURO_NAME = re.compile(r"\b(?:eur|euros?)\b|€|\(eur\)")
_BILLED_FOLDED = re.compile(r"\bfacturees?\b")
_BILLED_ALONE = re.compile(r"(?:montant )?facturee?s?")
_CARE_NAME = re.compile(r"soins?|date soins?|jours? de soins|dte?\.? (?:des? )?soins?")
_FACT_NAME = re.compile(r"(?:n[°o] ?)?fact\.?")
_BENEF_NAME = re.compile(r"benef\.?|benefic\.?")
_COUNT_NAME = re.compile(r"(?:nombre|nbr?e?\.?)\b")
_COUNTED_NAME = re.compile(r"(?:factures?|fse) (?:transmises?|payees?|reglees?|rejetees?|recues?|acceptees?"
                           r"|en anomalie)")
_MOTIF_AND_WHAT = re.compile(r"(?:motif|libelle|anomalie)s?\b.{0,20}\b(?:consignes?|suite|action)\b")
_NOT_DIGIT = re.compile(r"\D")


@lru_cache(maxsize=4096)  # the same few header words come back in every table
def role_of(header_cell: str) -> str | None:
    """The role a column header gives its column, or None."""
    text = normalize(header_cell).strip(" :*")
    if not text or len(text) > 60:
        return None
    if _AMOUNT_NAME.match(text) or _EURO_NAME.search(text):
        return "amount"  # "Montant facturé", "FACTURE EUR": amounts, not invoice numbers
    if _BILLED.search(header_cell) or _BILLED_FOLDED.search(text):
        # "facturé(e)s" qualifies what was billed ("IK facturées", "Actes facturés"): not the invoice's
        # number; alone, the amount billed
        return "amount" if _BILLED_ALONE.fullmatch(text) else None
    if _CARE_NAME.fullmatch(text):
        return "care_date"  # (and an agent's "Dt soins")
    if _FACT_NAME.fullmatch(text):
        return "invoice"  # an agent's abbreviations: "Fact", "Benef", "Mnt"
    if _BENEF_NAME.fullmatch(text):
        return "beneficiary"
    if _COUNT_NAME.match(text) or _COUNTED_NAME.fullmatch(text):
        return "count"  # "Factures transmises: 12": how many, not which (a summary of lots)
    if _MOTIF_AND_WHAT.match(text):
        return "motif"  # "Motif / consigne": the motif first, its instruction after it in the cell
    for role, pattern in _ROLE_RES:
        if pattern.search(text):
            return role
    return None


def header_roles(header: Sequence[str]) -> dict[str, int]:
    """Role → column index for a header row (the first column of a role wins; an amount column
    named "montant rejeté" wins over "montant facturé")."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        role = role_of(cell)
        if role is None:
            continue
        if role == "amount" and re.search(r"regle|paye|verse|rembourse|vire|pris en charge|\bpaid\b",
                                          normalize(cell)):
            roles.setdefault("paid_amount", index)
            continue
        if role == "amount" and "amount" in roles:
            if re.search(r"rejet|refus|reclam|indu|du$|a regulariser", normalize(cell)):
                roles["amount"] = index
            continue
        if role == "motif" and "motif" in roles and "consigne" not in roles \
                and re.search(r"observation|commentaire|remarque", normalize(cell)):
            role = "consigne"  # "Motif … Observation": what the caisse says of the row besides its motif
        roles.setdefault(role, index)
    if "paid_amount" in roles and "amount" not in roles:
        roles["amount"] = roles["paid_amount"]  # the only amount the table gives
    return roles


def cell_type(cell: str) -> str | None:
    """What a cell looks like without a header: invoice, lot, date, amount, code or text."""
    text = cell.strip()
    if not text:
        return None
    if invoice_of(text):
        return "invoice"
    if re.fullmatch(r"\d{3}", text):
        return "lot"
    if re.fullmatch(r"\d{4}(?:\s*[-/ ]\s*\d{3})?", text):
        return "code"
    if date_of(text)[0] is not None and len(text) <= 20:
        return "date"
    if amount_of(text) is not None and re.search(r"[€,.]|eur", text, re.IGNORECASE):
        return "amount"
    if _MASKED_NAME.fullmatch(text):
        return "name"
    if re.search(r"[a-zA-Zà-ÿ]{3}", text):
        return "text"
    return None


# a patient written with a title and an initial or a name ("M. R.", "Mme B.", "Mme D. Josiane")
_MASKED_NAME = re.compile(r"(?:M|Mr|Mme|Mlle|Mmes|Madame|Monsieur)\.?\s+[A-ZÀ-Ý][\w'’-]*\.?"
                          r"(?:\s+[A-ZÀ-Ý][\w'’-]*\.?){0,2}")
