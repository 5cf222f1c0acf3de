#!/usr/bin/env python3
"""Banc d'essai d'ingestion de cpambot contre un vrai Dovecot (ce n'est PAS un test).

    .venv/bin/python bench/ingest.py [--messages 10000] [--runs 3] [--keep-corpus DIR]

Ce que fait le script, dans un seul lancement :

1. démarre un Dovecot jetable (tests/servers.py, ``mail_fsync = never``) et crée un utilisateur ;
2. génère N messages français réalistes, de façon déterministe (graine fixe), et les met
   en cache sur disque (``<DIR>/cpambot-bench-corpus-<n>-s<seed>-v<version>.pickle``,
   DIR = /tmp par défaut, ou celui de ``--keep-corpus``) ; les charge par MULTIAPPEND
   (lots de 500) ;
3. mesure, en alternant (a) et (d) ``--runs`` fois, chaque mesure dans un sous-processus
   à elle (le pic de RSS est donc celui de cpambot seul, pas celui du générateur) :

   (a) première relève complète, étape d'ingestion seule : ``cpambot.service.poll.ingest`` (IMAP →
       lignes du registre + copies brutes ; les messages pertinents restent « seen »),
       chronométrée seule, après ``parse_config`` (TOML, mot de passe dans un fichier) et
       ``Store.open`` sur un dossier de données neuf. C'est (a) qu'on compare au plancher
       (d) : les deux lisent les mêmes en-têtes et les mêmes corps pertinents ;
   (a2) dans le même sous-processus, juste après : ``cpambot.service.poll.process`` (lecture des copies
       brutes, classement, dossiers ; aucun accès IMAP), chronométrée à part, rapportée en
       ms par message pertinent, avec le rapport (a+a2)/(d) pour information (sans cible) ;
       puis ``Store.close`` ;
   (b) dans le même sous-processus, ensuite : relève sans rien de nouveau (``poll_once`` =
       ingest + process), base rouverte (open + poll_once + close), puis ``poll_once``
       seul, base déjà ouverte (5 fois, médiane) ;
   (c) pic de RSS (VmHWM de /proc/self/status, pas ru_maxrss qui survit à execve) du
       sous-processus, relevé juste après (a)+(a2) ;
   (d) le plancher brut : une boucle imapclient nue sur le même dossier (login, EXAMINE,
       UID SEARCH, FETCH RFC822.SIZE + BODY.PEEK[HEADER.FIELDS (…HEADER_FIELDS…)] par lots
       de 500, puis FETCH BODY.PEEK[] des seuls messages dont cpambot a lu le corps —
       ensemble pris dans le registre (ledger) de la première relève (a), lignes portant
       une copie brute, et vérifié contre ``cpambot.mailbox.senders.assess`` appliqué aux en-têtes du
       corpus), sans aucun traitement ;
   (d2) pour information, le plancher du seul transport : la même boucle avec imaplib (bibliothèque
       standard) sans imapclient, ni analyse des réponses (longueur des littéraux seulement), ni trace
       du protocole. cpambot lit ses deux FETCH en masse ainsi (cpambot.mailbox.fetch) et coupe la trace
       qu'imapclient allume : son IMAP coûte donc moins que (d), et (a)/(d2) montre ce que coûte son
       propre travail au-dessus du transport ;

4. arrête Dovecot proprement à la fin, y compris sur Ctrl-C, SIGTERM ou exception.

Options de diagnostic (hors mesures) : ``--profile FICHIER`` lance une relève (a)+(a2)
supplémentaire profilée : pyinstrument (échantillonnage) si FICHIER finit par .txt ou
.html, sinon cProfile (``python -m pstats FICHIER``) ; ``--breakdown`` lance une relève
(a)+(a2) supplémentaire où les fonctions du bot sont enveloppées et chronométrées (temps
exclusifs), répartition donnée à part pour l'ingestion et pour le traitement.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import benchlib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TESTS = ROOT / "tests"

SEED = 20251103
GENERATOR_VERSION = 3
BATCH = 500
USERNAME = "marie.exemple@example.org"
PASSWORD = "bench-secret-123"

TARGET_RATIO = 1.5
TARGET_NOTHING_NEW_MS = 100.0
TARGET_RSS_MB = 120.0


# ======================================================================================
# Corpus: deterministic French mail
# ======================================================================================

PRENOMS = ("Jeanne", "Marcel", "Louise", "Henri", "Monique", "Gérard", "Françoise", "Bernard",
           "Chantal", "Michel", "Odette", "Raymond", "Sylvie", "Jacques", "Hélène", "André",
           "Nathalie", "Thierry", "Céline", "Rémi", "Aurélie", "Noël", "Élodie", "Joël",
           "Brigitte", "Yves", "Agnès", "Lucien", "Josiane", "Pierre", "Maëlys", "Théo")
NOMS = ("Dupont", "Martin", "Bernard", "Lefèvre", "Moreau", "Petit", "Garnier", "Roux",
        "Fontaine", "Chevalier", "Girard", "Lambert", "Bonnet", "François", "Mercier", "Dubois",
        "Rousseau", "Blanc", "Guérin", "Faure", "André", "Gauthier", "Perrin", "Morel", "Hoarau",
        "Payet", "Grondin", "Técher", "Rivière", "Lebon", "Fontaine", "Boyer")
FAI = ("gmail.com", "orange.fr", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr", "wanadoo.fr",
       "yahoo.fr", "outlook.fr", "icloud.com")
MOTS = ("bonjour", "merci", "pansement", "passage", "demain", "matin", "soir", "ordonnance",
        "injection", "prise", "de", "sang", "la", "le", "les", "pour", "avec", "mon", "ma",
        "mère", "père", "traitement", "médecin", "pharmacie", "rendez-vous", "semaine",
        "prochaine", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "heure", "vers",
        "domicile", "insuline", "glycémie", "tension", "plaie", "cicatrisation", "soins",
        "infirmière", "cabinet", "résultats", "laboratoire", "analyse", "carnet", "vaccin",
        "grippe", "rappel", "est-ce", "que", "vous", "pourriez", "passer", "plus", "tôt",
        "tard", "car", "nous", "serons", "absents", "était", "très", "bien", "douleur",
        "genou", "jambe", "bas", "contention", "kiné", "retour", "hôpital", "sortie", "clinique",
        "aide", "à", "toilette", "comprimés", "pilulier", "dimanche", "férié", "samedi")
JOURS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MOIS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
        "nov.", "déc.")
PARIS = timezone(timedelta(hours=1))



def _phrase(rng: random.Random, lo: int = 6, hi: int = 18) -> str:
    words = [rng.choice(MOTS) for _ in range(rng.randint(lo, hi))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice((".", ".", ".", " ?", " !"))


def _paragraph(rng: random.Random, lo: int = 2, hi: int = 6) -> str:
    return " ".join(_phrase(rng) for _ in range(rng.randint(lo, hi)))


def _person(rng: random.Random) -> tuple[str, str]:
    prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
    local = f"{prenom}.{nom}".lower()
    for a, b in (("é", "e"), ("è", "e"), ("ë", "e"), ("ç", "c"), ("ï", "i")):
        local = local.replace(a, b)
    if rng.random() < 0.5:
        local += str(rng.randint(1, 99))
    return f"{prenom} {nom}", f"{local}@{rng.choice(FAI)}"


def _french_date(d: datetime) -> str:
    return f"{JOURS[d.weekday()]} {d.day} {MOIS[d.month - 1]} {d.year} à {d:%H:%M}"


def _html_of(text: str, title: str = "") -> str:
    paras = "".join(f'<p style="margin:0 0 12px 0;font-family:Arial,sans-serif;font-size:14px">'
                    f"{p.replace(chr(10), '<br>')}</p>\n" for p in text.split("\n\n"))
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body>\n<div dir=\"ltr\">\n{paras}</div>\n</body></html>\n")


def _received(rng: random.Random, when: datetime, domain: str) -> list[str]:
    hops = []
    for i in range(rng.randint(2, 4)):
        ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        qid = "".join(rng.choice("0123456789ABCDEF") for _ in range(12))
        hops.append(f"from mx{i}.{domain} (mx{i}.{domain} [{ip}]) by mail.example.org "
                    f"(Postfix) with ESMTPS id {qid} for <{USERNAME}>; "
                    f"{format_datetime(when - timedelta(seconds=i * 3))}")
    return hops


def _dkim(rng: random.Random, domain: str) -> str:
    b = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                for _ in range(344))
    folded = " ".join(b[k:k + 64] for k in range(0, len(b), 64))  # folding whitespace, as signers do
    return (f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s1; "
            f"h=from:to:subject:date:message-id; bh={b[:44]}; b={folded}")


def _base(rng: random.Random, i: int, *, sender: str, subject: str, when: datetime,
          domain: str, extra: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    for hop in _received(rng, when, domain):
        msg["Received"] = hop
    msg["DKIM-Signature"] = _dkim(rng, domain)
    msg["Authentication-Results"] = (f"mail.example.org; dkim=pass header.d={domain}; "
                                     f"spf=pass smtp.mailfrom={domain}; dmarc=pass")
    msg["From"] = sender
    msg["To"] = f"Marie Exemple <{USERNAME}>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<bench-{i:06d}.{rng.randrange(16 ** 8):08x}@{domain}>"
    msg["MIME-Version"] = "1.0"
    for name, value in (extra or {}).items():
        msg[name] = value
    return msg


def _pdf_bytes(rng: random.Random, size: int) -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size) + b"\n%%EOF\n"


REJETS = ("assuré inconnu", "droits fermés", "acte non remboursable", "doublon")
CAISSE_SENDERS = (
    ("Flux RSS CPAM 511", "01511@511.01.rss.fr", "flux"),
    ("Flux RSS CGSS 974", "01974@974.01.rss.fr", "flux"),
    ("CPAM de la Marne - Relations PS", "relations-ps.cpam-marne@assurance-maladie.fr", "relations"),
    ("CPAM des Hauts-de-Seine", "ne-pas-repondre@cpam-hauts-de-seine.assurance-maladie.fr", "relations"),
    ("ameli", "noreply@ameli.fr", "ameli"),
    ("Viamedis", "noreply@viamedis.fr", "amc"),
    ("Viamedis Tiers Payant", "tiers-payant@viamedis.fr", "amc"),
    ("Almerys", "ne-pas-repondre@almerys.com", "amc"),
)
NEWSLETTERS = (
    ("Actusoins", "newsletter@actusoins.com"), ("Infirmiers.com", "lettre@infirmiers.com"),
    ("Doctolib", "no-reply@doctolib.fr"), ("Ordre national des infirmiers", "news@ordre-infirmiers.fr"),
    ("Fnac", "newsletter@fnac.com"), ("EDF", "service-client@edf.fr"),
    ("SNCF Connect", "info@sncf-connect.com"), ("La Redoute", "offres@laredoute.fr"),
    ("Le Monde", "newsletter@lemonde.fr"), ("URSSAF", "info@urssaf.fr"),
    ("Leboncoin", "no-reply@leboncoin.fr"), ("Decathlon", "news@decathlon.fr"),
)


def _caisse_message(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    name, addr, kind = rng.choice(CAISSE_SENDERS)
    domain = addr.rpartition("@")[2]
    lot = rng.randint(100, 99999)
    if kind == "flux":
        subject = rng.choice((f"ARL lot {lot:05d}", f"IR/NOEMIE retour lot {lot:05d}",
                              f"Rejet de factures - lot {lot:05d}"))
        body = (f"Lot {lot:05d} du {when:%d/%m/%Y}\nNombre de factures : {rng.randint(1, 40)}\n"
                f"Montant : {rng.randint(10, 4000)},{rng.randint(0, 99):02d} EUR\n"
                + "\n".join(f"Facture {rng.randint(100000, 999999)} : rejet {rng.randint(100, 999)} "
                            f"- {rng.choice(REJETS)}"
                            for _ in range(rng.randint(1, 15))) + "\n")
    elif kind == "relations":
        subject = rng.choice(("Votre demande de régularisation", "Rejets de factures du mois",
                              "Indu – notification de payer", "Réponse à votre réclamation",
                              f"Dossier n° {lot} – pièces manquantes"))
        body = ("Madame,\n\n" + "\n\n".join(_paragraph(rng, 3, 6) for _ in range(rng.randint(2, 5)))
                + "\n\nNous vous prions d'agréer, Madame, nos salutations distinguées.\n\n"
                "Le service Relations avec les professionnels de santé\n")
    elif kind == "ameli":
        subject = rng.choice(("Nouveau message dans votre espace amelipro",
                              "Votre relevé mensuel est disponible", "Information importante"))
        body = "Bonjour,\n\n" + _paragraph(rng, 2, 4) + "\n\nL'Assurance Maladie\n"
    else:
        subject = rng.choice((f"Rejet tiers payant - facture {lot}", f"Bordereau de paiement n° {lot}",
                              "Avis de paiement complémentaire"))
        body = "Bonjour,\n\n" + _paragraph(rng, 2, 5) + f"\n\nRéférence : {lot}\n"
    msg = _base(rng, i, sender=f"{name} <{addr}>", subject=subject, when=when, domain=domain)
    msg.set_content(body)
    if kind == "ameli" or rng.random() < 0.2:
        msg.add_alternative(_html_of(body, subject), subtype="html")
    if rng.random() < 0.45:
        msg.add_attachment(_pdf_bytes(rng, rng.randint(42_000, 58_000)), maintype="application",
                           subtype="pdf", filename=f"releve_{lot}.pdf")
        stats["attachments"] += 1
    stats["caisse"] += 1
    return msg


def _suspect_message(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    addr = rng.choice(("ameli-remboursement@secure-ameli-fr.com", "contact@assurance-maladie-info.net",
                       "service@cpam-remboursement.org"))
    subject = "Vous avez un remboursement en attente de 187,40 €"
    body = "Cher(e) assuré(e),\n\n" + _paragraph(rng, 3, 5) + "\n\nCliquez ici : http://example.invalid/\n"
    msg = _base(rng, i, sender=f"Assurance Maladie <{addr}>", subject=subject, when=when,
                domain=addr.rpartition("@")[2])
    msg.set_content(body)
    msg.add_alternative(_html_of(body, subject), subtype="html")
    stats["suspect"] += 1
    return msg


def _approver_message(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    subject = rng.choice(("Fwd: courrier de la caisse", "à traiter", "Fwd: rejet"))
    body = _paragraph(rng, 1, 3) + "\n"
    msg = _base(rng, i, sender=f"Marie Exemple <{USERNAME}>", subject=subject, when=when,
                domain="example.org")
    msg.set_content(body)
    stats["approver"] += 1
    return msg


def _newsletter(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    name, addr = rng.choice(NEWSLETTERS)
    domain = addr.rpartition("@")[2]
    subject = rng.choice(("Les actualités de la semaine", "Offre spéciale pour vous",
                          "Votre lettre d'information", "À ne pas manquer ce mois-ci",
                          "Nouveautés et conseils"))
    articles = [(_phrase(rng, 4, 8), _paragraph(rng, 2, 4)) for _ in range(rng.randint(4, 12))]
    text = "\n\n".join(f"{t}\n{p}\nLire la suite : https://{domain}/a/{rng.randrange(10 ** 6)}"
                       for t, p in articles)
    html_parts = "".join(
        f'<tr><td style="padding:16px;border-bottom:1px solid #eee"><h2 style="font-size:18px;'
        f'color:#1a4d8f;font-family:Helvetica,Arial">{t}</h2><p style="font-size:14px;line-height:1.5;'
        f'color:#333">{p}</p><a href="https://{domain}/a/{rng.randrange(10 ** 6)}?utm_source=newsletter'
        f'&amp;utm_medium=email&amp;utm_campaign={rng.randrange(10 ** 5)}" style="color:#1a4d8f">'
        f"Lire la suite</a></td></tr>\n" for t, p in articles)
    html = (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{subject}</title>'
            f"<style>body{{margin:0;padding:0}} table{{border-collapse:collapse}}</style></head><body>"
            f'<table width="600" align="center" cellpadding="0" cellspacing="0">\n{html_parts}</table>'
            f'<p style="font-size:11px;color:#999">Se désinscrire : '
            f"https://{domain}/u/{rng.randrange(10 ** 9)}"
            f"</p></body></html>\n")
    msg = _base(rng, i, sender=f"{name} <{addr}>", subject=subject, when=when, domain=domain,
                extra={"List-Unsubscribe": f"<https://{domain}/u/{rng.randrange(10 ** 9)}>",
                       "Precedence": "bulk"})
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    stats["newsletter"] += 1
    return msg


def _patient(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    name, addr = _person(rng)
    domain = addr.rpartition("@")[2]
    subject = rng.choice(("Passage demain", "Ordonnance", "Pansement", "Question", "Rendez-vous",
                          "Prise de sang", "Résultats", "Absence la semaine prochaine", ""))
    body = "Bonjour Madame,\n\n" + "\n\n".join(_paragraph(rng) for _ in range(rng.randint(1, 4))) \
        + f"\n\nCordialement,\n{name}\n"
    msg = _base(rng, i, sender=f"{name} <{addr}>", subject=subject, when=when, domain=domain)
    msg.set_content(body)
    if rng.random() < 0.08:
        msg.add_alternative(_html_of(body, subject), subtype="html")
    if rng.random() < 0.05:
        msg.add_attachment(b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(50_000, 110_000)),
                           maintype="image", subtype="jpeg", filename="ordonnance.jpg")
        stats["attachments"] += 1
    stats["patient"] += 1
    return msg


def _reply(rng: random.Random, i: int, when: datetime, stats: dict) -> EmailMessage:
    name, addr = _person(rng)
    domain = addr.rpartition("@")[2]
    topic = rng.choice(("Passage demain", "Ordonnance", "Pansement", "Rendez-vous", "Prise de sang"))
    answer = _paragraph(rng, 1, 3) + f"\n\n{name.split()[0]}\n"
    quoted, speaker, t = [], ("Marie Exemple", USERNAME), when
    for _ in range(rng.randint(1, 5)):  # a thread: each level quotes the previous one
        t -= timedelta(hours=rng.randint(1, 48))
        previous = _paragraph(rng, 1, 4)
        header = f"Le {_french_date(t.astimezone(PARIS))}, {speaker[0]} <{speaker[1]}> a écrit :"
        quoted.append((header, previous))
        speaker = (name, addr) if speaker[1] == USERNAME else ("Marie Exemple", USERNAME)
    text, depth = answer, 0
    for header, previous in quoted:
        depth += 1
        prefix = "> " * (depth - 1)
        text += f"\n{prefix}{header}\n" + "\n".join(
            ("> " * depth) + line for line in _wrap(previous)) + "\n" + ">" * depth + "\n"
    parent = f"<bench-parent-{i:06d}@example.org>"
    msg = _base(rng, i, sender=f"{name} <{addr}>", subject=f"Re: {topic}", when=when, domain=domain,
                extra={"In-Reply-To": parent, "References": parent})
    msg.set_content(text)
    if rng.random() < 0.25:
        msg.add_alternative(_html_of(text.replace("<", "&lt;").replace(">", "&gt;"), topic),
                            subtype="html")
    stats["reply"] += 1
    return msg


def _wrap(text: str, width: int = 72) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def generate_corpus(n: int, seed: int = SEED) -> tuple[list[bytes], dict]:
    rng = random.Random(seed)
    random.seed(seed)  # the email package draws MIME boundaries from the global generator
    stats = dict.fromkeys(("caisse", "suspect", "approver", "newsletter", "patient", "reply",
                           "attachments"), 0)
    start = datetime(2025, 9, 1, 7, 0, tzinfo=UTC)
    out: list[bytes] = []
    smtp = email_policy.default.clone(linesep="\r\n")
    for i in range(n):
        when = start + timedelta(minutes=13 * i + rng.randint(0, 12))
        r = rng.random()
        if r < 0.050:
            msg = _caisse_message(rng, i, when, stats)
        elif r < 0.053:
            msg = _suspect_message(rng, i, when, stats)
        elif r < 0.056:
            msg = _approver_message(rng, i, when, stats)
        elif r < 0.24:
            msg = _newsletter(rng, i, when, stats)
        elif r < 0.54:
            msg = _reply(rng, i, when, stats)
        else:
            msg = _patient(rng, i, when, stats)
        out.append(msg.as_bytes(policy=smtp))
    return out, stats


def load_corpus(n: int, cache_dir: Path) -> tuple[list[bytes], dict, float, Path]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"cpambot-bench-corpus-{n}-s{SEED}-v{GENERATOR_VERSION}.pickle"
    if path.exists():
        with path.open("rb") as fh:
            messages, stats = pickle.load(fh)
        return messages, stats, 0.0, path
    t0 = time.perf_counter()
    messages, stats = generate_corpus(n)
    elapsed = time.perf_counter() - t0
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump((messages, stats), fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return messages, stats, elapsed, path


# ======================================================================================
# Child processes: one measurement each, result as JSON on the last stdout line
# ======================================================================================

def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_mb() -> float:
    """Peak RSS of this process, in MiB.

    ``VmHWM`` from /proc, not ``getrusage().ru_maxrss``: on Linux, ru_maxrss survives
    execve(), so a child started by a parent holding the 90 MB corpus would report the
    parent's peak. VmHWM belongs to the current address space and starts at zero at exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


