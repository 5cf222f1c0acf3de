"""The outbox table of the store: entries in and out, every state change fsynced."""

from __future__ import annotations

from cpambot.sending.model import OutboxEntry, SendState
from cpambot.store.database import Store

OUTBOX = "outbox"

# Message-IDs being transmitted by this process right now: any other "sending"
# entry was left behind by a process that died (the store has one writer).
IN_FLIGHT: set[str] = set()


class OutboxJournal:
    """The ``outbox`` table of ``store``, one document per e-mail keyed by its Message-ID."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, message_id: str) -> OutboxEntry | None:
        doc = self.store.get(OUTBOX, message_id)
        return OutboxEntry.from_doc(doc) if doc is not None else None

    def entries(self, *states: SendState) -> list[OutboxEntry]:
        """Every entry (in one of ``states`` if given), oldest first."""
        found = [OutboxEntry.from_doc(doc) for doc in self.store.values(OUTBOX)
                 if not states or doc["state"] in states]
        found.sort(key=lambda e: (e.created, e.message_id))
        return found

    def stale_sending(self) -> list[OutboxEntry]:
        """Entries left ``sending`` by a process that died."""
        return [e for e in self.entries(SendState.SENDING) if e.message_id not in IN_FLIGHT]

    def record(self, entry: OutboxEntry) -> OutboxEntry:
        """Journal a state change, fsynced: a power cut must not turn a ``sending`` or ``sent``
        back into ``queued`` (a second send). Durable on return."""
        self.store.put(OUTBOX, entry.message_id, entry.to_doc(), sync=True)
        return entry

    def note(self, entry: OutboxEntry) -> OutboxEntry:
        """Journal a new entry (nothing was sent yet) or bookkeeping that changes no state (the copy
        in Sent, a search): durable against a process crash on return, not fsynced."""
        self.store.put(OUTBOX, entry.message_id, entry.to_doc())
        return entry

    def commit(self) -> None:
        self.store.commit()
