"""The NOEMIE PS entity layout: one table, read by the decoder and written by the demo writer.

Source: ``shared/noemie-layout.md`` §2 (entities) and §3 (code lists), itself taken
from ``ZTH1970/alcide: calebasse/facturation/noemie_format.py``. For each entity
type, :data:`NOEMIE` lists the fields that follow "type (3) + niveau de rupture
(2)", in order, ``@`` excluded; for ``000``/``999`` the fields that follow the
type. Every field keeps its line (``#``) and French name in the layout table.

:data:`ARL` is the **invented** acknowledgement entity of the demo writer (the
real ARL layout is not public); it is not a NOEMIE entity, so the NOEMIE
decoder does not know it and skips it as an unknown type.

Niveau de rupture: the values fixed by the source (layout §1) are marked
``niveau_fixed``; for the others the value given is the demo writer's
**invented** default (080 → ``02``, invoice level → ``03``, lines → ``04``).
The decoder never uses the niveau.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from cpambot.errors import InvalidValueError


class Kind(StrEnum):
    """How a field is written (layout §1, "Character set and padding")."""

    TEXT = "text"  # space-padded on the right
    NUMBER = "number"  # digits, zero-padded on the left
    DATE = "date"  # YYMMDD
    AMOUNT = "amount"  # cents, digits only, zero-padded
    SIGN = "sign"  # P / N, qualifies the amount field just before it
    CODE = "code"  # one value of the field's code list, space-padded
    FILLER = "filler"  # spaces


TEXT, NUMBER, DATE, AMOUNT = Kind.TEXT, Kind.NUMBER, Kind.DATE, Kind.AMOUNT
SIGN, CODE, FILLER = Kind.SIGN, Kind.CODE, Kind.FILLER

# --------------------------------------------------------------------------- code lists (§3)

#: List A, sender / recipient type (000, 999).
SENDER_TYPES = frozenset("CP CR CT MA OC CS OT SR SM RM CM EN CF RP CE CC BF AN SE CI PB TE TP SI".split())
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
RECOVERY_OPERATIONS = frozenset("CIN RPR PAI RAS ANT RMO REL RDP RDT RDS NVP NVT PPR LOP LOT".split())
#: Flow type (000, 999): R or space real, T test, D demonstration.
FLOW_TYPES = frozenset({"R", "T", "D", " "})
PERIODS = frozenset("ASTMHP")  # 262
NAME_KINDS = frozenset("MPU")  # 110
INSURANCE_NATURES = frozenset({"AS", "AM", "AT"})  # 150
REJECT_LEVELS = frozenset("FLA")  # 294
REJECT_PARTS = frozenset("OC")  # 294
ENCRYPTION = frozenset({"O", "N", " "})  # 000
CURRENCIES = frozenset({"U"})  # 000
ARL_RESULTS = frozenset({"P", "N"})  # invented ARL entity

# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Field:
    """One fixed-width field. ``line`` is its ``#`` in the layout table and ``source`` its French
    name there (spelled as the source spells it); ``label`` is the French wording of the decoder's
    problem reports (``source`` unless shorter); ``codes`` the code list of a ``CODE`` field."""

    name: str
    width: int
    kind: Kind
    line: int
    source: str
    codes: frozenset[str] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.source)
        if (self.kind is CODE) != (self.codes is not None):
            raise InvalidValueError(f"{self.name}: a code list goes with a CODE field, and only there")

    def allows(self, code: str) -> bool:
        """Whether ``code`` (stripped or padded) is in the field's code list."""
        return self.codes is not None and code.strip() in {c.strip() for c in self.codes}


FIXED_128 = frozenset({"000", "999"})


@dataclass(frozen=True)
class EntityLayout:
    """One entity type: its fields in order, its niveau de rupture and, derived, widths and offsets."""

    type: str
    title: str  # the source's French name of the entity
    fields: tuple[Field, ...]
    niveau: str | None = None  # niveau written by default; None for 000/999, which have none
    niveau_fixed: bool = False  # True when the source fixes the niveau (layout §1)
    offsets: Mapping[str, int] = field(init=False, repr=False, compare=False)
    positions: Mapping[str, int] = field(init=False, repr=False, compare=False)  # name → index in fields

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", {f.name: i for i, f in enumerate(self.fields)})
        offsets: dict[str, int] = {}
        pos = self.start
        for f in self.fields:
            if f.name in offsets:
                raise InvalidValueError(f"{self.type}: field {f.name!r} twice")
            offsets[f.name] = pos
            pos += f.width
        object.__setattr__(self, "offsets", offsets)

    @property
    def framed(self) -> bool:
        """True when the entity has a niveau de rupture and ends with ``@`` (all but 000/999)."""
        return self.type not in FIXED_128

    @property
    def start(self) -> int:
        """Offset of the first field: after the type, and the niveau when there is one."""
        return 5 if self.framed else 3

    @property
    def width(self) -> int:
        """Total width of the entity, ``@`` included."""
        return self.start + sum(f.width for f in self.fields) + (1 if self.framed else 0)

    def field(self, name: str) -> Field:
        index = self.positions.get(name)
        if index is None:
            raise InvalidValueError(f"no field {name!r} in entity {self.type}")
        return self.fields[index]

    def sign_of(self, name: str) -> Field | None:
        """The ``P``/``N`` field that qualifies amount ``name``: the field right after it, if a sign."""
        self.field(name)
        index = self.positions[name]
        following = self.fields[index + 1] if index + 1 < len(self.fields) else None
        return following if following is not None and following.kind is SIGN else None


