"""A check shared by the Dovecot and Cyrus suites: a real server's answers to the bulk FETCH commands
are read by cpambot's fast path (:mod:`cpambot.mailbox.fetch`), exactly as imapclient reads them."""

from __future__ import annotations

from typing import Any

from builders import CAISSE, message, noise

from cpambot.mailbox.fetch import _fast, sequence_set
from cpambot.mailbox.headers import HEADER_FIELDS
from cpambot.mailbox.imap import ImapMailbox

HEADER_ITEM = "BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")]"


def tricky_messages() -> list[bytes]:
    """Messages whose headers look like IMAP syntax, are empty of every fetched field, or 8-bit."""
    return [
        message(subject="Lot {12} (retour) \"rejet\" ] [ )"),
        b"X-Nothing-We-Fetch: 1\r\n\r\nbody\r\n",
        f"From: {CAISSE}\r\nSubject: Réclamation n° 5\r\n\r\nTexte\r\n".encode(),
        noise(1),
        message(subject="=?utf-8?q?Indu_=C3=A0_r=C3=A9gler?="),
    ]


def check_fast_fetch(user: Any, account: Any, folder: str) -> None:
    """GIVEN ``folder`` of ``user`` (tricky messages appended) THEN the raw answers to both bulk FETCH
    commands take the fast path, and :class:`ImapMailbox` gives what imapclient's fetch gives."""
    with user.client() as imap:
        imap.select_folder(folder, readonly=True)
        uids = sorted(imap.search(["ALL"]))
        for items in (f"(RFC822.SIZE {HEADER_ITEM})", "(BODY.PEEK[])"):
            typ, data = imap._imap.uid("FETCH", sequence_set(uids), items)
            assert typ == "OK"
            assert _fast(data) is not None, data[:4]
        expected_headers = imap.fetch(uids, ["RFC822.SIZE", HEADER_ITEM])
        expected_bodies = imap.fetch(uids, ["BODY.PEEK[]"])
    with ImapMailbox(account) as box:
        box.select(folder)
        headers = box.fetch_headers(uids)
        bodies = box.fetch_messages(uids)
    assert sorted(headers) == sorted(bodies) == uids
    for uid in uids:
        header = next(v for k, v in expected_headers[uid].items() if k.startswith(b"BODY[HEADER"))
        assert headers[uid].header_bytes == header
        assert headers[uid].size == expected_headers[uid][b"RFC822.SIZE"]
        assert bodies[uid] == expected_bodies[uid][b"BODY[]"]
