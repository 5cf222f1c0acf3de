"""``cpambot backup`` and ``cpambot restore``: a data folder saved while the service runs, and put back."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from cpambot import labels
from cpambot.errors import StoreLockedError
from cpambot.store.backup import BACKUPS_DIR, archive_to, opened, restore
from cpambot.store.database import Store, acquire_writer_lock, has_data


def _size(octets: int) -> str:
    return f"{octets / 1e6:.1f} Mo".replace(".", ",")


def cmd_backup(data_dir: Path, target: Path | None) -> int:
    if not has_data(data_dir):
        print(f"Rien à sauvegarder : aucune donnée dans {data_dir}")
        return 1
    folder = target or data_dir / BACKUPS_DIR
    taken = archive_to(data_dir, folder, datetime.now(UTC).astimezone())
    print(f"Sauvegarde faite : {taken.path} ({labels.count(taken.files, 'fichier')}, {_size(taken.size)}).")
    print(f"Pour la restaurer (service arrêté) : cpambot restore {taken.path}")
    return 0


def cmd_restore(data_dir: Path, source: Path) -> int:
    try:
        fd = acquire_writer_lock(data_dir)
    except StoreLockedError as exc:
        raise StoreLockedError(f"{exc}. Arrêtez d'abord le service (« sudo systemctl stop cpambot »), "
                               "puis relancez la restauration.") from None
    try:
        with opened(source) as folder:
            aside = restore(folder, data_dir, datetime.now(UTC).astimezone())
    finally:
        os.close(fd)
    with Store.open(data_dir) as store:  # (checked: it opens, migrated or repaired if it must be)
        cases = store.count("cases", archived=True)
        rows = store.count("ledger", archived=True)
        doubtful = _unsure_of_what_left(store)
    print(f"Sauvegarde {source} restaurée dans {data_dir} : {labels.count(cases, 'dossier')}, "
          f"{labels.count(rows, 'message')} au registre.")
    if doubtful:
        print(f"{labels.count(doubtful, 'courrier')} en attente d'envoi dans la sauvegarde : "
              f"{'il est peut-être parti' if doubtful == 1 else 'ils sont peut-être partis'} depuis ; "
              "le robot les cherche dans « Envoyés » et vous demande avant tout envoi.")
    print(f"Les données d'avant sont gardées dans {aside} (à supprimer quand tout va bien).")
    print("Relancez le service : « sudo systemctl start cpambot ».")
    return 0


def _unsure_of_what_left(store: Store) -> int:
    """An e-mail still queued in a backup may have left after the backup was made: sending it again
    blindly could send a letter twice. Each becomes ``uncertain`` (looked for in Sent, then the nurse
    decides), as after a crash during a send."""
    from cpambot.sending import states
    from cpambot.sending.journal import OutboxJournal
    from cpambot.sending.model import SendState

    journal = OutboxJournal(store)
    waiting = journal.entries(SendState.QUEUED, SendState.SENDING)
    now = datetime.now(UTC)
    for entry in waiting:
        journal.record(states.ambiguous(entry, now, "restauré d'une sauvegarde : il a pu partir depuis"))
    return len(waiting)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="sauvegarde les données (base et copies brutes) dans une archive "
                                           ".tar.gz, même pendant que le service tourne")
    backup.add_argument("--vers", "--to", dest="target", type=Path, default=None,
                        help="dossier où écrire l'archive (défaut : sauvegardes/ du dossier de données)")
    backup.add_argument("--data-dir", type=Path, default=None, help="dossier de données")
    restore_ = sub.add_parser("restore", help="remet les données d'une sauvegarde (service arrêté) ; les "
                                              "données d'avant sont gardées à part")
    restore_.add_argument("source", type=Path, metavar="SAUVEGARDE",
                          help="archive .tar.gz, ou dossier d'une sauvegarde quotidienne")
    restore_.add_argument("--data-dir", type=Path, default=None, help="dossier de données")
