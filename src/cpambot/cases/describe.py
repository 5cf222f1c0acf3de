"""A case told in French, whole: its situation, deadlines and history (``cpambot case`` and the answer to
DÉTAIL C3). Pure."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cpambot import labels
from cpambot.cases.by_hand import LETTER_UNDATED, RECEIPT_ASKED
from cpambot.cases.model import Case


def fr_date(day: date | str) -> str:
    """``date(2026, 3, 2)`` or ``"2026-03-02"`` → ``02/03/2026``."""
    iso = day.isoformat() if isinstance(day, date) else day
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def euro_figure(amount: Decimal) -> str:
    """``Decimal("12.5")`` → ``12,50`` (the figure alone, for tables and texts that add the €)."""
    return f"{amount:.2f}".replace(".", ",")


def case_detail(case: Case, today: date | None = None) -> str:
    """The whole case in French; a deadline before ``today`` reads "dépassée"."""
    lines = [f"Dossier {case.id} — {labels.CASE_TYPE[case.type]} ({labels.CASE_STATE[case.state]})",
             f"Situation : {case.status or '—'}"]
    for label, value in (("Caisse", case.caisse), ("Lot", case.lot), ("Facture", case.invoice),
                         ("Référence", case.reference), ("Part", case.part),
                         ("Code rejet", case.reject_code)):
        if value:
            lines.append(f"{label} : {value}")
    if case.amount is not None:
        lines.append(f"Montant : {euro_figure(case.amount)} €")
    if case.advice:
        lines.append(f"Conseil : {case.advice}")
    if case.needs_review:
        lines.append(f"À faire par vous : {case.needs_review}")
    if RECEIPT_ASKED in case.flags:
        lines.append(f"À faire par vous : dire le jour où ce courrier papier vous est parvenu (répondez "
                     f"« REÇU {case.id} JJ/MM ») ; en attendant, les délais sont comptés depuis la date du "
                     "courrier")
    if LETTER_UNDATED in case.flags:
        lines.append("Note : la date du courrier n'a pas pu être lue sur la photo.")
    if "motivation_tardive" in case.flags:
        lines.append("Note : le détail de l'indu est arrivé après la notification "
                     "(argument de motivation insuffisante).")
    if case.deadlines:
        lines.append("Échéances :")
        for d in sorted(case.deadlines, key=lambda d: d.due):
            extra = (f" (expiration légale reportée au {fr_date(d.legal_expiry)})"
                     if d.legal_expiry != d.due else "")
            late = " (dépassée)" if today is not None and d.legal_expiry < today else ""
            what = labels.DEADLINE.get(d.name, d.name)
            lines.append(f"  {fr_date(d.due)}{late} — {what}{extra} — {d.basis}")
    lines.append(f"Ouvert le {fr_date(case.opened)}, mis à jour le {fr_date(case.updated)}"
                 + (f", clos le {fr_date(case.closed)}" if case.closed else ""))
    lines.append("Historique :")
    for event in case.history:
        lines.append(f"  {fr_date(event.date)} — {event.text}")
    return "\n".join(lines)
