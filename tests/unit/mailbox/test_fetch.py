"""The bulk FETCH reader: imaplib's answers read by shape, imapclient's parser for anything else."""

from __future__ import annotations

import pytest
from imapclient.response_parser import parse_fetch_response

from cpambot.errors import InvalidValueError
from cpambot.mailbox.fetch import _fast, parse_fetch, sequence_set

SECTION = b"BODY[HEADER.FIELDS (FROM SUBJECT)]"


def answer(seq: int, uid: int, literal: bytes, *, before: bytes = b"UID %d RFC822.SIZE 50 ",
           after: bytes = b")") -> list:
    """One FETCH answer as imaplib collects it: (line up to the literal, literal), then the rest."""
    items = before % uid if b"%d" in before else before
    return [(b"%d (" % seq + items + SECTION + b" {%d}" % len(literal), literal), after]


def library(data: list) -> dict:
    return dict(parse_fetch_response(list(data), True, True))


def test_usual_answers_are_read_without_the_library():
    """GIVEN Dovecot-shaped answers (UID and size before the literal, «)» after) WHEN read THEN the fast
    path takes them, and gives exactly what imapclient's parser gives."""
    data = answer(1, 41, b"From: a@b\r\n\r\n") + answer(2, 42, b"Subject: (x) {3}\r\n\r\n")
    assert _fast(data) is not None
    assert parse_fetch(data) == library(data) == {
        41: {b"SEQ": 1, b"RFC822.SIZE": 50, SECTION: b"From: a@b\r\n\r\n"},
        42: {b"SEQ": 2, b"RFC822.SIZE": 50, SECTION: b"Subject: (x) {3}\r\n\r\n"}}


def test_items_after_the_literal_are_read_too():
    """GIVEN answers whose UID comes after the literal (as some servers order items) WHEN read THEN
    the fast path takes them and agrees with the library."""
    data = answer(7, 70, b"x\r\n\r\n", before=b"RFC822.SIZE 9 ", after=b" UID 70)")
    assert _fast(data) is not None
    assert parse_fetch(data) == library(data) == {70: {b"SEQ": 7, b"RFC822.SIZE": 9, SECTION: b"x\r\n\r\n"}}


def test_full_bodies_are_read():
    """GIVEN answers to FETCH BODY.PEEK[] WHEN read THEN each body is keyed « BODY[] » under its UID."""
    data = [(b"3 (UID 30 BODY[] {4}", b"abcd"), b")", (b"4 (UID 31 BODY[] {0}", b""), b")"]
    assert _fast(data) is not None
    assert parse_fetch(data) == library(data) == {30: {b"SEQ": 3, b"BODY[]": b"abcd"},
                                                  31: {b"SEQ": 4, b"BODY[]": b""}}


@pytest.mark.parametrize("data", [
    # the header as a quoted string, or NIL, instead of a literal
    [b'5 (UID 50 RFC822.SIZE 3 BODY[HEADER.FIELDS (FROM SUBJECT)] "a\\"b")'],
    [b"5 (UID 50 RFC822.SIZE 3 BODY[HEADER.FIELDS (FROM SUBJECT)] NIL)"],
    # an unsolicited FLAGS answer between two usual ones
    answer(1, 10, b"a\r\n\r\n") + [b"9 (FLAGS (\\Seen))"] + answer(2, 11, b"b\r\n\r\n"),
    # an item the fast path does not know (CONDSTORE)
    answer(1, 10, b"a\r\n\r\n", after=b" MODSEQ (12345))"),
    # two literals in one answer
    [(b"1 (UID 10 BODY[HEADER] {1}", b"h"), (b" BODY[TEXT] {1}", b"t"), b")"],
    # lower case
    [(b"1 (uid 10 rfc822.size 3 body[] {1}", b"h"), b")"],
    # a section named in lower case (imapclient upper-cases it: the key the caller looks up)
    [(b"1 (UID 10 BODY[header.fields (from subject)] {1}", b"h"), b")"],
], ids=["quoted", "nil", "unsolicited-flags", "modseq", "two-literals", "lower-case", "lower-section"])
def test_other_shapes_go_to_the_library(data):
    """GIVEN an answer of a shape the fast path does not know WHEN read THEN the fast path declines it
    and the whole answer is read by imapclient's parser."""
    assert _fast(data) is None
    assert parse_fetch(data) == library(data)


@pytest.mark.parametrize("data", [
    [(b"1 (UID 10 RFC822.SIZE 50 " + SECTION + b" {5}", b"abc"), b")"],  # a literal shorter than said
    answer(1, 10, b"a") + answer(2, 10, b"b"),  # the same UID twice
    answer(1, 10, b"a", before=b"RFC822.SIZE 50 "),  # no UID at all
    answer(1, 10, b"a", before=b"UID %d UID 11 "),  # two UIDs
    answer(1, 10, b"a")[:1],  # the closing parenthesis missing
])
def test_doubtful_answers_are_not_taken_by_the_fast_path(data):
    """GIVEN answers that look usual but do not add up (a literal of another size, a UID repeated,
    missing or given twice, the answer cut) WHEN read fast THEN the fast path declines them."""
    assert _fast(data) is None


def test_no_answer_at_all():
    """GIVEN imaplib's answer when nothing matched (``[None]``) or an empty list WHEN read THEN empty."""
    assert parse_fetch([None]) == {} and parse_fetch([]) == {}


def test_sequence_sets_are_compact():
    """GIVEN UIDs in any order, with runs and gaps WHEN a sequence set is made THEN runs become
    ranges, repeats vanish, and an empty request is refused."""
    assert sequence_set([9, 1, 2, 3, 7, 10, 3]) == "1:3,7,9:10"
    assert sequence_set([5]) == "5"
    assert sequence_set(range(1, 501)) == "1:500"
    with pytest.raises(InvalidValueError):
        sequence_set([])
