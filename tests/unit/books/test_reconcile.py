"""Bank reconciliation: announced transfers against a statement's credits, and what is left told."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.books.bank import BankLine
from cpambot.books.reconcile import (
    Transfer,
    looks_like_payer,
    reconcile,
    reconciliation_json,
    reconciliation_lines,
    transfers_of,
)

D = Decimal


def transfer(key: str, day: date, amount: str, caisse: str = "511") -> Transfer:
    return Transfer(key, caisse, day, D(amount), "VIR CPAM MARNE", f"msg-{key}")


def line(day: date, amount: str, label: str = "VIR CPAM DE LA MARNE") -> BankLine:
    return BankLine(day, D(amount), label)


STATEMENT = [
    line(date(2026, 3, 2), "-120.00", "PRLV URSSAF"),
    line(date(2026, 3, 6), "500.94", "VIR SEPA CGSS REUNION"),
    line(date(2026, 3, 6), "500.94", "VIREMENT M. DUPONT"),  # same amount, a patient: not the caisse's
    line(date(2026, 3, 12), "39.59", "VIR CPAM DE LA MARNE"),  # two returns of 11/03, one credit
    line(date(2026, 3, 25), "25.00", "VIR CPAM DE LA MARNE"),  # 30,38 announced: 5,38 deducted
    line(date(2026, 3, 27), "88.00", "VIR CPAM DE LA MARNE REGUL"),  # no return announced it
    line(date(2026, 3, 31), "-9.90", "FRAIS TENUE DE COMPTE"),
]


def test_every_case_of_the_report():
    """GIVEN transfers announced on 05/03 (CGSS), twice on 11/03, on 23/03, on 04/03 (never paid) and on
    28/03, and a statement from 02/03 to 31/03 WHEN reconciled THEN the CGSS transfer matches the caisse's
    credit (not the patient's of the same amount), the two of 11/03 match one credit, the one of 23/03
    arrived short by 5,38 € with no retenue known, the one of 04/03 is missing, the one of 28/03 is too
    recent, and the caisse's credit of 27/03 has no return; debits and the patient's credit are ignored."""
    transfers = [transfer("cgss", date(2026, 3, 5), "500.94", "974"),
                 transfer("a", date(2026, 3, 11), "30.38"), transfer("b", date(2026, 3, 11), "9.21"),
                 transfer("short", date(2026, 3, 23), "30.38"),
                 transfer("lost", date(2026, 3, 4), "61.20"), transfer("late", date(2026, 3, 28), "15.00"),
                 transfer("old", date(2025, 12, 1), "99.00")]  # (long before the statement: not judged)
    result = reconcile(transfers, STATEMENT)
    matched = {tuple(t.key for t in ts): x.label for ts, x in result.matched}
    assert matched == {("cgss",): "VIR SEPA CGSS REUNION", ("a", "b"): "VIR CPAM DE LA MARNE"}
    deductions = [(d.transfer.key, d.missing, d.notified) for d in result.deductions]
    assert deductions == [("short", D("5.38"), False)]
    assert [t.key for t in result.missing] == ["lost"] and [t.key for t in result.too_recent] == ["late"]
    assert [x.amount for x in result.unexplained] == [D("88.00")]


def test_a_transfer_announced_at_the_statements_start_is_not_called_missing():
    """GIVEN a statement from 02/03 and transfers announced on 01/03 and 03/03, whose credits may be on
    the previous statement, and a lower caisse credit on 05/03 WHEN reconciled THEN neither is told
    missing nor paired with the lower credit as a retenue: both are to be looked for on the previous
    statement, and the lower credit has no return; the report says so in French."""
    statement = [line(date(2026, 3, 2), "-12.00", "PRLV URSSAF"), line(date(2026, 3, 5), "20.00"),
                 line(date(2026, 3, 31), "-9.90", "FRAIS")]
    result = reconcile([transfer("edge", date(2026, 3, 1), "61.20"),
                        transfer("edge2", date(2026, 3, 3), "30.00")], statement)
    assert (result.missing, result.deductions) == ([], [])
    assert [t.key for t in result.earlier] == ["edge", "edge2"]
    assert [x.amount for x in result.unexplained] == [D("20.00")]
    text = "\n".join(reconciliation_lines(result))
    assert "NON REÇU" not in text and "à chercher sur le relevé précédent" in text
    assert [t["cle"] for t in reconciliation_json(result)["avant_le_releve"]] == ["edge", "edge2"]


def test_a_notified_retenue_is_told_as_such():
    """GIVEN the short transfer and a retenue of 5,38 € notified by the caisse WHEN reconciled THEN the
    deduction is marked notified, and the French line says so."""
    result = reconcile([transfer("short", date(2026, 3, 23), "30.38")], STATEMENT, retenues=[D("5.38")])
    assert result.deductions[0].notified
    assert any("retenue notifiée" in text for text in reconciliation_lines(result))


def test_french_report_and_json():
    """GIVEN the full case WHEN told THEN the lines are French with amounts in euros and dates JJ/MM/AAAA,
    what needs her eyes first, the count of transfers received last; the JSON holds the same."""
    transfers = [transfer("lost", date(2026, 3, 4), "35.00"), transfer("short", date(2026, 3, 23), "30.38")]
    result = reconcile(transfers, STATEMENT)
    lines = reconciliation_lines(result)
    assert lines[0] == "Relevé du 02/03/2026 au 31/03/2026."
    assert lines[1].startswith("Virement annoncé mais NON REÇU : 35,00 € de CPAM de la Marne (511)")
    assert "manque 5,38 €" in lines[2] and "RETENUE SANS NOTIFICATION" in lines[2]
    assert lines[-1] == "Aucun virement annoncé n'a été retrouvé sur ce relevé."
    data = reconciliation_json(result)
    assert data["non_recus"][0]["montant"] == "35.00" and data["retenues"][0]["manque"] == "5.38"


def test_caisse_labels_are_recognised_and_others_are_not():
    """GIVEN bank labels WHEN read THEN a caisse's (any spelling or accent) is recognised, a patient's, a
    platform's or a shop's is not."""
    for label in ("VIR CPAM DE LA MARNE", "VIR SEPA C.P.A.M. 93", "VIREMENT CGSS REUNION",
                  "VIR MSA ALSACE", "VIR CAISSE PRIMAIRE D ASSURANCE MALADIE", "Vir. Assurance Maladie"):
        assert looks_like_payer(label), label
    for label in ("VIREMENT M. CAMPAGNE", "VIR VIAMEDIS TP", "CB CARREFOUR",
                  "PRLV SEPA AMELIORATION HABITAT"):
        assert not looks_like_payer(label), label


def test_transfers_come_from_the_readings_noemie_parts():
    """GIVEN a reading's fields with a NOEMIE part (net 137,23 € announced for 20/02), an empty one (0 €), a
    part in error WHEN read THEN one transfer, keyed by caisse, file and day."""
    fields = {"parts": [
        {"file_id": "R26054", "total": "137.23", "transfer_date": "2026-02-20", "transfer_label": "VIR CPAM"},
        {"file_id": "R26055", "total": "0", "transfer_date": "2026-02-21"},
        {"nature": "NOEMIE", "error": "fichier tronqué"}]}
    (found,) = transfers_of(fields, "511", "msg")
    assert (found.key, found.amount, found.day, found.label) == ("511|R26054|2026-02-20", D("137.23"),
                                                                 date(2026, 2, 20), "VIR CPAM")
    assert Transfer.from_doc(found.key, found.to_doc()) == found
