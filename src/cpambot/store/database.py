"""The store: TinyDB tables held in memory, one writer, a journal, batched commits.

Design (see ../shared/testing-notes.md §4 for why):

* one process writes, guarded by an exclusive lock file (``cpambot.lock``);
* every change is appended at once to a journal (``store.journal``, one JSON line
  per document, written to the OS before the call returns): a killed process
  loses nothing, the journal is replayed on the next start;
* :meth:`Store.commit` applies the changes to the TinyDB tables in one batch and
  writes the database file atomically (temp, fsync, rename, mode 0600), then
  empties the journal. Nothing rewrites the whole file per document;
* look-ups by key, and by the indexed fields, are dictionary look-ups in memory.

Documents are plain dicts; each carries its key in ``_key``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from cpambot import labels
from cpambot.errors import StoreError, StoreLockedError
from cpambot.store.files import FILE_MODE, AtomicJSONStorage, disk_error, ensure_private_dir

LOG = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DB_NAME = "store.json"
JOURNAL_NAME = "store.journal"
LOCK_NAME = "cpambot.lock"

# Secondary indexes kept in memory: table -> fields. The first document with a
# given value wins (for the ledger's fingerprint: the original of a duplicate).
INDEXES: dict[str, tuple[str, ...]] = {"ledger": ("fingerprint",), "cases": ("id",), "drafts": ("code",)}


class Store:
    """All persistent state of one data directory."""

    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.readonly = readonly
        self._lock_fd: int | None = None
        self._journal_fd: int | None = None
        self._docs: dict[str, dict[str, dict[str, Any]]] = {}
        self._ids: dict[str, dict[str, int]] = {}
        self._pending: dict[str, dict[str, dict[str, Any]]] = {}
        self._index: dict[tuple[str, str], dict[Any, str]] = {}
        self._deferred: dict[tuple[str, str], dict[str, Any]] = {}
        self._deleted_lines: list[bytes] = []
        self._removed: dict[str, list[int]] = {}  # TinyDB ids to remove at the next commit
        self._versions: dict[str, int] = {}  # table -> change counter (see version())
        self._db: TinyDB | None = None
        self._storage: AtomicJSONStorage | None = None

    # -- life cycle -------------------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, readonly: bool = False) -> Store:
        store = cls(data_dir, readonly=readonly)
        try:
            store._open()
        except BaseException:
            store._release()  # (a store that could not be opened holds no lock)
            raise
        return store

    def _open(self) -> None:
        if self.readonly:
            if not (self.data_dir / DB_NAME).exists() and not (self.data_dir / JOURNAL_NAME).exists():
                raise StoreError(f"aucune donnée dans {self.data_dir} : lancez d'abord "
                                 "« cpambot poll --once »")
        else:
            ensure_private_dir(self.data_dir)
            self._acquire_lock()
        db_path = self.data_dir / DB_NAME
        self._db = TinyDB(db_path, storage=AtomicJSONStorage)
        storage = self._db.storage
        assert isinstance(storage, AtomicJSONStorage)
        self._storage = storage
        meta = self._db.table("_meta").all()
        version = meta[0].get("schema") if meta else None
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(f"la base {db_path} a été créée par une version plus récente de "
                             f"cpambot (schéma {version}) ; mettez cpambot à jour")
        # The documents are held once: the look-up tables point at the dicts of the storage
        # itself (a large ledger would otherwise sit twice in memory).
        raw_tables = storage.read() or {}
        for name, docs in raw_tables.items():
            if name == "_meta":
                continue
            for doc_id, doc in docs.items():
                key = doc.get("_key")
                if key is None:
                    continue
                self._docs.setdefault(name, {})[key] = doc
                self._ids.setdefault(name, {})[key] = int(doc_id)
                self._reindex(name, key, doc)
        replayed = self._replay_journal()
        if not self.readonly:
            if version is None:
                self._db.table("_meta").insert({"schema": SCHEMA_VERSION})
            if replayed:
                LOG.info("journal rejoué : %s après un arrêt brutal",
                         labels.count(replayed, "modification récupérée", "modifications récupérées"))
            self.commit()
            self._open_journal()

    def _acquire_lock(self) -> None:
        path = self.data_dir / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise disk_error(path, exc) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreLockedError(f"un autre processus cpambot (pid {other}) utilise déjà "
                                   f"{self.data_dir} ; arrêtez-le ou attendez qu'il termine") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def _open_journal(self) -> None:
        path = self.data_dir / JOURNAL_NAME
        try:
            self._journal_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        except OSError as exc:
            raise disk_error(path, exc) from exc

    def _replay_journal(self) -> int:
        path = self.data_dir / JOURNAL_NAME
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"lecture impossible du journal {path} : {exc.strerror}") from exc
        count = 0
        bad: list[int] = []
        for number, line in enumerate(data.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                if entry.get("drop"):
                    self._drop(entry["t"])
                    count += 1
                    continue
                if entry.get("del"):
                    self._remove(entry["t"], entry["k"])
                    count += 1
                    continue
                table, key, doc = entry["t"], entry["k"], entry["d"]
            except (ValueError, KeyError, TypeError, AttributeError):
                # A torn last line is the normal trace of a crash mid-write; a bad line before good
                # ones (a damaged disk) loses only itself: every good entry is kept, and it is said
                bad.append(number)
                continue
            self._apply(table, key, doc)
            count += 1
        if bad:
            LOG.warning("journal %s : %s (n° %s), %s", path,
                        labels.count(len(bad), "ligne illisible ignorée", "lignes illisibles ignorées"),
                        ", ".join(map(str, bad[:10])),
                        labels.count(count, "modification gardée", "modifications gardées"))
        return count

    def close(self) -> None:
        if self._db is not None and not self.readonly:
            self.commit()
        self._release()

    def _release(self) -> None:
        """The journal's descriptor and the writer's lock let go, nothing written."""
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
        self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        doc = self._docs.get(table, {}).get(key)
        return dict(doc) if doc is not None else None

    def find(self, table: str, field: str, value: Any) -> str | None:
        """The key of the first document whose indexed ``field`` equals ``value``."""
        return self._index.get((table, field), {}).get(value)

    def values(self, table: str) -> Iterator[dict[str, Any]]:
        for doc in self._docs.get(table, {}).values():
            yield dict(doc)

    def count(self, table: str) -> int:
        return len(self._docs.get(table, {}))

    # -- writing ----------------------------------------------------------------------

    def put(self, table: str, key: str, doc: dict[str, Any], *, defer: bool = False,
            journal: bool = True, sync: bool = False) -> None:
        """Insert or replace a document.

        Durable against a process crash on return, unless ``defer``: then it is
        journaled with the next non-deferred put (or :meth:`flush_journal`), in
        order. With ``journal=False`` the document only reaches the disk with the
        next :meth:`commit`: for what is cheap and harmless to redo after a crash
        (the rows of unrelated messages, a checkpoint that only narrows a search). With
        ``sync=True`` the journal is also fsynced: durable against a power cut, for what must
        never be redone (the states of an e-mail being sent).
        """
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        doc = dict(doc)
        doc["_key"] = key
        self._apply(table, key, doc)
        if not journal:
            self._deferred.pop((table, key), None)
            return
        self._deferred.pop((table, key), None)  # only the last version of a document is written
        self._deferred[(table, key)] = doc
        if not defer:
            self.flush_journal()
        if sync and self._journal_fd is not None:
            try:
                os.fsync(self._journal_fd)
            except OSError as exc:
                raise disk_error(self.data_dir / JOURNAL_NAME, exc) from exc

    def flush_journal(self) -> None:
        """Write the deferred puts (and deletions) to the journal, in one system call."""
        if not self._deferred and not self._deleted_lines:
            return
        data = b"".join(self._deleted_lines) + b"".join(
            json.dumps({"t": t, "k": k, "d": d}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            for (t, k), d in self._deferred.items())
        self._deferred = {}
        self._deleted_lines = []
        assert self._journal_fd is not None
        try:
            os.write(self._journal_fd, data)
        except OSError as exc:
            raise disk_error(self.data_dir / JOURNAL_NAME, exc) from exc

    def version(self, table: str) -> int:
        """A number that changes whenever a document of ``table`` changes (for caches of parsed values)."""
        return self._versions.get(table, 0)

    def _touch(self, table: str) -> None:
        self._versions[table] = self._versions.get(table, 0) + 1

    def _apply(self, table: str, key: str, doc: dict[str, Any]) -> None:
        self._touch(table)
        self._docs.setdefault(table, {})[key] = doc
        self._pending.setdefault(table, {})[key] = doc
        self._reindex(table, key, doc)

    def _reindex(self, table: str, key: str, doc: dict[str, Any]) -> None:
        for field in INDEXES.get(table, ()):
            value = doc.get(field)
            if value is not None:
                self._index.setdefault((table, field), {}).setdefault(value, key)

    def delete(self, table: str, key: str) -> None:
        """Remove one document (journaled at the next non-deferred write or commit)."""
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        if key not in self._docs.get(table, {}):
            return
        self._remove(table, key)
        self._deferred.pop((table, key), None)
        self._deleted_lines.append(json.dumps({"t": table, "k": key, "del": True},
                                              ensure_ascii=False).encode() + b"\n")

    def _remove(self, table: str, key: str) -> None:
        self._touch(table)
        doc = self._docs.get(table, {}).pop(key, None)
        self._pending.get(table, {}).pop(key, None)
        if doc is not None:
            for field in INDEXES.get(table, ()):
                index = self._index.get((table, field), {})
                if index.get(doc.get(field)) == key:
                    del index[doc.get(field)]
        doc_id = self._ids.get(table, {}).pop(key, None)
        if doc_id is not None:
            self._removed.setdefault(table, []).append(doc_id)

    def drop(self, table: str) -> None:
        """Remove every document of ``table`` (journaled, like any change)."""
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        line = json.dumps({"t": table, "drop": True}).encode() + b"\n"
        assert self._journal_fd is not None
        self.flush_journal()
        try:
            os.write(self._journal_fd, line)
        except OSError as exc:
            raise disk_error(self.data_dir / JOURNAL_NAME, exc) from exc
        self._drop(table)

    def _drop(self, table: str) -> None:
        self._touch(table)
        self._docs.pop(table, None)
        self._pending.pop(table, None)
        self._ids.pop(table, None)
        for key in [k for k in self._index if k[0] == table]:
            del self._index[key]
        self._deferred = {k: v for k, v in self._deferred.items() if k[0] != table}
        self._removed.pop(table, None)
        if self._db is not None:
            self._db.drop_table(table)

    def commit(self) -> None:
        """Write every pending change to the database file, atomically, then empty the journal."""
        if self.readonly or self._db is None:
            return
        self._deferred = {}  # they are in _pending: the file written below holds them
        self._deleted_lines = []
        for table_name, doc_ids in self._removed.items():
            if doc_ids:
                self._db.table(table_name, cache_size=0).remove(doc_ids=doc_ids)
        self._removed = {}
        for table_name, changes in self._pending.items():
            if not changes:
                continue
            table = self._db.table(table_name, cache_size=0)
            ids = self._ids.setdefault(table_name, {})
            new = [key for key in changes if key not in ids]
            updated = {ids[key]: changes[key] for key in changes if key in ids}
            if new:
                for key, doc_id in zip(new, table.insert_multiple(changes[k] for k in new),
                                       strict=True):
                    ids[key] = doc_id
            if updated:
                def replace(doc: MutableMapping[str, Any],
                            changes: dict[str, dict[str, Any]] = changes) -> None:
                    fresh = changes[doc["_key"]]
                    doc.clear()
                    doc.update(fresh)

                table.update(replace, doc_ids=list(updated))
            assert self._storage is not None
            stored = (self._storage.read() or {}).get(table_name, {})
            docs = self._docs.setdefault(table_name, {})
            for key in changes:  # share the storage's dicts again: one copy of each document
                shared = stored.get(str(ids[key]))
                if shared is not None:
                    docs[key] = shared
        self._pending = {}
        assert self._storage is not None
        self._storage.flush()
        if self._journal_fd is not None:
            try:
                os.ftruncate(self._journal_fd, 0)
            except OSError as exc:
                raise disk_error(self.data_dir / JOURNAL_NAME, exc) from exc
        else:
            journal = self.data_dir / JOURNAL_NAME
            if journal.exists():
                journal.unlink()
