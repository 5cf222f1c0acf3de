"""Classify human correspondence: which kind of letter, from which caisse, with which facts.

``classify_human`` never raises. The sender's trust (from ``senders.assess``) decides
what may be read at all:

- "suspect" → kind ``phishing``, no fact, whatever the text says;
- "caisse" / "amc" → the kind modules for that sender are scored on the message;
- a forward (``msg.forwarded``) by the approver is classified on the original, with
  the trust given, only when the original's sender is on a caisse/AMC domain: a
  forwarded look-alike stays ``phishing``, a forwarded stranger is left for a human;
- anything else → ``unknown`` without fact (the bot does not act on it).

A genuine caisse message no module recognises becomes ``unknown`` with a ``to_sort``
fact. When an attachment's text is unavailable (scanned or encrypted PDF) the
message is read from what remains and ``needs_review`` carries the reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from cpambot.mailbox.senders import AMC_DOMAINS, CAISSE_DOMAINS, domain_matches, looks_like_caisse
from cpambot.understanding.classify import (
    amc,
    arl_text,
    constat,
    cra,
    indu,
    informational,
    pieces,
    reclamation,
    retenue,
    retour_lots,
)
from cpambot.understanding.classify.answers import told_apart
from cpambot.understanding.classify.evidence import THRESHOLD, ruling_over_notification, with_evidence
from cpambot.understanding.classify.text.caisses import caisse_code
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.inline import inline_answers
from cpambot.understanding.learning import IGNORE, LearnedRule, rule_for
from cpambot.understanding.message import ParsedMessage, reply_part
from cpambot.understanding.rows import read_rows

LOG = logging.getLogger(__name__)

CAISSE_MODULES = (retour_lots, pieces, constat, indu, cra, reclamation, retenue, informational, arl_text)
AMC_MODULES = (amc, informational)
UNKNOWN_CAISSE = "message de la caisse non reconnu : à trier"
UNKNOWN_AMC = "message de la complémentaire non reconnu : à trier"
_FORWARD_SUBJECT = re.compile(r"^\s*(?:(?:re|tr|fwd?)\s*:\s*)*(?:tr|fwd?)\s*:", re.IGNORECASE)


def sender_category(addr: str, caisses: Iterable = (), caisse_domains: Iterable[str] = (),
                    amc_domains: Iterable[str] = ()) -> str | None:
    """"caisse" or "amc" when ``addr`` is on a genuine domain (or a configured address)."""
    addr = (addr or "").strip().lower()
    if "@" not in addr:
        return None
    domain = addr.rpartition("@")[2]
    caisses = tuple(caisses)
    configured = [d for c in caisses for d in getattr(c, "domains", ())]
    addresses = {a.lower() for c in caisses for a in getattr(c, "addresses", {}).values()}
    if addr in addresses or domain_matches(domain, (*CAISSE_DOMAINS, *configured, *caisse_domains)):
        return "caisse"
    if domain_matches(domain, (*AMC_DOMAINS, *amc_domains)):
        return "amc"
    return None


def classify_human(msg: ParsedMessage, trust: str, caisses: Iterable = (), *,
                   caisse_domains: Iterable[str] = (), amc_domains: Iterable[str] = (),
                   rules: Iterable[LearnedRule] = ()) -> Reading:
    """The :class:`Reading` of one human message; never raises."""
    try:
        return _classify(msg, trust, tuple(caisses), tuple(caisse_domains), tuple(amc_domains), tuple(rules))
    except Exception as exc:  # noqa: BLE001 - a bad message must never stop the bot
        LOG.warning("classification impossible (%s)", exc.__class__.__name__)
        return Reading(kind=MessageKind.UNKNOWN, trust=trust if isinstance(trust, str) else "other",
                       fields={"error": exc.__class__.__name__},
                       needs_review=f"message illisible par le robot ({exc.__class__.__name__}) : à trier")


def _phishing(trust: str, addr: str, reason: str, fields: dict[str, Any]) -> Reading:
    return Reading(kind=MessageKind.PHISHING, trust=trust, fields={**fields, "from": addr, "reason": reason},
                   problems=(reason + " : ne cliquez sur aucun lien et ne répondez pas",))


def _classify(msg: ParsedMessage, trust: str, caisses: tuple, caisse_domains: tuple[str, ...],
              amc_domains: tuple[str, ...], rules: tuple[LearnedRule, ...] = ()) -> Reading:
    fields: dict[str, Any] = {}
    if trust == "suspect":
        return _phishing(trust, msg.from_addr, "expéditeur qui se fait passer pour la caisse", fields)
    if msg.bounce:
        failed = [a or b for a, b in _BOUNCED.findall(msg.text)]
        to = ", ".join(dict.fromkeys(a.lower() for a in failed)) or "un destinataire"
        return Reading(kind=MessageKind.UNKNOWN, trust=trust, fields={**fields, "bounce": True, "failed": to},
                       needs_review=(f"avis de non-distribution : un message n'a pas pu être remis à {to} : "
                                     "à lire"))
    source = msg
    category = trust if trust in ("caisse", "amc") else None
    if msg.forwarded is not None and trust in ("approver", "owner", "caisse", "amc"):
        # Only the professional (or the caisse itself) vouches for a forwarded text: the
        # "De :" line of an inline forward is typed text anybody could write. In a forward of
        # a forward (or a reply quoting one) the first caisse message of the chain is the original.
        chain = _thread(msg)
        found = next(((m, o) for m in chain
                      if (o := sender_category(m.from_addr, caisses, caisse_domains, amc_domains))), None) \
            or _named_caisse(chain, trust, caisses)
        original = found[0] if found else chain[-1]
        if category is not None:
            # the caisse answering above what the professional (or anyone, or itself earlier) wrote:
            # the answer is the message; the quoted text is history
            answer = reply_part(msg)
            # (quoting the professional's own message, not the caisse's earlier one "ci-dessous")
            quotes_other = _names_other(chain, caisses, caisse_domains, amc_domains)
            # (under any subject but a forward's: "Votre dossier" above the notification it cancels)
            if found is None and chain[0].from_addr \
                    or (_REPLY_SUBJECT.match(msg.subject or "") or quotes_other
                        or not _FORWARD_SUBJECT.match(msg.subject or "")
                        and not _POINTS_BELOW.search(answer.text)) \
                    and (len(answer.text.split()) >= 20
                         or quotes_other and reclamation.paid_in_brief(answer)):
                if quotes_other:  # an answer to what she asked (a question about an unpaid invoice)
                    fields = {**fields, "answers_question": True}
                return _read(answer, trust, category, caisses, amc_domains, fields, rules)
            if found is not None and found[0] is chain[0] and found[1] == category \
                    and _POINTS_BELOW.search(answer.text) and not _FORWARD_SUBJECT.match(msg.subject or ""):
                # the caisse's reminder above its own request ("nous n'avons pas reçu les pièces demandées par
                # notre courriel du 5 octobre 2026, rappelé ci-dessous … au plus tard le 19 novembre 2026"):
                # the request as the reminder sends it again, its new date and deadline; a message the
                # caisse sends again attached ("nous vous renvoyons en pièce jointe le message du 29
                # septembre 2026"): that message, as it was
                again = chain[0] if _SENT_AGAIN.search(answer.text) and chain[0].text \
                    and chain[0].text[:200] not in (msg.text or "") else msg
                return _read(again, trust, category, caisses, amc_domains, fields, rules)
        fields.update(forwarded_by=msg.from_addr, forwarded_from=original.from_addr)
        if found:
            source, category = found
            asked = _names_other(_thread(source), caisses, caisse_domains, amc_domains)
            if (asked or source.forwarded is not None and _REPLY_SUBJECT.match(source.subject or "")) \
                    and (len((answer := reply_part(source)).text.split()) >= 20
                         or asked and reclamation.paid_in_brief(answer)):
                # the caisse's answer above a thread holding the professional's question, or above its own
                # earlier letter ("RE: Notification de payer …"): the answer
                source = answer
                if asked:
                    fields["answers_question"] = True
        elif category is None:
            lookalike = next((m for m in chain
                              if looks_like_caisse(m.from_name or "", m.from_addr or "")), None)
            if lookalike is not None:
                # the forwarder is trusted, what she forwarded is not: the reading is the original's
                return _phishing("suspect", lookalike.from_addr, "message transféré d'un expéditeur qui se "
                                 "fait passer pour la caisse", fields)
            sent_on = _sent_on(original)
            return Reading(kind=MessageKind.UNKNOWN, trust=trust, fields={**fields, "sent_on": sent_on},
                           needs_review=(
                f"message transféré : l'expéditeur d'origine ({original.from_addr or 'inconnu'}) n'est "
                "ni une caisse ni une complémentaire reconnue, à trier"))
    if msg.forwarded is not None and trust == "other" and (quoted := _quoted_caisse(
            msg, caisses, caisse_domains, amc_domains)) is not None:
        # a caisse message forwarded from an address that is not the professional's: anybody can type
        # a "De :" line, so nothing is acted on, but she is shown it
        return Reading(kind=MessageKind.UNKNOWN, trust=trust,
                       fields={**fields, "from": msg.from_addr, "forwarded_from": quoted.from_addr},
                       needs_review=(f"message de {msg.from_addr}, une adresse qui n'est pas la vôtre, qui "
                                     f"transfère un message de {quoted.from_addr} : à lire (si c'est une de "
                                     "vos "
                                     "adresses, ajoutez-la à « adresses_transfert »)"))
    if category is None and trust == "other":
        if msg.bulk or informational.newsletter_score(msg) >= THRESHOLD:
            return Reading(kind=MessageKind.NEWSLETTER, trust=trust,
                           fields={**fields, "from": msg.from_addr, "sent_on": _sent_on(msg)})
        if amc.match(msg) >= THRESHOLD and any(r.invoice for r in read_rows(msg).rows):
            # a mutuelle paying or refusing from a domain the configuration does not list: shown, not read
            return Reading(kind=MessageKind.UNKNOWN, trust=trust, fields={**fields, "from": msg.from_addr},
                           needs_review=(f"relevé de factures d'un expéditeur inconnu ({msg.from_domain}) "
                                         ": à "
                                         "lire ; si c'est une complémentaire, ajoutez-la aux caisses de la "
                                         "configuration (type « amc »)"))
    if category is None:
        review = None
        if trust in ("approver", "owner") and _FORWARD_SUBJECT.match(msg.subject or ""):
            review = "message transféré dont l'original n'a pas pu être isolé : à lire"
        return Reading(kind=MessageKind.UNKNOWN, trust=trust,
                       fields={**fields, "from": msg.from_addr, "sent_on": _sent_on(msg)},
                       needs_review=review)
    return _read(source, trust, category, caisses, amc_domains, fields, rules)


def _read(source: ParsedMessage, trust: str, category: str, caisses: tuple,
          amc_domains: tuple[str, ...], fields: dict[str, Any],
          rules: tuple[LearnedRule, ...] = ()) -> Reading:
    if category == "amc":
        caisse = amc.operator(source.from_addr, amc_domains)
        modules: tuple = AMC_MODULES
    else:
        caisse = caisse_code(source, caisses)
        modules = CAISSE_MODULES
    if (warning := _reply_to_warning(source, caisses, amc_domains)) is not None:
        fields = {**fields, "reply_to_warning": warning}
    rule = rule_for(rules, source.from_addr, source.subject)
    if rule is not None and category != "amc":
        return _finish(source, _taught(rule, source, trust, caisse), caisse, None, 1.0,
                       {**fields, "rule": rule.id})
    scores = [(module.match(source), -index, module) for index, module in enumerate(modules)]
    said = max(s for s, _, _ in scores)  # (what the words alone say)
    if category != "amc":
        scores = ruling_over_notification(source, with_evidence(source, scores))
    if fields.get("answers_question") and (said < THRESHOLD and reclamation.names_an_invoice(source)
                                           and inline_answers(source.quoted or "")
                                           or told_apart(read_rows(source).rows)):
        # the caisse answering under each of her questions about invoices, each with its outcome (paid, or
        # the reject kept), or above her quoted question telling each invoice's outcome ("la facture
        # 000451243 a été mise en paiement le 25/11/2026 … la facture 000451246 a été rejetée"): the answer
        # to her réclamation, not a lot return told by its rows
        top = max(max(s for s, _, _ in scores) + 0.01, THRESHOLD)
        scores = [(top if m is reclamation else s, i, m) for s, i, m in scores]
    if source.bulk:  # sent to a list: information, unless a module is sure of more
        scores = [(max(s, 0.75) if m is informational else min(s, 0.9), i, m) for s, i, m in scores]
    if source.auto_reply and max(s for s, _, _ in scores) < THRESHOLD:
        return _auto_reply(source, trust, caisse, category, fields)
    if fields.get("answers_question") and max(s for s, _, _ in scores) < THRESHOLD \
            and (reclamation.names_an_invoice(source) or reclamation.paid_in_brief(source)
                 or reclamation.paid_the_one_asked(source)):
        # the caisse answering her question about an invoice, with none of the words of a kind: the answer
        # to her (informal) réclamation
        scores = [(THRESHOLD if m is reclamation else s, i, m) for s, i, m in scores]
    score, _, module = max(scores, key=lambda s: (s[0], s[1]))
    if score >= THRESHOLD:
        reading = module.read(source, trust, caisse)
        if source.auto_reply and category == "amc" and not reading.facts:
            # (a platform's auto-reply quoting her relance: the words of payments are hers, it tells nothing)
            return _auto_reply(source, trust, caisse, category, fields)
        if module is retour_lots and reclamation.is_amelipro(source):
            # ("[amelipro] Information sur le traitement de votre lot n° 318"): what the amelipro service
            # tells is its own kind, the lot's facts as a lot return's
            reading = replace(reading, kind=MessageKind.AMELIPRO)
    else:
        module = None
        reading = Reading(kind=MessageKind.UNKNOWN, trust=trust, caisse=caisse,
                          facts=(Fact(FactKind.TO_SORT, caisse=caisse, label=source.subject or None),),
                          needs_review=UNKNOWN_AMC if category == "amc" else UNKNOWN_CAISSE)
    return _finish(source, reading, caisse, module, score, fields)


# words above a quoted letter that send to it ("notre demande du 08/09/2026 (ci-dessous)", a relance):
# the quoted letter is still what is asked
_POINTS_BELOW = re.compile(r"(?i)ci-dessous|ci-apr[èe]s|\brelance\b|\brappel\b|en pi[èe]ce jointe le message")
_SENT_AGAIN = re.compile(r"(?i)\b(?:vous )?(?:renvoyons|retransmettons|r[ée]exp[ée]dions)\b[^.]{0,40}"
                         r"\ben pi[èe]ce jointe le message")
_REPLY_SUBJECT = re.compile(r"(?i)^\s*(?:re|r[ée]f|aw|sv|vs)\s*:")
_BOUNCED = re.compile(r"(?im)^\s*(?:final-recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+?)>?\s*$"
                      r"|<([^\s<>]+@[^\s<>]+)>:)")


def _quoted_caisse(msg: ParsedMessage, caisses: tuple, caisse_domains: tuple[str, ...],
                   amc_domains: tuple[str, ...]) -> ParsedMessage | None:
    """The first message of ``msg``'s forwarded chain sent by a caisse or a platform, if any."""
    return next((link for link in _thread(msg)
                 if sender_category(link.from_addr, caisses, caisse_domains, amc_domains)), None)


