"""An ARL written as text: each lot with its result."""

from datetime import UTC, datetime

from cpambot.understanding.classify import arl_text
from cpambot.understanding.message import ParsedMessage


def message(subject: str, text: str) -> ParsedMessage:
    return ParsedMessage(subject=subject, from_name="", from_addr="01811@811.01.rss.fr",
                         date=datetime(2026, 11, 3, 7, 0, tzinfo=UTC), message_id=None, text=text)


def test_lots_with_their_results():
    """GIVEN a text ARL listing three lots, two positive and one negative with its code and words WHEN
    read THEN two acknowledgments and one refusal with code and label, dated with the reception."""
    text = ("ARL - ACCUSE DE RECEPTION LOGIQUE\nFichier recu le 02/11/2026 a 19:04\n"
            "  - lot 121 (12 factures) : ARL POSITIF\n  - lot 122 (11 factures) : ARL POSITIF\n"
            "  - lot 123 (08 factures) : ARL NEGATIF - code 1102 004 - NOMBRE DE FACTURES DIFFERENT\n")
    msg = message("ARL 811 - 3 lots", text)
    assert arl_text.match(msg) >= 0.9
    reading = arl_text.read(msg, "caisse", "811")
    assert [(f.kind, f.lot, f.reject_code, f.label) for f in reading.facts] == [
        ("lot_acknowledged", "121", None, None), ("lot_acknowledged", "122", None, None),
        ("lot_refused", "123", "1102", "NOMBRE DE FACTURES DIFFERENT")]
    assert reading.kind == "arl" and reading.needs_review is None


def test_a_lot_return_mentioning_an_arl_is_not_one():
    """GIVEN a lot return that says a lot got an "ARL négatif" WHEN scored THEN weakly (the lot return's
    own title wins)."""
    msg = message("Retour sur le traitement de vos lots", "Lot 088 rejeté en totalité (ARL négatif).")
    assert arl_text.match(msg) < 0.6


def test_a_form_with_the_lot_and_the_result_on_lines_of_their_own():
    """GIVEN a text ARL written as a form, "Numéro de lot .......... : 212" on one line and "RESULTAT DU
    CONTROLE : ARL POSITIF" on another (or "RESULTAT : NEGATIF" then "MOTIF DU REJET : 0103 - …") WHEN
    read THEN the lot acknowledged (or refused with its code), never a refusal of an accepted lot."""
    positive = ("ACCUSE DE RECEPTION LOGIQUE\nNuméro de lot .................. : 212\n"
                "Montant total facturé .......... : 1046,30\n\nRESULTAT DU CONTROLE : ARL POSITIF\n")
    msg = message("ARL/00000974123456/291/000418", positive)
    assert arl_text.match(msg) >= 0.9
    assert [(f.kind, f.lot) for f in arl_text.read(msg, "caisse", "291").facts] == [
        ("lot_acknowledged", "212")]
    negative = ("ACCUSE DE RECEPTION LOGIQUE - ARL\nLOT                    : 233\n\nRESULTAT               : "
                "NEGATIF\nMOTIF DU REJET         : 0103 - ENREGISTREMENT FIN DE LOT ABSENT OU INCORRECT\n")
    reading = arl_text.read(message("ARL NEGATIF LOT 233", negative), "caisse", "911")
    assert [(f.kind, f.lot, f.reject_code) for f in reading.facts] == [("lot_refused", "233", "0103")]


def test_a_refused_lot_whose_code_is_in_a_footnote():
    """GIVEN a text ARL table whose refused lot's result calls a footnote ("REFUSE (1)") written under the
    table with the code and its words WHEN read THEN the refusal carries that code and label, the
    accepted lot none."""
    text = ("ACCUSE DE RECEPTION LOGIQUE\nReçu le : 30/11/2026\n\n"
            " N° LOT  DATE CONSTIT.  NB FACT.  MONTANT TOTAL  RESULTAT\n"
            " 086     27/11/2026            5         168,45  ACCEPTE\n"
            " 087     01/12/2026            7         241,10  REFUSE (1)\n\n"
            "(1) 1305 004  DATE DE CONSTITUTION DU LOT POSTERIEURE A LA DATE DE RECEPTION\n"
            "    Le lot n'a pas été intégré.\n")
    reading = arl_text.read(message("ARL 01381", text), "caisse", "381")
    assert [(f.kind, f.lot, f.reject_code, f.label) for f in reading.facts] == [
        ("lot_acknowledged", "086", None, None),
        ("lot_refused", "087", "1305", "DATE DE CONSTITUTION DU LOT POSTERIEURE A LA DATE DE RECEPTION")]
