#!/usr/bin/env python3
"""Banc d'essai de croissance de cpambot : le coût des opérations de tous les jours grandit-il avec
l'historique ? (ce n'est PAS un test)

    .venv/bin/python bench/growth.py [--years 1,3,10] [--runs 5] [--json] [--rebuild]
                                     [--cache /tmp/cpambot-growth] [--profile]

Ce que fait le script, dans un seul lancement :

1. construit (une fois, puis garde en cache dans ``<cache>/<N>y``, reconstruit avec ``--rebuild`` ou
   quand le schéma du magasin a changé) un dossier de données par taille d'historique — 1 jour (le
   plancher), puis 1, 3 et 10 ans du courrier d'une infirmière très occupée. Par an : ~2 000
   messages de caisse (lignes du registre gardées, chacune avec sa copie brute, la plupart avec un
   dossier : ~1 550 dossiers par an, presque tous clos), 20 000 autres messages (lignes « ignored »
   — la rétention de ``cpambot/mailbox/retention.py`` les retire après ``KEEP_DAYS`` = 90 jours :
   seuls les 90 derniers jours en restent, à toute taille), ~300 courriers envoyés (brouillon, avis
   à l'approbatrice, sa réponse, confirmation, courrier dans l'outbox) et un récapitulatif par jour
   (outbox, sent_ids), des règles apprises et des refus. Chaque document est le clone d'un document
   réel écrit par le code actuel (``tests/fixtures/stores/v1/*/store.json`` et leurs copies
   brutes) : clés, identifiants, numéros de facture, de lot et de référence, montants, UID, dates (étalées
   sur les années) varient (d'une copie brute, seul le Message-ID) ; les numéros de dossier suivent
   le compteur ``counters/case`` comme ``CaseBook`` les alloue ; chaque référence d'un dossier au
   registre pointe vers une ligne existante. Tout est écrit par l'API publique du magasin
   (``Store.open``, ``put``, ``commit``) et ``RawStore.save`` : le script survit à un changement de
   format de fichier. Puis deux relèves réelles (``poll_once``, serveur SMTP de capture de
   ``tests/servers.py``) amènent la base à son régime de croisière : l'entretien du jour fait, les
   brouillons dus faits et annoncés, le récapitulatif du jour envoyé, le point de reprise du compte
   Maildir au bout de sa boîte (un seul message) ; toutes les mesures ont lieu ce même jour (horloge
   arrêtée à 10 h, quelques minutes plus tard à chaque relève) ;
2. mesure sur chaque taille, médiane de ``--runs`` passes, sur une copie de travail du cache :

   (1) une relève sans rien de nouveau : ``poll_once`` (base ouverte une fois, une relève
       d'échauffement non comptée, puis ``--runs`` relèves) ;
   (2) une relève avec un message de caisse nouveau : le retour NOEMIE réel
       ``tests/fixtures/corpus/05-noemie-2900-deja-payee-511.eml`` déposé dans le Maildir, avec à
       chaque passe son numéro de facture, son Message-ID et sa date : il ouvre un dossier (vérifié),
       un brouillon de réclamation et son avis (envoyé au serveur de capture) ; une passe
       d'échauffement non comptée ;
   (3) ``cpambot --config <cfg> cases`` en sous-processus (temps écoulé), à côté de
       ``cpambot --version`` (démarrage de l'interpréteur et imports de la CLI : son plancher) ;
       la cible porte sur la différence ;
   (4) un redémarrage : ``Store.open`` + ``close`` dans un sous-processus neuf (temps écoulé, moins
       celui du même sous-processus qui n'importe que le magasin) ; et le pic de RSS (VmHWM de
       /proc/self/status) d'un sous-processus qui ouvre la base et fait une relève sans nouveauté :
       le RSS du démon ;
   (5) la taille de la base sur disque : tout le dossier de données sauf ``raw/``.

3. affiche un tableau (taille × opération : ms et rapport au plancher d'un jour) et les cibles :
   chaque opération sous 100 ms (le redémarrage sous 1 s), plate quand l'historique grandit
   (rapport 10 ans / 1 an ≤ 1,5 : seuil de ce banc), RSS sous 80 Mo à chaque taille ; PASS/FAIL.
   ``--json`` écrit les résultats en JSON (la progression va sur stderr). ``--profile`` ajoute un
   profil cProfile d'une relève sans nouveauté sur la plus grande taille.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import benchlib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"
FIXTURES = TESTS / "fixtures" / "stores" / "v1"
NEW_MESSAGE = TESTS / "fixtures" / "corpus" / "05-noemie-2900-deja-payee-511.eml"
RESIDENT = ROOT / "src" / "cpambot" / "demo" / "maildir" / "cur" / "1771227000.M2P1.demo:2,S"  # a promo

GENERATOR_VERSION = 1
SEED = 20261206
TZ = ZoneInfo("Europe/Paris")
ACCOUNT = "principal"
HISTORY_UIDVALIDITY = 1577836800  # the folder's numbering before the Maildir of this bench
ID_DOMAIN = "cpambot.example.org"
PRO_EMAIL = "marie.exemple@example.org"

CAISSE_PER_YEAR = 2000  # what the volumes below give, about (counted and printed)
CASES_PER_YEAR = 1550
OTHER_PER_YEAR = 20000
LETTERS_PER_YEAR = 300
NEWSLETTERS_PER_YEAR = 60
SUSPECT_PER_YEAR = 24
RULES_PER_YEAR = 2
REFUSALS_PER_YEAR = 1
INVOICE_BASE = 300_000_000  # invoices of the history: INVOICE_BASE + the case's number
NEW_INVOICE_BASE = 900_000_000  # invoices of the messages dropped by (2)
CASE_WEIGHTS = {"invoice": 50, "lot_watch": 25, "amc": 8, "reclamation": 4, "to_sort": 3, "refused_lot": 3,
                "retenue": 3, "indu": 1, "meeting": 1}
LONG_LIVED = ("indu", "retenue", "reclamation")  # closed months after their last message, not weeks
PAYMENT_CLOSED = ("invoice", "lot_watch", "amc", "refused_lot", "unpaid_lot")

TARGET_MS = 100.0
TARGET_RESTART_MS = 1000.0
TARGET_RSS_MB = 80.0
FLAT_RATIO = 1.5


def say(text: str = "") -> None:
    print(text, file=sys.stderr if _JSON_MODE else sys.stdout, flush=True)


_JSON_MODE = False


# ======================================================================================
# Sizes, cache, configuration
# ======================================================================================

@dataclass(frozen=True)
class Size:
    name: str  # cache folder name: 1d, 1y, 3y, 10y
    days: int
    label: str  # French

    @classmethod
    def years(cls, n: int) -> Size:
        return cls(f"{n}y", 365 * n, f"{n} an" if n == 1 else f"{n} ans")


FLOOR = Size("1d", 1, "1 jour")

CONFIG_TOML = """\
[professionnel]
nom = "Marie Exemple"
profession = "infirmier"
civilite = "Madame"
numero_am = "974123456"
email = "{email}"
telephone = "0262 00 00 00"
adresse = "1 rue de l'Exemple, 97400 Saint-Denis"

[approbation]
approbateurs = ["{email}"]

[donnees]
dossier = "{data_dir}"

[planification]
fuseau_horaire = "Europe/Paris"

[[comptes]]
nom = "{account}"
type = "maildir"
chemin = "{maildir}"

[[caisses]]
code = "974"
nom = "CGSS de La Réunion"
type = "cgss"
[caisses.adresses]
annulation = "flux-ps@cgss.re"
reclamation = "reclamations-ps@cgss.re"
indus = "regulation-ps@cgss.re"
cra = "cra@cgss.re"
conciliateur = "conciliateur@cgss.re"

[[caisses]]
code = "511"
nom = "CPAM de la Marne"
type = "cpam"
[caisses.adresses]
reclamation = "reclamations-ps.cpam-marne@assurance-maladie.fr"
indus = "regulation-ps.cpam-marne@assurance-maladie.fr"

[[caisses]]
code = "viamedis"
nom = "Viamedis"
type = "amc"
[caisses.adresses]
amc = "releves-ps@viamedis.fr"

