"""Write the demo Maildir ``bot/demo/maildir`` and its ``MANIFEST.md``.

Run ``python -m cpambot.demo.generate``. The output is deterministic: the folder is
deleted and rebuilt, and every run gives byte-identical files (fixed dates in
2026, fixed Message-IDs, MIME boundaries, gzip mtime and PDF bytes; no
randomness).

The mailbox belongs to a fictitious infirmière libérale, Marie Exemple
(n° AM 974123456, Saint-Denis, La Réunion). Her caisse de rattachement is the
CGSS de La Réunion (974); some of her patients are affiliated to the CPAM de la
Marne (511), hence returns and letters from both. Every person, number and
amount is invented; NIRs are synthetic with a valid key. Message contents are
in French, as the real ones would be.

Messages go to ``cur/`` with Maildir names ``<epoch>.M<n>P1.demo:2,S`` whose
epoch is the message's Date, so sorting the names gives the arrival order.
"""

from __future__ import annotations

import os
import shutil
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email import policy
from email.header import Header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any

from cpambot.demo import noemie_writer as nw
from cpambot.demo.minipdf import Line, text_pdf
from cpambot.errors import InvalidValueError

DEMO_DIR = Path(__file__).resolve().parent
MAILDIR = DEMO_DIR / "maildir"
MANIFEST = DEMO_DIR / "MANIFEST.md"

# ---------------------------------------------------------------------------
# The fictitious professional and her environment
# ---------------------------------------------------------------------------

PS_NAME = "Marie Exemple"
PS_AM = "974123456"
PS_MAIL = "marie.exemple@example.org"
PS_TELETRANS = "teletrans.marie@example.org"
PS_ADDRESS = ("12 chemin des Essais", "97400 Saint-Denis")
MX_HOST = "mx.example.org"

TZ_REUNION = timezone(timedelta(hours=4))


