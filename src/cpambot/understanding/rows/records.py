"""Rows from grids (header words, or cell types when there is no header), label/value cards and
prose sentences; total rows recognised and checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.decode._framing import euros
from cpambot.understanding.rows.cards import card_rows
from cpambot.understanding.rows.cells import (
    LOT_LINE,
    WHOLE_LOT,
    amount_of,
    cell_type,
    header_roles,
    invoice_of,
    invoices_in,
    role_of,
)
from cpambot.understanding.rows.grids import Grid
from cpambot.understanding.rows.model import Row, Status
from cpambot.understanding.rows.rowcells import code_in_motif, row_from_cells

_TOTAL = re.compile(r"^\s*(?:sous[- ])?total|^\s*montant total|^\s*somme totale|^\s*total g[ée]n[ée]ral",
                    re.IGNORECASE)


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
                "text": "motif", "name": "beneficiary"}.get(kind or "")
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




def _section_lot(cells: Sequence[str]) -> str | None:
    """The lot of a sub-heading row spanning the table ("Lot n° 204 (télétransmis le …)")."""
    filled = [c for c in cells if c.strip()]
    if len(filled) != 1 or invoices_in(filled[0]):
        return None
    found = LOT_LINE.match(filled[0])
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


_TOTAL_OF = re.compile(r"paiement|regle|paye|verse|rembourse|vire|rejet|refus|anomalie|non pay")


_MISMATCH = "le total indiqué ("


def only_totals(problems: Sequence[str]) -> bool:
    """Whether every problem is a stated total that does not match its rows: the rows themselves are
    read, the discrepancy is shown beside them, a human need not read the message first."""
    return bool(problems) and all(p.startswith(_MISMATCH) for p in problems)


def total_mismatch(stated: Decimal, summed: Decimal) -> str:
    """The problem a stated total that is not the sum of its rows makes (French)."""
    return (f"{_MISMATCH}{euros(stated)}) ne correspond pas à la somme des lignes ({euros(summed)}) "
            ": à vérifier")


def _total_problem(label: str, column: int, stated: Decimal, read: list[tuple[Sequence[str], Row]],
                   roles: dict[str, int]) -> list[str]:
    """A total row checked against the rows it sums (``read``: each row with the cells it came from):
    those of its status when its label names one ("Total mis en paiement", "Total rejeté"), all of
    them otherwise."""
    if column not in (roles.get("amount"), roles.get("paid_amount")):
        return []  # (a figure under another column: nothing to check it against)
    if re.search(r"rejet|refus|anomalie|non pay", label):
        read = [(c, r) for c, r in read if r.status is Status.REJECTED]
    elif re.search(r"paiement|regle|paye|verse|rembourse|vire", label) and "paid_amount" not in roles:
        read = [(c, r) for c, r in read if r.status is Status.PAID]
    column_values = [amount_of(c[column]) if column < len(c) else None for c, _ in read]
    values = [v for v in column_values if v is not None]
    if not values or len(values) != len(column_values) or sum(values, Decimal("0")) == stated:
        return []
    return [total_mismatch(stated, sum(values, Decimal("0")))]


_IDEM = re.compile(r"(?i)^\s*(?:idem|id\.|d[°o]|m[êe]me (?:motif|rejet|anomalie)|″|\")\s*$")


def _as_above(row: Row, above: Row) -> Row:
    """A row whose cells say "idem" takes the reject of the row above: its code, words, instruction."""
    same_action = _IDEM.match(row.consigne or "") or row.consigne is None
    return replace(row, reject_code=above.reject_code, reject_subcode=above.reject_subcode, motif=above.motif,
                   status=row.status or above.status,
                   consigne=above.consigne if same_action else row.consigne,
                   action=above.action if same_action else row.action)


def _upright(grid: Grid) -> Grid:
    """A table written on its side (one column per invoice, the names of the fields down its first
    column: "N° de facture | 260842010 | 260842016") turned upright."""
    if len(grid) < 3 or min(len(r) for r in grid) < 2 or any(invoice_of(r[0]) for r in grid if r):
        return grid
    names = [role_of(r[0]) for r in grid]
    if sum(n is not None for n in names) < max(3, len(grid) * 0.6) or "invoice" not in names \
            or any(role_of(cell) for cell in grid[0][1:]) \
            or any(sum(1 for cell in r if cell.strip()) < 2 for r in grid):  # (a CSV's title rows)
        return grid
    width = max(len(r) for r in grid)
    padded = [list(r) + [""] * (width - len(r)) for r in grid]
    return [list(column) for column in zip(*padded, strict=True)]


def grid_rows(grid: Grid, *, source: str = "table",
              default_year: int | None = None) -> tuple[list[Row], Decimal | None, list[str]]:
    """(rows, stated total, problems) of one grid; a grid without invoice or lot gives nothing."""
    if len(grid) >= 2 and all(len(r) == 2 for r in grid) and sum(1 for r in grid if role_of(r[0])) >= 2 \
            and not any(invoice_of(r[0]) for r in grid):  # (labels on the left, not invoice numbers)
        labels = [r[0].rstrip(" :\u00a0") for r in grid]  # ("Montant :" | "63.00 EUR": one colon)
        cards = card_rows([f"{label} : {r[1]}" for label, r in zip(labels, grid, strict=True)],
                          source="card", default_year=default_year)
        return cards, None, []
    grid = _upright(grid)
    found = _header_index(grid)
    if found is not None and "count" in found[2] and "invoice" not in found[2] \
            and not {"motif", "consigne"} & set(found[2]):
        # a summary of lots (how many invoices each), not their rows; with a reason or an instruction
        # per lot ("Motif du rejet", "Ce que vous devez faire"), the lots refused whole
        return [], None, []
    if found is not None:
        start, header, roles = found
        body = grid[start + 1:]
        # "Motif du rejet", "Motif de refus": each row the column explains is a reject
        rejects = "motif" in roles and bool(re.search(r"rejet|refus|anomalie|non pris",
                                                      normalize(header[roles["motif"]])))
    else:
        rejects = False
        # (the sub-headings of lots between them kept: "Lot 319" above the rows of that lot)
        body = [r for r in grid if any(invoice_of(c) for c in r) or _section_lot(r) is not None]
        if not any(any(invoice_of(c) for c in r) for r in body):
            return [], None, []
        roles = _typed_roles(body)
        if "invoice" not in roles:
            return [], None, []
    body = _continued(body, roles)
    rows: list[Row] = []
    read: list[tuple[Sequence[str], Row]] = []  # each row with the cells it came from
    total: Decimal | None = None
    total_col: int | None = None
    totals: list[tuple[str, int, Decimal]] = []  # (label, column, amount) of every total row
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
                amounts = [roles[k] for k in ("amount", "paid_amount") if k in roles]
                if len(stated) == 1 and total_col not in amounts and len(set(amounts)) == 1:
                    total_col = amounts[0]  # a tab row whose label spanned columns: its one figure
                label = normalize(next(c for c in cells if c and _TOTAL.match(c)))
                totals.append((label, total_col, total))
            continue
        named = {role: cells[i] for role, i in roles.items() if i < len(cells)}
        if section_lot is not None and not named.get("lot"):
            whole = not invoices_in(named.get("invoice", "")) and bool(WHOLE_LOT.search(" ".join(cells)))
            named["lot"] = section_lot if whole or named.get("invoice", "").strip() else ""
            if whole:
                named = _whole_lot_cells(cells, named, roles)
        row = row_from_cells(named, source=source, default_year=default_year)
        if row is None:
            if any(re.search(r"\d", c) for c in cells) and any(invoices_in(c) for c in cells):
                problems.append(f"ligne du tableau non comprise : « {' | '.join(cells)} »")
            continue
        if row.whole_lot and not WHOLE_LOT.search(" ".join(cells)) and named.get("invoice", "").strip() \
                not in ("", "-", "–", "—"):
            if not re.search(r"(?i)lot|tout|ensemble|toutes", named.get("invoice", "")):
                problems.append(f"ligne du tableau non comprise : « {' | '.join(cells)} »")
                continue
        if rejects and row.status is None and row.motif:
            row = replace(row, status=Status.REJECTED)
        if rows and _IDEM.match(row.motif or "") and not row.reject_code:
            row = _as_above(row, rows[-1])  # "idem" under the motif (and the instruction) of the row above
        rows.append(row)
        read.append((cells, row))
    for label, column, stated_total in totals:
        problems += _total_problem(label, column, stated_total, read, roles)
    if len(totals) > 1:  # "Total mis en paiement" and "Total rejeté": the message's total is neither
        total = next((t for label, _, t in totals if not _TOTAL_OF.search(label)), None)
    return rows, total, problems


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
        key = (row.invoice, row.part) if row.invoice else (None, row.lot)
        if key not in out:
            out[key] = row
            continue
        first = out[key]
        change: dict[str, object] = {}
        for name in ("lot", "care_date", "care_period", "amount", "reject_code", "reject_subcode", "motif",
                     "consigne", "beneficiary", "status", "action", "paid_on"):
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

