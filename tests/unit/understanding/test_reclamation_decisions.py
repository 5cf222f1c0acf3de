"""The decision of every réclamation answer of the voices batches (favourable or not), read by a person
from the answer itself: the batches' expectations leave it out, and a wrong decision is wrong advice (a
refusal read as favourable waits for a payment that will never come)."""

from __future__ import annotations

import sys

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from score import VOICES, read  # noqa: E402

DECISIONS = {
    "a-cpam/13-gironde-reclamation-favorable": "favorable",
    "a-cpam/14-rhone-reclamation-refus": "défavorable",
    "b-regions/04-cssm-mayotte-reponse-reclamation": "favorable",
    "c-clients/06-owa-en-haute-garonne-reclamation": "défavorable",
    "e-forwards/05-owa-fr-reclamation-571": "défavorable",
    "f-mixed/13-morbihan-reclamation-reponse": "défavorable",
    "f-mixed/14-guyane-reclamation-outlook-fwd": "favorable",
    "g-services/19-hautsdeseine-reponse-au-dessus-citation": "favorable",
    "g-services/20-charentemaritime-reponse-negative": "défavorable",
    "h-channels/07-ios-over-samsung-doubs": "favorable",
    "holdout-1/21-guyane-reponse-reclamation": "favorable",
    "i-documents/07-msa-provence-azur-reponse-reclamation-pdf": "défavorable",
    "j-agents/07-guadeloupe-reclamation-quoted": "favorable",
    "j-agents/13-hautevienne-reclamation-8bit": "défavorable",
    "k-letters/14-charente-maritime-reclamation-payee": "favorable",
    "k-letters/15-morbihan-reclamation-defavorable": "défavorable",
    "l-agents/18-tarn-reclamation-deja-payee": "favorable",
    "l-agents/19-msa-dlg-rejet-maintenu": "défavorable",
    "l-agents/20-yonne-reclamation-citee": "favorable",
    "m-letters/14-orne-reclamation-favorable": "favorable",
    "m-letters/15-haute-saone-reclamation-defavorable": "défavorable",
    "n-layouts/19-lot-et-garonne-reclamation-dates": "favorable",
    "p-agents/14-lille-douai-reclamation-favorable": "favorable",
    "p-agents/15-hautes-alpes-reclamation-defavorable": "défavorable",
    "p-agents/19-msa-gironde-reponse-citation": "favorable",
    "r-forwards/05-outlook-mobile-cpam-tarn-et-garonne-reclamation": "défavorable",
    "r-forwards/20-quoted-gt-msa-haute-normandie-reclamation": "défavorable",
    "s-agents/16-jura-reponse-reclamation": "favorable",
    "s-agents/17-haute-vienne-reclamation-transferee": "défavorable",
    "s-agents/18-languedoc-reponse-pdf": "favorable",
    "t-forwards/15-gmail-landes-reponse-reclamation": "défavorable",
    "t-forwards/16-thunderbird-msa-provenceazur-regularisation": "favorable",
    "u-agents/16-dordogne-reponse-reclamation-regularisation": "favorable",
    "u-agents/17-isere-reponse-reclamation-refus-mention-cra": "défavorable",
    "u-agents/18-msa-charentes-reponse-reclamation-fil-cite": "favorable",
    "v-mixed/09-cpam-haute-vienne-reponse-reclamation": "favorable",
    "v-mixed/10-cgss-guadeloupe-reclamation-refus": "défavorable",
    "w-agents/16-somme-reclamation-paid": "favorable",
    "w-agents/17-msa-nord-pdc-complement": "favorable",
    "x-mixed/09-maine-et-loire-reclamation-payee": "favorable",
    "x-mixed/10-gard-reclamation-refus": "défavorable",
    "y-agents/15-aveyron-favorable": "favorable",
    "y-agents/16-alpesnord-rejet": "défavorable",
    "aa-quick/07-haute-loire-reclamation-favorable": "favorable",
    "aa-quick/08-nievre-reclamation-defavorable": "défavorable",
    "ab-clients/05-zimbra-yonne-reclamation": "favorable",
    "ab-clients/14-reply-then-fwd-paris-reclamation": "favorable",
    "ad-agents/12-landes-reclamation-deja-reglee": "favorable",
    "ad-agents/13-charente-reclamation-defavorable": "défavorable",
    "ad-agents/14-msa-languedoc-suite-appel-citation": "favorable",
    "ad-agents/15-gers-reclamation-paiement-conforme": "défavorable",
    "ae-mixed/12-martinique-reponse-reclamation": "favorable",
    "ag-letters/20-fwd-outlook-rfc822-reponse-reclamation": "favorable",
    "af-agents/04-ardeche-reponse-au-dessus": "favorable",
    "af-agents/09-finistere-reclamation-favorable": "favorable",
    "af-agents/10-msa-grand-sud-reclamation-defavorable": "défavorable",
    "af-agents/19-reunion-reclamation-nnbsp": "favorable",
    "ai-agents/01-oise-reponse-inline": "favorable",
    "ai-agents/10-seine-saint-denis-reclamation-favorable": "favorable",
    "ai-agents/11-essonne-reclamation-defavorable": "défavorable",
    "ai-agents/12-val-d-oise-reclamation-partielle": "partielle",
    "aj-mixed/18-reponse-reclamation-loire-atlantique": "favorable",
}


@pytest.mark.parametrize(("name", "decision"), DECISIONS.items(), ids=list(DECISIONS))
def test_the_decision_of_a_reclamation_answer(name, decision):
    """GIVEN a réclamation answer written in another voice WHEN read THEN its decision is the one a person
    reads in it ("Nous ne pouvons donc pas réserver une suite favorable", "le rejet … est justifié : aucune
    régularisation n'est donc possible", "Le paiement que vous avez reçu est donc conforme" are refusals)."""
    _category, got = read((VOICES / f"{name}.eml").read_bytes())
    assert [f.get("label") for f in got["facts"] if f["kind"] == "reclamation_answered"] == [decision]
