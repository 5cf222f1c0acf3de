"""What the caisse asks for one row (re-bill, documents, a call, nothing) and what happened to it
(rejected, paid, pending), read from its own words."""

from datetime import date

import pytest

from cpambot.understanding.rows.actions import action_of, heading_action, paid_day, status_of
from cpambot.understanding.rows.model import Action, Status


@pytest.mark.parametrize("text", [
    "Merci de refacturer après correction", "Facture à retransmettre", "A RETRANSMETTRE",
    "Veuillez corriger la date de soins et renvoyer la facture", "Transmettre de nouveau la facture",
    "Établir une nouvelle facture", "Merci de re-télétransmettre la FSE", "Renvoyez votre lot",
    "Vérifiez l'affiliation de l'assuré (ADRi) et transmettez la facture à la caisse compétente.",
    "Votre patiente relève désormais de la MSA du Limousin : merci de lui adresser la facture.",
])
def test_words_asking_to_bill_again(text):
    """GIVEN an instruction to correct and re-transmit WHEN read THEN refacturer."""
    assert action_of(text) is Action.REBILL


@pytest.mark.parametrize("text", [
    "nous transmettre la notification d'ALD de la patiente ; la facture sera reprise par nos soins, "
    "inutile de la refacturer",
    "Veuillez nous faire parvenir l'ordonnance", "Pièces justificatives manquantes",
    "La prescription ne nous est pas parvenue", "Prescription absente",
    "Merci de nous transmettre une copie de l'accord préalable",
    "Merci de nous adresser la prescription, sans refacturer",
    "Ne la refacturez pas : envoyez-nous seulement une copie de l'ordonnance",
    "Vous pouvez m'envoyer l'ordonnance en réponse, pas la peine de refacturer",
    "il faut une nouvelle prescription du medecin, a nous transmettre par SCOR, pas de nouvelle facture",
    "Copie lisible par SCOR", "Ordonnance à déposer via SCOR",
])
def test_words_asking_for_a_document(text):
    """GIVEN a request for a document, or a missing document, maybe with "sans refacturer" WHEN read
    THEN pieces."""
    assert action_of(text) is Action.PIECES


@pytest.mark.parametrize("text", [
    "Merci de prendre contact avec nos services", "Appelez la plateforme au 3608",
    "Contactez votre patient pour obtenir son attestation",
    "Merci de contacter le service avant toute refacturation",
    "Merci de vous rapprocher de votre patiente",
    # (the call, then what it is for, at length, before "avant toute nouvelle facturation")
    "Nous vous invitons à contacter le service Relations Professionnels de Santé au 36 08 afin de vérifier "
    "la situation de l'assuré (accident du travail ou maladie) avant toute nouvelle facturation.",
    # (what must wait first, then the call)
    "avant toute nouvelle facturation, contactez le Pôle Flux PS au 03 20 42 00 00",
    "Avant toute refacturation, merci de me rappeler au 03 87 00 00 00.",
])
def test_words_asking_for_a_call(text):
    """GIVEN a request to call the caisse or the patient, also before any re-billing WHEN read THEN
    contacter: the call comes first."""
    assert action_of(text) is Action.CONTACT


@pytest.mark.parametrize("text", [
    "Ne pas retransmettre", "Ne refacturez pas cette facture", "Il ne faut surtout pas refacturer",
    "Pour information", "Aucune action de votre part", "Rien à faire",
    "Aucune démarche n'est nécessaire, ne pas refacturer", "Aucune – réglée sur le lot 409", "Néant",
    "Ne la refacturez pas",
    "la prescription nous est bien parvenue : aucune pièce n'est à fournir pour celle-ci",
    "Merci d'arreter de renvoyer ce lot svp, ça ne fait que créer des doublons",
    "Cessez de retransmettre cette facture",
    "Le lot 411 ayant été traité normalement, vous n'avez rien à retransmettre.",
])
def test_words_asking_for_nothing(text):
    """GIVEN a negated re-billing or an information only WHEN read THEN aucune: the negation settles it
    before the verb it contains."""
    assert action_of(text) is Action.NONE


@pytest.mark.parametrize("texts", [(), ("",), (None, None), ("Droits fermés",), ("Doublon",)])
def test_words_that_ask_nothing_in_particular_give_no_action(texts):
    """GIVEN no words, or a reject label without instruction WHEN read THEN no action: never guessed."""
    assert action_of(*texts) is None