[[caisses]]
code = "almerys"
nom = "Almerys"
type = "amc"

[envoi]
hote = "127.0.0.1"
port = {smtp_port}
securite = "aucune"
expediteur = "{email}"
"""


def write_config(path: Path, data_dir: Path, maildir: Path, smtp_port: int) -> Path:
    path.write_text(CONFIG_TOML.format(email=PRO_EMAIL, data_dir=data_dir, account=ACCOUNT, maildir=maildir,
                                       smtp_port=smtp_port), encoding="utf-8")
    return path


def ref_instant(day: date) -> datetime:
    """The bench's "now": 10:00 (after the 07:30 digest) of the day the store was built."""
    return datetime.combine(day, clock_time(10, 0), tzinfo=TZ)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat(timespec="seconds")


def disk_bytes(data_dir: Path) -> dict[str, int]:
    """Bytes of every file of the data folder except raw copies (its own, and the daily backups' links to
    them), each file counted once however many hard links it has (the daily backups link what is only
    ever replaced), and of store.json alone (schema 1)."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for path in data_dir.rglob("*"):
        if not path.is_file() or "raw" in path.relative_to(data_dir).parts:
            continue
        info = path.stat()
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    db = data_dir / "store.json"
    return {"total": total, "store_json": db.stat().st_size if db.exists() else 0}


# ======================================================================================
# Templates: the real documents of tests/fixtures/stores/v1
# ======================================================================================

# One pass over a text: ISO dates, French dates, French amounts, then words carrying an identifier.
_TEXT = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
                   r"|(?<!\d)(\d{2})/(\d{2})/(\d{4})(?!\d)"
                   r"|(\d+(?:[ \u202f\u00a0]\d{3})*,\d{2})"
                   r"|([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")
_UNTOUCHED = frozenset({"raw_b64", "_key", "fingerprint", "sha256", "raw", "token_hash", "message_id"})


class Rewriter:
    """A template document made another one: identifiers swapped (``tokens``, whole words only),
    French amounts swapped (``amounts``), every date (ISO or dd/mm/yyyy) moved by ``days``."""

    def __init__(self, days: int, tokens: dict[str, str] | None = None,
                 amounts: dict[str, str] | None = None) -> None:
        self.delta = timedelta(days=days)
        self.tokens = tokens or {}
        self.amounts = amounts or {}

    def _sub(self, m: re.Match[str]) -> str:
        last = m.lastindex
        try:
            if last == 3:
                day = date(int(m[1]), int(m[2]), int(m[3])) + self.delta
                return day.isoformat()
            if last == 6:
                day = date(int(m[6]), int(m[5]), int(m[4])) + self.delta
                return f"{day:%d/%m/%Y}"
        except ValueError:  # (not a date after all)
            return m[0]
        if last == 7:
            return self.amounts.get(m[0], m[0])
        return self.tokens.get(m[0], m[0])

    def text(self, value: str) -> str:
        return _TEXT.sub(self._sub, value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: (v if k in _UNTOUCHED else self.value(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value


def new_reference(old: str, serial: int, year: int) -> str:
    """A reference of the same shape as ``old`` (``CTL-2026-0112``), its year ``year`` and its
    last number ``serial`` (unique per case)."""
    text = re.sub(r"(?<!\d)20\d\d(?!\d)", str(year), old, count=1)
    runs = list(re.finditer(r"\d+", text))
    if not runs:
        return f"{text}-{serial}"
    last = runs[-1]
    return f"{text[:last.start()]}{serial:0{max(len(last[0]), 6)}d}{text[last.end():]}"


def fr_amount(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """The raw message with its Message-ID replaced (so its SHA-256, its raw copy, differs)."""
    head, sep, body = raw.partition(b"\n\n")
    line = b"Message-ID: " + message_id.encode()
    if re.search(rb"(?mi)^Message-ID:", head):
        head = re.sub(rb"(?mi)^Message-ID:.*(?:\r?\n[ \t].*)*", line, head, count=1)
    else:
        head = line + b"\n" + head
    return head + sep + body


@dataclass
class CaseTemplate:
    store: str
    doc: dict[str, Any]
    sources: list[str]  # distinct ledger keys of its history, in order
    aliases: list[str]
    opened: date
    extent: int  # days from its opening to its last message
    weight: float = 1.0


@dataclass
class DraftTemplate:
    doc: dict[str, Any]
    case: CaseTemplate
    offset: int  # days from the case's opening to the letter


class Templates:
    def __init__(self) -> None:
        self.stores: dict[str, dict[str, dict[str, Any]]] = {}
        for folder in sorted(p for p in FIXTURES.iterdir() if (p / "store.json").exists()):
            tables = json.loads((folder / "store.json").read_text(encoding="utf-8"))
            self.stores[folder.name] = {name: {d["_key"]: d for d in docs.values() if "_key" in d}
                                        for name, docs in tables.items()}
        self._raw: dict[tuple[str, str], bytes] = {}
        self.cases = self._case_templates()
        self.drafts = self._draft_templates()
        rows = [(s, d) for s, t in self.stores.items() for d in t.get("ledger", {}).values()]
        self.newsletter = next((s, d) for s, d in rows
                               if (d.get("reading") or {}).get("kind") == "newsletter")
        self.suspects = [(s, d) for s, d in rows if d["category"] == "suspect" and d.get("raw")]
        self.others = [(s, d) for s, d in rows if d["category"] == "other"]
        self.approvals = [(s, d) for s, d in rows if d["category"] == "reply" and d["state"] == "done"]
        self.intruder = next((s, d) for s, d in rows if d["category"] == "reply" and d["state"] == "ignored")
        closing = {(t.store, h["source"]) for t in self.cases for h in t.doc["history"]
                   if h["kind"] == "invoice_paid"}
        self.payment = next((s, d) for s, d in rows if (s, d["_key"]) in closing)
        outbox = [d for t in self.stores.values() for d in t.get("outbox", {}).values()]
        self.digests = [d for d in outbox if d["purpose"] == "digest"]
        self.notice = next(d for d in outbox if d["purpose"] == "notice")
        self.confirmation = next(d for d in outbox if d["purpose"] == "confirmation")
        self.letter = next(d for d in outbox if d.get("draft_key"))
        self.refusal = next(d for t in self.stores.values() for d in t.get("refusals", {}).values())
        self.rule = next(d for t in self.stores.values() for d in t.get("learned_rules", {}).values())

    def raw(self, store: str, doc: dict[str, Any]) -> bytes:
        key = (store, doc["raw"])
        if key not in self._raw:
            self._raw[key] = (FIXTURES / store / doc["raw"]).read_bytes()
        return self._raw[key]

    def _case_templates(self) -> list[CaseTemplate]:
        found = []
        for store, tables in self.stores.items():
            aliases = tables.get("case_aliases", {})
            for doc in tables.get("cases", {}).values():
                if any("bounced" in h["kind"] for h in doc["history"]):
                    continue  # (a letter that did not arrive: not the everyday case)
                opened = date.fromisoformat(doc["opened"])
                last = max(date.fromisoformat(h["received"]) for h in doc["history"])
                sources = list(dict.fromkeys(h["source"] for h in doc["history"] if h["source"]))
                found.append(CaseTemplate(store, doc, sources,
                                          [k for k, a in aliases.items() if a["case"] == doc["key"]],
                                          opened, (last - opened).days))
        per_type: dict[str, int] = {}
        for t in found:
            per_type[t.doc["type"]] = per_type.get(t.doc["type"], 0) + 1
        for t in found:
            t.weight = CASE_WEIGHTS.get(t.doc["type"], 1) / per_type[t.doc["type"]]
        return found

    def _draft_templates(self) -> list[DraftTemplate]:
        by_key = {(t.store, t.doc["key"]): t for t in self.cases}
        found = []
        for store, tables in self.stores.items():
            for doc in tables.get("drafts", {}).values():
                case = by_key.get((store, doc["case_key"]))
                if case is None or doc["state"] != "pending" or not doc.get("to"):
                    continue
                offset = (date.fromisoformat(doc["due"]) - case.opened).days
                found.append(DraftTemplate(doc, case, max(offset, 1)))
        return found


# ======================================================================================
# The history, generated (pure: documents and raw bytes, nothing written yet)
# ======================================================================================

@dataclass
class Row:
    doc: dict[str, Any]
    when: datetime
    raw: bytes | None
    case_ids: list[str] | None = None  # None: the template's reading is kept as it is
    key: str = ""


@dataclass
class Clone:
    doc: dict[str, Any]
    template: CaseTemplate
    rows: list[Row | None]  # the message of each history entry (None: the bot's or her own event)
    rewriter: Rewriter
    aliases: list[str]
    opened: date
    last: date
    closed: date | None = None
    steps: set[str] = field(default_factory=set)


@dataclass
class Letter:
    clone: Clone
    template: DraftTemplate
    day: date
    code: str = ""
    message_id: str = ""


class History:
    """Every document of ``days`` days of mail before ``ref_day``, cloned from the templates."""

    def __init__(self, templates: Templates, days: int, ref_day: date, rng: random.Random) -> None:
        from cpambot.mailbox.retention import KEEP_DAYS

        self.t = templates
        self.days = days
        self.ref_day = ref_day
        self.now = ref_instant(ref_day)
        self.keep_days = KEEP_DAYS
        self.rng = rng
        self.rows: list[Row] = []
        self.clones: list[Clone] = []
        self.keys: set[str] = set()
        self.letters: list[Letter] = []
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.linked: list[tuple[str, str | None, Row, dict[str, Any]]] = []  # keyed or pointing at a row
        self._serial = 0
        self._lot = 0

    # -- helpers -----------------------------------------------------------------------

    def count(self, per_year: float, days: int | None = None) -> int:
        rate = per_year * (self.days if days is None else days) / 365
        return int(rate) + (1 if self.rng.random() < rate - int(rate) else 0)

    def per_day(self, per_year: float) -> int:
        rate = per_year / 365
        return int(rate) + (1 if self.rng.random() < rate - int(rate) else 0)

    def hex_id(self, tag: str) -> str:
        return f"<{tag}.{self.rng.getrandbits(128):032x}@{ID_DOMAIN}>"

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), tzinfo=TZ)

    def put(self, table: str, key: str, doc: dict[str, Any]) -> None:
        self.tables.setdefault(table, {})[key] = doc

    def row(self, store: str, tdoc: dict[str, Any], rewriter: Rewriter, when: datetime,
            case_ids: list[str] | None = None) -> Row:
        """A ledger row cloned from ``tdoc``, for a message that arrived at ``when``."""
        doc = rewriter.value({k: v for k, v in tdoc.items() if k != "_key"})
        self._serial += 1
        local, _, domain = (tdoc.get("message_id") or "<m@example.org>").strip("<>").partition("@")
        doc["message_id"] = f"<g{self._serial}.{local[-24:]}@{domain}>"
        seen = when + timedelta(minutes=self.rng.randint(1, 9))
        if "date" in doc:
            doc["date"] = when.isoformat()
        if "date_raw" in doc:
            doc["date_raw"] = format_datetime(when)
        doc["first_seen"] = doc["updated"] = iso_utc(seen)
        raw = with_message_id(self.t.raw(store, tdoc), doc["message_id"]) if tdoc.get("raw") else None
        row = Row(doc, when, raw, case_ids)
        self.rows.append(row)
        return row

    def moment(self, day: date) -> datetime:
        """A working-hours instant of ``day``, never at or after the bench's now."""
        return min(self.at(day, self.rng.randint(6, 19), self.rng.randint(0, 59)),
                   self.now - timedelta(hours=1))

    # -- the generation ------------------------------------------------------------------

    def build(self) -> History:
        first = self.ref_day - timedelta(days=self.days)
        for offset in range(self.days):
            day = first + timedelta(days=offset)
            shared: dict[tuple[str, str], Row] = {}  # a message listing several of the day's cases
            for _ in range(self.per_day(CASES_PER_YEAR)):
                self.new_case(day, shared)
            for _ in range(self.per_day(NEWSLETTERS_PER_YEAR)):
                store, tdoc = self.t.newsletter
                self.row(store, tdoc, Rewriter((day - _day_of(tdoc)).days), self.moment(day))
            for _ in range(self.per_day(SUSPECT_PER_YEAR)):
                store, tdoc = self.rng.choice(self.t.suspects)
                self.row(store, tdoc, Rewriter((day - _day_of(tdoc)).days), self.moment(day))
        self.close_cases()
        self.plan_letters()
        self.approvals_and_digests(first)
        self.other_rows(first)
        self.rules_and_refusals(first)
        self.number_rows()
        self.materialize()
        return self

    def new_case(self, day: date, shared: dict[tuple[str, str], Row]) -> None:
        room = (self.ref_day - day).days - 1
        fits = [t for t in self.t.cases if t.extent <= room]
        for _ in range(5):
            t = self.rng.choices(fits, weights=[f.weight for f in fits])[0]
            number = len(self.clones) + 1
            case_id = f"C{number}"
            self._lot += 1
            d = t.doc
            tokens = {d["id"]: case_id}
            if d.get("invoice"):
                tokens[d["invoice"]] = f"{INVOICE_BASE + number:09d}"
            if d.get("lot"):
                tokens[d["lot"]] = f"{self._lot % 999 + 1:03d}"
            refs = [d.get("reference")] + [p for a in t.aliases for p in a.split("|")[2:]]
            for ref in refs:
                if ref and ref not in tokens and re.search(r"\d{4}", ref) and not re.fullmatch(
                        r"\d{4}-\d{2}-\d{2}", ref):
                    tokens[ref] = new_reference(ref, number, day.year)
            amounts = {}
            if d.get("amount"):
                old = float(d["amount"])
                new = round(old * self.rng.uniform(0.4, 2.5), 2)
                amounts = {fr_amount(old): fr_amount(new)}
            rewriter = Rewriter((day - t.opened).days, tokens, amounts)
            doc = rewriter.value({k: v for k, v in d.items() if k != "_key"})
            if amounts:
                doc["amount"] = f"{new:.2f}"
            if doc["key"] in self.keys and doc["type"] != "to_sort":  # (to_sort: keyed by its row, later)
                continue  # (two meetings the same day: another draw)
            doc["id"] = case_id
            break
        else:
            return
        rows: list[Row | None] = []
        made: dict[str, Row] = {}
        for entry in d["history"]:
            source = entry["source"]
            if not source:
                rows.append(None)
                continue
            if source not in made:
                store_rows = self.t.stores[t.store]["ledger"]
                tdoc = store_rows[source]
                when = min(datetime.fromisoformat(rewriter.text(tdoc["date"])).astimezone(TZ)
                           if tdoc.get("date") else self.moment(day), self.now - timedelta(hours=1))
                first = not made and d["type"] != "to_sort"  # (a to_sort case is keyed by its message)
                # one NOEMIE return a day lists every invoice it rejects; other messages, their own
                noemie = (tdoc.get("reading") or {}).get("kind") == "noemie"
                batch = ("noemie", "") if noemie else (t.store, source)
                if first and batch in shared:
                    made[source] = shared[batch]
                else:
                    made[source] = self.row(t.store, tdoc, rewriter, when, [])
                    if first:
                        shared[batch] = made[source]
            rows.append(made[source])
            if case_id not in (made[source].case_ids or []):
                made[source].case_ids = [*(made[source].case_ids or []), case_id]
        last = max(date.fromisoformat(h["received"]) for h in doc["history"])
        clone = Clone(doc, t, rows, rewriter, [rewriter.text(a) for a in t.aliases], day, last)
        if doc["state"] == "closed":
            clone.closed = date.fromisoformat(doc["closed"])
        self.keys.add(doc["key"])
        self.clones.append(clone)

    def close_cases(self) -> None:
        payments: dict[date, Row] = {}
        for clone in self.clones:
            doc = clone.doc
            doc["updated"] = clone.last.isoformat()
            if clone.closed is not None:
                continue
            lifetime = self.rng.randint(30, 400) if doc["type"] in LONG_LIVED else self.rng.randint(3, 40)
            day = clone.last + timedelta(days=lifetime)
            if day >= self.ref_day:
                continue  # still open (or waiting) today: the cases of the last weeks, a few long ones
            if doc["type"] in PAYMENT_CLOSED and self.rng.random() < 0.7:
                if day not in payments:
                    store, tdoc = self.t.payment
                    when = min(self.at(day, 5, 40), self.now - timedelta(hours=1))
                    payments[day] = self.row(store, tdoc, Rewriter((day - _day_of(tdoc)).days), when, [])
                row = payments[day]
                row.case_ids = [*(row.case_ids or []), doc["id"]]
                parts = (f"lot {doc['lot']}" if doc.get("lot") else "",
                         f"facture {doc['invoice']}" if doc.get("invoice") else "",
                         f"{fr_amount(float(doc['amount']))} €" if doc.get("amount") else "")
                what = ", ".join(x for x in parts if x)
                entry = ("invoice_paid", f"facture payée, {what}".rstrip(", "), "facture payée")
                clone.rows.append(row)
            else:
                entry = ("paid_by_hand", "paiement vu par vous sur votre compte",
                         "payé (vu par vous sur votre compte)")
                clone.rows.append(None)
            doc["history"].append({"date": day.isoformat(), "kind": entry[0], "text": entry[1], "source": "",
                                   "received": day.isoformat()})
            doc.update(state="closed", status=entry[2], closed=day.isoformat(), updated=day.isoformat(),
                       deadlines=[])
            clone.closed = day

    def plan_letters(self) -> None:
        """Letters of the drafts' kinds, each to a case of its template's type, before the case closed."""
        from cpambot.approval.drafts import code_for
        from cpambot.letters.plan import DONE_DATES

        wanted = self.count(LETTERS_PER_YEAR)
        by_type: dict[str, list[Clone]] = {}
        for clone in self.clones:
            by_type.setdefault(clone.doc["type"], []).append(clone)
        usable = [d for d in self.t.drafts if by_type.get(d.case.doc["type"])]
        for _ in range(wanted * 20):
            if len(self.letters) >= wanted or not usable:
                break
            dt = self.rng.choice(usable)
            clone = self.rng.choice(by_type[dt.case.doc["type"]])
            latest = clone.closed - timedelta(days=1) if clone.closed else self.ref_day - timedelta(days=1)
            day = min(clone.opened + timedelta(days=dt.offset), latest)
            if dt.doc["step"] in clone.steps or day < clone.opened:
                continue
            clone.steps.add(dt.doc["step"])
            self.letters.append(Letter(clone, dt, day))
        self.letters.sort(key=lambda letter: letter.day)
        for number, letter in enumerate(self.letters, start=1):
            letter.code = code_for(number)
            letter.message_id = self.hex_id(letter.code.lower())
            doc, day = letter.clone.doc, letter.day.isoformat()
            label = letter.template.doc["label"]
            done = DONE_DATES.get(letter.template.doc["step"])
            if done:
                doc["dates"] = {**doc["dates"], done: day}
            at = next((i for i, h in enumerate(doc["history"]) if h["date"] > day), len(doc["history"]))
            doc["history"].insert(at, {"date": day, "kind": "letter_sent", "source": "", "received": day,
                                       "text": f"{label} envoyée ({letter.code})"})
            letter.clone.rows.insert(at, None)
            if doc["state"] == "open":
                doc.update(state="waiting",
                           status=f"{label} envoyée le {letter.day:%d/%m/%Y}, en attente de réponse")
        self.put("counters", "draft", {"next": len(self.letters) + 1})

    def outbox(self, template: dict[str, Any], message_id: str, moment: datetime,
               **changes: Any) -> dict[str, Any]:
        doc = {k: v for k, v in template.items() if k != "_key"}
        stamp = iso_utc(moment)
        events = [e for e in template["history"] if e["state"] != "bounced"]
        doc.update(message_id=message_id, state="sent", reason=None, created=stamp, updated=stamp,
                   sent_at=stamp, history=[{**e, "at": stamp} for e in events], **changes)
        self.put("outbox", message_id, doc)
        return doc

    def approvals_and_digests(self, first: date) -> None:
        by_day: dict[date, list[Letter]] = {}
        for letter in self.letters:
            by_day.setdefault(letter.day, []).append(letter)
        last_digest = None
        for offset in range(self.days):
            day = first + timedelta(days=offset)
            todays = by_day.get(day, [])
            at = self.at(day, 7, 30)
            digest_id = self.hex_id("digest")
            codes = [letter.code for letter in todays]
            subject = f"cpambot – récapitulatif du {day:%d/%m/%Y}"
            if codes:
                subject += f" – {len(codes)} brouillon{'s' if len(codes) > 1 else ''} à approuver"
            self.outbox(self.rng.choice(self.t.digests), digest_id, at, subject=subject)
            self.put("sent_ids", digest_id, {"kind": "digest", "at": at.isoformat(), "codes": codes})
            last_digest = (digest_id, at)
            if todays:
                self.approve(day, todays, digest_id)
        if last_digest is not None:
            self.put("meta", "last_digest",
                     {"at": last_digest[1].isoformat(), "id": last_digest[0], "urgent": []})
        self.put("meta", "last_maintenance", {"day": (self.ref_day - timedelta(days=1)).isoformat(),
                                              "pruned": 0, "archived": 0})

    def approve(self, day: date, letters: list[Letter], digest_id: str) -> None:
        """The day's letters: drafted and announced the day before, approved by one reply, sent."""
        replied = min(self.at(day, 8, self.rng.randint(0, 50)), self.now - timedelta(hours=1))
        store, tdoc = self.rng.choice(self.t.approvals)
        changes = []
        for letter in letters:
            clone, dt = letter.clone, letter.template
            template = {k: v for k, v in dt.doc.items() if k != "_key"}
            draft = draft_rewriter(dt, clone, letter.day).value(template)
            created = self.at(day - timedelta(days=1), 10, 5)
            notice_id = self.hex_id("notice")
            sent = replied + timedelta(minutes=1)
            key = f"{clone.doc['key']}|{dt.doc['step']}"
            draft.update(key=key, code=letter.code, case_key=clone.doc["key"], case_id=clone.doc["id"],
                         created=iso_utc(created), token_hash=hashlib.sha256(key.encode()).hexdigest(),
                         token_expires=iso_utc(created + timedelta(days=7)), state="sent", announced=True,
                         history=[{"at": iso_utc(created), "event": "pending"},
                                  {"at": iso_utc(replied), "event": "approve"}],
                         message_id=letter.message_id, notice_id=notice_id, digest_ids=[digest_id],
                         used_at=replied.isoformat(), approved_at=iso_utc(replied), sent_at=sent.isoformat())
            self.put("drafts", key, draft)
            self.outbox(self.t.notice, notice_id, created,
                        subject=f"cpambot – brouillon {letter.code} à approuver : {draft['subject']}")
            self.put("sent_ids", notice_id, {"kind": "notice", "at": created.isoformat(),
                                             "codes": [letter.code], "draft_key": key})
            self.outbox(self.t.letter, letter.message_id, sent, purpose=draft["kind"], kind=draft["kind"],
                        case_key=clone.doc["key"], draft_key=key, to=draft["to"], recipients=draft["to"],
                        subject=draft["subject"])
            changes.append(f"{letter.code} : approuvé, envoi à {', '.join(draft['to'])} "
                           f"— « {draft['subject']} »")
        reply = self.row(store, tdoc, Rewriter((day - _day_of(tdoc)).days), replied)
        reply.doc["reading"] = {**reply.doc["reading"], "changes": changes}
        for key in ("id:" + reply.doc["message_id"].strip("<>"),
                    "texte:" + hashlib.sha256(reply.doc["message_id"].encode()).hexdigest()):
            self.linked.append(("replies", key, reply, {"source": "", "at": iso_utc(replied)}))
        confirmation = self.hex_id("confirmation")
        n = len(letters)
        self.outbox(self.t.confirmation, confirmation, replied + timedelta(minutes=1),
                    subject=f"cpambot – bien reçu : {n} commande{'s' if n > 1 else ''} "
                            f"comprise{'s' if n > 1 else ''}")
        self.put("sent_ids", confirmation, {"kind": "confirmation",
                                            "at": (replied + timedelta(minutes=1)).isoformat(), "codes": []})

    def other_rows(self, first: date) -> None:
        """The unrelated messages: 20 000 a year, only the last KEEP_DAYS days of them kept."""
        start = max(datetime.combine(first, clock_time(0), tzinfo=TZ),
                    self.now - timedelta(days=self.keep_days) + timedelta(hours=1))
        end = datetime.combine(self.ref_day, clock_time(0), tzinfo=TZ)
        kept_days = (end - start).total_seconds() / 86400
        for _ in range(round(OTHER_PER_YEAR * kept_days / 365)):
            when = start + (end - start) * self.rng.random()
            store, tdoc = self.rng.choice(self.t.others)
            self.row(store, tdoc, Rewriter((when.date() - _day_of(tdoc)).days), when)

    def rules_and_refusals(self, first: date) -> None:
        rules = self.count(RULES_PER_YEAR)
        for n in range(1, rules + 1):
            day = first + timedelta(days=self.rng.randrange(self.days))
            doc = {k: v for k, v in self.t.rule.items() if k != "_key"}
            local, _, domain = doc["sender"].partition("@")
            doc.update(id=f"R{n}", sender=f"{local}{n}@{domain}", learned_on=day.isoformat())
            self.put("learned_rules", f"R{n}", doc)
        if rules:
            self.put("counters", "rule", {"next": rules + 1})
        for _ in range(self.count(REFUSALS_PER_YEAR)):
            day = first + timedelta(days=self.rng.randrange(self.days))
            store, tdoc = self.t.intruder
            when = self.moment(day)
            row = self.row(store, tdoc, Rewriter((day - _day_of(tdoc)).days), when)
            refusal = {k: v for k, v in self.t.refusal.items() if k != "_key"}
            refusal.update(date=f"{when:%d/%m/%Y %H:%M}", reported=True)
            self.linked.append(("refusals", None, row, refusal))

    def number_rows(self) -> None:
        """UIDs in arrival order; the gaps are the unrelated messages retention removed since."""
        cutoff = self.now - timedelta(days=self.keep_days)
        uid = 0
        for row in sorted(self.rows, key=lambda r: r.when):
            uid += self.rng.randint(1, 20) if row.when < cutoff else 1
            row.key = f"{ACCOUNT}|{HISTORY_UIDVALIDITY}|{uid}|INBOX"
            row.doc.update(account=ACCOUNT, folder="INBOX", uidvalidity=HISTORY_UIDVALIDITY, uid=uid,
                           fingerprint=hashlib.sha256(row.key.encode()).hexdigest())
            if row.case_ids is not None and row.doc.get("reading") is not None:
                row.doc["reading"] = {**row.doc["reading"], "cases": row.case_ids}

    def materialize(self) -> None:
        for clone in self.clones:
            doc = clone.doc
            for entry, row in zip(doc["history"], clone.rows, strict=True):
                entry["source"] = row.key if row is not None else ""
            if doc["type"] == "to_sort":
                doc["key"] = "to_sort|" + next(r.key for r in clone.rows if r is not None)
            doc["fact_ids"] = [hashlib.sha256(f"{doc['key']}|{i}".encode()).hexdigest()[:16]
                               for i in range(len(doc["fact_ids"]))]
            self.put("cases", doc["key"], doc)
            for alias in clone.aliases:
                if alias != doc["key"]:
                    self.put("case_aliases", alias, {"case": doc["key"]})
        self.put("counters", "case", {"next": len(self.clones) + 1})
        for table, key, row, doc in self.linked:  # (the rows' keys are known only now)
            if "source" in doc:
                doc["source"] = row.key
            self.put(table, key or row.key, doc)


