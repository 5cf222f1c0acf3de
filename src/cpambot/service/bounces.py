"""Delivery reports that come back into the watched mailbox: a letter that did not arrive is not "sent".

A bounce (:mod:`cpambot.sending.bounces`) names one of the bot's e-mails by its Message-ID, or — when
the report does not carry the original — by a failed recipient and the days before the report. The
e-mail found is marked ``bounced`` with the reason in French, its draft ``bounced``, and the case's
step goes back (the letter was not received, so no answer will come and no deadline runs from it);
the digest then tells the professional at once (an urgent reason). A delayed-delivery warning is
only noted in the e-mail's history. A report that names none of the bot's e-mails, or more than one
without a Message-ID to tell them apart, changes nothing: it is recorded, never guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cpambot.approval.draftbook import DraftBook
from cpambot.approval.model import DraftState
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock
from cpambot.config.model import Config
from cpambot.instants import local_date
from cpambot.letters.plan import DONE_DATES
from cpambot.mailbox.headers import header_block, summarize
from cpambot.sending.bounces import Bounce, read_bounce
from cpambot.sending.model import OutboxEntry, SendState
from cpambot.sending.outbox import Outbox

LOG = logging.getLogger(__name__)

# a report without the original's Message-ID is tied to a letter sent to the failed address within these days
MATCH_WINDOW = timedelta(days=5)


@dataclass
class BounceOutcome:
    """What one delivery report changed (the ledger row keeps it)."""

    accepted: bool  # it named one of the bot's e-mails
    reasons: list[str] = field(default_factory=list)  # why nothing changed
    changes: list[str] = field(default_factory=list)  # French, one line per e-mail


class BounceDesk:
    def __init__(self, config: Config, outbox: Outbox, drafts: DraftBook, cases: CaseBook,
                 clock: Clock) -> None:
        self.config = config
        self.outbox = outbox
        self.drafts = drafts
        self.cases = cases
        self.clock = clock
        self.tz = ZoneInfo(config.timezone)

    def handle_message(self, raw: bytes, source: str) -> BounceOutcome:
        del source  # (the ledger row's key: the outcome is recorded there by the caller)
        bounce = read_bounce(raw)
        if bounce is None:
            return BounceOutcome(False, ["avis de non-distribution illisible ou sans destinataire en échec"])
        head = summarize(header_block(raw), len(raw))
        reported = datetime.fromisoformat(head.date) if head.date else self.clock.now()
        entries, problem = self._letters(bounce, reported)
        if problem is not None:
            LOG.warning("avis de non-distribution non rattaché : %s", problem)
            return BounceOutcome(False, [problem])
        outcome = BounceOutcome(True)
        for entry in entries:
            self._apply(bounce, entry, outcome)
        return outcome

    def _letters(self, bounce: Bounce, reported: datetime) -> tuple[list[OutboxEntry], str | None]:
        """The bot's e-mails the report is about, or why none is taken."""
        by_id = [e for mid in bounce.message_ids if (e := self.outbox.get(mid)) is not None]
        if by_id:
            return by_id, None
        if bounce.message_ids:
            return [], "il concerne un message qui n'a pas été envoyé par cpambot"
        addresses = {r.address for r in bounce.recipients}
        latest = reported + timedelta(minutes=10)  # (clocks disagree a little)
        candidates = [e for e in self.outbox.documents(SendState.SENT, SendState.BOUNCED)
                      if e.sent_at is not None and reported - MATCH_WINDOW <= e.sent_at <= latest
                      and addresses & {a.lower() for a in e.recipients}]
        if not candidates:
            return [], ("il ne correspond à aucun courrier envoyé par cpambot à cette adresse ces derniers "
                        "jours")
        if len(candidates) > 1:
            return [], (f"{len(candidates)} courriers envoyés à {', '.join(sorted(addresses))} ces derniers "
                        "jours et l'avis ne dit pas lequel : vérifiez dans vos messages envoyés")
        return candidates, None

    def _apply(self, bounce: Bounce, entry: OutboxEntry, outcome: BounceOutcome) -> None:
        now = self.clock.now()
        ours = {a.lower() for a in entry.recipients}
        failed = [r for r in bounce.failed if r.address in ours] or \
            ([] if any(r.address in ours for r in bounce.recipients) else list(bounce.failed))
        delayed = [r for r in bounce.delayed if r.address in ours] or \
            ([] if failed or any(r.address in ours for r in bounce.recipients) else list(bounce.delayed))
        if failed:
            reason = "non distribué à " + " ; ".join(r.reason for r in failed)
            if entry.state is not SendState.SENT and entry.state is not SendState.BOUNCED:
                outcome.changes.append(f"{entry.subject} : avis de non-distribution pour un envoi "
                                       f"« {entry.state} », rien n'est changé")
                return
            self.outbox.mark_bounced(entry.message_id, reason, now=now)
            outcome.changes.append(f"{entry.subject} : {reason}")
            LOG.warning("courriel %s non distribué : %s", entry.message_id, reason)
            self._step_back(entry, reason)
        elif delayed:
            reason = "distribution retardée pour " + " ; ".join(r.address for r in delayed)
            self.outbox.note_delay(entry.message_id, reason, now=now)
            outcome.changes.append(f"{entry.subject} : {reason} (le serveur réessaie)")

    def _step_back(self, entry: OutboxEntry, reason: str) -> None:
        """The letter's draft is ``bounced`` and its case's step to be done again."""
        draft = self.drafts.get(entry.draft_key) if entry.draft_key else None
        if draft is None or draft.state is DraftState.BOUNCED:
            return
        date_key = DONE_DATES.get(draft.step)
        if date_key and draft.state is DraftState.SENT:  # the case first: a stop in between redoes this
            self.cases.unmark_step(draft.case_key, date_key, local_date(self.clock.now(), self.tz),
                                   f"{draft.label} ({draft.code}) non distribuée : {reason}")
        self.drafts.save(replace(draft, state=DraftState.BOUNCED, error=reason))