class _Breakdown:
    """Exclusive wall-clock time per bot function, by wrapping them (a few µs per call).

    Nested wrapped calls are subtracted from their caller, so the rows add up; what no
    wrapper covers is reported as « reste » (loop, report, dict copies…). Garbage-collector
    pauses are timed apart (they overlap the rows). :meth:`take` returns the figures
    gathered since the previous call and starts afresh: one snapshot per stage.
    """

    LEDGER_LABEL = "ledger : LedgerRow (new_row, from_doc, to_doc, moved)"

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []  # time spent in nested wrapped calls, per level
        self.gc_time = 0.0
        self.gc_runs = 0
        self._gc_t0 = 0.0
        self.human_wrapped = False

    def wrap(self, label: str, fn):  # type: ignore[no-untyped-def]
        import functools

        @functools.wraps(fn)
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            self._stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                nested = self._stack.pop()
                self.times[label] = self.times.get(label, 0.0) + elapsed - nested
                self.calls[label] = self.calls.get(label, 0) + 1
                if self._stack:
                    self._stack[-1] += elapsed

        return timed

    def take(self) -> dict:
        out = {"times": self.times, "calls": self.calls, "gc_time": self.gc_time,
               "gc_runs": self.gc_runs}
        self.times, self.calls, self.gc_time, self.gc_runs = {}, {}, 0.0, 0
        return out

    def gc_callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_t0 = time.perf_counter()
        else:
            self.gc_time += time.perf_counter() - self._gc_t0
            self.gc_runs += 1

    def install(self) -> None:
        import gc
        import importlib

        from cpambot.cases import casebook
        from cpambot.mailbox import imap as imap_source
        from cpambot.mailbox import ingest as sync
        from cpambot.mailbox import ledger
        from cpambot.service import processing
        from cpambot.store import database as store
        from cpambot.store import files as storage
        from cpambot.store import raw as rawstore
        from cpambot.understanding import reader

        led = self.LEDGER_LABEL
        patch = [
            # ingest stage
            (imap_source.ImapMailbox, "open", "IMAP : connexion + LOGIN"),
            (imap_source.ImapMailbox, "close", "IMAP : LOGOUT"),
            (imap_source.ImapMailbox, "select", "IMAP : EXAMINE"),
            (imap_source.ImapMailbox, "uids_after", "IMAP : UID SEARCH"),
            (imap_source.ImapMailbox, "fetch_headers", "IMAP : FETCH en-têtes (+ analyse imapclient)"),
            (imap_source.ImapMailbox, "fetch_messages", "IMAP : FETCH BODY.PEEK[] (+ analyse imapclient)"),
            (sync, "summarize", "headers.summarize"),
            (sync, "assess", "senders.assess"),
            (sync, "new_row", led),
            (ledger.LedgerRow, "to_doc", led),
            (ledger.LedgerRow, "from_doc", led),
            (ledger.LedgerRow, "moved", led),
            (sync.Syncer, "_original_of", "Syncer._original_of (doublons)"),
            (rawstore.RawStore, "save", "RawStore.save (sha256 + écriture, sans fsync)"),
            (rawstore.RawStore, "sync", "RawStore.sync (os.sync)"),
            # processing stage
            (processing.Processor, "pending", "Processor.pending (Store.values + tri)"),
            (rawstore.RawStore, "load", "RawStore.load (lecture de la copie brute)"),
            (reader, "parse_message", "message.parse_message (analyse MIME)"),
            (reader, "read_returns", "returns.read_returns (retours machine)"),
            (casebook.CaseBook, "apply_reading", "CaseBook.apply_reading"),
            (casebook.CaseBook, "tick", "CaseBook.tick"),
            # both
            (store.Store, "get", "Store.get / find"),
            (store.Store, "find", "Store.get / find"),
            (store.Store, "put", "Store.put (json.dumps + write du journal)"),
            (store.Store, "commit", "Store.commit (TinyDB, hors flush)"),
            (storage.AtomicJSONStorage, "flush", "AtomicJSONStorage.flush (json.dumps + écriture + fsync)"),
        ]
        for owner, name, label in patch:
            setattr(owner, name, self.wrap(label, getattr(owner, name)))
        # Defaults bound when the functions were defined: patch them where they live.
        defaults = processing.Processor.__init__.__kwdefaults__
        defaults["reader"] = self.wrap("reader.read_message (hors sous-appels : import, repli, journal)",
                                       defaults["reader"])
        try:  # imported lazily by reader._read; may be missing or half-written (another helper)
            human = importlib.import_module("cpambot.understanding.classify.human")
            human.classify_human = self.wrap("classify.human.classify_human", human.classify_human)
            self.human_wrapped = True
        except Exception:  # noqa: BLE001 - the reader falls back to « unknown » readings
            pass
        gc.callbacks.append(self.gc_callback)


