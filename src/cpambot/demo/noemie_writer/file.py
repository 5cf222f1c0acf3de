"""Assemble a whole NOEMIE file and compute its ``990``/``999`` controls (rules in the package docstring)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date

from cpambot.demo.noemie_writer.entities import header, totals, trailer
from cpambot.demo.noemie_writer.fields import entity_width, field_value, signed_value
from cpambot.errors import InvalidValueError
from cpambot.understanding.decode.layout import FIXED_128, WRITABLE

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Envelope:
    """What the ``000`` header and the ``999`` trailer of one file both carry."""

    sender_type: str
    sender_number: str | int
    recipient_number: str | int
    file_id: str
    recipient_type: str = "TP"
    flow_type: str = "R"
    application_type: str = ""

    def header(self, *, created: date, reference: str = "0580", version: str = "01",
               message: str = "") -> str:
        """The ``000`` of the file."""
        return header(sender_type=self.sender_type, sender_number=self.sender_number,
                      recipient_number=self.recipient_number, file_id=self.file_id, created=created,
                      recipient_type=self.recipient_type, reference=reference, version=version,
                      flow_type=self.flow_type, application_type=self.application_type, message=message)

    def trailer(self, *, record_count: int, lot_count: int, file_total: int) -> str:
        """The ``999`` of the file."""
        return trailer(sender_type=self.sender_type, sender_number=self.sender_number,
                       recipient_number=self.recipient_number, file_id=self.file_id,
                       record_count=record_count, lot_count=lot_count, file_total=file_total,
                       recipient_type=self.recipient_type, flow_type=self.flow_type,
                       application_type=self.application_type)


@dataclass
class _Block:
    """Running counters of the open top-level block of a :class:`NoemieFile`."""

    label: str
    invoices: int = 0
    movements: int = 0
    money: int = 0


class NoemieFile:
    """Assemble a NOEMIE file and compute its ``990``/``999`` controls.

    Usage::

        nf = NoemieFile(sender_type="CP", sender_number=1511,
                        recipient_number=974123456, file_id="000123",
                        created=date(2026, 3, 5))
        nf.add(virement(date(2026, 3, 5), "VIR CPAM 511 RSP"))
        nf.open_block(lot(date(2026, 3, 2), 42))
        nf.add(return_type("01"))
        nf.add(facture(12345, lot_number=42, lot_date=date(2026, 3, 2)))
        nf.add(part_amo(905, "P", 905))
        nf.close_block()                       # writes the 990
        payload = nf.to_bytes(compress=True)   # 000 … 999, gzip

    The rules used for the controls are in the package docstring.
    """

    #: Entity types that count as "money" in a block (198/199 paid, 250, 261).
    _MONEY = {"198": ("paid", "paid_sign"), "199": ("paid", "paid_sign"),
              "250": ("amount", "sign"), "261": ("amount", None)}

    def __init__(self, *, sender_type: str, sender_number: str | int,
                 recipient_number: str | int, file_id: str, created: date,
                 recipient_type: str = "TP", reference: str = "0580", version: str = "01",
                 flow_type: str = "R", application_type: str = "", message: str = "") -> None:
        self._envelope = Envelope(sender_type, sender_number, recipient_number, file_id,
                                  recipient_type, flow_type, application_type)
        self._entities: list[str] = [self._envelope.header(created=created, reference=reference,
                                                           version=version, message=message)]
        self._block: _Block | None = None
        self._block_sums: list[int] = []
        self._lots = 0

    def add(self, *entities: str) -> NoemieFile:
        """Append entities built by this module; updates the open block."""
        for ent in entities:
            etype = ent[:3]
            if etype not in WRITABLE or len(ent) != entity_width(etype):
                raise InvalidValueError(f"not an entity built by this module: {ent[:20]!r}")
            if etype in FIXED_128 or etype == "990":
                raise InvalidValueError(f"{etype} is written by NoemieFile itself")
            if etype == "080":
                raise InvalidValueError("use open_block() for a lot (080)")
            blk = self._block
            if blk is not None:
                if etype in ("100", "102"):
                    blk.invoices += 1
                if etype in self._MONEY:
                    key, sign_key = self._MONEY[etype]
                    blk.money += signed_value(ent, key, sign_key)
                    if etype in ("250", "261"):
                        blk.movements += 1
            self._entities.append(ent)
        return self

    def add_raw(self, text: str) -> NoemieFile:
        """Append raw text (e.g. an unknown ``777…@`` entity for decoder tests).

        It is counted in the 999 record count but in no total.
        """
        self._entities.append(text)
        return self

    def open_block(self, first: str, level_id: str | None = None) -> NoemieFile:
        """Open a top-level block with an ``080`` lot or an ``081`` outside lots.

        ``level_id`` goes to the 990's "identification du niveau de rupture";
        by default ``LOT <n°>`` for a lot, ``RETOUR <code>`` for an 081 (INVENTED).
        """
        if self._block is not None:
            raise InvalidValueError("close_block() the previous block first")
        etype = first[:3]
        if etype == "080":
            self._lots += 1
            label = f"LOT {field_value(first, 'lot_number')}"
        elif etype == "081":
            label = f"RETOUR {field_value(first, 'return_type')}"
        else:
            raise InvalidValueError("a block starts with an 080 or an 081 entity")
        self._entities.append(first)
        self._block = _Block(level_id if level_id is not None else label)
        return self

    def close_block(self) -> NoemieFile:
        """Write the ``990`` closing the open block."""
        blk = self._block
        if blk is None:
            raise InvalidValueError("no block is open")
        self._entities.append(totals(blk.invoices or blk.movements, blk.money, blk.label))
        self._block_sums.append(blk.money)
        self._block = None
        return self

    @property
    def file_total(self) -> int:
        """Signed sum of the closed blocks (the 999 file total)."""
        return sum(self._block_sums)

    def text(self, *, line_breaks: bool = False) -> str:
        """The whole file as text, ``000`` to ``999``.

        ``line_breaks=True`` puts CRLF after each entity (some decoders must
        cope with that, layout §1 "Line breaks").
        """
        if self._block is not None:
            raise InvalidValueError("close_block() before writing the file")
        ents = list(self._entities)
        ents.append(self._envelope.trailer(record_count=len(ents) + 1, lot_count=self._lots,
                                           file_total=self.file_total))
        return ("\r\n" if line_breaks else "").join(ents) + ("\r\n" if line_breaks else "")

    def to_bytes(self, *, compress: bool = False, line_breaks: bool = False) -> bytes:
        """ASCII bytes of :meth:`text`, optionally gzip-compressed (mtime 0)."""
        return encode_payload(self.text(line_breaks=line_breaks), compress=compress)


def encode_payload(text: str, *, compress: bool = False) -> bytes:
    """ASCII-encode a NOEMIE/ARL text; gzip it deterministically (mtime 0) if asked."""
    data = text.encode("ascii")
    return gzip.compress(data, mtime=0) if compress else data
