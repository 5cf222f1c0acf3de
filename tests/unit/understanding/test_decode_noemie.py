"""NOEMIE PS decoder: scenarios of domain.md §8 built with the demo writer, plus robustness.

All data is synthetic: NIRs come from ``make_nir`` (valid key), names are placeholders.
"""

from __future__ import annotations

import gzip
import zlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpambot.demo import noemie_writer as w
from cpambot.errors import DecodeError, TruncatedFile
from cpambot.understanding.decode.noemie import decode_noemie

NIR, KEY = w.make_nir(2, 65, 3, "51", "108", 42)
NIR2, KEY2 = w.make_nir(1, 30, 11, "2A", "004", 7)
CREATED = date(2026, 3, 5)
LOT_DATE = date(2026, 3, 2)
CARE = date(2026, 2, 27)


def new_file(flow_type: str = "R", file_id: str = "000123") -> w.NoemieFile:
    return w.NoemieFile(sender_type="CP", sender_number=1511, recipient_number=974123456,
                        file_id=file_id, created=CREATED, flow_type=flow_type)


def insured(nir: str = NIR, key: str = KEY, birth: date = date(1965, 3, 1)) -> str:
    return w.assure(nir=nir, nir_key=key, birth_surname="EXEMPLE", first_name="CAMILLE", birth_date=birth)


def act(line: int = 1, nature: str = "AMI", coefficient: int = 100, reimbursed: int = 189) -> str:
    return w.acte(line=line, nature=nature, coefficient=coefficient, care_date=CARE, unit_price=315,
                  base=315, rate=60, reimbursed=reimbursed)


def invoice(number: int = 12345, lot_number: int = 42, **kw: object) -> str:
    return w.facture(number, lot_number=lot_number, lot_date=LOT_DATE, billing_date=LOT_DATE, **kw)


def payment_file(flow_type: str = "R") -> w.NoemieFile:
    """F04: virement, lot 042, one FSE paid by the AMO, one AMI 1 line."""
    nf = new_file(flow_type)
    nf.add(w.virement(CREATED, "VIR CPAM 511 RSP", "LOT 042", payer="CPAM 511"))
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), insured(), w.part_amo(905, "P", 905), act())
    return nf.close_block()


def decode_text(text: str) -> object:
    return decode_noemie(text.encode("ascii"))


def test_payment_file_f04():
    """GIVEN a gzip NOEMIE payment file (F04) WHEN decoded THEN the payment, lot, invoice, AMO part and
    act are typed and the controls hold."""
    f = decode_noemie(payment_file().to_bytes(compress=True))
    assert f.compressed and not f.is_test and f.problems == () and f.skipped == ()
    assert (f.header.sender_type, f.header.file_id, f.header.reference) == ("CP", "000123", "0580")
    assert f.header.created == CREATED
    assert f.payments[0].date == CREATED and f.payments[0].label == "VIR CPAM 511 RSP LOT 042"
    assert f.payments[0].payer == "CPAM 511"
    (lot,) = f.lots
    assert (lot.number, lot.date, lot.return_types[0].code) == ("042", LOT_DATE, "01")
    assert lot.control.count == 1 and lot.control.total == Decimal("9.05")
    (inv,) = f.invoices
    assert (inv.number, inv.lot_number, inv.invoice_type, inv.return_type) == ("000012345", "042", "F", "01")
    assert inv.billing_date == LOT_DATE and inv.lot_date == LOT_DATE
    assert inv.amo.state == "P" and inv.amo.claimed == inv.amo.paid == Decimal("9.05") and inv.amc is None
    assert inv.paid == Decimal("9.05") and f.computed_total == f.trailer.file_total == Decimal("9.05")
    (line,) = inv.acts
    assert (line.line, line.nature, line.coefficient, line.care_date) == (1, "AMI", Decimal("1.00"), CARE)
    assert (line.unit_price, line.rate, line.reimbursed) == (Decimal("3.15"), 60, Decimal("1.89"))
    assert inv.insured.nir == NIR and inv.insured.nir_key == KEY and inv.insured.nir_key_ok
    assert inv.insured.birth_date == date(1965, 3, 1) and inv.insured.birth_surname == "EXEMPLE"


