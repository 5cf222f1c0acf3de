"""Logging to stderr (the systemd journal under systemd), with health data redacted.

A NIR (13 digits + 2-digit key, or 15 digits, with or without spaces) never
reaches a log line in full: only its last 4 digits are kept.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import datetime, tzinfo
from typing import TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NIR_RE = re.compile(r"\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}"
                     r"(?:\s?\d{2})?\b")


def redact(text: str) -> str:
    """Mask NIR-like numbers, keeping the last 4 digits."""
    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\s", "", match.group(0))
        return "NIR…" + digits[-4:]

    return _NIR_RE.sub(mask, text)


LEVELS = {"DEBUG": "DÉTAIL", "INFO": "INFO", "WARNING": "ATTENTION", "ERROR": "ERREUR", "CRITICAL": "GRAVE"}


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, exception text and traceback included; levels in French, times
    in the professional's time zone (:func:`set_log_timezone`) as dd/mm/yyyy hh:mm:ss."""

    tz: tzinfo | None = None

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)  # (other handlers keep the record as it was)
        shown.levelname = LEVELS.get(record.levelname, record.levelname)
        return redact(super().format(shown))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, self.tz) if self.tz else \
            datetime.fromtimestamp(record.created).astimezone()
        return moment.strftime(datefmt or "%d/%m/%Y %H:%M:%S")


def set_log_timezone(name: str) -> None:
    """Log times in the professional's time zone (the configuration's), not the machine's."""
    try:
        RedactingFormatter.tz = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        RedactingFormatter.tz = None


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of the call."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def setup_logging(verbose: int = 0) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = StderrHandler()
    if os.environ.get("JOURNAL_STREAM"):
        fmt = "%(levelname)s %(name)s: %(message)s"  # the journal adds its own time stamp
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(RedactingFormatter(fmt))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # imapclient logs protocol traffic at DEBUG; keep it quiet unless asked twice.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose > 2 else logging.WARNING)
    # mail-parser warns about every part it does not decode (e.g. application/EDI-consent),
    # which the bot reads with its own decoder.
    logging.getLogger("mailparser").setLevel(logging.ERROR)
