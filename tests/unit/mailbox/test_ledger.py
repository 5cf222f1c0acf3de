"""Ledger rows and checkpoints as values: the stored dicts they make, their transitions, old rows."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpambot.errors import InvalidValueError
from cpambot.mailbox.headers import summarize
from cpambot.mailbox.ledger import (
    MAX_ATTEMPTS,
    Checkpoint,
    LedgerRow,
    LedgerState,
    MessageRef,
    checkpoint_key,
    ledger_key,
    new_row,
)
from cpambot.mailbox.senders import Category, Relevance

T0 = "2026-03-02T08:00:00+00:00"
T1 = "2026-03-02T08:05:00+00:00"
T2 = "2026-03-02T08:06:00+00:00"
REF = MessageRef("pro", "INBOX", 7, 42)
CAISSE = Relevance(Category.CAISSE, "expéditeur de l'Assurance Maladie (ameli.fr)")
OTHER = Relevance(Category.OTHER, "expéditeur sans rapport avec l'Assurance Maladie")


def headers(sender: str = "CPAM <noreply@ameli.fr>", subject: str = "=?utf-8?q?Retour_NO=C3=89MIE?=",
            msgid: str | None = "<a1@ameli.fr>", date: str | None = "Mon, 2 Mar 2026 09:00:00 +0100"):
    lines = [f"From: {sender}", f"Subject: {subject}"]
    if date is not None:
        lines.append(f"Date: {date}")
    if msgid is not None:
        lines.append(f"Message-ID: {msgid}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return summarize(raw, 1234)


def seen_row() -> LedgerRow:
    return new_row(REF, headers(), CAISSE, T0, raw="raw/ab/abc.eml", sha256="abc")


# -- rows as the ingest makes them --------------------------------------------------------


def test_unrelated_row_is_the_stored_dict_of_old():
    """GIVEN the headers of an unrelated message WHEN its row is made and stored
    THEN the dict holds exactly the keys the store always held, in the same order: raw subject,
    raw date, no relevance, no reason, nothing empty."""
    summary = headers(sender="Ami <ami@example.net>")
    doc = new_row(REF, summary, OTHER, T0, LedgerState.IGNORED).to_doc()
    assert doc == {
        "account": "pro", "folder": "INBOX", "uidvalidity": 7, "uid": 42,
        "message_id": "<a1@ameli.fr>", "fingerprint": summary.fingerprint, "from": "ami@example.net",
        "subject": "=?utf-8?q?Retour_NO=C3=89MIE?=", "date_raw": "Mon, 2 Mar 2026 09:00:00 +0100",
        "size": 1234, "category": "other", "state": "ignored", "attempts": 0,
        "first_seen": T0, "updated": T0,
    }
    assert list(doc) == ["account", "folder", "uidvalidity", "uid", "message_id", "fingerprint", "from",
                         "subject", "date_raw", "size", "category", "state", "attempts", "first_seen",
                         "updated"]


def test_relevant_row_is_decoded_and_keeps_its_copy():
    """GIVEN the headers of a caisse message saved under raw/ WHEN its row is made
    THEN its subject is decoded, its date ISO, its relevance kept, and the copy comes last."""
    doc = seen_row().to_doc()
    assert doc["subject"] == "Retour NOÉMIE" and doc["date"] == "2026-03-02T09:00:00+01:00"
    assert "date_raw" not in doc and doc["relevance"] == CAISSE.reason
    assert doc["state"] == "seen" and "reason" not in doc
    assert list(doc)[-5:] == ["attempts", "first_seen", "updated", "raw", "sha256"]


def test_row_without_message_id_or_date_leaves_them_out():
    """GIVEN headers without Message-ID nor Date WHEN the row is stored THEN neither key is written."""
    doc = new_row(REF, headers(msgid=None, date=None), CAISSE, T0).to_doc()
    assert "message_id" not in doc and "date" not in doc and "date_raw" not in doc


def test_duplicate_row_keeps_its_reason_beside_its_state():
    """GIVEN a duplicate WHEN its row is stored THEN the reason sits after the state (never read)
    and the original's key comes after the times."""
    doc = new_row(REF, headers(), CAISSE, T0, LedgerState.IGNORED, "doublon du message déjà traité",
                  duplicate_of="pro|7|1|INBOX").to_doc()
    keys = list(doc)
    assert keys.index("reason") == keys.index("state") + 1
    assert keys[-1] == "duplicate_of" and doc["duplicate_of"] == "pro|7|1|INBOX"


def test_stored_states_and_categories_are_plain_strings():
    """GIVEN a row WHEN stored THEN its state and category are plain str (as JSON has them)."""
    doc = seen_row().to_doc()
    assert type(doc["state"]) is str and type(doc["category"]) is str
    assert json.loads(json.dumps(doc)) == doc


def test_row_key_is_the_ledger_key():
    """GIVEN a row WHEN its key is asked THEN it is the store key of its message."""
    assert seen_row().key == ledger_key("pro", "INBOX", 7, 42) == REF.key == "pro|7|42|INBOX"
    assert checkpoint_key("pro", "INBOX") == "pro|INBOX"