def reunion(month: int, day: int, hour: int, minute: int) -> datetime:
    """A 2026 local time in La Réunion (UTC+4, no daylight saving)."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ_REUNION)


def paris(month: int, day: int, hour: int, minute: int) -> datetime:
    """A 2026 local time in metropolitan France (CEST from 29 March 2026)."""
    summer = (3, 29) <= (month, day) < (10, 25)
    return datetime(2026, month, day, hour, minute,
                    tzinfo=timezone(timedelta(hours=2 if summer else 1)))


def euros(cents: int) -> str:
    """French amount: ``341260`` → ``3 412,60 €`` (plain spaces)."""
    sign = "-" if cents < 0 else ""
    units, sub = divmod(abs(cents), 100)
    return f"{sign}{units:,}".replace(",", " ") + f",{sub:02d} €"


@dataclass(frozen=True)
class Patient:
    """A fictitious patient with a synthetic NIR."""

    first: str
    last: str
    sex: int
    birth: date
    department: str
    commune: str
    order: int

    @property
    def nir(self) -> tuple[str, str]:
        return nw.make_nir(self.sex, self.birth.year, self.birth.month, self.department,
                           self.commune, self.order)

    @property
    def initials(self) -> str:
        return f"{self.first[0]}. {self.last[0]}."

    def entity_103(self) -> str:
        nir, key = self.nir
        return nw.assure(nir=nir, nir_key=key, birth_surname=self.last,
                         first_name=self.first.upper(),
                         birth_date=self.birth, management_unit=1)


JEAN = Patient("Jean", "TESTPATIENT", 1, date(1948, 5, 12), "97", "411", 123)
GISELE = Patient("Gisele", "TESTPATIENTE", 2, date(1951, 9, 3), "97", "415", 77)
LUCIEN = Patient("Lucien", "DEMONSTRATION", 1, date(1939, 1, 28), "97", "416", 5)
ANGE = Patient("Ange-Marie", "ESSAI", 2, date(1952, 3, 17), "2A", "004", 12)
PAULETTE = Patient("Paulette", "FICTIVE", 2, date(1939, 11, 2), "51", "108", 45)
HENRI = Patient("Henri", "FICTIF", 1, date(1944, 7, 21), "51", "454", 210)
ODETTE = Patient("Odette", "FACTICE", 2, date(1947, 2, 8), "51", "230", 18)

# NGAP values used in the demo (cents).
AMI, AIS, IFD, BSB = 315, 265, 275, 1820

# ---------------------------------------------------------------------------
# MIME helpers
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Machine returns (télétransmission mailbox)
# ---------------------------------------------------------------------------

_CAISSE_NUMBER = {"511": "01511", "974": "01974"}


def _noemie(caisse: str, file_id: str, created: date, **kw: Any) -> nw.NoemieFile:
    return nw.NoemieFile(sender_type="CP", sender_number=_CAISSE_NUMBER[caisse],
                         recipient_number=int(PS_AM), file_id=file_id, created=created,
                         **kw)


def machine_mail(*, slug: str, when: datetime, caisse: str, payload: bytes, nature: str,
                 invoice_count: int, wrap: bool = False) -> bytes:
    sender = nw.caisse_address(caisse)
    return nw.edi_mail(
        payload, caisse=caisse, to=PS_TELETRANS, date=when,
        message_id=message_id(when, slug, sender), nature=nature,
        invoice_count=invoice_count, boundary=f"=_cpambot-demo_{slug}_0" if wrap else None,
        trace_headers=trace_headers(sender, PS_TELETRANS, when, slug, "spf-only"))


def _acts_60(line: int, nature: str, coef: int, unit: int, care: date,
             amc: bool = False) -> tuple[str, int, int]:
    """One 210 line at 60 % AMO (+ 40 % AMC when ``amc``); returns (entity, amo, amc)."""
    amo = unit * 60 // 100
    rest = unit - amo
    ent = nw.acte(line=line, nature=nature, coefficient=coef, care_date=care, unit_price=unit,
                  base=unit, rate=60, reimbursed=amo, amc_rate=40 if amc else 0,
                  amc_amount=rest if amc else 0, amc_base=unit if amc else 0)
    return ent, amo, rest


def _acts_100(line: int, nature: str, coef: int, unit: int, care: date) -> str:
    return nw.acte(line=line, nature=nature, coefficient=coef, care_date=care, unit_price=unit,
                   base=unit, rate=100, reimbursed=unit, exemption="4")


def arl_positif() -> bytes:
    when = reunion(3, 3, 6, 12)
    payload = nw.arl_file(caisse=974, sender_number=_CAISSE_NUMBER["974"],
                          recipient_number=int(PS_AM), file_id="A26062",
                          created=date(2026, 3, 3), lot_number=42, acked_file_id="B00042",
                          received=date(2026, 3, 2), positive=True, invoice_count=3,
                          compress=True)
    return machine_mail(slug="arl-042", when=when, caisse="974", payload=payload, nature="ARL",
                        invoice_count=3)


def arl_negatif() -> bytes:
    when = reunion(3, 3, 6, 14)
    payload = nw.arl_file(caisse=974, sender_number=_CAISSE_NUMBER["974"],
                          recipient_number=int(PS_AM), file_id="A26063",
                          created=date(2026, 3, 3), lot_number=43, acked_file_id="B00043",
                          received=date(2026, 3, 2), positive=False, reason_code="0101",
                          reason_label="FICHIER NON CONFORME AU CAHIER DES CHARGES",
                          invoice_count=4)
    return machine_mail(slug="arl-043", when=when, caisse="974", payload=payload, nature="ARL",
                        invoice_count=4)


def noemie_2900() -> bytes:
    """CPAM 511, lot 038: invoice 12201 rejected 2900, invoice 12202 deferred (D)."""
    when = paris(2, 23, 5, 40)
    lot_date = date(2026, 2, 16)
    nf = _noemie("511", "R26054", date(2026, 2, 23))
    nf.add(nw.date_comptable(date(2026, 2, 20)))
    nf.open_block(nw.lot(lot_date, 38))
    nf.add(nw.return_type("01"))
    care = date(2026, 2, 13)
    nf.add(nw.facture(12201, lot_number=38, lot_date=lot_date, billing_date=care),
           PAULETTE.entity_103())
    l1, a1, _ = _acts_60(1, "AMI", 100, AMI, care)
    l2, a2, _ = _acts_60(2, "IFD", 100, IFD, care)
    nf.add(nw.part_amo(a1 + a2, "R", 0), l1, l2,
           nw.ligne_rejet("2900", "FACTURE DEJA PAYEE", level="F", part="O", care_date=care,
                          performer=int(PS_AM), info="005"))
    care2 = date(2026, 2, 14)
    nf.add(nw.facture(12202, lot_number=38, lot_date=lot_date, billing_date=care2),
           HENRI.entity_103(), nw.part_amo(AIS * 3 + IFD, "D", 0),
           _acts_100(1, "AIS", 300, AIS * 3, care2), _acts_100(2, "IFD", 100, IFD, care2),
           nw.commentaire("FACTURE EN COURS DE TRAITEMENT - NE PAS RETRANSMETTRE"))
    nf.close_block()
    return machine_mail(slug="rsp-038", when=when, caisse="511", payload=nf.to_bytes(),
                        nature="NOEMIE/RSP", invoice_count=2)


def noemie_paiement() -> bytes:
    """CGSS 974, lot 042: invoices 12345 and 12346 paid, plus a forfait block."""
    when = reunion(3, 5, 6, 20)
    lot_date = date(2026, 3, 2)
    nf = _noemie("974", "R26064", date(2026, 3, 5))
    nf.add(nw.virement(date(2026, 3, 5), "VIR CGSS REUNION 260305", f"PS {PS_AM} RSP",
                       "CGSS974"))
    nf.open_block(nw.lot(lot_date, 42))
    nf.add(nw.return_type("01"))
    care = date(2026, 2, 27)
    l1 = _acts_100(1, "AMI", 200, AMI * 2, care)
    l2 = _acts_100(2, "IFD", 100, IFD, care)
    nf.add(nw.facture(12345, lot_number=42, lot_date=lot_date, billing_date=care),
           JEAN.entity_103(), nw.part_amo(AMI * 2 + IFD, "P", AMI * 2 + IFD), l1, l2)
    care = date(2026, 2, 28)
    l1, amo, _ = _acts_60(1, "AMI", 100, AMI, care)
    nf.add(nw.facture(12346, lot_number=42, lot_date=lot_date, billing_date=care),
           GISELE.entity_103(), nw.part_amo(amo, "P", amo), l1)
    nf.close_block()
    nf.open_block(nw.return_type("03"))
    nf.add(nw.forfait(310, 49000),
           nw.forfait_detail(code="00310", label="FORFAIT AIDE A LA MODERNISATION ET "
                             "INFORMATISATION DU CABINET 2025", period="A",
                             start=date(2025, 1, 1), end=date(2025, 12, 31), amount=49000))
    nf.close_block()
    return machine_mail(slug="rsp-042-paie", when=when, caisse="974",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=2)


def noemie_0250() -> bytes:
    """CGSS 974, lot 042: invoice 12347 rejected 0250 (patient born in Corsica, 2A)."""
    when = reunion(3, 6, 6, 18)
    lot_date = date(2026, 3, 2)
    nf = _noemie("974", "R26065", date(2026, 3, 6))
    nf.add(nw.date_comptable(date(2026, 3, 6)))
    nf.open_block(nw.lot(lot_date, 42))
    nf.add(nw.return_type("01"))
    care = date(2026, 3, 2)
    line, amo, _ = _acts_60(1, "AMI", 300, AMI * 3, care)
    nf.add(nw.facture(12347, lot_number=42, lot_date=lot_date, billing_date=care),
           ANGE.entity_103(), nw.part_amo(amo, "R", 0), line,
           nw.ligne_rejet("0250", "ASSURE ABSENT DE NOTRE REFERENTIEL", level="F", part="O",
                          care_date=care, performer=int(PS_AM), info="050"),
           nw.commentaire("VERIFIER LA CAISSE D'AFFILIATION DE L'ASSURE (ADRI) AVANT "
                          "RETRANSMISSION"))
    nf.close_block()
    return machine_mail(slug="rsp-042-rejet", when=when, caisse="974",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=1)


def noemie_amc() -> bytes:
    """CPAM 511, lot 039: invoice 12260, AMO paid, AMC part rejected (part C)."""
    when = paris(3, 9, 5, 35)
    lot_date = date(2026, 2, 25)
    care = date(2026, 2, 24)
    l1, o1, c1 = _acts_60(1, "AMI", 400, AMI * 4, care, amc=True)
    l2, o2, c2 = _acts_60(2, "IFD", 100, IFD, care, amc=True)
    nf = _noemie("511", "R26068", date(2026, 3, 9))
    nf.add(nw.virement(date(2026, 3, 9), "VIR CPAM MARNE 260309", f"PS {PS_AM} RSP",
                       "CPAM511"))
    nf.open_block(nw.lot(lot_date, 39))
    nf.add(nw.return_type("01"),
           nw.facture(12260, lot_number=39, lot_date=lot_date, billing_date=care,
                      amc_processing="C"),
           ODETTE.entity_103(), nw.part_amo(o1 + o2, "P", o1 + o2),
           nw.part_amc(c1 + c2, "R", 0, amc_number=88888888, member_id="VMD0004417"),
           l1, l2,
           nw.ligne_rejet("0602", "DROITS AMC NON OUVERTS A LA DATE DES SOINS", level="F",
                          part="C", care_date=care, performer=int(PS_AM),
                          info="CONTRAT CLOS LE 31/12/2025"))
    nf.close_block()
    return machine_mail(slug="rsp-039-amc", when=when, caisse="511",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=1, wrap=True)


def noemie_retenue() -> bytes:
    """CPAM 511: lot 044 paid (74,90 €) and a retenue IND/RPR of 44,52 € without reference."""
    when = paris(3, 23, 5, 31)
    lot_date = date(2026, 3, 9)
    nf = _noemie("511", "R26082", date(2026, 3, 23))
    nf.add(nw.virement(date(2026, 3, 23), "VIR CPAM MARNE 260323", f"PS {PS_AM} RSP",
                       "CPAM511"))
    nf.open_block(nw.lot(lot_date, 44))
    nf.add(nw.return_type("01"))
    lines = []
    for day in range(7):
        care = date(2026, 3, 1) + timedelta(days=day)
        lines.append(_acts_100(2 * day + 1, "AIS", 300, AIS * 3, care))
        lines.append(_acts_100(2 * day + 2, "IFD", 100, IFD, care))
    total = 7 * (AIS * 3 + IFD)
    nf.add(nw.facture(12360, lot_number=44, lot_date=lot_date, billing_date=date(2026, 3, 8)),
           HENRI.entity_103(), nw.part_amo(total, "P", total), *lines)
    nf.close_block()
    nf.open_block(nw.return_type("05"))
    nf.add(nw.retenue(line=1, debt_reference="PSQ2600187", debt_date=date(2026, 3, 20),
                      debt_nature="IND", operation="RPR", amount=-4452, balance=0))
    nf.close_block()
    assert nf.file_total == 3038
    return machine_mail(slug="rsp-retenue", when=when, caisse="511", payload=nf.to_bytes(),
                        nature="NOEMIE/RSP", invoice_count=1)


def noemie_test_flux() -> bytes:
    """CGSS 974, test flow (T), plain, CRLF between entities, an unknown 777 entity."""
    when = reunion(4, 7, 6, 25)
    lot_date = date(2026, 4, 1)
    care = date(2026, 3, 31)
    nf = _noemie("974", "T26097", date(2026, 4, 7), flow_type="T")
    nf.add(nw.virement(date(2026, 4, 7), "VIR TEST CGSS REUNION", "FLUX DE TEST", "CGSS974"))
    nf.open_block(nw.lot(lot_date, 47))
    nf.add(nw.return_type("01"),
           nw.facture(12399, lot_number=47, lot_date=lot_date, billing_date=care),
           JEAN.entity_103(), nw.part_amo(AMI, "P", AMI), _acts_100(1, "AMI", 100, AMI, care),
           nw.rejet(1, "TEST000001", "FLUX DE TEST - NE PAS TRAITER"))
    nf.add_raw("77702ENTITE INCONNUE POUR TEST DE ROBUSTESSE DU DECODEUR@")
    nf.close_block()
    return machine_mail(slug="rsp-test", when=when, caisse="974",
                        payload=nf.to_bytes(line_breaks=True), nature="NOEMIE/RSP",
                        invoice_count=1)


# ---------------------------------------------------------------------------
# Letters from the caisses
# ---------------------------------------------------------------------------

CGSS_ADDR = "1 rue de la Démonstration – CS 90001 – 97400 Saint-Denis Cedex"
CRA_ADDR = ("Commission de recours amiable – CGSS de La Réunion – 1 rue de la Démonstration – "
            "CS 90002 – 97400 Saint-Denis Cedex")
CPAM_MARNE_ADDR = "2 place de l'Exemple – CS 50000 – 51000 Châlons-en-Champagne Cedex"

SIGN_CONFIDENTIAL = (
    "Ce message et ses éventuelles pièces jointes sont confidentiels et destinés "
    "exclusivement à leur destinataire. Si vous l'avez reçu par erreur, merci de le "
    "supprimer et d'en avertir l'expéditeur.")

# The controlled acts (indu n° 2026-974-000318): patient, period, billed, retained,
# count, unit amount unduly paid, grief, payment period.
INDU_ROWS = [
    (JEAN, "01/06/2025-31/08/2025", "AIS 3 + AMI 1", "AIS 3", 75, AMI,
     "Cumul AIS et AMI au cours de la même séance", "12/06/2025-10/09/2025"),
    (JEAN, "01/09/2025-31/12/2025", "AIS 3 + AMI 1", "AIS 3", 75, AMI,
     "Cumul AIS et AMI au cours de la même séance", "11/09/2025-09/01/2026"),
    (JEAN, "01/10/2025-10/11/2025", "BSB", "néant", 41, BSB,
     "Forfait BSB facturé sans bilan de soins infirmiers (BSI) valide",
     "09/10/2025-18/11/2025"),
    (GISELE, "01/06/2025-30/09/2025", "AMI 2 + IFD", "néant", 111, 2 * AMI + IFD,
     "Prescription expirée à la date des soins", "12/06/2025-08/10/2025"),
    (GISELE, "01/10/2025-31/12/2025", "AIS 3 + AMI 1", "AIS 3", 119, AMI,
     "Cumul AIS et AMI au cours de la même séance", "09/10/2025-09/01/2026"),
    (LUCIEN, "01/07/2025-30/09/2025", "AMI 2 + IFD", "néant", 90, 2 * AMI + IFD,
     "Absence de prescription médicale", "10/07/2025-08/10/2025"),
]
INDU_TOTAL = sum(r[4] * r[5] for r in INDU_ROWS)
INDU_REF = "2026-974-000318"
assert INDU_TOTAL == 341260


def _indu_by_patient() -> list[tuple[Patient, int]]:
    out: dict[str, tuple[Patient, int]] = {}
    for row in INDU_ROWS:
        p, amount = row[0], row[4] * row[5]
        out[p.last] = (p, out.get(p.last, (p, 0))[1] + amount)
    return list(out.values())


def constat() -> bytes:
    when = reunion(2, 9, 10, 12)
    rows = [["Bénéficiaire", "Période des soins", "Cotation facturée", "Cotation retenue",
             "Nombre", "Montant unitaire en écart", "Montant en écart", "Anomalie"]]
    for p, period, billed, kept, count, unit, grief, _ in INDU_ROWS:
        rows.append([p.initials, period, billed, kept, str(count), euros(unit),
                     euros(count * unit), grief])
    rows.append(["TOTAL", "", "", "", "", "", euros(INDU_TOTAL), ""])
    text = f"""Madame,