class _CountErrors:
    """A logging handler counting the ERROR records of one logger (reader fallbacks)."""

    def __init__(self, name: str) -> None:
        import logging

        class Handler(logging.Handler):
            count = 0

            def emit(self, record: logging.LogRecord) -> None:
                type(self).count += 1

        self.handler = Handler(level=logging.ERROR)
        logging.getLogger(name).addHandler(self.handler)

    @property
    def count(self) -> int:
        return type(self.handler).count


def _human_present() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("cpambot.understanding.classify.human") is not None
    except Exception:  # noqa: BLE001
        return False


def child_sync(params: dict) -> dict:
    """(a) ingest in a fresh data dir, (a2) processing, (c) peak RSS, then (b) nothing-new polls."""
    import logging
    from collections import Counter

    logging.basicConfig(level=logging.WARNING)
    from cpambot.config.loader import parse_config
    from cpambot.mailbox.ledger import LEDGER
    from cpambot.service.poll import ingest, poll_once, process
    from cpambot.store.database import Store

    rss_after_import = _maxrss_mb()
    reader_errors = _CountErrors("cpambot.understanding.reader")
    human_present = _human_present()
    config = parse_config(params["toml"])
    breakdown = None
    if params.get("breakdown"):
        breakdown = _Breakdown()
        breakdown.install()
    profiler = None
    target = params.get("profile")
    if target and target.endswith((".html", ".txt")):
        from pyinstrument import Profiler  # sampling: little overhead on small calls

        profiler = Profiler(interval=0.001)
        start, stop = profiler.start, profiler.stop
    elif target:
        import cProfile

        profiler = cProfile.Profile()
        start, stop = profiler.enable, profiler.disable
    if profiler:
        start()
    t0 = time.perf_counter()
    store = Store.open(config.data_dir)
    a_open = time.perf_counter() - t0
    if breakdown is not None:
        breakdown.take()  # Store.open's own commit is not part of the ingest
    c0 = _cpu()
    t1 = time.perf_counter()
    sync = ingest(config, store)
    t2 = time.perf_counter()
    c1 = _cpu()
    rss_ingest = _maxrss_mb()
    stage_ingest = breakdown.take() if breakdown is not None else None
    proc = process(config, store)
    t3 = time.perf_counter()
    c2 = _cpu()
    stage_process = breakdown.take() if breakdown is not None else None
    store.close()
    t4 = time.perf_counter()
    if profiler:
        stop()
        if target.endswith(".html"):
            Path(target).write_text(profiler.output_html())
        elif target.endswith(".txt"):
            Path(target).write_text(profiler.output_text(unicode=True, show_all=False))
        else:
            profiler.dump_stats(target)
    rss_a = _maxrss_mb()
    if not sync.ok:
        raise SystemExit(f"relève en erreur : {sync.errors}")
    out: dict = {
        "a_total": t2 - t1, "a_open": a_open, "a_cpu": c1 - c0,
        "a2_total": t3 - t2, "a2_cpu": c2 - c1, "a_close": t4 - t3,
        "rss_import_mb": rss_after_import, "rss_ingest_mb": rss_ingest, "rss_a_mb": rss_a,
        "new": sync.total("new"), "relevant": sync.total("relevant"),
        "ignored": sync.total("ignored"), "duplicates": sync.total("duplicates"),
        "categories": sync.folders[0].categories if sync.folders else {},
        "processed": proc.processed, "p_done": proc.done, "p_ignored": proc.ignored,
        "p_failed": proc.failed, "cases_touched": len(proc.cases_touched), "kinds": proc.kinds,
        "to_review": proc.to_review, "reader_errors": reader_errors.count,
        "human_present": human_present,
    }
    if breakdown is not None:
        out.update(stages={"ingest": stage_ingest, "process": stage_process},
                   human_wrapped=breakdown.human_wrapped)
        return out
    if params.get("profile"):
        return out
    # Which messages had their body fetched: rows carrying a raw copy.
    with Store.open(config.data_dir, readonly=True) as ro:
        rows = list(ro.values(LEDGER))
    out["body_uids"] = sorted(r["uid"] for r in rows if r.get("raw"))
    out["ledger_rows"] = len(rows)
    out["states"] = dict(Counter(r["state"] for r in rows))
    out["store_bytes"] = benchlib.store_bytes(Path(config.data_dir))
    del rows

    # (b) nothing new: reopen the store (as a restarted daemon would), then poll_once alone.
    t0 = time.perf_counter()
    store = Store.open(config.data_dir)
    t1 = time.perf_counter()
    report = poll_once(config, store)
    t2 = time.perf_counter()
    store.close()
    t3 = time.perf_counter()
    if report.sync.total("new") != 0 or not report.ok or report.processing.processed != 0:
        raise SystemExit(f"seconde relève inattendue : new={report.sync.total('new')} "
                         f"traités={report.processing.processed} {report.errors}")
    out.update(b_total=t3 - t0, b_open=t1 - t0, b_poll_first=t2 - t1, b_close=t3 - t2)
    store = Store.open(config.data_dir)
    polls, b_ingest, b_process = [], [], []
    try:
        for _ in range(params.get("idle_polls", 5)):
            t0 = time.perf_counter()
            poll_once(config, store)
            polls.append(time.perf_counter() - t0)
        for _ in range(3):  # information: the two stages of an idle poll, apart
            t0 = time.perf_counter()
            ingest(config, store)
            t1 = time.perf_counter()
            process(config, store)
            t2 = time.perf_counter()
            b_ingest.append(t1 - t0)
            b_process.append(t2 - t1)
    finally:
        store.close()
    out["b_poll_open"] = polls
    out["b_ingest"] = statistics.median(b_ingest)
    out["b_process"] = statistics.median(b_process)
    out["rss_end_mb"] = _maxrss_mb()
    return out


