"""``cpambot export``: the tracking table (one row per invoice) as CSV or XLSX."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cpambot import labels
from cpambot.books.invoicebook import tracking_table
from cpambot.books.spreadsheet import to_csv, write_xlsx
from cpambot.errors import UsageError
from cpambot.store.database import Store


def french_date(text: str) -> date:
    """A date given as JJ/MM/AAAA or AAAA-MM-JJ."""
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date illisible : « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)")


def add_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="tableau de suivi des factures (une ligne par facture) en CSV "
                                           "ou XLSX")
    export.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                        help="csv (séparateur « ; », virgule décimale) ou xlsx (défaut : csv)")
    export.add_argument("--depuis", type=french_date, default=None, metavar="DATE",
                        help="factures envoyées à partir de cette date (JJ/MM/AAAA)")
    export.add_argument("--jusqu-a", dest="jusqu_a", type=french_date, default=None, metavar="DATE",
                        help="factures envoyées jusqu'à cette date incluse (JJ/MM/AAAA)")
    export.add_argument("--sortie", "-o", type=Path, default=None, metavar="FICHIER",
                        help="fichier à écrire (défaut : la sortie standard)")
    export.add_argument("--data-dir", type=Path, default=None,
                        help="dossier de données (défaut : celui de la configuration)")


def cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    if args.depuis and args.jusqu_a and args.depuis > args.jusqu_a:
        raise UsageError("« --depuis » est après « --jusqu-a » : aucune facture ne peut s'y trouver")
    if args.format == "xlsx" and args.sortie is None and sys.stdout.isatty():
        raise UsageError("un fichier XLSX ne s'affiche pas dans le terminal : ajoutez « --sortie "
                         "suivi.xlsx » ou redirigez la sortie (« > suivi.xlsx »)")
    with Store.open(data_dir, readonly=True) as store:
        rows = tracking_table(store, args.depuis, args.jusqu_a)
    if args.format == "csv":
        data = to_csv(rows)
    else:
        with tempfile.TemporaryDirectory(prefix="cpambot-export-") as tmp:
            path = Path(tmp) / "suivi.xlsx"
            write_xlsx(rows, path)
            data = path.read_bytes()
    if args.sortie is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        fd = os.open(args.sortie, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # (health data)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        print(f"{args.sortie} : {labels.count(len(rows), 'facture')}", file=sys.stderr)
    return 0
