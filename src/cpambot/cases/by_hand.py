"""What the professional did herself, told by reply (FAIT, PAYÉ, CLASSER, NOTE, REÇU): pure transitions of
a case, each with its history line and its deadlines counted again, and the French line confirming it.

Each returns ``(case, message)``; a command that does not fit the case returns the case unchanged and
says why (never a guess: "REÇU C3 12/11" on a case without a registered letter changes nothing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cpambot.cases.model import Case, CaseState, CaseType, HistoryEntry
from cpambot.cases.rules import case_deadlines
from cpambot.config.model import DEFAULT_RULES, RuleSettings

# the dates a registered letter's receipt replaces, the latest letter first (its deadlines run from it)
RECEIPT_DATES = (("cra_decision", "décision de la commission de recours amiable"),
                 ("mise_en_demeure", "mise en demeure"), ("notified", "notification d'indu"))
RECEIPT_ASKED = "reception_a_preciser"  # a paper letter whose day of receipt she has not said yet
LETTER_UNDATED = "courrier_non_date"  # a paper letter whose date OCR could not read
# the date each kind of letter sets on its case (the one a day of receipt replaces)
RECEIPT_KEYS = {"indu_notified": "notified", "mise_en_demeure": "mise_en_demeure",
                "cra_decision": "cra_decision"}


def _moved(case: Case, day: date, kind: str, text: str, settings: RuleSettings, **changes: object) -> Case:
    moved = replace(case, updated=day, history=(*case.history, HistoryEntry(day, kind, text, "", day)),
                    **changes)  # type: ignore[arg-type]
    return replace(moved, deadlines=case_deadlines(moved, settings))


def done_by_hand(case: Case, day: date, text: str | None, *, step: str | None = None,
                 step_date: str | None = None, settings: RuleSettings = DEFAULT_RULES) -> tuple[Case, str]:
    """FAIT C3: the step she was expected to take is done, outside the bot. ``step_date``: the date a
    letter step records (a draft of the case still waiting: she sent it herself, or filed it on
    amelipro); else the pièces asked, else the correction of a rejected invoice."""
    said = f" : {text}" if text else ""
    if case.is_closed:
        return case, f"{case.id} : dossier déjà clos, rien n'est changé"
    if step_date is not None:
        done = _moved(case, day, "done_by_hand", f"{step or 'étape'} faite par vous hors du robot{said}",
                      settings, dates={**case.dates, step_date: day}, state=CaseState.WAITING,
                      status=f"{step or 'étape'} faite par vous le {day:%d/%m/%Y}, en attente de réponse")
        return done, (f"{case.id} : noté, {step or 'étape'} faite par vous ; la réponse de la caisse est "
                      "attendue")
    if "pieces_requested" in case.dates and "pieces_sent" not in case.dates:
        done = _moved(case, day, "done_by_hand", f"pièces envoyées par vous{said}", settings,
                      dates={**case.dates, "pieces_sent": day}, state=CaseState.WAITING,
                      status=f"pièces envoyées le {day:%d/%m/%Y}, en attente du traitement de la caisse")
        return done, f"{case.id} : noté, pièces envoyées ; plus de rappel pour elles"
    if case.type is CaseType.INVOICE and case.state is CaseState.OPEN:
        done = _moved(case, day, "done_by_hand", f"facture corrigée ou renvoyée par vous{said}", settings,
                      dates={**case.dates, "retransmitted": day}, state=CaseState.WAITING,
                      status=f"facture renvoyée le {day:%d/%m/%Y}, en attente du paiement")
        return done, f"{case.id} : noté, facture renvoyée ; le paiement est attendu"
    done = _moved(case, day, "done_by_hand", f"fait par vous{said}", settings, state=CaseState.WAITING,
                  status=f"fait par vous le {day:%d/%m/%Y}{said}, en attente de la caisse")
    return done, f"{case.id} : noté, en attente de la caisse"


def paid_by_hand(case: Case, day: date, settings: RuleSettings = DEFAULT_RULES) -> tuple[Case, str]:
    """PAYÉ C3: the payment is on her account: the case is closed, its letters will not leave."""
    if case.is_closed:
        return case, f"{case.id} : dossier déjà clos, rien n'est changé"
    closed = _moved(case, day, "paid_by_hand", "paiement vu par vous sur votre compte", settings,
                    state=CaseState.CLOSED, closed=day, status="payé (vu par vous sur votre compte)")
    return closed, f"{case.id} : noté payé, dossier clos ; ses courriers en attente ne partiront pas"


def closed_by_hand(case: Case, day: date, motif: str,
                   settings: RuleSettings = DEFAULT_RULES) -> tuple[Case, str]:
    """CLASSER C3 motif: the case is closed for her reason."""
    if case.is_closed:
        return case, f"{case.id} : dossier déjà clos, rien n'est changé"
    closed = _moved(case, day, "closed_by_hand", f"classé par vous : {motif}", settings,
                    state=CaseState.CLOSED, closed=day, status=f"classé : {motif}")
    return closed, f"{case.id} : classé ({motif}) ; ses courriers en attente ne partiront pas"


def noted(case: Case, day: date, text: str) -> tuple[Case, str]:
    """NOTE C3 texte: her note in the case's history; nothing else changes."""
    entry = HistoryEntry(day, "note", f"note : {text}", "", day)
    return replace(case, updated=day, history=(*case.history, entry)), f"{case.id} : note ajoutée"


