"""The professional's books on the command line: ``cpambot export`` (the tracking table, one row per invoice,
as CSV or XLSX), ``cpambot calendrier`` (every deadline as an iCalendar feed) and ``cpambot stats`` (what
was rejected, recovered, is still pending)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cpambot import labels
from cpambot.books.calendar import Reminder, deadline_events, to_ics
from cpambot.books.invoicebook import InvoiceBook, tracking_table
from cpambot.books.spreadsheet import to_csv, write_xlsx
from cpambot.books.stats import figures, stats_json, stats_text
from cpambot.cases.casebook import CaseBook
from cpambot.clock import SystemClock
from cpambot.config.model import DEFAULT_TIMEZONE, Config
from cpambot.errors import UsageError
from cpambot.instants import local_date
from cpambot.store.database import Store


def french_date(text: str) -> date:
    """A date given as JJ/MM/AAAA or AAAA-MM-JJ."""
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date illisible : « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)")


def reminder_days(text: str) -> tuple[int, ...]:
    """« 7,1 » → (7, 1); « 0 » or « aucun » → no alarm."""
    if text.strip().lower() in ("aucun", "aucune", "non", "0", ""):
        return ()
    try:
        days = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"rappel illisible : « {text} » (attendu un nombre de jours, "
                                         "par exemple 3, ou plusieurs : 7,1)") from None
    if any(d < 0 or d > 60 for d in days):
        raise argparse.ArgumentTypeError(f"rappel hors limites : « {text} » (de 0 à 60 jours avant)")
    return days


def add_parsers(sub: Any) -> None:
    from cpambot.cli.login import add_parser as add_login_parser
    from cpambot.cli.reconcile import add_parser as add_reconcile_parser

    add_reconcile_parser(sub)
    add_login_parser(sub)
    stats = sub.add_parser("stats", help="ce que le robot a rapporté : rejets, argent récupéré après un "
                                         "courrier, impayés par ancienneté, indus, taux de rejet")
    stats.add_argument("--par", choices=("mois", "caisse"), default="mois",
                       help="une ligne par mois (défaut) ou par caisse et complémentaire")
    stats.add_argument("--depuis", type=french_date, default=None, metavar="DATE",
                       help="seulement les paiements et rejets à partir de cette date (JJ/MM/AAAA)")
    stats.add_argument("--json", action="store_true", help="sortie JSON")
    stats.add_argument("--data-dir", type=Path, default=None,
                       help="dossier de données (défaut : celui de la configuration)")
    calendar = sub.add_parser("calendrier", help="les échéances de tous les dossiers au format iCalendar "
                                                  "(.ics), pour votre agenda ou votre téléphone")
    calendar.add_argument("--rappel", type=reminder_days, default=None, metavar="JOURS",
                          help="alarme ce nombre de jours avant, à 9 h (plusieurs : 7,1 ; aucune : 0 ; "
                               "défaut : « rappel_agenda_jours » de la configuration, sinon 3)")
    calendar.add_argument("--sortie", "-o", type=Path, default=None, metavar="FICHIER",
                          help="fichier à écrire (défaut : la sortie standard)")
    calendar.add_argument("--data-dir", type=Path, default=None,
                          help="dossier de données (défaut : celui de la configuration)")
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


def run(args: argparse.Namespace, config_of: Callable[[], Config]) -> int:
    """``cpambot export``, ``stats`` or ``calendrier`` (and ``rapprochement``, ``login``): on ``--data-dir``
    alone (the demo's data) or on the
    configuration's data (and, when ``--rappel`` is not given, its ``rappel_agenda_jours``)."""
    if args.command == "rapprochement":
        from cpambot.cli.reconcile import cmd_reconcile
        return cmd_reconcile(args, config_of)
    if args.command == "login":
        from cpambot.cli.login import cmd_login
        return cmd_login(args, config_of())
    config = None if args.data_dir else config_of()
    data_dir = config.data_dir if config is not None else args.data_dir
    if getattr(args, "rappel", ()) is None:
        days = config.calendar_reminder_days if config is not None else 3
        args.rappel = (days,) if days else ()
    if args.command == "export":
        return cmd_export(args, data_dir)
    # her day, not the UTC one (late in the evening in Réunion, or just after midnight in Paris)
    now = SystemClock().now()
    today = local_date(now, ZoneInfo(config.timezone if config is not None else DEFAULT_TIMEZONE))
    if args.command == "stats":
        return cmd_stats(args, data_dir, today)
    return cmd_calendar(args, data_dir, now, today)


def cmd_stats(args: argparse.Namespace, data_dir: Path, today: date) -> int:
    with Store.open(data_dir, readonly=True) as store:
        fig = figures(InvoiceBook(store).records(), CaseBook(store).all(archived=True), today, by=args.par,
                      since=args.depuis)
    if args.json:
        json.dump(stats_json(fig), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(stats_text(fig, args.par))
    return 0


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
    _write(data, args.sortie, labels.count(len(rows), "facture"))
    return 0


def cmd_calendar(args: argparse.Namespace, data_dir: Path, now: datetime, today: date) -> int:
    with Store.open(data_dir, readonly=True) as store:
        cases = list(CaseBook(store).all(archived=True))
    events = deadline_events(cases, now, Reminder(args.rappel), today=today)
    _write(to_ics(events), args.sortie, labels.count(len(events), "échéance"))
    return 0


def _write(data: bytes, target: Path | None, what: str) -> None:
    """To the standard output, or to ``target``, owner-only (health data), saying what it holds."""
    if target is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    print(f"{target} : {what}", file=sys.stderr)
