"""Follow-up: cases → drafts → digest → the approver's reply → outbox → case updated.

The imperative shell around the pure rules of ``drafting.py``, ``digest.py``,
``replies.py`` and ``approval_checks.py``. Nothing leaves for a caisse unless a
reply passed every check of :func:`~cpambot.approval.checks.check_reply` and
:func:`~cpambot.approval.checks.may_release` for that very draft.

Tables it keeps: ``sent_ids`` (every Message-ID the bot sent to the approver:
digests, draft notices, confirmations — what a genuine reply must reference),
``refusals`` (replies refused, reported in the next digest), ``meta`` (the last
digest).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cpambot.approval.auth_results import authentication_results
from cpambot.approval.checks import Proposal, check_reply, may_release
from cpambot.approval.commands import read_reply
from cpambot.approval.digest import build_digest
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.tokens import find_tokens, new_token
from cpambot.cases.casebook import CaseBook
from cpambot.config.model import Caisse, Config
from cpambot.letters.compose import annulation_letter, build_letter
from cpambot.letters.model import Attachment, Letter, LetterPlan, MissingInfo
from cpambot.letters.plan import DONE_DATES, plan_letters
from cpambot.letters.render import package_environment, placeholders, render, render_text
from cpambot.mailbox.headers import header_block, summarize
from cpambot.mailbox.ledger import LEDGER, LedgerRow
from cpambot.mailbox.senders import Category
from cpambot.sending.mime import is_message_id, make_message_id
from cpambot.sending.outbox import Outbox
from cpambot.sending.sent_folder import sent_folder_for
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.message import parse_message

LOG = logging.getLogger(__name__)

RESEND = re.compile(r"^renvoyer\s+([a-z]\d{1,3})$", re.IGNORECASE)
DELIVERED = re.compile(r"^re[cç]u\s+([a-z]\d{1,3})$", re.IGNORECASE)
ENCLOSING = ("saisine_cra",)  # letters that enclose the caisse's own documents
SAME_DAY_FAMILIES = ("doublon", "cotation", "technique")  # cancel rather than let an indu come
ATTACHABLE = (".pdf", ".csv", ".xlsx", ".xls", ".ods", ".odt", ".doc", ".docx")
MAX_ATTACHMENTS_BYTES = 8 * 1024 * 1024
SENT_IDS = "sent_ids"
REFUSALS = "refusals"
META = "meta"
PARIS = ZoneInfo("Europe/Paris")


@dataclass
class ReplyOutcome:
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    confirmation_id: str | None = None
    released: set[str] = field(default_factory=set)  # codes whose e-mail this reply sent on its way


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime, tz: ZoneInfo = PARIS) -> date:
    """The professional's calendar date of an instant (deadlines count in local days)."""
    return moment.astimezone(tz).date()


