"""Pure decoder of NOEMIE PS return files: ``decode_noemie(bytes) -> NoemieFile``.

The flat entity stream (layout ``shared/noemie-layout.md``) is grouped as

    file → lots (080) → invoices (100/102) → insured, parts, acts, rejects, comments

Retenues (250) and forfaits (261 + 262) belong to the lot they appear in, or
to the file when they stand in a block opened by an 081 outside any lot.
Rejects and comments found outside an invoice belong to the lot or file.

Robustness: unknown entities are skipped (``NoemieFile.skipped``); record-level
oddities (impossible date, non-numeric field, wrong NIR key, control totals
that do not add up…) go to ``NoemieFile.problems`` as French sentences; a file
that is truncated, binary or not NOEMIE raises :class:`DecodeError`, and
nothing else is ever raised. Test and demonstration flows are decoded with
``is_test`` set: they must never be acted on.

Amounts are ``Decimal`` euros; dates ``datetime.date`` with the century rule
documented in :mod:`cpambot.understanding.decode._framing` (creation date: 00–69 → 20YY;
other dates relative to its year R: birth dates in R−99…R, the rest in
R−50…R+49).

Controls (layout §5, rules shared with ``cpambot.demo.noemie_writer``): each
``990`` closes a top-level block (an 080 lot, or an 081 block outside lots);
its count is the block's number of invoices or, without invoices, of money
movements (250/261); its sum is the block's signed net money: AMO paid +
AMC paid + forfaits (261) + retenues (250). The ``999`` total must equal the
sum of the ``990`` totals and the file's net money; its lot count the number
of ``080``; its record count the number of entities read, ``000``/``999``
included or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cpambot.errors import DecodeError, NotThisFormat
from cpambot.understanding.decode import _entities as ent
from cpambot.understanding.decode._framing import (
    Reader,
    check_envelope,
    euros,
    parse_header,
    parse_trailer,
    split_entities,
)
from cpambot.understanding.decode._payload import payload_text
from cpambot.understanding.decode.records import (
    REAL_FLOWS,
    Act,
    Comment,
    Control,
    Forfait,
    Header,
    Insured,
    Part,
    Patient,
    Payee,
    Payment,
    Reject,
    Retenue,
    ReturnType,
    Skipped,
    Trailer,
)

__all__ = ["DecodeError", "Invoice", "Lot", "NoemieFile", "decode_noemie", "decode_noemie_text"]

_ZERO = Decimal("0.00")
_INVOICE_LEVEL = frozenset({"103", "110", "120", "150", "160", "198", "199", "210", "220"})


@dataclass(frozen=True)
class Invoice:
    """One invoice (``100`` short form or ``102``) and everything that follows it."""

    number: str
    lot_number: str  # from the 102, else from the enclosing 080
    return_type: str  # code of the last 081 before it ("" if none)
    short_form: bool  # True for a 100 (number only)
    complement: str = ""
    lot_date: date | None = None
    invoice_type: str = ""
    billing_date: date | None = None
    amc_processing: str = ""
    insurance_nature: str = ""
    archive_number: str = ""
    insured: Insured | None = None
    patient: Patient | None = None
    amo: Part | None = None
    amc: Part | None = None
    acts: tuple[Act, ...] = ()
    rejects: tuple[Reject, ...] = ()
    comments: tuple[Comment, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def paid(self) -> Decimal:
        """AMO paid + AMC paid (unreadable amounts count as 0)."""
        return sum((p.paid or _ZERO for p in (self.amo, self.amc) if p), _ZERO)


@dataclass(frozen=True)
class Lot:
    """An ``080`` lot and what it holds until its ``990``."""

    number: str
    date: date | None
    return_types: tuple[ReturnType, ...]
    invoices: tuple[Invoice, ...]
    retenues: tuple[Retenue, ...]
    forfaits: tuple[Forfait, ...]
    rejects: tuple[Reject, ...]  # rejects/notices outside any invoice
    comments: tuple[Comment, ...]
    control: Control | None


@dataclass(frozen=True)
class NoemieFile:
    """A decoded NOEMIE file. Fields named like a lot's hold what stands outside any lot."""

    header: Header
    trailer: Trailer
    compressed: bool
    payments: tuple[Payment, ...]
    payees: tuple[Payee, ...]
    lots: tuple[Lot, ...]
    return_types: tuple[ReturnType, ...]
    loose_invoices: tuple[Invoice, ...]
    retenues: tuple[Retenue, ...]
    forfaits: tuple[Forfait, ...]
    rejects: tuple[Reject, ...]
    comments: tuple[Comment, ...]
    controls: tuple[Control, ...]  # 990s closing blocks outside lots
    computed_total: Decimal  # net money found: AMO + AMC paid + forfaits + retenues
    skipped: tuple[Skipped, ...]
    problems: tuple[str, ...]

    @property
    def is_test(self) -> bool:
        """Test/demo flow (or unknown flow type) in the 000 or the 999: never act on it."""
        return self.header.is_test or self.trailer.flow_type not in REAL_FLOWS

    @property
    def invoices(self) -> tuple[Invoice, ...]:
        """Every invoice: those of the lots, in order, then those outside lots."""
        return tuple(i for lot in self.lots for i in lot.invoices) + self.loose_invoices

    @property
    def all_retenues(self) -> tuple[Retenue, ...]:
        return tuple(r for lot in self.lots for r in lot.retenues) + self.retenues

    @property
    def all_forfaits(self) -> tuple[Forfait, ...]:
        return tuple(f for lot in self.lots for f in lot.forfaits) + self.forfaits


