"""Rows from label/value cards ("Facture : 123456789", "Montant : 63,00 €"), one record per card, the
parts of an invoice (AMO, AMC) kept apart."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.cells import REFUSED_WHOLE, invoice_of, invoices_in, role_of
from cpambot.understanding.rows.model import Row
from cpambot.understanding.rows.rowcells import row_from_cells

_TRAILING_COLON = re.compile(r"\s*:$")
_FIGURE_OR_TAB = re.compile(r"\d|\t")
_BRACKETS = re.compile(r"\([^)]*\)")
_SMALL_LETTERS = re.compile(r"[a-zà-ÿ]{2}")

_CARD_LINE = re.compile(r"^\s*[-•*]?\s*([^:\n]{2,45}?)\s*(?:\u00a0)?:\s*(.*?)\s*$")


# a card's first line naming its invoice without a colon ("Facture 260770051", "Facture n° 260 770 051")
# ("LOT 214 - FACTURE 609 018 774", "Facture 260770051 (lot 214)": with its lot)
_INVOICE_HEADING = re.compile(r"(?i)^\s*(?:lot\s*(?:n[°o]\s*)?(\d{3})\s*[-–—,/:]\s*)?"
                              r"(?:n[°o]\s*(?:de\s*)?)?facture\s*(?:n[°o]\s*)?"
                              r"(\d{3}\s?\d{3}\s?\d{3})\s*(?:[-–—,(]\s*lot\s*(?:n[°o]\s*)?(\d{3})\s*\)?)?"
                              # ("Facture 000451293 – Réglée": its status after a dash)
                              r"(?:\s*[-–—]\s*(r[ée]gl[ée]e|pay[ée]e|rejet[ée]e|refus[ée]e|en attente))?\s*$")
_PART = re.compile(r"\bpart\b.*?\b(?:(amc|complementaire|mutuelle|ro?c)|amo|obligatoire"
                   r"|regime obligatoire|ro)\b")
_AFTER_AMOUNT = re.compile(r"(?:€|\beur\b|\d)\s*[-–:]\s*([^\W\d].{2,80})$", re.IGNORECASE)


def card_rows(lines: Iterable[str], *, source: str = "card", default_year: int | None = None) -> list[Row]:
    """Rows from label/value lines ("Facture : 123456789", "Montant : 63,00 €"); a new record starts
    when a label comes back or an invoice follows another."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    lot_heading: str | None = None
    labels: dict[str, str] = {}  # each role's label in the card being read
    lines = _labels_joined(list(lines))
    matches = [_CARD_LINE.match(line) for line in lines]
    roles = [_card_role(found.group(1)) if found else None for found in matches]
    for index, line in enumerate(lines):
        found = matches[index]
        role = roles[index]
        if found is None and (heading := _LOT_HEADING.match(line) or _LOT_ABOVE.search(line)):
            lot_heading = heading.group(1)  # "Lot 067 – télétransmis le 12/10/2026" above its cards
            if current:  # (the card above was the previous lot's: "Décision / Lot rejeté dans sa totalité")
                records.append(current)
                current, labels = {}, {}
            continue
        if found is not None and (heading := _LOT_HEADING.match(line)) and heading.end() <= found.end(1) \
                and len(found.group(2)) <= 60 and ":" not in found.group(2):
            # "1) Lot 052 du 19/10/2026 : rejeté en totalité": a heading (the lot's own card may follow:
            # "Motif", "Conduite à tenir"), not a "Lot" label
            lot_heading = heading.group(1)
            if current:
                records.append(current)
            current = {"lot": lot_heading, "status": found.group(2)} \
                if _REFUSED_WHOLE.search(found.group(2)) else {}
            labels = {}
            continue
        if found is not None and (heading := _LOT_HEADING.match(line)) and heading.end() <= found.end(1) \
                and len(invoices_in(found.group(2))) == 1:
            # "Lot 234 du 25/11/2026 : la facture 000 233 871 (soins du 20/11/2026, 28,35 €) est en anomalie."
            # then "Motif : …": the card of that invoice, in that lot
            lot_heading = heading.group(1)
            if current:
                records.append(current)
            current = {"lot": lot_heading, "invoice": found.group(2), "status": found.group(2)}
            if len(sums := find_amounts(found.group(2))) == 1:
                current["amount"] = f"{sums[0]} €"
            if care := _CARE_DAY.search(found.group(2)):  # "(soins du 20/11/2026, 28,35 €)"
                current["care_date"] = care.group(1)
            labels = {}
            continue
        if found is None and index and roles[index - 1] in ("motif", "status") and "consigne" not in current \
                and line.strip() and not invoices_in(line) and _ASKS.match(line) \
                and action_of(line) is not None:
            # "Motif : 1002 017 - …" / "Merci de reconstituer le lot et de le retransmettre.": its instruction
            current["consigne"] = line.strip()
            continue
        if found is None and _continues(line, roles[index - 1] if index else None, current):
            # "Motif du rejet : 0450 072" / " Exonération non trouvée …", "Consigne : vérifiez …, puis" /
            # "établissez une nouvelle facture": the value goes on under its label
            current[roles[index - 1]] += " " + line.strip()  # type: ignore[index]
            roles[index] = roles[index - 1]
            continue
        if found is None or role is None:
            # a blank line ends a record when the block after it names its own invoice (one label
            # per paragraph, as flattened HTML writes them, does not)
            if not line.strip() and current.get("invoice") and _block_has_invoice(roles, lines, index + 1):
                records.append(current)
                current = {}
            continue
        value = found.group(2)
        part = _PART.search(normalize(found.group(1)))
        if role == "amount" and part is not None:
            # "Part obligatoire (AMO) : 31,50 € - réglée par la caisse" beside "Part complémentaire (AMC)":
            # two parts of one invoice, kept apart (the complementary platforms' rows are the AMC part)
            role = "amc_part" if part.group(1) else "amo_part"
        if role == "amount" and part is None and re.search(r"\btotal\b", normalize(found.group(1))):
            role = "total_amount"  # "Montant total de la facture" beside the part it is about: that part's
        if role == "other_date" and role in current:
            continue  # "Date de traitement" above the cards, "Date de réception" in one: no new card
        label = normalize(found.group(1))
        if role in current and value and labels.get(role, label) != label and "invoice" not in current:
            continue  # "Motif : lot incomplet" then "Détail : 8 factures annoncées …": more of one card
        if role in current and value:
            records.append(current)
            current = {}
        if value:
            current[role] = value
            labels[role] = label
            if role == "status" and lot_heading and "invoice" not in current and _REFUSED_WHOLE.search(value):
                # ("Décision : Lot rejeté dans sa totalité" under its lot's heading)
                current.setdefault("lot", lot_heading)
            if role == "invoice" and lot_heading and "lot" not in current and invoices_in(value):
                current["lot"] = lot_heading
    records.append(current)
    records = [r for record in records for r in _parts_apart(record)]
    for record in records:
        if "amc_part" in record or "amo_part" in record:
            part_value = record.pop("amc_part", None) or record.pop("amo_part")
            record.pop("amo_part", None)
            said = _AFTER_AMOUNT.search(part_value)  # "13,50 € - REJETÉE", "9,00 € - RÉGLÉE le 20/10"
            record.setdefault("amount", part_value[:said.start(1)].rstrip(" -–:") if said else part_value)
            if said and "status" not in record:
                record["status"] = said.group(1)
    for record in records:  # (the invoice's total: its sum when the card gives no part of it)
        if "total_amount" in record:
            record.setdefault("amount", record.pop("total_amount"))
    rows = []
    for record in records:
        if "invoice" not in record and "lot" not in record:
            continue
        part_name = record.pop("part", None)
        row = row_from_cells(record, source=source, default_year=default_year)
        if row is not None and (row.invoice or len(record) >= 2):
            rows.append(replace(row, part=part_name) if part_name else row)
    return rows


