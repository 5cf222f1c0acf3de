"""Paper letters: what in a message is an image to read (a photo, a scan), the day she says the letter
reached her, and the reading of the letter once its text is known. Pure: the text of each image is
given (the shell reads it with Tesseract: service/ocr.py), keyed by the image's fingerprint.

Two ways a paper letter comes:

* the professional sends the bot a photo or a scan of a letter that came by post, perhaps saying when
  it arrived (« reçu le 12/11 », « arrivé hier »): the letter is read as the caisse's, its deadlines
  run from the day she names (:func:`receipt_said`), or from the letter's date until she names one;
* a caisse's e-mail carries its letter as a PDF without a text layer (a scan): the scan's text takes
  the place of the missing text layer and the message is read as usual.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cpambot.understanding.classify.text.dates import letter_date as dated_on
from cpambot.understanding.facts import MessageKind, Reading
from cpambot.understanding.message import Attachment, ParsedMessage

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".heic", ".heif", ".webp", ".bmp", ".gif")
MIN_PHOTO_BYTES = 12_000  # below: a logo, a signature's picture, an icon — not a page
MIN_WORDS = 25  # an image whose text has fewer words holds no letter the bot can read
SCANNED = "sans texte"  # (in the problem documents.pdf_text gives a PDF without a text layer)
OCR_NOTE = ("courrier lu sur une photo ou un scan (reconnaissance de caractères) : vérifiez sur l'original "
            "le montant, la référence et les dates")


def fingerprint(payload: bytes) -> str:
    """The key of an image's text: the same photo sent twice is read once."""
    return hashlib.sha256(payload).hexdigest()


def is_image(item: Attachment) -> bool:
    return item.content_type.startswith("image/") or item.filename.lower().endswith(IMAGE_EXTENSIONS)


def is_scan(item: Attachment) -> bool:
    """A PDF without a text layer."""
    return item.text is None and bool(item.problem) and SCANNED in (item.problem or "")


def words(text: str) -> int:
    return len(re.findall(r"\w{2,}", text))


def ocr_targets(msg: ParsedMessage, trust: str) -> list[Attachment]:
    """The attachments whose text must come from OCR, in the message's order: every scan; and the
    photos of her own message (not its logos), or of a caisse's whose body says next to nothing (a
    letter sent as a picture). A forwarded message's are looked at too."""
    if trust not in ("approver", "owner", "caisse", "amc"):
        return []  # (a stranger's images are not read: nothing of theirs is acted on)
    found: list[Attachment] = []
    for part in (msg, msg.forwarded) if msg.forwarded is not None else (msg,):
        photos_count = trust in ("approver", "owner") and part is msg or words(part.text) < MIN_WORDS
        for item in part.attachments:
            if is_scan(item) or photos_count and is_image(item) and len(item.payload) >= MIN_PHOTO_BYTES:
                found.append(item)
    return found


def with_texts(msg: ParsedMessage, texts: Mapping[str, str]) -> ParsedMessage:
    """``msg`` whose scans and photos have the text OCR gave them (``texts``: by fingerprint)."""
    def read(item: Attachment) -> Attachment:
        text = texts.get(fingerprint(item.payload)) if item.payload else None
        if text is None or item.text is not None and not is_scan(item):
            return item
        return replace(item, text=text, problem=None)
    forwarded = with_texts(msg.forwarded, texts) if msg.forwarded is not None else None
    return replace(msg, attachments=tuple(read(a) for a in msg.attachments), forwarded=forwarded)


# --------------------------------------------------------------------------- the day she received it

_MONTHS = {"janv": 1, "janvier": 1, "fevr": 2, "fev": 2, "fevrier": 2, "mars": 3, "avr": 4, "avril": 4,
           "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "aout": 8, "sept": 9, "septembre": 9, "oct": 10,
           "octobre": 10, "nov": 11, "novembre": 11, "dec": 12, "decembre": 12}
_WEEKDAYS = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
_RECEIVED = re.compile(
    r"\b(?:re[cç]u[es]?|arriv[ée]e?s?|r[ée]ceptionn[ée]e?s?|distribu[ée]e?s?|(?:l|j)'ai eue?|"
    r"eue? (?:ce|le|hier)|a\.?r\.? sign[ée]|accus[ée] de r[ée]ception sign[ée]|sign[ée] l'a\.?r|"
    r"dans (?:ma|la) bo[iî]te)\b",
    re.IGNORECASE)
