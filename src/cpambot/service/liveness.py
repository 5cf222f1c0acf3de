"""Which loops of the service still make progress: the ground for systemd's watchdog.

Each loop (the scheduler, each mailbox's job, each IDLE watcher) says before every blocking step how
long that step may take at most (``beat(name, now, within)``); a loop whose promise ran out is stuck.
Every network call is already bounded by ``delai_reseau``; what this catches is what a socket timeout
does not — a server trickling bytes without ever ending its line, a name lookup that never returns, a
bug. While one loop is stuck the watchdog is no longer fed, and systemd restarts the service.
Times are ``time.monotonic()`` values passed in.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Stuck:
    """A loop that has not come back in time."""

    name: str
    late: float  # seconds past its promise


class Liveness:
    """Promises of the service's loops; safe to use from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[str, float] = {}

    def beat(self, name: str, now: float, within: float) -> None:
        """``name`` is alive at ``now`` and will beat again (or be done) within ``within`` seconds."""
        with self._lock:
            self._deadlines[name] = now + within

    def done(self, name: str) -> None:
        """``name`` waits for nothing (a job between runs, a watcher that ended on purpose)."""
        with self._lock:
            self._deadlines.pop(name, None)

    def stuck(self, now: float) -> list[Stuck]:
        """The loops whose promise ran out, most late first."""
        with self._lock:
            late = [Stuck(name, now - deadline) for name, deadline in self._deadlines.items()
                    if now > deadline]
        return sorted(late, key=lambda s: -s.late)
