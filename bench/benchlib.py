"""What the benchmarks share (imported by the scripts of this folder, which Python puts first on the
path when one of them is run): the configuration of one IMAP account on the benchmark's Dovecot, the
size of a store, and a child process run with its parameters in a private file."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# One account "principal" on a Dovecot of tests/servers.py, INBOX watched: format with username,
# data_dir, host, port, password_file and timeout (delai_reseau, seconds).
IMAP_CONFIG = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "{username}"

[approbation]
approbateurs = ["{username}"]

[donnees]
dossier = "{data_dir}"

[[comptes]]
nom = "principal"
hote = "{host}"
port = {port}
securite = "aucune"
utilisateur = "{username}"
mot_de_passe_fichier = "{password_file}"
dossiers = ["INBOX"]
delai_reseau = {timeout}
"""


def store_bytes(data_dir: Path) -> int:
    """Bytes of the store's files (tables, journal, archive), raw copies left out."""
    return sum(p.stat().st_size for p in (data_dir / "store").rglob("*") if p.is_file())


def run_child(script: Path, kind: str, params: dict[str, Any], workdir: Path) -> tuple[dict[str, Any], str]:
    """``script --_child kind`` in a fresh interpreter, its parameters in a file only its owner reads;
    its result (the last line of its output, JSON) and its error output. A child that fails raises."""
    pfile = workdir / f"params-{kind}-{time.monotonic_ns()}.json"
    pfile.write_text(json.dumps(params))
    pfile.chmod(0o600)
    proc = subprocess.run([sys.executable, str(Path(script).resolve()), "--_child", kind,
                           "--_params", str(pfile)], capture_output=True, text=True, cwd=ROOT)
    pfile.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise RuntimeError(f"sous-processus {kind} en échec (code {proc.returncode}) :\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr
