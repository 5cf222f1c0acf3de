"""Pure text helpers for the classifiers: French amounts and dates, numbers, keywords, tables.

Every parser returns ``None`` (or nothing) when unsure: a wrong invoice number or
amount costs the professional money, a missing one only sends the message to a human.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache, wraps
from typing import TypeVar

from cpambot.mailbox.senders import domain_matches
from cpambot.understanding.message import ParsedMessage

R = TypeVar("R")

# --------------------------------------------------------------------------- normalize

_FOLD = {"’": "'", "‘": "'", "´": "'", "`": "'", "–": "-", "—": "-", "−": "-", "‑": "-", "œ": "oe",
         "Œ": "oe", "æ": "ae", "°": "o", "º": "o", "«": '"', "»": '"', "“": '"', "”": '"'}
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")


@lru_cache(maxsize=512)
def normalize(text: str, keep_lines: bool = False) -> str:
    """Lower case, accents folded, whitespace collapsed (newlines kept with ``keep_lines``)."""
    text = text.lower()
    if not text.isascii():
        text = _FOLD_RE.sub(lambda m: _FOLD[m.group()], text)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    if keep_lines:
        text = re.sub(r"[^\S\n]+", " ", text)
        return re.sub(r" ?\n[\s]*", "\n", text).strip()
    return " ".join(text.split())


# --------------------------------------------------------------------------- amounts

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
    r"(?<![\w.,/])(-\s?|−\s?)?([1-9]\d{0,2}(?:(?:[ \u00a0\u202f\u2009]|\r?\n)\d{3})+(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)\s*(?:€|eur\b|euros?\b)",
    re.IGNORECASE)


def iter_amounts(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[Decimal, int, int]]:
    """(amount, start, end) for every amount followed by a currency (€, EUR, euros)."""
    for found in _AMOUNT_RE.finditer(text, start, len(text) if end is None else end):
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


@lru_cache(maxsize=256)
def label_re(label: str) -> re.Pattern[str]:
    """A case-insensitive label regex whose spaces match any whitespace run (lines wrap anywhere)."""
    return re.compile(label.replace(" ?", r"\s?").replace(" ", r"\s+"), re.IGNORECASE)


def amount_after(text: str, label: str, span: int = 80) -> Decimal | None:
    """The first amount within ``span`` characters after the regex ``label`` (case-insensitive)."""
    for found in label_re(label).finditer(text):
        for value, start, _ in iter_amounts(text, found.end(), found.end() + span):
            if start < found.end() + span:
                return value
    return None


# --------------------------------------------------------------------------- dates

_MONTHS = ((r"janv(?:ier|\.)?", 1), (r"f[eé]v(?:rier|r?\.)?", 2), (r"mars", 3), (r"avr(?:il|\.)?", 4),
           (r"mai", 5), (r"juin", 6), (r"juil(?:let|\.)?", 7), (r"ao[uû]t", 8),
           (r"sept(?:embre|\.)?", 9), (r"oct(?:obre|\.)?", 10), (r"nov(?:embre|\.)?", 11),
           (r"d[eé]c(?:embre|\.)?", 12))
_MONTH_RE = "|".join(f"(?:{m})" for m, _ in _MONTHS)
_DAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
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
            if g["s"] == "." and len(g["y"]) == 2:
                continue  # "8.2.10" is a version number, not a date
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


def date_after(text: str, label: str, span: int = 40) -> date | None:
    """The first date starting within ``span`` characters after the regex ``label``."""
    for found in label_re(label).finditer(text):
        for value, start, _ in iter_dates(text[found.end():found.end() + span + 30]):
            if start <= span:
                return value
    return None


def letter_date(text: str) -> date | None:
    """The date of a letter: "Saint-Denis, le 14 avril 2026" at the start of a line."""
    return date_after(text, r"(?m)^[^\n,]{2,60},\s*le\s", span=2)


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


# --------------------------------------------------------------------------- numbers

_REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9/_.\-]{2,40}[A-Z0-9]")


def reference_after(text: str, label: str, span: int = 12) -> str | None:
    """The reference ("CTL-2026-0112", "2026-974-000318") right after the regex ``label``.

    A reference has a digit and no lower-case letter; ``span`` characters (" n° :") may
    separate it from the label.
    """
    for found in label_re(label).finditer(text):
        tail = text[found.end():found.end() + span + 45]
        for ref in _REFERENCE.finditer(tail):
            if ref.start() > span:
                break
            if any(c.isdigit() for c in ref.group()) and not re.fullmatch(r"[\d/.]+", ref.group()):
                return ref.group().rstrip(".")
            if any(c.isdigit() for c in ref.group()):
                break  # a date or an amount, not a reference
    return None


# A 9-digit number after these words (on the same line, with only a name in between) is the
# professional's own number ("N° AM : 974123456", "Professionnel de santé : EXEMPLE (974123456)").
_PS_WORDS = re.compile(r"\b(?:am|ps|adeli|rpps|finess|siret|emetteur|professionnel de sante|identification|"
                       r"compte|tel|telephone|idel|infirmiere?s?(?: liberale?s?)?)\b")
_INVOICE_RE = re.compile(r"(?<![\w/.\-=])\d{9}(?!\w)(?![/.,\-]\d)")  # not in "PS974123456", "?id="


def _is_ps_number(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    before = normalize(text[max(line_start, start - 60):start])
    last = None
    for last in _PS_WORDS.finditer(before):  # noqa: B007 - the last one is wanted
        pass
    if last is None:
        return False
    between = before[last.end():]
    return "factur" not in between and not re.search(r"\d", between)


def invoice_numbers(text: str) -> list[str]:
    """Invoice numbers (9 digits) in ``text``, in order, without the PS's own AM number."""
    out: list[str] = []
    for found in _INVOICE_RE.finditer(text):
        if found.group() not in out and not _is_ps_number(text, found.start()):
            out.append(found.group())
    return out


