"""Ingest: new UIDs → ledger rows → raw files → checkpoint. Nothing is interpreted here.

For each new message, in UID order: its headers decide whether it is relevant;
a relevant message's bytes are saved under ``raw/`` and its row is recorded as
``seen`` (to be processed by :mod:`cpambot.service.processing`); an unrelated one is recorded
as ``ignored``; then the folder's checkpoint moves past its UID. Every write is
journaled at once (see :mod:`cpambot.store.database`), so a killed process resumes at the first
message without a row; the store file itself is rewritten once per folder sync.
Interpreting messages is a separate stage that never needs the mailbox again.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cpambot import labels
from cpambot.clock import Clock, SystemClock
from cpambot.errors import MailboxError
from cpambot.instants import iso
from cpambot.mailbox.headers import HeaderSummary, summarize
from cpambot.mailbox.ledger import (
    CHECKPOINTS,
    LEDGER,
    Checkpoint,
    LedgerRow,
    LedgerState,
    MessageRef,
    checkpoint_key,
    new_row,
)
from cpambot.mailbox.protocol import Mailbox
from cpambot.mailbox.senders import Relevance, SenderPolicy, assess
from cpambot.store.database import Store
from cpambot.store.raw import RawStore

LOG = logging.getLogger(__name__)

BATCH_SIZE = 500
PROGRESS_EVERY = 2000  # a long first sync says where it is, in the journal, every this many messages
BODY_BATCH_BYTES = 16 * 1024 * 1024


@dataclass
class FolderReport:
    account: str
    folder: str
    new: int = 0
    relevant: int = 0
    ignored: int = 0
    duplicates: int = 0
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


# progress(account, folder, done, total): called before the first batch of a folder and after each one
Progress = Callable[[str, str, int, int], None]


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Syncer:
    """Ingests mailboxes into one store; the single writer of the ledger."""

    def __init__(self, store: Store, raw_store: RawStore, policy: SenderPolicy, *,
                 clock: Clock | None = None, progress: Progress | None = None) -> None:
        self.store = store
        self.raw = raw_store
        self.policy = policy
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.progress = progress

    def sync_account(self, account_name: str, mailbox: Mailbox,
                     folders: tuple[str, ...]) -> SyncReport:
        """Sync every folder of one open mailbox; a folder's failure does not stop the others."""
        report = SyncReport()
        # The ingest allocates many small dicts and no reference cycles: the cyclic garbage
        # collector only costs time here (about 5 % of a large first sync).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._sync_folders(account_name, mailbox, folders, report)
        finally:
            if gc_was_enabled:
                gc.enable()
        return report

    def _sync_folders(self, account_name: str, mailbox: Mailbox, folders: tuple[str, ...],
                      report: SyncReport) -> None:
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
                self.raw.sync()
                self.store.commit()

    def sync_folder(self, account: str, mailbox: Mailbox, folder: str,
                    report: FolderReport) -> None:
        status = mailbox.select(folder)
        ckey = checkpoint_key(account, folder)
        stored = self.store.get(CHECKPOINTS, ckey)
        if stored is None:
            checkpoint = Checkpoint(account, folder, status.uidvalidity)
            self.store.put(CHECKPOINTS, ckey, checkpoint.to_doc())
        else:
            checkpoint = Checkpoint.from_doc(stored)
            if checkpoint.uidvalidity != status.uidvalidity:
                LOG.warning("compte %s, dossier %s : UIDVALIDITY a changé (%s → %s), relecture "
                            "complète sans doublon", account, folder, checkpoint.uidvalidity,
                            status.uidvalidity)
                checkpoint = checkpoint.resynced(status.uidvalidity)
                self.store.put(CHECKPOINTS, ckey, checkpoint.to_doc())
                report.uidvalidity_changed = True
        uids = mailbox.uids_after(checkpoint.last_uid)
        done = told = 0
        if self.progress is not None:
            self.progress(account, folder, 0, len(uids))
        for batch in chunks(uids, BATCH_SIZE):
            checkpoint = self._sync_batch(account, folder, status.uidvalidity, mailbox, batch,
                                          checkpoint, report)
            done += len(batch)
            if self.progress is not None:
                self.progress(account, folder, done, len(uids))
            if len(uids) > PROGRESS_EVERY and (done - told >= PROGRESS_EVERY or done == len(uids)):
                told = done
                LOG.warning("compte %s, dossier %s : %s messages lus sur %s (%d %%)", account, folder,
                            f"{done:,}".replace(",", "\u202f"), f"{len(uids):,}".replace(",", "\u202f"),
                            done * 100 // len(uids))

    # -- one batch ----------------------------------------------------------------------

    def _sync_batch(self, account: str, folder: str, uidvalidity: int, mailbox: Mailbox,
                    batch: list[int], checkpoint: Checkpoint, report: FolderReport) -> Checkpoint:
        """Ingest one batch of UIDs; the checkpoint it returns (and stores) is past every UID
        that has its row, even when the batch stops half-way on an error."""
        headers = mailbox.fetch_headers(batch)
        plan: list[tuple[int, HeaderSummary, Relevance]] = []
        done_uids: set[int] = set()
        for uid in batch:
            fetched = headers.get(uid)
            if fetched is None:
                continue  # expunged since the search
            ref_key = MessageRef(account, folder, uidvalidity, uid).key
            if self.store.get(LEDGER, ref_key, archived=False) is not None:  # (recent: never archived)
                done_uids.add(uid)
                continue  # ingested before a crash, checkpoint not yet moved
            summary = summarize(fetched.header_bytes, fetched.size)
            plan.append((uid, summary, assess(summary, self.policy)))
        wanted = [uid for uid, summary, rel in plan
                  if rel.fetch_body and self.store.find(LEDGER, "fingerprint", summary.fingerprint) is None]
        groups = self._body_groups(wanted, headers)
        bodies: dict[int, bytes] = {}
        now = iso(self.clock.now())
        last_uid = checkpoint.last_uid
        try:
            for uid, summary, relevance in plan:
                self._record(mailbox, MessageRef(account, folder, uidvalidity, uid), summary,
                             relevance, now, groups, bodies, report)
                done_uids.add(uid)
                last_uid = max(last_uid, uid)
            if batch and batch[-1] > last_uid and all(u in done_uids or u not in headers
                                                      for u in batch):
                last_uid = batch[-1]
        finally:
            # The checkpoint reaches the disk with the next commit, which the caller makes even
            # when this batch stops on an error.
            if last_uid > checkpoint.last_uid:
                checkpoint = checkpoint.advanced(last_uid)
                self.store.put(CHECKPOINTS, checkpoint.key, checkpoint.to_doc(), journal=False)
        return checkpoint

    def _record(self, mailbox: Mailbox, ref: MessageRef, summary: HeaderSummary,
                relevance: Relevance, now: str, groups: dict[int, list[int]],
                bodies: dict[int, bytes], report: FolderReport) -> None:
        """The row of one new message (and its raw copy when it is relevant)."""
        uid = ref.uid
        report.new += 1
        report.categories[relevance.category] = report.categories.get(relevance.category, 0) + 1
        duplicate = self._original_of(summary, ref.key)
        if duplicate is not None:
            row = new_row(ref, summary, relevance, now, LedgerState.IGNORED, duplicate[1],
                          duplicate_of=duplicate[0])
            report.duplicates += 1
            report.ignored += 1
            self.store.put(LEDGER, ref.key, row.to_doc(), journal=False)
        elif not relevance.fetch_body:
            report.ignored += 1
            self.store.put(LEDGER, ref.key, new_row(ref, summary, relevance, now,
                                                    LedgerState.IGNORED).to_doc(), journal=False)
        else:
            if uid not in bodies and uid in groups:
                bodies.clear()
                bodies.update(mailbox.fetch_messages(groups[uid]))
            raw = bodies.pop(uid, None)
            if raw is None:
                row = new_row(ref, summary, relevance, now, LedgerState.IGNORED,
                              "message supprimé du serveur pendant la lecture")
                report.ignored += 1
            else:
                digest, path = self.raw.save(raw)  # StoreError (disk full…) stops the sync here
                row = new_row(ref, summary, relevance, now, raw=path, sha256=digest)
                report.relevant += 1
            # Journaled at once: its raw copy exists. The rows of unrelated messages and
            # the checkpoint reach the disk at the next commit; after a crash they are
            # simply redone (a row is looked up by UID before anything is fetched).
            self.store.put(LEDGER, ref.key, row.to_doc())

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

    def _original_of(self, summary: HeaderSummary, this_key: str) -> tuple[str, str] | None:
        """(key, French reason) if this message was already recorded under another UID or folder."""
        key = self.store.find(LEDGER, "fingerprint", summary.fingerprint)
        if key is None or key == this_key:
            return None
        doc = self.store.get(LEDGER, key)
        if doc is None:
            return None
        original = LedgerRow.from_doc(doc)
        return key, (f"doublon du message déjà {labels.LEDGER_STATE[original.state]} "
                     f"({original.folder}, UID {original.uid}, UIDVALIDITY {original.uidvalidity})")
