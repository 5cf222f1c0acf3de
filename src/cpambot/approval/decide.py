"""What a genuine reply of the approver decides, draft by draft: a pure function, applied by the shell.

:func:`decide` takes the parsed reply (:mod:`.commands`), the verdict on the message
(:func:`~cpambot.approval.checks.check_reply`, already accepted) and what the store knows
(drafts by code, closed cases, the state of each e-mail of the outbox), and returns one
:class:`Decision` per code, in the order the confirmation lists them: approvals, then
rejections and postponements, then re-sendings and deliveries confirmed, then conflicts, then
the edited text. Each decision carries the French sentence for the confirmation and, when
something must change, the draft's new value and the :class:`Effect` the shell carries out
(enqueue the e-mail, send the new text to the approver, tell the outbox). Nothing here reads
the clock, draws a random value or touches the store.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from cpambot import labels
from cpambot.approval.case_commands import day_parts
from cpambot.approval.checks import Proposal, Verdict, may_release
from cpambot.approval.commands import ParsedReply
from cpambot.approval.model import DECIDABLE, Draft, DraftEvent, DraftState
from cpambot.cases.by_hand import receipt_day
from cpambot.letters.render import placeholders


class Effect(StrEnum):
    """What the shell does for a decision, besides echoing its message."""

    NONE = "none"  # refused, or nothing to do: only the message
    SAVE = "save"  # store the draft's new value (rejected, postponed, obsolete)
    APPROVE = "approve"  # fix its Message-ID, store it, put its e-mail in the outbox
    EDIT = "edit"  # store the new text and send the draft again to the approver
    RESEND = "resend"  # the outbox sends its e-mail again (the approver checked it must)
    DELIVERED = "delivered"  # the outbox records its e-mail as arrived
    FILED = "filed"  # she filed it on amelipro, or posted it: the draft is sent, its case moves on
    ACKNOWLEDGED = "acknowledged"  # the registered letter's receipt came back: noted on its case


@dataclass(frozen=True)
class Decision:
    code: str
    message: str  # French, one line of the confirmation
    effect: Effect = Effect.NONE
    draft: Draft | None = None  # the draft's new value, for SAVE, APPROVE and EDIT


@dataclass(frozen=True)
class Context:
    """What the store knows, read once before deciding."""

    drafts: Mapping[str, Draft]  # by code
    closed_cases: Collection[str]  # keys of the closed cases
    sendings: Mapping[str, str]  # Message-ID -> state of its e-mail in the outbox (SendState value)


def proposal(draft: Draft) -> Proposal:
    return Proposal(code=draft.code, token_hash=draft.token_hash, expires_at=draft.token_expires,
                    message_id=draft.notice_id, digest_ids=frozenset(draft.digest_ids), used_at=draft.used_at)


def apply_decision(draft: Draft, action: str, now: datetime, *, today: date, days: int | None = None,
                   text: str | None = None) -> Decision:
    """A decision on a draft whose release checks passed: its state must allow it, its proposal be
    unexpired; then the draft's new value (approve, reject, postpone, edit)."""
    code = draft.code
    if draft.state is DraftState.MISSING:
        return Decision(code, f"{code} : ce brouillon attend encore des informations "
                              f"({', '.join(draft.missing)})")
    if draft.state not in DECIDABLE:
        return Decision(code, f"{code} : déjà traité ({labels.DRAFT_STATE[draft.state]})")
    if now > draft.token_expires:  # it stays pending: the next digest renews it
        return Decision(code, f"{code} : proposition expirée, elle sera reproposée dans le prochain "
                              "récapitulatif")
    history = draft.history
    if action == "approve":
        new = replace(draft, state=DraftState.APPROVED, approved_at=now, used_at=now,
                      history=(*history, DraftEvent(now, action)))
        what = ("le texte prêt à déposer sur amelipro vous est envoyé" if draft.channel == "amelipro"
                else f"envoi à {', '.join(draft.to)}")
        return Decision(code, f"{code} : approuvé, {what} — « {draft.subject} »", Effect.APPROVE, new)
    if action == "reject":
        new = replace(draft, state=DraftState.REJECTED, history=(*history, DraftEvent(now, action)))
        return Decision(code, f"{code} : abandonné, il ne sera pas envoyé", Effect.SAVE, new)
    if action == "postpone":
        until = today + timedelta(days=days or 1)
        new = replace(draft, state=DraftState.POSTPONED, postponed_until=until,
                      history=(*history, DraftEvent(now, action, until=until)))
        return Decision(code, f"{code} : reporté au {until:%d/%m/%Y}", Effect.SAVE, new)
    if action == "edit":
        body = text or draft.body
        # Only the message showing the new text may release it: older digests and notices showed
        # the old one.
        new = replace(draft, body=body, previous_bodies=(*draft.previous_bodies, draft.body), digest_ids=(),
                      history=(*history, DraftEvent(now, action, chars=len(body))))
        return Decision(code, f"{code} : texte remplacé par le vôtre ; il vous est renvoyé à part : "
                              "répondez « OK » à ce message pour l'envoyer", Effect.EDIT, new)
    return Decision(code, f"{code} : commande inconnue")


