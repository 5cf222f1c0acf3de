"""The ``cpambot`` command line. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or config."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from cpambot import __version__, labels
from cpambot.cli.backup import add_parsers as add_backup_parsers
from cpambot.cli.books import add_parsers as add_books_parsers
from cpambot.cli.rules import add_parser as add_rules_parser
from cpambot.cli.rules import cmd_rules
from cpambot.cli.status import add_parser as add_status_parser
from cpambot.config.loader import load_config
from cpambot.config.model import Config, default_config_path
from cpambot.errors import CpambotError, UsageError
from cpambot.mailbox.ledger import LEDGER, LedgerRow, LedgerState
from cpambot.mailbox.senders import Category
from cpambot.service.logs import set_log_timezone, setup_logging
from cpambot.service.report import ledger_json, ledger_table, sync_summary
from cpambot.store.database import Store
from cpambot.understanding.learning import LearnedRule

LOG = logging.getLogger("cpambot")

# argparse speaks English; the user reads French.
_ARGPARSE_FR = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "affiche cette aide et quitte",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "expected one argument": "une valeur est attendue",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
}
argparse._ = lambda text: _ARGPARSE_FR.get(text, text)  # type: ignore[attr-defined]


class FrenchParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="cpambot",
        description="Robot de suivi des retours de l'Assurance Maladie (rejets, impayés, indus).")
    parser.add_argument("--version", action="version", version=f"cpambot {__version__}",
                        help="affiche la version")
    parser.add_argument("-c", "--config", type=Path, default=None,
                        help="fichier de configuration (défaut : $CPAMBOT_CONFIG, "
                             "/etc/cpambot/config.toml ou ~/.config/cpambot/config.toml)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="journal plus détaillé (-vv : mode débogage)")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchParser)

    poll = sub.add_parser("poll", help="relève les boîtes aux lettres")
    poll.add_argument("--once", action="store_true",
                      help="une seule relève puis quitte (sans --once : relève en continu)")

    sub.add_parser("run", help="lance le service : relève périodique (pour systemd)")

    check = sub.add_parser("check", help="vérifie la configuration")
    check.add_argument("--connect", action="store_true",
                       help="se connecte aussi à chaque compte et affiche les capacités du serveur "
                            "(sans toucher aux messages)")

    demo = sub.add_parser("demo", help="démonstration sur une boîte aux lettres fictive fournie")
    demo.add_argument("--data-dir", type=Path, default=None,
                      help="dossier de données de la démonstration (défaut : dossier temporaire)")

    parse = sub.add_parser("parse", help="montre ce que le robot comprend d'un message (.eml), "
                                         "sans rien enregistrer")
    parse.add_argument("file", type=Path, metavar="FICHIER.eml")
    parse.add_argument("--json", action="store_true", help="sortie JSON")

    cases = sub.add_parser("cases", help="liste des dossiers ouverts")
    cases.add_argument("--etat", "--state", dest="state", choices=("open", "waiting", "closed", "tous"),
                       default=None, help="open (à traiter), waiting (en attente), closed (clos) ou tous ; "
                                          "défaut : à traiter et en attente")
    cases.add_argument("--json", action="store_true", help="sortie JSON")
    cases.add_argument("--data-dir", type=Path, default=None, help="dossier de données")

    case = sub.add_parser("case", help="détail d'un dossier, avec son historique et ses échéances")
    case.add_argument("case_id", metavar="DOSSIER", help="numéro du dossier (ex. C12)")
    case.add_argument("--json", action="store_true", help="sortie JSON")
    case.add_argument("--data-dir", type=Path, default=None, help="dossier de données")

    sub.add_parser("rebuild", help="recalcule tous les dossiers depuis les copies brutes des messages "
                                   "(après une mise à jour) ; brouillons et envois sont conservés")

    drafts = sub.add_parser("drafts", help="brouillons et envois : codes, états, destinataires")
    drafts.add_argument("--json", action="store_true", help="sortie JSON")
    drafts.add_argument("--data-dir", type=Path, default=None, help="dossier de données")

    ledger = sub.add_parser("ledger", help="registre des messages vus et de leur traitement")
    ledger.add_argument("--etat", "--state", dest="state", choices=[s.value for s in LedgerState],
                        help="seulement les messages dans cet état")
    ledger.add_argument("--categorie", "--category", dest="category",
                        choices=[c.value for c in Category], help="seulement cette catégorie")
    ledger.add_argument("--tous", "--all", dest="all", action="store_true",
                        help="inclut les messages sans rapport avec la caisse")
    ledger.add_argument("--limite", "--limit", dest="limit", type=int, default=200,
                        help="nombre maximal de lignes (défaut 200)")
    ledger.add_argument("--json", action="store_true", help="sortie JSON")
    ledger.add_argument("--data-dir", type=Path, default=None,
                        help="dossier de données (défaut : celui de la configuration)")
    add_rules_parser(sub)
    add_status_parser(sub)
    add_backup_parsers(sub)
    add_books_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    previous = os.umask(0o077)  # health data: everything we create is owner-only
    try:
        return _main(argv)
    finally:
        os.umask(previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except CpambotError as exc:
        print(f"cpambot : {exc}", file=sys.stderr)
        LOG.debug("détail", exc_info=True)
        return exc.exit_code
    except KeyboardInterrupt:
        print("cpambot : interrompu", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader stopped reading ("cpambot ledger | head"): not an error of ours; stdout is pointed at
        # /dev/null so that Python's own flush at exit does not complain either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config or default_config_path())
    set_log_timezone(config.timezone)  # (log times are the professional's)
    return config


def cmd_poll(args: argparse.Namespace) -> int:
    if not args.once:
        return cmd_run(args)
    from cpambot.cli.progress import TerminalProgress
    from cpambot.service.poll import poll_once

    config = _config(args)
    with Store.open(config.data_dir) as store:
        report = poll_once(config, store, progress=TerminalProgress.if_terminal())
    print(sync_summary(report))
    return 0 if report.ok else 1


def cmd_run(args: argparse.Namespace) -> int:
    from cpambot.service.daemon import run_daemon

    return run_daemon(_config(args))


def cmd_check(args: argparse.Namespace) -> int:
    from cpambot.cli.check import check_config

    return check_config(_config(args), connect=args.connect)


def cmd_demo(args: argparse.Namespace) -> int:
    from cpambot.demo.run import run_demo

    return run_demo(args.data_dir)


def cmd_ledger(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limite doit être un nombre positif")
    data_dir = args.data_dir or _config(args).data_dir
    store = Store.open(data_dir, readonly=True)
    try:
        rows = [LedgerRow.from_doc(doc) for doc in store.values(LEDGER, archived=True)]
    finally:
        store.close()
    if args.state:
        rows = [r for r in rows if r.state == args.state]
    if args.category:
        rows = [r for r in rows if r.category == args.category]
    elif not args.all and not args.state:
        rows = [r for r in rows if r.category != Category.OTHER]
    rows.sort(key=lambda r: (r.account, r.folder, r.uidvalidity, r.uid))
    rows = rows[-args.limit:]
    if args.json:
        json.dump([ledger_json(row) for row in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif rows:
        print(ledger_table(rows))
    else:
        print("Aucun message ne correspond.")
    return 0


def _optional_config(args: argparse.Namespace) -> Config | None:
    path = args.config or default_config_path()
    explicit = args.config is not None or bool(os.environ.get("CPAMBOT_CONFIG"))
    if not explicit and not path.exists():
        return None
    return load_config(path)


def cmd_parse(args: argparse.Namespace) -> int:
    from cpambot.cli.explain import explain, explain_text
    from cpambot.clock import SystemClock
    from cpambot.config.model import DEFAULT_TIMEZONE
    from cpambot.instants import local_date
    from cpambot.mailbox.senders import SenderPolicy
    from cpambot.service.bootstrap import build_policy
    from cpambot.service.ocr import PaperReader

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise UsageError(f"lecture impossible de {args.file} : {exc.strerror}") from exc
    config = _optional_config(args)
    policy = build_policy(config) if config else SenderPolicy.build()
    today = local_date(SystemClock().now(), ZoneInfo(config.timezone if config else DEFAULT_TIMEZONE))
    our_ids, rules = _from_store(config, raw) if config else (None, ())
    report = explain(raw, policy, config.caisses if config else (), today=today,
                     settings=config.rules if config else None, our_message_ids=our_ids,
                     authserv_ids=config.authserv_ids if config else (), rules=rules,
                     reader=PaperReader(config.data_dir if config else None))  # (photos and scans read)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else explain_text(report))
    return 0


def _from_store(config: Config, raw: bytes) -> tuple[set[str] | None, tuple[LearnedRule, ...]]:
    """Those of the Message-IDs ``raw`` answers that the bot sent to the approver, and the rules she
    taught, read from the store without changing it (None and no rule when there is no store yet)."""
    from cpambot.mailbox.headers import header_block, summarize
    from cpambot.service.approver import sent_among
    from cpambot.service.learning import load_rules
    from cpambot.store.database import has_data

    if not has_data(config.data_dir):
        return None, ()
    head = summarize(header_block(raw), len(raw))
    try:
        with Store.open(config.data_dir, readonly=True) as store:
            return sent_among(store, (*head.in_reply_to, *head.references)), load_rules(store)
    except CpambotError:
        return None, ()


def _today(args: argparse.Namespace) -> date:
    """The professional's date now (for "dépassée"), in the configured time zone when there is one."""
    from cpambot.clock import SystemClock
    from cpambot.instants import local_date

    now = SystemClock().now()
    try:
        return local_date(now, ZoneInfo(_config(args).timezone))
    except CpambotError:  # no configuration (only --donnees): the machine's own zone
        return now.astimezone().date()


