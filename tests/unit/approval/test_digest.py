"""Digest content, built by a pure function from case and draft values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cpambot.approval.digest import build_digest, is_urgent
from cpambot.approval.drafts import new_draft
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.letters.model import Letter, LetterPlan
from cpambot.understanding.facts import Fact

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def case(case_id: str, fact: Fact, day: date, source: str):
    key = case_key(fact, source)
    assert key is not None
    return apply_fact(new_case(case_id, key, fact, day), fact, source=source, received=day, today=day)


def test_digest_content():
    """GIVEN an indu whose CRA deadline is 2 days away, a rejected invoice, an item to sort and a
    pending draft WHEN the digest is built THEN each appears in its section, the money is summed,
    and it is urgent."""
    notified = date(2026, 1, 22)
    cases = [
        case("C1", Fact("indu_notified", caisse="974", reference="IND-1", amount=Decimal("3412.60"),
                        date=notified), notified, "a"),
        case("C2", Fact("invoice_rejected", caisse="974", lot="042", invoice="000012347",
                        amount=Decimal("5.67"), reject_code="2900", date=TODAY), TODAY, "b"),
        case("C3", Fact("to_sort", label="?"), TODAY, "c"),
    ]
    plan = LetterPlan("relance1", "unpaid_lot|974|042|2026-03-02", "relance1", TODAY + timedelta(days=5),
                      "1re relance")
    relance = Letter("relance1", ("reclamations@cgss.re",), "Relance – lot 042", "Madame…")
    draft = new_draft(plan, relance, None, code="A1", case_id="C4", token_hash="h",
                      token_expires=NOW + timedelta(days=7), now=NOW)
    assert draft is not None
    digest = build_digest(cases, [draft], today=TODAY, since=datetime(2026, 3, 1))
    assert digest.codes == ["A1"]
    assert digest.drafts[0].case_label == "C4"  # the case is not among those given: its id stands
    assert [c.type for c in digest.new_cases] == ["invoice", "to_sort"]
    cra = next(item for item in digest.deadlines if item.name == "cra_referral")
    assert cra.due == date(2026, 3, 22) and cra.days_left == 2 and "J-2" in cra.marks
    assert is_urgent(digest) and any("C1" in r for r in digest.urgent_reasons)
    assert sum(row.amount for row in digest.money_by_state) == Decimal("3418.27")
    assert max(row.bar for row in digest.money_by_state) == 100


def test_a_letter_that_did_not_arrive_is_urgent_and_shown_apart():
    """GIVEN a quiet day and one letter a delivery report says did not arrive WHEN the digest is built and
    written THEN it is urgent (a new reason, so it leaves at once), and both texts show it in its own
    section with the reason and how to send it again."""
    from cpambot.approval.digest import SendingProblem
    from cpambot.approval.mails import digest_texts
    problem = SendingProblem("A3", "Réclamation – facture 000012201",
                             "non distribué à x@cpam.fr : cette adresse n'existe pas chez le destinataire "
                             "(code 5.1.1)")
    digest = build_digest([], [], today=TODAY, since=NOW, bounced=[problem])
    assert not digest.empty
    assert digest.urgent_reasons == ["courrier A3 non distribué : " + problem.problem]
    subject, text, html = digest_texts(digest)
    assert "URGENT" in subject
    for body in (text, html):
        assert "non distribués" in body.lower() and "RENVOYER" in body
        assert "A3 Réclamation – facture 000012201 : non distribué à x@cpam.fr" in body
        assert "(code 5.1.1)" in body


def test_the_first_digest_says_what_was_found_and_keeps_past_deadlines_apart():
    """GIVEN an indu notified in January, read for the first time on 20 May (its deadlines past) WHEN the
    first digest is built THEN one sentence says what was found, its deadlines are "dépassée" apart from
    the others, and none is urgent."""
    notified = date(2026, 1, 22)
    indu = case("C1", Fact("indu_notified", caisse="974", reference="IND-1", amount=Decimal("2598.00"),
                           date=notified), notified, "a")
    digest = build_digest([indu], [], today=date(2026, 5, 20), since=None, first=True)
    assert digest.first == ("Voici ce que j'ai trouvé dans votre boîte : 1 dossier en cours, 2\u202f598,00 € "
                            "en jeu, dont 1 avec un délai déjà dépassé (voir « délais dépassés » : pas "
                            "d'alerte pour eux, ni de courrier pour une étape passée depuis longtemps).")
    assert digest.past_deadlines and not digest.later_deadlines and not is_urgent(digest)
    assert build_digest([indu], [], today=date(2026, 5, 20), since=None).first is None


def test_a_confirmation_says_whether_what_she_asked_was_done():
    """GIVEN a reply whose one approval changed nothing (already used), one half done, one done WHEN
    confirmed THEN the subject says "rien n'a été fait", "dont 1 sans effet", or only what was understood."""
    from cpambot.approval.mails import confirmation_text
    day = date(2026, 3, 2)
    nothing, _ = confirmation_text(["A1 : jeton déjà utilisé"], received=day, to_send=[], unrecognized=(),
                                   refused=1)
    assert nothing == "cpambot – bien reçu : rien n'a été fait (1 commande comprise)"
    half, _ = confirmation_text(["A1 : approuvé", "A2 : jeton déjà utilisé"], received=day, to_send=[],
                                unrecognized=(), refused=1)
    assert half.endswith("2 commandes comprises, dont 1 sans effet")
    done, body = confirmation_text(["A1 : approuvé"], received=day, to_send=[], unrecognized=())
    assert done.endswith("1 commande comprise") and "Rien ne sera envoyé" in body
