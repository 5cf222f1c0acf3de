"""Demande de pièces justificatives: the caisse asks for a prescription (missing or illegible).

Recognised by "demande de pièces justificatives", "pièce justificative manquante",
"ordonnance illisible", "copie lisible de la prescription". One ``pieces_requested``
fact per invoice, with lot, care date and amount when the letter gives them for that
invoice alone, and the deadline (``details.deadline``) when the letter states one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from cpambot.understanding.classify.text.amounts import amount_after, find_amounts
from cpambot.understanding.classify.text.dates import (
    PLACE_AND_DAY,
    date_after,
    dates_after,
    find_delay,
    letter_date,
)
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import (
    any_reference,
    invoice_numbers,
    invoice_records,
    lot_numbers,
    record_fields,
    reference_after,
)
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Action, Status, only_totals, read_rows, sentences
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.targets import patient_keys

KEYWORDS = keywords(
    ("demande de pieces justificatives", 1.0),
    ("demande de (?:justificatifs?|pieces?)", 0.85),
    ("pieces? justificatives? (?:manquantes?|demandees?|absentes?|non recues?)", 0.9),
    ("ordonnances? [^.]{0,120}illisible", 1.0),
    ("prescriptions? [^.]{0,120}illisible", 1.0),
    ("copie lisible", 0.8),
    ("(?:constate|releve) (?:l')?(?:absence|le defaut) (?:des|de la|du|de l'|d')\\s*"
     "(?:pieces? justificatives?|justificatifs?|prescriptions?|ordonnances?|documents?)", 0.95),
    ("en l'absence (?:de la|des) (?:prescriptions?|ordonnances?|pieces?)", 0.8),
    ("demande de (?:prescriptions?|ordonnances?|copie)", 0.9),
    ("(?:merci|nous vous remercions|je vous remercie) de (?:bien vouloir )?(?:nous |me )?(?:en )?(?:adresser|"
     "transmettre|faire parvenir|communiquer|envoyer)[^.]{0,80}(?:prescriptions?|ordonnances?|accord "
     "prealable|entente prealable|justificati(?:f|ve)s?|pieces? justificatives?|copie|\\bbsi\\b|\\bdsi\\b"
     "|bilan de soins infirmiers)", 0.85),
    ("^demande de (?:bsi|dsi|bilan de soins infirmiers)\\b", 0.9),
    # "les deux factures ci-dessous restent en attente de pièces justificatives", "Pièces en attente"
    ("(?:restent?|sont|est|demeurent?|toujours) (?:en |dans l')attente (?:de|des|d'une?|du) (?:la |l')?"
     "(?:pieces? justificatives?|justificatifs?|prescriptions? medicales?|ordonnances?)", 0.9),
    ("^pieces? (?:justificatives? )?en attente\\b", 0.85),
    # "nous vous demandons de bien vouloir nous transmettre les pièces justificatives des factures suivantes"
    ("(?:merci|nous vous (?:remercions|demandons|prions)|je vous (?:remercie|demande|prie)|veuillez"
     "|vous voudrez bien)(?: de)? (?:bien vouloir )?(?:nous |me )?(?:adresser|transmettre|faire parvenir"
     "|communiquer|envoyer|retourner)[^.]{0,40}(?:pieces? justificatives?|justificatifs?)", 0.95),
    ("(?:prescriptions?|ordonnances?) (?:medicales? )?(?:manquantes?|absentes?|non (?:parvenues?|recues?|"
     "jointes?))", 0.8),
    ("(?:copie|double) de (?:la |l')?(?:demande d')?(?:accord|entente) prealable", 0.85),
    ("justificatifs? (?:de deplacement|des? (?:indemnites|frais) de deplacement)", 0.85),
    ("(?:pieces?|justificatifs?) (?:justificatives? )?a (?:nous )?(?:transmettre|adresser|fournir|envoyer"
     "|faire parvenir)", 0.9),
    ("(?:nous avons besoin|j'ai besoin|il (?:nous |me )?(?:faut|manque)|nous (?:sont|est) necessaires?) "
     "(?:de |des |du |d'|les )?[^.]{0,40}"
     "(?:pieces?|justificatifs?|prescriptions?|ordonnances?|documents?)", 0.85),
    # the request told without its title
    ("(?:prescriptions?|ordonnances?|pieces? justificatives?|justificatifs?)\\b[^.]{0,160}"
     "(?:ne nous (?:sont|est) pas (?:encore )?parvenue?s?|nous manquent"
     "|n'ont pas ete (?:recue?s?|jointe?s?))", 0.9),
    ("(?:nous vous remercions de|merci de|je vous remercie de)(?: bien vouloir)? (?:nous|me) "
     "(?:les|la|le|l') ?"
     "(?:transmettre|adresser|faire parvenir|communiquer|retourner|renvoyer)", 0.8),
    ("(?:sans|en l'absence de) (?:la |votre )?(?:demande d')?(?:entente|accord) prealable", 0.85),
    ("service medical souhaite (?:examiner|recevoir|disposer|obtenir)", 0.85),
    ("pieces? demandees? ?:|piece\\(s\\) demandee\\(s\\) ?:", 0.9),
    ("(?:bsi|bilan de soins infirmiers) (?:manquants?|absents?|non (?:recus?|parvenus?))", 0.85),
    ("(?:aucun|pas de|sans) (?:bsi|bilan de soins infirmiers)\\b", 0.75),
    ("(?:prescriptions?|ordonnances?) (?:medicales? )?(?:utilisees? )?(?:etait |est )?(?:perimees?|expirees?"
     "|plus valides?|non valides?)", 0.85),
    # a paper claim sent back to be signed: "ne comporte pas la signature de l'assuré … faire signer"
    ("feuilles? de soins[^.]{0,120}(?:ne comporte pas (?:la )?signature|non signees?)", 0.85),
)


def match(msg: ParsedMessage) -> float:
    return keyword_score(msg, KEYWORDS, ("piece", "justificati", "lisible", "absence", "prescription",
                                         "ordonnance", "prealable", "copie", "bsi", "bilan", "signature",
                                         "signee"))


def _merge(into: dict, new: dict, invoice: str, problems: list[str]) -> None:
    for key, value in new.items():
        if value is None:
            continue
        if into.get(key) is None:
            into[key] = value
        elif into[key] != value:
            problems.append(f"facture {invoice} : valeurs différentes pour « {key} » selon les "
                            "documents, à vérifier")
            into[key] = None
            into.setdefault("conflicts", set()).add(key)


def invoice_table(msg: ParsedMessage, problems: list[str]) -> dict[str, dict]:
    """invoice → merged record fields, from the body and the attachments' text."""
    found: dict[str, dict] = {}
    for source in [msg.text, *(a.text for a in msg.attachments if a.text)]:
        for numbers, lines in invoice_records(source or ""):
            fields = record_fields(lines) if len(numbers) == 1 else {}
            for number in numbers:
                record = found.setdefault(number, {})
                conflicts = record.get("conflicts", set())
                _merge(record, {k: v for k, v in fields.items() if k not in conflicts}, number,
                       problems)
    for number in invoice_numbers(msg.subject or ""):
        found.setdefault(number, {})
    return found