def child_floor(params: dict) -> dict:
    """(d) the bare imapclient loop, no processing at all."""
    from imapclient import IMAPClient

    from cpambot.mailbox.headers import HEADER_FIELDS

    header_item = "BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")]"
    wanted = set(params["body_uids"])
    rss0 = _maxrss_mb()
    c0 = _cpu()
    t0 = time.perf_counter()
    client = IMAPClient(params["host"], port=params["port"], ssl=False, timeout=60)
    client.login(params["username"], params["password"])
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search(["UID", "1:*"]))
    t_search = time.perf_counter()
    header_bytes = body_bytes = bodies = 0
    t_headers = 0.0
    for start in range(0, len(uids), BATCH):
        batch = uids[start:start + BATCH]
        th = time.perf_counter()
        data = client.fetch(batch, ["RFC822.SIZE", header_item])
        t_headers += time.perf_counter() - th
        header_bytes += sum(len(v) for item in data.values() for k, v in item.items()
                            if k.startswith(b"BODY[HEADER"))
        want = [u for u in batch if u in wanted]
        if want:
            got = client.fetch(want, ["BODY.PEEK[]"])
            bodies += len(got)
            body_bytes += sum(len(item[b"BODY[]"]) for item in got.values())
    client.logout()
    t1 = time.perf_counter()
    return {"d_total": t1 - t0, "d_cpu": _cpu() - c0, "d_search": t_search - t0,
            "d_headers": t_headers,
            "uids": len(uids), "header_bytes": header_bytes, "bodies": bodies,
            "body_bytes": body_bytes, "rss_mb": _maxrss_mb(), "rss_import_mb": rss0}


