"""The end-to-end world: a real Dovecot mailbox, a real SMTP server and a bot configured for both."""

from __future__ import annotations

import pytest
from mailflow import APPROVER, CAISSE_974


@pytest.fixture
def world_with(imap_user, bot_config, smtp_server_factory):
    """A world whose caisses are configured as given (TOML, CAISSE_974 by default)."""

    def make(caisses: str = CAISSE_974):
        smtp = smtp_server_factory()
        extra = caisses + f"""
[envoi]
hote = "{smtp.host}"
port = {smtp.port}
securite = "aucune"
expediteur = "{APPROVER}"
"""
        return bot_config(extra=extra), smtp, imap_user

    return make


@pytest.fixture
def world(world_with):
    return world_with()
