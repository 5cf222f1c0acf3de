"""The printable registered letter: its text read back from the PDF with pypdf."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from cpambot.config.model import Professional
from cpambot.letters.pdf import REGISTERED, PostalLetter, letter_pdf, place_of

PRO = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                   email="marie.exemple@example.org", adresse="1 rue de l'Exemple, 97400 Saint-Denis",
                   telephone="0262 00 00 00", civilite="Madame")
BODY = ("Réf. cpambot : C2\n\nMadame, Monsieur,\n\nJe vous mets en demeure de régler la facture n° 000012201 "
        "d'un montant de 1 234,56 € (œuvre de soins « AMI »).\n\n" + "Ligne de texte assez longue. " * 120
        + "\n\nMarie Exemple\nInfirmière libérale")
LETTER = PostalLetter(PRO, "Infirmière libérale", ("CPAM de la Marne", "Service des relations avec les PS",
                                                   "14 rue du Ravin", "51100 Reims"),
                      "Mise en demeure – facture 000012201", BODY, date(2026, 12, 1),
                      enclosures=("copie du retour NOEMIE du 20/02/2026", "relevé de la facture"))


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data), strict=True)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_every_block_of_a_french_registered_letter():
    """GIVEN a mise en demeure WHEN laid out THEN a valid PDF whose text holds the sender block, the
    recipient's address, « Saint-Denis, le 1er décembre 2026 », the registered mention, the subject, the
    body with its accents, « » and €, the signature and the enclosures; a long body runs onto a second
    page."""
    data = letter_pdf(LETTER)
    assert data.startswith(b"%PDF-")
    text = text_of(data)
    for part in ("Marie Exemple", "N° d'identification Assurance Maladie : 974123456", "51100 Reims",
                 "Saint-Denis, le 1er décembre 2026", REGISTERED,
                 "Objet : Mise en demeure – facture 000012201",
                 "1 234,56 €", "« AMI »", "œuvre", "Infirmière libérale", "Pièces jointes",
                 "copie du retour NOEMIE du 20/02/2026"):
        assert part in text, part
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    assert b"DejaVu" in data  # (the font is embedded)


def test_the_place_is_the_town_of_the_address():
    """GIVEN addresses WHEN the place is read THEN the town after the postcode, or nothing."""
    assert place_of("1 rue de l'Exemple, 97400 Saint-Denis") == "Saint-Denis"
    assert place_of("Cabinet infirmier\n12 av. Foch 51100 Reims") == "Reims"
    assert place_of("Saint-Denis") is None and place_of(None) is None