Dans le cadre de ses missions de contrôle de l'application des règles de
tarification et de facturation (article L.133-4 du code de la sécurité sociale),
la CGSS de La Réunion a analysé votre facturation d'actes infirmiers sur la
période du 01/06/2025 au 31/12/2025.

Cette analyse fait apparaître des anomalies de facturation, détaillées dans le
tableau joint (constat_anomalies_CTL-2026-0112.csv) :
- cumul d'une séance de soins infirmiers (AIS 3) et d'un acte AMI 1 au cours
  de la même séance, en méconnaissance des règles de cumul de la NGAP ;
- facturation de forfaits BSB sans bilan de soins infirmiers (BSI) valide ;
- actes facturés sur la base d'une prescription expirée ou absente.

Montant total des anomalies constatées : {euros(INDU_TOTAL)}.

Avant toute notification d'indu, vous disposez d'un délai de deux mois à compter
de la réception du présent courriel pour nous faire part de vos observations
écrites et nous transmettre tout justificatif utile (prescriptions, BSI,
ordonnances transmises par SCOR), en réponse à ce message ou par courrier à
l'adresse ci-dessous.

Références à rappeler dans toute correspondance :
dossier CTL-2026-0112 – n° de professionnel de santé {PS_AM}.

Nous vous prions d'agréer, Madame, l'expression de nos salutations distinguées.

Le responsable du service contrôle des professionnels de santé
CGSS de La Réunion – {CGSS_ADDR}

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="constat", when=when,
        sender="CGSS Réunion - Contrôle des professionnels de santé <controle-ps@cgss.re>",
        subject="Constat d'anomalies de facturation – dossier CTL-2026-0112", text=text,
        attachments=[csv_attachment("constat_anomalies_CTL-2026-0112.csv", rows)])


def retour_lots() -> bytes:
    when = reunion(3, 13, 9, 4)
    header = ["N° PS", "Lot", "Facture", "Bénéficiaire", "Date de soins", "Montant", "Motif"]
    rows = [
        [PS_AM, "041", "000012290", JEAN.initials, "24/02/2026", euros(1810),
         "Facture en anomalie – pièce justificative manquante (prescription non reçue)"],
        [PS_AM, "041", "000012291", GISELE.initials, "25/02/2026", euros(630),
         "Facture en anomalie – pièce justificative manquante (prescription non reçue)"],
        [PS_AM, "043", "lot entier (4 factures)", "–", "du 26/02 au 01/03/2026", euros(14375),
         "Lot non parvenu / rejeté (ARL négatif du 03/03/2026) – à retransmettre"],
    ]
    intro = ("Madame,\n\nVous trouverez ci-dessous le retour sur le traitement de vos lots "
             "télétransmis à la CGSS de La Réunion et traités le 12/03/2026.")
    advice = [
        "Factures en anomalie : merci de transmettre la pièce justificative manquante par "
        "SCOR, ou en réponse à ce courriel, dans un délai de 15 jours. Ne retransmettez pas "
        "la facture elle-même.",
        "Lot non parvenu : le lot 043 doit être retransmis dans son intégralité après "
        "correction.",
        "Avant toute retransmission, vérifiez vos retours NOEMIE et vos paiements dans votre "
        "espace amelipro afin d'éviter les doublons (rejet « facture déjà payée »).",
    ]
    text = (intro + "\n\n" + text_table(header, rows) + "\n\n"
            + "\n".join(f"- {a}" for a in advice)
            + "\n\nCordialement,\n\nService Relations avec les professionnels de santé\n"
            f"CGSS de La Réunion\n\n{SIGN_CONFIDENTIAL}\n")
    html = html_page(
        "<p>Madame,</p>\n<p>Vous trouverez ci-dessous le retour sur le traitement de vos lots "
        "télétransmis à la CGSS de La Réunion et traités le <b>12/03/2026</b>.</p>\n"
        + html_table(header, rows)
        + "\n<ul>\n" + "\n".join(f"<li>{a}</li>" for a in advice) + "\n</ul>\n"
        "<p>Cordialement,</p>\n<p>Service Relations avec les professionnels de santé<br>\n"
        f"CGSS de La Réunion</p>\n<p style=\"font-size: 11px; color: #777;\">"
        f"{SIGN_CONFIDENTIAL}</p>",
        "Retour sur le traitement de vos lots")
    return human_mail(slug="retour-lots", when=when,
                      sender="CGSS Réunion - Relations PS <relations-ps@cgss.re>",
                      subject="Retour sur le traitement de vos lots du 12/03/2026",
                      text=text, html=html)


def transfert() -> bytes:
    when = reunion(3, 16, 19, 41)
    original = reunion(3, 16, 8, 47)
    text = f"""À traiter : la CGSS m'a écrit sur l'ancienne adresse du cabinet.
J'ai renvoyé l'ordonnance par SCOR ce soir.

Marie

-------- Message transféré --------
Sujet : \tFacture 000012301 – ordonnance illisible
Date : \t{format_datetime(original)}
De : \tService facturation PS - CGSS Réunion <facturation-ps@cgss.re>
Pour : \tcabinet.exemple@example.net

Madame,

L'ordonnance numérisée (SCOR) associée à la facture n° 000012301 (lot 041,
soins du 26/02/2026, bénéficiaire : Jean TESTPATIENT, montant 12,60 €) est
illisible et ne permet pas la liquidation de la facture.

Merci de nous transmettre une copie lisible de la prescription dans un délai de
15 jours, via SCOR ou en réponse à ce courriel.

Cordialement,

Service facturation des professionnels de santé
CGSS de La Réunion
"""
    return human_mail(slug="transfert", when=when, sender=f"{PS_NAME} <{PS_MAIL}>",
                      subject="TR: Facture 000012301 – ordonnance illisible", text=text,
                      cte="8bit")


