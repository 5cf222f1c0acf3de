"""The texts the bot writes to the approver — the digest, a draft on its own, the confirmation of a
reply — rendered from the approval stage's templates. Pure: values in, texts out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cpambot.approval.digest import Digest
from cpambot.approval.model import Draft, DraftState
from cpambot.letters.render import package_environment, render, render_text

TEMPLATES = "cpambot.approval"  # the package whose templates/ folder holds these texts


def digest_texts(digest: Digest) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the digest e-mail."""
    context: dict[str, Any] = {
        "today": digest.today, "urgent": digest.urgent_reasons, "drafts": digest.drafts,
        "missing": digest.missing, "to_file": digest.to_file, "to_post": digest.to_post,
        "deadlines": digest.later_deadlines,
        "new_cases": digest.new_cases,
        "to_sort": digest.to_sort, "sending_problems": digest.sending_problems,
        "bounced": digest.bounced, "dropped": digest.dropped, "health": digest.health,
        "unread": digest.unread, "todo": digest.todo, "todo_more": digest.todo_more,
        "first": digest.first, "past_deadlines": digest.past_deadlines,
        "refusals": digest.refusals, "money_by_state": digest.money_by_state,
        "money_by_age": digest.money_by_age, "empty": digest.empty, "month": digest.month,
        "calendar_attached": digest.calendar_attached, "bank": digest.bank,
    }
    env = package_environment(TEMPLATES)
    subject, body = render("digest.txt.j2", context, env=env)
    return subject, body, render_text("digest.html.j2", context, env=env)


def notice_text(draft: Draft, token: str) -> tuple[str, str]:
    """(subject, body) of the e-mail that shows one draft on its own: a reply to it may approve it
    ("OK") or replace its text; or, for a draft that cannot be written, what it still needs."""
    if draft.state is DraftState.MISSING:
        return (f"cpambot – {draft.code} : informations manquantes",
                f"Le brouillon {draft.code} ({draft.label}) ne peut pas être rédigé : il manque "
                f"{', '.join(draft.missing)}.\n\nComplétez la configuration puis relancez cpambot.\n")
    return (f"cpambot – brouillon {draft.code} à approuver : {draft.subject}",
            f"Brouillon {draft.code} – {draft.label}\n{draft.destination.capitalize()}\n"
            f"Objet : {draft.subject}\n\n{draft.body}\n\n"
            f"Pour l'envoyer, répondez « OK » (ou « OK {draft.code} »). Pour l'abandonner, "
            f"« NON ». Pour modifier le texte, répondez avec le texte complet corrigé.\n"
            f"Jeton : {token}\n")


def confirmation_text(changes: Sequence[str], *, received: date, to_send: Sequence[Draft],
                      unrecognized: Sequence[str], details: Sequence[str] = (),
                      refused: int = 0) -> tuple[str, str]:
    """(subject, body) of the answer to a reply that passed the checks: each decision, the lines not
    understood, exactly what leaves, and the cases she asked to see (DÉTAIL). The subject says whether
    what she asked was done (``refused``: the decisions that changed nothing)."""
    count = len(changes)
    summary = "aucune commande comprise" if not count else f"{count} commande{'s' if count > 1 else ''} " \
        f"comprise{'s' if count > 1 else ''}"
    if refused and refused >= count:
        summary = f"rien n'a été fait ({summary})"
    elif refused:
        summary += f", dont {refused} sans effet"
    elif unrecognized and not count:
        summary = "rien n'a été compris"
    context = {"summary": summary, "received": received,
               "changes": [{"message": change} for change in changes], "unrecognized": list(unrecognized),
               "to_send": list(to_send), "details": list(details)}
    return render("confirmation.txt.j2", context, env=package_environment(TEMPLATES))