def child_floor_imaplib(params: dict) -> dict:
    """(d2) the same loop through imaplib alone: no imapclient, no parsing, no protocol trace."""
    import imaplib

    from cpambot.mailbox.fetch import sequence_set
    from cpambot.mailbox.headers import HEADER_FIELDS

    items = "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (" + " ".join(HEADER_FIELDS) + ")])"
    wanted = set(params["body_uids"])
    c0 = _cpu()
    t0 = time.perf_counter()
    imap = imaplib.IMAP4(params["host"], params["port"], timeout=60)
    imap.login(params["username"], params["password"])
    imap.select("INBOX", readonly=True)
    uids = sorted(int(u) for u in imap.uid("SEARCH", "UID", "1:*")[1][0].split())
    literal_bytes = bodies = 0
    for start in range(0, len(uids), BATCH):
        batch = uids[start:start + BATCH]
        _, data = imap.uid("FETCH", sequence_set(batch), items)
        literal_bytes += sum(len(part[1]) for part in data if isinstance(part, tuple))
        want = [u for u in batch if u in wanted]
        if want:
            _, data = imap.uid("FETCH", sequence_set(want), "(BODY.PEEK[])")
            got = [part[1] for part in data if isinstance(part, tuple)]
            bodies += len(got)
            literal_bytes += sum(map(len, got))
    imap.logout()
    return {"d_total": time.perf_counter() - t0, "d_cpu": _cpu() - c0, "bodies": bodies,
            "literal_bytes": literal_bytes}


