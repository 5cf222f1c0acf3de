"""``cpambot status``: the bot's state as the professional reads it, against the real Dovecot."""

from __future__ import annotations

import json

from cpambot.cli.main import main
from cpambot.service.poll import poll_once
from cpambot.store.database import Store


def test_status_tells_each_mailbox_and_what_waits(bot_config, capsys):
    """GIVEN a mailbox read once, then its password changed and a poll refused WHEN `cpambot status` runs
    THEN it names the mailbox, its last good reading and the error in French, the next digest and what
    waits, exits 1 (something is wrong), and --json gives the same figures."""
    config = bot_config()
    with Store.open(config.data_dir) as store:
        poll_once(config, store)
    config.accounts[0].secret.file.write_text("plus-le-bon")
    with Store.open(config.data_dir) as store:
        poll_once(config, store)
    assert main(["--config", str(config.path), "status"]) == 1
    out = capsys.readouterr().out
    assert "Boîte « principal » : dernière lecture réussie le " in out and "ERREUR depuis le" in out
    assert "mot de passe refusé" in out and "Récapitulatif : dernier jamais, prochain" in out
    assert "Brouillons : 0 à approuver, 0 incomplet" in out and "0 envoi incertain" in out
    assert main(["--config", str(config.path), "status", "--json"]) == 1
    state = json.loads(capsys.readouterr().out)
    (box,) = state["boites"]
    assert box["compte"] == "principal" and box["derniere_lecture"] and "mot de passe" in box["erreur"]
    assert state["brouillons_a_approuver"] == 0 and state["envois_incertains"] == 0
