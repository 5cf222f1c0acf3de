"""The text of a letter: what it needs from the case and the configuration, then its rendering."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from cpambot import labels
from cpambot.cases import deadlines as dl
from cpambot.config.model import Caisse, Professional
from cpambot.errors import InvalidValueError
from cpambot.letters.model import LETTER_PURPOSE, Letter, LetterPlan, MissingInfo
from cpambot.letters.plan import Case, as_date, case_dates, case_deadline
from cpambot.letters.render import render

LEGAL_PAYMENT_WORKING_DAYS = 7  # D161-13-3 CSS (what the letters cite; the watch uses the settings)



# (context key, French name of the missing information). Checked before rendering: an empty
# value gives a MissingInfo, never a letter with a hole.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "reclamation": (
        ("pro_telephone", "votre numéro de téléphone (config [professionnel] telephone)"),
        ("nir", "NIR de l'assuré"),
        ("beneficiary", "nom et prénom du bénéficiaire des soins"),
        ("invoice", "n° de facture"),
        ("lot", "n° de lot"),
        ("transmitted_on", "date de télétransmission du lot"),
        ("care_dates", "date(s) des soins"),
        ("care_nature", "nature des soins (actes facturés)"),
        ("amount", "montant de la facture"),
    ),
    "reclamation_retenue": (
        ("amount", "montant de la retenue"),
        ("retenue_date", "date de la retenue"),
    ),
    "relance1": (("lot", "n° de lot"), ("arl", "date de l'ARL positif du lot")),
    "relance2": (("lot", "n° de lot"), ("arl", "date de l'ARL positif du lot"),
                 ("relance1_sent", "date d'envoi de la 1re relance")),
    "mise_en_demeure": (("lot", "n° de lot"), ("arl", "date de l'ARL positif du lot"),
                        ("relance1_sent", "date d'envoi de la 1re relance"),
                        ("relance2_sent", "date d'envoi de la 2e relance")),
    "indu_explication": (("reference", "référence de la notification d'indu"),
                         ("notified", "date de la notification d'indu")),
    "saisine_cra": (("reference", "référence de la notification d'indu"),
                    ("notified", "date de la notification d'indu"),
                    ("amount", "montant de l'indu contesté")),
    "saisine_conciliateur": (("reclamation_sent", "date d'envoi de la réclamation restée sans réponse"),),
    "relance_amc": (("invoice", "n° de facture"),),
    "annulation": (("lot", "n° de lot (3 chiffres)"), ("invoice", "n° de facture (9 chiffres)"),
                   ("transmitted_on", "date de télétransmission du lot"),
                   ("motif", "motif de l'annulation")),
}


def requirement_set(kind: str, case: Case) -> str:
    """The key of :data:`REQUIRED` for ``kind`` on this case (réclamations have two shapes)."""
    if kind == "reclamation" and case.get("type") == "retenue":
        return "reclamation_retenue"
    return kind


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _reject_label(case: Case) -> str | None:
    """The caisse's libellé, from the status ("rejetée : Facture déjà payée")."""
    status = case.get("status") or ""
    return status.split(" : ", 1)[1].strip() if " : " in status else None


def _history_label(case: Case, kind: str) -> str | None:
    """The « label » of the last fact of ``kind`` (the cause of an indu, for instance)."""
    for entry in reversed(case.get("history") or ()):
        if entry.get("kind") == kind:
            found = re.search(r"« (.+) »", entry.get("text") or "")
            return found.group(1) if found else None
    return None


def _act_line(act: Any) -> str:
    if isinstance(act, dict):
        return " – ".join(str(act[k]).strip() for k in ("date", "act", "amount", "reason")
                          if act.get(k) not in (None, ""))
    return str(act).strip()


def _case_object(case: Case) -> str:
    """What the case is about, in a French phrase ("la facture n° 000012345 (lot n° 042)")."""
    ctype, lot, invoice, ref = case.get("type"), case.get("lot"), case.get("invoice"), case.get("reference")
    if invoice:
        return f"la facture n° {invoice}" + (f" (lot n° {lot})" if lot else "")
    if lot and ctype in ("unpaid_lot", "lot_watch", "refused_lot", "invoice"):
        return f"le lot n° {lot}"
    if ctype == "indu" and ref:
        return f"l'indu réf. {ref}"
    if ctype == "retenue":
        when = as_date(case_dates(case).get("retenue"))
        return "une retenue sur mes paiements" + (f" du {when:%d/%m/%Y}" if when else "")
    if ref:
        return f"le dossier réf. {ref}"
    return f"mon dossier (réf. cpambot {case.get('id') or '?'})"


