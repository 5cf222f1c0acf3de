"""Paper letters: which images to read, the day she says the letter came, and the letter's reading once
its text is known (pure: the OCR's text is given)."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest

from cpambot.config.model import Caisse
from cpambot.understanding.facts import FactKind
from cpambot.understanding.message import parse_message
from cpambot.understanding.paper import OCR_NOTE, fingerprint, letters_text, ocr_targets, receipt_said
from cpambot.understanding.reader import read_message

TUESDAY = date(2026, 11, 17)
CAISSES = (Caisse(code="974", name="CGSS de La Réunion", kind="cgss", domains=("cgss.re",)),)
PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 80  # (a JPEG's bytes, as far as the reader cares)
LOGO = b"\x89PNG\r\n\x1a\n" + b"x" * 2_000
INDU = """CGSS de La Réunion
Service Régulation des professionnels de santé
Saint-Denis, le 12/11/2026
Objet : Notification de payer – indu n° IND-2026-974-000318
Madame, Monsieur,
Nous avons constaté une anomalie dans la facturation de vos actes infirmiers entre le 02/03/2026 et
le 30/06/2026 (cotation AMI non conforme). Le montant de l'indu s'élève à 2 598,00 euros.
Vous disposez d'un délai de deux mois pour saisir la commission de recours amiable.
"""


@pytest.mark.parametrize(("text", "day"), [
    ("reçu le 12/11", date(2026, 11, 12)),
    ("Reçue ce matin en recommandé", TUESDAY),
    ("arrivé hier", date(2026, 11, 16)),
    ("arrivée avant-hier", date(2026, 11, 15)),
    ("AR signé le 16 novembre", date(2026, 11, 16)),
    ("je l’ai eu vendredi", date(2026, 11, 13)),  # (a typographic apostrophe)
    ("courrier du 12/11 reçu le 16/11", date(2026, 11, 16)),  # the letter's date is not the receipt's
    ("Je l'ai reçu hier en recommandé, daté du 12/11", date(2026, 11, 16)),
    ("Le 13/11 j'ai reçu ce courrier", date(2026, 11, 13)),
    ("Reçu le 16 nov. 2026", date(2026, 11, 16)),
    ("lettre reçue aujourd'hui", TUESDAY),
    ("Bonjour, voici le courrier de la CPAM. Bonne journée", None),
    ("reçu la semaine dernière", None),  # not one day: asked, never guessed
    ("daté du 2 novembre mais je ne l'ai eu que le 9", date(2026, 11, 9)),  # a day alone: this month
    ("reçu le 20", None),  # (a day alone after today's, not a few days back into last month: asked)
    ("Je vous transmets ce matin le courrier reçu la semaine dernière", None),
    ("Je vous le transfère aujourd'hui, je l'ai reçu en novembre", None),
    ("Hier j'ai ouvert le courrier reçu fin octobre", None),
    ("J'ai vu aujourd'hui ce courrier reçu pendant mon absence", None),
    ("Hier j'ai ouvert le courrier reçu.", None),  # (the day she opened it, not the one it came)
    ("J'ai reçu le 2e courrier de relance", None),
    ("Reçu, je dois payer avant le 20 ?", None),
    ("reçu le 18/11", None),  # (the day after her message: a slip, asked — never last year's)
    ("Ce matin, reçu ce recommandé", TUESDAY),
    ("reçu le 12/11, ou peut-être le 13/11 ? reçu le 13/11", None),  # two days said: asked
])
def test_the_day_she_says_the_letter_came(text, day):
    """GIVEN what she writes above a photo, in a message of Tuesday 17/11/2026 WHEN read THEN the day she
    received the letter, counted from her message's day; none when she does not say one day."""
    assert receipt_said(text, TUESDAY) == day


def test_a_receipt_day_in_another_year_is_taken_as_written():
    """GIVEN « reçu le 20/11/2025 » in a message of 17/11/2026 WHEN read THEN 20/11/2025, as written: the
    reading then finds it before the letter's date and asks her."""
    assert receipt_said("reçu le 20/11/2025", TUESDAY) == date(2025, 11, 20)


def her_message(body: str, *attachments: tuple[str, str, bytes],
                sender: str = "marie.exemple@example.org") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "teletrans.marie@example.org"
    message["Subject"] = "courrier CGSS"
    message["Date"] = "Tue, 17 Nov 2026 18:04:00 +0400"
    message["Message-ID"] = "<paper-1@example.org>"
    message.set_content(body)
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def test_her_photos_are_read_not_her_logos_nor_a_strangers():
    """GIVEN her message with a photo and a small logo, and the same from a stranger WHEN the images to
    read are chosen THEN her photo only."""
    raw = her_message("reçu hier", ("IMG_4821.jpeg", "image/jpeg", PHOTO), ("logo.png", "image/png", LOGO))
    assert [a.filename for a in ocr_targets(parse_message(raw), "approver")] == ["IMG_4821.jpeg"]
    assert ocr_targets(parse_message(raw), "other") == []