def draft_rewriter(dt: DraftTemplate, clone: Clone, day: date) -> Rewriter:
    """The template draft made the letter of ``clone``: its case's identifiers and patient swapped for
    the clone's, its due date ``day``."""
    theirs, ours = dt.case.doc, clone.doc
    tokens = {theirs["id"]: ours["id"]}
    for name in ("invoice", "lot", "reference"):
        if theirs.get(name) and ours.get(name):
            tokens[theirs[name]] = ours[name]
    billing, mine = theirs.get("billing") or {}, ours.get("billing") or {}
    for name in ("nir", "insured_name", "patient_name"):
        old, new = str(billing.get(name) or "").split(), str(mine.get(name) or "").split()
        if old and len(old) == len(new):
            tokens.update(zip(old, new, strict=True))
    amounts = {}
    if theirs.get("amount") and ours.get("amount"):
        amounts[fr_amount(float(theirs["amount"]))] = fr_amount(float(ours["amount"]))
    return Rewriter((day - date.fromisoformat(dt.doc["due"])).days, tokens, amounts)


def _day_of(tdoc: dict[str, Any]) -> date:
    """The day a template row's message arrived."""
    if tdoc.get("date"):
        return datetime.fromisoformat(tdoc["date"]).date()
    if tdoc.get("date_raw"):
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(tdoc["date_raw"]).date()
    return date.fromisoformat(tdoc["first_seen"][:10])


