"""Whatever arrives, reading a message never raises: bad input becomes a French reason."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import CORPUS as CORPUS_DIR

from cpambot.errors import UnreadableMessage
from cpambot.understanding.reader import _read, read_message

CORPUS = sorted(CORPUS_DIR.glob("*.eml"))
VOICES = sorted((CORPUS_DIR.parent / "voices").glob("*/*.eml"))  # other layouts: rows, forwards, trust
SAMPLES = [p.read_bytes() for p in (*CORPUS, *VOICES)]


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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


def _indu(date_header: str, letter_day: str) -> bytes:
    return (f"From: CPAM <relation-ps@assurance-maladie.fr>\nTo: marie@example.org\n"
            f"Subject: Notification de payer\nDate: {date_header}\nMessage-ID: <abs@x>\n\n"
            f"Madame, vous êtes redevable de la somme de 120,00 euros au titre d'un indu. Notification "
            f"de payer du {letter_day}. Référence IND-1. Facture 123456789 du {letter_day}.\n").encode()


def test_absurd_dates_give_a_problem_not_a_traceback():
    """GIVEN a caisse message dated year 9999 in its header and in its text WHEN read THEN the reading
    names the date problem, no fact carries a date outside 1990–2100, and nothing raises."""
    reading = read_message(_indu("Fri, 31 Dec 9999 10:00:00 +0200", "15/12/9999"), "caisse")
    assert any("date" in p for p in reading.problems)
    assert all(f.date is None or 1990 <= f.date.year <= 2100 for f in reading.facts)


def test_plausible_drops_an_absurd_fact_date_and_asks_a_human():
    """GIVEN a reading whose fact is dated year 1 WHEN made plausible THEN the date is dropped, the
    problem named and the message goes to a human."""
    from datetime import date

    from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
    from cpambot.understanding.reader import plausible

    reading = Reading(MessageKind.NOTIFICATION_INDU, "caisse",
                      facts=(Fact(FactKind.INDU_NOTIFIED, date=date(1, 1, 1)),))
    fixed = plausible(reading)
    assert fixed.facts[0].date is None
    assert fixed.needs_review and "0001-01-01" in fixed.problems[0]


def test_a_suspect_message_is_phishing_dated_from_its_headers_only():
    """GIVEN a message judged suspect by its headers WHEN read THEN phishing, no fact, and the day it was
    sent (its body is never read)."""
    raw = (b"From: Assurance Maladie <ne-pas-repondre@assurance-maladie.fr>\r\n"
           b"Date: Wed, 21 Oct 2026 09:12:00 +0200\r\nSubject: Regularisation\r\n\r\nCliquez ici.\r\n")
    reading = read_message(raw, "suspect")
    assert (reading.kind, reading.facts, reading.fields.get("sent_on")) == ("phishing", (), "2026-10-21")
