"""Instants and dates as cpambot stores and compares them: pure helpers, no clock read here."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cpambot.errors import InvalidValueError


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (UTC assumed for a naive one, as stored by older versions)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def utc_second(moment: datetime) -> datetime:
    """``moment`` aware (UTC assumed if naive), in UTC, to the second: what :func:`iso` writes."""
    return aware(moment).astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """The stored form of an instant: UTC, to the second (``2026-03-02T09:00:00+00:00``)."""
    return utc_second(moment).isoformat(timespec="seconds")


def parse_iso(value: str | None) -> datetime | None:
    """An instant stored by :func:`iso` (or any ISO form), aware; None for None or ''."""
    return aware(datetime.fromisoformat(value)) if value else None


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The professional's calendar date of an instant (deadlines count in local days)."""
    if moment.tzinfo is None:
        raise InvalidValueError("local_date needs an aware datetime")
    return moment.astimezone(tz).date()


def as_date(value: object) -> date | None:
    """A date from what a fact, a case or the store holds: a date, or a text starting with an ISO
    date; None when absent or unreadable (never a guess, never a crash)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
