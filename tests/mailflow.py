"""What the end-to-end tests share: the demo's caisse messages, the configuration of their caisses, the
approver's replies as her mail client writes them, and what the SMTP server captured."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, make_msgid, parsedate_to_datetime

from cpambot.approval.draftbook import DRAFTS
from cpambot.demo.run import demo_maildir
from cpambot.service.poll import poll_once
from cpambot.store.database import Store

APPROVER = "marie.exemple@example.org"
def _demo(tag: str) -> bytes:
    return next(p for p in (demo_maildir() / "cur").iterdir() if f".{tag}P1." in p.name).read_bytes()


INDU = _demo("M24")  # notification d'indu, CGSS 974: letters with passages to complete
REJECT = _demo("M3")  # NOEMIE, CPAM 511: invoice 000012201 rejected 2900 "facture déjà payée"
RETENUE = _demo("M17")  # NOEMIE, CPAM 511: a retenue without detail
RECLAMATION = "reclamations-ps.cpam-marne@assurance-maladie.fr"
NOW = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)  # 10:00 in Paris, after the 07:30 digest time

CAISSE_974 = f"""
[[caisses]]
code = "974"
nom = "CGSS de La Réunion"
domaines = ["cgss.re"]
[caisses.adresses]
indus = "regulation-ps@cgss.re"
cra = "cra@cgss.re"
reclamation = "reclamations-ps@cgss.re"

[[caisses]]
code = "511"
nom = "CPAM de la Marne"
[caisses.adresses]
reclamation = "{RECLAMATION}"
"""


def poll(config, now):
    with Store.open(config.data_dir) as store:
        report = poll_once(config, store, now=now)
    return report


def table(config, name):
    with Store.open(config.data_dir, readonly=True) as store:
        return list(store.values(name))


def text_of(raw: bytes) -> str:
    """The decoded text/plain body of a sent e-mail."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return msg.get_body(preferencelist=("plain",)).get_content()


def captured(smtp, to):
    return [m for m in smtp.messages if to in m.rcpt_tos]


def subject_of(message) -> str:
    return email.message_from_bytes(message.content, policy=email.policy.default)["Subject"] or ""


def digests(smtp):
    return [m for m in captured(smtp, APPROVER) if "récapitulatif" in subject_of(m)]


def reply(to_message: bytes, body: str, *, sender: str = APPROVER, extra: str = "",
          when: datetime | None = None) -> bytes:
    """Her reply to ``to_message``, written ``when`` (by default five minutes after it was sent)."""
    original = email.message_from_bytes(to_message)
    when = when or parsedate_to_datetime(original["Date"]) + timedelta(minutes=5)
    quoted = "\n".join("> " + line for line in original.get_payload(decode=False).splitlines()[:5]) \
        if not original.is_multipart() else "> …"
    return (f"From: Marie Exemple <{sender}>\r\nTo: {APPROVER}\r\n"
            f"Subject: Re: {original['Subject']}\r\nMessage-ID: {make_msgid(domain='example.org')}\r\n"
            f"In-Reply-To: {original['Message-ID']}\r\nReferences: {original['Message-ID']}\r\n"
            f"Date: {format_datetime(when)}\r\n{extra}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n\r\nLe lun. 20 avr. 2026 à 10:00, cpambot a écrit :\r\n{quoted}\r\n").encode()


def code_of(config, subject_part):
    return next(d["code"] for d in table(config, DRAFTS) if subject_part in d["subject"])


def start(world):
    """The reject (2900) and the retenue arrive: two réclamations are drafted (A1, A2)."""
    config, smtp, user = world
    user.append("INBOX", REJECT)
    user.append("INBOX", RETENUE)
    report = poll(config, NOW)
    return report, code_of(config, "000012201"), code_of(config, "retenue")


def complete_and_approve(world, code, text, when):
    """Her completed text in answer to draft ``code``'s own notice, then « OK » to the text the bot sends
    back; a poll after each (at ``when``, then an hour later)."""
    config, smtp, user = world
    user.append("INBOX", reply(notice_for(smtp, code).content, text))
    poll(config, when)
    user.append("INBOX", reply(notice_for(smtp, code, last=True).content, "OK"))
    poll(config, when + timedelta(hours=1))


def notice_for(smtp, code, last=False):
    notices = [m for m in captured(smtp, APPROVER) if f"brouillon {code} à approuver" in subject_of(m)]
    return notices[-1] if last else notices[0]
