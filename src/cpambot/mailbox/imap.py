"""IMAP mailbox (imapclient): read-only access, headers first, bodies with BODY.PEEK.

Folders are opened with EXAMINE (read-only), so not even the \\Recent flag is
consumed; every fetch uses BODY.PEEK, so \\Seen is never set.

New UIDs are listed in windows (:meth:`ImapMailbox.uids_after`): a UID SEARCH answer is one
line, and imaplib refuses a line over ``imaplib._MAXLINE`` (1,000,000 bytes), so one search
of a folder of more than ~158,000 messages failed at every poll. That limit is left alone: it
is what keeps a hostile server from filling the memory with one endless line.
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
from cpambot.config.providers import refused_hint
from cpambot.errors import AuthenticationError, MailboxError
from cpambot.mailbox.fetch import parse_fetch, sequence_set
from cpambot.mailbox.headers import HEADER_FIELDS
from cpambot.mailbox.oauth import access_token
from cpambot.mailbox.protocol import FetchedHeaders, FolderStatus

LOG = logging.getLogger(__name__)

_HEADER_ITEM = "BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")]"
T = TypeVar("T")

# At most this many messages per UID SEARCH answer: 20,000 UIDs of up to 10 digits make a
# line of at most 220 kB, far below imaplib's 1,000,000-byte limit (tests make it small).
SEARCH_WINDOW = 20_000


def tls_context(cafile: Any | None) -> ssl.SSLContext:
    """A verifying TLS context; ``cafile`` adds a private CA (self-hosted server)."""
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


class ImapMailbox:
    """One IMAP account; one connection; one selected folder at a time."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.client: IMAPClient | None = None
        self.folder: str | None = None
        self.exists: int | None = None  # messages in the selected folder, as EXAMINE said

    # -- connection -----------------------------------------------------------------

    def open(self) -> None:
        acc = self.account
        where = f"{acc.host}:{acc.port}"
        # (a fresh OAuth2 access token — refreshed, its refresh token rotated — when it signs in so)
        password = access_token(acc.name, acc.oauth) if acc.oauth else acc.secret.read() if acc.secret else ""
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
            if acc.oauth is not None:
                try:
                    client.oauth2_login(acc.username, password)
                except LoginError:  # (revoked early, or the clock went back: one new token, once)
                    client.oauth2_login(acc.username, access_token(acc.name, acc.oauth, force=True))
            else:
                client.login(acc.username, password)
        except LoginError as exc:
            if acc.oauth is not None:
                _safe_logout(client)
                raise AuthenticationError(
                    f"compte « {acc.name} » : connexion OAuth2 refusée par {acc.host} pour {acc.username} ; "
                    f"lancez « cpambot login {acc.name} » pour vous identifier à nouveau") from exc
            _safe_logout(client)
            raise AuthenticationError(
                f"compte « {acc.name} » : identifiant ou mot de passe refusé par {acc.host} "
                f"pour {acc.username}{refused_hint(acc.provider)}") from exc
        except (OSError, IMAPClientError, imaplib.IMAP4.error) as exc:
            _safe_logout(client)
            raise MailboxError(f"compte « {acc.name} » : échec de l'identification sur {where} "
                               f"({exc})") from exc
        if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
            # imapclient turns imaplib's tracing on (debug = 5) for its logger: every literal read was
            # formatted with %r — whole message bodies included — for a logger that dropped it.
            client._imap.debug = 0
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
        # ValueError: an answer imapclient cannot read (parse_message_list raises it).
        except (OSError, ValueError, IMAPClientError, imaplib.IMAP4.error, imaplib.IMAP4.abort) as exc:
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
        self.exists = int(info.get(b"EXISTS", 0))
        return FolderStatus(uidvalidity=int(info[b"UIDVALIDITY"]),
                            uidnext=int(info[b"UIDNEXT"]) if b"UIDNEXT" in info else None,
                            exists=self.exists)

    def uids_after(self, last_uid: int) -> list[int]:
        """The UIDs above ``last_uid``, ascending, searched in windows of ≤ SEARCH_WINDOW messages.

        One search first takes the UIDs of the messages numbered 1, 1+W, 1+2W… and * (W =
        SEARCH_WINDOW): two consecutive marks bound a UID range holding W messages, however
        sparse the UIDs are (see :func:`uid_windows`). Then each range above the checkpoint is
        searched by UID alone: the ranges are contiguous, so a message expunged by another
        client meanwhile (which renumbers the others) only makes a range hold fewer, and
        nothing is skipped at an edge. Nothing new costs the first search only.
        """
        if self.exists == 0:
            return []  # empty when examined: what came since is read at the next poll
        count = self.exists or 1
        marks = self._search([",".join(str(n) for n in range(1, count + 1, SEARCH_WINDOW)) + ",*"])
        out: list[int] = []
        for low, high in uid_windows(last_uid, marks):
            # "n:*" always matches the highest UID, even below n: filter.
            found = self._search(["UID", f"{low}:{'*' if high is None else high}"])
            out.extend(sorted(u for u in found if u >= low and (high is None or u <= high)))
        return out

    def _search(self, criteria: list[str]) -> list[int]:
        return list(self._call("la recherche des nouveaux messages",
                               lambda: self.client.search(criteria)))  # type: ignore[union-attr]

    def fetch_headers(self, uids: list[int]) -> dict[int, FetchedHeaders]:
        out: dict[int, FetchedHeaders] = {}
        answers = self._fetch(uids, f"(RFC822.SIZE {_HEADER_ITEM})", "la lecture des en-têtes")
        for uid, item in answers.items():
            header = next((v for k, v in item.items() if k.startswith(b"BODY[HEADER")), None)
            if header is None or b"RFC822.SIZE" not in item:
                continue
            out[uid] = FetchedHeaders(uid=uid, size=int(item[b"RFC822.SIZE"]),
                                      header_bytes=bytes(header or b""))
        return out

    def fetch_messages(self, uids: list[int]) -> dict[int, bytes]:
        data = self._fetch(uids, "(BODY.PEEK[])", "la lecture des messages")
        return {uid: bytes(item[b"BODY[]"]) for uid, item in data.items() if item.get(b"BODY[]") is not None}

    def _fetch(self, uids: list[int], items: str, what: str) -> dict[int, dict[bytes, Any]]:
        """``UID FETCH`` of ``items`` for ``uids`` through imaplib, its answers read by
        :func:`cpambot.mailbox.fetch.parse_fetch` (imapclient's parser for unusual shapes only)."""
        if not uids:
            return {}
        wanted = set(uids)

        def run() -> dict[int, dict[bytes, Any]]:
            imap = self.client._imap  # type: ignore[union-attr]
            typ, data = imap.uid("FETCH", sequence_set(wanted), items)
            if typ != "OK":
                raise imaplib.IMAP4.error(f"réponse {typ} : {data!r:.200}")
            return {uid: item for uid, item in parse_fetch(data).items() if uid in wanted}

        return self._call(what, run)

    def append(self, folder: str, raw: bytes, flags: tuple[bytes, ...] = (rb"\Seen",)) -> None:
        """Append a message (used for the copy in the Sent folder, never on received mail)."""
        self._call(f"l'ajout d'un message dans « {folder} »",
                   lambda: self.client.append(folder, raw, flags=flags))  # type: ignore[union-attr]


def uid_windows(last_uid: int, marks: list[int]) -> list[tuple[int, int | None]]:
    """The UID ranges (low, high; None for "*") that hold every UID above ``last_uid``.

    ``marks`` are the UIDs of the messages numbered 1, 1+W, 1+2W… and of the last one. From a
    mark to the next one, excluded, a range holds W messages; the last range, from the last
    mark but the highest to "*", holds at most W + 1 (and what arrived since): the highest mark
    only tells whether anything is new. Ranges wholly at or below the checkpoint are left out,
    and the first one kept starts just above it. No message has a UID below the first mark
    (UIDs only grow), so nothing is searched there.
    """
    ordered = sorted(set(marks))
    if not ordered or ordered[-1] <= last_uid:
        return []
    starts = ordered[:-1] or ordered
    windows: list[tuple[int, int | None]] = []
    for low, following in zip(starts, [*starts[1:], None], strict=True):
        high = None if following is None else following - 1
        if high is None or high > last_uid:
            windows.append((max(low, last_uid + 1), high))
    return windows


def _safe_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass
