"""Instructions a message gives to some of its rows, in sentences under the list: "Pour les deux
premières factures, … refacturer", "Pour la dernière, ne la refacturez pas : envoyez-nous …",
"Pour M. CHATEL, …", "Pour les 2 factures du lot 118 : …", "Pour les 2 autres, …".

A sentence's target is resolved only when it is certain: the invoices or the lot it names, an
ordinal of the list, a patient's name (compared through hashes: the names are not kept), or
"les autres" (the rows no earlier sentence took). A count that does not match ("les 2 autres"
when three are left) resolves nothing. Only rows whose own words asked for nothing take it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.rows.actions import action_of, status_of
from cpambot.understanding.rows.cells import LOT_MENTION, NOT_AFTER_TITLE, invoices_in
from cpambot.understanding.rows.model import Action, Row, Status

# "Pour les deux premières factures, …", "Concernant M. RIOU : …", "S'agissant de celle du lot 121, …"
_FOR = re.compile(r"(?is)^\s*(?:[-•*]\s*)?"
                  # "pour la 1ere merci de verifier …", "pour la 2eme voir avec l'assure (…), ne pas …"
                  r"(?:pour\s+((?:la|le)\s+(?:\d\s?(?:e|è|ème|eme|ère|ere|re|er)|premi[eè]re?|deuxi[eè]me"
                  r"|seconde?|troisi[eè]me|derni[eè]re?))\s*[,:]?\s+"
                  r"(?!factures?\b|lignes?\b|fois\b|et\b|ou\b|&)(\S.*)$"
                  r"|(?:pour|pr|concernant|s'agissant d[eu]s?|quant [àa]|en ce qui concerne)\s+"
                  r"(.{1,90}?)\s*[,:]\s+(\S.*)$)")
# a sentence ends before a capital, not after "M." or "Mme." ("Pour M. CHATEL, …")
_SENTENCE_END = re.compile(NOT_AFTER_TITLE + r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])")
_UNIT_START = re.compile(r"(?i)^\s*(?:[-•*]\s*|\d+[.)]\s*)?"
                         r"(?:pour|pr|concernant|s'agissant|quant [àa]|en ce qui)\b")
_NUMBERS = {"deux": 2, "2": 2, "trois": 3, "3": 3, "quatre": 4, "4": 4, "cinq": 5, "5": 5}
_FIRST_N = re.compile(r"\b(?:les|ces) (deux|2|trois|3|quatre|4) premier")
_LAST_N = re.compile(r"\b(?:les|ces) (deux|2|trois|3) dernier")
_ORDINAL = ((re.compile(r"\b(?:1 ?(?:ere|er|re)|premiere?)\b"), 0),
            (re.compile(r"\b(?:2 ?(?:e|eme|nde?)|deuxieme|seconde?)\b"), 1),
            (re.compile(r"\b(?:3 ?(?:e|eme)|troisieme)\b"), 2),
            (re.compile(r"\b(?:4 ?(?:e|eme)|quatrieme)\b"), 3),
            (re.compile(r"\bderniere?\b"), -1))
_OTHERS = re.compile(r"\b(?:les |l')?(?:(deux|2|trois|3|quatre|4) )?(?:autres?|restantes?|suivantes)\b"
                     r"|\ble reste\b")
_COUNT = re.compile(r"\b(?:les|ces) (deux|2|trois|3|quatre|4|cinq|5) (?:factures?|dossiers?|lignes?)\b")


def name_keys(cell: str) -> tuple[str, ...]:
    """Hashes of a name's words (3 letters or more): enough to tell that a sentence names this
    patient, without keeping the name."""
    return tuple(_hash(w) for w in re.findall(r"[a-z]{3,}", normalize(cell)))


# the patient a passage names after a title ("000 345 610 (Mme Dumas)", "Mme PROUST Gisèle")
_PATIENT = re.compile(r"\b(?:M\.|Mme|Mlle|Monsieur|Madame)\s+([A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)?)")


def patient_keys(text: str) -> tuple[str, ...]:
    """Hashes of the names of the patients ``text`` names after a title: what an agent's answer names a row
    by ("les deux factures de Mme Dumas …", "pas besoin de justificatif pour M. Moreau")."""
    return name_keys(" ".join(_PATIENT.findall(text)))


def _hash(word: str) -> str:
    return hashlib.blake2s(word.encode(), digest_size=6).hexdigest()


def _units(text: str) -> list[str]:
    """Paragraphs, with a line that starts "Pour …" or a bullet starting a new one, wrapped lines
    joined."""
    units: list[list[str]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for line in paragraph.splitlines():
            if not units or not units[-1] or _UNIT_START.match(line) or re.match(r"\s*[-•*]\s", line) \
                    or _BARE.match(line):  # "la derniere par contre est a refacturer" on a line of its own
                units.append([])
            units[-1].append(line.strip())
        units.append([])
    return [" ".join(u) for u in units if u]


def _targets(target: str, rows: list[Row], taken: set[int]) -> list[int] | None:
    """Indexes of the rows ``target`` names, or None when it names none for sure."""
    folded = normalize(target)
    if re.search(r"\bfois\b|\btoute?s?\b|\binformation", folded):
        return None  # "pour la première fois", "pour toute question", "pour information"
    listed = [i for i, r in enumerate(rows) if r.invoice and r.source != "aside"]  # (not beside the list)
    if numbers := invoices_in(target):
        found = [i for i, r in enumerate(rows) if r.invoice in numbers]
        return found if len(found) == len(numbers) else None
    pool = listed
    if lots := LOT_MENTION.findall(target):
        pool = [i for i in listed if rows[i].lot in lots]
        if not pool:
            return None
    # "celles rejetées pour 2900", "celles en 0317": the rows of that reject code
    if codes := re.findall(r"(?<![\d/.,])(\d{4})(?![\d/.,])", folded):
        pool = [i for i in pool if rows[i].reject_code in codes]
        if not pool:
            return None
    count = _COUNT.search(folded)
    if m := _FIRST_N.search(folded):
        chosen = pool[:_NUMBERS[m.group(1)]]
    elif m := _LAST_N.search(folded):
        chosen = pool[-_NUMBERS[m.group(1)]:]
    elif m := _OTHERS.search(folded):
        if not taken:
            return None  # "les autres" with no sentence before it: others than what?
        chosen = [i for i in pool if i not in taken]
        if m.group(1) and len(chosen) != _NUMBERS[m.group(1)]:
            return None
    elif items := [int(n) - 1 for n in re.findall(r"(?:\bno ?|\bet |, ?|& ?)(\d{1,2})\b", folded)
                   if re.match(r"\s*no ?\d", folded)] or [int(n) - 1 for n in re.findall(r"\d{1,2}", folded)
                                                          if _ITEMS.fullmatch(folded)]:
        # "n° 1 et n° 3", "la 2", "les factures 1, 2 et 4": the list's items by their numbers
        if any(not 0 <= i < len(pool) for i in items):
            return None
        chosen = sorted({pool[i] for i in items})
    elif ordinals := [index for pattern, index in _ORDINAL if pattern.search(folded)]:
        # "la 1ère et la 3ème ligne": each one named
        if any(not -len(pool) <= o < len(pool) for o in ordinals):
            return None
        chosen = sorted({pool[o] for o in ordinals})
    elif lots or codes:
        chosen = pool
    else:
        words = {_hash(w) for w in re.findall(r"[a-z]{3,}", folded)}
        chosen = [i for i in pool if words & set(rows[i].name_keys)]
        if not chosen and count and _NUMBERS[count.group(1)] == len(pool):
            chosen = pool  # "Pour ces deux factures :" under a list of two
    if count and len(chosen) != _NUMBERS[count.group(1)]:
        return None
    return chosen or None


# a clause that opens on its target without "pour": "Les 2 dernières sont des doublons : ne les renvoyez
# pas", "La 3e est passée en paiement", "Celles du lot 412 : …", "Celles rejetées pour 2900, …"
_BARE = re.compile(r"(?is)^\s*(?:[-•*]\s*)?(?:et\s+|puis\s+|enfin\s+)?"
                   r"((?:les|la|le|l')\s*(?:(?:\d|deux|trois|quatre)\s+)?"
                   r"(?:premi[eè]res?|derni[eè]res?|\d\s?(?:e|è|ème|eme|ère|ere|re)\b|deuxi[eè]me|seconde?"
                   r"|troisi[eè]me|autres?|restantes?)(?:\s+(?:factures?|lignes?))?"
                   r"|n[°o]\s*\d{1,2}(?:\s*(?:et|,|&)\s*(?:n[°o]\s*)?\d{1,2})*(?!\d)"  # "n° 1 et n° 3 :"
                   r"|celles?\s+(?:du\s+lot\s+\d{3}|(?:rejet[ée]es?|en)\s+(?:pour\s+|avec\s+)?(?:le\s+)?"
                   r"(?:motif\s+|code\s+)?\d{4})"
                   # "les deux factures de Mme Dumas sont rejetées …", "celle de M. Texier a été payée …"
                   r"|(?:celles?|(?:les|la)\s+(?:(?:deux|2|trois|3)\s+)?factures?)\s+d[eu]\s+"
                   r"(?:m\.|mme|monsieur|madame|mlle)\s*[^\W\d][\w'-]+"
                   # "Mme ROUVIÈRE : rejet 0450 …, merci de refacturer": a patient, then a colon
                   r"|(?:m\.|mme|monsieur|madame|mlle)\s*[^\W\d][\w'-]+(?:\s+[^\W\d][\w'-]+)?(?=\s*:))"
                   r"\s*(?:[,:]\s*|\s+)(\S.*)$")
# a paragraph about one lot: "Lot 527 : les 2 factures sont à refacturer …"
_LOT_SCOPE = re.compile(r"(?is)^\s*(?:[-•*]\s*)?(?:pour\s+le\s+|concernant\s+le\s+)?lot\s*(?:n[°o]\s*)?"
                        r"(\d{3})\s*(?:\([^)]{0,40}\)\s*)?[:\-–]\s*(\S.*)$")
_CLAUSE_END = re.compile(r"\s*;\s+|,\s+(?=pour\s+(?:la|le)\s+(?:\d|premi|deuxi|second|troisi|derni))")
# items of a numbered list named by their numbers: "la 2", "les factures 1, 2 et 4", "les lignes 1 et 3"
_ITEMS = re.compile(r"\s*(?:(?:les|la|le|l')\s*)?(?:(?:factures?|lignes?)\s+)?(?:nos? ?)?\d{1,2}"
                    r"(?:\s*(?:,|et|&)\s*(?:no ?)?\d{1,2})*(?![\d.,/])\s*")
# the same named inside a clause: "Merci de refacturer les factures 1, 2 et 4 après correction."
_MID_ITEMS = re.compile(r"(?i)^(.*?)\b((?:les|la) (?:factures?|lignes?) (?:n[°o]s? ?)?\d{1,2}"
                        r"(?:\s*(?:,|et|&)\s*\d{1,2})+)(?![\d.,/])(.*)$")
# a target told wrong above, corrected: "Enfin non, je me suis trompée pour la 2 : pas de refacturation…"
_CORRECTED_TARGET = re.compile(r"(?i)^(.*?\b(?:tromp[ée]e?|erreur de ma part|je (?:corrige|rectifie))\b"
                               r"[^:;]{0,30}?)\bpour\s+((?:la|le)\s+\d{1,2})\s*[,:;]\s*(.*)$")
# a correction of what was said above ("PS : pas besoin de justificatif finalement pour Mme Vidal")
_REVISED = re.compile(r"\b(?:finalement|en fait|au final|contrairement a|trompee?|erreur de ma part"
                      r"|je (?:corrige|rectifie))\b")
# a target named at the end of its clause: "… finalement pour Mme Vidal, nous avons retrouvé …"
_LATE_TARGET = re.compile(r"(?i)^(.*?\b(?:finalement|en fait|au final)\b.*?)\bpour\s+"
                          r"((?:m\.|mme|monsieur|madame|mlle)\s+[^\W\d][\w'-]+)\s*[,:;.]?\s*(.*)$")


# "sont rejetées, code 0470 049 : prescription interdite …", "rejet 0450 (exonération non trouvée)"
_CODE_SAID = re.compile(r"(?i)\b(?:code|rejet)\s+(\d{4})(?:[ -](\d{3}))?\s*(?:[:–-]\s*|\(\s*)"
                        r"([^.()\n;]{3,80})")


def _clauses(unit: str) -> list[str]:
    """A unit's sentences, and their clauses cut at ";"."""
    return [c for sentence in _SENTENCE_END.split(unit) for c in _CLAUSE_END.split(sentence) if c.strip()]


