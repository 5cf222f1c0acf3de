"""The one clock of cpambot: the shell reads time through a :class:`Clock` and passes instants in.

The functional core (decoders, classifiers, case rules, letters, approval decisions) never reads
the time: it receives ``now`` (an aware UTC datetime) or ``today`` (the professional's local
date) as parameters. The shell creates one clock (:class:`SystemClock`, or a :class:`FixedClock`
for the demo and the tests) and hands it to every part that needs the time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from cpambot.errors import InvalidValueError


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that shows one instant until told to move (the demo, the tests)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = aware(moment)

    def now(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = aware(moment)

    def advance(self, **delta: float) -> datetime:
        self.moment = self.moment + timedelta(**delta)
        return self.moment


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (UTC assumed for a naive one, as stored by older versions)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    """The stored form of an instant: UTC, to the second (``2026-03-02T09:00:00+00:00``)."""
    return aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(value: str | None) -> datetime | None:
    """An instant stored by :func:`iso` (or any ISO form), aware; None for None or ''."""
    return aware(datetime.fromisoformat(value)) if value else None


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The professional's calendar date of an instant (deadlines count in local days)."""
    if moment.tzinfo is None:
        raise InvalidValueError("local_date needs an aware datetime")
    return moment.astimezone(tz).date()