def demande_pj() -> bytes:
    when = paris(3, 20, 10, 26)
    invoices = [("000012370", PAULETTE, "10/03/2026", 1070), ("000012371", PAULETTE,
                "11/03/2026", 1070), ("000012372", HENRI, "11/03/2026", 1610)]
    deadline = "04/04/2026"
    lines: list[Line] = [
        ("bold", "CPAM de la Marne – Service facturation des professionnels de santé"),
        ("small", CPAM_MARNE_ADDR), ("blank", ""),
        ("text", f"Madame Marie EXEMPLE – Infirmière libérale – N° AM {PS_AM}"),
        ("text", f"{PS_ADDRESS[0]} – {PS_ADDRESS[1]}"), ("blank", ""),
        ("text", "Châlons-en-Champagne, le 20 mars 2026"),
        ("text", "Référence : PJ-2026-511-004127"), ("blank", ""),
        ("title", "Demande de pièces justificatives"), ("blank", ""),
        ("text", "Madame,"), ("blank", ""),
        ("text", "Les factures suivantes, transmises dans le lot 045 du 12/03/2026, ne peuvent "
                 "être liquidées en l'absence de la prescription médicale correspondante :"),
    ]
    for num, p, care, amount in invoices:
        lines.append(("text", f"- facture n° {num} – bénéficiaire {p.first} {p.last} – soins "
                              f"du {care} – montant {euros(amount)}"))
    lines += [
        ("blank", ""),
        ("text", f"Nous vous remercions de nous adresser ces pièces dans un délai de 15 jours, "
                 f"soit avant le {deadline}, de préférence par SCOR, à défaut par courrier à "
                 "l'adresse ci-dessus en rappelant la référence de ce courrier."),
        ("text", "Sans réponse de votre part dans ce délai, les factures seront rejetées."),
        ("blank", ""), ("text", "Veuillez agréer, Madame, nos salutations distinguées."),
        ("blank", ""), ("text", "Le service facturation des professionnels de santé"),
    ]
    text = f"""Madame,

Veuillez trouver ci-joint notre demande de pièces justificatives concernant les
factures n° 000012370, 000012371 et 000012372 (lot 045 du 12/03/2026).

Merci de nous transmettre les prescriptions correspondantes avant le {deadline},
de préférence par SCOR.

Cordialement,

Service facturation des professionnels de santé
CPAM de la Marne

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="demande-pj", when=when,
        sender="CPAM de la Marne - Facturation PS "
               "<facturation-ps.cpam-marne@assurance-maladie.fr>",
        subject="Demande de pièces justificatives – factures 000012370, 000012371, 000012372",
        text=text, attachments=[pdf_attachment(
            "Demande_PJ_PJ-2026-511-004127.pdf", lines, "Demande de pièces justificatives",
            "CPAM de la Marne", when)])


def indu_lines(when: datetime) -> list[Line]:
    lines: list[Line] = [
        ("bold", "CGSS DE LA RÉUNION"),
        ("small", "Direction de la régulation et des relations avec les professionnels de santé"),
        ("small", CGSS_ADDR), ("blank", ""),
        ("text", "Madame Marie EXEMPLE"), ("text", "Infirmière libérale"),
        ("text", f"N° AM : {PS_AM}"), ("text", PS_ADDRESS[0]), ("text", PS_ADDRESS[1]),
        ("blank", ""),
        ("text", "Saint-Denis, le 14 avril 2026"),
        ("text", "Lettre recommandée avec avis de réception n° 2C 000 000 0318 7"),
        ("text", f"Référence : indu n° {INDU_REF} – dossier de contrôle CTL-2026-0112"),
        ("blank", ""),
        ("title", "Notification de payer – indu n° " + INDU_REF),
        ("text", "Articles L.133-4 et R.133-9-1 du code de la sécurité sociale"),
        ("blank", ""),
        ("text", "Madame,"), ("blank", ""),
        ("text", "À la suite de notre courrier du 9 février 2026 (constat d'anomalies de "
                 "facturation) et en l'absence d'observations de votre part dans le délai "
                 "imparti, je vous notifie un indu pour les motifs suivants."),
        ("blank", ""),
        ("bold", "Cause de l'indu"),
        ("text", "1. Cumul d'une séance de soins infirmiers (AIS 3) et d'un acte AMI 1 au cours "
                 "de la même séance, non autorisé par la nomenclature générale des actes "
                 "professionnels (NGAP)."),
        ("text", "2. Facturation de forfaits BSB sans bilan de soins infirmiers (BSI) valide."),
        ("text", "3. Actes facturés sur la base d'une prescription expirée ou absente."),
        ("bold", "Nature de l'indu"),
        ("text", "Prestations en nature – actes infirmiers payés en tiers payant."),
        ("bold", "Période des soins et dates de paiement"),
        ("text", "Soins du 1er juin 2025 au 31 décembre 2025, payés du 12 juin 2025 au "
                 "9 janvier 2026."),
        ("bold", "Montant de l'indu"),
        ("text", f"Montant total : {euros(INDU_TOTAL)}"),
        ("text", "Répartition par bénéficiaire :"),
    ]
    for p, amount in _indu_by_patient():
        lines.append(("text", f"- {p.initials} (né(e) en {p.birth.year}) : {euros(amount)}"))
    lines += [
        ("text", "Le tableau détaillé des actes concernés vous sera adressé séparément."),
        ("blank", ""),
        ("bold", "Délai de paiement et observations"),
        ("text", "Vous disposez d'un délai de deux (2) mois à compter de la réception de la présente "
                 "notification pour régler la somme de " + euros(INDU_TOTAL) + " par virement "
                 "ou par chèque à l'ordre de l'agent comptable de la CGSS de La Réunion, en "
                 "rappelant la référence ci-dessus. Dans ce même délai, vous pouvez présenter "
                 "des observations écrites à l'adresse figurant en en-tête."),
        ("bold", "Voies et délais de recours"),
        ("text", "Si vous contestez la présente décision, vous pouvez saisir, dans le délai de "
                 "deux mois à compter de sa réception, la Commission de recours amiable à "
                 "l'adresse suivante : " + CRA_ADDR + "."),
        ("text", "La saisine de la commission est un préalable obligatoire à tout recours "
                 "contentieux. En l'absence de décision dans un délai de deux mois à compter de "
                 "la réception de votre recours, celui-ci est réputé rejeté ; vous pourrez alors "
                 "saisir le pôle social du tribunal judiciaire de Saint-Denis dans un délai de "
                 "deux mois."),
        ("text", "À défaut de paiement ou de recours dans le délai imparti, une mise en demeure "
                 "vous sera adressée et la somme pourra être récupérée par retenue sur les "
                 "prestations à venir."),
        ("blank", ""),
        ("text", "Veuillez agréer, Madame, l'expression de mes salutations distinguées."),
        ("blank", ""),
        ("text", "Pour le directeur et par délégation,"),
        ("text", "La responsable du département régulation"),
    ]
    return lines


def notification_indu() -> bytes:
    when = reunion(4, 14, 14, 2)
    text = f"""Madame,

Veuillez trouver ci-joint, pour information, la copie de la notification de
payer relative à l'indu n° {INDU_REF}, d'un montant de {euros(INDU_TOTAL)},
qui vous est adressée ce jour par lettre recommandée avec avis de réception.

Les délais (deux mois pour régler la somme, présenter vos observations ou saisir
la Commission de recours amiable) courent à compter de la réception du courrier
recommandé.

Cordialement,

Département régulation – relations avec les professionnels de santé
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="indu", when=when,
        sender="CGSS Réunion - Régulation PS <regulation-ps@cgss.re>",
        subject=f"Notification de payer – indu n° {INDU_REF}", text=text,
        attachments=[pdf_attachment(f"Notification_indu_{INDU_REF}.pdf", indu_lines(when),
                                    f"Notification de payer – indu n° {INDU_REF}",
                                    "CGSS de La Réunion", when)])


