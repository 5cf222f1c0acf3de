"""``cpambot rebuild``: recompute every case from the raw copies, e.g. after an upgrade of the
readers. The ledger, the drafts, the outbox and the approver's decisions are kept; the cases
are dropped and re-derived by processing every kept message again, in arrival order, and the
letters already sent are recorded on their cases again. Case numbers stay the same for the
same problems (``case_ids`` maps a case key to its number)."""

from __future__ import annotations

import logging
from datetime import date

from cpambot import labels
from cpambot.approval.draftbook import DRAFTS
from cpambot.books.invoices import INVOICES
from cpambot.books.reconcile import TRANSFERS
from cpambot.cases.casebook import ALIASES, CASE_IDS, CASES, CaseBook
from cpambot.config.model import Config
from cpambot.letters.plan import DONE_DATES
from cpambot.mailbox.ledger import LEDGER, LedgerRow
from cpambot.service.poll import process
from cpambot.service.processing import ProcessReport
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)



def rebuild(config: Config, store: Store, today: date | None = None) -> ProcessReport:
    for case in store.values(CASES, archived=True):  # the numbers stay: a case key keeps its id
        store.put(CASE_IDS, case["key"], {"id": case["id"]})
    store.drop(CASES)
    store.drop(ALIASES)
    store.drop(INVOICES)  # (read again from the same messages)
    store.drop(TRANSFERS)
    reset = 0
    for doc in store.values(LEDGER, archived=True):
        if "reading" not in doc:  # most rows: unrelated messages, never read
            continue
        row = LedgerRow.from_doc(doc)
        if row.replayable:  # the approver's decisions are kept, not replayed
            store.put(LEDGER, doc["_key"], row.reset().to_doc())
            reset += 1
    store.commit()
    LOG.warning("reconstruction : %s depuis leurs copies brutes",
                labels.count(reset, "message relu", "messages relus"))
    report = process(config, store, today)
    book = CaseBook(store, config.rules)
    for draft in store.values(DRAFTS, archived=True):
        date_key = DONE_DATES.get(draft["step"])
        if draft["state"] == "sent" and date_key and draft.get("sent_at"):
            book.mark_step(draft["case_key"], date_key, date.fromisoformat(draft["sent_at"][:10]),
                           f"{draft['label']} envoyée ({draft['code']})")
    store.commit()
    return report
