"""The service's IDLE watcher through outages, against the real Dovecot behind a local TCP proxy that
cuts every connection, refuses new ones for a while, then lets them through again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from builders import message
from tcpproxy import TcpProxy
from test_daemon import ledger_subjects, wait_for


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (clock ticks)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_idle_survives_a_server_restart_without_spinning(imap_user, bot_config):
    """GIVEN `cpambot run` with an hourly poll, in IDLE on its mailbox WHEN the server drops every
    connection and refuses new ones for 8 s THEN the service neither dies nor spins (under 5 % of a core
    through the outage); WHEN the server is back THEN a message appended then is seen within 6 s, the
    journal saying "reconnecté"."""
    proxy = TcpProxy(imap_user.host, imap_user.port)
    config = bot_config(port=proxy.port, extra="\n[planification]\nintervalle_releve = 3600\n")
    proc = subprocess.Popen([sys.executable, "-m", "cpambot", "-c", str(config.path), "-v", "run"],
                            stderr=subprocess.PIPE, text=True)
    try:
        imap_user.append("INBOX", message(subject="Avant"))
        assert wait_for(lambda: "Avant" in ledger_subjects(config.data_dir), 20)
        time.sleep(1.5)  # (the watcher is in IDLE)
        proxy.refuse()
        proxy.cut()
        before = cpu_seconds(proc.pid)
        time.sleep(8)
        spent = cpu_seconds(proc.pid) - before
        assert proc.poll() is None and spent < 0.4, f"{spent:.2f} s of CPU in 8 s of outage"
        proxy.heal()
        imap_user.append("INBOX", message(subject="Après le redémarrage"))
        assert wait_for(lambda: "Après le redémarrage" in ledger_subjects(config.data_dir), 6)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        proxy.close()
    assert proc.returncode == 0, err
    assert "reconnecté" in err


def test_a_watcher_that_died_is_started_again(imap_user, bot_config, caplog):
    """GIVEN a mailbox's job whose IDLE watcher thread has ended WHEN the job runs next THEN a new
    watcher is started for that account, and the journal says so; a watcher whose server has no IDLE is
    left alone."""
    import threading

    from cpambot.clock import SystemClock
    from cpambot.mailbox.idle import IdleWatcher
    from cpambot.service.jobs import MailboxJob, Shared
    from cpambot.service.liveness import Liveness
    from cpambot.store.database import Store

    config = bot_config()
    stop = threading.Event()
    dead = IdleWatcher(config.accounts[0], lambda: None, stop)
    dead.start()
    stop.set()
    dead.join(timeout=10)
    assert not dead.is_alive()
    stop.clear()
    with Store.open(config.data_dir) as store:
        shared = Shared(config, store, SystemClock(), Liveness(), stop)
        shared.watchers = {config.accounts[0].name: dead}
        shared.make_watcher = lambda account: IdleWatcher(account, lambda: None, stop)
        job = MailboxJob(config.accounts[0], shared, lambda _seconds: None)
        name = config.accounts[0].name
        try:
            job.revive_watcher()
            assert shared.watchers[name] is not dead and shared.watchers[name].is_alive()
            assert "la veille IDLE s'était arrêtée, elle est relancée" in caplog.text
            shared.watchers[name].unsupported = True
            alive = shared.watchers[name]
            stop.set()
            alive.join(timeout=10)
            stop.clear()
            job.revive_watcher()
            assert shared.watchers[name] is alive
        finally:
            stop.set()


def test_mail_told_with_the_answer_to_done_wakes_the_poller(imap_user, bot_config):
    """GIVEN a watcher that ends each IDLE at once (so the server can only tell of new mail in its answer
    to DONE) WHEN a message is appended THEN the poller is woken all the same."""
    import threading

    from cpambot.mailbox.idle import IdleWatcher

    config = bot_config()
    stop, woken = threading.Event(), threading.Event()
    watcher = IdleWatcher(config.accounts[0], woken.set, stop, max_idle=0)
    watcher.start()
    try:
        time.sleep(1.0)
        assert not woken.is_set()
        imap_user.append("INBOX", message(subject="Pendant un DONE"))
        assert woken.wait(10)
    finally:
        stop.set()
        watcher.join(timeout=10)
