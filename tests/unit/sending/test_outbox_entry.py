"""Outbox entries as values: the stored dict in and out (older documents too), and Message-IDs drawn
from the random source passed in."""

from __future__ import annotations

import base64
import inspect
from datetime import UTC, datetime

import pytest

from cpambot.randomness import SeededRandom, SystemRandom
from cpambot.sending import mime
from cpambot.sending.mime import is_message_id, make_message_id
from cpambot.sending.model import EPOCH, OutboxEntry, OutboxEvent, SendEvent, SendPhase, SendState

RAW = b"Subject: x\r\n\r\nBonjour\r\n"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def stored(**changes) -> dict:
    doc = {
        "message_id": "<a.1@cpambot.example.org>", "purpose": "reclamation", "case_key": "C12",
        "draft_key": "D-1", "kind": "reclamation", "from": "Marie Exemple <marie.exemple@example.org>",
        "to": ["reclamations@cpam974.example"], "cc": [], "recipients": ["reclamations@cpam974.example"],
        "subject": "Réclamation", "size": len(RAW), "raw_b64": base64.b64encode(RAW).decode("ascii"),
        "state": "uncertain", "reason": "coupé", "attempts": 1, "next_attempt": None, "phase": "data",
        "created": "2026-03-02T09:00:00+00:00", "updated": "2026-03-02T09:01:00+00:00", "sent_at": None,
        "smtp_reply": None, "sent_copy": None, "sent_copy_reason": None, "copy_attempts": 0,
        "copy_next": None, "checks": 2,
        "history": [
            {"at": "2026-03-02T09:00:00+00:00", "event": "enqueued", "state": "queued", "reason": None},
            {"at": "2026-03-02T09:00:30+00:00", "event": "attempt", "state": "sending", "reason": None,
             "attempt": 1},
            {"at": "2026-03-02T09:01:00+00:00", "event": "uncertain", "state": "uncertain",
             "reason": "coupé"},
        ],
        "checked_at": "2026-03-02T10:00:00+00:00", "last_check": "non retrouvé dans « Envoyés »",
    }
    doc.update(changes)
    return doc


def test_a_stored_document_reads_as_typed_values_and_writes_back_the_same():
    """GIVEN a stored document WHEN read THEN enums, aware datetimes, tuples and the sender (stored under
    "from"); WHEN written back THEN the very same dict, the store's _key left to the store."""
    doc = stored()
    entry = OutboxEntry.from_doc({**doc, "_key": doc["message_id"]})

    assert entry.state is SendState.UNCERTAIN and entry.phase is SendPhase.DATA
    assert entry.sender == "Marie Exemple <marie.exemple@example.org>"
    assert entry.to == ("reclamations@cpam974.example",) and entry.cc == ()
    assert entry.created == T0 and entry.checked_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert entry.history[1] == OutboxEvent(datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC), SendEvent.ATTEMPT,
                                           SendState.SENDING, None, attempt=1)
    assert entry.last_attempt_at == datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC) and entry.raw == RAW
    assert entry.to_doc() == doc and "_key" not in entry.to_doc()


def test_the_search_fields_are_stored_only_once_set():
    """GIVEN an e-mail never searched for in Sent WHEN stored THEN no checked_at nor last_check key,
    as the outbox always wrote it."""
    doc = stored(state="queued", phase=None, checks=0)
    del doc["checked_at"], doc["last_check"]

    assert OutboxEntry.from_doc(doc).to_doc() == doc


def test_an_older_document_still_loads():
    """GIVEN a document lacking the later fields, with naive timestamps and an unknown history word
    WHEN read THEN defaults fill the gaps, times are taken as UTC, the word is kept as it was."""
    doc = stored(created="2026-03-02T09:00:00", history=[{"at": "2026-03-02T09:00:00", "event": "legacy",
                                                          "state": "queued", "reason": None}])
    for key in ("copy_attempts", "copy_next", "checks", "sent_copy_reason", "checked_at", "last_check",
                "updated", "size", "phase"):
        del doc[key]

    entry = OutboxEntry.from_doc(doc)

    assert entry.created == entry.updated == T0 and entry.copy_attempts == 0 and entry.checks == 0
    assert entry.size == len(RAW) and entry.phase is None and entry.copy_next is None
    assert entry.history[0].event == "legacy" and entry.history[0].at == T0
    assert entry.to_doc()["history"][0]["event"] == "legacy"


def test_missing_dates_sort_first_and_bad_states_are_refused():
    """GIVEN a document without any date WHEN read THEN it dates from the epoch (older than any);
    GIVEN an unknown state THEN ValueError, not a silent guess."""
    doc = stored(history=[])
    del doc["created"], doc["updated"]
    assert OutboxEntry.from_doc(doc).created == EPOCH
    with pytest.raises(ValueError):
        OutboxEntry.from_doc(stored(state="lost"))


def test_message_ids_come_from_the_random_source_passed_in():
    """GIVEN two seeded sources with the same seed WHEN Message-IDs are made THEN the same ones, valid,
    tagged and under the domain; the system source gives distinct ones; mime.py draws nothing itself."""
    first = [make_message_id("cpambot.example.org", "A1", SeededRandom(7)) for _ in range(2)]
    assert first[0] == first[1] and is_message_id(first[0])
    assert first[0].startswith("<A1.") and first[0].endswith("@cpambot.example.org>")
    assert len(first[0]) == len("<A1.@cpambot.example.org>") + 32
    assert make_message_id("cpambot.example.org", "A1", SeededRandom(8)) != first[0]
    system = SystemRandom()
    assert make_message_id("x.example", "t", system) != make_message_id("x.example", "t", system)
    assert "secrets" not in inspect.getsource(mime)
