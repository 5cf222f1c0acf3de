"""Build synthetic NOEMIE PS return files, ARL files and the e-mails that carry them.

This is a pure library (no I/O): every function returns ``str`` or ``bytes``.
It exists to produce demo and test material; nothing here comes from a real
return file. Its modules: :mod:`.fields` (one entity from the layout table),
:mod:`.entities` (one builder per entity type), :mod:`.file` (a whole file and
its controls), :mod:`.nir` (synthetic NIRs), :mod:`.arl` (the invented ARL
format) and :mod:`.mail` (the e-mail that carries a payload). This package
re-exports their public functions, so ``noemie_writer.facture(…)`` works.

NOEMIE layout
=============
Every entity follows ``shared/noemie-layout.md`` (itself taken from the
open-source ``ZTH1970/alcide: calebasse/facturation/noemie_format.py``),
widths included. The entities are written from the table the decoder reads
with, :mod:`cpambot.understanding.decode.layout`: per entity type, the fields
in order with their width, kind, code list and the layout line (``#``) they
come from. Framing rules applied (layout §1):

* ``000`` and ``999`` are exactly 128 characters, no break level, no ``@``;
* every other entity is type (3) + niveau de rupture (2) + fixed-width fields
  + ``@``;
* text is space-padded on the right, numbers are zero-padded on the left,
  dates are ``YYMMDD``, amounts are in cents with a separate ``P``/``N`` sign
  field where the layout has one;
* an optional field given as ``None`` is written as spaces (absent);
* any value that does not fit its width, a text holding ``@``, CR, LF or a
  non-ASCII character, a negative amount in an unsigned field or a code outside
  its list raises ``ValueError`` naming the entity and the field.

Choices the layout leaves open (all **invented**, marked [INF] in the layout):

* niveau de rupture: the values fixed by the source are used (071/081 → ``02``,
  990 → ``99``…); the others default to the layout's invented niveau (080 → ``02``,
  invoice-level entities → ``03``, line-level ``210``/``220`` → ``04``) and
  can be overridden with ``niveau=``;
* ``000`` record length = ``128``; reference defaults to ``0580``, version
  ``01``; recipient type defaults to ``TP`` (list A has no code for a
  libéral, "autres partenaires santé" is the closest);
* :class:`NoemieFile` computes the controls so that the checks of layout §5
  hold: a ``990`` closes each top-level block (a lot opened by ``080``, or a
  forfait/retenue block opened by an ``081`` outside any lot). Its count is the
  number of invoices (``100``/``102``) in the block, or, when there is none,
  the number of money entities (``250``/``261``). Its sum is the signed net
  money of the block: AMO paid (198) + AMC paid (199) + forfaits (261) +
  signed retenues (250). The ``999`` file total is the sum of the signed
  ``990`` sums, the lot count is the number of ``080``, and the record count
  is the number of entities in the file **including** ``000`` and ``999`` and
  any raw (unknown) entity.
"""

from __future__ import annotations

from cpambot.demo.noemie_writer.arl import arl_file, arl_record
from cpambot.demo.noemie_writer.entities import (
    acte,
    assure,
    commentaire,
    date_comptable,
    facture,
    facture_courte,
    forfait,
    forfait_detail,
    header,
    ligne_rejet,
    lot,
    part_amc,
    part_amo,
    rejet,
    retenue,
    return_type,
    totals,
    trailer,
    virement,
)
from cpambot.demo.noemie_writer.fields import (
    entity,
    entity_width,
    field_value,
    number_field,
    signed_amount,
    signed_value,
    text_field,
    yymmdd,
)
from cpambot.demo.noemie_writer.file import GZIP_MAGIC, NoemieFile, encode_payload
from cpambot.demo.noemie_writer.mail import caisse_address, edi_mail, edi_message, iris_subject
from cpambot.demo.noemie_writer.nir import make_nir, nir_key

__all__ = [
    "GZIP_MAGIC",
    "NoemieFile",
    "acte",
    "arl_file",
    "arl_record",
    "assure",
    "caisse_address",
    "commentaire",
    "date_comptable",
    "edi_mail",
    "edi_message",
    "encode_payload",
    "entity",
    "entity_width",
    "facture",
    "facture_courte",
    "field_value",
    "forfait",
    "forfait_detail",
    "header",
    "iris_subject",
    "ligne_rejet",
    "lot",
    "make_nir",
    "nir_key",
    "number_field",
    "part_amc",
    "part_amo",
    "rejet",
    "retenue",
    "return_type",
    "signed_amount",
    "signed_value",
    "text_field",
    "totals",
    "trailer",
    "virement",
    "yymmdd",
]
