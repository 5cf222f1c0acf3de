"""Raw messages on disk: every relevant mail, byte for byte, owner-only.

Files are content-addressed (``raw/ab/abcdef….eml``, SHA-256 of the bytes),
so saving the same message twice writes nothing new. The store can be rebuilt
from these files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cpambot.store.files import atomic_write, ensure_private_dir

RAW_DIR = "raw"


class RawStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / RAW_DIR
        self._unsynced = False
        self._dirs: set[Path] = set()  # created (and made private) during this run

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / f"{digest}.eml"

    def save(self, raw: bytes) -> tuple[str, str]:
        """Store ``raw``; return its SHA-256 and its path relative to the data directory."""
        digest = hashlib.sha256(raw).hexdigest()
        path = self.path_for(digest)
        if not path.exists():
            for folder in (self.root, path.parent):
                if folder not in self._dirs:
                    ensure_private_dir(folder)
                    self._dirs.add(folder)
            atomic_write(path, raw, sync=False)
            self._unsynced = True
        return digest, f"{RAW_DIR}/{digest[:2]}/{digest}.eml"

    def sync(self) -> None:
        """Flush the files written since the last call to disk (one sync for a whole batch,
        called before the store commits the rows that point to them)."""
        if self._unsynced:
            os.sync()
            self._unsynced = False

    def load(self, relative: str) -> bytes:
        return (self.root.parent / relative).read_bytes()
