"""A complementary platform's messages: its own reject codes told apart from the words."""

from __future__ import annotations

from datetime import UTC, date, datetime

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


def test_a_card_whose_motif_starts_with_a_short_platform_code():
    """GIVEN a platform's card "N° de facture | 261 004 702" … "Motif du rejet | K31 – Attestation de droits
    complémentaires absente ou illisible" in a letter that also speaks of "demande de règlement" (so the
    message alone says neither paid nor refused) WHEN read THEN the part is refused: the code K31 and the
    words apart."""
    text = ("Nous avons bien reçu votre demande de règlement en tiers payant pour la part complémentaire.\n\n"
            "N° de facture | 261 004 702\n\nDate des soins | lundi 5 oct. 2026\n\n"
            "Montant de la part complémentaire | 14,70 €\n\n"
            "Motif du rejet | K31 – Attestation de droits complémentaires absente ou illisible\n")
    msg = ParsedMessage(subject="Facture 261004702 : rejet - pièce manquante", from_name="Kalivia",
                        from_addr="tiers-payant@kalivia.fr", date=datetime(2026, 10, 12, tzinfo=UTC),
                        message_id=None, text=text)
    reading = amc.read(msg, "amc", "kalivia")
    assert [(f.kind, f.invoice, f.reject_code, f.label) for f in reading.facts] == [
        ("amc_rejected", "261004702", "K31", "Attestation de droits complémentaires absente ou illisible")]
    assert reading.needs_review is None


def test_a_platforms_answer_dates_the_one_payment_it_tells():
    """GIVEN a platform's support answering "la part complémentaire de la facture 207733401 a bien été réglée
    le 12/10/2026 par virement (référence ALM26101204571), pour un montant de 9,30 €" WHEN read THEN the
    part paid that day."""
    text = ("Bonjour,\n\nAprès vérification, la part complémentaire de la facture 207733401 a bien été "
            "réglée le 12/10/2026 par virement (référence ALM26101204571), pour un montant de 9,30 €.\n")
    msg = ParsedMessage(subject="RE: Facture 207733401 non réglée", from_name="almerys",
                        from_addr="support-ps@almerys.com", date=datetime(2026, 10, 21, tzinfo=UTC),
                        message_id=None, text=text)
    (fact,) = amc.read(msg, "amc", "almerys").facts
    assert (fact.kind, fact.invoice, str(fact.amount), fact.date) == (
        "amc_paid", "207733401", "9.30", date(2026, 10, 12))