def decide_draft(code: str, action: str, context: Context, verdict: Verdict, tokens: Collection[str],
                 now: datetime, *, today: date, days: int | None = None, text: str | None = None) -> Decision:
    """One decision (approve, reject, postpone, edit) on the draft ``code``."""
    draft = context.drafts.get(code)
    if draft is None:
        return Decision(code, f"{code} : aucun brouillon ne porte ce code")
    if draft.case_key in context.closed_cases and draft.state in DECIDABLE:
        new = replace(draft, state=DraftState.OBSOLETE, reason="dossier clos")
        return Decision(code, f"{code} : le dossier {draft.case_id} est clos, ce courrier n'a plus lieu "
                              "d'être envoyé", Effect.SAVE, new)
    release = may_release(verdict, proposal(draft), presented_tokens=tokens, now=now)
    if not release.accepted:
        return Decision(code, "; ".join(release.reasons))
    if action == "approve" and placeholders(draft.body):
        return Decision(code, f"{code} : le texte contient encore des passages « [À COMPLÉTER …] » : "
                              "répondez au brouillon avec le texte complété, puis « OK »")
    return apply_decision(draft, action, now, today=today, days=days, text=text)


def decide_sending(code: str, action: str, context: Context) -> Decision:
    """RENVOYER (resend) or REÇU (delivered): the approver's word on an e-mail whose sending
    could not be confirmed. Only the outbox's state matters: the reply itself was checked."""
    draft = context.drafts.get(code)
    state = context.sendings.get(draft.message_id) if draft is not None and draft.message_id else None
    if action == "resend":
        if draft is None or not draft.message_id:
            return Decision(code, f"{code} : aucun envoi à renvoyer")
        if state not in ("uncertain", "failed", "bounced"):
            return Decision(code, f"{code} : rien à renvoyer ({state or 'pas d’envoi'})")
        return Decision(code, f"{code} : sera renvoyé, à votre demande", Effect.RESEND, draft)
    if state != "uncertain" or draft is None:
        return Decision(code, f"{code} : aucun envoi incertain à confirmer")
    return Decision(code, f"{code} : noté comme bien reçu par le destinataire", Effect.DELIVERED, draft)


def decide_filing(code: str, context: Context, now: datetime) -> Decision:
    """FAIT A7: the letter she was to file on amelipro is filed. Only a draft whose text was sent to her
    to file may be so marked (the reply itself was checked)."""
    draft = context.drafts.get(code)
    if draft is None:
        return Decision(code, f"{code} : aucun brouillon ne porte ce code")
    if draft.state is not DraftState.TO_FILE:
        return Decision(code, f"{code} : rien à déposer sur amelipro ({labels.DRAFT_STATE[draft.state]})")
    new = replace(draft, state=DraftState.SENT, sent_at=now,
                  history=(*draft.history, DraftEvent(now, "filed")))
    return Decision(code, f"{code} : noté comme déposé sur amelipro ; le dossier {draft.case_id} "
                          "avance", Effect.FILED, new)