def _target_of(clause: str) -> tuple[str, str] | None:
    """(target, instruction) of a clause that opens on its target (or that corrects an earlier one
    and names its patient at the end), else None."""
    clause = re.sub(r"(?i)^\s*(?:ps|p\.s\.)\s*:\s*", "", clause)
    if found := _FOR.match(clause):
        return (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
    if found := _BARE.match(clause):
        return found.group(1), found.group(2)
    for pattern in (_LATE_TARGET, _CORRECTED_TARGET):
        if found := pattern.match(clause):
            return found.group(2), f"{found.group(1)} {found.group(3)}"
    if found := _MID_ITEMS.match(clause):
        return found.group(2), f"{found.group(1)} {found.group(3)}"
    return None


def with_targeted_instructions(rows: list[Row], text: str) -> list[Row]:
    """``rows`` with the actions of the sentences that say which rows they are about."""
    if not any(r.action is None and r.invoice for r in rows) \
            and not re.search(r"(?i)finalement|en fait|au final|tromp[ée]|erreur de ma part", text):
        return rows
    rows = list(rows)
    taken: set[int] = set()
    for unit in _units(text):
        scope: str | None = None
        if found := _LOT_SCOPE.match(unit):
            scope, unit = found.group(1), found.group(2)
        clauses = _clauses(unit)
        opened = [(k, t) for k, c in enumerate(clauses) if (t := _target_of(c)) is not None]
        if scope is not None and (not opened or opened[0][0] > 0):
            # "Lot 527 : les 2 factures sont à refacturer": the lot's rows, up to the first clause naming
            # some of them
            opened.insert(0, (0, (f"lot {scope}", clauses[0] if clauses else "")))
        for n, (k, (target, said)) in enumerate(opened):
            end = opened[n + 1][0] if n + 1 < len(opened) else len(clauses)
            words = " ".join([said, *clauses[k + 1:end]])
            action = action_of(words)
            # "La 3e … est finalement passée en paiement le 12/10" (not "déjà réglée sur le lot 315": a
            # duplicate of a paid invoice)
            paid = status_of(words) is Status.PAID and "deja" not in normalize(words)
            if scope is not None and not LOT_MENTION.search(target):
                target = f"{target} du lot {scope}"
            chosen = _targets(target, rows, taken)
            if action is None or chosen is None:
                continue
            taken.update(chosen)
            revised = _REVISED.search(normalize(words)) is not None  # "finalement", told later: it wins
            code = _CODE_SAID.search(words)  # "sont rejetées, code 0470 049 : prescription interdite …"
            for i in chosen:
                if code and not paid and not rows[i].reject_code and not rows[i].motif:
                    rows[i] = replace(rows[i], reject_code=code.group(1), reject_subcode=code.group(2),
                                      motif=code.group(3).strip())
                if paid and (rows[i].action is None or revised):
                    rows[i] = replace(rows[i], status=Status.PAID, action=Action.NONE)
                elif revised and action is not None:
                    rows[i] = replace(rows[i], action=action)
                elif rows[i].action is None and rows[i].status is not Status.PAID:
                    rows[i] = replace(rows[i], action=action)
    return rows
