"""Build the demo e-mails: trace headers, MIME assembly, attachments and tables."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import Header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, parseaddr

from cpambot.demo.messages.persona import MX_HOST, PS_MAIL
from cpambot.demo.minipdf import Line, text_pdf
from cpambot.errors import InvalidValueError

_IPS = {"rss.fr": "192.0.2.21", "assurance-maladie.fr": "192.0.2.45",
        "ameli.fr": "192.0.2.46", "cgss.re": "192.0.2.74", "viamedis.fr": "198.51.100.12",
        "almerys.com": "198.51.100.34"}


def _domain(address: str) -> str:
    return parseaddr(address)[1].rsplit("@", 1)[1].lower()


def _org_domain(domain: str) -> str:
    """Organisational domain, crudely: the two last labels (enough for the demo)."""
    return ".".join(domain.split(".")[-2:])


def trace_headers(sender: str, to: str, when: datetime, slug: str,
                  auth: str = "pass") -> list[tuple[str, str]]:
    """Return-Path, Received and Authentication-Results as our own MX would add them.

    ``auth``: ``pass`` (SPF, DKIM and DMARC pass for the sender's domain),
    ``spf-only`` (SPF pass, no DKIM, as for the rss.fr machines), ``none`` or
    ``fail``. Addresses are in the documentation ranges (RFC 5737).
    """
    addr = parseaddr(sender)[1]
    dom = _domain(sender)
    org = _org_domain(dom)
    ip = _IPS.get(org, f"203.0.113.{zlib.crc32(org.encode()) % 200 + 20}")
    relay = f"smtp-out.{org}"
    qid = f"{zlib.crc32(slug.encode()):08X}"
    received_at = format_datetime((when + timedelta(seconds=7)).astimezone(UTC))
    results = {
        "pass": f"spf=pass smtp.mailfrom={dom}; dkim=pass header.d={org}; "
                f"dmarc=pass header.from={dom}",
        "spf-only": f"spf=pass smtp.mailfrom={dom}; dkim=none; dmarc=none header.from={dom}",
        "none": f"spf=none smtp.mailfrom={dom}; dkim=none; dmarc=none header.from={dom}",
        "fail": f"spf=fail smtp.mailfrom={dom}; dkim=none; dmarc=fail header.from={dom}",
    }[auth]
    return [
        ("Return-Path", f"<{addr}>"),
        ("Received", f"from {relay} ({relay} [{ip}]) by {MX_HOST} (Postfix) with ESMTPS "
                     f"id {qid} for <{parseaddr(to)[1]}>; {received_at}"),
        ("Authentication-Results", f"{MX_HOST}; {results}"),
    ]


def message_id(when: datetime, slug: str, sender: str) -> str:
    return f"<{when.astimezone(UTC):%Y%m%d%H%M%S}.{slug}@{_domain(sender)}>"


def _finish(msg: Message, tag: str) -> bytes:
    """Fix the MIME boundaries, drop stray sub-part MIME-Version, serialise."""
    n = 0
    for part in msg.walk():
        if part is not msg and "MIME-Version" in part:
            del part["MIME-Version"]
        if part.is_multipart():
            part.set_boundary(f"=_cpambot-demo_{tag}_{n}")
            n += 1
    raw = msg.as_bytes()
    # CPython's header folder can drop the space between two RFC 2047 words it
    # splits across lines ("refusées –relevé"). When a decoded header differs
    # from what was set, write the headers unfolded instead (lines < 998).
    back = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    if any(str(back[h]) != str(msg[h]) for h in ("From", "To", "Subject") if msg[h]):
        raw = msg.as_bytes(policy=msg.policy.clone(max_line_length=998))
    return raw


Attachment = tuple[str, str, str, bytes]  # filename, maintype, subtype, data


def human_mail(*, slug: str, when: datetime, sender: str, subject: str,
               text: str | None = None, html: str | None = None, to: str = PS_MAIL,
               attachments: Sequence[Attachment] = (), auth: str = "pass",
               cte: str = "quoted-printable",
               extra: Sequence[tuple[str, str]] = ()) -> bytes:
    """A UTF-8 message: text, HTML or both (alternative), plus attachments."""
    msg = EmailMessage()
    for name, value in trace_headers(sender, to, when, slug, auth):
        msg[name] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id(when, slug, sender)
    for name, value in extra:
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    if text is not None:
        msg.set_content(text, cte=cte)
        if html is not None:
            msg.add_alternative(html, subtype="html", cte=cte)
    elif html is not None:
        msg.set_content(html, subtype="html", cte=cte)
    else:
        raise InvalidValueError("a message needs a text or an HTML body")
    for filename, maintype, subtype, data in attachments:
        params = {"charset": "utf-8"} if maintype == "text" else None
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename,
                           params=params)
    return _finish(msg, slug)


def latin1_mail(*, slug: str, when: datetime, name: str, address: str, subject: str,
                text: str, to: str = PS_MAIL) -> bytes:
    """A single-part ISO-8859-1 message, quoted-printable, with RFC 2047 headers."""
    msg = Message()
    for hname, value in trace_headers(address, to, when, slug):
        msg[hname] = value
    msg["From"] = formataddr((name, address), charset="iso-8859-1")
    msg["To"] = to
    msg["Subject"] = Header(subject, "iso-8859-1").encode()
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id(when, slug, address)
    msg.set_payload(text, "iso-8859-1")  # adds MIME-Version, Content-Type, QP
    return _finish(msg, slug)


def pdf_attachment(filename: str, lines: Sequence[Line], title: str, author: str,
                   when: datetime) -> Attachment:
    stamp = when.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ")
    return (filename, "application", "pdf",
            text_pdf(lines, title=title, author=author, creation_date=stamp))


def csv_attachment(filename: str, rows: Sequence[Sequence[str]]) -> Attachment:
    """Semicolon-separated CSV (French spreadsheet habit), CRLF, UTF-8."""
    data = "".join(";".join(row) + "\r\n" for row in rows).encode("utf-8")
    return (filename, "text", "csv", data)


def html_page(body: str, title: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n</head>\n<body style=\"font-family: Arial, sans-serif; "
            f"font-size: 14px; color: #222;\">\n{body}\n</body>\n</html>\n")


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cell = "border: 1px solid #999; padding: 4px 8px;"
    head = "".join(f"<th style=\"{cell} background: #e8eef7;\">{h}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td style=\"{cell}\">{c}</td>" for c in row) + "</tr>"
                     for row in rows)
    return (f"<table style=\"border-collapse: collapse;\">\n<tr>{head}</tr>\n{body}\n"
            "</table>")


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), "-+-".join("-" * w for w in widths)]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