def _posting_day(draft: Draft, said: str | None, now: datetime, today: date) -> tuple[datetime, str | None]:
    """When the letter was posted: ``now`` (today) unless she named a day, which must be neither in the
    future nor before she approved the letter; (when, None) or (now, why it is refused)."""
    if said is None:
        return now, None
    parts = day_parts(said)
    day = receipt_day(*parts, today=today) if parts else None
    if day is None:
        return now, f"date de dépôt « {said} » impossible"
    approved = min((e.at for e in draft.history if e.event == "approve"), default=None)
    shift = now.date() - today  # (``now`` is UTC, ``today`` local: the approval's local day)
    if approved is not None and day < approved.date() - shift:
        return now, f"date de dépôt {day:%d/%m/%Y} antérieure à votre accord"
    return (now if day == today else now - timedelta(days=(today - day).days)), None


def decide_posting(code: str, action: str, context: Context, now: datetime, today: date,
                   text: str | None, day: str | None = None) -> Decision:
    """POSTÉ A7 [le 12/11] [n° de suivi]: the registered letter is posted (that day, or the day she
    names); AR A7 15/12: its receipt came back."""
    draft = context.drafts.get(code)
    if draft is None:
        return Decision(code, f"{code} : aucun brouillon ne porte ce code")
    if action == "posted":
        if draft.state is not DraftState.TO_POST:
            return Decision(code, f"{code} : aucun courrier à poster ({labels.DRAFT_STATE[draft.state]})")
        posted, refusal = _posting_day(draft, day, now, today)
        if refusal is not None:
            return Decision(code, f"{code} : {refusal}, rien n'est noté")
        new = replace(draft, state=DraftState.SENT, sent_at=posted,
                      history=(*draft.history, DraftEvent(now, "posted", note=text)))
        tracking = f" (n° de suivi {text})" if text else ""
        return Decision(code, f"{code} : noté comme posté en recommandé le {posted:%d/%m/%Y}{tracking} ; le "
                              f"dossier {draft.case_id} avance", Effect.FILED, new)
    parts = day_parts(text or "")
    signed = receipt_day(*parts, today=today) if parts else None
    if draft.channel != "courrier" or draft.state is not DraftState.SENT:
        return Decision(code, f"{code} : aucun recommandé posté à ce code")
    if signed is None:
        return Decision(code, f"{code} : date de l'accusé de réception « {text} » impossible, rien n'est "
                              "noté")
    new = replace(draft, history=(*draft.history, DraftEvent(now, "ar", note=signed.isoformat())))
    return Decision(code, f"{code} : accusé de réception signé le {signed:%d/%m/%Y}, noté au dossier "
                          f"{draft.case_id}", Effect.ACKNOWLEDGED, new)


def decide(reply: ParsedReply, context: Context, *, verdict: Verdict, tokens: Collection[str],
           listed: Iterable[str], draft_code: str | None, now: datetime, today: date) -> tuple[Decision, ...]:
    """Every decision of an accepted reply to one of the bot's messages, in the confirmation's order.

    ``listed``: the codes the replied-to message showed (what ``OK TOUT`` means);
    ``draft_code``: the draft whose own e-mail the reply answers (an edited text applies to it).
    A later decision sees the drafts as the earlier ones left them."""
    drafts = dict(context.drafts)
    out: list[Decision] = []

    def record(decision: Decision) -> None:
        out.append(decision)
        if decision.draft is not None:
            drafts[decision.code] = decision.draft

    def current() -> Context:
        return replace(context, drafts=drafts)

    for code in reply.approved(listed):
        record(decide_draft(code, "approve", current(), verdict, tokens, now, today=today))
    for command in reply.commands:
        if command.action in ("reject", "postpone"):
            for code in command.codes:
                record(decide_draft(code, command.action, current(), verdict, tokens, now, today=today,
                                    days=command.days))
    for command in reply.commands:
        if command.action in ("resend", "delivered"):
            for code in command.codes:
                record(decide_sending(code, command.action, current()))
        elif command.action == "filed":
            for code in command.codes:
                record(decide_filing(code, current(), now))
        elif command.action in ("posted", "acknowledged"):
            for code in command.codes:
                record(decide_posting(code, command.action, current(), now, today, command.text,
                                      command.day))
    for code in reply.conflicts:
        out.append(Decision(code, f"{code} : ordres contradictoires, rien n'est fait"))
    if reply.edited_text is not None and draft_code:
        record(decide_draft(draft_code, "edit", current(), verdict, tokens, now, today=today,
                            text=reply.edited_text))
    return tuple(out)
