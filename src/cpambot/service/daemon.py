"""``cpambot run``: the long-running service, as systemd runs it (``Type=notify``).

APScheduler 3 runs one job per mailbox (see :mod:`cpambot.service.jobs`), with the settings a sleeping
NAS needs: one instance of a job at a time, missed runs coalesced into one, a generous grace time, and
a log line when a run is missed. IDLE watchers wake their mailbox's job. systemd is told READY once
every mailbox has been tried (a server down at boot must not make systemd kill the service that would
heal it: the STATUS line says which mailbox failed), a STATUS line after each run, and the watchdog is
fed only while every loop keeps its promises (:mod:`cpambot.service.liveness`). SIGHUP reloads the
configuration; SIGTERM stops after the run under way.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from cpambot import labels
from cpambot.clock import Clock, SystemClock
from cpambot.config.loader import load_config
from cpambot.config.model import Account, Config
from cpambot.errors import CpambotError, StoreError, StoreLockedError
from cpambot.mailbox.idle import IdleWatcher
from cpambot.mailbox.ingest import SyncReport
from cpambot.service.jobs import MailboxJob, Shared
from cpambot.service.liveness import Liveness
from cpambot.service.logs import set_log_timezone
from cpambot.service.notify import Notifier
from cpambot.service.poll import follow_up
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

STOP_TIMEOUT = 80  # under systemd's default TimeoutStopSec (90 s)
TICK = 30.0  # the scheduler's own heartbeat
CHECK_EVERY = 10.0  # how often the loops' promises are checked without a systemd watchdog


def job_id(account: Account) -> str:
    return f"boite:{account.name}"


class Service:
    """The running service: its jobs, watchers, and what it tells systemd."""

    def __init__(self, config: Config, store: Store, clock: Clock, notifier: Notifier) -> None:
        self.shared = Shared(config, store, clock, Liveness(), threading.Event())
        self.notifier = notifier
        self.scheduler = BlockingScheduler(
            timezone=config.timezone,
            executors={"default": ThreadPoolExecutor(max_workers=len(config.accounts) + 3)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": max(60, config.poll_interval)},
        )
        self.scheduler.add_listener(_on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
        self.jobs = [MailboxJob(a, self.shared, self._rescheduler(a), self._job_done)
                     for a in config.accounts]
        self.ready = False
        self._reported: set[str] = set()

    @property
    def config(self) -> Config:
        return self.shared.config

    # -- scheduling -----------------------------------------------------------------------

    def _rescheduler(self, account: Account) -> Callable[[float], None]:
        def reschedule(seconds: float) -> None:
            if self.shared.stopping.is_set():
                return
            when = self.shared.clock.now() + timedelta(seconds=seconds)
            try:
                self.scheduler.modify_job(job_id(account), next_run_time=when)
            except Exception:  # noqa: BLE001 - the scheduler is shutting down
                pass
        return reschedule

    def make_watcher(self, account: Account) -> IdleWatcher:
        job = next(j for j in self.jobs if j.account.name == account.name)
        name = f"veille IDLE du compte « {account.name} »"
        live = self.shared.liveness

        def beat(within: float | None) -> None:
            if within is None:
                live.done(name)
            else:
                live.beat(name, time.monotonic(), within)
        return IdleWatcher(account, job.wake, self.shared.stopping, beat=beat)

    def schedule(self) -> None:
        now = self.shared.clock.now()
        for job in self.jobs:
            self.scheduler.add_job(job, "interval", seconds=self.config.poll_interval, id=job_id(job.account),
                                   next_run_time=now)
        if not self.jobs:  # (no mailbox: letters and the digest are still followed up)
            self.scheduler.add_job(self._follow_up_only, "interval", seconds=self.config.poll_interval,
                                   id="suivi", next_run_time=now)
        self.scheduler.add_job(self._tick, "interval", seconds=TICK, id="battement", next_run_time=now)
        self.shared.make_watcher = self.make_watcher
        for account in self.config.accounts:
            if account.kind == "imap":
                self.shared.watchers[account.name] = self.make_watcher(account)

    def _tick(self) -> None:
        self.shared.liveness.beat("planificateur", time.monotonic(), 3 * TICK)

    def _follow_up_only(self) -> None:
        with self.shared.busy:
            if not self.shared.stopping.is_set():
                follow_up(self.config, self.shared.store, SyncReport(), clock=self.shared.clock)
        self._job_done(None)

    # -- what systemd is told ---------------------------------------------------------------

    def _job_done(self, _job: MailboxJob | None) -> None:
        status = self.status_line()
        if not self.ready and all(j.tried for j in self.jobs):
            self.ready = True
            self.notifier.ready(status)
            LOG.info("service prêt : %s", status)
        else:
            self.notifier.status(status)

    def status_line(self) -> str:
        """One French line for ``systemctl status``: the mailboxes in error, else when all were read."""
        failing = [j for j in self.jobs if j.error]
        if failing:
            return "; ".join(f"boîte « {j.account.name} » en erreur ({labels.count(j.failures, 'échec')}) : "
                             f"{j.error}"[:300] for j in failing)
        if not self.jobs:
            return "aucune boîte aux lettres configurée : suivi des courriers seulement"
        times = [j.last_ok for j in self.jobs if j.last_ok is not None]
        if not times:
            return "première relève en cours"
        tz = ZoneInfo(self.config.timezone)
        last = datetime.fromtimestamp(min(times), tz).strftime("%H:%M")
        read = labels.count(len(self.jobs), "boîte lue", "boîtes lues")
        return f"{read}, la plus ancienne lecture à {last}"

    def watch(self) -> None:
        """The watchdog's thread: fed while no loop is stuck; a stuck loop is said once, in French."""
        period = min(self.notifier.watchdog_seconds / 2, CHECK_EVERY) if self.notifier.watchdog_seconds \
            else CHECK_EVERY
        stopping = self.shared.stopping
        while not stopping.wait(period):
            stuck = self.shared.liveness.stuck(time.monotonic())
            names = {s.name for s in stuck}
            for late in stuck:
                if late.name not in self._reported:
                    after = ("le chien de garde de systemd n'est plus averti : le service va être redémarré"
                             if self.notifier.watchdog_seconds else "sans chien de garde systemd, rien ne le "
                             "redémarrera : redémarrez le service")
                    LOG.error("%s bloquée depuis %.0f s au-delà du délai prévu ; %s", late.name, late.late,
                              after)
            for name in self._reported - names:
                LOG.warning("%s repartie", name)
            self._reported = names
            if stuck:
                continue
            if self.ready:
                self.notifier.watchdog()
            else:
                self.notifier.extend_start(3 * period)

    # -- signals ----------------------------------------------------------------------------

    def reload_job(self) -> None:
        """The scheduler's one-off job for SIGHUP: it waits for a run under way, never mixes in."""
        with self.shared.busy:
            if not self.shared.stopping.is_set():
                self.reload()

    def reload(self) -> None:
        """SIGHUP: the configuration file read again; used only if it is valid and keeps the same data
        folder and mailboxes (those need a restart), else the running one stays, and the log says why."""
        config = self.config
        if config.path is None:
            LOG.error("rechargement impossible : la configuration n'a pas de fichier")
            return
        try:
            fresh = load_config(config.path)
        except CpambotError as exc:
            LOG.error("configuration %s invalide, la configuration en service est conservée : %s",
                      config.path, exc)
            return
        if fresh.data_dir != config.data_dir or fresh.accounts != config.accounts:
            LOG.error("la nouvelle configuration change le dossier de données ou les boîtes aux lettres : "
                      "redémarrez le service pour l'appliquer (la configuration en service est conservée)")
            return
        self.shared.config = fresh
        set_log_timezone(fresh.timezone)
        if fresh.poll_interval != config.poll_interval:
            for job in self.jobs:
                self.scheduler.reschedule_job(job_id(job.account), trigger="interval",
                                              seconds=fresh.poll_interval)
        LOG.warning("configuration %s rechargée", config.path)

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            LOG.info("rechargement de la configuration demandé (SIGHUP)")
            if not self.shared.stopping.is_set():
                self.scheduler.add_job(self.reload_job, id=f"reload-{time.monotonic_ns()}")
            return
        LOG.info("arrêt demandé (signal %d)", signum)
        self.notifier.stopping()
        self.shared.stopping.set()
        self.scheduler.shutdown(wait=False)

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self.on_signal)
        self.schedule()
        LOG.warning("cpambot démarré : relève toutes les %d s de %s", self.config.poll_interval,
                    labels.count(len(self.config.accounts), "compte"))
        for watcher in list(self.shared.watchers.values()):
            watcher.start()
        watchdog = threading.Thread(target=self.watch, name="chien-de-garde", daemon=True)
        watchdog.start()
        shared = self.shared
        try:
            self.scheduler.start()
        finally:
            shared.stopping.set()
            for watcher in list(shared.watchers.values()):
                watcher.join(timeout=10)
            # A run still under way (the scheduler returns at once on SIGTERM) finishes first: the
            # store is closed only when nothing writes to it any more.
            if not shared.busy.acquire(timeout=STOP_TIMEOUT):
                LOG.error("une relève n'a pas fini en %d s : arrêt quand même (le journal protège les "
                          "données)", STOP_TIMEOUT)
            shared.store.close()
            LOG.warning("cpambot arrêté")
        return 0


def _on_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        LOG.warning("relève manquée (machine en veille ?) prévue à %s", event.scheduled_run_time)
    elif event.exception is not None:
        LOG.error("relève interrompue par une erreur : %s", event.exception)


def run_daemon(config: Config, clock: Clock | None = None, notifier: Notifier | None = None) -> int:
    # APScheduler's own lines are English and about its mechanics (a run skipped because the job is
    # under way is expected: the job runs again itself); what matters is said in French above.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    clock = clock or SystemClock()
    try:
        store = Store.open(config.data_dir)
    except StoreLockedError:
        raise
    except StoreError as exc:  # (the digest lives in the store: the approvers are told directly)
        LOG.error("la base ne s'ouvre pas, le service s'arrête : %s", exc)
        from cpambot.service.store_alert import alert_store_failure

        try:
            alert_store_failure(config, str(exc), clock.now())
        except Exception as mail_error:  # noqa: BLE001 - the journal has said it already
            LOG.error("l'alerte par courriel n'a pas pu partir : %s", mail_error)
        raise
    return Service(config, store, clock, notifier or Notifier()).run()
