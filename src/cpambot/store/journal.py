"""The store's journal: every change, one JSON line, appended before the call returns.

It is the durable record between two compactions. One segment per generation (``journal/<G>.log``):
a compaction writes the table files as generation G+1, starts segment G+1, then says so in
``meta.json``; the previous segment is kept, so that a damaged table file can be rebuilt from its
``.bak`` (written at the previous compaction) and the journal since (:mod:`cpambot.store.tables`).

Lines: ``{"t": table, "k": key, "d": doc}`` (put), ``{"t", "k", "del": true}`` (delete),
``{"t", "drop": true}`` (a whole table). A torn last line is the normal trace of a crash mid-write;
a bad line before good ones (a damaged disk) loses only itself, and it is said.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpambot.store.files import FILE_MODE, disk_error, ensure_private_dir, fsync_dir

SUFFIX = ".log"


# One encoder for every line (json.dumps with options builds a new one at each call); documents
# are plain trees of dicts and lists, never circular.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def line(entry: dict[str, Any]) -> bytes:
    return _encode(entry).encode() + b"\n"


@dataclass
class Replay:
    """What reading segments found: the entries, in order, and the lines that could not be read."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    bad: list[tuple[str, int]] = field(default_factory=list)  # (segment's name, line number)


def _valid(entry: Any) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("t"), str):
        return False
    if entry.get("drop"):
        return True
    if not isinstance(entry.get("k"), str):
        return False
    return bool(entry.get("del")) or isinstance(entry.get("d"), dict)


def read_file(path: Path, replay: Replay | None = None, table: str | None = None) -> Replay:
    """The entries of one journal file (a segment, or a schema-1 ``store.journal``; of ``table`` only,
    if given) added to ``replay``; a file that is gone adds nothing."""
    replay = replay if replay is not None else Replay()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return replay
    except OSError as exc:
        raise disk_error(path, exc) from exc
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not _valid(entry):
            replay.bad.append((path.name, number))
        elif table is None or entry["t"] == table:
            replay.entries.append(entry)
    return replay


class Journal:
    """The segments of one store (``folder``: ``<data>/store/journal``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self.generation: int | None = None
        self.size = 0

    def path(self, generation: int) -> Path:
        return self.folder / f"{generation:06d}{SUFFIX}"

    def segments(self) -> list[int]:
        """The generations whose segment exists, oldest first."""
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        stems = (n[:-len(SUFFIX)] for n in names if n.endswith(SUFFIX))
        return sorted(int(stem) for stem in stems if stem.isdigit())

    def read(self, since: int, table: str | None = None) -> Replay:
        """Every entry of the segments from generation ``since`` on (of ``table`` only, if given)."""
        replay = Replay()
        for generation in (g for g in self.segments() if g >= since):
            read_file(self.path(generation), replay, table)
        return replay

    # -- writing ----------------------------------------------------------------------------

    def start(self, generation: int) -> None:
        """Append from now on to the segment of ``generation`` (created if needed)."""
        ensure_private_dir(self.folder)
        self.close()
        path = self.path(generation)
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
            self.size = os.fstat(self._fd).st_size
        except OSError as exc:
            raise disk_error(path, exc) from exc
        self.generation = generation
        fsync_dir(self.folder)

    def append(self, data: bytes) -> None:
        if not data:
            return
        assert self._fd is not None and self.generation is not None
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            raise disk_error(self.path(self.generation), exc) from exc
        self.size += len(data)

    def sync(self) -> None:
        if self._fd is None or self.generation is None:
            return
        try:
            os.fsync(self._fd)
        except OSError as exc:
            raise disk_error(self.path(self.generation), exc) from exc

    def prune(self, keep_from: int) -> None:
        """Remove the segments older than generation ``keep_from``."""
        for generation in self.segments():
            if generation < keep_from:
                try:
                    self.path(generation).unlink()
                except OSError:
                    pass

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