# ======================================================================================
# Child processes: one job each, result as JSON on the last stdout line
# ======================================================================================

def _vmhwm_mb() -> float:
    """Peak RSS of this process in MB (10^6 bytes): VmHWM, which starts afresh at exec."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("VmHWM absent de /proc/self/status")


def _quiet(report: Any, what: str) -> None:
    delivered = report.delivery.sent if report.delivery is not None else []
    if (report.sync.total("new") or report.processing.processed or report.drafted or report.digest_id
            or delivered or not report.ok):
        raise SystemExit(f"{what} : la relève « sans nouveauté » a fait quelque chose : nouveaux "
                         f"{report.sync.total('new')}, traités {report.processing.processed}, brouillons "
                         f"{report.drafted}, récapitulatif {report.digest_id}, envoyés {delivered}, "
                         f"erreurs {report.errors}")


def every(store: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every document of ``table``: with a store that archives what is settled, the archived ones too."""
    try:
        return store.values(table, archived=True)  # type: ignore[no-any-return]
    except TypeError:  # (a store without an archive: everything is in memory)
        return store.values(table)  # type: ignore[no-any-return]


def _logging() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:%(name)s:%(message)s")


def child_build(params: dict[str, Any]) -> dict[str, Any]:
    """Generate the history, write it through the store's API, validate it, settle it with real polls."""
    _logging()
    from cpambot.config.loader import load_config
    from cpambot.service.poll import poll_once
    from cpambot.store.database import Store
    from cpambot.store.raw import RawStore

    config = load_config(Path(params["config"]))
    ref_day = date.fromisoformat(params["ref_day"])
    t0 = time.perf_counter()
    history = History(Templates(), params["days"], ref_day, random.Random(f"{SEED}-{params['days']}")).build()
    t1 = time.perf_counter()
    raw_store = RawStore(config.data_dir)
    for row in history.rows:
        if row.raw is not None:
            digest, relative = raw_store.save(row.raw)
            row.doc.update(raw=relative, sha256=digest)
    raw_store.sync()
    t2 = time.perf_counter()
    store = Store.open(config.data_dir)
    try:
        for row in history.rows:
            store.put("ledger", row.key, row.doc)
        for table, docs in history.tables.items():
            for key, doc in docs.items():
                store.put(table, key, doc)
        store.commit()
        t3 = time.perf_counter()
        problems = validate(store)
        if problems:
            raise SystemExit("base générée incohérente :\n  " + "\n  ".join(problems[:20]))
        t4 = time.perf_counter()
        now = ref_instant(ref_day)
        first = poll_once(config, store, now=now)
        if not first.ok or (first.delivery is not None and not first.delivery.ok):
            raise SystemExit(f"relève de mise en route en erreur : {first.errors} {first.delivery}")
        _quiet(poll_once(config, store, now=now + timedelta(minutes=1)), "seconde relève de mise en route")
        t5 = time.perf_counter()
    finally:
        store.close()
    return {"generate_s": t1 - t0, "raw_s": t2 - t1, "write_s": t3 - t2, "validate_s": t4 - t3,
            "settle_s": t5 - t4, "settle": {"drafted": len(first.drafted), "digest": bool(first.digest_id),
                                            "sent": len(first.delivery.sent) if first.delivery else 0},
            "letters": len(history.letters)}


