"""Notifications de payer, complements and mises en demeure: the indu's letters."""

from __future__ import annotations

from decimal import Decimal

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.message import parse_message


def _mail(body: str, subject: str) -> bytes:
    return (f"From: Controle <controle.prestations@provence-azur.msa.fr>\nTo: marie.exemple@example.org\n"
            f"Subject: {subject}\nDate: Fri, 02 Oct 2026 10:45:00 +0200\nMessage-ID: <in1@example.org>\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()


def test_a_notification_whose_title_a_scanner_spaced_out_is_told_by_its_words():
    """GIVEN a letter whose title came out of a scanner letter by letter ("0bjet : N O T I F I C A T I O N
    D ' I N D U"), "Suite au contrôle de votre facturation … des prestations vous ont été versées à tort", the
    sums and "Soit un montant total indûment perçu de : 418,35 €" WHEN read THEN a notification of an indu of
    418,35 €, not the report of a control."""
    body = ("Réf. : CTL/PS/2026/05218\nMarseille, le 1er octobre 2026\n"
            "0bjet : N O T I F I C A T I O N D ' I N D U\nMadame,\n"
            "Suite au contrôle de votre facturation réalisé le 8 septembre 2026, il apparaît\n"
            "que des prestations vous ont été versées à tort pour des soins dispensés à un assuré :\n"
            " - indemnités kilométriques (IK) non dues ................... 117,75 €\n"
            " - soins facturés pendant l'hospitalisation ................. 300,60 €\n"
            "Soit un montant total indûment perçu de : 418,35 €\n"
            "Vous disposez d'un délai de deux mois pour rembourser cette somme ou présenter vos "
            "observations.\n")
    reading = classify_human(parse_message(_mail(body, "Envoi d'un document")), "caisse")
    assert (reading.kind, [f.kind for f in reading.facts]) == ("notification_indu", ["indu_notified"])
    assert (reading.facts[0].amount, reading.facts[0].reference) == (Decimal("418.35"), "CTL/PS/2026/05218")
