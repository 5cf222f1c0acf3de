"""A letter the professional files herself on amelipro (« Réclamations », RECLA PS) rather than one the
bot e-mails: once she approves it, the bot e-mails her the object and the message to paste, and the
documents to attach as files (pure: the draft and the documents in, the e-mail to her out).

The service takes at most 3 attachments of 5 MB in all: the documents beyond are listed, not attached,
so that she knows what to add from her own files.
"""

from __future__ import annotations

from collections.abc import Sequence

from cpambot.approval.model import Draft
from cpambot.letters.model import Attachment, Letter

FILING_KIND = "recla_ps"
MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024


def within_limits(documents: Sequence[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """(attached, left out): the first documents that fit in :data:`MAX_FILES` and :data:`MAX_BYTES`."""
    kept: list[Attachment] = []
    left: list[Attachment] = []
    total = 0
    for document in documents:
        if len(kept) < MAX_FILES and total + len(document.data) <= MAX_BYTES:
            kept.append(document)
            total += len(document.data)
        else:
            left.append(document)
    return kept, left


def _size(data: bytes) -> str:
    kilobytes = len(data) / 1024
    return f"{kilobytes / 1024:.1f} Mo".replace(".", ",") if kilobytes >= 1024 else f"{kilobytes:.0f} Ko"


def filing_letter(draft: Draft, to: Sequence[str], documents: Sequence[Attachment] = ()) -> Letter:
    """The e-mail to the professional that carries ``draft``'s text, ready to paste into RECLA PS."""
    kept, left = within_limits(documents)
    steps = [
        "1. Connectez-vous à amelipro, rubrique « Réclamations », et créez une nouvelle réclamation.",
        "2. Objet : copiez la ligne « OBJET » ci-dessous.",
        "3. Message : copiez le texte entre les deux lignes de tirets.",
    ]
    if kept:
        steps.append("4. Pièces jointes : ajoutez les fichiers joints à ce courriel ("
                     + ", ".join(f"{a.filename}, {_size(a.data)}" for a in kept) + ").")
    else:
        steps.append("4. Pièces jointes : aucune n'est préparée ; ajoutez celles que vous jugez utiles "
                     "(3 fichiers et 5 Mo en tout au plus).")
    if left:
        steps.append("   Au-delà de 3 fichiers ou de 5 Mo, ces documents n'ont pas pu être joints : "
                     + ", ".join(a.filename for a in left) + ".")
    steps.append(f"5. Une fois la réclamation déposée, répondez « FAIT {draft.code} » : le dossier "
                 f"{draft.case_id} avancera comme si le robot avait envoyé le courrier.")
    body = (f"Le brouillon {draft.code} ({draft.label}, dossier {draft.case_id}) est approuvé. Votre caisse "
            "demande les réclamations par le service « Réclamations » d'amelipro : le robot ne peut pas "
            "le déposer à votre place, mais tout est prêt.\n\n" + "\n".join(steps)
            + f"\n\nOBJET\n{draft.subject}\n\nMESSAGE\n{'-' * 40}\n{draft.body.rstrip()}\n{'-' * 40}\n")
    return Letter(FILING_KIND, tuple(to), f"cpambot – {draft.code} à déposer sur amelipro : {draft.subject}",
                  body, attachments=tuple(kept))


POSTING_KIND = "recommande"


def posting_letter(draft: Draft, to: Sequence[str], pdf: bytes,
                   documents: Sequence[Attachment] = ()) -> Letter:
    """The e-mail to the professional that carries ``draft`` laid out as a PDF, to print and post
    registered, with the documents to enclose."""
    name = f"{draft.code}-{draft.kind}.pdf"
    steps = [f"1. Imprimez le courrier joint ({name}) et signez-le.",
             "2. Joignez-y les documents listés en bas du courrier"
             + (" (joints aussi à ce courriel)." if documents else ", s'il y en a."),
             "3. Postez-le en lettre recommandée avec accusé de réception, et gardez la preuve de dépôt.",
             f"4. Répondez « POSTÉ {draft.code} » suivi du numéro de suivi (par exemple « POSTÉ {draft.code} "
             "1A23456789012 ») le jour du dépôt, ou avec sa date si vous répondez plus tard (« POSTÉ "
             f"{draft.code} le 12/11 1A23456789012 ») : le dossier avancera comme si le robot avait envoyé "
             "le courrier, à la date du dépôt.",
             f"5. Quand l'avis de réception revient, répondez « AR {draft.code} » et sa date (« AR "
             f"{draft.code} 15/12 »)."]
    body = (f"Le brouillon {draft.code} ({draft.label}, dossier {draft.case_id}) est approuvé. Il part par "
            "courrier recommandé : le robot ne peut pas le poster à votre place, mais le courrier est prêt "
            "à imprimer.\n\n" + "\n".join(steps) + "\n")
    return Letter(POSTING_KIND, tuple(to), f"cpambot – {draft.code} à poster en recommandé : {draft.subject}",
                  body, attachments=(Attachment(name, "application/pdf", pdf), *documents))