def complement_indu() -> bytes:
    when = reunion(4, 22, 11, 37)
    rows = [["Bénéficiaire", "NIR", "Période des soins", "Cotation facturée",
             "Cotation retenue", "Nombre d'actes", "Montant indu", "Période de paiement",
             "Grief"]]
    for p, period, billed, kept, count, unit, grief, paid in INDU_ROWS:
        nir, key = p.nir
        rows.append([f"{p.first} {p.last}", f"{nir} {key}", period, billed, kept, str(count),
                     euros(count * unit), paid, grief])
    rows.append(["TOTAL", "", "", "", "", "", euros(INDU_TOTAL), "", ""])
    text = f"""Madame,

Pour faire suite à notre courrier du 14/04/2026 (notification de payer
n° {INDU_REF}), vous trouverez ci-joint le tableau détaillé des anomalies
relevées, acte par bénéficiaire et par période.

Cordialement,

Département régulation – relations avec les professionnels de santé
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="indu-complement", when=when,
        sender="CGSS Réunion - Régulation PS <regulation-ps@cgss.re>",
        subject=f"Tableau des anomalies – complément à notre courrier du 14/04/2026 "
                f"(indu n° {INDU_REF})",
        text=text, attachments=[csv_attachment(f"Tableau_anomalies_{INDU_REF}.csv", rows)])


def decision_cra() -> bytes:
    when = reunion(6, 26, 15, 20)
    lucien = next(a for p, a in _indu_by_patient() if p is LUCIEN)
    remaining = INDU_TOTAL - lucien
    lines: list[Line] = [
        ("bold", "CGSS DE LA RÉUNION – COMMISSION DE RECOURS AMIABLE"), ("small", CRA_ADDR),
        ("blank", ""),
        ("text", f"Madame Marie EXEMPLE – Infirmière libérale – N° AM {PS_AM}"),
        ("text", f"{PS_ADDRESS[0]} – {PS_ADDRESS[1]}"), ("blank", ""),
        ("text", "Saint-Denis, le 26 juin 2026"),
        ("text", f"Recours n° CRA-2026-0457 – indu n° {INDU_REF}"), ("blank", ""),
        ("title", "Décision de la Commission de recours amiable"),
        ("text", "Séance du 23 juin 2026"), ("blank", ""),
        ("text", "Madame,"),
        ("text", f"Par courrier reçu le 11 mai 2026, vous avez contesté la notification de payer "
                 f"n° {INDU_REF} du 14 avril 2026 d'un montant de {euros(INDU_TOTAL)}."),
        ("text", "Après examen de votre dossier, la Commission de recours amiable, dans sa "
                 "séance du 23 juin 2026, a décidé :"),
        ("text", f"- d'admettre votre recours pour les actes dispensés à {LUCIEN.initials} "
                 f"({euros(lucien)}), la prescription médicale ayant été produite ;"),
        ("text", "- de rejeter votre recours pour le surplus, les griefs de cumul AIS/AMI et "
                 "d'absence de BSI étant confirmés."),
        ("text", f"Le montant de l'indu est en conséquence ramené à {euros(remaining)}."),
        ("blank", ""),
        ("bold", "Voies et délais de recours"),
        ("text", "Vous pouvez contester la présente décision devant le pôle social du tribunal "
                 "judiciaire de Saint-Denis dans un délai de deux mois à compter de sa "
                 "réception."),
        ("text", "À défaut de paiement dans ce délai, une mise en demeure vous sera adressée."),
        ("blank", ""), ("text", "Le président de la Commission de recours amiable"),
    ]
    text = f"""Madame,

Vous trouverez ci-joint la décision rendue par la Commission de recours amiable
dans sa séance du 23/06/2026 sur votre recours n° CRA-2026-0457 (indu
n° {INDU_REF}).

Le montant de l'indu est ramené à {euros(remaining)}. Vous disposez d'un délai de
deux mois à compter de la réception de cette décision pour saisir le pôle
social du tribunal judiciaire.

Secrétariat de la Commission de recours amiable
CGSS de La Réunion

{SIGN_CONFIDENTIAL}
"""
    return human_mail(
        slug="cra", when=when,
        sender="CGSS Réunion - Commission de recours amiable <cra@cgss.re>",
        subject="Décision de la Commission de recours amiable – séance du 23/06/2026 – "
                "recours n° CRA-2026-0457",
        text=text, attachments=[pdf_attachment(
            "Decision_CRA_CRA-2026-0457.pdf", lines, "Décision de la Commission de recours "
            "amiable", "CGSS de La Réunion", when)])


def amelipro_reclamation() -> bytes:
    when = paris(5, 20, 16, 3)
    text = """Bonjour,

Votre réclamation n° RECLA-2026-05-004871 déposée le 07/05/2026 via le service
« Réclamations paiements » a été traitée par votre caisse d'assurance maladie.

Pour consulter la réponse, connectez-vous à votre espace amelipro :
https://espacepro.ameli.fr
puis rendez-vous dans la rubrique « Réclamations paiements », onglet « Suivi ».

La réponse et ses éventuelles pièces jointes restent consultables pendant
15 jours.

Ceci est un message automatique, merci de ne pas y répondre.

L'Assurance Maladie
"""
    return human_mail(slug="amelipro", when=when, sender="amelipro <noreply@ameli.fr>",
                      subject="Votre réclamation a été traitée", text=text)


def infoslettre() -> bytes:
    when = paris(3, 30, 11, 0)
    points = [
        ("Délais de transmission",
         "Vos feuilles de soins électroniques doivent être transmises dans un délai de "
         "3 jours ouvrés en paiement direct et de 8 jours ouvrés en tiers payant "
         "(article R.161-47 du code de la sécurité sociale)."),
        ("Pièces justificatives",
         "Pensez à numériser vos ordonnances avec SCOR au fil de l'eau : une pièce manquante "
         "retarde le paiement de vos factures."),
        ("Retours NOEMIE",
         "Consultez régulièrement vos retours NOEMIE et vos paiements dans amelipro avant de "
         "retransmettre une facture : une facture retransmise alors qu'elle a déjà été payée "
         "est rejetée (« facture déjà payée ») et peut générer un indu."),
    ]
    text = ("Infoslettre PS – CPAM de la Marne – mars 2026\n\n"
            + "\n\n".join(f"{t.upper()}\n{b}" for t, b in points)
            + "\n\nUne question ? Votre plateforme de services aux professionnels de santé est "
              "joignable au 36 08.\n\nVous recevez cette lettre car vous êtes professionnel de "
              "santé conventionné. Se désabonner : "
              "https://www.ameli.fr/marne/professionnels/desabonnement\n")
    html = html_page(
        "<h1 style=\"color: #0c419a; font-size: 20px;\">Infoslettre PS – mars 2026</h1>\n"
        + "\n".join(f"<h2 style=\"font-size: 16px;\">{t}</h2>\n<p>{b}</p>" for t, b in points)
        + "\n<p>Une question ? Votre plateforme de services aux professionnels de santé est "
          "joignable au <b>36 08</b>.</p>\n<p style=\"font-size: 11px; color: #777;\">Vous "
          "recevez cette lettre car vous êtes professionnel de santé conventionné. "
          "<a href=\"https://www.ameli.fr/marne/professionnels/desabonnement\">Se "
          "désabonner</a></p>", "Infoslettre PS")
    return human_mail(
        slug="infoslettre", when=when,
        sender="CPAM de la Marne - Infoslettre <infoslettre.cpam-marne@assurance-maladie.fr>",
        subject="Infoslettre PS n° 2026-03 – Rappel : délais de transmission de vos feuilles "
                "de soins",
        text=text, html=html,
        extra=[("List-Unsubscribe",
                "<https://www.ameli.fr/marne/professionnels/desabonnement>"),
               ("Precedence", "bulk")])


def accuse_reclamation_latin1() -> bytes:
    when = reunion(5, 6, 9, 15)
    text = """Madame,

Nous accusons réception de votre réclamation du 05/05/2026 concernant la
facture n° 000012347 (lot 042 du 02/03/2026, soins du 02/03/2026, montant
9,45 euros), rejetée avec le motif 0250 « assuré absent de notre référentiel ».

Votre demande est enregistrée sous la référence REC-974-2026-01532 et fait
l'objet d'une étude par nos services. Nous vous invitons à ne pas retransmettre
la facture dans l'attente de notre réponse.

Nous vous rappelons que les réclamations relatives à vos paiements peuvent
également être effectuées depuis votre espace amelipro, rubrique « Réclamations
paiements ».

Cordialement,

Service des réclamations des professionnels de santé
CGSS de La Réunion
"""
    return latin1_mail(slug="accuse-reclamation", when=when,
                       name="CGSS Réunion - Service réclamations PS",
                       address="reclamations-ps@cgss.re",
                       subject="Accusé de réception de votre réclamation - facture 000012347",
                       text=text)


def invitation_html_only() -> bytes:
    when = reunion(5, 4, 10, 48)
    body = """<table width="100%" cellpadding="0" cellspacing="0" style="background: #f4f6f9;">
