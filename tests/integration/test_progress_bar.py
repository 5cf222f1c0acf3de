"""`cpambot poll --once` in a real terminal (a pseudo-terminal): a long first sync draws its progress
bar in place; the same command in a pipe writes none."""

import os
import pty
import subprocess
import sys

from builders import noise, write_maildir

CONFIG = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "marie@example.org"
[approbation]
approbateurs = ["marie@example.org"]
[donnees]
dossier = "{data}"
[[comptes]]
nom = "cabinet"
type = "maildir"
chemin = "{mail}"
"""


def run(config, *, terminal):
    command = [sys.executable, "-m", "cpambot", "-c", str(config), "poll", "--once"]
    if not terminal:
        return subprocess.run(command, capture_output=True, text=True, timeout=120).stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # (the terminal closed: the command ended)
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=120)
    os.close(master)
    return seen.decode("utf-8", "replace")


def test_a_long_first_sync_shows_a_bar_in_a_terminal_and_none_in_a_pipe(tmp_path):
    """GIVEN a Maildir of 1,200 messages WHEN `cpambot poll --once` runs in a terminal THEN its error
    output redraws one bar line in place up to 100 %; WHEN run again on a fresh data folder into a pipe
    THEN there is no bar."""
    write_maildir(tmp_path / "mail", [noise(i) for i in range(1200)])
    for name in ("a", "b"):
        text = CONFIG.format(data=tmp_path / f"data-{name}", mail=tmp_path / "mail")
        (tmp_path / f"{name}.toml").write_text(text)
    shown = run(tmp_path / "a.toml", terminal=True)
    assert "\r" in shown and "cabinet, INBOX [" in shown and "1\u202f200 / 1\u202f200 (100 %)" in shown
    piped = run(tmp_path / "b.toml", terminal=False)
    assert "█" not in piped and "\r" not in piped