def validate(store: Any) -> list[str]:
    """Every document parses as the product reads it, and every reference points at something."""
    from cpambot.approval.model import Draft
    from cpambot.cases.model import Case
    from cpambot.mailbox.ledger import LedgerRow
    from cpambot.sending.model import OutboxEntry

    problems: list[str] = []
    ledger = {d["_key"]: LedgerRow.from_doc(d) for d in every(store, "ledger")}
    if len({r.fingerprint for r in ledger.values()}) != len(ledger):
        problems.append("empreintes du registre en double")
    ids = set()
    for doc in every(store, "cases"):
        case = Case.from_doc(doc)
        if case.id in ids:
            problems.append(f"numéro de dossier en double : {case.id}")
        ids.add(case.id)
        problems += [f"{case.id} : source {h.source} absente du registre" for h in case.history
                     if h.source and h.source not in ledger]
    counter = (store.get("counters", "case") or {}).get("next", 1)
    if ids and max(int(i[1:]) for i in ids) >= counter:
        problems.append(f"counters/case ({counter}) n'est pas après le dernier dossier")
    problems += [f"ligne {k} : dossier {c} inconnu" for k, r in ledger.items()
                 for c in (r.reading or {}).get("cases", []) if c not in ids]
    problems += [f"alias {d['_key']} vers un dossier absent" for d in every(store, "case_aliases")
                 if store.get("cases", d["case"]) is None]
    outbox = {d["_key"]: OutboxEntry.from_doc(d) for d in every(store, "outbox")}
    for doc in every(store, "drafts"):
        draft = Draft.from_doc(doc)
        if store.get("cases", draft.case_key) is None:
            problems.append(f"brouillon {draft.code} : dossier {draft.case_key} absent")
        if draft.message_id and draft.message_id not in outbox:
            problems.append(f"brouillon {draft.code} : courriel {draft.message_id} absent de l'outbox")
    problems += [f"réponse {d['_key']} : ligne {d['source']} absente" for d in every(store, "replies")
                 if d["source"] not in ledger]
    return problems


