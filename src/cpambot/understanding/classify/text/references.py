"""References, invoice and lot numbers, and the invoice records of a letter or table."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from cpambot.understanding.classify.text.amounts import amount_after, find_amounts
from cpambot.understanding.classify.text.dates import date_after
from cpambot.understanding.classify.text.normalize import label_re, normalize

# "CTL-2026-0112", "441/IND/26/07734", or a letter prefix apart: "DPJ 38-2026-11-0417"
_REFERENCE = re.compile(r"[A-Z]{2,6} \d[\dA-Z/_.\-]{3,30}[\dA-Z]|[A-Z0-9][A-Z0-9/_.\-]{2,40}[A-Z0-9]")
# a letter's own reference as a letterhead prints it, a prefix and groups of digits ("Notre référence :
# MED 131 2026 000318"); only after the label of its own (a reference cited in the text, "réf. IND 2026
# 07781", is another letter's)
_SPACED_REFERENCE = re.compile(r"[A-Z]{2,6}(?: \d{2,8}){2,5}(?![\d,.])")


_GLUED = re.compile(r"[A-Z]{2,8}[/_\-][A-Z0-9/_.\-]*\d[A-Z0-9/_.\-]*[A-Z0-9]")  # INDU/624/2026/00871

# a date or an amount after the label is not a reference ("2026/141/0457" is one)
# a date ("12/10", "12/10/2026", a month "03/2026") or a bare number: not a reference
_NOT_A_REFERENCE = re.compile(r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\.?|\d{1,2}[/.]\d{4}\.?|\d+(?:\.\d+)?\.?")

# an article of the code: "L.133-4", "R. 133-9-1" (not a file's "R2026-80-004512")
_ARTICLE = re.compile(r"[LRD](?:\.\s?|\s)?\d{3,4}(?:-\d{1,2})+")  # ("L.133-4", "L 133-4", "L133-4")
# the professional's own identifiers: "AM 974123456", "PS 974123456", "RPPS 10101234567"
_HER_NUMBER = re.compile(r"(?:AM|PS|ADELI|RPPS|FINESS|SIRET|SIREN)\s?\d{8,14}")


def reference_after(text: str, label: str, span: int = 12, *, spaced: bool = False) -> str | None:
    """The reference ("CTL-2026-0112", "2026-974-000318") right after the regex ``label``.

    A reference has a digit and no lower-case letter; ``span`` characters (" n° :") may
    separate it from the label.
    """
    for found in label_re(label).finditer(text):
        glued = text[found.end():found.end() + 1] in ("/", "_", "-")
        if glued and text[found.end() - 1:found.end()].isalpha():
            # the label's word begins the reference ("Réf. INDU/624/2026/00871"): the whole token
            start = found.end()
            while start > found.start() and text[start - 1].isalnum():
                start -= 1
            if whole := _GLUED.match(text, start):
                return whole.group().rstrip(".")
        tail = text[found.end():found.end() + span + 45]
        if spaced and (whole := _SPACED_REFERENCE.search(tail)) and whole.start() <= span \
                and not _HER_NUMBER.fullmatch(re.sub(r"(?<=\d) (?=\d)", "", whole.group())):
            return whole.group()  # (not "AM 974 123 456", her own number)
        for ref in _REFERENCE.finditer(tail):
            if ref.start() > span:
                break
            if _HER_NUMBER.fullmatch(ref.group()) or _ARTICLE.fullmatch(ref.group()):
                # "Vos références : N° AM 974123456": the professional's own number, no file's; "un indu
                # (articles L.133-4 et R.133-9-1 …)": an article of the code, no file's
                break
            if any(c.isdigit() for c in ref.group()) and not _NOT_A_REFERENCE.fullmatch(ref.group()):
                return ref.group().rstrip(".")
            if any(c.isdigit() for c in ref.group()):
                break  # a date or an amount, not a reference
    return None


# "… à rappeler dans toute correspondance", "… dans tout échange"
_IN_ANY_LETTER = r"(?:\s+dans\s+(?:toute?|votre)\s+(?:correspondance|r[ée]ponse|[ée]change|courrier))?"
# Labels a caisse puts before the reference of a file, in a subject or a letter
ANY_REFERENCE = (r"(?:r[ée]f[ée]rences?(?:\s+du dossier)?(?:\s+[àa]\s+rappeler" + _IN_ANY_LETTER
                 + r")?|r[ée]f\.?|cr[ée]ance"
                 r"|(?:n[°o]|num[ée]ro) de (?:dossier|notification|cr[ée]ance)|dossier|recla(?:-ps)?"
                 r"|r[ée]clamation|recours"
                 r"|enregistr[ée]e?s?\s+sous\s+le|sous\s+le(?=\s*(?:n[°o]|num[ée]ro)))"
                 r"\s*(?:n[°o]\.?|num[ée]ro)?\s*:?")


def any_reference(*texts: str) -> str | None:
    """The first reference after any usual label, looked for in ``texts`` in order (subject first)."""
    for text in texts:
        if found := reference_after(text or "", ANY_REFERENCE):
            return found
    return None


# The letter's own reference, as it names it ("Notre référence : MD-351-26-0148", "N/Réf. :",
# "Référence à rappeler :"), before the references it cites (the indu it follows up)
_OWN_LABEL = (r"(?:notre|nos|n/)\s*r[ée]f[ée]rences?|n/\s*r[ée]f\.?|r[ée]f(?:[ée]rence|\.)?\s*[àa] rappeler"
              r"|(?m:^[ \t]*r[ée]f[ée]rence(?=[ \t]*:))"  # (« Référence : … » heading a letter's block)
              + _IN_ANY_LETTER + r"|r[ée]f[ée]rence (?:du courrier|de (?:la|cette) d[ée]cision)")
# ("Nos références | Dossier CRA n° 2026/CRA/0412": a letterhead's table cell, then the file's name)
_OWN_LABEL += r"\s*(?:\|\s*)?(?:dossier\s+(?:cra\s+)?)?(?:n[°o]\.?)?\s*:?"


def own_reference(subject: str, text: str, titles: str) -> str | None:
    """The letter's own reference: labelled as its own in the text, or written in the subject right
    after the letter's title (``titles``, a regex: "Mise en demeure MED-801-2026-00221", "Votre
    recours R-251-26-00893"), maybe with "réf." or "n°" between them."""
    found = reference_after(text, _OWN_LABEL, spaced=True)
    if found:
        return found
    return (reference_after(subject, rf"(?:{titles})\s*[-–:]?\s*(?:r[ée]f\.?|n[°o]|dossier)?\s*:?", span=4)
            or reference_after(text, rf"(?:{titles})\s*(?:n[°o]|r[ée]f\.?)\s*:?", span=4))  # "… N° X"


