"""Replies of the approver: reply stripping over a French client corpus, then command parsing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpambot.approval.commands import (
    AnnulationRequest,
    Command,
    ParsedReply,
    is_edit,
    normalise_code,
    parse_commands,
    read_reply,
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


# --------------------------------------------------------------------------- edited drafts

LETTER = (
    "Madame, Monsieur,\n\n"
    "Je conteste le rejet de la facture 000012345 du lot 042 : la cotation AMI 4 est conforme\n"
    "à la prescription du 2 octobre 2025 jointe à la facture.\n\n"
    "Je vous prie d'agréer, Madame, Monsieur, mes salutations distinguées.\n\n"
    "Cordialement,\nMarie Dupont\nInfirmière libérale"
)


def test_edited_draft_keeps_the_closing_of_the_letter():
    """GIVEN a reply to a single draft whose new text is a rewritten letter, signed, from an iPhone
    WHEN read with the draft's code
    THEN it is an edited text for that draft, closing and name kept, device line and quote removed."""
    body = f"{LETTER}\n\nEnvoyé de mon iPhone\n\n> Le 3 nov. 2025 à 07:00, {BOT} a écrit :\n> Ancien texte\n"
    parsed = read_reply(body, draft_code="a7")
    assert parsed.edited_text == LETTER
    assert parsed.commands == () and parsed.unrecognized == ()


def test_default_strip_removes_the_closing_but_keep_signature_does_not():
    """GIVEN a reply ending with "Cordialement, / Marie"
    WHEN stripped with and without keep_signature
    THEN only the default strip removes the closing; both drop the "-- " signature."""
    body = ("OK A7\nCordialement,\nMarie\n-- \nCabinet Dupont\n\n"
            "Le 03/11/2025 à 07:00, cpambot a écrit :\n> x\n")
    assert strip_reply(body) == "OK A7"
    assert strip_reply(body, keep_signature=True) == "OK A7\nCordialement,\nMarie"


@pytest.mark.parametrize("text,expected", [
    (LETTER, True),
    ("Bonjour, merci de corriger la date du soin au 4 novembre svp", True),
    ("Merci c'est parfait", False),  # a few words only
    ("OK", False),
    ("OK merci beaucoup pour ce travail vraiment", False),  # starts with a command keyword
    ("Non, il faut changer la date du soin au 4 novembre", False),
    ("Reporter à la semaine prochaine, je dois vérifier", False),
    ("Voilà mes décisions pour aujourd'hui :\nOK A7\nNON B2", False),  # holds commands
    ("", False),
])
def test_is_edit_rule(text, expected):
    """GIVEN the stripped text of a reply to a draft
    WHEN is_edit decides
    THEN only a text of 6+ words, not starting with a keyword and holding no command, is an edit."""
    assert is_edit(text) is expected


def test_reply_to_draft_short_text_is_not_an_edit():
    """GIVEN a reply to a draft with a short non-command text
    WHEN parsed with the draft code
    THEN it is echoed as not understood, not taken as a new letter."""
    parsed = parse_commands("Parfait pour moi", draft_code="A7")
    assert parsed.edited_text is None
    assert parsed.unrecognized == ("Parfait pour moi",)


def test_edit_is_only_for_replies_to_a_draft():
    """GIVEN a long free text in a reply to the digest
    WHEN parsed without a draft code
    THEN it is never an edit: its lines are echoed."""
    parsed = parse_commands("Bonjour, merci de corriger la date du soin au 4 novembre svp")
    assert parsed.edited_text is None
    assert len(parsed.unrecognized) == 1


# --------------------------------------------------------------------------- commands


@pytest.mark.parametrize("text,commands", [
    ("OK A7 B2", (Command("approve", ("A7", "B2")),)),
    ("ok a7, b2 et c3.", (Command("approve", ("A7", "B2", "C3")),)),
    ("Ok : A07 ; B002", (Command("approve", ("A7", "B2")),)),
    ("OK TOUT", (Command("approve_all"),)),
    ("ok tous !", (Command("approve_all"),)),
    ("NON A7", (Command("reject", ("A7",)),)),
    ("non a7 b2", (Command("reject", ("A7", "B2")),)),
    ("REPORTER A7 3", (Command("postpone", ("A7",), 3),)),
    ("reporter a7 3 jours", (Command("postpone", ("A7",), 3),)),
    ("Reporter A7 de 10 jours.", (Command("postpone", ("A7",), 10),)),
    ("REPORTÉ A7 B2 5j", (Command("postpone", ("A7", "B2"), 5),)),
    ("REPORTER A7 90", (Command("postpone", ("A7",), 90),)),
    ("- OK A7\n* NON B2\n1. REPORTER C3 2",
     (Command("approve", ("A7",)), Command("reject", ("B2",)), Command("postpone", ("C3",), 2))),
    ("Bonjour,\n\nOK A7\n\nMerci !\nBonne journée", (Command("approve", ("A7",)),)),
])
def test_commands(text, commands):
    """GIVEN command lines in any case, with separators, bullets and courtesy lines
    WHEN parsed
    THEN the commands are found with normalised codes, and courtesy lines are not echoed."""
    parsed = parse_commands(text)
    assert parsed.commands == commands
    assert parsed.unrecognized == () and parsed.conflicts == ()


@pytest.mark.parametrize("line", [
    "OK A 7",  # space inside the code: not accepted (see module docstring)
    "OK A7 merci",  # a word that is not a code: the whole line is not understood
    "OK",  # which draft? ambiguous in a digest reply
    "OK pour A7",
    "NON",
    "REPORTER A7",  # no number of days
    "REPORTER A7 0",
    "REPORTER A7 91",
    "REPORTER A7 à 3 jours",
    "OK TOUT A7",
    "OK A1000",
    "VALIDER A7",
    "Je valide tout",
])
def test_unrecognized_lines(line):
    """GIVEN a line that is not exactly a command
    WHEN parsed
    THEN nothing is done for it and the line is echoed."""
    parsed = parse_commands(line)
    assert parsed.commands == ()
    assert parsed.unrecognized == (line,)


def test_quoted_command_lines_are_ignored():
    """GIVEN command lines still carrying the quote marker
    WHEN parsed
    THEN they are neither executed nor echoed."""
    assert parse_commands("> OK A7\n>> NON B2") == ParsedReply()


@pytest.mark.parametrize("text,commands,conflicts", [
    ("OK A7\nNON A7", (), ("A7",)),
    ("OK A7 NON A7", (), ()),  # one line, "NON" is not a code: not understood at all
    ("OK A7 B2\nOK A7", (Command("approve", ("B2",)),), ("A7",)),
    ("OK A7 A7", (), ("A7",)),
    ("OK A7\nREPORTER A7 3", (), ("A7",)),
    ("OK a7\nOK A07", (), ("A7",)),
    ("OK TOUT\nNON A7", (Command("approve_all"),), ("A7",)),
    ("OK TOUT\nOK TOUT", (), ("TOUT",)),
])
def test_conflicts(text, commands, conflicts):
    """GIVEN a code named twice (or next to OK TOUT)
    WHEN parsed
    THEN the conflict is reported and that code is in no command."""
    parsed = parse_commands(text)
    assert parsed.commands == commands
    assert parsed.conflicts == conflicts


def test_ok_tout_expansion_excludes_conflicts():
    """GIVEN "OK TOUT" and "NON A7" in a reply to a digest listing A7, B2, C3
    WHEN the approved codes are computed
    THEN B2 and C3 are approved, A7 (conflicting) is neither approved nor rejected."""
    parsed = parse_commands("OK TOUT\nNON A7")
    assert parsed.approved(["A7", "B2", "c3"]) == ("B2", "C3")
    assert parsed.codes_for("reject") == ()


def test_reply_to_a_single_draft_bare_commands_apply_to_it():
    """GIVEN a reply to draft A7's own e-mail
    WHEN it says "OK", "NON" or "REPORTER 5"
    THEN the command names A7."""
    assert parse_commands("OK", draft_code="a7").commands == (Command("approve", ("A7",)),)
    assert parse_commands("non", draft_code="A7").commands == (Command("reject", ("A7",)),)
    assert parse_commands("REPORTER 5", draft_code="A7").commands == (Command("postpone", ("A7",), 5),)
    assert parse_commands("OK\nNON", draft_code="A7").conflicts == ("A7",)


@pytest.mark.parametrize("line,expected", [
    ("ANNULER lot 042 facture 000012345 motif: erreur de cotation",
     AnnulationRequest("042", "000012345", "erreur de cotation")),
    ("annuler lot 042 facture 000 012 345 motif\u00a0: erreur de côtation",
     AnnulationRequest("042", "000012345", "erreur de côtation")),
    ("Annuler le lot n° 042, facture n° 000012345, motif : doublon avec la facture 000012346.",
     AnnulationRequest("042", "000012345", "doublon avec la facture 000012346")),
    ("ANNULER facture 000012345 lot 042 motif : patient non assuré ce jour-là",
     AnnulationRequest("042", "000012345", "patient non assuré ce jour-là")),
])
def test_annulation(line, expected):
    """GIVEN an urgent cancellation request
    WHEN parsed
    THEN lot (3 digits), invoice (9 digits, spaces removed) and reason are extracted."""
    parsed = parse_commands(f"OK B2\n{line}")
    assert parsed.annulations == (expected,)
    assert parsed.commands == (Command("approve", ("B2",)),)


@pytest.mark.parametrize("line", [
    "ANNULER lot 042 facture 000012345",  # no reason
    "ANNULER lot 042 facture 000012345 motif :",
    "ANNULER lot 42 facture 000012345 motif : erreur",  # lot is 3 digits
    "ANNULER lot 042 facture 00012345 motif : erreur",  # invoice is 9 digits
    "ANNULER lot 042 facture 0000123456 motif : erreur",
    "ANNULER motif : erreur lot 042 facture 000012345",  # reason must come last
    "ANNULER A7",
])
def test_bad_annulation_is_echoed(line):
    """GIVEN an incomplete or malformed cancellation request
    WHEN parsed
    THEN no request is made and the line is echoed for correction."""
    parsed = parse_commands(line)
    assert parsed.annulations == ()
    assert parsed.unrecognized == (line,)


@pytest.mark.parametrize("token,code", [("a7", "A7"), ("A007", "A7"), ("z999", "Z999"), ("É7", "E7"),
                                        ("A", None), ("7", None), ("AB7", None), ("A1000", None)])
def test_normalise_code(token, code):
    """GIVEN a code as typed WHEN normalised THEN it is one upper-case letter and its number."""
    assert normalise_code(token) == code


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_parse_commands_never_raises(text):
    """GIVEN arbitrary text WHEN parsed (as a digest reply and as a draft reply) THEN no exception."""
    for draft in (None, "A7"):
        parsed = parse_commands(text, draft_code=draft)
        assert isinstance(parsed, ParsedReply)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["OK", "NON", "REPORTER", "TOUT", "A7", "b2", "3", "ANNULER", "lot",
                                 "042", "facture", "motif", ":", ">", "\n", "Le", "a écrit", "De :",
                                 "Envoyé :", "-- ", "é", "\u00a0", "\r\n"]), max_size=40).map(" ".join))
def test_strip_and_parse_never_raise_on_command_like_noise(text):
    """GIVEN text made of command and header fragments WHEN stripped and parsed THEN no exception,
    and no code is ever both approved and in conflict."""
    parsed = read_reply(text)
    assert not set(parsed.codes_for("approve")) & set(parsed.conflicts)


def test_edit_decided_on_the_text_with_its_closing():
    """GIVEN a rewritten letter whose second line starts with "Salutations" (a signature word for
    mail-parser-reply)
    WHEN read as a reply to draft A7
    THEN it is still an edit, kept whole."""
    letter = "Madame, Monsieur,\nSalutations. Je reprends ma demande de révision de la facture 000012345."
    assert read_reply(f"{letter}\n\nLe 03/11/2025 à 07:00, cpambot a écrit :\n> x\n",
                      draft_code="A7").edited_text == letter
