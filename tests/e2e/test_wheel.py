"""The wheel: built from the source tree, installed in a fresh virtual environment outside it,
it runs the demo and renders a letter (templates and data travel inside the package)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from paths import ROOT

RENDER_ONE_LETTER = """
import sys
from datetime import date
import cpambot
from cpambot.config.model import Professional
from cpambot.letters.render import render
from cpambot.cases.rejects import lookup

pro = Professional(nom="Marie Exemple", profession="infirmier", numero_am="974123456",
                   email="marie.exemple@example.org")
context = {"pro": pro, "profession": "Infirmière libérale", "ref": "C1", "reference": None,
           "lot": "042", "invoice": None, "arl": date(2026, 5, 2), "amount": None,
           "payment_due": date(2026, 5, 12)}
subject, body = render("relance1.txt.j2", context)
print(cpambot.__file__)
print(subject)
print(lookup("0603", None).family or "-")
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the source tree holding only the wheel; the dependencies come from
    the test environment through a .pth line (no network), which does not run its .pth files:
    the editable install of the source tree stays out of sight."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(work / "dist"), str(ROOT)], check=True, cwd=work)
    wheels = list((work / "dist").glob("cpambot-*.whl"))
    assert len(wheels) == 1
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
                    "--target", target, str(wheels[0])], check=True, cwd=work)
    # console script: pip --target does not write it into the venv's bin/
    (venv / "bin" / "cpambot").write_text(
        f"#!{venv / 'bin' / 'python'}\nfrom cpambot.cli.main import main\nraise SystemExit(main())\n")
    (venv / "bin" / "cpambot").chmod(0o755)
    (Path(target) / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["HOME"] = env.get("HOME", "/root")
    return env


def test_wheel_renders_a_letter_from_its_own_templates(installed: Path, tmp_path: Path):
    """GIVEN the wheel installed in a fresh venv WHEN a letter is rendered from outside the source
    tree THEN the package imported is the installed one and its templates and data are found."""
    out = subprocess.run([str(installed / "bin" / "python"), "-c", RENDER_ONE_LETTER], cwd=tmp_path,
                         env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    where, subject, family = out.stdout.splitlines()
    assert where.startswith(str(installed)), where
    assert "042" in subject
    assert family != "-"  # the reject codes table (package data) was read


def test_wheel_runs_the_demo(installed: Path, tmp_path: Path):
    """GIVEN the wheel installed in a fresh venv WHEN ``cpambot demo`` runs outside the source tree
    THEN it succeeds and writes the digest and the drafts, as from the source tree."""
    out = subprocess.run([str(installed / "bin" / "cpambot"), "demo", "--data-dir", str(tmp_path / "demo")],
                         cwd=tmp_path, env=_env(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert str(installed) in out.stdout  # the demo mailbox shipped inside the installed package
    written = sorted(p.name for p in (tmp_path / "demo" / "outbox").iterdir())
    assert written[0] == "00-digest.eml" and any(name.endswith("-reclamation.eml") for name in written)
    digest = (tmp_path / "demo" / "outbox" / "00-digest.eml").read_bytes()
    assert b"Content-Type: text/html" in digest
