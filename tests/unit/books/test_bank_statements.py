"""Bank statements written by others, in the voices of French banks (tests/fixtures/bank/): each read
with the operations, totals and sample lines its .expected.json gives."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from paths import ROOT

from cpambot.books.bank import BankLine, CsvColumns, parse_amount, read_statement
from cpambot.errors import StatementError

FIXTURES = ROOT / "tests" / "fixtures" / "bank"
HOLDOUT = ROOT / "tests" / "fixtures" / "bank-holdout"  # (kept aside until the reader was done: both right)


def differences(path: Path) -> list[str]:
    """What reading ``path`` got wrong against its expectation (empty: all right)."""
    expected = json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
    try:
        lines = read_statement(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - a refusal is a difference, reported
        return [f"{exc.__class__.__name__}: {exc}"]
    diffs = []
    if len(lines) != expected["operations"]:
        diffs.append(f"{len(lines)} opérations au lieu de {expected['operations']}")
    credits = sum((x.amount for x in lines if x.amount > 0), Decimal("0"))
    debits = sum((x.amount for x in lines if x.amount < 0), Decimal("0"))
    if credits != Decimal(expected["credits_total"]):
        diffs.append(f"crédits {credits} au lieu de {expected['credits_total']}")
    if debits != Decimal(expected["debits_total"]):
        diffs.append(f"débits {debits} au lieu de {expected['debits_total']}")
    for sample in expected["samples"]:
        if not any(_is(x, sample) for x in lines):
            diffs.append(f"ligne manquante : {sample}")
    return diffs


def _is(line: BankLine, sample: dict) -> bool:
    return (line.day == date.fromisoformat(sample["date"]) and line.amount == Decimal(sample["amount"])
            and sample["label_contains"].lower() in line.label.lower())


@pytest.mark.parametrize("path", sorted(p for folder in (FIXTURES, HOLDOUT) for p in folder.iterdir()
                                         if not p.name.endswith(".json")), ids=lambda p: p.stem)
def test_statement_of_a_french_bank(path):
    """GIVEN a statement as a French bank exports it (CSV or OFX, its encoding, preamble, columns and
    footers) WHEN read THEN every operation with its date, signed amount and label, nothing else."""
    assert differences(path) == []


def test_columns_named_in_the_configuration():
    """GIVEN a CSV whose headers no bank uses (« Jour », « Quoi », « Combien ») WHEN read with those
    columns named THEN its operations are read."""
    data = b"Jour;Quoi;Combien\n06/03/2026;VIR CPAM;9,21\n07/03/2026;CB;-3,00\n"
    lines = read_statement(data, CsvColumns(date=("jour",), label=("Quoi",), amount=("COMBIEN",)))
    assert [(x.day, x.amount, x.label) for x in lines] == [(date(2026, 3, 6), Decimal("9.21"), "VIR CPAM"),
                                                          (date(2026, 3, 7), Decimal("-3.00"), "CB")]


@pytest.mark.parametrize(("text", "value"), [
    ("1 234,56", "1234.56"), ("-12,50", "-12.50"), ("+1234.56", "1234.56"), ("12,50 €", "12.50"),
    ("1.234,56", "1234.56"), ("1,234.56", "1234.56"), ("(12,50)", "-12.50"), ("1\u202f500,00", "1500.00"),
    ("", None), ("  ", None)])
def test_amounts_as_banks_write_them(text, value):
    """GIVEN an amount as a bank writes it WHEN read THEN its value (None for an empty cell)."""
    assert parse_amount(text) == (Decimal(value) if value is not None else None)


def test_an_amount_that_is_not_one():
    """GIVEN « douze euros » in the amount column WHEN read THEN a French error names the line and the
    cell."""
    data = "Date;Libellé;Montant\n06/03/2026;VIR CPAM;douze euros\n".encode()
    with pytest.raises(StatementError, match="ligne 2 : montant illisible « douze euros »"):
        read_statement(data)
