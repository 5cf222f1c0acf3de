"""Build synthetic NOEMIE PS return files, ARL files and the e-mails that carry them.

This is a pure library (no I/O): every function returns ``str`` or ``bytes``.
It exists to produce demo and test material; nothing here comes from a real
return file.

NOEMIE layout
=============
Every entity follows ``shared/noemie-layout.md`` (itself taken from the
open-source ``ZTH1970/alcide: calebasse/facturation/noemie_format.py``),
widths included. The table ``LAYOUTS`` below lists, per entity type, the
fields in order with the layout line (``#``) and positions they come from.
Framing rules applied (layout §1):

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
  990 → ``99``…); the others default to ``DEFAULT_NIVEAU`` (080 → ``02``,
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

E-mail (partly INVENTED)
========================
:func:`edi_mail` follows what ``domain.md`` §1.1–1.2 and layout §1 document:
sender ``<régime 2><caisse 3>@<caisse>.<régime>.rss.fr`` (documented for the
outgoing side, assumed symmetric for returns), no human body, one part
``application/EDI-consent`` in base64. **Invented** because no source gives
them for *return* mails: the Subject (an IRIS-style id built like the outgoing
Calebasse subject, ``IR100500/<14-digit sender>/<YYYYMMDDHHMMSS>/<5-digit
count>``) and the ``Content-Description`` natures ``NOEMIE/RSP`` and ``ARL``,
with ``/Z`` appended when the payload is gzip-compressed (mirroring the
documented outgoing ``IRIS/B2`` → ``IRIS/B2/Z``).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from cpambot.errors import InvalidValueError

__all__ = [
    "LAYOUTS",
    "Field",
    "NoemieFile",
    "acte",
    "arl_file",
    "arl_record",
    "assure",
    "caisse_address",
    "commentaire",
    "edi_mail",
    "edi_message",
    "encode_payload",
    "entity",
    "facture",
    "facture_courte",
    "forfait",
    "forfait_detail",
    "header",
    "iris_subject",
    "ligne_rejet",
    "lot",
    "make_nir",
    "nir_key",
    "part_amc",
    "part_amo",
    "rejet",
    "retenue",
    "return_type",
    "signed_amount",
    "text_field",
    "number_field",
    "totals",
    "trailer",
    "virement",
    "yymmdd",
    "date_comptable",
]

GZIP_MAGIC = b"\x1f\x8b"

# --------------------------------------------------------------------------
# Code lists (layout §3)
# --------------------------------------------------------------------------

#: List A, sender / recipient type (000, 999).
SENDER_TYPES = frozenset(
    "CP CR CT MA OC CS OT SR SM RM CM EN CF RP CE CC BF AN SE CI PB TE TP SI".split()
)
#: List B, return type (081).
RETURN_TYPES = frozenset({"01", "02", "03", "04", "05"})
#: List C, invoice type (102).
INVOICE_TYPES = frozenset("FBPDACELR")
#: List D, processing of the AMC part (102); space = none.
AMC_PROCESSING = frozenset(" EAFCNV")
#: List E, payment state of a part (198, 199); space = not processed.
PART_STATES = frozenset("PRD ")
#: List F, complement to the act nature (210/220), 1 letter left-aligned in 2.
NATURE_COMPLEMENTS = frozenset({"", "E", "F", "N", "P", "S", "T"})
#: List G, expense qualifier (210/220).
EXPENSE_QUALIFIERS = frozenset({"", "AT", "DD", "DE", "DF", "DP", "ED", "GR", "NR", "TM", "S"})
#: List H, nature of the debt (250).
DEBT_NATURES = frozenset("IND IEC IPH IPI ODL OID ACC APR API AFF ISP VMI REL".split())
#: List I, recovery operation (250).
RECOVERY_OPERATIONS = frozenset(
    "CIN RPR PAI RAS ANT RMO REL RDP RDT RDS NVP NVT PPR LOP LOT".split()
)
FLOW_TYPES = frozenset({"R", "T", "D", " "})
PERIODS = frozenset("ASTMHP")
NAME_KINDS = frozenset("MPU")
INSURANCE_NATURES = frozenset({"AS", "AM", "AT"})

# --------------------------------------------------------------------------
# Layout table
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One fixed-width field of an entity.

    ``kind`` is one of ``A`` (text, space-padded), ``N`` (digits,
    zero-padded), ``D`` (date ``YYMMDD``), ``M`` (amount in cents, digits),
    ``S`` (sign ``P``/``N``), ``K`` (code from ``codes``, space-padded) and
    ``F`` (filler, spaces). ``line`` is the field's ``#`` in the layout table
    and ``source`` its French name there.
    """

    key: str
    width: int
    kind: str
    line: int
    source: str
    codes: frozenset[str] | None = None


def _f(key: str, width: int, kind: str, line: int, source: str,
       codes: Iterable[str] | None = None) -> Field:
    return Field(key, width, kind, line, source, frozenset(codes) if codes is not None else None)


