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
