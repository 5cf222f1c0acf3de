"""Text tables a mail client re-wrapped (at 72 columns or so): each row cut in two lines, joined again."""

from __future__ import annotations

import re
from collections import Counter

from cpambot.understanding.rows.cells import LOT_LINE, invoices_in, role_of
from cpambot.understanding.rows.headers import RULE, header_columns


def unwrapped_pipes(lines: list[str]) -> list[str]:
    """A pipe table a mail client re-wrapped (at 72 columns): each row cut after a "|" and continued on
    the next line ("072 118 904 | L. Guéguen | … | 0470 049   |" / "Prescription interdite … | Corriger
    et retransmettre"), joined again when the two pieces make the width of the table's rule
    ("----+----+…"), or the same width for every such pair when it has none."""
    pairs = [i for i in range(len(lines) - 1)
             if "|" in lines[i] and lines[i].rstrip().endswith("|") and lines[i + 1].strip()
             and not lines[i + 1].lstrip().startswith("|") and not RULE.match(lines[i + 1])
             and lines[i].count("|") != lines[i + 1].count("|")]  # (two whole rows have as many)
    if not pairs:
        return lines
    rules = {line.count("+") + 1 for line in lines if RULE.match(line) and "+" in line}
    # (each "|" of the first piece closes a cell; the second piece holds one cell more than its "|")
    widths = {i: lines[i].count("|") - lines[i].lstrip().startswith("|") + lines[i + 1].count("|") + 1
              for i in pairs}
    # the cells of the table's whole rows (its header), for a table with one such pair only
    whole = Counter(line.count("|") + 1 - line.lstrip().startswith("|") - line.rstrip().endswith("|")
                    for j, line in enumerate(lines) if "|" in line and j not in pairs and j - 1 not in pairs)
    if len(rules) == 1:
        width = rules.pop()
    elif len(pairs) >= 2 and len(set(widths.values())) == 1:
        width = widths[pairs[0]]
    elif whole and whole.most_common(1)[0][1] >= 2 and whole.most_common(1)[0][0] in widths.values():
        width = whole.most_common(1)[0][0]  # ("… | Assuré absent de notre référentiel |" / "Vérifier …")
    else:
        return lines
    joined = {i for i in pairs if widths[i] == width and i - 1 not in pairs}
    out: list[str] = []
    for i, line in enumerate(lines):
        if i - 1 in joined:
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


_WIDE_GAP = re.compile(r"(?<=\S) {2,}(?=\S)")


def rewrapped_fixed(lines: list[str]) -> list[str]:
    """A fixed-width table a client re-wrapped: the header's last names alone on the next line (the run of
    spaces before them became the line break), and each row whose end did not fit continued on the next
    line ("502  008 140 336  …  0450 072    EXONERATION NON" / "TROUVEE A LA DATE DES SOINS  VERIFIER LES
    DROITS ET REFACTURER"). A row and its continuation joined by one space (the one the break replaced)
    are the row as written, its columns in place; the header's wrapped names go where the joined rows'
    last cells start, when every row agrees."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        table = _rewrapped_table(lines, i)
        if table is None:
            out.append(lines[i])
            i += 1
        else:
            joined, i = table
            out += joined
    return out


def _rewrapped_table(lines: list[str], i: int) -> tuple[list[str], int] | None:
    """The lines of the re-wrapped table whose header is line ``i``, joined, and the index after it."""
    tail = lines[i + 1].strip() if i + 1 < len(lines) else ""
    # (the header's wrapped names are a short line: prose under a line is not tried as a header)
    if not tail or len(tail) > 40 or re.search(r"\d|[|;\t]", tail) or header_columns(lines[i]) is None:
        return None
    names = _WIDE_GAP.split(tail)
    if len(names) > 3 or any(role_of(name) is None for name in names):
        return None
    rows: list[str] = []
    continued = 0
    j = i + 2
    while j < len(lines) and lines[j].strip() and invoices_in(lines[j]):
        following = lines[j + 1] if j + 1 < len(lines) else ""
        if following.strip() and not invoices_in(following) and not LOT_LINE.match(following) \
                and not RULE.match(following):
            rows.append(lines[j].rstrip() + " " + following.strip())
            continued += 1
            j += 2
        else:
            rows.append(lines[j].rstrip())
            j += 1
    lasts = {tuple(m.end() for m in _WIDE_GAP.finditer(row))[-len(names):] for row in rows}
    if len(rows) < 2 or not continued or len(lasts) != 1:
        return None  # (no row continued, or rows that disagree: the names below are something else)
    positions = lasts.pop()
    header = lines[i].rstrip()
    if len(positions) != len(names) or positions[0] <= len(header):
        return None
    for position, name in zip(positions, names, strict=True):
        header = header.ljust(position) + name
    return [header, *rows], j
