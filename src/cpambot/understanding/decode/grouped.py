"""The decoded NOEMIE file: lots, invoices and what they hold (frozen values).

Built by :mod:`cpambot.understanding.decode._grouping`; returned by
:func:`cpambot.understanding.decode.noemie.decode_noemie`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpambot.understanding.decode.records import (
    REAL_FLOWS,
    Act,
    Comment,
    Control,
    Forfait,
    Header,
    Insured,
    Part,
    Patient,
    Payee,
    Payment,
    Reject,
    Retenue,
    ReturnType,
    Skipped,
    Trailer,
)

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Invoice:
    """One invoice (``100`` short form or ``102``) and everything that follows it."""

    number: str
    lot_number: str  # from the 102, else from the enclosing 080
    return_type: str  # code of the last 081 before it ("" if none)
    short_form: bool  # True for a 100 (number only)
    complement: str = ""
    lot_date: date | None = None
    invoice_type: str = ""
    billing_date: date | None = None
    amc_processing: str = ""
    insurance_nature: str = ""
    archive_number: str = ""
    insured: Insured | None = None
    patient: Patient | None = None
    amo: Part | None = None
    amc: Part | None = None
    acts: tuple[Act, ...] = ()
    rejects: tuple[Reject, ...] = ()
    comments: tuple[Comment, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def paid(self) -> Decimal:
        """AMO paid + AMC paid (unreadable amounts count as 0)."""
        return sum((p.paid or _ZERO for p in (self.amo, self.amc) if p), _ZERO)


@dataclass(frozen=True)
class Lot:
    """An ``080`` lot and what it holds until its ``990``."""

    number: str
    date: date | None
    return_types: tuple[ReturnType, ...]
    invoices: tuple[Invoice, ...]
    retenues: tuple[Retenue, ...]
    forfaits: tuple[Forfait, ...]
    rejects: tuple[Reject, ...]  # rejects/notices outside any invoice
    comments: tuple[Comment, ...]
    control: Control | None


@dataclass(frozen=True)
class NoemieFile:
    """A decoded NOEMIE file. Fields named like a lot's hold what stands outside any lot."""

    header: Header
    trailer: Trailer
    compressed: bool
    payments: tuple[Payment, ...]
    payees: tuple[Payee, ...]
    lots: tuple[Lot, ...]
    return_types: tuple[ReturnType, ...]
    loose_invoices: tuple[Invoice, ...]
    retenues: tuple[Retenue, ...]
    forfaits: tuple[Forfait, ...]
    rejects: tuple[Reject, ...]
    comments: tuple[Comment, ...]
    controls: tuple[Control, ...]  # 990s closing blocks outside lots
    computed_total: Decimal  # net money found: AMO + AMC paid + forfaits + retenues
    skipped: tuple[Skipped, ...]
    problems: tuple[str, ...]

    @property
    def is_test(self) -> bool:
        """Test/demo flow (or unknown flow type) in the 000 or the 999: never act on it."""
        return self.header.is_test or self.trailer.flow_type not in REAL_FLOWS

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """Every invoice: those of the lots, in order, then those outside lots."""
        return tuple(i for lot in self.lots for i in lot.invoices) + self.loose_invoices

    @property
    def all_retenues(self) -> tuple[Retenue, ...]:
        return tuple(r for lot in self.lots for r in lot.retenues) + self.retenues

    @property
    def all_forfaits(self) -> tuple[Forfait, ...]:
        return tuple(f for lot in self.lots for f in lot.forfaits) + self.forfaits