#: Fields that follow "type (3) + niveau de rupture (2)" for each entity, in
#: order, ``@`` excluded; for 000/999 the fields that follow the type.
LAYOUTS: dict[str, tuple[Field, ...]] = {
    "000": (
        _f("sender_type", 2, "K", 2, "Type d'émetteur", SENDER_TYPES),
        _f("sender_number", 14, "N", 3, "Numéro d'émetteur"),
        _f("sender_program", 6, "A", 4, "Programme émetteur"),
        _f("recipient_type", 2, "K", 5, "Type de destinataire", SENDER_TYPES),
        _f("recipient_number", 14, "A", 6, "Numéro de destinataire"),
        _f("recipient_program", 6, "A", 7, "Programme destinataire"),
        _f("application_type", 2, "A", 8, "Application-type d'échange"),
        _f("file_id", 6, "A", 9, "Identification du fichier"),
        _f("created", 6, "D", 10, "Date de création du fichier"),
        _f("reference", 4, "A", 11, "Norme utilisée - référence de l'échange"),
        _f("version", 2, "A", 12, "Version utilisée"),
        _f("compression", 1, "A", 13, "Compactage"),
        _f("encryption", 1, "K", 14, "Cryptage", {"O", "N", " "}),
        _f("currency", 1, "K", 15, "Unité monétaire", {"U"}),
        _f("flow_type", 1, "K", 16, "Type de flux", FLOW_TYPES),
        _f("filler", 11, "F", 17, "Blanc"),
        _f("record_length", 3, "N", 18, "Longueur d'enregistrement"),
        _f("password", 6, "A", 19, "Mot de passe"),
        _f("message", 37, "A", 20, "Zone message"),
    ),
    "010": (
        _f("amc_number", 7, "N", 3, "Numéro d'organisme complémentaire"),
        _f("amc_key", 1, "N", 4, "Clé du numéro d'organisme complémentaire"),
    ),
    "020": (_f("payee_number", 15, "N", 3, "Numéro de destinataire de règlement"),),
    "040": (_f("payee_number", 15, "N", 3, "Numéro de destinataire de règlement"),),
    "070": (_f("accounting_date", 6, "D", 3, "Date de la journée comptable"),),
    "071": (
        _f("date", 6, "D", 3, "Date de la journée comptable ou date d'émission du virement"),
        _f("label1", 32, "A", 4, "Libellé du virement - ligne 1"),
        _f("label2", 32, "A", 5, "Libellé du virement - ligne 2"),
        _f("payer", 10, "A", 6, "Organisme payeur"),
    ),
    "080": (
        _f("lot_date", 6, "D", 3, "Date de constitution du lot"),
        _f("lot_number", 3, "N", 4, "Numéro de lot"),
    ),
    "081": (
        _f("return_type", 2, "K", 3, "Code du type de retour", RETURN_TYPES),
        _f("place", 14, "A", 4, "Numéro du lieu d'éxecution de l'acte"),
    ),
    "100": (_f("invoice_number", 9, "N", 3, "Numéro de facture"),),
    "102": (
        _f("invoice_number", 9, "A", 3, "N° de facture"),
        _f("complement", 6, "A", 4, "Complément au n° de facture"),
        _f("lot_number", 3, "A", 5, "N° de lot"),
        _f("lot_date", 6, "D", 6, "Date de création du lot"),
        _f("invoice_type", 1, "K", 7, "Type de facture", INVOICE_TYPES),
        _f("billing_date", 6, "D", 8, "Date de facturation"),
        _f("amc_processing", 1, "K", 9, "Traitement effectué sur la part AMC", AMC_PROCESSING),
        _f("insurance_nature", 2, "A", 10, "Nature d'assurance"),
    ),
    "103": (
        _f("nir", 13, "A", 3, "N° immatriculation"),
        _f("nir_key", 2, "N", 4, "Clé du numéro d'immatriculation"),
        _f("birth_surname", 25, "A", 5, "Nom patronymique"),
        _f("usage_surname", 25, "A", 6, "Nom d'usage"),
        _f("first_name", 15, "A", 7, "Prénom"),
        _f("beneficiary_nir", 13, "A", 8, "N° immatriculation individuel"),
        _f("beneficiary_nir_key", 2, "N", 9, "Clé du numéro d'immatriculation individuel"),
        _f("birth_date", 6, "D", 10, "Date de naissance"),
        _f("birth_rank", 1, "N", 11, "Rang de naissance"),
        _f("beneficiary_name", 25, "A", 12, "Nom"),
        _f("beneficiary_first_name", 15, "A", 13, "Prénom"),
        _f("management_unit", 4, "N", 14, "Unité de gestion de rattachement"),
    ),
    "110": (
        _f("nir", 13, "A", 3, "Numéro de sécurité sociale"),
        _f("nir_key", 2, "N", 4, "Clé du numéro de sécurité sociale"),
        _f("name_kind", 1, "K", 5, "Nature du nom", NAME_KINDS),
        _f("surname", 25, "A", 6, "Nom du bénéficiaire"),
        _f("filler", 26, "F", 7, "Blanc"),
        _f("first_name", 15, "A", 8, "Prénom du bénéficiaire"),
    ),
    "120": (
        _f("birth_date", 6, "D", 3, "Date de naissance du bénéficiaire"),
        _f("rank", 1, "A", 4, "Rang du bénéficiaire"),
        _f("surname", 25, "A", 5, "Nom du malade"),
        _f("first_name", 15, "A", 6, "Prénom du malade"),
        _f("management_unit", 4, "A", 7, "Unité de gestion de rattachement"),
    ),
    "150": (_f("nature", 2, "K", 3, "Nature de l'assurance", INSURANCE_NATURES),),
    "160": (_f("archive_number", 17, "N", 3, "Numéro d'archivage"),),
    "198": (
        _f("claimed", 8, "M", 3, "Montant AMO demandé"),
        _f("state", 1, "K", 4, "État paiement part AMO", PART_STATES),
        _f("paid", 8, "M", 5, "Montant AMO payé"),
        _f("paid_sign", 1, "S", 6, "Signe du montant AMO payé"),
    ),
    "199": (
        _f("claimed", 8, "M", 3, "Montant AMC demandé"),
        _f("state", 1, "K", 4, "État paiement part AMC", PART_STATES),
        _f("paid", 8, "M", 5, "Montant AMC payé"),
        _f("paid_sign", 1, "S", 6, "Signe du montant AMC payé"),
        _f("amc_number", 10, "N", 7, "N° AMC destinataire"),
        _f("member_id", 15, "A", 8, "N° identification AMC de l'adhérent"),
    ),
    "210": (
        _f("line", 2, "N", 3, "N° de ligne"),
        _f("management_code", 2, "N", 4, "Code gestion technique pour régime"),
        _f("exemption", 1, "A", 5, "Justification pour exonération"),
        _f("processing_mode", 2, "N", 6, "Mode de traitement"),
        _f("discipline", 3, "N", 7, "Discipline médico-tarifaire"),
        _f("prescription_date", 6, "D", 8, "Date de prescription d'un acte"),
        _f("care_date", 6, "D", 9, "Date des soins ou date début"),
        _f("care_end_date", 6, "D", 10, "Date de fin de soins"),
        _f("unit_price", 8, "M", 11, "Prix unitaire d'un acte"),
        _f("base", 8, "M", 12, "Base de remboursement d'un acte"),
        _f("rate", 3, "N", 13, "Taux de remboursement"),
        _f("reimbursed", 8, "M", 14, "Montant remboursé"),
        _f("sign", 1, "S", 15, "Signe de l'acte"),
        _f("nature", 3, "A", 16, "Nature de la prestation"),
        _f("nature_complement", 2, "K", 17, "Code complémentaire à la nature d'acte",
           NATURE_COMPLEMENTS),
        _f("quantity", 3, "N", 18, "Quantité d'actes"),
        _f("coefficient", 5, "N", 19, "Coefficient de l'acte"),
        _f("count", 3, "N", 20, "Dénombrement des actes"),
        _f("expense", 8, "M", 21, "Montant de la dépense"),
        _f("expense_qualifier", 2, "K", 22, "Qualificatif de la dépense", EXPENSE_QUALIFIERS),
        _f("am_rate", 3, "N", 23, "Taux complémentaire Alsace/Moselle"),
        _f("am_amount", 8, "M", 24, "Montant complémentaire Alsace/Moselle"),
        _f("amc_rate", 3, "N", 25, "Taux part complémentaire Mutuelle"),
        _f("amc_amount", 8, "M", 26, "Montant part complémentaire"),
        _f("amc_base", 8, "M", 27, "Base remboursement Mutuelle"),
    ),
    "220": (
        _f("line", 2, "N", 3, "N° de ligne"),
        _f("management_code", 2, "N", 4, "Code gestion technique pour régime"),
        _f("exemption", 1, "A", 5, "Justification pour exonération"),
        _f("processing_mode", 2, "N", 6, "Mode de traitement"),
        _f("discipline", 3, "N", 7, "Discipline médico-tarifaire"),
        _f("care_date", 6, "D", 8, "Date des soins ou date début"),
        _f("care_end_date", 6, "D", 9, "Date de fin de soins"),
        _f("unit_price", 8, "M", 10, "Prix unitaire d'un acte"),
        _f("base", 8, "M", 11, "Base de remboursement d'un acte"),
        _f("rate", 3, "N", 12, "Taux de remboursement"),
        _f("reimbursed", 8, "M", 13, "Montant remboursé"),
        _f("sign", 1, "S", 14, "Signe de l'acte"),
        _f("nature", 3, "A", 15, "Nature de la prestation"),
        _f("nature_complement", 2, "K", 16, "Code complémentaire à la nature d'acte",
           NATURE_COMPLEMENTS),
        _f("quantity", 3, "N", 17, "Quantité d'actes"),
        _f("coefficient", 5, "N", 18, "Coefficient de l'acte"),
        _f("count", 3, "N", 19, "Dénombrement des actes"),
        _f("expense", 8, "M", 20, "Montant de la dépense"),
        _f("expense_qualifier", 2, "K", 21, "Qualificatif de la dépense", EXPENSE_QUALIFIERS),
        _f("global_coefficient", 5, "N", 22, "Coefficient global pour hospitalisation"),
        _f("flat_fee_code", 1, "N", 23, "Code forfait à générer"),
        _f("am_rate", 3, "N", 24, "Taux complémentaire Alsace/Moselle"),
        _f("am_amount", 8, "M", 25, "Montant complémentaire Alsace/Moselle"),
        _f("amc_rate", 3, "N", 26, "Taux part complémentaire Mutuelle"),
        _f("amc_amount", 8, "M", 27, "Montant part complémentaire"),
        _f("amc_base", 8, "M", 28, "Base remboursement Mutuelle"),
    ),
    "250": (
        _f("line", 2, "N", 3, "Numéro de ligne pour noemie"),
        _f("debt_reference", 10, "A", 4, "Référence de la dette"),
        _f("debt_date", 6, "D", 5, "Date d'enregistrement de la dette"),
        _f("debt_nature", 3, "K", 6, "Nature de la dette", DEBT_NATURES),
        _f("operation", 3, "K", 7, "Nature des opérations de récupération", RECOVERY_OPERATIONS),
        _f("amount", 8, "M", 8, "Montant du mouvement financier"),
        _f("sign", 1, "S", 9, "Signe de l'acte"),
        _f("balance", 8, "M", 10, "Montant du solde d'une dette"),
    ),
    "261": (
        _f("code", 5, "N", 3, "Code paiement ponctuel ou forfaitaire"),
        _f("amount", 8, "M", 4, "Montant paiment ponctuel ou forfaitaire"),
    ),
    "262": (
        _f("code", 5, "A", 3, "Codification"),
        _f("label", 80, "A", 4, "Libellé associé"),
        _f("nir", 13, "A", 5, "N° d'immatriculation"),
        _f("nir_key", 2, "N", 6, "Clé du numéro d'immatriculation"),
        _f("birth_date", 6, "D", 7, "Date de naissance"),
        _f("birth_rank", 1, "N", 8, "Rang de naissance"),
        _f("period", 1, "K", 9, "Période", PERIODS),
        _f("start", 6, "D", 10, "Date début période"),
        _f("end", 6, "D", 11, "Date fin période"),
        _f("amount", 8, "M", 12, "Montant"),
    ),
    "290": (
        _f("line", 2, "N", 3, "N° de ligne"),
        _f("code", 10, "A", 4, "Codification"),
        _f("label", 80, "A", 5, "Libellé"),
    ),
    "294": (
        _f("code", 4, "A", 3, "Codification du rejet"),
        _f("label", 86, "A", 4, "Libellé du rejet"),
        _f("level", 1, "K", 5, "Niveau de rejet", {"F", "L", "A"}),
        _f("part", 1, "K", 6, "Part concerné", {"O", "C"}),
        _f("nature", 5, "A", 7, "Nature de prestation concernée"),
        _f("care_date", 6, "D", 8, "Date des soins"),
        _f("performer", 9, "N", 9, "N° exécutant"),
        _f("line", 3, "N", 10, "N° de ligne"),
        _f("rank", 2, "N", 11, "Rang du rejet"),
        _f("info", 30, "A", 12, "Information complémentaire sur le rejet"),
    ),
    "295": (
        _f("code", 1, "A", 3, "Code commentaire"),
        _f("comment", 128, "A", 4, "Commentaire"),
    ),
    "990": (
        _f("level_id", 17, "A", 3, "Identification du niveau de rupture"),
        _f("count", 8, "N", 4, "Compteur du niveau inférieur dans la hierarchie"),
        _f("total", 11, "M", 5, "Cumul des montants de niveau inférieur"),
        _f("sign", 1, "S", 6, "Signe de l'acte"),
    ),
    "999": (
        _f("sender_type", 2, "K", 2, "Type d'émetteur", SENDER_TYPES),
        _f("sender_number", 14, "N", 3, "Numéro d'émetteur"),
        _f("sender_program", 6, "A", 4, "Programme émetteur"),
        _f("recipient_type", 2, "K", 5, "Type de destinataire", SENDER_TYPES),
        _f("recipient_number", 14, "A", 6, "Numéro de destinataire"),
        _f("recipient_program", 6, "A", 7, "Programme destinataire"),
        _f("application_type", 2, "A", 8, "Application-type d'échange"),
        _f("file_id", 6, "A", 9, "Identification du fichier"),
        _f("record_count", 8, "N", 10, "Nombre d'enregistrements"),
        _f("flow_type", 1, "K", 11, "Type de flux", FLOW_TYPES),
        _f("filler", 18, "F", 12, "Blanc"),
        _f("lot_count", 3, "N", 13, "Nombre de lots"),
        _f("file_total", 11, "M", 14, "Cumul des montants du fichier"),
        _f("file_total_sign", 1, "S", 15, "Signe du montant du fichier"),
        _f("other_currency_total", 11, "M", 16,
           "Cumul des montants du fichier dans l'autre monnaie"),
        _f("filler2", 20, "F", 17, "Blanc"),
    ),
    # Invented, see the module docstring ("ARL layout").
    "ARL": (
        _f("caisse", 3, "N", 3, "Code caisse"),
        _f("lot_number", 3, "N", 4, "Numéro de lot acquitté"),
        _f("acked_file_id", 6, "A", 5, "Identification du fichier acquitté"),
        _f("received", 6, "D", 6, "Date de réception du fichier"),
        _f("result", 1, "K", 7, "Résultat (P positif / N négatif)", {"P", "N"}),
        _f("reason_code", 4, "A", 8, "Code motif"),
        _f("reason_label", 60, "A", 9, "Libellé du motif"),
        _f("invoice_count", 5, "N", 10, "Nombre de factures reçues"),
    ),
}

