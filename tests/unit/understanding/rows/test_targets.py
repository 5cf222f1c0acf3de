"""Instructions given in sentences under the list to some of its rows: by ordinal, lot, invoice,
patient's name, or "les autres"."""

import pytest

from cpambot.understanding.rows.model import Action, Row, Status
from cpambot.understanding.rows.targets import name_keys, with_targeted_instructions


def rows(*lots: str, names: tuple[str, ...] = ()) -> list[Row]:
    names = names or tuple("" for _ in lots)
    return [Row(invoice=f"20098{i:04d}", lot=lot, name_keys=name_keys(name), status=Status.REJECTED)
            for i, (lot, name) in enumerate(zip(lots, names, strict=True))]


def actions(result: list[Row]) -> list[Action | None]:
    return [r.action for r in result]


def test_ordinals_of_the_list():
    """GIVEN three rows and sentences for "les deux premières factures" and "la dernière" WHEN read
    THEN the first two take the first instruction and the last one the second."""
    text = ("Pour les deux premières factures, merci de modifier la nature d'assurance et de "
            "les refacturer.\n"
            "Pour la dernière, ne la refacturez pas : envoyez-nous seulement une copie de l'ordonnance.")
    assert actions(with_targeted_instructions(rows("233", "233", "236"), text)) == [
        Action.REBILL, Action.REBILL, Action.PIECES]


def test_a_patient_named_then_the_others():
    """GIVEN rows whose beneficiaries are CHATEL, PERRILLAT and VULLIET, and "Pour M. CHATEL, … ne
    surtout pas la refacturer" then "Pour les 2 autres, … merci de refacturer" WHEN read THEN CHATEL's
    row asks nothing and the two others are to be re-billed (the name is compared through hashes)."""
    text = ("Pour M. CHATEL, la facture a déjà été réglée le 25/09 : ne surtout pas la refacturer.\n"
            "Pour les 2 autres, les assurés ont muté, merci de refacturer à la bonne caisse.")
    result = with_targeted_instructions(
        rows("318", "318", "318", names=("CHATEL Bernard", "PERRILLAT Jeanne", "VULLIET Marc")), text)
    assert actions(result) == [Action.NONE, Action.REBILL, Action.REBILL]
    assert all("chatel" not in key for key in result[0].name_keys)


def test_rows_named_by_their_lot():
    """GIVEN rows of lots 118, 118 and 121 and one instruction per lot WHEN read THEN each row takes
    its lot's instruction."""
    text = ("Pour les 2 factures du lot 118 : merci de corriger puis de refacturer.\n"
            "Pour celle du lot 121 : ne pas refacturer, elle a deja ete reglee. Rien a faire.")
    assert actions(with_targeted_instructions(rows("118", "118", "121"), text)) == [
        Action.REBILL, Action.REBILL, Action.NONE]


@pytest.mark.parametrize("text", [
    "Pour les 3 autres, merci de refacturer.",  # "les autres" before any row was named
    "Pour la première fois, merci de refacturer.",
    "Pour toute question, contactez le 3608.",
    "Pour les 5 factures du lot 118 : merci de refacturer.",  # two rows in lot 118, not five
])
def test_targets_that_are_not_certain_give_nothing(text):
    """GIVEN a sentence whose target is not certain (others than nothing, a count that does not match,
    "pour la première fois", "pour toute question") WHEN read THEN no row takes its instruction."""
    assert actions(with_targeted_instructions(rows("118", "118", "121"), text)) == [None, None, None]


def test_a_row_whose_own_words_asked_keeps_its_action():
    """GIVEN a row whose own words already asked for a document WHEN a sentence targets it THEN its own
    action stays."""
    own = [Row(invoice="200980001", action=Action.PIECES), Row(invoice="200980002")]
    text = "Pour les deux premières factures, merci de refacturer."
    assert actions(with_targeted_instructions(own, text)) == [Action.PIECES, Action.REBILL]


