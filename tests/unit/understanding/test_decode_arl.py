"""ARL decoder (the demo writer's invented layout) and extraction of the EDI parts of a return e-mail."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_decode_noemie import assert_only_decode_error, mutated, payment_file

from cpambot.demo import noemie_writer as w
from cpambot.errors import DecodeError, TruncatedFile
from cpambot.understanding.decode.arl import ArlFile, decode_arl
from cpambot.understanding.decode.edi import decode_edi_part, extract_edi_parts
from cpambot.understanding.decode.noemie import NoemieFile

RECEIVED = date(2026, 3, 3)


def arl(positive: bool = True, *, compress: bool = False, flow_type: str = "R", **kw: object) -> bytes:
    args: dict[str, object] = dict(caisse=974, sender_number="01974", recipient_number=974123456,
                                   file_id="A00001", created=RECEIVED, lot_number=42, acked_file_id="B00042",
                                   received=RECEIVED, positive=positive, invoice_count=3,
                                   flow_type=flow_type, compress=compress)
    args.update(kw)
    return w.arl_file(**args)  # type: ignore[arg-type]


def mail(payload: bytes, **kw: object) -> bytes:
    args: dict[str, object] = dict(caisse=974, to="ps@example.org", message_id="<r1@example.test>",
                                   date=datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    args.update(kw)
    return w.edi_mail(payload, **args)


def test_positive_arl():
    """GIVEN a gzip ARL positif for lot 042 (F01) WHEN decoded THEN caisse, lot, file id, date and
    result are typed, with the default reason 0000."""
    f = decode_arl(arl(compress=True))
    assert f.compressed and f.positive and not f.is_test and f.problems == ()
    assert (f.caisse, f.lot_number, f.acked_file_id, f.received) == ("974", "042", "B00042", RECEIVED)
    assert (f.reason_code, f.reason_label, f.acks[0].invoice_count) == ("0000", "FICHIER CONFORME", 3)
    assert f.header.reference == "ARL" and f.header.file_id == "A00001"


def test_negative_arl():
    """GIVEN a plain ARL négatif for lot 043 (F02) WHEN decoded THEN it is negative with its motif."""
    f = decode_arl(arl(False, lot_number=43, reason_code="0101",
                       reason_label="FICHIER NON CONFORME AU CAHIER DES CHARGES"))
    assert not f.positive and f.acks[0].positive is False and not f.compressed
    assert (f.lot_number, f.reason_code, f.reason_label) == ("043", "0101",
                                                             "FICHIER NON CONFORME AU CAHIER DES CHARGES")


def test_test_flow_arl():
    """GIVEN an ARL in a test flow WHEN decoded THEN it is flagged as test."""
    assert decode_arl(arl(flow_type="T")).is_test


def test_unreadable_result_is_not_positive():
    """GIVEN an ARL whose result field holds X WHEN decoded THEN it is not positive and a problem says so."""
    text = arl().decode()
    pos = 128 + 23
    assert text[pos] == "P"
    f = decode_arl((text[:pos] + "X" + text[pos + 1:]).encode())
    assert f.acks[0].positive is None and not f.positive
    assert any("résultat « X » illisible" in p for p in f.problems)


def test_unknown_entity_in_arl_is_skipped():
    """GIVEN an ARL with an unknown entity before the ARL record WHEN decoded THEN it is skipped and the
    record count (which counts it) still matches."""
    text = arl().decode()
    text = text[:128] + "77701XYZ@" + text[128:]
    trailer = text[-128:]
    text = text[:-128] + trailer[:55] + "00000004" + trailer[63:]
    f = decode_arl(text.encode())
    assert [s.entity_type for s in f.skipped] == ["777"] and f.problems == () and f.positive


def test_truncated_arl_raises():
    """GIVEN an ARL cut in its ARL record WHEN decoded THEN TruncatedFile says « fichier ARL tronqué »."""
    with pytest.raises(TruncatedFile, match="fichier ARL tronqué"):
        decode_arl(arl()[:180])


@pytest.mark.parametrize("data", [b"\x00\x01\x02garbage", b"hello", b"", bytes(range(200))])
def test_garbage_arl_raises(data):
    """GIVEN garbage WHEN decoded as ARL THEN DecodeError."""
    with pytest.raises(DecodeError):
        decode_arl(data)


def test_noemie_is_not_arl():
    """GIVEN a NOEMIE payment file WHEN decoded as ARL THEN DecodeError: no ARL entity."""
    with pytest.raises(DecodeError, match="aucune entité d'accusé"):
        decode_arl(payment_file().to_bytes())


# --------------------------------------------------------------------------
# E-mail parts
# --------------------------------------------------------------------------

def test_extract_single_part_mail():
    """GIVEN a return mail whose body is the EDI part (gzip ARL) WHEN extracted THEN one part with its
    nature ARL/Z, the decoded payload and compressed=True."""
    payload = arl(compress=True)
    (part,) = extract_edi_parts(mail(payload, nature="ARL"))
    assert (part.nature, part.payload, part.compressed, part.transfer_encoding) == (
        "ARL/Z", payload, True, "base64")
    assert isinstance(decode_edi_part(part), ArlFile)


def test_extract_from_multipart_and_dispatch_noemie():
    """GIVEN a multipart mail with a NOEMIE/RSP part WHEN extracted and decoded THEN a NoemieFile."""
    raw = mail(payment_file().to_bytes(), boundary="==b1==")
    (part,) = extract_edi_parts(raw)
    assert part.nature == "NOEMIE/RSP" and not part.compressed
    decoded = decode_edi_part(part)
    assert isinstance(decoded, NoemieFile) and decoded.invoices[0].number == "000012345"


@pytest.mark.parametrize("nature,payload,kind", [
    ("", arl(), ArlFile),
    ("PIECE", gzip.compress(payment_file().to_bytes()), NoemieFile),
    ("RETOUR", arl(compress=True), ArlFile),
])
def test_dispatch_by_content_when_nature_is_silent(nature, payload, kind):
    """GIVEN a part whose nature names neither ARL nor NOEMIE WHEN decoded THEN the 000 header decides."""
    raw = mail(payload, nature=nature or "X")
    if not nature:
        raw = raw.replace(b"Content-Description: X\n", b"")
    (part,) = extract_edi_parts(raw)
    assert isinstance(decode_edi_part(part), kind)


def _hand_mail(body: str, ctype: str = "application/EDI-consent") -> bytes:
    return (f"From: 01511@511.01.rss.fr\nTo: ps@example.org\nSubject: x\nMIME-Version: 1.0\n"
            f"Content-Type: {ctype}\nContent-Transfer-Encoding: base64\n"
            f"Content-Description: NOEMIE\n\n{body}\n").encode()


def test_base64_tolerance():
    """GIVEN base64 without padding, with odd whitespace, in a lower-case content type WHEN extracted
    THEN the payload is intact."""
    payload = payment_file().to_bytes(compress=True)
    b64 = base64.b64encode(payload).decode().rstrip("=")
    body = "  \n".join(b64[i:i + 50] for i in range(0, len(b64), 50))
    (part,) = extract_edi_parts(_hand_mail(body, "application/edi-consent; name=retour"))
    assert part.payload == payload and part.compressed
    assert decode_edi_part(part).lots[0].number == "042"


@pytest.mark.parametrize("body", ["QUJD*RA==", "QUJDR", "QU=JD"])
def test_broken_base64_raises(body):
    """GIVEN an EDI part with characters outside base64 or an impossible length WHEN extracted THEN
    DecodeError."""
    with pytest.raises(DecodeError, match="base64 invalide"):
        extract_edi_parts(_hand_mail(body))


def test_mail_without_edi_part():
    """GIVEN an ordinary mail WHEN extracted THEN no part, no error."""
    raw = b"From: a@example.org\nSubject: bonjour\nContent-Type: text/plain\n\nBonjour\n"
    assert extract_edi_parts(raw) == []


def test_empty_part_cannot_be_decoded():
    """GIVEN an EDI part with an empty body WHEN decoded THEN DecodeError « fichier vide »."""
    (part,) = extract_edi_parts(_hand_mail(""))
    with pytest.raises(DecodeError, match="fichier vide"):
        decode_edi_part(part)


# --------------------------------------------------------------------------
# Properties: whatever the input, only DecodeError
# --------------------------------------------------------------------------

VALID_ARL = [arl(), arl(False, reason_code="4015", reason_label="ERREUR 4015")]
VALID_MAILS = [mail(arl(compress=True), nature="ARL"), mail(payment_file().to_bytes(), boundary="b0")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), mutated(VALID_ARL)))
def test_decode_arl_raises_only_decode_error(data):
    """GIVEN random bytes or a mutated ARL WHEN decoded THEN the only exception is DecodeError."""
    assert_only_decode_error(decode_arl, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=600), mutated(VALID_MAILS, compress=False)))
def test_extract_edi_parts_raises_only_decode_error(data):
    """GIVEN random bytes or a mutated return mail WHEN its EDI parts are extracted and decoded THEN the
    only exception is DecodeError."""
    try:
        parts = extract_edi_parts(data)
    except DecodeError as exc:
        assert exc.reason and "erreur interne" not in exc.reason and "message illisible" not in exc.reason
        return
    for part in parts:
        repr(part)
        assert_only_decode_error(decode_edi_part, part)
