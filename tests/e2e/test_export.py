"""``cpambot export`` on the demo mailbox: the tracking table as the professional opens it."""

from __future__ import annotations

import csv
import io
import stat

import openpyxl
import pytest

from cpambot.books.invoices import INVOICES
from cpambot.cli.main import main
from cpambot.demo.run import run_demo
from cpambot.store.database import Store


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("export") / "data"
    assert run_demo(data) == 0
    return data


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_lists_every_invoice_the_demo_mail_spoke_of(demo_data, capsysbinary):
    """GIVEN the demo mailbox read (NOEMIE returns, a lot return, platform messages) WHEN `cpambot export`
    runs THEN the CSV on the standard output has one row per invoice record of the store, the rejected
    invoice of lot 038 with its code, motif and case, and a totals row."""
    assert main(["export", "--data-dir", str(demo_data)]) == 0
    table = read_csv(capsysbinary.readouterr().out)
    with Store.open(demo_data, readonly=True) as store:
        invoices = {doc["invoice"] for doc in store.values(INVOICES, archived=True)}
    assert len(invoices) >= 10
    rows = {row[0]: row for row in table[1:-1]}
    assert set(rows) == invoices and table[-1][0] == "Total"
    rejected = rows["000012201"]
    assert rejected[1] == "038" and "2900" in rejected and "FACTURE DEJA PAYEE" in rejected
    assert any(cell.startswith("C") and cell[1:].isdigit() for cell in rejected)
    assert "3,54" in rejected


def test_dates_filter_and_xlsx_to_an_owner_only_file(demo_data, tmp_path, capsys):
    """GIVEN the demo WHEN exported as XLSX from 01/03/2026 to a file THEN the file is owner-only, opens
    in openpyxl with the invoices sent from March only, and the command says how many it wrote."""
    everything = tmp_path / "tout.xlsx"
    march = tmp_path / "mars.xlsx"
    assert main(["export", "--data-dir", str(demo_data), "--format", "xlsx", "-o", str(everything)]) == 0
    assert main(["export", "--data-dir", str(demo_data), "--format", "xlsx", "--depuis", "01/03/2026",
                 "--sortie", str(march)]) == 0
    assert "facture" in capsys.readouterr().err
    assert stat.S_IMODE(march.stat().st_mode) == 0o600
    full = [r for r in openpyxl.load_workbook(everything).active.iter_rows(min_row=2, values_only=True)]
    part = [r for r in openpyxl.load_workbook(march).active.iter_rows(min_row=2, values_only=True)]
    assert 0 < len(part) < len(full)
    assert "000012201" not in {r[0] for r in part}  # (its lot left on 16/02/2026)


def test_bad_dates_get_a_french_error(demo_data, capsys):
    """GIVEN an unreadable date, or a start after the end WHEN exported THEN exit 2 with a French message
    naming the problem."""
    with pytest.raises(SystemExit) as refused:
        main(["export", "--data-dir", str(demo_data), "--depuis", "31/02/2026"])
    assert refused.value.code == 2
    assert "date illisible : « 31/02/2026 »" in capsys.readouterr().err
    assert main(["export", "--data-dir", str(demo_data), "--depuis", "2026-03-02",
                 "--jusqu-a", "01/03/2026"]) == 2
    assert "« --depuis » est après « --jusqu-a »" in capsys.readouterr().err
