"""Delivery: approved drafts go to the outbox, the outbox sends, and each case records its letter sent."""

from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from cpambot import labels
from cpambot.approval.draftbook import DraftBook
from cpambot.approval.filing import filing_letter, posting_letter
from cpambot.approval.model import Draft, DraftState
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock
from cpambot.config.model import Config
from cpambot.instants import local_date
from cpambot.letters.model import LETTER_PURPOSE, Attachment, Letter, LetterKind
from cpambot.letters.pdf import PostalLetter, letter_pdf
from cpambot.letters.plan import DONE_DATES
from cpambot.mailbox.ledger import LEDGER
from cpambot.sending.model import DeliveryReport, SendState
from cpambot.sending.outbox import Outbox
from cpambot.store.database import Store
from cpambot.store.raw import RawStore
from cpambot.understanding.message import parse_message
from cpambot.understanding.paper import MIN_PHOTO_BYTES, is_image

FORWARDING = ("caisse", "approver", "owner", "reply")  # the ledger categories whose documents a letter may
HERS = ("approver", "owner", "reply")  # enclose; those of her own messages (a letter she photographed)
LOG = logging.getLogger(__name__)

ENCLOSING = (LetterKind.SAISINE_CRA,)  # letters that enclose the caisse's own documents
ATTACHABLE = (".pdf", ".csv", ".xlsx", ".xls", ".ods", ".odt", ".doc", ".docx")
MAX_ATTACHMENTS_BYTES = 8 * 1024 * 1024