def test_personal_data_is_masked_in_repr():
    """GIVEN a decoded invoice with an insured person WHEN it is printed THEN only the NIR's last 4
    characters appear and no name."""
    text = repr(decode_noemie(payment_file().to_bytes()))
    assert NIR not in text and "EXEMPLE" not in text and "CAMILLE" not in text
    assert "*********" + NIR[-4:] in text


def test_invoice_level_reject_f05():
    """GIVEN an AMO part rejected with 294 2900 FACTURE DEJA PAYEE, level F, part O (F05)
    WHEN decoded THEN the invoice carries the reject with its code, level and part."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), insured(), w.part_amo(905, "R", 0),
           w.ligne_rejet("2900", "FACTURE DEJA PAYEE", level="F", part="O", info="005"))
    f = decode_noemie(nf.close_block().to_bytes(compress=True))
    (inv,) = f.invoices
    assert inv.amo.state == "R" and inv.amo.state_label == "rejetée" and inv.paid == 0
    (rej,) = inv.rejects
    assert (rej.entity, rej.code, rej.label, rej.level, rej.part, rej.info) == (
        "294", "2900", "FACTURE DEJA PAYEE", "F", "O", "005")
    assert f.problems == ()


def test_amo_paid_amc_rejected_f09():
    """GIVEN AMO paid and AMC rejected with a part-C reject line (F09) WHEN decoded THEN both parts and
    the AMC number are kept and the reject is on part C."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(amc_processing="E"), insured(), w.part_amo(189, "P", 189),
           w.part_amc(126, "R", 0, amc_number=775685365, member_id="ADH-0001"),
           w.ligne_rejet("1520", "ADHERENT INCONNU DE L'AMC", level="F", part="C"))
    f = decode_noemie(nf.close_block().to_bytes())
    (inv,) = f.invoices
    assert inv.amo.state == "P" and inv.amo.paid == Decimal("1.89")
    assert (inv.amc.kind, inv.amc.state, inv.amc.claimed) == ("AMC", "R", Decimal("1.26"))
    assert (inv.amc.amc_number, inv.amc.member_id, inv.amc_processing) == ("0775685365", "ADH-0001", "E")
    assert inv.rejects[0].part == "C" and f.problems == ()


def test_deferred_with_comment_f10():
    """GIVEN an AMO part différé and a 295 comment (F10) WHEN decoded THEN the state is D and the
    comment is attached to the invoice."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), w.part_amo(905, "D", 0),
           w.commentaire("FACTURE EN COURS DE TRAITEMENT", code="1"))
    f = decode_noemie(nf.close_block().to_bytes(compress=True))
    (inv,) = f.invoices
    assert inv.amo.state == "D" and inv.amo.state_label == "différée" and inv.insured is None
    assert inv.comments[0].text == "FACTURE EN COURS DE TRAITEMENT" and inv.comments[0].code == "1"


def test_retenue_without_invoice_f11():
    """GIVEN an 081 type 05 block outside lots with a 250 IND/RPR of 44,52 € (F11) WHEN decoded THEN the
    retenue is attached to the file, negative, with its balance, and no invoice exists."""
    nf = new_file()
    nf.add(w.virement(CREATED, "VIR CPAM 511"))
    nf.open_block(w.return_type("05"))
    nf.add(w.retenue(line=1, debt_reference="PSQ0001234", debt_date=date(2026, 1, 15), amount=-4452,
                     balance=10000))
    f = decode_noemie(nf.close_block().to_bytes(compress=True))
    assert f.invoices == () and f.lots == () and f.problems == ()
    (ret,) = f.retenues
    assert (ret.debt_reference, ret.debt_nature, ret.operation, ret.return_type) == ("PSQ0001234", "IND",
                                                                                      "RPR", "05")
    assert ret.amount == Decimal("-44.52") and ret.balance == Decimal("100.00")
    assert ret.debt_date == date(2026, 1, 15)
    assert f.all_retenues == (ret,) and f.trailer.file_total == Decimal("-44.52")
    assert f.controls[0].total == Decimal("-44.52") and f.return_types[0].label == "retenues"


def test_forfait_f12():
    """GIVEN an 081 type 03 block with a 261 forfait and its 262 detail (F12) WHEN decoded THEN the
    forfait holds its amount and detail, and the detail's NIR is masked in repr."""
    nf = new_file()
    nf.open_block(w.return_type("03"))
    nf.add(w.forfait(1, 49000), w.forfait_detail(code="FAT", label="AIDE A LA TELETRANSMISSION",
                                                 period="A", amount=49000, start=date(2025, 1, 1),
                                                 end=date(2025, 12, 31), nir=NIR2, nir_key=KEY2))
    f = decode_noemie(nf.close_block().to_bytes())
    (fo,) = f.forfaits
    assert (fo.code, fo.amount, fo.return_type) == ("00001", Decimal("490.00"), "03")
    (d,) = fo.details
    assert (d.label, d.period, d.start, d.end, d.nir) == ("AIDE A LA TELETRANSMISSION", "A",
                                                         date(2025, 1, 1), date(2025, 12, 31), NIR2)
    assert NIR2 not in repr(f) and f.problems == () and f.computed_total == Decimal("490.00")


def test_plain_test_flow_with_unknown_entity_f13():
    """GIVEN F04 not gzipped, flow type T and an unknown 777…@ entity (F13) WHEN decoded THEN the
    unknown entity is skipped, the file is flagged as test and everything else decodes."""
    nf = new_file(flow_type="T")
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice())
    nf.add_raw("77703UNKNOWN ENTITY CONTENT@")
    nf.add(w.part_amo(905, "P", 905))
    f = decode_noemie(nf.close_block().to_bytes())
    assert f.is_test and not f.compressed and f.header.flow_type == "T"
    assert [(s.entity_type, s.reason) for s in f.skipped] == [("777", "type d'entité inconnu")]
    assert f.invoices[0].amo.paid == Decimal("9.05") and f.problems == ()


def test_demo_flow_is_test():
    """GIVEN a flow of type D WHEN decoded THEN it is a test flow as well."""
    assert decode_noemie(payment_file("D").to_bytes()).is_test


def test_two_invoices_with_line_rejects_f08():
    """GIVEN two invoices in one lot, each with a line-level 294 reject (F08) WHEN decoded THEN each
    invoice keeps its own reject, line number and act nature."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"))
    nf.add(invoice(101), insured(), w.part_amo(315, "R", 0), act(1),
           w.ligne_rejet("0470", "PRESCRIPTION INTERDITE A CETTE DATE", level="L", nature="AMI",
                         care_date=CARE, line=1, rank=1, info="049"))
    nf.add(invoice(102), insured(NIR2, KEY2, date(1930, 11, 2)), w.part_amo(630, "R", 0), act(1), act(2),
           w.ligne_rejet("0460", "ETABLISSEMENT PRESCRIPTEUR INCONNU", level="L", nature="AMI",
                         care_date=CARE, line=2, rank=1, info="053"))
    f = decode_noemie(nf.close_block().to_bytes(compress=True))
    a, b = f.invoices
    assert (a.number, a.rejects[0].code, a.rejects[0].line) == ("000000101", "0470", 1)
    assert a.rejects[0].level == "L" and a.rejects[0].info == "049"
    assert (b.number, b.rejects[0].code, b.rejects[0].line, len(b.acts)) == ("000000102", "0460", 2, 2)
    assert b.rejects[0].care_date == CARE and b.rejects[0].nature == "AMI" and b.rejects[0].rank == 1
    assert b.insured.birth_date == date(1930, 11, 2) and f.lots[0].control.count == 2
    assert f.problems == ()


def test_multi_lot_file():
    """GIVEN two lots and a retenue block WHEN decoded THEN invoices are grouped per lot, know their lot
    number, and the 999 totals match."""
    nf = new_file()
    nf.add(w.virement(CREATED, "VIR CPAM 511"))
    for lot_no, numbers in ((42, (1, 2)), (43, (3,))):
        nf.open_block(w.lot(LOT_DATE, lot_no))
        nf.add(w.return_type("01"))
        for n in numbers:
            nf.add(invoice(n, lot_number=lot_no), w.part_amo(905, "P", 905), act())
        nf.close_block()
    nf.open_block(w.return_type("05"))
    nf.add(w.retenue(line=1, debt_reference="D1", debt_date=date(2026, 1, 2), amount=-500))
    f = decode_noemie(nf.close_block().to_bytes(compress=True))
    assert [lot.number for lot in f.lots] == ["042", "043"]
    assert [[i.lot_number for i in lot.invoices] for lot in f.lots] == [["042", "042"], ["043"]]
    assert f.trailer.lot_count == 2 and f.trailer.file_total == Decimal("22.15") == f.computed_total
    assert len(f.retenues) == 1 and f.problems == ()


def test_line_breaks_between_entities():
    """GIVEN the F04 file with CRLF after each entity WHEN decoded THEN it equals the file without them."""
    nf = payment_file()
    plain = decode_noemie(nf.to_bytes())
    crlf = decode_noemie(nf.to_bytes(line_breaks=True))
    assert crlf.invoices == plain.invoices and crlf.problems == () and crlf.skipped == ()


def test_zlib_payload():
    """GIVEN a zlib-compressed file WHEN decoded THEN it is inflated and flagged compressed."""
    f = decode_noemie(zlib.compress(payment_file().text().encode()))
    assert f.compressed and f.invoices[0].number == "000012345"


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1 and len(old) == len(new)
    return text.replace(old, new)


def test_totals_mismatch_is_reported_not_raised():
    """GIVEN a file whose 990 and 999 announce wrong count and amounts WHEN decoded THEN problems say so
    in French and the data is still returned."""
    text = payment_file().text()
    text = _replace(text, w.totals(1, 905, "LOT 042"), w.totals(2, 1000, "LOT 042"))
    f = decode_text(text)
    assert any("990 annonce 2 élément(s), 1 trouvé(s)" in p for p in f.problems)
    assert any("990 annonce 10,00 €" in p for p in f.problems)
    assert any("999 : total annoncé 9,05 €, somme des contrôles 990 10,00 €" in p for p in f.problems)
    assert f.invoices[0].amo.paid == Decimal("9.05")


def test_trailer_lot_count_mismatch_is_reported():
    """GIVEN a 999 announcing 3 lots for 1 WHEN decoded THEN a problem names both counts."""
    nf = payment_file()
    text = nf.text()
    good = text[-128:]
    bad = good[:82] + "003" + good[85:]
    f = decode_text(text[:-128] + bad)
    assert any("nombre de lots faux, 3 annoncé(s), 1 trouvé(s)" in p for p in f.problems)


def test_impossible_date_is_a_record_problem():
    """GIVEN an invoice whose billing date is 991399 WHEN decoded THEN the date is None and a problem is
    recorded on the file and the invoice, without failing."""
    fac = invoice()
    fac = fac[:30] + "991399" + fac[36:]
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), fac, w.part_amo(905, "P", 905))
    f = decode_noemie(nf.close_block().to_bytes())
    (inv,) = f.invoices
    assert inv.billing_date is None and inv.amo.paid == Decimal("9.05")
    assert any("Date de facturation" in p and "991399" in p for p in f.problems)


def test_century_rule():
    """GIVEN a file created in 2026 WHEN dates are decoded THEN birth dates are never after 2026 and other
    dates fall within 1976–2075."""
    nf = new_file()
    nf.open_block(w.lot(date(1999, 12, 30), 42))
    nf.add(w.return_type("01"), invoice(), insured(birth=date(1930, 1, 1)), w.part_amo(1, "P", 1))
    f = decode_noemie(nf.close_block().to_bytes())
    assert f.lots[0].date == date(1999, 12, 30) and f.invoices[0].insured.birth_date == date(1930, 1, 1)


def test_malformed_entity_is_skipped_and_reported():
    """GIVEN an 198 entity one character short WHEN decoded THEN it is reported as malformed and skipped,
    and the rest of the file is decoded."""
    text = payment_file().text()
    amo = w.part_amo(905, "P", 905)
    text = text.replace(amo, amo[:10] + amo[11:])
    f = decode_text(text)
    assert any("198 mal formée" in p for p in f.problems)
    assert f.skipped[0].entity_type == "198" and f.invoices[0].amo is None and len(f.invoices[0].acts) == 1


def test_lot_number_mismatch_is_reported():
    """GIVEN an invoice naming lot 043 inside lot 042 WHEN decoded THEN the invoice keeps its own lot
    number and a problem is reported."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(lot_number=43), w.part_amo(905, "P", 905))
    f = decode_noemie(nf.close_block().to_bytes())
    assert f.invoices[0].lot_number == "043"
    assert any("n° de lot 043 différent du lot 042" in p for p in f.invoices[0].problems)


