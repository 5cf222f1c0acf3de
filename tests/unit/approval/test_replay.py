"""A reply is obeyed once: its keys across deliveries, and the dates that forbid obeying it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cpambot.approval.replay import date_problem, reply_keys

NOW = datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def keys(**changes):
    values = {"message_id": "<AbC.1@example.org>", "sender": "marie@example.org",
              "in_reply_to": ("<digest.1@cpambot.example.org>",), "references": (), "text": "OK A1\n\nMarie"}
    return reply_keys(**{**values, **changes})


def test_the_same_reply_has_the_same_keys_whatever_its_white_space_and_identifier_case():
    """GIVEN one reply WHEN it comes again with its Message-ID in other case, or its lines re-wrapped
    THEN its keys are the same."""
    assert keys() == keys(message_id="abc.1@EXAMPLE.org") == keys(text="OK  A1\r\n\r\nMarie ")


def test_the_same_words_to_another_message_or_from_another_sender_are_another_decision():
    """GIVEN "OK A1" WHEN written to another digest, or by another approver THEN its words' key differs;
    WHEN written under another Message-ID to the same digest THEN its words' key is the same."""
    assert keys()[1] != keys(in_reply_to=("<digest.2@cpambot.example.org>",))[1]
    assert keys()[1] != keys(sender="paul@example.org")[1]
    assert keys()[1] == keys(message_id="<other@example.org>")[1]
    assert keys()[0] != keys(message_id="<other@example.org>")[0]


def test_a_reply_without_message_id_is_still_remembered_by_its_words():
    """GIVEN a reply without Message-ID WHEN its keys are made THEN the words' key alone remains."""
    assert len(keys(message_id=None)) == 1 and keys(message_id=None)[0].startswith("texte:")


def test_a_reply_written_after_the_message_it_answers_and_within_the_validity_fits():
    """GIVEN a digest sent at 08:00 WHEN the reply is dated 08:05, or 08:55 seen from a clock 5 minutes
    late THEN its date is no reason to refuse it."""
    sent = NOW - timedelta(hours=4)
    assert date_problem(sent + timedelta(minutes=5), answered_sent=sent, now=NOW, validity=WEEK) is None
    assert date_problem(sent - timedelta(minutes=5), answered_sent=sent, now=NOW, validity=WEEK) is None


def test_a_reply_dated_before_what_it_answers_older_than_the_validity_or_undated_is_refused():
    """GIVEN a digest sent at 08:00 WHEN a reply to it is dated the day before, or 8 days before now, or
    has no readable date THEN each is refused with its reason in French."""
    sent = NOW - timedelta(hours=4)
    before = date_problem(sent - timedelta(days=1), answered_sent=sent, now=NOW, validity=WEEK)
    assert before is not None and "avant le message auquel elle répond" in before
    old = date_problem(NOW - timedelta(days=8), answered_sent=None, now=NOW, validity=WEEK)
    assert old is not None and "plus ancienne que la validité des propositions (7 jours)" in old
    assert "sans date" in (date_problem(None, answered_sent=sent, now=NOW, validity=WEEK) or "")
