"""Typed, frozen records decoded from NOEMIE PS entities (layout: ``shared/noemie-layout.md``).

Conventions: text fields are right-stripped; amounts are :class:`~decimal.Decimal`
euros (2 decimals), already signed when the entity has a ``P``/``N`` field;
dates are :class:`~datetime.date`. A value that is absent (blank) or unreadable
is ``None``; an unreadable one is also reported in the file's ``problems``.
Records that hold personal data (NIR, names) mask them in ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpambot import labels

#: Flow types meaning "real" (layout §3: ``R`` or a space).
REAL_FLOWS = frozenset({"R", ""})


def mask_nir(nir: str | None) -> str | None:
    """``*********1234``: a NIR reduced to its last 4 characters (never log a full NIR)."""
    if not nir:
        return None
    return "*" * max(len(nir) - 4, 0) + nir[-4:]


@dataclass(frozen=True)
class Header:
    """``000`` file header."""

    sender_type: str
    sender_number: str
    sender_program: str
    recipient_type: str
    recipient_number: str
    recipient_program: str
    application_type: str
    file_id: str
    created: date | None
    reference: str
    version: str
    compression: str
    encryption: str
    currency: str
    flow_type: str
    record_length: int | None
    message: str

    @property
    def is_test(self) -> bool:
        """True unless the flow type is ``R`` or blank (``T`` test, ``D`` demo, or unknown)."""
        return self.flow_type not in REAL_FLOWS


@dataclass(frozen=True)
class Trailer:
    """``999`` end of file."""

    sender_type: str
    sender_number: str
    recipient_type: str
    recipient_number: str
    file_id: str
    record_count: int | None
    flow_type: str
    lot_count: int | None
    file_total: Decimal | None
    other_currency_total: Decimal | None


@dataclass(frozen=True)
class Payment:
    """``071`` accounting date + bank transfer (or ``070``: accounting date only, no labels)."""

    entity: str
    date: date | None
    label1: str = ""
    label2: str = ""
    payer: str = ""

    @property
    def label(self) -> str:
        """Both transfer labels, joined by a space."""
        return " ".join(p for p in (self.label1, self.label2) if p)


@dataclass(frozen=True)
class Payee:
    """``010`` complementary insurer, ``020`` payee under an agent, ``040`` payee."""

    entity: str
    number: str


@dataclass(frozen=True)
class ReturnType:
    """``081`` return type (list B) and place of the act."""

    code: str
    place: str

    @property
    def label(self) -> str:
        return labels.RETURN_TYPE.get(self.code, f"type de retour inconnu « {self.code} »")


@dataclass(frozen=True)
class Insured:
    """``103`` insured person and beneficiary (or ``110``: insured only, no birth data).

    ``repr`` shows the NIRs masked to their last 4 characters and no name.
    """

    entity: str
    nir: str
    nir_key: str
    birth_surname: str
    usage_surname: str
    first_name: str
    beneficiary_nir: str
    beneficiary_nir_key: str
    birth_date: date | None
    birth_rank: str
    beneficiary_name: str
    beneficiary_first_name: str
    management_unit: str
    nir_key_ok: bool | None

    def __repr__(self) -> str:
        return (f"Insured(entity={self.entity!r}, nir={mask_nir(self.nir)!r}, "
                f"beneficiary_nir={mask_nir(self.beneficiary_nir)!r}, nir_key_ok={self.nir_key_ok!r})")


@dataclass(frozen=True)
class Patient:
    """``120`` patient (*malade*). ``repr`` omits names and birth date."""

    birth_date: date | None
    rank: str
    surname: str
    first_name: str
    management_unit: str

    def __repr__(self) -> str:
        return f"Patient(rank={self.rank!r})"


@dataclass(frozen=True)
class Part:
    """``198`` AMO part or ``199`` AMC part. ``state``: ``P`` paid, ``R`` rejected, ``D`` deferred,
    ``""`` not processed (list E)."""

    kind: str  # "AMO" or "AMC"
    claimed: Decimal | None
    state: str
    paid: Decimal | None
    amc_number: str = ""
    member_id: str = ""

    @property
    def state_label(self) -> str:
        return labels.PAYMENT_STATE.get(self.state, f"état inconnu « {self.state} »")


@dataclass(frozen=True)
class Act:
    """``210`` act line or ``220`` hospital-fee line (``prescription_date`` is ``None`` for 220).

    ``coefficient_raw`` is the 5-digit field as an integer; its scale is not
    documented. ``coefficient`` assumes hundredths (``00100`` = 1), as the demo
    writer does.
    """

    entity: str
    line: int | None
    prescription_date: date | None
    care_date: date | None
    care_end_date: date | None
    unit_price: Decimal | None
    base: Decimal | None
    rate: int | None
    reimbursed: Decimal | None
    nature: str
    nature_complement: str
    quantity: int | None
    coefficient_raw: int | None
    count: int | None
    expense: Decimal | None
    expense_qualifier: str
    amc_rate: int | None
    amc_amount: Decimal | None

    @property
    def coefficient(self) -> Decimal | None:
        return None if self.coefficient_raw is None else Decimal(self.coefficient_raw).scaleb(-2)


@dataclass(frozen=True)
class Reject:
    """A reject or notice: ``290`` (10-character codification, label, line) or ``294`` (4-character
    code, label, level ``F``/``L``/``A``, part ``O``/``C``, act, date, performer, line, rank, info)."""

    entity: str
    code: str
    label: str
    line: int | None
    level: str = ""
    part: str = ""
    nature: str = ""
    care_date: date | None = None
    performer: str = ""
    rank: int | None = None
    info: str = ""


@dataclass(frozen=True)
class Comment:
    """``295`` comment line."""

    code: str
    text: str


@dataclass(frozen=True)
class Retenue:
    """``250`` deduction. ``amount`` is signed (a deduction is negative); ``balance`` unsigned."""

    line: int | None
    debt_reference: str
    debt_date: date | None
    debt_nature: str
    operation: str
    amount: Decimal | None
    balance: Decimal | None
    return_type: str
    offset: int = -1  # where the entity stands in the file (retenues and forfaits in the file's order)


@dataclass(frozen=True)
class ForfaitDetail:
    """``262`` detail of a forfait. ``repr`` masks the NIR and omits the birth date."""

    code: str
    label: str
    nir: str
    nir_key: str
    birth_date: date | None
    birth_rank: str
    period: str
    start: date | None
    end: date | None
    amount: Decimal | None

    def __repr__(self) -> str:
        return (f"ForfaitDetail(code={self.code!r}, label={self.label!r}, nir={mask_nir(self.nir)!r}, "
                f"period={self.period!r}, start={self.start!r}, end={self.end!r}, amount={self.amount!r})")


@dataclass(frozen=True)
class Forfait:
    """``261`` one-off or flat-rate payment and the ``262`` details that follow it.

    ``code`` is ``None`` and ``amount`` ``None`` for details found without a 261.
    """

    code: str | None
    amount: Decimal | None
    details: tuple[ForfaitDetail, ...]
    return_type: str
    offset: int = -1  # where its 261 stands in the file


@dataclass(frozen=True)
class Control:
    """``990`` control entity: which level it closes, count, signed sum."""

    level_id: str
    count: int | None
    total: Decimal | None


@dataclass(frozen=True)
class Skipped:
    """An entity that was not decoded: unknown type, malformed, or out of place.

    The raw text is not kept (it may hold personal data).
    """

    entity_type: str
    offset: int  # 0-based position in the decompressed text
    length: int
    reason: str  # French
