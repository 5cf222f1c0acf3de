"""The draft book over a real store, and drafting from the cases it holds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cpambot.approval.decide import apply_decision
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.model import DraftState
from cpambot.cases.casebook import CaseBook
from cpambot.clock import FixedClock
from cpambot.config.model import Caisse, Config, Professional
from cpambot.letters.model import Letter, LetterPlan, MissingInfo
from cpambot.randomness import SeededRandom
from cpambot.sending.outbox import Outbox
from cpambot.service.approver import SENT_IDS
from cpambot.service.bootstrap import build_shell
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, Reading

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
CASE_KEY = "unpaid_lot|974|042|2026-03-02"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "data") as s:
        yield s


def propose(book, step="relance1", result=None):
    plan = LetterPlan("relance1", CASE_KEY, step, TODAY + timedelta(days=5), "1re relance")
    result = result or Letter("relance1", ("reclamations@cgss.re",), "Relance – lot 042", "Madame…")
    return book.propose(plan, result, case_id="C3", token_hash="h", token_expires=NOW + timedelta(days=7),
                        now=NOW)


def test_one_draft_per_step_with_short_codes(store):
    """GIVEN a relance proposed for a case WHEN proposed again THEN nothing new; another step gets
    the next code; the codes and steps are found again in the store."""
    book = DraftBook(store)
    first = propose(book)
    assert first.code == "A1" and first.state is DraftState.PENDING
    assert propose(book) is None
    assert propose(book, step="relance2").code == "A2"
    assert book.by_code("a1").key == first.key
    assert book.steps_done(CASE_KEY) == {"relance1", "relance2"}


def test_missing_information_keeps_its_code_when_completed(store):
    """GIVEN a letter that misses an address WHEN proposed THEN it waits as 'missing' under a code,
    and is not a step done; WHEN the information arrives THEN the same code becomes a pending draft."""
    book = DraftBook(store)
    missing = MissingInfo("relance1", CASE_KEY, "relance1", ("adresse « reclamation » de la caisse 974",))
    draft = propose(book, result=missing)
    assert draft.state is DraftState.MISSING and draft.code == "A1"
    assert book.steps_done(CASE_KEY) == set()
    assert propose(book, result=missing) is None  # same missing information: nothing new
    completed = propose(book)
    assert completed.code == "A1" and completed.state is DraftState.PENDING
    assert book.by_code("A1") == completed


def test_awaiting_wakes_postponed_drafts_and_keeps_them_awake(store, tmp_path):
    """GIVEN a draft postponed 3 days WHEN the digest's list is read THEN it is absent until its day,
    then present, and the wake-up is stored."""
    book = DraftBook(store)
    postponed = apply_decision(propose(book), "postpone", NOW, today=TODAY, days=3).draft
    book.save(postponed)
    assert book.awaiting(TODAY) == []
    assert [d.code for d in book.awaiting(TODAY + timedelta(days=3))] == ["A1"]
    assert book.by_code("A1").state is DraftState.PENDING


def test_same_day_duplicate_proposes_an_annulation(tmp_path):
    """GIVEN an invoice transmitted today that a return already shows as a duplicate (2900)
    WHEN the bot drafts THEN the "URGENT / ANNULATION DE FACTURE" draft is proposed at once, for today,
    to the caisse's annulation address; a lot transmitted another day gets none."""
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
        clock = FixedClock(datetime(2026, 3, 20, 10, 0, tzinfo=UTC))
        shell = build_shell(config, store, clock=clock, random=SeededRandom(1),
                            outbox=Outbox(store, None, None, clock))
        drafts = shell.drafter.draft_letters(today)
        annulations = [d for d in drafts if d.kind == "annulation"]
        assert len(annulations) == 1 and annulations[0].to == ("flux@cgss.re",)
        assert annulations[0].subject.startswith("URGENT / ANNULATION DE FACTURE")
        assert "000012347" in annulations[0].body and annulations[0].due == today
        assert annulations[0].notice_id  # announced at once
        assert shell.drafter.draft_letters(today) == []  # never twice


def test_an_urgent_draft_is_announced_once(tmp_path):
    """GIVEN an invoice transmitted today and rejected as a duplicate WHEN the poll proposes the letters
    due THEN the annulation draft comes to the approver on its own exactly once (it was announced
    twice: once when made, once with the other new drafts)."""
    today = date(2026, 3, 20)
    config = Config(path=None, professional=Professional("Marie Exemple", "infirmier", "974123456",
                                                         "marie@example.org"),
                    accounts=(), approvers=("marie@example.org",), data_dir=tmp_path / "d",
                    caisses=(Caisse("974", "CGSS", "cgss", addresses={"annulation": "flux@cgss.re"}),))
    with Store.open(config.data_dir) as store:
        CaseBook(store).apply_reading(Reading("noemie", "caisse", "974", facts=(Fact(
            "invoice_rejected", caisse="974", lot="042", invoice="000012347", reject_code="2900",
            label="FACTURE DEJA PAYEE", date=today, details={"lot_date": today.isoformat()}),)),
            source="m", received=today, today=today)
        clock = FixedClock(datetime(2026, 3, 20, 10, 0, tzinfo=UTC))
        shell = build_shell(config, store, clock=clock, random=SeededRandom(1),
                            outbox=Outbox(store, None, None, clock))
        drafted = shell.drafter.propose_due(today)
        (annulation,) = [d for d in drafted if d.kind == "annulation"]
        notices = [doc["codes"] for doc in store.values(SENT_IDS) if doc["kind"] == "notice"]
        assert notices.count([annulation.code]) == 1
        pending = sorted(d.code for d in drafted if d.state is DraftState.PENDING)
        assert sorted(code for (code,) in notices) == pending  # every new letter to approve, once
