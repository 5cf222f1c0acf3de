#!/usr/bin/env python3
"""Banc de latence de cpambot : combien de temps avant que le service voie un nouveau message (ce n'est
PAS un test).

    .venv/bin/python bench/latency.py [--messages 50] [--json] [--timeout 30] [--gap 0.3]
                                      [--pendant-releve 3] [--journal FICHIER]

Ce que fait le script, dans un seul lancement :

1. démarre un Dovecot jetable et un serveur SMTP de capture (tests/servers.py : ``DovecotServer``,
   ``SmtpCapture``) ;
2. fabrique ses messages de caisse, tous tirés du même message réel du corpus
   (``tests/fixtures/corpus/05-noemie-2900-deja-payee-511.eml`` : un retour NOEMIE de la CPAM 511
   qui rejette une facture « déjà payée », code 2900) ; chacun reçoit son propre numéro de facture,
   son numéro de lot, son Message-ID, son objet, et les dates d'en-tête du moment (sinon le dossier
   serait ouvert au jour du message d'origine, hors de l'horizon de 60 jours, sans brouillon).
   Chaque message doit ouvrir un dossier (``invoice|511|<facture>``) et un brouillon de
   réclamation : c'est vérifié à la fin, dans la base ;
3. (f) le plancher : un client imapclient nu en IDLE sur INBOX (boîte d'un premier utilisateur) ;
   pour chacun des N messages, temps entre juste avant l'APPEND (connexion d'envoi déjà ouverte)
   et le moment où ``idle_check`` voit le EXISTS ; (f2) de même, mais le client termine IDLE (DONE)
   après chaque EXISTS et le relance, comme la veille IDLE de cpambot : Dovecot 2.3 n'annonce le
   premier changement d'un IDLE qu'après ~500 ms (NOTIFY_DELAY_MSECS), les suivants après ~200 ms ;
4. (c) cpambot : le vrai service, ``cpambot --config <cfg> -v run`` en sous-processus (boîte d'un
   second utilisateur, relève périodique toutes les 3600 s : seul IDLE peut expliquer une relève
   rapide ; section [envoi] vers le serveur SMTP de capture, car sans elle aucun brouillon n'est
   fait). Après sa relève de démarrage et un message d'échauffement (hors statistiques), pour
   chaque message : temps entre juste avant l'APPEND et le moment où le dossier ET son brouillon
   sont visibles dans la base. La base est lue sans gêner le service (qui tient le verrou
   d'écriture) : ``Store.open(dossier, readonly=True)`` (store.json + rejeu du journal), toutes les
   50 ms, et seulement quand la taille ou la date de store.json ou du journal a changé (le coût
   d'une lecture, quelques ms, est mesuré et affiché ; précision de la mesure : +0 à +50 ms). Les
   lignes du journal du service n'ont que la seconde : elles ne servent qu'à savoir quand une relève
   se termine (« relève terminée », lu au fil de l'eau) et à compter les réveils IDLE. Le message
   suivant n'est envoyé qu'après la fin de la relève en cours et une pause de ``--gap`` secondes,
   comme pour le plancher ;
5. (r) ``--pendant-releve K`` essais d'un message arrivé pendant une relève : un lot de 40 messages
   fait une longue relève ; dès que son premier dossier est dans la base (la relève a passé son UID
   SEARCH), un message de plus arrive ; est-il vu, et quand ? (hors cible, pour information) ;
6. affiche médiane et p95 (rang le plus proche) des planchers et de cpambot, le rapport des p95,
   la cible (p95 de cpambot < 2 s) et PASS/FAIL ; le temps CPU du service pendant les N messages
   et depuis son démarrage (/proc/<pid>/stat), son RSS à la fin de la série (/proc/<pid>/status) ;
7. arrête tout (service, Dovecot, SMTP) et efface ses dossiers temporaires, y compris sur Ctrl-C,
   SIGTERM ou exception (``--journal FICHIER`` garde une copie du journal du service). Code de
   sortie : 0 si la cible est tenue et que chaque message de la série a bien donné son dossier et
   son brouillon, 1 sinon, 130 sur interruption.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import json
import logging
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"
FIXTURE = TESTS / "fixtures" / "corpus" / "05-noemie-2900-deja-payee-511.eml"

BOT_USER = "marie.exemple@example.org"
FLOOR_USER = "plancher@example.org"
PASSWORD = "bench-latence-123"
CAISSE = "511"
RECLAMATION = "reclamations-ps.cpam-marne@assurance-maladie.fr"
FIRST_INVOICE = 31000
POLL_INTERVAL = 3600
STORE_EVERY = 0.05  # seconds between two looks at the store
TARGET_P95 = 2.0  # seconds
POLL_END = re.compile(r"relève (terminée|en erreur|reportée)")
IDLE_SIGNAL = "nouveau message signalé par IDLE"
SKIPPED = "maximum number of running instances"  # APScheduler: a run asked while one is under way
PROBE_TIMEOUT = 15.0  # seconds: a message arriving during a poll, not seen by then, waits for the next one
PROBE_BATCH = 40

CONFIG_TOML = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "{user}"
telephone = "0262 00 00 00"

[approbation]
approbateurs = ["{user}"]

[donnees]
dossier = "{data_dir}"

[planification]
intervalle_releve = {interval}

[[comptes]]
nom = "principal"
hote = "{host}"
port = {port}
securite = "aucune"
utilisateur = "{user}"
mot_de_passe_fichier = "{password_file}"
dossiers = ["INBOX"]
delai_reseau = 20

[[caisses]]
code = "{caisse}"
nom = "CPAM de la Marne"
[caisses.adresses]
reclamation = "{reclamation}"

[envoi]
hote = "{smtp_host}"
port = {smtp_port}
securite = "aucune"
expediteur = "{user}"
"""


# ======================================================================================
# The messages: one real NOEMIE return, varied
# ======================================================================================

def _replace_once(data: bytes, old: bytes, new: bytes) -> bytes:
    if data.count(old) != 1:
        raise RuntimeError(f"{FIXTURE.name} a changé : {old!r} y figure {data.count(old)} fois, pas 1")
    return data.replace(old, new)


def invoice_of(i: int) -> str:
    return f"{FIRST_INVOICE + i:09d}"


def caisse_message(template: bytes, i: int) -> bytes:
    """The fixture with its own invoice (``invoice_of(i)``), lot, Message-ID, subject and dates of now."""
    head, sep, body = template.partition(b"\n\n")
    data = base64.b64decode(body)
    lot = f"{200 + i % 800:03d}".encode()
    for old, new in ((b"000015210", invoice_of(i).encode()),  # the invoice (type 102 entity)
                     (b"260507119@", b"260507" + lot + b"@"),  # the lot (080), its invoice (102)
                     (b"      119260507F", b"      " + lot + b"260507F"),
                     (b"LOT 119", b"LOT " + lot)):  # and the lot's trailer (990)
        data = _replace_once(data, old, new)
    now = format_datetime(datetime.now(UTC)).encode()
    head = re.sub(rb"(?m)^Date: .*$", b"Date: " + now, head)
    head = re.sub(rb"(?m)^Message-ID: .*$", f"Message-ID: <bench-latence-{i:05d}@511.01.rss.fr>".encode(),
                  head)
    head = re.sub(rb"(?m)^(Subject: IR100500/00000000001511/\d+)/\d+$",
                  rb"\1/" + f"{i % 100000:05d}".encode(), head)
    head = re.sub(rb"(for\s+<[^>]+>;) [^\n]+", rb"\1 " + now, head)  # the Received: date
    return head + sep + base64.encodebytes(data)


# ======================================================================================
# Helpers
# ======================================================================================

def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (a timeout counts as +inf)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return "∞" if math.isinf(seconds) else f"{seconds * 1e3:.0f} ms"


_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    """preexec_fn: the kernel SIGTERMs the service if this script dies without cleaning up."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def cpu_seconds(pid: int) -> float:
    """utime + stime of *pid* (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0]) / 1024.0  # kB
    return out


