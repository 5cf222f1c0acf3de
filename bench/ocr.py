#!/usr/bin/env python3
"""Banc d'essai de la lecture des courriers papier (ce n'est PAS un test).

    .venv/bin/python bench/ocr.py

Rend les courriers de tests/paperletters.py en images, les abîme comme un téléphone ou un scanner
(tournés, penchés, tachés, flous, petits, JPEG très compressé), les lit (cpambot.service.ocr : image
redressée puis Tesseract en français), passe le texte au lecteur des courriels et compte les champs
justes : type de courrier, référence, montant, date. Affiche la justesse par variante et au total, et
le temps moyen par page ; puis Tesseract seul par pytesseract (ce qu'utilise cpambot) et, s'il est
installé, par tesserocr.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE.parent / "tests")]

from paperletters import LETTERS, VARIANTS, render, variant  # noqa: E402

from cpambot.demo.run import demo_config  # noqa: E402
from cpambot.service.ocr import letter_reading, read_image  # noqa: E402


def fields_of(reading) -> dict[str, str]:
    fact = reading.facts[0] if reading.facts else None
    found = {"kind": str(reading.kind)}
    if fact is not None:
        found.update({"reference": fact.reference or "",
                      "amount": f"{fact.amount:.2f}" if fact.amount else "",
                      "date": fact.date.isoformat() if fact.date else ""})
    return found


def main() -> int:
    caisses = demo_config(Path("/tmp/unused")).caisses
    total = right = 0
    spent: list[float] = []
    print(f"{'variante':12s} " + " ".join(f"{letter.name:>10s}" for letter in LETTERS))
    for how in VARIANTS:
        cells = []
        for letter in LETTERS:
            data = variant(render(letter), how)
            t0 = time.perf_counter()
            paper = read_image(data)
            spent.append(time.perf_counter() - t0)
            got = fields_of(letter_reading(paper, caisses, date(2026, 11, 20)))
            good = sum(got.get(k) == v for k, v in letter.fields.items())
            total += len(letter.fields)
            right += good
            cells.append(f"{good}/{len(letter.fields)}")
        print(f"{how:12s} " + " ".join(f"{c:>10s}" for c in cells))
    print(f"\nchamps justes : {right}/{total} ({100 * right / total:.0f} %) ; "
          f"temps moyen par page : {sum(spent) / len(spent):.2f} s")
    binding()
    return 0


def binding() -> None:
    """Tesseract alone, on the same pages made grey and wide enough: Debian's command through pytesseract
    (what cpambot uses, one thread) against tesserocr's in-process binding, when it is installed (it is
    not a dependency: ``pip install tesserocr`` in a throw-away environment to compare)."""
    import io

    import pytesseract
    from PIL import Image, ImageOps

    pages = []
    for letter in LETTERS:
        for how in ("clean", "skewed", "noisy", "small", "jpeg"):
            page = ImageOps.grayscale(Image.open(io.BytesIO(variant(render(letter), how))))
            pages.append(page.resize((1600, round(page.height * 1600 / page.width))) if page.width < 1600
                         else page)
    t0 = time.perf_counter()
    for page in pages:
        pytesseract.image_to_string(page, lang="fra", config="--psm 3")
    seconds = (time.perf_counter() - t0) / len(pages)
    print(f"Tesseract seul, {len(pages)} pages : pytesseract {seconds:.2f} s par page", end="")
    try:
        import tesserocr  # type: ignore[import-not-found]
    except ImportError:
        print(" ; tesserocr non installé (pip install tesserocr pour le comparer)")
        return
    with tesserocr.PyTessBaseAPI(path="/usr/share/tesseract-ocr/5/tessdata/", lang="fra") as api:
        t0 = time.perf_counter()
        for page in pages:
            api.SetImage(page)
            api.GetUTF8Text()
        print(f", tesserocr {(time.perf_counter() - t0) / len(pages):.2f} s par page")


if __name__ == "__main__":
    sys.exit(main())
