"""Forward header blocks of every mail client, and their dates in French and English."""

from datetime import date, timedelta, timezone

import pytest

from cpambot.understanding.forwards import header_blocks, parse_header_date

CAISSE = "CPAM de la Gironde <relation-ps@assurance-maladie.fr>"

CLIENTS = {
    "gmail-fr": ("---------- Forwarded message ---------\nDe : {who}\nDate: mar. 13 oct. 2026 à 09:12\n"
                 "Subject: Retour sur le traitement de vos lots\nTo: <marie@example.org>\n\n"),
    "gmail-en": ("---------- Forwarded message ---------\nFrom: {who}\nDate: Tue, Oct 13, 2026 at 9:12 AM\n"
                 "Subject: Retour sur le traitement de vos lots\nTo: <marie@example.org>\n\n"),
    "outlook-fr": ("________________________________\nDe : {who}\nEnvoyé : mardi 13 octobre 2026 09:12\n"
                   "À : Marie Exemple <marie@example.org>\nObjet : Retour sur le traitement de vos lots\n\n"),
    "outlook-en": ("-----Original Message-----\nFrom: {who}\nSent: Tuesday, October 13, 2026 9:12 AM\n"
                   "To: Marie Exemple\nSubject: Retour sur le traitement de vos lots\n\n"),
    "outlook-web-nospace": ("De: {who}\nEnvoyé: mardi 13 octobre 2026 09:12\nÀ: marie@example.org\n"
                            "Objet: Retour sur le traitement de vos lots\n\n"),
    "apple-fr": ("Début du message réexpédié :\n\nDe: {who}\nObjet: Retour sur le traitement de vos lots\n"
                 "Date: 13 octobre 2026 à 09:12:33 UTC+2\nÀ: marie@example.org\n\n"),
    "apple-en": ("Begin forwarded message:\n\nFrom: {who}\nSubject: Retour sur le traitement de vos lots\n"
                 "Date: October 13, 2026 at 9:12:33 AM GMT+2\nTo: marie@example.org\n\n"),
    "thunderbird-fr": ("-------- Message transféré --------\n"
                       "Sujet : \tRetour sur le traitement de vos lots\n"
                       "Date : \tTue, 13 Oct 2026 09:12:00 +0200\nDe : \t{who}\n"
                       "Pour : \tmarie@example.org\n\n"),
    "zimbra": ("----- Mail transféré -----\nDe: {who}\nÀ: \"Marie\" <marie@example.org>\n"
               "Envoyé: Mardi 13 Octobre 2026 09:12:00\nObjet: Retour sur le traitement de vos lots\n\n"),
    "orange": ("> Message du 13/10/26 09:12\n> De : {who}\n> A : marie@example.org\n> Copie à :\n"
               "> Objet : Retour sur le traitement de vos lots\n>\n"),
    # eM Client: labels without colons right under its separator
    "emclient": ("------ Message d'origine ------\nDe {who}\nÀ marie@example.org\nDate 13/10/2026 09:12:10\n"
                 "Objet Retour sur le traitement de vos lots\n\n"),
    # a client set in another language: Thunderbird in German, in Italian (a blank line between labels)
    "thunderbird-de": ("-------- Weitergeleitete Nachricht --------\nBetreff: \tRetour lots\n"
                       "Datum: \tTue, 13 Oct 2026 09:12:00 +0200\nVon: \t{who}\n"
                       "An: \tmarie@example.org\n\n"),
    "thunderbird-it": ("-------- Messaggio Inoltrato --------\n\nOggetto: Retour lots\n\n"
                       "Data: Tue, 13 Oct 2026 09:12:00 +0200\n\nMittente: {who}\n\n"
                       "A: marie@example.org\n\n"),
    "outlook-mailto": ("________________________________\n"
                       "De : CPAM Gironde [mailto:relation-ps@assurance-maladie.fr]\n"
                       "Envoyé : mardi 13 octobre 2026 09:12\nÀ : Marie\nObjet : Retour lots\n\n"),
}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_every_client_header_block_is_read(client):
    """GIVEN a forward written the way a mail client writes it, under the nurse's comment WHEN its
    header blocks are read THEN the original's sender, date and the body after the block come out."""
    text = "Encore un rejet, tu peux regarder ?\n\n" + CLIENTS[client].format(who=CAISSE) + (
        "Madame,\nNous vous informons que la facture 123456789 est rejetée.\n")
    blocks = header_blocks(text, tz=timezone(timedelta(hours=2)))
    assert len(blocks) == 1
    block = blocks[0]
    assert block.from_addr == "relation-ps@assurance-maladie.fr"
    assert block.date is not None and block.date.date() == date(2026, 10, 13)
    assert "facture 123456789" in block.body


