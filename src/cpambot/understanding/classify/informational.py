"""Information from the caisse: newsletters (no fact) and invitations to a meeting.

- "Infoslettre", "info lettre", "lettre d'information", "newsletter", "actualités" →
  kind ``newsletter``, no fact (an unsubscribe link alone is not enough).
- "invitation à un échange / entretien", "nous vous proposons un rendez-vous",
  "souhaite échanger avec vous" → kind ``invitation``, fact ``meeting_invitation``
  dated with the meeting (time and "répondre avant le" in the details).
"""

from __future__ import annotations

import re
from datetime import date

from cpambot.understanding.classify import reclamation
from cpambot.understanding.classify.reclamation import is_amelipro, is_document_notice
from cpambot.understanding.classify.text.dates import PLACE_AND_DAY, date_after, iter_dates
from cpambot.understanding.classify.text.keywords import keyword_score, keywords
from cpambot.understanding.classify.text.normalize import normalize
from cpambot.understanding.facts import Fact, FactKind, MessageKind, Reading
from cpambot.understanding.message import ParsedMessage

NEWSLETTER = keywords(
    ("infos? ?lettres?", 1.0),
    ("lettre d'information", 0.9),
    # "La lettre des professionnels de santé – novembre 2026", "Vous recevez cette lettre car …"
    ("^la lettre (?:des|aux|du|de la|de l') ", 0.9),
    ("vous recevez (?:cette|notre) (?:lettre|newsletter|infolettre)", 0.9),
    ("newsletter", 0.9),
    ("actualites", 0.6),
    ("desabonn", 0.55),
    ("desinscri", 0.55),
    ("enquete (?:de )?satisfaction", 0.7),
    ("(?:information|info) (?:aux |des )?(?:professionnels de sante|ps|infirmier)", 0.6),
    ("(?:nouvelles?|evolution des?) (?:modalites|regles|nomenclature)", 0.55),
    ("nous vous (?:rappelons|informons) que", 0.5),
    ("revalorisations?", 0.6),
    # a numbered issue: "Info PS n°47 – Novembre 2026", "Lettre aux infirmiers n° 12"
    ("^(?:infos?|lettre|bulletin|actus?|actualites)\\b[^\n]{0,30}\\bno ?\\d{1,4}\\b", 0.95),
    ("nouveaux tarifs", 0.6),
    ("avenant (?:conventionnel|n ?o?\\d)", 0.55),
    ("(?:voici |nos |quelques )(?:conseils|rappels) (?:utiles|pour)", 0.6),
    ("(?:nos |quelques )(?:conseils|rappels)\\b", 0.55),
    ("(?:interruption|indisponibilite|maintenance) (?:de |du |des )?(?:service|amelipro|teleservices?)", 0.6),
    # a reminder of a schedule of payments agreed ("Ce message est envoyé à titre d'information")
    ("(?:message|courriel) (?:est |vous est )?(?:envoye|adresse) a titre d'information", 0.7),
    # "il n'appelle aucune réponse ni aucune démarche de votre part"
    ("(?:n'appelle|ne necessite|n'implique|n'attend) aucune (?:reponse|action|demarche)\b[^.]{0,40}"
     "de votre part", 0.8),
    # a reminder of the rules after a control that claims nothing ("Rappel des règles de facturation")
    ("rappel des regles (?:de (?:facturation|cotation|la ngap)|de la nomenclature)", 0.8),
    # a new contact at the caisse: "Votre nouvelle interlocutrice", "je reprends le suivi de votre dossier"
    ("^(?:re ?: )?(?:votre |vos )?nouve(?:lle|au|aux)s? (?:interlocut\\w+|conseill\\w+|correspondant\\w*)",
     0.75),
    ("(?:je reprends|nous reprenons|reprendra) le suivi de votre dossier", 0.7),
)
INVITATION = keywords(
    ("invitation a (?:un|une) (?:echange|entretien|rendez-vous|reunion|rencontre)", 1.0),
    ("vous (?:invite|invitons|proposons) (?:a )?(?:un |une )?(?:echange|entretien|rendez-vous|reunion)", 0.9),
    ("souhait\\w* (?:echanger avec vous|vous rencontrer|s'entretenir avec vous)", 0.8),
    ("proposition (?:de |d')(?:rendez-vous|rencontre|visite|rdv|entretien|echange)", 0.9),
    # "j'ai l'honneur de vous proposer un entretien au sujet de vos BSI" (the service médical)
    ("(?:l'honneur|le plaisir) de vous proposer (?:un |une )?(?:entretien|rendez-vous|rencontre|echange)",
     0.9),
    ("entretien confraternel", 0.9),
    ("echange confraternel", 0.9),
    ("(?:vous rendre|rendre) visite", 0.85),
    ("visite (?:de |d'un |d'une |du |de la )?(?:votre )?(?:delegue|conseill)", 0.9),
    ("(?:je|nous) (?:vous )?propos(?:e|ons) (?:un |une )?(?:rendez-vous|visite|rencontre|echange|entretien)",
     0.85),
    # "Les conseillers informatique service … vous proposent un webinaire d'une heure"
    ("vous propos(?:e|ons|ent) (?:un |une )?(?:webinaire|atelier|reunion d'information|session)", 0.95),
    ("(?:le plaisir de )?vous convier a", 0.9),
    ("^invitation\\b", 0.8),
    # "Convocation - entretien contradictoire - constat d'anomalies du …": convened, about a letter it cites
    ("^(?:re ?: )?convocation\\b", 1.0),
    # "REPORT - Entretien du 05/11/2026", "l'entretien qui devait se tenir le … est reporté"
    ("^(?:re ?: )?report\\w*\\W{1,4}(?:de l'|du |de votre )?(?:entretien|rendez-vous|reunion|rencontre)",
     1.0),
    ("(?:entretien|rendez-vous|reunion|rencontre)[^.]{0,200}?\\b(?:est|sera|a ete) reporte", 0.9),
    ("(?:entretien|rendez-vous|reunion|rencontre) qui devait (?:se tenir|avoir lieu)[^.]{0,200}?"
     "(?:reporte|ne pourra pas avoir lieu)", 0.9),
    ("reunion d'information", 0.8),
    ("webinaire", 0.75),
    ("(?:inscrivez-vous|je m'inscris|inscription (?:gratuite|obligatoire))", 0.6),
)
_BEFORE = r"(?:avant le|au plus tard le|d'ici le|jusqu'au)\s*"
_DATELINE = re.compile(r"(?:^|\n)[ \t]*" + PLACE_AND_DAY + r"[ \t]*$")
_NEW_DAY = re.compile(r"(?:nouvelle date|reporte(?:e|s)? (?:au|a)|se tiendra (?:desormais )?(?:le)?)\W{0,4}"
                      r"(?:le\s*)?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi)?\s*$")