_DAY = re.compile(
    r"\b(?:(?P<rel>avant[- ]hier|hier|aujourd'hui|ce (?:matin|midi|soir|jour)|cet apr[èe]s[- ]midi|"
    r"tout à l'heure)"
    r"|(?:(?:le|du|ce) )?(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.? ?)?"
    r"(?P<d>\d{1,2})(?:er)?(?:[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?"
    r"| (?P<month>janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|"
    r"sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?)\.?(?: (?P<year>\d{4}))?)"
    r"|le (?P<donly>\d{1,2})(?:er)?(?![\d/.,-]|[eè]m?e?\b| \w+ \d))",  # (« que le 9 »: this month;
    re.IGNORECASE)  # never « le 2e courrier »)
# words that place the receipt vaguely (« reçu la semaine dernière », « reçu fin novembre », « reçu pendant
# mon absence »): no day is then taken from anywhere else in the sentence
_VAGUE = re.compile(r"\b(?:en (?:janv|f[ée]v|mars|avr|mai|juin|juil|ao[uû]t|sept|oct|nov|d[ée]c)\w*|fin|"
                    r"d[ée]but|mi-|il y a|semaine|pendant|depuis|avant|apr[èe]s|entre|vers|autour|veille|"
                    r"jours?|mois|r[ée]cemment|ou)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;:!?()]|\s(?:mais|et|donc|car)\s", re.IGNORECASE)
# what may stand between a day said first and the verb: « Le 13/11 j'ai reçu », « Ce matin, reçu »
_BEFORE_VERB = re.compile(r"^[\s,]*(?:(?:j'|je l'|je les |on l'|nous l'|il m'|elle m')(?:ai|a|avons|est|été)"
                          r"(?: été)?\s*)?$", re.IGNORECASE)
_WEEKDAY_ALONE = re.compile(r"\b(?:(?:ce|le) )?(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
                            r"(?: dernier)?\b(?! \d)", re.IGNORECASE)
_LETTER_DATE_BEFORE = re.compile(r"(?:\bdu|dat[ée]e? du|dat[ée]e?|en date du|courrier du|lettre du)\s*$",
                                 re.IGNORECASE)
WINDOW = 45  # characters between the verb and the day it names


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _day_of(found: re.Match[str], sent: date) -> date | None:
    """The day ``found`` names, counted back from ``sent``; None when it cannot be (a day just after her
    message is a slip, never last year's or last month's)."""
    rel = found.group("rel")
    if rel:
        rel = _fold(rel)
        back = 2 if rel.startswith("avant") else 1 if rel == "hier" else 0
        return sent - timedelta(days=back)
    if found.group("donly"):
        day = int(found.group("donly"))
        month = sent.month if day <= sent.day else sent.month - 1 or 12
        try:
            when = date(sent.year - (month > sent.month), month, day)
        except ValueError:
            return None
        return when if (sent - when).days <= 20 or day <= sent.day else None
    if found.group("d") is None:
        return None
    day = int(found.group("d"))
    if found.group("m"):
        month, year_text = int(found.group("m")), found.group("y")
    else:
        month, year_text = _MONTHS.get(_fold(found.group("month")).rstrip("."), 0), found.group("year")
    year = (int(year_text) + 2000 if len(year_text) == 2 else int(year_text)) if year_text else None
    for candidate in ((year,) if year else (sent.year, sent.year - 1)):
        try:
            when = date(candidate, month, day)
        except ValueError:
            return None
        if when <= sent:
            return when
        if (when - sent).days <= 31:
            return None  # (« reçu le 18/11 » on the 17th: a slip, or her clock; asked, not last year's)
    return None


def _weekday(name: str, sent: date) -> date:
    """The last such weekday before ``sent`` (« vendredi » written on a Tuesday: the Friday before)."""
    back = (sent.weekday() - _WEEKDAYS[_fold(name)]) % 7 or 7
    return sent - timedelta(days=back)


def _days_in(text: str, sentence: str, offset: int, sent: date) -> list[tuple[int, int, date]]:
    """The days ``text`` (at ``offset`` in ``sentence``) names, with where they start and end; never the
    letter's own date (« courrier du 12/11 »)."""
    days: list[tuple[int, int, date]] = []
    for found in _DAY.finditer(text):
        if found.group(0).lower().startswith("du ") \
                or _LETTER_DATE_BEFORE.search(sentence[:offset + found.start()]):
            continue
        day = _day_of(found, sent)
        if day is not None:
            days.append((found.start(), found.end(), day))
    for found in _WEEKDAY_ALONE.finditer(text):
        if not _LETTER_DATE_BEFORE.search(sentence[:offset + found.start()]):
            days.append((found.start(), found.end(), _weekday(found.group(1), sent)))
    return sorted(days)


