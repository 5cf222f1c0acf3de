"""The daily maintenance: the ledger pruned, what is settled moved to the store's archive, then the
day's backup (``<data>/sauvegardes/AAAA-MM-JJ``, the last 7 kept; see :mod:`cpambot.store.backup`).

Settled, and so archived (out of memory; still found by key, by case number, by draft code, and by
the listings that ask for all history):

* a ledger row read (``done``) more than :data:`SETTLED_DAYS` ago, or ``ignored`` and kept past the
  retention of :mod:`cpambot.mailbox.retention` (a duplicate, a phishing attempt);
* a case closed more than :data:`SETTLED_DAYS` ago;
* an e-mail of the outbox that ended (sent, failed, cancelled, bounced) more than that ago — an e-mail
  to the approver without its body, a letter to a caisse whole;
* a draft that ended likewise and whose case is archived (the drafter must see every step drafted
  for a case still followed, or it would write a letter twice);
* what the bot remembers of its own e-mails and of the replies it obeyed, after a month (looked up
  one by one, never listed);
* an invoice of the tracking table no message spoke of for :data:`INVOICE_DAYS` (the export lists the
  archived ones too; a late payment brings it back); a transfer a return announced, after half a year.

A document put again (a case reopened, a rebuild) is simply in memory again until it settles again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from cpambot import labels
from cpambot.approval.draftbook import DRAFTS
from cpambot.approval.model import DraftState
from cpambot.books.invoices import INVOICES
from cpambot.books.reconcile import TRANSFERS
from cpambot.cases.casebook import CASES
from cpambot.cases.model import CaseState
from cpambot.errors import StoreError
from cpambot.instants import iso
from cpambot.mailbox.ledger import LEDGER, LedgerState
from cpambot.mailbox.retention import KEEP_DAYS, META, prune_ledger
from cpambot.sending.journal import OUTBOX
from cpambot.sending.model import SendState
from cpambot.service.approver import REPLIES, SENT_IDS
from cpambot.store.backup import daily
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

SETTLED_DAYS = 30
INVOICE_DAYS = 90  # an answer to a réclamation can take two months: the invoice stays at hand meanwhile
ENDED_SENDS: set[str] = {SendState.SENT, SendState.FAILED, SendState.CANCELLED, SendState.BOUNCED}
ENDED_DRAFTS: set[str] = {DraftState.SENT, DraftState.REJECTED, DraftState.FAILED, DraftState.BOUNCED,
                DraftState.OBSOLETE}
Rule = Callable[[dict[str, Any]], str | None]


def ledger_rule(now: datetime) -> Rule:
    settled, kept = iso(now - timedelta(days=SETTLED_DAYS)), iso(now - timedelta(days=KEEP_DAYS))

    def part(doc: dict[str, Any]) -> str | None:
        seen, state = doc.get("first_seen") or "", doc.get("state")
        done = state == LedgerState.DONE and seen < settled
        if seen and (done or (state == LedgerState.IGNORED and seen < kept)):
            return seen[:7]
        return None
    return part


def case_rule(now: datetime) -> Rule:
    settled = (now - timedelta(days=SETTLED_DAYS)).date().isoformat()

    def part(doc: dict[str, Any]) -> str | None:
        closed = doc.get("closed")
        if doc.get("state") != CaseState.CLOSED or not closed or closed >= settled:
            return None
        return str(closed)[:7]
    return part


def ended_rule(now: datetime, ended: set[str], still_followed: set[str] | None = None) -> Rule:
    settled = iso(now - timedelta(days=SETTLED_DAYS))

    def part(doc: dict[str, Any]) -> str | None:
        created = doc.get("created") or ""
        if doc.get("state") not in ended or not created or created >= settled:
            return None
        if still_followed is not None and doc.get("case_key") in still_followed:
            return None
        return created[:7]
    return part


def dated_rule(now: datetime) -> Rule:
    """What the bot remembers of its own e-mails and of the replies it obeyed: looked up one by one,
    never listed, so archived after a month like the rest."""
    settled = (now - timedelta(days=SETTLED_DAYS)).isoformat()

    def part(doc: dict[str, Any]) -> str | None:
        at = str(doc.get("at") or "")
        return at[:7] if at and at < settled else None
    return part


def invoice_rule(now: datetime) -> Rule:
    settled = (now - timedelta(days=INVOICE_DAYS)).date().isoformat()

    def part(doc: dict[str, Any]) -> str | None:
        updated = str(doc.get("updated") or "")
        return updated[:7] if updated and updated < settled else None
    return part


def transfer_rule(now: datetime) -> Rule:
    """A transfer a return announced, half a year later (a bank statement that old is rarely checked)."""
    settled = (now - timedelta(days=180)).date().isoformat()

    def part(doc: dict[str, Any]) -> str | None:
        day = str(doc.get("day") or "")
        return day[:7] if day and day < settled else None
    return part


def without_own_mail_body(doc: dict[str, Any]) -> dict[str, Any]:
    """An archived e-mail to the approver (digest, notice, confirmation) without its body: once it has
    done its work, it is the bulk of the store (a digest a day) and nothing reads it again. A letter to a
    caisse keeps every byte: it is the proof of what was sent."""
    if doc.get("case_key") or doc.get("draft_key"):
        return doc
    return {**doc, "raw_b64": "", "body_dropped": True}


def maintain_daily(store: Store, now: datetime) -> int:
    """Prune and archive at most once a day (each reads a whole table); how many documents moved."""
    day = now.date().isoformat()
    last = store.get(META, "last_maintenance")
    if last and last.get("day") == day:
        return 0
    pruned = prune_ledger(store, now)
    moved = store.archive(LEDGER, ledger_rule(now))
    moved += store.archive(CASES, case_rule(now))
    moved += store.archive(OUTBOX, ended_rule(now, ENDED_SENDS), shrink=without_own_mail_body)
    followed = {doc["_key"] for doc in store.values(CASES)}
    moved += store.archive(DRAFTS, ended_rule(now, ENDED_DRAFTS, followed))
    moved += store.archive(SENT_IDS, dated_rule(now))
    moved += store.archive(REPLIES, dated_rule(now))
    moved += store.archive(INVOICES, invoice_rule(now))
    moved += store.archive(TRANSFERS, transfer_rule(now))
    store.put(META, "last_maintenance", {"day": day, "pruned": pruned, "archived": moved})
    store.commit()
    if moved:
        LOG.info("entretien : %s dans les archives", labels.count(moved, "donnée réglée rangée",
                                                                  "données réglées rangées"))
    try:
        taken = daily(store.data_dir, now)
    except StoreError as exc:  # (the day's work is done; tomorrow's maintenance tries again)
        LOG.error("sauvegarde quotidienne impossible : %s", exc)
    else:
        if taken is not None:
            LOG.info("sauvegarde quotidienne : %s (%s)", taken.path, labels.count(taken.files, "fichier"))
    return moved
