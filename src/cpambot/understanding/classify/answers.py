"""An answer told invoice by invoice ("voici la situation de chacune d'elles"): what the answer says of
each invoice it lists (paid on a day, rejected with a code and what to do, still under study), the facts
of a réclamation answered as the caisse's rows give them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from cpambot.understanding.classify.retour_lots import row_fact
from cpambot.understanding.facts import Fact, FactKind
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Action, Row, Status
from cpambot.understanding.rows.actions import paid_day


def outcomes(rows: Iterable[Row]) -> str | None:
    """"favorable" when the answer tells two invoices or more each paid, "partielle" when it tells some
    paid and not the others; None when it does not tell an outcome per invoice."""
    listed = [r for r in rows if r.invoice]
    paid = [r for r in listed if r.status is Status.PAID]
    if len(listed) < 2 or not paid:
        return None
    return "favorable" if len(paid) == len(listed) else "partielle"


def told_apart(rows: Iterable[Row]) -> bool:
    """Whether the rows give each invoice its own outcome and not all the same one (paid, rejected, still
    under study): an answer told invoice by invoice, not a payment notice nor a list of rejects."""
    listed = [r for r in rows if r.invoice]
    states = {Status.REJECTED if r.reject_code else r.status for r in listed}
    return len(listed) >= 2 and None not in states and len(states) >= 2


def paid_fact(row: Row, lot: str | None, caisse: str | None, amount: Decimal | None = None) -> Fact:
    """The payment of an invoice the answer says paid (its AMO part, with the day it was paid)."""
    return Fact(FactKind.INVOICE_PAID, caisse=caisse, invoice=row.invoice, lot=row.lot or lot,
                amount=row.paid_amount or row.amount or amount, date=row.paid_on, part="AMO",
                details={"source": "reclamation"})


def row_facts(rows: Iterable[Row], lots: dict[str, str | None], caisse: str | None) -> list[Fact]:
    """One fact per invoice the answer tells, in its order: paid (with its day and sum), rejected (as a
    lot return's row: the code, the words, what to do), or still under study (deferred)."""
    out: list[Fact] = []
    for row in rows:
        if not row.invoice:
            continue
        lot = row.lot or lots.get(row.invoice)
        if row.status is Status.PAID:
            out.append(paid_fact(row, lot, caisse))
        elif row.status is Status.PENDING and not row.reject_code and row.action in (None, Action.NONE):
            out.append(Fact(FactKind.INVOICE_DEFERRED, caisse=caisse, invoice=row.invoice, lot=lot,
                            amount=row.amount, details={"source": "reclamation"}))
        elif row.status is Status.PENDING and not row.reject_code and row.action is Action.PIECES:
            # "bloquée, manque l'ordonnance -> à nous envoyer": held until the document comes, not rejected
            out.append(Fact(FactKind.PIECES_REQUESTED, caisse=caisse, invoice=row.invoice, lot=lot,
                            amount=row.amount,
                            details={"action": Action.PIECES.value, "source": "reclamation"}))
        elif row.status is Status.REJECTED or row.reject_code or row.action is not None:
            fact = row_fact(row, caisse, {})
            out.append(fact if fact.lot else replace(fact, lot=lot))
    return out


def parts_told_apart(rows: Iterable[Row], invoice: str, caisse: str | None) -> list[Fact]:
    """The invoice's two parts as the answer tells them ("part obligatoire (AMO) : 17,50 €, réglée le
    13/10/2026" / "part complémentaire (C2S) : 7,50 €, rejetée"): the paid part's payment and the other's
    reject, with its motif; nothing unless one part is paid and the other not."""
    parts = [r for r in rows if r.invoice == invoice and r.part]
    paid = [r for r in parts if r.status is Status.PAID]
    lost = [r for r in parts if r.status is not Status.PAID]
    if len(paid) != 1 or len(lost) != 1:
        return []
    return [replace(paid_fact(r, r.lot, caisse), part=r.part) if r.status is Status.PAID
            else Fact(FactKind.INVOICE_REJECTED, caisse=caisse, invoice=invoice, lot=r.lot, part=r.part,
                      amount=r.amount, label=r.motif, reject_code=r.reject_code,
                      details={"source": "reclamation"})
            for r in parts]


def reject_to_act_on(rows: Iterable[Row], invoice: str, lot: str | None, caisse: str | None) -> Fact | None:
    """The one invoice of a refused réclamation, rejected with its code ("rejetée le 29/09/2026 avec le code
    0450 072 … Je vous invite donc à refacturer ces soins au taux normal", "rejetée le 12/10/2026, code 0317
    051 = incompatibilité …"): its reject as a lot return's row, so that the reject (and what to do, when the
    answer says it) is told, not only that the answer is unfavourable."""
    found = [r for r in rows if r.invoice == invoice]
    if len(found) != 1 or not found[0].reject_code or found[0].action is Action.NONE \
            or found[0].status is Status.PAID:
        return None
    fact = row_fact(found[0], caisse, {})
    return fact if fact.lot else replace(fact, lot=lot)


def _year(msg: ParsedMessage) -> int | None:
    return msg.date.year if msg.date is not None else None


def one_payment(msg: ParsedMessage, facts: list[Fact], invoices: list[str], record: dict,
                 caisse: str | None, folded: str, announced: Decimal | None) -> list[Fact]:
    """"Un complément de 21,00 € a été mis en paiement le 03/11/2026", "un complément de 18,60 € vous a
    été versé": the payment of the one invoice the answer is about, when no row told it."""
    if len(facts) == 1 and len(invoices) == 1 and announced is not None \
            and re.search(r"(?:a|ont) ete (?:reprises? par nos services et )?"
                          r"(?:(?:re)?mise?s? en paiement|reglee?s?|payee?s?|versee?s?)\b",
                          folded):
        return [Fact(FactKind.INVOICE_PAID, caisse=caisse, invoice=invoices[0], amount=announced,
                     lot=record.get("lot"), part="AMO", date=paid_day(msg.text or "", _year(msg)),
                     details={"source": "reclamation"})]
    return []
