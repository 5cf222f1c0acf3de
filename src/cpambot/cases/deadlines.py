"""Pure deadline arithmetic: working days, procedural months, and the rules that use them.

No I/O and no clock: every function that needs "today" takes it as a parameter.

Two dates per deadline (see `Deadline`):
- `due`: the conservative date shown to the user ("à faire avant le …"): the raw end of the delay,
  never postponed;
- `legal_expiry`: the procedural expiry, postponed to the next working day when the raw end falls on
  a Saturday, a Sunday or a public holiday (art. 642 code de procédure civile).
Acting by `due` is always safe; `legal_expiry` is shown alongside, labelled as such.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from cpambot.errors import InvalidValueError
from cpambot.understanding.directory import calendar_of

# Caisse codes whose territory has its own public holidays in `holidays.France`.
_DOM_SUBDIVISIONS = frozenset({"971", "972", "973", "974", "976"})  # Guadeloupe … Mayotte
_MOSELLE = "57"  # holidays.France: '57' = Moselle (alias 'Moselle')
_ALSACE = "6AE"  # holidays.France: '6AE' = Alsace, i.e. Bas-Rhin + Haut-Rhin (alias 'Alsace')
# understanding.directory calendars → holidays.France subdivision (holidays >= 0.76)
_CALENDARS = {"alsace-moselle": _ALSACE, "guadeloupe": "971", "martinique": "972", "guyane": "973",
              "reunion": "974", "mayotte": "976"}

EARLIEST_PLAUSIBLE = date(2000, 1, 1)


def subdivision_for(caisse_code: str | int | None) -> str | None:
    """The `holidays.France` subdivision for a 3-digit caisse code (None = metropolitan France).

    Alsace-Moselle (codes starting with 57, 67, 68) adds Good Friday and 26 December.
    """
    code = str(caisse_code if caisse_code is not None else "").strip()
    if code[:3] in _DOM_SUBDIVISIONS:
        return code[:3]
    if code.startswith("57"):
        return _MOSELLE
    if code.startswith(("67", "68")):
        return _ALSACE
    # the directory knows the other territories: an MSA ("02681" MSA Alsace), a merged caisse
    return _CALENDARS.get(calendar_of(code))


@lru_cache(maxsize=512)
def _holiday_dates(subdivision: str | None, year: int) -> frozenset[date]:
    """Public holidays of one year, computed once per (subdivision, year)."""
    return frozenset(holidays.France(subdiv=subdivision, years=year))


class WorkCalendar:
    """Working days (Monday to Friday, not a public holiday) of one caisse's territory."""

    __slots__ = ("caisse_code", "subdivision")

    def __init__(self, caisse_code: str | int | None = None) -> None:
        self.caisse_code = caisse_code
        self.subdivision = subdivision_for(caisse_code)

    def __repr__(self) -> str:
        return f"WorkCalendar(caisse_code={self.caisse_code!r}, subdivision={self.subdivision!r})"

    def is_holiday(self, d: date) -> bool:
        return d in _holiday_dates(self.subdivision, d.year)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and not self.is_holiday(d)

    def next_working_day(self, d: date) -> date:
        """`d` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after `d` (`d` itself when n == 0)."""
        if n < 0:
            raise InvalidValueError(f"n must be >= 0, got {n}")
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in the interval (a, b]; negative when b < a.

        Inverse of `add_working_days`: working_days_between(d, add_working_days(d, n)) == n.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(self.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


METROPOLE = WorkCalendar()


def _cal(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else METROPOLE


@dataclass(frozen=True)
class Deadline:
    """A dated obligation. `due` is the conservative date to act by (shown first to the user);
    `legal_expiry` is the procedural expiry after postponement (>= due); `basis` is French."""

    name: str
    due: date
    legal_expiry: date
    basis: str

    def __post_init__(self) -> None:
        if self.legal_expiry < self.due:
            raise InvalidValueError(f"{self.name}: legal_expiry {self.legal_expiry} before due {self.due}")

    @property
    def postponed(self) -> bool:
        return self.legal_expiry > self.due


def add_months(d: date, n: int) -> date:
    """Same day number n months later, or the last day of that month when it has no such day
    (art. 641 al. 2 CPC: "à défaut d'un quantième identique, le délai expire le dernier jour du mois").

    31 Dec + 2 months = 28 Feb (29 in a leap year); 29 Feb + 12 months = 28 Feb.
    """
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    month = month0 + 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def legal_deadline_months(start: date, n: int, calendar: WorkCalendar | None = None) -> date:
    """Procedural expiry of a "n mois" delay running from `start` (date of receipt/notification).

    Art. 641 al. 2 CPC: a delay in months expires on the day of the last month bearing the same day
    number as the starting event (else the last day of that month) -> `add_months`.
    Art. 642 CPC: a delay that would expire on a Saturday, Sunday or public holiday is postponed to
    the next working day.
    Applying art. 642 to the CSS delays (R142-1 CRA, tribunal, R133-9-1) is the usual reading, not a
    certainty: the tool therefore also exposes the unextended `add_months` date, which is what the
    user is told to act by (`Deadline.due`).
    """
    return _cal(calendar).next_working_day(add_months(start, n))


def _months_deadline(name: str, start: date, months: int, calendar: WorkCalendar | None,
                     basis: str) -> Deadline:
    return Deadline(name, add_months(start, months), legal_deadline_months(start, months, calendar), basis)


def _working_days_deadline(name: str, start: date, n: int, calendar: WorkCalendar | None,
                           basis: str) -> Deadline:
    d = _cal(calendar).add_working_days(start, n)
    return Deadline(name, d, d, basis)


def indu_deadlines(notified_on: date, calendar: WorkCalendar | None = None) -> list[Deadline]:
    """Deadlines opened by a notification de payer (indu), from its date of RECEIPT.

    Within 2 months the professional may pay, send written observations (R133-9-1 CSS) or seize the
    CRA (R142-1 CSS; forclusion only opposable if the notification states the delay). Contacting the
    caisse or RECLA PS does not suspend the CRA delay. Returns [cra_referral, observations].
    """
    return [
        _months_deadline("cra_referral", notified_on, 2, calendar,
                         "R142-1 CSS : 2 mois après réception de la notification pour saisir la CRA "
                         "(une réclamation amiable ne suspend pas ce délai)"),
        _months_deadline("observations", notified_on, 2, calendar,
                         "R133-9-1 CSS : 2 mois après réception pour payer ou présenter des "
                         "observations écrites"),
    ]


def cra_silence(referred_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    """Implicit rejection when the CRA has not decided 2 months after it RECEIVED the recourse
    (R142-6 CSS, current text; before the 2019 reform the delay was 1 month — old sources say so).

    `due` (unextended) is the earliest date the rejection may be deemed born: chaining
    `tribunal_deadline(result.due)` gives the conservative tribunal date.
    """
    return _months_deadline("cra_implicit_rejection", referred_on, 2, calendar,
                            "R142-6 CSS : sans décision de la CRA 2 mois après réception du recours, "
                            "rejet implicite")


def tribunal_deadline(decision_or_rejection_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    """2 months from the CRA decision (its receipt) or from the implicit rejection to seize the pôle
    social du tribunal judiciaire (R142-1-A / R142-10-1 CSS: exact article to confirm)."""
    return _months_deadline("tribunal_referral", decision_or_rejection_on, 2, calendar,
                            "Pôle social du tribunal judiciaire : 2 mois après la décision de la CRA ou "
                            "le rejet implicite (délai inopposable s'il n'a pas été notifié, "
                            "Cass. 2e civ. 8 avr. 2021 n° 19-26204)")


def mise_en_demeure_deadline(received_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    """1 month to pay after a mise en demeure (older R133-9-1 wording; current wording unverified)."""
    return _months_deadline("mise_en_demeure_payment", received_on, 1, calendar,
                            "R133-9-1 CSS (ancienne rédaction) : 1 mois pour payer après la mise en "
                            "demeure, majoration de 10 % ; rédaction actuelle non vérifiée")


def payment_watch(arl_positive_on: date, calendar: WorkCalendar | None = None,
                  working_days: int = 7) -> Deadline:
    """Date by which the AMO must pay a tiers-payant FSE (D161-13-3 CSS: 7 working days from the
    positive ARL); unpaid after `due` = an unpaid case (penalties D161-13-4 from day 8)."""
    return _working_days_deadline("payment_due", arl_positive_on, working_days, calendar,
                                  f"D161-13-3 CSS : paiement de la part AMO sous {working_days} jours "
                                  "ouvrés après l'ARL positif (pénalités dès le jour suivant, D161-13-4)")


def transmission_deadline(care_or_payment_date: date, calendar: WorkCalendar | None = None, *,
                          tiers_payant: bool) -> Deadline:
    """FSE transmission: 3 working days (paiement direct, from the payment) or 8 working days (tiers
    payant, from the care / last act of a series) (R161-47 CSS)."""
    n, mode = (8, "tiers payant") if tiers_payant else (3, "paiement direct")
    return _working_days_deadline("fse_transmission", care_or_payment_date, n, calendar,
                                  f"R161-47 CSS : FSE à transmettre sous {n} jours ouvrés ({mode})")


def conciliateur_after(reclamation_sent_on: date, weeks: int = 3) -> Deadline:
    """The date FROM which the conciliateur may be seized when a réclamation got no answer.

    Here `due` is an opening date, not a limit. The 3 weeks come from the caisse leaflet: a policy,
    configurable, not law (L162-15-4 CSS sets none). Seizing him suspends no recourse delay.
    """
    d = reclamation_sent_on + timedelta(weeks=weeks)
    return Deadline("conciliateur_available", d, d,
                    f"Usage des caisses (dépliant), pas une règle légale : conciliateur saisissable "
                    f"après {weeks} semaines sans réponse à la réclamation ; ne suspend aucun délai "
                    "de recours")


def pieces_deadline(requested_on: date, days: int = 15) -> Deadline:
    """Deadline to send pièces justificatives asked by the caisse, in calendar days, not postponed.
    When the letter states its own delay the caller passes it as `days`."""
    if days < 0:
        raise InvalidValueError(f"days must be >= 0, got {days}")
    d = requested_on + timedelta(days=days)
    return Deadline("pieces_justificatives", d, d,
                    f"Demande de pièces de la caisse : {days} jours calendaires (délai de la lettre s'il "
                    "est indiqué ; sinon valeur par défaut, pas un délai légal)")


@dataclass(frozen=True)
class RelanceSchedule:
    """Windows for the relances of an unpaid invoice; None when not computable yet."""

    relance1_from: date | None
    relance1_by: date | None
    relance2_from: date | None
    relance2_by: date | None


def _window(first: tuple[int, int], what: str) -> tuple[int, int]:
    opens, closes = first
    if not 0 <= opens <= closes:
        raise InvalidValueError(f"{what}: expected 0 <= opens <= closes, got {first}")
    return opens, closes


def relance_schedule(unpaid_since: date | None, *, relance1_sent_on: date | None = None,
                     first_after_days: tuple[int, int] = (15, 30),
                     second_after_days: tuple[int, int] = (10, 15)) -> RelanceSchedule:
    """Relance cadence (domain.md §6, vendor practice, no legal rule): relance 1 from unpaid_since
    (e.g. the positive ARL) + 15 days, to be sent by + 30; relance 2 from 10 to 15 days after relance 1
    was actually SENT. Calendar days."""
    o1, c1 = _window(first_after_days, "first_after_days")
    o2, c2 = _window(second_after_days, "second_after_days")
    r1_from = r1_by = r2_from = r2_by = None
    if unpaid_since is not None:
        r1_from, r1_by = unpaid_since + timedelta(days=o1), unpaid_since + timedelta(days=c1)
    if relance1_sent_on is not None:
        r2_from, r2_by = relance1_sent_on + timedelta(days=o2), relance1_sent_on + timedelta(days=c2)
    return RelanceSchedule(r1_from, r1_by, r2_from, r2_by)


REMINDER_MARKS: tuple[tuple[str, int], ...] = (("J-15", 15), ("J-7", 7), ("J-2", 2), ("jour J", 0))
OVERDUE_MARK = "dépassé"


def reminders(deadline: Deadline, today: date) -> list[str]:
    """Reminder marks reached on `today`, counted on `deadline.due`, least urgent first.

    Cumulative so that a digest that skipped a day loses nothing: 10 days before -> ["J-15"];
    on the day -> ["J-15", "J-7", "J-2", "jour J"]; after it -> the same + "dépassé". The last element
    is the current urgency; a caller remembering the marks already sent sends only the new ones.
    """
    left = (deadline.due - today).days
    marks = [label for label, days in REMINDER_MARKS if left <= days]
    if left < 0:
        marks.append(OVERDUE_MARK)
    return marks


def absurd_date(d: date, today: date) -> bool:
    """True if a date extracted from a message is implausible: before 2000 or more than one year
    after `today` (callers reject it as garbage)."""
    return d < EARLIEST_PLAUSIBLE or d > add_months(today, 12)
