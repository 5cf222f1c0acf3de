"""Reject codes → family and advice, from the data file ``data/reject_codes.toml``."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class RejectInfo:
    code: str | None
    family: str
    family_label: str
    label: str
    advice: str
    resend: bool | None  # may the invoice be sent again once corrected? None when unknown


@lru_cache(maxsize=1)
def _table() -> dict:
    text = (resources.files("cpambot.cases") / "data" / "reject_codes.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def family_from_label(label: str) -> str:
    folded = _fold(label)
    for family, words in _table()["keywords"].items():
        if any(word in folded for word in words):
            return family
    return "autre"


def lookup(code: str | None, label: str | None = None) -> RejectInfo:
    """What a reject code means; unknown codes are classified by their libellé's keywords."""
    table = _table()
    entry = table["codes"].get((code or "").strip()[:4])
    if entry:
        family = entry["family"]
        return RejectInfo(code, family, table["families"][family], entry["label"], entry["advice"],
                          entry.get("resend"))
    family = family_from_label(label or "")
    return RejectInfo(code, family, table["families"][family], (label or "").strip(),
                      table["advice_by_family"][family], False if family == "doublon" else None)
