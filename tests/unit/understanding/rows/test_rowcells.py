"""One row from cells whose roles are known: cells that hold two things are cut in the right place."""

from __future__ import annotations

from datetime import date

import pytest

from cpambot.understanding.rows import Action, Status
from cpambot.understanding.rows.rowcells import row_from_cells


def test_a_decision_cell_with_the_code_the_words_and_an_instruction_in_lower_case():
    """GIVEN a "Décision" cell "Rejetée – 0250 050 assurée absente de notre référentiel – vérifier les droits
    et la caisse d'affiliation de l'assurée puis refacturer" WHEN the row is read THEN the code, the caisse's
    words alone as the motif, and the instruction as the consigne (re-bill)."""
    row = row_from_cells({"invoice": "000 560 221", "lot": "620", "amount": "EUR 22,05",
                          "status": "Rejetée – 0250 050 assurée absente de notre référentiel – vérifier les "
                                    "droits et la caisse d'affiliation de l'assurée puis refacturer"},
                         source="table")
    assert row is not None
    assert (row.reject_code, row.reject_subcode, row.motif, row.status, row.action) == (
        "0250", "050", "assurée absente de notre référentiel", Status.REJECTED, Action.REBILL)
    assert row.consigne == "vérifier les droits et la caisse d'affiliation de l'assurée puis refacturer"


@pytest.mark.parametrize("cell,motif,consigne", [
    ("assurée absente de notre référentiel – vérifier sa caisse d'affiliation puis refacturer",
     "assurée absente de notre référentiel", "vérifier sa caisse d'affiliation puis refacturer"),
    # a dash inside the caisse's own words, no instruction after it: the words stay whole
    ("assuré absent – droits clos à la date des soins",
     "assuré absent – droits clos à la date des soins", None),
])
def test_a_motif_cell_cut_before_an_instruction_only(cell, motif, consigne):
    """GIVEN a "Motif" cell whose words are followed, after a dash, by an instruction in lower case WHEN the
    row is read THEN the motif stops at the dash and the instruction is the consigne; a dash followed by
    more of the caisse's words does not cut the motif."""
    row = row_from_cells({"invoice": "000560221", "motif": cell}, source="table")
    assert row is not None and (row.motif, row.consigne) == (motif, consigne)


@pytest.mark.parametrize("cell,code,motif,consigne", [
    # the status, a colon, then the code, the words and the instruction
    ("Refus : 0317 051 Incompatibilité nature d'assurance / date de soins. Refacturer en maladie.",
     "0317", "Incompatibilité nature d'assurance / date de soins", "Refacturer en maladie."),
    # a colon right after the code is not where the instruction starts
    ("Rejet 0460 053 : Établissement prescripteur inconnu au fichier national. Corriger le n° FINESS et "
     "retélétransmettre.", "0460", "Établissement prescripteur inconnu au fichier national",
     "Corriger le n° FINESS et retélétransmettre."),
    # under "Statut / motif": the status word, a dash, the reason
    ("Rejeté – Contrat résilié à la date des soins", None, "Contrat résilié à la date des soins", None),
])
def test_a_cell_with_the_status_before_the_reject(cell, code, motif, consigne):
    """GIVEN a "Motif / observation" or "Statut / motif" cell that starts with the status ("Refus :",
    "Rejet 0460 053 :", "Rejeté –") WHEN the row is read THEN the motif is the caisse's words alone, the code
    is the one the cell writes, the instruction is the consigne, and the row is a reject."""
    row = row_from_cells({"invoice": "000620318", "motif": cell, "beneficiary": "—"}, source="table")
    assert row is not None
    assert (row.reject_code, row.motif, row.consigne) == (code, motif, consigne)
    assert row.status is Status.REJECTED and row.beneficiary is None


@pytest.mark.parametrize("cells", [
    {"invoice": "000447018", "amount": "44,10", "status": "Payée", "paid_date": "18/09/2026"},
    {"invoice": "000447018", "amount": "44,10", "motif": "Régularisée, mise en paiement le 18/09/2026"},
])
def test_a_paid_row_keeps_the_day_of_its_payment(cells):
    """GIVEN a paid row whose payment day is in a "Date de paiement" column or in its words WHEN read THEN
    the row is paid on that day; a rejected row has no payment day, whatever its date column says."""
    row = row_from_cells(cells, source="table", default_year=2026)
    assert (row.status, row.paid_on) == (Status.PAID, date(2026, 9, 18))
    rejected = row_from_cells({"invoice": "000447031", "status": "Rejetée - Prescripteur inconnu (0460 053)",
                               "paid_date": "21/09/2026"}, source="table")
    assert (rejected.status, rejected.paid_on) == (Status.REJECTED, None)


def test_a_status_cell_with_the_reject_its_code_and_what_to_do():
    """GIVEN a "Situation" cell "Rejetée - Prescripteur inconnu (0460 053) : à refacturer avec le n° FINESS
    de l'établissement prescripteur" WHEN read THEN the motif is the words, the code apart, and the
    instruction is the consigne (re-bill)."""
    row = row_from_cells({"invoice": "000447031", "status": "Rejetée - Prescripteur inconnu (0460 053) : à "
                          "refacturer avec le n° FINESS de l'établissement prescripteur"}, source="table")
    assert (row.status, row.reject_code, row.motif, row.action) == (
        Status.REJECTED, "0460", "Prescripteur inconnu", Action.REBILL)
    assert row.consigne == "à refacturer avec le n° FINESS de l'établissement prescripteur"
