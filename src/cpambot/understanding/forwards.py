"""Forwarded messages quoted inline: the original's sender, date and subject, whatever the mail client.

Every client writes its own header block above the forwarded text:

- Gmail FR mixes languages (``---------- Forwarded message ---------`` / ``De :`` / ``Date:``
  / ``Subject:``), Gmail EN, Yahoo (``----- Forwarded Message -----``);
- Outlook desktop puts a rule of underscores then ``De : / Envoyé : / À : / Objet :`` (or
  ``From: / Sent: / To: / Subject:``), Outlook on the web sometimes no rule at all and no
  space before the colon, Outlook mobile the same after "Obtenir Outlook pour iOS";
- Apple Mail (``Début du message réexpédié :`` / ``Begin forwarded message:``), Thunderbird
  (``-------- Message transféré --------`` with ``Sujet / Date / De / Pour``), Zimbra
  (``----- Mail transféré -----``, ``----- Mail original -----``), Orange/Open-Xchange
  (``> Message du 13/10/26 09:12`` then ``> De : …``), replies quoted with ``>``.

A header block is found from its labels, not from a marker line: a "from" line followed
(within a few lines) by a date or subject line. The date is read in French or English.
Pure functions over text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import getaddresses, parsedate_to_datetime

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.inline import inline_answers

# Label (folded: lower case, no accents) → role
_LABELS = {
    "de": "from", "from": "from", "expediteur": "from", "exp": "from",
    "date": "date", "envoye": "date", "envoye le": "date", "sent": "date", "date d'envoi": "date",
    "objet": "subject", "sujet": "subject", "subject": "subject",
    "a": "to", "pour": "to", "to": "to", "destinataire": "to", "destinataires": "to",
    "cc": "cc", "copie a": "cc", "copie": "cc", "repondre a": "reply_to", "reply-to": "reply_to",
    # a client set in another language (Thunderbird, Outlook): German, Italian, Spanish, Portuguese, Dutch
    "von": "from", "da": "from", "van": "from", "mittente": "from", "remitente": "from", "remetente": "from",
    "datum": "date", "data": "date", "fecha": "date",
    "gesendet": "date", "inviato": "date", "enviado": "date", "verzonden": "date",
    "betreff": "subject", "oggetto": "subject", "asunto": "subject", "assunto": "subject",
    "onderwerp": "subject", "an": "to", "para": "to", "aan": "to", "destinatario": "to", "kopie": "cc",
}
_LABEL_LINE = re.compile(r"^\s*\**\s*([A-Za-zÀ-ÿ' -]{1,20}?)\s*\**[\s\u00a0\u202f]*:\s*\**\s?(.*)$")
# "Le mer. 4 nov. 2026 à 13:20, CPAM <x@…> a écrit :", "On Wed, Nov 4, 2026 at 1:20 PM CPAM <x@…> wrote:"
_ATTRIBUTION = re.compile(r"^\s*(?:le|on)\s+(.{6,60}?\d{4}(?:,?\s*(?:à|a|at)?\s*\d{1,2}[:h]\d{2}(?::\d{2})?"
                          r"(?:\s*[AP]M)?(?:\s*(?:UTC|GMT)?\s*[+-]\d{1,4})?)?),?\s+"
                          r"((?:\"[^\"]{0,80}\"\s*|[^,]{0,80}?)<[^<>\s]+@[^<>\s]+>|[^\s<>,]+@[^\s<>,]+)"
                          r"\s+(?:a [ée]crit|wrote)\s*:\s*$",
                          re.IGNORECASE)
# "Le 26/10/2026 à 21:03, Marie Exemple a écrit :": a name without its address (the quoted sender stays
# unknown)
_ATTRIBUTION_NAME = re.compile(r"^\s*(?:le|on)\s+(.{6,60}?\d{4}(?:,?\s*(?:à|a|at)?\s*\d{1,2}[:h]\d{2})?),?"
                               r"\s+"
                               r"([^\s<>@,:][^<>@:]{1,60}?)\s+(?:a [ée]crit|wrote)\s*:\s*$", re.IGNORECASE)
_CAISSE_NAMED = re.compile(r"(?i)\b(?:cpam|cgss|msa|caisse|assurance maladie|css)\b")
_MESSAGE_OF = re.compile(r"^\s*message du\s+(.+?)\s*$", re.IGNORECASE)  # Orange webmail
_QUOTE = re.compile(r"^(?:\s*>)+ ?")

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1, "fevrier": 2, "fevr": 2, "fev": 2, "feb": 2,
    "february": 2, "mars": 3, "mar": 3, "march": 3, "avril": 4, "avr": 4, "apr": 4, "april": 4,
    "mai": 5, "may": 5, "juin": 6, "jun": 6, "june": 6, "juillet": 7, "juil": 7, "jul": 7, "july": 7,
    "aout": 8, "aug": 8, "august": 8, "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10, "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DMY_WORDS = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+({_MONTH_WORD})\.?,?\s+(\d{{4}})")
_MDY_WORDS = re.compile(rf"\b({_MONTH_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b(\d{1,2})[:h](\d{2})(?::\d{2})?\s*(am|pm)?", re.IGNORECASE)
_OFFSET = re.compile(r"(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.IGNORECASE)


@dataclass(frozen=True)
class ForwardHeader:
    """One forwarded message's header block and the text after it."""

    from_name: str
    from_addr: str
    date: datetime | None
    subject: str
    to: str
    body: str
    depth: int  # 0 for the first (outermost) block of the text


