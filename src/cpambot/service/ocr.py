"""Paper letters read from a photo or a scan: the image made readable, then Tesseract's French text.

A photo taken with a phone is turned upright (its EXIF orientation, then Tesseract's own orientation
detection for a page shot sideways or upside down), made grey, enlarged when it is small, its contrast
stretched; a PDF without a text layer (a scan) is rendered page by page with pdfium. Tesseract (Debian's
``tesseract-ocr`` and ``tesseract-ocr-fra``) is driven through pytesseract, a maintained wrapper of the
command: nothing to compile on the NAS. The text then goes to the same reader as an e-mail's.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cpambot.config.model import Caisse
from cpambot.errors import CpambotError, OcrError
from cpambot.store.files import atomic_write
from cpambot.understanding.facts import Reading
from cpambot.understanding.learning import LearnedRule
from cpambot.understanding.message import Attachment
from cpambot.understanding.paper import MIN_WORDS, fingerprint, is_image, letter_message, words
from cpambot.understanding.reader import read_message

LOG = logging.getLogger(__name__)

MIN_WIDTH = 1600  # a page narrower than this (a small photo, a fax) is enlarged before reading
MAX_SIDE = 3600  # a larger photo is shrunk: a page needs no more at 300 dpi, and Tesseract is quicker
MAX_PAGES_PER_MESSAGE = 40  # about a minute of OCR: a message's further images are left « à lire »
MAX_PAGES = 20  # a letter longer than this is not a caisse's letter: the rest is not read
PDF_SCALE = 300 / 72  # scanned PDF pages are rendered at 300 dpi
OCR_DIR = "ocr"  # under the data folder: the text of every image read
OCR_VERSION = "v5"  # changed when the reading of an image changes: the texts read before are read again


@dataclass(frozen=True)
class PaperText:
    text: str
    pages: int
    turned: tuple[int, ...] = ()  # the rotation applied to each page (degrees), when it was not upright


@functools.cache
def tesseract_ready() -> str | None:
    """None when Tesseract and its French data are installed; else what to install, in French. Asked once
    a process (it runs Tesseract, and every page asks)."""
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

    _heif()
    texts, turned = [], []
    try:
        image = Image.open(io.BytesIO(data))
        for _, frame in zip(range(MAX_PAGES), ImageSequence.Iterator(image), strict=False):
            # one page at a time, a JPEG decoded straight at the size it will be read at (a 48-megapixel
            # photo would take hundreds of megabytes on a 1 GB NAS)
            frame.draft("L", (MAX_SIDE, MAX_SIDE))
            page = frame.copy()
            if max(page.size) > 2 * MAX_SIDE:
                page.thumbnail((2 * MAX_SIDE, 2 * MAX_SIDE))
            text, angle = _read_page(page)
            texts.append(text)
            if angle:
                turned.append(angle)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise OcrError("image illisible (format non reconnu, fichier abîmé ou démesuré) : envoyez une photo "
                       "JPEG ou PNG, ou un PDF") from exc
    return PaperText("\n\n".join(texts), len(texts), tuple(turned))


def _heif() -> None:
    """HEIC/HEIF photos (an iPhone's own format) opened by Pillow through pillow-heif."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a dependency of the package
        return
    register_heif_opener()


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
            # 300 dpi, but never a longer side than MAX_SIDE (a scan whose page is its size in pixels)
            width, height = page.get_size()
            scale = min(PDF_SCALE, MAX_SIDE / max(width, height, 1))
            text, angle = _read_page(page.render(scale=scale, grayscale=True).to_pil())
            texts.append(text)
            if angle:
                turned.append(angle)
    finally:
        document.close()
    return PaperText("\n\n".join(texts), len(texts), tuple(turned))


def _read_page(image: object) -> tuple[str, int]:
    import pytesseract

    # One thread per Tesseract: its OpenMP threads fight each other on a small machine (measured on 2
    # cores: 1.49 s a page with them, 0.30 s without; tesserocr's in-process binding 0.17 s)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from PIL import Image, ImageFilter, ImageOps

    problem = tesseract_ready()
    if problem is not None:
        raise OcrError(problem)
    assert isinstance(image, Image.Image)
    page = ImageOps.exif_transpose(image) or image
    page = ImageOps.grayscale(page)
    if page.width < MIN_WIDTH or max(page.size) > MAX_SIDE:  # (a phone's 12-megapixel photo: 4,000 px)
        factor = MIN_WIDTH / page.width if page.width < MIN_WIDTH else MAX_SIDE / max(page.size)
        size = (round(page.width * factor), round(page.height * factor))
        page = page.resize(size, Image.Resampling.LANCZOS)
    page = page.filter(ImageFilter.MedianFilter(3))  # (specks of a dirty scan; strokes are thicker)
    page = ImageOps.autocontrast(page, cutoff=1)
    page = _deskewed(page)
    sure, guess = _upright_angle(page)
    best: tuple[float, str, int] | None = None
    # Tesseract's orientation detection, when it is sure; else the page read each way it may stand, the
    # one that reads most like French kept (a photo turned sideways, upside down, in perspective)
    angles = (guess,) if sure else tuple(dict.fromkeys((guess, 0, 180, 90, 270)))
    # Tesseract's own page layout first (« psm 3 »); when it finds no text at all in any of the ways the
    # page may stand (a photo lit unevenly: its layout analysis takes the page for a picture), the page
    # read as one block of text (« psm 6 »)
    for layout in ("3", "6"):
        for angle in angles:
            turned = page.rotate(-angle, expand=True, fillcolor=255) if angle else page
            try:
                text = _tidy(pytesseract.image_to_string(turned, lang="fra",
                                                         config=f"--psm {layout}").splitlines())
            except pytesseract.TesseractError as exc:
                raise OcrError(f"lecture de l'image impossible ({str(exc)[:100]})") from exc
            score = french_share(text)
            if best is None or score > best[0]:
                best = (score, text, angle)
            if score >= READABLE:
                return text, angle
        if best is not None and words(best[1]) >= MIN_WORDS:
            break
    assert best is not None
    return best[1], best[2]


READABLE = 0.15  # the share of common French words above which a page is read the right way up
_COMMON = frozenset("""de la le les des et à vous votre vos du en pour par une un au aux sur est dans nous
que qui avec ce cette ces il elle ne pas plus a été son sa ses leur date montant caisse madame monsieur
objet soit selon l d n""".split())


def french_share(text: str) -> float:
    """The share of a text's words that are among the commonest of French: about a third in a letter read
    right, almost none in one read sideways or upside down."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    return sum(w in _COMMON for w in words) / len(words) if words else 0.0


SKEWS = tuple(a / 2 for a in range(-12, 13))  # the small tilts tried, in degrees (±6°)


def _deskewed(page: Any) -> Any:
    """``page`` turned back level when it was photographed or scanned a few degrees askew: the tilt whose
    rows of ink are the most sharply apart (the variance of the ink per row, on a small copy) wins; a
    skewed page's lines run into each other, and Tesseract cuts them into columns."""
    from PIL import Image, ImageOps

    small = ImageOps.invert(page.resize((600, max(1, round(page.height * 600 / page.width)))))

    def sharpness(angle: float) -> float:
        rows = small.rotate(angle, resample=Image.Resampling.BILINEAR).resize(
            (1, small.height), Image.Resampling.BOX).tobytes()  # (one byte a row: its ink)
        mean = sum(rows) / len(rows)
        return sum((r - mean) ** 2 for r in rows)
    best = max(SKEWS, key=lambda a: (sharpness(a), -abs(a)))
    if abs(best) < 0.5:
        return page
    return page.rotate(best, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def _upright_angle(page: object) -> tuple[bool, int]:
    """(sure, how far clockwise the page must turn to be upright: 0, 90, 180, 270), as Tesseract's
    orientation detection says."""
    import pytesseract

    try:
        osd = pytesseract.image_to_osd(page, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:
        return False, 0  # (too little text to tell)
    return float(osd.get("orientation_conf", 0)) >= 2.0, int(osd.get("rotate", 0)) % 360


def _tidy(lines: Iterable[str]) -> str:
    """Lines stripped, runs of blank lines made one."""
    out: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def letter_reading(paper: PaperText, caisses: Sequence[Caisse], received: date) -> Reading:
    """What the reader understands of a paper letter's text alone, as the caisse's letter (the bench)."""
    return read_message(letter_message(paper.text, received), "caisse", caisses)


def read_document(item: Attachment) -> PaperText:
    """The text of a photo or of a scanned PDF attached to a message."""
    if is_image(item):
        return read_image(item.payload)
    return read_scanned_pdf(item.payload)


class OcrCache:
    """The text of each image read, under ``<data>/ocr/<fingerprint>.txt`` (owner-only: health data): a
    message read again (a rebuild, a crash in between) costs no second OCR."""

    def __init__(self, data_dir: Path | None) -> None:
        self.folder = data_dir / OCR_DIR / OCR_VERSION if data_dir is not None else None

    def get(self, key: str) -> str | None:
        if self.folder is None:
            return None
        try:
            return (self.folder / f"{key}.txt").read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str, text: str) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # (inside the owner-only data folder)
        atomic_write(self.folder / f"{key}.txt", text.encode("utf-8"))


_MAY_HOLD_IMAGES = re.compile(rb"(?i)content-type:\s*(?:image/|application/(?:pdf|octet-stream))"
                              rb"|filename\*?=[^\r\n]*\.(?:jpe?g|png|tiff?|hei[cf]|webp|pdf)")


class PaperReader:
    """The processing's reader: :func:`read_message`, once the photos and scans the message carries are
    read by Tesseract (a paper letter she photographed, a caisse's letter scanned without a text layer).
    An image Tesseract cannot read is left as it was: the message says « à lire »."""

    def __init__(self, data_dir: Path | None) -> None:
        self.cache = OcrCache(data_dir)
        self._ready: bool | None = None

    def ready(self) -> bool:
        if self._ready is None:
            problem = tesseract_ready()
            if problem is not None:
                LOG.warning("photos et scans non lus : %s", problem)
            self._ready = problem is None
        return self._ready

    def __call__(self, raw: bytes, category: str, caisses: Sequence[Caisse],
                 rules: Sequence[LearnedRule] = ()) -> Reading:
        if not _MAY_HOLD_IMAGES.search(raw) or not self.ready():
            return read_message(raw, category, caisses, rules)
        return read_message(raw, category, caisses, rules, ocr=self.texts)

    def texts(self, targets: Sequence[Attachment]) -> dict[str, str]:
        """The text of each image the reader found to read, by fingerprint: kept, or read now (at most
        :data:`MAX_PAGES_PER_MESSAGE` pages); an image that cannot be read is left out."""
        texts: dict[str, str] = {}
        pages = 0
        for item in targets:
            key = fingerprint(item.payload)
            text = self.cache.get(key)
            if text is None:
                if pages >= MAX_PAGES_PER_MESSAGE:  # (the rest stays « à lire »; the service's watchdog
                    LOG.warning("images et scans au-delà de %d pages non lus", MAX_PAGES_PER_MESSAGE)
                    break  # waits for one message at most 10 minutes)
                try:
                    document = read_document(item)
                    text, pages = document.text, pages + document.pages
                except OcrError as exc:
                    LOG.warning("image ou scan illisible (%s)", exc)
                    continue
                except Exception as exc:  # noqa: BLE001 - a broken image must not fail the whole message
                    LOG.warning("image ou scan illisible (%s)", exc.__class__.__name__)
                    continue
                try:
                    self.cache.put(key, text)
                except (OSError, CpambotError) as exc:  # (a full disk: read again next time)
                    LOG.warning("texte d'une image non gardé (%s)", exc.__class__.__name__)
            texts[key] = text
        return texts