#: Entities without niveau de rupture nor ``@``; exactly 128 characters.
FIXED_128 = frozenset({"000", "999"})

#: Niveau de rupture fixed by the source (layout §1).
FIXED_NIVEAU = {"010": "01", "020": "01", "040": "02", "070": "02", "071": "02",
                "081": "02", "990": "99", "ARL": "01"}

#: Default niveau for the entities the source leaves open (INVENTED).
DEFAULT_NIVEAU = {
    "080": "02",
    "100": "03", "102": "03", "103": "03", "110": "03", "120": "03", "150": "03",
    "160": "03", "198": "03", "199": "03",
    "210": "04", "220": "04",
    "250": "03", "261": "03", "262": "03",
    "290": "03", "294": "03", "295": "03",
}


def entity_width(etype: str) -> int:
    """Total width of an entity of type ``etype``, ``@`` included."""
    body = sum(f.width for f in LAYOUTS[etype])
    return 3 + body if etype in FIXED_128 else 3 + 2 + body + 1


# --------------------------------------------------------------------------
# Field formatting
# --------------------------------------------------------------------------

_FORBIDDEN_TEXT = re.compile(r"[@\r\n]|[^\x20-\x7e]")


def text_field(value: object, width: int, field: str = "text") -> str:
    """Left-aligned, space-padded text of exactly ``width`` characters.

    ``None`` gives spaces. Raises ``ValueError`` if the text is longer than
    ``width`` or holds ``@``, CR, LF or a non-printable / non-ASCII character
    (a NOEMIE decoder skips unknown entities by looking for ``@``).
    """
    s = "" if value is None else str(value)
    bad = _FORBIDDEN_TEXT.search(s)
    if bad:
        raise InvalidValueError(f"{field}: forbidden character {bad.group()!r} in {s!r}")
    if len(s) > width:
        raise InvalidValueError(f"{field}: {s!r} is {len(s)} characters, the field holds {width}")
    return s.ljust(width)


