"""Every deadline of every case as an iCalendar feed, for the professional's phone or agenda (pure: cases
and the instant of writing in, .ics bytes out).

An event per deadline of a case, all day on its date (``due``: the safe date, never postponed), with
an alarm some days before, the case's number, the amount and what to do in its description. Its UID
depends on the case and the deadline's name only, so a deadline that moves replaces its event
(SEQUENCE grows with the case's history) and never duplicates it; the events of a case closed
recently stay in the feed, CANCELLED, so that an agenda that imported them removes them. (An agenda
subscribed to the feed also drops what the feed no longer holds.)

Written with icalendar (maintained; the same library reads the feed back in the tests).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from cpambot import labels
from cpambot.cases.deadlines import Deadline
from cpambot.cases.model import Case

PRODID = "-//cpambot//échéances des dossiers//FR"
UID_DOMAIN = "cpambot.invalid"
CANCELLED_FOR_DAYS = 90  # a closed case's events stay in the feed (cancelled) this long


@dataclass(frozen=True)
class Reminder:
    days: tuple[int, ...] = (3,)  # alarms this many days before (none: empty)


def event_uid(case: Case, deadline_name: str) -> str:
    """Stable across runs and across changes of the date: the case's key and the deadline's name."""
    digest = hashlib.sha256(f"{case.key}|{deadline_name}".encode()).hexdigest()[:24]
    return f"{digest}@{UID_DOMAIN}"


def _sequence(case: Case) -> int:
    """Grows whenever the case changes (a fact, a letter, a decision), so agendas take the update."""
    return len(case.history) + len(case.fact_ids) + (1 if case.is_closed else 0)


def _description(case: Case, deadline: Deadline) -> str:
    what = labels.DEADLINE.get(deadline.name, deadline.name)
    lines = [f"Dossier {case.id} — {labels.CASE_TYPE.get(case.type.value, case.type.value)}",
             f"À faire : {what}, au plus tard le {deadline.due:%d/%m/%Y}"]
    if deadline.legal_expiry != deadline.due:
        lines.append(f"(échéance légale : {deadline.legal_expiry:%d/%m/%Y})")
    if case.amount is not None:
        lines.append(f"Montant : {case.amount:.2f} €".replace(".", ","))
    for label, value in (("Lot", case.lot), ("Facture", case.invoice), ("Référence", case.reference)):
        if value:
            lines.append(f"{label} : {value}")
    if case.status:
        lines.append(f"Où en est le dossier : {case.status}")
    if case.advice:
        lines.append(f"Conseil : {case.advice}")
    if deadline.basis:
        lines.append(f"Fondement : {deadline.basis}")
    lines.append(f"Détail : cpambot case {case.id}")
    return "\n".join(lines)


def _event(case: Case, deadline: Deadline, now: datetime, reminder: Reminder, *, cancelled: bool) -> Event:
    event = Event()
    what = labels.DEADLINE.get(deadline.name, deadline.name)
    amount = f" ({case.amount:.2f} €)".replace(".", ",") if case.amount is not None else ""
    event.add("uid", event_uid(case, deadline.name))
    event.add("dtstamp", now)
    event.add("sequence", _sequence(case))
    event.add("summary", f"{case.id} : {what}{amount}")
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")  # (a reminder, not a busy day)
    event.add("description", _description(case, deadline))
    event.add("categories", ["cpambot"])
    if cancelled:
        event.add("status", "CANCELLED")
        return event
    event.add("status", "CONFIRMED")
    for days in reminder.days:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{case.id} : {what} avant le {deadline.due:%d/%m/%Y}")
        alarm.add("trigger", timedelta(days=-days, hours=9))  # 9 h, `days` days before
        event.add_component(alarm)
    return event


def deadline_events(cases: Iterable[Case], now: datetime, reminder: Reminder = Reminder(),
                    *, today: date | None = None) -> list[Event]:
    """The events of the feed: every deadline of every open case; those of a case closed within
    :data:`CANCELLED_FOR_DAYS` of ``today`` (default: ``now``'s date), cancelled."""
    day = today or now.date()
    events: list[Event] = []
    for case in sorted(cases, key=lambda c: (c.id[:1], int(c.id[1:]) if c.id[1:].isdigit() else 0)):
        if case.is_closed:
            if case.closed is None or (day - case.closed).days > CANCELLED_FOR_DAYS:
                continue
            events.extend(_event(case, d, now, reminder, cancelled=True) for d in case.deadlines)
        else:
            events.extend(_event(case, d, now, reminder, cancelled=False) for d in case.deadlines)
    return events


def to_ics(events: Iterable[Event], *, name: str = "Échéances cpambot") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())