def _named_caisse(chain: list[ParsedMessage], trust: str, caisses: tuple) -> tuple[ParsedMessage, str] | None:
    """The caisse message the professional quotes under her reply when its attribution gives a name only
    ("Le 12/11/2026 à 08:41, Relations PS - CGSS Réunion a écrit :"): she vouches for it, as for a forward;
    the caisse must be named (by the name or the quoted signature), else nothing is read."""
    if trust not in ("approver", "owner"):
        return None
    return next(((m, "caisse") for m in chain if not m.from_addr and _CAISSE_NAME.search(m.from_name or "")
                 and caisse_code(m, caisses) is not None), None)


def _thread(msg: ParsedMessage) -> list[ParsedMessage]:
    """The messages ``msg`` forwards or quotes, nearest first (five at most)."""
    out: list[ParsedMessage] = []
    link = msg.forwarded
    while link is not None and len(out) < 5:
        out.append(link)
        link = link.forwarded
    return out


_CAISSE_NAME = re.compile(r"(?i)\b(?:cpam|caisse|msa|cgss|css|assurance|ameli|service|plateforme|p[ôo]le)\b")


def _names_other(thread: list[ParsedMessage], caisses: tuple, caisse_domains: tuple[str, ...],
                 amc_domains: tuple[str, ...]) -> bool:
    """Whether a message of ``thread`` comes from an address that is neither a caisse nor a platform
    (the professional's question under the caisse's answer)."""
    return any(m.from_addr and not sender_category(m.from_addr, caisses, caisse_domains, amc_domains)
               # "Le 26/10/2026 à 21:03, Marie Exemple a écrit :": a person's name, no caisse's
               or not m.from_addr and m.from_name and not _CAISSE_NAME.search(m.from_name)
               for m in thread)


