"""The digest: what the professional must know and decide, as plain data, then as an e-mail.

:func:`build_digest` is pure: cases, drafts and the outbox's problems in, a
:class:`Digest` out. :func:`is_urgent` says when it cannot wait for the daily
time (a same-day cancellation, a deadline within 3 days, a draft that must leave
today). Rendering uses templates/digest.txt.j2 and digest.html.j2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from cpambot import labels
from cpambot.approval.model import Draft, DraftState, Refusal
from cpambot.books.stats import MonthSummary
from cpambot.cases.by_hand import LETTER_UNDATED, RECEIPT_ASKED, receipt_letter
from cpambot.cases.deadlines import reminders
from cpambot.cases.model import Case, CaseType
from cpambot.letters.model import LetterKind
from cpambot.letters.render import euros

URGENT_DAYS = 3
AGE_BUCKETS = ((30, "moins de 30 jours"), (90, "30 à 90 jours"), (None, "plus de 90 jours"))


@dataclass(frozen=True)
class DeadlineItem:
    case_id: str
    case_label: str
    name: str
    label: str
    due: date
    days_left: int
    marks: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class MoneyRow:
    label: str
    amount: Decimal
    count: int
    bar: int  # 0..100, share of the largest row


@dataclass(frozen=True)
class ListedDraft:
    """A draft as the digest shows it: the draft and the case it is for."""

    draft: Draft
    case_label: str

    # What the templates and the urgency rules read, by name.
    @property
    def code(self) -> str:
        return self.draft.code

    @property
    def kind(self) -> LetterKind:
        return self.draft.kind

    @property
    def label(self) -> str:
        return self.draft.label

    @property
    def due(self) -> date:
        return self.draft.due

    @property
    def reason(self) -> str:
        return self.draft.reason

    @property
    def to(self) -> tuple[str, ...]:
        return self.draft.to

    @property
    def destination(self) -> str:
        return self.draft.destination

    @property
    def subject(self) -> str:
        return self.draft.subject

    @property
    def body(self) -> str:
        return self.draft.body

    @property
    def missing(self) -> tuple[str, ...]:
        return self.draft.missing


@dataclass(frozen=True)
class SendingProblem:
    """An e-mail of a draft whose sending failed or could not be confirmed."""

    code: str | None
    subject: str
    problem: str  # French


@dataclass
class Digest:
    today: date
    drafts: list[ListedDraft] = field(default_factory=list)
    missing: list[ListedDraft] = field(default_factory=list)
    to_file: list[ListedDraft] = field(default_factory=list)  # approved, to be filed by her on amelipro
    to_post: list[ListedDraft] = field(default_factory=list)  # approved, to be posted by her, registered
    new_cases: list[Case] = field(default_factory=list)
    deadlines: list[DeadlineItem] = field(default_factory=list)
    to_sort: list[Case] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    sending_problems: list[SendingProblem] = field(default_factory=list)
    bounced: list[SendingProblem] = field(default_factory=list)  # letters reported not delivered
    dropped: list[SendingProblem] = field(default_factory=list)  # drafts an answer made pointless, and why
    health: list[str] = field(default_factory=list)  # "État du robot", one line each
    unread: list[str] = field(default_factory=list)  # the mailboxes the last poll could not read
    health_urgent: list[str] = field(default_factory=list)  # alerts of the bot's own health
    money_by_state: list[MoneyRow] = field(default_factory=list)
    money_by_age: list[MoneyRow] = field(default_factory=list)
    urgent_reasons: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)  # "À faire aujourd'hui": one line each, what is lost first
    todo_more: int = 0  # the points of the day beyond the first TODO_MAX (they are in the sections below)
    first: str | None = None  # the first digest ever: what the bot found in the mailbox, in one sentence
    month: MonthSummary | None = None  # the first digest of a month: the month before, in figures
    calendar_attached: bool = False  # the deadlines feed is attached (a deadline changed)
    bank: list[str] = field(default_factory=list)  # the bank reconciliation made since the last digest
    receipt_asked: list[Case] = field(default_factory=list)  # paper letters: the day of receipt to say

    @property
    def empty(self) -> bool:
        return not (self.drafts or self.missing or self.to_file or self.to_post or self.new_cases
                    or self.deadlines or self.to_sort or self.refusals or self.sending_problems
                    or self.bounced or self.dropped)

    @property
    def later_deadlines(self) -> list[DeadlineItem]:
        """The deadlines "À faire aujourd'hui" does not already tell (past ones, and those after the next
        days)."""
        return [d for d in self.deadlines if d.days_left > URGENT_DAYS]

    @property
    def past_deadlines(self) -> list[DeadlineItem]:
        """The deadlines already past: told apart ("rattrapage"), never as an alert."""
        return [d for d in self.deadlines if d.days_left < 0]

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.drafts]


def case_label(case: Case) -> str:
    parts = [f"{case.id} {labels.CASE_TYPE[case.type]}"]
    if case.caisse:
        parts.append(f"caisse {case.caisse}")
    if case.lot:
        parts.append(f"lot {case.lot}")
    if case.invoice:
        parts.append(f"facture {case.invoice}")
    if case.reference:
        parts.append(f"réf. {case.reference}")
    return ", ".join(parts)


def _money_rows(groups: dict[str, tuple[Decimal, int]]) -> list[MoneyRow]:
    top = max((amount for amount, _ in groups.values()), default=Decimal("0"))
    return [MoneyRow(label, amount, count, int(amount * 100 / top) if top else 0)
            for label, (amount, count) in groups.items() if count]


def build_digest(cases: list[Case], drafts: list[Draft], *, today: date,
                 since: datetime | None, refusals: Sequence[Refusal] = (),
                 sending_problems: Sequence[SendingProblem] = (),
                 bounced: Sequence[SendingProblem] = (), health: Sequence[str] = (),
                 unread: Sequence[str] = (), health_urgent: Sequence[str] = (),
                 dropped: Sequence[SendingProblem] = (), first: bool = False,
                 to_file: Sequence[Draft] = ()) -> Digest:  # (to_file: with her, to file or to post)
    """The digest's content. ``health``: the "État du robot" lines; ``unread``: the mailboxes that could
    not be read (the digest then never says "nothing new"); ``health_urgent``: alerts about them."""
    digest = Digest(today=today, refusals=list(refusals), sending_problems=list(sending_problems),
                    bounced=list(bounced), health=list(health), unread=list(unread),
                    health_urgent=list(health_urgent), dropped=list(dropped))
    by_key = {c.key: c for c in cases}

    def listed(draft: Draft) -> ListedDraft:
        case = by_key.get(draft.case_key)
        return ListedDraft(draft, case_label(case) if case else draft.case_id)

    digest.drafts = [listed(d) for d in drafts if d.state is DraftState.PENDING]
    digest.missing = [listed(d) for d in drafts if d.state is DraftState.MISSING]
    digest.to_file = [listed(d) for d in to_file if d.state is DraftState.TO_FILE]
    digest.to_post = [listed(d) for d in to_file if d.state is DraftState.TO_POST]
    by_state: dict[str, tuple[Decimal, int]] = {}
    by_age: dict[str, tuple[Decimal, int]] = {label: (Decimal("0"), 0) for _, label in AGE_BUCKETS}
    for case in cases:
        if case.is_closed or case.type is CaseType.LOT_WATCH:
            continue
        if since is None or case.opened >= since.date():
            digest.new_cases.append(case)
        if case.type is CaseType.TO_SORT or case.needs_review:
            digest.to_sort.append(case)
        if RECEIPT_ASKED in case.flags:
            digest.receipt_asked.append(case)
        for deadline in case.deadlines:
            marks = reminders(deadline, today)
            if marks:
                what = labels.DEADLINE.get(deadline.name, deadline.name)
                digest.deadlines.append(DeadlineItem(
                    case.id, case_label(case), deadline.name, what, deadline.due,
                    (deadline.due - today).days, tuple(marks), deadline.basis))
        if case.amount is not None:
            label = labels.CASE_STATE[case.state]
            total, count = by_state.get(label, (Decimal("0"), 0))
            by_state[label] = (total + case.amount, count + 1)
            age = (today - case.opened).days
            bucket = next(lbl for limit, lbl in AGE_BUCKETS if limit is None or age < limit)
            total, count = by_age[bucket]
            by_age[bucket] = (total + case.amount, count + 1)
    digest.deadlines.sort(key=lambda item: item.due)
    digest.money_by_state = _money_rows(by_state)
    digest.money_by_age = _money_rows(by_age)
    digest.urgent_reasons = urgent_reasons(digest)
    if first:
        digest.first = found_sentence(cases, digest)
    todo = todo_items(digest, by_key, {c.id: c for c in cases})
    digest.todo, digest.todo_more = todo[:TODO_MAX], max(0, len(todo) - TODO_MAX)
    return digest


def found_sentence(cases: Sequence[Case], digest: Digest) -> str:
    """What a first reading of the mailbox found, in one sentence: the cases under way, the money at
    stake, those whose deadlines are already past."""
    current = [c for c in cases if not c.is_closed and c.type is not CaseType.LOT_WATCH]
    money = sum((c.amount for c in current if c.amount is not None), Decimal("0"))
    late = len({d.case_id for d in digest.past_deadlines})
    n = len(current)
    said = (f"Voici ce que j'ai trouvé dans votre boîte : {n} dossier{'s' if n > 1 else ''} en cours"
            if n else "Voici ce que j'ai trouvé dans votre boîte : aucun dossier en cours")
    if money:
        said += f", {euros(money)} en jeu"
    if late:
        said += (f", dont {late} avec un délai déjà dépassé (voir « délais dépassés » : pas d'alerte "
                 "pour eux, ni de courrier pour une étape passée depuis longtemps)")
    return said + "."


TODO_MAX = 8  # (one phone screen)
# the letter whose sending meets a deadline
DEADLINE_STEPS = {"cra_referral": "saisine_cra", "observations": "indu_explication",
                  "conciliateur_available": "saisine_conciliateur", "relance1": "relance1",
                  "relance2": "relance2"}
PIECES_DEADLINES = ("pieces", "pieces_justificatives")


def _when(days_left: int, due: date) -> str:
    if days_left < 0:
        return f"dépassée depuis le {due:%d/%m/%Y}"
    if days_left == 0:
        return "aujourd'hui"
    return f"J-{days_left}, le {due:%d/%m/%Y}"


def todo_items(digest: Digest, cases_by_key: dict[str, Case], cases_by_id: dict[str, Case]) -> list[str]:
    """What to do today, what is lost first: a letter that did not arrive and the legal deadlines of the
    next days (nearest first, then the largest sum), then the letters that must leave today, then the
    mailboxes the bot cannot read. One line each, with the reply that does it."""
    ranked: list[tuple[tuple[int, date, Decimal], str]] = []
    drafts_of: dict[tuple[str, str], str] = {}  # (case, step) -> the draft that does it
    for listed in digest.drafts:
        drafts_of.setdefault((listed.draft.case_key, listed.draft.step), listed.code)
    for problem in digest.bounced:
        ranked.append(((0, digest.today, Decimal("0")),
                       f"{problem.code or problem.subject} non distribué : vérifiez l'adresse, puis répondez "
                       f"« RENVOYER {problem.code or 'code'} » ou attendez le nouveau brouillon"))
    with_deadline: set[str] = set()
    for item in digest.deadlines:
        if not 0 <= item.days_left <= URGENT_DAYS:
            continue
        case = cases_by_id.get(item.case_id)
        amount = case.amount if case is not None and case.amount is not None else Decimal("0")
        money = f", {euros(amount)}" if amount else ""
        step = DEADLINE_STEPS.get(item.name)
        code = drafts_of.get((case.key, step)) if case is not None and step else None
        do = (f"brouillon {code} prêt : répondez « OK {code} »" if code
              else f"envoyez-les, puis répondez « FAIT {item.case_id} »" if item.name in PIECES_DEADLINES
              else "à faire par vous")
        ranked.append(((1, item.due, -amount),
                       f"{item.label} ({_when(item.days_left, item.due)}) – {item.case_id}{money} : {do}"))
        if code is not None:
            with_deadline.add(code)
    for case in digest.receipt_asked:
        found = receipt_letter(case)
        if found is None:
            continue
        key, label = found
        dated = case.dates[key]
        undated = LETTER_UNDATED in case.flags
        ranked.append(((1, dated, Decimal("0")),
                       f"{case.id} – {label} reçue par courrier ("
                       + ("sa date n'a pas pu être lue" if undated else f"datée du {dated:%d/%m/%Y}")
                       + f") : quel jour vous est-elle parvenue ? Répondez « REÇU {case.id} JJ/MM » ; en "
                       "attendant, les délais sont comptés depuis "
                       + (f"le {dated:%d/%m/%Y}, jour où vous l'avez envoyée" if undated
                          else "la date du courrier")))
    for listed in digest.drafts:
        if listed.due > digest.today or listed.code in with_deadline:
            continue
        case = cases_by_key.get(listed.draft.case_key)
        amount = case.amount if case is not None and case.amount is not None else Decimal("0")
        money = f", {euros(amount)}" if amount else ""
        when = "aujourd'hui" if listed.due == digest.today else f"en retard depuis le {listed.due:%d/%m/%Y}"
        ranked.append(((2, listed.due, -amount),
                       f"{listed.code} – {listed.label.lower()} à envoyer {when} – {listed.draft.case_id}"
                       f"{money} : répondez « OK {listed.code} »"))
    for sending in digest.sending_problems:
        ranked.append(((2, digest.today, Decimal("0")),
                       f"{sending.code or sending.subject} : envoi à vérifier ({sending.problem}) : répondez "
                       f"« RENVOYER {sending.code or 'code'} » ou « REÇU {sending.code or 'code'} »"))
    for reason in digest.health_urgent:
        ranked.append(((3, digest.today, Decimal("0")), reason[:1].upper() + reason[1:]))
    return [text for _, text in sorted(ranked, key=lambda r: r[0])]


def urgent_reasons(digest: Digest) -> list[str]:
    reasons = list(digest.health_urgent)
    for draft in digest.drafts:
        if draft.kind is LetterKind.ANNULATION:
            reasons.append(f"annulation de facture {draft.code} à envoyer aujourd'hui")
        elif draft.due <= digest.today:
            reasons.append(f"brouillon {draft.code} à envoyer aujourd'hui au plus tard")
    for item in digest.deadlines:
        if 0 <= item.days_left <= URGENT_DAYS:
            reasons.append(f"{item.label} pour {item.case_id} le {item.due:%d/%m/%Y}")
    if digest.sending_problems:
        reasons.append("un envoi n'a pas pu être confirmé")
    for problem in digest.bounced:  # (each one new: told at once, not at the next daily digest)
        reasons.append(f"courrier {problem.code or problem.subject} non distribué : {problem.problem}")
    return reasons


def is_urgent(digest: Digest) -> bool:
    return bool(digest.urgent_reasons)
