"""Indu: notification de payer, its complement (tableau des anomalies), mise en demeure.

- notification de payer / notification d'indu → ``indu_notified``: reference, total
  amount, the letter's date, cause (label); details: acts table, CRA address, delay.
- "tableau des anomalies" / "complément à notre courrier" naming an indu →
  kind ``complement_indu``, fact ``indu_details`` with the indu reference.
- mise en demeure (title, not "une mise en demeure vous sera adressée") →
  ``mise_en_demeure``.
Whichever title comes first (subject, then body, then attachments) decides.
"""

from __future__ import annotations

import re
from decimal import Decimal

from cpambot.understanding.classify import constat
from cpambot.understanding.classify.text.amounts import amount_after, find_amounts, iter_amounts
from cpambot.understanding.classify.text.dates import date_after, find_delay, letter_date
from cpambot.understanding.classify.text.keywords import keywords, mentions, per_message, zones
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.classify.text.references import any_reference, own_reference, reference_after
from cpambot.understanding.classify.text.tables import column, find_tables
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

NOTIFICATION = keywords(
    # "une notification de payer pourra vous être adressée": a warning, not a notification
    # (the notification a recours contests is not this letter: "contester la notification de payer du 4 juin")
    ("(?<!contester\\x20la\\x20)(?<!contestation\\x20de\\x20la\\x20)(?<!contre\\x20la\\x20)"
     "notification de payer(?! (?:vous )?(?:sera|serait|pourra|pourrait|peut|pourront|pourraient))", 1.0),
    ("(?<!lieu\\x20a\\x20une\\x20)(?<!lieu\\x20a\\x20)"
     "notification(?<!avant\\x20toute\\x20notification)(?<!avant\\x20notification)"
     "(?<!prealable\\x20a\\x20une\\x20notification) (?:d'|de l'|d'un )indu", 1.0),
    ("indu no ?[a-z0-9-]*\\d", 0.6),
    # the letter told without its title: "Le montant des sommes indûment versées s'élève à …", "Notification
    # n° 301/IND/2026/11872", "la récupération de l'indu par retenue"
    ("(?<!pourrait\\x20)(?<!pourraient\\x20)montant des sommes indument (?:versees|payees|percues)", 0.95),
    ("notification no ?[a-z0-9]*[/-]ind[/-]", 0.95),
    # ("Soit un montant total indûment perçu de : 418,35 €" under a title a scanner spaced out letter by
    # letter)
    ("(?<!pourrait\\x20)(?<!pourraient\\x20)(?:montant|somme) totale? (?:indument|verse a tort) percue?",
     0.95),
    ("(?:recuperation|recouvrement) de l'indu", 0.8),
)
COMPLEMENT = keywords(
    ("tableau (?:detaille )?des anomalies", 0.9),
    ("complement a (?:notre|la|votre) (?:courrier|notification|lettre)", 1.0),
    ("detail (?:des actes|de l'indu)", 0.8),
    # "… vous trouverez en pièce jointe le tableau détaillé des actes …. Ce tableau complète notre courrier ;
    # il ne modifie ni le montant notifié"
    ("(?:ce tableau|cette annexe|ce detail|ce document|il|elle) complete notre "
     "(?:courrier|notification|lettre)", 1.0),
    ("(?:reception|envoi) du present complement", 1.0),
    ("ne modifie ni le montant (?:notifie|de l'indu)", 1.0),
    # "le tableau détaillé des actes concernés, qui complète la motivation de ce courrier"
    ("complete la motivation (?:de (?:la|notre|ce|cette) )?(?:notification|courrier|lettre)?", 1.0),
)
DEMEURE = keywords(
    ("mise(?<!une\\x20mise) en demeure(?! (?:vous )?(?:sera|serait|pourra|pourrait|peut))", 1.0),
    ("vous (?:met|mettons) en demeure", 1.0),
)
# a notification the letter says it is not: "ne constitue pas, à ce stade, une notification de payer"
_DENIED = re.compile(r"(?:ne constitue|n'est|ne vaut|ne s'agit)\s+(?:pas|en aucun cas)\b[^.;]{0,40}?"
                     r"(?:notification|mise en demeure)"
                     # advice: "si vous recevez une notification d'indu, vous disposez de 2 mois…"
                     r"|\b(?:si|lorsque|quand|des que|en cas de)\s+"
                     r"(?:vous\s+(?:recevez|avez recu|recevrez)\s+)?"
                     r"(?:une\s+)?(?:notification|mise en demeure)"
                     # a notification cited, not sent: "Rappel : notification de payer n° … du …"
                     r"|(?m:^\s*(?:rappel|notification contestee|indu conteste)\s*:[^\n]*)"
                     # a control that claims nothing: "n'a pas donné lieu à une notification d'indu",
                     # "pourrait donner lieu, lors d'un prochain contrôle, à la notification d'un indu"
                     r"|n'a\s+pas\s+donne\s+lieu\s+a\s+(?:une\s+|la\s+)?(?:notification|indu)"
                     r"|pourrai(?:t|ent)\s+donner\s+lieu[^.;]{0,60}?(?:notification|indu)"
                     # an earlier letter cited with its day: "vos observations sur la notification d'indu du
                     # 17 août 2026" (an interview postponed, an answer)
                     r"|\b(?:sur|contre|concernant|suite a) (?:la|notre|votre) notification"
                     r" (?:d'indu|de payer)"
                     r"(?: n[°o] ?\S+)? du \d")