_LOT_RE = re.compile(r"(?:\bn[°o]\s*de\s*lot|\blots?)\b[ \t]{0,2}(?:n[°o]\.?|num[ée]ro|:)?[ \t]*:?[ \t]*"
                     r"(\d{3}(?!\d)(?:[ \t]*(?:,|et|/)[ \t]*\d{3}(?!\d))*)", re.IGNORECASE)


def lot_numbers(text: str) -> list[str]:
    """Lot numbers (3 digits after "lot", "lot n°", "n° de lot"), in order, without duplicates."""
    out: list[str] = []
    for found in _LOT_RE.finditer(text):
        for lot in re.findall(r"\d{3}", found.group(1)):
            if lot not in out:
                out.append(lot)
    return out


_LABEL_LINE = re.compile(r"^\s*[^\W\d][^:\n]{1,40}?\s?:\s")  # "Date des soins : 20/03/2026"
_MOTIF = re.compile(r"motif[ \t]*(?:d[eu] (?:rejet|refus)[ \t]*)?[:\-–]?[ \t]*(?:(\d{4})\b\s*(?=«|\S))?"
                    r"(?:«\s*([^»]{3,200}?)\s*»|([^\n«]{3,200}))"
                    r"|^[ \t]*(?:anomalie|observation|commentaire)s?[ \t]*:[ \t]*()()([^\n]{3,200})",
                    re.IGNORECASE | re.MULTILINE)


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` continues the record started above it (wrapped line, "Label : value")."""
    s = line.strip()
    if not s or invoice_numbers(s) or s.startswith(("- ", "• ", "* ")) \
            or re.match(r"(?i)(montant )?total", s):
        return False
    if _LABEL_LINE.match(prev) and _LABEL_LINE.match(line):
        return True
    return s[0].islower() or s[0].isdigit() or s[0] in "€(«\"" or prev.rstrip()[-1:] in "–-,:(/"


def invoice_records(text: str) -> Iterator[tuple[list[str], list[str]]]:
    """(invoices, record lines) for each line naming invoices, with its continuation lines."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        numbers = invoice_numbers(lines[i])
        j = i + 1
        if numbers:
            while j < len(lines) and _continues(lines[j - 1], lines[j]):
                j += 1
            yield numbers, lines[i:j]
        i = j


def record_fields(lines: Sequence[str]) -> dict:
    """Lot, care date, amount, motif and reject code found in one invoice record."""
    joined = " ".join(line.strip() for line in lines)
    wrapped = "\n".join(lines)  # amounts keep their line breaks: "75\n236,25 €" is not 75 236,25 €
    lots = lot_numbers(joined)
    amounts = find_amounts(wrapped)
    amount = amounts[0] if len(amounts) == 1 else amount_after(wrapped, r"montant[^\d]{0,40}?", 45)
    out: dict = {"lot": lots[0] if len(lots) == 1 else None, "amount": amount,
                 "date": date_after(joined, r"soins\s*(?:du|le|:)?\s*", span=2),
                 "label": None, "reject_code": None}
    found = _MOTIF.search(wrapped)
    if found:
        out["reject_code"] = found.group(1)
        out["label"] = (found.group(2) or found.group(3) or found.group(6) or "").strip(" –-.;,") or None
    return out


# --------------------------------------------------------------------------- keywords

Keywords = Sequence[tuple[re.Pattern[str], float]]


def keywords(*items: tuple[str, float]) -> tuple[tuple[re.Pattern[str], float], ...]:
    """Compile (phrase, weight) pairs; a space matches any whitespace run (" ?" an optional one).

    Inside a look-behind (fixed width) write a space as ``\\x20``.
    """
    return tuple((re.compile(phrase.replace(" ?", r"\s?").replace(" ", r"\s+")), weight)
                 for phrase, weight in items)


def per_message(function: Callable[[ParsedMessage], R]) -> Callable[[ParsedMessage], R]:
    """Remember ``function``'s result for the last message it saw: every classifier's match()
    then read() ask the same questions about the same message in a row."""
    last: list = [None, None]  # [message, result]

    @wraps(function)
    def wrapper(msg: ParsedMessage) -> R:
        if last[0] is not msg:
            last[1] = function(msg)
            last[0] = msg
        return last[1]

    return wrapper


@per_message
def zones(msg: ParsedMessage) -> tuple[tuple[float, str], ...]:
    """(weight, normalized text) of the subject, the body and the attachments' text."""
    attached = "\n".join(a.text for a in msg.attachments if a.text)
    return ((1.0, normalize(msg.subject or "")), (0.8, normalize(msg.text or "", True)),
            (0.7, normalize(attached, True)))


def mentions(msg: ParsedMessage, words: Sequence[str]) -> bool:
    """Whether the folded subject, body or attachments contain one of ``words`` (a fast pre-filter)."""
    return any(word in text for _, text in zones(msg) for word in words)


def keyword_score(msg: ParsedMessage, patterns: Keywords, needs: Sequence[str] = ()) -> float:
    """Best weight × zone weight of the patterns found; an earlier hit wins a tie.

    ``needs``: words one of which must appear for any pattern to match (skips the regexes).
    """
    best = 0.0
    if needs and not mentions(msg, needs):
        return best
    for factor, text in zones(msg):
        for pattern, weight in patterns:
            found = pattern.search(text)
            if found:
                best = max(best, factor * weight - min(found.start(), 99999) / 1e7)
    return best


def first_hit(text: str, patterns: Keywords) -> int | None:
    """Position of the earliest match of any pattern in ``text``."""
    hits = [m.start() for p, _ in patterns if (m := p.search(text))]
    return min(hits) if hits else None


# --------------------------------------------------------------------------- tables


def split_row(line: str) -> list[str] | None:
    """Cells of a table line ("a | b | c", "a;b;c", tab-separated, or fixed-width columns separated
    by two spaces or more), or None."""
    for sep in ("|", ";", "\t"):
        if line.count(sep) >= 2:
            return [cell.strip() for cell in line.strip().strip("|").split(sep)]
    cells = re.split(r"\s{2,}", line.strip())
    return cells if len(cells) >= 3 else None


def find_tables(text: str) -> Iterator[tuple[list[str], list[list[str]]]]:
    """(header, rows) of each table in ``text``: a run of lines with the header's cell count.

    Blank lines and text-table rules ("----+----") inside a table are skipped.
    """
    header: list[str] | None = None
    rows: list[list[str]] = []
    for line in [*text.splitlines(), "\x00"]:
        if not line.strip() or re.fullmatch(r"\s*[-+=|: ]{3,}\s*", line):
            continue
        cells = split_row(line)
        if header is not None and cells is not None and len(cells) == len(header):
            rows.append(cells)
            continue
        if header is not None and rows:
            yield header, rows
        header, rows = (cells, []) if cells else (None, [])


def column(header: Sequence[str], *names: str) -> int | None:
    """Index of the first header cell whose normalized text matches one of the regexes."""
    for name in names:
        for index, cell in enumerate(header):
            if re.search(name, normalize(cell)):
                return index
    return None


# --------------------------------------------------------------------------- caisse

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
