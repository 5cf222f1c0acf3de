"""A real headless browser (Debian's Chromium) for the HTML a person reads: a page is shown in a frame the
size of a phone's screen, and what the reader would see is measured there (width used, height, text)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=5000")


@dataclass(frozen=True)
class Shown:
    width: int  # the frame's inner width
    scroll_width: int  # the page's width: more than ``width`` is a page wider than the screen
    height: int  # the page's height, in CSS pixels
    text: str  # what the reader sees, as the browser lays it out


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium est introuvable : scripts/test l'installe (paquet Debian « chromium »)")
    return found


def show(page: str, *, width: int = 375, height: int = 667) -> Shown:
    """``page`` laid out by Chromium in a ``width`` × ``height`` frame (a phone held upright)."""
    frame = f'style="width:{width}px;height:{height}px;border:0" srcdoc="{html.escape(page, quote=True)}"'
    wrapper = f"""<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" {frame}></iframe>
<script>
window.addEventListener('load', function() {{
  var w = document.getElementById('f').contentWindow, d = w.document.documentElement;
  var out = document.createElement('textarea');
  out.id = 'shown';
  out.textContent = JSON.stringify({{w: w.innerWidth, sw: d.scrollWidth, h: d.scrollHeight,
                                     text: w.document.body.innerText}});
  document.body.appendChild(out);
}});
</script></body></html>"""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(wrapper, encoding="utf-8")
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={tmp}/profile", "--dump-dom",
                               path.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<textarea id="shown">(.*?)</textarea>', done.stdout, re.DOTALL)
    if found is None:
        pytest.fail(f"Chromium n'a pas affiché la page : {done.stderr[-500:]}")
    data = json.loads(html.unescape(found.group(1)))
    return Shown(data["w"], data["sw"], data["h"], data["text"])