def receipt_day(day: int, month: int, year: int | None, today: date) -> date | None:
    """The day of "12/11" (no year: the last 12 November on or before today); None when impossible."""
    for candidate in ((year,) if year else (today.year, today.year - 1)):
        try:
            when = date(candidate, month, day)
        except ValueError:
            return None
        if when <= today:
            return when
    return None


def received_on(case: Case, day: date, today: date,
                settings: RuleSettings = DEFAULT_RULES, *, key: str | None = None) -> tuple[Case, str]:
    """REÇU C3 12/11: the registered letter of the case (its latest: CRA decision, mise en demeure,
    notification; or the one ``key`` names) was received that day: its deadlines are counted from it. A
    letter whose date could not be read (:data:`LETTER_UNDATED`) takes any day up to today."""
    found = receipt_letter(case, key)
    if found is None:
        return case, (f"{case.id} : ce dossier n'a pas de courrier recommandé dont la date de réception "
                      "compte ; rien n'est changé")
    key, label = found
    dated = case.dates.get(f"{key}_dated", case.dates[key])  # (the letter's own date, kept at the first REÇU)
    undated = LETTER_UNDATED in case.flags
    if day > today or not undated and day < dated:
        return case, (f"{case.id} : réception le {day:%d/%m/%Y} impossible ("
                      + (f"la {label} est datée du {dated:%d/%m/%Y}" if not undated else "jour à venir")
                      + ") ; rien n'est changé")
    said = "date du courrier non lue" if undated else f"datée du {dated:%d/%m/%Y}"
    moved = _moved(case, today, "received_on", f"{label} reçue le {day:%d/%m/%Y} (selon vous ; {said})",
                   settings, dates={**case.dates, key: day, f"{key}_dated": dated},
                   flags=tuple(f for f in case.flags if f != RECEIPT_ASKED))
    nearest = min((d.due for d in moved.deadlines), default=None)
    then = f" ; prochaine échéance le {nearest:%d/%m/%Y}" if nearest else ""
    return moved, f"{case.id} : {label} reçue le {day:%d/%m/%Y}, délais recomptés à partir de ce jour{then}"


def receipt_letter(case: Case, key: str | None = None) -> tuple[str, str] | None:
    """(date key, label) of the case's letter whose receipt counts: the one ``key`` names when the case
    has it, else its latest (see :data:`RECEIPT_DATES`)."""
    labels = dict(RECEIPT_DATES)
    if key is not None and key in case.dates and key in labels:
        return key, labels[key]
    return next(((k, label) for k, label in RECEIPT_DATES if k in case.dates), None)


def paper_received(case: Case, receipt: date | None, today: date,
                   settings: RuleSettings = DEFAULT_RULES, *, key: str | None = None,
                   undated: bool = False) -> Case:
    """A letter of the case came on paper (she sent a photo of it; ``key``: which, by the date it sets;
    ``undated``: its date was not read): its deadlines run from the day she said it reached her (as
    « REÇU C3 12/11 »); when she did not say, from the letter's date meanwhile (from the day she sent it
    when that date was not read), and the case asks her (:data:`RECEIPT_ASKED`). A letter she already
    dated is left as it is."""
    found = receipt_letter(case, key)
    if found is None or f"{found[0]}_dated" in case.dates:
        return case
    if undated and LETTER_UNDATED not in case.flags:
        case = replace(case, flags=(*case.flags, LETTER_UNDATED))
    moved = received_on(case, receipt, today, settings, key=found[0])[0] if receipt is not None else case
    if moved is case and RECEIPT_ASKED not in case.flags:
        return replace(case, flags=(*case.flags, RECEIPT_ASKED))
    return moved