class LogTail:
    """The service's log file, read as it grows: the poll ends counted, with the time each was seen."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.partial = b""
        self.lines: list[str] = []
        self.poll_ends = 0
        self.end_times: list[float] = []  # perf_counter() when each poll end was read (every 50 ms)

    def read(self) -> None:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except FileNotFoundError:
            return
        self.offset += len(chunk)
        data = self.partial + chunk
        *complete, self.partial = data.split(b"\n")
        for raw in complete:
            line = raw.decode("utf-8", errors="replace")
            self.lines.append(line)
            if POLL_END.search(line):
                self.poll_ends += 1
                self.end_times.append(time.perf_counter())

    def end_after(self, before: int, t0: float) -> float:
        """Seconds from *t0* to the first poll end after the *before* first ones (inf: none yet)."""
        return self.end_times[before] - t0 if len(self.end_times) > before else math.inf

    def count(self, needle: str) -> int:
        return sum(needle in line for line in self.lines)


class StoreWatch:
    """Reads the service's store read-only, only when a file of its data folder has changed (every file
    but the raw copies: the store's own layout is not assumed)."""

    def __init__(self, data_dir: Path) -> None:
        try:
            from cpambot.store.raw import RAW_DIR as raw_dir
        except ImportError:
            raw_dir = "raw"
        self.data_dir = data_dir
        self.raw_dir = raw_dir
        self.signature: tuple | None = None
        self.cases: dict[str, dict] = {}
        self.drafts: dict[str, list[dict]] = {}  # case key -> its drafts
        self.reads: list[float] = []  # seconds per read-only opening
        self.errors = 0
        self.last_error: str | None = None

    def _stat(self) -> tuple:
        sig: list[tuple[str, int, int, int]] = []
        for folder, dirs, files in os.walk(self.data_dir):
            if Path(folder) == self.data_dir and self.raw_dir in dirs:
                dirs.remove(self.raw_dir)
            for name in files:
                with contextlib.suppress(FileNotFoundError):  # (a temporary file renamed meanwhile)
                    st = os.stat(os.path.join(folder, name))
                    sig.append((os.path.join(folder, name), st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(sorted(sig))

    def refresh(self) -> None:
        from cpambot.store.database import Store

        signature = self._stat()
        if signature == self.signature:
            return
        t0 = time.perf_counter()
        try:
            with Store.open(self.data_dir, readonly=True) as store:
                cases = {c["_key"]: c for c in store.values("cases")}
                drafts: dict[str, list[dict]] = {}
                for draft in store.values("drafts"):
                    drafts.setdefault(draft["case_key"], []).append(draft)
        except Exception as exc:  # noqa: BLE001 - not written yet, or read between two writes: look again
            self.errors += 1
            self.last_error = f"{exc.__class__.__name__} : {exc}"[:300]
            return
        finally:
            self.reads.append(time.perf_counter() - t0)
        self.signature, self.cases, self.drafts = signature, cases, drafts

    def has(self, case_key: str) -> bool:
        return case_key in self.cases and bool(self.drafts.get(case_key))


def wait_until(predicate: Callable[[], bool], timeout: float, every: float = STORE_EVERY) -> float | None:
    """Seconds (perf_counter) at which *predicate* first held, or None after *timeout*."""
    deadline = time.perf_counter() + timeout
    while True:
        if predicate():
            return time.perf_counter()
        if time.perf_counter() >= deadline:
            return None
        time.sleep(every)


# ======================================================================================
# (f) the floor: a bare IDLE client
# ======================================================================================

def measure_floor(user: Any, messages: list[bytes], gap: float, timeout: float,
                  say: Callable[[str], None], *, reidle: bool = False) -> list[float]:
    """APPEND → EXISTS seen by a client in IDLE; with *reidle*, the client ends IDLE (DONE) after each
    EXISTS and starts it again, as cpambot's watcher does (Dovecot then waits longer, see the report)."""
    latencies: list[float] = []
    with contextlib.ExitStack() as stack:
        watcher = user.client()
        stack.callback(_logout, watcher)
        appender = user.client()
        stack.callback(_logout, appender)
        watcher.select_folder("INBOX")
        watcher.idle()
        stack.callback(_idle_done, watcher)
        for raw in messages:
            time.sleep(gap)
            t0 = time.perf_counter()
            appender.append("INBOX", raw)
            seen = None
            while seen is None and time.perf_counter() - t0 < timeout:
                for response in watcher.idle_check(timeout=1.0):
                    if len(response) > 1 and response[1] == b"EXISTS":
                        seen = time.perf_counter()
            latencies.append(seen - t0 if seen is not None else math.inf)
            if reidle:
                watcher.idle_done()
                watcher.idle()
    say(f"  ({'f2' if reidle else 'f'}) plancher{' (IDLE relancé)' if reidle else ''} : "
        f"{len(latencies)} messages, médiane {ms(median(latencies))}, p95 {ms(p95(latencies))}")
    return latencies


def _idle_done(client: Any) -> None:
    with contextlib.suppress(Exception):
        client.idle_done()


def _logout(client: Any) -> None:
    with contextlib.suppress(Exception):
        client.logout()


# ======================================================================================
# (c) the service
# ======================================================================================

def daemon_command() -> list[str]:
    script = Path(sys.executable).parent / "cpambot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpambot"]


class Daemon:
    """``cpambot --config <cfg> -v run`` in its own session, its log in a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*daemon_command(), "--config", str(self.config), "-v", "run"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.config.parent,
                start_new_session=True,  # Ctrl-C reaches this script only: it stops the service itself
                preexec_fn=_die_with_parent)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM (a clean stop: store committed, lock released), SIGKILL after *timeout*."""
        process, self.process = self.process, None
        if process is None:
            return self.returncode
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.returncode = process.returncode
        return self.returncode


def case_key(i: int) -> str:
    return f"invoice|{CAISSE}|{invoice_of(i)}"


class Bot:
    """The service under measure, with what the script sees of it: its log and its store."""

    def __init__(self, daemon: Daemon, data_dir: Path, user: Any, template: bytes, gap: float,
                 timeout: float) -> None:
        self.daemon = daemon
        self.tail = LogTail(daemon.log_path)
        self.watch = StoreWatch(data_dir)
        self.user = user
        self.template = template
        self.gap = gap
        self.timeout = timeout
        self.appender: Any = None

    def tick(self) -> None:
        if not self.daemon.alive():
            self.tail.read()
            raise RuntimeError("le service s'est arrêté :\n" + "\n".join(self.tail.lines[-30:]))
        self.tail.read()

    def poll_ended(self, before: int) -> Callable[[], bool]:
        def ended() -> bool:
            self.tick()
            return self.tail.poll_ends > before
        return ended

    def visible(self, i: int, *, draft: bool = True) -> Callable[[], bool]:
        key = case_key(i)

        def seen() -> bool:
            self.tick()
            self.watch.refresh()
            return self.watch.has(key) if draft else key in self.watch.cases
        return seen

    def start(self) -> float:
        t0 = time.perf_counter()
        self.daemon.start()
        if wait_until(self.poll_ended(0), 60) is None:
            raise RuntimeError("pas de fin de relève au démarrage en 60 s :\n"
                               + "\n".join(self.tail.lines[-30:]))
        self.appender = self.user.client()
        return time.perf_counter() - t0

    def close(self) -> None:
        if self.appender is not None:
            _logout(self.appender)
            self.appender = None

    def settle(self, quiet: float = 2.0) -> None:
        """Until no poll has ended for *quiet* seconds (one started again for a late message ends too)."""
        while wait_until(self.poll_ended(self.tail.poll_ends), quiet) is not None:
            pass

    def one(self, i: int) -> dict[str, Any]:
        """Message *i* alone, once the service is quiet: APPEND → its case and draft in the store."""
        time.sleep(self.gap)
        tail = self.tail
        ends, signals = tail.poll_ends, tail.count(IDLE_SIGNAL)
        raw = caisse_message(self.template, i)
        t0 = time.perf_counter()
        self.appender.append("INBOX", raw)
        seen = wait_until(self.visible(i), self.timeout)
        wait_until(self.poll_ended(ends), self.timeout if seen is not None else 0.0)
        tail.read()
        return {"i": i, "latency": seen - t0 if seen is not None else math.inf,
                "poll_end": tail.end_after(ends, t0),
                "polls": tail.poll_ends - ends, "idle_signals": tail.count(IDLE_SIGNAL) - signals}

    def during_poll(self, first: int, batch: int, timeout: float) -> dict[str, Any]:
        """A batch makes a long poll; once its first case is in the store (the poll is past its UID
        SEARCH), one more message arrives: is it seen, and when?"""
        tail = self.tail
        time.sleep(self.gap)
        ends, skipped = tail.poll_ends, tail.count(SKIPPED)
        self.appender.multiappend("INBOX", [caisse_message(self.template, first + j) for j in range(batch)])
        t_batch = time.perf_counter()
        if wait_until(self.visible(first, draft=False), self.timeout) is None:
            raise RuntimeError(f"le lot de {batch} messages n'a pas été relevé en {self.timeout:.0f} s")
        late = first + batch
        raw = caisse_message(self.template, late)
        running = tail.poll_ends == ends
        t0 = time.perf_counter()
        self.appender.append("INBOX", raw)
        seen = wait_until(self.visible(late), timeout)
        wait_until(self.poll_ended(ends), self.timeout)
        self.settle()
        return {"late": late, "latency": seen - t0 if seen is not None else math.inf,
                "batch": batch, "running_at_append": running,
                "batch_poll_end_after_append": tail.end_after(ends, t0),
                "batch_poll_s": tail.end_after(ends, t_batch),
                "skipped_wakeups": tail.count(SKIPPED) - skipped}


def measure_daemon(bot: Bot, n: int, probes: int, batch: int, say: Callable[[str], None]) -> dict[str, Any]:
    startup_s = bot.start()
    pid = bot.daemon.pid
    say(f"  service démarré (pid {pid}), 1re relève finie après {startup_s:.2f} s")
    warm = bot.one(0)  # imports and first-use costs of the reader: reported apart
    say(f"  échauffement (message 0, hors statistiques) : dossier et brouillon visibles après "
        f"{ms(warm['latency'])}, relève finie après {ms(warm['poll_end'])}")
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    results = []
    for i in range(1, n + 1):
        result = bot.one(i)
        results.append(result)
        if math.isinf(result["latency"]):
            say(f"  message {i} : PAS VISIBLE en {bot.timeout:.0f} s "
                f"(signaux IDLE {result['idle_signals']}, relèves {result['polls']})")
    wall = time.perf_counter() - t0
    cpu_run = cpu_seconds(pid) - cpu0
    time.sleep(1.0)  # the last poll's tail (commit) settles before the memory is read
    memory = memory_mb(pid)
    lat = [r["latency"] for r in results]
    say(f"  (c) cpambot : {len(lat)} messages, médiane {ms(median(lat))}, p95 {ms(p95(lat))}")
    late = []
    probe_timeout = min(bot.timeout, PROBE_TIMEOUT)
    for k in range(probes):
        probe = bot.during_poll(n + 1 + k * (batch + 1), batch, probe_timeout)
        late.append(probe)
        say(f"  (r) arrivée pendant une relève {k + 1}/{probes} : lot de {batch} (relève de "
            f"{probe['batch_poll_s']:.2f} s), message de plus envoyé "
            f"{'pendant' if probe['running_at_append'] else 'APRÈS'} la relève → "
            + (f"visible après {ms(probe['latency'])}" if not math.isinf(probe["latency"]) else
               f"PAS VISIBLE en {probe_timeout:.0f} s")
            + f" ; réveils IDLE écartés par APScheduler : {probe['skipped_wakeups']}")
    bot.tail.read()
    return {"results": results, "warmup": warm, "startup_s": startup_s, "wall_s": wall,
            "cpu_run_s": cpu_run, "cpu_total_s": cpu_seconds(pid), "memory": memory,
            "memory_end": memory_mb(pid), "late": late, "store_reads": bot.watch.reads,
            "store_read_errors": bot.watch.errors, "store_last_error": bot.watch.last_error}


def verify(data_dir: Path, n: int, late: list[dict[str, Any]]) -> dict[str, Any]:
    """After the service stopped: every message of the series made its case and a pending réclamation
    draft (the probes' messages are counted apart: a late one may still wait for the next poll)."""
    from cpambot.store.database import Store

    with Store.open(data_dir, readonly=True) as store:
        cases = {c["_key"]: c for c in store.values("cases")}
        drafts = list(store.values("drafts"))
        ledger = list(store.values("ledger"))
    wanted = {case_key(i) for i in range(n + 1)}
    drafted = {d["case_key"] for d in drafts if d["kind"] == "reclamation" and d["state"] == "pending"}
    states: dict[str, int] = {}
    for row in ledger:
        states[row["state"]] = states.get(row["state"], 0) + 1
    return {"cases": len(cases), "drafts": len(drafts), "missing_cases": sorted(wanted - set(cases)),
            "missing_drafts": sorted(wanted - drafted), "ledger_states": states,
            "announced": sum(bool(d.get("announced")) for d in drafts),
            "late_never_seen": [p["late"] for p in late if case_key(p["late"]) not in cases]}


def save_log(log: Path, target: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.copyfile(log, target)


def dovecot_version() -> str:
    from servers import ensure_dovecot

    try:
        out = subprocess.run([ensure_dovecot(), "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.split()[0] if out.stdout.strip() else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


# ======================================================================================
# Main
# ======================================================================================

def finite(value: Any) -> Any:
    """*value* with every infinite float (a message never seen) as null, for strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def stats(values: list[float]) -> dict[str, Any]:
    return {"median_s": median(values), "p95_s": p95(values), "samples_s": values}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50, help="messages mesurés (défaut 50)")
    parser.add_argument("--json", action="store_true", help="résultats en JSON sur la sortie standard")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="attente maximale par message, en secondes (défaut 30)")
    parser.add_argument("--gap", type=float, default=0.3,
                        help="pause avant chaque message, en secondes (défaut 0.3)")
    parser.add_argument("--pendant-releve", dest="probes", type=int, default=3, metavar="K",
                        help="essais (r) d'un message arrivé pendant une relève (défaut 3, 0 : aucun)")
    parser.add_argument("--journal", type=Path, default=None, metavar="FICHIER",
                        help="copie le journal du service (-v) dans FICHIER à la fin")
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages doit être au moins 1")

    def say(text: str) -> None:
        print(text, file=sys.stderr if args.json else sys.stdout, flush=True)

    def _on_sigterm(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_sigterm)  # like Ctrl-C: unwind, every process stopped
    sys.path.insert(0, str(TESTS))
    logging.basicConfig(level=logging.ERROR)  # a journal line torn mid-write is expected, and re-read
    from servers import DovecotServer, SmtpCapture, ensure_dovecot  # noqa: E402 - tests/servers.py

    n = args.messages
    template = FIXTURE.read_bytes()
    say(f"== cpambot — banc de latence IDLE ({n} messages, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cœurs, Dovecot {dovecot_version()}) ==")
    say(f"Message : {FIXTURE.relative_to(ROOT)} (NOEMIE 2900 « déjà payée »), une facture par message")
    ensure_dovecot()
    stack = contextlib.ExitStack()
    try:
        workdir = Path(tempfile.mkdtemp(prefix="cpambot-bench-latence-", dir="/tmp"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        dovecot = stack.enter_context(DovecotServer())
        smtp = stack.enter_context(SmtpCapture())
        floor_user = dovecot.add_user(FLOOR_USER, PASSWORD)
        bot_user = dovecot.add_user(BOT_USER, PASSWORD)
        say(f"Dovecot 127.0.0.1:{dovecot.port}, SMTP de capture 127.0.0.1:{smtp.port}")

        series = [caisse_message(template, i) for i in range(1, n + 1)]
        floor = measure_floor(floor_user, series, args.gap, args.timeout, say)
        floor_re = measure_floor(floor_user, series, args.gap, args.timeout, say, reidle=True)

        password_file = workdir / "imap.pass"
        password_file.write_text(PASSWORD)
        password_file.chmod(0o600)
        data_dir = workdir / "donnees"
        config = workdir / "config.toml"
        config.write_text(CONFIG_TOML.format(
            user=BOT_USER, data_dir=data_dir, interval=POLL_INTERVAL, host=dovecot.host,
            port=dovecot.port, password_file=password_file, caisse=CAISSE, reclamation=RECLAMATION,
            smtp_host=smtp.host, smtp_port=smtp.port))
        daemon = Daemon(config, workdir / "cpambot.log")
        if args.journal is not None:  # (registered before the stop: runs after it, on any exit)
            stack.callback(save_log, daemon.log_path, args.journal)
        stack.callback(daemon.stop)
        bot = Bot(daemon, data_dir, bot_user, template, args.gap, args.timeout)
        stack.callback(bot.close)
        run = measure_daemon(bot, n, args.probes, PROBE_BATCH, say)
        bot.close()
        code = daemon.stop()
        tail = bot.tail
        tail.read()
        checked = verify(data_dir, n, run["late"])
        notices = sum(1 for m in smtp.messages if b"brouillon" in m.content[:4000])
    except KeyboardInterrupt:
        say("\nInterrompu : service, Dovecot et SMTP arrêtés, dossiers temporaires effacés.")
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleaning short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.close()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    lat = [r["latency"] for r in run["results"]]
    poll_end = [r["poll_end"] for r in run["results"]]
    f_p95, f2_p95, c_p95 = p95(floor), p95(floor_re), p95(lat)
    ratio = c_p95 / f_p95 if f_p95 > 0 else math.inf
    ratio_re = c_p95 / f2_p95 if f2_p95 > 0 else math.inf
    ok_target = c_p95 < TARGET_P95
    misses = sum(math.isinf(x) for x in lat)
    complete = not checked["missing_cases"] and not checked["missing_drafts"]
    reads = run["store_reads"]
    late = run["late"]
    summary = {
        "messages": n, "gap_s": args.gap, "dovecot": dovecot_version(),
        "floor": stats(floor), "floor_reidle": stats(floor_re),
        "cpambot": {**stats(lat), "timeouts": misses, "poll_end_median_s": median(poll_end),
                    "poll_end_p95_s": p95(poll_end), "warmup_s": run["warmup"]["latency"],
                    "startup_s": run["startup_s"]},
        "p95_ratio": ratio, "p95_ratio_reidle": ratio_re, "target_p95_s": TARGET_P95,
        "target_met": ok_target, "complete": complete, "pass": ok_target and complete,
        "daemon": {"cpu_run_s": run["cpu_run_s"], "cpu_total_s": run["cpu_total_s"],
                   "cpu_per_message_ms": 1e3 * run["cpu_run_s"] / n, "wall_run_s": run["wall_s"],
                   "rss_end_mb": run["memory"].get("VmRSS"), "rss_peak_mb": run["memory"].get("VmHWM"),
                   "rss_after_probes_mb": run["memory_end"].get("VmRSS"), "exit_code": code,
                   "idle_signals": tail.count(IDLE_SIGNAL), "polls": tail.poll_ends,
                   "skipped_wakeups": tail.count(SKIPPED),
                   "errors": [line for line in tail.lines if " ERREUR " in line][:20]},
        "during_poll": late,
        "store_reads": {"count": len(reads), "median_ms": 1e3 * median(reads) if reads else None,
                        "max_ms": 1e3 * max(reads) if reads else None, "failed": run["store_read_errors"],
                        "last_error": run["store_last_error"]},
        "check": {**checked, "notices_sent": notices},
    }
    if args.json:
        print(json.dumps(finite(summary), ensure_ascii=False, indent=1, allow_nan=False))
        return 0 if summary["pass"] else 1
    report(summary, args)
    return 0 if summary["pass"] else 1


def report(s: dict[str, Any], args: argparse.Namespace) -> None:
    n, d, c, checked = s["messages"], s["daemon"], s["cpambot"], s["check"]
    f, f2 = s["floor"], s["floor_reidle"]
    print()
    print(f"== Résultats ({n} messages, pause {args.gap:.1f} s avant chacun ; p95 au rang le plus proche) ==")
    print(f"(f)  plancher : imapclient en IDLE, APPEND → EXISTS          : médiane {ms(f['median_s']):>8}, "
          f"p95 {ms(f['p95_s']):>8}")
    print(f"(f2) plancher, IDLE relancé après chaque EXISTS (comme cpambot) : médiane "
          f"{ms(f2['median_s']):>8}, p95 {ms(f2['p95_s']):>8}")
    print(f"(c)  cpambot run : APPEND → dossier + brouillon dans la base  : médiane {ms(c['median_s']):>8}, "
          f"p95 {ms(c['p95_s']):>8}" + (f"  ({c['timeouts']} non vus en {args.timeout:.0f} s)"
                                         if c["timeouts"] else ""))
    print(f"     rapport des p95 (c)/(f) : {s['p95_ratio']:.2f}   ((c)/(f2) : {s['p95_ratio_reidle']:.2f})")
    print(f"     cible : p95 (c) < {TARGET_P95:.0f} s → {'PASS' if s['target_met'] else 'FAIL'}")
    print(f"     fin de la relève (ligne « relève terminée ») : médiane {ms(c['poll_end_median_s'])}, "
          f"p95 {ms(c['poll_end_p95_s'])} après l'APPEND")
    print(f"     échauffement (message 0, hors statistiques) : {ms(c['warmup_s'])} ; du lancement à la fin "
          f"de la 1re relève : {c['startup_s']:.2f} s")
    print(f"service : CPU {d['cpu_run_s']:.2f} s pendant les {n} messages "
          f"({d['cpu_per_message_ms']:.0f} ms par message, {d['wall_run_s']:.1f} s de mur), "
          f"{d['cpu_total_s']:.2f} s en tout ; RSS à la fin de la série {d['rss_end_mb']:.0f} Mio "
          f"(pic {d['rss_peak_mb']:.0f} Mio ; {d['rss_after_probes_mb']:.0f} Mio après les essais (r))")
    print(f"          {d['idle_signals']} signaux IDLE, {d['polls']} relèves, {d['skipped_wakeups']} réveils "
          f"écartés par APScheduler (relève déjà en cours), code de sortie {d['exit_code']}")
    for k, probe in enumerate(s["during_poll"], start=1):
        seen = not math.isinf(probe["latency"])
        print(f"(r)  message arrivé pendant une relève ({k}) : "
              + (f"vu après {ms(probe['latency'])}" if seen else
                 f"PAS VU en {min(args.timeout, PROBE_TIMEOUT):.0f} s (attend la relève périodique)")
              + f" ; la relève en cours (lot de {probe['batch']}) a fini "
              f"{ms(probe['batch_poll_end_after_append'])} après son APPEND")
    r = s["store_reads"]
    if r["count"]:
        print(f"lecture de la base en lecture seule : {r['count']} fois, médiane {r['median_ms']:.1f} ms, "
              f"max {r['max_ms']:.1f} ms"
              + (f", {r['failed']} à refaire (dernière erreur : {r['last_error']})" if r["failed"] else ""))
    print(f"vérification : {checked['cases']} dossiers, {checked['drafts']} brouillons "
          f"({checked['announced']} annoncés, {checked['notices_sent']} avis reçus par SMTP), registre "
          + ", ".join(f"{k} {v}" for k, v in sorted(checked["ledger_states"].items()))
          + (" — série COMPLÈTE" if s["complete"] else
             f" — MANQUE dossiers {checked['missing_cases'][:5]} brouillons {checked['missing_drafts'][:5]}"))
    if checked["late_never_seen"]:
        print(f"     messages (r) jamais relevés avant l'arrêt : {len(checked['late_never_seen'])}")
    for line in d["errors"]:
        print(f"  journal du service : {line}")


if __name__ == "__main__":
    sys.exit(main())
