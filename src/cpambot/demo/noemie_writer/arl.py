"""ARL acknowledgement files, in a format **invented** for the demo (the real one is not public).

ARL layout (INVENTED)
=====================
The ARL record layout is not public (``domain.md`` §2: "ARL file layout was
**not found**"). This module uses an invented format that reuses the NOEMIE
framing so that one decoder can frame both; nothing below is documented by the
Assurance Maladie:

* a ``000`` header (NOEMIE layout) whose *référence de l'échange* is ``ARL``
  (space-padded to 4) and whose *application-type d'échange* is ``AR``;
* one ``ARL`` entity (alphabetic type, so that a NOEMIE decoder sees an unknown
  entity and skips to its ``@``), 94 characters:

  ====  ========  =====  ==========================================================
  #     pos.      width  field
  ====  ========  =====  ==========================================================
  1     1–3       3      type, constant ``ARL``
  2     4–5       2      niveau de rupture, constant ``01``
  3     6–8       3      code caisse (e.g. ``511``, ``974``), digits
  4     9–11      3      numéro de lot acquitté, digits
  5     12–17     6      identification du fichier acquitté (the PS's B2 file), text
  6     18–23     6      date de réception du fichier, YYMMDD
  7     24–24     1      résultat: ``P`` positif, ``N`` négatif
  8     25–28     4      code motif (``0000`` when positif), text
  9     29–88     60     libellé du motif, text
  10    89–93     5      nombre de factures reçues dans le lot, digits
  11    94–94     1      délimiteur ``@``
  ====  ========  =====  ==========================================================

* a ``999`` trailer (record count 3, lot count 1, file total 0 ``P``).

Reason codes are free (4 characters). Suggested invented codes:
``0000`` FICHIER CONFORME, ``0101`` FICHIER NON CONFORME AU CAHIER DES CHARGES,
``0102`` LOT DEJA RECU, ``0103`` LOT TRANSMIS PAR ANTICIPATION; ``4015`` is the
number of the 2020 spurious "erreur 4015" lot rejections reported by unions
(``domain.md`` §1.2) — its libellé here is invented.
"""

from __future__ import annotations

from datetime import date

from cpambot.demo.noemie_writer.fields import entity
from cpambot.demo.noemie_writer.file import Envelope, encode_payload
from cpambot.errors import InvalidValueError


def arl_record(*, caisse: str | int, lot_number: int, acked_file_id: str, received: date,
               positive: bool, reason_code: str | None = None,
               reason_label: str | None = None, invoice_count: int = 0) -> str:
    """The invented ``ARL`` entity (94 characters, see the module docstring).

    ``reason_code``/``reason_label`` default to ``0000`` / ``FICHIER
    CONFORME`` for a positive ARL and are required for a negative one.
    """
    if positive:
        reason_code = "0000" if reason_code is None else reason_code
        reason_label = "FICHIER CONFORME" if reason_label is None else reason_label
    elif not reason_code or not reason_label:
        raise InvalidValueError("a negative ARL needs reason_code and reason_label")
    return entity("ARL", {"caisse": caisse, "lot_number": lot_number,
                          "acked_file_id": acked_file_id, "received": received,
                          "result": "P" if positive else "N", "reason_code": reason_code,
                          "reason_label": reason_label, "invoice_count": invoice_count})


def arl_file(*, caisse: str | int, sender_number: str | int, recipient_number: str | int,
             file_id: str, created: date, lot_number: int, acked_file_id: str,
             received: date, positive: bool, reason_code: str | None = None,
             reason_label: str | None = None, invoice_count: int = 0,
             sender_type: str = "CP", flow_type: str = "R", compress: bool = False) -> bytes:
    """A whole invented ARL file: ``000`` + ``ARL`` entity + ``999`` (bytes).

    The header's reference is ``ARL`` and its application type ``AR``.
    """
    envelope = Envelope(sender_type, sender_number, recipient_number, file_id, flow_type=flow_type,
                        application_type="AR")
    text = (envelope.header(created=created, reference="ARL")
            + arl_record(caisse=caisse, lot_number=lot_number, acked_file_id=acked_file_id,
                         received=received, positive=positive, reason_code=reason_code,
                         reason_label=reason_label, invoice_count=invoice_count)
            + envelope.trailer(record_count=3, lot_count=1, file_total=0))
    return encode_payload(text, compress=compress)
