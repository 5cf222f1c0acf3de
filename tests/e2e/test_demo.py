"""The demo: runs on the shipped Maildir, and that Maildir is exactly what the generator makes."""

from __future__ import annotations

from collections import Counter

import openpyxl
from icalendar import Calendar
from pypdf import PdfReader

from cpambot.demo.generate import write_maildir
from cpambot.demo.run import demo_maildir, run_demo
from cpambot.mailbox.ledger import LEDGER
from cpambot.store.database import Store


def test_demo_runs_on_embedded_mailbox(tmp_path, capsys):
    """GIVEN the demo Maildir shipped in the package WHEN `cpambot demo` runs
    THEN it exits 0, sees all 31 messages and sorts them by sender trust, reads the photo of a paper
    letter Marie sent (a second mailbox made at run time), shows a réclamation as it would
    be filed on amelipro and a saisine as a registered letter (PDF), and writes the tracking table
    of its 12 invoices as CSV and XLSX, its deadlines as an .ics file, its figures, and its
    reconciliation with a shipped bank statement."""
    assert run_demo(tmp_path / "data") == 0
    out = capsys.readouterr().out
    assert "31 nouveaux messages" in out and "hameçonnage probable" in out
    with Store.open(tmp_path / "data", readonly=True) as store:
        rows = list(store.values(LEDGER))
    categories = Counter(r["category"] for r in rows)
    assert categories == {"caisse": 18, "other": 8, "amc": 2, "suspect": 2, "approver": 2}
    # her photo of a paper letter, read by Tesseract: the case counts from the day she said she received it
    assert ("indu de 412,80 € (réf. 2026-511-04412), courrier daté du 22/06/2026, reçu le 26/06/2026 selon "
            "son message ; saisine de la CRA au plus tard le 26/08/2026.") in out
    assert (tmp_path / "data" / "courrier-papier.jpeg").read_bytes()[:3] == b"\xff\xd8\xff"
    assert all(r["state"] in ("done", "ignored") for r in rows)
    outbox = sorted(p.name for p in (tmp_path / "data" / "outbox").iterdir())
    assert outbox[0] == "00-digest.eml" and any(name.endswith("-reclamation.eml") for name in outbox)
    (filing,) = [n for n in outbox if n.endswith("-amelipro.txt")]
    assert "rubrique « Réclamations »" in (tmp_path / "data" / "outbox" / filing).read_text(encoding="utf-8")
    (posted,) = [n for n in outbox if n.endswith("-recommande.pdf")]
    pdf = PdfReader(tmp_path / "data" / "outbox" / posted, strict=True)
    assert "Lettre recommandée avec accusé de réception" in pdf.pages[0].extract_text()
    assert "97704 Saint-Denis Cedex 9" in pdf.pages[0].extract_text()
    assert "rien n'est envoyé" in out
    assert "Tableau de suivi (12 factures)" in out
    csv_rows = (tmp_path / "data" / "suivi-factures.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(csv_rows) == 1 + 12 + 1 and csv_rows[-1].startswith("Total;")
    sheet = openpyxl.load_workbook(tmp_path / "data" / "suivi-factures.xlsx").active
    assert sheet.max_row == 1 + 12 + 1
    events = Calendar.from_ical((tmp_path / "data" / "echeances.ics").read_bytes()).walk("VEVENT")
    assert events and f"Échéances pour votre agenda ({len(events)} événements)" in out
    assert "Ce que le robot a suivi (cpambot stats)" in out and "mars 2026" in out
    assert "Rapprochement avec un relevé bancaire fictif" in out and "manque 5,38 €" in out
    assert "Virements annoncés et bien reçus : 2 (510,15 €)." in out


def test_shipped_maildir_matches_generator(tmp_path):
    """GIVEN the generator WHEN it writes a fresh Maildir THEN it is byte-identical to the shipped one
    (the demo data is reproducible and nobody edited it by hand)."""
    write_maildir(tmp_path / "m", manifest_path=None)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "m" / "cur").iterdir()}
    shipped = {p.name: p.read_bytes() for p in (demo_maildir() / "cur").iterdir()}
    assert fresh.keys() == shipped.keys() and len(fresh) == 31
    assert all(fresh[name] == shipped[name] for name in fresh)


def test_ledger_json_is_the_stored_rows(tmp_path, capsys):
    """GIVEN the demo processed WHEN `cpambot ledger --tous --json` runs THEN each row is the
    stored dict itself (same keys, same order, no store key), its subject decoded and, for an
    unrelated message, its date read from the raw Date header."""
    import json

    from cpambot.cli.main import main
    from cpambot.mailbox.headers import decode_text, iso_date

    assert run_demo(tmp_path / "data") == 0
    capsys.readouterr()
    with Store.open(tmp_path / "data", readonly=True) as store:
        stored = sorted(store.values(LEDGER),
                        key=lambda r: (r["account"], r["folder"], r["uidvalidity"], r["uid"]))
    assert main(["ledger", "--data-dir", str(tmp_path / "data"), "--tous", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = []
    for row in stored:
        row.pop("_key")
        row["subject"] = decode_text(row.get("subject"))
        if not row.get("date") and row.get("date_raw"):
            row["date"] = iso_date(row["date_raw"])
        expected.append(row)
    assert printed == expected and [list(r) for r in printed] == [list(r) for r in expected]
    assert any("date_raw" in r for r in printed) and any(r["reason"] is None for r in printed
                                                         if "reason" in r)
