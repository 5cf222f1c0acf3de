"""Rows from grids (header words, or cell types when there is no header), label/value cards and
prose sentences; total rows recognised and checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.decode._framing import euros
from cpambot.understanding.rows.actions import action_of, status_of
from cpambot.understanding.rows.cells import (
    amount_of,
    cell_type,
    code_of,
    date_of,
    header_roles,
    invoice_of,
    invoices_in,
    lot_of,
    role_of,
)
from cpambot.understanding.rows.grids import Grid
from cpambot.understanding.rows.model import Row, Status

_TOTAL = re.compile(r"^\s*(?:sous[- ])?total|^\s*montant total|^\s*somme totale|^\s*total g[ée]n[ée]ral",
                    re.IGNORECASE)
_WHOLE_LOT = re.compile(r"lot (?:entier|complet)|(?:tout|ensemble) (?:le|du) lot|totalit[ée] du lot|"
                        r"lot (?:rejet|refus|non parvenu|non re[cç]u|illisible)", re.IGNORECASE)


def _masked(text: str) -> str | None:
    """A beneficiary as the bot may keep it: initials and the NIR's first digits at most."""
    text = text.strip()
    if not text or text in ("-", "–"):
        return None
    text = re.sub(r"\b([12])[ .]?(\d{2})[ .]?(\d{2})[ .]?[\dAB]{2}[\d .X*]{6,}", r"\1 \2 \3 …", text)
    words = [w for w in re.split(r"\s+", text) if w]
    return " ".join(w if not w[:1].isalpha() or len(w) <= 2 else w[0] + "." for w in words)[:60]


_THEN_INSTRUCTION = re.compile(r"(?<=[.;])\s*(?=[A-ZÀ-Ý])")
_STATUS_REASON = re.compile(r"(?i)\s*(?:rejet\w*|refus\w*|non (?:pay|regl|réglé)\w*|anomalie)\s*"
                            r"(?:[:–-]\s*([^\W\d][^\n]{2,150})|(\d{4}\b[^\n]{2,150}))$")


def row_from_cells(cells: dict[str, str], *, source: str, default_year: int | None = None) -> Row | None:
    """A row from cells already given their role, or None when it names neither invoice nor lot."""
    invoice = invoice_of(cells.get("invoice", "")) if cells.get("invoice") else None
    if invoice is None and cells.get("invoice"):
        found = invoices_in(cells["invoice"])
        invoice = found[0] if len(found) == 1 else None
    lot = lot_of(cells.get("lot", "")) if cells.get("lot") else None
    if invoice is None and lot is None:
        return None
    care, period = date_of(cells.get("care_date", ""), default_year=default_year) if cells.get("care_date") \
        else (None, None)
    motif = (cells.get("motif") or "").strip() or None
    consigne = (cells.get("consigne") or "").strip() or None
    if motif and "\n" in motif:  # "Libellé\nconsigne" in one cell
        first, _, rest = motif.partition("\n")
        motif, consigne = first.strip() or None, consigne or rest.strip() or None
    elif motif and consigne is None and (split := _THEN_INSTRUCTION.search(motif)) \
            and action_of(motif[split.end():]) is not None:
        # "Prescription interdite (0470 049). À corriger et à retélétransmettre.": the words, then
        # the instruction, in one "Observation" cell
        words, consigne = motif[:split.start()].strip(), motif[split.end():].strip()
        motif = words or None
    code = code_of(cells["code"]) if cells.get("code") else None
    if code is not None and motif is None:  # a "Rejet" column holding "0317 051 - Incompatibilité…"
        motif = code_in_motif(cells["code"])[1]
        motif = motif if motif and re.search(r"[^\W\d]{3}", motif) else None
    if motif is None and (said := _STATUS_REASON.match(cells.get("status") or "")):
        # "Rejetée : contrat résilié", "REJET 0317 051 Incompatibilité nature d'assurance"
        reason = (said.group(1) or said.group(2)).strip(" .;")
        said_code, motif = code_in_motif(reason)
        code = code or said_code or code_of(reason)
        motif = motif if motif and re.search(r"[^\W\d]{3}", motif) else None
    if motif and code is None:
        code, motif = code_in_motif(motif)
    elif motif and code and motif.startswith(code[0]):
        motif = code_in_motif(motif)[1]
    status = status_of(motif, consigne, status_cell=cells.get("status"), has_code=code is not None)
    paid_cell = amount_of(cells.get("paid_amount", "")) if cells.get("paid_amount") else None
    billed = amount_of(cells.get("amount", "")) if cells.get("amount") else None
    if status is None and paid_cell and paid_cell > 0 and billed in (None, paid_cell) and motif is None:
        status = Status.PAID  # "Payé : 63.00 EUR" and nothing against it
    stated: Decimal | None = None
    if status is Status.PAID and not cells.get("amount"):  # "mise en paiement le 15/10 (31,80 €)"
        written = find_amounts(" ".join(v for v in cells.values() if v))
        stated = written[0] if len(written) == 1 else None
    note = next((m.group(1) for key in ("status", "motif", "code", "consigne")
                 if (m := re.search(r"\((\d{1,2})\)|\[(\d{1,2})\]", cells.get(key) or ""))), None)
    return Row(invoice=invoice, lot=lot, care_date=care, care_period=period, note=note,
               amount=amount_of(cells.get("amount", "")) if cells.get("amount") else stated,
               paid_amount=amount_of(cells.get("paid_amount", "")) if cells.get("paid_amount") else None,
               reject_code=code[0] if code else None, reject_subcode=code[1] if code else None,
               motif=motif, consigne=consigne, beneficiary=_masked(cells.get("beneficiary", "")),
               status=status, action=action_of(consigne, motif, cells.get("status")),
               whole_lot=invoice is None, source=source)