@dataclass
class _Container:
    """Mutable draft of a lot, or of the file level."""

    number: str = ""
    date: date | None = None
    return_types: list[ReturnType] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    retenues: list[Retenue] = field(default_factory=list)
    forfaits: list[tuple[str | None, Decimal | None, list, str]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)

    def frozen_forfaits(self) -> tuple[Forfait, ...]:
        return tuple(Forfait(c, a, tuple(d), rt) for c, a, d, rt in self.forfaits)

    def lot(self) -> Lot:
        return Lot(self.number, self.date, tuple(self.return_types), tuple(self.invoices),
                   tuple(self.retenues), self.frozen_forfaits(), tuple(self.rejects), tuple(self.comments),
                   self.controls[0] if self.controls else None)


@dataclass
class _Block:
    """Running totals of the top-level block a 990 will close."""

    label: str
    invoices: int = 0
    movements: int = 0
    money: Decimal = _ZERO


class _Decoder:
    def __init__(self, text: str, compressed: bool) -> None:
        self.problems: list[str] = []
        self.invoice: dict | None = None
        entities, skipped, problems = split_entities(text, ent.WIDTHS)
        self.skipped, self.compressed = skipped, compressed
        self.problems += problems
        read = len(entities) + len(skipped)  # before out-of-place entities are added to skipped
        self.header = parse_header(entities[0][2], self.report)
        if self.header.reference.upper() == "ARL":
            raise NotThisFormat("ce fichier est un accusé de réception (ARL), pas un retour NOEMIE")
        self.ref_year = self.header.created.year if self.header.created else None
        self.file, self.lots = _Container(), []
        self.lot: _Container | None = None
        self.block: _Block | None = None
        self.return_type = ""
        self.payments: list[Payment] = []
        self.payees: list[Payee] = []
        self.block_sums: list[Decimal] = []
        self.net = _ZERO
        for etype, offset, raw in entities[1:-1]:
            self.entity(etype, offset, raw)
        self.close_invoice()
        self.close_block()
        self.trailer = parse_trailer(entities[-1][2], self.report)
        self.check_trailer(read)

    def report(self, message: str) -> None:
        self.problems.append(message)
        if self.invoice is not None:
            self.invoice["problems"].append(message)

    @property
    def container(self) -> _Container:
        return self.lot if self.lot is not None else self.file

    def add_money(self, amount: Decimal | None, movement: bool = False) -> None:
        self.net += amount or _ZERO
        if self.block is not None:
            self.block.money += amount or _ZERO
            self.block.movements += movement

    def close_invoice(self) -> None:
        if self.invoice is not None:
            draft, self.invoice = self.invoice, None
            for key in ("acts", "rejects", "comments", "problems"):
                draft[key] = tuple(draft[key])
            self.container.invoices.append(Invoice(**draft))

    def close_block(self) -> None:
        if self.block is not None:
            self.report(f"{self.block.label} : pas d'entité de contrôle 990, totaux non vérifiés")
        self.block, self.lot, self.return_type = None, None, ""

    def entity(self, etype: str, offset: int, raw: str) -> None:
        inv = f", facture {self.invoice['number']}" if self.invoice and etype in _INVOICE_LEVEL else ""
        r = Reader(raw, 5, f"entité {etype} (position {offset + 1}{inv})", self.report, self.ref_year)
        if etype == "000":
            self.report(f"{r.where} : en-tête 000 répété, ignoré")
            self.skip(etype, offset, raw, "en-tête 000 répété")
        elif etype == "080":
            self.close_invoice()
            self.close_block()
            lot_date, number = ent.lot_080(r)
            self.lot = _Container(number=number, date=lot_date)
            self.lots.append(self.lot)
            self.block = _Block(f"lot {number}")
        elif etype == "081":
            self.close_invoice()
            rt = ent.return_type_081(r)
            self.return_type = rt.code
            self.container.return_types.append(rt)
            if self.block is None:
                self.block = _Block(f"bloc « {rt.label} » (081 type {rt.code})")
        elif etype == "990":
            self.close_invoice()
            self.control(ent.control_990(r))
        elif etype in ("100", "102"):
            self.open_invoice(ent.SIMPLE[etype](r))  # type: ignore[arg-type]
        elif etype in ("070", "071"):
            self.payments.append(ent.SIMPLE[etype](r))  # type: ignore[arg-type]
        elif etype in ("010", "020", "040"):
            self.payees.append(ent.payee(r))
        elif etype == "250":
            ret = ent.retenue_250(r, self.return_type)
            self.container.retenues.append(ret)
            self.add_money(ret.amount, movement=True)
        elif etype == "261":
            code, amount = ent.forfait_261(r)
            self.container.forfaits.append((code, amount, [], self.return_type))
            self.add_money(amount, movement=True)
        elif etype == "262":
            detail = ent.forfait_detail_262(r)
            if not self.container.forfaits:
                self.report(f"{r.where} : détail de forfait sans paiement forfaitaire 261")
                self.container.forfaits.append((None, None, [], self.return_type))
            self.container.forfaits[-1][2].append(detail)
        elif etype in ("290", "294", "295"):
            target = self.invoice if self.invoice is not None else vars(self.container)
            target["comments" if etype == "295" else "rejects"].append(ent.SIMPLE[etype](r))
        elif self.invoice is None:
            self.report(f"{r.where} : entité hors de toute facture, ignorée")
            self.skip(etype, offset, raw, "entité hors facture")
        else:
            self.invoice_entity(etype, r)

    def skip(self, etype: str, offset: int, raw: str, reason: str) -> None:
        self.skipped.append(Skipped(etype, offset, len(raw), reason))

    def open_invoice(self, fields: dict) -> None:
        self.close_invoice()
        enclosing = self.lot.number if self.lot is not None else ""
        own = fields.pop("lot_number", "")
        self.invoice = {**fields, "lot_number": own or enclosing, "return_type": self.return_type,
                        "acts": [], "rejects": [], "comments": [], "problems": []}
        if own and enclosing and own != enclosing:
            self.report(f"facture {fields['number']} : n° de lot {own} différent du lot {enclosing} "
                        "qui la contient")
        if self.block is not None:
            self.block.invoices += 1

    def invoice_entity(self, etype: str, r: Reader) -> None:
        inv = self.invoice
        assert inv is not None
        value = ent.SIMPLE[etype](r)
        key = {"103": "insured", "110": "insured", "120": "patient", "150": "insurance_nature",
               "160": "archive_number", "198": "amo", "199": "amc"}.get(etype)
        if key is None:  # 210 / 220
            inv["acts"].append(value)
        elif etype == "150" and inv.get(key):
            pass  # the 102 already gave the insurance nature
        elif inv.get(key) and key in ("insured", "amo", "amc", "patient"):
            self.report(f"{r.where} : entité en double dans la facture, la première est gardée")
        else:
            inv[key] = value
            if isinstance(value, Part):
                self.add_money(value.paid)

    def control(self, ctl: Control) -> None:
        block = self.block
        if block is None:
            self.file.controls.append(ctl)
            self.report(f"contrôle 990 « {ctl.level_id} » hors de tout lot ou bloc : non vérifié")
            return
        self.container.controls.append(ctl)
        count = block.invoices or block.movements
        if ctl.count is not None and ctl.count != count:
            self.report(f"{block.label} : le contrôle 990 annonce {ctl.count} élément(s), "
                        f"{count} trouvé(s)")
        if ctl.total is not None and ctl.total != block.money:
            self.report(f"{block.label} : le contrôle 990 annonce {euros(ctl.total)}, "
                        f"les montants trouvés totalisent {euros(block.money)}")
        self.block_sums.append(ctl.total or _ZERO)
        self.block = None
        self.close_block()

    def check_trailer(self, entity_count: int) -> None:
        t = self.trailer
        check_envelope(self.header, t, entity_count, self.report)
        if t.lot_count is not None and t.lot_count != len(self.lots):
            self.report(f"fin de fichier 999 : {t.lot_count} lot(s) annoncé(s), {len(self.lots)} trouvé(s)")
        if t.file_total is None:
            return
        controls = sum(self.block_sums, _ZERO)
        if t.file_total != controls:
            self.report(f"fin de fichier 999 : total annoncé {euros(t.file_total)}, "
                        f"somme des contrôles 990 {euros(controls)}")
        if t.file_total != self.net and self.net != controls:
            self.report(f"fin de fichier 999 : total annoncé {euros(t.file_total)}, "
                        f"montants trouvés dans le fichier {euros(self.net)}")

    def result(self) -> NoemieFile:
        f = self.file
        return NoemieFile(
            self.header, self.trailer, self.compressed, tuple(self.payments), tuple(self.payees),
            tuple(lot.lot() for lot in self.lots), tuple(f.return_types), tuple(f.invoices),
            tuple(f.retenues), f.frozen_forfaits(), tuple(f.rejects), tuple(f.comments),
            tuple(f.controls), self.net, tuple(self.skipped), tuple(self.problems))


def decode_noemie_text(text: str, compressed: bool = False) -> NoemieFile:
    """Decode an already decompressed NOEMIE text (see :func:`decode_noemie`)."""
    try:
        return _Decoder(text, compressed).result()
    except DecodeError:
        raise
    except Exception as exc:  # safety net: the decoder must only ever raise DecodeError
        raise DecodeError(f"erreur interne du décodeur NOEMIE ({type(exc).__name__})") from exc


def decode_noemie(data: bytes) -> NoemieFile:
    """Decode a NOEMIE payload (gzip, zlib or plain, detected by content).

    Raises :class:`DecodeError` (French ``reason``) for a truncated file,
    binary garbage, a broken compression or a text that is not NOEMIE, and
    nothing else.
    """
    try:
        text, compressed = payload_text(data)
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"erreur interne du décodeur NOEMIE ({type(exc).__name__})") from exc
    return decode_noemie_text(text, compressed)
