"""``cpambot rapprochement RELEVE``: the transfers the returns announced against a bank statement. The
report is printed, and kept in ``<données>/rapprochements/`` (owner-only) for the next digest."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from cpambot.books.bank import CsvColumns, read_statement
from cpambot.books.invoicebook import InvoiceBook
from cpambot.books.reconcile import REPORTS, reconcile, reconciliation_json, reconciliation_lines
from cpambot.cases.casebook import CaseBook
from cpambot.cases.model import CaseType
from cpambot.clock import SystemClock
from cpambot.config.model import Config
from cpambot.errors import StatementError
from cpambot.store.database import Store
from cpambot.store.files import atomic_write, ensure_private_dir


def add_parser(sub: Any) -> None:
    bank = sub.add_parser("rapprochement", help="compare les virements annoncés par les retours NOEMIE à un "
                                                "relevé bancaire (OFX, QFX ou CSV)")
    bank.add_argument("statement", metavar="RELEVE", type=Path, help="le relevé exporté de votre banque")
    bank.add_argument("--json", action="store_true", help="sortie JSON")
    bank.add_argument("--data-dir", type=Path, default=None,
                      help="dossier de données (défaut : celui de la configuration)")


def columns_of(pairs: tuple[tuple[str, str], ...]) -> CsvColumns:
    """The configuration's column names (section [rapprochement]) over the usual French ones."""
    chosen = dict(pairs)
    names = {"date": "date", "libelle": "label", "montant": "amount", "debit": "debit", "credit": "credit"}
    return replace(CsvColumns(), **{names[k]: (v,) for k, v in chosen.items() if k in names})


def cmd_reconcile(args: argparse.Namespace, config_of: Callable[[], Config]) -> int:
    config = None if args.data_dir else config_of()
    data_dir: Path = args.data_dir if config is None else config.data_dir
    try:
        data = args.statement.read_bytes()
    except OSError as exc:
        raise StatementError(f"relevé {args.statement} illisible : {exc.strerror or exc}") from exc
    lines = read_statement(data, columns_of(config.statement_columns if config is not None else ()))
    with Store.open(data_dir, readonly=True) as store:
        transfers = InvoiceBook(store).transfers()
        retenues = [c.amount for c in CaseBook(store).all(archived=True)
                    if c.type is CaseType.RETENUE and c.amount is not None]
    result = reconcile(transfers, lines, retenues=[Decimal(r) for r in retenues])
    report = {**reconciliation_json(result), "lignes": reconciliation_lines(result),
              "releve": args.statement.name, "fait_le": SystemClock().now().isoformat()}
    folder = ensure_private_dir(data_dir / REPORTS)
    atomic_write(folder / f"{datetime.now():%Y-%m-%dT%H%M%S}.json",
                 json.dumps(report, ensure_ascii=False, indent=1).encode())
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print("\n".join(reconciliation_lines(result)))
    # a script can tell: 1 when something announced did not arrive or arrived short
    return 1 if result.missing or result.deductions else 0