_INDU_REF = r"indu\s*(?:n[°o]|num[ée]ro|r[ée]f[ée]rence)?\s*:?"
_NOTIFICATION_REF = r"notification\s*(?:de payer|d'indu)?\s*(?:n[°o]|num[ée]ro)\s*:?"
_REF = r"(?:\b[nv]/\s?)?\br[ée]f(?:[ée]rence)?\b\.?\s*:?"
_PRIORITY = {MessageKind.MISE_EN_DEMEURE: 2, MessageKind.COMPLEMENT_INDU: 1, MessageKind.NOTIFICATION_INDU: 0}
_HEADINGS = re.compile(r"^(?:nature|periode|montant|delai|voies|repartition|date|veuillez)")


@per_message
def _sub_kind(msg: ParsedMessage) -> tuple[MessageKind | None, float]:
    """(sub-kind, score): the heaviest title of the best zone; ties go to the mise en demeure,
    then the complement (both cite the notification), then to the earliest."""
    best: tuple[MessageKind | None, float] = (None, 0.0)
    if not mentions(msg, ("indu", "payer", "demeure", "anomalies", "complement", "detail")):
        return best
    names_indu = mentions(msg, ("indu",))
    notification, complement_weight = 0.0, 0.0
    replied = re.match(r"(?i)\s*(?:re|aw|r[ée]f)\s*:", msg.subject or "") is not None
    for zone, (factor, text) in enumerate(zones(msg)):
        if zone == 0 and replied:
            continue  # "RE: Notification de payer …": the title of what is answered, not this message's
        text = _DENIED.sub(" ", text)  # "ne constitue pas une notification de payer"
        hits = []
        for name, patterns in ((MessageKind.MISE_EN_DEMEURE, DEMEURE),
                               (MessageKind.COMPLEMENT_INDU, COMPLEMENT),
                               (MessageKind.NOTIFICATION_INDU, NOTIFICATION)):
            for pattern, weight in patterns:
                found = pattern.search(text)
                if found:
                    if name == MessageKind.COMPLEMENT_INDU and not names_indu:
                        weight *= 0.5  # a "tableau des anomalies" of a constat, not of an indu
                    hits.append((weight, _PRIORITY[name], -found.start(), name))
        if hits:
            weight, _, position, name = max(hits)
            score = factor * weight + max(position, -99999) / 1e7
            if score > best[1]:
                best = (name, score)
                complement_weight = weight if name == MessageKind.COMPLEMENT_INDU else 0.0
            notified = [factor * w for w, _, _, n in hits if n == MessageKind.NOTIFICATION_INDU and w >= 1.0]
            notification = max([notification, *notified])
    if best[0] == MessageKind.COMPLEMENT_INDU and complement_weight < 1.0 and notification:
        # "ci-joint notre courrier du 5 octobre ainsi que son annexe (tableau des anomalies)", the letter
        # attached notifying the indu: the notification and its annex, not a complement sent later
        return MessageKind.NOTIFICATION_INDU, notification
    return best


