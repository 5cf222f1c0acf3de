"""The sending stage's values: an e-mail of the outbox and its states."""

from __future__ import annotations

from enum import StrEnum


class SendState(StrEnum):
    """Where an e-mail of the outbox stands (labels: :data:`cpambot.labels.SEND_STATE`)."""

    QUEUED = "queued"
    SENDING = "sending"  # an attempt is under way (journaled before connecting)
    SENT = "sent"
    FAILED = "failed"  # refused for good, or given up after the last attempt
    UNCERTAIN = "uncertain"  # the exchange broke after DATA: a human decides
    CANCELLED = "cancelled"
