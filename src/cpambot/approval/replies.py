"""The approver's replies: what she wrote, once the quote, the reply headers and the signature are removed.

Pure functions, no I/O.

``strip_reply(text)``
    The new text of a reply. Our own cut comes first: the earliest line that starts
    a quoted message in any common French or English client ends the new text
    (``Le … a écrit :`` over up to three lines, ``On … wrote:``, Outlook
    ``De :/Envoyé :`` blocks with or without the space before the colon,
    ``-----Message d'origine-----``, ``----- Mail original -----``, Orange's
    ``> Message du 03/11/25 10:00``, a line of underscores…), then lines still
    starting with ``>`` are dropped. What is left goes through mail-parser-reply
    (languages fr+en, ``replies[0].body``), which removes ``-- `` signatures, "Envoyé
    depuis …" and the closings it knows ("Cordialement", "Bonne journée"…); our own
    last pass removes the device lines it misses ("Envoyé de mon iPhone") and the
    French closings it does not know ("Bien cordialement", "Bien à vous"…).
    The cut is done before the library because the library, measured on French
    replies (testing-notes §6), misses several headers and, when a header sits on
    the very first line (a reply with no new text), returns a fragment of the
    header ("Le") or the quoted text itself as the "reply".

The commands in that text are read by :mod:`cpambot.approval.commands`.
"""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply.parser import EmailMessage

LANGUAGES = ("fr", "en")
# Above these sizes the new text is not given to mail-parser-reply, whose regexes are
# super-linear on long lines (10 kB of "On On On…" on one line: 3 s); a real reply is far smaller.
LIBRARY_MAX_CHARS = 10_000
LIBRARY_MAX_LINE = 1_000

# --------------------------------------------------------------------------- normalisation

# Spaces some clients put before ":" (Gmail FR: U+00A0 or U+202F) or inside dates.
_SPACES = {0x00A0: " ", 0x202F: " ", 0x2007: " ", 0x2009: " "}
# Invisible characters that break line matching (zero-width space, BOM, bidi marks, word joiner).
_INVISIBLE = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF))


def normalise(text: str) -> str:
    """Line endings to ``\\n``, exotic spaces to plain spaces, invisible characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_SPACES).translate(_INVISIBLE)


def fold(text: str) -> str:
    """Upper case without accents (``Réponse`` → ``REPONSE``), for keyword matching."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


# --------------------------------------------------------------------------- quote detection

_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+[ \t]?")
QUOTED_LINE = re.compile(r"^[ \t]*>")
_BLANK_RUN = re.compile(r"[ \t]{2,}")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

# "Le lun. 3 nov. 2025 à 10:00, cpambot <bot@example.org> a écrit :" (Gmail, Apple Mail,
# Thunderbird, Yahoo, ProtonMail, SFR/Open-Xchange…), possibly wrapped over 2 or 3 lines.
_WROTE_FR = re.compile(r"^le\s.*\ba\s+[ée]crit\s*:$", re.IGNORECASE)
_WROTE_EN = re.compile(r"^on\s.*\bwrote\s*:$", re.IGNORECASE)
_WROTE_START = re.compile(r"^(?:le|on)\s", re.IGNORECASE)
# Separator lines: Outlook "-----Message d'origine-----" / "-----Original Message-----",
# Yahoo "----- Message d'origine ----", mailoo/SFR "---- Message d'origine ----",
# Zimbra/Free "----- Mail original -----", Thunderbird "-------- Message original --------".
_SEPARATOR = re.compile(
    r"^-{2,}\s*(?:original message|message d'origine|mail original|message original"
    r"|message transf[ée]r[ée]|mail transf[ée]r[ée]|forwarded message)\s*-{2,}$", re.IGNORECASE)
_BEGIN_FORWARD = re.compile(r"^(?:d[ée]but du message r[ée]exp[ée]di[ée]|begin forwarded message)\s*:$",
                            re.IGNORECASE)
# Orange (and former Wanadoo) webmail: "> Message du 03/11/25 10:00" then "> De : …".
_ORANGE = re.compile(r"^message du \d{1,2}/\d{1,2}/\d{2,4}(?:\s+(?:[àa]\s+)?\d{1,2}[:h]\d{2}(?::\d{2})?)?$",
                     re.IGNORECASE)
_UNDERSCORES = re.compile(r"^_{10,}$")
# Outlook/Zimbra/Yahoo header block: "De :" then, within a few lines, a date field.
_FIELD_FROM = re.compile(r"^\**(?:de|from|exp[ée]diteur)\**\s*:\**\s*\S", re.IGNORECASE)
_FIELD_DATE = re.compile(r"^\**(?:envoy[ée](?:\s+le)?|sent|date)\**\s*:", re.IGNORECASE)


