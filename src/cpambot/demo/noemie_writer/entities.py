"""One builder per NOEMIE entity type (layout §2), each naming its fields and layout lines."""

from __future__ import annotations

from datetime import date

from cpambot.demo.noemie_writer.fields import entity, money, number_field


def header(*, sender_type: str, sender_number: str | int, recipient_number: str | int,
           file_id: str, created: date, recipient_type: str = "TP",
           reference: str = "0580", version: str = "01", flow_type: str = "R",
           sender_program: str = "", recipient_program: str = "",
           application_type: str = "", compression: str = "", encryption: str = "N",
           password: str = "", message: str = "") -> str:
    """``000`` file header, 128 characters, no ``@`` (layout "000", lines 1–20).

    ``recipient_number`` is the PS number (text, 14): an int is zero-padded.
    ``flow_type``: ``R`` real, ``T`` test, ``D`` demonstration (line 16).
    Record length (line 18) is written as ``128``.
    """
    if isinstance(recipient_number, int):
        recipient_number = number_field(recipient_number, 14, "000 #6 Numéro de destinataire")
    return entity("000", {
        "sender_type": sender_type, "sender_number": sender_number,
        "sender_program": sender_program, "recipient_type": recipient_type,
        "recipient_number": recipient_number, "recipient_program": recipient_program,
        "application_type": application_type, "file_id": file_id, "created": created,
        "reference": reference, "version": version, "compression": compression,
        "encryption": encryption, "currency": "U", "flow_type": flow_type,
        "record_length": 128, "password": password, "message": message,
    })


def date_comptable(accounting_date: date) -> str:
    """``070`` accounting date (layout "070", line 3)."""
    return entity("070", {"accounting_date": accounting_date})


def virement(transfer_date: date, label1: str, label2: str = "", payer: str = "") -> str:
    """``071`` accounting date and bank-transfer reference (layout "071", lines 3–6).

    ``label1``/``label2``: the two 32-character transfer labels; ``payer``:
    paying body (10).
    """
    return entity("071", {"date": transfer_date, "label1": label1, "label2": label2,
                          "payer": payer})


def lot(lot_date: date, lot_number: int, *, niveau: str | None = None) -> str:
    """``080`` lot: date the lot was built (line 3), lot number, 3 digits (line 4)."""
    return entity("080", {"lot_date": lot_date, "lot_number": lot_number}, niveau=niveau)


def return_type(code: str, place: str = "") -> str:
    """``081`` return type (layout "081"): ``code`` from list B (line 3).

    ``01`` electronic invoices, ``02`` paper, ``03`` forfaits (then 261/262),
    ``04`` rappels, ``05`` retenues (then 250); ``place`` (line 4, 14).
    """
    return entity("081", {"return_type": code, "place": place})


def facture_courte(invoice_number: int | str, *, niveau: str | None = None) -> str:
    """``100`` short invoice: invoice number, 9 digits (layout "100", line 3)."""
    return entity("100", {"invoice_number": invoice_number}, niveau=niveau)


def facture(invoice_number: int | str, *, lot_number: int | None = None,
            lot_date: date | None = None, invoice_type: str = "F",
            billing_date: date | None = None, amc_processing: str = " ",
            insurance_nature: str = "", complement: str = "",
            niveau: str | None = None) -> str:
    """``102`` invoice (layout "102", lines 3–10).

    ``invoice_number`` 9 (an int is zero-padded), ``complement`` 6, lot
    number 3 (zero-padded), lot date, invoice type (list C, ``F`` = FSE),
    billing date, AMC processing (list D, space = none), insurance nature (2).
    """
    num = number_field(invoice_number, 9, "102 #3 N° de facture") \
        if isinstance(invoice_number, int) else invoice_number
    lot_txt = None if lot_number is None else number_field(lot_number, 3, "102 #5 N° de lot")
    return entity("102", {
        "invoice_number": num, "complement": complement, "lot_number": lot_txt,
        "lot_date": lot_date, "invoice_type": invoice_type, "billing_date": billing_date,
        "amc_processing": amc_processing, "insurance_nature": insurance_nature,
    }, niveau=niveau)


