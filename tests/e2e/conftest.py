"""The end-to-end world: a real Dovecot mailbox, a real SMTP server and a bot configured for both."""

from __future__ import annotations

import pytest
from mailflow import APPROVER, CAISSE_974


@pytest.fixture
def world(imap_user, bot_config, smtp_server_factory):
    smtp = smtp_server_factory()
    extra = CAISSE_974 + f"""
[envoi]
hote = "{smtp.host}"
port = {smtp.port}
securite = "aucune"
expediteur = "{APPROVER}"
"""
    config = bot_config(extra=extra)
    return config, smtp, imap_user