def _address(purpose: str, caisse: Caisse | None, case: Case) -> tuple[str | None, str | None]:
    """(address, missing French text) for ``purpose``: never a fallback on another purpose."""
    code = case.get("caisse") or "?"
    if caisse is not None and caisse.addresses.get(purpose):
        return caisse.addresses[purpose], None
    if purpose == "amc":
        who = (f"de l'organisme complémentaire {code}" if case.get("type") == "amc"
               else f"de la complémentaire de la facture {case.get('invoice') or '?'}")
        return None, f"adresse « amc » {who} (config [[caisses]] adresses)"
    if caisse is None:
        return None, (f"adresse « {purpose} » de la caisse {code} (config : ajoutez un bloc "
                      f"[[caisses]] avec code = \"{code}\" et ses adresses)")
    return None, f"adresse « {purpose} » de la caisse {caisse.code} (config [[caisses]] adresses)"


def _common(professional: Professional, caisse: Caisse | None, ref: str,
            today: date | None) -> dict[str, Any]:
    return {
        "pro": professional,
        "profession": labels.PROFESSION.get(professional.profession, labels.PROFESSION["autre"]),
        "pro_telephone": professional.telephone,
        "ref": ref,
        "today": today,
        "caisse_name": caisse.name if caisse is not None else None,
    }


def letter_context(kind: str, case: Case, professional: Professional, caisse: Caisse | None,
                   today: date) -> dict[str, Any]:
    """Everything a letter template may use, every key present (None when unknown)."""
    dates = case_dates(case)
    billing = case.get("billing") or {}
    insured = billing.get("insured_name")
    patient = billing.get("patient_name")
    patient_differs = bool(patient and patient != insured)
    acts = [line for line in (_act_line(a) for a in billing.get("acts") or ()) if line]
    arl = as_date(dates.get("arl"))
    cal = dl.WorkCalendar(case.get("caisse"))
    cra = case_deadline(case, "cra_referral") if case.get("type") == "indu" else None
    observations = case_deadline(case, "observations") if case.get("type") == "indu" else None
    reclamation_sent = as_date(dates.get("reclamation_sent"))
    weeks_without_answer = (today - reclamation_sent).days // 7 if reclamation_sent else None
    care_dates = sorted({d for d in (as_date(x) for x in billing.get("care_dates") or ()) if d})
    ctx = _common(professional, caisse, case.get("id") or "?", today)
    ctx.update({
        "kind": kind,
        "case_type": case.get("type"),
        "variant": "retenue" if case.get("type") == "retenue" else case.get("type"),
        "lot": case.get("lot"),
        "invoice": case.get("invoice"),
        "reference": case.get("reference"),
        "amount": _amount(case.get("amount")),
        "status": case.get("status") or None,
        "reject_code": case.get("reject_code"),
        "reject_label": _reject_label(case),
        "retenue_label": _history_label(case, "retenue") if case.get("type") == "retenue" else None,
        "case_object": _case_object(case),
        "family": case.get("family"),
        "part": case.get("part"),
        "operator": case.get("caisse") if case.get("type") == "amc" else None,
        # patient data (health data: only the réclamation prints them in full)
        "nir": billing.get("nir"),
        "insured_name": insured,
        "beneficiary": patient or insured,
        "patient_differs": patient_differs,
        "patient_name": patient if patient_differs else None,
        "patient_birth_date": as_date(billing.get("patient_birth_date")) if patient_differs else None,
        "care_dates": care_dates,
        "acts": acts,
        "care_nature": billing.get("care_nature") or (", ".join(acts) if acts else None),
        "transmitted_on": as_date(billing.get("transmitted_on")) or as_date(billing.get("lot_date")),
        "billing_date": as_date(billing.get("billing_date")),
        # dates of the case
        "arl": arl,
        "payment_due": dl.payment_watch(arl, cal, LEGAL_PAYMENT_WORKING_DAYS).due if arl else None,
        "unpaid_since": as_date(dates.get("unpaid_since")),
        "relance1_sent": as_date(dates.get("relance1_sent")),
        "relance2_sent": as_date(dates.get("relance2_sent")),
        "retenue_date": as_date(dates.get("retenue")),
        "notified": as_date(dates.get("notified")),
        "details_date": as_date(dates.get("details")),
        "late_motivation": "motivation_tardive" in (case.get("flags") or ()),
        "indu_cause": _history_label(case, "indu_notified") if case.get("type") == "indu" else None,
        "cra_due": cra.due if cra else None,
        "cra_in_time": cra is not None and today <= cra.legal_expiry,
        "observations_due": observations.due if observations else None,
        "scor_reference": case.get("scor_reference"),
        "scor_sent": as_date(dates.get("scor_sent")),
        "pieces_sent": as_date(dates.get("pieces_sent")),
        "reclamation_sent": reclamation_sent,
        "reclamation_acknowledged": as_date(dates.get("reclamation_acknowledged")),
        "weeks_without_answer": weeks_without_answer,
    })
    return ctx


