"""Bank statements as the professional's bank gives them: OFX/QFX (read by ofxtools: maintained, pure
Python, OFX 1 SGML and OFX 2 XML, comma or point decimals) or CSV (French conventions: « ; », decimal
comma, dates JJ/MM/AAAA, a few lines of account details before the header; the columns named in the
configuration, else recognised by their usual French names). Pure: bytes in, bank lines out."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from cpambot.errors import StatementError


@dataclass(frozen=True)
class BankLine:
    day: date
    amount: Decimal  # credit positive, debit negative
    label: str
    ref: str | None = None  # the bank's own id of the line (OFX FITID)


@dataclass(frozen=True)
class CsvColumns:
    """Which columns of a CSV statement hold what (their header's text, compared without case or
    accents); empty: the usual French names are tried."""

    date: tuple[str, ...] = ("date operation", "date de l'operation", "date", "date comptable",
                             "date de comptabilisation", "date valeur")
    label: tuple[str, ...] = ("libelle", "libelle operation", "libelle de l'operation", "intitule",
                              "description", "detail", "nature de l'operation")
    amount: tuple[str, ...] = ("montant", "montant(euros)", "montant (eur)", "montant en euros",
                               "montant eur")
    debit: tuple[str, ...] = ("debit", "debit euros", "debit (eur)", "montant debit")
    credit: tuple[str, ...] = ("credit", "credit euros", "credit (eur)", "montant credit")


def read_statement(data: bytes, columns: CsvColumns | None = None) -> list[BankLine]:
    """The lines of a statement, OFX or CSV (told by their content, not by the file's name)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head or head.startswith(b"<?XML"):
        return read_ofx(data)
    return read_csv(data, columns or CsvColumns())


def read_ofx(data: bytes) -> list[BankLine]:
    from ofxtools.Parser import OFXTree  # (imported when an OFX file is read)

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        ofx = tree.convert()
        lines = [BankLine(t.dtposted.date(), Decimal(t.trnamt), " ".join(x for x in (t.name, t.memo) if x),
                          t.fitid)
                 for statement in ofx.statements for t in statement.transactions]
    except Exception as exc:  # noqa: BLE001 - ofxtools raises many kinds; the user needs one sentence
        raise StatementError(f"relevé OFX illisible ({exc.__class__.__name__} : {str(exc)[:120]}) : "
                             "exportez-le de nouveau depuis votre banque, ou en CSV") from exc
    if not lines:
        raise StatementError("relevé OFX sans aucune opération")
    return lines


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("\u2019", "'").split())


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def parse_day(text: str) -> date | None:
    text = text.strip()
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


ZERO = Decimal("0")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d{1,2})?$")


def parse_amount(text: str) -> Decimal | None:
    """« 1 234,56 », « -12,50 », « +1234.56 », « 12,50 € », « (12,50) » → a Decimal; None when empty."""
    raw = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    raw = raw.replace("EUR", "").replace("eur", "")
    if not raw:
        return None
    negative = raw.startswith("(") and raw.endswith(")")
    raw = raw.strip("()")
    if "," in raw and "." in raw:  # « 1.234,56 » (thousands point) or « 1,234.56 »
        comma_last = raw.rfind(",") > raw.rfind(".")
        raw = raw.replace(".", "").replace(",", ".") if comma_last else raw.replace(",", "")
    if not _NUMBER.match(raw):
        raise ValueError(text)
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return -value if negative else value


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [_fold(h) for h in header]
    for name in names:
        if _fold(name) in folded:
            return folded.index(_fold(name))
    return None


def read_csv(data: bytes, columns: CsvColumns) -> list[BankLine]:
    text = _decode(data)
    sample = "\n".join(text.splitlines()[:40])
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    for at, header in enumerate(rows[:30]):  # (a few lines of account details may come first)
        day, label = _find(header, columns.date), _find(header, columns.label)
        amount, debit, credit = (_find(header, columns.amount), _find(header, columns.debit),
                                 _find(header, columns.credit))
        if day is not None and label is not None and (amount is not None or (debit is not None
                                                                              and credit is not None)):
            return _rows(rows[at + 1:], at + 2, day, label, amount, debit, credit)
    found = next((r for r in rows[:30] if len([c for c in r if c.strip()]) >= 2), [])
    raise StatementError("relevé CSV : colonnes de date, de libellé et de montant (ou débit et crédit) "
                         "introuvables ; colonnes trouvées : "
                         + (", ".join(f"« {c.strip()} »" for c in found if c.strip()) or "aucune")
                         + ". Indiquez-les dans la configuration, section [rapprochement] (colonne_date, "
                           "colonne_libelle, colonne_montant ou colonne_debit et colonne_credit)")


def _cell(row: list[str], index: int | None) -> str:
    return row[index] if index is not None and index < len(row) else ""


def _rows(rows: list[list[str]], first_line: int, day: int, label: int, amount: int | None,
          debit: int | None, credit: int | None) -> list[BankLine]:
    lines: list[BankLine] = []
    for number, row in enumerate(rows, start=first_line):
        if not any(cell.strip() for cell in row):
            continue
        when = parse_day(_cell(row, day))
        if when is None:
            if lines:  # a total or a footer after the operations
                continue
            raise StatementError(f"relevé CSV, ligne {number} : date illisible « {_cell(row, day)} » "
                                 "(attendu JJ/MM/AAAA ou AAAA-MM-JJ)")
        try:
            if amount is not None:
                value = parse_amount(_cell(row, amount))
            else:
                out, into = parse_amount(_cell(row, debit)), parse_amount(_cell(row, credit))
                value = None if out is None and into is None else (into or ZERO) - abs(out or ZERO)
        except ValueError as exc:
            raise StatementError(f"relevé CSV, ligne {number} : montant illisible « {exc} »") from None
        if value is not None:
            lines.append(BankLine(when, value, " ".join(_cell(row, label).split())))
    if not lines:
        raise StatementError("relevé CSV sans aucune opération lisible")
    return lines