def deadline(msg: ParsedMessage, full: str) -> dict:
    """``details`` for a stated deadline: explicit date and/or delay, or nothing."""
    details: dict = {}
    # ("Date limite de réception" then the date in the paragraph below, as a card writes it, or after a tab)
    label = r"(?:avant le|au plus tard le|d'ici le|jusqu'au|date limite[^:|\t\n]{0,20}(?:[:|\t]|\n))\s*"
    stated = list(dates_after(full, label, span=2))
    # a reminder recalls the deadline that has passed ("avant le 13/11/2026") before the new one ("au plus
    # tard le 1er décembre 2026"): the first one still to come
    explicit = next((d for d in stated if msg.date is None or d >= msg.date.date()),
                    stated[0] if stated else None)
    if explicit is None and msg.date is not None:  # "d'ici le 30 novembre": the year of the message
        explicit = date_after(full, label, span=2, default_year=msg.date.year)
        if explicit is not None and explicit < msg.date.date():
            explicit = None  # before the message: another year, not guessed
    delay = find_delay(full)
    if delay and delay[1] in ("days", "weeks"):
        details["delay_days"] = delay[0] * (7 if delay[1] == "weeks" else 1)
    if explicit:
        details["deadline"] = explicit
    elif "delay_days" in details and msg.date is not None:
        details["deadline"] = msg.date.date() + timedelta(days=details["delay_days"])
        details["deadline_computed"] = True
    return details