def number_field(value: object, width: int, field: str = "number") -> str:
    """Right-aligned, zero-padded digits of exactly ``width`` characters.

    Accepts a non-negative ``int`` or a string of digits; ``None`` gives
    spaces (optional field left empty). Raises ``ValueError`` otherwise or
    when the number needs more than ``width`` digits.
    """
    if value is None:
        return " " * width
    if isinstance(value, bool):
        raise InvalidValueError(f"{field}: {value!r} is not a number")
    if isinstance(value, int):
        if value < 0:
            raise InvalidValueError(f"{field}: negative value {value} in an unsigned field")
        s = str(value)
    else:
        s = str(value)
        if not s.isdigit() or not s.isascii():
            raise InvalidValueError(f"{field}: {s!r} is not made of digits")
    if len(s) > width:
        raise InvalidValueError(f"{field}: {s!r} needs {len(s)} digits, the field holds {width}")
    return s.zfill(width)


def yymmdd(value: date | datetime | None, field: str = "date") -> str:
    """A date as ``YYMMDD``; ``None`` gives 6 spaces (absent optional date)."""
    if value is None:
        return " " * 6
    if not isinstance(value, date):
        raise InvalidValueError(f"{field}: {value!r} is not a date")
    return value.strftime("%y%m%d")


def signed_amount(cents: int, width: int, field: str = "amount") -> tuple[str, str]:
    """Split a signed amount in cents into (zero-padded digits, ``P``/``N``).

    Zero is positive. Raises ``ValueError`` when ``abs(cents)`` needs more
    than ``width`` digits.
    """
    if not isinstance(cents, int) or isinstance(cents, bool):
        raise InvalidValueError(f"{field}: amounts are integers in cents, got {cents!r}")
    return number_field(abs(cents), width, field), ("N" if cents < 0 else "P")


def _format(etype: str, f: Field, value: object) -> str:
    name = f"{etype} #{f.line} {f.source} ({f.key})"
    if f.kind == "A":
        return text_field(value, f.width, name)
    if f.kind in ("N", "M"):
        return number_field(value, f.width, name)
    if f.kind == "D":
        return yymmdd(value, name)  # type: ignore[arg-type]
    if f.kind == "F":
        if value not in (None, ""):
            raise InvalidValueError(f"{name}: filler must stay blank")
        return " " * f.width
    if f.kind == "S":
        s = "P" if value is None else value
        if s not in ("P", "N"):
            raise InvalidValueError(f"{name}: sign must be 'P' or 'N', got {s!r}")
        return s
    if f.kind == "K":
        s = "" if value is None else str(value)
        assert f.codes is not None
        if s.ljust(f.width) not in {c.ljust(f.width) for c in f.codes}:
            raise InvalidValueError(f"{name}: {s!r} is not in the code list {sorted(f.codes)}")
        return text_field(s, f.width, name)
    raise InvalidValueError(f.kind)


def entity(etype: str, values: Mapping[str, object] | None = None, *,
           niveau: str | None = None) -> str:
    """Render any entity of ``LAYOUTS`` from a ``{field key: value}`` mapping.

    Missing keys are ``None`` (blank / default). Unknown keys raise
    ``ValueError``. For types with a niveau fixed by the source, a different
    ``niveau`` raises ``ValueError``.
    """
    layout = LAYOUTS[etype]
    values = dict(values or {})
    unknown = set(values) - {f.key for f in layout}
    if unknown:
        raise InvalidValueError(f"{etype}: unknown field(s) {sorted(unknown)}")
    parts = [etype]
    if etype not in FIXED_128:
        fixed = FIXED_NIVEAU.get(etype)
        if fixed is not None and niveau not in (None, fixed):
            raise InvalidValueError(f"{etype}: niveau de rupture is always {fixed}, got {niveau!r}")
        lvl = fixed or niveau or DEFAULT_NIVEAU.get(etype, "01")
        parts.append(number_field(lvl, 2, f"{etype} #2 Niveau de rupture"))
    parts.extend(_format(etype, f, values.get(f.key)) for f in layout)
    if etype not in FIXED_128:
        parts.append("@")
    out = "".join(parts)
    assert len(out) == entity_width(etype), (etype, len(out))
    return out