def _bare(line: str) -> str:
    """The line without quote markers and surrounding space, with plain apostrophes."""
    return _QUOTE_PREFIX.sub("", line).strip().translate(APOSTROPHES)


def _starts_quote(bare: list[str], index: int) -> bool:
    line = bare[index]
    if _SEPARATOR.match(line) or _BEGIN_FORWARD.match(line) or _ORANGE.match(line):
        return True
    following = [b for b in bare[index + 1:index + 4] if b]
    if _UNDERSCORES.match(line):
        return bool(following) and bool(_FIELD_FROM.match(following[0]))
    if _FIELD_FROM.match(line):
        return any(_FIELD_DATE.match(b) for b in bare[index + 1:index + 7] if b)
    if _WROTE_START.match(line):
        joined = line
        for extra in range(3):
            if extra:
                nxt = bare[index + extra] if index + extra < len(bare) else ""
                if not nxt:
                    break
                joined = f"{joined} {nxt}"
            if len(joined) > 400:
                break
            if _WROTE_FR.match(joined) or _WROTE_EN.match(joined):
                return True
    return False


def quote_start(lines: list[str]) -> int:
    """Index of the first line that starts a quoted message (``len(lines)`` when none)."""
    bare = [_bare(line) for line in lines]
    for index, line in enumerate(bare):
        if line and _starts_quote(bare, index):
            return index
    return len(lines)


# --------------------------------------------------------------------------- signatures

# Device and app lines: "Envoyé de mon iPhone", "Envoyé depuis Outlook pour Android",
# "Obtenir Outlook pour iOS", "Envoyé à partir de Courrier pour Windows", "Sent from my iPad"…
_DEVICE_LINE = re.compile(
    r"^(?:envoy[ée]\s+(?:de|depuis|[àa]\s+partir\s+de|avec)\s+(?:mon|ma|l'application|l'appli|outlook|yahoo"
    r"|courrier|proton|gmail|orange|sfr|free|bluemail|samsung|la\s+messagerie)\b.{0,70}"
    r"|sent\s+(?:from|with)\s+.{1,60}|get\s+outlook\s+for\s+.{1,40}"
    r"|(?:obtenir|t[ée]l[ée]charger)\s+outlook\s+pour\s+.{1,40})$", re.IGNORECASE)
# French closings mail-parser-reply does not know (it only knows lines *starting* with
# "cordialement", "salutations", "bonne journée", "bonne réception").
_CLOSING_LINE = re.compile(
    r"^(?:(?:bien|tr[èe]s|tr[èe]s\s+bien)\s+cordialement|cordialement|bien\s+[àa]\s+vous|amicalement"
    r"|sinc[èe]res\s+salutations|salutations|bonne\s+(?:journ[ée]e|soir[ée]e|fin\s+de\s+journ[ée]e)"
    r"|belle\s+journ[ée]e|bises|[àa]\s+bient[ôo]t|best\s+regards|kind\s+regards|regards)\b.{0,40}$",
    re.IGNORECASE)


def _cut_signature(body: str, *, keep_closing: bool) -> str:
    lines = body.split("\n")
    for index, line in enumerate(lines):
        bare = line.strip().translate(APOSTROPHES)
        if bare in ("--", "—", "__") or _DEVICE_LINE.match(bare) or \
                (not keep_closing and index > 0 and _CLOSING_LINE.match(bare)):
            return "\n".join(lines[:index])
    return body


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --------------------------------------------------------------------------- strip_reply


def strip_reply(text: str, *, keep_signature: bool = False) -> str:
    """The new text the approver wrote above the quote: no quoted message, no reply
    header, no signature. ``""`` when the reply holds only quoted text.

    ``keep_signature=True`` keeps the closing and the name under the text (but still
    removes ``-- `` signatures and "Envoyé de mon iPhone" lines): use it for the edited
    text of a draft, whose closing formula belongs to the letter. Never raises."""
    if not text or not text.strip():
        return ""
    lines = normalise(text).split("\n")
    lines = lines[:quote_start(lines)]
    # Runs of blanks are collapsed first: the library's regexes are quadratic in them.
    kept = (_BLANK_RUN.sub(" ", line).strip() for line in lines if not QUOTED_LINE.match(line))
    new = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    if not new:
        return ""
    body = new
    if len(new) <= LIBRARY_MAX_CHARS and max(len(line) for line in new.split("\n")) <= LIBRARY_MAX_LINE:
        # (Longer text is never a real reply, and the library's regexes are slow on it.)
        try:
            message = EmailMessage(text=new, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
        except Exception:  # noqa: BLE001 - a third-party parser must not stop the bot: keep our cut
            message = None
        if message is not None:
            first = message.replies[0] if message.replies else None
            if first is None or first.headers:
                return ""  # the library saw a header on the very first line: nothing new above it
            body = first.full_body if keep_signature else first.body
    return _tidy(_cut_signature(body, keep_closing=keep_signature))
