"""One parser per NOEMIE entity type: raw fixed-width text → record (layout §2).

Each parser receives a :class:`~cpambot.understanding.decode._framing.Reader` positioned after
the type and the niveau de rupture (which is not used, layout §1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from cpambot.understanding.decode._framing import Reader
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

#: Total width of each entity type, ``@`` included (layout §2, quick index).
WIDTHS = {
    "000": 128, "010": 14, "020": 21, "040": 21, "070": 12, "071": 86, "080": 15, "081": 22,
    "100": 15, "102": 40, "103": 152, "110": 88, "120": 57, "150": 8, "160": 23, "198": 24,
    "199": 49, "210": 118, "220": 118, "250": 47, "261": 19, "262": 134, "290": 98, "294": 153,
    "295": 135, "990": 43, "999": 128,
}

_NIR = re.compile(r"[12378]\d{4}(?:\d{2}|2[AB])\d{6}")


def nir_key_ok(nir: str, key: str) -> bool | None:
    """Check a NIR key (97 − NIR mod 97, Corsica 2A → 19, 2B → 18); ``None`` when not checkable."""
    nir = nir.upper()
    if not _NIR.fullmatch(nir) or not (key.isascii() and key.isdigit() and len(key) == 2):
        return None
    digits = nir[:5] + {"2A": "19", "2B": "18"}.get(nir[5:7], nir[5:7]) + nir[7:]
    return 97 - int(digits) % 97 == int(key)


def _state(r: Reader, label: str) -> str:
    state = r.code(1)
    if state not in ("P", "R", "D", ""):
        r.report(f"{r.where} : état de paiement « {state} » inconnu pour la {label}")
    return state


def payment_070(r: Reader) -> Payment:
    return Payment("070", r.date("Date de la journée comptable"))


def payment_071(r: Reader) -> Payment:
    return Payment("071", r.date("Date du virement"), r.text(32), r.text(32), r.text(10))


def payee(r: Reader) -> Payee:
    etype = r.raw[:3]
    if etype == "010":
        return Payee(etype, r.code(7) + r.code(1))
    return Payee(etype, r.code(15))


def lot_080(r: Reader) -> tuple[date | None, str]:
    lot_date = r.date("Date de constitution du lot")
    number = r.code(3)
    if not (number.isascii() and number.isdigit()):
        r.report(f"{r.where} : numéro de lot « {number} » non numérique")
    return lot_date, number


def return_type_081(r: Reader) -> ReturnType:
    code, place = r.code(2), r.text(14)
    if code not in ("01", "02", "03", "04", "05"):
        r.report(f"{r.where} : type de retour « {code} » inconnu")
    return ReturnType(code, place)


def invoice_100(r: Reader) -> dict[str, object]:
    return {"number": r.code(9), "short_form": True}


def invoice_102(r: Reader) -> dict[str, object]:
    return {"number": r.code(9), "complement": r.code(6), "lot_number": r.code(3),
            "lot_date": r.date("Date de création du lot"), "invoice_type": r.code(1),
            "billing_date": r.date("Date de facturation"), "amc_processing": r.code(1),
            "insurance_nature": r.code(2), "short_form": False}


def insured_103(r: Reader) -> Insured:
    nir, key = r.code(13), r.code(2)
    names = (r.text(25), r.text(25), r.text(15))
    ben_nir, ben_key = r.code(13), r.code(2)
    birth = r.date("Date de naissance", birth=True)
    rank, ben_name, ben_first = r.code(1), r.text(25), r.text(15)
    ok = nir_key_ok(nir, key)
    ben_ok = nir_key_ok(ben_nir, ben_key) if ben_nir else True
    if ok is False or ben_ok is False:
        r.report(f"{r.where} : clé du numéro de sécurité sociale incorrecte")
    elif ok is None:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé illisible")
    return Insured("103", nir, key, *names, ben_nir, ben_key, birth, rank, ben_name, ben_first,
                   r.code(4), None if ok is None else bool(ok and ben_ok))


def insured_110(r: Reader) -> Insured:
    nir, key = r.code(13), r.code(2)
    r.skip(1)  # kind of name (P/M/U)
    surname = r.text(25)
    r.skip(26)
    ok = nir_key_ok(nir, key)
    if not ok:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé incorrect(e)")
    return Insured("110", nir, key, surname, "", r.text(15), "", "", None, "", "", "", "", ok)


def patient_120(r: Reader) -> Patient:
    return Patient(r.date("Date de naissance du bénéficiaire", birth=True), r.code(1), r.text(25),
                   r.text(15), r.code(4))


def part(r: Reader) -> Part:
    kind = "AMO" if r.raw[:3] == "198" else "AMC"
    claimed = r.amount(8, f"Montant {kind} demandé")
    state = _state(r, f"part {kind}")
    paid = r.amount(8, f"Montant {kind} payé", signed=True)
    if kind == "AMO":
        return Part(kind, claimed, state, paid)
    return Part(kind, claimed, state, paid, r.code(10), r.code(15))


def act(r: Reader) -> Act:
    is_210 = r.raw[:3] == "210"
    line = r.number(2, "N° de ligne")
    r.skip(2 + 1 + 2 + 3)  # management code, exemption, processing mode, discipline
    prescription = r.date("Date de prescription") if is_210 else None
    care, care_end = r.date("Date des soins"), r.date("Date de fin de soins")
    unit_price, base = r.amount(8, "Prix unitaire"), r.amount(8, "Base de remboursement")
    rate = r.number(3, "Taux de remboursement")
    reimbursed = r.amount(8, "Montant remboursé", signed=True)
    nature, complement = r.text(3).strip(), r.code(2)
    quantity, coefficient = r.number(3, "Quantité d'actes"), r.number(5, "Coefficient de l'acte")
    count, expense = r.number(3, "Dénombrement des actes"), r.amount(8, "Montant de la dépense")
    qualifier = r.code(2)
    r.skip((0 if is_210 else 6) + 3 + 8)  # hospital fields (220), Alsace-Moselle rate and amount
    amc_rate, amc_amount = r.number(3, "Taux part complémentaire"), r.amount(8, "Montant part complémentaire")
    return Act(r.raw[:3], line, prescription, care, care_end, unit_price, base, rate, reimbursed, nature,
               complement, quantity, coefficient, count, expense, qualifier, amc_rate, amc_amount)


def retenue_250(r: Reader, return_type: str) -> Retenue:
    line, reference = r.number(2, "Numéro de ligne"), r.text(10).strip()
    recorded = r.date("Date d'enregistrement de la dette")
    return Retenue(line, reference, recorded, r.code(3), r.code(3),
                   r.amount(8, "Montant du mouvement financier", signed=True),
                   r.amount(8, "Montant du solde d'une dette"), return_type)


def forfait_261(r: Reader) -> tuple[str, Decimal | None]:
    return r.code(5), r.amount(8, "Montant du paiement forfaitaire")


def forfait_detail_262(r: Reader) -> ForfaitDetail:
    code, label, nir, key = r.code(5), r.text(80), r.code(13), r.code(2)
    birth, rank, period = r.date("Date de naissance", birth=True), r.code(1), r.code(1)
    start, end = r.date("Date début période"), r.date("Date fin période")
    if nir and nir_key_ok(nir, key) is not True:
        r.report(f"{r.where} : numéro de sécurité sociale ou clé incorrect(e)")
    return ForfaitDetail(code, label, nir, key, birth, rank, period, start, end, r.amount(8, "Montant"))


def reject_290(r: Reader) -> Reject:
    line = r.number(2, "N° de ligne")
    return Reject("290", r.code(10), r.text(80).strip(), line)


def reject_294(r: Reader) -> Reject:
    code, label, level, part_ = r.code(4), r.text(86).strip(), r.code(1), r.code(1)
    if level not in ("F", "L", "A"):
        r.report(f"{r.where} : niveau de rejet « {level} » inconnu")
    if part_ not in ("O", "C"):
        r.report(f"{r.where} : part concernée « {part_} » inconnue")
    nature, care, performer = r.code(5), r.date("Date des soins"), r.code(9)
    line, rank = r.number(3, "N° de ligne"), r.number(2, "Rang du rejet")
    return Reject("294", code, label, line, level, part_, nature, care, performer, rank, r.text(30).strip())


def comment_295(r: Reader) -> Comment:
    return Comment(r.code(1), r.text(128).strip())


def control_990(r: Reader) -> Control:
    return Control(r.text(17).strip(), r.number(8, "Compteur du niveau inférieur"),
                   r.amount(11, "Cumul des montants", signed=True))


#: Parsers taking only a reader (the others need context and are called by the grouping code).
SIMPLE: dict[str, Callable[[Reader], object]] = {
    "010": payee, "020": payee, "040": payee, "070": payment_070, "071": payment_071,
    "081": return_type_081, "100": invoice_100, "102": invoice_102, "103": insured_103,
    "110": insured_110, "120": patient_120, "198": part, "199": part, "210": act, "220": act,
    "150": lambda r: r.code(2), "160": lambda r: r.code(17),
    "262": forfait_detail_262, "290": reject_290, "294": reject_294, "295": comment_295,
    "990": control_990,
}
