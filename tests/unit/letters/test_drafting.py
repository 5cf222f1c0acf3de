"""Drafting: which letters a case needs and when, and the letters themselves (or what is missing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cpambot.cases.model import Case, CaseState
from cpambot.cases.rules import apply_fact, case_key, mark_unpaid, new_case
from cpambot.config.model import Caisse, Professional, RuleSettings
from cpambot.letters.compose import REQUIRED, annulation_letter, build_letter
from cpambot.letters.model import Letter, LetterKind, LetterPlan, MissingInfo
from cpambot.letters.plan import CRA_SAFETY_DAYS, plan_letters
from cpambot.letters.render import placeholders
from cpambot.understanding.facts import Fact

NNBSP = "\u202f"
NIR = "284079740512345"
ARL = date(2026, 3, 2)  # a Monday
SETTINGS = RuleSettings()
PRO = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                   email="marie.exemple@example.org", rpps="10101234567",
                   adresse="1 rue de l'Exemple, 97400 Saint-Denis", telephone="0262 00 00 00")
ADDRESSES = {"annulation": "annulation-ps@cgss.re", "reclamation": "reclamations-ps@cgss.re",
             "indus": "indus@cgss.re", "cra": "commission-recours-amiable@cgss.re",
             "conciliateur": "conciliateur@cgss.re", "flux": "01974@974.01.rss.fr"}
CGSS = Caisse(code="974", name="CGSS de La Réunion", kind="cgss", addresses=ADDRESSES)
VIAMEDIS = Caisse(code="viamedis", name="Viamedis", kind="autre", addresses={"amc": "ps@viamedis.example"})
BILLING = {"nir": NIR, "insured_name": "DUPONT Jean", "patient_name": "DUPONT Léa",
           "patient_birth_date": "2015-06-01", "care_dates": ["2026-02-21", "2026-02-20"],
           "acts": ["AMI 1", "AIS 3"], "lot_date": "2026-02-23", "billing_date": "2026-02-21"}


def dated(case: Case, **iso: str) -> Case:
    """The case with more dates recorded (ISO texts, as a test writes them)."""
    return replace(case, dates={**case.dates, **{name: date.fromisoformat(v) for name, v in iso.items()}})


def make_case(*facts: Fact, today: date, case_id: str = "C12") -> Case:
    case = new_case(case_id, case_key(facts[0]), facts[0], today)
    for fact in facts:
        case = apply_fact(case, fact, source="m", received=today, today=today)
    return case


def doublon_case(billing=None) -> Case:
    """Invoice 000012345 of lot 042 rejected 2900 « FACTURE DEJA PAYEE » on 2 March 2026."""
    return make_case(Fact("invoice_rejected", caisse="974", lot="042", invoice="000012345",
                          amount=Decimal("1234.50"), reject_code="2900", label="FACTURE DEJA PAYEE",
                          date=ARL, part="AMO", details=BILLING if billing is None else billing),
                     today=ARL)


def unpaid_case(**sent: str) -> Case:
    """Lot 042 acknowledged (ARL positif) on 2 March 2026, unpaid on 12 March."""
    watch = make_case(Fact("lot_acknowledged", caisse="974", lot="042", date=ARL), today=ARL)
    return dated(mark_unpaid(watch, date(2026, 3, 12)), **sent)


def indu_case(*, details: bool = True, **dates: str) -> Case:
    notified = Fact("indu_notified", caisse="974", reference="2026-974-000318", amount=Decimal("3412.60"),
                    date=date(2026, 12, 31), label="cumul AIS et AMI au cours de la même séance",
                    details={"acts": [{"date": "12/10/2026", "act": "AIS 3 + AMI 1", "amount": "12,60",
                                       "reason": "cumul interdit"}]})
    facts = [notified]
    if details:
        facts.append(Fact("indu_details", caisse="974", reference="2026-974-000318", date=date(2027, 1, 8)))
    return dated(make_case(*facts, today=date(2027, 1, 8)), **dates)


def amc_case() -> Case:
    return make_case(Fact("amc_rejected", caisse="viamedis", invoice="000012399", amount=Decimal("6.14"),
                          label="ADHERENT INCONNU", part="AMC", date=ARL), today=ARL)


def retenue_case() -> Case:
    return make_case(Fact("retenue", caisse="974", amount=Decimal("44.52"), label="IND RPR",
                          reference="0000123456", date=ARL), today=ARL)


def plans(case, today, sent=frozenset()):
    return plan_letters(case, today, SETTINGS, sent_steps=set(sent))


def steps(case, today, sent=frozenset()):
    return [p.step for p in plans(case, today, sent)]


def letter(kind, case, today, caisse=CGSS) -> Letter:
    plan = LetterPlan(kind=kind, case_key=case.key, step=kind, due=today, reason="test")
    result = build_letter(plan, case, PRO, caisse, today)
    assert isinstance(result, Letter), result
    assert result.kind == kind
    return result


def assert_common(result: Letter, ref: str = "C12") -> None:
    """Every letter: the case reference, the polite register, the identity block, no raw None."""
    assert f"Réf. cpambot : {ref}" in result.body
    assert "Madame, Monsieur," in result.body and "Je vous prie d'agréer" in result.body
    assert "N° d'identification Assurance Maladie : 974123456" in result.body
    assert "Courriel : marie.exemple@example.org" in result.body
    assert "None" not in result.body and "None" not in result.subject


# --------------------------------------------------------------------------- plan_letters


def test_relance1_opens_15_days_after_the_arl():
    """GIVEN a lot acknowledged on 2 March and still unpaid WHEN planned THEN nothing before 17 March
    (ARL + 15 days); from then on a 1st relance to be sent by 1 April (ARL + 30)."""
    case = unpaid_case()
    assert plans(case, date(2026, 3, 12)) == []
    assert plans(case, date(2026, 3, 16)) == []
    (plan,) = plans(case, date(2026, 3, 17))
    assert (plan.kind, plan.step, plan.due) == ("relance1", "relance1", date(2026, 4, 1))
    assert plan.case_key == case.key and "relance" in plan.reason


def test_relance2_only_after_relance1_was_sent():
    """GIVEN the 1st relance sent on 18 March WHEN planned THEN no 2nd relance before 28 March
    (+10 days), then one due by 2 April (+15); the 1st relance is never planned again."""
    assert "relance2" not in steps(unpaid_case(), date(2026, 4, 20), sent={"relance1"})
    case = unpaid_case(relance1_sent="2026-03-18")
    assert steps(case, date(2026, 3, 27)) == []
    (plan,) = plans(case, date(2026, 3, 28))
    assert (plan.step, plan.due) == ("relance2", date(2026, 4, 2))


def test_mise_en_demeure_15_days_after_relance2():
    """GIVEN the 2nd relance sent on 30 March WHEN planned THEN the mise en demeure from 14 April."""
    case = unpaid_case(relance1_sent="2026-03-18", relance2_sent="2026-03-30")
    assert steps(case, date(2026, 4, 13)) == []
    (plan,) = plans(case, date(2026, 4, 14))
    assert plan.step == "mise_en_demeure" and plan.due == date(2026, 4, 29)


def test_a_step_is_never_planned_twice():
    """GIVEN a step already drafted (sent_steps) or recorded as sent in the case WHEN planned again
    THEN it is not proposed."""
    case = unpaid_case()
    assert steps(case, date(2026, 3, 20), sent={"relance1"}) == []
    done = unpaid_case(relance1_sent="2026-03-18", relance2_sent="2026-03-30")
    assert steps(done, date(2026, 6, 1), sent={"mise_en_demeure"}) == []
    assert steps(doublon_case(), date(2026, 3, 3), sent={"reclamation"}) == []


def test_closed_cases_need_nothing():
    """GIVEN a rejected invoice later paid WHEN planned THEN no letter at all."""
    case = doublon_case()
    assert steps(case, date(2026, 3, 3)) == ["reclamation"]
    paid = apply_fact(case, Fact("invoice_paid", caisse="974", lot="042", invoice="000012345", part="AMO",
                                 amount=Decimal("1234.50"), date=date(2026, 3, 4)),
                      source="p", received=date(2026, 3, 4), today=date(2026, 3, 4))
    assert paid.state == "closed"
    assert plans(paid, date(2026, 3, 5)) == []
    closed_unpaid = unpaid_case()
    closed_unpaid = replace(closed_unpaid, state=CaseState.CLOSED)
    assert plans(closed_unpaid, date(2026, 4, 1)) == []


def test_doublon_gets_a_reclamation_never_a_resend():
    """GIVEN reject 2900 « facture déjà payée » WHEN planned THEN a réclamation, nothing else."""
    (plan,) = plans(doublon_case(), date(2026, 3, 3))
    assert (plan.kind, plan.step, plan.due) == ("reclamation", "reclamation", date(2026, 3, 17))
    assert "ne la renvoyez pas" in plan.reason


def test_other_invoice_rejects_get_no_letter():
    """GIVEN an invoice rejected for rights (0250: correct and resend) WHEN planned THEN no letter."""
    case = make_case(Fact("invoice_rejected", caisse="974", lot="042", invoice="000012347",
                          amount=Decimal("5.67"), reject_code="0250", date=ARL, part="AMO"), today=ARL)
    assert plans(case, date(2026, 3, 10)) == []


def test_indu_opens_explanation_and_cra_with_a_7_day_margin():
    """GIVEN a notification d'indu of 31 Dec 2026 (CRA deadline 28 Feb 2027) WHEN planned
    THEN right away the optional explanation (due by the deadline) and the CRA letter due
    7 days before the deadline, never later than the deadline itself."""
    case = indu_case()
    cra_deadline = next(d for d in case.deadlines if d.name == "cra_referral")
    assert cra_deadline.due.isoformat() == "2027-02-28"
    found = {p.step: p for p in plans(case, date(2027, 1, 8))}
    assert set(found) == {"indu_explication", "saisine_cra"}
    assert found["saisine_cra"].due == date(2027, 2, 28) - timedelta(days=CRA_SAFETY_DAYS)
    assert found["saisine_cra"].due == date(2027, 2, 21)
    assert found["indu_explication"].due == date(2027, 2, 28)
    assert plans(case, date(2027, 1, 8))[0].step == "saisine_cra"  # most urgent first
    late = {p.step: p for p in plans(case, date(2027, 2, 25))}
    assert late["saisine_cra"].due == date(2027, 2, 25)  # margin eaten: today, still before 28 Feb
    last = {p.step: p for p in plans(case, date(2027, 3, 1))}  # legal expiry (28 Feb is a Sunday)
    assert last["saisine_cra"].due == date(2027, 2, 28)
    assert plans(case, date(2027, 3, 2)) == []  # delay over: no letter claims to be in time


def test_indu_letters_stop_once_the_cra_is_seized_or_has_decided():
    """GIVEN an indu whose CRA recourse was sent, or decided WHEN planned THEN no indu letter."""
    assert plans(indu_case(cra_referred="2027-01-20"), date(2027, 1, 25)) == []
    decided = indu_case()
    decided = apply_fact(decided, Fact("cra_decision", caisse="974", reference="2026-974-000318",
                                       label="rejet", date=date(2027, 2, 10)),
                         source="c", received=date(2027, 2, 10), today=date(2027, 2, 10))
    assert plans(decided, date(2027, 2, 11)) == []


def test_conciliateur_after_3_weeks_without_answer():
    """GIVEN a réclamation sent on 5 March without answer WHEN planned THEN the conciliateur from
    26 March (3 weeks), not before, and not once the caisse answered."""
    case = doublon_case()
    case = dated(case, reclamation_sent="2026-03-05")
    assert steps(case, date(2026, 3, 25)) == []
    (plan,) = plans(case, date(2026, 3, 26))
    assert plan.kind == "saisine_conciliateur" and plan.due == date(2026, 4, 9)
    answered = apply_fact(case, Fact("reclamation_answered", caisse="974", invoice="000012345",
                                     date=date(2026, 3, 20)),
                          source="r", received=date(2026, 3, 20), today=date(2026, 3, 20))
    assert plans(answered, date(2026, 4, 1)) == []
    weeks5 = plan_letters(case, date(2026, 4, 1), RuleSettings(conciliateur_weeks=5), sent_steps=set())
    assert weeks5 == []


def test_retenue_and_amc_rejection_plans():
    """GIVEN a retenue without detail and an AMC rejection WHEN planned THEN a réclamation asking
    for the detail of the debt, and a relance of the complementary."""
    assert [(p.kind, p.due) for p in plans(retenue_case(), date(2026, 3, 3))] == [
        ("reclamation", date(2026, 3, 17))]
    assert [p.kind for p in plans(amc_case(), date(2026, 3, 3))] == ["relance_amc"]
    paid = apply_fact(amc_case(), Fact("amc_paid", caisse="viamedis", invoice="000012399", part="AMC",
                                       date=date(2026, 3, 9)),
                      source="p", received=date(2026, 3, 9), today=date(2026, 3, 9))
    assert plans(paid, date(2026, 3, 10)) == []


def test_a_retenue_of_a_debt_already_notified_asks_for_no_letter():
    """GIVEN an avis de retenue naming its debt, notified on 03/08/2026, and its balance WHEN applied and
    planned THEN no réclamation: settled (balance 0) the case is closed, else it waits; the advice says
    to act only if the notification never came."""
    details = {"nature": "indu sur prestations", "notified": "2026-08-03", "balance": "0.00"}
    settled = make_case(Fact("retenue", caisse="974", amount=Decimal("215.40"), reference="24-IND-2026-1187",
                             date=ARL, details=details), today=ARL)
    assert settled.state is CaseState.CLOSED and plans(settled, date(2026, 3, 3)) == []
    assert "notifiée le 03/08/2026, soldée" in settled.status
    left = make_case(Fact("retenue", caisse="974", amount=Decimal("100.00"), reference="24-IND-2026-1188",
                          date=ARL, details={**details, "balance": "115.40"}), today=ARL)
    assert left.state is CaseState.WAITING and plans(left, date(2026, 3, 3)) == []
    assert left.advice is not None and "si vous avez bien reçu cette notification" in left.advice


# --------------------------------------------------------------------------- letters


def test_reclamation_has_every_field_of_the_cgss_leaflet():
    """GIVEN the doublon case WHEN its réclamation is built THEN it goes to the « reclamation » address
    and carries every field the CGSS Réunion leaflet lists, with the full NIR."""
    result = letter("reclamation", doublon_case(), date(2026, 3, 3))
    assert result.to == ("reclamations-ps@cgss.re",)
    assert result.subject == "Réclamation : Paiements – facture n° 000012345 (lot n° 042)"
    assert_common(result)
    body = result.body
    for expected in ("N° d'identification : 974123456", "Nom et prénom : Marie Exemple",
                     "Adresse électronique : marie.exemple@example.org", "Téléphone : 0262 00 00 00",
                     f"N° de sécurité sociale de l'assuré : {NIR}",
                     "Nom et prénom du bénéficiaire des soins : DUPONT Léa",
                     "Date de naissance du patient (qui n'est pas l'assuré) : 01/06/2015",
                     "N° de facture : 000012345", "N° de lot : 042", "Date de télétransmission : 23/02/2026",
                     "Date(s) des soins : 20/02/2026, 21/02/2026", "Nature des soins : AMI 1, AIS 3",
                     f"Montant de la facture : 1{NNBSP}234,50 €", "Motif de la réclamation :",
                     "code 2900", "je ne l'ai pas renvoyée"):
        assert expected in body, expected
    assert placeholders(body) == []


def test_reclamation_for_the_insured_himself_has_no_birth_date():
    """GIVEN an invoice whose patient is the insured WHEN the réclamation is built THEN no birth date
    is asked for nor printed."""
    billing = {k: v for k, v in BILLING.items() if k not in ("patient_name", "patient_birth_date")}
    result = letter("reclamation", doublon_case(billing), date(2026, 3, 3))
    assert "Nom et prénom du bénéficiaire des soins : DUPONT Jean" in result.body
    assert "Date de naissance" not in result.body


def test_reclamation_with_unknown_fields_is_missing_info():
    """GIVEN an invoice case without NIR, care dates nor télétransmission date, and a professional
    without a phone WHEN the réclamation is built THEN MissingInfo lists them in French."""
    billing = {k: v for k, v in BILLING.items() if k not in ("nir", "care_dates", "lot_date")}
    case = doublon_case(billing)
    plan = plans(case, date(2026, 3, 3))[0]
    no_phone = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                            email="marie.exemple@example.org")
    result = build_letter(plan, case, no_phone, CGSS, date(2026, 3, 3))
    assert isinstance(result, MissingInfo)
    assert (result.kind, result.case_key, result.step) == ("reclamation", case.key, "reclamation")
    assert set(result.missing) == {"NIR de l'assuré", "date(s) des soins", "date de télétransmission du lot",
                                   "votre numéro de téléphone (config [professionnel] telephone)"}


def test_patient_not_insured_needs_a_birth_date():
    """GIVEN a patient who is not the insured and no birth date WHEN the réclamation is built
    THEN the birth date is asked for."""
    billing = {k: v for k, v in BILLING.items() if k != "patient_birth_date"}
    case = doublon_case(billing)
    result = build_letter(plans(case, date(2026, 3, 3))[0], case, PRO, CGSS, date(2026, 3, 3))
    assert isinstance(result, MissingInfo)
    assert result.missing == ("date de naissance du patient (il n'est pas l'assuré)",)


def test_missing_address_is_never_guessed():
    """GIVEN a caisse configured without a « cra » address, or not configured at all WHEN the CRA letter
    is built THEN MissingInfo names the address and the config key — no other address is used."""
    case = indu_case()
    plan = next(p for p in plans(case, date(2027, 1, 8)) if p.step == "saisine_cra")
    no_cra = Caisse(code="974", name="CGSS de La Réunion",
                    addresses={k: v for k, v in ADDRESSES.items() if k != "cra"})
    result = build_letter(plan, case, PRO, no_cra, date(2027, 1, 8))
    assert isinstance(result, MissingInfo)
    assert result.missing == ("adresse « cra » de la caisse 974 (config [[caisses]] adresses)",)
    unknown = build_letter(plan, case, PRO, None, date(2027, 1, 8))
    assert isinstance(unknown, MissingInfo) and "[[caisses]]" in unknown.missing[0]
    assert "974" in unknown.missing[0]


def test_a_caisse_of_another_case_is_a_programming_error():
    """GIVEN the configuration of caisse 511 for a case of caisse 974 WHEN building THEN ValueError."""
    case = doublon_case()
    with pytest.raises(ValueError):
        build_letter(plans(case, date(2026, 3, 3))[0], case, PRO, Caisse(code="511", name="CPAM"),
                     date(2026, 3, 3))


def test_relances_and_mise_en_demeure_cite_arl_delay_and_earlier_relances():
    """GIVEN the unpaid lot 042 (ARL 2 March, relances 18 and 30 March) WHEN the relances and the
    mise en demeure are built THEN they cite the ARL date, the 7-working-day delay (D161-13-3 CSS,
    expired 11 March) and the earlier relance dates; no patient data."""
    case = unpaid_case(relance1_sent="2026-03-18", relance2_sent="2026-03-30")
    r1 = letter("relance1", case, date(2026, 3, 17))
    r2 = letter("relance2", case, date(2026, 3, 28))
    med = letter("mise_en_demeure", case, date(2026, 4, 14))
    for result in (r1, r2, med):
        assert_common(result)
        assert result.to == ("reclamations-ps@cgss.re",)
        assert "lot n° 042" in result.body and "02/03/2026" in result.body
        assert "D161-13-3" in result.body and "11/03/2026" in result.body
        assert "NIR" not in result.body and "sécurité sociale de l'assuré" not in result.body
    assert r1.subject == "Relance – lot n° 042 sans paiement depuis l'ARL du 02/03/2026"
    assert r2.subject.startswith("Deuxième relance") and "18/03/2026" in r2.body
    assert med.subject.startswith("Mise en demeure") and "mets en demeure" in med.body
    assert "18/03/2026" in med.body and "30/03/2026" in med.body and "D161-13-4" in med.body


def test_relance2_without_the_first_relance_date_is_missing_info():
    """GIVEN an unpaid lot whose 1st relance date is unknown WHEN a 2nd relance is built THEN MissingInfo."""
    case = unpaid_case()
    plan = LetterPlan("relance2", case.key, "relance2", date(2026, 4, 1), "test")
    result = build_letter(plan, case, PRO, CGSS, date(2026, 4, 1))
    assert isinstance(result, MissingInfo) and result.missing == ("date d'envoi de la 1re relance",)


def test_indu_explanation_with_a_placeholder_unless_the_scor_reference_is_known():
    """GIVEN an indu WHEN the explanation is built without SCOR reference THEN a placeholder the nurse
    edits (no invented fact); with a SCOR reference in the case THEN it is cited, no placeholder."""
    case = indu_case()
    result = letter("indu_explication", case, date(2027, 1, 8))
    assert_common(result)
    assert result.to == ("indus@cgss.re",)
    assert "2026-974-000318" in result.subject and "31/12/2026" in result.subject
    assert f"3{NNBSP}412,60 €" in result.body and "R133-9-1" in result.body and "R142-1" in result.body
    assert "cumul AIS et AMI" in result.body
    assert len(placeholders(result.body)) == 1 and "SCOR" not in result.body.split("[À COMPLÉTER")[0]
    case = replace(case, scor_reference="SCOR-2026-0042")
    case = dated(case, scor_sent="2026-10-13")
    known = letter("indu_explication", case, date(2027, 1, 8))
    assert "SCOR-2026-0042" in known.body and "13/10/2026" in known.body
    assert placeholders(known.body) == []


def test_saisine_cra_states_decision_amount_grounds_pieces_and_delay():
    """GIVEN an indu of 3 412,60 € notified on 31 Dec 2026 whose detail came later WHEN the CRA letter
    is built THEN it names the decision, its date, the amount, the caisse's grounds, the late
    motivation, the request, the pieces and the 2-month delay of R142-1 CSS."""
    result = letter("saisine_cra", indu_case(), date(2027, 1, 8))
    assert_common(result)
    assert result.to == ("commission-recours-amiable@cgss.re",)
    assert result.subject == ("Recours devant la commission de recours amiable – indu réf. 2026-974-000318 "
                              "du 31/12/2026")
    body = result.body
    for expected in ("Décision contestée : notification de payer (indu) réf. 2026-974-000318",
                     "Date de la notification : 31/12/2026", f"Montant réclamé : 3{NNBSP}412,60 €",
                     "cumul AIS et AMI au cours de la même séance", "08/01/2027", "R133-9-1",
                     "dans le délai de deux mois", "R142-1", "Demande :", "Pièces jointes :",
                     "copie de la notification de payer du 31/12/2026", "AIS 3 + AMI 1"):
        assert expected in body, expected
    assert placeholders(body)  # the nurse's own arguments
    assert "NIR" not in body


def test_saisine_cra_without_amount_is_missing_info():
    """GIVEN an indu whose amount could not be read WHEN the CRA letter is built THEN MissingInfo."""
    case = indu_case()
    case = replace(case, amount=None)
    plan = LetterPlan("saisine_cra", case.key, "saisine_cra", date(2027, 2, 21), "test")
    result = build_letter(plan, case, PRO, CGSS, date(2027, 1, 8))
    assert isinstance(result, MissingInfo) and result.missing == ("montant de l'indu contesté",)


def test_saisine_conciliateur_names_the_unanswered_reclamation():
    """GIVEN a réclamation sent on 5 March, acknowledged on 6 March, unanswered WHEN the conciliateur
    letter is built on 26 March THEN it says so, with the invoice and no NIR."""
    case = doublon_case()
    case = apply_fact(case, Fact("reclamation_acknowledged", caisse="974", invoice="000012345",
                                 date=date(2026, 3, 6)),
                      source="a", received=date(2026, 3, 6), today=date(2026, 3, 6))
    case = dated(case, reclamation_sent="2026-03-05")
    (plan,) = plans(case, date(2026, 3, 26))
    result = build_letter(plan, case, PRO, CGSS, date(2026, 3, 26))
    assert isinstance(result, Letter)
    assert_common(result)
    assert result.to == ("conciliateur@cgss.re",)
    assert result.subject == "Saisine du conciliateur – réclamation du 05/03/2026 restée sans réponse"
    assert "accusé de réception le 06/03/2026" in result.body and "3 semaines" in result.body
    assert "facture n° 000012345" in result.body and "L162-15-4" in result.body
    assert NIR not in result.body and "DUPONT" not in result.body


def test_retenue_reclamation_asks_for_the_detail_of_the_debt():
    """GIVEN a retenue of 44,52 € without detail WHEN its réclamation is built THEN it asks for the
    nature, the invoices and the notification, citing L133-4 and R133-9-1; no NIR."""
    case = retenue_case()
    result = build_letter(plans(case, date(2026, 3, 3))[0], case, PRO, CGSS, date(2026, 3, 3))
    assert isinstance(result, Letter)
    assert_common(result)
    assert result.subject == "Réclamation : Paiements – retenue de 44,52 € du 02/03/2026"
    for expected in ("0000123456", "IND RPR", "L133-4", "R133-9-1", "notification de payer",
                     "factures et actes concernés"):
        assert expected in result.body, expected
    assert "sécurité sociale de l'assuré" not in result.body


def test_relance_amc_goes_to_the_operator_with_a_masked_nir():
    """GIVEN an AMC rejection WHEN the relance is built without the operator's address THEN MissingInfo;
    with it THEN the letter, with the NIR masked (never in full)."""
    case = amc_case()
    plan = plans(case, date(2026, 3, 3))[0]
    missing = build_letter(plan, case, PRO, None, date(2026, 3, 3))
    assert isinstance(missing, MissingInfo)
    assert missing.missing == ("adresse « amc » de l'organisme complémentaire viamedis "
                               "(config [[caisses]] adresses)",)
    case = replace(case, billing={"nir": NIR, "care_dates": ["2026-02-20"]})
    result = build_letter(plan, case, PRO, VIAMEDIS, date(2026, 3, 3))
    assert isinstance(result, Letter)
    assert_common(result)
    assert result.to == ("ps@viamedis.example",)
    assert "000012399" in result.subject and "ADHERENT INCONNU" in result.body and "6,14 €" in result.body
    assert "***********2345" in result.body and NIR not in result.body


def test_amc_part_of_a_caisse_invoice_needs_the_complementary_address():
    """GIVEN an invoice whose AMC part was rejected in a NOEMIE return WHEN the relance is planned and
    built with the caisse's config THEN MissingInfo: the caisse's addresses are not the complementary's."""
    case = make_case(Fact("invoice_rejected", caisse="974", lot="042", invoice="000012347", part="AMC",
                          amount=Decimal("6.14"), reject_code="0602", date=ARL, details=BILLING), today=ARL)
    (plan,) = plans(case, date(2026, 3, 3))
    result = build_letter(plan, case, PRO, CGSS, date(2026, 3, 3))
    assert isinstance(result, MissingInfo)
    assert "complémentaire de la facture 000012347" in result.missing[0]


