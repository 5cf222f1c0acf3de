"""Rejects grouped per motif: a heading with the code and words, the invoices under it, one instruction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot.understanding.rows import Action, Status
from cpambot.understanding.rows.groups import grouped_rows

CORREZE = """Voici les rejets constatés sur vos lots 302 et 303, regroupés par motif.

* 0250 050 – ASSURE ABSENT DE NOTRE REFERENTIEL
   Lot 302 : factures 000 655 301 et 000 655 318
   Lot 303 : facture 000 655 342
   → Ces patients relèvent d'une autre caisse : vérifiez leur caisse d'affiliation et refacturez.

* 2900 005 – FACTURE DEJA PAYEE
   Lot 303 : facture 000 655 359
   → Doublon d'une facture déjà transmise : surtout ne pas la renvoyer, rien à faire.

* 0460 053 – ETABLISSEMENT PRESCRIPTEUR INCONNU AU FICHIER NATIONAL
   Lot 302 : facture 000 655 325
   → Merci de me transmettre la copie de l'ordonnance par retour de mail (ne pas refacturer).

Bonne journée,
"""


def test_rejects_grouped_per_motif_then_per_lot():
    """GIVEN three groups, each a heading "* CODE – WORDS", lines "Lot NNN : factures … et …" and an arrow
    instruction WHEN read THEN one row per invoice with the lot of its line and the group's code, words and
    instruction, in the order of the message."""
    rows = grouped_rows(CORREZE)
    assert [(r.invoice, r.lot, r.reject_code, r.reject_subcode, r.action) for r in rows] == [
        ("000655301", "302", "0250", "050", Action.REBILL),
        ("000655318", "302", "0250", "050", Action.REBILL),
        ("000655342", "303", "0250", "050", Action.REBILL),
        ("000655359", "303", "2900", "005", Action.NONE),
        ("000655325", "302", "0460", "053", Action.PIECES)]
    assert {r.motif for r in rows[:3]} == {"ASSURE ABSENT DE NOTRE REFERENTIEL"}
    assert all(r.status is Status.REJECTED for r in rows)


def test_numbered_motif_headings_with_a_lot_line_above_dated_invoices():
    """GIVEN numbered headings "1) Motif 0317 051 : incompatibilité …", a lot alone on its line, then one
    invoice a line with its care date and amount WHEN read THEN each row has its lot, date, amount and the
    group's code and instruction."""
    text = ("1) Motif 0317 051 : incompatibilité nature d'assurance\n"
            "   Lot 118 :\n"
            "   - facture 000 412 001 du 03/09/2026, 25,20 €\n"
            "   - facture 000 412 009 du 05/09/2026, 16,60 €\n"
            "   Merci de corriger la nature d'assurance et de refacturer.\n\n"
            "2) Motif 2900 005 : facture déjà payée\n"
            "   Lot 119 :\n"
            "   - facture 000 412 077 du 08/09/2026, 12,40 €\n"
            "   Aucune démarche de votre part.\n")
    rows = grouped_rows(text)
    assert [(r.invoice, r.lot, r.care_date, r.amount, r.reject_code, r.action) for r in rows] == [
        ("000412001", "118", date(2026, 9, 3), Decimal("25.20"), "0317", Action.REBILL),
        ("000412009", "118", date(2026, 9, 5), Decimal("16.60"), "0317", Action.REBILL),
        ("000412077", "119", date(2026, 9, 8), Decimal("12.40"), "2900", Action.NONE)]


def test_one_motif_heading_or_a_heading_without_invoices_is_no_grouping():
    """GIVEN a single motif heading over its invoices, or two headings one of which names no invoice WHEN
    read THEN no grouped rows (the other readers read such text)."""
    one = "* 0250 050 – ASSURE ABSENT\n   facture 000 655 301\n   → refacturez.\n"
    assert grouped_rows(one) == []
    empty = one + "\n* 2900 005 – FACTURE DEJA PAYEE\n   → rien à faire.\n"
    assert grouped_rows(empty) == []


def test_bracketed_codes_and_the_instruction_above_the_invoices():
    """GIVEN groups headed "[0450] Exonération non trouvée", then "Consigne : …", then one invoice a line
    "- Lot 301 - facture 000301044 - soins du 14/10/2026 - 31,20 EUR" WHEN read THEN every invoice of each
    group, with its lot, date and amount, the group's code and instruction."""
    text = ("[0450] Exonération non trouvée\nConsigne : refacturer au taux normal (sans exonération).\n"
            "  - Lot 301 - facture 000301044 - soins du 14/10/2026 - 31,20 EUR\n"
            "  - Lot 302 - facture 000302007 - soins du 16/10/2026 - 18,90 EUR\n\n"
            "[2900] Facture déjà payée\nConsigne : aucune, pour information. Ne pas retransmettre.\n"
            "  - Lot 303 - facture 000303012 - soins du 17/10/2026 - 44,10 EUR\n")
    rows = grouped_rows(text)
    assert [(r.invoice, r.lot, r.amount, r.reject_code, r.action) for r in rows] == [
        ("000301044", "301", Decimal("31.20"), "0450", Action.REBILL),
        ("000302007", "302", Decimal("18.90"), "0450", Action.REBILL),
        ("000303012", "303", Decimal("44.10"), "2900", Action.NONE)]
    assert rows[0].motif == "Exonération non trouvée"


def test_a_reject_line_under_each_invoice_is_no_grouping():
    """GIVEN invoices each followed by its own "Rejet 0317 051 : …" line and "=> …" instruction WHEN read
    THEN no grouped rows (each invoice has its own reject: the other readers read it), never the second
    invoice given the first one's reject."""
    text = ("Lot 145 – facture 000 401 227 – soins du 02/10/2026 – 31,50 €\n"
            "Rejet 0317 051 : Incompatibilité nature d'assurance\n=> Merci de corriger et de refacturer.\n\n"
            "Lot 145 – facture 000 401 230 – soins du 03/10/2026 – 18,90 €\nRejet 2900 005 : Facture déjà "
            "payée\n=> Ne pas refacturer.\n")
    assert grouped_rows(text) == []


def test_groups_written_one_paragraph_a_line():
    """GIVEN the same groups as a mail client writes HTML paragraphs, a blank line between every line WHEN
    read THEN the same rows."""
    text = ("[0450] Exonération non trouvée\n\nConsigne : refacturer au taux normal.\n\n"
            "Lot 301 - facture 000301044 - 31,20 €\n\nLot 302 - facture 000302007 - 18,90 €\n\n"
            "[2900] Facture déjà payée\n\nConsigne : aucune, pour information.\n\n"
            "Lot 303 - facture 000303012 - 44,10 €\n\nBien cordialement,\n")
    assert [(r.invoice, r.reject_code, r.action) for r in grouped_rows(text)] == [
        ("000301044", "0450", Action.REBILL), ("000302007", "0450", Action.REBILL),
        ("000303012", "2900", Action.NONE)]
