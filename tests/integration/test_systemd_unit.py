"""The systemd unit: hardened (systemd's own offline security review) and pointing at the real command."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from paths import ROOT

UNIT = ROOT / "systemd" / "cpambot.service"


def test_unit_runs_the_service_as_its_own_user():
    """GIVEN the shipped unit WHEN read THEN it runs `cpambot … run` as a dedicated user, with a
    private state directory and an owner-only umask (health data)."""
    text = UNIT.read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=.*cpambot .*\brun$", text, re.M)
    for line in ("User=cpambot", "StateDirectory=cpambot", "StateDirectoryMode=0700", "UMask=0077",
                 "ProtectSystem=strict", "NoNewPrivileges=yes"):
        assert line in text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_unit_exposure_is_low():
    """GIVEN the unit WHEN systemd reviews it offline THEN its exposure level is at most 2.0 ("OK")."""
    result = subprocess.run(["systemd-analyze", "security", "--offline=true", str(UNIT)],
                            capture_output=True, text=True, check=False)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found, result.stdout[-500:] + result.stderr[-500:]
    assert float(found.group(1)) <= 2.0
