"""Case rules: facts open and update cases (:class:`~cpambot.cases.model.Case`), by pure functions.

Each rule takes a case and returns a new one (cases are frozen values); the deadlines are
computed again at every change (:func:`case_deadlines`). Nothing here reads the clock or the
store: ``today`` and the existing case are parameters; :mod:`cpambot.cases.casebook` does the I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from cpambot import labels
from cpambot.cases import deadlines as dl
from cpambot.cases.model import BILLING_KEYS, Case, CaseState, CaseType, HistoryEntry
from cpambot.cases.rejects import lookup
from cpambot.config.model import DEFAULT_RULES, RuleSettings
from cpambot.instants import as_date
from cpambot.understanding.facts import Fact

CENTS = Decimal("0.01")


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
    if kind in ("cra_decision", "mise_en_demeure"):  # the indu they follow up, not their own number
        return f"indu|{caisse}|{fact.details.get('indu_reference') or fact.reference or source}"
    if kind in ("anomalies_found", "indu_notified", "indu_details"):
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


def same_problem(case: Case, fact: Fact) -> bool:
    """Is ``fact`` another channel's view of the open ``case``?"""
    if case.is_closed:
        return False
    if fact.kind == "lot_refused" and case.type is CaseType.REFUSED_LOT:
        if (fact.caisse or "?") != case.caisse or fact.lot != case.lot:
            return False
        first = case.history[0].date if case.history else None
        return first is None or fact.date is None or abs((fact.date - first).days) <= LOT_WINDOW_DAYS
    if fact.kind in ("amc_rejected", "amc_paid") and fact.invoice and case.type is CaseType.INVOICE:
        return case.invoice == fact.invoice and case.part == "AMC"
    if fact.kind in ("invoice_rejected", "invoice_paid") and fact.part == "AMC" and fact.invoice:
        return case.type is CaseType.AMC and case.invoice == fact.invoice
    return False


def new_case(case_id: str, key: str, fact: Fact, today: date) -> Case:
    """An empty case for the fact's key, opened ``today`` — the day its first message reached the
    professional, not the day the bot read it (the fact is applied next)."""
    ctype = key.split("|", 1)[0]
    return Case(id=case_id, key=key, type=CaseType.INVOICE if ctype == "lot" else CaseType(ctype),
                opened=today, updated=today, caisse=fact.caisse, lot=fact.lot, invoice=fact.invoice,
                reference=fact.reference)


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


# The action a caisse asks for one row (understanding.rows.Action values) → the advice given
ACTION_ADVICE = {
    "refacturer": "La caisse demande de corriger la facture puis de la télétransmettre à nouveau.",
    "pieces": "La caisse demande une pièce justificative : envoyez-la (SCOR de préférence) sans refacturer.",
    "contacter": "La caisse demande que vous la contactiez avant toute nouvelle facturation.",
    "aucune": "Rien à faire selon la caisse.",
}


def _answer(fact: Fact, case: Case) -> dict[str, object]:
    """What a réclamation answer changes: its decision when the message tells it, else a pointer to
    where it can be read (the amelipro space, for 15 days)."""
    if fact.details.get("answer_in") == "amelipro" or not fact.label:
        return {"state": CaseState.OPEN, "status": "réponse à la réclamation : à consulter sur amelipro "
                                                     "(visible 15 jours)"}
    if fact.label == "favorable":
        return {"state": CaseState.WAITING if case.state is not CaseState.CLOSED else case.state,
                "status": "réclamation acceptée : paiement attendu"}
    if fact.label in ("à retransmettre", "à refacturer"):
        return {"state": CaseState.OPEN,
                "status": "la caisse n'a jamais reçu la facture" if fact.label == "à retransmettre"
                else "réclamation : la facture est à refacturer", "advice": ACTION_ADVICE["refacturer"]}
    return {"state": CaseState.OPEN, "status": f"réclamation : réponse {fact.label}",
            "advice": "Si vous contestez cette réponse, vous pouvez saisir la commission de recours amiable "
                      "dans les deux mois."}


