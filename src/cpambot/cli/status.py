"""``cpambot status``: how the bot is doing, for the professional — each mailbox's last good reading and
its current error, IDLE or polling, the next digest, drafts waiting, letters waiting or uncertain."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cpambot import labels
from cpambot.approval.model import DraftState
from cpambot.config.model import Config
from cpambot.store.database import Store


def add_parser(sub: Any) -> None:
    status = sub.add_parser("status", help="état du robot : boîtes lues, erreurs, prochain récapitulatif, "
                                           "brouillons et envois en attente")
    status.add_argument("--json", action="store_true", help="sortie JSON")


def next_digest(config: Config, last: datetime | None, now: datetime) -> datetime:
    """When the daily digest leaves next (an urgent one may leave sooner)."""
    tz = ZoneInfo(config.timezone)
    hour, minute = (int(x) for x in config.digest_time.split(":"))
    today = datetime.combine(now.astimezone(tz).date(), time(hour, minute), tzinfo=tz)
    if last is not None and last.astimezone(tz) >= today:
        return today + timedelta(days=1)
    return today  # (its time past and not sent yet: at the next poll)


def status_of(config: Config, store: Store, now: datetime) -> dict[str, Any]:
    from cpambot.approval.draftbook import DRAFTS
    from cpambot.sending.outbox import OUTBOX
    from cpambot.service.approver import META
    from cpambot.service.health import mailbox_health

    boxes = mailbox_health(store, tuple(a.name for a in config.accounts))
    meta = store.get(META, "last_digest") or {}
    last = datetime.fromisoformat(meta["at"]) if meta.get("at") else None
    drafts = [d["state"] for d in store.values(DRAFTS)]
    outbox = [d["state"] for d in store.values(OUTBOX)]
    return {
        "boites": [{"compte": b.account, "derniere_lecture": b.last_ok.isoformat() if b.last_ok else None,
                    "erreur": b.error, "erreur_depuis": b.error_since.isoformat() if b.error_since else None,
                    "veille": {True: "IDLE", False: "IDLE arrêté", None: "relève périodique"}[b.idle]}
                   for b in boxes],
        "dernier_recapitulatif": last.isoformat() if last else None,
        "prochain_recapitulatif": next_digest(config, last, now).isoformat(),
        "brouillons_a_approuver": drafts.count(DraftState.PENDING.value),
        "brouillons_incomplets": drafts.count(DraftState.MISSING.value),
        "courriers_en_attente": outbox.count("queued") + outbox.count("sending"),
        "envois_incertains": outbox.count("uncertain"),
        "courriers_non_distribues": outbox.count("bounced"),
    }


def _day(iso: str | None, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(iso).astimezone(tz).strftime("le %d/%m/%Y à %H:%M") if iso else "jamais"


def cmd_status(args: argparse.Namespace, config: Config, now: datetime) -> int:
    with Store.open(config.data_dir, readonly=True) as store:
        state = status_of(config, store, now)
    wrong = 1 if any(b["erreur"] for b in state["boites"]) else 0  # (a script can tell)
    if args.json:
        json.dump(state, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return wrong
    tz = ZoneInfo(config.timezone)
    for box in state["boites"]:
        line = f"Boîte « {box['compte']} » : dernière lecture réussie {_day(box['derniere_lecture'], tz)}"
        if box["erreur"]:
            line += f" ; ERREUR depuis {_day(box['erreur_depuis'], tz)} : {box['erreur']}"
        print(line + f" ; {box['veille']}")
    print(f"Récapitulatif : dernier {_day(state['dernier_recapitulatif'], tz)}, prochain "
          f"{_day(state['prochain_recapitulatif'], tz)} (plus tôt si quelque chose est urgent)")
    print("Brouillons : " + labels.count(state["brouillons_a_approuver"], "à approuver", "à approuver")
          + ", " + labels.count(state["brouillons_incomplets"], "incomplet"))
    waiting = state["courriers_en_attente"]
    print(f"Courriers : {waiting} en attente d'envoi"
          + ", " + labels.count(state["envois_incertains"], "envoi incertain", "envois incertains")
          + ", " + labels.count(state["courriers_non_distribues"], "non distribué"))
    return wrong
