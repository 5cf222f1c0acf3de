"""French, human-readable renderings of sync reports and ledger rows for the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .app import PollReport
from .facts import MESSAGE_KINDS
from .ledger import STATE_LABELS

CATEGORY_LABELS = {
    "caisse": "caisse",
    "amc": "complémentaire",
    "approver": "approbateur",
    "reply": "réponse au robot",
    "suspect": "usurpation probable",
    "own": "envoyé par le robot",
    "other": "sans rapport",
}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count <= 1 else (plural_form or singular + 's')}"


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
            cats = ", ".join(f"{n} {CATEGORY_LABELS.get(c, c)}" for c, n in sorted(f.categories.items()))
            parts.append(f"{f.relevant} pertinent(s)" + (f" ({cats})" if cats else ""))
            parts.append(f"{f.ignored} ignoré(s)")
        if f.duplicates:
            parts.append(plural(f.duplicates, "doublon") + " écarté(s)")
        if f.uidvalidity_changed:
            parts.append("UIDVALIDITY modifiée : dossier relu sans doublon")
        lines.append(head + " ; ".join(parts))
        if f.error:
            lines.append(f"  ERREUR — {f.error}")
    if not report.folders:
        lines.append("Aucun compte configuré.")
    proc = poll.processing
    if proc.processed:
        kinds = ", ".join(f"{n} {MESSAGE_KINDS.get(k, k)}" for k, n in sorted(proc.kinds.items()))
        lines.append(f"Lecture : {proc.done} message(s) lu(s)" + (f" ({kinds})" if kinds else "")
                     + f", {len(proc.cases_touched)} dossier(s) ouvert(s) ou mis à jour")
        if proc.to_review:
            lines.append(f"{proc.to_review} message(s) à lire ou à trier par vous : voir « cpambot cases »")
    if proc.failed:
        lines.append(f"{proc.failed} message(s) en échec : voir « cpambot ledger --etat failed ». "
                     "Ils restent dans la boîte aux lettres.")
    return "\n".join(lines)


def _cut(text: str | None, width: int) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def ledger_table(rows: Iterable[dict[str, Any]]) -> str:
    out = [f"{'compte/dossier':<22} {'UID':>6}  {'état':<9} {'catégorie':<20} "
           f"{'expéditeur':<32} objet / raison"]
    for row in rows:
        where = _cut(f"{row['account']}/{row['folder']}", 22)
        reason = row.get("reason") or row.get("relevance") or ""
        out.append(f"{where:<22} {row['uid']:>6}  {STATE_LABELS.get(row['state'], row['state']):<9} "
                   f"{_cut(CATEGORY_LABELS.get(row['category'], row['category']), 20):<20} "
                   f"{_cut(row.get('from'), 32):<32} {_cut(row.get('subject'), 50)}")
        if reason and row["state"] in ("failed", "ignored") and row["category"] != "other":
            out.append(f"{'':<32}↳ {reason}")
    return "\n".join(out)
