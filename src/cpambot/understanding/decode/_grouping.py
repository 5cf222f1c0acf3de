"""The flat NOEMIE entity stream grouped into lots and invoices, with the control checks.

The rules (which entity belongs where, what a ``990`` and the ``999`` must
announce) are in the docstring of :mod:`cpambot.understanding.decode.noemie`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from cpambot.errors import NotThisFormat
from cpambot.understanding.decode import _entities as ent
from cpambot.understanding.decode._entities import InvoiceHead
from cpambot.understanding.decode._framing import (
    Reader,
    check_envelope,
    euros,
    parse_header,
    parse_trailer,
    split_entities,
)
from cpambot.understanding.decode.grouped import Invoice, Lot, NoemieFile
from cpambot.understanding.decode.layout import NOEMIE, NOEMIE_WIDTHS
from cpambot.understanding.decode.records import (
    Act,
    Comment,
    Control,
    Forfait,
    ForfaitDetail,
    Insured,
    Part,
    Patient,
    Payee,
    Payment,
    Reject,
    Retenue,
    ReturnType,
    Skipped,
)

_ZERO = Decimal("0.00")
_INVOICE_LEVEL = frozenset({"103", "110", "120", "150", "160", "198", "199", "210", "220"})


@dataclass
class _ForfaitDraft:
    code: str | None
    amount: Decimal | None
    return_type: str
    details: list[ForfaitDetail] = field(default_factory=list)
    offset: int = -1

    def freeze(self) -> Forfait:
        return Forfait(self.code, self.amount, tuple(self.details), self.return_type, self.offset)


@dataclass
class _InvoiceDraft:
    """Mutable draft of an invoice, filled by the entities that follow its 100/102."""

    head: InvoiceHead
    lot_number: str
    return_type: str
    insurance_nature: str
    archive_number: str = ""
    insured: Insured | None = None
    patient: Patient | None = None
    amo: Part | None = None
    amc: Part | None = None
    acts: list[Act] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def freeze(self) -> Invoice:
        h = self.head
        return Invoice(h.number, self.lot_number, self.return_type, h.short_form, h.complement, h.lot_date,
                       h.invoice_type, h.billing_date, h.amc_processing, self.insurance_nature,
                       self.archive_number, self.insured, self.patient, self.amo, self.amc,
                       tuple(self.acts), tuple(self.rejects), tuple(self.comments), tuple(self.problems))


@dataclass
class _Container:
    """Mutable draft of a lot, or of the file level."""

    number: str = ""
    date: date | None = None
    return_types: list[ReturnType] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    retenues: list[Retenue] = field(default_factory=list)
    forfaits: list[_ForfaitDraft] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)

    def frozen_forfaits(self) -> tuple[Forfait, ...]:
        return tuple(f.freeze() for f in self.forfaits)

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


class Decoder:
    """Decode one NOEMIE text: ``Decoder(text, compressed).result()``."""

    def __init__(self, text: str, compressed: bool) -> None:
        self.problems: list[str] = []
        self.invoice: _InvoiceDraft | None = None
        entities, skipped, problems = split_entities(text, NOEMIE_WIDTHS)
        self.skipped, self.compressed = skipped, compressed
        self.problems += problems
        read = len(entities) + len(skipped)  # before out-of-place entities are added to skipped
        self.header = parse_header(entities[0][2], self.report)
        if self.header.reference.upper() == "ARL":
            raise NotThisFormat("ce fichier est un accusé de réception (ARL), pas un retour NOEMIE")
        self.ref_year = self.header.created.year if self.header.created else None
        self.file = _Container()
        self.lots: list[_Container] = []
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
            self.invoice.problems.append(message)

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
            self.container.invoices.append(draft.freeze())

    def close_block(self) -> None:
        if self.block is not None:
            self.report(f"{self.block.label} : pas d'entité de contrôle 990, totaux non vérifiés")
        self.block, self.lot, self.return_type = None, None, ""

    def entity(self, etype: str, offset: int, raw: str) -> None:
        inv = f", facture {self.invoice.head.number}" if self.invoice and etype in _INVOICE_LEVEL else ""
        where = f"entité {etype} (position {offset + 1}{inv})"
        if etype == "000":
            self.report(f"{where} : en-tête 000 répété, ignoré")
            self.skip(etype, offset, raw, "en-tête 000 répété")
            return
        r = Reader(NOEMIE[etype], raw, where, self.report, self.ref_year)
        if etype == "080":
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
            self.open_invoice(ent.invoice_100(r) if etype == "100" else ent.invoice_102(r))
        elif etype in ("070", "071"):
            self.payments.append(ent.payment_070(r) if etype == "070" else ent.payment_071(r))
        elif etype in ("010", "020", "040"):
            self.payees.append(ent.payee(r))
        elif etype == "250":
            ret = replace(ent.retenue_250(r, self.return_type), offset=offset)
            self.container.retenues.append(ret)
            self.add_money(ret.amount, movement=True)
        elif etype == "261":
            code, amount = ent.forfait_261(r)
            self.container.forfaits.append(_ForfaitDraft(code, amount, self.return_type, offset=offset))
            self.add_money(amount, movement=True)
        elif etype == "262":
            detail = ent.forfait_detail_262(r)
            if not self.container.forfaits:
                self.report(f"{r.where} : détail de forfait sans paiement forfaitaire 261")
                self.container.forfaits.append(_ForfaitDraft(None, None, self.return_type))
            self.container.forfaits[-1].details.append(detail)
        elif etype in ("290", "294", "295"):
            target: _InvoiceDraft | _Container = self.invoice if self.invoice is not None else self.container
            if etype == "295":
                target.comments.append(ent.comment_295(r))
            else:
                target.rejects.append(ent.reject_290(r) if etype == "290" else ent.reject_294(r))
        elif self.invoice is None:
            self.report(f"{r.where} : entité hors de toute facture, ignorée")
            self.skip(etype, offset, raw, "entité hors facture")
        else:
            self.invoice_entity(self.invoice, etype, r)

    def skip(self, etype: str, offset: int, raw: str, reason: str) -> None:
        self.skipped.append(Skipped(etype, offset, len(raw), reason))

    def open_invoice(self, head: InvoiceHead) -> None:
        self.close_invoice()
        enclosing = self.lot.number if self.lot is not None else ""
        own = head.lot_number
        self.invoice = _InvoiceDraft(head, own or enclosing, self.return_type, head.insurance_nature)
        if own and enclosing and own != enclosing:
            self.report(f"facture {head.number} : n° de lot {own} différent du lot {enclosing} "
                        "qui la contient")
        if self.block is not None:
            self.block.invoices += 1

    def invoice_entity(self, inv: _InvoiceDraft, etype: str, r: Reader) -> None:
        """An entity of the open invoice: 103/110, 120, 150, 160, 198/199 or 210/220."""
        if etype in ("210", "220"):
            inv.acts.append(ent.act(r))
        elif etype == "150":
            nature = r.code("nature")
            if not inv.insurance_nature:  # else the 102 already gave it
                inv.insurance_nature = nature
        elif etype == "160":
            inv.archive_number = r.code("archive_number")
        elif etype in ("103", "110"):
            insured = ent.insured_103(r) if etype == "103" else ent.insured_110(r)
            if inv.insured is None:
                inv.insured = insured
            else:
                self.duplicate(r)
        elif etype == "120":
            patient = ent.patient_120(r)
            if inv.patient is None:
                inv.patient = patient
            else:
                self.duplicate(r)
        else:  # 198 / 199
            amount_part = ent.part(r)
            if (inv.amo if etype == "198" else inv.amc) is not None:
                self.duplicate(r)
                return
            if etype == "198":
                inv.amo = amount_part
            else:
                inv.amc = amount_part
            self.add_money(amount_part.paid)

    def duplicate(self, r: Reader) -> None:
        self.report(f"{r.where} : entité en double dans la facture, la première est gardée")

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
            self.report(f"fin de fichier 999 : nombre de lots faux, {t.lot_count} annoncé(s), "
                        f"{len(self.lots)} trouvé(s)")
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
