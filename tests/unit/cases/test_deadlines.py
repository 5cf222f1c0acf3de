"""Deadline arithmetic: working days per territory, procedural months, the indu chain and reminders."""

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpambot.cases.deadlines import (
    METROPOLE,
    Deadline,
    RelanceSchedule,
    WorkCalendar,
    absurd_date,
    add_months,
    conciliateur_after,
    cra_silence,
    indu_deadlines,
    legal_deadline_months,
    mise_en_demeure_deadline,
    payment_watch,
    pieces_deadline,
    relance_schedule,
    reminders,
    subdivision_for,
    transmission_deadline,
    tribunal_deadline,
)

D = date.fromisoformat
REUNION = WorkCalendar("974")
MOSELLE = WorkCalendar("571")


# --- calendar months ---

@pytest.mark.parametrize("start,n,expected", [
    ("2026-12-31", 2, "2027-02-28"),
    ("2027-12-31", 2, "2028-02-29"),
    ("2026-01-31", 1, "2026-02-28"),
    ("2028-01-31", 1, "2028-02-29"),
    ("2026-11-30", 3, "2027-02-28"),
    ("2027-11-30", 3, "2028-02-29"),
    ("2028-02-29", 12, "2029-02-28"),
    ("2028-02-29", 48, "2032-02-29"),
    ("2026-08-31", 1, "2026-09-30"),
    ("2026-01-15", 1, "2026-02-15"),
    ("2026-11-15", 2, "2027-01-15"),
    ("2026-03-31", 0, "2026-03-31"),
])
def test_add_months(start, n, expected):
    """GIVEN a start date WHEN n calendar months are added
    THEN the day number is kept, or clamped to the last day of a shorter month."""
    assert add_months(D(start), n) == D(expected)


def test_legal_deadline_on_sunday_is_postponed_but_due_is_not():
    """GIVEN an indu notification received on 31 Dec 2026 (2 months -> Sunday 28 Feb 2027)
    WHEN the CRA deadline is computed
    THEN `due` stays on Sunday 28 Feb and the legal expiry is Monday 1 March."""
    cra = indu_deadlines(D("2026-12-31"))[0]
    assert cra.name == "cra_referral"
    assert cra.due == D("2027-02-28")
    assert cra.legal_expiry == D("2027-03-01")
    assert cra.postponed


def test_legal_deadline_on_14_july_is_postponed():
    """GIVEN a start on 14 May 2026 WHEN a 2-month delay ends on Tuesday 14 July (fête nationale)
    THEN it legally expires on 15 July while `due` stays on 14 July."""
    assert legal_deadline_months(D("2026-05-14"), 2) == D("2026-07-15")
    tribunal = tribunal_deadline(D("2026-05-14"))
    assert (tribunal.due, tribunal.legal_expiry) == (D("2026-07-14"), D("2026-07-15"))


def test_20_december_is_postponed_in_la_reunion_only():
    """GIVEN a 2-month delay from 20 Oct 2027 ending on Monday 20 Dec 2027 (abolition of slavery in 974)
    WHEN computed for CGSS Réunion and for a metropolitan caisse
    THEN only La Réunion postpones it to Tuesday 21 December; `due` is 20 December for both."""
    reunion = indu_deadlines(D("2027-10-20"), REUNION)[0]
    assert (reunion.due, reunion.legal_expiry) == (D("2027-12-20"), D("2027-12-21"))
    metro = indu_deadlines(D("2027-10-20"), WorkCalendar("751"))[0]
    assert (metro.due, metro.legal_expiry) == (D("2027-12-20"), D("2027-12-20"))
    assert not metro.postponed


# --- territories ---

@pytest.mark.parametrize("code,subdivision", [
    (None, None), ("", None), ("751", None), (331, None), ("011", None),
    ("571", "57"), (573, "57"), ("671", "6AE"), ("681", "6AE"), ("682", "6AE"),
    ("971", "971"), ("972", "972"), ("973", "973"), (" 974 ", "974"), ("976", "976"),
])
def test_subdivision_for_caisse_code(code, subdivision):
    """GIVEN a caisse code WHEN mapped THEN DOM codes get their own subdivision, Moselle '57',
    Bas-Rhin/Haut-Rhin the library's Alsace subdivision '6AE', everything else metropolitan France."""
    assert subdivision_for(code) == subdivision


