"""``cpambot drafts``: the drafts and their sendings — codes, states, recipients — as a table with its
header and whole addresses, or as JSON."""

from __future__ import annotations

import json
import sys

from cpambot import labels
from cpambot.store.database import Store


def show_drafts(store: Store, *, as_json: bool) -> int:
    from cpambot.approval.draftbook import DRAFTS
    from cpambot.sending.journal import OutboxJournal

    drafts = sorted(store.values(DRAFTS), key=lambda d: (d["created"], d["code"]))
    sending = {e.message_id: e for e in OutboxJournal(store).entries()}
    rows = []
    for draft in drafts:
        doc = sending.get(draft.get("message_id") or "")
        rows.append({"code": draft["code"], "case": draft["case_id"], "kind": draft["kind"],
                     "state": draft["state"], "due": draft["due"], "to": draft.get("to", []),
                     "subject": draft.get("subject", ""), "missing": draft.get("missing", []),
                     "sending": doc.state.value if doc else None,
                     "sending_reason": doc.reason if doc else None})
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not rows:
        print("Aucun brouillon.")
        return 0
    lines = [("code", "dossier", "état", "à envoyer avant le", "destinataires", "objet ou ce qui manque")]
    for row in rows:
        state = labels.DRAFT_STATE.get(row["state"], row["state"])
        if row["sending"]:
            state += f", envoi : {labels.SEND_STATE.get(row['sending'], row['sending'])}"
        what = row["subject"] or ("il manque " + ", ".join(row["missing"]))
        due = f"{row['due'][8:10]}/{row['due'][5:7]}/{row['due'][0:4]}" if row["due"] else ""
        lines.append((row["code"], row["case"], state, due, ", ".join(row["to"]), what))
    # (columns as wide as their longest cell: an address is never cut)
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    for line in lines:
        cells = "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
        print(f"{cells}  {line[5]}")
    return 0
