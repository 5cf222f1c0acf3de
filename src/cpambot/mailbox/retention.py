"""Retention: the ledger rows of unrelated messages are not kept for ever.

Every message looked at gets a row, so a mailbox of 10 000 messages a year would make the
store grow without end. Rows of messages that
had nothing to do with the caisses (category ``other``, state ``ignored``) are removed once
older than ``keep_days``: nothing was kept of them anyway, and if the server ever renumbers
the folder they are simply seen again and ignored again. Rows of relevant messages, cases,
drafts and sendings are never pruned here.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from cpambot import labels
from cpambot.errors import InvalidValueError
from cpambot.instants import iso
from cpambot.mailbox.ledger import LEDGER, LedgerRow
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

KEEP_DAYS = 90
META = "meta"


def prune_ledger(store: Store, now: datetime, keep_days: int = KEEP_DAYS) -> int:
    cutoff = iso(now - timedelta(days=keep_days))
    # Only the rows older than the cutoff are read as rows: the scan covers the whole ledger.
    old = [doc["_key"] for doc in store.values(LEDGER)
           if (doc.get("first_seen") or "") < cutoff and _expired(doc, cutoff)]
    for key in old:
        store.delete(LEDGER, key)
    if old:
        LOG.info("registre : %s de messages sans rapport de plus de %d jours",
                 labels.count(len(old), "ligne retirée", "lignes retirées"), keep_days)
    return len(old)


def _expired(doc: dict[str, Any], cutoff: str) -> bool:
    try:
        return LedgerRow.from_doc(doc).expired(cutoff)
    except InvalidValueError:  # a row edited by hand: kept, the daily poll goes on
        return False