@pytest.mark.parametrize("code,day", [
    ("971", "2027-05-27"), ("972", "2027-05-22"), ("973", "2027-06-10"),
    ("974", "2027-12-20"), ("976", "2027-04-27"),
])
def test_abolition_of_slavery_per_dom(code, day):
    """GIVEN a DOM caisse WHEN its abolition-of-slavery day is checked
    THEN it is a holiday there, and not in metropolitan France nor in La Réunion (except 20 Dec)."""
    assert WorkCalendar(code).is_holiday(D(day))
    assert not METROPOLE.is_holiday(D(day))
    if code != "974":
        assert not REUNION.is_holiday(D(day))


@pytest.mark.parametrize("code", ["571", "573", "671", "681", "682"])
def test_alsace_moselle_good_friday_and_26_december(code):
    """GIVEN an Alsace-Moselle caisse WHEN Good Friday 2026 and 26 Dec 2025 (both Fridays) are checked
    THEN they are not working days there, while they are in Paris."""
    cal = WorkCalendar(code)
    for d in (D("2026-04-03"), D("2025-12-26")):
        assert not cal.is_working_day(d)
        assert WorkCalendar("751").is_working_day(d)


def test_alsace_moselle_working_days_skip_good_friday():
    """GIVEN Thursday 2 April 2026 in Moselle WHEN one working day is added
    THEN Good Friday and Easter Monday are skipped: Tuesday 7 April (Friday 3 April in Paris)."""
    assert MOSELLE.add_working_days(D("2026-04-02"), 1) == D("2026-04-07")
    assert METROPOLE.add_working_days(D("2026-04-02"), 1) == D("2026-04-03")


# --- working days ---

@pytest.mark.parametrize("start,expected", [
    ("2026-04-03", "2026-04-07"),  # Friday -> Easter Monday skipped
    ("2026-05-13", "2026-05-15"),  # Wednesday -> Ascension Thursday skipped
    ("2026-05-22", "2026-05-26"),  # Friday -> Pentecost Monday skipped
    ("2026-04-07", "2026-04-08"),  # ordinary Tuesday
])
def test_next_working_day_across_spring_holidays(start, expected):
    """GIVEN a day before a spring public holiday WHEN one working day is added
    THEN the weekend and the holiday are skipped."""
    assert METROPOLE.add_working_days(D(start), 1) == D(expected)


def test_next_working_day_keeps_a_working_day():
    """GIVEN a working day, a Saturday and the Saturday before Easter Monday
    WHEN next_working_day is asked THEN the working day is kept and the others move forward."""
    assert METROPOLE.next_working_day(D("2026-04-08")) == D("2026-04-08")
    assert METROPOLE.next_working_day(D("2026-03-07")) == D("2026-03-09")
    assert METROPOLE.next_working_day(D("2026-04-04")) == D("2026-04-07")


def test_add_zero_and_negative_working_days():
    """GIVEN a Saturday WHEN 0 working days are added THEN the date is unchanged;
    WHEN a negative count is given THEN ValueError."""
    assert METROPOLE.add_working_days(D("2026-03-07"), 0) == D("2026-03-07")
    with pytest.raises(ValueError):
        METROPOLE.add_working_days(D("2026-03-07"), -1)


def test_working_days_between():
    """GIVEN Good Friday 2026 and the 7th working day after it (Wednesday 15 April)
    WHEN counted both ways THEN 7 and -7; the same day gives 0; a weekend gives 0."""
    assert METROPOLE.working_days_between(D("2026-04-03"), D("2026-04-15")) == 7
    assert METROPOLE.working_days_between(D("2026-04-15"), D("2026-04-03")) == -7
    assert METROPOLE.working_days_between(D("2026-04-15"), D("2026-04-15")) == 0
    assert METROPOLE.working_days_between(D("2026-03-06"), D("2026-03-08")) == 0


# --- rules ---

@pytest.mark.parametrize("arl,expected", [
    ("2026-04-03", "2026-04-15"),  # Friday before Easter Monday
    ("2026-05-22", "2026-06-03"),  # Friday before Pentecost Monday
    ("2026-04-30", "2026-05-13"),  # Thursday before 1 May, with 8 May also a Friday
])
def test_payment_watch_after_arl_before_bank_holiday(arl, expected):
    """GIVEN a positive ARL just before a bank holiday WHEN the AMO payment limit is computed
    THEN it is the 7th working day after the ARL, holidays excluded."""
    watch = payment_watch(D(arl))
    assert watch.name == "payment_due"
    assert watch.due == watch.legal_expiry == D(expected)
    assert METROPOLE.working_days_between(D(arl), watch.due) == 7
    assert "D161-13-3" in watch.basis


