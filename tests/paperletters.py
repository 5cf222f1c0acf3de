"""Paper letters of the caisses as a phone or a scanner would give them: rendered in a plain font, then
turned, skewed, blurred, spotted, shrunk or squeezed as JPEG (shared by tests/integration/test_ocr.py and
bench/ocr.py)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path(__file__).resolve().parent.parent / "src" / "cpambot" / "letters" / "fonts" / "DejaVuSans.ttf"


@dataclass(frozen=True)
class PaperLetter:
    name: str
    lines: tuple[str, ...]
    fields: dict[str, str]  # what the reader must find: kind, reference, amount, date


LETTERS = (
    PaperLetter("indu-974", (
        "CGSS de La Réunion", "Service Régulation des professionnels de santé", "",
        "Saint-Denis, le 12/11/2026", "",
        "Objet : Notification de payer – indu n° IND-2026-974-000318", "",
        "Madame, Monsieur,", "",
        "Nous avons constaté une anomalie dans la facturation de vos actes infirmiers",
        "entre le 02/03/2026 et le 30/06/2026 (cotation AMI non conforme).",
        "Le montant de l'indu s'élève à 2 598,00 euros.",
        "Vous disposez d'un délai de deux mois pour saisir la commission de recours amiable.",
    ), {"kind": "notification_indu", "reference": "IND-2026-974-000318", "amount": "2598.00",
        "date": "2026-11-12"}),
    PaperLetter("cra-511", (
        "Caisse Primaire d'Assurance Maladie de la Marne", "Commission de recours amiable", "",
        "Reims, le 03/10/2026", "",
        "Objet : Décision de la commission de recours amiable", "Notification d'indu n° 2026-511-07731", "",
        "Madame,", "",
        "Dans sa séance du 28/09/2026, la commission de recours amiable a examiné votre recours.",
        "Elle a décidé de rejeter votre demande.",
        "Vous pouvez saisir le pôle social du tribunal judiciaire dans un délai de deux mois.",
    ), {"kind": "decision_cra", "reference": "2026-511-07731", "date": "2026-10-03"}),
)


def render(letter: PaperLetter, *, width: int = 1700) -> Image.Image:
    font = ImageFont.truetype(str(FONT), 26)
    image = Image.new("L", (width, 120 + 52 * len(letter.lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(letter.lines):
        draw.text((70, 60 + 52 * row), line, font=font, fill=0)
    return image


def variant(image: Image.Image, how: str, seed: int = 7) -> bytes:
    """``image`` as a file after ``how`` happened to it: clean, turned (90, 180, 270), skewed, noisy, blurry,
    small, jpeg (a strong compression)."""
    rng = random.Random(seed)
    page = image
    if how.startswith("turned"):
        page = page.rotate(int(how[6:]), expand=True, fillcolor=255)
    elif how == "skewed":
        page = page.rotate(3.0, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    elif how == "noisy":
        pixels = page.load()
        for _ in range(page.width * page.height // 40):
            x, y = rng.randrange(page.width), rng.randrange(page.height)
            pixels[x, y] = rng.choice((0, 90, 160))
    elif how == "blurry":
        page = page.filter(ImageFilter.GaussianBlur(1.2))
    elif how == "small":
        page = page.resize((page.width * 2 // 5, page.height * 2 // 5), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    if how == "jpeg":
        page.convert("RGB").save(out, "JPEG", quality=20)
    else:
        page.save(out, "PNG")
    return out.getvalue()


VARIANTS = ("clean", "turned90", "turned180", "turned270", "skewed", "noisy", "blurry", "small", "jpeg")
