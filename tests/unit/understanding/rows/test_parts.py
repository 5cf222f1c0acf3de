"""The two parts of one invoice (AMO, AMC) told apart: one paid, the other rejected."""

from decimal import Decimal

from cpambot.understanding.rows.cards import card_rows
from cpambot.understanding.rows.model import Action, Row, Status
from cpambot.understanding.rows.parts import with_parts_apart


def test_sentences_saying_the_amo_part_rejected_and_the_amc_part_paid():
    """GIVEN one rejected invoice and "Seule la part AMO est rejetée. La part complémentaire (9,45 €) a
    bien été payée … Merci de refacturer uniquement la part obligatoire" WHEN read THEN the AMO part is a
    reject to re-bill and the AMC part a payment of 9,45 €."""
    text = ("Seule la part AMO est rejetée. La part complémentaire (9,45 €) a bien été payée par "
            "l'organisme complémentaire le 20/10/2026. Merci de refacturer uniquement la part obligatoire "
            "en renseignant le n° FINESS. Ne refacturez pas la part complémentaire.")
    rows = with_parts_apart([Row(invoice="000552918", lot="230", reject_code="0460",
                                 status=Status.REJECTED)], text)
    assert [(r.part, r.status, r.amount, r.action) for r in rows] == [
        ("AMO", Status.REJECTED, None, Action.REBILL), ("AMC", Status.PAID, Decimal("9.45"), None)]


def test_a_message_about_several_invoices_is_not_split():
    """GIVEN two rejected invoices and a sentence about parts WHEN read THEN nothing is split (which
    invoice the sentence is about is not said)."""
    rows = [Row(invoice="000552918", status=Status.REJECTED),
            Row(invoice="000552925", status=Status.REJECTED)]
    text = "Seule la part AMO est rejetée. La part complémentaire a bien été payée."
    assert with_parts_apart(rows, text) == rows


def test_a_card_with_a_paid_amo_part_and_a_rejected_amc_part():
    """GIVEN a card "Part obligatoire : réglée – 27,60 €" and "Part complémentaire (C2S) : rejetée – droits
    C2S non ouverts à la date des soins" WHEN read THEN two rows of the invoice: AMO paid 27,60, AMC
    rejected with its motif."""
    lines = ["Facture : 007 845 210", "Date des soins : 12/10/2026",
             "Part obligatoire : réglée – 27,60 € (virement du 16/10/2026)",
             "Part complémentaire (C2S) : rejetée – droits C2S non ouverts à la date des soins"]
    rows = card_rows(lines, default_year=2026)
    assert [(r.invoice, r.part, r.status, r.amount, r.motif) for r in rows] == [
        ("007845210", "AMO", Status.PAID, Decimal("27.60"), None),
        ("007845210", "AMC", Status.REJECTED, None, "droits C2S non ouverts à la date des soins")]


def test_a_list_of_the_parts_one_paid_on_a_day_the_other_rejected_with_its_motif_below():
    """GIVEN one invoice and a list "- part obligatoire (AMO) : 17,50 €, réglée le 13/10/2026 ;" / "- part
    complémentaire (C2S) : 7,50 €, rejetée." then "Motif du rejet de la part complémentaire : Droits C2S non
    ouverts à la date des soins." WHEN read THEN, in the list's order, the AMO part paid 17,50 € on
    13/10/2026 and the AMC part rejected with that motif."""
    from datetime import date

    text = ("- part obligatoire (AMO) : 17,50 €, réglée le 13/10/2026 ;\n"
            "- part complémentaire (C2S) : 7,50 €, rejetée.\n\n"
            "Motif du rejet de la part complémentaire : Droits C2S non ouverts à la date des soins.\n")
    rows = with_parts_apart([Row(invoice="730015264", care_date=date(2026, 10, 2))], text)
    assert [(r.part, r.status, r.amount, r.paid_on, r.motif) for r in rows] == [
        ("AMO", Status.PAID, Decimal("17.50"), date(2026, 10, 13), None),
        ("AMC", Status.REJECTED, Decimal("7.50"), None, "Droits C2S non ouverts à la date des soins")]


def test_a_table_of_the_parts_one_paid_on_a_day_the_other_rejected():
    """GIVEN one invoice and a table "Part | Montant | Situation | Date" / "Part obligatoire (AMO) | 17,50 € |
    Réglée | 13/10/2026" / "Part complémentaire (C2S) | 7,50 € | Rejetée | –" WHEN read THEN the AMO part
    paid 17,50 € on 13/10/2026 and the AMC part rejected."""
    from datetime import date

    text = ("Part | Montant | Situation | Date\n\nPart obligatoire (AMO) | 17,50 € | Réglée | 13/10/2026\n\n"
            "Part complémentaire (C2S) | 7,50 € | Rejetée | –\n")
    rows = with_parts_apart([Row(invoice="730015264", care_date=date(2026, 10, 2))], text)
    assert [(r.part, r.status, r.amount, r.paid_on) for r in rows] == [
        ("AMO", Status.PAID, Decimal("17.50"), date(2026, 10, 13)),
        ("AMC", Status.REJECTED, Decimal("7.50"), None)]
