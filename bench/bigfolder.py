#!/usr/bin/env python3
"""Banc d'essai d'un très grand dossier IMAP pour cpambot, contre un vrai Dovecot (ce n'est PAS un test).

    .venv/bin/python bench/bigfolder.py [--messages 200000] [--runs 1] [--no-sync]

Un dossier de plus de ~158 000 messages ne se relevait pas : la réponse d'un seul ``UID SEARCH``
dépassait la limite de ligne d'imaplib (``imaplib._MAXLINE``, 1 000 000 octets). Ce script :

1. démarre un Dovecot jetable (tests/servers.py) et crée un utilisateur ;
2. écrit N petits messages (~350 octets, un sur cent d'une caisse) directement dans son Maildir
   (``cur/`` + ``dovecot-uidlist`` qui donne à chaque fichier son UID, 1 à N), et les
   min(N, 150 000) premiers, en liens durs, dans un second dossier « Limite » ; puis laisse
   Dovecot les indexer (première ouverture de chaque dossier, chronométrée à part) ;
3. mesure, chaque mesure dans un sous-processus à elle (le pic de RSS, VmHWM, est le sien) :

   (a) la liste des UID nouveaux par ``ImapMailbox.uids_after`` (recherches par fenêtres) : depuis
       0 (tout le dossier), depuis la moitié, et rien de neuf ;
   (p) les planchers, imapclient nu : un seul ``UID SEARCH UID 1:*`` du dossier « Limite »
       (150 000 messages : la réponse tient encore dans la limite), et un seul ``FETCH 1:* (UID)``
       du grand dossier (une ligne par message) ; puis l'ancienne recherche unique sur le grand
       dossier, qui doit échouer dès que N dépasse ~158 000 ;
   (s) sauf ``--no-sync`` : la première relève des en-têtes du grand dossier par le ``Syncer`` de
       cpambot (``cpambot.service.poll.ingest`` : lignes du registre, corps des messages de caisse) ;

4. arrête Dovecot à la fin, y compris sur Ctrl-C, SIGTERM ou exception.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"

USERNAME = "marie.exemple@example.org"
PASSWORD = "bench-secret-123"
UIDVALIDITY = 1767225600
FLOOR_MESSAGES = 150_000  # the largest folder whose one UID SEARCH answer fits in imaplib's line
TIMEOUT = 600  # seconds: Dovecot's first look at a large Maildir is long

CONFIG_TOML = benchlib.IMAP_CONFIG


# ======================================================================================
# The folder, written straight into the Maildir
# ======================================================================================


def small_message(uid: int) -> bytes:
    """A short message, one in a hundred from a caisse's NOEMIE flow (its body is then fetched)."""
    day = 1 + uid % 28
    if uid % 100 == 0:
        sender, subject = "Flux RSS CPAM 511 <01511@511.01.rss.fr>", f"IR/NOEMIE retour lot {uid % 99999:05d}"
    else:
        sender, subject = f"Ami {uid % 977} <ami{uid % 977}@example.net>", f"Nouvelles {uid}"
    return (f"From: {sender}\nTo: Marie Exemple <{USERNAME}>\nSubject: {subject}\n"
            f"Date: Mon, {day:02d} Sep 2025 08:{uid % 60:02d}:00 +0200\n"
            f"Message-ID: <big-{uid}@example.net>\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\nBonjour,\nmessage numéro {uid}.\n").encode()