def _money(values: dict[str, object], key: str, sign_key: str, cents: int,
           width: int) -> None:
    digits, sign = signed_amount(cents, width, key)
    values[key] = digits
    values[sign_key] = sign


# --------------------------------------------------------------------------
# NIR
# --------------------------------------------------------------------------

_NIR_RE = re.compile(r"^[12378]\d{4}(?:\d{2}|2[AB])\d{6}$")


def nir_key(nir: str) -> int:
    """Key of a 13-character NIR: 97 − (NIR mod 97) (layout §5.7).

    For Corsica, ``2A`` is replaced by ``19`` and ``2B`` by ``18`` before the
    computation. Raises ``ValueError`` for a malformed NIR.
    """
    nir = nir.upper()
    if not _NIR_RE.match(nir):
        raise InvalidValueError(f"malformed NIR {nir!r}")
    digits = nir.replace("2A", "19", 1) if nir[5:7] == "2A" else nir
    digits = digits.replace("2B", "18", 1) if nir[5:7] == "2B" else digits
    return 97 - (int(digits) % 97)


def make_nir(sex: int, year: int, month: int, department: str, commune: str,
             order: int) -> tuple[str, str]:
    """Build a synthetic NIR and its key: returns ``(nir13, key2)``.

    ``sex`` 1 or 2; ``year`` of birth (two last digits are used); ``month``
    1–12; ``department`` 2 characters (``01``–``95``, ``2A``, ``2B``, ``97``
    for the DOM, ``99`` abroad); ``commune`` 3 digits (for the DOM the 3 last
    digits of the INSEE code, e.g. ``411`` for 97411); ``order`` 1–999.
    Used only for demo data: the numbers are made up.
    """
    if sex not in (1, 2):
        raise InvalidValueError("sex must be 1 or 2")
    if not 1 <= month <= 12:
        raise InvalidValueError("month must be 1–12")
    if not 1 <= order <= 999:
        raise InvalidValueError("order must be 1–999")
    department = department.upper()
    if not re.fullmatch(r"\d{2}|2[AB]", department):
        raise InvalidValueError(f"department {department!r} must be 2 digits, 2A or 2B")
    if not re.fullmatch(r"\d{3}", commune):
        raise InvalidValueError(f"commune {commune!r} must be 3 digits")
    nir = f"{sex}{year % 100:02d}{month:02d}{department}{commune}{order:03d}"
    return nir, f"{nir_key(nir):02d}"


# --------------------------------------------------------------------------
# Entity builders (one per entity type of layout §2)
# --------------------------------------------------------------------------


def header(*, sender_type: str, sender_number: str | int, recipient_number: str | int,
           file_id: str, created: date, recipient_type: str = "TP",
           reference: str = "0580", version: str = "01", flow_type: str = "R",
           sender_program: str = "", recipient_program: str = "",
           application_type: str = "", compression: str = "", encryption: str = "N",
           password: str = "", message: str = "") -> str:
    """``000`` file header, 128 characters, no ``@`` (layout "000", lines 1–20).

    ``recipient_number`` is the PS number (text, 14): an int is zero-padded.
    ``flow_type``: ``R`` real, ``T`` test, ``D`` demonstration (line 16).
    Record length (line 18) is written as ``128``.
    """
    if isinstance(recipient_number, int):
        recipient_number = number_field(recipient_number, 14, "000 #6 Numéro de destinataire")
    return entity("000", {
        "sender_type": sender_type, "sender_number": sender_number,
        "sender_program": sender_program, "recipient_type": recipient_type,
        "recipient_number": recipient_number, "recipient_program": recipient_program,
        "application_type": application_type, "file_id": file_id, "created": created,
        "reference": reference, "version": version, "compression": compression,
        "encryption": encryption, "currency": "U", "flow_type": flow_type,
        "record_length": 128, "password": password, "message": message,
    })


def date_comptable(accounting_date: date) -> str:
    """``070`` accounting date (layout "070", line 3)."""
    return entity("070", {"accounting_date": accounting_date})


def virement(transfer_date: date, label1: str, label2: str = "", payer: str = "") -> str:
    """``071`` accounting date and bank-transfer reference (layout "071", lines 3–6).

    ``label1``/``label2``: the two 32-character transfer labels; ``payer``:
    paying body (10).
    """
    return entity("071", {"date": transfer_date, "label1": label1, "label2": label2,
                          "payer": payer})


def lot(lot_date: date, lot_number: int, *, niveau: str | None = None) -> str:
    """``080`` lot: date the lot was built (line 3), lot number, 3 digits (line 4)."""
    return entity("080", {"lot_date": lot_date, "lot_number": lot_number}, niveau=niveau)


def return_type(code: str, place: str = "") -> str:
    """``081`` return type (layout "081"): ``code`` from list B (line 3).

    ``01`` electronic invoices, ``02`` paper, ``03`` forfaits (then 261/262),
    ``04`` rappels, ``05`` retenues (then 250); ``place`` (line 4, 14).
    """
    return entity("081", {"return_type": code, "place": place})


def facture_courte(invoice_number: int | str, *, niveau: str | None = None) -> str:
    """``100`` short invoice: invoice number, 9 digits (layout "100", line 3)."""
    return entity("100", {"invoice_number": invoice_number}, niveau=niveau)


def facture(invoice_number: int | str, *, lot_number: int | None = None,
            lot_date: date | None = None, invoice_type: str = "F",
            billing_date: date | None = None, amc_processing: str = " ",
            insurance_nature: str = "", complement: str = "",
            niveau: str | None = None) -> str:
    """``102`` invoice (layout "102", lines 3–10).

    ``invoice_number`` 9 (an int is zero-padded), ``complement`` 6, lot
    number 3 (zero-padded), lot date, invoice type (list C, ``F`` = FSE),
    billing date, AMC processing (list D, space = none), insurance nature (2).
    """
    num = number_field(invoice_number, 9, "102 #3 N° de facture") \
        if isinstance(invoice_number, int) else invoice_number
    lot_txt = None if lot_number is None else number_field(lot_number, 3, "102 #5 N° de lot")
    return entity("102", {
        "invoice_number": num, "complement": complement, "lot_number": lot_txt,
        "lot_date": lot_date, "invoice_type": invoice_type, "billing_date": billing_date,
        "amc_processing": amc_processing, "insurance_nature": insurance_nature,
    }, niveau=niveau)


