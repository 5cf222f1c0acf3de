"""The tracking table as files a French spreadsheet opens right: CSV in the French convention
(``;`` between cells, decimal comma, dates JJ/MM/AAAA, UTF-8 with a BOM so that Excel does not take it
for Windows-1252), and XLSX with real numbers and dates, a frozen header row, filters and a totals row.

XLSX is written by xlsxwriter (pure Python, no dependency; in ``constant_memory`` mode a row goes to
disk as soon as it is written, so ten years of invoices never sit in the memory of a 1 GB NAS).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cpambot.books.tracking import COLUMNS, MONEY, Row, totals

TOTAL_LABEL = "Total"


def cell_text(value: Any) -> str:
    """A value as the French CSV writes it: ``1234,50``, ``03/11/2026``, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def to_csv(rows: Sequence[Row]) -> bytes:
    """The table as French CSV bytes (BOM, ``;``, CRLF), a totals row last."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.title for c in COLUMNS])
    for row in rows:
        writer.writerow([cell_text(row.get(c.key)) for c in COLUMNS])
    sums = totals(rows)
    writer.writerow([TOTAL_LABEL if i == 0 else cell_text(sums[c.key]) if c.key in MONEY else ""
                     for i, c in enumerate(COLUMNS)])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def write_xlsx(rows: Sequence[Row], path: Path, *, title: str = "Suivi des factures") -> None:
    """The table as an .xlsx file at ``path``: header frozen, filters, money as numbers in euros, dates
    as dates, and a totals row of formulas (their values stored too, for readers that do not compute)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "remove_timezone": True})
    try:
        sheet = book.add_worksheet(title[:31])
        head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                "valign": "top"})
        money = book.add_format({"num_format": '#,##0.00" €"'})
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        bold = book.add_format({"bold": True, "top": 1})
        bold_money = book.add_format({"bold": True, "top": 1, "num_format": '#,##0.00" €"'})
        for col, column in enumerate(COLUMNS):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.title, head)
        for r, row in enumerate(rows, start=1):
            for col, column in enumerate(COLUMNS):
                value = row.get(column.key)
                if value is None:
                    continue
                if column.kind == "money":
                    sheet.write_number(r, col, float(value), money)
                elif column.kind == "date":
                    sheet.write_datetime(r, col, value, day)
                else:
                    sheet.write_string(r, col, str(value))
        last = len(rows) + 1  # the totals row (0-based)
        sums = totals(rows)
        sheet.write_string(last, 0, TOTAL_LABEL, bold)
        for col, column in enumerate(COLUMNS[1:], start=1):
            if column.key in MONEY and rows:  # (SUBTOTAL: what the filters leave shown)
                span = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(last - 1, col)}"
                sheet.write_formula(last, col, f"=SUBTOTAL(9,{span})", bold_money, float(sums[column.key]))
            elif column.key in MONEY:
                sheet.write_number(last, col, 0, bold_money)
            else:
                sheet.write_blank(last, col, None, bold)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    finally:
        book.close()
