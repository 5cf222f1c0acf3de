"""Message builders for the tests (plain bytes, no real data)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

_counter = itertools.count(1)

CAISSE = "relations-ps.cpam-marne@assurance-maladie.fr"
FLUX = "01511@511.01.rss.fr"
NURSE = "marie.exemple@example.org"


def message(*, sender: str = CAISSE, to: str = NURSE, subject: str = "Retour sur le traitement de vos lots",
            body: str = "Bonjour,\nveuillez trouver le détail.\n", msgid: str | None = "auto",
            html: str | None = None, attachments: list[tuple[str, str, bytes]] = (),
            date: datetime | None = None, charset: str = "utf-8",
            extra_headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    if msgid == "auto":
        msgid = f"<test-{next(_counter)}@example.test>"
    if msgid:
        msg["Message-ID"] = msgid
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset=charset)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, payload in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(payload, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def noise(n: int) -> bytes:
    return message(sender=f"ami{n}@example.net", subject=f"Nouvelles {n}", body="Coucou\n")


def write_maildir(root: Path, messages: list[bytes], start: int = 0) -> list[Path]:
    """Write ``messages`` into a Maildir's cur/ with increasing names; return the paths."""
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    paths = []
    for i, raw in enumerate(messages, start=start):
        path = root / "cur" / f"{1767225600 + i}.M{i}P1.test:2,S"
        path.write_bytes(raw)
        paths.append(path)
    return paths
