"""The mailbox a configured account names: IMAP (:mod:`.imap`) or a local Maildir (:mod:`.maildir`)."""

from __future__ import annotations

from pathlib import Path

from cpambot.config.model import Account
from cpambot.mailbox.imap import ImapMailbox
from cpambot.mailbox.maildir import MaildirMailbox
from cpambot.mailbox.protocol import Mailbox


def open_mailbox(account: Account, state_dir: Path | None = None) -> Mailbox:
    """Build (not connect) the mailbox implementation for a configured account."""
    if account.kind == "maildir":
        assert account.path is not None  # the configuration requires it for a Maildir account
        return MaildirMailbox(account.path, state_dir=state_dir)
    return ImapMailbox(account)
