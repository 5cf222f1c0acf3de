"""Paper letters read by Tesseract (Debian's tesseract-ocr and tesseract-ocr-fra): photos turned, spotted,
small or squeezed, and scans as PDF, then understood by the same reader as e-mails."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF
from paperletters import LETTERS, PaperLetter, render, variant

from cpambot.demo.run import demo_config
from cpambot.errors import OcrError
from cpambot.service.ocr import letter_reading, read_image, read_scanned_pdf

CAISSES = demo_config(Path("/nonexistent")).caisses
INDU, CRA = LETTERS


def fields(paper) -> dict[str, str]:
    reading = letter_reading(paper, CAISSES, date(2026, 11, 20))
    fact = reading.facts[0]
    found = {"kind": str(reading.kind), "reference": fact.reference or "",
             "date": fact.date.isoformat() if fact.date else ""}
    if fact.amount is not None:
        found["amount"] = f"{fact.amount:.2f}"
    return found


@pytest.mark.parametrize("how", ["clean", "turned90", "turned180", "noisy", "small", "jpeg"])
def test_a_photo_of_an_indu_notification(how):
    """GIVEN a notification d'indu photographed clean, sideways, upside down, spotted, small or as a strongly
    compressed JPEG WHEN read THEN the reader finds a notification d'indu with its reference, amount and
    date, as from the e-mail; a page that was turned says so."""
    paper = read_image(variant(render(INDU), how))
    assert fields(paper) == INDU.fields
    assert bool(paper.turned) == (how in ("turned90", "turned180"))


def test_a_scanned_cra_decision_as_pdf(tmp_path):
    """GIVEN a CRA decision scanned into a PDF without any text layer WHEN read THEN its page is rendered
    and read: a CRA decision with its reference and date."""
    image = tmp_path / "page.png"
    image.write_bytes(variant(render(CRA), "skewed"))
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(image), x=10, y=10, w=190)
    paper = read_scanned_pdf(bytes(pdf.output()))
    assert paper.pages == 1 and fields(paper) == CRA.fields


def test_an_iphone_heic_photo_is_read():
    """GIVEN the notification d'indu photographed by an iPhone in its own format (HEIC) WHEN read THEN
    it is opened (pillow-heif) and read like a JPEG."""
    import pillow_heif

    out = io.BytesIO()  # (encoded by pillow-heif itself: Pillow is not told of HEIC by the test)
    pillow_heif.from_pillow(render(INDU).convert("RGB")).save(out, quality=60)
    assert out.getvalue()[4:12] == b"ftypheic"
    assert fields(read_image(out.getvalue())) == INDU.fields


def test_every_page_of_a_multi_page_tiff_is_read():
    """GIVEN a two-page TIFF from a scanner's feeder (a plain first page, the CRA decision second) WHEN
    read THEN both pages are read: the decision is found on the second."""
    cover = render(PaperLetter("cover", ("Bordereau d'envoi", "Cabinet infirmier"), {}))
    out = io.BytesIO()
    cover.save(out, "TIFF", save_all=True, append_images=[render(CRA)])
    paper = read_image(out.getvalue())
    assert paper.pages == 2 and "Bordereau" in paper.text and fields(paper) == CRA.fields


def test_what_is_not_an_image_gets_a_french_error():
    """GIVEN bytes that are no image, or a broken PDF WHEN read THEN a French error says what to send."""
    with pytest.raises(OcrError, match="envoyez une photo JPEG ou PNG"):
        read_image(b"\x00\x01 not an image")
    with pytest.raises(OcrError, match="PDF illisible"):
        read_scanned_pdf(b"%PDF-1.4 broken")


def test_a_message_with_too_many_pages_leaves_the_rest_to_read(monkeypatch, tmp_path):
    """GIVEN her message with three scans of 20 pages each WHEN the paper reader reads it THEN it stops
    after 40 pages (about a minute of OCR): the third scan is not read, and nothing fails."""
    from email.message import EmailMessage

    from cpambot.service import ocr
    from cpambot.service.ocr import PaperReader, PaperText

    read: list[int] = []

    def fake_document(item):
        read.append(len(item.payload))
        return PaperText("Cabinet infirmier, page scannée sans courrier de caisse.", 20)

    monkeypatch.setattr(ocr, "read_document", fake_document)
    message = EmailMessage()
    message["From"] = "marie.exemple@example.org"
    message["To"] = "teletrans.marie@example.org"
    message["Subject"] = "scans"
    message["Date"] = "Tue, 17 Nov 2026 18:04:00 +0400"
    message.set_content("")
    for n in range(3):
        message.add_attachment(bytes([n]) * 20_000, maintype="image", subtype="tiff", filename=f"s{n}.tif")
    reading = PaperReader(tmp_path)(message.as_bytes(), "approver", CAISSES)
    assert len(read) == 2 and reading.needs_review is not None


def test_an_image_that_breaks_the_reader_leaves_the_message_read(monkeypatch, tmp_path):
    """GIVEN a caisse e-mail whose scanned PDF makes the image library fail in an unforeseen way WHEN the
    paper reader reads it THEN the message is still read (the scan « à lire »), never failed."""
    from email.message import EmailMessage

    from cpambot.service import ocr
    from cpambot.service.ocr import PaperReader

    def broken(item):
        raise ValueError("decoder crashed")

    monkeypatch.setattr(ocr, "read_document", broken)
    message = EmailMessage()
    message["From"] = "regulation@cgss.re"
    message["To"] = "teletrans.marie@example.org"
    message["Subject"] = "Courrier"
    message["Date"] = "Thu, 12 Nov 2026 09:00:00 +0400"
    message.set_content("Veuillez trouver ci-joint un courrier vous concernant.")
    pdf = FPDF()
    pdf.add_page()
    message.add_attachment(bytes(pdf.output()), maintype="application", subtype="pdf", filename="c.pdf")
    reading = PaperReader(tmp_path)(message.as_bytes(), "caisse", CAISSES)
    assert reading.needs_review is not None and "à lire" in reading.needs_review