def _f(name: str, width: int, kind: Kind, line: int, source: str,
       codes: Iterable[str] | None = None, *, label: str = "") -> Field:
    return Field(name, width, kind, line, source, frozenset(codes) if codes is not None else None, label)


def _entity(etype: str, title: str, *fields: Field, niveau: str | None = None,
            fixed: bool = False) -> EntityLayout:
    return EntityLayout(etype, title, fields, niveau, fixed)


# Fields shared by several entities.
_ENVELOPE = (  # 000 and 999, lines 2–9
    _f("sender_type", 2, CODE, 2, "Type d'émetteur", SENDER_TYPES),
    _f("sender_number", 14, NUMBER, 3, "Numéro d'émetteur"),
    _f("sender_program", 6, TEXT, 4, "Programme émetteur"),
    _f("recipient_type", 2, CODE, 5, "Type de destinataire", SENDER_TYPES),
    _f("recipient_number", 14, TEXT, 6, "Numéro de destinataire"),
    _f("recipient_program", 6, TEXT, 7, "Programme destinataire"),
    _f("application_type", 2, TEXT, 8, "Application-type d'échange"),
    _f("file_id", 6, TEXT, 9, "Identification du fichier"),
)
_PAYEE = (_f("payee_number", 15, NUMBER, 3, "Numéro de destinataire de règlement"),)


def _part(kind: str) -> tuple[Field, ...]:  # 198 / 199, lines 3–6
    return (_f("claimed", 8, AMOUNT, 3, f"Montant {kind} demandé"),
            _f("state", 1, CODE, 4, f"État paiement part {kind}", PART_STATES),
            _f("paid", 8, AMOUNT, 5, f"Montant {kind} payé"),
            _f("paid_sign", 1, SIGN, 6, f"Signe du montant {kind} payé"))


def _act(hospital: bool) -> tuple[Field, ...]:
    """210 (professional act, lines 3–27) or 220 (hospital fees, lines 3–28, no prescription date)."""
    n = 7 if hospital else 8  # line of the care date
    head = (
        _f("line", 2, NUMBER, 3, "N° de ligne"),
        _f("management_code", 2, NUMBER, 4, "Code gestion technique pour régime"),
        _f("exemption", 1, TEXT, 5, "Justification pour exonération"),
        _f("processing_mode", 2, NUMBER, 6, "Mode de traitement"),
        _f("discipline", 3, NUMBER, 7, "Discipline médico-tarifaire"),
        *(() if hospital else (_f("prescription_date", 6, DATE, 8, "Date de prescription d'un acte",
                                  label="Date de prescription"),)),
        _f("care_date", 6, DATE, n + 1, "Date des soins ou date début", label="Date des soins"),
        _f("care_end_date", 6, DATE, n + 2, "Date de fin de soins"),
        _f("unit_price", 8, AMOUNT, n + 3, "Prix unitaire d'un acte", label="Prix unitaire"),
        _f("base", 8, AMOUNT, n + 4, "Base de remboursement d'un acte", label="Base de remboursement"),
        _f("rate", 3, NUMBER, n + 5, "Taux de remboursement"),
        _f("reimbursed", 8, AMOUNT, n + 6, "Montant remboursé"),
        _f("sign", 1, SIGN, n + 7, "Signe de l'acte"),
        _f("nature", 3, TEXT, n + 8, "Nature de la prestation"),
        _f("nature_complement", 2, CODE, n + 9, "Code complémentaire à la nature d'acte", NATURE_COMPLEMENTS),
        _f("quantity", 3, NUMBER, n + 10, "Quantité d'actes"),
        _f("coefficient", 5, NUMBER, n + 11, "Coefficient de l'acte"),
        _f("count", 3, NUMBER, n + 12, "Dénombrement des actes"),
        _f("expense", 8, AMOUNT, n + 13, "Montant de la dépense"),
        _f("expense_qualifier", 2, CODE, n + 14, "Qualificatif de la dépense", EXPENSE_QUALIFIERS),
    )
    m = n + 15 + (2 if hospital else 0)  # line of the Alsace-Moselle rate
    hospital_fields = (_f("global_coefficient", 5, NUMBER, 22, "Coefficient global pour hospitalisation"),
                       _f("flat_fee_code", 1, NUMBER, 23, "Code forfait à générer")) if hospital else ()
    return (*head, *hospital_fields,
            _f("am_rate", 3, NUMBER, m, "Taux complémentaire Alsace/Moselle"),
            _f("am_amount", 8, AMOUNT, m + 1, "Montant complémentaire Alsace/Moselle"),
            _f("amc_rate", 3, NUMBER, m + 2, "Taux part complémentaire Mutuelle",
               label="Taux part complémentaire"),
            _f("amc_amount", 8, AMOUNT, m + 3, "Montant part complémentaire"),
            _f("amc_base", 8, AMOUNT, m + 4, "Base remboursement Mutuelle"))


