"""The store's archive: settled documents, out of memory and never rewritten by a commit.

What each part of the bot no longer changes (a ledger row read long ago, a case closed for a month,
an e-mail sent and acknowledged) is moved here by the daily maintenance, into one TinyDB-format file
per table and month (``archive/<table>/<YYYY-MM>.json``), so that closed months are never loaded nor
rewritten by the everyday polls.

Where each archived key is, and the values of the table's indexed fields (case number, draft code,
message fingerprint), is kept in ``archive/index.sqlite`` (Python's own sqlite3): a look-up costs an
indexed query, then one month's file, read once and kept while it is among the last few used —
nothing of the archive is held in memory. (A JSON index read at every start cost 0.5 s and some
20 MB at ten years of mail, measured with bench/growth.py; sqlite answers without loading it.)
The index is written only under the store's snapshot lock, so a backup never copies it mid-write.

The hot tables win: a document put again after it was archived is hot until archived again; listings
skip its archived copy, and the next archiving removes it from the index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cpambot.errors import StoreError
from cpambot.store.files import FILE_MODE, disk_error, ensure_private_dir
from cpambot.store.tables import read_table, write_file

CACHED_PARTS = 4
INDEX_NAME = "index.sqlite"
_PART = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (tbl TEXT NOT NULL, key TEXT NOT NULL, part TEXT NOT NULL,
                                    PRIMARY KEY (tbl, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_part ON entries (tbl, part);
CREATE TABLE IF NOT EXISTS fields (tbl TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                                   key TEXT NOT NULL, PRIMARY KEY (tbl, field, value)) WITHOUT ROWID;
"""
BATCH = 500


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


