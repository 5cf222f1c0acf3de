"""Benchmark: reading messages (classification + extraction + case update) vs a bare mail-parser loop.

Not a test. Run: ``.venv/bin/python bench/parse.py [--messages 10000]``.

The corpus is every relevant message of the test fixtures (the corpus and the voices batches)
and of the demo mailbox, repeated until ``--messages`` is reached. The reader's caches of text
(folded text, invoice numbers) are emptied before every message: a repeated message must not be
read faster than a new one would be. In the same run it measures:

* (r) cpambot's reading: ``cpambot.understanding.reader.read_message`` then ``CaseBook.apply_reading``
  into a real store (the work the processing stage does per message, minus disk I/O);
* (f) the floor for the chosen parser: ``mailparser.parse_from_bytes`` on the same bytes,
  touching subject, bodies and attachments.

It prints both rates, the ratio (r)/(f) and the mean time per message.
Targets (issue 4): ratio ≤ 1.5 and under 2 ms per message on average.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mailparser  # noqa: E402

from cpambot.cases.casebook import CaseBook  # noqa: E402
from cpambot.mailbox.headers import header_block, summarize  # noqa: E402
from cpambot.mailbox.senders import SenderPolicy, assess  # noqa: E402
from cpambot.store.database import Store  # noqa: E402
from cpambot.understanding.classify.text.normalize import normalize  # noqa: E402
from cpambot.understanding.reader import read_message  # noqa: E402
from cpambot.understanding.rows.cells import _invoices_in  # noqa: E402

TEXT_CACHES = (normalize, _invoices_in)


def load_corpus() -> list[tuple[bytes, str]]:
    """(raw, category) of every relevant message of the fixtures and the demo."""
    policy = SenderPolicy.build(approvers=["marie.exemple@example.org"])
    paths = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("*.eml"))
    paths += sorted((ROOT / "tests" / "fixtures" / "voices").glob("*/*.eml"))
    paths += sorted((ROOT / "src" / "cpambot" / "demo" / "maildir" / "cur").iterdir())
    corpus = []
    for path in paths:
        raw = path.read_bytes()
        relevance = assess(summarize(header_block(raw), len(raw)), policy)
        if relevance.fetch_body:
            corpus.append((raw, relevance.category))
    return corpus


def floor(messages: list[tuple[bytes, str]]) -> float:
    t0 = time.perf_counter()
    for raw, _category in messages:
        parsed = mailparser.parse_from_bytes(raw)
        _ = (parsed.subject, parsed.text_plain, parsed.text_html, parsed.attachments)
    return time.perf_counter() - t0


def reading(messages: list[tuple[bytes, str]]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        book = CaseBook(store)
        today = date(2026, 7, 1)
        t0 = time.perf_counter()
        for i, (raw, category) in enumerate(messages):
            for cache in TEXT_CACHES:
                cache.cache_clear()
            result = read_message(raw, category)
            book.apply_reading(result, source=f"m{i}", received=today, today=today)
        elapsed = time.perf_counter() - t0
        store.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.CRITICAL)  # mail-parser warns about every EDI part
    corpus = load_corpus()
    messages = (corpus * (args.messages // len(corpus) + 1))[: args.messages]
    size = sum(len(raw) for raw, _ in messages) / len(messages)
    print(f"== cpambot — banc de lecture ({len(messages)} messages, {len(corpus)} distincts, "
          f"taille moyenne {size / 1024:.1f} Kio) ==")
    floors, readings = [], []
    for run in range(1, args.runs + 1):
        gc.collect()
        f = floor(messages)
        gc.collect()
        r = reading(messages)
        floors.append(f)
        readings.append(r)
        print(f"  passe {run} : plancher mail-parser {f:.2f} s, lecture cpambot {r:.2f} s")
    f, r = statistics.median(floors), statistics.median(readings)
    n = len(messages)
    ratio = r / f
    per_msg = r / n * 1000
    print("\n== Résultats (médianes) ==")
    print(f"(f) plancher mail-parser.parse_from_bytes : {n / f:8.0f} msg/s ({f / n * 1000:.2f} ms/message)")
    print(f"(r) lecture + extraction + dossiers       : {n / r:8.0f} msg/s ({per_msg:.2f} ms/message)")
    print(f"    rapport (r)/(f)                        : {ratio:8.2f}  cible ≤ 1.5 → "
          f"{'OK' if ratio <= 1.5 else 'MANQUÉ'}")
    print(f"    temps moyen par message                : {per_msg:8.2f} ms cible < 2 ms → "
          f"{'OK' if per_msg < 2 else 'MANQUÉ'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
