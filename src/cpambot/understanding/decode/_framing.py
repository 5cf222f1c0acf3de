"""Entity framing shared by the NOEMIE and ARL decoders (layout §1 and §5.1).

* :func:`split_entities` cuts the text into entities: ``000``/``999`` are 128
  characters without ``@``; every other known type has a fixed width ending
  with ``@``; CR/LF between entities are skipped; an unknown type is skipped up
  to the next ``@``; a known entity whose ``@`` is not where its width says is
  *malformed*: reported, then skipped up to the first ``@`` after its start.
* :class:`Reader` reads one entity's fields by name, at the offsets of
  :mod:`~cpambot.understanding.decode.layout`.

Century rule for ``YYMMDD`` dates (the files carry 2-digit years):

* the ``000`` creation date uses a fixed pivot: ``00``–``69`` → 20YY,
  ``70``–``99`` → 19YY (the POSIX ``%y`` rule);
* every other date is read relative to the year R of that creation date:
  birth dates take the latest year ≤ R (so within R−99 … R); all other dates
  (care, billing, lot, transfer, debt…) take the year within R−50 … R+49;
* without a readable creation date, the fixed pivot applies to every date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

from cpambot.errors import InvalidValueError, NotThisFormat, TruncatedFile
from cpambot.understanding.decode.layout import FIXED_128, NOEMIE, EntityLayout, Field, Kind
from cpambot.understanding.decode.records import Header, Skipped, Trailer

_BREAKS = "\r\n"

Report = Callable[[str], None]


def resolve_year(yy: int, ref_year: int | None, *, birth: bool = False) -> int:
    """Four-digit year for a 2-digit ``yy`` (see the module docstring)."""
    if ref_year is None:
        return 2000 + yy if yy < 70 else 1900 + yy
    if birth:
        return ref_year - (ref_year - yy) % 100
    low = ref_year - 50
    return low + (yy - low) % 100


def euros(value: Decimal | None) -> str:
    """French rendering of an amount: ``-1 234,56 €``."""
    if value is None:
        return "montant illisible"
    return f"{value:,.2f} €".replace(",", "\u202f").replace(".", ",")


class Reader:
    """Read the fields of one entity by name, at the offsets and widths of its layout.

    Unreadable values are reported and give ``None``; the label of a report is the
    field's ``label`` in the layout.
    """

    def __init__(self, layout: EntityLayout, raw: str, where: str, report: Report,
                 ref_year: int | None) -> None:
        self.layout = layout
        self.raw = raw
        self.where = where
        self.report = report
        self.ref_year = ref_year

    def _take(self, name: str, *kinds: Kind) -> tuple[Field, str]:
        field = self.layout.field(name)
        if kinds and field.kind not in kinds:
            raise InvalidValueError(f"{self.layout.type} {name}: a {field.kind} field, not {kinds}")
        start = self.layout.offsets[name]
        return field, self.raw[start:start + field.width]

    def text(self, name: str) -> str:
        """Text field, right-stripped."""
        return self._take(name)[1].rstrip()

    def code(self, name: str) -> str:
        """Code field, stripped on both sides (a blank code is ``""``)."""
        return self._take(name)[1].strip()

    def _digits(self, field: Field, s: str) -> int | None:
        if not s.strip():
            return None
        if s.isascii() and s.isdigit():
            return int(s)
        self.report(f"{self.where} : champ « {field.label} » non numérique")
        return None

    def number(self, name: str) -> int | None:
        """Digits, zero-padded; blank → ``None``."""
        return self._digits(*self._take(name, Kind.NUMBER))

    def amount(self, name: str) -> Decimal | None:
        """Amount in cents → euros, signed by the ``P``/``N`` field that follows it in the layout, if any."""
        field, s = self._take(name, Kind.AMOUNT)
        cents = self._digits(field, s)
        sign_field = self.layout.sign_of(name)
        sign = "P" if sign_field is None else self._take(sign_field.name)[1]
        if cents is None:
            return None
        if sign not in ("P", "N"):
            self.report(f"{self.where} : signe « {sign.strip()} » invalide pour « {field.label} » "
                        "(P ou N attendu)")
            return None
        value = Decimal(cents).scaleb(-2)
        return -value if sign == "N" and cents else value

    def date(self, name: str, *, birth: bool = False, fixed_pivot: bool = False) -> date | None:
        """``YYMMDD`` date; blank or ``000000`` → ``None``; an impossible date is reported."""
        field, s = self._take(name, Kind.DATE)
        if not s.strip() or s == "000000":
            return None
        if s.isascii() and s.isdigit():
            year = resolve_year(int(s[:2]), None if fixed_pivot else self.ref_year, birth=birth)
            try:
                return date(year, int(s[2:4]), int(s[4:]))
            except ValueError:
                pass
        shown = "" if birth else f" ({s!r})"  # a birth date is personal data: not repeated
        self.report(f"{self.where} : date « {field.label} » impossible{shown}")
        return None


def _trailer_at_end(text: str, pos: int) -> int | None:
    """Offset (≥ ``pos``) of a 128-character ``999`` that ends the text, blanks allowed after it."""
    tail = len(text.rstrip(" \r\n"))
    highest = len(text) - 128
    start = text.find("999", max(pos, tail - 128), highest + 3)
    return start if 0 <= start <= highest else None


def split_entities(text: str, widths: Mapping[str, int], what: str = "NOEMIE"
                   ) -> tuple[list[tuple[str, int, str]], list[Skipped], list[str]]:
    """Cut ``text`` into ``(type, offset, raw)`` entities, from the ``000`` to the ``999`` included.

    Returns the entities, the skipped spans and French problems. Raises
    :class:`NotThisFormat` when the text does not start with ``000`` and
    :class:`TruncatedFile` when it ends before a complete ``999``.
    """
    entities: list[tuple[str, int, str]] = []
    skipped: list[Skipped] = []
    problems: list[str] = []
    pos = len(text) - len(text.lstrip(" \r\n"))
    if not text.startswith("000", pos):
        raise NotThisFormat(f"pas un fichier {what} : il ne commence pas par l'en-tête 000")
    n = len(text)

    def resync(start: int, etype: str, reason: str) -> int:
        at = text.find("@", start)
        if at >= 0:
            skipped.append(Skipped(etype, start, at + 1 - start, reason))
            return at + 1
        trailer = _trailer_at_end(text, start)
        if trailer is None:
            raise TruncatedFile(f"fichier {what} tronqué : entité « {etype} » (position {start + 1}) "
                                "sans délimiteur @ et pas d'entité de fin 999")
        skipped.append(Skipped(etype, start, trailer - start, reason))
        return trailer

    while True:
        while pos < n and text[pos] in _BREAKS + " ":
            if text[pos] == " ":  # spaces padding a line to its end (records padded to 160 columns)
                end = pos
                while end < n and text[end] == " ":
                    end += 1
                if end < n and text[end] not in _BREAKS:
                    break
                pos = end
                continue
            pos += 1
        if pos >= n:
            raise TruncatedFile(f"fichier {what} tronqué : pas d'entité de fin 999")
        etype = text[pos:pos + 3]
        width = widths.get(etype)
        if width is None:
            pos = resync(pos, etype, "type d'entité inconnu")
            continue
        raw = text[pos:pos + width]
        step = width
        if etype in FIXED_128 and (len(raw) < width or "\r" in raw or "\n" in raw):
            # a 000/999 line whose trailing spaces a mail client or an editor removed: its filler
            cut = min(i for i in (raw.find("\r"), raw.find("\n"), len(raw)) if i >= 0)
            last = NOEMIE[etype].fields[-1].name  # only its last field, a filler or free text, may be gone
            if cut >= NOEMIE[etype].offsets[last]:
                raw, step = raw[:cut].ljust(width), cut
        if len(raw) < width:
            raise TruncatedFile(f"fichier {what} tronqué : entité {etype} incomplète à la position "
                                f"{pos + 1} ({len(raw)} caractères sur {width})")
        fixed = etype in FIXED_128
        body = raw if fixed else raw[:-1]
        if (not fixed and raw[-1] != "@") or "@" in body or "\r" in body or "\n" in body:
            if not entities:
                raise NotThisFormat(f"fichier {what} illisible : en-tête 000 mal formé")
            problems.append(f"entité {etype} mal formée à la position {pos + 1} (délimiteur @ absent "
                            "ou mal placé) : ignorée jusqu'au @ suivant")
            pos = resync(pos + 3, etype, "entité mal formée")
            continue
        entities.append((etype, pos, raw))
        pos += step
        if etype == "999":
            break
    rest = text[pos:].strip(" \r\n")
    if rest:
        problems.append(f"{len(rest)} caractère(s) après l'entité de fin 999 ignoré(s)")
    return entities, skipped, problems


def parse_header(raw: str, report: Report) -> Header:
    """The ``000`` header (128 characters). The password is never read."""
    r = Reader(NOEMIE["000"], raw, "en-tête 000", report, None)
    return Header(
        sender_type=r.code("sender_type"), sender_number=r.text("sender_number"),
        sender_program=r.text("sender_program"), recipient_type=r.code("recipient_type"),
        recipient_number=r.text("recipient_number"), recipient_program=r.text("recipient_program"),
        application_type=r.text("application_type"), file_id=r.text("file_id"),
        created=r.date("created", fixed_pivot=True), reference=r.code("reference"),
        version=r.text("version"), compression=r.code("compression"), encryption=r.code("encryption"),
        currency=r.code("currency"), flow_type=r.code("flow_type"),
        record_length=r.number("record_length"), message=r.text("message"))


def parse_trailer(raw: str, report: Report) -> Trailer:
    """The ``999`` end of file (128 characters)."""
    r = Reader(NOEMIE["999"], raw, "fin de fichier 999", report, None)
    return Trailer(
        sender_type=r.code("sender_type"), sender_number=r.text("sender_number"),
        recipient_type=r.code("recipient_type"), recipient_number=r.text("recipient_number"),
        file_id=r.text("file_id"), record_count=r.number("record_count"), flow_type=r.code("flow_type"),
        lot_count=r.number("lot_count"), file_total=r.amount("file_total"),
        other_currency_total=r.amount("other_currency_total"))


def check_envelope(header: Header, trailer: Trailer, entity_count: int, report: Report) -> None:
    """Checks shared by every format: 000/999 agree, flow type known, record count plausible.

    The record count's rule is not documented: both "000 and 999 included"
    and "excluded" are accepted. ``entity_count`` counts every entity read
    (skipped ones included).
    """
    if header.flow_type not in ("R", "", "T", "D"):
        report(f"type de flux inconnu « {header.flow_type} » dans l'en-tête : fichier traité comme un test")
    if trailer.flow_type != header.flow_type:
        report(f"type de flux différent entre l'en-tête (« {header.flow_type} ») et la fin de fichier "
               f"(« {trailer.flow_type} »)")
    if trailer.file_id != header.file_id:
        report(f"identification du fichier différente entre l'en-tête ({header.file_id!r}) et la fin "
               f"de fichier ({trailer.file_id!r})")
    if (trailer.sender_number, trailer.recipient_number) != (header.sender_number, header.recipient_number):
        report("émetteur ou destinataire différent entre l'en-tête et la fin de fichier")
    if trailer.record_count is not None and trailer.record_count not in (entity_count, entity_count - 2):
        report(f"fin de fichier 999 : {trailer.record_count} enregistrements annoncés, "
               f"{entity_count} lus")
