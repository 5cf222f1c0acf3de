"""Local Maildir mailbox, read-only, with IMAP-like UIDs.

A Maildir has no UIDs, so, like Dovecot's ``dovecot-uidlist``, this keeps a
small list per folder in the bot's state directory: every file name seen gets
the next UID, in arrival order, and keeps it. The folder's UIDVALIDITY is the
creation time of that list. Without a state directory (a throw-away run), the
list lives in memory only.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import BinaryIO

from cpambot.errors import MailboxError
from cpambot.mailbox.headers import header_block, select_fields
from cpambot.mailbox.protocol import FetchedHeaders, FolderStatus
from cpambot.store.files import atomic_write

_HEADER_CHUNK = 256 * 1024


def _selected_header(handle: BinaryIO) -> bytes:
    """The fields an IMAP server would return for HEADER.FIELDS, however long the header block:
    the usual block is read in one go; a longer one is read again line by line, keeping only
    the wanted fields (a caisse message behind 300 KB of relay headers is still recognised)."""
    head = handle.read(_HEADER_CHUNK)
    if b"\n\n" in head or b"\r\n\r\n" in head or len(head) < _HEADER_CHUNK:
        return select_fields(header_block(head))
    handle.seek(0)
    return select_fields(iter(handle.readline, b""))


class MaildirMailbox:
    def __init__(self, root: Path, state_dir: Path | None = None) -> None:
        self.root = Path(root)
        self.state_dir = state_dir
        self.folder: str | None = None
        self._paths: dict[int, Path] = {}

    def open(self) -> None:
        if not (self.root / "cur").is_dir() or not (self.root / "new").is_dir():
            raise MailboxError(f"{self.root} n'est pas un dossier Maildir (cur/ et new/ manquants)")

    def close(self) -> None:
        self._paths = {}

    def capabilities(self) -> tuple[str, ...]:
        return ("MAILDIR",)

    def _folder_dir(self, folder: str) -> Path:
        if folder.upper() == "INBOX":
            return self.root
        return self.root / ("." + folder.replace("/", "."))

    def _uidlist_path(self, folder_dir: Path) -> Path | None:
        if self.state_dir is None:
            return None
        tag = zlib.crc32(str(folder_dir.resolve()).encode()) & 0xFFFFFFFF
        return self.state_dir / f"maildir-uids-{tag:08x}.json"

    def select(self, folder: str) -> FolderStatus:
        folder_dir = self._folder_dir(folder)
        if not (folder_dir / "cur").is_dir():
            raise MailboxError(f"dossier « {folder} » introuvable dans {self.root}")
        listing = self._load_uidlist(folder_dir)
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            for entry in os.scandir(folder_dir / sub):
                if entry.is_file() and not entry.name.startswith("."):
                    files[entry.name.split(":2,")[0]] = Path(entry.path)
        known: dict[str, int] = listing["uids"]
        fresh = sorted((n for n in files if n not in known),
                       key=lambda n: (files[n].stat().st_mtime, n))
        for name in fresh:
            known[name] = listing["next"]
            listing["next"] += 1
        if fresh:
            self._save_uidlist(folder_dir, listing)
        self._paths = {uid: files[name] for name, uid in known.items() if name in files}
        self.folder = folder
        return FolderStatus(uidvalidity=listing["uidvalidity"], uidnext=listing["next"],
                            exists=len(self._paths))

    def _load_uidlist(self, folder_dir: Path) -> dict:
        path = self._uidlist_path(folder_dir)
        if path is not None and path.exists():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise MailboxError(f"liste d'UID illisible ({path}) : {exc}") from exc
        return {"uidvalidity": int(time.time()), "next": 1, "uids": {}}

    def _save_uidlist(self, folder_dir: Path, listing: dict) -> None:
        path = self._uidlist_path(folder_dir)
        if path is not None:
            atomic_write(path, json.dumps(listing, separators=(",", ":")).encode())

    def uids_after(self, last_uid: int) -> list[int]:
        return sorted(uid for uid in self._paths if uid > last_uid)

    def fetch_headers(self, uids: list[int]) -> dict[int, FetchedHeaders]:
        out = {}
        for uid in uids:
            path = self._paths.get(uid)
            if path is None:
                continue
            try:
                with path.open("rb") as handle:
                    header_bytes = _selected_header(handle)
                size = path.stat().st_size
            except FileNotFoundError:
                continue  # removed meanwhile, like an EXPUNGE
            except OSError as exc:
                raise MailboxError(f"lecture impossible de {path} : {exc.strerror}") from exc
            out[uid] = FetchedHeaders(uid=uid, size=size, header_bytes=header_bytes)
        return out

    def fetch_messages(self, uids: list[int]) -> dict[int, bytes]:
        out = {}
        for uid in uids:
            path = self._paths.get(uid)
            if path is None:
                continue
            try:
                out[uid] = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise MailboxError(f"lecture impossible de {path} : {exc.strerror}") from exc
        return out
