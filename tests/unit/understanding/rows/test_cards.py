"""Label/value cards: one record per card, with the amounts a platform sets side by side told apart."""

from datetime import date
from decimal import Decimal

from cpambot.understanding.rows.cards import card_rows
from cpambot.understanding.rows.model import Action, Status


def test_a_partial_payment_card_keeps_the_claimed_and_the_paid_amounts():
    """GIVEN a platform's card "Montant demandé : 42,00 €", "Montant payé : 28,35 €", "Reste non pris
    en charge : 13,65 €", "Motif de l'écart : …" and a member number WHEN read THEN one paid row: 42,00
    claimed, 28,35 paid, no motif taken from the unpaid rest, no patient taken from the member number."""
    lines = ["Facture n°             : 608451207 (lot 219)", "Date des soins         : 20/10/2026",
             "Bénéficiaire           : M. PELLETIER Roger", "N° d'adhérent          : 77 0412 558",
             "Montant demandé        : 42,00 €", "Montant payé           : 28,35 €",
             "Reste non pris en charge : 13,65 €", "Motif de l'écart       : dépassement du plafond"]
    (row,) = card_rows(lines)
    assert (row.invoice, row.amount, row.paid_amount, row.motif, row.status) == (
        "608451207", Decimal("42.00"), Decimal("28.35"), None, Status.PAID)
    assert row.beneficiary and "0412" not in row.beneficiary


def test_a_card_opened_by_lot_and_invoice_heading_and_cut_by_a_blank_line():
    """GIVEN a card headed "LOT 214 - FACTURE 609 018 774", with a refusal date beside the care date, and
    its motif after a blank line WHEN read THEN the lot, the invoice, the care date (not the refusal's),
    the claimed part and the motif of one rejected row."""
    lines = ["LOT 214 - FACTURE 609 018 774", "", "Date du refus : mardi 13 oct. 2026",
             "Soins réalisés le : 05.10.26", "Part complémentaire demandée : 16,38 €", "",
             "Motif : Droits AMC non ouverts"]
    (row,) = card_rows(lines, default_year=2026)
    assert (row.lot, row.invoice, row.care_date.isoformat(), row.amount, row.motif) == (
        "214", "609018774", "2026-10-05", Decimal("16.38"), "Droits AMC non ouverts")


def test_cards_written_one_paragraph_per_label_and_value_under_a_dated_heading():
    """GIVEN a plain version of HTML cards ("Lot", blank, "731", …), a "Date de traitement" above the
    first card, a "Date de réception" inside it and an instruction value holding a colon WHEN read THEN
    each card is its own row: the refused lot with its motif and instruction, then each invoice with its
    own motif (never the card above's)."""
    text = ("Date de traitement : 06/10/2026\n\nLot\n\n731\n\nDate de réception\n\n02/10/2026\n\nStatut\n\n"
            "Lot rejeté\n\nMotif\n\nLot déjà reçu (doublon de fichier)\n\nAction attendue\n\n"
            "Aucune : le lot initial a bien été intégré\n\nLot\n\n732\n\nFacture\n\n000630517\n\nMotif\n\n"
            "0460 053 — Établissement prescripteur inconnu\n\nAction attendue\n\n"
            "Retélétransmettre la facture\n")
    rows = card_rows(text.splitlines())
    assert [(r.lot, r.invoice, r.motif) for r in rows] == [
        ("731", None, "Lot déjà reçu (doublon de fichier)"),
        ("732", "000630517", "Établissement prescripteur inconnu")]
    assert rows[0].whole_lot and rows[1].reject_code == "0460"


def test_cards_whose_labels_end_with_a_colon_on_a_line_of_their_own():
    """GIVEN the plain version of HTML cards whose labels end with a colon ("Facture n° :", blank,
    "001 204 557", then lines holding a no-break space between the cards) WHEN read THEN one row per
    card, each with its own amount and motif."""
    text = ("Facture n° :\n\n001 204 557\n\n\u00a0\n\nMontant :\n\n22,90 €\n\n\u00a0\n\nMotif :\n\n"
            "Facture déjà payée – 2900 005\n\n\u00a0\n\n"
            "Facture n° :\n\n001 204 561\n\n\u00a0\n\nMontant :\n\n58,20 €\n\n\u00a0\n\nMotif :\n\n"
            "Incompatibilité nature d'assurance (0317 051)\n")
    rows = card_rows(text.splitlines())
    assert [(r.invoice, r.amount, r.reject_code) for r in rows] == [
        ("001204557", Decimal("22.90"), "2900"), ("001204561", Decimal("58.20"), "0317")]