def test_a_photographed_letter_is_read_as_the_caisses_with_the_day_she_received_it():
    """GIVEN her message « reçu hier en recommandé » with a photo whose text is a CGSS notification d'indu
    WHEN read THEN a notification d'indu of the 974 with its fact dated by the letter, her trust, the day
    she received it, the letter's date, and a note to check the figures on the original."""
    raw = her_message("Bonjour, reçu hier en recommandé.\nMarie", ("IMG_1.jpeg", "image/jpeg", PHOTO))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): INDU})
    assert (reading.kind, reading.trust, reading.caisse, reading.needs_review) == (
        "notification_indu", "approver", "974", None)
    (fact,) = reading.facts
    assert (fact.kind, fact.reference, f"{fact.amount}", fact.date) == (
        FactKind.INDU_NOTIFIED, "IND-2026-974-000318", "2598.00", date(2026, 11, 12))
    assert reading.fields["receipt"] == "2026-11-16" and reading.fields["letter_date"] == date(2026, 11, 12)
    assert reading.fields["sent_on"] == "2026-11-12"
    assert reading.fields["forwarded_by"] == "marie.exemple@example.org"
    assert OCR_NOTE in reading.problems


def test_a_receipt_before_the_letters_date_is_not_taken():
    """GIVEN « reçu le 10/11 » above a letter dated 12/11 (a slip, or the OCR misread) WHEN read THEN no
    day of receipt, and a problem says it is to be told."""
    raw = her_message("reçu le 10/11", ("IMG_1.jpeg", "image/jpeg", PHOTO))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): INDU})
    assert reading.fields["receipt"] is None
    assert any("date de réception à préciser" in p for p in reading.problems)


@pytest.mark.parametrize(("text", "why"), [
    ("", "photo ou scan sans texte lisible"),
    ("Ordonnance\nDocteur Martin\nAMI 1 matin et soir pendant 15 jours, pansement simple, soins à "
     "domicile y compris dimanches et jours fériés, renouvelable une fois, à compter du 02/11/2026, "
     "pour Mme X, née le 01/01/1950, à Saint-Denis", "courrier papier non reconnu"),
])
def test_a_photo_that_says_nothing_readable_is_shown_to_her(text, why):
    """GIVEN her photo whose OCR found nothing, or the text of something that is no caisse's letter WHEN
    read THEN nothing is acted on: unknown, no fact, to be read by her, with the reason."""
    raw = her_message("", ("IMG_2.jpeg", "image/jpeg", PHOTO))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): text} if text else {})
    assert (reading.kind, reading.facts) == ("unknown", ())
    assert reading.needs_review == f"{why} : à lire"


def test_a_caisse_letter_scanned_into_a_pdf_is_read_from_its_ocr_text():
    """GIVEN a CGSS e-mail whose letter is a PDF without a text layer WHEN read without its OCR text THEN
    « à lire »; WHEN read with it THEN the notification d'indu, its facts, and the note to check them."""
    scan = _image_only_pdf()
    message = EmailMessage()
    message["From"] = "regulation@cgss.re"
    message["To"] = "teletrans.marie@example.org"
    message["Subject"] = "Courrier"
    message["Date"] = "Thu, 12 Nov 2026 09:00:00 +0400"
    message.set_content("Veuillez trouver ci-joint un courrier vous concernant.")
    message.add_attachment(scan, maintype="application", subtype="pdf", filename="courrier.pdf")
    raw = message.as_bytes()
    assert read_message(raw, "caisse", CAISSES).needs_review is not None
    reading = read_message(raw, "caisse", CAISSES, ocr={fingerprint(scan): INDU})
    assert reading.kind == "notification_indu" and reading.needs_review is None
    assert [f.reference for f in reading.facts] == ["IND-2026-974-000318"] and OCR_NOTE in reading.problems


