"""Metamorphic forwards (tests/fixtures/forwarded.py): each direct caisse or platform message of the
voices batches, forwarded by the professional through Gmail, Outlook, Apple Mail, Thunderbird or as
an attached message, re-encoded in another charset and transfer encoding, written as a plain version,
under a subject that says nothing, with its HTML grids' columns in the reverse order, with its dates
written with dots, its amounts written "EUR 40,95" or "40.95 EUR", without its plain alternative, or
its plain body hard-wrapped at 72 columns, reads as the original did."""

from __future__ import annotations

import re
import sys

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from forwarded import CLIENTS, candidates, changes, check  # noqa: E402

# What a forward or a plain version cannot carry, each read unsure (a human asked), never wrong:
# a grid of <div> written one cell per paragraph, its rows of unequal length, cannot be cut safely.
UNSURE = {
    ("a-cpam/03-paris-div-grid", "plain-tabs"): "div grid, one cell per paragraph, rows of unequal length",
    ("b-regions/07-msa-alpes-vaucluse-information", "bland-subject"): "information told by its title",
    ("b-regions/16-amelipro-recla-ps-accuse-reception", "bland-subject"): "amelipro told by its title",
    ("ag-letters/15-amelipro-nouveau-document", "bland-subject"): "amelipro told by its title",
    ("n-layouts/14-jura-rowspan", "plain-tabs"): "a lot spanning rows, missing from the tab rows below it",
    ("k-letters/01-sarthe-notif-table-html", "bland-subject"): "the indu's reference only in the subject",
    ("q-platforms/15-msa-provence-azur-tarifs", "bland-subject"): "information told by its title",
    ("u-agents/14-msa-bcl-base64-latin1-dossier-echeance", "bland-subject"): "a request told by its subject",
    ("x-mixed/06-haute-garonne-pieces-agent", "bland-subject"): "a request told by its subject",
    ("ai-agents/06-guyane-demande-pieces-quinze-jours", "bland-subject"): "a request told by its subject",
    ("ai-agents/19-msa-sud-aquitaine-pieces-date", "bland-subject"): "a request told by its subject",
    **{("x-mixed/12-cote-d-or-mise-en-demeure", c): "the amount due not found in the forwarded letter"
       for c in ("gmail", "outlook", "apple", "thunderbird")},
    ("l-agents/03-msa-auvergne-codes-legende", "plain-tabs"): "the harness's plain version of this Lotus "
                                                              "HTML keeps its first paragraph only",
    ("q-platforms/19-msa-provence-azur-conseils-indu-piege", "bland-subject"): "advice told by its title",
    **{("ak-letters/13-msa-alsace-info-tarifs", c): "information forwarded: asked, not filed"
       for c in ("gmail", "outlook", "apple", "thunderbird")},
    ("ak-letters/17-cpam-marne-tableau-complement", "bland-subject"): "a complement told by its subject",
    ("az-platforms/09-ameli-releve-disponible", "bland-subject"): "amelipro told by its title",
    ("ba-clients/18-outlook-related-logo-pieces", "bland-subject"): "a request told by its subject",
    **{("al-agents/06-haute-garonne-erratum", c): "an erratum above its own first mail, quoted once more"
       for c in ("gmail", "outlook", "apple", "thunderbird", "rfc822")},
    ("al-agents/07-msa-berry-touraine-pieces", "bland-subject"): "a request told by its subject",
    ("al-agents/11-msa-armorique-reclamation-rejet", "bland-subject"): "an answer told by its subject",
    ("an-agents/12-guadeloupe-medecin-relance-nouveau-delai", "bland-subject"):
        "a request told by its subject",
    ("ar-agents/07-dam-visite-kine-martinique", "bland-subject"): "an invitation told by its subject",
    ("au-agents/20-msa-pieces-deux-factures", "bland-subject"): "a request told by its subject",
    ("aw-agents/12-cpam381-avis-retenue", "bland-subject"): "a retenue told by its subject",
    ("ax-letters/14-demande-pieces-controle-cgss-guadeloupe", "bland-subject"):
        "a control's request for documents told by its subject (read as a constat, asked)",
    ("an-agents/06-finistere-medecin-fsp-non-signee", "bland-subject"): "a request told by its subject",
    ("ap-agents/12-rhone-outlook-rowspan", "plain-tabs"): "a lot spanning rows, missing from the tab rows",
    ("an-agents/18-herault-kine-cartes-div", "plain-tabs"): "div cards whose plain version glues each label "
                                                            "to its value",
    ("bb-escalation/07-cpam931-mise-en-demeure-cartes-html", "bland-subject"):
        "a mise en demeure's reference only in its subject",
    ("bb-escalation/18-cpam-lille-douai-reponse-2e-relance-lotus", "plain-tabs"):
        "a Notes answer flattened with tabs: not recognised (asked)",
    ("bb-escalation/19-cpam141-reponse-mediateur", "bland-subject"): "an answer told by its subject",
    ("bd-bretagne/06-calvados-reclamation-refusee", "bland-subject"): "an answer told by its subject",
    ("be-formats/16-kalivia-body-second", "bland-subject"): "a platform's notice told by its subject",
    ("be-formats/08-bas-rhin-rfc822", "rfc822"): "a message attached in a message attached: the covering "
                                                  "note read, asked",
}
# (d-machines/26, a platform's newsletter, reads right without its list's headers since "Vous recevez cette
# lettre" tells a newsletter: its forwards left this list in session 9)
# Read with a value missing, confidently: an automatic acknowledgment without its title taken for an
# auto-reply (the acknowledgment is lost, nothing is done); a reference written only in the subject.
MISSING = {("au-agents/12-cher-cartes", "plain-tabs"): "div cards flattened with tabs: an instruction lost",
           ("ay-month/19-msa-retour-lot-cartes", "plain-tabs"): "cards flattened with tabs: a consigne lost",
           ("ay-month/19-msa-retour-lot-cartes", "html-only"): "cards flattened from HTML: a consigne lost",
           ("aw-agents/19-cpam571-lots-en-phrases", "hard-wrapped"): "a lot's code cut by the wrap: lost",
           ("av-mixed/12-viamedis-rejet-part-amc", "plain-tabs"):
               "a platform's card with tabs: the part's sum lost",
           ("ar-agents/02-viamedis-medecin-part-comp", "plain-tabs"):
               "a platform's card flattened with blank lines: the amount asked lost",
           ("b-regions/21-cgss-martinique-accuse-reception-auto", "bland-subject"):
               "auto-reply",
           ("ao-mixed/16-val-de-marne-autoreply", "bland-subject"):
               "an auto-reply, a réclamation's by its subject",
           ("u-agents/17-isere-reponse-reclamation-refus-mention-cra", "bland-subject"):
               "reference only in the subject",
           ("x-mixed/09-maine-et-loire-reclamation-payee", "bland-subject"): "reference only in the subject",
           ("w-agents/17-msa-nord-pdc-complement", "bland-subject"): "reference only in the subject",
           ("ad-agents/12-landes-reclamation-deja-reglee", "bland-subject"): "reference only in the subject",
           ("af-agents/09-finistere-reclamation-favorable", "bland-subject"): "reference only in the subject",
           ("ai-agents/11-essonne-reclamation-defavorable", "bland-subject"): "reference only in the subject",
           ("ad-agents/03-herault-correction-precedent-mail", "bland-subject"):
               "the lot only in the subject and the quoted first mail",
           ("u-agents/18-msa-charentes-reponse-reclamation-fil-cite", "bland-subject"):
               "reference only in the subject and the quoted acknowledgment"}
