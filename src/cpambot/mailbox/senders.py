"""Sender recognition and relevance: is this message worth fetching, and can it be trusted?

A sender is a caisse only when its address's domain *is* a known domain or a
subdomain of one (``x@cpam-marne.assurance-maladie.fr``). Display names prove
nothing: "Assurance Maladie <ameli-remboursement@secure-ameli-fr.com>" is a
look-alike and is flagged as such, never trusted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from cpambot.mailbox.auth_results import parse_auth_results
from cpambot.mailbox.headers import HeaderSummary

# Domains the Assurance Maladie and the CGSS write from. ``rss.fr`` is the
# Réseau Santé Social used for the télétransmission flux (``01511@511.01.rss.fr``).
CAISSE_DOMAINS = (
    "ameli.fr", "assurance-maladie.fr", "cnamts.fr", "rss.fr", "msa.fr",
    "cgss.re", "cgss-martinique.fr", "cgss-guadeloupe.fr", "cgss-guyane.fr",
    "cgss-mayotte.fr", "cssm.fr", "css-mayotte.fr", "securite-sociale.fr",
)
# Complementary insurers' tiers-payant platforms (AMC operators).
AMC_DOMAINS = (
    "viamedis.fr", "viamedis.net", "almerys.com", "almerys.fr", "spsante.fr",
    "sp-sante.fr", "isante.fr", "actil.com", "tpcomplementaire.fr", "santeclair.fr",
    "kalivia.fr", "seveane.fr", "itelis.fr", "cegedim.fr",
)

# Words that only a caisse (or someone pretending to be one) would put in a sender.
_LOOKALIKE_WORDS = ("ameli", "assurance maladie", "assurance-maladie", "assurancemaladie",
                    "cpam", "cgss", "caisse primaire", "securite sociale", "securite-sociale",
                    "cnam", "carte vitale",
                    # the tiers-payant platforms' names: only they (or their imitators) sign so
                    "viamedis", "almerys", "santeclair", "kalivia", "seveane", "itelis", "spsante",
                    "sp sante")

CATEGORIES = ("caisse", "amc", "approver", "owner", "reply", "suspect", "own", "other")


class Category(StrEnum):
    """What the headers say of a message (labels: :data:`cpambot.labels.CATEGORY`)."""

    CAISSE = "caisse"
    AMC = "amc"  # a complementary insurer or its platform
    APPROVER = "approver"  # the professional (or another approver) writing to the bot
    OWNER = "owner"  # another address of the professional's: may forward caisse mail, never approve
    REPLY = "reply"  # an answer to one of the bot's own messages
    SUSPECT = "suspect"  # claims to be the caisse from a foreign domain: phishing
    OWN = "own"  # sent by the bot itself
    BOUNCE = "bounce"  # a mail server's delivery report: one of the bot's letters may not have arrived
    OTHER = "other"


_FETCHED = frozenset({Category.CAISSE, Category.AMC, Category.APPROVER, Category.OWNER,
                      Category.REPLY, Category.SUSPECT, Category.BOUNCE})


@dataclass(frozen=True)
class Relevance:
    """The verdict on one message from its headers alone."""

    category: Category
    reason: str

    @property
    def fetch_body(self) -> bool:
        """Bodies are fetched for every message the bot may have to act on or report."""
        return self.category in _FETCHED


@dataclass(frozen=True)
class SenderPolicy:
    caisse_domains: tuple[str, ...] = CAISSE_DOMAINS
    amc_domains: tuple[str, ...] = AMC_DOMAINS
    approvers: tuple[str, ...] = ()
    own_addresses: tuple[str, ...] = ()
    bot_id_domain: str = "cpambot.invalid"
    forwarders: tuple[str, ...] = ()
    # Our receiving server's Authentication-Results ids; empty: the topmost header's (the last hop's)
    authserv_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_caisse_set", frozenset(self.caisse_domains))
        object.__setattr__(self, "_amc_set", frozenset(self.amc_domains))

    @classmethod
    def build(cls, *, extra_caisse: Iterable[str] = (), extra_amc: Iterable[str] = (),
              approvers: Iterable[str] = (), own_addresses: Iterable[str] = (),
              bot_id_domain: str = "cpambot.invalid", forwarders: Iterable[str] = (),
              authserv_ids: Iterable[str] = ()) -> SenderPolicy:
        return cls(
            caisse_domains=tuple(dict.fromkeys((*CAISSE_DOMAINS, *extra_caisse))),
            amc_domains=tuple(dict.fromkeys((*AMC_DOMAINS, *extra_amc))),
            approvers=tuple(a.lower() for a in approvers),
            own_addresses=tuple(a.lower() for a in own_addresses if a),
            bot_id_domain=bot_id_domain,
            forwarders=tuple(a.lower() for a in forwarders if a),
            authserv_ids=tuple(a.strip().lower() for a in authserv_ids if a.strip()),
        )


def domain_matches(domain: str, trusted: Iterable[str]) -> str | None:
    """The trusted domain that ``domain`` is equal to or a subdomain of."""
    trusted_set = trusted if isinstance(trusted, frozenset) else frozenset(trusted)
    labels = domain.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):  # a.b.ameli.fr → a.b.ameli.fr, b.ameli.fr, ameli.fr
        candidate = ".".join(labels[start:])
        if candidate in trusted_set:
            return candidate
    return None


_SEPARATORS = re.compile(r"[\s_.]+")
# Letters of other scripts that look like Latin ones (Unicode confusables, the usual
# suspects of IDN phishing: "amelі.fr" with a Cyrillic і).
_HOMOGLYPHS = str.maketrans({
    "а": "a", "е": "e", "і": "i", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
    "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ɩ": "i", "ı": "i", "ⅼ": "l", "ո": "n", "ս": "u",
    "α": "a", "ο": "o", "ε": "e", "ι": "i", "ν": "v", "κ": "k", "τ": "t", "ρ": "p",
    "А": "a", "Е": "e", "І": "i", "О": "o", "Р": "p", "С": "c", "Х": "x", "М": "m", "Т": "t",
})


def unicode_domain(domain: str) -> str:
    """The Unicode form of an internationalised (punycode, ``xn--``) domain."""
    if "xn--" not in domain:
        return domain
    try:
        return domain.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return domain


def skeleton(text: str) -> str:
    """``text`` with look-alike letters of other scripts replaced by their Latin twins."""
    return text.translate(_HOMOGLYPHS)


def _folded(text: str) -> str:
    """Lower-case, accents removed, separators unified: for look-alike detection."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SEPARATORS.sub(" ", text.lower())