_CANCELLED_DAY = re.compile(r"(?:initialement prevue?|devait (?:se tenir|avoir lieu)|prevue? le)[^.\n]{0,30}$"
                            r"|^(?:re ?: )?report\w*\W[^\n]{0,30}$")
_TIME = re.compile(r"\s*(?:[àa]|,)?\s*(\d{1,2})\s*h\s*(\d{2})?(?!\d)")


_NEWS_WORDS = ("lettre", "newsletter", "actualites", "desabonn", "desinscri", "enquete", "information",
               "info ", "modalites", "regles", "nomenclature", "rappelons", "informons", "revalorisation",
               "tarifs", "avenant", "conseils", "rappels", "interruption", "indisponib", "maintenance",
               "interlocut", "conseill", "correspondant", "suivi de votre dossier")
_INVITATION_WORDS = ("invit", "echange", "entretien", "rendez-vous", "rencontr", "reunion", "visite",
                     "propos", "convier", "webinaire", "inscri", "convocation")


def newsletter_score(msg: ParsedMessage) -> float:
    return keyword_score(msg, NEWSLETTER, _NEWS_WORDS)


def match(msg: ParsedMessage) -> float:
    return max(keyword_score(msg, NEWSLETTER, _NEWS_WORDS),
               keyword_score(msg, INVITATION, _INVITATION_WORDS))


def _meeting(msg: ParsedMessage) -> tuple[date | None, str | None]:
    """(date, "HH:MM") of the proposed meeting: the first date not introduced by "avant le"."""
    year = msg.date.year if msg.date else None
    letters = [a.text for a in msg.attachments if a.text]  # (the invitation may be the attached letter)
    found = [(value, end, source, start) for source in (msg.subject or "", msg.text or "", *letters)
             for value, start, end in iter_dates(source, default_year=year)
             if not re.search(_BEFORE + "$", source[max(0, start - 25):start], re.IGNORECASE)]
    if msg.date is not None:  # "après le succès de notre webinaire du 15 septembre": a meeting is ahead
        found = [f for f in found if f[0] >= msg.date.date()]
    # (not the letter's own place and date line: "Auch, le 3 novembre 2026")
    found = [f for f in found if not _DATELINE.search(f[2][max(0, f[3] - 60):f[3]])]
    # a meeting postponed: its new day ("Nouvelle date : jeudi 26 novembre 2026"), never the cancelled one
    # ("Entretien initialement prévu : jeudi 5 novembre 2026 - ANNULÉ", "qui devait se tenir le …")
    moved = [f for f in found if _NEW_DAY.search(normalize(f[2][max(0, f[3] - 40):f[3]]))]
    found = moved or [f for f in found if not _CANCELLED_DAY.search(normalize(f[2][max(0, f[3] - 60):f[3]]))
                      and not re.match(r"[^\n]{0,30}\bannul", normalize(f[2][f[1]:f[1] + 40]))] or found
    if not found:
        return None, None
    meeting = found[0][0]
    for value, end, source, _ in found:
        time = _TIME.match(source, end)
        if value == meeting and time and int(time.group(1)) < 24 and int(time.group(2) or 0) < 60:
            return meeting, f"{int(time.group(1)):02d}:{time.group(2) or '00'}"
    return meeting, None


def read(msg: ParsedMessage, trust: str, caisse: str | None) -> Reading:
    news = keyword_score(msg, NEWSLETTER, _NEWS_WORDS)
    invitation = keyword_score(msg, INVITATION, _INVITATION_WORDS)
    if msg.bulk and invitation < 0.75 or news > invitation:
        # (what the amelipro service announces — a maintenance, a new service — is its own kind)
        kind = MessageKind.AMELIPRO if is_amelipro(msg) else MessageKind.NEWSLETTER
        if kind is MessageKind.AMELIPRO and is_document_notice(msg):
            # a document waiting in her space, sent from a list or not: she reads it there (as any notice)
            return reclamation.read(msg, trust, caisse)
        return Reading(kind=kind, trust=trust, caisse=caisse, fields={"title": msg.subject})
    when, hour = _meeting(msg)
    reply_before = date_after(msg.all_text(), _BEFORE, span=2)
    details = {k: v for k, v in (("meeting_date", when), ("time", hour), ("reply_before", reply_before))
               if v}
    fact = Fact(FactKind.MEETING_INVITATION, caisse=caisse, date=when, label=msg.subject or None,
                details=details)
    review = None if when else "invitation sans date de rendez-vous lisible : à lire"
    return Reading(kind=MessageKind.INVITATION, trust=trust, caisse=caisse, facts=(fact,),
                   fields=details, needs_review=review)