<tr><td style="padding: 16px;">
<table width="600" cellpadding="12" cellspacing="0" style="background: #ffffff;">
<tr><td style="background: #0c419a; color: #ffffff; font-size: 18px;">
CGSS de La Réunion – Échange confraternel sur votre facturation</td></tr>
<tr><td>
<p>Madame,</p>
<p>Dans le cadre de l'accompagnement des infirmiers libéraux, un délégué de
l'Assurance&nbsp;Maladie souhaite échanger avec vous sur votre profil de
facturation (actes AIS et BSI).</p>
<p>Nous vous proposons un rendez-vous le <b>mardi 19&nbsp;mai&nbsp;2026 à 9&nbsp;h&nbsp;30</b>
dans nos locaux ou par téléphone, selon votre préférence.</p>
<p>Merci de nous confirmer votre disponibilité en répondant à ce courriel avant le
12/05/2026, ou de nous proposer un autre créneau.</p>
<p>Cordialement,<br>
Le service des délégués de l'Assurance&nbsp;Maladie<br>
CGSS de La Réunion</p>
</td></tr>
</table>
</td></tr>
</table>"""
    return human_mail(
        slug="invitation", when=when,
        sender="CGSS Réunion - Délégués de l'Assurance Maladie <dam-ps@cgss.re>",
        subject="Invitation à un échange sur votre facturation – mardi 19 mai 2026",
        html=html_page(body, "Invitation"))


# ---------------------------------------------------------------------------
# Complementary insurers (AMC)
# ---------------------------------------------------------------------------


def viamedis() -> bytes:
    when = paris(3, 12, 7, 2)
    paid = [("000012250", "Paulette FICTIVE", "19/02/2026", 1260),
            ("000012251", "Henri FICTIF", "20/02/2026", 2958)]
    refused = [("000012260", f"{ODETTE.first} {ODETTE.last}", "24/02/2026", 614,
                "Contrat clos à la date des soins – droits AMC non ouverts")]
    total = sum(p[3] for p in paid)
    lines: list[Line] = [
        ("bold", "VIAMEDIS – Relevé de règlement tiers payant"),
        ("text", "Relevé n° VMD-2026-03-0012458 du 11/03/2026"),
        ("text", f"Professionnel de santé : Marie EXEMPLE – infirmière – N° AM {PS_AM}"),
        ("blank", ""), ("title", "Avis de règlement"),
    ]
    lines += [("text", f"Facture {n} – {who} – soins du {d} – part complémentaire réglée "
                       f"{euros(a)}") for n, who, d, a in paid]
    lines += [("text", f"Montant total du virement du 11/03/2026 : {euros(total)}"),
              ("blank", ""), ("title", "Factures refusées")]
    lines += [("text", f"Facture {n} – {who} – soins du {d} – part complémentaire "
                       f"{euros(a)} – motif : {m}") for n, who, d, a, m in refused]
    lines += [("blank", ""),
              ("text", "Pour une facture refusée, vérifiez les droits complémentaires du "
                       "bénéficiaire ; le cas échéant, facturez la part complémentaire au "
                       "patient.")]
    text = f"""Madame,

Votre relevé de règlement tiers payant n° VMD-2026-03-0012458 est disponible.

Règlement du 11/03/2026 : {euros(total)} ({len(paid)} factures).
Factures refusées : {len(refused)} (voir le détail dans le relevé joint).

Retrouvez l'ensemble de vos relevés sur votre espace professionnel Viamedis.

Ce message est envoyé automatiquement, merci de ne pas y répondre.

Viamedis – Service professionnels de santé
"""
    return human_mail(
        slug="viamedis", when=when,
        sender="Viamedis - Professionnels de santé <releves-ps@viamedis.fr>",
        subject="Avis de règlement / factures refusées – relevé n° VMD-2026-03-0012458",
        text=text, cte="base64",
        attachments=[pdf_attachment("Releve_VMD-2026-03-0012458.pdf", lines,
                                    "Relevé de règlement tiers payant", "Viamedis", when)])


def almerys() -> bytes:
    when = paris(4, 2, 8, 15)
    text = f"""Madame,

La facture ci-dessous, transmise en tiers payant pour la part complémentaire,
a été rejetée :

Référence du rejet : ALM-260402-7781
Facture : 000012385 (lot 046 du 23/03/2026)
Bénéficiaire : {HENRI.first} {HENRI.last}
Date des soins : 20/03/2026
Montant de la part complémentaire : 8,40 €
Motif : bénéficiaire non reconnu – numéro d'adhérent erroné ou absent

Vous pouvez corriger les informations du bénéficiaire et retransmettre la
facture, ou facturer la part complémentaire au patient.

Cordialement,

almerys – Service tiers payant des professionnels de santé
"""
    return human_mail(slug="almerys", when=when,
                      sender="almerys - Tiers payant <notification-ps@almerys.com>",
                      subject="Rejet de facture en tiers payant – référence ALM-260402-7781",
                      text=text)


# ---------------------------------------------------------------------------
# Phishing look-alikes
# ---------------------------------------------------------------------------


def phishing_remboursement() -> bytes:
    when = paris(3, 18, 13, 27)
    link = "https://secure-ameli-fr.com/remboursement/validation?ref=PS974123456"
    text = f"""Assurance Maladie

Cher(e) professionnel(le) de santé,

Un remboursement de 248,30 € est en attente sur votre compte amelipro.
Pour le recevoir, vous devez confirmer vos informations sous 48 heures :

{link}

Sans action de votre part, ce remboursement sera annulé.

Le service remboursement de l'Assurance Maladie
"""
    html = html_page(
        "<p><b>Assurance Maladie</b></p>\n<p>Cher(e) professionnel(le) de santé,</p>\n"
        "<p>Un remboursement de <b>248,30 €</b> est en attente sur votre compte amelipro.</p>\n"
        f"<p><a href=\"{link}\" style=\"background: #0c419a; color: #fff; padding: 8px 16px;"
        "\">Confirmer mes informations</a></p>\n<p>Sans action de votre part sous 48 heures, "
        "ce remboursement sera annulé.</p>\n<p>Le service remboursement de l'Assurance "
        "Maladie</p>", "Remboursement en attente")
    return human_mail(
        slug="phishing-1", when=when,
        sender="Assurance Maladie <ameli-remboursement@secure-ameli-fr.com>",
        subject="Remboursement en attente – action requise sous 48h", text=text, html=html)


def phishing_coordonnees() -> bytes:
    when = paris(4, 15, 22, 9)
    link = "http://ameli.fr.verif-compte.net/amelipro/connexion"
    text = f"""Madame, Monsieur,

Suite à une mise à jour de sécurité, vos coordonnées bancaires amelipro doivent
être confirmées avant le 20/04/2026. Passé ce délai, vos paiements en tiers
payant seront suspendus.

Confirmez vos coordonnées : {link}

Ameli Pro
"""
    html = html_page(
        "<p>Madame, Monsieur,</p>\n<p>Suite à une mise à jour de sécurité, vos coordonnées "
        "bancaires <b>amelipro</b> doivent être confirmées avant le 20/04/2026. Passé ce délai, "
        "vos paiements en tiers payant seront suspendus.</p>\n"
        f"<p><a href=\"{link}\">https://espacepro.ameli.fr/connexion</a></p>\n<p>Ameli Pro</p>",
        "amelipro")
    return human_mail(
        slug="phishing-2", when=when, sender="Ameli Pro <service@ameli.fr.verif-compte.net>",
        subject="[amelipro] Mise à jour obligatoire de vos coordonnées bancaires",
        text=text, html=html, auth="fail")


# ---------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------


def promo_fournisseur() -> bytes:
    when = paris(2, 16, 8, 30)
    text = """MédiFourniture – Offre du mois

-20 % sur les pansements, compresses et bandes de contention jusqu'au
28 février 2026 avec le code INFIRMIERE20.

Livraison offerte dès 60 € d'achat, y compris à La Réunion.

Se désinscrire : https://medifourniture.example/desinscription
"""
    html = html_page(
        "<h1 style=\"color: #1a7f37;\">-20 % sur les pansements</h1>\n<p>Pansements, "
        "compresses et bandes de contention : <b>-20 %</b> jusqu'au 28 février 2026 avec le "
        "code <b>INFIRMIERE20</b>.</p>\n<p>Livraison offerte dès 60 € d'achat.</p>\n"
        "<p style=\"font-size: 11px;\"><a href=\"https://medifourniture.example/desinscription"
        "\">Se désinscrire</a></p>", "MédiFourniture")
    return human_mail(slug="promo", when=when,
                      sender="MédiFourniture <promo@medifourniture.example>",
                      subject="-20 % sur les pansements et la contention jusqu'au 28 février",
                      text=text, html=html, auth="none",
                      extra=[("List-Unsubscribe",
                              "<https://medifourniture.example/desinscription>")])


def patient_rdv() -> bytes:
    when = reunion(2, 25, 19, 53)
    text = """Bonsoir Madame Exemple,

Serait-il possible de passer lundi matin pour la prise de sang de mon père,
Jean TESTPATIENT ? Le laboratoire ouvre à 7 h, l'ordonnance est chez lui.

Merci beaucoup,
Claire TESTPATIENT

Envoyé de mon iPhone
"""
    return human_mail(slug="patient-rdv", when=when,
                      sender="Claire TESTPATIENT <claire.testpatient@example.net>",
                      subject="Prise de sang lundi ?", text=text, cte="8bit", auth="none")


def pharmacie() -> bytes:
    when = reunion(3, 10, 15, 12)
    text = """Bonjour Marie,