def _squeeze_log(text: str) -> str:
    """Child stderr with identical log records (message + traceback) shown once, with a count."""
    import re

    records: list[str] = []
    for line in text.strip().splitlines():
        if re.match(r"(CRITICAL|ERROR|WARNING|INFO|DEBUG):", line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    counts: dict[str, int] = {}
    for record in records:
        counts[record] = counts.get(record, 0) + 1
    return "\n".join(record if c == 1 else f"(×{c}) {record}" for record, c in counts.items())


def run_child(kind: str, params: dict, workdir: Path) -> dict:
    result, stderr = benchlib.run_child(Path(__file__), kind, params, workdir)
    if stderr.strip():
        print(f"  [stderr {kind}] {_squeeze_log(stderr)[-1500:]}")
    return result


# ======================================================================================
# Parent
# ======================================================================================

CONFIG_TOML = benchlib.IMAP_CONFIG


def assess_corpus(messages: list[bytes], config_toml: str) -> set[int]:
    """UIDs (1-based position) whose body cpambot should fetch, from headers via senders.assess."""
    from cpambot.config.loader import parse_config
    from cpambot.mailbox.headers import header_block, select_fields, summarize
    from cpambot.mailbox.senders import assess
    from cpambot.service.bootstrap import build_policy

    policy = build_policy(parse_config(config_toml))
    out = set()
    for uid, raw in enumerate(messages, start=1):
        block = select_fields(header_block(raw))
        if assess(summarize(block, len(raw)), policy).fetch_body:
            out.add(uid)
    return out


def _per_msg_ms(res: dict) -> float:
    """(a2) in milliseconds per relevant message processed."""
    return 1e3 * res["a2_total"] / max(res["processed"], 1)


def fmt_ok(ok: bool) -> str:
    return "OK" if ok else "MANQUÉ"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="relèves (a) et (d) alternées (défaut 3)")
    parser.add_argument("--keep-corpus", metavar="DIR", type=Path, default=None,
                        help="dossier du cache du corpus (défaut /tmp) ; conservé entre les lancements")
    parser.add_argument("--profile", metavar="FICHIER", default=None,
                        help="relève (a) supplémentaire profilée : pyinstrument si FICHIER finit par "
                        ".txt ou .html, sinon cProfile (python -m pstats FICHIER)")
    parser.add_argument("--breakdown", action="store_true",
                        help="relève (a) supplémentaire, chronométrée fonction par fonction "
                        "(temps exclusifs, sans profileur)")
    parser.add_argument("--_child", choices=("sync", "floor", "floor_imaplib"), help=argparse.SUPPRESS)
    parser.add_argument("--_params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._child:
        sys.path.insert(0, str(ROOT))
        params = json.loads(Path(args._params).read_text())
        result = {"sync": child_sync, "floor": child_floor,
                  "floor_imaplib": child_floor_imaplib}[args._child](params)
        print(json.dumps(result))
        return 0

    # SIGTERM behaves like Ctrl-C: unwind, so Dovecot is stopped by the context manager.
    def _on_sigterm(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _on_sigterm)
    sys.path.insert(0, str(TESTS))
    sys.path.insert(0, str(ROOT))
    from servers import DovecotServer, ensure_dovecot  # noqa: E402 - tests/servers.py

    n = args.messages
    cache_dir = args.keep_corpus or Path("/tmp")
    print(f"== cpambot — banc d'ingestion IMAP ({n} messages, {args.runs} passes, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cœurs) ==")
    messages, stats, gen_s, cache_path = load_corpus(n, cache_dir)
    sizes = [len(m) for m in messages]
    multi_alt = sum(1 for m in messages if b"multipart/alternative" in m[:20000])
    print(f"Corpus : {cache_path} "
          + (f"(généré en {gen_s:.1f} s)" if gen_s else "(lu depuis le cache)"))
    print(f"  {len(messages)} messages, {sum(sizes) / 1e6:.1f} Mo, taille moyenne "
          f"{statistics.mean(sizes) / 1024:.1f} Kio (médiane {statistics.median(sizes) / 1024:.1f} Kio)")
    print(f"  caisses/AMC {stats['caisse']} ({100 * stats['caisse'] / n:.1f} %), hameçonnage "
          f"{stats['suspect']}, approbatrice {stats['approver']}, lettres d'info {stats['newsletter']}, "
          f"réponses citées {stats['reply']}, patients {stats['patient']}")
    print(f"  pièces jointes {stats['attachments']}, multipart/alternative {multi_alt} "
          f"({100 * multi_alt / n:.0f} %)")

    ensure_dovecot()
    workdir = Path(tempfile.mkdtemp(prefix="cpambot-bench-", dir="/tmp"))
    try:
        with DovecotServer() as dovecot:
            user = dovecot.add_user(USERNAME, PASSWORD)
            t0 = time.perf_counter()
            with user.client() as imap:  # logs out on exit
                for start in range(0, n, BATCH):
                    imap.multiappend("INBOX", messages[start:start + BATCH])
                imap.select_folder("INBOX", readonly=True)
                count = len(imap.search(["ALL"]))
            load_s = time.perf_counter() - t0
            print(f"Dovecot 127.0.0.1:{dovecot.port} — chargement MULTIAPPEND (lots de {BATCH}) : "
                  f"{load_s:.1f} s, {count} messages dans INBOX")
            if count != n:
                raise RuntimeError(f"{count} messages dans INBOX au lieu de {n}")

            pw_file = workdir / "imap.pass"
            pw_file.write_text(PASSWORD)
            pw_file.chmod(0o600)

            def toml_for(data_dir: Path) -> str:
                return CONFIG_TOML.format(username=USERNAME, data_dir=data_dir, host=dovecot.host,
                                          port=dovecot.port, password_file=pw_file, timeout=120)

            expected = assess_corpus(messages, toml_for(workdir / "unused"))
            del messages, sizes  # the parent's memory is irrelevant to the children, but tidy

            sync_runs: list[dict] = []
            floor_runs: list[dict] = []
            transport_runs: list[dict] = []
            body_uids: list[int] | None = None
            for run in range(1, args.runs + 1):
                data_dir = workdir / f"data-{run}"
                res = run_child("sync", {"toml": toml_for(data_dir)}, workdir)
                sync_runs.append(res)
                if body_uids is None:
                    body_uids = res["body_uids"]
                    same = set(body_uids) == expected
                    print(f"Ensemble des corps lus : {len(body_uids)} messages, pris dans le registre "
                          f"de la 1re relève (lignes avec copie brute) ; "
                          f"cpambot.mailbox.senders.assess sur les en-têtes du corpus donne "
                          f"{len(expected)} → "
                          f"{'identique' if same else 'DIFFÉRENT'}")
                elif res["body_uids"] != body_uids:
                    print("  ATTENTION : ensemble de corps différent d'une passe à l'autre")
                print(f"  passe {run} (a) ingestion : {res['a_total']:.2f} s (CPU client "
                      f"{res['a_cpu']:.2f} s ; Store.open avant {res['a_open'] * 1e3:.0f} ms), "
                      f"nouveaux {res['new']}, pertinents {res['relevant']}, ignorés {res['ignored']} "
                      f"(dont doublons {res['duplicates']}), RSS max {res['rss_ingest_mb']:.0f} Mio")
                print(f"         (a2) lecture et dossiers : {res['a2_total']:.2f} s (CPU "
                      f"{res['a2_cpu']:.2f} s ; {_per_msg_ms(res):.1f} ms/message pertinent ; close "
                      f"{res['a_close'] * 1e3:.0f} ms), traités {res['processed']} → done "
                      f"{res['p_done']}, ignored {res['p_ignored']}, failed {res['p_failed']} ; "
                      f"RSS max (a)+(a2) {res['rss_a_mb']:.0f} Mio")
                print(f"         (b) rien de neuf : {res['b_total'] * 1e3:.0f} ms rouverte, poll_once "
                      f"seul {statistics.median(res['b_poll_open']) * 1e3:.0f} ms (ingest "
                      f"{res['b_ingest'] * 1e3:.0f} ms + process {res['b_process'] * 1e3:.0f} ms)")
                shutil.rmtree(data_dir, ignore_errors=True)
                fres = run_child("floor", {"host": dovecot.host, "port": dovecot.port,
                                           "username": USERNAME, "password": PASSWORD,
                                           "body_uids": body_uids}, workdir)
                floor_runs.append(fres)
                print(f"  passe {run} (d) plancher imapclient : {fres['d_total']:.2f} s (CPU client "
                      f"{fres['d_cpu']:.2f} s ; en-têtes {fres['d_headers']:.2f} s, {fres['bodies']} corps, "
                      f"{fres['body_bytes'] / 1e6:.1f} Mo), RSS max {fres['rss_mb']:.0f} Mio")
                tres = run_child("floor_imaplib", {"host": dovecot.host, "port": dovecot.port,
                                                   "username": USERNAME, "password": PASSWORD,
                                                   "body_uids": body_uids}, workdir)
                transport_runs.append(tres)
                print(f"  passe {run} (d2) transport imaplib seul : {tres['d_total']:.2f} s (CPU client "
                      f"{tres['d_cpu']:.2f} s ; {tres['bodies']} corps, littéraux "
                      f"{tres['literal_bytes'] / 1e6:.1f} Mo)")

            if args.profile:
                data_dir = workdir / "data-profile"
                res = run_child("sync", {"toml": toml_for(data_dir), "profile": args.profile},
                                workdir)
                print(f"  profil : (a) {res['a_total']:.2f} s + (a2) {res['a2_total']:.2f} s sous "
                      f"profilage → {args.profile}")

            if args.breakdown:
                res = run_child("sync", {"toml": toml_for(workdir / "data-breakdown"),
                                         "breakdown": True}, workdir)
                print("\nRépartition d'une relève (a)+(a2) supplémentaire, temps exclusifs "
                      "(fonctions enveloppées, quelques µs par appel)"
                      + ("" if res["human_wrapped"] else
                         " — classify.human absent : pas de ligne classify_human") + " :")
                for stage, title, total, rest_label in (
                        ("ingest", "(a) ingestion, cpambot.service.poll.ingest", res["a_total"],
                         "reste du Syncer (boucle, rapports, copies…)"),
                        ("process", "(a2) lecture et dossiers, cpambot.service.poll.process", res["a2_total"],
                         "reste du Processor (boucle, rapports, _received…)")):
                    st = res["stages"][stage]
                    rows = sorted(st["times"].items(), key=lambda kv: -kv[1])
                    rest = total - sum(st["times"].values())
                    print(f" {title} : {total:.2f} s")
                    for label, spent in [*rows, (rest_label, rest)]:
                        calls = st["calls"].get(label)
                        print(f"  {label:64s} {spent * 1e3:7.0f} ms {100 * spent / total:5.1f} %"
                              + (f"  ({calls} appels)" if calls else ""))
                    print(f"  {'dont pauses du ramasse-miettes (gc, à cheval)':64s} "
                          f"{st['gc_time'] * 1e3:7.0f} ms {100 * st['gc_time'] / total:5.1f} %  "
                          f"({st['gc_runs']} passages)")

            med = statistics.median
            a = med(r["a_total"] for r in sync_runs)
            a2 = med(r["a2_total"] for r in sync_runs)
            a2_msg = med(_per_msg_ms(r) for r in sync_runs)
            a_ab = med(r["a_total"] + r["a2_total"] for r in sync_runs)
            d = med(r["d_total"] for r in floor_runs)
            d2 = med(r["d_total"] for r in transport_runs)
            b_reopen = med(r["b_total"] for r in sync_runs) * 1e3
            b_poll = med(t for r in sync_runs for t in r["b_poll_open"]) * 1e3
            b_ingest = med(r["b_ingest"] for r in sync_runs) * 1e3
            b_process = med(r["b_process"] for r in sync_runs) * 1e3
            rss = med(r["rss_a_mb"] for r in sync_runs)
            rss_max = max(r["rss_a_mb"] for r in sync_runs)
            rss_ingest = med(r["rss_ingest_mb"] for r in sync_runs)
            ratio = a / d
            last = sync_runs[-1]
            print()
            print(f"== Résultats (médianes sur {args.runs} passes) ==")
            print(f"(a)  1re relève : ingestion seule (cpambot.service.poll.ingest)        : {a:8.2f} s "
                  f"({n / a:,.0f} msg/s)".replace(",", " "))
            print(f"(d)  plancher brut imapclient                              : {d:8.2f} s "
                  f"({n / d:,.0f} msg/s)".replace(",", " "))
            print(f"     rapport (a)/(d)                                       : {ratio:8.2f}   "
                  f"cible ≤ {TARGET_RATIO}  → {fmt_ok(ratio <= TARGET_RATIO)}")
            print(f"(d2) transport seul : imaplib sans analyse ni trace        : {d2:8.2f} s "
                  f"({n / d2:,.0f} msg/s)".replace(",", " "))
            print(f"     rapport (a)/(d2)                                      : {a / d2:8.2f}   "
                  f"(pour information, sans cible : le travail propre de cpambot, {(a - d2) * 1e3:.0f} ms)")
            print(f"(a2) lecture et dossiers (cpambot.service.poll.process), juste après    : {a2:8.2f} s "
                  f"({a2_msg:.1f} ms par message pertinent, {last['processed']} messages)")
            print(f"     rapport (a+a2)/(d)                                    : {a_ab / d:8.2f}   "
                  f"(pour information, sans cible)")
            print(f"(b)  relève sans nouveauté, base rouverte (open+poll+close): {b_reopen:8.0f} ms "
                  f"(info)")
            print(f"(b)  relève sans nouveauté, poll_once seul, base ouverte   : {b_poll:8.0f} ms "
                  f"cible < {TARGET_NOTHING_NEW_MS:.0f} ms → {fmt_ok(b_poll < TARGET_NOTHING_NEW_MS)}"
                  f"  (ingest {b_ingest:.0f} ms + process {b_process:.0f} ms, mesurés à part)")
            print(f"(c)  pic de RSS du sous-processus pendant (a)+(a2)         : {rss:8.0f} Mio "
                  f"(max {rss_max:.0f} ; {rss_ingest:.0f} Mio à la fin de (a) ; "
                  f"{last['rss_import_mb']:.0f} Mio juste après les imports) "
                  f"cible < {TARGET_RSS_MB:.0f} Mo → {fmt_ok(rss < TARGET_RSS_MB)}")
            print(f"     registre : {last['ledger_rows']} lignes, base "
                  f"{last['store_bytes'] / 1e6:.1f} Mo ; états après (a2) "
                  + ", ".join(f"{k} {v}" for k, v in sorted(last["states"].items()))
                  + f" ; catégories {last['categories']}")
            print(f"     lectures : {last['kinds']} ; dossiers touchés {last['cases_touched']}, "
                  f"à revoir {last['to_review']}")
            if not last["human_present"] or last["reader_errors"]:
                print(f"     ATTENTION : cpambot/understanding/classify/human.py "
                      f"{'absent' if not last['human_present'] else 'présent'} ; "
                      f"{last['reader_errors']} erreur(s) de lecture journalisée(s) par "
                      f"cpambot.understanding.reader "
                      f"(repli sur des lectures « unknown ») : (a2) ne mesure pas la vraie "
                      f"classification des messages humains")
            print("     détail (a) : " + ", ".join(f"{r['a_total']:.2f}" for r in sync_runs)
                  + " s ; (a2) : " + ", ".join(f"{r['a2_total']:.2f}" for r in sync_runs)
                  + " s ; (d) : " + ", ".join(f"{r['d_total']:.2f}" for r in floor_runs)
                  + " s ; (d2) : " + ", ".join(f"{r['d_total']:.2f}" for r in transport_runs)
                  + " s ; (b) poll_once seul : "
                  + ", ".join(f"{t * 1e3:.0f}" for r in sync_runs for t in r["b_poll_open"]) + " ms")
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
