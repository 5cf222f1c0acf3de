"""The Sent folder of an IMAP account: find a Message-ID there, append the copy of a sent e-mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import TracebackType

from imapclient.imapclient import SENT as SENT_FLAG

from cpambot.config.model import Account
from cpambot.errors import MailboxError
from cpambot.mailbox.imap import ImapMailbox

SEEN = rb"\Seen"


class SentFolder:
    """The Sent folder of one IMAP account: find a Message-ID, append a copy.

    The folder is ``Account.sent_folder`` when configured, else the folder the
    server marks ``\\Sent`` (SPECIAL-USE) or one of the usual names. A context
    manager; ``find``/``append`` connect on first use.
    """

    def __init__(self, account: Account) -> None:
        self.account = account
        self.mailbox = ImapMailbox(account)
        self._folder: str | None = None

    def open(self) -> None:
        if self.mailbox.client is None:
            self.mailbox.open()

    def close(self) -> None:
        self.mailbox.close()

    def __enter__(self) -> SentFolder:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def folder(self) -> str:
        if self._folder is None:
            if self.account.sent_folder:
                self._folder = self.account.sent_folder
            else:
                self.open()
                client = self.mailbox.client
                assert client is not None
                found = self.mailbox._call("la recherche du dossier « Envoyés »",
                                           lambda: client.find_special_folder(SENT_FLAG))
                if not found:
                    raise MailboxError(f"compte « {self.account.name} » : aucun dossier « Envoyés » "
                                       "trouvé ; indiquez-le avec « dossier_envoyes »")
                self._folder = found
        return self._folder

    def find(self, message_id: str) -> bool:
        """Is a message with this Message-ID in the Sent folder?"""
        self.open()
        folder = self.folder
        client = self.mailbox.client
        assert client is not None
        self.mailbox._call(f"l'ouverture du dossier « {folder} »",
                           lambda: client.select_folder(folder, readonly=True))
        uids = self.mailbox._call(f"la recherche dans « {folder} »",
                                  lambda: client.search(["HEADER", "Message-ID", message_id]))
        return bool(uids)

    def append(self, raw: bytes) -> None:
        """Append ``raw`` to the Sent folder, flagged \\Seen."""
        self.open()
        self.mailbox.append(self.folder, raw, flags=(SEEN,))


SentFolderFactory = Callable[[], SentFolder]


def sent_folder_for(account: Account, folder: str | None = None) -> SentFolderFactory:
    """A factory for :class:`Outbox`: the Sent folder of ``account`` (``folder`` overrides its name)."""
    acc = replace(account, sent_folder=folder) if folder else account
    return lambda: SentFolder(acc)
