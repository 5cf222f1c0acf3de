"""Lot returns told in sentences: the lots refused whole."""

from cpambot.understanding.classify.retour_lots import _contents_of_refused_lot, _motif_below, _refused_lots
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows import Row, Status


def test_this_lot_refers_to_the_lot_named_last():
    """GIVEN "Nous avons reçu … votre lot 203 daté du 12/10/2026. Ce lot a été rejeté dans sa totalité"
    after a subject naming lots 203 and 201 WHEN read THEN lot 203 is refused (not 201)."""
    folded = normalize("Rejet lot 203 + facture lot 201\nMadame, nous avons reçu le 14/10/2026 votre lot 203 "
                       "daté du 12/10/2026. Ce lot a été rejeté dans sa totalité : fichier tronqué.")
    assert [lot for lot, _ in _refused_lots(folded)] == ["203"]


def test_invoices_listed_under_a_lot_refused_whole_are_its_contents():
    """GIVEN "votre lot n° 086 … a été rejeté dans sa totalité" and its invoices listed "pour mémoire"
    without an outcome of their own WHEN read THEN no invoice row is kept (the lot is the fact); rows
    with their own reject are kept."""
    folded = normalize("Votre lot n° 086, télétransmis le 02/11/2026, a été rejeté dans sa totalité.")
    listed = [Row(invoice="000512344", source="prose"), Row(invoice="000512345", source="prose")]
    assert _contents_of_refused_lot(listed, folded) == []
    own = [Row(invoice="000512344", reject_code="0470", status=Status.REJECTED)]
    assert _contents_of_refused_lot(own, folded) == own


def test_a_lot_that_could_not_be_processed():
    """GIVEN "Lot 089 : ce lot n'a pas pu être traité, il nous est parvenu vide." after a lot 088 that was
    integrated WHEN read THEN lot 089 is refused, 088 is not."""
    folded = normalize("Lot 088 : il a bien été intégré, mais la facture 000 377 120 ne peut pas être "
                       "prise en charge.\n\nLot 089 : ce lot n’a pas pu être traité, il nous est parvenu "
                       "vide. Merci de le retransmettre depuis votre logiciel.")
    assert [lot for lot, _ in _refused_lots(folded)] == ["089"]


def test_a_refused_lot_to_send_again_by_a_pronoun():
    """GIVEN "le lot 204 transmis le 19/10 a ete rejete en entier (fichier illisible), il faut le renvoyer
    depuis votre logiciel tel quel" WHEN read THEN re-bill the lot; "ne pas le renvoyer" is no re-billing."""
    from cpambot.understanding.classify.retour_lots import _lot_again
    from cpambot.understanding.rows import Action

    about = normalize("le lot 204 transmis le 19/10 a ete rejete en entier (fichier illisible), il faut le "
                      "renvoyer depuis votre logiciel tel quel.")
    assert _lot_again(about) is Action.REBILL
    assert _lot_again(normalize("le lot 204 est un doublon, inutile de le renvoyer.")) is None


def test_lots_refused_together_and_a_lot_in_anomaly():
    """GIVEN "Vos lots n° 064 et n° 065 … ont été rejetés en totalité" beside "Le lot n° 066 … a été traité
    normalement", and "Votre lot n° 503 … est actuellement en anomalie" WHEN read THEN 064 and 065 are
    refused (not 066), and 503 is."""
    both = normalize("Vos lots n° 064 et n° 065, télétransmis le 20/10/2026, ont été rejetés en totalité. "
                     "Le lot n° 066 du même jour a, lui, été traité normalement.")
    assert [lot for lot, _ in _refused_lots(both)] == ["064", "065"]
    one = normalize("Votre lot n° 503 transmis le 16/10/2026 est actuellement en anomalie et ne peut pas "
                    "être traité en l'état.")
    assert [lot for lot, _ in _refused_lots(one)] == ["503"]


