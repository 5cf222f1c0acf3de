"""A folder too large for one UID SEARCH answer, against a real Dovecot.

imaplib refuses an answer line over ``imaplib._MAXLINE`` (1,000,000 bytes): one UID SEARCH of a
folder of ~170,000 messages fails. Here the line limit is lowered to a few kilobytes and the
search window to a few messages, so that a folder of a few hundred messages — written straight
into the user's Maildir, with the UIDs chosen in ``dovecot-uidlist`` — behaves as the large one:
one answer for the whole folder would not fit, many windows are needed.
"""

from __future__ import annotations

import imaplib
import os
import shutil

import pytest
from builders import FLUX, message, noise
from servers import MAIL_GID, MAIL_UID, ImapUser

from cpambot.mailbox import imap
from cpambot.mailbox.imap import ImapMailbox
from cpambot.mailbox.ledger import CHECKPOINTS, LEDGER
from cpambot.service.poll import poll_once
from cpambot.store.database import Store

WINDOW = 7
LINE_LIMIT = 2_000  # every answer of a session fits, but not the UIDs of a whole test folder
UIDVALIDITY = 1767225600


def write_inbox(user: ImapUser, uids: list[int], raw=lambda uid: noise(uid)) -> None:
    """Write one message per UID into ``user``'s INBOX Maildir, before Dovecot ever opened it:
    ``dovecot-uidlist`` gives each file its UID, as Dovecot does for the files it stores."""
    assert user.maildir is not None and not user.maildir.exists()
    for sub in ("cur", "new", "tmp"):
        (user.maildir / sub).mkdir(parents=True)
    lines = [f"3 V{UIDVALIDITY} N{max(uids) + 1} G{'0123456789abcdef' * 2}"]
    for uid in uids:
        name = f"{UIDVALIDITY}.M{uid}P1.test"
        (user.maildir / "cur" / f"{name}:2,").write_bytes(raw(uid))
        lines.append(f"{uid} :{name}")
    (user.maildir / "dovecot-uidlist").write_text("\n".join(lines) + "\n")
    home = user.maildir.parent
    for directory, _dirs, files in os.walk(home):
        for path in [directory, *(os.path.join(directory, f) for f in files)]:
            shutil.chown(path, MAIL_UID, MAIL_GID)


def expunge(user: ImapUser, uids: list[int]) -> None:
    """Another mail client deletes ``uids`` for good."""
    with user.client() as client:
        client.select_folder("INBOX")
        client.delete_messages(uids)
        client.expunge()


@pytest.fixture
def shrink(monkeypatch):
    """Call it to shrink the line limit and the search window together, as they stand for a
    170,000-message folder (after the test's own helpers have read the folder whole)."""
    def apply() -> None:
        monkeypatch.setattr(imaplib, "_MAXLINE", LINE_LIMIT)
        # raising=False: without the windows, the failure shown is the real one (a line too long).
        monkeypatch.setattr(imap, "SEARCH_WINDOW", WINDOW, raising=False)

    return apply


@pytest.fixture
def searches(monkeypatch):
    """Every SEARCH command the client sends, in order (the real command runs)."""
    sent: list[object] = []
    real = imap.IMAPClient.search

    def search(self, criteria="ALL", charset=None):
        sent.append(criteria)
        return real(self, criteria, charset)

    monkeypatch.setattr(imap.IMAPClient, "search", search)
    return sent


def listed(config, last_uid: int) -> list[int]:
    with ImapMailbox(config.accounts[0]) as box:
        box.select("INBOX")
        return box.uids_after(last_uid)