def assure(*, nir: str, nir_key: str | int, birth_surname: str, first_name: str,
           birth_date: date, birth_rank: int = 1, usage_surname: str = "",
           beneficiary_nir: str | None = None, beneficiary_nir_key: str | int | None = None,
           beneficiary_name: str = "", beneficiary_first_name: str = "",
           management_unit: str | int | None = None, niveau: str | None = None) -> str:
    """``103`` insured person and beneficiary (layout "103", lines 3–14).

    NIR 13 (line 3) + key 2 (line 4), birth surname 25, usage surname 25,
    first name 15, beneficiary NIR 13 + key 2 (lines 8–9, optional), birth
    date and rank (lines 10–11), beneficiary name 25 and first name 15,
    management unit 4 digits.
    """
    return entity("103", {
        "nir": nir, "nir_key": nir_key, "birth_surname": birth_surname,
        "usage_surname": usage_surname, "first_name": first_name,
        "beneficiary_nir": beneficiary_nir, "beneficiary_nir_key": beneficiary_nir_key,
        "birth_date": birth_date, "birth_rank": birth_rank,
        "beneficiary_name": beneficiary_name,
        "beneficiary_first_name": beneficiary_first_name,
        "management_unit": management_unit,
    }, niveau=niveau)


def part_amo(claimed: int, state: str, paid: int = 0, *, niveau: str | None = None) -> str:
    """``198`` AMO part (layout "198"): claimed (line 3, unsigned cents),
    state ``P``/``R``/``D``/space (line 4, list E), paid (line 5) + sign (line 6)."""
    values: dict[str, object] = {"claimed": claimed, "state": state}
    _money(values, "paid", "paid_sign", paid, 8)
    return entity("198", values, niveau=niveau)


def part_amc(claimed: int, state: str, paid: int = 0, *, amc_number: int | str,
             member_id: str = "", niveau: str | None = None) -> str:
    """``199`` AMC part (layout "199"): as 198 (lines 3–6) plus the AMC number,
    10 digits (line 7) and the member's id at the AMC, 15 (line 8)."""
    values: dict[str, object] = {"claimed": claimed, "state": state,
                                 "amc_number": amc_number, "member_id": member_id}
    _money(values, "paid", "paid_sign", paid, 8)
    return entity("199", values, niveau=niveau)


def acte(*, line: int, nature: str, coefficient: int, care_date: date, unit_price: int,
         base: int, rate: int, reimbursed: int, prescription_date: date | None = None,
         care_end_date: date | None = None, quantity: int = 1, count: int = 1,
         expense: int | None = None, nature_complement: str = "", expense_qualifier: str = "",
         management_code: int = 0, exemption: str = "", processing_mode: int = 0,
         discipline: int = 0, am_rate: int = 0, am_amount: int = 0, amc_rate: int = 0,
         amc_amount: int = 0, amc_base: int = 0, niveau: str | None = None) -> str:
    """``210`` professional act line (layout "210", lines 3–27).

    ``line`` 2 digits; ``nature`` act code 3 (``AMI``, ``AIS``, ``IFD``…);
    ``coefficient`` 5 digits (scale not given by the source; this demo writes
    hundredths, e.g. ``100`` = 1, ``150`` = 1.5 — INVENTED); prices, base and
    amounts in cents; ``rate`` percent (3); ``reimbursed`` is signed (lines
    14–15). ``care_end_date`` defaults to ``care_date``, ``prescription_date``
    to ``care_date``, ``expense`` to ``unit_price * quantity``.
    """
    values: dict[str, object] = {
        "line": line, "management_code": management_code, "exemption": exemption,
        "processing_mode": processing_mode, "discipline": discipline,
        "prescription_date": prescription_date or care_date, "care_date": care_date,
        "care_end_date": care_end_date or care_date, "unit_price": unit_price,
        "base": base, "rate": rate, "nature": nature,
        "nature_complement": nature_complement, "quantity": quantity,
        "coefficient": coefficient, "count": count,
        "expense": unit_price * quantity if expense is None else expense,
        "expense_qualifier": expense_qualifier, "am_rate": am_rate, "am_amount": am_amount,
        "amc_rate": amc_rate, "amc_amount": amc_amount, "amc_base": amc_base,
    }
    _money(values, "reimbursed", "sign", reimbursed, 8)
    return entity("210", values, niveau=niveau)


def retenue(*, line: int, debt_reference: str, debt_date: date, amount: int,
            debt_nature: str = "IND", operation: str = "RPR", balance: int | None = 0,
            niveau: str | None = None) -> str:
    """``250`` financial movement — retenue (layout "250", lines 3–10).

    ``debt_reference`` 10, ``debt_nature`` list H (``IND``…), ``operation``
    list I (``RPR``…), ``amount`` signed cents (lines 8–9; a deduction is
    negative), ``balance`` remaining debt, unsigned (line 10).
    """
    values: dict[str, object] = {"line": line, "debt_reference": debt_reference,
                                 "debt_date": debt_date, "debt_nature": debt_nature,
                                 "operation": operation, "balance": balance}
    _money(values, "amount", "sign", amount, 8)
    return entity("250", values, niveau=niveau)


def forfait(code: int | str, amount: int, *, niveau: str | None = None) -> str:
    """``261`` one-off or flat-rate payment: code, 5 digits (line 3), amount,
    unsigned cents (line 4)."""
    return entity("261", {"code": code, "amount": amount}, niveau=niveau)


def forfait_detail(*, code: str, label: str, period: str, amount: int,
                   start: date | None = None, end: date | None = None,
                   nir: str | None = None, nir_key: str | int | None = None,
                   birth_date: date | None = None, birth_rank: int | None = None,
                   niveau: str | None = None) -> str:
    """``262`` detail of a forfait (layout "262", lines 3–12): code 5, label
    80, optional NIR 13 + key 2, birth date and rank, period (A/S/T/M/H/P),
    period start/end, amount (unsigned cents)."""
    return entity("262", {"code": code, "label": label, "nir": nir, "nir_key": nir_key,
                          "birth_date": birth_date, "birth_rank": birth_rank,
                          "period": period, "start": start, "end": end, "amount": amount},
                  niveau=niveau)


