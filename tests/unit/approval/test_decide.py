"""What a genuine reply decides, draft by draft: the pure function the shell carries out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cpambot.approval.checks import Verdict
from cpambot.approval.commands import parse_commands
from cpambot.approval.decide import Context, Effect, decide
from cpambot.approval.model import Draft, DraftEvent, DraftState
from cpambot.approval.tokens import hash_token

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
DIGEST = "<digest.1@cpambot.example.org>"
TOKEN = "abcdefghijklmnopqrstuvwx"


def draft(code: str, *, state=DraftState.PENDING, case_key="unpaid_lot|974|042|2026-03-02", **kw) -> Draft:
    base = Draft(key=f"{case_key}|{code}", code=code, case_key=case_key, case_id="C3", kind="relance1",
                 step=code, label="relance", due=TODAY, reason="1re relance", created=NOW, state=state,
                 token_hash=hash_token(TOKEN), token_expires=NOW + timedelta(days=7),
                 to=("reclamations@cgss.re",), subject="Relance – lot 042", body="Madame, Monsieur,",
                 digest_ids=(DIGEST,))
    return replace(base, **kw)


def run(text: str, *drafts: Draft, parent: str | None = DIGEST, listed=(), closed=(), sendings=None,
        tokens=(), draft_code=None):
    context = Context(drafts={d.code: d for d in drafts}, closed_cases=set(closed), sendings=sendings or {})
    verdict = Verdict(True, parent_id=parent, referenced=(parent,) if parent else ())
    return decide(parse_commands(text, draft_code=draft_code), context, verdict=verdict, tokens=tokens,
                  listed=listed, draft_code=draft_code, now=NOW, today=TODAY)


@pytest.mark.parametrize(("text", "drafts", "expected"), [
    ("OK A1", [draft("A1")], [("A1", Effect.APPROVE, "approuvé, envoi à reclamations@cgss.re")]),
    ("NON A1", [draft("A1")], [("A1", Effect.SAVE, "abandonné")]),
    ("REPORTER A1 3", [draft("A1")], [("A1", Effect.SAVE, "reporté au 23/03/2026")]),
    ("OK Z9", [draft("A1")], [("Z9", Effect.NONE, "aucun brouillon ne porte ce code")]),
    ("OK A1", [draft("A1", state=DraftState.SENT)], [("A1", Effect.NONE, "déjà traité (envoyé)")]),
    ("OK A1", [draft("A1", state=DraftState.MISSING, missing=("NIR de l'assuré",))],
     [("A1", Effect.NONE, "attend encore des informations (NIR de l'assuré)")]),
    ("OK A1", [draft("A1", body="Texte [À COMPLÉTER : date]")], [("A1", Effect.NONE, "À COMPLÉTER")]),
    ("OK A1", [draft("A1", used_at=NOW - timedelta(hours=1))], [("A1", Effect.NONE, "jeton déjà utilisé")]),
    ("OK A1", [draft("A1", token_expires=NOW - timedelta(seconds=1))],
     [("A1", Effect.NONE, "proposition expirée")]),
    ("OK A1", [draft("A1", digest_ids=())], [("A1", Effect.NONE, "ni jeton valide")]),
    ("OK A1\nNON A1", [draft("A1")], [("A1", Effect.NONE, "ordres contradictoires")]),
])
def test_each_decision(text, drafts, expected):
    """GIVEN an accepted reply to a digest that listed the drafts WHEN decided THEN each code gets its
    effect and its French sentence; a refusal changes nothing."""
    decisions = run(text, *drafts)
    assert [(d.code, d.effect) for d in decisions] == [(code, effect) for code, effect, _ in expected]
    for decision, (_, effect, words) in zip(decisions, expected, strict=True):
        assert words in decision.message
        assert (decision.draft is None) == (effect is Effect.NONE)


def test_ok_tout_approves_what_the_replied_digest_listed_only():
    """GIVEN a digest that listed A1 and A2 (not A3) WHEN "OK TOUT" THEN A1 and A2 are approved, in
    that order, and A3 is not touched."""
    decisions = run("OK TOUT", draft("A1"), draft("A2"), draft("A3"), listed=["A1", "A2"])
    assert [(d.code, d.effect) for d in decisions] == [("A1", Effect.APPROVE), ("A2", Effect.APPROVE)]
    assert all(d.draft is not None and d.draft.state is DraftState.APPROVED and d.draft.used_at == NOW
               for d in decisions)


def test_a_draft_of_a_closed_case_becomes_obsolete():
    """GIVEN a pending draft whose case closed (the caisse paid) WHEN approved THEN it is made obsolete,
    never sent."""
    (decision,) = run("OK A1", draft("A1"), closed={"unpaid_lot|974|042|2026-03-02"})
    assert decision.effect is Effect.SAVE and "est clos" in decision.message
    assert decision.draft is not None and decision.draft.state is DraftState.OBSOLETE


def test_a_token_releases_without_a_reply_to_the_digest():
    """GIVEN a reply that answers no digest but presents the draft's token WHEN approved THEN released;
    without the token THEN refused."""
    (released,) = run("OK A1", draft("A1", digest_ids=()), parent=None, tokens={TOKEN})
    assert released.effect is Effect.APPROVE
    (refused,) = run("OK A1", draft("A1", digest_ids=()), parent=None)
    assert refused.effect is Effect.NONE


def test_an_edit_in_a_reply_to_the_draft_replaces_its_text():
    """GIVEN a reply to A1's own e-mail with a full new text WHEN decided THEN the draft's new text,
    to be shown again before any OK."""
    notice = "<notice.1@cpambot.example.org>"
    text = "Madame, Monsieur, je conteste le rejet de la facture 000012345 pour les raisons suivantes."
    (decision,) = run(text, draft("A1", notice_id=notice), parent=notice, draft_code="A1")
    assert decision.effect is Effect.EDIT and decision.draft is not None
    assert decision.draft.body == text and decision.draft.state is DraftState.PENDING


@pytest.mark.parametrize(("text", "state", "effect", "words"), [
    ("RENVOYER A1", "uncertain", Effect.RESEND, "sera renvoyé"),
    ("RENVOYER A1", "failed", Effect.RESEND, "sera renvoyé"),
    ("RENVOYER A1", "sent", Effect.NONE, "rien à renvoyer (sent)"),
    ("RENVOYER A1", None, Effect.NONE, "rien à renvoyer (pas d’envoi)"),
    ("REÇU A1", "uncertain", Effect.DELIVERED, "bien reçu"),
    ("REÇU A1", "failed", Effect.NONE, "aucun envoi incertain"),
])
def test_sending_decisions_follow_the_outbox_state(text, state, effect, words):
    """GIVEN an approved draft whose e-mail is in a given outbox state WHEN RENVOYER or REÇU THEN only
    an uncertain (or, to resend, failed) e-mail is acted upon."""
    sent = draft("A1", state=DraftState.APPROVED, message_id="<a1@x>")
    (decision,) = run(text, sent, sendings={"<a1@x>": state} if state else {})
    assert decision.effect is effect and words in decision.message


def test_resend_of_a_draft_never_approved():
    """GIVEN a pending draft (no e-mail yet) WHEN RENVOYER THEN nothing to resend."""
    (decision,) = run("RENVOYER A1", draft("A1"))
    assert decision.effect is Effect.NONE and "aucun envoi à renvoyer" in decision.message


def test_order_of_the_confirmation():
    """GIVEN approvals, a rejection, a postponement, a re-sending and a conflict in one reply WHEN decided
    THEN the decisions come in the confirmation's order: approvals, then the others as written,
    then the sendings, then the conflicts."""
    sent = draft("B1", state=DraftState.APPROVED, message_id="<b1@x>")
    decisions = run("REPORTER A2 2\nRENVOYER B1\nOK A1\nNON A3\nOK A4\nNON A4", draft("A1"), draft("A2"),
                    draft("A3"), draft("A4"), sent, sendings={"<b1@x>": "uncertain"})
    assert [d.code for d in decisions] == ["A1", "A2", "A3", "B1", "A4"]


def to_post(**kw) -> Draft:
    approved = draft("A1", state=DraftState.TO_POST, channel="courrier", **kw)
    return replace(approved, history=(DraftEvent(NOW - timedelta(days=3), "approve"),))


@pytest.mark.parametrize(("text", "posted", "words"), [
    ("POSTÉ A1 1A23456789012", TODAY, "posté en recommandé le 20/03/2026 (n° de suivi 1A23456789012)"),
    ("POSTÉ A1 le 18/03 1A23456789012", date(2026, 3, 18), "le 18/03/2026"),
    ("POSTÉ A1 17/03", date(2026, 3, 17), "le 17/03/2026"),
])
def test_a_letter_is_posted_on_the_day_she_names(text, posted, words):
    """GIVEN a registered letter approved on 17/03 and waiting to be posted WHEN « POSTÉ A1 » with no day,
    or with the day she posted it THEN it is sent on that day (the case will be dated from it)."""
    (decision,) = run(text, to_post())
    assert decision.effect is Effect.FILED and words in decision.message
    assert decision.draft is not None and decision.draft.sent_at is not None
    assert decision.draft.sent_at.date() == posted and decision.draft.state is DraftState.SENT


@pytest.mark.parametrize(("text", "words"), [
    ("POSTÉ A1 16/03", "date de dépôt 16/03/2026 antérieure à votre accord"),
    ("POSTÉ A1 21/03/2026", "date de dépôt « 21/03/2026 » impossible"),
    ("POSTÉ A1 31/02", "date de dépôt « 31/02 » impossible"),
])
def test_a_posting_day_before_the_approval_or_in_the_future_is_refused(text, words):
    """GIVEN the letter approved on 17/03 WHEN she names a day before it, in the future or impossible
    THEN nothing is recorded and the confirmation says why."""
    (decision,) = run(text, to_post())
    assert decision.effect is Effect.NONE and words in decision.message
    assert "rien n'est noté" in decision.message
