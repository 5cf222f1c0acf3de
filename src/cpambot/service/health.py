"""The bot's own health, kept in the store (table ``health``, one row per configured mailbox) for the
digest's "État du robot" block and its alerts (:mod:`cpambot.approval.health` says what they mean)."""

from __future__ import annotations

from datetime import datetime

from cpambot.approval.health import MailboxHealth, after_poll
from cpambot.store.database import Store

HEALTH = "health"


def record_health(store: Store, account: str, now: datetime, error: str | None, *, auth_failed: bool = False,
                  idle: bool | None = None) -> MailboxHealth:
    """What one poll found of ``account``: read (``error`` None), or not and why."""
    doc = store.get(HEALTH, account)
    previous = MailboxHealth.from_doc(account, doc) if doc is not None else None
    health = after_poll(previous, account, now, error, auth_failed=auth_failed, idle=idle)
    store.put(HEALTH, account, health.to_doc())
    return health


def mailbox_health(store: Store, accounts: tuple[str, ...]) -> list[MailboxHealth]:
    """The health of each configured mailbox, in the configuration's order (never read yet: no row)."""
    out = []
    for account in accounts:
        doc = store.get(HEALTH, account)
        out.append(MailboxHealth.from_doc(account, doc) if doc is not None else MailboxHealth(account, None))
    return out