_WITHDRAWN = re.compile(r"(?i)\b(?:oubliez|ne tenez (?:plus )?pas compte|je la retire"
                        # "La pièce concernant l'autre facture (000 318 569) nous est bien parvenue le
                        # 08/10/2026 : aucune action n'est nécessaire pour celle-ci" (a reminder's aside)
                        r"|bien parvenue?s?\b[^.]{0,80}(?:aucune action|rien [àa] faire)"
                        r"|retir[ée]e? de (?:la|notre) (?:liste|demande)"
                        r"|n['’]est plus (?:n[ée]cessaire|demand[ée]e)"
                        r"|aucune (?:autre )?(?:pi[èe]ce|document|justificatif)s?(?: suppl[ée]mentaires?"
                        r"| compl[ée]mentaires?)? n['’]est (?:attendue?|n[ée]cessaire|requise?|demand[ée]e?"
                        r"|[àa] (?:fournir|transmettre|envoyer|adresser|produire|joindre))"
                        r"|(?:pas|plus) besoin d[e'’] ?(?:justificatifs?|pi[èe]ces?|documents?"
                        r"|l['’]ordonnance|la prescription)\b(?:\s+finalement)?\s+pour\b)")


_MISTAKEN = re.compile(r"(?i)(?:erreur de ma part|je me suis tromp[ée]e?|pardon|correction)[^.]{0,40}?"
                       r"c['’]est (?:la|le) (?:facture )?(?:n[°o] ?)?(\d{3} ?\d{3} ?\d{3}),? (?:et )?"
                       r"(?:pas|non) (?:la|le) (?:facture )?(\d{3,9})\b")


def _asks_rebilling(text: str) -> bool:
    """Whether one sentence of ``text`` asks to correct and re-bill (not "sans refacturer")."""
    return any(action_of(sentence) is Action.REBILL and not _IF_NO_ANSWER.match(sentence)
               for sentence in sentences(text) if "factur" in sentence.lower()
               or "transm" in sentence.lower() or "corrig" in sentence.lower())


# what happens without an answer ("Passé ce délai les factures seront rejetées et il faudra les refacturer"):
# a consequence, not a request
_IF_NO_ANSWER = re.compile(r"(?i)\s*(?:pass[ée] ce d[ée]lai|sans (?:r[ée]ponse|retour)|[àa] d[ée]faut|faute d"
                           r"|sinon|dans le cas contraire|au-del[àa] de cette date)")


_OWN_REF = r"r[ée]f[ée]rence\s*(?:du courrier)?\s*:?"
# a letter's place and date line ("Nantes, le 21 octobre 2026"): where each letter of a document starts
_DATELINE = re.compile(r"(?m)^[ \t]*" + PLACE_AND_DAY + r" \d{1,2}(?:er)?[ /.]\S+[ /.]\d{4}[ \t]*$")


