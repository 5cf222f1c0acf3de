"""IMAP mailbox (imapclient): read-only access, headers first, bodies with BODY.PEEK.

Folders are opened with EXAMINE (read-only), so not even the \\Recent flag is
consumed; every fetch uses BODY.PEEK, so \\Seen is never set.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from cpambot.config.model import Account
from cpambot.errors import AuthenticationError, MailboxError
from cpambot.mailbox.headers import HEADER_FIELDS
from cpambot.mailbox.protocol import FetchedHeaders, FolderStatus

LOG = logging.getLogger(__name__)

_HEADER_ITEM = "BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")]"
T = TypeVar("T")


def tls_context(cafile: Any | None) -> ssl.SSLContext:
    """A verifying TLS context; ``cafile`` adds a private CA (self-hosted server)."""
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


class ImapMailbox:
    """One IMAP account; one connection; one selected folder at a time."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.client: IMAPClient | None = None
        self.folder: str | None = None

    # -- connection -----------------------------------------------------------------

    def open(self) -> None:
        acc = self.account
        where = f"{acc.host}:{acc.port}"
        password = acc.secret.read() if acc.secret else ""
        try:
            if acc.security == "tls":
                client = IMAPClient(acc.host, port=acc.port, ssl=True,
                                    ssl_context=tls_context(acc.cafile), timeout=acc.timeout)
            else:
                client = IMAPClient(acc.host, port=acc.port, ssl=False, timeout=acc.timeout)
                if acc.security == "starttls":
                    client.starttls(tls_context(acc.cafile))
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(f"compte « {acc.name} » : certificat TLS refusé pour {where} "
                               f"({exc.verify_message}) ; indiquez « certificat_ca » si le serveur "
                               "utilise une autorité privée") from exc
        except ssl.SSLError as exc:
            raise MailboxError(f"compte « {acc.name} » : échec de la négociation TLS avec {where} "
                               f"({exc.reason or exc}) ; vérifiez « securite » et « port »") from exc
        except socket.gaierror as exc:
            raise MailboxError(f"compte « {acc.name} » : serveur {acc.host} introuvable "
                               "(nom inconnu ou pas de réseau)") from exc
        except TimeoutError as exc:
            raise MailboxError(f"compte « {acc.name} » : le serveur {where} ne répond pas "
                               "(délai dépassé)") from exc
        except ConnectionRefusedError as exc:
            raise MailboxError(f"compte « {acc.name} » : connexion refusée par {where}") from exc
        except (OSError, IMAPClientError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"compte « {acc.name} » : connexion impossible à {where} "
                               f"({exc})") from exc
        try:
            client.login(acc.username, password)
        except LoginError as exc:
            _safe_logout(client)
            raise AuthenticationError(
                f"compte « {acc.name} » : identifiant ou mot de passe refusé par {acc.host} "
                f"pour {acc.username}") from exc
        except (OSError, IMAPClientError, imaplib.IMAP4.error) as exc:
            _safe_logout(client)
            raise MailboxError(f"compte « {acc.name} » : échec de l'identification sur {where} "
                               f"({exc})") from exc
        self.client = client
        LOG.info("compte %s : connecté à %s", acc.name, where)

    def close(self) -> None:
        if self.client is not None:
            _safe_logout(self.client)
            self.client = None

    def __enter__(self) -> ImapMailbox:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        if self.client is None:
            raise MailboxError(f"compte « {self.account.name} » : pas de connexion ouverte")
        try:
            return fn()
        except (OSError, IMAPClientError, imaplib.IMAP4.error, imaplib.IMAP4.abort) as exc:
            raise MailboxError(f"compte « {self.account.name} » : {what} a échoué "
                               f"({exc.__class__.__name__}: {exc})") from exc

    # -- Mailbox interface ------------------------------------------------------------

    def capabilities(self) -> tuple[str, ...]:
        caps = self._call("la lecture des capacités", lambda: self.client.capabilities())  # type: ignore[union-attr]
        return tuple(c.decode() if isinstance(c, bytes) else str(c) for c in caps)

    def list_folders(self) -> list[str]:
        folders = self._call("la liste des dossiers", lambda: self.client.list_folders())  # type: ignore[union-attr]
        return [name for _flags, _sep, name in folders]

    def select(self, folder: str) -> FolderStatus:
        info = self._call(f"l'ouverture du dossier « {folder} »",
                          lambda: self.client.select_folder(folder, readonly=True))  # type: ignore[union-attr]
        self.folder = folder
        return FolderStatus(uidvalidity=int(info[b"UIDVALIDITY"]),
                            uidnext=int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
                            exists=int(info.get(b"EXISTS", 0)))

    def uids_after(self, last_uid: int) -> list[int]:
        # "n:*" always matches the highest UID, even below n: filter.
        uids = self._call("la recherche des nouveaux messages",
                          lambda: self.client.search(["UID", f"{last_uid + 1}:*"]))  # type: ignore[union-attr]
        return sorted(u for u in uids if u > last_uid)

    def fetch_headers(self, uids: list[int]) -> dict[int, FetchedHeaders]:
        if not uids:
            return {}
        data = self._call("la lecture des en-têtes",
                          lambda: self.client.fetch(uids, ["RFC822.SIZE", _HEADER_ITEM]))  # type: ignore[union-attr]
        out: dict[int, FetchedHeaders] = {}
        for uid, item in data.items():
            header = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER")), None)
            if header is None or b"RFC822.SIZE" not in item:
                continue
            out[uid] = FetchedHeaders(uid=uid, size=int(item[b"RFC822.SIZE"]),
                                      header_bytes=bytes(header or b""))
        return out

    def fetch_messages(self, uids: list[int]) -> dict[int, bytes]:
        if not uids:
            return {}
        data = self._call("la lecture des messages",
                          lambda: self.client.fetch(uids, ["BODY.PEEK[]"]))  # type: ignore[union-attr]
        return {uid: bytes(item[b"BODY[]"]) for uid, item in data.items() if b"BODY[]" in item}

    def append(self, folder: str, raw: bytes, flags: tuple[bytes, ...] = (rb"\Seen",)) -> None:
        """Append a message (used for the copy in the Sent folder, never on received mail)."""
        self._call(f"l'ajout d'un message dans « {folder} »",
                   lambda: self.client.append(folder, raw, flags=flags))  # type: ignore[union-attr]


def _safe_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass
