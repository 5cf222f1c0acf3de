"""The fixture corpus: every message read by the real reader, compared field by field with the
expected result written by the fixture generator (tests/fixtures/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paths import CORPUS

from cpambot.config.model import Caisse
from cpambot.mailbox.headers import header_block, summarize
from cpambot.mailbox.senders import SenderPolicy, assess
from cpambot.understanding.reader import read_message

FIXTURES = sorted(CORPUS.glob("*.eml"))
POLICY = SenderPolicy.build(approvers=["marie.exemple@example.org"])
CAISSES = (Caisse(code="974", name="CGSS de La Réunion", kind="cgss", domains=("cgss.re",)),
           Caisse(code="511", name="CPAM de la Marne", kind="cpam"))


def read(path: Path):
    raw = path.read_bytes()
    relevance = assess(summarize(header_block(raw), len(raw)), POLICY)
    return relevance, read_message(raw, relevance.category, CAISSES)


def test_corpus_is_big_enough():
    """GIVEN the corpus WHEN counted THEN it holds at least 40 messages, each with its expectation."""
    assert len(FIXTURES) >= 40
    assert all(p.with_suffix(".expected.json").exists() for p in FIXTURES)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(path: Path):
    """GIVEN a fixture message WHEN read THEN kind, trust, caisse, review flag, problems and every
    listed field of every fact equal the expected result."""
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    relevance, reading = read(path)
    got = reading.to_json()
    trust = "suspect" if relevance.category == "suspect" else got["trust"]
    assert got["kind"] == expected["kind"], (got["kind"], got["needs_review"], got["problems"])
    if "trust" in expected:
        assert trust == expected["trust"]
    for key in ("caisse", "is_test"):
        if key in expected:
            assert got[key] == expected[key], key
    if "needs_review" in expected:
        assert (got["needs_review"] is not None) == expected["needs_review"], got["needs_review"]
    if "problems_contains_any" in expected:
        text = " ".join(got["problems"]).lower()
        assert any(word.lower() in text for word in expected["problems_contains_any"]), got["problems"]
    if "facts" in expected:
        facts = got["facts"]
        assert len(facts) == len(expected["facts"]), [f["kind"] for f in facts]
        for i, (want, have) in enumerate(zip(expected["facts"], facts, strict=True)):
            for key, value in want.items():
                assert have.get(key) == value, f"fait n°{i + 1}, champ {key} : {have.get(key)!r} ≠ {value!r}"
