"""``cpambot run``: the long-running service, polling every account on a schedule.

APScheduler 3 with the settings a sleeping NAS needs: one instance of the job at
a time, missed runs coalesced into one, a generous grace time, and a log line
when a run is missed. Consecutive failures back off exponentially (up to one
hour) so that a dead server is not hammered.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler

from cpambot import labels
from cpambot.clock import Clock, SystemClock
from cpambot.config.loader import load_config
from cpambot.config.model import Account, Config
from cpambot.errors import CpambotError
from cpambot.mailbox.idle import IdleWatcher
from cpambot.service.logs import set_log_timezone
from cpambot.service.poll import poll_once
from cpambot.service.report import sync_summary
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

MAX_BACKOFF = 3600
STOP_TIMEOUT = 80  # under systemd's default TimeoutStopSec (90 s)


class Poller:
    """The polling job, with its failure back-off."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.failures = 0
        self.not_before = 0.0
        self.busy = threading.Lock()  # held during a poll: the store is not closed under it
        self.stopping = False
        self.watchers: list[IdleWatcher] = []  # whether each is alive goes into the digest's health
        self.make_watcher: Callable[[Account], IdleWatcher] | None = None
        self.on_reload: Callable[[Config], None] | None = None

    def revive_watchers(self) -> None:
        """A watcher that died (a bug, an error nobody foresaw) is started again, and it is said."""
        if self.make_watcher is None or self.stopping:
            return
        for index, watcher in enumerate(self.watchers):
            if not watcher.is_alive() and not watcher.unsupported:
                LOG.error("compte %s : la veille IDLE s'était arrêtée, elle est relancée",
                          watcher.account.name)
                fresh = self.make_watcher(watcher.account)
                self.watchers[index] = fresh
                fresh.start()

    def __call__(self) -> None:
        with self.busy:
            if not self.stopping:
                self._poll()

    def reload_job(self) -> None:
        """The scheduler's one-off job for SIGHUP: the reload waits for a poll under way, never mixes in."""
        with self.busy:
            if not self.stopping:
                self.reload()

    def reload(self) -> None:
        """SIGHUP: the configuration file read again; used only if it is valid and keeps the same data
        folder and mailboxes (those need a restart), else the running one stays, and the log says why."""
        path = self.config.path
        if path is None:
            LOG.error("rechargement impossible : la configuration n'a pas de fichier")
            return
        try:
            fresh = load_config(path)
        except CpambotError as exc:
            LOG.error("configuration %s invalide, la configuration en service est conservée : %s", path, exc)
            return
        if fresh.data_dir != self.config.data_dir or fresh.accounts != self.config.accounts:
            LOG.error("la nouvelle configuration change le dossier de données ou les boîtes aux lettres : "
                      "redémarrez le service pour l'appliquer (la configuration en service est conservée)")
            return
        self.config = fresh
        set_log_timezone(fresh.timezone)
        if self.on_reload is not None:
            self.on_reload(fresh)
        LOG.warning("configuration %s rechargée", path)

    def _poll(self) -> None:
        if time.monotonic() < self.not_before:
            LOG.info("relève reportée (attente après %s)", labels.count(self.failures, "échec"))
            return
        self.revive_watchers()
        idle = {w.account.name: w.is_alive() for w in self.watchers}
        report = poll_once(self.config, self.store, idle=idle)
        summary = sync_summary(report)
        if report.ok:
            self.failures = 0
            self.not_before = 0.0
            LOG.info("relève terminée : %s", summary.replace("\n", " | "))
        else:
            self.failures += 1
            delay = min(MAX_BACKOFF, self.config.poll_interval * 2 ** (self.failures - 1))
            self.not_before = time.monotonic() + delay
            LOG.error("relève en erreur (%d de suite), prochaine tentative dans %d s : %s",
                      self.failures, delay, "; ".join(report.errors))


def _on_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        LOG.warning("relève manquée (machine en veille ?) prévue à %s", event.scheduled_run_time)
    elif event.exception is not None:
        LOG.error("relève interrompue par une erreur : %s", event.exception)


def run_daemon(config: Config, clock: Clock | None = None) -> int:
    clock = clock or SystemClock()
    store = Store.open(config.data_dir)
    scheduler = BlockingScheduler(
        timezone=config.timezone,
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": max(60, config.poll_interval)},
    )
    scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    poller = Poller(config, store)
    scheduler.add_job(poller, "interval", seconds=config.poll_interval, id="poll",
                      next_run_time=clock.now())

    stopping = threading.Event()

    def wake_up() -> None:
        if not stopping.is_set():
            scheduler.modify_job("poll", next_run_time=clock.now())

    def make_watcher(account: Account) -> IdleWatcher:
        return IdleWatcher(account, wake_up, stopping)

    watchers = [make_watcher(account) for account in config.accounts if account.kind == "imap"]
    poller.make_watcher = make_watcher

    def stop(signum: int, _frame: FrameType | None) -> None:
        LOG.info("arrêt demandé (signal %d)", signum)
        stopping.set()
        scheduler.shutdown(wait=False)

    def reload(_signum: int, _frame: FrameType | None) -> None:
        LOG.info("rechargement de la configuration demandé (SIGHUP)")
        if not stopping.is_set():
            scheduler.add_job(poller.reload_job, id=f"reload-{time.monotonic_ns()}")

    def rescheduled(fresh: Config) -> None:
        if fresh.poll_interval != config.poll_interval:
            scheduler.reschedule_job("poll", trigger="interval", seconds=fresh.poll_interval)

    poller.on_reload = rescheduled
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    LOG.warning("cpambot démarré : relève toutes les %d s de %s",
                config.poll_interval, labels.count(len(config.accounts), "compte"))
    poller.watchers = watchers
    for watcher in watchers:
        watcher.start()
    try:
        scheduler.start()
    finally:
        stopping.set()
        poller.stopping = True
        for watcher in watchers:
            watcher.join(timeout=10)
        # A poll still running (the scheduler returns at once on SIGTERM) finishes first: the
        # store is closed only when nothing writes to it any more.
        if not poller.busy.acquire(timeout=STOP_TIMEOUT):
            LOG.error("une relève n'a pas fini en %d s : arrêt quand même (le journal protège les "
                      "données)", STOP_TIMEOUT)
        store.close()
        LOG.warning("cpambot arrêté")
    return 0