def assure(*, nir: str, nir_key: str | int, birth_surname: str, first_name: str,
           birth_date: date, birth_rank: int = 1, usage_surname: str = "",
           beneficiary_nir: str | None = None, beneficiary_nir_key: str | int | None = None,
           beneficiary_name: str = "", beneficiary_first_name: str = "",
           management_unit: str | int | None = None, niveau: str | None = None) -> str:
    """``103`` insured person and beneficiary (layout "103", lines 3–14).

    NIR 13 (line 3) + key 2 (line 4), birth surname 25, usage surname 25,
    first name 15, beneficiary NIR 13 + key 2 (lines 8–9, optional), birth
    date and rank (lines 10–11), beneficiary name 25 and first name 15,
    management unit 4 digits.
    """
    return entity("103", {
        "nir": nir, "nir_key": nir_key, "birth_surname": birth_surname,
        "usage_surname": usage_surname, "first_name": first_name,
        "beneficiary_nir": beneficiary_nir, "beneficiary_nir_key": beneficiary_nir_key,
        "birth_date": birth_date, "birth_rank": birth_rank,
        "beneficiary_name": beneficiary_name,
        "beneficiary_first_name": beneficiary_first_name,
        "management_unit": management_unit,
    }, niveau=niveau)


def part_amo(claimed: int, state: str, paid: int = 0, *, niveau: str | None = None) -> str:
    """``198`` AMO part (layout "198"): claimed (line 3, unsigned cents),
    state ``P``/``R``/``D``/space (line 4, list E), paid (line 5) + sign (line 6)."""
    values: dict[str, object] = {"claimed": claimed, "state": state}
    money(values, "paid", "paid_sign", paid, 8)
    return entity("198", values, niveau=niveau)


def part_amc(claimed: int, state: str, paid: int = 0, *, amc_number: int | str,
             member_id: str = "", niveau: str | None = None) -> str:
    """``199`` AMC part (layout "199"): as 198 (lines 3–6) plus the AMC number,
    10 digits (line 7) and the member's id at the AMC, 15 (line 8)."""
    values: dict[str, object] = {"claimed": claimed, "state": state,
                                 "amc_number": amc_number, "member_id": member_id}
    money(values, "paid", "paid_sign", paid, 8)
    return entity("199", values, niveau=niveau)


def acte(*, line: int, nature: str, coefficient: int, care_date: date, unit_price: int,
         base: int, rate: int, reimbursed: int, prescription_date: date | None = None,
         care_end_date: date | None = None, quantity: int = 1, count: int = 1,
         expense: int | None = None, nature_complement: str = "", expense_qualifier: str = "",
         management_code: int = 0, exemption: str = "", processing_mode: int = 0,
         discipline: int = 0, am_rate: int = 0, am_amount: int = 0, amc_rate: int = 0,
         amc_amount: int = 0, amc_base: int = 0, niveau: str | None = None) -> str:
    """``210`` professional act line (layout "210", lines 3–27).

    ``line`` 2 digits; ``nature`` act code 3 (``AMI``, ``AIS``, ``IFD``…);
    ``coefficient`` 5 digits (scale not given by the source; this demo writes
    hundredths, e.g. ``100`` = 1, ``150`` = 1.5 — INVENTED); prices, base and
    amounts in cents; ``rate`` percent (3); ``reimbursed`` is signed (lines
    14–15). ``care_end_date`` defaults to ``care_date``, ``prescription_date``
    to ``care_date``, ``expense`` to ``unit_price * quantity``.
    """
    values: dict[str, object] = {
        "line": line, "management_code": management_code, "exemption": exemption,
        "processing_mode": processing_mode, "discipline": discipline,
        "prescription_date": prescription_date or care_date, "care_date": care_date,
        "care_end_date": care_end_date or care_date, "unit_price": unit_price,
        "base": base, "rate": rate, "nature": nature,
        "nature_complement": nature_complement, "quantity": quantity,
        "coefficient": coefficient, "count": count,
        "expense": unit_price * quantity if expense is None else expense,
        "expense_qualifier": expense_qualifier, "am_rate": am_rate, "am_amount": am_amount,
        "amc_rate": amc_rate, "amc_amount": amc_amount, "amc_base": amc_base,
    }
    money(values, "reimbursed", "sign", reimbursed, 8)
    return entity("210", values, niveau=niveau)


