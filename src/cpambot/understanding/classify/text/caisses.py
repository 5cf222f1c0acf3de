"""Which caisse sent a message: its code ("974", "511") from address, name, subject or body."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cpambot.mailbox.senders import domain_matches
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.message import ParsedMessage

# Single-CPAM départements: caisse code = département + "1". Départements with several
# caisses (Nord, Pas-de-Calais, Seine-Maritime, Pyrénées-Atlantiques) and Corsica are left
# out on purpose: better no code than a wrong one.
_DEPARTEMENTS = """01 ain|02 aisne|03 allier|04 alpes-de-haute-provence|05 hautes-alpes|06 alpes-maritimes|
07 ardeche|08 ardennes|09 ariege|10 aube|11 aude|12 aveyron|13 bouches-du-rhone|14 calvados|15 cantal|
16 charente|17 charente-maritime|18 cher|19 correze|21 cote-d-or|22 cotes-d-armor|23 creuse|24 dordogne|
25 doubs|26 drome|27 eure|28 eure-et-loir|29 finistere|30 gard|31 haute-garonne|32 gers|33 gironde|
34 herault|35 ille-et-vilaine|36 indre|37 indre-et-loire|38 isere|39 jura|40 landes|41 loir-et-cher|
42 loire|43 haute-loire|44 loire-atlantique|45 loiret|46 lot|47 lot-et-garonne|48 lozere|
49 maine-et-loire|50 manche|51 marne|52 haute-marne|53 mayenne|54 meurthe-et-moselle|55 meuse|
56 morbihan|57 moselle|58 nievre|60 oise|61 orne|63 puy-de-dome|65 hautes-pyrenees|
66 pyrenees-orientales|67 bas-rhin|68 haut-rhin|69 rhone|70 haute-saone|71 saone-et-loire|72 sarthe|
73 savoie|74 haute-savoie|75 paris|77 seine-et-marne|78 yvelines|79 deux-sevres|80 somme|81 tarn|
82 tarn-et-garonne|83 var|84 vaucluse|85 vendee|86 vienne|87 haute-vienne|88 vosges|89 yonne|
90 territoire-de-belfort|91 essonne|92 hauts-de-seine|93 seine-saint-denis|94 val-de-marne|95 val-d-oise"""
CPAM_CODES: dict[str, str] = {
    name: num + "1" for num, name in (item.strip().split(" ") for item in _DEPARTEMENTS.split("|"))}
CPAM_CODES.update({"bordeaux": "331", "lyon": "691", "marseille": "131", "toulouse": "311",
                   "strasbourg": "671", "nantes": "441", "reims": "511", "montpellier": "341"})
CGSS_CODES = {"guadeloupe": "971", "martinique": "972", "guyane": "973", "reunion": "974",
              "la-reunion": "974", "mayotte": "976"}
CAISSE_DOMAIN_CODES = {"cgss.re": "974", "cgss-guadeloupe.fr": "971", "cgss-martinique.fr": "972",
                       "cgss-guyane.fr": "973", "cgss-mayotte.fr": "976", "cssm.fr": "976"}
_SLUG_NAMES = sorted(CPAM_CODES, key=len, reverse=True)
_RSS_RE = re.compile(r"^\d{2}(\d{3})@(\d{3})\.\d{2}\.rss\.fr$")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize(text))


def _code_in(text: str) -> str | None:
    """The caisse named in ``text`` ("CPAM de la Marne", "cpam-marne", "CGSS Réunion")."""
    slug = _slug(text)
    for found in re.finditer(r"(?:^|-)(cpam|cgss|caisse-generale-de-securite-sociale)-"
                             r"(?:de-la-|de-l-|du-|des-|de-|d-)?", slug):
        rest = slug[found.end():]
        if found.group(1) != "cpam":
            name = next((n for n in CGSS_CODES if re.match(rf"{n}(?![a-z])", rest)), None)
            if name:
                return CGSS_CODES[name]
            continue
        if (number := re.match(r"(\d{3})(?!\d)", rest)) and (
                1 <= int(number.group(1)[:2]) <= 95 or number.group(1)[:2] == "97"):
            return number.group(1)  # "CPAM 511"
        name = next((n for n in _SLUG_NAMES if re.match(rf"{n}(?![a-z])", rest)), None)
        if name:
            return CPAM_CODES[name]
    if re.search(r"(?:^|-)(?:cssm|caisse-de-securite-sociale-de-mayotte)(?:-|$)", slug):
        return "976"
    return None


def caisse_code(msg: ParsedMessage, caisses: Iterable = ()) -> str | None:
    """Which caisse sent ``msg``: its code ("974", "511") or None when unsure."""
    addr = (msg.from_addr or "").lower()
    domain = addr.rpartition("@")[2]
    if found := _RSS_RE.match(addr):
        return found.group(1)
    for caisse in caisses:
        addresses = {a.lower() for a in getattr(caisse, "addresses", {}).values()}
        if addr and (addr in addresses or domain_matches(domain, getattr(caisse, "domains", ()))):
            return caisse.code
    known = domain_matches(domain, CAISSE_DOMAIN_CODES)
    if known:
        return CAISSE_DOMAIN_CODES[known]
    for text in (addr, msg.from_name or "", msg.subject or "", msg.text or ""):
        code = _code_in(text)
        if code:
            return code
    return None
