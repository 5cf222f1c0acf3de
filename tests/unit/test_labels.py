"""One home for French labels: every state, kind and category of every stage has exactly one."""

from __future__ import annotations

from enum import StrEnum

import pytest

from cpambot import labels
from cpambot.approval.model import DraftState
from cpambot.cases.model import CaseState, CaseType
from cpambot.config.model import PROFESSIONS
from cpambot.letters.model import LetterKind
from cpambot.mailbox.ledger import LedgerState
from cpambot.mailbox.senders import Category
from cpambot.sending.model import SendState
from cpambot.understanding.facts import FactKind, MessageKind

TABLES: list[tuple[type[StrEnum], dict[str, str]]] = [
    (Category, labels.CATEGORY), (LedgerState, labels.LEDGER_STATE), (FactKind, labels.FACT_KIND),
    (MessageKind, labels.MESSAGE_KIND), (CaseType, labels.CASE_TYPE), (CaseState, labels.CASE_STATE),
    (LetterKind, labels.LETTER_KIND), (DraftState, labels.DRAFT_STATE), (SendState, labels.SEND_STATE),
]


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[e.__name__ for e, _ in TABLES])
def test_every_member_has_one_french_label(enum, table):
    """GIVEN an enum of a stage and its table in cpambot.labels WHEN compared THEN the keys are
    exactly the enum's values, and each label is a non-empty text."""
    assert set(table) == {member.value for member in enum}
    assert all(text.strip() for text in table.values())
    for member in enum:
        assert table[member] == table[member.value]  # looked up by member or stored string alike


def test_every_profession_has_its_title():
    """GIVEN the professions the configuration accepts WHEN their titles are looked up THEN each has one."""
    assert set(labels.PROFESSION) == set(PROFESSIONS)
