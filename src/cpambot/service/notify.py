"""Talking to systemd (``Type=notify``): READY, STATUS, WATCHDOG and STOPPING messages.

The protocol (sd_notify(3)) is one datagram of ``KEY=value`` lines to the Unix socket named by
``$NOTIFY_SOCKET`` (a leading ``@`` is Linux's abstract namespace); the watchdog is on when
``$WATCHDOG_USEC`` is set (and ``$WATCHDOG_PID``, when set, names this process). It is written here
rather than taken from a package: the ones on PyPI (sdnotify, sd-notify, systemd-watchdog) are a
dozen lines each, unmaintained since 2019–2021, and skip the abstract socket or the PID check. Outside
systemd (no socket) every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

LOG = logging.getLogger(__name__)


class Notifier:
    """The service manager's notification socket, if any."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        path = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + path[1:] if path.startswith("@") else path
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        self.watchdog_seconds: float | None = int(usec) / 1e6 if usec.isdigit() and mine and self.address \
            else None
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, **fields: str) -> bool:
        """One notification (``READY="1"``, ``STATUS="…"``); False when it could not be sent."""
        if not self.address:
            return False
        payload = "\n".join(f"{key}={value}" for key, value in fields.items()).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.sendto(payload, self.address)
        except OSError as exc:
            if not self._warned:  # (said once: a socket gone stays gone)
                LOG.warning("impossible d'avertir systemd (%s) : %s", self.address.lstrip("\0"), exc)
                self._warned = True
            return False
        return True

    def ready(self, status: str) -> bool:
        return self.send(READY="1", STATUS=status)

    def status(self, status: str) -> bool:
        return self.send(STATUS=status)

    def extend_start(self, seconds: float) -> bool:
        """Still starting, and alive: systemd's start timeout pushed back by ``seconds`` (a first sync of
        years of mail takes longer than any fixed TimeoutStartSec, and the watchdog only runs once
        READY)."""
        return self.send(EXTEND_TIMEOUT_USEC=str(int(seconds * 1e6)))

    def watchdog(self) -> bool:
        return self.send(WATCHDOG="1") if self.watchdog_seconds else False

    def stopping(self) -> bool:
        return self.send(STOPPING="1", STATUS="arrêt en cours")
