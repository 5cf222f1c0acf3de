"""Which letters a case needs now, and their text: pure rules, no I/O, ``today`` is a parameter.

:func:`plan_letters` reads a case (the plain dict of :mod:`cpambot.cases.rules`) and says which letters
are due now, as :class:`~cpambot.letters.model.LetterPlan` (the window of each letter is in :data:`RULES`).
:func:`build_letter` turns a plan into a :class:`~cpambot.letters.model.Letter` ready for approval, or a
:class:`~cpambot.letters.model.MissingInfo` listing, in French, what the professional must supply first
(an address of the caisse, the NIR of the insured…): the bot never guesses.
:func:`annulation_letter` writes the same-day "URGENT / ANNULATION DE FACTURE" e-mail of the
``ANNULER`` command.

A step is done when it is in ``sent_steps`` (the draft book) or when the case carries its
date (:data:`DONE_DATES`, e.g. ``dates.relance1_sent``); a done step is never planned again.

Patient data: the full NIR and the patient's identity appear only in the réclamation (the
caisse requires them, CGSS Réunion leaflet); the relance to a complementary shows a masked
NIR; every other letter carries none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from cpambot.cases import deadlines as dl
from cpambot.config.model import Caisse, Professional, RuleSettings
from cpambot.letters.model import LETTER_KINDS, Letter, LetterPlan, MissingInfo
from cpambot.letters.render import render

Case = dict[str, Any]

# --------------------------------------------------------------------------- policy (not law)

CRA_SAFETY_DAYS = 7  # the CRA letter is due one week before the 2-month delay (R142-1 CSS) ends
MISE_EN_DEMEURE_DAYS = (15, 30)  # after the 2nd relance was sent: from, by
RECLAMATION_DAYS = 15  # a réclamation (doublon, retenue) is due within 15 days of the case
RELANCE_AMC_DAYS = 15
CONCILIATEUR_DUE_DAYS = 14  # once the conciliateur may be seized, the letter is due 2 weeks later
LEGAL_PAYMENT_WORKING_DAYS = 7  # D161-13-3 CSS (what the letters cite; the watch uses the settings)

# The case date that records each step as done (set by the outbox or by a caisse's message).
DONE_DATES: dict[str, str] = {
    "relance1": "relance1_sent",
    "relance2": "relance2_sent",
    "mise_en_demeure": "mise_en_demeure_sent",
    "reclamation": "reclamation_sent",
    "indu_explication": "indu_explication_sent",
    "saisine_cra": "cra_referred",
    "saisine_conciliateur": "conciliateur_referred",
    "relance_amc": "relance_amc_sent",
}

PROFESSION_LABELS = {
    "infirmier": "Infirmier(ère) libéral(e)",
    "medecin": "Médecin libéral(e)",
    "kinesitherapeute": "Masseur-kinésithérapeute libéral(e)",
    "sage-femme": "Sage-femme libérale",
    "orthophoniste": "Orthophoniste libéral(e)",
    "orthoptiste": "Orthoptiste libéral(e)",
    "pedicure-podologue": "Pédicure-podologue libéral(e)",
    "autre": "Professionnel(le) de santé libéral(e)",
}


def _d(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _dates(case: Case) -> dict[str, Any]:
    return case.get("dates") or {}


def _deadline(case: Case, name: str) -> dl.Deadline | None:
    """The case's stored deadline ``name``; for the indu ones, recomputed when absent."""
    for item in case.get("deadlines") or ():
        due = _d(item.get("due")) if item.get("name") == name else None
        if due is not None:
            return dl.Deadline(name, due, _d(item.get("legal_expiry")) or due, item.get("basis", ""))
    notified = _d(_dates(case).get("notified"))
    if notified and name in ("cra_referral", "observations"):
        found = dl.indu_deadlines(notified, dl.WorkCalendar(case.get("caisse")))
        return next(d for d in found if d.name == name)
    return None


# --------------------------------------------------------------------------- the rules, as data

Window = tuple[date, date]  # (opens, due): drafted from `opens`, to be sent by `due`


def _is_open(case: Case) -> bool:
    return case.get("state") != "closed"


def _indu_pending(case: Case) -> bool:
    dates = _dates(case)
    return (case.get("type") == "indu" and bool(dates.get("notified"))
            and not dates.get("cra_decision") and not dates.get("cra_referred"))


