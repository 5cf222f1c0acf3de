"""The regex pre-filter: the words every match needs, and a guarded search that finds exactly what the
pattern alone finds."""

import re
from pathlib import Path

import pytest

from cpambot.understanding.classify import (
    amc,
    constat,
    cra,
    indu,
    informational,
    pieces,
    reclamation,
    retour_lots,
)
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.prefilter import Guarded, required_words
from cpambot.understanding.message import parse_message
from cpambot.understanding.rows import actions

ROOT = Path(__file__).resolve().parents[5]


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\barl negatif", {"arl negatif"}),
    (r"lots? non parvenus?", {" non parvenu"}),
    (r"(?:x|y)?abcd", {"abcd"}),
    (r"a(?:bcd)+e", {"bcd"}),
    (r"(?:corrig|rectifi)(?:er|ez)", {"corrig", "rectifi"}),
    (r"(?<!prescription )(?:corrig|rectifi)", {"corrig", "rectifi"}),
    (r"(?i)R[ée]F\.? :", {"ref", "réf"}),
    (r"(?i)montant\s+total", {"montant"}),
    (r"abc|d", set()),  # one alternative has no word of three letters: nothing can be required
    (r"[A-Z]{2,6} \d", set()),
    (r"(?:abc)?", set()),  # optional: nothing is required
    (r"[^abc]xyz", {"xyz"}),
])
def test_required_words(pattern, expected):
    """GIVEN a regex WHEN its required words are computed THEN every match contains one of them, the
    longest run is chosen, case is folded when the pattern ignores it, and nothing is claimed for an
    alternative or an optional part without a word."""
    assert required_words(re.compile(pattern)) == expected


def _patterns() -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] = []
    for module in (amc, constat, cra, indu, informational, pieces, reclamation, retour_lots, actions):
        for value in vars(module).values():
            if isinstance(value, Guarded):
                found.append(value.pattern)
            elif isinstance(value, tuple) and value and isinstance(value[0], tuple) \
                    and value[0] and isinstance(value[0][0], Guarded):
                found += [g.pattern for g, _ in value]
    return found


def _texts() -> list[str]:
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "fixtures" / "voices").glob("[a-k]-*/*.eml"))[::3]:
        msg = parse_message(path.read_bytes())
        texts += [msg.text, normalize(msg.text, True), normalize(msg.subject)]
    return texts


def test_guarded_search_finds_what_the_pattern_finds():
    """GIVEN every keyword and action pattern of the reader and the texts of a third of the voices
    fixtures (raw and folded) WHEN each pattern is searched guarded and unguarded THEN both give the
    same match everywhere (the filter only skips texts where the pattern cannot match)."""
    patterns = _patterns()
    texts = _texts()
    assert len(patterns) > 80 and len(texts) > 150
    skipped = 0
    for pattern in patterns:
        guarded = Guarded(pattern)
        for text in texts:
            plain = pattern.search(text)
            fast = guarded.search(text)
            assert (fast and fast.span()) == (plain and plain.span()), (pattern.pattern, text[:80])
            skipped += not guarded._maybe(text)
    assert skipped > len(patterns) * len(texts) // 2  # and it does skip most searches


def test_guarded_case_insensitive_pattern_is_filtered_on_the_folded_case():
    """GIVEN a case-insensitive label WHEN searched in a text that writes it in capitals THEN it is
    found; in a text without it THEN the search is skipped."""
    label = Guarded(re.compile(r"montant\s+d[uû]", re.IGNORECASE))
    assert label.search("MONTANT DÛ : 12,00 €")
    assert list(label.finditer("Montant dû")) and not label._maybe("Total : 12,00 €")