_LOT_HEADING = re.compile(r"(?i)^\s*(?:\d{1,2}[.)]\s*|[-•*]\s*)?lot\s*(?:n[°o]\s*)?(\d{3})\b(?!\s*:)")
# "Par ailleurs, dans votre lot n° 313, la facture suivante n'a pas pu être prise en charge :" over a card
_REFUSED_WHOLE = re.compile(r"(?i)" + REFUSED_WHOLE)
_LOT_ABOVE = re.compile(r"(?i)\blot\s*(?:n[°o]\s*)?(\d{3})\b[^:\n]*\bfactures? suivantes?\b[^:\n]*:\s*$")
_PART_PAID = re.compile(r"(?i)\b(?:r[ée]gl[ée]e?|pay[ée]e?|vers[ée]e?|rembours[ée]e?|mise en paiement)\b")
_PART_REJECTED = re.compile(r"(?i)\b(?:rejet[ée]e?|refus[ée]e?"
                            r"|non (?:r[ée]gl[ée]e?|pay[ée]e?|prise en charge))\b\s*(?:[-–—:]\s*(.+))?$")


def _parts_apart(record: dict[str, str]) -> list[dict[str, str]]:
    """A card telling the two parts of one invoice apart, one paid and the other rejected ("Part
    obligatoire : réglée – 27,60 €", "Part complémentaire (C2S) : rejetée – droits C2S non ouverts"):
    one record per part, each with its own amount, outcome and motif."""
    amo, amc = record.get("amo_part"), record.get("amc_part")
    if not amo or not amc:
        return [record]
    outcomes = [(_PART_REJECTED.search(v), _PART_PAID.search(v)) for v in (amo, amc)]
    if not all(bool(rejected) != bool(paid) for rejected, paid in outcomes) \
            or bool(outcomes[0][0]) == bool(outcomes[1][0]):
        return [record]  # both paid, both rejected, or not said: one invoice as before
    base = {k: v for k, v in record.items() if k not in ("amo_part", "amc_part", "amount", "status", "motif")}
    out = []
    for name, value, (rejected, _) in (("AMO", amo, outcomes[0]), ("AMC", amc, outcomes[1])):
        amounts = find_amounts(value)
        cells = {**base, "part": name, "status": "rejetée" if rejected else "réglée"}
        if amounts:
            cells["amount"] = str(amounts[0]).replace(".", ",")
        if rejected and rejected.group(1):
            cells["motif"] = re.sub(r"\s*\([^)]*\)\s*$", "", rejected.group(1)).strip(" .;")
        elif rejected:  # "Part complémentaire (AMC) : 13,50 € - REJETÉE" then "Motif : …" on its own line
            cells.update({k: record[k] for k in ("motif", "code") if record.get(k)})
        out.append(cells)
    return out