def test_wrong_nir_key_is_reported_without_the_nir():
    """GIVEN an insured person whose NIR key is wrong WHEN decoded THEN a problem is recorded that does
    not contain the NIR, and the key is flagged as wrong."""
    bad_key = f"{(int(KEY) % 97) + 1:02d}"
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), insured(key=bad_key), w.part_amo(905, "P", 905))
    f = decode_noemie(nf.close_block().to_bytes())
    assert f.invoices[0].insured.nir_key_ok is False
    assert any("clé du numéro de sécurité sociale incorrecte" in p for p in f.problems)
    assert not any(NIR in p or NIR[-6:] in p for p in f.problems)


def test_corsican_nir_key_is_accepted():
    """GIVEN a synthetic NIR born in 2A with its key WHEN decoded THEN the key is valid."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), insured(NIR2, KEY2), w.part_amo(905, "P", 905))
    assert decode_noemie(nf.close_block().to_bytes()).invoices[0].insured.nir_key_ok is True


def test_retenue_inside_a_lot_belongs_to_the_lot():
    """GIVEN a 250 retenue after the invoices of a lot WHEN decoded THEN it is attached to that lot and
    the lot's control (invoices count, net money) holds."""
    nf = new_file()
    nf.open_block(w.lot(LOT_DATE, 42))
    nf.add(w.return_type("01"), invoice(), w.part_amo(905, "P", 905), w.return_type("05"),
           w.retenue(line=1, debt_reference="D2", debt_date=date(2026, 1, 2), amount=-300))
    f = decode_noemie(nf.close_block().to_bytes())
    assert f.retenues == () and f.lots[0].retenues[0].amount == Decimal("-3.00")
    assert f.all_retenues == f.lots[0].retenues and f.problems == ()
    assert f.lots[0].control.total == Decimal("6.05") == f.computed_total


