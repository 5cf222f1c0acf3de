"""The service (`cpambot run`) as systemd runs it: first poll at start, IDLE wake-up, clean stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from builders import message, noise

from cpambot.mailbox.ledger import LEDGER
from cpambot.store.database import Store


def ledger_subjects(data_dir: Path) -> set[str]:
    try:
        with Store.open(data_dir, readonly=True) as store:
            return {r["subject"] for r in store.values(LEDGER)}
    except Exception:  # noqa: BLE001 - not written yet
        return set()


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_service_polls_wakes_on_idle_and_stops(imap_user, bot_config):
    """GIVEN `cpambot run` with an hourly poll on a mailbox with 2 messages
    WHEN it starts THEN it polls at once; WHEN a message arrives THEN IDLE makes it seen
    within seconds; WHEN SIGTERM is sent THEN it exits 0 and the store is consistent."""
    imap_user.multiappend("INBOX", [message(subject="Avant"), noise(1)])
    config = bot_config(extra="\n[planification]\nintervalle_releve = 3600\n")
    proc = subprocess.Popen([sys.executable, "-m", "cpambot", "-c", str(config.path), "-v", "run"],
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: "Avant" in ledger_subjects(config.data_dir), 20)
        time.sleep(1.0)  # let the watcher enter IDLE
        imap_user.append("INBOX", message(subject="Pendant le service"))
        assert wait_for(lambda: "Pendant le service" in ledger_subjects(config.data_dir), 15)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "nouveau message signalé par IDLE" in err
    with Store.open(config.data_dir) as store:  # lock released, journal folded in
        assert {r["subject"] for r in store.values(LEDGER)} == {"Avant", "Nouvelles 1",
                                                                "Pendant le service"}


def test_sighup_reloads_a_good_configuration_and_keeps_the_running_one_when_bad(imap_user, bot_config):
    """GIVEN the service running WHEN its configuration file is changed and SIGHUP sent THEN it is read
    again and the service goes on; WHEN the file is broken and SIGHUP sent THEN the running configuration
    stays, the journal says why, and mail is still seen; SIGTERM then stops it cleanly."""
    config = bot_config(extra="\n[planification]\nintervalle_releve = 3600\n")
    proc = subprocess.Popen([sys.executable, "-m", "cpambot", "-c", str(config.path), "-v", "run"],
                            stderr=subprocess.PIPE, text=True)
    try:
        imap_user.append("INBOX", message(subject="Avant"))
        assert wait_for(lambda: "Avant" in ledger_subjects(config.data_dir), 20)
        text = config.path.read_text()
        config.path.write_text(text.replace("intervalle_releve = 3600", "intervalle_releve = 1800"))
        proc.send_signal(signal.SIGHUP)
        time.sleep(2)
        config.path.write_text(text + "\n[planification\n")
        proc.send_signal(signal.SIGHUP)
        time.sleep(2)
        assert proc.poll() is None
        imap_user.append("INBOX", message(subject="Après les rechargements"))
        assert wait_for(lambda: "Après les rechargements" in ledger_subjects(config.data_dir), 15)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err

    assert "rechargée" in err and "invalide, la configuration en service est conservée" in err
