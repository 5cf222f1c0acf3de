"""Wiring: from a Config to one poll: ingest every account, then process what was ingested."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock, FixedClock, SystemClock
from cpambot.config.model import Account, Config
from cpambot.errors import AuthenticationError, MailboxError, SecretError
from cpambot.instants import local_date
from cpambot.mailbox.ingest import FolderReport, Syncer, SyncReport
from cpambot.mailbox.retention import prune_daily
from cpambot.mailbox.sources import open_mailbox
from cpambot.randomness import Random, SystemRandom
from cpambot.sending.model import DeliveryReport
from cpambot.service.bootstrap import build_policy, build_shell
from cpambot.service.bounces import BounceDesk
from cpambot.service.health import record_health
from cpambot.service.processing import Processor, ProcessReport
from cpambot.service.replies import ReplyDesk
from cpambot.store.database import Store
from cpambot.store.raw import RawStore

LOG = logging.getLogger(__name__)


@dataclass
class PollReport:
    sync: SyncReport = field(default_factory=SyncReport)
    processing: ProcessReport = field(default_factory=ProcessReport)
    drafted: list[str] = field(default_factory=list)
    digest_id: str | None = None
    delivery: DeliveryReport | None = None

    @property
    def ok(self) -> bool:
        return self.sync.ok

    @property
    def errors(self) -> list[str]:
        return self.sync.errors


def make_clock(config: Config, today: date | None = None, now: datetime | None = None) -> Clock:
    """The clock of one run: the machine's, or stopped at ``now``, or — given only ``today`` (the
    demo, tests) — stopped at noon of that day in the professional's time zone."""
    if now is not None:
        return FixedClock(now)
    if today is not None:
        return FixedClock(datetime.combine(today, time(12), tzinfo=ZoneInfo(config.timezone)))
    return SystemClock()


def ingest(config: Config, store: Store, accounts: tuple[Account, ...] | None = None, *,
           clock: Clock | None = None, idle: Mapping[str, bool] | None = None) -> SyncReport:
    """One sync of every configured account (or of ``accounts``): ledger and raw copies only. Each
    account's health (last good reading, current error; ``idle``: whether its IDLE watcher is alive)
    is kept for the digest."""
    clock = clock or SystemClock()
    syncer = Syncer(store, RawStore(config.data_dir), build_policy(config), clock=clock)
    total = SyncReport()
    for account in accounts or config.accounts:
        mailbox = open_mailbox(account, state_dir=Path(config.data_dir))
        watched = (idle or {}).get(account.name)
        try:
            mailbox.open()
        except (MailboxError, SecretError) as exc:  # (a password file gone is a mailbox not read, too)
            LOG.error("%s", exc)
            total.errors.append(str(exc))
            for folder in account.folders:
                total.folders.append(FolderReport(account.name, folder, error=str(exc)))
            record_health(store, account.name, clock.now(), str(exc),
                          auth_failed=isinstance(exc, AuthenticationError | SecretError), idle=watched)
            continue
        try:
            report = syncer.sync_account(account.name, mailbox, account.folders)
        finally:
            mailbox.close()
        total.folders.extend(report.folders)
        total.errors.extend(report.errors)
        record_health(store, account.name, clock.now(), "; ".join(report.errors) or None, idle=watched)
    return total


def process(config: Config, store: Store, today: date | None = None,
            replies: ReplyDesk | None = None, *, clock: Clock | None = None,
            bounces: BounceDesk | None = None) -> ProcessReport:
    """Read every ingested message not yet processed and update the cases, as of ``today`` (or
    the day of ``clock``); the approver's replies go to ``replies`` and delivery reports to
    ``bounces`` when there are."""
    casebook = CaseBook(store, config.rules)
    if today is not None or clock is None:
        clock = make_clock(config, today)
    return Processor(store, RawStore(config.data_dir), casebook, caisses=config.caisses,
                     clock=clock, tz=ZoneInfo(config.timezone),
                     on_approver=replies.handle_message if replies else None,
                     on_bounce=bounces.handle_message if bounces else None).run()


def poll_once(config: Config, store: Store, accounts: tuple[Account, ...] | None = None,
              today: date | None = None, now: datetime | None = None, *,
              random: Random | None = None, idle: Mapping[str, bool] | None = None) -> PollReport:
    """What ``cpambot poll --once`` and each run of the service do: ingest, process, then —
    when sending is configured — draft the letters due, send the digest when it is due (or
    urgent), and deliver what the approver released."""
    clock = make_clock(config, today, now)
    sync = ingest(config, store, accounts, clock=clock, idle=idle)
    prune_daily(store, clock.now())
    tz = ZoneInfo(config.timezone)
    shell = None
    if config.smtp is not None:
        shell = build_shell(config, store, clock=clock, random=random or SystemRandom())
    report = PollReport(sync=sync, processing=process(config, store, today, shell.replies if shell else None,
                                                      clock=clock, bounces=shell.bounces if shell else None))
    if shell is not None:
        try:
            drafted = shell.drafter.propose_due(today or local_date(clock.now(), tz))
            report.drafted = [d.code for d in drafted]
            report.digest_id = shell.approver.send_digest()
        except Exception:  # noqa: BLE001 - whatever happens to the drafts, approved mail still leaves
            LOG.exception("préparation des brouillons ou du récapitulatif en erreur")
            report.sync.errors.append("préparation des brouillons ou du récapitulatif en erreur "
                                      "(voir le journal)")
        finally:
            report.delivery = shell.delivery.deliver()
            store.commit()
    return report
