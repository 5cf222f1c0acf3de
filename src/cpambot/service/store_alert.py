"""When the store cannot open, the service cannot write in its digest: the approvers get one e-mail,
sent straight through SMTP (no outbox: it lives in the store), saying what happened and what to do.

At most once a day for the same error (``<data>/alerte-base.json`` remembers it), although systemd
starts the service again every 30 seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path

from cpambot.config.model import Config
from cpambot.letters.model import Letter
from cpambot.randomness import SystemRandom
from cpambot.sending.mime import build_mime, make_message_id
from cpambot.sending.smtp import smtp_credential, transmit
from cpambot.service.approver import id_domain
from cpambot.store.backup import BACKUPS_DIR
from cpambot.store.files import atomic_write

LOG = logging.getLogger(__name__)

MARKER = "alerte-base.json"


def alert_text(config: Config, error: str) -> str:
    """The e-mail's body: what happened, what to do, with the newest backup named."""
    backups = Path(config.data_dir) / BACKUPS_DIR
    found = sorted([*backups.glob("*.tar.gz"), *(p for p in backups.glob("*") if p.is_dir())],
                   key=lambda p: p.stat().st_mtime) if backups.is_dir() else []
    config_path = config.path or "/etc/cpambot/config.toml"
    restore = (f"sudo cpambot --config {config_path} restore {found[-1]}" if found
               else f"sudo cpambot --config {config_path} restore CHEMIN-DE-VOTRE-SAUVEGARDE.tar.gz")
    return (
        "Bonjour,\n\n"
        "Le robot cpambot ne peut plus ouvrir sa base de données : il ne lit plus votre courrier et ne "
        "suit plus vos dossiers tant que ce n'est pas réparé.\n\n"
        f"Ce qu'il a trouvé : {error}\n\n"
        "Ce qu'il faut faire, sur la machine où il tourne :\n"
        "  sudo systemctl stop cpambot\n"
        f"  {restore}\n"
        "  sudo systemctl start cpambot\n\n"
        "La restauration vérifie la sauvegarde avant de rien changer et garde les données actuelles à "
        "part. Les messages arrivés depuis la sauvegarde seront relus s'ils sont encore dans votre "
        "boîte.\n\n"
        "-- \ncpambot (message automatique, envoyé une fois par jour au plus tant que le problème dure)\n")


def alert_store_failure(config: Config, error: str, now: datetime) -> bool:
    """E-mail the approvers about ``error``; False when there is no [envoi] or it was said today."""
    if config.smtp is None or not config.approvers:
        return False
    marker = Path(config.data_dir) / MARKER
    said = hashlib.sha256(error.encode()).hexdigest()[:16]
    try:
        last = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        last = {}
    if last.get("erreur") == said and last.get("jour") == now.date().isoformat():
        return False
    smtp = config.smtp
    letter = Letter("alerte", tuple(config.approvers), "cpambot est arrêté : sa base ne s'ouvre plus "
                    "(action nécessaire)", alert_text(config, error))
    raw = build_mime(letter, sender=smtp.sender, date=now,
                     message_id=make_message_id(id_domain(config), "alerte", SystemRandom()),
                     extra_headers={"Auto-Submitted": "auto-generated"})
    password = smtp_credential(smtp)
    asyncio.run(transmit(smtp, password, list(config.approvers), raw, lambda: None, lambda _reply: None))
    atomic_write(marker, json.dumps({"erreur": said, "jour": now.date().isoformat()}).encode())
    LOG.warning("alerte envoyée par courriel à %s : la base ne s'ouvre pas", ", ".join(config.approvers))
    return True
