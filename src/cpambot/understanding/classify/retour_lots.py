"""Retour sur le traitement de vos lots: the caisse lists lots and invoices in anomaly.

Recognised by "retour(s) sur le traitement de vos/des lots". The content is a table
(plain-text "a | b | c", HTML flattened the same way, or a CSV attachment) whose
columns are found by their header (Lot, Facture, Date de soins, Montant, Motif…). A
row naming an invoice gives ``invoice_in_anomaly``; a row for a whole lot ("lot
entier", no invoice) gives ``lot_refused``. Without a table, sentences naming an
invoice are read one by one; a row or sentence that cannot be read goes to a human.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cpambot.understanding.classify.text.amounts import parse_amount
from cpambot.understanding.classify.text.dates import date_after, find_delay, parse_french_date
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import (
    invoice_numbers,
    invoice_records,
    lot_numbers,
    record_fields,
)
from cpambot.understanding.classify.text.tables import column, find_tables
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage, html_to_text

KEYWORDS = keywords(
    ("retours? sur le traitement (?:de vos|des) lots", 1.0),
    ("traitement de vos lots", 0.9),
    ("retours? (?:sur|de) (?:vos|les) lots", 0.8),
    ("lots? non parvenus?", 0.6),
)

_LOT_PROBLEM = re.compile(r"\blot (\d{3}) (?:[^.\n]{0,30})?(?:non parvenu|n'est pas parvenu|rejete|refuse"
                          r"|doit etre retransmis)")


def match(msg: ParsedMessage) -> float:
    return keyword_score(msg, KEYWORDS, ("lot",))


def _bodies(msg: ParsedMessage) -> Iterator[str]:
    """The plain body, then (only if asked for) the HTML alternative flattened."""
    yield msg.text or ""
    if msg.html and "<t" in msg.html.lower():
        yield html_to_text(msg.html)


def _lot(cell: str) -> str | None:
    cell = cell.strip()
    if re.fullmatch(r"\d{1,3}", cell):
        return cell.zfill(3)
    lots = lot_numbers(cell)
    return lots[0] if len(lots) == 1 else None


_COLUMNS = {"invoice": (r"factur", r"\bfse\b"), "lot": (r"\blot",), "amount": (r"montant",),
            "motif": (r"motif", r"anomalie", r"observation", r"libelle", r"rejet", r"commentaire"),
            "date": (r"date (?:de |des )?soins", r"soins", r"^date"),
            "who": (r"beneficiaire", r"patient", r"assure")}


def _row_facts(columns: dict[str, int | None], row: list[str], caisse: str | None, extra: dict,
               problems: list[str]) -> list[Fact]:
    cell = {name: row[i].strip() if i is not None else "" for name, i in columns.items()}
    invoice_cell, amount_cell, date_cell, motif = cell["invoice"], cell["amount"], cell["date"], cell["motif"]
    amount = parse_amount(amount_cell) if amount_cell else None
    if amount_cell and amount is None and re.search(r"\d", amount_cell):
        problems.append(f"montant illisible « {amount_cell} » : à vérifier")
    care = parse_french_date(date_cell) if date_cell else None
    details = {k: v for k, v in (("beneficiary", cell["who"]), ("care_period", None if care else date_cell))
               if v and v not in ("-", "–")}
    invoices = invoice_numbers(invoice_cell)
    lot = _lot(cell["lot"])
    if invoices:
        if len(invoices) > 1:
            problems.append(f"plusieurs factures sur une ligne ({', '.join(invoices)}) : montant non "
                            "attribué")
        return [Fact(FactKind.INVOICE_IN_ANOMALY, caisse=caisse, lot=lot, invoice=number,
                     amount=amount if len(invoices) == 1 else None, date=care, label=motif or None,
                     details={**details, **extra}) for number in invoices]
    scope = normalize(invoice_cell + " " + motif)
    if lot and (not re.search(r"\d", invoice_cell) or "lot" in scope):
        if invoice_cell and invoice_cell not in ("-", "–"):
            details["scope"] = invoice_cell
        return [Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=lot, amount=amount, date=care,
                     label=motif or None, details=details)]
    problems.append(f"ligne du tableau non comprise : « {' | '.join(row)} »")
    return []


def _table_facts(msg: ParsedMessage, caisse: str | None, extra: dict,
                 problems: list[str]) -> tuple[list[Fact], int]:
    facts: list[Fact] = []
    rows_read = 0
    for group in [_bodies(msg), *([a.text] for a in msg.attachments if a.text)]:
        for source in group:
            found = False
            for header, rows in find_tables(source):
                columns = {name: column(header, *names) for name, names in _COLUMNS.items()}
                if columns["invoice"] is None and columns["lot"] is None:
                    continue
                found = True
                for row in rows:
                    rows_read += 1
                    facts += _row_facts(columns, row, caisse, extra, problems)
            if found:
                break  # the HTML alternative repeats the plain-text table
    return facts, rows_read


def _text_facts(msg: ParsedMessage, caisse: str | None, extra: dict) -> list[Fact]:
    facts = []
    lots = lot_numbers(msg.all_text())
    only_lot = lots[0] if len(lots) == 1 else None
    for source in [msg.text or "", *(a.text for a in msg.attachments if a.text)]:
        for numbers, lines in invoice_records(source):
            fields = record_fields(lines) if len(numbers) == 1 else {}
            for number in numbers:
                facts.append(Fact(FactKind.INVOICE_IN_ANOMALY, caisse=caisse, invoice=number,
                                  lot=fields.get("lot") or only_lot, amount=fields.get("amount"),
                                  date=fields.get("date"), label=fields.get("label"), details=extra))
        for lot in _LOT_PROBLEM.findall(normalize(source)):
            facts.append(Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=lot))
    return facts


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    problems: list[str] = []
    delay = find_delay(msg.all_text())
    extra = {"delay_days": delay[0]} if delay and delay[1] == "days" else {}
    facts, rows = _table_facts(msg, caisse, extra, problems)
    if not rows:
        facts = _text_facts(msg, caisse, extra)
    unique: dict[tuple, Fact] = {}
    for fact in facts:
        key = (fact.kind, fact.lot, fact.invoice)
        if key in unique and unique[key] != fact:
            problems.append(f"facture {fact.invoice or '-'} / lot {fact.lot or '-'} listé deux fois "
                            "avec des informations différentes")
        unique.setdefault(key, fact)
    review = None
    if not unique:
        review = "retour sur le traitement des lots sans facture ni lot lisible : à lire"
    elif problems:
        review = "retour sur le traitement des lots : certaines lignes sont à vérifier"
    treated = date_after(msg.subject or "", r"lots\s*(?:du|traités le)\s*", span=2)
    fields = {"treated_on": treated, "table_rows": rows,
              "invoices": [f.invoice for f in unique.values() if f.invoice],
              "lots_refused": [f.lot for f in unique.values() if f.kind == "lot_refused"]}
    return Reading(kind=MessageKind.RETOUR_LOTS, trust=trust, caisse=caisse, facts=tuple(unique.values()),
                   fields=fields, needs_review=review, problems=tuple(problems))
