"""An answer told invoice by invoice ("voici la situation de chacune d'elles"): what the answer says of
each invoice it lists (paid on a day, rejected with a code and what to do, still under study), the facts
of a réclamation answered as the caisse's rows give them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from cpambot.understanding.classify.retour_lots import row_fact
from cpambot.understanding.facts import Fact, FactKind
from cpambot.understanding.rows import Action, Row, Status


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


def row_facts(rows: Iterable[Row], lots: dict[str, str | None], caisse: str | None) -> list[Fact]:
    """One fact per invoice the answer tells, in its order: paid (with its day and sum), rejected (as a
    lot return's row: the code, the words, what to do), or still under study (deferred)."""
    out: list[Fact] = []
    for row in rows:
        if not row.invoice:
            continue
        lot = row.lot or lots.get(row.invoice)
        if row.status is Status.PAID:
            out.append(Fact(FactKind.INVOICE_PAID, caisse=caisse, invoice=row.invoice, lot=lot,
                            amount=row.paid_amount or row.amount, date=row.paid_on, part="AMO",
                            details={"source": "reclamation"}))
        elif row.status is Status.PENDING and not row.reject_code and row.action in (None, Action.NONE):
            out.append(Fact(FactKind.INVOICE_DEFERRED, caisse=caisse, invoice=row.invoice, lot=lot,
                            amount=row.amount, details={"source": "reclamation"}))
        elif row.status is Status.REJECTED or row.reject_code or row.action is not None:
            fact = row_fact(row, caisse, {})
            out.append(fact if fact.lot else replace(fact, lot=lot))
    return out
