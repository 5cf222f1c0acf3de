"""One sync of a mailbox: new UIDs → ledger rows → raw files → processing → checkpoint.

The order of writes is what makes a crash harmless:

1. a relevant message's row goes to ``processing`` before any slow work;
2. its bytes are saved under ``raw/`` before it is processed;
3. its row becomes terminal (``done``/``ignored``/``failed``), then the folder's
   checkpoint moves past its UID.

Every write is journaled at once (see :mod:`bot.store`), so a killed process
resumes at the first message whose row is not terminal; the store file itself
is rewritten once per batch of at most 500 messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .errors import MailboxError, StoreError
from .headers import HeaderSummary, summarize
from .ledger import (
    CHECKPOINTS,
    LEDGER,
    MAX_ATTEMPTS,
    STATE_LABELS,
    TERMINAL,
    MessageRef,
    checkpoint_key,
    new_checkpoint,
    new_entry,
    now_iso,
    transition,
)
from .mailbox import Mailbox
from .pipeline import Outcome, process_message
from .rawstore import RawStore
from .senders import Relevance, SenderPolicy, assess
from .store import Store

LOG = logging.getLogger(__name__)

BATCH_SIZE = 500
BODY_BATCH_BYTES = 16 * 1024 * 1024

Processor = Callable[[bytes, Relevance], Outcome]


@dataclass
class FolderReport:
    account: str
    folder: str
    new: int = 0
    relevant: int = 0
    done: int = 0
    ignored: int = 0
    failed: int = 0
    duplicates: int = 0
    resumed: int = 0
    uidvalidity_changed: bool = False
    error: str | None = None
    categories: dict[str, int] = field(default_factory=dict)


@dataclass
class SyncReport:
    folders: list[FolderReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.folders)


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Syncer:
    """Runs syncs against one store; the single writer of the ledger."""

    def __init__(self, store: Store, raw_store: RawStore, policy: SenderPolicy, *,
                 processor: Processor = process_message,
                 clock: Callable[[], str] = now_iso) -> None:
        self.store = store
        self.raw = raw_store
        self.policy = policy
        self.processor = processor
        self.clock = clock

    def sync_account(self, account_name: str, mailbox: Mailbox,
                     folders: tuple[str, ...]) -> SyncReport:
        """Sync every folder of one open mailbox; a folder's failure does not stop the others
        unless the connection itself is gone."""
        report = SyncReport()
        for folder in folders:
            folder_report = FolderReport(account_name, folder)
            report.folders.append(folder_report)
            try:
                self.sync_folder(account_name, mailbox, folder, folder_report)
            except MailboxError as exc:
                folder_report.error = str(exc)
                report.errors.append(str(exc))
                LOG.error("%s", exc)
            finally:
                self.store.commit()
        return report

    def sync_folder(self, account: str, mailbox: Mailbox, folder: str,
                    report: FolderReport) -> None:
        status = mailbox.select(folder)
        ckey = checkpoint_key(account, folder)
        checkpoint = self.store.get(CHECKPOINTS, ckey)
        if checkpoint is None:
            checkpoint = new_checkpoint(account, folder, status.uidvalidity)
            self.store.put(CHECKPOINTS, ckey, checkpoint)
        elif checkpoint["uidvalidity"] != status.uidvalidity:
            LOG.warning("compte %s, dossier %s : UIDVALIDITY a changé (%s → %s), relecture complète "
                        "sans doublon", account, folder, checkpoint["uidvalidity"],
                        status.uidvalidity)
            resyncs = int(checkpoint.get("resyncs", 0)) + 1
            checkpoint = new_checkpoint(account, folder, status.uidvalidity)
            checkpoint["resyncs"] = resyncs
            self.store.put(CHECKPOINTS, ckey, checkpoint)
            report.uidvalidity_changed = True
        uids = mailbox.uids_after(int(checkpoint["last_uid"]))
        for batch in chunks(uids, BATCH_SIZE):
            self._sync_batch(account, folder, status.uidvalidity, mailbox, batch, checkpoint,
                             ckey, report)
            self.store.commit()

    # -- one batch ----------------------------------------------------------------------

    def _sync_batch(self, account: str, folder: str, uidvalidity: int, mailbox: Mailbox,
                    batch: list[int], checkpoint: dict, ckey: str, report: FolderReport) -> None:
        headers = mailbox.fetch_headers(batch)
        plan: list[tuple[int, dict, Relevance | None, HeaderSummary | None]] = []
        for uid in batch:
            ref = MessageRef(account, folder, uidvalidity, uid)
            existing = self.store.get(LEDGER, ref.key)
            if existing is not None and existing["state"] in TERMINAL:
                plan.append((uid, existing, None, None))
                continue
            fetched = headers.get(uid)
            if fetched is None:
                plan.append((uid, {}, None, None))  # expunged since the search
                continue
            summary = summarize(fetched.header_bytes, fetched.size)
            relevance = assess(summary, self.policy)
            if existing is not None:
                report.resumed += 1
                entry = existing
            else:
                report.new += 1
                entry = new_entry(ref, summary, relevance, self.clock())
            plan.append((uid, entry, relevance, summary))

        bodies: dict[int, bytes] = {}
        wanted = [uid for uid, _e, rel, _s in plan if rel is not None and rel.fetch_body]
        groups = self._body_groups(wanted, headers)
        for uid, entry, relevance, summary in plan:
            if relevance is None or summary is None:
                self._advance(checkpoint, ckey, uid)
                continue
            report.categories[relevance.category] = report.categories.get(relevance.category, 0) + 1
            duplicate = self._original_of(summary, entry)
            if duplicate is not None:
                self._record(transition(entry, "ignored", self.clock(), duplicate,
                                        duplicate_of=self.store.find(LEDGER, "fingerprint",
                                                                     summary.fingerprint)),
                             report)
                report.duplicates += 1
            elif not relevance.fetch_body:
                self._record(transition(entry, "ignored", self.clock(), relevance.reason), report)
            else:
                report.relevant += 1
                if uid not in bodies:
                    bodies = mailbox.fetch_messages(groups[uid])
                self._handle_relevant(entry, relevance, bodies.pop(uid, None), report)
            self._advance(checkpoint, ckey, uid)

    @staticmethod
    def _body_groups(uids: list[int], headers: dict) -> dict[int, list[int]]:
        """Map each UID to the group of UIDs fetched together with it (≤ 16 MiB a group)."""
        groups: dict[int, list[int]] = {}
        current: list[int] = []
        size = 0
        for uid in uids:
            msg_size = headers[uid].size
            if current and size + msg_size > BODY_BATCH_BYTES:
                current, size = [], 0
            current.append(uid)
            groups[uid] = current
            size += msg_size
        return groups

    def _original_of(self, summary: HeaderSummary, entry: dict) -> str | None:
        """A reason if this message was already handled under another UID or folder."""
        key = self.store.find(LEDGER, "fingerprint", summary.fingerprint)
        if key is None:
            return None
        this_key = MessageRef(entry["account"], entry["folder"], entry["uidvalidity"],
                              entry["uid"]).key
        if key == this_key:
            return None
        original = self.store.get(LEDGER, key)
        if original is None or original["state"] not in TERMINAL:
            return None
        return (f"doublon du message déjà {STATE_LABELS[original['state']]} "
                f"({original['folder']}, UID {original['uid']}, UIDVALIDITY "
                f"{original['uidvalidity']})")

    def _handle_relevant(self, entry: dict, relevance: Relevance, raw: bytes | None,
                         report: FolderReport) -> None:
        if raw is None:
            self._record(transition(entry, "ignored", self.clock(),
                                    "message supprimé du serveur pendant la lecture"), report)
            return
        if int(entry.get("attempts", 0)) >= MAX_ATTEMPTS:
            self._record(transition(entry, "failed", self.clock(),
                                    f"abandonné après {MAX_ATTEMPTS} tentatives interrompues"),
                         report)
            return
        entry = transition(entry, "processing", self.clock())
        self.store.put(LEDGER, self._key(entry), entry)
        digest, path = self.raw.save(raw)  # StoreError (disk full…) stops the sync here
        try:
            outcome = self.processor(raw, relevance)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the mailbox
            LOG.exception("erreur interne sur le message %s", self._key(entry))
            outcome = Outcome("failed", f"erreur interne de cpambot ({exc.__class__.__name__})")
        self._record(transition(entry, outcome.state, self.clock(), outcome.reason, raw=path,
                                sha256=digest, facts=outcome.facts), report)

    def _record(self, entry: dict, report: FolderReport) -> None:
        self.store.put(LEDGER, self._key(entry), entry)
        state = entry["state"]
        if state in ("done", "ignored", "failed"):
            setattr(report, state, getattr(report, state) + 1)
        if state == "failed":
            LOG.warning("message %s en échec : %s", self._key(entry), entry.get("reason"))

    @staticmethod
    def _key(entry: dict) -> str:
        return MessageRef(entry["account"], entry["folder"], entry["uidvalidity"],
                          entry["uid"]).key

    def _advance(self, checkpoint: dict, ckey: str, uid: int) -> None:
        if uid > checkpoint["last_uid"]:
            checkpoint["last_uid"] = uid
            self.store.put(CHECKPOINTS, ckey, checkpoint)
