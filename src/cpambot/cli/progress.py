"""A progress bar for a long first sync, when ``cpambot poll --once`` runs in a terminal.

The journal already gets a line every 2,000 messages (:mod:`cpambot.mailbox.ingest`); in a terminal
the nurse sees one line redrawn in place instead, with what is left to wait. Nothing is drawn for a
folder of fewer than :data:`SHOWN_FROM` new messages, nor when the output is not a terminal (systemd,
a pipe).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

SHOWN_FROM = 500
WIDTH = 24
REDRAW_EVERY = 0.2  # seconds


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def bar_line(account: str, folder: str, done: int, total: int, elapsed: float) -> str:
    """One line of the bar (pure): « compte, dossier [███····] 4 000 / 20 000 (20 %), reste ~2 min »."""
    share = done / total if total else 1.0
    filled = round(share * WIDTH)
    left = ""
    if 0 < done < total and elapsed >= 1:
        seconds = elapsed / done * (total - done)
        left = f", reste ~{seconds:.0f} s" if seconds < 90 else f", reste ~{seconds / 60:.0f} min"
    return (f"{account}, {folder} [{'█' * filled}{'·' * (WIDTH - filled)}] {_thousands(done)} / "
            f"{_thousands(total)} ({share * 100:.0f} %){left}")


class TerminalProgress:
    """The ``progress`` callback of the sync, drawing on ``stream`` (standard error by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.started = 0.0
        self.drawn = 0.0
        self.width = 0

    @classmethod
    def if_terminal(cls, stream: TextIO | None = None) -> TerminalProgress | None:
        stream = stream or sys.stderr
        return cls(stream) if stream.isatty() else None

    def __call__(self, account: str, folder: str, done: int, total: int) -> None:
        if total < SHOWN_FROM:
            return
        now = time.monotonic()
        if done == 0:
            self.started = now
        elif done < total and now - self.drawn < REDRAW_EVERY:
            return
        self.drawn = now
        line = bar_line(account, folder, done, total, now - self.started)
        self.stream.write("\r" + line.ljust(self.width) + ("\n" if done >= total else ""))
        self.width = 0 if done >= total else len(line)
        self.stream.flush()