class Archive:
    """The archived documents of one store (``folder``: ``<data>/store/archive``)."""

    def __init__(self, folder: Path, indexes: dict[str, tuple[str, ...]], *, readonly: bool = False,
                 locked: Callable[[], Any] | None = None) -> None:
        self.folder = folder
        self.indexes = indexes
        self.readonly = readonly
        self.locked = locked  # () -> context manager: the snapshot lock, held exclusively while writing
        self._db: sqlite3.Connection | None = None
        self._absent_checked = False  # (no index yet: known after one look, until this process makes one)
        self._cache: OrderedDict[tuple[str, str], dict[str, dict[str, Any]]] = OrderedDict()

    def _conn(self, *, create: bool = False) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not create and self._absent_checked and not self.readonly:
            return None  # (only this writer creates it: a miss costs no system call)
        path = self.folder / INDEX_NAME
        if not path.exists():
            if not create:
                self._absent_checked = True
                return None
            ensure_private_dir(self.folder)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        try:
            if self.readonly:
                self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            else:
                self._db = sqlite3.connect(path, check_same_thread=False)
                self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"index des archives {path} illisible ({exc}) : restaurez une sauvegarde "
                             "(« cpambot restore »)") from exc
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _query(self, sql: str, args: Iterable[Any]) -> list[tuple[Any, ...]]:
        db = self._conn()
        if db is None:
            return []
        try:
            return db.execute(sql, tuple(args)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"index des archives illisible ({exc})") from exc

    # -- reading ----------------------------------------------------------------------------

    def _part(self, table: str, part: str) -> dict[str, dict[str, Any]]:
        cached = self._cache.get((table, part))
        if cached is not None:
            self._cache.move_to_end((table, part))
            return cached
        path = self.folder / table / f"{part}.json"
        docs = read_table(path, table).docs if path.exists() else {}
        self._cache[(table, part)] = docs
        while len(self._cache) > CACHED_PARTS:
            self._cache.popitem(last=False)
        return docs

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        rows = self._query("SELECT part FROM entries WHERE tbl = ? AND key = ?", (table, key))
        return self._part(table, rows[0][0]).get(key) if rows else None

    def find(self, table: str, field: str, value: Any) -> str | None:
        rows = self._query("SELECT f.key FROM fields f JOIN entries e ON e.tbl = f.tbl AND e.key = f.key "
                           "WHERE f.tbl = ? AND f.field = ? AND f.value = ?",
                           (table, field, json.dumps(value)))
        return str(rows[0][0]) if rows else None

    def archived_among(self, table: str, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` that also have an archived copy."""
        found: set[str] = set()
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._query(
                f"SELECT key FROM entries WHERE tbl = ? AND key IN ({marks})", (table, *chunk)))
        return found

    def count(self, table: str, hot: Iterable[str] = ()) -> int:
        """Archived documents of ``table`` whose key is not among ``hot``."""
        rows = self._query("SELECT COUNT(*) FROM entries WHERE tbl = ?", (table,))
        return (int(rows[0][0]) if rows else 0) - len(self.archived_among(table, hot))

    def values(self, table: str, skip: set[str] | dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every archived document of ``table`` whose key is not in ``skip`` (the hot ones), month by
        month, one month's file in memory at a time."""
        parts = [r[0] for r in self._query("SELECT DISTINCT part FROM entries WHERE tbl = ? ORDER BY part",
                                           (table,))]
        for part in parts:
            keys = {r[0] for r in self._query("SELECT key FROM entries WHERE tbl = ? AND part = ?",
                                              (table, part))}
            path = self.folder / table / f"{part}.json"
            if not path.exists():
                continue
            for key, doc in read_table(path, table).docs.items():
                if key in keys and key not in skip:
                    yield doc

    # -- writing ----------------------------------------------------------------------------

    def add(self, table: str, docs_by_part: dict[str, list[dict[str, Any]]], generation: int) -> None:
        """Write ``docs_by_part`` into their months' files (merged with what is there), then index them:
        once this returns, they may leave the hot table."""
        folder = ensure_private_dir(self.folder / table)
        entries: list[tuple[str, str, str]] = []
        fields: list[tuple[str, str, str, str]] = []
        for part, docs in docs_by_part.items():
            if not _PART.match(part):
                raise StoreError(f"partie d'archive invalide : {part!r}")
            path = folder / f"{part}.json"
            current = read_table(path, table).docs if path.exists() else {}
            for doc in docs:
                current[doc["_key"]] = doc
                entries.append((table, doc["_key"], part))
                fields.extend((table, name, json.dumps(doc[name]), doc["_key"])
                              for name in self.indexes.get(table, ()) if doc.get(name) is not None)
            write_file(path, table, current, generation, backup=False)
            self._cache.pop((table, part), None)
        self._write(lambda db: (db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", entries),
                                db.executemany("INSERT OR IGNORE INTO fields VALUES (?, ?, ?, ?)", fields)))

    def forget(self, table: str, keys: Iterable[str]) -> None:
        """``keys`` deleted, or hot again: no longer archived (their copies stay in the months' files,
        never read)."""
        present = sorted(self.archived_among(table, keys))
        if present:
            self._write(lambda db: [db.executemany("DELETE FROM entries WHERE tbl = ? AND key = ?",
                                                   [(table, key) for key in chunk])
                                    for chunk in _chunks(present)])

    def drop(self, table: str) -> None:
        if self._conn() is not None:
            self._write(lambda db: (db.execute("DELETE FROM entries WHERE tbl = ?", (table,)),
                                    db.execute("DELETE FROM fields WHERE tbl = ?", (table,))))
        try:
            if (self.folder / table).is_dir():
                shutil.rmtree(self.folder / table)
        except OSError as exc:
            raise disk_error(self.folder / table, exc) from exc
        for cache_key in [k for k in self._cache if k[0] == table]:
            del self._cache[cache_key]

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        db = self._conn(create=True)
        assert db is not None and not self.readonly
        guard = self.locked() if self.locked is not None else contextlib.nullcontext()
        try:
            with guard, db:  # (the snapshot lock, then one transaction)
                work(db)
        except sqlite3.Error as exc:
            raise StoreError(f"écriture impossible de l'index des archives ({exc})") from exc
