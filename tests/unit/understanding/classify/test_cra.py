"""The CRA decision's outcome from its own wording."""

import pytest

from cpambot.understanding.classify.cra import outcome


@pytest.mark.parametrize(("text", "expected"), [
    ("La Commission a examiné votre recours et a décidé de le rejeter.", "rejet"),
    ("La commission a décidé de ne pas faire droit à votre recours.", "rejet"),
    ("La commission n'a pas fait droit à votre demande.", "rejet"),
    ("Votre recours est rejeté ; l'indu reste dû pour son montant total de 742,50 €.", "rejet"),
    ("La commission fait droit à votre recours : la notification d'indu est annulée.", "favorable"),
    ("La commission admet votre recours pour partie ; l'indu est ramené à 120,00 €.", "partiel"),
    ("La Commission a déclaré votre recours IRRECEVABLE pour forclusion, sans l'examiner au fond.", "rejet"),
    ("La commission a examiné votre dossier lors de sa séance du 29 septembre 2026.", None),
    # her claim set out before the ruling ("Vous demandez … l'annulation de l'indu") is not the decision
    ("1. Exposé de la demande\nVous demandez en conséquence l'annulation de l'indu.\n2. Motifs\n"
     "C'est à bon droit que la caisse a notifié l'indu.\n3. Décision\nPAR CES MOTIFS, la Commission "
     "REJETTE le recours de Madame EXEMPLE et confirme l'indu.", "rejet"),
    ("Vous sollicitez l'annulation de la notification. La Commission a décidé de rejeter votre recours.",
     "rejet"),
])
def test_outcome_from_the_decision_words(text, expected):
    """GIVEN the wording of a CRA decision (rejection said without "rejet du recours", a negated
    "faire droit", a favourable or partial decision, or no decision at all) WHEN its outcome is read
    THEN it is the decision the words state, and None (a human reads it) when they state none."""
    assert outcome(text) == expected


def test_the_new_amount_of_a_partial_decision():
    """GIVEN a partial decision "le montant de l'indu est ramené de 1 596,00 euros à 612,40 euros"
    WHEN read THEN the amount still due is 612,40."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from cpambot.understanding.classify import cra
    from cpambot.understanding.message import ParsedMessage

    text = ("La Commission a fait partiellement droit à votre recours.\nEn conséquence, le montant de "
            "l'indu est ramené de 1 596,00 euros à 612,40\neuros. La somme de 983,60 euros est annulée.\n")
    msg = ParsedMessage(subject="Décision de la CRA", from_name="", from_addr="cra@assurance-maladie.fr",
                        date=datetime(2026, 11, 3, tzinfo=UTC), message_id=None, text=text)
    (fact,) = cra.read(msg, "caisse", "461").facts
    assert fact.amount == Decimal("612.40")


def test_a_recours_number_that_starts_with_cra_keeps_its_prefix():
    """GIVEN a decision whose subject is "Décision de la Commission de recours amiable - CRA-501-2026-0455"
    WHEN read THEN the reference is the whole number, "CRA-" included (the title "CRA" is not taken for
    the part before it)."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import cra
    from cpambot.understanding.message import ParsedMessage

    text = ("La Commission a décidé de faire partiellement droit à votre recours : l'indu est ramené à "
            "208,00 €.\nLa décision complète (recours n° CRA-501-2026-0455) vous est adressée par lettre.\n")
    msg = ParsedMessage(subject="Décision de la Commission de recours amiable - CRA-501-2026-0455",
                        from_name="", from_addr="cra@assurance-maladie.fr",
                        date=datetime(2026, 11, 17, tzinfo=UTC), message_id=None, text=text)
    (fact,) = cra.read(msg, "caisse", "501").facts
    assert fact.reference == "CRA-501-2026-0455"


@pytest.mark.parametrize("subject", ["Décision de la Commission de Recours Amiable - Dossier 2026/CRA/0412",
                                     "Décision de la commission"])
def test_a_recours_number_with_cra_inside_it_and_its_letterhead_cell(subject):
    """GIVEN a decision whose number has "CRA" inside it ("2026/CRA/0412"), written in the subject and in the
    letterhead's table ("Nos références | Dossier CRA n° 2026/CRA/0412") WHEN read THEN the reference is
    the whole number (the title "CRA" inside it does not cut it)."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import cra
    from cpambot.understanding.message import ParsedMessage

    text = ("Le Lamentin, le 9 novembre 2026\n\nNos références | Dossier CRA n° 2026/CRA/0412\n\n"
            "La Commission annule l'indu pour les actes du 3 mars et le maintient pour le surplus.\n")
    msg = ParsedMessage(subject=subject, from_name="", from_addr="cra@cgss-martinique.fr",
                        date=datetime(2026, 11, 9, tzinfo=UTC), message_id=None, text=text)
    (fact,) = cra.read(msg, "caisse", "972").facts
    assert fact.reference == "2026/CRA/0412"


def test_the_decision_keeps_its_own_reference_not_the_indus():
    """GIVEN a favourable decision citing "la notification d'indu n° 673-NI-2026-11504" and closing with
    "Référence de la décision : 67-CRA-2026-0967" WHEN read THEN the decision's reference is its own, the
    indu's goes to the details."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import cra
    from cpambot.understanding.message import ParsedMessage

    text = ("Madame,\n\nvous avez saisi la Commission de recours amiable d'une contestation de la "
            "notification d'indu n° 673-NI-2026-11504 du 12 juin 2026.\n\nElle a en conséquence décidé "
            "de faire droit à votre recours et d'annuler l'indu.\n\n"
            "Référence de la décision : 67-CRA-2026-0967\n")
    msg = ParsedMessage(subject="Décision de la Commission de recours amiable", from_name="CRA",
                        from_addr="cra.cpam-bas-rhin@assurance-maladie.fr",
                        date=datetime(2026, 11, 2, tzinfo=UTC), message_id="<c@x>", text=text)
    (fact,) = cra.read(msg, "caisse", "673").facts
    assert (fact.label, fact.reference, fact.details["indu_reference"]) == (
        "favorable", "67-CRA-2026-0967", "673-NI-2026-11504")
