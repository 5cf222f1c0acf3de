"""Whatever arrives, reading a message never raises: bad input becomes a French reason."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CORPUS as CORPUS_DIR

from cpambot.errors import UnreadableMessage
from cpambot.understanding.reader import _read, read_message

CORPUS = sorted(CORPUS_DIR.glob("*.eml"))
SAMPLES = [p.read_bytes() for p in CORPUS]


@st.composite
def mutated_messages(draw):
    raw = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(("flip", "cut", "insert", "delete")))
        pos = draw(st.integers(0, max(0, len(raw) - 1)))
        if op == "flip" and raw:
            raw[pos] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del raw[pos:]
        elif op == "insert":
            raw[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del raw[pos:pos + draw(st.integers(1, 200))]
    return bytes(raw)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(mutated_messages(), st.binary(max_size=2000)),
       category=st.sampled_from(("caisse", "amc", "approver", "suspect")))
def test_read_message_never_raises(raw, category):
    """GIVEN random bytes or a fixture with flipped, cut, inserted or deleted bytes
    WHEN read, without the last-resort guard of read_message THEN a Reading comes back (or
    UnreadableMessage for header-less garbage): decoders and classifiers handle bad input
    themselves, and the guarded read_message agrees."""
    trust = {"approver": "approver"}.get(category, category)
    try:
        reading = _read(raw, trust, ())
    except UnreadableMessage:
        return
    assert reading.kind == read_message(raw, category).kind
    if reading.needs_review:
        assert isinstance(reading.needs_review, str)
