"""A delivery report read: which of our e-mails did not arrive, to whom, and why in French. Pure.

Mail servers report a delivery that failed (or is delayed) in two ways:

- a delivery status notification (RFC 3464: ``multipart/report; report-type=delivery-status``), as
  Postfix, Exim 4, Exchange, Gmail and most providers send it: a ``message/delivery-status`` part with
  one block per recipient (``Final-Recipient``, ``Action``, ``Status``, ``Diagnostic-Code``) and the
  original message, or its header only (``message/rfc822``, ``text/rfc822-headers``);
- a plain-text bounce ("Mail delivery failed", qmail's "Hi. This is the qmail-send program"): the
  failed addresses in sentences, an SMTP reply with its enhanced status code, and usually a copy of
  the original message under a separator line.

Either way the original's Message-ID (when the report carries it) names the letter; the failed
recipient and the day name it otherwise (the caller matches them against what it sent).
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from cpambot.understanding.mime import decode_bytes

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY_CODE = re.compile(r"\b([45]\d\d)[ -]")
_MESSAGE_ID = re.compile(r"(?im)^message-id:\s*(<[^<>\s]+>)")
_ADDRESS = re.compile(r"<?([A-Za-z0-9._%+\-=]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})>?")
# plain-text bounces: where the failed addresses are listed, and where the copy of the message starts
_FAILED_LIST = re.compile(r"(?is)(?:following address(?:es)?\s*(?:\(es\))?\s*failed|could not be delivered to"
                          r"|could not deliver|permanent error|delivery to the following recipients? failed"
                          r"|unable to deliver|n'a pas pu (?:être )?(?:remis|distribué|délivré)"
                          r"|non (?:remis|délivré)"
                          r"|I'm afraid I wasn't able to deliver|This is the qmail-send program)")
_COPY_START = re.compile(r"(?im)^(?:-{2,}.*(?:copy of the message|original message|message d'origine|"
                         r"below this line).*|--- Below this line is a copy of the message\.)$")
_DELAYED_WORDS = re.compile(r"(?i)\bdelayed\b|still being retried|will (?:continue to )?(?:retry|try)"
                            r"|remise différée|retardé")


@dataclass(frozen=True)
class BouncedRecipient:
    address: str  # lower case
    action: str  # "failed", "delayed" (or "delivered", "relayed", "expanded": not a problem)
    status: str | None = None  # the enhanced status code, "5.1.1"
    diagnostic: str = ""  # the remote server's own words, one line

    @property
    def reason(self) -> str:
        """What happened, in French, for the professional."""
        return f"{self.address} : {status_phrase(self.status, self.action)}" + \
            (f" (code {self.status})" if self.status else "")


@dataclass(frozen=True)
class Bounce:
    """What one delivery report says."""

    message_ids: tuple[str, ...]  # the original's Message-ID, when the report carries it
    recipients: tuple[BouncedRecipient, ...]

    @property
    def failed(self) -> tuple[BouncedRecipient, ...]:
        return tuple(r for r in self.recipients if r.action == "failed")

    @property
    def delayed(self) -> tuple[BouncedRecipient, ...]:
        return tuple(r for r in self.recipients if r.action == "delayed")


def status_phrase(status: str | None, action: str = "failed") -> str:
    """An enhanced status code (RFC 3463) as a French phrase."""
    if action == "delayed" or status and status.startswith("4."):
        if status in ("4.2.2",):
            return "distribution retardée (boîte du destinataire pleine), le serveur réessaie"
        return "distribution retardée, le serveur d'envoi réessaie"
    table = {
        "5.1.1": "cette adresse n'existe pas chez le destinataire",
        "5.1.0": "cette adresse n'existe pas chez le destinataire",
        "5.1.10": "cette adresse n'existe pas chez le destinataire",
        "5.1.2": "le domaine de cette adresse est introuvable",
        "5.4.4": "le domaine de cette adresse est introuvable",
        "5.1.3": "cette adresse est mal écrite",
        "5.2.1": "la boîte du destinataire est désactivée",
        "5.2.2": "la boîte du destinataire est pleine",
        "5.2.3": "le message est trop volumineux pour le destinataire",
        "5.3.4": "le message est trop volumineux pour le destinataire",
    }
    if status in table:
        return table[status]
    if status and status.startswith("5.7."):
        return "refusé par le serveur du destinataire (règle de sécurité ou anti-spam)"
    return "refusé par le serveur du destinataire"


def read_bounce(raw: bytes) -> Bounce | None:
    """The delivery report ``raw`` is, or None when it names no failed or delayed recipient."""
    try:
        message = email.message_from_bytes(raw, policy=compat32)
    except Exception:  # noqa: BLE001 - never trust input
        return None
    recipients: list[BouncedRecipient] = []
    originals: list[str] = []
    text_parts: list[str] = []
    for part in _walk(message):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            recipients += _status_blocks(part)
        elif ctype in ("message/rfc822", "message/rfc822-headers", "text/rfc822-headers"):
            originals += _ids_of_original(part)
        elif ctype == "text/plain" and not part.get_filename():
            text_parts.append(_text(part))
    text = "\n".join(text_parts)
    if not recipients:
        recipients = _from_text(text, message)
    if not originals:
        copy = _COPY_START.search(text)
        originals = [m for m in _MESSAGE_ID.findall(text[copy.end():] if copy else text)]
    recipients = [r for r in recipients if r.action in ("failed", "delayed")]
    if not recipients:
        return None
    return Bounce(tuple(dict.fromkeys(originals)), tuple(recipients))


def _walk(message: Message) -> list[Message]:
    """The parts of the report itself: an attached original is one part, its own parts are not the
    report's (its text names the caisse's addresses too)."""
    out, stack = [], [message]
    while stack:
        part = stack.pop(0)
        out.append(part)
        payload = part.get_payload()
        if part.is_multipart() and part.get_content_type() not in ("message/rfc822",) \
                and isinstance(payload, list):
            stack[:0] = [p for p in payload if isinstance(p, Message)]
    return out


def _text(part: Message) -> str:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return decode_bytes(data, part.get_content_charset())  # (the reader's: declared, UTF-8, cp1252)
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""


def _status_blocks(part: Message) -> list[BouncedRecipient]:
    """The per-recipient blocks of a ``message/delivery-status`` part (the first block is the
    message's own: it has no Final-Recipient)."""
    payload = part.get_payload()
    blocks: list[Message] = [b for b in payload if isinstance(b, Message)] \
        if isinstance(payload, list) else []
    if not blocks and isinstance(payload, str):  # (a part the parser left as text)
        blocks = [email.message_from_string(chunk.strip() + "\n", policy=compat32)
                  for chunk in re.split(r"\n\s*\n", payload) if chunk.strip()]
    out = []
    for block in blocks:
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        if not recipient:
            continue
        found = _ADDRESS.search(str(recipient).rpartition(";")[2])
        if found is None:
            continue
        status = _STATUS.search(str(block.get("Status") or ""))
        diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").rpartition(";")[2].split())
        action = str(block.get("Action") or "").strip().lower()
        code = status.group(0) if status else None
        # (Exim writes a bare "5.0.0" there; the remote server's own code is in its words)
        said = _STATUS.search(diagnostic)
        if said is not None and (code is None or code.endswith(".0.0")) and said.group(1) == (code or "5")[0]:
            code = said.group(0)
        out.append(BouncedRecipient(found.group(1).lower(), action, code, diagnostic[:300]))
    return out


def _ids_of_original(part: Message) -> list[str]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [str(inner["Message-ID"]).strip() for inner in payload
                if isinstance(inner, Message) and inner["Message-ID"]]
    text = payload if isinstance(payload, str) else _text(part)
    return _MESSAGE_ID.findall(text)


def _from_text(text: str, message: Message) -> list[BouncedRecipient]:
    """The failed (or delayed) addresses of a plain-text bounce, with the status code its SMTP reply
    gives; X-Failed-Recipients (Exim) names them too."""
    copy = _COPY_START.search(text)
    report = text[:copy.start()] if copy else text
    failed_header = str(message.get("X-Failed-Recipients") or "")
    listed = [a.strip().lower() for a in failed_header.split(",") if a.strip()]
    start = _FAILED_LIST.search(report)
    subject = str(message.get("Subject") or "")
    if not listed and start is None:
        return []
    if not listed and start is not None:
        own = {a.lower() for a in _ADDRESS.findall(str(message.get("To") or ""))}
        listed = [a.lower() for a in _ADDRESS.findall(report[start.start():]) if a.lower() not in own]
    status = _STATUS.search(report[start.start():] if start else report)
    delayed = bool(_DELAYED_WORDS.search(subject + "\n" + report[:2000])) and not (
        status and status.group(1) == "5")
    action = "delayed" if delayed else "failed"
    line = next((x.strip() for x in report.splitlines() if _REPLY_CODE.search(x) or _STATUS.search(x)), "")
    code = status.group(0) if status else None
    return [BouncedRecipient(address, action, code, " ".join(line.split())[:300])
            for address in dict.fromkeys(listed)]
