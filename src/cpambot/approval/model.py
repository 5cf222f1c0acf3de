"""The approval stage's values: a draft and its states."""

from __future__ import annotations

from enum import StrEnum


class DraftState(StrEnum):
    """Where a draft stands (labels: :data:`cpambot.labels.DRAFT_STATE`)."""

    PENDING = "pending"  # awaiting the approver's decision
    MISSING = "missing"  # cannot be written yet: the digest asks for what is missing
    POSTPONED = "postponed"  # pending again from ``postponed_until``
    APPROVED = "approved"  # its e-mail is in the outbox, its Message-ID fixed
    REJECTED = "rejected"
    SENT = "sent"
    FAILED = "failed"  # the outbox gave up on its e-mail
    OBSOLETE = "obsolete"  # its case closed before it left
