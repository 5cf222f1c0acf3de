"""Requests for pièces justificatives: which invoices, what document, by when."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cpambot.understanding.classify import pieces
from cpambot.understanding.message import Attachment, ParsedMessage


def test_two_letters_in_one_document_keep_their_own_deadline_and_reference():
    """GIVEN one PDF holding two letters, each opened by "Nantes, le 21 octobre 2026", each about one
    invoice, with its own "Référence : …" and its own "avant le …" WHEN read THEN each invoice's request
    has its letter's deadline and reference, not the first letter's."""
    letter = ("Nantes, le 21 octobre 2026\nRéférence : {ref}\nObjet : demande de pièce justificative\n"
              "Le contrôle de la facture n° {invoice} (lot {lot}) nécessite la prescription médicale.\n"
              "Nous vous remercions de nous la transmettre, par SCOR ou par courrier, avant le\n{due}.\n")
    text = (letter.format(ref="PJ/2026/10/18842", invoice="000418802", lot="163", due="20 novembre 2026")
            + letter.format(ref="PJ/2026/10/18851", invoice="000419117", lot="164", due="27 novembre 2026"))
    msg = ParsedMessage(subject="Courriers - demandes de pièces justificatives", from_name="CPAM",
                        from_addr="gestion-ps.cpam44@assurance-maladie.fr",
                        date=datetime(2026, 10, 21, tzinfo=UTC), message_id="<p@x>",
                        text="Veuillez trouver ci-joint deux courriers.",
                        attachments=(Attachment("courriers.pdf", "application/pdf", b"", text, None),))
    facts = pieces.read(msg, "caisse", "441").facts
    assert [(f.invoice, f.reference, f.details.get("deadline")) for f in facts] == [
        ("000418802", "PJ/2026/10/18842", date(2026, 11, 20)),
        ("000419117", "PJ/2026/10/18851", date(2026, 11, 27))]
