"""Her commands on cases (FAIT, PAYÉ, CLASSER, NOTE, REÇU, DÉTAIL), carried out once the reply passed
every check: the case changes as :mod:`cpambot.cases.by_hand` says, the draft a FAIT answers is no
longer proposed, and DÉTAIL's answer is written for the confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cpambot import labels
from cpambot.approval.case_commands import CASE_ACTIONS, day_parts
from cpambot.approval.commands import Command
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.model import OPEN_STATES, DraftState
from cpambot.cases import by_hand
from cpambot.cases.casebook import CaseBook
from cpambot.cases.describe import case_detail
from cpambot.cases.model import Case
from cpambot.letters.plan import DONE_DATES


def carry_out(commands: tuple[Command, ...], cases: CaseBook, drafts: DraftBook, *,
              today: date) -> tuple[list[str], list[str]]:
    """(one French line per command, the details DÉTAIL asked for)."""
    changes: list[str] = []
    details: list[str] = []
    for command in commands:
        if command.action not in CASE_ACTIONS:
            continue
        for case_id in command.codes:
            case = cases.by_id(case_id)
            if case is None:
                changes.append(f"{case_id} : aucun dossier ne porte ce numéro")
                continue
            if command.action == "detail":
                details.append(_detail(case, drafts, today))
                changes.append(f"{case_id} : détail du dossier ci-dessous")
                continue
            changed, message = _apply(command, case, cases, drafts, today)
            changes.append(message)
            if changed is not None:
                cases.save(changed)
    return changes, details


def _apply(command: Command, case: Case, cases: CaseBook, drafts: DraftBook,
           today: date) -> tuple[Case | None, str]:
    case_id = case.id
    if command.action == "paid":
        return by_hand.paid_by_hand(case, today, cases.settings)
    if command.action == "close":
        return by_hand.closed_by_hand(case, today, command.text or "", cases.settings)
    if command.action == "note":
        return by_hand.noted(case, today, command.text or "")
    if command.action == "received_on":
        parts = day_parts(command.text or "")
        day = by_hand.receipt_day(*parts, today=today) if parts else None
        if day is None:
            return None, f"{case_id} : date de réception « {command.text} » impossible, rien n'est changé"
        return by_hand.received_on(case, day, today, cases.settings)
    # FAIT: the letter still proposed for the case is the step she did herself, if there is one
    waiting = sorted((d for d in drafts.all() if d.case_key == case.key and d.state in OPEN_STATES),
                     key=lambda d: (d.due, d.code))
    if waiting and (date_key := DONE_DATES.get(waiting[0].step)):
        draft = waiting[0]
        changed, message = by_hand.done_by_hand(case, today, command.text, step=draft.label.lower(),
                                                step_date=date_key, settings=cases.settings)
        if changed is not case:
            drafts.save(replace(draft, state=DraftState.OBSOLETE, reason="fait par vous hors du robot"))
            message += f" ; le brouillon {draft.code} ne vous sera plus proposé"
        return changed, message
    return by_hand.done_by_hand(case, today, command.text, settings=cases.settings)


def _detail(case: Case, drafts: DraftBook, today: date) -> str:
    lines = [f"— {case_detail(case, today)}"]
    letters = sorted((d for d in drafts.all() if d.case_key == case.key), key=lambda d: d.created)
    if letters:
        lines.append("Courriers :")
        for d in letters:
            when = f", envoyé le {d.sent_at:%d/%m/%Y}" if d.sent_at else ""
            lines.append(f"  {d.code} – {d.label} – {labels.DRAFT_STATE[d.state]}{when}")
    return "\n".join(lines)
