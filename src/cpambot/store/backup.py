"""Backups of a data folder, made while the service runs, and their restoration.

A backup is a consistent snapshot: the store's files are taken under a shared lock
(``store/snapshot.lock``) that the writer holds exclusively only while it replaces files (a compaction,
the archiving), so the snapshot holds table files of one generation and the journal since — a prefix
of it at worst, which a restore replays like after a crash. Raw copies are content-addressed and never
changed. ``manifest.json`` lists every file with its size and SHA-256, the schema and the date.

Two forms: a folder (the daily backups of the service, ``<data>/sauvegardes/AAAA-MM-JJ/``; files that
are only ever replaced, never changed in place, are hard links — a backup a day costs almost no disk)
and a ``.tar.gz`` archive (``cpambot backup --vers``: real copies, to carry away).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cpambot import __version__
from cpambot.errors import StoreError
from cpambot.store.files import FILE_MODE, atomic_write, disk_error, ensure_private_dir

BACKUPS_DIR = "sauvegardes"
MANIFEST = "manifest.json"
SNAPSHOT_LOCK = "snapshot.lock"
KEEP_DAILY = 7
# What a data folder holds that is the user's data (the lock, the backups themselves and what a
# migration left aside are not).
DATA_ITEMS = ("store", "raw")
COPIED = ("journal",)  # files appended in place: copied, never linked


@contextlib.contextmanager
def snapshot_lock(store_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Held exclusively by the writer while it replaces files, shared by a backup while it reads."""
    ensure_private_dir(store_dir)
    path = store_dir / SNAPSHOT_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _data_files(data_dir: Path) -> list[Path]:
    """Every file of the user's data, relative to ``data_dir``, in a stable order."""
    files: list[Path] = []
    for item in DATA_ITEMS:
        root = data_dir / item
        if root.is_dir():
            files.extend(p.relative_to(data_dir) for p in sorted(root.rglob("*"))
                         if p.is_file() and not p.name.startswith(".") and p.name != SNAPSHOT_LOCK
                         and not p.name.endswith((".bak", ".abime")))
    files.extend(p.relative_to(data_dir) for p in sorted(data_dir.glob("maildir-uids-*.json")))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _named_digest(relative: Path) -> str | None:
    """A raw copy is named after its SHA-256 (raw/ab/ab….eml): not read again for the manifest (a
    restore checks every file against it)."""
    stem = relative.stem
    if relative.parts[0] == "raw" and len(stem) == 64 and all(c in "0123456789abcdef" for c in stem):
        return stem
    return None


