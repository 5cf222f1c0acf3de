"""What happens to one relevant message once its bytes are safe on disk.

Today: decode it with mail-parser and keep a few facts. Later issues plug the
classification of caisse messages in here. Pure: bytes in, an Outcome out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mailparser

from .senders import Relevance


@dataclass(frozen=True)
class Outcome:
    state: str  # "done", "ignored" or "failed"
    reason: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def process_message(raw: bytes, relevance: Relevance) -> Outcome:
    """Decode ``raw``; a message that cannot be read gives a ``failed`` outcome, never raises."""
    try:
        parsed = mailparser.parse_from_bytes(raw)
        facts = {
            "subject": parsed.subject or "",
            "attachments": [
                {"filename": a.get("filename") or "", "content_type": a.get("mail_content_type", "")}
                for a in parsed.attachments
            ],
            "text_chars": sum(len(t) for t in parsed.text_plain),
            "html_chars": sum(len(t) for t in parsed.text_html),
            "defects": sorted(parsed.defects_categories),
        }
        has_headers = bool(parsed.from_ or parsed.subject or parsed.date)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is the message's fault
        return Outcome("failed", f"message illisible par mail-parser ({exc.__class__.__name__}: "
                       f"{str(exc)[:200]})")
    if not has_headers:
        return Outcome("failed", "message illisible : aucun en-tête reconnu", facts)
    if relevance.category == "suspect":
        return Outcome("ignored", relevance.reason, facts)
    return Outcome("done", None, facts)
