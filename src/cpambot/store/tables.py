"""One file per table: the store's documents as of the last compaction, in TinyDB's own format.

``<table>.json`` is a TinyDB database — ``{"<table>": {"1": doc, …}, "_gen": {"1": {"generation": G}}}``
— so any file can be opened with ``TinyDB(path)`` to look at it; documents carry their key in ``_key``.
Each is replaced atomically (temp, fsync, rename, 0600); the version it replaces is kept as
``<table>.json.bak`` (a hard link: no copy).

A file that cannot be read (cut short, bytes that are not UTF-8) is repaired when its ``.bak`` and
the journal agree: the ``.bak`` is generation B and every journal segment from B on is there and
readable for that table — then ``.bak`` + those entries is exactly what the file held, and more.
Otherwise the store refuses to open and says, in French, what to do.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpambot.errors import DamagedFileError, StoreError
from cpambot.store.files import AtomicJSONStorage

GEN_TABLE = "_gen"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,80}$")


@dataclass
class TableFile:
    """What one table file holds."""

    generation: int
    docs: dict[str, dict[str, Any]]  # key -> document (with ``_key``)


def table_path(folder: Path, table: str) -> Path:
    if not _NAME.match(table):
        raise StoreError(f"nom de table invalide : {table!r}")
    return folder / f"{table}.json"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")




def write_table(folder: Path, table: str, docs: dict[str, dict[str, Any]], generation: int) -> None:
    """Replace ``table``'s file with ``docs`` as of ``generation``; the old one becomes the ``.bak``."""
    write_file(table_path(folder, table), table, docs, generation)


def write_file(path: Path, table: str, docs: dict[str, dict[str, Any]], generation: int, *,
               backup: bool = True) -> None:
    """``write_table`` for a file of any name (an archive's month: no ``.bak``, the daily backups
    cover it)."""
    if backup and path.exists():
        previous = backup_path(path)
        try:
            previous.unlink(missing_ok=True)
            os.link(path, previous)
        except OSError:
            pass  # (a backup is a comfort; the journal still holds the last changes)
    storage = AtomicJSONStorage(path)
    storage.write({table: {str(i): doc for i, doc in enumerate(docs.values(), start=1)},
                   GEN_TABLE: {"1": {"generation": generation}}})
    storage.flush()


def read_table(path: Path, table: str) -> TableFile:
    """The documents of one table file; DamagedFileError when it cannot be read."""
    data = AtomicJSONStorage(path).read() or {}
    try:
        rows = data.get(table, {})
        gen_rows = data.get(GEN_TABLE, {})
        generation = int(next(iter(gen_rows.values()))["generation"]) if gen_rows else 0
        docs: dict[str, dict[str, Any]] = {}
        for doc in rows.values():
            key = doc.get("_key")
            if isinstance(key, str):
                docs[key] = doc
    except (ValueError, TypeError, KeyError, AttributeError, StopIteration) as exc:
        raise DamagedFileError(f"{path} illisible ({exc.__class__.__name__} : {str(exc)[:120]})") from exc
    return TableFile(generation, docs)


def table_names(folder: Path) -> list[str]:
    """The tables that have a file in ``folder``."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith("."))
