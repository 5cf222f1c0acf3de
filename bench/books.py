#!/usr/bin/env python3
"""Banc d'essai des livres de l'infirmière : `cpambot export`, `cpambot stats` et le tableau du mois que
le premier récapitulatif du mois joint, quand l'historique des factures grandit (ce n'est PAS un test).

    .venv/bin/python bench/books.py [--years 1,3,10] [--runs 3]

Pour chaque taille, un magasin neuf reçoit, par l'API du magasin, les fiches de facture d'une infirmière
très occupée (6 000 factures par an : 25 par jour ouvré, parts AMO et AMC ; 5 % rejetées puis payées
après une relance), étalées sur les années, archivées au-delà de 90 jours comme le fait l'entretien du
jour. Puis, médiane de ``--runs`` passes : (1) le tableau de suivi entier en CSV (``cpambot export``),
(2) les chiffres par mois (``cpambot stats``), (3) le tableau du mois précédent en XLSX (pièce jointe du
récapitulatif). Le plancher : un historique d'un jour, mesuré dans le même lancement. Affiche les temps,
le coût pour 1 000 factures (les rapports de tout l'historique grandissent avec lui : le but est un coût
constant par facture), le rapport du tableau du mois au plancher et la mémoire maximale du processus.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from cpambot.books.invoicebook import InvoiceBook, tracking_table
from cpambot.books.invoices import INVOICES, apply_fact
from cpambot.books.spreadsheet import to_csv, write_xlsx
from cpambot.books.stats import figures
from cpambot.cases.casebook import CaseBook
from cpambot.service.maintenance import maintain_daily
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, FactKind

TODAY = date(2026, 12, 1)
PER_YEAR = 6000


def build(folder: Path, days: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    count = max(10, PER_YEAR * days // 365)
    with Store.open(folder) as store:
        for n in range(count):
            day = TODAY - timedelta(days=days * n // count + 1)
            invoice = f"{100000000 + n:09d}"
            amount = Decimal(rng.choice(("9.21", "15.75", "31.50", "47.25")))
            facts = [Fact(FactKind.INVOICE_PAID, caisse="974", invoice=invoice, lot=f"{n % 999:03d}",
                          amount=amount * Decimal("0.6"), date=day + timedelta(days=6), part="AMO",
                          details={"billed": str(amount * Decimal("0.6"))})]
            if rng.random() < 0.05:
                facts.insert(0, Fact(FactKind.INVOICE_REJECTED, caisse="974", invoice=invoice, amount=amount,
                                     reject_code="2900", label="FACTURE DEJA PAYEE", date=day, part="AMO"))
            record = None
            for i, fact in enumerate(facts):
                record = apply_fact(record, fact, source=f"m{n}-{i}", received=fact.date or day)
            assert record is not None
            store.put(INVOICES, invoice, record.to_doc(), defer=True)
        store.commit()
        maintain_daily(store, __import__("datetime").datetime(2026, 12, 1, 9, 0))
    return count


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(folder: Path, runs: int) -> dict[str, float]:
    month_start, month_end = date(2026, 11, 1), date(2026, 11, 30)
    out = {}
    with Store.open(folder, readonly=True) as store:
        out["export"] = timed(lambda: to_csv(tracking_table(store)), runs)
        out["stats"] = timed(lambda: figures(InvoiceBook(store).records(), CaseBook(store).all(archived=True),
                                             TODAY), runs)
        with tempfile.TemporaryDirectory() as tmp:
            out["mois"] = timed(lambda: write_xlsx(tracking_table(store, month_start, month_end),
                                                   Path(tmp) / "m.xlsx"), runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", default="1,3,10")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [("1 jour", 1)] + [(f"{y} an{'s' if int(y) > 1 else ''}", 365 * int(y))
                              for y in args.years.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cpambot-books-") as tmp:
        for label, days in sizes:
            folder = Path(tmp) / str(days)
            count = build(folder, days)
            rows.append((label, count, measure(folder, args.runs)))
    floor = rows[0][2]
    print(f"{'historique':<10} {'factures':>8}  {'export (s)':>11} {'stats (s)':>10} {'mois xlsx (s)':>14}"
          "   ms pour 1 000 factures (export, stats)")
    for label, count, got in rows:
        per = " ".join(f"{1e6 * got[k] / count:.0f}" for k in ("export", "stats"))
        print(f"{label:<10} {count:>8}  {got['export']:>11.3f} {got['stats']:>10.3f} {got['mois']:>14.3f}"
              f"   {per}")
    # the whole history's reports grow with it (a constant cost per invoice is the target: linear, not
    # worse); the month's attachment is the digest's, and is compared with the floor's
    print("rapport du tableau du mois au plancher : "
          + ", ".join(f"{label} x{got['mois'] / floor['mois']:.1f}" for label, _, got in rows[1:]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"mémoire maximale du processus : {peak:.0f} Mio")

if __name__ == "__main__":
    main()
