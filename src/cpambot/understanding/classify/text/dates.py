"""French dates ("14 avril 2026", "14/04/26", "1er juin") and delays ("deux (2) mois") in text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from cpambot.understanding.classify.text.normalize import label_re, normalize

_MONTHS = ((r"janv(?:ier|\.)?", 1), (r"f[eé]v(?:rier|r?\.)?", 2), (r"mars", 3), (r"avr(?:il|\.)?", 4),
           (r"mai", 5), (r"juin", 6), (r"juil(?:let|\.)?", 7), (r"ao[uû]t", 8),
           (r"sept(?:embre|\.)?", 9), (r"oct(?:obre|\.)?", 10), (r"nov(?:embre|\.)?", 11),
           (r"d[eé]c(?:embre|\.)?", 12))
_MONTH_RE = "|".join(f"(?:{m})" for m, _ in _MONTHS)
_DAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
# a letter's place before its date ("Nantes, le 21 octobre 2026", "Auch, le …"): the letter's own day
PLACE_AND_DAY = r"[A-ZÀ-Ý][\w'’ -]{1,40}, le"
_DATE_RE = re.compile(
    r"(?<![\d/.])(?P<d>\d{1,2})(?P<s>[/.])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\d/])"
    r"|(?<!\d)(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?!\d)"
    rf"|(?:{_DAYS}\s+)?(?<!\d)(?P<td>1er|\d{{1,2}})\s+(?P<tm>{_MONTH_RE})(?![a-zà-ÿ])"
    r"(?:\s+(?P<ty>\d{4})(?!\d))?",
    re.IGNORECASE)


def _month(name: str) -> int:
    for pattern, number in _MONTHS:
        if re.fullmatch(pattern, name, re.IGNORECASE):
            return number
    return 0


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def iter_dates(text: str, *, default_year: int | None = None) -> Iterator[tuple[date, int, int]]:
    """(date, start, end) of every date in ``text``; impossible dates (31/02) are skipped."""
    for found in _DATE_RE.finditer(text):
        g = found.groupdict()
        if g["d"]:
            if g["s"] == "." and len(g["y"]) == 2 and (len(g["d"]) == 1 or len(g["m"]) == 1):
                continue  # "8.2.10" is a version number, not a date ("01.10.26" is one)
            value = _make_date(int(g["y"]), int(g["m"]), int(g["d"]))
        elif g["iy"]:
            value = _make_date(int(g["iy"]), int(g["im"]), int(g["id"]))
        else:
            year = int(g["ty"]) if g["ty"] else default_year
            day = 1 if g["td"].lower() == "1er" else int(g["td"])
            value = _make_date(year, _month(g["tm"]), day) if year else None
        if value is not None:
            yield value, found.start(), found.end()


def find_dates(text: str, *, default_year: int | None = None) -> list[date]:
    return [value for value, _, _ in iter_dates(text, default_year=default_year)]


def parse_french_date(s: str, *, default_year: int | None = None) -> date | None:
    """``s`` read as one date ("14 avril 2026", "1er juin 2026", "14/04/26", "2026-04-14")."""
    s = re.sub(r"^\s*(?:le\s+)?", "", s or "", flags=re.IGNORECASE).rstrip(" .,")
    found = _DATE_RE.fullmatch(s)
    if not found:
        return None
    return next((v for v, _, _ in iter_dates(s, default_year=default_year)), None)


def date_after(text: str, label: str, span: int = 40, *, default_year: int | None = None) -> date | None:
    """The first date starting within ``span`` characters after the regex ``label`` ("30 novembre",
    "30/11", without their year, in ``default_year`` when given)."""
    return next(dates_after(text, label, span, default_year=default_year), None)


def dates_after(text: str, label: str, span: int = 40, *, default_year: int | None = None) -> Iterator[date]:
    """Every date starting within ``span`` characters after the regex ``label``, in the text's order."""
    for found in label_re(label).finditer(text):
        window = text[found.end():found.end() + span + 30]
        for value, start, _ in iter_dates(window, default_year=default_year):
            if start <= span:
                yield value
                break
        else:
            if default_year is not None and (short := _DAY_MONTH.match(window)) and short.start(1) <= span \
                    and (made := _make_date(default_year, int(short.group(2)), int(short.group(1)))):
                yield made


_DAY_MONTH = re.compile(r"\s*(\d{1,2})/(\d{1,2})(?![/\d]|[.,]\d)")


def letter_date(text: str) -> date | None:
    """The date of a letter: "Saint-Denis, le 14 avril 2026" at the start of a line, or in the reference
    block at its head, "Date" on a line of its own (or "Date :") and the date on the same or the next."""
    return date_after(text, r"(?m)^[^\n,]{2,60},\s*le\s", span=2) \
        or date_after(text[:1500], r"(?im)^[ \t]*date(?: du courrier)?[ \t]*:?[ \t]*\n?[ \t]*(?=\d)", span=0)


_NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "huit": 8,
                 "dix": 10, "quinze": 15, "trente": 30}
_DELAY_RE = re.compile(r"(?:delai|sous|dans)\D{0,25}?\b(\d{1,3}|" + "|".join(_NUMBER_WORDS)
                       + r")\s*(?:\(\d{1,3}\)\s*)?(jours?|semaines?|mois)\b")


def find_delay(text: str) -> tuple[int, str] | None:
    """The first delay stated in ``text`` ("dans un délai de 15 jours", "deux (2) mois")."""
    found = _DELAY_RE.search(normalize(text))
    if not found:
        return None
    count = found.group(1)
    unit = {"j": "days", "s": "weeks", "m": "months"}[found.group(2)[0]]
    return (int(count) if count.isdigit() else _NUMBER_WORDS[count]), unit
