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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cpambot.cases import deadlines as dl
from cpambot.config.model import RuleSettings
from cpambot.letters.model import LetterPlan

Case = dict[str, Any]

# --------------------------------------------------------------------------- policy (not law)

CRA_SAFETY_DAYS = 7  # the CRA letter is due one week before the 2-month delay (R142-1 CSS) ends
MISE_EN_DEMEURE_DAYS = (15, 30)  # after the 2nd relance was sent: from, by
RECLAMATION_DAYS = 15  # a réclamation (doublon, retenue) is due within 15 days of the case
RELANCE_AMC_DAYS = 15
CONCILIATEUR_DUE_DAYS = 14  # once the conciliateur may be seized, the letter is due 2 weeks later

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


def as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def case_dates(case: Case) -> dict[str, Any]:
    return case.get("dates") or {}


def case_deadline(case: Case, name: str) -> dl.Deadline | None:
    """The case's stored deadline ``name``; for the indu ones, recomputed when absent."""
    for item in case.get("deadlines") or ():
        due = as_date(item.get("due")) if item.get("name") == name else None
        if due is not None:
            return dl.Deadline(name, due, as_date(item.get("legal_expiry")) or due, item.get("basis", ""))
    notified = as_date(case_dates(case).get("notified"))
    if notified and name in ("cra_referral", "observations"):
        found = dl.indu_deadlines(notified, dl.WorkCalendar(case.get("caisse")))
        return next(d for d in found if d.name == name)
    return None


# --------------------------------------------------------------------------- the rules, as data

Window = tuple[date, date]  # (opens, due): drafted from `opens`, to be sent by `due`


def _is_open(case: Case) -> bool:
    return case.get("state") != "closed"


def _indu_pending(case: Case) -> bool:
    dates = case_dates(case)
    return (case.get("type") == "indu" and bool(dates.get("notified"))
            and not dates.get("cra_decision") and not dates.get("cra_referred"))


def _amc_rejected(case: Case) -> bool:
    if case.get("type") == "amc":
        return case.get("family") == "amc" or "rejet" in (case.get("status") or "")
    return case.get("type") == "invoice" and case.get("part") == "AMC"


def _after(start: Any, opens: int, due: int) -> Window | None:
    start = as_date(start)
    return (start + timedelta(days=opens), start + timedelta(days=due)) if start else None


def _relance1(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case_dates(case).get("arl"), *s.relance1_days)


def _relance2(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case_dates(case).get("relance1_sent"), *s.relance2_days)


def _mise_en_demeure(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case_dates(case).get("relance2_sent"), *MISE_EN_DEMEURE_DAYS)


def _reclamation(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case_dates(case).get("retenue") or case.get("opened"), 0, RECLAMATION_DAYS)


def _indu_explication(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = case_deadline(case, "observations")
    notified = as_date(case_dates(case).get("notified"))
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    return notified, limit.due


def _saisine_cra(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = case_deadline(case, "cra_referral")
    notified = as_date(case_dates(case).get("notified"))
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    due = limit.due - timedelta(days=CRA_SAFETY_DAYS)
    # Margin already eaten: send today, never later than the deadline itself.
    return notified, max(due, min(today, limit.due))


def _conciliateur(case: Case, today: date, s: RuleSettings) -> Window | None:
    sent = as_date(case_dates(case).get("reclamation_sent"))
    if sent is None or case_dates(case).get("reclamation_answered"):
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
    dates = case_dates(case)
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


# --------------------------------------------------------------------------- the ANNULER command


