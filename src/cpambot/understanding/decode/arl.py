"""Pure decoder of ARL files (acknowledgements of a télétransmitted lot).

The real ARL layout is not public (``domain.md`` §2). This decodes the
**invented** layout of ``cpambot.demo.noemie_writer`` (its fields are
:data:`cpambot.understanding.decode.layout.ARL`): a NOEMIE ``000`` header
(référence ``ARL``), one or more ``ARL`` entities of 94 characters, a ``999``::

    ARL 01 | caisse 3 | lot 3 | acked file id 6 | received YYMMDD | P/N | reason 4 | label 60
           | invoice count 5 | @

Same robustness rules as :mod:`cpambot.understanding.decode.noemie`: unknown entities are
skipped, inconsistencies go to ``problems``, only :class:`DecodeError` is
raised (truncated file, binary garbage, no ``ARL`` entity…).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cpambot.errors import DecodeError, NotThisFormat
from cpambot.understanding.decode._framing import (
    Reader,
    check_envelope,
    parse_header,
    parse_trailer,
    split_entities,
)
from cpambot.understanding.decode._payload import payload_text
from cpambot.understanding.decode.layout import ARL, ARL_RESULTS, ARL_WIDTHS
from cpambot.understanding.decode.records import REAL_FLOWS, Header, Skipped, Trailer

__all__ = ["ArlAck", "ArlFile", "DecodeError", "decode_arl", "decode_arl_text"]

@dataclass(frozen=True)
class ArlAck:
    """One ``ARL`` entity. ``positive`` is ``None`` when the result field is unreadable."""

    caisse: str
    lot_number: str
    acked_file_id: str
    received: date | None
    positive: bool | None
    reason_code: str
    reason_label: str
    invoice_count: int | None


@dataclass(frozen=True)
class ArlFile:
    """A decoded ARL file; the convenience properties describe its first (usually only) ack."""

    header: Header
    trailer: Trailer
    compressed: bool
    acks: tuple[ArlAck, ...]
    skipped: tuple[Skipped, ...]
    problems: tuple[str, ...]

    @property
    def is_test(self) -> bool:
        """Test/demo flow (or unknown flow type): never act on it."""
        return self.header.is_test or self.trailer.flow_type not in REAL_FLOWS

    @property
    def positive(self) -> bool:
        """True only when every ack is readable and positive."""
        return all(a.positive is True for a in self.acks)

    @property
    def caisse(self) -> str:
        return self.acks[0].caisse

    @property
    def lot_number(self) -> str:
        return self.acks[0].lot_number

    @property
    def acked_file_id(self) -> str:
        return self.acks[0].acked_file_id

    @property
    def received(self) -> date | None:
        return self.acks[0].received

    @property
    def reason_code(self) -> str:
        return self.acks[0].reason_code

    @property
    def reason_label(self) -> str:
        return self.acks[0].reason_label


def _ack(r: Reader) -> ArlAck:
    caisse, lot = r.code("caisse"), r.code("lot_number")
    for label, value in (("code caisse", caisse), ("numéro de lot", lot)):
        if not (value.isascii() and value.isdigit()):
            r.report(f"{r.where} : {label} « {value} » non numérique")
    file_id, received, result = r.code("acked_file_id"), r.date("received"), r.code("result")
    if result not in ARL_RESULTS:
        r.report(f"{r.where} : résultat « {result} » illisible (P positif ou N négatif attendu)")
    code, label = r.code("reason_code"), r.text("reason_label").strip()
    if result == "P" and code not in ("", "0000"):
        r.report(f"{r.where} : ARL positif portant le motif {code}")
    return ArlAck(caisse, lot, file_id, received, {"P": True, "N": False}.get(result), code, label,
                  r.number("invoice_count"))


def _decode(text: str, compressed: bool) -> ArlFile:
    problems: list[str] = []
    entities, skipped, framing = split_entities(text, ARL_WIDTHS, "ARL")
    problems += framing
    read = len(entities) + len(skipped)
    header = parse_header(entities[0][2], problems.append)
    ref_year = header.created.year if header.created else None
    acks = []
    for etype, offset, raw in entities[1:-1]:
        if etype == "000":
            problems.append(f"en-tête 000 répété à la position {offset + 1} : ignoré")
            skipped.append(Skipped(etype, offset, len(raw), "en-tête 000 répété"))
            continue
        where = f"entité ARL (position {offset + 1})"
        acks.append(_ack(Reader(ARL, raw, where, problems.append, ref_year)))
    if not acks:
        raise NotThisFormat("pas un fichier ARL : aucune entité d'accusé de réception")
    if header.reference.upper() != "ARL":
        problems.append(f"référence de l'en-tête « {header.reference} » au lieu de « ARL »")
    trailer = parse_trailer(entities[-1][2], problems.append)
    check_envelope(header, trailer, read, problems.append)
    if trailer.lot_count is not None and trailer.lot_count != len(acks):
        problems.append(f"fin de fichier 999 : {trailer.lot_count} lot(s) annoncé(s) (nombre de lots faux), "
                        f"{len(acks)} accusé(s) trouvé(s)")
    if trailer.file_total:
        problems.append("fin de fichier 999 : un ARL ne devrait porter aucun montant")
    return ArlFile(header, trailer, compressed, tuple(acks), tuple(skipped), tuple(problems))


def decode_arl_text(text: str, compressed: bool = False) -> ArlFile:
    """Decode an already decompressed ARL text (see :func:`decode_arl`)."""
    try:
        return _decode(text, compressed)
    except DecodeError:
        raise
    except Exception as exc:  # safety net: the decoder must only ever raise DecodeError
        raise DecodeError(f"erreur interne du décodeur ARL ({type(exc).__name__})") from exc


def decode_arl(data: bytes) -> ArlFile:
    """Decode an ARL payload (gzip, zlib or plain). Raises only :class:`DecodeError`."""
    try:
        text, compressed = payload_text(data)
    except DecodeError:
        raise
    except Exception as exc:
        raise DecodeError(f"erreur interne du décodeur ARL ({type(exc).__name__})") from exc
    return decode_arl_text(text, compressed)
