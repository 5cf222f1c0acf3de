"""A letter as a printable PDF, for the letters that go by registered post (pure: the letter's parts in,
PDF bytes out). Written with fpdf2 and the DejaVu Sans font shipped with the package (embedded in the
PDF: accents, « », € and œ print right on any printer)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

from fpdf import FPDF

from cpambot.config.model import Professional
from cpambot.letters.render import date_long

REGISTERED = "Lettre recommandée avec accusé de réception"
_CITY = re.compile(r"\b\d{5}\s+(.+?)\s*$")


@dataclass(frozen=True)
class PostalLetter:
    sender: Professional
    profession: str  # « Infirmière libérale »
    recipient: tuple[str, ...]  # the caisse's name, then its postal address, a line each
    subject: str
    body: str  # the letter's text: greeting, references, content, closing and signature
    day: date
    enclosures: tuple[str, ...] = ()


def place_of(address: str | None) -> str | None:
    """The town of a French address (« 1 rue de l'Exemple, 97400 Saint-Denis » → « Saint-Denis »)."""
    found = _CITY.search(address or "")
    return found.group(1) if found else None


def _font(pdf: FPDF) -> None:
    folder = resources.files("cpambot.letters").joinpath("fonts")
    with resources.as_file(folder.joinpath("DejaVuSans.ttf")) as regular, \
            resources.as_file(folder.joinpath("DejaVuSans-Bold.ttf")) as bold:
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))


def letter_pdf(letter: PostalLetter) -> bytes:
    """An A4 page (or more) laid out as a French formal letter, ready to print and post."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(letter.subject)
    pdf.set_author(letter.sender.nom)
    pdf.set_creator("cpambot")
    _font(pdf)
    pdf.add_page()
    sender = letter.sender
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(0, 5, sender.nom, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    for line in (letter.profession, sender.adresse,
                 f"N° d'identification Assurance Maladie : {sender.numero_am}",
                 f"Tél. : {sender.telephone}" if sender.telephone else None, sender.email):
        if line:
            pdf.cell(0, 4.6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_x(110)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(80, 5, letter.recipient[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10.5)
    for line in letter.recipient[1:]:
        pdf.set_x(110)
        pdf.multi_cell(80, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    place = place_of(sender.adresse)
    pdf.set_x(110)
    pdf.cell(80, 5, (f"{place}, le " if place else "Le ") + date_long(letter.day), new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(0, 5, REGISTERED, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"Objet : {letter.subject}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10.5)
    pdf.multi_cell(0, 5, letter.body.strip(), new_x="LMARGIN", new_y="NEXT")
    if letter.enclosures:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(0, 5, "Pièces jointes :", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for item in letter.enclosures:
            pdf.multi_cell(0, 5, f"– {item}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def enclosure_names(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