def test_unknown_entity_without_delimiter_before_trailer():
    """GIVEN an unknown entity with no @ just before the 999 WHEN decoded THEN it is skipped up to the
    999, which is still read (the record count then differs by one)."""
    text = payment_file().text()
    f = decode_text(text[:-128] + "88801NO DELIMITER" + text[-128:])
    assert f.skipped[-1].entity_type == "888" and f.trailer.file_total == Decimal("9.05")
    assert f.problems == ("fin de fichier 999 : 10 enregistrements annoncés, 11 lus",)


def test_missing_control_and_trailing_data_are_reported():
    """GIVEN a lot without its 990 and text after the 999 WHEN decoded THEN both are reported."""
    text = payment_file().text().replace(w.totals(1, 905, "LOT 042"), "")
    f = decode_text(text + "\r\nTRAILING NOISE\r\n")
    assert any("lot 042 : pas d'entité de contrôle 990" in p for p in f.problems)
    assert any("après l'entité de fin 999" in p for p in f.problems)


@pytest.mark.parametrize("cut", [20, 200, 300, -25, -128])
def test_truncated_file_raises(cut):
    """GIVEN a file cut in an entity or just before/inside its 999 WHEN decoded THEN TruncatedFile says
    « fichier NOEMIE tronqué »."""
    data = payment_file().to_bytes()
    with pytest.raises(TruncatedFile) as err:
        decode_noemie(data[:cut])
    assert err.value.reason.startswith("fichier NOEMIE tronqué : ")