_PAID_LABEL = re.compile(r"regle|paye|verse|rembourse|vire|\bpaid\b|^(?:montant )?pris en charge")
_GAP_LABEL = re.compile(r"\breste\b|restant|non pris en charge|ecart|difference|\bsolde\b")


_CARE_DAY = re.compile(r"(?i)\bsoins?\s+(?:du|le)\s+(\d{1,2}[/.]\d{1,2}[/.]\d{2,4})(?!\s*au\b)")
_ASKS = re.compile(r"(?i)\s*(?:merci|veuillez|nous vous (?:invitons|remercions|prions)"
                   r"|je vous (?:invite|remercie))\b")
_BARE_CODE = re.compile(r"\d{4}\s?\d{3}")
_GOES_ON = re.compile(r"(?:,|\bpuis|\bet|\bou|\bde|\bdu|\bla|\ble|\bles|\bdes|:)$")


def _continues(line: str, above: str | None, current: dict[str, str]) -> bool:
    """Whether ``line`` (no label of its own) goes on with the motif or the instruction of the line above:
    under a bare code, after a value cut mid-sentence, or starting in lower case."""
    if above not in ("motif", "consigne") or above not in current or not line.strip() \
            or invoices_in(line) or _LOT_HEADING.match(line):
        return False
    said = current[above].strip()
    return bool(_BARE_CODE.fullmatch(said) or _GOES_ON.search(said) or line.strip()[0].islower())


def _card_role(label: str) -> str | None:
    """A card label's role: as a column header's, with the amounts a platform's card sets side by side
    told apart ("Montant demandé", "Montant payé", "Reste non pris en charge", "Motif de l'écart")
    and a member number ("N° d'adhérent") that is not the patient."""
    role = role_of(label)
    folded = normalize(label)
    if role == "motif" and re.match(r"precisions?\b", folded):
        return None  # "Motif de rejet : …" then "Précision : …": the motif's explanation, not another card
    if role in ("amount", "motif") and _GAP_LABEL.search(folded):
        return None  # what is left unpaid of a partial payment: not the invoice's amount nor a reject
    # ("Montant réglé (part obligatoire)": the paid amount, its part said in brackets)
    if role == "amount" and _PAID_LABEL.search(folded) and not _PART.search(_BRACKETS.sub("", folded)):
        return "paid_amount"
    if role == "beneficiary" and re.match(r"(?:n[°o]|numero|num\.?)\b", folded) \
            and not re.search(r"beneficiaire|patient|assure", folded):
        return None  # "N° d'adhérent : 0045812207": the member's number, not who was cared for
    return role


def _block_has_invoice(roles: list[str | None], lines: list[str], start: int) -> bool:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].strip():
        if roles[index] == "invoice":
            return True
        index += 1
    return False


