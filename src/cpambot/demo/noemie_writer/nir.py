"""Synthetic NIRs (social-security numbers) and their keys, for demo data only."""

from __future__ import annotations

import re

from cpambot.errors import InvalidValueError

_NIR_RE = re.compile(r"^[12378]\d{4}(?:\d{2}|2[AB])\d{6}$")


def nir_key(nir: str) -> int:
    """Key of a 13-character NIR: 97 − (NIR mod 97) (layout §5.7).

    For Corsica, ``2A`` is replaced by ``19`` and ``2B`` by ``18`` before the
    computation. Raises ``ValueError`` for a malformed NIR.
    """
    nir = nir.upper()
    if not _NIR_RE.match(nir):
        raise InvalidValueError(f"malformed NIR {nir!r}")
    digits = nir.replace("2A", "19", 1) if nir[5:7] == "2A" else nir
    digits = digits.replace("2B", "18", 1) if nir[5:7] == "2B" else digits
    return 97 - (int(digits) % 97)


def make_nir(sex: int, year: int, month: int, department: str, commune: str,
             order: int) -> tuple[str, str]:
    """Build a synthetic NIR and its key: returns ``(nir13, key2)``.

    ``sex`` 1 or 2; ``year`` of birth (two last digits are used); ``month``
    1–12; ``department`` 2 characters (``01``–``95``, ``2A``, ``2B``, ``97``
    for the DOM, ``99`` abroad); ``commune`` 3 digits (for the DOM the 3 last
    digits of the INSEE code, e.g. ``411`` for 97411); ``order`` 1–999.
    Used only for demo data: the numbers are made up.
    """
    if sex not in (1, 2):
        raise InvalidValueError("sex must be 1 or 2")
    if not 1 <= month <= 12:
        raise InvalidValueError("month must be 1–12")
    if not 1 <= order <= 999:
        raise InvalidValueError("order must be 1–999")
    department = department.upper()
    if not re.fullmatch(r"\d{2}|2[AB]", department):
        raise InvalidValueError(f"department {department!r} must be 2 digits, 2A or 2B")
    if not re.fullmatch(r"\d{3}", commune):
        raise InvalidValueError(f"commune {commune!r} must be 3 digits")
    nir = f"{sex}{year % 100:02d}{month:02d}{department}{commune}{order:03d}"
    return nir, f"{nir_key(nir):02d}"
