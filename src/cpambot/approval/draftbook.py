"""The draft book: the drafts kept in the store (the imperative side of :mod:`.drafts` and :mod:`.decide`).

One document per (case, step) in table ``drafts``, the :class:`~cpambot.approval.model.Draft`
turned into a dict; the counter ``counters/draft`` numbers their codes (``A7``). Sending, and the
states after it, belong to the outbox; the draft keeps the Message-ID that links both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

from cpambot.approval import drafts as rules
from cpambot.approval.model import Draft, DraftState
from cpambot.letters.model import Letter, LetterPlan, MissingInfo
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

DRAFTS = "drafts"
COUNTERS = "counters"


class DraftBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading --------------------------------------------------------------------

    def all(self) -> Iterator[Draft]:
        return (Draft.from_doc(doc) for doc in self.store.values(DRAFTS))

    def get(self, key: str) -> Draft | None:
        doc = self.store.get(DRAFTS, key)
        return Draft.from_doc(doc) if doc is not None else None

    def by_code(self, code: str) -> Draft | None:
        key = self.store.find(DRAFTS, "code", code.upper())
        return self.get(key) if key else None

    def by_codes(self) -> dict[str, Draft]:
        return {draft.code: draft for draft in self.all()}

    def steps_done(self, case_key: str) -> set[str]:
        """Steps of a case already drafted (whatever became of the draft)."""
        return self.steps_by_case().get(case_key, set())

    def steps_by_case(self) -> dict[str, set[str]]:
        """Every case's steps already drafted, in one pass over the stored drafts (none is parsed)."""
        steps: dict[str, set[str]] = {}
        for doc in self.store.values(DRAFTS):
            if doc["state"] not in (DraftState.MISSING, DraftState.BOUNCED):  # (to draft again)
                steps.setdefault(doc["case_key"], set()).add(doc["step"])
        return steps

    def awaiting(self, today: date) -> list[Draft]:
        """Drafts to show in the digest, oldest first (a postponed draft whose day came is pending again)."""
        current = []
        for draft in self.all():
            awake = rules.woken(draft, today)
            if awake is not draft:
                self.save(awake)
            current.append(awake)
        return rules.awaiting(current)

    # -- writing --------------------------------------------------------------------

    def save(self, draft: Draft) -> None:
        self.store.put(DRAFTS, draft.key, draft.to_doc())

    def next_code(self) -> str:
        counter = self.store.get(COUNTERS, "draft") or {"next": 1}
        number = int(counter["next"])
        self.store.put(COUNTERS, "draft", {"next": number + 1})
        return rules.code_for(number)

    def propose(self, plan: LetterPlan, result: Letter | MissingInfo, *, case_id: str,
                token_hash: str, token_expires: datetime, now: datetime) -> Draft | None:
        """Record a new draft (or the missing information for it); None if this step already has one."""
        existing = self.get(rules.draft_key(plan.case_key, plan.step))
        if existing is not None and existing.state not in (DraftState.MISSING, DraftState.BOUNCED):
            return None
        draft = rules.new_draft(plan, result, existing, code=existing.code if existing else "",
                                case_id=case_id, token_hash=token_hash, token_expires=token_expires, now=now)
        if draft is None:
            return None  # still missing the same information
        if existing is None:
            draft = replace(draft, code=self.next_code())
        self.save(draft)
        LOG.info("brouillon %s (%s) pour le dossier %s : %s", draft.code, plan.kind, case_id, draft.state)
        return draft
