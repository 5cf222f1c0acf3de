"""Answers an agent writes inside the professional's quoted message, under each of her questions::

    > 1) facture 000118204 - Mme V. - soins du 10/09/2026 - facturé 52,80 €

    ==> Réglée le 29/09/2026 : 31,68 € (part obligatoire, 60 %).

Each answer is told after the invoice the question above it names ("Facture 000118204 : Réglée le
29/09/2026 : 31,68 € …"), so that the answer reads as if the agent had written it whole; the question's
own figures (what she billed) are never taken for the answer's."""

from __future__ import annotations

import re

from cpambot.understanding.classify.text.amounts import find_amounts
from cpambot.understanding.classify.text.references import invoice_numbers, lot_numbers

_QUOTED = re.compile(r"^[ \t]*>")
_ARROW = re.compile(r"^\s*(?:=+>|-+>|→|»)\s*")
_SAME_AMOUNT = re.compile(r"(?i)\bm[êe]me montant\b")


def _blocks(quoted: str) -> list[tuple[bool, str]]:
    """(is it her quoted text, its last paragraph) for each run of lines from her first quoted line on (the
    question an answer follows is the paragraph right above it)."""
    blocks: list[tuple[bool, list[str]]] = []
    for line in quoted.splitlines():
        mine = bool(_QUOTED.match(line))
        if not blocks and not mine:
            continue  # the header block above her quoted text
        text = _QUOTED.sub("", line).lstrip("> ").strip() if mine else _ARROW.sub("", line).strip()
        if not line.strip():
            continue
        if blocks and blocks[-1][0] == mine:
            blocks[-1][1].append(text)
        else:
            blocks.append((mine, [text]))
    out = []
    for mine, lines in blocks:
        paragraphs = _paragraphs(lines)
        out.append((mine, paragraphs[-1] if mine else " ".join(paragraphs)))
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined into paragraphs, an empty line (a quoted ">" alone) between them."""
    out: list[list[str]] = [[]]
    for line in lines:
        if line:
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [" ".join(p) for p in out if p] or [""]


def inline_answers(quoted: str) -> str:
    """The agent's answers written between the lines of her quoted message, each after the invoice the
    question above it names, or '' when the agent answered above the quote only (fewer than two answers
    between quoted lines)."""
    blocks = _blocks(quoted)
    answers = [i for i, (mine, _) in enumerate(blocks) if not mine and i > 0]
    if len(answers) < 2:
        return ""
    lots = set(lot_numbers(" ".join(_QUOTED.sub("", line).lstrip("> ") for line in quoted.splitlines()
                                    if _QUOTED.match(line))))  # ("… du lot" / "> 118, télétransmis …")
    lot = f" (lot {lots.pop()})" if len(lots) == 1 else ""
    out: list[str] = []
    amount: str | None = None
    for index in answers:
        answer = _ARROW.sub("", blocks[index][1])
        asked = invoice_numbers(blocks[index - 1][1])
        own = lot_numbers(blocks[index - 1][1])  # "- facture 000 231 877, lot 061, soins du …": its own lot
        if _SAME_AMOUNT.search(answer) and amount:
            answer += f" ({amount} €)"  # "Idem, réglée aussi le 24/10, même montant": the one above
        if found := find_amounts(answer):
            amount = f"{found[0]:.2f}".replace(".", ",")
        said = f" (lot {own[0]})" if len(own) == 1 else lot
        out.append(f"Facture {asked[0]}{said} : {answer}" if len(asked) == 1 else answer)
    return "\n\n".join(out)
