"""The service as systemd sees it (``Type=notify``): READY, STATUS and watchdog messages on the
notification socket, one job per mailbox (a failing one delays no other), and the watchdog starved
when a connection hangs in a way no socket timeout catches. Real Dovecot, real datagram socket."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime

from builders import message
from tcpproxy import TcpProxy
from test_daemon import ledger_subjects, wait_for


class NotifySocket:
    """systemd's side of sd_notify: a datagram socket that keeps what it receives, with the time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.received: list[tuple[float, str]] = []
        self.stopped = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while not self.stopped:
            try:
                data = self.sock.recv(4096)
            except (TimeoutError, OSError):
                continue
            self.received.append((time.monotonic(), data.decode("utf-8")))

    def having(self, key: str) -> list[tuple[float, str]]:
        return [(t, m) for t, m in self.received if re.search(rf"^{key}=", m, re.M)]

    def close(self) -> None:
        self.stopped = True
        self.sock.close()


class Daemon:
    """`cpambot run` in a subprocess whose journal (stderr) is read as it comes."""

    def __init__(self, config_path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cpambot", "-c", str(config_path), "-v", "run"],
                                     stderr=subprocess.PIPE, text=True, env={**os.environ, **env})
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append((time.monotonic(), line))

    def text(self) -> str:
        return "".join(line for _, line in self.lines)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=40)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_one_failing_mailbox_delays_no_other_and_systemd_is_told(imap_user, bot_config, tmp_path):
    """GIVEN the service with two mailboxes, one on a server that refuses every connection, an hourly
    poll, a notification socket and a 2 s watchdog WHEN it starts THEN systemd gets READY once both were
    tried, its STATUS naming the mailbox in error, and watchdog pings every second; WHEN mail reaches
    the good mailbox during the other's back-off THEN it is read within 5 s; AND the failing mailbox is
    tried again when its log line said it would be, not a poll interval later."""
    extra = f"""
[[comptes]]
nom = "en-panne"
hote = "127.0.0.1"
port = {free_port()}
securite = "aucune"
utilisateur = "x"
mot_de_passe_fichier = "{tmp_path / 'imap.pass'}"
dossiers = ["INBOX"]
delai_reseau = 5

[planification]
intervalle_releve = 3600
"""
    config = bot_config(extra=extra)
    notify = NotifySocket(str(tmp_path / "notify.sock"))
    daemon = Daemon(config.path, {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"})
    try:
        assert wait_for(lambda: notify.having("READY"), 20), daemon.text()
        ready = notify.having("READY")[0][1]
        assert "STATUS=boîte « en-panne » en erreur (1 échec)" in ready, ready
        imap_user.append("INBOX", message(subject="Pendant la panne de l'autre"))
        asked = time.monotonic()
        assert wait_for(lambda: "Pendant la panne de l'autre" in ledger_subjects(config.data_dir), 5)
        print(f"read in {time.monotonic() - asked:.1f} s")
        assert wait_for(lambda: "(2 de suite)" in daemon.text(), 45), daemon.text()
    finally:
        code = daemon.stop()
        notify.close()
    assert code == 0, daemon.text()
    first = next(line for _, line in daemon.lines if "(1 de suite)" in line)
    second_at = next(t for t, line in daemon.lines if "(2 de suite)" in line)
    first_at = next(t for t, line in daemon.lines if "(1 de suite)" in line)
    said = re.search(r"prochaine tentative dans (\d+) s \(à (\d\d:\d\d:\d\d)\)", first)
    assert said, first
    assert abs((second_at - first_at) - int(said.group(1))) < 3, (second_at - first_at, first)
    datetime.strptime(said.group(2), "%H:%M:%S")
    pings = [t for t, _ in notify.having("WATCHDOG")]
    assert len(pings) >= 10 and max(b - a for a, b in zip(pings, pings[1:], strict=False)) < 1.6
    assert notify.having("STOPPING")


def test_a_connection_that_hangs_starves_the_watchdog(imap_user, bot_config, tmp_path):
    """GIVEN the service in IDLE through a proxy, with a 2 s watchdog WHEN the link starts trickling a
    byte now and then that never ends a line (no socket timeout fires) THEN the IDLE watcher is reported
    stuck in French and systemd's watchdog is no longer fed (so systemd restarts the service)."""
    proxy = TcpProxy(imap_user.host, imap_user.port)
    config = bot_config(port=proxy.port, extra="\n[planification]\nintervalle_releve = 3600\n")
    text = config.path.read_text().replace("delai_reseau = 20", "delai_reseau = 5")
    config.path.write_text(text)
    notify = NotifySocket(str(tmp_path / "notify.sock"))
    daemon = Daemon(config.path, {"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"})
    try:
        imap_user.append("INBOX", message(subject="Avant"))
        assert wait_for(lambda: notify.having("READY"), 20), daemon.text()
        time.sleep(2)  # (the watcher is in IDLE)
        fed_before = len(notify.having("WATCHDOG"))
        proxy.trickle()
        assert wait_for(lambda: "bloquée" in daemon.text(), 30), daemon.text()
        stuck_at = time.monotonic()
        time.sleep(4)
        late_pings = [t for t, _ in notify.having("WATCHDOG") if t > stuck_at + 0.5]
    finally:
        code = daemon.stop()
        notify.close()
        proxy.close()
    assert fed_before >= 2
    assert late_pings == [], late_pings
    assert "veille IDLE du compte « principal » bloquée" in daemon.text()
    assert "le service va être redémarré" in daemon.text()
    assert code == 0
