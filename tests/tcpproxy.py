"""A TCP proxy on 127.0.0.1 that the tests break on purpose: every connection cut at once (a server
restart, a network drop), new ones refused for a while, everything held silent (a blackholed link), or
the server's side replaced by a byte now and then that never ends a line (a link that socket timeouts do
not catch)."""

from __future__ import annotations

import socket
import threading
import time


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``target``; ``cut()``, ``refuse()``, ``blackhole()``, ``trickle()``,
    ``heal()``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = self.listener.getsockname()[:2]
        self.refusing = False
        self.silent = False
        self.trickling = False
        self.accepted = 0  # connections let through
        self.lock = threading.Lock()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # (a quiet server is not a dead one: only the tests break links)
            with self.lock:
                self.pairs.append((client, upstream))
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if self.silent:
                    continue  # (a blackholed link: bytes go nowhere, nobody is told)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Every open connection closed at once, as a restarting server does."""
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass

    def refuse(self) -> None:
        """New connections are closed at once (the server is down)."""
        self.refusing = True

    def blackhole(self) -> None:
        """Connections stay open but nothing goes through any more."""
        self.silent = True

    def trickle(self, every: float = 0.5) -> None:
        """Nothing goes through any more, and each client gets one byte every ``every`` seconds, never a
        line's end: a read waiting for a line is never finished, and never times out either."""
        self.silent = True
        self.trickling = True

        def drip() -> None:
            while self.trickling and not self.stopped:
                with self.lock:
                    clients = [client for client, _ in self.pairs]
                for client in clients:
                    try:
                        client.sendall(b"x")
                    except OSError:
                        pass
                time.sleep(every)
        threading.Thread(target=drip, daemon=True).start()

    def heal(self) -> None:
        self.refusing = self.silent = self.trickling = False

    def close(self) -> None:
        self.stopped = True
        self.cut()
        self.listener.close()
