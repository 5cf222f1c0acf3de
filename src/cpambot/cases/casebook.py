"""The case book: applies readings to the cases kept in the store (the imperative side of rules.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from cpambot.cases.by_hand import paper_received
from cpambot.cases.deadlines import absurd_date
from cpambot.cases.model import Case, CaseState
from cpambot.cases.rules import (
    WATCHES,
    apply_fact,
    case_key,
    close_watch,
    letter_not_delivered,
    mark_unpaid,
    new_case,
    record_letter_sent,
    related_keys,
    same_problem,
    satisfies_watch,
    watch_expired,
    with_fresh_deadlines,
)
from cpambot.config.model import RuleSettings
from cpambot.store.database import Store
from cpambot.understanding.facts import Fact, FactKind, Reading

LOG = logging.getLogger(__name__)

CASES = "cases"
ALIASES = "case_aliases"  # other keys under which a case was found: key -> {"case": case key}
CASE_IDS = "case_ids"  # case key -> {"id": its number}: kept across a rebuild
COUNTERS = "counters"
_NO_CASE_ALONE = ("invoice_paid", "amc_paid")  # routine payments open nothing by themselves


class CaseBook:
    """The cases of one store: reads them as :class:`Case` values, saves them as dicts."""

    def __init__(self, store: Store, settings: RuleSettings | None = None) -> None:
        self.store = store
        self.settings = settings or RuleSettings()
        self._watches: set[str] | None = None
        # open cases by lot and by invoice number, in the store's order: where a fact seen through
        # another channel looks for its case (without parsing every case of the store)
        self._by_ref: dict[str, list[str]] | None = None
        self._cases: dict[str, Case] = {}  # cases parsed so far, valid while the table is at _version
        self._complete = False  # whether _cases holds every case
        self._version = -1

    # -- reading --------------------------------------------------------------------

    def _fresh(self) -> dict[str, Case]:
        """The cases parsed so far, kept in step with this book's own writes; forgotten if anything
        else changed the table (another book, a rebuild). A case is parsed once, when first asked."""
        if self._version != self.store.version(CASES):
            self._cases, self._complete, self._watches, self._by_ref = {}, False, None, None
            self._version = self.store.version(CASES)
        return self._cases

    def get(self, key: str) -> Case | None:
        cases = self._fresh()
        if key not in cases:
            doc = self.store.get(CASES, key)
            if doc is None:
                return None
            cases[key] = Case.from_doc(doc)
        return cases[key]

    def by_id(self, case_id: str) -> Case | None:
        wanted = case_id.strip().upper()
        if not wanted.startswith("C"):
            wanted = "C" + wanted
        key = self.store.find(CASES, "id", wanted)
        return self.get(key) if key else None

    def all(self, *, archived: bool = False) -> Iterator[Case]:
        """The cases in memory (every case still followed, and those closed lately); with ``archived``,
        every case ever opened (read from the archive, not kept)."""
        if archived:
            return iter([Case.from_doc(doc) for doc in self.store.values(CASES, archived=True)])
        cases = self._fresh()
        if not self._complete:
            parsed = {doc["_key"]: cases.get(doc["_key"]) or Case.from_doc(doc)
                      for doc in self.store.values(CASES)}
            cases.clear()
            cases.update(parsed)  # the store's order
            self._complete = True
        return iter(list(cases.values()))

    # -- writing --------------------------------------------------------------------

    def _id_for(self, key: str) -> str:
        """The number a case had before a rebuild, else a new one."""
        known = self.store.get(CASE_IDS, key)
        return str(known["id"]) if known else self._next_id()

    def _next_id(self) -> str:
        counter = self.store.get(COUNTERS, "case") or {"next": 1}
        number = int(counter["next"])
        self.store.put(COUNTERS, "case", {"next": number + 1})
        return f"C{number}"

    def _open_watches(self) -> set[str]:
        self._fresh()
        if self._watches is None:  # read from the stored dicts: no case needs parsing for it
            self._watches = {doc["_key"] for doc in self.store.values(CASES)
                             if doc["type"] in WATCHES and doc["state"] != CaseState.CLOSED}
        return self._watches

    def _refs(self) -> dict[str, list[str]]:
        self._fresh()
        if self._by_ref is None:
            self._by_ref = {}
            for doc in self.store.values(CASES):
                if doc["state"] != CaseState.CLOSED:
                    self._index_refs(doc["_key"], doc.get("lot"), doc.get("invoice"))
        return self._by_ref

    def _index_refs(self, key: str, *refs: str | None) -> None:
        assert self._by_ref is not None
        for ref in refs:
            if ref and key not in (keys := self._by_ref.setdefault(ref, [])):
                keys.append(key)

    def save(self, case: Case) -> None:
        self._refs()
        cases = self._fresh()
        self.store.put(CASES, case.key, case.to_doc())
        cases[case.key] = case
        self._version = self.store.version(CASES)
        if not case.is_closed:  # (a closed case stays listed: same_problem passes it over)
            self._index_refs(case.key, case.lot, case.invoice)
        watches = self._open_watches()
        if case.type in WATCHES and not case.is_closed:
            watches.add(case.key)
        else:
            watches.discard(case.key)

    def apply_reading(self, reading: Reading, *, source: str, received: date,
                      today: date) -> list[str]:
        """Open or update the cases the reading's facts belong to; return the touched case ids."""
        if reading.is_test:
            return []
        touched: list[str] = []
        facts = list(reading.facts)
        review = reading.needs_review
        for fact in list(facts):
            if fact.date is not None and absurd_date(fact.date, today):
                facts.remove(fact)
                review = f"date invraisemblable ({fact.date:%d/%m/%Y}) dans le message : à lire"
        for fact in facts:
            watches = self._open_watches()  # (a watch answers only a fact of its own lot)
            for watch_key in [k for k in self._refs().get(fact.lot or "", []) if k in watches]:
                watch = self.get(watch_key)
                if watch is not None and satisfies_watch(watch, fact):
                    self.save(close_watch(watch, fact, source=source, received=received, today=today))
            key = case_key(fact, source)
            if key is None:
                continue
            case = self.find_case(fact, key)
            if case is not None and case.key != key:
                self.store.put(ALIASES, key, {"case": case.key})  # the next fact finds it at once
            if case is None:
                if fact.kind in _NO_CASE_ALONE:
                    continue
                case = new_case(self._id_for(key), key, fact, min(received, today))  # (dated by the message)
                LOG.info("nouveau dossier %s (%s)", case.id, key.split("|", 1)[0])
            updated = apply_fact(case, fact, source=source, received=received, today=today,
                                 settings=self.settings)
            if updated is not case:
                self.save(updated)
                touched.append(updated.id)
        if review:
            touched.extend(self._flag_for_review(reading, review, touched, source=source,
                                                 received=received, today=today))
        return touched

    def _flag_for_review(self, reading: Reading, review: str, touched: list[str], *, source: str,
                         received: date, today: date) -> list[str]:
        """A message a human must read is never silently dropped: its cases carry the reason,
        or, when it produced no case, it becomes an item "à trier" of its own."""
        if touched:
            for case_id in touched:
                case = self.by_id(case_id)
                if case is not None and case.needs_review != review:
                    self.save(replace(case, needs_review=review))
            return []
        fact = Fact(FactKind.TO_SORT, caisse=reading.caisse, label=review)
        key = case_key(fact, source)
        assert key is not None
        case = self.get(key) or new_case(self._id_for(key), key, fact, min(received, today))
        updated = apply_fact(case, fact, source=source, received=received, today=today,
                             settings=self.settings)
        if updated is case:
            return []
        self.save(updated)
        return [updated.id]

    def _resolve(self, key: str) -> Case | None:
        case = self.get(key)
        if case is None:
            alias = self.store.get(ALIASES, key)
            case = self.get(alias["case"]) if alias else None
        return case

    def find_case(self, fact: Fact, key: str) -> Case | None:
        """The case a fact belongs to: by its key, an alias, a related reference (an indu opened by
        its constat, a CRA decision naming the indu), or the same problem seen through another
        channel (a lot refused by the ARL then listed by the caisse; an invoice's complementary
        part rejected in NOEMIE then by the AMC platform)."""
        case = self._resolve(key)
        if case is None:
            case = next((c for c in (self._resolve(k) for k in related_keys(fact)) if c), None)
        if case is None and (fact.kind in ("lot_refused", "amc_rejected", "amc_paid")
                             or (fact.part == "AMC" and fact.kind in ("invoice_rejected", "invoice_paid"))):
            keys = self._refs().get((fact.lot if fact.kind == "lot_refused" else fact.invoice) or "", [])
            case = next((c for c in (self.get(k) for k in list(keys)) if c and same_problem(c, fact)), None)
        return case

    def paper_received(self, case_ids: list[str], receipt: date | None, today: date, *,
                       key: str | None = None, undated: bool = False) -> None:
        """The cases a paper letter touched count from the day she received it (or ask her for it)."""
        for case_id in case_ids:
            case = self.by_id(case_id)
            if case is not None:
                dated = paper_received(case, receipt, today, self.settings, key=key, undated=undated)
                if dated is not case:
                    self.save(dated)

    def mark_step(self, key: str, date_key: str, day: date, text: str) -> None:
        """A letter of the case left (relance, réclamation, saisine…): record when, wait for the answer."""
        case = self._resolve(key)
        if case is not None:
            self.save(record_letter_sent(case, date_key, day, text, self.settings))

    def unmark_step(self, key: str, date_key: str, day: date, text: str) -> None:
        """A letter of the case did not arrive after all: its step is to be done again."""
        case = self._resolve(key)
        if case is not None:
            self.save(letter_not_delivered(case, date_key, day, text, self.settings))

    def tick(self, today: date) -> list[str]:
        """Time-driven changes: lots acknowledged but never paid become unpaid cases."""
        changed = []
        for key in list(self._open_watches()):
            case = self.get(key)
            if case is not None and watch_expired(case, today):
                self.save(mark_unpaid(case, today, self.settings))
                changed.append(case.id)
        return changed

    def refresh_deadlines(self) -> None:
        for case in list(self.all()):
            fresh = with_fresh_deadlines(case, self.settings)
            if fresh is not case:
                self.save(fresh)
