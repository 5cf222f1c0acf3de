"""Rows from sentences that name invoices, the last resort of the row reader, and the notes under
a table that name one of its invoices."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from cpambot.understanding.classify.text.amounts import iter_amounts, parse_amount
from cpambot.understanding.classify.text.dates import iter_dates
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import QUOTED_MOTIF
from cpambot.understanding.rows.actions import (
    LEAD_PAID,
    WRONGLY_REJECTED,
    action_of,
    asks_something,
    paid_day,
    status_of,
)
from cpambot.understanding.rows.asides import BESIDE
from cpambot.understanding.rows.cells import invoices_in
from cpambot.understanding.rows.model import Action, Row, Status
from cpambot.understanding.rows.passages import SENTENCE_END, chunks, mistaken
from cpambot.understanding.rows.rowcells import THEN_VERB, bare_motif, code_in_motif
from cpambot.understanding.rows.targets import patient_keys

_DISTRACTOR = re.compile(r"(?:trait|re[cç]u|envoy|transmis|courrier|lettre|pay|paie|regl|rembours|vir|lot du"
                         r"|rejet|refus"
                         r"|le lot|dat[ée]e?|"
                         r"en date|r[ée]ception|[ée]mis|int[ée]gr|depuis|[ée]ch[ée]ance|compter|jusqu"
                         r"|avant|d'ici|plus tard|limite)"  # a deadline: "avant le 15/11/2026"
                         r"\w*\W{1,4}"
                         r"(?:le|du|au|en date du)?\s*$")
_BRACKETED_CODE = re.compile(r"\((?:code\s*)?(\d{4})[ -]?(\d{3})\)")  # "(2900 005)", "(code 0317-051)"
_CARE = re.compile(r"(?:soins?|actes?|s[ée]ances?|passages?|ex[ée]cut\w*|prestations?|r[ée]alis\w*)"
                   r"[^.\d]{0,25}$")


# "(réglée sur votre lot 091)", "déjà payée sur le lot 315": another lot, where it was paid
_PAID_ON_LOT = re.compile(r"(?<!non )(?<!pas )(?<!pas ete )"
                          r"\b(?:regle|paye|rembourse|liquide|mise? en paiement|paiement|deja)\w*[^.;]{0,30}?"
                          # "… réglée le 02/10/2026 (lot 209)"
                          r"(?:\b(?:sur|dans|avec|par) (?:votre |le |un |l'autre )?|\(\s*)lots?\s*"
                          r"(?:n[°o]\.?\s*)?(\d{3})")
# "facture deja payee (doublon), inutile de refacturer": the words, then what to do
_THEN_ASKED = re.compile(r"(?i)(?:,|\s:)\s*(?=(?:inutile|merci|ne pas|ne la|ne les|veuillez|[àa] refacturer|"
                         r"refacturer|pas de|sans|nous vous|vous pouvez|il (?:faut|convient)"
                         # the explanation after the motif: ", il dépend manifestement d'une autre caisse"
                         r"|il (?:depend|dépend|releve|relève|est|n['’]est|a|avait)"
                         r"|elle (?:est|n['’]est|a|avait)"
                         r"|donc|car)\b)"
                         r"|\s*(?:-+>|→|=>)\s*"  # "prescripteur inconnu -> renvoyer l'ordo svp"
                         # "NIR errone (cle incorrecte) a refacturer apres verif", "…, a refactuer avec …"
                         r"|\s+(?=[àa] (?:re-?fact(?:ur|ue)|corrig|re-?transm|re-?t[ée]l[ée]transm)\w*\b)")


def _asked_apart(motif: str) -> str:
    """The reject's words without the instruction after them (", à refacturer …", " – à refacturer après
    vérification de la date de prescription")."""
    motif = _THEN_ASKED.split(motif)[0]
    if (split := THEN_VERB.search(motif)) and action_of(motif[split.end():]) is not None:
        motif = motif[:split.start()]
    return motif


_EXPLAINED = re.compile(r"\s*\((?=[^)]*(?:\blot\b|\d{2}/\d{2}|r[ée]gl[ée]|pay[ée]|au lieu d))"
                        r"[^)]{3,80}\)\s*$")


_LOT_PAID_WHOLE = re.compile(r"\blot (?:no ?)?(\d{3})\b[^.]{0,30}?(?:a (?:bien )?ete|est) (?:paye|regle"
                             r"|mis en paiement) (?:en totalite|en integralite|integralement)")


