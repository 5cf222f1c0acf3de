"""IMAP IDLE watchers: wake the poller as soon as a new message arrives.

One thread per account whose server announces IDLE, watching the account's first
folder. IDLE is re-issued every 10 minutes at most (RFC 2177 asks for less than
29), the stop flag is checked every few seconds, and a lost connection is retried
with exponential back-off. The watcher only signals; the sync itself stays in the
poller, the single writer of the store.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from cpambot.config.model import Account
from cpambot.errors import CpambotError, MailboxError
from cpambot.mailbox.imap import ImapMailbox

LOG = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 600
CHECK_EVERY = 5.0
FIRST_RETRY = 1.0  # seconds before the first reconnection; doubled at each failure, with jitter
MAX_BACKOFF = 120.0
SHORT_OUTAGE = 120.0  # during the first two minutes of an outage (a server restarting) retries stay close:
SHORT_BACKOFF = 4.0  # mail arriving once it is back is seen within seconds
QUICK_RETURNS = 3  # idle_check() back at once with nothing, this many times in a row: the socket is dead


class IdleWatcher(threading.Thread):
    """Watches one account's first folder with IDLE; survives anything the connection does.

    Every error of the connection (imaplib's and imapclient's, EOF, sockets, TLS) ends the current
    connection, and a new one is opened after a back-off that starts at 1 s, doubles, is capped (4 s in
    the first two minutes of an outage, a server restarting; 2 min after) and jittered; a reconnection
    is logged, and the poller is woken at once (what arrived while the link was down). ``unsupported``
    tells the daemon not to start it again (the server has no IDLE)."""

    def __init__(self, account: Account, on_new_mail: Callable[[], None],
                 stop: threading.Event, *, max_idle: float = MAX_IDLE_SECONDS) -> None:
        super().__init__(name=f"idle-{account.name}", daemon=True)
        self.account = account
        self.folder = account.folders[0]
        self.on_new_mail = on_new_mail
        self.stop_event = stop
        self.max_idle = max_idle
        self.unsupported = False

    def run(self) -> None:
        failures = 0
        down_since = 0.0
        while not self.stop_event.is_set():
            box = ImapMailbox(self.account)
            try:
                box.open()
                if "IDLE" not in box.capabilities():
                    LOG.info("compte %s : le serveur ne propose pas IDLE, relève périodique seule",
                             self.account.name)
                    self.unsupported = True
                    return
                box.select(self.folder)
                if failures:
                    LOG.warning("compte %s : reconnecté, veille IDLE reprise", self.account.name)
                    self.on_new_mail()  # (what arrived while the link was down)
                failures = 0
                self._idle_loop(box)
            except Exception as exc:  # noqa: BLE001 - whatever the link does, the watcher goes on
                failures += 1
                down_since = down_since if failures > 1 else time.monotonic()
                cap = SHORT_BACKOFF if time.monotonic() - down_since < SHORT_OUTAGE else MAX_BACKOFF
                delay = min(cap, FIRST_RETRY * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)
                LOG.warning("compte %s : veille IDLE interrompue (%s), nouvelle tentative dans %.0f s",
                            self.account.name, _why(exc), delay)
                self.stop_event.wait(delay)
            finally:
                try:
                    box.close()
                except Exception:  # noqa: BLE001 - a dead connection may fail to close too
                    pass

    def _idle_loop(self, box: ImapMailbox) -> None:
        client = box.client
        assert client is not None
        while not self.stop_event.is_set():
            client.idle()
            started = time.monotonic()
            new_mail = False
            quick = 0
            try:
                while not self.stop_event.is_set() and time.monotonic() - started < self.max_idle:
                    asked = time.monotonic()
                    responses = client.idle_check(timeout=CHECK_EVERY)
                    if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                        new_mail = True
                        break
                    if responses and any(r and r[0] == b"BYE" for r in responses):
                        raise MailboxError("le serveur a fermé la session")
                    at_once = not responses and time.monotonic() - asked < CHECK_EVERY / 10
                    quick = quick + 1 if at_once else 0
                    if quick >= QUICK_RETURNS:
                        raise MailboxError("connexion fermée par le serveur")  # (back at once, empty)
            finally:
                client.idle_done()  # (on a dead link this raises too: the connection is then re-opened)
            if new_mail:
                LOG.info("compte %s : nouveau message signalé par IDLE", self.account.name)
                self.on_new_mail()


def _why(exc: BaseException) -> str:
    """An error of the link in a few French words (the exception's own text when it has one)."""
    text = str(exc).strip()
    if isinstance(exc, CpambotError) and text:
        return text
    return f"{exc.__class__.__name__}{' : ' + text[:120] if text else ''}"
