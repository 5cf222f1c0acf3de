"""The store: TinyDB-format tables held in memory, one writer, a journal, and an archive.

Layout of ``<data>/store/`` (see ../shared/testing-notes.md §4 for the first design, and the
module docstrings of journal, tables and archive):

* one process writes, guarded by an exclusive lock file (``<data>/cpambot.lock``);
* every change is appended at once to the journal (one JSON line, written to the OS before the call
  returns; :meth:`Store.commit` fsyncs it): a killed process loses nothing, the journal is replayed on
  the next start. A commit writes only what changed — it costs the same with ten years of history;
* the table files (``<table>.json``, TinyDB's format) are rewritten by a compaction only: when the
  journal passes :data:`COMPACT_BYTES`, after the daily archiving, and when the writer closes;
* what each part of the bot no longer changes is moved by the daily maintenance to the archive
  (:meth:`Store.archive`), out of memory, by month; look-ups by key or indexed field still find it;
* look-ups by key, and by the indexed fields, are dictionary look-ups in memory.

Documents are plain dicts; each carries its key in ``_key``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cpambot import labels
from cpambot.errors import StoreError, StoreLockedError
from cpambot.store.archive import Archive
from cpambot.store.backup import snapshot_lock
from cpambot.store.files import FILE_MODE, atomic_write, disk_error, ensure_private_dir
from cpambot.store.journal import Journal, line
from cpambot.store.migrate import legacy_tables, migrate_v1, needs_v1_migration
from cpambot.store.repair import load_tables
from cpambot.store.tables import table_names, write_table

LOG = logging.getLogger(__name__)

SCHEMA_VERSION = 2
STORE_DIR = "store"
META_NAME = "meta.json"
TABLES_DIR = "tables"
LOCK_NAME = "cpambot.lock"
COMPACT_BYTES = 8 * 1024 * 1024  # a journal segment this large is folded into the table files

# Secondary indexes kept in memory: table -> fields. The first document with a
# given value wins (for the ledger's fingerprint: the original of a duplicate).
INDEXES: dict[str, tuple[str, ...]] = {"ledger": ("fingerprint",), "cases": ("id",), "drafts": ("code",)}


def has_data(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds a store (of this release or an earlier one)."""
    data_dir = Path(data_dir)
    return (data_dir / STORE_DIR / META_NAME).exists() or needs_v1_migration(data_dir, data_dir / STORE_DIR)


def acquire_writer_lock(data_dir: Path) -> int:
    """The exclusive lock of the one process that writes ``data_dir`` (its descriptor); a French
    StoreLockedError naming the other process when it is taken."""
    path = Path(data_dir) / LOCK_NAME
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
                               f"{data_dir} ; arrêtez-le ou attendez qu'il termine") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