def _days_near(sentence: str, start: int, end: int, sent: date) -> list[date]:
    """The day named in the verb's own clause: just after it (« reçu le 12/11 », « arrivé hier »), or
    just before it (« Le 13/11 j'ai reçu », « Ce matin, reçu »); none when the clause places the receipt
    vaguely (« reçu la semaine dernière ») or names no day."""
    after = sentence[end:end + WINDOW]
    cut = _CLAUSE_END.search(after)
    after = after[:cut.start()] if cut else after
    days = _days_in(after, sentence, end, sent)
    vague = _VAGUE.search(after)
    if vague is not None and (not days or vague.start() < days[0][0]):
        return []
    if days:
        return [days[0][2]]
    before = sentence[:start]
    earlier = _days_in(before, sentence, 0, sent)
    if earlier and _BEFORE_VERB.match(before[earlier[-1][1]:]):
        return [earlier[-1][2]]
    return []


def receipt_said(text: str, sent: date) -> date | None:
    """The day she says the letter reached her (« reçu le 12/11 », « arrivé hier », « AR signé le 3
    décembre », « je l'ai eu vendredi »), counted from ``sent`` (her message's day); None when she does
    not say, or names a day that cannot be (after her message)."""
    found: list[date] = []
    text = (text or "").replace("\u2019", "'").replace("\u00a0", " ")
    for sentence in re.split(r"(?<=[.!?;\n])\s+", text):
        for verb in _RECEIVED.finditer(sentence):
            found += _days_near(sentence, verb.start(), verb.end(), sent)
    days = [d for d in dict.fromkeys(found) if d <= sent and (sent - d).days <= 366]
    return days[0] if len(days) == 1 else None


# --------------------------------------------------------------------------- the letter's reading

# A paper letter has no sender's address: its letterhead must name an organism of the Assurance Maladie
# (a retirement fund's or the URSSAF's mise en demeure has the same words, and none of its deadlines)
_ORGANISM = re.compile(r"\b(?:assurance maladie|cpam|caisse primaire|cgss|caisse generale de securite "
                       r"sociale|msa|mutualite sociale agricole|cssm|securite sociale de mayotte|ameli)\b")


def paper_reading(letter: Reading, *, trust: str, sender: str, own_text: str, sent: date | None,
                  text: str, unread: Sequence[str] = ()) -> Reading:
    """What the bot understands of a paper letter she sent as a photo or a scan: ``letter`` is the
    reading of the images' ``text`` as a caisse's letter, ``unread`` why an image could not be read. The
    letter's kind and facts, her trust, the day she names."""
    found = words(text)
    receipt = receipt_said(own_text, sent) if sent is not None else None
    letter_date = letter.fields.get("letter_date")
    if not isinstance(letter_date, date):  # no date found on the letter: its facts are not dated by her
        letter_date = None  # message (the reader's last resort), the day of receipt decides
        letter = replace(letter, facts=tuple(replace(f, date=None) if f.date == sent else f
                                             for f in letter.facts))
    fields: dict[str, Any] = {"from": sender, "forwarded_by": sender, "paper": True,
                              "receipt": receipt.isoformat() if receipt else None}
    stranger = letter.caisse is None and not _ORGANISM.search(_fold(text))
    if found < MIN_WORDS or letter.kind in (MessageKind.UNKNOWN, MessageKind.PHISHING) or stranger:
        why = ("; ".join(unread) if unread and found < MIN_WORDS
               else "photo ou scan sans texte lisible" if found < MIN_WORDS
               else "courrier papier d'un organisme qui n'est pas une caisse d'assurance maladie connue"
               if stranger and letter.kind not in (MessageKind.UNKNOWN, MessageKind.PHISHING)
               else "courrier papier non reconnu")
        fields["sent_on"] = sent.isoformat() if sent else None
        fields["letter_date"] = dated_on(text)  # (shown to her with the letter to read)
        return Reading(MessageKind.UNKNOWN, trust, fields=fields, needs_review=f"{why} : à lire")
    fields.update({k: v for k, v in letter.fields.items() if k not in ("from", "subject", "date", "sent_on")})
    problems = [*letter.problems, OCR_NOTE]
    day = letter_date or sent
    fields["sent_on"] = day.isoformat() if day else None
    if letter_date is not None:
        fields["letter_date"] = letter_date
    if receipt is not None and isinstance(letter_date, date) and receipt < letter_date:
        problems.append(f"reçu le {receipt:%d/%m/%Y} selon votre message, avant la date du courrier "
                        f"({letter_date:%d/%m/%Y}) : date de réception à préciser")
        fields["receipt"] = None
    doubtful = unwritten_amounts(letter, text)
    if doubtful:  # (« 8137455€ » for « 1 374,55 € »: a misread figure is never acted on)
        return replace(letter, trust=trust, fields=fields, problems=tuple(problems),
                       needs_review=f"montant lu sur la photo incertain ({', '.join(doubtful)}) : à vérifier")
    return replace(letter, trust=trust, fields=fields, problems=tuple(problems))


