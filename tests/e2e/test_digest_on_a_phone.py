"""The digest as the nurse reads it on her phone, laid out by a real headless browser (Chromium)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from browser import show

from cpambot.approval.digest import SendingProblem, build_digest
from cpambot.approval.drafts import new_draft
from cpambot.approval.mails import digest_texts
from cpambot.books.stats import Indus, Line, MonthSummary, PayerBar, Pending
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.letters.model import Letter, LetterPlan
from cpambot.understanding.facts import Fact

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
SCREEN = 667  # an upright phone's height, in CSS pixels


def case(case_id: str, fact: Fact, day: date):
    opened = new_case(case_id, case_key(fact, case_id), fact, day)
    return apply_fact(opened, fact, source=case_id, received=day, today=day)


def draft(case_, code: str, kind: str, due: date, to: str, subject: str):
    plan = LetterPlan(kind, case_.key, kind, due, kind)
    made = new_draft(plan, Letter(kind, (to,), subject, "Madame, Monsieur,\n…"), None, code=code,
                     case_id=case_.id, token_hash="h", token_expires=NOW + timedelta(days=7), now=NOW)
    assert made is not None
    return made


def typical_day():
    """An indu whose CRA deadline is in two days, a rejected invoice, a message to sort, two drafts."""
    indu = case("C1", Fact("indu_notified", caisse="974", reference="IND-2026-974-000318",
                           amount=Decimal("2598.00"), date=date(2026, 1, 22)), date(2026, 1, 22))
    invoice = case("C2", Fact("invoice_rejected", caisse="511", lot="042", invoice="000012347",
                              amount=Decimal("63.00"), reject_code="2900", date=TODAY), TODAY)
    unknown = case("C3", Fact("to_sort", label="Votre dossier"), TODAY)
    drafts = [draft(invoice, "A1", "reclamation", TODAY, "reclamations-ps.cpam-marne@assurance-maladie.fr",
                    "Réclamation – facture 000012347 du lot 042"),
              draft(indu, "A2", "saisine_cra", TODAY + timedelta(days=2), "cra@cgss.re",
                    "Saisine de la commission de recours amiable – indu IND-2026-974-000318")]
    return [indu, invoice, unknown], drafts


def test_a_typical_day_fits_two_phone_screens_and_leads_with_what_to_do():
    """GIVEN a typical day (a CRA deadline in two days on a 2 598 € indu, a rejected invoice, a message to
    sort, two drafts) WHEN the HTML digest is shown on a 375 px wide phone THEN nothing is wider than the
    screen, it fits two screens, it starts with what to do today — the legal deadline first — and says the
    same things as the text version, with no shell command."""
    cases, drafts = typical_day()
    digest = build_digest(cases, drafts, today=TODAY, since=datetime(2026, 3, 1, tzinfo=UTC),
                          health=["boîte « cabinet » : lue le 20/03/2026 à 10:00", "rien en attente d'envoi"])
    _subject, text, page = digest_texts(digest)
    shown = show(page)
    assert shown.scroll_width <= shown.width
    assert shown.height <= 2 * SCREEN
    seen = shown.text
    assert seen.index("À faire aujourd'hui") < seen.index("Brouillons à approuver")
    assert digest.todo[0].startswith("saisir la commission de recours amiable (J-2")
    for line in digest.todo:
        assert line in seen and line in text
    for word in ("A1", "A2", "C1", "C2", "C3", "000012347", "598,00"):
        assert word in seen and word in text
    assert "cpambot case" not in seen and "cpambot case" not in text


def test_long_addresses_and_many_items_never_widen_the_page():
    """GIVEN a heavy day (twelve drafts to addresses and subjects without spaces, a bounced letter, a
    refused reply) WHEN shown on a 320 px wide phone THEN no line is wider than the screen, and "À faire
    aujourd'hui" lists eight points and says how many more are below."""
    cases, _ = typical_day()
    invoice = cases[1]
    many = [draft(invoice, f"A{n}", "reclamation", TODAY, "service.relations-professionnels-de-sante."
                  "cpam-de-la-haute-garonne@assurance-maladie.fr", "Réclamation–facture–000012347–"
                  "lot–042–soins–du–02/03/2026–au–09/03/2026") for n in range(1, 13)]
    bounced = [SendingProblem("B1", "Réclamation", "non distribué à xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                                   "@assurance-maladie.fr : cette adresse n'existe pas")]
    digest = build_digest(cases, many, today=TODAY, since=None, bounced=bounced)
    shown = show(digest_texts(digest)[2], width=320)
    assert shown.scroll_width <= shown.width
    assert len(digest.todo) == 8 and digest.todo_more == 7  # (a bounce, two indu deadlines, twelve drafts)
    assert "et 7 autres points plus bas" in shown.text


def test_the_month_before_fits_the_phone_and_says_what_the_text_says():
    """GIVEN the first digest of a month telling the month before (four payers, one with a long name, an
    indu decided by the CRA) and a bank reconciliation made since the last digest WHEN shown on a 320 px
    wide phone THEN nothing is wider than the screen, the month shows a bar for each payer that rejected
    something, and the figures and the reconciliation's lines are those of the text."""
    cases, drafts = typical_day()
    total = Line("total", parts=40, rejected_parts=6, paid=Decimal("3120.40"), rejected=Decimal("212.10"),
                 recovered=Decimal("63.00"))
    payers = (PayerBar("Caisse générale de sécurité sociale de La Réunion (974)", 12, 4, "33,3 %", 100),
              PayerBar("CPAM de la Marne (511)", 20, 1, "5,0 %", 15),
              PayerBar("viamedis", 5, 1, "20,0 %", 60), PayerBar("almerys", 3, 0, "0,0 %", 0))
    month = MonthSummary("février 2026", "2026-02", total, payers,
                         (Pending("moins de 30 jours", 3, Decimal("75.40")), Pending("30 à 90 jours"),
                          Pending("3 à 6 mois"), Pending("plus de 6 mois", 1, Decimal("12.00"))),
                         Indus(2, Decimal("2598.00"), 1, 0, {"partiel": 1}))
    bank = ["Relevé du 02/03/2026 au 31/03/2026.",
            "Virement annoncé mais NON REÇU : 61,20 € de CPAM de la Marne (511), annoncé pour le 01/03/2026"]
    digest = replace(build_digest(cases, drafts, today=TODAY, since=None), month=month, bank=bank)
    _subject, text, page = digest_texts(digest)
    shown = show(page, width=320)
    assert shown.scroll_width <= shown.width
    assert "Le mois de février 2026" in shown.text and "LE MOIS DE FÉVRIER 2026" in text
    for figure in ("3\u202f120,40 €", "212,10 €", "63,00 €", "33,3 %", "75,40 €", "partiel 1",
                   "suivi-factures-2026-02.xlsx", "Rapprochement bancaire".upper(), bank[1]):
        assert figure in shown.text.upper() or figure in shown.text, figure
        assert figure in text, figure
    assert page.count("background: #c0392b; height: 14px; width: ") == 3
