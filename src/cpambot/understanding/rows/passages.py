"""Passages of a message's prose, each about one invoice where the text allows: paragraphs, cut into
sentences, clauses or lines when one names several invoices (the row reader's sentences)."""

from __future__ import annotations

import re

from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.cells import LOT_LINE, NOT_AFTER_TITLE, invoices_in

# (not after "M." or "Mme." before a name; a list item "a." / "1)" starts a sentence of its own)
SENTENCE_END = re.compile(NOT_AFTER_TITLE + r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])|\n\s*\n"
                          # ("… retélétransmettez-la. 000392126 : l'assuré …": the next invoice's instruction)
                          r"|(?<=[.!?])\s+(?=\d{3}\s?\d{3}\s?\d{3}\s*:)"
                          r"|\n\s*[-–—•*·]\s+|\n(?=\s*(?:\d+|[a-h])[.)]\s)")


_MISTAKEN = re.compile(r"(?i)\bn['’]est pas (?:la|le|celle|celui)(?: facture)?\s*(?:n[°o]\s*)?"
                       r"(\d{3}[ .\u00a0]?\d{3}[ .\u00a0]?\d{3})\s*,?\s*mais\b")


def mistaken(text: str) -> set[str]:
    """The invoices ``text`` names only to say they are not the one meant ("n'est pas la 000215044 mais la
    000215047")."""
    return {re.sub(r"\D", "", found.group(1)) for found in _MISTAKEN.finditer(text)}


def chunks(text: str) -> list[str]:
    """Paragraphs; one naming several invoices is cut into sentences (one invoice, one sentence)."""
    out: list[str] = []
    # ("Par ailleurs, pour la facture …" on the line under a table, a general reminder, the closing formula,
    # in a PDF's text without blank lines: passages of their own)
    for paragraph in re.split(r"\n\s*\n|\n\s*[-–—•*·]\s+|\n(?=\s*\d+[.)]\s)"
                              r"|\n(?=\s*(?:[Pp]ar ailleurs|[Dd]['’]autre part|[Ee]n outre),)"
                              r"|\n(?=\s*(?:Nous vous (?:rappelons|prions)|Je vous prie"
                              r"|Veuillez agr[ée]er)\b)", text):
        numbers = invoices_in(paragraph)
        lines = paragraph.splitlines()
        rows = [line for line in lines if invoices_in(line)]
        if len(numbers) > 1 and len(rows) == len(numbers) and all(len(invoices_in(r)) == 1 for r in rows) \
                and len(rows) >= len([line for line in lines if line.strip()]) - 1:
            out += lines  # a table's text in a letter: one invoice a line (under its header)
        elif len(numbers) > 1:
            for piece in (p for sentence in SENTENCE_END.split(paragraph) for p in _bracketed(sentence)
                          for p in _by_invoice_lines(p)):
                if out and not invoices_in(piece) \
                        and len(set(invoices_in(out[-1])) - mistaken(out[-1])) == 1 \
                        and not _ABOUT_OTHERS.search(piece) and not LOT_LINE.match(piece) \
                        and (action_of(piece) is not None or re.match(r"(?i)\s*(?:le )?motif\b", piece)):
                    # "… Nous vous invitons à établir une nouvelle facture", "Le motif reste le même : …"
                    out[-1] += " " + piece
                else:
                    out.append(piece)
        elif out and not numbers and _ABOUT_IT.match(paragraph) and len(invoices_in(out[-1])) == 1:
            out[-1] += "\n\n" + paragraph  # "Elle a été mise en paiement le 03/11/2026 …": the one above
        else:
            out.append(paragraph)
    return out


