"""The machine-return e-mail that carries a NOEMIE or ARL payload.

E-mail (partly INVENTED)
========================
:func:`edi_mail` follows what ``domain.md`` §1.1–1.2 and layout §1 document:
sender ``<régime 2><caisse 3>@<caisse>.<régime>.rss.fr`` (documented for the
outgoing side, assumed symmetric for returns), no human body, one part
``application/EDI-consent`` in base64. **Invented** because no source gives
them for *return* mails: the Subject (an IRIS-style id built like the outgoing
Calebasse subject, ``IR100500/<14-digit sender>/<YYYYMMDDHHMMSS>/<5-digit
count>``) and the ``Content-Description`` natures ``NOEMIE/RSP`` and ``ARL``,
with ``/Z`` appended when the payload is gzip-compressed (mirroring the
documented outgoing ``IRIS/B2`` → ``IRIS/B2/Z``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from cpambot.demo.noemie_writer.fields import number_field, text_field
from cpambot.demo.noemie_writer.file import GZIP_MAGIC


def caisse_address(caisse: str | int, regime: str = "01") -> str:
    """``<régime 2><caisse 3>@<caisse>.<régime>.rss.fr``, e.g. ``01511@511.01.rss.fr``."""
    c = number_field(caisse, 3, "caisse")
    r = number_field(regime, 2, "régime")
    return f"{r}{c}@{c}.{r}.rss.fr"


def iris_subject(sender_number: str | int, when: datetime, count: int = 0,
                 code: str = "100500") -> str:
    """IRIS-style subject ``IR<code>/<14-digit sender>/<YYYYMMDDHHMMSS>/<5-digit count>``.

    Modelled on the outgoing Calebasse subject (domain.md §1.1); its use for
    *return* mails is INVENTED.
    """
    return (f"IR{text_field(code, 6, 'code')}/{number_field(sender_number, 14, 'sender')}/"
            f"{when.strftime('%Y%m%d%H%M%S')}/{number_field(count, 5, 'count')}")


def edi_message(payload: bytes, *, caisse: str | int, to: str, date: datetime,
                message_id: str, nature: str = "NOEMIE/RSP", compressed: bool | None = None,
                regime: str = "01", subject: str | None = None, sender_number: str | int | None = None,
                invoice_count: int = 0, boundary: str | None = None,
                trace_headers: Sequence[tuple[str, str]] = ()) -> EmailMessage:
    """A machine return e-mail carrying ``payload`` (see the module docstring).

    * From: :func:`caisse_address`; To: the PS's télétransmission address.
    * Subject: :func:`iris_subject` of ``sender_number`` (default: régime +
      caisse) unless given.
    * One ``application/EDI-consent`` part, base64, ``Content-Description``
      = ``nature`` (+ ``/Z`` when the payload is gzip; detected by its magic
      number when ``compressed`` is ``None``).
    * ``boundary``: when given, the EDI part is wrapped, alone, in a
      ``multipart/mixed`` with that boundary; otherwise the message itself
      is the EDI part.
    * ``trace_headers`` (Return-Path, Received…) are put first, in order.
    ``date`` must be timezone-aware; ``message_id`` includes the ``<>``.
    """
    if compressed is None:
        compressed = payload[:2] == GZIP_MAGIC
    if compressed and not nature.endswith("/Z"):
        nature += "/Z"
    sender = caisse_address(caisse, regime)
    if subject is None:
        subject = iris_subject(sender_number if sender_number is not None
                               else f"{regime}{number_field(caisse, 3, 'caisse')}",
                               date, invoice_count)
    msg = EmailMessage()
    for name, value in trace_headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    if boundary is None:
        msg.set_content(payload, maintype="application", subtype="EDI-consent", cte="base64")
        msg["Content-Description"] = nature
    else:
        part = EmailMessage()
        part.set_content(payload, maintype="application", subtype="EDI-consent", cte="base64")
        part["Content-Description"] = nature
        msg.make_mixed()
        msg.set_boundary(boundary)
        msg.attach(part)
        del part["MIME-Version"]
    return msg


def edi_mail(payload: bytes, *, caisse: str | int, to: str, date: datetime,
             message_id: str, nature: str = "NOEMIE/RSP", compressed: bool | None = None,
             regime: str = "01", subject: str | None = None, sender_number: str | int | None = None,
             invoice_count: int = 0, boundary: str | None = None,
             trace_headers: Sequence[tuple[str, str]] = ()) -> bytes:
    """:func:`edi_message` serialised to bytes (LF line endings, as in a Maildir)."""
    return edi_message(payload, caisse=caisse, to=to, date=date, message_id=message_id, nature=nature,
                       compressed=compressed, regime=regime, subject=subject,
                       sender_number=sender_number, invoice_count=invoice_count, boundary=boundary,
                       trace_headers=trace_headers).as_bytes()
