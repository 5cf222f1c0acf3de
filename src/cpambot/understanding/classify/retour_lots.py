"""Retour sur le traitement de vos lots: the caisse lists lots and invoices in anomaly.

Recognised by "retour(s) sur le traitement de vos/des lots". The rows come from the row
reader (:mod:`cpambot.understanding.rows`: any table, card or sentence layout). A row
naming an invoice gives ``invoice_in_anomaly`` with the action the caisse asks for that
row; a row for a whole lot gives ``lot_refused``; a row stated as paid ("mise en
paiement") gives ``invoice_paid``. A row that cannot be read sends the message to a human.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cpambot.understanding.classify.text.dates import date_after, find_delay
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage
from cpambot.understanding.rows import Action, Row, Status, only_totals, read_rows, sentences
from cpambot.understanding.rows.actions import action_of
from cpambot.understanding.rows.cells import LOT_LINE, LOT_MENTION, invoice_mention

_NOT_ABOUT_THEM = r"(?![^.]{0,20}?\b(?:continuer\w*|seront|vous parviendront|arriveront)\b)"
KEYWORDS = keywords(
    # (not a mention of how they will come: "les retours sur le traitement de vos lots continueront de
    # vous être adressés à cette même adresse")
    ("retours? sur le traitement (?:de vos|de votre|des|du) lots?" + _NOT_ABOUT_THEM, 1.0),
    ("traitement de vos lots" + _NOT_ABOUT_THEM, 0.9),
    ("retours? (?:sur|de) (?:vos|les) lots", 0.8),
    # an agent's short note: "retour lot 204" / "retour sur votre lot 204 transmis le 13/10"
    ("^(?:re ?: )?retours? (?:sur |de |du )?(?:votre |le )?lot (?:n[°o] ?)?\\d{3}\\b", 0.85),
    ("\\bretours? sur (?:votre|le) lot (?:n[°o] ?)?\\d{3}\\b", 0.8),
    ("lots? non parvenus?", 0.6),
    # "finalement le lot 073 a bien été payé en totalité, virement du 23/10/2026": the lot's outcome
    ("\\blot (?:no ?)?\\d{3}\\b[^.]{0,30}?(?:a (?:bien )?ete|est) (?:paye|regle|mis en paiement) "
     "(?:en totalite|en integralite|integralement)", 0.8),
    ("\\barl negatif", 0.9),
    ("(?:retransmettre|renvoyer|reteletransmettre|reemettre) (?:tout )?(?:ce|le|votre|ces|vos) lots?", 0.85),
    ("\\blots? (?:n[°o] ?)?\\d{3}\\b[^.]{0,80}?(?:rejete|refuse)e?s? (?:en totalite|integralement"
     "|dans (?:sa|son) (?:totalite|integralite|ensemble))", 1.0),  # (a fact, above any request's words)
    ("lots? (?:n[°o] ?)?(?:\\d{3} )?(?:non integre|n'a pas ete integre|a ete rejete|est rejete)", 0.85),
    # "Rejet de votre lot n° 087", "Objet : Rejet intégral du lot n° 087"
    ("\\brejet (?:integral |total |global |complet )?(?:de votre|du) lot (?:n[°o] ?)?\\d{3}\\b", 0.9),
    ("\\blots? (?:n[°o] ?)?\\d{3}\\b[^.]{0,80}?(?:n'a (?:pas )?pu etre (?:integre|traite|pris en charge)"
     "|n'a pas ete (?:integre|traite))", 0.85),
    ("\\blot (?:n[°o] ?)?\\d{3}\\b[^.]{0,80}?(?:est|a ete) (?:actuellement )?en anomalie", 0.8),
    # one invoice of a lot rejected, told in a sentence: "La facture n° 261004877 de votre lot 226, concernant
    # …, a été rejetée au motif « 0250 050 – … »"
    ("\\bfacture (?:no ?)?\\d{3} ?\\d{3} ?\\d{3}\\b[^\\n]{0,160}?\\ba ete (?:rejetee|refusee) "
     "(?:au motif|pour le motif|pour)", 0.7),
    # an agent asking her to call about invoices of a lot: "J'ai besoin d'échanger avec vous au sujet de deux
    # factures de votre lot 155 … pouvez-vous me rappeler"
    ("(?:au sujet|a propos) (?:de|des) (?:deux |trois |quatre |\\d+ )?factures? (?:de|du) (?:votre|ce) lot",
     0.8),
    # an agent confirming a lot she asked about: received, being processed, nothing rejected
    ("\\blots? (?:n[°o] ?)?\\d{3}\\b[^.]{0,80}?(?<!n')\\ba (?:bien )?ete "
     "(?:receptionne|recu|integre|enregistre)[^\\n]{0,140}?en cours de traitement", 0.7),
)
# "je vous confirme que votre lot n° 187 a bien été réceptionné": received (told only when nothing is
# rejected)
_RECEIVED = re.compile(r"\blot (?:n[°o] ?)?(\d{3})\b[^.]{0,80}?(?<!n')\ba (?:bien )?ete (?:receptionne|recu"
                       r"|integre|enregistre)")

# (one line break at most between the lot and its fate; written without two lazy runs in a row, which
# backtrack in 60 × 60 steps at every "lot NNN")
_LOT_PROBLEM = re.compile(r"\blot (?:n[°o] ?)?(\d{3})\b(?:[^.\n]{0,120}?|[^.\n]{0,60}?\n[^.\n]{0,60}?)"
                          # ("lot 140 :" / "Factures rejetées": its invoices, not the lot)
                          r"(?:lot entier n'a (?:pas )?pu etre|non parvenu|n'est pas parvenu"
                          r"|(?<!factures )(?<!facture )(?<!actes )rejete"
                          r"|rejet (?:global|total|integral|complet)|(?:est )?(?:un|en) doublon"
                          r"|refuse|doit etre retransmis|non integre|n'a pas ete integre"
                          r"|n'a (?:pas )?pu etre integre|arl negatif"
                          # "votre lot n° 503 … est actuellement en anomalie et ne peut pas être traité"
                          r"|(?:est|a ete) (?:actuellement )?(?:mis )?en anomalie"
                          r"|ne peut (?:pas )?etre traite"
                          # "le lot n°205 du 12/10 ne nous est jamais parvenu en entier (fichier tronque)"
                          r"|jamais parvenu|parvenu (?:incomplet|tronque)|fichier tronque"
                          # "Votre lot 412 … nous est parvenu 4 fois": the copies refused as duplicates
                          r"|(?:parvenu|recu|transmis|envoye) (?:a )?"
                          r"(?:[2-9]|deux|trois|quatre|cinq|plusieurs) (?:fois|reprises))")
# "Vos lots n° 064 et n° 065, télétransmis le 20/10/2026, ont été rejetés en totalité": every lot named
_LOTS_PROBLEM = re.compile(r"\blots (?:n[°o]s? ?)?(\d{3}(?:(?: ?, ?| et | & )(?:n[°o] ?)?\d{3})+)\b"
                           r"[^.]{0,120}?"
                           r"(?:ont ete|sont) (?:rejetes|refuses|non integres)")


def match(msg: ParsedMessage) -> float:
    return keyword_score(msg, KEYWORDS, ("lot",))


def row_fact(row: Row, caisse: str | None, extra: dict) -> Fact:
    details = {k: v for k, v in (("action", row.action.value if row.action else None),
                                 ("consigne", row.consigne), ("care_period", row.care_period),
                                 ("beneficiary", row.beneficiary), ("reject_subcode", row.reject_subcode))
               if v}
    if row.source == "aside":  # a document asked for beside the table, not a reject of it
        return Fact(FactKind.PIECES_REQUESTED, caisse=caisse, lot=row.lot, invoice=row.invoice,
                    amount=row.amount, date=row.care_date, details={"action": Action.PIECES.value})
    if row.status is Status.PAID:
        return Fact(FactKind.INVOICE_PAID, caisse=caisse, lot=row.lot, invoice=row.invoice,
                    amount=row.paid_amount or row.amount, date=row.paid_on,
                    part=row.part or "AMO", details={"source": "retour_lots"})
    if row.whole_lot:
        return Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=row.lot, amount=row.amount, date=row.care_date,
                    reject_code=row.reject_code, label=row.motif, details={**details, **extra})
    return Fact(FactKind.INVOICE_IN_ANOMALY, caisse=caisse, lot=row.lot, invoice=row.invoice,
                amount=row.amount, date=row.care_date, reject_code=row.reject_code, label=row.motif,
                part=row.part, details={**details, **extra})


# ("LOT REJETE DANS SA TOTALITE   MOTIF : 5201 010 FICHIER ILLISIBLE": a report's code then its words)
_CODE_SAID = re.compile(r"(?i)\b(?:code (?:de )?rejet|code|motif)\s*(?:n[°o]\s*)?:?\s*"
                        r"(\d{4})(?:[ -]?(\d{3}))?\b"
                        r"(?:\s*\(([^)\n]{3,80})\)|(?:\s*[-–:]\s*|\s+(?=(?-i:[A-ZÀ-Ý]{2})))([^.;\n(]{3,120}))?")


def _below_heading(text: str, lot: str) -> str:
    """What a report says of a lot under its heading line ("Lot n° 214 - reçu le …" / "Décision : LOT
    REJETÉ DANS SA TOTALITÉ" / "Motif : …"), up to the next lot's heading (400 characters at most)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        heading = LOT_LINE.match(line)
        if heading and heading.group(1) == lot:
            below = [line[heading.end():]]
            for after in lines[i + 1:]:
                if LOT_LINE.match(after):
                    break
                below.append(after)
            return "\n".join(below)[:400]
    return ""


def _code_below(text: str, lot: str) -> re.Match[str] | None:
    """The reject code a report gives a lot some lines under its heading ("Motif : … - code 2002 015")."""
    return _CODE_SAID.search(_below_heading(text, lot))


def _about_lot(folded: str, start: int, lot: str) -> str:
    """What the message says of lot ``lot`` from where it names it: up to the next numbered item,
    the next lot, or 400 characters."""
    window = folded[start:start + 400]
    # (the lot a duplicate copies, "contenu identique au lot 411", is named again with it: not the next one)
    copied = "|".join(re.findall(r"(?:identique au|doublon du|double du|copie du) lot (?:n[°o] ?)?(\d{3})",
                                 window))
    end = re.search(rf"\n\s*\d+[.)]\s|\n\s*\n|(?<!doublon du )(?<!doublon de )(?<!sur le )"
                    rf"\blots? (?:n[°o] ?)?(?!{lot}{'|' + copied if copied else ''})\d{{3}}\b"
                    r"|\b(?:les|tous les) autres (?:lots|factures)\b", window[10:])  # (not the others')
    return window[:10 + end.start()] if end else window


# "le lot 204 … a été rejeté en entier (fichier illisible), il faut le renvoyer tel quel": "le" is the lot
_IT_AGAIN = re.compile(r"\b(?:les?|l') ?(?:re-?transm|re-?teletransm|renvoy|re-?envoy|re-?emet)\w*")


def _lot_again(about: str) -> Action | None:
    """Re-bill when the words about a refused lot ask to send "it" again, unless they say not to."""
    found = _IT_AGAIN.search(about)
    return Action.REBILL if found and not re.search(r"\b(?:ne|n'|pas|inutile)\b[^.]{0,20}$",
                                                     about[:found.start()]) else None


def _lot_instruction(folded: str, lot: str) -> Action | None:
    """What the sentences about "the lot" ask, wherever they stand ("Merci de … retransmettre le lot
    complet", after the list of what it held), when they name no other lot."""
    about = [s for s in sentences(folded) if re.search(r"\b(?:ce|le|du|votre|au) lot\b", s)
             and all(n == lot for n in re.findall(r"\blots? (?:n[°o] ?)?(\d{3})\b", s))]
    return action_of(" ".join(about)) if about else None


def _place(facts: list[Fact], lot_fact: Fact, at: int, folded: str) -> None:
    """Insert a refused lot told in the text (at position ``at``) before the first invoice the text
    tells after it, so that facts come in the message's order; at the end when unsure."""
    for index, fact in enumerate(facts):
        if not fact.invoice:
            continue
        found = invoice_mention(fact.invoice, folded)
        if found is None:
            break
        if found.start() > at:
            facts.insert(index, lot_fact)
            return
    facts.append(lot_fact)


def _with_deadline(fact: Fact, text: str) -> Fact:
    """A pièces request beside the table with the date it must be sent by ("avant le 30/10/2026"), read in
    the passage that names its invoice."""
    if fact.kind != FactKind.PIECES_REQUESTED or not fact.invoice:
        return fact
    found = invoice_mention(fact.invoice, text)
    passage = text[found.start():found.start() + 500].split("\n\n")[0] if found else ""
    deadline = date_after(passage, r"(?:avant|au plus tard) le\s*", span=2)
    return replace(fact, details={**fact.details, "deadline": deadline}) if deadline else fact


_REFUSED_WHOLE = re.compile(r"\blot (?:n[°o] ?)?(\d{3})\b[^.]{0,120}?(?:rejete|refuse)e? (?:dans (?:sa|son) "
                            r"(?:totalite|integralite|ensemble)|en totalite|integralement)")


# "… votre lot 203 daté du 12/10/2026. Ce lot a été rejeté dans sa totalité": the lot named just before
_THIS_LOT = re.compile(r"\b(?:ce|le) lot (?:entier )?(?:(?:a ete|est) (?:rejete|refuse)"
                       r"|n'a (?:pas pu etre|pas ete) (?:integre|traite)|(?:nous )?est parvenu vide)"
                       r"|\b(?:ce|le) lot[^.]{0,30}(?:rejete|refuse)e? dans (?:sa|son) "
                       r"(?:totalite|integralite)")
_NAMED_LOT = re.compile(r"\blots? (?:n[°o] ?)?(\d{3})\b")


_INVOICE_SUBJECT = re.compile(r"\b(?:la|une|votre|cette) facture\b"
                              r"|\bfactures? (?:n[°o] ?)?\d{3} ?\d{3} ?\d{3}\b")


def _refused_lots(folded: str) -> list[tuple[str, re.Match[str]]]:
    """(lot, where) of every lot the text says was refused: named in the sentence ("le lot 087 a été
    rejeté"), or "ce lot" after the sentence that named it last."""
    # (not "Lot 234 du 25/11/2026 : la facture 000 233 871 (…) est en anomalie": the invoice is)
    out = [(found.group(1), found) for found in _LOT_PROBLEM.finditer(folded)
           if not _INVOICE_SUBJECT.search(found.group(0))]
    out += [(lot, found) for found in _LOTS_PROBLEM.finditer(folded)
            for lot in re.findall(r"\d{3}", found.group(1)) if all(lot != seen for seen, _ in out)]
    for found in _THIS_LOT.finditer(folded):
        before = folded[max(0, found.start() - 300):found.start()]
        previous = [p for p in re.split(r"(?<=[.!?])\s+|\n\s*\n", before) if p.strip()][-1:]
        named = _NAMED_LOT.findall(previous[0]) if previous else []
        if named and all(lot != named[-1] for lot, _ in out):  # "ce lot": the one named last
            out.append((named[-1], found))
    return out


def _contents_of_refused_lot(rows: list[Row], folded: str) -> list[Row]:
    """The invoices a message lists "pour mémoire" under a lot it says was refused whole ("votre lot n°
    086 … a été rejeté dans sa totalité … le lot contenait : • facture …"), without a reject or an
    outcome of their own: the lot's contents, not rejects each; the refused lot is told by the text."""
    found = _REFUSED_WHOLE.search(folded)
    if found is None or not rows:
        return rows
    lot = found.group(1)
    contents = all(r.invoice and r.lot in (None, lot) and not (r.reject_code or r.motif or r.status
                                                                or r.action) for r in rows)
    return [] if contents else rows


_MOTIF_LINE = re.compile(r"(?im)^\s*motif(?: du rejet)?\s*:\s*([^\n.;]{3,120})")


def _motif_below(text: str, lot: str) -> str | None:
    """The motif a lot's own card gives under its heading ("Lot n° 087 – transmis le 09/11/2026" /
    "Décision : lot rejeté dans sa totalité" / "Motif : Lot reçu en double"), before the next lot."""
    found = _MOTIF_LINE.search(_below_heading(text, lot))
    return found.group(1).strip() if found else None


def _sole_motif(text: str) -> str | None:
    """The one "Motif du rejet : …" line of a message naming one lot only: that lot's motif (a notice
    telling the lot's refusal in a sentence, the motif in a paragraph of its own)."""
    motifs = _MOTIF_LINE.findall(text)
    return motifs[0].strip() if len(motifs) == 1 and len(set(LOT_MENTION.findall(text))) == 1 else None


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    delay = find_delay(msg.all_text())
    extra = {"delay_days": delay[0]} if delay and delay[1] == "days" else {}
    rowset = read_rows(msg)
    folded = normalize(msg.all_text())
    rows = _contents_of_refused_lot(list(rowset.rows), folded)
    # (a lot named with its figures and no outcome — "Numéro de lot : 212", "Montant total facturé" in a
    # form — is no refusal: told as one, it would ask to send again a lot the caisse accepted)
    rows = [r for r in rows if not r.whole_lot or r.status or r.reject_code or r.motif or r.action]
    facts = [_with_deadline(row_fact(row, caisse, extra), msg.all_text()) for row in rows]
    refused = list(_refused_lots(folded))
    for lot, found in refused:
        if not any(f.lot == lot for f in facts):
            # what the sentences about the lot ask ("retransmettre ce lot dans son intégralité")
            # (lots named together, "vos lots n° 064 et n° 065 … ont été rejetés", share their sentences)
            about = _about_lot(folded, found.start(), next(iter(re.findall(r"\d{3}", found.group(0))), lot))
            said = action_of(about) or _lot_instruction(folded, lot) or _lot_again(about)
            details = {**extra, **({"action": said.value} if said is not None else {})}
            # "Lot 087 (…) : rejeté dans sa totalité, motif : fichier non conforme au cahier des charges."
            # ("… rejeté dans sa totalité, motif « destinataire de règlement incorrect »")
            told = re.search(rf"(?i)\blot\s*(?:n[°o]\s*)?{lot}\b[^\n]{{0,160}}?\bmotif\s*(?::|[«\"“])\s*"
                             r"([^.;\n«»\"“”]{3,120})", msg.all_text()) \
                or re.search(rf"(?i)\blot\s*(?:n[°o]\s*)?{lot}\b[^\n]{{0,80}}\n?[^\n]{{0,40}}?"
                             r"\b(?:rejet[ée]|refus[ée])\s+(?:en|dans sa)\s+totalit[ée]\s*[-–:]\s*"
                             r"([^.;\n(]{3,120})", msg.all_text())
            # ("Lot 072 du 14/10/26" / "Lot rejeté en totalité - fichier illisible")
            # "… rejeté dans sa totalité avec le code 0105 002 (NUMERO DE LOT DEJA UTILISE)"
            # ("… rejeté dans sa totalité pour le motif suivant :", then "Code rejet 0103 017 – …" below)
            coded = re.search(rf"(?i)\blot\s*(?:n[°o]\s*)?{lot}\b"
                              r"(?:[^\n]{0,200}?|[^\n]{0,200}?:[ \t]*\n\s*)"
                              r"\b(?:code (?:de )?rejet|code|rejet)\s*"
                              r"(?:n[°o]\s*)?:?\s*(\d{4})(?:[ -]?(\d{3}))?\b(?:\s*\(([^)\n]{3,80})\)"
                              r"|\s*[-–:]\s*([^.;\n()]{3,120}))?", msg.all_text()) \
                or _code_below(msg.all_text(), lot)
            # (the code's own words before the explanation after "rejeté dans sa totalité :")
            words = (coded.group(3) or coded.group(4) or "").strip() or None if coded else None
            label = told.group(1).strip() if told and (words is None or "motif" in told.group(0).lower()) \
                else words or (told.group(1).strip() if told else None)
            label = label or _motif_below(msg.all_text(), lot) or (_sole_motif(msg.all_text())
                                                                  if len(refused) == 1 else None)
            if coded and coded.group(2):
                details["reject_subcode"] = coded.group(2)
            _place(facts, Fact(FactKind.LOT_REFUSED, caisse=caisse, lot=lot, details=details, label=label,
                               reject_code=coded.group(1) if coded else None), found.start(), folded)
    if not facts:  # a lot confirmed received, nothing rejected
        facts = [Fact(FactKind.LOT_ACKNOWLEDGED, caisse=caisse, lot=lot)
                 for lot in dict.fromkeys(m.group(1) for m in _RECEIVED.finditer(folded))]
    problems = list(rowset.problems)
    review = None
    if not facts:
        review = "retour sur le traitement des lots sans facture ni lot lisible : à lire"
    elif problems and not only_totals(problems) \
            or any(r.invoice and r.status is None and not (r.reject_code or r.motif or r.action)
                   for r in rows):
        # (a total apart: shown, not read first; an invoice listed with nothing said of it: not guessed)
        review = "retour sur le traitement des lots : certaines lignes sont à vérifier"
    treated = date_after(msg.subject or "", r"lots\s*(?:du|traités le)\s*", span=2)
    fields = {"treated_on": treated, "table_rows": len(rowset.rows),
              "invoices": [f.invoice for f in facts if f.invoice],
              "lots_refused": [f.lot for f in facts if f.kind == FactKind.LOT_REFUSED]}
    return Reading(kind=MessageKind.RETOUR_LOTS, trust=trust, caisse=caisse, facts=tuple(facts),
                   fields=fields, needs_review=review, problems=tuple(problems))