class Delivery:
    def __init__(self, config: Config, store: Store, cases: CaseBook, drafts: DraftBook, outbox: Outbox,
                 clock: Clock) -> None:
        self.config = config
        self.store = store
        self.cases = cases
        self.drafts = drafts
        self.outbox = outbox
        self.clock = clock
        self.sender = config.smtp.sender if config.smtp else config.professional.email
        self.tz = ZoneInfo(config.timezone)

    def case_documents(self, case_key: str) -> tuple[Attachment, ...]:
        """The documents the caisse sent for a case (notification PDF, table of anomalies…), from
        the raw copies of its messages: a CRA referral encloses them, as its text says."""
        case = self.cases.get(case_key)
        if case is None:
            return ()
        raw_store = RawStore(self.config.data_dir)
        found: list[Attachment] = []
        total = 0
        for source in dict.fromkeys(h.source for h in case.history if h.source):
            row = self.store.get(LEDGER, source)
            if row is None or not row.get("raw") or row.get("category") not in FORWARDING:
                continue
            try:
                parsed = parse_message(raw_store.load(row["raw"]))
            except OSError:
                continue
            # (her own photos of a paper letter: not the pictures of a caisse e-mail she forwarded)
            hers = row.get("category") in HERS and parsed.forwarded is None
            for item in parsed.original.attachments or parsed.attachments:
                photo = hers and is_image(item) and len(item.payload) >= MIN_PHOTO_BYTES
                if not item.payload or not (item.filename.lower().endswith(ATTACHABLE) or photo):
                    continue  # (a caisse's pictures are its logos)
                if total + len(item.payload) > MAX_ATTACHMENTS_BYTES:
                    LOG.warning("dossier %s : pièce jointe %s trop lourde pour le courriel, non jointe",
                                case.id, item.filename)
                    continue
                total += len(item.payload)
                found.append(Attachment(item.filename, item.content_type, item.payload))
        return tuple(found)

    def enqueue(self, draft: Draft) -> None:
        """Put an approved draft's e-mail in the outbox, under its fixed Message-ID (idempotent): to the
        caisse, or, for a letter she files herself on amelipro, to her with the text ready to paste."""
        assert draft.message_id is not None
        if draft.channel in ("amelipro", "courrier"):
            letter = (filing_letter(draft, self.config.approvers, self.case_documents(draft.case_key))
                      if draft.channel == "amelipro" else self.posting(draft))
            self.outbox.enqueue(letter, sender=self.sender, message_id=draft.message_id, purpose=letter.kind,
                                case_key=draft.case_key, draft_key=draft.key)
            return
        attachments = self.case_documents(draft.case_key) if draft.kind in ENCLOSING else ()
        letter = Letter(draft.kind, draft.to, draft.subject, draft.body, cc=draft.cc, attachments=attachments)
        self.outbox.enqueue(letter, sender=self.sender, message_id=draft.message_id, purpose=draft.kind,
                            case_key=draft.case_key, draft_key=draft.key)

    def posting(self, draft: Draft) -> Letter:
        """The e-mail that brings her ``draft`` as a PDF to post registered (with what it encloses)."""
        case = self.cases.get(draft.case_key)
        code = (case.caisse if case is not None else None) or "?"
        caisse = self.config.caisse(code)
        purpose = LETTER_PURPOSE[draft.kind]
        recipient = ((caisse.name, *caisse.postal.get(purpose, ())) if caisse is not None
                     else (f"Caisse {code}",))
        documents = self.case_documents(draft.case_key) if draft.kind in ENCLOSING else ()
        pro = self.config.professional
        pdf = letter_pdf(PostalLetter(pro, labels.profession_signed(pro.profession, pro.civilite), recipient,
                                      draft.subject, draft.body, local_date(self.clock.now(), self.tz),
                                      enclosures=tuple(a.filename for a in documents)))
        return posting_letter(draft, self.config.approvers, pdf, documents)

    def recover_approved(self) -> list[str]:
        """A draft approved (its Message-ID fixed) whose e-mail never reached the outbox — the
        process stopped in between — is enqueued now: nothing was sent for it yet, and the
        fixed Message-ID keeps enqueuing idempotent."""
        recovered = []
        for draft in list(self.drafts.all()):
            if draft.state is DraftState.APPROVED and draft.message_id \
                    and self.outbox.get(draft.message_id) is None:
                self.enqueue(draft)
                recovered.append(draft.code)
        if recovered:
            LOG.warning("%s dans la file d'envoi après un arrêt : %s",
                        "brouillons approuvés remis" if len(recovered) > 1 else "brouillon approuvé remis",
                        ", ".join(recovered))
        return recovered

    def deliver(self) -> DeliveryReport:
        now = self.clock.now()
        self.recover_approved()
        report = self.outbox.deliver(now)
        self.outbox.resolve_uncertain(now)
        self.record_sent()
        return report

    def record_sent(self) -> list[str]:
        """Drafts whose e-mail left: the case moves on (relance sent → waiting for an answer)."""
        done = []
        for draft in list(self.drafts.all()):
            # (a failed or bounced one may have been sent again: RENVOYER)
            if draft.state not in (DraftState.APPROVED, DraftState.FAILED, DraftState.BOUNCED) \
                    or not draft.message_id:
                continue
            doc = self.outbox.get(draft.message_id)
            if doc is None:
                continue
            if doc.state is SendState.FAILED and draft.state is DraftState.APPROVED:
                self.drafts.save(replace(draft, state=DraftState.FAILED, error=doc.reason))
                continue
            if doc.state is not SendState.SENT:
                continue
            if draft.channel in ("amelipro", "courrier"):  # with her: the case moves once she says it is done
                state = DraftState.TO_FILE if draft.channel == "amelipro" else DraftState.TO_POST
                self.drafts.save(replace(draft, state=state))
                continue
            sent_at = doc.sent_at or self.clock.now()
            date_key = DONE_DATES.get(draft.step)
            if date_key:  # the case first: a stop in between redoes this, never loses it
                self.cases.mark_step(draft.case_key, date_key, local_date(sent_at, self.tz),
                                     f"{draft.label} envoyée ({draft.code})")
            self.drafts.save(replace(draft, state=DraftState.SENT, sent_at=doc.sent_at))
            done.append(draft.code)
        return done
