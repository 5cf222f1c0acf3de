"""The voices batches (tests/fixtures/voices/README.md): messages written by other hands before the
reader saw them, read by the real header assessment and reader, compared with their expectation.
The misses still known are listed, with their reason, in voices/KNOWN_MISSES.md (strict)."""

from __future__ import annotations

import re
import sys

import pytest
from paths import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from score import VOICES, batch_paths, score_one  # noqa: E402

FIXTURES = [p for batch in sorted(d for d in VOICES.iterdir() if d.is_dir()) for p in batch_paths(batch)]
KNOWN = {m.group(1): m.group(2) for m in re.finditer(r"^- ([\w-]+/[\w-]+): (.+)$",
                                                     (VOICES / "KNOWN_MISSES.md").read_text(encoding="utf-8"),
                                                     re.MULTILINE)}


def _id(path):
    return f"{path.parent.name}/{path.stem}"


def test_there_are_enough_voices_and_every_known_miss_exists():
    """GIVEN the voices batches WHEN counted THEN at least 130 messages, and each known miss names one."""
    names = {_id(p) for p in FIXTURES}
    assert len(FIXTURES) >= 130
    assert set(KNOWN) <= names


@pytest.mark.parametrize("path", [pytest.param(p, id=_id(p), marks=pytest.mark.xfail(strict=True,
                                                                                   reason=KNOWN[_id(p)]))
                                  if _id(p) in KNOWN else pytest.param(p, id=_id(p)) for p in FIXTURES])
def test_voice(path):
    """GIVEN a message written in another voice WHEN its headers are assessed and it is read THEN every
    key its expectation lists is right, and a wrong reading is never a confident one."""
    outcome = score_one(path)
    assert outcome.status == "right", outcome.diffs
