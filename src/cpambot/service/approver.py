"""Every e-mail the bot sends to the approver — a draft on its own, the digest, the confirmation of a
reply — and the memory of them that a genuine reply must reference.

Tables it keeps: ``sent_ids`` (every Message-ID the bot sent to the approver, with its kind and
the draft codes it showed), ``replies`` (every reply obeyed, so that it is obeyed once), ``refusals``
(replies refused, reported in the next digest), ``meta``
(the last digest: when, and the urgent reasons it told).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cpambot import labels
from cpambot.approval.digest import Digest, SendingProblem, build_digest
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.health import health_lines, health_reasons
from cpambot.approval.mails import confirmation_text, digest_texts, notice_text
from cpambot.approval.model import WITH_HER, Draft, DraftState, Refusal
from cpambot.approval.tokens import new_token
from cpambot.books.calendar import Reminder
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock
from cpambot.config.model import Config
from cpambot.letters.model import Letter
from cpambot.randomness import Random
from cpambot.sending.mime import is_message_id, make_message_id
from cpambot.sending.outbox import Outbox
from cpambot.service.books_mail import CALENDAR_KEY, digest_books
from cpambot.service.health import mailbox_health
from cpambot.store.database import Store

LOG = logging.getLogger(__name__)

SENT_IDS = "sent_ids"
REPLIES = "replies"  # every reply of the approver obeyed, by Message-ID and by digest of its words
REFUSALS = "refusals"
META = "meta"


@dataclass(frozen=True)
class SentToApprover:
    """What the bot remembers of one e-mail it sent to the approver (table ``sent_ids``)."""

    kind: str  # "notice", "digest", "confirmation"
    at: str  # ISO instant
    codes: tuple[str, ...] = ()  # the draft codes it showed: what "OK TOUT" in a reply to it means
    draft_key: str | None = None  # a notice: the draft it showed

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SentToApprover:
        return cls(str(doc.get("kind") or ""), str(doc.get("at") or ""), tuple(doc.get("codes") or ()),
                   doc.get("draft_key"))


def id_domain(config: Config) -> str:
    """The domain of the bot's Message-IDs: ``cpambot.<the bot's (or the professional's) domain>``."""
    base = (config.bot_address or config.professional.email).rpartition("@")[2]
    return f"cpambot.{base}"


def sent_among(store: Store, message_ids: Iterable[str]) -> set[str]:
    """Those of ``message_ids`` that the bot sent to the approver (looked up one by one: the older ones
    are archived, and nothing needs the whole list)."""
    return {m for m in message_ids if m and store.get(SENT_IDS, m.strip()) is not None}


class ApproverMail:
    def __init__(self, config: Config, store: Store, outbox: Outbox, drafts: DraftBook, cases: CaseBook,
                 clock: Clock, random: Random) -> None:
        self.config = config
        self.store = store
        self.outbox = outbox
        self.drafts = drafts
        self.cases = cases
        self.clock = clock
        self.random = random
        self.id_domain = id_domain(config)
        self.sender = config.smtp.sender if config.smtp else config.professional.email
        self.tz = ZoneInfo(config.timezone)

    # -- what was sent ----------------------------------------------------------------

    def ours_among(self, message_ids: tuple[str, ...]) -> set[str]:
        return sent_among(self.store, message_ids)

    def sent(self, message_id: str) -> SentToApprover | None:
        """What the bot remembers of one e-mail it sent to the approver (kind, codes shown)."""
        doc = self.store.get(SENT_IDS, message_id)
        return SentToApprover.from_doc(doc) if doc is not None else None

    def message_id(self, tag: str) -> str:
        return make_message_id(self.id_domain, tag, self.random)

    def send(self, letter: Letter, kind: str, *, in_reply_to: str | None = None, codes: tuple[str, ...] = (),
             draft_key: str | None = None) -> str:
        """Queue ``letter`` for the approvers (marked auto-generated) and remember its Message-ID."""
        message_id = self.message_id(kind)
        if in_reply_to is not None and not is_message_id(in_reply_to):
            in_reply_to = None  # some clients write Message-IDs that are not valid: no threading then
        self.outbox.enqueue(letter, sender=self.sender, message_id=message_id, purpose=kind,
                            case_key=None, draft_key=None, in_reply_to=in_reply_to,
                            references=(in_reply_to,) if in_reply_to else (),
                            extra_headers={"Auto-Submitted": "auto-generated"})
        remembered: dict[str, Any] = {"kind": kind, "at": self.clock.now().isoformat(), "codes": list(codes)}
        if draft_key is not None:
            remembered["draft_key"] = draft_key
        self.store.put(SENT_IDS, message_id, remembered)
        return message_id

    # -- replies obeyed once ------------------------------------------------------------

    def handled(self, keys: tuple[str, ...]) -> str | None:
        """The ledger key of the message under which a reply with one of ``keys`` was obeyed, if any."""
        for key in keys:
            doc = self.store.get(REPLIES, key)
            if doc is not None:
                return str(doc.get("source") or "")
        return None

    def remember_reply(self, keys: tuple[str, ...], source: str) -> None:
        at = self.clock.now().isoformat()
        for key in keys:
            self.store.put(REPLIES, key, {"source": source, "at": at})

    # -- refusals ---------------------------------------------------------------------

    def refuse(self, source: str, sender: str, reasons: list[str]) -> None:
        """A reply that tried to decide was refused: logged, and told in the next digest."""
        LOG.warning("réponse refusée de %s : %s", sender, " ; ".join(reasons))
        when = self.clock.now().astimezone(self.tz).strftime("%d/%m/%Y %H:%M")
        self.store.put(REFUSALS, source, Refusal(when, sender, tuple(reasons)).to_doc())

    # -- one draft on its own -------------------------------------------------------------

    def announce(self, draft: Draft, *, in_reply_to: str | None = None) -> Draft:
        """Send one draft to the approver on its own (urgent ones, an edited text): a reply to it can
        approve it ("OK") or replace its text. A fresh token: the new e-mail carries it."""
        token, token_hash = new_token(self.random)
        expires = self.clock.now() + timedelta(days=self.config.token_days)
        draft = replace(draft, token_hash=token_hash, token_expires=expires)
        self.drafts.save(draft)
        subject, body = notice_text(draft, token)
        letter = Letter("notice", tuple(self.config.approvers), subject, body)
        notice_id = self.send(letter, "notice", in_reply_to=in_reply_to, codes=(draft.code,),
                              draft_key=draft.key)
        draft = replace(draft, notice_id=notice_id, announced=True)
        self.drafts.save(draft)
        return draft

    # -- the digest -----------------------------------------------------------------------

    def build_digest(self, today: date) -> Digest:
        meta = self.store.get(META, "last_digest") or {}
        since = datetime.fromisoformat(meta["at"]) if meta.get("at") else None
        drafts = list(self.drafts.all())  # (read once: every poll builds a digest to decide)
        codes = {d.message_id: d.code for d in drafts if d.message_id}
        sendings = self.outbox.documents()
        problems = [SendingProblem(codes.get(d.message_id), d.subject, d.reason or d.state.value)
                    for d in sendings if d.state in ("uncertain", "failed") and d.message_id in codes]
        bounced = [SendingProblem(codes.get(d.message_id), d.subject, d.reason or d.state.value)
                   for d in sendings if d.state == "bounced" and d.message_id in codes]
        refusals = [Refusal.from_doc(r) for r in self.store.values(REFUSALS) if not r.get("reported")]
        boxes = mailbox_health(self.store, tuple(a.name for a in self.config.accounts))
        now = self.clock.now()
        health = health_lines(boxes, queued=sum(d.state in ("queued", "sending") for d in sendings),
                              uncertain=sum(d.state == "uncertain" for d in sendings), tz=self.tz)
        alerts = health_reasons(boxes, now=now, stale_after=timedelta(hours=self.config.stale_alert_hours),
                                tz=self.tz)
        dropped = [SendingProblem(d.code, d.subject or d.label, d.reason or "") for d in drafts
                   if d.state is DraftState.OBSOLETE and d.history and d.history[-1].event == "obsolete"
                   and (since is None or d.history[-1].at > since)]
        return build_digest(list(self.cases.all()), self.drafts.awaiting(today), today=today, since=since,
                            refusals=refusals, sending_problems=problems, bounced=bounced, health=health,
                            unread=[b.account for b in boxes if b.error], health_urgent=alerts,
                            dropped=dropped, first=not meta.get("at"),
                            to_file=[d for d in drafts if d.state in WITH_HER])

    def digest_due(self, now: datetime) -> tuple[bool, Digest]:
        """(due, digest): once a day at the configured time, or at once when an urgent reason
        appeared that no digest has told yet. The digest built to decide is the one sent."""
        local = now.astimezone(self.tz)
        meta = self.store.get(META, "last_digest") or {}
        digest = self.build_digest(local.date())
        told = set(meta.get("urgent", ()))
        fresh = [r for r in digest.urgent_reasons if r not in told]
        hour, minute = (int(x) for x in self.config.digest_time.split(":"))
        scheduled = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        last = datetime.fromisoformat(meta["at"]).astimezone(self.tz) if meta.get("at") else None
        daily = local >= scheduled and (last is None or last < scheduled)
        return daily or bool(fresh), digest

    def send_digest(self, *, force: bool = False) -> str | None:
        now = self.clock.now()
        due, digest = self.digest_due(now)
        if not (due or force):
            return None
        meta = self.store.get(META, "last_digest") or {}
        last = datetime.fromisoformat(meta["at"]).astimezone(self.tz).date() if meta.get("at") else None
        days = self.config.calendar_reminder_days
        books = digest_books(self.store, today=digest.today, now=now, last_digest=last,
                             reminder=Reminder((days,) if days else ()),
                             last_digest_at=datetime.fromisoformat(meta["at"]) if meta.get("at") else None)
        digest = replace(digest, month=books.month, calendar_attached=books.calendar_signature is not None,
                         bank=books.bank)
        subject, body, html = digest_texts(digest)
        letter = Letter("digest", tuple(self.config.approvers), subject, body, html=html,
                        attachments=tuple(books.attachments))
        message_id = self.send(letter, "digest", codes=tuple(digest.codes))
        expires = now + timedelta(days=self.config.token_days)
        for listed in digest.drafts:  # listed again: a fresh expiry, so a waiting draft stays approvable;
            # its token stays the one its own e-mail showed (one token per draft, never changed unseen)
            draft = self.drafts.get(listed.draft.key) or listed.draft
            self.drafts.save(replace(draft, digest_ids=tuple(sorted({*draft.digest_ids, message_id})),
                                     announced=True, token_expires=expires))
        for doc in self.store.values(REFUSALS):
            if not doc.get("reported"):
                self.store.put(REFUSALS, doc["_key"], {**doc, "reported": True})
        self.store.put(META, "last_digest", {"at": now.isoformat(), "id": message_id,
                                            "urgent": digest.urgent_reasons})
        if books.calendar_signature is not None:
            self.store.put(META, CALENDAR_KEY, {"signature": books.calendar_signature, "at": now.isoformat()})
        LOG.info("récapitulatif %s : %s, %s", message_id, labels.count(len(digest.drafts), "brouillon"),
                 labels.count(len(digest.deadlines), "échéance"))
        return message_id

    # -- the confirmation of a reply --------------------------------------------------------

    def confirm(self, reply_id: str | None, changes: list[str], *, released: set[str],
                unrecognized: tuple[str, ...], details: tuple[str, ...] = (), refused: int = 0) -> str:
        to_send = [d for d in self.drafts.all() if d.code in released]
        subject, body = confirmation_text(changes, received=self.clock.now().astimezone(self.tz).date(),
                                          to_send=to_send, unrecognized=unrecognized, details=details,
                                          refused=refused)
        letter = Letter("confirmation", tuple(self.config.approvers), subject, body)
        return self.send(letter, "confirmation", in_reply_to=reply_id)