def _taught(rule: LearnedRule, source: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    """The reading the professional's rule asks for: the module of that kind, whatever the words."""
    if rule.kind == IGNORE:
        return Reading(kind=MessageKind.UNKNOWN, trust=trust, caisse=caisse, fields={"ignored": True})
    if rule.kind == MessageKind.NEWSLETTER:
        return Reading(kind=MessageKind.NEWSLETTER, trust=trust, caisse=caisse)
    if rule.kind in (MessageKind.NOTIFICATION_INDU, MessageKind.MISE_EN_DEMEURE):
        return indu.read(source, trust, caisse, kind=MessageKind(rule.kind))
    module = {MessageKind.RETOUR_LOTS: retour_lots, MessageKind.DEMANDE_PIECES: pieces,
              MessageKind.DECISION_CRA: cra, MessageKind.REPONSE_RECLAMATION: reclamation}.get(
        MessageKind(rule.kind))
    if module is None:
        return Reading(kind=MessageKind.UNKNOWN, trust=trust, caisse=caisse,
                       needs_review=f"règle {rule.id} : type « {rule.kind} » inconnu, à trier")
    return replace(module.read(source, trust, caisse), kind=MessageKind(rule.kind))


def _auto_reply(source: ParsedMessage, trust: str, caisse: str | None, category: str,
                fields: dict[str, Any]) -> Reading:
    return Reading(kind=MessageKind.AMC if category == "amc" else MessageKind.UNKNOWN, trust=trust,
                   caisse=caisse, fields={"subject": source.subject, "from": source.from_addr,
                                          "auto_reply": True, "sent_on": _sent_on(source), **fields})


def _finish(source: ParsedMessage, reading: Reading, caisse: str | None, module: Any, score: float,
            fields: dict[str, Any]) -> Reading:
    unreadable = [a.problem for a in source.attachments if a.problem]
    warning = fields.pop("reply_to_warning", None)
    review = "; ".join(dict.fromkeys(r for r in (*unreadable, reading.needs_review) if r)) or None
    problems = tuple(dict.fromkeys((*reading.problems, *((warning,) if warning else ()), *(
        f"{a.filename or 'pièce jointe'} : {a.problem}" for a in source.attachments if a.problem))))
    base = {"subject": source.subject, "from": source.from_addr,
            "date": source.date.isoformat() if source.date else None, "caisse": caisse,
            "sent_on": _sent_on(source),
            "classifier": module.__name__.rpartition(".")[2] if module else None,
            "score": round(score, 2), **fields}
    return replace(reading, fields={**base, **reading.fields}, needs_review=review, problems=problems,
                   confidence=min(1.0, max(0.0, score)))


def _sent_on(msg: ParsedMessage) -> str | None:
    return msg.date.date().isoformat() if msg.date else None


def _org(domain: str) -> str:
    return ".".join(domain.lower().rstrip(".").split(".")[-2:])


def _reply_to_warning(source: ParsedMessage, caisses: tuple, amc_domains: tuple[str, ...]) -> str | None:
    """A French warning when the answers would go to another domain than the sender's (a classic of
    fraud: a genuine-looking caisse message whose Reply-To is a free-mail address)."""
    reply = source.reply_to
    if not reply or "@" not in reply or "@" not in source.from_addr:
        return None
    domain = reply.rpartition("@")[2]
    if _org(domain) == _org(source.from_domain) or sender_category(reply, caisses, (), amc_domains):
        return None
    return (f"l'adresse de réponse (Reply-To : {reply}) n'est pas celle de l'expéditeur : ne répondez pas "
            "à cette adresse, écrivez à la caisse par ses coordonnées habituelles")
