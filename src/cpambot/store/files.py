"""Durable files: atomic replacement (temp, fsync, rename) with owner-only permissions.

``AtomicJSONStorage`` is a TinyDB storage that keeps the database in memory
and writes it to disk only when :meth:`flush` is called, atomically, so a crash
leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from cpambot.errors import DamagedFileError, StoreError

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as owner-only, and tighten it if it already exists."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(DIR_MODE)
    except OSError as exc:
        raise StoreError(f"impossible de protéger le dossier {path} : {exc.strerror}") from exc
    return path


def disk_error(path: Path, exc: OSError) -> StoreError:
    """A French message for a failed write, with the usual causes spelled out."""
    if exc.errno == errno.ENOSPC:
        return StoreError(f"disque plein : impossible d'écrire {path}. Rien n'a été perdu ; "
                          "libérez de la place puis relancez.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError(f"permission refusée pour écrire {path}")
    if exc.errno == errno.EROFS:
        return StoreError(f"système de fichiers en lecture seule : {path}")
    return StoreError(f"écriture impossible de {path} : {exc.strerror or exc}")


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; mode 0600."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise disk_error(path, exc) from exc
    if sync:
        fsync_dir(path.parent)


class AtomicJSONStorage(Storage):
    """TinyDB storage for one of the store's files: reads once, writes on :meth:`flush`, atomically
    (temp, fsync, rename, 0600), as compact UTF-8 JSON. ``TinyDB(path, storage=AtomicJSONStorage)``
    opens any table or archive file with TinyDB's own query API."""

    def __init__(self, path: str | Path, **_: Any) -> None:
        self.path = Path(path)
        self._data: dict[str, Any] | None = None
        self._loaded = False
        self.dirty = False

    def read(self) -> dict[str, Any] | None:
        if not self._loaded:
            self._loaded = True
            try:
                text = self.path.read_bytes().decode("utf-8")
                data = json.loads(text) if text.strip() else None
            except FileNotFoundError:
                data = None
            except OSError as exc:
                raise StoreError(f"lecture impossible de {self.path} : {exc.strerror}") from exc
            except ValueError as exc:  # (bytes that are not UTF-8, or JSON cut short)
                raise DamagedFileError(f"{self.path} illisible ({exc.__class__.__name__} : "
                                       f"{str(exc)[:120]})") from exc
            if data is not None and not isinstance(data, dict):
                raise DamagedFileError(f"{self.path} illisible (pas une base TinyDB)")
            self._data = data
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        self._loaded = True
        self.dirty = True

    def flush(self) -> None:
        if not self.dirty or self._data is None:
            return
        atomic_write(self.path, json.dumps(self._data, ensure_ascii=False, separators=(",", ":")).encode())
        self.dirty = False

    def close(self) -> None:
        self.flush()
