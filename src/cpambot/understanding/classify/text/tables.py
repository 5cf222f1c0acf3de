"""Tables in text: rows split on pipes, semicolons, tabs or aligned columns; header lookup."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from cpambot.understanding.classify.text.normalize import normalize


def split_row(line: str) -> list[str] | None:
    """Cells of a table line ("a | b | c", "a;b;c", tab-separated, or fixed-width columns separated
    by two spaces or more), or None."""
    for sep in ("|", ";", "\t"):
        if line.count(sep) >= 2:
            return [cell.strip() for cell in line.strip().strip("|").split(sep)]
    cells = re.split(r"\s{2,}", line.strip())
    return cells if len(cells) >= 3 else None


def find_tables(text: str) -> Iterator[tuple[list[str], list[list[str]]]]:
    """(header, rows) of each table in ``text``: a run of lines with the header's cell count.

    Blank lines and text-table rules ("----+----") inside a table are skipped.
    """
    header: list[str] | None = None
    rows: list[list[str]] = []
    for line in [*text.splitlines(), "\x00"]:
        if not line.strip() or re.fullmatch(r"\s*[-+=|: ]{3,}\s*", line):
            continue
        cells = split_row(line)
        if header is not None and cells is not None and len(cells) == len(header):
            rows.append(cells)
            continue
        if header is not None and rows:
            yield header, rows
        header, rows = (cells, []) if cells else (None, [])


def column(header: Sequence[str], *names: str) -> int | None:
    """Index of the first header cell whose normalized text matches one of the regexes."""
    for name in names:
        for index, cell in enumerate(header):
            if re.search(name, normalize(cell)):
                return index
    return None