# -- transitions --------------------------------------------------------------------------


def test_reading_counts_an_attempt_and_writes_the_reason_after_the_ingest_fields():
    """GIVEN a seen row WHEN it starts being read, then is done THEN each step is a new row
    (the old one unchanged), one attempt is counted, the reason (None) and the reading come
    after the raw copy, as the store always wrote them."""
    row = seen_row()
    started = row.started(T1)
    assert row.state is LedgerState.SEEN and row.attempts == 0  # untouched
    assert started.state is LedgerState.PROCESSING and started.attempts == 1 and started.updated == T1
    done = started.moved(LedgerState.DONE, T2, reading={"kind": "noemie", "facts": 2})
    doc = done.to_doc()
    assert doc["state"] == "done" and doc["reason"] is None and doc["updated"] == T2
    assert doc["first_seen"] == T0 and doc["attempts"] == 1
    assert list(doc)[-5:] == ["updated", "raw", "sha256", "reason", "reading"]
    assert list(started.to_doc())[-1] == "reason"


def test_moving_keeps_the_reading_unless_given():
    """GIVEN a done row with its reading WHEN moved again without one THEN the reading stays;
    given one, it is replaced."""
    done = seen_row().started(T1).moved(LedgerState.DONE, T1, reading={"kind": "arl"})
    assert done.moved(LedgerState.FAILED, T2, "x").reading == {"kind": "arl"}
    assert done.moved(LedgerState.DONE, T2, reading={"kind": "noemie"}).reading == {"kind": "noemie"}


def test_failing_keeps_the_french_reason():
    """GIVEN a row being read WHEN it fails THEN its reason is kept, no attempt added."""
    failed = seen_row().started(T1).moved(LedgerState.FAILED, T2, "message illisible : vide")
    assert failed.reason == "message illisible : vide" and failed.attempts == 1
    assert failed.to_doc()["reason"] == "message illisible : vide"


def test_unknown_state_is_refused():
    """GIVEN a row WHEN moved to a state that does not exist THEN InvalidValueError."""
    with pytest.raises(InvalidValueError):
        seen_row().moved("archived", T1)  # type: ignore[arg-type]


def test_state_given_as_stored_string_becomes_the_member():
    """GIVEN a state as the store writes it WHEN a row is moved to it THEN the row holds the member."""
    assert seen_row().moved("done", T1).state is LedgerState.DONE  # type: ignore[arg-type]


def test_given_up_after_max_attempts():
    """GIVEN a row whose reading was started MAX_ATTEMPTS times WHEN asked THEN it is given up."""
    row = seen_row()
    for _ in range(MAX_ATTEMPTS - 1):
        row = row.started(T1)
    assert not row.given_up
    assert row.started(T1).given_up


def test_reset_for_rebuild():
    """GIVEN a done row with its reading WHEN reset for a rebuild THEN it is seen, never tried,
    without reason nor reading; its first and last times are kept."""
    done = seen_row().started(T1).moved(LedgerState.DONE, T2, reading={"kind": "arl"})
    fresh = done.reset()
    assert (fresh.state, fresh.attempts, fresh.reason, fresh.reading) == (LedgerState.SEEN, 0, None, None)
    assert fresh.first_seen == T0 and fresh.updated == T2 and fresh.raw == done.raw
    assert fresh.pending and not done.pending


def test_replayable_rows():
    """GIVEN rows in various states WHEN rebuild asks which are read again THEN only terminal
    rows read from a raw copy, and not the approver's decisions."""
    read = seen_row().started(T1)
    assert read.moved(LedgerState.DONE, T2, reading={"kind": "arl"}).replayable
    assert read.moved(LedgerState.FAILED, T2, "x", reading={"kind": "unknown"}).replayable
    assert not read.moved(LedgerState.DONE, T2, reading={"kind": "approval"}).replayable
    assert not read.moved(LedgerState.FAILED, T2, "x").replayable  # never read to a summary
    assert not read.replayable  # still being read
    unrelated = new_row(REF, headers(), OTHER, T0, LedgerState.IGNORED)
    assert not unrelated.replayable


def test_expired_rows():
    """GIVEN rows first seen at T0 WHEN retention asks with cutoffs THEN only unrelated ignored
    rows seen before the cutoff expire; rows of older versions without a time expire too."""
    unrelated = new_row(REF, headers(), OTHER, T0, LedgerState.IGNORED)
    assert unrelated.expired(T1) and not unrelated.expired(T0)
    assert not seen_row().expired(T2)
    suspect = new_row(REF, headers(), Relevance(Category.SUSPECT, "x"), T0, LedgerState.IGNORED)
    assert not suspect.expired(T2)
    old = LedgerRow.from_doc({"account": "a", "folder": "F", "uidvalidity": 1, "uid": 1,
                              "category": "other", "state": "ignored"})
    assert old.expired(T0)


# -- stored dicts, old and new ------------------------------------------------------------


