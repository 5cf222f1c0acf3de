"""The books in the digest, against the real Dovecot and a real SMTP server: the deadlines feed attached
when it changed, and on the first digest of a month the month before in figures with its tracking table."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import UTC, datetime

import openpyxl
from icalendar import Calendar
from mailflow import REJECT, digests, poll, text_of


def attachments(raw: bytes) -> dict[str, bytes]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}


def test_feed_when_deadlines_change_and_the_month_before_on_the_first_of_the_month(world):
    """GIVEN a NOEMIE return of 20/02 (a reject, a deferral) WHEN the bot runs on 25/02, 26/02 and 02/03
    THEN the first digest carries the deadlines feed (icalendar reads it), the second does not (nothing
    moved), and the first digest of March tells February — 3,54 € rejected, the reject rate of the CPAM,
    both parts still unpaid — with February's tracking table attached, which openpyxl opens on the two
    invoices of lot 038."""
    config, smtp, user = world
    user.append("INBOX", REJECT)
    for day in (25, 26):
        poll(config, datetime(2026, 2, day, 10, 0, tzinfo=UTC))
    first, second = (m.content for m in digests(smtp))
    feed = attachments(first)
    assert set(feed) == {"echeances.ics"}
    events = Calendar.from_ical(feed["echeances.ics"]).walk("VEVENT")
    assert events and all(str(e["UID"]).endswith("@cpambot.invalid") for e in events)
    assert "echeances.ics" in text_of(first) and "LE MOIS DE" not in text_of(first)
    assert attachments(second) == {} and "echeances.ics" not in text_of(second)

    poll(config, datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    march = digests(smtp)[-1].content
    text = text_of(march)
    assert "LE MOIS DE FÉVRIER 2026" in text and "rejeté : 3,54 €" in text
    assert "(1 part de facture sur 1, 100,0 %)" in text
    assert "CPAM de la Marne (511) : 100,0 % (1 sur 1)" in text
    assert "Encore impayé : moins de 30 jours : 2 parts, 14,24 €." in text  # (the reject and the deferral)
    sheet = openpyxl.load_workbook(io.BytesIO(attachments(march)["suivi-factures-2026-02.xlsx"])).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows[:-1]) == ["000012201", "000012202"] and rows[-1][0] == "Total"