def test_these_two_invoices_under_a_list_of_two():
    """GIVEN a list of two rows and "Pour ces deux factures : … il faut corriger et refacturer" WHEN read
    THEN both are to be re-billed; "ces trois factures" under two rows gives nothing."""
    text = "Pour ces deux factures : dans les deux cas il faut corriger et refacturer."
    assert actions(with_targeted_instructions(rows("541", "542"), text)) == [Action.REBILL, Action.REBILL]
    text = "Pour ces trois factures : il faut corriger et refacturer."
    assert actions(with_targeted_instructions(rows("541", "542"), text)) == [None, None]


def test_two_ordinals_in_one_sentence():
    """GIVEN three rows, "Pour la 1ère et la 3ème ligne : … il faut refacturer en AT" and "Pour la 2ème
    ligne, rien à faire" WHEN read THEN the first and third are re-billed, the second needs nothing."""
    text = ("Pour la 1ère et la 3ème ligne : M. LAGARDE est en accident du travail, il faut refacturer "
            "en AT.\n"
            "Pour la 2ème ligne, rien à faire : c'est un doublon, surtout ne pas la renvoyer.")
    assert actions(with_targeted_instructions(rows("302", "302", "305"), text)) == [
        Action.REBILL, Action.NONE, Action.REBILL]


def test_a_paragraph_per_lot_with_ordinals_inside_it():
    """GIVEN rows of lots 527 (two) and 531 (three), "Lot 527 : les 2 factures sont à refacturer" and
    "Lot 531 : pour la première, … refacturez ; … Les 2 dernières sont des doublons : ne les renvoyez
    pas" WHEN read THEN lot 527 is re-billed, and in lot 531 the first is re-billed, the last two left."""
    text = ("Lot 527 : les 2 factures sont à refacturer en indiquant le n° FINESS.\n\n"
            "Lot 531 : pour la première, vérifiez l'ALD puis refacturez ; si l'exonération n'est pas "
            "justifiée, refacturez au taux normal.\n"
            "Les 2 dernières sont des doublons : ne les renvoyez pas, il n'y a rien à faire.")
    assert actions(with_targeted_instructions(rows("527", "527", "531", "531", "531"), text)) == [
        Action.REBILL, Action.REBILL, Action.REBILL, Action.NONE, Action.NONE]


def test_rows_named_by_their_reject_code_and_a_row_said_paid():
    """GIVEN rows rejected 2900, 2900, 0317 and "Celles rejetées pour 2900 : … ne les retransmettez pas",
    "Celles en 0317 : … merci de refacturer", then "La 2e est finalement passée en paiement le 12/10"
    WHEN read THEN the code's rows take their instruction; the row said paid is paid, nothing to do."""
    listed = [Row(invoice=f"00273190{i}", reject_code=code, status=Status.REJECTED)
              for i, code in enumerate(("2900", "2900", "0317"))]
    text = ("Celles rejetées pour 2900 : ce sont des doublons, surtout ne les retransmettez pas.\n"
            "Celles en 0317 : merci de refacturer en nature d'assurance AT.")
    assert actions(with_targeted_instructions(listed, text)) == [Action.NONE, Action.NONE, Action.REBILL]
    paid = with_targeted_instructions(rows("318", "319"), "La 2e facture du tableau est finalement passée "
                                      "en paiement le 12/10 : vous n'avez rien à faire.")
    assert [(r.status, r.action) for r in paid] == [(Status.REJECTED, None), (Status.PAID, Action.NONE)]


def test_a_later_correction_naming_its_patient_at_the_end_wins():
    """GIVEN a row asked for its prescription, then "PS : pas besoin de justificatif finalement pour Mme
    Vidal, nous avons retrouvé l'ordonnance" WHEN read THEN Mme Vidal's row needs nothing any more."""
    listed = [Row(invoice="009412207", name_keys=name_keys("VIDAL Simone"), status=Status.REJECTED,
                  action=Action.PIECES),
              Row(invoice="009412213", name_keys=name_keys("FAURE Henri"), status=Status.REJECTED,
                  action=Action.PIECES)]
    text = ("PS : pas besoin de justificatif finalement pour Mme Vidal, nous avons retrouvé l'ordonnance. "
            "Sa facture sera traitée sans autre démarche de votre part.")
    assert actions(with_targeted_instructions(listed, text)) == [Action.NONE, Action.PIECES]