def test_a_lot_refused_whole_with_its_code_and_label_in_brackets():
    """GIVEN "Votre lot n° 218 … a été rejeté dans sa totalité avec le code 0105 002 (NUMERO DE LOT DEJA
    UTILISE). Merci de le retransmettre" and, in lot 219, "rejet 2900 005 - facture déjà payée : elle
    avait en effet été réglée dans le lot 211" WHEN read THEN the lot refused carries its code, sub-code
    and label; the invoice's motif stops before its explanation."""
    from cpambot.understanding.classify.human import classify_human
    from cpambot.understanding.message import parse_message

    body = ("Madame,\n\nVotre lot n° 218, reçu le 05/10/2026, n'a pas pu être intégré : il a été "
            "rejeté dans sa "
            "totalité avec le code 0105 002 (NUMERO DE LOT DEJA UTILISE). Merci de le retransmettre sous un "
            "nouveau numéro de lot.\n\nDans le lot 219, la facture n° 004 512 367 est revenue en "
            "rejet 2900 005 "
            "- facture déjà payée : elle avait en effet été réglée dans le lot 211. Vous n'avez "
            "rien à faire.\n")
    raw = ("From: x@assurance-maladie.fr\nTo: marie.exemple@example.org\nSubject: Vos lots 218 et 219\n"
           "Date: Thu, 08 Oct 2026 15:22:40 +0200\nContent-Type: text/plain; charset=utf-8\n"
           f"Content-Transfer-Encoding: 8bit\n\n{body}").encode()
    reading = classify_human(parse_message(raw), "caisse")
    lot, invoice = reading.facts
    assert (lot.kind, lot.lot, lot.reject_code, lot.details["reject_subcode"], lot.label) == (
        "lot_refused", "218", "0105", "002", "NUMERO DE LOT DEJA UTILISE")
    assert (invoice.invoice, invoice.reject_code, invoice.label) == (
        "004512367", "2900", "facture déjà payée")


def test_a_lot_that_never_arrived_whole():
    """GIVEN "le lot n°205 du 12/10 ne nous est jamais parvenu en entier (fichier tronque), il faut le
    retransmettre" then "dans le lot n°204 j'ai 2 fact en rejet" WHEN read THEN lot 205 is refused, not
    204."""
    folded = normalize("le lot n°205 du 12/10 ne nous est jamais parvenu en entier (fichier tronque), il "
                       "faut le retransmettre svp.\n\net dans le lot n°204 j'ai 2 fact en rejet :")
    assert [lot for lot, _ in _refused_lots(folded)] == ["205"]


def test_a_lot_received_several_times_has_its_copies_refused():
    """GIVEN "Votre lot 412 du 02/11/2026 nous est parvenu 4 fois … les 3 autres ont été rejetés en doublon"
    WHEN read THEN lot 412 is told refused (its copies); "reçu une fois" is not."""
    folded = normalize("Votre lot 412 du 02/11/2026 nous est parvenu 4 fois (le 02/11, le 03/11 et 2 fois le "
                       "05/11).\nSeul le 1er envoi a été traité, les 3 autres ont été rejetés en doublon.")
    assert [lot for lot, _ in _refused_lots(folded)] == ["412"]
    assert _refused_lots(normalize("Votre lot 413 nous est parvenu une fois, le 02/11.")) == []


def test_the_code_of_a_lot_refused_whole_some_lines_under_its_heading():
    """GIVEN a report "Lot n° 214 - reçu le …" / "Décision : LOT REJETÉ DANS SA TOTALITÉ" / "Motif : Lot déjà
    reçu (doublon du lot n° 209) - code 2002 015", then "Lot n° 215" WHEN the code of lot 214 is looked
    for THEN 2002 015; lot 215, which states none, has none (not its neighbour's)."""
    from cpambot.understanding.classify.retour_lots import _code_below

    text = ("Lot n° 214 - constitué le 28/10/2026 - reçu le 29/10/2026\n"
            "Décision : LOT REJETÉ DANS SA TOTALITÉ\n"
            "Motif : Lot déjà reçu et traité (doublon du lot n° 209) - code 2002 015\n"
            "Lot n° 215 - reçu le 30/10/2026\nDécision : lot accepté\n")
    found = _code_below(text, "214")
    assert found is not None and (found.group(1), found.group(2)) == ("2002", "015")
    assert _code_below(text, "215") is None


