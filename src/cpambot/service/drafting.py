"""Drafting: every letter an open case needs now becomes a draft awaiting approval (the shell around
:mod:`cpambot.letters` and :mod:`cpambot.approval.drafts`)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cpambot.approval.draftbook import DraftBook
from cpambot.approval.model import OPEN_STATES, WITH_HER, Draft, DraftEvent, DraftState
from cpambot.approval.tokens import new_token
from cpambot.cases.casebook import CaseBook
from cpambot.cases.model import Case, CaseType
from cpambot.clock import Clock
from cpambot.config.model import Caisse, Config
from cpambot.instants import local_date
from cpambot.letters.compose import annulation_letter, build_letter
from cpambot.letters.model import Letter, LetterKind, LetterPlan, MissingInfo
from cpambot.letters.plan import plan_letters, pointless
from cpambot.randomness import Random
from cpambot.service.approver import ApproverMail

LOG = logging.getLogger(__name__)

SAME_DAY_FAMILIES = ("doublon", "cotation", "technique")  # cancel rather than let an indu come


class Drafter:
    def __init__(self, config: Config, cases: CaseBook, drafts: DraftBook, approver: ApproverMail,
                 clock: Clock, random: Random) -> None:
        self.config = config
        self.cases = cases
        self.drafts = drafts
        self.approver = approver
        self.clock = clock
        self.random = random
        self.tz = ZoneInfo(config.timezone)

    def caisse(self, code: str | None) -> Caisse | None:
        return self.config.caisse(code)

    def _token_expiry(self, now: datetime) -> datetime:
        return now + timedelta(days=self.config.token_days)

    def draft_letters(self, today: date) -> list[Draft]:
        """Propose every letter that is due for an open case; return the new drafts."""
        now = self.clock.now()
        new = []
        cases = {c.key: c for c in self.cases.all()}
        for draft in list(self.drafts.all()):  # a letter for a closed case must not leave any more,
            case = cases.get(draft.case_key)  # nor one the caisse's answer made pointless (nor be
            if draft.state not in (*OPEN_STATES, *WITH_HER) or case is None:  # left for her to post)
                continue
            why = "dossier clos" if case.is_closed else pointless(case, draft.step)
            if why is not None:
                self.drafts.save(replace(draft, state=DraftState.OBSOLETE, reason=why,
                                         history=(*draft.history, DraftEvent(now, "obsolete"))))
                LOG.info("brouillon %s sans objet : %s", draft.code, why)
        steps = self.drafts.steps_by_case()  # one read of the drafts, not one per case
        for case in cases.values():
            if case.is_closed or case.needs_review:
                continue  # a message the bot was unsure of: shown to the professional, never acted on
            try:
                done = steps.get(case.key, set())
                same_day = self._same_day_annulation(case, today, now, done)
                if same_day is not None:
                    new.append(same_day)
                horizon = today - timedelta(days=self.config.horizon_days)
                for plan in plan_letters(case, today, self.config.rules, sent_steps=done):
                    if plan.due < horizon:
                        continue  # (a step due long ago — an old mailbox read the first time — is history)
                    result = build_letter(plan, case, self.config.professional, self.caisse(case.caisse),
                                          today)
                    _token, token_hash = new_token(self.random)
                    proposed = self.drafts.propose(plan, result, case_id=case.id, token_hash=token_hash,
                                                   token_expires=self._token_expiry(now), now=now)
                    if proposed is not None:
                        new.append(proposed)
            except Exception:  # noqa: BLE001 - one odd case must not stop the others, nor sending
                LOG.exception("brouillons impossibles pour le dossier %s", case.id)
        return new

    def propose_due(self, today: date) -> list[Draft]:
        """The letters due today become drafts, and each new one also comes to the approver on its
        own (a reply to it may edit it) — once: an urgent one was announced as soon as it was made."""
        drafted = self.draft_letters(today)
        return [self.approver.announce(d) if d.state is DraftState.PENDING and not d.announced else d
                for d in drafted]

    def _same_day_annulation(self, case: Case, today: date, now: datetime,
                             done: set[str]) -> Draft | None:
        """A return showing a duplicate or an obvious input error on an invoice transmitted today:
        the cancellation must leave today (CPAM procedure), so it is proposed at once."""
        billing = case.billing or {}
        if case.type is not CaseType.INVOICE or case.family not in SAME_DAY_FAMILIES \
                or billing.get("lot_date") != today.isoformat() or not case.invoice:
            return None
        if "annulation" in done:
            return None
        motif = f"rejet {case.reject_code or ''} : {case.status}".strip()
        result = annulation_letter(self.config.professional, self.caisse(case.caisse), lot=case.lot,
                                   invoice=case.invoice, motif=motif, transmitted_on=today, case_ref=case.id,
                                   today=today)
        plan = LetterPlan(LetterKind.ANNULATION, case.key, "annulation", today,
                          "facture télétransmise aujourd'hui et rejetée : l'annulation doit partir "
                          "le jour même")
        draft = self.drafts.propose(plan, result, case_id=case.id, token_hash=new_token(self.random)[1],
                                    token_expires=now + timedelta(days=1), now=now)
        if draft is not None and draft.state is DraftState.PENDING:
            draft = self.approver.announce(draft)
        return draft

    def request_annulation(self, *, lot: str, invoice: str, motif: str, caisse_code: str | None,
                           transmitted_on: date, reply_to: str | None = None) -> Draft:
        """An urgent cancellation asked by the approver: a draft at once, announced at once."""
        now = self.clock.now()
        today = local_date(now, self.tz)
        billing = [c for c in self.config.caisses if c.kind != "amc"]  # annulations go to the AMO
        caisse = self.caisse(caisse_code) if caisse_code else (billing[0] if len(billing) == 1 else None)
        case_key = f"annulation|{caisse.code if caisse else '?'}|{lot}|{invoice}|{today}"
        result: Letter | MissingInfo
        if caisse is None:
            result = MissingInfo("annulation", case_key, "annulation",
                                 ("caisse destinataire (plusieurs caisses configurées)",))
        else:
            result = annulation_letter(self.config.professional, caisse, lot=lot, invoice=invoice,
                                       motif=motif, transmitted_on=transmitted_on, case_ref=case_key,
                                       today=today)
        plan = LetterPlan(LetterKind.ANNULATION, case_key, "annulation", today,
                          "annulation demandée par vous, à envoyer le jour même de la télétransmission")
        draft = self.drafts.propose(plan, result, case_id="—", token_hash=new_token(self.random)[1],
                                    token_expires=now + timedelta(days=1), now=now)
        draft = draft or self.drafts.get(f"{case_key}|annulation")
        assert draft is not None
        return self.approver.announce(draft, in_reply_to=reply_to)
