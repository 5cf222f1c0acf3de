"""The kind of a message from its structure beside its words: the keyword scores corrected by the rows
a message lists (a table of rejects is a lot return whatever its rows ask), by a réclamation answered
invoice by invoice, and by a decision that cites the notification it follows."""

from __future__ import annotations

import re
from typing import Any

from cpambot.understanding.classify import (
    arl_text,
    constat,
    cra,
    indu,
    informational,
    pieces,
    reclamation,
    retenue,
    retour_lots,
)
from cpambot.understanding.classify.answers import told_apart
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.facts import MessageKind
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Status, read_rows, returns_evidence

THRESHOLD = 0.5  # a kind is read at this score; below, the message is shown to be sorted


def ruling_over_notification(source: ParsedMessage,
                              scores: list[tuple[float, int, Any]]) -> list[tuple[float, int, Any]]:
    """A decision of the commission, or one to recover the debt by deductions, always cites the
    notification it follows ("Rappel : notification de payer n° …", "Par notification de payer du 12
    juin 2026…"); a notification never tells such a decision. When both are read as likely, the
    decision wins (a mise en demeure or a complement keeps its own title)."""
    by = {module: score for score, _, module in scores}
    if min(by.get(constat, 0.0), by.get(indu, 0.0)) >= THRESHOLD and indu.notifies(source):
        # ("Par courrier du 28 juillet 2026, nous vous avons adressé un constat d'anomalies … nous vous
        # notifions un indu d'un montant de 846,20 €": the notification cites the constat it follows)
        scores = [(min(s, by[indu] - 0.001) if m is constat else s, i, m) for s, i, m in scores]
    ruling = max((cra, retenue), key=lambda m: by.get(m, 0.0))
    if by.get(ruling, 0.0) < THRESHOLD or by.get(indu, 0.0) < by.get(ruling, 0.0) \
            or indu._sub_kind(source)[0] not in (None, MessageKind.NOTIFICATION_INDU):
        return scores
    return [(min(score, by[ruling] - 0.001) if module is indu else score, index, module)
            for score, index, module in scores]


_EXAMPLES = re.compile(r"\b(?:extraits?|exemples?|donnees|cas) fictifs?\b"
                       r"|\bdonnees (?:ci-dessous |ci-dessus )?sont (?:des exemples|fictives)"
                       r"|ne concernent pas votre activite")


def with_evidence(source: ParsedMessage,
                   scores: list[tuple[float, int, Any]]) -> list[tuple[float, int, Any]]:
    """Keyword scores corrected by the message's structure: a table of rejected invoices (codes,
    paid rows beside rejects, several instructions) is a lot return even when its rows ask for a
    prescription — reading it as a pièces request would advise not to re-bill invoices the caisse
    asks to correct and re-transmit."""
    by = {module: score for score, _, module in scores}
    if by.get(informational, 0.0) >= THRESHOLD and _EXAMPLES.search(normalize(source.all_text())):
        # a letter of information whose table says it is made up ("Voici un extrait fictif … Les données
        # ci-dessous sont des exemples : elles ne concernent pas votre activité"): no lot of hers
        return [(max(s, 0.95) if m is informational else min(s, 0.9), i, m) for s, i, m in scores]
    best, _, leader = max(scores, key=lambda s: (s[0], s[1]))
    if best >= 0.9 and leader not in (pieces, retour_lots, informational, constat) \
            or best >= 0.8 and leader is arl_text:  # ("ACCUSE DE RECEPTION LOGIQUE" as the body's title)
        return scores  # an indu, a CRA decision, a réclamation answer: its title settles it
    rows = read_rows(source)
    evidence = returns_evidence(rows)
    if not evidence:
        return scores
    if told_apart(rows.rows) and reclamation.is_answer(source):
        # "Nous faisons suite à votre réclamation … voici la situation de chacune d'elles": paid, rejected,
        # still under study — her réclamation answered invoice by invoice, not a lot return
        top = max(evidence, *(s for s, _, _ in scores)) + 0.01
        return [(top if m is reclamation else s, i, m) for s, i, m in scores]
    paid_only = all(r.status is Status.PAID for r in rows.rows if r.invoice)
    asked = by.get(pieces, 0.0) >= 0.9 or by.get(pieces, 0.0) >= THRESHOLD and not by.get(retour_lots)
    if paid_only and (asked or any(m in (reclamation, indu, cra, retenue) and s >= THRESHOLD
                                   for s, _, m in scores)):
        # invoices paid after a réclamation: the answer, with its payments; invoices paid then claimed
        # back by an indu (its title in the body), a CRA ruling or a retenue, or whose prescriptions a
        # control asks for ("Montant remboursé", in words no lot return uses): the acts the letter is
        # about, not a payment notice
        return scores
    out = []
    for score, index, module in scores:
        if module is retour_lots:
            score = max(score, evidence)
        elif module is pieces and evidence >= 0.9:
            score = min(score, evidence - 0.05)
        out.append((score, index, module))
    return out
