"""One NOEMIE layout: the demo writer writes every entity from it and the decoder reads every field back.

Values are pseudo-random but fixed (seeded by entity type and field name) and fill their whole
width, so a field read at a wrong offset or width cannot come back equal.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from decimal import Decimal

import pytest

from cpambot.demo import noemie_writer as nw
from cpambot.understanding.decode._framing import Reader
from cpambot.understanding.decode.grouped import Invoice
from cpambot.understanding.decode.layout import (
    ARL_WIDTHS,
    NOEMIE,
    NOEMIE_WIDTHS,
    WRITABLE,
    EntityLayout,
    Field,
    Kind,
)
from cpambot.understanding.decode.noemie import decode_noemie

REF_YEAR = 2026  # dates below are chosen so that every century rule gives the written year
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def sample(layout: EntityLayout, seed: int = 0) -> dict[str, object]:
    """A value for every field of ``layout``, as the writer takes it (amounts as digits + sign)."""
    values: dict[str, object] = {}
    for f in layout.fields:
        rng = random.Random(f"{seed}:{layout.type}:{f.name}")
        if f.kind is Kind.TEXT:
            values[f.name] = "".join(rng.choice(LETTERS) for _ in range(f.width))
        elif f.kind in (Kind.NUMBER, Kind.AMOUNT):
            values[f.name] = str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789")
                                                                  for _ in range(f.width - 1))
        elif f.kind is Kind.DATE:
            values[f.name] = date(rng.randrange(1980, 2026), rng.randrange(1, 13), rng.randrange(1, 29))
        elif f.kind is Kind.SIGN:
            values[f.name] = rng.choice("PN")
        elif f.kind is Kind.CODE:
            assert f.codes is not None
            values[f.name] = rng.choice(sorted(f.codes)).strip()
    return values


def signed(layout: EntityLayout, f: Field, values: dict[str, object]) -> Decimal:
    """The euros an amount field stands for, signed by the field that follows it, if a sign."""
    cents = Decimal(str(values[f.name])).scaleb(-2)
    sign = layout.sign_of(f.name)
    return -cents if sign is not None and values[sign.name] == "N" else cents


def read_back(layout: EntityLayout, r: Reader, f: Field) -> object:
    """The decoder's reading of field ``f``, by the method its kind calls for."""
    if f.kind is Kind.NUMBER:
        return r.number(f.name)
    if f.kind is Kind.AMOUNT:
        return r.amount(f.name)
    if f.kind is Kind.DATE:
        return r.date(f.name)
    if f.kind in (Kind.CODE, Kind.SIGN):
        return r.code(f.name)
    return r.text(f.name)


def expected(layout: EntityLayout, f: Field, values: dict[str, object]) -> object:
    value = values.get(f.name)
    if f.kind is Kind.NUMBER:
        return int(str(value))
    if f.kind is Kind.AMOUNT:
        return signed(layout, f, values)
    if f.kind is Kind.FILLER:
        return ""
    return value


@pytest.mark.parametrize("etype", sorted(WRITABLE))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_field_written_is_read_back(etype, seed):
    """GIVEN every entity type of the one layout table and a full-width value for each of its fields
    WHEN the writer writes it and the decoder's Reader reads each field by name
    THEN the entity has the table's width, each field sits where the table says and reads back equal,
    and nothing is reported."""
    layout = WRITABLE[etype]
    values = sample(layout, seed)
    raw = nw.entity(etype, values)
    assert len(raw) == layout.width == nw.entity_width(etype)
    assert raw[:3] == etype and (raw[-1] == "@") == layout.framed
    problems: list[str] = []
    r = Reader(layout, raw, f"entité {etype}", problems.append, REF_YEAR)
    position = layout.start
    for f in layout.fields:
        assert layout.offsets[f.name] == position, f.name
        assert nw.field_value(raw, f.name) == raw[position:position + f.width]
        assert read_back(layout, r, f) == expected(layout, f, values), f"{etype} #{f.line} {f.name}"
        position += f.width
    assert position == layout.width - (1 if layout.framed else 0)
    assert problems == []


