"""Invoice rows as a message lists them, with typed cells: the row reader's values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Action(StrEnum):
    """What the caisse asks the professional to do about one row."""

    REBILL = "refacturer"  # correct the invoice and re-transmit it
    PIECES = "pieces"  # send a document, without billing again
    CONTACT = "contacter"  # call or write to the caisse (or the patient)
    NONE = "aucune"  # nothing: information only


class Status(StrEnum):
    """What the row says happened to the invoice."""

    REJECTED = "rejet"
    PAID = "paye"
    PENDING = "attente"  # deferred, under review


@dataclass(frozen=True)
class Row:
    """One invoice (or one whole lot) as a table line, a card or a sentence describes it."""

    invoice: str | None = None  # 9 digits
    lot: str | None = None  # 3 digits
    care_date: date | None = None
    care_period: str | None = None  # "du 02/09 au 06/09/2026" when not a single day
    paid_on: date | None = None  # the day the caisse says it paid the invoice ("réglée le 22/09/2026")
    amount: Decimal | None = None
    paid_amount: Decimal | None = None  # a "montant réglé / payé" column beside the billed one
    reject_code: str | None = None  # 4 characters
    reject_subcode: str | None = None  # the 3 digits after it ("0250 146")
    motif: str | None = None  # the caisse's own words
    consigne: str | None = None  # the caisse's instruction, its own words
    beneficiary: str | None = None  # masked
    name_keys: tuple[str, ...] = ()  # hashes of the beneficiary's name words (rows.targets), not the name
    status: Status | None = None
    action: Action | None = None
    whole_lot: bool = False  # the row names a lot, no invoice: the whole lot is concerned
    note: str | None = None  # a footnote mark ("REJETEE (1)") explained below the table
    source: str = ""  # "table", "card", "prose"
    part: str | None = None  # "AMO" / "AMC" when the message tells the invoice's two parts apart


@dataclass(frozen=True)
class RowSet:
    """Every row found in a message, and what did not add up."""

    rows: tuple[Row, ...] = ()
    problems: tuple[str, ...] = ()  # French: a total that does not match, a row not understood
    stated_total: Decimal | None = None
    unread: tuple[str, ...] = field(default=())  # lines that looked like rows but were not understood
