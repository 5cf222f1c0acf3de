"""End to end, against the real Dovecot and a real SMTP server: the first run on an old mailbox is calm —
old problems become history with their real dates, nothing is drafted for a step long past, nothing is
urgent for a deadline already expired, and one digest says what was found."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import UTC, datetime

from mailflow import APPROVER, INDU, REJECT, RETENUE, captured, digests, poll, subject_of, table

from cpambot.approval.draftbook import DRAFTS

LATER = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # the demo's messages are of April 2026


def test_an_old_mailbox_read_for_the_first_time(world):
    """GIVEN a mailbox holding April's indu, a rejected invoice and a retenue WHEN the bot first reads it
    in December THEN each case is dated by its message (February to April), no letter is drafted for a
    step due long ago, the first digest is the only mail, is not urgent, starts with what was found and
    lists the expired deadlines apart as "dépassée" — as the CLI does."""
    config, smtp, user = world
    for raw in (INDU, REJECT, RETENUE):
        user.append("INBOX", raw)
    poll(config, LATER)
    cases = table(config, "cases")
    assert len(cases) == 4 and all("2026-02-01" < c["opened"] < "2026-05-01" for c in cases)
    assert table(config, DRAFTS) == []
    assert len(captured(smtp, APPROVER)) == 1 and len(digests(smtp)) == 1
    message = email.message_from_bytes(digests(smtp)[0].content, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "URGENT" not in subject_of(digests(smtp)[0])
    found = "Voici ce que j'ai trouvé dans votre boîte : 4 dossiers en cours"
    assert text.index(found) < text.index("DÉLAIS")
    assert "DÉLAIS DÉPASSÉS" in text and "(dépassée)" in text and "À FAIRE AUJOURD'HUI" not in text
    listed = subprocess.run([sys.executable, "-m", "cpambot", "--config", str(config.path), "cases"],
                            capture_output=True, text=True, check=True).stdout
    assert "dépassée : " in listed