_CODE_IN_TEXT = re.compile(r"^\s*(\d{4})(?:\s*[-/ ]\s*(\d{3}))?\s*[-:–]?\s+(?=\D)"  # "0250 050 ASSURE…"
                           # "… (0470 049)", "(rejet 0020 001)"
                           r"|\s*[(\[]\s*(?:(?:code|rejet|motif)\s*)?(\d{4})(?:\s*[-/ ]\s*(\d{3}))?\s*[)\]]"
                           r"|\s*[-–:]\s*(?:code\s*)?(\d{4})(?:\s+(\d{3}))?\s*$"  # "… – 0450"
                           r"|\s+(\d{4})\s+(\d{3})\s*$", re.IGNORECASE)  # "… NON JUSTIFIE 0530 012"


def code_in_motif(motif: str) -> tuple[tuple[str, str | None] | None, str | None]:
    """(code, motif without it) for a label that carries its reject code before or after itself."""
    found = _CODE_IN_TEXT.search(motif)
    if not found:
        return None, motif
    groups = found.groups()
    code = next(((groups[i], groups[i + 1]) for i in (0, 2, 4, 6) if groups[i]), None)
    rest = (motif[:found.start()] + " " + motif[found.end():]).strip(" .;:-–")
    return code, rest or None


def _header_index(grid: Grid) -> tuple[int, list[str], dict[str, int]] | None:
    """(index of the header's last row, header cells, roles): a header may be split over two rows
    ("N° | N° | Date" over "lot | facture | des soins"), the second without any figure."""
    for index, row in enumerate(grid[:8]):
        roles = header_roles(row)
        if ("invoice" in roles or "lot" in roles) and len(roles) >= 2 \
                and not any(invoice_of(c) for c in row):
            following = list(grid[index + 1]) if index + 1 < len(grid) else []
            if 2 <= len(following) <= len(row) and sum(1 for c in following if c.strip()) >= 2 \
                    and not any(re.search(r"\d", c) for c in following):
                following += [""] * (len(row) - len(following))  # (empty cells cut at the end)
                joined = [f"{a} {b}".strip() for a, b in zip(row, following, strict=True)]
                both = header_roles(joined)
                if len(both) >= len(roles) and ("invoice" in both or "lot" in both):
                    return index + 1, joined, both
            return index, list(row), roles
    return None


def _typed_roles(rows: Sequence[Sequence[str]]) -> dict[str, int]:
    """Column roles from the cells themselves, for a table without a header."""
    width = max(len(r) for r in rows)
    roles: dict[str, int] = {}
    for col in range(width):
        kinds = [cell_type(r[col]) for r in rows if col < len(r) and r[col].strip()]
        if not kinds:
            continue
        kind = max(set(kinds), key=kinds.count)
        if kinds.count(kind) * 2 < len(kinds):
            continue
        role = {"invoice": "invoice", "lot": "lot", "date": "care_date", "amount": "amount", "code": "code",
                "text": "motif"}.get(kind or "")
        if role and role not in roles:
            roles[role] = col
    return roles


_KEYS = ("invoice", "lot", "care_date", "amount", "code")