def apply_fact(case: Case, fact: Fact, *, source: str, received: date,
               today: date, settings: RuleSettings = DEFAULT_RULES) -> Case:
    """``case`` updated by ``fact`` (a new value); the same case if the fact was already applied."""
    fid = fact_id(fact)
    if fid in case.fact_ids:
        return case
    when = fact.date or received
    kind = fact.kind
    change: dict[str, Any] = {}
    dates = dict(case.dates)
    flags = list(case.flags)

    def now(name: str) -> Any:  # the value as changed so far
        return change[name] if name in change else getattr(case, name)

    for attr in ("lot", "invoice", "reference"):
        if getattr(fact, attr) and not getattr(case, attr):
            change[attr] = getattr(fact, attr)
    if fact.part and kind not in ("invoice_paid", "amc_paid") and not case.part:
        change["part"] = fact.part
    billing = {k: v for k, v in fact.details.items() if k in BILLING_KEYS}
    if billing:
        change["billing"] = {**(case.billing or {}), **billing}
    if fact.amount is not None and kind not in ("invoice_paid", "amc_paid"):
        change["amount"] = fact.amount.quantize(CENTS)
    if kind in ("invoice_rejected", "invoice_in_anomaly", "lot_refused"):
        info = lookup(fact.reject_code, fact.label)
        label = fact.label or info.label
        change.update(state=CaseState.OPEN, reject_code=fact.reject_code or case.reject_code,
                      family=info.family, advice=info.advice,
                      status={"invoice_rejected": "rejetée", "invoice_in_anomaly": "en anomalie",
                              "lot_refused": "lot refusé"}[kind] + (f" : {label}" if label else ""))
        if kind == "lot_refused" and info.resend is not False:
            change["advice"] = "Corrigez puis retransmettez le lot entier. " + info.advice
        asked = ACTION_ADVICE.get(str(fact.details.get("action") or ""))
        if asked is not None:  # the caisse's own instruction for this row beats the code table
            consigne = fact.details.get("consigne")
            change["advice"] = asked + (f" (consigne de la caisse : « {consigne} »)" if consigne else "")
    elif kind == "pieces_requested":
        change.update(state=CaseState.OPEN, status="pièces justificatives demandées",
                      advice="Envoyez la pièce demandée (SCOR de préférence) sans renvoyer la facture.")
        dates["pieces_requested"] = when
        deadline = as_date(fact.details.get("deadline"))
        if deadline is not None:
            dates["pieces_due"] = deadline
    elif kind == "invoice_paid":
        if now("part") in (None, fact.part) or case.state is CaseState.WAITING:
            change.update(state=CaseState.CLOSED, status="payée", closed=when)
        # else: the other part (AMO vs AMC) was paid; the problem of this case remains
    elif kind == "invoice_deferred":
        if case.state is not CaseState.CLOSED:
            change.update(state=CaseState.WAITING, status="en attente de traitement par la caisse")
            dates["deferred"] = when
    elif kind == "lot_acknowledged":
        change.update(state=CaseState.WAITING, status="lot reçu par la caisse, paiement attendu")
        dates["arl"] = when
    elif kind == "retenue":
        status = "retenue sur paiement" + (f" ({fact.label})" if fact.label else "")
        notified = as_date(fact.details.get("notified"))
        if notified is not None:  # an avis de retenue naming the debt and its notification: known
            dates["notified"] = notified
            settled = fact.details.get("balance") in ("0", "0.00")
            change.update(state=CaseState.CLOSED if settled else CaseState.WAITING,
                          status=f"{status} : dette notifiée le {notified:%d/%m/%Y}"
                          + (", soldée" if settled else ""), **({"closed": when} if settled else {}),
                          advice="Rien à faire si vous avez bien reçu cette notification ; sinon, "
                                 "demandez-en une copie à la caisse et contestez la retenue.")
        else:
            change.update(state=CaseState.OPEN, status=status,
                          advice="Demandez à la caisse le détail de la dette (notification préalable, "
                                 "factures concernées) et contestez si elle n'a pas été notifiée.")
        dates["retenue"] = when
    elif kind == "anomalies_found":
        change.update(state=CaseState.OPEN, status="constat d'anomalies (avant indu)",
                      advice="Rassemblez les justificatifs et répondez par écrit dans le délai indiqué.")
        dates["constat"] = when
    elif kind == "indu_notified":
        change.update(state=CaseState.OPEN, status="indu notifié",
                      advice="Dans les 2 mois : payer, présenter des observations ou saisir la "
                             "commission de recours amiable (recours suspensif).")
        dates["notified"] = when
    elif kind == "indu_details":
        if dates.get("notified") and when > dates["notified"]:
            flags.append("motivation_tardive")
        dates["details"] = when
    elif kind == "cra_decision":
        label = (fact.label or "").lower()
        dates["cra_decision"] = when
        if label == "favorable":
            change.update(state=CaseState.CLOSED, status="décision favorable de la CRA", closed=when)
        else:
            change.update(state=CaseState.OPEN, status=f"décision de la CRA : {label or 'à lire'}",
                          advice="Vous pouvez saisir le pôle social du tribunal judiciaire dans les "
                                 "2 mois suivant la décision.")
    elif kind == "mise_en_demeure":
        change.update(state=CaseState.OPEN, status="mise en demeure")
        dates["mise_en_demeure"] = when
    elif kind == "reclamation_acknowledged":
        if case.state is not CaseState.CLOSED:
            change.update(state=CaseState.WAITING, status="réclamation reçue par la caisse")
        dates["reclamation_acknowledged"] = when
        dates.setdefault("reclamation_sent", when)
    elif kind == "reclamation_answered":
        change.update(**_answer(fact, case))
        dates["reclamation_answered"] = when
    elif kind == "amc_rejected":
        info = lookup(fact.reject_code, fact.label)
        change.update(state=CaseState.OPEN, family="amc",
                      status="rejet de la complémentaire" + (f" : {fact.label}" if fact.label else ""),
                      advice="Vérifiez les droits complémentaires (n° AMC, contrat, période) ; relancez "
                             "l'organisme ou facturez le patient." if info.family in ("amc", "autre")
                      else info.advice)
    elif kind == "amc_paid":
        change.update(state=CaseState.CLOSED, status="payée par la complémentaire", closed=when)
    elif kind == "meeting_invitation":
        change.update(state=CaseState.OPEN, status="invitation de la caisse à un échange")
        dates["meeting"] = as_date(fact.details.get("meeting_date")) or when
    elif kind == "to_sort":
        change.update(state=CaseState.OPEN, status="message de la caisse à trier",
                      needs_review=fact.label or "à trier")
    updated = replace(case, **change, dates=dates, flags=tuple(flags), updated=today,
                      fact_ids=(*case.fact_ids, fid),
                      history=(*case.history, HistoryEntry(when, kind, _describe(fact), source, received)))
    return replace(updated, deadlines=case_deadlines(updated, settings))