def test_action_reads_every_text_given():
    """GIVEN an empty consigne and a motif holding the instruction WHEN read THEN the motif's action."""
    assert action_of(None, "Erreur de cotation, merci de refacturer") is Action.REBILL


@pytest.mark.parametrize("text,status", [
    ("Rejetée", Status.REJECTED), ("Refusée", Status.REJECTED), ("Doublon", Status.REJECTED),
    ("Droits non ouverts", Status.REJECTED), ("Contrat résilié", Status.REJECTED),
    ("Déjà payée", Status.REJECTED), ("Non payée", Status.REJECTED), ("Rejet - payée", Status.REJECTED),
    ("Mise en paiement le 15/10/2026", Status.PAID), ("Réglée le 15/10/2026", Status.PAID),
    ("Paiement effectué", Status.PAID), ("Facture payée le 3 octobre", Status.PAID), ("Paid", Status.PAID),
    ("Idem, réglée aussi le 24/10", Status.PAID), ("Réglée elle aussi le 29/09/2026", Status.PAID),
    ("Virement du 27/10/2026", Status.PAID),
    ("En attente", Status.PENDING), ("En cours d'examen", Status.PENDING), ("Différée", Status.PENDING),
    ("Suspendue", Status.PENDING),
])
def test_statuses_stated_in_the_rows_words(text, status):
    """GIVEN a row's words stating a reject, a payment or a delay WHEN read THEN that status ("déjà
    payée" is a duplicate's reject, not a payment)."""
    assert status_of(text) is status


@pytest.mark.parametrize("text", ["Réglée", "Payée", "Facture réglée"])
def test_a_bare_paid_word_is_a_payment_only_in_a_status_column(text):
    """GIVEN "réglée" alone WHEN read from free words THEN no status; WHEN read from a status column
    THEN paid."""
    assert status_of(text) is None
    assert status_of(status_cell=text) is Status.PAID


@pytest.mark.parametrize("cell,status", [("REJETEE (1)", Status.REJECTED), ("En attente", Status.PENDING),
                                         ("Non réglée", Status.REJECTED), ("Mise en paiement", Status.PAID)])
def test_status_column_words(cell, status):
    """GIVEN a status column's cell WHEN read THEN its status."""
    assert status_of(status_cell=cell) is status


def test_a_reject_code_means_rejected_whatever_the_words():
    """GIVEN a row with a reject code and words saying "réglée" WHEN read THEN rejected."""
    assert status_of("Réglée", status_cell="Payée", has_code=True) is Status.REJECTED


@pytest.mark.parametrize("text", [
    "anomalie initiale : 0450 072 - Exonération non trouvée - Corrigée par nos services - mise en paiement "
    "le 28/10/2026 - montant réglé : 47,25 €",
    "rejet 0460 053 - Établissement inconnu - corrigée par nos services et mise en paiement le 28/10/2026",
])
def test_a_reject_the_caisse_corrected_then_paid(text):
    """GIVEN a row with its first reject code and what the caisse did since ("anomalie initiale …", "corrigée
    par nos services – mise en paiement le 28/10/2026") WHEN read THEN paid, nothing to do."""
    assert status_of(text, has_code=True) is Status.PAID


def test_the_status_column_wins_over_the_motif():
    """GIVEN a status column saying paid beside a motif WHEN read THEN paid."""
    assert status_of("Prescription absente", status_cell="Payée") is Status.PAID


def test_a_silent_status_column_leaves_the_words_to_speak():
    """GIVEN a status column saying nothing known ("Traitée") and words stating a reject WHEN read THEN
    rejected."""
    assert status_of("Refus : doublon", status_cell="Traitée") is Status.REJECTED


@pytest.mark.parametrize("texts", [(), ("",), ("OK",), ("Traitée",)])
def test_no_status_when_nothing_is_said(texts):
    """GIVEN no words, or words saying nothing of the outcome WHEN read THEN no status."""
    assert status_of(*texts) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Inutile de la renvoyer", Action.NONE),
    ("Facture rectifiée et mise en paiement", Action.NONE),
    ("Rapprochez-vous de votre patiente", Action.CONTACT),
    ("Rapprochez-vous de la caisse", Action.CONTACT),
    ("Contactez votre patient afin qu'il vous communique son attestation de droits", Action.CONTACT),
    ("Prendre contact avec le service avant toute refacturation", Action.CONTACT),
    ("Renvoyer le lot", Action.REBILL),
])
def test_words_whose_first_verb_misleads(text, expected):
    """GIVEN words whose first verb is not what the caisse asks (a negated re-billing, a payment
    after a correction, a call before re-billing, a patient who brings the document) WHEN read
    THEN the action asked."""
    assert action_of(text) is expected