def rejet(line: int, code: str, label: str, *, niveau: str | None = None) -> str:
    """``290`` reject or notice: line 2 digits (line 3), codification 10
    (line 4), label 80 (line 5)."""
    return entity("290", {"line": line, "code": code, "label": label}, niveau=niveau)


def ligne_rejet(code: str, label: str, *, level: str = "F", part: str = "O",
                nature: str = "", care_date: date | None = None,
                performer: int | str | None = None, line: int | None = None,
                rank: int | None = None, info: str = "", niveau: str | None = None) -> str:
    """``294`` reject line (layout "294", lines 3–12): code 4 (e.g. ``2900``),
    label 86, level ``F``/``L``/``A``, part ``O``/``C``, act nature 5, date of
    care, performer 9 digits, line 3 digits, rank 2 digits, additional info 30."""
    return entity("294", {"code": code, "label": label, "level": level, "part": part,
                          "nature": nature, "care_date": care_date, "performer": performer,
                          "line": line, "rank": rank, "info": info}, niveau=niveau)


def commentaire(comment: str, code: str = "", *, niveau: str | None = None) -> str:
    """``295`` comment line: code 1 (line 3), comment 128 (line 4)."""
    return entity("295", {"code": code, "comment": comment}, niveau=niveau)


def totals(count: int, total: int, level_id: str = "") -> str:
    """``990`` control entity (layout "990", lines 3–6): which level it closes
    (17, free text), lower-level count (8), signed sum (11 + sign)."""
    values: dict[str, object] = {"level_id": level_id, "count": count}
    _money(values, "total", "sign", total, 11)
    return entity("990", values)


def trailer(*, sender_type: str, sender_number: str | int, recipient_number: str | int,
            file_id: str, record_count: int, lot_count: int, file_total: int,
            recipient_type: str = "TP", flow_type: str = "R", sender_program: str = "",
            recipient_program: str = "", application_type: str = "",
            other_currency_total: int | None = 0) -> str:
    """``999`` end of file, 128 characters, no ``@`` (layout "999", lines 1–17).

    ``file_total`` is signed (lines 14–15); ``other_currency_total`` unsigned
    (line 16).
    """
    if isinstance(recipient_number, int):
        recipient_number = number_field(recipient_number, 14, "999 #6 Numéro de destinataire")
    values: dict[str, object] = {
        "sender_type": sender_type, "sender_number": sender_number,
        "sender_program": sender_program, "recipient_type": recipient_type,
        "recipient_number": recipient_number, "recipient_program": recipient_program,
        "application_type": application_type, "file_id": file_id,
        "record_count": record_count, "flow_type": flow_type, "lot_count": lot_count,
        "other_currency_total": other_currency_total,
    }
    _money(values, "file_total", "file_total_sign", file_total, 11)
    return entity("999", values)


# --------------------------------------------------------------------------
# Whole files
# --------------------------------------------------------------------------


def field_value(ent: str, key: str) -> str:
    """Raw value of field ``key`` in an entity built by this module."""
    etype = ent[:3]
    pos = 3 if etype in FIXED_128 else 5
    for f in LAYOUTS[etype]:
        if f.key == key:
            return ent[pos:pos + f.width]
        pos += f.width
    raise InvalidValueError(f"no field {key!r} in entity {etype}")


def signed_value(ent: str, key: str, sign_key: str | None) -> int:
    value = int(field_value(ent, key))
    return -value if sign_key and field_value(ent, sign_key) == "N" else value


@dataclass
class _Block:
    """Running counters of the open top-level block of a :class:`NoemieFile`."""

    label: str
    invoices: int = 0
    movements: int = 0
    money: int = 0


class NoemieFile:
    """Assemble a NOEMIE file and compute its ``990``/``999`` controls.

    Usage::

        nf = NoemieFile(sender_type="CP", sender_number=1511,
                        recipient_number=974123456, file_id="000123",
                        created=date(2026, 3, 5))
        nf.add(virement(date(2026, 3, 5), "VIR CPAM 511 RSP"))
        nf.open_block(lot(date(2026, 3, 2), 42))
        nf.add(return_type("01"))
        nf.add(facture(12345, lot_number=42, lot_date=date(2026, 3, 2)))
        nf.add(part_amo(905, "P", 905))
        nf.close_block()                       # writes the 990
        payload = nf.to_bytes(compress=True)   # 000 … 999, gzip

    The rules used for the controls are in the module docstring.
    """

    #: Entity types that count as "money" in a block (198/199 paid, 250, 261).
    _MONEY = {"198": ("paid", "paid_sign"), "199": ("paid", "paid_sign"),
              "250": ("amount", "sign"), "261": ("amount", None)}

    def __init__(self, *, sender_type: str, sender_number: str | int,
                 recipient_number: str | int, file_id: str, created: date,
                 recipient_type: str = "TP", reference: str = "0580", version: str = "01",
                 flow_type: str = "R", application_type: str = "", message: str = "") -> None:
        self._ids: dict[str, Any] = dict(
            sender_type=sender_type, sender_number=sender_number,
            recipient_number=recipient_number, file_id=file_id, recipient_type=recipient_type,
            flow_type=flow_type, application_type=application_type)
        self._entities: list[str] = [header(created=created, reference=reference,
                                            version=version, message=message, **self._ids)]
        self._block: _Block | None = None
        self._block_sums: list[int] = []
        self._lots = 0

    def add(self, *entities: str) -> NoemieFile:
        """Append entities built by this module; updates the open block."""
        for ent in entities:
            etype = ent[:3]
            if etype not in LAYOUTS or len(ent) != entity_width(etype):
                raise InvalidValueError(f"not an entity built by this module: {ent[:20]!r}")
            if etype in FIXED_128 or etype == "990":
                raise InvalidValueError(f"{etype} is written by NoemieFile itself")
            if etype == "080":
                raise InvalidValueError("use open_block() for a lot (080)")
            blk = self._block
            if blk is not None:
                if etype in ("100", "102"):
                    blk.invoices += 1
                if etype in self._MONEY:
                    key, sign_key = self._MONEY[etype]
                    blk.money += signed_value(ent, key, sign_key)
                    if etype in ("250", "261"):
                        blk.movements += 1
            self._entities.append(ent)
        return self

    def add_raw(self, text: str) -> NoemieFile:
        """Append raw text (e.g. an unknown ``777…@`` entity for decoder tests).

        It is counted in the 999 record count but in no total.
        """
        self._entities.append(text)
        return self

    def open_block(self, first: str, level_id: str | None = None) -> NoemieFile:
        """Open a top-level block with an ``080`` lot or an ``081`` outside lots.

        ``level_id`` goes to the 990's "identification du niveau de rupture";
        by default ``LOT <n°>`` for a lot, ``RETOUR <code>`` for an 081 (INVENTED).
        """
        if self._block is not None:
            raise InvalidValueError("close_block() the previous block first")
        etype = first[:3]
        if etype == "080":
            self._lots += 1
            label = f"LOT {field_value(first, 'lot_number')}"
        elif etype == "081":
            label = f"RETOUR {field_value(first, 'return_type')}"
        else:
            raise InvalidValueError("a block starts with an 080 or an 081 entity")
        self._entities.append(first)
        self._block = _Block(level_id if level_id is not None else label)
        return self

    def close_block(self) -> NoemieFile:
        """Write the ``990`` closing the open block."""
        blk = self._block
        if blk is None:
            raise InvalidValueError("no block is open")
        self._entities.append(totals(blk.invoices or blk.movements, blk.money, blk.label))
        self._block_sums.append(blk.money)
        self._block = None
        return self

    @property
    def file_total(self) -> int:
        """Signed sum of the closed blocks (the 999 file total)."""
        return sum(self._block_sums)

    def text(self, *, line_breaks: bool = False) -> str:
        """The whole file as text, ``000`` to ``999``.

        ``line_breaks=True`` puts CRLF after each entity (some decoders must
        cope with that, layout §1 "Line breaks").
        """
        if self._block is not None:
            raise InvalidValueError("close_block() before writing the file")
        ents = list(self._entities)
        ents.append(trailer(record_count=len(ents) + 1, lot_count=self._lots,
                            file_total=self.file_total, **self._ids))
        return ("\r\n" if line_breaks else "").join(ents) + ("\r\n" if line_breaks else "")

    def to_bytes(self, *, compress: bool = False, line_breaks: bool = False) -> bytes:
        """ASCII bytes of :meth:`text`, optionally gzip-compressed (mtime 0)."""
        return encode_payload(self.text(line_breaks=line_breaks), compress=compress)