def _labels_joined(lines: list[str]) -> list[str]:
    """Cards whose label and value stand in paragraphs of their own ("Facture", blank, "310902217", as a
    mail client writes a grid of ``<div>`` in plain text) rewritten "Facture : 310902217"."""
    lines = _one_label_a_line(_unglued(lines))
    out: list[str] = []
    invoices = 0
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        nxt = index + 1
        while nxt < len(lines) and nxt - index <= 3 and not lines[nxt].strip():
            nxt += 1
        line = _TRAILING_COLON.sub("", line)  # "Facture n° :", blank, "001 204 557"
        if line and _label(line) and nxt < len(lines) and lines[nxt].strip() \
                and not _labelled(lines[nxt]) \
                and _value_of(line, lines, nxt):
            out.append(f"{line} : {lines[nxt].strip()}")
            invoices += role_of(line) == "invoice" and invoice_of(lines[nxt]) is not None
            index = nxt + 1
            continue
        if (found := _INVOICE_HEADING.match(lines[index])) is not None:
            out.append(f"Facture : {found.group(2)}")  # "Facture 260770051" opening a card
            if lot := found.group(1) or found.group(3):
                out.append(f"Lot : {lot}")
            if found.group(4):
                out.append(f"Statut : {found.group(4)}")
            invoices += 1
            index += 1
            continue
        out.append(lines[index])
        index += 1
    if not invoices:
        return lines
    cards = sum(1 for line in out if _CARD_LINE.match(line))
    return out if cards > invoices else lines  # (a salutation alone on its line is no label)


_GLUED_LABEL = re.compile(r"(?i)^\s*([^\W\d][^\d:()]{1,28}(?:[^\W\d]|°))"
                          r"(\d[\d\s\u00a0\u202f.,/]*(?:€|eur(?:os?)?)?)\s*$")  # a figure, a date, an amount


def _unglued(lines: list[str]) -> list[str]:
    """Cards whose labels a client glued to their values ("Lot229", "Montant remboursé126,00 €", "Facture
    n°001 117 402", as inline spans lose their space in plain text) rewritten "Lot : 229", when several
    lines of the block are written so."""
    glued = [(found if (found := _GLUED_LABEL.match(line)) and role_of(found.group(1)) else None)
             for line in lines]
    if sum(1 for found in glued if found) < 2:
        return lines
    return [f"{found.group(1)} : {found.group(2)}" if found else line
            for line, found in zip(lines, glued, strict=True)]


# "N° de facture : 000 599 741 – Montant : 54,90 € – Motif : …": the cut before each next label
_NEXT_LABEL = re.compile(r"\s+(?:[–—|;]|-(?=\s))\s*(?=[^\W\d][^:\n–—|;]{1,44}?\s*:)")


def _one_label_a_line(lines: list[str]) -> list[str]:
    """A card written on one line, its labels and values one after the other ("N° de facture : 000 599 741
    – Montant : 54,90 € – Motif : Incompatibilité …"), rewritten one label a line, when every piece is a
    label of a column."""
    out: list[str] = []
    for line in lines:
        pieces = _NEXT_LABEL.split(line) if ":" in line else [line]
        if len(pieces) > 1 and all(_labelled(piece) for piece in pieces):
            out += pieces
        else:
            out.append(line)
    return out


def _labelled(line: str) -> bool:
    """Whether a line is a "label : value" line of its own (not a value with a colon in its words:
    "Aucune : le lot initial a bien été intégré")."""
    found = _CARD_LINE.match(line)
    return found is not None and _card_role(found.group(1)) is not None


def _label(line: str) -> bool:
    """Whether a paragraph alone is a card's label: short, no figure, written in small letters (not a
    name in capitals: "PAYET J."), a column's name ("Lot" too)."""
    return len(line) <= 30 and ":" not in line and not _FIGURE_OR_TAB.search(_BRACKETS.sub("", line)) \
        and _SMALL_LETTERS.search(line) is not None and role_of(line) is not None


def _value_of(label: str, lines: list[str], index: int) -> bool:
    """Whether the paragraph at ``index`` is the value of ``label`` above it, not the next label: it is
    no label, or a label of the same column ("À faire" / "Aucune action"), or one followed by another
    label ("À faire" / "Refacturer sans exonération" / "Facture")."""
    value = re.sub(r"\s*:$", "", lines[index].strip())
    if not _label(value) or role_of(value) == role_of(label):
        return True
    after = next((re.sub(r"\s*:$", "", line.strip()) for line in lines[index + 1:index + 5]
                  if line.strip()), "")
    return not after or _label(after)
