"""What the digest carries of the professional's books: on the first digest of a month, the month before
in figures with its tracking table attached (.xlsx); whenever a deadline changed since the last digest,
the deadlines feed (.ics) to import into her agenda."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from cpambot.books.calendar import Reminder, deadline_events, to_ics
from cpambot.books.invoicebook import InvoiceBook, reconciliation_reports, tracking_table
from cpambot.books.spreadsheet import write_xlsx
from cpambot.books.stats import MonthSummary, month_summary
from cpambot.cases.casebook import CaseBook
from cpambot.letters.model import Attachment
from cpambot.store.database import Store

META = "meta"
CALENDAR_KEY = "last_calendar"  # the signature of the deadlines feed the last digest carried
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class DigestBooks:
    month: MonthSummary | None = None
    bank: list[str] = field(default_factory=list)  # the last bank reconciliation made since the last digest
    attachments: list[Attachment] = field(default_factory=list)
    calendar_signature: str | None = None  # to remember once the digest is sent


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def latest_reconciliation(data_dir: Path, since: datetime | None) -> list[str]:
    """The lines of the newest report ``cpambot rapprochement`` kept since ``since`` (none: [])."""
    for report in reversed(list(reconciliation_reports(data_dir))):
        try:
            made = datetime.fromisoformat(report["fait_le"])
        except (ValueError, KeyError, TypeError):
            continue  # (a report edited by hand: the next one will do)
        if since is not None and made <= since:
            return []
        return [str(x) for x in report.get("lignes") or ()]
    return []


def digest_books(store: Store, *, today: date, now: datetime, last_digest: date | None,
                 reminder: Reminder | None = None, last_digest_at: datetime | None = None) -> DigestBooks:
    out = DigestBooks(bank=latest_reconciliation(store.data_dir, last_digest_at))
    if last_digest is not None and (last_digest.year, last_digest.month) != (today.year, today.month):
        start = month_before(today)
        out.month = month_summary(InvoiceBook(store).records(), CaseBook(store).all(archived=True), today,
                                  start)
        if out.month is not None:
            end = today.replace(day=1) - timedelta(days=1)
            rows = tracking_table(store, since=start, until=end)
            with tempfile.TemporaryDirectory(prefix="cpambot-digest-") as tmp:
                path = Path(tmp) / "suivi.xlsx"
                write_xlsx(rows, path, title=f"Suivi {out.month.month}")
                name = f"suivi-factures-{out.month.key}.xlsx"
                out.attachments.append(Attachment(name, XLSX, path.read_bytes()))
    # The cases in memory: the open ones and those closed within the month (their events went out
    # cancelled in the digest after they closed); the archive is not read every day.
    events = deadline_events(CaseBook(store).all(), now, reminder or Reminder())
    # what an agenda shows: which events, on which day, cancelled or not (not the texts, which change often)
    signature = hashlib.sha256("\n".join(sorted(
        f"{e['UID']}|{e.decoded('DTSTART')}|{e['STATUS']}" for e in events)).encode()).hexdigest()
    told = (store.get(META, CALENDAR_KEY) or {}).get("signature")
    if events and signature != told:
        out.attachments.append(Attachment("echeances.ics", "text/calendar", to_ics(events)))
        out.calendar_signature = signature
    return out
