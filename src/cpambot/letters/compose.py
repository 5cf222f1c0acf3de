"""The text of a letter: what it needs from the case and the configuration, then its rendering."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from cpambot import labels
from cpambot.cases import deadlines as dl
from cpambot.cases.model import Case, CaseType
from cpambot.config.model import Caisse, Professional
from cpambot.errors import InvalidValueError
from cpambot.instants import as_date
from cpambot.letters.model import LETTER_PURPOSE, Letter, LetterPlan, MissingInfo
from cpambot.letters.plan import case_deadline
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
    if kind == "reclamation" and case.type is CaseType.RETENUE:
        return "reclamation_retenue"
    return kind


def _reject_label(case: Case) -> str | None:
    """The caisse's libellé, from the status ("rejetée : Facture déjà payée")."""
    status = case.status
    return status.split(" : ", 1)[1].strip() if " : " in status else None


def _history_label(case: Case, kind: str) -> str | None:
    """The « label » of the last fact of ``kind`` (the cause of an indu, for instance)."""
    for entry in reversed(case.history):
        if entry.kind == kind:
            found = re.search(r"« (.+) »", entry.text)
            return found.group(1) if found else None
    return None


def _act_line(act: Any) -> str:
    if isinstance(act, dict):
        return " – ".join(str(act[k]).strip() for k in ("date", "act", "amount", "reason")
                          if act.get(k) not in (None, ""))
    return str(act).strip()


def _case_object(case: Case) -> str:
    """What the case is about, in a French phrase ("la facture n° 000012345 (lot n° 042)")."""
    ctype, lot, invoice, ref = case.type, case.lot, case.invoice, case.reference
    if invoice:
        return f"la facture n° {invoice}" + (f" (lot n° {lot})" if lot else "")
    if lot and ctype in ("unpaid_lot", "lot_watch", "refused_lot", "invoice"):
        return f"le lot n° {lot}"
    if ctype == "indu" and ref:
        return f"l'indu réf. {ref}"
    if ctype == "retenue":
        when = case.dated("retenue")
        return "une retenue sur mes paiements" + (f" du {when:%d/%m/%Y}" if when else "")
    if ref:
        return f"le dossier réf. {ref}"
    return f"mon dossier (réf. cpambot {case.id or '?'})"


def _postal_missing(purpose: str, caisse: Caisse | None) -> str | None:
    """What is missing to post a letter of ``purpose``: the caisse's postal address for it."""
    if caisse is not None and caisse.postal.get(purpose):
        return None
    code = caisse.code if caisse is not None else "?"
    return f"adresse postale « {purpose} » de la caisse {code} (config [[caisses]] adresses_postales)"


def _address(purpose: str, caisse: Caisse | None, case: Case | None) -> tuple[str | None, str | None]:
    """(address, missing French text) for ``purpose``: never a fallback on another purpose."""
    code = (case.caisse if case is not None else caisse.code if caisse is not None else None) or "?"
    if caisse is not None and caisse.addresses.get(purpose):
        return caisse.addresses[purpose], None
    if purpose == "amc":
        is_amc = case is not None and case.type is CaseType.AMC
        who = (f"de l'organisme complémentaire {code}" if is_amc
               else f"de la complémentaire de la facture {(case.invoice if case else None) or '?'}")
        return None, f"adresse « amc » {who} (config [[caisses]] adresses)"
    if caisse is None:
        return None, (f"adresse « {purpose} » de la caisse {code} (config : ajoutez un bloc "
                      f"[[caisses]] avec code = \"{code}\" et ses adresses)")
    return None, f"adresse « {purpose} » de la caisse {caisse.code} (config [[caisses]] adresses)"


def _common(professional: Professional, caisse: Caisse | None, ref: str,
            today: date | None) -> dict[str, Any]:
    return {
        "pro": professional,
        "profession": labels.profession_signed(professional.profession, professional.civilite),
        "pro_telephone": professional.telephone,
        "ref": ref,
        "today": today,
        "caisse_name": caisse.name if caisse is not None else None,
    }


