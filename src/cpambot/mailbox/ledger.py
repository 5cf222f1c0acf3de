"""The ledger: typed rows (one per message looked at) and folder checkpoints, pure values.

A row's ``state`` moves ``seen`` → ``processing`` → ``done`` | ``ignored`` | ``failed``; the
folder's checkpoint (``last_uid``) only moves past a UID once its row is terminal. Nothing here
reads the clock or the store: instants come in as stored strings (:func:`cpambot.clock.iso`),
and rows become the store's dicts only through :meth:`LedgerRow.to_doc` /
:meth:`LedgerRow.from_doc` (the stored format is that of the earlier dict-based code).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cpambot.errors import InvalidValueError
from cpambot.mailbox.headers import HeaderSummary
from cpambot.mailbox.senders import Category, Relevance

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


# Stored strings → members by a dictionary look-up (cheaper than calling the enum).
_STATES: dict[str, LedgerState] = {state.value: state for state in LedgerState}
_CATEGORIES: dict[str, Category] = {category.value: category for category in Category}

PENDING_STATES = frozenset({LedgerState.SEEN, LedgerState.PROCESSING})  # what processing reads
TERMINAL_STATES = frozenset({LedgerState.DONE, LedgerState.IGNORED, LedgerState.FAILED})


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


@dataclass(frozen=True, kw_only=True)
class LedgerRow:
    """One message looked at. Optional fields left empty (None) are left out of the stored row:
    rows of unrelated messages are most of the ledger, and the store is rewritten whole at each
    commit."""

    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None = None
    fingerprint: str | None = None
    from_addr: str | None = None  # stored under "from"
    # Unrelated rows keep the raw header text (decoded only when shown); the rows the bot acts
    # on are decoded at once.
    subject: str | None = None
    date: str | None = None  # ISO 8601, rows the bot acts on
    date_raw: str | None = None  # the Date header as it came, unrelated rows
    size: int | None = None
    category: Category
    relevance: str | None = None  # why the headers gave this category (not kept for "other")
    state: LedgerState
    reason: str | None = None  # French, shown to the professional
    attempts: int = 0  # readings started (a crash in between is counted)
    first_seen: str | None = None
    updated: str | None = None
    duplicate_of: str | None = None  # key of the row of the same message seen first
    raw: str | None = None  # path of the raw copy, under the data directory
    sha256: str | None = None
    reading: Mapping[str, Any] | None = field(default=None, hash=False)  # what processing understood
    extra: Mapping[str, Any] | None = field(default=None, hash=False)  # keys of other versions

    @property
    def key(self) -> str:
        return ledger_key(self.account, self.folder, self.uidvalidity, self.uid)

    @property
    def pending(self) -> bool:
        """Still to be read by processing (``seen``, or ``processing`` left by a crash)."""
        return self.state in PENDING_STATES

    @property
    def given_up(self) -> bool:
        """Its reading was started ``MAX_ATTEMPTS`` times without ending: not tried again."""
        return self.attempts >= MAX_ATTEMPTS

    @property
    def replayable(self) -> bool:
        """Whether ``cpambot rebuild`` reads it again: a message read from its raw copy to a
        terminal state, not a decision of the approver (those are kept, not replayed)."""
        return bool(self.raw and self.state in TERMINAL_STATES and self.reading
                    and self.reading.get("kind") != "approval")

    def expired(self, cutoff: str) -> bool:
        """Whether retention removes it: an unrelated message (``other``, ``ignored``) first
        seen before ``cutoff`` (an instant as stored)."""
        return (self.category is Category.OTHER and self.state is LedgerState.IGNORED
                and (self.first_seen or "") < cutoff)

    # -- the store's dicts ----------------------------------------------------------------

    def to_doc(self) -> dict[str, Any]:
        """The stored dict (without ``_key``, which the store adds): the keys, their order and
        the fields left out are those the store has always held."""
        doc: dict[str, Any] = {"account": self.account, "folder": self.folder,
                               "uidvalidity": self.uidvalidity, "uid": self.uid}
        if self.message_id is not None:
            doc["message_id"] = self.message_id
        if self.fingerprint is not None:
            doc["fingerprint"] = self.fingerprint
        if self.from_addr is not None:
            doc["from"] = self.from_addr
        if self.subject is not None:
            doc["subject"] = self.subject
        if self.date is not None:
            doc["date"] = self.date
        if self.date_raw is not None:
            doc["date_raw"] = self.date_raw
        if self.size is not None:
            doc["size"] = self.size
        doc["category"] = self.category._value_
        if self.relevance is not None:
            doc["relevance"] = self.relevance
        doc["state"] = self.state._value_
        # A row never read keeps its reason (if any) beside its state; once read, the reason
        # is always written (None included), after the ingest's fields.
        read = self.attempts > 0
        if not read and self.reason is not None:
            doc["reason"] = self.reason
        doc["attempts"] = self.attempts
        if self.first_seen is not None:
            doc["first_seen"] = self.first_seen
        if self.updated is not None:
            doc["updated"] = self.updated
        if self.duplicate_of is not None:
            doc["duplicate_of"] = self.duplicate_of
        if self.raw is not None:
            doc["raw"] = self.raw
        if self.sha256 is not None:
            doc["sha256"] = self.sha256
        if read:
            doc["reason"] = self.reason
        if self.reading is not None:
            doc["reading"] = self.reading
        if self.extra:
            doc.update(self.extra)
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> LedgerRow:
        """A row from its stored dict. Rows of older versions may lack keys (left empty) or
        hold None where this version leaves a key out; keys this version does not know are
        kept in ``extra`` and written back as they are."""
        values = {key: value for key, value in doc.items() if key in _FIELD_OF}
        unknown = len(doc) - len(values) - ("_key" in doc)
        if "from" in values:
            values["from_addr"] = values.pop("from")
        for required in ("account", "folder", "uidvalidity", "uid"):
            if required not in values:
                raise InvalidValueError(f"ledger row without {required!r}")
        values["category"] = category_of(doc.get("category", ""))
        values["state"] = state_of(doc.get("state", ""))
        values["attempts"] = int(values.get("attempts") or 0)
        if unknown:
            values["extra"] = {k: v for k, v in doc.items() if k not in _FIELD_OF and k != "_key"}
        return _built(values)

    # -- transitions: new values, never the clock -----------------------------------------

    def moved(self, state: LedgerState, now: str, reason: str | None = None, *,
              reading: Mapping[str, Any] | None = None) -> LedgerRow:
        """This row in ``state`` at ``now`` (with ``reason``, replaced even when None); moving
        to ``processing`` counts an attempt; ``reading``, when given, replaces the summary."""
        target = state_of(state)
        values = dict(self.__dict__)
        values.update(state=target, reason=reason, updated=now)
        if target is LedgerState.PROCESSING:
            values["attempts"] = self.attempts + 1
        if reading is not None:
            values["reading"] = reading
        return _built(values)

    def started(self, now: str) -> LedgerRow:
        """Read once more: ``processing``, one attempt more."""
        return self.moved(LedgerState.PROCESSING, now)

    def reset(self) -> LedgerRow:
        """To be read again from its raw copy (``cpambot rebuild``): ``seen``, no attempt, no
        reason, no reading; ``updated`` is kept."""
        values = dict(self.__dict__)
        values.update(state=LedgerState.SEEN, attempts=0, reason=None, reading=None)
        return _built(values)


# Stored keys of the fields of a row ("from" is the field from_addr; "_key" is the store's).
_FIELD_OF = frozenset(
    "from" if name == "from_addr" else name
    for name in LedgerRow.__dataclass_fields__ if name != "extra")

_new_instance = object.__new__
_set_attribute = object.__setattr__
_OTHER = Category.OTHER  # a module global: an enum class attribute costs a look-up each time


def _built(values: dict[str, Any]) -> LedgerRow:
    """A row from the values of its fields (those left out take their defaults), without the
    generated ``__init__``: a frozen dataclass sets each field through ``object.__setattr__``,
    which made building a row cost twice the rest of an unrelated message's ingest. The values
    come from :func:`new_row`, :meth:`LedgerRow.from_doc` or another row: already checked."""
    row: LedgerRow = _new_instance(LedgerRow)
    _set_attribute(row, "__dict__", values)
    return row


def state_of(value: str) -> LedgerState:
    """The member for a stored state; InvalidValueError for an unknown one."""
    try:
        return _STATES[value]
    except KeyError:
        raise InvalidValueError(f"unknown ledger state {value!r}") from None


def category_of(value: str) -> Category:
    """The member for a stored category; InvalidValueError for an unknown one."""
    try:
        return _CATEGORIES[value]
    except KeyError:
        raise InvalidValueError(f"unknown message category {value!r}") from None


MAX_FIELD = 998  # characters of a header field kept in the ledger (RFC 5322's line limit)


def capped(value: str | None, limit: int = MAX_FIELD) -> str | None:
    """``value`` cut to ``limit`` characters (a 5 MB Subject must not become 5 MB of store)."""
    if value is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


def new_row(ref: MessageRef, summary: HeaderSummary, relevance: Relevance, now: str,
            state: LedgerState = LedgerState.SEEN, reason: str | None = None, *,
            duplicate_of: str | None = None, raw: str | None = None,
            sha256: str | None = None) -> LedgerRow:
    """The row of a message first seen at ``now``, from its headers and their verdict (this
    runs for every message of the mailbox: no check beyond the types)."""
    relevant = relevance.fetch_body
    category = relevance.category
    return _built({
        "account": ref.account, "folder": ref.folder, "uidvalidity": ref.uidvalidity,
        "uid": ref.uid, "message_id": capped(summary.message_id), "fingerprint": summary.fingerprint,
        "from_addr": capped(summary.from_addr),
        "subject": capped(summary.subject if relevant else summary.raw_subject),
        "date": summary.date if relevant else None,
        "date_raw": capped(None if relevant else summary.raw_date or None),
        "size": summary.size, "category": category,
        # The reason is kept where it says something; "other" rows are the bulk of the ledger.
        "relevance": relevance.reason if category is not _OTHER else None,
        "state": state, "reason": reason, "attempts": 0, "first_seen": now, "updated": now,
        "duplicate_of": duplicate_of, "raw": raw, "sha256": sha256})


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far a folder has been ingested: every UID up to ``last_uid`` has its row."""

    account: str
    folder: str
    uidvalidity: int
    last_uid: int = 0
    resyncs: int = 0  # times the server renumbered the folder (UIDVALIDITY changed)

    @property
    def key(self) -> str:
        return checkpoint_key(self.account, self.folder)

    def to_doc(self) -> dict[str, Any]:
        return {"account": self.account, "folder": self.folder, "uidvalidity": self.uidvalidity,
                "last_uid": self.last_uid, "resyncs": self.resyncs}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Checkpoint:
        return cls(doc["account"], doc["folder"], int(doc["uidvalidity"]),
                   int(doc.get("last_uid") or 0), int(doc.get("resyncs") or 0))

    def advanced(self, uid: int) -> Checkpoint:
        """Past ``uid`` (never backwards)."""
        if uid <= self.last_uid:
            return self
        return Checkpoint(self.account, self.folder, self.uidvalidity, uid, self.resyncs)

    def resynced(self, uidvalidity: int) -> Checkpoint:
        """The folder renumbered by the server: read again from the start, one resync more."""
        return Checkpoint(self.account, self.folder, uidvalidity, 0, self.resyncs + 1)
