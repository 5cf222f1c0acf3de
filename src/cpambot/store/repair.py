"""Reading the table files at start, and repairing one that cannot be read.

A table file is replaced atomically, so a torn one means a disk or a file system that lied; the
``.bak`` (the version before, generation B) and the journal segments from B on then hold everything
the file held. They agree when every segment from B to today is there and none of those older than
today's has an unreadable line (it could have belonged to this table): the table is rebuilt from them,
written back, and the damaged file kept aside (``.abime``). Otherwise nothing is touched and the store
refuses to open with what to do, in French.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from cpambot import labels
from cpambot.errors import DamagedFileError, StoreError
from cpambot.store.backup import BACKUPS_DIR
from cpambot.store.journal import Journal, Replay
from cpambot.store.migrate import apply_entry
from cpambot.store.tables import TableFile, backup_path, read_table, table_names, table_path, write_table

LOG = logging.getLogger(__name__)

Tables = dict[str, dict[str, dict[str, Any]]]


def load_tables(folder: Path, journal: Journal, generation: int, *, writable: bool = True) -> Tables:
    """Every table file of ``folder``; a damaged one repaired when its backup and the journal agree."""
    tables: Tables = {}
    for table in table_names(folder):
        path = table_path(folder, table)
        try:
            tables[table] = read_table(path, table).docs
        except DamagedFileError as damage:
            tables[table] = repaired(folder, table, journal, generation, damage, writable=writable)
    return tables


def repaired(folder: Path, table: str, journal: Journal, generation: int, damage: DamagedFileError, *,
             writable: bool) -> dict[str, dict[str, Any]]:
    path = table_path(folder, table)
    backup = backup_path(path)
    kept, replay, why = _backup_and_journal(backup, table, journal, generation)
    if why is not None:
        raise StoreError(f"{damage}. {why} Rien n'a été modifié. Arrêtez le service, puis restaurez la "
                         f"dernière sauvegarde : « cpambot restore » (sauvegardes quotidiennes dans "
                         f"{folder.parent.parent / BACKUPS_DIR})") from damage
    assert kept is not None and replay is not None
    tables: Tables = {table: dict(kept.docs)}
    entries = [entry for entry in replay.entries if entry["t"] == table]
    for entry in entries:
        apply_entry(tables, entry)
    docs = tables.get(table, {})
    LOG.error("%s : réparée depuis sa copie %s et le journal (%s rejouées)", damage, backup.name,
              labels.count(len(entries), "modification", "modifications"))
    if writable:
        os.replace(path, path.with_name(path.name + ".abime"))
        write_table(folder, table, docs, kept.generation)
    return docs


def _backup_and_journal(backup: Path, table: str, journal: Journal,
                        generation: int) -> tuple[TableFile | None, Replay | None, str | None]:
    """The backup of ``table`` and the journal since it, each read once, or why they cannot rebuild it."""
    if not backup.exists():
        return None, None, "Il n'y a pas de copie précédente de ce fichier."
    try:
        kept = read_table(backup, table)
    except DamagedFileError:
        return None, None, f"Sa copie précédente {backup.name} est illisible elle aussi."
    present = set(journal.segments())
    missing = [g for g in range(kept.generation, generation + 1) if g not in present]
    if missing:
        return None, None, (f"Sa copie précédente {backup.name} et le journal ne concordent pas (il manque "
                            f"{labels.count(len(missing), 'segment')} du journal depuis cette copie).")
    replay = journal.read(kept.generation)
    bad = [(name, n) for name, n in replay.bad if int(name.split(".")[0]) < generation]
    if bad:
        return None, None, (f"Sa copie précédente {backup.name} et le journal ne concordent pas (le journal "
                            f"a {labels.count(len(bad), 'ligne illisible', 'lignes illisibles')} depuis "
                            "cette copie).")
    return kept, replay, None
