"""Paper letters read from a photo or a scan: the image made readable, then Tesseract's French text.

A photo taken with a phone is turned upright (its EXIF orientation, then Tesseract's own orientation
detection for a page shot sideways or upside down), made grey, enlarged when it is small, its contrast
stretched; a PDF without a text layer (a scan) is rendered page by page with pdfium. Tesseract (Debian's
``tesseract-ocr`` and ``tesseract-ocr-fra``) is driven through pytesseract, a maintained wrapper of the
command: nothing to compile on the NAS. The text then goes to the same reader as an e-mail's.
"""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from cpambot.config.model import Caisse
from cpambot.errors import OcrError
from cpambot.understanding.facts import Reading
from cpambot.understanding.reader import read_message

LOG = logging.getLogger(__name__)

MIN_WIDTH = 1600  # a page narrower than this (a small photo, a fax) is enlarged before reading
MAX_PAGES = 20  # a letter longer than this is not a caisse's letter: the rest is not read
PDF_SCALE = 300 / 72  # scanned PDF pages are rendered at 300 dpi
IMAGE_TYPES = ("image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/bmp")


@dataclass(frozen=True)
class PaperText:
    text: str
    pages: int
    turned: tuple[int, ...] = ()  # the rotation applied to each page (degrees), when it was not upright


def tesseract_ready() -> str | None:
    """None when Tesseract and its French data are installed; else what to install, in French."""
    if shutil.which("tesseract") is None:
        return "Tesseract n'est pas installé : sudo apt install tesseract-ocr tesseract-ocr-fra"
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except pytesseract.TesseractError as exc:  # pragma: no cover - a broken installation
        return f"Tesseract ne répond pas ({exc}) : réinstallez tesseract-ocr"
    if "fra" not in languages:
        return "les données françaises de Tesseract manquent : sudo apt install tesseract-ocr-fra"
    return None


def read_image(data: bytes) -> PaperText:
    """The text of a photo or a scanned page (JPEG, PNG, TIFF…); every page of a multi-page TIFF (what
    a scanner's feeder or a fax gives), up to :data:`MAX_PAGES`."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        pages = [frame.copy() for _, frame in zip(range(MAX_PAGES), ImageSequence.Iterator(image),
                                                  strict=False)]
    except (UnidentifiedImageError, OSError) as exc:
        raise OcrError("image illisible (format non reconnu ou fichier abîmé) : envoyez une photo JPEG "
                       "ou PNG, ou un PDF") from exc
    texts, turned = [], []
    for page in pages:
        text, angle = _read_page(page)
        texts.append(text)
        if angle:
            turned.append(angle)
    return PaperText("\n\n".join(texts), len(texts), tuple(turned))


def read_scanned_pdf(data: bytes) -> PaperText:
    """The text of a PDF without a text layer (a scan), page by page."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise OcrError("PDF illisible (fichier abîmé ou protégé par un mot de passe)") from exc
    texts: list[str] = []
    turned: list[int] = []
    try:
        for _, page in zip(range(MAX_PAGES), document, strict=False):
            text, angle = _read_page(page.render(scale=PDF_SCALE).to_pil())
            texts.append(text)
            if angle:
                turned.append(angle)
    finally:
        document.close()
    return PaperText("\n\n".join(texts), len(texts), tuple(turned))


def _read_page(image: object) -> tuple[str, int]:
    import pytesseract
    from PIL import Image, ImageFilter, ImageOps

    problem = tesseract_ready()
    if problem is not None:
        raise OcrError(problem)
    assert isinstance(image, Image.Image)
    page = ImageOps.exif_transpose(image) or image
    page = ImageOps.grayscale(page)
    if page.width < MIN_WIDTH:
        factor = MIN_WIDTH / page.width
        page = page.resize((MIN_WIDTH, round(page.height * factor)), Image.Resampling.LANCZOS)
    page = page.filter(ImageFilter.MedianFilter(3))  # (specks of a dirty scan; strokes are thicker)
    page = ImageOps.autocontrast(page, cutoff=1)
    angle = _upright_angle(page)
    if angle:
        page = page.rotate(-angle, expand=True, fillcolor=255)
    try:
        text = pytesseract.image_to_string(page, lang="fra", config="--psm 3")
    except pytesseract.TesseractError as exc:
        raise OcrError(f"lecture de l'image impossible ({str(exc)[:100]})") from exc
    return _tidy(text.splitlines()), angle


def _upright_angle(page: object) -> int:
    """How far clockwise the page must turn to be upright (0, 90, 180, 270), as Tesseract's orientation
    detection says when it is sure enough; 0 otherwise."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(page, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return 0  # (too little text to tell: read as it is)
    if float(osd.get("orientation_conf", 0)) < 2.0:
        return 0
    return int(osd.get("rotate", 0)) % 360


def _tidy(lines: Iterable[str]) -> str:
    """Lines stripped, runs of blank lines made one."""
    out: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


PAPER_SENDER = "courrier-papier@cpambot.invalid"  # no caisse's domain: the letterhead says which caisse


def paper_reading(paper: PaperText, caisses: Sequence[Caisse], received: date) -> Reading:
    """What the reader understands of a paper letter's text: read like a caisse's e-mail body (the
    letter's own dates, references and letterhead decide; the day she received it is its date)."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage()
    message["From"] = f"Courrier papier <{PAPER_SENDER}>"
    message["To"] = PAPER_SENDER
    message["Subject"] = "Courrier papier"
    message["Date"] = format_datetime(datetime.combine(received, time(12), tzinfo=UTC))
    message.set_content(paper.text)
    return read_message(message.as_bytes(), "caisse", caisses)
