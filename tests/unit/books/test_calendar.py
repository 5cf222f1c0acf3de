"""The deadlines feed: read back with icalendar, its UIDs stable, its updates and cancellations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar

from cpambot.books.calendar import Reminder, deadline_events, event_uid, to_ics
from cpambot.cases.deadlines import Deadline
from cpambot.cases.model import Case, CaseState, CaseType, HistoryEntry

NOW = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
CRA = Deadline("cra_referral", date(2026, 5, 2), date(2026, 5, 4), "art. R142-1 CSS : 2 mois")
INDU = Case(id="C4", key="indu|974|IND-2026-001", type=CaseType.INDU, state=CaseState.OPEN,
            status="indu notifié", amount=Decimal("1234.50"), reference="IND-2026-001",
            advice="Contestez par écrit avant la date.", deadlines=(CRA,), updated=date(2026, 3, 2),
            history=(HistoryEntry(date(2026, 3, 2), "indu_notified", "Indu notifié", "k1",
                                  date(2026, 3, 2)),))
RELANCE = Case(id="C7", key="invoice|511|000012201", type=CaseType.INVOICE, invoice="000012201",
               deadlines=(Deadline("relance1", date(2026, 3, 20), date(2026, 3, 20), ""),))


def events_of(data: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_each_deadline_is_an_all_day_event_with_what_to_do_and_an_alarm():
    """GIVEN an indu with its CRA deadline (due 02/05, legal expiry 04/05) and an invoice to chase WHEN the
    feed is written THEN icalendar reads two all-day events; the indu's says the case, the amount in
    French, what to do, both dates and how to see the case, and rings at 9 h three days before."""
    feed = events_of(to_ics(deadline_events([RELANCE, INDU], NOW)))
    assert len(feed) == 2
    event = feed[event_uid(INDU, "cra_referral")]
    assert event.decoded("DTSTART") == date(2026, 5, 2) and event.decoded("DTEND") == date(2026, 5, 3)
    assert str(event["SUMMARY"]) == "C4 : saisir la commission de recours amiable (1234,50 €)"
    text = str(event["DESCRIPTION"])
    for part in ("Dossier C4", "au plus tard le 02/05/2026", "échéance légale : 04/05/2026", "1234,50 €",
                 "IND-2026-001", "Contestez par écrit", "cpambot case C4"):
        assert part in text, part
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == timedelta(days=-3, hours=9)
    assert str(event["STATUS"]) == "CONFIRMED"


def test_uids_are_stable_and_a_moved_deadline_replaces_its_event():
    """GIVEN the feed written, then written again the next day after a new fact moved the deadline
    WHEN both are read THEN the same UID carries the new date with a higher SEQUENCE (an update, not a
    second event)."""
    first = events_of(to_ics(deadline_events([INDU], NOW)))
    moved = replace(INDU, deadlines=(replace(CRA, due=date(2026, 5, 9), legal_expiry=date(2026, 5, 11)),),
                    history=(*INDU.history, HistoryEntry(date(2026, 3, 9), "indu_details", "Détail", "k2",
                                                         date(2026, 3, 9))))
    second = events_of(to_ics(deadline_events([moved], NOW + timedelta(days=1))))
    assert first.keys() == second.keys()
    uid = event_uid(INDU, "cra_referral")
    assert second[uid].decoded("DTSTART") == date(2026, 5, 9)
    assert int(second[uid]["SEQUENCE"]) > int(first[uid]["SEQUENCE"])
    assert events_of(to_ics(deadline_events([INDU], NOW + timedelta(days=5)))).keys() == first.keys()


def test_a_closed_case_cancels_its_events_then_leaves_the_feed():
    """GIVEN the indu closed on 10/03 WHEN the feed is written on 11/03 THEN its event is CANCELLED under the
    same UID, without alarm; WHEN written in July THEN it is gone."""
    closed = replace(INDU, state=CaseState.CLOSED, closed=date(2026, 3, 10))
    feed = events_of(to_ics(deadline_events([closed], datetime(2026, 3, 11, tzinfo=UTC))))
    event = feed[event_uid(INDU, "cra_referral")]
    assert str(event["STATUS"]) == "CANCELLED" and not event.walk("VALARM")
    assert int(event["SEQUENCE"]) > int(events_of(to_ics(deadline_events([INDU], NOW)))[
        event_uid(INDU, "cra_referral")]["SEQUENCE"])
    assert events_of(to_ics(deadline_events([closed], datetime(2026, 7, 1, tzinfo=UTC)))) == {}


def test_reminders_are_configurable():
    """GIVEN reminders 7 and 1 days before, or none WHEN the feed is written THEN two alarms, or none."""
    two = events_of(to_ics(deadline_events([RELANCE], NOW, Reminder((7, 1)))))
    triggers = sorted(a.decoded("TRIGGER") for a in next(iter(two.values())).walk("VALARM"))
    assert triggers == [timedelta(days=-7, hours=9), timedelta(days=-1, hours=9)]
    none = events_of(to_ics(deadline_events([RELANCE], NOW, Reminder(()))))
    assert not next(iter(none.values())).walk("VALARM")


def test_an_empty_feed_is_a_valid_calendar():
    """GIVEN no case WHEN written THEN a calendar icalendar reads, with its name and no event."""
    calendar = Calendar.from_ical(to_ics([]))
    assert str(calendar["X-WR-CALNAME"]) == "Échéances cpambot" and not calendar.walk("VEVENT")