# Cheap pre-filter: an ASCII sender with none of these fragments cannot match (it runs on
# every unrelated sender of the mailbox, the full test only on the few that might).
_QUICK = ("amel", "assur", "cpam", "cgss", "caisse", "secu", "cnam", "vitale", "xn--", "maladie",
          "viamedis", "almerys", "santeclair", "kalivia", "seveane", "itelis", "sante")
_QUICK_SEARCH = re.compile("|".join(map(re.escape, _QUICK)), re.IGNORECASE).search


@lru_cache(maxsize=8192)  # newsletters and patients write again and again
def looks_like_caisse(name: str, address: str) -> bool:
    if name.isascii() and address.isascii() and not _QUICK_SEARCH(name) and not _QUICK_SEARCH(address):
        return False
    local, _, domain = address.rpartition("@")
    address = f"{local}@{skeleton(unicode_domain(domain))}" if domain else address
    name = skeleton(name)
    folded = f"{_folded(name)} {_folded(address)} {_folded(address.replace('-', ' '))}"
    return any(word in folded for word in _LOOKALIKE_WORDS)


def assess(summary: HeaderSummary, policy: SenderPolicy) -> Relevance:
    """Decide, from headers only, what a message is to the bot."""
    addr = summary.from_addr
    domain = summary.from_domain
    if not addr or "@" not in addr:
        if looks_like_caisse(summary.from_name, ""):
            return Relevance(Category.SUSPECT, "se présente comme la caisse sans adresse d'expéditeur valide")
        return Relevance(Category.OTHER, "expéditeur absent ou illisible")
    bot_marker = "@" + policy.bot_id_domain + ">"
    if summary.message_id and summary.message_id.endswith(bot_marker):
        return Relevance(Category.OWN, "message envoyé par cpambot")
    fields = summary.fields
    if is_delivery_report(summary):
        return Relevance(Category.BOUNCE, "avis de non-distribution d'un serveur de messagerie")
    answers_bot = (bot_marker in fields.get("in-reply-to", "")
                   or bot_marker in fields.get("references", "")) \
        and any(ref.endswith(bot_marker) for ref in (*summary.in_reply_to, *summary.references))
    if addr in policy.approvers:
        if answers_bot:
            return Relevance(Category.REPLY, "réponse de l'approbateur à un message de cpambot")
        return Relevance(Category.APPROVER, "message de l'approbateur (commande ou transfert)")
    if addr in policy.forwarders:
        return Relevance(Category.OWNER, "une autre adresse du professionnel (transfert de courrier de la "
                         "caisse, sans droit d'approuver)")
    # A caisse answering a letter the bot sent is a caisse message like any other.
    matched = domain_matches(domain, policy._caisse_set)  # type: ignore[attr-defined]
    if matched:
        forged = spoofing(summary, policy)
        if forged:
            return Relevance(Category.SUSPECT, f"adresse de l'Assurance Maladie ({matched}) usurpée : "
                             f"{forged} : hameçonnage probable, jamais pris en compte")
        return Relevance(Category.CAISSE, f"expéditeur de l'Assurance Maladie ({matched})")
    matched = domain_matches(domain, policy._amc_set)  # type: ignore[attr-defined]
    if matched:
        forged = spoofing(summary, policy)
        if forged:
            return Relevance(Category.SUSPECT, f"adresse d'organisme complémentaire ({matched}) usurpée : "
                             f"{forged} : jamais pris en compte")
        return Relevance(Category.AMC, f"organisme complémentaire ({matched})")
    if answers_bot:  # someone else answers the bot: read it, to refuse it and report it
        return Relevance(Category.REPLY, "réponse à un message de cpambot, d'un expéditeur non approbateur")
    if looks_like_caisse(summary.from_name, addr):
        return Relevance(Category.SUSPECT, f"se fait passer pour la caisse ou une plateforme de tiers payant "
                         f"depuis un domaine étranger "
                         f"({domain}) : hameçonnage probable, jamais pris en compte")
    if addr in policy.own_addresses:
        return Relevance(Category.OTHER, "message de votre propre adresse")
    return Relevance(Category.OTHER, "expéditeur sans rapport avec l'Assurance Maladie")