Les pansements et le matériel pour M. TESTPATIENT sont prêts. Nous les livrons
demain matin à son domicile avec son traitement.

Bonne journée,
Pharmacie du Front de Mer (fictive)
"""
    return human_mail(slug="pharmacie", when=when,
                      sender="Pharmacie du Front de Mer <contact@pharmacie-frontdemer.example>",
                      subject="Livraison matériel pour M. TESTPATIENT", text=text, auth="none")


def collegue() -> bytes:
    when = reunion(3, 19, 21, 5)
    text = """Coucou Marie,

C'est bon pour le remplacement du 4 au 12 avril. Je ferai la télétransmission
avec ma CPS de remplaçante ; les retours NOEMIE arriveront donc sur ta boîte
habituelle, ne t'inquiète pas si tu vois passer des ARL pendant ton absence.

Tu peux me laisser la liste des patients et les codes du cabinet ?

Bises,
Sophie
"""
    return human_mail(slug="collegue", when=when,
                      sender="Sophie Collègue <sophie.collegue@example.com>",
                      subject="Remplacement du 4 au 12 avril", text=text, auth="none")


def banque() -> bytes:
    when = reunion(3, 24, 7, 30)
    text = """Banque Exemple – Alerte compte

Un virement de 30,38 € a été crédité sur votre compte professionnel
n° ****4521 le 24/03/2026.
Libellé : VIR CPAM MARNE 260323

Consultez vos comptes sur https://banque-exemple.example

Ceci est un message automatique.
"""
    return human_mail(slug="banque", when=when,
                      sender="Banque Exemple <alertes@banque-exemple.example>",
                      subject="Alerte : virement reçu sur votre compte professionnel",
                      text=text)


def urssaf_like() -> bytes:
    when = paris(3, 26, 9, 0)
    text = """La lettre des travailleurs indépendants – mars 2026

- Votre échéancier de cotisations 2026 est disponible dans votre espace en ligne.
- Professionnels de santé : rappel des dates de déclaration de revenus.
- Nouveau : un simulateur de cotisations pour les auxiliaires médicaux.

Se désabonner : https://cotisations-independants.example/desabonnement
"""
    html = html_page(
        "<h1 style=\"font-size: 18px;\">La lettre des travailleurs indépendants</h1>\n<ul>\n"
        "<li>Votre échéancier de cotisations 2026 est disponible dans votre espace en ligne."
        "</li>\n<li>Professionnels de santé : rappel des dates de déclaration de revenus.</li>\n"
        "<li>Nouveau : un simulateur de cotisations pour les auxiliaires médicaux.</li>\n"
        "</ul>", "Lettre des indépendants")
    return human_mail(slug="urssaf-like", when=when,
                      sender="La lettre des indépendants <lettre@cotisations-independants.example>",
                      subject="Votre échéancier de cotisations 2026 est disponible",
                      text=text, html=html,
                      extra=[("List-Unsubscribe",
                              "<https://cotisations-independants.example/desabonnement>"),
                             ("Precedence", "bulk")])


def editeur_logiciel() -> bytes:
    when = paris(4, 9, 10, 0)
    text = """InfiLogiciel – Les nouveautés d'avril

Suivi automatique de vos retours NOEMIE et ARL : la version 8.2 rapproche
automatiquement vos paiements, rejets et retenues de vos factures.

Rappel : en cas de rejet « facture déjà payée », ne retransmettez pas la
facture ; contactez votre caisse.

Se désabonner : https://infilogiciel.example/newsletter/stop
"""
    html = html_page(
        "<h1 style=\"font-size: 18px;\">InfiLogiciel – Les nouveautés d'avril</h1>\n"
        "<p>Suivi automatique de vos <b>retours NOEMIE et ARL</b> : la version 8.2 rapproche "
        "automatiquement vos paiements, rejets et retenues de vos factures.</p>\n<p>Rappel : "
        "en cas de rejet « facture déjà payée », ne retransmettez pas la facture ; contactez "
        "votre caisse.</p>", "InfiLogiciel")
    return human_mail(slug="editeur", when=when,
                      sender="InfiLogiciel <actualites@infilogiciel.example>",
                      subject="Nouveauté : suivi automatique de vos retours NOEMIE et ARL",
                      text=text, html=html,
                      extra=[("List-Unsubscribe", "<https://infilogiciel.example/newsletter/stop>")])


def patient_reponse() -> bytes:
    when = reunion(4, 24, 7, 12)
    text = """Bonjour,

Très bien pour jeudi 8 h, la porte sera ouverte.

Paul

Le mer. 22 avr. 2026 à 18:02, Marie Exemple <marie.exemple@example.org> a écrit :
> Bonjour Monsieur FICTIF-PATIENT,
> Je passerai jeudi vers 8 h pour le pansement. Pensez à l'ordonnance renouvelée.
> Marie Exemple, infirmière
"""
    return human_mail(
        slug="patient-reponse", when=when,
        sender="Paul FICTIF-PATIENT <paul.fictif-patient@example.net>",
        subject="Re: Passage jeudi pour le pansement", text=text, auth="none",
        extra=[("In-Reply-To", "<20260422140200.passage@example.org>"),
               ("References", "<20260422140200.passage@example.org>")])


# ---------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One demo message: its builder and what it is for (French, for MANIFEST.md)."""

    build: Callable[[], bytes]
    category: str
    nature: str
    expected: str


