"""Complementary insurers' operators (Viamedis, almerys, SP Santé…): payments and rejections.

Only read for senders on an AMC domain. Recognised by "factures refusées", "rejet de
facture", "avis de règlement", "relevé de règlement". Each line naming an invoice
(with its wrapped continuation, or a "Label : value" block) gives ``amc_paid`` or
``amc_rejected``: the record's own words decide ("réglée" / "refusée", "motif"),
else the section heading above it ("Factures refusées", "Avis de règlement"), else a
human. ``caisse`` is the operator's lower-case name; ``part`` is "AMC".
"""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.mailbox.senders import AMC_DOMAINS, domain_matches
from cpambot.understanding.classify.text.dates import date_after
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import (
    invoice_numbers,
    invoice_records,
    record_fields,
    reference_after,
)
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Status, only_totals, read_rows
from cpambot.understanding.rows.actions import paid_day

KEYWORDS = keywords(
    ("factures? (?:refusees?|rejetees?)", 1.0),
    ("rejet (?:de|des|d'une) (?:la )?factures?", 1.0),
    ("avis de (?:reglement|paiement)", 1.0),
    ("releve de (?:reglement|paiement)s?", 1.0),
    ("ete (?:rejetee|refusee)s?", 0.9),
    ("reglement", 0.6),
    ("paiement", 0.6),
    ("virement", 0.6),
    ("rejet", 0.6),
    ("refus", 0.6),
    ("doublon|recue? (?:une nouvelle fois|en double)", 0.8),
    ("tiers payant (?:complementaire|amc)", 0.8),
    ("part (?:complementaire|amc)\\b[^.\n]{0,60}(?:rejetee|refusee|reglee|payee)", 0.9),
    ("resultats? (?:de|du) (?:traitement|liquidation)", 0.75),
    ("ne peut (?:pas )?(?:donner lieu a|faire l'objet d'un) (?:reglement|paiement|remboursement)", 0.9),
    ("motif ?:", 0.6),
    # "Les demandes de remboursement de part complémentaire ci-dessous n'ont pas pu être prises en charge"
    ("(?:n'ont|n'a) pas pu etre (?:prises?|pris) en charge", 0.9),
    ("motif (?:du|de) (?:rejet|refus) ?:", 0.8),
)
_REJECTED = re.compile(r"refus|rejet|motif|non pris en charge|non reconnu|doublon|en double|ne peut (?:pas )?"
                       r"(?:donner lieu a|faire l'objet d'un) (?:reglement|paiement|remboursement)"
                       r"|(?:pas|aucun) de (?:reglement|paiement)|droits? (?:non ouverts?|fermes?)|radie")
_PAID = re.compile(r"\bregle|\bpaye|rembourse|\bvire")
_HEADING = re.compile(r"^(?:(?:liste des |detail des )?factures? (?:refusees?|rejetees?)|rejets?|refus"
                      r"|avis de (?:reglement|paiement)|reglements?|paiements?|factures? reglees?)\b")


def operator(address: str, extra_domains: tuple[str, ...] = ()) -> str | None:
    """"viamedis", "almerys", "spsante"… from the sender's domain."""
    domain = (address or "").lower().rpartition("@")[2]
    matched = domain_matches(domain, (*AMC_DOMAINS, *extra_domains))
    return re.sub(r"[^a-z0-9]", "", matched.split(".")[0]) if matched else None


def match(msg: ParsedMessage) -> float:
    words = keyword_score(msg, KEYWORDS, ("refus", "rejet", "reglement", "paiement", "virement", "double",
                                          "motif", "tiers payant", "part", "resultat"))
    if words >= 0.7:
        return words
    # a platform's message listing invoices in a table or cards, whatever its title: its statement
    tabled = [r for r in read_rows(msg).rows if r.invoice and r.source != "prose"]
    return max(words, 0.7 if tabled and all(r.status or r.amount is not None for r in tabled) else 0.0)


def _records(source: str) -> list[tuple[list[str], list[str], str | None]]:
    """(invoices, record lines, section) where section is "rejected", "paid" or None."""
    section: str | None = None
    out = []
    records = iter(invoice_records(source))
    pending = next(records, None)
    for line in source.splitlines():
        folded = normalize(line)
        heading = _HEADING.match(folded)
        if heading and len(folded) < 70 and not invoice_numbers(line):
            section = "rejected" if _REJECTED.search(heading.group()) else "paid"
        if pending is not None and line == pending[1][0]:
            out.append((pending[0], pending[1], section))
            pending = next(records, None)
    return out


_STATUS = {Status.PAID: "paid", Status.REJECTED: "rejected"}


def _default_status(msg: ParsedMessage) -> str | None:
    """What the whole message is about when a row does not say: a relevé of payments or rejects."""
    head = normalize(f"{msg.subject}\n{(msg.text or '')[:600]}")
    # ("les demandes de remboursement … n'ont pas pu être prises en charge": a request, not a payment)
    rejected, paid = _REJECTED.search(head), re.search(r"releve|avis de (?:reglement|paiement)|\bregle"
                                                       r"|\bpaiements?\b|\bvirement|rembourse(?:e|es)?\b"
                                                       r"|remboursement effectue", head)
    if rejected and not paid:
        return "rejected"
    if paid and not rejected:
        return "paid"
    return None


# a platform's own reject code, a letter and three figures: "DROITS FERMES A LA DATE DES SOINS (code V112)",
# "V207 - Bénéficiaire non couvert"
_CODE_AFTER = re.compile(r"^(.*?)\s*[(\[]\s*(?:code\s*:?\s*)?([A-Z]\d{2,3})\s*[)\]]\s*$")
_CODE_BEFORE = re.compile(r"^(?:(?:[Cc]ode|CODE|[Rr]ejet|REJET)\s*:?\s*)?([A-Z]\d{2,3})\s*[-–:]\s*(\S.*)$")