def parse_header_date(value: str, *, tz: timezone | None = None) -> datetime | None:
    """A forwarded header's date in any client's wording, French or English; None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
        if parsed is not None and 1900 < parsed.year < 2200:
            return parsed
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    folded = normalize(value)
    day = month = year = None
    if found := _DMY_WORDS.search(folded):
        day, month, year = int(found.group(1)), _MONTHS[found.group(2)], int(found.group(3))
    elif found := _MDY_WORDS.search(folded):
        day, month, year = int(found.group(2)), _MONTHS[found.group(1)], int(found.group(3))
    elif found := _ISO.search(folded):
        year, month, day = int(found.group(1)), int(found.group(2)), int(found.group(3))
    elif found := _NUMERIC.search(folded):
        day, month, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
        year += 2000 if year < 100 else 0
    if found is None or day is None or month is None or year is None:
        return None
    rest = folded[found.end():]
    hour = minute = 0
    if clock := _TIME.search(rest):
        hour, minute = int(clock.group(1)), int(clock.group(2))
        suffix = (clock.group(3) or "").lower()
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
    zone = tz
    if offset := _OFFSET.search(rest):
        sign = -1 if offset.group(1) == "-" else 1
        zone = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0)))
    try:
        return datetime(year, month, day, hour % 24, minute % 60, tzinfo=zone)
    except ValueError:
        return None


def _label(line: str) -> tuple[str, str] | None:
    found = _LABEL_LINE.match(line)
    if not found:
        return None
    role = _LABELS.get(normalize(found.group(1)).strip(" *"))
    return (role, found.group(2).strip().strip("*").strip()) if role else None


def _unquote(lines: list[str]) -> list[str]:
    return [_QUOTE.sub("", line) for line in lines]


# a webmail that glues the forwarded header block on one line ("----- Message transféré ----- De : CPAM …
# <x@…>À : … Envoyé : jeudi 19 novembre 2026 à 13:44:09 UTC+4Objet : Mise en demeure …")
_GLUED_SEPARATOR = re.compile(r"(?i)-{3,}\s*(?:message transf[ée]r[ée]|forwarded message|message d['’]origine"
                              r"|original message)\s*-{3,}")
_GLUED_LABEL = re.compile(r"(?<=\S)\s*(?=(?:De|À|A|Envoyé|Date|Objet|Sujet|Cc|From|To|Sent|Subject)\s?:\s)")


# eM Client's block, its labels without colons, right under its separator ("De "CPAM du Hainaut" <…>",
# "Date 03/11/2026 16:22:10", "Objet Rejet de votre lot n° 312")
_BARE_LABEL = re.compile(r"^\s*(De|À|A|Date|Objet|Sujet|Cc|Envoyé|From|To|Sent|Subject)[ \t\u00a0]+(?!:)"
                         r"(\S.*)$")


def _unglued_from(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines with glued header blocks cut, and for each the index of the line it comes from."""
    out: list[str] = []
    origin: list[int] = []
    bare = False  # (lines under a separator: a block without colons may follow)
    for index, line in enumerate(lines):
        found = _GLUED_SEPARATOR.search(line)
        before = len(out)
        if bare and (label := _BARE_LABEL.match(line)):
            out.append(f"{label.group(1)} : {label.group(2)}")
            origin.append(index)
            continue
        bare = found is not None and not line[found.end():].strip()
        if found is None or not line[found.end():].strip():
            out.append(line)
        else:
            out += [line[:found.end()], *_GLUED_LABEL.split(line[found.end():].strip())]
        origin += [index] * (len(out) - before)
    return out, origin


