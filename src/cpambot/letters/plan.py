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

from cpambot.cases import deadlines as dl
from cpambot.cases.model import Case, CaseState, CaseType
from cpambot.config.model import RuleSettings
from cpambot.letters.model import LetterKind, LetterPlan

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


def case_deadline(case: Case, name: str) -> dl.Deadline | None:
    """The case's deadline ``name``; for the indu ones, recomputed when absent."""
    found = case.deadline(name)
    if found is not None:
        return found
    notified = case.dated("notified")
    if notified and name in ("cra_referral", "observations"):
        return next(d for d in dl.indu_deadlines(notified, dl.WorkCalendar(case.caisse)) if d.name == name)
    return None


# --------------------------------------------------------------------------- the rules, as data

Window = tuple[date, date]  # (opens, due): drafted from `opens`, to be sent by `due`


def _unpaid_lot(case: Case) -> bool:
    return case.type is CaseType.UNPAID_LOT


def _indu_pending(case: Case) -> bool:
    dates = case.dates
    return (case.type is CaseType.INDU and "notified" in dates
            and "cra_decision" not in dates and "cra_referred" not in dates)


def _amc_rejected(case: Case) -> bool:
    if case.type is CaseType.AMC:
        return case.family == "amc" or "rejet" in case.status
    return case.type is CaseType.INVOICE and case.part == "AMC"


def _after(start: date | None, opens: int, due: int) -> Window | None:
    return (start + timedelta(days=opens), start + timedelta(days=due)) if start else None


def _relance1(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.dated("arl"), *s.relance1_days)


def _relance2(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.dated("relance1_sent"), *s.relance2_days)


def _mise_en_demeure(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.dated("relance2_sent"), *MISE_EN_DEMEURE_DAYS)


def _reclamation(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.dated("retenue") or case.opened, 0, RECLAMATION_DAYS)


