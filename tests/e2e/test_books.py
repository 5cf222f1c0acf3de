"""`cpambot export`, `calendrier`, `stats` and `rapprochement` on the demo mailbox: the books as the
professional opens them."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from icalendar import Calendar

from cpambot.books.invoices import INVOICES
from cpambot.cases.casebook import CaseBook
from cpambot.cli.main import main
from cpambot.demo.run import run_demo
from cpambot.service.books_mail import latest_reconciliation
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


def test_calendar_feed_of_the_demo_cases(demo_data, tmp_path, capsysbinary):
    """GIVEN the demo's cases WHEN `cpambot calendrier` runs twice THEN icalendar reads one event per
    deadline of the open cases, each with its alarm, and the second run gives the same UIDs; with
    `--rappel 7,1 -o FICHIER` the file is owner-only and each event rings twice."""
    with Store.open(demo_data, readonly=True) as store:
        deadlines = sum(len(c.deadlines) for c in CaseBook(store).all() if not c.is_closed)
    assert deadlines > 3
    runs = []
    for _ in range(2):
        assert main(["calendrier", "--data-dir", str(demo_data)]) == 0
        runs.append(Calendar.from_ical(capsysbinary.readouterr().out).walk("VEVENT"))
    assert len(runs[0]) == deadlines
    assert [str(e["UID"]) for e in runs[0]] == [str(e["UID"]) for e in runs[1]]
    assert all(len(e.walk("VALARM")) == 1 for e in runs[0])
    target = tmp_path / "echeances.ics"
    assert main(["calendrier", "--data-dir", str(demo_data), "--rappel", "7,1", "-o", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert all(len(e.walk("VALARM")) == 2 for e in Calendar.from_ical(target.read_bytes()).walk("VEVENT"))


def test_a_bad_reminder_gets_a_french_error(demo_data, capsys):
    """GIVEN « --rappel demain » WHEN run THEN exit 2 and the message says what is expected."""
    with pytest.raises(SystemExit) as refused:
        main(["calendrier", "--data-dir", str(demo_data), "--rappel", "demain"])
    assert refused.value.code == 2
    assert "rappel illisible : « demain » (attendu un nombre de jours" in capsys.readouterr().err


def test_stats_of_the_demo(demo_data, capsys):
    """GIVEN the demo WHEN `cpambot stats` runs by month, then by caisse as JSON THEN the text has the
    months of the demo mail, a total and its two indus (one read from the photo of a paper letter), and
    the JSON's total equals the sum of its lines."""
    assert main(["stats", "--data-dir", str(demo_data)]) == 0
    text = capsys.readouterr().out
    assert "février 2026" in text and "mars 2026" in text and "\nTotal " in text and "Indus : 2" in text
    assert main(["stats", "--data-dir", str(demo_data), "--par", "caisse", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {line["cle"] for line in data["lignes"]} >= {"511", "974"}
    assert sum(Decimal(line["paye"]) for line in data["lignes"]) == Decimal(data["total"]["paye"]) > 0


STATEMENT = """Compte courant n° 00012345678;;;
Solde au 31/03/2026;1 234,56;;
;;;
Date;Libellé;Débit;Crédit
06/03/2026;VIR SEPA CGSS REUNION PRESTATIONS;;500,94
10/03/2026;PRLV URSSAF;120,00;
12/03/2026;VIR CPAM DE LA MARNE;;9,21
25/03/2026;VIR CPAM DE LA MARNE;;25,00
""".encode("cp1252")


def test_bank_reconciliation_of_the_demo(demo_data, tmp_path, capsys):
    """GIVEN the demo's three transfers announced (500,94 € by the CGSS on 05/03, 9,21 € and 30,38 € by the
    CPAM) and a Windows-1252 CSV statement with account lines before its header WHEN `cpambot rapprochement`
    runs THEN two transfers are found, the third arrived 5,38 € short (told as a retenue without
    notification), the exit code is 1, and the report kept for the digest is owner-only and says the same;
    the digest after it takes the report, a later one does not; the tracking table then tells the day the
    transfer of each paid invoice reached the bank."""
    statement = tmp_path / "releve.csv"
    statement.write_bytes(STATEMENT)
    assert main(["rapprochement", str(statement), "--data-dir", str(demo_data)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Relevé du 06/03/2026 au 25/03/2026."
    assert "manque 5,38 €" in out[1] and "RETENUE SANS NOTIFICATION" in out[1]
    assert out[-1] == "Virements annoncés et bien reçus : 2 (510,15 €)."
    (report,) = (demo_data / "rapprochements").iterdir()
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert latest_reconciliation(demo_data, None) == out
    assert latest_reconciliation(demo_data, datetime.now(UTC) + timedelta(seconds=1)) == []
    assert main(["export", "--data-dir", str(demo_data)]) == 0
    table = read_csv(capsys.readouterr().out.encode())
    column = table[0].index("Virement reçu en banque")
    rows = {row[0]: row for row in table[1:-1]}
    assert rows["000012345"][column] == "06/03/2026"  # (paid by the CGSS's return of 05/03)
    assert rows["000012201"][column] == ""


def test_a_statement_whose_columns_are_unknown(demo_data, tmp_path, capsys):
    """GIVEN a CSV whose columns are not the usual French ones WHEN reconciled THEN exit 2 and a French
    error names the columns found and where to name them."""
    statement = tmp_path / "releve.csv"
    statement.write_text("Jour;Quoi;Combien\n06/03/2026;VIR CPAM;9,21\n", encoding="utf-8")
    assert main(["rapprochement", str(statement), "--data-dir", str(demo_data)]) == 2
    err = capsys.readouterr().err
    assert "colonnes trouvées : « Jour », « Quoi », « Combien »" in err and "[rapprochement]" in err
