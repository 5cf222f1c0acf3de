"""A letter that came by post, photographed by her and sent to the bot's mailbox, end to end against the
real Dovecot, Tesseract and a real SMTP server: the letter is read as the caisse's, its deadlines run from
the day she says it came; without that day, the digest asks « REÇU C1 JJ/MM » and her answer moves them."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from mailflow import (
    APPROVER,
    captured,
    complete_and_approve,
    digests,
    poll,
    reply,
    subject_of,
    table,
    text_of,
)
from mailflow import INDU as INDU_MAIL
from paperletters import LETTERS, render, variant

INDU = LETTERS[0]  # CGSS de La Réunion, dated 12/11/2026, IND-2026-974-000318, 2 598,00 €
NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # a Friday, 9:00 in Paris: after the 07:30 digest time


def photo_message(body: str, when: datetime) -> bytes:
    message = EmailMessage()
    message["From"] = f"Marie Exemple <{APPROVER}>"
    message["To"] = "teletrans.marie@example.org"
    message["Subject"] = "courrier CGSS"
    message["Date"] = email.utils.format_datetime(when)
    message["Message-ID"] = email.utils.make_msgid(domain="example.org")
    message.set_content(body)
    message.add_attachment(variant(render(INDU), "jpeg"), maintype="image", subtype="jpeg",
                           filename="IMG_4821.jpeg")
    return message.as_bytes()


def indu_case(config):
    (case,) = [c for c in table(config, "cases") if c.get("reference") == "IND-2026-974-000318"]
    return case


def test_a_photographed_indu_counts_from_the_day_she_received_it(world):
    """GIVEN her photo of a notification d'indu dated 12/11, sent on 19/11 with « Reçu hier en recommandé »
    WHEN the bot reads its mailbox THEN an indu case of the CGSS for 2 598,00 € whose notification counts
    from 18/11 (dated 12/11), its CRA deadline from it, and no question about the day."""
    config, smtp, user = world
    said = "Bonjour,\nReçu hier en recommandé.\nMarie\n"
    user.append("INBOX", photo_message(said, NOW - timedelta(days=1)))
    poll(config, NOW)
    case = indu_case(config)
    assert (case["caisse"], case["amount"]) == ("974", "2598.00")
    assert case["dates"]["notified"] == "2026-11-18" and case["dates"]["notified_dated"] == "2026-11-12"
    assert "reception_a_preciser" not in case["flags"]
    digest = text_of(digests(smtp)[-1].content)
    assert "IND-2026-974-000318" in digest and f"REÇU {case['id']}" not in digest


def test_without_the_day_the_digest_asks_and_her_answer_moves_the_deadlines(world):
    """GIVEN her photo of the notification with no word of when it came WHEN read THEN the deadlines run
    from the letter's date (12/11) and the digest asks « REÇU C1 JJ/MM »; WHEN she answers « REÇU C1
    16/11 » THEN they run from 16/11 and the question goes."""
    config, smtp, user = world
    user.append("INBOX", photo_message("", NOW - timedelta(days=1)))
    poll(config, NOW)
    case = indu_case(config)
    assert case["dates"]["notified"] == "2026-11-12" and "reception_a_preciser" in case["flags"]
    digest = digests(smtp)[-1]
    assert f"Répondez « REÇU {case['id']} JJ/MM »" in text_of(digest.content)
    user.append("INBOX", reply(digest.content, f"REÇU {case['id']} 16/11"))
    poll(config, NOW + timedelta(hours=2))
    case = indu_case(config)
    assert case["dates"]["notified"] == "2026-11-16" and "reception_a_preciser" not in case["flags"]


def test_the_photo_is_enclosed_with_the_cra_referral(world):
    """GIVEN the photographed notification WHEN the saisine of the CRA is drafted, completed and approved
    THEN the e-mail to the CRA encloses her photo (the letter contested)."""
    config, smtp, user = world
    user.append("INBOX", photo_message("reçue le 18/11", NOW - timedelta(days=1)))
    poll(config, NOW)
    code = next(d["code"] for d in table(config, "drafts") if d["kind"] == "saisine_cra")
    completed = ("Madame, Monsieur,\r\nJe saisis la commission de recours amiable de l'indu "
                 "IND-2026-974-000318 : les cotations étaient conformes aux prescriptions.\r\n"
                 "Cordialement,\r\nMarie Exemple")
    complete_and_approve(world, code, completed, NOW + timedelta(hours=1))
    (sent,) = captured(smtp, "cra@cgss.re")
    message = email.message_from_bytes(sent.content, policy=email.policy.default)
    assert [p.get_filename() for p in message.iter_attachments()] == ["IMG_4821.jpeg"]


def test_a_photo_sent_in_answer_to_the_digest_is_read_too(world):
    """GIVEN a digest, and her answer to it with the photo and « reçu hier » and no command WHEN read THEN
    the letter is read as a paper letter (not refused as a reply the bot does not understand); GIVEN her
    answer « NOTE C1 … » with the photo THEN the note is taken and the confirmation says the photo is to
    be sent on its own."""
    config, smtp, user = world
    user.append("INBOX", photo_message("", NOW - timedelta(days=2)))
    poll(config, NOW - timedelta(days=1))
    digest = digests(smtp)[-1].content
    answer = email.message_from_bytes(reply(digest, "Voici la décision de la CRA, reçue hier."),
                                      policy=email.policy.default)
    answer.make_mixed()
    answer.add_attachment(variant(render(LETTERS[1]), "clean"), maintype="image", subtype="png",
                          filename="scan.png")
    user.append("INBOX", answer.as_bytes())
    poll(config, NOW)
    assert any(c.get("reference") == "2026-511-07731" for c in table(config, "cases"))
    case = indu_case(config)
    noted = email.message_from_bytes(reply(digest, f"NOTE {case['id']} appel à la CGSS"),
                                     policy=email.policy.default)
    noted.make_mixed()
    noted.add_attachment(variant(render(INDU), "clean"), maintype="image", subtype="png", filename="a.png")
    user.append("INBOX", noted.as_bytes())
    poll(config, NOW + timedelta(hours=1))
    confirmation = [m for m in captured(smtp, APPROVER) if "bien reçu" in subject_of(m)][-1]
    assert "envoyez-le au robot dans un message à part" in text_of(confirmation.content)
    assert any("appel à la CGSS" in h["text"] for h in indu_case(config)["history"])


def test_a_strangers_photo_in_answer_to_the_digest_is_refused_not_read(world):
    """GIVEN a digest WHEN someone who is not the approver answers it with the photo of a letter THEN
    nothing is read from it: no case opens (the answer is refused as from a stranger)."""
    config, smtp, user = world
    user.append("INBOX", photo_message("", NOW - timedelta(days=2)))
    poll(config, NOW - timedelta(days=1))
    answer = email.message_from_bytes(reply(digests(smtp)[-1].content, "Voici la décision, reçue hier.",
                                            sender="intrus@example.net"), policy=email.policy.default)
    answer.make_mixed()
    answer.add_attachment(variant(render(LETTERS[1]), "clean"), maintype="image", subtype="png",
                          filename="scan.png")
    user.append("INBOX", answer.as_bytes())
    poll(config, NOW)
    assert not any(c.get("reference") == "2026-511-07731" for c in table(config, "cases"))


def test_the_pictures_of_a_caisse_mail_she_forwarded_are_not_enclosed_as_her_photos(world):
    """GIVEN the CGSS's notification e-mail (its PDF, and a 20 KB banner picture) forwarded by her WHEN the
    saisine of the CRA is approved THEN it encloses the notification's PDF only, not the banner."""
    config, smtp, user = world
    caisse_mail = email.message_from_bytes(INDU_MAIL, policy=email.policy.default)
    caisse_mail.add_attachment(bytes(range(256)) * 80, maintype="image", subtype="png",
                               filename="bandeau.png")
    forward = EmailMessage()
    forward["From"] = f"Marie Exemple <{APPROVER}>"
    forward["To"] = "teletrans.marie@example.org"
    forward["Subject"] = "TR: " + str(caisse_mail["Subject"])
    forward["Date"] = email.utils.format_datetime(datetime(2026, 4, 20, 7, 0, tzinfo=UTC))
    forward["Message-ID"] = email.utils.make_msgid(domain="example.org")
    forward.set_content("Pour le robot.\n")
    forward.add_attachment(caisse_mail)
    user.append("INBOX", forward.as_bytes())
    when = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)
    poll(config, when)
    code = next(d["code"] for d in table(config, "drafts") if d["kind"] == "saisine_cra")
    completed = ("Madame, Monsieur,\r\nJe saisis la commission de recours amiable de l'indu "
                 "2026-974-000318 : les ordonnances étaient valables.\r\nCordialement,\r\nMarie Exemple")
    complete_and_approve(world, code, completed, when + timedelta(hours=1))
    (sent,) = captured(smtp, "cra@cgss.re")
    message = email.message_from_bytes(sent.content, policy=email.policy.default)
    assert [p.get_filename() for p in message.iter_attachments()] == ["Notification_indu_2026-974-000318.pdf"]
