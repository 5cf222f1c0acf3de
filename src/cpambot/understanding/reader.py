"""Reading one message: raw bytes → :class:`~cpambot.understanding.facts.Reading`. Pure; never raises.

Machine returns (EDI parts) are read by :mod:`cpambot.understanding.machine_returns`, everything else by the
human-message classifiers of :mod:`cpambot.understanding.classify`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from cpambot.config.model import Caisse
from cpambot.errors import UnreadableMessage
from cpambot.mailbox.headers import PLAUSIBLE_YEARS, header_block, summarize
from cpambot.understanding import paper
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.learning import LearnedRule
from cpambot.understanding.machine_returns import read_returns
from cpambot.understanding.message import Attachment, ParsedMessage, parse_message

LOG = logging.getLogger(__name__)

TRUST_BY_CATEGORY = {"caisse": "caisse", "amc": "amc", "approver": "approver", "owner": "owner",
                     "reply": "approver",
                     "suspect": "suspect", "own": "other", "other": "other"}


# The text of photos and scans, by fingerprint (:mod:`cpambot.understanding.paper`): given, or asked of
# the shell for the images the reader found to read (so that a message is parsed once)
OcrTexts = Mapping[str, str] | Callable[[Sequence[Attachment]], Mapping[str, str]]


def read_message(raw: bytes, category: str, caisses: Sequence[Caisse] = (),
                 rules: Sequence[LearnedRule] = (), *, ocr: OcrTexts | None = None) -> Reading:
    """What the bot understands of ``raw``, whose headers were judged ``category``; ``rules``: what
    the professional taught (:mod:`cpambot.understanding.learning`); ``ocr``: the text of its photos and
    scans, or the shell's function that reads those it is given."""
    trust = TRUST_BY_CATEGORY.get(category, "other")
    try:
        return plausible(_read(raw, trust, caisses, rules, ocr))
    except UnreadableMessage:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the bot
        LOG.exception("lecture impossible d'un message")
        unread = (Fact(FactKind.TO_SORT, label="message illisible"),) if trust == "caisse" else ()
        return Reading(MessageKind.UNKNOWN, trust,
                       needs_review=f"message illisible ({exc.__class__.__name__}) : à lire", facts=unread)


def plausible(reading: Reading) -> Reading:
    """``reading`` without the dates no real letter carries (year 0001 or 9999): such a date is
    dropped, named in the problems, and the message goes to a human."""
    facts: list[Fact] = []
    absurd: list[str] = []
    for fact in reading.facts:
        details = {k: v for k, v in fact.details.items()
                   if not (isinstance(v, date) and not _plausible_day(v))}
        absurd += [v.isoformat() for v in fact.details.values()
                   if isinstance(v, date) and not _plausible_day(v)]
        if fact.date is not None and not _plausible_day(fact.date):
            absurd.append(fact.date.isoformat())
            fact = replace(fact, date=None)
        facts.append(replace(fact, details=details) if len(details) != len(fact.details) else fact)
    if not absurd:
        return reading
    problem = f"date invraisemblable ({', '.join(dict.fromkeys(absurd))}) ignorée : à vérifier"
    review = "; ".join(r for r in (reading.needs_review, "date invraisemblable : à lire") if r)
    return replace(reading, facts=tuple(facts), problems=(*reading.problems, problem), needs_review=review)


def _plausible_day(day: date) -> bool:
    return PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]


def _read(raw: bytes, trust: str, caisses: Sequence[Caisse], rules: Sequence[LearnedRule] = (),
          ocr: OcrTexts | None = None) -> Reading:
    if trust == "suspect":  # never read further: only the day it came, from the headers
        head = summarize(header_block(raw), len(raw))
        return Reading(MessageKind.PHISHING, "suspect",
                       fields={"sent_on": head.date[:10]} if head.date else {})
    msg = parse_message(raw)
    if not (msg.from_addr or msg.subject or msg.date):
        raise UnreadableMessage("aucun en-tête reconnu")
    filled = False
    if ocr is not None and (targets := paper.ocr_targets(msg, trust)):
        texts = ocr(targets) if callable(ocr) else ocr
        if trust in ("approver", "owner") and msg.forwarded is None:
            letter = _paper_letter(msg, trust, caisses, targets, texts)
            if letter is not None:
                return letter
        msg = paper.with_texts(msg, texts)
        filled = any(paper.fingerprint(a.payload) in texts for a in targets)
    reading = _read_parsed(msg, trust, caisses, rules)
    if filled:  # (a scanned letter in an e-mail: dated by the letter, a day or a few before the e-mail)
        reading = replace(reading, problems=(*reading.problems, paper.OCR_NOTE),
                          fields=paper.dated_by_letter(reading.fields))
    if "UnreadableDate" in msg.defects and trust in ("caisse", "amc"):
        problem = "date du message illisible ou invraisemblable : les délais sont comptés depuis sa réception"
        reading = replace(reading, problems=(*reading.problems, problem))
    return reading


def _paper_letter(msg: ParsedMessage, trust: str, caisses: Sequence[Caisse], targets: Sequence[Attachment],
                  ocr: Mapping[str, str]) -> Reading | None:
    """A paper letter she sent as photos or scans: their text (and that of a document she attached beside
    them) read as the caisse's letter; None when no image holds a letter's text (a logo beside a PDF: the
    message is read as usual)."""
    texts = [ocr.get(paper.fingerprint(a.payload), "") for a in targets]
    pages = [t for t in texts if paper.words(t) >= paper.MIN_WORDS]
    documents = [a.text for a in msg.attachments
                 if a.text and not paper.is_image(a) and paper.words(a.text) >= paper.MIN_WORDS]
    if not pages and documents:
        return None
    sent = msg.date.date() if msg.date is not None else None
    text = paper.letters_text([*pages, *documents] if pages else texts)
    if paper.several_letters([*pages, *documents]):
        return paper.several_letters_reading(trust, msg.from_addr, sent)
    letter = _read(paper.letter_message(text, sent), "caisse", caisses)
    return paper.paper_reading(letter, trust=trust, sender=msg.from_addr, own_text=msg.text, sent=sent,
                               text=text)


def _read_parsed(msg: ParsedMessage, trust: str, caisses: Sequence[Caisse],
                 rules: Sequence[LearnedRule]) -> Reading:
    if trust in ("caisse", "approver", "owner"):
        returns = read_returns(msg, trust)
        if returns is not None:
            if msg.date is not None and "sent_on" not in returns.fields:
                returns = replace(returns, fields={**returns.fields, "sent_on": msg.date.date().isoformat()})
            return returns
    from cpambot.understanding.classify.human import classify_human

    return classify_human(msg, trust, tuple(caisses), rules=tuple(rules))
