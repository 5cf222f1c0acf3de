"""Bank statements as the professional's bank gives them: OFX/QFX (read by ofxtools: maintained, pure
Python, OFX 1 SGML and OFX 2 XML, comma or point decimals) or CSV (French conventions: « ; », decimal
comma, dates JJ/MM/AAAA, a few lines of account details before the header; the columns named in the
configuration, else recognised by their usual French names). Pure: bytes in, bank lines out."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cpambot.errors import StatementError


@dataclass(frozen=True)
class BankLine:
    day: date
    amount: Decimal  # credit positive, debit negative
    label: str
    ref: str | None = None  # the bank's own id of the line (OFX FITID)


@dataclass(frozen=True)
class CsvColumns:
    """The columns of a CSV statement named in the configuration (their header's text, compared without
    case or accents); those left empty are recognised by the words of their header (« Date opération »,
    « dateOp », « Libellé », « label », « Montant (EUR) », « amount », « Débit », « Crédit »…)."""

    date: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()


def read_statement(data: bytes, columns: CsvColumns | None = None) -> list[BankLine]:
    """The lines of a statement, OFX or CSV (told by their content, not by the file's name)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \r\n\t").upper()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head or head.startswith(b"<?XML"):
        return read_ofx(data)
    return read_csv(data, columns or CsvColumns())


def read_ofx(data: bytes) -> list[BankLine]:
    """ofxtools parses the file and checks it against the OFX specification; when a bank breaks the
    specification where nothing is read here (a bank name over 32 characters…), the transactions are
    taken from the tree ofxtools parsed, without that check."""
    from ofxtools.Parser import OFXTree  # (imported when an OFX file is read)

    tree = OFXTree()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (private tags such as <INTU.BID> are skipped, as they should)
        try:
            tree.parse(io.BytesIO(data))
        except Exception as exc:  # noqa: BLE001 - ofxtools raises many kinds; the user needs one sentence
            raise StatementError(f"relevé OFX illisible ({exc.__class__.__name__} : {str(exc)[:120]}) : "
                                 "exportez-le de nouveau depuis votre banque, ou en CSV") from exc
        try:
            ofx = tree.convert()
            lines = [BankLine(t.dtposted.date(), Decimal(t.trnamt),
                              " ".join(x for x in (t.name, t.memo) if x), t.fitid)
                     for statement in ofx.statements for t in statement.transactions]
        except Exception:  # noqa: BLE001 - the specification's check failed: read the transactions alone
            lines = _transactions(tree.getroot())
    if not lines:
        raise StatementError("relevé OFX sans aucune opération")
    return lines


def _texts(item: Any) -> Callable[[str], str]:
    def text(tag: str) -> str:
        found = item.find(tag)
        return (found.text or "").strip() if found is not None else ""
    return text


def _transactions(root: Any) -> list[BankLine]:
    lines = []
    for item in root.iter("STMTTRN"):
        text = _texts(item)
        day = text("DTPOSTED")[:8]
        try:
            when = date(int(day[:4]), int(day[4:6]), int(day[6:8]))
            amount = Decimal(text("TRNAMT").replace(",", "."))
        except (ValueError, InvalidOperation) as exc:
            raise StatementError(f"relevé OFX : opération illisible (date « {text('DTPOSTED')} », montant "
                                 f"« {text('TRNAMT')} »)") from exc
        lines.append(BankLine(when, amount, " ".join(x for x in (text("NAME"), text("MEMO")) if x),
                              text("FITID") or None))
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
        raise StatementError(f"montant illisible « {text.strip()} »")
    value = Decimal(raw.replace(",", "."))  # (the pattern above lets only a number through)
    return -value if negative else value


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# What a header's words say of its column, when the configuration does not name it.
_WORDS = {
    "date": (("date op", "dateop", "date de l'op", "date d'op"), ("date",), ("valeur", "val")),
    "label": (("libelle op", "libelle de l'op", "libelle complet"),
              ("libelle", "label", "intitule", "description", "detail", "motif"), ()),
    "amount": ((), ("montant", "amount", "somme"), ("franc", "solde", "balance", "debit", "credit")),
    "debit": ((), ("debit",), ("solde", "franc")),
    "credit": ((), ("credit",), ("solde", "franc", "carte")),
}


def _find(header: list[str], named: tuple[str, ...], kind: str) -> int | None:
    """The column of ``kind``: the one the configuration names, else the best by its header's words
    (preferred words first; a column whose header has an excluded word only when nothing else fits)."""
    folded = [_fold(h) for h in header]
    if named:
        wanted = [_fold(n) for n in named]
        return next((i for i, h in enumerate(folded) if h in wanted), None)
    preferred, words, excluded = _WORDS[kind]
    fits = [i for i, h in enumerate(folded) if any(h.startswith(w) or f" {w}" in h for w in words)]
    clean = [i for i in fits if not any(x in folded[i] for x in excluded)]
    best = [i for i in clean if any(p in folded[i] for p in preferred)]
    if kind == "date" and not clean:
        clean = fits  # (only a value date: better than nothing)
    chosen = best or clean
    return chosen[0] if chosen else None


def read_csv(data: bytes, columns: CsvColumns) -> list[BankLine]:
    text = _decode(data)
    sample = "\n".join(text.splitlines()[:40])
    delimiter = max((";", ",", "\t"), key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    for at, header in enumerate(rows[:30]):  # (a few lines of account details may come first)
        if sum(1 for cell in header if parse_day(cell)) > 0:
            continue  # (a row with a date is a row of data, not a header)
        day, label = _find(header, columns.date, "date"), _find(header, columns.label, "label")
        amount = _find(header, columns.amount, "amount")
        debit, credit = _find(header, columns.debit, "debit"), _find(header, columns.credit, "credit")
        if day is not None and label is not None and (amount is not None or (debit is not None
                                                                              and credit is not None)):
            return _rows(rows[at + 1:], at + 2, day, label, amount, debit, credit)
    headerless = _headerless(rows)
    if headerless is not None:
        return headerless
    found = next((r for r in rows[:30] if len([c for c in r if c.strip()]) >= 2), [])
    raise StatementError("relevé CSV : colonnes de date, de libellé et de montant (ou débit et crédit) "
                         "introuvables ; colonnes trouvées : "
                         + (", ".join(f"« {c.strip()} »" for c in found if c.strip()) or "aucune")
                         + ". Indiquez-les dans la configuration, section [rapprochement] (colonne_date, "
                           "colonne_libelle, colonne_montant ou colonne_debit et colonne_credit)")


def _amount_like(cell: str) -> bool:
    try:
        return parse_amount(cell) is not None and ("," in cell or "." in cell)
    except StatementError:
        return False


def _headerless(rows: list[list[str]]) -> list[BankLine] | None:
    """A statement without a header row (LCL): the date column is the one that holds dates, the amount the
    first other one that holds amounts with cents, the label the longest text; a row without a label
    (the balance, at the end) is not an operation."""
    lengths = Counter(len(r) for r in rows if len(r) >= 3 and any(c.strip() for c in r))
    if not lengths:
        return None
    width = lengths.most_common(1)[0][0]  # (the balance line at the end is shorter)
    data = [r for r in rows if len(r) >= width][:40]
    if len(data) < 2:
        return None

    def share(test: Callable[[str], bool], index: int) -> float:
        return sum(1 for r in data if test(r[index])) / len(data)
    dates = [i for i in range(width) if share(lambda c: parse_day(c) is not None, i) >= 0.8]
    if not dates:
        return None
    day = dates[0]
    amounts = [i for i in range(width) if i != day and share(_amount_like, i) >= 0.8]
    texts = [i for i in range(width) if i != day and i not in amounts]
    if not amounts or not texts:
        return None
    label = max(texts, key=lambda i: sum(len(r[i]) for r in data))
    kept = [r for r in rows if len(r) > label and r[label].strip()]
    return _rows(kept, 1, day, label, amounts[0], None, None)


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
        except StatementError as exc:
            raise StatementError(f"relevé CSV, ligne {number} : {exc}") from None
        if value is not None:
            lines.append(BankLine(when, value, " ".join(_cell(row, label).split())))
    if not lines:
        raise StatementError("relevé CSV sans aucune opération lisible")
    return lines