def test_from_doc_reads_back_what_to_doc_wrote():
    """GIVEN rows at every step of their life WHEN stored and read back (with the store's _key)
    THEN the same rows come back, and store the same dict again."""
    row = seen_row()
    rows = [row, row.started(T1), row.started(T1).moved(LedgerState.DONE, T2, reading={"kind": "arl"}),
            new_row(REF, headers(), OTHER, T0, LedgerState.IGNORED),
            new_row(REF, headers(), CAISSE, T0, LedgerState.IGNORED, "doublon", duplicate_of="k")]
    for item in rows:
        doc = item.to_doc()
        back = LedgerRow.from_doc({**doc, "_key": item.key})
        assert back == item and back.to_doc() == doc and list(back.to_doc()) == list(doc)


def test_old_rows_without_recent_keys_are_read():
    """GIVEN a row of an early version (no date_raw, relevance for every category, explicit
    None values, no attempts) WHEN read THEN missing fields are empty and nothing is invented."""
    old = {"account": "a", "folder": "INBOX", "uidvalidity": 3, "uid": 9, "message_id": None,
           "fingerprint": "f", "from": "x@ameli.fr", "subject": "Sujet", "date": None, "size": 10,
           "category": "caisse", "relevance": "r", "state": "done", "reason": None,
           "first_seen": T0, "updated": T1, "_key": "a|3|9|INBOX"}
    row = LedgerRow.from_doc(old)
    assert row.attempts == 0 and row.message_id is None and row.date is None and row.raw is None
    assert row.category is Category.CAISSE and row.state is LedgerState.DONE
    assert row.from_addr == "x@ameli.fr" and row.extra is None
    doc = row.to_doc()
    assert doc["attempts"] == 0 and "message_id" not in doc and "date" not in doc


def test_unknown_keys_are_kept_and_written_back():
    """GIVEN a stored row with a key this version does not know WHEN read, moved and stored
    THEN that key is written back unchanged."""
    doc = {**seen_row().to_doc(), "labels": ["x"], "_key": REF.key}
    row = LedgerRow.from_doc(doc)
    assert row.extra == {"labels": ["x"]}
    assert row.started(T1).to_doc()["labels"] == ["x"]


def test_corrupt_rows_are_refused():
    """GIVEN stored rows with an unknown state or category, or no UID WHEN read
    THEN InvalidValueError (the store never held such rows)."""
    doc = seen_row().to_doc()
    with pytest.raises(InvalidValueError):
        LedgerRow.from_doc({**doc, "state": "archived"})
    with pytest.raises(InvalidValueError):
        LedgerRow.from_doc({**doc, "category": "spam"})
    with pytest.raises(InvalidValueError):
        LedgerRow.from_doc({k: v for k, v in doc.items() if k != "uid"})


_text = st.none() | st.text(max_size=12)


@given(category=st.sampled_from(Category), state=st.sampled_from(LedgerState),
       attempts=st.integers(0, 5), message_id=_text, subject=_text, date_raw=_text,
       reason=_text, raw=_text, reading=st.none() | st.dictionaries(st.text(max_size=5), st.integers()))
def test_any_row_survives_the_store(category, state, attempts, message_id, subject, date_raw, reason, raw,
                                    reading):
    """GIVEN any row (a row read at least once keeps a None reason) WHEN stored and read back
    THEN it is the same row."""
    row = LedgerRow(account="a", folder="F", uidvalidity=1, uid=2, category=category, state=state,
                    attempts=attempts, message_id=message_id, subject=subject, date_raw=date_raw,
                    reason=reason, raw=raw, reading=reading, first_seen=T0, updated=T1)
    doc = json.loads(json.dumps(row.to_doc()))  # as the store file has it
    assert LedgerRow.from_doc(doc) == row


# -- checkpoints --------------------------------------------------------------------------


def test_checkpoint_moves_forward_only():
    """GIVEN a checkpoint at UID 10 WHEN advanced to 12, then to 5 THEN it is at 12, never back."""
    checkpoint = Checkpoint("pro", "INBOX", 7, 10)
    assert checkpoint.advanced(12).last_uid == 12
    assert checkpoint.advanced(12).advanced(5).last_uid == 12
    assert checkpoint.advanced(3) is checkpoint and checkpoint.last_uid == 10


def test_checkpoint_resync_counts_and_restarts():
    """GIVEN a checkpoint WHEN the server renumbers the folder THEN it restarts at 0 under the new
    UIDVALIDITY, one resync more."""
    resynced = Checkpoint("pro", "INBOX", 7, 10, 1).resynced(8)
    assert (resynced.uidvalidity, resynced.last_uid, resynced.resyncs) == (8, 0, 2)


def test_checkpoint_stored_dict():
    """GIVEN a new checkpoint WHEN stored and read back THEN the dict is the one the store always
    held and the same checkpoint comes back (an old one without resyncs counts none)."""
    checkpoint = Checkpoint("pro", "INBOX", 7)
    doc = checkpoint.to_doc()
    assert doc == {"account": "pro", "folder": "INBOX", "uidvalidity": 7, "last_uid": 0, "resyncs": 0}
    assert Checkpoint.from_doc({**doc, "_key": checkpoint.key}) == checkpoint
    assert Checkpoint.from_doc({"account": "pro", "folder": "INBOX", "uidvalidity": 7,
                                "last_uid": 4}).resyncs == 0
