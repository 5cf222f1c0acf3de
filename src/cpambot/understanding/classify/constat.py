"""Constat d'anomalies de facturation: a control found anomalies, before any indu.

Recognised by "constat d'anomalies", "anomalies de facturation". One
``anomalies_found`` fact: the dossier reference, the total amount (stated in the
letter and/or the TOTAL row of the attached table; they must agree), the letter's
date, the control period and the delay for observations.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cpambot.understanding.classify.text.amounts import amount_after, find_amounts, parse_amount
from cpambot.understanding.classify.text.dates import date_after, find_delay, letter_date
from cpambot.understanding.classify.text.keywords import keyword_score, keywords, zones
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import reference_after
from cpambot.understanding.classify.text.tables import column, find_tables
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

# a constat an earlier letter sent ("Par courrier du 29 septembre 2026, nous vous avons adressé un constat
# d'anomalies"): cited, not sent (a convocation, an answer)
_SENT_BEFORE = ("(?<!adresse\\x20un\\x20)(?<!transmis\\x20un\\x20)(?<!envoye\\x20un\\x20)"
                "(?<!notifie\\x20un\\x20)")
KEYWORDS = keywords(
    (_SENT_BEFORE + "constat d'anomalies", 1.0),
    ("constat (?:des|d'une) anomalies?", 0.95),
    ("(?<!constat\\x20d')anomalies de (?:facturation|tarification|cotation)", 0.9),
    ("controle de (?:l'application des regles de )?(?:tarification|facturation)", 0.6),
    ("controle de (?:votre|vos) (?:facturation|factures|activite)", 0.8),
    ("demande d'observations", 0.8),
    ("ecarts? (?:suivants? )?(?:ont ete |a ete )?constates?", 0.85),
    ("procedure contradictoire", 0.7),
)


# a control that claims nothing and only reminds the rules ("Cette analyse n'a pas donné lieu à une
# notification d'indu", "Aucune somme ne vous est réclamée"): information, not a constat to answer
_NO_CLAIM = re.compile(r"n'a\s+pas\s+donne\s+lieu\s+a\s+(?:une\s+)?(?:notification|indu|recuperation)"
                       r"|aucune\s+somme\s+ne\s+vous\s+est\s+reclamee|ne\s+pas\s+engager\s+de\s+procedure")


_TOTAL_LINE = re.compile(r"(?i)^\s*total\b")


def match(msg: ParsedMessage) -> float:
    score = keyword_score(msg, KEYWORDS, ("anomalie", "controle", "observations", "ecart", "contradictoire"))
    if score and any(_NO_CLAIM.search(text) for _, text in zones(msg)):
        return min(score, 0.45)
    return score


def table_summary(msg: ParsedMessage) -> dict:
    """TOTAL row, row count and distinct grievances of the attached anomaly table(s)."""
    total = None
    rows_count = 0
    griefs: list[str] = []
    for source in (a.text for a in msg.attachments if a.text):
        for header, rows in find_tables(source):
            amount_col = column(header, r"montant (?:en ecart|indu|total|retenu)", r"montant$",
                                  r"montant")
            grief_col = column(header, r"grief", r"anomalie", r"motif")
            for row in rows:
                if normalize(row[0]).startswith("total"):
                    if amount_col is not None:
                        total = parse_amount(row[amount_col])
                    continue
                rows_count += 1
                if grief_col is not None and row[grief_col] and row[grief_col] not in griefs:
                    griefs.append(row[grief_col])
    return {"total": total, "rows": rows_count, "griefs": griefs}


def stated_amount(text: str) -> Decimal | None:
    found = amount_after(text, r"montant total[^\d\n]{0,60}?", 60)
    if found is None:
        found = amount_after(text, r"(?:d'un|pour un) montant (?:total )?de\s*", 20)
    return found


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    full = msg.all_text()
    problems: list[str] = []
    reference = (reference_after(full, r"dossier\s*(?:de contr[oô]le)?\s*(?:n[°o])?\s*:?")
                 or reference_after(full, r"r[ée]f[ée]rence\s*:?"))
    table = table_summary(msg)
    stated = stated_amount((msg.subject or "") + "\n" + (msg.text or ""))
    if stated is None:
        stated = stated_amount("\n".join(a.text for a in msg.attachments if a.text))
    if table["total"] is None:  # a table in the body: "Total | 181,90 €"
        totals = {v for line in (msg.text or "").splitlines() if _TOTAL_LINE.match(line)
                  for v in find_amounts(line)[-1:]}
        table["total"] = totals.pop() if len(totals) == 1 else None
    amount = stated if stated is not None else table["total"]
    if stated is not None and table["total"] is not None and stated != table["total"]:
        problems.append(f"montant annoncé ({stated} €) différent du total du tableau "
                        f"({table['total']} €)")
        amount = None
    letter = letter_date("\n".join([*(a.text for a in msg.attachments if a.text), msg.text or ""]))
    when = letter or (msg.date.date() if msg.date else None)
    details: dict = {}
    period = date_after(full, r"p[ée]riode\s*(?:du|de contr[oô]le du)?\s*", span=2)
    end = date_after(full, r"p[ée]riode\s*(?:du)?\s*\S+\s*au\s*", span=2) if period else None
    if period and end:
        details.update(period_start=period, period_end=end)
    delay = find_delay(full)
    if delay:
        details["observation_delay"] = {"count": delay[0], "unit": delay[1]}
    if table["rows"]:
        details.update(table_rows=table["rows"], griefs=table["griefs"])
    label = "; ".join(table["griefs"]) or None
    fact = Fact(FactKind.ANOMALIES_FOUND, caisse=caisse, amount=amount, reference=reference, date=when,
                label=label, details=details)
    review = None
    if problems:
        review = "constat d'anomalies : montants contradictoires, à vérifier"
    elif amount is None:
        review = "constat d'anomalies sans montant lisible : à lire"
    fields = {"reference": reference, "amount": amount, "letter_date": when, **details}
    return Reading(kind=MessageKind.CONSTAT_ANOMALIES, trust=trust, caisse=caisse, facts=(fact,),
                   fields=fields, needs_review=review, problems=tuple(problems))