def _amc_rejected(case: Case) -> bool:
    if case.get("type") == "amc":
        return case.get("family") == "amc" or "rejet" in (case.get("status") or "")
    return case.get("type") == "invoice" and case.get("part") == "AMC"


def _after(start: Any, opens: int, due: int) -> Window | None:
    start = _d(start)
    return (start + timedelta(days=opens), start + timedelta(days=due)) if start else None


def _relance1(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(_dates(case).get("arl"), *s.relance1_days)


def _relance2(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(_dates(case).get("relance1_sent"), *s.relance2_days)


def _mise_en_demeure(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(_dates(case).get("relance2_sent"), *MISE_EN_DEMEURE_DAYS)


def _reclamation(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(_dates(case).get("retenue") or case.get("opened"), 0, RECLAMATION_DAYS)


def _indu_explication(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = _deadline(case, "observations")
    notified = _d(_dates(case).get("notified"))
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    return notified, limit.due


def _saisine_cra(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = _deadline(case, "cra_referral")
    notified = _d(_dates(case).get("notified"))
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    due = limit.due - timedelta(days=CRA_SAFETY_DAYS)
    # Margin already eaten: send today, never later than the deadline itself.
    return notified, max(due, min(today, limit.due))


def _conciliateur(case: Case, today: date, s: RuleSettings) -> Window | None:
    sent = _d(_dates(case).get("reclamation_sent"))
    if sent is None or _dates(case).get("reclamation_answered"):
        return None
    opens = dl.conciliateur_after(sent, weeks=s.conciliateur_weeks).due
    return opens, opens + timedelta(days=CONCILIATEUR_DUE_DAYS)


def _relance_amc(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.get("opened"), 0, RELANCE_AMC_DAYS)


@dataclass(frozen=True)
class Rule:
    step: str
    kind: str
    applies: Callable[[Case], bool]
    window: Callable[[Case, date, RuleSettings], Window | None]
    reason: str  # French; {opens} and {due} are filled in (dd/mm/yyyy)


RULES: tuple[Rule, ...] = (
    Rule("relance1", "relance1", lambda c: c.get("type") == "unpaid_lot", _relance1,
         "1re relance : lot sans paiement ni rejet depuis l'ARL positif (à envoyer à partir du {opens}, "
         "au plus tard le {due})"),
    Rule("relance2", "relance2", lambda c: c.get("type") == "unpaid_lot", _relance2,
         "2e relance : la 1re relance est restée sans réponse (à partir du {opens}, au plus tard le {due})"),
    Rule("mise_en_demeure", "mise_en_demeure", lambda c: c.get("type") == "unpaid_lot", _mise_en_demeure,
         "mise en demeure : deux relances sans réponse (à partir du {opens}, au plus tard le {due} ; "
         "à doubler d'un courrier recommandé avec AR)"),
    Rule("reclamation", "reclamation",
         lambda c: c.get("type") == "invoice" and c.get("family") == "doublon", _reclamation,
         "réclamation : facture rejetée comme « déjà payée » — ne la renvoyez pas ; vérifiez d'abord "
         "vos paiements sur amelipro (au plus tard le {due})"),
    Rule("reclamation", "reclamation", lambda c: c.get("type") == "retenue", _reclamation,
         "réclamation : retenue sur paiement sans détail, demander le détail de la dette "
         "(au plus tard le {due})"),
    Rule("indu_explication", "indu_explication", _indu_pending, _indu_explication,
         "observations à la caisse sur l'indu (facultatif ; ne suspend pas le délai de la CRA), "
         "au plus tard le {due}"),
    Rule("saisine_cra", "saisine_cra", _indu_pending, _saisine_cra,
         "saisine de la commission de recours amiable : à envoyer au plus tard le {due} "
         "(une semaine avant la fin du délai de 2 mois, art. R142-1 CSS)"),
    Rule("saisine_conciliateur", "saisine_conciliateur", lambda c: True, _conciliateur,
         "saisine du conciliateur : réclamation sans réponse depuis le délai d'usage "
         "(à partir du {opens}) ; elle ne suspend aucun délai de recours"),
    Rule("relance_amc", "relance_amc", _amc_rejected, _relance_amc,
         "relance de la complémentaire : part complémentaire refusée (au plus tard le {due})"),
)


def plan_letters(case: Case, today: date, settings: RuleSettings | None = None, *,
                 sent_steps: set[str] | frozenset[str] = frozenset()) -> list[LetterPlan]:
    """The letters ``case`` needs now (their window is open on ``today``), by due date.

    Never a step in ``sent_steps`` or recorded as done in the case (:data:`DONE_DATES`);
    nothing for a closed case.
    """
    settings = settings or RuleSettings()
    if not _is_open(case):
        return []
    dates = _dates(case)
    plans: list[LetterPlan] = []
    seen: set[str] = set()
    for rule in RULES:
        if rule.step in seen or rule.step in sent_steps or dates.get(DONE_DATES[rule.step]):
            continue
        if not rule.applies(case):
            continue
        window = rule.window(case, today, settings)
        if window is None or today < window[0]:
            continue
        opens, due = window
        seen.add(rule.step)
        plans.append(LetterPlan(kind=rule.kind, case_key=case["key"], step=rule.step, due=due,
                                reason=rule.reason.format(opens=f"{opens:%d/%m/%Y}", due=f"{due:%d/%m/%Y}")))
    return sorted(plans, key=lambda p: (p.due, p.step))


# --------------------------------------------------------------------------- what each letter needs

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
        when = _d(_dates(case).get("retenue"))
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
        "profession": PROFESSION_LABELS.get(professional.profession, PROFESSION_LABELS["autre"]),
        "pro_telephone": professional.telephone,
        "ref": ref,
        "today": today,
        "caisse_name": caisse.name if caisse is not None else None,
    }


def letter_context(kind: str, case: Case, professional: Professional, caisse: Caisse | None,
                   today: date) -> dict[str, Any]:
    """Everything a letter template may use, every key present (None when unknown)."""
    dates = _dates(case)
    billing = case.get("billing") or {}
    insured = billing.get("insured_name")
    patient = billing.get("patient_name")
    patient_differs = bool(patient and patient != insured)
    acts = [line for line in (_act_line(a) for a in billing.get("acts") or ()) if line]
    arl = _d(dates.get("arl"))
    cal = dl.WorkCalendar(case.get("caisse"))
    cra = _deadline(case, "cra_referral") if case.get("type") == "indu" else None
    observations = _deadline(case, "observations") if case.get("type") == "indu" else None
    reclamation_sent = _d(dates.get("reclamation_sent"))
    weeks_without_answer = (today - reclamation_sent).days // 7 if reclamation_sent else None
    care_dates = sorted({d for d in (_d(x) for x in billing.get("care_dates") or ()) if d})
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
        "patient_birth_date": _d(billing.get("patient_birth_date")) if patient_differs else None,
        "care_dates": care_dates,
        "acts": acts,
        "care_nature": billing.get("care_nature") or (", ".join(acts) if acts else None),
        "transmitted_on": _d(billing.get("transmitted_on")) or _d(billing.get("lot_date")),
        "billing_date": _d(billing.get("billing_date")),
        # dates of the case
        "arl": arl,
        "payment_due": dl.payment_watch(arl, cal, LEGAL_PAYMENT_WORKING_DAYS).due if arl else None,
        "unpaid_since": _d(dates.get("unpaid_since")),
        "relance1_sent": _d(dates.get("relance1_sent")),
        "relance2_sent": _d(dates.get("relance2_sent")),
        "retenue_date": _d(dates.get("retenue")),
        "notified": _d(dates.get("notified")),
        "details_date": _d(dates.get("details")),
        "late_motivation": "motivation_tardive" in (case.get("flags") or ()),
        "indu_cause": _history_label(case, "indu_notified") if case.get("type") == "indu" else None,
        "cra_due": cra.due if cra else None,
        "cra_in_time": cra is not None and today <= cra.legal_expiry,
        "observations_due": observations.due if observations else None,
        "scor_reference": case.get("scor_reference"),
        "scor_sent": _d(dates.get("scor_sent")),
        "pieces_sent": _d(dates.get("pieces_sent")),
        "reclamation_sent": reclamation_sent,
        "reclamation_acknowledged": _d(dates.get("reclamation_acknowledged")),
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
    recipient is its address for the purpose of the letter kind (:data:`LETTER_KINDS`), never
    another one.
    """
    if caisse is not None and case.get("caisse") and caisse.code != case["caisse"]:
        raise ValueError(f"caisse {caisse.code} given for case {case.get('id')} of caisse {case['caisse']}")
    purpose = LETTER_KINDS[plan.kind][1]
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


# --------------------------------------------------------------------------- the ANNULER command


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