def test_forward_of_a_forward_gives_both_blocks_outermost_first():
    """GIVEN a forward of a forward WHEN read THEN two blocks, the caisse's the inner one."""
    text = ("voir dessous\n\n---------- Forwarded message ---------\nDe : Marie <marie.idel@gmail.com>\n"
            "Date: ven. 16 oct. 2026 à 18:00\nSubject: TR: Indu\nTo: <marie@example.org>\n\n"
            "________________________________\nDe : " + CAISSE + "\nEnvoyé : lundi 12 octobre 2026 10:00\n"
            "À : Marie\nObjet : Notification d'indu\n\nMadame, vous êtes redevable de 120,00 €.\n")
    blocks = header_blocks(text)
    assert [b.from_addr for b in blocks] == ["marie.idel@gmail.com", "relation-ps@assurance-maladie.fr"]
    assert blocks[1].date is not None and blocks[1].date.date() == date(2026, 10, 12)


def test_a_letter_with_an_objet_line_is_not_a_forward():
    """GIVEN a caisse letter with "Objet :" and "Date :" lines but no sender line WHEN read THEN no block."""
    text = "Objet : notification de payer\nDate : 14/10/2026\nRéférence : IND-2026-1\n\nMadame,\n"
    assert header_blocks(text) == []


@pytest.mark.parametrize("value,expected", [
    ("mar. 13 oct. 2026 à 09:12", date(2026, 10, 13)),
    ("Tuesday, October 13, 2026 9:12 PM", date(2026, 10, 13)),
    ("13/10/2026 09:12", date(2026, 10, 13)),
    ("13/10/26 09:12", date(2026, 10, 13)),
    ("2026-10-13 09:12", date(2026, 10, 13)),
    ("1er décembre 2026", date(2026, 12, 1)),
    ("On Tuesday, November 10th, 2026 at 4:05 PM", date(2026, 11, 10)),  # Proton Mail
    ("Tuesday, 3rd November 2026 at 16:05", date(2026, 11, 3)),
    ("Tue, 13 Oct 2026 09:12:00 +0200", date(2026, 10, 13)),
    ("31/02/2026", None),
    ("demain", None),
])
def test_header_dates(value, expected):
    """GIVEN a forwarded header's date as a client writes it WHEN parsed THEN the right day, or None."""
    got = parse_header_date(value)
    assert (got.date() if got else None) == expected


@pytest.mark.parametrize(("line", "name", "when"), [
    ("Le mer. 4 nov. 2026 à 13:20, CPAM du Rhône <t@assurance-maladie.fr> a écrit :", "CPAM du Rhône",
     (2026, 11, 4, 13, 20)),
    ("On Wed, Nov 4, 2026 at 1:20 PM CPAM du Rhône <t@assurance-maladie.fr> wrote:", "CPAM du Rhône",
     (2026, 11, 4, 13, 20)),
    ("Le 04/11/2026 à 13:20, t@assurance-maladie.fr a écrit :", "", (2026, 11, 4, 13, 20)),
    ('Le 4 nov. 2026 à 13:20, "CPAM, Rhône" <t@assurance-maladie.fr> a écrit :', "CPAM, Rhône",
     (2026, 11, 4, 13, 20)),
])
def test_reply_attribution_lines(line, name, when):
    """GIVEN a reply quoting a caisse message under an attribution line ("Le …, X <x@…> a écrit :")
    WHEN its header blocks are read THEN the sender's name, address and the date with its time come
    out whole (the time's comma or "1:20 PM" never taken for the sender)."""
    blocks = header_blocks(line + "\n\n> Madame,\n> votre lot 451\n")
    assert [(b.from_name, b.from_addr) for b in blocks] == [(name, "t@assurance-maladie.fr")]
    assert blocks[0].date is not None and blocks[0].date.timetuple()[:5] == when
    assert blocks[0].body.startswith("Madame,")


def test_a_header_block_glued_to_its_separator_on_one_line():
    """GIVEN a webmail forward whose header block is glued on one line ("----- Message transféré ----- De :
    CPAM … <x@…>À : … Envoyé : jeudi 19 novembre 2026 à 13:44:09 UTC+4Objet : Mise en demeure …") WHEN its
    header blocks are read THEN the original's sender, date and subject."""
    text = ("Pour info.\n\n\n   ----- Message transféré ----- De : CPAM des Deux-Sèvres - Recouvrement "
            "<recouvrement-ps.cpam79@assurance-maladie.fr>À : marie.exemple@example.org "
            "<marie.exemple@example.org>Envoyé : jeudi 19 novembre 2026 à 13:44:09 UTC+4Objet : Mise en "
            "demeure - réf. MED/79/2026/0193\n \nMadame,\n\nNous vous mettons en demeure …\n")
    (block,) = header_blocks(text)
    assert block.from_addr == "recouvrement-ps.cpam79@assurance-maladie.fr"
    assert block.subject == "Mise en demeure - réf. MED/79/2026/0193"
    assert block.date is not None and (block.date.day, block.date.hour) == (19, 13)


