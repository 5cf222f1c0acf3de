"""Grids of an HTML body: every table (innermost first, its heading and <caption> kept as caption,
colspan cells repeated as empty ones) and every run of row-like ``<div>`` elements."""

from __future__ import annotations

import re

from cpambot.understanding.htmltokens import replay
from cpambot.understanding.rows.grids import Grid, Table

_VOID = {"br", "img", "meta", "hr", "input", "link", "col", "area", "base", "wbr", "source"}
_BREAKS = {"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
_ROWISH = re.compile(r"display\s*:\s*(?:table-row|flex|grid)|(?:^|\s)(?:row|ligne|tr|line|item)(?:\s|$|-)",
                     re.IGNORECASE)


class _Cell:
    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        return "\n".join(line for line in lines if line)


def _span(value: str | None) -> int:
    """A colspan or rowspan attribute, 1 when absent or absurd (at most 20)."""
    return min(int(value), 20) if value and value.isdigit() and int(value) > 0 else 1


class _GridParser:
    """Collects every table (innermost first) and every run of row-like ``<div>`` elements."""

    def __init__(self) -> None:
        self.grids: list[Table] = []
        self.recent = ""  # the last characters of text seen, wherever they went
        self.tables: list[dict] = []  # open tables: {"rows": [[_Cell]], "cell": _Cell | None}
        self.stack: list[dict] = []  # open elements: {"tag", "row": list[_Cell] | None, "grid": key}
        self.div_grids: dict[int, Grid] = {}
        self.captions: dict[int, str] = {}  # the text above each div grid's first row
        self.order: list[int] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
            return
        if tag == "caption":
            self.recent += "\n"  # (its text is the table's heading: "recent" becomes the caption)
        if tag in _BREAKS:
            self._data("\n")
        if tag == "img" and self.tables and self.tables[-1]["cell"] is not None \
                and (alt := dict(attrs).get("alt")) and len(alt) <= 40:
            self._data(f" {alt.strip()} ")  # a status told by an icon: <img alt="Payée"> in the "État" cell
        if tag in _VOID:
            return
        attr = {k: v or "" for k, v in attrs}
        entry: dict = {"tag": tag, "cell": None, "row": None}
        if tag == "table":
            self.tables.append({"rows": [], "cell": None, "caption": self.recent[-300:]})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if not table["rows"]:
                table["rows"].append([])
            cell = _Cell()
            table["rows"][-1].append((cell, _span(attr.get("colspan")), _span(attr.get("rowspan"))))
            table["cell"] = cell
        elif tag in ("div", "p", "span", "li"):
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.get("row") is not None:
                entry["cell"] = _Cell()
                parent["row"].append(entry["cell"])
            elif tag != "span" and _ROWISH.search(attr.get("style", "") + " " + attr.get("class", "")):
                entry["row"] = []
                entry["grid"] = id(parent) if parent is not None else 0
                self.captions.setdefault(entry["grid"], self.recent[-300:])  # ("Lot 067 – …" above it)
        self.stack.append(entry)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BREAKS:
            self._data("\n")
        if tag in _VOID or not any(e["tag"] == tag for e in self.stack):
            return
        while self.stack:
            entry = self.stack.pop()
            self._close(entry)
            if entry["tag"] == tag:
                break

    def _close(self, entry: dict) -> None:
        tag = entry["tag"]
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] += "\n" + self.recent[-200:].rpartition("\n")[2]
        elif tag in ("td", "th") and self.tables:
            self.tables[-1]["cell"] = None
        elif tag == "table" and self.tables:
            table = self.tables.pop()
            grid = []
            below: dict[int, tuple[int, str]] = {}  # column → (rows still spanned, text) of rowspan cells
            for row in table["rows"]:
                cells: list[str] = []
                queue = list(row)
                while queue or any(col >= len(cells) for col in below):
                    if len(cells) in below:  # a cell of a row above spans down into this one
                        left, text = below.pop(len(cells))
                        cells.append(text)
                        if left > 1:
                            below[len(cells) - 1] = (left - 1, text)
                        continue
                    if not queue:
                        cells.append("")
                        continue
                    cell, span, down = queue.pop(0)
                    for k in range(span):
                        text = cell.text() if k == 0 else ""
                        if down > 1:
                            below[len(cells)] = (down - 1, text)
                        cells.append(text)
                if any(c for c in cells):
                    grid.append(cells)
            if grid:
                self.grids.append(Table(grid, table["caption"]))
        elif entry.get("row") is not None:
            cells = [c.text() for c in entry["row"]]
            if sum(1 for c in cells if c) >= 2:
                key = entry["grid"]
                if key not in self.div_grids:
                    self.div_grids[key] = []
                    self.order.append(key)
                self.div_grids[key].append(cells)

    def _data(self, data: str) -> None:
        if self.skip:
            return
        self.recent = (self.recent + data)[-600:]
        for entry in reversed(self.stack):
            if entry.get("cell") is not None and entry["tag"] not in ("td", "th"):
                entry["cell"].parts.append(data)
                return
            if entry["tag"] in ("td", "th", "table"):
                break
        cell = self.tables[-1]["cell"] if self.tables else None
        if cell is not None:
            cell.parts.append(data)

    def handle_data(self, data: str) -> None:
        self._data(data)


def html_grids(html: str) -> list[Table]:
    """Every table of ``html`` (innermost first) and every ``<div>`` grid, as rows of cell texts."""
    parser = _GridParser()
    try:
        replay(html, parser)
    except Exception:  # noqa: BLE001 - never trust input
        return []
    while parser.stack:
        parser._close(parser.stack.pop())
    divs = [Table(parser.div_grids[k], parser.captions.get(k, "")) for k in parser.order
            if len(parser.div_grids[k]) >= 2]
    return [*parser.grids, *divs]
