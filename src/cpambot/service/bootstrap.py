"""Wiring, in one place: from a configuration, a store, one clock and one random source to the parts
that follow the cases up (drafting, the approver's mail and replies, delivery)."""

from __future__ import annotations

from dataclasses import dataclass

from cpambot.approval.draftbook import DraftBook
from cpambot.cases.casebook import CaseBook
from cpambot.clock import Clock
from cpambot.config.model import Config
from cpambot.mailbox.senders import SenderPolicy
from cpambot.randomness import Random
from cpambot.sending.outbox import Outbox
from cpambot.sending.sent_folder import SentFolderFactory, sent_folder_for
from cpambot.service.approver import ApproverMail, id_domain
from cpambot.service.bounces import BounceDesk
from cpambot.service.delivery import Delivery
from cpambot.service.drafting import Drafter
from cpambot.service.learning import Teacher
from cpambot.service.replies import ReplyDesk
from cpambot.store.database import Store
from cpambot.store.raw import RawStore


def build_policy(config: Config) -> SenderPolicy:
    """Who is the caisse, a complementary insurer, an approver, or the bot itself, for this config."""
    caisse_domains = list(config.caisse_domains)
    amc_domains = list(config.amc_domains)
    for caisse in config.caisses:
        target = amc_domains if caisse.kind == "amc" else caisse_domains
        target.extend(caisse.domains)
        target.extend(a.rpartition("@")[2].lower() for a in caisse.addresses.values())
    own = (config.professional.email, config.bot_address or "")
    return SenderPolicy.build(extra_caisse=caisse_domains, extra_amc=amc_domains,
                              approvers=config.approvers, own_addresses=own, bot_id_domain=id_domain(config),
                              forwarders=config.forwarders, authserv_ids=config.authserv_ids)


def sent_folder_factory(config: Config) -> SentFolderFactory | None:
    """The Sent folder where copies of what the bot sends are kept: the IMAP account of the sender."""
    if config.smtp is None:
        return None
    smtp = config.smtp
    account = next((a for a in config.accounts if a.kind == "imap" and a.username
                    and a.username.lower() == smtp.sender.lower()), None)
    account = account or next((a for a in config.accounts if a.kind == "imap"), None)
    return sent_folder_for(account) if account else None


@dataclass(frozen=True)
class Shell:
    """The imperative parts around the pure core, for one store."""

    cases: CaseBook
    drafts: DraftBook
    outbox: Outbox
    approver: ApproverMail
    drafter: Drafter
    delivery: Delivery
    replies: ReplyDesk
    bounces: BounceDesk


def build_shell(config: Config, store: Store, *, clock: Clock, random: Random,
                outbox: Outbox | None = None) -> Shell:
    """Every part wired to the same store, clock and random source (``outbox``: another one, e.g.
    one with no SMTP server for the demo)."""
    cases = CaseBook(store, config.rules)
    drafts = DraftBook(store)
    if outbox is None:
        outbox = Outbox(store, config.smtp, sent_folder_factory(config), clock)
    approver = ApproverMail(config, store, outbox, drafts, cases, clock, random)
    drafter = Drafter(config, cases, drafts, approver, clock, random)
    delivery = Delivery(config, store, cases, drafts, outbox, clock)
    teacher = Teacher(store, RawStore(config.data_dir), cases, config.caisses)
    replies = ReplyDesk(config, cases, drafts, outbox, approver, drafter, delivery, clock, teacher)
    bounces = BounceDesk(config, outbox, drafts, cases, clock)
    return Shell(cases, drafts, outbox, approver, drafter, delivery, replies, bounces)
