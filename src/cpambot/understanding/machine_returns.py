"""Machine returns (ARL and NOEMIE in ``application/EDI-consent`` parts) → a Reading with facts.

Decoding is done by :mod:`cpambot.understanding.decode`; this module only says what each decoded
record means for the professional: an invoice paid, rejected with a code, deferred;
a lot acknowledged or refused; a retenue; a forfait.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from cpambot.errors import DecodeError
from cpambot.understanding.decode.arl import ArlFile
from cpambot.understanding.decode.edi import decode_edi_part
from cpambot.understanding.decode.noemie import Invoice, NoemieFile
from cpambot.understanding.decode.records import Part
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

_RSS = re.compile(r"^(\d{2})(\d{3})@(\d{3})\.\d{2}\.rss\.fr$")

DEBT_NATURES = {
    "IND": "indu sur prestations",
    "ODL": "opposition, paiement en double",
    "IEC": "indu en cours",
    "VMI": "versement à tort",
    "REL": "relevé",
}


def caisse_from_address(address: str) -> str | None:
    """``01974@974.01.rss.fr`` → ``974``; an MSA's ``02221@221.02.rss.fr`` → ``02221``."""
    found = _RSS.match(address.strip().lower())
    if not found:
        return None
    return found.group(3) if found.group(1) != "02" else "02" + found.group(3)


def billing_details(invoice: Invoice) -> dict:
    """What a réclamation about this invoice needs: patient identity (health data: kept in the
    owner-only store, never logged), dates and nature of care, lot date (≈ télétransmission)."""
    details: dict = {}
    insured = invoice.insured
    if insured is not None and insured.nir.strip():
        details["nir"] = insured.nir.strip() + insured.nir_key.strip()
        name = " ".join(x for x in (insured.usage_surname.strip() or insured.birth_surname.strip(),
                                    insured.first_name.strip()) if x)
        beneficiary = " ".join(x for x in (insured.beneficiary_name.strip(),
                                           insured.beneficiary_first_name.strip()) if x)
        if name:
            details["insured_name"] = name
        if beneficiary and beneficiary != name:
            details["patient_name"] = beneficiary
            if insured.birth_date:
                details["patient_birth_date"] = insured.birth_date.isoformat()
    care = sorted({a.care_date.isoformat() for a in invoice.acts if a.care_date})
    if care:
        details["care_dates"] = care
    acts = [f"{a.nature.strip()} {a.coefficient}".strip() if a.coefficient is not None else a.nature.strip()
            for a in invoice.acts if a.nature.strip()]
    if acts:
        details["acts"] = acts
    if invoice.lot_date:
        details["lot_date"] = invoice.lot_date.isoformat()
    if invoice.billing_date:
        details["billing_date"] = invoice.billing_date.isoformat()
    return details


def _part_facts(invoice: Invoice, part: Part, caisse: str | None, when: date | None) -> list[Fact]:
    billing = billing_details(invoice)

    def fact(kind: FactKind, amount: Decimal | None, *, label: str | None = None,
             reject_code: str | None = None, details: dict[str, object] | None = None) -> Fact:
        return Fact(kind, caisse=caisse, lot=invoice.lot_number or None, invoice=invoice.number,
                    amount=amount, reject_code=reject_code, label=label, date=when, part=part.kind,
                    details={} if details is None else details)

    wanted = "O" if part.kind == "AMO" else "C"
    if part.state == "P":
        paid = [fact(FactKind.INVOICE_PAID, part.paid,
                     details={"billed": f"{part.claimed:.2f}"} if part.claimed is not None else None)]
        # A reject on one act of an invoice otherwise paid: the act's money is lost unless billed again
        line_rejects = [r for r in invoice.rejects
                        if (r.part or "O") == wanted and (r.line or r.level.strip() == "L")]
        for code in dict.fromkeys(r.code.strip() for r in line_rejects):
            same = [r for r in line_rejects if r.code.strip() == code]
            paid.append(fact(FactKind.INVOICE_REJECTED, None, reject_code=code,
                             label=same[0].label.strip() or None,
                             details={**billing, "scope": "acte", "level": same[0].level,
                                      "lines": sorted({r.line for r in same if r.line})}))
        return paid
    if part.state == "D":
        text = " ".join(c.text.strip() for c in invoice.comments if c.text.strip()) or None
        return [fact(FactKind.INVOICE_DEFERRED, part.claimed, label=text,
                     details={**billing, **({"comment": text} if text else {})})]
    if part.state == "R":
        rejects = [r for r in invoice.rejects if (r.part or "O") == wanted] or \
            ([r for r in invoice.rejects if not r.part] if part.kind == "AMO" else [])
        if not rejects:
            return [fact(FactKind.INVOICE_REJECTED, part.claimed, label="rejet sans motif précisé",
                         details=billing)]
        seen: set[str] = set()
        facts = []
        for reject in rejects:
            if reject.code in seen:
                continue
            seen.add(reject.code)
            lines = sorted({r.line for r in rejects if r.code == reject.code and r.line})
            facts.append(fact(FactKind.INVOICE_REJECTED, part.claimed, reject_code=reject.code.strip(),
                              label=reject.label.strip() or None,
                              details={**billing, "level": reject.level, **({"lines": lines} if lines
                                                                             else {})}))
        return facts
    return []