def lots_paid_whole(text: str) -> set[str]:
    """The lots ``text`` says were paid whole ("finalement le lot 073 a bien été payé en totalité")."""
    return set(_LOT_PAID_WHOLE.findall(normalize(text)))


def paid_elsewhere(text: str) -> set[str]:
    """The lots ``text`` names as where an invoice was already paid ("paiement effectué sur votre lot
    109"): never the lot of the rows around them."""
    return set(_PAID_ON_LOT.findall(normalize(text)))


def _own_lots(folded: str) -> list[str]:
    """The lots a folded passage names as its own (not the lot an invoice was already paid on)."""
    elsewhere = set(_PAID_ON_LOT.findall(folded))
    return [lot for lot in _LOTS.findall(folded) if lot not in elsewhere]


_SAME_REJECT = re.compile(r"(?i)\bm[êe]mes?\s+(?:rejet|motif|anomalie|code)")  # (a line may wrap after it)
# "Le rejet pour « assuré absent de notre référentiel » (0250 050) concerne la facture …"
_REJECT_FOR = re.compile(r"(?i)\b(?:rejet|refus)(?:[ée]e?s?)? pour (?:le motif )?[«\"]\s*"
                         r"([^«»\"\n]{3,160}?)\s*[»\"]")
_SAME_DAY = re.compile(r"(?i)\b(?:pay[ée]e?s?|r[ée]gl[ée]e?s?|vers[ée]e?s?|en paiement)"
                       r"\s+le\s+m[êe]me\s+jour\b")
_SAME_LOT = re.compile(r"(?i)\bm[êe]me lot\b")
# "même motif, même consigne": the instruction of the row above
_SAME_ACTION = re.compile(r"(?i)\bm[êe]mes?\s+(?:consigne|d[ée]marche|instruction|traitement)s?\b")
_LOTS = re.compile(r"\blots?\s*(?:n[°o]\.?\s*)?(\d{3})(?!\d)")  # in folded text
_PROSE_MOTIF = re.compile(r"(?i)\bmotif\b\s*(?:du rejet|de rejet|d['’]anomalie)?\s*(?:suivant\s*)?"
                          r"(?:(?:reste|est|demeure) (?:le )?m[êe]me\s*|(?:reste|est) inchang[ée]\s*)?"
                          r"[:\-–]?\s*"
                          r"(?:\d{4}(?:\s*[-/ ]\s*\d{3})?\s*[-:–]?\s*)?[«\"]?\s*"
                          r"([^«»\"\n.;,][^«»\"\n.;]{2,159})")


# "pour 46,80 € et non 48,60 € comme indiqué": the figure corrected, not the one stated
_CORRECTED_FIGURE = re.compile(r"(?i)(?:\bet non|\bau lieu de|\bnon pas|\bet pas)\s*(?:de\s*)?$")


# the words after the invoice's figures and a colon: "… soins du 29/09/2026, montant 18,60 € : <motif>."
_AFTER_STATUS = re.compile(r"(?i)\b(?:refus[ée]e?s?|rejet[ée]e?s?|non (?:pay[ée]|r[ée]gl[ée])e?s?)\s*:\s+"
                           r"([A-Za-zÀ-ÿ][^.;\n]{3,150})")
_AFTER_FIGURES = re.compile(r"(?i)(?:€|\b(?:eur|euros)|\d)\s*\)?\s*:\s+([A-Za-zÀ-ÿ][^.;:\n]{3,150})"
                            r"(?=[.;\n]|$)"
                            # "… – 9,15 € – prescripteur non identifié" ending its line (or "EUR 9,15 – …")
                            r"|(?:€|\b(?:eur|euros)|\b[Ee][Uu][Rr]\s*\d[\d\s.]*,\d{2})\s*[–—-]\s+"
                            r"([A-Za-zÀ-ÿ][^.;:\n–—]{3,150}?)\s*(?=\n|$)")
# a line break inside a phrase: before a lower-case word, or between two upper-case words
# (a line cut before the motif's opening quote: "le motif est 0470 049" / "« Prescription interdite … »")
_WRAPPED = re.compile(r"(?<![.:;!?])[ \t]*\n[ \t]*(?=[a-zà-ÿ«])"
                      r"|(?<=[A-ZÀ-Ý]{2})[ \t]*\n[ \t]*(?=[A-ZÀ-Ý]{2})")
_INSTRUCTION_START = re.compile(r"(?i)(?:merci|veuillez|nous vous|je vous|vous |il vous|transmet|adress|"
                                r"envoy|"
                                r"refactur|re-?transm|re-?t[ée]l[ée]transm|corrig|contact|pri[eè]re|pensez)")
