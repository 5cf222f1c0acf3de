"""Pure decoder of NOEMIE PS return files: ``decode_noemie(bytes) -> NoemieFile``.

The flat entity stream (layout ``shared/noemie-layout.md``) is grouped as

    file → lots (080) → invoices (100/102) → insured, parts, acts, rejects, comments

Retenues (250) and forfaits (261 + 262) belong to the lot they appear in, or
to the file when they stand in a block opened by an 081 outside any lot.
Rejects and comments found outside an invoice belong to the lot or file.

Robustness: unknown entities are skipped (``NoemieFile.skipped``); record-level
oddities (impossible date, non-numeric field, wrong NIR key, control totals
that do not add up…) go to ``NoemieFile.problems`` as French sentences; a file
that is truncated, binary or not NOEMIE raises :class:`DecodeError`, and
nothing else is ever raised. Test and demonstration flows are decoded with
``is_test`` set: they must never be acted on.

Amounts are ``Decimal`` euros; dates ``datetime.date`` with the century rule
documented in :mod:`cpambot.understanding.decode._framing` (creation date: 00–69 → 20YY;
other dates relative to its year R: birth dates in R−99…R, the rest in
R−50…R+49).

Controls (layout §5, rules shared with ``cpambot.demo.noemie_writer``): each
``990`` closes a top-level block (an 080 lot, or an 081 block outside lots);
its count is the block's number of invoices or, without invoices, of money
movements (250/261); its sum is the block's signed net money: AMO paid +
AMC paid + forfaits (261) + retenues (250). The ``999`` total must equal the
sum of the ``990`` totals and the file's net money; its lot count the number
of ``080``; its record count the number of entities read, ``000``/``999``
included or not.

Where it lives: the entity table in :mod:`~cpambot.understanding.decode.layout`,
the framing in ``_framing``, one parser per entity in ``_entities``, the
grouping and checks in ``_grouping``, the result values in
:mod:`~cpambot.understanding.decode.grouped`.
"""

from __future__ import annotations

from cpambot.errors import DecodeError
from cpambot.understanding.decode._grouping import Decoder
from cpambot.understanding.decode._payload import payload_text
from cpambot.understanding.decode.grouped import Invoice, Lot, NoemieFile

__all__ = ["DecodeError", "Invoice", "Lot", "NoemieFile", "decode_noemie", "decode_noemie_text"]


def decode_noemie_text(text: str, compressed: bool = False) -> NoemieFile:
    """Decode an already decompressed NOEMIE text (see :func:`decode_noemie`)."""
    try:
        return Decoder(text, compressed).result()
    except DecodeError:
        raise
    except Exception as exc:  # safety net: the decoder must only ever raise DecodeError
        raise DecodeError(f"erreur interne du décodeur NOEMIE ({type(exc).__name__})") from exc


def decode_noemie(data: bytes) -> NoemieFile:
    """Decode a NOEMIE payload (gzip, zlib or plain, detected by content).

    Raises :class:`DecodeError` (French ``reason``) for a truncated file,
    binary garbage, a broken compression or a text that is not NOEMIE, and
    nothing else.
    """
    try:
        text, compressed = payload_text(data)
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"erreur interne du décodeur NOEMIE ({type(exc).__name__})") from exc
    return decode_noemie_text(text, compressed)