CORPUS: list[Entry] = [
    Entry(constat, "courrier caisse",
          "Constat d'anomalies de facturation (contrôle CGSS, dossier CTL-2026-0112), tableau "
          "CSV joint, 3 412,60 €, observations possibles sous 2 mois.",
          "Ouvrir un dossier « pré-indu » avec échéance réception + 2 mois pour les "
          "observations ; rattacher le tableau ; préparer la collecte des pièces."),
    Entry(promo_fournisseur, "bruit", "Promotion d'un fournisseur de matériel (HTML + texte).",
          "Ignorer (non lié à la facturation)."),
    Entry(noemie_2900, "retour machine",
          "NOEMIE en clair, CPAM 511, lot 038 : facture 000012201 rejetée 2900 « FACTURE DEJA "
          "PAYEE » (part O, niveau F) ; facture 000012202 en paiement différé (198 D + 295).",
          "Dossier « doublon » pour 000012201 : ne pas retransmettre, vérifier le paiement, "
          "sinon réclamation ; 000012202 : statut « en traitement caisse », revoir plus tard."),
    Entry(patient_rdv, "bruit", "Demande de rendez-vous de la fille d'un patient.",
          "Ignorer (pas un message de caisse)."),
    Entry(arl_positif, "retour machine",
          "ARL positif (gzip), CGSS 974, lot 042, 3 factures (format ARL inventé).",
          "Marquer le lot 042 « reçu » et démarrer la surveillance de paiement (15 jours)."),
    Entry(arl_negatif, "retour machine",
          "ARL négatif (en clair), CGSS 974, lot 043, motif 0101 « fichier non conforme ».",
          "Dossier prioritaire « renvoyer le lot 043 » (délais R161-47)."),
    Entry(noemie_paiement, "retour machine",
          "NOEMIE gzip, CGSS 974 : virement, lot 042 (factures 000012345 et 000012346 payées) "
          "et forfait d'aide à l'informatisation (081 type 03, 261/262) ; total 500,94 €.",
          "Clore les deux factures comme payées, rapprocher les montants ; enregistrer le "
          "forfait sans ouvrir de dossier."),
    Entry(noemie_0250, "retour machine",
          "NOEMIE gzip, CGSS 974, lot 042 : facture 000012347 rejetée 0250 « ASSURE ABSENT DE "
          "NOTRE REFERENTIEL » + commentaire 295 (assurée née en Corse, NIR 2A).",
          "Dossier « droits / caisse » : vérifier l'affiliation (ADRi), refacturer à la bonne "
          "caisse."),
    Entry(noemie_amc, "retour machine",
          "NOEMIE gzip dans un multipart/mixed, CPAM 511, lot 039 : facture 000012260, part AMO "
          "payée (198 P), part AMC rejetée (199 R, 294 part C).",
          "Clore la part AMO ; dossier AMC : vérifier les droits complémentaires, relancer "
          "l'organisme ou facturer la patiente."),
    Entry(pharmacie, "bruit", "Message d'une pharmacie au sujet d'un patient.",
          "Ignorer (mentionne un patient mais ne concerne pas la facturation)."),
    Entry(viamedis, "AMC",
          "Viamedis : avis de règlement et factures refusées (relevé PDF avec texte), facture "
          "000012260 refusée « contrat clos ».",
          "Rattacher au dossier AMC de la facture 000012260 ; enregistrer les règlements."),
    Entry(retour_lots, "courrier caisse",
          "« Retour sur le traitement de vos lots du 12/03/2026 » (CGSS 974), texte + tableau "
          "HTML : 2 factures du lot 041 en anomalie (pièce manquante), lot 043 non parvenu.",
          "Un dossier par facture listée (pièce à envoyer par SCOR sous 15 jours) ; rattacher "
          "le lot 043 au dossier de l'ARL négatif."),
    Entry(transfert, "transfert",
          "Message transféré par l'infirmière à elle-même (« TR: ») contenant un courriel de la "
          "CGSS : ordonnance illisible pour la facture 000012301.",
          "Reconnaître le message de caisse transféré ; dossier « pièce à renvoyer » pour "
          "000012301 (note : déjà renvoyée par SCOR)."),
    Entry(phishing_remboursement, "hameçonnage",
          "Faux message « Assurance Maladie » depuis secure-ameli-fr.com, lien vers un faux "
          "site (SPF/DKIM valides pour le faux domaine).",
          "Ne jamais classer comme caisse ; signaler comme suspect (domaine hors liste "
          "autorisée)."),
    Entry(collegue, "bruit",
          "Message d'une collègue remplaçante (mentionne NOEMIE et ARL).",
          "Ignorer (mots-clés présents mais expéditeur non institutionnel)."),
    Entry(demande_pj, "courrier caisse",
          "Demande de pièces justificatives (CPAM de la Marne), 3 factures du lot 045, délai "
          "15 jours (04/04/2026), lettre PDF jointe.",
          "Dossier « PJ manquante » par facture avec échéance au 04/04/2026."),
    Entry(noemie_retenue, "retour machine",
          "NOEMIE en clair, CPAM 511 : lot 044 payé (74,90 €) et retenue 081 type 05 / 250 "
          "IND-RPR de 44,52 € sans référence de facture ; virement net 30,38 €.",
          "Clore la facture 000012360 ; dossier « retenue sans notification » (référence "
          "PSQ2600187) : demander la notification d'indu, préparer une contestation."),
    Entry(banque, "bruit", "Alerte bancaire : virement « VIR CPAM MARNE » de 30,38 €.",
          "Ignorer comme message de caisse ; peut servir au rapprochement du virement."),
    Entry(urssaf_like, "bruit", "Lettre d'information façon URSSAF (cotisations).",
          "Ignorer."),
    Entry(infoslettre, "courrier caisse",
          "Infoslettre PS de la CPAM de la Marne (texte + HTML) : rappel des délais.",
          "Classer comme information ; aucun dossier."),
    Entry(almerys, "AMC",
          "almerys : rejet de la part complémentaire de la facture 000012385 (bénéficiaire non "
          "reconnu).",
          "Dossier AMC : corriger le n° d'adhérent et retransmettre, ou facturer le patient."),
    Entry(noemie_test_flux, "retour machine",
          "NOEMIE de test (type de flux T), en clair, CRLF entre entités, entité inconnue "
          "« 777 » et signalement 290.",
          "Décoder sans erreur (ignorer l'entité inconnue) mais n'ouvrir aucun dossier."),
    Entry(editeur_logiciel, "bruit",
          "Lettre d'un éditeur de logiciel qui parle de NOEMIE, ARL et « facture déjà payée ».",
          "Ignorer (mots-clés présents, expéditeur commercial)."),
    Entry(notification_indu, "courrier caisse",
          "Notification de payer – indu n° 2026-974-000318 (3 412,60 €), PDF avec couche texte "
          "(cause, montant, délai de 2 mois, adresse de la CRA).",
          "Dossier « indu » : échéances réception + 2 mois (payer / observations / CRA) ; "
          "préparer un brouillon de recours CRA ; relever l'absence de détail des actes."),
    Entry(phishing_coordonnees, "hameçonnage",
          "Faux « Ameli Pro » depuis ameli.fr.verif-compte.net (SPF en échec), demande de "
          "coordonnées bancaires.",
          "Ne jamais classer comme caisse ; signaler comme suspect."),
    Entry(complement_indu, "courrier caisse",
          "Tableau des anomalies (CSV) envoyé après la notification d'indu.",
          "Rattacher au dossier de l'indu 2026-974-000318 ; noter l'argument « motivation "
          "tardive »."),
    Entry(patient_reponse, "bruit", "Réponse d'un patient avec citation (« a écrit : »).",
          "Ignorer."),
    Entry(invitation_html_only, "courrier caisse",
          "Invitation de la CGSS à un échange sur la facturation, message HTML seul.",
          "Dossier d'information avec la date du rendez-vous (19/05/2026) et la réponse "
          "attendue avant le 12/05/2026."),
    Entry(accuse_reclamation_latin1, "courrier caisse",
          "Accusé de réception d'une réclamation (CGSS), ISO-8859-1 quoted-printable.",
          "Rattacher au dossier de la facture 000012347 (rejet 0250) ; statut « réclamation "
          "en cours »."),
    Entry(amelipro_reclamation, "courrier caisse",
          "Notification amelipro « Votre réclamation a été traitée » (noreply@ameli.fr).",
          "Mettre à jour le dossier de réclamation ; rappeler de lire la réponse sous 15 "
          "jours."),
    Entry(decision_cra, "courrier caisse",
          "Décision de la Commission de recours amiable (rejet partiel, indu ramené à "
          "2 598,10 €), PDF joint.",
          "Mettre à jour le dossier de l'indu ; échéance pôle social = réception + 2 mois."),
]


@dataclass(frozen=True)
class Built:
    name: str
    epoch: int
    raw: bytes
    entry: Entry


def build_corpus() -> list[Built]:
    """Build every message, sorted by date; names ``<epoch>.M<n>P1.demo:2,S``."""
    made = []
    for entry in CORPUS:
        raw = entry.build()
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        epoch = int(headers["Date"].datetime.timestamp())
        made.append((epoch, raw, entry))
    made.sort(key=lambda item: item[0])
    epochs = [m[0] for m in made]
    if len(set(epochs)) != len(epochs):
        raise InvalidValueError("two demo messages share a Date")
    return [Built(f"{epoch}.M{n}P1.demo:2,S", epoch, raw, entry)
            for n, (epoch, raw, entry) in enumerate(made, 1)]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def manifest(built: Sequence[Built]) -> str:
    out = [
        "# Boîte de démonstration de cpambot",
        "",
        "Fichier généré par `python -m cpambot.demo.generate` — ne pas modifier à la main.",
        "",
        "Boîte aux lettres fictive de **Marie Exemple**, infirmière libérale à Saint-Denis "
        f"(La Réunion), n° AM {PS_AM}. Adresse personnelle : `{PS_MAIL}` ; boîte de "
        f"télétransmission : `{PS_TELETRANS}`. Sa caisse de rattachement est la CGSS de "
        "La Réunion (974) ; certains patients relèvent de la CPAM de la Marne (511).",
        "",
        "Tout est inventé : personnes, numéros, montants. Les NIR sont synthétiques (clé "
        "valide). Le format ARL, l'objet et le `Content-Description` des retours machine "
        "sont inventés (voir `noemie_writer.py`) ; les entités NOEMIE suivent "
        "`shared/noemie-layout.md`. Les codes de rejet 2900 et 0250 sont documentés ; le "
        "code AMC 0602 et le code ARL 0101 sont inventés.",
        "",
        "Messages dans `maildir/cur/`, dans l'ordre d'arrivée (le nom commence par "
        "l'horodatage Unix de l'en-tête `Date`).",
        "",
        "| # | Fichier | Expéditeur | Objet | Catégorie | Nature | Action attendue du bot |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, b in enumerate(built, 1):
        h = BytesParser(policy=policy.default).parsebytes(b.raw, headersonly=True)
        out.append(f"| {n} | `{b.name}` | `{_md(str(h['From']))}` | {_md(str(h['Subject']))} | "
                   f"{b.entry.category} | {_md(b.entry.nature)} | {_md(b.entry.expected)} |")
    out.append("")
    return "\n".join(out)


def write_maildir(target: Path = MAILDIR, manifest_path: Path | None = MANIFEST) -> list[Built]:
    """(Re)create ``target`` as a Maildir holding the corpus; write the manifest."""
    built = build_corpus()
    if target.exists():
        shutil.rmtree(target)
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True)
    for sub in ("new", "tmp"):
        (target / sub / ".keep").write_bytes(b"")
    for b in built:
        path = target / "cur" / b.name
        path.write_bytes(b.raw)
        os.utime(path, (b.epoch, b.epoch))
    if manifest_path is not None:
        manifest_path.write_text(manifest(built), encoding="utf-8")
    return built


def main(argv: Sequence[str] | None = None) -> int:
    built = write_maildir()
    print(f"{len(built)} messages écrits dans {MAILDIR / 'cur'} ; manifeste : {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
