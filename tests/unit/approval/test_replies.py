"""Replies of the approver: reply stripping over a French client corpus, then command parsing."""

from __future__ import annotations

import pytest

from cpambot.approval.commands import (
    Command,
    ParsedReply,
    parse_commands,
)
from cpambot.approval.replies import strip_reply
from cpambot.understanding.message import parse_message

BOT = "cpambot <cpambot@cabinet-dupont.fr>"
BOT_ADDR = "cpambot@cabinet-dupont.fr"
SUBJECT = "cpambot – récapitulatif du lundi 3 novembre 2025 – 2 brouillons à approuver"

# The digest as it is quoted back (a shortened digest.txt.j2 rendering).
DIGEST_LINES = [
    "Bonjour,",
    "",
    "BROUILLONS À APPROUVER (2)",
    "Pour envoyer, répondez à ce message en écrivant par exemple « OK A7 » (ou « OK TOUT »),",
    "pour abandonner « NON A7 », pour reporter de 3 jours « REPORTER A7 3 ».",
    "Une commande par ligne, au-dessus du texte cité. Rien n'est envoyé sans votre accord.",
    "",
    "---------------------------------------------------------------- A7",
    "A7 – Réclamation rejet – dossier 2025-0042",
    "À envoyer au plus tard le 12/11/2025 (délai de 2 mois)",
    "À : cpam-marne@assurance-maladie.fr",
    "Objet : Réclamation facture 000012345",
    "",
    "Madame, Monsieur, je conteste le rejet de la facture 000012345.",
    "Jeton : q3x9k2m7p1w8z5t4r6y0u2ab",
    "---------------------------------------------------------------- B2",
    "B2 – Relance paiement – dossier 2025-0043",
    "----------------------------------------------------------------",
    "--",
    "cpambot, votre robot de suivi des retours de l'Assurance Maladie.",
]
DIGEST = "\n".join(DIGEST_LINES) + "\n"


def quoted(prefix: str = "> ") -> str:
    return "".join(f"{prefix}{line}".rstrip() + "\n" for line in DIGEST_LINES)


NEW = "OK A7\nNON B2"

