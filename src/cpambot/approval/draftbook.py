"""The draft book: letters waiting for the professional's decision, in the store.

One document per (case, step) in table ``drafts`` — the same letter is never
drafted twice for the same step of the same case. A draft has a short code
(``A7``) for the digest, and a per-draft token (only its hash is stored) that
expires. States:

``pending`` (awaiting approval) → ``approved`` (its e-mail is in the outbox, with
its Message-ID fixed) | ``rejected`` | ``postponed`` (until a date, then pending
again) ; a decision after the validity is refused, and the next digest listing renews it ;
``missing`` (it cannot be written yet: the digest asks for what is missing).

Sending, and the states after it, belong to the outbox; the draft keeps the
Message-ID that links both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cpambot import labels
from cpambot.letters.model import Letter, LetterPlan, MissingInfo
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

DRAFTS = "drafts"
COUNTERS = "counters"
OPEN_STATES = ("pending", "postponed", "missing")


@dataclass(frozen=True)
class DraftChange:
    code: str
    action: str  # "approve", "reject", "postpone", "edit"
    ok: bool
    message: str  # French, for the confirmation e-mail


def draft_key(case_key: str, step: str) -> str:
    return f"{case_key}|{step}"


class DraftBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading --------------------------------------------------------------------

    def all(self) -> Iterator[dict[str, Any]]:
        return self.store.values(DRAFTS)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.store.get(DRAFTS, key)

    def by_code(self, code: str) -> dict[str, Any] | None:
        key = self.store.find(DRAFTS, "code", code.upper())
        return self.get(key) if key else None

    def steps_done(self, case_key: str) -> set[str]:
        """Steps of a case already drafted (whatever became of the draft)."""
        return {d["step"] for d in self.all() if d["case_key"] == case_key
                and d["state"] not in ("missing",)}

    def awaiting(self, today: date) -> list[dict[str, Any]]:
        """Drafts to show in the digest, oldest first."""
        out = []
        for draft in self.all():
            if draft["state"] == "postponed" and draft.get("postponed_until", "") <= today.isoformat():
                draft["state"] = "pending"
                self._save(draft)
            if draft["state"] in ("pending", "missing"):
                out.append(draft)
        return sorted(out, key=lambda d: (d["due"], d["code"]))

    # -- writing --------------------------------------------------------------------

    def _next_code(self) -> str:
        counter = self.store.get(COUNTERS, "draft") or {"next": 1}
        number = int(counter["next"])
        self.store.put(COUNTERS, "draft", {"next": number + 1})
        letter = chr(ord("A") + ((number - 1) // 999) % 26)
        return f"{letter}{(number - 1) % 999 + 1}"

    def _save(self, draft: dict[str, Any]) -> None:
        self.store.put(DRAFTS, draft["key"], draft)

    def propose(self, plan: LetterPlan, result: Letter | MissingInfo, *, case_id: str,
                token_hash: str, token_expires: datetime, now: datetime) -> dict[str, Any] | None:
        """Record a new draft (or the missing information for it); None if this step already has one."""
        key = draft_key(plan.case_key, plan.step)
        existing = self.get(key)
        if existing is not None and existing["state"] != "missing":
            return None
        draft: dict[str, Any] = {
            "key": key, "code": existing["code"] if existing else self._next_code(),
            "case_key": plan.case_key, "case_id": case_id, "kind": plan.kind, "step": plan.step,
            "label": labels.LETTER_KIND[plan.kind], "due": plan.due.isoformat(), "reason": plan.reason,
            "created": now.isoformat(timespec="seconds"), "token_hash": token_hash,
            "token_expires": token_expires.isoformat(timespec="seconds"), "history": [],
            "message_id": None, "announced": False,
        }
        if isinstance(result, MissingInfo):
            draft.update(state="missing", missing=list(result.missing), to=[], cc=[], subject="",
                         body="")
        else:
            draft.update(state="pending", missing=[], to=list(result.to), cc=list(result.cc),
                         subject=result.subject, body=result.body)
        if existing is not None and draft["state"] == "missing" \
                and existing["missing"] == draft["missing"]:
            return None  # still missing the same information
        draft["history"] = (existing or {}).get("history", []) + [
            {"at": now.isoformat(timespec="seconds"), "event": draft["state"]}]
        self._save(draft)
        LOG.info("brouillon %s (%s) pour le dossier %s : %s", draft["code"], plan.kind, case_id,
                 draft["state"])
        return draft

    def decide(self, code: str, action: str, *, now: datetime, days: int | None = None,
               message_id: str | None = None, text: str | None = None,
               today: date | None = None) -> DraftChange:
        """Apply one decision of the approver to the draft with ``code``."""
        draft = self.by_code(code)
        if draft is None:
            return DraftChange(code, action, False, f"{code} : aucun brouillon ne porte ce code")
        state = draft["state"]
        if state == "missing":
            return DraftChange(code, action, False, f"{code} : ce brouillon attend encore des "
                               f"informations ({', '.join(draft['missing'])})")
        if state not in ("pending", "postponed"):
            done = labels.DRAFT_STATE.get(state, state)
            return DraftChange(code, action, False, f"{code} : déjà traité ({done})")
        if now.isoformat() > draft["token_expires"]:  # it stays pending: the next digest renews it
            return DraftChange(code, action, False, f"{code} : proposition expirée, elle sera "
                               "reproposée dans le prochain récapitulatif")
        event = {"at": now.isoformat(timespec="seconds"), "event": action}
        if action == "approve":
            draft.update(state="approved", message_id=message_id,
                         approved_at=now.isoformat(timespec="seconds"))
            message = f"{code} : approuvé, envoi à {', '.join(draft['to'])} — « {draft['subject']} »"
        elif action == "reject":
            draft["state"] = "rejected"
            message = f"{code} : abandonné, il ne sera pas envoyé"
        elif action == "postpone":
            until = ((today or now.date()) + timedelta(days=days or 1)).isoformat()
            draft.update(state="postponed", postponed_until=until)
            event["until"] = until
            message = f"{code} : reporté au {until[8:10]}/{until[5:7]}/{until[0:4]}"
        elif action == "edit":
            draft.setdefault("previous_bodies", []).append(draft["body"])  # an edit can be undone
            draft["body"] = text or draft["body"]
            event["chars"] = len(draft["body"])
            message = f"{code} : texte remplacé par le vôtre ; répondez « OK {code} » pour l'envoyer"
        else:
            return DraftChange(code, action, False, f"{code} : commande inconnue")
        draft["history"].append(event)
        self._save(draft)
        return DraftChange(code, action, True, message)

    def mark(self, draft: dict[str, Any], **fields: Any) -> None:
        draft.update(fields)
        self._save(draft)

