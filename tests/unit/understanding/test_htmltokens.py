"""The HTML tokeniser shared by the text flattening and the table reader gives the events of
``html.parser`` (the reference it replaced for speed)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpambot.understanding.htmltokens import END, START, TEXT, html_events
from cpambot.understanding.message import parse_message

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


class _Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append((START, tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.events.append((END, tag))

    def handle_data(self, data: str) -> None:
        self.events.append((TEXT, data))


def _joined(events: list[tuple] | tuple[tuple, ...]) -> list[tuple]:
    """Adjacent texts as one (html.parser may cut a text where the readers do not care)."""
    out: list[tuple] = []
    for event in events:
        if event[0] == TEXT and out and out[-1][0] == TEXT:
            out[-1] = (TEXT, out[-1][1] + event[1])
        elif event[0] != TEXT or event[1]:
            out.append(event)
    return out


def _reference(html: str) -> list[tuple]:
    parser = _Recorder()
    parser.feed(html)
    parser.close()
    return _joined(parser.events)


def _fixture_bodies() -> list[tuple[str, str]]:
    bodies = []
    paths = sorted((FIXTURES / "corpus").glob("*.eml")) + sorted((FIXTURES / "voices").glob("*/*.eml"))
    for path in paths:
        html = parse_message(path.read_bytes()).html
        if html:
            bodies.append((path.name, html))
    return bodies


def test_every_fixture_body_gives_the_reference_events() -> None:
    """GIVEN the HTML body of every fixture (Outlook, Gmail, webmails, caisses' templates)
    WHEN it is tokenised
    THEN the events are those of html.parser, tag by tag and text by text."""
    bodies = _fixture_bodies()
    assert len(bodies) > 100
    for name, html in bodies:
        assert _joined(html_events(html)) == _reference(html), name


@pytest.mark.parametrize("html", [
    '<p class="x" style=\'a:b\'>un &amp; deux&nbsp;€</p>',
    "<br/><br /><img src=x.png/>fin",
    '<td colspan=2 rowspan="3" nowrap>12,00</td>',
    "<!--[if mso]><table><tr><td>caché</td></tr></table><![endif]-->visible",
    "<![if !supportLists]>1.<![endif]> facture",
    "<style>p > td { color: red }</style><script>if (a < b) { x = '</p>'; }</script>texte",
    "a < b et c > d, <  espace",
    "<!DOCTYPE html><?xml version='1.0'?><HTML><BODY><P ALIGN=Center>Maj</P></BODY></HTML>",
    '<a href="http://x/?a=1&amp;b=2" title="1 > 0">lien</a>',
    "</ div>texte<//>",
    "<p>non fermé",
])
def test_awkward_html_gives_the_reference_events(html: str) -> None:
    """GIVEN HTML with the constructs mail clients write (entities, self-closing tags, unquoted
    attributes, conditional comments, raw script and style, stray angle brackets, upper case)
    WHEN it is tokenised
    THEN the events are those of html.parser."""
    assert _joined(html_events(html)) == _reference(html)


_PIECES = ["<p>", "</p>", "<td colspan=2>", "</td>", "<br/>", "<br>", "&amp;", "&nbsp;", "texte", " ", "\n",
           "<!-- c -->", "<div class='row'>", "</div>", "<", ">", "a<b", "<table>", "</table>", "<tr>",
           "</tr>", "&#233;", "&eacute", '<span style="x:y">', "</span>", "<script>", "</script>", "<style>",
           "</style>", "<!DOCTYPE html>", "<o:p>", "</o:p>", "<![if x]>", "<![endif]>", "<img src=a/>",
           "</ p>", "="]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_tag_soup_gives_the_reference_events(parts: list[str]) -> None:
    """GIVEN any sequence of the pieces mail HTML is made of, balanced or not
    WHEN it is tokenised
    THEN the events are those of html.parser."""
    html = "".join(parts)
    assert _joined(html_events(html)) == _reference(html)
