"""The outbox's store format does not change: today's code writes, document for document, what the
outbox of commit 726e6b6 (dicts all along) wrote, and reads what it wrote.

``fixtures/outbox_documents.jsonl`` holds every version of every document that outbox stored while
the scenario below drove it through each path (sent, copy failed and retried, 4xx then given up,
5xx, uncertain, internal errors, crash before and after DATA, found in Sent, the human decisions).
The SMTP transport is scripted (``transmit`` replaced) and the Sent folder is a set: what is checked
is the bookkeeping, byte for byte, not the network (tests/integration/test_outbox.py does that).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from paths import FIXTURES

import cpambot.sending.outbox as outbox_module
from cpambot.clock import FixedClock
from cpambot.config.model import SmtpSettings
from cpambot.errors import SendRejectedError, SendTemporaryError, SendUncertainError
from cpambot.letters.model import Letter
from cpambot.sending.model import OutboxEntry
from cpambot.sending.outbox import OUTBOX, Outbox
from cpambot.store.database import Store

DOCUMENTS = FIXTURES / "outbox_documents.jsonl"
T0 = datetime(2026, 3, 2, 9, 0, 7, 123456, tzinfo=UTC)  # microseconds: the store keeps seconds
# What each e-mail meets: the scripted SMTP outcome (by name), in the order they were enqueued.
SCENARIO = {"ok": "ok", "temp": "temp", "tempnoreply": "tempnoreply", "perm": "perm",
            "uncertain": "uncertain", "bug_data": "bug_data", "bug": "bug", "okcopyfail": "ok",
            "cancel": "temp", "queued": "temp", "nocopy": "ok", "crashdata": "ok", "crashconnect": "ok",
            "confirmdeliv": "uncertain", "resend": "uncertain", "found": "uncertain"}


def stored_documents() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DOCUMENTS.read_text(encoding="utf-8").splitlines()]


class ScriptedSent:
    """A Sent folder: the Message-IDs found there; appends fail while ``failing``."""

    def __init__(self) -> None:
        self.present: set[str] = set()
        self.failing = False

    def __enter__(self) -> ScriptedSent:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def find(self, message_id: str) -> bool:
        return message_id in self.present

    def append(self, raw: bytes) -> None:
        if self.failing:
            raise OSError("dossier introuvable")


def scripted_transmit(outcomes: dict[str, str]) -> Callable[..., Any]:
    async def transmit(settings: SmtpSettings, password: str | None, recipients: list[str], raw: bytes,
                       mark_data: Callable[[], None], mark_sent: Callable[[str], None]) -> None:
        outcome = outcomes[recipients[0]]
        if outcome == "ok":
            mark_data()
            mark_sent("250 2.0.0 Ok: queued as ABC")
        elif outcome == "temp":
            raise SendTemporaryError("refus temporaire du serveur d'envoi x:25 pour le message "
                                     "(451 4.3.0 try later)", reply="451 4.3.0 try later")
        elif outcome == "tempnoreply":
            raise SendTemporaryError("échange interrompu avec le serveur")
        elif outcome == "perm":
            mark_data()
            raise SendRejectedError("refus définitif du serveur d'envoi x:25 pour le message (550 5.7.1 no) "
                                    "; le courriel ne sera pas renvoyé", reply="550 5.7.1 no")
        elif outcome == "uncertain":
            mark_data()
            raise SendUncertainError("la connexion a été coupée")
        elif outcome == "bug_data":
            mark_data()
            raise RuntimeError("boom")
        elif outcome == "bug":
            raise RuntimeError("boom")
    return transmit


def replay(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Drive the outbox through the scenario; every distinct version of a document it stored."""
    outcomes: dict[str, str] = {}
    monkeypatch.setattr(outbox_module, "transmit", scripted_transmit(outcomes))
    versions: list[dict[str, Any]] = []
    seen: set[str] = set()
    recording = [True]
    put = store.put

    def recording_put(table: str, key: str, doc: dict[str, Any], **options: Any) -> None:
        put(table, key, doc, **options)
        if table == OUTBOX and recording[0]:
            stored = store.get(table, key)
            assert stored is not None
            stored.pop("_key")
            text = json.dumps(stored, ensure_ascii=False, sort_keys=True)
            if text not in seen:
                seen.add(text)
                versions.append(json.loads(json.dumps(stored, ensure_ascii=False)))

    monkeypatch.setattr(store, "put", recording_put)
    sent = ScriptedSent()
    smtp = SmtpSettings(host="127.0.0.1", port=25, security="aucune", sender="a@ex.org", timeout=5)
    box = Outbox(store, smtp, lambda: sent, clock=FixedClock(T0), max_attempts=3)
    no_copies = Outbox(store, smtp, None, clock=FixedClock(T0))
    ids: dict[str, str] = {}
    for index, (name, outcome) in enumerate(SCENARIO.items()):
        address = f"r{index}@ex.org"
        outcomes[address] = outcome
        ids[name] = f"<t{index}.{name}@cpambot.ex.org>"
        letter = Letter(kind="reclamation", to=(f"Service <{address}>",), cc=("cc@ex.org",),
                        subject="Réclamation é", body="Bonjour\n")
        (no_copies if name == "nocopy" else box).enqueue(
            letter, sender="Marie <a@ex.org>", message_id=ids[name], purpose="reclamation",
            case_key=f"C{index}", draft_key=f"D{index}", now=T0)

    def deliver_only(names: set[str], now: datetime, outbox: Outbox = box) -> None:
        """Deliver with the other queued e-mails out of the way (set aside unrecorded)."""
        recording[0] = False
        aside = {}
        for name, message_id in ids.items():
            doc = store.get(OUTBOX, message_id)
            if name not in names and doc is not None and doc["state"] == "queued":
                aside[message_id] = doc
                store.put(OUTBOX, message_id, {**doc, "state": "cancelled"})
        recording[0] = True
        outbox.deliver(now)
        recording[0] = False
        for message_id, doc in aside.items():
            store.put(OUTBOX, message_id, doc)
        recording[0] = True

    deliver_only({"ok", "temp", "tempnoreply", "perm", "uncertain", "bug_data", "bug", "cancel", "queued",
                  "confirmdeliv", "resend", "found"}, T0)
    sent.failing = True
    deliver_only({"okcopyfail"}, T0)
    deliver_only({"okcopyfail"}, T0 + timedelta(minutes=2))  # the copy fails again
    sent.failing = False
    deliver_only({"nocopy"}, T0, no_copies)
    for hours in (5, 10, 15):  # 451 until given up
        deliver_only({"temp"}, T0 + timedelta(hours=hours))
    box.cancel(ids["cancel"], by="marie", now=T0 + timedelta(hours=1))
    for name in ("crashdata", "crashconnect"):  # left "sending" by a process that died
        doc = store.get(OUTBOX, ids[name])
        assert doc is not None
        attempt = {"at": "2026-03-02T09:00:07+00:00", "event": "attempt", "state": "sending", "reason": None,
                   "attempt": 1}
        store.put(OUTBOX, ids[name], {**doc, "state": "sending", "attempts": 1,
                                      "phase": "data" if name == "crashdata" else "connect",
                                      "history": [*doc["history"], attempt]})
    box.resolve_uncertain(T0 + timedelta(hours=2))
    box.resolve_uncertain(T0 + timedelta(hours=3))
    box.confirm_delivered(ids["confirmdeliv"], by="marie", now=T0 + timedelta(hours=4))
    sent.present.add(ids["found"])
    box.resolve_uncertain(T0 + timedelta(hours=5))
    box.confirm_resend(ids["resend"], by="marie", now=T0 + timedelta(hours=6), check_sent=True)
    sent.failing = True
    deliver_only({"resend"}, T0 + timedelta(hours=6))
    deliver_only(set(), T0 + timedelta(hours=7))  # the copies due are retried, and fail
    return versions


def test_the_outbox_writes_the_documents_it_always_wrote(tmp_path, monkeypatch):
    """GIVEN the documents the dict-based outbox stored along the scenario WHEN today's outbox plays
    the same scenario THEN it stores the same documents, in the same order, byte for byte."""
    with Store.open(tmp_path / "data") as store:
        versions = replay(store, monkeypatch)
    expected = stored_documents()
    assert len(versions) == len(expected) == 91
    for got, want in zip(versions, expected, strict=True):
        assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)


def test_every_stored_document_reads_back_unchanged():
    """GIVEN every document the dict-based outbox stored WHEN read as an OutboxEntry and written
    back THEN the dict is the same, key order included."""
    for doc in stored_documents():
        entry = OutboxEntry.from_doc(doc)
        assert entry.message_id == doc["message_id"] and entry.state == doc["state"]
        assert list(entry.to_doc().items()) == list(doc.items())