def _continued(body: Sequence[Sequence[str]], roles: dict[str, int]) -> list[list[str]]:
    """Rows with their continuation lines folded in: a line that fills only text columns (a motif
    or consigne wrapped onto the next line of a text table) belongs to the row above."""
    keys = {roles[k] for k in _KEYS if k in roles}
    out: list[list[str]] = []
    for cells in body:
        filled = [i for i, c in enumerate(cells) if c.strip()]
        if out and filled and not keys.intersection(filled) and not any(_TOTAL.match(c) for c in cells if c) \
                and len(cells) == len(out[-1]) and not any(re.search(r"\d{3}", cells[i]) for i in filled):
            out[-1] = [f"{a} {b}".strip() if b.strip() else a for a, b in zip(out[-1], cells, strict=True)]
            continue
        out.append(list(cells))
    return out


_SECTION_LOT = re.compile(r"(?i)^\s*lots?\s*(?:n[°o]\.?\s*|num[ée]ro\s*)?:?\s*(\d{3})(?!\d)(?![.,/]\d)")


def _section_lot(cells: Sequence[str]) -> str | None:
    """The lot of a sub-heading row spanning the table ("Lot n° 204 (télétransmis le …)")."""
    filled = [c for c in cells if c.strip()]
    if len(filled) != 1 or invoices_in(filled[0]):
        return None
    found = _SECTION_LOT.match(filled[0])
    return found.group(1) if found else None


def _whole_lot_cells(cells: Sequence[str], named: dict[str, str], roles: dict[str, int]) -> dict[str, str]:
    """A row for the whole lot of its section, its words spanning the invoice columns ("Lot rejeté
    dans sa totalité : fichier non conforme (rejet 0020 001)" | "Retransmettre le lot")."""
    own = {i for role, i in roles.items() if role in ("consigne", "status")}
    words = " ".join(c for i, c in enumerate(cells) if c.strip() and i not in own)
    code, motif = code_in_motif(words)
    out = {"lot": named["lot"], "motif": motif or words, "consigne": named.get("consigne", ""),
           "status": named.get("status", "")}
    if code:
        out["code"] = " ".join(x for x in code if x)
    return out


def grid_rows(grid: Grid, *, source: str = "table",
              default_year: int | None = None) -> tuple[list[Row], Decimal | None, list[str]]:
    """(rows, stated total, problems) of one grid; a grid without invoice or lot gives nothing."""
    if len(grid) >= 2 and all(len(r) == 2 for r in grid) and sum(1 for r in grid if role_of(r[0])) >= 2 \
            and not any(invoice_of(r[0]) for r in grid):  # (labels on the left, not invoice numbers)
        cards = card_rows([f"{r[0]} : {r[1]}" for r in grid], source="card", default_year=default_year)
        return cards, None, []
    found = _header_index(grid)
    if found is not None:
        start, header, roles = found
        body = grid[start + 1:]
        # "Motif du rejet", "Motif de refus": each row the column explains is a reject
        rejects = "motif" in roles and bool(re.search(r"rejet|refus|anomalie|non pris",
                                                      normalize(header[roles["motif"]])))
    else:
        rejects = False
        body = [r for r in grid if any(invoice_of(c) for c in r)]
        if not body:
            return [], None, []
        roles = _typed_roles(body)
        if "invoice" not in roles:
            return [], None, []
    body = _continued(body, roles)
    rows: list[Row] = []
    total: Decimal | None = None
    total_col: int | None = None
    problems: list[str] = []
    section_lot: str | None = None  # "Lot n° 204 (télétransmis le 28/09)" spanning the table: rows below
    for cells in body:
        if (lot := _section_lot(cells)) is not None:
            section_lot = lot
            continue
        if found is not None and len(set(header_roles(cells).values())) >= 2 \
                and not any(re.search(r"\d", c) for c in cells):
            continue  # the header again, above the next section
        if any(_TOTAL.match(c) for c in cells if c):
            stated = [(i, a) for i, a in ((i, amount_of(c)) for i, c in enumerate(cells)) if a is not None]
            if stated:  # the total of the column it stands in ("Total réglé" under the paid column)
                total_col, total = stated[-1]
            continue
        named = {role: cells[i] for role, i in roles.items() if i < len(cells)}
        if section_lot is not None and not named.get("lot"):
            whole = not invoices_in(named.get("invoice", "")) and bool(_WHOLE_LOT.search(" ".join(cells)))
            named["lot"] = section_lot if whole or named.get("invoice", "").strip() else ""
            if whole:
                named = _whole_lot_cells(cells, named, roles)
        row = row_from_cells(named, source=source, default_year=default_year)
        if row is None:
            if any(re.search(r"\d", c) for c in cells) and any(invoices_in(c) for c in cells):
                problems.append(f"ligne du tableau non comprise : « {' | '.join(cells)} »")
            continue
        if row.whole_lot and not _WHOLE_LOT.search(" ".join(cells)) and named.get("invoice", "").strip() \
                not in ("", "-", "–", "—"):
            if not re.search(r"(?i)lot|tout|ensemble|toutes", named.get("invoice", "")):
                problems.append(f"ligne du tableau non comprise : « {' | '.join(cells)} »")
                continue
        if rejects and row.status is None and row.motif:
            row = replace(row, status=Status.REJECTED)
        rows.append(row)
    if total is not None and total_col is not None and rows:
        column = [amount_of(c[total_col]) if total_col < len(c) else None for c in body
                  if not any(_TOTAL.match(x) for x in c if x) and row_from_cells(
                      {r: c[i] for r, i in roles.items() if i < len(c)}, source=source) is not None]
        values = [v for v in column if v is not None]
        if values and len(values) == len(column) and sum(values, Decimal("0")) != total:
            problems.append(f"le total indiqué ({euros(total)}) ne correspond pas à la somme des lignes "
                            f"({euros(sum(values, Decimal('0')))}) : à vérifier")
    return rows, total, problems