def test_payment_watch_custom_working_days():
    """GIVEN a configured 30-working-day limit WHEN computed THEN it is used and stated in the basis."""
    watch = payment_watch(D("2026-04-03"), METROPOLE, working_days=30)
    assert METROPOLE.working_days_between(D("2026-04-03"), watch.due) == 30
    assert "30 jours ouvrés" in watch.basis


def test_full_indu_chain():
    """GIVEN a notification de payer received on 31 Dec 2026, a CRA recourse received on Friday
    26 Feb 2027 and no CRA answer WHEN the chain is computed
    THEN CRA referral by 28 Feb 2027 (legal 1 March), implicit rejection on 26 April 2027,
    tribunal by Saturday 26 June 2027 (legal Monday 28 June)."""
    cra, observations = indu_deadlines(D("2026-12-31"))
    assert (cra.name, observations.name) == ("cra_referral", "observations")
    assert observations.due == cra.due == D("2027-02-28")
    assert observations.legal_expiry == cra.legal_expiry == D("2027-03-01")
    assert "R142-1" in cra.basis and "R133-9-1" in observations.basis

    silence = cra_silence(D("2027-02-26"))
    assert silence.name == "cra_implicit_rejection"
    assert silence.due == silence.legal_expiry == D("2027-04-26")
    assert "R142-6" in silence.basis

    tribunal = tribunal_deadline(silence.due)
    assert tribunal.name == "tribunal_referral"
    assert (tribunal.due, tribunal.legal_expiry) == (D("2027-06-26"), D("2027-06-28"))
    assert "tribunal judiciaire" in tribunal.basis


def test_mise_en_demeure_deadline():
    """GIVEN a mise en demeure received on Sunday 14 June 2026 WHEN the payment limit is computed
    THEN 1 month: due 14 July, legal 15 July, and the basis says the current text is unverified."""
    dl = mise_en_demeure_deadline(D("2026-06-14"))
    assert (dl.due, dl.legal_expiry) == (D("2026-07-14"), D("2026-07-15"))
    assert "non vérifiée" in dl.basis


@pytest.mark.parametrize("tiers_payant,expected,n", [(False, "2026-04-09", 3), (True, "2026-04-16", 8)])
def test_transmission_deadline(tiers_payant, expected, n):
    """GIVEN care/payment on Good Friday 2026 (working day in Paris) WHEN the FSE transmission limit
    is computed THEN 3 working days in paiement direct, 8 in tiers payant, Easter Monday excluded."""
    dl = transmission_deadline(D("2026-04-03"), METROPOLE, tiers_payant=tiers_payant)
    assert dl.due == dl.legal_expiry == D(expected)
    assert f"{n} jours ouvrés" in dl.basis and "R161-47" in dl.basis


def test_transmission_deadline_follows_territory():
    """GIVEN care on Thursday 2 April 2026 in Moselle WHEN paiement direct THEN Good Friday and Easter
    Monday are skipped: Tuesday 7, Wednesday 8, Thursday 9 April."""
    assert transmission_deadline(D("2026-04-02"), MOSELLE, tiers_payant=False).due == D("2026-04-09")


def test_conciliateur_after():
    """GIVEN a réclamation sent on 2 March 2026 WHEN the conciliateur date is computed
    THEN 3 weeks later by default (configurable), and the basis says it is not a legal rule."""
    dl = conciliateur_after(D("2026-03-02"))
    assert dl.due == D("2026-03-23")
    assert "pas une règle légale" in dl.basis
    assert conciliateur_after(D("2026-03-02"), weeks=4).due == D("2026-03-30")


def test_pieces_deadline():
    """GIVEN a request for pièces on 2 March 2026 WHEN no delay is stated THEN 15 calendar days;
    WHEN the letter states 30 days THEN 30; negative delays are refused."""
    assert pieces_deadline(D("2026-03-02")).due == D("2026-03-17")
    dl = pieces_deadline(D("2026-03-02"), days=30)
    assert dl.due == dl.legal_expiry == D("2026-04-01")
    with pytest.raises(ValueError):
        pieces_deadline(D("2026-03-02"), days=-1)


