"""The service's jobs: one per mailbox, each with its own schedule, back-off and error state.

A mailbox's job connects (outside the store's lock: a server that hangs or refuses delays no other
mailbox), then, holding the lock — the store has one writer —, syncs it and follows up (cases,
drafts, digest, delivery). A failure puts off that mailbox alone: first retry after 30 s, doubled at
each failure, jittered, capped at an hour; the log says when the next attempt is, and it comes then.
IDLE wakes its mailbox's job; a wake-up during a run makes it run again at once when it ends.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from cpambot import labels
from cpambot.clock import Clock
from cpambot.config.model import Account, Config
from cpambot.errors import MailboxError, SecretError
from cpambot.mailbox.idle import IdleWatcher
from cpambot.mailbox.protocol import Mailbox
from cpambot.service.liveness import Liveness
from cpambot.service.poll import connect, follow_up, sync_opened
from cpambot.service.report import sync_summary
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

RETRY_FIRST = 30.0
MAX_BACKOFF = 3600.0
STEP_LIMIT = 600.0  # a sync or a follow-up that has not moved for this long is stuck (the watchdog's view)


@dataclass
class Shared:
    """What every job of one service works with."""

    config: Config
    store: Store
    clock: Clock
    liveness: Liveness
    stopping: threading.Event
    busy: threading.Lock = field(default_factory=threading.Lock)  # held while the store is written
    watchers: dict[str, IdleWatcher] = field(default_factory=dict)  # account name -> its IDLE watcher
    make_watcher: Callable[[Account], IdleWatcher] | None = None


def backoff(failures: int, jitter: float = 1.0) -> float:
    """Seconds before the next attempt after ``failures`` failures in a row (``jitter``: 0.9–1.1)."""
    return min(MAX_BACKOFF, RETRY_FIRST * 2 ** (failures - 1)) * jitter


def in_words(seconds: float) -> str:
    """A delay as the log says it: "45 s", "4 min", "1 h"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


class MailboxJob:
    """The scheduled job of one mailbox. ``reschedule(seconds)`` moves its next run (0: at once)."""

    def __init__(self, account: Account, shared: Shared, reschedule: Callable[[float], None],
                 on_done: Callable[[MailboxJob], None] | None = None) -> None:
        self.account = account
        self.shared = shared
        self.reschedule = reschedule
        self.on_done = on_done
        self.name = f"relève du compte « {account.name} »"
        self.failures = 0
        self.tried = False
        self.error: str | None = None
        self.last_ok: float | None = None  # time.time() of the last good run
        self._again = threading.Event()

    def wake(self) -> None:
        """New mail (IDLE): run now, or again as soon as the current run ends."""
        if self.shared.stopping.is_set():
            return
        self._again.set()
        self.reschedule(0)

    def __call__(self) -> None:
        # New mail announced during a run is read by running again here, not by asking the scheduler:
        # it still counts this run as under way, and would skip the one asked for.
        while not self.shared.stopping.is_set():
            self._again.clear()
            self._once()
            if not self._again.is_set() or self.failures:
                return

    def _once(self) -> None:
        shared = self.shared
        self.revive_watcher()
        timeout = self.account.timeout
        opened: Mailbox | Exception
        shared.liveness.beat(self.name, time.monotonic(), 4 * timeout + 5)
        try:
            opened = connect(self.account, shared.config)
        except (MailboxError, SecretError) as exc:
            opened = exc
        finally:
            shared.liveness.done(self.name)  # (waiting for the lock is not being stuck)
        with shared.busy:
            try:
                if shared.stopping.is_set():
                    if not isinstance(opened, Exception):
                        opened.close()
                    return
                self._run(opened)
            finally:
                shared.liveness.done(self.name)
        if self.on_done is not None:
            self.on_done(self)

    def _beat(self) -> None:
        self.shared.liveness.beat(self.name, time.monotonic(), STEP_LIMIT)

    def _run(self, opened: Mailbox | Exception) -> None:
        shared, account = self.shared, self.account
        self._beat()
        watcher = shared.watchers.get(account.name)
        idle = watcher.is_alive() and not watcher.unsupported if watcher is not None else None
        sync = sync_opened(shared.config, shared.store, account, opened, clock=shared.clock, idle=idle,
                           progress=lambda *_: self._beat())
        report = follow_up(shared.config, shared.store, sync, clock=shared.clock, beat=self._beat)
        self.tried = True
        if sync.ok:
            if self.failures:
                LOG.warning("compte %s : relève rétablie après %s", account.name,
                            labels.count(self.failures, "échec"))
            self.failures = 0
            self.error = None
            self.last_ok = time.time()
            LOG.info("compte %s : relève terminée : %s", account.name,
                     sync_summary(report).replace("\n", " | "))
            return
        self.failures += 1
        self.error = "; ".join(sync.errors)
        delay = backoff(self.failures, random.uniform(0.9, 1.1))
        at = (shared.clock.now() + timedelta(seconds=delay)).astimezone(ZoneInfo(shared.config.timezone))
        LOG.error("compte %s : relève en erreur (%d de suite), prochaine tentative dans %s (à %s) : %s",
                  account.name, self.failures, in_words(delay), at.strftime("%H:%M:%S"), self.error)
        self.reschedule(delay)

    def revive_watcher(self) -> None:
        """This mailbox's IDLE watcher, if it died (a bug, an error nobody foresaw), is started again."""
        shared = self.shared
        watcher = shared.watchers.get(self.account.name)
        if watcher is None or shared.make_watcher is None or shared.stopping.is_set():
            return
        if not watcher.is_alive() and not watcher.unsupported:
            LOG.error("compte %s : la veille IDLE s'était arrêtée, elle est relancée", self.account.name)
            fresh = shared.make_watcher(self.account)
            shared.watchers[self.account.name] = fresh
            fresh.start()