def child_polls(params: dict[str, Any]) -> dict[str, Any]:
    """(1) polls with nothing new, then (2) polls with one new caisse message, on one open store."""
    _logging()
    from cpambot.config.loader import load_config
    from cpambot.service.poll import poll_once
    from cpambot.store.database import Store

    config = load_config(Path(params["config"]))
    now = datetime.fromisoformat(params["now"])
    minutes = itertools.count(params["minute"])
    runs = params["runs"]
    t0 = time.perf_counter()
    store = Store.open(config.data_dir)
    out: dict[str, Any] = {"open_s": time.perf_counter() - t0}
    try:
        _quiet(poll_once(config, store, now=now + timedelta(minutes=next(minutes))), "échauffement")
        quiet = []
        for _ in range(runs):
            moment = now + timedelta(minutes=next(minutes))
            t0 = time.perf_counter()
            report = poll_once(config, store, now=moment)
            quiet.append(time.perf_counter() - t0)
            _quiet(report, "relève sans nouveauté")
        out["quiet_s"] = quiet
        if params.get("profile"):
            moment = now + timedelta(minutes=next(minutes))
            out["profile"] = _profiled(lambda: poll_once(config, store, now=moment))
        template = NEW_MESSAGE.read_bytes()
        maildir = Path(params["maildir"])
        fresh, details = [], []
        for i in range(runs + 1):  # the first one warms up (lazy imports of the reader, the letters)
            moment = now + timedelta(minutes=next(minutes))
            before = store.count("cases")
            drop(maildir, f"{DROP_PREFIX}{i:03d}", new_caisse_message(template, i, moment))
            t0 = time.perf_counter()
            report = poll_once(config, store, now=moment)
            elapsed = time.perf_counter() - t0
            opened = store.count("cases") - before
            if (report.sync.total("new") != 1 or report.processing.processed != 1 or opened != 1
                    or not report.ok):
                raise SystemExit(f"message de caisse n° {i} : nouveaux {report.sync.total('new')}, traités "
                                 f"{report.processing.processed}, dossiers ouverts {opened}, erreurs "
                                 f"{report.errors}")
            if i:
                fresh.append(elapsed)
                details.append({"drafted": len(report.drafted), "digest": bool(report.digest_id),
                                "sent": len(report.delivery.sent) if report.delivery else 0})
        out.update(new_s=fresh, new_details=details)
    finally:
        store.close()
    return out


def _profiled(call: Any) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(28)
    stats.sort_stats("tottime").print_stats(14)
    return text.getvalue()


def child_rss(params: dict[str, Any]) -> dict[str, Any]:
    """The daemon's memory: a fresh process opens the store and polls once, nothing new."""
    _logging()
    from cpambot.config.loader import load_config
    from cpambot.service.poll import poll_once
    from cpambot.store.database import Store

    config = load_config(Path(params["config"]))
    rss_imports = _vmhwm_mb()
    t0 = time.perf_counter()
    store = Store.open(config.data_dir)
    t1 = time.perf_counter()
    try:
        report = poll_once(config, store, now=datetime.fromisoformat(params["now"]))
        t2 = time.perf_counter()
        _quiet(report, "relève du démon")
    finally:
        store.close()
    return {"rss_mb": _vmhwm_mb(), "rss_imports_mb": rss_imports, "open_s": t1 - t0, "poll_s": t2 - t1}


DROP_PREFIX = "growth-bench-"


def drop(maildir: Path, name: str, data: bytes) -> None:
    """Deliver a message as an MDA does: written in tmp/, then renamed into new/."""
    tmp = maildir / "tmp" / name
    tmp.write_bytes(data)
    tmp.rename(maildir / "new" / name)


def purge_drops(maildir: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        for path in (maildir / sub).glob(DROP_PREFIX + "*"):
            path.unlink()


def new_caisse_message(template: bytes, i: int, moment: datetime) -> bytes:
    """The real NOEMIE return (a 2900 « déjà payée » reject), with its own invoice, Message-ID and date."""
    head, sep, body = template.partition(b"\n\n")
    data = base64.b64decode(body)
    if data.count(b"000015210") != 1:
        raise RuntimeError(f"{NEW_MESSAGE.name} a changé : la facture 000015210 n'y est plus une fois")
    data = data.replace(b"000015210", f"{NEW_INVOICE_BASE + i:09d}".encode())
    stamp = format_datetime(moment).encode()
    head = re.sub(rb"(?m)^Date: .*$", b"Date: " + stamp, head)
    head = re.sub(rb"(?m)^Message-ID: .*$", f"Message-ID: <growth-{i}.{os.getpid()}@511.01.rss.fr>".encode(),
                  head)
    head = re.sub(rb"(for\s+<[^>]+>;) [^\n]+", rb"\1 " + stamp, head)
    return head + sep + base64.encodebytes(data)


def run_child(kind: str, params: dict[str, Any], workdir: Path) -> dict[str, Any]:
    result, stderr = benchlib.run_child(Path(__file__), kind, params, workdir)
    noise = [line for line in stderr.splitlines() if line.strip()]
    if noise:
        say(f"  [stderr {kind}] " + "\n  ".join(noise[-8:]))
    return result


def wall(command: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} : code {proc.returncode}\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def cpambot_command() -> list[str]:
    script = Path(sys.executable).with_name("cpambot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cpambot"]


# ======================================================================================
# The parent: build, copy, measure, tell
# ======================================================================================

def ensure_built(size: Size, cache: Path, smtp_port: int, rebuild: bool) -> dict[str, Any]:
    """The cached data folder of ``size``, built when absent, stale (another generator, another store
    schema: a cache left by an earlier store would be migrated while measured) or ``rebuild``."""
    from cpambot.store import database

    folder = cache / size.name
    manifest_path = folder / "manifest.json"
    schema = getattr(database, "SCHEMA_VERSION", None)
    if not rebuild and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if (manifest.get("version"), manifest.get("folder"), manifest.get("schema")) == (
                GENERATOR_VERSION, str(folder), schema):
            manifest["cached"] = True
            return manifest
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "maildir").mkdir(parents=True)
    for sub in ("cur", "new", "tmp"):
        (folder / "maildir" / sub).mkdir()
    shutil.copyfile(RESIDENT, folder / "maildir" / "cur" / RESIDENT.name)  # the folder is never empty
    ref_day = datetime.now(TZ).date()
    config = write_config(folder / "config.toml", folder / "data", folder / "maildir", smtp_port)
    say(f"  construction de {size.label} ({size.name}) …")
    t0 = time.perf_counter()
    result = run_child("build", {"config": str(config), "days": size.days, "ref_day": ref_day.isoformat()},
                       folder)
    build_s = time.perf_counter() - t0
    manifest = {"version": GENERATOR_VERSION, "folder": str(folder), "schema": schema, "days": size.days,
                "ref_day": ref_day.isoformat(), "build_s": build_s, "build": result,
                "stats": run_child("stats", {"data": str(folder / "data")}, folder),
                "disk": disk_bytes(folder / "data")}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    manifest["cached"] = False
    return manifest


