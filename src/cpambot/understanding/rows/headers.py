"""The header line of a fixed-width text table: where its columns start, from the names written in it."""

from __future__ import annotations

import re

from cpambot.understanding.rows.cells import role_of

RULE = re.compile(r"^\s*[-+=|:_ ]{3,}\s*$")  # a line drawn under a header or between rows

_INVOICE_HEADER = re.compile(r"(?i)fact|fse|n[°o]|num[ée]ro|invoice|r[ée]f")
_HEADER_WORD = re.compile(r"(?i)\b(?:lots?|fact\w*|fse|montants?|mt|dates?|soins?|codes?|motifs?|libell\w*"
                          r"|consignes?|b[ée]n[ée]ficiaire|patient|assur[ée]e?|rejets?|statut|[ée]tat|situation|suite|eur|"
                          r"r[èe]gl[ée]e?|pay[ée]e?|pi[èe]ces?|anomalies?|observations?|actions?|n[°o]|num[ée]ro)\b")


_LINKS = ("de", "du", "des", "d'", "of")


def header_columns(line: str) -> list[int] | None:
    """The start of each column of a fixed-width header line whose names may be one space apart
    ("LOT FACTURE   DATE SOINS MONTANT CODE"), or None when the line is not such a header."""
    if not _INVOICE_HEADER.search(line) or len(_HEADER_WORD.findall(line)) < 3:
        return None  # every table the bot reads has an invoice column, and a header names 3 columns
    tokens = [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]
    if len(tokens) < 3 or len(tokens) > 16 or any(re.search(r"\d{4}", t) for _, t in tokens):
        return None
    starts: list[int] = []
    roles: list[str] = []
    i = unknown = 0
    def role(first: int, size: int) -> str | None:
        if first + size > len(tokens) or any(wide(k) for k in range(first, first + size - 1)):
            return None  # two spaces or more part two columns: never one name
        return role_of(" ".join(t for _, t in tokens[first:first + size]))

    def wide(k: int) -> bool:  # the gap after token k
        return k + 1 < len(tokens) and tokens[k + 1][0] - (tokens[k][0] + len(tokens[k][1])) >= 2

    while i < len(tokens):
        best = None
        if (alone := role(i, 1)) is not None:
            # "DATE SOINS", "N° FACTURE", "Date de soins", "Motif du rejet": words without a role of
            # their own, or with the same one, or after "de"/"du", qualify the first
            size = 1
            while size < 4 and role(i, size + 1) == alone and (
                    role(i + size, 1) in (None, alone) or tokens[i + size - 1][1].lower() in _LINKS):
                size += 1
            best = (size, alone)
        else:
            for size in (2, 3):
                if (found := role(i, size)) is not None and role(i + size - 1, 1) is not None:
                    best = (size, found)
                    break
        if best is None:
            if not starts:
                return None
            if i > 0 and wide(i - 1):  # a column of its own whose name says nothing known
                starts.append(tokens[i][0])
                roles.append("")
            i += 1  # else a word of the previous column's name
            unknown += 1
            continue
        starts.append(tokens[i][0])
        roles.append(best[1])
        i += best[0]
    # a sentence naming a date, an invoice and a consigne is not a header: most words must be names
    # ("… de votre lot 112, 2 factures n'ont pas pu être réglées :": a sentence, its figures and its colon)
    if len(starts) < 3 or "invoice" not in roles or unknown * 2 > len(tokens) \
            or line.rstrip().endswith((".", ":")) or any(re.fullmatch(r"\d+[,.]?", t) for _, t in tokens):
        return None
    return starts
