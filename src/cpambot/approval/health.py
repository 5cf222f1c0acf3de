"""The bot's own health, as the digest tells it: each mailbox's last good reading and its error, IDLE,
and the letters waiting to leave. Pure: the shell gives the values and ``now``.

A broken bot must never look like a quiet week: a mailbox that refuses the bot's credentials, or that
could not be read for ``stale_after``, is an urgent reason (the digest then leaves at once). Each
reason's words stay the same while the problem lasts — it names the day of the last good reading, not
the hours since — so that it is told once, not at every poll.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo


@dataclass(frozen=True)
class MailboxHealth:
    """What the last polls said of one configured mailbox."""

    account: str
    last_ok: datetime | None  # the last reading without error
    error: str | None = None  # the current error, French (None: the last poll read it)
    error_since: datetime | None = None
    auth_failed: bool = False  # the server refused the credentials
    idle: bool | None = None  # IDLE watcher alive; None: not watched (polling only)

    def to_doc(self) -> dict[str, object]:
        return {"last_ok": self.last_ok.isoformat() if self.last_ok else None, "error": self.error,
                "error_since": self.error_since.isoformat() if self.error_since else None,
                "auth_failed": self.auth_failed, "idle": self.idle}

    @classmethod
    def from_doc(cls, account: str, doc: dict[str, object]) -> MailboxHealth:
        def when(key: str) -> datetime | None:
            value = doc.get(key)
            return datetime.fromisoformat(value) if isinstance(value, str) and value else None
        idle = doc.get("idle")
        error = str(doc["error"]) if doc.get("error") else None
        return cls(account, when("last_ok"), error, when("error_since"), bool(doc.get("auth_failed")),
                   idle if isinstance(idle, bool) else None)


def after_poll(previous: MailboxHealth | None, account: str, now: datetime, error: str | None, *,
               auth_failed: bool = False, idle: bool | None = None) -> MailboxHealth:
    """A mailbox's health once a poll read it (``error`` None) or failed to."""
    last_ok = previous.last_ok if previous else None
    if error is None:
        return MailboxHealth(account, now, idle=idle)
    since = previous.error_since if previous is not None and previous.error else now
    return MailboxHealth(account, last_ok, error, since, auth_failed, idle)


def _local(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y à %H:%M")


def health_reasons(boxes: Sequence[MailboxHealth], *, now: datetime, stale_after: timedelta,
                   tz: tzinfo) -> list[str]:
    """The urgent reasons the mailboxes give (see the module docstring)."""
    reasons = []
    for box in boxes:
        if box.error and box.auth_failed:
            reasons.append(f"la boîte « {box.account} » ne peut plus être lue ({box.error}) : plus rien n'y "
                           "est lu tant que ce n'est pas corrigé")
        elif box.error and box.last_ok is None and box.error_since is not None \
                and now - box.error_since >= stale_after:
            reasons.append(f"la boîte « {box.account} » n'a encore jamais pu être lue "
                           f"(en erreur depuis le {_local(box.error_since, tz)})")
        elif box.error and box.last_ok is not None and now - box.last_ok >= stale_after:
            reasons.append(f"la boîte « {box.account} » n'a pas été lue depuis le {_local(box.last_ok, tz)}")
    return reasons


def health_lines(boxes: Sequence[MailboxHealth], *, queued: int, uncertain: int, tz: tzinfo) -> list[str]:
    """The "État du robot" block, one French line each."""
    lines = []
    for box in boxes:
        if box.error:
            since = f" depuis le {_local(box.error_since, tz)}" if box.error_since else ""
            good = f"le {_local(box.last_ok, tz)}" if box.last_ok else "jamais"
            lines.append(f"boîte « {box.account} » : ERREUR{since} : {box.error} (dernière lecture réussie : "
                         f"{good})")
            continue
        last = f"lue le {_local(box.last_ok, tz)}" if box.last_ok else "jamais lue"
        watch = {True: " ; surveillance instantanée (IDLE) active",
                 False: " ; surveillance instantanée (IDLE) arrêtée : relève périodique seulement",
                 None: ""}[box.idle]
        lines.append(f"boîte « {box.account} » : {last}{watch}")
    if not boxes:
        lines.append("aucune boîte n'a encore été lue")
    letters = (f"{queued} courrier{'s' if queued > 1 else ''} en attente d'envoi" if queued
               else "aucun courrier en attente d'envoi")
    if uncertain:
        plural = "s" if uncertain > 1 else ""
        letters += f", {uncertain} envoi{plural} incertain{plural}"
    lines.append(letters)
    return lines