def case_deadlines(case: Case, settings: RuleSettings = DEFAULT_RULES) -> tuple[dl.Deadline, ...]:
    """The deadlines that apply to a case now."""
    if case.is_closed:
        return ()
    cal = dl.WorkCalendar(case.caisse)
    dates = case.dates
    found: list[dl.Deadline] = []
    if case.type is CaseType.INDU:
        if "cra_decision" in dates:
            found.append(dl.tribunal_deadline(dates["cra_decision"], cal))
        elif "cra_referred" in dates:
            found.append(dl.cra_silence(dates["cra_referred"], cal))
        elif "notified" in dates:
            found.extend(dl.indu_deadlines(dates["notified"], cal))
        if "mise_en_demeure" in dates:
            found.append(dl.mise_en_demeure_deadline(dates["mise_en_demeure"], cal))
    if case.type is CaseType.LOT_WATCH and "arl" in dates:
        found.append(dl.payment_watch(dates["arl"], cal, working_days=settings.payment_watch_days))
    if "pieces_requested" in dates and "pieces_sent" not in dates:
        due = dates.get("pieces_due")
        found.append(dl.pieces_deadline(dates["pieces_requested"], days=settings.pieces_days)
                     if due is None else dl.Deadline("pieces", due, due, "délai indiqué par la caisse"))
    if "reclamation_sent" in dates and "reclamation_answered" not in dates:
        found.append(dl.conciliateur_after(dates["reclamation_sent"], weeks=settings.conciliateur_weeks))
    if case.type is CaseType.UNPAID_LOT and "arl" in dates:
        plan = dl.relance_schedule(dates["arl"], relance1_sent_on=dates.get("relance1_sent"),
                                   first_after_days=settings.relance1_days,
                                   second_after_days=settings.relance2_days)
        if plan.relance2_by is not None and plan.relance2_from is not None:
            found.append(dl.Deadline("relance2", plan.relance2_by, plan.relance2_by,
                                     f"2e relance à envoyer à partir du {plan.relance2_from:%d/%m/%Y}"))
        elif plan.relance1_by is not None and plan.relance1_from is not None:
            found.append(dl.Deadline("relance1", plan.relance1_by, plan.relance1_by,
                                     f"1re relance à envoyer à partir du {plan.relance1_from:%d/%m/%Y}"))
    if case.state is CaseState.WAITING and "deferred" in dates:
        due = cal.add_working_days(dates["deferred"], settings.recheck_days)
        found.append(dl.Deadline("recheck", due, due, "facture différée : vérifier qu'elle a été traitée"))
    return tuple(found)