class Store:
    """All persistent state of one data directory."""

    def __init__(self, data_dir: Path, *, readonly: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / STORE_DIR
        self.readonly = readonly
        self.generation = 0
        self._lock_fd: int | None = None
        self._docs: dict[str, dict[str, dict[str, Any]]] = {}
        self._index: dict[tuple[str, str], dict[Any, str]] = {}
        self._deferred: dict[tuple[str, str], dict[str, Any] | None] = {}  # None: a deletion
        self._unjournaled: dict[tuple[str, str], dict[str, Any]] = {}  # put(journal=False), until commit
        self._versions: dict[str, int] = {}  # table -> change counter (see version())
        self._journal = Journal(self.folder / "journal")
        self.archived = Archive(self.folder / "archive", INDEXES, readonly=readonly,
                                locked=lambda: snapshot_lock(self.folder, exclusive=True))
        self._open_ = False

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
            if not has_data(self.data_dir):
                raise StoreError(f"aucune donnée dans {self.data_dir} : lancez d'abord "
                                 "« cpambot poll --once »")
            if needs_v1_migration(self.data_dir, self.folder):  # (read as it is: only a writer migrates)
                for table, docs in legacy_tables(self.data_dir).items():
                    for key, doc in docs.items():
                        self._set(table, key, doc)
                self._open_ = True
                return
        else:
            ensure_private_dir(self.data_dir)
            self._acquire_lock()
            if needs_v1_migration(self.data_dir, self.folder):
                migrate_v1(self.data_dir, self.folder, SCHEMA_VERSION)
        meta = self._read_meta()
        schema = meta.get("schema", SCHEMA_VERSION)
        if isinstance(schema, int) and schema > SCHEMA_VERSION:
            raise StoreError(f"la base {self.folder} a été créée par une version plus récente de "
                             f"cpambot (schéma {schema}) ; mettez cpambot à jour")
        self.generation = int(meta.get("generation", 1))
        for table, docs in load_tables(self.folder / TABLES_DIR, self._journal, self.generation,
                                             writable=not self.readonly).items():
            for key, doc in docs.items():
                self._set(table, key, doc)
        replayed = self._replay()
        self._open_ = True
        if not self.readonly:
            self._journal.start(self.generation)
            if not meta:
                self._write_meta()
            if replayed:
                LOG.info("journal rejoué : %s", labels.count(replayed, "modification récupérée",
                                                              "modifications récupérées"))

    def _read_meta(self) -> dict[str, Any]:
        path = self.folder / META_NAME
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path} illisible ({exc}) : restaurez une sauvegarde "
                             "(« cpambot restore ») ou recréez ce fichier avec "
                             '{"schema": 2, "generation": N}, N le plus grand numéro de journal/') from exc
        return meta if isinstance(meta, dict) else {}

    def _write_meta(self) -> None:
        ensure_private_dir(self.folder)
        atomic_write(self.folder / META_NAME,
                     json.dumps({"schema": SCHEMA_VERSION, "generation": self.generation}).encode())

    def _replay(self) -> int:
        replay = self._journal.read(self.generation)
        for entry in replay.entries:
            self._apply_entry(entry)
        if replay.bad:
            where = ", ".join(f"{name} n° {number}" for name, number in replay.bad[:10])
            lost = labels.count(len(replay.bad), "ligne illisible ignorée", "lignes illisibles ignorées")
            kept = labels.count(len(replay.entries), "modification gardée", "modifications gardées")
            LOG.warning("journal %s : %s (%s), %s", self._journal.folder, lost, where, kept)
        return len(replay.entries)

    def _apply_entry(self, entry: dict[str, Any]) -> None:
        table = entry["t"]
        if entry.get("drop"):
            self._drop(table)
        elif entry.get("del"):
            self._remove(table, entry["k"])
        else:
            self._set(table, entry["k"], entry["d"])

    def _acquire_lock(self) -> None:
        self._lock_fd = acquire_writer_lock(self.data_dir)

    def close(self) -> None:
        if self._open_ and not self.readonly:
            self.commit()
            if self._journal.size:
                self.compact()
        self._release()

    def _release(self) -> None:
        """The journal's descriptor and the writer's lock let go, nothing written."""
        self._journal.close()
        self.archived.close()
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None
        self._open_ = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------------

    def get(self, table: str, key: str, *, archived: bool = True) -> dict[str, Any] | None:
        """A copy of the document ``key`` (the archive looked at too unless ``archived`` is False: for
        what cannot be settled yet, as a ledger row above a folder's checkpoint)."""
        doc = self._docs.get(table, {}).get(key)
        if doc is None and archived:
            doc = self.archived.get(table, key)
        return dict(doc) if doc is not None else None

    def find(self, table: str, field: str, value: Any) -> str | None:
        """The key of the first document whose indexed ``field`` equals ``value`` (archived ones too)."""
        key = self._index.get((table, field), {}).get(value)
        if key is not None:
            return key
        key = self.archived.find(table, field, value)
        return key if key is not None and key not in self._docs.get(table, {}) else None

    def values(self, table: str, *, archived: bool = False) -> Iterator[dict[str, Any]]:
        """The documents of ``table`` in memory; with ``archived``, then the archived ones, a month at a
        time (for what must see all history: a rebuild, a full listing)."""
        hot = self._docs.get(table, {})
        for doc in list(hot.values()):
            yield dict(doc)
        if archived:
            for doc in self.archived.values(table, skip=hot):
                yield dict(doc)

    def count(self, table: str, *, archived: bool = False) -> int:
        hot = self._docs.get(table, {})
        return len(hot) + (self.archived.count(table, hot) if archived else 0)

    # -- writing ----------------------------------------------------------------------

    def put(self, table: str, key: str, doc: dict[str, Any], *, defer: bool = False,
            journal: bool = True, sync: bool = False) -> None:
        """Insert or replace a document.

        Durable against a process crash on return, unless ``defer``: then it is journaled with the
        next non-deferred put (or :meth:`flush_journal`), in order. With ``journal=False`` the
        document is journaled only by the next :meth:`commit`: for what is cheap and harmless to redo
        after a crash (the rows of unrelated messages, a checkpoint that only narrows a search). With
        ``sync=True`` the journal is also fsynced: durable against a power cut, for what must never
        be redone (the states of an e-mail being sent).
        """
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        doc = dict(doc)
        doc["_key"] = key
        self._set(table, key, doc)
        self._deferred.pop((table, key), None)  # only the last version of a document is written
        if not journal:
            self._unjournaled[(table, key)] = doc
            return
        self._unjournaled.pop((table, key), None)
        self._deferred[(table, key)] = doc
        if not defer:
            self.flush_journal()
        if sync:
            self._journal.sync()

    def flush_journal(self) -> None:
        """Write the deferred puts and deletions to the journal, in order, in one system call."""
        if not self._deferred:
            return
        data = b"".join(line({"t": t, "k": k, "del": True}) if d is None else line({"t": t, "k": k, "d": d})
                        for (t, k), d in self._deferred.items())
        self._deferred = {}
        self._journal.append(data)

    def version(self, table: str) -> int:
        """A number that changes whenever a document of ``table`` changes (for caches of parsed values)."""
        return self._versions.get(table, 0)

    def _touch(self, table: str) -> None:
        self._versions[table] = self._versions.get(table, 0) + 1

    def _set(self, table: str, key: str, doc: dict[str, Any]) -> None:
        self._touch(table)
        self._docs.setdefault(table, {})[key] = doc
        for field in INDEXES.get(table, ()):
            value = doc.get(field)
            if value is not None:
                self._index.setdefault((table, field), {}).setdefault(value, key)

    def delete(self, table: str, key: str) -> None:
        """Remove one document, hot or archived (journaled with the next non-deferred write or commit)."""
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        if key not in self._docs.get(table, {}) and not self.archived.archived_among(table, [key]):
            return
        self._remove(table, key)
        self._unjournaled.pop((table, key), None)
        self._deferred.pop((table, key), None)
        self._deferred[(table, key)] = None

    def _remove(self, table: str, key: str) -> None:
        self._touch(table)
        doc = self._docs.get(table, {}).pop(key, None)
        if doc is not None:
            for field in INDEXES.get(table, ()):
                index = self._index.get((table, field), {})
                if index.get(doc.get(field)) == key:
                    del index[doc.get(field)]
        if not self.readonly:
            self.archived.forget(table, [key])

    def drop(self, table: str) -> None:
        """Remove every document of ``table``, archived ones included (journaled, like any change)."""
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        self.flush_journal()
        self._journal.append(line({"t": table, "drop": True}))
        self._drop(table)

    def _drop(self, table: str) -> None:
        self._touch(table)
        self._docs.pop(table, None)
        for key in [k for k in self._index if k[0] == table]:
            del self._index[key]
        self._deferred = {k: v for k, v in self._deferred.items() if k[0] != table}
        self._unjournaled = {k: v for k, v in self._unjournaled.items() if k[0] != table}
        if not self.readonly:
            self.archived.drop(table)

    def commit(self) -> None:
        """Every change durable (journaled and fsynced); the table files are rewritten only when the
        journal has grown past :data:`COMPACT_BYTES`."""
        if self.readonly or not self._open_:
            return
        self.commit_journal_only()
        self._journal.sync()
        if self._journal.size > COMPACT_BYTES:
            self.compact()

    def compact(self) -> None:
        """Fold the journal into the table files: every table written as the next generation (the
        previous files kept as ``.bak``), a new journal segment, then ``meta.json``; the segment
        before the previous one removed."""
        if self.readonly or not self._open_:
            return
        self.commit_journal_only()
        generation = self.generation + 1
        folder = ensure_private_dir(self.folder / TABLES_DIR)
        with snapshot_lock(self.folder, exclusive=True):  # (a backup under way sees one generation)
            for table in set(table_names(folder)) - set(self._docs):  # (dropped: written empty)
                write_table(folder, table, {}, generation)
            for table, docs in self._docs.items():
                write_table(folder, table, docs, generation)
            self._journal.start(generation)
            self.generation = generation
            self._write_meta()
            self._journal.prune(generation - 1)

    def commit_journal_only(self) -> None:
        if self._unjournaled:
            self._deferred.update(self._unjournaled)
            self._unjournaled = {}
        self.flush_journal()

    def archive(self, table: str, part_of: Callable[[dict[str, Any]], str | None], *,
                shrink: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> int:
        """Move the documents of ``table`` for which ``part_of`` names a part (a month, "2026-03") to
        the archive (as ``shrink`` leaves them, if given), then compact; returns how many moved."""
        if self.readonly:
            raise StoreError("base ouverte en lecture seule")
        self.commit_journal_only()
        moving: dict[str, list[dict[str, Any]]] = {}
        for doc in self._docs.get(table, {}).values():
            part = part_of(doc)
            if part is not None:
                moving.setdefault(part, []).append(shrink(doc) if shrink is not None else doc)
        moved = {doc["_key"] for docs in moving.values() for doc in docs}
        self.archived.forget(table, [k for k in self._docs.get(table, {}) if k not in moved])  # (hot again)
        if not moving:
            return 0
        self.archived.add(table, moving, self.generation + 1)  # (under the snapshot lock)
        hot = self._docs[table]
        for docs in moving.values():
            for doc in docs:
                hot.pop(doc["_key"], None)
        self._touch(table)
        self.compact()
        return sum(len(docs) for docs in moving.values())