def test_a_lot_heading_over_rejected_invoices_is_not_a_lot_refused():
    """GIVEN "Retour sur le traitement de votre lot 140 (reçu le 15/10/2026) :" then "Factures rejetées" on
    the next line WHEN refused lots are looked for THEN none (its invoices were rejected, not the lot);
    "Votre lot 140 a été rejeté." is one."""
    text = "Retour sur le traitement de votre lot 140 (reçu le 15/10/2026) :\nFactures rejetées\n"
    assert _refused_lots(normalize(text)) == []
    assert [lot for lot, _ in _refused_lots(normalize("Votre lot 140 a été rejeté."))] == ["140"]


def test_a_lot_refused_whole_keeps_its_quoted_motif():
    """GIVEN "Lot 064 transmis le 26/10/2026 : le lot est rejeté dans sa totalité, motif « destinataire de
    règlement incorrect » (…). Merci de corriger … et de retransmettre l'ensemble du lot." WHEN read THEN a
    lot refused whole with the caisse's words as its motif and re-billing as its action."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import retour_lots
    from cpambot.understanding.message import ParsedMessage

    text = ("Lot 064 transmis le 26/10/2026 : le lot est rejeté dans sa totalité, motif « destinataire de "
            "règlement incorrect » (le lot a été établi au nom d'un autre professionnel). Merci de corriger "
            "dans votre logiciel et de retransmettre l'ensemble du lot.\n")
    msg = ParsedMessage(subject="Retour traitement lot 064", from_name="", from_addr="rps@cssm.fr",
                        date=datetime(2026, 11, 3, tzinfo=UTC), message_id=None, text=text)
    (fact,) = retour_lots.read(msg, "caisse", "976").facts
    assert (fact.kind, fact.lot, fact.label, fact.details["action"]) == (
        "lot_refused", "064", "destinataire de règlement incorrect", "refacturer")


def test_the_motif_of_a_lot_refused_whole_in_its_own_card_under_its_heading():
    """GIVEN "Lot n° 087 – transmis le 09/11/2026" / "Décision : lot rejeté dans sa totalité" / "Motif : Lot
    reçu en double", then the next lot's heading and its own motif WHEN the lot's motif is read THEN each
    lot has its own, and a lot without one has none."""
    text = ("Lot n° 087 – transmis le 09/11/2026\n\nDécision : lot rejeté dans sa totalité\n\n"
            "Motif : Lot reçu en double\n\nLot n° 088 – transmis le 10/11/2026\nMotif : Fichier illisible\n"
            "Lot n° 089 – transmis le 11/11/2026\nDécision : lot rejeté dans sa totalité\n")
    assert [_motif_below(text, lot) for lot in ("087", "088", "089")] == [
        "Lot reçu en double", "Fichier illisible", None]


def test_a_lot_heading_over_an_invoice_in_anomaly_is_not_a_lot_refused():
    """GIVEN "Lot 234 du 25/11/2026 : la facture 000 233 871 (…) est en anomalie." WHEN refused lots are
    looked for THEN none (the invoice is in anomaly, not its lot); "Lot 233 … : lot rejeté dans sa
    totalité" is."""
    folded = normalize("Lot 233 du 24/11/2026 : lot rejeté dans sa totalité.\nLot 234 du 25/11/2026 : la "
                       "facture 000 233 871 (soins du 20/11/2026, 28,35 €) est en anomalie.")
    assert [lot for lot, _ in _refused_lots(folded)] == ["233"]