def write_folder(folder: Path, uids: range, source: Path | None = None) -> None:
    """``folder``'s Maildir: one file per UID in cur/ (written, or hard-linked from ``source``'s
    cur/) and the ``dovecot-uidlist`` that gives each file its UID."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    lines = [f"3 V{UIDVALIDITY} N{uids[-1] + 1} G{'0123456789abcdef' * 2}"]
    cur = folder / "cur"
    for uid in uids:
        name = f"{UIDVALIDITY}.M{uid}P1.bench"
        if source is None:
            with open(cur / f"{name}:2,", "wb") as fh:
                fh.write(small_message(uid))
        else:
            os.link(source / "cur" / f"{name}:2,", cur / f"{name}:2,")
        lines.append(f"{uid} :{name}")
    (folder / "dovecot-uidlist").write_text("\n".join(lines) + "\n")


# ======================================================================================
# Children: one measurement each, result as JSON on the last stdout line
# ======================================================================================

def _peak_rss_mb() -> float:
    """VmHWM of this process in MiB (ru_maxrss would survive execve: see bench/ingest.py)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def child_list(params: dict) -> dict:
    """(a) ImapMailbox.uids_after: the whole folder, half of it, nothing new."""
    from cpambot.config.loader import parse_config
    from cpambot.mailbox import imap
    from cpambot.mailbox.imap import ImapMailbox

    n = params["messages"]
    rss0 = _peak_rss_mb()
    config = parse_config(params["toml"])
    box = ImapMailbox(config.accounts[0])
    sent: list[int] = []
    real = imap.IMAPClient.search

    def counted(self, criteria="ALL", charset=None):  # type: ignore[no-untyped-def]
        sent.append(1)
        return real(self, criteria, charset)

    imap.IMAPClient.search = counted  # type: ignore[method-assign]
    box.open()
    try:
        box.select("INBOX")
        out: dict = {"rss_import_mb": rss0}
        for label, last in (("all", 0), ("half", n // 2), ("none", n)):
            sent.clear()
            t0 = time.perf_counter()
            uids = box.uids_after(last)
            out[label] = {"s": time.perf_counter() - t0, "count": len(uids), "searches": len(sent),
                          "ok": uids == list(range(last + 1, n + 1))}
            del uids
    finally:
        box.close()
    out["rss_mb"] = _peak_rss_mb()
    return out


def child_floor(params: dict) -> dict:
    """(p) bare imapclient: one UID SEARCH of « Limite », one FETCH (UID) of INBOX, the old search."""
    from imapclient import IMAPClient

    out: dict = {}
    client = IMAPClient(params["host"], port=params["port"], ssl=False, timeout=TIMEOUT)
    client.login(USERNAME, PASSWORD)
    try:
        client.select_folder("Limite", readonly=True)
        t0 = time.perf_counter()
        found = client.search(["UID", "1:*"])
        out["search"] = {"s": time.perf_counter() - t0, "count": len(found)}
        del found
        out["rss_search_mb"] = _peak_rss_mb()
        client.select_folder("INBOX", readonly=True)
        t0 = time.perf_counter()
        # imaplib's own FETCH (imapclient's wants every number spelt out): lines "n (UID u)".
        typ, lines = client._imap.fetch("1:*", "(UID)")
        fetched = [int(line.rsplit(b" ", 1)[1].rstrip(b")")) for line in lines if typ == "OK"]
        out["fetch"] = {"s": time.perf_counter() - t0, "count": len(fetched)}
        del fetched, lines
        out["rss_mb"] = _peak_rss_mb()
    finally:
        client.logout()
    # The search cpambot made before the windows: one answer for the whole folder.
    client = IMAPClient(params["host"], port=params["port"], ssl=False, timeout=TIMEOUT)
    client.login(USERNAME, PASSWORD)
    client.select_folder("INBOX", readonly=True)
    t0 = time.perf_counter()
    try:
        out["old"] = {"count": len(client.search(["UID", "1:*"])), "error": None}
        client.logout()
    except Exception as exc:  # noqa: BLE001 - the failure is the figure
        out["old"] = {"count": 0, "error": f"{exc.__class__.__name__}: {exc}"}
        client.shutdown()  # the connection is out of step after a refused line
    out["old"]["s"] = time.perf_counter() - t0
    return out


def child_sync(params: dict) -> dict:
    """(s) the first header sync of INBOX through cpambot's Syncer, in a fresh data directory."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    from cpambot.config.loader import parse_config
    from cpambot.service.poll import ingest
    from cpambot.store.database import Store

    config = parse_config(params["toml"])
    t0 = time.perf_counter()
    store = Store.open(config.data_dir)
    t1 = time.perf_counter()
    report = ingest(config, store)
    t2 = time.perf_counter()
    rss_ingest = _peak_rss_mb()
    store.close()
    t3 = time.perf_counter()
    return {"open": t1 - t0, "ingest": t2 - t1, "close": t3 - t2, "errors": report.errors,
            "new": report.total("new"), "relevant": report.total("relevant"),
            "ignored": report.total("ignored"), "rss_ingest_mb": rss_ingest, "rss_mb": _peak_rss_mb(),
            "store_bytes": benchlib.store_bytes(Path(config.data_dir))}


def run_child(kind: str, params: dict, workdir: Path) -> dict:
    return benchlib.run_child(Path(__file__), kind, params, workdir)[0]


# ======================================================================================
# Parent
# ======================================================================================

def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=1, help="mesures (a) et (p) répétées (défaut 1)")
    parser.add_argument("--no-sync", action="store_true", help="sans la relève complète (s)")
    parser.add_argument("--_child", choices=("list", "floor", "sync"), help=argparse.SUPPRESS)
    parser.add_argument("--_params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._child:
        sys.path.insert(0, str(ROOT))
        params = json.loads(Path(args._params).read_text())
        child = {"list": child_list, "floor": child_floor, "sync": child_sync}[args._child]
        print(json.dumps(child(params)))
        return 0

    def _on_sigterm(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # unwind: Dovecot is stopped by its context manager

    signal.signal(signal.SIGTERM, _on_sigterm)
    sys.path.insert(0, str(TESTS))
    sys.path.insert(0, str(ROOT))
    from servers import MAIL_GID, MAIL_UID, DovecotServer, ensure_dovecot  # noqa: E402 - tests/servers.py

    from cpambot.mailbox.imap import SEARCH_WINDOW  # noqa: E402

    n = args.messages
    floor_n = min(n, FLOOR_MESSAGES)
    print(f"== cpambot — banc d'un grand dossier IMAP ({_n(n)} messages, fenêtre de recherche "
          f"{_n(SEARCH_WINDOW)}, Python {sys.version.split()[0]}, {os.cpu_count()} cœurs) ==")
    ensure_dovecot()
    workdir = Path(tempfile.mkdtemp(prefix="cpambot-bigfolder-", dir="/tmp"))
    try:
        with DovecotServer() as dovecot:
            dovecot.add_user(USERNAME, PASSWORD)
            maildir = dovecot.maildir(USERNAME)
            t0 = time.perf_counter()
            write_folder(maildir, range(1, n + 1))
            write_folder(maildir / ".Limite", range(1, floor_n + 1), source=maildir)
            (maildir / ".Limite" / "maildirfolder").touch()
            subprocess.run(["chown", "-R", f"{MAIL_UID}:{MAIL_GID}", str(maildir.parent)], check=True)
            size = sum(len(small_message(u)) for u in range(1, n + 1, max(1, n // 1000))) / len(
                range(1, n + 1, max(1, n // 1000)))
            print(f"Maildir écrit : {_n(n)} messages (~{size:.0f} octets chacun) + « Limite » "
                  f"{_n(floor_n)} liens durs, en {time.perf_counter() - t0:.1f} s")

            from imapclient import IMAPClient  # noqa: E402

            t0 = time.perf_counter()
            with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=TIMEOUT) as client:
                client.login(USERNAME, PASSWORD)
                counts = {f: client.select_folder(f, readonly=True)[b"EXISTS"] for f in ("INBOX", "Limite")}
            print(f"Indexation par Dovecot (première ouverture) : {time.perf_counter() - t0:.1f} s ; "
                  f"INBOX {_n(counts['INBOX'])}, Limite {_n(counts['Limite'])} messages")
            if counts["INBOX"] != n or counts["Limite"] != floor_n:
                raise RuntimeError("Dovecot ne voit pas les messages écrits")

            pw_file = workdir / "imap.pass"
            pw_file.write_text(PASSWORD)
            pw_file.chmod(0o600)

            def toml_for(data_dir: Path) -> str:
                return CONFIG_TOML.format(username=USERNAME, data_dir=data_dir, host=dovecot.host,
                                          port=dovecot.port, password_file=pw_file, timeout=TIMEOUT)

            lists, floors = [], []
            for run in range(1, args.runs + 1):
                res = run_child("list", {"toml": toml_for(workdir / "unused"), "messages": n}, workdir)
                lists.append(res)
                fl = run_child("floor", {"host": dovecot.host, "port": dovecot.port}, workdir)
                floors.append(fl)
                print(f"  passe {run} : (a) liste {res['all']['s']:.2f} s, (p) recherche unique "
                      f"{fl['search']['s']:.2f} s, FETCH (UID) {fl['fetch']['s']:.2f} s")
            sync = None
            if not args.no_sync:
                print("Relève complète des en-têtes (s) en cours…", flush=True)
                sync = run_child("sync", {"toml": toml_for(workdir / "data")}, workdir)

            med = statistics.median
            last, fl = lists[-1], floors[-1]
            print()
            print(f"== Résultats (médianes sur {args.runs} passe(s)) ==")
            for label, title in (("all", "depuis 0 (dossier entier)"), ("half", f"depuis {_n(n // 2)}"),
                                 ("none", "rien de neuf")):
                t = med(r[label]["s"] for r in lists)
                print(f"(a) ImapMailbox.uids_after, {title:28s}: {t * 1e3:9.1f} ms  "
                      f"{_n(last[label]['count'])} UID, {last[label]['searches']} recherche(s), "
                      f"{'exacts' if all(r[label]['ok'] for r in lists) else 'FAUX'}")
            rss_list = max(r["rss_mb"] for r in lists)
            print(f"    pic de RSS du sous-processus (a)             : {rss_list:9.1f} Mio "
                  f"({last['rss_import_mb']:.1f} Mio après les imports)")
            search_s = med(r["search"]["s"] for r in floors)
            fetch_s = med(r["fetch"]["s"] for r in floors)
            all_s = med(r["all"]["s"] for r in lists)
            scaled = search_s * n / floor_n
            print(f"(p) plancher : UID SEARCH unique de « Limite »    : {search_s * 1e3:9.1f} ms  "
                  f"{_n(fl['search']['count'])} UID ; ramené à {_n(n)} : {scaled * 1e3:.1f} ms "
                  f"→ rapport (a)/(p) {all_s / scaled:.2f}")
            print(f"    plancher : FETCH 1:* (UID) unique de INBOX   : {fetch_s * 1e3:9.1f} ms  "
                  f"{_n(fl['fetch']['count'])} UID → rapport (a)/FETCH {all_s / fetch_s:.2f}")
            print(f"    pic de RSS du plancher (recherche, + FETCH)  : {fl['rss_search_mb']:9.1f} Mio, "
                  f"{fl['rss_mb']:.1f} Mio")
            old = fl["old"]
            print("    ancienne recherche unique de INBOX           : "
                  + (f"refusée après {old['s'] * 1e3:.0f} ms ({old['error']})" if old["error"]
                     else f"{old['s'] * 1e3:9.1f} ms, {_n(old['count'])} UID (tient encore)"))
            if sync is not None:
                rate = sync["new"] / sync["ingest"] if sync["ingest"] else 0.0
                print(f"(s) relève complète des en-têtes (Syncer)       : {sync['ingest']:9.1f} s  "
                      f"({_n(rate)} msg/s ; nouveaux {_n(sync['new'])}, pertinents {_n(sync['relevant'])}, "
                      f"ignorés {_n(sync['ignored'])}) ; Store.close {sync['close']:.1f} s, base "
                      f"{sync['store_bytes'] / 1e6:.0f} Mo")
                print(f"    pic de RSS du sous-processus (s)             : {sync['rss_mb']:9.1f} Mio "
                      f"({sync['rss_ingest_mb']:.1f} Mio à la fin de l'ingestion)"
                      + (f" ; ERREURS {sync['errors']}" if sync["errors"] else ""))
            print("Arrêt de Dovecot…")
        print("Dovecot arrêté.")
    except KeyboardInterrupt:
        print("\nInterrompu : Dovecot arrêté.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
