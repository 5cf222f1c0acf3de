"""Letter templates and their renderer: strict variables, French formats, the « Objet : » line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from cpambot.config.model import Professional
from cpambot.errors import CpambotError, LetterTemplateError
from cpambot.letters.model import LetterKind
from cpambot.letters.render import (
    date_fr,
    environment,
    euros,
    make_environment,
    masked_nir,
    placeholders,
    render,
    render_string,
    render_text,
)

NNBSP = "\u202f"
PRO = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                   email="marie.exemple@example.org", rpps="10101234567",
                   adresse="1 rue de l'Exemple, 97400 Saint-Denis", telephone="0262 00 00 00")


def full_context(**overrides):
    """Every variable a letter template may use, filled with realistic values."""
    ctx = {
        "pro": PRO, "profession": "Infirmier(ère) libéral(e)", "pro_telephone": PRO.telephone,
        "ref": "C12", "today": date(2027, 1, 8), "caisse_name": "CGSS de La Réunion",
        "kind": "reclamation", "case_type": "invoice", "variant": "invoice", "lot": "042",
        "invoice": "000012345", "reference": "2026-974-000318", "amount": Decimal("3412.60"),
        "status": "rejetée : FACTURE DEJA PAYEE", "reject_code": "2900", "reject_label": "FACTURE DEJA PAYEE",
        "retenue_label": "IND RPR", "case_object": "la facture n° 000012345 (lot n° 042)",
        "family": "doublon", "part": "AMO", "operator": None, "nir": "284079740512345",
        "insured_name": "DUPONT Jean", "beneficiary": "DUPONT Léa", "patient_differs": True,
        "patient_name": "DUPONT Léa", "patient_birth_date": date(2015, 6, 1),
        "care_dates": [date(2026, 2, 20), date(2026, 2, 21)], "acts": ["AMI 1", "AIS 3"],
        "care_nature": "AMI 1, AIS 3", "transmitted_on": date(2026, 2, 23), "billing_date": None,
        "arl": date(2026, 3, 2), "payment_due": date(2026, 3, 11), "unpaid_since": date(2026, 3, 12),
        "relance1_sent": date(2026, 3, 18), "relance2_sent": date(2026, 3, 30),
        "retenue_date": date(2026, 3, 2), "notified": date(2026, 12, 31), "details_date": date(2027, 1, 8),
        "late_motivation": True, "indu_cause": "cumul AIS et AMI", "cra_due": date(2027, 2, 28),
        "cra_in_time": True, "observations_due": date(2027, 2, 28), "scor_reference": None,
        "scor_sent": None, "pieces_sent": None, "reclamation_sent": date(2026, 3, 5),
        "reclamation_acknowledged": None, "weeks_without_answer": 3, "motif": "erreur de cotation",
        "same_day": True,
    }
    ctx.update(overrides)
    return ctx


def test_filters_french_formats():
    """GIVEN dates, amounts and a NIR WHEN formatted THEN dd/mm/yyyy, « 1 234,56 € », last 4 digits only."""
    assert date_fr(date(2026, 3, 2)) == "02/03/2026"
    assert date_fr("2026-03-02") == "02/03/2026"
    assert date_fr(datetime(2026, 12, 31, 23, 59)) == "31/12/2026"
    assert euros(Decimal("1234.56")) == f"1{NNBSP}234,56 €"
    assert euros("3412.6") == f"3{NNBSP}412,60 €"
    assert euros(5) == "5,00 €"
    assert euros(Decimal("-44.52")) == "-44,52 €"
    assert euros(Decimal("1234567.891")) == f"1{NNBSP}234{NNBSP}567,89 €"
    assert masked_nir("284079740512345") == "***********2345"
    assert masked_nir("2 84 07 97 405 123 45") == "***********2345"
    for bad in (None, "hier", 20260302):
        with pytest.raises(LetterTemplateError):
            date_fr(bad)
    for bad in (None, "beaucoup", True):
        with pytest.raises(LetterTemplateError):
            euros(bad)


def test_render_splits_subject_and_body():
    """GIVEN a template whose first line is « Objet : … » WHEN rendered THEN (subject, body), the body
    without leading blank line, trailing spaces nor runs of blank lines."""
    source = "Objet : Relance – lot {{ lot }}  \n\n\nMadame, Monsieur,   \n\n\n\nFin\n\n"
    subject, body = render_string(source, {"lot": "042"})
    assert subject == "Relance – lot 042"
    assert body == "Madame, Monsieur,\n\nFin\n"


def test_missing_subject_line_is_a_french_template_error():
    """GIVEN a template without « Objet : » on its first line WHEN rendered THEN a LetterTemplateError
    (one of cpambot's own errors, shown to the user as such) with a French message."""
    with pytest.raises(LetterTemplateError, match="première ligne doit être « Objet") as exc:
        render_string("Madame, Monsieur,\n\nTexte\n", {})
    assert isinstance(exc.value, CpambotError)
    with pytest.raises(LetterTemplateError, match="Objet"):
        render_string("\nObjet : trop tard\n\nTexte\n", {})
    with pytest.raises(LetterTemplateError, match="vide"):
        render_string("Objet : rien\n\n", {})


def test_strict_undefined_catches_a_misspelt_variable():
    """GIVEN a template with a typo in a variable name WHEN rendered THEN an error, never a blank."""
    with pytest.raises(LetterTemplateError, match="variable inconnue"):
        render_string("Objet : Lot {{ lto }}\n\nTexte\n", {"lot": "042"})
    with pytest.raises(LetterTemplateError):
        render_string("Objet : x\n\n{% if montnat %}oui{% endif %}\n", {"montant": 1})
    with pytest.raises(LetterTemplateError):
        render_string("Objet : x\n\n{{ pro.nmo }}\n", {"pro": PRO})


def test_filter_error_inside_a_template_is_french():
    """GIVEN an unknown amount given to the euros filter WHEN rendered THEN a French LetterTemplateError."""
    with pytest.raises(LetterTemplateError, match="montant attendu"):
        render_string("Objet : x\n\n{{ amount|euros }}\n", {"amount": None})


def test_autoescape_for_html_templates_only(tmp_path):
    """GIVEN the same text in a .txt.j2 and a .html.j2 template WHEN rendered
    THEN only the HTML is escaped."""
    (tmp_path / "a.txt.j2").write_text("Objet : x\n\n{{ v }}\n", encoding="utf-8")
    (tmp_path / "a.html.j2").write_text("<p>{{ v }}</p>\n", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>{{ v }}</p>\n", encoding="utf-8")
    env = make_environment([tmp_path])
    ctx = {"v": "Dupont & <Fils>"}
    assert render("a.txt.j2", ctx, env=env)[1] == "Dupont & <Fils>\n"
    assert render_text("a.html.j2", ctx, env=env) == "<p>Dupont &amp; &lt;Fils&gt;</p>\n"
    assert render_text("b.html", ctx, env=env) == "<p>Dupont &amp; &lt;Fils&gt;</p>\n"


def test_unknown_template_is_a_french_error():
    """GIVEN a template name that does not exist WHEN rendered THEN a French LetterTemplateError."""
    with pytest.raises(LetterTemplateError, match="introuvable"):
        render("inexistant.txt.j2", {})


def test_templates_are_found_from_the_package():
    """GIVEN the installed package WHEN the renderer's loader lists its templates THEN one letter
    template per letter kind is among them (package data, wherever the package lives)."""
    names = set(environment().list_templates())
    for kind in LetterKind:
        assert f"{kind}.txt.j2" in names, kind


@pytest.mark.parametrize("kind", sorted(LetterKind))
def test_every_letter_template_renders_with_reference_and_signature(kind):
    """GIVEN a complete context WHEN each letter template is rendered THEN it has a subject, the case
    reference, the polite French register and the professional's identity block."""
    subject, body = render(f"{kind}.txt.j2", full_context())
    assert subject and "\n" not in subject
    assert "Réf. cpambot : C12" in body
    assert body.startswith("Réf. cpambot : C12")
    assert "Madame, Monsieur," in body and "Je vous prie d'agréer" in body
    for line in ("Marie Exemple", "Infirmier(ère) libéral(e)",
                 "N° d'identification Assurance Maladie : 974123456", "N° RPPS : 10101234567",
                 "1 rue de l'Exemple, 97400 Saint-Denis", "Tél. : 0262 00 00 00",
                 "Courriel : marie.exemple@example.org"):
        assert line in body, (kind, line)
    assert "None" not in body and "  " not in body


def test_optional_identity_lines_are_left_out():
    """GIVEN a professional without RPPS, address nor phone WHEN a letter is rendered THEN no empty line
    stands for them (nothing like « N° RPPS : None »)."""
    bare = Professional(nom="Paul Test", profession="infirmier", numero_am="511000001", email="p@example.org")
    _, body = render("relance1.txt.j2", full_context(pro=bare, pro_telephone=None))
    signature = body[body.index("Paul Test"):]
    assert signature == ("Paul Test\nInfirmier(ère) libéral(e)\nN° d'identification Assurance Maladie : "
                         "511000001\nCourriel : p@example.org\n")


def test_annulation_subject_is_the_one_the_caisse_asks_for():
    """GIVEN the annulation template WHEN rendered THEN its subject starts with exactly
    « URGENT / ANNULATION DE FACTURE » (CPAM Gironde procedure)."""
    subject, _ = render("annulation.txt.j2", full_context())
    assert subject.split(" – ")[0] == "URGENT / ANNULATION DE FACTURE"


def test_placeholders_are_found():
    """GIVEN a letter with a part to complete WHEN scanned THEN the placeholder is reported."""
    text = "Madame,\n[À COMPLÉTER : vos arguments]\nFin [à voir]\n"
    assert placeholders(text) == ["[À COMPLÉTER : vos arguments]"]
    assert placeholders("Madame,\nFin\n") == []