def _image_only_pdf() -> bytes:
    import io

    from fpdf import FPDF
    from PIL import Image

    image = Image.new("L", (200, 100), 255)
    out = io.BytesIO()
    image.save(out, "PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(out.getvalue()), x=10, y=10, w=100)
    return bytes(pdf.output())


def test_a_figure_ocr_ran_together_is_never_taken_for_the_amount():
    """GIVEN a photographed mise en demeure whose amount OCR read « 8137455€ » (for « 1 374,55 € ») WHEN
    read THEN the reading is shown to her, « montant lu sur la photo incertain », never acted on as it
    stands; GIVEN the same amount written as money THEN it is taken."""
    garbled = INDU.replace("2 598,00 euros", "2598004€")
    raw = her_message("reçu hier", ("IMG_1.jpeg", "image/jpeg", PHOTO))
    doubtful = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): garbled})
    assert doubtful.needs_review is not None and "montant lu sur la photo incertain" in doubtful.needs_review
    assert read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): INDU}).needs_review is None


def test_what_ocr_misreads_in_the_words_the_reader_looks_for_is_put_right():
    """GIVEN OCR text with « NIRét. : », « Rél. : » and « Tourcoing. le 16 novembre 2026 » WHEN the
    pages are joined THEN « N/Réf. », « Réf. » and « Tourcoing, le 16 novembre 2026 »; other words are
    left as read."""
    text = letters_text(["NIRét. : 673/IDEL/26/00391\nRél. : X-1", "Tourcoing. le 16 novembre 2026\nFin."])
    assert text == "N/Réf. : 673/IDEL/26/00391\nRéf. : X-1\n\nTourcoing, le 16 novembre 2026\nFin.\n"


def test_a_letter_without_a_date_is_not_dated_by_her_message():
    """GIVEN a photographed notification whose date line OCR lost WHEN read THEN the letter has no date
    (not the day of her message), and the day it counts from is hers (the day she sent it)."""
    undated = INDU.replace("Saint-Denis, le 12/11/2026\n", "")
    raw = her_message("", ("IMG_1.jpeg", "image/jpeg", PHOTO))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): undated})
    assert reading.kind == "notification_indu" and reading.fields.get("letter_date") is None
    assert [f.date for f in reading.facts] == [None] and reading.fields["sent_on"] == "2026-11-17"


def test_a_logo_beside_a_document_she_attached_does_not_hide_the_document():
    """GIVEN her message with a signature logo of 20 KB and no letter in it, beside a text document WHEN
    read THEN the message is not taken for an unreadable photo: it is read as usual (the logo's few words
    are no letter)."""
    raw = her_message("Voici le courrier", ("logo.png", "image/png", PHOTO),
                      ("courrier.txt", "text/plain", INDU.encode()))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): "Cabinet infirmier"})
    assert not (reading.needs_review or "").startswith("photo ou scan sans texte lisible")


def test_two_letters_photographed_in_one_message_are_not_mixed():
    """GIVEN one message with the photos of two letters dated differently WHEN read THEN nothing is read
    from them together (their amounts and references would be mixed): she is asked to send them one by
    one."""
    other = INDU.replace("12/11/2026", "03/10/2026").replace("IND-2026-974-000318", "IND-2026-974-000290")
    second = PHOTO + b"2"
    raw = her_message("", ("IMG_1.jpeg", "image/jpeg", PHOTO), ("IMG_2.jpeg", "image/jpeg", second))
    texts = {fingerprint(PHOTO): INDU, fingerprint(second): other}
    reading = read_message(raw, "approver", CAISSES, ocr=texts)
    assert reading.facts == () and "plusieurs courriers papier" in (reading.needs_review or "")


def test_a_retirement_funds_mise_en_demeure_is_not_taken_for_a_caisses():
    """GIVEN her photo of a CARPIMKO (retirement fund) mise en demeure, with the words, amount and reference
    of one WHEN read THEN nothing is acted on: it is no Assurance Maladie letter (no deadline of a caisse
    applies), shown to her to read, with why."""
    carpimko = "\n".join((
        "Caisse Autonome de Retraite et de Prévoyance des Infirmiers, Masseurs-Kinésithérapeutes",
        "Courbevoie, le 28 octobre 2026", "Objet : Mise en demeure de payer",
        "Référence : MED/CTX 2026118430",
        "Madame,", "Malgré nos relances, vos cotisations de l'année 2026 restent impayées. Je vous mets en",
        "demeure de régler la somme de 1 874,00 € dans un délai d'un mois à compter de la réception de la",
        "présente. À défaut, le recouvrement sera poursuivi par voie de contrainte.", ""))
    raw = her_message("", ("IMG_3.jpeg", "image/jpeg", PHOTO))
    reading = read_message(raw, "approver", CAISSES, ocr={fingerprint(PHOTO): carpimko})
    assert (reading.kind, reading.facts) == ("unknown", ())
    assert "pas une caisse d'assurance maladie" in (reading.needs_review or "")