def child_stats(params: dict[str, Any]) -> dict[str, Any]:
    """What the built store holds, read through the API: documents and JSON bytes per table."""
    from collections import Counter

    from cpambot.store.database import Store

    tables = ("ledger", "cases", "case_aliases", "drafts", "outbox", "sent_ids", "replies", "refusals",
              "learned_rules", "counters", "meta", "checkpoints", "health")
    out: dict[str, Any] = {"count": {}, "hot": {}, "bytes": {}}
    store = Store.open(Path(params["data"]), readonly=True)
    try:
        for table in tables:
            docs = list(every(store, table))
            out["count"][table] = len(docs)
            out["hot"][table] = store.count(table)  # (what a store with an archive keeps in memory)
            out["bytes"][table] = sum(len(json.dumps(d, ensure_ascii=False).encode()) for d in docs)
        ledger = Counter((d["category"], d["state"]) for d in every(store, "ledger"))
        out["ledger"] = {f"{c}/{s}": n for (c, s), n in sorted(ledger.items())}
        out["cases"] = dict(Counter(d["state"] for d in every(store, "cases")))
        out["outbox"] = dict(Counter(d["purpose"] for d in every(store, "outbox")))
        out["drafts"] = dict(Counter(d["state"] for d in every(store, "drafts")))
    finally:
        store.close()
    return out


def working_copy(cache: Path, size: Size, work: Path, smtp_port: int) -> Path:
    """A copy of the cached data folder to measure on (raw copies hard-linked: never rewritten);
    the Maildir stays where the store knows it (its UID list is named after its path)."""
    source = cache / size.name / "data"
    target = work / size.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)

    def copy(src: str, dst: str) -> None:
        if Path(src).relative_to(source).parts[0] == "raw":
            os.link(src, dst)
        else:
            shutil.copy2(src, dst)

    shutil.copytree(source, target / "data", copy_function=copy)
    purge_drops(cache / size.name / "maildir")
    return write_config(target / "config.toml", target / "data", cache / size.name / "maildir", smtp_port)


def measure(size: Size, manifest: dict[str, Any], cache: Path, work: Path, smtp_port: int, runs: int,
            profile: bool) -> dict[str, Any]:
    config = working_copy(cache, size, work, smtp_port)
    data = config.parent / "data"
    maildir = cache / size.name / "maildir"
    now = ref_instant(date.fromisoformat(manifest["ref_day"]))
    minute = itertools.count(2)
    res: dict[str, Any] = {}
    try:
        cli = cpambot_command()
        version, cases, lines = [], [], 0
        for _ in range(runs + 1):  # (the first pair warms the page cache; not counted)
            version.append(wall([*cli, "--version"])[0])
            elapsed, out = wall([*cli, "--config", str(config), "cases"])
            cases.append(elapsed)
            lines = len(out.splitlines())
        res.update(version_s=version[1:], cases_s=cases[1:], cases_lines=lines)
        floor, restart = [], []
        opener = "import sys, pathlib; from cpambot.store.database import Store; "
        for _ in range(runs + 1):
            floor.append(wall([sys.executable, "-c", "import cpambot.store.database"])[0])
            restart.append(wall([sys.executable, "-c",
                                 opener + "Store.open(pathlib.Path(sys.argv[1])).close()", str(data)])[0])
        res.update(import_s=floor[1:], restart_s=restart[1:])
        rss = [run_child("rss", {"config": str(config),
                                 "now": (now + timedelta(minutes=next(minute))).isoformat()}, work)
               for _ in range(runs)]
        res["rss"] = rss
        res["polls"] = run_child("polls", {"config": str(config), "now": now.isoformat(),
                                           "minute": next(minute) + 5, "runs": runs, "maildir": str(maildir),
                                           "profile": profile}, work)
    finally:
        purge_drops(maildir)
        shutil.rmtree(config.parent, ignore_errors=True)
    med = statistics.median
    res["ms"] = {
        "quiet": med(res["polls"]["quiet_s"]) * 1e3,
        "new": med(res["polls"]["new_s"]) * 1e3,
        "cases": (med(res["cases_s"]) - med(res["version_s"])) * 1e3,
        "restart": (med(res["restart_s"]) - med(res["import_s"])) * 1e3,
    }
    res["rss_mb"] = med(r["rss_mb"] for r in rss)
    res["disk_mb"] = manifest["disk"]["total"] / 1e6
    return res


OPERATIONS = (
    # key, French label, unit, target (None: information), flat target
    ("quiet", "(1) relève sans nouveauté", "ms", TARGET_MS, True),
    ("new", "(2) relève avec 1 message de caisse", "ms", TARGET_MS, True),
    ("cases", "(3) cpambot cases (− cpambot --version)", "ms", TARGET_MS, True),
    ("restart", "(4) redémarrage : Store.open + close (− import)", "ms", TARGET_RESTART_MS, True),
    ("rss_mb", "(4) pic de RSS du démon (open + 1 relève)", "Mo", TARGET_RSS_MB, False),
    ("disk_mb", "(5) base sur disque, hors raw/", "Mo", None, False),
)


def figure(res: dict[str, Any], key: str) -> float:
    return float(res["ms"][key] if key in res["ms"] else res[key])


def fmt(value: float, unit: str) -> str:
    if unit == "Mo":
        return f"{value:.1f}"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def report(sizes: list[Size], manifests: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]],
           runs: int) -> dict[str, Any]:
    floor = results[FLOOR.name]
    years = [s for s in sizes if s is not FLOOR]
    width = 16
    say()
    say(f"== Résultats (médianes de {runs} passes ; entre parenthèses, le rapport à la base d'un jour) ==")
    say(f"{'opération':52s}" + "".join(f"{s.label:>{width}s}" for s in sizes))
    for key, label, unit, _target, _flat in OPERATIONS:
        cells = []
        for s in sizes:
            value = figure(results[s.name], key)
            base = figure(floor, key)
            shown = base >= 1 if unit == "ms" else base > 0  # (a floor of a few tenths of a ms is noise)
            factor = value / base if shown else 0.0
            ratio = f" (×{factor:.0f})" if factor >= 100 else f" (×{factor:.1f})" if factor else ""
            ratio = "" if s is FLOOR else ratio
            cells.append(f"{fmt(value, unit) + ratio:>{width}s}")
        say(f"{label + ' ' + unit:52s}" + "".join(cells))
    say(f"{'    cpambot cases brut / --version seul (ms)':52s}" + "".join(
        f"{statistics.median(results[s.name]['cases_s']) * 1e3:>{width - 6}.0f} / "
        f"{statistics.median(results[s.name]['version_s']) * 1e3:3.0f}" for s in sizes))
    say(f"{'    redémarrage brut / import seul (ms)':52s}" + "".join(
        f"{statistics.median(results[s.name]['restart_s']) * 1e3:>{width - 6}.0f} / "
        f"{statistics.median(results[s.name]['import_s']) * 1e3:3.0f}" for s in sizes))
    say(f"{'    processus du démon : Store.open / 1re relève (ms)':52s}" + "".join(
        f"{statistics.median(r['open_s'] for r in results[s.name]['rss']) * 1e3:>{width - 7}.0f} / "
        f"{statistics.median(r['poll_s'] for r in results[s.name]['rss']) * 1e3:4.0f}" for s in sizes))

    say()
    say("== Cibles ==")
    verdicts: dict[str, Any] = {}
    for key, label, unit, target, _flat in OPERATIONS:
        if target is None:
            continue
        worst = max(sizes, key=lambda s: figure(results[s.name], key))
        value = figure(results[worst.name], key)
        ok = value < target
        verdicts[f"{key}<{target:g}{unit}"] = ok
        say(f"{label:52s} < {target:g} {unit} à chaque taille : {'PASS' if ok else 'FAIL'} "
            f"(pire : {fmt(value, unit)} {unit} à {worst.label})")
    if len(years) >= 2:
        low, high = years[0], years[-1]
        say(f"plat quand l'historique grandit : rapport {high.label} / {low.label} ≤ {FLAT_RATIO} "
            f"(seuil de ce banc)")
        for key, label, _unit, _target, flat in OPERATIONS:
            ratio = figure(results[high.name], key) / max(figure(results[low.name], key), 1e-9)
            mark = ("PASS" if ratio <= FLAT_RATIO else "FAIL") if flat else "(information)"
            if flat:
                verdicts[f"{key}:plat"] = ratio <= FLAT_RATIO
            say(f"  {label:50s} ×{ratio:.2f}  {mark}")
    return verdicts


