"""A store that cannot open stops the service, and the approvers are told by e-mail what to do — once a
day, not at each of systemd's restarts. Real aiosmtpd."""

import email
import subprocess
import sys
from email import policy

from cpambot.store.database import STORE_DIR, Store


def test_a_store_that_cannot_open_is_told_by_mail_once(bot_config, smtp_server, imap_user):
    """GIVEN a table file damaged beyond repair (no backup of it) and sending configured WHEN `cpambot
    run` starts THEN it stops with an error in the journal, and the approver gets one e-mail naming the
    problem and the commands that restore a backup; WHEN started again the same day THEN no second e-mail."""
    sending = (f'\n[envoi]\nhote = "{smtp_server.host}"\nport = {smtp_server.port}\nsecurite = "aucune"\n'
               f'expediteur = "{imap_user.username}"\n')
    config = bot_config(extra=sending)
    with Store.open(config.data_dir) as store:
        store.put("cases", "k", {"id": "C1"})
    (config.data_dir / STORE_DIR / "tables" / "cases.json").write_bytes(b'{"cases": {"1": ')
    command = [sys.executable, "-m", "cpambot", "-c", str(config.path), "run"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert first.returncode != 0 and "la base ne s'ouvre pas, le service s'arrête" in first.stderr
    [mail] = smtp_server.wait_for(1)
    message = email.message_from_bytes(mail.content, policy=policy.default)
    assert mail.rcpt_tos == ["marie.exemple@example.org"]
    assert message["Subject"] == "cpambot est arrêté : sa base ne s'ouvre plus (action nécessaire)"
    body = message.get_body().get_content()
    assert "cases.json illisible" in body and "sudo systemctl stop cpambot" in body and " restore " in body
    second = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert second.returncode != 0 and "alerte envoyée" not in second.stderr
    assert len(smtp_server.messages) == 1
