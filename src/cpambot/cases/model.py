"""The cases stage's values: a case's type and state."""

from __future__ import annotations

from enum import StrEnum


class CaseType(StrEnum):
    """What a case is about (labels: :data:`cpambot.labels.CASE_TYPE`)."""

    INVOICE = "invoice"
    REFUSED_LOT = "refused_lot"
    LOT_WATCH = "lot_watch"  # a lot acknowledged by the caisse, its payment awaited
    UNPAID_LOT = "unpaid_lot"
    RETENUE = "retenue"
    INDU = "indu"
    AMC = "amc"
    RECLAMATION = "reclamation"
    MEETING = "meeting"
    TO_SORT = "to_sort"


class CaseState(StrEnum):
    """Whose move it is (labels: :data:`cpambot.labels.CASE_STATE`)."""

    OPEN = "open"  # something to do for the professional
    WAITING = "waiting"  # waiting for the caisse
    CLOSED = "closed"