def test_full_nir_only_in_the_reclamation():
    """GIVEN a case that knows the NIR WHEN every other letter is built from it THEN the full NIR
    appears in none of them (masked at most)."""
    case = doublon_case()
    case = dated(case, arl="2026-03-02", relance1_sent="2026-03-18", relance2_sent="2026-03-30",
                 reclamation_sent="2026-03-05")
    case = replace(case, part="AMC")
    bodies = {}
    for kind in ("relance1", "relance2", "mise_en_demeure", "saisine_conciliateur"):
        bodies[kind] = letter(kind, case, date(2026, 4, 20)).body
    with_amc = Caisse(code="974", name="x", addresses={"amc": "amc@example.org"})
    bodies["relance_amc"] = letter("relance_amc", case, date(2026, 4, 20), caisse=with_amc).body
    for kind, body in bodies.items():
        assert NIR not in body and NIR[:13] not in body, kind
    assert NIR in letter("reclamation", case, date(2026, 4, 20)).body


def test_annulation_letter_from_the_command():
    """GIVEN « ANNULER lot 42 facture 12345 motif: erreur de cotation » on the day of transmission
    WHEN the letter is built THEN subject « URGENT / ANNULATION DE FACTURE », to the « annulation »
    address, with the identification number, lot, invoice, date and motif."""
    result = annulation_letter(PRO, CGSS, lot="42", invoice="12345", motif="erreur de cotation",
                               transmitted_on=date(2026, 3, 3), case_ref="C40", today=date(2026, 3, 3))
    assert isinstance(result, Letter)
    assert_common(result, ref="C40")
    assert result.kind == "annulation" and result.to == ("annulation-ps@cgss.re",)
    assert result.subject == "URGENT / ANNULATION DE FACTURE – lot 042, facture 000012345"
    for expected in ("N° d'identification (n° AM) : 974123456", "N° de lot : 042",
                     "N° de facture : 000012345", "Date de télétransmission : 03/03/2026",
                     "Motif de l'annulation : erreur de cotation", "le jour même"):
        assert expected in result.body, expected
    later = annulation_letter(PRO, CGSS, lot="042", invoice="000012345", motif="doublon",
                              transmitted_on=date(2026, 3, 2), case_ref="C40", today=date(2026, 3, 3))
    assert isinstance(later, Letter) and "le jour même" not in later.body
    assert "NIR" not in result.body