# the words after a reject code: "rejet 0250 050 assuré absent de notre référentiel", "… 0470 049 –
# Prescription interdite"
# (an abbreviation's dot stays inside: "presc. interdite a cette date")
_AFTER_CODE = re.compile(r"\s*(?:[-–:]\s*)?([A-ZÀ-Ýa-zà-ÿ](?:[^.;\n]|\.(?= [a-zà-ÿ])){3,150})")
# an invoice, then its code and words in a list under a table ("000451216   0250 050  ASSURE ABSENT DE …")
_INVOICE_CODE = re.compile(r"\b\d{3}[ \u00a0]?\d{3}[ \u00a0]?\d{3}[ \t]+(\d{4})[ -](\d{3})[ \t]+"
                           r"([A-ZÀ-Ýa-zà-ÿ][^.\n;]{3,150})")
_COLON_CODE = re.compile(r":\s*(\d{4})\s+(\d{3})\s+([A-ZÀ-Ýa-zà-ÿ][^.\n;]{3,150})")


# the quoted words after the code: "rejetée le 24/09/2026 avec le code 0450 072 « Exonération non trouvée »",
# "rejet 0250 050 \"Assuré absent …\""
_CODE_QUOTED = re.compile(r"(?i)\b(?:code|rejet)\s*(?:de rejet\s*)?\d{4}(?:\s*[-/ ]?\s*\d{3})?[,:]?"
                          r"\s*[«\"“]\s*([^«»\"“”\n]{3,160}?)\s*[»\"”]")
_QUOTE_MARKS = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
_NEXT_LOT = re.compile(r"(?i)\b(?:prochain|nouveau|autre|futur) lot\b|\blot suivant\b")
# a transfer's total beside the invoice's amount: "(1 204,62 € au total, avec vos autres factures)", "dans
# le virement global de 1.026,40 €"
_A_TOTAL = re.compile(r"(?i)^\s*(?:au total|en tout)\b")
_OF_A_TOTAL = re.compile(r"(?i)(?:virement (?:global|group[ée]) (?:de|d'un montant de)|montant total de"
                         r"|total de)\s*$")
_LABELLED_AMOUNT = re.compile(r"(?i)\b(?:mt|mnt|montant)\.?\s*:?\s*(\d{1,5}[.,]\d{2})(?![\d.,])"
                              # "fact. 000 914 422 : payée le 16/10/26, 27,30.": the sum after its payment
                              r"|\b(?:pay|r[ée]gl|vers)[ée]e\b[^.\n]{0,24}?,\s*(\d{1,5},\d{2})(?![\d,])")
_ASIDE = re.compile(r"(?i)\s*(?:par ailleurs|d['’]autre part|en outre|autre point|s[ée]par[ée]ment)\b")


def _short_care_date(chunk: str, sent_on: date | None) -> date | None:
    """The care date an agent writes without its year ("soins du 21/09"): the last such day on or before
    the day the message was sent."""
    found = _SHORT_CARE.search(chunk)
    if found is None or sent_on is None:
        return None
    day, month = int(found.group(1)), int(found.group(2))
    for year in (sent_on.year, sent_on.year - 1):
        try:
            when = date(year, month, day)
        except ValueError:
            return None
        if when <= sent_on:
            return when
    return None


_SHORT_CARE = re.compile(r"(?i)\bsoins?\s+(?:du|le|des)\s+(\d{1,2})/(\d{1,2})(?![/\d])(?!\s*au\b)")


def _same_day(chunk: str, rows: list[Row]) -> date | None:
    """"La facture 000 611 941 a été payée le même jour": the day the invoice above was paid."""
    return rows[-1].paid_on if rows and _SAME_DAY.search(chunk) else None


