"""IMAP IDLE watchers: wake the poller as soon as a new message arrives.

One thread per account whose server announces IDLE, watching the account's first
folder. IDLE is re-issued every 10 minutes at most (RFC 2177 asks for less than
29), the stop flag is checked every few seconds, and a lost connection is retried
with exponential back-off. The watcher only signals; the sync itself stays in the
poller, the single writer of the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from cpambot.config.model import Account
from cpambot.errors import CpambotError
from cpambot.mailbox.imap import ImapMailbox

LOG = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 600
CHECK_EVERY = 5.0
MAX_BACKOFF = 900.0


class IdleWatcher(threading.Thread):
    def __init__(self, account: Account, on_new_mail: Callable[[], None],
                 stop: threading.Event, *, max_idle: float = MAX_IDLE_SECONDS) -> None:
        super().__init__(name=f"idle-{account.name}", daemon=True)
        self.account = account
        self.folder = account.folders[0]
        self.on_new_mail = on_new_mail
        self.stop_event = stop
        self.max_idle = max_idle

    def run(self) -> None:
        backoff = 5.0
        while not self.stop_event.is_set():
            box = ImapMailbox(self.account)
            try:
                box.open()
                if "IDLE" not in box.capabilities():
                    LOG.info("compte %s : le serveur ne propose pas IDLE, relève périodique seule",
                             self.account.name)
                    return
                box.select(self.folder)
                backoff = 5.0
                self._idle_loop(box)
            except (CpambotError, OSError) as exc:
                LOG.warning("compte %s : veille IDLE interrompue (%s), reprise dans %d s",
                            self.account.name, exc, backoff)
                self.stop_event.wait(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
            finally:
                box.close()

    def _idle_loop(self, box: ImapMailbox) -> None:
        client = box.client
        assert client is not None
        while not self.stop_event.is_set():
            client.idle()
            started = time.monotonic()
            new_mail = False
            try:
                while not self.stop_event.is_set() and time.monotonic() - started < self.max_idle:
                    responses = client.idle_check(timeout=CHECK_EVERY)
                    if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                        new_mail = True
                        break
            finally:
                client.idle_done()
            if new_mail:
                LOG.info("compte %s : nouveau message signalé par IDLE", self.account.name)
                self.on_new_mail()