def letter_context(kind: str, case: Case, professional: Professional, caisse: Caisse | None,
                   today: date) -> dict[str, Any]:
    """Everything a letter template may use, every key present (None when unknown)."""
    dates = case.dates
    billing = case.billing or {}
    insured = billing.get("insured_name")
    patient = billing.get("patient_name")
    patient_differs = bool(patient and patient != insured)
    acts = [line for line in (_act_line(a) for a in billing.get("acts") or ()) if line]
    arl = dates.get("arl")
    cal = dl.WorkCalendar(case.caisse)
    is_indu = case.type is CaseType.INDU
    cra = case_deadline(case, "cra_referral") if is_indu else None
    observations = case_deadline(case, "observations") if is_indu else None
    reclamation_sent = dates.get("reclamation_sent")
    weeks_without_answer = (today - reclamation_sent).days // 7 if reclamation_sent else None
    care_dates = sorted({d for d in (as_date(x) for x in billing.get("care_dates") or ()) if d})
    ctx = _common(professional, caisse, case.id or "?", today)
    ctx.update({
        "kind": kind,
        "case_type": case.type,
        "variant": case.type,
        "lot": case.lot,
        "invoice": case.invoice,
        "reference": case.reference,
        "amount": case.amount,
        "status": case.status or None,
        "reject_code": case.reject_code,
        "reject_label": _reject_label(case),
        "retenue_label": _history_label(case, "retenue") if case.type is CaseType.RETENUE else None,
        "case_object": _case_object(case),
        "family": case.family,
        "part": case.part,
        "operator": case.caisse if case.type is CaseType.AMC else None,
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
        "unpaid_since": dates.get("unpaid_since"),
        "relance1_sent": dates.get("relance1_sent"),
        "relance2_sent": dates.get("relance2_sent"),
        "retenue_date": dates.get("retenue"),
        "notified": dates.get("notified"),
        "details_date": dates.get("details"),
        "late_motivation": "motivation_tardive" in case.flags,
        "indu_cause": _history_label(case, "indu_notified") if is_indu else None,
        "cra_due": cra.due if cra else None,
        "cra_in_time": cra is not None and today <= cra.legal_expiry,
        "observations_due": observations.due if observations else None,
        "scor_reference": case.scor_reference,
        "scor_sent": dates.get("scor_sent"),
        "pieces_sent": dates.get("pieces_sent"),
        "reclamation_sent": reclamation_sent,
        "reclamation_acknowledged": dates.get("reclamation_acknowledged"),
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
    if caisse is not None and case.caisse and caisse.code != case.caisse:
        raise InvalidValueError(f"caisse {caisse.code} given for case {case.id} of caisse {case.caisse}")
    purpose = LETTER_PURPOSE[plan.kind]
    channel = caisse.channels.get(purpose, "courriel") if caisse is not None else "courriel"
    if channel == "courrier":
        address, missing_address = None, _postal_missing(purpose, caisse)
    elif channel == "amelipro":
        address, missing_address = None, None
    else:
        address, missing_address = _address(purpose, caisse, case)
    ctx = letter_context(plan.kind, case, professional, caisse, today)
    missing = _missing_fields(requirement_set(plan.kind, case), ctx)
    if missing_address:
        missing.insert(0, missing_address)
    if missing:
        return MissingInfo(kind=plan.kind, case_key=plan.case_key, step=plan.step, missing=tuple(missing))
    subject, body = render(f"{plan.kind}.txt.j2", ctx)
    if channel in ("amelipro", "courrier"):  # (no e-mail address: she files it, or posts the bot's PDF)
        return Letter(kind=plan.kind, to=(), subject=subject, body=body, channel=channel)
    assert address is not None
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
    address will do: the télétransmission (flux) address is not a fallback. A caisse whose
    annulations go through amelipro (``[caisses.canaux] annulation = "amelipro"``) gets the same text,
    for her to file there; by post is refused when the configuration is read (too slow)."""
    ctx = _common(professional, caisse, case_ref, today)
    ctx.update({"lot": _digits(lot, 3), "invoice": _digits(invoice, 9),
                "motif": (motif or "").strip() or None, "transmitted_on": transmitted_on,
                "same_day": today is not None and transmitted_on == today})
    missing = _missing_fields("annulation", ctx)
    address: str | None
    missing_address: str | None
    amelipro = caisse is not None and caisse.channels.get("annulation") == "amelipro"
    if caisse is None:
        address, missing_address = None, ("caisse destinataire de l'annulation (config : bloc [[caisses]] "
                                          "avec son adresse « annulation »)")
    elif amelipro:
        address, missing_address = None, None
    else:
        address, missing_address = _address("annulation", caisse, None)
    if missing_address:
        missing.insert(0, missing_address)
    if missing:
        return MissingInfo(kind="annulation", case_key=case_ref, step="annulation", missing=tuple(missing))
    subject, body = render("annulation.txt.j2", ctx)
    if amelipro:  # (she files it on amelipro herself, the same day)
        return Letter(kind="annulation", to=(), subject=subject, body=body, channel="amelipro")
    assert address is not None
    return Letter(kind="annulation", to=(address,), subject=subject, body=body)
