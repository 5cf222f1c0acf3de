"""Where the tests find the repository's files (the tests live in subfolders of tests/)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
CORPUS = FIXTURES / "corpus"