_INVOICE, _LINE = "03", "04"  # invented default niveaux of invoice-level and line-level entities

#: Every NOEMIE PS entity type (layout §2).
NOEMIE: Mapping[str, EntityLayout] = {e.type: e for e in (
    _entity("000", "En-tête", *_ENVELOPE,
            _f("created", 6, DATE, 10, "Date de création du fichier"),
            _f("reference", 4, TEXT, 11, "Norme utilisée - référence de l'échange"),
            _f("version", 2, TEXT, 12, "Version utilisée"),
            _f("compression", 1, TEXT, 13, "Compactage"),
            _f("encryption", 1, CODE, 14, "Cryptage", ENCRYPTION),
            _f("currency", 1, CODE, 15, "Unité monétaire", CURRENCIES),
            _f("flow_type", 1, CODE, 16, "Type de flux", FLOW_TYPES),
            _f("filler", 11, FILLER, 17, "Blanc"),
            _f("record_length", 3, NUMBER, 18, "Longueur d'enregistrement"),
            _f("password", 6, TEXT, 19, "Mot de passe"),
            _f("message", 37, TEXT, 20, "Zone message")),
    _entity("010", "Organisme complémentaire",
            _f("amc_number", 7, NUMBER, 3, "Numéro d'organisme complémentaire"),
            _f("amc_key", 1, NUMBER, 4, "Clé du numéro d'organisme complémentaire"), niveau="01", fixed=True),
    _entity("020", "Mandataire", *_PAYEE, niveau="01", fixed=True),
    _entity("040", "Destinataire de règlement", *_PAYEE, niveau="02", fixed=True),
    _entity("070", "Date comptable", _f("accounting_date", 6, DATE, 3, "Date de la journée comptable"),
            niveau="02", fixed=True),
    _entity("071", "Date comptable et référence du virement",
            _f("date", 6, DATE, 3, "Date de la journée comptable ou date d'émission du virement",
               label="Date du virement"),
            _f("label1", 32, TEXT, 4, "Libellé du virement - ligne 1"),
            _f("label2", 32, TEXT, 5, "Libellé du virement - ligne 2"),
            _f("payer", 10, TEXT, 6, "Organisme payeur"), niveau="02", fixed=True),
    _entity("080", "Lot",
            _f("lot_date", 6, DATE, 3, "Date de constitution du lot"),
            _f("lot_number", 3, NUMBER, 4, "Numéro de lot"), niveau="02"),
    _entity("081", "Type de retour",
            _f("return_type", 2, CODE, 3, "Code du type de retour", RETURN_TYPES),
            _f("place", 14, TEXT, 4, "Numéro du lieu d'éxecution de l'acte"), niveau="02", fixed=True),
    _entity("100", "Facture", _f("invoice_number", 9, NUMBER, 3, "Numéro de facture"), niveau=_INVOICE),
    _entity("102", "Facture",
            _f("invoice_number", 9, TEXT, 3, "N° de facture"),
            _f("complement", 6, TEXT, 4, "Complément au n° de facture"),
            _f("lot_number", 3, TEXT, 5, "N° de lot"),
            _f("lot_date", 6, DATE, 6, "Date de création du lot"),
            _f("invoice_type", 1, CODE, 7, "Type de facture", INVOICE_TYPES),
            _f("billing_date", 6, DATE, 8, "Date de facturation"),
            _f("amc_processing", 1, CODE, 9, "Traitement effectué sur la part AMC", AMC_PROCESSING),
            _f("insurance_nature", 2, TEXT, 10, "Nature d'assurance"), niveau=_INVOICE),
    _entity("103", "Assuré et bénéficiaire",
            _f("nir", 13, TEXT, 3, "N° immatriculation"),
            _f("nir_key", 2, NUMBER, 4, "Clé du numéro d'immatriculation"),
            _f("birth_surname", 25, TEXT, 5, "Nom patronymique"),
            _f("usage_surname", 25, TEXT, 6, "Nom d'usage"),
            _f("first_name", 15, TEXT, 7, "Prénom"),
            _f("beneficiary_nir", 13, TEXT, 8, "N° immatriculation individuel"),
            _f("beneficiary_nir_key", 2, NUMBER, 9, "Clé du numéro d'immatriculation individuel"),
            _f("birth_date", 6, DATE, 10, "Date de naissance"),
            _f("birth_rank", 1, NUMBER, 11, "Rang de naissance"),
            _f("beneficiary_name", 25, TEXT, 12, "Nom"),
            _f("beneficiary_first_name", 15, TEXT, 13, "Prénom"),
            _f("management_unit", 4, NUMBER, 14, "Unité de gestion de rattachement"), niveau=_INVOICE),
    _entity("110", "Assuré",
            _f("nir", 13, TEXT, 3, "Numéro de sécurité sociale"),
            _f("nir_key", 2, NUMBER, 4, "Clé du numéro de sécurité sociale"),
            _f("name_kind", 1, CODE, 5, "Nature du nom", NAME_KINDS),
            _f("surname", 25, TEXT, 6, "Nom du bénéficiaire"),
            _f("filler", 26, FILLER, 7, "Blanc"),
            _f("first_name", 15, TEXT, 8, "Prénom du bénéficiaire"), niveau=_INVOICE),
    _entity("120", "Malade",
            _f("birth_date", 6, DATE, 3, "Date de naissance du bénéficiaire"),
            _f("rank", 1, TEXT, 4, "Rang du bénéficiaire"),
            _f("surname", 25, TEXT, 5, "Nom du malade"),
            _f("first_name", 15, TEXT, 6, "Prénom du malade"),
            _f("management_unit", 4, TEXT, 7, "Unité de gestion de rattachement"), niveau=_INVOICE),
    _entity("150", "Nature d'assurance", _f("nature", 2, CODE, 3, "Nature de l'assurance", INSURANCE_NATURES),
            niveau=_INVOICE),
    _entity("160", "Critère d'archivage", _f("archive_number", 17, NUMBER, 3, "Numéro d'archivage"),
            niveau=_INVOICE),
    _entity("198", "Part AMO", *_part("AMO"), niveau=_INVOICE),
    _entity("199", "Part AMC", *_part("AMC"),
            _f("amc_number", 10, NUMBER, 7, "N° AMC destinataire"),
            _f("member_id", 15, TEXT, 8, "N° identification AMC de l'adhérent"), niveau=_INVOICE),
    _entity("210", "Acte professionnel", *_act(hospital=False), niveau=_LINE),
    _entity("220", "Frais hospitaliers", *_act(hospital=True), niveau=_LINE),
    _entity("250", "Mouvement financier - retenue",
            _f("line", 2, NUMBER, 3, "Numéro de ligne pour noemie", label="Numéro de ligne"),
            _f("debt_reference", 10, TEXT, 4, "Référence de la dette"),
            _f("debt_date", 6, DATE, 5, "Date d'enregistrement de la dette"),
            _f("debt_nature", 3, CODE, 6, "Nature de la dette", DEBT_NATURES),
            _f("operation", 3, CODE, 7, "Nature des opérations de récupération", RECOVERY_OPERATIONS),
            _f("amount", 8, AMOUNT, 8, "Montant du mouvement financier"),
            _f("sign", 1, SIGN, 9, "Signe de l'acte"),
            _f("balance", 8, AMOUNT, 10, "Montant du solde d'une dette"), niveau=_INVOICE),
    _entity("261", "Paiements ponctuels ou forfaitaires",
            _f("code", 5, NUMBER, 3, "Code paiement ponctuel ou forfaitaire"),
            _f("amount", 8, AMOUNT, 4, "Montant paiment ponctuel ou forfaitaire",
               label="Montant du paiement forfaitaire"), niveau=_INVOICE),
    _entity("262", "Détail paiement ponctuel ou forfaitaire",
            _f("code", 5, TEXT, 3, "Codification"),
            _f("label", 80, TEXT, 4, "Libellé associé"),
            _f("nir", 13, TEXT, 5, "N° d'immatriculation"),
            _f("nir_key", 2, NUMBER, 6, "Clé du numéro d'immatriculation"),
            _f("birth_date", 6, DATE, 7, "Date de naissance"),
            _f("birth_rank", 1, NUMBER, 8, "Rang de naissance"),
            _f("period", 1, CODE, 9, "Période", PERIODS),
            _f("start", 6, DATE, 10, "Date début période"),
            _f("end", 6, DATE, 11, "Date fin période"),
            _f("amount", 8, AMOUNT, 12, "Montant"), niveau=_INVOICE),
    _entity("290", "Rejet ou signalement",
            _f("line", 2, NUMBER, 3, "N° de ligne"),
            _f("code", 10, TEXT, 4, "Codification"),
            _f("label", 80, TEXT, 5, "Libellé"), niveau=_INVOICE),
    _entity("294", "Ligne rejet",
            _f("code", 4, TEXT, 3, "Codification du rejet"),
            _f("label", 86, TEXT, 4, "Libellé du rejet"),
            _f("level", 1, CODE, 5, "Niveau de rejet", REJECT_LEVELS),
            _f("part", 1, CODE, 6, "Part concerné", REJECT_PARTS),
            _f("nature", 5, TEXT, 7, "Nature de prestation concernée"),
            _f("care_date", 6, DATE, 8, "Date des soins"),
            _f("performer", 9, NUMBER, 9, "N° exécutant"),
            _f("line", 3, NUMBER, 10, "N° de ligne"),
            _f("rank", 2, NUMBER, 11, "Rang du rejet"),
            _f("info", 30, TEXT, 12, "Information complémentaire sur le rejet"), niveau=_INVOICE),
    _entity("295", "Ligne commentaire",
            _f("code", 1, TEXT, 3, "Code commentaire"),
            _f("comment", 128, TEXT, 4, "Commentaire"), niveau=_INVOICE),
    _entity("990", "Entité de contrôle",
            _f("level_id", 17, TEXT, 3, "Identification du niveau de rupture"),
            _f("count", 8, NUMBER, 4, "Compteur du niveau inférieur dans la hierarchie",
               label="Compteur du niveau inférieur"),
            _f("total", 11, AMOUNT, 5, "Cumul des montants de niveau inférieur", label="Cumul des montants"),
            _f("sign", 1, SIGN, 6, "Signe de l'acte"), niveau="99", fixed=True),
    _entity("999", "Fin de fichier", *_ENVELOPE,
            _f("record_count", 8, NUMBER, 10, "Nombre d'enregistrements"),
            _f("flow_type", 1, CODE, 11, "Type de flux", FLOW_TYPES),
            _f("filler", 18, FILLER, 12, "Blanc"),
            _f("lot_count", 3, NUMBER, 13, "Nombre de lots"),
            _f("file_total", 11, AMOUNT, 14, "Cumul des montants du fichier"),
            _f("file_total_sign", 1, SIGN, 15, "Signe du montant du fichier"),
            _f("other_currency_total", 11, AMOUNT, 16, "Cumul des montants du fichier dans l'autre monnaie",
               label="Cumul dans l'autre monnaie"),
            _f("filler2", 20, FILLER, 17, "Blanc")),
)}

