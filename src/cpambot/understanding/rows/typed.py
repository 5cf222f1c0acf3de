"""Tables whose cells are cut by one space only, as a PDF's text layer gives them ("260733044 733
12/10/2026 41,85 € Prescription médicale" under "N° facture Lot Date des soins Montant Pièce
demandée"): the header's column names are found in order, and each line is cut by the types its
cells must have (an invoice number, a lot, a date, an amount, a code; words take what is left)."""

from __future__ import annotations

import re

from cpambot.understanding.rows.cells import role_of
from cpambot.understanding.rows.grids import Grid, Table, caption_above

_DIGIT = re.compile(r"\d")

_NUMBER = r"\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}"
_AMOUNT = r"-?\d{1,3}(?:[ \u00a0\u202f.]\d{3})*(?:,\d{2})?\s*(?:€|eur(?:os)?)?"
_CELL = {
    "invoice": rf"(?:n[°o]\s*)?{_NUMBER}",
    "lot": r"\d{1,3}",
    "care_date": r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}(?:\s+au\s+\d{1,2}[/.]\d{1,2}[/.]\d{2,4})?",
    "amount": _AMOUNT,
    "paid_amount": _AMOUNT,
    "code": r"[A-Z]?\d{3,4}(?:\s\d{3})?",
}
# the header row the table is given (the cells below are read by these names' roles)
_NAMES = {"invoice": "Facture", "lot": "Lot", "care_date": "Date des soins", "amount": "Montant",
          "paid_amount": "Montant réglé", "code": "Code rejet", "motif": "Motif", "consigne": "Action",
          "beneficiary": "Bénéficiaire", "status": "Statut"}
_WORDS = r"\S.*?"  # a text column: as little as the next typed cell allows
_HEADER_WORDS = re.compile(r"(?i)(?:montant\s+)?(?:factur[ée]|r[ée]gl[ée]|pay[ée])(?:\s+amo|\s+amc)?"
                           r"\s+(?:eur|€)|n[°o]\s*(?:de\s*)?facture|facture|\blot\b|date\s+(?:des\s+)?soins|montant"
                           r"|motif|code(?:\s+rejet)?|pi[eè]ce\s+demand[ée]e|libell[ée]|b[ée]n[ée]ficiaire"
                           r"|assur[ée]e?|observation|\bsoins(?:\s+du)?\b|\bdemand[ée]\b|\bpay[ée]e?s?\b"
                           r"|\br[ée]gl[ée]e?s?\b|\bsuite(?:\s+[àa]\s+donner)?\b|\bstatut\b|\b[ée]tat\b")


def _header(line: str) -> list[str] | None:
    """The roles a one-space header names, in order ("N° facture Lot Date des soins Montant …")."""
    found = [(m.start(), m.group()) for m in _HEADER_WORDS.finditer(line)]
    roles: list[str] = []
    for _, words in found:
        role = "amount" if re.fullmatch(r"(?i)demand[ée]", words) else role_of(words)
        if role == "amount" and "amount" in roles and re.search(r"(?i)r[ée]gl|pay|vers|rembours", words):
            role = "paid_amount"  # "FACTURÉ EUR" then "RÉGLÉ AMO EUR"
        if role is not None and role not in roles:
            roles.append(role)
    if len(roles) < 3 or "invoice" not in roles:
        return None
    return roles


# an instruction on a line of its own under its row
_INSTRUCTION_LINE = re.compile(r"(?i)^\s*(?:consigne|suite [àa] donner|conduite [àa] tenir"
                               r"|action(?: attendue)?)\s*:\s*(\S.*)$")


def _line_pattern(roles: list[str]) -> re.Pattern[str]:
    parts = [f"({_CELL.get(role, _WORDS)})" for role in roles]
    last = roles[-1] not in _CELL
    body = r"\s+".join(parts[:-1]) + (r"\s+(\S.*)" if last else r"\s+" + parts[-1])
    return re.compile(rf"^\s*{body}\s*$", re.IGNORECASE)


def typed_tables(lines: list[str]) -> tuple[list[Table], set[int]]:
    """Tables of one-space lines under a one-space header, and the lines they took."""
    tables: list[Table] = []
    used: set[int] = set()
    for index, line in enumerate(lines):
        if len(line) > 120 or "factur" not in line.lower() or any(sep in line for sep in "|;\t") \
                or "  " in line.strip() or _DIGIT.search(line):
            continue
        roles = _header(line)
        if roles is None:
            continue
        pattern = _line_pattern(roles)
        grid: Grid = [[_NAMES[r] for r in roles]]
        taken = [index]
        wrapping = len(roles) - 1 if roles[-1] not in _CELL else None  # the cell a lower-case line goes on
        for k in range(index + 1, min(len(lines), index + 200)):
            if k == index + 1 and re.fullmatch(r"\s*[-=]{2,}(?:\s+[-=]{2,})*\s*", lines[k]):
                taken.append(k)  # the rule under the header
                continue
            found = pattern.match(lines[k])
            if found is None and len(grid) > 1 and wrapping is not None \
                    and re.match(r"\s*[a-zà-ÿ]", lines[k]) and not re.search(r"\d{3}", lines[k]):
                grid[-1][wrapping] = f"{grid[-1][wrapping]} {lines[k].strip()}"  # "… à la date des" / "soins"
                taken.append(k)
                continue
            if found is None and len(grid) > 1 and (told := _INSTRUCTION_LINE.match(lines[k])):
                # "Consigne : vérifiez la caisse d'affiliation … puis refacturez" under its row
                if "consigne" not in roles:
                    roles = [*roles, "consigne"]
                    grid = [[*row, _NAMES["consigne"] if i == 0 else ""] for i, row in enumerate(grid)]
                wrapping = roles.index("consigne")
                grid[-1][wrapping] = told.group(1).strip()
                taken.append(k)
                continue
            if found is None:
                break
            grid.append([g.strip() for g in found.groups()] + [""] * (len(roles) - len(found.groups())))
            wrapping = len(found.groups()) - 1 if roles[len(found.groups()) - 1] not in _CELL else None
            taken.append(k)
        if len(grid) >= 2:
            tables.append(Table(grid, caption_above(lines, index)))
            used.update(taken)
    return tables, used
