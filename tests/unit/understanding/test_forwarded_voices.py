"""Metamorphic forwards (tests/fixtures/forwarded.py): each direct caisse or platform message of the
voices batches, forwarded by the professional through Gmail, Outlook, Apple Mail, Thunderbird or as
an attached message, or re-encoded in another charset and transfer encoding, reads as the original
did."""

from __future__ import annotations

import re
import sys

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from forwarded import CLIENTS, candidates, check  # noqa: E402

# A list's bulk headers (List-Unsubscribe) do not survive an inline forward: the platform's
# newsletter then goes to the professional to read (safe), not filed as a newsletter.
EXPECTED_MISSES = {("d-machines/26-santeclair-newsletter", c)
                   for c in ("gmail", "outlook", "apple", "thunderbird")}
# the originals the reader still misses (voices/KNOWN_MISSES.md): their forwards prove nothing
KNOWN = set(re.findall(r"^- ([\w-]+/[\w-]+):", (ROOT / "tests" / "fixtures" / "voices" / "KNOWN_MISSES.md")
                       .read_text(encoding="utf-8"), re.MULTILINE))
CASES = [(path, client) for path in candidates() if f"{path.parent.name}/{path.stem}" not in KNOWN
         for client in CLIENTS]


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
    if (name, client) in EXPECTED_MISSES:
        assert diffs and any("needs_review" in d for d in diffs)  # unsure, never confidently wrong
        return
    assert diffs == []
