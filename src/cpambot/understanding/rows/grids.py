"""Grids (rows of cells) from text: CSV files in any encoding and separator, and text tables
(pipes, semicolons, tabs, columns aligned with spaces, or one cell per line). HTML bodies have
their own reader, :mod:`cpambot.understanding.rows.html`."""

from __future__ import annotations

import csv
import io
import re

from cpambot.understanding.rows.cells import (
    LOT_LINE,
    WHOLE_LOT,
    amount_of,
    code_of,
    date_of,
    invoice_of,
    invoices_in,
    lot_of,
    role_of,
)
from cpambot.understanding.rows.headers import RULE as _RULE
from cpambot.understanding.rows.headers import header_columns
from cpambot.understanding.rows.rewrap import rewrapped_fixed, unwrapped_pipes

_DASH_RULE = re.compile(r"\s*-{2,}(?: +-{2,}){2,}\s*")
_CELL_RUN = re.compile(r"\S+(?:[ \u00a0\u202f]\S+)*")

Grid = list[list[str]]


class Table:
    """A grid and the text just above it (a heading naming the lot, say)."""

    __slots__ = ("caption", "rows")

    def __init__(self, rows: Grid, caption: str = "") -> None:
        self.rows = rows
        self.caption = caption


def csv_grid(text: str) -> Grid:
    """A CSV file's rows, whatever its separator (";" "," tab "|") and quoting."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    best, best_score = ";", -1
    for sep in (";", "\t", ",", "|"):
        counts = [line.count(sep) for line in lines[:50]]
        common = max(set(counts), key=counts.count)
        score = sum(1 for c in counts if c == common and c > 0) * (2 if sep != "," else 1)
        if common > 0 and score > best_score:
            best, best_score = sep, score
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=best)
    return [[cell.strip() for cell in row] for row in reader if any(c.strip() for c in row)]




def _slice(line: str, starts: list[int]) -> list[str]:
    cuts = [0, *starts[1:]]
    adjusted = []
    for cut in cuts:  # a value running over its column's start (right-aligned figures) moves the cut left
        while 0 < cut < len(line) and line[cut - 1] != " " and line[cut] != " ":
            cut -= 1
        adjusted.append(cut)
    bounds = [*adjusted[1:], len(line)]
    return [line[a:b].strip() for a, b in zip(adjusted, bounds, strict=True)]


_EMPTY = re.compile(r"^\s*(?:[-–—/.]|n[ée]ant|sans objet)?\s*$", re.IGNORECASE)  # an empty cell


def _dash_columns(line: str) -> list[int] | None:
    """The starts of the columns a rule of dash groups draws under a header ("--- --------- -----")."""
    if not _DASH_RULE.fullmatch(line):
        return None
    return [m.start() for m in re.finditer(r"-{2,}", line)]


def caption_above(lines: list[str], start: int) -> str:
    """The caption of a table starting at line ``start``: the three lines written above it (blank
    lines, and lines of spaces a mail client's plain version puts between paragraphs, not counted)."""
    written = [line for line in lines[max(0, start - 12):start] if line.strip()]
    return "\n".join(written[-3:])


def _fixed_width(lines: list[str]) -> tuple[list[Table], set[int]]:
    grids: list[Table] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        starts = header_columns(lines[i]) if not any(sep in lines[i] for sep in "|;\t") else None
        if i + 1 < len(lines) and (dashes := _dash_columns(lines[i + 1])) is not None \
                and re.search(r"[^\W\d]{3}", lines[i]) and not re.search(r"\d{3}", lines[i]):
            starts = dashes  # "LOT FACTURE DATE SOINS …" over "--- --------- ----------": the dashes cut
        if starts is None:
            i += 1
            continue
        grid = [_slice(lines[i], starts)]
        used.add(i)
        j = i + 1
        while j < len(lines) and (lines[j].strip() or j == i + 1):
            if lines[j].count("|") >= 2 and "|" not in lines[i]:
                break  # a row cut by pipes under a sentence that looked like a header: not this table's
            if lines[j].strip() and not _RULE.match(lines[j]):
                grid.append(_slice(lines[j], starts))
            used.add(j)
            j += 1
        if len(grid) >= 2:
            grids.append(Table(grid, caption_above(lines, i)))
        i = j
    return grids, used


def _stacked(lines: list[str]) -> tuple[list[Table], set[int]]:
    """Tables written one cell per line (a mail client's plain version of an HTML table or of a grid
    of ``<div>``): 3 or more header names, one per line, then as many lines per row, blank lines
    between them or not. Each row's cells must fit their columns (an invoice number, a date, an
    amount where the header says so): the first row that does not ends the table, so a row with a
    missing cell never shifts the others into the wrong columns."""
    fits = {"invoice": lambda c: invoice_of(c) is not None or WHOLE_LOT.search(c) is not None,
            "lot": lambda c: lot_of(c) is not None,
            "care_date": lambda c: any(date_of(c)), "amount": lambda c: amount_of(c) is not None,
            "code": lambda c: re.match(r"\s*\w?\d{3,4}\b", c) is not None and code_of(c) is not None}

    def name(text: str) -> str | None:
        if len(text) > 40 or re.search(r"[|;\t]|\d", text):
            return None
        return role_of(text)

    items = [(index, line.strip()) for index, line in enumerate(lines) if line.strip()]
    grids: list[Table] = []
    used: set[int] = set()
    k = 0
    while k < len(items):
        j = k
        while j < len(items) and name(items[j][1]) is not None:
            j += 1
        grid: list[list[str]] = []
        pos = j
        for start in range(k, j - 2):  # (a sentence naming a column may come just above the names)
            header = [text for _, text in items[start:j]]
            roles = [name(h) for h in header]
            if not (3 <= len(header) <= 12 and "invoice" in roles):
                continue
            grid, pos = [header], j
            while pos + len(header) <= len(items):
                row = [text for _, text in items[pos:pos + len(header)]]
                # (a cell of words may hold a column's name, "nature d'assurance": a row of names only is
                # the next table's header)
                if not all(_EMPTY.match(cell) or fits.get(role or "", lambda c: True)(cell)
                           for role, cell in zip(roles, row, strict=True)) \
                        or sum(name(cell) is not None for cell in row) > len(row) // 2:
                    break
                grid.append(row)
                pos += len(header)
            # rows still follow that do not fit (a row with a cell missing shifts the others): the
            # table cannot be cut safely, none of it is taken (read elsewhere, or by a human)
            after = " ".join(text for _, text in items[pos:pos + len(header)])
            if invoices_in(after) or LOT_LINE.match(after) or WHOLE_LOT.search(after):
                grid = []
            if len(grid) >= 2:
                break
        if len(grid) >= 2:
            first = items[start][0]
            grids.append(Table(grid, caption_above(lines, first)))
            used.update(range(first, items[pos - 1][0] + 1))
        k = max(pos, k + 1)
    return grids, used


def text_grids(text: str) -> list[Table]:
    """Tables written in text: fixed-width tables read at their header's columns, runs of lines cut
    by pipes, semicolons or tabs, or aligned with two spaces or more between cells (a row cut
    differently is re-cut at the header's columns), or one cell per line."""
    all_lines = rewrapped_fixed(unwrapped_pipes(text.splitlines()))
    grids, used = _fixed_width(all_lines)
    stacked, stacked_used = _stacked(all_lines)
    grids += stacked
    used |= stacked_used
    current: Grid = []
    starts: list[int] = []
    begin = 0
    for index, line in enumerate([*all_lines, ""]):
        if index in used:
            line = ""
        if _RULE.match(line) and line.strip():
            continue
        if not line.strip() and current:
            ahead = index + 1  # rows one or a few blank lines apart (flattened HTML, plain versions)
            while ahead < len(all_lines) and ahead - index <= 3 and not all_lines[ahead].strip():
                ahead += 1
            if ahead < len(all_lines) and ahead not in used:
                following, _ = _split(all_lines[ahead])
                if following is not None and len(following) == len(current[0]) \
                        or LOT_LINE.match(all_lines[ahead]) or ("\t" in all_lines[ahead] and following):
                    continue
        cells, positions = _split(line)
        if current and cells is None and _wrapped_cell(current, line, all_lines[index + 1:index + 2]):
            current[-1][-1] = f"{current[-1][-1]} {line.strip()}"  # a long last cell the client wrapped
            continue
        if current and cells is None and LOT_LINE.match(line):
            current.append([line.strip()] + [""] * (len(current[0]) - 1))  # "Lot n° 204 (…)" across
            continue
        if current and cells is not None and "\t" in line and 2 <= len(cells) < len(current[0]) - 1:
            # a tab row whose first cells spanned several columns: its last cell is the last column's
            cells = [*cells[:-1], *[""] * (len(current[0]) - len(cells)), cells[-1]]
        elif current and cells is not None and len(cells) < len(current[0]) - 1 \
                and re.match(r"(?i)\s*(?:sous[- ])?total\b|\s*montant (?:total|global)", cells[0]):
            cells = [*cells, *[""] * (len(current[0]) - len(cells))]  # a total row, its last cells cut
        if cells is not None and current and len(cells) != len(current[0]) and starts:
            cells = _cut(line, starts)
        if cells is not None and (not current or len(cells) == len(current[0])
                                  or abs(len(cells) - len(current[0])) <= 1):
            if not current:
                starts, begin = positions, index
            current.append(cells)
            continue
        if len(current) >= 2:
            grids.append(Table(current, caption_above(all_lines, begin)))
        current, starts = ([cells], positions) if cells is not None else ([], [])
        begin = index
    return grids




def _wrapped_cell(current: Grid, line: str, following: list[str]) -> bool:
    """Whether ``line`` (not cut into cells) is the end of the last cell of the row above, wrapped by the
    client ("… prescripteur inconnu" / "au fichier national – Indiquer le n° FINESS …"): no invoice of
    its own, under a row whose last cell is filled, and starting in lowercase or followed by another row
    of the table (as wide, with an invoice)."""
    if len(current) < 2 or not line.strip() or not current[-1][-1].strip() or invoices_in(line) \
            or LOT_LINE.match(line) or re.match(r"(?i)\s*(?:sous[- ])?total\b", current[-1][0]):
        return False
    after = _split(following[0])[0] if following else None
    return line.strip()[0].islower() or after is not None and len(after) == len(current[0]) \
        and invoices_in(following[0]) != []


def _split(line: str) -> tuple[list[str] | None, list[int]]:
    stripped = line.strip()
    if not stripped:
        return None, []
    for sep in ("|", ";"):
        if stripped.strip("|").count(sep) >= 1 and (sep != ";" or stripped.count(";") >= 2):
            return [c.strip() for c in stripped.strip("|").split(sep)], []
    if stripped.count(" / ") >= 2:  # "000 560 114 / M. R. / 07/10/2026 / 22,05 € / motif" (not a date)
        return [c.strip() for c in re.split(r"\s+/\s+", stripped)], []
    if "\t" in stripped:  # tab-separated: empty leading cells are cells (a header's second row)
        return [c.strip() for c in line.strip(" \r\n").split("\t")], []
    pieces = list(_CELL_RUN.finditer(line))  # one (no-break) space inside a cell
    if len(pieces) >= 3:
        return [p.group() for p in pieces], [p.start() for p in pieces]
    return None, []


def _cut(line: str, starts: list[int]) -> list[str]:
    bounds = [*starts[1:], max(len(line), starts[-1] + 1)]
    cells = [line[start:end].strip() for start, end in zip(starts, bounds, strict=False)]
    cells[-1] = line[starts[-1]:].strip()
    return cells
