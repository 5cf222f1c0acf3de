"""Write the demo Maildir ``cpambot/demo/maildir`` and its ``MANIFEST.md``.

Run ``python -m cpambot.demo.generate``. The output is deterministic: the folder is
deleted and rebuilt, and every run gives byte-identical files (fixed dates in
2026, fixed Message-IDs, MIME boundaries, gzip mtime and PDF bytes; no
randomness). The messages and who they come from are in :mod:`cpambot.demo.messages`.

Messages go to ``cur/`` with Maildir names ``<epoch>.M<n>P1.demo:2,S`` whose
epoch is the message's Date, so sorting the names gives the arrival order.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from email import policy
from email.parser import BytesParser
from pathlib import Path

from cpambot.demo.messages.corpus import Built, build_corpus
from cpambot.demo.messages.persona import PS_AM, PS_MAIL, PS_TELETRANS

DEMO_DIR = Path(__file__).resolve().parent
MAILDIR = DEMO_DIR / "maildir"
MANIFEST = DEMO_DIR / "MANIFEST.md"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def manifest(built: Sequence[Built]) -> str:
    out = [
        "# Boîte de démonstration de cpambot",
        "",
        "Fichier généré par `python -m cpambot.demo.generate` — ne pas modifier à la main.",
        "",
        "Boîte aux lettres fictive de **Marie Exemple**, infirmière libérale à Saint-Denis "
        f"(La Réunion), n° AM {PS_AM}. Adresse personnelle : `{PS_MAIL}` ; boîte de "
        f"télétransmission : `{PS_TELETRANS}`. Sa caisse de rattachement est la CGSS de "
        "La Réunion (974) ; certains patients relèvent de la CPAM de la Marne (511).",
        "",
        "Tout est inventé : personnes, numéros, montants. Les NIR sont synthétiques (clé "
        "valide). Le format ARL, l'objet et le `Content-Description` des retours machine "
        "sont inventés (voir `noemie_writer/`) ; les entités NOEMIE suivent "
        "`shared/noemie-layout.md`. Les codes de rejet 2900 et 0250 sont documentés ; le "
        "code AMC 0602 et le code ARL 0101 sont inventés.",
        "",
        "Messages dans `maildir/cur/`, dans l'ordre d'arrivée (le nom commence par "
        "l'horodatage Unix de l'en-tête `Date`).",
        "",
        "| # | Fichier | Expéditeur | Objet | Catégorie | Nature | Action attendue du bot |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, b in enumerate(built, 1):
        h = BytesParser(policy=policy.default).parsebytes(b.raw, headersonly=True)
        out.append(f"| {n} | `{b.name}` | `{_md(str(h['From']))}` | {_md(str(h['Subject']))} | "
                   f"{b.entry.category} | {_md(b.entry.nature)} | {_md(b.entry.expected)} |")
    out.append("")
    return "\n".join(out)


def write_maildir(target: Path = MAILDIR, manifest_path: Path | None = MANIFEST) -> list[Built]:
    """(Re)create ``target`` as a Maildir holding the corpus; write the manifest."""
    built = build_corpus()
    if target.exists():
        shutil.rmtree(target)
    for sub in ("cur", "new", "tmp"):
        (target / sub).mkdir(parents=True)
    for sub in ("new", "tmp"):
        (target / sub / ".keep").write_bytes(b"")
    for b in built:
        path = target / "cur" / b.name
        path.write_bytes(b.raw)
        os.utime(path, (b.epoch, b.epoch))
    if manifest_path is not None:
        manifest_path.write_text(manifest(built), encoding="utf-8")
    return built


def main(argv: Sequence[str] | None = None) -> int:
    built = write_maildir()
    print(f"{len(built)} messages écrits dans {MAILDIR / 'cur'} ; manifeste : {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