def _read_store(args: argparse.Namespace) -> Store:
    data_dir = args.data_dir or _config(args).data_dir
    return Store.open(data_dir, readonly=True)


def cmd_cases(args: argparse.Namespace) -> int:
    from cpambot.cases.casebook import CaseBook
    from cpambot.service.report import case_json, cases_table

    with _read_store(args) as store:
        rows = list(CaseBook(store).all(archived=args.state in ("closed", "tous")))
    if args.state != "tous":
        wanted = {args.state} if args.state else {"open", "waiting"}
        rows = [c for c in rows if c.state in wanted]
    rows = [c for c in rows if c.type != "lot_watch" or args.state in ("waiting", "tous")]
    rows.sort(key=lambda c: int(c.id[1:]))
    if args.json:
        json.dump([case_json(c) for c in rows], sys.stdout, ensure_ascii=False, indent=1)
        print()
    elif rows:
        print(cases_table(rows, _today(args)))
    else:
        print("Aucun dossier.")
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    from cpambot.cases.casebook import CaseBook
    from cpambot.cases.describe import case_detail
    from cpambot.service.report import case_json

    with _read_store(args) as store:
        case = CaseBook(store).by_id(args.case_id)
    if case is None:
        print(f"cpambot : dossier « {args.case_id} » introuvable (voir « cpambot cases »)", file=sys.stderr)
        return 1
    if args.json:
        json.dump(case_json(case, history=True), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(case_detail(case, _today(args)))
    return 0


def cmd_drafts(args: argparse.Namespace) -> int:
    from cpambot.cli.drafts import show_drafts

    with _read_store(args) as store:
        return show_drafts(store, as_json=args.json)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from cpambot.service.rebuild import rebuild

    config = _config(args)
    with Store.open(config.data_dir) as store:
        report = rebuild(config, store)
        count = sum(1 for _ in store.values("cases"))
    print(f"Dossiers recalculés : {labels.count(report.done, 'message relu', 'messages relus')}, "
          f"{report.failed} en échec, {labels.count(count, 'dossier')}.")
    return 0 if not report.failed else 1


def cmd_regles(args: argparse.Namespace) -> int:
    return cmd_rules(args, args.data_dir or _config(args).data_dir)


def cmd_status(args: argparse.Namespace) -> int:
    from cpambot.cli.status import cmd_status as status
    from cpambot.clock import SystemClock

    return status(args, _config(args), SystemClock().now())


def cmd_extra(args: argparse.Namespace) -> int:
    from cpambot.cli.books import run

    return run(args, lambda: _config(args))


def cmd_backup(args: argparse.Namespace) -> int:
    from cpambot.cli.backup import cmd_backup as backup
    from cpambot.cli.backup import cmd_restore as restore

    data_dir = args.data_dir or _config(args).data_dir
    return backup(data_dir, args.target) if args.command == "backup" else restore(data_dir, args.source)


COMMANDS = {
    "export": cmd_extra,
    "calendrier": cmd_extra,
    "stats": cmd_extra,
    "rapprochement": cmd_extra,
    "login": cmd_extra,
    "backup": cmd_backup,
    "restore": cmd_backup,
    "regles": cmd_regles,
    "status": cmd_status,
    "rebuild": cmd_rebuild,
    "drafts": cmd_drafts,
    "parse": cmd_parse,
    "cases": cmd_cases,
    "case": cmd_case,
    "poll": cmd_poll,
    "run": cmd_run,
    "check": cmd_check,
    "demo": cmd_demo,
    "ledger": cmd_ledger,
}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
