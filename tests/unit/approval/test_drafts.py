"""Draft rules and the approver's decisions on one draft, as pure functions (no store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from cpambot.approval.decide import Effect, apply_decision
from cpambot.approval.drafts import awaiting, code_for, draft_key, new_draft, woken
from cpambot.approval.model import Draft, DraftState
from cpambot.letters.model import Letter, LetterPlan, MissingInfo

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
CASE_KEY = "unpaid_lot|974|042|2026-03-02"


def letter(kind="relance1"):
    return Letter(kind, ("reclamations@cgss.re",), "Relance – lot 042", "Madame, Monsieur,\n…")


def draft(step="relance1", result=None, existing=None, expires=NOW + timedelta(days=7),
          code="A1") -> Draft | None:
    plan = LetterPlan("relance1", CASE_KEY, step, TODAY + timedelta(days=5), "1re relance")
    return new_draft(plan, result or letter(), existing, code=code, case_id="C3", token_hash="h",
                     token_expires=expires, now=NOW)


def pending(**kw) -> Draft:
    made = draft(**kw)
    assert made is not None
    return made


def test_codes_are_short_and_follow_each_other():
    """GIVEN the draft counter WHEN numbered THEN A1…A999, then B1: short enough to type on a phone."""
    assert [code_for(n) for n in (1, 2, 999, 1000, 1001)] == ["A1", "A2", "A999", "B1", "B2"]
    assert draft_key(CASE_KEY, "relance1") == f"{CASE_KEY}|relance1"


def test_one_draft_per_step():
    """GIVEN a relance already drafted for a step WHEN proposed again THEN nothing new."""
    first = pending()
    assert first.code == "A1" and first.state is DraftState.PENDING and first.key == f"{CASE_KEY}|relance1"
    assert draft(existing=first) is None


def test_missing_information_then_completed():
    """GIVEN a letter that misses an address WHEN proposed THEN it waits as 'missing'; the same missing
    information again gives nothing new; WHEN the information arrives THEN the same code becomes a
    pending draft, which can be approved."""
    missing = MissingInfo("relance1", CASE_KEY, "relance1", ("adresse « reclamation » de la caisse 974",))
    waiting = pending(result=missing)
    assert waiting.state is DraftState.MISSING and waiting.code == "A1" and waiting.to == ()
    assert draft(result=missing, existing=waiting) is None  # same missing information: nothing new
    completed = pending(existing=waiting, code="A9")
    assert completed.code == "A1" and completed.state is DraftState.PENDING
    assert [e.event for e in completed.history] == ["missing", "pending"]
    assert apply_decision(completed, "approve", NOW, today=TODAY).effect is Effect.APPROVE


def test_decisions_are_single_use():
    """GIVEN a pending draft WHEN approved THEN it is approved, marked used; WHEN approved or rejected
    again THEN refused, in French."""
    decision = apply_decision(pending(), "approve", NOW, today=TODAY)
    assert decision.effect is Effect.APPROVE and "approuvé" in decision.message
    approved = decision.draft
    assert approved is not None and approved.state is DraftState.APPROVED and approved.used_at == NOW
    again = apply_decision(approved, "reject", NOW, today=TODAY)
    assert again.effect is Effect.NONE and "déjà traité" in again.message


def test_postpone_and_expiry():
    """GIVEN a draft WHEN postponed 3 days THEN it leaves the digest until then; GIVEN an expired
    proposal WHEN approved THEN refused."""
    decision = apply_decision(pending(), "postpone", NOW, today=TODAY, days=3)
    postponed = decision.draft
    assert decision.effect is Effect.SAVE and postponed is not None and "23/03/2026" in decision.message
    assert awaiting([woken(postponed, TODAY)]) == []
    assert [d.code for d in awaiting([woken(postponed, TODAY + timedelta(days=3))])] == ["A1"]
    late = apply_decision(pending(step="relance2", expires=NOW - timedelta(minutes=1)), "approve", NOW,
                          today=TODAY)
    assert late.effect is Effect.NONE and "expirée" in late.message


def test_edit_replaces_text_but_does_not_send():
    """GIVEN a draft WHEN the approver sends a new text THEN the body is replaced, the old one kept,
    it still waits, and only a new e-mail showing it may release it."""
    listed = replace(pending(), digest_ids=("<d1@x>",))
    decision = apply_decision(listed, "edit", NOW, today=TODAY, text="Mon texte")
    edited = decision.draft
    assert decision.effect is Effect.EDIT and edited is not None
    assert edited.body == "Mon texte" and edited.state is DraftState.PENDING
    assert edited.previous_bodies == (listed.body,) and edited.digest_ids == ()


def test_a_postponed_draft_wakes_on_its_day_only():
    """GIVEN a draft postponed to 23 March WHEN looked at on the 22nd, then the 23rd THEN it sleeps,
    then it is pending again."""
    postponed = replace(pending(), state=DraftState.POSTPONED, postponed_until=date(2026, 3, 23))
    assert woken(postponed, date(2026, 3, 22)) is postponed
    assert woken(postponed, date(2026, 3, 23)).state is DraftState.PENDING


def test_a_draft_survives_the_store_format_unchanged():
    """GIVEN a draft with its history, digests and postponement WHEN turned into the store's dict and
    back THEN the same value, and the dict keeps its keys' text forms."""
    value = replace(pending(), state=DraftState.POSTPONED, postponed_until=date(2026, 3, 23),
                    digest_ids=("<d1@x>",), used_at=NOW)
    doc = value.to_doc()
    assert Draft.from_doc(doc) == value
    assert doc["state"] == "postponed" and doc["due"] == "2026-03-25"
    assert doc["created"] == "2026-03-20T09:00:00+00:00"


def test_a_letter_that_did_not_arrive_is_drafted_again_only_to_a_new_address():
    """GIVEN a relance whose e-mail bounced WHEN the step is planned again with the same recipient THEN
    nothing new (it would come back again); WHEN the caisse's address was corrected THEN it is drafted
    again, pending, under the same code, its history kept."""
    bounced = replace(pending(), state=DraftState.BOUNCED, error="non distribué")
    assert draft(existing=bounced) is None
    moved = Letter("relance1", ("RECLAMATIONS@CGSS.RE",), "Relance – lot 042", "…")
    assert draft(existing=bounced, result=moved) is None  # (the same address, in capitals)
    fixed = Letter("relance1", ("ps@cgss.re",), "Relance – lot 042", "Madame, Monsieur,\n…")
    again = draft(existing=bounced, result=fixed, code="B7")
    assert again is not None and again.state is DraftState.PENDING and again.code == "A1"
    assert again.to == ("ps@cgss.re",) and len(again.history) == len(bounced.history) + 1