def _platform_code(fact: Fact) -> Fact:
    """A rejected part's label without the platform's code written in it, the code as the reject code."""
    if fact.kind != FactKind.AMC_REJECTED or fact.reject_code or not fact.label:
        return fact
    if found := _CODE_AFTER.match(fact.label):
        return replace(fact, label=found.group(1).strip(" -–:") or None, reject_code=found.group(2))
    if found := _CODE_BEFORE.match(fact.label):
        return replace(fact, label=found.group(2).strip(), reject_code=found.group(1))
    return fact


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    full = msg.all_text()
    subject = normalize(msg.subject or "")
    problems: list[str] = []
    reference = reference_after(full, r"(?:r[ée]f[ée]rence(?: du rejet)?|relev[ée])\s*(?:n[°o])?\s*:?")
    paid_on = date_after(full, r"(?:(?:r[èe]glement|virement|paiement)\s*du|date (?:de|du) (?:paiement|"
                                 r"r[èe]glement|virement)\s*:)\s*", span=2)
    if paid_on is None and len(invoice_numbers(msg.text or "")) == 1:
        # one invoice "a bien été réglée le 12/10/2026 par virement": the day of its payment
        paid_on = paid_day(msg.text or "", msg.date.year if msg.date else None)
    facts: dict[tuple[str, str], Fact] = {}
    default = _default_status(msg)
    # (a platform pays or refuses its own part: the AMO part a card shows beside it is for information)
    rows = [r for r in read_rows(msg).rows if r.invoice and r.source != "prose" and r.part != "AMO"]
    if rows:  # tables, cards, CSV: the row reader's; sentences and sections: the record reader below
        problems += list(read_rows(msg).problems)
        for row in rows:
            status = _STATUS.get(row.status) if row.status else default
            if status is None and row.motif and not row.paid_amount \
                    and (_CODE_BEFORE.match(row.motif) or _CODE_AFTER.match(row.motif)):
                status = "rejected"  # "Motif du rejet | K31 – Attestation de droits … absente": a reject code
            if status is None:
                problems.append(f"facture {row.invoice} : réglée ou refusée ? à vérifier")
                continue
            assert row.invoice is not None
            paid = status == "paid"
            fact = Fact(FactKind.AMC_PAID if paid else FactKind.AMC_REJECTED, caisse=caisse,
                        invoice=row.invoice, lot=row.lot,
                        amount=(row.paid_amount or row.amount) if paid else row.amount,
                        label=None if paid else row.motif, reject_code=row.reject_code, reference=reference,
                        part="AMC", date=paid_on if paid else row.care_date,
                        details={k: v for k, v in (("care_date", row.care_date if paid else None),
                                                    ("billed", row.amount if paid and row.paid_amount
                                                     else None),
                                                    ("beneficiary", row.beneficiary)) if v})
            facts.setdefault((fact.kind, row.invoice), fact)
    sources = [] if rows else [msg.text or "", *(a.text for a in msg.attachments if a.text)]
    told = {r.invoice: r.motif for r in read_rows(msg).rows if r.source == "prose" and r.motif}
    single = len({n for s in sources for n in invoice_numbers(s)}) == 1
    for source in sources:
        for numbers, lines, section in _records(source):
            record = record_fields(lines) if len(numbers) == 1 else {}
            words = normalize(" ".join(lines))
            status = ("rejected" if _REJECTED.search(words) else "paid" if _PAID.search(words)
                      else section or (default if not single else None))
            if (status is None or status == "paid" and single) and _REJECTED.search(subject) \
                    and not _PAID.search(subject):
                status = "rejected"  # one invoice, a subject that says it is rejected
            if single and not record.get("label"):  # "Motif : Adhérent radié" in its own paragraph
                record = {**record, "label": record_fields(full.splitlines()).get("label")}
            for number in numbers:
                if status is None:
                    problems.append(f"facture {number} : réglée ou refusée ? à vérifier")
                    continue
                details = {"care_date": record.get("date")} if status == "paid" and record.get("date") else {}
                fact_kind = FactKind.AMC_REJECTED if status == "rejected" else FactKind.AMC_PAID
                fact = Fact(fact_kind, caisse=caisse, invoice=number, lot=record.get("lot"),
                            amount=record.get("amount"),
                            label=record.get("label") or (told.get(number) if status == "rejected" else None),
                            reject_code=record.get("reject_code"), reference=reference, part="AMC",
                            details=details,
                            date=record.get("date") if status == "rejected" else paid_on)
                key = (fact.kind, number)
                if key in facts and facts[key] != fact:
                    problems.append(f"facture {number} : informations différentes selon les documents")
                facts.setdefault(key, fact)
    facts = {key: _platform_code(fact) for key, fact in facts.items()}
    both = {n for kind, n in facts if kind == "amc_paid"} & {n for kind, n in facts if kind == "amc_rejected"}
    problems += [f"facture {n} : à la fois réglée et refusée selon le message, à vérifier"
                 for n in sorted(both)]
    review = None
    if problems and not only_totals(problems):  # a total apart: shown, not read first
        review = "message de la complémentaire : certaines factures sont à vérifier"
    elif not facts:
        review = "message de la complémentaire sans facture lisible : à lire"
    fields = {"operator": caisse, "reference": reference, "paid_on": paid_on,
              "rejected": [f.invoice for f in facts.values() if f.kind == "amc_rejected"],
              "paid": [f.invoice for f in facts.values() if f.kind == "amc_paid"]}
    return Reading(kind=MessageKind.AMC, trust=trust, caisse=caisse, facts=tuple(facts.values()),
                   fields=fields, needs_review=review, problems=tuple(problems))