def test_framing_widths_come_from_the_table():
    """GIVEN the widths the decoder frames NOEMIE and ARL files with WHEN compared with the writer's
    THEN they are the same, entity by entity, and the ARL type is not a NOEMIE entity."""
    assert dict(NOEMIE_WIDTHS) == {t: nw.entity_width(t) for t in NOEMIE}
    assert dict(ARL_WIDTHS) == {t: nw.entity_width(t) for t in ("000", "ARL", "999")}
    assert "ARL" not in NOEMIE_WIDTHS
    assert NOEMIE_WIDTHS["000"] == NOEMIE_WIDTHS["999"] == 128


def test_niveau_de_rupture_of_the_table_is_written():
    """GIVEN an entity whose niveau the source fixes and one whose niveau is open WHEN written
    THEN the fixed one is written and cannot be changed; the open one takes the table's default or
    the one given."""
    assert nw.entity("990", {"count": 0, "total": 0})[3:5] == NOEMIE["990"].niveau == "99"
    with pytest.raises(ValueError):
        nw.entity("990", {"count": 0, "total": 0}, niveau="03")
    assert nw.entity("210")[3:5] == NOEMIE["210"].niveau == "04"
    assert nw.entity("210", niveau="07")[3:5] == "07"


def _values_of(record: object, layout: EntityLayout,
               values: dict[str, object]) -> list[tuple[str, object, object]]:
    """(field, decoded, written) for every record attribute named like a field of the layout."""
    assert dataclasses.is_dataclass(record) and not isinstance(record, type)
    out = []
    for attr in dataclasses.fields(record):
        if attr.name not in layout.offsets:
            continue
        f = layout.field(attr.name)
        got = getattr(record, attr.name)
        want = expected(layout, f, values)
        if isinstance(got, str) and isinstance(want, int):
            want = str(values[f.name])  # a number the parser keeps as written (NIR key, AMC number…)
        out.append((attr.name, got, want))
    return out


def test_a_file_of_every_entity_decodes_field_for_field():
    """GIVEN a file holding every NOEMIE entity type, each written by the writer from the table with
    full-width values WHEN decoded THEN nothing is skipped and every record attribute named like a
    layout field equals the value written."""
    written = {t: sample(NOEMIE[t]) for t in NOEMIE}
    written["000"].update(reference="0580", flow_type="R", created=date(REF_YEAR, 3, 5))
    order_a = ("102", "103", "120", "150", "160", "198", "199", "210", "220", "290", "294", "295")
    body = ["010", "020", "040", "070", "071", "080", "081", *order_a, "100", "110", "250", "261",
            "262", "990"]
    text = "".join(nw.entity(t, written[t]) for t in ("000", *body, "999"))
    f = decode_noemie(text.encode("ascii"))
    assert f.skipped == ()
    (lot,) = f.lots
    first, second = lot.invoices
    assert isinstance(first, Invoice) and second.short_form
    records = {
        "000": f.header, "999": f.trailer, "070": f.payments[0], "071": f.payments[1],
        "081": lot.return_types[0], "103": first.insured, "120": first.patient, "198": first.amo,
        "199": first.amc, "210": first.acts[0], "220": first.acts[1], "290": first.rejects[0],
        "294": first.rejects[1], "295": first.comments[0], "110": second.insured,
        "250": lot.retenues[0], "262": lot.forfaits[0].details[0], "990": lot.control,
    }
    compared = 0
    for etype, record in records.items():
        for name, got, want in _values_of(record, NOEMIE[etype], written[etype]):
            assert got == want, f"{etype} {name}"
            compared += 1
    assert compared > 100
    assert (lot.number, lot.date) == (written["080"]["lot_number"], written["080"]["lot_date"])
    assert first.number == written["102"]["invoice_number"]
    assert first.archive_number == written["160"]["archive_number"]
    assert first.comments[0].text == written["295"]["comment"]
    assert second.insured is not None and second.insured.birth_surname == written["110"]["surname"]
    assert f.payments[0].date == written["070"]["accounting_date"]
    assert second.number == written["100"]["invoice_number"]
    assert (lot.forfaits[0].code, lot.forfaits[0].amount) == (
        written["261"]["code"], signed(NOEMIE["261"], NOEMIE["261"].field("amount"), written["261"]))
    assert [p.number for p in f.payees] == [
        str(written["010"]["amc_number"]) + str(written["010"]["amc_key"]),
        written["020"]["payee_number"], written["040"]["payee_number"]]