#: The invented ARL acknowledgement entity (``cpambot.demo.noemie_writer``, "ARL layout").
ARL = _entity("ARL", "Accusé de réception logique (inventé)",
              _f("caisse", 3, NUMBER, 3, "Code caisse"),
              _f("lot_number", 3, NUMBER, 4, "Numéro de lot acquitté"),
              _f("acked_file_id", 6, TEXT, 5, "Identification du fichier acquitté"),
              _f("received", 6, DATE, 6, "Date de réception du fichier"),
              _f("result", 1, CODE, 7, "Résultat (P positif / N négatif)", ARL_RESULTS),
              _f("reason_code", 4, TEXT, 8, "Code motif"),
              _f("reason_label", 60, TEXT, 9, "Libellé du motif"),
              _f("invoice_count", 5, NUMBER, 10, "Nombre de factures reçues"), niveau="01", fixed=True)

#: Every entity the demo writer can write: the NOEMIE ones and the invented ARL.
WRITABLE: Mapping[str, EntityLayout] = {**NOEMIE, ARL.type: ARL}

#: Total width of each entity type, ``@`` included, for the framing of a NOEMIE and of an ARL file.
NOEMIE_WIDTHS: Mapping[str, int] = {t: e.width for t, e in NOEMIE.items()}
ARL_WIDTHS: Mapping[str, int] = {t: WRITABLE[t].width for t in ("000", ARL.type, "999")}