_CARD_LINE = re.compile(r"^\s*[-•*]?\s*([^:\n]{2,45}?)\s*(?:\u00a0)?:\s*(.*?)\s*$")


_PART = re.compile(r"\bpart\b.*?\b(?:(amc|complementaire|mutuelle|ro?c)|amo|obligatoire"
                   r"|regime obligatoire|ro)\b")
_AFTER_AMOUNT = re.compile(r"(?:€|\beur\b|\d)\s*[-–:]\s*([^\W\d].{2,80})$", re.IGNORECASE)


def card_rows(lines: Iterable[str], *, source: str = "card", default_year: int | None = None) -> list[Row]:
    """Rows from label/value lines ("Facture : 123456789", "Montant : 63,00 €"); a new record starts
    when a label comes back or an invoice follows another."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    lines = list(lines)
    roles = [role_of(found.group(1)) if (found := _CARD_LINE.match(line)) else None for line in lines]
    for index, line in enumerate(lines):
        found = _CARD_LINE.match(line)
        role = roles[index]
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
        if role in current and value:
            records.append(current)
            current = {}
        if value:
            current[role] = value
    records.append(current)
    for record in records:
        if "amc_part" in record or "amo_part" in record:
            part_value = record.pop("amc_part", None) or record.pop("amo_part")
            record.pop("amo_part", None)
            said = _AFTER_AMOUNT.search(part_value)  # "13,50 € - REJETÉE", "9,00 € - RÉGLÉE le 20/10"
            record.setdefault("amount", part_value[:said.start(1)].rstrip(" -–:") if said else part_value)
            if said and "status" not in record:
                record["status"] = said.group(1)
    rows = []
    for record in records:
        if "invoice" not in record and "lot" not in record:
            continue
        row = row_from_cells(record, source=source, default_year=default_year)
        if row is not None and (row.invoice or len(record) >= 2):
            rows.append(row)
    return rows


def _block_has_invoice(roles: list[str | None], lines: list[str], start: int) -> bool:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].strip():
        if roles[index] == "invoice":
            return True
        index += 1
    return False


_FACTS = ("lot", "care_date", "amount", "reject_code")  # values two mentions may not disagree on
_NAMES = {"lot": "lot", "care_date": "date de soins", "amount": "montant", "reject_code": "code de rejet"}


def merge(rows: Iterable[Row]) -> tuple[list[Row], list[str]]:
    """One row per invoice (or whole lot), in order of first mention; a later mention fills the
    fields the first one lacked. Two mentions that disagree on a value (the body says 17,10 €, the
    attached letter 10,70 €) leave it empty and name the problem: never a guess."""
    out: dict[tuple[str | None, str | None], Row] = {}
    problems: list[str] = []
    conflicts: set[tuple[tuple[str | None, str | None], str]] = set()
    for row in rows:
        key = (row.invoice, None) if row.invoice else (None, row.lot)
        if key not in out:
            out[key] = row
            continue
        first = out[key]
        change: dict[str, object] = {}
        for name in ("lot", "care_date", "care_period", "amount", "reject_code", "reject_subcode", "motif",
                     "consigne", "beneficiary", "status", "action"):
            mine, theirs = getattr(first, name), getattr(row, name)
            if theirs is None or (key, name) in conflicts:
                continue
            if mine is None:
                change[name] = theirs
            elif name in _FACTS and mine != theirs:
                conflicts.add((key, name))
                change[name] = None
                problems.append(f"facture {row.invoice or '-'} : {_NAMES[name]} différent selon les passages "
                                f"du message, à vérifier")
        if change:
            out[key] = replace(first, **change)  # type: ignore[arg-type]
    return list(out.values()), problems


def paid(row: Row) -> bool:
    return row.status is Status.PAID