def _invoice_facts(invoice: Invoice, caisse: str | None, when: date | None) -> list[Fact]:
    facts: list[Fact] = []
    for part in (invoice.amo, invoice.amc):
        if part is not None:
            facts.extend(_part_facts(invoice, part, caisse, when))
    if not facts and invoice.rejects:  # rejects without a part entity
        reject = invoice.rejects[0]
        facts.append(Fact(FactKind.INVOICE_REJECTED, caisse=caisse, lot=invoice.lot_number or None,
                          invoice=invoice.number, reject_code=reject.code.strip(),
                          label=reject.label.strip() or None, date=when,
                          part="AMC" if reject.part == "C" else "AMO"))
    return facts


def noemie_facts(noemie: NoemieFile, caisse: str | None) -> list[Fact]:
    paid_on = next((p.date for p in noemie.payments if p.date), None) or noemie.header.created
    facts: list[Fact] = []
    for invoice in noemie.invoices:
        facts.extend(_invoice_facts(invoice, caisse, paid_on))
    movements: list[tuple[int, Fact]] = []  # retenues and forfaits, in the file's order
    for retenue in noemie.all_retenues:
        amount = abs(retenue.amount) if retenue.amount is not None else None
        movements.append((retenue.offset, Fact(
            FactKind.RETENUE, caisse=caisse, amount=amount, reference=retenue.debt_reference.strip() or None,
            label=DEBT_NATURES.get(retenue.debt_nature.strip(), retenue.debt_nature.strip()) or None,
            date=retenue.debt_date or paid_on,
            details={"operation": retenue.operation.strip(), "nature": retenue.debt_nature.strip() or None,
                     "balance": str(retenue.balance) if retenue.balance is not None else None})))
    for forfait in noemie.all_forfaits:
        label = next((d.label.strip() for d in forfait.details if d.label.strip()), None)
        movements.append((forfait.offset, Fact(FactKind.FORFAIT_PAID, caisse=caisse, amount=forfait.amount,
                                               label=label, date=paid_on)))
    facts += [fact for _, fact in sorted(movements, key=lambda m: m[0])]
    return facts


def transfer_fields(noemie: NoemieFile) -> dict[str, str | None]:
    """The bank transfer a NOEMIE file announces: its date (the 071's, else the file's) and its label, as
    the bank statement will show them (the amount is the file's net total)."""
    payment = next((p for p in noemie.payments if p.date), None)
    day = payment.date if payment is not None else noemie.header.created
    return {"transfer_date": day.isoformat() if day else None,
            "transfer_label": payment.label.strip() if payment is not None else None}


