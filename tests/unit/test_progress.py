"""The terminal's progress bar of a long first sync."""

from __future__ import annotations

import io

from cpambot.cli.progress import TerminalProgress, bar_line


def test_the_line_says_where_the_sync_is_and_what_is_left():
    """GIVEN 4,000 of 20,000 messages read in 30 s WHEN the line is drawn THEN it shows the bar a fifth
    full, the counts with French thousands, the share and about two minutes left; at the end, no wait."""
    line = bar_line("cabinet", "INBOX", 4000, 20000, 30.0)
    assert line.startswith("cabinet, INBOX [█████") and "·" * 19 in line
    assert "4\u202f000 / 20\u202f000 (20 %), reste ~2 min" in line
    assert bar_line("cabinet", "INBOX", 20000, 20000, 150.0).endswith("(100 %)")
    assert bar_line("cabinet", "INBOX", 500, 20000, 0.5).endswith("(2 %)")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_drawn_in_place_only_in_a_terminal_and_for_a_long_sync():
    """GIVEN a terminal WHEN a folder of 1,000 new messages is read THEN the bar is redrawn in place and
    ends with a new line; a folder of 100 draws nothing; a pipe gets no bar at all."""
    out = Terminal()
    bar = TerminalProgress.if_terminal(out)
    assert bar is not None
    for done in (0, 500, 1000):
        bar("cabinet", "INBOX", done, 1000)
    bar("cabinet", "Caisse", 0, 100)
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("(100 %)\n") and "Caisse" not in text
    assert TerminalProgress.if_terminal(io.StringIO()) is None
