"""French renderings of polls, ledger rows and cases, for the CLI, the service's log and the demo."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cpambot.service.poll import PollReport
from cpambot import labels
from cpambot.cases.describe import euro_figure, fr_date
from cpambot.cases.model import Case
from cpambot.mailbox.headers import decode_text, iso_date
from cpambot.mailbox.ledger import LedgerRow, LedgerState
from cpambot.mailbox.senders import Category


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return labels.count(count, singular, plural_form)


def sync_summary(poll: PollReport) -> str:
    report = poll.sync
    lines = []
    for f in report.folders:
        head = f"Compte « {f.account} », dossier « {f.folder} » : "
        if f.error and not f.new:
            lines.append(head + f"ERREUR — {f.error}")
            continue
        parts = [plural(f.new, "nouveau message", "nouveaux messages")]
        if f.new:
            cats = ", ".join(labels.counted(n, labels.CATEGORY_COUNTED, c)
                             for c, n in sorted(f.categories.items()))
            parts.append(plural(f.relevant, "pertinent") + (f" ({cats})" if cats else ""))
            parts.append(plural(f.ignored, "ignoré"))
        if f.duplicates:
            parts.append(plural(f.duplicates, "doublon écarté", "doublons écartés"))
        if f.uidvalidity_changed:
            parts.append("UIDVALIDITY modifiée : dossier relu sans doublon")
        lines.append(head + " ; ".join(parts))
        if f.error:
            lines.append(f"  ERREUR — {f.error}")
    if not report.folders:
        lines.append("Aucun compte configuré.")
    proc = poll.processing
    if proc.processed:
        read = sum(proc.kinds.values())  # (the kinds add up to the messages read)
        kinds = ", ".join(labels.counted(n, labels.MESSAGE_KIND_COUNTED, k)
                          for k, n in sorted(proc.kinds.items()))
        touched = plural(len(proc.cases_touched), "dossier ouvert ou mis à jour",
                         "dossiers ouverts ou mis à jour")
        lines.append(f"Lecture : {plural(read, 'message lu', 'messages lus')}"
                     + (f" ({kinds})" if kinds else "") + f", {touched}")
        if proc.to_review:
            lines.append(f"{plural(proc.to_review, 'message')} à lire ou à trier par vous : "
                         "voir « cpambot cases »")
    if proc.failed:
        stays = "Ils restent" if proc.failed > 1 else "Il reste"
        lines.append(f"{plural(proc.failed, 'message en échec', 'messages en échec')} : voir « cpambot "
                     f"ledger --etat failed ». {stays} dans la boîte aux lettres.")
    return "\n".join(lines)


def _cut(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def ledger_table(rows: Iterable[LedgerRow]) -> str:
    rows = list(rows)
    wide = max([len("expéditeur"), *(len(r.from_addr or "") for r in rows)])  # (an address is never cut)
    out = [f"{'compte/dossier':<22} {'UID':>6}  {'état':<9} {'catégorie':<20} "
           f"{'expéditeur':<{wide}} objet / raison"]
    for row in rows:
        where = _cut(f"{row.account}/{row.folder}", 22)
        reason = row.reason or row.relevance or ""
        out.append(f"{where:<22} {row.uid:>6}  {labels.LEDGER_STATE.get(row.state, row.state):<9} "
                   f"{_cut(labels.CATEGORY.get(row.category, row.category), 20):<20} "
                   f"{row.from_addr or '':<{wide}} {_cut(decode_text(row.subject), 50)}")
        if reason and row.state in _SHOWN_REASON and row.category != Category.OTHER:
            out.append(f"{'':<32}↳ {reason}")
    return "\n".join(out)


_SHOWN_REASON = (LedgerState.FAILED, LedgerState.IGNORED)


def ledger_json(row: LedgerRow) -> dict[str, Any]:
    """A row for ``cpambot ledger --json``: the stored row, its subject decoded, and the date of
    an unrelated message read from its raw Date header."""
    out = row.to_doc()
    out["subject"] = decode_text(row.subject)
    if not row.date and row.date_raw:
        out["date"] = iso_date(row.date_raw)
    return out


# --------------------------------------------------------------------------- cases


CASE_JSON_KEYS = ("id", "type", "state", "status", "caisse", "lot", "invoice", "amount", "reject_code",
                  "family", "reference", "part", "advice", "needs_review", "opened", "updated", "closed",
                  "deadlines", "flags")


def case_json(case: Case, *, history: bool = False) -> dict[str, Any]:
    """The stable JSON of ``cpambot cases --json`` (README): the case as stored, some keys of it."""
    doc = case.to_doc()
    out = {key: doc.get(key) for key in CASE_JSON_KEYS}
    if history:
        out["history"] = doc["history"]
    return out


def next_deadline(case: Case, today: date | None = None) -> str:
    """The case's nearest deadline; "dépassée" when it is before ``today``."""
    first = min(case.deadlines, key=lambda d: d.due, default=None)
    if first is None:
        return ""
    late = "dépassée : " if today is not None and first.due < today else ""
    return f"{late}{fr_date(first.due)} {labels.DEADLINE.get(first.name, first.name)}"


def cases_table(cases: Iterable[Case], today: date | None = None) -> str:
    out = [f"{'dossier':<7} {'type':<18} {'état':<10} {'caisse':<9} {'lot':<4} {'facture':<10} "
           f"{'montant':>10}  {'prochaine échéance':<44} situation"]
    for case in cases:
        amount = f"{euro_figure(case.amount)} €" if case.amount is not None else ""
        out.append(f"{case.id:<7} {_cut(labels.CASE_TYPE[case.type], 18):<18} "
                   f"{labels.CASE_STATE[case.state]:<10} {_cut(case.caisse, 9):<9} "
                   f"{case.lot or '':<4} {case.invoice or '':<10} "
                   f"{amount:>10}  {_cut(next_deadline(case, today), 44):<44} "
                   f"{_cut(case.status, 60)}")
    return "\n".join(out)
