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
SILENCE_CHECK = 300.0  # nothing from the server for this long: IDLE ended (DONE) to see if the link lives
MARGIN = 5.0  # added to every promise made to the service's liveness (see ``beat``)


class IdleWatcher(threading.Thread):
    """Watches one account's first folder with IDLE; survives anything the connection does.

    Every error of the connection (imaplib's and imapclient's, EOF, sockets, TLS) ends the current
    connection, and a new one is opened after a back-off that starts at 1 s, doubles, is capped (4 s in
    the first two minutes of an outage, a server restarting; 2 min after) and jittered; a reconnection
    is logged, and the poller is woken at once (what arrived while the link was down). ``unsupported``
    tells the daemon not to start it again (the server has no IDLE).

    ``beat(within)``, when given, is told before every blocking step how long it may take at most
    (None: the watcher ended): a step that overruns — a server trickling bytes without ever ending its
    line, which no socket timeout catches — is what the service's watchdog looks for."""

    def __init__(self, account: Account, on_new_mail: Callable[[], None],
                 stop: threading.Event, *, max_idle: float = MAX_IDLE_SECONDS,
                 beat: Callable[[float | None], None] | None = None) -> None:
        super().__init__(name=f"idle-{account.name}", daemon=True)
        self.account = account
        self.folder = account.folders[0]
        self.on_new_mail = on_new_mail
        self.stop_event = stop
        self.max_idle = max_idle
        self.unsupported = False
        self._beat = beat or (lambda _within: None)

    def run(self) -> None:
        try:
            self._run()
        finally:
            self._beat(None)

    def _run(self) -> None:
        failures = 0
        down_since = 0.0
        timeout = self.account.timeout
        while not self.stop_event.is_set():
            box = ImapMailbox(self.account)
            try:
                self._beat(4 * timeout + MARGIN)  # (connection, TLS, login, capabilities, folder)
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
                self._beat(delay + MARGIN)
                self.stop_event.wait(delay)
            finally:
                try:
                    box.close()
                except Exception:  # noqa: BLE001 - a dead connection may fail to close too
                    pass

    def _idle_loop(self, box: ImapMailbox) -> None:
        client = box.client
        assert client is not None
        timeout = self.account.timeout
        while not self.stop_event.is_set():
            self._beat(timeout + MARGIN)
            client.idle()
            started = heard = time.monotonic()
            new_mail = False
            quick = 0
            try:
                while not self.stop_event.is_set() and time.monotonic() - started < self.max_idle:
                    asked = time.monotonic()
                    if asked - heard > SILENCE_CHECK:
                        break  # (DONE must be answered: a link that died quietly shows itself there)
                    self._beat(CHECK_EVERY + timeout + MARGIN)
                    responses = client.idle_check(timeout=CHECK_EVERY)
                    heard = time.monotonic() if responses else heard
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
                self._beat(timeout + MARGIN)
                # (on a dead link this raises too: the connection is then re-opened)
                _, trailing = client.idle_done()
            if any(len(r) > 1 and r[1] == b"EXISTS" for r in trailing or ()):
                new_mail = True  # (arrived between the last check and DONE: told with DONE's answer)
            if new_mail:
                LOG.info("compte %s : nouveau message signalé par IDLE", self.account.name)
                self.on_new_mail()


def _why(exc: BaseException) -> str:
    """An error of the link in a few French words (the exception's own text when it has one)."""
    text = str(exc).strip()
    if isinstance(exc, CpambotError) and text:
        return text
    return f"{exc.__class__.__name__}{' : ' + text[:120] if text else ''}"
