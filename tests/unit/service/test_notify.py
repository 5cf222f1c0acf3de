"""sd_notify as systemd reads it: datagrams of KEY=value lines on $NOTIFY_SOCKET."""

from __future__ import annotations

import os
import socket

from cpambot.service.notify import Notifier


def listening(path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2)
    return sock


def test_ready_status_and_watchdog_reach_the_socket(tmp_path):
    """GIVEN $NOTIFY_SOCKET and a 4 s $WATCHDOG_USEC for this process WHEN READY, a status and a ping
    are sent THEN systemd's socket receives each, in UTF-8, and the watchdog period is known."""
    path = tmp_path / "notify"
    with listening(path) as sock:
        notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "4000000",
                             "WATCHDOG_PID": str(os.getpid())})
        assert notifier.watchdog_seconds == 4.0
        assert notifier.ready("2 boîtes lues")
        assert sock.recv(4096).decode() == "READY=1\nSTATUS=2 boîtes lues"
        assert notifier.watchdog()
        assert sock.recv(4096) == b"WATCHDOG=1"
        assert notifier.stopping()
        assert sock.recv(4096).decode() == "STOPPING=1\nSTATUS=arrêt en cours"


def test_abstract_socket_names_are_understood():
    """GIVEN a $NOTIFY_SOCKET in Linux's abstract namespace ("@…") WHEN a status is sent THEN it arrives."""
    name = f"cpambot-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).status("ok")
        assert sock.recv(100) == b"STATUS=ok"


def test_nothing_happens_outside_systemd_or_for_another_process(tmp_path, caplog):
    """GIVEN no $NOTIFY_SOCKET THEN nothing is sent and there is no watchdog; GIVEN a watchdog meant for
    another PID THEN this process does not feed it; GIVEN a socket that is gone THEN sending fails
    quietly, said once in the journal."""
    assert not Notifier({}).enabled and not Notifier({}).ready("x")
    other = Notifier({"NOTIFY_SOCKET": str(tmp_path / "n"), "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert other.watchdog_seconds is None and not other.watchdog()
    gone = Notifier({"NOTIFY_SOCKET": str(tmp_path / "absent")})
    assert not gone.status("a") and not gone.status("b")
    assert caplog.text.count("impossible d'avertir systemd") == 1
