"""A complementary platform's messages: its own reject codes told apart from the words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpambot.understanding.classify import amc
from cpambot.understanding.message import ParsedMessage


def message(text: str) -> ParsedMessage:
    return ParsedMessage(subject="Viamedis - Notification de rejet de facture(s)", from_name="Viamedis",
                         from_addr="ne-pas-repondre@viamedis.fr", date=datetime(2026, 10, 21, tzinfo=UTC),
                         message_id=None, text=text)


@pytest.mark.parametrize("written", ["DROITS FERMES A LA DATE DES SOINS (code V112)",
                                     "V112 - DROITS FERMES A LA DATE DES SOINS"])
def test_a_platforms_reject_code_beside_its_words(written):
    """GIVEN a platform's refused part "Motif du rejet : DROITS FERMES A LA DATE DES SOINS (code V112)" (or
    the code first) WHEN read THEN the reject code V112 and the words alone as the label."""
    text = ("Les demandes de remboursement de part complémentaire ci-dessous n'ont pas pu être prises en "
            "charge.\n\n* Facture n° 000104560 - soins du 24/09/2026 - part complémentaire demandée : "
            "11,22 €\n"
            f"  Motif du rejet : {written}\n")
    reading = amc.read(message(text), "amc", "viamedis")
    assert [(f.kind, f.invoice, f.reject_code, f.label) for f in reading.facts] == [
        ("amc_rejected", "000104560", "V112", "DROITS FERMES A LA DATE DES SOINS")]


def test_refused_parts_under_a_subject_that_says_nothing():
    """GIVEN the platform's "Les demandes de remboursement de part complémentaire ci-dessous n'ont pas pu
    être prises en charge" listing two invoices under a bland subject WHEN scored and read THEN an AMC
    message whose two parts are refused (a request for "remboursement" is no payment)."""
    text = ("Les demandes de remboursement de part complémentaire ci-dessous n'ont pas pu être prises en "
            "charge.\n\n* Facture n° 000104560 - soins du 24/09/2026 - part demandée : 11,22 €\n"
            "  Motif du rejet : DROITS FERMES (code V112)\n\n* Facture n° 000104577 - soins du 25/09/2026 - "
            "part demandée : 4,86 €\n  Motif du rejet : NON COUVERT (code V207)\n")
    msg = message(text)
    msg = ParsedMessage(**{**msg.__dict__, "subject": "Votre dossier"})
    assert amc.match(msg) >= 0.5
    reading = amc.read(msg, "amc", "viamedis")
    assert [(f.kind, f.invoice, f.reject_code) for f in reading.facts] == [
        ("amc_rejected", "000104560", "V112"), ("amc_rejected", "000104577", "V207")]
    assert reading.needs_review is None
