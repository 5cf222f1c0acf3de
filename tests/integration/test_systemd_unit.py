"""The systemd unit: hardened (systemd's own offline security review), valid for systemd, and in
agreement with the README's install steps and the example configuration."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

UNIT = ROOT / "systemd" / "cpambot.service"
README = ROOT / "README.md"
EXAMPLE = ROOT / "config.example.toml"


def unit_values(key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", UNIT.read_text(encoding="utf-8"), re.M)


def test_unit_runs_the_service_as_its_own_user_and_tells_systemd():
    """GIVEN the shipped unit WHEN read THEN it runs `cpambot … run` as a dedicated user, with a
    private state directory and an owner-only umask (health data), as a notify service with a watchdog
    that systemd restarts whatever happens."""
    text = UNIT.read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=.*cpambot .*\brun$", text, re.M)
    for line in ("User=cpambot", "StateDirectory=cpambot", "StateDirectoryMode=0700", "UMask=0077",
                 "ProtectSystem=strict", "NoNewPrivileges=yes", "Type=notify", "NotifyAccess=main",
                 "Restart=always", "ExecReload=/bin/kill -HUP $MAINPID"):
        assert line in text
    assert unit_values("WatchdogSec") and unit_values("TimeoutStartSec")


def test_unit_readme_and_example_config_agree():
    """GIVEN the unit, the README and config.example.toml WHEN compared THEN the README installs the
    program where ExecStart looks for it, puts the configuration where --config points and creates the
    user the unit runs as; every password file the unit loads is created by the README and named, without
    a path, by the example configuration; the example's data folder is the unit's state directory, and it
    leaves the Sent folder to the server's SPECIAL-USE mark."""
    readme = README.read_text(encoding="utf-8")
    example = EXAMPLE.read_text(encoding="utf-8")
    [exec_start] = unit_values("ExecStart")
    program, config = re.match(r"(\S+) --config (\S+) ", exec_start).groups()  # type: ignore[union-attr]
    venv = str(Path(program).parent.parent)
    assert f"python3 -m venv {venv}" in readme and f"{venv}/bin/pip install dist/cpambot-" in readme
    assert f"{program} --config {config} check --connect" in readme
    assert f"install -m 0640 -o root -g cpambot config.example.toml {config}" in readme
    assert "useradd --system" in readme and readme.count("cpambot") > 10
    credentials = dict(v.split(":", 1) for v in unit_values("LoadCredential"))
    assert set(credentials) == {"imap.pass", "smtp.pass"}
    for name, source in credentials.items():
        assert f"install -m 0600 /dev/null {source}" in readme
        assert f'mot_de_passe_fichier = "{name}"' in example
        assert Path(source).parent == Path(config).parent
    [state] = unit_values("StateDirectory")
    assert f'dossier = "/var/lib/{state}"' in example
    assert not re.search(r"^dossier_envoyes\s*=", example, re.M)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_systemd_finds_nothing_wrong_with_the_unit(tmp_path):
    """GIVEN the shipped unit, its program path pointed at this test's own installation (the only line
    changed) WHEN `systemd-analyze verify` reads it THEN it reports nothing."""
    program = Path(sys.executable).parent / "cpambot"
    [exec_start] = unit_values("ExecStart")
    copy = tmp_path / "cpambot.service"
    copy.write_text(UNIT.read_text(encoding="utf-8").replace(exec_start.split()[0], str(program)),
                    encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_unit_exposure_is_low():
    """GIVEN the unit WHEN systemd reviews it offline THEN its exposure level is at most 1.5."""
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(UNIT)],
                            capture_output=True, text=True, check=False)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found, result.stdout[-500:] + result.stderr[-500:]
    assert float(found.group(1)) <= 1.5
