"""Draft book (codes, one draft per step, decisions, expiry) and digest content."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cpambot.approval.digest import build_digest, is_urgent
from cpambot.approval.draftbook import DraftBook
from cpambot.cases.casebook import CaseBook
from cpambot.letters.model import Letter, LetterPlan, MissingInfo
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, Reading

NOW = datetime(2026, 3, 20, 9, 0)
TODAY = NOW.date()


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "data") as s:
        yield s


def letter(kind="relance1"):
    return Letter(kind, ("reclamations@cgss.re",), "Relance – lot 042", "Madame, Monsieur,\n…")


def propose(book, step="relance1", case_key="unpaid_lot|974|042|2026-03-02", result=None,
            expires=NOW + timedelta(days=7)):
    plan = LetterPlan("relance1", case_key, step, TODAY + timedelta(days=5), "1re relance")
    return book.propose(plan, result or letter(), case_id="C3", token_hash="h", token_expires=expires,
                        now=NOW)


def test_one_draft_per_step_with_short_codes(store):
    """GIVEN a relance proposed for a case WHEN proposed again THEN nothing new; another step gets
    the next code."""
    book = DraftBook(store)
    first = propose(book)
    assert first["code"] == "A1" and first["state"] == "pending"
    assert propose(book) is None
    assert propose(book, step="relance2")["code"] == "A2"
    assert book.by_code("a1")["key"] == first["key"]
    assert book.steps_done("unpaid_lot|974|042|2026-03-02") == {"relance1", "relance2"}


def test_missing_information_then_completed(store):
    """GIVEN a letter that misses an address WHEN proposed THEN it waits as 'missing' under a code;
    WHEN the information arrives THEN the same code becomes a pending draft."""
    book = DraftBook(store)
    missing = MissingInfo("relance1", "unpaid_lot|974|042|2026-03-02", "relance1",
                          ("adresse « reclamation » de la caisse 974",))
    draft = propose(book, result=missing)
    assert draft["state"] == "missing" and draft["code"] == "A1"
    assert propose(book, result=missing) is None  # same missing information: nothing new
    completed = propose(book)
    assert completed["code"] == "A1" and completed["state"] == "pending"
    assert book.decide("A1", "approve", now=NOW, message_id="<m@x>").ok


def test_decisions_are_single_use(store):
    """GIVEN a pending draft WHEN approved THEN its Message-ID is fixed; WHEN approved or rejected
    again THEN refused, in French."""
    book = DraftBook(store)
    propose(book)
    change = book.decide("A1", "approve", now=NOW, message_id="<fixed@cpambot.x>")
    assert change.ok and "approuvé" in change.message
    assert book.by_code("A1")["message_id"] == "<fixed@cpambot.x>"
    again = book.decide("A1", "reject", now=NOW)
    assert not again.ok and "déjà traité" in again.message
    assert not book.decide("Z9", "approve", now=NOW).ok


def test_postpone_and_expiry(store):
    """GIVEN a draft WHEN postponed 3 days THEN it leaves the digest until then; GIVEN an expired
    token WHEN approved THEN refused."""
    book = DraftBook(store)
    propose(book)
    assert book.decide("A1", "postpone", now=NOW, days=3).ok
    assert book.awaiting(TODAY) == []
    assert [d["code"] for d in book.awaiting(TODAY + timedelta(days=3))] == ["A1"]
    propose(book, step="relance2", expires=NOW - timedelta(minutes=1))
    late = book.decide("A2", "approve", now=NOW, message_id="<x>")
    assert not late.ok and "expirée" in late.message


def test_edit_replaces_text_but_does_not_send(store):
    """GIVEN a draft WHEN the approver sends a new text THEN the body is replaced and it still waits."""
    book = DraftBook(store)
    propose(book)
    assert book.decide("A1", "edit", now=NOW, text="Mon texte").ok
    draft = book.by_code("A1")
    assert draft["body"] == "Mon texte" and draft["state"] == "pending"


def test_digest_content(store):
    """GIVEN an indu whose CRA deadline is 2 days away, a rejected invoice, an item to sort and a
    pending draft WHEN the digest is built THEN each appears in its section, the money is summed,
    and it is urgent."""
    cases = CaseBook(store)
    notified = date(2026, 1, 22)
    cases.apply_reading(Reading("notification_indu", "caisse", "974", facts=(
        Fact("indu_notified", caisse="974", reference="IND-1", amount=Decimal("3412.60"), date=notified),)),
        source="a", received=notified, today=notified)
    cases.apply_reading(Reading("noemie", "caisse", "974", facts=(
        Fact("invoice_rejected", caisse="974", lot="042", invoice="000012347", amount=Decimal("5.67"),
             reject_code="2900", date=TODAY),)), source="b", received=TODAY, today=TODAY)
    cases.apply_reading(Reading("unknown", "caisse", "974", facts=(Fact("to_sort", label="?"),),
                                needs_review="à trier"), source="c", received=TODAY, today=TODAY)
    book = DraftBook(store)
    propose(book)
    today = date(2026, 3, 20)
    digest = build_digest(list(cases.all()), book.awaiting(today), today=today,
                          since=datetime(2026, 3, 1))
    assert digest.codes == ["A1"]
    assert [c.type for c in digest.new_cases] == ["invoice", "to_sort"]
    cra = next(item for item in digest.deadlines if item.name == "cra_referral")
    assert cra.due == date(2026, 3, 22) and cra.days_left == 2 and "J-2" in cra.marks
    assert is_urgent(digest) and any("C1" in r for r in digest.urgent_reasons)
    assert sum(row.amount for row in digest.money_by_state) == Decimal("3418.27")
    assert max(row.bar for row in digest.money_by_state) == 100


def test_same_day_duplicate_proposes_an_annulation(tmp_path):
    """GIVEN an invoice transmitted today that a return already shows as a duplicate (2900)
    WHEN the bot drafts THEN the "URGENT / ANNULATION DE FACTURE" draft is proposed at once, for today,
    to the caisse's annulation address; a lot transmitted another day gets none."""
    from cpambot.config.model import Caisse, Config, Professional
    from cpambot.sending.outbox import Outbox
    from cpambot.service.followup import FollowUp

    today = date(2026, 3, 20)
    config = Config(path=None, professional=Professional("Marie Exemple", "infirmier", "974123456",
                                                         "marie@example.org"),
                    accounts=(), approvers=("marie@example.org",), data_dir=tmp_path / "d",
                    caisses=(Caisse("974", "CGSS", "cgss", addresses={"annulation": "flux@cgss.re"}),))
    with Store.open(config.data_dir) as store:
        book = CaseBook(store)
        for invoice, lot_date in (("000012347", today), ("000012348", date(2026, 3, 2))):
            book.apply_reading(Reading("noemie", "caisse", "974", facts=(Fact(
                "invoice_rejected", caisse="974", lot="042", invoice=invoice, reject_code="2900",
                label="FACTURE DEJA PAYEE", date=today, details={"lot_date": lot_date.isoformat()}),)),
                source=invoice, received=today, today=today)
        followup = FollowUp(config, store, outbox=Outbox(store, None),
                            clock=lambda: datetime(2026, 3, 20, 10, 0).astimezone())
        drafts = followup.draft_letters(today)
        annulations = [d for d in drafts if d["kind"] == "annulation"]
        assert len(annulations) == 1 and annulations[0]["to"] == ["flux@cgss.re"]
        assert annulations[0]["subject"].startswith("URGENT / ANNULATION DE FACTURE")
        assert "000012347" in annulations[0]["body"] and annulations[0]["due"] == today.isoformat()
        assert annulations[0].get("notice_id")  # announced at once
        assert followup.draft_letters(today) == []  # never twice