def test_words_after_a_separator_are_no_block_without_colons():
    """GIVEN a separator line followed by a sentence starting "De" or "A" (not an eM Client block) WHEN its
    header blocks are read THEN none."""
    text = ("------ Message d'origine ------\nA quelle date le lot a-t-il été envoyé ?\n"
            "De mon côté je ne vois rien.\n\nMarie\n")
    assert header_blocks(text) == []


def test_a_name_without_address_over_answers_written_under_her_questions():
    """GIVEN "Le 26/10/2026 à 21:03, Marie Exemple a écrit :" over her quoted questions with the agent's
    answers between them WHEN its header blocks are read THEN one block, her name without address; the
    same attribution over a quote with no answers inside is no block (the answer above reads the quote)."""
    text = ("Voir mes réponses ci-dessous.\n\nLe 26/10/2026 à 21:03, Marie Exemple a écrit :\n"
            "> - 000 219 430, Mme H., 12,60 €\n\nRéglée le 24/10/2026.\n\n"
            "> - 000 219 436, Mme H., 12,60 €\n\n"
            "Réglée aussi.\n\n> Merci\n")
    (block,) = header_blocks(text)
    assert (block.from_name, block.from_addr) == ("Marie Exemple", "")
    assert block.date is not None and block.date.day == 26
    alone = "Voici.\n\nLe 26/10/2026 à 21:03, Marie Exemple a écrit :\n> - 000 219 430\n"
    assert header_blocks(alone) == []


def test_a_forwarded_reply_keeps_the_answers_between_her_quoted_lines():
    """GIVEN her Gmail forward of a caisse's reply whose answers stand between her own quoted lines, and a
    FairEmail forward whose whole body is quoted under an unquoted header WHEN their blocks are read THEN
    the reply's body keeps her lines quoted (its answers told apart), and the quoted-whole body loses its
    marks (it is the original itself)."""
    reply = ("---------- Forwarded message ---------\nDe : CPAM <ps@assurance-maladie.fr>\n"
             "Date: mar. 13 oct. 2026 à 09:12\nSubject: RE: factures\nTo: <marie@example.org>\n\n"
             "Voir mes réponses.\n\n> - 000 219 430, 12,60 €\n\nRéglée le 24/10/2026.\n")
    assert "> - 000 219 430" in header_blocks(reply)[0].body
    whole = ("-------- Message transféré --------\nDate : 22 oct. 2026 10:15:31\n"
             "De : CPAM <ps@assurance-maladie.fr>\nObjet : Lots\n\n> Madame,\n>\n> Votre lot n° 087 a fait "
             "l'objet d'un rejet\n> global.\n")
    assert header_blocks(whole)[0].body == "Madame,\n\nVotre lot n° 087 a fait l'objet d'un rejet\nglobal."


def test_a_body_quoted_whole_under_the_forwarders_signature_loses_its_marks():
    """GIVEN a K-9 forward: the header block unquoted, the original's body quoted whole with "> ", then the
    forwarder's signature ("-- " / "Envoyé de mon appareil Android avec K-9 Mail") WHEN read THEN the
    original's body has no quote marks and no signature of hers; a body left unquoted under a quoted header
    (SFR) stays whole."""
    k9 = ("Je te transfère.\n\n-------- Message d'origine --------\nDe: \"CPAM de l'Isère\" <ps@assurance-"
          "maladie.fr>\nEnvoyé: 22 octobre 2026 13:47:05 UTC+04:00\nObjet: Retour\n\n> Madame,\n>\n"
          "> *Facture*\n> *Montant*\n> 005 633 870\n> 31,50 €\n> 005 633 889\n> 15,90 €\n\n-- \n"
          "Envoyé de mon appareil Android avec K-9 Mail.\n")
    (block,) = header_blocks(k9)
    assert block.body.startswith("Madame,") and ">" not in block.body and "K-9" not in block.body
    sfr = ("ok je la renvoie\n\n> Message du 12/11/26 12:58\n"
           "> De : \"MSA\" <reclamations.ps@provence-azur.msa.fr>\n> A : marie.exemple@example.org\n"
           "> Objet : Réponse\n>\n\n"
           "Madame,\nCette facture n'a jamais été reçue.\n\nLe service PS\n")
    (block,) = header_blocks(sfr)
    assert "jamais été reçue" in block.body