def test_an_annulation_for_amelipro_needs_no_address():
    """GIVEN a caisse whose annulations go through amelipro, with no « annulation » address WHEN an
    annulation is asked THEN the same text is written, for amelipro, with no recipient."""
    amelipro = Caisse(code="974", name="CGSS de La Réunion", addresses={"flux": "01974@974.01.rss.fr"},
                      channels={"annulation": "amelipro"})
    result = annulation_letter(PRO, amelipro, lot="042", invoice="000012345", motif="erreur de cotation",
                               transmitted_on=date(2026, 3, 3), case_ref="C40", today=date(2026, 3, 3))
    assert isinstance(result, Letter) and (result.channel, result.to) == ("amelipro", ())
    assert result.subject.startswith("URGENT / ANNULATION DE FACTURE") and "N° de lot : 042" in result.body


def test_annulation_never_falls_back_on_the_flux_address():
    """GIVEN a caisse with only its télétransmission (flux) address WHEN an annulation is asked
    THEN MissingInfo for the « annulation » address, plus whatever the command lacked."""
    flux_only = Caisse(code="974", name="CGSS de La Réunion", addresses={"flux": "01974@974.01.rss.fr"})
    result = annulation_letter(PRO, flux_only, lot="042", invoice="000012345", motif="erreur de cotation",
                               transmitted_on=date(2026, 3, 3), case_ref="C40")
    assert isinstance(result, MissingInfo)
    assert (result.kind, result.case_key, result.step) == ("annulation", "C40", "annulation")
    assert result.missing == ("adresse « annulation » de la caisse 974 (config [[caisses]] adresses)",)
    bad = annulation_letter(PRO, CGSS, lot="4200", invoice="", motif=" ", transmitted_on=None, case_ref="C40")
    assert isinstance(bad, MissingInfo)
    assert set(bad.missing) == {"n° de lot (3 chiffres)", "n° de facture (9 chiffres)",
                                "date de télétransmission du lot", "motif de l'annulation"}
    assert isinstance(annulation_letter(PRO, None, lot="042", invoice="000012345", motif="x",
                                        transmitted_on=date(2026, 3, 3), case_ref="C40"), MissingInfo)


def test_every_letter_kind_has_its_requirements():
    """GIVEN the letter kinds WHEN looking up what each needs THEN every kind has a requirement list."""
    assert set(LetterKind) <= set(REQUIRED)
