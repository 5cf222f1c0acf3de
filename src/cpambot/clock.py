"""The one clock of cpambot: the shell reads time through a :class:`Clock` and passes instants in.

The functional core (decoders, classifiers, case rules, letters, approval decisions) never reads
the time: it receives ``now`` (an aware UTC datetime) or ``today`` (the professional's local
date) as parameters. The shell creates one clock (:class:`SystemClock`, or a :class:`FixedClock`
for the demo and the tests) and hands it to every part that needs the time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from cpambot.instants import aware


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
