"""The small interface every mailbox implements, IMAP or local Maildir.

The sync engine only sees this interface: select a folder, list the UIDs above
a checkpoint, fetch header blocks, fetch whole messages. Nothing here marks,
moves or deletes a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FolderStatus:
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True)
class FetchedHeaders:
    uid: int
    size: int
    header_bytes: bytes


class Mailbox(Protocol):
    """A source of messages; implementations: ImapMailbox, MaildirMailbox."""

    def open(self) -> None: ...

    def close(self) -> None: ...

    def capabilities(self) -> tuple[str, ...]: ...

    def select(self, folder: str) -> FolderStatus: ...

    def uids_after(self, last_uid: int) -> list[int]: ...

    def fetch_headers(self, uids: list[int]) -> dict[int, FetchedHeaders]: ...

    def fetch_messages(self, uids: list[int]) -> dict[int, bytes]: ...
