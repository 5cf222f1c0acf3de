"""The tracking table's files: French CSV read back by the csv module, XLSX read back by openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from cpambot.books.spreadsheet import to_csv, write_xlsx
from cpambot.books.tracking import COLUMNS

D = Decimal
ROWS = [
    {"invoice": "000012201", "lot": "038", "care": "13/02/2026", "sent": date(2026, 2, 16),
     "caisse": "CPAM de la Marne (511)", "amo_billed": D("1234.50"), "amo_rejected": D("3.54"),
     "amo_status": "rejetée", "reject_code": "2900", "reject_label": "FACTURE; « DEJA » PAYEE\nbis"},
    {"invoice": "000012260", "amo_paid": D("9.21"), "amc_rejected": D("6.14"), "paid_on": date(2026, 3, 9)},
]
TITLES = [c.title for c in COLUMNS]
COL = {c.key: i for i, c in enumerate(COLUMNS)}


def test_french_csv_round_trip():
    """GIVEN two rows, one with a « ; », quotes and a line break in a cell WHEN written as CSV THEN the
    file starts with a UTF-8 BOM, and read back with « ; » it gives the French headers, 1234,50 with a
    decimal comma, dates as JJ/MM/AAAA, the awkward cell intact, and a totals row."""
    data = to_csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0] == TITLES
    first, second, total = table[1], table[2], table[3]
    assert first[COL["amo_billed"]] == "1234,50" and first[COL["sent"]] == "16/02/2026"
    assert first[COL["reject_label"]] == "FACTURE; « DEJA » PAYEE\nbis"
    assert second[COL["amo_billed"]] == "" and second[COL["paid_on"]] == "09/03/2026"
    assert total[0] == "Total" and total[COL["amo_rejected"]] == "3,54"
    assert total[COL["amc_rejected"]] == "6,14"
    assert total[COL["amo_billed"]] == "1234,50" and total[COL["lot"]] == ""
    assert len(table) == 4


def test_xlsx_has_numbers_dates_a_frozen_header_filters_and_totals(tmp_path):
    """GIVEN the same rows WHEN written as XLSX and opened with openpyxl THEN amounts are numbers in euros,
    dates are dates, the header row is frozen and filtered, and the totals row holds SUBTOTAL formulas
    whose stored values are the sums."""
    path = tmp_path / "suivi.xlsx"
    write_xlsx(ROWS, path)
    sheet = openpyxl.load_workbook(path).active
    assert [c.value for c in sheet[1]] == TITLES
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{_letter(len(COLUMNS))}3"
    billed = sheet.cell(2, COL["amo_billed"] + 1)
    assert billed.value == 1234.5 and "€" in billed.number_format
    sent = sheet.cell(2, COL["sent"] + 1)
    assert sent.value == datetime(2026, 2, 16) and sent.is_date
    assert sheet.cell(2, 1).value == "000012201"  # (an invoice number keeps its zeros: text)
    assert sheet.cell(4, COL["amo_rejected"] + 1).value.startswith("=SUBTOTAL(9,")
    values = openpyxl.load_workbook(path, data_only=True).active
    assert values.cell(4, 1).value == "Total"
    assert values.cell(4, COL["amo_rejected"] + 1).value == 3.54
    assert values.cell(4, COL["amc_rejected"] + 1).value == 6.14


def test_an_empty_table_is_still_a_valid_file(tmp_path):
    """GIVEN no invoice WHEN written THEN the CSV has its header and a zero totals row, and the XLSX its
    header and totals of 0 (no formula pointing at itself)."""
    table = list(csv.reader(io.StringIO(to_csv([]).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert table[0] == TITLES and table[1][0] == "Total" and table[1][COL["amo_paid"]] == "0,00"
    path = tmp_path / "vide.xlsx"
    write_xlsx([], path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.cell(2, 1).value == "Total" and sheet.cell(2, COL["amo_paid"] + 1).value == 0


def _letter(n: int) -> str:
    out = ""
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out