# an indu the caisse gives up ("Objet : Annulation de la notification de payer n° …", "la notification de
# payer est annulée et l'indu de 274,95 € est abandonné"): the answer to her observations, not a notification
# (in folded text; also the words of the réclamation answer that cancels it)
CANCELLED = r"\b(?:indu|notification de payer)\b[^.]{0,80}\best (?:donc )?(?:annule|abandonne)"
_CANCELLED = re.compile(r"annulation de (?:la|votre|notre) notification de payer|" + CANCELLED)


_NOTIFIES = re.compile(r"\bvous notifions (?:un |l')indu\b|\bobjet\s*:\s*notification de payer\b")


def notifies(msg: ParsedMessage) -> bool:
    """Whether the letter itself notifies an indu ("nous vous notifions un indu d'un montant de …",
    "Objet : Notification de payer …"), whatever earlier letter it cites."""
    return any(_NOTIFIES.search(text) for _, text in zones(msg))


def match(msg: ParsedMessage) -> float:
    kind, score = _sub_kind(msg)
    if kind == MessageKind.NOTIFICATION_INDU and any(_CANCELLED.search(text) for _, text in zones(msg)):
        return min(score, 0.3)
    return score


def _cause(text: str) -> str | None:
    """The "Cause / motif de l'indu" section, its numbered items joined with " ; "."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^(?:cause|motifs?)(?: de l'indu)?\s*:?\s*$", normalize(line)):
            body = []
            for nxt in lines[i + 1:]:
                if not nxt.strip() or _HEADINGS.match(normalize(nxt)):
                    break
                body.append(nxt.strip())
            causes = re.split(r"(?<=[.;:])\s+(?=\d{1,2}[.)]\s)", " ".join(body))
            return " ; ".join(re.sub(r"^\d{1,2}[.)]\s*", "", c).strip(" .;") for c in causes
                              if c.strip()) or None
    listed = re.search(r"(?:pour les|aux)\s+motifs?\s+suivants?\s*:[ \t]*\n", text, re.IGNORECASE)
    if listed:
        items: list[str] = []
        for line in text[listed.end():].splitlines():
            line = line.strip()
            if not line or _HEADINGS.match(normalize(line)):
                break
            if re.match(r"^(?:[-•*]|\d{1,2}[.)])\s", line) or not items:
                items.append(re.sub(r"^(?:[-•*]|\d{1,2}[.)])\s*", "", line))
            else:
                items[-1] += " " + line
        return " ; ".join(i.strip(" .;") for i in items if i.strip(" .;")) or None
    found = re.search(r"(?im)^\s*motifs?(?: de l'indu)?\s*:\s*(.{5,300})$", text)
    return found.group(1).strip() if found else None


def _acts(msg: ParsedMessage) -> list[dict]:
    acts: list[dict] = []
    for source in (a.text for a in msg.attachments if a.text):
        for header, rows in find_tables(source):
            if column(header, r"acte", r"cotation") is None:
                continue
            keep = [(name, column(header, *cols)) for name, cols in (
                ("date", (r"date", r"periode")), ("act", (r"cotation factur", r"acte", r"cotation")),
                ("amount", (r"montant",)), ("reason", (r"grief", r"anomalie", r"motif")))]
            for row in rows[:500]:
                if not normalize(row[0]).startswith("total"):
                    acts.append({name: row[i] for name, i in keep if i is not None})
    return acts


_STILL_DUE = re.compile(r"\s*(?:\)\s*)?(?:reste|restant|demeure) d[ûu]e?s?\b", re.IGNORECASE)


# What is to be paid now, when the letter says it besides the amount first notified: the total
# with a surcharge ("Total à régler"), then the balance after payments or retenues ("reste dû")
_DUE_NOW = (r"(?:total|montant total|somme totale)\s*(?:[àa] r[ée]gler|[àa] payer|[àa] rembourser|d[ûu])"
            r"[^\d\n]{0,20}?",
            r"(?:solde|principal|montant)?\s*(?:reste|restant) d[ûu]e?\s*(?:,?\s*soit)?[^\d\n]{0,30}?"
            r"|\bsolde (?:[àa] r[ée]gler|d[ûu])[^\d\n]{0,20}?",
            # "après imputation d'une retenue …, vous restez redevable de la somme de 1.920,00 €"
            r"\b(?:vous )?rest(?:ez|e|ons) redevables? (?:de|d'une somme de|de la somme de)\s*")
# "la somme de mille deux cent quatre-vingt-sept euros et quarante centimes (1287,40 euros)"
_IN_WORDS = re.compile(r"(?i)(?:somme|montant) de\s+[a-zàâçéèêëîïôûù\s\-']{8,160}?\(\s*([^()]{3,20}?)\s*\)")


def _with_surcharge(texts: tuple[str, ...]) -> Decimal | None:
    """The sum to pay when a surcharge is added ("majoration de 10 % … 158,60 euros"): the amount of the
    letter that is another of its amounts plus the surcharge (1 586,00 + 158,60 = 1 744,60)."""
    for text in texts:
        surcharge = amount_after(text, r"majoration[^\d\n]{0,60}?(?:\d{1,2}\s?%[^\d\n]{0,40}?)?", 70)
        if not surcharge:
            continue
        amounts = [value for value, _, _ in iter_amounts(text)]
        totals = {b for b in amounts if any(a + surcharge == b for a in amounts)}
        if len(totals) == 1:
            return totals.pop()
    return None


def _due_now(texts: tuple[str, ...]) -> Decimal | None:
    for label in _DUE_NOW:
        found = {v for text in texts if (v := amount_after(text, label, 45)) is not None}
        if len(found) == 1:
            return found.pop()
    return None


_FINAL = (r"\bindu\b[^.]{0,60}?ramen[ée]e? [àa]\s*", r"redevable\s+de la somme de\s*",
          r"vous notifions (?:un |l')indu (?:d'un montant )?de\s*",  # (after the constat's first figure)
          r"total (?:r[ée]clam[ée]|de l'indu|notifi[ée])\s*:?\s*")
# "s'élève à", "s'élève en conséquence à"
_AMOUNTS_TO = r"s'[ée]l[eè]ve (?:donc |ainsi |en cons[ée]quence |au total )?[àa]"


# the dots of a table of figures ("Reste dû à ce jour ........ 1 126,80 €"): the label next to its figure
_LEADER = re.compile(r"\s*(?:\.\s?){4,}\s*|…{2,}")


def _amount(msg: ParsedMessage, problems: list[str]) -> Decimal | None:
    letters = _LEADER.sub(" ", "\n".join(a.text for a in msg.attachments if a.text))
    body = _LEADER.sub(" ", (msg.subject or "") + "\n" + (msg.text or ""))
    if (due := _with_surcharge((letters, body))) is not None:
        return due
    if (due := _due_now((letters, body))) is not None:
        return due
    labels = (r"montant (?:total|global)(?! des (?:prestations|actes|sommes|factures|soins))"
              r"[^\d\n]{0,40}?", r"montant de l'indu\s*:?\s*",
              rf"montant (?:notifi[ée]|r[ée]clam[ée]|d[ûu])\s*(?:{_AMOUNTS_TO}|est de|:)\s*",
              # "Le montant des sommes indûment versées s'élève à 2.064,90 EUR"
              r"montant des sommes ind[ûu]ment (?:vers[ée]es|pay[ée]es|per[çc]ues|r[ée]gl[ée]es)\s*"
              rf"(?:{_AMOUNTS_TO}|est de|:)\s*",
              r"indu (?:s'[ée]l[eè]ve|est fix[ée]|est arr[êe]t[ée]) [àa]\s*",
              # "l'indu que nous vous notifions, s'établit donc à"
              r"\bindu\b[^.]{0,80}?s'[ée]tablit (?:donc )?[àa]\s*",
              r"\b(?:un|d'un|l')\s*indu (?:d'un montant )?de\s*",
              r"(?:reste|restant) d[ûu]e?\s*:?\s*", r"(?:d'un|pour un) montant (?:total )?de\s*",
              r"(?:r[ée]gler|redevable de) la somme de\s*")
    for text in (letters, body):  # "la somme de 846,50 € reste due": what is still owed comes first
        for found_due in iter_amounts(text):
            if _STILL_DUE.match(text, found_due[2]):
                return found_due[0]
    # the sum finally notified beside the constat's first figure ("… pour un montant de 2 148,35 €. Après
    # examen de vos observations … le montant de l'indu … est ramené à 1 736,95 €"; "vous êtes en conséquence
    # redevable de la somme de 498,15 €"; "TOTAL RÉCLAMÉ 498,15 €"): that one, when they agree
    final = {v for text in (letters, body) for label in _FINAL
             if (v := amount_after(text, label, 30)) is not None}
    if len(final) == 1:
        return final.pop()
    found = [v for text in (letters, body) for label in labels
             if (v := amount_after(text, label, 45)) is not None]
    if not found:
        found = [v for text in (letters, body)
                 if (v := amount_after(text, r"la somme de\s*", 45)) is not None]
    if not found:
        found = [v for text in (letters, body) for m in _IN_WORDS.finditer(text)
                 for v in find_amounts(m.group(1))[:1]]
    if len(set(found)) > 1:
        problems.append("montants différents dans le courrier (" + ", ".join(f"{v} €" for v in
                        dict.fromkeys(found)) + ") : à vérifier")
        return None
    return found[0] if found else None


def read(msg: ParsedMessage, trust: str, caisse: str | None, *, kind: MessageKind | None = None) -> Reading:
    """``kind``: the professional said what it is (a rule she taught); else the letter's title decides."""
    kind = kind or _sub_kind(msg)[0] or MessageKind.NOTIFICATION_INDU
    problems: list[str] = []
    full = msg.all_text()
    reference = (reference_after(msg.subject or "", _INDU_REF) or reference_after(full, _INDU_REF)
                 or reference_after(full, _REF) or reference_after(full, _NOTIFICATION_REF)
                 or any_reference(msg.subject, full)
                 or own_reference(msg.subject or "", full, r"notification (?:de payer|d'indu)|indu"))
    letters = "\n".join(a.text for a in msg.attachments if a.text)
    letter = letter_date(letters) or letter_date(msg.text or "")
    when = letter or (msg.date.date() if msg.date else None)
    details: dict = {}
    control = reference_after(full, r"dossier\s*(?:de contr[oô]le)?\s*(?:n[°o])?\s*:?")
    if control and control != reference:
        details["related"] = [control]  # the constat d'anomalies opened the case under this number
    delay = find_delay(full)
    if delay:
        details["delay"] = {"count": delay[0], "unit": delay[1]}
    if kind == MessageKind.COMPLEMENT_INDU:
        table = constat.table_summary(msg)
        details["letter_of"] = date_after(full, r"courrier du\s*", span=2)
        if table["rows"]:
            details.update(table_rows=table["rows"], griefs=table["griefs"])
        fact = Fact(FactKind.INDU_DETAILS, caisse=caisse, reference=reference, amount=table["total"],
                    date=msg.date.date() if msg.date else None, details=details)
    else:
        amount = _amount(msg, problems)
        if kind == MessageKind.MISE_EN_DEMEURE:
            if re.search(r"major\w*[^.\n]{0,40}10\s?%", normalize(full)):
                details["majoration"] = "10 %"
            own = own_reference(msg.subject or "", full, r"mise en demeure")
            if own and reference and own != reference:
                details["indu_reference"] = reference  # the case it belongs to (rules.case_key)
            fact = Fact(FactKind.MISE_EN_DEMEURE, caisse=caisse, reference=own or reference, amount=amount,
                        date=when, details=details)
        else:
            cra = re.search(r"recours amiable[^:]{0,60}adresse suivante\s*:\s*([^.]{10,250})",
                            " ".join(full.split()), re.IGNORECASE)
            if cra:
                details["cra_address"] = cra.group(1).strip()
            acts = _acts(msg)
            if acts:
                details["acts"] = acts
            if re.search(r"tableau detaille[^.]{0,80}(?:separement|ulterieurement)", normalize(full)):
                details["acts_sent_separately"] = True
            fact = Fact(FactKind.INDU_NOTIFIED, caisse=caisse, reference=reference, amount=amount, date=when,
                        label=_cause(letters) or _cause(msg.text or ""), details=details)
    review = None
    if problems:
        review = "indu : montants contradictoires, à vérifier"
    elif fact.reference is None:
        review = "indu sans référence lisible : à lire"
    elif kind != MessageKind.COMPLEMENT_INDU and fact.amount is None:
        review = "indu sans montant lisible : à lire"
    fields = {"reference": reference, "amount": fact.amount, "letter_date": letter, "label": fact.label,
              **{k: v for k, v in details.items() if k != "acts"}}
    return Reading(kind=kind, trust=trust, caisse=caisse, facts=(fact,), fields=fields,
                   needs_review=review, problems=tuple(problems))
