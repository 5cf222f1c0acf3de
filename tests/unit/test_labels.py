"""One home for French labels: every state, kind and category of every stage has exactly one."""

from __future__ import annotations

from datetime import date
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


def test_every_count_from_0_to_3_agrees():
    """GIVEN every counted phrase (messages by kind and by sender, the summary of a poll, the confirmation
    of a reply, the digest's subject) WHEN rendered with 0, 1, 2 and 3 THEN 0 and 1 take the singular,
    2 and 3 the plural, and no "(s)" is left for the reader to sort out."""
    import re

    from cpambot.approval.digest import build_digest
    from cpambot.approval.mails import confirmation_text, digest_texts
    from cpambot.mailbox.ingest import FolderReport, SyncReport
    from cpambot.service.poll import PollReport
    from cpambot.service.processing import ProcessReport
    from cpambot.service.report import sync_summary

    for table in (labels.CATEGORY_COUNTED, labels.MESSAGE_KIND_COUNTED):
        for key, (one, many) in table.items():
            assert [labels.counted(n, table, key) for n in range(4)] == [
                f"0 {one}", f"1 {one}", f"2 {many}", f"3 {many}"]
    for n in range(4):
        folder = FolderReport("cabinet", "INBOX", new=n, relevant=n, ignored=n, duplicates=n,
                              categories={"caisse": n, "amc": n} if n else {})
        processing = ProcessReport(processed=n, done=n, failed=n, to_review=n,
                                   kinds={"amc": n, "demande_pieces": n, "approval": n} if n else {},
                                   cases_touched={f"C{i}" for i in range(n)})
        text = sync_summary(PollReport(sync=SyncReport(folders=[folder]), processing=processing))
        subject, body = confirmation_text([f"A{i} : approuvé" for i in range(n)], received=date(2026, 3, 2),
                                          to_send=[], unrecognized=())
        texts = [text, subject, body]
        assert not any("(s)" in t for t in texts)
        if n >= 2:
            assert f"{n} nouveaux messages" in text and f"{n} messages d'une complémentaire" not in text
            assert f"{n} demandes de pièces" in text and f"{n} réponses de l'approbateur" in text
            assert f"{3 * n} messages lus" in text  # (the kinds add up)
            assert f"{n} commandes comprises" in subject
        elif n == 1:
            assert "1 nouveau message" in text and "1 demande de pièces" in text
            assert "1 commande comprise" in subject
        assert "approval" not in text
        assert not re.search(r"\b[2-9] (?:message|dossier|commande|demande)\b", " ".join(texts))
    assert "brouillon" not in digest_texts(build_digest([], [], today=date(2026, 3, 2), since=None))[0]


def test_the_signature_agrees_with_her_civilite():
    """GIVEN a nurse, a physiotherapist and an unknown civilité WHEN the profession is signed THEN
    "Infirmière libérale", "Masseur-kinésithérapeute libéral", and the neutral form without one."""
    assert labels.profession_signed("infirmier", "Madame") == "Infirmière libérale"
    assert labels.profession_signed("kinesitherapeute", "Monsieur") == "Masseur-kinésithérapeute libéral"
    assert labels.profession_signed("infirmier", None) == "Infirmier(ère) libéral(e)"
    assert all(set(table) == set(labels.PROFESSION) for table in labels.PROFESSION_SIGNED.values())
