"""A body's text written the one way the reader's patterns expect. Pure.

* :func:`canonical`: a word processor's apostrophe is the plain one, a date written with dots
  ("02.10.26") has slashes and an amount's decimal point ("9.45 EUR") is a comma, so that their dots
  no longer end a sentence.
* :func:`unflow`: a ``format=flowed`` plain part (RFC 3676) with its soft line breaks joined.
* :func:`unwrap`: a plain part its client hard-wrapped at 72 or 76 columns (Thunderbird, Outlook in
  plain text, mailing gateways), its wrapped sentences joined again: a motif or an instruction cut
  at the end of a line is read whole. Tables, lists, quotes and short lines are left as they are.
"""

from __future__ import annotations

import re

# a date written with dots ("le 02.10.26", "14.10.2026"): its dots are not the end of a sentence
_DOTTED_DATE = re.compile(r"(?<![\d.,])(0?[1-9]|[12]\d|3[01])\.(0?[1-9]|1[0-2])\.(\d{4}|\d{2})(?!\d|[.,]\d)")
# an amount with a decimal point ("9.45 EUR", "EUR 63.00"): its point is not the end of a sentence
_POINT_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,6})\.(\d{2})(?=\s?(?:€|eur\b|euros?\b))"
                           r"|(?<=\beur )(\d{1,6})\.(\d{2})(?![\d.,]\d)", re.IGNORECASE)


_DIGIT_POINT_DIGIT = re.compile(r"\d\.\d")


def canonical(text: str) -> str:
    """``text`` as every pattern of the reader writes it: a word processor's apostrophe ("l’ordonnance")
    is the plain one, a dotted date ("02.10.26") is written with slashes and an amount's decimal point
    ("9.45 EUR") a comma."""
    text = text.replace("\u2019", "'")
    if not _DIGIT_POINT_DIGIT.search(text):  # (both patterns need one: one fast scan spares two slow ones)
        return text
    text = _DOTTED_DATE.sub(r"\1/\2/\3", text)
    return _POINT_AMOUNT.sub(lambda m: f"{m.group(1) or m.group(3)},{m.group(2) or m.group(4)}", text)


def unflow(text: str, delsp: bool = False) -> str:
    """A ``format=flowed`` text with its soft breaks (a line ending with a space) joined, quoted lines with
    the next line of the same quote depth ("> … vos lots n° " / "> 322 et 323 …"); signature lines ("-- ")
    keep their breaks."""
    out: list[str] = []
    joining = False
    depth = 0
    for line in text.split("\n"):
        line = line.rstrip("\r")
        quotes = len(line) - len(line.lstrip(">"))
        if joining and out and quotes == depth:
            body = line[quotes:]
            out[-1] += body[1:] if quotes and body.startswith(" ") else body  # (its quote's space-stuffing)
        else:
            out.append(line)
        depth = quotes
        joining = line.endswith(" ") and line[quotes:].strip(" ") != "--" and line[quotes:].strip() != ""
        if joining and delsp:
            out[-1] = out[-1][:-1]
    return "\n".join(out)


# a line that is not running text: a table row (tabs, pipes, runs of spaces), a quote, a list item, a
# header line of a forward, a separator
_NOT_PROSE = re.compile(r"\t|\||\S {2,}\S|^\s*>|^\s*[-=_*]{3,}")
# (an entry of a legend of reject codes: "  2900 : ne renvoyez pas la facture", "0250 050 = assuré …")
_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]\s|[a-z][.)]\s|(?:de|from|à|to|objet|subject|date|envoyé|sent)\s?:"
                   r"|\d{4}(?:[ -]?\d{3})?\s?(?::|=|–|—|->|→)\s)", re.IGNORECASE)
_DASH = re.compile(r"^\s*[-•*·–—]\s")
# two lines each opening on an invoice ("Facture 000690112 - … : EUR 18,90" / "Facture 000690127 …"): rows
_NUMBERED = re.compile(r"^\s*(?:[^\s\d]+\s+){0,2}\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}(?![\d.,])")
_RECORD = re.compile(r"^(?:[^;]*;){3}")  # a row of values separated by semicolons starts a line
_WIDTHS = range(60, 81)  # the columns mail clients wrap at (72, 76, 78, 80)


def _prose(line: str) -> bool:
    return bool(line.strip()) and not _NOT_PROSE.search(line)


def _next_item(paragraph: str, line: str, dash: str) -> bool:
    """Whether ``line``, starting with ``dash`` below a filled line, is the next item of a list its
    paragraph started with the same dash ("- fact. 000318204 …" / "- fact. 000318209 …"), not the
    rest of the item (its amount "- 96,60 EUR : …" the client had no room for)."""
    start = paragraph.lstrip()
    if not start.startswith(dash.strip()):
        return False
    first = start[len(dash.strip()):].split()
    word = line[len(dash):].split()
    return not (word and word[0][0].isdigit() and first and not first[0][0].isdigit())


def unwrap(text: str) -> str:
    """``text`` with the sentences its client hard-wrapped joined again, when it was hard-wrapped: many
    running-text lines end close to one width of 60 to 80 columns and none of them is longer.

    A line joins the one above when the first word of it would not have fitted on that one (the
    reason the client broke the line there); a numbered item, a table row (semicolons too), a quote or
    a blank line never joins, a line starting with a dash only below a line filled to the width."""
    lines = text.split("\n")
    lengths = [len(line.rstrip()) for line in lines if _prose(line)]
    if len(lengths) < 4:
        return text
    width = max(lengths)
    if width not in _WIDTHS or sum(1 for n in lengths if n >= width - 12) < 3:
        return text
    out: list[str] = []
    above: str | None = None  # the line above as written (the joined one may be longer)
    for line in lines:
        if above is not None and _prose(above) and _prose(line) and not _ITEM.match(line) \
                and not _RECORD.match(line) and not (_NUMBERED.match(above) and _NUMBERED.match(line)) \
                and len(above.rstrip()) + 1 + len(line.split()[0]) > width \
                and (not (dash := _DASH.match(line))
                     or len(above.rstrip()) >= width - 1 and not _next_item(out[-1], line, dash.group(0))):
            # (a dash the line above had no room for continues it: "1. Fact. … – 40,95 €" / "– prescription
            # illisible"; a list's next item follows a line that ends earlier, or is an item its paragraph
            # started as it does)
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
        above = line
    return "\n".join(out)