def _schema(data_dir: Path) -> int | None:
    try:
        return int(json.loads((data_dir / "store" / "meta.json").read_text(encoding="utf-8"))["schema"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class Snapshot:
    """A backup made: where, how many files, how many bytes."""

    path: Path
    files: int
    size: int


def snapshot(data_dir: Path, target: Path, now: datetime, *, link: bool = True) -> Snapshot:
    """A consistent copy of ``data_dir`` into the new folder ``target`` (files only ever replaced are
    hard-linked when ``link``), with its manifest; written aside then renamed into place."""
    data_dir = Path(data_dir)
    partial = target.with_name(f".{target.name}.partiel")
    shutil.rmtree(partial, ignore_errors=True)
    ensure_private_dir(partial)
    entries: list[dict[str, Any]] = []
    size = 0
    try:
        with snapshot_lock(data_dir / "store", exclusive=False):
            for relative in _data_files(data_dir):
                source, copy = data_dir / relative, partial / relative
                ensure_private_dir(copy.parent)
                if link and not set(relative.parts) & set(COPIED):
                    try:
                        os.link(source, copy)
                    except OSError:
                        shutil.copy2(source, copy)
                else:
                    shutil.copy2(source, copy)
                entries.append({"chemin": str(relative), "octets": copy.stat().st_size,
                                "sha256": _named_digest(relative) or _sha256(copy)})
                size += copy.stat().st_size
        manifest = {"cpambot": __version__, "schema": _schema(data_dir), "cree_le": now.isoformat(),
                    "dossier": str(data_dir), "fichiers": entries}
        atomic_write(partial / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        shutil.rmtree(target, ignore_errors=True)
        os.rename(partial, target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise disk_error(target, exc) from exc
    return Snapshot(target, len(entries), size)


def archive_to(data_dir: Path, folder: Path, now: datetime) -> Snapshot:
    """A ``.tar.gz`` backup in ``folder`` (real copies, to carry away)."""
    folder = ensure_private_dir(Path(folder))
    name = f"cpambot-sauvegarde-{now:%Y%m%d-%H%M%S}"
    with tempfile.TemporaryDirectory(dir=folder, prefix=".cpambot-") as work:
        taken = snapshot(data_dir, Path(work) / name, now, link=False)
        final = folder / f"{name}.tar.gz"
        partial = folder / f".{name}.tar.gz.partiel"
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                tar.add(taken.path, arcname=name)
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise disk_error(final, exc) from exc
    return Snapshot(final, taken.files, final.stat().st_size)


def daily(data_dir: Path, now: datetime, keep: int = KEEP_DAILY) -> Snapshot | None:
    """Today's backup in ``<data>/sauvegardes/`` (none if it exists), the oldest beyond ``keep`` removed."""
    folder = ensure_private_dir(Path(data_dir) / BACKUPS_DIR)
    target = folder / now.date().isoformat()
    if target.exists():
        return None
    taken = snapshot(data_dir, target, now)
    days = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in days[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return taken


def verify(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, once every file it lists is there with its SHA-256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["fichiers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{folder} n'est pas une sauvegarde de cpambot lisible (pas de {MANIFEST} "
                         "valide)") from exc
    bad = [e["chemin"] for e in files
           if not (folder / e["chemin"]).is_file() or _sha256(folder / e["chemin"]) != e["sha256"]]
    if bad:
        raise StoreError(f"sauvegarde {folder} abîmée : {len(bad)} fichier(s) manquant(s) ou modifié(s) "
                         f"({', '.join(bad[:5])}) ; rien n'a été restauré")
    return manifest


@contextlib.contextmanager
def opened(source: Path) -> Iterator[Path]:
    """The backup folder of ``source`` (a folder, or a .tar.gz unpacked aside for the time needed)."""
    source = Path(source)
    if source.is_dir():
        yield source
        return
    if not source.is_file():
        raise StoreError(f"sauvegarde introuvable : {source}")
    with tempfile.TemporaryDirectory(prefix="cpambot-restauration-") as work:
        try:
            with tarfile.open(source, mode="r:gz") as tar:
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise StoreError(f"{source} n'est pas une archive .tar.gz lisible ({exc})") from exc
        inside = [p for p in Path(work).iterdir() if (p / MANIFEST).exists()]
        if len(inside) != 1:
            raise StoreError(f"{source} ne contient pas une sauvegarde de cpambot")
        yield inside[0]


def restore(backup: Path, data_dir: Path, now: datetime) -> Path:
    """Put a verified backup in place of ``data_dir``'s data; what was there is moved aside, not
    deleted (returned). The caller holds the writer's lock (the service stopped)."""
    manifest = verify(backup)
    data_dir = Path(data_dir)
    owner = data_dir.stat()
    aside = data_dir / f"avant-restauration-{now:%Y%m%d-%H%M%S}"
    ensure_private_dir(aside)
    try:
        for item in [*DATA_ITEMS, *(p.name for p in data_dir.glob("maildir-uids-*.json"))]:
            if (data_dir / item).exists():
                os.rename(data_dir / item, aside / item)
        for entry in manifest["fichiers"]:
            target = data_dir / entry["chemin"]
            ensure_private_dir(target.parent)
            shutil.copy2(backup / entry["chemin"], target)
            target.chmod(FILE_MODE)
        if os.geteuid() == 0:  # (restored by root for the service's own user: the files stay its own)
            for path in [aside, *aside.rglob("*"), *(data_dir / i for i in DATA_ITEMS),
                         *(p for i in DATA_ITEMS for p in (data_dir / i).rglob("*"))]:
                if path.exists():
                    os.chown(path, owner.st_uid, owner.st_gid)
    except OSError as exc:
        raise disk_error(data_dir, exc) from exc
    return aside