def test_a_status_column_saying_payment_done():
    """GIVEN a status column "Paiement effectué" WHEN its status is read THEN paid."""
    assert status_of(status_cell="Paiement effectué") is Status.PAID


@pytest.mark.parametrize(("text", "action"), [
    ("Il faut donc retransmettre tout le lot une fois votre nouvelle carte installee, inutile de renvoyer "
     "les factures une par une.", Action.REBILL),
    ("C'est le lot complet qui est a refaire.", Action.REBILL),
    ("Ce lot est un doublon : ne pas retransmettre le lot, aucune action de votre part.", Action.NONE),
])
def test_the_whole_lot_to_send_again_whatever_is_said_of_its_invoices(text, action):
    """GIVEN an instruction to send the whole lot again beside "do not resend the invoices one by one", or
    a negated one WHEN read THEN re-bill the lot, or nothing."""
    assert action_of(text) is action


def test_no_ground_to_re_bill_and_see_the_patient():
    """GIVEN "Il n'y a pas lieu de refacturer" after a request for a prescription, and "voyez avec lui pour
    ses nouveaux droits, ne nous la renvoyez pas" WHEN read THEN a document to send, and a call."""
    said = "Merci de nous adresser la prescription. Il n'y a pas lieu de refacturer."
    assert action_of(said) is Action.PIECES
    assert action_of("voyez avec lui pour ses nouveaux droits, ne nous la renvoyez pas") is Action.CONTACT


@pytest.mark.parametrize("text", [
    "DEMANDER A L'ASSURE SA CAISSE",
    "Vérifier auprès du patient son organisme d'affiliation et nous rappeler au 04 90 13 67 67",
    "Interrogez votre patiente sur sa caisse d'affiliation",
])
def test_asking_the_patient_is_a_call(text):
    """GIVEN a consigne asking the nurse to ask or check with the patient (in capitals, or with "nous
    rappeler") WHEN read THEN a call comes first, not nothing."""
    assert action_of(text) is Action.CONTACT


@pytest.mark.parametrize(("text", "action"), [
    ("il faut voir directement avec lui (nouvelle caisse ou mise à jour de sa situation) avant toute "
     "nouvelle facturation", Action.CONTACT),
    ("prescripteur inconnu -> renvoyer l'ordo svp (pas de refact)", Action.PIECES),
])
def test_an_agents_shorthand(text, action):
    """GIVEN an agent's shorthand ("voir avec lui avant toute nouvelle facturation", "renvoyer l'ordo …
    pas de refact") WHEN read THEN a call first, or the prescription without re-billing."""
    assert action_of(text) is action


def test_paid_by_transfer_after_a_comma():
    """GIVEN "réglée, virement du 03/11/2026, 71,35 €" beside an invoice WHEN its status is read THEN paid."""
    assert status_of("réglée, virement du 03/11/2026, 71,35 €") is Status.PAID


def test_nothing_sent_before_the_call():
    """GIVEN "Pourriez-vous me rappeler … Merci de ne rien retransmettre avant notre échange." WHEN read
    THEN a call comes first (not "nothing to do")."""
    said = ("Pourriez-vous me rappeler directement au 03 86 71 22 09 ? Merci de ne rien retransmettre avant "
            "notre échange.")
    assert action_of(said) is Action.CONTACT


@pytest.mark.parametrize("text", ["Les factures n'ont pas à être refacturées.",
                                  "Pas besoin de refaire la facture."])
def test_no_re_billing_in_other_words(text):
    """GIVEN "n'ont pas à être refacturées" or "Pas besoin de refaire la facture" WHEN read THEN no
    re-billing (nothing else asked)."""
    assert action_of(text) is Action.NONE


def test_already_paid_is_a_duplicate():
    """GIVEN "Facture déjà réglée le 16/10/2026" beside a motif "Doublon" WHEN its status is read THEN
    rejected (the duplicate of a paid invoice), not paid."""
    assert status_of("Doublon", "Facture déjà réglée le 16/10/2026") is Status.REJECTED


