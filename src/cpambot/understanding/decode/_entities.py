"""One parser per NOEMIE entity type: raw fixed-width text → record (layout §2).

Each parser receives a :class:`~cpambot.understanding.decode._framing.Reader` bound to the
entity's :class:`~cpambot.understanding.decode.layout.EntityLayout` and reads its fields by
name; widths and offsets come from that one table. The niveau de rupture is not used
(layout §1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cpambot.understanding.decode._framing import Reader
from cpambot.understanding.decode.layout import REJECT_LEVELS, REJECT_PARTS, RETURN_TYPES
from cpambot.understanding.decode.records import (
    Act,
    Comment,
    Control,
    ForfaitDetail,
    Insured,
    Part,
    Patient,
    Payee,
    Payment,
    Reject,
    Retenue,
    ReturnType,
)

_NIR = re.compile(r"[12378]\d{4}(?:\d{2}|2[AB])\d{6}")


def nir_key_ok(nir: str, key: str) -> bool | None:
    """Check a NIR key (97 − NIR mod 97, Corsica 2A → 19, 2B → 18); ``None`` when not checkable."""
    nir = nir.upper()
    if not _NIR.fullmatch(nir) or not (key.isascii() and key.isdigit() and len(key) == 2):
        return None
    digits = nir[:5] + {"2A": "19", "2B": "18"}.get(nir[5:7], nir[5:7]) + nir[7:]
    return 97 - int(digits) % 97 == int(key)


@dataclass(frozen=True)
class InvoiceHead:
    """What an invoice entity says: ``100`` (number only, ``short_form``) or ``102``."""

    number: str
    short_form: bool
    complement: str = ""
    lot_number: str = ""
    lot_date: date | None = None
    invoice_type: str = ""
    billing_date: date | None = None
    amc_processing: str = ""
    insurance_nature: str = ""


def _state(r: Reader, label: str) -> str:
    state = r.code("state")
    if not r.layout.field("state").allows(state):
        r.report(f"{r.where} : état de paiement « {state} » inconnu pour la {label}")
    return state


def payment_070(r: Reader) -> Payment:
    return Payment("070", r.date("accounting_date"))


def payment_071(r: Reader) -> Payment:
    return Payment("071", r.date("date"), r.text("label1"), r.text("label2"), r.text("payer"))


def payee(r: Reader) -> Payee:
    etype = r.layout.type
    if etype == "010":
        return Payee(etype, r.code("amc_number") + r.code("amc_key"))
    return Payee(etype, r.code("payee_number"))


def lot_080(r: Reader) -> tuple[date | None, str]:
    lot_date = r.date("lot_date")
    number = r.code("lot_number")
    if not (number.isascii() and number.isdigit()):
        r.report(f"{r.where} : numéro de lot « {number} » non numérique")
    return lot_date, number


def return_type_081(r: Reader) -> ReturnType:
    code, place = r.code("return_type"), r.text("place")
    if code not in RETURN_TYPES:
        r.report(f"{r.where} : type de retour « {code} » inconnu")
    return ReturnType(code, place)


def invoice_100(r: Reader) -> InvoiceHead:
    return InvoiceHead(number=r.code("invoice_number"), short_form=True)


def invoice_102(r: Reader) -> InvoiceHead:
    return InvoiceHead(number=r.code("invoice_number"), complement=r.code("complement"),
                       lot_number=r.code("lot_number"), lot_date=r.date("lot_date"),
                       invoice_type=r.code("invoice_type"), billing_date=r.date("billing_date"),
                       amc_processing=r.code("amc_processing"), insurance_nature=r.code("insurance_nature"),
                       short_form=False)


def insured_103(r: Reader) -> Insured:
    nir, key = r.code("nir"), r.code("nir_key")
    names = (r.text("birth_surname"), r.text("usage_surname"), r.text("first_name"))
    ben_nir, ben_key = r.code("beneficiary_nir"), r.code("beneficiary_nir_key")
    birth = r.date("birth_date", birth=True)
    rank, ben_name = r.code("birth_rank"), r.text("beneficiary_name")
    ben_first = r.text("beneficiary_first_name")
    ok = nir_key_ok(nir, key)
    ben_ok = nir_key_ok(ben_nir, ben_key) if ben_nir else True
    if ok is False or ben_ok is False:
        r.report(f"{r.where} : clé du numéro de sécurité sociale incorrecte")
    elif ok is None:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé illisible")
    return Insured("103", nir, key, *names, ben_nir, ben_key, birth, rank, ben_name, ben_first,
                   r.code("management_unit"), None if ok is None else bool(ok and ben_ok))


def insured_110(r: Reader) -> Insured:
    nir, key = r.code("nir"), r.code("nir_key")
    surname = r.text("surname")  # the kind of name (P/M/U) is not kept
    ok = nir_key_ok(nir, key)
    if not ok:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé incorrect(e)")
    return Insured("110", nir, key, surname, "", r.text("first_name"), "", "", None, "", "", "", "", ok)


def patient_120(r: Reader) -> Patient:
    return Patient(r.date("birth_date", birth=True), r.code("rank"), r.text("surname"),
                   r.text("first_name"), r.code("management_unit"))


def part(r: Reader) -> Part:
    kind = "AMO" if r.layout.type == "198" else "AMC"
    claimed = r.amount("claimed")
    state = _state(r, f"part {kind}")
    paid = r.amount("paid")
    if kind == "AMO":
        return Part(kind, claimed, state, paid)
    return Part(kind, claimed, state, paid, r.code("amc_number"), r.code("member_id"))


def act(r: Reader) -> Act:
    """A ``210`` act line or a ``220`` hospital-fee line (no prescription date)."""
    line = r.number("line")
    prescription = r.date("prescription_date") if r.layout.type == "210" else None
    care, care_end = r.date("care_date"), r.date("care_end_date")
    unit_price, base = r.amount("unit_price"), r.amount("base")
    rate = r.number("rate")
    reimbursed = r.amount("reimbursed")
    nature, complement = r.text("nature").strip(), r.code("nature_complement")
    quantity, coefficient = r.number("quantity"), r.number("coefficient")
    count, expense = r.number("count"), r.amount("expense")
    qualifier = r.code("expense_qualifier")
    amc_rate, amc_amount = r.number("amc_rate"), r.amount("amc_amount")
    return Act(r.layout.type, line, prescription, care, care_end, unit_price, base, rate, reimbursed,
               nature, complement, quantity, coefficient, count, expense, qualifier, amc_rate, amc_amount)


def retenue_250(r: Reader, return_type: str) -> Retenue:
    line, reference = r.number("line"), r.text("debt_reference").strip()
    recorded = r.date("debt_date")
    return Retenue(line, reference, recorded, r.code("debt_nature"), r.code("operation"),
                   r.amount("amount"), r.amount("balance"), return_type)


def forfait_261(r: Reader) -> tuple[str, Decimal | None]:
    return r.code("code"), r.amount("amount")


def forfait_detail_262(r: Reader) -> ForfaitDetail:
    code, label, nir, key = r.code("code"), r.text("label"), r.code("nir"), r.code("nir_key")
    birth, rank, period = r.date("birth_date", birth=True), r.code("birth_rank"), r.code("period")
    start, end = r.date("start"), r.date("end")
    if nir and nir_key_ok(nir, key) is not True:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé incorrect(e)")
    return ForfaitDetail(code, label, nir, key, birth, rank, period, start, end, r.amount("amount"))


def reject_290(r: Reader) -> Reject:
    line = r.number("line")
    return Reject("290", r.code("code"), r.text("label").strip(), line)


def reject_294(r: Reader) -> Reject:
    code, label, level, part_ = r.code("code"), r.text("label").strip(), r.code("level"), r.code("part")
    if level not in REJECT_LEVELS:
        r.report(f"{r.where} : niveau de rejet « {level} » inconnu")
    if part_ not in REJECT_PARTS:
        r.report(f"{r.where} : part concernée « {part_} » inconnue")
    nature, care, performer = r.code("nature"), r.date("care_date"), r.code("performer")
    line, rank = r.number("line"), r.number("rank")
    return Reject("294", code, label, line, level, part_, nature, care, performer, rank,
                  r.text("info").strip())


def comment_295(r: Reader) -> Comment:
    return Comment(r.code("code"), r.text("comment").strip())


def control_990(r: Reader) -> Control:
    return Control(r.text("level_id").strip(), r.number("count"), r.amount("total"))