def _letters(full: str, invoices: list[str]) -> dict[str, str]:
    """Each invoice's own letter when a document holds several letters, each opened by its place and date
    line and each naming one invoice of the request; nothing otherwise."""
    starts = [m.start() for m in _DATELINE.finditer(full)]
    if len(starts) < 2 or len(invoices) < 2:
        return {}
    pieces = [full[a:b] for a, b in zip(starts, [*starts[1:], len(full)], strict=True)]
    named = [[n for n in invoices if n in invoice_numbers(piece)] for piece in pieces]
    if any(len(n) != 1 for n in named) or len({n[0] for n in named}) != len(named):
        return {}
    return {n[0]: piece for n, piece in zip(named, pieces, strict=True)}


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    problems: list[str] = []
    full = msg.all_text()
    rowset = read_rows(msg)
    rows = [r for r in rowset.rows if r.invoice and r.status is not Status.PAID] or [
        # every row "paid" by its "Montant remboursé" column: a control after payment asks pièces for them
        r for r in rowset.rows if r.invoice and r.paid_amount is not None and r.motif is None]
    # "l'ordonnance de la facture 000 781 230 est lisible, rien à faire pour celle-là": not asked for
    if any(r.action is Action.PIECES for r in rows):
        rows = [r for r in rows if r.action is not Action.NONE] or rows
    # "Pardon, erreur de ma part : c'est la 000 312 545, pas la 455": the one named first was a mistake
    # (what was said of the mistaken number — amount, dates — is said of the right one)
    for found in _MISTAKEN.finditer(full):
        right = re.sub(r"\D", "", found.group(1))
        wrong = [r for r in rows if r.invoice and r.invoice != right and r.invoice.endswith(found.group(2))]
        if len(wrong) == 1 and any(r.invoice == right for r in rows):
            rows = [replace(r, amount=r.amount or wrong[0].amount,
                            care_date=r.care_date or wrong[0].care_date, motif=r.motif or wrong[0].motif)
                    if r.invoice == right else r
                    for r in rows if r is not wrong[0]]
    # "oubliez la 000 950 223 : son ordonnance nous est bien parvenue, je la retire de la liste"
    said = [sentence for sentence in sentences(full) if _WITHDRAWN.search(sentence)]
    withdrawn = {n for sentence in said for n in invoice_numbers(sentence)}
    # "pas besoin de justificatif finalement pour M. Moreau": the invoices of that patient
    named = {k for sentence in said for k in patient_keys(sentence)}
    withdrawn |= {r.invoice for r in rows if r.invoice and named & set(r.name_keys)}
    if withdrawn and (kept := [r for r in rows if r.invoice not in withdrawn]):
        rows = kept
    records: dict[str, dict[str, Any]]
    if rows:  # the row reader knows tables, cards and spaced numbers; sentences are its last resort
        records = {r.invoice: {"lot": r.lot, "amount": r.amount, "date": r.care_date, "label": r.motif}
                   for r in rows if r.invoice}
        problems += [p for p in rowset.problems if not any(n in p for n in withdrawn)]
    else:
        records = invoice_table(msg, problems)
    lots = lot_numbers(full)
    folded = normalize(full)
    illegible = re.search(r"(ordonnance|prescription)[^.]{0,120}illisible|(illisible)", folded)
    label = ("pièce justificative manquante" if not illegible
             else f"{illegible.group(1) or 'pièce'} illisible")
    reference = (reference_after(full, _OWN_REF)
                 or any_reference(msg.subject, full))
    due = deadline(msg, full)
    details = {"action": Action.PIECES.value, **due}  # a document, without re-billing the invoice
    letters = _letters(full, list(records))
    facts = []
    for invoice, record in records.items():
        own = letters.get(invoice)  # (one letter of several in a document: its own deadline and reference)
        facts.append(Fact(
            FactKind.PIECES_REQUESTED, caisse=caisse, invoice=invoice,
            lot=record.get("lot") or (lots[0] if len(lots) == 1 else None),
            amount=record.get("amount"), date=record.get("date"), label=record.get("label") or label,
            reference=(reference_after(own, _OWN_REF) or reference) if own else reference,
            details={"action": Action.PIECES.value, **deadline(msg, own)} if own else dict(details)))
    review = None
    if not facts:
        # "une feuille de soins papier … consultation G, montant 30,00 €": the one sum the request is about
        stated = amount_after(msg.text or "", r"\bmontant\s*(?:de|:)?\s*", 20)
        facts.append(Fact(FactKind.PIECES_REQUESTED, caisse=caisse, lot=lots[0] if len(lots) == 1 else None,
                          label=label, reference=reference, details=dict(details),
                          amount=stated if len(find_amounts(msg.text or "")) == 1 else None))
        if reference is None:  # a request with its own reference can be answered as it stands
            review = "demande de pièces sans numéro de facture ni référence reconnus : à lire"
    elif problems and not only_totals(problems):  # a total apart: shown, not read first
        review = "demande de pièces : informations contradictoires, à vérifier"
    elif _asks_rebilling(full):
        # a document for some invoice and a correction for another: the lot return the reader could
        # not cut into rows; advising "send the document, do not re-bill" for all would lose money
        review = "demande de pièces qui demande aussi de corriger et refacturer : à lire"
    fields = {"invoices": list(records), "lots": lots, "reference": reference, "label": label, **due,
              "letter_date": letter_date(full)}  # (« Lyon, le 6 novembre 2026 »: a letter on paper)
    return Reading(kind=MessageKind.DEMANDE_PIECES, trust=trust, caisse=caisse, facts=tuple(facts),
                   fields=fields, needs_review=review, problems=tuple(problems))
