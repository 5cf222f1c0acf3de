"""Which documents the daily maintenance calls settled, and in which month they are archived."""

from __future__ import annotations

from datetime import UTC, datetime

from cpambot.service.maintenance import ENDED_DRAFTS, ENDED_SENDS, case_rule, ended_rule, ledger_rule

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def test_ledger_rows_settle_once_read_and_old_or_ignored_past_retention():
    """GIVEN ledger rows WHEN judged on 6 December THEN a row read before 6 November is archived in its
    month, a recent one or one still to read is not, and an ignored row only past the 90 days."""
    rule = ledger_rule(NOW)
    assert rule({"state": "done", "first_seen": "2026-10-02T09:00:00+00:00"}) == "2026-10"
    assert rule({"state": "done", "first_seen": "2026-11-20T09:00:00+00:00"}) is None
    assert rule({"state": "seen", "first_seen": "2025-01-02T09:00:00+00:00"}) is None
    assert rule({"state": "failed", "first_seen": "2025-01-02T09:00:00+00:00"}) is None
    assert rule({"state": "ignored", "first_seen": "2026-10-02T09:00:00+00:00"}) is None
    assert rule({"state": "ignored", "first_seen": "2026-08-02T09:00:00+00:00"}) == "2026-08"
    assert rule({"state": "done"}) is None


def test_cases_settle_a_month_after_closing():
    """GIVEN cases WHEN judged THEN only one closed more than 30 days ago is archived, in its closing
    month; an open case never is, however old."""
    rule = case_rule(NOW)
    assert rule({"state": "closed", "closed": "2026-10-30"}) == "2026-10"
    assert rule({"state": "closed", "closed": "2026-11-20"}) is None
    assert rule({"state": "open", "closed": None, "opened": "2020-01-01"}) is None


def test_sends_and_drafts_settle_when_ended_and_drafts_only_with_their_case():
    """GIVEN e-mails and drafts WHEN judged THEN an ended one older than 30 days is archived; one still
    queued or uncertain is not; a draft whose case is still followed stays (the drafter must see every
    step drafted for it)."""
    sends = ended_rule(NOW, ENDED_SENDS)
    assert sends({"state": "sent", "created": "2026-09-01T10:00:00+00:00"}) == "2026-09"
    assert sends({"state": "uncertain", "created": "2026-01-01T10:00:00+00:00"}) is None
    assert sends({"state": "sent", "created": "2026-11-30T10:00:00+00:00"}) is None
    drafts = ended_rule(NOW, ENDED_DRAFTS, {"case-followed"})
    assert drafts({"state": "sent", "created": "2026-09-01T10:00:00+00:00", "case_key": "gone"}) == "2026-09"
    followed = {"state": "sent", "created": "2026-09-01T10:00:00+00:00", "case_key": "case-followed"}
    assert drafts(followed) is None
    assert drafts({"state": "pending", "created": "2026-01-01T10:00:00+00:00", "case_key": "gone"}) is None


def test_archived_mail_to_the_approver_loses_its_body_a_letter_to_the_caisse_never():
    """GIVEN an archived digest and an archived letter WHEN shrunk for the archive THEN the digest keeps
    everything but its body (marked dropped), the letter keeps every byte."""
    from cpambot.service.maintenance import without_own_mail_body

    digest = {"_key": "<d@x>", "purpose": "digest", "case_key": None, "draft_key": None, "raw_b64": "QUJD"}
    letter = {"_key": "<l@x>", "purpose": "reclamation", "case_key": "c", "draft_key": "d", "raw_b64": "QUJD"}
    assert without_own_mail_body(digest) == {**digest, "raw_b64": "", "body_dropped": True}
    assert without_own_mail_body(letter) is letter


def test_what_the_bot_remembers_of_its_mail_settles_after_a_month():
    """GIVEN remembered e-mails and replies WHEN judged on 6 December THEN one from October is archived in
    its month, one from last week is not, and one without a date stays."""
    from cpambot.service.maintenance import dated_rule

    rule = dated_rule(NOW)
    assert rule({"at": "2026-10-03T07:30:00+02:00", "kind": "digest"}) == "2026-10"
    assert rule({"at": "2026-12-01T07:30:00+01:00"}) is None
    assert rule({"kind": "notice"}) is None
