"""End to end, against the real Dovecot and a real SMTP server: a bot that cannot read the mailbox says
so at once, and never passes for a quiet week."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from mailflow import NOW, digests, poll


def plain(message) -> str:
    msg = email.message_from_bytes(message.content, policy=email.policy.default)
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_a_refused_password_is_told_at_once_and_once(world):
    """GIVEN a bot that read its mailbox at 10:00 and sent its daily digest WHEN the mailbox's password is
    changed and the 11:00 poll is refused THEN an urgent digest leaves at once, saying which mailbox is not
    read and why, never "Rien de nouveau aujourd'hui"; WHEN the 12:00 poll is refused too THEN no second
    alert; WHEN the password is right again THEN the next digest shows the mailbox read."""
    config, smtp, _user = world
    poll(config, NOW)
    assert len(digests(smtp)) == 1 and "ÉTAT DU ROBOT" in plain(digests(smtp)[0])
    secret = config.accounts[0].secret.file
    right = secret.read_text()
    secret.write_text("not-the-password")
    poll(config, NOW + timedelta(hours=1))
    assert len(digests(smtp)) == 2
    alert = plain(digests(smtp)[-1])
    assert "URGENT" in email.message_from_bytes(digests(smtp)[-1].content)["Subject"]
    assert "ne peut plus être lue" in alert and "mot de passe refusé" in alert
    assert "Rien de nouveau aujourd'hui" not in alert and "ÉTAT DU ROBOT" in alert
    poll(config, NOW + timedelta(hours=2))
    assert len(digests(smtp)) == 2
    secret.write_text(right)
    poll(config, NOW + timedelta(hours=3))
    poll(config, NOW + timedelta(days=1))
    daily = plain(digests(smtp)[-1])
    assert "ERREUR" not in daily and "lue le 21/04/2026 à 10:00" in daily
