"""Write one entity from the shared layout table: field formatting, padding and checks.

Widths, kinds, code lists and niveaux de rupture come from
:mod:`cpambot.understanding.decode.layout`, the table the decoder reads with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from cpambot.errors import InvalidValueError
from cpambot.understanding.decode.layout import WRITABLE, EntityLayout, Field, Kind

_FORBIDDEN_TEXT = re.compile(r"[@\r\n]|[^\x20-\x7e]")


def text_field(value: object, width: int, field: str = "text") -> str:
    """Left-aligned, space-padded text of exactly ``width`` characters.

    ``None`` gives spaces. Raises ``ValueError`` if the text is longer than
    ``width`` or holds ``@``, CR, LF or a non-printable / non-ASCII character
    (a NOEMIE decoder skips unknown entities by looking for ``@``).
    """
    s = "" if value is None else str(value)
    bad = _FORBIDDEN_TEXT.search(s)
    if bad:
        raise InvalidValueError(f"{field}: forbidden character {bad.group()!r} in {s!r}")
    if len(s) > width:
        raise InvalidValueError(f"{field}: {s!r} is {len(s)} characters, the field holds {width}")
    return s.ljust(width)


def number_field(value: object, width: int, field: str = "number") -> str:
    """Right-aligned, zero-padded digits of exactly ``width`` characters.

    Accepts a non-negative ``int`` or a string of digits; ``None`` gives
    spaces (optional field left empty). Raises ``ValueError`` otherwise or
    when the number needs more than ``width`` digits.
    """
    if value is None:
        return " " * width
    if isinstance(value, bool):
        raise InvalidValueError(f"{field}: {value!r} is not a number")
    if isinstance(value, int):
        if value < 0:
            raise InvalidValueError(f"{field}: negative value {value} in an unsigned field")
        s = str(value)
    else:
        s = str(value)
        if not s.isdigit() or not s.isascii():
            raise InvalidValueError(f"{field}: {s!r} is not made of digits")
    if len(s) > width:
        raise InvalidValueError(f"{field}: {s!r} needs {len(s)} digits, the field holds {width}")
    return s.zfill(width)


def yymmdd(value: object, field: str = "date") -> str:
    """A date as ``YYMMDD``; ``None`` gives 6 spaces (absent optional date)."""
    if value is None:
        return " " * 6
    if not isinstance(value, date):  # a datetime is a date too
        raise InvalidValueError(f"{field}: {value!r} is not a date")
    return value.strftime("%y%m%d")


def signed_amount(cents: int, width: int, field: str = "amount") -> tuple[str, str]:
    """Split a signed amount in cents into (zero-padded digits, ``P``/``N``).

    Zero is positive. Raises ``ValueError`` when ``abs(cents)`` needs more
    than ``width`` digits.
    """
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise InvalidValueError(f"{field}: amounts are integers in cents, got {cents!r}")
    return number_field(abs(cents), width, field), ("N" if cents < 0 else "P")


def _format(etype: str, f: Field, value: object) -> str:
    name = f"{etype} #{f.line} {f.source} ({f.name})"
    if f.kind is Kind.TEXT:
        return text_field(value, f.width, name)
    if f.kind in (Kind.NUMBER, Kind.AMOUNT):
        return number_field(value, f.width, name)
    if f.kind is Kind.DATE:
        return yymmdd(value, name)
    if f.kind is Kind.FILLER:
        if value not in (None, ""):
            raise InvalidValueError(f"{name}: filler must stay blank")
        return " " * f.width
    if f.kind is Kind.SIGN:
        s = "P" if value is None else value
        if s not in ("P", "N"):
            raise InvalidValueError(f"{name}: sign must be 'P' or 'N', got {s!r}")
        return "P" if s == "P" else "N"
    codes = f.codes or frozenset()  # Kind.CODE: the layout gives every code field its list
    s = "" if value is None else str(value)
    if s.ljust(f.width) not in {c.ljust(f.width) for c in codes}:
        raise InvalidValueError(f"{name}: {s!r} is not in the code list {sorted(codes)}")
    return text_field(s, f.width, name)


def layout_of(etype: str) -> EntityLayout:
    """The layout of an entity type this writer can write (NOEMIE types and the invented ``ARL``)."""
    return WRITABLE[etype]


def entity_width(etype: str) -> int:
    """Total width of an entity of type ``etype``, ``@`` included."""
    return layout_of(etype).width


def entity(etype: str, values: Mapping[str, object] | None = None, *,
           niveau: str | None = None) -> str:
    """Render any entity of the layout from a ``{field name: value}`` mapping.

    Missing names are ``None`` (blank / default). Unknown names raise
    ``ValueError``. For types with a niveau fixed by the source, a different
    ``niveau`` raises ``ValueError``.
    """
    layout = layout_of(etype)
    values = dict(values or {})
    unknown = set(values) - {f.name for f in layout.fields}
    if unknown:
        raise InvalidValueError(f"{etype}: unknown field(s) {sorted(unknown)}")
    parts = [etype]
    if layout.framed:
        if layout.niveau_fixed and niveau not in (None, layout.niveau):
            raise InvalidValueError(f"{etype}: niveau de rupture is always {layout.niveau}, got {niveau!r}")
        lvl = layout.niveau if layout.niveau_fixed else niveau or layout.niveau
        parts.append(number_field(lvl, 2, f"{etype} #2 Niveau de rupture"))
    parts.extend(_format(etype, f, values.get(f.name)) for f in layout.fields)
    if layout.framed:
        parts.append("@")
    out = "".join(parts)
    if len(out) != layout.width:
        raise InvalidValueError(f"{etype}: written {len(out)} characters, the layout says {layout.width}")
    return out


def money(values: dict[str, object], key: str, sign_key: str, cents: int, width: int) -> None:
    """Put a signed amount in ``values``: its digits under ``key``, its ``P``/``N`` under ``sign_key``."""
    digits, sign = signed_amount(cents, width, key)
    values[key] = digits
    values[sign_key] = sign


def field_value(ent: str, name: str) -> str:
    """Raw value of field ``name`` in an entity built by this writer."""
    layout = layout_of(ent[:3])
    start = layout.offsets.get(name)
    if start is None:
        raise InvalidValueError(f"no field {name!r} in entity {layout.type}")
    return ent[start:start + layout.field(name).width]


def signed_value(ent: str, name: str, sign_name: str | None) -> int:
    """Field ``name`` as an int, negated when the field ``sign_name`` holds ``N``."""
    value = int(field_value(ent, name))
    return -value if sign_name and field_value(ent, sign_name) == "N" else value