def test_a_reimbursed_card_takes_its_own_amount_never_the_invoice_and_lot_glued_to_it():
    """GIVEN a card whose only amount is a "Montant remboursé" under a spaced invoice number and a lot
    WHEN read THEN the row is paid 126,00 € (not 117 402 229 126,00 € read across the cells)."""
    (row,) = card_rows("Facture n° : 001 117 402\nLot : 229\nMontant remboursé : 126,00 €\n".splitlines())
    assert (row.invoice, row.lot, row.amount, row.paid_amount, row.status) == (
        "001117402", "229", Decimal("126.00"), Decimal("126.00"), Status.PAID)


def test_cards_whose_labels_are_glued_to_their_values():
    """GIVEN the plain text of HTML cards whose spans lost their space ("Facture n°001 117 402", "Lot229",
    "Montant remboursé126,00 €") WHEN read THEN each card gives its invoice, lot and amount; a single
    such line among sentences is left alone."""
    text = ("Facture n°001 117 402\n\nLot229\n\nMontant remboursé126,00 €\n\n"
            "Facture n°001117455\n\nLot231\n\nMontant remboursé19,80 €\n")
    rows = card_rows(text.splitlines())
    assert [(r.invoice, r.lot, r.amount) for r in rows] == [
        ("001117402", "229", Decimal("126.00")), ("001117455", "231", Decimal("19.80"))]
    assert card_rows(["Bonjour,", "Lot229 traité."]) == []


def test_a_card_written_on_one_line_under_the_sentence_naming_its_lot():
    """GIVEN "dans votre lot n° 313, la facture suivante n'a pas pu être prise en charge :" and below it one
    line "N° de facture : 000 599 741 – Montant : 54,90 € – Motif : Incompatibilité nature d'assurance
    (0317 051)" WHEN read THEN one row with its lot, amount, code and words; a sentence with a colon and
    a dash that are no labels stays a sentence."""
    lines = ["Par ailleurs, dans votre lot n° 313, la facture suivante n'a pas pu être prise en charge :", "",
             "N° de facture : 000 599 741 – Montant : 54,90 € – Motif : Incompatibilité nature d'assurance "
             "(0317 051)"]
    (row,) = card_rows(lines)
    assert (row.invoice, row.lot, row.amount, row.reject_code, row.motif, row.status) == (
        "000599741", "313", Decimal("54.90"), "0317", "Incompatibilité nature d'assurance", Status.REJECTED)
    assert card_rows(["Bonjour – petite précision : la facture 000 599 741 est réglée."]) == []


def test_numbered_lot_headings_over_a_lot_card_and_invoice_cards():
    """GIVEN "1) Lot 052 du 19/10/2026 : rejeté en totalité" over "Motif / lot incomplet", "Détail / …",
    "Conduite à tenir / retransmettre l'intégralité du lot 052", then "2) Lot 053 du 20/10/2026 : traité, 2
    factures rejetées" over two invoice cards WHEN read THEN the refused lot is a row of its own with its
    words and instruction (the detail does not open a card), and both invoices are of lot 053."""
    text = ("1) Lot 052 du 19/10/2026 : rejeté en totalité\n\nMotif\n\nlot incomplet\n\nDétail\n\n8 factures "
            "annoncées, 7 reçues\n\nConduite à tenir\n\nretransmettre l'intégralité du lot 052.\n\n"
            "2) Lot 053 du 20/10/2026 : traité, 2 factures rejetées\n\nFacture\n\n000053112\n\nMontant\n\n"
            "23,70 €\n\nRejet\n\nAssuré absent de notre référentiel (0250 050)\n\nFacture\n\n000053118\n\n"
            "Montant\n\n41,40 €\n\nRejet\n\nExonération non trouvée (0450 072)\n")
    rows = card_rows(text.splitlines())
    assert [(r.invoice, r.lot, r.whole_lot, r.reject_code, r.motif) for r in rows] == [
        (None, "052", True, None, "lot incomplet"),
        ("000053112", "053", False, "0250", "Assuré absent de notre référentiel"),
        ("000053118", "053", False, "0450", "Exonération non trouvée")]
    assert rows[0].action is Action.REBILL