def _raw_body(raw: list[str], origin: list[int], start: int, fallback: str) -> str:
    """A block's body from the lines as written, its header's own quote marks taken off and the deeper
    ones kept (answers written between her quoted lines stay told apart from them)."""
    if start <= 0 or start >= len(origin) or origin[start] == origin[start - 1]:
        return fallback
    body = raw[origin[start]:]
    if not any(_QUOTE.match(line) for line in body):
        return fallback

    def depth_of(line: str) -> int:
        return found.group().count(">") if (found := _QUOTE.match(line)) else 0

    # (the forwarder's signature under the quoted original, "-- / Envoyé de mon appareil Android avec K-9
    # Mail", is not the original's)
    last = max(i for i, line in enumerate(body) if _QUOTE.match(line))
    tail = [line for line in body[last + 1:] if line.strip()]
    if tail and (tail[0].rstrip() == "--" or len(tail) <= 3) \
            and sum(1 for line in body[:last + 1] if _QUOTE.match(line) and line.strip(" >")) >= 5:
        body = body[:last + 1]
    # (a body quoted whole, under a header that is not, is the original itself: its own marks go too)
    depth = max(depth_of(raw[origin[start - 1]]), min(depth_of(line) for line in body if line.strip()))
    level = re.compile(rf"^(?:\s*>){{0,{depth}}} ?") if depth else None
    return "\n".join(level.sub("", line, count=1) if level else line for line in body).strip()


def header_blocks(text: str, *, tz: timezone | None = None) -> list[ForwardHeader]:
    """Every forwarded (or quoted) header block of ``text``, outermost first."""
    raw = text.replace("\r\n", "\n").split("\n")
    lines, origin = _unglued_from(_unquote(raw))
    blocks: list[ForwardHeader] = []
    i = 0
    while i < len(lines):
        attribution = _ATTRIBUTION.match(lines[i])
        if attribution is None and (named := _ATTRIBUTION_NAME.match(lines[i])) is not None \
                and any(_QUOTE.match(line) for line in raw[i + 1:i + 4]) \
                and (inline_answers("\n".join(raw[i + 1:]))  # (answers written under her questions)
                     or _CAISSE_NAMED.search(named.group(2))):  # ("…, Relations PS - CGSS Réunion a écrit :")
            blocks.append(ForwardHeader(from_name=named.group(2).strip().strip('"'), from_addr="",
                                        date=parse_header_date(named.group(1).rstrip(","), tz=tz), subject="",
                                        to="", body="\n".join(lines[i + 1:]).strip(), depth=len(blocks)))
            i += 1
            continue
        if attribution is not None and "@" in attribution.group(2):
            # "Le mar. 4 nov. 2026 à 10:02, CPAM <x@assurance-maladie.fr> a écrit :" (a reply quoting)
            pairs = getaddresses([attribution.group(2)])
            name, addr = pairs[0] if pairs else ("", "")
            blocks.append(ForwardHeader(from_name=name.strip().strip('"'), from_addr=addr.strip().lower(),
                                        date=parse_header_date(attribution.group(1).rstrip(","), tz=tz),
                                        subject="",
                                        to="", body="\n".join(lines[i + 1:]).strip(), depth=len(blocks)))
            i += 1
            continue
        if _label(lines[i]) is None:
            i += 1
            continue
        fields: dict[str, str] = {}
        j = i
        last_role = None
        while j < len(lines):
            got = _label(lines[j])
            if got is not None:
                role, value = got
                if role in fields and role == last_role:
                    break
                fields.setdefault(role, value)
                last_role = role
            elif not lines[j].strip():
                ahead = next((k for k in range(j + 1, min(j + 3, len(lines))) if lines[k].strip()), None)
                following = _label(lines[ahead]) if ahead is not None else None
                if following is None or following[0] in fields:  # blank lines between labels (webmails)
                    if len(fields) >= 2:
                        break
            elif last_role in ("to", "cc", "from") and j - i < 12:
                if last_role == "from" and "@" not in fields["from"]:  # "De : Name\n<address>" (wrapped)
                    fields["from"] += " " + lines[j].strip()
            else:
                break
            j += 1
        if "from" not in fields or not ({"date", "subject"} & set(fields)) or len(fields) < 3:
            i += 1
            continue
        date_text = fields.get("date")
        if date_text is None and i > 0:
            for back in range(i - 1, max(-1, i - 3), -1):  # "Message du 13/10/26 09:12" (Orange)
                if found := _MESSAGE_OF.match(lines[back]):
                    date_text = found.group(1)
                    break
        pairs = getaddresses([fields["from"].replace("[mailto:", "<").replace("]", ">")])
        name, addr = pairs[0] if pairs else ("", "")
        if "@" not in addr:
            found_addr = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", fields["from"])
            addr = found_addr.group(0) if found_addr else ""
            name = name if "@" not in name else ""
        body = _raw_body(raw, origin, j, "\n".join(lines[j:]).strip())
        blocks.append(ForwardHeader(from_name=name.strip().strip('"'), from_addr=addr.strip().lower(),
                                    date=parse_header_date(date_text or "", tz=tz),
                                    subject=fields.get("subject", ""), to=fields.get("to", ""),
                                    body=body, depth=len(blocks)))
        i = j
    return blocks