def test_a_lot_refused_whole_is_told_by_its_codes_words_not_the_explanation():
    """GIVEN "Le lot n° 214 … a été rejeté dans sa totalité : les factures qu'il contient ont été établies
    avec un numéro d'établissement prescripteur erroné (code rejet 0460 053 - établissement prescripteur
    inconnu au fichier national)." WHEN read THEN the lot is refused, with its code and the code's words."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import retour_lots
    from cpambot.understanding.message import ParsedMessage

    text = ("Le lot n° 214 que vous nous avez télétransmis le 16/10/2026 a été rejeté dans sa totalité : "
            "les factures qu'il contient ont été établies avec un numéro d'établissement prescripteur "
            "erroné (code rejet 0460 053 - établissement prescripteur inconnu au fichier national). "
            "Je vous remercie de "
            "retransmettre l'ensemble du lot.\n")
    msg = ParsedMessage(subject="Vos lots", from_name="", from_addr="ps@assurance-maladie.fr",
                        date=datetime(2026, 10, 29, tzinfo=UTC), message_id=None, text=text)
    (fact,) = retour_lots.read(msg, "caisse", "571").facts
    assert (fact.kind, fact.lot, fact.reject_code, fact.label) == (
        "lot_refused", "214", "0460", "établissement prescripteur inconnu au fichier national")


def test_a_duplicate_lot_refused_with_nothing_to_send_again():
    """GIVEN "le lot 413 du 07/10/2026 nous est parvenu en double (contenu identique au lot 411) : il a été
    rejeté en totalité. Le lot 411 ayant été traité normalement, vous n'avez rien à retransmettre." WHEN read
    THEN lot 413 is refused, nothing to do (the lot it copies is named in its sentences, not the next one)."""
    from datetime import UTC, datetime

    from cpambot.understanding.classify import retour_lots
    from cpambot.understanding.message import ParsedMessage

    text = ("Par ailleurs, le lot 413 du 07/10/2026 nous est parvenu en double (contenu identique au lot "
            "411) : il a été rejeté en totalité. Le lot 411 ayant été traité normalement, vous n'avez rien à "
            "retransmettre.\n")
    msg = ParsedMessage(subject="Vos lots", from_name="", from_addr="ps@assurance-maladie.fr",
                        date=datetime(2026, 10, 14, tzinfo=UTC), message_id=None, text=text)
    (fact,) = retour_lots.read(msg, "caisse", "131").facts
    assert (fact.kind, fact.lot, fact.details.get("action")) == ("lot_refused", "413", "aucune")


def test_a_letter_refusing_a_whole_lot_told_by_its_title():
    """GIVEN "Objet : Rejet intégral du lot n° 087" over "Le lot n° 087, que vous avez télétransmis le 14
    octobre 2026 (12 factures, montant total 486,45 €), n'a pas pu être intégré … Nous vous invitons à …
    retélétransmettre l'ensemble des factures du lot sous un nouveau numéro de lot." under the subject "Rejet
    de votre lot n° 087" WHEN read THEN a lot return: the lot refused, to send again."""
    from cpambot.understanding.classify.human import classify_human
    from cpambot.understanding.message import parse_message

    body = ("Objet : Rejet intégral du lot n° 087\n\nMadame,\n\nLe lot n° 087, que vous avez télétransmis "
            "le 14 octobre 2026 (12 factures, montant total\n486,45 €), n'a pas pu être intégré dans nos "
            "chaînes de liquidation.\n\nNous vous invitons à vérifier la date système de votre poste, puis à "
            "retélétransmettre l'ensemble des factures du lot sous un nouveau numéro de lot.\n")
    raw = ("From: relations.ps@cgss-guyane.fr\nTo: marie.exemple@example.org\n"
           "Subject: Rejet de votre lot n° 087\nDate: Fri, 16 Oct 2026 09:00:00 -0300\n"
           "Message-ID: <rl1@example.org>\nContent-Type: text/plain; charset=utf-8\n"
           f"Content-Transfer-Encoding: 8bit\n\n{body}").encode()
    reading = classify_human(parse_message(raw), "caisse")
    assert (reading.kind, [(f.kind, f.lot, f.details.get("action")) for f in reading.facts]) == (
        "retour_lots", [("lot_refused", "087", "refacturer")])


