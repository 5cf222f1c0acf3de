"""Information and invitations: a meeting proposed, convened, postponed."""

from __future__ import annotations

from datetime import date

from cpambot.understanding.classify.human import classify_human
from cpambot.understanding.message import parse_message


def _mail(body: str, subject: str, sender: str = "controle.ps@cgss.re") -> bytes:
    return (f"From: Service <{sender}>\nTo: marie.exemple@example.org\nSubject: {subject}\n"
            f"Date: Mon, 02 Nov 2026 10:00:00 +0100\nMessage-ID: <inv1@example.org>\n"
            f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}").encode()


def test_a_convocation_to_a_contradictory_interview_about_a_constat_is_an_invitation():
    """GIVEN "Convocation - entretien contradictoire - constat d'anomalies du 29/09/2026" and "nous vous
    invitons à un entretien contradictoire : Date : jeudi 19 novembre 2026 à 8 h 30", with a reply asked
    "avant le 12 novembre 2026" WHEN read THEN an invitation to the meeting of 19 November (the constat it
    follows is cited, not sent)."""
    body = ("Madame,\n\nPar courrier du 29 septembre 2026, nous vous avons adressé un constat d'anomalies de "
            "facturation (référence CTRL-974-2026-IDEL-0219).\n\nAfin de recueillir vos observations avant "
            "toute décision, nous vous invitons à un entretien contradictoire :\n\n"
            "    Date : jeudi 19 novembre 2026 à 8 h 30\n    Lieu : CGSS de La Réunion\n\n"
            "Merci de confirmer votre présence avant le 12 novembre 2026.\n")
    subject = "Convocation - entretien contradictoire - constat d'anomalies du 29/09/2026"
    reading = classify_human(parse_message(_mail(body, subject)), "caisse")
    assert (reading.kind, [(f.kind, f.date) for f in reading.facts], reading.needs_review) == (
        "invitation", [("meeting_invitation", date(2026, 11, 19))], None)


def test_a_postponed_interview_is_an_invitation_to_its_new_date():
    """GIVEN "REPORT - Entretien du 05/11/2026 - dossier 83-IND-2026-0513", "l'entretien qui devait se tenir
    le jeudi 5 novembre 2026, dans le cadre de l'examen de vos observations sur la notification d'indu du 17
    août 2026 … est reporté", "Entretien initialement prévu : jeudi 5 novembre 2026 - ANNULÉ", "Nouvelle date
    : jeudi 26 novembre 2026 - 9 h 30" WHEN read THEN an invitation to 26 November (neither the indu it
    cites nor the cancelled day)."""
    body = ("Madame,\n\nPour des raisons de service, l'entretien qui devait se tenir le jeudi 5 novembre "
            "2026, dans le cadre de l'examen des observations que vous avez formulées le 2 octobre 2026 sur "
            "la notification d'indu du 17 août 2026 (dossier 83-IND-2026-0513), ne pourra pas avoir lieu. "
            "Il est reporté.\n\nEntretien initialement prévu : jeudi 5 novembre 2026 - 10 h 00 - ANNULÉ\n"
            "Nouvelle date : jeudi 26 novembre 2026 - 9 h 30\n\n"
            "Merci de nous confirmer votre disponibilité avant le vendredi 20 novembre 2026.\n")
    subject = "REPORT - Entretien du 05/11/2026 - dossier 83-IND-2026-0513"
    sender = "regulation-ps.cpam-var@assurance-maladie.fr"
    reading = classify_human(parse_message(_mail(body, subject, sender)), "caisse")
    assert (reading.kind, [(f.kind, f.date) for f in reading.facts], reading.needs_review) == (
        "invitation", [("meeting_invitation", date(2026, 11, 26))], None)


def test_a_convocation_under_a_subject_that_says_nothing_is_still_an_invitation():
    """GIVEN the convocation "Par courrier du 29 septembre 2026, nous vous avons adressé un constat
    d'anomalies de facturation … nous vous invitons à un entretien contradictoire" under the subject "Votre
    dossier", and the postponement of an interview "dans le cadre de l'examen de vos observations sur la
    notification d'indu du 17 août 2026" under the same subject WHEN read THEN both are invitations (the
    constat and the indu are letters they cite, not letters they send)."""
    convocation = ("Madame,\n\nPar courrier du 29 septembre 2026, nous vous avons adressé un constat "
                   "d'anomalies de facturation (référence CTRL-974-2026-IDEL-0219).\n\n"
                   "Afin de recueillir vos observations, nous vous invitons à un entretien "
                   "contradictoire :\n\n"
                   "    Date : jeudi 19 novembre 2026 à 8 h 30\n")
    postponed = ("Madame,\n\nL'entretien qui devait se tenir le jeudi 5 novembre 2026, dans le cadre de "
                 "l'examen des observations que vous avez formulées sur la notification d'indu du 17 août "
                 "2026, ne pourra pas avoir lieu. Il est reporté.\n\n"
                 "Nouvelle date : jeudi 26 novembre 2026\n")
    readings = [classify_human(parse_message(_mail(body, "Votre dossier")), "caisse")
                for body in (convocation, postponed)]
    assert [(r.kind, [f.date for f in r.facts]) for r in readings] == [
        ("invitation", [date(2026, 11, 19)]), ("invitation", [date(2026, 11, 26)])]


def test_an_invitation_in_an_attached_letter_is_dated_by_the_letter_not_by_its_date_line():
    """GIVEN a body "Veuillez trouver ci-joint un courrier" and an attached letter "Auch, le 3 novembre 2026
    … nous vous proposons un entretien avec un conseiller … le mardi 24 novembre 2026 à 14 h 00" WHEN read
    THEN an invitation to 24 November at 14:00 (the letter's own date line is not the meeting)."""
    from dataclasses import replace

    from cpambot.understanding.message import Attachment

    letter = ("CPAM du Gers\nAuch, le 3 novembre 2026\nObjet : invitation à un échange confraternel\n"
              "Madame, nous vous proposons un entretien avec un conseiller le mardi 24 novembre 2026 à "
              "14 h 00.\n")
    msg = parse_message(_mail("Veuillez trouver ci-joint un courrier vous concernant.\n", "Courrier",
                              "relations-ps.cpam-gers@assurance-maladie.fr"))
    attached = Attachment("courrier.docx", "application/octet-stream", b"", letter, None)
    msg = replace(msg, attachments=(attached,))
    reading = classify_human(msg, "caisse")
    assert (reading.kind, [(f.date, f.details.get("time")) for f in reading.facts]) == (
        "invitation", [(date(2026, 11, 24), "14:00")])
