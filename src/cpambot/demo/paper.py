"""The demo's paper letter: a notification d'indu of the CPAM de la Marne that came by registered post,
photographed by Marie with her phone (the page rendered, turned a little, lit unevenly, squeezed as a
JPEG) and sent to the bot's mailbox with « Reçu ce matin en recommandé ». Made when the demo runs, the
same bytes every time: the bot reads it with Tesseract, as it would read hers.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from importlib import resources
from pathlib import Path

from cpambot.demo.messages.persona import PS_MAIL, PS_TELETRANS

PHOTO_NAME = "IMG_0612.jpeg"
SENT = datetime(2026, 6, 26, 9, 12, tzinfo=UTC)  # « reçu ce matin »: the day of receipt is 26/06/2026
REFERENCE = "2026-511-04412"
LINES = (
    ("Caisse Primaire d'Assurance Maladie de la Marne", True),
    ("Service Contrôle des prestations", False),
    ("14 rue du Ravin – 51100 Reims", False),
    ("", False),
    ("Madame Marie Exemple", False),
    ("1 rue de l'Exemple, 97400 Saint-Denis", False),
    ("", False),
    ("Reims, le 22/06/2026", False),
    ("Nos références : indu n° 2026-511-04412", False),
    ("Lettre recommandée avec accusé de réception", False),
    ("", False),
    ("Objet : Notification de payer – indu n° 2026-511-04412", True),
    ("", False),
    ("Madame,", False),
    ("", False),
    ("À la suite de l'analyse de votre facturation des soins dispensés entre le", False),
    ("05/01/2026 et le 31/03/2026, nous avons relevé des majorations MAU facturées", False),
    ("en double pour un même passage.", False),
    ("Le montant de l'indu s'élève à 412,80 euros.", False),
    ("", False),
    ("Vous disposez d'un délai de deux mois à compter de la réception de la présente", False),
    ("notification pour payer, présenter vos observations ou saisir la commission de", False),
    ("recours amiable.", False),
    ("", False),
    ("Veuillez agréer, Madame, l'expression de nos salutations distinguées.", False),
    ("Le Directeur", False),
)


def letter_photo() -> bytes:
    """The letter as her phone would give it: a JPEG, the page turned by 2°, darker on one side."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = resources.files("cpambot.letters") / "fonts"
    regular = ImageFont.truetype(str(fonts / "DejaVuSans.ttf"), 24)
    bold = ImageFont.truetype(str(fonts / "DejaVuSans-Bold.ttf"), 24)
    page = Image.new("L", (1240, 120 + 44 * len(LINES)), 255)
    draw = ImageDraw.Draw(page)
    for row, (text, strong) in enumerate(LINES):
        draw.text((90, 70 + 44 * row), text, font=bold if strong else regular, fill=20)
    shade = Image.linear_gradient("L").rotate(90).resize(page.size)  # (the window on her left)
    page = Image.composite(page, Image.new("L", page.size, 150), shade.point(lambda v: 255 - v // 4))
    page = page.rotate(2.0, expand=True, fillcolor=200, resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    page.convert("RGB").save(out, "JPEG", quality=55)
    return out.getvalue()


def paper_message() -> bytes:
    """Her e-mail to the bot's mailbox with the photo, as her phone's mail client sends it."""
    message = EmailMessage()
    message["From"] = f"Marie Exemple <{PS_MAIL}>"
    message["To"] = PS_TELETRANS
    message["Subject"] = "Courrier CPAM"
    message["Date"] = format_datetime(SENT)
    message["Message-ID"] = "<papier-demo-1@example.org>"
    message.set_content("Bonjour,\n\nReçu ce matin en recommandé.\n\nEnvoyé de mon iPhone\n")
    message.add_attachment(letter_photo(), maintype="image", subtype="jpeg", filename=PHOTO_NAME,
                           disposition="inline")
    return message.as_bytes()


def write_paper_maildir(folder: Path) -> Path:
    """A Maildir holding her message with the photo (the demo's second mailbox); the photo beside it."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    raw = paper_message()
    (folder / "cur" / f"{int(SENT.timestamp())}.M1P1.papier:2,S").write_bytes(raw)
    photo = folder.parent / "courrier-papier.jpeg"
    photo.write_bytes(letter_photo())
    return photo