def retenue(*, line: int, debt_reference: str, debt_date: date, amount: int,
            debt_nature: str = "IND", operation: str = "RPR", balance: int | None = 0,
            niveau: str | None = None) -> str:
    """``250`` financial movement — retenue (layout "250", lines 3–10).

    ``debt_reference`` 10, ``debt_nature`` list H (``IND``…), ``operation``
    list I (``RPR``…), ``amount`` signed cents (lines 8–9; a deduction is
    negative), ``balance`` remaining debt, unsigned (line 10).
    """
    values: dict[str, object] = {"line": line, "debt_reference": debt_reference,
                                 "debt_date": debt_date, "debt_nature": debt_nature,
                                 "operation": operation, "balance": balance}
    money(values, "amount", "sign", amount, 8)
    return entity("250", values, niveau=niveau)


def forfait(code: int | str, amount: int, *, niveau: str | None = None) -> str:
    """``261`` one-off or flat-rate payment: code, 5 digits (line 3), amount,
    unsigned cents (line 4)."""
    return entity("261", {"code": code, "amount": amount}, niveau=niveau)


def forfait_detail(*, code: str, label: str, period: str, amount: int,
                   start: date | None = None, end: date | None = None,
                   nir: str | None = None, nir_key: str | int | None = None,
                   birth_date: date | None = None, birth_rank: int | None = None,
                   niveau: str | None = None) -> str:
    """``262`` detail of a forfait (layout "262", lines 3–12): code 5, label
    80, optional NIR 13 + key 2, birth date and rank, period (A/S/T/M/H/P),
    period start/end, amount (unsigned cents)."""
    return entity("262", {"code": code, "label": label, "nir": nir, "nir_key": nir_key,
                          "birth_date": birth_date, "birth_rank": birth_rank,
                          "period": period, "start": start, "end": end, "amount": amount},
                  niveau=niveau)


def rejet(line: int, code: str, label: str, *, niveau: str | None = None) -> str:
    """``290`` reject or notice: line 2 digits (line 3), codification 10
    (line 4), label 80 (line 5)."""
    return entity("290", {"line": line, "code": code, "label": label}, niveau=niveau)


def ligne_rejet(code: str, label: str, *, level: str = "F", part: str = "O",
                nature: str = "", care_date: date | None = None,
                performer: int | str | None = None, line: int | None = None,
                rank: int | None = None, info: str = "", niveau: str | None = None) -> str:
    """``294`` reject line (layout "294", lines 3–12): code 4 (e.g. ``2900``),
    label 86, level ``F``/``L``/``A``, part ``O``/``C``, act nature 5, date of
    care, performer 9 digits, line 3 digits, rank 2 digits, additional info 30."""
    return entity("294", {"code": code, "label": label, "level": level, "part": part,
                          "nature": nature, "care_date": care_date, "performer": performer,
                          "line": line, "rank": rank, "info": info}, niveau=niveau)


def commentaire(comment: str, code: str = "", *, niveau: str | None = None) -> str:
    """``295`` comment line: code 1 (line 3), comment 128 (line 4)."""
    return entity("295", {"code": code, "comment": comment}, niveau=niveau)


def totals(count: int, total: int, level_id: str = "") -> str:
    """``990`` control entity (layout "990", lines 3–6): which level it closes
    (17, free text), lower-level count (8), signed sum (11 + sign)."""
    values: dict[str, object] = {"level_id": level_id, "count": count}
    money(values, "total", "sign", total, 11)
    return entity("990", values)


def trailer(*, sender_type: str, sender_number: str | int, recipient_number: str | int,
            file_id: str, record_count: int, lot_count: int, file_total: int,
            recipient_type: str = "TP", flow_type: str = "R", sender_program: str = "",
            recipient_program: str = "", application_type: str = "",
            other_currency_total: int | None = 0) -> str:
    """``999`` end of file, 128 characters, no ``@`` (layout "999", lines 1–17).

    ``file_total`` is signed (lines 14–15); ``other_currency_total`` unsigned
    (line 16).
    """
    if isinstance(recipient_number, int):
        recipient_number = number_field(recipient_number, 14, "999 #6 Numéro de destinataire")
    values: dict[str, object] = {
        "sender_type": sender_type, "sender_number": sender_number,
        "sender_program": sender_program, "recipient_type": recipient_type,
        "recipient_number": recipient_number, "recipient_program": recipient_program,
        "application_type": application_type, "file_id": file_id,
        "record_count": record_count, "flow_type": flow_type, "lot_count": lot_count,
        "other_currency_total": other_currency_total,
    }
    money(values, "file_total", "file_total_sign", file_total, 11)
    return entity("999", values)
