"""Rejects an agent lists grouped per motif: a heading line carries the reject code and its words, the
lines under it name the invoices (per lot or not), and one instruction, often after an arrow, tells what
to do with all of them::

    * 0250 050 – ASSURE ABSENT DE NOTRE REFERENTIEL
       Lot 302 : factures 000 655 301 et 000 655 318
       Lot 303 : facture 000 655 342
       → vérifiez leur caisse d'affiliation dans ADRi et refacturez à la caisse concernée.

Each invoice takes the group's code, words and instruction, and the lot named on its line (or on the
lot line above it inside the group)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.dates import iter_dates
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.cells import LOT_MENTION, invoices_in
from cpambot.understanding.rows.model import Row, Status
from cpambot.understanding.rows.rowcells import bare_motif

# "* 0250 050 – ASSURE ABSENT …", "Motif 2900 005 : facture déjà payée", "2) Rejet 0460 - PRESCRIPTEUR …",
# "- Code 0317 051 (incompatibilité nature d'assurance) :"
_HEADING = re.compile(r"(?i)^[ \t]*(?:[-*•·▪►–]|\d{1,2}[.)]|[a-z][.)])?[ \t]*"
                      r"(?:(?:motif|rejet|code(?: rejet)?|anomalie)[ \t]*(?:n[°o][ \t]*)?:?[ \t]*)?"
                      r"[\[(]?(\d{4})(?:[ \t]*[-/ ][ \t]*(\d{3}))?(?!\d)[\])]?[ \t]*[-–—:]?[ \t]*\(?"
                      r"([^\W\d][^\n]{2,140}?)\)?[ \t]*:?[ \t]*$")
_LOT_ALONE = re.compile(r"(?i)^[ \t]*(?:[-*•·▪►–][ \t]*)?lot[ \t]*(?:n[°o][ \t]*)?\d{3}[ \t]*:?[ \t]*$")
_SAID = re.compile(r"(?i)^\s*(?:→|->|-->|=>|⇒|➜|➔|consignes?\s*:|[àa] faire\s*:|conduite [àa] tenir\s*:)\s*")


@dataclass
class _Group:
    code: str
    subcode: str | None
    words: str | None
    lines: list[str] = field(default_factory=list)  # the invoices' lines
    said: list[str] = field(default_factory=list)  # the instruction's lines
    closed: bool = False  # an instruction came under the invoices: no more of them
    labelled: bool = False  # the instruction opens with its label ("Consigne :"), above the invoices


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        heading = _HEADING.match(line) if not invoices_in(line) else None
        if heading is not None and not _dated(line) and not LOT_MENTION.search(line):
            if not groups and any(invoices_in(x) for x in lines[:index]):
                return []  # "Lot 145 – facture … – 31,50 €" then "Rejet 0317 051 : …": each invoice its own
            current = _Group(heading.group(1), heading.group(2), bare_motif(heading.group(3)))
            groups.append(current)
        elif current is None:
            continue
        elif not line.strip():
            # (a blank line between a heading and its invoices, or between paragraphs of one group, as a
            # mail client writes HTML <p>: the group goes on while its invoices or instruction do)
            after = next((x for x in lines[index + 1:] if x.strip()), "")
            if (current.lines or current.said) and not (
                    not current.closed and (invoices_in(after) or _LOT_ALONE.match(after))
                    and (not current.said or current.labelled)
                    or not current.lines and _SAID.match(after) and _SAID.sub("", after) != after.strip()):
                current = None
        elif (invoices_in(line) or _LOT_ALONE.match(line)) and not current.closed:
            current.lines.append(line)  # (a "Lot 302 :" line above its invoices' lines; "Consigne : …" first)
        elif invoices_in(line):  # an invoice after the instruction: the group is over
            current = None
        else:
            current.labelled = current.labelled or not current.said and _SAID.match(line) is not None
            current.said.append(_SAID.sub("", line).strip())
            current.closed = bool(current.lines)  # (an instruction under its invoices ends them)
    return groups


def _dated(line: str) -> bool:
    """Whether a line holds a date (a heading's code is never a year of a date)."""
    return next(iter(iter_dates(line)), None) is not None


def grouped_rows(text: str, *, default_year: int | None = None) -> list[Row]:
    """The rows of a message listing its rejects grouped per motif, or [] when it does not (two groups at
    least, each naming its invoices)."""
    groups = _groups(text)
    if len(groups) < 2 or not all(g.lines for g in groups):
        return []
    rows: list[Row] = []
    for group in groups:
        said = " ".join(group.said) or None
        action = action_of(said) if said else None
        lot = None
        for line in group.lines:
            lots = LOT_MENTION.findall(line)
            lot = lots[0] if len(set(lots)) == 1 else lot if not lots else None
            numbers = invoices_in(line)
            single = len(numbers) == 1
            amounts = find_amounts(line) if single else []
            care = next((day for day, _, _ in iter_dates(line, default_year=default_year)), None) \
                if single else None
            rows += [Row(invoice=number, lot=lot, care_date=care,
                         amount=amounts[0] if len(amounts) == 1 else None,
                         reject_code=group.code, reject_subcode=group.subcode, motif=group.words,
                         consigne=said, status=Status.REJECTED, action=action, source="groups")
                     for number in numbers]
    return rows
