"""``cpambot demo``: the whole pipeline on the demo Maildir shipped with the package.

No account, no network: a throw-away data directory receives the store and the
raw copies, exactly as a real run would produce them.
"""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

from ..app import poll_once
from ..config import Account, Caisse, Config, Professional
from ..ledger import LEDGER
from ..store import Store
from ..summary import ledger_table, sync_summary

DEMO_PRO = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                        email="marie.exemple@example.org", telephone="0262 00 00 00",
                        adresse="1 rue de l'Exemple, 97400 Saint-Denis")


def demo_maildir() -> Path:
    return Path(str(resources.files("bot.demo") / "maildir"))


def demo_config(data_dir: Path) -> Config:
    return Config(
        path=None,
        professional=DEMO_PRO,
        accounts=(Account(name="demo", kind="maildir", folders=("INBOX",), path=demo_maildir()),),
        approvers=("marie.exemple@example.org",),
        data_dir=data_dir,
        caisses=(
            Caisse(code="974", name="CGSS de La Réunion", kind="cgss"),
            Caisse(code="511", name="CPAM de la Marne", kind="cpam"),
        ),
    )


def run_demo(data_dir: Path | None = None) -> int:
    target = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="cpambot-demo-"))
    config = demo_config(target)
    print(f"Démonstration : boîte aux lettres fictive {demo_maildir()}")
    print(f"Données de la démonstration : {target}\n")
    with Store.open(target) as store:
        report = poll_once(config, store)
        rows = sorted((r for r in store.values(LEDGER) if r["category"] != "other"),
                      key=lambda r: r["uid"])
        others = sum(1 for r in store.values(LEDGER) if r["category"] == "other")
    print(sync_summary(report))
    print("\nMessages retenus :")
    print(ledger_table(rows))
    print(f"\n{others} autre(s) message(s) sans rapport avec l'Assurance Maladie, laissés de côté.")
    print(f"Registre complet : cpambot ledger --data-dir {target} --tous")
    return 0 if report.ok else 1