class FollowUp:
    def __init__(self, config: Config, store: Store, *, outbox: Outbox | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.cases = CaseBook(store, config.rules)
        self.drafts = DraftBook(store)
        self.outbox = outbox if outbox is not None else Outbox(
            store, config.smtp, _sent_folder_factory(config), clock)
        base = (config.bot_address or config.professional.email).rpartition("@")[2]
        self.id_domain = f"cpambot.{base}"
        self.sender = config.smtp.sender if config.smtp else config.professional.email
        self.tz = ZoneInfo(config.timezone)

    # -- helpers --------------------------------------------------------------------

    def caisse(self, code: str | None) -> Caisse | None:
        return next((c for c in self.config.caisses if c.code == code), None)

    def _remember(self, message_id: str, kind: str, **extra: Any) -> None:
        self.store.put(SENT_IDS, message_id, {"kind": kind, "at": self.clock().isoformat(), **extra})

    def our_ids(self) -> set[str]:
        return {doc["_key"] for doc in self.store.values(SENT_IDS)}

    def _token_expiry(self, now: datetime) -> datetime:
        return now + timedelta(days=self.config.token_days)

    def _enqueue_to_approver(self, letter: Letter, kind: str, *, in_reply_to: str | None = None,
                             **remember: Any) -> str:
        message_id = make_message_id(self.id_domain, kind)
        if in_reply_to is not None and not is_message_id(in_reply_to):
            in_reply_to = None  # some clients write Message-IDs that are not valid: no threading then
        self.outbox.enqueue(letter, sender=self.sender, message_id=message_id, purpose=kind,
                            case_key=None, draft_key=None, in_reply_to=in_reply_to,
                            references=(in_reply_to,) if in_reply_to else (),
                            extra_headers={"Auto-Submitted": "auto-generated"})
        self._remember(message_id, kind, **remember)
        return message_id

    # -- 1. drafting ----------------------------------------------------------------

    def draft_letters(self, today: date) -> list[dict[str, Any]]:
        """Propose every letter that is due for an open case; return the new drafts."""
        now = self.clock()
        new = []
        cases = {c["key"]: c for c in self.cases.all()}
        for draft in list(self.drafts.all()):  # a letter for a closed case must not leave any more
            case = cases.get(draft["case_key"])
            if draft["state"] in ("pending", "postponed", "missing") and case is not None \
                    and case["state"] == "closed":
                self.drafts.mark(draft, state="obsolete", reason="dossier clos")
        for case in cases.values():
            if case["state"] == "closed":
                continue
            try:
                same_day = self._same_day_annulation(case, today, now)
                if same_day is not None:
                    new.append(same_day)
                done = self.drafts.steps_done(case["key"])
                for plan in plan_letters(case, today, self.config.rules, sent_steps=done):
                    result = build_letter(plan, case, self.config.professional,
                                          self.caisse(case.get("caisse")), today)
                    _token, token_hash = new_token()
                    draft = self.drafts.propose(plan, result, case_id=case["id"], token_hash=token_hash,
                                                token_expires=self._token_expiry(now), now=now)
                    if draft is not None:
                        new.append(draft)
            except Exception:  # noqa: BLE001 - one odd case must not stop the others, nor sending
                LOG.exception("brouillons impossibles pour le dossier %s", case["id"])
        return new

    def _same_day_annulation(self, case: dict[str, Any], today: date,
                             now: datetime) -> dict[str, Any] | None:
        """A return showing a duplicate or an obvious input error on an invoice transmitted today:
        the cancellation must leave today (CPAM procedure), so it is proposed at once."""
        billing = case.get("billing") or {}
        if case["type"] != "invoice" or case.get("family") not in SAME_DAY_FAMILIES \
                or billing.get("lot_date") != today.isoformat() or not case.get("invoice"):
            return None
        if "annulation" in self.drafts.steps_done(case["key"]):
            return None
        motif = f"rejet {case.get('reject_code') or ''} : {case.get('status') or ''}".strip()
        result = annulation_letter(self.config.professional, self.caisse(case.get("caisse")),
                                   lot=case.get("lot"), invoice=case["invoice"], motif=motif,
                                   transmitted_on=today, case_ref=case["id"], today=today)
        plan = LetterPlan("annulation", case["key"], "annulation", today,
                          "facture télétransmise aujourd'hui et rejetée : l'annulation doit partir "
                          "le jour même")
        draft = self.drafts.propose(plan, result, case_id=case["id"], token_hash=new_token()[1],
                                    token_expires=now + timedelta(days=1), now=now)
        if draft is not None and draft["state"] == "pending":
            self.announce_draft(draft)
        return draft

    def request_annulation(self, *, lot: str, invoice: str, motif: str, caisse_code: str | None,
                           transmitted_on: date, reply_to: str | None = None) -> dict[str, Any]:
        """An urgent cancellation asked by the approver: a draft at once, announced at once."""
        now = self.clock()
        billing = [c for c in self.config.caisses if c.kind != "amc"]  # annulations go to the AMO
        caisse = self.caisse(caisse_code) if caisse_code else (billing[0] if len(billing) == 1 else None)
        case_key = f"annulation|{caisse.code if caisse else '?'}|{lot}|{invoice}|{local_date(now, self.tz)}"
        result: Letter | MissingInfo
        if caisse is None:
            result = MissingInfo("annulation", case_key, "annulation",
                                 ("caisse destinataire (plusieurs caisses configurées)",))
        else:
            result = annulation_letter(self.config.professional, caisse, lot=lot, invoice=invoice,
                                       motif=motif, transmitted_on=transmitted_on, case_ref=case_key,
                                       today=local_date(now, self.tz))
        plan = LetterPlan("annulation", case_key, "annulation", local_date(now, self.tz),
                          "annulation demandée par vous, à envoyer le jour même de la télétransmission")
        draft = self.drafts.propose(plan, result, case_id="—", token_hash=new_token()[1],
                                    token_expires=now + timedelta(days=1), now=now)
        draft = draft or self.drafts.get(f"{case_key}|annulation")
        assert draft is not None
        self.announce_draft(draft, in_reply_to=reply_to)
        return draft

    def announce_draft(self, draft: dict[str, Any], *, in_reply_to: str | None = None) -> str:
        """Send one draft to the approver on its own (urgent ones): a reply to it can approve
        ("OK") or replace its text."""
        token, token_hash = new_token()
        self.drafts.mark(draft, token_hash=token_hash,
                         token_expires=self._token_expiry(self.clock()).isoformat(timespec="seconds"))
        if draft["state"] == "missing":
            body = (f"Le brouillon {draft['code']} ({draft['label']}) ne peut pas être rédigé : il manque "
                    f"{', '.join(draft['missing'])}.\n\nComplétez la configuration puis relancez cpambot.\n")
            subject = f"cpambot – {draft['code']} : informations manquantes"
        else:
            body = (f"Brouillon {draft['code']} – {draft['label']}\nÀ : {', '.join(draft['to'])}\n"
                    f"Objet : {draft['subject']}\n\n{draft['body']}\n\n"
                    f"Pour l'envoyer, répondez « OK » (ou « OK {draft['code']} »). Pour l'abandonner, "
                    f"« NON ». Pour modifier le texte, répondez avec le texte complet corrigé.\n"
                    f"Jeton : {token}\n")
            subject = f"cpambot – brouillon {draft['code']} à approuver : {draft['subject']}"
        letter = Letter("notice", tuple(self.config.approvers), subject, body)
        message_id = self._enqueue_to_approver(letter, "notice", in_reply_to=in_reply_to,
                                               codes=[draft["code"]], draft_key=draft["key"])
        self.drafts.mark(draft, notice_id=message_id, announced=True)
        return message_id

    # -- 2. digest ------------------------------------------------------------------

    def build(self, today: date) -> Any:
        meta = self.store.get(META, "last_digest") or {}
        since = datetime.fromisoformat(meta["at"]) if meta.get("at") else None
        codes = {d["message_id"]: d["code"] for d in self.drafts.all() if d.get("message_id")}
        problems = [{"code": codes.get(d["_key"]), "subject": d.get("subject", ""),
                     "problem": d.get("reason") or d["state"]}
                    for d in self.outbox.documents("uncertain", "failed") if d["_key"] in codes]
        refusals = [r for r in self.store.values(REFUSALS) if not r.get("reported")]
        return build_digest(list(self.cases.all()), self.drafts.awaiting(today), today=today, since=since,
                            refusals=refusals, sending_problems=problems)

    def digest_due(self, now: datetime) -> tuple[bool, Any]:
        """(due, digest): once a day at the configured time, or at once when an urgent reason
        appeared that no digest has told yet. The digest built to decide is the one sent."""
        local = now.astimezone(self.tz)
        meta = self.store.get(META, "last_digest") or {}
        digest = self.build(local.date())
        told = set(meta.get("urgent", ()))
        fresh = [r for r in digest.urgent_reasons if r not in told]
        hour, minute = (int(x) for x in self.config.digest_time.split(":"))
        scheduled = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        last = datetime.fromisoformat(meta["at"]).astimezone(self.tz) if meta.get("at") else None
        daily = local >= scheduled and (last is None or last < scheduled)
        return daily or bool(fresh), digest

    def send_digest(self, *, force: bool = False) -> str | None:
        now = self.clock()
        due, digest = self.digest_due(now)
        if not (due or force):
            return None
        context = _digest_context(digest)
        env = package_environment("cpambot.approval")
        subject, body = render("digest.txt.j2", context, env=env)
        html = render_text("digest.html.j2", context, env=env)
        letter = Letter("digest", tuple(self.config.approvers), subject, body, html=html)
        message_id = self._enqueue_to_approver(letter, "digest", codes=digest.codes)
        for draft in digest.drafts:  # listed again: a fresh expiry, so a waiting draft stays approvable
            listed = set(draft.get("digest_ids", [])) | {message_id}
            self.drafts.mark(self.drafts.get(draft["key"]) or draft, digest_ids=sorted(listed),
                             announced=True, token_hash=new_token()[1],
                             token_expires=self._token_expiry(now).isoformat(timespec="seconds"))
        for refusal in digest.refusals:
            self.store.put(REFUSALS, refusal["_key"], {**refusal, "reported": True})
        self.store.put(META, "last_digest", {"at": now.isoformat(), "id": message_id,
                                            "urgent": digest.urgent_reasons})
        LOG.info("récapitulatif %s : %d brouillon(s), %d échéance(s)", message_id, len(digest.drafts),
                 len(digest.deadlines))
        return message_id

    # -- 3. the approver's messages ---------------------------------------------------

    def _refuse(self, raw_key: str, sender: str, reasons: list[str]) -> ReplyOutcome:
        LOG.warning("réponse refusée de %s : %s", sender, " ; ".join(reasons))
        when = self.clock().astimezone(self.tz).strftime("%d/%m/%Y %H:%M")
        self.store.put(REFUSALS, raw_key, {"date": when, "sender": sender, "reasons": reasons,
                                           "reported": False})
        return ReplyOutcome(False, reasons)

    def handle_message(self, raw: bytes, source: str) -> ReplyOutcome | None:
        """A message from an approver (or claiming to be): commands, edits, annulations.
        None when it is not addressed to the bot (a forward of a caisse message, say)."""
        head = summarize(header_block(raw), len(raw))
        msg = parse_message(raw)
        now = self.clock()
        ours = self.our_ids()
        chain = set(head.in_reply_to) | set(head.references)
        replying = bool(chain & ours)
        parent_meta = self.store.get(SENT_IDS, head.in_reply_to[0]) if head.in_reply_to else None
        draft_code = parent_meta["codes"][0] if parent_meta and parent_meta.get("kind") == "notice" else None
        parsed = read_reply(msg.text, draft_code=draft_code)
        if not replying and not parsed.annulations:
            if parsed.commands:  # looks like a decision, but answers nothing the bot sent
                return self._refuse(source, head.from_addr,
                                    ["commande qui ne répond à aucun message envoyé par cpambot"])
            return None  # not a command for the bot: read it as an ordinary message
        verdict = check_reply(head, approvers=set(self.config.approvers), our_message_ids=ours,
                              authserv_ids=self.config.authserv_ids,
                              raw_auth_results=authentication_results(header_block(raw)), now=now,
                              require_reference=not parsed.annulations or replying)
        if not verdict.accepted:
            return self._refuse(source, head.from_addr, verdict.reasons)
        outcome = ReplyOutcome(True)
        if not replying:  # an ANNULER request in a new message: nothing else in it is obeyed
            for request in parsed.annulations:
                draft = self.request_annulation(lot=request.lot, invoice=request.invoice,
                                                motif=request.motif, caisse_code=None,
                                                transmitted_on=local_date(now, self.tz),
                                                reply_to=head.message_id)
                outcome.changes.append(f"{draft['code']} : brouillon d'annulation préparé (lot "
                                       f"{request.lot}, facture {request.invoice}), envoyé à part pour "
                                       "votre accord")
            if parsed.commands or parsed.unrecognized:
                outcome.changes.append("les autres lignes de ce message sont ignorées : pour approuver, "
                                       "répondez au récapitulatif ou au brouillon")
            outcome.confirmation_id = self._confirm(head, outcome, ())
            return outcome
        tokens = find_tokens(head.to, msg.text)
        if draft_code and parsed.commands and [line for line in parsed.unrecognized
                                               if not RESEND.match(line.strip())
                                               and not DELIVERED.match(line.strip())]:
            outcome.changes.append(f"{draft_code} : réponse ambiguë (une commande et du texte) : rien "
                                   "n'est fait ; pour modifier le brouillon, répondez avec le seul "
                                   "texte corrigé, puis « OK »")
            outcome.confirmation_id = self._confirm(head, outcome, ())
            return outcome
        # OK TOUT means every code of the digest (or draft) she answered, and only that one.
        parent = self.store.get(SENT_IDS, verdict.parent_id) if verdict.parent_id else None
        listed = (parent or {}).get("codes", [])
        for code in parsed.approved(listed):
            outcome.changes.append(self._decide(code, "approve", verdict, tokens, now))
            draft = self.drafts.by_code(code)
            if draft is not None and draft["state"] == "approved" and draft.get("used_at") == now.isoformat():
                outcome.released.add(draft["code"])
        for command in parsed.commands:
            if command.action in ("reject", "postpone"):
                for code in command.codes:
                    outcome.changes.append(self._decide(code, command.action, verdict, tokens, now,
                                                        days=command.days))
        unrecognized = []
        for line in parsed.unrecognized:
            found = RESEND.match(line.strip())
            delivered = DELIVERED.match(line.strip())
            if found:
                outcome.changes.append(self._resend(found.group(1).upper(), head.from_addr, now))
            elif delivered:
                outcome.changes.append(self._delivered(delivered.group(1).upper(), head.from_addr, now))
            else:
                unrecognized.append(line)
        for code in parsed.conflicts:
            outcome.changes.append(f"{code} : ordres contradictoires, rien n'est fait")
        if parsed.edited_text is not None and draft_code:
            outcome.changes.append(self._decide(draft_code, "edit", verdict, tokens, now,
                                                text=parsed.edited_text))
        for request in parsed.annulations:
            draft = self.request_annulation(lot=request.lot, invoice=request.invoice, motif=request.motif,
                                            caisse_code=None, transmitted_on=local_date(now, self.tz),
                                            reply_to=head.message_id)
            outcome.changes.append(f"{draft['code']} : brouillon d'annulation préparé (lot {request.lot}, "
                                   f"facture {request.invoice}), envoyé à part pour votre accord")
        outcome.confirmation_id = self._confirm(head, outcome, tuple(unrecognized))
        return outcome

    def _resend(self, code: str, by: str, now: datetime) -> str:
        """RENVOYER A7: the approver decided that an uncertain (or failed) e-mail must go again."""
        draft = self.drafts.by_code(code)
        if draft is None or not draft.get("message_id"):
            return f"{code} : aucun envoi à renvoyer"
        doc = self.outbox.get(draft["message_id"])
        if doc is None or doc["state"] not in ("uncertain", "failed"):
            return f"{code} : rien à renvoyer ({doc['state'] if doc else 'pas d’envoi'})"
        self.outbox.confirm_resend(draft["message_id"], by=by, now=now)
        return f"{code} : sera renvoyé, à votre demande"

    def _decide(self, code: str, action: str, verdict: Any, tokens: set[str], now: datetime, *,
                days: int | None = None, text: str | None = None) -> str:
        draft = self.drafts.by_code(code)
        if draft is None:
            return f"{code} : aucun brouillon ne porte ce code"
        case = self.cases.get(draft["case_key"])
        if case is not None and case["state"] == "closed" and draft["state"] in ("pending", "postponed"):
            self.drafts.mark(draft, state="obsolete", reason="dossier clos")
            return f"{code} : le dossier {case['id']} est clos, ce courrier n'a plus lieu d'être envoyé"
        used = draft.get("used_at")
        proposal = Proposal(code=draft["code"], token_hash=draft["token_hash"],
                            expires_at=_aware(datetime.fromisoformat(draft["token_expires"])),
                            message_id=draft.get("notice_id"),
                            digest_ids=frozenset(draft.get("digest_ids", ())),
                            used_at=_aware(datetime.fromisoformat(used)) if used else None)
        release = may_release(verdict, proposal, presented_tokens=tokens, now=now)
        if not release.accepted:
            return "; ".join(release.reasons)
        if action == "approve" and placeholders(draft["body"]):
            return (f"{code} : le texte contient encore des passages « [À COMPLÉTER …] » : répondez au "
                    "brouillon avec le texte complété, puis « OK »")
        if action == "approve":
            message_id = make_message_id(self.id_domain, draft["code"].lower())
            change = self.drafts.decide(code, "approve", now=now, message_id=message_id)
            if change.ok:
                draft = self.drafts.by_code(code)
                assert draft is not None
                self._enqueue_approved(draft)
                self.drafts.mark(draft, used_at=now.isoformat())
            return change.message
        change = self.drafts.decide(code, action, now=now, days=days, text=text,
                                    today=local_date(now, self.tz))
        if change.ok and action == "edit":
            edited = self.drafts.by_code(code)
            assert edited is not None
            # Only the message showing the new text may release it: older digests and notices
            # showed the old one.
            self.drafts.mark(edited, digest_ids=[])
            self.announce_draft(edited)
            return (f"{code} : texte remplacé par le vôtre ; il vous est renvoyé à part : répondez « OK » "
                    "à ce message pour l'envoyer")
        return change.message

    def _delivered(self, code: str, by: str, now: datetime) -> str:
        """REÇU A7: the approver checked that an uncertain e-mail did arrive."""
        draft = self.drafts.by_code(code)
        doc = self.outbox.get(draft["message_id"]) if draft and draft.get("message_id") else None
        if doc is None or doc["state"] != "uncertain":
            return f"{code} : aucun envoi incertain à confirmer"
        self.outbox.confirm_delivered(doc["_key"], by=by, now=now)
        return f"{code} : noté comme bien reçu par le destinataire"

    def _confirm(self, head: Any, outcome: ReplyOutcome, unrecognized: tuple[str, ...]) -> str:
        to_send = [d for d in self.drafts.all() if d["code"] in outcome.released]
        context = {"summary": f"{len(outcome.changes)} décision(s)",
                   "received": local_date(self.clock(), self.tz),
                   "changes": [{"message": c} for c in outcome.changes], "unrecognized": list(unrecognized),
                   "to_send": to_send}
        subject, body = render("confirmation.txt.j2", context, env=package_environment("cpambot.approval"))
        letter = Letter("confirmation", tuple(self.config.approvers), subject, body)
        return self._enqueue_to_approver(letter, "confirmation", in_reply_to=head.message_id, codes=[])

    # -- 4. sending ---------------------------------------------------------------------

    def case_documents(self, case_key: str) -> tuple[Attachment, ...]:
        """The documents the caisse sent for a case (notification PDF, table of anomalies…), from
        the raw copies of its messages: a CRA referral encloses them, as its text says."""
        case = self.cases.get(case_key)
        if case is None:
            return ()
        raw_store = RawStore(self.config.data_dir)
        found: list[Attachment] = []
        total = 0
        for source in dict.fromkeys(h.get("source") for h in case.get("history", []) if h.get("source")):
            doc = self.store.get(LEDGER, source)
            row = LedgerRow.from_doc(doc) if doc is not None else None
            if row is None or not row.raw or row.category not in (Category.CAISSE, Category.APPROVER):
                continue
            try:
                parsed = parse_message(raw_store.load(row.raw))
            except OSError:
                continue
            for item in parsed.original.attachments or parsed.attachments:
                if not item.payload or not item.filename.lower().endswith(ATTACHABLE):
                    continue
                if total + len(item.payload) > MAX_ATTACHMENTS_BYTES:
                    LOG.warning("dossier %s : pièce jointe %s trop lourde pour le courriel, non jointe",
                                case["id"], item.filename)
                    continue
                total += len(item.payload)
                found.append(Attachment(item.filename, item.content_type, item.payload))
        return tuple(found)

    def _enqueue_approved(self, draft: dict[str, Any]) -> None:
        attachments = self.case_documents(draft["case_key"]) if draft["kind"] in ENCLOSING else ()
        letter = Letter(draft["kind"], tuple(draft["to"]), draft["subject"], draft["body"],
                        cc=tuple(draft.get("cc", ())), attachments=attachments)
        self.outbox.enqueue(letter, sender=self.sender, message_id=draft["message_id"],
                            purpose=draft["kind"], case_key=draft["case_key"], draft_key=draft["key"])

    def recover_approved(self) -> list[str]:
        """A draft approved (its Message-ID fixed) whose e-mail never reached the outbox — the
        process stopped in between — is enqueued now: nothing was sent for it yet, and the
        fixed Message-ID keeps enqueuing idempotent."""
        recovered = []
        for draft in list(self.drafts.all()):
            if draft["state"] == "approved" and draft.get("message_id") \
                    and self.outbox.get(draft["message_id"]) is None:
                self._enqueue_approved(draft)
                recovered.append(draft["code"])
        if recovered:
            LOG.warning("brouillon(s) approuvé(s) remis dans la file d'envoi après un arrêt : %s",
                        ", ".join(recovered))
        return recovered

    def deliver(self) -> Any:
        now = self.clock()
        self.recover_approved()
        report = self.outbox.deliver(now)
        self.outbox.resolve_uncertain(now)
        self.record_sent()
        return report

    def record_sent(self) -> list[str]:
        """Drafts whose e-mail left: the case moves on (relance sent → waiting for an answer)."""
        done = []
        for draft in list(self.drafts.all()):
            if draft["state"] not in ("approved", "failed") or not draft.get("message_id"):
                continue
            doc = self.outbox.get(draft["message_id"])
            if doc is None:
                continue
            if doc["state"] == "failed" and draft["state"] == "approved":
                self.drafts.mark(draft, state="failed", error=doc.get("reason"))
                continue
            if doc["state"] != "sent":
                continue
            sent_at = datetime.fromisoformat(doc["sent_at"]) if doc.get("sent_at") else self.clock()
            date_key = DONE_DATES.get(draft["step"])
            if date_key:  # the case first: a stop in between redoes this, never loses it
                self.cases.mark_step(draft["case_key"], date_key, local_date(_aware(sent_at), self.tz),
                                     f"{draft['label']} envoyée ({draft['code']})")
            self.drafts.mark(draft, state="sent", sent_at=doc.get("sent_at"))
            done.append(draft["code"])
        return done


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digest_context(digest: Any) -> dict[str, Any]:
    return {
        "today": digest.today, "urgent": digest.urgent_reasons, "drafts": digest.drafts,
        "missing": digest.missing, "deadlines": digest.deadlines, "new_cases": digest.new_cases,
        "to_sort": digest.to_sort, "sending_problems": digest.sending_problems,
        "refusals": digest.refusals, "money_by_state": digest.money_by_state,
        "money_by_age": digest.money_by_age, "empty": digest.empty,
    }


def _sent_folder_factory(config: Config) -> Any:
    if config.smtp is None:
        return None
    account = next((a for a in config.accounts if a.kind == "imap" and a.username
                    and a.username.lower() == config.smtp.sender.lower()), None)
    account = account or next((a for a in config.accounts if a.kind == "imap"), None)
    return sent_folder_for(account) if account else None