def arl_facts(arl: ArlFile, fallback_caisse: str | None) -> list[Fact]:
    facts = []
    for ack in arl.acks:
        caisse = ack.caisse.strip() or fallback_caisse
        if ack.positive is True:
            facts.append(Fact(FactKind.LOT_ACKNOWLEDGED, caisse=caisse, lot=ack.lot_number, date=ack.received,
                              details={"file_id": ack.acked_file_id}))
        elif ack.positive is False:
            facts.append(Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=ack.lot_number, date=ack.received,
                              reject_code=ack.reason_code.strip() or None,
                              label=ack.reason_label.strip() or None,
                              details={"file_id": ack.acked_file_id}))
    return facts


_MONEY_ENTITY = re.compile(r"entité (?:0[5-9]\d|10[02]|19\d|2\d\d|99\d) mal formée")


def read_returns(msg: ParsedMessage, trust: str) -> Reading | None:
    """The Reading of a return e-mail (or of a forwarded one), or None when it carries no EDI part."""
    source = msg.forwarded if msg.forwarded is not None and (msg.forwarded.edi or msg.forwarded.edi_error) \
        else msg
    # the caisse that sent it: an inline forward carries the return as the forwarder's attachment,
    # its sender and date are those of the quoted header block
    chain = [msg]
    while chain[-1].forwarded is not None and len(chain) < 5:
        chain.append(chain[-1].forwarded)
    sender = next((m for m in reversed(chain) if caisse_from_address(m.from_addr)), source)
    from_addr = sender.from_addr
    if source.edi_error:
        return Reading(MessageKind.NOEMIE, trust, caisse_from_address(from_addr),
                       needs_review=f"retour illisible : {source.edi_error}", problems=(source.edi_error,))
    parts = source.edi
    if not parts:
        return None
    caisse = caisse_from_address(from_addr)
    facts: list[Fact] = []
    problems: list[str] = []
    kinds: set[MessageKind] = set()
    is_test = False
    review = None
    fields: dict = {"parts": []}
    for part in parts:
        try:
            decoded = decode_edi_part(part)
        except DecodeError as exc:
            problems.append(exc.reason)
            review = f"retour illisible : {exc.reason}"
            kinds.add(MessageKind.ARL if "ARL" in part.nature.upper() else MessageKind.NOEMIE)
            fields["parts"].append({"nature": part.nature, "error": exc.reason})
            continue
        problems.extend(decoded.problems)
        if decoded.is_test:
            is_test = True
        if isinstance(decoded, ArlFile):
            kinds.add(MessageKind.ARL)
            caisse = caisse or (decoded.caisse.strip() if decoded.acks else None)
            found = arl_facts(decoded, caisse)
        else:
            kinds.add(MessageKind.NOEMIE)
            if caisse is None and decoded.header.sender_number.strip().strip("0"):
                caisse = decoded.header.sender_number.strip()[-3:]
            found = noemie_facts(decoded, caisse)
            fields["parts"].append({"nature": part.nature, "reference": decoded.header.reference,
                                    "file_id": decoded.header.file_id,
                                    "created": decoded.header.created,
                                    "lots": [lot.number for lot in decoded.lots],
                                    "invoices": len(decoded.invoices),
                                    "total": str(decoded.computed_total or Decimal("0")),
                                    **transfer_fields(decoded)})
        if not decoded.is_test:
            facts.extend(found)
    kind = MessageKind.ARL if kinds == {MessageKind.ARL} else MessageKind.NOEMIE
    if review is None and any("annonc" in p for p in problems):  # "990 annonce…", "total annoncé…"
        # totals or counts that do not add up: shown to the professional, never acted on blindly
        review = "retour dont les totaux ou le nombre de lots ne concordent pas : à vérifier"
    if review is None and any(_MONEY_ENTITY.match(p) for p in problems):
        # an invoice's, act's, reject's, payment's or total's entity skipped: never guessed (a
        # beneficiary's name in another charset is only a name)
        review = "retour en partie illisible (enregistrements ignorés) : à vérifier"
    if sender is not msg and sender.date is not None:
        fields["sent_on"] = sender.date.date().isoformat()  # deadlines run from the caisse's own date
    return Reading(kind, trust, caisse, facts=tuple(facts), fields=fields, needs_review=review,
                   problems=tuple(problems), is_test=is_test)
