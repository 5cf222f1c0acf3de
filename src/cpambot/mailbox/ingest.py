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
from cpambot.errors import MailboxError
from cpambot.mailbox.headers import HeaderSummary, summarize
from cpambot.mailbox.ledger import (
    CHECKPOINTS,
    LEDGER,
    MessageRef,
    checkpoint_key,
    new_checkpoint,
    new_entry,
    now_iso,
)
from cpambot.mailbox.protocol import Mailbox
from cpambot.mailbox.senders import Relevance, SenderPolicy, assess
from cpambot.store.database import Store
from cpambot.store.raw import RawStore

LOG = logging.getLogger(__name__)

BATCH_SIZE = 500
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


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Syncer:
    """Ingests mailboxes into one store; the single writer of the ledger."""

    def __init__(self, store: Store, raw_store: RawStore, policy: SenderPolicy, *,
                 clock: Callable[[], str] = now_iso) -> None:
        self.store = store
        self.raw = raw_store
        self.policy = policy
        self.clock = clock

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
            self._sync_batch(account, folder, status.uidvalidity, mailbox, batch, checkpoint, ckey,
                             report)

    # -- one batch ----------------------------------------------------------------------

    def _sync_batch(self, account: str, folder: str, uidvalidity: int, mailbox: Mailbox,
                    batch: list[int], checkpoint: dict, ckey: str, report: FolderReport) -> None:
        headers = mailbox.fetch_headers(batch)
        plan: list[tuple[int, HeaderSummary, Relevance]] = []
        done_uids: set[int] = set()
        for uid in batch:
            fetched = headers.get(uid)
            if fetched is None:
                continue  # expunged since the search
            if self.store.get(LEDGER, MessageRef(account, folder, uidvalidity, uid).key) is not None:
                done_uids.add(uid)
                continue  # ingested before a crash, checkpoint not yet moved
            summary = summarize(fetched.header_bytes, fetched.size)
            plan.append((uid, summary, assess(summary, self.policy)))
        wanted = [uid for uid, summary, rel in plan
                  if rel.fetch_body and self.store.find(LEDGER, "fingerprint", summary.fingerprint) is None]
        groups = self._body_groups(wanted, headers)
        bodies: dict[int, bytes] = {}
        now = self.clock()
        for uid, summary, relevance in plan:
            ref = MessageRef(account, folder, uidvalidity, uid)
            report.new += 1
            report.categories[relevance.category] = report.categories.get(relevance.category, 0) + 1
            duplicate = self._original_of(summary, ref.key)
            if duplicate is not None:
                entry = new_entry(ref, summary, relevance, now, "ignored", duplicate[1])
                entry["duplicate_of"] = duplicate[0]
                report.duplicates += 1
                report.ignored += 1
                self.store.put(LEDGER, ref.key, entry, journal=False)
            elif not relevance.fetch_body:
                report.ignored += 1
                self.store.put(LEDGER, ref.key, new_entry(ref, summary, relevance, now, "ignored"),
                               journal=False)
            else:
                if uid not in bodies and uid in groups:
                    bodies = mailbox.fetch_messages(groups[uid])
                raw = bodies.pop(uid, None)
                if raw is None:
                    entry = new_entry(ref, summary, relevance, now, "ignored",
                                      "message supprimé du serveur pendant la lecture")
                    report.ignored += 1
                else:
                    digest, path = self.raw.save(raw)  # StoreError (disk full…) stops the sync here
                    entry = new_entry(ref, summary, relevance, now)
                    entry.update(raw=path, sha256=digest)
                    report.relevant += 1
                # Journaled at once: its raw copy exists. The rows of unrelated messages and
                # the checkpoint reach the disk at the next commit; after a crash they are
                # simply redone (a row is looked up by UID before anything is fetched).
                self.store.put(LEDGER, ref.key, entry)
            done_uids.add(uid)
            self._advance(checkpoint, ckey, uid)
        if batch and batch[-1] > checkpoint["last_uid"] and all(u in done_uids or u not in headers
                                                                 for u in batch):
            self._advance(checkpoint, ckey, batch[-1])

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
        original = self.store.get(LEDGER, key)
        if original is None:
            return None
        return key, (f"doublon du message déjà {labels.LEDGER_STATE[original['state']]} "
                     f"({original['folder']}, UID {original['uid']}, UIDVALIDITY "
                     f"{original['uidvalidity']})")

    def _advance(self, checkpoint: dict, ckey: str, uid: int) -> None:
        if uid > checkpoint["last_uid"]:
            checkpoint["last_uid"] = uid
            self.store.put(CHECKPOINTS, ckey, checkpoint, journal=False)
