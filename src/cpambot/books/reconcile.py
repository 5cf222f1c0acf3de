"""Bank reconciliation: the transfers the caisses announced in their NOEMIE returns against the credits
of the professional's bank statement (pure: transfers and bank lines in, a French report out).

A transfer matches a credit of the same amount posted from 2 days before its date to
:data:`WINDOW_DAYS` after it — the closest in time, and one whose label names a caisse when several
qualify. Transfers of one caisse on one day may arrive as one credit: their sum is tried next. What is
left is told, never guessed:

* a transfer announced and not received (its window ended before the statement's last day);
* a transfer too recent to tell (its window runs past the statement);
* a transfer whose window starts before the statement, not found on it: its credit may be on the
  previous statement (told as such, never as missing, and never paired with a lower credit);
* a caisse's credit with no return announcing it;
* a caisse's credit lower than a transfer announced in the same window: money deducted (a retenue),
  « sans notification » when no retenue of that amount is known.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from cpambot.books.bank import BankLine
from cpambot.books.tracking import caisse_name

WINDOW_DAYS = 10
BEFORE_DAYS = 2
TRANSFERS = "transfers"  # the store's table: the transfers announced, one per NOEMIE file
REPORTS = "rapprochements"  # under the data folder: the reports of ``cpambot rapprochement``, for the digest

# A caisse's name in a bank label (the platforms' payments are announced by their own messages, not by
# NOEMIE returns: their credits are left out of this reconciliation)
_PAYER_WORDS = re.compile(r"\b(cpam|cgss|msa|caisse primaire|caisse generale|assurance maladie|ameli|cnam|"
                          r"c\.p\.a\.m|cssm|mutualite sociale agricole)\b")


@dataclass(frozen=True)
class Transfer:
    """A transfer a NOEMIE return announced."""

    key: str  # caisse|file id|date
    caisse: str | None
    day: date
    amount: Decimal
    label: str
    source: str  # ledger key of the message

    def to_doc(self) -> dict[str, Any]:
        return {"caisse": self.caisse, "day": self.day.isoformat(), "amount": f"{self.amount:.2f}",
                "label": self.label, "source": self.source}

    @classmethod
    def from_doc(cls, key: str, doc: Mapping[str, Any]) -> Transfer:
        return cls(key, doc.get("caisse"), date.fromisoformat(doc["day"]), Decimal(str(doc["amount"])),
                   str(doc.get("label") or ""), str(doc.get("source") or ""))


def transfers_of(fields: Mapping[str, Any], caisse: str | None, source: str) -> list[Transfer]:
    """The transfers a reading's NOEMIE parts announce (net total above zero, date known)."""
    found = []
    for part in fields.get("parts") or ():
        if part.get("error") or not part.get("transfer_date") or not part.get("file_id"):
            continue
        amount = Decimal(str(part.get("total") or "0"))
        if amount <= 0:
            continue
        day = date.fromisoformat(str(part["transfer_date"]))
        key = f"{caisse or '?'}|{part['file_id']}|{day.isoformat()}"
        found.append(Transfer(key, caisse, day, amount, str(part.get("transfer_label") or ""), source))
    return found


@dataclass(frozen=True)
class Deduction:
    transfer: Transfer
    line: BankLine
    notified: bool  # a retenue of the difference is known

    @property
    def missing(self) -> Decimal:
        return self.transfer.amount - self.line.amount


@dataclass
class Reconciliation:
    start: date
    end: date
    matched: list[tuple[tuple[Transfer, ...], BankLine]] = field(default_factory=list)
    missing: list[Transfer] = field(default_factory=list)
    too_recent: list[Transfer] = field(default_factory=list)
    earlier: list[Transfer] = field(default_factory=list)  # may have been credited before the statement
    unexplained: list[BankLine] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)


def looks_like_payer(label: str) -> bool:
    text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return bool(_PAYER_WORDS.search(" ".join(re.split(r"[^a-z0-9.]+", text))))


def _fits(transfer: Transfer, line: BankLine) -> bool:
    earliest, latest = transfer.day - timedelta(days=BEFORE_DAYS), transfer.day + timedelta(days=WINDOW_DAYS)
    return earliest <= line.day <= latest


def _straddles(transfer: Transfer, start: date) -> bool:
    """Whether the transfer could have been credited before the statement's first day."""
    return transfer.day - timedelta(days=BEFORE_DAYS) < start


def _best(candidates: list[BankLine], day: date) -> BankLine | None:
    return min(candidates, key=lambda x: (not looks_like_payer(x.label), abs((x.day - day).days)),
               default=None)