def test_sparse_folder_too_large_for_one_answer(imap_user, bot_config, shrink, searches):
    """GIVEN an INBOX whose UIDs jump from 10 to 5,000,000 (410 messages: ~3,300 bytes of UIDs
    against a 2,000-byte line limit) and windows of 7 messages
    WHEN its new UIDs are listed from the start
    THEN every UID comes, ascending, once; the 5-million gap costs no search (one search of
    marks, then one per window of 7 messages), and nothing new costs one search."""
    uids = list(range(1, 11)) + list(range(5_000_000, 5_000_400))
    assert len(" ".join(map(str, uids))) > LINE_LIMIT
    write_inbox(imap_user, uids)
    assert imap_user.uids() == uids
    shrink()
    config = bot_config()
    searches.clear()
    assert listed(config, 0) == uids
    assert len(searches) == 1 + -(-len(uids) // WINDOW)  # the marks, then one per window
    searches.clear()
    assert listed(config, 5_000_399) == [] and len(searches) == 1  # nothing new: one search


def test_checkpoint_anywhere_after_an_expunged_block(imap_user, bot_config, shrink):
    """GIVEN an INBOX of 300 messages from UID 1,000,000, a block of 60 in the middle expunged by
    another client, then 40 messages appended, and windows of 7 messages
    WHEN the new UIDs are listed from a checkpoint at, just below or just above each window's
    edge, inside a window, inside the expunged block, at the last UID and above it
    THEN each answer holds exactly the UIDs above the checkpoint, ascending."""
    first = list(range(1_000_000, 1_000_300))
    write_inbox(imap_user, first)
    gone = first[120:180]
    expunge(imap_user, gone)
    appended = imap_user.multiappend("INBOX", [noise(n) for n in range(40)])
    assert appended == list(range(1_000_300, 1_000_340))
    present = [u for u in first if u not in gone] + appended
    assert imap_user.uids() == present
    shrink()
    config = bot_config()
    edges = present[::WINDOW]
    checkpoints = {0, present[0] - 1, present[3], gone[0], gone[30], gone[-1], present[-1],
                   present[-1] + 5, *(e + d for e in edges for d in (-1, 0, 1))}
    with ImapMailbox(config.accounts[0]) as box:
        box.select("INBOX")
        for checkpoint in sorted(checkpoints):
            assert box.uids_after(checkpoint) == [u for u in present if u > checkpoint], checkpoint


def test_large_folder_syncs_then_moves_on(imap_user, bot_config, shrink):
    """GIVEN an INBOX of 300 messages (every tenth from a caisse) from UID 2,000,000, windows of 7
    WHEN polled THEN every message has its row and the checkpoint reaches the last UID;
    GIVEN then a block expunged and 20 messages appended WHEN polled again THEN exactly those
    20 are new, and the checkpoint reaches the last of them."""
    uids = list(range(2_000_000, 2_000_300))
    write_inbox(imap_user, uids, lambda uid: message(sender=FLUX, subject=f"IR/{uid}")
                if uid % 10 == 0 else noise(uid))
    shrink()
    config = bot_config()

    def poll():
        with Store.open(config.data_dir) as store:
            report = poll_once(config, store)
            return report, store.get(CHECKPOINTS, "principal|INBOX")["last_uid"], \
                sorted(r["uid"] for r in store.values(LEDGER))

    report, last_uid, rows = poll()
    assert report.ok, report.errors
    assert report.sync.total("new") == 300 and report.sync.total("relevant") == 30
    assert rows == uids and last_uid == uids[-1]
    expunge(imap_user, uids[100:150])
    appended = imap_user.multiappend("INBOX", [noise(n) for n in range(20)])
    report, last_uid, rows = poll()
    assert report.ok, report.errors
    assert report.sync.total("new") == 20 and last_uid == appended[-1]
    assert rows == uids + appended


def test_expunge_by_another_client_during_the_listing(imap_user, bot_config, shrink, monkeypatch):
    """GIVEN an INBOX of 250 messages from UID 3,000,000 and windows of 7 messages
    WHEN another client expunges the 40 oldest messages and 5 of the newest right after the
    listing's first search, and the server tells the listing's session (every message left is
    then renumbered)
    THEN every message still there is listed, ascending, none missing at a window's edge, and
    none of those expunged before their window was searched."""
    uids = list(range(3_000_000, 3_000_250))
    write_inbox(imap_user, uids)
    gone = uids[:40] + uids[-5:]
    real = imap.IMAPClient.search
    sent: list[object] = []

    def search(self, criteria="ALL", charset=None):
        found = real(self, criteria, charset)
        sent.append(criteria)
        if len(sent) == 1:
            expunge(imap_user, gone)
            self.noop()  # the server tells this session: the messages after them are renumbered
        return found

    shrink()
    config = bot_config()
    monkeypatch.setattr(imap.IMAPClient, "search", search)
    assert listed(config, 0) == [u for u in uids if u not in gone]