def test_nothing_for_now_the_caisse_takes_it_up():
    """GIVEN "aucune pour le moment. L'exonération est en cours de mise à jour par nos services, la facture
    sera reprise automatiquement." WHEN read THEN nothing to do."""
    said = ("aucune pour le moment. L'exonération est en cours de mise à jour par nos services, la facture "
            "sera reprise automatiquement.")
    assert action_of(said) is Action.NONE


@pytest.mark.parametrize("motif,consigne,status", [
    ("Pièce reçue le 06/10/2026 – rejet 0460 053 levé", "Mise en paiement le 09/10/2026", Status.PAID),
    ("Anomalie régularisée", "Paiement effectué", Status.PAID),
    ("Rejet 0460 053 levé", "", Status.REJECTED),
    ("Prescription interdite (0470 049)", "Mise en paiement le 09/10/2026", Status.REJECTED),
])
def test_a_lifted_reject_is_paid_only_when_its_payment_is_stated(motif, consigne, status):
    """GIVEN a row with a reject code whose words say the reject was lifted ("rejet … levé", "anomalie
    régularisée") WHEN its payment is stated THEN paid; WHEN not THEN still rejected; a code not lifted stays
    a reject whatever the other cell says."""
    assert status_of(motif, consigne, has_code=True) is status


def test_nothing_to_send_before_seeing_the_patient_is_a_call_first():
    """GIVEN "merci de voir avec le patient, il a sûrement changé de caisse, ne rien renvoyer avant" WHEN
    read THEN contact (the patient first), not "nothing to do"."""
    assert action_of("merci de voir avec le patient, il a sûrement changé de caisse, ne rien "
                     "renvoyer avant") \
        is Action.CONTACT
    assert action_of("ne rien renvoyer, la facture sera reprise automatiquement") is Action.NONE


@pytest.mark.parametrize("caption,action", [
    ("Voici le retour sur vos lots.\n\nA REFACTURER APRES CORRECTION", Action.REBILL),
    ("A NE PAS REFACTURER - NOUS ADRESSER L'ORDONNANCE", Action.PIECES),
    ("POUR INFORMATION (RIEN A FAIRE)", Action.NONE),
    ("Factures à refacturer, sauf la facture 000096310", None),
    ("Voici le retour sur le traitement de vos lots 096 et 097, réceptionnés le 26/10/2026 et traités", None),
])
def test_the_instruction_a_heading_gives_the_table_under_it(caption, action):
    """GIVEN a short heading just above a table ("A REFACTURER APRES CORRECTION") WHEN read THEN its
    instruction; a heading with an exception, or a sentence, gives none."""
    assert heading_action(caption) is action


@pytest.mark.parametrize(("text", "day"), [
    ("elle a été réglée le 22 septembre 2026 pour un montant de 118,35 €", date(2026, 9, 22)),
    ("Régularisée par nos services, mise en paiement le 09/10/2026", date(2026, 10, 9)),
    ("c bon la facture 973204415 est partie en paiement le 03/11 (58€)", date(2026, 11, 3)),
    ("Le paiement effectué le 16/10/2026 est conforme", date(2026, 10, 16)),
    ("Un complément de 4,62 € vous a été versé le 10/11/2026.", date(2026, 11, 10)),
    ("La facture a été mise en paiement ce jour, 21/10/2026, pour 94,50 €", date(2026, 10, 21)),
    ("le règlement de 31,50 euros effectué le 14/08/2026 correspond à la part due", date(2026, 8, 14)),
    # a care date, a reject date, a statement's date: not the day of a payment
    ("soins du 05/10/2026, rejetée le 24/09/2026, relevé du 23/09/2026", None),
])
def test_the_day_a_payment_is_said(text, day):
    """GIVEN the words of a row or a passage WHEN the day of the payment is looked for THEN the date right
    after the payment's words, and none when no date follows them."""
    assert paid_day(text, 2026) == day


def test_the_words_of_one_cell_never_run_into_the_next():
    """GIVEN a row's consigne "Contacter le service PS au 36 08 ; ne pas retransmettre" and its motif
    "Prescription interdite à cette date" WHEN its action is read THEN a call: "retransmettre" at the end of
    the consigne and "Prescription" at the start of the motif are not "send the prescription"."""
    assert action_of("Contacter le service PS au 36 08 ; ne pas retransmettre",
                     "Prescription interdite à cette date", "REJET") is Action.CONTACT
