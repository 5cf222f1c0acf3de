"""From the stores of earlier releases to today's layout.

Schema 1 (up to December 2026): one TinyDB file ``store.json`` rewritten whole at every commit, with
``store.journal`` and ``store.json.bak`` beside it. Schema 2: the folder ``store/`` (one file per table,
a journal in segments, an archive — see :mod:`cpambot.store.database`). The move is made once, at the
first writable open: the new folder is written aside (``store.new``) and renamed into place, so a crash
leaves either the old store or the new one; the old file is kept as ``store.json.v1`` (it can be
deleted once the new release has run well).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from cpambot import labels
from cpambot.errors import StoreError
from cpambot.store.files import atomic_write, ensure_private_dir, fsync_dir
from cpambot.store.journal import Journal, read_file
from cpambot.store.tables import write_table

LOG = logging.getLogger(__name__)

LEGACY_DB = "store.json"
LEGACY_JOURNAL = "store.journal"
KEPT_AS = "store.json.v1"

Tables = dict[str, dict[str, dict[str, Any]]]


def legacy_tables(data_dir: Path) -> Tables:
    """The documents of a schema-1 store (its file, then its journal replayed)."""
    path = data_dir / LEGACY_DB
    tables: Tables = {}
    if path.exists():
        try:
            data = json.loads(path.read_bytes().decode("utf-8") or "{}")
        except OSError as exc:
            raise StoreError(f"lecture impossible de {path} : {exc.strerror}") from exc
        except ValueError as exc:
            backup = path.with_name(path.name + ".bak")
            where = (f"la copie précédente est {backup} (elle ne contient pas les derniers changements)"
                     if backup.exists() else "il n'y a pas de copie précédente")
            raise StoreError(f"base de données illisible : {path} ({exc.__class__.__name__} : "
                             f"{str(exc)[:120]}). Elle n'a pas été modifiée ; {where}") from exc
        meta: dict[str, Any] = data.get("_meta") or {}
        first: dict[str, Any] = next(iter(meta.values()), {}) if meta else {}
        schema = first.get("schema")
        if isinstance(schema, int) and schema > 1:
            raise StoreError(f"la base {path} a été créée par une version plus récente de cpambot "
                             f"(schéma {schema}) ; mettez cpambot à jour")
        for name, docs in data.items():
            if name == "_meta" or not isinstance(docs, dict):
                continue
            table = tables.setdefault(name, {})
            for doc in docs.values():
                if isinstance(doc, dict) and isinstance(doc.get("_key"), str):
                    table[doc["_key"]] = doc
    journal = data_dir / LEGACY_JOURNAL
    if journal.exists():
        replay = read_file(journal)
        for entry in replay.entries:
            apply_entry(tables, entry)
        if replay.bad:
            lost = labels.count(len(replay.bad), "ligne illisible ignorée", "lignes illisibles ignorées")
            LOG.warning("journal %s : %s", journal, lost)
    return tables


def apply_entry(tables: Tables, entry: dict[str, Any]) -> None:
    table = entry["t"]
    if entry.get("drop"):
        tables.pop(table, None)
    elif entry.get("del"):
        tables.get(table, {}).pop(entry["k"], None)
    else:
        tables.setdefault(table, {})[entry["k"]] = entry["d"]


def needs_v1_migration(data_dir: Path, store_dir: Path) -> bool:
    return not (store_dir / "meta.json").exists() and (
        (data_dir / LEGACY_DB).exists() or (data_dir / LEGACY_JOURNAL).exists())


def migrate_v1(data_dir: Path, store_dir: Path, schema: int) -> None:
    """Schema 1 → today's folder, written aside then renamed into place; the old file kept."""
    tables = legacy_tables(data_dir)
    fresh = data_dir / (store_dir.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)  # (a migration cut short)
    ensure_private_dir(fresh / "tables")
    for table, docs in tables.items():
        write_table(fresh / "tables", table, docs, 1)
    Journal(fresh / "journal").start(1)
    atomic_write(fresh / "meta.json", json.dumps({"schema": schema, "generation": 1}).encode())
    fsync_dir(fresh)
    os.rename(fresh, store_dir)
    fsync_dir(data_dir)
    os.replace(data_dir / LEGACY_DB, data_dir / KEPT_AS) if (data_dir / LEGACY_DB).exists() else None
    for leftover in (LEGACY_JOURNAL, LEGACY_DB + ".bak"):
        (data_dir / leftover).unlink(missing_ok=True)
    total = sum(len(docs) for docs in tables.values())
    LOG.warning("base mise à jour (schéma 1 → %d) : %s réparties en %s dans %s ; l'ancienne base est "
                "gardée dans %s (à supprimer quand tout va bien)", schema,
                labels.count(total, "donnée", "données"), labels.count(len(tables), "table"), store_dir,
                data_dir / KEPT_AS)