def encode_payload(text: str, *, compress: bool = False) -> bytes:
    """ASCII-encode a NOEMIE/ARL text; gzip it deterministically (mtime 0) if asked."""
    data = text.encode("ascii")
    return gzip.compress(data, mtime=0) if compress else data


# --------------------------------------------------------------------------
# ARL (INVENTED format, see module docstring)
# --------------------------------------------------------------------------


def arl_record(*, caisse: str | int, lot_number: int, acked_file_id: str, received: date,
               positive: bool, reason_code: str | None = None,
               reason_label: str | None = None, invoice_count: int = 0) -> str:
    """The invented ``ARL`` entity (94 characters, see "ARL layout" above).

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
    ids: dict[str, Any] = dict(sender_type=sender_type, sender_number=sender_number,
                               recipient_number=recipient_number, file_id=file_id,
                               flow_type=flow_type, application_type="AR")
    text = (header(created=created, reference="ARL", **ids)
            + arl_record(caisse=caisse, lot_number=lot_number, acked_file_id=acked_file_id,
                         received=received, positive=positive, reason_code=reason_code,
                         reason_label=reason_label, invoice_count=invoice_count)
            + trailer(record_count=3, lot_count=1, file_total=0, **ids))
    return encode_payload(text, compress=compress)


# --------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------


def caisse_address(caisse: str | int, regime: str = "01") -> str:
    """``<régime 2><caisse 3>@<caisse>.<régime>.rss.fr``, e.g. ``01511@511.01.rss.fr``."""
    c = number_field(caisse, 3, "caisse")
    r = number_field(regime, 2, "régime")
    return f"{r}{c}@{c}.{r}.rss.fr"


def iris_subject(sender_number: str | int, when: datetime, count: int = 0,
                 code: str = "100500") -> str:
    """IRIS-style subject ``IR<code>/<14-digit sender>/<YYYYMMDDHHMMSS>/<5-digit count>``.

    Modelled on the outgoing Calebasse subject (domain.md §1.1); its use for
    *return* mails is INVENTED.
    """
    return (f"IR{text_field(code, 6, 'code')}/{number_field(sender_number, 14, 'sender')}/"
            f"{when.strftime('%Y%m%d%H%M%S')}/{number_field(count, 5, 'count')}")


def edi_message(payload: bytes, *, caisse: str | int, to: str, date: datetime,
                message_id: str, nature: str = "NOEMIE/RSP", compressed: bool | None = None,
                regime: str = "01", subject: str | None = None, sender_number: str | int | None = None,
                invoice_count: int = 0, boundary: str | None = None,
                trace_headers: Sequence[tuple[str, str]] = ()) -> EmailMessage:
    """A machine return e-mail carrying ``payload`` (see "E-mail" above).

    * From: :func:`caisse_address`; To: the PS's télétransmission address.
    * Subject: :func:`iris_subject` of ``sender_number`` (default: régime +
      caisse) unless given.
    * One ``application/EDI-consent`` part, base64, ``Content-Description``
      = ``nature`` (+ ``/Z`` when the payload is gzip; detected by its magic
      number when ``compressed`` is ``None``).
    * ``boundary``: when given, the EDI part is wrapped, alone, in a
      ``multipart/mixed`` with that boundary; otherwise the message itself
      is the EDI part.
    * ``trace_headers`` (Return-Path, Received…) are put first, in order.
    ``date`` must be timezone-aware; ``message_id`` includes the ``<>``.
    """
    if compressed is None:
        compressed = payload[:2] == GZIP_MAGIC
    if compressed and not nature.endswith("/Z"):
        nature += "/Z"
    sender = caisse_address(caisse, regime)
    if subject is None:
        subject = iris_subject(sender_number if sender_number is not None
                               else f"{regime}{number_field(caisse, 3, 'caisse')}",
                               date, invoice_count)
    msg = EmailMessage()
    for name, value in trace_headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["MIME-Version"] = "1.0"
    if boundary is None:
        msg.set_content(payload, maintype="application", subtype="EDI-consent", cte="base64")
        msg["Content-Description"] = nature
    else:
        part = EmailMessage()
        part.set_content(payload, maintype="application", subtype="EDI-consent", cte="base64")
        part["Content-Description"] = nature
        msg.make_mixed()
        msg.set_boundary(boundary)
        msg.attach(part)
        del part["MIME-Version"]
    return msg


def edi_mail(payload: bytes, **kwargs: Any) -> bytes:
    """:func:`edi_message` serialised to bytes (LF line endings, as in a Maildir).

    Takes the same keyword arguments as :func:`edi_message`.
    """
    return edi_message(payload, **kwargs).as_bytes()