# Read wrongly: none left (a variant that lands here is a defect to fix, never to accept).
WRONG: dict[tuple[str, str], str] = {}
# the originals the reader still misses (voices/KNOWN_MISSES.md): their forwards prove nothing
KNOWN = set(re.findall(r"^- ([\w-]+/[\w-]+):", (ROOT / "tests" / "fixtures" / "voices" / "KNOWN_MISSES.md")
                       .read_text(encoding="utf-8"), re.MULTILINE))
CASES = [(path, client) for path in candidates() if f"{path.parent.name}/{path.stem}" not in KNOWN
         for client in CLIENTS if changes(path, client)]


def _id(case):
    path, client = case
    return f"{path.parent.name}/{path.stem}-{client}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_a_forward_reads_as_its_original(case):
    """GIVEN a caisse or platform message the reader gets right WHEN the professional forwards it with
    one mail client THEN the forward reads the same (kind, caisse, facts, review, the original's date),
    with her trust."""
    path, client = case
    diffs = check(path, client)
    assert diffs is not None, "the original is not read right: list it in KNOWN_MISSES.md"
    name = f"{path.parent.name}/{path.stem}"
    if (name, client) in UNSURE:
        assert diffs and any(d.startswith("needs_review") for d in diffs)  # unsure, never confidently wrong
        return
    if (name, client) in WRONG:
        assert diffs  # strict: a fixed one must leave the list
        return
    if (name, client) in MISSING:
        assert diffs and all(" None != " in d or d.startswith(("kind unknown", "facts []")) for d in diffs)
        return
    assert diffs == []