def reconcile(transfers: Iterable[Transfer], lines: Sequence[BankLine],
              retenues: Iterable[Decimal] = ()) -> Reconciliation:
    """Match ``transfers`` with the credits of ``lines``; ``retenues``: the amounts of the retenues the
    caisses notified (a deduction of one of these amounts is not « sans notification »)."""
    start, end = min(x.day for x in lines), max(x.day for x in lines)
    result = Reconciliation(start, end)
    credits = [x for x in lines if x.amount > 0]
    # only the transfers whose window meets the statement can be judged
    judged = sorted((t for t in transfers if t.day + timedelta(days=WINDOW_DAYS) >= start
                     and t.day - timedelta(days=BEFORE_DAYS) <= end), key=lambda t: (t.day, t.key))
    left = list(judged)
    for transfer in judged:  # one transfer, one credit
        line = _best([c for c in credits if c.amount == transfer.amount and _fits(transfer, c)], transfer.day)
        if line is not None:
            result.matched.append(((transfer,), line))
            credits.remove(line)
            left.remove(transfer)
    groups: dict[tuple[str | None, date], list[Transfer]] = {}
    for transfer in left:
        groups.setdefault((transfer.caisse, transfer.day), []).append(transfer)
    for (_, day), group in groups.items():  # several returns of one day, one credit
        if len(group) < 2:
            continue
        total = sum((t.amount for t in group), Decimal("0"))
        line = _best([c for c in credits if c.amount == total and _fits(group[0], c)], day)
        if line is not None:
            result.matched.append((tuple(group), line))
            credits.remove(line)
            left = [t for t in left if t not in group]
    known = {Decimal(r).quantize(Decimal("0.01")) for r in retenues}
    for transfer in [t for t in left if _straddles(t, start)]:
        result.earlier.append(transfer)
        left.remove(transfer)
    for transfer in list(left):  # a lower credit of a caisse in the window: money deducted
        lower = [c for c in credits if looks_like_payer(c.label) and 0 < c.amount < transfer.amount
                 and _fits(transfer, c)]
        line = _best(lower, transfer.day)
        if line is not None:
            result.deductions.append(Deduction(transfer, line, (transfer.amount - line.amount) in known))
            credits.remove(line)
            left.remove(transfer)
    for transfer in left:
        target = result.too_recent if transfer.day + timedelta(days=WINDOW_DAYS) > end else result.missing
        target.append(transfer)
    result.unexplained = [c for c in credits if looks_like_payer(c.label)]
    return result


def _euros(amount: Decimal) -> str:
    return f"{amount:,.2f} €".replace(",", "\u202f").replace(".", ",")


def _who(transfer: Transfer) -> str:
    return caisse_name(transfer.caisse) or "caisse inconnue"


def reconciliation_lines(result: Reconciliation) -> list[str]:
    """The report in French, one line each, what needs her eyes first."""
    out = [f"Relevé du {result.start:%d/%m/%Y} au {result.end:%d/%m/%Y}."]
    for transfer in result.missing:
        out.append(f"Virement annoncé mais NON REÇU : {_euros(transfer.amount)} de {_who(transfer)}, annoncé "
                   f"pour le {transfer.day:%d/%m/%Y}{f' (« {transfer.label} »)' if transfer.label else ''}")
    for deduction in result.deductions:
        what = "retenue notifiée" if deduction.notified else "RETENUE SANS NOTIFICATION ?"
        out.append(f"Virement reçu INFÉRIEUR à l'annonce ({what}) : {_euros(deduction.line.amount)} reçus le "
                   f"{deduction.line.day:%d/%m/%Y} pour {_euros(deduction.transfer.amount)} annoncés par "
                   f"{_who(deduction.transfer)}, manque {_euros(deduction.missing)}")
    for line in result.unexplained:
        out.append(f"Virement reçu SANS RETOUR qui l'annonce : {_euros(line.amount)} le {line.day:%d/%m/%Y} "
                   f"(« {line.label} »)")
    for transfer in result.too_recent:
        out.append(f"Virement annoncé pour le {transfer.day:%d/%m/%Y} ({_euros(transfer.amount)}, "
                   f"{_who(transfer)}) : trop récent pour ce relevé, à revoir avec le suivant")
    for transfer in result.earlier:
        out.append(f"Virement annoncé pour le {transfer.day:%d/%m/%Y} ({_euros(transfer.amount)}, "
                   f"{_who(transfer)}) : pas sur ce relevé, qui commence le {result.start:%d/%m/%Y} ; "
                   "à chercher sur le relevé précédent")
    received = sum((line.amount for _, line in result.matched), Decimal("0"))
    count = len(result.matched)
    out.append(f"Virements annoncés et bien reçus : {count} ({_euros(received)})." if count
               else "Aucun virement annoncé n'a été retrouvé sur ce relevé.")
    return out


def reconciliation_json(result: Reconciliation) -> dict[str, Any]:
    def transfer(t: Transfer) -> dict[str, Any]:
        return {"cle": t.key, "caisse": t.caisse, "date": t.day.isoformat(), "montant": f"{t.amount:.2f}",
                "libelle": t.label, "message": t.source}

    def line(x: BankLine) -> dict[str, Any]:
        return {"date": x.day.isoformat(), "montant": f"{x.amount:.2f}", "libelle": x.label}
    return {"debut": result.start.isoformat(), "fin": result.end.isoformat(),
            "recus": [{"virements": [transfer(t) for t in ts], "banque": line(x)}
                      for ts, x in result.matched],
            "non_recus": [transfer(t) for t in result.missing],
            "trop_recents": [transfer(t) for t in result.too_recent],
            "avant_le_releve": [transfer(t) for t in result.earlier],
            "sans_retour": [line(x) for x in result.unexplained],
            "retenues": [{"virement": transfer(d.transfer), "banque": line(d.line),
                          "manque": f"{d.missing:.2f}", "notifiee": d.notified} for d in result.deductions]}
