"""Machine returns of the télétransmission mailbox: ARL and NOEMIE e-mails from the caisses."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cpambot.demo import noemie_writer as nw
from cpambot.demo.messages.mime import message_id, trace_headers
from cpambot.demo.messages.persona import (
    AIS,
    AMI,
    ANGE,
    GISELE,
    HENRI,
    IFD,
    JEAN,
    ODETTE,
    PAULETTE,
    PS_AM,
    PS_TELETRANS,
    paris,
    reunion,
)

_CAISSE_NUMBER = {"511": "01511", "974": "01974"}


def _noemie(caisse: str, file_id: str, created: date, flow_type: str = "R") -> nw.NoemieFile:
    return nw.NoemieFile(sender_type="CP", sender_number=_CAISSE_NUMBER[caisse],
                         recipient_number=int(PS_AM), file_id=file_id, created=created,
                         flow_type=flow_type)


def machine_mail(*, slug: str, when: datetime, caisse: str, payload: bytes, nature: str,
                 invoice_count: int, wrap: bool = False) -> bytes:
    sender = nw.caisse_address(caisse)
    return nw.edi_mail(
        payload, caisse=caisse, to=PS_TELETRANS, date=when,
        message_id=message_id(when, slug, sender), nature=nature,
        invoice_count=invoice_count, boundary=f"=_cpambot-demo_{slug}_0" if wrap else None,
        trace_headers=trace_headers(sender, PS_TELETRANS, when, slug, "spf-only"))


def _acts_60(line: int, nature: str, coef: int, unit: int, care: date,
             amc: bool = False) -> tuple[str, int, int]:
    """One 210 line at 60 % AMO (+ 40 % AMC when ``amc``); returns (entity, amo, amc)."""
    amo = unit * 60 // 100
    rest = unit - amo
    ent = nw.acte(line=line, nature=nature, coefficient=coef, care_date=care, unit_price=unit,
                  base=unit, rate=60, reimbursed=amo, amc_rate=40 if amc else 0,
                  amc_amount=rest if amc else 0, amc_base=unit if amc else 0)
    return ent, amo, rest


def _acts_100(line: int, nature: str, coef: int, unit: int, care: date) -> str:
    return nw.acte(line=line, nature=nature, coefficient=coef, care_date=care, unit_price=unit,
                   base=unit, rate=100, reimbursed=unit, exemption="4")


def arl_positif() -> bytes:
    when = reunion(3, 3, 6, 12)
    payload = nw.arl_file(caisse=974, sender_number=_CAISSE_NUMBER["974"],
                          recipient_number=int(PS_AM), file_id="A26062",
                          created=date(2026, 3, 3), lot_number=42, acked_file_id="B00042",
                          received=date(2026, 3, 2), positive=True, invoice_count=3,
                          compress=True)
    return machine_mail(slug="arl-042", when=when, caisse="974", payload=payload, nature="ARL",
                        invoice_count=3)


def arl_negatif() -> bytes:
    when = reunion(3, 3, 6, 14)
    payload = nw.arl_file(caisse=974, sender_number=_CAISSE_NUMBER["974"],
                          recipient_number=int(PS_AM), file_id="A26063",
                          created=date(2026, 3, 3), lot_number=43, acked_file_id="B00043",
                          received=date(2026, 3, 2), positive=False, reason_code="0101",
                          reason_label="FICHIER NON CONFORME AU CAHIER DES CHARGES",
                          invoice_count=4)
    return machine_mail(slug="arl-043", when=when, caisse="974", payload=payload, nature="ARL",
                        invoice_count=4)


def noemie_2900() -> bytes:
    """CPAM 511, lot 038: invoice 12201 rejected 2900, invoice 12202 deferred (D)."""
    when = paris(2, 23, 5, 40)
    lot_date = date(2026, 2, 16)
    nf = _noemie("511", "R26054", date(2026, 2, 23))
    nf.add(nw.date_comptable(date(2026, 2, 20)))
    nf.open_block(nw.lot(lot_date, 38))
    nf.add(nw.return_type("01"))
    care = date(2026, 2, 13)
    nf.add(nw.facture(12201, lot_number=38, lot_date=lot_date, billing_date=care),
           PAULETTE.entity_103())
    l1, a1, _ = _acts_60(1, "AMI", 100, AMI, care)
    l2, a2, _ = _acts_60(2, "IFD", 100, IFD, care)
    nf.add(nw.part_amo(a1 + a2, "R", 0), l1, l2,
           nw.ligne_rejet("2900", "FACTURE DEJA PAYEE", level="F", part="O", care_date=care,
                          performer=int(PS_AM), info="005"))
    care2 = date(2026, 2, 14)
    nf.add(nw.facture(12202, lot_number=38, lot_date=lot_date, billing_date=care2),
           HENRI.entity_103(), nw.part_amo(AIS * 3 + IFD, "D", 0),
           _acts_100(1, "AIS", 300, AIS * 3, care2), _acts_100(2, "IFD", 100, IFD, care2),
           nw.commentaire("FACTURE EN COURS DE TRAITEMENT - NE PAS RETRANSMETTRE"))
    nf.close_block()
    return machine_mail(slug="rsp-038", when=when, caisse="511", payload=nf.to_bytes(),
                        nature="NOEMIE/RSP", invoice_count=2)


def noemie_paiement() -> bytes:
    """CGSS 974, lot 042: invoices 12345 and 12346 paid, plus a forfait block."""
    when = reunion(3, 5, 6, 20)
    lot_date = date(2026, 3, 2)
    nf = _noemie("974", "R26064", date(2026, 3, 5))
    nf.add(nw.virement(date(2026, 3, 5), "VIR CGSS REUNION 260305", f"PS {PS_AM} RSP",
                       "CGSS974"))
    nf.open_block(nw.lot(lot_date, 42))
    nf.add(nw.return_type("01"))
    care = date(2026, 2, 27)
    l1 = _acts_100(1, "AMI", 200, AMI * 2, care)
    l2 = _acts_100(2, "IFD", 100, IFD, care)
    nf.add(nw.facture(12345, lot_number=42, lot_date=lot_date, billing_date=care),
           JEAN.entity_103(), nw.part_amo(AMI * 2 + IFD, "P", AMI * 2 + IFD), l1, l2)
    care = date(2026, 2, 28)
    l1, amo, _ = _acts_60(1, "AMI", 100, AMI, care)
    nf.add(nw.facture(12346, lot_number=42, lot_date=lot_date, billing_date=care),
           GISELE.entity_103(), nw.part_amo(amo, "P", amo), l1)
    nf.close_block()
    nf.open_block(nw.return_type("03"))
    nf.add(nw.forfait(310, 49000),
           nw.forfait_detail(code="00310", label="FORFAIT AIDE A LA MODERNISATION ET "
                             "INFORMATISATION DU CABINET 2025", period="A",
                             start=date(2025, 1, 1), end=date(2025, 12, 31), amount=49000))
    nf.close_block()
    return machine_mail(slug="rsp-042-paie", when=when, caisse="974",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=2)


def noemie_0250() -> bytes:
    """CGSS 974, lot 042: invoice 12347 rejected 0250 (patient born in Corsica, 2A)."""
    when = reunion(3, 6, 6, 18)
    lot_date = date(2026, 3, 2)
    nf = _noemie("974", "R26065", date(2026, 3, 6))
    nf.add(nw.date_comptable(date(2026, 3, 6)))
    nf.open_block(nw.lot(lot_date, 42))
    nf.add(nw.return_type("01"))
    care = date(2026, 3, 2)
    line, amo, _ = _acts_60(1, "AMI", 300, AMI * 3, care)
    nf.add(nw.facture(12347, lot_number=42, lot_date=lot_date, billing_date=care),
           ANGE.entity_103(), nw.part_amo(amo, "R", 0), line,
           nw.ligne_rejet("0250", "ASSURE ABSENT DE NOTRE REFERENTIEL", level="F", part="O",
                          care_date=care, performer=int(PS_AM), info="050"),
           nw.commentaire("VERIFIER LA CAISSE D'AFFILIATION DE L'ASSURE (ADRI) AVANT "
                          "RETRANSMISSION"))
    nf.close_block()
    return machine_mail(slug="rsp-042-rejet", when=when, caisse="974",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=1)


def noemie_amc() -> bytes:
    """CPAM 511, lot 039: invoice 12260, AMO paid, AMC part rejected (part C)."""
    when = paris(3, 9, 5, 35)
    lot_date = date(2026, 2, 25)
    care = date(2026, 2, 24)
    l1, o1, c1 = _acts_60(1, "AMI", 400, AMI * 4, care, amc=True)
    l2, o2, c2 = _acts_60(2, "IFD", 100, IFD, care, amc=True)
    nf = _noemie("511", "R26068", date(2026, 3, 9))
    nf.add(nw.virement(date(2026, 3, 9), "VIR CPAM MARNE 260309", f"PS {PS_AM} RSP",
                       "CPAM511"))
    nf.open_block(nw.lot(lot_date, 39))
    nf.add(nw.return_type("01"),
           nw.facture(12260, lot_number=39, lot_date=lot_date, billing_date=care,
                      amc_processing="C"),
           ODETTE.entity_103(), nw.part_amo(o1 + o2, "P", o1 + o2),
           nw.part_amc(c1 + c2, "R", 0, amc_number=88888888, member_id="VMD0004417"),
           l1, l2,
           nw.ligne_rejet("0602", "DROITS AMC NON OUVERTS A LA DATE DES SOINS", level="F",
                          part="C", care_date=care, performer=int(PS_AM),
                          info="CONTRAT CLOS LE 31/12/2025"))
    nf.close_block()
    return machine_mail(slug="rsp-039-amc", when=when, caisse="511",
                        payload=nf.to_bytes(compress=True), nature="NOEMIE/RSP",
                        invoice_count=1, wrap=True)


def noemie_retenue() -> bytes:
    """CPAM 511: lot 044 paid (74,90 €) and a retenue IND/RPR of 44,52 € without reference."""
    when = paris(3, 23, 5, 31)
    lot_date = date(2026, 3, 9)
    nf = _noemie("511", "R26082", date(2026, 3, 23))
    nf.add(nw.virement(date(2026, 3, 23), "VIR CPAM MARNE 260323", f"PS {PS_AM} RSP",
                       "CPAM511"))
    nf.open_block(nw.lot(lot_date, 44))
    nf.add(nw.return_type("01"))
    lines = []
    for day in range(7):
        care = date(2026, 3, 1) + timedelta(days=day)
        lines.append(_acts_100(2 * day + 1, "AIS", 300, AIS * 3, care))
        lines.append(_acts_100(2 * day + 2, "IFD", 100, IFD, care))
    total = 7 * (AIS * 3 + IFD)
    nf.add(nw.facture(12360, lot_number=44, lot_date=lot_date, billing_date=date(2026, 3, 8)),
           HENRI.entity_103(), nw.part_amo(total, "P", total), *lines)
    nf.close_block()
    nf.open_block(nw.return_type("05"))
    nf.add(nw.retenue(line=1, debt_reference="PSQ2600187", debt_date=date(2026, 3, 20),
                      debt_nature="IND", operation="RPR", amount=-4452, balance=0))
    nf.close_block()
    assert nf.file_total == 3038
    return machine_mail(slug="rsp-retenue", when=when, caisse="511", payload=nf.to_bytes(),
                        nature="NOEMIE/RSP", invoice_count=1)


def noemie_test_flux() -> bytes:
    """CGSS 974, test flow (T), plain, CRLF between entities, an unknown 777 entity."""
    when = reunion(4, 7, 6, 25)
    lot_date = date(2026, 4, 1)
    care = date(2026, 3, 31)
    nf = _noemie("974", "T26097", date(2026, 4, 7), flow_type="T")
    nf.add(nw.virement(date(2026, 4, 7), "VIR TEST CGSS REUNION", "FLUX DE TEST", "CGSS974"))
    nf.open_block(nw.lot(lot_date, 47))
    nf.add(nw.return_type("01"),
           nw.facture(12399, lot_number=47, lot_date=lot_date, billing_date=care),
           JEAN.entity_103(), nw.part_amo(AMI, "P", AMI), _acts_100(1, "AMI", 100, AMI, care),
           nw.rejet(1, "TEST000001", "FLUX DE TEST - NE PAS TRAITER"))
    nf.add_raw("77702ENTITE INCONNUE POUR TEST DE ROBUSTESSE DU DECODEUR@")
    nf.close_block()
    return machine_mail(slug="rsp-test", when=when, caisse="974",
                        payload=nf.to_bytes(line_breaks=True), nature="NOEMIE/RSP",
                        invoice_count=1)
