"""The caisses' directory: every CPAM, CGSS, the CSSM and the MSA, from ``data/caisses.toml``.

The table (codes, names, aliases, seats, mail domains, calendars) is package data with its
sources named at its top. A caisse is identified by its code: the 3-digit caisse number for
the régime général ("331", "974"), régime and number for the MSA ("02221"), since the MSA
numbers overlap the CPAMs'.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from cpambot.understanding.classify.text.normalize import normalize


@dataclass(frozen=True)
class CaisseInfo:
    code: str | None  # the key used in readings and cases; None when not sourced
    kind: str  # cpam, cgss, cssm, msa, cps
    name: str
    aliases: tuple[str, ...]
    departements: tuple[str, ...]
    city: str | None
    domains: tuple[str, ...]
    calendar: str  # metropole, alsace-moselle, guadeloupe, martinique, guyane, reunion, mayotte
    legacy_codes: tuple[str, ...] = ()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(text)).strip("-")


@cache
def caisses() -> tuple[CaisseInfo, ...]:
    data = tomllib.loads(resources.files("cpambot.understanding").joinpath("data/caisses.toml")
                         .read_text(encoding="utf-8"))
    out = []
    for item in data["caisse"]:
        number = item.get("code")
        code = (item["regime"] + number if item.get("regime") == "02" else number) if number else None
        out.append(CaisseInfo(code=code, kind=item["kind"], name=item["name"],
                              aliases=tuple(item.get("aliases", ())),
                              departements=tuple(item.get("departements", ())),
                              city=item.get("city"), domains=tuple(d for d in item.get("domains", ())
                                                                   if d != "assurance-maladie.fr"),
                              calendar=item.get("calendar", "metropole"),
                              legacy_codes=tuple(item.get("legacy_codes", ()))))
    return tuple(out)


@cache
def by_code() -> dict[str, CaisseInfo]:
    table: dict[str, CaisseInfo] = {}
    for info in caisses():
        if info.code:
            table.setdefault(info.code, info)
    for info in caisses():
        for legacy in info.legacy_codes:
            table.setdefault(legacy if info.kind != "msa" else "02" + legacy, info)
    return table


_PREFIX = re.compile(r"^(?:cpam|cgss|cssm|msa|caisse generale de securite sociale|caisse de securite sociale)"
                     r"(?: de la| de l'| de l| du| des| de| d'| d)?\s+", re.IGNORECASE)


@cache
def _names() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every way a caisse is named (longest names first), and name → code."""
    names: dict[str, str] = {}
    for info in caisses():
        if not info.code:
            continue
        place = slug(_PREFIX.sub("", normalize(info.name)))
        spellings = [info.name, *info.aliases]
        if place:
            spellings += [f"{info.kind} {place}"]
            if info.kind == "cpam":
                # the échelon local du service médical (ELSM) works beside the CPAM of its area
                spellings += [f"caisse primaire d'assurance maladie {place}", f"assurance maladie {place}",
                              f"elsm {place}", f"echelon local du service medical {place}"]
            if info.kind == "cgss":
                spellings += [f"caisse generale de securite sociale {place}"]
        if info.city and info.kind == "cpam" and len(info.departements) == 1:
            spellings += [f"cpam {info.city}"]
        for spelling in spellings:
            key = _key(spelling)
            if len(key) > 5 and not re.fullmatch(r"(?:cpam|cgss|msa)-\d{2}", key):
                names.setdefault(key, info.code)
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(" + "|".join(re.escape(k) for k in ordered) + r")(?![a-z0-9])")
    return pattern, names


# Every name of the table starts with one of these words: the long pattern is tried only there
_STARTS = re.compile(r"(?:^|-)(?=cpam|cgss|cssm|css|msa|caisse|assurance-maladie|mutualite|elsm|echelon)")


def _key(text: str) -> str:
    return re.sub(r"-(?:de-la|de-l|du|des|de|d|en|la|l)(?=-)", "", "-" + slug(text)).strip("-")


def code_in(text: str) -> str | None:
    """The code of the caisse ``text`` names first ("CPAM de la Gironde", "cpam-gironde", "CGSS
    Martinique", "MSA d'Armorique", "CPAM 331"), or None."""
    key = _key(text)
    if not re.search(r"cpam|cgss|cssm|msa|caisse|assurance-maladie|elsm|echelon-local", key):
        return None
    pattern, names = _names()
    found = next((m for start in _STARTS.finditer(key) if (m := pattern.match(key, start.end()))), None)
    number = re.search(r"(?:^|-)(?:cpam|cgss)-(\d{3})(?![0-9])", key)
    if number and number.group(1) in by_code() and (found is None or number.start() < found.start()):
        return by_code()[number.group(1)].code  # an absorbed caisse's number names its successor
    if found is None and (dept := re.search(r"(?:^|-)cpam-(\d{2}|2a|2b)(?![0-9a-z])", key)):
        return _sole_cpam().get(dept.group(1).upper())  # "CPAM 95": the département's only CPAM
    return names[found.group(1)] if found else None


@lru_cache(maxsize=1)
def _sole_cpam() -> dict[str, str]:
    """Département → the code of its CPAM, for the départements that have exactly one."""
    cpams: dict[str, list[str]] = {}
    for info in caisses():
        if info.kind == "cpam" and info.code:
            for dept in info.departements:
                cpams.setdefault(str(dept).upper(), []).append(info.code)
    return {dept: codes[0] for dept, codes in cpams.items() if len(codes) == 1}


@lru_cache(maxsize=1024)
def code_of_domain(domain: str) -> str | None:
    """The caisse a mail domain belongs to (``cgss-martinique.fr``, ``armorique.msa.fr``), or None."""
    domain = domain.lower().rstrip(".")
    for info in caisses():
        if info.code and any(domain == d or domain.endswith("." + d) for d in info.domains):
            return info.code
    return None


def calendar_of(code: str | None) -> str:
    info = by_code().get(code or "")
    return info.calendar if info else "metropole"
