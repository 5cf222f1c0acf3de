"""An HTML body as text, the way a reader sees the page: blocks on their own lines, a data table's row on one
line with its cells separated by `` | ``, a layout table's cells as blocks, label boxes beside their values
("Facture : …"), and a ``<pre>`` block's columns kept."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpambot.understanding.htmltokens import replay


@dataclass
class _OpenTable:
    cells: list[str] | None = None  # the open row's cells
    cell: list[str] | None = None  # the open cell's text
    layout: bool = False  # a table that holds other tables lays the page out: its cells are blocks


class _HtmlFlattener:
    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "section", "pre"}

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skip = 0
        self.pre = 0  # inside <pre>: the spaces are the layout (a fixed-width table), kept
        self.tables: list[_OpenTable] = []  # innermost last
        self.labels: list[int | None] = []  # per open <span>: where its text starts when it is a label box

    def _data_table(self) -> _OpenTable | None:
        table = self.tables[-1] if self.tables else None
        return table if table is not None and not table.layout else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        table = self._data_table()
        if tag == "span":
            style = (dict(attrs).get("style") or "").replace(" ", "").lower()
            boxed = "inline-block" in style or re.search(r"(?:^|;)(?:min-)?width:", style)
            self.labels.append(len(self.out) if boxed and (table is None or table.cells is None) else None)
        if tag == "pre":
            self.pre += 1
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif tag == "table":
            if table is not None and table.cell is not None:
                # a table inside a cell: the outer one is a layout; what it held so far is text
                self.out.append("\n" + "\n".join(table.cells or []) + "\n" + "".join(table.cell) + "\n")
                table.layout, table.cells, table.cell = True, None, None
            self.tables.append(_OpenTable())
            self.out.append("\n")
        elif tag == "tr" and table is not None:
            self._end_row(table)  # (a row left open, as Lotus Notes writes them, ends at the next one)
            table.cells = []
        elif tag in ("td", "th") and table is not None and table.cells is not None:
            self._end_cell(table)
            table.cell = []
        elif tag in self._BLOCKS or tag in ("td", "th"):
            if table is not None and table.cell is not None:
                table.cell.append(" ")
            else:
                self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        table = self._data_table()
        if tag == "span" and self.labels:
            start = self.labels.pop()
            label = "".join(self.out[start:]).strip() if start is not None else ""
            # a fixed-width label box beside its value ("Facture" | "731 550 120"): a label/value line
            if label and len(label) <= 45 and not label.endswith(":") and "\n" not in label:
                self.out.append(" : ")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in ("style", "script", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag == "table":
            if table is not None:
                self._end_row(table)
            if self.tables:
                self.tables.pop()
            self.out.append("\n")
        elif tag in ("td", "th") and table is not None and table.cells is not None and table.cell is not None:
            self._end_cell(table)
        elif tag == "tr" and table is not None and table.cells is not None:
            self._end_row(table)
        elif tag in self._BLOCKS or tag in ("td", "th"):
            if table is None or table.cell is None:
                self.out.append("\n")

    @staticmethod
    def _end_cell(table: _OpenTable) -> None:
        if table.cells is not None and table.cell is not None:
            table.cells.append(" ".join("".join(table.cell).split()))
        table.cell = None

    def _end_row(self, table: _OpenTable) -> None:
        self._end_cell(table)
        if table.cells is None:
            return
        cells = [c for c in table.cells if c]
        if len(cells) == 2 and cells[0].endswith(":") and len(cells[0]) <= 60:
            # a label cell and its value ("À nous retourner avant le :" | "27/11/2026"): one line
            self.out.append(f"\n{cells[0]} {cells[1]}\n")
        else:
            self.out.append("\n" + " | ".join(table.cells) + "\n")
        table.cells = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        table = self._data_table()
        if table is not None and table.cell is not None:
            table.cell.append(data)
        elif table is None or table.cells is None:
            self.out.append(_KEPT + data.replace("\n", "\n" + _KEPT) if self.pre else data)


_KEPT = "\x01"  # (marks a line of a <pre> block: its spaces are kept)


def html_to_text(html: str) -> str:
    parser = _HtmlFlattener()
    try:
        replay(html, parser)
    except Exception:  # noqa: BLE001 - never trust input
        return re.sub(r"<[^>]+>", " ", html)
    lines = [line.replace(_KEPT, "").rstrip() if _KEPT in line
             else " ".join(line.split()) if "|" not in line else line.strip()
             for line in "".join(parser.out).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