def _missing_fields(requirements: str, ctx: dict[str, Any]) -> list[str]:
    missing = [label for key, label in REQUIRED[requirements] if ctx.get(key) in (None, "", [], ())]
    if requirements == "reclamation" and ctx.get("patient_differs") and not ctx.get("patient_birth_date"):
        missing.append("date de naissance du patient (il n'est pas l'assuré)")
    return missing


def build_letter(plan: LetterPlan, case: Case, professional: Professional, caisse: Caisse | None,
                 today: date) -> Letter | MissingInfo:
    """The letter ``plan`` asks for, or what is missing to write it.

    ``caisse`` is the configuration of the case's caisse (None when not configured); the
    recipient is its address for the purpose of the letter kind (:data:`LETTER_PURPOSE`), never
    another one.
    """
    if caisse is not None and case.get("caisse") and caisse.code != case["caisse"]:
        raise InvalidValueError(f"caisse {caisse.code} given for case {case.get('id')} "
                                f"of caisse {case['caisse']}")
    purpose = LETTER_PURPOSE[plan.kind]
    address, missing_address = _address(purpose, caisse, case)
    ctx = letter_context(plan.kind, case, professional, caisse, today)
    missing = _missing_fields(requirement_set(plan.kind, case), ctx)
    if missing_address:
        missing.insert(0, missing_address)
    if missing:
        return MissingInfo(kind=plan.kind, case_key=plan.case_key, step=plan.step, missing=tuple(missing))
    assert address is not None
    subject, body = render(f"{plan.kind}.txt.j2", ctx)
    return Letter(kind=plan.kind, to=(address,), subject=subject, body=body)


def _digits(value: str | None, width: int) -> str | None:
    """Digits padded to ``width`` ("42" → "042"); None when not 1..width digits."""
    text = (value or "").strip()
    return text.zfill(width) if re.fullmatch(rf"\d{{1,{width}}}", text) else None


def annulation_letter(professional: Professional, caisse: Caisse | None, *, lot: str | None,
                      invoice: str | None, motif: str | None, transmitted_on: date | None,
                      case_ref: str, today: date | None = None) -> Letter | MissingInfo:
    """The "URGENT / ANNULATION DE FACTURE" e-mail (CPAM Gironde procedure: same day, with the
    identification number, the lot and invoice numbers). Only the caisse's « annulation »
    address will do: the télétransmission (flux) address is not a fallback."""
    ctx = _common(professional, caisse, case_ref, today)
    ctx.update({"lot": _digits(lot, 3), "invoice": _digits(invoice, 9),
                "motif": (motif or "").strip() or None, "transmitted_on": transmitted_on,
                "same_day": today is not None and transmitted_on == today})
    missing = _missing_fields("annulation", ctx)
    address: str | None
    missing_address: str | None
    if caisse is None:
        address, missing_address = None, ("caisse destinataire de l'annulation (config : bloc [[caisses]] "
                                          "avec son adresse « annulation »)")
    else:
        address, missing_address = _address("annulation", caisse, {"caisse": caisse.code})
    if missing_address:
        missing.insert(0, missing_address)
    if missing:
        return MissingInfo(kind="annulation", case_key=case_ref, step="annulation", missing=tuple(missing))
    assert address is not None
    subject, body = render("annulation.txt.j2", ctx)
    return Letter(kind="annulation", to=(address,), subject=subject, body=body)