def test_items_named_by_their_numbers():
    """GIVEN four numbered rows and "- n° 1 et n° 3 : corriger … puis refacturer ;", "- n° 2 : …
    aucune action de votre part", "- n° 4 : … une copie de l'ordonnance par SCOR, sans refacturer"
    WHEN read THEN each row takes its number's instruction."""
    text = ("- n° 1 et n° 3 : corriger la date de prescription puis refacturer ;\n"
            "- n° 2 : la facture est retraitée de notre côté : aucune action de votre part ;\n"
            "- n° 4 : merci de nous adresser une copie de l'ordonnance par SCOR, sans refacturer.")
    assert actions(with_targeted_instructions(rows("087", "087", "087", "087"), text)) == [
        Action.REBILL, Action.NONE, Action.REBILL, Action.PIECES]


def test_these_two_last_ones():
    """GIVEN three rows and "Pour ces 2 dernières, merci de corriger la cotation et de refacturer." WHEN the
    targeted instructions are read THEN the last two are re-billed, the first keeps its own."""
    rows = [Row(invoice="020260033", action=Action.NONE, source="prose"),
            Row(invoice="020260047", source="prose"), Row(invoice="020260052", source="prose")]
    said = "Pour ces 2 dernières, merci de corriger la cotation et de refacturer."
    got = with_targeted_instructions(rows, said)
    assert [r.action for r in got] == [Action.NONE, Action.REBILL, Action.REBILL]


def test_numbered_items_named_and_corrected():
    """GIVEN four numbered rows, "Merci de refacturer les factures 1, 2 et 4 après correction.", then "Enfin
    non, je me suis trompée pour la 2 : pas de refacturation, il suffit de nous renvoyer une copie lisible
    de l'ordonnance." and "Quant à la 3, elle a finalement été mise en paiement le 12/10/2026" WHEN read
    THEN 1 and 4 re-billed, 2 a document to send, 3 paid."""
    rows = [Row(invoice=f"00045231{i}", source="prose") for i in range(4)]
    said = ("Merci de refacturer les factures 1, 2 et 4 après correction.\n"
            "Enfin non, je me suis trompée pour la 2 : pas de refacturation, il suffit de nous renvoyer une "
            "copie lisible de l'ordonnance.\n"
            "Quant à la 3, elle a finalement été mise en paiement le 12/10/2026 : rien à faire.")
    got = with_targeted_instructions(rows, said)
    assert [(r.action, r.status) for r in got] == [(Action.REBILL, None), (Action.PIECES, None),
                                                   (Action.NONE, Status.PAID), (Action.REBILL, None)]


def test_an_amount_is_no_list_of_items():
    """GIVEN "Merci de refacturer la facture 12,50 € …" beside two rows WHEN read THEN no row is named by
    "12" or "50"."""
    rows = [Row(invoice="000452310", source="prose"), Row(invoice="000452311", source="prose")]
    got = with_targeted_instructions(rows, "Merci de refacturer les factures 12,50 € après correction.")
    assert [r.action for r in got] == [None, None]


def test_ordinals_written_without_a_comma_in_one_sentence():
    """GIVEN "pour la 1ere merci de verifier … et de refacturer, pour la 2eme voir avec l'assure directement
    (il est passe au regime general), ne pas refacturer chez nous." WHEN read THEN the first row is to
    re-bill, the second a call; "Pour la 1ère et la 3ème ligne : …" still names two rows."""
    text = ("pour la 1ere merci de verifier le n° FINESS du prescripteur et de refacturer, pour la 2eme voir "
            "avec l'assure directement (il est passe au regime general), ne pas refacturer chez nous.")
    assert actions(with_targeted_instructions(rows("204", "204"), text)) == [Action.REBILL, Action.CONTACT]
    both = "Pour la 1ère et la 3ème ligne : merci de refacturer en accident du travail."
    assert actions(with_targeted_instructions(rows("204", "204", "204"), both)) == [
        Action.REBILL, None, Action.REBILL]
