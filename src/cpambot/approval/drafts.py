"""Draft rules, pure: a letter plan becomes a draft, a postponed draft wakes up, a code is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from cpambot import labels
from cpambot.approval.model import Draft, DraftEvent, DraftState
from cpambot.letters.model import Letter, LetterPlan, MissingInfo


def draft_key(case_key: str, step: str) -> str:
    """One draft per step of a case: the same letter is never drafted twice for it."""
    return f"{case_key}|{step}"


def code_for(number: int) -> str:
    """The digest code of the ``number``-th draft: A1 … A999, then B1… (short to type on a phone)."""
    letter = chr(ord("A") + ((number - 1) // 999) % 26)
    return f"{letter}{(number - 1) % 999 + 1}"


def new_draft(plan: LetterPlan, result: Letter | MissingInfo, existing: Draft | None, *, code: str,
              case_id: str, token_hash: str, token_expires: datetime, now: datetime) -> Draft | None:
    """The draft for ``plan`` (a letter to approve, or what it still needs); None when this step
    already has a draft, or still misses the very same information. A letter that did not arrive
    (bounced) is drafted again only once its recipients changed (the caisse's address corrected in
    the configuration): to the same address it would come back again."""
    if existing is not None and existing.state is DraftState.BOUNCED:
        if isinstance(result, MissingInfo) \
                or {a.lower() for a in result.to} == {a.lower() for a in existing.to}:
            return None
    elif existing is not None and existing.state is not DraftState.MISSING:
        return None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    subject = body = ""
    channel = "courriel"
    if isinstance(result, MissingInfo):
        if existing is not None and existing.missing == result.missing:
            return None
        state, missing = DraftState.MISSING, result.missing
    else:
        state, to, cc, subject, body = DraftState.PENDING, result.to, result.cc, result.subject, result.body
        channel = result.channel
    history = (existing.history if existing is not None else ()) + (DraftEvent(now, state.value),)
    return Draft(key=draft_key(plan.case_key, plan.step), code=existing.code if existing else code,
                 case_key=plan.case_key, case_id=case_id, kind=plan.kind, step=plan.step,
                 label=labels.LETTER_KIND[plan.kind], due=plan.due, reason=plan.reason, created=now,
                 state=state, token_hash=token_hash, token_expires=token_expires, to=to, cc=cc,
                 subject=subject, body=body, missing=missing, history=history, channel=channel)


def woken(draft: Draft, today: date) -> Draft:
    """A postponed draft is pending again from its day; any other draft is returned as it is."""
    until = draft.postponed_until
    if draft.state is DraftState.POSTPONED and (until is None or until <= today):
        return replace(draft, state=DraftState.PENDING)
    return draft


def awaiting(drafts: list[Draft]) -> list[Draft]:
    """The drafts a digest shows (to approve, or missing information), by due date then code."""
    shown = [d for d in drafts if d.state in (DraftState.PENDING, DraftState.MISSING)]
    return sorted(shown, key=lambda d: (d.due, d.code))