def _indu_explication(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = case_deadline(case, "observations")
    notified = case.dated("notified")
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    return notified, limit.due


def _saisine_cra(case: Case, today: date, s: RuleSettings) -> Window | None:
    limit = case_deadline(case, "cra_referral")
    notified = case.dated("notified")
    if limit is None or notified is None or today > limit.legal_expiry:
        return None
    due = limit.due - timedelta(days=CRA_SAFETY_DAYS)
    # Margin already eaten: send today, never later than the deadline itself.
    return notified, max(due, min(today, limit.due))


def _conciliateur(case: Case, today: date, s: RuleSettings) -> Window | None:
    sent = case.dated("reclamation_sent")
    if sent is None or case.dated("reclamation_answered"):
        return None
    opens = dl.conciliateur_after(sent, weeks=s.conciliateur_weeks).due
    return opens, opens + timedelta(days=CONCILIATEUR_DUE_DAYS)


def _relance_amc(case: Case, today: date, s: RuleSettings) -> Window | None:
    return _after(case.opened, 0, RELANCE_AMC_DAYS)


@dataclass(frozen=True)
class Rule:
    step: str
    kind: LetterKind
    applies: Callable[[Case], bool]
    window: Callable[[Case, date, RuleSettings], Window | None]
    reason: str  # French; {opens} and {due} are filled in (dd/mm/yyyy)


RULES: tuple[Rule, ...] = (
    Rule("relance1", LetterKind.RELANCE1, _unpaid_lot, _relance1,
         "1re relance : lot sans paiement ni rejet depuis l'ARL positif (à envoyer à partir du {opens}, "
         "au plus tard le {due})"),
    Rule("relance2", LetterKind.RELANCE2, _unpaid_lot, _relance2,
         "2e relance : la 1re relance est restée sans réponse (à partir du {opens}, au plus tard le {due})"),
    Rule("mise_en_demeure", LetterKind.MISE_EN_DEMEURE, _unpaid_lot, _mise_en_demeure,
         "mise en demeure : deux relances sans réponse (à partir du {opens}, au plus tard le {due} ; "
         "à doubler d'un courrier recommandé avec AR)"),
    Rule("reclamation", LetterKind.RECLAMATION,
         lambda c: c.type is CaseType.INVOICE and c.family == "doublon", _reclamation,
         "réclamation : facture rejetée comme « déjà payée » — ne la renvoyez pas ; vérifiez d'abord "
         "vos paiements sur amelipro (au plus tard le {due})"),
    Rule("reclamation", LetterKind.RECLAMATION,
         lambda c: c.type is CaseType.RETENUE and "notified" not in c.dates, _reclamation,
         "réclamation : retenue sur paiement sans détail, demander le détail de la dette "
         "(au plus tard le {due})"),
    Rule("indu_explication", LetterKind.INDU_EXPLICATION, _indu_pending, _indu_explication,
         "observations à la caisse sur l'indu (facultatif ; ne suspend pas le délai de la CRA), "
         "au plus tard le {due}"),
    Rule("saisine_cra", LetterKind.SAISINE_CRA, _indu_pending, _saisine_cra,
         "saisine de la commission de recours amiable : à envoyer au plus tard le {due} "
         "(une semaine avant la fin du délai de 2 mois, art. R142-1 CSS)"),
    Rule("saisine_conciliateur", LetterKind.SAISINE_CONCILIATEUR, lambda c: True, _conciliateur,
         "saisine du conciliateur : réclamation sans réponse depuis le délai d'usage "
         "(à partir du {opens}) ; elle ne suspend aucun délai de recours"),
    Rule("relance_amc", LetterKind.RELANCE_AMC, _amc_rejected, _relance_amc,
         "relance de la complémentaire : part complémentaire refusée (au plus tard le {due})"),
)


def plan_letters(case: Case, today: date, settings: RuleSettings | None = None, *,
                 sent_steps: set[str] | frozenset[str] = frozenset()) -> list[LetterPlan]:
    """The letters ``case`` needs now (their window is open on ``today``), by due date.

    Never a step in ``sent_steps`` or recorded as done in the case (:data:`DONE_DATES`);
    nothing for a closed case.
    """
    settings = settings or RuleSettings()
    if case.state is CaseState.CLOSED:
        return []
    dates = case.dates
    plans: list[LetterPlan] = []
    seen: set[str] = set()
    for rule in RULES:
        if rule.step in seen or rule.step in sent_steps or DONE_DATES[rule.step] in dates:
            continue
        if not rule.applies(case):
            continue
        window = rule.window(case, today, settings)
        if window is None or today < window[0]:
            continue
        opens, due = window
        seen.add(rule.step)
        plans.append(LetterPlan(kind=rule.kind, case_key=case.key, step=rule.step, due=due,
                                reason=rule.reason.format(opens=f"{opens:%d/%m/%Y}", due=f"{due:%d/%m/%Y}")))
    return sorted(plans, key=lambda p: (p.due, p.step))


def pointless(case: Case, step: str) -> str | None:
    """Why a letter proposed for ``case`` no longer needs to leave, since an answer came (French), or None.
    Only what the caisse said counts here, never the calendar: a late letter is still hers to decide."""
    answered = case.dated("reclamation_answered")
    if step in ("saisine_conciliateur", "reclamation") and answered is not None:
        return f"la caisse a répondu à la réclamation le {answered:%d/%m/%Y}"
    if step in ("saisine_cra", "indu_explication"):
        if (decided := case.dated("cra_decision")) is not None:
            return f"la commission de recours amiable a rendu sa décision le {decided:%d/%m/%Y}"
        if (referred := case.dated("cra_referred")) is not None:
            return f"la commission de recours amiable est saisie depuis le {referred:%d/%m/%Y}"
    if step in ("relance1", "relance2", "mise_en_demeure") and case.type is not CaseType.UNPAID_LOT:
        return "la caisse a traité le lot depuis"
    return None


# --------------------------------------------------------------------------- what each letter needs


# --------------------------------------------------------------------------- the ANNULER command