def prose_rows(text: str, *, default_year: int | None = None, single_only: bool = False,
               sent_on: date | None = None) -> list[Row]:
    """Rows from sentences that name invoices ("La facture n° 123 456 789 du 12/09/2026, d'un montant
    de 63,00 €, est rejetée : prescription absente"); with ``single_only``, only from passages that
    name one invoice (a table's detail notes, not the table itself)."""
    rows: list[Row] = []
    chunks_of: list[str] = []  # the chunk each row was read from
    current_lot: str | None = None  # "Après examen de votre lot n° 146…": the paragraphs after it
    if ">" in text:  # a quoted list ("> - 000 345 610 (Mme Dumas) 23,10 €") is cut like any other
        text = _QUOTE_MARKS.sub("", text)
    lead: Status | None = None  # "Les trois factures ont été payées … :" above a list of invoices
    for chunk in chunks(text):
        lots = _own_lots(normalize(chunk)) if "lot" in chunk.lower() else []
        if len(set(lots)) == 1:
            current_lot = lots[0]
        elif lots:
            current_lot = None
        invoices = invoices_in(chunk)
        # "la facture à refacturer n'est pas la 000215044 mais la 000215047 (…)": what is said is of the other
        invoices = [n for n in invoices if n not in mistaken(chunk)] or invoices
        if not invoices:
            last = SENTENCE_END.split(chunk.strip())[-1]
            lead = Status.PAID if last.endswith(":") and LEAD_PAID.search(normalize(last)) else None
            continue
        if single_only and len(invoices) > 1:
            continue
        chunks_of += [chunk] * len(invoices)
        if len(set(lots)) > 1 and len(invoices) == 1:  # the lot named in the invoice's own sentence
            own = next((s for s in SENTENCE_END.split(chunk) + chunk.split("\n") if invoices_in(s)), "")
            lots = _own_lots(normalize(own)) or lots
        # ("vous pouvez la mettre dans votre prochain lot": not the lot of the paragraphs above)
        lots = lots or ([current_lot] if current_lot and not _NEXT_LOT.search(chunk) else [])
        # "Mt 49,90" / "montant 49,90": an amount an agent writes without its currency
        amounts = [v for v, at, end in iter_amounts(chunk) if not _A_TOTAL.search(chunk[end:end + 12])
                   and not _OF_A_TOTAL.search(chunk[max(0, at - 30):at])
                   and not _CORRECTED_FIGURE.search(chunk[max(0, at - 16):at])] \
            or [v for m in _LABELLED_AMOUNT.finditer(chunk)
                if (v := parse_amount(m.group(1) or m.group(2))) is not None]
        care = None
        for day, start, _ in iter_dates(chunk, default_year=default_year):
            before = normalize(chunk[max(0, start - 40):start])
            if _DISTRACTOR.search(before):
                continue
            if _CARE.search(before) or care is None:
                care = day if _CARE.search(before) or len(invoices) == 1 else care
        if care is None and len(invoices) == 1:
            care = _short_care_date(chunk, sent_on)
        code = None
        bracketed = _BRACKETED_CODE.search(chunk) if len(invoices) == 1 else None
        motif = None
        if found := re.search(r"(?i)(?:code|rejet|motif)\D{0,20}?\b(\d{4})(?:\s*[-/ ]\s*(\d{3}))?\b", chunk):
            code = (found.group(1), found.group(2))
            # "rejet 0470 049 – Prescription interdite à cette date." : the words after the code
            if after := _AFTER_CODE.match(chunk, found.end()):
                motif = after.group(1).strip(" .;:–-")
        elif found := _COLON_CODE.search(chunk) or (_INVOICE_CODE.search(chunk) if len(invoices) == 1
                                                    else None):
            # "… : 0470 049 Prescription interdite à cette date.", "000451216   0250 050  ASSURE ABSENT …"
            code = (found.group(1), found.group(2))
            motif = found.group(3).strip(" .;:–-")
        if motif:  # "facture déjà payée (réglée sur votre lot 091)": the reject, not its explanation
            # ("REJET 0460 053 ETABLISSEMENT … NATIONAL  NIV F PART O": a tool's next field after a gap)
            motif = _EXPLAINED.sub("", _asked_apart(re.split(r" {2,}|\t", motif.strip())[0]))
        if (found := (QUOTED_MOTIF.search(_WRAPPED.sub(" ", chunk))
                      or _CODE_QUOTED.search(_WRAPPED.sub(" ", chunk))
                      or _REJECT_FOR.search(_WRAPPED.sub(" ", chunk))
                      or _PROSE_MOTIF.search(_WRAPPED.sub(" ", chunk)))) \
                and not re.match(r"(?i)m[êe]mes?\b", found.group(1)):  # (a motif may wrap)
            # ("idem, même motif même consigne": the row above's, not words of its own)
            motif = _asked_apart(found.group(1)).strip(" :–-")  # "… NATIONAL => A REFACTURER …"
            stated, words = code_in_motif(motif)  # "Prescription interdite – code 0470 049"
            if stated is not None and (code is None or stated[0] == code[0]):
                code, motif = code or stated, words
            # "… le motif « Exonération non trouvée … » (0450 072)": the code in brackets after the quotes
            after = re.match(r"\s*[»\"]?\s*\((?:code\s*)?(\d{4})(?:[ -]?(\d{3}))?\)",
                             found.string[found.end():])
            if code is None and after is not None:
                code = (after.group(1), after.group(2))
        if motif is None and code is None and len(invoices) == 1 \
                and (found := _AFTER_FIGURES.search(chunk)) is not None \
                and not _INSTRUCTION_START.match(said := found.group(1) or found.group(2)) \
                and not _SAME_REJECT.search(said) and status_of(said) is not Status.PAID:
            # "…, montant 18,60 € : pièce justificative non parvenue.", "… : coefficient AMI erroné (AMI 4,2
            # facturé au lieu de AMI 4 prescrit)": the reject, not its explanation
            motif = _EXPLAINED.sub("", _asked_apart(said.strip()))
            stated, words = code_in_motif(motif)  # "assuré absent de notre référentiel (0250 050)"
            if stated is not None and stated[1] is not None:
                code, motif = stated, words
        if code is None and bracketed is not None:  # "--> deja payée sur le lot 041 (2900 005), ne pas …"
            code = (bracketed.group(1), bracketed.group(2))
        if motif is None and bracketed is not None and (code is None or code[0] == bracketed.group(1)):
            # "Facture 005950310 - soins du 08/10/26 - 63,00 EUR - Facture déjà payée (code 2900 005)": the
            # words just before the code, after the last dash of their line
            line = chunk[:bracketed.start()].rsplit("\n", 1)[-1]
            words = re.split(r"\s[-–—]\s", line)[-1].strip(" :")
            if re.search(r"[^\W\d]{4}", words) and not invoices_in(words) \
                    and next(iter_dates(words), None) is None and next(iter_amounts(words), None) is None:
                motif = words
        if motif is None and code is None and len(invoices) == 1 \
                and (found := _AFTER_STATUS.search(chunk)) is not None:
            motif = found.group(1).strip()  # "… – refusée : Droits non ouverts à la date des soins"
        single = len(invoices) == 1
        if WRONGLY_REJECTED.search(normalize(chunk)):
            code, motif = None, None  # "avait été rejetée à tort (motif 2900 …). Elle a été mise en paiement"
        if motif and re.match(r"(?i)(?:idem|m[êe]mes?)\b", motif):
            motif = None  # "idem, même motif même consigne": no words of its own
        if rows and single and code is None and motif is None and _SAME_REJECT.search(chunk):
            # "Facture n° 200981352 (même lot) – … – même rejet": the reject of the row above
            code, motif = (rows[-1].reject_code, rows[-1].reject_subcode), rows[-1].motif
            code = code if code[0] else None
        if rows and single and not lots and _SAME_LOT.search(chunk) and rows[-1].lot:
            lots = [rows[-1].lot]
        status = status_of(chunk, has_code=code is not None) or (lead if single else None)
        asked = action_of(chunk) or (rows[-1].action if rows and single and _SAME_ACTION.search(chunk)
                                     else None)
        if not single and status is Status.PAID and (code is not None or asks_something(chunk)):
            # several invoices in one passage that tells a payment and a reject or an instruction (a table
            # written one cell per line, read as words): not said of each of them
            status = asked = None
        for number in invoices:
            rows.append(Row(invoice=number, lot=lots[0] if len(set(lots)) == 1 else None,
                            care_date=care if single else None,
                            paid_on=(paid_day(chunk, default_year) or _same_day(chunk, rows))
                            if single and status is Status.PAID else None,
                            amount=amounts[0] if single and len(set(amounts)) == 1 else None,
                            reject_code=code[0] if code else None, reject_subcode=code[1] if code else None,
                            motif=bare_motif(motif or ""),
                            status=status,
                            action=asked,
                            source="prose",
                            name_keys=patient_keys(chunk) if single else ()))
    # "Par ailleurs, concernant la facture 000 517 902 (lot 209), merci de nous faire parvenir la
    # prescription": a document asked beside the lot return, not one of its rejects
    # of another lot than the rejects told ("du même lot": one of them)
    # ("Par ailleurs, pour la facture … du même lot, merci de nous faire parvenir une copie de l'ordonnance":
    # beside the rejects too, when the passage states no status of it)
    return [replace(r, source="aside") if r.action is Action.PIECES and not r.reject_code
            and r.status is not Status.PAID and _ASIDE.match(chunk) and r.lot is not None
            and (r.lot not in {o.lot for o in rows if o is not r}
                 or r.status is None and BESIDE.match(chunk))
            else r for r, chunk in zip(rows, chunks_of, strict=True)] if len(rows) > 1 else rows
