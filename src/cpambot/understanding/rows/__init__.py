"""The row reader: every invoice row of a message, from any layout, with typed cells.

Sources are read from the most structured to the least: HTML tables and ``<div>`` grids,
text tables of the plain body, CSV/XLSX attachments, PDF text, then label/value cards, then
sentences. Rows of the same invoice are merged (the first mention wins, later ones only fill
gaps). A lot named only once in the message (a heading, a sentence) is given to the rows
that lack one. A stated total is checked against the sum of the rows; a mismatch is a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

from cpambot.understanding.classify.text.amounts import iter_amounts
from cpambot.understanding.classify.text.keywords import per_message
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.mime import decode_bytes
from cpambot.understanding.rows.actions import (
    action_of,
    heading_action,
    heading_paid_day,
    heading_status,
    status_of,
)
from cpambot.understanding.rows.asides import aside, beside_the_list, paid_beside
from cpambot.understanding.rows.cards import card_rows
from cpambot.understanding.rows.cells import (
    LOT_MENTION,
    NOT_AFTER_TITLE,
    amount_of,
    invoices_in,
    role_of,
)
from cpambot.understanding.rows.grids import Table, csv_grid, text_grids
from cpambot.understanding.rows.groups import grouped_rows
from cpambot.understanding.rows.html import html_grids
from cpambot.understanding.rows.legends import (
    with_code_legend,
    with_instruction_below,
    with_legend,
    with_notes,
    with_row_instructions,
    with_shared_motif,
)
from cpambot.understanding.rows.model import Action, Row, RowSet, Status
from cpambot.understanding.rows.order import (
    body_before_files,
    in_document_order,
    lots_from_headings,
    message_lots,
)
from cpambot.understanding.rows.parts import with_parts_apart
from cpambot.understanding.rows.prose import lots_paid_whole, paid_elsewhere, prose_rows
from cpambot.understanding.rows.records import grid_rows, merge, only_totals, total_mismatch
from cpambot.understanding.rows.targets import name_keys, patient_keys, with_targeted_instructions
from cpambot.understanding.rows.typed import typed_tables

__all__ = ["Action", "Row", "RowSet", "Status", "only_totals", "read_rows", "returns_evidence", "sentences"]

# HTML worth parsing for grids: a table, or divs laid out as rows (the grid parser's own markers)
_STRUCTURED = re.compile(r"(?i)<table|display\s*:\s*(?:table-row|flex|grid)"
                         r"|class\s*=\s*[\"'][^\"']*\b(?:row|ligne|tr|line|item)\b")
# what every row names: an invoice number (9 digits, maybe spaced by threes) or a lot
_ROWS_POSSIBLE = re.compile(r"(?<!\d)\d{3}[ \u00a0.]?\d{3}[ \u00a0.]?\d{3}(?!\d)|\b[Ll][Oo][Tt][Ss]?\b")


_LEADING_EMPTY = re.compile(r"(?m)^(?: \| )+")
_DELIMITED = re.compile(r"(?m)^[^\n;\t]*[;\t][^\n]*[;\t]")  # (a line with two separators: a CSV's)


def _grids(msg: ParsedMessage) -> Iterator[Table]:
    html = html_grids(msg.html) if msg.html and _STRUCTURED.search(msg.html) else []
    yield from html
    # the plain body is the HTML's alternative (or its flattening): its tables are the same ones,
    # cut less surely; read them only when the HTML has none with invoices
    if not any(invoices_in(" ".join(cell for row in table.rows for cell in row)) for table in html):
        yield from _text_tables(msg.text or "")
    for item in msg.attachments:
        name = (item.filename or "").lower()
        if name.endswith((".csv", ".txt")) or item.content_type in ("text/csv", "application/csv",
                                                                     "application/vnd.ms-excel"):
            text = decode_bytes(item.payload, None) if item.payload else (item.text or "")
            if name.endswith(".txt") and not _DELIMITED.search(text):
                yield from _text_tables(item.text or text)  # a report printed in columns, not a CSV
            else:
                yield Table(csv_grid(text), name)
        elif name.endswith(".xlsx") and item.text:
            # a workbook's row whose first cells are empty (" |  | 261004230 | …"): cells, not a border
            yield from _text_tables(_LEADING_EMPTY.sub(lambda m: "- | " * (len(m.group()) // 3), item.text))
        elif item.text:
            yield from _text_tables(item.text)


# a row written with slashes between its cells ("005512840 / 07/10/26 / 24,40€ / prescription absente"):
# the slashes are cut like "|" (a date's slashes have no space around them)
_SLASHES = re.compile(r"[ \t]+/[ \t]+")


def _slashed(line: str) -> str:
    if len(_SLASHES.findall(line)) < 2 or not invoices_in(line):
        return line
    cells = _SLASHES.split(re.sub(r"^\s*[-•*·]\s+", "", line))  # (a bullet is not a cell)
    return "| " + " | ".join(cell.strip() for cell in cells) + " |"


def _text_tables(text: str) -> list[Table]:
    """The tables of a text: those cut by one space only (a PDF's text layer) first, then the others
    in the lines left."""
    lines = [_slashed(line) for line in text.splitlines()] if " / " in text else text.splitlines()
    text = "\n".join(lines)
    typed, used = typed_tables(lines)
    rest = "\n".join("" if i in used else line for i, line in enumerate(lines)) if used else text
    return typed + text_grids(rest)


def _label_words_as_motifs(rows: list[Row]) -> bool:
    """Whether every table row's motif is a column name ("Facture", "Patient"): label/value cards read
    as a table."""
    return all(r.source == "table" and r.motif and role_of(r.motif) is not None for r in rows)


def _told(rows: list[Row]) -> int:
    return sum(1 for r in rows for v in (r.lot, r.motif, r.reject_code, r.amount, r.action) if v)


def _texts(msg: ParsedMessage) -> Iterator[str]:
    yield msg.text or ""
    for item in msg.attachments:
        if item.text and not (item.filename or "").lower().endswith((".csv", ".xlsx")):
            yield item.text


@per_message
def read_rows(msg: ParsedMessage) -> RowSet:
    """Every invoice row ``msg`` lists, and the problems found while reading them (remembered for
    the last message: the kind's evidence and the classifier ask in a row)."""
    if not _ROWS_POSSIBLE.search("\n".join((msg.subject, msg.html, msg.text,
                                            *(a.text or "" for a in msg.attachments)))) \
            and not any(a.payload and not a.text for a in msg.attachments):
        return RowSet()  # neither an invoice number nor a lot: no row to look for
    default_year = msg.date.year if msg.date is not None else None
    sent_on = msg.date.date() if msg.date is not None else None
    rows: list[Row] = []
    problems: list[str] = []
    totals: list[tuple[Decimal, list[Row]]] = []
    for table in _grids(msg):
        found, total, trouble = grid_rows(table.rows, source="table", default_year=default_year)
        # (a line saying a whole lot was refused is not the heading of the table under it)
        caption = "\n".join(x for x in table.caption.splitlines()
                            if not re.search(r"(?i)totalit|int[ée]gralit|lot (?:entier|rejet|refus)", x))
        elsewhere = paid_elsewhere(caption)  # "(paiement effectué sur votre lot 109)" in a card above
        heading = [lot for lot in dict.fromkeys(LOT_MENTION.findall(caption)) if lot not in elsewhere]
        for last in (1, 2):  # "Lot 088 … Lot 090 / du 10/11/2026" above it: the nearest heading
            if len(heading) > 1:  # ("et dans le lot n°204 j'ai 2 fact en rejet :" just above it)
                near = "\n".join([x for x in caption.splitlines() if x.strip()][-last:])
                heading = [lot for lot in dict.fromkeys(LOT_MENTION.findall(near)) if lot not in elsewhere] \
                    or heading
        if len(heading) == 1:  # "Lot 214 — envoyé le 02/10" just above the table
            found = [r if r.lot else _with_lot(r, heading[0]) for r in found]
        if (status := heading_status(table.caption)) is not None:  # "FACTURES REFUSEES" above it
            found = [r if r.status else replace(r, status=status) for r in found]
        if (day := heading_paid_day(table.caption, default_year)) is not None:  # "… mis en paiement le …"
            found = [replace(r, paid_on=day) if r.status is Status.PAID and r.paid_on is None else r
                     for r in found]
        if (action := heading_action(table.caption)) is not None:  # "A REFACTURER APRES CORRECTION"
            found = [r if r.action or r.status is Status.PAID else replace(r, action=action) for r in found]
        rows += found
        problems += trouble
        if total is not None and found:
            totals.append((total, found))
    if not rows:  # rejects grouped per motif under a heading with the code ("* 0250 050 – ASSURE …")
        rows = [r for text in _texts(msg) for r in grouped_rows(text, default_year=default_year)]
    tabled = bool(rows) and all(r.source == "card" for r in rows)
    if not rows or _label_words_as_motifs(rows) or tabled:
        # (a grid of label/value cards read as a table gives motifs such as "Facture": the cards say more;
        # cards read table by table lose the lot headings between tables, which the text's cards keep)
        cards = [r for text in _texts(msg) for r in card_rows(text.splitlines(), default_year=default_year)]
        if cards and (not rows or {r.invoice for r in cards} >= {r.invoice for r in rows}) \
                and (not rows or not tabled or _told(cards) > _told(rows)):
            rows = cards
    if not rows:
        for text in _texts(msg):
            rows += beside_the_list(prose_rows(text, default_year=default_year, sent_on=sent_on), text)
    else:
        notes = _notes(rows, msg, default_year)
        rows = _paid_after_all(rows, notes)
        rows += _details(rows, notes) + aside(rows, notes) + paid_beside(rows, notes)
    if not totals and rows:
        problems += _total_below(rows, msg.text or "")
    merged, conflicts = merge(rows)
    problems += conflicts
    text = "\n".join(_texts(msg))
    merged = with_shared_motif(with_code_legend(with_notes(with_legend(merged, text), text), text), text)
    merged = with_instruction_below(with_row_instructions(merged, text), text)
    merged = _with_instruction(with_targeted_instructions(merged, text), text)
    merged = in_document_order(with_parts_apart(merged, text), msg.text or "")
    merged = body_before_files(merged, msg.text or "")
    merged = lots_from_headings(merged, msg.text or "")
    lots = message_lots(msg.subject + "\n" + text)
    if len(lots) == 1:
        merged = [r if r.lot else _with_lot(r, lots[0]) for r in merged]
    if whole := lots_paid_whole(text):  # "le lot 073 a bien été payé en totalité": its rows without words
        merged = [replace(r, status=Status.PAID, action=None) if r.lot in whole and r.status is None
                  and not r.reject_code and not r.motif else r for r in merged]
    return RowSet(rows=tuple(merged), problems=tuple(dict.fromkeys(problems)),
                  stated_total=totals[0][0] if totals else None)


_TOTAL_LINE = re.compile(r"(?im)^.*?\b(?:montant total"
                         r"|total(?: g[ée]n[ée]ral| des factures| rejet[ée]| r[ée]gl[ée])?)"
                         r"\s*(?:\([^)]*\))?\s*:\s*(.{1,30}?)\s*$")


def _total_below(rows: list[Row], text: str) -> list[str]:
    """A total stated on its own line under a text table ("Montant total : 341.30 EUR") is checked
    like a total row: it must be the sum of the billed, rejected or paid amounts of the table's rows."""
    table = [r for r in rows if r.source == "table" and r.invoice]
    stated = [amount for line in _TOTAL_LINE.findall(text) if (amount := amount_of(line)) is not None]
    if len(stated) != 1 or not table or any(r.amount is None for r in table):
        return []
    sums = {sum((r.amount for r in table if r.amount is not None), Decimal("0")),
            sum((r.amount for r in table if r.amount is not None and r.status is not Status.PAID),
                Decimal("0")),
            sum((r.paid_amount or Decimal("0") for r in table), Decimal("0"))}
    if stated[0] in sums:
        return []
    return [total_mismatch(stated[0], sum((r.amount for r in table if r.amount is not None), Decimal("0")))]


_DETAIL_FIELDS = ("reject_code", "reject_subcode", "motif", "consigne", "action")


def _notes(rows: list[Row], msg: ParsedMessage, default_year: int | None) -> list[Row]:
    """The passages of a message that name one invoice each, read once for the details a table's rows
    lack and for the invoices named beside the table."""
    sent_on = msg.date.date() if msg.date is not None else None
    return [note for text in _texts(msg)
            for note in prose_rows(text, default_year=default_year, single_only=True, sent_on=sent_on)]


def _paid_after_all(rows: list[Row], notes: list[Row]) -> list[Row]:
    """A table's rejected rows that a note under it says paid after all ("Concernant la 005305112, ne tenez
    pas compte du rejet affiché ci-dessus : … elle a finalement été réglée le 16/10/2026 pour 63,00 €"):
    the agent's words come after the extraction she pasted, and are paid rows."""
    paid = {n.invoice: n for n in notes if n.invoice and n.status is Status.PAID and not n.reject_code}
    return [replace(r, status=Status.PAID, reject_code=None, reject_subcode=None, motif=None, consigne=None,
                    action=None, paid_amount=paid[r.invoice].amount or r.paid_amount)
            if r.invoice in paid and r.status is Status.REJECTED
            and (paid[r.invoice].amount is None or r.amount is None or paid[r.invoice].amount == r.amount)
            else r for r in rows]


def _details(rows: list[Row], notes: list[Row]) -> list[Row]:
    """What notes under a table say of its rejected rows ("- 002760121 : 0250 050 ASSURE ABSENT…
    refacturez à la bonne caisse"): the reject's code, words and instruction of a row the table
    left without them. Only notes naming one invoice count; a paid row takes nothing."""
    rejected = {r.invoice for r in rows if r.invoice and r.status is not Status.PAID
                and None in (r.reject_code, r.motif, r.action)}
    found = [note for note in notes
             if note.invoice in rejected and (note.reject_code or note.motif or note.action)]
    return [Row(invoice=n.invoice, source="note", **{f: getattr(n, f) for f in _DETAIL_FIELDS})
            for n in found]


# (not after "M." in "sauf celle de M. Zénon")
_SENTENCES = re.compile(NOT_AFTER_TITLE + r"(?<=[.!?;])\s+|\n\s*\n")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences (and paragraphs): where one instruction is told."""
    return _SENTENCES.split(text)

_CALL_ME = re.compile(r"(?i)\b(?:pouvez-vous|pourriez-vous|merci de|veuillez|je vous remercie de|je vous "
                      r"invite [àa]) me (?:rappeler|contacter|joindre)\b|\b(?:rappelez|contactez)-moi\b")
_ABOUT_REJECTS = re.compile(r"(?i)\brejet|\brefus|anomalie|n['’]ont pas (?:pu|été)"
                            r"|non (?:payée|réglée|liquidée)"
                            r"|ces (?:\d+ |deux |trois |quatre )?factures|factures concernées"
                            # "Merci de les refacturer après correction" under the sentence naming them
                            r"|\bles (?:refactur|corrig|retransm|ret[ée]l[ée]transm|renvoy)"
                            r"|^\s*toutes? (?:sont|seront|ces|les)\b"  # "Toutes sont à refacturer, sauf …"
                            r"|\btou(?:te)?s les (?:lignes|factures)\b")


_EXCEPT = re.compile(r"(?i)\b(?:à|a) l['’]exception d|\bsauf\b|\bexcepté|\bhormis\b|\bmis à part\b")


# a signature's lines ("Cellule des rejets … Accueil téléphonique : 36 08, du lundi au vendredi"): no
# instruction, whatever service name they carry
_SIGNATURE = re.compile(r"(?i)\b36 ?08\b|\b0\d(?:[ .]?\d\d){4}\b|lundi au vendredi"
                        r"|accueil t[ée]l[ée]phonique")


def _with_instruction(rows: list[Row], text: str) -> list[Row]:
    """Rejected rows whose own words ask for nothing take the message's instruction for its rejected
    invoices ("Pour les factures rejetées, merci de corriger … puis de la retélétransmettre"), when
    the sentences about rejects give exactly one. An exception naming reject codes ("à l'exception des
    factures rejetées pour le motif 2900 : aucune action") gives those rows its own instruction; an
    exception that names none makes the instruction unsure, and the actions stay unknown."""
    if not any(r.action is None and r.status is not Status.PAID and (r.invoice or r.whole_lot) for r in rows):
        return rows
    said: set[Action] = set()
    excepted: dict[str, Action] = {}
    spared: dict[int, Action] = {}  # rows an exception names by patient or invoice
    for sentence in sentences(text):
        main, cut, rest = (sentence[:m.start()], True, sentence[m.end():]) \
            if (m := _EXCEPT.search(sentence)) else (sentence, False, "")
        # (an exception may name its invoice: "sauf celle de Mme Roux : sa facture (006201118) a été payée")
        if not _ABOUT_REJECTS.search(main) or invoices_in(main) or _SIGNATURE.search(sentence) \
                or not cut and status_of(main) is Status.PAID:
            # a table line, a sentence about something else (questions; a payment: "Pour information, la
            # facture suivante, précédemment rejetée, a été réglée après reprise"), a signature
            continue
        if (patients := set(patient_keys(main))) and any(patients & set(r.name_keys) for r in rows):
            continue  # "Mme ROUVIÈRE : rejet 0450 …, merci de refacturer": her rows', not everyone's
        if (quoted := _QUOTED.search(main)) and (own := action_of(main)) is not None \
                and (named := [i for i, r in enumerate(rows)
                               if r.motif and normalize(r.motif) == normalize(quoted.group(1))]):
            # "Les factures dont le motif est « pièce justificative absente » sont à compléter via SCOR",
            # then "Toutes les autres sont à corriger puis à refacturer": that motif's rows, not everyone's
            spared.update(dict.fromkeys(named, own))
            continue
        if cut:
            codes = re.findall(r"(?<!\d)(\d{4})(?!\d)", rest)
            # "sauf celle de M. Zénon", "sauf celle de 212,40 €", "sauf la 000620318"
            keys, numbers = set(name_keys(rest)), invoices_in(rest)
            sums = {value for value, _, _ in iter_amounts(rest)}
            named = [i for i, r in enumerate(rows) if keys & set(r.name_keys) or r.invoice in numbers
                     or r.amount is not None and r.amount in sums]
            if (other := action_of(rest)) is None:
                if codes or not named or any(rows[i].action is None for i in named):
                    return rows  # "sauf cas particulier": which rows the exception covers is not said
                # (the rows it names have their own instruction already: "il nous manque seulement
                # l'ordonnance", the ordonnance asked on the row)
            elif codes:
                excepted.update(dict.fromkeys(codes, other))
            else:  # "sauf celle de M. Zénon : pour celle-ci, … une copie de l'ordonnance"
                if not named:
                    return rows
                spared.update(dict.fromkeys(named, other))
        if (action := action_of(main)) is not None:
            said.add(action)
    if len(said) != 1:
        return rows
    action = said.pop()
    if action is Action.NONE and _CALL_ME.search(text):
        action = Action.CONTACT  # "pouvez-vous me rappeler … merci de ne pas les refacturer": the call first
    # (an invoice still under study is not one of the rejects the instruction is for)
    return [replace(r, action=spared.get(i, excepted.get(r.reject_code or "", action)))
            if r.action is None and r.status not in (Status.PAID, Status.PENDING) else r
            for i, r in enumerate(rows)]


_QUOTED = re.compile(r"[«\"“]\s*([^»\"”\n]{3,80}?)\s*[»\"”]")


def _with_lot(row: Row, lot: str) -> Row:
    return replace(row, lot=lot)


def returns_evidence(rows: RowSet) -> float:
    """How surely a message's rows make it a lot return: rows that are rejects (a reject code, a
    whole lot, a stated reject) beside other outcomes, or several different instructions, are
    the shape of a "retour sur le traitement des lots" whatever its words (0 to 1)."""
    rejected = [r for r in rows.rows if r.reject_code or r.status is Status.REJECTED
                or r.whole_lot and (r.status or r.motif or r.action)]  # (not a lot named with its figures)
    actions = {r.action for r in rows.rows if r.action}
    if Action.REBILL in actions and len(actions) > 1:
        return 0.8 if all(r.source == "prose" for r in rows.rows) else 0.95  # correct this, send for that
    pending = [r for r in rows.rows if r.invoice and r.status is not Status.PAID
               and r.action in (Action.PIECES, Action.REBILL, Action.CONTACT)]
    if not rejected and pending and any(r.status is Status.PAID for r in rows.rows):
        # "la facture 000274406 a été mise en paiement ; pour celle de Mme WEBER, il nous faut toujours
        # la prescription": invoices with different outcomes, the shape of a lot return
        return 0.8 if all(r.source == "prose" for r in rows.rows) else 0.95
    if not rejected:
        # a payment notice listing paid invoices ("Votre paiement a été effectué"): their outcome
        tabled = [r for r in rows.rows if r.invoice and r.source != "prose"]
        if len(tabled) >= 2 and all(r.status is Status.PAID for r in tabled):
            return 0.9
        # a list of invoices of one lot, each with its sum, all said paid ("Elles ont été mises en paiement
        # le 03/11/2026 :" over "facture 000 812 004 ....... 52.80 EUR"): weaker, told in sentences
        listed = [r for r in rows.rows if r.invoice]
        return 0.75 if len(listed) >= 2 and len({r.lot for r in listed}) == 1 and listed[0].lot \
            and all(r.status is Status.PAID and r.amount is not None for r in listed) else 0.0
    if all(r.source == "prose" for r in rows.rows):
        # sentences also name rejected invoices in réclamation answers and reminders: weaker evidence,
        # unless they give different instructions (correct this one, send a document for that one)
        if len({r.action for r in rows.rows if r.action}) > 1 \
                or any(r.reject_code for r in rejected) and any(r.status is Status.PAID for r in rows.rows):
            return 0.8  # (or "Rejet 0317 : …" for one, the other "partie en paiement ce matin")
        return 0.7 if sum(1 for r in rejected if r.reject_code) >= 2 else 0.0
    actions = {r.action for r in rows.rows if r.action}
    if any(r.reject_code for r in rejected) or any(r.status is Status.PAID for r in rows.rows) \
            or len(actions) > 1 or any(r.whole_lot for r in rejected):
        return 0.95
    return 0.6