def describe_data(sizes: list[Size], manifests: dict[str, dict[str, Any]]) -> None:
    from cpambot.mailbox.retention import KEEP_DAYS

    say()
    say("== Les données ==")
    say(f"Par an : ~{CAISSE_PER_YEAR} messages de caisse gardés avec leur copie brute (~{CASES_PER_YEAR} "
        f"dossiers, presque tous clos), {OTHER_PER_YEAR} autres messages, ~{LETTERS_PER_YEAR} courriers "
        f"envoyés, un récapitulatif par jour.")
    say(f"Rétention (cpambot/mailbox/retention.py) : les lignes « ignored » des messages sans rapport sont "
        f"retirées après {KEEP_DAYS} jours ; seuls les {KEEP_DAYS} derniers jours en restent, "
        "à toute taille.")
    say("La boîte Maildir ne contient qu'un message et son point de reprise est au bout : ce qui est mesuré "
        "est le coût de cpambot, pas celui d'un serveur.")
    width = 12
    say(f"{'':40s}" + "".join(f"{s.label:>{width}s}" for s in sizes))

    def line(label: str, get: Any) -> None:
        say(f"{label:40s}" + "".join(f"{get(manifests[s.name]):>{width}}" for s in sizes))

    def ledger(m: dict[str, Any], *, other: bool) -> int:
        return sum(n for k, n in m["stats"]["ledger"].items() if k.startswith("other/") == other)

    line("registre : messages gardés (hors other)", lambda m: ledger(m, other=False))
    line("registre : other/ignored (90 jours)", lambda m: ledger(m, other=True))
    line("dossiers", lambda m: m["stats"]["count"]["cases"])
    line("  dont ouverts ou en attente",
         lambda m: sum(n for k, n in m["stats"]["cases"].items() if k != "closed"))
    line("brouillons", lambda m: m["stats"]["count"]["drafts"])
    line("outbox (courriels gardés)", lambda m: m["stats"]["count"]["outbox"])
    line("  dont récapitulatifs", lambda m: m["stats"]["outbox"].get("digest", 0))
    line("sent_ids / replies",
         lambda m: f"{m['stats']['count']['sent_ids']}/{m['stats']['count']['replies']}")
    for table in ("ledger", "cases", "outbox", "drafts"):
        line(f"JSON de la table {table} (Mo)", lambda m, t=table: f"{m['stats']['bytes'][t] / 1e6:.1f}")
    if any(m["stats"]["hot"] != m["stats"]["count"] for m in manifests.values()):  # (a store that archives)
        for table in ("ledger", "cases", "outbox", "drafts", "sent_ids"):
            line(f"{table} : documents en mémoire", lambda m, t=table: m["stats"]["hot"][t])
    line("construction (s)", lambda m: f"{m['build_s']:.1f}" + ("*" if m.get("cached") else ""))
    if any(m.get("cached") for m in manifests.values()):
        say("  (* : lue depuis le cache ; temps de sa construction)")
    for s in sizes:
        b = manifests[s.name]["build"]
        say(f"  {s.label} : génération {b['generate_s']:.1f} s, copies brutes {b['raw_s']:.1f} s, "
            f"écriture par l'API (put + commit) {b['write_s']:.1f} s, vérification {b['validate_s']:.1f} s, "
            f"mise en route (2 relèves : {b['settle']['drafted']} brouillons, "
            f"{b['settle']['sent']} courriels) {b['settle_s']:.1f} s")


def which_store() -> str:
    """The store module this run measures, its schema, and the state of its source."""
    from cpambot.store import database

    where = f"{Path(database.__file__)} (schéma {getattr(database, 'SCHEMA_VERSION', '?')})"
    git = ["git", "-C", str(Path(database.__file__).parent)]
    head = subprocess.run([*git, "log", "-1", "--format=%h %cs"], capture_output=True, text=True)
    if head.returncode != 0:
        return where + ", hors dépôt git"
    changed = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True)
    return where + f", commit {head.stdout.strip()}" + (
        " + modifications non commitées de store/" if changed.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    global _JSON_MODE
    parser = argparse.ArgumentParser(description="banc de croissance de cpambot (pas un test)")
    parser.add_argument("--years", default="1,3,10", help="tailles d'historique, en années (défaut 1,3,10)")
    parser.add_argument("--runs", type=int, default=5, help="passes par mesure (médiane ; défaut 5)")
    parser.add_argument("--json", action="store_true", help="résultats en JSON sur stdout")
    parser.add_argument("--rebuild", action="store_true", help="reconstruit les bases du cache")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/cpambot-growth"), help="dossier du cache")
    parser.add_argument("--profile", action="store_true",
                        help="profil cProfile d'une relève sans nouveauté, sur la plus grande taille")
    parser.add_argument("--_child", choices=("build", "stats", "polls", "rss"), help=argparse.SUPPRESS)
    parser.add_argument("--_params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        params = json.loads(Path(args._params).read_text())
        children = {"build": child_build, "stats": child_stats, "polls": child_polls, "rss": child_rss}
        child = children[args._child]
        print(json.dumps(child(params)))
        return 0
    _JSON_MODE = args.json
    years = sorted({int(y) for y in args.years.split(",") if y.strip()})
    sizes = [FLOOR] + [Size.years(y) for y in years]
    cache = args.cache.resolve()
    work = cache / "work"
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(TESTS))
    from servers import SmtpCapture  # tests/servers.py: aiosmtpd on 127.0.0.1

    say(f"== cpambot — banc de croissance ({', '.join(s.label for s in sizes)} ; {args.runs} passes ; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cœurs ; cache {cache}) ==")
    store_source = which_store()
    say(f"Magasin mesuré : {store_source}")
    manifests: dict[str, dict[str, Any]] = {}
    results: dict[str, dict[str, Any]] = {}
    with SmtpCapture() as smtp:
        for size in sizes:
            manifests[size.name] = ensure_built(size, cache, smtp.port, args.rebuild)
        for size in sizes:
            say(f"  mesures sur {size.label} …")
            results[size.name] = measure(size, manifests[size.name], cache, work, smtp.port, args.runs,
                                         args.profile and size is sizes[-1])
    describe_data(sizes, manifests)
    verdicts = report(sizes, manifests, results, args.runs)
    profiled = results[sizes[-1].name]["polls"].get("profile")
    if profiled:
        say()
        say(f"== Profil cProfile d'une relève sans nouveauté, {sizes[-1].label} ==")
        say(profiled)
    if args.json:
        per_size = {s.name: {"label": s.label, "days": s.days, "manifest": manifests[s.name],
                             "results": results[s.name]} for s in sizes}
        json.dump({"store": store_source, "sizes": per_size, "targets": verdicts}, sys.stdout,
                  ensure_ascii=False, indent=1, default=str)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
