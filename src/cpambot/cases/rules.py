"""Cases: one per real-world problem, opened and updated from facts by pure rules.

A case is a plain dict (stored as is):

``id`` short reference (``C12``), ``key`` what makes it unique (``invoice|974|000012290``),
``type`` (see :class:`~cpambot.cases.model.CaseType`), ``state`` (``open`` something to do, ``waiting`` on the
caisse, ``closed``), ``status`` (French, one line), ``caisse``, ``lot``, ``invoice``,
``reference``, ``amount`` (string, 2 decimals), ``reject_code``, ``family``, ``advice``,
``dates`` (ISO dates that drive the deadlines: ``arl``, ``notified``…), ``history``
(one entry per fact: date, kind, French text, source message), ``fact_ids`` (facts
already applied: the same fact twice changes nothing), ``deadlines`` (computed by
:func:`case_deadlines`), ``needs_review``.

Nothing here reads the clock or the store: ``today`` and the existing case are
parameters; :mod:`cpambot.cases.casebook` does the I/O.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from cpambot import labels
from cpambot.cases import deadlines as dl
from cpambot.cases.rejects import lookup
from cpambot.config.model import DEFAULT_RULES, RuleSettings
from cpambot.understanding.facts import Fact

# What a case keeps of the invoice for the letters (patient identity is health data: the store
# is owner-only and none of it is ever logged).
BILLING_KEYS = ("nir", "insured_name", "patient_name", "patient_birth_date", "care_dates", "acts",
                "lot_date", "billing_date", "transmitted_on", "care_nature")


def fact_id(fact: Fact) -> str:
    """A fingerprint of the fact's content: the same fact from a re-sent message is ignored."""
    data = json.dumps(fact.to_json(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def case_key(fact: Fact, source: str = "") -> str | None:
    """Which case a fact belongs to; None for facts that never open a case."""
    caisse = fact.caisse or "?"
    kind = fact.kind
    if kind in ("information", "forfait_paid"):
        return None
    if kind in ("invoice_paid", "invoice_rejected", "invoice_deferred", "invoice_in_anomaly",
                "pieces_requested") and fact.invoice:
        return f"invoice|{caisse}|{fact.invoice}"
    if kind in ("reclamation_acknowledged", "reclamation_answered"):
        if fact.invoice:
            return f"invoice|{caisse}|{fact.invoice}"
        return f"reclamation|{caisse}|{fact.reference or source}"
    if kind == "lot_acknowledged" and fact.lot:
        return f"lot_watch|{caisse}|{fact.lot}|{fact.date or ''}"
    if kind == "lot_refused" and fact.lot:
        return f"refused_lot|{caisse}|{fact.lot}|{fact.date or ''}"
    if kind == "retenue":
        ref = fact.reference or f"{fact.date or ''}:{fact.amount or ''}"
        return f"retenue|{caisse}|{ref}"
    if kind in ("anomalies_found", "indu_notified", "indu_details", "cra_decision", "mise_en_demeure"):
        return f"indu|{caisse}|{fact.reference or source}"
    if kind in ("amc_rejected", "amc_paid"):
        return f"amc|{caisse}|{fact.invoice or fact.reference or source}"
    if kind == "meeting_invitation":
        return f"meeting|{caisse}|{fact.reference or fact.date or source}"
    if kind == "to_sort":
        return f"to_sort|{source}"
    if fact.lot:  # invoice facts without an invoice number: the lot is all we know
        return f"lot|{caisse}|{fact.lot}|{fact.date or ''}"
    return f"to_sort|{source}"


def related_keys(fact: Fact) -> list[str]:
    """Other keys under which the case may already exist (an indu opened by its constat…)."""
    caisse = fact.caisse or "?"
    return [f"indu|{caisse}|{ref}" for ref in fact.details.get("related", ()) if ref]


LOT_WINDOW_DAYS = 90  # lot numbers (3 digits) come round again; only recent cases are the same lot


def same_problem(case: dict[str, Any], fact: Fact) -> bool:
    """Is ``fact`` another channel's view of the open ``case``?"""
    if case["state"] == "closed":
        return False
    if fact.kind == "lot_refused" and case["type"] == "refused_lot":
        if (fact.caisse or "?") != case.get("caisse") or fact.lot != case.get("lot"):
            return False
        first = date.fromisoformat(case["history"][0]["date"][:10]) if case["history"] else None
        return first is None or fact.date is None or abs((fact.date - first).days) <= LOT_WINDOW_DAYS
    if fact.kind in ("amc_rejected", "amc_paid") and fact.invoice and case["type"] == "invoice":
        return case.get("invoice") == fact.invoice and case.get("part") == "AMC"
    if fact.kind in ("invoice_rejected", "invoice_paid") and fact.part == "AMC" and fact.invoice:
        return case["type"] == "amc" and case.get("invoice") == fact.invoice
    return False


def new_case(case_id: str, key: str, fact: Fact, today: date) -> dict[str, Any]:
    ctype = key.split("|", 1)[0]
    if ctype == "lot":
        ctype = "invoice"
    return {
        "id": case_id, "key": key, "type": ctype, "state": "open", "status": "",
        "caisse": fact.caisse, "lot": fact.lot, "invoice": fact.invoice,
        "reference": fact.reference, "amount": None, "reject_code": None, "family": None,
        "advice": None, "part": None, "dates": {}, "history": [], "fact_ids": [],
        "deadlines": [], "needs_review": None, "opened": today.isoformat(),
        "updated": today.isoformat(), "closed": None, "flags": [],
    }


def _money(fact: Fact) -> str | None:
    return f"{fact.amount:.2f}" if fact.amount is not None else None


def _describe(fact: Fact) -> str:
    parts = [labels.FACT_KIND[fact.kind]]
    if fact.lot:
        parts.append(f"lot {fact.lot}")
    if fact.invoice:
        parts.append(f"facture {fact.invoice}")
    if fact.amount is not None:
        parts.append(f"{fact.amount:.2f} €".replace(".", ","))
    if fact.reject_code:
        parts.append(f"code {fact.reject_code}")
    if fact.label:
        parts.append(f"« {fact.label} »")
    if fact.reference:
        parts.append(f"réf. {fact.reference}")
    return ", ".join(parts)


def apply_fact(case: dict[str, Any], fact: Fact, *, source: str, received: date,
               today: date, settings: RuleSettings = DEFAULT_RULES) -> dict[str, Any]:
    """A copy of ``case`` updated by ``fact``; unchanged if the fact was already applied."""
    fid = fact_id(fact)
    if fid in case["fact_ids"]:
        return case
    case = json.loads(json.dumps(case))  # deep copy of plain data
    case["fact_ids"].append(fid)
    case["history"].append({"date": (fact.date or received).isoformat(), "kind": fact.kind,
                            "text": _describe(fact), "source": source,
                            "received": received.isoformat()})
    for attr in ("lot", "invoice", "reference"):
        if getattr(fact, attr) and not case.get(attr):
            case[attr] = getattr(fact, attr)
    if fact.part and fact.kind not in ("invoice_paid", "amc_paid") and not case.get("part"):
        case["part"] = fact.part
    billing = {k: v for k, v in fact.details.items() if k in BILLING_KEYS}
    if billing:
        case.setdefault("billing", {}).update(billing)
    if fact.amount is not None and fact.kind not in ("invoice_paid", "amc_paid"):
        case["amount"] = _money(fact)
    dates = case["dates"]
    when = (fact.date or received).isoformat()
    kind = fact.kind
    if kind in ("invoice_rejected", "invoice_in_anomaly", "lot_refused"):
        info = lookup(fact.reject_code, fact.label)
        case.update(state="open", reject_code=fact.reject_code or case.get("reject_code"),
                    family=info.family, advice=info.advice)
        label = fact.label or info.label
        case["status"] = {"invoice_rejected": "rejetée", "invoice_in_anomaly": "en anomalie",
                          "lot_refused": "lot refusé"}[kind] + (f" : {label}" if label else "")
        if kind == "lot_refused" and info.resend is not False:
            case["advice"] = "Corrigez puis retransmettez le lot entier. " + info.advice
    elif kind == "pieces_requested":
        case.update(state="open", status="pièces justificatives demandées")
        dates["pieces_requested"] = when
        if fact.details.get("deadline"):
            dates["pieces_due"] = str(fact.details["deadline"])
        case["advice"] = "Envoyez la pièce demandée (SCOR de préférence) sans renvoyer la facture."
    elif kind == "invoice_paid":
        if case.get("part") in (None, fact.part) or case["state"] == "waiting":
            case.update(state="closed", status="payée", closed=when)
        # else: the other part (AMO vs AMC) was paid; the problem of this case remains
    elif kind == "invoice_deferred":
        if case["state"] != "closed":
            case.update(state="waiting", status="en attente de traitement par la caisse")
            dates["deferred"] = when
    elif kind == "lot_acknowledged":
        case.update(state="waiting", status="lot reçu par la caisse, paiement attendu")
        dates["arl"] = when
    elif kind == "retenue":
        case.update(state="open", status="retenue sur paiement" + (f" ({fact.label})" if fact.label else ""),
                    advice="Demandez à la caisse le détail de la dette (notification préalable, "
                           "factures concernées) et contestez si elle n'a pas été notifiée.")
        dates["retenue"] = when
    elif kind == "anomalies_found":
        case.update(state="open", status="constat d'anomalies (avant indu)",
                    advice="Rassemblez les justificatifs et répondez par écrit dans le délai indiqué.")
        dates["constat"] = when
    elif kind == "indu_notified":
        case.update(state="open", status="indu notifié",
                    advice="Dans les 2 mois : payer, présenter des observations ou saisir la "
                           "commission de recours amiable (recours suspensif).")
        dates["notified"] = when
    elif kind == "indu_details":
        if dates.get("notified") and when > dates["notified"]:
            case["flags"].append("motivation_tardive")
        dates["details"] = when
    elif kind == "cra_decision":
        label = (fact.label or "").lower()
        dates["cra_decision"] = when
        if label == "favorable":
            case.update(state="closed", status="décision favorable de la CRA", closed=when)
        else:
            case.update(state="open", status=f"décision de la CRA : {label or 'à lire'}",
                        advice="Vous pouvez saisir le pôle social du tribunal judiciaire dans les "
                               "2 mois suivant la décision.")
    elif kind == "mise_en_demeure":
        case.update(state="open", status="mise en demeure")
        dates["mise_en_demeure"] = when
    elif kind == "reclamation_acknowledged":
        if case["state"] != "closed":
            case.update(state="waiting", status="réclamation reçue par la caisse")
        dates["reclamation_acknowledged"] = when
        dates.setdefault("reclamation_sent", when)
    elif kind == "reclamation_answered":
        case.update(state="open", status="réponse à la réclamation : à consulter sur amelipro "
                                         "(visible 15 jours)")
        dates["reclamation_answered"] = when
    elif kind == "amc_rejected":
        info = lookup(fact.reject_code, fact.label)
        case.update(state="open", status="rejet de la complémentaire"
                    + (f" : {fact.label}" if fact.label else ""), family="amc",
                    advice="Vérifiez les droits complémentaires (n° AMC, contrat, période) ; relancez "
                           "l'organisme ou facturez le patient." if info.family in ("amc", "autre")
                    else info.advice)
    elif kind == "amc_paid":
        case.update(state="closed", status="payée par la complémentaire", closed=when)
    elif kind == "meeting_invitation":
        case.update(state="open", status="invitation de la caisse à un échange")
        dates["meeting"] = str(fact.details.get("meeting_date") or when)
    elif kind == "to_sort":
        case.update(state="open", status="message de la caisse à trier",
                    needs_review=fact.label or "à trier")
    case["updated"] = today.isoformat()
    case["deadlines"] = case_deadlines(case, settings)
    return case


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def case_deadlines(case: dict[str, Any], settings: RuleSettings = DEFAULT_RULES) -> list[dict[str, str]]:
    """The deadlines that apply to a case now, as plain dicts (name, due, legal_expiry, basis)."""
    if case["state"] == "closed":
        return []
    cal = dl.WorkCalendar(case.get("caisse"))
    dates = case["dates"]
    found: list[dl.Deadline] = []
    if case["type"] == "indu":
        if dates.get("cra_decision"):
            found.append(dl.tribunal_deadline(_d(dates["cra_decision"]), cal))
        elif dates.get("cra_referred"):
            found.append(dl.cra_silence(_d(dates["cra_referred"]), cal))
        elif dates.get("notified"):
            found.extend(dl.indu_deadlines(_d(dates["notified"]), cal))
        if dates.get("mise_en_demeure"):
            found.append(dl.mise_en_demeure_deadline(_d(dates["mise_en_demeure"]), cal))
    if case["type"] == "lot_watch" and dates.get("arl"):
        found.append(dl.payment_watch(_d(dates["arl"]), cal, working_days=settings.payment_watch_days))
    if dates.get("pieces_requested"):
        due = _d(dates.get("pieces_due")) if dates.get("pieces_due") else None
        found.append(dl.pieces_deadline(_d(dates["pieces_requested"]), days=settings.pieces_days)
                     if due is None else dl.Deadline("pieces", due, due, "délai indiqué par la caisse"))
    if dates.get("reclamation_sent") and not dates.get("reclamation_answered"):
        found.append(dl.conciliateur_after(_d(dates["reclamation_sent"]),
                                           weeks=settings.conciliateur_weeks))
    if case["type"] == "unpaid_lot" and dates.get("arl"):
        plan = dl.relance_schedule(_d(dates["arl"]), relance1_sent_on=_d(dates.get("relance1_sent")),
                                   first_after_days=settings.relance1_days,
                                   second_after_days=settings.relance2_days)
        if plan.relance2_by is not None:
            found.append(dl.Deadline("relance2", plan.relance2_by, plan.relance2_by,
                                     f"2e relance à envoyer à partir du {plan.relance2_from:%d/%m/%Y}"))
        elif plan.relance1_by is not None:
            found.append(dl.Deadline("relance1", plan.relance1_by, plan.relance1_by,
                                     f"1re relance à envoyer à partir du {plan.relance1_from:%d/%m/%Y}"))
    if case["state"] == "waiting" and dates.get("deferred"):
        due = cal.add_working_days(_d(dates["deferred"]), settings.recheck_days)
        found.append(dl.Deadline("recheck", due, due, "facture différée : vérifier qu'elle a été traitée"))
    return [{"name": d.name, "due": d.due.isoformat(), "legal_expiry": d.legal_expiry.isoformat(),
             "basis": d.basis} for d in found]


def watch_expired(case: dict[str, Any], today: date) -> bool:
    """A lot acknowledged by an ARL has had no payment nor reject within the legal delay."""
    if case["type"] != "lot_watch" or case["state"] == "closed":
        return False
    due = next((d for d in case["deadlines"] if d["name"] == "payment_due"), None)
    return due is not None and today > date.fromisoformat(due["due"])


def mark_unpaid(case: dict[str, Any], today: date,
                settings: RuleSettings = DEFAULT_RULES) -> dict[str, Any]:
    case = json.loads(json.dumps(case))
    case.update(type="unpaid_lot", state="open", status="aucun paiement ni rejet après l'ARL positif",
                advice="Vérifiez vos paiements sur amelipro ; sans paiement, relancez la caisse.",
                updated=today.isoformat())
    case["dates"]["unpaid_since"] = today.isoformat()
    case["history"].append({"date": today.isoformat(), "kind": "unpaid",
                            "text": "délai de paiement dépassé sans retour de la caisse",
                            "source": "", "received": today.isoformat()})
    case["deadlines"] = case_deadlines(case, settings)
    return case


def satisfies_watch(watch: dict[str, Any], fact: Fact) -> bool:
    """Does an invoice-level fact answer a lot watch (same caisse and lot, after the ARL)?"""
    if watch["type"] not in ("lot_watch", "unpaid_lot") or watch["state"] == "closed":
        return False
    if fact.kind not in ("invoice_paid", "invoice_rejected", "invoice_deferred", "invoice_in_anomaly"):
        return False
    if not fact.lot or fact.lot != watch.get("lot") or (fact.caisse or "?") != watch.get("caisse"):
        return False
    arl = watch["dates"].get("arl")
    return not (arl and fact.date and fact.date.isoformat() < arl)


def close_watch(watch: dict[str, Any], fact: Fact, *, source: str, received: date,
                today: date) -> dict[str, Any]:
    watch = json.loads(json.dumps(watch))
    watch.update(state="closed", status="retour de la caisse reçu pour ce lot",
                 closed=(fact.date or received).isoformat(), updated=today.isoformat(), deadlines=[])
    watch["history"].append({"date": (fact.date or received).isoformat(), "kind": fact.kind,
                             "text": _describe(fact), "source": source,
                             "received": received.isoformat()})
    return watch
