"""The approver's commands: what each line of a reply asks for, parsed without I/O."""

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

BOT = "cpambot <cpambot@cabinet-dupont.fr>"


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
    "OK A7 mais pas B2",  # a word that is neither a code nor a filler: the whole line is not understood
    "OK sauf A7",
    "A7 pas d'accord",
    "Oui pour tout sauf A7",
    "OK",  # which draft? ambiguous in a digest reply
    "oui",
    "A7 B2",  # codes without a word saying yes or no
    "NON",
    "REPORTER A7 le 15",  # (the 15th, or in 15 days? not guessed)
    "REPORTER A7",  # no number of days
    "REPORTER A7 0",
    "REPORTER A7 91",
    "REPORTER A7 à 3 jours",
    "OK TOUT A7",
    "OK A1000",
    "Je valide tout",
    "TOUT OK",
])
def test_unrecognized_lines(line):
    """GIVEN a line that is not exactly a command
    WHEN parsed
    THEN nothing is done for it and the line is echoed."""
    parsed = parse_commands(line)
    assert parsed.commands == ()
    assert parsed.unrecognized == (line,)


@pytest.mark.parametrize("line,command", [
    ("Ok pour A7 et B2", Command("approve", ("A7", "B2"))),
    ("OK A7, B2 merci", Command("approve", ("A7", "B2"))),
    ("oui A7", Command("approve", ("A7",))),
    ("Oui pour la B2", Command("approve", ("B2",))),
    ("A7 ok", Command("approve", ("A7",))),
    ("A7 et B2 : OK", Command("approve", ("A7", "B2"))),
    ("D'accord pour A7", Command("approve", ("A7",))),
    ("d’accord A7", Command("approve", ("A7",))),
    ("Validé A7", Command("approve", ("A7",))),
    ("VALIDER A7", Command("approve", ("A7",))),
    ("ok pour tout", Command("approve_all")),
    ("Oui pour tous, merci", Command("approve_all")),
    ("Non pour A7", Command("reject", ("A7",))),
    ("refusé B2", Command("reject", ("B2",))),
    ("b2 non", Command("reject", ("B2",))),
])
def test_her_own_words_for_yes_and_no(line, command):
    """GIVEN a line written as she would say it (a filler word, her word for yes or no, the word after
    the codes, accents and case as they come) WHEN parsed THEN the one command it says."""
    parsed = parse_commands(line)
    assert parsed.commands == (command,) and parsed.unrecognized == ()


def test_a_bare_yes_or_no_answers_the_draft_replied_to():
    """GIVEN a reply to a single draft's own e-mail WHEN it says "Oui merci" or "Non merci" THEN it
    approves or rejects that draft."""
    assert parse_commands("Oui merci", draft_code="A7").commands == (Command("approve", ("A7",)),)
    assert parse_commands("Non merci", draft_code="A7").commands == (Command("reject", ("A7",)),)


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


# --------------------------------------------------------------------------- sending commands


@pytest.mark.parametrize(("text", "commands"), [
    ("RENVOYER A7", (Command("resend", ("A7",)),)),
    ("renvoyer a07.", (Command("resend", ("A7",)),)),
    ("REÇU A7", (Command("delivered", ("A7",)),)),
    ("Reçu b2", (Command("delivered", ("B2",)),)),
    ("recu A7\nRENVOYER B2", (Command("delivered", ("A7",)), Command("resend", ("B2",)))),
])
def test_sending_commands(text, commands):
    """GIVEN RENVOYER / REÇU lines (the approver's word on an e-mail whose sending could not be
    confirmed) WHEN parsed THEN they are commands of their own, in any case, with or without accent."""
    parsed = parse_commands(text)
    assert parsed.commands == commands and parsed.unrecognized == () and parsed.decisions == ()


def test_sending_commands_are_not_decisions_on_drafts():
    """GIVEN "OK A7" and "RENVOYER A7" in one reply WHEN parsed THEN no conflict: the approval and the
    re-sending are two different questions (as when RENVOYER was read apart)."""
    parsed = parse_commands("OK A7\nRENVOYER A7")
    assert parsed.conflicts == ()
    assert parsed.decisions == (Command("approve", ("A7",)),)
    assert parsed.codes_for("resend") == ("A7",)


def test_reçu_followed_by_words_is_not_a_command():
    """GIVEN a line that starts with "Reçu" but names no code WHEN parsed THEN it is echoed as not
    understood."""
    parsed = parse_commands("Reçu, merci beaucoup")
    assert parsed.commands == () and parsed.unrecognized == ("Reçu, merci beaucoup",)


def test_type_command_names_one_case_and_a_word_of_the_vocabulary():
    """GIVEN "TYPE C3 retour", "type c12 pièces" and "TYPE C3 nimporte" WHEN parsed THEN two retype
    commands with their kinds, and the third line is not understood (nothing guessed)."""
    parsed = read_reply("TYPE C3 retour\ntype c12 pièces\nTYPE C3 nimporte\n")
    assert [(c.action, c.codes, c.kind) for c in parsed.commands] == [
        ("retype", ("C3",), "retour_lots"), ("retype", ("C12",), "demande_pieces")]
    assert parsed.unrecognized == ("TYPE C3 nimporte",)


def test_fait_on_a_draft_code_is_a_filing_and_on_a_case_stays_a_case_command():
    """GIVEN « FAIT A7 », « fait b12 » and « FAIT C3 déposé par SCOR » WHEN read THEN the first two say the
    letters A7 and B12 were filed on amelipro, the third is still the case command on C3."""
    parsed = read_reply("FAIT A7\nfait b12\nFAIT C3 déposé par SCOR\n")
    assert [(c.action, c.codes) for c in parsed.commands] == [("filed", ("A7",)), ("filed", ("B12",)),
                                                               ("done", ("C3",))]


@pytest.mark.parametrize(("line", "tracking", "day"), [
    ("POSTÉ A7 1A23456789012", "1A23456789012", None),
    ("posté a7 1A 234 567 890 12", "1A23456789012", None),  # typed in the groups printed on the receipt
    ("POSTÉ A7 le 12/11 1A23456789012", "1A23456789012", "12/11"),
    ("Postée A7 n° 1A23456789012 le 12/11/2026", "1A23456789012", "12/11/2026"),
    ("POSTÉ A7 12.11", None, "12.11"),
    ("POSTÉ A7", None, None),
])
def test_poste_with_a_tracking_number_and_a_posting_day(line, tracking, day):
    """GIVEN « POSTÉ A7 » with or without a tracking number (in one piece or in groups) and a day of
    posting (before or after it, with « le » or « n° ») WHEN read THEN one « posted » command with the
    number joined and the day as written."""
    parsed = read_reply(line)
    assert [(c.action, c.codes, c.text, c.day) for c in parsed.commands] == [("posted", ("A7",), tracking,
                                                                              day)]


@pytest.mark.parametrize("line", ["POSTÉ A7 hier", "POSTÉ A7 12/11 13/11", "POSTÉ A7 1A2"])
def test_poste_with_words_it_cannot_place_is_not_understood(line):
    """GIVEN « POSTÉ A7 » followed by a word that is neither a day nor a tracking number, two days, or a
    number too short WHEN read THEN the line is not understood (nothing is recorded)."""
    parsed = read_reply(line)
    assert parsed.commands == () and parsed.unrecognized == (line,)