def watch_expired(case: Case, today: date) -> bool:
    """A lot acknowledged by an ARL has had no payment nor reject within the legal delay."""
    if case.type is not CaseType.LOT_WATCH or case.is_closed:
        return False
    due = case.deadline("payment_due")
    return due is not None and today > due.due


def mark_unpaid(case: Case, today: date, settings: RuleSettings = DEFAULT_RULES) -> Case:
    """The lot watch becomes an unpaid lot: the caisse let the payment delay run out."""
    unpaid = replace(case, type=CaseType.UNPAID_LOT, state=CaseState.OPEN,
                     status="aucun paiement ni rejet après l'ARL positif",
                     advice="Vérifiez vos paiements sur amelipro ; sans paiement, relancez la caisse.",
                     updated=today, dates={**case.dates, "unpaid_since": today},
                     history=(*case.history, HistoryEntry(today, "unpaid", "délai de paiement dépassé sans "
                                                          "retour de la caisse", "", today)))
    return replace(unpaid, deadlines=case_deadlines(unpaid, settings))


WATCHES = (CaseType.LOT_WATCH, CaseType.UNPAID_LOT)


def satisfies_watch(watch: Case, fact: Fact) -> bool:
    """Does an invoice-level fact answer a lot watch (same caisse and lot, after the ARL)?"""
    if watch.type not in WATCHES or watch.is_closed:
        return False
    if fact.kind not in ("invoice_paid", "invoice_rejected", "invoice_deferred", "invoice_in_anomaly"):
        return False
    if not fact.lot or fact.lot != watch.lot or (fact.caisse or "?") != watch.caisse:
        return False
    arl = watch.dated("arl")
    return not (arl and fact.date and fact.date < arl)


def close_watch(watch: Case, fact: Fact, *, source: str, received: date, today: date) -> Case:
    """The caisse answered for the lot: its watch closes, with the fact in its history."""
    when = fact.date or received
    return replace(watch, state=CaseState.CLOSED, status="retour de la caisse reçu pour ce lot",
                   closed=when, updated=today, deadlines=(),
                   history=(*watch.history, HistoryEntry(when, fact.kind, _describe(fact), source, received)))


def record_letter_sent(case: Case, date_key: str, day: date, text: str,
                       settings: RuleSettings = DEFAULT_RULES) -> Case:
    """A letter of the case left (relance, réclamation, saisine…): when, and now wait for the answer."""
    sent = replace(case, dates={**case.dates, date_key: day}, updated=day,
                   state=CaseState.WAITING if case.state is CaseState.OPEN else case.state,
                   status=f"{text}, en attente de réponse",
                   history=(*case.history, HistoryEntry(day, "letter_sent", text, "", day)))
    return replace(sent, deadlines=case_deadlines(sent, settings))


def letter_not_delivered(case: Case, date_key: str, day: date, text: str,
                         settings: RuleSettings = DEFAULT_RULES) -> Case:
    """A letter recorded as sent did not arrive (a bounce came back): the step is not done after all —
    its date goes, the case no longer waits for an answer to it, its deadlines are counted again."""
    dates = {k: v for k, v in case.dates.items() if k != date_key}
    waiting = case.state is CaseState.WAITING and date_key in case.dates
    back = replace(case, dates=dates, updated=day, state=CaseState.OPEN if waiting else case.state,
                   status=text, history=(*case.history, HistoryEntry(day, "letter_bounced", text, "", day)))
    return replace(back, deadlines=case_deadlines(back, settings))


def with_fresh_deadlines(case: Case, settings: RuleSettings = DEFAULT_RULES) -> Case:
    """The case with its deadlines computed again (after a change of the rules' settings)."""
    fresh = case_deadlines(case, settings)
    return case if fresh == case.deadlines else replace(case, deadlines=fresh)