def test_relance_schedule():
    """GIVEN an invoice unpaid since 2 March 2026 WHEN no relance was sent
    THEN relance 1 opens on 17 March and closes on 1 April, relance 2 is not computable;
    WHEN relance 1 was sent on 20 March THEN relance 2 opens 30 March and closes 4 April."""
    assert relance_schedule(D("2026-03-02")) == RelanceSchedule(D("2026-03-17"), D("2026-04-01"), None, None)
    sched = relance_schedule(D("2026-03-02"), relance1_sent_on=D("2026-03-20"))
    assert (sched.relance2_from, sched.relance2_by) == (D("2026-03-30"), D("2026-04-04"))


def test_relance_schedule_configurable_and_validated():
    """GIVEN custom windows WHEN computed THEN they are used; GIVEN no start THEN nothing is computable;
    GIVEN a window that closes before it opens THEN ValueError."""
    sched = relance_schedule(D("2026-03-02"), relance1_sent_on=D("2026-03-10"),
                             first_after_days=(7, 10), second_after_days=(5, 5))
    assert sched == RelanceSchedule(D("2026-03-09"), D("2026-03-12"), D("2026-03-15"), D("2026-03-15"))
    assert relance_schedule(None) == RelanceSchedule(None, None, None, None)
    with pytest.raises(ValueError):
        relance_schedule(D("2026-03-02"), first_after_days=(30, 15))


@pytest.mark.parametrize("today,expected", [
    ("2027-02-01", []),
    ("2027-02-12", []),
    ("2027-02-13", ["J-15"]),
    ("2027-02-20", ["J-15"]),
    ("2027-02-21", ["J-15", "J-7"]),
    ("2027-02-26", ["J-15", "J-7", "J-2"]),
    ("2027-02-28", ["J-15", "J-7", "J-2", "jour J"]),
    ("2027-03-01", ["J-15", "J-7", "J-2", "jour J", "dépassé"]),
])
def test_reminders(today, expected):
    """GIVEN the CRA deadline due Sunday 28 Feb 2027 (legal expiry 1 March) WHEN reminders are asked
    THEN the marks reached so far are returned, counted on `due` (overdue on 1 March already)."""
    cra = indu_deadlines(D("2026-12-31"))[0]
    assert reminders(cra, D(today)) == expected


@pytest.mark.parametrize("d,today,expected", [
    ("1999-12-31", "2026-06-01", True),
    ("2000-01-01", "2026-06-01", False),
    ("2026-06-01", "2026-06-01", False),
    ("2027-06-01", "2026-06-01", False),
    ("2027-06-02", "2026-06-01", True),
    ("2029-02-28", "2028-02-29", False),
    ("2029-03-01", "2028-02-29", True),
])
def test_absurd_date(d, today, expected):
    """GIVEN a date read in a message WHEN checked against today
    THEN before 2000 or more than one year ahead is absurd."""
    assert absurd_date(D(d), D(today)) is expected


def test_deadline_is_frozen_and_consistent():
    """GIVEN a Deadline WHEN mutated THEN FrozenInstanceError;
    WHEN built with a legal expiry before its due date THEN ValueError."""
    dl = pieces_deadline(D("2026-03-02"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        dl.due = D("2026-03-20")  # type: ignore[misc]
    with pytest.raises(ValueError):
        Deadline("x", D("2026-03-02"), D("2026-03-01"), "base")


@settings(max_examples=300, deadline=None)
@given(
    d=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    n=st.integers(min_value=0, max_value=24),
    code=st.sampled_from([None, "571", "671", "971", "972", "973", "974", "976"]),
)
def test_months_properties(d, n, code):
    """GIVEN any date in 2000..2100, 0..24 months and any territory WHEN months are added
    THEN the day is kept or clamped to month end, the result is exactly n months later, and the legal
    expiry is a working day on or after it (within a week)."""
    cal = WorkCalendar(code)
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).month != r.month)
    legal = legal_deadline_months(d, n, cal)
    assert r <= legal <= r + timedelta(days=7)
    assert cal.is_working_day(legal)
    assert legal == r or all(not cal.is_working_day(r + timedelta(days=i)) for i in range((legal - r).days))
    assert cal.working_days_between(d, cal.add_working_days(d, n)) == n


@pytest.mark.parametrize("code,subdivision", [("02681", "6AE"), ("02221", None), ("974", "974"),
                                              ("331", None)])
def test_subdivision_from_the_directory(code, subdivision):
    """GIVEN an MSA or CPAM code WHEN its holiday calendar is asked THEN the directory's territory
    decides (MSA Alsace counts Good Friday and 26 December; MSA d'Armorique does not)."""
    assert subdivision_for(code) == subdivision
