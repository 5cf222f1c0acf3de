"""A mailbox job's back-off, and how the log says it."""

from __future__ import annotations

from cpambot.service.jobs import MAX_BACKOFF, backoff, in_words


def test_backoff_starts_at_30_s_doubles_and_stops_at_an_hour():
    """GIVEN failures in a row WHEN the next attempt is planned THEN it waits 30 s, 60 s, 120 s… never
    more than an hour; the jitter scales it."""
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == MAX_BACKOFF == 3600
    assert backoff(1, 1.1) == 33.0


def test_delays_are_said_in_seconds_minutes_or_hours():
    """GIVEN delays WHEN written for the journal THEN short ones in seconds, then minutes, then hours."""
    assert [in_words(s) for s in (29.6, 89, 120, 3960, 7200)] == ["30 s", "89 s", "2 min", "66 min",
                                                                 "2 h"]