def test_trailing_spaces_removed_by_a_mail_client_are_only_filler():
    """GIVEN a line-based file whose lines lost their trailing spaces (a mail client or an editor trims
    them: the 999's filler is gone) or were padded with spaces to 160 columns WHEN decoded THEN it reads
    as the original, without problem."""
    text = payment_file().text()
    trimmed = "\r\n".join(line.rstrip() for line in text.replace("@", "@\r\n").splitlines())
    padded = "\r\n".join(line.ljust(160) for line in text.replace("@", "@\r\n").splitlines())
    original = decode_text(text)
    for variant in (trimmed, padded):
        decoded = decode_text(variant)
        assert decoded.invoices == original.invoices and not decoded.problems


def test_truncated_gzip_raises():
    """GIVEN a gzip payload cut in the middle WHEN decoded THEN DecodeError explains it."""
    data = payment_file().to_bytes(compress=True)
    with pytest.raises(DecodeError, match="compressé tronqué"):
        decode_noemie(data[: len(data) // 2])


@pytest.mark.parametrize("data,reason", [
    (bytes(range(256)) * 4, "contenu binaire illisible"),
    (b"\x1f\x8b\x08\x00garbage", "contenu compressé"),
    (b"\x1f\x8b\x09\x00garbage", "contenu compressé illisible"),
    (b"", "fichier vide"),
    (b"Bonjour, ceci est un texte.", "pas un fichier NOEMIE"),
    (gzip.compress(b"%PDF-1.4\n\x00\x01"), "contenu binaire illisible"),
])
def test_garbage_raises_decode_error(data, reason):
    """GIVEN binary or foreign content WHEN decoded THEN DecodeError carries a French reason."""
    with pytest.raises(DecodeError) as err:
        decode_noemie(data)
    assert reason in err.value.reason


def test_arl_is_not_noemie():
    """GIVEN an ARL file WHEN decoded as NOEMIE THEN DecodeError says it is an ARL."""
    arl = w.arl_file(caisse=511, sender_number=1511, recipient_number=974123456, file_id="A00001",
                     created=CREATED, lot_number=42, acked_file_id="B00042", received=CREATED, positive=True)
    with pytest.raises(DecodeError, match="ARL"):
        decode_noemie(arl)


# --------------------------------------------------------------------------
# Property: whatever the input, only DecodeError
# --------------------------------------------------------------------------

def _valid_texts() -> list[bytes]:
    f = payment_file()
    nf = new_file()
    nf.open_block(w.return_type("03"))
    nf.add(w.forfait(1, 100), w.forfait_detail(code="X", label="Y", period="A", amount=100))
    nf.close_block()
    nf.open_block(w.return_type("05"))
    nf.add(w.retenue(line=1, debt_reference="R", debt_date=CARE, amount=-100))
    nf.close_block()
    return [f.to_bytes(), f.to_bytes(line_breaks=True), nf.to_bytes()]


VALID = _valid_texts()
_INSERTS = st.one_of(st.binary(min_size=1, max_size=8),
                     st.sampled_from([b"@", b"\r\n", b"999", b"000", b"777xx@", b"N", b"991399", b" "]))


@st.composite
def mutated(draw: st.DrawFn, valid: list[bytes], compress: bool = True) -> bytes:
    """A valid payload with a few byte flips, deletions, insertions or a truncation; maybe compressed."""
    data = bytearray(draw(st.sampled_from(valid)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 20))]
        elif op == "insert":
            data[pos:pos] = draw(_INSERTS)
        else:
            del data[pos:]
    packing = draw(st.sampled_from(["plain", "gzip", "zlib", "gzip-cut"] if compress else ["plain"]))
    if packing == "gzip":
        return gzip.compress(bytes(data), mtime=0)
    if packing == "zlib":
        return zlib.compress(bytes(data))
    if packing == "gzip-cut":
        packed = gzip.compress(bytes(data), mtime=0)
        return packed[:draw(st.integers(0, len(packed)))]
    return bytes(data)


def assert_only_decode_error(decoder, data: bytes) -> None:
    try:
        result = decoder(data)
    except DecodeError as exc:
        assert isinstance(exc.reason, str) and exc.reason
        assert "erreur interne" not in exc.reason, exc.reason
        return
    assert all(isinstance(p, str) for p in result.problems)
    repr(result)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated(VALID)))
