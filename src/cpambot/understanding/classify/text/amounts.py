"""French amounts: "3 412,60 €", "1.234,56", "-44,52" read as Decimal, alone or in running text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from cpambot.understanding.classify.text.normalize import label_re

_SPACES = " \u00a0\u202f\u2009"
_CURRENCY = re.compile(r"^\s*(?:€|eur\b|euros?\b)?\s*(.*?)\s*(?:€|eur|euros?)?\s*$", re.IGNORECASE)
_AMOUNT_FORMS = (
    (re.compile(r"\d+"), None, None),
    (re.compile(r"\d+(?:,\d{1,2})"), None, ","),
    (re.compile(r"\d+(?:\.\d{1,2})"), None, "."),
    # "1.234" alone is ambiguous (1 234 or 1,234?): dot thousands need a decimal part or 2 groups
    (re.compile(r"\d{1,3}(?:(?:\.\d{3}){2,}|(?:\.\d{3})+,\d{1,2})"), ".", ","),
    (re.compile(r"\d{1,3}(?:,\d{3})+\.\d{1,2}"), ",", "."),
)


def parse_amount(s: str) -> Decimal | None:
    """A French amount ("3 412,60 €", "1.234,56", "-44,52", "18,10€") as Decimal, or None."""
    found = _CURRENCY.match(s or "")
    if not found:
        return None
    body = found.group(1)
    sign = ""
    if body[:1] in "-−":
        sign, body = "-", body[1:].lstrip(_SPACES)
    if re.fullmatch(r"[1-9]\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,2})?", body):
        body = re.sub(r"[ \u00a0\u202f\u2009]", "", body)
    for form, thousands, decimal in _AMOUNT_FORMS:
        if form.fullmatch(body):
            if thousands:
                body = body.replace(thousands, "")
            if decimal:
                body = body.replace(decimal, ".")
            try:
                return Decimal(sign + body).quantize(Decimal("0.01"))
            except InvalidOperation:  # pragma: no cover - the forms only let digits through
                return None
    return None


# A grouped amount may be cut by a line break ("ramené à 2\n598,10 €" in a wrapped PDF line):
# reading "598,10 €" there would be a costly error, so a newline may separate thousands. When
# the line before is short (a table cell, not wrapped prose) the split is ambiguous: no amount.
_AMOUNT_RE = re.compile(
    r"(?<![\w.,/])([-−](?=\d)|(?<![\w)]\s)[-−]\s)?"
    r"([1-9]\d{0,2}(?:(?:[ \u00a0\u202f\u2009]|\r?\n)\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b)",
    re.IGNORECASE)


# (a dash between a word and the amount, "24/09/2026 - 38,60 €", separates; it is not a minus)
# "EUR 411,75", "€ 58,20": the currency written first
_PREFIXED_RE = re.compile(r"(?<![\w])(?:€|eur\b)[ \u00a0\u202f]?(-\s?)?"
                          r"([1-9]\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d{1,2})?"
                          r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
                          r"(?![\d,.]*\s*(?:€|eur\b|euros?\b))(?![\w])", re.IGNORECASE)


def iter_amounts(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[Decimal, int, int]]:
    """(amount, start, end) for every amount with a currency (€, EUR, euros) after it, or before it
    ("EUR 411,75")."""
    stop = len(text) if end is None else end
    found_any = list(_amounts_after(text, start, stop))
    taken = [(s, e) for _, s, e in found_any]
    for found in _PREFIXED_RE.finditer(text, start, stop):
        if not any(s <= found.start() < e for s, e in taken):
            value = parse_amount((found.group(1) or "") + found.group(2))
            if value is not None:
                found_any.append((value, found.start(), found.end()))
    yield from sorted(found_any, key=lambda item: item[1])


def _amounts_after(text: str, start: int, stop: int) -> Iterator[tuple[Decimal, int, int]]:
    for found in _AMOUNT_RE.finditer(text, start, stop):
        number = found.group(2)
        if "\n" in number:
            line_start = text.rfind("\n", 0, found.start()) + 1
            if found.start(2) + number.index("\n") - line_start < 40:
                continue
        value = parse_amount((found.group(1) or "") + re.sub(r"\r?\n", " ", number))
        if value is not None:
            yield value, found.start(), found.end()


def find_amounts(text: str) -> list[Decimal]:
    """Every amount with a currency mark in ``text``, in order."""
    return [value for value, _, _ in iter_amounts(text)]


def amount_after(text: str, label: str, span: int = 80) -> Decimal | None:
    """The first amount within ``span`` characters after the regex ``label`` (case-insensitive)."""
    for found in label_re(label).finditer(text):
        for value, start, _ in iter_amounts(text, found.end(), found.end() + span):
            if start < found.end() + span:
                return value
    return None
