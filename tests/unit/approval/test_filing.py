"""The e-mail that brings her a letter to file on amelipro: steps, object, message, at most 3 files and
5 MB attached."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cpambot.approval.filing import MAX_BYTES, filing_letter, within_limits
from cpambot.approval.model import Draft, DraftState
from cpambot.letters.model import Attachment

NOW = datetime(2026, 4, 20, 8, tzinfo=UTC)
DRAFT = Draft(key="invoice|511|000012201|reclamation", code="A7", case_key="invoice|511|000012201",
              case_id="C2", kind="reclamation", step="reclamation", label="réclamation", due=date(2026, 5, 1),
              reason="rejet 2900", created=NOW, state=DraftState.APPROVED, token_hash="h", token_expires=NOW,
              subject="Réclamation – facture 000012201 du lot 038", body="Madame, Monsieur,\n\nTexte.\n",
              channel="amelipro")


def document(name: str, size: int) -> Attachment:
    return Attachment(name, "application/pdf", b"x" * size)


def test_the_text_to_paste_and_the_steps():
    """GIVEN an approved réclamation to file WHEN its e-mail is written THEN it goes to her, says where to
    go, gives the object and the message between two lines of dashes, and how to say it is filed."""
    letter = filing_letter(DRAFT, ["marie@example.org"])
    assert letter.to == ("marie@example.org",) and "A7 à déposer sur amelipro" in letter.subject
    body = letter.body
    assert "rubrique « Réclamations »" in body and "OBJET\nRéclamation – facture 000012201 du lot 038" in body
    assert f"MESSAGE\n{'-' * 40}\nMadame, Monsieur,\n\nTexte.\n{'-' * 40}" in body
    assert "répondez « FAIT A7 »" in body and "dossier C2" in body and not letter.attachments


def test_at_most_three_files_and_five_megabytes():
    """GIVEN five documents, one of 4 MB WHEN prepared THEN the first three that fit are attached (3 files,
    5 MB in all), the others are named for her to add."""
    docs = [document("a.pdf", 1000), document("big.pdf", 4 * 1024 * 1024), document("b.pdf", 1000),
            document("c.pdf", 1000), document("d.pdf", 1000)]
    kept, left = within_limits(docs)
    assert [d.filename for d in kept] == ["a.pdf", "big.pdf", "b.pdf"]
    assert sum(len(d.data) for d in kept) <= MAX_BYTES and [d.filename for d in left] == ["c.pdf", "d.pdf"]
    letter = filing_letter(DRAFT, ["marie@example.org"], docs)
    assert len(letter.attachments) == 3 and "n'ont pas pu être joints : c.pdf, d.pdf" in letter.body
    assert "big.pdf, 4,0 Mo" in letter.body and "a.pdf, 1 Ko" in letter.body
