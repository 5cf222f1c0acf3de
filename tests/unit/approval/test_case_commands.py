"""The commands on a case, parsed without I/O."""

from __future__ import annotations

import pytest

from cpambot.approval.case_commands import day_parts
from cpambot.approval.commands import Command, parse_commands


@pytest.mark.parametrize("line,command", [
    ("FAIT C3 pièces envoyées par SCOR", Command("done", ("C3",), text="pièces envoyées par SCOR")),
    ("fait c03", Command("done", ("C3",))),
    ("Faites C12 : lot renvoyé", Command("done", ("C12",), text="lot renvoyé")),
    ("PAYÉ C3", Command("paid", ("C3",))),
    ("payée C3.", Command("paid", ("C3",))),
    ("CLASSER C3 doublon, déjà réglé", Command("close", ("C3",), text="doublon, déjà réglé")),
    ("Note C3 : appelé la caisse le 3/12", Command("note", ("C3",), text="appelé la caisse le 3/12")),
    ("REÇU C3 12/11", Command("received_on", ("C3",), text="12/11")),
    ("reçu c3 12/11/2026", Command("received_on", ("C3",), text="12/11/2026")),
    ("DÉTAIL C3", Command("detail", ("C3",))),
])
def test_case_commands(line, command):
    """GIVEN a command on a case as she would type it WHEN parsed THEN the command, her words kept."""
    parsed = parse_commands(line)
    assert parsed.commands == (command,) and parsed.unrecognized == ()


@pytest.mark.parametrize("line", [
    "CLASSER C3",  # (why?)
    "NOTE C3",
    "PAYÉ C3 en partie",  # not a plain payment
    "FAIT",
    "FAIT les pièces",
    "REÇU C3 demain",
    "DÉTAIL C3 C4",
])
def test_case_commands_not_understood(line):
    """GIVEN a case command missing its case or its words, or saying more than it can WHEN parsed THEN
    nothing is done and the line is echoed."""
    parsed = parse_commands(line)
    assert parsed.commands == () and parsed.unrecognized == (line,)


def test_reçu_on_a_draft_stays_the_delivery_confirmation():
    """GIVEN "REÇU A7" (no day) WHEN parsed THEN the e-mail of A7 arrived, as before."""
    assert parse_commands("REÇU A7").commands == (Command("delivered", ("A7",)),)


def test_days():
    """GIVEN a day as written WHEN read THEN day, month and year if any."""
    assert day_parts("12/11") == (12, 11, None) and day_parts("12.11.26") == (12, 11, 2026)
    assert day_parts("12/11/2026") == (12, 11, 2026) and day_parts("demain") is None
