"""The approver's messages: checked, parsed, decided by :func:`cpambot.approval.decide.decide`, then
carried out — nothing leaves for a caisse unless a reply passed every check for that very draft."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cpambot.approval.checks import check_reply
from cpambot.approval.commands import ParsedReply, read_reply
from cpambot.approval.decide import Context, Decision, Effect, decide
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.replay import ALREADY_HANDLED, date_problem, reply_keys
from cpambot.approval.tokens import find_tokens
from cpambot.cases import by_hand
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock
from cpambot.config.model import Config
from cpambot.instants import local_date
from cpambot.letters.plan import DONE_DATES
from cpambot.mailbox.auth_results import authentication_results
from cpambot.mailbox.headers import HeaderSummary, header_block, summarize
from cpambot.sending.outbox import Outbox
from cpambot.service import case_replies
from cpambot.service.approver import ApproverMail
from cpambot.service.delivery import Delivery
from cpambot.service.drafting import Drafter
from cpambot.service.learning import Teacher
from cpambot.understanding.message import parse_message
from cpambot.understanding.paper import ocr_targets

LOG = logging.getLogger(__name__)


@dataclass
class ReplyOutcome:
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    confirmation_id: str | None = None
    released: set[str] = field(default_factory=set)  # codes whose e-mail this reply sent on its way
    refused: int = 0  # decisions on drafts that changed nothing (expired, already used, no such code…)


class ReplyDesk:
    def __init__(self, config: Config, cases: CaseBook, drafts: DraftBook, outbox: Outbox,
                 approver: ApproverMail, drafter: Drafter, delivery: Delivery, clock: Clock,
                 teacher: Teacher | None = None) -> None:
        self.config = config
        self.cases = cases
        self.drafts = drafts
        self.outbox = outbox
        self.approver = approver
        self.drafter = drafter
        self.delivery = delivery
        self.clock = clock
        self.teacher = teacher
        self.tz = ZoneInfo(config.timezone)

    def _refuse(self, source: str, sender: str, reasons: list[str]) -> ReplyOutcome:
        self.approver.refuse(source, sender, reasons)
        return ReplyOutcome(False, reasons)

    def handle_message(self, raw: bytes, source: str) -> ReplyOutcome | None:
        """A message from an approver (or claiming to be): commands, edits, annulations.
        None when it is not addressed to the bot (a forward of a caisse message, say)."""
        head = summarize(header_block(raw), len(raw))
        msg = parse_message(raw)
        now = self.clock.now()
        ours = self.approver.ours_among((*head.in_reply_to, *head.references))
        replying = bool((set(head.in_reply_to) | set(head.references)) & ours)
        parent_meta = self.approver.sent(head.in_reply_to[0]) if head.in_reply_to else None
        notice = parent_meta is not None and parent_meta.kind == "notice" and bool(parent_meta.codes)
        draft_code = parent_meta.codes[0] if parent_meta is not None and notice else None
        parsed = read_reply(msg.text, draft_code=draft_code)
        teaching = tuple(c for c in parsed.commands if c.action == "retype")
        photographed = bool(ocr_targets(msg, "approver"))
        if photographed and not (parsed.commands or parsed.annulations or parsed.edited_text) \
                and head.from_addr in self.config.approvers:
            return None  # a letter she photographed, sent in answer to the bot: read as a paper letter
            # (anyone else's answer goes on to the checks, and is refused)
        if not replying and not parsed.annulations:
            if parsed.decisions or teaching:  # looks like a command, but answers nothing the bot sent
                return self._refuse(source, head.from_addr,
                                    ["commande qui ne répond à aucun message envoyé par cpambot"])
            return None  # not a command for the bot: read it as an ordinary message
        verdict = check_reply(head, approvers=set(self.config.approvers), our_message_ids=ours,
                              authserv_ids=self.config.authserv_ids,
                              raw_auth_results=authentication_results(header_block(raw)), now=now,
                              require_reference=not parsed.annulations or replying)
        if not verdict.accepted:
            return self._refuse(source, head.from_addr, verdict.reasons)
        # obeyed once: the same reply delivered again (same Message-ID, or the same words from her to the
        # same message) is refused without a confirmation; a reply whose date does not fit, too
        keys = reply_keys(message_id=head.message_id, sender=head.from_addr, in_reply_to=head.in_reply_to,
                          references=head.references, text=msg.text)
        earlier = self.approver.handled(keys)
        if earlier is not None and earlier != source:
            return self._refuse(source, head.from_addr, [ALREADY_HANDLED])
        answered = self.approver.sent(verdict.parent_id) if verdict.parent_id else None
        problem = date_problem(
            datetime.fromisoformat(head.date).astimezone(self.tz) if head.date else None,
            answered_sent=datetime.fromisoformat(answered.at).astimezone(self.tz)
            if answered is not None and answered.at else None,
            now=now.astimezone(self.tz), validity=timedelta(days=self.config.token_days))
        if problem is not None:
            return self._refuse(source, head.from_addr, [problem])
        self.approver.remember_reply(keys, source)
        outcome = ReplyOutcome(True)
        if not replying:  # an ANNULER request in a new message: nothing else in it is obeyed
            self._annulations(parsed, head, outcome)
            if parsed.commands or parsed.unrecognized:
                outcome.changes.append("les autres lignes de ce message sont ignorées : pour approuver, "
                                       "répondez au récapitulatif ou au brouillon")
            outcome.confirmation_id = self._confirm(head, outcome, ())
            return outcome
        if draft_code and parsed.decisions and parsed.unrecognized:
            outcome.changes.append(f"{draft_code} : réponse ambiguë (une commande et du texte) : rien "
                                   "n'est fait ; pour modifier le brouillon, répondez avec le seul "
                                   "texte corrigé, puis « OK »")
            outcome.confirmation_id = self._confirm(head, outcome, ())
            return outcome
        # OK TOUT means every code of the digest (or draft) she answered, and only that one.
        parent = self.approver.sent(verdict.parent_id) if verdict.parent_id else None
        context = Context(drafts=self.drafts.by_codes(),
                          closed_cases={c.key for c in self.cases.all() if c.is_closed},
                          sendings={d.message_id: d.state.value for d in self.outbox.documents()})
        decisions = decide(parsed, context, verdict=verdict, tokens=find_tokens(head.to, msg.text),
                           listed=parent.codes if parent else (), draft_code=draft_code, now=now,
                           today=local_date(now, self.tz))
        for decision in decisions:
            self._carry_out(decision, head.from_addr, outcome)
        changes, details = case_replies.carry_out(parsed.commands, self.cases, self.drafts,
                                                  today=local_date(now, self.tz))
        outcome.changes += changes
        if photographed:
            outcome.changes.append("la photo ou le scan joint n'est pas lu avec des commandes : envoyez-le "
                                   "au robot dans un message à part, sans commande")
        for command in teaching:  # TYPE C3 retour: only a reply that passed every check gets here
            for code in command.codes:
                if self.teacher is None or command.kind is None:
                    outcome.changes.append(f"{code} : apprentissage indisponible")
                    continue
                outcome.changes.append(self.teacher.teach(code, command.kind, today=local_date(now, self.tz)))
        self._annulations(parsed, head, outcome)
        outcome.confirmation_id = self._confirm(head, outcome, parsed.unrecognized, tuple(details))
        return outcome

    def _carry_out(self, decision: Decision, by: str, outcome: ReplyOutcome) -> None:
        """What a decision changes: the draft stored, its e-mail queued, re-announced, or the outbox told."""
        outcome.changes.append(decision.message)
        if decision.effect is Effect.NONE:
            outcome.refused += 1
        draft = decision.draft
        now = self.clock.now()
        if decision.effect is Effect.SAVE and draft is not None:
            self.drafts.save(draft)
        elif decision.effect is Effect.APPROVE and draft is not None:
            # The Message-ID is fixed, and stored, before the e-mail is queued: a stop in between is
            # recovered by Delivery.recover_approved with the same Message-ID.
            draft = replace(draft, message_id=self.approver.message_id(draft.code.lower()))
            self.drafts.save(draft)
            self.delivery.enqueue(draft)
            outcome.released.add(draft.code)
        elif decision.effect is Effect.EDIT and draft is not None:
            self.drafts.save(draft)
            self.approver.announce(draft)
        elif decision.effect is Effect.RESEND and draft is not None and draft.message_id:
            self.outbox.confirm_resend(draft.message_id, by=by, now=now)
        elif decision.effect is Effect.DELIVERED and draft is not None and draft.message_id:
            self.outbox.confirm_delivered(draft.message_id, by=by, now=now)
        elif decision.effect is Effect.FILED and draft is not None:
            date_key = DONE_DATES.get(draft.step)
            if date_key:  # the case first, as for a letter the bot sent (Delivery.record_sent)
                tracking = draft.history[-1].note if draft.history else None
                how = ("déposée sur amelipro" if draft.channel == "amelipro" else "postée en recommandé"
                       + (f", n° de suivi {tracking}" if tracking else ""))
                self.cases.mark_step(draft.case_key, date_key, local_date(draft.sent_at or now, self.tz),
                                     f"{draft.label} {how} ({draft.code})")
            self.drafts.save(draft)
        elif decision.effect is Effect.ACKNOWLEDGED and draft is not None:
            case = self.cases.get(draft.case_key)
            signed = draft.history[-1].note if draft.history else None
            if case is not None and signed:
                noted, _ = by_hand.noted(case, local_date(now, self.tz), f"accusé de réception du recommandé "
                                         f"{draft.code} signé le {date.fromisoformat(signed):%d/%m/%Y}")
                self.cases.save(noted)
            self.drafts.save(draft)

    def _annulations(self, parsed: ParsedReply, head: HeaderSummary, outcome: ReplyOutcome) -> None:
        for request in parsed.annulations:
            draft = self.drafter.request_annulation(
                lot=request.lot, invoice=request.invoice, motif=request.motif, caisse_code=None,
                transmitted_on=local_date(self.clock.now(), self.tz), reply_to=head.message_id)
            outcome.changes.append(f"{draft.code} : brouillon d'annulation préparé (lot {request.lot}, "
                                   f"facture {request.invoice}), envoyé à part pour votre accord")

    def _confirm(self, head: HeaderSummary, outcome: ReplyOutcome, unrecognized: tuple[str, ...],
                 details: tuple[str, ...] = ()) -> str:
        return self.approver.confirm(head.message_id, outcome.changes, released=outcome.released,
                                     unrecognized=unrecognized, details=details, refused=outcome.refused)
