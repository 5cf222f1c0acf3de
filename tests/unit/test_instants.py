"""Instants and dates as cpambot stores them, and the clocks and random sources the shell passes in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from cpambot.clock import FixedClock
from cpambot.instants import as_date, iso, local_date, parse_iso, utc_second
from cpambot.randomness import SeededRandom, token_hex, token_urlsafe


def test_instants_are_stored_in_utc_to_the_second():
    """GIVEN an instant in La Réunion's offset with microseconds WHEN stored THEN UTC, to the second,
    and read back aware; a naive one (older stores) is taken as UTC."""
    moment = datetime(2026, 3, 2, 13, 0, 5, 999, tzinfo=timezone(timedelta(hours=4)))
    assert iso(moment) == "2026-03-02T09:00:05+00:00"
    assert parse_iso(iso(moment)) == utc_second(moment) == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert parse_iso("2026-03-02T09:00:05") == datetime(2026, 3, 2, 9, 0, 5, tzinfo=UTC)
    assert parse_iso("") is None


def test_the_local_date_is_the_professionals():
    """GIVEN 22:30 UTC on 1 March WHEN seen from La Réunion THEN it is already 2 March there."""
    reunion = ZoneInfo("Indian/Reunion")
    assert local_date(datetime(2026, 3, 1, 22, 30, tzinfo=UTC), reunion) == date(2026, 3, 2)


def test_as_date_never_guesses_nor_crashes():
    """GIVEN what a fact or a case may hold WHEN read as a date THEN a date, or None for nothing or
    an unreadable text (a letter then asks for it)."""
    assert as_date(date(2026, 3, 2)) == date(2026, 3, 2)
    assert as_date(datetime(2026, 3, 2, 9, 0)) == date(2026, 3, 2)
    assert as_date("2026-03-02T09:00:00+00:00") == date(2026, 3, 2)
    assert as_date("02/03/2026") is None
    assert as_date(None) is None and as_date("") is None


def test_a_fixed_clock_moves_only_when_told():
    """GIVEN a fixed clock WHEN read twice, then advanced THEN the same instant, then the later one."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0))
    assert clock.now() == clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert clock.advance(minutes=5) == clock.now() == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


def test_a_seeded_source_repeats_and_a_different_seed_differs():
    """GIVEN two sources with the same seed and one with another WHEN tokens are drawn THEN the first two
    give the same tokens (the demo repeats), the third others; tokens have the expected form."""
    first, again, other = SeededRandom("x"), SeededRandom("x"), SeededRandom("y")
    assert token_hex(first, 16) == token_hex(again, 16) != token_hex(other, 16)
    assert len(token_hex(first, 16)) == 32
    assert "=" not in token_urlsafe(first, 18) and len(token_urlsafe(again, 18)) == 24
