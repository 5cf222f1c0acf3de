"""Wiring: from a Config to one poll: ingest every account, then process what was ingested."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock, FixedClock, SystemClock
from cpambot.config.model import Account, Config
from cpambot.errors import AuthenticationError, MailboxError, SecretError
from cpambot.instants import local_date
from cpambot.mailbox.ingest import FolderReport, Progress, Syncer, SyncReport
from cpambot.mailbox.protocol import Mailbox
from cpambot.mailbox.sources import open_mailbox
from cpambot.randomness import Random, SystemRandom
from cpambot.sending.model import DeliveryReport
from cpambot.service.bootstrap import build_policy, build_shell
from cpambot.service.bounces import BounceDesk
from cpambot.service.health import record_health
from cpambot.service.maintenance import maintain_daily
from cpambot.service.ocr import PaperReader
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


def connect(account: Account, config: Config) -> Mailbox:
    """``account``'s mailbox, opened (MailboxError or SecretError when it cannot be)."""
    mailbox = open_mailbox(account, state_dir=Path(config.data_dir))
    mailbox.open()
    return mailbox


def sync_opened(config: Config, store: Store, account: Account, opened: Mailbox | Exception, *, clock: Clock,
                idle: bool | None = None, progress: Progress | None = None) -> SyncReport:
    """One account's sync once its mailbox is open (``opened``), or the error that kept it closed;
    either way its health (last good reading, current error; ``idle``: IDLE watcher alive) is kept."""
    total = SyncReport()
    if isinstance(opened, Exception):
        LOG.error("%s", opened)
        total.errors.append(str(opened))
        for folder in account.folders:
            total.folders.append(FolderReport(account.name, folder, error=str(opened)))
        record_health(store, account.name, clock.now(), str(opened),
                      auth_failed=isinstance(opened, AuthenticationError | SecretError), idle=idle)
        return total
    syncer = Syncer(store, RawStore(config.data_dir), build_policy(config), clock=clock, progress=progress)
    try:
        report = syncer.sync_account(account.name, opened, account.folders)
    finally:
        opened.close()
    total.folders.extend(report.folders)
    total.errors.extend(report.errors)
    record_health(store, account.name, clock.now(), "; ".join(report.errors) or None, idle=idle)
    return total


def ingest(config: Config, store: Store, accounts: tuple[Account, ...] | None = None, *,
           clock: Clock | None = None, idle: Mapping[str, bool] | None = None,
           progress: Progress | None = None) -> SyncReport:
    """One sync of every configured account (or of ``accounts``): ledger and raw copies only. Each
    account's health is kept for the digest (see :func:`sync_opened`)."""
    clock = clock or SystemClock()
    total = SyncReport()
    for account in config.accounts if accounts is None else accounts:
        opened: Mailbox | Exception
        try:
            opened = connect(account, config)
        except (MailboxError, SecretError) as exc:  # (a password file gone is a mailbox not read, too)
            opened = exc
        report = sync_opened(config, store, account, opened, clock=clock, idle=(idle or {}).get(account.name),
                             progress=progress)
        total.folders.extend(report.folders)
        total.errors.extend(report.errors)
    return total


def process(config: Config, store: Store, today: date | None = None,
            replies: ReplyDesk | None = None, *, clock: Clock | None = None,
            bounces: BounceDesk | None = None, beat: Callable[[], None] | None = None) -> ProcessReport:
    """Read every ingested message not yet processed and update the cases, as of ``today`` (or
    the day of ``clock``); the approver's replies go to ``replies`` and delivery reports to
    ``bounces`` when there are."""
    casebook = CaseBook(store, config.rules)
    if today is not None or clock is None:
        clock = make_clock(config, today)
    return Processor(store, RawStore(config.data_dir), casebook, caisses=config.caisses,
                     reader=PaperReader(config.data_dir), clock=clock, tz=ZoneInfo(config.timezone),
                     on_approver=replies.handle_message if replies else None,
                     on_bounce=bounces.handle_message if bounces else None, beat=beat).run()


def poll_once(config: Config, store: Store, accounts: tuple[Account, ...] | None = None,
              today: date | None = None, now: datetime | None = None, *,
              random: Random | None = None, idle: Mapping[str, bool] | None = None,
              progress: Progress | None = None) -> PollReport:
    """What ``cpambot poll --once`` does: ingest every account (or ``accounts``), then follow up."""
    clock = make_clock(config, today, now)
    sync = ingest(config, store, accounts, clock=clock, idle=idle, progress=progress)
    return follow_up(config, store, sync, clock=clock, today=today, random=random)


def follow_up(config: Config, store: Store, sync: SyncReport, *, clock: Clock, today: date | None = None,
              random: Random | None = None, beat: Callable[[], None] | None = None) -> PollReport:
    """After a sync: process what was ingested, then — when sending is configured — draft the letters
    due, send the digest when it is due (or urgent), and deliver what the approver released."""
    maintain_daily(store, clock.now())
    tz = ZoneInfo(config.timezone)
    shell = None
    if config.smtp is not None:
        shell = build_shell(config, store, clock=clock, random=random or SystemRandom())
    report = PollReport(sync=sync, processing=process(config, store, today, shell.replies if shell else None,
                                                      clock=clock, bounces=shell.bounces if shell else None,
                                                      beat=beat))
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