# A 9-digit number after these words (on the same line, with only a name in between) is the
# professional's own number ("N° AM : 974123456", "Professionnel de santé : EXEMPLE (974123456)").
_PS_WORDS = re.compile(r"\b(?:am|ps|adeli|rpps|finess|siret|emetteur|professionnel de sante|identification|"
                       r"compte|tel|telephone|idel|infirmiere?s?(?: liberale?s?)?"
                       # "Bénéficiaire du règlement : EXEMPLE Marie (974123456)": the professional
                       r"|beneficiaire du (?:reglement|paiement|virement)"
                       # "Vos réf. : 974123456" in a letterhead: her number (an invoice there says "facture")
                       r"|vos ref(?:erences?)?|v/ ?ref)\b")
# 9 digits, or three groups of three ("000 345 871"); not in "PS974123456", "?id=", a SIRET
_INVOICE_RE = re.compile(r"(?:(?<=\bF)|(?<![\w/.\-=]))"  # ("F002910877": a tool's prefix)
                         r"(?:\d{9}|\d{3}[ \u00a0\u202f]\d{3}[ \u00a0\u202f]\d{3}(?! ?\d))"
                         r"(?!\w)(?![/.,\-]\d)")


def is_ps_number(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    before = normalize(text[max(line_start, start - 60):start])
    last = None
    for last in _PS_WORDS.finditer(before):  # noqa: B007 - the last one is wanted
        pass
    if last is None:
        return False
    between = before[last.end():]
    return "factur" not in between and not re.search(r"\d", between)


def invoice_numbers(text: str) -> list[str]:
    """Invoice numbers (9 digits) in ``text``, in order, without the PS's own AM number."""
    out: list[str] = []
    for found in _INVOICE_RE.finditer(text):
        number = re.sub(r"\D", "", found.group())
        if number not in out and not is_ps_number(text, found.start()):
            out.append(number)
    return out


_LOT_RE = re.compile(r"(?:\bn[°o]\s*de\s*lot|\blots?)\b[ \t]{0,2}(?:n[°o]\.?|num[ée]ro|:)?[ \t]*:?[ \t]*"
                     r"(\d{3}(?!\d)(?:[ \t]*(?:,|et|/)[ \t]*\d{3}(?!\d))*)", re.IGNORECASE)


def lot_numbers(text: str) -> list[str]:
    """Lot numbers (3 digits after "lot", "lot n°", "n° de lot"), in order, without duplicates."""
    out: list[str] = []
    for found in _LOT_RE.finditer(text):
        for lot in re.findall(r"\d{3}", found.group(1)):
            if lot not in out:
                out.append(lot)
    return out


_LABEL_LINE = re.compile(r"^\s*[^\W\d][^:\n]{1,40}?\s?:\s")  # "Date des soins : 20/03/2026"
_MOTIF = re.compile(r"motif[ \t]*(?:d[eu] (?:rejet|refus)[ \t]*)?[:\-–]?[ \t]*(?:(\d{4})\b\s*(?=«|\S))?"
                    r"(?:«\s*([^»]{3,200}?)\s*»|([^\n«]{3,200}))"
                    r"|^[ \t]*(?:anomalie|observation|commentaire)s?[ \t]*:[ \t]*()()([^\n]{3,200})",
                    re.IGNORECASE | re.MULTILINE)


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` continues the record started above it (wrapped line, "Label : value")."""
    s = line.strip()
    if not s or invoice_numbers(s) or s.startswith(("- ", "• ", "* ")) \
            or re.match(r"(?i)(montant )?total", s):
        return False
    if _LABEL_LINE.match(prev) and _LABEL_LINE.match(line):
        return True
    return s[0].islower() or s[0].isdigit() or s[0] in "€(«\"" or prev.rstrip()[-1:] in "–-,:(/"


def invoice_records(text: str) -> Iterator[tuple[list[str], list[str]]]:
    """(invoices, record lines) for each line naming invoices, with its continuation lines."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        numbers = invoice_numbers(lines[i])
        j = i + 1
        if numbers:
            while j < len(lines) and _continues(lines[j - 1], lines[j]):
                j += 1
            yield numbers, lines[i:j]
        i = j


# "Le motif de rejet indiqué dans notre système est « Contrat résilié »": the words in quotes
QUOTED_MOTIF = re.compile(r"(?i)motif\b[^«\"\n.:]{0,60}?[«\"]\s*([^«»\"\n]{3,160}?)\s*[»\"]")


def record_fields(lines: Sequence[str]) -> dict:
    """Lot, care date, amount, motif and reject code found in one invoice record."""
    joined = " ".join(line.strip() for line in lines)
    wrapped = "\n".join(lines)  # amounts keep their line breaks: "75\n236,25 €" is not 75 236,25 €
    lots = lot_numbers(joined)
    amounts = find_amounts(wrapped)
    amount = amounts[0] if len(amounts) == 1 else amount_after(wrapped, r"montant[^\d]{0,40}?", 45)
    out: dict = {"lot": lots[0] if len(lots) == 1 else None, "amount": amount,
                 "date": date_after(joined, r"soins\s*(?:(?:r[ée]alis|effectu|dispens|prodigu)[ée]e?s\s*)?"
                                            r"(?:du|le|:)?\s*", span=2),
                 "label": None, "reject_code": None}
    found = _MOTIF.search(wrapped)
    if found:
        out["reject_code"] = found.group(1)
        out["label"] = (found.group(2) or found.group(3) or found.group(6) or "").strip(" –-.;,") or None
    if quoted := QUOTED_MOTIF.search(joined):
        out["label"] = quoted.group(1)
    return out
