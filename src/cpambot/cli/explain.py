"""``cpambot parse``: what the bot understands of one message, without touching the store.

The professional's "why did it do that?" tool: the sender's trust, the kind of
message, the extracted fields, the facts, and the cases and deadlines those facts
would open, computed by the same pure functions the service uses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cpambot import labels
from cpambot.approval.checks import reply_checks
from cpambot.approval.commands import read_reply
from cpambot.approval.tokens import find_tokens
from cpambot.cases.describe import fr_date
from cpambot.cases.rules import apply_fact, case_key, new_case
from cpambot.config.model import Caisse, RuleSettings
from cpambot.errors import UnreadableMessage
from cpambot.mailbox.auth_results import authentication_results
from cpambot.mailbox.headers import header_block, summarize
from cpambot.mailbox.senders import SenderPolicy, assess
from cpambot.service.processing import Reader
from cpambot.understanding.learning import LearnedRule
from cpambot.understanding.message import parse_message
from cpambot.understanding.reader import read_message

_VERBS = {"approve": "OK", "reject": "NON", "postpone": "REPORTER", "approve_all": "OK TOUT",
          "resend": "RENVOYER", "delivered": "REÇU"}


def reply_report(raw: bytes, approvers: set[str], *, our_message_ids: set[str] | None,
                 authserv_ids: tuple[str, ...]) -> dict[str, Any]:
    """What an approval reply says (its commands) and the verdict of every approval check,
    computed by the service's own functions, without acting. Without the store, whether it
    answers one of the bot's messages cannot be known and is said so."""
    head = summarize(header_block(raw), len(raw))
    msg = parse_message(raw)
    parsed = read_reply(msg.text)
    checks = reply_checks(head, approvers=approvers, our_message_ids=our_message_ids or set(),
                          authserv_ids=authserv_ids,
                          raw_auth_results=authentication_results(header_block(raw)),
                          require_reference=our_message_ids is not None)
    return {
        "commands": [" ".join([_VERBS.get(c.action, c.action), *c.codes,
                               *([str(c.days)] if c.days is not None else [])])
                     for c in parsed.commands],
        "annulations": [f"annuler lot {a.lot} facture {a.invoice} ({a.motif})" for a in parsed.annulations],
        "unrecognized": list(parsed.unrecognized),
        "tokens": len(find_tokens(head.to, msg.text)),
        "checks": [{"check": name, "passed": not failed, "reasons": failed} for name, failed in checks],
        "reference_unknown": our_message_ids is None,
    }


def explain(raw: bytes, policy: SenderPolicy, caisses: tuple[Caisse, ...] = (), *,
            today: date, settings: RuleSettings | None = None, our_message_ids: set[str] | None = None,
            authserv_ids: tuple[str, ...] = (), rules: tuple[LearnedRule, ...] = (),
            reader: Reader = read_message) -> dict[str, Any]:
    """What the bot understands of ``raw`` and the cases its facts would open ``today``; for a
    message from an approver, also the commands it holds and every approval check's verdict."""
    settings = settings or RuleSettings()
    head = summarize(header_block(raw), len(raw))
    relevance = assess(head, policy)
    out: dict[str, Any] = {
        "from": head.from_addr, "subject": head.subject, "date": head.date,
        "message_id": head.message_id, "category": relevance.category, "sender": relevance.reason,
    }
    if relevance.category in ("approver", "reply"):
        reply = reply_report(raw, set(policy.approvers), our_message_ids=our_message_ids,
                             authserv_ids=authserv_ids)
        if relevance.category == "reply" or reply["commands"] or reply["annulations"]:
            out["reply"] = reply  # a forward from the approver is not an approval reply
    if not relevance.fetch_body:
        out.update(kind=None, caisse=None, facts=[], reading=None,
                   note="message sans rapport : le robot ne lit que ses en-têtes")
        return out
    try:
        reading = reader(raw, relevance.category, caisses, rules)
    except UnreadableMessage as exc:
        out.update(kind=None, caisse=None, facts=[], reading=None, note=f"message illisible : {exc}")
        return out
    data = reading.to_json()
    received = date.fromisoformat(head.date[:10]) if head.date else today
    facts = []
    for fact, fact_json in zip(reading.facts, data["facts"], strict=True):
        key = case_key(fact, "message")
        fact_json["case"] = None
        fact_json["deadlines"] = []
        if key is not None and not reading.is_test:
            case = apply_fact(new_case("?", key, fact, today), fact, source="message", received=received,
                              today=today, settings=settings)
            doc = case.to_doc()
            fact_json["case"] = {"type": doc["type"], "state": doc["state"], "status": doc["status"],
                                 "advice": doc["advice"]}
            fact_json["deadlines"] = doc["deadlines"]
        if fact_json["details"].get("nir"):  # shown on a terminal: never the full NIR
            fact_json["details"]["nir"] = "*" * 11 + fact_json["details"]["nir"][-4:]
        facts.append(fact_json)
    out.update(kind=reading.kind, caisse=reading.caisse, is_test=reading.is_test,
               confidence=round(reading.confidence, 2),
               needs_review=reading.needs_review, problems=data["problems"], fields=data["fields"],
               facts=facts)
    return out


