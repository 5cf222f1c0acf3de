"""A reply of the approver is obeyed once: what identifies it across deliveries, and when it is too old.

A genuine reply delivered again (the same bytes appended to the mailbox, forwarded back by a
filter, restored from a backup) passes every other check — its DKIM signature still holds, its
new Authentication-Results are written by our own server — so the header fingerprint of the
ledger, which those trace headers change, does not see it. Two keys do:

- its Message-ID (written by her mail client, kept by every relay);
- a digest of what she decided: her address, the message she answered (In-Reply-To and
  References) and the text of the reply, its white space folded. Another "OK TOUT" to another
  digest is another decision; the same "OK TOUT" to the same digest, re-sent under a new
  Message-ID, is not.

Its date must also fit: a reply dated before the message it answers was not written to it, and one
older than the validity of a proposal decides nothing any more. Pure: the caller passes ``now``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

# clocks of two machines disagree a little: a reply may look a few minutes older than the digest
CLOCK_SKEW = timedelta(minutes=10)


def reply_keys(*, message_id: str | None, sender: str, in_reply_to: Sequence[str], references: Sequence[str],
               text: str) -> tuple[str, ...]:
    """The keys under which a processed reply is remembered (see the module docstring)."""
    keys = []
    mid = (message_id or "").strip().strip("<>").lower()
    if mid:
        keys.append(f"id:{mid}")
    answered = " ".join(dict.fromkeys(m.strip().lower() for m in (*in_reply_to, *references) if m.strip()))
    said = " ".join((text or "").split())
    digest = hashlib.sha256("\n".join((sender.strip().lower(), answered, said)).encode("utf-8", "replace"))
    keys.append(f"texte:{digest.hexdigest()}")
    return tuple(keys)


def date_problem(written: datetime | None, *, answered_sent: datetime | None, now: datetime,
                 validity: timedelta) -> str | None:
    """Why a reply's date forbids obeying it, in French; None when it fits.

    ``written``: its Date header (None: absent or unreadable); ``answered_sent``: when the bot sent
    the message it answers (None: it answers none, an ANNULER request)."""
    if written is None:
        return "réponse sans date lisible : elle n'est pas prise en compte"
    if answered_sent is not None and written < answered_sent - CLOCK_SKEW:
        return (f"réponse datée du {written:%d/%m/%Y à %H:%M}, avant le message auquel elle répond "
                f"(envoyé le {answered_sent:%d/%m/%Y à %H:%M}) : elle n'est pas prise en compte")
    if written < now - validity:
        return (f"réponse datée du {written:%d/%m/%Y}, plus ancienne que la validité des propositions "
                f"({validity.days} jours) : elle n'est pas prise en compte")
    return None


ALREADY_HANDLED = "réponse déjà traitée (la même réponse, reçue une seconde fois) : elle n'est pas prise " \
    "en compte une deuxième fois"