# (style, reply body as the client sends it, expected new text)
CORPUS = [
    ("gmail-fr",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, {BOT} a écrit :\n\n{quoted()}", NEW),
    ("gmail-fr-nbsp-before-colon",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, {BOT} a écrit\u00a0:\n\n{quoted()}", NEW),
    ("gmail-fr-narrow-nbsp-before-colon",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, {BOT} a écrit\u202f:\n\n{quoted()}", NEW),
    ("gmail-fr-header-wrapped-over-two-lines",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, Cabinet infirmier Dupont - cpambot <\n"
     f"{BOT_ADDR}> a écrit :\n\n{quoted()}", NEW),
    ("gmail-fr-header-wrapped-with-nbsp",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, Cabinet infirmier Dupont - cpambot\n"
     f"<{BOT_ADDR}> a écrit\u00a0:\n\n{quoted()}", NEW),
    ("gmail-fr-crlf",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, {BOT} a écrit :\n\n{quoted()}".replace("\n", "\r\n"), NEW),
    ("gmail-en",
     f"{NEW}\n\nOn Mon, Nov 3, 2025 at 7:00 AM {BOT} wrote:\n\n{quoted()}", NEW),
    ("gmail-html-flattened (no > markers)",
     f"{NEW}\n\nLe lun. 3 nov. 2025 à 07:00, {BOT} a écrit :\n\n{DIGEST}", NEW),
    ("outlook-fr",
     f"{NEW}\r\n\r\n________________________________\r\nDe : {BOT}\r\n"
     "Envoyé : lundi 3 novembre 2025 07:00\r\nÀ : Marie Dupont <marie.dupont@outlook.fr>\r\n"
     f"Objet : {SUBJECT}\r\n\r\n" + DIGEST.replace("\n", "\r\n"), NEW),
    ("outlook-fr-no-space-before-colon",
     f"{NEW}\n\nDe: {BOT}\nEnvoyé: lundi 3 novembre 2025 07:00\nÀ: Marie Dupont <marie.dupont@outlook.fr>\n"
     f"Objet: {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-fr-bold-labels (HTML flattened)",
     f"{NEW}\n\n*De :* {BOT}\n*Envoyé :* lundi 3 novembre 2025 07:00\n*À :* marie.dupont@outlook.fr\n"
     f"*Objet :* {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-fr-desktop-message-d-origine",
     f"{NEW}\n\n-----Message d'origine-----\nDe : cpambot [mailto:{BOT_ADDR}] \n"
     f"Envoyé : lundi 3 novembre 2025 07:00\nÀ : Marie Dupont\nObjet : {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-fr-message-d-origine-curly-apostrophe",
     f"{NEW}\n\n-----Message d’origine-----\nDe : {BOT}\nEnvoyé : lundi 3 novembre 2025 07:00\n\n{DIGEST}",
     NEW),
    ("outlook-mac-fr (Date : instead of Envoyé :)",
     f"{NEW}\n\nDe : {BOT}\nDate : lundi 3 novembre 2025 à 07:00\nÀ : Marie Dupont <m@example.org>\n"
     f"Objet : {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-en",
     f"{NEW}\n\n________________________________\nFrom: {BOT}\nSent: Monday, November 3, 2025 7:00 AM\n"
     f"To: Marie Dupont <marie.dupont@outlook.fr>\nSubject: {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-en-original-message",
     f"{NEW}\n\n-----Original Message-----\nFrom: {BOT}\nSent: Monday, November 3, 2025 7:00 AM\n"
     f"To: marie.dupont@outlook.fr\nSubject: {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-android-fr",
     f"{NEW}\n\nEnvoyé depuis Outlook pour Android<https://aka.ms/AAb9ysg>\n"
     f"________________________________\nDe : {BOT}\nEnvoyé : lundi 3 novembre 2025 07:00\n"
     f"À : marie.dupont@outlook.fr\nObjet : {SUBJECT}\n\n{DIGEST}", NEW),
    ("outlook-ios-fr",
     f"{NEW}\n\nObtenir Outlook pour iOS<https://aka.ms/o0ukef>\n________________________________\n"
     f"De : {BOT}\nEnvoyé : lundi 3 novembre 2025 07:00\n\n{DIGEST}", NEW),
    ("apple-iphone-fr",
     f"{NEW}\n\nEnvoyé de mon iPhone\n\n> Le 3 nov. 2025 à 07:00, {BOT} a écrit :\n>\n> \ufeff"
     + quoted()[2:], NEW),
    ("apple-ipad-fr",
     f"{NEW}\n\nEnvoyé de mon iPad\n\n> Le 3 nov. 2025 à 07:00, {BOT} a écrit :\n>\n{quoted()}", NEW),
    ("apple-mail-macos-fr",
     f"{NEW}\n\n> Le 3 nov. 2025 à 07:00, {BOT} a écrit :\n> \n{quoted()}", NEW),
    ("thunderbird-fr",
     f"{NEW}\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}", NEW),
    ("thunderbird-fr-with-signature",
     f"{NEW}\n\n-- \nMarie Dupont\nInfirmière libérale\n06 12 34 56 78\n\n"
     f"Le 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}", NEW),
    ("orange-webmail",
     f"{NEW}\n\n\n \n\n> Message du 03/11/25 07:00\n> De : \"cpambot\" <{BOT_ADDR}>\n"
     f"> A : marie.dupont@orange.fr\n> Copie à : \n> Objet : {SUBJECT}\n> \n{quoted()}", NEW),
    ("free-zimbra",
     f"{NEW}\n\n----- Mail original -----\nDe: \"cpambot\" <{BOT_ADDR}>\n"
     "À: \"Marie Dupont\" <marie.dupont@free.fr>\nEnvoyé: Lundi 3 Novembre 2025 07:00:00\n"
     f"Objet: {SUBJECT}\n\n{DIGEST}", NEW),
    ("free-zimbra-quoted-fields",
     f"{NEW}\n\n----- Mail original -----\n> De: \"cpambot\" <{BOT_ADDR}>\n"
     "> À: \"Marie Dupont\" <marie.dupont@free.fr>\n> Envoyé: Lundi 3 Novembre 2025 07:00:00\n"
     f"> Objet: {SUBJECT}\n\n{quoted()}", NEW),
    ("sfr-mail (Open-Xchange header, no comma)",
     f"{NEW}\n\n> Le 3 novembre 2025 à 07:00 cpambot <{BOT_ADDR}> a écrit :\n> \n{quoted()}", NEW),
    ("sfr-mailoo-style message d'origine with quoted fields",
     f"{NEW}\n---- Message d'origine ----\n> De : {BOT}\n> À : marie.dupont@sfr.fr\n> Sujet : {SUBJECT}\n"
     f"> Date : 03/11/2025 07:00:00 Europe/Paris\n> \n{quoted()}", NEW),
    ("yahoo-fr-old",
     f"{NEW}\n\n\n\n----- Message d'origine ----\nDe : {BOT}\nÀ : Marie Dupont <marie.dupont@yahoo.fr>\n"
     f"Envoyé le : Lundi 3 novembre 2025 7h00\nObjet : {SUBJECT}\n\n{DIGEST}", NEW),
    ("yahoo-fr",
     f"{NEW}\n\nEnvoyé depuis Yahoo Mail pour Android\n\n"
     f"Le lundi 3 novembre 2025 à 07:00:00 UTC+1, {BOT} a écrit :\n\n{DIGEST}", NEW),
    ("protonmail-fr",
     f"{NEW}\n\nEnvoyé avec la messagerie sécurisée Proton Mail.\n\n-------- Message d'origine --------\n"
     f"Le 03/11/2025 07:00, cpambot a écrit :\n\n{quoted()}", NEW),
    ("signature-cordialement",
     f"{NEW}\n\nCordialement,\nMarie\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}", NEW),
    ("signature-bien-cordialement",
     f"Bonjour,\n{NEW}\nBien cordialement,\nMarie Dupont\nInfirmière libérale – 06 12 34 56 78\n\n"
     f"Le 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}", f"Bonjour,\n{NEW}"),
    ("signature-dash-dash-space only",
     f"{NEW}\n-- \nMarie", NEW),
    ("quote-without-header (only > lines left)",
     f"{NEW}\n\n{quoted()}", NEW),
    ("hyphen-list-commands",
     f"- OK A7\n- NON B2\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}", "- OK A7\n- NON B2"),
]


@pytest.mark.parametrize("style,body,expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_strip_reply_corpus(style, body, expected):
    """GIVEN a reply "OK A7 / NON B2" written above the quoted digest by a French or English client
    WHEN its new text is extracted
    THEN only the approver's lines remain: no reply header, quote, signature or device line."""
    assert strip_reply(body) == expected


@pytest.mark.parametrize("style,body,_expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_commands(style, body, _expected):
    """GIVEN the same corpus
    WHEN the stripped text is parsed
    THEN exactly the two commands are found, nothing from the quoted digest leaks."""
    parsed = parse_commands(strip_reply(body))
    assert parsed.commands == (Command("approve", ("A7",)), Command("reject", ("B2",)))
    assert parsed.conflicts == ()


QUOTE_ONLY = [
    ("gmail", f"Le lun. 3 nov. 2025 à 07:00, {BOT} a écrit :\n\n{quoted()}"),
    ("gmail-nbsp-wrapped", f"Le lun. 3 nov. 2025 à 07:00, cpambot <\n{BOT_ADDR}> a écrit\u00a0:\n{quoted()}"),
    ("thunderbird", f"\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}"),
    ("outlook-fr",
     f"\n________________________________\nDe : {BOT}\nEnvoyé : lundi 3 novembre 2025\n\n{DIGEST}"),
    ("outlook-fr-no-space", f"De: {BOT}\nEnvoyé: lundi 3 novembre 2025\nÀ: m@example.org\n\n{DIGEST}"),
    ("message-d-origine", f"-----Message d'origine-----\nDe : {BOT}\nEnvoyé : lundi\n\n{DIGEST}"),
    ("zimbra", f"----- Mail original -----\nDe: {BOT}\nEnvoyé: Lundi\n\n{DIGEST}"),
    ("orange", f"> Message du 03/11/25 07:00\n> De : {BOT}\n{quoted()}"),
    ("apple-iphone-signature-only", f"Envoyé de mon iPhone\n\n> Le 3 nov. 2025 à 07:00, {BOT} a écrit :\n"),
    ("only-quote-markers", quoted()),
    ("signature-only", f"-- \nMarie Dupont\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n{quoted()}"),
    ("empty", ""),
    ("blank", " \n\r\n\t"),
]


@pytest.mark.parametrize("style,body", QUOTE_ONLY, ids=[q[0] for q in QUOTE_ONLY])
def test_reply_without_new_text_is_empty(style, body):
    """GIVEN a reply holding only the quoted message (bottom-posting is not expected)
    WHEN stripped
    THEN the new text is empty (nothing from the quote is taken as a command)."""
    assert strip_reply(body) == ""
    assert parse_commands(strip_reply(body)) == ParsedReply()


def test_full_mime_reply_round_trip():
    """GIVEN a complete Gmail-like MIME reply (quoted-printable, NBSP before the colon)
    WHEN parsed by cpambot.understanding.message then stripped
    THEN the commands are the only new text."""
    raw = (
        "From: Marie Dupont <marie.dupont@example.org>\r\nTo: cpambot@cabinet-dupont.fr\r\n"
        f"Subject: Re: {SUBJECT}\r\nMessage-ID: <r1@mail.example.org>\r\n"
        "In-Reply-To: <digest-1@cabinet-dupont.fr>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        "OK A7\r\n\r\nLe lun. 3 nov. 2025 =C3=A0 07:00, cpambot <cpambot@cabinet-dupont.fr> a =\r\n"
        "=C3=A9crit=C2=A0:=\r\n"
        "\r\n\r\n> Bonjour,\r\n> Jeton : q3x9k2m7p1w8z5t4r6y0u2ab\r\n"
    ).encode()
    assert strip_reply(parse_message(raw).text) == "OK A7"