def test_an_agents_note_titled_retour_lot_is_a_lot_return():
    """GIVEN the subject "retour lot 204" and the body "retour sur votre lot 204 transmis le 13/10" over
    three invoices to re-bill WHEN matched THEN a lot return."""
    from cpambot.understanding.classify import retour_lots
    from cpambot.understanding.message import parse_message

    raw = (b"From: lucie.barrere@assurance-maladie.fr\nTo: marie.exemple@example.org\n"
           b"Subject: retour lot 204\nDate: Tue, 20 Oct 2026 09:00:00 +0200\n"
           b"Message-ID: <rl2@example.org>\n\n"
           b"bonjour\n\nretour sur votre lot 204 transmis le 13/10\n\n"
           b"fact 000702215 : AIS 3 + AMI 1 meme seance non cumulables, a refacturer\n")
    assert retour_lots.match(parse_message(raw)) >= 0.8


def test_a_report_printed_in_columns_as_a_txt_attachment():
    """GIVEN an empty body and a .txt attachment printed in columns ("N° FACTURE  DATE SOINS  MONTANT  MOTIF
    DU REJET  CONSIGNE", each cell wrapping onto indented lines) then "LOT 121 …" / "LOT REJETE DANS SA
    TOTALITE   MOTIF : 5201 010 FICHIER ILLISIBLE" WHEN read THEN the invoice's row with its code, words and
    instruction, and the refused lot with its code and words (a report in columns is not a CSV)."""
    from cpambot.understanding.classify.human import classify_human
    from cpambot.understanding.message import parse_message

    report = ("LOT 118   TRANSMIS LE 28/09/2026   TRAITE LE 02/10/2026\r\n"
              "N° FACTURE  DATE SOINS  MONTANT   MOTIF DU REJET                         CONSIGNE\r\n"
              "001184022   21/09/2026  43,50 €   0450 072 EXONERATION NON TROUVEE A     "
              "CORRIGER L'EXONERATION\r\n"
              "                                  LA DATE DES SOINS                      "
              "ET RETELETRANSMETTRE\r\n"
              "LOT 121   TRANSMIS LE 01/10/2026   TRAITE LE 02/10/2026\r\n"
              "LOT REJETE DANS SA TOTALITE   MOTIF : 5201 010 FICHIER ILLISIBLE\r\n"
              "CONSIGNE : RETELETRANSMETTRE LE LOT A L'IDENTIQUE.\r\n").encode("cp1252")
    raw = (b"From: retours-lots.cpam33@assurance-maladie.fr\nTo: marie.exemple@example.org\n"
           b"Subject: Retour sur le traitement de vos lots\nDate: Tue, 06 Oct 2026 09:00:00 +0200\n"
           b"Message-ID: <rl3@example.org>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
           b"--B\nContent-Type: text/plain\n\n\n--B\n"
           b"Content-Type: text/plain; charset=windows-1252; name=RETOUR.txt\n"
           b"Content-Disposition: attachment; filename=RETOUR.txt\n\n" + report + b"\n--B--\n")
    facts = classify_human(parse_message(raw), "caisse").facts
    assert [(f.kind, f.invoice, f.lot, f.reject_code, f.details.get("action")) for f in facts] == [
        ("invoice_in_anomaly", "001184022", "118", "0450", "refacturer"),
        ("lot_refused", None, "121", "5201", "refacturer")]
    assert (facts[0].label, facts[1].label) == (
        "EXONERATION NON TROUVEE A LA DATE DES SOINS", "FICHIER ILLISIBLE")