def explain_text(report: dict[str, Any]) -> str:
    category = labels.CATEGORY.get(report["category"], report["category"])
    lines = [f"Expéditeur : {report['from'] or '—'} — {category} "
             f"({report['sender']})",
             f"Objet : {report['subject'] or '—'}"]
    if report.get("reply"):
        lines += _reply_lines(report["reply"])
    if report.get("note"):
        lines.append(report["note"])
        return "\n".join(lines)
    lines.append(f"Type de message : {labels.MESSAGE_KIND.get(report['kind'], report['kind'])}"
                 + (f" — caisse {report['caisse']}" if report.get("caisse") else "")
                 + (f" (confiance {report['confidence']:.2f})".replace(".", ",")
                    if report.get("confidence") is not None else ""))
    if report.get("is_test"):
        lines.append("Flux de TEST : aucune action ne sera prise.")
    fields = report.get("fields") or {}
    if fields.get("forwarded_by"):
        lines.append(f"Message transféré par {fields['forwarded_by']} ; original de "
                     f"{fields.get('forwarded_from') or 'expéditeur illisible'}"
                     + (f", daté du {fr_date(fields['sent_on'])} (les délais courent de cette date)"
                        if fields.get("sent_on") else ""))
    if (report.get("fields") or {}).get("rule"):
        lines.append(f"Lu selon la règle {report['fields']['rule']} que vous avez apprise au robot "
                     "(cpambot regles)")
    if report.get("needs_review"):
        lines.append(f"À lire par vous : {report['needs_review']}")
    for problem in report.get("problems") or []:
        lines.append(f"Anomalie : {problem}")
    if not report["facts"]:
        lines.append("Aucun fait à suivre.")
    for i, fact in enumerate(report["facts"], start=1):
        parts = [labels.FACT_KIND[fact["kind"]]]
        for label, key in (("lot", "lot"), ("facture", "invoice"), ("code", "reject_code"),
                           ("réf.", "reference")):
            if fact.get(key):
                parts.append(f"{label} {fact[key]}")
        if fact.get("amount"):
            parts.append(fact["amount"].replace(".", ",") + " €")
        if fact.get("label"):
            parts.append(f"« {fact['label']} »")
        lines.append(f"{i}. " + ", ".join(parts))
        if fact.get("case"):
            lines.append(f"   → dossier : {fact['case']['status']}")
            if fact["case"].get("advice") and not report.get("needs_review"):
                lines.append(f"   → conseil : {fact['case']['advice']}")
        for d in fact.get("deadlines") or []:
            lines.append(f"   → échéance {fr_date(d['due'])} : {labels.DEADLINE.get(d['name'], d['name'])}")
    return "\n".join(lines)


def _reply_lines(reply: dict[str, Any]) -> list[str]:
    lines = ["Réponse d'approbation (rien n'est exécuté ici) :"]
    commands = reply["commands"] + reply["annulations"]
    lines.append("  Commandes lues : " + ("; ".join(commands) if commands else "aucune"))
    for text in reply["unrecognized"]:
        lines.append(f"  Ligne non comprise : « {text} »")
    for check in reply["checks"]:
        mark = "oui" if check["passed"] else "NON (" + "; ".join(check["reasons"]) + ")"
        lines.append(f"  Contrôle « {check['check']} » : {mark}")
    if reply["reference_unknown"]:
        lines.append("  Contrôle « répond à un message envoyé par cpambot » : inconnu sans la base du "
                     "robot (absente, ou configuration non indiquée : --config)")
    return lines