def test_a_sentence_read_as_a_label_under_a_lot_heading_is_no_lot_row():
    """GIVEN "3) Lot 236 – Facture n° 200983018 – …" then "Pour la dernière, ne la refacturez pas :
    envoyez-nous une copie de l'ordonnance" (a sentence whose start looks like an invoice label) WHEN read
    THEN no row of lot 236 (the value names no invoice)."""
    lines = ["3) Lot 236 – Facture n° 200983018 – soins du 16/09/2026 – rejet 0460 053",
             "Pour la dernière, ne la refacturez pas : envoyez-nous seulement une copie de l'ordonnance."]
    assert card_rows(lines) == []


def test_a_cards_motif_and_instruction_go_on_under_their_labels():
    """GIVEN a notification's card "Motif du rejet : 0450 072" with the words on the line under the code,
    and "Consigne : vérifiez …, puis" going on on the next line, then "Rappel : …" WHEN read THEN the
    motif is the words, the code is kept, the instruction is whole, and the reminder is not part of it."""
    lines = ["N° de lot : 061", "N° de facture : 118004392", "Date des soins : 19/10/2026",
             "Montant facturé : 18,60 €", "Motif du rejet : 0450 072",
             " Exonération non trouvée dans notre fichier à la date des soins",
             "Consigne : vérifiez la situation de votre patient, puis",
             "établissez une nouvelle facture corrigée et retransmettez-la.",
             "Rappel : l'exonération doit être justifiée à la date des soins."]
    (row,) = card_rows(lines, default_year=2026)
    assert (row.reject_code, row.reject_subcode, row.motif, row.action) == (
        "0450", "072", "Exonération non trouvée dans notre fichier à la date des soins", Action.REBILL)
    assert row.consigne == ("vérifiez la situation de votre patient, puis établissez une nouvelle facture "
                            "corrigée et retransmettez-la.")


def test_a_lot_heading_whose_value_names_an_invoice_and_an_instruction_under_a_motif():
    """GIVEN "Lot 233 du 24/11/2026 : lot rejeté dans sa totalité." / "Motif : 1002 017 - …" / "Merci de
    reconstituer le lot et de le retransmettre.", then "Lot 234 du 25/11/2026 : la facture 000 233 871 (soins
    du 20/11/2026, 28,35 €) est en anomalie." / "Motif : 0250 050 - Assuré absent de notre référentiel." /
    "Merci de … refacturer …" WHEN read THEN lot 233 refused whole, to send again; the invoice of lot 234
    rejected, with its care day, sum, code, words and instruction (not lot 234 refused whole)."""
    lines = ["Lot 233 du 24/11/2026 : lot rejeté dans sa totalité.",
             "Motif : 1002 017 - Nombre de factures annoncé différent du nombre de factures reçues.",
             "Merci de reconstituer le lot et de le retransmettre.", "",
             "Lot 234 du 25/11/2026 : la facture 000 233 871 (soins du 20/11/2026, 28,35 €) est en anomalie.",
             "Motif : 0250 050 - Assuré absent de notre référentiel.",
             "Merci de vérifier les droits de l'assuré et de refacturer auprès de la caisse d'affiliation."]
    whole, invoice = card_rows(lines, default_year=2026)
    assert (whole.lot, whole.whole_lot, whole.reject_code, whole.action) == (
        "233", True, "1002", Action.REBILL)
    assert (invoice.invoice, invoice.lot, invoice.whole_lot, invoice.care_date, invoice.amount,
            invoice.reject_code, invoice.motif, invoice.action) == (
        "000233871", "234", False, date(2026, 11, 20), Decimal("28.35"), "0250",
        "Assuré absent de notre référentiel", Action.REBILL)


