"""The caisses' directory: complete, unambiguous, and naming each caisse the ways letters do."""

import pytest

from cpambot.understanding.directory import by_code, caisses, code_in, code_of_domain


def test_every_departement_has_its_cpam_and_every_overseas_caisse_is_there():
    """GIVEN the directory WHEN read THEN the 96 metropolitan départements each have a CPAM, the four
    CGSS and the CSSM are there, and no code is used twice."""
    cpam_deps = {d for c in caisses() if c.kind == "cpam" for d in c.departements}
    metro = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    assert metro <= cpam_deps
    assert {"971", "972", "973", "974", "976"} <= set(by_code())
    codes = [c.code for c in caisses() if c.code]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("text,code", [
    ("Caisse Primaire d'Assurance Maladie de la Gironde", "331"),
    ("CPAM du Haut-Rhin — régime local Alsace-Moselle", "682"),
    ("cpam-herault", "342"),
    ("CPAM de l'Artois", "624"),
    ("CPAM de la Côte d'Opale", "623"),
    ("MSA d'Armorique", "02221"),
    ("Bonjour, la caisse vous informe", None),
])
def test_names(text, code):
    """GIVEN a caisse's name as a letterhead writes it WHEN looked up THEN its code, or None."""
    assert code_in(text) == code


def test_domains():
    """GIVEN a caisse's own mail domain WHEN looked up THEN its code; the shared national one gives none."""
    assert code_of_domain("agents.cgss-guyane.fr") == "973"
    assert code_of_domain("assurance-maladie.fr") is None


@pytest.mark.parametrize(("text", "code"), [("CIS - CPAM 95", "951"), ("CPAM 75", "751"), ("CPAM 59", None)])
def test_a_cpam_named_by_its_departement_number(text, code):
    """GIVEN a signature naming "CPAM 95" WHEN its caisse is looked for THEN the département's CPAM, and
    none for a département with several CPAMs (the Nord)."""
    assert code_in(text) == code