_REPORT_TYPE = re.compile(r"(?i)multipart/report\b.*\breport-type\s*=\s*\"?delivery-status")
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


def is_delivery_report(summary: HeaderSummary) -> bool:
    """A mail server's report on the delivery of a message: a delivery status notification (RFC 3464),
    or any message of a mailer daemon or postmaster (plain-text bounces, delay warnings)."""
    if _REPORT_TYPE.search(" ".join(summary.fields.get("content-type", "").split())):
        return True
    return summary.from_addr.partition("@")[0] in _DAEMONS


def spoofing(summary: HeaderSummary, policy: SenderPolicy) -> str | None:
    """Why our own receiving server says the From's domain was forged, or None.

    Only the Authentication-Results of our server count (``policy.authserv_ids``; without
    them, the topmost header's id: the last hop, our server, prepends its own). A sender
    may add headers claiming "pass" under any id; it cannot remove our "fail". DMARC fail
    is forgery; SPF fail counts only when neither DKIM nor DMARC passed (a forwarded
    message may fail SPF and still carry a valid signature)."""
    values = [v for v in summary.fields.get("authentication-results", "").split("\n") if v.strip()]
    results = [r for r in map(parse_auth_results, values) if r is not None]
    if not results:
        return None
    ours = set(policy.authserv_ids) or {results[0].authserv_id}
    reasons: list[str] = []
    for result in results:
        if result.authserv_id not in ours:
            continue
        dmarc, spf, dkim = result.verdicts("dmarc"), result.verdicts("spf"), result.verdicts("dkim")
        if "fail" in dmarc:
            reasons.append(f"DMARC en échec selon {result.authserv_id}")
        elif {"fail"} & set(spf) and "pass" not in dmarc and "pass" not in dkim:
            reasons.append(f"SPF en échec selon {result.authserv_id}")
    return "; ".join(dict.fromkeys(reasons)) or None