def test_a_platforms_card_gives_the_part_it_rejects_not_the_invoices_total():
    """GIVEN a platform's card with "Montant total de la facture : 40,50 €" and "Part complémentaire (AMC)
    demandée : 16,20 €", rejected WHEN read THEN the row's sum is the part (a card with a total alone keeps
    the total)."""
    lines = ["N° de facture : 772 415 093", "Date des soins : 29/09/2026",
             "Montant total de la facture : 40,50 €",
             "Part complémentaire (AMC) demandée : 16,20 €", "Statut part complémentaire : REJETÉE",
             "Motif : Droits non ouverts à la date des soins"]
    (row,) = card_rows(lines, default_year=2026)
    assert (row.invoice, row.amount, row.status) == ("772415093", Decimal("16.20"), Status.REJECTED)
    (alone,) = card_rows(["N° de facture : 772 415 093", "Montant total : 40,50 €", "Motif : Droits fermés"])
    assert alone.amount == Decimal("40.50")


def test_cards_opened_by_the_invoice_and_its_status_after_a_dash():
    """GIVEN cards each opened by "Facture 000451293 – Réglée" (or "– Rejetée"), then "Montant facturé",
    "Montant réglé (part obligatoire) : EUR 58,20 – virement du 27/11/2026" or "Motif : 0250 050 – …" WHEN
    read THEN the first is paid on the day of the transfer, the second rejected with its code and words."""
    lines = ["Facture 000451293 – Réglée", "Bénéficiaire : M. André ROCHE", "Montant facturé : EUR 58,20",
             "Montant réglé (part obligatoire) : EUR 58,20 – virement du 27/11/2026", "",
             "Facture 000451294 – Rejetée", "Montant facturé : EUR 21,00",
             "Motif : 0250 050 – Assurée absente de notre référentiel"]
    paid, rejected = card_rows(lines, default_year=2026)
    assert (paid.invoice, paid.status, paid.paid_on) == ("000451293", Status.PAID, date(2026, 11, 27))
    assert (rejected.status, rejected.reject_code, rejected.motif) == (
        Status.REJECTED, "0250", "Assurée absente de notre référentiel")


def test_lot_headings_without_colon_over_a_refused_lots_card_and_an_invoice_card():
    """GIVEN "Lot 031 – reçu le 21/09/2026" over "Décision / Lot rejeté dans sa totalité", "Motif / Fichier
    non conforme …", "Action attendue / Retransmettre l'ensemble du lot …", then "Lot 033 – reçu le …"
    over an invoice's card, then "Lot 034 – …" over another refused lot's card WHEN read THEN each lot's
    card is its own row (the first lot's words never go to the invoice of the next one)."""
    text = ("Lot 031 – reçu le 21/09/2026\n\nDécision\n\nLot rejeté dans sa totalité\n\nMotif\n\nFichier non "
            "conforme au cahier des charges\n\nAction attendue\n\nRetransmettre l'ensemble du lot après "
            "vérification par votre éditeur de logiciel\n\nLot 033 – reçu le 24/09/2026\n\nFacture\n\n"
            "000 288 061\n\nMontant\n\n27,00 €\n\nCode rejet\n\n0460 053\n\nMotif\n\n"
            "Établissement prescripteur inconnu au fichier national\n\nAction attendue\n\n"
            "Nous transmettre une copie de l'ordonnance. Ne pas refacturer.\n\n"
            "Lot 034 – reçu le 26/09/2026\n\nDécision\n\nLot rejeté dans sa totalité\n\n"
            "Motif\n\nLot reçu en double\n\nAction attendue\n\nAucune – ne pas retransmettre ce lot\n")
    rows = card_rows(text.splitlines())
    assert [(r.invoice, r.lot, r.whole_lot, r.motif, r.action) for r in rows] == [
        (None, "031", True, "Fichier non conforme au cahier des charges", Action.REBILL),
        ("000288061", "033", False, "Établissement prescripteur inconnu au fichier national", Action.PIECES),
        (None, "034", True, "Lot reçu en double", Action.NONE)]