def dated_by_letter(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A caisse e-mail's fields, its ``sent_on`` the date of the scanned letter it carries when that letter
    is dated a few days before the e-mail (the letter was written, then scanned and sent)."""
    out = dict(fields)
    letter, sent = out.get("letter_date"), out.get("sent_on")
    try:
        sent_day = date.fromisoformat(str(sent)) if sent else None
    except ValueError:
        sent_day = None
    if isinstance(letter, date) and sent_day is not None and 0 < (sent_day - letter).days <= 31:
        out["sent_on"] = letter.isoformat()
    return out


def several_letters(texts: Sequence[str]) -> bool:
    """Whether the pages she sent are several letters (each with its own date): read together, their
    amounts, references and dates would be mixed."""
    return len({d for d in (dated_on(t) for t in texts) if d is not None}) > 1


def several_letters_reading(trust: str, sender: str, sent: date | None) -> Reading:
    return Reading(MessageKind.UNKNOWN, trust,
                   fields={"from": sender, "forwarded_by": sender, "paper": True, "receipt": None,
                           "sent_on": sent.isoformat() if sent else None},
                   needs_review="plusieurs courriers papier dans le même message : à lire (envoyez-les "
                                "au robot un par message pour qu'il les lise)")


def unwritten_amounts(reading: Reading, text: str) -> list[str]:
    """The amounts of ``reading``'s facts that ``text`` does not write as money (« 1 374,55 », « 1374.55
    € »): read from figures OCR ran together or broke, they are not to be trusted."""
    flat = re.sub(r"(?<=\d)[ \u00a0\u202f.'](?=\d{3}\b)", "", text)
    out = []
    for fact in reading.facts:
        if fact.amount is None:
            continue
        units, cents = f"{fact.amount:.2f}".split(".")
        if not re.search(rf"(?<![\d,.]){units}[,.]{cents}(?!\d)", flat):
            out.append(f"{fact.amount:.2f} €".replace(".", ","))
    return out


# What OCR makes of the words a letter's reader looks for (« N/Réf. » read « NIRét. », the comma of
# « Tourcoing, le 16 novembre » read as a full stop)
_OCR_FIXES = (
    (re.compile(r"\bN\s?[I/l|]\s?R[ée][fltè]\b\.?"), "N/Réf."),
    (re.compile(r"\bR[ée][lt]\.(?=\s*:)"), "Réf."),
    (re.compile(r"(?m)^([A-ZÀ-Ý][\w' -]{1,40}?)\. (le \d{1,2}(?:er)? )"), r"\1, \2"),
)


def letters_text(texts: Iterable[str]) -> str:
    """The OCR texts of a letter's pages, one after the other, with what OCR commonly misreads in the
    words the reader looks for put right."""
    text = "\n\n".join(t.strip() for t in texts if t and t.strip()) + "\n"
    for pattern, fixed in _OCR_FIXES:
        text = pattern.sub(fixed, text)
    return text


PAPER_SENDER = "courrier-papier@cpambot.invalid"  # no caisse's domain: the letterhead says which caisse


def letter_message(text: str, sent: date | None) -> bytes:
    """The letter's text as the e-mail the reader reads: a caisse's letter, dated the day she sent it."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage()
    message["From"] = f"Courrier papier <{PAPER_SENDER}>"
    message["To"] = PAPER_SENDER
    message["Subject"] = "Courrier papier"
    if sent is not None:
        message["Date"] = format_datetime(datetime.combine(sent, time(12), tzinfo=UTC))
    message.set_content(text)
    return message.as_bytes()