def _by_invoice_lines(piece: str) -> list[str]:
    """A passage naming several invoices, one line each with lines of its own under it, cut where each of
    those lines starts (the lines under one, "-> ne pas retransmettre, aucune action de votre part", go
    with it), as a letter's text layer gives a list without bullets or sentence ends; else the passage
    whole."""
    lines = piece.split("\n")
    named = [i for i, line in enumerate(lines) if invoices_in(line)]
    if len(named) < 2 or any(len(invoices_in(lines[i])) > 1 for i in named) \
            or any(b - a < 2 for a, b in zip(named, named[1:], strict=False)) \
            or any(len(re.sub(r"[\d\s.]", "", lines[i])) < 5 for i in named):
        # (a number alone on its line: a table written one cell per line, whose rows start before it)
        return [piece]  # (invoice lines one under the other: a table, whose instruction is said below it)
    # (a lot's heading after an invoice, "Lot 072 du 14/10/26", starts a passage of its own; the lines
    # above the first invoice, "Lot 071 du 12/10/26", go with it)
    headings = [i for i, line in enumerate(lines) if i > named[0] and LOT_LINE.match(line)]
    cuts = sorted({0, *named[1:], *headings, len(lines)})
    return ["\n".join(lines[a:b]) for a, b in zip(cuts, cuts[1:], strict=False) if a < b]


# a sentence about every invoice or the others, not the one named just before it
_ABOUT_OTHERS = re.compile(r"(?i)\b(?:les autres|toutes|l'ensemble|chacune|ces (?:\d+ |deux |trois )?factures"
                           r"|pour toute|nous vous prions|je vous prie)\b")
# a paragraph that goes on about the one invoice named just above ("Après vérification, cette facture …")
_ABOUT_IT = re.compile(r"(?i)\s*(?:[^.\n]{0,40}?,\s*)?(?:elle|celle-ci|cette facture|ladite facture"
                       # "Cet assuré relève du régime général … : merci de refacturer ces soins …"
                       r"|cet assur[ée]|cette assur[ée]e|ce patient|cette patiente|l['’]assur[ée]e?)\b")


# "les factures n° 015 118 402 (soins du 1er au 7 octobre, 176,40 €) et n° 015 118 455 (…)": each
# invoice with the brackets right after it
_EACH_BRACKETED = re.compile(r"(?:n[°o]\s*)?\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}\s*\([^()]{4,120}\)")


_EACH_INTRODUCED = re.compile(r"(?i)(?:,\s*)?(?:et\s+(?:enfin\s+)?|puis\s+|enfin\s+)?"
                              r"\b(?:la|une|votre)\s+facture(?:\s+n[°o])?\s+"
                              r"(?=\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}\b)")


def _bracketed(sentence: str) -> list[str]:
    """A sentence naming several invoices in clauses of their own (cut by ";") or each followed by its
    own brackets: one piece per invoice; any other sentence whole."""
    numbers = invoices_in(sentence)
    if len(numbers) < 2:
        return [sentence]
    # "la facture … a été rejetée car … ; la facture … est rejetée …"
    clauses = re.split(r"\s;\s|;\s", sentence)
    if len(clauses) == len(numbers) and all(len(invoices_in(c)) == 1 for c in clauses):
        return clauses
    found = list(_EACH_BRACKETED.finditer(sentence))
    pieces = [m.group(0) for m in found]
    if len(pieces) == len(numbers) and all(len(invoices_in(p)) == 1 for p in pieces):
        # (what the sentence says around them is said of each: "Lot 118 : les factures 004120311 (38,40 €)
        # et 004120312 (52,10 €) ont été mises en paiement le 09/10/2026")
        lead, tail = sentence[:found[0].start()], sentence[found[-1].end():]
        return [f"{lead}{piece}{tail}" for piece in pieces]
    # "… à savoir la facture 002207415 de Mme Aubert (…) pour laquelle …, la facture 002207418 de M. Nguyen
    # (…) qui est rejetée …, et enfin la facture 002207422 …": cut before each "la facture"
    starts = [m.start() for m in _EACH_INTRODUCED.finditer(sentence)]
    parts = [sentence[a:b] for a, b in zip([0, *starts[1:]], [*starts[1:], len(sentence)], strict=True)]
    if len(starts) == len(numbers) and all(len(invoices_in(p)) == 1 for p in parts):
        return parts
    return [sentence]
