"""The ledger: one row per message looked at, relevant or not, and per-folder checkpoints.

Pure functions building the documents the store keeps. A row's ``state`` moves
``seen`` → ``processing`` → ``done`` | ``ignored`` | ``failed``; the folder's
checkpoint (``last_uid``) only moves past a UID once its row is terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cpambot.errors import InvalidValueError
from cpambot.mailbox.headers import HeaderSummary
from cpambot.mailbox.senders import Relevance

LEDGER = "ledger"
CHECKPOINTS = "checkpoints"

MAX_ATTEMPTS = 3


class LedgerState(StrEnum):
    """Where a message is in the pipeline (labels: :data:`cpambot.labels.LEDGER_STATE`)."""

    SEEN = "seen"  # recorded, its raw copy saved, not read yet
    PROCESSING = "processing"  # being read (a crash leaves it so: read again, attempts counted)
    DONE = "done"
    IGNORED = "ignored"  # unrelated, a duplicate, or a phishing attempt
    FAILED = "failed"  # unreadable, or given up: left in the mailbox, shown to the professional


_LEDGER_STATES = frozenset(LedgerState)


@dataclass(frozen=True)
class MessageRef:
    account: str
    folder: str
    uidvalidity: int
    uid: int

    @property
    def key(self) -> str:
        return ledger_key(self.account, self.folder, self.uidvalidity, self.uid)


def ledger_key(account: str, folder: str, uidvalidity: int, uid: int) -> str:
    return f"{account}|{uidvalidity}|{uid}|{folder}"


def checkpoint_key(account: str, folder: str) -> str:
    return f"{account}|{folder}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_entry(ref: MessageRef, summary: HeaderSummary, relevance: Relevance,
              now: str, state: str = "seen", reason: str | None = None) -> dict[str, Any]:
    """A ledger row. Empty fields are left out: rows of unrelated messages are most of the
    ledger, and the store is rewritten whole at each commit."""
    relevant = relevance.fetch_body
    entry = {
        "account": ref.account,
        "folder": ref.folder,
        "uidvalidity": ref.uidvalidity,
        "uid": ref.uid,
        "message_id": summary.message_id,
        "fingerprint": summary.fingerprint,
        "from": summary.from_addr,
        # Unrelated rows keep the raw header text, decoded only when shown (summary.py);
        # the rows the bot acts on are decoded at once.
        "subject": summary.subject if relevant else summary.raw_subject,
        "date": summary.date if relevant else None,
        "date_raw": None if relevant else summary.raw_date or None,
        "size": summary.size,
        "category": relevance.category,
        # The reason is kept where it says something; "other" rows are the bulk of the ledger.
        "relevance": relevance.reason if relevance.category != "other" else None,
        "state": state,
        "reason": reason,
        "attempts": 0,
        "first_seen": now,
        "updated": now,
    }
    return {key: value for key, value in entry.items() if value is not None}


def transition(entry: dict[str, Any], state: str, now: str, reason: str | None = None,
               **extra: Any) -> dict[str, Any]:
    """A copy of ``entry`` in ``state``."""
    if state not in _LEDGER_STATES:
        raise InvalidValueError(f"unknown ledger state {state!r}")
    out = dict(entry)
    out.update(extra)
    out["state"] = state
    out["reason"] = reason
    out["updated"] = now
    if state == "processing":
        out["attempts"] = int(entry.get("attempts", 0)) + 1
    return out


def new_checkpoint(account: str, folder: str, uidvalidity: int) -> dict[str, Any]:
    return {"account": account, "folder": folder, "uidvalidity": uidvalidity, "last_uid": 0,
            "resyncs": 0}
