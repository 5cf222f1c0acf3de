"""A received message as the classifiers see it: text, tables, attachments, forwards.

Pure: bytes in, :class:`ParsedMessage` out. :mod:`cpambot.understanding.mime` walks the MIME tree;
:mod:`cpambot.understanding.documents` reads PDF and XLSX attachments; HTML bodies are flattened to
text with table rows kept on one line (cells separated by `` | ``). A message the
professional forwarded ("TR:", "Fwd:") carries the original in ``forwarded``,
whether it was attached (message/rfc822) or quoted inline.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import getaddresses

from cpambot.errors import DecodeError
from cpambot.mailbox.headers import header_block, summarize
from cpambot.understanding.decode.edi import EdiPart, edi_parts_of
from cpambot.understanding.documents import pdf_text, xlsx_text
from cpambot.understanding.forwards import header_blocks
from cpambot.understanding.htmltext import html_to_text
from cpambot.understanding.inline import inline_answers
from cpambot.understanding.mime import FilePart, decode_bytes, mime_parts
from cpambot.understanding.reflow import canonical, unwrap
from cpambot.understanding.wordtext import word_text

LOG = logging.getLogger(__name__)

MAX_SUBJECT = 998  # characters: a longer Subject is cut (it is stored with the reading)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    payload: bytes
    text: str | None = None  # extracted text (PDF text layer, CSV/text files)
    problem: str | None = None  # French: "PDF chiffré", "PDF sans texte (scanné)"…


@dataclass(frozen=True)
class ParsedMessage:
    subject: str
    from_name: str
    from_addr: str
    date: datetime | None
    message_id: str | None
    text: str = ""  # the plain body, or the HTML body flattened
    html: str = ""
    attachments: tuple[Attachment, ...] = ()
    forwarded: ParsedMessage | None = None
    defects: tuple[str, ...] = ()
    edi: tuple[EdiPart, ...] = ()  # application/EDI-consent parts (ARL, NOEMIE)
    edi_error: str | None = None  # French reason when an EDI part cannot even be extracted
    reply_to: str = ""  # the Reply-To address, lower case
    bulk: bool = False  # List-Unsubscribe, List-Id or Precedence bulk/list: sent to many
    auto_reply: bool = False  # an automatic answer (Auto-Submitted, X-Autoreply, "Réponse automatique")
    text_from_html: bool = False  # no text/plain part: ``text`` is the HTML body flattened
    bounce: bool = False  # a delivery status notification (multipart/report; report-type=delivery-status)
    quoted: str = ""  # in an answer written above a quoted message (:func:`reply_part`): the quote

    @property
    def from_domain(self) -> str:
        return self.from_addr.rpartition("@")[2]

    @property
    def original(self) -> ParsedMessage:
        """The message that matters: the forwarded one when this is a forward."""
        return self.forwarded or self

    def all_text(self) -> str:
        """Subject, body and attachment texts, for keyword matching."""
        parts = [self.subject, self.text]
        parts += [a.text for a in self.attachments if a.text]
        return "\n".join(parts)


# --------------------------------------------------------------------------- forwards

# a plain part that sends to the HTML ("Ce message est au format HTML. Si vous ne le visualisez pas
# correctement…")
_HTML_STUB = re.compile(r"(?i)\b(?:message|courriel|e-mail|mail)\b[^.\n]{0,40}\bformat html\b"
                        r"|ne (?:le |la )?visualisez pas correctement")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|tr|fwd?|wg|i)\s*:\s*)*(?:tr|fwd?|wg|i)\s*:", re.IGNORECASE)
_WROTE = re.compile(r"(?:a [ée]crit|wrote)\s*:\s*$", re.IGNORECASE | re.MULTILINE)  # a reply quoting
# A quoted header block starts or contains a "from" line; without one there is nothing to look for.
# (a client set in another language: "Von:", "Da:" or "Mittente:", "Van:", "Remitente:")
_FROM_LINE = re.compile(r"^[\s>]*\**\s*(?:de|from|exp[ée]diteur|von|da|van|mittente|remitente|remetente)"
                        r"\s*\**[\s\u00a0]*:"
                        # (a webmail may glue the block to its separator: "--- Message transféré --- De : …")
                        r"|-{3,}\s*(?:message transf[ée]r[ée]|forwarded message)\s*-{3,}\s*(?:de|from)\s?:"
                        # (eM Client: "------ Message d'origine ------", then "De "CPAM …" <…>" without colon)
                        r"|^-{3,}\s*(?:message d['’]origine|message transf[ée]r[ée]|original message"
                        r"|forwarded message)\s*-{3,}[ \t]*\n[ \t]*(?:de|from)[ \t]+(?!:)\S",
                        re.IGNORECASE | re.MULTILINE)


def _body_file(body: str) -> tuple[EdiPart, ...]:
    """A NOEMIE or ARL file that was the body of a message forwarded inline (the caisse's system writes
    the return in the body; the client quotes it under its header block)."""
    text = body.lstrip(" \r\n")
    if not (text.startswith("000") and ("NOEMIE" in text[:128] or "ARL" in text[:128])
            or text.startswith(("ARL0", "ARL1"))):
        return ()
    return (EdiPart("NOEMIE" if "NOEMIE" in text[:128] else "ARL", text.encode("latin-1", "replace"), False,
                    ""),)


def _inline_forward(text: str, outer_date: datetime | None, attachments: tuple[Attachment, ...],
                    html: str = "", from_html: bool = False) -> ParsedMessage | None:
    """The chain of messages quoted inline in ``text`` (outermost first, each one's ``forwarded``
    the next), or None. Inline forwards carry the outer message's attachments and HTML (its
    tables are the original's: a client's plain version often writes them one cell per line)."""
    tz = outer_date.tzinfo if outer_date is not None else None
    blocks = header_blocks(text, tz=tz if isinstance(tz, timezone) else None)
    chained: ParsedMessage | None = None
    for block in reversed(blocks):
        chained = ParsedMessage(subject=block.subject, from_name=block.from_name, from_addr=block.from_addr,
                                date=block.date, message_id=None, text=block.body, attachments=attachments,
                                forwarded=chained, html=html, text_from_html=from_html,
                                auto_reply=bool(_AUTO_SUBJECT.match(block.subject)),
                                edi=_body_file(block.body))
    return chained


def reply_part(msg: ParsedMessage) -> ParsedMessage:
    """``msg`` without what it quotes: the answer written above a quoted message (a caisse agent
    replying above the professional's question), its own words only."""
    if msg.forwarded is None:
        return msg
    found = _FROM_LINE.search(msg.text) or _WROTE.search(msg.text)
    if found is None:
        return msg
    above = msg.text[:found.start()].rstrip()
    lines = above.splitlines()
    while lines and (not lines[-1].strip() or re.fullmatch(r"[\s_=*>-]*(?:[^\w\s]*\s*(?:message|original|"
                                                            r"transf|forward)[^\n]*)?", lines[-1], re.I)):
        lines.pop()  # the separator line above the quoted header block
    if found.re is _WROTE:
        lines = lines[:-1]  # "Le … a écrit :" is the attribution line itself
    # (answers written under each of her quoted questions are the agent's words too)
    within = inline_answers(msg.text[found.start():])
    return replace(msg, text="\n".join(lines) + (f"\n\n{within}" if within else ""), html="",
                   text_from_html=False, forwarded=None, quoted=msg.text[found.start():])


def _attached_message(msg: email.message.Message) -> bytes | None:
    """The first message/rfc822 part of ``msg``, as bytes."""
    try:
        for part in msg.walk():
            if part.get_content_type() == "message/rfc822":
                inner = part.get_payload()
                if isinstance(inner, list) and inner:
                    first = inner[0]
                    return first.as_bytes() if isinstance(first, email.message.Message) else None
    except Exception:  # noqa: BLE001 - a broken attachment is simply not a forward
        return None
    return None


# --------------------------------------------------------------------------- parse


def _attachment(item: FilePart) -> Attachment | None:
    ctype = (item.content_type or "application/octet-stream").lower()
    filename = item.filename
    if ctype in ("message/rfc822", "application/edi-consent"):
        return None
    if item.broken:
        return Attachment(filename, ctype, b"", None, "pièce jointe illisible (base64 invalide)")
    payload = item.payload
    text = problem = None
    if ctype == "application/pdf" or filename.lower().endswith(".pdf"):
        text, problem = pdf_text(payload)
    elif filename.lower().endswith(".xlsx") or ctype.endswith("spreadsheetml.sheet"):
        text, problem = xlsx_text(payload)
    elif filename.lower().endswith((".odt", ".docx")):
        text, problem = word_text(payload, filename)
    elif ctype == "text/html" or filename.lower().endswith((".html", ".htm")):
        # a letter attached as a web page ("à ouvrir avec votre navigateur"): its text, as a browser shows it
        text = html_to_text(decode_bytes(payload, item.charset))
    elif ctype.startswith("text/") or filename.lower().endswith((".csv", ".txt")):
        text = decode_bytes(payload, item.charset)
    return Attachment(filename, ctype, payload, canonical(text) if text else text, problem)


def _fallback(raw: bytes) -> ParsedMessage:
    """What can still be read of a message the parser refused: headers and the raw body text."""
    head = summarize(header_block(raw), len(raw))
    body = raw[len(header_block(raw)):].decode("utf-8", "replace")
    return ParsedMessage(subject=head.subject, from_name=head.from_name, from_addr=head.from_addr,
                         date=datetime.fromisoformat(head.date) if head.date else None,
                         message_id=head.message_id, text=body, defects=("UnparseableMessage",))


_AUTO_SUBJECT = re.compile(r"^\s*(?:r[ée]ponse automatique|automatic reply|auto(?:matic)?[- ]?reply|"
                           r"out of (?:the )?office|absence du bureau|absent[e]?\b|message d'absence)",
                           re.IGNORECASE)


def _auto_reply(fields: dict[str, str], subject: str) -> bool:
    auto = fields.get("auto-submitted", "").lower()
    return auto.startswith("auto-replied") or bool(fields.get("x-autoreply") or fields.get("x-autorespond")) \
        or fields.get("precedence", "").lower() == "auto_reply" or bool(_AUTO_SUBJECT.match(subject))


def _is_bounce(content_type: str, sender: str, subject: str) -> bool:
    """A delivery status notification: a report of delivery status, or the mailer daemon saying so."""
    if re.search(r"(?i)multipart/report\b.*report-type\s*=\s*\"?delivery-status",
                 content_type.replace("\n", " ")):
        return True
    return sender.lower().startswith(("mailer-daemon@", "postmaster@")) and bool(re.search(
        r"(?i)undeliver|returned mail|delivery status|non remis|non distribu|échec de (?:la )?remise",
        subject))


def _reply_to(value: str) -> str:
    pairs = getaddresses([value]) if value else []
    return pairs[0][1].strip().lower() if pairs and "@" in pairs[0][1] else ""


_TAGS = re.compile(r"<[^>]*>|<!--.*?-->", re.DOTALL)  # (a quick upper bound of an HTML body's text)


def parse_message(raw: bytes, *, _depth: int = 0) -> ParsedMessage:
    """Parse ``raw``; never raises for bad input."""
    try:
        parsed = mime_parts(raw)
    except Exception:  # noqa: BLE001 - the parser is lenient, but never trust input
        return _fallback(raw)
    # Headers through our own reader (the local date, folded encoded words kept whole)
    head = summarize(header_block(raw), len(raw))
    html = "\n".join(parsed.html)
    text = unwrap("\n".join(parsed.plain).strip())
    from_html = not text and bool(html)
    if from_html:
        text = html_to_text(html)
    elif html and (len(text) < 1000 and len(_TAGS.sub("", html)) > 3 * len(text) + 300
                   and len(flat := html_to_text(html)) > 3 * len(text) + 300
                   # (the same words under a forward's header block, her comment above them)
                   or len(text) < 3000 and _HTML_STUB.search(text)
                   and len(flat := html_to_text(html)) > len(text) + 300):
        # a plain part that only says to look at the HTML ("Ce message contient un courrier au format
        # HTML"): the letter is the HTML
        text, from_html = flat, True
    text = canonical(text)
    subject = head.subject[:MAX_SUBJECT]
    attachments = tuple(a for a in (_attachment(item) for item in parsed.files) if a)
    edi: tuple[EdiPart, ...] = ()
    edi_error = None
    try:
        edi = tuple(edi_parts_of(parsed.message))
    except DecodeError as exc:
        edi_error = exc.reason
    forwarded = None
    if _depth < 2:
        inner = _attached_message(parsed.message)
        if inner is not None:
            forwarded = parse_message(inner, _depth=_depth + 1)
        elif _FROM_LINE.search(text) or _WROTE.search(text):
            when = datetime.fromisoformat(head.date) if head.date else None
            forwarded = _inline_forward(text, when, attachments, html, from_html)
        elif html and not from_html and _FORWARD_SUBJECT.match(subject) \
                and _FROM_LINE.search(flat := canonical(html_to_text(html))):
            # (Spark writes the header block in its HTML only: the plain version goes from her comment
            # straight to the original's text)
            when = datetime.fromisoformat(head.date) if head.date else None
            forwarded = _inline_forward(flat, when, attachments, html, True)
    bad_date = ("UnreadableDate",) if head.raw_date and not head.date else ()
    return ParsedMessage(
        subject=subject, from_name=head.from_name, from_addr=head.from_addr,
        date=datetime.fromisoformat(head.date) if head.date else None, message_id=head.message_id,
        text=text, html=html, attachments=attachments, forwarded=forwarded,
        defects=tuple(sorted({*parsed.defects, *bad_date})), edi=edi, edi_error=edi_error,
        reply_to=_reply_to(head.fields.get("reply-to", "")),
        bulk=bool(head.fields.get("list-unsubscribe") or head.fields.get("list-id")
                  or head.fields.get("precedence", "").lower() in ("bulk", "list", "junk")),
        auto_reply=_auto_reply(head.fields, subject), text_from_html=from_html,
        bounce=_is_bounce(head.fields.get("content-type", ""), head.from_addr, subject),
    )


__all__ = ["Attachment", "ParsedMessage", "html_to_text", "parse_message", "pdf_text", "reply_part"]