def test_decode_noemie_raises_only_decode_error(data):
    """GIVEN random bytes or a mutated valid file WHEN decoded THEN the only exception is DecodeError."""
    assert_only_decode_error(decode_noemie, data)


def test_a_return_whose_totals_do_not_add_up_is_shown_not_acted_on():
    """GIVEN a NOEMIE e-mail whose 999 announces a wrong total WHEN read THEN its facts are kept, the
    problem is named, and the reading asks a human (no draft, no advice from it)."""
    from cpambot.understanding.reader import read_message

    text = payment_file().text()
    text = _replace(text, w.totals(1, 905, "LOT 042"), w.totals(2, 1000, "LOT 042"))
    raw = ("From: 01974@974.01.rss.fr\nTo: teletrans@example.org\nSubject: NOEMIE\n"
           "Date: Mon, 02 Mar 2026 10:00:00 +0400\nMessage-ID: <n@rss.fr>\nMIME-Version: 1.0\n"
           "Content-Type: application/EDI-consent\nContent-Description: NOEMIE\n\n" + text).encode("latin-1")
    reading = read_message(raw, "caisse")
    assert reading.kind == "noemie" and reading.facts
    assert reading.needs_review and any("annonc" in p for p in reading.problems)


def test_forfaits_and_retenues_come_in_the_files_order():
    """GIVEN a forfait block (081 type 03) then a retenue block (081 type 05) WHEN read into facts THEN the
    forfait comes first, then the retenue with its debt reference and nature."""
    from cpambot.understanding.machine_returns import noemie_facts

    nf = new_file()
    nf.open_block(w.return_type("03"))
    nf.add(w.forfait(1, 49000), w.forfait_detail(code="FAT", label="FORFAIT AIDE MODERNISATION", period="A",
                                                 amount=49000, start=date(2026, 1, 1), end=date(2026, 12, 31),
                                                 nir=NIR2, nir_key=KEY2))
    nf.close_block()
    nf.open_block(w.return_type("05"))
    nf.add(w.retenue(line=1, debt_reference="IND0004417", debt_date=date(2026, 9, 15), amount=-6384))
    facts = noemie_facts(decode_noemie(nf.close_block().to_bytes()), "451")
    assert [(f.kind, str(f.amount), f.reference) for f in facts] == [
        ("forfait_paid", "490.00", None), ("retenue", "63.84", "IND0004417")]
    assert facts[1].details["nature"] == "IND"


def _noemie_mail(text: str) -> bytes:
    return ("From: 01974@974.01.rss.fr\nTo: teletrans@example.org\nSubject: NOEMIE\n"
            "Date: Mon, 02 Mar 2026 10:00:00 +0400\nMessage-ID: <m@rss.fr>\nMIME-Version: 1.0\n"
            "Content-Type: application/EDI-consent\nContent-Description: NOEMIE\n\n" + text).encode("latin-1")


def test_a_return_with_an_act_entity_skipped_asks_a_human():
    """GIVEN a NOEMIE e-mail whose act entity (210) is malformed, its totals still adding up WHEN read
    THEN the reading names the skipped entity and asks a human: an act's reject may be what was lost."""
    from cpambot.understanding.reader import read_message

    text = payment_file().text()
    line = act()
    assert line in text
    reading = read_message(_noemie_mail(text.replace(line, line[:30] + line[31:])), "caisse")
    assert any("210 mal formée" in p for p in reading.problems)
    assert reading.needs_review == "retour en partie illisible (enregistrements ignorés) : à vérifier"


def test_a_return_with_only_a_beneficiary_entity_skipped_is_read():
    """GIVEN a NOEMIE e-mail whose beneficiary entity (the insured's name, here one character short as a
    charset change leaves it) is malformed WHEN read THEN the problem is named but the payments are read
    without asking: a name is not money."""
    from cpambot.understanding.reader import read_message

    text = payment_file().text()
    person = insured()
    assert person in text
    reading = read_message(_noemie_mail(text.replace(person, person[:20] + person[21:])), "caisse")
    assert any("mal formée" in p for p in reading.problems)
    assert reading.needs_review is None and reading.facts
