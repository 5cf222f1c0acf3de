"""The store's archive: settled documents, out of memory and never rewritten by a commit.

What each part of the bot no longer changes (a ledger row read long ago, a case closed for a month,
an e-mail sent and acknowledged) is moved here by the daily maintenance, into one TinyDB-format file
per table and month (``archive/<table>/<YYYY-MM>.json``), so that closed months are never loaded nor
rewritten by the everyday polls. ``archive/<table>.idx`` (one JSON line per document archived, or
deleted since) says where each key is, with the values of the table's indexed fields: a look-up by key
or by an indexed field costs a dictionary look-up, then one month's file, read once and kept while it
is among the last few used.

The hot tables win: a document put again after it was archived is hot until archived again (the
index's last line for a key is the one that counts; a file may hold stale copies, never read).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cpambot.errors import StoreError
from cpambot.store.files import FILE_MODE, disk_error, ensure_private_dir
from cpambot.store.tables import read_table, write_file

CACHED_PARTS = 4
_PART = re.compile(r"^[0-9A-Za-z_-]{1,40}$")


class Archive:
    """The archived documents of one store (``folder``: ``<data>/store/archive``)."""

    def __init__(self, folder: Path, indexes: dict[str, tuple[str, ...]]) -> None:
        self.folder = folder
        self.indexes = indexes
        self.where: dict[str, dict[str, str]] = {}  # table -> key -> part
        self.fields: dict[tuple[str, str], dict[Any, str]] = {}  # (table, field) -> value -> key
        self._cache: OrderedDict[tuple[str, str], dict[str, dict[str, Any]]] = OrderedDict()
        self.bad_lines = 0

    def load(self) -> None:
        """Read every table's index (the documents stay on disk)."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return
        for name in sorted(names):
            if name.endswith(".idx"):
                self._load_index(name[:-4])

    def _load_index(self, table: str) -> None:
        path = self.folder / f"{table}.idx"
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise StoreError(f"lecture impossible de {path} : {exc.strerror}") from exc
        where = self.where.setdefault(table, {})
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
                key, part = entry["k"], entry["p"]
            except (ValueError, KeyError, TypeError):
                self.bad_lines += 1  # (a torn last line: that document stays where it was, hot)
                continue
            if part is None:
                where.pop(key, None)
                continue
            where[key] = part
            for name, value in (entry.get("f") or {}).items():
                if value is not None:
                    self.fields.setdefault((table, name), {})[value] = key

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
        part = self.where.get(table, {}).get(key)
        if part is None:
            return None
        return self._part(table, part).get(key)

    def find(self, table: str, field: str, value: Any) -> str | None:
        key = self.fields.get((table, field), {}).get(value)
        return key if key is not None and key in self.where.get(table, {}) else None

    def count(self, table: str) -> int:
        return len(self.where.get(table, {}))

    def values(self, table: str, skip: set[str] | dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every archived document of ``table`` whose key is not in ``skip`` (the hot ones), month by
        month, one month's file in memory at a time."""
        where = self.where.get(table, {})
        for part in sorted(set(where.values())):
            path = self.folder / table / f"{part}.json"
            if not path.exists():
                continue
            for key, doc in read_table(path, table).docs.items():
                if where.get(key) == part and key not in skip:
                    yield doc

    # -- writing ----------------------------------------------------------------------------

    def add(self, table: str, docs_by_part: dict[str, list[dict[str, Any]]], generation: int) -> None:
        """Write ``docs_by_part`` into their months' files (merged with what is there), then their
        index lines (fsynced): once this returns, they may leave the hot table."""
        folder = ensure_private_dir(self.folder / table)
        lines = []
        for part, docs in docs_by_part.items():
            if not _PART.match(part):
                raise StoreError(f"partie d'archive invalide : {part!r}")
            path = folder / f"{part}.json"
            current = read_table(path, table).docs if path.exists() else {}
            for doc in docs:
                current[doc["_key"]] = doc
            write_file(path, table, current, generation)
            self._cache.pop((table, part), None)
            for doc in docs:
                fields = {name: doc.get(name) for name in self.indexes.get(table, ())}
                lines.append({"k": doc["_key"], "p": part, "f": fields})
        self._append(table, lines)
        for entry in lines:
            self.where.setdefault(table, {})[entry["k"]] = entry["p"]
            for name, value in entry["f"].items():
                if value is not None:
                    self.fields.setdefault((table, name), {})[value] = entry["k"]

    def forget(self, table: str, key: str) -> None:
        """``key`` deleted: no longer archived (its copy stays in its month's file, never read)."""
        if key in self.where.get(table, {}):
            self._append(table, [{"k": key, "p": None}])
            del self.where[table][key]

    def drop(self, table: str) -> None:
        for path in (self.folder / table, self.folder / f"{table}.idx"):
            try:
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            except OSError as exc:
                raise disk_error(path, exc) from exc
        self.where.pop(table, None)
        for index_key in [k for k in self.fields if k[0] == table]:
            del self.fields[index_key]
        for cache_key in [k for k in self._cache if k[0] == table]:
            del self._cache[cache_key]

    def _append(self, table: str, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        ensure_private_dir(self.folder)
        path = self.folder / f"{table}.idx"
        data = b"".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                        for e in entries)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise disk_error(path, exc) from exc
