"""``cpambot regles``: the rules the professional taught by reply (TYPE C3 retour), listed or removed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from cpambot.errors import UsageError
from cpambot.service.learning import kind_label, load_rules, remove_rule
from cpambot.store.database import Store


def add_parser(sub: Any) -> None:
    rules = sub.add_parser("regles", help="règles apprises de vos réponses (TYPE C3 retour) : liste, retrait")
    rules.add_argument("--supprimer", metavar="R3", default=None, help="retire cette règle")
    rules.add_argument("--json", action="store_true", help="sortie JSON")
    rules.add_argument("--data-dir", type=Path, default=None, help="dossier de données")


def cmd_rules(args: argparse.Namespace, data_dir: Path) -> int:
    if args.supprimer:
        with Store.open(data_dir) as store:  # takes the lock: refused while the service writes
            if not remove_rule(store, args.supprimer):
                raise UsageError(f"aucune règle {args.supprimer.strip().upper()} (voir cpambot regles)")
        print(f"Règle {args.supprimer.strip().upper()} retirée : les messages qu'elle couvrait seront de "
              "nouveau lus sans elle.")
        return 0
    with Store.open(data_dir, readonly=True) as store:
        rules = load_rules(store)
    if args.json:
        json.dump([r.to_doc() for r in rules], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not rules:
        print("Aucune règle apprise. Répondez « TYPE <dossier> <type> » au récapitulatif pour en créer une.")
        return 0
    for rule in rules:
        print(f"{rule.id} – {kind_label(rule.kind)} – de {rule.sender}, objet comme « {rule.example} » "
              f"(appris le {rule.learned_on})")
    return 0
